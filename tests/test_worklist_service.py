"""The worklist and visits services (issue 14) on the demo's showcase patients, on SQLite and
PostgreSQL: blockers per visit, tasks and their assignment, resolving a blocker, recording a
visit given (authorization units and grant balance go down), arrived, cancelled, rescheduled,
and a build whose number of queries does not grow with the visits."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from infudesk.domain import worklist as dw
from infudesk.domain.worklist import BlockerKind as K
from infudesk.errors import ValidationFailed
from infudesk.paths import DataPaths
from infudesk.services import assistance as asv
from infudesk.services import orders as ors
from infudesk.services import prior_auths as pas
from infudesk.services import staff as ssv
from infudesk.services import visits as vsv
from infudesk.services import worklist as wsv
from infudesk.services.access import PermissionDenied, Role
from infudesk.services.audit import Actor
from infudesk.store.database import Store
from infudesk.store.models import AssistanceUsage, AuditEvent, PlannedVisit, PriorAuthUsage
from tests.conftest import TODAY, MemoryKeyring
from tests.seeded import Template, copy_template, patient_id, seed_template
from tests.seeded import print_estimate as print_letter

DESK = Actor("desk.one", role=Role.FRONT_DESK.value)


@pytest.fixture(scope="module")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    return seed_template(tmp_path_factory, "worklist")


@pytest.fixture
def paths(data_dir: Path, memory_keyring: MemoryKeyring, seeded_template: Template) -> DataPaths:
    return copy_template(seeded_template, data_dir, memory_keyring)


def build(store: Store, today: date = TODAY, days: int = 14) -> dw.Worklist:
    with store.session() as s:
        return wsv.build(s, DESK, today, days)


def row(wl: dw.Worklist, patient_id: int) -> dw.VisitRow:
    return next(v for v in wl.visits if v.patient_id == patient_id and v.status == "planned")


def test_window_visits_have_their_blockers(store: Store) -> None:
    wl = build(store)
    assert all(v.on < TODAY + timedelta(days=14) for v in wl.visits)
    # before today: only the visits nobody recorded (the demo has one, about two weeks ago)
    gone_by = [v for v in wl.visits if v.on < TODAY]
    assert gone_by and all(
        v.on >= TODAY - timedelta(days=dw.UNRECORDED_DAYS)
        and v.status in dw.ACTIVE
        and [b.kind for b in v.blockers] == [K.NOT_RECORDED]
        for v in gone_by
    )
    assert [v.on for v in wl.visits] == sorted(v.on for v in wl.visits)
    medicare = row(wl, patient_id(store, "D0002"))
    assert [b.kind for b in medicare.blockers] == [K.ESTIMATE_MISSING]
    assert medicare.payer.startswith("Medicare")
    self_pay = row(wl, patient_id(store, "D0005"))
    assert self_pay.payer == "Self-pay"
    assert [b.kind for b in self_pay.blockers] == [K.GFE_DUE]
    pending = row(wl, patient_id(store, "D0003"))
    assert K.PA_PENDING in [b.kind for b in pending.blockers]
    pa_block = next(b for b in pending.blockers if b.kind is K.PA_PENDING)
    assert pa_block.target.screen == "prior_auth" and pa_block.target.record_id is not None
    assert wl.counts["worklist"] == sum(1 for v in wl.visits if not v.ready)
    assert wl.counts["prior_auth"] == sum(
        1 for t in wl.tasks if dw.AREA_OF[t.kind] == "prior_auth" and t.status == "open"
    )


def test_a_visit_nobody_recorded_stays_on_the_worklist_until_recorded(store: Store) -> None:
    """Three days on, the visits of the days between that are still planned are blocked as
    not recorded (with the payer of their day and the patient's Visits tab as the fix),
    for UNRECORDED_DAYS; recording one (here: cancelling it) takes it off."""
    later = TODAY + timedelta(days=3)
    wl = build(store, later)
    gone_by = [v for v in wl.visits if v.on < later]
    between = [v for v in gone_by if v.on >= TODAY]
    assert between, "the demo has visits in the three days"
    for v in gone_by:
        (b,) = v.blockers
        assert b.kind is K.NOT_RECORDED and b.target == dw.Target("visits", v.patient_id)
        assert f"was on {v.on:%m/%d/%Y}" in b.text and "still planned" in b.text
    yesterday = [v for v in gone_by if v.on == later - timedelta(days=1)]
    assert all("(yesterday)" in v.blockers[0].text for v in yesterday)
    assert wl.counts["worklist"] == sum(1 for v in wl.visits if not v.ready)
    # none of them in a window that asks for none, nor on the day's summary
    with store.session() as s:
        none = wsv.build(s, DESK, later, 14, unrecorded_days=0)
        sheet = wsv.day_summary_data(s, DESK, later)
    assert all(v.on >= later for v in none.visits)
    assert len(sheet.visits) == sum(1 for v in wl.visits if v.on == later)
    # recorded (cancelled: the patient did not come): off the worklist
    first = between[0]
    with store.session() as s:
        vsv.cancel(s, DESK, first.visit_id, "no-show, rebooked by phone")
    after = build(store, later)
    assert first.visit_id not in {v.visit_id for v in after.visits}
    assert len([v for v in after.visits if v.on < later]) == len(gone_by) - 1
    # the boundary: on its day + UNRECORDED_DAYS it is still shown, the day after it is not
    other = between[-1]
    last_day = other.on + timedelta(days=dw.UNRECORDED_DAYS)
    assert other.visit_id in {v.visit_id for v in build(store, last_day, 1).visits}
    assert other.visit_id not in {
        v.visit_id for v in build(store, last_day + timedelta(days=1), 1).visits
    }


def test_a_printed_cost_letter_makes_the_visit_ready(store: Store) -> None:
    p = patient_id(store, "D0002")
    assert not row(build(store), p).ready
    assert any(t.kind is dw.TaskKind.ESTIMATE_DUE and t.patient_id == p for t in build(store).tasks)
    print_letter(store, p, "cost-letter")
    wl = build(store)
    assert row(wl, p).ready
    assert not any(t.kind is dw.TaskKind.ESTIMATE_DUE and t.patient_id == p for t in wl.tasks)
    # a Good Faith Estimate given resolves the self-pay patient's
    p5 = patient_id(store, "D0005")
    print_letter(store, p5, "gfe")
    assert row(build(store), p5).ready


def test_tasks_assigned_and_done(store: Store) -> None:
    with store.session() as s:
        ssv.create_staff(
            s, Actor("boss"), "ana.r", "Ana R", Role.FRONT_DESK, "correct horse 9 battery"
        )
    wl = build(store)
    task = next(t for t in wl.tasks if t.kind is dw.TaskKind.PA_FOLLOW_UP)
    with store.session() as s:
        wsv.assign_task(s, DESK, task.key, "Ana.R")
    with store.session() as s, pytest.raises(ValidationFailed):
        wsv.assign_task(s, DESK, task.key, "nobody")
    with store.session() as s:  # a front-desk role reads whom it can give tasks to
        assert ("ana.r", "Ana R") in wsv.assignable_staff(s, DESK)
        wsv.assign_task(s, DESK, task.key, "Desk.One")  # the signed-in person takes it
    assert next(t for t in build(store).tasks if t.key == task.key).assignee == "desk.one"
    with store.session() as s:
        wsv.assign_task(s, DESK, task.key, "ana.r")
    wl = build(store)
    mine = dw.filter_tasks(wl.tasks, assignee="ana.r")
    assert [t.key for t in mine] == [task.key]
    assert task.key not in {t.key for t in dw.filter_tasks(wl.tasks, unassigned=True)}
    assert dw.filter_tasks(wl.tasks, payer=task.payer)
    before = wl.counts["prior_auth"]
    with store.session() as s:
        wsv.set_task_status(s, DESK, task.key, "done")
    wl = build(store)
    (done,) = [t for t in wl.tasks if t.key == task.key]
    assert (done.status, done.assignee) == ("done", "ana.r")
    assert wl.counts["prior_auth"] == before - 1
    with store.session() as s, pytest.raises(ValidationFailed):
        wsv.set_task_status(s, DESK, task.key, "maybe")


def first_planned(store: Store, patient_id: int) -> vsv.VisitRecord:
    with store.session() as s:
        return next(
            v
            for v in vsv.visits_for_patient(s, patient_id)
            if v.status == "planned" and v.on >= TODAY
        )


def test_given_uses_authorization_units_and_card(store: Store) -> None:
    p = patient_id(store, "D0001")  # approved 7 visits, 1 left; copay card
    visit = first_planned(store, p)
    with store.session() as s:
        (case_row,) = [c for c in pas.list_cases(s, today=TODAY, patient_id=p)]
        before = pas.get_case(s, case_row.id).remaining()
        card_before = asv.list_programs(s, p)[0].data.used
    with store.session() as s:
        vsv.mark_arrived(s, DESK, visit.visit_id, today=visit.on)
    with store.session() as s:
        got = vsv.mark_given(s, DESK, visit.visit_id, today=visit.on)
    assert got.status == "given" and got.status_by == DESK.name
    with store.session() as s:
        after = pas.get_case(s, case_row.id).remaining()
        card_after = asv.list_programs(s, p)[0].data.used
        uses = s.scalars(
            select(PriorAuthUsage).where(PriorAuthUsage.planned_visit_id == visit.visit_id)
        ).all()
        per_code = s.execute(
            select(AssistanceUsage.code, AssistanceUsage.amount).where(
                AssistanceUsage.planned_visit_id == visit.visit_id
            )
        ).all()
    assert before is not None and after is not None
    assert before.visits == 1 and after.visits == 0
    assert after.units_by_code["J1745"] == before.units_by_code["J1745"] - 40
    assert {u.code for u in uses} >= {"J1745"}
    assert card_after > card_before  # the card paid the patient's share
    assert sum((a for _c, a in per_code), Decimal(0)) == card_after - card_before
    assert "J1745" in {c for c, _a in per_code}
    # a further visit is beyond the approval: refused without a reason, recorded with one
    with store.session() as s:
        s.add(PlannedVisit(order_id=visit.order_id, on=visit.on + timedelta(days=1)))
    nxt = first_planned(store, p)
    with store.session() as s, pytest.raises(vsv.OverApproved) as refused:
        vsv.mark_given(s, DESK, nxt.visit_id, today=nxt.on)
    whats = {(e.what, e.code) for e in refused.value.exceeded}
    assert ("visits", "") in whats and ("units", "J1745") in whats
    (visits,) = [e for e in refused.value.exceeded if e.what == "visits"]
    assert (visits.approved, visits.would_use) == (7, 8)
    with store.session() as s:
        vsv.mark_given(
            s, DESK, nxt.visit_id, reason="Payer extension by phone, ref 123", today=nxt.on
        )
    with store.session() as s:
        assert pas.get_case(s, case_row.id).remaining().visits_over == 1  # type: ignore[union-attr]
        assert s.get(PlannedVisit, nxt.visit_id).reason.startswith("Payer extension")  # type: ignore[union-attr]
    with store.session() as s, pytest.raises(ValidationFailed):
        vsv.mark_given(s, DESK, nxt.visit_id, reason="again", today=nxt.on)


def test_given_takes_the_grant_balance_down(store: Store) -> None:
    p = patient_id(store, "D0004")  # foundation grant; hospital PA denied
    with store.session() as s:
        (grant,) = [x for x in asv.list_programs(s, p) if x.data.kind == "foundation_grant"]
    visit = first_planned(store, p)
    with store.session() as s:
        vsv.mark_given(s, DESK, visit.visit_id, reason="given anyway", today=visit.on)
    with store.session() as s:
        (after,) = [x for x in asv.list_programs(s, p) if x.id == grant.id]
        used = asv.usages_for_enrollment(s, grant.id)
    assert after.data.balance is not None and grant.data.balance is not None
    assert after.data.balance < grant.data.balance
    assert sum(u.amount for u in used) == grant.data.balance - after.data.balance


def test_cancel_reschedule_arrive(store: Store) -> None:
    p = patient_id(store, "D0006")
    visit = first_planned(store, p)
    with store.session() as s, pytest.raises(ValidationFailed):
        vsv.cancel(s, DESK, visit.visit_id, "  ")
    new_day = visit.on + timedelta(days=2)
    with store.session() as s:
        moved = vsv.reschedule(s, DESK, visit.visit_id, new_day, today=TODAY)
    assert (moved.on, moved.rescheduled_from, moved.scheduled_on) == (new_day, visit.on, TODAY)
    with store.session() as s, pytest.raises(ValidationFailed):
        vsv.reschedule(s, DESK, visit.visit_id, TODAY - timedelta(days=1), today=TODAY)
    with store.session() as s:
        gone = vsv.cancel(s, DESK, visit.visit_id, "Patient in hospital")
    assert (gone.status, gone.reason) == ("cancelled", "Patient in hospital")
    with store.session() as s, pytest.raises(ValidationFailed):
        vsv.mark_arrived(s, DESK, visit.visit_id, today=visit.on)
    wl = build(store)
    (cancelled,) = [v for v in wl.visits if v.visit_id == visit.visit_id]
    assert cancelled.status == "cancelled" and cancelled.ready


def test_permissions(store: Store) -> None:
    nobody = Actor("x", role="visitor")
    visit = first_planned(store, patient_id(store, "D0006"))
    with store.session() as s:
        with pytest.raises(PermissionDenied):
            wsv.build(s, nobody, TODAY)
        with pytest.raises(PermissionDenied):
            vsv.mark_given(s, nobody, visit.visit_id, today=visit.on)
        with pytest.raises(PermissionDenied):
            wsv.set_task_status(s, nobody, "k", "done")
        with pytest.raises(PermissionDenied):
            asv.add_directory_entry(s, DESK, asv.DirectoryData(name="X"))  # counselor's work


def test_queries_do_not_grow_with_the_visits(store: Store) -> None:
    def count_queries() -> int:
        n = [0]

        def seen(*_a: object) -> None:
            n[0] += 1

        wsv.forget_worked_out()  # each a whole build (as after a start)
        event.listen(store.engine, "before_cursor_execute", seen)
        try:
            build(store, days=60)
        finally:
            event.remove(store.engine, "before_cursor_execute", seen)
        return n[0]

    first = count_queries()
    with store.session() as s:  # every order gets more visits in the window
        n_before = s.scalar(select(func.count()).select_from(PlannedVisit))
        for p in (patient_id(store, m) for m in ("D0001", "D0002", "D0003", "D0004", "D0006")):
            for o in ors.list_orders(s, p):
                for k in range(5):
                    s.add(PlannedVisit(order_id=o.id, on=TODAY + timedelta(days=30 + k)))
    with store.session() as s:
        n_after = s.scalar(select(func.count()).select_from(PlannedVisit))
        assert (n_after or 0) > (n_before or 0)
    assert count_queries() == first
    assert first < 30


def test_arrived_only_on_the_visits_day_and_given_not_before_it(store: Store) -> None:
    visit = first_planned(store, patient_id(store, "D0001"))
    day = visit.on
    for wrong in (day - timedelta(days=1), day + timedelta(days=1)):
        with store.session() as s, pytest.raises(ValidationFailed) as arrived:
            vsv.mark_arrived(s, DESK, visit.visit_id, today=wrong)
        assert f"{day:%a %m/%d}" in str(arrived.value.errors["on"])
    with store.session() as s, pytest.raises(ValidationFailed) as given:
        vsv.mark_given(s, DESK, visit.visit_id, today=day - timedelta(days=1))
    assert "Given is for the visit's day" in str(given.value.errors["on"])
    with store.session() as s:
        vsv.mark_arrived(s, DESK, visit.visit_id, today=day)
    with store.session() as s:  # marked arrived by mistake: undone, planned again, audited
        assert vsv.undo_arrival(s, DESK, visit.visit_id).status == "planned"
    with store.session() as s, pytest.raises(ValidationFailed):
        vsv.undo_arrival(s, DESK, visit.visit_id)  # not arrived: nothing to undo
    with store.session() as s:
        assert (
            s.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(
                    AuditEvent.action == "arrival_undone", AuditEvent.entity_id == visit.visit_id
                )
            )
            == 1
        )
        vsv.mark_arrived(s, DESK, visit.visit_id, today=day)
    with store.session() as s:  # given late, the day after, stays allowed
        got = vsv.mark_given(s, DESK, visit.visit_id, today=day + timedelta(days=1))
    assert got.status == "given"
    with store.session() as s, pytest.raises(ValidationFailed):
        vsv.undo_arrival(s, DESK, visit.visit_id)  # given: not undone this way


def test_given_on_a_named_case_only_if_it_approves_the_visits_order(store: Store) -> None:
    """Recorded from a prior-auth case, the visit's units go on that case; a case of another
    order (or one not approved) is refused and nothing is recorded."""
    visit = first_planned(store, patient_id(store, "D0001"))
    with store.session() as s:
        cases = pas.list_cases(s, today=TODAY, include_closed=True)
        order_of = {c.id: pas.get_case(s, c.id).order_id for c in cases}
    others = [cid for cid, oid in order_of.items() if oid != visit.order_id]
    assert others
    with store.session() as s, pytest.raises(ValidationFailed) as refused:
        vsv.mark_given(s, DESK, visit.visit_id, today=visit.on, case_id=others[0])
    assert "approved case of the visit's order" in str(refused.value.errors["case"])
    with store.session() as s:
        assert s.get(PlannedVisit, visit.visit_id).status == "planned"  # type: ignore[union-attr]
        assert not s.scalars(
            select(PriorAuthUsage).where(PriorAuthUsage.planned_visit_id == visit.visit_id)
        ).all()


def test_open_items_are_the_worklists_for_every_visit_of_the_day(store: Store) -> None:
    """Given…'s confirmation lists what the Worklist's row shows, worked out for the visit's
    patient alone; a visit of another day (not one gone by unrecorded) has none to list."""
    listed = 0
    for day in (TODAY + timedelta(days=n) for n in range(14)):
        wl = build(store, day, 1)
        with store.session() as s:
            for v in wl.visits:
                assert wsv.open_items(s, DESK, v.visit_id, day) == dw.open_items(v.blockers)
                listed += bool(v.blockers)
    assert listed >= 5  # not a check of empty lists only
    later = next(v for v in build(store).visits if v.on > TODAY + timedelta(days=3))
    with store.session() as s:
        assert wsv.open_items(s, DESK, later.visit_id, TODAY) == ()
        assert wsv.open_items(s, DESK, 10**9, TODAY) == ()


def test_a_grant_low_for_two_orders_is_one_task(store: Store) -> None:
    """A patient's second order drawing on the same low grant blocks its visit too, but the
    grant's task (one thing to do: assigned and marked done by its key) is listed once."""
    wl = build(store)
    low = next(v for v in wl.visits if any(b.kind is K.ASSISTANCE_LOW for b in v.blockers))
    grant = next(b for b in low.blockers if b.kind is K.ASSISTANCE_LOW).target.record_id
    key = f"assistance-low:{grant}"
    assert [t.key for t in wl.tasks].count(key) == 1
    with store.session() as s:
        order = ors.get_order(s, low.order_id)
        second = ors.create_order(
            s,
            wsv_actor(),
            low.patient_id,
            order.data,
            today=TODAY,
            lines=list(order.lines),
            visit_dates=[low.on + timedelta(days=1)],
        )
    wl = build(store)
    blocked = [
        v
        for v in wl.visits
        if v.patient_id == low.patient_id and any(b.kind is K.ASSISTANCE_LOW for b in v.blockers)
    ]
    assert {v.order_id for v in blocked} == {low.order_id, second.id}  # both orders blocked
    tasks = [t for t in wl.tasks if t.key == key]
    assert len(tasks) == 1 and tasks[0].due == low.on  # once, due by the first visit
    with store.session() as s:
        assert wsv.build_afresh(s, DESK, TODAY) == wl


def wsv_actor() -> Actor:
    return Actor("test.clerk")  # a manager: may write orders
