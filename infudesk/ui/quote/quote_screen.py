"""The Quotes screen: what a patient will owe for a therapy order's visits, with what-if
terms, saved snapshots (numbered, read-only) and a side-by-side comparison of scenarios."""

from __future__ import annotations

import enum
import html
from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from infudesk.domain import costshare as cs
from infudesk.domain import coverage as dc
from infudesk.domain import patients as dp
from infudesk.domain import readiness as rd
from infudesk.domain.patients import parse_date
from infudesk.errors import UserError, ValidationFailed
from infudesk.services import assistance as asv
from infudesk.services import coverages as cvs
from infudesk.services import letters
from infudesk.services import orders as ors
from infudesk.services import patients as ps
from infudesk.services import quotes as qs
from infudesk.services import readiness as rsv
from infudesk.ui.common.forms import ERROR_STYLE
from infudesk.ui.common.ops import Backend, attempt, report
from infudesk.ui.common.screen import relative_pt
from infudesk.ui.common.widgets import Form
from infudesk.ui.letters.letter_preview import LetterPreview, show_letter
from infudesk.ui.patients.patient_tabs import _table
from infudesk.ui.quote import controller as ctl
from infudesk.ui.quote.compare_dialog import (
    NO_SECONDARY,
    SELF_PAY,
    Choice,
    CompareDialog,
    figure,
    fill_coverage_combo,
    fill_site_combo,
    money,
    quotable,
    select_data,
)

SEARCH_DELAY_MS = 150
SEARCH_LIMIT = 8
ROW_HEIGHT = 24
MAX_LINE_ROWS = 8
WARN_STYLE = "color: #8a5300;"
MUTED_STYLE = "color: #555;"
BANNER_STYLE = "background: #fff3c4; border: 1px solid #e0c060; padding: 6px;"
READY_MAX_HEIGHT = 86  # pixels: about three warnings; more scroll
READY_STYLE = "QFrame#readinessBox { background: #fdecea; border: 1px solid #e2a39b; }"
FIX_TABS: dict[str, str] = {  # a finding's fix → the patient tab that fixes it
    "prior_auth": "prior_auths",
    "verification": "verifications",
    "assistance": "assistance",
}
FIX_LABELS: dict[str, str] = {
    "prior_auth": "Open prior auths…",
    "verification": "Open verification…",
    "assistance": "Open assistance…",
}
CELL_ERROR = QColor("#fde2e2")
CELL_MISSING = QColor("#fff0c2")


class LineCol(enum.IntEnum):
    CODE = 0
    UNITS = 1
    PRICE = 2
    CHARGE = 3
    COINSURANCE = 4
    ALLOWED = 5


LINE_HEADERS = {
    LineCol.CODE: "Code",
    LineCol.UNITS: "Units",
    LineCol.PRICE: "Allowed\nper unit",
    LineCol.CHARGE: "Charge\nper unit",
    LineCol.COINSURANCE: "Own\ncoins. %",
    LineCol.ALLOWED: "Allowed",
}
LINE_WHAT = {
    LineCol.UNITS: "units",
    LineCol.PRICE: "allowed per unit",
    LineCol.CHARGE: "billed charge per unit",
    LineCol.COINSURANCE: "own coinsurance",
}


class VisitCol(enum.IntEnum):
    DATE = 0
    PLAN_YEAR = 1
    ALLOWED = 2
    INSURANCE = 3
    ASSISTANCE = 4
    OWES = 5
    BEFORE = 6
    BALANCE_BILL = 7


VISIT_HEADERS = (
    "Date",
    "Plan\nyear",
    "Allowed",
    "Insurance\npays",
    "Assistance",
    "Patient\nowes",
    "Before\nassistance",
    "Balance\nbill",
)
VISIT_FIGURES = (
    "allowed",
    "insurance",
    "assistance_paid",
    "patient_owes",
    "patient_owes_before_assistance",
    "balance_bill",
)
YEAR_HEADERS = (
    "Plan year",
    "Visits",
    "Allowed",
    "Insurance\npays",
    "Assistance",
    "Patient\nowes",
    "Before\nassistance",
    "Balance\nbill",
)
SAVED_HEADERS = ("No.", "Title", "Saved", "By", "Patient owes")
TERM_FIELDS = ctl.TERM_FIELDS
ROLES = ctl.ROLES


def _item(
    text: str, *, right: bool = False, editable: bool = False, bold: bool = False
) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    flags = item.flags()
    item.setFlags(
        flags | Qt.ItemFlag.ItemIsEditable if editable else flags & ~Qt.ItemFlag.ItemIsEditable
    )
    if bold:
        font = item.font()
        font.setBold(True)
        item.setFont(font)
    return item


def _cell(table: QTableWidget, row: int, col: int) -> QTableWidgetItem:
    item = table.item(row, col)
    assert item is not None, (row, col)
    return item


def _header(table: QTableWidget, col: int) -> QTableWidgetItem:
    item = table.horizontalHeaderItem(col)
    assert item is not None, col
    return item


def _caption(text: str) -> QLabel:
    label = QLabel(text)
    label.setStyleSheet(MUTED_STYLE)
    return label


