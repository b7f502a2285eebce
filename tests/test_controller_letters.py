"""The letters batch's controller, without Qt: day line, buttons, progress and summary."""

from __future__ import annotations

from datetime import date, timedelta

from infudesk.ui.letters import controller as ctl

DAY = date(2026, 11, 27)  # a Friday
PATIENTS = [(1, "García-López, María", "D0001", "es"), (2, "Nguyễn, An", "D0002", "en")]


def test_day_and_empty_lines() -> None:
    assert ctl.day_line(DAY, 1) == "1 patient with a planned visit on Friday, 11/27/2026."
    assert ctl.day_line(DAY, 2).startswith("2 patients with")
    assert ctl.empty_line(DAY, read=True).startswith("No patient has a planned visit on Friday")
    assert ctl.empty_line(DAY, read=False) == "The list could not be read."


def test_buttons_follow_the_checked_patients_and_a_running_batch() -> None:
    assert ctl.buttons(0, 2) == ctl.Buttons("Save as PDF to a folder…", "Print…", False, True)
    assert ctl.buttons(2, 2) == ctl.Buttons("Save 2 as PDF to a folder…", "Print 2…", True, True)
    busy = ctl.buttons(2, 2, busy=True)
    assert not busy.can_run and not busy.can_check
    assert not ctl.buttons(0, 0).can_check


def test_summary_names_each_failure_and_what_a_cancel_left() -> None:
    text, failed = ctl.summary([(1, None), (2, "No coverage.")], PATIENTS, "saved")
    assert failed
    assert text == "1 saved.\n1 failed:\n• Nguyễn, An (D0002): No coverage."
    text, failed = ctl.summary([(1, None)], PATIENTS, "saved", cancelled_left=1)
    assert not failed and text == "1 saved.\nCancelled: 1 not done."
    assert ctl.step_line("Saving", 0, 2, "A", "D1") == "Saving letter 1 of 2: A (D1)"


def test_the_batch_opens_on_the_next_day_with_visits_never_an_empty_weekend() -> None:
    saturday, sunday, monday, tuesday = (DAY + timedelta(days=n) for n in range(1, 5))
    assert ctl.opening_day(DAY, {tuesday}) == date(2026, 12, 1)  # Monday has nobody
    assert ctl.opening_day(DAY, {monday, tuesday}) == monday
    assert ctl.opening_day(DAY, set()) == monday  # nobody all week: the next business day
    assert ctl.opening_day(DAY, {saturday}) == saturday  # a Saturday clinic is a real day
    assert ctl.opening_day(DAY, {sunday, tuesday}) == sunday
    # Thursday 12/23/2027: Friday is Christmas observed, then the weekend → Monday 12/27
    assert ctl.opening_day(date(2027, 12, 23), set()) == date(2027, 12, 27)
    far = ctl.candidate_days(DAY)[-1]
    assert far == date(2026, 12, 4)  # a week of business days ahead, no further
    assert ctl.opening_day(DAY, {far + timedelta(days=3)}) == monday
