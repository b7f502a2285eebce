"""Documents from what the database holds: the latest relevant record of a patient becomes the
plain data a PDF builder takes. Every print and save is recorded (what, for whom, who, when)."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy.orm import Session

from infudesk import documents
from infudesk.documents import data as dd
from infudesk.documents.cost_letter import visits_from_quote
from infudesk.domain import costshare as cs
from infudesk.domain import coverage as dc
from infudesk.domain import prior_auth as pa
from infudesk.domain import verification as dv
from infudesk.domain.money import format_quantity
from infudesk.domain.orders import ROUTE_LABELS, SITE_LABELS
from infudesk.domain.validation import format_phone
from infudesk.errors import UserError
from infudesk.services import audit, settings
from infudesk.services import coverages as cvs
from infudesk.services import orders as ors
from infudesk.services import patients as ps
from infudesk.services import payers as pys
from infudesk.services import prior_auths as pas
from infudesk.services import quotes as qsv
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
    get = lambda key: str(settings.get(session, key) or "")  # noqa: E731
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
    phone = str(
        settings.get(session, "center.contact_phone") or settings.get(session, "center.phone")
    )
    hours = str(settings.get(session, "center.contact_hours"))
    if lang == "es":
        hours = str(settings.get(session, "center.contact_hours_es")) or hours
    return dd.Contact(
        name=str(settings.get(session, "center.contact_name")),
        phone=format_phone(phone),
        hours=hours,
    )


def _patient(session: Session, patient_id: int) -> tuple[dd.PatientInfo, ps.PatientRecord]:
    rec = ps.get_patient(session, patient_id)
    d = rec.data
    assert d.birth_date is not None
    name = " ".join(p for p in (d.first_name, d.middle_name, d.last_name, d.suffix) if p)
    from infudesk.domain.patients import is_cjk

    if is_cjk(d.last_name + d.first_name):
        name = f"{d.last_name}{d.first_name}"
    return dd.PatientInfo(
        name=name, birth_date=d.birth_date, mrn=d.mrn, language=d.preferred_language
    ), rec


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


def cost_letter_data(
    session: Session, patient_id: int, *, today: date, lang: str | None = None
) -> dd.CostLetterData:
    """From the patient's latest saved quote (or, without one, the default quote)."""
    info, _ = _patient(session, patient_id)
    saved = qsv.list_quotes(session, patient_id)
    if saved:
        record = qsv.get_quote(session, saved[0].id)
        setup = qsv.setup_from_saved(record)
    else:
        setup = qsv.prepare(session, patient_id, today=today)
    result = qsv.compute(setup)
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
    paid = _assistance_totals(result)
    verified = None
    if setup.primary_id:
        rows = [
            w
            for w in vs.worklist(session, today=today, patient_id=patient_id)
            if w.coverage_id == setup.primary_id
        ]
        dates = [w.verified_on for w in rows if w.verified_on]
        verified = max(dates) if dates else None
    language = lang or dd.letter_language(info.language)
    disclaimer = str(settings.get(session, f"letters.disclaimer_{language}") or "") or None
    start = p.plan_year_start if p else cs.MonthDay(1, 1)
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
        assistance=tuple(dd.AssistanceApplied(n, a) for n, a in paid.items() if a > 0),
        prior_auth="not_required"
        if setup.primary is None
        else _prior_auth_state(session, patient_id, order.id, today, setup.primary_id),
        benefits_verified_on=verified,
        disclaimer=disclaimer,
        language=language,  # type: ignore[arg-type]
    )


