"""The Payers screen: the payer directory, one payer's details, and its dated policy notes."""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QKeyEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from infudesk.domain.coverage import PLAN_TYPE_LABELS
from infudesk.domain.patients import parse_date
from infudesk.domain.prior_auth import plan_type_defaults_hint
from infudesk.domain.validation import format_phone
from infudesk.errors import ValidationFailed
from infudesk.services import payers as pay
from infudesk.ui.common.forms import FieldBox
from infudesk.ui.common.ops import Backend, ask_unsaved, attempt, report
from infudesk.ui.common.screen import relative_pt
from infudesk.ui.payers.controller import (
    APPEAL_DAYS_HINT,
    matches,
    normal_form,
    parse_appeal_days,
    pretty_phone,
)

Index = QModelIndex | QPersistentModelIndex
ID_ROLE = Qt.ItemDataRole.UserRole
EMPTY_DIRECTORY = "No payers yet — add one with New payer."
HINT_STYLE = "color: #555;"
# note fields as the service names them -> the screen's field names
NOTE_FIELDS = {"effective_on": "note_date", "text": "note_text"}


class NoteColumns(enum.IntEnum):
    EFFECTIVE = 0
    TEXT = 1
    ADDED_BY = 2


NOTE_HEADERS = {
    NoteColumns.EFFECTIVE: "Effective",
    NoteColumns.TEXT: "Policy note",
    NoteColumns.ADDED_BY: "Added by",
}


