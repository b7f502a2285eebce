"""Benefits verifications: the checklist per coverage and therapy order, its answers, the
benefit figures it feeds into the coverage, and when it is due again."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from infudesk.domain import coverage as dc
from infudesk.domain import verification as dv
from infudesk.domain import verified_benefits as vb
from infudesk.domain.money import format_money, format_percent
from infudesk.domain.patients import filed_name
from infudesk.domain.verification import Status
from infudesk.errors import Conflict, NotFound, UserError, ValidationFailed
from infudesk.resources import resource
from infudesk.services import audit, settings
from infudesk.services import coverages as cs
from infudesk.services import orders as ors
from infudesk.services.access import Permission, require
from infudesk.services.audit import Actor
from infudesk.services.payers import NoteRecord, notes_for
from infudesk.store.models import Coverage, Patient, Payer, TherapyOrder, Verification

TEMPLATE = ("checklists", "benefits-verification.json")
# The coverage's plan type as the checklist's "plan_type" answers it (Medigap has none).
CHECKLIST_PLAN_TYPE: dict[str, str] = {
    dc.PlanType.COMMERCIAL: "commercial",
    dc.PlanType.EMPLOYER_SELF_FUNDED: "self_funded",
    dc.PlanType.MARKETPLACE: "marketplace",
    dc.PlanType.MEDICARE_PART_B: "medicare",
    dc.PlanType.MEDICARE_ADVANTAGE: "medicare_advantage",
    dc.PlanType.MEDICAID: "medicaid",
    dc.PlanType.MEDICAID_MANAGED_CARE: "medicaid_managed",
}


@lru_cache(maxsize=1)
def template_text() -> str:
    path = resource(*TEMPLATE)
    try:
        text = path.read_text(encoding="utf-8")
        dv.parse_checklist(text)
    except OSError as exc:
        raise UserError(f"The checklist template {path} cannot be read: {exc.strerror}.") from exc
    except ValueError as exc:
        raise UserError(f"The checklist template {path} has a problem: {exc}") from exc
    return text


@dataclass(frozen=True)
class VerificationRecord:
    id: int
    version: int
    coverage_id: int
    order_id: int | None
    status: Status
    checklist: dv.Checklist
    answers: dict[str, str]  # what was typed, per item key
    problem: str
    completed_on: date | None
    updated_by: str
    updated_at: Any


def _record(v: Verification) -> VerificationRecord:
    return VerificationRecord(
        id=v.id,
        version=v.version,
        coverage_id=v.coverage_id,
        order_id=v.order_id,
        status=Status(v.status),
        checklist=dv.parse_checklist(v.template),
        answers=json.loads(v.answers or "{}"),
        problem=v.problem,
        completed_on=v.completed_on,
        updated_by=v.updated_by,
        updated_at=v.updated_at,
    )


def _load(session: Session, verification_id: int) -> Verification:
    row = session.get(Verification, verification_id)
    if row is None:
        raise NotFound("This verification no longer exists.")
    return row


def get_verification(session: Session, verification_id: int) -> VerificationRecord:
    return _record(_load(session, verification_id))


def start_verification(
    session: Session, actor: Actor, coverage_id: int, order_id: int | None
) -> VerificationRecord:
    """A new checklist for the coverage (and order), pre-filled with the plan's known dates."""
    require(actor, Permission.VERIFICATIONS)
    cov = session.get(Coverage, coverage_id)
    if cov is None:
        raise NotFound("This coverage no longer exists.")
    if order_id is not None:
        order = session.get(TherapyOrder, order_id)
        if order is None or order.patient_id != cov.patient_id:
            raise NotFound("This therapy order is not the same patient's.")
    answers = {
        "effective_date": f"{cov.effective_on:%m/%d/%Y}",
        "termination_date": f"{cov.terminates_on:%m/%d/%Y}" if cov.terminates_on else "",
        "plan_year_start": cov.plan_year_start,
    }
    plan_type = CHECKLIST_PLAN_TYPE.get(cov.plan_type)
    if plan_type:  # so that the Medicare items are asked from the start
        answers["plan_type"] = plan_type
    known = cs.get_coverage(session, coverage_id).terms
    if known is not None:  # staff confirm these on the call (the dialog marks them)
        answers.update(terms_answers(known.terms))
    row = Verification(
        coverage_id=coverage_id,
        order_id=order_id,
        status=Status.NOT_STARTED,
        template=template_text(),
        answers=json.dumps(answers),
        created_by=actor.name,
        updated_by=actor.name,
    )
    session.add(row)
    session.flush()
    audit.record(session, actor, "create", "verification", row.id, patient_id=cov.patient_id)
    return _record(row)


