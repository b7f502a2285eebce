"""Site settings kept in the database (JSON values with defaults)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from infudesk.errors import ValidationFailed
from infudesk.services import audit
from infudesk.services.audit import Actor
from infudesk.store.models import Setting

DEFAULTS: dict[str, Any] = {
    # re-check eligibility this many days before each planned visit
    "verification.days_before_visit": 3,
}
LIMITS: dict[str, tuple[int, int]] = {"verification.days_before_visit": (0, 60)}


def get(session: Session, key: str) -> Any:
    row = session.get(Setting, key)
    if row is None:
        return DEFAULTS[key]
    return json.loads(row.value)


def put(session: Session, actor: Actor, key: str, value: Any) -> None:
    if key not in DEFAULTS:
        raise ValidationFailed({key: "Unknown setting."})
    if key in LIMITS:
        low, high = LIMITS[key]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValidationFailed({key: f"Enter a whole number from {low} to {high}."})
    row = session.get(Setting, key)
    if row is None:
        row = Setting(key=key)
        session.add(row)
    row.value = json.dumps(value)
    row.updated_by = actor.name
    audit.record(session, actor, "setting", "setting", None, detail={"key": key, "value": value})
    session.flush()
