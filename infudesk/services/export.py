"""A patient's whole record as JSON, for a records request or a move to another system."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from infudesk import __version__
from infudesk.domain.patients import LANGUAGES, SEXES
from infudesk.services import assistance as asv
from infudesk.services import audit, outputs
from infudesk.services import coverages as cs
from infudesk.services import orders as ors
from infudesk.services import patients as ps
from infudesk.services import prior_auths as pas
from infudesk.services import quotes as qsv
from infudesk.services import verifications as vs
from infudesk.services.access import Permission, require
from infudesk.services.audit import Actor
from infudesk.store.models import AuditEvent, utcnow

FORMAT = "infudesk-patient-record/4"


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _money(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value:f}"
    return _plain(value)


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
    coverages = []
    for cov in cs.list_coverages(session, rec.id, include_history=True):
        coverages.append(
            {
                "id": cov.id,
                "payer": cov.payer_name,
                **{k: _plain(v) for k, v in asdict(cov.data).items() if k != "payer_id"},
                "status": cov.status,
                "replaced_by": cov.replaced_by_id,
                "benefit_terms_history": [
                    {
                        "as_of": _plain(t.as_of),
                        "source": t.source,
                        "recorded_by": t.recorded_by,
                        **{k: _money(v) for k, v in asdict(t.terms).items()},
                    }
                    for t in cs.terms_history(session, cov.id)
                ],
            }
        )
    orders = []
    for order in ors.list_orders(session, rec.id):
        orders.append(
            {
                "id": order.id,
                **{k: _money(v) for k, v in asdict(order.data).items()},
                "status": order.status,
                "billing_lines": [asdict(ln) for ln in order.lines],
                "planned_visits": [
                    {"date": _plain(v.on), "status": v.status} for v in order.visits
                ],
            }
        )
    verifications = [
        {
            "id": ver.id,
            "coverage": cov_label,
            "therapy_order": order_label,
            "status": str(ver.status),
            "completed_on": _plain(ver.completed_on),
            "answers": ver.answers,
            "problem": ver.problem,
            "checklist": ver.checklist.name,
        }
        for ver, cov_label, order_label in vs.list_for_patient(session, rec.id)
    ]
    programs = [
        {"id": p.id, **{k: _money(v) for k, v in asdict(p.data).items()}}
        for p in asv.list_programs(session, rec.id, active_only=False)
    ]
    quotes = []
    for summary in qsv.list_quotes(session, rec.id):
        saved = qsv.get_quote(session, summary.id)
        quotes.append(
            {
                "number": summary.number,
                "title": summary.title,
                "order_id": summary.order_id,
                "created_at": _plain(summary.created_at),
                "created_by": summary.created_by,
                "patient_owes": _money(summary.patient_owes),
                "request": saved.request,
                "result": saved.result,
                "context": saved.context,
            }
        )
    cases = []
    for row in pas.list_cases(session, today=date.today(), patient_id=rec.id, include_closed=True):
        case = pas.get_case(session, row.id)
        approval = case.case.approval
        cases.append(
            {
                "id": case.id,
                "payer": case.payer_name,
                "therapy_order": case.order_label,
                "state": str(case.case.state),
                "urgent": case.case.urgent,
                "approval": None
                if approval is None
                else {
                    "auth_number": approval.auth_number,
                    "visits": approval.visits,
                    "start": _plain(approval.start),
                    "end": _plain(approval.end),
                    "site": approval.site,
                    "lines": [{"code": ln.code, "units": ln.units} for ln in approval.lines],
                },
                "follow_up": _plain(case.case.follow_up),
                "denied_on": _plain(case.case.denied_on),
                "denial_reason": case.case.denial_reason,
                "history": [
                    {
                        "on": _plain(e.on),
                        "by": e.by,
                        "action": str(e.action),
                        "from": str(e.from_state),
                        "to": str(e.to_state),
                        "note": e.note,
                    }
                    for e in case.case.events
                ],
                "usage": [
                    {
                        "on": _plain(u.on),
                        "code": u.code,
                        "units": u.units,
                        "visit": u.visit,
                        "reason": u.reason,
                    }
                    for u in case.usages
                ],
                "documents": [
                    {
                        "id": d.id,
                        "kind": str(d.kind),
                        "date": _plain(d.doc_date),
                        "file": d.filename,
                        "media_type": d.media_type,
                        "size": d.size,
                        "sha256": d.sha256,
                        "removed": d.removed,
                        "removed_reason": d.removed_reason,
                    }
                    for d in case.documents
                ],
            }
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
        "coverages": coverages,
        "therapy_orders": orders,
        "verifications": verifications,
        "assistance_programs": programs,
        "quotes": quotes,
        "prior_authorizations": cases,
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


def export_patient(
    session: Session, actor: Actor, mrn: str, out_dir: Path, *, force: bool = False
) -> Path:
    """Write ``record.json`` (and ``documents/``) into ``out_dir`` (made if needed, user-only).

    All or nothing, through services/outputs.py: the files are staged, the export's audit
    entry committed, then the files put in place. Existing files are replaced only with
    ``force``. Document file names are made safe and at most 255 bytes.
    """
    require(actor, Permission.EXPORT)
    record = patient_record(session, mrn)
    record["exported_at"] = _plain(utcnow())
    record["exported_by"] = actor.name
    outputs.check_folder(out_dir, what="folder for the export")
    files_dir = out_dir / "documents"
    files: list[tuple[Path, bytes]] = []
    for case in record["prior_authorizations"]:
        for doc in case["documents"]:
            content = pas.document_content(session, actor, doc["id"], purpose="export")
            name = outputs.safe_name(
                f"case{case['id']}-doc{doc['id']}-{Path(doc['file']).name}",
                fallback=f"case{case['id']}-doc{doc['id']}",
            )
            files.append((files_dir / name, content))
            doc["exported_as"] = f"documents/{name}"
    target = out_dir / "record.json"
    body = json.dumps(record, ensure_ascii=False, indent=2).encode("utf-8")
    rec = ps.get_by_mrn(session, mrn)

    def shown(path: Path) -> str:  # a document's name may hold patient data: never shown
        return str(path) if path == target else f"a document in {files_dir}"

    outputs.deliver(
        session,
        [*files, (target, body)],
        force=force,
        audit=lambda: audit.record(
            session,
            actor,
            "export",
            "patient",
            rec.id,
            patient_id=rec.id,
            detail={"documents": len(files)},
        ),
        shown=shown,
    )
    return target
