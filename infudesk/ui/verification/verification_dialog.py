"""The benefits-verification checklist: one coverage and one therapy order, item by item."""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from datetime import date, datetime

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from infudesk.domain import verification as dv
from infudesk.domain.verification import Status
from infudesk.errors import ValidationFailed
from infudesk.services import verifications as vs
from infudesk.ui.common.forms import set_flag
from infudesk.ui.common.ops import Backend, report
from infudesk.ui.common.screen import fit_to_screen
from infudesk.ui.common.widgets import Form
from infudesk.ui.verification import controller as ctl

log = logging.getLogger(__name__)
PREFILL_COLOR = "#1a56b0"
# answers taken from the coverage (to confirm on the call), and a completed checklist's fields
DIALOG_STYLE = """
*[prefilled="true"] { background: #e8f0fe; }
*[invalid="true"] { background: #fff4f4; }
QLineEdit[readOnly="true"], QPlainTextEdit[readOnly="true"] { background: #f3f3f3; }
"""

PLACEHOLDERS = {
    dv.Kind.MONEY: "$ amount",
    dv.Kind.PERCENT: "percent, e.g. 20",
    dv.Kind.DATE: "MM/DD/YYYY",
    dv.Kind.DATETIME: "MM/DD/YYYY HH:MM AM",
    dv.Kind.TEXT: "",
    dv.Kind.COUNT: "whole number",
}


