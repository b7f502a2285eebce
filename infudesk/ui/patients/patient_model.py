"""The patient list's lazy table model: pages fetched from the database as the view scrolls."""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from infudesk.domain.validation import format_phone
from infudesk.services.patients import PatientRow, SortKey
from infudesk.ui.patients.controller import format_birth_date

PAGE = 200
Index = QModelIndex | QPersistentModelIndex


class Columns(enum.IntEnum):
    MRN = 0
    NAME = 1
    PREFERRED = 2
    BIRTH_DATE = 3
    PHONE = 4
    CITY = 5
    STATUS = 6


HEADERS = {
    Columns.MRN: "MRN",
    Columns.NAME: "Name",
    Columns.PREFERRED: "Preferred name",
    Columns.BIRTH_DATE: "Date of birth",
    Columns.PHONE: "Phone",
    Columns.CITY: "City",
    Columns.STATUS: "Status",
}
SORT_KEYS = {
    Columns.MRN: SortKey.MRN,
    Columns.NAME: SortKey.NAME,
    Columns.BIRTH_DATE: SortKey.BIRTH_DATE,
    Columns.PHONE: SortKey.PHONE,
    Columns.CITY: SortKey.CITY,
}

# fetch(text, include_inactive, sort, descending, offset, limit) -> rows
Fetch = Callable[[str, bool, SortKey, bool, int, int], list[PatientRow]]
Count = Callable[[str, bool], int]


class PatientTableModel(QAbstractTableModel):
    """Rows come in pages of 200 through ``fetch``; nothing else is held in memory.

    Signals:
        searched(int): a new search finished; the argument is the number of matches.
    """

    searched = Signal(int)
    ROW_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(self, fetch: Fetch, count: Count, today: Callable[[], date] = date.today) -> None:
        super().__init__()
        self._fetch = fetch
        self._count = count
        self._today = today
        self._rows: list[PatientRow] = []
        self._more = False
        self.text = ""
        self.include_inactive = False
        self.sort_key = SortKey.NAME
        self.descending = False
        self.total = 0
        self._searched = False  # no query before the first search (the view's set-up sorts)

    # -- searching ---------------------------------------------------------------------
    def search(self, text: str, include_inactive: bool | None = None) -> None:
        """Run a new search from the first page."""
        self.text = text
        if include_inactive is not None:
            self.include_inactive = include_inactive
        self.refresh()

    def refresh(self) -> None:
        self._searched = True
        self.beginResetModel()
        first = self._fetch(
            self.text, self.include_inactive, self.sort_key, self.descending, 0, PAGE
        )
        self._rows = first
        self._more = len(first) == PAGE
        self.endResetModel()
        self.total = len(first) if not self._more else self._count(self.text, self.include_inactive)
        self.searched.emit(self.total)

    def row_at(self, row: int) -> PatientRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, patient_id: int) -> int:
        for i, r in enumerate(self._rows):
            if r.id == patient_id:
                return i
        return -1

    # -- Qt model API ------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Columns)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._more

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or not self._more:
            return
        page = self._fetch(
            self.text, self.include_inactive, self.sort_key, self.descending, len(self._rows), PAGE
        )
        self._more = len(page) == PAGE
        if page:
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(page) - 1)
            self._rows.extend(page)
            self.endInsertRows()

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[Columns(section)]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        r = self._rows[index.row()]
        col = Columns(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            if col is Columns.MRN:
                return r.mrn
            if col is Columns.NAME:
                return r.display_name
            if col is Columns.PREFERRED:
                return r.preferred_name
            if col is Columns.BIRTH_DATE:
                return format_birth_date(r.birth_date, self._today())
            if col is Columns.PHONE:
                return format_phone(r.phone)
            if col is Columns.CITY:
                return r.city
            return "Active" if r.active else "Inactive"
        if role == Qt.ItemDataRole.ForegroundRole and not r.active:
            return Qt.GlobalColor.gray
        if role == self.ROW_ROLE:
            return r.id
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = SORT_KEYS.get(Columns(column))
        if key is None:
            return
        self.sort_key = key
        self.descending = order == Qt.SortOrder.DescendingOrder
        if self._searched:  # before the first search there is nothing to put in order yet
            self.refresh()
