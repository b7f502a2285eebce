"""The Verifications screen: what is due, overdue, in progress or in trouble, across patients."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from infudesk.services import payers as pys
from infudesk.services import verifications as vs
from infudesk.ui.common.change_watch import ChangeWatcher
from infudesk.ui.common.ops import Backend, attempt
from infudesk.ui.common.widgets import choice_combo, title_bar
from infudesk.ui.patients.patient_tabs import _fill, _selected, _table, open_checklist
from infudesk.ui.verification import controller as ctl

COLUMNS = ("Patient", "MRN", "Coverage", "Therapy order", "Next visit", "Due", "Why", "Checklist")
SHOW = (
    ("attention", "Needs attention"),
    ("problems", "Problems found"),
    ("all", "Everything"),
)
# the short label fits the filter bar; what it takes in is said here
ATTENTION_TIP = "Needs attention: overdue, due, due soon, in progress or with problems found"


class VerificationsScreen(QWidget):
    """Signals: open_patient(int): the user wants the patient's record."""

    open_patient = Signal(int)

    def __init__(self, backend: Backend, today: Callable[[], date] = date.today) -> None:
        super().__init__()
        self.setObjectName("verificationsScreen")
        self.backend = backend
        self.today = today
        lay = QVBoxLayout(self)
        self.show_combo = choice_combo("showFilter", SHOW, {"attention": ATTENTION_TIP})
        self.payer_combo = choice_combo("payerFilter", [])
        self.due_by = QLineEdit()
        self.due_by.setObjectName("dueBy")
        self.due_by.setPlaceholderText("MM/DD/YYYY")
        self.due_by.setMaximumWidth(110)
        lay.addLayout(
            title_bar(
                "Verifications",
                ("Show", self.show_combo),
                ("Payer", self.payer_combo),
                ("Due by", self.due_by),
            )
        )
        bar = QHBoxLayout()
        self.verify_button = QPushButton("Verify…")
        self.verify_button.setObjectName("verifyButton")
        self.patient_button = QPushButton("Open patient")
        self.patient_button.setObjectName("openPatientButton")
        bar.addWidget(self.verify_button)
        bar.addWidget(self.patient_button)
        bar.addStretch(1)
        lay.addLayout(bar)
        self.table = _table(COLUMNS, "worklistTable")
        lay.addWidget(self.table, 1)
        self.count_label = QLabel("")
        self.count_label.setObjectName("worklistCount")
        lay.addWidget(self.count_label)
        self.rows: list[vs.WorkRow] = []
        self.show_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.payer_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.due_by.editingFinished.connect(self.refresh)
        self.table.doubleClicked.connect(lambda _i: self.verify())
        self.verify_button.clicked.connect(self.verify)
        self.patient_button.clicked.connect(self._open_patient)
        self._load_payers()
        # another workstation's save reloads the list (polling on a shared server)
        self.watcher = ChangeWatcher(self, backend, self.refresh)

    def _load_payers(self) -> None:
        current = self.payer_combo.currentData()
        self.payer_combo.blockSignals(True)
        self.payer_combo.clear()
        self.payer_combo.addItem("All payers", None)
        for p in attempt(self, lambda: self.backend.query(pys.list_payers)) or []:
            self.payer_combo.addItem(p.data.name, p.id)
        self.payer_combo.setCurrentIndex(max(0, self.payer_combo.findData(current)))
        self.payer_combo.blockSignals(False)

    def showEvent(self, event: QShowEvent) -> None:
        self._load_payers()
        self.refresh()
        super().showEvent(event)

    def refresh(self) -> None:
        self.watcher.mark()
        due_by, problem = ctl.due_by(self.due_by.text(), self.today())
        if problem:
            self.count_label.setText(problem)
            return
        rows = (
            attempt(
                self,
                lambda: self.backend.query(
                    vs.worklist,
                    today=self.today(),
                    payer_id=self.payer_combo.currentData(),
                    due_by=due_by,
                ),
            )
            or []
        )
        rows = ctl.keep(rows, self.show_combo.currentData(), self.today())
        self.rows = rows
        _fill(
            self.table,
            [ctl.cells(r) for r in rows],
            list(range(len(rows))),
            [ctl.color(r) for r in rows],
            color_col=5,
        )
        self.count_label.setText(ctl.count_line(rows))

    def _current(self) -> vs.WorkRow | None:
        index = _selected(self.table)
        return self.rows[index] if isinstance(index, int) and index < len(self.rows) else None

    def verify(self) -> None:
        row = self._current()
        if row is not None:
            open_checklist(self, self.backend, self.today, row)
            self.refresh()

    def _open_patient(self) -> None:
        row = self._current()
        if row is not None:
            self.open_patient.emit(row.patient_id)
