"""Appeal windows, next steps and decision clocks by plan type (issue 9, deadlines)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infudesk.domain import prior_auth as pa
from infudesk.domain.coverage import PLAN_TYPE_LABELS, PlanType
from infudesk.domain.prior_auth import Action, CaseState, ReminderKind, State, TransitionError

BY = "test.clerk"
DENIED_ON = date(2026, 11, 20)


def denied(plan_type: str, **deny: Any) -> CaseState:
    case = CaseState(plan_type=plan_type)
    case = pa.apply(case, Action.SUBMIT, on=date(2026, 11, 2), by=BY)
    return pa.apply(case, Action.DENY, on=DENIED_ON, by=BY, reason="Not necessary.", **deny)


def upheld(plan_type: str, on: date = date(2027, 1, 10)) -> CaseState:
    case = pa.apply(denied(plan_type), Action.APPEAL, on=date(2026, 12, 1), by=BY)
    return pa.apply(case, Action.DENY_APPEAL, on=on, by=BY, reason="Upheld.")


def test_every_plan_type_has_a_rule() -> None:
    assert set(pa.APPEAL_RULES) == set(PLAN_TYPE_LABELS)


@pytest.mark.parametrize(
    ("plan_type", "deadline", "label"),
    [
        # 11/20/2026 + 60: 10 days left in November, 31 in December (41), + 19 → 01/19/2027
        (PlanType.MEDICAID_MANAGED_CARE, date(2027, 1, 19), "60 days — Medicaid plan appeal"),
        (PlanType.MEDICAID, date(2027, 1, 19), "60 days — Medicaid plan appeal"),
        # + 65: 41 to 12/31, + 24 → 01/24/2027
        (
            PlanType.MEDICARE_ADVANTAGE,
            date(2027, 1, 24),
            "65 days — Medicare Advantage reconsideration",
        ),
        # + 120: 41, + 31 (Jan) + 28 (Feb) = 100, + 20 → 03/20/2027
        (
            PlanType.MEDICARE_PART_B,
            date(2027, 3, 20),
            "120 days — Original Medicare redetermination",
        ),
        # + 180: 41, + 31 + 28 + 31 + 30 = 161 (to 04/30), + 19 → 05/19/2027
        (PlanType.COMMERCIAL, date(2027, 5, 19), "180 days — commercial plan internal appeal"),
        (
            PlanType.EMPLOYER_SELF_FUNDED,
            date(2027, 5, 19),
            "180 days — employer plan internal appeal",
        ),
        (
            PlanType.MARKETPLACE,
            date(2027, 5, 19),
            "180 days — marketplace (ACA) plan internal appeal",
        ),
        # an unknown plan type follows the commercial rules
        ("", date(2027, 5, 19), "180 days — commercial plan internal appeal"),
    ],
)
def test_appeal_window_by_plan_type(plan_type: str, deadline: date, label: str) -> None:
    case = denied(plan_type)
    window = pa.case_appeal_window(case)
    assert window.label == label
    assert pa.appeal_deadline(DENIED_ON, window.days) == deadline
    [r] = pa.reminders(case, today=DENIED_ON, usages=())
    assert (r.kind, r.due_on) == (ReminderKind.APPEAL_DUE, deadline)
    assert pa.appeal_by_text(case) == f"Appeal by {deadline:%m/%d/%Y} — {label}"


def test_the_medicaid_case_of_the_issue() -> None:
    # Before: "appeal by 05/19/2027 (180 days)" for a Medicaid managed-care denial of 11/20/2026.
    # After: 60 days → 01/19/2027 (10 + 31 + 19).
    case = denied(PlanType.MEDICAID_MANAGED_CARE)
    [r] = pa.reminders(case, today=date(2026, 11, 21), usages=())
    assert r.text == (
        "Appeal the denial by 01/19/2027 (60 days after the denial on 11/20/2026: Medicaid plan"
        " appeal)."
    )


def test_letter_window_wins_over_payer_setting_wins_over_plan_type() -> None:
    mc = PlanType.MEDICAID_MANAGED_CARE
    assert pa.appeal_window(mc).label == "60 days — Medicaid plan appeal"
    assert pa.appeal_window(mc, payer_days=45).label == "45 days — payer setting"
    assert (
        pa.appeal_window(mc, payer_days=45, letter_days=90).label
        == "90 days — stated on the denial letter"
    )
    assert pa.appeal_window(mc, letter_days=90).days == 90
    # on a case: the letter's window is kept by the deny step
    case = denied(mc, appeal_days=90)
    assert case.letter_appeal_days == 90
    # 11/20/2026 + 90: 41 to 12/31, + 31 (Jan) = 72, + 18 → 02/18/2027
    [r] = pa.reminders(case, today=DENIED_ON, usages=(), payer_appeal_days=45)
    assert r.due_on == date(2027, 2, 18)
    assert "stated on the denial letter" in r.text
    # payer setting without a letter window: 11/20 + 45 = 41 + 4 → 01/04/2027
    [r] = pa.reminders(denied(mc), today=DENIED_ON, usages=(), payer_appeal_days=45)
    assert r.due_on == date(2027, 1, 4)
    assert pa.appeal_by_text(denied(mc), 45) == "Appeal by 01/04/2027 — 45 days — payer setting"


@pytest.mark.parametrize("days", [0, 366, -5])
def test_a_letter_window_out_of_range_is_refused(days: int) -> None:
    with pytest.raises(TransitionError, match="1 to 365 days") as err:
        denied(PlanType.COMMERCIAL, appeal_days=days)
    assert err.value.field == "appeal_days"
    assert pa.check_appeal_days(days) is not None
    assert pa.check_appeal_days(None) is None
    assert pa.check_appeal_days(1) is None and pa.check_appeal_days(365) is None


@given(
    st.sampled_from([*PLAN_TYPE_LABELS, ""]),
    st.none() | st.integers(1, 365),
    st.none() | st.integers(1, 365),
)
def test_the_window_is_the_first_one_given(
    plan_type: str, payer: int | None, letter: int | None
) -> None:
    window = pa.appeal_window(plan_type, payer_days=payer, letter_days=letter)
    expected = letter if letter is not None else payer if payer is not None else None
    if expected is None:
        assert window.days in (60, 65, 120, 180)
    else:
        assert window.days == expected
    assert 1 <= window.days <= 365


@pytest.mark.parametrize(
    "plan_type",
    [
        PlanType.MEDICARE_ADVANTAGE,
        PlanType.MEDICAID,
        PlanType.MEDICAID_MANAGED_CARE,
        PlanType.MEDICARE_PART_B,
        PlanType.MEDIGAP,
    ],
)
def test_external_review_is_not_offered_outside_commercial_plans(plan_type: str) -> None:
    case = upheld(plan_type)
    assert case.state is State.APPEAL_DENIED
    assert Action.REQUEST_EXTERNAL_REVIEW not in pa.allowed_actions(
        case.state, case.events, plan_type
    )
    with pytest.raises(TransitionError, match="not sent to external review"):
        pa.apply(case, Action.REQUEST_EXTERNAL_REVIEW, on=date(2027, 1, 11), by=BY)
    kinds = [r.kind for r in pa.reminders(case, today=date(2027, 1, 11), usages=())]
    assert ReminderKind.EXTERNAL_REVIEW_DUE not in kinds
    assert "external review" not in pa.next_step_text(plan_type)


@pytest.mark.parametrize(
    "plan_type", [PlanType.COMMERCIAL, PlanType.EMPLOYER_SELF_FUNDED, PlanType.MARKETPLACE, ""]
)
def test_external_review_for_commercial_plans(plan_type: str) -> None:
    case = upheld(plan_type)
    assert Action.REQUEST_EXTERNAL_REVIEW in pa.allowed_actions(case.state, case.events, plan_type)
    [r] = pa.reminders(case, today=date(2027, 1, 11), usages=())
    # 4 months after 01/10/2027 → 05/10/2027
    assert (r.kind, r.due_on) == (ReminderKind.EXTERNAL_REVIEW_DUE, date(2027, 5, 10))
    assert pa.next_step(plan_type) is pa.NextStep.EXTERNAL_REVIEW
    assert pa.next_step_text(plan_type, date(2027, 1, 10)).endswith("(by 05/10/2027).")
    after = pa.apply(case, Action.REQUEST_EXTERNAL_REVIEW, on=date(2027, 1, 11), by=BY)
    assert after.state is State.EXTERNAL_REVIEW


def test_medicare_advantage_goes_to_the_ire_by_itself() -> None:
    case = upheld(PlanType.MEDICARE_ADVANTAGE)
    assert pa.next_step(PlanType.MEDICARE_ADVANTAGE) is pa.NextStep.IRE_AUTOMATIC
    assert pa.reminders(case, today=date(2027, 1, 11), usages=()) == []  # nothing to file
    text = pa.next_step_text(PlanType.MEDICARE_ADVANTAGE, date(2027, 1, 10))
    assert "independent review entity (IRE) automatically" in text
    assert "nothing to file" in text


def test_medicaid_state_fair_hearing_reminder() -> None:
    case = upheld(PlanType.MEDICAID_MANAGED_CARE)
    [r] = pa.reminders(case, today=date(2027, 1, 11), usages=())
    # 01/10/2027 + 120: 21 left in January, + 28 + 31 = 80 (to 03/31), + 30 = 110 (to 04/30),
    # + 10 → 05/10/2027
    assert (r.kind, r.due_on) == (ReminderKind.FAIR_HEARING_DUE, date(2027, 5, 10))
    assert r.text == (
        "Ask the state for a fair hearing by 05/10/2027 (120 days after the plan's appeal"
        " decision on 01/10/2027)."
    )
    assert "state fair hearing" in pa.next_step_text(PlanType.MEDICAID, date(2027, 1, 10))
    assert pa.next_step_text(PlanType.MEDICAID, date(2027, 1, 10)).endswith("(by 05/10/2027).")


def test_original_medicare_next_level_is_a_qic() -> None:
    # 01/10/2027 + 180: 21 + 28 + 31 + 30 + 31 = 141 (to 05/31), + 30 = 171 (to 06/30),
    # + 9 → 07/09/2027
    text = pa.next_step_text(PlanType.MEDICARE_PART_B, date(2027, 1, 10))
    assert "Qualified Independent Contractor (QIC)" in text
    assert text.endswith("within 180 days (by 07/09/2027).")
    assert pa.reminders(upheld(PlanType.MEDICARE_PART_B), today=date(2027, 1, 11), usages=()) == []


@pytest.mark.parametrize(
    ("plan_type", "urgent", "hours", "due"),
    [
        # Medicare Advantage, Part B drug: 72 h standard → Mon 03/02 + 3 days = Thu 03/05
        (PlanType.MEDICARE_ADVANTAGE, False, 72, date(2026, 3, 5)),
        # 24 h expedited → Tue 03/03
        (PlanType.MEDICARE_ADVANTAGE, True, 24, date(2026, 3, 3)),
        # Medicaid (CMS-0057-F): 7 days / 72 h
        (PlanType.MEDICAID_MANAGED_CARE, False, 168, date(2026, 3, 9)),
        (PlanType.MEDICAID, True, 72, date(2026, 3, 5)),
        # marketplace and commercial: 15 days / 72 h
        (PlanType.MARKETPLACE, False, 360, date(2026, 3, 17)),
        (PlanType.COMMERCIAL, True, 72, date(2026, 3, 5)),
    ],
)
def test_decision_clocks(plan_type: str, urgent: bool, hours: int, due: date) -> None:
    assert pa.decision_hours(plan_type, urgent) == hours
    assert pa.decision_due(date(2026, 3, 2), plan_type, urgent) == due


def test_medicare_advantage_decision_reminder_says_hours() -> None:
    case = pa.apply(
        CaseState(plan_type=PlanType.MEDICARE_ADVANTAGE),
        Action.SUBMIT,
        on=date(2026, 3, 2),
        by=BY,
        urgent=True,
    )
    [r] = pa.reminders(case, today=date(2026, 3, 2), usages=())
    assert r.due_on == date(2026, 3, 3)
    assert r.text == (
        "The payer's decision is due by 03/03/2026 (24 hours for an urgent Part B drug request"
        " to Medicare Advantage)."
    )


def test_plan_type_defaults_hint() -> None:
    hint = pa.plan_type_defaults_hint()
    assert "Commercial, Employer self-funded, Marketplace (ACA): 180" in hint
    assert "Medicare Advantage: 65" in hint
    assert "Medicaid, Medicaid managed care: 60" in hint
    assert "Medicare Part B (Original Medicare), Medigap (Medicare Supplement): 120" in hint
