"""What the patient views decide, without Qt: birth dates as shown, the search's count line, a
coverage's verification at a glance and the drug list's keys."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from infudesk.domain.validation import age_on
from infudesk.domain.verification import Status
from infudesk.services import verifications as vs


def format_birth_date(born: date, today: date) -> str:
    return f"{born:%m/%d/%Y} ({age_on(born, today)})"


STATE_COLORS = {"overdue": "#b00020", "due": "#b35c00", "due_soon": "#7a6300", "ok": "#1b6e20"}


def glance(rows: Sequence[vs.WorkRow]) -> tuple[str, str]:
    """One line on a coverage's verification state (and the colour to show it in)."""
    if not rows:
        return "—", "#555"
    problem = next((r for r in rows if r.latest_status == Status.PROBLEM), None)
    if problem is not None:
        return "Problem found", STATE_COLORS["overdue"]
    order = {"overdue": 0, "due": 1, "due_soon": 2, "ok": 3}
    worst = min(rows, key=lambda r: (order[r.due.state], r.due.due_on or date.max))
    d = worst.due
    if worst.verified_on is None and worst.latest_status == Status.IN_PROGRESS:
        return "In progress", STATE_COLORS["due"]
    if d.state in ("ok", "due_soon") and worst.verified_on is not None:
        nxt = f" · next check {d.due_on:%m/%d/%Y}" if d.due_on else ""
        return f"Verified {worst.verified_on:%m/%d/%Y}{nxt}", STATE_COLORS[d.state]
    if d.state == "ok":
        return "Up to date", STATE_COLORS["ok"]
    when = f" {d.due_on:%m/%d/%Y}" if d.due_on else ""
    label = {"overdue": "Overdue since", "due": "Due", "due_soon": "Due"}[d.state]
    return f"{label}{when}", STATE_COLORS[d.state]


def drug_key(hcpcs: str, title: str) -> str:
    """The drug list's entries are told apart by code and product name."""
    return f"{hcpcs}|{title}"


def count_line(text: str, n: int, *, cap: int, inactive: bool) -> str:
    """The search's status line: how many patients match what was typed (or are listed)."""
    text = text.strip()
    if n == 0 and text:
        return f"No patient matches “{text}”. Check the spelling, or press Ctrl+N to add one."
    if text and n > cap:
        return f"More than {cap:,} patients match “{text}”: keep typing to narrow the list."
    if text:
        return f"{n:,} patient{'s match' if n != 1 else ' matches'} “{text}”."
    which = "" if inactive else "active "
    return f"{n:,} {which}patient{'s' if n != 1 else ''}."
