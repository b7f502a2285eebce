"""Quotes: build the engine's request from a patient's order, coverages, fee schedule and
assistance; compute; save immutable, numbered snapshots; read them back."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from infudesk.domain import costshare as cs
from infudesk.domain import coverage as dc
from infudesk.domain import quote_request as qr
from infudesk.domain import verified_benefits as vb
from infudesk.domain.fees import choose_price
from infudesk.errors import NotFound, UserError, ValidationFailed
from infudesk.reference import yearly_figures
from infudesk.services import assistance as asv
from infudesk.services import audit
from infudesk.services import coverages as cvs
from infudesk.services import fees as fsv
from infudesk.services import orders as ors
from infudesk.services import verifications as vsv
from infudesk.services.access import Permission, require
from infudesk.services.audit import Actor
from infudesk.store.models import Patient, SavedQuote

ENGINE_PLAN = {
    dc.PlanType.COMMERCIAL: "commercial",
    dc.PlanType.EMPLOYER_SELF_FUNDED: "commercial",
    dc.PlanType.MARKETPLACE: "commercial",
    dc.PlanType.MEDICARE_PART_B: "medicare_part_b",
    dc.PlanType.MEDICARE_ADVANTAGE: "medicare_advantage",
    dc.PlanType.MEDIGAP: "medigap",
    dc.PlanType.MEDICAID: "medicaid",
    dc.PlanType.MEDICAID_MANAGED_CARE: "medicaid",
}
AUTO = -1  # "the patient's current coverage at this rank"


@dataclass(frozen=True)
class PriceNote:
    """Where one line's price came from (``source``), or that none is on file (``missing``).

    ``per``: a facility fee's basis (a per-visit line added by a verification), else empty."""

    code: str
    source: str
    unit_price: Decimal | None = None
    missing: bool = False
    per: str = ""

    @property
    def text(self) -> str:
        """The note as a sentence (tooltips, letters)."""
        if not self.code:  # saved before notes were structured: the sentence as it was
            return self.source
        if self.per:
            return f"{self.code}: facility fee per visit, {self.per}."
        if self.missing or self.unit_price is None:
            return f"{self.code}: {self.source} — enter the allowed amount per unit."
        return f"{self.code}: ${self.unit_price:,.2f} per unit from the {self.source}."

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "source": self.source,
            "unit_price": None if self.unit_price is None else str(self.unit_price),
            "missing": self.missing,
            "per": self.per,
        }

    @classmethod
    def from_json(cls, value: Any) -> PriceNote:
        """A note as saved; quotes saved before notes were structured kept the sentence only
        (shown as the source, never taken apart)."""
        if isinstance(value, str):
            return cls(code="", source=value, missing="enter the allowed amount" in value)
        price = value.get("unit_price")
        return cls(
            code=str(value["code"]),
            source=str(value["source"]),
            unit_price=None if price is None else Decimal(str(price)),
            missing=bool(value.get("missing", False)),
            per=str(value.get("per", "")),
        )


@dataclass(frozen=True)
class QuoteSetup:
    """Everything a quote is computed from, as the screen shows it (and the user may edit)."""

    patient_id: int
    order_id: int | None
    primary_id: int | None  # coverage ids (None: none at this rank / self-pay)
    secondary_id: int | None
    site: str
    dates: tuple[date, ...]
    lines: tuple[cs.ServiceLine, ...]
    primary: cs.Coverage | None
    secondary: cs.Coverage | None
    program_ids: tuple[int, ...]
    programs: tuple[cs.Program, ...]
    labels: dict[str, str]  # what the screen and letters name: order, primary, secondary
    price_notes: tuple[PriceNote, ...] = ()  # where each line's price came from, in line order
    verified: vb.QuoteFacts | None = None  # the primary's verified checklist, when there is one

    def request(self) -> cs.QuoteRequest:
        return cs.QuoteRequest(
            dates=self.dates,
            lines=self.lines,
            primary=self.primary,
            secondary=self.secondary,
            assistance=self.programs,
        )


