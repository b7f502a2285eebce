"""Therapy orders with their billing lines (suggested, editable) and planned visits."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from infudesk.domain import validation as v
from infudesk.domain.billing import BillingLine, home_notes
from infudesk.domain.money import format_quantity
from infudesk.domain.orders import OrderData, schedule, suggested_lines, validate_order
from infudesk.errors import Conflict, NotFound, ValidationFailed
from infudesk.services import audit
from infudesk.services.access import Permission, require
from infudesk.services.audit import Actor
from infudesk.services.drugs import find_drug
from infudesk.store.models import OrderLine, Patient, PlannedVisit, TherapyOrder, utcnow

ORDER_FIELDS = tuple(f.name for f in fields(OrderData))
MODIFIERS = ("", "JW", "JZ")
BILLING_FIELDS = frozenset(
    {"drug", "dose", "dose_per_kg", "weight_kg", "route", "minutes", "site_of_care"}
)


@dataclass(frozen=True)
class VisitRecord:
    id: int
    on: date
    status: str


@dataclass(frozen=True)
class OrderRecord:
    id: int
    version: int
    patient_id: int
    data: OrderData
    status: str
    changed_on: date | None
    lines: tuple[BillingLine, ...]
    visits: tuple[VisitRecord, ...]

    @property
    def label(self) -> str:
        d = self.data
        per = "/kg" if d.dose_per_kg else ""
        return f"{d.drug_name} {format_quantity(d.dose)} mg{per} every {d.every_days} days"

    def next_visit(self, today: date) -> date | None:
        upcoming = [vr.on for vr in self.visits if vr.status == "planned" and vr.on >= today]
        return min(upcoming) if upcoming else None


def _record(o: TherapyOrder) -> OrderRecord:
    data = OrderData(**{n: getattr(o, n) for n in ORDER_FIELDS})
    return OrderRecord(
        id=o.id,
        version=o.version,
        patient_id=o.patient_id,
        data=data,
        status=o.status,
        changed_on=o.changed_on,
        lines=tuple(
            BillingLine(ln.code, ln.modifier, ln.units, ln.label, ln.kind) for ln in o.lines
        ),
        visits=tuple(VisitRecord(vr.id, vr.on, vr.status) for vr in o.visits),
    )


def check_lines(lines: list[BillingLine]) -> dict[str, str]:
    """Problems with edited billing lines, keyed 'lines.N.field' (N from 1)."""
    errors: dict[str, str] = {}
    if not lines:
        errors["lines"] = "An order needs at least one billing line."
    for i, ln in enumerate(lines, start=1):
        msg = v.check_procedure_code(ln.code)
        if msg:
            errors[f"lines.{i}.code"] = f"Line {i}: {msg}"
        if ln.modifier not in MODIFIERS:
            errors[f"lines.{i}.modifier"] = f"Line {i}: the modifier is JW, JZ or empty."
        if ln.units < 1 or ln.units > 100000:
            errors[f"lines.{i}.units"] = f"Line {i}: units are a whole number of at least 1."
    return errors


def suggest(data: OrderData) -> list[BillingLine]:
    """The suggested lines for an order as typed (raises ValidationFailed if it is not valid)."""
    drug = find_drug(data.drug_hcpcs, data.drug_name)
    errors = {k: m for k, m in validate_order(data, drug).items() if k in BILLING_FIELDS}
    if errors:
        raise ValidationFailed(errors)
    assert drug is not None
    return suggested_lines(data, drug)


def suggestion_notes(data: OrderData) -> list[str]:
    """What the suggested lines could not fill in (a home visit of a drug without a per-diem
    S-code), for the order dialog to show beside them."""
    drug = find_drug(data.drug_hcpcs, data.drug_name)
    if drug is None or data.site_of_care != "home":
        return []
    return home_notes(drug)


def _validate_all(data: OrderData) -> None:
    errors = validate_order(data, find_drug(data.drug_hcpcs, data.drug_name))
    if errors:
        raise ValidationFailed(errors)


def _normalized(data: OrderData) -> OrderData:
    drug = find_drug(data.drug_hcpcs, data.drug_name)
    name = drug.title if drug else data.drug_name
    return OrderData(
        **{
            **{n: getattr(data, n) for n in ORDER_FIELDS},
            "drug_name": name,
            "drug_hcpcs": data.drug_hcpcs.strip().upper(),
            "diagnosis": v.normalize_code(data.diagnosis),
            "provider_name": v.clean_name(data.provider_name),
            "provider_npi": data.provider_npi.strip(),
            "notes": data.notes.strip(),
        }
    )


def _set_lines(order: TherapyOrder, lines: list[BillingLine], suggested: list[BillingLine]) -> None:
    order.lines.clear()
    for i, ln in enumerate(lines):
        order.lines.append(
            OrderLine(
                position=i,
                code=v.normalize_code(ln.code),
                modifier=ln.modifier,
                units=ln.units,
                label=ln.label,
                kind=ln.kind,
                edited=ln not in suggested,
            )
        )


def _set_visits(order: TherapyOrder, dates: list[date], today: date) -> None:
    """Re-plan the order's visits: recorded ones (arrived, given, cancelled) stay; planned
    ones are made again, scheduled ``today``."""
    keep = {vr.on: vr for vr in order.visits if vr.status != "planned"}
    order.visits.clear()
    for day in sorted(set(dates) | set(keep)):
        order.visits.append(
            keep.get(day) or PlannedVisit(on=day, status="planned", scheduled_on=today)
        )


def create_order(
    session: Session,
    actor: Actor,
    patient_id: int,
    data: OrderData,
    *,
    today: date,
    lines: list[BillingLine] | None = None,
    visit_dates: list[date] | None = None,
) -> OrderRecord:
    """Save a new order; lines default to the suggestions, visits to the schedule."""
    require(actor, Permission.PATIENTS)
    if session.get(Patient, patient_id) is None:
        raise NotFound("This patient record no longer exists.")
    _validate_all(data)
    suggested = suggest(data)
    data = _normalized(data)
    chosen = suggested if lines is None else lines
    errors = check_lines(chosen)
    if errors:
        raise ValidationFailed(errors)
    assert data.start_on and data.every_days and data.visit_count
    order = TherapyOrder(
        patient_id=patient_id,
        created_by=actor.name,
        updated_by=actor.name,
        changed_on=today,
        **{n: getattr(data, n) for n in ORDER_FIELDS},
    )
    session.add(order)
    _set_lines(order, chosen, suggested)
    _set_visits(
        order, visit_dates or schedule(data.start_on, data.every_days, data.visit_count), today
    )
    session.flush()
    audit.record(session, actor, "create", "therapy_order", order.id, patient_id=patient_id)
    return _record(order)


def update_order(
    session: Session,
    actor: Actor,
    order_id: int,
    data: OrderData,
    *,
    expected_version: int,
    today: date,
    lines: list[BillingLine] | None = None,
    visit_dates: list[date] | None = None,
) -> OrderRecord:
    """Save changes; lines are re-suggested when not given, visits re-planned when not given."""
    require(actor, Permission.PATIENTS)
    order = _load(session, order_id)
    if order.version != expected_version:
        raise Conflict(
            "Someone else changed this order after you opened it. Reopen it; your "
            "entries are still in the form."
        )
    _validate_all(data)
    suggested = suggest(data)
    data = _normalized(data)
    chosen = suggested if lines is None else lines
    errors = check_lines(chosen)
    if errors:
        raise ValidationFailed(errors)
    assert data.start_on and data.every_days and data.visit_count
    for n in ORDER_FIELDS:
        setattr(order, n, getattr(data, n))
    _set_lines(order, chosen, suggested)
    _set_visits(
        order, visit_dates or schedule(data.start_on, data.every_days, data.visit_count), today
    )
    order.changed_on = today
    order.updated_by = actor.name
    order.updated_at = utcnow()  # always an UPDATE, so the version moves even if only lines changed
    session.flush()
    audit.record(session, actor, "update", "therapy_order", order.id, patient_id=order.patient_id)
    return _record(order)


def _load(session: Session, order_id: int) -> TherapyOrder:
    order = session.get(TherapyOrder, order_id)
    if order is None:
        raise NotFound("This therapy order no longer exists.")
    return order


def get_order(session: Session, order_id: int) -> OrderRecord:
    return _record(_load(session, order_id))


def orders_for_patients(
    session: Session, patient_ids: Iterable[int], *, include_ended: bool = True
) -> list[OrderRecord]:
    """The orders of many patients at once: three plain queries, no ORM objects (fast)."""
    ids = list(patient_ids)
    if not ids:
        return []
    cols = [getattr(TherapyOrder, n) for n in ORDER_FIELDS]
    stmt = select(
        TherapyOrder.id,
        TherapyOrder.version,
        TherapyOrder.patient_id,
        TherapyOrder.status,
        TherapyOrder.changed_on,
        *cols,
    )
    stmt = stmt.where(TherapyOrder.patient_id.in_(ids)).order_by(TherapyOrder.id)
    if not include_ended:
        stmt = stmt.where(TherapyOrder.status == "active")
    heads = session.execute(stmt).all()
    order_ids = [h[0] for h in heads]
    lines: dict[int, list[BillingLine]] = {}
    for oid, code, mod, units, label, kind in session.execute(
        select(
            OrderLine.order_id,
            OrderLine.code,
            OrderLine.modifier,
            OrderLine.units,
            OrderLine.label,
            OrderLine.kind,
        )
        .where(OrderLine.order_id.in_(order_ids))
        .order_by(OrderLine.order_id, OrderLine.position)
    ):
        lines.setdefault(oid, []).append(BillingLine(code, mod, units, label, kind))
    visits: dict[int, list[VisitRecord]] = {}
    for vid, oid, on, status in session.execute(
        select(PlannedVisit.id, PlannedVisit.order_id, PlannedVisit.on, PlannedVisit.status)
        .where(PlannedVisit.order_id.in_(order_ids))
        .order_by(PlannedVisit.order_id, PlannedVisit.on)
    ):
        visits.setdefault(oid, []).append(VisitRecord(vid, on, status))
    return [
        OrderRecord(
            id=h[0],
            version=h[1],
            patient_id=h[2],
            status=h[3],
            changed_on=h[4],
            data=OrderData(*h[5:]),
            lines=tuple(lines.get(h[0], ())),
            visits=tuple(visits.get(h[0], ())),
        )
        for h in heads
    ]


def list_orders(
    session: Session, patient_id: int, *, include_ended: bool = True
) -> list[OrderRecord]:
    stmt = select(TherapyOrder).where(TherapyOrder.patient_id == patient_id)
    if not include_ended:
        stmt = stmt.where(TherapyOrder.status == "active")
    return [_record(o) for o in session.scalars(stmt.order_by(TherapyOrder.id))]