def terms_answers(terms: dc.Terms) -> dict[str, str]:
    """The checklist's cost-sharing answers as the coverage's benefit terms give them, typed
    as the form shows them ("1,000.00", "20", "yes", a choice's value); what the terms do
    not know (no deductible, no family terms) is left out."""

    def money(value: Decimal | None) -> str:
        return format_money(value).lstrip("$")

    out: dict[str, str] = {}
    if terms.deductible is not None:
        out["deductible"] = money(terms.deductible)
        out["deductible_met"] = money(terms.deductible_met)
    out["deductible_applies"] = "yes" if terms.deductible_applies else "no"
    if terms.oop_max is not None:
        out["oop_max"] = money(terms.oop_max)
        out["oop_met"] = money(terms.oop_met)
    out["coinsurance"] = format_percent(terms.coinsurance).rstrip("%")
    if terms.copay > 0:
        out["copay"] = money(terms.copay)
    if terms.copay_after_deductible:
        out["copay_applies"] = "after_deductible"
    elif terms.copay_applies in ("per_visit", "per_service", "none"):
        out["copay_applies"] = terms.copay_applies
    family = {
        "family_deductible": terms.family_deductible,
        "family_deductible_met": terms.family_deductible_met,
        "family_oop_max": terms.family_oop_max,
        "family_oop_met": terms.family_oop_met,
    }
    out.update({k: money(v) for k, v in family.items() if v is not None})
    if terms.family_deductible is not None:
        out["family_embedded"] = "yes" if terms.family_embedded else "no"
    return out


@dataclass(frozen=True)
class Prefill:
    """The answers a checklist may start from: the coverage's current benefit terms."""

    answers: dict[str, str]
    as_of: date
    source: str


def coverage_prefill(session: Session, verification_id: int) -> Prefill | None:
    """What the coverage's current benefit terms say for this checklist (None: no terms)."""
    row = _load(session, verification_id)
    known = cs.get_coverage(session, row.coverage_id).terms
    if known is None:
        return None
    return Prefill(answers=terms_answers(known.terms), as_of=known.as_of, source=known.source)


def discard_untouched(
    session: Session, actor: Actor, verification_id: int, *, expected_version: int
) -> bool:
    """Remove a checklist that was started and left without saving anything (so it does not
    stand in front of the last completed verification). False when it was saved since, by
    anyone, or is already gone: then it stays as it is."""
    require(actor, Permission.VERIFICATIONS)
    row = session.get(Verification, verification_id)
    if row is None or row.status != Status.NOT_STARTED or row.version != expected_version:
        return False
    cov = session.get(Coverage, row.coverage_id)
    session.delete(row)
    session.flush()
    audit.record(
        session,
        actor,
        "discard",
        "verification",
        verification_id,
        patient_id=cov.patient_id if cov is not None else None,
    )
    return True


