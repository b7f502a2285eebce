"""The worklist: the planned visits of the next days with what blocks each, and the tasks
beside them, gathered in a fixed number of bulk queries (never one per visit or per case) for
the pure rules of :mod:`infudesk.domain.worklist`. What the rules made of an order or a case
is remembered for the next build under a key of every value they read (:class:`_Memo`); the
last worklist itself is kept under the store's change counter (:class:`_LastBuilt`), so a build
with nothing saved since returns it at once, and a build after some saves (here or on another
workstation) works out again only the patients the change log names in between
(:mod:`infudesk.store.changes`), keeping every other patient's rows. tests/test_worklist_
reference.py checks the result against the rules applied one visit at a time, and tests/
test_change_log.py a build that caught up against the same worked out afresh
(:func:`build_afresh`).

Filtering by payer, assignee and status is the caller's, on the returned tuples
(:func:`infudesk.domain.worklist.filter_tasks`): the build is the same whatever is shown, and
a filter changed on screen needs no new query."""

from __future__ import annotations

import gc
import io
import json
import logging
import threading
import weakref
from collections import OrderedDict, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import ORMExecuteState, Session

from infudesk import heap
from infudesk.domain import prior_auth as pa
from infudesk.domain import readiness as rd
from infudesk.domain import verification as dv
from infudesk.domain import worklist as dw
from infudesk.domain.patients import filed_name
from infudesk.domain.verification import us_date
from infudesk.errors import ValidationFailed
from infudesk.services import audit, settings
from infudesk.services import worklist_kept as kept
from infudesk.services.access import Permission, require
from infudesk.services.audit import Actor
from infudesk.services.prior_auths import CASE_COLUMNS, _case_state
from infudesk.services.sync import change_token
from infudesk.store import changes
from infudesk.store.models import (
    AssistanceDirectoryEntry,
    AssistanceEnrollment,
    AssistanceUsage,
    AuditEvent,
    Coverage,
    OrderLine,
    Patient,
    Payer,
    PlannedVisit,
    PriorAuthCase,
    PriorAuthDocument,
    PriorAuthEvent,
    PriorAuthLine,
    PriorAuthUsage,
    Staff,
    TherapyOrder,
    Verification,
    WorkTask,
)
from infudesk.store.writers import lock_writers

if TYPE_CHECKING:  # the documents package imports reportlab: not on the start's path
    from infudesk.documents.data import DaySummaryData

log = logging.getLogger(__name__)
AREAS = dw.AREAS
SELF_PAY = "Self-pay"
ESTIMATE_KINDS = {"cost-letter": "estimates", "gfe": "gfes"}
_OPEN_CASE_STATES = [s.value for s in pa.OPEN_STATES]


class _Window:
    """The statements of one build: each kind of row loaded in one query, filtered in SQL by
    the window (subqueries, never a long list of ids sent back), only the columns used, and
    run on the session's connection (plain rows, no ORM entities)."""

    def __init__(
        self, session: Session, today: date, end: date, horizon: date, only: set[int] | None
    ) -> None:
        self.conn = session.connection()
        self.today = today
        self.horizon = horizon
        self.only = sorted(only) if only is not None else None
        in_window = (PlannedVisit.on >= today) & (PlannedVisit.on < end)
        if self.only is not None:
            in_window &= PlannedVisit.order_id.in_(
                select(TherapyOrder.id).where(TherapyOrder.patient_id.in_(self.only))
            )
        self.in_window = in_window
        self.orders = select(PlannedVisit.order_id).where(in_window)
        self.patients = (
            select(TherapyOrder.patient_id)
            .join(PlannedVisit, PlannedVisit.order_id == TherapyOrder.id)
            .where(in_window)
        )
        # every open case (for the tasks) and every case of a window's order (readiness);
        # narrowed to ``only`` by the case's patient, which is its order's and its coverage's
        # (prior_auths.create_case checks it; nothing moves a case, an order or a coverage to
        # another patient: if something ever does, log both patients in store/changes.py)
        self.cases = PriorAuthCase.state.in_(_OPEN_CASE_STATES) | PriorAuthCase.order_id.in_(
            self.orders
        )
        if self.only is not None:
            self.cases = self.cases & PriorAuthCase.patient_id.in_(self.only)
        self.enrollments = AssistanceEnrollment.active.is_(True) & (
            AssistanceEnrollment.patient_id.in_(self.patients)
        )

    def rows(self, stmt: Any) -> Sequence[Any]:
        return self.conn.execute(stmt).all()

    def visits(self) -> Sequence[Any]:
        return self.rows(
            select(
                PlannedVisit.id,
                PlannedVisit.on,
                PlannedVisit.status,
                PlannedVisit.scheduled_on,
                PlannedVisit.order_id,
                TherapyOrder.patient_id,
                TherapyOrder.drug_name,
                TherapyOrder.drug_hcpcs,
                TherapyOrder.site_of_care,
                TherapyOrder.changed_on,
                Patient.mrn,
                Patient.last_name,
                Patient.first_name,
            )
            .join(TherapyOrder, TherapyOrder.id == PlannedVisit.order_id)
            .join(Patient, Patient.id == TherapyOrder.patient_id)
            .where(self.in_window)
        )


_CASE_COLUMNS = (
    PriorAuthCase.id,
    PriorAuthCase.patient_id,
    PriorAuthCase.order_id,
    PriorAuthCase.coverage_id,
    *(getattr(PriorAuthCase, c) for c in CASE_COLUMNS),
)


def build(
    session: Session,
    actor: Actor,
    today: date,
    days: int = 14,
    *,
    unrecorded_days: int = dw.UNRECORDED_DAYS,
) -> dw.Worklist:
    """The visits from ``today`` through ``today + days - 1`` (every status; given and
    cancelled ones have no blockers), the visits of the ``unrecorded_days`` before today that
    nobody recorded (still planned or arrived: blocked as not recorded), and the tasks due by
    the window's last day (overdue ones included, done ones too with their status), with the
    counts per area."""
    _check_window(actor, days, unrecorded_days)
    return _kept_or_built(session, today, (days, unrecorded_days)).worklist


def _kept_or_built(
    session: Session, today: date, window: tuple[int, int], *, remember: bool = True
) -> _Built:
    """The worklist of ``today`` and ``window`` as kept in memory, caught up, or loaded from the
    database and caught up (:mod:`infudesk.services.worklist_kept`), or built whole."""
    days, unrecorded_days = window
    token = _unchanged_token(session)
    engine = session.get_bind().engine  # an Engine's .engine is itself (a Connection's: its own)
    last = _LAST.get(engine, today, window) if token is not None else None
    if last is not None and last.token == token:
        return last
    # tens of thousands of small immutable objects and no cycles among them: the cyclic
    # garbage collector would walk the growing heap again and again for nothing
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        found = _catch_up_from(session, today, window, token, last)
        if found is not None:
            # only these patients' records changed since: work out theirs again (none: only
            # task assignments, or rows no list reads, were saved)
            base, checked, changed = found
            visits, bare = (
                _build(session, today, days, unrecorded_days, changed, remember=remember)
                if changed
                else ([], [])
            )
            visits += (v for v in base.visits if v.patient_id not in changed)
            bare += (t for t in base.tasks if t.patient_id not in changed)
        else:
            visits, bare = _build(session, today, days, unrecorded_days, remember=remember)
            checked = True
        built, bare_tasks = _finish(session, visits, bare)
    finally:
        if paused:
            gc.enable()
    made = _Built(token if token is not None else -1, built, bare_tasks, checked)
    if token is not None:
        _LAST.put(engine, today, window, made)
    return made


