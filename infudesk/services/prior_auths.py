"""Prior-authorization cases: states with their history, approvals, use of units and visits,
documents kept inside the encrypted database, and what is due next."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import func, select
from sqlalchemy.orm import Session, defer

from infudesk.domain import coverage as dc
from infudesk.domain import prior_auth as pa
from infudesk.domain.patients import filed_name
from infudesk.domain.prior_auth import Action, State
from infudesk.errors import Conflict, NotFound, ValidationFailed
from infudesk.services import audit, outputs
from infudesk.services import orders as ors
from infudesk.services.access import Permission, require
from infudesk.services.audit import Actor
from infudesk.store.models import (
    Coverage,
    Patient,
    Payer,
    PlannedVisit,
    PriorAuthCase,
    PriorAuthDocument,
    PriorAuthEvent,
    PriorAuthLine,
    PriorAuthUsage,
    utcnow,
)
from infudesk.store.writers import lock_writers

MAX_DOCUMENT_BYTES = 50 * 1024 * 1024
MEDIA_TYPES = (  # what a document may be: (media type, how its first bytes look)
    ("application/pdf", (b"%PDF-",)),
    ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ("image/jpeg", (b"\xff\xd8\xff",)),
    ("image/tiff", (b"II*\x00", b"MM\x00*")),
    ("image/gif", (b"GIF87a", b"GIF89a")),
)


@dataclass(frozen=True)
class DocumentRecord:
    id: int
    kind: pa.DocumentKind
    doc_date: date
    filename: str
    media_type: str
    size: int
    sha256: str
    added_by: str
    added_at: datetime
    removed: bool
    removed_by: str
    removed_reason: str


@dataclass(frozen=True)
class CaseRecord:
    id: int
    version: int
    patient_id: int
    order_id: int | None
    coverage_id: int
    patient_name: str
    mrn: str
    payer_id: int
    payer_name: str
    plan_type: str
    payer_appeal_days: int | None  # the payer's setting; None: by plan type
    order_label: str
    case: pa.CaseState
    usages: tuple[pa.Usage, ...]
    documents: tuple[DocumentRecord, ...]
    notes: str

    @property
    def appeal_window(self) -> pa.AppealWindow:
        """The denial letter's window, else the payer's setting, else the plan type's rule."""
        return pa.case_appeal_window(self.case, self.payer_appeal_days)

    @property
    def appeal_days(self) -> int:
        return self.appeal_window.days

    @property
    def appeal_deadline(self) -> date | None:
        """The last day to file the internal appeal (None before a denial)."""
        denied = self.case.denied_on
        return pa.appeal_deadline(denied, self.appeal_days) if denied else None

    def appeal_by(self) -> str:
        """ "Appeal by 01/19/2027 — 60 days — Medicaid plan appeal" ("" before a denial)."""
        return pa.appeal_by_text(self.case, self.payer_appeal_days)

    def next_step(self) -> str:
        """What follows an upheld internal appeal for this plan type, in plain words."""
        return pa.next_step_text(self.plan_type, self.case.final_internal_denial_on)

    def remaining(self) -> pa.Remaining | None:
        return pa.remaining(self.case.approval, self.usages) if self.case.approval else None

    def reminders(self, today: date) -> list[pa.Reminder]:
        return pa.reminders(
            self.case, today=today, usages=self.usages, payer_appeal_days=self.payer_appeal_days
        )

    def missing_documents(self) -> list[pa.DocumentKind]:
        kinds = [d.kind for d in self.documents if not d.removed]
        appeal = self.case.state in (State.DENIED, State.APPEAL_SUBMITTED, State.APPEAL_DENIED)
        return pa.missing_documents(kinds, for_appeal=appeal)


CASE_COLUMNS = (
    "state",
    "follow_up",
    "denied_on",
    "denial_reason",
    "final_internal_denial_on",
    "submitted_on",
    "appeal_submitted_on",
    "urgent",
    "auth_number",
    "approved_visits",
    "start_on",
    "end_on",
    "site",
    "appeal_days",
)
EventTuple = tuple[date, str, str, str, str, str]  # on, by, action, from, to, note
LineTuple = tuple[str, int]  # code, units


