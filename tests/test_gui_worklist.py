"""The Worklist through the real screens, on the seeded demo: the first screen with counts in
the navigation, a blocked visit followed to the screen that fixes it, the visit then Ready and
recorded as given (units and grant balance go down), the visit actions from the worklist and
the patient screen, tasks assigned and filtered, the day summary, and the sizes at 1366×728."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QWidget,
)
from sqlalchemy import select, update

from infudesk.domain.worklist import BlockerKind, VisitRow
from infudesk.errors import ValidationFailed
from infudesk.paths import DataPaths
from infudesk.services import assistance as asv
from infudesk.services import letters
from infudesk.services import prior_auths as pas
from infudesk.services import settings as st
from infudesk.services import worklist as wsv
from infudesk.services import worklist_kept as kept
from infudesk.services.audit import Actor
from infudesk.store.database import Store
from infudesk.store.models import WorklistSnapshot
from infudesk.ui.common.ops import Backend, wait_for_background
from infudesk.ui.main_window import MainWindow
from infudesk.ui.worklist import controller as c
from infudesk.ui.worklist.controller import VisitAction
from infudesk.ui.worklist.visit_actions import ReasonDialog, RescheduleDialog
from infudesk.ui.worklist.visits_tab import VisitsTab
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


CLOCK: list[date] = [TODAY]  # the app's today in these tests (a visit's day can come)


@pytest.fixture
def window(qtbot, store: Store) -> Iterator[MainWindow]:  # type: ignore[no-untyped-def]
    CLOCK[0] = TODAY
    w = MainWindow(Backend(store, Actor("desk.clerk")), today=lambda: CLOCK[0])
    qtbot.addWidget(w)
    w.resize(SCREEN_W, SCREEN_H)
    w.show()
    yield w
    wait_for_background()


def loaded(qtbot, screen: WorklistScreen) -> None:  # type: ignore[no-untyped-def]
    """Wait until the newest refresh is shown."""
    qtbot.waitUntil(lambda: screen.data is not None and not screen.busy, timeout=20_000)


def visits_tab_on(qtbot, window: MainWindow, v: VisitRow) -> VisitsTab:  # type: ignore[no-untyped-def]
    """From the worklist, the visit's patient (Open patient), its Visits tab, the visit chosen."""
    click_visit(qtbot, window.worklist, v.visit_id)
    click(qtbot, window.worklist.patient_button)
    page = window.patients.page
    assert page.record is not None and page.record.id == v.patient_id
    page.tabs.setCurrentWidget(page.visits)
    tab = page.visits
    assert tab.select_visit(v.visit_id)
    return tab


def the_day_comes(qtbot, screen: WorklistScreen, day: date) -> None:  # type: ignore[no-untyped-def]
    """The app's clock moves to ``day`` and the worklist is computed again (Refresh)."""
    CLOCK[0] = day
    with qtbot.waitSignal(screen.loaded, timeout=20_000):
        screen.refresh_button.click()
    loaded(qtbot, screen)


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
    assert (
        screen.visit_model.data(screen.visit_model.index(screen.visit_model.row_of(v.visit_id), 7))
        == "Ready"
    )

    # ahead of its day the visit cannot be recorded as given; the button says why
    assert v.on > TODAY
    given = screen.action_buttons[VisitAction.GIVEN]
    assert not given.isEnabled() and f"{v.on:%m/%d/%Y}" in given.toolTip()
    assert not screen.action_buttons[VisitAction.ARRIVED].isEnabled()
    shot(window, "wl-ahead.png")

    # its day comes, recorded as given: the authorization's units and the grant's balance go down
    the_day_comes(qtbot, screen, v.on)
    click_visit(qtbot, screen, v.visit_id)
    assert given.isEnabled() and not given.toolTip()
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


def when_dialog(kind: type[QWidget], handler: Callable[[QWidget], None]) -> None:
    """Answer the next modal dialog of ``kind`` (a box still closing is waited out)."""

    def poll(modal: QWidget) -> None:
        if isinstance(modal, kind) and modal.isVisible():
            handler(modal)
        else:
            QTimer.singleShot(20, lambda: when_modal(poll))

    when_modal(poll)


def answer_reason(text: str, seen: list[str]) -> None:
    """Type a reason into the next ReasonDialog and accept it (first trying it empty)."""

    def handle(dlg: QWidget) -> None:
        assert isinstance(dlg, ReasonDialog), type(dlg)
        seen.append(dlg.findChild(QLabel, "reasonPrompt").text())  # type: ignore[union-attr]
        dlg.ok_button.click()  # empty: refused with a line saying why
        assert dlg.isVisible() and dlg.error.text()
        dlg.edit.setPlainText(text)
        shot(dlg, "wl-reason.png")
        dlg.ok_button.click()

    when_dialog(ReasonDialog, handle)