def _catch_up_from(
    session: Session, today: date, window: tuple[int, int], token: int | None, last: _Built | None
) -> tuple[kept.Kept, bool, set[int]] | None:
    """What a build at ``token`` catches up from: the last worklist in memory (``last``), else
    the one kept in the database (not checked yet); whether it was checked; and the patients
    changed since. None when there is neither, or it is too far behind (more than
    :data:`CATCH_UP_MAX` patients, or the change log cannot tell)."""
    if token is None:
        return None
    if last is not None:
        since = last.token
    else:  # a start (or a new day): the worklist this database kept
        saved = kept.kept_token(session, today, window)
        if saved is None:
            return None
        since = saved
    if since > token:
        return None
    changed = changes.patients_changed(session, since, token) if since < token else set()
    if changed is None or len(changed) > CATCH_UP_MAX:
        return None
    if last is not None:
        return kept.Kept(last.token, last.worklist.visits, last.bare_tasks), last.checked, changed
    loaded = kept.load(session, today, window, since)  # read only once it is near enough
    return (loaded, False, changed) if loaded is not None else None


CATCH_UP_MAX = 300  # patients changed since the last build beyond which it is built whole


@dataclass(frozen=True)
class _Built:
    """A worklist, the change counter it was built at, and its tasks before their
    assignments (the rows a later build keeps of the patients unchanged since); ``checked``
    False when it was loaded from the database (or caught up from one that was), until
    :func:`settle` built the same afresh."""

    token: int
    worklist: dw.Worklist
    bare_tasks: tuple[dw.Task, ...]
    checked: bool = True


def settle(
    session: Session,
    actor: Actor,
    today: date,
    days: int = 14,
    *,
    unrecorded_days: int = dw.UNRECORDED_DAYS,
) -> bool:
    """What follows a worklist shown, on a worker thread (each step only when due, so most
    calls cost a few small queries): a worklist loaded from the database (or caught up from
    one) is built afresh and compared, and replaced if it differs (True: show it again; the
    difference is logged as an error, and the kept one is never used again); then the
    worklists of ``today`` and of tomorrow are kept in the database when the ones kept there
    are too far behind to catch up quickly (:data:`KEEP_AFTER` patients), so that the next
    start, or tomorrow's first, loads one. Only a checked worklist is kept. Tomorrow's is
    built here whole the first time (not remembered: no memo held for it)."""
    _check_window(actor, days, unrecorded_days)
    _one_snapshot(session)
    token = _unchanged_token(session)
    if token is None:
        return False
    # the collector paused throughout; what was built (if anything) is then frozen, not
    # scanned (heap.keep_young): no thread pays for a collection of it later
    paused = gc.isenabled()
    if paused:
        gc.disable()
    built = False
    try:
        differed, built = _settle(session, today, (days, unrecorded_days), token)
    finally:
        if paused:
            if built:
                heap.keep_young()
            gc.enable()
    return differed


def _settle(
    session: Session, today: date, window: tuple[int, int], token: int
) -> tuple[bool, bool]:
    """(whether the worklist shown differed from one built afresh, whether anything was
    built)."""
    differed = built = False
    last = _LAST.get(session.get_bind().engine, today, window)
    if last is not None and not last.checked:
        differed, built = _check(session, today, window, token, remember=True), True
    for day, remember in ((today, True), (today + timedelta(days=1), False)):
        try:
            built = _keep(session, day, window, remember) or built
        except SQLAlchemyError as exc:  # best effort: a locked or busy database keeps nothing
            session.rollback()
            log.info("worklist of %s not kept: %s", day, type(exc).__name__)
            break
    return differed, built


def _one_snapshot(session: Session) -> None:
    """On a server, the transaction about to begin reads one snapshot (REPEATABLE READ), as
    SQLite's do: the change counter and the rows it reads agree, however busy the others."""
    if session.get_bind().dialect.name == "postgresql" and not session.in_transaction():
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


def _check(
    session: Session, day: date, window: tuple[int, int], token: int, *, remember: bool
) -> bool:
    """Build the worklist of ``day`` afresh and compare it with the one kept in memory (loaded
    from the database, caught up to ``token``): the fresh one replaces it, checked; whether
    they differed (then logged as an error, and the kept one refused)."""
    engine = session.get_bind().engine
    last = _kept_or_built(session, day, window, remember=remember)  # caught up to this counter
    if last.checked or last.token != token:
        return False
    whole, bare = _finish(session, *_build(session, day, *window, remember=remember))
    if change_token(session) != token:  # (one snapshot: never, but then nothing is compared)
        return False
    differed = whole != last.worklist
    if differed:
        log.error(
            "the worklist of %s kept from an earlier run differed from the records "
            "(%d visits, %d tasks differ); built again",
            day,
            len({v.visit_id for v in set(whole.visits) ^ set(last.worklist.visits)}),
            len({t.key for t in set(whole.tasks) ^ set(last.worklist.tasks)}),
        )
        kept.refuse(engine, day, window, token)  # the next keep writes this one in its place
    _LAST.put(engine, day, window, _Built(token, whole, bare, True))
    return differed


KEEP_AFTER = 50  # patients changed since the kept worklist beyond which it is kept again


def _keep(session: Session, day: date, window: tuple[int, int], remember: bool) -> bool:
    """Keep the worklist of ``day`` in the database unless the one kept there catches up
    with at most :data:`KEEP_AFTER` patients (built, caught up or checked here if need be:
    one loaded from the database is checked before it is kept again); whether it was
    looked at again."""
    _one_snapshot(session)
    token = _unchanged_token(session)
    if token is None:
        return False
    saved = kept.kept_token(session, day, window)
    if saved is not None and saved <= token:
        since = changes.patients_changed(session, saved, token) if saved < token else set()
        if since is not None and len(since) <= KEEP_AFTER:
            return False
    built = _kept_or_built(session, day, window, remember=remember)
    if not built.checked:
        _check(session, day, window, token, remember=remember)
        built = _LAST.get(session.get_bind().engine, day, window) or built
    if built.checked and built.token == token:
        # the long read ends here: the write gets a short transaction of its own (on SQLite a
        # write late in a read transaction fails if anyone committed meanwhile)
        session.commit()
        kept.save(session, day, window, token, built.worklist.visits, built.bare_tasks)
        session.commit()  # (when nothing was written too: no lock is held on)
    # (built at another counter, a save meanwhile: the next settle keeps it)
    return True


