"""One prior-authorization case: its state and the steps allowed from it, the approval and what
is left of it, the documents (kept in the database, shown inside the app), reminders, history."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt, Signal
from PySide6.QtGui import QColor, QPixmap
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from infudesk.domain import prior_auth as pa
from infudesk.domain.orders import SITE_LABELS
from infudesk.domain.prior_auth import (
    ACTION_LABELS,
    DOCUMENT_LABELS,
    STATE_LABELS,
    Action,
    DocumentKind,
    State,
)
from infudesk.domain.validation import normalize_code
from infudesk.errors import UserError, ValidationFailed
from infudesk.services import orders as ors
from infudesk.services import prior_auths as pas
from infudesk.services import visits as vsv
from infudesk.ui.common.forms import FieldBox
from infudesk.ui.common.ops import Backend, report
from infudesk.ui.common.screen import fit_to_screen
from infudesk.ui.common.widgets import Form
from infudesk.ui.letters.letter_preview import LetterPreview, show_letter
from infudesk.ui.patients.patient_tabs import _fill, _selected, _table
from infudesk.ui.prior_auth.controller import (
    FOLLOWED_STATES,
    file_size,
    prefill_approval,
    reminder_line,
    us,
    visit_rows,
)

SEVERITY_COLORS: dict[str, str] = {
    "overdue": "#b00020",
    "due": "#b35c00",
    "soon": "#7a6300",
    "info": "#555555",
}
STATE_COLORS: dict[State, str] = {
    State.DRAFT: "#555555",
    State.SUBMITTED: "#0b5394",
    State.PENDING: "#b35c00",
    State.APPROVED: "#1b6e20",
    State.PARTIALLY_APPROVED: "#4f7a00",
    State.DENIED: "#b00020",
    State.APPEAL_SUBMITTED: "#0b5394",
    State.APPEAL_APPROVED: "#1b6e20",
    State.APPEAL_DENIED: "#b00020",
    State.EXTERNAL_REVIEW: "#6a1b9a",
    State.EXPIRED: "#888888",
    State.CANCELLED: "#888888",
}
REMOVED_COLOR = "#999999"
HINT_STYLE = "color: #555;"
WARNING_STYLE = (
    "QLabel { background: #fff4e5; color: #7a3e00; border: 1px solid #e0a050; "
    "border-radius: 3px; padding: 6px 8px; }"
)
APPEAL_STATES = frozenset({State.DENIED, State.APPEAL_SUBMITTED, State.APPEAL_DENIED})
ON_LABELS: dict[Action, str] = {
    Action.SUBMIT: "Date submitted *",
    Action.PEND: "Date of the request *",
    Action.APPEAL: "Date the appeal was sent *",
    Action.REQUEST_EXTERNAL_REVIEW: "Date requested *",
    Action.CANCEL: "Date cancelled *",
    Action.EXPIRE: "Date *",
}
URGENT_ACTIONS = frozenset({Action.SUBMIT, Action.APPEAL, Action.REQUEST_EXTERNAL_REVIEW})
FILE_FILTER = "Documents (*.pdf *.png *.jpg *.jpeg *.tif *.tiff *.gif *.txt);;All files (*)"


def tell(parent: QWidget | None, text: str, title: str = "infudesk") -> None:
    """A message the user can act on (in the same box as every other error)."""
    report(parent, UserError(text, title=title))


def _bar(left: int, total: int, name: str = "") -> QProgressBar:
    bar = QProgressBar()
    if name:
        bar.setObjectName(name)
    bar.setTextVisible(True)
    bar.setMaximumHeight(18)
    set_bar(bar, left, total)
    return bar


def set_bar(bar: QProgressBar, left: int, total: int) -> None:
    """What is left of ``total``: green, amber under a quarter, red when nothing is left."""
    bar.setRange(0, max(total, 1))
    bar.setValue(max(0, min(left, total)))
    bar.setFormat(f"{left} of {total} left")
    low = total > 0 and left / total < 0.25
    color = "#b00020" if left <= 0 else ("#b35c00" if low else "#2e7d32")
    bar.setStyleSheet(
        "QProgressBar { border: 1px solid #bbb; border-radius: 3px; background: #f2f2f2; "
        "text-align: center; color: #111; } "
        f"QProgressBar::chunk {{ background: {color}; border-radius: 2px; }}"
    )


# --- one step ---------------------------------------------------------------------------------


class StepDialog(QDialog):
    """Ask what one step needs and take it; ``exec()`` is Accepted once saved (``saved``)."""

    def __init__(
        self,
        backend: Backend,
        record: pas.CaseRecord,
        action: Action,
        *,
        today: Callable[[], date] = date.today,
        order: ors.OrderRecord | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("stepDialog")
        self.backend = backend
        self.record = record
        self.action = action
        self.today = today
        self.saved: pas.CaseRecord | None = None
        self.form = Form(today)
        self.lines: QTableWidget | None = None
        target = pa.TRANSITIONS[record.case.state][action]
        self.setWindowTitle(ACTION_LABELS[action])
        self._build(target, order)
        fit_to_screen(self, 560)

    def _build(self, target: State, order: ors.OrderRecord | None) -> None:
        f, action, case = self.form, self.action, self.record.case
        outer = QVBoxLayout(self)
        head = QLabel(
            f"<b>{ACTION_LABELS[action]}</b> — {STATE_LABELS[case.state]} → "
            f"<span style='color:{STATE_COLORS[target]}'>{STATE_LABELS[target]}</span>"
        )
        head.setObjectName("stepHeading")
        outer.addWidget(head)
        fl = QFormLayout()
        outer.addLayout(fl)
        approving = action in pa.APPROVING_ACTIONS
        denying = action in pa.DENYING_ACTIONS
        on_label = "Decision date *" if approving or denying else ON_LABELS.get(action, "Date *")
        fl.addRow(on_label, f.line("on", "MM/DD/YYYY"))
        f.set("on", self.today())
        if action in URGENT_ACTIONS:
            hours = pa.decision_hours(case.plan_type, True) if action is Action.SUBMIT else 72
            fl.addRow(
                "",
                f.check("urgent", f"Urgent (expedited review: a decision within {hours} hours)"),
            )
            f.set("urgent", case.urgent)
        if action is Action.PEND:
            fl.addRow(
                "Follow up on *", f.line("follow_up", "MM/DD/YYYY: when to call the payer again")
            )
        if approving:
            self._approval_rows(fl, case.approval or prefill_approval(order))
        if denying:
            fl.addRow("Payer's reason *", f.text("reason", 70))
            f.widgets["reason"].setToolTip("As the denial letter gives it.")
        if action is Action.DENY:
            days_box = f.line("appeal_days", "only if the letter states one", 3)
            f.widgets["appeal_days"].setMaximumWidth(220)
            f.widgets["appeal_days"].setAccessibleName(
                "Appeal window stated on the denial letter, in days (optional)"
            )
            fl.addRow("Appeal window on the letter (days)", days_box)
            default = pa.appeal_window(case.plan_type, payer_days=self.record.payer_appeal_days)
            hint = QLabel(f"Blank: {default.label}. A window printed on the letter wins.")
            hint.setObjectName("appealDaysHint")
            hint.setWordWrap(True)
            hint.setStyleSheet(HINT_STYLE)
            fl.addRow("", hint)
        note_label = "Why (required)" if action is Action.CANCEL else "Note"
        fl.addRow(note_label, f.text("note", 60))
        if action in (Action.SUBMIT, Action.APPEAL):
            missing = pa.missing_documents(
                [d.kind for d in self.record.documents if not d.removed],
                for_appeal=action is Action.APPEAL,
            )
            if missing:
                warn = QLabel(
                    "Not attached yet: "
                    + ", ".join(DOCUMENT_LABELS[k] for k in missing)
                    + ". Missing information often ends in a denial."
                )
                warn.setObjectName("missingWarning")
                warn.setWordWrap(True)
                warn.setStyleSheet(WARNING_STYLE)
                outer.addWidget(warn)
        self.status = QLabel("")
        self.status.setObjectName("dialogStatus")
        self.status.setWordWrap(True)
        self.status.setStyleSheet("color: #b00020;")
        self.status.hide()
        outer.addWidget(self.status)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.save_button.setText("Record")
        self.save_button.setObjectName("saveStepButton")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        outer.addWidget(buttons)

    def _approval_rows(self, fl: QFormLayout, approval: pa.Approval | None) -> None:
        f = self.form
        fl.addRow("Authorization # *", f.line("auth_number", "from the payer's approval", 50))
        table = QTableWidget(0, 2)
        table.setObjectName("lines")
        table.setHorizontalHeaderLabels(["Code", "Units approved"])
        table.verticalHeader().hide()
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        table.setMinimumHeight(120)
        table.setMaximumHeight(150)
        self.lines = table
        box = FieldBox(table, "lines")
        f.boxes["lines"], f.widgets["lines"] = box, table
        holder = QWidget()
        hl = QHBoxLayout(holder)
        hl.setContentsMargins(0, 0, 0, 0)
        hl.addWidget(box, 1)
        side = QVBoxLayout()
        add = QPushButton("Add line")
        add.setObjectName("addLineButton")
        remove = QPushButton("Remove line")
        remove.setObjectName("removeLineButton")
        side.addWidget(add)
        side.addWidget(remove)
        side.addStretch(1)
        hl.addLayout(side)
        add.clicked.connect(lambda: self.set_lines([*self.typed_lines(), ("", "")]))
        remove.clicked.connect(self._remove_line)
        fl.addRow("Approved codes *", holder)
        fl.addRow("Visits", f.line("visits", "empty: no visit limit", 6))
        fl.addRow("Start *", f.line("start", "MM/DD/YYYY"))
        fl.addRow("End *", f.line("end", "MM/DD/YYYY: the last day covered"))
        fl.addRow("Site of care", f.combo("site", [("", "Not named"), *SITE_LABELS.items()]))
        if approval is not None:
            f.set("auth_number", approval.auth_number)
            self.set_lines([(ln.code, str(ln.units)) for ln in approval.lines])
            f.set("visits", approval.visits)
            f.set("start", approval.start)
            f.set("end", approval.end)
            f.set("site", approval.site)
        else:
            self.set_lines([("", "")])

    # -- approved lines ------------------------------------------------------------------
    def set_lines(self, lines: list[tuple[str, str]]) -> None:
        assert self.lines is not None
        self.lines.setRowCount(len(lines))
        for r, (code, units) in enumerate(lines):
            self.lines.setItem(r, 0, QTableWidgetItem(code))
            self.lines.setItem(r, 1, QTableWidgetItem(units))

    def typed_lines(self) -> list[tuple[str, str]]:
        assert self.lines is not None
        out = []
        for r in range(self.lines.rowCount()):
            cells = [self.lines.item(r, c) for c in (0, 1)]
            out.append(tuple(c.text().strip() if c else "" for c in cells))
        return [(a, b) for a, b in out]

    def _remove_line(self) -> None:
        assert self.lines is not None
        row = self.lines.currentRow()
        lines = self.typed_lines()
        if 0 <= row < len(lines):
            del lines[row]
            self.set_lines(lines or [("", "")])

    # -- saving --------------------------------------------------------------------------
    def _read(self) -> tuple[date | None, dict[str, object], dict[str, str]]:
        f, action = self.form, self.action
        f.begin_read()
        errors: dict[str, str] = {}
        on = f.day("on")
        if on is None and "on" not in f.parse_errors:
            errors["on"] = "Enter the date of this step (MM/DD/YYYY)."
        details: dict[str, object] = {}
        if action in URGENT_ACTIONS:
            details["urgent"] = f.flag("urgent")
        if action is Action.PEND:
            follow_up = f.day("follow_up")
            if follow_up is not None:
                details["follow_up"] = follow_up
        if action in pa.DENYING_ACTIONS:
            details["reason"] = f.value("reason")
        if action is Action.DENY:
            days = f.integer("appeal_days")
            if "appeal_days" in f.parse_errors:
                f.parse_errors["appeal_days"] = (
                    "Type the appeal window as a whole number of days (1 to 365), or leave it"
                    " blank when the letter states none."
                )
            details["appeal_days"] = days
        if action in pa.APPROVING_ACTIONS:
            lines: list[pa.ApprovedLine] = []
            for i, (code, units) in enumerate(self.typed_lines(), start=1):
                if not code and not units:
                    continue
                digits = units.replace(",", "")
                if not digits.isdigit():
                    errors.setdefault(
                        "lines", f"Line {i}: type the approved units as a whole number."
                    )
                    continue
                lines.append(pa.ApprovedLine(code, int(digits)))
            visits = f.integer("visits")
            start, end = f.day("start"), f.day("end")
            for name, value in (("start", start), ("end", end)):
                if value is None and name not in f.parse_errors:
                    errors[name] = "Enter the date from the approval (MM/DD/YYYY)."
            if start is not None and end is not None:
                details["approval"] = pa.Approval(
                    auth_number=f.value("auth_number").strip(),
                    lines=tuple(lines),
                    visits=visits,
                    start=start,
                    end=end,
                    site=str(f.choice("site") or ""),
                )
        errors.update(f.parse_errors)
        return on, details, errors

    def save(self) -> None:
        on, details, errors = self._read()
        if errors or on is None:
            self._show(errors)
            return
        try:
            record, action, note = self.record, self.action, self.form.value("note")
            self.saved = self.backend.mutate(
                lambda s, a: pas.act(
                    s,
                    a,
                    record.id,
                    action,
                    on=on,
                    note=note,
                    expected_version=record.version,
                    **details,
                )
            )
        except ValidationFailed as exc:
            self._show(exc.errors)
            return
        except Exception as exc:
            report(self, exc)
            return
        self.accept()

    def _show(self, errors: dict[str, str]) -> None:
        at_fields = {k: m for k, m in errors.items() if k in self.form.boxes}
        if "approval" in errors and "lines" in self.form.boxes:
            at_fields.setdefault("lines", errors["approval"])
        self.form.show_errors(at_fields)
        rest = [m for k, m in errors.items() if k not in at_fields and k != "approval"]
        self.status.setText(
            " ".join(rest) or "Not recorded: correct what is in red; nothing you typed was lost."
        )
        self.status.show()


# --- one visit ----------------------------------------------------------------------------------


class RecordVisitDialog(QDialog):
    """Record a visit given under the approval; beyond it, the desk must say why.

    ``record(on, planned_visit_id, reason)`` saves (raising ValidationFailed); ``exec()`` is
    Accepted once it succeeded (``saved`` holds the case).
    """

    OTHER = -1

    def __init__(
        self,
        order: ors.OrderRecord | None,
        record: Callable[[date, int | None, str], pas.CaseRecord],
        *,
        today: Callable[[], date] = date.today,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("recordVisitDialog")
        self.setWindowTitle("Record a visit under this approval")
        self.today = today
        self._record = record
        self.saved: pas.CaseRecord | None = None
        self.form = Form(today)
        f = self.form
        # the order's visits not recorded yet whose day has come (given is not recorded ahead)
        open_visits = [
            v for v in (order.visits if order else ()) if v.status in ("planned", "arrived")
        ]
        visits = [v for v in open_visits if v.on <= today()]
        choices: list[tuple[object, str]] = [
            (v.id, f"{'Arrived' if v.status == 'arrived' else 'Planned'} visit of {us(v.on)}")
            for v in visits
        ]
        choices.append((self.OTHER, "Another date…"))
        self.dates = {v.id: v.on for v in visits}
        lay = QVBoxLayout(self)
        hint = QLabel(
            "A visit uses the order's units of each approved code, and one visit.\n"
            "Choose the planned visit it was, or another date for an extra one."
        )
        hint.setStyleSheet(HINT_STYLE)
        lay.addWidget(hint)
        fl = QFormLayout()
        lay.addLayout(fl)
        fl.addRow("Visit", f.combo("visit", choices))
        fl.addRow("Date", f.line("on", "MM/DD/YYYY"))
        self.warning = QLabel("")
        self.warning.setObjectName("overWarning")
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet(WARNING_STYLE)
        self.warning.hide()
        lay.addWidget(self.warning)
        self.reason_label = QLabel("Reason to record it anyway *")
        self.reason_box = f.text("reason", 60)
        self.reason_label.hide()
        self.reason_box.hide()
        lay.addWidget(self.reason_label)
        lay.addWidget(self.reason_box)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.save_button.setText("Record visit")
        self.save_button.setObjectName("recordVisitSave")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        combo = f.widgets["visit"]
        assert isinstance(combo, QComboBox)
        combo.currentIndexChanged.connect(lambda _i: self._chosen())
        past = [v for v in visits if v.on <= today()]
        default = past[-1] if past else (visits[0] if visits else None)
        f.set("visit", default.id if default else self.OTHER)
        self._chosen()
        fit_to_screen(self, 520)

    def _chosen(self) -> None:
        vid = self.form.choice("visit")
        other = vid == self.OTHER
        edit = self.form.widgets["on"]
        edit.setEnabled(other)
        if not other and isinstance(vid, int):
            self.form.set("on", self.dates[vid])
        elif not self.form.value("on").strip():
            self.form.set("on", self.today())

    def asking_reason(self) -> bool:
        return not self.reason_box.isHidden()

    def save(self) -> None:
        f = self.form
        f.begin_read()
        on = f.day("on")
        if on is None:
            f.show_errors(
                {"on": f.parse_errors.get("on", "Enter the date of the visit (MM/DD/YYYY).")}
            )
            return
        vid = f.choice("visit")
        planned = vid if isinstance(vid, int) and vid != self.OTHER else None
        reason = f.value("reason").strip() if self.asking_reason() else ""
        try:
            self.saved = self._record(on, planned, reason)
        except ValidationFailed as exc:
            if "reason" in exc.errors:
                self.warning.setText(exc.errors["reason"])
                self.warning.show()
                self.reason_label.show()
                self.reason_box.show()
                f.show_errors(
                    {"reason": "Say why (e.g. the payer agreed by phone, ref. #…)."}
                    if self.asking_reason() and not reason
                    else {}
                )
                f.widgets["reason"].setFocus()
                self.adjustSize()
            elif "on" in exc.errors:  # the day (ahead, or an open visit's): on its field
                f.show_errors({"on": exc.errors["on"]})
            else:
                f.show_errors({})
                self.warning.setText(" ".join(exc.errors.values()))
                self.warning.show()
            return
        except Exception as exc:
            report(self, exc)
            return
        self.accept()


# --- documents ----------------------------------------------------------------------------------


class AttachDialog(QDialog):
    """Choose a file, what it is and its date; ``attach(path, kind, date)`` keeps it.

    ``attach`` returns None (and has told the user why) when the file was refused: the dialog
    then stays open with everything chosen.
    """

    def __init__(
        self,
        attach: Callable[[Path, DocumentKind, date], object | None],
        *,
        kind: DocumentKind = DocumentKind.OTHER,
        today: Callable[[], date] = date.today,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("attachDialog")
        self.setWindowTitle("Add a document")
        self._attach = attach
        self.form = Form(today)
        f = self.form
        lay = QVBoxLayout(self)
        fl = QFormLayout()
        lay.addLayout(fl)
        row = QHBoxLayout()
        row.addWidget(f.line("path", "the file: PDF, image or text, up to 50 MB", 1000), 1)
        browse = QPushButton("Browse…")
        browse.setObjectName("browseButton")
        browse.clicked.connect(self.browse)
        row.addWidget(browse, 0, Qt.AlignmentFlag.AlignTop)
        fl.addRow("File *", row)
        fl.addRow("What it is *", f.combo("kind", list(DOCUMENT_LABELS.items())))
        fl.addRow("Document date *", f.line("doc_date", "MM/DD/YYYY"))
        f.set("kind", kind)
        f.set("doc_date", today())
        note = QLabel(
            "The file is kept inside the encrypted database; the original stays where it is."
        )
        note.setStyleSheet(HINT_STYLE)
        lay.addWidget(note)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.save_button.setText("Add")
        self.save_button.setObjectName("attachSave")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        fit_to_screen(self, 600)

    def browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Choose a document", "", FILE_FILTER)
        if path:
            self.form.set("path", path)

    def save(self) -> None:
        f = self.form
        f.begin_read()
        errors: dict[str, str] = {}
        path = f.value("path").strip()
        if not path:
            errors["path"] = "Choose the file (Browse…)."
        day = f.day("doc_date")
        if day is None:
            errors["doc_date"] = f.parse_errors.get(
                "doc_date", "Enter the document's date (MM/DD/YYYY)."
            )
        f.show_errors(errors)
        if errors or day is None:
            return
        if self._attach(Path(path), DocumentKind(str(f.choice("kind"))), day) is not None:
            self.accept()


class DocumentViewer(QDialog):
    """A document shown inside the app, from its bytes in memory (never a copy on disk)."""

    def __init__(
        self, doc: pas.DocumentRecord, content: bytes, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("documentViewer")
        self.setWindowTitle(f"{DOCUMENT_LABELS[doc.kind]} — {doc.filename}")
        lay = QVBoxLayout(self)
        head = QLabel(
            f"<b>{DOCUMENT_LABELS[doc.kind]}</b> · {us(doc.doc_date)} · {doc.filename}"
            f" · {file_size(doc.size)} · added by {doc.added_by}"
        )
        lay.addWidget(head)
        self.view: QWidget
        self.pdf: QPdfDocument | None = None
        self.buffer: QBuffer | None = None
        if doc.media_type == "application/pdf":
            self.view = self._pdf(content)
        elif doc.media_type.startswith("image/"):
            self.view = self._image(content)
        elif doc.media_type == "text/plain":
            text = QPlainTextEdit(content.decode("utf-8", errors="replace"))
            text.setObjectName("documentText")
            text.setReadOnly(True)
            self.view = text
        else:
            self.view = self._cannot("infudesk cannot show this kind of file.")
        lay.addWidget(self.view, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        fit_to_screen(self, 820, 900)

    def _cannot(self, why: str) -> QLabel:
        label = QLabel(
            f"{why} Close this window, then use Export… under the case's documents to save "
            "a copy and open it in another program."
        )
        label.setObjectName("cannotShow")
        label.setWordWrap(True)
        return label

    def _pdf(self, content: bytes) -> QWidget:
        self.buffer = QBuffer(self)
        self.buffer.setData(QByteArray(content))
        self.buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.pdf = QPdfDocument(self)
        self.pdf.load(self.buffer)
        if self.pdf.status() != QPdfDocument.Status.Ready or self.pdf.pageCount() < 1:
            return self._cannot(
                "This PDF cannot be shown (it may be damaged or password-protected)."
            )
        view = QPdfView(self)
        view.setObjectName("pdfView")
        view.setDocument(self.pdf)
        view.setPageMode(QPdfView.PageMode.MultiPage)
        view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        return view

    def _image(self, content: bytes) -> QWidget:
        pixmap = QPixmap()
        if not pixmap.loadFromData(content) or pixmap.isNull():
            return self._cannot("This image cannot be shown.")
        if pixmap.width() > 780:
            pixmap = pixmap.scaledToWidth(780, Qt.TransformationMode.SmoothTransformation)
        label = QLabel()
        label.setObjectName("documentImage")
        label.setPixmap(pixmap)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        scroll = QScrollArea()
        scroll.setWidget(label)
        scroll.setWidgetResizable(True)
        return scroll


# --- the case ----------------------------------------------------------------------------------


class PriorAuthDialog(QDialog):
    """One case. Signals: changed(): something was saved (a step, a visit, a document)."""

    changed = Signal()

    def __init__(
        self,
        backend: Backend,
        case_id: int,
        today: Callable[[], date] = date.today,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("priorAuthDialog")
        self.backend = backend
        self.case_id = case_id
        self.today = today
        self.record: pas.CaseRecord = backend.query(pas.get_case, case_id)
        self.order: ors.OrderRecord | None = None
        self.action_buttons: dict[Action, QPushButton] = {}
        self.missing: list[DocumentKind] = []
        self.letter_preview: LetterPreview | None = None
        self._build()
        self.reload(self.record)
        fit_to_screen(self, 1180, 700)  # fits a 1366x768 screen with its task bar (728 px)

    # -- construction --------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        self.title = QLabel("")
        self.title.setObjectName("pageTitle")
        outer.addWidget(self.title)
        self.subtitle = QLabel("")
        self.subtitle.setObjectName("pageSubtitle")
        self.subtitle.setWordWrap(True)
        outer.addWidget(self.subtitle)
        self.state_label = QLabel("")
        self.state_label.setObjectName("caseState")
        self.state_label.setWordWrap(True)
        outer.addWidget(self.state_label)
        steps = QHBoxLayout()
        self.steps_label = QLabel("Next step:")
        steps.addWidget(self.steps_label)
        self.actions_bar = QHBoxLayout()
        steps.addLayout(self.actions_bar)
        steps.addStretch(1)
        outer.addLayout(steps)

        # the panels scroll together when the screen is smaller than they need (a big font)
        body = QWidget()
        grid = QGridLayout(body)
        grid.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setObjectName("caseBody")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)
        grid.addWidget(self._approval_panel(), 0, 0)
        grid.addWidget(self._documents_panel(), 0, 1)
        reminders = QGroupBox("Reminders")
        rl = QVBoxLayout(reminders)
        self.reminder_list = QListWidget()
        self.reminder_list.setObjectName("reminderList")
        self.reminder_list.setWordWrap(True)
        self.reminder_list.setSpacing(3)
        self.reminder_list.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        rl.addWidget(self.reminder_list)
        grid.addWidget(reminders, 1, 0)
        history = QGroupBox("History")
        hl = QVBoxLayout(history)
        self.history_table = _table(("Date", "By", "Step", "From → to", "Note"), "historyTable")
        hl.addWidget(self.history_table)
        grid.addWidget(history, 1, 1)
        grid.setRowStretch(0, 3)
        grid.setRowStretch(1, 2)
        # a few rows of each list stay readable; with a large font the panels scroll instead
        for view in (self.doc_table, self.reminder_list, self.history_table):
            view.setMinimumHeight(view.fontMetrics().lineSpacing() * 5)
        grid.setColumnStretch(0, 4)
        grid.setColumnStretch(1, 5)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.packet_button = buttons.addButton("PA packet…", QDialogButtonBox.ButtonRole.ActionRole)
        self.packet_button.setObjectName("paPacketButton")
        self.packet_button.setToolTip("Cover sheet and letter of medical necessity: preview, print")
        self.packet_button.clicked.connect(lambda: self.open_letter("pa-packet"))
        self.appeal_button = buttons.addButton(
            "Appeal letter…", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.appeal_button.setObjectName("appealLetterButton")
        self.appeal_button.setToolTip("A letter asking the payer to reconsider: preview, print")
        self.appeal_button.clicked.connect(lambda: self.open_letter("appeal"))
        buttons.rejected.connect(self.reject)
        outer.addWidget(buttons)

    def open_letter(self, kind: str) -> LetterPreview | None:
        """Preview the patient's PA packet or appeal letter (to print or save)."""
        self.letter_preview = show_letter(
            self,
            self.backend,
            kind,
            self.record.patient_id,
            today=self.today(),
            case_id=self.record.id,  # this case, not just the patient's latest
        )
        return self.letter_preview

    def _approval_panel(self) -> QGroupBox:
        box = QGroupBox("Approval")
        lay = QVBoxLayout(box)
        self.approval_label = QLabel("")
        self.approval_label.setObjectName("approvalSummary")
        self.approval_label.setWordWrap(True)
        self.approval_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.approval_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.approval_label)
        self.usage_table = QTableWidget(0, 5)
        self.usage_table.setObjectName("usageTable")
        self.usage_table.setHorizontalHeaderLabels(["Code", "Approved", "Used", "Left", ""])
        self.usage_table.verticalHeader().hide()
        self.usage_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.usage_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.usage_table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        header = self.usage_table.horizontalHeader()
        for col in range(4):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.usage_table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        lay.addWidget(self.usage_table)
        visits = QHBoxLayout()
        self.visits_label = QLabel("")
        self.visits_label.setObjectName("visitsLeft")
        visits.addWidget(self.visits_label)
        self.visits_bar = _bar(0, 1, "visitsBar")
        visits.addWidget(self.visits_bar, 1)
        lay.addLayout(visits)
        bar = QHBoxLayout()
        self.record_button = QPushButton("Record visit…")
        self.record_button.setObjectName("recordVisitButton")
        self.record_button.clicked.connect(self.record_visit)
        bar.addWidget(self.record_button)
        bar.addStretch(1)
        lay.addLayout(bar)
        self.usage_list = _table(("Visit", "Units used", "Reason beyond the approval"), "usageList")
        self.usage_list.setWordWrap(False)
        lay.addWidget(self.usage_list, 1)
        lay.addStretch(0)
        return box

    def _documents_panel(self) -> QGroupBox:
        box = QGroupBox("Documents")
        lay = QVBoxLayout(box)
        self.doc_table = _table(
            ("What", "Date", "File", "Size", "Added by", "Status"), "documentTable"
        )
        self.doc_table.setWordWrap(False)
        lay.addWidget(self.doc_table, 1)
        bar = QHBoxLayout()
        self.add_doc_button = QPushButton("Add…")
        self.add_doc_button.setObjectName("addDocumentButton")
        self.open_doc_button = QPushButton("Open")
        self.open_doc_button.setObjectName("openDocumentButton")
        self.export_doc_button = QPushButton("Export…")
        self.export_doc_button.setObjectName("exportDocumentButton")
        self.remove_doc_button = QPushButton("Remove…")
        self.remove_doc_button.setObjectName("removeDocumentButton")
        for b in (
            self.add_doc_button,
            self.open_doc_button,
            self.export_doc_button,
            self.remove_doc_button,
        ):
            bar.addWidget(b)
        bar.addStretch(1)
        lay.addLayout(bar)
        self.checklist_label = QLabel("")
        self.checklist_label.setObjectName("checklistLabel")
        lay.addWidget(self.checklist_label)
        self.checklist = QListWidget()
        self.checklist.setObjectName("documentChecklist")
        self.checklist.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.checklist.setMaximumHeight(150)
        lay.addWidget(self.checklist)
        self.add_doc_button.clicked.connect(self.add_document)
        self.open_doc_button.clicked.connect(lambda: self._with_selected(self.open_document))
        self.export_doc_button.clicked.connect(self.export_selected)
        self.remove_doc_button.clicked.connect(lambda: self._with_selected(self.remove_document))
        self.doc_table.doubleClicked.connect(lambda _i: self._with_selected(self.open_document))
        self.doc_table.itemSelectionChanged.connect(self._doc_buttons)
        return box

    # -- loading -------------------------------------------------------------------------
    def refresh(self) -> None:
        try:
            rec = self.backend.query(pas.get_case, self.case_id)
        except Exception as exc:
            report(self, exc)
            return
        self.reload(rec)

    def reload(self, rec: pas.CaseRecord) -> None:
        self.record = rec
        self.order = None
        if rec.order_id is not None:
            try:
                self.order = self.backend.query(ors.get_order, rec.order_id)
            except Exception as exc:
                report(self, exc)
        case = rec.case
        self.setWindowTitle(f"Prior authorization #{rec.id} — {rec.patient_name}")
        self.title.setText(f"{rec.patient_name} ({rec.mrn}) · prior authorization #{rec.id}")
        plan = pas.coverage_plan_words(rec.plan_type)
        self.subtitle.setText(
            f"{rec.payer_name} ({plan}) · {rec.order_label}"
            + (f" · Notes: {rec.notes}" if rec.notes else "")
        )
        self._show_state(rec)
        self._show_actions(rec)
        self.appeal_button.setVisible(case.state in (State.DENIED, State.APPEAL_DENIED))
        self._show_approval(rec)
        self._show_documents(rec)
        self._show_reminders(rec)
        rows = [
            (
                us(e.on),
                e.by,
                ACTION_LABELS[e.action],
                f"{STATE_LABELS[e.from_state]} → {STATE_LABELS[e.to_state]}",
                e.note,
            )
            for e in reversed(case.events)
        ]
        _fill(self.history_table, rows, list(range(len(rows))))

    def _show_state(self, rec: pas.CaseRecord) -> None:
        case = rec.case
        parts = [f"<b style='color:{STATE_COLORS[case.state]}'>{STATE_LABELS[case.state]}</b>"]
        if case.urgent:
            parts.append("<b style='color:#b00020'>URGENT</b>")
        if case.submitted_on:
            parts.append(f"submitted {us(case.submitted_on)}")
        if case.state is State.PENDING and case.follow_up:
            parts.append(f"follow up on {us(case.follow_up)}")
        if case.denied_on and case.state in APPEAL_STATES | {State.EXTERNAL_REVIEW}:
            parts.append(f"denied {us(case.denied_on)}")
        if case.appeal_submitted_on and case.state in APPEAL_STATES | {State.EXTERNAL_REVIEW}:
            parts.append(f"appealed {us(case.appeal_submitted_on)}")
        text = "State: " + " · ".join(parts)
        if case.denial_reason and case.state in APPEAL_STATES | {State.EXTERNAL_REVIEW}:
            text += f"<br>Payer's reason: {html.escape(case.denial_reason)}"
        if case.state is State.DENIED:
            text += f"<br><b>{html.escape(rec.appeal_by())}</b>"
        if case.state in APPEAL_STATES and not any(
            e.action is Action.REQUEST_EXTERNAL_REVIEW for e in case.events
        ):
            text += f"<br>{html.escape(rec.next_step())}"
        self.state_label.setText(text)

    def _show_actions(self, rec: pas.CaseRecord) -> None:
        while self.actions_bar.count():
            item = self.actions_bar.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()  # until it is deleted it would show, unplaced, over the dialog
                widget.deleteLater()
        self.action_buttons = {}
        allowed = pa.allowed_actions(rec.case.state, rec.case.events, rec.plan_type)
        for action in allowed:
            button = QPushButton(ACTION_LABELS[action] + "…")
            button.setObjectName(f"action_{action.value}")
            button.clicked.connect(lambda _c=False, a=action: self.take(a))
            self.actions_bar.addWidget(button)
            button.show()  # now, not on the next turn of the event loop
            self.action_buttons[action] = button
        if rec.case.state in FOLLOWED_STATES:  # an approval is not amended: asked again
            again = QPushButton("New request…")
            again.setObjectName("newRequestButton")
            again.setToolTip(
                "Ask the payer again (a new period, more units, another code): a new case for "
                "the same coverage and order, its notes naming this one"
            )
            again.clicked.connect(self.new_request)
            self.actions_bar.addWidget(again)
            again.show()
        self.steps_label.setText(
            "Next step:" if allowed else "This case is closed: start a new case for a new request."
        )

    def _show_approval(self, rec: pas.CaseRecord) -> None:
        approval = rec.case.approval
        left = rec.remaining()
        has = approval is not None and left is not None
        for w in (self.usage_table, self.visits_label, self.visits_bar):
            w.setVisible(has)
        in_force = rec.case.state in pa.APPROVAL_STATES
        self.record_button.setEnabled(has and in_force and rec.order_id is not None)
        self.record_button.setToolTip(
            "" if in_force else "Visits are recorded against an approved case."
        )
        used: dict[str, int] = {}
        for u in rec.usages:
            code = normalize_code(u.code)
            used[code] = used.get(code, 0) + u.units
        if approval is None or left is None:
            self.approval_label.setText("No approval recorded yet.")
            self.usage_table.setRowCount(0)
        else:
            site = SITE_LABELS.get(approval.site, approval.site) if approval.site else "not named"
            lapsed = "" if in_force else f" <i>({STATE_LABELS[rec.case.state].lower()})</i>"
            self.approval_label.setText(
                f"Authorization <b>{html.escape(approval.auth_number)}</b>{lapsed}<br>"
                f"{us(approval.start)} – {us(approval.end)} · site of care: {html.escape(site)}"
            )
            units = approval.units()
            extra = [c for c in left.over if c not in units]
            codes = [*units, *extra]
            self.usage_table.setRowCount(len(codes))
            for r, code in enumerate(codes):
                total = units.get(code, 0)
                remaining = left.units_by_code.get(code, 0)
                over = left.over.get(code, 0)
                cells = [
                    code,
                    str(total),
                    str(used.get(code, 0)),
                    f"{remaining}" + (f" (over by {over})" if over else ""),
                ]
                for c, text in enumerate(cells):
                    item = QTableWidgetItem(text)
                    if c == 3 and (over or remaining == 0):
                        item.setForeground(QColor("#b00020"))
                    self.usage_table.setItem(r, c, item)
                bar = self.usage_table.cellWidget(r, 4)
                if isinstance(bar, QProgressBar):  # reused: a replaced one lingers until deleted
                    set_bar(bar, remaining, total)
                else:
                    self.usage_table.setCellWidget(r, 4, _bar(remaining, total))
            rows_height = sum(self.usage_table.rowHeight(r) for r in range(len(codes)))
            self.usage_table.setFixedHeight(
                self.usage_table.horizontalHeader().height() + rows_height + 4
            )
            if approval.visits is None:
                self.visits_label.setText(
                    f"Visits: {sum(1 for u in rec.usages if u.visit)} recorded (no visit limit)"
                )
                self.visits_bar.hide()
            else:
                visits_left = left.visits or 0
                beyond = f", {left.visits_over} over" if left.visits_over else ""
                self.visits_label.setText(
                    f"Visits: {visits_left} of {approval.visits} left{beyond}"
                )
                set_bar(self.visits_bar, visits_left, approval.visits)
                self.visits_bar.show()
        rows = visit_rows(rec.usages)
        _fill(self.usage_list, rows, list(range(len(rows))))
        self.usage_list.setVisible(bool(rows))

    def _show_documents(self, rec: pas.CaseRecord) -> None:
        current = _selected(self.doc_table)
        rows, colors = [], []
        for d in rec.documents:
            status = f"Removed by {d.removed_by}: {d.removed_reason}" if d.removed else ""
            rows.append(
                (
                    DOCUMENT_LABELS[d.kind],
                    us(d.doc_date),
                    d.filename,
                    file_size(d.size),
                    d.added_by,
                    status,
                )
            )
            colors.append(REMOVED_COLOR if d.removed else None)
        _fill(self.doc_table, rows, [d.id for d in rec.documents])
        for r, color in enumerate(colors):
            if color is None:
                continue
            for c in range(self.doc_table.columnCount()):
                cell = self.doc_table.item(r, c)
                if cell is not None:
                    cell.setForeground(QColor(color))
                    font = cell.font()
                    font.setItalic(True)
                    cell.setFont(font)
        for r, d in enumerate(rec.documents):
            if d.id == current:
                self.doc_table.selectRow(r)
        self._doc_buttons()
        self.missing = rec.missing_documents()
        appeal = rec.case.state in APPEAL_STATES
        required = pa.REQUIRED_FOR_APPEAL if appeal else pa.REQUIRED_FOR_SUBMISSION
        present = {d.kind for d in rec.documents if not d.removed}
        self.checklist.clear()
        for kind in (*required, *pa.RECOMMENDED):
            recommended = kind in pa.RECOMMENDED
            if kind in present:
                text, color = f"✔  {DOCUMENT_LABELS[kind]}", "#1b6e20"
            elif recommended:
                text, color = f"○  {DOCUMENT_LABELS[kind]} (recommended)", "#777777"
            else:
                text, color = f"✘  {DOCUMENT_LABELS[kind]} — missing", "#b00020"
            item = QListWidgetItem(text)
            item.setForeground(QColor(color))
            item.setData(Qt.ItemDataRole.UserRole, kind.value)
            self.checklist.addItem(item)
        what = "the appeal" if appeal else "submission"
        n = len(self.missing)
        self.checklist_label.setText(
            f"<b>Required for {what}:</b> all attached"
            if not n
            else f"<b>Required for {what}:</b> <span style='color:#b00020'>{n} missing</span>"
        )

    def _show_reminders(self, rec: pas.CaseRecord) -> None:
        self.reminder_list.clear()
        due = rec.reminders(self.today())
        for r in due:
            item = QListWidgetItem(f"{reminder_line(r)}\n{r.text}")
            item.setForeground(QColor(SEVERITY_COLORS[r.severity]))
            item.setData(Qt.ItemDataRole.UserRole, r.kind.value)
            self.reminder_list.addItem(item)
        if not due:
            item = QListWidgetItem(
                "Nothing due."
                if rec.case.state in pa.OPEN_STATES
                else "Closed: nothing more to do."
            )
            item.setForeground(QColor("#777777"))
            self.reminder_list.addItem(item)

    def _doc_buttons(self) -> None:
        doc = self._selected_document()
        for b in (self.open_doc_button, self.export_doc_button):
            b.setEnabled(doc is not None)
        self.remove_doc_button.setEnabled(doc is not None and not doc.removed)

    def _selected_document(self) -> pas.DocumentRecord | None:
        ident = _selected(self.doc_table)
        return next((d for d in self.record.documents if d.id == ident), None)

    def _with_selected(self, fn: Callable[[int], object]) -> None:
        doc = self._selected_document()
        if doc is not None:
            fn(doc.id)

    def _saved(self, rec: pas.CaseRecord | None = None) -> None:
        if rec is None:
            self.refresh()
        else:
            self.reload(rec)
        self.changed.emit()

    # -- steps ---------------------------------------------------------------------------
    def take(self, action: Action) -> bool:
        """Ask what the step needs and take it; True once it is recorded."""
        if action not in pa.allowed_actions(
            self.record.case.state, self.record.case.events, self.record.plan_type
        ):
            return False
        dlg = StepDialog(
            self.backend, self.record, action, today=self.today, order=self.order, parent=self
        )
        if dlg.exec() != QDialog.DialogCode.Accepted or dlg.saved is None:
            return False
        self._saved(dlg.saved)
        return True

    def new_request(self) -> None:
        """A new case following this one (pre-filled), opened once created."""
        from infudesk.ui.prior_auth.prior_auth_tab import new_case_following

        saved = new_case_following(self, self.backend, self.today, self.case_id)
        if saved is None:
            return
        self.changed.emit()  # the lists behind show the new case
        open_case(self, self.backend, saved.id, self.today)

    def record_visit(self) -> bool:
        """Record a visit of the order (or another date) under the approval."""

        def record(on: date, planned: int | None, reason: str) -> pas.CaseRecord:
            if planned is None:  # an extra visit on another date: its units on this case
                return self.backend.mutate(
                    pas.record_visit,
                    self.case_id,
                    on=on,
                    planned_visit_id=None,
                    reason=reason,
                    today=self.today(),
                )
            # a planned visit is recorded given as from the worklist or the Visits tab: its
            # units, what assistance pays off the balance, and not ahead of its day
            try:
                self.backend.mutate(
                    vsv.mark_given,
                    planned,
                    reason=reason or None,
                    today=self.today(),
                    case_id=self.case_id,
                )
            except vsv.OverApproved as exc:
                raise ValidationFailed(
                    {"reason": " ".join(e.message for e in exc.exceeded)}
                ) from exc
            return self.backend.query(pas.get_case, self.case_id)

        dlg = RecordVisitDialog(self.order, record, today=self.today, parent=self)
        if dlg.exec() != QDialog.DialogCode.Accepted or dlg.saved is None:
            return False
        self._saved(dlg.saved)
        return True

    # -- documents -----------------------------------------------------------------------
    def add_document(self) -> None:
        kind = self.record.missing_documents()
        dlg = AttachDialog(
            self.attach, kind=kind[0] if kind else DocumentKind.OTHER, today=self.today, parent=self
        )
        dlg.exec()

    def attach(
        self, path: Path, kind: DocumentKind | str, doc_date: date
    ) -> pas.DocumentRecord | None:
        """Keep the file with the case; None (after telling the user why) when it is refused."""
        name = path.name
        try:
            size = path.stat().st_size
            if size > pas.MAX_DOCUMENT_BYTES:
                tell(
                    self,
                    f"{name} is {size / 1e6:.0f} MB: the limit is 50 MB. Scan it at a lower "
                    "resolution or split it, then add it again.",
                    "Document not added",
                )
                return None
            if not path.is_file():
                tell(
                    self, f"{name} is not a file: choose the document itself.", "Document not added"
                )
                return None
            content = path.read_bytes()
        except OSError as exc:
            tell(
                self,
                f"{name} cannot be read ({exc.strerror or exc}). Check that it exists, that "
                "you may open it, and that no other program holds it, then try again.",
                "Document not added",
            )
            return None
        try:
            doc = self.backend.mutate(
                pas.add_document,
                self.case_id,
                kind=str(DocumentKind(kind)),
                doc_date=doc_date,
                filename=name,
                content=content,
            )
        except ValidationFailed as exc:
            tell(self, "\n".join(exc.errors.values()), "Document not added")
            return None
        except Exception as exc:
            report(self, exc)
            return None
        self._saved()
        return doc

    def _content(self, document_id: int, purpose: str) -> bytes | None:
        try:
            return self.backend.mutate(pas.document_content, document_id, purpose=purpose)
        except Exception as exc:
            report(self, exc)
            return None

    def open_document(self, document_id: int) -> DocumentViewer | None:
        """Show the document in a window of the app (from memory: no copy is written)."""
        doc = next((d for d in self.record.documents if d.id == document_id), None)
        content = self._content(document_id, "open") if doc else None
        if doc is None or content is None:
            return None
        viewer = DocumentViewer(doc, content, self)
        viewer.exec()
        return viewer

    def export_selected(self) -> None:
        doc = self._selected_document()
        if doc is None:
            return
        path, _ = QFileDialog.getSaveFileName(
            self, "Export a copy of the document", str(Path.home() / doc.filename)
        )
        if path:
            self.export(doc.id, Path(path))

    def export(self, document_id: int, path: Path) -> bool:
        """Write a copy of the document where the user asked (an explicit, audited copy:
        staged, recorded, then put in place; the file dialog asked before replacing)."""
        try:
            self.backend.mutate(
                pas.export_document, document_id, path, force=True, make_folders=False
            )
        except Exception as exc:
            report(self, exc)
            return False
        return True

    def remove_document(self, document_id: int) -> bool:
        """Take a document off the list, saying why (its record and file are kept)."""
        doc = next((d for d in self.record.documents if d.id == document_id), None)
        if doc is None or doc.removed:
            return False
        reason = ""
        while True:
            reason, ok = QInputDialog.getText(
                self,
                "Remove document",
                f"Why is {doc.filename} removed? (e.g. wrong patient, duplicate)\n"
                "It leaves the list; its record is kept.",
                QLineEdit.EchoMode.Normal,
                reason,
            )
            if not ok:
                return False
            try:
                self.backend.mutate(pas.remove_document, document_id, reason=reason)
            except ValidationFailed as exc:
                tell(self, "\n".join(exc.errors.values()), "Document not removed")
                continue
            except Exception as exc:
                report(self, exc)
                return False
            self._saved()
            return True


def open_case(
    parent: QWidget, backend: Backend, case_id: int, today: Callable[[], date] = date.today
) -> bool:
    """Show a case; True when something in it was saved."""
    try:
        dlg = PriorAuthDialog(backend, case_id, today, parent)
    except Exception as exc:
        report(parent, exc)
        return False
    saved: list[bool] = []
    dlg.changed.connect(lambda: saved.append(True))
    dlg.exec()
    return bool(saved)
