"""The fast worklist build (bulk queries filtered in SQL, a memo of worked-out orders and cases,
pre-filters on the cases) gives exactly what the rules give when applied one visit at a time
with plain per-record queries, on the demo's generated morning (every readiness state), over
several days and window sizes, before and after the data changes (so a remembered result is
never served for changed data)."""

# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from infudesk.domain import prior_auth as pa
from infudesk.domain import worklist as dw
from infudesk.domain.patients import filed_name
from infudesk.domain.verification import Status as VerificationStatus
from infudesk.domain.verification import us_date
from infudesk.paths import DataPaths
from infudesk.services import letters, settings
from infudesk.services import visits as vsv
from infudesk.services import worklist as wsv
from infudesk.services.access import Role
from infudesk.services.audit import Actor
from infudesk.services.prior_auths import _case_state
from infudesk.store.database import Store
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
    TherapyOrder,
    Verification,
    WorkTask,
)
from tests.conftest import TODAY, MemoryKeyring
from tests.seeded import Template, copy_template, seed_template

DESK = Actor("desk.one", role=Role.FRONT_DESK.value)


@pytest.fixture(scope="module")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    return seed_template(tmp_path_factory, "worklist-reference")


@pytest.fixture
def paths(data_dir: Path, memory_keyring: MemoryKeyring, seeded_template: Template) -> DataPaths:
    return copy_template(seeded_template, data_dir, memory_keyring)


# --- the reference: one visit at a time, one record at a time ---------------------------------


def _primary(s: Session, patient_id: int, today: date, horizon: date) -> Any:
    covs = [
        c
        for c in s.scalars(
            select(Coverage).where(Coverage.patient_id == patient_id, Coverage.status == "active")
        )
        if c.rank == 1
        and c.effective_on <= horizon
        and (c.terminates_on is None or c.terminates_on >= today)
    ]
    return max(covs, key=lambda c: (c.effective_on, c.id), default=None)


def _case_of(s: Session, c: PriorAuthCase) -> tuple[pa.CaseState, list[pa.Usage], Any]:
    cov = s.get(Coverage, c.coverage_id)
    assert cov is not None
    events = [
        (e.on, e.by, e.action, e.from_state, e.to_state, e.note)
        for e in s.scalars(
            select(PriorAuthEvent).where(PriorAuthEvent.case_id == c.id).order_by(PriorAuthEvent.id)
        )
    ]
    lines = [
        (ln.code, ln.units)
        for ln in s.scalars(
            select(PriorAuthLine).where(PriorAuthLine.case_id == c.id).order_by(PriorAuthLine.id)
        )
    ]
    usages = [
        pa.Usage(u.on, u.code, u.units, u.visit)
        for u in s.scalars(
            select(PriorAuthUsage).where(PriorAuthUsage.case_id == c.id).order_by(PriorAuthUsage.id)
        )
    ]
    return _case_state(c, events, lines, cov.plan_type), usages, cov


