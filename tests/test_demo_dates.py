"""The demo stays current: seeded "on" any day, every showcase patient of
shared/demo-patients.md shows her intended situation (checked through the services).

Each seed day gets one demo database (showcase patients only), built once for this module.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal as D
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from infudesk.demo.care import (
    SHOWCASE_MRNS,
    DemoDates,
)
from infudesk.demo.showcase import seed_demo
from infudesk.domain import business_days as bd
from infudesk.domain import prior_auth as pa
from infudesk.domain.prior_auth import State
from infudesk.domain.verification import Status
from infudesk.services import assistance as asv
from infudesk.services import coverages as cvs
from infudesk.services import orders as ors
from infudesk.services import prior_auths as pas
from infudesk.services import quotes as qs
from infudesk.services import verifications as vs
from infudesk.services.audit import Actor
from infudesk.store.database import Store
from infudesk.store.models import Patient
from tests.conftest import TODAY
from tests.seeded import Seeded, seeded_demo

SEED_DAYS = (
    TODAY,  # 2026-11-27, a Friday: the day the other tests pin
    date(2027, 1, 1),  # a plan year has just started (a holiday, a Friday)
    date(2026, 6, 30),  # mid-year
    date(2026, 12, 4),  # December: next visits fall in the new year
    date(2026, 12, 31),  # the last day of a plan year
    date(2028, 2, 29),  # a leap day
    date(2027, 3, 6),  # a Saturday
)


@pytest.fixture(scope="module", params=SEED_DAYS, ids=[d.isoformat() for d in SEED_DAYS])
def seeded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Seeded]:
    """The demo (showcase patients only) seeded on one day; the demo key needs no keychain."""
    with seeded_demo(tmp_path_factory, "demo", request.param) as seeded:
        yield seeded


def only_case(s: Seeded, mrn: str) -> pas.CaseRow:
    with s.store.session() as session:
        (row,) = pas.list_cases(session, today=s.day, patient_id=s.pid[mrn])
    return row


def order_of(s: Seeded, mrn: str) -> ors.OrderRecord:
    with s.store.session() as session:
        (order,) = ors.list_orders(session, s.pid[mrn])
    return order


def work_rows(s: Seeded, mrn: str) -> list[vs.WorkRow]:
    with s.store.session() as session:
        return vs.worklist(session, today=s.day, patient_id=s.pid[mrn])


def quote_now(s: Seeded, mrn: str) -> tuple[qs.QuoteSetup, object]:
    with s.store.session() as session:
        setup = qs.prepare(session, s.pid[mrn], today=s.day)
    return setup, qs.compute(setup)


def next_visit(s: Seeded, mrn: str) -> date:
    nxt = order_of(s, mrn).next_visit(s.day)
    assert nxt is not None, f"{mrn} has no visit planned from {s.day}"
    return nxt


def assert_not_due(row: vs.WorkRow, day: date) -> None:
    """Verified recently: the last verification is of this plan year and nothing is due yet
    ("due soon" is allowed: at the turn of a plan year a new check is due within days)."""
    assert row.latest_status is Status.VERIFIED, row
    assert row.verified_on is not None and row.verified_on <= day
    assert row.verified_on.year == day.year  # every demo plan year starts on 1 January
    assert row.due.state in ("ok", "due_soon"), row.due


# --- every showcase patient ------------------------------------------------------------------


def test_planned_visits_are_ahead_on_weekdays(seeded: Seeded) -> None:
    for mrn in SHOWCASE_MRNS:
        order = order_of(seeded, mrn)
        planned = [v.on for v in order.visits if v.status == "planned"]
        assert planned, mrn
        assert min(planned) >= seeded.day, (mrn, min(planned))
        assert all(d.weekday() < 5 for d in planned), (mrn, planned)
        # the next infusion is in the coming weeks (D0004's every 6 months too)
        assert next_visit(seeded, mrn) - seeded.day <= timedelta(days=6 * 7), mrn
        given = [v.on for v in order.visits if v.status == "given"]
        assert all(d < seeded.day for d in given), mrn


def test_saved_quotes_made_on_the_seed_day_without_past_visits(seeded: Seeded) -> None:
    with seeded.store.session() as s:
        for mrn in SHOWCASE_MRNS:
            (summary,) = qs.list_quotes(s, seeded.pid[mrn])
            assert summary.created_at.date() == seeded.day, mrn
            saved = qs.setup_from_saved(qs.get_quote(s, summary.id))
            assert saved.dates and min(saved.dates) >= seeded.day, (mrn, saved.dates)
            # what the Quotes screen computes that day is what was saved
            assert saved.dates == qs.prepare(s, seeded.pid[mrn], today=seeded.day).dates, mrn


# --- D0001 -----------------------------------------------------------------------------------


def test_d0001_approved_one_visit_left_reauth_soon(seeded: Seeded) -> None:
    day = seeded.day
    row = only_case(seeded, "D0001")
    assert row.state is State.APPROVED
    assert row.remaining is not None and row.remaining.visits == 1 and row.approved_visits == 7
    with seeded.store.session() as s:
        case = pas.get_case(s, row.id)
    approval = case.case.approval
    assert approval is not None
    nxt = next_visit(seeded, "D0001")
    assert approval.start <= nxt <= approval.end  # the approval covers the next infusion
    # 36 J1745 + 4 J1745-JW units a visit: 280 − 6 × 40 = 40 left, exactly one visit
    assert row.remaining.units_by_code["J1745"] == 40
    kinds = {r.kind: r for r in row.reminders}
    reauth = kinds[pa.ReminderKind.REAUTH]
    assert reauth.severity == "soon" and reauth.due_on > day, reauth
    assert pa.ReminderKind.LOW_REMAINING in kinds
    order = order_of(seeded, "D0001")
    assert [v.status for v in order.visits] == ["given"] * 6 + ["planned"]
    assert [v.on for v in order.visits if v.status == "planned"] == [nxt]
    assert nxt - day >= timedelta(days=21)  # in the coming weeks, not tomorrow
    (work,) = work_rows(seeded, "D0001")
    assert_not_due(work, day)


def test_d0001_quote_next_visit_deductible_partly_met(seeded: Seeded) -> None:
    setup, quote = quote_now(seeded, "D0001")
    assert setup.dates == (next_visit(seeded, "D0001"),)
    assert setup.primary is not None
    assert setup.primary.deductible_met == D("500") < D("2000") == setup.primary.deductible
    (visit,) = quote.visits  # type: ignore[attr-defined]
    # the deductible left (2,000 − 500) is on this visit; the copay card pays her share
    assert visit.deductible == D("1500.00")
    assert visit.assistance_paid == visit.patient_owes_before_assistance > 0


# --- D0002 -----------------------------------------------------------------------------------


def test_d0002_part_b_deductible_not_met_this_year(seeded: Seeded) -> None:
    setup, quote = quote_now(seeded, "D0002")
    assert setup.primary is not None and setup.primary.plan_type == "medicare_part_b"
    assert setup.secondary is not None and setup.secondary.medigap_plan == "G"
    assert setup.primary.deductible_met == 0
    first = quote.visits[0]  # type: ignore[attr-defined]
    assert first.date == min(setup.dates) >= seeded.day
    assert first.deductible == D("283.00")  # Plan G leaves the Part B deductible to her
    assert first.patient_owes == D("283.00")
    rows = {r.coverage_label: r for r in work_rows(seeded, "D0002")}
    assert len(rows) == 2
    for row in rows.values():
        assert_not_due(row, seeded.day)
    with seeded.store.session() as s:
        assert pas.list_cases(s, today=seeded.day, patient_id=seeded.pid["D0002"]) == []


# --- D0003 -----------------------------------------------------------------------------------


def test_d0003_pending_with_a_follow_up_in_the_next_days(seeded: Seeded) -> None:
    day = seeded.day
    row = only_case(seeded, "D0003")
    assert row.state is State.PENDING
    with seeded.store.session() as s:
        case = pas.get_case(s, row.id).case
    assert case.follow_up is not None
    assert day <= case.follow_up <= day + timedelta(days=7)
    assert case.follow_up.weekday() < 5  # a business day
    follow = next(r for r in row.reminders if r.kind is pa.ReminderKind.FOLLOW_UP)
    assert follow.severity != "overdue"
    assert all(r.severity != "overdue" for r in row.reminders)
    (work,) = work_rows(seeded, "D0003")
    assert work.latest_status is Status.IN_PROGRESS
    assert next_visit(seeded, "D0003") > case.follow_up


# --- D0004 -----------------------------------------------------------------------------------


def test_d0004_denied_appeal_ahead_grant_active_on_next_visit(seeded: Seeded) -> None:
    day = seeded.day
    row = only_case(seeded, "D0004")
    assert row.state is State.DENIED
    with seeded.store.session() as s:
        case = pas.get_case(s, row.id).case
        (grant,) = asv.list_programs(s, seeded.pid["D0004"])
    assert case.denied_on is not None
    assert timedelta(weeks=5) <= day - case.denied_on <= timedelta(weeks=7)  # ~6 weeks ago
    appeal = next(r for r in row.reminders if r.kind is pa.ReminderKind.APPEAL_DUE)
    assert appeal.due_on == case.denied_on + timedelta(days=180) > day
    (work,) = work_rows(seeded, "D0004")
    assert work.latest_status is Status.PROBLEM

    setup, quote = quote_now(seeded, "D0004")
    assert setup.site == "hospital_outpatient"  # the site the payer denied
    first, second = setup.dates
    expires = grant.data.expires
    assert grant.data.kind == "foundation_grant" and expires is not None
    assert first < expires < second and expires <= day + timedelta(days=365)
    visits = quote.visits  # type: ignore[attr-defined]
    assert visits[0].assistance_paid == D("4000.00")  # the grant, on the next visit only
    assert visits[1].assistance_paid == 0


# --- D0005 -----------------------------------------------------------------------------------


def test_d0005_self_pay_doses_at_least_three_business_days_ahead(seeded: Seeded) -> None:
    setup, quote = quote_now(seeded, "D0005")
    assert setup.primary is None and setup.secondary is None  # self-pay
    first, second = setup.dates
    assert second - first == timedelta(days=7)
    assert first >= bd.add_business_days(seeded.day, 3)  # a Good Faith Estimate is due
    assert quote.totals.assistance_paid > 0  # type: ignore[attr-defined]  # the sliding scale
    with seeded.store.session() as s:
        assert cvs.list_coverages(s, seeded.pid["D0005"]) == []


# --- D0006 -----------------------------------------------------------------------------------


def test_d0006_primary_and_secondary_secondary_never_verified(seeded: Seeded) -> None:
    setup, quote = quote_now(seeded, "D0006")
    assert setup.primary_id is not None and setup.secondary_id is not None
    assert setup.labels["primary"] == "Primary: Northwind Choice"
    assert setup.labels["secondary"] == "Secondary: Harbor Select"
    assert setup.dates[0] == next_visit(seeded, "D0006") > seeded.day
    assert quote.visits[0].secondary_paid > 0  # type: ignore[attr-defined]
    rows = {r.coverage_id: r for r in work_rows(seeded, "D0006")}
    assert_not_due(rows[setup.primary_id], seeded.day)
    secondary = rows[setup.secondary_id]
    assert secondary.latest_status is None and secondary.verified_on is None
    assert secondary.due.reasons[0] == "Never verified"


# --- the story's own dates, and the date rules ------------------------------------------------


def test_seeded_on_the_stories_day_gives_the_stories_dates(tmp_path: Path) -> None:
    # 2026-11-27 (Friday): the dates demo-patients.md was written with
    t = DemoDates(TODAY)
    assert t.d1_approval == (date(2026, 1, 15), date(2026, 12, 31))
    assert (t.d1_first, t.d1_next) == (date(2026, 1, 20), date(2026, 12, 22))
    assert t.d1_verified == date(2026, 10, 20)
    # verified on the visit's re-check day: Tue 12/01 − 3 business days → Wed 11/25 (Mon 30,
    # Fri 27, Wed 25; Thanksgiving on the 26th is skipped) — a week before would be overdue
    assert (t.d2_first, t.d2_verified) == (date(2026, 12, 1), date(2026, 11, 25))
    assert (t.d3_first, t.d3_follow_up) == (date(2026, 12, 7), date(2026, 12, 1))
    assert (t.d4_next, t.d4_denied, t.d4_grant_expires) == (
        date(2026, 12, 15),
        date(2026, 10, 20),
        date(2026, 12, 31),
    )
    assert t.d5_first == date(2026, 12, 3)  # Mon, Tue, Wed, Thu: the 4th business day
    assert (t.d6_first, t.d6_next, t.d6_verified) == (
        date(2026, 2, 3),
        date(2026, 12, 8),
        date(2026, 11, 25),
    )


def test_verified_recently_is_never_before_the_plan_year() -> None:
    # on 1 January the "38 days ago" of D0001 would be in last year's plan year: that day
    assert DemoDates(date(2027, 1, 1)).d1_verified == date(2027, 1, 1)
    assert DemoDates(date(2027, 1, 10)).d1_verified == date(2027, 1, 1)
    assert DemoDates(date(2027, 2, 7)).d1_verified == date(2027, 1, 1)  # not 12/31/2026
    assert DemoDates(date(2027, 2, 9)).d1_verified == date(2027, 1, 2)  # 38 days before


def test_weekday_and_business_day_rules() -> None:
    assert bd.next_business_day(date(2026, 12, 5)) == date(2026, 12, 7)  # Saturday → Monday
    assert bd.next_business_day(date(2026, 12, 6)) == date(2026, 12, 7)  # Sunday → Monday
    assert bd.next_business_day(date(2026, 12, 4)) == date(2026, 12, 4)  # Friday stays
    assert bd.add_business_days(date(2026, 12, 4), 1) == date(2026, 12, 7)  # Fri + 1 → Mon
    assert bd.add_business_days(date(2026, 12, 5), 3) == date(2026, 12, 9)  # Sat + 3 → Wed
    assert bd.add_business_days(date(2026, 12, 1), 4) == date(2026, 12, 7)  # Tue + 4 → Mon


@given(st.dates(date(2025, 1, 1), date(2035, 12, 31)))
def test_the_situations_hold_on_any_day(day: date) -> None:
    """The date rules alone (no database) on any day: the orderings the story needs."""
    t = DemoDates(day)
    start, end = t.d1_approval
    assert start <= t.d1_first < day <= t.d1_next <= end
    assert t.d1_next - timedelta(days=56) < day  # six visits given, the seventh ahead
    assert timedelta(days=31) <= end - day <= timedelta(days=60)  # reauth reminder soon
    assert t.d1_verified.year == day.year and t.d1_verified <= day
    assert day < t.d2_first and day <= t.d3_follow_up < t.d3_first
    assert t.d3_follow_up.weekday() < 5
    assert t.d4_denied < day < t.d4_next < t.d4_grant_expires < t.d4_next + timedelta(days=182)
    assert bd.add_business_days(day, 3) <= t.d5_first
    assert t.d6_next - timedelta(days=28) < day < t.d6_next
    for d in (t.d1_next, t.d2_first, t.d3_first, t.d4_next, t.d5_first, t.d6_next):
        assert d.weekday() < 5


def test_seed_demo_can_leave_out_the_generated_patients(store: Store) -> None:
    with store.session() as s:
        assert seed_demo(s, Actor("seed"), today=TODAY, generated=0) == 6
    with store.session() as s:
        assert s.scalar(select(func.count(Patient.id))) == 6