def test_given_beyond_the_approval_asks_why(qtbot, window: MainWindow, store: Store) -> None:  # type: ignore[no-untyped-def]
    screen = window.worklist
    loaded(qtbot, screen)
    v = visit_with(screen, BlockerKind.PA_EXHAUSTED)
    the_day_comes(qtbot, screen, max(v.on, TODAY))
    click_visit(qtbot, screen, v.visit_id)
    prompts: list[str] = []

    def confirm(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        assert "open item" in box.text()  # it is not ready: the confirmation says what is open
        box.button(QMessageBox.StandardButton.Yes).click()
        answer_reason("Extension requested by phone, ref 4471", prompts)

    when_modal(confirm)
    with qtbot.waitSignal(screen.loaded, timeout=20_000):
        click(qtbot, screen.action_buttons[VisitAction.GIVEN])
    loaded(qtbot, screen)
    assert prompts and "goes beyond what the payer approved" in prompts[0]
    assert shown_visit(screen, v.visit_id).status == "given"
    with store.session() as s:
        case = pas.get_case(s, v.blockers[0].target.record_id)  # type: ignore[arg-type]
    assert any(u.reason == "Extension requested by phone, ref 4471" for u in case.usages)


def test_cancel_and_reschedule_from_the_worklist(qtbot, window: MainWindow, store: Store) -> None:  # type: ignore[no-untyped-def]
    screen = window.worklist
    loaded(qtbot, screen)
    ready = [v for v in screen.data.worklist.visits if v.ready and v.on > TODAY]  # type: ignore[union-attr]
    first, second = ready[0], ready[1]
    click_visit(qtbot, screen, first.visit_id)
    seen: list[str] = []
    answer_reason("Patient ill, will call back", seen)
    with qtbot.waitSignal(screen.loaded, timeout=20_000):
        click(qtbot, screen.action_buttons[VisitAction.CANCEL])
    loaded(qtbot, screen)
    assert shown_visit(screen, first.visit_id).status == "cancelled"
    assert "is cancelled" in screen.status.text()

    click_visit(qtbot, screen, second.visit_id)
    new_day = date(2026, 12, 10) if second.on != date(2026, 12, 10) else date(2026, 12, 9)

    def move(dlg: QWidget) -> None:
        assert isinstance(dlg, RescheduleDialog)
        shot(dlg, "wl-reschedule.png")
        assert dlg.width() <= SCREEN_W and dlg.height() <= SCREEN_H
        dlg.calendar.setSelectedDate(QDate(second.on.year, second.on.month, second.on.day))
        dlg.findChild(QPushButton, "rescheduleOkButton").click()  # type: ignore[union-attr]
        assert dlg.isVisible() and "another day" in dlg.error.text()
        dlg.calendar.setSelectedDate(QDate(new_day.year, new_day.month, new_day.day))
        dlg.findChild(QPushButton, "rescheduleOkButton").click()  # type: ignore[union-attr]

    when_dialog(RescheduleDialog, move)
    with qtbot.waitSignal(screen.loaded, timeout=20_000):
        click(qtbot, screen.action_buttons[VisitAction.RESCHEDULE])
    loaded(qtbot, screen)
    assert shown_visit(screen, second.visit_id).on == new_day
    assert f"moved to {new_day:%m/%d/%Y}" in screen.status.text()


def test_visit_actions_on_the_patient_screen(qtbot, window: MainWindow, store: Store) -> None:  # type: ignore[no-untyped-def]
    screen = window.worklist
    loaded(qtbot, screen)
    v = next(x for x in screen.data.worklist.visits if x.on == TODAY and x.status == "planned")  # type: ignore[union-attr]
    tab = visits_tab_on(qtbot, window, v)
    assert tab.buttons[VisitAction.ARRIVED].isEnabled()
    with qtbot.waitSignal(tab.changed, timeout=10_000):
        click(qtbot, tab.buttons[VisitAction.ARRIVED])
    assert tab.current() is not None and tab.current().status == "arrived"  # type: ignore[union-attr]
    arrived = tab.buttons[VisitAction.ARRIVED]
    assert arrived.isEnabled() and arrived.text() == "Undo arrival"  # a mis-click is undone
    assert tab.buttons[VisitAction.GIVEN].isEnabled()
    assert "has arrived" in tab.status.text()
    shot(window, "wl-patient-visits.png")
    with qtbot.waitSignal(tab.changed, timeout=10_000):
        click(qtbot, arrived)
    assert tab.current() is not None and tab.current().status == "planned"  # type: ignore[union-attr]
    assert arrived.text() == "Arrived" and "arrival is undone" in tab.status.text()
    with qtbot.waitSignal(tab.changed, timeout=10_000):
        click(qtbot, arrived)  # arrived after all
    with qtbot.waitSignal(screen.loaded, timeout=20_000):
        window.nav.setCurrentRow(0)
    loaded(qtbot, screen)
    assert shown_visit(screen, v.visit_id).status == "arrived"


def test_tasks_assigned_filtered_and_done(qtbot, window: MainWindow, store: Store) -> None:  # type: ignore[no-untyped-def]
    screen = window.worklist
    loaded(qtbot, screen)
    model, view = screen.task_model, screen.task_table
    total = model.rowCount()
    assert total > 5
    view.selectRow(0)
    task = screen.selected_task()
    assert task is not None and task.assignee is None
    me = screen.assign_combo.findData("desk.clerk")
    assert me >= 0  # the signed-in person can always take a task
    screen.assign_combo.setCurrentIndex(me)
    with qtbot.waitSignal(screen.loaded, timeout=20_000):
        click(qtbot, screen.assign_button)
    loaded(qtbot, screen)
    held = next(t for t in screen.data.worklist.tasks if t.key == task.key)  # type: ignore[union-attr]
    assert held.assignee == "desk.clerk"
    screen.assignee_combo.setCurrentIndex(screen.assignee_combo.findData("desk.clerk"))
    assert model.rowCount() == 1 and model.row_at(0).key == task.key  # type: ignore[union-attr]
    screen.assignee_combo.setCurrentIndex(screen.assignee_combo.findData(c.UNASSIGNED))
    assert model.rowCount() == total - 1
    screen.assignee_combo.setCurrentIndex(0)
    payer = task.payer
    screen.payer_combo.setCurrentIndex(screen.payer_combo.findData(payer))
    assert 0 < model.rowCount() <= total and all(t.payer == payer for t in model.shown())
    assert all(v.payer == payer for v in screen.visit_model.shown())
    screen.payer_combo.setCurrentIndex(0)
    assert screen.select_task(task.key)
    with qtbot.waitSignal(screen.loaded, timeout=20_000):
        click(qtbot, screen.done_button)
    loaded(qtbot, screen)
    assert model.row_of(task.key) < 0  # done: gone from the open tasks
    screen.task_status_combo.setCurrentIndex(screen.task_status_combo.findData(None))
    assert model.row_of(task.key) >= 0
    assert screen.select_task(task.key) and screen.done_button.text() == "Open again"


def test_a_visit_nobody_recorded_heads_the_list_and_opens_the_visits_tab(  # type: ignore[no-untyped-def]
    qtbot, window: MainWindow
) -> None:
    """The demo's visit of about two weeks ago that nobody recorded: first in the list (the
    oldest day), blocked as not recorded, with Given…/Cancel/Reschedule at hand and a button
    to the patient's Visits tab."""
    screen = window.worklist
    loaded(qtbot, screen)
    v = visit_with(screen, BlockerKind.NOT_RECORDED)
    assert v.on < TODAY and v.status == "planned"
    assert screen.visit_model.row_of(v.visit_id) == 0  # the oldest day first
    click_visit(qtbot, screen, v.visit_id)
    model = screen.visit_model
    heads = [model.headerData(i, Qt.Orientation.Horizontal) for i in range(model.columnCount())]
    assert "Not recorded" in model.index(0, heads.index("Readiness")).data()
    button = blocker_button(qtbot, screen, "fix_not_recorded")
    shot(window, "wl-not-recorded.png")
    click(qtbot, button)
    page = window.patients.page
    assert window.stack.currentWidget() is window.patients
    assert page.record is not None and page.record.id == v.patient_id
    assert page.tabs.currentWidget() is page.visits


def test_a_verification_link_opens_the_checklist(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    from infudesk.ui.verification.verification_dialog import VerificationDialog

    screen = window.worklist
    loaded(qtbot, screen)
    v = visit_with(screen, BlockerKind.UNVERIFIED)
    click_visit(qtbot, screen, v.visit_id)
    button = blocker_button(qtbot, screen, "fix_unverified")
    opened: list[str] = []

    def look(dlg: QWidget) -> None:
        assert isinstance(dlg, VerificationDialog)
        opened.append(dlg.windowTitle())
        dlg.reject()

    when_modal(look)
    with qtbot.waitSignal(screen.loaded, timeout=20_000):
        click(qtbot, button)
    assert opened and opened[0].startswith("Benefits verification #")


def test_day_summary_saved_and_printed(  # type: ignore[no-untyped-def]
    qtbot, window: MainWindow, store: Store, tmp_path: Path
) -> None:
    """Saved and printed (to a PDF printer), each kept in the audit trail with its day."""
    from PySide6.QtPrintSupport import QPrinter
    from sqlalchemy import select

    from infudesk.store.models import AuditEvent
    from infudesk.ui.worklist.day_summary import DaySummaryDialog

    screen = window.worklist
    loaded(qtbot, screen)
    click(qtbot, screen.print_button)
    dlg = screen.day_summary
    assert isinstance(dlg, DaySummaryDialog)
    qtbot.waitUntil(lambda: dlg.ready, timeout=20_000)
    assert dlg.width() <= SCREEN_W and dlg.height() <= SCREEN_H
    shot(dlg, "wl-day-summary.png")
    target = tmp_path / "summary.pdf"
    assert dlg.save_to(target)
    assert target.read_bytes().startswith(b"%PDF")
    assert "Saved as" in dlg.status.text()
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printed = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(printed))
    assert dlg.print_to(printer)
    assert printed.read_bytes().startswith(b"%PDF")
    assert "Sent to" in dlg.status.text()
    dlg.close()
    wait_for_background()
    with store.session() as s:
        kept = s.execute(
            select(AuditEvent.action, AuditEvent.actor, AuditEvent.detail).where(
                AuditEvent.detail.contains("day-summary")
            )
        ).all()
    actions = sorted(a for a, _who, _detail in kept)
    assert actions == ["print", "render", "save"], kept  # made, saved, printed
    assert all(who == "desk.clerk" and TODAY.isoformat() in d for _a, who, d in kept)
    assert any("printed.pdf" in d for _a, _who, d in kept)
    assert not dlg.note.isVisibleTo(dlg)  # today is booked: no note

    # a day nobody is booked: the summary opens on the next booked day and says so
    booked = sorted({v.on for v in screen.data.worklist.visits if v.status == "planned"})  # type: ignore[union-attr]
    free = next(d for d in (TODAY + timedelta(days=i) for i in range(1, 14)) if d not in booked)
    the_day_comes(qtbot, screen, free)
    nxt = min(d for d in booked if d > free)
    click(qtbot, screen.print_button)
    dlg = screen.day_summary
    assert isinstance(dlg, DaySummaryDialog)
    qtbot.waitUntil(lambda: dlg.ready, timeout=20_000)
    assert dlg.day == nxt and dlg.date_edit.date() == QDate(nxt.year, nxt.month, nxt.day)
    assert dlg.note.isVisibleTo(dlg) and f"{nxt:%m/%d}" in dlg.note.text()
    assert dlg.width() <= SCREEN_W
    shot(dlg, "wl-day-summary-next.png")
    dlg.date_edit.setDate(QDate(free.year, free.month, free.day))  # the user's choice
    assert not dlg.note.isVisibleTo(dlg)
    qtbot.waitUntil(lambda: dlg.ready, timeout=20_000)
    dlg.close()


def test_every_window_fits_1366_by_728(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    from infudesk.ui.fees.enrollment_dialogs import (
        DirectoryDialog,
        EnrollmentDialog,
        ScreeningDialog,
    )

    screen = window.worklist
    loaded(qtbot, screen)
    assert window.minimumSizeHint().width() <= SCREEN_W
    assert window.minimumSizeHint().height() <= SCREEN_H
    v = screen.data.worklist.visits[0]  # type: ignore[union-attr]
    backend = window.backend
    dialogs: list[QWidget] = [
        ReasonDialog("Cancel the visit", "Why?", "Cancel the visit", window),
        RescheduleDialog(c.ref_of(v), TODAY, window),
        EnrollmentDialog(backend, v.patient_id, [], today=lambda: TODAY, parent=window),
        ScreeningDialog(backend, v.patient_id, state="IL", today=lambda: TODAY, parent=window),
        DirectoryDialog(backend, window),
    ]
    for dlg in dialogs:
        qtbot.addWidget(dlg)
        dlg.show()
        assert dlg.width() <= SCREEN_W and dlg.height() <= SCREEN_H, dlg.objectName()
        assert dlg.minimumSizeHint().height() <= SCREEN_H, dlg.objectName()
        shot(dlg, f"wl-{dlg.objectName()}.png")
        dlg.close()


def test_screening_says_which_programs_fit(qtbot, window: MainWindow, store: Store) -> None:  # type: ignore[no-untyped-def]
    from infudesk.ui.fees.enrollment_dialogs import ScreeningDialog

    with store.session() as s:  # added without any rule: to ask about, not a fit
        asv.add_directory_entry(
            s,
            Actor("counselor", role="counselor"),
            asv.DirectoryData(kind="foundation_grant", name="Hospital fund"),
        )
    screen = window.worklist
    loaded(qtbot, screen)
    v = screen.data.worklist.visits[0]  # type: ignore[union-attr]
    dlg = ScreeningDialog(window.backend, v.patient_id, state="IL", today=lambda: TODAY)
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.income.setText("abc")
    assert not dlg.run() and "income" in dlg.summary.text()
    dlg.household.setValue(3)
    dlg.income.setText("41,000")
    assert dlg.run()
    assert "poverty guideline" in dlg.summary.text()
    texts = [dlg.results.item(i).text() for i in range(dlg.results.count())]
    assert texts and all(t.startswith(("✓", "✗", "?")) for t in texts)
    assert any(t.startswith("✗") and ": " in t for t in texts)  # why not, for the others
    asks = [i for i, t in enumerate(texts) if t.startswith("?")]
    ask = next(i for i in asks if texts[i].startswith("? Hospital fund: "))
    assert texts[ask].endswith("No eligibility rules on file: ask the sponsor whether the "
                               "patient qualifies.")  # fmt: skip
    assert f"{len(asks)} without rules on file to ask about" in dlg.summary.text()
    # those that fit first, then those to ask about, then the others
    kinds = [t[0] for t in texts]
    assert kinds == sorted(kinds, key="✓?✗".index)
    dlg.results.setCurrentRow(ask)
    assert dlg.enroll_button.isEnabled()  # it may still be applied for
    qtbot.wait(50)  # the wrapped summary laid out again
    shot(dlg, "wl-screening.png")


def test_days_setting_saved_and_used_on_the_next_refresh(  # type: ignore[no-untyped-def]
    qtbot, window: MainWindow, store: Store
) -> None:
    screen = window.worklist
    loaded(qtbot, screen)
    assert screen.days_spin.value() == c.DEFAULT_DAYS
    screen.days_spin.setValue(30)  # this desk looks further ahead for a while
    loaded(qtbot, screen)
    assert screen.data is not None and screen.data.days == 30
    window.nav.setCurrentRow(window.row_of("settings"))
    settings = window.settings
    spin = settings.findChild(QSpinBox, "worklistDays")
    assert spin is not None and spin.value() == c.DEFAULT_DAYS
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, "3")
    spin.interpretText()
    click(qtbot, settings.save_button)
    assert "Saved" in settings.status.text()
    with store.session() as s:
        assert st.get(s, c.DAYS_SETTING) == 3
        with pytest.raises(ValidationFailed) as refused:  # the service checks the range itself
            st.put(s, Actor("desk.clerk"), c.DAYS_SETTING, 0)
    assert set(refused.value.errors) == {c.DAYS_SETTING}
    with qtbot.waitSignal(screen.loaded, timeout=20_000):
        window.nav.setCurrentRow(window.row_of("worklist"))  # shown again: refreshed
    loaded(qtbot, screen)
    data = screen.data
    assert data is not None and data.days == 3 and screen.days_spin.value() == 3
    assert data.worklist.visits
    assert all(v.on < TODAY + timedelta(days=3) for v in data.worklist.visits)
    assert all(  # before today: only the visits nobody recorded
        v.blockers[0].kind is BlockerKind.NOT_RECORDED for v in data.worklist.visits if v.on < TODAY
    )
    assert "next 3 days" in screen.visit_summary.text()


def test_key_columns_visible_at_1366_by_728(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    from infudesk.ui.worklist.models import TaskColumns, VisitColumns

    screen = window.worklist
    loaded(qtbot, screen)
    qtbot.wait(50)  # the layout settles
    assert window.width() <= SCREEN_W
    for table, columns in (
        (screen.task_table, list(TaskColumns)),
        (screen.visit_table, list(VisitColumns)),
    ):
        assert not table.horizontalScrollBar().isVisible(), table.objectName()
        width = table.viewport().width()
        for col in columns:
            if table.isColumnHidden(col):
                continue
            x = table.columnViewportPosition(col)
            assert x >= 0 and x + table.columnWidth(col) <= width + 1, (table.objectName(), col)
            assert table.columnWidth(col) >= 48, (table.objectName(), col)
    # an elided readiness or task says everything in its tooltip, and the selected visit's
    # blockers show in full beside the table
    blocked = next(i for i, v in enumerate(screen.visit_model.shown()) if len(v.blockers) > 1)
    v = screen.visit_model.shown()[blocked]
    tip = screen.visit_model.index(blocked, VisitColumns.READINESS).data(
        Qt.ItemDataRole.ToolTipRole
    )
    assert all(b.text in tip for b in v.blockers)
    screen.visit_table.selectRow(blocked)
    texts = " ".join(w.text() for w in screen.blocker_list.findChildren(QLabel) if not w.isHidden())
    assert all(b.text in texts for b in v.blockers)
    t = screen.task_model.shown()[0]
    tip = screen.task_model.index(0, TaskColumns.PATIENT).data(Qt.ItemDataRole.ToolTipRole)
    assert t.text in tip and t.patient_name in tip
    # every status a visit can have reads whole (no 'Cancel…')
    fm = screen.visit_table.fontMetrics()
    status_w = screen.visit_table.columnWidth(VisitColumns.STATUS)
    assert all(fm.horizontalAdvance(x) + 8 <= status_w for x in c.STATUS_LABELS.values())
    shot(window, "wl-1366.png")


def test_first_load_settles_the_heap_once(  # type: ignore[no-untyped-def]
    qtbot, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Worklist's first load is kept: the screen hands it to infudesk.heap once (the
    collector stops scanning it); a refresh does not settle again."""
    import infudesk.ui.worklist.worklist_screen as wss

    settled: list[int] = []

    def settle() -> None:
        settled.append(1)

    monkeypatch.setattr(wss, "settle_heap", settle)
    w = MainWindow(Backend(store, Actor("desk.clerk")), today=lambda: TODAY)
    qtbot.addWidget(w)
    w.show()
    screen = w.worklist
    loaded(qtbot, screen)
    qtbot.waitUntil(lambda: settled == [1], timeout=5_000)
    reload(qtbot, screen)
    qtbot.wait(50)
    assert settled == [1]
    wait_for_background()


def test_no_visit_selected_widens_the_screen(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    """Each visit of the demo selected in turn at 1366×728: the screen never scrolls sideways
    and the task pane's buttons stay inside the window (the visit's line wraps)."""
    from PySide6.QtWidgets import QScrollArea

    screen = window.worklist
    loaded(qtbot, screen)
    scroll = window.findChild(QScrollArea, "screenScroll")
    assert scroll is not None and screen.data is not None
    buttons = (screen.assign_button, screen.done_button, screen.open_task_button)
    for v in screen.data.worklist.visits:
        if not screen.select_visit(v.visit_id):
            continue  # filtered out of the shown list
        qtbot.wait(10)  # the layout settles
        assert scroll.horizontalScrollBar().maximum() == 0, v.patient_name
        assert v.patient_name in screen.visit_line.text()
        for b in buttons:
            right = b.mapTo(window, b.rect().topRight()).x()
            assert right <= window.width(), (v.patient_name, b.objectName())


def test_filter_choices_read_whole_on_every_screen(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    """At 1366x728 every choice of a screen's filters reads whole in its box when chosen (no
    'Needs attention (overdue…'); a short label's full meaning is its tooltip. Payer names
    are the center's own data and may be elided."""
    loaded(qtbot, window.worklist)
    cut: list[str] = []
    for i in range(window.nav.count()):
        window.nav.setCurrentRow(i)
        qtbot.wait(50)
        screen = window.stack.currentWidget()
        assert screen is not None
        for box in screen.findChildren(QComboBox):
            if not box.isVisible() or box.objectName() in ("payerFilter", "feePayerFilter"):
                continue
            room = box.width() - 24  # the arrow and the frame
            cut += [
                f"{box.objectName()}: {box.itemText(j)!r}"
                for j in range(box.count())
                if box.fontMetrics().horizontalAdvance(box.itemText(j)) > room
            ]
    assert cut == []
    pa_screen = window.prior_auths
    box = pa_screen.show_combo
    box.setCurrentIndex(box.findData("appeal"))
    assert box.toolTip() == "Appeal, external-review and fair-hearing deadlines"
    assert pa_screen.state_combo.itemData(
        pa_screen.state_combo.findData("pending"), Qt.ItemDataRole.ToolTipRole
    ) == ("Pending (more information requested)")