def _facts_for_visit(
    s: Session, v: PlannedVisit, today: date, end: date
) -> tuple[dw.OrderFacts, list[Any], Any, Any]:
    """The facts of the visit's order, read record by record for this visit alone."""
    horizon = end - timedelta(days=1)
    order = s.get(TherapyOrder, v.order_id)
    assert order is not None
    patient = s.get(Patient, order.patient_id)
    assert patient is not None
    siblings = [
        _VisitRow(x, order, patient)
        for x in s.scalars(
            select(PlannedVisit).where(
                PlannedVisit.order_id == order.id, PlannedVisit.on >= today, PlannedVisit.on < end
            )
        )
    ]
    cov = _primary(s, patient.id, today, horizon)
    latest_ver: dict[int, int] = {}
    verified: dict[int, tuple[date, int, str]] = {}
    cases: list[tuple[int, pa.CaseState, Any, list[pa.Usage]]] = []
    documents: dict[int, frozenset[str]] = {}
    for c in s.scalars(
        select(PriorAuthCase).where(PriorAuthCase.order_id == order.id).order_by(PriorAuthCase.id)
    ):
        documents[c.id] = frozenset(
            d.kind
            for d in s.scalars(select(PriorAuthDocument).where(PriorAuthDocument.case_id == c.id))
            if not d.removed
        )
        if cov is not None and c.coverage_id == cov.id:
            st, used, _ = _case_of(s, c)
            cases.append((c.id, st, c, used))
    if cov is not None:
        vers = list(s.scalars(select(Verification).where(Verification.coverage_id == cov.id)))
        if vers:
            latest_ver[cov.id] = max(x.id for x in vers)
        done = [
            x
            for x in vers
            if x.status == VerificationStatus.VERIFIED and x.completed_on is not None
        ]
        if done:
            best = max(done, key=lambda x: (x.completed_on, x.id))
            assert best.completed_on is not None
            verified[cov.id] = (best.completed_on, best.id, best.answers)
    printed: dict[str, list[date]] = defaultdict(list)
    for e in s.scalars(
        select(AuditEvent).where(
            AuditEvent.patient_id == patient.id,
            AuditEvent.action.in_(("document:print", "document:save")),
        )
    ):
        try:
            kind = json.loads(e.detail).get("kind", "")
        except (ValueError, AttributeError):
            continue
        if kind in wsv.ESTIMATE_KINDS:
            printed[wsv.ESTIMATE_KINDS[kind]].append(e.at.astimezone().date())
    grants = []
    for en in s.scalars(
        select(AssistanceEnrollment)
        .where(AssistanceEnrollment.patient_id == patient.id, AssistanceEnrollment.active.is_(True))
        .order_by(AssistanceEnrollment.id)
    ):
        prog = s.get(AssistanceDirectoryEntry, en.program_id)
        assert prog is not None
        row = _EnrollRow(en, prog)
        total, n = s.execute(
            select(
                func.sum(AssistanceUsage.amount),
                func.count(func.distinct(AssistanceUsage.planned_visit_id)),
            ).where(AssistanceUsage.enrollment_id == en.id)
        ).one()
        drawn = {en.id: Decimal(total) / n} if n else {}
        if wsv._applies(row, siblings[0]):
            grants.append(wsv._grant(row, drawn))
    days_before = int(settings.get(s, "verification.days_before_visit"))
    cov_row = None
    if cov is not None:
        payer = s.get(Payer, cov.payer_id)
        assert payer is not None
        cov_row = _CovRow(cov, payer.name)
    facts = wsv._order_facts(
        siblings[0],
        cov_row,
        [
            (ln.code, ln.units, ln.kind)
            for ln in s.scalars(select(OrderLine).where(OrderLine.order_id == order.id))
        ],
        cases,
        documents,
        latest_ver,
        verified,
        siblings,
        days_before,
        today,
        printed,
        grants,
    )
    return facts, siblings, cov_row, patient


class _VisitRow:
    def __init__(self, v: PlannedVisit, o: TherapyOrder, p: Patient) -> None:
        self.id, self.on, self.status, self.scheduled_on = v.id, v.on, v.status, v.scheduled_on
        self.order_id, self.patient_id = o.id, o.patient_id
        self.drug_name, self.drug_hcpcs = o.drug_name, o.drug_hcpcs
        self.site_of_care, self.changed_on = o.site_of_care, o.changed_on
        self.mrn, self.last_name, self.first_name = p.mrn, p.last_name, p.first_name


class _CovRow:
    def __init__(self, c: Coverage, payer: str) -> None:
        self.id, self.patient_id, self.payer = c.id, c.patient_id, payer
        self.effective_on, self.terminates_on = c.effective_on, c.terminates_on
        self.plan_year_start, self.changed_on, self.plan_type = (
            c.plan_year_start,
            c.changed_on,
            c.plan_type,
        )


class _EnrollRow:
    def __init__(self, e: AssistanceEnrollment, d: AssistanceDirectoryEntry) -> None:
        self.id, self.patient_id, self.status = e.id, e.patient_id, e.status
        self.used, self.balance, self.expires, self.reenroll_on = (
            e.used,
            e.balance,
            e.expires,
            e.reenroll_on,
        )
        self.d_kind, self.d_name, self.d_drugs = d.kind, d.name, d.drugs
        self.d_per_visit_max, self.d_annual_max = d.per_visit_max, d.annual_max