def engine_coverage(rec: cvs.CoverageRecord) -> cs.Coverage:
    """A saved coverage and its latest terms as the engine sees them.

    Original Medicare's terms are the law's (:func:`costshare.original_medicare`), so "not
    entered" never quotes $0. Medigap K/L carry the OOP met so far, high-
    deductible F/G the deductible met so far (from the coverage's terms, when recorded).
    """
    d = rec.data
    plan = ENGINE_PLAN[dc.PlanType(d.plan_type)]
    t = rec.terms.terms if rec.terms else dc.Terms()
    if plan == "medigap":
        letter = d.medigap_plan if d.medigap_plan in cs.MEDIGAP_PLANS else None
        benefit = cs.MEDIGAP_BENEFITS.get(letter or "")
        return cs.Coverage(
            plan_type=plan,
            medigap_plan=letter,
            oop_met=t.oop_met if benefit is not None and benefit.limit else Decimal(0),
            deductible_met=(
                t.deductible_met if benefit is not None and benefit.high_deductible else Decimal(0)
            ),
        )
    month, day = (int(x) for x in d.plan_year_start.split("-"))
    family = None
    if t.family_deductible is not None or t.family_oop_max is not None:
        family = cs.FamilyTerms(
            deductible=t.family_deductible,
            deductible_met=t.family_deductible_met or Decimal(0),
            oop_max=t.family_oop_max,
            oop_met=t.family_oop_met or Decimal(0),
            embedded=t.family_embedded,
            oop_embedded=t.family_oop_embedded,
        )
    return cs.original_medicare(
        cs.Coverage(
            plan_type=plan,
            network=d.network,
            deductible=t.deductible,
            deductible_met=t.deductible_met,
            oop_max=t.oop_max,
            oop_met=t.oop_met,
            coinsurance=t.coinsurance,
            copay=t.copay if t.copay_applies != "none" else Decimal(0),
            copay_applies="line" if t.copay_applies == "per_service" else "visit",
            copay_after_deductible=t.copay_after_deductible,
            copay_counts_toward_deductible=t.copay_counts_toward_deductible,
            deductible_applies=t.deductible_applies,
            family=family,
            plan_year_start=cs.MonthDay(month, day),
        )
    )


def prepare(
    session: Session,
    patient_id: int,
    *,
    today: date,
    order_id: int | None = AUTO,
    primary_id: int | None = AUTO,
    secondary_id: int | None = AUTO,
    site: str | None = None,
    from_date: date | None = None,
    program_ids: tuple[int, ...] | None = None,
) -> QuoteSetup:
    """The default quote for a patient: the order's remaining planned visits and lines priced
    from the fee schedule, the current coverages with their latest terms, active programs."""
    if session.get(Patient, patient_id) is None:
        raise NotFound("This patient record no longer exists.")
    orders = ors.list_orders(session, patient_id, include_ended=False)
    if order_id == AUTO:
        order_id = orders[0].id if orders else None
    order = next((o for o in orders if o.id == order_id), None)
    if order is None:
        raise UserError(
            "This patient has no therapy order to quote. Add one on the patient's "
            "Therapy orders tab first.",
            title="Nothing to quote",
        )
    covs = [c for c in cvs.list_coverages(session, patient_id) if c.state_on(today) != "ended"]

    def pick(chosen: int | None, rank: int) -> cvs.CoverageRecord | None:
        if chosen == AUTO:
            return next((c for c in covs if c.data.rank == rank), None)
        return next((c for c in covs if c.id == chosen), None) if chosen else None

    primary, secondary = pick(primary_id, 1), pick(secondary_id, 2)
    site = site or order.data.site_of_care
    start = from_date or today
    dates = tuple(v.on for v in order.visits if v.status == "planned" and v.on >= start)
    price_rows = fsv.rows(session)
    lines: list[cs.ServiceLine] = []
    notes: list[PriceNote] = []
    for ln in order.lines:
        price = choose_price(
            price_rows, ln.code, payer=primary.payer_name if primary else None, site=site
        )
        code = f"{ln.code}-{ln.modifier}" if ln.modifier in ("JW",) else ln.code
        notes.append(
            PriceNote(code, price.source, price.unit_price, missing=price.unit_price is None)
        )
        lines.append(
            cs.ServiceLine(
                code=code,
                units=ln.units,
                unit_price=price.unit_price or Decimal(0),
                charge=price.charge,
            )
        )
    programs = asv.list_programs(session, patient_id)
    chosen_programs = [p for p in programs if program_ids is None or p.id in program_ids]
    setup = QuoteSetup(
        patient_id=patient_id,
        order_id=order.id,
        primary_id=primary.id if primary else None,
        secondary_id=secondary.id if secondary else None,
        site=site,
        dates=dates,
        lines=tuple(lines),
        primary=engine_coverage(primary) if primary else None,
        secondary=engine_coverage(secondary) if secondary and primary else None,
        program_ids=tuple(p.id for p in chosen_programs),
        programs=tuple(asv.to_engine(p) for p in chosen_programs),
        labels={
            "order": order.label,
            "primary": primary.label if primary else "None (self-pay)",
            "secondary": secondary.label if secondary and primary else "—",
            "programs": "; ".join(p.label for p in chosen_programs) or "—",
            "primary_plan": primary.plan_label if primary else "",
            "secondary_plan": secondary.plan_label if secondary and primary else "",
        },
        price_notes=tuple(notes),
    )
    return with_verification(session, setup, primary, tuple(ln.kind for ln in order.lines))