def test_used_up_approval_starts_a_new_case_following_it(  # type: ignore[no-untyped-def]
    qtbot, window: MainWindow, store: Store
) -> None:
    """'Ask for more units…' on a visit past what was approved starts a new case for the same
    coverage and order, its notes naming the case and authorization it follows (the old
    approved case cannot be changed); the new draft opens and the worklist reloads."""
    from infudesk.ui.prior_auth.prior_auth_dialog import PriorAuthDialog
    from infudesk.ui.prior_auth.prior_auth_tab import NewCaseDialog

    screen = window.worklist
    loaded(qtbot, screen)
    v = visit_with(screen, BlockerKind.PA_EXHAUSTED)
    b = next(b for b in v.blockers if b.kind is BlockerKind.PA_EXHAUSTED)
    old_id = b.target.record_id
    assert old_id is not None and b.target.screen == "new_prior_auth"
    with store.session() as s:
        old = pas.get_case(s, old_id)
        before = {r.id for r in pas.list_cases(s, today=TODAY) if r.patient_id == v.patient_id}
    assert old.case.approval is not None
    click_visit(qtbot, screen, v.visit_id)
    button = blocker_button(qtbot, screen, "fix_pa_exhausted")
    assert button.text() == "Ask for more units…" and "new prior-auth case" in button.toolTip()
    seen: dict[str, object] = {}

    def create(dlg: QWidget) -> None:
        assert isinstance(dlg, NewCaseDialog)
        f = dlg.form
        seen["coverage"] = f.choice("coverage_id")
        seen["order"] = f.choice("order_id")
        seen["notes"] = f.value("notes")
        shot(dlg, "wl-new-case.png")
        when_dialog(PriorAuthDialog, look)
        dlg.save_button.click()

    def look(dlg: QWidget) -> None:
        assert isinstance(dlg, PriorAuthDialog)
        seen["opened"] = dlg.windowTitle()
        dlg.reject()

    when_dialog(NewCaseDialog, create)
    with qtbot.waitSignal(screen.loaded, timeout=20_000):
        click(qtbot, button)
    assert seen["coverage"] == old.coverage_id and seen["order"] == old.order_id
    auth = old.case.approval.auth_number
    assert f"Follows case #{old_id}, authorization {auth} (" in str(seen["notes"])
    assert "opened" in seen
    with store.session() as s:
        after = [r for r in pas.list_cases(s, today=TODAY) if r.patient_id == v.patient_id]
    (new,) = [r for r in after if r.id not in before]
    assert new.state == "draft"
    with store.session() as s:
        got = pas.get_case(s, new.id)
    assert got.order_id == old.order_id and got.coverage_id == old.coverage_id
    assert f"Follows case #{old_id}" in got.notes


