"""The patient cost letter: what a visit or a course will cost, in English or Spanish, on one
page where possible, leading with what is owed after assistance."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

from reportlab.platypus import Flowable, Spacer

from infudesk.documents import page as pg
from infudesk.documents import styles as st
from infudesk.documents.data import (
    ZERO,
    CostLetterData,
    CoverageLine,
    GoodFaithEstimateData,
    Language,
    VisitCost,
)
from infudesk.documents.text import (
    COST_LETTER,
    MADE_ON,
    NOTICE_HEADING,
    PAGE,
    CostLetterText,
    apposition,
    date_span,
    every,
    long_date,
    visits,
)
from infudesk.domain.costshare import Quote
from infudesk.domain.money import format_money, format_percent

m = st.markup


def _money(x: Decimal) -> str:
    return m(format_money(x))


@dataclass(frozen=True)
class PlanYear:
    """The visits of one plan year of the estimate."""

    start: date
    end: date
    calendar: bool
    visits: tuple[tuple[int, VisitCost], ...]  # (visit number from 1, visit)

    def total(self, name: str) -> Decimal:
        return sum((getattr(v, name) for _, v in self.visits), ZERO)

    @property
    def owes(self) -> Decimal:
        return self.total("owes_before_assistance") - self.total("assistance_paid")

    def label(self, lang: Language) -> str:
        if self.calendar:
            return str(self.start.year)
        return date_span(self.start, self.end, lang, short=True)

    def phrase(self, t: CostLetterText, lang: Language) -> str:
        if self.calendar:
            return t.calendar_year.format(year=self.start.year)
        return t.plan_year.format(span=date_span(self.start, self.end, lang))


def plan_years(data: CostLetterData) -> list[PlanYear]:
    """The visits in date order, grouped by the primary's plan year."""
    month, day = data.plan_year_start
    calendar = (month, day) == (1, 1)
    groups: dict[date, list[tuple[int, VisitCost]]] = {}
    ordered = sorted(data.visits, key=lambda v: v.date)
    for n, v in enumerate(ordered, start=1):
        start = date(v.date.year, month, day)
        if start > v.date:
            start = date(v.date.year - 1, month, day)
        groups.setdefault(start, []).append((n, v))
    out = []
    for start, vs in groups.items():
        end = date(start.year + 1, month, day) - timedelta(days=1)
        out.append(PlanYear(start, end, calendar, tuple(vs)))
    return out


def _rows(year: PlanYear) -> list[list[tuple[int, VisitCost]]]:
    """Consecutive visits of a year with the same figures, grouped into one table row."""
    rows: list[list[tuple[int, VisitCost]]] = []
    for nv in year.visits:
        v = nv[1]
        key = (v.allowed, v.insurance_paid, v.owes_before_assistance, v.assistance_paid)
        if rows:
            last = rows[-1][-1][1]
            if key == (
                last.allowed,
                last.insurance_paid,
                last.owes_before_assistance,
                last.assistance_paid,
            ):
                rows[-1].append(nv)
                continue
        rows.append([nv])
    return rows


def _lead(data: CostLetterData, years: Sequence[PlanYear], t: CostLetterText) -> list[Flowable]:
    s = st.styles()
    lang = data.lang
    out: list[Flowable] = [pg.para(m(t.lead_heading), s.subheading, static=True)]
    for y in years:
        if len(y.visits) == 1:
            text = t.lead_one.format(
                owes=_money(y.owes), date=m(long_date(y.visits[0][1].date, lang))
            )
        else:
            text = t.lead_year.format(
                owes=_money(y.owes),
                visits=m(visits(len(y.visits), lang)),
                year=m(y.phrase(t, lang)),
            )
        out.append(pg.para(text, s.lead))
    assistance = sum((y.total("assistance_paid") for y in years), ZERO)
    before = sum((y.total("owes_before_assistance") for y in years), ZERO)
    details = []
    if assistance:
        details.append(
            t.after_assistance.format(assistance=_money(assistance), before=_money(before))
        )
    if data.coverages:
        insurance = sum((y.total("insurance_paid") for y in years), ZERO)
        details.append(t.insurance_pays.format(amount=_money(insurance)))
    owed = [v.owes for v in data.visits]
    if len(owed) > 1:
        low, high = min(owed), max(owed)
        if low == high:
            details.append(t.per_visit_same.format(amount=_money(low)))
        else:
            details.append(t.per_visit_range.format(low=_money(low), high=_money(high)))
    if details:
        out.append(pg.para(" ".join(details), s.body_tight))
    return [pg.boxed(out)]


