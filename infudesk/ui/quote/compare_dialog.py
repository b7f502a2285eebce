"""Compare a course of treatment under 2–4 scenarios (coverages, site of care) side by side."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from infudesk.domain import costshare as cs
from infudesk.domain import coverage as dc
from infudesk.domain.money import format_money
from infudesk.domain.orders import SITE_LABELS
from infudesk.errors import UserError
from infudesk.services import coverages as cvs
from infudesk.services import quotes as qs
from infudesk.ui.common.ops import Backend, Latest, friendly_message, run_query
from infudesk.ui.common.screen import fit_to_screen

SELF_PAY = "None (self-pay)"
NO_SECONDARY = "None"
CHEAPEST_STYLE = "background: #dff3e0; color: #14532d; font-weight: 600; padding: 2px 6px;"
LETTERS = "ABCD"
MAX_SCENARIOS = 4
MIN_SCENARIOS = 2
FIGURES: tuple[tuple[str, str], ...] = (
    ("visits", "Visits"),
    ("allowed", "Allowed"),
    ("insurance", "Insurance pays"),
    ("assistance_paid", "Assistance"),
    ("balance_bill", "Balance bill"),
    ("patient_owes_before_assistance", "Before assistance"),
    ("patient_owes", "Patient owes"),
)


# --- helpers shared with the quote screen ----------------------------------------------------


def money(value: Decimal | None) -> str:
    """'$1,234.50' (empty for no amount)."""
    return "" if value is None else format_money(value)


def figure(figures: qs.Figures, name: str) -> str:
    """One figure of a visit, a plan year or the course, formatted for a cell."""
    if name == "visits":
        return str(figures.visits)
    value: Decimal = getattr(figures, name)
    return money(value)


def coverage_text(rec: cvs.CoverageRecord, today: date) -> str:
    """'Lakeshore Health PPO · Commercial' (the type left out when the name says it)."""
    name = rec.plan_label
    kind = dc.PLAN_TYPE_LABELS.get(rec.data.plan_type, rec.data.plan_type)
    text = name if dc.names_its_type(name, rec.data.plan_type) else f"{name} · {kind}"
    if rec.state_on(today) == "future" and rec.data.effective_on:
        text += f" from {rec.data.effective_on:%m/%d/%Y}"
    return text


def quotable(coverages: Sequence[cvs.CoverageRecord], today: date) -> list[cvs.CoverageRecord]:
    """The coverages a quote may use (as the quote service does: not ended, not replaced)."""
    return [c for c in coverages if c.state_on(today) not in ("ended", "replaced")]


def fill_coverage_combo(
    combo: QComboBox, coverages: Sequence[cvs.CoverageRecord], none_label: str, today: date
) -> None:
    """Items: ``none_label`` (data None), then every coverage (data: its id)."""
    combo.blockSignals(True)
    combo.clear()
    combo.addItem(none_label, None)
    for rec in coverages:
        combo.addItem(coverage_text(rec, today), rec.id)
    combo.blockSignals(False)


def fill_site_combo(combo: QComboBox) -> None:
    combo.blockSignals(True)
    combo.clear()
    for value, label in SITE_LABELS.items():
        combo.addItem(label, value)
    combo.blockSignals(False)


def select_data(combo: QComboBox, value: object) -> bool:
    """Select the item holding ``value`` without emitting signals; False when there is none."""
    index = combo.findData(value)
    combo.blockSignals(True)
    if index >= 0:
        combo.setCurrentIndex(index)
    combo.blockSignals(False)
    return index >= 0


def _discard(grid: QGridLayout, w: QWidget) -> None:
    """Out of the grid now (its name too, so lookups find the new one), deleted later."""
    grid.removeWidget(w)
    w.hide()
    w.setObjectName("")
    for child in w.findChildren(QWidget):
        child.setObjectName("")
    w.deleteLater()


# --- the dialog ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    """One scenario's inputs."""

    primary_id: int | None
    secondary_id: int | None
    site: str