class VerificationDialog(QDialog):
    """``exec()`` returns Accepted when saved (in any status); ``saved`` holds the record.

    A completed (verified) checklist opens read only; its "Start a new verification" button
    closes the dialog with ``start_new`` set (``run_checklist`` then opens a new one).
    Leaving with unsaved edits asks first; leaving a checklist nobody saved removes it.
    """

    def __init__(
        self,
        backend: Backend,
        verification_id: int,
        *,
        title: str = "",
        today: Callable[[], date] = date.today,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("verificationDialog")
        self.backend = backend
        self.today = today
        self.record: vs.VerificationRecord = backend.query(vs.get_verification, verification_id)
        self.saved: vs.VerificationRecord | None = None
        self.notes = backend.query(vs.payer_notes_for, verification_id, today=today())
        self.read_only = self.record.status == Status.VERIFIED
        self.prefill: vs.Prefill | None = (
            None if self.read_only else backend.query(vs.coverage_prefill, verification_id)
        )
        self.start_new = False
        self.form = Form(today)
        self.labels: dict[str, QLabel] = {}
        self.prefilled: set[str] = set()  # keys still showing the coverage's figure
        # conditional items: key → (its form layout, the row's field), and each section's box
        self.rows: dict[str, tuple[QFormLayout, QWidget | QHBoxLayout]] = {}
        self.groups: list[tuple[QGroupBox, tuple[str, ...]]] = []
        self._shown: set[str] = set()
        self.setWindowTitle(f"Benefits verification #{verification_id}")
        self._build(title)
        self._load()
        self._show_asked()
        fit_to_screen(self, 900, 700)

    def _build(self, title: str) -> None:
        outer = QVBoxLayout(self)
        heading = QLabel(title)
        heading.setObjectName("pageTitle")
        heading.setWordWrap(True)
        outer.addWidget(heading)
        self.state = QLabel("")
        self.state.setObjectName("pageSubtitle")
        outer.addWidget(self.state)
        if self.notes:
            notes = QLabel(
                "<b>Payer policy notes</b><br>"
                + "<br>".join(f"From {n.effective_on:%m/%d/%Y}: {n.text}" for n in self.notes)
            )
            notes.setObjectName("payerNotes")
            notes.setWordWrap(True)
            notes.setStyleSheet("background: #fff3cd; border: 1px solid #e0c060; padding: 6px;")
            outer.addWidget(notes)
        self.prefill_note = QLabel("")
        self.prefill_note.setObjectName("prefillNote")
        self.prefill_note.setWordWrap(True)
        self.prefill_note.setStyleSheet(
            f"background: #e8f0fe; border: 1px solid {PREFILL_COLOR}; padding: 6px;"
        )
        self.prefill_note.hide()
        outer.addWidget(self.prefill_note)

        body = QWidget()
        layout = QVBoxLayout(body)
        f = self.form
        for section, items in self.record.checklist.sections:
            group = QGroupBox(section)
            fl = QFormLayout(group)
            for item in items:
                label = QLabel(html.escape(item.label + (" *" if item.required else "")))
                label.setObjectName(f"label_{item.key}")
                self.labels[item.key] = label
                if item.kind in (dv.Kind.YESNO, dv.Kind.CHOICE):
                    box = f.combo(item.key, [("", "—"), *dv.answer_options(item)])
                else:
                    box = f.line(item.key, PLACEHOLDERS.get(dv.Kind(item.kind), ""))
                if item.help:
                    box.field.setToolTip(item.help)
                if item.kind == dv.Kind.DATETIME:
                    row = QHBoxLayout()
                    row.addWidget(box, 1)
                    now = QPushButton("Now")
                    now.setObjectName(f"now_{item.key}")
                    now.setAutoDefault(False)
                    now.clicked.connect(
                        lambda _c=False, k=item.key: self.form.set(
                            k, datetime.now().strftime("%m/%d/%Y %I:%M %p")
                        )
                    )
                    row.addWidget(now, 0, Qt.AlignmentFlag.AlignTop)
                    fl.addRow(label, row)
                    self.rows[item.key] = (fl, row)
                else:
                    fl.addRow(label, box)
                    self.rows[item.key] = (fl, box)
            self.groups.append((group, tuple(it.key for it in items)))
            layout.addWidget(group)
        watched = {key for it in self.record.checklist.items() for key, _ in it.show_if}
        for key in watched:
            widget = self.form.widgets[key]
            assert isinstance(widget, QComboBox)
            widget.currentIndexChanged.connect(lambda _i: self._show_asked())
        problem = QGroupBox("Problem found (what is wrong and what happens next)")
        pl = QVBoxLayout(problem)
        pl.addWidget(f.text("problem", 60))
        layout.addWidget(problem)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        self.body_scroll = scroll
        outer.addWidget(scroll, 1)

        self.status = QLabel("")
        self.status.setObjectName("dialogStatus")
        self.status.setWordWrap(True)
        outer.addWidget(self.status)
        bar = QHBoxLayout()
        bar.addStretch(1)
        # Alt+letter for each; Enter in a field moves on (keyPressEvent), never saves
        self.new_button = QPushButton("Start a &new verification")
        self.new_button.setObjectName("newVerificationButton")
        self.new_button.setToolTip("This one is completed: record another call in a new one")
        self.draft_button = QPushButton("Save &draft")
        self.draft_button.setObjectName("draftButton")
        self.problem_button = QPushButton("&Problem found")
        self.problem_button.setObjectName("problemButton")
        self.verified_button = QPushButton("Mark &verified")
        self.verified_button.setObjectName("verifiedButton")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("cancelButton")
        for b in (
            self.new_button,
            self.cancel_button,
            self.draft_button,
            self.problem_button,
            self.verified_button,
        ):
            bar.addWidget(b)
        self.new_button.hide()
        self.draft_button.clicked.connect(lambda: self.save(Status.IN_PROGRESS))
        self.problem_button.clicked.connect(lambda: self.save(Status.PROBLEM))
        self.verified_button.clicked.connect(lambda: self.save(Status.VERIFIED))
        self.cancel_button.clicked.connect(self.reject)
        self.new_button.clicked.connect(self._start_new)
        outer.addLayout(bar)

    def _load(self) -> None:
        rec = self.record
        for key, value in ctl.form_values(rec).items():
            self.form.set(key, value)
        self.form.set("problem", rec.problem)
        self.state.setText(ctl.state_line(rec))
        self.setStyleSheet(DIALOG_STYLE)
        self._mark_prefilled()
        if self.read_only:
            self._lock()
        self.snapshot = self._now()  # what "unsaved edits" are measured against

    # -- prefilled from the coverage ---------------------------------------------------------
    def _mark_prefilled(self) -> None:
        """Mark the answers that still hold the coverage's current figures: staff confirm
        them on the call; changing one removes its mark."""
        if self.prefill is None:
            return
        typed = self.typed()
        items = {it.key: it for it in self.record.checklist.items()}
        for key, text in self.prefill.answers.items():
            item = items.get(key)
            if item is None or key not in self.form.widgets:
                continue
            if dv.check_answer(item, typed.get(key, "")) != dv.check_answer(item, text):
                continue
            self.prefilled.add(key)
            widget = self.form.widgets[key]
            set_flag(widget, "prefilled", True)
            widget.setToolTip(
                f"From the coverage's benefit terms as of {self.prefill.as_of:%m/%d/%Y}: "
                "confirm it on the call."
            )
            self.labels[key].setText(
                html.escape(item.label + (" *" if item.required else ""))
                + f' <span style="color:{PREFILL_COLOR}">(from coverage)</span>'
            )
            if isinstance(widget, QLineEdit):
                widget.textEdited.connect(lambda _t, k=key: self._unmark(k))
            elif isinstance(widget, QComboBox):
                widget.activated.connect(lambda _i, k=key: self._unmark(k))
        self._prefill_line()

    def _unmark(self, key: str) -> None:
        if key not in self.prefilled:
            return
        self.prefilled.discard(key)
        item = next(it for it in self.record.checklist.items() if it.key == key)
        widget = self.form.widgets[key]
        set_flag(widget, "prefilled", False)
        widget.setToolTip(item.help)
        self.labels[key].setText(html.escape(item.label + (" *" if item.required else "")))
        self._prefill_line()

    def _prefill_line(self) -> None:
        n = len(self.prefilled)
        if self.prefill is None or not n:
            self.prefill_note.hide()
            return
        self.prefill_note.setText(
            f"{n} answer{'s are' if n != 1 else ' is'} prefilled from the coverage's benefit "
            f"terms as of {self.prefill.as_of:%m/%d/%Y} ({html.escape(self.prefill.source)}), "
            "marked <b>(from coverage)</b> in blue. Confirm each on the call; an answer you "
            "change loses its mark."
        )
        self.prefill_note.show()

    # -- a completed checklist ---------------------------------------------------------------
    def _lock(self) -> None:
        """A verified checklist is a record of a call: shown, never edited in place."""
        for widget in self.form.widgets.values():
            if isinstance(widget, QLineEdit | QPlainTextEdit):
                widget.setReadOnly(True)
            else:
                widget.setEnabled(False)
        for button in self.findChildren(QPushButton):
            if button.objectName().startswith("now_"):
                button.setEnabled(False)
        for button in (self.draft_button, self.problem_button, self.verified_button):
            button.hide()
        self.cancel_button.setText("Close")
        self.new_button.show()
        self.new_button.setDefault(True)
        self.state.setText(
            ctl.state_line(self.record)
            + ". Completed: read only. To record another call, start a new verification."
        )

    def _start_new(self) -> None:
        self.start_new = True
        self.done(QDialog.DialogCode.Rejected)

    # -- leaving -----------------------------------------------------------------------------
    def _now(self) -> tuple[dict[str, str], str]:
        return self.typed(), self.form.value("problem")

    def has_changes(self) -> bool:
        return not self.read_only and self._now() != self.snapshot

    def reject(self) -> None:
        """Cancel, Esc or the window's close: ask before losing edits; a checklist nobody
        saved is removed (so the last completed verification shows again)."""
        if self.has_changes() and not self._discard_confirmed():
            return
        self._discard_untouched()
        super().reject()

    def _discard_confirmed(self) -> bool:
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Discard changes?",
            "You changed this checklist and did not save it. Discard your changes?",
            QMessageBox.StandardButton.NoButton,
            self,
        )
        box.setObjectName("discardChangesBox")
        keep = box.addButton("&Keep editing", QMessageBox.ButtonRole.RejectRole)
        discard = box.addButton("&Discard", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)
        box.exec()
        return box.clickedButton() is discard

    def _discard_untouched(self) -> None:
        if self.saved is not None or self.record.status != Status.NOT_STARTED:
            return
        try:
            self.backend.mutate(
                vs.discard_untouched, self.record.id, expected_version=self.record.version
            )
        except Exception as exc:  # the draft stays; it does no harm beyond showing
            log.info("verification %s not discarded: %s", self.record.id, type(exc).__name__)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter in a field goes to the next one (a checklist is never saved by Enter);
        on a button it presses that button."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not isinstance(
            self.focusWidget(), QPushButton
        ):
            self.focusNextChild()
            return
        super().keyPressEvent(event)

    def _show_asked(self) -> None:
        """Show the items asked with the answers chosen so far (e.g. the Medicare items only
        for a Medicare plan); a hidden item keeps what was typed in it until saved."""
        typed = {item.key: self.form.value(item.key) for item in self.record.checklist.items()}
        shown = ctl.asked(self.record.checklist, typed)
        self._shown = shown
        for key, (layout, field) in self.rows.items():
            layout.setRowVisible(field, key in shown)
        for group, keys in self.groups:
            group.setVisible(any(k in shown for k in keys))

    def shown_keys(self) -> list[str]:
        """The keys of the items on screen now, in order (for tests)."""
        return [k for k in self.rows if k in self._shown]

    def typed(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for item in self.record.checklist.items():
            w = self.form.widgets[item.key]
            out[item.key] = self.form.value(item.key) if not isinstance(w, QLineEdit) else w.text()
        return ctl.clean(out)

    def save(self, status: Status) -> None:
        typed = self.typed()
        _, parse_errors = vs.parse_answers(self.record.checklist, typed)
        try:
            self.saved = self.backend.mutate(
                vs.save_verification,
                self.record.id,
                typed,
                status=status,
                problem=self.form.value("problem"),
                expected_version=self.record.version,
                today=self.today(),
            )
        except ValidationFailed as exc:
            self.form.show_errors(exc.errors)
            self.status.setText(ctl.not_marked(status, exc.errors))
            first = next((k for k in self.form.boxes if k in exc.errors), None)
            if first is not None:  # the first one in view once the error lines are laid out
                box = self.form.boxes[first]
                QTimer.singleShot(
                    0, self, lambda: self.body_scroll.ensureWidgetVisible(box, 50, 50)
                )
            return
        except Exception as exc:
            report(self, exc)
            return
        if parse_errors:  # a draft keeps unreadable text; say so
            self.form.show_errors(parse_errors)
        self.accept()


def run_checklist(
    parent: QWidget,
    backend: Backend,
    today: Callable[[], date],
    verification_id: int,
    *,
    title: str = "",
) -> bool:
    """Open a checklist; from a completed one, "Start a new verification" opens a new one for
    the same coverage and order. True when something was saved."""
    current: int | None = verification_id
    while current is not None:
        opened = current
        try:
            dlg = VerificationDialog(backend, opened, title=title, today=today, parent=parent)
        except Exception as exc:
            report(parent, exc)
            return False
        if dlg.exec() == QDialog.DialogCode.Accepted:
            return True
        current = None
        if dlg.start_new:
            current = _start_again(parent, backend, dlg.record)
    return False


def _start_again(parent: QWidget, backend: Backend, done: vs.VerificationRecord) -> int | None:
    try:
        return backend.mutate(vs.start_verification, done.coverage_id, done.order_id).id
    except Exception as exc:
        report(parent, exc)
        return None
