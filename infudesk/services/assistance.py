"""Assistance: the program directory shared across patients, each patient's enrollments (a
copay card, a foundation grant, a discount), and the programs a quote applies."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from infudesk.domain import assistance as da
from infudesk.domain import costshare as cs
from infudesk.domain.assistance import PROGRAM_KINDS
from infudesk.errors import NotFound, ValidationFailed
from infudesk.services import audit
from infudesk.services.access import Permission, require
from infudesk.services.audit import Actor
from infudesk.store.models import (
    AssistanceDirectoryEntry,
    AssistanceEnrollment,
    AssistanceUsage,
    Patient,
)


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


ENROLLMENT_STATUSES: dict[str, str] = {
    "screening": "Screening",
    "applied": "Applied",
    "approved": "Approved",
    "denied": "Denied",
    "expired": "Expired",
}
RENEWALS: dict[str, str] = {
    "calendar_year": "Every calendar year",
    "enrollment_year": "Twelve months after approval",
    "grant_period": "When the grant period ends",
    "none": "No renewal",
}


def _rule(d: ProgramData) -> dict[str, object]:
    return {
        "kind": d.kind,
        "name": " ".join(d.name.split()),
        "per_visit_max": d.per_visit_max,
        "annual_max": d.annual_max,
        "percent": d.percent,
        "counts_toward_accumulators": d.counts_toward_accumulators,
    }


def _entry_for(session: Session, actor: Actor, d: ProgramData) -> AssistanceDirectoryEntry:
    """The directory entry with these rules (kind, name, limits), made if there is none."""
    rule = _rule(d)
    stmt = select(AssistanceDirectoryEntry).where(
        *(getattr(AssistanceDirectoryEntry, k) == v for k, v in rule.items() if v is not None),
        *(getattr(AssistanceDirectoryEntry, k).is_(None) for k, v in rule.items() if v is None),
    )
    found = session.scalars(stmt.order_by(AssistanceDirectoryEntry.id).limit(1)).first()
    if found is not None:
        return found
    entry = AssistanceDirectoryEntry(**rule, created_by=actor.name)
    session.add(entry)
    session.flush()
    audit.record(session, actor, "create", "assistance_directory", entry.id)
    return entry


def add_program(
    session: Session, actor: Actor, patient_id: int, data: ProgramData
) -> ProgramRecord:
    """Enroll the patient (approved) in the directory program with these rules; the entry is
    made when the directory has none alike."""
    require(actor, Permission.ASSISTANCE)
    if session.get(Patient, patient_id) is None:
        raise NotFound("This patient record no longer exists.")
    errors = validate(data)
    if errors:
        raise ValidationFailed(errors)
    entry = _entry_for(session, actor, data)
    row = AssistanceEnrollment(
        patient_id=patient_id,
        program_id=entry.id,
        status="approved",
        used=data.used,
        balance=data.balance,
        expires=data.expires,
        active=data.active,
        notes=data.notes,
        created_by=actor.name,
        updated_by=actor.name,
    )
    session.add(row)
    session.flush()
    audit.record(session, actor, "create", "assistance", row.id, patient_id=patient_id)
    return _record(row, entry)


def set_active(session: Session, actor: Actor, program_id: int, active: bool) -> ProgramRecord:
    """Switch a patient's enrollment (``program_id``: its id) on or off."""
    require(actor, Permission.ASSISTANCE)
    row = session.get(AssistanceEnrollment, program_id)
    if row is None:
        raise NotFound("This program no longer exists.")
    row.active = active
    row.updated_by = actor.name
    audit.record(
        session,
        actor,
        "activate" if active else "deactivate",
        "assistance",
        row.id,
        patient_id=row.patient_id,
    )
    session.flush()
    entry = session.get(AssistanceDirectoryEntry, row.program_id)
    assert entry is not None
    return _record(row, entry)


def _record(row: AssistanceEnrollment, entry: AssistanceDirectoryEntry) -> ProgramRecord:
    """The enrollment as the quote engine and letters see a program (id: the enrollment's)."""
    return ProgramRecord(
        row.id,
        row.patient_id,
        ProgramData(
            kind=entry.kind,
            name=entry.name,
            per_visit_max=entry.per_visit_max,
            annual_max=entry.annual_max,
            used=row.used,
            counts_toward_accumulators=entry.counts_toward_accumulators,
            balance=row.balance,
            expires=row.expires,
            percent=entry.percent,
            notes=row.notes,
            active=row.active,
        ),
    )