def _case_state(
    row: Any, events: list[EventTuple], lines: list[LineTuple], plan_type: str
) -> pa.CaseState:
    """The rules' view of a case from its row (ORM object or plain row), children and the
    coverage's plan type."""
    approval = None
    if row.auth_number and row.start_on is not None and row.end_on is not None:
        approval = pa.Approval(
            auth_number=row.auth_number,
            lines=tuple(pa.ApprovedLine(code, units) for code, units in lines),
            visits=row.approved_visits,
            start=row.start_on,
            end=row.end_on,
            site=row.site,
        )
    return pa.CaseState(
        state=State(row.state),
        events=tuple(
            pa.Event(on, by, Action(action), State(a), State(b), note)
            for on, by, action, a, b, note in events
        ),
        follow_up=row.follow_up,
        approval=approval,
        denied_on=row.denied_on,
        denial_reason=row.denial_reason,
        final_internal_denial_on=row.final_internal_denial_on,
        submitted_on=row.submitted_on,
        appeal_submitted_on=row.appeal_submitted_on,
        urgent=row.urgent,
        plan_type=plan_type,
        letter_appeal_days=row.appeal_days,
    )


_EVENT_COLS = (
    PriorAuthEvent.on,
    PriorAuthEvent.by,
    PriorAuthEvent.action,
    PriorAuthEvent.from_state,
    PriorAuthEvent.to_state,
    PriorAuthEvent.note,
)


def _load(session: Session, case_id: int) -> PriorAuthCase:
    row = session.get(PriorAuthCase, case_id)
    if row is None:
        raise NotFound("This prior-authorization case no longer exists.")
    return row


def get_case(session: Session, case_id: int) -> CaseRecord:
    row = _load(session, case_id)
    events: list[EventTuple] = [
        cast(EventTuple, tuple(e))
        for e in session.execute(
            select(*_EVENT_COLS)
            .where(PriorAuthEvent.case_id == case_id)
            .order_by(PriorAuthEvent.id)
        )
    ]
    lines: list[LineTuple] = [
        cast(LineTuple, tuple(ln))
        for ln in session.execute(
            select(PriorAuthLine.code, PriorAuthLine.units)
            .where(PriorAuthLine.case_id == case_id)
            .order_by(PriorAuthLine.id)
        )
    ]
    usages = tuple(
        pa.Usage(u.on, u.code, u.units, u.visit, u.reason)
        for u in session.scalars(
            select(PriorAuthUsage)
            .where(PriorAuthUsage.case_id == case_id)
            .order_by(PriorAuthUsage.id)
        )
    )
    docs = tuple(
        _doc(d)
        for d in session.scalars(
            select(PriorAuthDocument)
            .options(defer(PriorAuthDocument.content))
            .where(PriorAuthDocument.case_id == case_id)
            .order_by(PriorAuthDocument.id)
        )
    )
    patient = session.get(Patient, row.patient_id)
    cov = session.get(Coverage, row.coverage_id)
    assert patient is not None and cov is not None
    payer = session.get(Payer, cov.payer_id)
    assert payer is not None
    order_label = ors.get_order(session, row.order_id).label if row.order_id else "(no order)"
    return CaseRecord(
        id=row.id,
        version=row.version,
        patient_id=row.patient_id,
        order_id=row.order_id,
        coverage_id=row.coverage_id,
        patient_name=filed_name(patient.last_name, patient.first_name),
        mrn=patient.mrn,
        payer_id=payer.id,
        payer_name=payer.name,
        plan_type=cov.plan_type,
        payer_appeal_days=payer.appeal_days,
        order_label=order_label,
        case=_case_state(row, events, lines, cov.plan_type),
        usages=usages,
        documents=docs,
        notes=row.notes,
    )


def _doc(d: PriorAuthDocument) -> DocumentRecord:
    return DocumentRecord(
        d.id,
        pa.DocumentKind(d.kind),
        d.doc_date,
        d.filename,
        d.media_type,
        d.size,
        d.sha256,
        d.added_by,
        d.added_at,
        d.removed,
        d.removed_by,
        d.removed_reason,
    )


def create_case(
    session: Session,
    actor: Actor,
    patient_id: int,
    *,
    coverage_id: int,
    order_id: int | None,
    urgent: bool = False,
    notes: str = "",
) -> CaseRecord:
    """A new draft case for the patient's order under one of the patient's coverages."""
    require(actor, Permission.PRIOR_AUTHS)
    cov = session.get(Coverage, coverage_id)
    if cov is None or cov.patient_id != patient_id:
        raise ValidationFailed({"coverage_id": "Choose one of this patient's coverages."})
    if order_id is not None:
        order = ors.get_order(session, order_id)
        if order.patient_id != patient_id:
            raise ValidationFailed({"order_id": "Choose one of this patient's therapy orders."})
    row = PriorAuthCase(
        patient_id=patient_id,
        coverage_id=coverage_id,
        order_id=order_id,
        urgent=urgent,
        notes=notes.strip(),
        created_by=actor.name,
        updated_by=actor.name,
    )
    session.add(row)
    session.flush()
    audit.record(session, actor, "create", "prior_auth", row.id, patient_id=patient_id)
    return get_case(session, row.id)


