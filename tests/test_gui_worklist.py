"""The Worklist through the real screens, on the seeded demo: the first screen with counts in
the navigation, a blocked visit followed to the screen that fixes it, the visit then Ready and
recorded as given (units and grant balance go down), the visit actions from the worklist and
the patient screen, tasks assigned and filtered, the day summary, and the sizes at 1366×728."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from infudesk.domain.worklist import BlockerKind, VisitRow
from infudesk.paths import DataPaths
from infudesk.services.audit import Actor
from infudesk.store.database import Store
from infudesk.ui.common.ops import Backend, wait_for_background
from infudesk.ui.main_window import MainWindow
from infudesk.ui.worklist.worklist_screen import WorklistScreen
from tests.conftest import TODAY, MemoryKeyring
from tests.seeded import Template, copy_template, seed_template

LEFT = Qt.MouseButton.LeftButton
SCREEN_W, SCREEN_H = 1366, 728
SHOTS = Path("/tmp")


@pytest.fixture(scope="module")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    return seed_template(tmp_path_factory, "worklist-gui")


@pytest.fixture
def paths(data_dir: Path, memory_keyring: MemoryKeyring, seeded_template: Template) -> DataPaths:
    return copy_template(seeded_template, data_dir, memory_keyring)


@pytest.fixture
def window(qtbot, store: Store) -> Iterator[MainWindow]:  # type: ignore[no-untyped-def]
    w = MainWindow(Backend(store, Actor("desk.clerk")), today=lambda: TODAY)
    qtbot.addWidget(w)
    w.resize(SCREEN_W, SCREEN_H)
    w.show()
    yield w
    wait_for_background()


def loaded(qtbot, screen: WorklistScreen) -> None:  # type: ignore[no-untyped-def]
    """Wait until the newest refresh is shown."""
    qtbot.waitUntil(lambda: screen.data is not None and not screen.busy, timeout=20_000)


def reload(qtbot, screen: WorklistScreen) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(screen.loaded, timeout=20_000):
        screen.refresh()
    loaded(qtbot, screen)


def visit_with(screen: WorklistScreen, kind: BlockerKind) -> VisitRow:
    assert screen.data is not None
    return next(v for v in screen.data.worklist.visits if any(b.kind is kind for b in v.blockers))


def shown_visit(screen: WorklistScreen, visit_id: int) -> VisitRow:
    assert screen.data is not None
    return next(v for v in screen.data.worklist.visits if v.visit_id == visit_id)


def shot(widget: QWidget, name: str) -> None:
    widget.grab().save(str(SHOTS / name))


def test_first_screen_with_counts(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    screen = window.worklist
    assert window.stack.currentWidget() is screen
    assert window.nav.item(0).text().startswith("Worklist")
    loaded(qtbot, screen)
    counts = screen.data.worklist.counts  # type: ignore[union-attr]
    titles = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert f"Worklist {counts['worklist']}" in titles
    assert f"Prior auths {counts['prior_auth']}" in titles
    assert f"Verifications {counts['verification']}" in titles
    assert screen.visit_model.rowCount() > 10
    assert "blocked" in screen.visit_summary.text()
    shot(window, "wl-window.png")