class PayerNotesModel(QAbstractTableModel):
    """A payer's policy notes, newest effective date first (as the service returns them)."""

    def __init__(self, today: Callable[[], date] = date.today) -> None:
        super().__init__()
        self._today = today
        self._rows: list[pay.NoteRecord] = []

    def set_notes(self, notes: list[pay.NoteRecord]) -> None:
        self.beginResetModel()
        self._rows = list(notes)
        self.endResetModel()

    def note_at(self, row: int) -> pay.NoteRecord | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(NoteColumns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return (
                NOTE_HEADERS.get(NoteColumns(section)) if 0 <= section < len(NoteColumns) else None
            )
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        note = self.note_at(index.row()) if index.isValid() else None
        if note is None:
            return None
        col = NoteColumns(index.column())
        upcoming = note.effective_on > self._today()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == NoteColumns.EFFECTIVE:
                when = f"{note.effective_on:%m/%d/%Y}"
                return f"{when} (upcoming)" if upcoming else when
            if col == NoteColumns.TEXT:
                return note.text
            return note.created_by
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == NoteColumns.TEXT:
                return note.text
            if col == NoteColumns.EFFECTIVE and upcoming:
                return "Not in effect yet: applies from this date."
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        return None


class CompactTable(QTableView):
    """A table that asks for little height, so a form above it never needs to scroll."""

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(hint.width(), self.minimumHeight() or hint.height())


class PayersScreen(QWidget):
    """The payer directory on the left; the selected payer's form and policy notes on the right.

    Signals:
        payers_changed(): a payer was created or edited (other screens may refresh their lists).
        status_changed(str): a line for the window's status bar.
    """

    payers_changed = Signal()
    status_changed = Signal(str)

    def __init__(self, backend: Backend, today: Callable[[], date] = date.today) -> None:
        super().__init__()
        self.setObjectName("payersScreen")
        self.backend = backend
        self.today = today
        self.record: pay.PayerRecord | None = None
        self.editing = False  # the form shows a payer (new or existing)
        self._loaded = pay.PayerData()
        self._records: list[pay.PayerRecord] = []
        self._shown_once = False
        self.widgets: dict[str, QWidget] = {}
        self.boxes: dict[str, FieldBox] = {}
        self.plan_checks: dict[str, QCheckBox] = {}

        lay = QHBoxLayout(self)
        lay.addWidget(self._build_list(), 0)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.VLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        lay.addWidget(line)
        self.right = QStackedWidget()
        self.right.setObjectName("payerRight")
        self.empty_page = self._build_empty_page()
        self.right.addWidget(self.empty_page)
        self.editor = self._build_editor()
        self.right.addWidget(self.editor)
        lay.addWidget(self.right, 1)

        QShortcut(QKeySequence.StandardKey.Save, self, self.save)
        self.reload_list()
        self._show_nothing()

    # -- construction ------------------------------------------------------------------
    def _build_list(self) -> QWidget:
        panel = QWidget()
        panel.setFixedWidth(300)
        lay = QVBoxLayout(panel)
        lay.setContentsMargins(0, 0, 0, 0)
        title = QLabel("Payers")
        title.setObjectName("pageTitle")
        lay.addWidget(title)
        self.search_box = QLineEdit()
        self.search_box.setObjectName("payerSearch")
        self.search_box.setPlaceholderText("Filter: name, plan type or phone")
        self.search_box.setClearButtonEnabled(True)
        lay.addWidget(self.search_box)
        row = QHBoxLayout()
        self.inactive_box = QCheckBox("Show inactive")
        self.inactive_box.setObjectName("showInactivePayers")
        row.addWidget(self.inactive_box)
        row.addStretch(1)
        self.new_button = QPushButton("New payer")
        self.new_button.setObjectName("newPayerButton")
        row.addWidget(self.new_button)
        lay.addLayout(row)

        self.list_stack = QStackedWidget()
        self.payer_list = QListWidget()
        self.payer_list.setObjectName("payerList")
        self.payer_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.payer_list.setAlternatingRowColors(True)
        self.payer_list.setStyleSheet("QListWidget#payerList::item { padding: 3px 4px; }")
        self.list_stack.addWidget(self.payer_list)
        self.list_empty = QLabel(EMPTY_DIRECTORY)
        self.list_empty.setObjectName("payerListEmpty")
        self.list_empty.setWordWrap(True)
        self.list_empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.list_empty.setStyleSheet(HINT_STYLE)
        self.list_stack.addWidget(self.list_empty)
        lay.addWidget(self.list_stack, 1)
        self.count_label = QLabel("")
        self.count_label.setObjectName("payerCount")
        self.count_label.setWordWrap(True)
        lay.addWidget(self.count_label)

        self.search_box.textChanged.connect(lambda _t: self.apply_filter())
        self.search_box.returnPressed.connect(self._open_first_visible)
        self.search_box.installEventFilter(self)
        self.inactive_box.toggled.connect(lambda _c: self.apply_filter())
        self.new_button.clicked.connect(self.new_payer)
        self.payer_list.currentItemChanged.connect(self._on_current_changed)
        return panel

    def _build_empty_page(self) -> QWidget:
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.addStretch(1)
        self.empty_label = QLabel(EMPTY_DIRECTORY)
        self.empty_label.setObjectName("payerEmptyState")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setStyleSheet(f"font-size: {relative_pt(4 / 3)}pt; color: #555;")
        lay.addWidget(self.empty_label)
        self.empty_new_button = QPushButton("New payer")
        self.empty_new_button.setObjectName("emptyNewPayerButton")
        self.empty_new_button.clicked.connect(self.new_payer)
        lay.addWidget(self.empty_new_button, 0, Qt.AlignmentFlag.AlignCenter)
        lay.addStretch(2)
        return page

    def _line(self, name: str, placeholder: str = "", max_length: int = 200) -> FieldBox:
        edit = QLineEdit()
        edit.setObjectName(name)
        edit.setPlaceholderText(placeholder)
        edit.setMaxLength(max_length)
        return self._box(name, edit)

    def _box(self, name: str, widget: QWidget) -> FieldBox:
        box = FieldBox(widget, name)
        self.widgets[name] = widget
        self.boxes[name] = box
        return box

    def _build_editor(self) -> QWidget:
        page = QWidget()
        outer = QVBoxLayout(page)
        outer.setContentsMargins(0, 0, 0, 0)
        self.title = QLabel("New payer")
        self.title.setObjectName("pageTitle")
        outer.addWidget(self.title)
        self.subtitle = QLabel("")
        self.subtitle.setObjectName("pageSubtitle")
        outer.addWidget(self.subtitle)

        details = QGroupBox("Payer details")
        f = QFormLayout(details)
        f.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        f.addRow("Name *", self._line("name", "as it appears on the member card"))
        plans = QWidget()
        plans.setObjectName("plan_types")
        grid = QGridLayout(plans)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setVerticalSpacing(2)
        for i, (code, label) in enumerate(PLAN_TYPE_LABELS.items()):
            check = QCheckBox(label)
            check.setObjectName(f"plan_{code}")
            self.plan_checks[code] = check
            grid.addWidget(check, i % 4, i // 4)
        f.addRow("Plan types offered", self._box("plan_types", plans))
        numbers = QWidget()
        row = QHBoxLayout(numbers)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self._line("phone", "phone, 10 digits", 40), 1, Qt.AlignmentFlag.AlignTop)
        fax_label = QLabel("Fax")
        fax_label.setMinimumHeight(self.widgets["phone"].sizeHint().height())
        row.addSpacing(12)
        row.addWidget(fax_label, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self._line("fax", "fax, 10 digits", 40), 1, Qt.AlignmentFlag.AlignTop)
        f.addRow("Phone", numbers)
        f.addRow("Provider portal", self._line("portal", "web address, or how to reach it"))
        appeal = QWidget()
        appeal_lay = QVBoxLayout(appeal)
        appeal_lay.setContentsMargins(0, 0, 0, 0)
        appeal_lay.setSpacing(2)
        days_row = QHBoxLayout()
        days_row.setContentsMargins(0, 0, 0, 0)
        days_box = self._line("appeal_days", "by plan type", 3)
        days_edit = self.widgets["appeal_days"]
        days_edit.setFixedWidth(110)
        days_edit.setAccessibleName("Appeal window in days; blank uses the plan type's window")
        days_row.addWidget(days_box, 0, Qt.AlignmentFlag.AlignTop)
        days_row.addStretch(1)
        appeal_lay.addLayout(days_row)
        self.appeal_hint = QLabel(APPEAL_DAYS_HINT.format(defaults=plan_type_defaults_hint()))
        self.appeal_hint.setObjectName("appealDaysHint")
        self.appeal_hint.setWordWrap(True)
        self.appeal_hint.setStyleSheet(HINT_STYLE)
        appeal_lay.addWidget(self.appeal_hint)
        f.addRow("Appeal window (days)", appeal)
        notes = QPlainTextEdit()
        notes.setObjectName("notes")
        notes.setTabChangesFocus(True)
        notes.setFixedHeight(56)
        notes.setPlaceholderText("How to verify benefits, prior-auth habits, who to ask for…")
        f.addRow("Notes", self._box("notes", notes))
        active = QCheckBox("Active — offered when adding a patient's coverage")
        active.setObjectName("active")
        self.widgets["active"] = active
        f.addRow("", active)
        outer.addWidget(details)

        bar = QHBoxLayout()
        self.status = QLabel("")
        self.status.setObjectName("payerStatus")
        self.status.setWordWrap(True)
        bar.addWidget(self.status, 1)
        self.revert_button = QPushButton("Revert")
        self.revert_button.setObjectName("revertButton")
        self.revert_button.setToolTip("Undo the changes not saved yet")
        self.revert_button.clicked.connect(self.revert)
        bar.addWidget(self.revert_button)
        self.save_button = QPushButton("Save")
        self.save_button.setObjectName("saveButton")
        self.save_button.setToolTip("Save (Ctrl+S)")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        bar.addWidget(self.save_button)
        outer.addLayout(bar)

        outer.addWidget(self._build_notes(), 1)

        for name in ("phone", "fax"):
            w = self.widgets[name]
            assert isinstance(w, QLineEdit)
            w.editingFinished.connect(lambda w=w: w.setText(pretty_phone(w.text())))
        for name in ("name", "phone", "fax", "portal", "appeal_days"):
            w = self.widgets[name]
            assert isinstance(w, QLineEdit)
            w.textEdited.connect(self._changed)
        notes.textChanged.connect(self._changed)
        active.toggled.connect(self._changed)
        for check in self.plan_checks.values():
            check.toggled.connect(self._changed)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(page)
        return scroll

    def _build_notes(self) -> QWidget:
        self.notes_group = QGroupBox("Policy notes")
        self.notes_group.setObjectName("policyNotes")
        lay = QVBoxLayout(self.notes_group)
        self.notes_hint = QLabel("")
        self.notes_hint.setObjectName("notesHint")
        self.notes_hint.setWordWrap(True)
        self.notes_hint.setStyleSheet(HINT_STYLE)
        lay.addWidget(self.notes_hint)
        self.notes_model = PayerNotesModel(self.today)
        self.notes_table = CompactTable()
        self.notes_table.setObjectName("notesTable")
        self.notes_table.setModel(self.notes_model)
        self.notes_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.notes_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.notes_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.notes_table.setWordWrap(True)
        self.notes_table.setAlternatingRowColors(True)
        self.notes_table.verticalHeader().hide()
        self.notes_table.setMinimumHeight(110)
        header = self.notes_table.horizontalHeader()
        header.setSectionResizeMode(NoteColumns.EFFECTIVE, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(NoteColumns.TEXT, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(NoteColumns.ADDED_BY, QHeaderView.ResizeMode.ResizeToContents)
        rows = self.notes_table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        lay.addWidget(self.notes_table, 1)

        add = QHBoxLayout()
        date_box = self._line("note_date", "MM/DD/YYYY", 10)
        from_label = QLabel("Add note from")
        from_label.setMinimumHeight(self.widgets["note_date"].sizeHint().height())
        add.addWidget(from_label, 0, Qt.AlignmentFlag.AlignTop)
        date_box.setFixedWidth(150)
        add.addWidget(date_box, 0, Qt.AlignmentFlag.AlignTop)
        text_box = self._line(
            "note_text", "what changed, e.g. 'Infliximab requires a non-hospital site'", 2000
        )
        add.addWidget(text_box, 1, Qt.AlignmentFlag.AlignTop)
        self.add_note_button = QPushButton("Add note")
        self.add_note_button.setObjectName("addNoteButton")
        self.add_note_button.clicked.connect(self.add_note)
        add.addWidget(self.add_note_button, 0, Qt.AlignmentFlag.AlignTop)
        lay.addLayout(add)
        for name in ("note_date", "note_text"):
            w = self.widgets[name]
            assert isinstance(w, QLineEdit)
            w.returnPressed.connect(self.add_note)
        return self.notes_group

    # -- the list ----------------------------------------------------------------------
    def reload_list(self, select_id: int | None = None) -> None:
        """Read the directory again (it is small) and show it filtered."""
        records = attempt(self, lambda: self.backend.query(pay.list_payers, include_inactive=True))
        if records is None:
            return
        self._records = records
        self.payer_list.blockSignals(True)
        try:
            self.payer_list.clear()
            for rec in records:
                item = QListWidgetItem(rec.data.name + ("" if rec.data.active else "  (inactive)"))
                item.setData(ID_ROLE, rec.id)
                labels = [PLAN_TYPE_LABELS.get(t, t) for t in rec.data.plan_types]
                if labels:
                    item.setToolTip(", ".join(labels))
                if not rec.data.active:
                    item.setForeground(QBrush(QColor("#777")))
                self.payer_list.addItem(item)
            if select_id is None and self.record is not None:
                select_id = self.record.id
            self._select_id(select_id)
        finally:
            self.payer_list.blockSignals(False)
        self.apply_filter()

    def _select_id(self, payer_id: int | None) -> None:
        """Make the payer's item current without asking anything (signals blocked by caller)."""
        self.payer_list.setCurrentRow(-1)
        self.payer_list.clearSelection()
        if payer_id is None:
            return
        item = self.item_for(payer_id)
        if item is not None:
            self.payer_list.setCurrentItem(item)

    def item_for(self, payer_id: int) -> QListWidgetItem | None:
        for i in range(self.payer_list.count()):
            item = self.payer_list.item(i)
            if item.data(ID_ROLE) == payer_id:
                return item
        return None

    def visible_names(self) -> list[str]:
        """The names the list shows now (for tests and the count line)."""
        by_id = {r.id: r for r in self._records}
        out = []
        for i in range(self.payer_list.count()):
            item = self.payer_list.item(i)
            if not item.isHidden():
                out.append(by_id[item.data(ID_ROLE)].data.name)
        return out

    def apply_filter(self) -> None:
        text = self.search_box.text().strip()
        inactive = self.inactive_box.isChecked()
        by_id = {r.id: r for r in self._records}
        shown = 0
        for i in range(self.payer_list.count()):
            item = self.payer_list.item(i)
            rec = by_id[item.data(ID_ROLE)]
            visible = (inactive or rec.data.active) and matches(rec, text)
            item.setHidden(not visible)
            shown += visible
        total = len(self._records)
        n_active = sum(r.data.active for r in self._records)
        pool = total if inactive else n_active
        if total == 0:
            msg = "No payers yet."
        elif pool == 0:
            msg = f"No active payers. Check Show inactive to see the {total} inactive one(s)."
        elif text and shown == 0:
            msg = f"No payer matches “{text}”. Check the spelling, or add it with New payer."
        elif text:
            msg = f"{shown} of {pool} payer{'s' if pool != 1 else ''} match “{text}”."
        else:
            msg = f"{pool} {'' if inactive else 'active '}payer{'s' if pool != 1 else ''}."
            hidden = total - n_active
            if not inactive and hidden:
                msg += f" {hidden} inactive hidden."
        self.list_empty.setText(msg)
        self.list_stack.setCurrentWidget(self.payer_list if shown else self.list_empty)
        self.count_label.setText(msg if shown else "")
        self.count_label.setVisible(bool(shown))
        if not self.editing:
            self._show_nothing()

    def _open_first_visible(self) -> None:
        for i in range(self.payer_list.count()):
            item = self.payer_list.item(i)
            if not item.isHidden():
                self.payer_list.setCurrentItem(item)
                return

    def _on_current_changed(
        self, current: QListWidgetItem | None, previous: QListWidgetItem | None
    ) -> None:
        if current is None:
            return
        payer_id = int(current.data(ID_ROLE))
        if self.record is not None and self.record.id == payer_id:
            return
        if not self.confirm_leave():
            self.payer_list.blockSignals(True)
            self._select_id(self.record.id if self.record is not None else None)
            self.payer_list.blockSignals(False)
            return
        self.open_payer(payer_id)

    # -- the form ----------------------------------------------------------------------
    def _show_nothing(self) -> None:
        """The right side when no payer is open: an invitation, not a blank form."""
        if self._records:
            self.empty_label.setText(
                "Select a payer on the left to see and edit it, or add one with New payer."
            )
        else:
            self.empty_label.setText(EMPTY_DIRECTORY)
        self.right.setCurrentWidget(self.empty_page)

    def _text(self, name: str) -> str:
        w = self.widgets[name]
        if isinstance(w, QPlainTextEdit):
            return w.toPlainText()
        assert isinstance(w, QLineEdit)
        return w.text()

    def _set_text(self, name: str, value: str) -> None:
        w = self.widgets[name]
        if isinstance(w, QPlainTextEdit):
            w.setPlainText(value)
        else:
            assert isinstance(w, QLineEdit)
            w.setText(value)

    def read_form(self) -> pay.PayerData:
        active = self.widgets["active"]
        assert isinstance(active, QCheckBox)
        return pay.PayerData(
            name=self._text("name"),
            plan_types=tuple(code for code, c in self.plan_checks.items() if c.isChecked()),
            phone=self._text("phone"),
            fax=self._text("fax"),
            portal=self._text("portal"),
            notes=self._text("notes"),
            active=active.isChecked(),
            appeal_days=self._appeal_days()[0],
        )

    def _appeal_days(self) -> tuple[int | None, str | None]:
        """The typed appeal window and, when it cannot be read, the message saying why."""
        try:
            return parse_appeal_days(self._text("appeal_days")), None
        except ValueError as exc:
            return None, str(exc)

    def _write_form(self, d: pay.PayerData) -> None:
        widgets = [*self.widgets.values(), *self.plan_checks.values()]
        for w in widgets:
            w.blockSignals(True)
        try:
            self._set_text("name", d.name)
            self._set_text("phone", format_phone(d.phone))
            self._set_text("fax", format_phone(d.fax))
            self._set_text("portal", d.portal)
            self._set_text("notes", d.notes)
            self._set_text("appeal_days", "" if d.appeal_days is None else str(d.appeal_days))
            for code, check in self.plan_checks.items():
                check.setChecked(code in d.plan_types)
            active = self.widgets["active"]
            assert isinstance(active, QCheckBox)
            active.setChecked(d.active)
        finally:
            for w in widgets:
                w.blockSignals(False)

    def show_errors(self, errors: dict[str, str]) -> None:
        for name, box in self.boxes.items():
            if name not in NOTE_FIELDS.values():
                box.set_error(errors.get(name))
        if errors:
            first = next((n for n in self.widgets if n in errors), None)
            if first == "plan_types":
                next(iter(self.plan_checks.values())).setFocus()
            elif first is not None:
                self.widgets[first].setFocus()
            self.status.setText(
                f"Please check {len(errors)} field(s) marked in red. Nothing was saved yet."
            )

    def show_note_errors(self, errors: dict[str, str]) -> None:
        for name in NOTE_FIELDS.values():
            self.boxes[name].set_error(errors.get(name))
        first = next((n for n in NOTE_FIELDS.values() if n in errors), None)
        if first is not None:
            self.widgets[first].setFocus()

    def _show_record(self, record: pay.PayerRecord | None) -> None:
        self.record = record
        self.editing = True
        data = record.data if record else pay.PayerData()
        self._loaded = data
        self._write_form(data)
        self.show_errors({})
        self.show_note_errors({})
        self.status.setText("")
        self._set_text("note_text", "")
        self._set_text("note_date", f"{self.today():%m/%d/%Y}")
        if record is None:
            self.title.setText("New payer")
            self.subtitle.setText("Fields marked * are required.")
            self.notes_model.set_notes([])
        else:
            self.title.setText(data.name + ("" if data.active else "  (inactive)"))
            labels = [PLAN_TYPE_LABELS.get(t, t) for t in data.plan_types]
            self.subtitle.setText(" · ".join(labels) if labels else "No plan types recorded yet.")
            self._load_notes()
        self._update_notes_state()
        self.right.setCurrentWidget(self.editor)

    def _load_notes(self) -> None:
        if self.record is None:
            return
        rid = self.record.id
        notes = attempt(self, lambda: self.backend.query(pay.notes_for, rid))
        self.notes_model.set_notes(notes or [])

    def _update_notes_state(self) -> None:
        saved = self.record is not None
        for w in (
            self.notes_table,
            self.add_note_button,
            self.widgets["note_date"],
            self.widgets["note_text"],
        ):
            w.setEnabled(saved)
        if not saved:
            self.notes_hint.setText("Save the payer first, then add its policy notes here.")
        elif self.notes_model.rowCount() == 0:
            self.notes_hint.setText(
                "No policy notes yet. When this payer changes a rule (a new site-of-care policy, "
                "a prior-auth requirement), add it below with the date it applies from."
            )
        else:
            self.notes_hint.setText("Newest first. Upcoming notes apply from their date.")

    def _changed(self) -> None:
        if self.status.text():
            self.status.setText("")

    # -- actions -----------------------------------------------------------------------
    def new_payer(self) -> None:
        if not self.confirm_leave():
            return
        self.payer_list.blockSignals(True)
        self._select_id(None)
        self.payer_list.blockSignals(False)
        self._show_record(None)
        self.widgets["name"].setFocus()

    def open_payer(self, payer_id: int) -> bool:
        rec = attempt(self, lambda: self.backend.query(pay.get_payer, payer_id))
        if rec is None:
            return False
        self._show_record(rec)
        self.payer_list.blockSignals(True)
        self._select_id(rec.id)
        self.payer_list.blockSignals(False)
        return True

    def form_dirty(self) -> bool:
        return self.editing and (
            normal_form(self.read_form()) != normal_form(self._loaded)
            or self._appeal_days()[1] is not None  # unreadable text is an unsaved change
        )

    def note_pending(self) -> bool:
        return self.editing and self.record is not None and bool(self._text("note_text").strip())

    def is_dirty(self) -> bool:
        return self.form_dirty() or self.note_pending()

    def save(self) -> bool:
        """Validate and save the payer; on any problem the form keeps everything typed."""
        if not self.editing:
            return True
        if self.record is not None and not self.form_dirty():
            self.show_errors({})
            self.status.setText("No changes to save.")
            return True
        _, days_problem = self._appeal_days()
        if days_problem:
            self.show_errors({"appeal_days": days_problem})
            return False
        data = self.read_form()
        try:
            if self.record is None:
                rec = self.backend.mutate(pay.create_payer, data)
            else:
                rec = self.backend.mutate(
                    pay.update_payer, self.record.id, data, expected_version=self.record.version
                )
        except ValidationFailed as exc:
            if set(exc.errors) - set(self.boxes):
                report(self, exc)
            self.show_errors(exc.errors)
            return False
        except Exception as exc:
            report(self, exc)
            return False
        note_text = self._text("note_text")
        note_date = self._text("note_date")
        self._show_record(rec)
        self._set_text("note_text", note_text)  # a note being typed stays
        self._set_text("note_date", note_date)
        self.reload_list(select_id=rec.id)
        msg = f"Saved at {datetime.now():%H:%M}."
        if not rec.data.active and not self.inactive_box.isChecked():
            msg += " The payer is inactive: the list shows it only with Show inactive."
        self.status.setText(msg)
        self.status_changed.emit(f"Payer {rec.data.name} saved.")
        self.payers_changed.emit()
        return True

    def revert(self) -> None:
        """Drop the unsaved edits: show the payer as it is in the database now."""
        if self.record is None:
            self._show_record(None)
            return
        rid = self.record.id
        rec = attempt(self, lambda: self.backend.query(pay.get_payer, rid))
        if rec is not None:
            self._show_record(rec)
            self.status.setText("Changes discarded.")

    def add_note(self) -> bool:
        """Add the typed policy note to the open payer; errors stay at their fields."""
        if self.record is None:
            return False
        date_text = self._text("note_date").strip()
        text = self._text("note_text")
        errors: dict[str, str] = {}
        effective = parse_date(date_text, self.today()) if date_text else None
        if not date_text:
            errors["note_date"] = "From which date does this apply? (MM/DD/YYYY)"
        elif effective is None:
            errors["note_date"] = "This is not a date: type it as MM/DD/YYYY, e.g. 01/01/2027."
        if not text.strip():
            errors["note_text"] = "Write what changed."
        if errors:
            self.show_note_errors(errors)
            return False
        rid = self.record.id
        try:
            note = self.backend.mutate(pay.add_note, rid, effective, text)
        except ValidationFailed as exc:
            self.show_note_errors({NOTE_FIELDS.get(k, k): m for k, m in exc.errors.items()})
            return False
        except Exception as exc:
            report(self, exc)
            return False
        self.show_note_errors({})
        self._set_text("note_text", "")
        self._set_text("note_date", f"{self.today():%m/%d/%Y}")
        self._load_notes()
        self._update_notes_state()
        for row in range(self.notes_model.rowCount()):
            found = self.notes_model.note_at(row)
            if found is not None and found.id == note.id:
                self.notes_table.selectRow(row)
                break
        self.status.setText(f"Policy note added (effective {note.effective_on:%m/%d/%Y}).")
        return True

    def confirm_leave(self) -> bool:
        """True when the form may be left (nothing unsaved, or the user chose what to do)."""
        if not self.is_dirty():
            return True
        what = "This payer has changes that are not saved yet."
        if self.note_pending() and not self.form_dirty():
            what = "The policy note you typed has not been added yet."
        answer = ask_unsaved(self, what)
        if answer == "save":
            if self.form_dirty() and not self.save():
                return False
            return not self.note_pending() or self.add_note()
        if answer == "discard":
            self.revert()
            self._set_text("note_text", "")
            return True
        return False

    def can_leave(self) -> bool:
        return self.confirm_leave()

    def focus_search(self) -> None:
        self.search_box.setFocus()
        self.search_box.selectAll()

    # -- events ------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        """Coming back to the screen: pick up payers changed elsewhere (unless editing)."""
        super().showEvent(event)
        if event.spontaneous():
            return
        if not self._shown_once:  # the constructor has just read everything
            self._shown_once = True
            return
        if self.is_dirty():
            return
        self.reload_list()
        if self.record is not None:
            rid = self.record.id
            rec = attempt(self, lambda: self.backend.query(pay.get_payer, rid))
            if rec is not None:
                self._show_record(rec)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self.search_box and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_PageDown):
                self.payer_list.setFocus()
                if self.payer_list.currentItem() is None:
                    self._open_first_visible()
                return True
            if event.key() == Qt.Key.Key_Escape and self.search_box.text():
                self.search_box.clear()
                return True
        return super().eventFilter(obj, event)


__all__ = ["NoteColumns", "PayerNotesModel", "PayersScreen", "matches"]