def act(
    session: Session,
    actor: Actor,
    case_id: int,
    action: Action,
    *,
    on: date,
    note: str = "",
    expected_version: int,
    **details: Any,
) -> CaseRecord:
    """Take one step (submit, pend, approve, deny, appeal, …) if the rules allow it; the step
    is kept in the case's history with who, when and the note.

    A denial takes ``appeal_days``: the appeal window the denial letter states (optional, 1 to
    365); it wins over the payer's setting and the plan type's rule."""
    require(actor, Permission.PRIOR_AUTHS)
    row = _load(session, case_id)
    if row.version != expected_version:
        raise Conflict(
            "Someone else changed this case after you opened it. Reopen it; what you "
            "typed is still in the form."
        )
    before = get_case(session, case_id)
    approval = details.get("approval")
    if isinstance(approval, pa.Approval):
        problems = pa.approval_problems(approval)
        if problems:
            raise ValidationFailed(problems)
        _check_auth_number(session, before, approval.auth_number)
    try:
        after = pa.apply(before.case, action, on=on, by=actor.name, note=note, **details)
    except pa.TransitionError as exc:
        raise ValidationFailed({exc.field or "action": str(exc)}) from exc
    event = after.events[-1]
    row.state = after.state
    row.follow_up = after.follow_up
    row.denied_on, row.denial_reason = after.denied_on, after.denial_reason
    row.final_internal_denial_on = after.final_internal_denial_on
    row.submitted_on, row.appeal_submitted_on = after.submitted_on, after.appeal_submitted_on
    row.urgent = after.urgent
    row.appeal_days = after.letter_appeal_days
    row.updated_by = actor.name
    row.updated_at = utcnow()
    if after.approval is not None and after.approval != before.case.approval:
        a = after.approval
        row.auth_number, row.approved_visits = a.auth_number.strip(), a.visits
        row.start_on, row.end_on, row.site = a.start, a.end, a.site
        for old in session.scalars(select(PriorAuthLine).where(PriorAuthLine.case_id == case_id)):
            session.delete(old)
        for ln in a.lines:
            session.add(
                PriorAuthLine(case_id=case_id, code=ln.code.strip().upper(), units=ln.units)
            )
    session.add(
        PriorAuthEvent(
            case_id=case_id,
            on=event.on,
            by=event.by,
            action=event.action,
            from_state=event.from_state,
            to_state=event.to_state,
            note=event.note,
        )
    )
    session.flush()
    audit.record(
        session, actor, f"prior_auth:{action}", "prior_auth", case_id, patient_id=row.patient_id
    )
    return get_case(session, case_id)


def _check_auth_number(session: Session, case: CaseRecord, number: str) -> None:
    clash = session.scalar(
        select(PriorAuthCase.id)
        .join(Coverage, Coverage.id == PriorAuthCase.coverage_id)
        .where(
            func.upper(PriorAuthCase.auth_number) == number.strip().upper(),
            Coverage.payer_id == case.payer_id,
            PriorAuthCase.id != case.id,
        )
    )
    if clash is not None:
        raise ValidationFailed(
            {
                "auth_number": (
                    f"{case.payer_name} already has authorization {number.strip()} on case #{clash}: "
                    "check the number (or open that case)."
                )
            }
        )


def usages_for_visit(case: CaseRecord, order: ors.OrderRecord, on: date) -> list[pa.Usage]:
    """The usage a visit of the order makes of the approval: its lines on approved codes."""
    approved = case.case.approval.units() if case.case.approval else {}
    out: list[pa.Usage] = []
    for ln in order.lines:
        if ln.code in approved:
            out.append(pa.Usage(on, ln.code, ln.units, visit=not out))
    return out


