"""Site settings kept in the database (JSON values with defaults)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from infudesk.errors import ValidationFailed
from infudesk.services import audit
from infudesk.services.access import Permission, require
from infudesk.services.audit import Actor
from infudesk.store.models import Setting

DEFAULTS: dict[str, Any] = {
    # re-check eligibility this many business days (no weekends or US federal holidays)
    # before each planned visit
    "verification.days_before_visit": 3,
    # the letterhead and contact line printed on every document
    "center.name": "Your Infusion Center (set the name in Settings)",
    "center.address": "",
    "center.phone": "",
    "center.fax": "",
    "center.npi": "",
    "center.tin": "",
    "center.state": "",
    "center.logo": "",
    "center.contact_name": "Financial counselor",
    "center.contact_name_es": "",  # for Spanish letters (empty: the person's name alone)
    "center.contact_phone": "",
    "center.contact_hours": "",
    "center.contact_hours_es": "",  # for Spanish letters (empty: the English hours)
    "letters.disclaimer_en": "",  # empty: the standard wording
    "letters.disclaimer_es": "",
    # automatic backups (services/backup.py): folder ("" = the data folder's backups/automatic),
    # how many to keep, and when the last one was made (UTC, ISO)
    "backup.folder": "",
    "backup.keep": 14,
    "backup.last": "",
    # lock the screen after this many minutes without keyboard or mouse input
    "security.idle_minutes": 10,
}
LIMITS: dict[str, tuple[int, int]] = {
    "verification.days_before_visit": (0, 60),
    "backup.keep": (1, 365),
    "security.idle_minutes": (1, 120),
}


def get(session: Session, key: str) -> Any:
    row = session.get(Setting, key)
    if row is None:
        return DEFAULTS[key]
    return json.loads(row.value)


def put(session: Session, actor: Actor, key: str, value: Any) -> None:
    require(actor, Permission.SETTINGS)
    if key not in DEFAULTS:
        raise ValidationFailed({key: "Unknown setting."})
    if key in LIMITS or isinstance(DEFAULTS[key], int):
        low, high = LIMITS.get(key, (0, 10_000))
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValidationFailed({key: f"Enter a whole number from {low} to {high}."})
    if isinstance(DEFAULTS[key], str):
        if not isinstance(value, str):
            raise ValidationFailed({key: "Enter text."})
        value = value.strip()
        if len(value) > 2000:
            raise ValidationFailed({key: "Keep this under 2,000 characters."})
    row = session.get(Setting, key)
    if row is None:
        row = Setting(key=key)
        session.add(row)
    row.value = json.dumps(value)
    row.updated_by = actor.name
    audit.record(session, actor, "setting", "setting", None, detail={"key": key, "value": value})
    session.flush()
