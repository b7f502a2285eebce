"""Patient records: create, edit, find, deactivate (never delete)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import Select, delete, func, select
from sqlalchemy.orm import Session

from infudesk.domain import patients as dp
from infudesk.errors import Conflict, NotFound, UserError, ValidationFailed
from infudesk.services import audit
from infudesk.services.access import Permission, require
from infudesk.services.audit import Actor
from infudesk.store.models import Patient, PatientToken
from infudesk.store.sql import in_all_ids

DATA_FIELDS = tuple(f.name for f in fields(dp.PatientData))
HIGH = "\U0010ffff"
S = TypeVar("S", bound=Select[*tuple[Any, ...]])


@dataclass(frozen=True)
class PatientRow:
    """One line of the patient list."""

    id: int
    mrn: str
    last_name: str
    first_name: str
    middle_name: str
    preferred_name: str
    birth_date: date
    phone: str
    city: str
    active: bool

    @property
    def display_name(self) -> str:
        return dp.filed_name(self.last_name, self.first_name, self.middle_name)

    @property
    def shown_name(self) -> str:
        """The name as screens show it (``domain.patients.shown_name``)."""
        return dp.shown_name(
            self.last_name, self.first_name, self.middle_name, preferred=self.preferred_name
        )


@dataclass(frozen=True)
class PatientRecord:
    """A saved patient: the data plus bookkeeping."""

    id: int
    version: int
    data: dp.PatientData
    inactive_reason: str
    created_at: datetime
    updated_at: datetime
    created_by: str
    updated_by: str


class LookAlikeFound(UserError):
    """A new patient resembles existing ones; the caller may open one or create anyway."""

    title = "This patient may already exist"

    def __init__(self, matches: list[PatientRow]) -> None:
        names = "; ".join(f"{m.display_name} ({m.mrn})" for m in matches)
        super().__init__(f"A patient with the same birth date and a similar name exists: {names}.")
        self.matches = matches


class SortKey(enum.Enum):
    NAME = "name"
    MRN = "mrn"
    BIRTH_DATE = "birth_date"
    PHONE = "phone"
    CITY = "city"


_ROW_COLUMNS = (
    Patient.id,
    Patient.mrn,
    Patient.last_name,
    Patient.first_name,
    Patient.middle_name,
    Patient.preferred_name,
    Patient.birth_date,
    Patient.phone_mobile,
    Patient.phone_home,
    Patient.city,
    Patient.active,
)


def _row(r: tuple[Any, ...]) -> PatientRow:
    return PatientRow(
        id=r[0],
        mrn=r[1],
        last_name=r[2],
        first_name=r[3],
        middle_name=r[4],
        preferred_name=r[5],
        birth_date=r[6],
        phone=r[7] or r[8],
        city=r[9],
        active=r[10],
    )


def _to_data(p: Patient) -> dp.PatientData:
    return dp.PatientData(**{name: getattr(p, name) for name in DATA_FIELDS})


def _to_record(p: Patient) -> PatientRecord:
    return PatientRecord(
        id=p.id,
        version=p.version,
        data=_to_data(p),
        inactive_reason=p.inactive_reason,
        created_at=p.created_at,
        updated_at=p.updated_at,
        created_by=p.created_by,
        updated_by=p.updated_by,
    )


def token_rows(data: dp.PatientData) -> list[tuple[str, str]]:
    """The (kind, token) pairs stored for a patient, sorted for determinism."""
    return sorted(dp.search_tokens(data))


def _set_tokens(session: Session, patient: Patient, data: dp.PatientData) -> None:
    session.execute(delete(PatientToken).where(PatientToken.patient_id == patient.id))
    session.add_all(
        PatientToken(patient_id=patient.id, kind=kind, token=token[:100])
        for kind, token in token_rows(data)
    )


def _apply(patient: Patient, data: dp.PatientData) -> list[str]:
    changed = []
    for name in DATA_FIELDS:
        value = getattr(data, name)
        if getattr(patient, name, None) != value:
            setattr(patient, name, value)
            changed.append(name)
    patient.sort_last = dp.fold(data.last_name)[:100]
    patient.sort_first = dp.fold(data.first_name)[:100]
    patient.sort_phone = data.phone_mobile or data.phone_home
    return changed


def _check(
    session: Session, raw: dp.PatientData, data: dp.PatientData, today: date, self_id: int | None
) -> None:
    """Validate what was typed (``raw``) and the MRN's uniqueness (of the normalised ``data``)."""
    errors = dp.validate(raw, today)
    if data.mrn and "mrn" not in errors:
        other = session.scalar(select(Patient.id).where(Patient.mrn == data.mrn))
        if other is not None and other != self_id:
            errors["mrn"] = "This MRN belongs to another patient. Leave it empty to generate one."
    if errors:
        raise ValidationFailed(errors)