def record_visit(
    session: Session,
    actor: Actor,
    case_id: int,
    *,
    on: date,
    planned_visit_id: int | None = None,
    reason: str = "",
    today: date | None = None,
) -> CaseRecord:
    """Record a visit given under the approval: its units per approved code and one visit.

    Beyond the approved units or visits (or outside the dates) needs a ``reason``. An extra
    visit (no planned visit named) is not recorded ahead of ``today`` (default: the clock's),
    nor on a day the order has a visit planned or arrived: that one is recorded (given)
    instead, or its units would be counted twice.
    The case row is locked first (the writers' lock, then SELECT … FOR UPDATE on a server;
    SQLite has one writer anyway), so two workstations recording at once are checked one
    after the other against the units used so far: together they never go past the approval
    without a reason."""
    require(actor, Permission.PRIOR_AUTHS)
    lock_writers(session)  # (a server: the writers' lock first, so locks come in one order)
    session.execute(select(PriorAuthCase.id).where(PriorAuthCase.id == case_id).with_for_update())
    case = get_case(session, case_id)
    if case.case.approval is None or case.case.state not in pa.APPROVAL_STATES:
        raise ValidationFailed({"visit": "Visits are recorded against an approved case."})
    if case.order_id is None:
        raise ValidationFailed({"visit": "This case has no therapy order to take the lines from."})
    visit_row = None
    if planned_visit_id is not None:
        visit_row = session.get(PlannedVisit, planned_visit_id)
        if visit_row is None or visit_row.order_id != case.order_id:
            raise ValidationFailed(
                {"planned_visit_id": "Choose one of this case's planned visits."}
            )
        if visit_row.status != "planned":
            raise ValidationFailed(
                {
                    "planned_visit_id": (
                        f"The visit of {visit_row.on:%m/%d/%Y} is already recorded ({visit_row.status})."
                    )
                }
            )
    new = usages_for_visit(case, ors.get_order(session, case.order_id), on)
    if not new:
        raise ValidationFailed({"visit": "None of the order's codes are on the approval."})
    if planned_visit_id is None:
        if on > (today or date.today()):
            raise ValidationFailed(
                {"on": "A visit is recorded on or after its day: not a day ahead."}
            )
        if session.scalar(
            select(PlannedVisit.id).where(
                PlannedVisit.order_id == case.order_id,
                PlannedVisit.on == on,
                PlannedVisit.status.in_(("planned", "arrived")),
            )
        ):
            raise ValidationFailed(
                {
                    "on": f"A visit of this order is planned on {on:%m/%d/%Y}: record that one "
                    "(choose it under Visit once its day has come)."
                }
            )
    # check the visit per code (a drug's given and wasted lines together), store each line
    by_code: dict[str, pa.Usage] = {}
    for u in new:
        seen = by_code.get(u.code)
        by_code[u.code] = pa.Usage(
            on,
            u.code,
            u.units + (seen.units if seen else 0),
            u.visit or (seen.visit if seen else False),
            reason.strip(),
        )
    checked = list(case.usages)
    for combined in by_code.values():
        message = pa.check_usage(case.case.approval, checked, combined)
        if message and not combined.reason:
            raise ValidationFailed({"reason": message})
        checked.append(combined)
    so_far = list(case.usages) + [
        pa.Usage(u.on, u.code, u.units, u.visit, reason.strip()) for u in new
    ]
    for u in so_far[len(case.usages) :]:
        session.add(
            PriorAuthUsage(
                case_id=case_id,
                on=u.on,
                code=u.code,
                units=u.units,
                visit=u.visit,
                reason=u.reason,
                planned_visit_id=planned_visit_id,
                recorded_by=actor.name,
            )
        )
    if visit_row is not None:
        visit_row.status = "given"
    session.flush()
    audit.record(session, actor, "usage", "prior_auth", case_id, patient_id=case.patient_id)
    return get_case(session, case_id)


def sniff_media_type(content: bytes, filename: str) -> str | None:
    """PDF, PNG, JPEG, TIFF, GIF by their first bytes; UTF-8 text; else None."""
    for media, prefixes in MEDIA_TYPES:
        if any(content.startswith(p) for p in prefixes):
            return media
    if filename.lower().endswith((".txt", ".text", ".md", ".csv")) or b"\x00" not in content[:4096]:
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            return None
        return "text/plain"
    return None