def reference(s: Session, today: date, days: int) -> dw.Worklist:
    """The worklist as the rules give it, each visit on its own."""
    end = today + timedelta(days=days)
    horizon = end - timedelta(days=1)
    visits: list[dw.VisitRow] = []
    tasks: dict[str, dw.Task] = {}
    order_tasks_done: set[int] = set()
    for v in s.scalars(select(PlannedVisit).where(PlannedVisit.on >= today, PlannedVisit.on < end)):
        facts, siblings, cov, patient = _facts_for_visit(s, v, today, end)
        blockers = dw.order_blockers(
            [dw.VisitFacts(x.id, x.on, x.status, x.scheduled_on) for x in siblings],
            facts,
            today=today,
        )
        name = filed_name(patient.last_name, patient.first_name)
        payer = cov.payer if cov is not None else wsv.SELF_PAY
        order = siblings[0]
        visits.append(
            dw.VisitRow(
                v.id,
                patient.id,
                name,
                patient.mrn,
                v.on,
                v.order_id,
                order.drug_name,
                order.site_of_care,
                payer,
                v.status,
                blockers[v.id],
            )
        )
        if v.order_id not in order_tasks_done:  # an order's tasks are one per kind
            order_tasks_done.add(v.order_id)
            for t in wsv._visit_tasks(facts, siblings, blockers, name, payer, horizon):
                tasks[t.key] = t
    # every open case, each through the rules (no pre-filter)
    for c in s.scalars(select(PriorAuthCase).order_by(PriorAuthCase.id)):
        if pa.State(c.state) not in pa.OPEN_STATES:
            continue
        st, used, case_cov = _case_of(s, c)
        case_payer = s.get(Payer, case_cov.payer_id)
        patient = s.get(Patient, c.patient_id)
        assert case_payer is not None and patient is not None
        for rem in pa.reminders(
            st,
            today=today,
            usages=used,
            plan_type=case_cov.plan_type,
            payer_appeal_days=case_payer.appeal_days,
        ):
            if rem.due_on <= horizon:
                key = f"pa-{rem.kind.value}:{c.id}:{rem.due_on.isoformat()}"
                tasks[key] = dw.Task(
                    key,
                    dw.TASK_OF_REMINDER[rem.kind],
                    rem.text,
                    rem.due_on,
                    c.patient_id,
                    filed_name(patient.last_name, patient.first_name),
                    case_payer.name,
                    None,
                    dw.TaskStatus.OPEN,
                    dw.Target("prior_auth", c.patient_id, c.id, c.coverage_id, c.order_id),
                )
    notice = today + timedelta(days=dw.REENROLL_NOTICE_DAYS)
    for en in s.scalars(select(AssistanceEnrollment)):
        ends = [x for x in (en.reenroll_on, en.expires) if x is not None]
        if not (en.active and en.status == "approved" and ends and min(ends) <= notice):
            continue
        due = min(ends)
        prog = s.get(AssistanceDirectoryEntry, en.program_id)
        patient = s.get(Patient, en.patient_id)
        assert prog is not None and patient is not None
        word = "re-enroll by" if en.reenroll_on is not None and due == en.reenroll_on else "expires"
        cov = _primary(s, en.patient_id, today, horizon)
        payer_name = ""
        if cov is not None and any(v.patient_id == en.patient_id for v in visits):
            payer_row = s.get(Payer, cov.payer_id)
            assert payer_row is not None
            payer_name = payer_row.name
        key = f"reenroll:{en.id}:{due.isoformat()}"
        tasks[key] = dw.Task(
            key,
            dw.TaskKind.REENROLLMENT_DUE,
            f"{prog.name}: {word} {us_date(due)} — renew the enrollment.",
            due,
            en.patient_id,
            filed_name(patient.last_name, patient.first_name),
            payer_name,
            None,
            dw.TaskStatus.OPEN,
            dw.Target("assistance", en.patient_id, en.id),
        )
    for wt in s.scalars(select(WorkTask)):
        found = tasks.get(wt.key)
        if found is not None:
            tasks[wt.key] = dw.Task(
                found.key,
                found.kind,
                found.text,
                found.due,
                found.patient_id,
                found.patient_name,
                found.payer,
                wt.assignee,
                wt.status,
                found.target,
            )
    # the days before: visits nobody recorded, each blocked as such (its own day's payer)
    since = today - timedelta(days=dw.UNRECORDED_DAYS)
    for v in s.scalars(
        select(PlannedVisit).where(PlannedVisit.on >= since, PlannedVisit.on < today)
    ):
        if v.status not in dw.ACTIVE:
            continue
        order = s.get(TherapyOrder, v.order_id)
        assert order is not None
        patient = s.get(Patient, order.patient_id)
        assert patient is not None
        cov = _primary(s, patient.id, v.on, v.on)
        payer_row = s.get(Payer, cov.payer_id) if cov is not None else None
        visits.append(
            dw.VisitRow(
                v.id,
                patient.id,
                filed_name(patient.last_name, patient.first_name),
                patient.mrn,
                v.on,
                v.order_id,
                order.drug_name,
                order.site_of_care,
                payer_row.name if payer_row is not None else wsv.SELF_PAY,
                v.status,
                (dw.not_recorded(patient.id, v.on, v.status, today),),
            )
        )
    visits.sort(key=lambda x: (x.on, x.patient_name, x.visit_id))
    ordered = sorted(tasks.values(), key=lambda t: (t.due, t.key))
    return dw.Worklist(tuple(visits), tuple(ordered), dw.counts(visits, ordered))


