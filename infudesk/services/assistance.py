"""A patient's assistance programs (copay card, foundation grant, discount)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from infudesk.domain import costshare as cs
from infudesk.domain.assistance import PROGRAM_KINDS
from infudesk.errors import NotFound, ValidationFailed
from infudesk.services import audit
from infudesk.services.access import Permission, require
from infudesk.services.audit import Actor
from infudesk.store.models import AssistanceProgram, Patient


@dataclass(frozen=True)
class ProgramData:
    kind: str = "copay_card"
    name: str = ""
    per_visit_max: Decimal | None = None
    annual_max: Decimal | None = None
    used: Decimal = Decimal("0")
    counts_toward_accumulators: bool = True
    balance: Decimal | None = None
    expires: date | None = None
    percent: Decimal | None = None
    notes: str = ""
    active: bool = True


FIELDS = tuple(f.name for f in fields(ProgramData))


@dataclass(frozen=True)
class ProgramRecord:
    id: int
    patient_id: int
    data: ProgramData

    @property
    def label(self) -> str:
        d = self.data
        if d.kind == "copay_card":
            limits = ", ".join(
                x
                for x in (
                    f"${d.per_visit_max:,.0f}/visit" if d.per_visit_max is not None else "",
                    f"${d.annual_max:,.0f}/year" if d.annual_max is not None else "",
                )
                if x
            )
            return f"{d.name} (copay card{', ' + limits if limits else ''})"
        if d.kind == "foundation_grant":
            until = f", until {d.expires:%m/%d/%Y}" if d.expires else ""
            return f"{d.name} (grant, ${d.balance or 0:,.0f} left{until})"
        return f"{d.name} ({(d.percent or 0) * 100:.0f}% off)"


def validate(d: ProgramData) -> dict[str, str]:
    errors: dict[str, str] = {}
    if d.kind not in PROGRAM_KINDS:
        errors["kind"] = "Choose the kind of program."
    if not d.name.strip():
        errors["name"] = "Name the program (e.g. the manufacturer's copay program)."
    for name in ("per_visit_max", "annual_max", "used", "balance"):
        v = getattr(d, name)
        if v is not None and v < 0:
            errors[name] = "An amount cannot be negative."
    if d.kind == "copay_card" and d.annual_max is not None and d.used > d.annual_max:
        errors["used"] = "More used than the annual maximum: check both figures."
    if d.kind == "foundation_grant" and d.balance is None:
        errors["balance"] = "Enter the grant's balance left."
    if d.kind == "discount" and (d.percent is None or not 0 < d.percent <= 1):
        errors["percent"] = "Enter the discount as a percentage between 1 and 100."
    return errors


def add_program(
    session: Session, actor: Actor, patient_id: int, data: ProgramData
) -> ProgramRecord:
    require(actor, Permission.ASSISTANCE)
    if session.get(Patient, patient_id) is None:
        raise NotFound("This patient record no longer exists.")
    errors = validate(data)
    if errors:
        raise ValidationFailed(errors)
    row = AssistanceProgram(
        patient_id=patient_id, created_by=actor.name, **{n: getattr(data, n) for n in FIELDS}
    )
    row.name = " ".join(data.name.split())
    session.add(row)
    session.flush()
    audit.record(session, actor, "create", "assistance", row.id, patient_id=patient_id)
    return _record(row)


def set_active(session: Session, actor: Actor, program_id: int, active: bool) -> ProgramRecord:
    require(actor, Permission.ASSISTANCE)
    row = session.get(AssistanceProgram, program_id)
    if row is None:
        raise NotFound("This program no longer exists.")
    row.active = active
    audit.record(
        session,
        actor,
        "activate" if active else "deactivate",
        "assistance",
        row.id,
        patient_id=row.patient_id,
    )
    session.flush()
    return _record(row)


def _record(row: AssistanceProgram) -> ProgramRecord:
    return ProgramRecord(
        row.id, row.patient_id, ProgramData(**{n: getattr(row, n) for n in FIELDS})
    )


def list_programs(
    session: Session, patient_id: int, *, active_only: bool = True
) -> list[ProgramRecord]:
    stmt = select(AssistanceProgram).where(AssistanceProgram.patient_id == patient_id)
    if active_only:
        stmt = stmt.where(AssistanceProgram.active.is_(True))
    return [_record(r) for r in session.scalars(stmt.order_by(AssistanceProgram.id))]


def to_engine(p: ProgramRecord) -> cs.Program:
    d = p.data
    if d.kind == "copay_card":
        return cs.CopayCard(
            name=d.name,
            per_visit_max=d.per_visit_max,
            annual_max=d.annual_max,
            used=d.used,
            counts_toward_accumulators=d.counts_toward_accumulators,
        )
    if d.kind == "foundation_grant":
        return cs.FoundationGrant(name=d.name, balance=d.balance or Decimal("0"), expires=d.expires)
    return cs.Discount(name=d.name, percent=d.percent or Decimal("0"))