def _table(data: CostLetterData, years: Sequence[PlanYear], t: CostLetterText) -> list[Flowable]:
    s = st.styles()
    lang = data.lang
    insured = bool(data.coverages)
    helped = any(v.assistance_paid for v in data.visits)
    header = [t.col_visit, t.col_dates, t.col_price if insured else t.col_price_self_pay]
    fields_: list[str] = ["allowed"]
    if insured:
        header.append(t.col_insurance)
        fields_.append("insurance_paid")
    if helped:
        header += [t.col_share, t.col_assistance]
        fields_ += ["owes_before_assistance", "assistance_paid"]
    header.append(t.col_owes)
    money_cols = len(fields_) + 1
    money_width = 64.0 if money_cols > 3 else 72.0
    visit_width = 44.0
    widths = [visit_width, pg.CONTENT_WIDTH - visit_width - money_width * money_cols]
    widths += [money_width] * money_cols
    rows: list[list[str]] = []
    total_rows: list[int] = []
    for y in years:
        for group in _rows(y):
            first, last = group[0], group[-1]
            number = str(first[0]) if len(group) == 1 else f"{first[0]}–{last[0]}"
            span = date_span(first[1].date, last[1].date, lang, short=True)
            v = first[1]
            cells = [m(number), m(span)]
            cells += [_money(getattr(v, f)) for f in fields_]
            cells.append(_money(v.owes))
            rows.append(cells)
        cells = [m(t.total_row.format(year=y.label(lang), visits=visits(len(y.visits), lang))), ""]
        cells += [_money(y.total(f)) for f in fields_]
        cells.append(_money(y.owes))
        total_rows.append(len(rows))
        rows.append(cells)
    table = pg.grid(
        header,
        rows,
        widths,
        right=range(2, 2 + money_cols),
        bold_rows=total_rows,
        bold_cols=[len(header) - 1],
        shade_rows=total_rows,
    )
    table.setStyle([("SPAN", (0, r + 1), (1, r + 1)) for r in total_rows])
    note = (t.table_note if helped else t.table_note_short) if insured else t.table_note_self_pay
    return [
        pg.para(m(t.table_heading), s.subheading, static=True),
        table,
        Spacer(1, 2),
        pg.para(m(note), s.fine, static=True),
    ]


