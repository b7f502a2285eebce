"""Planned visits as the desk records them: arrived, given (uses up authorization units and
assistance balance, per code), cancelled or rescheduled."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from infudesk.domain import prior_auth as pa
from infudesk.domain.validation import normalize_code
from infudesk.domain.verification import us_date
from infudesk.domain.worklist import VisitStatus
from infudesk.errors import NotFound, UserError, ValidationFailed
from infudesk.services import audit
from infudesk.services import orders as ors
from infudesk.services import prior_auths as pas
from infudesk.services import quotes as qsv
from infudesk.services.access import Permission, require
from infudesk.services.audit import Actor
from infudesk.store.models import (
    AssistanceEnrollment,
    AssistanceUsage,
    PlannedVisit,
    PriorAuthCase,
    PriorAuthUsage,
    TherapyOrder,
    utcnow,
)
from infudesk.store.writers import lock_writers

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Exceeded:
    """One thing a given visit would go beyond on an approval. ``what``: "units" (of
    ``code``), "visits", "dates" (the visit's date is outside the approval) or "code" (the
    code is not on it); ``approved`` and ``would_use``: the units or visits approved and used
    with this visit (0 for dates and code); ``message`` says it in words."""

    case_id: int
    auth_number: str
    what: Literal["units", "visits", "dates", "code"]
    code: str
    approved: int
    would_use: int
    message: str


class OverApproved(UserError):
    """Recording the visit as given would use more than was approved; ``exceeded`` says what.
    Call ``mark_given`` again with a ``reason`` to record it anyway."""

    title = "More than approved"

    def __init__(self, exceeded: tuple[Exceeded, ...]) -> None:
        lines = " ".join(e.message for e in exceeded)
        super().__init__(f"{lines} Give a reason to record the visit as given anyway.")
        self.exceeded = exceeded


@dataclass(frozen=True)
class VisitRecord:
    """A visit as the patient screen lists it."""

    visit_id: int
    order_id: int
    patient_id: int
    on: date
    drug: str
    site: str
    status: str  # planned | arrived | given | cancelled
    status_at: datetime | None
    status_by: str
    reason: str
    rescheduled_from: date | None
    scheduled_on: date | None


def _record(v: PlannedVisit, o: TherapyOrder) -> VisitRecord:
    return VisitRecord(
        visit_id=v.id,
        order_id=o.id,
        patient_id=o.patient_id,
        on=v.on,
        drug=o.drug_name,
        site=o.site_of_care,
        status=v.status,
        status_at=v.status_at,
        status_by=v.status_by,
        reason=v.reason,
        rescheduled_from=v.rescheduled_from,
        scheduled_on=v.scheduled_on,
    )


def _load(
    session: Session, visit_id: int, *, lock: bool = False
) -> tuple[PlannedVisit, TherapyOrder]:
    if lock:
        lock_writers(session)
        session.execute(
            select(PlannedVisit.id).where(PlannedVisit.id == visit_id).with_for_update()
        )
    v = session.get(PlannedVisit, visit_id)
    if v is None:
        raise NotFound("This visit no longer exists.")
    o = session.get(TherapyOrder, v.order_id)
    assert o is not None
    return v, o


def _set(v: PlannedVisit, actor: Actor, status: VisitStatus, reason: str = "") -> None:
    v.status = status
    v.status_at = utcnow()
    v.status_by = actor.name
    v.reason = reason


def _refuse(v: PlannedVisit, *allowed: VisitStatus) -> None:
    if v.status not in allowed:
        raise ValidationFailed({"status": f"The visit of {v.on:%m/%d/%Y} is already {v.status}."})


def mark_arrived(
    session: Session, actor: Actor, visit_id: int, *, today: date | None = None
) -> VisitRecord:
    """The patient is here: only on the visit's own day."""
    require(actor, Permission.WORKLIST)
    v, o = _load(session, visit_id, lock=True)
    _refuse(v, VisitStatus.PLANNED)
    if v.on != (today or date.today()):
        raise ValidationFailed({"on": f"Arrived is for the visit's day: {v.on:%a %m/%d}."})
    _set(v, actor, VisitStatus.ARRIVED)
    session.flush()
    audit.record(session, actor, "arrived", "visit", v.id, patient_id=o.patient_id)
    return _record(v, o)


