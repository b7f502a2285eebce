"""The Fee schedule screen: the price table, a form to add or edit a row, CSV import and export."""

from __future__ import annotations

import codecs
import csv
import enum
import io
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from infudesk.domain.fees import COLUMNS, check_unit_price, parse_fee_csv
from infudesk.domain.orders import SITE_LABELS
from infudesk.errors import UserError, ValidationFailed
from infudesk.services import fees
from infudesk.services import payers as pay
from infudesk.services.audit import Actor
from infudesk.ui.common.ops import Backend, ask_unsaved, attempt, report
from infudesk.ui.common.widgets import Form

Index = QModelIndex | QPersistentModelIndex
CENTER_LABEL = "Center (charges, self-pay)"
ANY_SITE = "Any site"
ALL_PAYERS = -1  # filter combo: every row
CENTER = 0  # combos: the center's own row (payer None in the services)
AMOUNTS = ("allowed", "charge", "self_pay")
HINT_STYLE = "color: #555;"
NOT_IMPORTED = "Fee schedule not imported"
MAX_FILE_BYTES = 20_000_000
CENTER_HINT = (
    "The center's row: its billed charge and/or self-pay price per unit. Quotes for self-pay "
    "patients use the self-pay price (else the charge)."
)
PAYER_HINT = (
    "A payer's row: the allowed amount per unit (the contracted rate). The billed charge and "
    "self-pay price come from the center's row."
)


class FeeColumns(enum.IntEnum):
    PAYER = 0
    SITE = 1
    CODE = 2
    ALLOWED = 3
    CHARGE = 4
    SELF_PAY = 5


FEE_HEADERS = {
    FeeColumns.PAYER: "Payer",
    FeeColumns.SITE: "Site",
    FeeColumns.CODE: "Code",
    FeeColumns.ALLOWED: "Allowed / unit",
    FeeColumns.CHARGE: "Billed charge / unit",
    FeeColumns.SELF_PAY: "Self-pay / unit",
}
_AMOUNT_COLUMNS = {
    FeeColumns.ALLOWED: "allowed",
    FeeColumns.CHARGE: "charge",
    FeeColumns.SELF_PAY: "self_pay",
}


# -- plain helpers (no widgets) ---------------------------------------------------------------
def unit_text(value: Decimal | None, *, dollar: bool = True, thousands: bool = True) -> str:
    """92.5 → '$92.50'; 0.0125 → '$0.0125' (cents at least, never a rounded-off price)."""
    if value is None:
        return ""
    exponent = value.normalize().as_tuple().exponent
    places = min(4, max(2, -exponent)) if isinstance(exponent, int) else 2
    text = f"{value:,.{places}f}" if thousands else f"{value:.{places}f}"
    return f"${text}" if dollar else text


def payer_text(rec: fees.FeeRecord) -> str:
    return rec.row.payer if rec.payer_id is not None else CENTER_LABEL


def site_text(site: str) -> str:
    return SITE_LABELS.get(site, site) if site else ANY_SITE


def row_label(payer: str, site: str, code: str) -> str:
    """'Summit Health · Any site · J2350' (for messages)."""
    return f"{payer} · {site_text(site)} · {code}"


