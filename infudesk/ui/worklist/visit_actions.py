"""Recording a visit as arrived, given (a reason when it goes beyond the approval), cancelled
(a reason) or rescheduled (a date picker), from the Worklist and from the patient screen; each
change runs on a worker thread (ui/common/ops) and calls ``done`` with a status line."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCalendarWidget,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from infudesk.domain.worklist import VisitStatus
from infudesk.services import visits as vsv
from infudesk.ui.common.ops import Backend, report, run_change
from infudesk.ui.worklist import controller as c
from infudesk.ui.worklist.controller import VisitAction, VisitRef

ERROR_STYLE = "color: #b00020;"
Done = Callable[[str], None]


class ReasonDialog(QDialog):
    """Ask why (a cancellation, a visit beyond the approval); ``reason`` once accepted."""

    def __init__(self, title: str, prompt: str, ok: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reasonDialog")
        self.setWindowTitle(title)
        self.reason = ""
        lay = QVBoxLayout(self)
        text = QLabel(prompt)
        text.setObjectName("reasonPrompt")
        text.setWordWrap(True)
        lay.addWidget(text)
        self.edit = QPlainTextEdit()
        self.edit.setObjectName("reasonEdit")
        self.edit.setTabChangesFocus(True)
        self.edit.setFixedHeight(80)
        lay.addWidget(self.edit)
        self.error = QLabel("")
        self.error.setObjectName("reasonError")
        self.error.setStyleSheet(ERROR_STYLE)
        lay.addWidget(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(ok)
        self.ok_button.setObjectName("reasonOkButton")
        buttons.accepted.connect(self.check)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.resize(520, self.sizeHint().height())

    def check(self) -> None:
        error = c.check_reason(self.edit.toPlainText())
        if error:
            self.error.setText(error)
            self.edit.setFocus()
            return
        self.reason = self.edit.toPlainText().strip()
        self.accept()


class RescheduleDialog(QDialog):
    """Pick the new day on a calendar (no day in the past); ``new_date`` once accepted."""

    def __init__(self, visit: VisitRef, today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("rescheduleDialog")
        self.setWindowTitle("Reschedule the visit")
        self.visit = visit
        self.today = today
        self.new_date: date | None = None
        lay = QVBoxLayout(self)
        text = QLabel(f"Move {visit.patient_name}'s {visit.drug} visit of {visit.on:%m/%d/%Y} to:")
        text.setWordWrap(True)
        lay.addWidget(text)
        self.calendar = QCalendarWidget()
        self.calendar.setObjectName("rescheduleCalendar")
        self.calendar.setMinimumDate(QDate(today.year, today.month, today.day))
        self.calendar.setGridVisible(True)
        start = max(visit.on, today)
        self.calendar.setSelectedDate(QDate(start.year, start.month, start.day))
        lay.addWidget(self.calendar)
        note = QLabel(
            "The visit counts as scheduled today: a self-pay patient's Good Faith Estimate is "
            "due again."
        )
        note.setWordWrap(True)
        note.setStyleSheet("color: #555;")
        lay.addWidget(note)
        self.error = QLabel("")
        self.error.setObjectName("rescheduleError")
        self.error.setStyleSheet(ERROR_STYLE)
        lay.addWidget(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Move the visit")
        ok.setObjectName("rescheduleOkButton")
        buttons.accepted.connect(self.check)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)

    def chosen(self) -> date:
        d = self.calendar.selectedDate()
        return date(d.year(), d.month(), d.day())

    def check(self) -> None:
        error = c.check_new_date(self.chosen(), self.visit.on, self.today)
        if error:
            self.error.setText(error)
            return
        self.new_date = self.chosen()
        self.accept()


def _ask_reason(parent: QWidget | None, title: str, prompt: str, ok: str) -> str | None:
    dlg = ReasonDialog(title, prompt, ok, parent)
    return dlg.reason if dlg.exec() == QDialog.DialogCode.Accepted else None


def _confirm_given(parent: QWidget | None, visit: VisitRef) -> bool:
    box = QMessageBox(
        QMessageBox.Icon.Question,
        "Record the visit as given",
        c.given_question(visit),
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
        parent,
    )
    box.setObjectName("givenBox")
    box.button(QMessageBox.StandardButton.Yes).setText("Record as given")
    box.setDefaultButton(QMessageBox.StandardButton.Yes)
    return box.exec() == QMessageBox.StandardButton.Yes


def record(
    parent: QWidget | None,
    backend: Backend,
    action: VisitAction,
    visit: VisitRef,
    today: date,
    done: Done,
    *,
    confirm: bool = True,
) -> None:
    """Do ``action`` on ``visit`` (asking what it needs first); ``done(status line)`` after."""
    vid = visit.visit_id
    if action is VisitAction.ARRIVED and visit.status == VisitStatus.ARRIVED:
        run_change(
            parent,
            backend,
            lambda s, a: vsv.undo_arrival(s, a, vid),
            lambda _r: done(c.done_text(action, visit)),
        )
    elif action is VisitAction.ARRIVED:
        run_change(
            parent,
            backend,
            lambda s, a: vsv.mark_arrived(s, a, vid, today=today),
            lambda _r: done(c.done_text(action, visit)),
        )
    elif action is VisitAction.GIVEN:
        if confirm and not _confirm_given(parent, visit):
            return
        _give(parent, backend, visit, None, done, today)
    elif action is VisitAction.CANCEL:
        why = _ask_reason(
            parent,
            "Cancel the visit",
            f"Why is {visit.patient_name}'s visit of {visit.on:%m/%d/%Y} cancelled? "
            "(e.g. 'Patient ill, will call back')",
            "Cancel the visit",
        )
        if why is None:
            return
        run_change(
            parent,
            backend,
            lambda s, a: vsv.cancel(s, a, vid, why),
            lambda _r: done(c.done_text(action, visit)),
        )
    else:
        dlg = RescheduleDialog(visit, today, parent)
        if dlg.exec() != QDialog.DialogCode.Accepted or dlg.new_date is None:
            return
        new = dlg.new_date
        run_change(
            parent,
            backend,
            lambda s, a: vsv.reschedule(s, a, vid, new, today=today),
            lambda _r: done(c.done_text(action, visit, new)),
        )


def _give(
    parent: QWidget | None,
    backend: Backend,
    visit: VisitRef,
    reason: str | None,
    done: Done,
    today: date,
) -> None:
    vid = visit.visit_id

    def failed(exc: BaseException) -> None:
        if isinstance(exc, vsv.OverApproved) and reason is None:
            why = _ask_reason(
                parent,
                "More than approved",
                c.over_approved_prompt([e.message for e in exc.exceeded]),
                "Record as given",
            )
            if why is not None:
                _give(parent, backend, visit, why, done, today)
            return
        report(parent, exc)

    run_change(
        parent,
        backend,
        lambda s, a: vsv.mark_given(s, a, vid, reason=reason, today=today),
        lambda _r: done(c.done_text(VisitAction.GIVEN, visit)),
        failed,
    )


__all__ = ["ReasonDialog", "RescheduleDialog", "record"]
