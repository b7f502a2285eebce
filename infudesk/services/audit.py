"""Who acts, and the audit trail every change writes."""

from __future__ import annotations

import getpass
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from infudesk.store.models import AuditEvent


@dataclass(frozen=True)
class Actor:
    """The person (or named system process) on whose behalf a service acts."""

    name: str
    kind: str = "staff"
    role: str = "manager"  # an access.Role value; system actors act as managers
    user_id: int | None = None  # the signed-in staff account (None: system or tests)
    display_name: str = ""

    @classmethod
    def workstation_user(cls) -> Actor:
        """The signed-in operating-system user (until infudesk has its own sign-in)."""
        try:
            name = getpass.getuser()
        except Exception:
            name = "unknown"
        return cls(name=name, kind="staff")

    @classmethod
    def system(cls, what: str) -> Actor:
        return cls(name=f"system:{what}", kind="system")


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
    """Add an audit event to the session's unit of work."""
    session.add(
        AuditEvent(
            actor=actor.name,
            action=action,
            entity=entity,
            entity_id=entity_id,
            patient_id=patient_id,
            detail=json.dumps(detail or {}, ensure_ascii=False, default=str, sort_keys=True),
        )
    )
