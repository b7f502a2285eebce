"""Tests for infudesk.domain.prior_auth: transitions, approvals and use, deadlines, reminders."""
# mypy: disable-error-code="comparison-overlap"

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from infudesk.domain import prior_auth as pa
from infudesk.domain.prior_auth import (
    TRANSITIONS,
    Action,
    Approval,
    ApprovedLine,
    CaseState,
    DocumentKind,
    ReminderKind,
    State,
    TransitionError,
    Usage,
    allowed_actions,
    apply,
    check_usage,
    remaining,
)
from infudesk.domain.verification import us_date

BY = "Dana Reyes"
DAY = timedelta(days=1)
START = date(2026, 10, 1)

# D0001's infliximab approval: 7 visits of J1745 × 40 units (given plus JW waste), one first hour
# of infusion (96413) and one additional hour (96415) per visit.
D0001 = Approval(
    auth_number="A-778812",
    lines=(ApprovedLine("J1745", 280), ApprovedLine("96413", 7), ApprovedLine("96415", 7)),
    visits=7,
    start=date(2026, 11, 2),
    end=date(2027, 4, 30),
    site="infusion_center",
)


def details_for(action: Action, on: date) -> dict[str, Any]:
    if action is Action.PEND:
        return {"follow_up": on + 7 * DAY}
    if action in pa.APPROVING_ACTIONS:
        return {"approval": D0001}
    if action in pa.DENYING_ACTIONS:
        return {"reason": "Step therapy with adalimumab not documented."}
    return {}


def next_day(case: CaseState, action: Action) -> date:
    if action is Action.EXPIRE and case.approval is not None:
        return case.approval.end + DAY
    return case.events[-1].on + DAY if case.events else START


def step(case: CaseState, action: Action, **extra: Any) -> CaseState:
    on = next_day(case, action)
    return apply(
        case,
        action,
        on=on,
        by=BY,
        note="Per the payer portal.",
        **(details_for(action, on) | extra),
    )


def walk(*actions: Action) -> CaseState:
    case = CaseState()
    for action in actions:
        case = step(case, action)
    return case


A = Action
PATHS: dict[State, tuple[Action, ...]] = {
    State.DRAFT: (),
    State.SUBMITTED: (A.SUBMIT,),
    State.PENDING: (A.SUBMIT, A.PEND),
    State.APPROVED: (A.SUBMIT, A.APPROVE),
    State.PARTIALLY_APPROVED: (A.SUBMIT, A.APPROVE_PARTIALLY),
    State.DENIED: (A.SUBMIT, A.DENY),
    State.APPEAL_SUBMITTED: (A.SUBMIT, A.DENY, A.APPEAL),
    State.APPEAL_APPROVED: (A.SUBMIT, A.DENY, A.APPEAL, A.APPROVE_APPEAL),
    State.APPEAL_DENIED: (A.SUBMIT, A.DENY, A.APPEAL, A.DENY_APPEAL),
    State.EXTERNAL_REVIEW: (A.SUBMIT, A.DENY, A.APPEAL, A.DENY_APPEAL, A.REQUEST_EXTERNAL_REVIEW),
    State.EXPIRED: (A.SUBMIT, A.APPROVE, A.EXPIRE),
    State.CANCELLED: (A.CANCEL,),
}


# --- States, actions, the table -------------------------------------------------------------


def test_values_and_labels() -> None:
    assert [s.value for s in State] == [
        "draft",
        "submitted",
        "pending",
        "approved",
        "partially_approved",
        "denied",
        "appeal_submitted",
        "appeal_approved",
        "appeal_denied",
        "external_review",
        "expired",
        "cancelled",
    ]
    assert State("denied") is State.DENIED and State.DENIED == "denied"
    assert Action("request_external_review") is Action.REQUEST_EXTERNAL_REVIEW
    assert set(pa.STATE_LABELS) == set(State)
    assert set(pa.ACTION_LABELS) == set(Action)
    assert pa.STATE_LABELS[State.PARTIALLY_APPROVED] == "Partially approved"
    assert set(pa.DOCUMENT_LABELS) == set(DocumentKind)
    assert set(pa.REMINDER_LABELS) == set(ReminderKind)


def test_table_shape() -> None:
    assert set(TRANSITIONS) == set(State)
    assert {State.EXPIRED, State.CANCELLED} == pa.TERMINAL_STATES
    for state, moves in TRANSITIONS.items():
        assert all(isinstance(a, Action) and isinstance(t, State) for a, t in moves.items())
        if state in pa.TERMINAL_STATES:
            assert moves == {}
        else:  # every open case can be cancelled
            assert moves[Action.CANCEL] is State.CANCELLED
    for state in pa.APPROVAL_STATES:
        assert TRANSITIONS[state][Action.EXPIRE] is State.EXPIRED
    assert TRANSITIONS[State.PENDING][Action.PEND] is State.PENDING
    assert TRANSITIONS[State.EXTERNAL_REVIEW][Action.OVERTURN] is State.APPEAL_APPROVED
    assert TRANSITIONS[State.EXTERNAL_REVIEW][Action.UPHOLD] is State.APPEAL_DENIED
    # every state can be reached, and PATHS reaches each one
    targets = {t for moves in TRANSITIONS.values() for t in moves.values()}
    assert targets | {State.DRAFT} == set(State)
    assert set(PATHS) == set(State)


@pytest.mark.parametrize("state", list(State))
def test_paths_reach_their_state(state: State) -> None:
    case = walk(*PATHS[state])
    assert case.state is state
    assert allowed_actions(state, case.events) == [a for a in Action if a in TRANSITIONS[state]]


