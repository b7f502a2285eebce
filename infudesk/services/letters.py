"""Documents from what the database holds: the latest relevant record of a patient becomes the
plain data a PDF builder takes. Every print and save is recorded (what, for whom, who, when)."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Literal

from sqlalchemy.orm import Session

from infudesk import documents
from infudesk.documents import data as dd
from infudesk.documents import text as tx
from infudesk.documents.cost_letter import visits_from_quote
from infudesk.documents.data import letter_language as letter_language
from infudesk.domain import costshare as cs
from infudesk.domain import coverage as dc
from infudesk.domain import patients as dp
from infudesk.domain import prior_auth as pa
from infudesk.domain import readiness as rd
from infudesk.domain import verification as dv
from infudesk.domain.assistance import PROGRAM_KINDS
from infudesk.domain.money import format_percent, format_quantity
from infudesk.domain.orders import ROUTE_LABELS, SITE_LABELS
from infudesk.domain.validation import format_phone
from infudesk.errors import UserError
from infudesk.services import audit, outputs, settings
from infudesk.services import coverages as cvs
from infudesk.services import orders as ors
from infudesk.services import patients as ps
from infudesk.services import payers as pys
from infudesk.services import prior_auths as pas
from infudesk.services import quotes as qsv
from infudesk.services import readiness as rsv
from infudesk.services import verifications as vs
from infudesk.services.access import Permission, require
from infudesk.services.audit import Actor

KINDS: dict[str, str] = {
    "cost-letter": "Patient cost letter",
    "gfe": "Good Faith Estimate",
    "pa-packet": "Prior-authorization packet",
    "appeal": "Appeal letter",
    "verification": "Verification summary",
}


@dataclass(frozen=True)
class Letter:
    kind: str
    patient_id: int
    title: str
    filename: str
    pdf: bytes


def letterhead(session: Session) -> dd.Letterhead:
    def get(key: str) -> str:
        return str(settings.get(session, key) or "")

    logo = get("center.logo")
    return dd.Letterhead(
        name=get("center.name"),
        address_lines=tuple(line for line in get("center.address").splitlines() if line.strip()),
        phone=format_phone(get("center.phone")),
        fax=format_phone(get("center.fax")),
        npi=get("center.npi"),
        tin=get("center.tin"),
        logo=Path(logo) if logo and Path(logo).is_file() else None,
    )


def _contact(session: Session, lang: str = "en") -> dd.Contact:
    """Whom to call. A Spanish document takes the Spanish name and hours; without them it
    keeps only the person's name (before the comma of "Ana Ruiz, financial counselor") and
    leaves the hours out, so that no English reaches a Spanish letter."""
    phone = str(
        settings.get(session, "center.contact_phone") or settings.get(session, "center.phone")
    )
    name = str(settings.get(session, "center.contact_name"))
    hours = str(settings.get(session, "center.contact_hours"))
    if lang == "es":
        spanish = str(settings.get(session, "center.contact_name_es"))
        if not spanish:
            default = name == settings.DEFAULTS["center.contact_name"]
            spanish = "Asesoría financiera" if default else name.split(",")[0]
        name = spanish
        hours = str(settings.get(session, "center.contact_hours_es"))
    return dd.Contact(name=name, phone=format_phone(phone), hours=hours)


def _patient(
    session: Session, patient_id: int, *, payer: bool = False
) -> tuple[dd.PatientInfo, ps.PatientRecord]:
    """The patient as a document names them: the legal name on patient letters; on payer
    documents (``payer``) the name as on the insurance card, with the legal name beside it
    when it differs."""
    rec = ps.get_patient(session, patient_id)
    d = rec.data
    assert d.birth_date is not None
    legal = dp.legal_name(d)
    name = dp.card_name(d) if payer else legal
    return dd.PatientInfo(
        name=name,
        birth_date=d.birth_date,
        mrn=d.mrn,
        language=d.preferred_language,
        legal_name=legal if payer and legal != name else "",
    ), rec


def _language(lang: str | None, info: dd.PatientInfo) -> dd.Language:
    """The asked language (checked by ``render``), else the patient's letter language."""
    return "es" if (lang or dd.letter_language(info.language)) == "es" else "en"


def _site_label(site: str, lang: str = "en") -> str:
    if lang == "es":
        return tx.SITES_ES.get(site, site)
    return SITE_LABELS.get(site, site)


def _home_address(rec: ps.PatientRecord) -> tuple[str, ...]:
    d = rec.data
    city = f"{d.city}, {d.state} {d.zip_code}".strip(", ")
    return tuple(x for x in (d.address_line1, d.address_line2, city) if x.strip())


def _line_label(ln: object, drug: str, lang: str) -> str:
    """A billing line's label in the document's language (Spanish from our own table)."""
    code, modifier, label, kind = (getattr(ln, a) for a in ("code", "modifier", "label", "kind"))
    if lang != "es":
        return str(label or code)
    if kind == "drug":
        table = tx.DRUG_DISCARDED if modifier == "JW" else tx.DRUG_GIVEN
        return table["es"].format(drug=drug)
    return tx.CODE_LABELS_ES.get(str(code), tx.CODE_FALLBACK_ES.format(code=code))


# --- the quote engine's warnings on a patient letter -----------------------------------------