def _approving_case(
    session: Session, o: TherapyOrder, on: date, case_id: int | None = None
) -> pas.CaseRecord | None:
    """The order's approved case for the day: one whose dates and site cover it, else any
    approved one (the visit then goes beyond it), None when the order has none. ``case_id``:
    that case, which must be one of the order's approved cases."""
    stmt = select(PriorAuthCase.id).where(
        PriorAuthCase.order_id == o.id,
        PriorAuthCase.state.in_([s.value for s in pa.APPROVAL_STATES]),
    )
    if case_id is not None:
        if session.scalar(stmt.where(PriorAuthCase.id == case_id)) is None:
            raise ValidationFailed(
                {"case": "Visits are recorded against an approved case of the visit's order."}
            )
        found = pas.get_case(session, case_id)
        return found if found.case.approval is not None else None
    ids = session.scalars(stmt.order_by(PriorAuthCase.id.desc())).all()
    cases = [pas.get_case(session, i) for i in ids]
    cases = [c for c in cases if c.case.approval is not None]
    for c in cases:
        a = c.case.approval
        assert a is not None
        if a.start <= on <= a.end and (not a.site or a.site == o.site_of_care):
            return c
    return cases[0] if cases else None


def _exceeded(case: pas.CaseRecord, new: list[pa.Usage], on: date) -> list[Exceeded]:
    """Everything this visit's usages would go beyond on the approval (dates, codes, units
    per code, visits), each said once."""
    a = case.case.approval
    assert a is not None
    out: list[Exceeded] = []

    def add(
        what: Literal["units", "visits", "dates", "code"], code: str, n: int, m: int, msg: str
    ) -> None:
        out.append(Exceeded(case.id, a.auth_number, what, code, n, m, msg))

    if not a.start <= on <= a.end:
        add(
            "dates",
            "",
            0,
            0,
            f"Authorization {a.auth_number} covers {us_date(a.start)}–{us_date(a.end)}, "
            f"not {us_date(on)}.",
        )
    approved = a.units()
    left = pa.remaining(a, case.usages)
    used = {c: approved[c] - n for c, n in left.units_by_code.items()}
    adding: dict[str, int] = {}
    for u in new:
        adding[normalize_code(u.code)] = adding.get(normalize_code(u.code), 0) + u.units
    for code, n in adding.items():
        if code not in approved:
            add("code", code, 0, n, f"{code} is not on authorization {a.auth_number}.")
        elif used[code] + n + left.over.get(code, 0) > approved[code]:
            total = used[code] + left.over.get(code, 0) + n
            add(
                "units",
                code,
                approved[code],
                total,
                f"{code}: {approved[code]} units approved, {total} with this visit.",
            )
    if a.visits is not None and any(u.visit for u in new):
        visits_used = a.visits - (left.visits or 0) + left.visits_over
        if visits_used + 1 > a.visits:
            add(
                "visits",
                "",
                a.visits,
                visits_used + 1,
                f"{a.visits} visits approved, this would be visit {visits_used + 1}.",
            )
    return out


def _use_assistance(session: Session, actor: Actor, v: PlannedVisit, o: TherapyOrder) -> None:
    """What the patient's programs pay for this visit (the quote engine on this one date),
    recorded per code in proportion to each line's allowed amount, and taken off the
    enrollments' balance. Nothing when the visit cannot be priced (no fee on file)."""
    try:
        setup = qsv.prepare(session, o.patient_id, today=v.on, order_id=o.id, from_date=v.on)
    except UserError:
        return
    if not setup.program_ids:
        return
    setup = dataclasses.replace(setup, dates=(v.on,))
    try:
        result = qsv.compute(setup)
    except (UserError, ValueError):
        return
    if not result.visits:
        return
    weights: dict[str, Decimal] = {}
    for ln in setup.lines:
        code = normalize_code(ln.code.split("-")[0])
        weights[code] = weights.get(code, Decimal(0)) + ln.unit_price * ln.units
    total = sum(weights.values(), Decimal(0))
    for paid in result.visits[0].assistance:
        if paid.amount <= 0:
            continue
        enrollment = session.get(AssistanceEnrollment, setup.program_ids[paid.program])
        if enrollment is None:
            continue
        shares: dict[str, Decimal] = {}
        left = paid.amount
        codes = sorted(weights, key=lambda c: -weights[c]) if total > 0 else ["visit"]
        for i, code in enumerate(codes):
            share = (
                left
                if i == len(codes) - 1
                else (paid.amount * weights[code] / total).quantize(CENT, ROUND_HALF_UP)
            )
            left -= share
            shares[code] = share
        for code, amount in shares.items():
            if amount:
                session.add(
                    AssistanceUsage(
                        enrollment_id=enrollment.id,
                        planned_visit_id=v.id,
                        on=v.on,
                        code=code,
                        amount=amount,
                        recorded_by=actor.name,
                    )
                )
        enrollment.used = enrollment.used + paid.amount
        if enrollment.balance is not None:
            enrollment.balance = enrollment.balance - paid.amount
        enrollment.updated_by = actor.name


def undo_arrival(session: Session, actor: Actor, visit_id: int) -> VisitRecord:
    """Marked arrived by mistake: the visit is planned again (kept in the audit trail)."""
    require(actor, Permission.WORKLIST)
    v, o = _load(session, visit_id, lock=True)
    _refuse(v, VisitStatus.ARRIVED)
    _set(v, actor, VisitStatus.PLANNED)
    session.flush()
    audit.record(session, actor, "arrival_undone", "visit", v.id, patient_id=o.patient_id)
    return _record(v, o)