def add_document(
    session: Session,
    actor: Actor,
    case_id: int,
    *,
    kind: str,
    doc_date: date | None,
    filename: str,
    content: bytes,
) -> DocumentRecord:
    """Keep a file with the case, inside the encrypted database, with its checksum."""
    require(actor, Permission.PRIOR_AUTHS)
    case = _load(session, case_id)
    errors: dict[str, str] = {}
    try:
        pa.DocumentKind(kind)
    except ValueError:
        errors["kind"] = "Choose what kind of document this is."
    if doc_date is None:
        errors["doc_date"] = "Enter the document's date (MM/DD/YYYY)."
    if not content:
        errors["file"] = f"{filename} is empty: choose the right file."
    elif len(content) > MAX_DOCUMENT_BYTES:
        errors["file"] = (
            f"{filename} is {len(content) / 1e6:.0f} MB: the limit is 50 MB. "
            "Scan at a lower resolution or split it."
        )
    media = sniff_media_type(content, filename) if content else None
    if content and "file" not in errors and media is None:
        errors["file"] = f"{filename} is not a PDF, an image (PNG, JPEG, TIFF, GIF) or a text file."
    if errors:
        raise ValidationFailed(errors)
    assert doc_date is not None and media is not None
    row = PriorAuthDocument(
        case_id=case_id,
        kind=kind,
        doc_date=doc_date,
        filename=filename[-200:],
        media_type=media,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        added_by=actor.name,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "attach",
        "prior_auth_document",
        row.id,
        patient_id=case.patient_id,
        detail={"case": case_id, "kind": kind},
    )
    return _doc(row)


def document_content(session: Session, actor: Actor, document_id: int, *, purpose: str) -> bytes:
    """The file's bytes (checked against its checksum); opening and exporting are audited."""
    require(actor, Permission.PRIOR_AUTHS)
    row = session.get(PriorAuthDocument, document_id)
    if row is None:
        raise NotFound("This document no longer exists.")
    content = row.content
    if hashlib.sha256(content).hexdigest() != row.sha256:
        raise Conflict(
            f"The stored copy of {row.filename} does not match its checksum: it is "
            "damaged. Restore the database from a backup."
        )
    case = _load(session, row.case_id)
    audit.record(session, actor, purpose, "prior_auth_document", row.id, patient_id=case.patient_id)
    return content


def export_document(
    session: Session,
    actor: Actor,
    document_id: int,
    target: Path,
    *,
    force: bool = False,
    make_folders: bool = True,
) -> Path:
    """A copy of the document at ``target``: staged user-only, the export recorded and
    committed, then put in place (services/outputs.py)."""
    content = document_content(session, actor, document_id, purpose="export")
    outputs.deliver(session, [(target, content)], force=force, make_folders=make_folders)
    return target


def remove_document(
    session: Session, actor: Actor, document_id: int, *, reason: str
) -> DocumentRecord:
    """Take a document off the case's list; the record (and the file) are kept."""
    require(actor, Permission.PRIOR_AUTHS)
    if not reason.strip():
        raise ValidationFailed(
            {"reason": "Say why the document is removed (e.g. wrong patient, duplicate)."}
        )
    row = session.get(PriorAuthDocument, document_id)
    if row is None:
        raise NotFound("This document no longer exists.")
    row.removed, row.removed_by, row.removed_reason = True, actor.name, reason.strip()
    row.removed_at = utcnow()
    case = _load(session, row.case_id)
    audit.record(
        session, actor, "remove", "prior_auth_document", row.id, patient_id=case.patient_id
    )
    session.flush()
    return _doc(row)


# --- lists ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseRow:
    id: int
    patient_id: int
    patient_name: str
    mrn: str
    payer_id: int
    payer_name: str
    order_label: str
    state: State
    auth_number: str
    end_on: date | None
    remaining: pa.Remaining | None
    approved_visits: int | None
    next_reminder: pa.Reminder | None
    reminders: tuple[pa.Reminder, ...]
    approved_units: dict[str, int] = field(default_factory=dict)
    urgent: bool = False
    plan_type: str = ""
    appeal_window: pa.AppealWindow | None = None  # denied cases: the window and its source
    appeal_deadline: date | None = None
    appeal_by: str = ""  # "Appeal by 01/19/2027 — 60 days — Medicaid plan appeal"


