"""The desk on a 1366×768 screen (1366×728 above the task bar), on the seeded demo: every
screen of the navigation, each showcase patient's page and tabs, and every dialog fit, and the
main window does not grow; the same with a larger system font. Screenshots go to /tmp/desk."""
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, QRect, Qt
from PySide6.QtGui import QAccessible, QFont, QWheelEvent
from PySide6.QtWidgets import QApplication, QComboBox, QDialog, QScrollArea, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy.orm import Session

from infudesk.demo.care import SHOWCASE_MRNS
from infudesk.domain.prior_auth import Action
from infudesk.paths import DataPaths
from infudesk.services import coverages as cs
from infudesk.services import orders as ors
from infudesk.services import patients as ps
from infudesk.services import prior_auths as pas
from infudesk.services import verifications as vs
from infudesk.services.audit import Actor
from infudesk.store.database import Store
from infudesk.ui.common.ops import Backend, wait_for_background
from infudesk.ui.common.polish import NAMED_TYPES
from infudesk.ui.common.screen import DESK, DESK_HEIGHT, DESK_WIDTH
from infudesk.ui.main_window import SCREENS, MainWindow
from tests.conftest import TODAY, MemoryKeyring
from tests.seeded import Template, copy_template, seed_template

SHOTS = Path(os.environ.get("INFUDESK_DESK_SHOTS", "/tmp/desk"))  # screenshots to look at
SIZES: dict[str, tuple[int, int]] = {}  # what each window measured (printed at the end)
PROBLEMS: list[str] = []  # what did not fit, all of it (asserted empty at the end of a test)


def widest(widget: QWidget, limit: int) -> str:
    """The innermost widgets that cannot be narrower than ``limit`` (to say what is too wide)."""
    found = []
    for child in widget.findChildren(QWidget):
        if child.isVisible() and child.minimumSizeHint().width() > limit:
            inner = [
                c
                for c in child.findChildren(QWidget)
                if c.isVisible() and c.minimumSizeHint().width() > limit
            ]
            if not inner:
                found.append(
                    f"{type(child).__name__}#{child.objectName()}={child.minimumSizeHint().width()}"
                )
    return ", ".join(found[:6])


@pytest.fixture(scope="module")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    return seed_template(tmp_path_factory, "desk-size")


@pytest.fixture
def paths(data_dir: Path, memory_keyring: MemoryKeyring, seeded_template: Template) -> DataPaths:
    return copy_template(seeded_template, data_dir, memory_keyring)