_NOTICE_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(
            r"^(primary|secondary): the course runs into plan year .* \(from (\d{4}-\d\d-\d\d)\)"
        ),
        "new_plan_year",
    ),
    (
        re.compile(r"^assistance\[\d+\] \(.*\): the grant expires on (\d{4}-\d\d-\d\d)"),
        "grant_expires",
    ),
    (re.compile(r"^assistance\[\d+\] \(.*\): not applied: "), "card_not_used"),
    (
        re.compile(r"^\w+\.deductible: the Part B deductible for (\d{4}) is (\$[\d,.]+)"),
        "part_b_deductible",
    ),
    (
        re.compile(r"^\w+\.coinsurance: Original Medicare's coinsurance is 20%"),
        "part_b_coinsurance",
    ),
    (
        re.compile(r"^\w+\.oop_max: Original Medicare has no out-of-pocket maximum"),
        "medicare_no_oop",
    ),
    (re.compile(r"^\w+\.(family\.)?oop_max: .* is above the "), "oop_above_limit"),
    (
        re.compile(r"^\w+: the out-of-pocket maximum .* is below the deductible"),
        "oop_below_deductible",
    ),
)


def _match(warning: str) -> tuple[str, re.Match[str]] | None:
    """The rule a warning matches: (its key, the match), or None."""
    for pattern, key in _NOTICE_RULES:
        hit = pattern.match(warning)
        if hit:
            return key, hit
    return None


def _notice_pairs(
    warnings: Sequence[str], language: dd.Language
) -> tuple[list[tuple[str, str]], list[str]]:
    """(key, plain words) for each explained warning, and the warnings left unexplained."""
    t = tx.NOTICES[language]
    out: list[tuple[str, str]] = []
    unexplained: list[str] = []
    for warning in warnings:
        found = _match(warning)
        if found is None:
            unexplained.append(warning)
            continue
        key, hit = found
        if key == "new_plan_year":
            day = date.fromisoformat(hit.group(2))
            roles = {
                m.group(1)
                for w in warnings
                if (f := _match(w)) and f[0] == key and (m := f[1]).group(2) == hit.group(2)
            }
            if len(roles) > 1:  # both coverages renew that day: one sentence for the two
                text = t.new_plan_year_both.format(date=tx.long_date(day, language))
            else:
                which = t.primary_plan if hit.group(1) == "primary" else t.second_plan
                text = t.new_plan_year.format(which=which, date=tx.long_date(day, language))
                key = f"new_plan_year:{hit.group(1)}"
        elif key == "grant_expires":
            text = t.grant_expires.format(
                date=tx.long_date(date.fromisoformat(hit.group(1)), language)
            )
        elif key == "part_b_deductible":
            text = t.part_b_deductible.format(year=hit.group(1), amount=hit.group(2))
        else:
            text = str(getattr(t, key))
        if all(text != x for _, x in out):
            out.append((key, text))
    return out, unexplained