# --- the comparison ---------------------------------------------------------------------------


def compare(store: Store, today: date, days: int) -> dw.Worklist:
    with store.session() as s:
        fast = wsv.build(s, DESK, today, days)
    with store.session() as s:
        slow = reference(s, today, days)
    assert [v.visit_id for v in fast.visits] == [v.visit_id for v in slow.visits]
    for a, b in zip(fast.visits, slow.visits, strict=True):
        assert a == b, a.visit_id
    assert [t.key for t in fast.tasks] == [t.key for t in slow.tasks]
    for ta, tb in zip(fast.tasks, slow.tasks, strict=True):
        assert ta == tb, ta.key
    assert dict(fast.counts) == dict(slow.counts)
    return fast


def test_fast_build_equals_the_rules_one_visit_at_a_time(store: Store) -> None:
    wsv.forget_worked_out()
    seen: set[dw.BlockerKind] = set()
    n_visits = n_tasks = 0
    for offset in (-2, 0, 3, 9):
        for days in (1, 14, 45):
            wl = compare(store, TODAY + timedelta(days=offset), days)
            seen |= {b.kind for v in wl.visits for b in v.blockers}
            n_visits += len(wl.visits)
            n_tasks += len(wl.tasks)
    # the generated morning really exercises the rules (not an empty comparison)
    assert n_visits > 100 and n_tasks > 100
    assert len(seen) >= 8, seen
    assert dw.BlockerKind.NOT_RECORDED in seen  # days gone by with visits nobody recorded


def test_remembered_results_follow_changes(store: Store) -> None:
    """A build after changes (a visit given, another cancelled, a cost letter printed, a task
    assigned) still equals the reference, the memo being warm from the build before."""
    wsv.forget_worked_out()
    before = compare(store, TODAY, 14)
    compare(store, TODAY, 14)  # all remembered
    blocked = [v for v in before.visits if v.status == "planned" and v.on >= TODAY and v.blockers]
    ready = [v for v in before.visits if v.status == "planned" and v.on >= TODAY and v.ready]
    assert blocked and ready
    with store.session() as s:
        vsv.cancel(s, DESK, blocked[0].visit_id, "Patient asked to move it")
    with store.session() as s:
        vsv.mark_given(s, DESK, ready[0].visit_id, reason="Given as ordered", today=ready[0].on)
    target = next(
        v
        for v in blocked
        if v.patient_id not in (blocked[0].patient_id, ready[0].patient_id)
        and dw.BlockerKind.ESTIMATE_MISSING in [b.kind for b in v.blockers]
    )
    with store.session() as s:
        letter = letters.Letter("cost-letter", target.patient_id, "t", "t.pdf", b"%PDF")
        letters.record_output(s, DESK, letter, action="print")
    with store.session() as s:
        wsv.assign_task(s, DESK, before.tasks[0].key, DESK.name)
    after = compare(store, TODAY, 14)
    changed = {v.visit_id: v for v in after.visits}
    assert changed[blocked[0].visit_id].status == "cancelled"
    assert changed[ready[0].visit_id].status == "given"
    kinds = [b.kind for b in changed[target.visit_id].blockers]
    assert dw.BlockerKind.ESTIMATE_MISSING not in kinds
    assert after.tasks != before.tasks