def schedule_csv(records: Iterable[fees.FeeRecord]) -> str:
    """The schedule as CSV text in the import format (columns payer,site,code,allowed,…)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for rec in records:
        r = rec.row
        writer.writerow(
            [
                r.payer if rec.payer_id is not None else "",
                r.site,
                r.code,
                *(unit_text(getattr(r, name), dollar=False, thousands=False) for name in AMOUNTS),
            ]
        )
    return out.getvalue()


def read_schedule_file(path: Path) -> str:
    """The text of a schedule file; UserError when it cannot be read or is not a CSV text."""
    name = path.name
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise UserError(
                f"{name} is too large to be a fee schedule. Choose the CSV file exported from "
                "your spreadsheet. Nothing was changed.",
                title=NOT_IMPORTED,
            )
        data = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise UserError(
            f"{name} could not be read ({reason}). Check that the file still exists and is not "
            "open in another program, then try again. Nothing was changed.",
            title=NOT_IMPORTED,
        ) from None
    if data.startswith(b"PK\x03\x04"):
        raise UserError(
            f"{name} is a spreadsheet workbook (or another zipped file), not a CSV file. In the "
            "spreadsheet choose File › Save As › CSV (comma delimited), then import that file. "
            "Nothing was changed.",
            title=NOT_IMPORTED,
        )
    not_text = UserError(
        f"{name} is not a CSV text file. Save the schedule from your spreadsheet as CSV "
        f"(comma delimited) with the columns {', '.join(COLUMNS)}, then import that file. "
        "Nothing was changed.",
        title=NOT_IMPORTED,
    )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise not_text from None
    if b"\x00" in data:
        raise not_text
    for encoding in ("utf-8-sig", "cp1252"):  # a spreadsheet on Windows may save "ANSI"
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if any(ord(ch) < 32 and ch not in "\t\r\n\f" for ch in text):
            raise not_text
        return text
    raise not_text


def _save_row(session: Session, actor: Actor, *, replaces: int | None, **values: Any) -> None:
    """Save the row and, when it was moved to another payer/site/code, drop the old one."""
    fees.save_row(session, actor, **values)
    if replaces is not None:
        fees.delete_row(session, actor, replaces)


# -- the table model ----------------------------------------------------------------------------
class FeeModel(QAbstractTableModel):
    """The fee schedule rows shown (already filtered), in the services' order."""

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[fees.FeeRecord] = []

    def set_rows(self, rows: list[fees.FeeRecord]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def record_at(self, row: int) -> fees.FeeRecord | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, record_id: int) -> int:
        return next((i for i, r in enumerate(self._rows) if r.id == record_id), -1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(FeeColumns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(FeeColumns):
            return None
        col = FeeColumns(section)
        if role == Qt.ItemDataRole.DisplayRole:
            return FEE_HEADERS[col]
        if role == Qt.ItemDataRole.TextAlignmentRole and col in _AMOUNT_COLUMNS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        rec = self.record_at(index.row()) if index.isValid() else None
        if rec is None or not 0 <= index.column() < len(FeeColumns):
            return None
        col = FeeColumns(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            if col == FeeColumns.PAYER:
                return payer_text(rec)
            if col == FeeColumns.SITE:
                return site_text(rec.row.site)
            if col == FeeColumns.CODE:
                return rec.row.code
            return unit_text(getattr(rec.row, _AMOUNT_COLUMNS[col])) or "—"
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if col in _AMOUNT_COLUMNS:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole:
            if col in _AMOUNT_COLUMNS and getattr(rec.row, _AMOUNT_COLUMNS[col]) is None:
                return QColor("#999")
            if col == FeeColumns.PAYER and rec.payer_id is None:
                return QColor("#1a4f8b")
        if role == Qt.ItemDataRole.ToolTipRole and col == FeeColumns.PAYER and rec.payer_id is None:
            return "The center's own prices: the billed charge and the self-pay price."
        return None


# -- the screen ---------------------------------------------------------------------------------
class FeesScreen(QWidget):
    """The fee schedule: filter the table, edit one row in the form below, import or export CSV.

    Signals:
        schedule_changed(): a row was saved or deleted, or a file imported (quotes may change).
        status_changed(str): a line for the window's status bar.
    """

    schedule_changed = Signal()
    status_changed = Signal(str)

    def __init__(self, backend: Backend, today: Callable[[], date] = date.today) -> None:
        super().__init__()
        self.setObjectName("feesScreen")
        self.backend = backend
        self.today = today
        self.records: list[fees.FeeRecord] = []
        self.payers: list[pay.PayerRecord] = []
        self.selected: fees.FeeRecord | None = None  # the row the form shows (None: a new row)
        self._loaded: tuple[object, ...] = ()
        self._syncing = False  # selection changed by the program, not by the user
        self._shown_once = False
        self._last_dir = Path.home()
        self.form = Form(today)

        lay = QVBoxLayout(self)
        title = QLabel("Fee schedule")
        title.setObjectName("pageTitle")
        lay.addWidget(title)
        subtitle = QLabel(
            "Prices per billing unit that quotes use: each payer's allowed amounts, and the "
            "center's billed charges and self-pay prices."
        )
        subtitle.setObjectName("pageSubtitle")
        subtitle.setWordWrap(True)
        lay.addWidget(subtitle)
        lay.addLayout(self._build_toolbar())

        self.model = FeeModel()
        self.table = QTableView()
        self.table.setObjectName("feeTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(24)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        for col in (FeeColumns.PAYER, FeeColumns.SITE):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(FeeColumns.CODE, QHeaderView.ResizeMode.ResizeToContents)
        for col in _AMOUNT_COLUMNS:
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Fixed)
            header.resizeSection(col, 160)
        lay.addWidget(self.table, 1)
        self.count_label = QLabel("")
        self.count_label.setObjectName("feeCount")
        self.count_label.setStyleSheet(HINT_STYLE)
        lay.addWidget(self.count_label)
        lay.addWidget(self._build_form())

        self.table.selectionModel().currentRowChanged.connect(self._on_current_changed)
        QShortcut(QKeySequence.StandardKey.Save, self, self.save)
        self.reload()
        self.new_row(ask=False)

    # -- construction ------------------------------------------------------------------
    def _build_toolbar(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Payer"))
        self.payer_filter = QComboBox()
        self.payer_filter.setObjectName("feePayerFilter")
        self.payer_filter.setMinimumWidth(240)
        bar.addWidget(self.payer_filter)
        bar.addSpacing(12)
        bar.addWidget(QLabel("Code"))
        self.search_box = QLineEdit()
        self.search_box.setObjectName("feeSearch")
        self.search_box.setPlaceholderText("e.g. J1745 or 9636")
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setMaximumWidth(200)
        bar.addWidget(self.search_box)
        bar.addStretch(1)
        self.import_button = QPushButton("Import CSV…")
        self.import_button.setObjectName("importFeesButton")
        self.import_button.setToolTip(
            "Replace the whole schedule with a CSV file (columns " + ", ".join(COLUMNS) + ")"
        )
        self.export_button = QPushButton("Export CSV…")
        self.export_button.setObjectName("exportFeesButton")
        self.export_button.setToolTip(
            "Save the whole schedule as a CSV file to edit in a spreadsheet"
        )
        bar.addWidget(self.import_button)
        bar.addWidget(self.export_button)
        self.payer_filter.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.search_box.textChanged.connect(lambda _t: self.apply_filter())
        self.import_button.clicked.connect(self.choose_import)
        self.export_button.clicked.connect(self.choose_export)
        return bar

    def _build_form(self) -> QWidget:
        f = self.form
        self.form_group = QGroupBox("Add / edit row")
        self.form_group.setObjectName("feeForm")
        outer = QVBoxLayout(self.form_group)
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(6)
        left = (
            ("payer_id", "Payer *", f.combo("payer_id", [(CENTER, CENTER_LABEL)])),
            ("site", "Site of care", f.combo("site", [("", ANY_SITE), *SITE_LABELS.items()])),
            ("code", "Code *", f.line("code", "CPT or HCPCS, e.g. J1745", 5)),
        )
        right = (
            ("allowed", "Allowed / unit", f.line("allowed", "$ per unit, e.g. 92.50")),
            ("charge", "Billed charge / unit", f.line("charge", "$ per unit")),
            ("self_pay", "Self-pay / unit", f.line("self_pay", "$ per unit")),
        )
        for col, fields in ((0, left), (2, right)):
            for row, (name, label, box) in enumerate(fields):
                text = QLabel(label)
                text.setBuddy(f.widgets[name])
                text.setMinimumHeight(f.widgets[name].sizeHint().height())
                grid.addWidget(text, row, col, Qt.AlignmentFlag.AlignTop)
                grid.addWidget(box, row, col + 1, Qt.AlignmentFlag.AlignTop)
        grid.setColumnStretch(1, 3)
        grid.setColumnStretch(3, 2)
        grid.setColumnMinimumWidth(2, 150)
        outer.addLayout(grid)
        self.hint = QLabel(CENTER_HINT)
        self.hint.setObjectName("feeHint")
        self.hint.setStyleSheet(HINT_STYLE)
        self.hint.setWordWrap(True)
        outer.addWidget(self.hint)

        bar = QHBoxLayout()
        self.status = QLabel("")
        self.status.setObjectName("feeStatus")
        self.status.setWordWrap(True)
        bar.addWidget(self.status, 1)
        self.new_button = QPushButton("New row")
        self.new_button.setObjectName("newFeeButton")
        self.new_button.setToolTip("Clear the form to add a row")
        self.delete_button = QPushButton("Delete…")
        self.delete_button.setObjectName("deleteFeeButton")
        self.save_button = QPushButton("Save")
        self.save_button.setObjectName("saveFeeButton")
        self.save_button.setToolTip("Save the row (Ctrl+S)")
        self.save_button.setDefault(True)
        for b in (self.new_button, self.delete_button, self.save_button):
            bar.addWidget(b)
        outer.addLayout(bar)

        self.new_button.clicked.connect(lambda: self.new_row())
        self.delete_button.clicked.connect(self.delete_selected)
        self.save_button.clicked.connect(self.save)
        payer = f.widgets["payer_id"]
        assert isinstance(payer, QComboBox)
        payer.currentIndexChanged.connect(lambda _i: self._update_hint())
        for name in ("code", *AMOUNTS):
            w = f.widgets[name]
            assert isinstance(w, QLineEdit)
            w.textEdited.connect(lambda _t: self.status.setText(""))
            w.returnPressed.connect(self.save)
            if name in AMOUNTS:
                w.setAlignment(Qt.AlignmentFlag.AlignRight)
        return self.form_group

    # -- reading the database ---------------------------------------------------------------
    def reload(self) -> bool:
        """Read the payers and the whole schedule again (it is small) and show them filtered."""
        payers = attempt(self, lambda: self.backend.query(pay.list_payers, include_inactive=True))
        records = attempt(self, lambda: self.backend.query(fees.all_rows))
        if payers is None or records is None:
            return False
        self.payers, self.records = payers, records
        names = [(p.id, p.data.name + ("" if p.data.active else " (inactive)")) for p in payers]
        self._refill(
            self.payer_filter, [(ALL_PAYERS, "All payers"), (CENTER, CENTER_LABEL), *names]
        )
        combo = self.form.widgets["payer_id"]
        assert isinstance(combo, QComboBox)
        self._refill(combo, [(CENTER, CENTER_LABEL), *names])
        if self.selected is not None:  # the row shown may have changed or gone meanwhile
            self.selected = next((r for r in records if r.id == self.selected.id), None)
        self.apply_filter()
        return True

    @staticmethod
    def _refill(combo: QComboBox, items: list[tuple[int, str]]) -> None:
        current = combo.currentData()
        combo.blockSignals(True)
        try:
            combo.clear()
            for value, label in items:
                combo.addItem(label, value)
            combo.setCurrentIndex(max(0, combo.findData(current)))
        finally:
            combo.blockSignals(False)

    def visible_records(self) -> list[fees.FeeRecord]:
        """The rows the filter lets through."""
        who = self.payer_filter.currentData()
        text = self.search_box.text().strip().upper()
        out = []
        for rec in self.records:
            if who == CENTER and rec.payer_id is not None:
                continue
            if who not in (ALL_PAYERS, CENTER, None) and rec.payer_id != who:
                continue
            if text and text not in rec.row.code:
                continue
            out.append(rec)
        return out

    def apply_filter(self) -> None:
        shown = self.visible_records()
        self.model.set_rows(shown)
        self._select_in_table(self.selected.id if self.selected else None)
        total = len(self.records)
        if total == 0:
            msg = "The fee schedule is empty: add rows below or import a CSV file."
        elif len(shown) == total:
            msg = f"{total} row{'s' if total != 1 else ''}."
        elif not shown:
            msg = f"No row matches the filter ({total} rows in all)."
        else:
            msg = f"Showing {len(shown)} of {total} rows."
        self.count_label.setText(msg)

    def _select_in_table(self, record_id: int | None) -> None:
        self._syncing = True
        try:
            sel = self.table.selectionModel()
            row = self.model.row_of(record_id) if record_id is not None else -1
            if row < 0:
                sel.clear()
                return
            index = self.model.index(row, 0)
            sel.setCurrentIndex(
                index,
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
            self.table.scrollTo(index)
        finally:
            self._syncing = False

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._syncing:
            return
        rec = self.model.record_at(current.row()) if current.isValid() else None
        if rec is None or (self.selected is not None and rec.id == self.selected.id):
            return
        if not self.confirm_leave():
            self._select_in_table(self.selected.id if self.selected else None)
            return
        self.show_record(rec)

    def select_record(self, record_id: int) -> None:
        """Click the row in the table (as far as the screen can tell)."""
        row = self.model.row_of(record_id)
        if row >= 0:
            self.table.setCurrentIndex(self.model.index(row, 0))

    # -- the form ----------------------------------------------------------------------
    def _payer_choice(self) -> int | None:
        value = self.form.choice("payer_id")
        return None if value in (CENTER, None) else int(value)  # type: ignore[call-overload]

    def _snapshot(self) -> tuple[object, ...]:
        """What counts as a change (spacing, case of the code and '$92.5' vs '92.50' do not)."""
        f = self.form
        amounts = []
        for name in AMOUNTS:
            value, error = check_unit_price(f.value(name))
            amounts.append(f.value(name).strip() if error else value)
        return (self._payer_choice(), f.choice("site"), f.value("code").strip().upper(), *amounts)

    def show_record(self, rec: fees.FeeRecord | None) -> None:
        """Fill the form from a row (None: an empty form for a new row)."""
        f = self.form
        self.selected = rec
        if rec is None:
            who = self.payer_filter.currentData()
            f.set("payer_id", CENTER if who in (ALL_PAYERS, None) else who)
            f.set("site", "")
            for name in ("code", *AMOUNTS):
                f.set(name, "")
            self.form_group.setTitle("Add / edit row — new row")
        else:
            f.set("payer_id", CENTER if rec.payer_id is None else rec.payer_id)
            f.set("site", rec.row.site)
            f.set("code", rec.row.code)
            for name in AMOUNTS:
                f.set(name, unit_text(getattr(rec.row, name), dollar=False))
            self.form_group.setTitle(
                "Add / edit row — " + row_label(payer_text(rec), rec.row.site, rec.row.code)
            )
        f.show_errors({})
        self.status.setText("")
        self._loaded = self._snapshot()
        self.delete_button.setEnabled(rec is not None)
        self._update_hint()

    def _update_hint(self) -> None:
        self.hint.setText(CENTER_HINT if self._payer_choice() is None else PAYER_HINT)

    def is_dirty(self) -> bool:
        return self._snapshot() != self._loaded

    def new_row(self, *, ask: bool = True) -> bool:
        """Clear the form for a new row (the payer chosen in the filter is kept)."""
        if ask and not self.confirm_leave():
            return False
        self._select_in_table(None)
        self.show_record(None)
        if ask:
            self.form.widgets["code"].setFocus()
        return True

    def _key(self) -> tuple[int | None, str, str]:
        return (
            self._payer_choice(),
            str(self.form.choice("site") or ""),
            self.form.value("code").strip().upper(),
        )

    def _payer_name(self, payer_id: int | None) -> str:
        if payer_id is None:
            return CENTER_LABEL
        return next((p.data.name for p in self.payers if p.id == payer_id), "?")

    def save(self) -> bool:
        """Validate and save the form's row; on any problem the form keeps everything typed."""
        f = self.form
        f.begin_read()
        amounts: dict[str, Decimal | None] = {}
        for name in AMOUNTS:
            amounts[name], error = check_unit_price(f.value(name))
            if error:
                f.parse_errors[name] = error
        if f.parse_errors:
            self._show_errors(dict(f.parse_errors))
            return False
        payer_id, site, code = key = self._key()
        old = self.selected
        if old is not None and not self.is_dirty():
            self.status.setText("No changes to save.")
            return True
        clash = next(
            (
                r
                for r in self.records
                if (r.payer_id, r.row.site, r.row.code) == key and (old is None or r.id != old.id)
            ),
            None,
        )
        replaces: int | None = None
        if old is not None and (old.payer_id, old.row.site, old.row.code) != key:
            answer = self._ask_key_changed(old, key, clash)
            if answer == "cancel":
                return False
            replaces = old.id if answer == "replace" else None
        elif clash is not None and not self._confirm_overwrite(clash):
            return False
        try:
            self.backend.mutate(
                lambda s, a: _save_row(
                    s, a, replaces=replaces, payer_id=payer_id, site=site, code=code, **amounts
                )
            )
        except ValidationFailed as exc:
            if set(exc.errors) - set(f.boxes):
                report(self, exc)
            self._show_errors(exc.errors)
            return False
        except Exception as exc:
            report(self, exc)
            return False
        self.reload()
        saved = next((r for r in self.records if (r.payer_id, r.row.site, r.row.code) == key), None)
        self.show_record(saved)
        self._select_in_table(saved.id if saved else None)
        label = row_label(self._payer_name(payer_id), site, code)
        msg = f"Saved {label} at {datetime.now():%H:%M}."
        if saved is not None and self.model.row_of(saved.id) < 0:
            msg += " The filter hides it: choose All payers and clear the code to see it."
        self.status.setText(msg)
        self.status_changed.emit(f"Fee schedule: {label} saved.")
        self.schedule_changed.emit()
        return True

    def _show_errors(self, errors: dict[str, str]) -> None:
        self.form.show_errors(errors)
        n = len(errors)
        self.status.setText(
            f"Please check the field{'s' if n != 1 else ''} marked in red. Nothing was saved yet."
        )

    def _ask_key_changed(
        self, old: fees.FeeRecord, key: tuple[int | None, str, str], clash: fees.FeeRecord | None
    ) -> str:
        """'replace', 'add' or 'cancel' when the payer, site or code of a shown row changed."""
        new_label = row_label(self._payer_name(key[0]), key[1], key[2])
        text = (
            f"You changed the payer, site or code of the row {row_label(payer_text(old), old.row.site, old.row.code)}."
            f"\n\nReplace that row with {new_label}, or add {new_label} as a new row "
            "and keep the old one?"
        )
        if clash is not None:
            text += f"\n\nA row for {new_label} already exists: its prices will be overwritten."
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Payer, site or code changed",
            text,
            QMessageBox.StandardButton.NoButton,
            self,
        )
        box.setObjectName("keyChangedBox")
        replace = box.addButton("Replace the row", QMessageBox.ButtonRole.AcceptRole)
        add = box.addButton("Add as a new row", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(replace)
        box.exec()
        clicked = box.clickedButton()
        return "replace" if clicked is replace else "add" if clicked is add else "cancel"

    def _confirm_overwrite(self, clash: fees.FeeRecord) -> bool:
        r = clash.row
        prices = ", ".join(
            f"{label} {unit_text(getattr(r, name))}"
            for name, label in (
                ("allowed", "allowed"),
                ("charge", "charge"),
                ("self_pay", "self-pay"),
            )
            if getattr(r, name) is not None
        )
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Row already in the schedule",
            f"The schedule already has a row for {row_label(payer_text(clash), r.site, r.code)} "
            f"({prices}).\n\nReplace its prices with the ones you typed?",
            QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setObjectName("overwriteBox")
        box.button(QMessageBox.StandardButton.Ok).setText("Replace prices")
        return box.exec() == QMessageBox.StandardButton.Ok

    def delete_selected(self) -> bool:
        """Delete the row shown in the form, after asking."""
        rec = self.selected
        if rec is None:
            return False
        label = row_label(payer_text(rec), rec.row.site, rec.row.code)
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Delete this row?",
            f"Delete the row {label} from the fee schedule?\n\nQuotes will no longer find this "
            "price. This cannot be undone (export the schedule first to keep a copy).",
            QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setObjectName("deleteFeeBox")
        box.button(QMessageBox.StandardButton.Ok).setText("Delete row")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        if box.exec() != QMessageBox.StandardButton.Ok:
            return False
        try:
            self.backend.mutate(fees.delete_row, rec.id)
        except Exception as exc:
            report(self, exc)
            return False
        self.selected = None
        self.reload()
        self.show_record(None)
        self.status.setText(f"Deleted {label}.")
        self.status_changed.emit(f"Fee schedule: {label} deleted.")
        self.schedule_changed.emit()
        return True

    def confirm_leave(self) -> bool:
        """True when the form may be left (nothing unsaved, or the user chose what to do)."""
        if not self.is_dirty():
            return True
        what = (
            "The fee schedule row you are editing has changes that are not saved yet."
            if self.selected
            else "The new fee schedule row you typed is not saved yet."
        )
        answer = ask_unsaved(self, what)
        if answer == "save":
            return self.save()
        if answer == "discard":
            self.show_record(self.selected)
            return True
        return False

    def can_leave(self) -> bool:
        return self.confirm_leave()

    # -- import and export -------------------------------------------------------------
    def choose_import(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, "Import fee schedule", str(self._last_dir), "CSV files (*.csv);;All files (*)"
        )
        if path:
            self._last_dir = Path(path).parent
            self.import_file(Path(path))

    def choose_export(self) -> None:
        suggested = self._last_dir / f"fee_schedule_{self.today():%Y-%m-%d}.csv"
        path, _filter = QFileDialog.getSaveFileName(
            self, "Export fee schedule", str(suggested), "CSV files (*.csv)"
        )
        if path:
            target = Path(path)
            if not target.suffix:
                target = target.with_suffix(".csv")
            self._last_dir = target.parent
            self.export_file(target)

    def import_file(self, path: Path) -> bool:
        """Replace the whole schedule with a CSV file, after asking; a bad file changes nothing."""
        try:
            text = read_schedule_file(path)
            rows = self._check_file(path.name, text)
        except UserError as exc:
            report(self, exc)
            return False
        if not self.reload():
            return False
        current = len(self.records)
        if current and not self._confirm_replace(path.name, current, len(rows)):
            self.status.setText("Import cancelled: the schedule was not changed.")
            return False
        dirty = self.is_dirty()
        count = attempt(self, lambda: self.backend.mutate(fees.import_csv, text))
        if count is None:
            return False
        self.selected = None
        self.reload()
        if dirty:  # keep what was typed, as a new row
            self._select_in_table(None)
            self.delete_button.setEnabled(False)
        else:
            self.show_record(None)
        msg = f"Imported {count} row{'s' if count != 1 else ''} from {path.name} at {datetime.now():%H:%M}."
        self.status.setText(msg)
        self.status_changed.emit(f"Fee schedule: {msg}")
        self.schedule_changed.emit()
        return True

    def _check_file(self, name: str, text: str) -> list[Any]:
        """The file's rows, or UserError naming the line of the first problem."""
        try:
            rows = parse_fee_csv(text)
        except ValueError as exc:
            raise UserError(
                f"{name} was not imported.\n\n{exc}\n\nCorrect the file and import it again. "
                "Nothing was changed.",
                title=NOT_IMPORTED,
            ) from None
        if not rows:
            raise UserError(
                f"{name} has a header but no rows: importing it would empty the fee schedule. "
                "Nothing was changed.",
                title=NOT_IMPORTED,
            )
        payers = attempt(self, lambda: self.backend.query(pay.list_payers, include_inactive=True))
        if payers is None:
            raise UserError(
                "The payer directory could not be read. Nothing was changed.", title=NOT_IMPORTED
            )
        known = {p.data.name.casefold() for p in payers}
        for row in rows:
            line = row.line
            if row.payer and row.payer.casefold() not in known:
                raise UserError(
                    f"{name} was not imported.\n\nLine {line}: the payer “{row.payer}” is not in "
                    "the payer directory. Correct the name to match the directory exactly (see "
                    "the Payers screen), or add the payer there first.\n\nNothing was changed.",
                    title=NOT_IMPORTED,
                )
        return rows

    def _confirm_replace(self, name: str, current: int, incoming: int) -> bool:
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Replace the fee schedule?",
            f"This replaces all {current} rows of the fee schedule with the {incoming} "
            f"row{'s' if incoming != 1 else ''} in {name}. Rows that are not in the file are "
            "removed.\n\nTo keep a copy of the current schedule, cancel and use Export CSV… first.",
            QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setObjectName("replaceScheduleBox")
        box.button(QMessageBox.StandardButton.Ok).setText("Replace schedule")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        return box.exec() == QMessageBox.StandardButton.Ok

    def export_file(self, path: Path) -> bool:
        """Write the whole schedule (not only the filtered rows) as CSV, ready to import again."""
        records = attempt(self, lambda: self.backend.query(fees.all_rows))
        if records is None:
            return False
        try:
            # a byte-order mark: spreadsheets then read accented payer names correctly
            path.write_text(schedule_csv(records), encoding="utf-8-sig", newline="")
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            report(
                self,
                UserError(
                    f"The fee schedule could not be written to {path} ({reason}). Choose another "
                    "folder, or close the file if a spreadsheet has it open, and try again.",
                    title="Fee schedule not exported",
                ),
            )
            return False
        msg = f"Exported {len(records)} row{'s' if len(records) != 1 else ''} to {path.name}."
        self.status.setText(msg)
        self.status_changed.emit(f"Fee schedule: {msg}")
        return True

    # -- events ------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        """Coming back to the screen: pick up payers and rows changed elsewhere."""
        super().showEvent(event)
        if event.spontaneous():
            return
        if not self._shown_once:  # the constructor has just read everything
            self._shown_once = True
            return
        dirty = self.is_dirty()
        self.reload()
        if not dirty:
            self.show_record(self.selected)