ALL_MOVES = [(s, a) for s, moves in TRANSITIONS.items() for a in moves]


@pytest.mark.parametrize(("state", "action"), ALL_MOVES)
def test_every_transition(state: State, action: Action) -> None:
    case = walk(*PATHS[state])
    on = next_day(case, action)
    after = apply(
        case, action, on=on, by=f"  {BY} ", note=" Patient moved. ", **details_for(action, on)
    )
    assert after.state is TRANSITIONS[state][action]
    assert after.events[:-1] == case.events
    assert after.events[-1] == pa.Event(on, BY, action, state, after.state, "Patient moved.")
    assert case.state is state  # the old case is untouched
    assert len(case.events) == len(PATHS[state])


def test_worked_lifecycle_records_who_when_and_why() -> None:
    case = CaseState()
    case = apply(case, Action.SUBMIT, on=date(2026, 10, 1), by=BY, urgent=False)
    assert case.submitted_on == date(2026, 10, 1) and not case.urgent
    case = apply(case, Action.PEND, on=date(2026, 10, 3), by=BY, follow_up=date(2026, 10, 8))
    assert case.state is State.PENDING and case.follow_up == date(2026, 10, 8)
    case = apply(case, Action.PEND, on=date(2026, 10, 8), by=BY, follow_up=date(2026, 10, 10))
    assert case.follow_up == date(2026, 10, 10)
    case = apply(
        case,
        Action.DENY,
        on=date(2026, 10, 20),
        by=BY,
        note="Fax received",
        reason=" Not medically necessary. ",
    )
    assert case.state is State.DENIED and case.follow_up is None
    assert case.denied_on == date(2026, 10, 20)
    assert case.denial_reason == "Not medically necessary."
    case = apply(case, Action.APPEAL, on=date(2026, 11, 2), by=BY, urgent=True)
    assert case.appeal_submitted_on == date(2026, 11, 2) and case.urgent
    case = apply(case, Action.DENY_APPEAL, on=date(2026, 11, 5), by=BY, reason="Same reason.")
    assert case.final_internal_denial_on == date(2026, 11, 5)
    case = apply(case, Action.REQUEST_EXTERNAL_REVIEW, on=date(2026, 11, 6), by=BY)
    case = apply(case, Action.OVERTURN, on=date(2026, 11, 20), by=BY, approval=D0001)
    assert case.state is State.APPEAL_APPROVED and case.approval == D0001
    assert case.denied_on == date(2026, 10, 20)  # the history of the denial stays
    assert [e.action for e in case.events] == [
        A.SUBMIT,
        A.PEND,
        A.PEND,
        A.DENY,
        A.APPEAL,
        A.DENY_APPEAL,
        A.REQUEST_EXTERNAL_REVIEW,
        A.OVERTURN,
    ]
    assert case.events[3].note == "Fax received"
    assert all(e.by == BY for e in case.events)


# --- Refusals -------------------------------------------------------------------------------

ALL_REFUSALS = [(s, a) for s in State for a in Action if a not in TRANSITIONS[s]]


@pytest.mark.parametrize(("state", "action"), ALL_REFUSALS)
def test_every_refusal_says_what_is_possible(state: State, action: Action) -> None:
    case = walk(*PATHS[state])
    on = next_day(case, action)
    with pytest.raises(TransitionError) as exc:
        apply(case, action, on=on, by=BY, note="n", **details_for(action, on))
    message = str(exc.value)
    assert exc.value.field is None
    assert exc.value.allowed == tuple(allowed_actions(state, case.events))
    if state in pa.TERMINAL_STATES:
        assert "is closed" in message and "Start a new request instead." in message
    else:
        assert " can be " in message and ", not " in message and message.endswith(".")
        assert "cancelled" in message


@pytest.mark.parametrize(
    ("state", "action", "message"),
    [
        (State.DENIED, A.APPROVE, "A denied case can be appealed or cancelled, not approved."),
        (State.DRAFT, A.APPROVE, "A draft case can be submitted or cancelled, not approved."),
        (
            State.SUBMITTED,
            A.APPEAL,
            "A submitted case can be marked pending (more information requested), approved,"
            " partially approved, denied or cancelled, not appealed.",
        ),
        (
            State.APPROVED,
            A.SUBMIT,
            "An approved case can be cancelled or marked expired, not submitted.",
        ),
        (
            State.PARTIALLY_APPROVED,
            A.APPEAL,
            "A partially approved case can be cancelled or marked expired, not appealed.",
        ),
        (
            State.APPEAL_SUBMITTED,
            A.APPROVE,
            "A case under appeal can be approved on appeal, denied on appeal or cancelled,"
            " not approved.",
        ),
        (
            State.EXTERNAL_REVIEW,
            A.APPROVE_APPEAL,
            "A case in external review can be overturned (decided for the patient), upheld"
            " (decided for the payer) or cancelled, not approved on appeal.",
        ),
        (
            State.CANCELLED,
            A.SUBMIT,
            "A cancelled case is closed: it cannot be submitted. Start a new request instead.",
        ),
        (
            State.EXPIRED,
            A.CANCEL,
            "An expired case is closed: it cannot be cancelled. Start a new request instead.",
        ),
    ],
)
def test_refusal_messages(state: State, action: Action, message: str) -> None:
    case = walk(*PATHS[state])
    with pytest.raises(TransitionError) as exc:
        step(case, action)
    assert str(exc.value) == message


def test_transition_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        step(CaseState(), A.DENY)