def test_given_from_the_visits_tab_lists_what_is_open(  # type: ignore[no-untyped-def]
    qtbot, window: MainWindow, store: Store
) -> None:
    """On its day, a visit still blocked asks, from the patient's Visits tab as from the
    worklist, before it is recorded given, listing what is still open; Cancel leaves it planned."""
    screen = window.worklist
    loaded(qtbot, screen)
    v = next(
        x
        for x in screen.data.worklist.visits  # type: ignore[union-attr]
        if x.on >= TODAY and x.status == "planned" and x.blockers
    )
    the_day_comes(qtbot, screen, v.on)
    v = shown_visit(screen, v.visit_id)
    assert v.blockers
    tab = visits_tab_on(qtbot, window, v)
    asked: list[str] = []

    def decline(box: QWidget) -> None:
        assert isinstance(box, QMessageBox) and box.objectName() == "givenBox"
        asked.append(box.text())
        box.button(QMessageBox.StandardButton.Cancel).click()

    when_dialog(QMessageBox, decline)
    click(qtbot, tab.buttons[VisitAction.GIVEN])
    qtbot.waitUntil(lambda: bool(asked), timeout=10_000)
    assert f"{len(v.blockers)} open item(s)" in asked[0]
    assert all(b.text in asked[0] for b in v.blockers)
    qtbot.waitUntil(lambda: tab.buttons[VisitAction.GIVEN].isEnabled(), timeout=5_000)
    assert tab.current() is not None and tab.current().status == "planned"  # type: ignore[union-attr]