def _how(data: CostLetterData, years: Sequence[PlanYear], t: CostLetterText) -> list[str]:
    lang = data.lang
    out: list[str] = []
    vs = sorted(data.visits, key=lambda v: v.date)
    terms = data.terms
    if not data.coverages:
        out.append(m(t.self_pay_how))
    else:
        if data.same_terms_assumed and len(years) < 2:
            raise ValueError("same_terms_assumed: the letter's visits stay in one plan year")
        renewal = t.new_plan_year_assumed if data.same_terms_assumed else t.new_plan_year
        out += [renewal.format(date=m(long_date(y.start, lang))) for y in years[1:]]
    if data.coverages and terms is not None:
        if terms.deductible is not None:
            paid = sum((v.deductible for v in vs), ZERO)
            if paid:
                fmt = t.deductible_paid if terms.deductible_met else t.deductible_paid_fresh
                out.append(
                    fmt.format(
                        deductible=_money(terms.deductible),
                        met=_money(terms.deductible_met),
                        paid=_money(paid),
                    )
                )
            elif terms.deductible_met >= terms.deductible:
                out.append(t.deductible_met.format(deductible=_money(terms.deductible)))
        coins = sum((v.coinsurance for v in vs), ZERO)
        if terms.coinsurance:
            out.append(
                t.coinsurance.format(
                    rate=m(format_percent(terms.coinsurance)), amount=_money(coins)
                )
            )
        copays = sum((v.copay for v in vs), ZERO)
        if terms.copay:
            out.append(t.copay.format(copay=_money(terms.copay), amount=_money(copays)))
        if terms.oop_max is None:
            out.append(m(t.oop_none))
        elif terms.oop_met >= terms.oop_max:
            out.append(t.oop_already.format(oop=_money(terms.oop_max)))
        else:
            reached = next((v for v in vs if v.oop_reached), None)
            if reached is not None:
                out.append(
                    t.oop_reached.format(
                        oop=_money(terms.oop_max),
                        met=_money(terms.oop_met),
                        date=m(long_date(reached.date, lang)),
                    )
                )
            else:
                out.append(
                    t.oop_not_reached.format(oop=_money(terms.oop_max), met=_money(terms.oop_met))
                )
    secondary = sum((v.secondary_paid for v in vs), ZERO)
    if len(data.coverages) > 1 and secondary:
        out.append(
            t.secondary.format(
                plan2=m(data.coverages[1].plan),
                amount=_money(secondary),
                plan=m(data.coverages[0].plan),
            )
        )
    for program in data.assistance:
        out.append(t.program.format(name=m(program.name), amount=_money(program.amount)))
    out += [m(line) for line in data.explanation]
    # the estimate's warnings in plain words: what it assumed or could not count
    out += [f"<b>{m(NOTICE_HEADING[lang])}:</b> {m(line)}" for line in data.notices]
    return out


def _unknowns(data: CostLetterData, t: CostLetterText) -> tuple[str, list[str]]:
    """The section's heading and lines: what is still unknown, or what was confirmed."""
    lang = data.lang
    out: list[str] = []
    insured = bool(data.coverages)
    if insured and data.benefits_verified_on is None:
        out.append(m(t.not_verified))
    if insured:
        pa = {
            "pending": t.pa_pending,
            "unknown": t.pa_unknown,
            "denied": t.pa_denied,
        }.get(data.prior_auth)
        if pa:
            out.append(m(pa))
    out += [m(line) for line in data.open_items]
    if out or not insured:
        return t.unknown_heading, out
    verified = data.benefits_verified_on
    assert verified is not None
    tail = {
        "approved": t.nothing_pending_pa_approved,
        "not_required": t.nothing_pending_pa_not_required,
    }.get(data.prior_auth, "")
    return t.confirmed_heading, [
        t.nothing_pending.format(date=m(long_date(verified, lang)), pa=m(tail))
    ]


def _names_payer(c: CoverageLine) -> bool:
    """Whether the plan's name already names the payer ('Lakeshore Health PPO')."""
    words = c.payer.split()
    return not words or words[0].casefold() in c.plan.casefold()


def _intro(data: CostLetterData, t: CostLetterText) -> str:
    lang = data.lang
    vs = sorted(data.visits, key=lambda v: v.date)
    center = m(data.place or data.letterhead.name)
    service = m(data.service)
    if len(vs) == 1:
        text = t.intro_one.format(
            service=service, center=center, date=m(long_date(vs[0].date, lang))
        )
    else:
        fmt = t.intro_course if data.every_days else t.intro_course_no_interval
        text = fmt.format(
            service=service,
            center=center,
            count=m(visits(len(vs), lang)),
            every=m(every(data.every_days or 0, lang)),
            first=m(long_date(vs[0].date, lang)),
            last=m(long_date(vs[-1].date, lang)),
        )
    covs = data.coverages

    def member(c_member: str) -> str:
        return t.member_id.format(member=m(c_member)) if c_member else ""

    if not covs:
        return f"{text} {m(t.self_pay)}"

    def payer(c: CoverageLine) -> str:
        return "" if _names_payer(c) else f" ({m(c.payer)})"

    first = covs[0]
    if len(covs) == 1:
        ins = t.insurance_one.format(
            plan=m(first.plan), payer=payer(first), member=member(first.member_id)
        )
    else:
        second = covs[1]
        ins = t.insurance_two.format(
            plan=m(first.plan),
            payer=payer(first),
            member=member(first.member_id),
            plan2=m(second.plan),
            payer2=payer(second),
            member2=member(second.member_id),
        )
    return f"{text} {ins}"


