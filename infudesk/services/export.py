"""A patient's whole record as JSON, for a records request or a move to another system."""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from infudesk import __version__
from infudesk.domain.patients import LANGUAGES, SEXES
from infudesk.services import audit
from infudesk.services import patients as ps
from infudesk.services.audit import Actor
from infudesk.store.models import AuditEvent, utcnow

FORMAT = "infudesk-patient-record/1"


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def patient_record(session: Session, mrn: str) -> dict[str, Any]:
    """Everything infudesk holds on the patient, as JSON-ready data."""
    rec = ps.get_by_mrn(session, mrn)
    demographics = {k: _plain(v) for k, v in asdict(rec.data).items()}
    demographics["sex_label"] = SEXES.get(rec.data.sex, rec.data.sex)
    demographics["preferred_language_label"] = LANGUAGES.get(
        rec.data.preferred_language, rec.data.preferred_language
    )
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.patient_id == rec.id).order_by(AuditEvent.id)
    )
    return {
        "format": FORMAT,
        "app_version": __version__,
        "patient": {
            "mrn": rec.data.mrn,
            "demographics": demographics,
            "inactive_reason": rec.inactive_reason,
            "created_at": _plain(rec.created_at),
            "created_by": rec.created_by,
            "updated_at": _plain(rec.updated_at),
            "updated_by": rec.updated_by,
        },
        "history": [
            {
                "at": _plain(e.at),
                "by": e.actor,
                "action": e.action,
                "what": e.entity,
                "detail": json.loads(e.detail or "{}"),
            }
            for e in events
        ],
    }


def export_patient(session: Session, actor: Actor, mrn: str, out_dir: Path) -> Path:
    """Write ``record.json`` into ``out_dir`` (created if needed); the export is audited."""
    record = patient_record(session, mrn)
    record["exported_at"] = _plain(utcnow())
    record["exported_by"] = actor.name
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / "record.json"
    tmp = out_dir / ".record.json.tmp"
    tmp.write_text(json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, target)
    rec = ps.get_by_mrn(session, mrn)
    audit.record(session, actor, "export", "patient", rec.id, patient_id=rec.id)
    return target
