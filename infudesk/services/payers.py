"""The payer directory and payer policy notes with an effective date."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from infudesk.domain import validation as v
from infudesk.domain.coverage import PLAN_TYPE_LABELS
from infudesk.domain.prior_auth import check_appeal_days
from infudesk.errors import Conflict, NotFound, ValidationFailed
from infudesk.services import audit
from infudesk.services.access import Permission, require
from infudesk.services.audit import Actor
from infudesk.store.models import Payer, PayerNote


@dataclass(frozen=True)
class PayerData:
    name: str = ""
    plan_types: tuple[str, ...] = ()
    phone: str = ""
    fax: str = ""
    portal: str = ""
    notes: str = ""
    active: bool = True
    # the payer's own internal-appeal window in days (1-365); None: the coverage's plan type's
    # rule (prior_auth.APPEAL_RULES). A denial letter's stated window wins over both.
    appeal_days: int | None = None


@dataclass(frozen=True)
class PayerRecord:
    id: int
    version: int
    data: PayerData


@dataclass(frozen=True)
class NoteRecord:
    id: int
    payer_id: int
    payer_name: str
    effective_on: date
    text: str
    created_by: str


def _record(p: Payer) -> PayerRecord:
    types = tuple(t for t in p.plan_types.split(",") if t)
    return PayerRecord(
        id=p.id,
        version=p.version,
        data=PayerData(p.name, types, p.phone, p.fax, p.portal, p.notes, p.active, p.appeal_days),
    )


def validate_payer(d: PayerData) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not d.name.strip():
        errors["name"] = "Enter the payer's name."
    elif len(d.name.strip()) > 200:
        errors["name"] = "Keep the name under 200 characters."
    for t in d.plan_types:
        if t not in PLAN_TYPE_LABELS:
            errors["plan_types"] = f"Unknown plan type '{t}'."
    for name in ("phone", "fax"):
        value = getattr(d, name)
        if value.strip():
            msg = v.check_phone(value)
            if msg:
                errors[name] = msg
    msg = check_appeal_days(d.appeal_days)
    if msg:
        errors["appeal_days"] = msg + " Leave it blank to use the plan type's window."
    return errors


def _clean(d: PayerData) -> PayerData:
    return PayerData(
        name=" ".join(d.name.split()),
        plan_types=tuple(dict.fromkeys(d.plan_types)),
        phone=v.phone_digits(d.phone) if d.phone.strip() else "",
        fax=v.phone_digits(d.fax) if d.fax.strip() else "",
        portal=d.portal.strip(),
        notes=d.notes.strip(),
        active=d.active,
        appeal_days=d.appeal_days,
    )


def _same_name(session: Session, name: str) -> int | None:
    """The payer whose name equals ``name`` ignoring case in any script (the directory is small)."""
    wanted = name.casefold()
    for pid, existing in session.execute(select(Payer.id, Payer.name)):
        if existing.casefold() == wanted:
            return int(pid)
    return None


def _check_unique(session: Session, name: str, self_id: int | None) -> None:
    other = _same_name(session, name)
    if other is not None and other != self_id:
        raise ValidationFailed({"name": "A payer with this name is already in the directory."})


def create_payer(session: Session, actor: Actor, data: PayerData) -> PayerRecord:
    require(actor, Permission.PAYERS)
    errors = validate_payer(data)
    if errors:
        raise ValidationFailed(errors)
    data = _clean(data)
    _check_unique(session, data.name, None)
    payer = Payer(
        name=data.name,
        plan_types=",".join(data.plan_types),
        phone=data.phone,
        fax=data.fax,
        portal=data.portal,
        notes=data.notes,
        active=data.active,
        appeal_days=data.appeal_days,
    )
    session.add(payer)
    session.flush()
    audit.record(session, actor, "create", "payer", payer.id)
    return _record(payer)


def update_payer(
    session: Session, actor: Actor, payer_id: int, data: PayerData, *, expected_version: int
) -> PayerRecord:
    require(actor, Permission.PAYERS)
    payer = session.get(Payer, payer_id)
    if payer is None:
        raise NotFound("This payer no longer exists.")
    if payer.version != expected_version:
        raise Conflict(
            "Someone else changed this payer after you opened it. Reopen it and try again."
        )
    errors = validate_payer(data)
    if errors:
        raise ValidationFailed(errors)
    data = _clean(data)
    _check_unique(session, data.name, payer_id)
    payer.name, payer.plan_types = data.name, ",".join(data.plan_types)
    payer.phone, payer.fax, payer.portal = data.phone, data.fax, data.portal
    payer.notes, payer.active = data.notes, data.active
    payer.appeal_days = data.appeal_days
    session.flush()
    audit.record(session, actor, "update", "payer", payer.id)
    return _record(payer)


def list_payers(session: Session, *, include_inactive: bool = False) -> list[PayerRecord]:
    stmt = select(Payer).order_by(func.lower(Payer.name))
    if not include_inactive:
        stmt = stmt.where(Payer.active.is_(True))
    return [_record(p) for p in session.scalars(stmt)]


def get_payer(session: Session, payer_id: int) -> PayerRecord:
    payer = session.get(Payer, payer_id)
    if payer is None:
        raise NotFound("This payer no longer exists.")
    return _record(payer)


def payer_by_name(session: Session, name: str) -> PayerRecord:
    pid = _same_name(session, name)
    if pid is None:
        raise NotFound(f"No payer named {name} in the directory.")
    return get_payer(session, pid)


def add_note(
    session: Session, actor: Actor, payer_id: int, effective_on: date | None, text: str
) -> NoteRecord:
    require(actor, Permission.VERIFICATIONS)
    errors: dict[str, str] = {}
    if effective_on is None:
        errors["effective_on"] = "From which date does this apply? (MM/DD/YYYY)"
    if not text.strip():
        errors["text"] = "Write what changed (e.g. 'Infliximab requires a non-hospital site')."
    if errors:
        raise ValidationFailed(errors)
    assert effective_on is not None
    payer = session.get(Payer, payer_id)
    if payer is None:
        raise NotFound("This payer no longer exists.")
    note = PayerNote(
        payer_id=payer_id, effective_on=effective_on, text=text.strip(), created_by=actor.name
    )
    session.add(note)
    session.flush()
    audit.record(session, actor, "create", "payer_note", note.id)
    return NoteRecord(note.id, payer_id, payer.name, note.effective_on, note.text, note.created_by)


def notes_for(session: Session, payer_id: int, *, on: date | None = None) -> list[NoteRecord]:
    """The payer's notes, newest first; only those in effect on ``on`` when given."""
    stmt = (
        select(PayerNote, Payer.name)
        .join(Payer, Payer.id == PayerNote.payer_id)
        .where(PayerNote.payer_id == payer_id)
        .order_by(PayerNote.effective_on.desc(), PayerNote.id.desc())
    )
    if on is not None:
        stmt = stmt.where(PayerNote.effective_on <= on)
    return [
        NoteRecord(n.id, n.payer_id, name, n.effective_on, n.text, n.created_by)
        for n, name in session.execute(stmt)
    ]


def load_starter_payers(session: Session, actor: Actor, path: Path) -> int:
    """Add the shipped starter payers that are not in the directory yet; returns how many."""
    require(actor, Permission.PAYERS)
    data = json.loads(path.read_text(encoding="utf-8"))
    added = 0
    for entry in data["payers"]:
        if _same_name(session, entry["name"]) is not None:
            continue
        create_payer(
            session,
            actor,
            PayerData(
                name=entry["name"],
                plan_types=tuple(entry.get("plan_types", ())),
                phone=entry.get("phone", ""),
                fax=entry.get("fax", ""),
                portal=entry.get("portal", ""),
                notes=entry.get("notes", ""),
            ),
        )
        added += 1
    return added


def ensure_starter_payers(session: Session, actor: Actor, path: Path) -> int:
    """On a brand-new database, fill the empty directory with the shipped starter list."""
    if session.scalar(select(func.count()).select_from(Payer)):
        return 0
    return load_starter_payers(session, actor, path)
