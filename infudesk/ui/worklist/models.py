"""The Worklist's table models: visits and tasks as lazy rows (no widget per row), filtered
and sorted in the model on the rows already loaded."""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from infudesk.domain.worklist import Task, VisitRow
from infudesk.ui.worklist import controller as c

Index = QModelIndex | QPersistentModelIndex
R = TypeVar("R")


class VisitColumns(enum.IntEnum):
    DAY = 0
    PATIENT = 1
    MRN = 2
    DRUG = 3
    SITE = 4
    PAYER = 5
    STATUS = 6
    READINESS = 7


VISIT_FIELD: dict[VisitColumns, str] = {
    VisitColumns.DAY: "on",
    VisitColumns.PATIENT: "patient",
    VisitColumns.MRN: "mrn",
    VisitColumns.DRUG: "drug",
    VisitColumns.SITE: "site",
    VisitColumns.PAYER: "payer",
    VisitColumns.STATUS: "status",
    VisitColumns.READINESS: "readiness",
}


class TaskColumns(enum.IntEnum):
    DUE = 0
    KIND = 1
    PATIENT = 2
    PAYER = 3
    ASSIGNEE = 4
    TEXT = 5


TASK_FIELD: dict[TaskColumns, str] = {
    TaskColumns.DUE: "due",
    TaskColumns.KIND: "kind",
    TaskColumns.PATIENT: "patient",
    TaskColumns.PAYER: "payer",
    TaskColumns.ASSIGNEE: "assignee",
    TaskColumns.TEXT: "text",
}
ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the row's object (VisitRow or Task)
SortSpec = tuple[str, bool]  # (field, descending)


def sort_rows(rows: Sequence[R], keys: Mapping[str, Callable[[R], Any]], spec: SortSpec) -> list[R]:
    """``rows`` in the order of one field (stable; no Qt: runs on a worker thread too)."""
    field, descending = spec
    return sorted(rows, key=keys[field], reverse=descending)


class _RowsModel(QAbstractTableModel, Generic[R]):
    """Rows kept as loaded; ``keep`` filters and a column's key sorts, both on set or change."""

    COLUMNS: type[enum.IntEnum]
    SORT: Mapping[str, Callable[[Any], Any]]
    FIELDS: Mapping[Any, str]
    HEADERS: Mapping[str, str]
    DEFAULT_SORT = 0

    def __init__(self, today: Callable[[], date]) -> None:
        super().__init__()
        self.today = today
        self._loaded: list[R] = []
        self._rows: list[R] = []
        self._keep: Callable[[R], bool] = lambda _r: True
        self._sort: tuple[int, Qt.SortOrder] = (self.DEFAULT_SORT, Qt.SortOrder.AscendingOrder)
        # every loaded row in a sort order, by (field, descending): a filter change or a sort
        # already made only picks the kept rows out of one of these (no sort again)
        self._ordered: dict[SortSpec, list[R]] = {}
        self._day = today()

    # -- rows ----------------------------------------------------------------------------
    def sort_spec(self) -> SortSpec | None:
        """The current sort as (field, descending), None when unsorted."""
        column, order = self._sort
        if not 0 <= column < len(self.COLUMNS):
            return None
        return self.FIELDS[self.COLUMNS(column)], order == Qt.SortOrder.DescendingOrder

    def set_rows(
        self,
        rows: Sequence[R],
        keep: Callable[[R], bool] | None = None,
        ordered: Mapping[SortSpec, list[R]] | None = None,
    ) -> None:
        """Show ``rows`` (kept by ``keep`` when given); ``ordered``: the same rows already
        sorted (:func:`sort_rows`, e.g. on the worker thread that loaded them)."""
        self.beginResetModel()
        self._day = self.today()
        self._loaded = list(rows)
        self._ordered = dict(ordered or {})
        if keep is not None:
            self._keep = keep
        self._rows = self._shown()
        self.endResetModel()

    def set_filter(self, keep: Callable[[R], bool]) -> None:
        self.beginResetModel()
        self._keep = keep
        self._rows = self._shown()
        self.endResetModel()

    def _shown(self) -> list[R]:
        spec = self.sort_spec()
        rows = self._loaded
        if spec is not None:
            ordered = self._ordered.get(spec)
            if ordered is None:
                ordered = self._ordered[spec] = sort_rows(self._loaded, self.SORT, spec)
            rows = ordered
        keep = self._keep
        return [r for r in rows if keep(r)]

    def loaded(self) -> list[R]:
        return list(self._loaded)

    def shown(self) -> list[R]:
        return list(self._rows)

    def row_at(self, row: int) -> R | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    # -- Qt model API --------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[self.FIELDS[self.COLUMNS(section)]]
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        held = [self.row_at(p.row()) for p in persistent]
        self._sort = (column, order)
        self._rows = self._shown()
        where = {id(r): i for i, r in enumerate(self._rows)}
        self.changePersistentIndexList(
            persistent,
            [
                self.index(where[id(r)], p.column())
                if r is not None and id(r) in where
                # a row no longer shown loses its index
                else QModelIndex()
                for p, r in zip(persistent, held, strict=True)
            ],
        )
        self.layoutChanged.emit()


class VisitTableModel(_RowsModel[VisitRow]):
    COLUMNS = VisitColumns
    SORT = c.VISIT_SORT
    FIELDS = VISIT_FIELD
    HEADERS = c.VISIT_HEADERS

    def row_of(self, visit_id: int) -> int:
        return next((i for i, v in enumerate(self._rows) if v.visit_id == visit_id), -1)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        v = self.row_at(index.row()) if index.isValid() else None
        if v is None:
            return None
        col = VisitColumns(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return c.visit_text(v, VISIT_FIELD[col], self._day)
        if role == Qt.ItemDataRole.ForegroundRole:
            if col is VisitColumns.READINESS:
                return QColor(c.readiness_color(v))
            return QColor(c.DONE_COLOR) if c.done(v) else None
        if role == Qt.ItemDataRole.ToolTipRole:
            if col is VisitColumns.READINESS:
                return c.visit_tooltip(v)
            if col is VisitColumns.DAY:
                return f"{v.on:%A %m/%d/%Y}"
            if col is VisitColumns.DRUG:
                return v.drug
            # a narrow column elides: its whole text
            return c.visit_text(v, VISIT_FIELD[col], self._day)
        if role == ROW_ROLE:
            return v
        return None


class TaskTableModel(_RowsModel[Task]):
    COLUMNS = TaskColumns
    SORT = c.TASK_SORT
    FIELDS = TASK_FIELD
    HEADERS = c.TASK_HEADERS

    def __init__(self, today: Callable[[], date]) -> None:
        super().__init__(today)
        self.names: Mapping[str, str] = {}

    def row_of(self, key: str) -> int:
        return next((i for i, t in enumerate(self._rows) if t.key == key), -1)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        t = self.row_at(index.row()) if index.isValid() else None
        if t is None:
            return None
        col = TaskColumns(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return c.task_text(t, TASK_FIELD[col], self._day, self.names)
        if role == Qt.ItemDataRole.ForegroundRole:
            color = c.due_color(t, self._day)
            if col is TaskColumns.DUE or (color == c.DONE_COLOR):
                return QColor(color) if color else None
            return None
        if role == Qt.ItemDataRole.ToolTipRole:  # what to do, whichever cell is pointed at
            return f"{t.patient_name} · {t.payer}\n{t.text}"
        if role == ROW_ROLE:
            return t
        return None