def test_memo_holds_only_what_the_last_builds_used(store: Store) -> None:
    """The memo never outgrows one build per window, for the last two windows built."""

    def entries() -> dict[tuple[date, date], int]:
        return {w: len(d) for w, d in wsv._MEMO.windows.items()}

    def build(today: date, days: int) -> dw.Worklist:
        with store.session() as s:
            return wsv.build(s, DESK, today, days)

    wsv.forget_worked_out()
    wl = build(TODAY, 14)
    first = entries()
    assert list(first) == [(TODAY, TODAY + timedelta(days=13))]
    with store.session() as s:
        n_cases = s.scalar(select(func.count()).select_from(PriorAuthCase)) or 0
    n_orders = len({v.order_id for v in wl.visits})
    assert n_orders < first[(TODAY, TODAY + timedelta(days=13))] <= n_orders + n_cases
    build(TODAY, 14)
    assert entries() == first  # the same entries, nothing added
    build(TODAY, 1)
    build(TODAY + timedelta(days=1), 14)
    assert list(entries()) == [
        (TODAY, TODAY),
        (TODAY + timedelta(days=1), TODAY + timedelta(days=14)),
    ]


# --- the last worklist kept under the change counter -------------------------------------------


def _status(wl: dw.Worklist, visit_id: int) -> str:
    return next(v.status for v in wl.visits if v.visit_id == visit_id)


def test_an_unchanged_database_returns_the_last_worklist(store: Store) -> None:
    """Nothing saved since: the same worklist at once (one query, the counter); a save by
    another session moves the counter and the next build equals the reference again."""
    wsv.forget_worked_out()
    first = compare(store, TODAY, 14)
    n = [0]

    def seen(*_a: object) -> None:
        n[0] += 1

    from sqlalchemy import event

    event.listen(store.engine, "before_cursor_execute", seen)
    try:
        with store.session() as s:
            again = wsv.build(s, DESK, TODAY, 14)
    finally:
        event.remove(store.engine, "before_cursor_execute", seen)
    assert again is first
    assert n[0] <= 3  # BEGIN, the counter, COMMIT: no row of the worklist read
    with store.session() as s:
        assert wsv.build(s, DESK, TODAY, 7) is not first  # another window: built
    planned = next(v for v in first.visits if v.status == "planned" and v.on >= TODAY)
    with store.session() as s:
        vsv.cancel(s, DESK, planned.visit_id, "Patient asked to move it")
    after = compare(store, TODAY, 14)
    assert _status(after, planned.visit_id) == "cancelled"


def test_a_rolled_back_build_is_never_reused(store: Store) -> None:
    """A build in a transaction that wrote sees its own change, but is not kept: rolled back,
    then another change saved (the counter at the value the first had inside), the build
    shows the saved change, not the rolled-back one."""
    wsv.forget_worked_out()
    before = compare(store, TODAY, 14)
    planned = [v for v in before.visits if v.status == "planned" and v.on >= TODAY]
    x, y = planned[0].visit_id, planned[1].visit_id
    s = store._factory()
    try:
        vsv.cancel(s, DESK, x, "Patient asked to move it")
        inside = wsv.build(s, DESK, TODAY, 14)
        assert _status(inside, x) == "cancelled"
        s.rollback()
    finally:
        s.close()
    with store.session() as s2:
        vsv.cancel(s2, DESK, y, "Patient asked to move it")
    after = compare(store, TODAY, 14)
    assert _status(after, x) == "planned"
    assert _status(after, y) == "cancelled"


def test_a_bulk_write_in_the_session_is_seen(store: Store) -> None:
    """A bulk UPDATE through the session does not move the counter: the build in that
    session sees it all the same (no worklist kept from before is served)."""
    from sqlalchemy import update

    wsv.forget_worked_out()
    before = compare(store, TODAY, 14)
    planned = next(v for v in before.visits if v.status == "planned" and v.on >= TODAY)
    s = store._factory()
    try:
        s.execute(
            update(PlannedVisit)
            .where(PlannedVisit.id == planned.visit_id)
            .values(status="cancelled")
        )
        assert _status(wsv.build(s, DESK, TODAY, 14), planned.visit_id) == "cancelled"
        s.rollback()
    finally:
        s.close()
    with store.session() as s:
        assert wsv.build(s, DESK, TODAY, 14) is before