# --- the verified checklist in the quote -------------------------------------------------------


def with_verification(
    session: Session,
    setup: QuoteSetup,
    primary: cvs.CoverageRecord | None,
    kinds: tuple[str, ...],
) -> QuoteSetup:
    """The setup with what the primary's latest verified checklist changes: per-line drug and
    administration coinsurance, a facility-fee line, copay cards under an accumulator program,
    and "deductible applies" (unless the coverage's terms were edited after that verification).
    ``kinds``: each line's kind ("drug", "admin"), in the setup's order. The facts stay on the
    setup for the quote's notes and warnings (:func:`verified_words`)."""
    if primary is None or setup.primary is None:
        return setup
    facts = vsv.quote_facts(session, primary.id, setup.order_id)
    if facts is None:
        return setup
    coverage = setup.primary
    if primary.terms is None or primary.terms.as_of <= facts.verified_on:
        coverage = vb.apply_to_coverage(facts, coverage)
    lines = vb.apply_to_lines(facts, setup.lines, kinds)
    notes = setup.price_notes
    if len(lines) > len(setup.lines):  # the facility-fee line: its note, in line order
        notes = (*notes, PriceNote(vb.FACILITY_CODE, "verification", per=facts.per))
    return replace(
        setup,
        lines=lines,
        price_notes=notes,
        primary=coverage,
        programs=vb.apply_to_programs(facts, setup.programs),
        verified=facts,
    )


def verified_words(setup: QuoteSetup, result: cs.Quote) -> cs.Quote:
    """The quote with the verified checklist's notes in each visit's explanation (after the
    allowed amount) and its warnings added."""
    facts = setup.verified
    if facts is None:
        return result
    notes = vb.explanation_notes(facts, setup.primary, setup.lines, setup.programs)
    warnings = vb.quote_warnings(
        facts, dates=setup.dates, primary=setup.primary, lines=setup.lines, programs=setup.programs
    )
    visits = tuple(
        replace(v, explanation=(*v.explanation[:1], *notes, *v.explanation[1:]))
        for v in result.visits
    )
    extra = tuple(w for w in warnings if w not in result.warnings)
    return replace(result, visits=visits, warnings=(*result.warnings, *extra))


def _sentence(text: str) -> str:
    text = text.strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith(".") else text + "."


def compute(setup: QuoteSetup) -> cs.Quote:
    """Run the engine; a combination it refuses raises ValidationFailed keyed by the field's
    path ("primary.deductible_met", "secondary", "from_date")."""
    for which, cov in (("primary", setup.primary), ("secondary", setup.secondary)):
        if cov is not None:
            problem = cs.check_coverage(cov)
            if problem:
                raise ValidationFailed(
                    {f"{which}.{problem[0]}": _sentence(problem[1])},
                    title="Check the quote's terms",
                )
    problem = cs.check_pairing(setup.primary, setup.secondary)
    if problem:
        raise ValidationFailed(
            {problem[0]: _sentence(problem[1])}, title="Check the quote's coverages"
        )
    if not setup.dates:
        raise ValidationFailed(
            {
                "from_date": "No planned visit on or after the chosen date: pick an earlier "
                "date, or plan visits on the therapy order."
            },
            title="Nothing to quote",
        )
    figures = yearly_figures()
    problem = cs.check_figures(setup.request(), figures)
    if problem:
        raise ValidationFailed({problem[0]: _sentence(problem[1])}, title="Check the quote's terms")
    return verified_words(setup, cs.quote(setup.request(), figures))


