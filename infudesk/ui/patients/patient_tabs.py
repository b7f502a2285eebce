"""The patient screen's tabs beyond demographics: coverages, therapy orders, verifications."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from infudesk.domain import coverage as dc
from infudesk.domain import verification as dv
from infudesk.domain.money import format_money, format_percent, format_quantity
from infudesk.domain.orders import ROUTE_LABELS, SITE_LABELS
from infudesk.domain.patients import parse_date
from infudesk.domain.verification import Status
from infudesk.services import coverages as cs
from infudesk.services import orders as ors
from infudesk.services import verifications as vs
from infudesk.ui.common.ops import Backend, attempt
from infudesk.ui.common.screen import squeeze_columns
from infudesk.ui.patients.controller import STATE_COLORS, glance
from infudesk.ui.patients.coverage_dialog import CoverageDialog
from infudesk.ui.patients.order_dialog import OrderDialog
from infudesk.ui.verification.verification_dialog import run_checklist


def _table(columns: Sequence[str], name: str) -> QTableWidget:
    t = QTableWidget(0, len(columns))
    t.setObjectName(name)
    t.setHorizontalHeaderLabels(list(columns))
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.verticalHeader().hide()
    t.horizontalHeader().setStretchLastSection(True)
    t.setAlternatingRowColors(True)
    return t


def _fill(
    table: QTableWidget,
    rows: Sequence[Sequence[str]],
    ids: Sequence[object],
    colors: Sequence[str | None] | None = None,
    color_col: int = -1,
) -> None:
    table.setRowCount(0)
    for r, (cells, ident) in enumerate(zip(rows, ids, strict=True)):
        table.insertRow(r)
        for c, text in enumerate(cells):
            item = QTableWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, ident)
            item.setToolTip(text)
            if colors and c == color_col and colors[r]:
                item.setForeground(QColor(colors[r]))
            table.setItem(r, c, item)
    table.resizeColumnsToContents()
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    table.horizontalHeader().setStretchLastSection(True)
    squeeze_columns(table)  # every column on screen; long texts elide (tool tip: all of it)


def _selected(table: QTableWidget) -> object | None:
    row = table.currentRow()
    item = table.item(row, 0) if row >= 0 else None
    return None if item is None else item.data(Qt.ItemDataRole.UserRole)


class _Tab(QWidget):
    """Signals: changed(): something this tab saved may change the other tabs."""

    changed = Signal()

    def __init__(self, backend: Backend, today: Callable[[], date]) -> None:
        super().__init__()
        self.backend = backend
        self.today = today
        self.patient_id: int | None = None

    def set_patient(self, patient_id: int | None) -> None:
        self.patient_id = patient_id
        self.refresh()

    def refresh(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError


class CoveragesTab(_Tab):
    COLUMNS = (
        "Rank",
        "Payer and plan",
        "Type",
        "Member id",
        "Effective",
        "Ends",
        "State",
        "Verification",
        "Deductible (met)",
        "OOP max (met)",
        "Coinsurance / copay",
    )

    def __init__(self, backend: Backend, today: Callable[[], date]) -> None:
        super().__init__(backend, today)
        self.setObjectName("coveragesTab")
        lay = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.add_button = QPushButton("&Add coverage…")
        self.add_button.setObjectName("addCoverageButton")
        self.edit_button = QPushButton("Edit…")
        self.edit_button.setObjectName("editCoverageButton")
        self.end_button = QPushButton("End coverage…")
        self.end_button.setObjectName("endCoverageButton")
        self.history_box = QCheckBox("Show replaced plans")
        self.history_box.setObjectName("coverageHistory")
        for w in (self.add_button, self.edit_button, self.end_button):
            bar.addWidget(w)
        bar.addStretch(1)
        bar.addWidget(self.history_box)
        lay.addLayout(bar)
        self.table = _table(self.COLUMNS, "coverageTable")
        lay.addWidget(self.table, 1)
        self.empty = QLabel("No coverage on file. A patient with no coverage is self-pay.")
        self.empty.setObjectName("coverageEmpty")
        lay.addWidget(self.empty)
        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit)
        self.end_button.clicked.connect(self.end)
        self.table.doubleClicked.connect(lambda _i: self.edit())
        self.history_box.toggled.connect(lambda _c: self.refresh())
        self.records: list[cs.CoverageRecord] = []
        self.glances: list[tuple[str, str]] = []

    def refresh(self) -> None:
        if self.patient_id is None:
            self.records = []
            self.glances = []
            _fill(self.table, [], [])
            return
        pid = self.patient_id
        self.records = (
            attempt(
                self,
                lambda: self.backend.query(
                    cs.list_coverages, pid, include_history=self.history_box.isChecked()
                ),
            )
            or []
        )
        work = (
            attempt(
                self, lambda: self.backend.query(vs.worklist, today=self.today(), patient_id=pid)
            )
            or []
        )
        rows, colors = [], []
        self.glances = [glance([w for w in work if w.coverage_id == c.id]) for c in self.records]
        for c, (text, color) in zip(self.records, self.glances, strict=True):
            t = c.terms.terms if c.terms else None
            d = c.data
            state = c.state_on(self.today())
            rows.append(
                (
                    dc.RANK_LABELS.get(d.rank, "?"),
                    c.plan_label,
                    dc.PLAN_TYPE_LABELS.get(d.plan_type, d.plan_type)
                    + (f" {d.medigap_plan}" if d.medigap_plan else ""),
                    d.member_id,
                    f"{d.effective_on:%m/%d/%Y}" if d.effective_on else "",
                    f"{d.terminates_on:%m/%d/%Y}" if d.terminates_on else "",
                    state.capitalize(),
                    text if state in ("active", "future") else "—",
                    f"{format_money(t.deductible, blank='none')} ({format_money(t.deductible_met)})"
                    if t
                    else "not known",
                    f"{format_money(t.oop_max, blank='none')} ({format_money(t.oop_met)})"
                    if t
                    else "not known",
                    f"{format_percent(t.coinsurance)} / {format_money(t.copay)}"
                    if t
                    else "not known",
                )
            )
            colors.append(color)
        _fill(self.table, rows, [c.id for c in self.records], colors, color_col=7)
        self.empty.setVisible(not self.records)

    def _current(self) -> cs.CoverageRecord | None:
        ident = _selected(self.table)
        return next((c for c in self.records if c.id == ident), None)

    def summary(self) -> str:
        """Rich text for the patient header: each current plan and its verification state."""
        if self.patient_id is None:
            return ""
        current = [
            (c, g)
            for c, g in zip(self.records, self.glances, strict=True)
            if c.state_on(self.today()) in ("active", "future")
        ]
        if not current:
            return "<span style='color:#555'>No coverage on file (self-pay)</span>"
        return " &nbsp;·&nbsp; ".join(
            f"{html.escape(c.label)} — <span style='color:{color}'>{html.escape(text)}</span>"
            for c, (text, color) in current
        )

    def add(self) -> None:
        if self.patient_id is None:
            return
        dlg = CoverageDialog(self.backend, self.patient_id, today=self.today, parent=self)
        if dlg.exec() == QDialog.DialogCode.Accepted:
            self.refresh()
            self.changed.emit()

    def edit(self) -> None:
        rec = self._current()
        if rec is None or self.patient_id is None:
            return
        dlg = CoverageDialog(
            self.backend, self.patient_id, today=self.today, record=rec, parent=self
        )
        if dlg.exec() == QDialog.DialogCode.Accepted:
            self.refresh()
            self.changed.emit()

    def end(self) -> None:
        rec = self._current()
        if rec is None:
            return
        text, ok = QInputDialog.getText(
            self,
            "End coverage",
            f"Last day of coverage for {rec.label} (MM/DD/YYYY):",
            text=f"{self.today():%m/%d/%Y}",
        )
        if not ok:
            return
        day = parse_date(text, self.today())
        if day is None:
            from infudesk.errors import UserError
            from infudesk.ui.common.ops import report

            report(self, UserError(f"“{text}” is not a date: type it as MM/DD/YYYY."))
            return
        if attempt(
            self, lambda: self.backend.mutate(cs.end_coverage, rec.id, day, today=self.today())
        ):
            self.refresh()
            self.changed.emit()


class OrdersTab(_Tab):
    COLUMNS = (
        "Drug",
        "Dose",
        "Route",
        "Time",
        "Every",
        "Visits (next)",
        "Diagnosis",
        "Provider",
        "Site",
        "Billing lines",
    )

    def __init__(self, backend: Backend, today: Callable[[], date]) -> None:
        super().__init__(backend, today)
        self.setObjectName("ordersTab")
        lay = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.add_button = QPushButton("&New therapy order…")
        self.add_button.setObjectName("addOrderButton")
        self.edit_button = QPushButton("Edit…")
        self.edit_button.setObjectName("editOrderButton")
        bar.addWidget(self.add_button)
        bar.addWidget(self.edit_button)
        bar.addStretch(1)
        lay.addLayout(bar)
        self.table = _table(self.COLUMNS, "orderTable")
        lay.addWidget(self.table, 1)
        self.empty = QLabel("No therapy order yet.")
        lay.addWidget(self.empty)
        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit)
        self.table.doubleClicked.connect(lambda _i: self.edit())
        self.records: list[ors.OrderRecord] = []

    def refresh(self) -> None:
        pid = self.patient_id
        self.records = (
            []
            if pid is None
            else (attempt(self, lambda: self.backend.query(ors.list_orders, pid)) or [])
        )
        rows = []
        for o in self.records:
            d = o.data
            nxt = o.next_visit(self.today())
            dose = format_quantity(d.dose) + (" mg/kg" if d.dose_per_kg else " mg")
            if d.dose_per_kg and d.weight_kg:
                dose += (
                    f" × {format_quantity(d.weight_kg)} kg = {format_quantity(d.dose_in_mg())} mg"
                )
            rows.append(
                (
                    f"{d.drug_name} ({d.drug_hcpcs})",
                    dose,
                    ROUTE_LABELS.get(d.route, d.route),
                    f"{d.minutes} min",
                    f"{d.every_days} days",
                    f"{len(o.visits)} ({nxt:%m/%d/%Y})" if nxt else f"{len(o.visits)} (none ahead)",
                    d.diagnosis,
                    f"{d.provider_name} · NPI {d.provider_npi}",
                    SITE_LABELS.get(d.site_of_care, d.site_of_care),
                    ", ".join(
                        f"{ln.code}{'-' + ln.modifier if ln.modifier else ''} ×{ln.units}"
                        for ln in o.lines
                    ),
                )
            )
        _fill(self.table, rows, [o.id for o in self.records])
        self.empty.setVisible(not self.records)

    def add(self) -> None:
        if self.patient_id is None:
            return
        dlg = OrderDialog(self.backend, self.patient_id, today=self.today, parent=self)
        if dlg.exec() == QDialog.DialogCode.Accepted:
            self.refresh()
            self.changed.emit()

    def edit(self) -> None:
        ident = _selected(self.table)
        rec = next((o for o in self.records if o.id == ident), None)
        if rec is None or self.patient_id is None:
            return
        dlg = OrderDialog(self.backend, self.patient_id, today=self.today, record=rec, parent=self)
        if dlg.exec() == QDialog.DialogCode.Accepted:
            self.refresh()
            self.changed.emit()


class VerificationsTab(_Tab):
    COLUMNS = ("Coverage", "Therapy order", "Due", "Why", "Last verification")

    def __init__(self, backend: Backend, today: Callable[[], date]) -> None:
        super().__init__(backend, today)
        self.setObjectName("verificationsTab")
        lay = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.start_button = QPushButton("Verify &now…")
        self.start_button.setObjectName("startVerificationButton")
        self.start_button.setToolTip("Open the checklist for the selected coverage and order")
        bar.addWidget(self.start_button)
        bar.addStretch(1)
        lay.addLayout(bar)
        self.table = _table(self.COLUMNS, "patientWorkTable")
        lay.addWidget(self.table, 1)
        lay.addWidget(QLabel("Earlier verifications"))
        self.history = _table(
            ("#", "Coverage", "Therapy order", "Status", "Completed", "By"), "verificationHistory"
        )
        lay.addWidget(self.history, 1)
        self.empty = QLabel("Add a coverage to verify benefits.")
        lay.addWidget(self.empty)
        self.start_button.clicked.connect(self.verify_selected)
        self.table.doubleClicked.connect(lambda _i: self.verify_selected())
        self.history.doubleClicked.connect(lambda _i: self.open_history())
        self.rows: list[vs.WorkRow] = []

    def refresh(self) -> None:
        pid = self.patient_id
        self.rows = (
            []
            if pid is None
            else (
                attempt(
                    self,
                    lambda: self.backend.query(vs.worklist, today=self.today(), patient_id=pid),
                )
                or []
            )
        )
        cells, colors = [], []
        for r in self.rows:
            d = r.due
            due = dv.DUE_STATE_LABELS[d.state] + (f" {d.due_on:%m/%d/%Y}" if d.due_on else "")
            last = dv.STATUS_LABELS[r.latest_status] if r.latest_status else "never"
            cells.append((r.coverage_label, r.order_label, due, "; ".join(d.reasons) or "—", last))
            colors.append(STATE_COLORS[d.state])
        _fill(
            self.table, cells, [(r.coverage_id, r.order_id) for r in self.rows], colors, color_col=2
        )
        hist = (
            []
            if pid is None
            else (attempt(self, lambda: self.backend.query(vs.list_for_patient, pid)) or [])
        )
        _fill(
            self.history,
            [
                (
                    str(v.id),
                    cov,
                    order,
                    dv.STATUS_LABELS[v.status],
                    f"{v.completed_on:%m/%d/%Y}" if v.completed_on else "",
                    v.updated_by,
                )
                for v, cov, order in hist
            ],
            [v.id for v, _c, _o in hist],
        )
        self.empty.setVisible(not self.rows and not hist)

    def verify_selected(self) -> None:
        ident = _selected(self.table)
        if ident is None and self.rows:
            ident = (self.rows[0].coverage_id, self.rows[0].order_id)
        if ident is None:
            return
        assert isinstance(ident, tuple)
        row = next(r for r in self.rows if (r.coverage_id, r.order_id) == ident)
        open_checklist(self, self.backend, self.today, row)
        self.refresh()
        self.changed.emit()

    def open_history(self) -> None:
        ident = _selected(self.history)
        if isinstance(ident, int):
            run_checklist(self, self.backend, self.today, ident, title=f"Verification #{ident}")
            self.refresh()
            self.changed.emit()


def open_checklist(
    parent: QWidget, backend: Backend, today: Callable[[], date], row: vs.WorkRow
) -> bool:
    """Continue an open checklist for this coverage and order, or start a new one."""
    if row.latest_id is not None and row.latest_status in (
        Status.NOT_STARTED,
        Status.IN_PROGRESS,
        Status.PROBLEM,
    ):
        ver_id: int | None = row.latest_id
    else:
        rec = attempt(
            parent, lambda: backend.mutate(vs.start_verification, row.coverage_id, row.order_id)
        )
        ver_id = rec.id if rec else None
    if ver_id is None:
        return False
    title = f"{row.patient_name} ({row.mrn}) · {row.coverage_label} · {row.order_label}"
    return run_checklist(parent, backend, today, ver_id, title=title)