def test_a_second_internal_appeal_is_allowed_once() -> None:
    case = walk(*PATHS[State.APPEAL_DENIED])
    assert allowed_actions(case.state, case.events) == [
        A.APPEAL,
        A.REQUEST_EXTERNAL_REVIEW,
        A.CANCEL,
    ]
    case = step(case, A.APPEAL)
    assert case.final_internal_denial_on is None  # the first appeal's denial was not final
    case = step(case, A.DENY_APPEAL)
    assert case.final_internal_denial_on == case.events[-1].on
    assert allowed_actions(case.state, case.events) == [A.REQUEST_EXTERNAL_REVIEW, A.CANCEL]
    with pytest.raises(TransitionError) as exc:
        step(case, A.APPEAL)
    assert str(exc.value) == (
        "A case denied on appeal can be sent to external review or cancelled, not appealed:"
        " it has already been appealed 2 times."
    )


def test_no_second_external_review_and_no_appeal_after_one() -> None:
    case = step(walk(*PATHS[State.EXTERNAL_REVIEW]), A.UPHOLD, reason="Upheld by the IRO.")
    assert case.state is State.APPEAL_DENIED
    assert case.denial_reason == "Upheld by the IRO."
    assert allowed_actions(case.state, case.events) == [A.CANCEL]
    assert allowed_actions(case.state) == [A.APPEAL, A.REQUEST_EXTERNAL_REVIEW, A.CANCEL]
    with pytest.raises(TransitionError) as exc:
        step(case, A.REQUEST_EXTERNAL_REVIEW)
    assert str(exc.value) == (
        "A case denied on appeal can be cancelled, not sent to external review:"
        " this case has already had its external review."
    )
    with pytest.raises(TransitionError) as exc:
        step(case, A.APPEAL)
    assert "no internal appeal after an external review" in str(exc.value)
    assert pa.reminders(case, today=date(2027, 1, 1), usages=(), plan_type="commercial") == []


# --- Required details -----------------------------------------------------------------------


def test_pend_requires_a_follow_up_on_or_after_the_day() -> None:
    case = walk(A.SUBMIT)
    on = date(2026, 10, 5)
    with pytest.raises(TransitionError) as exc:
        apply(case, A.PEND, on=on, by=BY)
    assert exc.value.field == "follow_up"
    assert "follow-up date" in str(exc.value)
    with pytest.raises(TransitionError) as exc:
        apply(case, A.PEND, on=on, by=BY, follow_up=on - DAY)
    assert str(exc.value) == (
        "The follow-up date (10/04/2026) is before this step (10/05/2026):"
        " choose a date on or after it."
    )
    assert apply(case, A.PEND, on=on, by=BY, follow_up=on).follow_up == on


def test_approval_needs_its_details_in_order() -> None:
    case = walk(A.SUBMIT)
    on = date(2026, 10, 30)
    with pytest.raises(TransitionError) as exc:
        apply(case, A.APPROVE, on=on, by=BY)
    assert exc.value.field == "approval"
    backwards = replace(D0001, start=date(2027, 4, 30), end=date(2026, 11, 2))
    with pytest.raises(TransitionError) as exc:
        apply(case, A.APPROVE_PARTIALLY, on=on, by=BY, approval=backwards)
    assert exc.value.field == "end"
    assert str(exc.value) == (
        "The approval ends (11/02/2026) before it starts (04/30/2027): check both dates."
    )
    one_day = replace(D0001, end=D0001.start)
    assert apply(case, A.APPROVE, on=on, by=BY, approval=one_day).approval == one_day


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"auth_number": "  "}, "auth_number", "authorization number"),
        ({"lines": ()}, "lines", "at least one approved code"),
        ({"lines": (ApprovedLine("J1745", 0),)}, "lines", "greater than 0"),
        ({"lines": (ApprovedLine("J1745", 8), ApprovedLine(" j1745", 8))}, "lines", "twice"),
        ({"lines": (ApprovedLine("infliximab", 8),)}, "lines", "HCPCS"),
        ({"visits": 0}, "visits", "at least 1"),
    ],
)
def test_approval_problems(changes: dict[str, Any], field: str, words: str) -> None:
    bad = replace(D0001, **changes)
    problems = pa.approval_problems(bad)
    assert field in problems and words in problems[field]
    with pytest.raises(TransitionError) as exc:
        step(walk(A.SUBMIT), A.APPROVE, approval=bad)
    assert exc.value.field == field
    assert pa.approval_problems(D0001) == {}
    assert pa.approval_problems(replace(D0001, visits=None, site="")) == {}


@pytest.mark.parametrize("action", [A.DENY, A.DENY_APPEAL, A.UPHOLD])
def test_denials_require_a_reason(action: Action) -> None:
    state = next(s for s, moves in TRANSITIONS.items() if action in moves)
    case = walk(*PATHS[state])
    for reason in (None, "   "):
        extra = {} if reason is None else {"reason": reason}
        with pytest.raises(TransitionError) as exc:
            apply(case, action, on=next_day(case, action), by=BY, **extra)
        assert exc.value.field == "reason"


def test_cancel_requires_a_note_and_any_step_someone() -> None:
    case = walk(A.SUBMIT)
    on = date(2026, 10, 9)
    with pytest.raises(TransitionError) as exc:
        apply(case, A.CANCEL, on=on, by=BY, note="  ")
    assert (exc.value.field, str(exc.value)) == (
        "note",
        "Say in the note why the case is cancelled.",
    )
    with pytest.raises(TransitionError) as exc:
        apply(case, A.CANCEL, on=on, by=" ", note="Therapy stopped.")
    assert exc.value.field == "by"
    cancelled = apply(case, A.CANCEL, on=on, by=BY, note="Therapy stopped.")
    assert cancelled.events[-1].note == "Therapy stopped."


