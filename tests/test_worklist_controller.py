"""The Worklist's controller without Qt: texts, colors, sorting, filters, counts, actions."""

from __future__ import annotations

from datetime import date, timedelta

from infudesk.domain.worklist import (
    Blocker,
    BlockerKind,
    Target,
    Task,
    TaskKind,
    TaskStatus,
    VisitRow,
    not_recorded,
)
from infudesk.ui.worklist import controller as c

TODAY = date(2026, 11, 27)  # a Friday


def visit(
    vid: int, on: date, *, payer: str = "Lakeshore Health PPO", status: str = "planned", n: int = 0
) -> VisitRow:
    blockers = tuple(
        Blocker(
            BlockerKind.UNVERIFIED,
            f"Benefits not verified ({i})",
            "Verify now…",
            Target("verification", 1, None, 2, 3),
        )
        for i in range(n)
    )
    return VisitRow(
        vid, 1, f"Patient {vid}", f"M{vid}", on, 3, "Infliximab", "office", payer, status, blockers
    )


def task(
    key: str, due: date, *, assignee: str | None = None, status: str = "open", payer: str = "A"
) -> Task:
    return Task(
        key,
        TaskKind.PA_FOLLOW_UP,
        "Call the payer",
        due,
        1,
        "Pat",
        payer,
        assignee,
        status,
        Target("prior_auth", 1, 9),
    )


def test_day_texts() -> None:
    assert c.day_text(TODAY, TODAY) == "Today"
    assert c.day_text(date(2026, 11, 28), TODAY) == "Tomorrow"
    assert c.day_text(date(2026, 11, 30), TODAY) == "Mon 11/30"
    assert c.day_text(date(2027, 1, 4), TODAY) == "Mon 01/04/2027"


def test_readiness_texts_colors_and_order() -> None:
    ready = visit(1, TODAY)
    one = visit(2, TODAY, n=1)
    two = visit(3, TODAY, n=2)
    given = visit(4, TODAY, status="given")
    assert c.readiness_text(ready) == "Ready"
    assert c.readiness_text(one) == "Benefits not verified (0)"
    assert c.readiness_text(two) == "2 to do: Benefits not verified (0)"
    assert c.readiness_text(given) == "Given"
    assert c.readiness_color(ready) == c.READY_COLOR
    assert c.readiness_color(two) == c.BLOCKED_COLOR
    assert c.readiness_color(given) == c.DONE_COLOR
    rows = sorted([given, ready, one, two], key=c.VISIT_SORT["readiness"])
    assert [r.visit_id for r in rows] == [3, 2, 1, 4]
    assert "• Benefits not verified (1)" in c.visit_tooltip(two)
    assert all(c.visit_text(two, f, TODAY) for f in c.VISIT_FIELDS)


def test_visit_filters_and_summary() -> None:
    rows = [
        visit(1, TODAY),
        visit(2, TODAY, n=1, payer="Self-pay"),
        visit(3, TODAY, status="cancelled"),
        visit(4, TODAY, status="arrived", n=1),
    ]

    def ids(f: c.VisitFilter) -> list[int]:
        return [v.visit_id for v in c.filter_visits(rows, f)]

    assert ids(c.VisitFilter()) == [1, 2, 4]
    assert ids(c.VisitFilter(readiness=c.Readiness.BLOCKED)) == [2, 4]
    assert ids(c.VisitFilter(readiness=c.Readiness.READY)) == [1]
    assert ids(c.VisitFilter(readiness=c.Readiness.DONE)) == [3]
    assert ids(c.VisitFilter(readiness=c.Readiness.ALL)) == [1, 2, 3, 4]
    assert ids(c.VisitFilter(payer="Self-pay")) == [2]
    assert c.visits_summary(rows, 3, 14) == (
        "3 visits to come in the next 14 days · 2 blocked · 1 ready · 3 shown"
    )
    assert "No visits planned in the next 14 days" in c.empty_visits_text(0, c.VisitFilter(), 14)
    assert "No visits planned in the next 1 day." in c.empty_visits_text(0, c.VisitFilter(), 1)
    assert c.visits_summary([], 0, 1).startswith("0 visits to come in the next 1 day ")
    # a past visit nobody recorded is not one to come: counted apart
    gone = VisitRow(
        9, 1, "Patient 9", "M9", TODAY - timedelta(days=3), 3, "Infliximab", "office", "A",
        "planned", (not_recorded(1, TODAY - timedelta(days=3), "planned", TODAY),),
    )  # fmt: skip
    assert c.ref_of(gone).blockers == ()  # recording it is what the action does
    assert c.ref_of(rows[1]).blockers == ("Benefits not verified (0)",)
    assert c.visits_summary([*rows, gone], 4, 14) == (
        "3 visits to come in the next 14 days · 2 blocked · 1 ready · 1 past visit not "
        "recorded · 4 shown"
    )
    assert "every visit is ready" in c.empty_visits_text(
        4, c.VisitFilter(readiness=c.Readiness.BLOCKED), 14
    )


