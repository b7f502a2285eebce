"""The Worklist, the front desk's first screen: the visits of the coming days with what still
blocks each (every blocker a button to the screen that fixes it), the visit actions, and the
tasks beside them, assignable and filterable. The list is built on a worker thread."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

from PySide6.QtCore import QItemSelection, Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from infudesk.domain.worklist import Target, Task, TaskStatus, VisitRow, Worklist
from infudesk.heap import settle_heap
from infudesk.services import settings as st
from infudesk.services import worklist as wls
from infudesk.services.access import PermissionDenied
from infudesk.services.audit import Actor
from infudesk.ui.common.change_watch import ChangeWatcher
from infudesk.ui.common.ops import Backend, Latest, run_change, run_query
from infudesk.ui.common.widgets import choice_combo
from infudesk.ui.worklist import controller as c
from infudesk.ui.worklist import visit_actions
from infudesk.ui.worklist.controller import VisitAction
from infudesk.ui.worklist.models import (
    SortSpec,
    TaskColumns,
    TaskTableModel,
    VisitColumns,
    VisitTableModel,
    sort_rows,
)

log = logging.getLogger(__name__)
HINT_STYLE = "color: #555;"
EMPTY_STYLE = "color: #555; padding: 24px;"
VISIT_WIDTHS = {
    VisitColumns.DAY: 78,
    VisitColumns.PATIENT: 140,
    VisitColumns.MRN: 80,
    VisitColumns.DRUG: 92,
    VisitColumns.SITE: 90,
    VisitColumns.PAYER: 112,
}
HIDDEN_VISIT_COLUMNS = (VisitColumns.MRN, VisitColumns.SITE)  # in the tooltip and the details
TASK_WIDTHS = {
    TaskColumns.DUE: 78,
    TaskColumns.KIND: 128,
    TaskColumns.PATIENT: 120,
    TaskColumns.PAYER: 120,
    TaskColumns.ASSIGNEE: 92,
}
# the payer is a filter, and what to do shows under the list for the selected task
HIDDEN_TASK_COLUMNS = (TaskColumns.PAYER, TaskColumns.TEXT)


@dataclass(frozen=True)
class Loaded:
    """What one refresh brings back from the worker thread (plain data only)."""

    worklist: Worklist
    days: int
    staff: tuple[tuple[str, str], ...]  # (username, display name) of the active staff
    took_ms: float
    # the visits and the tasks in the tables' sort orders at the time of the refresh (sorted
    # here, off the GUI thread)
    visits_ordered: Mapping[SortSpec, list[VisitRow]] = field(default_factory=dict)
    tasks_ordered: Mapping[SortSpec, list[Task]] = field(default_factory=dict)
    setting: int = c.DEFAULT_DAYS  # the days setting as read by this load
    by_setting: bool = True  # ``days`` is the setting's (not the desk's own Days box)


def days_setting(session: Session) -> int:
    """The Worklist's window in days (Settings; 14 when the setting is not there)."""
    if c.DAYS_SETTING not in st.DEFAULTS:
        return c.DEFAULT_DAYS
    return c.clamp_days(st.get(session, c.DAYS_SETTING))


def active_staff(session: Session, actor: Actor) -> tuple[tuple[str, str], ...]:
    """Whom a task can be given to (every role that works the worklist may read it)."""
    return wls.assignable_staff(session, actor)


def load(
    session: Session,
    actor: Actor,
    today: date,
    days: int | None,
    visit_sort: SortSpec | None = None,
    task_sort: SortSpec | None = None,
    setting_seen: int | None = None,
) -> Loaded:
    """The worklist of ``days`` days (None: the setting's), sorted as the tables are. A days
    setting changed since ``setting_seen`` (the one of the last load) wins over ``days``."""
    started = time.perf_counter()
    setting = days_setting(session)
    if days is not None and setting_seen is not None and setting != setting_seen:
        days = None
    n = days if days is not None else setting
    wl = wls.build(session, actor, today, days=n)
    staff = active_staff(session, actor)
    visits = (
        {} if visit_sort is None else {visit_sort: sort_rows(wl.visits, c.VISIT_SORT, visit_sort)}
    )
    tasks = {} if task_sort is None else {task_sort: sort_rows(wl.tasks, c.TASK_SORT, task_sort)}
    took = (time.perf_counter() - started) * 1000
    return Loaded(wl, n, staff, took, visits, tasks, setting, days is None)