def test_a_step_cannot_be_dated_before_the_previous_one() -> None:
    case = walk(A.SUBMIT)  # on 10/01/2026
    with pytest.raises(TransitionError) as exc:
        apply(case, A.DENY, on=date(2026, 9, 30), by=BY, reason="x")
    assert exc.value.field == "on"
    assert "10/01/2026" in str(exc.value)
    assert apply(case, A.DENY, on=date(2026, 10, 1), by=BY, reason="x").state is State.DENIED


def test_an_approval_expires_only_after_its_end() -> None:
    case = walk(A.SUBMIT, A.APPROVE)
    with pytest.raises(TransitionError) as exc:
        apply(case, A.EXPIRE, on=D0001.end, by=BY)
    assert exc.value.field == "on"
    assert str(exc.value) == (
        "This approval runs through 04/30/2027: it can be marked expired from 05/01/2027."
    )
    expired = apply(case, A.EXPIRE, on=date(2027, 5, 1), by=BY)
    assert expired.state is State.EXPIRED and expired.approval == D0001


def test_unknown_or_mistyped_details_are_programming_errors() -> None:
    with pytest.raises(TypeError, match="follow_up"):
        apply(CaseState(), A.SUBMIT, on=START, by=BY, follow_up=START)
    with pytest.raises(TypeError):
        apply(CaseState(), A.SUBMIT, on=START, by=BY, urgent="yes")
    with pytest.raises(TypeError):
        apply(walk(A.SUBMIT), A.APPROVE, on=START, by=BY, approval={"auth_number": "1"})


def test_actions_may_be_given_as_text() -> None:
    case = apply(CaseState(), "submit", on=START, by=BY)  # type: ignore[arg-type]
    assert case.state is State.SUBMITTED and case.events[0].action is Action.SUBMIT


# --- Usage and what remains -----------------------------------------------------------------


def visit(on: date, given: int = 36, wasted: int = 4, reason: str = "") -> list[Usage]:
    """One D0001 visit: J1745 given plus JW waste, and the two infusion hours."""
    return [
        Usage(on, "J1745", given, visit=True, reason=reason),
        Usage(on, "J1745", wasted, visit=False, reason=reason),
        Usage(on, "96413", 1, visit=False),
        Usage(on, "96415", 1, visit=False),
    ]


def record(approval: Approval, usages: list[Usage], new: list[Usage]) -> None:
    for u in new:
        assert check_usage(approval, usages, u) is None, u
        usages.append(u)


def test_d0001_uses_up_its_approval() -> None:
    assert D0001.units_per_visit() == {"J1745": 40, "96413": 1, "96415": 1}
    used: list[Usage] = []
    assert remaining(D0001, used) == pa.Remaining({"J1745": 280, "96413": 7, "96415": 7}, 7, {}, 0)
    for n in range(5):
        record(D0001, used, visit(D0001.start + n * 28 * DAY))
    # the sixth visit's dose went up with the patient's weight: 44 units
    record(D0001, used, visit(date(2027, 3, 1), given=40, wasted=4))
    left = remaining(D0001, used)
    assert left == pa.Remaining({"J1745": 36, "96413": 1, "96415": 1}, 1, {}, 0)

    seventh = Usage(date(2027, 4, 12), "J1745", 40, visit=True)
    assert check_usage(D0001, used, seventh) == (
        "J1745: 36 units left, this visit uses 40 — give a reason to record it anyway."
    )
    with_reason = replace(seventh, reason="Reauthorization for 4 more units requested.")
    assert check_usage(D0001, used, with_reason) is None
    used.append(with_reason)
    left = remaining(D0001, used)
    assert left.units_by_code["J1745"] == 0
    assert left.over == {"J1745": 4}
    assert left.visits == 0 and left.visits_over == 0

    record(
        D0001, used, [Usage(seventh.on, "96413", 1, False), Usage(seventh.on, "96415", 1, False)]
    )
    eighth = Usage(date(2027, 4, 26), "J1745", 40, visit=True)
    assert check_usage(D0001, used, eighth) == (
        "J1745: no units left, this visit uses 40 — give a reason to record it anyway."
    )
    assert check_usage(D0001, used, Usage(eighth.on, "96413", 1, visit=False)) == (
        "96413: no units left, this visit uses 1 — give a reason to record it anyway."
    )


def test_a_visit_beyond_the_approved_visits_needs_a_reason() -> None:
    generous = replace(D0001, lines=(ApprovedLine("J1745", 1000),), visits=1)
    used = [Usage(date(2026, 11, 2), "J1745", 40, visit=True)]
    again = Usage(date(2026, 12, 28), "J1745", 40, visit=True)
    assert check_usage(generous, used, again) == (
        "No visits left on this approval (all 1 used) — give a reason to record it anyway."
    )
    left = remaining(generous, [*used, replace(again, reason="Payer agreed by phone.")])
    assert left.visits == 0 and left.visits_over == 1


