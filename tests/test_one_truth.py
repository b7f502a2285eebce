"""One truth from the screen to the paper (issue 10): for each showcase patient, the cost letter
(and D0005's Good Faith Estimate) read back with pypdf carries exactly the figures the real
Quotes screen shows the same day, visit by visit and per plan year, and no past visit; a saved
quote prints with its date and is never reused silently (an out-of-date one asks first, in the
service, the GUI and the CLI).

The demo is seeded on the tests' day and on the real day: the figures must agree both times.
"""
# mypy: disable-error-code="assignment,index"

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
from pypdf import PdfReader
from PySide6.QtWidgets import QMessageBox, QWidget

from infudesk.demo.care import SHOWCASE_MRNS
from infudesk.domain import coverage as dc
from infudesk.services import coverages as cvs
from infudesk.services import letters
from infudesk.services import quotes as qs
from infudesk.services.audit import Actor
from infudesk.ui.common.ops import Backend
from infudesk.ui.letters import letter_preview
from infudesk.ui.letters.letter_preview import LetterPreview
from infudesk.ui.quote.quote_screen import QuoteScreen, VisitCol
from tests.conftest import TODAY
from tests.seeded import Seeded, seeded_demo

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

SEED_DAYS = (TODAY, date.today())
MONEY = re.compile(r"^-?\$[\d,]+\.\d\d$")


@pytest.fixture(scope="module", params=SEED_DAYS, ids=["tests-today", "real-today"])
def seeded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Seeded]:
    with seeded_demo(tmp_path_factory, "truth", request.param) as seeded:
        yield seeded


def dollars(text: str) -> Decimal:
    text = text.strip()
    assert MONEY.match(text), text
    return Decimal(text.replace("$", "").replace(",", ""))


def pdf_lines(pdf: bytes) -> list[str]:
    return [
        line
        for page in PdfReader(io.BytesIO(pdf)).pages
        for line in page.extract_text().splitlines()
    ]


@dataclass(frozen=True)
class LetterRow:
    first: int  # visit numbers of the row (1-based)
    last: int
    start: date
    end: date
    figures: tuple[Decimal, ...]


def letter_table(pdf: bytes) -> tuple[list[str], list[LetterRow], list[tuple[str, list[Decimal]]]]:
    """The English cost letter's visit table: its money columns, its rows (a row may stand for
    several visits with the same figures), and its plan-year total rows."""
    lines = pdf_lines(pdf)
    start = lines.index("Visit by visit")
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("Amounts are"))
    body = lines[start + 1 : end]
    first_row = next(i for i, x in enumerate(body) if re.fullmatch(r"\d+(–\d+)?", x.strip()))
    header = " ".join(x.strip() for x in body[:first_row])
    columns = ["price"]
    if "Insurance" in header:
        columns.append("insurance")
    if "Assistance" in header:
        columns += ["share", "assistance"]
    columns.append("owes")
    rows: list[LetterRow] = []
    totals: list[tuple[str, list[Decimal]]] = []
    i = first_row
    while i < len(body):
        head = body[i].strip()
        if head.startswith("Total "):
            figs = [dollars(x) for x in body[i + 1 : i + 1 + len(columns)]]
            totals.append((head, figs))
            i += 1 + len(columns)
            continue
        numbers = [int(n) for n in head.split("–")]
        days = [datetime.strptime(d.strip(), "%b %d, %Y").date() for d in body[i + 1].split(" – ")]
        figs = [dollars(x) for x in body[i + 2 : i + 2 + len(columns)]]
        rows.append(LetterRow(numbers[0], numbers[-1], days[0], days[-1], tuple(figs)))
        i += 2 + len(columns)
    return columns, rows, totals


def screen_visits(screen: QuoteScreen) -> list[tuple[date, dict[str, Decimal]]]:
    """The visits table of the Quotes screen, as shown (cell texts)."""
    t = screen.visits_table
    out = []
    for r in range(t.rowCount()):

        def cell(col: VisitCol, row: int = r) -> str:
            item = t.item(row, col)
            assert item is not None
            return item.text()

        day = datetime.strptime(cell(VisitCol.DATE), "%m/%d/%Y").date()
        bb = cell(VisitCol.BALANCE_BILL)
        figs = {
            "price": dollars(cell(VisitCol.ALLOWED)) + (dollars(bb) if bb else Decimal(0)),
            "insurance": dollars(cell(VisitCol.INSURANCE)),
            "share": dollars(cell(VisitCol.BEFORE)),
            "assistance": dollars(cell(VisitCol.ASSISTANCE)),
            "owes": dollars(cell(VisitCol.OWES)),
        }
        out.append((day, figs))
    return out


