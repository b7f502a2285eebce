"""The benefits-verification checklist: one coverage and one therapy order, item by item."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from infudesk.domain import verification as dv
from infudesk.domain.verification import Status
from infudesk.errors import ValidationFailed
from infudesk.services import verifications as vs
from infudesk.ui.common.ops import Backend, report
from infudesk.ui.common.screen import fit_to_screen
from infudesk.ui.common.widgets import Form
from infudesk.ui.verification import controller as ctl

PLACEHOLDERS = {
    dv.Kind.MONEY: "$ amount",
    dv.Kind.PERCENT: "percent, e.g. 20",
    dv.Kind.DATE: "MM/DD/YYYY",
    dv.Kind.DATETIME: "MM/DD/YYYY HH:MM AM",
    dv.Kind.TEXT: "",
    dv.Kind.COUNT: "whole number",
}


class VerificationDialog(QDialog):
    """``exec()`` returns Accepted when saved (in any status); ``saved`` holds the record."""

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
        self.form = Form(today)
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

        body = QWidget()
        layout = QVBoxLayout(body)
        f = self.form
        for section, items in self.record.checklist.sections:
            group = QGroupBox(section)
            fl = QFormLayout(group)
            for item in items:
                label = item.label + (" *" if item.required else "")
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
        outer.addWidget(scroll, 1)

        self.status = QLabel("")
        self.status.setObjectName("dialogStatus")
        self.status.setWordWrap(True)
        outer.addWidget(self.status)
        bar = QHBoxLayout()
        bar.addStretch(1)
        self.draft_button = QPushButton("Save draft")
        self.draft_button.setObjectName("draftButton")
        self.problem_button = QPushButton("Problem found")
        self.problem_button.setObjectName("problemButton")
        self.verified_button = QPushButton("Mark verified")
        self.verified_button.setObjectName("verifiedButton")
        cancel = QPushButton("Cancel")
        cancel.setObjectName("cancelButton")
        for b in (cancel, self.draft_button, self.problem_button, self.verified_button):
            bar.addWidget(b)
        self.draft_button.clicked.connect(lambda: self.save(Status.IN_PROGRESS))
        self.problem_button.clicked.connect(lambda: self.save(Status.PROBLEM))
        self.verified_button.clicked.connect(lambda: self.save(Status.VERIFIED))
        cancel.clicked.connect(self.reject)
        outer.addLayout(bar)

    def _load(self) -> None:
        rec = self.record
        for key, value in ctl.form_values(rec).items():
            self.form.set(key, value)
        self.form.set("problem", rec.problem)
        self.state.setText(ctl.state_line(rec))

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
            return
        except Exception as exc:
            report(self, exc)
            return
        if parse_errors:  # a draft keeps unreadable text; say so
            self.form.show_errors(parse_errors)
        self.accept()