def test_usage_checks_dates_codes_and_units() -> None:
    assert check_usage(D0001, [], Usage(date(2026, 11, 1), "J1745", 40, True)) == (
        "This approval covers 11/02/2026–04/30/2027: 11/01/2026 is outside it"
        " — give a reason to record it anyway."
    )
    assert check_usage(D0001, [], Usage(date(2027, 5, 1), "J1745", 40, True)) is not None
    assert check_usage(D0001, [], Usage(D0001.end, "J1745", 40, True)) is None
    assert check_usage(D0001, [], Usage(D0001.start, " j1745 ", 40, True)) is None
    assert check_usage(D0001, [], Usage(D0001.start, "J0135", 40, True)) == (
        "J0135 is not on this approval (J1745, 96413, 96415) — give a reason to record it anyway."
    )
    assert check_usage(D0001, [], Usage(D0001.start, "J1745", 0, True, reason="x")) == (
        "Enter the units given: a whole number greater than 0."
    )
    unlisted = Usage(D0001.start, "J0135", 40, True, reason="Switched drug, auth requested.")
    assert check_usage(D0001, [], unlisted) is None
    assert remaining(D0001, [unlisted]).over == {"J0135": 40}


def test_remaining_without_a_visit_limit() -> None:
    open_ended = replace(D0001, visits=None)
    left = remaining(open_ended, visit(D0001.start) * 3)
    assert left.visits is None and left.visits_over == 0
    assert left.units_by_code["J1745"] == 160
    assert open_ended.units_per_visit() == {}


approved_lines = st.lists(
    st.tuples(st.sampled_from(["J1745", "J0135", "96413", "96415"]), st.integers(1, 400)),
    min_size=1,
    max_size=4,
    unique_by=lambda t: t[0],
)


@st.composite
def approvals(draw: st.DrawFn) -> Approval:
    lines = draw(approved_lines)
    start = draw(st.dates(date(2025, 1, 1), date(2028, 12, 31)))
    return Approval(
        auth_number=draw(st.sampled_from(["A-778812", "PA2026-0001", "7"])),
        lines=tuple(ApprovedLine(c, n) for c, n in lines),
        visits=draw(st.none() | st.integers(1, 26)),
        start=start,
        end=start + timedelta(days=draw(st.integers(0, 400))),
        site=draw(st.sampled_from(["", "infusion_center", "home"])),
    )


@settings(max_examples=100, deadline=None)
@given(approval=approvals(), data=st.data())
def test_remaining_never_below_zero_and_overuse_has_a_reason(
    approval: Approval, data: st.DataObject
) -> None:
    attempts = data.draw(
        st.lists(
            st.builds(
                Usage,
                on=st.dates(approval.start - 10 * DAY, approval.end + 10 * DAY),
                code=st.sampled_from(["J1745", "j1745", "J0135", "96413", "96415", "J9999"]),
                units=st.integers(-2, 120),
                visit=st.booleans(),
                reason=st.sampled_from(["", "  ", "Dose increased; payer called."]),
            ),
            max_size=25,
        )
    )
    recorded: list[Usage] = []
    for u in attempts:
        if check_usage(approval, recorded, u) is not None:
            continue
        before = remaining(approval, recorded)
        recorded.append(u)
        after = remaining(approval, recorded)
        assert all(n >= 0 for n in after.units_by_code.values())
        assert after.visits is None or after.visits >= 0
        assert all(n > 0 for n in after.over.values())
        if after.over != before.over or after.visits_over != before.visits_over:
            assert u.reason.strip(), u
        if not (approval.start <= u.on <= approval.end):
            assert u.reason.strip(), u
    # what is left minus what went over is what was approved minus what was used
    final = remaining(approval, recorded)
    approved = approval.units()
    for code in set(approved) | set(final.over):
        used = sum(u.units for u in recorded if u.code.strip().upper() == code)
        assert (
            final.units_by_code.get(code, 0) - final.over.get(code, 0)
            == approved.get(code, 0) - used
        )


# --- Deadlines ------------------------------------------------------------------------------


def test_appeal_deadline() -> None:
    # No single 180-day default any more: the days come from appeal_window (by plan type).
    # 10/20/2026 + 180: 11 left in October, 30, 31, 31, 28, 31 (to 03/31) = 162, + 18 → 04/18/2027
    assert pa.appeal_deadline(date(2026, 10, 20), 180) == date(2027, 4, 18)
    assert pa.appeal_deadline(date(2026, 10, 20), appeal_days=65) == date(2026, 12, 24)


@pytest.mark.parametrize(
    ("final_denial", "deadline"),
    [
        (date(2026, 10, 15), date(2027, 2, 15)),
        # no February 31: the first day of the fifth month (45 CFR 147.136(d)(2)(i))
        (date(2026, 10, 31), date(2027, 3, 1)),
        (date(2026, 10, 29), date(2027, 3, 1)),
        (date(2027, 10, 29), date(2028, 2, 29)),
        (date(2026, 10, 28), date(2027, 2, 28)),
        (date(2026, 12, 31), date(2027, 5, 1)),
        (date(2026, 8, 31), date(2026, 12, 31)),
        (date(2026, 9, 30), date(2027, 1, 30)),
        (date(2026, 1, 1), date(2026, 5, 1)),
    ],
)
def test_external_review_deadline(final_denial: date, deadline: date) -> None:
    assert pa.external_review_deadline(final_denial) == deadline


@settings(max_examples=300)
@given(st.dates(date(1990, 1, 1), date(2200, 12, 31)))
def test_external_review_deadline_is_four_months_on(final_denial: date) -> None:
    deadline = pa.external_review_deadline(final_denial)
    assert 119 <= (deadline - final_denial).days <= 123
    months = (deadline.year - final_denial.year) * 12 + deadline.month - final_denial.month
    if deadline.day == final_denial.day:
        assert months == 4
    else:  # no such day 4 months on: the first of the month after
        assert (months, deadline.day) == (5, 1) and final_denial.day > 28


