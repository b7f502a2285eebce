"""Add or edit a therapy order: drug, dose, route, schedule, diagnosis, provider, site —
with the suggested billing lines and planned visits, both editable."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from infudesk.domain.billing import BillingLine
from infudesk.domain.money import format_quantity
from infudesk.domain.orders import ROUTE_LABELS, SITE_LABELS, OrderData, schedule
from infudesk.domain.patients import parse_date
from infudesk.errors import UserError, ValidationFailed
from infudesk.services import orders as os_
from infudesk.services.drugs import drug_list
from infudesk.ui.common.ops import Backend, report
from infudesk.ui.common.screen import fit_to_screen, scrolling
from infudesk.ui.common.widgets import Form
from infudesk.ui.patients.controller import drug_key

LINE_COLUMNS = ("Code", "Modifier", "Units", "What")


class OrderDialog(QDialog):
    """``exec()`` returns Accepted once saved (``saved`` holds the order)."""

    def __init__(
        self,
        backend: Backend,
        patient_id: int,
        *,
        today: Callable[[], date] = date.today,
        record: os_.OrderRecord | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("orderDialog")
        self.setWindowTitle("Edit therapy order" if record else "New therapy order")
        self.backend = backend
        self.patient_id = patient_id
        self.today = today
        self.record = record
        self.saved: os_.OrderRecord | None = None
        self.form = Form(today)
        self._lines_edited = False
        self._visits_edited = False
        self._build()
        if record is not None:
            self._load(record)
        fit_to_screen(self, 1100, 720)

    def _build(self) -> None:
        f = self.form
        outer = QVBoxLayout(self)
        body = QWidget()  # scrolls with a large system font instead of leaving the screen
        cols = QHBoxLayout(body)
        cols.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scrolling(body, "orderBody"), 1)

        order = QGroupBox("Order")
        ol = QFormLayout(order)
        drugs = [(drug_key(d.hcpcs, d.title), f"{d.title} — {d.hcpcs}") for d in drug_list()]
        ol.addRow("Drug *", f.combo("drug", [(None, "— choose —"), *drugs]))
        ol.addRow("Dose *", f.line("dose", "e.g. 5 (mg/kg) or 600 (mg)"))
        ol.addRow("", f.check("dose_per_kg", "Dose is per kg of body weight"))
        ol.addRow("Weight (kg)", f.line("weight_kg", "e.g. 72"))
        ol.addRow("Route *", f.combo("route", list(ROUTE_LABELS.items())))
        ol.addRow("Infusion time (min) *", f.line("minutes", "e.g. 120"))
        ol.addRow("Every (days) *", f.line("every_days", "e.g. 56 = every 8 weeks"))
        ol.addRow("Number of visits *", f.line("visit_count", "e.g. 7"))
        ol.addRow("First visit *", f.line("start_on", "MM/DD/YYYY"))
        ol.addRow("Diagnosis (ICD-10) *", f.line("diagnosis", "e.g. K50.90"))
        ol.addRow("Ordering provider *", f.line("provider_name"))
        ol.addRow("Provider NPI *", f.line("provider_npi", "10 digits"))
        ol.addRow("Site of care *", f.combo("site_of_care", list(SITE_LABELS.items())))
        ol.addRow("Notes", f.text("notes", 50))
        self.dose_hint = QLabel("")
        self.dose_hint.setObjectName("doseHint")
        ol.addRow("", self.dose_hint)
        cols.addWidget(order, 1)

        right = QVBoxLayout()
        lines_box = QGroupBox("Billing lines for each visit (suggested — edit if needed)")
        ll = QVBoxLayout(lines_box)
        self.lines = QTableWidget(0, len(LINE_COLUMNS))
        self.lines.setObjectName("billingLines")
        self.lines.setHorizontalHeaderLabels(LINE_COLUMNS)
        self.lines.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.lines.verticalHeader().hide()
        self.lines.itemChanged.connect(self._lines_changed)
        ll.addWidget(self.lines)
        row = QHBoxLayout()
        self.suggest_button = QPushButton("Suggest again")
        self.suggest_button.setObjectName("suggestButton")
        self.suggest_button.setToolTip(
            "Replace the lines with the suggestion from the order's fields"
        )
        self.suggest_button.clicked.connect(lambda: self.suggest(force=True))
        add = QPushButton("Add line")
        add.clicked.connect(self._add_line)
        remove = QPushButton("Remove line")
        remove.clicked.connect(self._remove_line)
        row.addWidget(self.suggest_button)
        row.addWidget(add)
        row.addWidget(remove)
        row.addStretch(1)
        ll.addLayout(row)
        self.lines_error = QLabel("")
        self.lines_error.setObjectName("linesError")
        self.lines_error.setStyleSheet("color: #b00020;")
        self.lines_error.setWordWrap(True)
        ll.addWidget(self.lines_error)
        right.addWidget(lines_box, 1)

        visits_box = QGroupBox("Planned visits (double-click a date to change it)")
        vl = QVBoxLayout(visits_box)
        self.visits = QListWidget()
        self.visits.setObjectName("plannedVisits")
        self.visits.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked)
        self.visits.itemChanged.connect(lambda _i: setattr(self, "_visits_edited", True))
        vl.addWidget(self.visits)
        replan = QPushButton("Plan from the schedule")
        replan.setObjectName("replanButton")
        replan.clicked.connect(lambda: self.plan_visits(force=True))
        vl.addWidget(replan, 0, Qt.AlignmentFlag.AlignLeft)
        right.addWidget(visits_box, 1)
        cols.addLayout(right, 1)

        self.status = QLabel("")
        self.status.setObjectName("dialogStatus")
        self.status.setWordWrap(False)
        outer.addWidget(self.status)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        outer.addWidget(buttons)

        for name in ("dose", "weight_kg", "minutes", "every_days", "visit_count", "start_on"):
            w = f.widgets[name]
            w.editingFinished.connect(self._fields_changed)  # type: ignore[attr-defined]
        for name in ("drug", "route", "site_of_care"):  # a home visit has its own codes
            f.widgets[name].currentIndexChanged.connect(self._fields_changed)  # type: ignore[attr-defined]
        f.widgets["dose_per_kg"].toggled.connect(self._fields_changed)  # type: ignore[attr-defined]

    def _load(self, rec: os_.OrderRecord) -> None:
        f, d = self.form, rec.data
        key = drug_key(d.drug_hcpcs, d.drug_name)
        f.set("drug", key)
        if f.choice("drug") != key:  # a drug no longer on the list: keep what the order says
            combo = f.widgets["drug"]
            combo.addItem(f"{d.drug_name} — {d.drug_hcpcs}", key)  # type: ignore[attr-defined]
            f.set("drug", key)
        for name in (
            "dose_per_kg",
            "route",
            "start_on",
            "diagnosis",
            "provider_name",
            "provider_npi",
            "site_of_care",
            "notes",
            "minutes",
            "every_days",
            "visit_count",
        ):
            f.set(name, getattr(d, name))
        f.set("dose", format_quantity(d.dose))
        f.set("weight_kg", format_quantity(d.weight_kg))
        self._show_lines(list(rec.lines))
        self._show_visits([vr.on for vr in rec.visits])
        self._lines_edited = False
        self._visits_edited = False

    # -- reading -----------------------------------------------------------------------
    def read(self) -> tuple[OrderData, dict[str, str]]:
        f = self.form
        f.begin_read()
        drug = f.choice("drug")
        hcpcs, _, name = drug.partition("|") if isinstance(drug, str) else ("", "", "")
        data = OrderData(
            drug_name=name,
            drug_hcpcs=hcpcs,
            dose=f.decimal("dose"),
            dose_per_kg=f.flag("dose_per_kg"),
            weight_kg=f.decimal("weight_kg"),
            route=str(f.choice("route")),
            minutes=f.integer("minutes"),
            every_days=f.integer("every_days"),
            visit_count=f.integer("visit_count"),
            start_on=f.day("start_on"),
            diagnosis=f.value("diagnosis"),
            provider_name=f.value("provider_name"),
            provider_npi=f.value("provider_npi"),
            site_of_care=str(f.choice("site_of_care")),
            notes=f.value("notes"),
        )
        return data, dict(f.parse_errors)

    def read_lines(self) -> tuple[list[BillingLine], dict[str, str]]:
        lines: list[BillingLine] = []
        errors: dict[str, str] = {}
        for r in range(self.lines.rowCount()):
            cells = [self._cell(r, c) for c in range(4)]
            if not any(cells):
                continue
            units = int(cells[2]) if cells[2].isdigit() else 0
            kind = "drug" if cells[0][:1].isalpha() else "admin"
            lines.append(BillingLine(cells[0].upper(), cells[1].upper(), units, cells[3], kind))
        errors.update(os_.check_lines(lines))
        return lines, errors

    def _cell(self, row: int, col: int) -> str:
        item = self.lines.item(row, col)
        return item.text().strip() if item is not None else ""

    def read_visits(self) -> tuple[list[date], str | None]:
        days: list[date] = []
        for i in range(self.visits.count()):
            text = self.visits.item(i).text().strip()
            if not text:
                continue
            day = parse_date(text, self.today())
            if day is None:
                return days, f"Visit {i + 1}: “{text}” is not a date (MM/DD/YYYY)."
            days.append(day)
        return days, None

    # -- suggestions -------------------------------------------------------------------
    def _fields_changed(self) -> None:
        data, _ = self.read()
        if data.dose is not None and data.dose_per_kg and data.weight_kg:
            self.dose_hint.setText(
                f"= {format_quantity(data.dose * data.weight_kg)} mg for {format_quantity(data.weight_kg)} kg"
            )
        else:
            self.dose_hint.setText("")
        self.suggest(force=False)
        self.plan_visits(force=False)

    def suggest(self, *, force: bool) -> None:
        """Fill the lines from the order's fields (unless the user edited them, or ``force``)."""
        if self._lines_edited and not force:
            return
        data, parse_errors = self.read()
        try:
            if parse_errors:
                raise ValidationFailed(parse_errors)
            lines = os_.suggest(data)
        except ValidationFailed as exc:
            if force:
                self.form.show_errors(exc.errors)
                self.status.setText("Complete the order's fields to get suggested lines.")
            return
        except (UserError, ValueError) as exc:
            self.status.setText(str(exc))
            return
        self._show_lines(lines)
        self._lines_edited = False
        self.status.setText(" ".join(os_.suggestion_notes(data)))

    def plan_visits(self, *, force: bool) -> None:
        if self._visits_edited and not force:
            return
        data, _ = self.read()
        if data.start_on and data.every_days and data.visit_count and 0 < data.visit_count <= 366:
            self._show_visits(schedule(data.start_on, data.every_days, data.visit_count))
            self._visits_edited = False

    def _show_lines(self, lines: list[BillingLine]) -> None:
        self.lines.blockSignals(True)
        self.lines.setRowCount(0)
        for ln in lines:
            r = self.lines.rowCount()
            self.lines.insertRow(r)
            for c, value in enumerate((ln.code, ln.modifier, str(ln.units), ln.label)):
                self.lines.setItem(r, c, QTableWidgetItem(value))
        self.lines.resizeColumnsToContents()
        self.lines.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.lines.blockSignals(False)

    def _show_visits(self, days: list[date]) -> None:
        self.visits.blockSignals(True)
        self.visits.clear()
        for day in days:
            self.visits.addItem(f"{day:%m/%d/%Y}")
            item = self.visits.item(self.visits.count() - 1)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
        self.visits.blockSignals(False)

    def _lines_changed(self) -> None:
        self._lines_edited = True

    def _add_line(self) -> None:
        self.lines.insertRow(self.lines.rowCount())
        self._lines_edited = True

    def _remove_line(self) -> None:
        row = self.lines.currentRow()
        if row >= 0:
            self.lines.removeRow(row)
            self._lines_edited = True

    # -- saving ------------------------------------------------------------------------
    def save(self) -> None:
        data, errors = self.read()
        lines, line_errors = self.read_lines()
        days, visit_error = self.read_visits()
        self.form.show_errors(errors)
        self.lines_error.setText("\n".join(line_errors.values()))
        if errors or line_errors or visit_error:
            self.status.setText(
                visit_error or "Please check the fields marked in red. Nothing was saved yet."
            )
            return
        today = self.today()
        chosen_lines = lines if self._lines_edited or self.record else None
        try:
            if self.record is None:
                self.saved = self.backend.mutate(
                    os_.create_order,
                    self.patient_id,
                    data,
                    today=today,
                    lines=chosen_lines,
                    visit_dates=days or None,
                )
            else:
                self.saved = self.backend.mutate(
                    os_.update_order,
                    self.record.id,
                    data,
                    expected_version=self.record.version,
                    today=today,
                    lines=chosen_lines,
                    visit_dates=days or None,
                )
        except ValidationFailed as exc:
            self.form.show_errors(exc.errors)
            line_msgs = [m for k, m in exc.errors.items() if k.startswith("lines")]
            self.lines_error.setText("\n".join(line_msgs))
            self.status.setText("Not saved: " + next(iter(exc.errors.values())))
            return
        except Exception as exc:
            report(self, exc)
            return
        self.accept()
