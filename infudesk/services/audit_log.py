"""The manager's view of the audit trail: filter by user, patient, action and dates; CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from infudesk.errors import ValidationFailed
from infudesk.services import audit
from infudesk.services.access import Permission, require
from infudesk.services.audit import Actor
from infudesk.store.models import AuditEvent, Patient

MAX_ROWS = 5000  # on screen; the CSV export has no limit
CSV_COLUMNS = ("when_utc", "user", "action", "record", "record_id", "patient_mrn", "detail")


@dataclass(frozen=True)
class AuditFilter:
    user: str = ""  # the actor name (a username, or system:…), exact, casefolded
    mrn: str = ""  # the patient's MRN, exact, casefolded
    action: str = ""  # exact
    since: date | None = None  # local dates, both included
    until: date | None = None


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    user: str
    action: str
    entity: str
    entity_id: int | None
    mrn: str
    detail: str


def _local_midnight_utc(day: date) -> datetime:
    return datetime.combine(day, time()).astimezone().astimezone(UTC)


def _query(f: AuditFilter) -> Select[AuditEvent, str]:
    if f.since and f.until and f.since > f.until:
        raise ValidationFailed({"until": "The end date is before the start date."})
    q = select(AuditEvent, Patient.mrn).outerjoin(Patient, Patient.id == AuditEvent.patient_id)
    if f.user.strip():
        q = q.where(AuditEvent.actor == f.user.strip().casefold())
    if f.mrn.strip():
        q = q.where(Patient.mrn == f.mrn.strip().upper())
    if f.action.strip():
        q = q.where(AuditEvent.action == f.action.strip())
    if f.since is not None:
        q = q.where(AuditEvent.at >= _local_midnight_utc(f.since))
    if f.until is not None:
        q = q.where(AuditEvent.at < _local_midnight_utc(f.until + timedelta(days=1)))
    return q.order_by(AuditEvent.id.desc())


def _row(e: AuditEvent, mrn: str | None) -> AuditRow:
    return AuditRow(
        id=e.id,
        at=e.at,
        user=e.actor,
        action=e.action,
        entity=e.entity,
        entity_id=e.entity_id,
        mrn=mrn or "",
        detail=e.detail,
    )


def search(
    session: Session, actor: Actor, f: AuditFilter, *, limit: int = MAX_ROWS
) -> list[AuditRow]:
    """Newest first, at most ``limit`` rows."""
    require(actor, Permission.AUDIT)
    return [_row(e, mrn) for e, mrn in session.execute(_query(f).limit(limit))]


def choices(session: Session, actor: Actor) -> tuple[list[str], list[str]]:
    """The users and the actions that occur in the trail (for the filter lists)."""
    require(actor, Permission.AUDIT)
    users = session.scalars(select(AuditEvent.actor).distinct().order_by(AuditEvent.actor))
    actions = session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action))
    return list(users), list(actions)


def export_csv(session: Session, actor: Actor, f: AuditFilter) -> str:
    """The filtered trail as CSV text (UTF-8, newest first); the export itself is audited."""
    require(actor, Permission.AUDIT)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    count = 0
    for e, mrn in session.execute(_query(f)):
        r = _row(e, mrn)
        writer.writerow(
            [
                r.at.astimezone(UTC).isoformat(timespec="seconds"),
                r.user,
                r.action,
                r.entity,
                "" if r.entity_id is None else r.entity_id,
                r.mrn,
                r.detail,
            ]
        )
        count += 1
    audit.record(
        session,
        actor,
        "export_audit",
        "audit",
        None,
        detail={
            "rows": count,
            "user": f.user,
            "mrn": f.mrn,
            "action": f.action,
            "since": f.since,
            "until": f.until,
        },
    )
    session.flush()
    return out.getvalue()