@pytest.fixture(scope="module", autouse=True)
def report_sizes() -> Iterator[None]:
    SHOTS.mkdir(parents=True, exist_ok=True)
    yield
    lines = [f"{name}: {w}×{h}" for name, (w, h) in sorted(SIZES.items())]
    (SHOTS / "sizes.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture(autouse=True)
def desk_screen(monkeypatch: pytest.MonkeyPatch) -> None:
    """The screen of a front-desk PC: 1366×768 less the task bar (offscreen Qt has 800×800)."""
    from infudesk.ui.common import screen

    def desk(widget: QWidget) -> QRect:
        return QRect(0, 0, DESK_WIDTH, DESK_HEIGHT)

    monkeypatch.setattr(screen, "available_area", desk)


@pytest.fixture
def window(qtbot: QtBot, store: Store) -> Iterator[MainWindow]:
    w = MainWindow(Backend(store, Actor("manager", role="manager")), today=lambda: TODAY)
    w.skip_close_checks = True  # type: ignore[attr-defined]
    qtbot.addWidget(w)
    on_the_desk(qtbot, w)
    yield w
    wait_for_background()


def settle(qtbot: QtBot) -> None:
    wait_for_background()
    QApplication.processEvents()
    qtbot.wait(30)


def fits(widget: QWidget, name: str, prefix: str = "") -> None:
    """The window's frame, its size hint and its minimum size hint all fit the desk."""
    frame = widget.frameGeometry()
    hint, least = widget.sizeHint(), widget.minimumSizeHint()
    SIZES[prefix + name] = (frame.width(), frame.height())
    widget.grab().save(str(SHOTS / f"{prefix}{name}.png"))
    PROBLEMS.extend(f"{prefix}{name}: no accessible name: {w}" for w in unnamed(widget))
    if not (frame.width() <= DESK_WIDTH and frame.height() <= DESK_HEIGHT):
        PROBLEMS.append(f"{prefix}{name}: frame {frame.width()}×{frame.height()}")
    if not (least.width() <= DESK_WIDTH and least.height() <= DESK_HEIGHT):
        PROBLEMS.append(
            f"{prefix}{name}: minimum {least.width()}×{least.height()} ({widest(widget, 900)})"
        )
    big_font = bool(prefix)  # with a larger font the body may scroll (its hint is larger)
    if (
        not isinstance(widget, MainWindow)
        and not big_font
        and not (  # opens at its hint
            hint.width() <= DESK_WIDTH and hint.height() <= DESK_HEIGHT
        )
    ):
        PROBLEMS.append(f"{prefix}{name}: size hint {hint.width()}×{hint.height()}")


def unnamed(window: QWidget) -> list[str]:
    """The visible controls in the window that a screen reader would announce without a name:
    no accessible name of their own, no buddy label, no text (what Qt's accessibility layer
    gives as the name, QAccessible's Name)."""
    missing = []
    for w in window.findChildren(QWidget):
        if not isinstance(w, NAMED_TYPES) or not w.isVisible():
            continue
        iface = QAccessible.queryAccessibleInterface(w)
        name = iface.text(QAccessible.Text.Name) if iface is not None else ""
        if not (w.accessibleName().strip() or name.strip()):
            missing.append(
                f"{type(w).__name__}#{w.objectName()} in {type(w.parentWidget()).__name__}"
            )
    return missing


def on_the_desk(qtbot: QtBot, w: MainWindow) -> None:
    """Show the main window with its frame exactly 1366×728."""
    w.resize(DESK_WIDTH, DESK_HEIGHT)
    w.show()
    qtbot.waitExposed(w)
    frame, inner = w.frameGeometry(), w.geometry()
    w.resize(
        DESK_WIDTH - (frame.width() - inner.width()),
        DESK_HEIGHT - (frame.height() - inner.height()),
    )
    QApplication.processEvents()
    assert w.frameGeometry().size() == DESK


def same_size(window: MainWindow, name: str) -> None:
    size = window.frameGeometry().size()
    if size != DESK:
        PROBLEMS.append(
            f"main window grew at {name}: {size.width()}×{size.height()} ({widest(window, 1150)})"
        )
        window.resize(window.size() - (size - DESK))  # back to the desk, to see what else grows


@pytest.fixture(autouse=True)
def no_problems() -> Iterator[None]:
    PROBLEMS.clear()
    yield
    assert not PROBLEMS, "\n".join(PROBLEMS)


def pid_of(backend: Backend, mrn: str) -> int:
    def find(s: Session) -> int:
        return ps.get_by_mrn(s, mrn).id

    return int(backend.query(find))


def visit_everything(qtbot: QtBot, window: MainWindow, prefix: str = "") -> None:
    """Each screen of the navigation, then each showcase patient's page and every tab."""
    for spec in SCREENS:
        window.nav.setCurrentRow(window.row_of(spec.key))
        settle(qtbot)
        assert window.stack.currentWidget() is window.get_screen(spec.key)
        same_size(window, spec.key)
        fits(window, f"screen-{spec.key}", prefix)
    for mrn in SHOWCASE_MRNS:
        window.show_patient(pid_of(window.backend, mrn))
        settle(qtbot)
        page = window.patients.page
        assert page.record is not None and page.record.data.mrn == mrn
        for i in range(page.tabs.count()):
            page.tabs.setCurrentIndex(i)
            settle(qtbot)
            same_size(window, f"{mrn} tab {i}")
            fits(window, f"patient-{mrn}-tab{i}", prefix)
        window.show_quote(pid_of(window.backend, mrn))
        settle(qtbot)
        same_size(window, f"quote {mrn}")
        fits(window, f"quote-{mrn}", prefix)
    window.patients.show_list()


def open_dialogs(window: MainWindow) -> list[tuple[str, Callable[[], QWidget]]]:
    """Every dialog of the desk, made on the showcase patients' records."""
    from infudesk.ui.fees.assistance_tab import AssistanceDialog
    from infudesk.ui.fees.enrollment_dialogs import (
        DirectoryDialog,
        EnrollmentDialog,
        ScreeningDialog,
    )
    from infudesk.ui.letters.batch_letters import BatchLetters
    from infudesk.ui.letters.letter_preview import LetterPreview
    from infudesk.ui.patients.coverage_dialog import CoverageDialog
    from infudesk.ui.patients.order_dialog import OrderDialog
    from infudesk.ui.prior_auth.prior_auth_dialog import (
        AttachDialog,
        PriorAuthDialog,
        RecordVisitDialog,
        StepDialog,
    )
    from infudesk.ui.prior_auth.prior_auth_tab import NewCaseDialog
    from infudesk.ui.staff.sign_in import LockDialog, SignInForm
    from infudesk.ui.verification.verification_dialog import VerificationDialog

    b = window.backend

    def today() -> date:
        return TODAY

    pid = {mrn: pid_of(b, mrn) for mrn in SHOWCASE_MRNS}

    def coverages(mrn: str) -> list[cs.CoverageRecord]:
        return list(b.query(cs.list_coverages, pid[mrn]))

    def orders(mrn: str) -> list[ors.OrderRecord]:
        return list(b.query(ors.list_orders, pid[mrn]))

    def case(mrn: str) -> pas.CaseRecord:
        def find(s: Session) -> pas.CaseRecord:
            [row, *_] = pas.list_cases(s, today=TODAY, patient_id=pid[mrn], include_closed=True)
            return pas.get_case(s, row.id)

        return b.query(find)

    def verification(mrn: str) -> int:
        def find(s: Session) -> int:
            rows = vs.list_for_patient(s, pid[mrn])
            return rows[0][0].id

        return int(b.query(find))

    def attach(*_: object) -> None:
        return None

    def record(*_: object) -> pas.CaseRecord:
        raise AssertionError("not in a size test")

    made: list[tuple[str, Callable[[], QWidget]]] = [
        ("coverage-new", lambda: CoverageDialog(b, pid["D0001"], today=today, parent=window)),
        (
            "coverage-D0006",
            lambda: CoverageDialog(
                b, pid["D0006"], today=today, record=coverages("D0006")[0], parent=window
            ),
        ),
        ("order-new", lambda: OrderDialog(b, pid["D0001"], today=today, parent=window)),
        (
            "order-D0001",
            lambda: OrderDialog(
                b, pid["D0001"], today=today, record=orders("D0001")[0], parent=window
            ),
        ),
        (
            "verification-D0002",
            lambda: VerificationDialog(b, verification("D0002"), today=today, parent=window),
        ),
        (
            "verification-D0001",
            lambda: VerificationDialog(b, verification("D0001"), today=today, parent=window),
        ),
    ]
    for mrn in ("D0001", "D0003", "D0004"):
        made.append(
            (
                f"prior-auth-{mrn}",
                lambda mrn=mrn: PriorAuthDialog(b, case(mrn).id, today, window),  # type: ignore[misc]
            )
        )
    made += [
        (
            "new-case-D0003",
            lambda: NewCaseDialog(
                b, pid["D0003"], coverages("D0003"), orders("D0003"), today=today, parent=window
            ),
        ),
        (
            "deny-step-D0003",
            lambda: StepDialog(b, case("D0003"), Action.DENY, today=today, parent=window),
        ),
        (
            "record-visit",
            lambda: RecordVisitDialog(orders("D0001")[0], record, today=today, parent=window),
        ),
        ("attach", lambda: AttachDialog(attach, today=today, parent=window)),
        (
            "letter-cost-D0001",
            lambda: LetterPreview(b, "cost-letter", pid["D0001"], today=TODAY, parent=window),
        ),
        (
            "letter-gfe-D0005",
            lambda: LetterPreview(b, "gfe", pid["D0005"], today=TODAY, parent=window),
        ),
        (
            "letter-appeal-D0004",
            lambda: LetterPreview(
                b, "appeal", pid["D0004"], today=TODAY, case_id=case("D0004").id, parent=window
            ),
        ),
        ("letter-batch", lambda: BatchLetters(b, today=TODAY, parent=window)),
        ("assistance-D0004", lambda: AssistanceDialog(b, pid["D0004"], today=today, parent=window)),
        (
            "enrollment-D0005",
            lambda: EnrollmentDialog(b, pid["D0005"], [], today=today, parent=window),
        ),
        (
            "screening-D0005",
            lambda: ScreeningDialog(b, pid["D0005"], state="IL", today=today, parent=window),
        ),
        ("directory", lambda: DirectoryDialog(b, window)),
        ("lock", lambda: LockDialog(SignInForm(b, title="Locked"), window)),
    ]
    return made


def open_compare(qtbot: QtBot, window: MainWindow) -> QWidget:
    window.show_quote(pid_of(window.backend, "D0004"))
    settle(qtbot)
    dialog = window.quotes.open_compare()
    assert dialog is not None
    return dialog


def check_dialogs(qtbot: QtBot, window: MainWindow, prefix: str = "") -> None:
    for name, make in [
        *open_dialogs(window),
        ("compare-D0004", lambda: open_compare(qtbot, window)),
    ]:
        dlg = make()
        qtbot.addWidget(dlg)
        dlg.show()
        qtbot.waitExposed(dlg)
        settle(qtbot)
        fits(dlg, f"dialog-{name}", prefix)
        if isinstance(dlg, QDialog):
            QDialog.done(dlg, QDialog.DialogCode.Rejected.value)
        dlg.close()
        same_size(window, name)


def test_every_screen_and_patient_page_fits_the_window_never_grows_and_controls_are_named(
    qtbot: QtBot, window: MainWindow
) -> None:
    visit_everything(qtbot, window)
    same_size(window, "after everything")


def test_every_dialog_fits_and_its_controls_are_named(qtbot: QtBot, window: MainWindow) -> None:
    check_dialogs(qtbot, window)


@pytest.fixture
def big_font(qtbot: QtBot) -> Iterator[QFont]:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = app.font()
    font = QFont(before)
    font.setPointSizeF(13)
    app.setFont(font)
    yield font
    app.setFont(before)


def test_a_larger_system_font_still_fits(qtbot: QtBot, big_font: QFont, store: Store) -> None:
    w = MainWindow(Backend(store, Actor("manager", role="manager")), today=lambda: TODAY)
    w.skip_close_checks = True  # type: ignore[attr-defined]
    qtbot.addWidget(w)
    on_the_desk(qtbot, w)
    assert w.font().pointSizeF() == 13
    visit_everything(qtbot, w, prefix="font13-")
    check_dialogs(qtbot, w, prefix="font13-")
    wait_for_background()


def wheel(widget: QWidget, notches: int) -> None:
    """A mouse wheel turn (``notches`` down when negative) over the middle of ``widget``."""
    centre = QPointF(widget.rect().center())
    event = QWheelEvent(
        centre,
        QPointF(widget.mapToGlobal(widget.rect().center())),
        QPoint(0, 0),
        QPoint(0, 120 * notches),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


def test_the_wheel_scrolls_past_a_combo_box_without_changing_it(
    qtbot: QtBot, window: MainWindow
) -> None:
    window.show_patient(pid_of(window.backend, "D0001"))
    settle(qtbot)
    page = window.patients.page
    combo = page.findChild(QComboBox, "preferred_language")
    assert isinstance(combo, QComboBox) and combo.isVisible()
    scroll = combo.parentWidget()
    while scroll is not None and not isinstance(scroll, QScrollArea):
        scroll = scroll.parentWidget()
    assert isinstance(scroll, QScrollArea)
    scroll.resize(scroll.width(), 200)  # short enough to scroll
    settle(qtbot)
    bar = scroll.verticalScrollBar()
    assert bar.maximum() > 0
    bar.setValue(bar.maximum() // 2)
    page.findChild(QWidget, "first_name").setFocus()  # type: ignore[union-attr]
    assert not combo.hasFocus()
    before, position = combo.currentIndex(), bar.value()
    wheel(combo, -1)
    wheel(combo, 1)
    wheel(combo, -2)
    assert combo.currentIndex() == before  # the value stays
    assert bar.value() != position  # the page scrolled instead
    combo.setFocus()
    assert combo.hasFocus()
    wheel(combo, -1)  # with the focus, the wheel turns it as usual
    assert combo.currentIndex() != before
