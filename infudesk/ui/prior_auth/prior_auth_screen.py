"""The Prior auths screen: every patient's cases, what is left of each approval, what is due."""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QPainter, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from infudesk.domain import prior_auth as pa
from infudesk.domain.prior_auth import (
    REMINDER_LABELS,
    SEVERITY_LABELS,
    STATE_LABELS,
    State,
)
from infudesk.services import payers as pys
from infudesk.services import prior_auths as pas
from infudesk.ui.common.change_watch import ChangeWatcher
from infudesk.ui.common.ops import Backend, Latest, attempt, run_query
from infudesk.ui.common.screen import squeeze_columns
from infudesk.ui.common.widgets import choice_combo, title_bar
from infudesk.ui.prior_auth.controller import (
    EXPIRING_DAYS,
    count_line,
    keep,
    reminder_line,
    units_fraction,
    units_text,
    us,
    visits_fraction,
    visits_text,
)
from infudesk.ui.prior_auth.prior_auth_dialog import (
    SEVERITY_COLORS,
    STATE_COLORS,
    open_case,
)

Index = QModelIndex | QPersistentModelIndex
SHOW = (  # short enough for the filter bar; the tips say what each takes in
    ("open", "Open cases"),
    ("expiring", f"Ending in {EXPIRING_DAYS} days"),
    ("follow_up", f"Due in {pa.SOON_DAYS} days"),
    ("appeal", "Appeal deadlines"),
    ("all", "All cases"),
)
SHOW_TIPS = {
    "open": "Cases not closed yet",
    "expiring": f"Approvals ending within {EXPIRING_DAYS} days",
    "follow_up": f"Follow-ups and payer decisions due in the next {pa.SOON_DAYS} days",
    "appeal": "Appeal, external-review and fair-hearing deadlines",
    "all": "All cases, including expired and cancelled",
}
# the filter and the State column say it short (the tooltips whole)
SHORT_STATE_LABELS = {**STATE_LABELS, State.PENDING: "Pending (more info)"}
SEVERITY_ORDER = {"overdue": 0, "due": 1, "soon": 2, "info": 3}


class Columns(enum.IntEnum):
    PATIENT = 0
    MRN = 1
    PAYER = 2
    ORDER = 3
    STATE = 4
    AUTH = 5
    END = 6
    UNITS = 7
    VISITS = 8
    NEXT = 9


HEADERS = {
    Columns.PATIENT: "Patient",
    Columns.MRN: "MRN",
    Columns.PAYER: "Payer",
    Columns.ORDER: "Drug / order",
    Columns.STATE: "State",
    Columns.AUTH: "Auth #",
    Columns.END: "Auth ends",
    Columns.UNITS: "Units left",
    Columns.VISITS: "Visits left",
    Columns.NEXT: "Next reminder",
}
MAX_WIDTHS = {
    Columns.PATIENT: 190,
    Columns.PAYER: 170,
    Columns.ORDER: 230,
    Columns.STATE: 170,
    Columns.UNITS: 190,
}