def gfe_data(
    session: Session, patient_id: int, *, today: date, lang: str | None = None
) -> dd.GoodFaithEstimateData:
    """The Good Faith Estimate for a self-pay course: the order's lines at self-pay prices."""
    info, rec = _patient(session, patient_id)
    order = _order(session, patient_id)
    setup = qsv.prepare(
        session, patient_id, today=today, order_id=order.id, primary_id=None, secondary_id=None
    )
    result = qsv.compute(setup)
    dates = setup.dates
    lines = tuple(
        dd.GfeLine(
            service=ln.label or ln.code,
            diagnosis_code=order.data.diagnosis,
            service_code=ln.code,
            code_type="HCPCS" if ln.code[0].isalpha() else "CPT",
            quantity=ln.units * len(dates),
            expected_cost=next(
                (sl.unit_price for sl in setup.lines if sl.code.split("-")[0] == ln.code),
                Decimal(0),
            )
            * ln.units
            * len(dates),
        )
        for ln in order.lines
    )
    adjustments = tuple(
        dd.GfeAdjustment(label=name, amount=-amount)
        for name, amount in _assistance_totals(result).items()
        if amount > 0
    )
    head = letterhead(session)
    state = str(settings.get(session, "center.state") or "")
    provider = dd.GfeProvider(
        name=head.name,
        kind="Infusion center (facility)",
        npi=head.npi,
        tin=head.tin,
        address_lines=head.address_lines,
        state=state,
        place=SITE_LABELS.get(order.data.site_of_care, order.data.site_of_care),
        lines=lines,
        adjustments=adjustments,
        contact=f"{_contact(session).name}, {_contact(session).phone}",
    )
    d = rec.data
    language = lang or dd.letter_language(info.language)
    address = tuple(
        x
        for x in (d.address_line1, d.address_line2, f"{d.city}, {d.state} {d.zip_code}".strip(", "))
        if x.strip()
    )
    return dd.GoodFaithEstimateData(
        letterhead=head,
        patient=info,
        issued_on=today,
        primary_service=_service(order, language),
        diagnoses=(dd.Diagnosis(order.data.diagnosis),),
        providers=(provider,),
        service_dates=dates,
        separately_scheduled=(
            "Visits with the ordering physician and any laboratory tests are billed separately.",
        ),
        requested_on=today,
        covers_through=min(today + timedelta(days=365), dates[-1]) if dates else None,
        patient_address_lines=address,
        patient_phone=format_phone(d.phone_mobile or d.phone_home),
        patient_email=d.email,
        contact=_contact(session, language),
        language=language,  # type: ignore[arg-type]
    )


def _assistance_totals(result: cs.Quote) -> dict[str, Decimal]:
    """What each assistance program pays over the course, by name."""
    out: dict[str, Decimal] = {}
    for v in result.visits:
        for a in v.assistance:
            out[a.name] = out.get(a.name, Decimal(0)) + a.amount
    return out


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
    info, _ = _patient(session, patient_id)
    case = _case(session, patient_id, today, denied=False, case_id=case_id)
    order = ors.get_order(session, case.order_id) if case.order_id else _order(session, patient_id)
    cov = cvs.get_coverage(session, case.coverage_id)
    payer = pys.get_payer(session, cov.data.payer_id or 0)
    planned = [v.on for v in order.visits if v.status == "planned"] or [today]
    n = len(order.visits)
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
        site_of_care=f"{letterhead(session).name} ({SITE_LABELS.get(d.site_of_care, d.site_of_care)})",
        requested_from=min(planned),
        requested_to=max(planned),
        contents=tuple(pa.DOCUMENT_LABELS[doc.kind] for doc in case.documents if not doc.removed),
        payer_fax=format_phone(payer.data.fax),
        payer_portal=payer.data.portal,
        payer_phone=format_phone(payer.data.phone),
        plan=cov.data.plan_name,
        group_number=cov.data.group_number,
        visits=n,
        urgent=case.case.urgent,
        contact=_contact(session),
    )


def appeal_data(
    session: Session,
    patient_id: int,
    *,
    today: date,
    lang: str | None = None,
    case_id: int | None = None,
) -> dd.AppealData:
    info, _ = _patient(session, patient_id)
    case = _case(session, patient_id, today, denied=True, case_id=case_id)
    order = ors.get_order(session, case.order_id) if case.order_id else _order(session, patient_id)
    cov = cvs.get_coverage(session, case.coverage_id)
    payer = pys.get_payer(session, cov.data.payer_id or 0)
    c = case.case
    assert c.denied_on is not None
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
        appeal_days=payer.data.appeal_days
        if hasattr(payer.data, "appeal_days")
        else case.appeal_days,
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
    info, _ = _patient(session, patient_id)
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
            dd.Benefit(item.label, ver.answers[item.key])
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


def render(
    session: Session,
    actor: Actor,
    kind: str,
    patient_id: int,
    *,
    today: date,
    lang: str | None = None,
    case_id: int | None = None,
) -> Letter:
    """Build the document (in memory: nothing is written to disk here). ``case_id`` picks the
    prior-auth case of a PA packet or appeal (default: the patient's latest)."""
    require(actor, Permission.LETTERS)
    if kind not in BUILDERS_BY_KIND:
        raise UserError(f"Unknown document “{kind}”: use one of {', '.join(KINDS)}.")
    if lang is not None and lang not in ("en", "es"):
        raise UserError("The language is en (English) or es (Spanish).")
    extra = {"case_id": case_id} if kind in ("pa-packet", "appeal") and case_id is not None else {}
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
        detail={"kind": kind, "lang": lang or ""},
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