def test_actions_by_status() -> None:
    a = c.VisitAction
    assert c.enabled_actions("planned") == {
        a.ARRIVED: True,
        a.GIVEN: True,
        a.CANCEL: True,
        a.RESCHEDULE: True,
    }
    assert c.enabled_actions("arrived") == {
        a.ARRIVED: True,  # Undo arrival
        a.GIVEN: True,
        a.CANCEL: True,
        a.RESCHEDULE: False,
    }
    assert not any(c.enabled_actions("given").values())
    assert not any(c.enabled_actions("cancelled").values())
    assert not any(c.enabled_actions(None).values())


def test_actions_by_day() -> None:
    """Arrived on the visit's day only; Given on its day or late, never ahead; the buttons
    say why on a day that does not allow them."""
    a = c.VisitAction
    day = date(2026, 12, 8)  # a Tuesday
    before, after = day - timedelta(days=1), day + timedelta(days=1)
    assert c.enabled_actions("planned", day, day) == dict.fromkeys(a, True)
    ahead = c.enabled_actions("planned", day, before)
    assert ahead == {a.ARRIVED: False, a.GIVEN: False, a.CANCEL: True, a.RESCHEDULE: True}
    late = c.enabled_actions("planned", day, after)
    assert late == {a.ARRIVED: False, a.GIVEN: True, a.CANCEL: True, a.RESCHEDULE: True}
    assert c.enabled_actions("arrived", day, after)[a.GIVEN]
    # an arrival is undone any day; the button says so
    assert c.enabled_actions("arrived", day, after)[a.ARRIVED]
    assert c.action_label(a.ARRIVED, "arrived") == "Undo arrival"
    assert c.action_label(a.ARRIVED, "planned") == c.action_label(a.ARRIVED, None) == "Arrived"
    assert "back to planned" in c.action_tips("arrived", day, after)[a.ARRIVED]
    ref = c.VisitRef(5, day, "Lee, Ann", "Infliximab", "arrived")
    assert c.done_text(a.ARRIVED, ref) == (
        "Lee, Ann's arrival is undone: Lee, Ann's visit of 12/08/2026 is planned again."
    )
    assert not any(c.enabled_actions("given", day, day).values())
    tips = c.action_tips("planned", day, before)
    assert tips[a.ARRIVED] == "Arrived is recorded on the visit's day, Tue 12/08/2026."
    assert tips[a.GIVEN] == "Given is recorded on or after the visit's day, Tue 12/08/2026."
    assert tips[a.CANCEL] == tips[a.RESCHEDULE] == ""
    assert not any(c.action_tips("planned", day, day).values())
    assert c.action_tips("given", day, before)[a.GIVEN] == ""  # the status says it already
    # the words match the service's rule at every distance from the day
    for delta in range(-3, 4):
        today = day + timedelta(days=delta)
        got = c.enabled_actions("planned", day, today)
        assert got[a.ARRIVED] == (delta == 0) and got[a.GIVEN] == (delta >= 0)


def test_prompts_and_checks() -> None:
    text = c.over_approved_prompt(["J1745: 40 units approved, this visit makes 44."])
    assert "• J1745: 40 units approved" in text and "Say why" in text
    assert c.check_reason("  ") is not None
    assert c.check_reason("Payer extended by phone") is None
    assert c.check_new_date(None, TODAY, TODAY) == "Choose the new day."
    assert c.check_new_date(TODAY, TODAY, TODAY) is not None
    assert c.check_new_date(date(2026, 11, 1), TODAY, TODAY) is not None
    assert c.check_new_date(date(2026, 12, 2), TODAY, TODAY) is None
    blocked = c.ref_of(visit(1, TODAY, n=1))
    assert "1 open item" in c.given_question(blocked)
    assert "moved to 12/02/2026" in c.done_text(
        c.VisitAction.RESCHEDULE, blocked, date(2026, 12, 2)
    )


def test_letter_kind() -> None:
    assert c.letter_kind(BlockerKind.GFE_DUE, "Self-pay") == "gfe"
    assert c.letter_kind(BlockerKind.ESTIMATE_MISSING, "A") == "cost-letter"
    assert c.letter_kind(None, "Self-pay") == "gfe"
    assert c.letter_kind(None, "A") == "cost-letter"


