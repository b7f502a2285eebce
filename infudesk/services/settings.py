"""Site settings kept in the database (JSON values with defaults)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.orm import Session

from infudesk.domain.validation import check_npi, check_phone, phone_digits
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
    # the Worklist shows the planned visits of this many days from today
    "worklist.days": 14,
}
LIMITS: dict[str, tuple[int, int]] = {
    "verification.days_before_visit": (0, 60),
    "backup.keep": (1, 365),
    "security.idle_minutes": (1, 120),
    "worklist.days": (1, 60),
}


ADDRESS_LINES = 4  # what the letterhead has room for
_TIN_RE = re.compile(r"^\d{2}-?\d{7}$")
PHONE_KEYS = ("center.phone", "center.fax", "center.contact_phone")


def check_center_name(value: str) -> str | None:
    return None if value.strip() else "Enter the center's name (it heads every letter)."


def check_optional_phone(value: str) -> str | None:
    return check_phone(value) if value.strip() else None


def check_optional_npi(value: str) -> str | None:
    return check_npi(value) if value.strip() else None


def check_tin(value: str) -> str | None:
    if value.strip() and not _TIN_RE.match(value.strip()):
        return "A TIN (EIN) is 9 digits, written NN-NNNNNNN, e.g. 36-1234567."
    return None


def normalize_tin(value: str) -> str:
    v = value.strip()
    return f"{v[:2]}-{v[2:]}" if re.fullmatch(r"\d{9}", v) else v


def check_address(value: str) -> str | None:
    if len(value.splitlines()) > ADDRESS_LINES:
        return f"The letterhead has room for {ADDRESS_LINES} address lines."
    return None


# what a center setting must be to print on letters: its problem, or None
CHECKS: dict[str, Callable[[str], str | None]] = {
    "center.name": check_center_name,
    "center.address": check_address,
    "center.phone": check_optional_phone,
    "center.fax": check_optional_phone,
    "center.contact_phone": check_optional_phone,
    "center.npi": check_optional_npi,
    "center.tin": check_tin,
}


def normalize(key: str, value: str) -> str:
    """A good value in its stored form: phone numbers as 10 digits, a TIN as NN-NNNNNNN."""
    value = value.strip()
    if key in PHONE_KEYS and value:
        return phone_digits(value)
    if key == "center.tin":
        return normalize_tin(value)
    return value


def problems(values: Mapping[str, Any]) -> dict[str, str]:
    """Setting key → what is wrong with its value (checks of the center's text settings)."""
    out: dict[str, str] = {}
    for key, value in values.items():
        check = CHECKS.get(key)
        if check is not None and isinstance(value, str):
            problem = check(value)
            if problem:
                out[key] = problem
    return out


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
        wrong = problems({key: value})
        if wrong:
            raise ValidationFailed(wrong)
        value = normalize(key, value)
    row = session.get(Setting, key)
    if row is None:
        row = Setting(key=key)
        session.add(row)
    row.value = json.dumps(value)
    row.updated_by = actor.name
    audit.record(session, actor, "setting", "setting", None, detail={"key": key, "value": value})
    session.flush()


def put_many(session: Session, actor: Actor, values: Mapping[str, Any]) -> None:
    """Save several settings in one transaction: all or none; every problem is reported at
    once (ValidationFailed keyed by setting)."""
    wrong = problems(values)
    if wrong:
        raise ValidationFailed(wrong)
    for key, value in values.items():
        put(session, actor, key, value)