def _table(model: VisitTableModel | TaskTableModel, name: str) -> QTableView:
    view = QTableView()
    view.setObjectName(name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    view.verticalHeader().hide()
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    view.verticalHeader().setDefaultSectionSize(24)
    header = view.horizontalHeader()
    header.setStretchLastSection(True)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setSortIndicatorShown(True)
    view.setSortingEnabled(True)
    return view


class WorklistScreen(QWidget):
    """Signals:
    target_requested(object, str): a blocker's or task's Target to open, and the letter kind
        (for a "letters" target);
    patient_requested(int): the user wants the patient's record;
    counts_changed(object): the counts per navigation area (a dict) after each load;
    loaded(): a load was shown (tests wait on it);
    settled(): a settle ended, after a load or the 5-minute one (tests wait on it).
    """

    target_requested = Signal(object, str)
    patient_requested = Signal(int)
    counts_changed = Signal(object)
    loaded = Signal()
    settled = Signal()

    def __init__(self, backend: Backend, today: Callable[[], date] = date.today) -> None:
        super().__init__()
        self.setObjectName("worklistScreen")
        self.backend = backend
        self.today = today
        self.latest = Latest()
        self.settling = Latest()
        self.data: Loaded | None = None
        self.days: int | None = None  # None: the setting's
        self.names: dict[str, str] = {}
        self.gui_ms: list[float] = []  # GUI-thread time of each load shown (measured)
        self._build()
        self.watcher = ChangeWatcher(self, backend, self.refresh)
        # the kept worklists stay near enough to the records while the desk works elsewhere
        # (a local database's list reloads only when looked at): settle now and then
        self.keeper = QTimer(self)
        self.keeper.setInterval(c.KEEP_EVERY_MS)
        self.keeper.timeout.connect(self._keep_now)
        self.keeper.start()

    # -- construction --------------------------------------------------------------------
    def _build(self) -> None:
        lay = QVBoxLayout(self)
        bar = QHBoxLayout()
        heading = QLabel("Worklist")
        heading.setObjectName("pageTitle")
        bar.addWidget(heading)
        bar.addSpacing(16)
        bar.addWidget(QLabel("Days"))
        self.days_spin = QSpinBox()
        self.days_spin.setObjectName("daysSpin")
        self.days_spin.setRange(1, c.MAX_DAYS)
        self.days_spin.setValue(c.DEFAULT_DAYS)
        self.days_spin.setToolTip("How many days ahead to show (the default is in Settings)")
        self.days_spin.setKeyboardTracking(False)
        bar.addWidget(self.days_spin)
        bar.addWidget(QLabel("Payer"))
        self.payer_combo = choice_combo("payerFilter", [(None, "All payers")])
        self.payer_combo.setMinimumWidth(150)
        self.payer_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        bar.addWidget(self.payer_combo)
        bar.addWidget(QLabel("Show"))
        self.show_combo = choice_combo("readinessFilter", c.READINESS_CHOICES)
        bar.addWidget(self.show_combo)
        bar.addStretch(1)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setObjectName("refreshButton")
        self.refresh_button.setToolTip("Compute the list again (F5)")
        self.refresh_button.setShortcut("F5")
        bar.addWidget(self.refresh_button)
        self.print_button = QPushButton("Print day summary…")
        self.print_button.setObjectName("daySummaryButton")
        self.print_button.setToolTip("A one-page summary of a day's visits, to print or save")
        bar.addWidget(self.print_button)
        lay.addLayout(bar)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.setObjectName("worklistSplitter")
        split.setChildrenCollapsible(False)
        split.addWidget(self._visits_pane())
        split.addWidget(self._tasks_pane())
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([700, 480])
        self.splitter = split
        lay.addWidget(split, 1)
        self.status = QLabel("")
        self.status.setObjectName("worklistStatus")
        self.status.setWordWrap(True)
        lay.addWidget(self.status)

        self.days_spin.valueChanged.connect(self._days_changed)
        self.payer_combo.currentIndexChanged.connect(lambda _i: self._apply_filters())
        self.show_combo.currentIndexChanged.connect(lambda _i: self._apply_filters())
        self.assignee_combo.currentIndexChanged.connect(lambda _i: self._apply_filters())
        self.task_status_combo.currentIndexChanged.connect(lambda _i: self._apply_filters())
        self.refresh_button.clicked.connect(self.refresh)
        self.print_button.clicked.connect(self.print_day_summary)
        self.visit_table.selectionModel().selectionChanged.connect(self._visit_selected)
        self.visit_table.doubleClicked.connect(lambda _i: self._open_patient())
        self.task_table.selectionModel().selectionChanged.connect(self._task_selected)
        self.task_table.doubleClicked.connect(lambda _i: self.open_task())
        for action, button in self.action_buttons.items():
            button.clicked.connect(lambda _c=False, a=action: self.act(a))
        self.patient_button.clicked.connect(self._open_patient)
        self.assign_button.clicked.connect(self.assign_selected)
        self.done_button.clicked.connect(self.toggle_done)
        self.open_task_button.clicked.connect(self.open_task)
        self._visit_selected()
        self._task_selected()

    def _visits_pane(self) -> QWidget:
        pane = QWidget()
        lay = QVBoxLayout(pane)
        lay.setContentsMargins(0, 0, 4, 0)
        self.visit_summary = QLabel("Loading the visits…")
        self.visit_summary.setObjectName("visitSummary")
        lay.addWidget(self.visit_summary)
        self.visit_model = VisitTableModel(self.today)
        self.visit_table = _table(self.visit_model, "visitTable")
        self.visit_table.horizontalHeader().setSortIndicator(
            VisitColumns.DAY, Qt.SortOrder.AscendingOrder
        )
        for col, width in VISIT_WIDTHS.items():
            self.visit_table.setColumnWidth(col, width)
        metrics = self.visit_table.fontMetrics()  # 'Cancelled' whole, whatever the font
        status_w = max(metrics.horizontalAdvance(t) for t in c.STATUS_LABELS.values()) + 16
        self.visit_table.setColumnWidth(VisitColumns.STATUS, max(status_w, 62))
        for col in HIDDEN_VISIT_COLUMNS:
            self.visit_table.setColumnHidden(col, True)
        self.visit_empty = QLabel("")
        self.visit_empty.setObjectName("visitEmpty")
        self.visit_empty.setWordWrap(True)
        self.visit_empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.visit_empty.setStyleSheet(EMPTY_STYLE)
        self.visit_stack = QStackedWidget()
        self.visit_stack.addWidget(self.visit_table)
        self.visit_stack.addWidget(self.visit_empty)
        lay.addWidget(self.visit_stack, 5)

        actions = QHBoxLayout()
        self.action_buttons: dict[VisitAction, QPushButton] = {}
        for action in VisitAction:
            button = QPushButton(c.ACTION_LABELS[action])
            button.setObjectName(f"visit_{action.value}")
            self.action_buttons[action] = button
            actions.addWidget(button)
        actions.addStretch(1)
        self.patient_button = QPushButton("Open patient")
        self.patient_button.setObjectName("openPatientButton")
        actions.addWidget(self.patient_button)
        lay.addLayout(actions)

        self.blocker_box = QGroupBox("Select a visit")
        self.blocker_box.setObjectName("blockerBox")
        box_lay = QVBoxLayout(self.blocker_box)
        box_lay.setContentsMargins(6, 6, 6, 6)
        # the selected visit's line wraps here (a group box's title never does, and would
        # widen the screen past a 1366-px display)
        self.visit_line = QLabel("")
        self.visit_line.setObjectName("visitLine")
        self.visit_line.setWordWrap(True)
        self.visit_line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box_lay.addWidget(self.visit_line)
        self.blocker_area = QScrollArea()
        self.blocker_area.setObjectName("blockerArea")
        self.blocker_area.setWidgetResizable(True)
        self.blocker_area.setFrameShape(QFrame.Shape.NoFrame)
        self.blocker_area.setMinimumHeight(110)
        self.blocker_list = QWidget()
        self.blocker_list.setObjectName("blockerList")
        self.blocker_rows = QVBoxLayout(self.blocker_list)
        self.blocker_rows.setContentsMargins(0, 0, 0, 0)
        self.blocker_area.setWidget(self.blocker_list)
        box_lay.addWidget(self.blocker_area)
        lay.addWidget(self.blocker_box, 2)  # the selected visit's details, in full
        self.blocker_buttons: list[QPushButton] = []
        return pane

    def _tasks_pane(self) -> QWidget:
        pane = QWidget()
        lay = QVBoxLayout(pane)
        lay.setContentsMargins(4, 0, 0, 0)
        bar = QHBoxLayout()
        title = QLabel("<b>Tasks</b>")
        bar.addWidget(title)
        bar.addStretch(1)
        bar.addWidget(QLabel("Assigned to"))
        self.assignee_combo = choice_combo(
            "assigneeFilter", [(None, "Anyone"), (c.UNASSIGNED, "Nobody yet")]
        )
        bar.addWidget(self.assignee_combo)
        self.task_status_combo = choice_combo("taskStatusFilter", c.TASK_STATUS_CHOICES)
        bar.addWidget(self.task_status_combo)
        lay.addLayout(bar)
        self.task_summary = QLabel("")
        self.task_summary.setObjectName("taskSummary")
        lay.addWidget(self.task_summary)
        self.task_model = TaskTableModel(self.today)
        self.task_table = _table(self.task_model, "taskTable")
        self.task_table.horizontalHeader().setSortIndicator(
            TaskColumns.DUE, Qt.SortOrder.AscendingOrder
        )
        for tcol, width in TASK_WIDTHS.items():
            self.task_table.setColumnWidth(tcol, width)
        for tcol in HIDDEN_TASK_COLUMNS:
            self.task_table.setColumnHidden(tcol, True)
        # every shown column fits the pane (no sideways scroll hiding the assignee): the
        # patient's name takes what is left; the full name and the task's words are tooltips
        theader = self.task_table.horizontalHeader()
        theader.setStretchLastSection(False)
        theader.setSectionResizeMode(TaskColumns.PATIENT, QHeaderView.ResizeMode.Stretch)
        theader.setMinimumSectionSize(48)
        self.task_table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.task_empty = QLabel("")
        self.task_empty.setObjectName("taskEmpty")
        self.task_empty.setWordWrap(True)
        self.task_empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.task_empty.setStyleSheet(EMPTY_STYLE)
        self.task_stack = QStackedWidget()
        self.task_stack.addWidget(self.task_table)
        self.task_stack.addWidget(self.task_empty)
        lay.addWidget(self.task_stack, 1)
        self.task_detail = QLabel("")
        self.task_detail.setObjectName("taskDetail")
        self.task_detail.setWordWrap(True)
        self.task_detail.setStyleSheet(HINT_STYLE)
        self.task_detail.setMinimumHeight(36)
        lay.addWidget(self.task_detail)
        bar2 = QHBoxLayout()
        self.assign_combo = QComboBox()
        self.assign_combo.setObjectName("assignCombo")
        self.assign_combo.setMinimumWidth(130)
        self.assign_button = QPushButton("Assign")
        self.assign_button.setObjectName("assignButton")
        self.assign_button.setToolTip("Give the selected task to this staff member")
        self.done_button = QPushButton("Mark done")
        self.done_button.setObjectName("taskDoneButton")
        self.open_task_button = QPushButton("Open…")
        self.open_task_button.setObjectName("openTaskButton")
        bar2.addWidget(self.assign_combo, 1)
        bar2.addWidget(self.assign_button)
        bar2.addWidget(self.done_button)
        bar2.addWidget(self.open_task_button)
        lay.addLayout(bar2)
        return pane

    # -- loading -------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()

    def refresh(self) -> None:
        """Build the list again on a worker thread; only the newest answer is shown."""
        self.watcher.mark()
        actor, today, days = self.backend.actor, self.today(), self.days
        vsort, tsort = self.visit_model.sort_spec(), self.task_model.sort_spec()
        seen = self.data.setting if self.data is not None else None
        if self.data is None:
            self.visit_summary.setText("Loading the visits…")
        self.latest.replace(
            run_query(
                self,
                self.backend,
                lambda s: load(s, actor, today, days, vsort, tsort, seen),
                self._show,
                self._failed,
            )
        )

    @property
    def busy(self) -> bool:
        return self.latest.busy

    def _failed(self, exc: BaseException) -> None:
        from infudesk.ui.common.ops import friendly_message

        if not isinstance(exc, PermissionDenied):
            log.warning("worklist not loaded: %s", type(exc).__name__)
        title, text = friendly_message(exc)
        self.visit_summary.setText(f"{title}: {text}")
        self.loaded.emit()

    def _show(self, data: Loaded) -> None:
        started = time.perf_counter()
        first = self.data is None
        self.data = data
        if data.by_setting:
            self.days = None  # a new setting in Settings replaces the Days chosen here
        if self.days is None:
            self.days_spin.blockSignals(True)
            self.days_spin.setValue(data.days)
            self.days_spin.blockSignals(False)
        wl = data.worklist
        self.names = dict(data.staff)
        self.task_model.names = self.names
        self._fill_combos(wl)
        held_visit = self.selected_visit()
        held_task = self.selected_task()
        vf, tf = self._filters()
        self.visit_model.set_rows(wl.visits, vf.keeps, data.visits_ordered)
        self.task_model.set_rows(wl.tasks, tf.keeps, data.tasks_ordered)
        self._filtered(vf)
        if held_visit is not None:
            self.select_visit(held_visit.visit_id)
        elif first and self.visit_model.rowCount():
            self.visit_table.selectRow(0)  # the blockers of the first visit show at once
        if held_task is not None:
            self.select_task(held_task.key)
        self.counts_changed.emit(dict(wl.counts))
        if first:
            # the first load's rows (and the build's memo) are what the desk keeps: out of the
            # collector's sight, a later full collection no longer freezes the screen
            QTimer.singleShot(0, settle_heap)
        ms = (time.perf_counter() - started) * 1000
        self.gui_ms.append(ms)
        log.debug("worklist built in %.0f ms, shown in %.0f ms", data.took_ms, ms)
        if c.SETTLE_AFTER_MS is not None:
            QTimer.singleShot(c.SETTLE_AFTER_MS, self, lambda: self._settle(data))
        self.loaded.emit()

    def _settle(self, data: Loaded) -> None:
        """Once the desk has its list: check it if it was loaded from the database, and keep
        today's and tomorrow's for the next start (slow only now and then; never shown but
        when the check found a difference, and then as a fresh load)."""
        if self.data is not data or self.latest.busy or self.settling.busy:
            return  # a newer load is coming (it settles in turn)
        actor, today, days = self.backend.actor, self.today(), data.days
        self.settling.replace(
            run_query(
                self,
                self.backend,
                lambda s: wls.settle(s, actor, today, days),
                self._settled,
                self._settle_failed,
            )
        )

    def _keep_now(self) -> None:
        if c.SETTLE_AFTER_MS is not None and self.data is not None:
            self._settle(self.data)

    def _settled(self, differed: bool) -> None:
        if differed:
            self.refresh()
        self.settled.emit()

    def _settle_failed(self, exc: BaseException) -> None:
        # nothing the desk must act on: the list shown stands, and the next start builds whole
        log.info("worklist not settled: %s", type(exc).__name__)
        self.settled.emit()

    def _fill_combos(self, wl: Worklist) -> None:
        combo = self.payer_combo
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem("All payers", None)
        for name in c.payers_of(wl.visits, wl.tasks):
            combo.addItem(name, name)
        combo.setCurrentIndex(max(0, combo.findData(current)))
        combo.blockSignals(False)
        me = self.backend.actor.name
        choices = c.assignee_choices(self.data.staff if self.data else (), wl.tasks, me)
        self.names.update(dict(choices))
        combo = self.assignee_combo
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem("Anyone", None)
        combo.addItem("Nobody yet", c.UNASSIGNED)
        for user, name in choices:
            combo.addItem(name, user)
        combo.setCurrentIndex(max(0, combo.findData(current)))
        combo.blockSignals(False)
        current = self.assign_combo.currentData()
        self.assign_combo.clear()
        self.assign_combo.addItem("Nobody (take it back)", None)
        for user, name in choices:
            self.assign_combo.addItem(name, user)
        mine = self.assign_combo.findData(me)
        self.assign_combo.setCurrentIndex(
            self.assign_combo.findData(current) if current is not None else max(mine, 0)
        )

    def _days_changed(self, value: int) -> None:
        self.days = value
        self.refresh()

    def _filters(self) -> tuple[c.VisitFilter, c.TaskFilter]:
        payer = self.payer_combo.currentData()
        vf = c.VisitFilter(payer=payer, readiness=c.Readiness(self.show_combo.currentData()))
        tf = c.TaskFilter(
            payer=payer,
            assignee=self.assignee_combo.currentData(),
            status=self.task_status_combo.currentData(),
        )
        return vf, tf

    def _apply_filters(self) -> None:
        vf, tf = self._filters()
        self.visit_model.set_filter(vf.keeps)
        self.task_model.set_filter(tf.keeps)
        self._filtered(vf)

    def _filtered(self, vf: c.VisitFilter) -> None:
        """The summaries, the empty-list sentences and the selection after a filter."""
        visits = self.visit_model.loaded()
        shown = self.visit_model.rowCount()
        days = self.data.days if self.data else c.DEFAULT_DAYS
        if self.data is not None:
            self.visit_summary.setText(c.visits_summary(visits, shown, days))
        self.visit_empty.setText(c.empty_visits_text(len(visits), vf, days))
        self.visit_stack.setCurrentIndex(0 if shown else 1)
        tasks = self.task_model.loaded()
        tshown = self.task_model.rowCount()
        self.task_summary.setText(c.tasks_summary(tasks, tshown, self.today()))
        self.task_empty.setText(c.empty_tasks_text(len(tasks)))
        self.task_stack.setCurrentIndex(0 if tshown else 1)
        self._visit_selected()
        self._task_selected()

    # -- visits --------------------------------------------------------------------------
    def selected_visit(self) -> VisitRow | None:
        index = self.visit_table.currentIndex()
        if not index.isValid() or not self.visit_table.selectionModel().isRowSelected(
            index.row(), index.parent()
        ):
            return None
        return self.visit_model.row_at(index.row())

    def select_visit(self, visit_id: int) -> bool:
        row = self.visit_model.row_of(visit_id)
        if row < 0:
            return False
        self.visit_table.selectRow(row)
        self.visit_table.scrollTo(self.visit_model.index(row, 0))
        return True

    def _visit_selected(
        self, _new: QItemSelection | None = None, _old: QItemSelection | None = None
    ) -> None:
        v = self.selected_visit()
        today = self.today()
        enabled = c.enabled_actions(v.status if v else None, v.on if v else None, today)
        tips = c.action_tips(v.status if v else None, v.on if v else None, today)
        for action, button in self.action_buttons.items():
            button.setEnabled(enabled[action])
            button.setToolTip(tips[action])
            button.setText(c.action_label(action, v.status if v else None))
        self.patient_button.setEnabled(v is not None)
        self._show_blockers(v)

    def _show_blockers(self, v: VisitRow | None) -> None:
        while self.blocker_rows.count():
            item = self.blocker_rows.takeAt(0)
            w = item.widget() if item is not None else None
            if w is not None:
                w.hide()  # gone at once (deleteLater waits for the event loop)
                w.deleteLater()
        self.blocker_buttons = []
        if v is None:
            self.blocker_box.setTitle("What blocks a visit")
            self.visit_line.setText("")
            self.visit_line.hide()
            self._blocker_note("Select a visit to see what still blocks it and fix it here.")
            return
        self.blocker_box.setTitle("The selected visit")
        self.visit_line.setText(
            f"{v.patient_name} ({v.mrn}) · {v.on:%a %m/%d/%Y} · {v.drug} · "
            f"{v.site.replace('_', ' ')} · {v.payer}"
        )
        self.visit_line.show()
        if c.done(v):
            self._blocker_note(f"{c.STATUS_LABELS.get(v.status, v.status)}: nothing to do.")
            return
        if v.ready:
            note = self._blocker_note("✓ Ready: nothing blocks this visit.")
            note.setObjectName("readyNote")
            note.setStyleSheet(f"color: {c.READY_COLOR}; font-weight: bold;")
            return
        for b in v.blockers:
            row = QWidget()
            row.setObjectName(f"blocker_{b.kind.value}")
            rl = QHBoxLayout(row)
            rl.setContentsMargins(0, 0, 0, 0)
            text = QLabel(f"<span style='color:{c.BLOCKED_COLOR}'>●</span> {b.text}")
            text.setWordWrap(True)
            text.setTextFormat(Qt.TextFormat.RichText)
            rl.addWidget(text, 1)
            button = QPushButton(b.action)
            button.setObjectName(f"fix_{b.kind.value}")
            button.setToolTip(c.target_tip(b.target.screen))
            kind = c.letter_kind(b.kind, v.payer)
            button.clicked.connect(
                lambda _c=False, t=b.target, k=kind: self.target_requested.emit(t, k)
            )
            rl.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
            self.blocker_rows.addWidget(row)
            self.blocker_buttons.append(button)
        self.blocker_rows.addStretch(1)

    def _blocker_note(self, text: str) -> QLabel:
        note = QLabel(text)
        note.setWordWrap(True)
        note.setStyleSheet(HINT_STYLE)
        self.blocker_rows.addWidget(note)
        self.blocker_rows.addStretch(1)
        return note

    def act(self, action: VisitAction) -> None:
        v = self.selected_visit()
        if v is None:
            return
        visit_actions.record(self, self.backend, action, c.ref_of(v), self.today(), self._acted)

    def _acted(self, text: str) -> None:
        self.status.setText(text)
        self.refresh()

    def _open_patient(self) -> None:
        v = self.selected_visit()
        if v is not None:
            self.patient_requested.emit(v.patient_id)

    # -- tasks ---------------------------------------------------------------------------
    def selected_task(self) -> Task | None:
        index = self.task_table.currentIndex()
        if not index.isValid() or not self.task_table.selectionModel().isRowSelected(
            index.row(), index.parent()
        ):
            return None
        return self.task_model.row_at(index.row())

    def select_task(self, key: str) -> bool:
        row = self.task_model.row_of(key)
        if row < 0:
            return False
        self.task_table.selectRow(row)
        self.task_table.scrollTo(self.task_model.index(row, 0))
        return True

    def _task_selected(
        self, _new: QItemSelection | None = None, _old: QItemSelection | None = None
    ) -> None:
        t = self.selected_task()
        for w in (self.assign_button, self.done_button, self.open_task_button):
            w.setEnabled(t is not None)
        if t is None:
            self.task_detail.setText("Select a task to assign it, mark it done or open it.")
            self.done_button.setText("Mark done")
            return
        self.done_button.setText("Open again" if t.status == TaskStatus.DONE else "Mark done")
        who = c.assignee_text(t.assignee, self.names)
        self.task_detail.setText(
            f"<b>{t.patient_name}</b> · {t.payer} · due {t.due:%m/%d/%Y} · "
            f"assigned to {who}<br>{t.text}"
        )

    def assign_selected(self) -> None:
        t = self.selected_task()
        if t is None:
            return
        user = self.assign_combo.currentData()
        key = t.key
        who = self.assign_combo.currentText() if user else "nobody"
        run_change(
            self,
            self.backend,
            lambda s, a: wls.assign_task(s, a, key, user),
            lambda _r: self._acted(f"Task for {t.patient_name} assigned to {who}."),
        )

    def toggle_done(self) -> None:
        t = self.selected_task()
        if t is None:
            return
        status = TaskStatus.OPEN if t.status == TaskStatus.DONE else TaskStatus.DONE
        key = t.key
        run_change(
            self,
            self.backend,
            lambda s, a: wls.set_task_status(s, a, key, status),
            lambda _r: self._acted(
                f"Task for {t.patient_name} " + ("done." if status == "done" else "open again.")
            ),
        )

    def open_task(self) -> None:
        t = self.selected_task()
        if t is not None:
            self.target_requested.emit(t.target, c.letter_kind(None, t.payer))

    def open_target(self, target: Target, letter: str = "cost-letter") -> None:
        self.target_requested.emit(target, letter)

    # -- the day summary -----------------------------------------------------------------
    def print_day_summary(self) -> None:
        from infudesk.ui.worklist.day_summary import DaySummaryDialog

        visits = self.data.worklist.visits if self.data is not None else ()
        day, why = c.summary_day(visits, self.today())
        dlg = DaySummaryDialog(self.backend, day, self, note=why)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.day_summary = dlg
        dlg.open()
