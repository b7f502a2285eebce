"""The Audit log screen (managers): who did what, filtered by user, patient, action and dates;
CSV export (itself audited)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from infudesk.services import audit_log
from infudesk.services.access import Permission, can
from infudesk.ui.common.ops import Backend, attempt

COLUMNS = ("When", "User", "Action", "Record", "Patient (MRN)", "Detail")
ANY = "(any)"


class AuditScreen(QWidget):
    """Filters on top, the newest events first below; Export CSV… writes what is filtered."""

    def __init__(self, backend: Backend, today: Callable[[], date] = date.today) -> None:
        super().__init__()
        self.setObjectName("auditScreen")
        self.backend = backend
        self.today = today
        self.rows: list[audit_log.AuditRow] = []

        outer = QVBoxLayout(self)
        title = QLabel("Audit log")
        title.setObjectName("pageTitle")
        outer.addWidget(title)
        bar = QHBoxLayout()
        self.user = QComboBox()
        self.user.setObjectName("auditUser")
        self.user.setEditable(True)
        self.user.setMinimumWidth(150)
        self.mrn = QLineEdit()
        self.mrn.setObjectName("auditMrn")
        self.mrn.setPlaceholderText("MRN")
        self.mrn.setMaximumWidth(120)
        self.action = QComboBox()
        self.action.setObjectName("auditAction")
        self.action.setMinimumWidth(140)
        self.use_dates = QCheckBox("From")
        self.use_dates.setObjectName("auditUseDates")
        self.since = QDateEdit()
        self.since.setObjectName("auditSince")
        self.since.setCalendarPopup(True)
        self.until = QDateEdit()
        self.until.setObjectName("auditUntil")
        self.until.setCalendarPopup(True)
        for label, widget in (("User", self.user), ("Patient", self.mrn), ("Action", self.action)):
            caption = QLabel(label)
            caption.setBuddy(widget)
            bar.addWidget(caption)
            bar.addWidget(widget)
        bar.addWidget(self.use_dates)
        bar.addWidget(self.since)
        bar.addWidget(QLabel("to"))
        bar.addWidget(self.until)
        self.search_button = QPushButton("Show")
        self.search_button.setObjectName("auditSearch")
        self.search_button.clicked.connect(self.refresh)
        bar.addWidget(self.search_button)
        bar.addStretch(1)
        self.export_button = QPushButton("Export CSV…")
        self.export_button.setObjectName("auditExport")
        self.export_button.clicked.connect(self.choose_export)
        bar.addWidget(self.export_button)
        outer.addLayout(bar)
        self.mrn.returnPressed.connect(self.refresh)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("auditTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        for i in range(len(COLUMNS) - 1):
            header.setSectionResizeMode(i, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        outer.addWidget(self.table, 1)
        self.status = QLabel()
        self.status.setObjectName("auditStatus")
        outer.addWidget(self.status)
        self._reset_dates()

    def _reset_dates(self) -> None:
        today = self.today()
        self.until.setDate(QDate(today.year, today.month, today.day))
        start = QDate(today.year, today.month, today.day).addDays(-30)
        self.since.setDate(start)

    def current_filter(self) -> audit_log.AuditFilter:
        user = self.user.currentText().strip()
        action = self.action.currentText()
        dates = self.use_dates.isChecked()
        return audit_log.AuditFilter(
            user="" if user == ANY else user,
            mrn=self.mrn.text(),
            action="" if action == ANY else action,
            since=self.since.date().toPython() if dates else None,  # type: ignore[arg-type]
            until=self.until.date().toPython() if dates else None,  # type: ignore[arg-type]
        )

    def load_choices(self) -> None:
        found = attempt(self, lambda: self.backend.mutate(audit_log.choices))
        if found is None:
            return
        users, actions = found
        for combo, values in ((self.user, users), (self.action, actions)):
            keep = combo.currentText()
            combo.blockSignals(True)
            combo.clear()
            combo.addItems([ANY, *values])
            combo.setCurrentText(keep or ANY)
            combo.blockSignals(False)

    def refresh(self) -> None:
        f = self.current_filter()
        rows = attempt(self, lambda: self.backend.mutate(audit_log.search, f))
        if rows is None:
            return
        self.rows = rows
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            record = f"{row.entity} {row.entity_id}" if row.entity_id is not None else row.entity
            values = (
                f"{row.at.astimezone():%Y-%m-%d %H:%M:%S}",
                row.user,
                row.action,
                record,
                row.mrn,
                row.detail,
            )
            for c, value in enumerate(values):
                self.table.setItem(r, c, QTableWidgetItem(value))
        more = " (the newest; narrow the filters to see older ones)"
        self.status.setText(
            f"{len(rows):,} events{more if len(rows) >= audit_log.MAX_ROWS else ''}."
        )

    def export_to(self, path: Path) -> bool:
        f = self.current_filter()
        text = attempt(self, lambda: self.backend.mutate(audit_log.export_csv, f))
        if text is None:
            return False
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
        self.status.setText(f"Exported to {path}.")
        return True

    def choose_export(self) -> None:
        suggested = Path.home() / f"audit_{self.today():%Y-%m-%d}.csv"
        path, _filter = QFileDialog.getSaveFileName(
            self, "Export the audit log", str(suggested), "CSV files (*.csv)"
        )
        if path:
            self.export_to(Path(path))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if can(self.backend.actor, Permission.AUDIT):
            self.load_choices()
            self.refresh()
