"""The worklist's pure rules (issue 14): each blocker alone and together, boundary dates,
the Good Faith Estimate deadline in business days across weekends and federal holidays,
assistance used up in date order, and properties."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from infudesk.domain import business_days as bd
from infudesk.domain import prior_auth as pa
from infudesk.domain import readiness as rd
from infudesk.domain import worklist as wl
from infudesk.domain.worklist import BlockerKind as K
from infudesk.services.worklist import _may_remind

D = date
TODAY = D(2026, 11, 16)  # a Monday; Thanksgiving is Thursday 11-26
SITE = "infusion_center"
DOCS = frozenset(k.value for k in pa.REQUIRED_FOR_APPEAL)


def approval(visits: int | None = 6, units: int = 240, **kw: object) -> pa.Approval:
    base: dict[str, object] = {
        "auth_number": "A-1",
        "lines": (pa.ApprovedLine("J1745", units),),
        "visits": visits,
        "start": D(2026, 11, 1),
        "end": D(2026, 12, 31),
        "site": SITE,
    }
    base.update(kw)
    return pa.Approval(**base)  # type: ignore[arg-type]


def case(state: pa.State = pa.State.APPROVED, **kw: object) -> rd.AuthCase:
    a = kw.pop("approval", approval() if state in pa.APPROVAL_STATES else None)
    return rd.AuthCase(case_id=7, state=state, site=SITE, approval=a, **kw)  # type: ignore[arg-type]


def facts(**kw: object) -> wl.OrderFacts:
    base: dict[str, object] = {
        "patient_id": 1,
        "order_id": 2,
        "site": SITE,
        "insured": True,
        "coverage_id": 3,
        "codes": ("J1745",),
        "units_per_visit": {"J1745": 40, "96365": 1},
        "verification": rd.VerificationFacts(3, D(2026, 11, 2), None, True),
        "verification_id": 11,
        "cases": (case(),),
        "estimates": (D(2026, 11, 2),),
    }
    base.update(kw)
    return wl.OrderFacts(**base)  # type: ignore[arg-type]


def visit(on: date, vid: int = 1, **kw: object) -> wl.VisitFacts:
    return wl.VisitFacts(vid, on, scheduled_on=kw.pop("scheduled_on", D(2026, 11, 1)), **kw)  # type: ignore[arg-type]


def kinds(f: wl.OrderFacts, *visits: wl.VisitFacts, today: date = TODAY) -> list[list[K]]:
    out = wl.order_blockers(visits, f, today=today)
    return [[b.kind for b in out[v.visit_id]] for v in visits]


def test_all_in_order_is_ready() -> None:
    assert kinds(facts(), visit(D(2026, 11, 20))) == [[]]
    row = wl.VisitRow(1, 1, "A B", "M1", TODAY, 2, "x", SITE, "P", "planned", ())
    assert row.ready


# --- coverage and verification -----------------------------------------------------------


def test_never_verified_blocks_with_verify_now() -> None:
    f = facts(verification=rd.VerificationFacts(3, None), verification_id=None)
    (b,) = wl.order_blockers([visit(D(2026, 11, 20))], f, today=TODAY)[1]
    assert b.kind is K.UNVERIFIED
    assert b.action == "Verify now…"
    assert b.target == wl.Target("verification", 1, None, 3, 2)


def test_verification_due_blocks_from_its_due_date() -> None:
    due = rd.VerificationFacts(3, D(2026, 1, 5), D(2026, 11, 20), True)
    f = facts(verification=due)
    # due 11-20: a visit before it is fine; after it, a task until the day comes, then a blocker
    assert kinds(f, visit(D(2026, 11, 19), 1), visit(D(2026, 11, 24), 2)) == [[], []]
    late = D(2026, 11, 20)
    assert kinds(f, visit(D(2026, 11, 24), 2), today=late) == [[K.VERIFICATION_DUE]]
    (b,) = wl.order_blockers([visit(D(2026, 11, 24), 2)], f, today=late)[2]
    assert b.action == "Re-verify…" and b.target.record_id == 11


def test_coverage_ending_before_the_visit() -> None:
    f = facts(coverage_ends=D(2026, 11, 30))
    got = kinds(f, visit(D(2026, 11, 30), 1), visit(D(2026, 12, 1), 2))
    assert got == [[], [K.COVERAGE_ENDED]]
    b = wl.order_blockers([visit(D(2026, 12, 1), 2)], f, today=TODAY)[2][0]
    assert b.target.screen == "patient" and b.target.record_id == 3


# --- prior authorization ------------------------------------------------------------------


def test_pa_missing_pending_denied() -> None:
    day = visit(D(2026, 11, 20))
    assert kinds(facts(cases=()), day) == [[K.PA_MISSING]]
    pending = case(pa.State.PENDING)
    got = wl.order_blockers([day], facts(cases=(pending,), documents={7: DOCS}), today=TODAY)
    assert [b.kind for b in got[1]] == [K.PA_PENDING]
    assert got[1][0].target.record_id == 7
    # the state's own parenthesis is not nested in another one
    assert got[1][0].text.startswith(
        "Prior authorization not decided yet: pending (more information requested). "
    )
    denied = case(pa.State.DENIED, denied_on=D(2026, 11, 10))
    assert kinds(facts(cases=(denied,), documents={7: DOCS}), day) == [[K.PA_DENIED]]


def test_pa_dates_boundaries() -> None:
    f = facts(cases=(case(approval=approval(start=D(2026, 11, 20), end=D(2026, 12, 4))),))
    got = kinds(
        f,
        visit(D(2026, 11, 19), 1),
        visit(D(2026, 11, 20), 2),
        visit(D(2026, 12, 4), 3),
        visit(D(2026, 12, 5), 4),
    )
    assert got == [[K.PA_EXPIRED], [], [], [K.PA_EXPIRED]]
    # an approval that ended cannot be changed: the button starts a new case following it
    (b,) = wl.order_blockers([visit(D(2026, 12, 5), 4)], f, today=TODAY)[4]
    assert b.action == "Request a new one…"
    assert b.target == wl.Target("new_prior_auth", f.patient_id, 7, f.coverage_id, f.order_id)


def test_pa_other_site_and_codes_not_covered() -> None:
    other = facts(cases=(case(approval=approval(site="hospital_outpatient")),))
    assert kinds(other, visit(D(2026, 11, 20))) == [[K.PA_OTHER_SITE]]
    f = facts(codes=("J1745", "J3490"))
    (b,) = wl.order_blockers([visit(D(2026, 11, 20))], f, today=TODAY)[1]
    assert b.kind is K.PA_CODES and "J3490" in b.text
    assert b.target.screen == "new_prior_auth" and b.target.record_id == 7


def test_a_code_added_by_a_later_approval_and_a_request_open() -> None:
    """Each approval in force counts for the codes (a later one may add the code); while a
    request to add it is open, the button leads to it rather than to yet another case."""
    day = visit(D(2026, 11, 20))
    old = case()  # #7 names J1745 only
    added = rd.AuthCase(
        case_id=9,
        state=pa.State.APPROVED,
        site=SITE,
        approval=approval(lines=(pa.ApprovedLine("J3490", 10),), auth_number="A-2"),
    )
    f = facts(codes=("J1745", "J3490"), cases=(old, added), documents={9: DOCS})
    assert K.PA_CODES not in kinds(f, day)[0]
    draft = rd.AuthCase(case_id=12, state=pa.State.DRAFT, site=SITE)
    f = facts(codes=("J1745", "J3490"), cases=(old, draft), documents={12: DOCS})
    (b,) = [b for b in wl.order_blockers([day], f, today=TODAY)[1] if b.kind is K.PA_CODES]
    assert b.target == wl.Target("prior_auth", f.patient_id, 12, f.coverage_id, f.order_id)
    assert b.action == "Open the request…" and "case #12" in b.text


def test_units_and_visits_used_up_by_given_and_earlier_planned() -> None:
    # 3 visits approved, one given already: the 2nd and 3rd planned visits … the 3rd is over
    given_ = (pa.Usage(D(2026, 11, 3), "J1745", 40, True),)
    f = facts(cases=(case(approval=approval(visits=3), usages=given_),))
    days = [visit(D(2026, 11, 17) + timedelta(days=7 * i), i + 1) for i in range(3)]
    assert kinds(f, *days) == [[], [], [K.PA_EXHAUSTED]]
    # units: 100 units at 40 a visit → two visits
    f = facts(cases=(case(approval=approval(visits=None, units=100)),))
    assert kinds(f, *days) == [[], [], [K.PA_EXHAUSTED]]
    (b,) = wl.order_blockers(days, f, today=TODAY)[3]
    assert b.target.screen == "new_prior_auth" and b.target.record_id == 7


def test_given_and_cancelled_visits_have_no_blockers_and_use_nothing() -> None:
    f = facts(cases=(case(approval=approval(visits=1)),), verification=None)
    vs = [
        visit(D(2026, 11, 17), 1, status="cancelled"),
        visit(D(2026, 11, 18), 2, status="given"),
        visit(D(2026, 11, 19), 3),
    ]
    got = kinds(f, *vs)
    assert got[0] == [] and got[1] == []
    assert K.PA_EXHAUSTED not in got[2]  # the cancelled one used no visit
    assert K.UNVERIFIED in got[2]


def test_past_visits_are_not_judged() -> None:
    assert kinds(facts(cases=()), visit(TODAY - timedelta(days=1))) == [[]]


# --- documents --------------------------------------------------------------------------------


def test_documents_asked_for_on_a_pending_case() -> None:
    pending = case(pa.State.PENDING)
    have = frozenset({"letter_of_medical_necessity", "clinical_notes", "insurance_card"})
    got = wl.order_blockers(
        [visit(D(2026, 11, 20))], facts(cases=(pending,), documents={7: have}), today=TODAY
    )[1]
    assert [b.kind for b in got] == [K.PA_PENDING, K.DOCUMENT_MISSING]
    assert "signed order" in got[1].text
    assert got[1].action == "Add documents…"


# --- estimates --------------------------------------------------------------------------------


def test_cost_letter_printed_after_scheduling() -> None:
    v = visit(D(2026, 11, 20), scheduled_on=D(2026, 11, 5))
    assert kinds(facts(estimates=(D(2026, 11, 4),)), v) == [[K.ESTIMATE_MISSING]]
    assert kinds(facts(estimates=(D(2026, 11, 5),)), v) == [[]]
    b = wl.order_blockers([v], facts(estimates=()), today=TODAY)[1][0]
    assert b.target.screen == "letters" and b.action == "Print the cost letter…"


def test_gfe_deadline_business_days() -> None:
    # Monday 11-16 scheduled: 2 business days ahead needs none, 3 → next business day
    assert wl.gfe_deadline(D(2026, 11, 16), D(2026, 11, 18)) is None
    assert wl.gfe_deadline(D(2026, 11, 16), D(2026, 11, 19)) == D(2026, 11, 17)
    # Friday 11-20 scheduled: business days Mon 23, Tue 24, Wed 25, (Thanksgiving) Fri 27,
    # Mon 30, Tue 1, Wed 2, Thu 3, Fri 4 (9th), Mon 7 (10th)
    assert wl.gfe_deadline(D(2026, 11, 20), D(2026, 12, 4)) == D(2026, 11, 23)
    assert wl.gfe_deadline(D(2026, 11, 20), D(2026, 12, 7)) == D(2026, 11, 25)
    # Wednesday before Thanksgiving + 1 business day → Friday 11-27
    assert wl.gfe_deadline(D(2026, 11, 25), D(2026, 12, 2)) == D(2026, 11, 27)
    # scheduled on a Saturday: counted from there; 3 business days → Wednesday
    assert wl.gfe_deadline(D(2026, 12, 12), D(2026, 12, 31)) == D(2026, 12, 16)
    # across Christmas (Friday 12-25) and New Year (Friday 2027-01-01)
    assert wl.gfe_deadline(D(2026, 12, 23), D(2026, 12, 30)) == D(2026, 12, 24)
    assert wl.gfe_deadline(D(2026, 12, 24), D(2026, 12, 31)) == D(2026, 12, 28)
    assert wl.gfe_deadline(D(2026, 12, 24), D(2026, 12, 29)) is None  # Mon 28, Tue 29: 2
    assert wl.gfe_deadline(D(2026, 12, 31), D(2027, 1, 6)) == D(2027, 1, 4)


def test_gfe_deadline_at_two_business_days_boundary() -> None:
    # Christmas Eve (Thu) → Mon 28, Tue 29, Wed 30: 3 business days ahead exactly
    assert bd.business_days_between(D(2026, 12, 24), D(2026, 12, 30)) == 3


def test_self_pay_gfe_blocker_due_then_late() -> None:
    f = facts(insured=False, coverage_id=None, verification=None, cases=(), estimates=())
    v = visit(D(2026, 12, 4), scheduled_on=D(2026, 11, 20))  # 9 business days: 1 day to give it
    (b,) = wl.order_blockers([v], f, today=D(2026, 11, 23))[1]
    assert b.kind is K.GFE_DUE and "due by 11/23/2026" in b.text
    (b,) = wl.order_blockers([v], f, today=D(2026, 11, 24))[1]
    assert "late since 11/23/2026" in b.text
    # given on the day of scheduling: fine; no insurance rules apply to self-pay
    assert kinds(dataclasses.replace(f, gfes=(D(2026, 11, 20),)), v, today=D(2026, 11, 24)) == [[]]
    # scheduled 2 business days ahead: no estimate required
    soon = visit(D(2026, 11, 24), scheduled_on=D(2026, 11, 20))
    assert kinds(f, soon, today=D(2026, 11, 20)) == [[]]


# --- assistance -------------------------------------------------------------------------------


def grant(**kw: object) -> wl.GrantState:
    base: dict[str, object] = {"enrollment_id": 5, "name": "Fund", "left": Decimal("1000")}
    base.update(kw)
    return wl.GrantState(**base)  # type: ignore[arg-type]


def test_assistance_balance_runs_out_in_date_order() -> None:
    f = facts(grants=(grant(left=Decimal("700"), per_visit=Decimal("300")),))
    days = [visit(D(2026, 11, 17) + timedelta(days=7 * i), i + 1) for i in range(3)]
    got = wl.order_blockers(days, f, today=TODAY)
    assert [[b.kind for b in got[v.visit_id]] for v in days] == [[], [], [K.ASSISTANCE_LOW]]
    assert "$100.00 left" in got[3][0].text
    assert got[3][0].target == wl.Target("assistance", 1, 5, 3, 2)
    assert kinds(facts(grants=(grant(left=Decimal("0")),)), days[0]) == [[K.ASSISTANCE_LOW]]
    assert kinds(facts(grants=(grant(left=None),)), days[0]) == [[]]  # a discount: no limit


def test_assistance_expiry_and_renewal_boundaries() -> None:
    f = facts(grants=(grant(expires=D(2026, 11, 30)),))
    assert kinds(f, visit(D(2026, 11, 30), 1), visit(D(2026, 12, 1), 2)) == [
        [],
        [K.ASSISTANCE_EXPIRED],
    ]
    f = facts(grants=(grant(reenroll_on=D(2026, 12, 1)),))
    assert kinds(f, visit(D(2026, 11, 30), 1), visit(D(2026, 12, 1), 2)) == [
        [],
        [K.ASSISTANCE_EXPIRED],
    ]
    assert kinds(facts(grants=(grant(status="applied"),)), visit(D(2026, 11, 20))) == [
        [K.ASSISTANCE_PENDING]
    ]
    assert kinds(
        facts(grants=(grant(status="denied", left=Decimal(0)),)), visit(D(2026, 11, 20))
    ) == [[]]


# --- together ---------------------------------------------------------------------------------


def test_everything_at_once_in_order_of_seriousness() -> None:
    f = facts(
        verification=rd.VerificationFacts(3, None),
        cases=(case(pa.State.PENDING),),
        documents={},
        estimates=(),
        coverage_ends=D(2026, 11, 18),
        grants=(grant(left=Decimal("0")), grant(enrollment_id=6, status="applied")),
    )
    got = wl.order_blockers([visit(D(2026, 11, 20))], f, today=TODAY)[1]
    assert [b.kind for b in got] == [
        K.COVERAGE_ENDED,
        K.UNVERIFIED,
        K.PA_PENDING,
        K.DOCUMENT_MISSING,
        K.ESTIMATE_MISSING,
        K.ASSISTANCE_PENDING,
        K.ASSISTANCE_LOW,
    ]
    assert all(b.action == wl.ACTIONS[b.kind] for b in got)


def test_counts_per_area() -> None:
    t = wl.Target("prior_auth", 1, 7)
    tasks = [
        wl.Task("a", wl.TaskKind.REAUTH, "", TODAY, 1, "", "", None, "open", t),
        wl.Task("b", wl.TaskKind.PA_FOLLOW_UP, "", TODAY, 1, "", "", None, "done", t),
        wl.Task("c", wl.TaskKind.ESTIMATE_DUE, "", TODAY, 1, "", "", "ana", "open", t),
    ]
    blocked = wl.Blocker(K.UNVERIFIED, "", "", t)
    visits = [
        wl.VisitRow(1, 1, "", "", TODAY, 2, "", SITE, "", "planned", (blocked,)),
        wl.VisitRow(2, 1, "", "", TODAY, 2, "", SITE, "", "given", ()),
    ]
    assert wl.counts(visits, tasks) == {
        "prior_auth": 1,
        "verification": 0,
        "quote": 1,
        "assistance": 0,
        "worklist": 1,
    }


# --- properties -------------------------------------------------------------------------------

days_ahead = st.integers(min_value=0, max_value=60)


@given(st.dates(D(2026, 1, 1), D(2027, 12, 31)), days_ahead)
def test_gfe_deadline_is_a_business_day_after_scheduling(scheduled: date, ahead: int) -> None:
    on = scheduled + timedelta(days=ahead)
    due = wl.gfe_deadline(scheduled, on)
    n = bd.business_days_between(scheduled, on)
    if n < 3:
        assert due is None
    else:
        assert due is not None and bd.is_business_day(due) and scheduled < due < on
        assert bd.business_days_between(scheduled, due) == (3 if n >= 10 else 1)


@given(
    st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=8, unique=True),
    st.integers(min_value=0, max_value=8),
    st.integers(min_value=0, max_value=6),
)
def test_exhaustion_is_monotone(offsets: list[int], approved: int, given_n: int) -> None:
    """Once a visit is out of approved visits, every later one is too."""
    usages = tuple(pa.Usage(D(2026, 11, 2), "J1745", 1, True) for _ in range(given_n))
    f = facts(cases=(case(approval=approval(visits=approved, units=10_000), usages=usages),))
    vs = [visit(TODAY + timedelta(days=o), i + 1) for i, o in enumerate(sorted(offsets))]
    got = kinds(f, *vs)
    out = [K.PA_EXHAUSTED in k for k in got]
    assert out == sorted(out)
    assert sum(not x for x in out) == min(len(vs), max(0, approved - given_n))


@given(st.lists(st.integers(min_value=0, max_value=30), min_size=1, max_size=6))
def test_a_printed_estimate_only_removes_blockers(offsets: list[int]) -> None:
    vs = [visit(TODAY + timedelta(days=o), i + 1) for i, o in enumerate(offsets)]
    without = wl.order_blockers(vs, facts(estimates=()), today=TODAY)
    with_ = wl.order_blockers(vs, facts(estimates=(TODAY,)), today=TODAY)
    for v in vs:
        assert set(with_[v.visit_id]) <= set(without[v.visit_id])
        assert [b.kind for b in without[v.visit_id]] == [K.ESTIMATE_MISSING]


# --- the service's pre-filter never hides a reminder due in the window --------------------------


@settings(deadline=None, max_examples=400)
@given(
    st.sampled_from(list(pa.State)),
    st.integers(min_value=-30, max_value=400),  # end, days from today
    st.one_of(st.none(), st.integers(min_value=1, max_value=8)),  # approved visits
    st.integers(min_value=0, max_value=8),  # visits given
    st.integers(min_value=0, max_value=400),  # units approved
    st.lists(st.integers(min_value=-400, max_value=40), min_size=4, max_size=4),  # dates
    st.sampled_from(["commercial", "medicare_advantage", "medicaid", "medicare", ""]),
    st.booleans(),  # urgent
    st.one_of(st.none(), st.integers(min_value=1, max_value=365)),  # letter's appeal days
    st.one_of(st.none(), st.integers(min_value=1, max_value=365)),  # payer's appeal days
)
def test_prefilter_keeps_every_case_with_a_reminder_due(
    state: pa.State,
    end_in: int,
    visits: int | None,
    given_n: int,
    units: int,
    days: list[int],
    plan_type: str,
    urgent: bool,
    letter_days: int | None,
    payer_days: int | None,
) -> None:
    """Whatever the state, dates (submitted, follow-up, denied, appeal submitted, around the
    window's last day), plan type, urgency and appeal windows: a case with a reminder due by
    the window's last day passes the service's pre-filter."""
    horizon = TODAY + timedelta(days=13)
    end = TODAY + timedelta(days=end_in)
    start = min(end, TODAY - timedelta(days=60))
    lines = [("J1745", units)] if units else []
    used = [
        pa.Usage(TODAY - timedelta(days=7 * (k + 1)), "j1745 ", 40, True) for k in range(given_n)
    ]
    approval = pa.Approval("A", tuple(pa.ApprovedLine(c, u) for c, u in lines), visits, start, end)
    submitted, follow_up, denied, appealed = (TODAY + timedelta(days=d) for d in days)
    case_ = pa.CaseState(
        state=state,
        approval=approval if state in pa.APPROVAL_STATES else None,
        submitted_on=submitted,
        follow_up=follow_up,
        denied_on=denied,
        appeal_submitted_on=appealed,
        final_internal_denial_on=TODAY - timedelta(days=20),
        plan_type=plan_type,
        urgent=urgent,
        letter_appeal_days=letter_days,
    )
    row = SimpleNamespace(
        state=state.value,
        end_on=end,
        approved_visits=visits,
        submitted_on=submitted,
        follow_up=follow_up,
        denied_on=denied,
        appeal_submitted_on=appealed,
        plan_type=plan_type,
        urgent=urgent,
        appeal_days=letter_days,
        payer_days=payer_days,
    )
    due = [
        r
        for r in pa.reminders(case_, today=TODAY, usages=used, payer_appeal_days=payer_days)
        if r.due_on <= horizon
    ]
    if due:
        rows = [(u.on, u.code, u.units, u.visit) for u in used]  # as the build loads them
        assert _may_remind(row, horizon, horizon + timedelta(days=60), lines, rows)