@pytest.mark.parametrize(
    ("plan_type", "urgent", "due"),
    [
        # Medicare Advantage, Part B drug (every infused drug here): 72 hours standard, 24 hours
        # expedited (42 CFR 422.568, 422.572) — was 7 days / 72 hours, the rule for items and
        # services. Monday 03/02 + 72 h → Thursday 03/05; + 24 h → Tuesday 03/03.
        ("medicare_advantage", False, date(2026, 3, 5)),
        ("medicare_advantage", True, date(2026, 3, 3)),
        ("medicaid", False, date(2026, 3, 9)),
        ("medicaid_managed_care", False, date(2026, 3, 9)),
        ("medicaid_managed_care", True, date(2026, 3, 5)),
        ("marketplace", False, date(2026, 3, 17)),
        ("marketplace", True, date(2026, 3, 5)),
        ("commercial", False, date(2026, 3, 17)),
        ("commercial", True, date(2026, 3, 5)),
        ("employer_self_funded", False, date(2026, 3, 17)),
        ("medigap", False, date(2026, 3, 17)),
        ("", False, date(2026, 3, 17)),
    ],
)
def test_decision_due(plan_type: str, urgent: bool, due: date) -> None:
    assert pa.decision_due(date(2026, 3, 2), plan_type, urgent) == due


def test_appeal_decision_due() -> None:
    assert pa.appeal_decision_due(date(2026, 11, 2), urgent=False) == date(2026, 12, 2)
    assert pa.appeal_decision_due(date(2026, 11, 2), urgent=True) == date(2026, 11, 5)


# --- Reminders ------------------------------------------------------------------------------


def approved_case() -> CaseState:
    return walk(A.SUBMIT, A.APPROVE)


def kinds(reminders: list[pa.Reminder]) -> list[ReminderKind]:
    return [r.kind for r in reminders]


@pytest.mark.parametrize(
    ("today", "due_on", "severity"),
    [
        (date(2026, 12, 1), date(2027, 3, 1), "info"),  # far ahead: the 60-day point
        (date(2027, 2, 20), date(2027, 3, 1), "soon"),
        (date(2027, 3, 1), date(2027, 3, 1), "due"),  # 60 days before the end
        (date(2027, 3, 2), date(2027, 3, 31), "info"),  # next: 30 days before
        (date(2027, 3, 17), date(2027, 3, 31), "soon"),
        (date(2027, 3, 31), date(2027, 3, 31), "due"),  # 30 days before
        (date(2027, 4, 1), date(2027, 4, 23), "info"),  # next: 7 days before
        (date(2027, 4, 9), date(2027, 4, 23), "soon"),
        (date(2027, 4, 23), date(2027, 4, 23), "due"),  # 7 days before
        (date(2027, 4, 24), date(2027, 4, 30), "soon"),  # the end itself
        (date(2027, 4, 30), date(2027, 4, 30), "due"),
        (date(2027, 5, 1), date(2027, 4, 30), "overdue"),  # expired
    ],
)
def test_reauth_reminders_at_60_30_and_7_days(today: date, due_on: date, severity: str) -> None:
    found = [
        r
        for r in pa.reminders(approved_case(), today=today, usages=(), plan_type="commercial")
        if r.kind is ReminderKind.REAUTH
    ]
    assert [(r.due_on, r.severity) for r in found] == [(due_on, severity)]
    text = found[0].text
    assert text.startswith("Authorization A-778812 ")
    assert ("expired" in text) == (today > D0001.end)


def test_reauth_texts() -> None:
    case = approved_case()
    [r] = pa.reminders(case, today=date(2027, 4, 1), usages=(), plan_type="commercial")
    # was "request the reauthorization now." under the label "Later" (info): the words now
    # name the reminder's own due date, 7 days before the end (04/30 − 7 = 04/23)
    assert r.severity == "info"
    assert r.text == (
        "Authorization A-778812 ends 04/30/2027 (in 29 days): request the reauthorization"
        " by 04/23/2027 at the latest."
    )
    [r] = pa.reminders(case, today=date(2027, 3, 31), usages=(), plan_type="commercial")
    assert (r.severity, r.text.endswith("request the reauthorization today.")) == ("due", True)
    [r] = pa.reminders(case, today=date(2026, 12, 1), usages=(), plan_type="commercial")
    assert r.text.endswith("request the reauthorization from 03/01/2027.")
    [r] = pa.reminders(case, today=date(2027, 5, 3), usages=(), plan_type="commercial")
    assert r.text == (
        "Authorization A-778812 ended 04/30/2027: it has expired. Request a new authorization"
        " before the next visit, then mark this one expired."
    )


def test_low_remaining() -> None:
    case = approved_case()
    today = date(2027, 3, 2)
    used = [u for n in range(5) for u in visit(D0001.start + n * 28 * DAY)]
    assert ReminderKind.LOW_REMAINING not in kinds(
        pa.reminders(case, today=today, usages=used, plan_type="commercial")
    )
    used += visit(date(2027, 3, 1))  # the sixth visit: one left
    low = [
        r
        for r in pa.reminders(case, today=today, usages=used, plan_type="commercial")
        if r.kind is ReminderKind.LOW_REMAINING
    ]
    assert [(r.due_on, r.severity) for r in low] == [(today, "due")]
    assert low[0].text == (
        "Authorization A-778812: 1 visit left of 7. Ask the payer for more before the next visit."
    )
    # five visits, but larger doses: fewer J1745 units left than one visit's 40
    heavy = [u for n in range(5) for u in visit(D0001.start + n * 28 * DAY, given=48)]
    [r] = [
        r
        for r in pa.reminders(case, today=today, usages=heavy, plan_type="commercial")
        if r.kind is ReminderKind.LOW_REMAINING
    ]
    assert "J1745: 20 units left, less than one visit (40)" in r.text
    assert "visit left" not in r.text
    # a wider threshold: two visits left is low too
    two_left = [u for n in range(5) for u in visit(D0001.start + n * 28 * DAY)]
    assert ReminderKind.LOW_REMAINING in kinds(
        pa.reminders(case, today=today, usages=two_left, plan_type="commercial", low_units_visits=2)
    )
    # past the end only the expiry is said
    assert kinds(
        pa.reminders(case, today=date(2027, 5, 2), usages=used, plan_type="commercial")
    ) == [ReminderKind.REAUTH]