def test_directory_programs_corrected_and_retired(qtbot, window: MainWindow, store: Store) -> None:  # type: ignore[no-untyped-def]
    """A program added without rules is chosen in the directory, given its rules and saved
    (what the form does not show is kept); an empty name is refused with the typing kept;
    clearing Offered retires it."""
    from infudesk.ui.fees.enrollment_dialogs import DirectoryDialog

    with store.session() as s:
        added = asv.add_directory_entry(
            s,
            Actor("counselor", role="counselor"),
            asv.DirectoryData(kind="foundation_grant", name="Hospital fund", per_visit_max=None),
        )
    dlg = DirectoryDialog(window.backend, window)
    qtbot.addWidget(dlg)
    dlg.show()
    f = dlg.form
    assert dlg.add_button.text() == "Add to the directory" and f.value("name") == ""
    row = next(i for i, r in enumerate(dlg.records) if r.id == added.id)
    assert cell(dlg.table, row, 4) == "—"  # no rule on file
    dlg.table.selectRow(row)
    assert dlg.editing is not None and dlg.editing.id == added.id
    assert f.value("name") == "Hospital fund" and dlg.add_button.text() == "Save changes"
    f.set("diagnoses", "K50, K51")
    f.set("fpl_limit", "400")
    f.set("name", "  ")
    dlg.add_button.click()  # refused: the name is required; what was typed stays
    assert f.value("diagnoses") == "K50, K51" and "Saved" not in dlg.status.text()
    f.set("name", "Hospital fund — IBD")
    dlg.add_button.click()
    assert dlg.status.text() == "Saved the changes to Hospital fund — IBD."
    with store.session() as s:
        got = next(r for r in asv.list_directory(s, active_only=False) if r.id == added.id)
    assert got.data.diagnoses == ("K50", "K51") and got.data.fpl_limit == 400
    assert got.data.kind == "foundation_grant" and got.data.active
    row = next(i for i, r in enumerate(dlg.records) if r.id == added.id)
    assert "diagnoses K50, K51" in cell(dlg.table, row, 4)
    shot(dlg, "wl-directory-edit.png")
    f.set("active", False)
    dlg.add_button.click()
    with store.session() as s:
        assert added.id not in {r.id for r in asv.list_directory(s)}  # retired: not offered
    row = next(i for i, r in enumerate(dlg.records) if r.id == added.id)
    assert cell(dlg.table, row, 1).endswith("(retired)")
    from sqlalchemy import select

    from infudesk.store.models import AuditEvent

    with store.session() as s:  # the trail tells a correction from a retirement
        trail = s.execute(
            select(AuditEvent.action, AuditEvent.detail)
            .where(AuditEvent.entity == "assistance_directory", AuditEvent.entity_id == added.id)
            .order_by(AuditEvent.id)
        ).all()
    assert [a for a, _d in trail] == ["create", "update", "retire"], trail
    assert all(x in trail[1][1] for x in ('"diagnoses"', '"fpl_limit"', '"name"'))
    dlg.new_button.click()
    assert dlg.editing is None and f.value("name") == "" and not dlg.table.selectedItems()

    # typing not saved is never dropped without asking: Cancel stays, Discard moves on
    dlg.table.selectRow(row)
    f.set("sponsor", "Riverside Hospital Foundation")
    other = next(i for i, r in enumerate(dlg.records) if r.id != added.id)
    answers = iter((QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Discard))
    asked: list[str] = []

    def answer(box: QWidget) -> None:
        assert isinstance(box, QMessageBox) and box.objectName() == "unsavedBox"
        asked.append(box.text())
        box.button(next(answers)).click()

    when_dialog(QMessageBox, answer)
    dlg.table.selectRow(other)
    assert asked == ["Save the changes to Hospital fund — IBD first?"]
    assert dlg.editing is not None and dlg.editing.id == added.id
    assert f.value("sponsor") == "Riverside Hospital Foundation"  # kept
    when_dialog(QMessageBox, answer)
    dlg.table.selectRow(other)
    assert len(asked) == 2 and dlg.editing is not None and dlg.editing.id != added.id
    with store.session() as s:
        kept = next(r for r in asv.list_directory(s, active_only=False) if r.id == added.id)
    assert kept.data.sponsor == ""  # discarded, as answered