def _check_window(actor: Actor, days: int, unrecorded_days: int) -> None:
    require(actor, Permission.WORKLIST)
    if days < 1:
        raise ValidationFailed({"days": "Show at least one day."})
    if unrecorded_days < 0:
        raise ValueError(unrecorded_days)


def build_afresh(
    session: Session,
    actor: Actor,
    today: date,
    days: int = 14,
    *,
    unrecorded_days: int = dw.UNRECORDED_DAYS,
) -> dw.Worklist:
    """The same worklist as :func:`build`, worked out from the rows alone: no memo, no last
    build, no change log (what a build that caught up must equal; tests and benches)."""
    _check_window(actor, days, unrecorded_days)
    return _finish(session, *_build(session, today, days, unrecorded_days, remember=False))[0]


def _unchanged_token(session: Session) -> int | None:
    """The change counter as this build reads the database (:func:`infudesk.services.sync.
    change_token`, read before any row so that the rows are at least as new as it), or None
    when this session's own transaction writes (its changes, counted or not, may yet be
    rolled back: a result built on them must not be kept under any counter)."""
    if (
        session.new
        or session.dirty
        or session.deleted
        or session.info.get("change_counted")
        or session.info.get(_WROTE)
    ):
        return None
    return change_token(session)


_WROTE = "worklist_session_wrote"


@event.listens_for(Session, "do_orm_execute")
def _bulk_write_seen(state: ORMExecuteState) -> None:
    """A bulk INSERT/UPDATE/DELETE through the session (it does not move the change counter
    by itself): no result of this transaction is kept or reused."""
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[_WROTE] = True


