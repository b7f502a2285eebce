"""Fill a database with generated (fictional) patients quickly, and the demo showcase."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import asdict, replace
from datetime import date

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from infudesk.demo.people import generate_patients
from infudesk.domain import patients as dp
from infudesk.services import audit
from infudesk.services.access import Permission, require
from infudesk.services.audit import Actor
from infudesk.store.models import Patient, PatientToken, utcnow
from infudesk.store.server import advance_sequences

BATCH = 5000


def seed_patients(
    session: Session,
    actor: Actor,
    count: int,
    *,
    rng: random.Random,
    today: date,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Add ``count`` generated patients in bulk (MRNs P0000001…); returns how many were added."""
    require(actor, Permission.SEED)
    next_id = (session.scalar(select(func.max(Patient.id))) or 0) + 1
    now = utcnow()
    patients: list[dict[str, object]] = []
    tokens: list[dict[str, object]] = []
    done = 0

    def flush() -> None:
        nonlocal done
        if patients:
            session.execute(insert(Patient), patients)
            session.execute(insert(PatientToken), tokens)
            done += len(patients)
            patients.clear()
            tokens.clear()
            if progress:
                progress(done)

    taken = set(session.scalars(select(Patient.mrn).where(Patient.mrn.like("P%"))))
    for data in generate_patients(count, rng, today):
        pid = next_id
        next_id += 1
        mrn = f"P{pid:07d}"
        while mrn in taken:
            mrn += "X"
        row = asdict(data)  # generated records are already normalised
        row.update(
            id=pid,
            mrn=mrn,
            sort_last=dp.fold(row["last_name"])[:100],
            sort_first=dp.fold(row["first_name"])[:100],
            sort_phone=data.phone_mobile or data.phone_home,
            inactive_reason="" if row["active"] else "moved away",
            created_at=now,
            updated_at=now,
            created_by=actor.name,
            updated_by=actor.name,
            version=1,
        )
        patients.append(row)
        tokens.extend(
            {"patient_id": pid, "kind": kind, "token": token[:100]}
            for kind, token in dp.search_tokens(replace(data, mrn=mrn))
        )
        if len(patients) >= BATCH:
            flush()
    flush()
    advance_sequences(session.connection(), [Patient.__table__])  # type: ignore[list-item]
    audit.record(session, actor, "seed", "patient", None, detail={"count": done})
    return done