def test_pending_case_reminders() -> None:
    case = walk(A.SUBMIT, A.PEND)  # submitted 10/01/2026, pended 10/02, follow-up 10/09
    found = pa.reminders(case, today=date(2026, 10, 5), usages=(), plan_type="medicare_advantage")
    # Medicare Advantage, Part B drug: 72 hours (was 7 days): 10/01 + 3 days = 10/04, overdue
    # on 10/05.
    assert [(r.kind, r.due_on, r.severity) for r in found] == [
        (ReminderKind.DECISION_DUE, date(2026, 10, 4), "overdue"),
        (ReminderKind.FOLLOW_UP, date(2026, 10, 9), "soon"),
    ]
    assert found[0].text == (
        "The payer's decision is due by 10/04/2026 (72 hours for a standard Part B drug request"
        " to Medicare Advantage). Call the payer."
    )
    assert found[1].text == (
        "Follow up with the payer on 10/09/2026: they asked for more information."
    )
    late = pa.reminders(case, today=date(2026, 10, 20), usages=(), plan_type="commercial")
    assert [(r.kind, r.severity) for r in late] == [
        (ReminderKind.FOLLOW_UP, "overdue"),
        (ReminderKind.DECISION_DUE, "overdue"),
    ]
    assert late[1].text.endswith("Call the payer.")
    assert "15 days for a standard request to Commercial" in late[1].text


def test_urgent_and_appeal_decision_reminders() -> None:
    urgent = step(CaseState(), A.SUBMIT, urgent=True)
    [r] = pa.reminders(urgent, today=START, usages=(), plan_type="commercial")
    assert (r.kind, r.due_on) == (ReminderKind.DECISION_DUE, START + 3 * DAY)
    assert "(3 days for an urgent request to Commercial)" in r.text
    appealed = walk(*PATHS[State.APPEAL_SUBMITTED])  # appeal on 10/03/2026
    [r] = pa.reminders(appealed, today=START, usages=(), plan_type="commercial")
    assert (r.kind, r.due_on) == (ReminderKind.DECISION_DUE, date(2026, 11, 2))
    assert r.text == "The payer's decision on the appeal is due by 11/02/2026."


def test_appeal_and_external_review_reminders() -> None:
    denied = apply(walk(A.SUBMIT), A.DENY, on=date(2026, 10, 20), by=BY, reason="No LMN.")
    [r] = pa.reminders(denied, today=date(2026, 10, 21), usages=(), plan_type="commercial")
    assert (r.kind, r.due_on, r.severity) == (
        ReminderKind.APPEAL_DUE,
        date(2027, 4, 18),
        "info",
    )
    # the text now names where the 180 days come from (the plan type's rule)
    assert r.text == (
        "Appeal the denial by 04/18/2027 (180 days after the denial on 10/20/2026: commercial"
        " plan internal appeal)."
    )
    # Medicare Advantage: 65 days by the plan type itself (the caller passed 65 before):
    # 10/20 + 65 = 11 (Oct) + 30 (Nov) + 24 → 12/24/2026
    [r] = pa.reminders(denied, today=date(2026, 12, 20), usages=(), plan_type="medicare_advantage")
    assert (r.due_on, r.severity) == (date(2026, 12, 24), "soon")

    appealed = apply(denied, A.APPEAL, on=date(2026, 11, 2), by=BY)
    final = apply(appealed, A.DENY_APPEAL, on=date(2026, 10, 31) + 30 * DAY, by=BY, reason="x")
    [r] = pa.reminders(final, today=date(2027, 4, 1), usages=(), plan_type="commercial")
    assert (r.kind, r.due_on, r.severity) == (
        ReminderKind.EXTERNAL_REVIEW_DUE,
        date(2027, 3, 30),
        "overdue",
    )
    assert r.text == (
        "Request an external review by 03/30/2027 (4 months after the final internal denial"
        " on 11/30/2026)."
    )


@pytest.mark.parametrize("state", [State.DRAFT, State.EXPIRED, State.CANCELLED])
def test_no_reminders(state: State) -> None:
    case = walk(*PATHS[state])
    assert pa.reminders(case, today=date(2027, 6, 1), usages=(), plan_type="commercial") == []


def test_severity() -> None:
    today = date(2026, 11, 27)
    assert pa.severity(today - DAY, today) == "overdue"
    assert pa.severity(today, today) == "due"
    assert pa.severity(today + 14 * DAY, today) == "soon"
    assert pa.severity(today + 15 * DAY, today) == "info"


# --- Documents ------------------------------------------------------------------------------


