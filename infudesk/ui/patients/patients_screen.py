"""The Patients screen: search as you type over a lazy list, open or create a patient."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from infudesk.services import patients as ps
from infudesk.services.patients import SortKey
from infudesk.ui.common.ops import Backend, attempt
from infudesk.ui.patients import controller as ctl
from infudesk.ui.patients.patient_model import Columns, PatientTableModel

if TYPE_CHECKING:
    from infudesk.ui.patients.patient_page import PatientPage

SEARCH_DELAY_MS = 150
COUNT_CAP = 1000  # beyond this a search says "more than 1,000": counting costs, narrowing helps


class PatientsScreen(QWidget):
    """The list and, stacked on it, the patient page.

    The patient page (and with it letters, prior auths, the quote's tabs) is made the first
    time a patient is opened: the list alone is what the app's start needs.

    The search's count line is the screen's own (``count_label``), never the window's status
    bar, so it does not follow the user to other screens.

    Signals:
        status_changed(str): a line for the window's status bar (what was just done).
        quote_requested(int): the patient page asked for this patient's quote.
    """

    status_changed = Signal(str)
    quote_requested = Signal(int)

    def __init__(self, backend: Backend, today: Callable[[], date] = date.today) -> None:
        super().__init__()
        self.setObjectName("patientsScreen")
        self.backend = backend
        self.today = today
        self.stack = QStackedWidget()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.stack)

        self.list_page = QWidget()
        self._build_list(self.list_page)
        self.stack.addWidget(self.list_page)
        self._page: PatientPage | None = None
        self.model.searched.connect(self._show_count)
        self.run_search()

    @property
    def page(self) -> PatientPage:
        """The patient page, made on first use."""
        if self._page is None:
            from infudesk.ui.patients.patient_page import PatientPage

            page = PatientPage(self.backend, self.today)
            page.saved.connect(self._after_save)
            page.closed.connect(self.show_list)
            page.quote_requested.connect(self.quote_requested)
            self.stack.addWidget(page)
            self._page = page
        return self._page

    def showing_page(self) -> bool:
        """A patient is open (the page is in front of the list)."""
        return self._page is not None and self.stack.currentWidget() is self._page

    def _build_list(self, page: QWidget) -> None:
        lay = QVBoxLayout(page)
        top = QHBoxLayout()
        title = QLabel("Patients")
        title.setObjectName("pageTitle")
        top.addWidget(title)
        top.addSpacing(16)
        self.search_box = QLineEdit()
        self.search_box.setObjectName("searchBox")
        self.search_box.setPlaceholderText(
            "Search: name or part of it, birth date (MM/DD/YYYY), MRN or phone   (Ctrl+F)"
        )
        self.search_box.setClearButtonEnabled(True)
        top.addWidget(self.search_box, 1)
        self.inactive_box = QCheckBox("Show inactive")
        self.inactive_box.setObjectName("showInactive")
        top.addWidget(self.inactive_box)
        self.new_button = QPushButton("New patient")
        self.new_button.setObjectName("newPatientButton")
        self.new_button.setToolTip("Ctrl+N")
        top.addWidget(self.new_button)
        lay.addLayout(top)

        self.model = PatientTableModel(self._fetch, self._count, self.today)
        self.table = QTableView()
        self.table.setObjectName("patientTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(Columns.NAME, Qt.SortOrder.AscendingOrder)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, width in (
            (Columns.MRN, 100),
            (Columns.NAME, 260),
            (Columns.PREFERRED, 150),
            (Columns.BIRTH_DATE, 130),
            (Columns.PHONE, 130),
            (Columns.CITY, 130),
        ):
            self.table.setColumnWidth(col, width)
        lay.addWidget(self.table, 1)
        self.count_label = QLabel("")
        self.count_label.setObjectName("countLabel")
        lay.addWidget(self.count_label)

        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(SEARCH_DELAY_MS)
        self.timer.timeout.connect(self.run_search)
        self.search_box.textChanged.connect(lambda _t: self.timer.start())
        self.search_box.returnPressed.connect(self._open_from_search)
        self.search_box.installEventFilter(self)
        self.table.installEventFilter(self)
        self.inactive_box.toggled.connect(lambda _c: self.run_search())
        self.table.doubleClicked.connect(self._open_index)
        self.new_button.clicked.connect(self.new_patient)

    # -- data access through the backend (widgets never touch the database) -----------
    def _fetch(
        self, text: str, inactive: bool, sort: SortKey, desc: bool, offset: int, limit: int
    ) -> list[ps.PatientRow]:
        rows = attempt(
            self,
            lambda: self.backend.query(
                ps.search,
                text,
                include_inactive=inactive,
                sort=sort,
                descending=desc,
                offset=offset,
                limit=limit,
                today=self.today(),
            ),
        )
        return rows or []

    def _count(self, text: str, inactive: bool) -> int:
        cap = COUNT_CAP if text.strip() else None
        n = attempt(
            self,
            lambda: self.backend.query(
                ps.count, text, include_inactive=inactive, today=self.today(), cap=cap
            ),
        )
        return n or 0

    # -- behaviour ---------------------------------------------------------------------
    def run_search(self) -> None:
        self.timer.stop()
        self.model.search(self.search_box.text(), self.inactive_box.isChecked())
        if self.model.rowCount() > 0:
            self.table.selectRow(0)

    def _show_count(self, n: int) -> None:
        msg = ctl.count_line(
            self.search_box.text(), n, cap=COUNT_CAP, inactive=self.inactive_box.isChecked()
        )
        self.count_label.setText(msg)

    def focus_search(self) -> None:
        if self.stack.currentWidget() is not self.list_page and not self.page.confirm_leave():
            return
        self.stack.setCurrentWidget(self.list_page)
        self.search_box.setFocus()
        self.search_box.selectAll()

    def new_patient(self) -> None:
        if self.showing_page() and not self.page.confirm_leave():
            return
        self.page.new_patient()
        self.stack.setCurrentWidget(self.page)
        self.page.widgets["first_name"].setFocus()

    def open_patient(self, patient_id: int) -> None:
        if self.page.open_patient(patient_id):
            self.stack.setCurrentWidget(self.page)

    def _open_index(self, index: QModelIndex) -> None:
        row = self.model.row_at(index.row())
        if row is not None:
            self.open_patient(row.id)

    def _open_from_search(self) -> None:
        if self.timer.isActive():
            self.run_search()
        idx = self.table.currentIndex()
        if not idx.isValid() and self.model.rowCount() > 0:
            idx = self.model.index(0, 0)
        if idx.isValid():
            self._open_index(idx)

    def show_list(self) -> None:
        self.stack.setCurrentWidget(self.list_page)
        self.search_box.setFocus()

    def _after_save(self, patient_id: int) -> None:
        self.status_changed.emit(self.page.status.text())  # "New patient created: MRN …"
        self.model.refresh()
        row = self.model.row_of(patient_id)
        if row >= 0:
            self.table.selectRow(row)

    def can_leave(self) -> bool:
        return not self.showing_page() or self.page.confirm_leave()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            if obj is self.search_box and key in (Qt.Key.Key_Down, Qt.Key.Key_PageDown):
                self.table.setFocus()
                if not self.table.currentIndex().isValid() and self.model.rowCount():
                    self.table.selectRow(0)
                return True
            if obj is self.table and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._open_index(self.table.currentIndex())
                return True
            if obj is self.search_box and key == Qt.Key.Key_Escape and self.search_box.text():
                self.search_box.clear()
                return True
        return super().eventFilter(obj, event)