_SITE_WORDS = {
    "infusion_center": "infusion center",
    "hospital_outpatient": "hospital outpatient",
    "home": "home infusion",
}


def warning_text(warning: str) -> str:
    """An engine warning as the screen says it: the engine names fields as in the JSON
    contract ("assistance[0] (Copay card):", "primary:"); people read the program's name and
    "Primary plan:". The engine's warnings are the quote contract's strings, so this reading
    stays next to the engine's caller, never in a screen."""
    text = re.sub(r"^assistance\[\d+\] \(([^)]*)\):", r"\1:", warning)
    text = re.sub(r"^(primary|secondary): ", lambda m: f"{m.group(1).capitalize()} plan: ", text)
    for key, words in _SITE_WORDS.items():
        text = text.replace(f"({key})", f"({words})")
    return text


# --- figures as the screens show them (typed; never the JSON read back by a screen) ---------


@dataclass(frozen=True)
class Figures:
    """One row of figures: a visit, a plan year or the whole course (``visits``: how many)."""

    allowed: Decimal
    insurance: Decimal  # what the plans pay together (primary + secondary)
    assistance_paid: Decimal
    patient_owes: Decimal
    patient_owes_before_assistance: Decimal
    balance_bill: Decimal
    visits: int = 1


@dataclass(frozen=True)
class VisitFigures:
    on: date
    plan_year: str
    figures: Figures
    explanation: tuple[str, ...] = ()


@dataclass(frozen=True)
class YearFigures:
    plan_year: str
    figures: Figures


@dataclass(frozen=True)
class QuoteFigures:
    """A computed or saved quote's figures: each visit, each plan year, the course, warnings."""

    visits: tuple[VisitFigures, ...]
    plan_years: tuple[YearFigures, ...]
    totals: Figures
    warnings: tuple[str, ...] = ()


def _figures(t: cs.Totals | cs.VisitQuote, visits: int = 1) -> Figures:
    return Figures(
        allowed=t.allowed,
        insurance=t.primary_paid + t.secondary_paid,
        assistance_paid=t.assistance_paid,
        patient_owes=t.patient_owes,
        patient_owes_before_assistance=t.patient_owes_before_assistance,
        balance_bill=t.balance_bill,
        visits=visits,
    )


def figures(q: cs.Quote) -> QuoteFigures:
    """A computed quote's figures for a screen."""
    return QuoteFigures(
        visits=tuple(
            VisitFigures(v.date, str(v.plan_year), _figures(v), tuple(v.explanation))
            for v in q.visits
        ),
        plan_years=tuple(
            YearFigures(str(y.plan_year), _figures(y.totals, y.totals.visits)) for y in q.plan_years
        ),
        totals=_figures(q.totals, q.totals.visits),
        warnings=tuple(q.warnings),
    )


def _saved_figures(row: dict[str, Any], visits: int = 1) -> Figures:
    def d(name: str) -> Decimal:
        return Decimal(str(row.get(name, "0")))

    return Figures(
        allowed=d("allowed"),
        insurance=d("primary_paid") + d("secondary_paid"),
        assistance_paid=d("assistance_paid"),
        patient_owes=d("patient_owes"),
        patient_owes_before_assistance=d("patient_owes_before_assistance"),
        balance_bill=d("balance_bill"),
        visits=int(row.get("visits", visits)),
    )


def saved_figures(result: dict[str, Any]) -> QuoteFigures:
    """A saved quote's figures as they were saved (its result JSON, read here once)."""
    return QuoteFigures(
        visits=tuple(
            VisitFigures(
                date.fromisoformat(v["date"]),
                str(v["plan_year"]),
                _saved_figures(v),
                tuple(v.get("explanation", ())),
            )
            for v in result.get("visits", [])
        ),
        plan_years=tuple(
            YearFigures(str(y["plan_year"]), _saved_figures(y))
            for y in result.get("plan_years", [])
        ),
        totals=_saved_figures(result.get("totals", {}), len(result.get("visits", []))),
        warnings=tuple(result.get("warnings", ())),
    )


