"""Who acts, and the audit trail every change, view and output writes.

The trail is append-only and tamper-evident: each entry is chained to the one before it by a
keyed hash when it is written (store/auditchain.py). ``verify_chain`` checks the whole chain.
Details hold ids, kinds and file names chosen by infudesk, never patient data.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from infudesk.services.actor import Actor as Actor
from infudesk.services.actor import workstation_name as workstation_name
from infudesk.store import auditchain
from infudesk.store.models import AuditEvent


def record(
    session: Session,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: int | None,
    *,
    patient_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Add an audit event to the session's unit of work (chained when it is flushed)."""
    session.add(
        AuditEvent(
            actor=actor.name[:100],
            workstation=actor.workstation[:100],
            action=action,
            entity=entity,
            entity_id=entity_id,
            patient_id=patient_id,
            detail=json.dumps(detail or {}, ensure_ascii=False, default=str, sort_keys=True),
        )
    )


def verify_chain(session: Session) -> list[str]:
    """Problems with the audit trail, the first one first, each naming an audit id; empty if
    every entry is where it was written, unchanged, and none was added or removed."""
    key = session.info.get("audit_key")
    return auditchain.verify(session.connection(), key if isinstance(key, bytes) else None)


# -- what part of the trail other features write ---------------------------------------------


def record_view(session: Session, actor: Actor, patient_id: int) -> None:
    """A patient's record was opened (one entry per opening, not per refresh)."""
    record(session, actor, "view", "patient", patient_id, patient_id=patient_id)


def record_backup(session: Session, actor: Actor, *, file_name: str, automatic: bool) -> None:
    """A backup was made (``file_name``: the backup file's name, without its folder)."""
    record(
        session,
        actor,
        "backup",
        "database",
        None,
        detail={"file": file_name, "automatic": automatic},
    )


def record_restore(
    session: Session, actor: Actor, *, file_name: str, backup_time: str = ""
) -> None:
    """This database was restored from a backup (write it into the restored database)."""
    record(
        session,
        actor,
        "restore",
        "database",
        None,
        detail={"file": file_name, "backup_time": backup_time},
    )