def find_look_alikes(
    session: Session, data: dp.PatientData, exclude_id: int | None = None
) -> list[PatientRow]:
    """Patients with the same birth date and a similar name."""
    if data.birth_date is None:
        return []
    candidates = session.scalars(select(Patient).where(Patient.birth_date == data.birth_date))
    found = [p for p in candidates if p.id != exclude_id and dp.looks_like(data, _to_data(p))]
    return [_row(tuple(getattr(p, c.key) for c in _ROW_COLUMNS)) for p in found]


def _generated_mrn(session: Session, patient_id: int) -> str:
    candidate = f"P{patient_id:07d}"
    n = 1
    while session.scalar(select(Patient.id).where(Patient.mrn == candidate)) is not None:
        candidate = f"P{patient_id:07d}-{n}"
        n += 1
    return candidate


def create_patient(
    session: Session,
    actor: Actor,
    data: dp.PatientData,
    *,
    today: date,
    allow_look_alike: bool = False,
) -> PatientRecord:
    """Validate and save a new patient. Raises ValidationFailed or LookAlikeFound."""
    require(actor, Permission.PATIENTS)
    raw, data = data, dp.normalize(data)
    _check(session, raw, data, today, None)
    if not allow_look_alike:
        matches = find_look_alikes(session, data)
        if matches:
            raise LookAlikeFound(matches)
    if not data.mrn:
        next_id = (session.scalar(select(func.max(Patient.id))) or 0) + 1
        data = replace(data, mrn=_generated_mrn(session, next_id))
    patient = Patient(created_by=actor.name, updated_by=actor.name)
    _apply(patient, data)
    session.add(patient)
    session.flush()
    _set_tokens(session, patient, data)
    audit.record(session, actor, "create", "patient", patient.id, patient_id=patient.id)
    session.flush()
    return _to_record(patient)


def _load(session: Session, patient_id: int) -> Patient:
    patient = session.get(Patient, patient_id)
    if patient is None:
        raise NotFound("This patient record no longer exists.")
    return patient


def update_patient(
    session: Session,
    actor: Actor,
    patient_id: int,
    data: dp.PatientData,
    *,
    expected_version: int,
    today: date,
) -> PatientRecord:
    """Save edits made to the version the user opened; raises Conflict if it changed since."""
    require(actor, Permission.PATIENTS)
    patient = _load(session, patient_id)
    if patient.version != expected_version:
        raise Conflict(
            f"Someone else saved this patient ({patient.updated_by}) after you opened it. "
            "Your changes are still in the form: copy what you need, then reopen the record."
        )
    raw, data = data, dp.normalize(data)
    if not data.mrn:
        data = replace(data, mrn=patient.mrn)
    _check(session, raw, data, today, patient_id)
    was_active = patient.active
    changed = _apply(patient, data)
    if not changed:
        return _to_record(patient)
    if was_active and not data.active and not patient.inactive_reason:
        patient.inactive_reason = "made inactive"
    if data.active:
        patient.inactive_reason = ""
    patient.updated_by = actor.name
    _set_tokens(session, patient, data)
    audit.record(
        session,
        actor,
        "update",
        "patient",
        patient.id,
        patient_id=patient.id,
        detail={"fields": changed},
    )
    session.flush()
    return _to_record(patient)