def made_on_note(data: CostLetterData | GoodFaithEstimateData) -> list[Flowable]:
    """A saved quote's figures say when they were made (and that they may have changed)."""
    if data.made_on is None:
        return []
    text = MADE_ON[data.lang].format(
        number=data.quote_number or "", date=long_date(data.made_on, data.lang)
    )
    return [pg.para(f"<b>{m(text)}</b>", st.styles().small)]


def story(data: CostLetterData) -> list[Flowable]:
    """The letter's flowables (without the page furniture)."""
    if not data.visits:
        raise ValueError("a cost letter needs at least one visit")
    s = st.styles()
    lang = data.lang
    t = COST_LETTER[lang]
    words = PAGE[lang]
    p = data.patient
    years = plan_years(data)
    who = [f"<b>{m(p.name)}</b>"]
    who.append(f"{m(words.date_of_birth)}: {m(long_date(p.birth_date, lang))}")
    if p.mrn:
        who.append(f"{m(words.mrn)}: {m(p.mrn)}")
    out: list[Flowable] = [
        pg.para(m(t.title), s.title, static=True),
        pg.para(" &nbsp;·&nbsp; ".join(who), s.small),
        Spacer(1, 4),
        pg.para(_intro(data, t)),
        *made_on_note(data),
        *_lead(data, years, t),
        *_table(data, years, t),
        pg.para(m(t.how_heading), s.subheading, static=True),
        *pg.bullets(_how(data, years, t)),
    ]
    heading, unknowns = _unknowns(data, t)
    if unknowns:
        out += [pg.para(m(heading), s.subheading, static=True), *pg.bullets(unknowns)]
    c = data.contact
    contact = t.contact.format(name=m(apposition(c.name)), phone=f"<b>{m(c.phone)}</b>")
    if c.hours:
        contact += t.contact_hours.format(hours=m(c.hours))
    if c.email:
        contact += t.contact_email.format(email=m(c.email))
    out += [
        pg.para(m(t.contact_heading), s.subheading, static=True),
        pg.para(contact + "."),
    ]
    disclaimer = data.disclaimer if data.disclaimer is not None else t.disclaimer
    # the center's disclaimer (a setting) or ours: the same in every letter of a batch
    out.append(pg.para(f"<b>{m(t.disclaimer_heading)}.</b> {m(disclaimer)}", s.fine, static=True))
    date_width, name_width = 84.0, 170.0
    out.append(
        pg.keep(
            Spacer(1, 4),
            pg.para(f"<b>{m(t.sign_heading)}.</b> {m(t.sign_text)}", s.small, static=True),
            pg.signature_line(
                [
                    (t.sign_signature, pg.CONTENT_WIDTH - 36 - date_width - name_width),
                    (t.sign_name, name_width),
                    (t.sign_date, date_width),
                ],
                gap=22,
            ),
        )
    )
    return out


def build(data: CostLetterData, out: BinaryIO | Path) -> None:
    """Write the cost letter as a PDF to ``out`` (a path or a binary file)."""
    setup = pg.PageSetup(
        data.letterhead, data.patient, data.issued_on, data.lang, COST_LETTER[data.lang].title
    )
    pg.render(story(data), setup, out)


def visits_from_quote(quote: Quote, oop_max: Decimal | None = None) -> tuple[VisitCost, ...]:
    """The letter's visits from the quote engine's result (``oop_max``: the primary's)."""
    out = []
    for v in quote.visits:
        acc = v.accumulators
        reached = oop_max is not None and acc is not None and acc.oop_met >= oop_max
        out.append(
            VisitCost(
                date=v.date,
                allowed=v.allowed + v.balance_bill,
                insurance_paid=v.primary_paid + v.secondary_paid,
                owes_before_assistance=v.patient_owes_before_assistance,
                assistance_paid=v.assistance_paid,
                deductible=v.deductible,
                coinsurance=v.coinsurance,
                copay=v.copay,
                secondary_paid=v.secondary_paid,
                oop_reached=reached,
            )
        )
    return tuple(out)
