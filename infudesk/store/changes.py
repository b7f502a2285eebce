"""Whose records a transaction changed: the change log (``change_log``, migration 0014).

Every transaction that writes is counted once in ``store_state.changes`` (store/database.py);
at each of its flushes the patients whose records it touched are logged under that number:
the patient's own row, and the rows that belong to a patient directly (``patient_id``) or
through their parent (a visit through its order, a verification through its coverage, a
prior-auth line, event, usage or document through its case, an assistance usage through its
enrollment). A row moved to another parent names both patients. A transaction that touched
none logs a 0, so every counted transaction has at least one row and a reader can tell a
complete stretch of the log from a pruned one. A row shared by every patient (a payer, a
setting, the assistance directory, the fee schedule), or of a table this module does not
know, logs NULL: "anyone's". A list built at one number asks :func:`patients_changed` what
changed up to a newer one and works out again only those patients, or everything on None.

Writes that bypass the unit of work (``session.execute(update(...))`` or Core inserts) are
not flushed, so they are neither counted nor logged, like the counter itself; the services
that use them touch no table a patient list reads (search tokens, the fee schedule's rows
on a clear, the demo's bulk seed before anything is built)."""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any

from sqlalchemy import Connection, delete, insert, inspect, select
from sqlalchemy.orm import Session

from infudesk.store import models as m

log_ = logging.getLogger(__name__)

KEEP = 20_000  # transactions kept in the log; a list older than that is built whole
PRUNE_EVERY = 500  # the log is pruned on every this many-th transaction

# the parent a row belongs to a patient through: (attribute, parent model)
_THROUGH: dict[type, tuple[str, Any]] = {
    m.PlannedVisit: ("order_id", m.TherapyOrder),
    m.OrderLine: ("order_id", m.TherapyOrder),
    m.Verification: ("coverage_id", m.Coverage),
    m.BenefitTerms: ("coverage_id", m.Coverage),
    m.PriorAuthLine: ("case_id", m.PriorAuthCase),
    m.PriorAuthEvent: ("case_id", m.PriorAuthCase),
    m.PriorAuthUsage: ("case_id", m.PriorAuthCase),
    m.PriorAuthDocument: ("case_id", m.PriorAuthCase),
    m.AssistanceUsage: ("enrollment_id", m.AssistanceEnrollment),
}
# rows that belong to a patient directly
_OWN = (
    m.PatientToken,
    m.TherapyOrder,
    m.Coverage,
    m.PriorAuthCase,
    m.AssistanceEnrollment,
    m.SavedQuote,
    m.AuditEvent,  # a patient's audit events (a printed estimate); others name nobody
)
# settings no patient list reads (the rest may change anyone's: e.g. the days before a visit
# to verify again). The backup's own date is written at the day's first close: were it
# anyone's, the next start could not catch up with the worklist kept the day before.
BOOKKEEPING_SETTINGS = frozenset(
    {"backup.last", "backup.folder", "backup.keep", "security.idle_minutes"}
)
# rows no patient list reads: the books of the database itself, staff accounts and task
# assignments (the worklist applies those to every build)
_NOBODYS = (
    m.StoreState,
    m.ChangeLog,
    m.AuditChainTail,
    m.Staff,
    m.WorkTask,
    m.WorklistSnapshot,
)


def _values(obj: Any, attr: str) -> list[Any]:
    """The attribute's value now and, for a row changed in this flush, the one it had."""
    out = [getattr(obj, attr, None)]
    state = inspect(obj)
    if not state.pending:
        out += state.attrs[attr].history.deleted or ()
    return out


def patients_touched(session: Session, conn: Connection) -> set[int | None]:
    """The patients whose records this flush writes (None: anyone's), from the session's
    new, changed and deleted rows, their parents looked up in one query per kind."""
    found: set[int | None] = set()
    parents: dict[Any, set[int]] = defaultdict(set)
    for obj in (*session.new, *session.dirty, *session.deleted):
        cls = type(obj)
        if cls in _NOBODYS or (cls is m.Setting and obj.key in BOOKKEEPING_SETTINGS):
            continue
        if cls is m.Patient:
            found.update(v for v in _values(obj, "id") if v is not None)
        elif cls in _OWN:
            found.update(v for v in _values(obj, "patient_id") if v is not None)
        elif cls in _THROUGH:
            attr, parent = _THROUGH[cls]
            parents[parent].update(v for v in _values(obj, attr) if v is not None)
        else:
            return {None}  # a payer, a setting, the directory, a table not known here
    for parent, ids in parents.items():  # the flush has written them: the query sees them
        found.update(
            conn.scalars(select(parent.patient_id).where(parent.id.in_(sorted(ids)))).all()
        )
    return found


def log(session: Session, conn: Connection, token: int) -> None:
    """Log this flush's patients under the transaction's number ``token`` (each once per
    transaction; a 0 when its first flush touched nobody's records), and prune the log on
    every :data:`PRUNE_EVERY`-th transaction."""
    logged: set[int | None] | None = session.info.get("change_logged")
    first = logged is None
    if logged is None:
        logged = session.info["change_logged"] = set()
    try:
        touched = patients_touched(session, conn)
    except Exception:  # no save refused for its bookkeeping: anyone's may have changed (a
        # database error fails the save anyway, as it would have without the log)
        log_.exception("could not tell whose records a save changed")
        touched = {None}
    if first and not touched:
        touched = {0}
    new = touched - logged
    if new:
        conn.execute(
            insert(m.ChangeLog),
            [{"token": token, "patient_id": p} for p in sorted(new, key=lambda p: p or 0)],
        )
        logged |= new
    if first and token % PRUNE_EVERY == 0:
        conn.execute(delete(m.ChangeLog).where(m.ChangeLog.token <= token - KEEP))


def forget(session: Session) -> None:
    """The transaction ended: the next one logs afresh."""
    session.info.pop("change_logged", None)


def patients_changed(session: Session, since: int, upto: int) -> set[int] | None:
    """The patients whose records the transactions after number ``since`` up to ``upto``
    changed, or None when that cannot be told (one of them may have changed anyone's, or the
    log no longer holds them all: pruned, or written before the log existed)."""
    if upto < since:
        return None
    rows = session.execute(
        select(m.ChangeLog.token, m.ChangeLog.patient_id).where(
            m.ChangeLog.token > since, m.ChangeLog.token <= upto
        )
    ).all()
    if len({t for t, _ in rows}) != upto - since:
        return None
    out: set[int] = set()
    for _, pid in rows:
        if pid is None:
            return None
        if pid:
            out.add(pid)
    return out