def set_active(
    session: Session, actor: Actor, patient_id: int, active: bool, reason: str = ""
) -> PatientRecord:
    """Deactivate (with a reason) or reactivate. Patients are never deleted."""
    require(actor, Permission.PATIENTS)
    patient = _load(session, patient_id)
    if patient.active != active:
        patient.active = active
        patient.inactive_reason = "" if active else (reason.strip() or "made inactive")
        patient.updated_by = actor.name
        audit.record(
            session,
            actor,
            "activate" if active else "deactivate",
            "patient",
            patient.id,
            patient_id=patient.id,
            detail={"reason": reason.strip()},
        )
        session.flush()
    return _to_record(patient)


def get_patient(session: Session, patient_id: int) -> PatientRecord:
    return _to_record(_load(session, patient_id))


def open_patient(session: Session, actor: Actor, patient_id: int) -> PatientRecord:
    """The record, for showing it to someone: the viewing is audited (once per opening; a
    screen that refreshes what it shows uses ``get_patient``)."""
    rec = get_patient(session, patient_id)
    audit.record_view(session, actor, patient_id)
    return rec


def get_by_mrn(session: Session, mrn: str) -> PatientRecord:
    patient = session.scalar(select(Patient).where(Patient.mrn == mrn.strip().upper()))
    if patient is None:
        raise NotFound(f"No patient has the MRN {mrn.strip().upper()}.")
    return _to_record(patient)


# --- search --------------------------------------------------------------------------------


def _filtered(stmt: S, q: dp.SearchQuery, include_inactive: bool) -> S:
    if not include_inactive:
        stmt = stmt.where(Patient.active.is_(True))
    ranges = [*q.terms, *q.digits]
    if ranges:
        stmt = stmt.where(
            in_all_ids(
                Patient.id,
                [
                    select(PatientToken.patient_id).where(
                        PatientToken.token >= r, PatientToken.token < r + HIGH
                    )
                    for r in ranges
                ],
            )
        )
    if q.birth_date is not None:
        stmt = stmt.where(Patient.birth_date == q.birth_date)
    return stmt


_ORDER = {
    SortKey.NAME: (Patient.sort_last, Patient.sort_first),
    SortKey.MRN: (Patient.mrn,),
    SortKey.BIRTH_DATE: (Patient.birth_date,),
    SortKey.PHONE: (Patient.sort_phone,),
    SortKey.CITY: (Patient.city,),
}


def search(
    session: Session,
    text: str,
    *,
    include_inactive: bool = False,
    sort: SortKey = SortKey.NAME,
    descending: bool = False,
    offset: int = 0,
    limit: int = 200,
    today: date | None = None,
) -> list[PatientRow]:
    """One page of patients matching the search text, in the requested order."""
    q = dp.parse_search(text, today)
    stmt = _filtered(select(*_ROW_COLUMNS), q, include_inactive)
    cols: list[Any] = [c.desc() if descending else c.asc() for c in _ORDER[sort]]
    cols.append(Patient.id.desc() if descending else Patient.id.asc())
    stmt = stmt.order_by(*cols).offset(offset).limit(limit)
    return [_row(tuple(r)) for r in session.execute(stmt)]


def count(
    session: Session,
    text: str,
    *,
    include_inactive: bool = False,
    today: date | None = None,
    cap: int | None = None,
) -> int:
    """How many patients match (for the list's status line); at most ``cap + 1`` when capped."""
    q = dp.parse_search(text, today)
    if cap is None:
        stmt = _filtered(select(func.count()).select_from(Patient), q, include_inactive)
        return int(session.scalar(stmt) or 0)
    inner = _filtered(select(Patient.id), q, include_inactive).limit(cap + 1).subquery()
    return int(session.scalar(select(func.count()).select_from(inner)) or 0)


__all__ = [
    "Actor",
    "LookAlikeFound",
    "PatientRecord",
    "PatientRow",
    "SortKey",
    "count",
    "create_patient",
    "find_look_alikes",
    "get_by_mrn",
    "get_patient",
    "search",
    "set_active",
    "update_patient",
]