@dataclass(frozen=True)
class QuoteSummary:
    id: int
    number: int
    title: str
    order_id: int | None
    created_at: datetime
    created_by: str
    patient_owes: Decimal


@dataclass(frozen=True)
class SavedQuoteRecord:
    summary: QuoteSummary
    patient_id: int
    request: dict[str, Any]  # the contract's request JSON
    result: dict[str, Any]  # the contract's result JSON
    context: dict[str, Any]  # labels, site, coverage ids, price notes

    @property
    def figures(self) -> QuoteFigures:
        """The figures as saved, typed."""
        return saved_figures(self.result)


def save_quote(
    session: Session, actor: Actor, setup: QuoteSetup, *, title: str = ""
) -> SavedQuoteRecord:
    """Compute and keep a numbered, unchangeable snapshot (re-quoting makes the next number)."""
    require(actor, Permission.QUOTES)
    result = compute(setup)
    number = 1 + (
        session.scalar(
            select(func.max(SavedQuote.number)).where(
                SavedQuote.patient_id == setup.patient_id,
                SavedQuote.order_id.is_(None)
                if setup.order_id is None
                else SavedQuote.order_id == setup.order_id,
            )
        )
        or 0
    )
    context = {
        "site": setup.site,
        "primary_id": setup.primary_id,
        "secondary_id": setup.secondary_id,
        "program_ids": list(setup.program_ids),
        "labels": setup.labels,
        "price_notes": [n.to_json() for n in setup.price_notes],
    }
    if setup.verified is not None:
        context["verified"] = setup.verified.to_json()
    row = SavedQuote(
        patient_id=setup.patient_id,
        order_id=setup.order_id,
        number=number,
        title=title.strip() or f"Quote {number}",
        request=json.dumps(qr.request_to_json(setup.request()), ensure_ascii=False),
        result=json.dumps(qr.result_to_json(result, setup.primary), ensure_ascii=False),
        context=json.dumps(context, ensure_ascii=False),
        patient_owes=result.totals.patient_owes,
        created_by=actor.name,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "create",
        "quote",
        row.id,
        patient_id=setup.patient_id,
        detail={"number": number},
    )
    return _record(row)


def _summary(row: SavedQuote) -> QuoteSummary:
    return QuoteSummary(
        row.id,
        row.number,
        row.title,
        row.order_id,
        row.created_at,
        row.created_by,
        row.patient_owes,
    )


def _record(row: SavedQuote) -> SavedQuoteRecord:
    return SavedQuoteRecord(
        _summary(row),
        row.patient_id,
        json.loads(row.request),
        json.loads(row.result),
        json.loads(row.context),
    )


def list_quotes(session: Session, patient_id: int) -> list[QuoteSummary]:
    stmt = (
        select(SavedQuote).where(SavedQuote.patient_id == patient_id).order_by(SavedQuote.id.desc())
    )
    return [_summary(r) for r in session.scalars(stmt)]


def get_quote(session: Session, quote_id: int) -> SavedQuoteRecord:
    row = session.get(SavedQuote, quote_id)
    if row is None:
        raise NotFound("This saved quote no longer exists.")
    return _record(row)


def setup_from_saved(rec: SavedQuoteRecord) -> QuoteSetup:
    """A saved quote's inputs, to look at again or to start a new version from."""
    request = qr.request_from_json(rec.request)
    ctx = rec.context
    return QuoteSetup(
        patient_id=rec.patient_id,
        order_id=rec.summary.order_id,
        primary_id=ctx.get("primary_id"),
        secondary_id=ctx.get("secondary_id"),
        site=ctx.get("site", ""),
        dates=request.dates,
        lines=request.lines,
        primary=request.primary,
        secondary=request.secondary,
        program_ids=tuple(ctx.get("program_ids", ())),
        programs=request.assistance,
        labels=dict(ctx.get("labels", {})),
        price_notes=tuple(PriceNote.from_json(n) for n in ctx.get("price_notes", ())),
        verified=vb.QuoteFacts.from_json(ctx["verified"]) if ctx.get("verified") else None,
    )


def with_changes(setup: QuoteSetup, **changes: Any) -> QuoteSetup:
    """The setup with some inputs changed (what-if)."""
    return replace(setup, **changes)