def cell(table: QTableWidget, row: int, col: int) -> str:
    item = table.item(row, col)
    assert item is not None
    return item.text()


def test_given_beyond_the_approval_from_the_visits_tab_asks_why(  # type: ignore[no-untyped-def]
    qtbot, window: MainWindow, store: Store
) -> None:
    """The patient's Visits tab records a visit past what was approved as the worklist does:
    the confirmation lists what is open, then the reason is asked and kept with the usage."""
    screen = window.worklist
    loaded(qtbot, screen)
    v = visit_with(screen, BlockerKind.PA_EXHAUSTED)
    the_day_comes(qtbot, screen, max(v.on, TODAY))
    tab = visits_tab_on(qtbot, window, v)
    prompts: list[str] = []
    asked: list[str] = []

    def confirm(box: QWidget) -> None:
        assert isinstance(box, QMessageBox) and box.objectName() == "givenBox"
        asked.append(box.text())
        box.button(QMessageBox.StandardButton.Yes).click()
        answer_reason("Extension requested by phone, ref 5512", prompts)

    when_dialog(QMessageBox, confirm)
    with qtbot.waitSignal(tab.changed, timeout=20_000):
        click(qtbot, tab.buttons[VisitAction.GIVEN])
    assert asked and "open item" in asked[0]
    assert prompts and "goes beyond what the payer approved" in prompts[0]
    assert tab.current() is not None and tab.current().status == "given"  # type: ignore[union-attr]
    with store.session() as s:
        case = pas.get_case(s, v.blockers[0].target.record_id)  # type: ignore[arg-type]
    assert any(u.reason == "Extension requested by phone, ref 5512" for u in case.usages)


