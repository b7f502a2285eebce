"""What the letter views decide, without Qt: the batch's day line, its buttons' texts and
what is enabled, the line shown while a letter is made, and the summary of a run."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from infudesk.domain import business_days as bd

# (patient id, filed name, MRN, preferred language) of a patient on the batch's list
Patient = tuple[int, str, str, str]
Result = tuple[int, str | None]  # (patient id, the error, or None when done)


LOOK_AHEAD_BUSINESS_DAYS = 5  # how far the batch looks for a day with visits when it opens


def candidate_days(today: date) -> list[date]:
    """The days the batch may open on: tomorrow up to a week of business days ahead."""
    last = bd.add_business_days(today, LOOK_AHEAD_BUSINESS_DAYS)
    return [today + timedelta(days=n) for n in range(1, (last - today).days + 1)]


def opening_day(today: date, with_visits: Collection[date]) -> date:
    """The day the batch opens on: the first day after ``today`` with planned visits (a
    weekend or holiday only when someone is booked on it), else the next business day —
    never a Saturday with nobody on it."""
    for day in candidate_days(today):
        if day in with_visits:
            return day
    return bd.next_business_day(today + timedelta(days=1))


def day_line(day: date, n: int) -> str:
    return f"{n} patient{'s' if n != 1 else ''} with a planned visit on {day:%A, %m/%d/%Y}."


def empty_line(day: date, *, read: bool) -> str:
    if not read:
        return "The list could not be read."
    return f"No patient has a planned visit on {day:%A, %m/%d/%Y}: pick another day."


@dataclass(frozen=True)
class Buttons:
    """The batch's buttons for ``checked`` patients out of a list of ``listed``."""

    save_text: str
    print_text: str
    can_run: bool
    can_check: bool


def buttons(checked: int, listed: int, *, busy: bool = False) -> Buttons:
    return Buttons(
        save_text=f"Save {checked} as PDF to a folder…" if checked else "Save as PDF to a folder…",
        print_text=f"Print {checked}…" if checked else "Print…",
        can_run=checked > 0 and not busy,
        can_check=listed > 0 and not busy,
    )


def step_line(verb: str, done: int, total: int, name: str, mrn: str) -> str:
    """The progress line while letter ``done + 1`` of ``total`` is made."""
    return f"{verb} letter {done + 1} of {total}: {name} ({mrn})"


def summary(
    results: Sequence[Result],
    patients: Sequence[Patient],
    verb: str,
    *,
    cancelled_left: int | None = None,
) -> tuple[str, bool]:
    """(the run's summary, whether anything failed). ``cancelled_left``: how many were not
    done because the run was cancelled (None: not cancelled)."""
    names = {p[0]: (p[1], p[2]) for p in patients}
    ok = sum(1 for _p, e in results if e is None)
    failed = [(p, e) for p, e in results if e is not None]
    parts = [f"{ok} {verb}."]
    if failed:
        parts.append(f"{len(failed)} failed:")
        for pid, error in failed:
            name, mrn = names.get(pid, ("?", "?"))
            parts.append(f"• {name} ({mrn}): {error}")
    if cancelled_left is not None:
        parts.insert(1, f"Cancelled: {cancelled_left} not done.")
    return "\n".join(parts), bool(failed)