def parse_answers(
    checklist: dv.Checklist, typed: dict[str, str]
) -> tuple[dict[str, object], dict[str, str]]:
    """Values per item key, and a message per key whose text cannot be read.

    Only the items asked count: an item hidden by its ``show_if`` (e.g. the Medicare items on
    a commercial plan) gives neither a value nor an error, whatever was typed in it.
    """
    values: dict[str, object] = {}
    errors: dict[str, str] = {}
    for item in checklist.items():
        value, msg = dv.check_answer(item, typed.get(item.key, ""))
        if msg:
            errors[item.key] = msg
        elif value is not None:
            values[item.key] = value
    shown = {it.key for it in dv.shown_items(checklist, values)}
    return (
        {k: v for k, v in values.items() if k in shown},
        {k: m for k, m in errors.items() if k in shown},
    )


def terms_from_answers(values: dict[str, object]) -> dc.Terms:
    """The coverage's benefit terms as found in a verification."""

    def money(key: str) -> Decimal | None:
        v = values.get(key)
        return v if isinstance(v, Decimal) else None

    applies = str(values.get("copay_applies") or "none")
    after = applies == "after_deductible"
    copay = money("copay") or Decimal("0")
    if after:
        applies = "per_visit"
    if applies == "none" and copay > 0:
        applies = "per_visit"
    embedded = values.get("family_embedded")
    return dc.Terms(
        deductible=money("deductible"),
        deductible_met=money("deductible_met") or Decimal("0"),
        oop_max=money("oop_max"),
        oop_met=money("oop_met") or Decimal("0"),
        coinsurance=money("coinsurance") or Decimal("0"),
        copay=copay,
        copay_applies=applies,
        copay_after_deductible=after,
        family_deductible=money("family_deductible"),
        family_deductible_met=money("family_deductible_met"),
        family_oop_max=money("family_oop_max"),
        family_oop_met=money("family_oop_met"),
        family_embedded=True if embedded is None else bool(embedded),
        deductible_applies=values.get("deductible_applies") is not False,
    )


def save_verification(
    session: Session,
    actor: Actor,
    verification_id: int,
    typed: dict[str, str],
    *,
    status: Status,
    problem: str = "",
    expected_version: int,
    today: date,
) -> VerificationRecord:
    """Save the checklist. Drafts keep whatever was typed; 'verified' must be complete and
    consistent and then records the benefit figures on the coverage (with history)."""
    require(actor, Permission.VERIFICATIONS)
    row = _load(session, verification_id)
    if row.version != expected_version:
        raise Conflict(
            "Someone else saved this verification after you opened it. Reopen it; your "
            "answers are still in the form."
        )
    rec = _record(row)
    values, errors = parse_answers(rec.checklist, typed)
    if status == Status.VERIFIED:
        for label in dv.missing_required(rec.checklist, values):
            key = next(i.key for i in rec.checklist.items() if i.label == label)
            errors.setdefault(key, "Required before the verification can be marked verified.")
        errors.update({k: m for k, m in dv.benefit_problems(values).items() if k not in errors})
    if status == Status.PROBLEM and not problem.strip():
        errors["problem"] = (
            "Say what the problem is (e.g. 'plan terminated 10/31', 'out of network')."
        )
    if errors and status in (Status.VERIFIED, Status.PROBLEM):
        raise ValidationFailed(errors)
    cov = session.get(Coverage, row.coverage_id)
    assert cov is not None
    shown = {it.key for it in dv.shown_items(rec.checklist, values)}
    row.answers = json.dumps(
        {k: v for k, v in typed.items() if v.strip() and (k in shown or not _is_item(rec, k))},
        ensure_ascii=False,
    )
    row.status = status if status != Status.NOT_STARTED or not typed else Status.IN_PROGRESS
    row.problem = problem.strip()
    row.updated_by = actor.name
    row.completed_on = today if status == Status.VERIFIED else None
    if status == Status.VERIFIED:
        cs.record_terms(
            session,
            actor,
            cov.id,
            terms_from_answers(values),
            as_of=today,
            source=f"verification #{row.id}",
        )
        _apply_plan_facts(cov, values)
    session.flush()
    audit.record(
        session,
        actor,
        f"verification:{row.status}",
        "verification",
        row.id,
        patient_id=cov.patient_id,
    )
    return _record(row)