def screen_years(screen: QuoteScreen) -> list[tuple[int, Decimal]]:
    """(visits, patient owes) of each plan-year row, then the course total."""
    y = screen.years_table
    owes_col = 2 + list(VisitCol).index(VisitCol.OWES) - list(VisitCol).index(VisitCol.ALLOWED)
    out = []
    for r in range(y.rowCount()):
        visits, owes = y.item(r, 1), y.item(r, owes_col)
        assert visits is not None and owes is not None
        out.append((int(visits.text()), dollars(owes.text())))
    return out


@pytest.fixture
def screen(qtbot: QtBot, seeded: Seeded) -> Iterator[QuoteScreen]:
    backend = Backend(seeded.store, Actor("desk.clerk"))
    w = QuoteScreen(backend, today=lambda: seeded.day)
    qtbot.addWidget(w)
    w.resize(1366, 728)
    w.show()
    yield w
    for dlg in w.findChildren(LetterPreview):
        dlg.close()


def open_letter(screen: QuoteScreen) -> LetterPreview:
    dlg = screen.open_cost_letter()
    assert isinstance(dlg, LetterPreview), "the letter did not open"
    assert dlg.set_language("en")  # the table is parsed in English (Spanish: same figures)
    return dlg


@pytest.mark.parametrize("mrn", SHOWCASE_MRNS)
def test_cost_letter_equals_the_quotes_screen_visit_by_visit(
    screen: QuoteScreen, seeded: Seeded, mrn: str
) -> None:
    screen.show_patient(seeded.pid[mrn])
    shown = screen_visits(screen)
    assert shown, f"{mrn}: the screen shows no visit"
    assert all(day >= seeded.day for day, _ in shown), "the screen quotes from today on"
    dlg = open_letter(screen)
    assert dlg.source.quote_id is None  # the figures computed now, as on screen
    columns, rows, totals = letter_table(dlg.letter.pdf)
    # every visit of the screen is in the letter, in order, with the same figures
    covered = [n for row in rows for n in range(row.first, row.last + 1)]
    assert covered == list(range(1, len(shown) + 1))
    for row in rows:
        assert row.start == shown[row.first - 1][0] and row.end == shown[row.last - 1][0]
        for n in range(row.first, row.last + 1):
            day, figs = shown[n - 1]
            assert day >= seeded.day, f"{mrn}: a past visit ({day}) on the letter"
            assert row.figures == tuple(figs[c] for c in columns), (mrn, day, columns)
    # each plan year's total, and what the patient owes in all (the screen's headline)
    years = screen_years(screen)
    assert len(totals) == len(years) - 1
    for (label, figs), (visits, owes) in zip(totals, years, strict=False):
        assert f"({visits} visit" in label
        assert figs[-1] == owes
    assert sum((figs[-1] for _, figs in totals), Decimal(0)) == years[-1][1]
    assert dollars(screen.owes_label.text()) == years[-1][1]
    text = " ".join(pdf_lines(dlg.letter.pdf))
    assert "figures may have changed" not in text  # computed on the letter's day