def test_a_refresh_works_out_again_only_what_changed(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After one visit cancelled, a refresh runs the readiness rules on that visit's order
    only and no case's reminders again (the rest comes from the memo), and still equals the
    reference."""
    wsv.forget_worked_out()
    before = compare(store, TODAY, 14)
    calls = {"orders": 0, "cases": 0}
    order_blockers = dw.order_blockers
    case_tasks = wsv._case_tasks

    def counted_orders(*a: Any, **k: Any) -> Any:
        calls["orders"] += 1
        return order_blockers(*a, **k)

    def counted_cases(*a: Any, **k: Any) -> Any:
        calls["cases"] += 1
        return case_tasks(*a, **k)

    planned = next(v for v in before.visits if v.status == "planned" and v.on >= TODAY)
    with store.session() as s:
        vsv.cancel(s, DESK, planned.visit_id, "Patient asked to move it")
    with monkeypatch.context() as m:  # the build's own calls (not the reference's)
        m.setattr(dw, "order_blockers", counted_orders)
        m.setattr(wsv, "_case_tasks", counted_cases)
        with store.session() as s:
            refreshed = wsv.build(s, DESK, TODAY, 14)
    assert calls == {"orders": 1, "cases": 0}
    assert len({v.order_id for v in refreshed.visits}) > 10  # many orders, one worked out
    with monkeypatch.context() as m:  # a first build works every one out
        m.setattr(dw, "order_blockers", counted_orders)
        m.setattr(wsv, "_case_tasks", counted_cases)
        wsv.forget_worked_out()
        with store.session() as s:
            assert wsv.build(s, DESK, TODAY, 14) == refreshed
    upcoming = {v.order_id for v in refreshed.visits if v.on >= TODAY}  # not the unrecorded
    assert calls["orders"] == 1 + len(upcoming)
    assert calls["cases"] > 10
    after = compare(store, TODAY, 14)
    assert after == refreshed
    assert _status(after, planned.visit_id) == "cancelled"


# --- the cases' pre-filter at the window's edges ------------------------------------------------


def test_cases_at_the_edges_of_the_window(store: Store) -> None:
    """Cases of no window order, each with its one reminder due exactly on the window's last
    day (a task) or the day after (none): a decision, a follow-up, an appeal's decision, an
    appeal deadline (the letter's days, else the payer's or the plan type's), a
    reauthorization; an approval that ended the day before the window (overdue), and far
    approvals with few visits or units left (due today). The build (which skips cases that
    cannot remind by the last day) equals the reference, and has exactly the expected ones."""
    wsv.forget_worked_out()
    horizon = TODAY + timedelta(days=13)
    with store.session() as s:
        cov = s.scalars(
            select(Coverage).where(Coverage.status == "active").order_by(Coverage.id)
        ).first()
        assert cov is not None
        payer_days = s.scalar(select(Payer.appeal_days).where(Payer.id == cov.payer_id))
        decide = pa.decision_days(cov.plan_type, False)
        appeal = pa.appeal_window(cov.plan_type, payer_days=payer_days).days
        expected: dict[int, bool] = {}

        def case(due_by_horizon: bool, **values: Any) -> PriorAuthCase:
            row = PriorAuthCase(patient_id=cov.patient_id, coverage_id=cov.id, **values)
            s.add(row)
            s.flush()
            expected[row.id] = due_by_horizon
            return row

        for late in (0, 1):  # due on the last day, then the day after
            on_time = late == 0
            case(on_time, state="submitted", submitted_on=horizon - timedelta(days=decide - late))
            case(
                on_time,
                state="pending",
                follow_up=horizon + timedelta(days=late),
                submitted_on=horizon - timedelta(days=decide - 1),  # decision after the window
            )
            case(
                on_time,
                state="appeal_submitted",
                appeal_submitted_on=horizon - timedelta(days=30 - late),
            )
            case(
                on_time,
                state="appeal_submitted",
                urgent=True,
                appeal_submitted_on=horizon - timedelta(days=3 - late),
            )
            case(
                on_time,
                state="denied",
                denied_on=horizon - timedelta(days=45 - late),
                appeal_days=45,
            )
            case(on_time, state="denied", denied_on=horizon - timedelta(days=appeal - late))
            # the reauthorization: 60 days before the end, on the last day (or the day after)
            end = horizon + timedelta(days=60 + late)
            approved = case(
                on_time,
                state="approved",
                auth_number=f"EDGE{late}",
                approved_visits=4,
                start_on=TODAY - timedelta(days=30),
                end_on=end,
            )
            s.add(PriorAuthLine(case_id=approved.id, code="J1745", units=160))
        ended = case(
            True,
            state="approved",
            auth_number="ENDED",
            approved_visits=4,
            start_on=TODAY - timedelta(days=200),
            end_on=TODAY - timedelta(days=1),
        )
        s.add(PriorAuthLine(case_id=ended.id, code="J1745", units=160))
        far = horizon + timedelta(days=120)
        one_visit = case(
            True,
            state="approved",
            auth_number="ONEVISIT",
            approved_visits=1,
            start_on=TODAY - timedelta(days=30),
            end_on=far,
        )
        s.add(PriorAuthLine(case_id=one_visit.id, code="J1745", units=40))
        few_units = case(
            True,
            state="approved",
            auth_number="FEWUNITS",
            approved_visits=4,
            start_on=TODAY - timedelta(days=30),
            end_on=far,
        )
        s.add(PriorAuthLine(case_id=few_units.id, code=" j1745", units=160))
        s.add(
            PriorAuthUsage(
                case_id=few_units.id,
                on=TODAY - timedelta(days=20),
                code="J1745",
                units=130,
                visit=True,
            )
        )
        plenty = case(
            False,
            state="approved",
            auth_number="PLENTY",
            approved_visits=4,
            start_on=TODAY - timedelta(days=30),
            end_on=far,
        )
        s.add(PriorAuthLine(case_id=plenty.id, code="J1745", units=160))
        s.add(
            PriorAuthUsage(
                case_id=plenty.id,
                on=TODAY - timedelta(days=20),
                code="J1745",
                units=40,
                visit=True,
            )
        )
        split = case(  # one code on two lines: 160 approved, 130 used, 40 a visit
            True,
            state="approved",
            auth_number="SPLIT",
            approved_visits=4,
            start_on=TODAY - timedelta(days=30),
            end_on=far,
        )
        s.add_all(
            [
                PriorAuthLine(case_id=split.id, code="J1745", units=80),
                PriorAuthLine(case_id=split.id, code="J1745", units=80),
                PriorAuthUsage(
                    case_id=split.id,
                    on=TODAY - timedelta(days=20),
                    code="J1745",
                    units=130,
                    visit=True,
                ),
            ]
        )
        two_left = case(  # 4 visits, 2 given: two left, enough units
            False,
            state="approved",
            auth_number="TWOLEFT",
            approved_visits=4,
            start_on=TODAY - timedelta(days=30),
            end_on=far,
        )
        s.add(PriorAuthLine(case_id=two_left.id, code="J1745", units=400))
        one_left = case(  # 4 visits, 3 given: one left
            True,
            state="approved",
            auth_number="ONELEFT",
            approved_visits=4,
            start_on=TODAY - timedelta(days=30),
            end_on=far,
        )
        s.add(PriorAuthLine(case_id=one_left.id, code="J1745", units=400))
        for given, n in ((two_left, 2), (one_left, 3)):
            for k in range(n):
                s.add(
                    PriorAuthUsage(
                        case_id=given.id,
                        on=TODAY - timedelta(days=20 + k),
                        code="J1745",
                        units=40,
                        visit=True,
                    )
                )
        case(  # no visit limit: no units check, the end far ahead
            False,
            state="approved",
            auth_number="NOLIMIT",
            start_on=TODAY - timedelta(days=30),
            end_on=far,
        )
        case(  # approved on appeal, no end: the rules decide
            False,
            state="appeal_approved",
            auth_number="",
        )
    wl = compare(store, TODAY, 14)
    with_task = {t.target.record_id for t in wl.tasks if t.kind in _CASE_TASK_KINDS}
    assert {cid for cid, due in expected.items() if cid in with_task} == {
        cid for cid, due in expected.items() if due
    }
    for offset, days in ((-1, 14), (1, 14), (0, 15), (0, 13)):  # the edges move
        compare(store, TODAY + timedelta(days=offset), days)


_CASE_TASK_KINDS = frozenset(dw.TASK_OF_REMINDER.values())