def _is_item(rec: VerificationRecord, key: str) -> bool:
    return any(it.key == key for it in rec.checklist.items())


def quote_facts(session: Session, coverage_id: int, order_id: int | None) -> vb.QuoteFacts | None:
    """What the latest verified checklist of this coverage says for a quote: the one for this
    therapy order, else the latest without an order (None: never verified)."""
    for wanted in (order_id, None) if order_id is not None else (None,):
        row = session.scalars(
            select(Verification)
            .where(
                Verification.coverage_id == coverage_id,
                Verification.status == Status.VERIFIED,
                Verification.completed_on.is_not(None),
                Verification.order_id.is_(None)
                if wanted is None
                else Verification.order_id == wanted,
            )
            .order_by(Verification.completed_on.desc(), Verification.id.desc())
            .limit(1)
        ).first()
        if row is not None and row.completed_on is not None:
            rec = _record(row)
            values, _ = parse_answers(rec.checklist, rec.answers)
            return vb.facts_from_answers(values, row.completed_on)
    return None


def _apply_plan_facts(cov: Coverage, values: dict[str, object]) -> None:
    """Dates and network the payer confirmed go onto the coverage (not counted as an edit)."""
    term = values.get("termination_date")
    if isinstance(term, date) and term >= cov.effective_on:
        cov.terminates_on = term
    start = values.get("plan_year_start")
    if isinstance(start, str) and dc.check_plan_year_start(start) is None:
        cov.plan_year_start = start
    if values.get("in_network") in ("in", "out"):
        cov.network = str(values["in_network"])


# --- due dates and the worklist -------------------------------------------------------------


@dataclass(frozen=True)
class WorkRow:
    """One coverage × therapy order on the verification worklist."""

    patient_id: int
    mrn: str
    patient_name: str
    coverage_id: int
    coverage_label: str
    payer_id: int
    payer_name: str
    order_id: int | None
    order_label: str
    latest_id: int | None
    latest_status: Status | None
    verified_on: date | None
    due: dv.Due
    next_visit: date | None


def _due(
    cov: Coverage,
    order: ors.OrderRecord | None,
    verified_on: date | None,
    today: date,
    days_before: int,
) -> dv.Due:
    visits = tuple(v.on for v in order.visits if v.status == "planned") if order else ()
    return dv.due(
        dv.DueInputs(
            today=today,
            verified_on=verified_on,
            plan_year_start=cov.plan_year_start,
            coverage_effective=cov.effective_on,
            coverage_termination=cov.terminates_on,
            coverage_changed_on=cov.changed_on,
            order_changed_on=order.changed_on if order else None,
            planned_visits=visits,
            days_before_visit=days_before,
        )
    )