class CaseTableModel(QAbstractTableModel):
    """Cases from ``list_cases`` as rows; sorting happens here, on the rows already loaded."""

    ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the case id
    BAR_ROLE = Qt.ItemDataRole.UserRole + 2  # 0..1: the share left, for the bar

    def __init__(self) -> None:
        super().__init__()
        self._loaded: list[pas.CaseRow] = []
        self._rows: list[pas.CaseRow] = []
        self._sort: tuple[int, Qt.SortOrder] = (-1, Qt.SortOrder.AscendingOrder)

    def set_rows(self, rows: Sequence[pas.CaseRow]) -> None:
        self.beginResetModel()
        self._loaded = list(rows)
        self._rows = self._sorted(self._loaded)
        self.endResetModel()

    def row_at(self, row: int) -> pas.CaseRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, case_id: int) -> int:
        return next((i for i, r in enumerate(self._rows) if r.id == case_id), -1)

    def rows(self) -> list[pas.CaseRow]:
        return list(self._rows)

    # -- Qt model API ------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[Columns(section)]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        r = self._rows[index.row()]
        col = Columns(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(r, col)
        if role == Qt.ItemDataRole.ForegroundRole:
            if col is Columns.STATE:
                return QColor(STATE_COLORS[r.state])
            if col is Columns.NEXT and r.next_reminder is not None:
                return QColor(SEVERITY_COLORS[r.next_reminder.severity])
            if r.state in pa.TERMINAL_STATES:
                return QColor("#888888")
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            if col is Columns.NEXT and r.reminders:
                return "\n\n".join(f"{reminder_line(x)}\n{x.text}" for x in r.reminders)
            if col is Columns.STATE:
                return STATE_LABELS[r.state]
            if col in (Columns.UNITS, Columns.VISITS, Columns.ORDER):
                return self._text(r, col)
            return None
        if role == self.BAR_ROLE:
            if col is Columns.UNITS:
                return units_fraction(r)
            if col is Columns.VISITS:
                return visits_fraction(r)
            return None
        if role == self.ROW_ROLE:
            return r.id
        return None

    @staticmethod
    def _text(r: pas.CaseRow, col: Columns) -> str:
        if col is Columns.PATIENT:
            return r.patient_name
        if col is Columns.MRN:
            return r.mrn
        if col is Columns.PAYER:
            return r.payer_name
        if col is Columns.ORDER:
            return r.order_label
        if col is Columns.STATE:  # short in the column, whole in the tooltip
            return SHORT_STATE_LABELS[r.state]
        if col is Columns.AUTH:
            return r.auth_number or "—"
        if col is Columns.END:
            return us(r.end_on)
        if col is Columns.UNITS:
            return units_text(r)
        if col is Columns.VISITS:
            return visits_text(r)
        n = r.next_reminder
        if n is None:
            return "—"
        return f"{us(n.due_on)} {SEVERITY_LABELS[n.severity].lower()} · {REMINDER_LABELS[n.kind]}"

    # -- sorting -----------------------------------------------------------------------
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._sort = (column, order)
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        ids = [
            self._rows[i.row()].id if 0 <= i.row() < len(self._rows) else None for i in persistent
        ]
        self._rows = self._sorted(self._loaded)
        where = {r.id: i for i, r in enumerate(self._rows)}
        self.changePersistentIndexList(
            persistent,
            [
                self.index(where[i], p.column()) if i in where else QModelIndex()
                for p, i in zip(persistent, ids, strict=True)
            ],
        )
        self.layoutChanged.emit()

    def _sorted(self, rows: list[pas.CaseRow]) -> list[pas.CaseRow]:
        column, order = self._sort
        if not 0 <= column < len(Columns):
            return list(rows)  # the service's order: most urgent first
        key = _SORT_KEYS[Columns(column)]
        return sorted(rows, key=key, reverse=order == Qt.SortOrder.DescendingOrder)


def _next_key(r: pas.CaseRow) -> tuple[int, date]:
    n = r.next_reminder
    return (SEVERITY_ORDER[n.severity], n.due_on) if n else (4, date.max)


_SORT_KEYS: dict[Columns, Callable[[pas.CaseRow], Any]] = {
    Columns.PATIENT: lambda r: (r.patient_name.casefold(), r.id),
    Columns.MRN: lambda r: r.mrn,
    Columns.PAYER: lambda r: (r.payer_name.casefold(), r.patient_name.casefold()),
    Columns.ORDER: lambda r: r.order_label.casefold(),
    Columns.STATE: lambda r: (list(State).index(r.state), r.patient_name.casefold()),
    Columns.AUTH: lambda r: r.auth_number,
    Columns.END: lambda r: r.end_on or date.max,
    Columns.UNITS: lambda r: (
        units_fraction(r) if units_fraction(r) is not None else 2.0,
        min(r.remaining.units_by_code.values(), default=0) if r.remaining else 10**9,
    ),
    Columns.VISITS: lambda r: visits_fraction(r) if visits_fraction(r) is not None else 2.0,
    Columns.NEXT: _next_key,
}


class BarDelegate(QStyledItemDelegate):
    """The cell's text with a small bar on its right: the share still left (green → red)."""

    BAR_WIDTH = 56

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        share = index.data(CaseTableModel.BAR_ROLE)
        if not isinstance(share, float | int):
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        rect = QRect(opt.rect)
        bar_w = min(self.BAR_WIDTH, max(0, rect.width() // 2))
        text = opt.text
        opt.text = ""
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        opt.text = text
        opt.rect = rect.adjusted(0, 0, -(bar_w + 6), 0)
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        if bar_w < 12:
            return
        share = max(0.0, min(1.0, float(share)))
        track = QRect(rect.right() - bar_w - 3, rect.center().y() - 4, bar_w, 8)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(QColor("#b8b8b8"))
        painter.setBrush(QColor("#eeeeee"))
        painter.drawRoundedRect(track, 3, 3)
        if share > 0:
            fill = QRect(
                track.left(), track.top(), max(3, round(track.width() * share)), track.height()
            )
            color = "#2e7d32" if share >= 0.25 else "#c77800"
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(color))
            painter.drawRoundedRect(fill, 3, 3)
        else:
            painter.setPen(QColor("#b00020"))
            painter.drawLine(
                track.left() + 2, track.center().y(), track.right() - 2, track.center().y()
            )
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        size = super().sizeHint(option, index)
        if index.data(CaseTableModel.BAR_ROLE) is not None:
            size.setWidth(size.width() + self.BAR_WIDTH + 10)
        return size


def case_view(model: CaseTableModel, name: str) -> QTableView:
    """A read-only, row-selecting view over the cases with bars in the units and visits columns."""
    view = QTableView()
    view.setObjectName(name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.verticalHeader().hide()
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    header = view.horizontalHeader()
    header.setStretchLastSection(True)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setResizeContentsPrecision(200)  # measure a sample of rows, not 10,000
    header.setSortIndicatorShown(True)
    header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
    view.setSortingEnabled(True)
    delegate = BarDelegate(view)
    view.setItemDelegateForColumn(Columns.UNITS, delegate)
    view.setItemDelegateForColumn(Columns.VISITS, delegate)
    return view


def fit_columns(view: QTableView) -> None:
    """Size the columns to a sample of their contents, within reason."""
    view.resizeColumnsToContents()
    header = view.horizontalHeader()
    for col in range(header.count() - 1):
        header.resizeSection(col, min(header.sectionSize(col), MAX_WIDTHS.get(Columns(col), 200)))
    squeeze_columns(view)  # Next reminder stays on screen at 1366 px


def selected_row(view: QTableView, model: CaseTableModel) -> pas.CaseRow | None:
    index = view.currentIndex()
    return model.row_at(index.row()) if index.isValid() else None


def select_case(view: QTableView, model: CaseTableModel, case_id: int | None) -> None:
    row = model.row_of(case_id) if case_id is not None else -1
    if row >= 0:
        view.selectRow(row)
        view.scrollTo(model.index(row, 0))


class PriorAuthScreen(QWidget):
    """Signals:
    open_patient(int): the user wants the patient's record.
    refreshed(): the list shows the cases of the filters chosen (after a query or a filter).
    """

    open_patient = Signal(int)
    refreshed = Signal()

    def __init__(self, backend: Backend, today: Callable[[], date] = date.today) -> None:
        super().__init__()
        self.setObjectName("priorAuthScreen")
        self.backend = backend
        self.today = today
        lay = QVBoxLayout(self)
        self.show_combo = choice_combo("showFilter", SHOW, SHOW_TIPS)
        self.payer_combo = choice_combo("payerFilter", [(None, "All payers")])
        self.state_combo = choice_combo(
            "stateFilter",
            [(None, "All states"), *((s.value, SHORT_STATE_LABELS[s]) for s in State)],
            {State.PENDING.value: STATE_LABELS[State.PENDING]},
        )
        lay.addLayout(
            title_bar(
                "Prior authorizations",
                ("Show", self.show_combo),
                ("Payer", self.payer_combo),
                ("State", self.state_combo),
            )
        )
        bar = QHBoxLayout()
        self.open_button = QPushButton("Open case…")
        self.open_button.setObjectName("openCaseButton")
        self.patient_button = QPushButton("Open patient")
        self.patient_button.setObjectName("openPatientButton")
        bar.addWidget(self.open_button)
        bar.addWidget(self.patient_button)
        bar.addStretch(1)
        legend = QLabel(
            " · ".join(
                f"<span style='color:{SEVERITY_COLORS[s]}'>{label}</span>"
                for s, label in pa.SEVERITY_LABELS.items()
            )
        )
        legend.setObjectName("severityLegend")
        bar.addWidget(legend)
        lay.addLayout(bar)
        self.model = CaseTableModel()
        self.table = case_view(self.model, "priorAuthTable")
        lay.addWidget(self.table, 1)
        self.count_label = QLabel("")
        self.count_label.setObjectName("priorAuthCount")
        lay.addWidget(self.count_label)
        self._sized = False
        self._loaded: list[pas.CaseRow] | None = None
        self._args: dict[str, Any] = {}
        self._latest = Latest()
        for combo in (self.show_combo, self.payer_combo, self.state_combo):
            combo.currentIndexChanged.connect(lambda _i: self._filters_changed())
        self.table.doubleClicked.connect(lambda _i: self.open_selected())
        self.open_button.clicked.connect(self.open_selected)
        self.patient_button.clicked.connect(self._open_patient)
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

    def _query_args(self) -> dict[str, Any]:
        mode = str(self.show_combo.currentData())
        state = self.state_combo.currentData()
        states = frozenset({State(state)}) if state else None
        include_closed = mode == "all" or (states is not None and bool(states & pa.TERMINAL_STATES))
        return {
            "today": self.today(),
            "payer_id": self.payer_combo.currentData(),
            "states": states,
            "include_closed": include_closed,
        }

    def refresh(self) -> None:
        """Load the cases again: one query for the filters chosen (on a worker thread)."""
        self._apply(requery=True)

    @property
    def loading(self) -> bool:
        """A query for the list is running (its rows are not shown yet)."""
        return self._latest.busy

    def _filters_changed(self) -> None:
        self._apply(requery=False)

    def _apply(self, *, requery: bool) -> None:
        """Show the cases for the filters; the query runs again only when its filters changed
        (the 'Show' choices that narrow the open cases reuse the rows already loaded). The query
        runs on a worker thread; a newer one replaces a running one's result."""
        args = self._query_args()
        if requery or args != self._args or self._loaded is None:
            self.watcher.mark()
            if self._loaded is None:
                self.count_label.setText("Loading the cases…")

            def loaded(rows: list[pas.CaseRow]) -> None:
                self._loaded, self._args = rows, args
                self._show(args["today"])

            self._latest.replace(
                run_query(self, self.backend, lambda s: pas.list_cases(s, **args), loaded)
            )
            return
        self._show(args["today"])

    def _show(self, today: date) -> None:
        assert self._loaded is not None
        current = selected_row(self.table, self.model)
        shown = keep(self._loaded, str(self.show_combo.currentData()), today)
        self.model.set_rows(shown)
        if shown and not self._sized:
            fit_columns(self.table)
            self._sized = True
        select_case(self.table, self.model, current.id if current else None)
        self.count_label.setText(count_line(shown))
        self.refreshed.emit()

    def selected(self) -> pas.CaseRow | None:
        return selected_row(self.table, self.model)

    def open_selected(self) -> None:
        row = self.selected()
        if row is not None:
            open_case(self, self.backend, row.id, self.today)
            self.refresh()

    def _open_patient(self) -> None:
        row = self.selected()
        if row is not None:
            self.open_patient.emit(row.patient_id)