def list_programs(
    session: Session, patient_id: int, *, active_only: bool = True
) -> list[ProgramRecord]:
    """The patient's enrollments as programs; ``active_only``: switched on and approved."""
    stmt = (
        select(AssistanceEnrollment, AssistanceDirectoryEntry)
        .join(
            AssistanceDirectoryEntry, AssistanceDirectoryEntry.id == AssistanceEnrollment.program_id
        )
        .where(AssistanceEnrollment.patient_id == patient_id)
    )
    if active_only:
        stmt = stmt.where(
            AssistanceEnrollment.active.is_(True), AssistanceEnrollment.status == "approved"
        )
    return [_record(e, d) for e, d in session.execute(stmt.order_by(AssistanceEnrollment.id))]


# --- the directory and enrollments ------------------------------------------------------------


@dataclass(frozen=True)
class DirectoryData:
    """A program of the directory and its rules (``drugs``: HCPCS codes or drug names;
    ``diagnoses``: ICD-10 prefixes; empty: any)."""

    kind: str = "copay_card"
    name: str = ""
    sponsor: str = ""
    drugs: tuple[str, ...] = ()
    diagnoses: tuple[str, ...] = ()
    no_government: bool = False
    fpl_limit: int | None = None
    per_visit_max: Decimal | None = None
    annual_max: Decimal | None = None
    percent: Decimal | None = None
    counts_toward_accumulators: bool = True
    renewal: str = "calendar_year"
    active: bool = True
    notes: str = ""


@dataclass(frozen=True)
class DirectoryRecord:
    id: int
    data: DirectoryData


@dataclass(frozen=True)
class EnrollmentData:
    program_id: int
    status: str = "screening"
    member_id: str = ""
    group_id: str = ""
    applied_on: date | None = None
    approved_on: date | None = None
    amount_approved: Decimal | None = None
    used: Decimal = Decimal("0")
    balance: Decimal | None = None
    expires: date | None = None
    reenroll_on: date | None = None
    active: bool = True
    notes: str = ""


@dataclass(frozen=True)
class EnrollmentRecord:
    id: int
    patient_id: int
    data: EnrollmentData
    program: DirectoryRecord


def _split(text: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in text.split(",") if x.strip())


def directory_record(e: AssistanceDirectoryEntry) -> DirectoryRecord:
    return DirectoryRecord(
        e.id,
        DirectoryData(
            kind=e.kind,
            name=e.name,
            sponsor=e.sponsor,
            drugs=_split(e.drugs),
            diagnoses=_split(e.diagnoses),
            no_government=e.no_government,
            fpl_limit=e.fpl_limit,
            per_visit_max=e.per_visit_max,
            annual_max=e.annual_max,
            percent=e.percent,
            counts_toward_accumulators=e.counts_toward_accumulators,
            renewal=e.renewal,
            active=e.active,
            notes=e.notes,
        ),
    )


def enrollment_record(row: AssistanceEnrollment, e: AssistanceDirectoryEntry) -> EnrollmentRecord:
    return EnrollmentRecord(
        row.id,
        row.patient_id,
        EnrollmentData(
            program_id=row.program_id,
            status=row.status,
            member_id=row.member_id,
            group_id=row.group_id,
            applied_on=row.applied_on,
            approved_on=row.approved_on,
            amount_approved=row.amount_approved,
            used=row.used,
            balance=row.balance,
            expires=row.expires,
            reenroll_on=row.reenroll_on,
            active=row.active,
            notes=row.notes,
        ),
        directory_record(e),
    )


def validate_entry(d: DirectoryData) -> dict[str, str]:
    errors = validate(
        ProgramData(
            kind=d.kind,
            name=d.name,
            per_visit_max=d.per_visit_max,
            annual_max=d.annual_max,
            balance=Decimal("0"),
            percent=d.percent,
        )
    )
    if d.renewal not in RENEWALS:
        errors["renewal"] = "Choose how often the program is renewed."
    if d.fpl_limit is not None and not 0 < d.fpl_limit <= 1000:
        errors["fpl_limit"] = "Enter the income limit as a percentage of the poverty guideline."
    return errors