def worklist(
    session: Session,
    *,
    today: date,
    patient_id: int | None = None,
    payer_id: int | None = None,
    due_by: date | None = None,
) -> list[WorkRow]:
    """Every current coverage × active therapy order with its due state, most urgent first.

    Three queries whatever the number of patients (coverages, orders, verifications).
    """
    days_before = int(settings.get(session, "verification.days_before_visit"))
    stmt = (
        select(Coverage, Patient.id, Patient.mrn, Patient.last_name, Patient.first_name, Payer.name)
        .join(Patient, Patient.id == Coverage.patient_id)
        .join(Payer, Payer.id == Coverage.payer_id)
        .where(Coverage.status == "active", Patient.active.is_(True))
        .where((Coverage.terminates_on.is_(None)) | (Coverage.terminates_on >= today))
    )
    if patient_id is not None:
        stmt = stmt.where(Coverage.patient_id == patient_id)
    if payer_id is not None:
        stmt = stmt.where(Coverage.payer_id == payer_id)
    found = session.execute(stmt).all()
    if not found:
        return []
    patient_ids = {r[1] for r in found}
    coverage_ids = {r[0].id for r in found}
    orders_by_patient: dict[int, list[ors.OrderRecord]] = {}
    for found_order in ors.orders_for_patients(session, patient_ids, include_ended=False):
        orders_by_patient.setdefault(found_order.patient_id, []).append(found_order)
    latest: dict[tuple[int, int | None], tuple[int, str]] = {}
    verified: dict[tuple[int, int | None], date] = {}
    for vid, cov_id, order_id, status, completed in session.execute(
        select(
            Verification.id,
            Verification.coverage_id,
            Verification.order_id,
            Verification.status,
            Verification.completed_on,
        )
        .where(Verification.coverage_id.in_(coverage_ids))
        .order_by(Verification.id)
    ):
        key = (cov_id, order_id)
        latest[key] = (vid, status)
        if status == Status.VERIFIED and completed is not None:
            verified[key] = max(completed, verified.get(key, completed))
    rows: list[WorkRow] = []
    for cov, pid, mrn, last, first, payer_name in found:
        choices: list[ors.OrderRecord | None] = list(orders_by_patient.get(pid, [])) or [None]
        for order in choices:
            key = (cov.id, order.id if order else None)
            last_id, last_status = latest.get(key, (None, None))
            verified_on = verified.get(key)
            due = _due(cov, order, verified_on, today, days_before)
            open_work = last_status in (Status.IN_PROGRESS, Status.PROBLEM)
            not_due = due_by is not None and (due.due_on is None or due.due_on > due_by)
            if not_due and not open_work:
                continue
            rows.append(
                WorkRow(
                    patient_id=pid,
                    mrn=mrn,
                    patient_name=filed_name(last, first),
                    coverage_id=cov.id,
                    coverage_label=dc.coverage_label(cov.rank, payer_name, cov.plan_name),
                    payer_id=cov.payer_id,
                    payer_name=payer_name,
                    order_id=order.id if order else None,
                    order_label=order.label if order else "(no therapy order)",
                    latest_id=last_id,
                    latest_status=Status(last_status) if last_status else None,
                    verified_on=verified_on,
                    due=due,
                    next_visit=order.next_visit(today) if order else None,
                )
            )
    rank = {"overdue": 0, "due": 1, "due_soon": 2, "ok": 3}
    rows.sort(
        key=lambda r: (
            0 if r.latest_status == Status.PROBLEM else 1,
            rank[r.due.state],
            r.due.due_on or date.max,
            r.patient_name,
        )
    )
    return rows


def payer_notes_for(session: Session, verification_id: int, *, today: date) -> list[NoteRecord]:
    """Payer policy notes in effect for this verification (by the next visit, or today)."""
    row = _load(session, verification_id)
    cov = session.get(Coverage, row.coverage_id)
    assert cov is not None
    on = today
    if row.order_id is not None:
        nxt = ors.get_order(session, row.order_id).next_visit(today)
        on = max(on, nxt) if nxt else on
    return notes_for(session, cov.payer_id, on=on)


def list_for_patient(
    session: Session, patient_id: int
) -> list[tuple[VerificationRecord, str, str]]:
    """(verification, coverage label, order label), newest first."""
    stmt = (
        select(Verification, Coverage, Payer.name)
        .join(Coverage, Coverage.id == Verification.coverage_id)
        .join(Payer, Payer.id == Coverage.payer_id)
        .where(Coverage.patient_id == patient_id)
        .order_by(Verification.id.desc())
    )
    out = []
    for ver, cov, payer_name in session.execute(stmt):
        order_label = ors.get_order(session, ver.order_id).label if ver.order_id else "(no order)"
        out.append(
            (_record(ver), dc.coverage_label(cov.rank, payer_name, cov.plan_name), order_label)
        )
    return out