def test_tasks_filters_texts_and_sorting() -> None:
    tasks = [
        task("a", date(2026, 11, 25), assignee="kim"),
        task("b", TODAY, payer="B"),
        task("c", date(2026, 12, 10), status=TaskStatus.DONE),
    ]

    def keys(f: c.TaskFilter) -> list[str]:
        return [t.key for t in c.filter_tasks(tasks, f)]

    assert keys(c.TaskFilter()) == ["a", "b"]
    assert keys(c.TaskFilter(status=None)) == ["a", "b", "c"]
    assert keys(c.TaskFilter(assignee="kim")) == ["a"]
    assert keys(c.TaskFilter(assignee=c.UNASSIGNED)) == ["b"]
    assert keys(c.TaskFilter(payer="B")) == ["b"]
    assert c.due_text(date(2026, 11, 25), TODAY) == "11/25 late"
    assert c.due_color(tasks[0], TODAY) == c.OVERDUE_COLOR
    assert c.due_color(tasks[1], TODAY) == c.DUE_COLOR
    assert c.due_color(tasks[2], TODAY) == c.DONE_COLOR
    assert c.task_text(tasks[0], "assignee", TODAY, {"kim": "Kim Lee"}) == "Kim Lee"
    assert c.task_text(tasks[1], "assignee", TODAY, {}) == "—"
    assert c.task_text(tasks[0], "kind", TODAY, {}) == "Prior-auth follow-up"
    assert [t.key for t in sorted(tasks, key=c.TASK_SORT["due"])] == ["a", "b", "c"]
    assert c.tasks_summary(tasks, 2, TODAY) == "2 open tasks · 1 overdue · 2 shown"


def test_assignees_and_payers() -> None:
    tasks = [task("a", TODAY, assignee="kim")]
    assert c.assignee_choices([("lee", "Ann Lee"), ("bo", "Bo Park")], tasks, "me") == [
        ("lee", "Ann Lee"),
        ("bo", "Bo Park"),
    ]
    # the staff list could not be read (not a manager): me and who already holds a task
    assert c.assignee_choices([], tasks, "me") == [("kim", "kim"), ("me", "me")]
    rows = [
        visit(1, TODAY, payer="Self-pay"),
        visit(2, TODAY, payer="zeta"),
        visit(3, TODAY, payer="Alpha"),
    ]
    assert c.payers_of(rows, tasks) == ["A", "Alpha", "zeta", "Self-pay"]


def test_navigation_counts() -> None:
    counts = {"worklist": 5, "prior_auth": 3, "verification": 0, "quote": 2, "assistance": 1}
    assert c.nav_text("Prior auths", counts) == "Prior auths 3"
    assert c.nav_text("Verifications", counts) == "Verifications"
    assert c.nav_text("Worklist", counts) == "Worklist 5"
    assert c.nav_text("Payers", counts) == "Payers"
    assert "blocked" in c.nav_tooltip("Worklist", counts)
    assert c.nav_tooltip("Quotes", counts) == (
        "2 open tasks on the Worklist's task list: estimates to give (cost letters or Good "
        "Faith Estimates)"
    )
    assert c.nav_tooltip("Verifications", counts) == ""  # none open
    assert all(c.nav_tooltip(t, dict.fromkeys(counts, 1)) for t in c.NAV_AREAS)
    assert c.clamp_days(None) == 14 and c.clamp_days(200) == c.MAX_DAYS and c.clamp_days(7) == 7


def test_summary_day_is_today_or_the_next_booked_day() -> None:
    monday = TODAY + timedelta(days=3)
    later = [visit(1, monday), visit(2, monday + timedelta(days=1))]
    assert c.summary_day([visit(3, TODAY), *later], TODAY) == (TODAY, "")
    day, why = c.summary_day(later, TODAY)
    assert day == monday
    assert why == "Nobody is booked today: this is Mon 11/30, the next day with visits."
    # cancelled today and past visits nobody recorded do not count; nothing ahead: today
    gone = visit(4, TODAY - timedelta(days=2))
    assert c.summary_day([visit(5, TODAY, status="cancelled"), *later], TODAY)[0] == monday
    assert c.summary_day([gone], TODAY) == (TODAY, "")
    # today's visits all recorded (printing at the day's end): not "nobody is booked"
    done_today = visit(6, TODAY, status="given")
    assert c.summary_day([done_today, *later], TODAY)[1].startswith("No visits left today: ")
    assert c.summary_day([], TODAY) == (TODAY, "")