@event.listens_for(Session, "after_transaction_end")
def _bulk_write_forgotten(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop(_WROTE, None)


class _LastBuilt:
    """The last worklist built per database (its engine, held weakly) and window (the day and
    the number of days), with the change counter it was built at: a build at the same counter
    (nothing saved since, by this workstation or another) returns it at once, and a build at a
    newer one works out again only the patients the change log names in between
    (:func:`infudesk.store.changes.patients_changed`). Worklists are immutable (frozen
    dataclasses and tuples), so one can be handed to several callers."""

    WINDOWS = 3  # the Worklist's days, the one-day summary and tomorrow's (kept: settle)

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.by_engine: weakref.WeakKeyDictionary[Any, OrderedDict[Any, _Built]] = (
            weakref.WeakKeyDictionary()
        )

    def get(self, engine: Any, today: date, days: tuple[int, int]) -> _Built | None:
        with self.lock:
            windows = self.by_engine.get(engine)
            return windows.get((today, days)) if windows is not None else None

    def put(self, engine: Any, today: date, days: tuple[int, int], built: _Built) -> None:
        with self.lock:
            windows = self.by_engine.setdefault(engine, OrderedDict())
            old = windows.get((today, days))
            if old is not None and old.token > built.token:
                return  # another thread built a newer one meanwhile
            windows[(today, days)] = built
            windows.move_to_end((today, days))
            while len(windows) > self.WINDOWS:
                windows.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.by_engine.clear()


_LAST = _LastBuilt()


def _newest(old: Any, new: Any) -> Any:
    """Of two primary coverages in force together, the one that counts: the latest effective
    (then the latest entered)."""
    if old is None or (new.effective_on, new.id) > (old.effective_on, old.id):
        return new
    return old


def open_items(session: Session, actor: Actor, visit_id: int, today: date) -> tuple[str, ...]:
    """What still blocks a visit of ``today`` (or one gone by, not recorded), in the
    worklist's words: the one-day worklist of the visit's patient alone (a few queries on one
    patient's rows, whatever the center's size; the same rules, so the same words as the
    Worklist's row)."""
    require(actor, Permission.WORKLIST)
    patient = session.scalar(
        select(TherapyOrder.patient_id)
        .join(PlannedVisit, PlannedVisit.order_id == TherapyOrder.id)
        .where(PlannedVisit.id == visit_id)
    )
    if patient is None:
        return ()
    visits, _tasks = _build(session, today, 1, dw.UNRECORDED_DAYS, {patient}, remember=False)
    row = next((r for r in visits if r.visit_id == visit_id), None)
    return dw.open_items(row.blockers) if row is not None else ()


def _build(
    session: Session,
    today: date,
    days: int,
    unrecorded_days: int,
    only: set[int] | None = None,
    *,
    remember: bool = True,
) -> tuple[list[dw.VisitRow], list[dw.Task]]:
    """The window's visit rows and tasks (before their assignments), of every patient or
    ``only`` of those; with the memo, or (``remember`` False) each worked out afresh."""
    end = today + timedelta(days=days)
    horizon = end - timedelta(days=1)
    g = _Window(session, today, end, horizon, only)
    visit_rows = g.visits()
    order_ids = {r.order_id for r in visit_rows}
    names = _Names()

    # the orders' billing lines
    lines: dict[int, list[tuple[str, int, str]]] = defaultdict(list)
    for oid, code, units, kind in g.rows(
        select(OrderLine.order_id, OrderLine.code, OrderLine.units, OrderLine.kind).where(
            OrderLine.order_id.in_(g.orders)
        )
    ):
        lines[oid].append((code, units, kind))

    # the patients' primary coverages (current in the window) and payers
    current = (
        (Coverage.status == "active")
        & (Coverage.rank == 1)
        & (Coverage.effective_on <= horizon)
        & ((Coverage.terminates_on.is_(None)) | (Coverage.terminates_on >= today))
        & Coverage.patient_id.in_(g.patients)
    )
    primary: dict[int, Any] = {}
    for r in g.rows(
        select(
            Coverage.id,
            Coverage.patient_id,
            Coverage.effective_on,
            Coverage.terminates_on,
            Coverage.plan_year_start,
            Coverage.changed_on,
            Coverage.plan_type,
            Payer.name.label("payer"),
        )
        .join(Payer, Payer.id == Coverage.payer_id)
        .where(current)
    ):
        primary[r.patient_id] = _newest(primary.get(r.patient_id), r)
    coverage_ids = {c.id for c in primary.values()}

    # verifications of those coverages
    latest_ver: dict[int, int] = {}
    verified: dict[int, tuple[date, int, str]] = {}
    for vid, cov_id, status, completed, answers in g.rows(
        select(
            Verification.id,
            Verification.coverage_id,
            Verification.status,
            Verification.completed_on,
            Verification.answers,
        ).where(Verification.coverage_id.in_(select(Coverage.id).where(current)))
    ):
        if cov_id not in coverage_ids:
            continue
        latest_ver[cov_id] = max(vid, latest_ver.get(cov_id, 0))
        if status == dv.Status.VERIFIED and completed is not None:
            old = verified.get(cov_id)
            if old is None or (completed, vid) > (old[0], old[1]):
                verified[cov_id] = (completed, vid, answers)
    days_before = int(settings.get(session, "verification.days_before_visit"))

    # prior-auth cases of the window's orders, and every open case (for the tasks)
    case_rows: dict[int, Any] = {
        r.id: r
        for r in g.rows(
            select(
                *_CASE_COLUMNS,
                Coverage.plan_type,
                Payer.name.label("payer"),
                Payer.appeal_days.label("payer_days"),
                Patient.last_name,
                Patient.first_name,
            )
            .join(Coverage, Coverage.id == PriorAuthCase.coverage_id)
            .join(Payer, Payer.id == Coverage.payer_id)
            .join(Patient, Patient.id == PriorAuthCase.patient_id)
            .where(g.cases)
        )
    }
    case_lines: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for cid, code, units in g.rows(
        select(PriorAuthLine.case_id, PriorAuthLine.code, PriorAuthLine.units)
        .join(PriorAuthCase, PriorAuthCase.id == PriorAuthLine.case_id)
        .where(g.cases)
        .order_by(PriorAuthLine.id)
    ):
        case_lines[cid].append((code, units))
    # as plain tuples (on, code, units, visit): the memo's keys hold them (atomic values, that
    # the garbage collector stops tracking); the rules' Usage objects are made only when needed
    used_rows: dict[int, list[tuple[date, str, int, bool]]] = defaultdict(list)
    for cid, on, code, units, visit in g.rows(
        select(
            PriorAuthUsage.case_id,
            PriorAuthUsage.on,
            PriorAuthUsage.code,
            PriorAuthUsage.units,
            PriorAuthUsage.visit,
        )
        .join(PriorAuthCase, PriorAuthCase.id == PriorAuthUsage.case_id)
        .where(g.cases, PriorAuthCase.state.in_(sorted(_APPROVED)))
        .order_by(PriorAuthUsage.id)
    ):
        used_rows[cid].append((on, code, units, visit))
    usages: dict[int, list[pa.Usage]] = {}

    def usages_of(cid: int) -> list[pa.Usage]:
        made = usages.get(cid)
        if made is None:
            made = usages[cid] = [pa.Usage(*u) for u in used_rows.get(cid, ())]
        return made

    # events only matter to a case denied on appeal (was external review asked already?)
    events: dict[int, list[Any]] = defaultdict(list)
    for r in g.rows(
        select(
            PriorAuthEvent.case_id,
            PriorAuthEvent.on,
            PriorAuthEvent.by,
            PriorAuthEvent.action,
            PriorAuthEvent.from_state,
            PriorAuthEvent.to_state,
            PriorAuthEvent.note,
        )
        .join(PriorAuthCase, PriorAuthCase.id == PriorAuthEvent.case_id)
        .where(g.cases, PriorAuthCase.state == pa.State.APPEAL_DENIED.value)
        .order_by(PriorAuthEvent.id)
    ):
        events[r[0]].append(tuple(r[1:]))
    window_cases = {cid for cid, r in case_rows.items() if r.order_id in order_ids}
    documents: dict[int, set[str]] = defaultdict(set)
    for cid, kind in g.rows(
        select(PriorAuthDocument.case_id, PriorAuthDocument.kind)
        .join(PriorAuthCase, PriorAuthCase.id == PriorAuthDocument.case_id)
        .where(PriorAuthDocument.removed.is_(False), PriorAuthCase.order_id.in_(g.orders))
    ):
        documents[cid].add(kind)
    reauth_by = horizon + timedelta(days=max(pa.REAUTH_DAYS))
    states: dict[int, pa.CaseState] = {}

    def state_of(cid: int) -> pa.CaseState:
        st = states.get(cid)
        if st is None:
            r = case_rows[cid]
            st = states[cid] = _case_state(
                r, events.get(cid, []), case_lines.get(cid, []), r.plan_type
            )
        return st

    # estimates given (cost letters and Good Faith Estimates printed or saved)
    printed: dict[int, dict[str, list[date]]] = defaultdict(lambda: defaultdict(list))
    for pid, at, detail in g.rows(
        select(AuditEvent.patient_id, AuditEvent.at, AuditEvent.detail).where(
            AuditEvent.action.in_(("document:print", "document:save")),
            AuditEvent.patient_id.in_(g.patients),
        )
    ):
        try:
            kind = json.loads(detail).get("kind", "")
        except (ValueError, AttributeError):
            continue
        if kind in ESTIMATE_KINDS:
            printed[pid][ESTIMATE_KINDS[kind]].append(at.astimezone().date())

    # assistance: the window patients' enrollments, and every one up for renewal
    enroll_stmt = (
        select(
            AssistanceEnrollment.id,
            AssistanceEnrollment.patient_id,
            AssistanceEnrollment.status,
            AssistanceEnrollment.used,
            AssistanceEnrollment.balance,
            AssistanceEnrollment.expires,
            AssistanceEnrollment.reenroll_on,
            AssistanceDirectoryEntry.kind.label("d_kind"),
            AssistanceDirectoryEntry.name.label("d_name"),
            AssistanceDirectoryEntry.drugs.label("d_drugs"),
            AssistanceDirectoryEntry.per_visit_max.label("d_per_visit_max"),
            AssistanceDirectoryEntry.annual_max.label("d_annual_max"),
            Patient.last_name,
            Patient.first_name,
        )
        .join(
            AssistanceDirectoryEntry,
            AssistanceDirectoryEntry.id == AssistanceEnrollment.program_id,
        )
        .join(Patient, Patient.id == AssistanceEnrollment.patient_id)
    )
    enrollments: dict[int, Any] = {r.id: r for r in g.rows(enroll_stmt.where(g.enrollments))}
    notice = today + timedelta(days=dw.REENROLL_NOTICE_DAYS)
    renewal_due = (
        AssistanceEnrollment.active.is_(True)
        & (AssistanceEnrollment.status == "approved")
        & ((AssistanceEnrollment.reenroll_on <= notice) | (AssistanceEnrollment.expires <= notice))
    )
    if g.only is not None:
        renewal_due &= AssistanceEnrollment.patient_id.in_(g.only)
    renewing: dict[int, Any] = {r.id: r for r in g.rows(enroll_stmt.where(renewal_due))}
    drawn: dict[int, Decimal] = {}
    for eid, total, n in g.rows(
        select(
            AssistanceUsage.enrollment_id,
            func.sum(AssistanceUsage.amount),
            func.count(func.distinct(AssistanceUsage.planned_visit_id)),
        )
        .where(
            AssistanceUsage.enrollment_id.in_(select(AssistanceEnrollment.id).where(g.enrollments))
        )
        .group_by(AssistanceUsage.enrollment_id)
    ):
        if n:
            drawn[eid] = Decimal(total) / n
    by_patient_enroll: dict[int, list[Any]] = defaultdict(list)
    for r in enrollments.values():
        by_patient_enroll[r.patient_id].append(r)

    # --- the visits, order by order ---------------------------------------------------------
    by_order: dict[int, list[Any]] = defaultdict(list)
    for r in visit_rows:
        by_order[r.order_id].append(r)
    cases_by_order: dict[int, list[int]] = defaultdict(list)
    for cid in sorted(window_cases):
        cases_by_order[case_rows[cid].order_id].append(cid)
    visits_out: list[dw.VisitRow] = []
    tasks: list[dw.Task] = []
    memo: _MemoRun | _NoMemo = _MEMO.begin(today, horizon) if remember else _NoMemo()
    for oid, rows in by_order.items():
        first = rows[0]
        pid = first.patient_id
        cov = primary.get(pid)
        order_cases = cases_by_order.get(oid, [])
        enrolled = by_patient_enroll.get(pid, [])
        # everything the rules below read, so that an unchanged order is not worked out again
        # one flat tuple of atomic values (counts before each list): hashed fast, and not
        # tracked by the garbage collector once it has seen it
        k: list[Any] = ["order", today, horizon, days_before]
        _rows_into(k, rows)
        if cov is None:
            k.append(None)
        else:
            k += cov
            k.append(latest_ver.get(cov.id))
            _rows_into(k, [verified[cov.id]] if cov.id in verified else [])
        _rows_into(k, lines.get(oid, ()))
        k.append(len(order_cases))
        for cid in order_cases:
            k += case_rows[cid]
            _rows_into(k, case_lines.get(cid, ()))
            _rows_into(k, used_rows.get(cid, ()))
            _rows_into(k, events.get(cid, ()))
            kinds = sorted(documents.get(cid, ()))
            k.append(len(kinds))
            k += kinds
        given = sorted(printed.get(pid, {}).items())
        k.append(len(given))
        for kind, days_given in given:
            k.append(kind)
            k.append(len(days_given))
            k += days_given
        k.append(len(enrolled))
        for r in enrolled:
            k += r
            k.append(drawn.get(r.id))
        key = tuple(k)
        ident = ("order", oid)
        done = memo.get(ident, key)
        if done is None:
            name = names(first.last_name, first.first_name)
            payer = cov.payer if cov is not None else SELF_PAY
            facts = _order_facts(
                first,
                cov,
                lines.get(oid, []),
                [
                    (cid, state_of(cid), case_rows[cid], usages_of(cid))
                    for cid in order_cases
                    if cov is not None and case_rows[cid].coverage_id == cov.id
                ],
                {cid: frozenset(documents.get(cid, ())) for cid in order_cases},
                latest_ver,
                verified,
                rows,
                days_before,
                today,
                printed.get(pid, {}),
                [_grant(r, drawn) for r in enrolled if _applies(r, first)],
            )
            blockers = dw.order_blockers(
                [dw.VisitFacts(r.id, r.on, r.status, r.scheduled_on) for r in rows],
                facts,
                today=today,
            )
            done = (
                tuple(
                    dw.VisitRow(
                        visit_id=r.id,
                        patient_id=pid,
                        patient_name=name,
                        mrn=r.mrn,
                        on=r.on,
                        order_id=oid,
                        drug=r.drug_name,
                        site=r.site_of_care,
                        payer=payer,
                        status=r.status,
                        blockers=blockers[r.id],
                    )
                    for r in rows
                ),
                tuple(_visit_tasks(facts, rows, blockers, name, payer, horizon)),
            )
            memo.put(ident, key, done)
        visits_out += done[0]
        tasks += done[1]
    if unrecorded_days:
        visits_out += _unrecorded(g, today - timedelta(days=unrecorded_days), names)

    # --- tasks from the cases and the enrollments ---------------------------------------------
    # a case's reminders are remembered with every value they read (its row, lines, usages
    # and events: tuples of atomic values, that the garbage collector stops tracking)
    for cid, r in case_rows.items():
        if r.state not in _REMINDING:
            continue
        lines_of = tuple(case_lines.get(cid, ()))
        used = tuple(used_rows.get(cid, ()))
        ident = ("case", cid)
        case_key = (tuple(r), lines_of, used, tuple(events.get(cid, ())))
        found = memo.get(ident, case_key)
        if found is None:
            # the window's orders' cases too: what they block is the visits' business
            if _may_remind(r, horizon, reauth_by, lines_of, used):
                found = tuple(
                    _case_tasks(cid, r, state_of(cid), usages_of(cid), today, horizon, names)
                )
            else:
                found = ()
            memo.put(ident, case_key, found)
        tasks += found
    for eid, e in renewing.items():
        due = min(x for x in (e.reenroll_on, e.expires) if x is not None)
        word = "Re-enroll by" if e.reenroll_on is not None and due == e.reenroll_on else "Expires"
        tasks.append(
            dw.Task(
                key=f"reenroll:{eid}:{due.isoformat()}",
                kind=dw.TaskKind.REENROLLMENT_DUE,
                text=f"{e.d_name}: {word.lower()} {us_date(due)} — renew the enrollment.",
                due=due,
                patient_id=e.patient_id,
                patient_name=names(e.last_name, e.first_name),
                payer=(primary[e.patient_id].payer if e.patient_id in primary else ""),
                assignee=None,
                status=dw.TaskStatus.OPEN,
                target=dw.Target("assistance", e.patient_id, eid),
            )
        )

    memo.done(partial=only is not None)
    return visits_out, tasks


def _finish(
    session: Session, visits: list[dw.VisitRow], bare: list[dw.Task]
) -> tuple[dw.Worklist, tuple[dw.Task, ...]]:
    """The worklist of these visit rows and tasks, in order, with the tasks' assignments;
    and the tasks in order without them (for catching up later)."""
    visits.sort(key=_visit_key)
    bare.sort(key=_due_key)
    bare = _one_per_key(bare)
    tasks = _with_assignments(session, bare)
    return dw.Worklist(tuple(visits), tuple(tasks), dw.counts(visits, tasks)), tuple(bare)


def _one_per_key(tasks: list[dw.Task]) -> list[dw.Task]:
    """The first of the tasks that share a key (in order: the one due first), alone: two
    orders of a patient drawing on one grant both raise its low-balance task, but it is one
    thing to do, assigned and marked done as one (by its key)."""
    seen: set[str] = set()
    out: list[dw.Task] = []
    for t in tasks:
        if t.key not in seen:
            seen.add(t.key)
            out.append(t)
    return out


def _unrecorded(g: _Window, since: date, names: _Names) -> list[dw.VisitRow]:
    """The visits from ``since`` to the day before the window that are still planned or
    arrived, each blocked as not recorded (no other rule runs on a day gone by), with the
    primary payer current on its day."""
    today = g.today
    stmt = (
        select(
            PlannedVisit.id,
            PlannedVisit.on,
            PlannedVisit.status,
            PlannedVisit.order_id,
            TherapyOrder.patient_id,
            TherapyOrder.drug_name,
            TherapyOrder.site_of_care,
            Patient.mrn,
            Patient.last_name,
            Patient.first_name,
        )
        .join(TherapyOrder, TherapyOrder.id == PlannedVisit.order_id)
        .join(Patient, Patient.id == TherapyOrder.patient_id)
        .where(
            PlannedVisit.on >= since,
            PlannedVisit.on < today,
            PlannedVisit.status.in_(sorted(dw.ACTIVE)),
        )
    )
    if g.only is not None:
        stmt = stmt.where(TherapyOrder.patient_id.in_(g.only))
    rows = g.rows(stmt)
    if not rows:
        return []
    covs: dict[int, list[Any]] = defaultdict(list)
    for r in g.rows(
        select(
            Coverage.id,
            Coverage.patient_id,
            Coverage.effective_on,
            Coverage.terminates_on,
            Payer.name.label("payer"),
        )
        .join(Payer, Payer.id == Coverage.payer_id)
        .where(
            Coverage.status == "active",
            Coverage.rank == 1,
            Coverage.effective_on < today,
            Coverage.patient_id.in_(sorted({r.patient_id for r in rows})),
        )
    ):
        covs[r.patient_id].append(r)

    def payer_on(pid: int, day: date) -> str:
        best = None
        for c in covs.get(pid, ()):
            if c.effective_on <= day and (c.terminates_on is None or c.terminates_on >= day):
                best = _newest(best, c)
        return best.payer if best is not None else SELF_PAY

    return [
        dw.VisitRow(
            visit_id=r.id,
            patient_id=r.patient_id,
            patient_name=names(r.last_name, r.first_name),
            mrn=r.mrn,
            on=r.on,
            order_id=r.order_id,
            drug=r.drug_name,
            site=r.site_of_care,
            payer=payer_on(r.patient_id, r.on),
            status=r.status,
            blockers=(dw.not_recorded(r.patient_id, r.on, r.status, today),),
        )
        for r in rows
    ]


_TASK_OF_REMINDER = dw.TASK_OF_REMINDER
_REMINDING = frozenset(x.value for x in pa.OPEN_STATES)


def _case_tasks(
    cid: int,
    r: Any,
    st: pa.CaseState,
    used: Sequence[pa.Usage],
    today: date,
    horizon: date,
    names: _Names,
) -> Iterator[dw.Task]:
    """The tasks of a case: its reminders due by the window's last day."""
    target = dw.Target("prior_auth", r.patient_id, cid, r.coverage_id, r.order_id)
    name = names(r.last_name, r.first_name)
    for rem in pa.reminders(st, today=today, usages=used, payer_appeal_days=r.payer_days):
        if rem.due_on <= horizon:
            yield dw.Task(
                f"pa-{rem.kind.value}:{cid}:{rem.due_on.isoformat()}",
                _TASK_OF_REMINDER[rem.kind],
                rem.text,
                rem.due_on,
                r.patient_id,
                name,
                r.payer,
                None,
                dw.TaskStatus.OPEN,
                target,
            )


def _rows_into(key: list[Any], rows: Sequence[Sequence[Any]]) -> None:
    """Rows of one width added to a flat key: their number, then their values."""
    key.append(len(rows))
    for row in rows:
        key += row


def _visit_key(v: dw.VisitRow) -> tuple[date, str, int]:
    return (v.on, v.patient_name, v.visit_id)


class _Memo:
    """What the rules made of one order's visits or one case's reminders, kept from one build
    to the next under a key holding every value they read (the rows themselves): a refresh
    works out again only what changed. Pure, immutable results, kept per window (the day and
    the last day shown) for the :data:`WINDOWS` windows built last; each build keeps only the
    entries it used, so the memo never outgrows one build per window."""

    WINDOWS = 2  # e.g. the Worklist's days and the one-day summary

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.windows: OrderedDict[tuple[date, date], dict[Any, Any]] = OrderedDict()

    def begin(self, today: date, horizon: date) -> _MemoRun:
        with self.lock:
            return _MemoRun(self, (today, horizon), self.windows.get((today, horizon), {}))

    def keep(self, window: tuple[date, date], used: dict[Any, Any]) -> None:
        with self.lock:
            self.windows[window] = used
            self.windows.move_to_end(window)
            while len(self.windows) > self.WINDOWS:
                self.windows.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.windows.clear()


class _MemoRun:
    """One build's use of the memo: what it finds from the last build of its window, and
    what it used (found or made), kept for the next one by :meth:`done`. Entries are filed
    under what they are of, ("order", id) or ("case", id), with the key they were made for:
    a key is compared as it is (a tuple of atomic values, compared in C), never hashed."""

    def __init__(self, memo: _Memo, window: tuple[date, date], old: dict[Any, Any]) -> None:
        self.memo = memo
        self.window = window
        self.old = old
        self.used: dict[Any, Any] = {}

    def get(self, ident: tuple[str, int], key: tuple[Any, ...]) -> Any:
        """What was remembered for ``ident`` under the same key, or None."""
        entry = self.old.get(ident)
        if entry is not None and entry[0] == key:
            self.used[ident] = entry
            return entry[1]
        return None

    def put(self, ident: tuple[str, int], key: tuple[Any, ...], value: Any) -> None:
        self.used[ident] = (key, value)

    def done(self, *, partial: bool = False) -> None:
        """Keep what this build used; a build of some patients only keeps the rest too."""
        self.memo.keep(self.window, {**self.old, **self.used} if partial else self.used)


_MEMO = _Memo()


class _NoMemo:
    """A build that remembers nothing and finds nothing (:func:`build_afresh`)."""

    def get(self, ident: tuple[str, int], key: tuple[Any, ...]) -> Any:
        return None

    def put(self, ident: tuple[str, int], key: tuple[Any, ...], value: Any) -> None:
        pass

    def done(self, *, partial: bool = False) -> None:
        pass


def forget_worked_out() -> None:
    """Empty the memo of worked-out orders and cases, and forget the last worklists built (a
    first build after start; tests)."""
    _MEMO.clear()
    _LAST.clear()


def _due_key(t: dw.Task) -> tuple[date, str, int, int, str]:
    """Due first; a total order (two orders of a patient may both raise a grant's low-balance
    task, same key and day), so that a build that caught up lists them as one worked out
    afresh, whatever order the rows came in."""
    return (t.due, t.key, t.patient_id, t.target.order_id or 0, t.text)


class _Names:
    """Filed names, each worked out once per build (a patient has a visit and cases)."""

    def __init__(self) -> None:
        self.seen: dict[tuple[str, str], str] = {}

    def __call__(self, last: str, first: str) -> str:
        key = (last, first)
        name = self.seen.get(key)
        if name is None:
            if last.isascii() and first.isascii():  # no CJK: filed_name's "Last, First"
                name = (f"{last}, {first}" if last and first else last or first).strip()
            else:
                name = filed_name(last, first)
            self.seen[key] = name
        return name


_APPROVED = frozenset(s.value for s in pa.APPROVAL_STATES)
_NEVER_REMINDS = frozenset(s.value for s in (pa.State.DRAFT, pa.State.EXPIRED, pa.State.CANCELLED))
_DECIDING = frozenset((pa.State.SUBMITTED.value, pa.State.PENDING.value))
_PENDING = pa.State.PENDING.value
_APPEAL_SUBMITTED = pa.State.APPEAL_SUBMITTED.value
_DENIED = pa.State.DENIED.value


def _may_remind(
    r: Any,
    horizon: date,
    reauth_by: date,
    lines: Sequence[tuple[str, int]],
    used: Sequence[tuple[date, str, int, bool]],
) -> bool:
    """Whether a case can have a reminder due by the window's last day (a cheap necessary
    condition, so the rules run only on those; :func:`infudesk.domain.prior_auth.reminders`
    decides): a request or an appeal whose decision is due by then (:func:`~infudesk.domain.
    prior_auth.decision_due`, :func:`~infudesk.domain.prior_auth.appeal_decision_due`), a
    pending one whose follow-up is, a denial whose appeal deadline is (the same
    :func:`~infudesk.domain.prior_auth.appeal_window` from the letter's, the payer's or the
    plan type's days), any other open case but an approval, and an approval ending within
    the reauthorization notice of the window's end or with few visits or units left."""
    state = r.state
    if state in _NEVER_REMINDS:
        return False
    if state in _DECIDING:  # follow-up (pending) and the payer's decision
        if state == _PENDING and r.follow_up is not None and r.follow_up <= horizon:
            return True
        return r.submitted_on is not None and (
            pa.decision_due(r.submitted_on, r.plan_type, r.urgent) <= horizon
        )
    if state == _APPEAL_SUBMITTED:
        return r.appeal_submitted_on is not None and (
            pa.appeal_decision_due(r.appeal_submitted_on, r.urgent) <= horizon
        )
    if state == _DENIED:
        if r.denied_on is None:
            return False
        window = pa.appeal_window(r.plan_type, payer_days=r.payer_days, letter_days=r.appeal_days)
        return pa.appeal_deadline(r.denied_on, window.days) <= horizon
    if state not in _APPROVED or r.end_on is None or r.end_on <= reauth_by:
        return True
    visits = r.approved_visits
    if visits is None or visits < 1:
        return False  # low units are checked only with a visit limit
    if visits - sum(1 for u in used if u[3]) <= 1:
        return True
    approved: dict[str, int] = {}
    for code, units in lines:
        key = code.strip().upper()
        approved[key] = approved.get(key, 0) + units
    spent: dict[str, int] = {}
    for _on, code, units, _visit in used:
        key = code.strip().upper()
        spent[key] = spent.get(key, 0) + units
    return any(units - spent.get(code, 0) < units // visits for code, units in approved.items())


def _applies(r: Any, order: Any) -> bool:
    """Whether a program pays for this order's drug (no drugs listed: any)."""
    drugs = {x.strip().casefold() for x in r.d_drugs.split(",") if x.strip()}
    return not drugs or bool(drugs & {order.drug_hcpcs.casefold(), order.drug_name.casefold()})


def _grant(r: Any, drawn: dict[int, Decimal]) -> dw.GrantState:
    e = r
    left: Decimal | None = None
    if e.d_kind == "foundation_grant":
        left = e.balance if e.balance is not None else Decimal(0)
    elif e.d_kind == "copay_card" and e.d_annual_max is not None:
        left = e.d_annual_max - e.used
    per_visit = drawn.get(e.id)
    if e.d_per_visit_max is not None:
        per_visit = min(per_visit, e.d_per_visit_max) if per_visit is not None else None
    return dw.GrantState(
        enrollment_id=e.id,
        name=e.d_name,
        status=e.status,
        expires=e.expires,
        reenroll_on=e.reenroll_on,
        left=left,
        per_visit=per_visit,
    )


def _order_facts(
    first: Any,
    cov: Any,
    order_lines: list[tuple[str, int, str]],
    cases: list[tuple[int, pa.CaseState, PriorAuthCase, list[pa.Usage]]],
    documents: dict[int, frozenset[str]],
    latest_ver: dict[int, int],
    verified: dict[int, tuple[date, int, str]],
    rows: list[Any],
    days_before: int,
    today: date,
    printed: dict[str, list[date]],
    grants: list[dw.GrantState],
) -> dw.OrderFacts:
    per_visit: dict[str, int] = {}
    codes: list[str] = []
    for code, units, kind in order_lines:
        per_visit[code] = per_visit.get(code, 0) + int(units)
        if kind == "drug" and code not in codes:
            codes.append(code)
    verification = None
    if cov is not None:
        ver = verified.get(cov.id)
        due = dv.due(
            dv.DueInputs(
                today=today,
                verified_on=ver[0] if ver else None,
                plan_year_start=cov.plan_year_start,
                coverage_effective=cov.effective_on,
                coverage_termination=cov.terminates_on,
                coverage_changed_on=cov.changed_on,
                order_changed_on=first.changed_on,
                planned_visits=tuple(r.on for r in rows if r.status == "planned"),
                days_before_visit=days_before,
            )
        )
        verification = rd.VerificationFacts(
            coverage_id=cov.id,
            verified_on=ver[0] if ver else None,
            due_on=due.due_on,
            pa_required=_pa_required(ver[2]) if ver else None,
        )
    auth_cases = tuple(
        rd.AuthCase(
            case_id=cid,
            state=st.state,
            site=(st.approval.site if st.approval else "") or row.site or first.site_of_care,
            approval=st.approval,
            usages=tuple(u),
            denied_on=st.denied_on,
            site_of_care_denial=st.denied_on is not None
            and rd.is_site_of_care_denial(st.denial_reason),
        )
        for cid, st, row, u in cases
    )
    return dw.OrderFacts(
        patient_id=first.patient_id,
        order_id=first.order_id,
        site=first.site_of_care,
        insured=cov is not None,
        coverage_id=cov.id if cov is not None else None,
        coverage_ends=cov.terminates_on if cov is not None else None,
        codes=tuple(codes),
        units_per_visit=per_visit,
        verification=verification,
        verification_id=latest_ver.get(cov.id) if cov is not None else None,
        cases=auth_cases,
        documents=documents,
        estimates=tuple(printed.get("estimates", ())),
        gfes=tuple(printed.get("gfes", ())),
        grants=tuple(grants),
    )


def _pa_required(answers: str) -> bool | None:
    try:
        answer = str(json.loads(answers).get("pa_required", "")).strip().lower()
    except (ValueError, AttributeError):
        return None
    if answer in ("no", "n", "false"):
        return False
    if answer in ("yes", "y", "true"):
        return True
    return None


def _visit_tasks(
    facts: dw.OrderFacts,
    rows: list[Any],
    blockers: dict[int, tuple[dw.Blocker, ...]],
    name: str,
    payer: str,
    horizon: date,
) -> list[dw.Task]:
    """The tasks a window's visits raise: verification due, estimate due, assistance low
    (one per order and kind, due by the first visit it blocks)."""
    out: dict[str, dw.Task] = {}
    v = facts.verification
    if facts.insured and v is not None and (v.verified_on is None or v.due_on is not None):
        due = v.due_on or min(r.on for r in rows)
        if due <= horizon:
            key = f"verify:{facts.coverage_id}:{facts.order_id}:{due.isoformat()}"
            out[key] = dw.Task(
                key=key,
                kind=dw.TaskKind.VERIFICATION_DUE,
                text=(
                    "Benefits never verified."
                    if v.verified_on is None
                    else f"Benefits verified {us_date(v.verified_on)}; verify again by "
                    f"{us_date(due)}."
                ),
                due=due,
                patient_id=facts.patient_id,
                patient_name=name,
                payer=payer,
                assignee=None,
                status=dw.TaskStatus.OPEN,
                target=dw.Target(
                    "verification",
                    facts.patient_id,
                    facts.verification_id,
                    facts.coverage_id,
                    facts.order_id,
                ),
            )
    for r in sorted(rows, key=lambda r: (r.on, r.id)):
        for b in blockers[r.id]:
            if b.kind in (dw.BlockerKind.ESTIMATE_MISSING, dw.BlockerKind.GFE_DUE):
                due = r.on
                if b.kind is dw.BlockerKind.GFE_DUE and r.scheduled_on is not None:
                    due = dw.gfe_deadline(r.scheduled_on, r.on) or r.on
                key = f"estimate:{facts.order_id}:{r.id}"
                kind = dw.TaskKind.ESTIMATE_DUE
            elif b.kind is dw.BlockerKind.ASSISTANCE_LOW:
                due = r.on
                key = f"assistance-low:{b.target.record_id}"
                kind = dw.TaskKind.ASSISTANCE_LOW
            else:
                continue
            if due > horizon or any(t.kind is kind for t in out.values()):
                continue
            out[key] = dw.Task(
                key=key,
                kind=kind,
                text=b.text,
                due=due,
                patient_id=facts.patient_id,
                patient_name=name,
                payer=payer,
                assignee=None,
                status=dw.TaskStatus.OPEN,
                target=b.target,
            )
    return list(out.values())


def _with_assignments(session: Session, tasks: list[dw.Task]) -> list[dw.Task]:
    if not tasks:
        return tasks
    saved = {
        k: (a, s)
        for k, a, s in session.execute(select(WorkTask.key, WorkTask.assignee, WorkTask.status))
    }
    out = []
    for t in tasks:
        a_s = saved.get(t.key)
        if a_s is None:
            out.append(t)
        else:
            out.append(
                dw.Task(
                    t.key,
                    t.kind,
                    t.text,
                    t.due,
                    t.patient_id,
                    t.patient_name,
                    t.payer,
                    a_s[0],
                    a_s[1],
                    t.target,
                )
            )
    return out


def _task_row(session: Session, actor: Actor, key: str) -> WorkTask:
    if not key or len(key) > 80:
        raise ValidationFailed({"key": "Unknown task."})
    lock_writers(session)
    row = session.get(WorkTask, key)
    if row is None:
        row = WorkTask(key=key, assignee=None, status=dw.TaskStatus.OPEN, updated_by=actor.name)
        session.add(row)
    return row


def assignable_staff(session: Session, actor: Actor) -> tuple[tuple[str, str], ...]:
    """Whom a task can be given to: (username, display name) of every active staff member.
    Anyone who may work the worklist may read this short list (not the Staff screen's)."""
    require(actor, Permission.WORKLIST)
    rows = session.execute(
        select(Staff.username, Staff.display_name)
        .where(Staff.active.is_(True))
        .order_by(Staff.display_name, Staff.username)
    ).all()
    return tuple((u, d or u) for u, d in rows)


def assign_task(session: Session, actor: Actor, key: str, assignee: str | None) -> None:
    """Give the task to a staff member (their username), or take it from whoever has it.
    The signed-in person may always take a task, staff account or not (the demo's clerk)."""
    require(actor, Permission.WORKLIST)
    if assignee is not None:
        assignee = assignee.strip().casefold()
        if assignee != actor.name.strip().casefold() and not session.scalar(
            select(Staff.id).where(Staff.username == assignee, Staff.active.is_(True))
        ):
            raise ValidationFailed({"assignee": "Choose an active staff member."})
    row = _task_row(session, actor, key)
    row.assignee = assignee
    row.updated_by = actor.name
    session.flush()
    audit.record(session, actor, "assign", "task", None, detail={"key": key, "to": assignee})


def set_task_status(session: Session, actor: Actor, key: str, status: str) -> None:
    """Mark the task done, or open again."""
    require(actor, Permission.WORKLIST)
    if status not in tuple(dw.TaskStatus):
        raise ValidationFailed({"status": "A task is open or done."})
    row = _task_row(session, actor, key)
    row.status = status
    row.updated_by = actor.name
    session.flush()
    audit.record(session, actor, "task:" + status, "task", None, detail={"key": key})


# --- the start-of-day summary -------------------------------------------------------------------

STATE_WORDS = {"arrived": "Arrived", "given": "Given", "cancelled": "Cancelled"}


def day_summary_data(session: Session, actor: Actor, day: date) -> DaySummaryData:
    """The day's visits (by patient name) with their state, for the one-page summary."""
    from infudesk.documents.data import DaySummaryData, DayVisitLine
    from infudesk.services import letters

    wl = build(session, actor, day, days=1)
    lines = tuple(
        DayVisitLine(
            patient_name=v.patient_name,
            mrn=v.mrn,
            drug=v.drug,
            payer=v.payer,
            ready=v.ready and v.status not in ("cancelled",),
            state=STATE_WORDS.get(v.status) or ("Ready" if v.ready else f"{len(v.blockers)} to do"),
            details=tuple(b.text for b in v.blockers),
        )
        for v in sorted(wl.visits, key=lambda v: (v.ready, v.patient_name, v.visit_id))
        if v.on == day  # not the days before that nobody recorded
    )
    open_tasks = sum(1 for t in wl.tasks if t.status == dw.TaskStatus.OPEN)
    return DaySummaryData(letters.letterhead(session), day, lines, open_tasks)


def day_summary_pdf(session: Session, actor: Actor, day: date) -> bytes:
    """The start-of-day summary as a one-page PDF (its making is kept in the audit trail)."""
    from infudesk import documents

    data = day_summary_data(session, actor, day)
    out = io.BytesIO()
    documents.build(data, out)
    audit.record(
        session,
        actor,
        "render",
        "document",
        None,
        detail={"kind": "day-summary", "day": day.isoformat(), "visits": len(data.visits)},
    )
    return out.getvalue()
