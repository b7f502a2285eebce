"""The demo's morning: generated patients get plans, orders, visits, verifications, prior
authorizations, assistance and estimates (all fictional, dated from the seed day) so that the
worklist holds about 30 visits over the next two weeks in every readiness state, and the
Prior auths, Verifications and Quotes screens carry a realistic load.

Each patient follows one scenario of :data:`SCENARIOS` (what the desk should see on the seed
day). Dates are offsets from the seed day; visits fall on business days."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal as D
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from infudesk.domain import business_days as bd
from infudesk.domain import prior_auth as pa
from infudesk.domain.coverage import CoverageData, PlanType, Terms
from infudesk.domain.orders import OrderData
from infudesk.domain.verification import Status
from infudesk.errors import UserError
from infudesk.services import assistance as asv
from infudesk.services import coverages as cs
from infudesk.services import orders as ors
from infudesk.services import payers as pys
from infudesk.services import prior_auths as pas
from infudesk.services import quotes as qs
from infudesk.services import verifications as vs
from infudesk.services.audit import Actor
from infudesk.store.models import (
    AssistanceUsage,
    AuditEvent,
    Coverage,
    Patient,
    PlannedVisit,
    SavedQuote,
)


@dataclass(frozen=True)
class Therapy:
    payer: str
    plan_type: PlanType
    order: OrderData  # start_on and visit_count are set per patient
    pa_lines: tuple[tuple[str, int], ...]  # approved code and units per visit


def _order(
    drug: str,
    hcpcs: str,
    dose: str,
    per_kg: bool,
    kg: str | None,
    minutes: int,
    every: int,
    dx: str,
    site: str = "infusion_center",
) -> OrderData:
    return OrderData(
        drug_name=drug,
        drug_hcpcs=hcpcs,
        dose=D(dose),
        dose_per_kg=per_kg,
        weight_kg=D(kg) if kg else None,
        route="iv",
        minutes=minutes,
        every_days=every,
        visit_count=1,
        start_on=date(2000, 1, 1),
        diagnosis=dx,
        provider_name="Priya Raman",
        provider_npi="1647382914",
        site_of_care=site,
    )


THERAPIES: dict[str, Therapy] = {
    "infliximab": Therapy(
        "Lakeshore Health",
        PlanType.COMMERCIAL,
        _order("infliximab (Remicade)", "J1745", "5", True, "70", 120, 56, "K50.90"),
        (("J1745", 40), ("96365", 1), ("96366", 1)),
    ),
    "tocilizumab": Therapy(
        "Northwind Benefits",
        PlanType.EMPLOYER_SELF_FUNDED,
        _order("tocilizumab (Actemra)", "J3262", "8", True, "62", 60, 28, "M05.79"),
        (("J3262", 500), ("96365", 1)),
    ),
    "ocrelizumab": Therapy(
        "Summit Health",
        PlanType.COMMERCIAL,
        _order("ocrelizumab (Ocrevus)", "J2350", "600", False, None, 210, 182, "G35"),
        (("J2350", 600), ("96413", 1), ("96415", 2)),
    ),
    "ivig": Therapy(
        "Medicare (Original, Part B)",
        PlanType.MEDICARE_PART_B,
        _order("immune globulin IV 10% (Privigen)", "J1459", "1000", True, "70", 240, 21, "G61.81"),
        (),
    ),
    "actemra-harbor": Therapy(
        "Harbor Health Plans",
        PlanType.COMMERCIAL,
        _order("tocilizumab (Actemra)", "J3262", "8", True, "80", 60, 28, "M06.9"),
        (("J3262", 640), ("96365", 1)),
    ),
    "iron": Therapy(
        "",
        PlanType.COMMERCIAL,
        _order("ferric carboxymaltose (Injectafer)", "J1439", "750", False, None, 20, 7, "D50.9"),
        (),
    ),
}

# (scenario, therapy): what the desk sees on the seed day for that patient's next visit
SCENARIOS: tuple[tuple[str, str], ...] = (
    ("ready", "infliximab"),
    ("ready", "tocilizumab"),
    ("ready", "ivig"),
    ("ready", "actemra-harbor"),
    ("ready_card", "infliximab"),
    ("ready_reenroll", "tocilizumab"),
    ("unverified", "ocrelizumab"),
    ("unverified", "ivig"),
    ("verification_due", "tocilizumab"),
    ("verification_due", "infliximab"),
    ("coverage_ends", "actemra-harbor"),
    ("pa_missing", "infliximab"),
    ("pa_missing", "ocrelizumab"),
    ("pa_pending", "tocilizumab"),
    ("pa_pending_docs", "infliximab"),
    ("pa_denied", "actemra-harbor"),
    ("pa_expired", "tocilizumab"),
    ("pa_exhausted", "infliximab"),
    ("pa_other_site", "ocrelizumab"),
    ("pa_codes", "tocilizumab"),
    ("no_estimate", "ivig"),
    ("no_estimate", "infliximab"),
    ("gfe_due", "iron"),
    ("gfe_given", "iron"),
    ("grant_low", "tocilizumab"),
    ("grant_expired", "infliximab"),
    ("grant_applied", "actemra-harbor"),
)
# patients whose next visit is after the window: approved, some near reauthorization, one
# whose last visit (about two weeks before the seed day) nobody recorded
LATER: tuple[str, ...] = ("infliximab", "tocilizumab", "actemra-harbor") * 4

DIRECTORY: tuple[asv.DirectoryData, ...] = (
    asv.DirectoryData(
        kind="copay_card",
        name="Actemra co-pay card",
        sponsor="Fictional Genentech-style manufacturer program",
        drugs=("J3262",),
        no_government=True,
        per_visit_max=None,
        annual_max=D("15000"),
        counts_toward_accumulators=False,
        renewal="calendar_year",
    ),
    asv.DirectoryData(
        kind="foundation_grant",
        name="Rheumatology Access Fund",
        sponsor="Rheumatology Access Fund (fictional foundation)",
        diagnoses=("M05", "M06"),
        fpl_limit=500,
        renewal="enrollment_year",
    ),
    asv.DirectoryData(
        kind="foundation_grant",
        name="IBD Patient Relief Fund",
        sponsor="IBD Patient Relief Fund (fictional foundation)",
        diagnoses=("K50", "K51"),
        fpl_limit=400,
        renewal="grant_period",
    ),
    asv.DirectoryData(
        kind="discount",
        name="Lakeside charity care",
        sponsor="Lakeside Infusion Center",
        fpl_limit=250,
        percent=D("0.50"),
        renewal="enrollment_year",
    ),
    asv.DirectoryData(
        kind="copay_card",
        name="MS co-pay program",
        sponsor="Fictional manufacturer program",
        drugs=("J2350",),
        diagnoses=("G35",),
        no_government=True,
        annual_max=D("20000"),
        renewal="calendar_year",
    ),
)


def _at_noon(day: date) -> datetime:
    return datetime.combine(day, time(12, 0), tzinfo=UTC)


def _printed(session: Session, actor: Actor, patient_id: int, kind: str, day: date) -> None:
    """A cost letter or Good Faith Estimate printed on ``day`` (as letters.record_output
    writes it, dated the seed day)."""
    session.add(
        AuditEvent(
            at=_at_noon(day),
            actor=actor.name[:100],
            workstation=actor.workstation[:100],
            action="document:print",
            entity="document",
            entity_id=patient_id,
            patient_id=patient_id,
            detail=json.dumps({"file": "", "kind": kind}, sort_keys=True),
        )
    )


def seed_demo_morning(session: Session, actor: Actor, *, today: date) -> int:
    """Give generated patients the scenarios of :data:`SCENARIOS` and :data:`LATER`; returns
    how many patients got care (0 when there are too few generated patients)."""
    ids = list(
        session.scalars(
            select(Patient.id)
            .where(Patient.mrn.like("P%"), Patient.active.is_(True))
            .order_by(Patient.id)
            .limit(len(SCENARIOS) + len(LATER))
        )
    )
    if len(ids) < len(SCENARIOS) + len(LATER):
        return 0
    entries = {e.data.name: e.id for e in asv.list_directory(session)}
    for d in DIRECTORY:
        if d.name not in entries:
            entries[d.name] = asv.add_directory_entry(session, actor, d).id
    payers = {
        p: pys.payer_by_name(session, p).id
        for p in {t.payer for t in THERAPIES.values() if t.payer}
    }
    window = 14
    for i, (scenario, therapy) in enumerate(SCENARIOS):
        offset = (i * window) // len(SCENARIOS)
        _patient(
            session, actor, ids[i], scenario, THERAPIES[therapy], today, offset, payers, entries
        )
    for j, therapy in enumerate(LATER):
        offset = 16 + 3 * j
        _patient(
            session,
            actor,
            ids[len(SCENARIOS) + j],
            "later_reauth" if j % 3 == 0 else "later_unrecorded" if j == 1 else "later",
            THERAPIES[therapy],
            today,
            offset,
            payers,
            entries,
        )
    session.flush()
    return len(ids)


def _patient(
    session: Session,
    actor: Actor,
    patient_id: int,
    scenario: str,
    t: Therapy,
    today: date,
    offset: int,
    payers: dict[str, int],
    entries: dict[str, int],
) -> None:
    nxt = bd.next_business_day(today + timedelta(days=offset))
    self_pay = not t.payer
    given = 0 if self_pay else 2 + offset % 3
    first = nxt - timedelta(days=given * (t.order.every_days or 28))
    registered = first - timedelta(days=12)
    if scenario == "gfe_due":
        registered = today  # scheduled today: the estimate is due in 1–3 business days
        nxt = first = bd.add_business_days(today, 4 + offset % 3)
    visit_count = given + (2 if self_pay else 2)
    cov = None
    if not self_pay:
        start = date(registered.year, 1, 1) if scenario != "coverage_ends" else registered
        cov = cs.add_coverage(
            session,
            actor,
            patient_id,
            CoverageData(
                payer_id=payers[t.payer],
                plan_name=f"{t.payer} plan",
                plan_type=t.plan_type,
                member_id=(
                    f"{1 + patient_id % 9}EG4TE5MK{patient_id % 100:02d}"  # a Medicare number
                    if t.plan_type is PlanType.MEDICARE_PART_B
                    else f"DM{patient_id:07d}"
                ),
                effective_on=min(start, registered),
            ),
            today=registered,
            terms=Terms(
                deductible=D("1500"),
                deductible_met=D("1500") if given else D("0"),
                oop_max=D("5000"),
                oop_met=D("1800"),
                coinsurance=D("0.20"),
            ),
        )
    data = OrderData(
        **{
            **{f: getattr(t.order, f) for f in t.order.__dataclass_fields__},
            "start_on": first,
            "visit_count": visit_count,
        }
    )
    order = ors.create_order(session, actor, patient_id, data, today=registered)
    past = [v for v in order.visits if v.on < today]
    window_visit = next(v for v in order.visits if v.on >= today)
    if cov is not None and scenario == "coverage_ends":
        row = session.get(Coverage, cov.id)
        assert row is not None
        row.terminates_on = window_visit.on - timedelta(days=1)
    # verified three weeks ago, or on the visit's re-check day (3 business days before it)
    # when that has come: current on the seed day, never in the previous plan year
    recheck = bd.business_days_before(window_visit.on, 3)
    verified_on = min(today, max(today - timedelta(days=20), recheck, date(today.year, 1, 1)))
    if cov is not None:
        if scenario.startswith("unverified"):
            vs.start_verification(session, actor, cov.id, order.id)  # started, not finished
        else:
            _verify(session, actor, cov.id, order.id, verified_on, pa_required=bool(t.pa_lines))
            if scenario == "verification_due":
                row = session.get(Coverage, cov.id)
                assert row is not None
                row.changed_on = today - timedelta(days=1)  # the plan changed since
    case = None
    if cov is not None and t.pa_lines and scenario not in ("pa_missing",):
        case = _prior_auth(session, actor, patient_id, cov.id, order, scenario, t, today, given)
    if scenario == "later_unrecorded":  # its last visit came and went: nobody recorded it
        past = past[:-1]
    for v in past:
        if case is not None and pa.State(case.case.state) in pa.APPROVAL_STATES:
            try:
                case = pas.record_visit(session, actor, case.id, on=v.on, planned_visit_id=v.id)
                continue
            except UserError:
                pass
        row2 = session.get(PlannedVisit, v.id)
        assert row2 is not None
        row2.status = "given"
    if scenario not in ("no_estimate", "gfe_due"):
        _printed(session, actor, patient_id, "gfe" if self_pay else "cost-letter", today)
    _assistance(session, actor, patient_id, scenario, t, today, entries, past, window_visit.on)
    if cov is not None and patient_id % 2 == 0 or scenario in ("ready", "pa_denied"):
        try:
            setup = qs.prepare(session, patient_id, today=today, from_date=today)
            saved = qs.save_quote(session, actor, setup, title="Course estimate")
            q = session.get(SavedQuote, saved.summary.id)
            if q is not None and q.created_at.date() != today:
                q.created_at = _at_noon(today)
        except UserError:
            pass


def _verify(
    session: Session, actor: Actor, coverage_id: int, order_id: int, on: date, *, pa_required: bool
) -> None:
    rec = vs.start_verification(session, actor, coverage_id, order_id)
    answers = {
        **rec.answers,
        "plan_active": "yes",
        "in_network": "in",
        "place_of_service": "11",
        "coinsurance": "20",
        "copay_applies": "none",
        "pa_required": "yes" if pa_required else "no",
        "benefit_type": "medical",
        "acquisition": "buy_and_bill",
        "call_with": "Provider services",
        "call_reference": f"REF-{order_id:05d}",
        "call_at": f"{on:%m/%d/%Y} 9:30 AM",
        "deductible": "1500",
        "deductible_met": "1500",
        "oop_max": "5000",
        "oop_met": "1800",
        "lcd_met": "yes",
    }
    vs.save_verification(
        session,
        actor,
        rec.id,
        answers,
        status=Status.VERIFIED,
        problem="",
        expected_version=rec.version,
        today=on,
    )


def _prior_auth(
    session: Session,
    actor: Actor,
    patient_id: int,
    coverage_id: int,
    order: ors.OrderRecord,
    scenario: str,
    t: Therapy,
    today: date,
    given: int,
) -> pas.CaseRecord:
    case = pas.create_case(session, actor, patient_id, coverage_id=coverage_id, order_id=order.id)
    docs = ["letter_of_medical_necessity", "clinical_notes", "insurance_card", "signed_order"]
    if scenario == "pa_pending_docs":
        docs = docs[:2]
    for kind in docs:
        pas.add_document(
            session,
            actor,
            case.id,
            kind=kind,
            doc_date=today - timedelta(days=30),
            filename=f"{kind}.pdf",
            content=b"%PDF-1.4\n%%EOF\n",
        )

    def step(action: pa.Action, on: date, **details: Any) -> pas.CaseRecord:
        return pas.act(
            session, actor, case.id, action, on=on, expected_version=case.version, **details
        )

    first = order.data.start_on
    assert first is not None
    if scenario.startswith("pa_pending"):
        case = step(pa.Action.SUBMIT, today - timedelta(days=4))
        return step(
            pa.Action.PEND, today - timedelta(days=2), follow_up=bd.add_business_days(today, 1)
        )
    case = step(pa.Action.SUBMIT, first - timedelta(days=14))
    if scenario == "pa_denied":
        return step(
            pa.Action.DENY,
            first - timedelta(days=7),
            reason="Step therapy not documented: a conventional DMARD first.",
        )
    visits = given + 2
    start, end = first - timedelta(days=5), first + timedelta(days=365)
    site = order.data.site_of_care
    lines = tuple(pa.ApprovedLine(c, u * visits) for c, u in t.pa_lines)
    if scenario == "pa_expired":
        end = today + timedelta(days=1) if today + timedelta(days=1) >= start else start
    elif scenario == "pa_exhausted":
        visits = given
        lines = tuple(pa.ApprovedLine(c, u * given) for c, u in t.pa_lines)
    elif scenario == "pa_other_site":
        site = "hospital_outpatient"
    elif scenario == "pa_codes":
        lines = tuple(pa.ApprovedLine(c, u * visits) for c, u in t.pa_lines if c[0] != "J")
    elif scenario == "later_reauth":
        end = today + timedelta(days=45)
    number = f"DM-{order.id:05d}"
    return step(
        pa.Action.APPROVE,
        first - timedelta(days=8),
        approval=pa.Approval(number, lines, visits, start, end, site),
    )


def _assistance(
    session: Session,
    actor: Actor,
    patient_id: int,
    scenario: str,
    t: Therapy,
    today: date,
    entries: dict[str, int],
    past: list[ors.VisitRecord],
    visit_on: date,
) -> None:
    rheum = t.order.drug_hcpcs == "J3262"
    if scenario in ("ready_card", "ready_reenroll") or (rheum and scenario == "ready"):
        name = "Actemra co-pay card" if rheum else None
        if name is None:
            asv.add_program(
                session,
                actor,
                patient_id,
                asv.ProgramData(
                    kind="copay_card", name="Infliximab copay program", annual_max=D("20000")
                ),
            )
            return
        asv.enroll(
            session,
            actor,
            patient_id,
            asv.EnrollmentData(
                program_id=entries[name],
                status="approved",
                member_id=f"CC{patient_id:08d}",
                approved_on=date(today.year, 1, 2),
                used=D("1200"),
                expires=date(today.year, 12, 31),
                reenroll_on=(today + timedelta(days=20) if scenario == "ready_reenroll" else None),
            ),
        )
        return
    fund = "Rheumatology Access Fund" if rheum else "IBD Patient Relief Fund"
    if scenario == "grant_low":
        e = asv.enroll(
            session,
            actor,
            patient_id,
            asv.EnrollmentData(
                program_id=entries[fund],
                status="approved",
                member_id=f"GR{patient_id:07d}",
                applied_on=today - timedelta(days=200),
                approved_on=today - timedelta(days=190),
                amount_approved=D("2500"),
                used=D("2350"),
                balance=D("150"),
                expires=today + timedelta(days=170),
            ),
        )
        for v in past:  # what the earlier visits drew
            session.add(
                AssistanceUsage(
                    enrollment_id=e.id,
                    planned_visit_id=v.id,
                    on=v.on,
                    code=t.order.drug_hcpcs,
                    amount=D("2350") / len(past),
                    recorded_by=actor.name,
                )
            )
    elif scenario == "grant_expired":
        asv.enroll(
            session,
            actor,
            patient_id,
            asv.EnrollmentData(
                program_id=entries[fund],
                status="approved",
                member_id=f"GR{patient_id:07d}",
                approved_on=today - timedelta(days=360),
                amount_approved=D("3000"),
                used=D("1800"),
                balance=D("1200"),
                expires=visit_on - timedelta(days=1),
            ),
        )
    elif scenario == "grant_applied":
        asv.enroll(
            session,
            actor,
            patient_id,
            asv.EnrollmentData(
                program_id=entries[fund],
                status="applied",
                applied_on=today - timedelta(days=3),
            ),
        )
