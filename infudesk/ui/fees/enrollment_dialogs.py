"""Assistance that runs out, on the patient screen: enrolling the patient in a program of the
shared directory (and editing where the application stands, the amounts and dates), screening
from household size, income and state, and the directory itself."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from infudesk.domain import assistance as da
from infudesk.domain.money import format_money
from infudesk.errors import ValidationFailed
from infudesk.services import assistance as asv
from infudesk.ui.common.ops import Backend, ask_unsaved, attempt, report
from infudesk.ui.common.screen import fit_to_screen
from infudesk.ui.common.widgets import Form
from infudesk.ui.patients.patient_tabs import _fill, _selected, _table

KIND_LABELS = {
    "copay_card": "Copay card",
    "foundation_grant": "Foundation grant",
    "discount": "Discount",
}
FIT_COLOR = "#2e7d32"
NOT_COLOR = "#8a1c1c"
UNKNOWN_COLOR = "#8a5a00"  # no rules on file: ask the sponsor
HINT = "color: #555;"


def status_text(e: asv.EnrollmentRecord, today: date) -> tuple[str, str | None]:
    """The enrollment's status in words, and a color when it needs attention."""
    d = e.data
    label = asv.ENROLLMENT_STATUSES.get(d.status, d.status)
    if d.status == "approved" and d.expires is not None and d.expires < today:
        return f"{label}, expired {d.expires:%m/%d/%Y}", NOT_COLOR
    if d.reenroll_on is not None and d.reenroll_on <= today and d.status == "approved":
        return f"{label}, re-enroll now", NOT_COLOR
    if d.status in ("screening", "applied"):
        return label, "#c77800"
    if d.status in ("denied", "expired"):
        return label, "#888"
    return label, None


def balance_text(e: asv.EnrollmentRecord) -> str:
    """What is left: a grant's balance, a card's annual maximum less what was used."""
    d, p = e.data, e.program.data
    if p.kind == "discount":
        return f"{(p.percent or 0) * 100:.0f}% off"
    if d.balance is not None:
        return format_money(d.balance)
    if p.annual_max is not None:
        return format_money(max(p.annual_max - d.used, Decimal("0"))) + " of the year's max"
    return "—"


def enrollment_rows(
    records: list[asv.EnrollmentRecord], today: date
) -> list[tuple[str, str, str, str, str, str, str, str]]:
    return [
        (
            KIND_LABELS.get(e.program.data.kind, e.program.data.kind),
            e.program.data.name,
            status_text(e, today)[0],
            format_money(e.data.amount_approved, blank="—"),
            format_money(e.data.used),
            balance_text(e),
            f"{e.data.expires:%m/%d/%Y}" if e.data.expires else "—",
            f"{e.data.reenroll_on:%m/%d/%Y}" if e.data.reenroll_on else "—",
        )
        for e in records
    ]