def _entry_values(d: DirectoryData) -> dict[str, object]:
    return {
        "kind": d.kind,
        "name": " ".join(d.name.split()),
        "sponsor": d.sponsor.strip(),
        "drugs": ", ".join(x.strip() for x in d.drugs if x.strip()),
        "diagnoses": ", ".join(x.strip().upper() for x in d.diagnoses if x.strip()),
        "no_government": d.no_government,
        "fpl_limit": d.fpl_limit,
        "per_visit_max": d.per_visit_max,
        "annual_max": d.annual_max,
        "percent": d.percent,
        "counts_toward_accumulators": d.counts_toward_accumulators,
        "renewal": d.renewal,
        "active": d.active,
        "notes": d.notes,
    }


def add_directory_entry(session: Session, actor: Actor, data: DirectoryData) -> DirectoryRecord:
    require(actor, Permission.ASSISTANCE)
    errors = validate_entry(data)
    if errors:
        raise ValidationFailed(errors)
    row = AssistanceDirectoryEntry(**_entry_values(data), created_by=actor.name)
    session.add(row)
    session.flush()
    audit.record(session, actor, "create", "assistance_directory", row.id)
    return directory_record(row)


def update_directory_entry(
    session: Session, actor: Actor, entry_id: int, data: DirectoryData
) -> DirectoryRecord:
    require(actor, Permission.ASSISTANCE)
    row = session.get(AssistanceDirectoryEntry, entry_id)
    if row is None:
        raise NotFound("This program is no longer in the directory.")
    errors = validate_entry(data)
    if errors:
        raise ValidationFailed(errors)
    changed = sorted(k for k, v in _entry_values(data).items() if getattr(row, k) != v)
    was_active = row.active
    for k, v in _entry_values(data).items():
        setattr(row, k, v)
    session.flush()
    # retiring or bringing back a program says so; a correction names the fields it changed
    action = "update"
    if was_active != row.active:
        action = "retire" if not row.active else "reinstate"
    audit.record(session, actor, action, "assistance_directory", row.id, detail={"fields": changed})
    return directory_record(row)


def list_directory(session: Session, *, active_only: bool = True) -> list[DirectoryRecord]:
    stmt = select(AssistanceDirectoryEntry)
    if active_only:
        stmt = stmt.where(AssistanceDirectoryEntry.active.is_(True))
    return [
        directory_record(e)
        for e in session.scalars(
            stmt.order_by(AssistanceDirectoryEntry.name, AssistanceDirectoryEntry.id)
        )
    ]


def validate_enrollment(d: EnrollmentData) -> dict[str, str]:
    errors: dict[str, str] = {}
    if d.status not in ENROLLMENT_STATUSES:
        errors["status"] = "Choose where the application stands."
    for name in ("amount_approved", "used", "balance"):
        v = getattr(d, name)
        if v is not None and v < 0:
            errors[name] = "An amount cannot be negative."
    if d.status == "approved" and d.approved_on is None:
        errors["approved_on"] = "Enter the day the program approved the patient."
    if d.applied_on and d.approved_on and d.approved_on < d.applied_on:
        errors["approved_on"] = "The approval cannot come before the application."
    return errors


def enroll(
    session: Session, actor: Actor, patient_id: int, data: EnrollmentData
) -> EnrollmentRecord:
    """Start (or record) a patient's enrollment in a directory program."""
    require(actor, Permission.ASSISTANCE)
    if session.get(Patient, patient_id) is None:
        raise NotFound("This patient record no longer exists.")
    entry = session.get(AssistanceDirectoryEntry, data.program_id)
    if entry is None:
        raise ValidationFailed({"program_id": "Choose a program of the directory."})
    errors = validate_enrollment(data)
    if errors:
        raise ValidationFailed(errors)
    values = {k: getattr(data, k) for k in _ENROLL_FIELDS}
    if values["balance"] is None and data.amount_approved is not None:
        values["balance"] = data.amount_approved - data.used
    row = AssistanceEnrollment(
        patient_id=patient_id, **values, created_by=actor.name, updated_by=actor.name
    )
    session.add(row)
    session.flush()
    audit.record(session, actor, "create", "assistance", row.id, patient_id=patient_id)
    return enrollment_record(row, entry)


