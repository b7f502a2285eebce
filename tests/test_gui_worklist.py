"""The Worklist through the real screens, on the seeded demo: the first screen with counts in
the navigation, a blocked visit followed to the screen that fixes it, the visit then Ready and
recorded as given (units and grant balance go down), the visit actions from the worklist and
the patient screen, tasks assigned and filtered, the day summary, and the sizes at 1366×728."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QPushButton, QWidget

from infudesk.domain.worklist import BlockerKind, VisitRow
from infudesk.paths import DataPaths
from infudesk.services import assistance as asv
from infudesk.services import prior_auths as pas
from infudesk.services.audit import Actor
from infudesk.store.database import Store
from infudesk.ui.common.ops import Backend, wait_for_background
from infudesk.ui.main_window import MainWindow
from infudesk.ui.worklist import controller as c
from infudesk.ui.worklist.controller import VisitAction
from infudesk.ui.worklist.worklist_screen import WorklistScreen
from tests.conftest import TODAY, MemoryKeyring
from tests.qt_helpers import when_modal
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


def click(qtbot, button: QWidget) -> None:  # type: ignore[no-untyped-def]
    assert button.isVisible() and button.isEnabled(), button.objectName()
    qtbot.mouseClick(button, LEFT)


def click_visit(qtbot, screen: WorklistScreen, visit_id: int) -> None:  # type: ignore[no-untyped-def]
    row = screen.visit_model.row_of(visit_id)
    assert row >= 0, visit_id
    view = screen.visit_table
    view.scrollTo(screen.visit_model.index(row, 1))
    rect = view.visualRect(screen.visit_model.index(row, 1))
    qtbot.mouseClick(view.viewport(), LEFT, pos=rect.center())
    assert screen.selected_visit() is not None
    assert screen.selected_visit().visit_id == visit_id  # type: ignore[union-attr]


def blocker_button(qtbot, screen: WorklistScreen, name: str) -> QPushButton:  # type: ignore[no-untyped-def]
    """The current visit's button of that name (shown once the event loop has run)."""
    button = next(b for b in screen.blocker_buttons if b.objectName() == name)
    qtbot.waitUntil(button.isVisible)
    return button


def units_left(store: Store, patient_id: int) -> dict[str, int]:
    with store.session() as s:
        rows = [
            r
            for r in pas.list_cases(s, today=TODAY, include_closed=False)
            if r.patient_id == patient_id and r.remaining is not None
        ]
    assert rows
    return dict(rows[0].remaining.units_by_code)  # type: ignore[union-attr]


def enrollment(store: Store, enrollment_id: int) -> asv.EnrollmentRecord:
    with store.session() as s:
        return next(
            e
            for e in asv.enrollments_for_patient(s, patient_of(s, enrollment_id))
            if e.id == enrollment_id
        )


def patient_of(session, enrollment_id: int) -> int:  # type: ignore[no-untyped-def]
    from infudesk.store.models import AssistanceEnrollment

    row = session.get(AssistanceEnrollment, enrollment_id)
    assert row is not None
    return int(row.patient_id)


def test_blocked_visit_followed_fixed_then_given(qtbot, window: MainWindow, store: Store) -> None:  # type: ignore[no-untyped-def]
    screen = window.worklist
    loaded(qtbot, screen)
    v = visit_with(screen, BlockerKind.ASSISTANCE_PENDING)
    enrollment_id = v.blockers[0].target.record_id
    assert enrollment_id is not None and len(v.blockers) == 1
    click_visit(qtbot, screen, v.visit_id)
    fix = blocker_button(qtbot, screen, "fix_assistance_pending")
    texts = [w.text() for w in screen.blocker_list.findChildren(QLabel)]
    assert any(v.blockers[0].text in t for t in texts)
    shot(window, "wl-blocked.png")

    # the link opens the patient's Assistance tab on the enrollment
    click(qtbot, fix)
    page = window.patients.page
    assert window.stack.currentWidget() is window.patients
    assert page.record is not None and page.record.id == v.patient_id
    assert page.tabs.currentWidget() is page.assistance
    tab = page.assistance
    assert tab.current() is not None and tab.current().id == enrollment_id  # type: ignore[union-attr]
    assert "Applied" in tab.table.item(tab.table.currentRow(), 6).text()  # type: ignore[union-attr]

    def approve(dlg: QWidget) -> None:
        from infudesk.ui.fees.enrollment_dialogs import EnrollmentDialog

        assert isinstance(dlg, EnrollmentDialog)
        f = dlg.form
        f.set("status", "approved")
        f.set("approved_on", "11/25/2026")
        f.set("amount_approved", "5,000")
        f.set("balance", "5,000")
        f.set("expires", "12/31/2026")
        shot(dlg, "wl-enrollment.png")
        dlg.save_button.click()

    when_modal(approve)
    with qtbot.waitSignal(tab.changed, timeout=10_000):
        click(qtbot, tab.edit_button)
    assert enrollment(store, enrollment_id).data.status == "approved"
    shot(window, "wl-assistance-tab.png")

    # back on the worklist the visit is Ready
    with qtbot.waitSignal(screen.loaded, timeout=20_000):
        window.nav.setCurrentRow(0)
    loaded(qtbot, screen)
    assert shown_visit(screen, v.visit_id).ready
    click_visit(qtbot, screen, v.visit_id)
    assert screen.blocker_list.findChild(QLabel, "readyNote") is not None
    assert screen.visit_model.data(
        screen.visit_model.index(screen.visit_model.row_of(v.visit_id), 7)
    ) == "Ready"

    # recorded as given: the authorization's units and the grant's balance go down
    before_units = units_left(store, v.patient_id)
    before_balance = enrollment(store, enrollment_id).data.balance
    assert before_balance == 5000

    def confirm(box: QWidget) -> None:
        assert isinstance(box, QMessageBox) and box.objectName() == "givenBox"
        box.button(QMessageBox.StandardButton.Yes).click()

    when_modal(confirm)
    with qtbot.waitSignal(screen.loaded, timeout=20_000):
        click(qtbot, screen.action_buttons[VisitAction.GIVEN])
    loaded(qtbot, screen)
    assert shown_visit(screen, v.visit_id).status == "given"
    assert "recorded as given" in screen.status.text()
    after_units = units_left(store, v.patient_id)
    assert all(after_units[code] < before_units[code] for code in before_units)
    after = enrollment(store, enrollment_id).data
    assert after.balance is not None and after.balance < before_balance
    assert after.used > 0
    # the visit left the "still to come" list; "Given or cancelled" shows it
    assert screen.visit_model.row_of(v.visit_id) < 0
    screen.show_combo.setCurrentIndex(screen.show_combo.findData(c.Readiness.DONE))
    assert screen.visit_model.row_of(v.visit_id) >= 0