def test_d0005_gfe_equals_the_quotes_screen_and_adds_up(
    screen: QuoteScreen, seeded: Seeded
) -> None:
    pid = seeded.pid["D0005"]
    screen.show_patient(pid)
    shown = screen_visits(screen)
    with seeded.store.session() as s:
        letter = letters.render(s, Actor("t"), "gfe", pid, today=seeded.day, lang="en")
    text = re.sub(r"\s+", " ", " ".join(pdf_lines(letter.pdf)))
    # each visit: its dated lines add up to the screen's self-pay price of that visit
    for day, figs in shown:
        stamp = f"{day:%b} {day.day}, {day.year}"
        found = re.findall(
            re.escape(stamp) + r" D50\.9 (?:HCPCS|CPT) \w+ [\d,]+ (\$[\d,]+\.\d\d)", text
        )
        assert len(found) == 2, (stamp, text)
        assert sum(dollars(x) for x in found) == figs["price"]
    # the discount is one line with its basis, and the total is what the screen says is owed
    discount = re.search(r"Sliding-scale discount \(50% of the self-pay price\) (-\$[\d,.]+)", text)
    assert discount is not None
    assert -dollars(discount.group(1)) == sum((f["assistance"] for _, f in shown), Decimal(0))
    total = re.search(r"Total estimated cost (\$[\d,.]+)", text)
    assert total is not None
    assert dollars(total.group(1)) == dollars(screen.owes_label.text())
    with seeded.store.session() as s:
        cost = letters.render(s, Actor("t"), "cost-letter", pid, today=seeded.day, lang="en")
    _, _, totals = letter_table(cost.pdf)
    assert sum((figs[-1] for _, figs in totals), Decimal(0)) == dollars(total.group(1))


def test_a_saved_quote_prints_with_its_date_and_an_old_one_asks_first(
    screen: QuoteScreen, seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid = seeded.pid["D0001"]
    with seeded.store.session() as s:
        (saved,) = qs.list_quotes(s, pid)  # the demo's, made on the seed day
    # the saved quote, current: it prints with its number and day
    with seeded.store.session() as s:
        letter = letters.render(
            s,
            Actor("t"),
            "cost-letter",
            pid,
            today=seeded.day,
            lang="en",
            source=letters.Source(saved.id),
        )
    text = " ".join(pdf_lines(letter.pdf))
    assert "estimate no. 1, made on" in text and "figures may have changed" in text

    # the plan's terms change afterwards (the next day; on the real day, the same day later
    # on): the service refuses with its reasons
    changed = seeded.day + timedelta(days=1) if seeded.day != date.today() else seeded.day
    with seeded.store.session() as s:
        cov = cvs.list_coverages(s, pid)[0]
        terms = cov.terms.terms if cov.terms else dc.Terms()
        cvs.record_terms(
            s,
            Actor("t"),
            cov.id,
            replace(terms, deductible_met=Decimal("900")),
            as_of=changed,
            source="manual",
        )
    with seeded.store.session() as s, pytest.raises(letters.StaleQuote) as info:
        letters.render(
            s, Actor("t"), "cost-letter", pid, today=changed, source=letters.Source(saved.id)
        )
    assert [r.kind for r in info.value.reasons] == ["terms"]
    assert info.value.number == 1
    # a later day: its visit is past as well
    later = max(v for v in qs.setup_from_saved(qs_get(seeded, saved.id)).dates)
    with seeded.store.session() as s:
        reasons = letters.stale_reasons(s, saved.id, today=later.replace(year=later.year + 1))
    assert {r.kind for r in reasons} == {"terms", "past_visits"}

    # the GUI: opening the saved quote and asking for its letter asks first, and says why
    asked: list[str] = []

    def answer(parent: QWidget | None, stale: letters.StaleQuote) -> letters.Source | None:
        asked.append("; ".join(r.text for r in stale.reasons))
        return letters.NOW  # "Compute now"

    monkeypatch.setattr(letter_preview, "ask_stale", answer)
    screen.today = lambda: changed
    screen.show_patient(pid)
    screen.open_saved(saved.id)
    dlg = screen.open_cost_letter()
    assert asked and "new plan terms were recorded" in asked[0]
    assert isinstance(dlg, LetterPreview) and dlg.source.quote_id is None
    dlg.close()

    def keep(parent: QWidget | None, stale: letters.StaleQuote) -> letters.Source | None:
        return letters.Source(stale.quote_id, accept_stale=True)

    monkeypatch.setattr(letter_preview, "ask_stale", keep)
    dlg = screen.open_cost_letter()
    assert isinstance(dlg, LetterPreview) and dlg.source.quote_id == saved.id
    assert dlg.set_language("en")
    assert "figures may have changed" in " ".join(pdf_lines(dlg.letter.pdf))
    dlg.close()
    assert (
        QMessageBox is not None
    )  # (the real dialog: ask_stale, a question box named staleQuoteBox)


def qs_get(seeded: Seeded, quote_id: int) -> qs.SavedQuoteRecord:
    with seeded.store.session() as s:
        return qs.get_quote(s, quote_id)