def list_cases(
    session: Session,
    *,
    today: date,
    patient_id: int | None = None,
    payer_id: int | None = None,
    states: frozenset[State] | None = None,
    include_closed: bool = False,
) -> list[CaseRow]:
    """Cases with what is left and what is due, most urgent first (bulk queries)."""
    case_cols = [getattr(PriorAuthCase, n) for n in CASE_COLUMNS]
    stmt = (
        select(
            PriorAuthCase.id,
            PriorAuthCase.patient_id,
            PriorAuthCase.order_id,
            *case_cols,
            Patient.last_name,
            Patient.first_name,
            Patient.mrn,
            Payer.id.label("payer_id"),
            Payer.name.label("payer_name"),
            Payer.appeal_days.label("payer_appeal_days"),
            Coverage.plan_type,
        )
        .join(Patient, Patient.id == PriorAuthCase.patient_id)
        .join(Coverage, Coverage.id == PriorAuthCase.coverage_id)
        .join(Payer, Payer.id == Coverage.payer_id)
    )
    if patient_id is not None:
        stmt = stmt.where(PriorAuthCase.patient_id == patient_id)
    if payer_id is not None:
        stmt = stmt.where(Payer.id == payer_id)
    if states:
        stmt = stmt.where(PriorAuthCase.state.in_([str(s) for s in states]))
    if not include_closed:
        stmt = stmt.where(PriorAuthCase.state.not_in([str(s) for s in pa.TERMINAL_STATES]))
    # fetched in batches: a worker thread running this lets the GUI thread run in between
    found = [
        r
        for part in session.execute(stmt.execution_options(yield_per=500)).partitions()
        for r in part
    ]
    ids = [r.id for r in found]
    events: dict[int, list[EventTuple]] = {}
    lines: dict[int, list[LineTuple]] = {}
    usages: dict[int, list[pa.Usage]] = {}
    for chunk in (ids[i : i + 900] for i in range(0, len(ids), 900)):
        for cid, *event in session.execute(
            select(PriorAuthEvent.case_id, *_EVENT_COLS)
            .where(PriorAuthEvent.case_id.in_(chunk))
            .order_by(PriorAuthEvent.id)
        ):
            events.setdefault(cid, []).append(tuple(event))  # type: ignore[arg-type]
        for cid, code, units in session.execute(
            select(PriorAuthLine.case_id, PriorAuthLine.code, PriorAuthLine.units).where(
                PriorAuthLine.case_id.in_(chunk)
            )
        ):
            lines.setdefault(cid, []).append((code, units))
        for cid, on, code, units, visit, reason in session.execute(
            select(
                PriorAuthUsage.case_id,
                PriorAuthUsage.on,
                PriorAuthUsage.code,
                PriorAuthUsage.units,
                PriorAuthUsage.visit,
                PriorAuthUsage.reason,
            ).where(PriorAuthUsage.case_id.in_(chunk))
        ):
            usages.setdefault(cid, []).append(pa.Usage(on, code, units, visit, reason))
    order_ids = {r.order_id for r in found if r.order_id}
    order_labels = (
        {
            o.id: o.label
            for o in ors.orders_for_patients(session, {r.patient_id for r in found if r.order_id})
        }
        if order_ids
        else {}
    )
    rows: list[CaseRow] = []
    for row in found:
        last, first, mrn = row.last_name, row.first_name, row.mrn
        pid, pname, payer_days, plan_type = (
            row.payer_id,
            row.payer_name,
            row.payer_appeal_days,
            row.plan_type,
        )
        case = _case_state(row, events.get(row.id, []), lines.get(row.id, []), plan_type)
        used = usages.get(row.id, [])
        rem = pa.remaining(case.approval, used) if case.approval else None
        due = pa.reminders(case, today=today, usages=used, payer_appeal_days=payer_days)
        window = pa.case_appeal_window(case, payer_days) if case.denied_on else None
        rows.append(
            CaseRow(
                id=row.id,
                patient_id=row.patient_id,
                patient_name=filed_name(last, first),
                mrn=mrn,
                payer_id=pid,
                payer_name=pname,
                order_label=order_labels.get(row.order_id or -1, "(no order)"),
                state=case.state,
                auth_number=row.auth_number,
                end_on=row.end_on,
                remaining=rem,
                approved_visits=row.approved_visits,
                next_reminder=due[0] if due else None,
                reminders=tuple(due),
                approved_units=case.approval.units() if case.approval else {},
                urgent=row.urgent,
                plan_type=plan_type,
                appeal_window=window,
                appeal_deadline=pa.appeal_deadline(case.denied_on, window.days)
                if case.denied_on and window
                else None,
                appeal_by=pa.appeal_by_text(case, payer_days),
            )
        )
    order = {"overdue": 0, "due": 1, "soon": 2, "info": 3}
    rows.sort(
        key=lambda r: (
            order[r.next_reminder.severity] if r.next_reminder else 4,
            r.next_reminder.due_on if r.next_reminder else date.max,
            r.patient_name,
        )
    )
    return rows


def coverage_plan_words(plan_type: str) -> str:
    return dc.PLAN_TYPE_LABELS.get(plan_type, plan_type)