def test_reauthorization_asked_from_the_approved_case(  # type: ignore[no-untyped-def]
    qtbot, window: MainWindow, store: Store
) -> None:
    """A reauthorization task opens its approved case; New request… there starts the new case
    for the same coverage and order, noting the case it follows, and opens it."""
    from infudesk.domain.worklist import TaskKind
    from infudesk.ui.prior_auth.prior_auth_dialog import PriorAuthDialog
    from infudesk.ui.prior_auth.prior_auth_tab import NewCaseDialog

    screen = window.worklist
    loaded(qtbot, screen)
    task = next(t for t in screen.data.worklist.tasks if t.kind is TaskKind.REAUTH)  # type: ignore[union-attr]
    case_id = task.target.record_id
    assert case_id is not None
    with store.session() as s:
        old = pas.get_case(s, case_id)
    dlg = PriorAuthDialog(window.backend, case_id, lambda: TODAY, window)
    qtbot.addWidget(dlg)
    dlg.show()
    again = dlg.findChild(QPushButton, "newRequestButton")
    assert again is not None and again.isVisible()
    shot(dlg, "pa-new-request.png")
    seen: dict[str, object] = {}

    def create(new: QWidget) -> None:
        assert isinstance(new, NewCaseDialog)
        seen["coverage"], seen["order"] = (
            new.form.choice("coverage_id"),
            new.form.choice("order_id"),
        )
        seen["notes"] = new.form.value("notes")
        when_dialog(PriorAuthDialog, opened)
        new.save_button.click()

    def opened(d: QWidget) -> None:
        assert isinstance(d, PriorAuthDialog)
        seen["opened"] = d.case_id
        d.reject()

    when_dialog(NewCaseDialog, create)
    with qtbot.waitSignal(dlg.changed, timeout=10_000):
        click(qtbot, again)
    qtbot.waitUntil(lambda: "opened" in seen, timeout=10_000)
    assert (seen["coverage"], seen["order"]) == (old.coverage_id, old.order_id)
    assert str(seen["notes"]).startswith(f"Follows case #{case_id}")
    with store.session() as s:
        new = pas.get_case(s, seen["opened"])  # type: ignore[arg-type]
    assert new.case.state.value == "draft" and new.order_id == old.order_id
    dlg.close()