def test_missing_documents() -> None:
    K = DocumentKind
    assert pa.missing_documents([]) == [
        K.LETTER_OF_MEDICAL_NECESSITY,
        K.CLINICAL_NOTES,
        K.INSURANCE_CARD,
        K.SIGNED_ORDER,
    ]
    everything = [K.LETTER_OF_MEDICAL_NECESSITY, K.CLINICAL_NOTES, K.INSURANCE_CARD, K.SIGNED_ORDER]
    assert pa.missing_documents(everything) == []  # labs and step therapy are only recommended
    assert set(pa.RECOMMENDED) == {K.LAB_RESULTS, K.STEP_THERAPY_HISTORY}
    assert pa.missing_documents(everything, for_appeal=True) == [K.APPEAL_LETTER, K.PAYER_LETTER]
    as_text = ["signed_order", "clinical_notes", "payer_letter", "nonsense"]
    assert pa.missing_documents(as_text, for_appeal=True) == [
        K.LETTER_OF_MEDICAL_NECESSITY,
        K.INSURANCE_CARD,
        K.APPEAL_LETTER,
    ]


# --- The state machine, explored ------------------------------------------------------------


class CaseMachine(RuleBasedStateMachine):
    """Any sequence of actions from a draft, allowed or not, with valid details."""

    def __init__(self) -> None:
        super().__init__()
        self.case = CaseState()
        self.today = START

    @rule(action=st.sampled_from(list(Action)), gap=st.integers(0, 90), data=st.data())
    def act(self, action: Action, gap: int, data: st.DataObject) -> None:
        on = self.today + gap * DAY
        details: dict[str, Any] = {}
        if action is Action.PEND:
            details["follow_up"] = on + data.draw(st.integers(0, 30)) * DAY
        elif action in pa.APPROVING_ACTIONS:
            allowed_now = action in allowed_actions(self.case.state, self.case.events)
            details["approval"] = data.draw(approvals()) if allowed_now else D0001
        elif action in pa.DENYING_ACTIONS:
            details["reason"] = data.draw(st.sampled_from(["No LMN.", "Not covered."]))
        elif action in (Action.SUBMIT, Action.APPEAL, Action.REQUEST_EXTERNAL_REVIEW):
            urgent = data.draw(st.none() | st.booleans())
            if urgent is not None:
                details["urgent"] = urgent
        if action is Action.EXPIRE and self.case.approval is not None:
            on = max(on, self.case.approval.end + DAY)
        before = self.case
        allowed = allowed_actions(before.state, before.events)
        if action in allowed:
            after = apply(before, action, on=on, by="Tester", note="Why.", **details)
            assert before.state not in pa.TERMINAL_STATES
            assert after.state is TRANSITIONS[before.state][action]
            assert after.events[:-1] == before.events
            assert after.events[-1].action is action
            self.case, self.today = after, on
        else:
            with pytest.raises(TransitionError) as exc:
                apply(before, action, on=on, by="Tester", note="Why.", **details)
            assert exc.value.allowed == tuple(allowed)
            assert str(exc.value).endswith(".")
            assert self.case is before
            assert self.case == before

    @invariant()
    def history_explains_the_state(self) -> None:
        case = self.case
        events = case.events
        assert case.state is (events[-1].to_state if events else State.DRAFT)
        for a, b in zip(events, events[1:], strict=False):
            assert a.to_state is b.from_state and a.on <= b.on
        for e in events:
            assert TRANSITIONS[e.from_state][e.action] is e.to_state

    @invariant()
    def terminal_states_are_final(self) -> None:
        if self.case.state in pa.TERMINAL_STATES:
            assert allowed_actions(self.case.state, self.case.events) == []
        else:
            assert Action.CANCEL in allowed_actions(self.case.state, self.case.events)

    @invariant()
    def fields_follow_the_state(self) -> None:
        case = self.case
        assert (case.follow_up is not None) == (case.state is State.PENDING)
        if case.state in pa.APPROVAL_STATES or case.state is State.EXPIRED:
            assert case.approval is not None
        if case.state is State.DENIED:
            assert case.denied_on is not None and case.denial_reason
        if case.state is State.APPEAL_DENIED:
            assert case.final_internal_denial_on is not None
        actions = [e.action for e in case.events]
        assert actions.count(Action.APPEAL) <= pa.MAX_INTERNAL_APPEALS
        assert actions.count(Action.REQUEST_EXTERNAL_REVIEW) <= 1
        assert actions.count(Action.SUBMIT) <= 1

    @invariant()
    def reminders_are_well_formed(self) -> None:
        found = pa.reminders(self.case, today=self.today, usages=(), plan_type="commercial")
        assert found == sorted(found, key=lambda r: r.due_on)
        for r in found:
            assert r.severity == pa.severity(r.due_on, self.today)
            assert r.text.endswith(".")
        if self.case.state in pa.TERMINAL_STATES or self.case.state is State.DRAFT:
            assert found == []


CaseMachine.TestCase.settings = settings(max_examples=100, stateful_step_count=25, deadline=None)
test_case_machine = CaseMachine.TestCase


@given(st.dates(min_value=date(2026, 11, 1), max_value=date(2027, 4, 30)))
def test_a_reauth_reminder_says_now_only_when_it_is_due(today: date) -> None:
    """The words and the label agree: "today" only when due today, never "now" while the
    reminder's label is Soon or Later, and its date is the reminder's due date."""
    [r] = [
        r
        for r in pa.reminders(approved_case(), today=today, usages=(), plan_type="commercial")
        if r.kind is ReminderKind.REAUTH
    ]
    assert "now" not in r.text
    assert r.text.endswith(" today.") == (r.severity == "due")
    if r.severity in ("soon", "info") and "at the latest" in r.text:
        assert us_date(r.due_on) in r.text