def patient_notices(warnings: Sequence[str], lang: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The engine's warnings in plain words for a patient letter (in ``lang``), and the
    warnings that have no plain wording (a letter cannot be built with those unless they are
    overridden)."""
    pairs, unexplained = _notice_pairs(warnings, "es" if lang == "es" else "en")
    return tuple(text for _, text in pairs), tuple(unexplained)


def _notices(
    warnings: Sequence[str], lang: str, override: bool
) -> tuple[list[tuple[str, str]], tuple[str, ...]]:
    """((key, notice) pairs to print, warnings overridden). Refuses a letter whose warnings
    can be neither printed in plain words nor are explicitly overridden."""
    if override:
        return [], tuple(warnings)
    pairs, unexplained = _notice_pairs(warnings, "es" if lang == "es" else "en")
    if unexplained:
        raise UserError(
            "This estimate has a warning the letter cannot explain in plain words: "
            f"“{unexplained[0]}”. Correct the figures, or print it with the warnings "
            "overridden (the override is recorded).",
            title="Check the estimate first",
        )
    return pairs, ()


def _order(session: Session, patient_id: int) -> ors.OrderRecord:
    orders = ors.list_orders(session, patient_id, include_ended=False)
    if not orders:
        raise UserError(
            "This patient has no therapy order: add one before printing.", title="Nothing to print"
        )
    return orders[0]


ROUTE_WORDS = {
    "en": {"iv": "by IV infusion", "sc": "by subcutaneous infusion", "im": "by injection"},
    "es": {"iv": "por vía intravenosa", "sc": "por vía subcutánea", "im": "en inyección"},
}


def _service(order: ors.OrderRecord, lang: str = "en") -> str:
    """'infliximab (Remicade) 360 mg by IV infusion, about 120 minutes' (or in Spanish)."""
    d = order.data
    dose = f"{format_quantity(d.dose_in_mg())} mg"
    words = ROUTE_WORDS["es" if lang == "es" else "en"]
    route = words.get(d.route, d.route)
    about = f"unos {d.minutes} minutos" if lang == "es" else f"about {d.minutes} minutes"
    return f"{d.drug_name} {dose} {route}, {about}"


def _prior_auth_state(
    session: Session, patient_id: int, order_id: int, today: date, coverage_id: int | None = None
) -> dd.PriorAuthState:
    """From the patient's prior-auth cases; without one, from the latest verification's answer
    to "prior authorization required?" (no → not required; yes → still to be obtained)."""
    cases = [
        c for c in pas.list_cases(session, today=today, patient_id=patient_id) if c.order_label
    ]
    if not cases and coverage_id is not None:
        for ver, _cov, _order in vs.list_for_patient(session, patient_id):  # newest first
            if ver.coverage_id == coverage_id and ver.status == dv.Status.VERIFIED:
                answer = ver.answers.get("pa_required", "").strip().lower()
                if answer in ("no", "n", "false"):
                    return "not_required"
                if answer in ("yes", "y", "true"):
                    return "pending"
                break
    for c in cases:
        if c.state in pa.APPROVAL_STATES:
            return "approved"
        if c.state in (pa.State.DENIED, pa.State.APPEAL_DENIED):
            return "denied"
        if c.state in (
            pa.State.SUBMITTED,
            pa.State.PENDING,
            pa.State.APPEAL_SUBMITTED,
            pa.State.DRAFT,
            pa.State.EXTERNAL_REVIEW,
        ):
            return "pending"
    return "unknown"


# --- where a patient letter's figures come from ----------------------------------------------


@dataclass(frozen=True)
class Source:
    """Where a patient letter's figures come from: computed now (``quote_id`` None: today's
    terms and accumulators, the visits from today on) or the saved quote ``quote_id``.
    ``accept_stale``: the user was told why that saved quote may be out of date
    (:func:`stale_reasons`) and chose it anyway."""

    quote_id: int | None = None
    accept_stale: bool = False
    # computed now with the inputs chosen on the Quotes screen (order, coverages, site,
    # programs) instead of the default quote; its visits must all be from today on
    setup: qsv.QuoteSetup | None = None


NOW = Source()

StaleKind = Literal["past_visits", "coverage", "terms", "order", "verification", "figures"]


@dataclass(frozen=True)
class StaleReason:
    """Why a saved quote may no longer be true: what changed after it was made (and when)."""

    kind: StaleKind
    text: str
    on: date | None = None


class StaleQuote(UserError):
    """A saved quote that may be out of date was asked for without ``accept_stale``: the UI
    asks the user (showing ``reasons``), then asks again with ``accept_stale=True`` or
    computes now."""

    def __init__(self, quote_id: int, number: int, made_on: date, reasons: Sequence[StaleReason]):
        self.quote_id = quote_id
        self.number = number
        self.made_on = made_on
        self.reasons = tuple(reasons)
        super().__init__(
            f"Saved quote {number} was made on {made_on:%m/%d/%Y} and may be out of date: "
            + "; ".join(r.text for r in self.reasons)
            + ". Print the figures computed now, or confirm this saved quote.",
            title="This saved quote may be out of date",
        )


@dataclass(frozen=True)
class LetterFigures:
    """The quote a patient letter prints: its inputs and figures, and for a saved quote its
    number and the local day it was made (None: computed on the letter's day)."""

    setup: qsv.QuoteSetup
    result: cs.Quote
    number: int | None = None
    made_on: date | None = None
    quote_id: int | None = None


def _local_day(at: datetime) -> date:
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone().date()


def _utc(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _changed_after(day: date | None, at: datetime | None, made: datetime) -> bool:
    """Whether a change recorded on business day ``day`` (at ``at``) came after a quote made
    at ``made``: a later day, or the same day at a later time. The business day is the one the
    services were told (``today``), which the demo can set apart from the clock: a timestamp
    decides only when it falls on that same day."""
    if day is None:
        return False
    made_day = _local_day(made)
    if day != made_day:
        return day > made_day
    return at is not None and _local_day(at) == day and _utc(at) > _utc(made)


def stale_reasons(session: Session, quote_id: int, *, today: date) -> tuple[StaleReason, ...]:
    """Why the saved quote may no longer be true today: it includes visits before today, or
    the patient's coverages, their terms, the order (or its visits) or a verification changed
    after it was made, or the same inputs no longer give the same figures."""
    from sqlalchemy import select

    from infudesk.store.models import BenefitTerms, Coverage, TherapyOrder, Verification

    rec = qsv.get_quote(session, quote_id)
    made = rec.summary.created_at
    setup = qsv.setup_from_saved(rec)
    out: list[StaleReason] = []
    past = [d for d in setup.dates if d < today]
    if past:
        out.append(
            StaleReason(
                "past_visits",
                f"it includes {len(past)} visit{'s' if len(past) != 1 else ''} before today "
                f"(from {past[0]:%m/%d/%Y})",
                past[0],
            )
        )

    def add(kind: StaleKind, days: list[date], words: str) -> None:
        if days:
            when = max(days)
            out.append(StaleReason(kind, words.format(when=f"{when:%m/%d/%Y}"), when))

    covs = list(session.scalars(select(Coverage).where(Coverage.patient_id == rec.patient_id)))
    ids = [c.id for c in covs]
    add(
        "coverage",
        [
            c.changed_on
            for c in covs
            if c.changed_on and _changed_after(c.changed_on, c.updated_at, made)
        ],
        "a coverage changed on {when}",
    )
    terms = (
        list(session.scalars(select(BenefitTerms).where(BenefitTerms.coverage_id.in_(ids))))
        if ids
        else []
    )
    add(
        "terms",
        [t.as_of for t in terms if _changed_after(t.as_of, t.recorded_at, made)],
        "new plan terms were recorded on {when}",
    )
    orders = session.scalars(select(TherapyOrder).where(TherapyOrder.patient_id == rec.patient_id))
    add(
        "order",
        [
            o.changed_on
            for o in orders
            if o.changed_on and _changed_after(o.changed_on, o.updated_at, made)
        ],
        "the therapy order changed on {when}",
    )
    vers = (
        list(session.scalars(select(Verification).where(Verification.coverage_id.in_(ids))))
        if ids
        else []
    )
    add(
        "verification",
        [
            v.completed_on
            for v in vers
            if v.completed_on and _changed_after(v.completed_on, v.updated_at, made)
        ],
        "benefits were verified again on {when}",
    )
    try:
        again = qsv.compute(setup).totals.patient_owes
    except UserError:
        again = None
    saved = Decimal(str(rec.result.get("totals", {}).get("patient_owes", "0")))
    if again is not None and again != saved:
        out.append(
            StaleReason(
                "figures",
                f"the same inputs now give ${again:,.2f}, not ${saved:,.2f} (yearly figures "
                "changed)",
            )
        )
    return tuple(out)


def letter_figures(
    session: Session,
    patient_id: int,
    *,
    today: date,
    source: Source = NOW,
    self_pay: bool = False,
) -> LetterFigures:
    """The quote a patient letter prints (see :class:`Source`). ``self_pay``: a Good Faith
    Estimate's, computed without coverages (a saved quote must be a self-pay one)."""
    if source.quote_id is None and source.setup is not None:
        setup = source.setup
        if setup.patient_id != patient_id:
            raise UserError("These figures belong to another patient.")
        if any(d < today for d in setup.dates):
            raise UserError(
                "These figures include visits before today: quote from today on, or save them "
                "and print the saved quote.",
                title="Past visits in the quote",
            )
        if self_pay and setup.primary is not None:
            raise UserError(
                "A Good Faith Estimate is for self-pay figures: choose no coverage.",
                title="Not a self-pay quote",
            )
        return LetterFigures(setup, qsv.compute(setup))
    if source.quote_id is None:
        setup = qsv.prepare(
            session,
            patient_id,
            today=today,
            **({"primary_id": None, "secondary_id": None} if self_pay else {}),
        )
        return LetterFigures(setup, qsv.compute(setup))
    rec = qsv.get_quote(session, source.quote_id)
    if rec.patient_id != patient_id:
        raise UserError("This saved quote belongs to another patient.")
    setup = qsv.setup_from_saved(rec)
    if self_pay and setup.primary is not None:
        raise UserError(
            f"Saved quote {rec.summary.number} bills a coverage: a Good Faith Estimate is for "
            "self-pay figures. Print it from the figures computed now, or save a self-pay quote.",
            title="Not a self-pay quote",
        )
    made_on = _local_day(rec.summary.created_at)
    if not source.accept_stale:
        reasons = stale_reasons(session, rec.summary.id, today=today)
        if reasons:
            raise StaleQuote(rec.summary.id, rec.summary.number, made_on, reasons)
    return LetterFigures(setup, qsv.compute(setup), rec.summary.number, made_on, rec.summary.id)


def readiness_lines(found: Sequence[rd.Finding], site: str, lang: dd.Language) -> tuple[str, ...]:
    """The readiness findings that matter to the patient, in plain words (in ``lang``)."""
    words = tx.READINESS[lang]
    places = tx.SITE_PHRASES[lang]
    out: list[str] = []
    for f in found:
        if not f.patient or f.kind.value not in words:
            continue
        key: str = f.kind.value
        other = places.get(f.fix.site, "") if f.fix.site else ""
        if f.kind is rd.Kind.SITE_DENIED and not other:
            key = "site_denied_no_other"
        text = words[key].format(
            site=places.get(f.site or site, f.site or site),
            other=other,
            visit=tx.long_date(f.visits[0], lang),
        )
        if text not in out:
            out.append(text)
    return tuple(out)


def cost_letter_data(
    session: Session,
    patient_id: int,
    *,
    today: date,
    lang: str | None = None,
    override_warnings: bool = False,
    source: Source = NOW,
) -> dd.CostLetterData:
    """The cost letter of the quote ``source`` names: computed now (the default: today's terms
    and accumulators, the order's planned visits from today on — the Quotes screen's default
    quote) or a saved quote, printed with its number and the day it was made. A saved quote
    that may be out of date is refused with :class:`StaleQuote` unless the source accepts it.
    The quote's warnings are printed in plain words, unless ``override_warnings`` leaves them
    off (``render`` records that in the audit trail); what could still change the figures
    (:mod:`infudesk.domain.readiness`) is printed in plain words too."""
    info, _ = _patient(session, patient_id)
    figures = letter_figures(session, patient_id, today=today, source=source)
    setup, result = figures.setup, figures.result
    order = (
        ors.get_order(session, setup.order_id) if setup.order_id else _order(session, patient_id)
    )
    coverages: list[dd.CoverageLine] = []
    for cid in (setup.primary_id, setup.secondary_id):
        if cid:
            c = cvs.get_coverage(session, cid)
            coverages.append(
                dd.CoverageLine(
                    payer=c.payer_name,
                    plan=c.data.plan_name or c.payer_name,
                    member_id=c.data.member_id,
                )
            )
    p = setup.primary
    terms = None
    if p is not None:
        terms = dd.PlanTerms(
            deductible=p.deductible,
            deductible_met=p.deductible_met,
            coinsurance=p.coinsurance,
            copay=p.copay or None,
            oop_max=p.oop_max,
            oop_met=p.oop_met,
        )
    paid = _assistance_by_program(result)
    verified = None
    if setup.primary_id:
        rows = [
            w
            for w in vs.worklist(session, today=today, patient_id=patient_id)
            if w.coverage_id == setup.primary_id
        ]
        dates = [w.verified_on for w in rows if w.verified_on]
        verified = max(dates) if dates else None
    language = _language(lang, info)
    disclaimer = str(settings.get(session, f"letters.disclaimer_{language}") or "") or None
    start = p.plan_year_start if p else cs.MonthDay(1, 1)
    pairs, overridden = _notices(result.warnings, language, override_warnings)
    ready = rsv.gather(session, setup, today=today).findings if setup.primary else ()
    prior_auth: dd.PriorAuthState = (
        "not_required"
        if setup.primary is None
        else rd.prior_auth_word(ready)
        or _prior_auth_state(session, patient_id, order.id, today, setup.primary_id)
    )
    # the primary's new plan year is already a line of the letter: the assumption joins it
    assumed = any(key == "new_plan_year:primary" for key, _ in pairs)
    notices = tuple(text for key, text in pairs if key != "new_plan_year:primary")
    center = letterhead(session).name
    place = (
        tx.HOME_PLACE[language].format(center=center) if order.data.site_of_care == "home" else ""
    )
    return dd.CostLetterData(
        letterhead=letterhead(session),
        patient=info,
        issued_on=today,
        service=_service(order, language),
        visits=visits_from_quote(result, p.oop_max if p else None),
        contact=_contact(session, language),
        coverages=tuple(coverages),
        terms=terms,
        every_days=order.data.every_days,
        plan_year_start=(start.month, start.day),
        assistance=tuple(
            dd.AssistanceApplied(_program_label(n, k, language), a)
            for (n, k), a in paid.items()
            if a > 0
        ),
        prior_auth=prior_auth,
        benefits_verified_on=verified,
        disclaimer=disclaimer,
        language=language,
        place=place,
        notices=notices,
        warnings_overridden=overridden,
        same_terms_assumed=assumed,
        open_items=readiness_lines(ready, setup.site, language),
        quote_number=figures.number,
        made_on=figures.made_on,
    )


def gfe_data(
    session: Session,
    patient_id: int,
    *,
    today: date,
    lang: str | None = None,
    override_warnings: bool = False,
    source: Source = NOW,
) -> dd.GoodFaithEstimateData:
    """The Good Faith Estimate for a self-pay course, in the patient's language; a home course
    names the patient's home as the place of care.

    Its figures are those of a self-pay quote: computed now (the order's planned visits from
    today on, the self-pay prices, the patient's assistance) or a saved self-pay quote (with
    its number and day). One line per service and visit date (the Date column), then one
    adjustment line per assistance program with its basis ("Sliding-scale discount, 50% of
    the self-pay price"), so that the provider's total is what the patient owes after the
    discount. A line set that does not add up to the quote's total is refused."""
    info, rec = _patient(session, patient_id)
    language = _language(lang, info)
    figures = letter_figures(session, patient_id, today=today, source=source, self_pay=True)
    setup, result = figures.setup, figures.result
    order = (
        ors.get_order(session, setup.order_id) if setup.order_id else _order(session, patient_id)
    )
    dates = tuple(v.date for v in result.visits)
    drug = order.data.drug_name
    kinds = {
        (f"{ln.code}-{ln.modifier}" if ln.modifier == "JW" else ln.code): ln for ln in order.lines
    }
    lines = tuple(
        dd.GfeLine(
            service=_line_label(kinds[sl.code], drug, language) if sl.code in kinds else sl.code,
            diagnosis_code=order.data.diagnosis,
            service_code=sl.code.split("-")[0],
            code_type="HCPCS" if sl.code[0].isalpha() else "CPT",
            quantity=sl.units,
            expected_cost=sl.allowed,
            date=day,
        )
        for day in dates
        for sl in setup.lines
    )
    percents = {p.name: p.percent for p in setup.programs if isinstance(p, cs.Discount)}
    adjustments = tuple(
        dd.GfeAdjustment(
            label=_adjustment_label(name, kind, percents.get(name), language), amount=-amount
        )
        for (name, kind), amount in _assistance_by_program(result).items()
        if amount > 0
    )
    head = letterhead(session)
    state = str(settings.get(session, "center.state") or "")
    home = order.data.site_of_care == "home"
    contact = _contact(session, language)
    d = rec.data
    address = _home_address(rec)
    provider = dd.GfeProvider(
        name=head.name,
        kind=tx.PROVIDER_KINDS[language]["home" if home else "facility"],
        npi=head.npi,
        tin=head.tin,
        address_lines=address if home else head.address_lines,
        state=(d.state or state) if home else state,
        place=_site_label(order.data.site_of_care, language),
        lines=lines,
        adjustments=adjustments,
        contact=f"{contact.name}, {contact.phone}",
    )
    expected = sum((ln.expected_cost for ln in lines), Decimal(0)) + sum(
        (a.amount for a in adjustments), Decimal(0)
    )
    if expected != result.totals.patient_owes:
        raise UserError(
            f"The estimate's lines add up to ${expected:,.2f}, not the quote's "
            f"${result.totals.patient_owes:,.2f}: check the prices and programs on the Quotes "
            "screen before printing.",
            title="The estimate does not add up",
        )
    pairs, overridden = _notices(result.warnings, language, override_warnings)
    notices = tuple(text for _, text in pairs)
    return dd.GoodFaithEstimateData(
        letterhead=head,
        patient=info,
        issued_on=today,
        primary_service=_service(order, language),
        diagnoses=(dd.Diagnosis(order.data.diagnosis),),
        providers=(provider,),
        service_dates=dates,
        separately_scheduled=(tx.SEPARATELY_SCHEDULED[language],),
        requested_on=today,
        covers_through=min(today + timedelta(days=365), dates[-1]) if dates else None,
        patient_address_lines=address,
        patient_phone=format_phone(d.phone_mobile or d.phone_home),
        patient_email=d.email,
        contact=contact,
        language=language,
        notices=notices,
        warnings_overridden=overridden,
        quote_number=figures.number,
        made_on=figures.made_on,
    )


def _adjustment_label(name: str, kind: str, percent: Decimal | None, lang: str) -> str:
    """An assistance line of the GFE with its basis: a discount says its percentage."""
    label = _program_label(name, kind, lang)
    if kind == "discount" and percent:
        rate = format_percent(percent)
        basis = f"{rate} del precio sin seguro" if lang == "es" else f"{rate} of the self-pay price"
        return f"{label} ({basis})"
    return label


def _assistance_by_program(result: cs.Quote) -> dict[tuple[str, str], Decimal]:
    """What each assistance program pays over the course, by (name, kind)."""
    out: dict[tuple[str, str], Decimal] = {}
    for v in result.visits:
        for a in v.assistance:
            out[(a.name, a.kind)] = out.get((a.name, a.kind), Decimal(0)) + a.amount
    return out


def _program_label(name: str, kind: str, lang: str) -> str:
    """A program on a document: its own name in English. In Spanish, the Spanish name of its
    kind, followed by the program's own name in quotes for a third party's program (a copay
    card or a grant, which the patient may need to name); a center's discount is only
    described (its name is the site's English wording: "Sliding-scale discount")."""
    if lang == "es":
        label = tx.PROGRAM_KINDS_ES.get(kind, "Ayuda financiera")
        return f"{label} («{name}»)" if name and kind != "discount" else label
    return name or PROGRAM_KINDS.get(kind, kind)


def _case(
    session: Session, patient_id: int, today: date, *, denied: bool, case_id: int | None = None
) -> pas.CaseRecord:
    if case_id is not None:
        case = pas.get_case(session, case_id)
        if case.patient_id != patient_id:
            raise UserError("This case belongs to another patient.")
        if denied and case.case.denied_on is None:
            raise UserError(
                "This case has not been denied: there is nothing to appeal.",
                title="Nothing to print",
            )
        return case
    rows = pas.list_cases(session, today=today, patient_id=patient_id, include_closed=True)
    if denied:
        rows = [r for r in rows if r.state in (pa.State.DENIED, pa.State.APPEAL_DENIED)]
    if not rows:
        what = "denied prior authorization" if denied else "prior-authorization case"
        raise UserError(f"This patient has no {what} to print.", title="Nothing to print")
    return pas.get_case(session, max(r.id for r in rows))


def _provider(order: ors.OrderRecord) -> dd.Provider:
    return dd.Provider(name=order.data.provider_name, npi=order.data.provider_npi)


def pa_packet_data(
    session: Session,
    patient_id: int,
    *,
    today: date,
    lang: str | None = None,
    case_id: int | None = None,
) -> dd.PaPacketData:
    info, rec = _patient(session, patient_id, payer=True)
    case = _case(session, patient_id, today, denied=False, case_id=case_id)
    order = ors.get_order(session, case.order_id) if case.order_id else _order(session, patient_id)
    cov = cvs.get_coverage(session, case.coverage_id)
    payer = pys.get_payer(session, cov.data.payer_id or 0)
    # the dates and the count come from the same visits: the order's course (planned and given)
    requested = sorted(v.on for v in order.visits)
    if not requested:
        raise UserError(
            "This order has no visits to request: plan its visits first.", title="Nothing to print"
        )
    codes = tuple(
        dd.CodeLine(
            code=ln.code + (f"-{ln.modifier}" if ln.modifier else ""),
            description=ln.label,
            units=ln.units,
            code_type="HCPCS" if ln.code[0].isalpha() else "CPT",
        )
        for ln in order.lines
    )
    d = order.data
    per = (
        f"{format_quantity(d.dose)} mg/kg ({format_quantity(d.dose_in_mg())} mg)"
        if d.dose_per_kg
        else f"{format_quantity(d.dose_in_mg())} mg"
    )
    return dd.PaPacketData(
        letterhead=letterhead(session),
        patient=info,
        issued_on=today,
        payer=payer.data.name,
        member_id=cov.data.member_id,
        ordering_provider=_provider(order),
        drug=d.drug_name,
        dose=f"{per} {ROUTE_LABELS.get(d.route, d.route)} over {d.minutes} minutes every {d.every_days} days",
        codes=codes,
        diagnoses=(dd.Diagnosis(d.diagnosis),),
        site_of_care=_pa_site(session, d.site_of_care, rec),
        requested_from=requested[0],
        requested_to=requested[-1],
        contents=tuple(pa.DOCUMENT_LABELS[doc.kind] for doc in case.documents if not doc.removed),
        payer_fax=format_phone(payer.data.fax),
        payer_portal=payer.data.portal,
        payer_phone=format_phone(payer.data.phone),
        plan=cov.data.plan_name,
        group_number=cov.data.group_number,
        visits=len(requested),
        urgent=case.case.urgent,
        contact=_contact(session),
    )


def _pa_site(session: Session, site: str, rec: ps.PatientRecord) -> str:
    """The site of care on a payer document: the center, or the patient's home (address)."""
    if site == "home":
        where = ", ".join(_home_address(rec))
        return tx.PATIENT_HOME + (f": {where}" if where else "")
    return f"{letterhead(session).name}, {_site_label(site)}"


def appeal_data(
    session: Session,
    patient_id: int,
    *,
    today: date,
    lang: str | None = None,
    case_id: int | None = None,
) -> dd.AppealData:
    info, _ = _patient(session, patient_id, payer=True)
    case = _case(session, patient_id, today, denied=True, case_id=case_id)
    order = ors.get_order(session, case.order_id) if case.order_id else _order(session, patient_id)
    cov = cvs.get_coverage(session, case.coverage_id)
    payer = pys.get_payer(session, cov.data.payer_id or 0)
    c = case.case
    assert c.denied_on is not None
    window = case.appeal_window  # the denial letter's, else the payer's, else the plan type's
    reference = (
        c.approval.auth_number
        if c.approval
        else f"request of {c.submitted_on:%m/%d/%Y}"
        if c.submitted_on
        else f"case #{case.id}"
    )
    return dd.AppealData(
        letterhead=letterhead(session),
        patient=info,
        issued_on=today,
        payer=payer.data.name,
        member_id=cov.data.member_id,
        reference=reference,
        service=_service(order),
        denial_date=c.final_internal_denial_on or c.denied_on,
        denial_reason=c.denial_reason,
        appeal_days=window.days,
        appeal_source=window.source,
        next_step=pa.next_step(cov.data.plan_type),
        rationale=(
            "[Provider to complete: why this treatment at this site is medically necessary for "
            "this patient — diagnosis and severity, prior therapies and how they failed, recent "
            "findings, and the risk of delaying or changing the treatment.]",
        ),
        enclosures=tuple(pa.DOCUMENT_LABELS[d.kind] for d in case.documents if not d.removed),
        signer=_provider(order),
        codes=tuple(dd.CodeLine(ln.code, ln.label, ln.units) for ln in order.lines),
        diagnoses=(dd.Diagnosis(order.data.diagnosis),),
        plan=cov.data.plan_name,
        group_number=cov.data.group_number,
        payer_fax=format_phone(payer.data.fax),
        contact=_contact(session),
    )


def verification_data(
    session: Session, patient_id: int, *, today: date, lang: str | None = None
) -> dd.VerificationSummaryData:
    info, _ = _patient(session, patient_id, payer=True)
    history = vs.list_for_patient(session, patient_id)
    if not history:
        raise UserError(
            "This patient has no benefits verification to print.", title="Nothing to print"
        )
    latest: dict[int, vs.VerificationRecord] = {}
    for ver, _cov, _order in history:  # newest first
        latest.setdefault(ver.coverage_id, ver)
    sheets = []
    for coverage_id, ver in latest.items():
        cov = cvs.get_coverage(session, coverage_id)
        values, _ = vs.parse_answers(ver.checklist, ver.answers)
        benefits = tuple(
            dd.Benefit(item.label, dv.show_answer(item, ver.answers[item.key]))
            for item in ver.checklist.items()
            if ver.answers.get(item.key, "").strip()
            and item.key not in ("call_with", "call_reference", "call_at")
        )
        missing = tuple(dv.missing_required(ver.checklist, values))
        called_at = values.get("call_at")
        sheets.append(
            dd.CoverageVerification(
                role=dc.RANK_LABELS.get(cov.data.rank, ""),
                payer=cov.payer_name,
                plan=cov.data.plan_name or cov.payer_name,
                member_id=cov.data.member_id,
                status=dv.STATUS_LABELS[ver.status],
                benefits=benefits,
                called=ver.answers.get("call_with", ""),
                reference=ver.answers.get("call_reference", ""),
                called_at=called_at if isinstance(called_at, datetime | date) else None,
                plan_type=dc.PLAN_TYPE_LABELS.get(cov.data.plan_type, ""),
                group_number=cov.data.group_number,
                subscriber=cov.data.subscriber_name,
                verified_by=ver.updated_by,
                open_items=tuple(f"Not answered: {m}" for m in missing),
                problem=ver.problem,
            )
        )
    for cov in cvs.list_coverages(session, patient_id):
        if cov.id in latest or cov.state_on(today) == "ended":
            continue
        sheets.append(
            dd.CoverageVerification(
                role=dc.RANK_LABELS.get(cov.data.rank, ""),
                payer=cov.payer_name,
                plan=cov.data.plan_name or cov.payer_name,
                member_id=cov.data.member_id,
                status="Not verified yet",
                benefits=(),
                called="",
                reference="",
                called_at=None,
                plan_type=dc.PLAN_TYPE_LABELS.get(cov.data.plan_type, ""),
                group_number=cov.data.group_number,
                subscriber=cov.data.subscriber_name,
                open_items=("Benefits not verified yet: call the payer or check the portal.",),
            )
        )
    sheets.sort(
        key=lambda sheet: (
            list(dc.RANK_LABELS.values()).index(sheet.role)
            if sheet.role in dc.RANK_LABELS.values()
            else 9
        )
    )
    order = ors.list_orders(session, patient_id, include_ended=False)
    return dd.VerificationSummaryData(
        letterhead=letterhead(session),
        patient=info,
        issued_on=today,
        coverages=tuple(sheets),
        order=order[0].label if order else "",
    )


BUILDERS_BY_KIND: dict[str, Callable[..., documents.DocumentData]] = {
    "cost-letter": cost_letter_data,
    "gfe": gfe_data,
    "pa-packet": pa_packet_data,
    "appeal": appeal_data,
    "verification": verification_data,
}


PATIENT_LETTERS = ("cost-letter", "gfe")  # built from a quote: its warnings go on the letter


def render(
    session: Session,
    actor: Actor,
    kind: str,
    patient_id: int,
    *,
    today: date,
    lang: str | None = None,
    case_id: int | None = None,
    override_warnings: bool = False,
    source: Source = NOW,
) -> Letter:
    """Build the document (in memory: nothing is written to disk here). ``case_id`` picks the
    prior-auth case of a PA packet or appeal (default: the patient's latest).

    A patient letter (cost letter, Good Faith Estimate) prints its quote's warnings in plain
    words, and is refused when a warning has no plain wording; ``override_warnings=True``
    leaves them off instead, and the override is recorded in the audit trail with the
    warnings it left off.

    ``source`` says which quote a patient letter prints: computed now (the default) or a saved
    quote; a saved quote that may be out of date raises :class:`StaleQuote` (its reasons for
    the UI to show) unless ``source.accept_stale``. Saved quotes are never picked silently."""
    require(actor, Permission.LETTERS)
    if kind not in BUILDERS_BY_KIND:
        raise UserError(f"Unknown document “{kind}”: use one of {', '.join(KINDS)}.")
    if lang is not None and lang not in ("en", "es"):
        raise UserError("The language is en (English) or es (Spanish).")
    extra: dict[str, object] = (
        {"case_id": case_id} if kind in ("pa-packet", "appeal") and case_id is not None else {}
    )
    if kind in PATIENT_LETTERS:
        extra["override_warnings"] = override_warnings
        extra["source"] = source
    data = BUILDERS_BY_KIND[kind](session, patient_id, today=today, lang=lang, **extra)
    out = io.BytesIO()
    documents.build(data, out)
    rec = ps.get_patient(session, patient_id)
    audit.record(
        session,
        actor,
        "render",
        "document",
        patient_id,
        patient_id=patient_id,
        detail={"kind": kind, "lang": lang or ""}
        | ({"quote": number} if (number := getattr(data, "quote_number", None)) else {}),
    )
    overridden = getattr(data, "warnings_overridden", ())
    if overridden:
        audit.record(
            session,
            actor,
            "override_warnings",
            "document",
            patient_id,
            patient_id=patient_id,
            detail={"kind": kind, "warnings": list(overridden)},
        )
    return Letter(
        kind=kind,
        patient_id=patient_id,
        title=f"{KINDS[kind]} — {rec.data.mrn}",
        filename=f"{rec.data.mrn}-{kind}-{today:%Y%m%d}.pdf",
        pdf=out.getvalue(),
    )


def record_output(
    session: Session, actor: Actor, letter: Letter, *, action: str, target: str = ""
) -> None:
    """Every print and export is kept: what, for whom, by whom, when (and where to)."""
    require(actor, Permission.LETTERS)
    if action not in ("print", "save"):
        raise ValueError(action)
    audit.record(
        session,
        actor,
        f"document:{action}",
        "document",
        letter.patient_id,
        patient_id=letter.patient_id,
        detail={"kind": letter.kind, "file": Path(target).name if target else ""},
    )


def save_pdf(
    session: Session,
    actor: Actor,
    letter: Letter,
    target: Path,
    *,
    force: bool = False,
    exists_hint: str = "use --force to replace it",
    make_folders: bool = True,
) -> Path:
    """Write the letter's PDF to ``target``: staged user-only beside it, the save audited and
    committed, then put in place (services/outputs.py); an existing file only with ``force``."""
    outputs.deliver(
        session,
        [(target, letter.pdf)],
        force=force,
        audit=lambda: record_output(session, actor, letter, action="save", target=str(target)),
        exists_hint=exists_hint,
        make_folders=make_folders,
    )
    return target


def patients_with_visits_on(session: Session, day: date) -> list[int]:
    """Patients with a planned visit on ``day`` (tomorrow's batch of cost letters)."""
    from sqlalchemy import select

    from infudesk.store.models import PlannedVisit, TherapyOrder

    stmt = (
        select(TherapyOrder.patient_id)
        .join(PlannedVisit, PlannedVisit.order_id == TherapyOrder.id)
        .where(PlannedVisit.on == day, PlannedVisit.status == "planned")
        .distinct()
    )
    return sorted(session.scalars(stmt))