def mark_given(
    session: Session,
    actor: Actor,
    visit_id: int,
    *,
    reason: str | None = None,
    today: date | None = None,
    case_id: int | None = None,
) -> VisitRecord:
    """The visit was given: its units per approved code and one visit are used on the order's
    approval (``case_id``: that approved case of the order, as when recorded from the case
    itself), and what its assistance programs pay is taken off their balance. Beyond what
    was approved (units, visits, dates, codes) raises :class:`OverApproved` unless a
    ``reason`` is given, which is then kept with the usage and the visit."""
    require(actor, Permission.WORKLIST)
    v, o = _load(session, visit_id, lock=True)
    _refuse(v, VisitStatus.PLANNED, VisitStatus.ARRIVED)
    if v.on > (today or date.today()):  # given late (after its day) stays allowed
        raise ValidationFailed({"on": f"Given is for the visit's day: {v.on:%a %m/%d}."})
    why = (reason or "").strip()
    case = _approving_case(session, o, v.on, case_id)
    if case is not None:
        lock_writers(session)
        session.execute(
            select(PriorAuthCase.id).where(PriorAuthCase.id == case.id).with_for_update()
        )
        case = pas.get_case(session, case.id)  # current after the lock
        new = pas.usages_for_visit(case, ors.get_order(session, o.id), v.on)
        over = _exceeded(case, new, v.on) if new else []
        if not new:
            a = case.case.approval
            assert a is not None
            over = [
                Exceeded(
                    case.id,
                    a.auth_number,
                    "code",
                    o.drug_hcpcs,
                    0,
                    0,
                    f"None of the order's codes are on authorization {a.auth_number}.",
                )
            ]
        if over and not why:
            raise OverApproved(tuple(over))
        for u in new:
            session.add(
                PriorAuthUsage(
                    case_id=case.id,
                    on=v.on,
                    code=u.code,
                    units=u.units,
                    visit=u.visit,
                    reason=why if over else "",
                    planned_visit_id=v.id,
                    recorded_by=actor.name,
                )
            )
        audit.record(session, actor, "usage", "prior_auth", case.id, patient_id=o.patient_id)
    _use_assistance(session, actor, v, o)
    _set(v, actor, VisitStatus.GIVEN, why)
    session.flush()
    audit.record(session, actor, "given", "visit", v.id, patient_id=o.patient_id)
    return _record(v, o)


def cancel(session: Session, actor: Actor, visit_id: int, reason: str) -> VisitRecord:
    """The visit will not happen (the reason is kept)."""
    require(actor, Permission.WORKLIST)
    if not reason.strip():
        raise ValidationFailed({"reason": "Say why the visit is cancelled."})
    v, o = _load(session, visit_id, lock=True)
    _refuse(v, VisitStatus.PLANNED, VisitStatus.ARRIVED)
    _set(v, actor, VisitStatus.CANCELLED, reason.strip())
    session.flush()
    audit.record(session, actor, "cancelled", "visit", v.id, patient_id=o.patient_id)
    return _record(v, o)


def reschedule(
    session: Session, actor: Actor, visit_id: int, new_date: date, *, today: date | None = None
) -> VisitRecord:
    """Move a planned visit to another day; the day it was moved from is kept, and it counts
    as scheduled ``today`` (a Good Faith Estimate's clock starts again)."""
    require(actor, Permission.WORKLIST)
    v, o = _load(session, visit_id, lock=True)
    _refuse(v, VisitStatus.PLANNED)
    if new_date == v.on:
        raise ValidationFailed({"new_date": "Choose another day than the one planned."})
    today = today or date.today()
    if new_date < today:
        raise ValidationFailed({"new_date": "A visit cannot be moved into the past."})
    v.rescheduled_from = v.on
    v.on = new_date
    v.scheduled_on = today
    v.status_at = utcnow()
    v.status_by = actor.name
    session.flush()
    audit.record(
        session,
        actor,
        "rescheduled",
        "visit",
        v.id,
        patient_id=o.patient_id,
        detail={"from": v.rescheduled_from.isoformat(), "to": new_date.isoformat()},
    )
    return _record(v, o)


def visits_for_patient(session: Session, patient_id: int) -> list[VisitRecord]:
    """Every visit of the patient's orders, by date."""
    rows = session.execute(
        select(PlannedVisit, TherapyOrder)
        .join(TherapyOrder, TherapyOrder.id == PlannedVisit.order_id)
        .where(TherapyOrder.patient_id == patient_id)
        .order_by(PlannedVisit.on, PlannedVisit.id)
    ).all()
    return [_record(v, o) for v, o in rows]
