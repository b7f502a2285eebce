"""The patient's Assistance tab: copay cards, foundation grants and discounts, and the dialog
that adds one (with a sliding-scale calculator based on the federal poverty guidelines)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from infudesk.domain.assistance import GUIDELINES, PROGRAM_KINDS, ScaleResult, sliding_scale
from infudesk.errors import ValidationFailed
from infudesk.services import assistance as asv
from infudesk.services import coverages as cvs
from infudesk.services import patients as pts
from infudesk.ui.common.flow import flow_row
from infudesk.ui.common.ops import Backend, attempt, report
from infudesk.ui.common.screen import fit_to_screen
from infudesk.ui.common.widgets import Form
from infudesk.ui.fees.controller import (
    GOVERNMENT_RULE,
    expires_text,
    government_coverage,
    government_warning,
    limits_text,
    plans_text,
    used_text,
)
from infudesk.ui.fees.enrollment_dialogs import (
    DirectoryDialog,
    EnrollmentDialog,
    ScreeningDialog,
    status_text,
)
from infudesk.ui.patients.patient_tabs import _fill, _selected, _Tab, _table

HINT_STYLE = "color: #555;"
WARNING_STYLE = (
    "QLabel { background: #fff4e5; color: #7a3e00; border: 1px solid #e0a050; "
    "border-radius: 3px; padding: 6px 8px; }"
)
INACTIVE_COLOR = "#888"
REGIONS = {"": "48 states and DC", "AK": "Alaska", "HI": "Hawaii"}
ACCUMULATOR_HELP = (
    "Unchecked means the plan has an accumulator adjustment program: the card still pays, but "
    "what it pays does not count toward the patient's deductible or out-of-pocket maximum, so "
    "the patient's own costs come back once the card runs out."
)
KIND_SHORT = {
    "copay_card": "Copay card",
    "foundation_grant": "Foundation grant",
    "discount": "Discount",
}
NAME_ERRORS = {
    "copay_card": "Name the program, e.g. the manufacturer's copay program.",
    "foundation_grant": "Name the foundation and its fund.",
    "discount": "Name the discount, e.g. Charity care (sliding scale).",
}
NAME_HINTS = {
    "copay_card": "the manufacturer's program, e.g. Entyvio EntyvioConnect",
    "foundation_grant": "the foundation and fund, e.g. PAN Foundation — Crohn's disease",
    "discount": "e.g. Charity care (sliding scale)",
}


# -- the dialog ---------------------------------------------------------------------------------
class AssistanceDialog(QDialog):
    """Add a program. Signals: none; ``exec()`` returns Accepted once saved (``saved`` holds it)."""

    def __init__(
        self,
        backend: Backend,
        patient_id: int,
        *,
        today: Callable[[], date] = date.today,
        government: str = "",
        state: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("assistanceDialog")
        self.setWindowTitle("Add assistance program")
        self.backend = backend
        self.patient_id = patient_id
        self.today = today
        self.saved: asv.ProgramRecord | None = None
        self.calc_result: ScaleResult | None = None
        self.form = Form(today)
        self.calc = Form(today)  # the calculator's own fields (its errors stay its own)
        self.pages: dict[str, QWidget] = {}
        self._build(government, state.upper())
        self._kind_changed()
        fit_to_screen(self)

    # -- construction ------------------------------------------------------------------
    def _build(self, government: str, state: str) -> None:
        f = self.form
        outer = QVBoxLayout(self)
        top = QFormLayout()
        top.addRow("Kind *", f.combo("kind", list(PROGRAM_KINDS.items())))
        top.addRow("Name *", f.line("name"))
        outer.addLayout(top)

        # one page per kind, only the chosen one shown (hidden pages take no room)
        self.pages["copay_card"] = self._copay_page(government)
        self.pages["foundation_grant"] = self._grant_page()
        self.pages["discount"] = self._discount_page(state)
        for page in self.pages.values():
            outer.addWidget(page)

        notes = QFormLayout()
        notes.addRow("Notes", f.text("notes", 48))
        outer.addLayout(notes)
        self.status = QLabel("")
        self.status.setObjectName("dialogStatus")
        self.status.setWordWrap(True)
        outer.addWidget(self.status)
        self.setMinimumWidth(640)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        outer.addWidget(buttons)
        kind = f.widgets["kind"]
        assert isinstance(kind, QComboBox)
        kind.currentIndexChanged.connect(lambda _i: self._kind_changed())

    def _hint(self, text: str, name: str = "") -> QLabel:
        label = QLabel(text)
        label.setWordWrap(True)
        label.setStyleSheet(HINT_STYLE)
        if name:
            label.setObjectName(name)
        return label

    def _copay_page(self, government: str) -> QWidget:
        f = self.form
        page = QGroupBox("Manufacturer copay card")
        lay = QFormLayout(page)
        lay.addRow(
            "Per-visit maximum",
            f.line("per_visit_max", "$ the card pays per visit (empty: no limit)"),
        )
        lay.addRow("Annual maximum", f.line("annual_max", "$ per calendar year (empty: no limit)"))
        lay.addRow(
            "Used so far this year", f.line("used", "$ already paid by the card, e.g. 1,200")
        )
        lay.addRow(
            "",
            f.check(
                "counts_toward_accumulators",
                "The card's payments count toward the deductible and out-of-pocket maximum",
            ),
        )
        f.set("counts_toward_accumulators", True)
        lay.addRow("", self._hint(ACCUMULATOR_HELP, "accumulatorHelp"))
        self.government_note = QLabel(f"⚠ {government}. {GOVERNMENT_RULE}" if government else "")
        self.government_note.setObjectName("copayGovernmentNote")
        self.government_note.setWordWrap(True)
        self.government_note.setStyleSheet(WARNING_STYLE)
        self.government_note.setVisible(bool(government))
        lay.addRow(self.government_note)
        return page

    def _grant_page(self) -> QWidget:
        f = self.form
        page = QGroupBox("Foundation grant")
        lay = QFormLayout(page)
        lay.addRow("Balance left *", f.line("balance", "$ the grant can still pay, e.g. 4,000"))
        lay.addRow("Expires", f.line("expires", "MM/DD/YYYY"))
        lay.addRow(
            "",
            self._hint(
                "Grants usually last 12 months and must be renewed (often each calendar year). "
                "Unlike copay cards, foundations can help patients with Medicare."
            ),
        )
        return page

    def _discount_page(self, state: str) -> QWidget:
        f, c = self.form, self.calc
        page = QGroupBox("Discount (sliding scale, charity care)")
        lay = QVBoxLayout(page)
        form = QFormLayout()
        form.addRow("Discount *", f.line("percent", "percent off, e.g. 50 for 50%"))
        lay.addLayout(form)

        calc = QGroupBox("Sliding-scale calculator")
        calc.setObjectName("slidingScale")
        calc_lay = QVBoxLayout(calc)
        cl = QFormLayout()
        calc_lay.addLayout(cl)
        cl.addRow("Household size", c.line("calc_household", "people, e.g. 3", 3))
        cl.addRow("Yearly household income", c.line("calc_income", "$ before taxes, e.g. 41,000"))
        cl.addRow("Lives in", c.combo("calc_state", list(REGIONS.items())))
        years = sorted(GUIDELINES, reverse=True)
        cl.addRow("Poverty guidelines of", c.combo("calc_year", [(y, str(y)) for y in years]))
        this_year = self.today().year
        c.set("calc_year", this_year if this_year in GUIDELINES else years[0])
        if state in REGIONS:
            c.set("calc_state", state)
        self.calc_label = QLabel(
            "Type the household size and income to see the suggested discount."
        )
        self.calc_label.setObjectName("calcResult")
        self.calc_label.setWordWrap(True)
        self.calc_label.setTextFormat(Qt.TextFormat.RichText)
        self.calc_label.setMinimumWidth(420)
        # room for the headline and a two-line explanation, so the dialog never jumps
        self.calc_label.setMinimumHeight(self.calc_label.fontMetrics().lineSpacing() * 4)
        self.calc_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        calc_lay.addWidget(self.calc_label)
        self.use_button = QPushButton("Use this discount")
        self.use_button.setObjectName("useDiscountButton")
        self.use_button.setEnabled(False)
        self.use_button.clicked.connect(self.use_suggestion)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.use_button)
        calc_lay.addLayout(row)
        lay.addWidget(calc)
        for name in ("calc_household", "calc_income"):
            w = c.widgets[name]
            assert isinstance(w, QLineEdit)
            w.textChanged.connect(lambda _t: self.calculate())
        for name in ("calc_state", "calc_year"):
            w = c.widgets[name]
            assert isinstance(w, QComboBox)
            w.currentIndexChanged.connect(lambda _i: self.calculate())
        return page

    # -- behaviour -----------------------------------------------------------------------
    def kind(self) -> str:
        return str(self.form.choice("kind"))

    def _kind_changed(self) -> None:
        """Show the fields of the chosen kind (what was typed in the others stays there)."""
        kind = self.kind()
        for page_kind, page in self.pages.items():
            page.setVisible(page_kind == kind)
        name_edit = self.form.widgets["name"]
        assert isinstance(name_edit, QLineEdit)
        name_edit.setPlaceholderText(NAME_HINTS.get(kind, ""))
        self.status.setText("")
        self.form.show_errors({})  # messages about the other kind's fields no longer apply
        layout = self.layout()
        if layout is not None:
            layout.activate()
        self.adjustSize()

    def calculate(self) -> ScaleResult | None:
        """The sliding-scale suggestion for what the calculator holds (None until complete)."""
        c = self.calc
        c.begin_read()
        household = c.integer("calc_household")
        income = c.money("calc_income")
        if household is not None and not 1 <= household <= 30:
            c.parse_errors["calc_household"] = "Count the people in the household: 1 to 30."
        for name, box in c.boxes.items():  # not show_errors: it would move the focus
            box.set_error(c.parse_errors.get(name))
        self.calc_result = None
        if c.parse_errors or household is None or income is None:
            self.calc_label.setText(
                "Type the household size and income to see the suggested discount."
            )
            self.use_button.setEnabled(False)
            self.use_button.setText("Use this discount")
            return None
        year = int(c.choice("calc_year"))  # type: ignore[call-overload]
        result = sliding_scale(income, household, year, str(c.choice("calc_state") or ""))
        self.calc_result = result
        pct = f"{result.discount * 100:.0f}%"
        headline = (
            f"{result.fpl_percent}% of the poverty guideline → suggested discount {pct}"
            if result.discount
            else f"{result.fpl_percent}% of the poverty guideline → no sliding-scale discount"
        )
        self.calc_label.setText(f"<b>{headline}</b><br>{result.explanation}")
        self.use_button.setEnabled(result.discount > 0)
        self.use_button.setText(f"Use {pct}" if result.discount else "Use this discount")
        return result

    def use_suggestion(self) -> None:
        if self.calc_result is None or not self.calc_result.discount:
            return
        self.form.set_percent("percent", self.calc_result.discount)
        self.form.show_errors({})
        if not self.form.value("name").strip():
            self.form.set("name", "Sliding-scale discount")
        self.status.setText(f"Discount set from the calculator: {self.calc_result.explanation}")

    def read(self) -> tuple[asv.ProgramData, dict[str, str]]:
        """What the form holds for the chosen kind, and the fields that could not be read."""
        f = self.form
        f.begin_read()
        kind = self.kind()
        data = asv.ProgramData(kind=kind, name=f.value("name"), notes=f.value("notes"))
        if kind == "copay_card":
            data = asv.ProgramData(
                kind=kind,
                name=data.name,
                notes=data.notes,
                per_visit_max=f.money("per_visit_max"),
                annual_max=f.money("annual_max"),
                used=f.money("used") or Decimal("0"),
                counts_toward_accumulators=f.flag("counts_toward_accumulators"),
            )
        elif kind == "foundation_grant":
            data = asv.ProgramData(
                kind=kind,
                name=data.name,
                notes=data.notes,
                balance=f.money("balance"),
                expires=f.day("expires"),
            )
        else:
            data = asv.ProgramData(
                kind=kind, name=data.name, notes=data.notes, percent=f.percent("percent")
            )
        return data, dict(f.parse_errors)

    def save(self) -> None:
        data, parse_errors = self.read()
        errors = {**asv.validate(data), **parse_errors}
        if "name" in errors and not data.name.strip():
            errors["name"] = NAME_ERRORS.get(data.kind, errors["name"])
        self.form.show_errors(errors)
        if errors:
            self.status.setText("Please check the fields marked in red. Nothing was saved yet.")
            return
        try:
            self.saved = self.backend.mutate(asv.add_program, self.patient_id, data)
        except ValidationFailed as exc:
            self.form.show_errors(exc.errors)
            self.status.setText("Not saved: " + next(iter(exc.errors.values())))
            return
        except Exception as exc:
            report(self, exc)
            return
        self.accept()


# -- the tab ------------------------------------------------------------------------------------
class AssistanceTab(_Tab):
    """The patient's assistance programs. Signals: changed() (from ``_Tab``) after a change."""

    COLUMNS = (
        "Kind",
        "Program",
        "Limits / balance / discount",
        "Used this year",
        "Expires",
        "Active",
        "Status",
        "Re-enroll on",
    )

    def __init__(self, backend: Backend, today: Callable[[], date]) -> None:
        super().__init__(backend, today)
        self.setObjectName("assistanceTab")
        self.records: list[asv.ProgramRecord] = []
        self.enrollments: dict[int, asv.EnrollmentRecord] = {}
        self.coverages: list[cvs.CoverageRecord] = []
        lay = QVBoxLayout(self)
        self.warning = QLabel("")
        self.warning.setObjectName("assistanceWarning")
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet(WARNING_STYLE)
        self.warning.hide()
        lay.addWidget(self.warning)

        self.add_button = QPushButton("Add program…")
        self.add_button.setObjectName("addProgramButton")
        self.deactivate_button = QPushButton("Make inactive")
        self.deactivate_button.setObjectName("deactivateProgramButton")
        self.deactivate_button.setToolTip("The program no longer applies (ended, used up, refused)")
        self.activate_button = QPushButton("Make active again")
        self.activate_button.setObjectName("activateProgramButton")
        self.inactive_box = QCheckBox("Show inactive")
        self.inactive_box.setObjectName("showInactivePrograms")
        self.enroll_button = QPushButton("Enroll…")
        self.enroll_button.setObjectName("enrollButton")
        self.enroll_button.setToolTip("Enroll the patient in a program of the shared directory")
        self.edit_button = QPushButton("Edit enrollment…")
        self.edit_button.setObjectName("editEnrollmentButton")
        self.edit_button.setToolTip("Status, ids, amount approved, balance, expiry, re-enrollment")
        self.screen_button = QPushButton("Screen…")
        self.screen_button.setObjectName("screenProgramsButton")
        self.screen_button.setToolTip(
            "Which programs fit this patient's household income and state"
        )
        self.directory_button = QPushButton("Directory…")
        self.directory_button.setObjectName("directoryButton")
        self.directory_button.setToolTip("The programs offered to every patient")
        # one row that wraps (a narrow window, a large system font) instead of widening it
        bar = flow_row(
            self.enroll_button,
            self.edit_button,
            self.screen_button,
            self.add_button,
            self.deactivate_button,
            self.activate_button,
            self.directory_button,
            self.inactive_box,
        )
        lay.addLayout(bar)

        self.table = _table(self.COLUMNS, "assistanceTable")
        lay.addWidget(self.table, 1)
        self.empty = QLabel(
            "No assistance on file. Add a manufacturer copay card, a foundation grant or a "
            "discount (sliding scale, charity care) with Add program…"
        )
        self.empty.setObjectName("assistanceEmpty")
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet(HINT_STYLE)
        lay.addWidget(self.empty)
        self.status = QLabel("")
        self.status.setObjectName("assistanceStatus")
        self.status.setWordWrap(True)
        lay.addWidget(self.status)

        self.add_button.clicked.connect(self.add)
        self.enroll_button.clicked.connect(lambda: self.enroll())
        self.edit_button.clicked.connect(self.edit_enrollment)
        self.screen_button.clicked.connect(self.screen_programs)
        self.directory_button.clicked.connect(self.open_directory)
        self.deactivate_button.clicked.connect(lambda: self.set_selected_active(False))
        self.activate_button.clicked.connect(lambda: self.set_selected_active(True))
        self.inactive_box.toggled.connect(lambda _c: self.refresh())
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.add_button.setEnabled(False)  # until set_patient
        self._update_buttons()

    def refresh(self) -> None:
        pid = self.patient_id
        self.status.setText("")
        if pid is None:
            self.records, self.coverages = [], []
        else:
            self.records = (
                attempt(self, lambda: self.backend.query(asv.list_programs, pid, active_only=False))
                or []
            )
            self.coverages = (
                attempt(self, lambda: self.backend.query(cvs.list_coverages, pid)) or []
            )
            self.enrollments = {
                e.id: e
                for e in attempt(self, lambda: self.backend.query(asv.enrollments_for_patient, pid))
                or []
            }
        today = self.today()
        shown = [p for p in self.records if p.data.active or self.inactive_box.isChecked()]
        rows = []
        for p in shown:
            d = p.data
            rows.append(
                (
                    KIND_SHORT.get(d.kind, d.kind),
                    d.name,
                    limits_text(d),
                    used_text(d),
                    expires_text(d, today)[0],
                    "Yes" if d.active else "No",
                    *self._enrollment_cells(p.id, today),
                )
            )
        held = _selected(self.table)
        _fill(self.table, rows, [p.id for p in shown])
        if isinstance(held, int):
            self.select_program(held)  # a reload keeps the row chosen
        for r, p in enumerate(shown):  # inactive rows greyed, expired grants in red
            color = INACTIVE_COLOR if not p.data.active else expires_text(p.data, today)[1]
            if color is None:
                continue
            cols = range(len(self.COLUMNS)) if not p.data.active else (4,)
            for c in cols:
                item = self.table.item(r, c)
                if item is not None:
                    item.setForeground(QColor(color))
        warning = government_warning(self.coverages, self.records, today)
        self.warning.setText(warning)
        self.warning.setVisible(bool(warning))
        hidden = len(self.records) - len(shown)
        if not self.records:
            self.empty.setText(
                "No assistance on file. Add a manufacturer copay card, a foundation grant or a "
                "discount (sliding scale, charity care) with Add program…"
            )
        elif not shown:
            self.empty.setText(
                f"No active program. Check Show inactive to see the {hidden} inactive one(s)."
            )
        self.empty.setVisible(not shown)
        self.add_button.setEnabled(pid is not None)
        for b in (self.enroll_button, self.screen_button):
            b.setEnabled(pid is not None)
        self._update_buttons()

    def _enrollment_cells(self, program_id: int, today: date) -> tuple[str, str]:
        e = self.enrollments.get(program_id)
        if e is None:
            return "—", "—"
        when = f"{e.data.reenroll_on:%m/%d/%Y}" if e.data.reenroll_on else "—"
        return status_text(e, today)[0], when

    def current(self) -> asv.ProgramRecord | None:
        ident = _selected(self.table)
        return next((p for p in self.records if p.id == ident), None)

    def select_enrollment(self, enrollment_id: int) -> None:
        """Show an enrollment (the worklist's assistance links land here)."""
        rec = next((p for p in self.records if p.id == enrollment_id), None)
        if rec is not None and not rec.data.active and not self.inactive_box.isChecked():
            self.inactive_box.setChecked(True)
        self.select_program(enrollment_id)

    def select_program(self, program_id: int) -> None:
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            if item is not None and item.data(Qt.ItemDataRole.UserRole) == program_id:
                self.table.selectRow(row)
                return

    def _update_buttons(self) -> None:
        rec = self.current()
        self.deactivate_button.setEnabled(rec is not None and rec.data.active)
        self.edit_button.setEnabled(rec is not None and rec.id in self.enrollments)
        self.activate_button.setEnabled(rec is not None and not rec.data.active)

    def government_text(self) -> str:
        """The patient's government plans in words ('' when none), for the dialog's note."""
        plans = government_coverage(self.coverages, self.today())
        if not plans:
            return ""
        return "This patient has government coverage: " + plans_text(plans)

    def _patient_state(self, patient_id: int) -> str:
        rec = attempt(self, lambda: self.backend.query(pts.get_patient, patient_id))
        return rec.data.state if rec is not None else ""

    def add(self) -> None:
        if self.patient_id is None:
            return
        dlg = AssistanceDialog(
            self.backend,
            self.patient_id,
            today=self.today,
            government=self.government_text(),
            state=self._patient_state(self.patient_id),
            parent=self,
        )
        if dlg.exec() == QDialog.DialogCode.Accepted and dlg.saved is not None:
            self.refresh()
            self.select_program(dlg.saved.id)
            self.status.setText(f"Added {dlg.saved.label}.")
            self.changed.emit()

    def set_selected_active(self, active: bool) -> None:
        rec = self.current()
        if rec is None or rec.data.active == active:
            return
        saved = attempt(self, lambda: self.backend.mutate(asv.set_active, rec.id, active))
        if saved is None:
            return
        self.refresh()
        self.select_program(saved.id)
        if active:
            self.status.setText(f"{saved.data.name} is active again.")
        elif self.inactive_box.isChecked():
            self.status.setText(f"{saved.data.name} is now inactive.")
        else:
            self.status.setText(
                f"{saved.data.name} is now inactive (check Show inactive to see it)."
            )
        self.changed.emit()

    # -- the directory, enrollments and screening --------------------------------------------
    def _directory(self) -> list[asv.DirectoryRecord]:
        return attempt(self, lambda: self.backend.query(asv.list_directory)) or []

    def enroll(self, program_id: int | None = None) -> None:
        if self.patient_id is None:
            return
        dlg = EnrollmentDialog(
            self.backend,
            self.patient_id,
            self._directory(),
            program_id=program_id,
            today=self.today,
            parent=self,
        )
        self._after(dlg, "Enrolled in")

    def edit_enrollment(self) -> None:
        rec = self.current()
        e = self.enrollments.get(rec.id) if rec is not None else None
        if e is None or self.patient_id is None:
            return
        dlg = EnrollmentDialog(
            self.backend,
            self.patient_id,
            self._directory(),
            record=e,
            today=self.today,
            parent=self,
        )
        self._after(dlg, "Saved")

    def _after(self, dlg: EnrollmentDialog, verb: str) -> None:
        if dlg.exec() == QDialog.DialogCode.Accepted and dlg.saved is not None:
            self.refresh()
            self.select_enrollment(dlg.saved.id)
            self.status.setText(f"{verb} {dlg.saved.program.data.name}.")
            self.changed.emit()

    def screen_programs(self) -> None:
        if self.patient_id is None:
            return
        dlg = ScreeningDialog(
            self.backend,
            self.patient_id,
            state=self._patient_state(self.patient_id),
            today=self.today,
            parent=self,
        )
        self.screening: ScreeningDialog | None = dlg
        if dlg.exec() == QDialog.DialogCode.Accepted and dlg.enroll_program is not None:
            self.enroll(dlg.enroll_program)

    def open_directory(self) -> None:
        DirectoryDialog(self.backend, self).exec()