class QuoteScreen(QWidget):
    """Pick a patient, the order and coverages; edit what-ifs; save and reopen quotes; compare.

    Signals:
        status_changed(str): a line for the window's status bar.
        quote_saved(int): the id of a quote just saved.
        fix_requested(int, str): a readiness finding's fix was asked for: the patient's id and
            the patient tab that fixes it ("prior_auths", "verifications", "assistance").
    """

    status_changed = Signal(str)
    quote_saved = Signal(int)
    fix_requested = Signal(int, str)

    def __init__(self, backend: Backend, today: Callable[[], date] = date.today) -> None:
        super().__init__()
        self.setObjectName("quoteScreen")
        self.backend = backend
        self.today = today
        self.patient_id: int | None = None
        self.patient_name = ""
        self.orders: list[ors.OrderRecord] = []
        self.coverages: list[cvs.CoverageRecord] = []
        self.programs: list[asv.ProgramRecord] = []
        self.saved: list[qs.QuoteSummary] = []
        self.base: qs.QuoteSetup | None = None  # as prepared (or as saved): "the terms on file"
        self.setup: qs.QuoteSetup | None = None  # the inputs of the figures shown (with what-ifs)
        self.result: qs.QuoteFigures | None = None  # the figures shown
        self.viewing: qs.SavedQuoteRecord | None = None  # a saved quote shown read-only
        # what was on screen before a saved quote was opened: base, shown, "visits from" text
        self._live: tuple[qs.QuoteSetup, qs.QuoteSetup | None, str] | None = None
        self._line_texts: list[ctl.LineTexts] = []  # the line cells as filled in
        self._shown_lines: tuple[cs.ServiceLine, ...] = ()  # the lines those cells show
        self._filling = False
        self.compare_dialog: CompareDialog | None = None
        self.letter_preview: LetterPreview | None = None
        self.readiness: rsv.Readiness | None = None  # what could change the figures shown
        self._visits: tuple[qs.VisitFigures, ...] = ()
        self._from_quote: int | None = None  # the saved quote a new version started from
        self._from_quote_id: int | None = None  # (its id)
        self._status_error = False

        lay = QVBoxLayout(self)
        lay.addLayout(self._build_top())
        self.pick = Form(today)
        lay.addWidget(self._build_selectors())
        self.banner = self._build_banner()
        lay.addWidget(self.banner)
        self.body = QStackedWidget()
        self.empty = QLabel(
            "Find a patient above (Ctrl+F): their therapy order, coverages and assistance fill "
            "in, and what they will owe appears here."
        )
        self.empty.setObjectName("quoteEmpty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.body.addWidget(self.empty)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.setChildrenCollapsible(False)
        split.addWidget(self._build_left())
        split.addWidget(self._build_results())
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        split.setSizes([500, 780])
        self.main = split
        self.body.addWidget(split)
        lay.addWidget(self.body, 1)
        self._build_results_list()
        self._connect()
        self._set_enabled_inputs(False)
        self._tab_order()

    # -- building ----------------------------------------------------------------------
    def _build_top(self) -> QHBoxLayout:
        top = QHBoxLayout()
        title = QLabel("Quotes")
        title.setObjectName("pageTitle")
        top.addWidget(title)
        top.addSpacing(16)
        self.search_box = QLineEdit()
        self.search_box.setObjectName("quoteSearch")
        self.search_box.setPlaceholderText("Find patient: name, MRN, birth date (Ctrl+F)")
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setMinimumWidth(300)
        top.addWidget(self.search_box)
        top.addSpacing(12)
        self.patient_label = QLabel("No patient chosen")
        self.patient_label.setObjectName("quotePatient")
        self.patient_label.setStyleSheet(f"font-size: {relative_pt(4 / 3)}pt; font-weight: 600;")
        self.patient_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.patient_label.setWordWrap(True)
        top.addWidget(self.patient_label, 1)
        self.compare_button = QPushButton("Compare…")
        self.compare_button.setObjectName("compareButton")
        self.compare_button.setToolTip(
            "The same course under other coverages or sites of care, side by side"
        )
        top.addWidget(self.compare_button)
        self.letter_button = QPushButton("&Cost letter…")
        self.letter_button.setObjectName("costLetterButton")
        self.letter_button.setToolTip(
            "Preview, print or save the patient's cost letter (from the latest saved quote)"
        )
        self.letter_button.setEnabled(False)
        top.addWidget(self.letter_button)
        return top

    def _build_selectors(self) -> QWidget:
        box = QWidget()
        box.setObjectName("quoteSelectors")
        grid = QGridLayout(box)
        grid.setContentsMargins(0, 4, 0, 4)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(4)
        p = self.pick
        self.order_box = p.combo("order", [])
        self.site_box = p.combo("site", [])
        self.from_box = p.line("from_date", "MM/DD/YYYY", 10)
        self.primary_box = p.combo("primary", [])
        self.secondary_box = p.combo("secondary", [])
        self.order_combo = self._combo("order")
        self.site_combo = self._combo("site")
        self.primary_combo = self._combo("primary")
        self.secondary_combo = self._combo("secondary")
        fill_site_combo(self.site_combo)
        from_edit = p.widgets["from_date"]
        assert isinstance(from_edit, QLineEdit)
        self.from_edit: QLineEdit = from_edit
        self.from_edit.setMaximumWidth(110)
        self.from_edit.setToolTip(
            "Every planned visit of the order on or after this date is quoted"
        )
        for combo in (self.order_combo, self.primary_combo, self.secondary_combo):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(14)
        self.site_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.site_combo.setMinimumContentsLength(18)
        top = Qt.AlignmentFlag.AlignTop
        for col, (text, widget) in enumerate(
            (
                ("Therapy order", self.order_box),
                ("Site of care", self.site_box),
                ("Visits from", self.from_box),
            )
        ):
            grid.addWidget(self._label(text, widget), 0, 2 * col, top)
            grid.addWidget(widget, 0, 2 * col + 1)
        for col, (text, widget) in enumerate(
            (
                ("Primary", self.primary_box),
                ("Secondary", self.secondary_box),
            )
        ):
            grid.addWidget(self._label(text, widget), 1, 2 * col, top)
            grid.addWidget(widget, 1, 2 * col + 1)
        self.program_list = QListWidget()
        self.program_list.setObjectName("programList")
        self.program_list.setMaximumHeight(56)
        self.program_list.setMinimumWidth(180)
        self.program_list.setWordWrap(True)
        self.program_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.program_list.setToolTip("Assistance programs to apply (uncheck to quote without)")
        grid.addWidget(self._label("Assistance", self.program_list), 0, 6, top)
        grid.addWidget(self.program_list, 0, 7, 2, 1)
        grid.setColumnStretch(1, 3)
        grid.setColumnStretch(3, 3)
        grid.setColumnStretch(7, 2)
        return box

    def _combo(self, name: str) -> QComboBox:
        w = self.pick.widgets[name]
        assert isinstance(w, QComboBox)
        return w

    @staticmethod
    def _label(text: str, buddy: QWidget) -> QLabel:
        label = QLabel(text)
        label.setBuddy(buddy)
        label.setContentsMargins(0, 4, 0, 0)
        return label

    def _build_banner(self) -> QFrame:
        banner = QFrame()
        banner.setObjectName("savedBanner")
        banner.setStyleSheet(f"QFrame#savedBanner {{{BANNER_STYLE}}}")
        row = QHBoxLayout(banner)
        row.setContentsMargins(8, 4, 8, 4)
        self.banner_label = QLabel("")
        self.banner_label.setObjectName("savedBannerLabel")
        self.banner_label.setWordWrap(True)
        row.addWidget(self.banner_label, 1)
        self.new_version_button = QPushButton("New version from this")
        self.new_version_button.setObjectName("newVersionButton")
        self.back_button = QPushButton("Back to the current quote")
        self.back_button.setObjectName("backToCurrentButton")
        row.addWidget(self.new_version_button)
        row.addWidget(self.back_button)
        banner.hide()
        return banner

    def _build_left(self) -> QWidget:
        host = QWidget()
        col = QVBoxLayout(host)
        col.setContentsMargins(0, 0, 6, 0)
        self.whatif_box = QGroupBox("What if — billing lines and benefit terms (this quote only)")
        self.whatif_box.setObjectName("whatIfBox")
        wl = QVBoxLayout(self.whatif_box)
        self.lines_table = QTableWidget(0, len(LineCol))
        self.lines_table.setObjectName("linesTable")
        self.lines_table.setHorizontalHeaderLabels([LINE_HEADERS[c] for c in LineCol])
        self.lines_table.verticalHeader().hide()
        self.lines_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.lines_table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
            | QAbstractItemView.EditTrigger.SelectedClicked
        )
        self.lines_table.horizontalHeader().setStretchLastSection(True)
        _header(self.lines_table, LineCol.COINSURANCE).setToolTip(
            "A line's own coinsurance (e.g. a Medicare drug with a reduced rate this quarter); "
            "empty: the plan's rate"
        )
        self.lines_table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.lines_table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.lines_table.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        self.lines_table.setWordWrap(False)
        wl.addWidget(self.lines_table)
        self.price_notes = QLabel("")
        self.price_notes.setObjectName("priceNotes")
        self.price_notes.setWordWrap(True)
        self.price_notes.setStyleSheet(MUTED_STYLE)
        wl.addWidget(self.price_notes)
        self.line_errors = QLabel("")
        self.line_errors.setObjectName("lineErrors")
        self.line_errors.setWordWrap(True)
        self.line_errors.setStyleSheet(ERROR_STYLE)
        self.line_errors.hide()
        wl.addWidget(self.line_errors)

        self.terms = Form(self.today)
        self.terms_host = QWidget()
        self.terms_host.setObjectName("termsGrid")
        grid = QGridLayout(self.terms_host)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(3)
        self.term_heads: dict[str, QLabel] = {}
        self.term_notes: dict[str, QLabel] = {}
        for c, role in enumerate(ROLES, start=1):
            head = QLabel(role.capitalize())
            head.setObjectName(f"{role}TermsHead")
            head.setStyleSheet("font-weight: 600;")
            head.setWordWrap(True)
            note = QLabel("")
            note.setObjectName(f"{role}TermsNote")
            note.setWordWrap(True)
            note.setStyleSheet(MUTED_STYLE)
            self.term_heads[role], self.term_notes[role] = head, note
            grid.addWidget(head, 0, c, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(note, 1, c, Qt.AlignmentFlag.AlignTop)
        for r, (name, label, _kind) in enumerate(TERM_FIELDS, start=2):
            grid.addWidget(QLabel(label), r, 0, Qt.AlignmentFlag.AlignTop)
            for c, role in enumerate(ROLES, start=1):
                box = self.terms.line(f"{role}.{name}", max_length=20)
                box.field.setMaximumWidth(150)
                grid.addWidget(box, r, c, Qt.AlignmentFlag.AlignTop)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        wl.addWidget(self.terms_host)
        self.self_pay_note = QLabel(
            "Self-pay: no plan terms. The patient pays the self-pay price of each line (edit it "
            "above), less any discount checked under Assistance."
        )
        self.self_pay_note.setObjectName("selfPayNote")
        self.self_pay_note.setWordWrap(True)
        self.self_pay_note.setStyleSheet(MUTED_STYLE)
        self.self_pay_note.hide()
        wl.addWidget(self.self_pay_note)
        buttons = QHBoxLayout()
        self.whatif_state = QLabel("")
        self.whatif_state.setObjectName("whatIfState")
        self.whatif_state.setWordWrap(True)
        buttons.addWidget(self.whatif_state, 1)
        self.reset_button = QPushButton("Reset to the terms on file")
        self.reset_button.setObjectName("resetWhatIfButton")
        self.calc_button = QPushButton("Calculate")
        self.calc_button.setObjectName("calculateButton")
        self.calc_button.setToolTip("Figures also update when you leave a field")
        buttons.addWidget(self.reset_button)
        buttons.addWidget(self.calc_button)
        wl.addLayout(buttons)
        col.addWidget(self.whatif_box)

        saved_box = QGroupBox("Saved quotes of this patient")
        saved_box.setObjectName("savedBox")
        sl = QVBoxLayout(saved_box)
        self.saved_table = _table(SAVED_HEADERS, "savedQuotesTable")
        self.saved_table.setMinimumHeight(110)
        self.saved_table.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        sl.addWidget(self.saved_table, 1)
        row = QHBoxLayout()
        self.saved_empty = _caption("No saved quote yet.")
        self.saved_empty.setObjectName("savedEmpty")
        row.addWidget(self.saved_empty, 1)
        self.open_button = QPushButton("Open saved quote")
        self.open_button.setObjectName("openQuoteButton")
        row.addWidget(self.open_button)
        sl.addLayout(row)
        col.addWidget(saved_box, 1)

        scroll = QScrollArea()
        scroll.setObjectName("whatIfScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(host)
        self.left_host = host
        scroll.setMinimumWidth(440)
        self.left_scroll = scroll
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        return scroll

    def _figure_card(self, caption: str, name: str, big: bool = False) -> tuple[QWidget, QLabel]:
        card = QWidget()
        v = QVBoxLayout(card)
        v.setContentsMargins(0, 0, 12, 0)
        v.setSpacing(0)
        v.addWidget(_caption(caption))
        value = QLabel("—")
        value.setObjectName(name)
        font = value.font()
        font.setPointSizeF(relative_pt(22 / 9 if big else 4 / 3))
        font.setWeight(QFont.Weight.Bold if big else QFont.Weight.DemiBold)
        value.setFont(font)
        value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        v.addWidget(value)
        self.figure_widgets.append(card)
        return card, value

    def _build_results(self) -> QWidget:
        host = QWidget()
        v = QVBoxLayout(host)
        v.setContentsMargins(6, 0, 0, 0)
        self.figure_widgets: list[QWidget] = []
        cards = QHBoxLayout()
        card, self.owes_label = self._figure_card(
            "Patient owes\n(after assistance)", "headlineOwes", big=True
        )
        cards.addWidget(card, 0, Qt.AlignmentFlag.AlignBottom)
        card, self.before_label = self._figure_card("Before assistance", "headlineBefore")
        cards.addWidget(card, 0, Qt.AlignmentFlag.AlignBottom)
        card, self.assist_label = self._figure_card("Assistance pays", "headlineAssistance")
        cards.addWidget(card, 0, Qt.AlignmentFlag.AlignBottom)
        card, self.insurance_label = self._figure_card("Insurance pays", "headlineInsurance")
        cards.addWidget(card, 0, Qt.AlignmentFlag.AlignBottom)
        cards.addStretch(1)
        v.addLayout(cards)
        self.course_label = QLabel("")
        self.course_label.setObjectName("courseLabel")
        self.course_label.setWordWrap(True)
        self.course_label.setStyleSheet(MUTED_STYLE)
        v.addWidget(self.course_label)
        self.readiness_box = QFrame()
        self.readiness_box.setObjectName("readinessBox")
        self.readiness_box.setStyleSheet(READY_STYLE)
        self.readiness_rows = QVBoxLayout(self.readiness_box)
        self.readiness_rows.setContentsMargins(6, 3, 6, 3)
        self.readiness_rows.setSpacing(2)
        # at most about three warnings tall: more scroll, so the screen still fits 1366x728
        self.readiness_scroll = QScrollArea()
        self.readiness_scroll.setObjectName("readinessScroll")
        self.readiness_scroll.setWidgetResizable(True)
        self.readiness_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.readiness_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.readiness_scroll.setWidget(self.readiness_box)
        self.readiness_scroll.setMaximumHeight(READY_MAX_HEIGHT)
        self.readiness_scroll.hide()
        v.addWidget(self.readiness_scroll)

        save = QHBoxLayout()
        self.title_edit = QLineEdit()
        self.title_edit.setObjectName("quoteTitle")
        self.title_edit.setPlaceholderText("Title (optional), e.g. Open enrollment — plan B")
        self.title_edit.setMaxLength(200)
        save.addWidget(self.title_edit, 1)
        self.save_button = QPushButton("Save quote")
        self.save_button.setObjectName("saveQuoteButton")
        self.save_button.setToolTip("Keep these inputs and figures as a numbered snapshot")
        save.addWidget(self.save_button)
        v.addLayout(save)
        self.status_label = QLabel("")
        self.status_label.setObjectName("quoteStatus")
        self.status_label.setWordWrap(True)
        v.addWidget(self.status_label)

        v.addWidget(self._section_label("Visits"))
        self.visits_table = _table(VISIT_HEADERS, "visitsTable")
        self.visits_table.setMinimumHeight(76)  # room for the readiness warnings
        v.addWidget(self.visits_table, 3)
        v.addWidget(self._section_label("Per plan year and in all"))
        self.years_table = _table(YEAR_HEADERS, "yearsTable")
        self.years_table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.years_table.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        v.addWidget(self.years_table)
        self.warnings_label = QLabel("")
        self.warnings_label.setObjectName("quoteWarnings")
        self.warnings_label.setWordWrap(True)
        self.warnings_label.setStyleSheet(WARN_STYLE)
        self.warnings_label.hide()
        v.addWidget(self.warnings_label)
        self.explain_title = self._section_label("How the visit adds up")
        self.explain_title.setObjectName("explanationTitle")
        v.addWidget(self.explain_title)
        self.explanation = QPlainTextEdit()
        self.explanation.setObjectName("explanation")
        self.explanation.setReadOnly(True)
        self.explanation.setTabChangesFocus(True)
        self.explanation.setMinimumHeight(64)
        v.addWidget(self.explanation, 2)
        self.figure_widgets += [
            self.course_label,
            self.visits_table,
            self.years_table,
            self.warnings_label,
            self.explanation,
        ]
        for table in (self.visits_table, self.years_table):
            table.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        # the figures scroll when warnings and notes are many: the screen never grows past
        # the window (a 1366x728 desk), the notes never overlap the tables
        scroll = QScrollArea()
        scroll.setObjectName("resultsScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(host)
        self.results_scroll = scroll
        return scroll

    @staticmethod
    def _section_label(text: str) -> QLabel:
        label = QLabel(text)
        label.setStyleSheet("font-weight: 600; padding-top: 4px;")
        return label

    def _build_results_list(self) -> None:
        """The search's matches, dropped down under the search box (a child, not a popup)."""
        self.matches = QListWidget(self)
        self.matches.setObjectName("patientMatches")
        self.matches.setFrameShape(QFrame.Shape.Box)
        self.matches.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.matches.hide()

    def _connect(self) -> None:
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(SEARCH_DELAY_MS)
        self.timer.timeout.connect(self._search)
        self.search_box.textChanged.connect(lambda _t: self.timer.start())
        self.search_box.returnPressed.connect(self._pick_from_search)
        self.search_box.installEventFilter(self)
        self.matches.installEventFilter(self)
        self.matches.itemClicked.connect(self._pick_item)
        self.order_combo.currentIndexChanged.connect(lambda _i: self._prepare(order_changed=True))
        self.site_combo.currentIndexChanged.connect(lambda _i: self._prepare())
        self.primary_combo.currentIndexChanged.connect(lambda _i: self._prepare())
        self.secondary_combo.currentIndexChanged.connect(lambda _i: self._prepare())
        self.from_edit.editingFinished.connect(self._from_date_changed)
        self.program_list.itemChanged.connect(lambda _item: self._prepare())
        self.lines_table.itemChanged.connect(self._line_edited)
        for name, edit in self.terms.widgets.items():
            assert isinstance(edit, QLineEdit), name
            edit.editingFinished.connect(self._recalc)
        self.calc_button.clicked.connect(lambda: self._recalc(focus_error=True))
        self.reset_button.clicked.connect(self.reset_whatif)
        self.visits_table.itemSelectionChanged.connect(self._show_explanation)
        self.save_button.clicked.connect(self.save)
        self.title_edit.returnPressed.connect(self.save)
        self.saved_table.doubleClicked.connect(lambda _i: self.open_selected())
        self.open_button.clicked.connect(self.open_selected)
        self.new_version_button.clicked.connect(self.new_version)
        self.back_button.clicked.connect(self.back_to_current)
        self.compare_button.clicked.connect(self.open_compare)
        self.letter_button.clicked.connect(self.open_cost_letter)

    def _tab_order(self) -> None:
        chain: list[QWidget] = [
            self.search_box,
            self.order_combo,
            self.site_combo,
            self.from_edit,
            self.primary_combo,
            self.secondary_combo,
            self.program_list,
            self.compare_button,
            self.letter_button,
            self.lines_table,
        ]
        chain += [
            self.terms.widgets[f"{role}.{name}"] for role in ROLES for name, _l, _k in TERM_FIELDS
        ]
        chain += [
            self.reset_button,
            self.calc_button,
            self.title_edit,
            self.save_button,
            self.visits_table,
            self.years_table,
            self.explanation,
            self.saved_table,
            self.open_button,
        ]
        for a, b in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(a, b)

    # -- patient search ----------------------------------------------------------------
    def focus_search(self) -> None:
        self.search_box.setFocus()
        self.search_box.selectAll()

    def _search(self) -> None:
        self.timer.stop()
        text = self.search_box.text().strip()
        self.matches.clear()
        if not text:
            self.matches.hide()
            return
        rows = (
            attempt(
                self,
                lambda: self.backend.query(ps.search, text, limit=SEARCH_LIMIT, today=self.today()),
            )
            or []
        )
        for r in rows:
            item = QListWidgetItem(self._row_text(r))
            item.setData(Qt.ItemDataRole.UserRole, r.id)
            self.matches.addItem(item)
        if not rows:
            item = QListWidgetItem(f"No patient matches “{text}”.")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.matches.addItem(item)
        else:
            self.matches.setCurrentRow(0)
        self._place_matches()

    @staticmethod
    def _row_text(r: ps.PatientRow) -> str:
        return f"{r.shown_name} · {r.mrn} · born {r.birth_date:%m/%d/%Y}"

    def _place_matches(self) -> None:
        at = self.search_box.mapTo(self, QPoint(0, self.search_box.height()))
        rows = max(1, self.matches.count())
        height = self.matches.sizeHintForRow(0) * rows + 2 * self.matches.frameWidth() + 2
        self.matches.setGeometry(at.x(), at.y(), max(self.search_box.width(), 460), height)
        self.matches.show()
        self.matches.raise_()

    def _pick_from_search(self) -> None:
        if self.timer.isActive() or not self.matches.isVisible():
            self._search()
        item = self.matches.currentItem() or self.matches.item(0)
        if item is not None:
            self._pick_item(item)

    def _pick_item(self, item: QListWidgetItem) -> None:
        patient_id = item.data(Qt.ItemDataRole.UserRole)
        if patient_id is None:
            return
        self.matches.hide()
        self.search_box.blockSignals(True)
        self.search_box.clear()
        self.search_box.blockSignals(False)
        self.show_patient(int(patient_id))
        self.order_combo.setFocus()

    def _hide_matches_unless_focused(self) -> None:
        """The matches go away when the focus moves on from the search (not into the list)."""
        if self.focusWidget() not in (self.search_box, self.matches):
            self.matches.hide()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusOut and obj in (self.search_box, self.matches):
            QTimer.singleShot(0, self._hide_matches_unless_focused)
        if event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            if (
                obj is self.search_box
                and key in (Qt.Key.Key_Down, Qt.Key.Key_PageDown)
                and self.matches.isVisible()
                and self.matches.count()
            ):
                self.matches.setFocus()
                if self.matches.currentRow() < 0:
                    self.matches.setCurrentRow(0)
                return True
            if obj is self.search_box and key == Qt.Key.Key_Escape and self.matches.isVisible():
                self.matches.hide()
                return True
            if obj is self.matches and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                item = self.matches.currentItem()
                if item is not None:
                    self._pick_item(item)
                return True
            if obj is self.matches and key == Qt.Key.Key_Escape:
                self.matches.hide()
                self.search_box.setFocus()
                return True
            if obj is self.matches and key == Qt.Key.Key_Up and self.matches.currentRow() <= 0:
                self.search_box.setFocus()
                return True
        return super().eventFilter(obj, event)

    def event(self, event: QEvent) -> bool:
        # Ctrl+F belongs to this screen while it has the focus (the window's own Find
        # shortcut would take the user to the Patients screen instead).
        if event.type() == QEvent.Type.ShortcutOverride:
            assert isinstance(event, QKeyEvent)
            if event.matches(QKeySequence.StandardKey.Find):
                event.accept()
                return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Find):
            self.focus_search()
            return
        super().keyPressEvent(event)

    # -- the patient -------------------------------------------------------------------
    def show_patient(self, patient_id: int) -> None:
        """Quote this patient: their first active order, current coverages and programs."""
        rec = attempt(self, lambda: self.backend.query(ps.get_patient, patient_id))
        if rec is None:
            return
        d = rec.data
        name = dp.patient_shown_name(d)
        born = f" · born {d.birth_date:%m/%d/%Y}" if d.birth_date else ""
        self.patient_id = patient_id
        self.patient_name = name
        self.timer.stop()
        self.matches.hide()
        self.search_box.blockSignals(True)
        self.search_box.clear()
        self.search_box.blockSignals(False)
        self.patient_label.setText(f"{name} · MRN {d.mrn}{born}")
        self.letter_button.setEnabled(True)
        self.viewing = None
        self._live = None
        self.banner.hide()
        self.title_edit.clear()
        self.status("")
        self.pick.set("from_date", self.today())
        if not self._load_lists():
            return
        self._prepare(auto=True)

    def _load_lists(self) -> bool:
        """Orders, coverages, programs and saved quotes of the patient into the pickers."""
        pid = self.patient_id
        assert pid is not None
        try:
            self.orders = self.backend.query(ors.list_orders, pid, include_ended=False)
            self.coverages = quotable(self.backend.query(cvs.list_coverages, pid), self.today())
            self.programs = self.backend.query(asv.list_programs, pid)
        except Exception as exc:
            report(self, exc)
            return False
        self.order_combo.blockSignals(True)
        self.order_combo.clear()
        for o in self.orders:
            self.order_combo.addItem(o.label, o.id)
        self.order_combo.blockSignals(False)
        fill_coverage_combo(self.primary_combo, self.coverages, SELF_PAY, self.today())
        fill_coverage_combo(self.secondary_combo, self.coverages, NO_SECONDARY, self.today())
        self.program_list.blockSignals(True)
        self.program_list.clear()
        for p in self.programs:
            item = QListWidgetItem(p.label)
            item.setToolTip(p.label + (f"\n{p.data.notes}" if p.data.notes else ""))
            item.setData(Qt.ItemDataRole.UserRole, p.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            self.program_list.addItem(item)
        if not self.programs:
            item = QListWidgetItem("None on file")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.program_list.addItem(item)
        self.program_list.blockSignals(False)
        self._refresh_saved()
        if not self.orders:
            self._show_empty(
                "This patient has no active therapy order to quote. Add one on the "
                "patient's Therapy orders tab, then come back."
            )
            return False
        self._set_enabled_inputs(True)
        return True

    def _show_empty(self, message: str) -> None:
        self.base = self.setup = None
        self.result = None
        self.empty.setText(message)
        self.body.setCurrentWidget(self.empty)
        self._set_enabled_inputs(False)
        self.search_box.setEnabled(True)

    def _set_enabled_inputs(self, enabled: bool) -> None:
        for w in (
            self.order_combo,
            self.site_combo,
            self.from_edit,
            self.primary_combo,
            self.program_list,
            self.compare_button,
            self.whatif_box,
            self.title_edit,
            self.save_button,
        ):
            w.setEnabled(enabled)
        self.secondary_combo.setEnabled(enabled and self.primary_combo.currentData() is not None)

    def _checked_programs(self) -> tuple[int, ...]:
        ids: list[int] = []
        for i in range(self.program_list.count()):
            item = self.program_list.item(i)
            pid = item.data(Qt.ItemDataRole.UserRole)
            if pid is not None and item.checkState() == Qt.CheckState.Checked:
                ids.append(int(pid))
        return tuple(ids)

    def _from_date(self) -> tuple[date | None, str | None]:
        text = self.from_edit.text().strip()
        if not text:
            return self.today(), None
        day = parse_date(text, self.today())
        if day is None:
            return None, "This is not a date: type it as MM/DD/YYYY."
        return day, None

    def _from_date_changed(self) -> None:
        day, error = self._from_date()
        self.pick.boxes["from_date"].set_error(error)
        if error is None and day is not None and self.from_edit.text().strip():
            self.from_edit.setText(f"{day:%m/%d/%Y}")
        if error is None:
            self._prepare()

    # -- preparing and computing -------------------------------------------------------
    def _prepare(self, *, auto: bool = False, order_changed: bool = False) -> None:
        """Build the quote's inputs again from the pickers (the what-if edits start over)."""
        if self.patient_id is None or self.viewing is not None or not self.orders:
            return
        from_date, error = self._from_date()
        for name in ("order", "site", "primary", "secondary", "from_date"):
            self.pick.boxes[name].set_error(None)
        if error is not None:
            self.pick.boxes["from_date"].set_error(error)
            return
        primary = qs.AUTO if auto else self.primary_combo.currentData()
        secondary = (
            qs.AUTO
            if auto
            else (self.secondary_combo.currentData() if primary is not None else None)
        )
        if not auto and primary is not None and primary == secondary:
            self.pick.boxes["secondary"].set_error(
                "The secondary must be another plan than the primary."
            )
            self._invalid("Choose another secondary coverage (or None).")
            return
        site = None if auto or order_changed else self.site_combo.currentData()
        try:
            setup = self.backend.query(
                qs.prepare,
                self.patient_id,
                today=self.today(),
                order_id=self.order_combo.currentData(),
                primary_id=primary,
                secondary_id=secondary,
                site=site,
                from_date=from_date,
                program_ids=self._checked_programs(),
            )
        except UserError as exc:
            self._invalid(exc.message)
            return
        except Exception as exc:
            report(self, exc)
            return
        self._sync_pickers(setup)
        self.body.setCurrentWidget(self.main)
        self._from_quote = None
        self._from_quote_id = None
        self._load_setup(setup)

    def _sync_pickers(self, setup: qs.QuoteSetup, *, saved: bool = False) -> None:
        for combo, value, label in (
            (self.order_combo, setup.order_id, "order"),
            (self.primary_combo, setup.primary_id, "primary"),
            (self.secondary_combo, setup.secondary_id, "secondary"),
        ):
            if not select_data(combo, value) and saved:
                self._add_gone(combo, value, ctl.plan_name(setup.labels, label))
        select_data(self.site_combo, setup.site)
        for combo in (self.order_combo, self.primary_combo, self.secondary_combo, self.site_combo):
            combo.setToolTip(combo.currentText())  # the whole text when the combo is narrow
        self.secondary_combo.setEnabled(
            self.primary_combo.currentData() is not None and self.viewing is None
        )
        self.program_list.blockSignals(True)
        for i in range(self.program_list.count()):
            item = self.program_list.item(i)
            pid = item.data(Qt.ItemDataRole.UserRole)
            if pid is not None:
                item.setCheckState(
                    Qt.CheckState.Checked if pid in setup.program_ids else Qt.CheckState.Unchecked
                )
        self.program_list.blockSignals(False)

    @staticmethod
    def _add_gone(combo: QComboBox, value: int | None, label: str) -> None:
        """A saved quote's order or coverage that is no longer current: shown, marked so."""
        if value is None:
            return
        combo.blockSignals(True)
        combo.addItem(f"{label} (no longer current)", value)
        combo.setCurrentIndex(combo.count() - 1)
        combo.blockSignals(False)

    def _load_setup(
        self, base: qs.QuoteSetup, shown: qs.QuoteSetup | None = None, *, compute: bool = True
    ) -> None:
        """Make ``base`` the terms on file; show ``shown`` (or base) in the what-if panel."""
        self.base = base
        self.setup = None
        self._clear_result()
        self._fill_inputs(shown or base)
        if compute:
            self._recalc()

    def _fill_inputs(self, setup: qs.QuoteSetup) -> None:
        self._filling = True
        t = self.lines_table
        self_pay = setup.primary is None
        _header(t, LineCol.PRICE).setText("Self-pay\nper unit" if self_pay else "Allowed\nper unit")
        _header(t, LineCol.ALLOWED).setText("Self-pay\nprice" if self_pay else "Allowed")
        t.setColumnHidden(LineCol.COINSURANCE, self_pay)  # a line's own rate needs a plan
        t.setRowCount(len(setup.lines))
        self._line_texts = []
        self._shown_lines = setup.lines
        for r, ln in enumerate(setup.lines):
            as_typed = ctl.LineTexts.of(ln)
            texts = (as_typed.units, as_typed.price, as_typed.charge, as_typed.coinsurance)
            self._line_texts.append(as_typed)
            note = ctl.line_note(setup, r)
            t.setItem(r, LineCol.CODE, _item(ln.code))
            for col, text in zip(
                (LineCol.UNITS, LineCol.PRICE, LineCol.CHARGE, LineCol.COINSURANCE),
                texts,
                strict=True,
            ):
                t.setItem(r, col, _item(text, right=True, editable=True))
            t.setItem(r, LineCol.ALLOWED, _item(money(ln.allowed), right=True))
            for col in LineCol:
                cell = _cell(t, r, col)
                cell.setToolTip(note)
                if ln.unit_price == 0 and col == LineCol.PRICE:
                    cell.setBackground(CELL_MISSING)
                    cell.setToolTip(note or ctl.NO_PRICE)
        t.horizontalHeader().setStretchLastSection(False)  # measure the contents, not the stretch
        t.resizeColumnsToContents()
        need = sum(t.columnWidth(c) for c in range(t.columnCount()) if not t.isColumnHidden(c))
        t.horizontalHeader().setStretchLastSection(True)
        t.setMinimumWidth(need + 2 * t.frameWidth() + t.verticalScrollBar().sizeHint().width())
        shown = min(max(t.rowCount(), 1), MAX_LINE_ROWS)
        t.setFixedHeight(
            shown * ROW_HEIGHT + t.horizontalHeader().sizeHint().height() + 2 * t.frameWidth() + 2
        )
        self._show_price_notes(setup)
        self._mark_cells({})
        self.terms_host.setVisible(not self_pay)
        self.self_pay_note.setVisible(self_pay)
        host = self.left_host
        self.left_scroll.setMinimumWidth(
            max(
                440,
                host.minimumSizeHint().width()
                + self.left_scroll.verticalScrollBar().sizeHint().width()
                + 4,
            )
        )
        for role in ROLES:
            self._fill_terms(role, getattr(setup, role), setup)
        self._filling = False

    def _show_price_notes(self, setup: qs.QuoteSetup) -> None:
        found, missing = ctl.price_notes(setup.price_notes)
        text = html.escape(found)
        if missing:
            red = html.escape(missing)
            text += ("<br>" if text else "") + f"<span style='color:#b00020'>{red}</span>"
        self.price_notes.setTextFormat(Qt.TextFormat.RichText)
        self.price_notes.setText(text)
        self.price_notes.setVisible(bool(text))

    def _fill_terms(self, role: str, cov: cs.Coverage | None, setup: qs.QuoteSetup) -> None:
        head, note = self.term_heads[role], self.term_notes[role]
        label = setup.labels.get(role, "")
        head.setText(label if cov is not None and label and label != "—" else role.capitalize())
        for name, _label, kind in TERM_FIELDS:
            key = f"{role}.{name}"
            edit = self.terms.widgets[key]
            assert isinstance(edit, QLineEdit)
            self.terms.boxes[key].set_error(None)
            shown = ctl.term_field(cov, name, kind)
            edit.setEnabled(shown.enabled)
            edit.setText(shown.text)
            edit.setPlaceholderText(shown.placeholder)
        note.setToolTip("")
        note.setText(self._terms_note(role, cov, setup))

    def _terms_note(self, role: str, cov: cs.Coverage | None, setup: qs.QuoteSetup) -> str:
        if cov is None:
            if role == "primary":
                return "Self-pay: no plan terms; the self-pay prices apply."
            return "No secondary coverage."
        kind = cov.plan_type.replace("_", " ")
        if cov.plan_type == "medigap":
            letter = dc.MEDIGAP_LABELS.get(cov.medigap_plan or "", cov.medigap_plan or "?")
            return f"Medigap {letter}: its letter sets the benefit (nothing to edit)."
        bits = [
            kind.capitalize() if cov.plan_type != "medicare_part_b" else "Original Medicare",
            "in network" if cov.network == "in" else "out of network",
        ]
        if cov.plan_year_start != cs.MonthDay():
            bits.append(
                f"plan year from {cov.plan_year_start.month:02d}/{cov.plan_year_start.day:02d}"
            )
        if cov.family is not None:
            bits.append("family limits apply")
        if self.viewing is not None:
            bits.append(f"as saved in quote {self.viewing.summary.number}")
        elif self._from_quote is not None:
            bits.append(f"from saved quote {self._from_quote}")
        else:
            cov_id = setup.primary_id if role == "primary" else setup.secondary_id
            rec = next((c for c in self.coverages if c.id == cov_id), None)
            if rec is not None and rec.terms is not None:
                bits.append(f"terms of {rec.terms.as_of:%m/%d/%Y}")
                self.term_notes[role].setToolTip(
                    f"Benefit terms recorded {rec.terms.as_of:%m/%d/%Y} by "
                    f"{rec.terms.recorded_by} (from: {rec.terms.source})"
                )
            elif rec is not None:
                bits.append("no terms on file: enter them")
        return " · ".join(bits)

    def _line_edited(self, item: QTableWidgetItem) -> None:
        if self._filling or self.viewing is not None:
            return
        self._recalc()

    def _read_whatif(
        self,
    ) -> tuple[qs.QuoteSetup | None, dict[str, str], dict[tuple[int, int], str]]:
        """The inputs as typed: (setup, field errors, line-cell errors)."""
        base = self.base
        assert base is not None
        cells: dict[tuple[int, int], str] = {}
        lines: list[cs.ServiceLine] = []
        t = self.lines_table
        missing = ctl.missing_prices(base)
        cols = {
            "units": LineCol.UNITS,
            "price": LineCol.PRICE,
            "charge": LineCol.CHARGE,
            "coinsurance": LineCol.COINSURANCE,
        }
        for r, ln in enumerate(self._shown_lines):
            typed = ctl.LineTexts(*(_cell(t, r, c).text() for c in cols.values()))
            line, problems = ctl.read_line(ln, self._line_texts[r], typed, missing=r in missing)
            cells.update({(r, cols[name]): text for name, text in problems.items()})
            if line is not None:
                lines.append(line)
        errors: dict[str, str] = {}
        covers: dict[str, cs.Coverage | None] = {}
        for role in ROLES:
            typed_terms = {
                name: self.terms.value(f"{role}.{name}")
                for name, _label, _kind in TERM_FIELDS
                if self.terms.widgets[f"{role}.{name}"].isEnabled()
            }
            covers[role], problems = ctl.read_terms(role, getattr(base, role), typed_terms)
            errors.update(problems)
        if errors or cells:
            return None, errors, cells
        setup = qs.with_changes(
            base, lines=tuple(lines), primary=covers["primary"], secondary=covers["secondary"]
        )
        return setup, errors, cells

    def _mark_cells(self, cells: dict[tuple[int, int], str]) -> None:
        t = self.lines_table
        was = self._filling
        self._filling = True
        messages = []
        for r in range(t.rowCount()):
            for c in (LineCol.UNITS, LineCol.PRICE, LineCol.CHARGE, LineCol.COINSURANCE):
                item = t.item(r, c)
                if item is None:
                    continue
                error = cells.get((r, c))
                missing = (
                    c == LineCol.PRICE
                    and self.base is not None
                    and r < len(self.base.lines)
                    and self.base.lines[r].unit_price == 0
                    and item.text().strip() in ("", "0.00", "0")
                )
                if error:
                    item.setBackground(CELL_ERROR)
                    item.setForeground(QColor("#b00020"))
                    item.setToolTip(error)
                    code = _cell(t, r, LineCol.CODE).text()
                    messages.append(f"{code}, {LINE_WHAT[LineCol(c)]}: {error}")
                else:
                    item.setBackground(CELL_MISSING if missing else QColor(0, 0, 0, 0))
                    item.setForeground(self.palette().text().color())
        self._filling = was
        self.line_errors.setText("\n".join(messages))
        self.line_errors.setVisible(bool(messages))

    def _show_field_errors(self, errors: dict[str, str], focus: bool) -> None:
        for name, box in self.terms.boxes.items():
            box.set_error(errors.get(name))
        if focus:
            first = next((n for n in self.terms.widgets if n in errors), None)
            if first is not None:
                self.terms.widgets[first].setFocus()

    def _recalc(self, focus_error: bool = False) -> None:
        """Read the what-if panel, compute, show; errors go to their field."""
        if self.viewing is not None or self.base is None:
            return
        setup, errors, cells = self._read_whatif()
        self._show_field_errors(errors, focus_error)
        self._mark_cells(cells)
        if setup is None:
            self._invalid(
                "Fix the marked fields: the figures shown are for the last inputs that worked."
            )
            if focus_error and cells and not errors:
                r, c = next(iter(cells))
                self.lines_table.setCurrentCell(r, c)
                self.lines_table.setFocus()
            return
        for name in ("primary", "secondary", "from_date"):
            self.pick.boxes[name].set_error(None)
        try:
            quote = qs.compute(setup)
        except ValidationFailed as exc:
            self._engine_error(exc.errors, focus_error)
            return
        except UserError as exc:
            self._invalid(exc.message)
            return
        self.setup = setup
        self._filling = True
        for r, ln in enumerate(setup.lines):
            _cell(self.lines_table, r, LineCol.ALLOWED).setText(money(ln.allowed))
        self._filling = False
        self.result = qs.figures(quote)
        self._show_result(self.result, self_pay=setup.primary is None)
        self._show_readiness(setup)
        self._stale(False)
        self.save_button.setEnabled(True)
        self.title_edit.setEnabled(True)
        edited = setup != self.base
        self.whatif_state.setText(
            "<b style='color:#8a5300'>What-if: changed from the terms on file.</b>"
            if edited
            else "Using the prices and terms on file."
        )
        self.reset_button.setEnabled(edited)
        if self._status_error:  # the problem is gone (a "saved as…" line stays)
            self.status("")

    def _engine_error(self, errors: dict[str, str], focus: bool) -> None:
        placed = ctl.place_errors(errors)
        for name, text in placed.terms.items():
            self.terms.boxes[name].set_error(text)
        for name, text in placed.pick.items():
            self.pick.boxes[name].set_error(text)
        first = next(iter(placed.terms), None)
        if focus and first is not None:
            self.terms.widgets[first].setFocus()
        self._invalid(placed.status)

    def _invalid(self, message: str) -> None:
        """The inputs cannot be computed: say why; nothing can be saved until fixed."""
        self.save_button.setEnabled(False)
        self.whatif_state.setText("")
        self._stale(True)
        self.status(message, error=True)

    def _stale(self, stale: bool) -> None:
        """Grey the figures out while they belong to inputs that are no longer on screen."""
        for w in self.figure_widgets:
            w.setEnabled(not stale)

    def reset_whatif(self) -> None:
        """Back to the prices and terms on file (the what-if edits are dropped)."""
        if self.base is None or self.viewing is not None:
            return
        self._load_setup(self.base)

    def status(self, message: str, *, error: bool = False) -> None:
        """A line under the save row: what went wrong (red) or what was done (green)."""
        self._status_error = error
        self.status_label.setText(message)
        self.status_label.setStyleSheet(ERROR_STYLE if error else "color: #1b6e20;")
        self.status_label.setVisible(bool(message))
        if message:
            self.status_changed.emit(message)

    # -- showing a result --------------------------------------------------------------
    def _show_result(self, result: qs.QuoteFigures, *, self_pay: bool = False) -> None:
        visits, totals, years = result.visits, result.totals, result.plan_years
        show_bb = any(v.figures.balance_bill for v in visits)
        price = "Self-pay\nprice" if self_pay else "Allowed"
        _header(self.visits_table, VisitCol.ALLOWED).setText(price)
        _header(self.years_table, 2).setText(price)
        t = self.visits_table
        t.setRowCount(0)
        for r, v in enumerate(visits):
            t.insertRow(r)
            cells = [_item(f"{v.on:%m/%d/%Y}"), _item(v.plan_year)]
            for name in VISIT_FIGURES:
                cells.append(
                    _item(figure(v.figures, name), right=True, bold=name == "patient_owes")
                )
            for c, cell in enumerate(cells):
                cell.setData(Qt.ItemDataRole.UserRole, r)
                t.setItem(r, c, cell)
        t.setColumnHidden(VisitCol.BALANCE_BILL, not show_bb)
        self._fit(t, no_scrolling=True)
        y = self.years_table
        y.setRowCount(0)
        rows = [(yr.plan_year, yr.figures) for yr in years] + [("Course total", totals)]
        for r, (label, figs) in enumerate(rows):
            y.insertRow(r)
            total = r == len(rows) - 1
            y.setItem(r, 0, _item(label, bold=total))
            y.setItem(r, 1, _item(str(figs.visits), right=True, bold=total))
            for c, name in enumerate(VISIT_FIGURES, start=2):
                y.setItem(
                    r,
                    c,
                    _item(figure(figs, name), right=True, bold=total or name == "patient_owes"),
                )
        y.setColumnHidden(len(YEAR_HEADERS) - 1, not show_bb)
        self._fit(y, no_scrolling=True)
        y.setFixedHeight(
            y.horizontalHeader().height() + sum(y.rowHeight(r) for r in range(y.rowCount())) + 4
        )
        self.owes_label.setText(money(totals.patient_owes))
        self.before_label.setText(money(totals.patient_owes_before_assistance))
        self.assist_label.setText(money(totals.assistance_paid))
        self.insurance_label.setText(money(totals.insurance))
        self.course_label.setText(self._course_text(visits, years, totals))
        warnings = result.warnings
        self.warnings_label.setText("\n".join(f"• {qs.warning_text(w)}" for w in warnings))
        self.warnings_label.setVisible(bool(warnings))
        self._visits = visits
        if visits:
            t.selectRow(0)
        self._show_explanation()

    # -- readiness: what could change the figures ----------------------------------------
    def _show_readiness(self, setup: qs.QuoteSetup) -> None:
        """One warning per finding, each with the button that fixes it."""
        while self.readiness_rows.count():
            item = self.readiness_rows.takeAt(0)
            w = item.widget() if item is not None else None
            if w is not None:
                w.deleteLater()
        try:
            ready = self.backend.query(rsv.gather, setup, today=self.today())
        except Exception as exc:  # the figures stand; the warnings could not be gathered
            report(self, exc)
            ready = rsv.Readiness(())
        self.readiness = ready
        for f in ready.findings:
            row = self._finding_row(f, ready)
            self.readiness_rows.addWidget(row)
            row.show()  # now, not on the next turn: the height measured below counts it
        self.readiness_scroll.setVisible(bool(ready.findings))
        self.readiness_box.adjustSize()
        self.readiness_scroll.setFixedHeight(
            min(READY_MAX_HEIGHT, self.readiness_box.sizeHint().height() + 2)
        )

    def _finding_row(self, f: rd.Finding, ready: rsv.Readiness) -> QWidget:
        row = QWidget()
        row.setObjectName(f"finding_{f.kind.value}")
        lay = QHBoxLayout(row)
        lay.setContentsMargins(0, 0, 0, 0)
        days = ", ".join(f"{d:%m/%d/%Y}" for d in f.visits[:3])
        more = f" and {len(f.visits) - 3} more" if len(f.visits) > 3 else ""
        label = QLabel(
            f"⚠ {html.escape(f.text)} <span style='color:#555'>(visits {days}{more})</span>"
        )
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setWordWrap(True)
        label.setStyleSheet("color: #8a1c10;")
        lay.addWidget(label, 1)
        if f.fix.kind == "site" and f.fix.site:
            where = ctl.SITE_SHORT.get(f.fix.site, f.fix.site).lower()
            button = QPushButton(f"Quote at the {where} instead")
            button.setObjectName("quoteOtherSiteButton")
            if ready.other_owes is not None and ready.owes is not None:
                button.setToolTip(
                    f"The patient would owe {money(ready.other_owes)} there "
                    f"(instead of {money(ready.owes)})."
                )
            button.setEnabled(self.viewing is None)
            site = f.fix.site
            button.clicked.connect(lambda _c=False, site=site: self.quote_at(site))
        else:
            button = QPushButton(FIX_LABELS[f.fix.kind])
            button.setObjectName(f"fix_{f.fix.kind}")
            tab = FIX_TABS[f.fix.kind]
            button.clicked.connect(lambda _c=False, tab=tab: self._request_fix(tab))
        lay.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
        return row

    def _request_fix(self, tab: str) -> None:
        if self.patient_id is not None:
            self.fix_requested.emit(self.patient_id, tab)

    def quote_at(self, site: str) -> None:
        """Quote the same course at another site of care (the readiness box's offer)."""
        if self.viewing is not None:
            return
        if select_data(self.site_combo, site):
            self._prepare()

    def _clear_result(self) -> None:
        """No figures (new inputs that cannot be computed yet)."""
        self._visits = ()
        for table in (self.visits_table, self.years_table):
            table.setRowCount(0)
        for label in (self.owes_label, self.before_label, self.assist_label, self.insurance_label):
            label.setText("—")
        self.course_label.setText("")
        self.warnings_label.hide()
        self._show_explanation()

    def _course_text(
        self,
        visits: tuple[qs.VisitFigures, ...],
        years: tuple[qs.YearFigures, ...],
        totals: qs.Figures,
    ) -> str:
        if not visits:
            return ""
        n = len(visits)
        first, last = f"{visits[0].on:%m/%d/%Y}", f"{visits[-1].on:%m/%d/%Y}"
        span = first if n == 1 else f"{first} – {last}"
        setup = qs.setup_from_saved(self.viewing) if self.viewing is not None else self.setup
        where = ""
        if setup is not None:
            plan = "Self-pay" if setup.primary is None else ctl.plan_name(setup.labels, "primary")
            second = ctl.plan_name(setup.labels, "secondary")
            plans = plan + (f" + {second}" if second not in ("", "—") else "")
            where = f" · {plans} · {ctl.SITE_SHORT.get(setup.site, setup.site)}"
        many = f" in {len(years)} plan years" if len(years) > 1 else ""
        what = "self-pay price" if setup is not None and setup.primary is None else "allowed"
        allowed = f" · {what} {money(totals.allowed)}"
        return f"{n} visit{'s' if n != 1 else ''}{many}, {span}{allowed}{where}"

    @staticmethod
    def _fit(table: QTableWidget, *, no_scrolling: bool = False) -> None:
        """Columns to their contents, the last one stretched; with ``no_scrolling`` the table
        asks for the width its columns need (figures are never hidden behind a scroll bar)."""
        header = table.horizontalHeader()
        header.setStretchLastSection(False)  # measure the contents, not the stretch
        table.resizeColumnsToContents()
        if no_scrolling:
            need = sum(
                table.columnWidth(c)
                for c in range(table.columnCount())
                if not table.isColumnHidden(c)
            )
            table.setMinimumWidth(
                need + 2 * table.frameWidth() + table.verticalScrollBar().sizeHint().width() + 2
            )
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)

    def _show_explanation(self) -> None:
        visits = self._visits
        row = self.visits_table.currentRow()
        if not visits or row < 0 or row >= len(visits):
            self.explain_title.setText("How the visit adds up")
            self.explanation.setPlainText("")
            return
        v = visits[row]
        self.explain_title.setText(f"How the visit of {v.on:%m/%d/%Y} adds up")
        self.explanation.setPlainText("\n".join(f"• {line}" for line in v.explanation))

    # -- saving and saved quotes -------------------------------------------------------
    def save(self) -> None:
        """Keep the inputs and figures shown as the next numbered quote."""
        if self.viewing is not None or self.base is None:
            return
        self._recalc(focus_error=True)  # the figures saved are those of the inputs as typed
        setup = self.setup
        if setup is None or not self.save_button.isEnabled():
            return
        title = self.title_edit.text()
        rec = attempt(self, lambda: self.backend.mutate(qs.save_quote, setup, title=title))
        if rec is None:
            return
        s = rec.summary
        at = s.created_at.astimezone()
        self.status(f"Saved as quote {s.number} by {s.created_by} at {at:%H:%M}.")
        self.title_edit.clear()
        self._refresh_saved(select=s.id)
        self.quote_saved.emit(s.id)

    def _refresh_saved(self, select: int | None = None) -> None:
        if self.patient_id is None:
            return
        pid = self.patient_id
        self.saved = attempt(self, lambda: self.backend.query(qs.list_quotes, pid)) or []
        orders = {o.id: o.label for o in self.orders}
        t = self.saved_table
        t.setRowCount(0)
        for r, q in enumerate(self.saved):
            t.insertRow(r)
            at = q.created_at.astimezone()
            cells = [
                _item(str(q.number), right=True),
                _item(q.title),
                _item(f"{at:%m/%d/%Y %H:%M}"),
                _item(q.created_by),
                _item(money(q.patient_owes), right=True),
            ]
            for c, cell in enumerate(cells):
                cell.setData(Qt.ItemDataRole.UserRole, q.id)
                cell.setToolTip(orders.get(q.order_id or -1, "Therapy order no longer active"))
                t.setItem(r, c, cell)
            if q.id == select:
                t.selectRow(r)
        self._fit(t)
        self.saved_empty.setVisible(not self.saved)
        self.open_button.setEnabled(bool(self.saved))

    def open_selected(self) -> None:
        row = self.saved_table.currentRow()
        item = self.saved_table.item(row, 0) if row >= 0 else None
        if item is None:
            self.status("Choose a saved quote in the list first.", error=True)
            return
        self.open_saved(int(item.data(Qt.ItemDataRole.UserRole)))

    def open_saved(self, quote_id: int) -> None:
        """Show a saved quote as it was saved, read-only."""
        rec = attempt(self, lambda: self.backend.query(qs.get_quote, quote_id))
        if rec is None:
            return
        if self.viewing is None and self.base is not None:
            self._live = (self.base, self.setup, self.from_edit.text())
        self.viewing = rec
        setup = qs.setup_from_saved(rec)
        self._sync_pickers(setup, saved=True)
        if setup.dates:
            self.pick.set("from_date", setup.dates[0])
        self.pick.boxes["from_date"].set_error(None)
        self.body.setCurrentWidget(self.main)
        self._load_setup(setup, compute=False)
        self._show_field_errors({}, False)
        self._show_result(rec.figures, self_pay=setup.primary is None)
        self._show_readiness(setup)
        s = rec.summary
        at = s.created_at.astimezone()
        self.banner_label.setText(
            f"<b>Saved quote {s.number} — not editable</b> · “{s.title}” · saved "
            f"{at:%m/%d/%Y %H:%M} by {s.created_by}. Its figures are as they were then; "
            "“New version from this” starts an editable copy."
        )
        self.banner.show()
        self._set_enabled_inputs(False)
        self.search_box.setEnabled(True)
        self.whatif_state.setText("")
        self.status("")

    def new_version(self) -> None:
        """An editable copy of the saved quote shown; saving it makes the next number."""
        rec = self.viewing
        if rec is None:
            return
        self.viewing = None
        self._live = None
        self.banner.hide()
        self._set_enabled_inputs(True)
        self.secondary_combo.setEnabled(self.primary_combo.currentData() is not None)
        self._from_quote = rec.summary.number
        self._from_quote_id = rec.summary.id
        self._load_setup(qs.setup_from_saved(rec))
        self.title_edit.setText(rec.summary.title)
        nxt = (
            max(
                (q.number for q in self.saved if q.order_id == rec.summary.order_id),
                default=rec.summary.number,
            )
            + 1
        )
        self.status(
            f"New version of quote {rec.summary.number}: change what you need, then "
            f"Save quote (it becomes quote {nxt})."
        )

    def back_to_current(self) -> None:
        """Leave the saved quote for the quote that was on screen before it."""
        if self.viewing is None:
            return
        self.viewing = None
        self.banner.hide()
        self._set_enabled_inputs(True)
        live, self._live = self._live, None
        if live is None:
            self._prepare(auto=True)
            return
        base, shown, from_text = live
        self._sync_pickers(base)
        self.from_edit.setText(from_text)
        self._load_setup(base, shown)

    # -- compare -----------------------------------------------------------------------
    def open_compare(self) -> CompareDialog | None:
        """The same order and dates under 2–4 scenarios (coverages, site of care)."""
        if self.patient_id is None or self.base is None:
            return None
        base = self.base
        first = Choice(base.primary_id, base.secondary_id, base.site)
        other_site = "infusion_center" if base.site != "infusion_center" else "hospital_outpatient"
        others = [
            c
            for c in self.coverages
            if c.id not in (base.primary_id, base.secondary_id)
            and c.data.plan_type != dc.PlanType.MEDIGAP
        ]
        second = (
            Choice(others[0].id, None, base.site)
            if others
            else Choice(base.primary_id, base.secondary_id, other_site)
        )
        from_date, error = self._from_date()
        dialog = CompareDialog(
            self.backend,
            self.today,
            self.patient_id,
            base.order_id,
            from_date if error is None else None,
            self._checked_programs(),
            self.coverages,
            [first, second],
            title=f"Compare — {self.patient_name}",
            parent=self,
        )
        self.compare_dialog = dialog
        dialog.open()
        return dialog

    # -- the cost letter ---------------------------------------------------------------
    def _source_without_asking(self) -> letters.Source | None:
        """The quote on screen as the letter's source, when it is one the letter can name
        without saving: a saved quote shown, the quote on file computed now (no what-if, visits
        from today), or figures equal to the latest saved quote's. None: it must be saved."""
        if self.viewing is not None:
            return letters.Source(self.viewing.summary.id)
        if self.setup is None or self.base is None or not self.save_button.isEnabled():
            return letters.NOW  # nothing computed on screen: the service says why if it fails
        from_date, _error = self._from_date()
        if self.setup == self.base and from_date == self.today():
            return letters.Source(setup=self.setup)  # computed now, with the choices shown
        # nothing changed since a saved quote: the latest one, or the one this new version
        # started from (its figures are the ones on screen, so there is nothing to save)
        saved_ids = {q.id for q in self.saved}
        candidates = [self.saved[0].id] if self.saved else []
        if self._from_quote_id in saved_ids and self._from_quote_id not in candidates:
            candidates.append(self._from_quote_id)
        for quote_id in candidates:
            rec = attempt(self, lambda q=quote_id: self.backend.query(qs.get_quote, q))  # type: ignore[misc]
            if rec is not None and qs.setup_from_saved(rec) == self.setup:
                return letters.Source(quote_id)
        return None

    def _shown_is_latest_saved(self) -> bool:
        """True when the letter can print the figures on screen as they are (see above)."""
        return self._source_without_asking() is not None

    def open_cost_letter(self) -> LetterPreview | None:
        """Preview the cost letter of the quote on screen: the figures computed now, or the
        saved quote shown (with its date; an out-of-date one asks first). What-if figures are
        saved first, or dropped, so the letter always prints a quote the user can see."""
        if self.patient_id is None:
            return None
        pid = self.patient_id
        source = self._source_without_asking()
        if source is None:
            box = QMessageBox(
                QMessageBox.Icon.Question,
                "Save this quote first?",
                "The cost letter prints a quote you can see again. The figures on screen are "
                "not saved (a what-if or another first visit): save them as a new quote first, "
                "or go back to the figures on file and print those?",
                QMessageBox.StandardButton.Yes
                | QMessageBox.StandardButton.No
                | QMessageBox.StandardButton.Cancel,
                self,
            )
            box.setObjectName("saveFirstBox")
            box.button(QMessageBox.StandardButton.Yes).setText("Save, then preview")
            box.button(QMessageBox.StandardButton.No).setText("Preview the figures on file")
            box.setDefaultButton(QMessageBox.StandardButton.Yes)
            answer = box.exec()
            if answer == QMessageBox.StandardButton.Cancel:
                return None
            if answer == QMessageBox.StandardButton.Yes:
                before = self.saved[0].id if self.saved else None
                self.save()
                after = self.saved[0].id if self.saved else None
                if after == before or after is None:
                    return None  # not saved: the status line says why
                source = letters.Source(after)
            else:
                self.pick.set("from_date", self.today())
                self._prepare()  # the quote on file, computed now, is what the screen shows
                if self.setup is None:
                    return None  # cannot be computed: the status line says why
                source = letters.Source(setup=self.setup)
        self.letter_preview = show_letter(
            self, self.backend, "cost-letter", pid, today=self.today(), source=source
        )
        return self.letter_preview

    # -- the main window's questions ---------------------------------------------------
    def can_leave(self) -> bool:
        """Nothing here is lost by leaving: the screen keeps its state, quotes are saved."""
        return True

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if (
            self.patient_id is not None
            and self.viewing is None
            and self.base is not None
            and self.setup == self.base
        ):
            # coverages, orders or terms may have changed on other screens meanwhile
            keep = (
                self.order_combo.currentData(),
                self.primary_combo.currentData(),
                self.secondary_combo.currentData(),
                self.site_combo.currentData(),
            )
            known = {p.id for p in self.programs}
            unchecked = known - set(self._checked_programs())
            if self._load_lists():
                select_data(self.order_combo, keep[0])
                select_data(self.primary_combo, keep[1])
                select_data(self.secondary_combo, keep[2])
                select_data(self.site_combo, keep[3])
                self.program_list.blockSignals(True)
                for i in range(self.program_list.count()):
                    item = self.program_list.item(i)
                    if item.data(Qt.ItemDataRole.UserRole) in unchecked:
                        item.setCheckState(Qt.CheckState.Unchecked)
                self.program_list.blockSignals(False)
                self._prepare()


__all__ = ["QuoteScreen"]