class EnrollmentDialog(QDialog):
    """Enroll the patient in a directory program, or edit an enrollment (``record``);
    ``saved`` once accepted."""

    def __init__(
        self,
        backend: Backend,
        patient_id: int,
        directory: list[asv.DirectoryRecord],
        *,
        record: asv.EnrollmentRecord | None = None,
        program_id: int | None = None,
        today: Callable[[], date] = date.today,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("enrollmentDialog")
        self.setWindowTitle("Edit enrollment" if record else "Enroll in a program")
        self.backend = backend
        self.patient_id = patient_id
        self.record = record
        self.saved: asv.EnrollmentRecord | None = None
        self.form = f = Form(today)
        lay = QVBoxLayout(self)
        fl = QFormLayout()
        lay.addLayout(fl)
        programs = [
            (p.id, f"{p.data.name} ({KIND_LABELS.get(p.data.kind, p.data.kind)})")
            for p in directory
        ]
        if record is not None and record.program.id not in {p for p, _ in programs}:
            programs.append((record.program.id, record.program.data.name))
        fl.addRow("Program *", f.combo("program_id", programs))
        fl.addRow("Status *", f.combo("status", list(asv.ENROLLMENT_STATUSES.items())))
        fl.addRow("Member / card id", f.line("member_id"))
        fl.addRow("Group / BIN", f.line("group_id"))
        fl.addRow("Applied on", f.line("applied_on", "MM/DD/YYYY"))
        fl.addRow("Approved on", f.line("approved_on", "MM/DD/YYYY"))
        fl.addRow("Amount approved", f.line("amount_approved", "$ for the period"))
        fl.addRow("Used so far", f.line("used", "$ (given visits add to it)"))
        fl.addRow("Balance left", f.line("balance", "empty: approved less used"))
        fl.addRow("Expires", f.line("expires", "MM/DD/YYYY"))
        fl.addRow("Re-enroll on", f.line("reenroll_on", "MM/DD/YYYY"))
        fl.addRow("Notes", f.text("notes", 50))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("saveEnrollmentButton")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        if record is not None:
            d = record.data
            f.set("program_id", d.program_id)
            f.set("status", d.status)
            for name in ("member_id", "group_id", "notes"):
                f.set(name, getattr(d, name))
            for name in ("applied_on", "approved_on", "expires", "reenroll_on"):
                f.set(name, getattr(d, name))
            f.set_money("amount_approved", d.amount_approved)
            f.set_money("used", d.used)
            f.set_money("balance", d.balance)
        elif program_id is not None:
            f.set("program_id", program_id)
        fit_to_screen(self, 520)

    def data(self) -> asv.EnrollmentData | None:
        f = self.form
        f.begin_read()
        program = f.choice("program_id")
        d = asv.EnrollmentData(
            program_id=program if isinstance(program, int) else 0,
            status=str(f.choice("status")),
            member_id=f.value("member_id").strip(),
            group_id=f.value("group_id").strip(),
            applied_on=f.day("applied_on"),
            approved_on=f.day("approved_on"),
            amount_approved=f.money("amount_approved"),
            used=f.money("used") or Decimal("0"),
            balance=f.money("balance"),
            expires=f.day("expires"),
            reenroll_on=f.day("reenroll_on"),
            notes=f.value("notes").strip(),
        )
        if f.parse_errors:
            f.show_errors(dict(f.parse_errors))
            return None
        if self.record is not None:
            d = replace(d, active=self.record.data.active)
        return d

    def save(self) -> None:
        d = self.data()
        if d is None:
            return
        errors = asv.validate_enrollment(d)
        if errors:
            self.form.show_errors(errors)
            return
        try:
            if self.record is None:
                self.saved = self.backend.mutate(asv.enroll, self.patient_id, d)
            else:
                self.saved = self.backend.mutate(asv.update_enrollment, self.record.id, d)
        except ValidationFailed as exc:
            self.form.show_errors(exc.errors)
            return
        except Exception as exc:
            report(self, exc)
            return
        self.accept()


class ScreeningDialog(QDialog):
    """Household size, yearly income and state → which directory programs fit, and why not
    the others; a fitting one can be enrolled in at once (``enroll_program`` once accepted)."""

    def __init__(
        self,
        backend: Backend,
        patient_id: int,
        *,
        state: str = "",
        today: Callable[[], date] = date.today,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("screeningDialog")
        self.setWindowTitle("Screen for assistance programs")
        self.backend = backend
        self.patient_id = patient_id
        self.today = today
        self.screening: da.Screening | None = None
        self.enroll_program: int | None = None
        lay = QVBoxLayout(self)
        row = QHBoxLayout()
        row.addWidget(QLabel("Household size"))
        self.household = QSpinBox()
        self.household.setObjectName("household")
        self.household.setRange(1, 20)
        row.addWidget(self.household)
        row.addWidget(QLabel("Yearly income $"))
        self.income = QLineEdit()
        self.income.setObjectName("income")
        self.income.setPlaceholderText("the household's, in dollars")
        row.addWidget(self.income, 1)
        row.addWidget(QLabel("State"))
        self.state = QLineEdit(state)
        self.state.setObjectName("state")
        self.state.setMaxLength(2)
        self.state.setFixedWidth(44)
        row.addWidget(self.state)
        self.screen_button = QPushButton("Screen")
        self.screen_button.setObjectName("screenButton")
        self.screen_button.setDefault(True)
        row.addWidget(self.screen_button)
        lay.addLayout(row)
        self.summary = QLabel(
            "Enter the household's size, its income for the year and the state it lives in."
        )
        self.summary.setObjectName("screeningSummary")
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet(HINT)
        lay.addWidget(self.summary)
        self.results = QListWidget()
        self.results.setObjectName("screeningResults")
        self.results.setWordWrap(True)
        lay.addWidget(self.results, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.enroll_button = QPushButton("Enroll in this program…")
        self.enroll_button.setObjectName("enrollFitButton")
        self.enroll_button.setEnabled(False)
        close = QPushButton("Close")
        close.setObjectName("closeScreeningButton")
        buttons.addWidget(self.enroll_button)
        buttons.addWidget(close)
        lay.addLayout(buttons)
        self.screen_button.clicked.connect(self.run)
        self.income.returnPressed.connect(self.run)
        self.results.currentItemChanged.connect(lambda *_: self._selected())
        self.enroll_button.clicked.connect(self._enroll)
        close.clicked.connect(self.reject)
        fit_to_screen(self, 640, 480)

    def run(self) -> bool:
        text = self.income.text().strip().replace(",", "").lstrip("$")
        try:
            income = Decimal(text)
            if not income.is_finite():
                raise ArithmeticError
        except ArithmeticError:
            self.summary.setText("Type the yearly household income, e.g. 41,000.")
            self.summary.setStyleSheet("color: #b00020;")
            return False
        pid, size, state = self.patient_id, self.household.value(), self.state.text().strip()
        try:
            result = self.backend.query(
                asv.screen_patient,
                pid,
                household=size,
                income=income,
                state=state,
                today=self.today(),
            )
        except ValidationFailed as exc:
            self.summary.setText(" ".join(exc.errors.values()))
            self.summary.setStyleSheet("color: #b00020;")
            return False
        except Exception as exc:
            report(self, exc)
            return False
        self.show_result(result)
        return True

    def show_result(self, r: da.Screening) -> None:
        self.screening = r
        fits = [f for f in r.fits if f.fits]
        unknown = sum(1 for f in r.fits if f.unknown)
        self.summary.setStyleSheet(HINT)
        self.summary.setText(
            f"{r.fpl_percent}% of the {r.year} poverty guideline (${r.guideline:,} for this "
            f"household). {len(fits)} of {len(r.fits)} programs fit"
            + (f"; {unknown} without rules on file to ask about." if unknown else ".")
        )
        self.results.clear()
        for f in r.fits:
            if f.fits:
                text, color = f"✓ {f.name}: fits", FIT_COLOR
            elif f.unknown:
                text, color = f"? {f.name}: " + " ".join(f.reasons), UNKNOWN_COLOR
            else:
                text, color = f"✗ {f.name}: " + " ".join(f.reasons), NOT_COLOR
            item = QListWidgetItem(text)
            # a program to ask about may still be applied for
            can_enroll = f.fits or f.unknown
            item.setData(Qt.ItemDataRole.UserRole, f.program_id if can_enroll else None)
            item.setForeground(QColor(color))
            self.results.addItem(item)
        if not r.fits:
            self.results.addItem("The directory has no active program: add one with Directory….")

    def _selected(self) -> None:
        item = self.results.currentItem()
        self.enroll_button.setEnabled(
            item is not None and isinstance(item.data(Qt.ItemDataRole.UserRole), int)
        )

    def _enroll(self) -> None:
        item = self.results.currentItem()
        if item is None:
            return
        program = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(program, int):
            self.enroll_program = program
            self.accept()


class DirectoryDialog(QDialog):
    """The programs every patient can be enrolled in (shared): choose one to correct its rules
    or retire it, or add one (New program)."""

    COLUMNS = ("Kind", "Program", "Sponsor", "Drugs", "Rules", "Renewal")

    def __init__(self, backend: Backend, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("directoryDialog")
        self.setWindowTitle("Assistance program directory")
        self.backend = backend
        self.records: list[asv.DirectoryRecord] = []
        self.editing: asv.DirectoryRecord | None = None
        lay = QVBoxLayout(self)
        hint = QLabel(
            "Programs listed here are offered to every patient: screening checks their rules, "
            "and a patient is enrolled in one from the Assistance tab. Choose a program to "
            "correct it."
        )
        hint.setWordWrap(True)
        hint.setStyleSheet(HINT)
        lay.addWidget(hint)
        self.table = _table(self.COLUMNS, "directoryTable")
        lay.addWidget(self.table, 1)
        self.form_title = QLabel("<b>New program</b>")
        self.form_title.setObjectName("directoryFormTitle")
        lay.addWidget(self.form_title)
        self.form = f = Form()
        fl = QFormLayout()
        fl.addRow("Kind", f.combo("kind", list(KIND_LABELS.items())))
        fl.addRow("Name *", f.line("name", "e.g. PAN Foundation — Crohn's disease"))
        fl.addRow("Sponsor", f.line("sponsor"))
        fl.addRow("Drugs", f.line("drugs", "HCPCS codes or names, comma separated (empty: any)"))
        fl.addRow("Diagnoses", f.line("diagnoses", "ICD-10 prefixes, e.g. K50, G35"))
        fl.addRow("Income limit", f.line("fpl_limit", "% of the poverty guideline, e.g. 500"))
        fl.addRow("", f.check("no_government", "Not with Medicare, Medicaid or other government"))
        fl.addRow("Annual maximum", f.line("annual_max", "$"))
        fl.addRow("Renewal", f.combo("renewal", list(asv.RENEWALS.items())))
        fl.addRow("", f.check("active", "Offered to patients (clear it to retire the program)"))
        lay.addLayout(fl)
        bar = QHBoxLayout()
        self.status = QLabel("")
        self.status.setObjectName("directoryStatus")
        bar.addWidget(self.status, 1)
        self.new_button = QPushButton("New program")
        self.new_button.setObjectName("newDirectoryButton")
        self.add_button = QPushButton("Add to the directory")
        self.add_button.setObjectName("addDirectoryButton")
        close = QPushButton("Close")
        bar.addWidget(self.new_button)
        bar.addWidget(self.add_button)
        bar.addWidget(close)
        lay.addLayout(bar)
        self.add_button.clicked.connect(self.add)
        self.new_button.clicked.connect(self._new_clicked)
        self.table.itemSelectionChanged.connect(self._chosen)
        close.clicked.connect(self.accept)
        self._shown: tuple[object, ...] = ()
        self.refresh()
        self.start_new()
        fit_to_screen(self, 820, 640)

    def unsaved(self) -> bool:
        """The form holds typing not saved (a new program with a name, or a changed one)."""
        if self.editing is None and not self.form.value("name").strip():
            return False
        return self.form.snapshot() != self._shown

    def _keep_or_drop(self) -> bool:
        """Before the form shows something else: True to go on (saved or discarded)."""
        if not self.unsaved():
            return True
        name = self.editing.data.name if self.editing is not None else "the new program"
        answer = ask_unsaved(self, f"Save the changes to {name} first?")
        if answer == "save":
            return self.add()
        return answer == "discard"

    def _reselect(self) -> None:
        """Show the program being edited as chosen again (the user stayed on it)."""
        self.table.blockSignals(True)
        self.table.clearSelection()
        if self.editing is not None:
            self.select(self.editing.id)
        self.table.blockSignals(False)

    def _new_clicked(self) -> None:
        if self._keep_or_drop():
            self.start_new()

    def done(self, result: int) -> None:  # Close, Esc and the window's close button
        if self._keep_or_drop():
            super().done(result)

    def refresh(self) -> None:
        rows = attempt(self, lambda: self.backend.query(asv.list_directory, active_only=False))
        records = self.records = rows or []
        self.table.blockSignals(True)  # refilling is not the user choosing a program
        _fill(
            self.table,
            [
                (
                    KIND_LABELS.get(r.data.kind, r.data.kind),
                    r.data.name + ("" if r.data.active else " (retired)"),
                    r.data.sponsor,
                    ", ".join(r.data.drugs) or "any",
                    rules_text(r.data),
                    asv.RENEWALS.get(r.data.renewal, r.data.renewal),
                )
                for r in records
            ],
            [r.id for r in records],
        )
        self.table.blockSignals(False)

    def _chosen(self) -> None:
        ident = _selected(self.table)
        rec = next((r for r in self.records if r.id == ident), None)
        if rec is None or (self.editing is not None and rec.id == self.editing.id):
            return
        if not self._keep_or_drop():
            self._reselect()
            return
        rec = next((r for r in self.records if r.id == ident), rec)  # as saved meanwhile
        self.edit(rec)
        self._reselect()

    def edit(self, rec: asv.DirectoryRecord) -> None:
        """Load a program into the form to correct it."""
        self.editing = rec
        d, f = rec.data, self.form
        f.show_errors({})
        f.set("kind", d.kind)
        f.set("name", d.name)
        f.set("sponsor", d.sponsor)
        f.set("drugs", ", ".join(d.drugs))
        f.set("diagnoses", ", ".join(d.diagnoses))
        f.set("fpl_limit", "" if d.fpl_limit is None else str(d.fpl_limit))
        f.set("no_government", d.no_government)
        f.set_money("annual_max", d.annual_max)
        f.set("renewal", d.renewal)
        f.set("active", d.active)
        self.form_title.setText(f"<b>{d.name}</b> — correct it, then Save changes")
        self.add_button.setText("Save changes")
        self.status.setText("")
        self._shown = self.form.snapshot()

    def start_new(self) -> None:
        """An empty form to add a program."""
        self.editing = None
        self.table.blockSignals(True)
        self.table.clearSelection()
        self.table.setCurrentCell(-1, -1)
        self.table.blockSignals(False)
        f = self.form
        f.show_errors({})
        for name in ("name", "sponsor", "drugs", "diagnoses", "fpl_limit", "annual_max"):
            f.set(name, "")
        f.set("no_government", False)
        f.set("active", True)
        f.set("kind", next(iter(KIND_LABELS)))
        f.set("renewal", asv.DirectoryData().renewal)
        self.form_title.setText("<b>New program</b>")
        self.add_button.setText("Add to the directory")
        self._shown = self.form.snapshot()

    def add(self) -> bool:
        """Add the form's program, or save the changes to the program chosen (False: refused,
        the form says why and keeps what was typed)."""
        f = self.form
        f.begin_read()
        limit = f.integer("fpl_limit")
        base = self.editing.data if self.editing is not None else asv.DirectoryData()
        d = replace(  # what the form does not show (per-visit maximum, percent…) is kept
            base,
            kind=str(f.choice("kind")),
            name=f.value("name").strip(),
            sponsor=f.value("sponsor").strip(),
            drugs=tuple(x.strip() for x in f.value("drugs").split(",") if x.strip()),
            diagnoses=tuple(x.strip() for x in f.value("diagnoses").split(",") if x.strip()),
            no_government=f.flag("no_government"),
            fpl_limit=limit,
            annual_max=f.money("annual_max"),
            renewal=str(f.choice("renewal")),
            active=f.flag("active"),
        )
        if f.parse_errors:
            f.show_errors(dict(f.parse_errors))
            return False
        editing = self.editing
        try:
            if editing is None:
                saved = self.backend.mutate(asv.add_directory_entry, d)
            else:
                saved = self.backend.mutate(asv.update_directory_entry, editing.id, d)
        except ValidationFailed as exc:
            f.show_errors(exc.errors)
            return False
        except Exception as exc:
            report(self, exc)
            return False
        f.show_errors({})
        self.refresh()
        if editing is None:
            self.start_new()
            self.status.setText(f"Added {saved.data.name}.")
        else:
            self.editing = saved
            self._shown = self.form.snapshot()
            self._reselect()
            self.status.setText(f"Saved the changes to {saved.data.name}.")
        return True

    def select(self, entry_id: int) -> None:
        for row, r in enumerate(self.records):
            if r.id == entry_id:
                self.table.selectRow(row)
                return


def rules_text(d: asv.DirectoryData) -> str:
    """A program's rules in a few words ("—": none on file)."""
    parts = (
        f"diagnoses {', '.join(d.diagnoses)}" if d.diagnoses else "",
        "no government coverage" if d.no_government else "",
        f"income ≤ {d.fpl_limit}% FPL" if d.fpl_limit else "",
        f"{format_money(d.annual_max)}/year" if d.annual_max else "",
    )
    return "; ".join(x for x in parts if x) or "—"