def test_a_save_on_another_workstation_shows_on_the_worklist(  # type: ignore[no-untyped-def]
    qtbot, window: MainWindow, store: Store
) -> None:
    """On a shared server the Worklist polls the change counter; another workstation prints
    a patient's cost letter and the visit turns Ready at the next poll (the build catching
    up with that patient only)."""
    screen = window.worklist
    loaded(qtbot, screen)
    screen.watcher.enabled = True  # as on a server (a local database has no one else)
    screen.watcher.mark()
    v = next(
        v
        for v in screen.data.worklist.visits  # type: ignore[union-attr]
        if [b.kind for b in v.blockers] == [BlockerKind.ESTIMATE_MISSING]
    )
    with store.session() as s:  # the other workstation's save
        letter = letters.Letter("cost-letter", v.patient_id, "t", "t.pdf", b"%PDF")
        letters.record_output(s, Actor("desk.two"), letter, action="print")
    with qtbot.waitSignal(screen.loaded, timeout=20_000):
        screen.watcher.poll()
    loaded(qtbot, screen)
    after = shown_visit(screen, v.visit_id)
    assert after.ready and not after.blockers
    with qtbot.assertNotEmitted(screen.loaded, wait=200):
        screen.watcher.poll()  # nothing saved since: no reload


def test_the_next_start_shows_the_kept_worklist_and_a_wrong_one_is_put_right(  # type: ignore[no-untyped-def]
    qtbot,
    store: Store,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    allow_warnings: None,
) -> None:
    """A load shown, the screen settles in the background: today's and tomorrow's worklists
    are kept in the database. The next start shows the kept one (caught up); if it was wrong
    (here: a blocker removed by hand), the check behind the screen shows the right one."""
    monkeypatch.setattr(c, "SETTLE_AFTER_MS", 0)
    wsv.forget_worked_out()

    def start() -> MainWindow:
        w = MainWindow(Backend(store, Actor("desk.clerk")), today=lambda: TODAY)
        qtbot.addWidget(w)
        w.resize(SCREEN_W, SCREEN_H)
        w.show()
        return w

    def kept_days() -> set[date]:
        with store.session() as s:
            return set(s.scalars(select(WorklistSnapshot.day)))

    first = start()
    loaded(qtbot, first.worklist)
    right = first.worklist.data.worklist  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: kept_days() == {TODAY, TODAY + timedelta(days=1)}, timeout=20_000)
    first.close()
    wait_for_background()
    blocked = next(v for v in right.visits if v.blockers)
    with store.session() as s:  # a hand edit of the kept worklist: one visit shown Ready
        data = s.scalar(select(WorklistSnapshot.data).where(WorklistSnapshot.day == TODAY))
        visits, tasks = kept.decode(data)  # type: ignore[arg-type]
        wrong = tuple(
            dataclasses.replace(v, blockers=()) if v.visit_id == blocked.visit_id else v
            for v in visits
        )
        s.execute(
            update(WorklistSnapshot)
            .where(WorklistSnapshot.day == TODAY)
            .values(data=kept.encode(wrong, tasks))
        )
    wsv.forget_worked_out()  # the app closed: nothing in memory
    monkeypatch.setattr(c, "SETTLE_AFTER_MS", 600_000)  # the settle comes when this test says
    second = start()
    screen = second.worklist
    loaded(qtbot, screen)
    assert shown_visit(screen, blocked.visit_id).ready  # as kept
    caplog.clear()
    with qtbot.waitSignal(screen.loaded, timeout=20_000):  # the check differs: shown again
        screen._keep_now()
    loaded(qtbot, screen)
    assert not shown_visit(screen, blocked.visit_id).ready
    assert screen.data is not None and screen.data.worklist == right
    problems = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.name for r in problems] == ["infudesk.services.worklist"]  # the difference only
    shot(second, "worklist-kept-start.png")
    second.close()
    wait_for_background()


def test_the_screen_keeps_the_worklist_now_and_then(  # type: ignore[no-untyped-def]
    qtbot, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not only after a load: while the desk works on other screens, the Worklist settles
    now and then, so the worklist kept for the next start stays near the records."""
    monkeypatch.setattr(c, "SETTLE_AFTER_MS", 600_000)  # not after the load, in this test
    monkeypatch.setattr(c, "KEEP_EVERY_MS", 300)
    wsv.forget_worked_out()
    w = MainWindow(Backend(store, Actor("desk.clerk")), today=lambda: TODAY)
    qtbot.addWidget(w)
    w.show()
    loaded(qtbot, w.worklist)
    with qtbot.waitSignal(w.worklist.settled, timeout=20_000):
        pass
    with store.session() as s:
        days = set(s.scalars(select(WorklistSnapshot.day)))
    assert days == {TODAY, TODAY + timedelta(days=1)}
    w.close()
    wait_for_background()
