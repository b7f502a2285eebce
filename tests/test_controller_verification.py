"""The verification views' controller, without Qt: items asked, worklist filters and lines."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from infudesk.domain import verification as dv
from infudesk.domain.verification import Status
from infudesk.resources import resource
from infudesk.ui.verification import controller as ctl
from tests.test_controller_patients import row

TODAY = date(2026, 11, 27)
CHECKLIST = dv.parse_checklist(
    resource("checklists", "benefits-verification.json").read_text(encoding="utf-8")
)


def test_items_asked_follow_the_answers() -> None:
    asked = ctl.asked(CHECKLIST, {})
    assert "in_network" in asked and "oon_benefits" not in asked
    assert "oon_benefits" in ctl.asked(CHECKLIST, {"in_network": "out"})
    assert "oon_benefits" not in ctl.asked(CHECKLIST, {"in_network": "None"})  # unchosen


def test_due_by_filter() -> None:
    assert ctl.due_by("", TODAY) == (None, None)
    assert ctl.due_by("12/01/2026", TODAY) == (date(2026, 12, 1), None)
    day, problem = ctl.due_by("soon", TODAY)
    assert day is None and problem == "“soon” is not a date: type it as MM/DD/YYYY."


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)))
def test_any_day_typed_as_mm_dd_yyyy_is_read_back(day: date) -> None:
    assert ctl.due_by(f"{day:%m/%d/%Y}", TODAY) == (day, None)


def test_worklist_modes_and_lines() -> None:
    fine = row(Status.VERIFIED, "ok", TODAY + timedelta(days=60), TODAY)
    soon = row(Status.VERIFIED, "ok", TODAY + timedelta(days=2), TODAY)
    late = row(None, "overdue", TODAY - timedelta(days=1), None)
    problem = row(Status.PROBLEM, "ok", None, None)
    rows = [fine, soon, late, problem]
    assert ctl.keep(rows, "attention", TODAY) == [soon, late, problem]
    assert ctl.keep(rows, "problems", TODAY) == [problem]
    assert ctl.keep(rows, "all", TODAY) == rows
    assert ctl.count_line(rows) == "4 to look at · 1 overdue · 1 with problems"
    assert ctl.count_line([]) == "Nothing to verify with these filters."
    assert ctl.color(problem) == ctl.PROBLEM_COLOR
    assert ctl.cells(late)[5] == f"Overdue {TODAY - timedelta(days=1):%m/%d/%Y}"
    assert ctl.cells(fine)[7] == "Verified"


def test_refusal_line() -> None:
    assert ctl.not_marked(Status.VERIFIED, {"a": "x"}).startswith(
        "Not marked verified: 1 item needs attention"
    )
    assert ctl.not_marked(Status.PROBLEM, {"a": "x", "b": "y"}).startswith(
        "Not marked a problem: 2 items need attention"
    )