_ENROLL_FIELDS = tuple(f.name for f in fields(EnrollmentData))


def update_enrollment(
    session: Session, actor: Actor, enrollment_id: int, data: EnrollmentData
) -> EnrollmentRecord:
    require(actor, Permission.ASSISTANCE)
    row = session.get(AssistanceEnrollment, enrollment_id)
    if row is None:
        raise NotFound("This enrollment no longer exists.")
    entry = session.get(AssistanceDirectoryEntry, data.program_id)
    if entry is None:
        raise ValidationFailed({"program_id": "Choose a program of the directory."})
    errors = validate_enrollment(data)
    if errors:
        raise ValidationFailed(errors)
    for k in _ENROLL_FIELDS:
        setattr(row, k, getattr(data, k))
    row.updated_by = actor.name
    session.flush()
    audit.record(session, actor, "update", "assistance", row.id, patient_id=row.patient_id)
    return enrollment_record(row, entry)


def enrollments_for_patient(session: Session, patient_id: int) -> list[EnrollmentRecord]:
    stmt = (
        select(AssistanceEnrollment, AssistanceDirectoryEntry)
        .join(
            AssistanceDirectoryEntry, AssistanceDirectoryEntry.id == AssistanceEnrollment.program_id
        )
        .where(AssistanceEnrollment.patient_id == patient_id)
        .order_by(AssistanceEnrollment.id)
    )
    return [enrollment_record(e, d) for e, d in session.execute(stmt)]


def usages_for_enrollment(session: Session, enrollment_id: int) -> list[AssistanceUsageRecord]:
    """What each given visit used of the enrollment, per code, oldest first."""
    stmt = (
        select(AssistanceUsage)
        .where(AssistanceUsage.enrollment_id == enrollment_id)
        .order_by(AssistanceUsage.on, AssistanceUsage.id)
    )
    return [
        AssistanceUsageRecord(u.id, u.enrollment_id, u.planned_visit_id, u.on, u.code, u.amount)
        for u in session.scalars(stmt)
    ]


@dataclass(frozen=True)
class AssistanceUsageRecord:
    id: int
    enrollment_id: int
    planned_visit_id: int | None
    on: date
    code: str
    amount: Decimal


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


# --- screening ---------------------------------------------------------------------------------


def screen_patient(
    session: Session,
    patient_id: int,
    *,
    household: int,
    income: Decimal,
    state: str,
    today: date,
    order_id: int | None = None,
) -> da.Screening:
    """Which active directory programs fit the patient (household size, yearly income,
    state), with the patient's current coverages and therapy order (the newest active one
    unless ``order_id``), under the poverty guidelines of ``today``'s year (the latest on
    file when that year has none); why not for the others."""
    from infudesk import reference
    from infudesk.services import coverages as cvs
    from infudesk.services import orders as ors

    if session.get(Patient, patient_id) is None:
        raise NotFound("This patient record no longer exists.")
    errors: dict[str, str] = {}
    if household < 1:
        errors["household"] = "A household has at least one person."
    if income < 0:
        errors["income"] = "Income cannot be negative."
    try:
        da.region_of(state)
    except ValueError as exc:
        errors["state"] = str(exc)
    if errors:
        raise ValidationFailed(errors)
    plan_types = tuple(
        c.data.plan_type
        for c in cvs.list_coverages(session, patient_id)
        if c.state_on(today) != "ended"
    )
    orders = ors.list_orders(session, patient_id, include_ended=False)
    order = next((o for o in orders if o.id == order_id), orders[0] if orders else None)
    codes: tuple[str, ...] = ()
    diagnosis = ""
    if order is not None:
        codes = (order.data.drug_hcpcs, order.data.drug_name)
        diagnosis = order.data.diagnosis
    rules = [
        da.ProgramRules(
            e.id,
            e.data.name,
            e.data.kind,
            e.data.drugs,
            e.data.diagnoses,
            e.data.no_government,
            e.data.fpl_limit,
        )
        for e in list_directory(session)
    ]
    who = da.Applicant(household, income, state, plan_types, codes, diagnosis)
    return da.screen(rules, who, year=today.year, table=reference.poverty_guidelines())