@dataclass
class Scenario:
    """One column: its pickers, its header and its last result (or what went wrong)."""

    primary: QComboBox
    secondary: QComboBox
    site: QComboBox
    header: QLabel
    remove: QPushButton
    message: QLabel
    result: qs.QuoteFigures | None = None
    problem: str = ""
    widgets: list[QWidget] = field(default_factory=list)
    latest: Latest = field(default_factory=Latest)  # its figures being computed

    def choice(self) -> Choice:
        return Choice(
            self.primary.currentData(), self.secondary.currentData(), str(self.site.currentData())
        )


class CompareDialog(QDialog):
    """The same course (order, visit dates, assistance) under 2–4 scenarios, side by side."""

    def __init__(
        self,
        backend: Backend,
        today: Callable[[], date],
        patient_id: int,
        order_id: int | None,
        from_date: date | None,
        program_ids: tuple[int, ...],
        coverages: Sequence[cvs.CoverageRecord],
        choices: Sequence[Choice],
        *,
        title: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("compareDialog")
        self.setWindowTitle("Compare scenarios")
        self.backend = backend
        self.today = today
        self.patient_id = patient_id
        self.order_id = order_id
        self.from_date = from_date
        self.program_ids = program_ids
        self.coverages = list(coverages)
        self.scenarios: list[Scenario] = []
        self.figure_widgets: list[QWidget] = []
        self.cheapest: list[int] = []

        lay = QVBoxLayout(self)
        heading = QLabel(title or "Compare scenarios")
        heading.setObjectName("pageTitle")
        lay.addWidget(heading)
        note = QLabel(
            "The same therapy order, visit dates and assistance under each scenario. Each plan's "
            "latest benefit terms and the fee schedule are used (not the what-if edits of the "
            "quote screen)."
        )
        note.setObjectName("pageSubtitle")
        note.setWordWrap(True)
        lay.addWidget(note)
        self.verdict = QLabel("")
        self.verdict.setObjectName("compareVerdict")
        self.verdict.setWordWrap(True)
        lay.addWidget(self.verdict)

        self.grid_host = QWidget()
        self.grid = QGridLayout(self.grid_host)
        self.grid.setHorizontalSpacing(14)
        self.grid.setVerticalSpacing(4)
        self.grid.setColumnMinimumWidth(0, 170)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.grid_host)
        lay.addWidget(scroll, 1)
        for row, text in enumerate(("", "Primary coverage", "Secondary coverage", "Site of care")):
            label = QLabel(text)
            self.grid.addWidget(label, row, 0)

        bar = QHBoxLayout()
        self.add_button = QPushButton("Add scenario")
        self.add_button.setObjectName("addScenarioButton")
        self.add_button.clicked.connect(lambda: self.add_scenario(self._next_choice()))
        bar.addWidget(self.add_button)
        bar.addStretch(1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        bar.addWidget(buttons)
        lay.addLayout(bar)

        for choice in list(choices)[:MAX_SCENARIOS]:
            self.add_scenario(choice, compute=False)
        while len(self.scenarios) < MIN_SCENARIOS:
            self.add_scenario(self._next_choice(), compute=False)
        for sc in self.scenarios:
            self._compute(sc)
        self._render()
        fit_to_screen(self, max(760, 200 + 250 * len(self.scenarios)), 720)

    # -- scenarios ---------------------------------------------------------------------
    def _next_choice(self) -> Choice:
        """A new column: the first scenario's coverages at a site no column uses yet."""
        first = (
            self.scenarios[0].choice() if self.scenarios else Choice(None, None, "infusion_center")
        )
        used = {sc.choice().site for sc in self.scenarios}
        site = next((s for s in SITE_LABELS if s not in used), first.site)
        return Choice(first.primary_id, first.secondary_id, site)

    def add_scenario(self, choice: Choice, *, compute: bool = True) -> None:
        if len(self.scenarios) >= MAX_SCENARIOS:
            return
        col = len(self.scenarios) + 1
        letter = LETTERS[col - 1]
        header = QLabel(f"Scenario {letter}")
        header.setStyleSheet("font-weight: 600;")
        remove = QPushButton("Remove")
        remove.setObjectName(f"removeScenario{letter}")
        primary, secondary, site = QComboBox(), QComboBox(), QComboBox()
        for combo, name in ((primary, "primary"), (secondary, "secondary"), (site, "site")):
            combo.setObjectName(f"scenario{letter}_{name}")
            combo.setMinimumWidth(220)
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(18)
        fill_coverage_combo(primary, self.coverages, SELF_PAY, self.today())
        fill_coverage_combo(secondary, self.coverages, NO_SECONDARY, self.today())
        fill_site_combo(site)
        select_data(primary, choice.primary_id)
        select_data(secondary, choice.secondary_id)
        select_data(site, choice.site)
        message = QLabel("")
        message.setWordWrap(True)
        message.setStyleSheet("color: #b00020;")
        sc = Scenario(primary, secondary, site, header, remove, message)
        head = QWidget()
        head_lay = QHBoxLayout(head)
        head_lay.setContentsMargins(0, 0, 0, 0)
        head_lay.addWidget(header)
        head_lay.addStretch(1)
        head_lay.addWidget(remove)
        self.grid.addWidget(head, 0, col)
        self.grid.addWidget(primary, 1, col)
        self.grid.addWidget(secondary, 2, col)
        self.grid.addWidget(site, 3, col)
        self.grid.addWidget(message, 4, col)
        sc.widgets = [head, primary, secondary, site, message]
        self.scenarios.append(sc)
        for combo in (primary, secondary, site):
            combo.currentIndexChanged.connect(lambda _i, s=sc: self._changed(s))
        remove.clicked.connect(lambda _c=False, s=sc: self.remove_scenario(s))
        self._update_buttons()
        if compute:
            self._compute(sc)
            self._render()

    def remove_scenario(self, sc: Scenario) -> None:
        if len(self.scenarios) <= MIN_SCENARIOS or sc not in self.scenarios:
            return
        kept = [s for s in self.scenarios if s is not sc]
        for s in self.scenarios:
            for w in s.widgets:
                _discard(self.grid, w)
        self.scenarios = []
        for old in kept:
            self.add_scenario(old.choice(), compute=False)
            new = self.scenarios[-1]
            new.result, new.problem = old.result, old.problem
            if old.latest.busy:  # its figures were still coming: compute them for the new column
                self._compute(new)
        self._render()

    def _update_buttons(self) -> None:
        self.add_button.setEnabled(len(self.scenarios) < MAX_SCENARIOS)
        for sc in self.scenarios:
            sc.remove.setEnabled(len(self.scenarios) > MIN_SCENARIOS)

    def _changed(self, sc: Scenario) -> None:
        self._compute(sc)
        self._render()

    def _compute(self, sc: Scenario) -> None:
        c = sc.choice()
        sc.secondary.setEnabled(c.primary_id is not None)
        sc.result, sc.problem = None, ""
        if c.primary_id is not None and c.primary_id == c.secondary_id:
            sc.problem = "The secondary must be another plan than the primary."
            return
        patient_id, today, order_id = self.patient_id, self.today(), self.order_id
        from_date, program_ids = self.from_date, self.program_ids

        def work(session: Session) -> tuple[qs.QuoteSetup, cs.Quote]:
            setup = qs.prepare(
                session,
                patient_id,
                today=today,
                order_id=order_id,
                primary_id=c.primary_id,
                secondary_id=c.secondary_id if c.primary_id else None,
                site=c.site,
                from_date=from_date,
                program_ids=program_ids,
            )
            return setup, qs.compute(setup)

        def done(answer: tuple[qs.QuoteSetup, cs.Quote]) -> None:
            if sc not in self.scenarios:  # removed meanwhile
                return
            setup, quote = answer
            missing = [n.code for n in setup.price_notes if n.missing]
            if missing:  # figures with a $0 line would mislead: say what to add instead
                sc.problem = (
                    f"No price on file for {', '.join(missing)} here: add it to the fee "
                    "schedule to compare this scenario."
                )
            else:
                sc.result = qs.figures(quote)
            self._render()

        def failed(exc: BaseException) -> None:  # a scenario that cannot be computed says why
            if sc not in self.scenarios:
                return
            sc.problem = (
                friendly_message(exc)[1]
                if isinstance(exc, UserError)
                else ("This scenario could not be computed: " + friendly_message(exc)[1])
            )
            self._render()

        sc.latest.replace(run_query(self, self.backend, work, done, failed))

    @property
    def computing(self) -> bool:
        """A scenario's figures are being computed (on a worker thread)."""
        return any(sc.latest.busy for sc in self.scenarios)

    # -- figures -----------------------------------------------------------------------
    def _render(self) -> None:
        for w in self.figure_widgets:
            _discard(self.grid, w)
        self.figure_widgets = []
        for sc in self.scenarios:
            sc.message.setText(sc.problem)
            sc.message.setVisible(bool(sc.problem))
        results = [sc.result for sc in self.scenarios]
        show_bb = any(r is not None and r.totals.balance_bill for r in results)
        names = [(n, label) for n, label in FIGURES if n != "balance_bill" or show_bb]
        row = 5
        row = self._section(
            row,
            "Whole course",
            [r.totals if r else None for r in results],
            names,
            highlight=True,
        )
        years: list[str] = []
        for r in results:
            for y in r.plan_years if r else ():
                if y.plan_year not in years:
                    years.append(y.plan_year)
        for label in sorted(years):
            per: list[qs.Figures | None] = []
            for r in results:
                match = [y.figures for y in (r.plan_years if r else ()) if y.plan_year == label]
                per.append(match[0] if match else None)
            row = self._section(row, f"Plan year {label}", per, names, highlight=False)
        self.grid.setRowStretch(row, 1)
        self._verdict()

    def _section(
        self,
        row: int,
        title: str,
        figures: list[qs.Figures | None],
        names: Sequence[tuple[str, str]],
        *,
        highlight: bool,
    ) -> int:
        head = QLabel(title)
        head.setStyleSheet("font-weight: 600; padding-top: 10px; border-bottom: 1px solid #bbb;")
        self.grid.addWidget(head, row, 0, 1, len(figures) + 1)
        self.figure_widgets.append(head)
        row += 1
        owes = [f.patient_owes if f else None for f in figures]
        known = [o for o in owes if o is not None]
        low = min(known) if known else None
        if highlight:  # the lowest course total for the patient (none when all are equal)
            self.cheapest = [
                i for i, o in enumerate(owes) if o is not None and o == low and len(set(known)) > 1
            ]
        for name, label in names:
            lab = QLabel(label)
            self.grid.addWidget(lab, row, 0)
            self.figure_widgets.append(lab)
            for col, f in enumerate(figures, start=1):
                cell = QLabel(figure(f, name) if f else "—")
                cell.setObjectName(f"cmp_{title.replace(' ', '_')}_{name}_{LETTERS[col - 1]}")
                cell.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                cell.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
                if name == "patient_owes":
                    cell.setStyleSheet("font-weight: 600;")
                    if highlight and col - 1 in self.cheapest:
                        cell.setStyleSheet(CHEAPEST_STYLE)
                        cell.setToolTip("Lowest for the patient")
                self.grid.addWidget(cell, row, col)
                self.figure_widgets.append(cell)
            row += 1
        return row

    def _verdict(self) -> None:
        totals = [
            (LETTERS[i], sc.result.totals.patient_owes)
            for i, sc in enumerate(self.scenarios)
            if sc.result
        ]
        if len(totals) < 2:
            self.verdict.setText("")
            return
        if len({t for _, t in totals}) == 1:
            self.verdict.setText(
                f"The patient owes the same in every scenario: {money(totals[0][1])}."
            )
            self.verdict.setStyleSheet("")
            return
        best = [letter for letter, t in totals if t == min(t for _, t in totals)]
        high = max(t for _, t in totals)
        low = min(t for _, t in totals)
        names = " and ".join(f"scenario {b}" for b in best)
        self.verdict.setText(
            f"Lowest for the patient: {names}, {money(low)} for the course "
            f"({money(high - low)} less than the highest)."
        )
        self.verdict.setStyleSheet(CHEAPEST_STYLE)

    # -- for tests and callers ---------------------------------------------------------
    def totals(self, index: int) -> qs.Figures | None:
        """The whole-course totals of scenario ``index`` (0 = A), None when not computed."""
        result = self.scenarios[index].result
        return None if result is None else result.totals
