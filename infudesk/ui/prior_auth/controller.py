"""What the prior-auth views decide, without Qt: dates and sizes as shown, reminder lines, what a
request for a whole order asks for, the visits recorded and the list's units and visits left."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from infudesk.domain import prior_auth as pa
from infudesk.domain.prior_auth import (
    REMINDER_LABELS,
    SEVERITY_LABELS,
    ReminderKind,
)
from infudesk.domain.validation import normalize_code
from infudesk.services import orders as ors
from infudesk.services import prior_auths as pas


def follow_up_note(case_id: int, approval: pa.Approval | None) -> str:
    """The notes of a new case asked for because an older one ended, was used up or lacks a
    code (an approval is not amended: a new request follows it): which case it follows."""
    if approval is None:
        return f"Follows case #{case_id}."
    return (
        f"Follows case #{case_id}, authorization {approval.auth_number} "
        f"({approval.start:%m/%d/%Y}–{approval.end:%m/%d/%Y})."
    )


# the states whose case a new request can follow: an approval (in force or ended)
FOLLOWED_STATES = frozenset(pa.APPROVAL_STATES | {pa.State.EXPIRED})


def us(day: date | None, blank: str = "—") -> str:
    return f"{day:%m/%d/%Y}" if day else blank


def file_size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def reminder_line(r: pa.Reminder) -> str:
    return f"{REMINDER_LABELS[r.kind]} — {us(r.due_on)} ({SEVERITY_LABELS[r.severity].lower()})"


def prefill_approval(order: ors.OrderRecord | None) -> pa.Approval | None:
    """What a request for the whole order would ask for: its lines' units per code × its visits."""
    if order is None or not order.visits:
        return None
    per_visit: dict[str, int] = {}
    for ln in order.lines:
        code = normalize_code(ln.code)
        per_visit[code] = per_visit.get(code, 0) + ln.units
    n = len(order.visits)
    days = [v.on for v in order.visits]
    return pa.Approval(
        auth_number="",
        lines=tuple(pa.ApprovedLine(code, units * n) for code, units in per_visit.items()),
        visits=n,
        start=min(days),
        end=max(days),
        site=order.data.site_of_care,
    )


def visit_rows(usages: tuple[pa.Usage, ...]) -> list[tuple[str, str, str]]:
    """One row per visit recorded (newest first): its day, units by code, and any reason."""
    visits: list[tuple[date, dict[str, int], list[str]]] = []
    for u in usages:
        if u.visit or not visits or visits[-1][0] != u.on:
            visits.append((u.on, {}, []))
        _day, units, reasons = visits[-1]
        code = normalize_code(u.code)
        units[code] = units.get(code, 0) + u.units
        if u.reason and u.reason not in reasons:
            reasons.append(u.reason)
    return [
        (us(day), ", ".join(f"{c} ×{n}" for c, n in units.items()), "; ".join(reasons))
        for day, units, reasons in reversed(visits)
    ]


def _approved_units(row: pas.CaseRow) -> dict[str, int] | None:
    """The approved units by code, when the service gives them (CaseRow.approved_units)."""
    units = getattr(row, "approved_units", None)
    return units if isinstance(units, dict) else None


def units_text(row: pas.CaseRow) -> str:
    if row.remaining is None:
        return "—"
    totals = _approved_units(row) or {}
    parts = []
    for code, left in row.remaining.units_by_code.items():
        total = totals.get(code)
        parts.append(f"{code} {left}" + (f" of {total}" if total is not None else ""))
    for code, over in row.remaining.over.items():
        parts.append(f"{code} over by {over}")
    return ", ".join(parts) or "—"


def units_fraction(row: pas.CaseRow) -> float | None:
    """The smallest share left of any approved code (None when it cannot be told)."""
    totals = _approved_units(row)
    if row.remaining is None or not totals:
        return None
    shares = [
        row.remaining.units_by_code.get(code, 0) / total
        for code, total in totals.items()
        if total > 0
    ]
    return min(shares) if shares else None


def visits_text(row: pas.CaseRow) -> str:
    if row.remaining is None:
        return "—"
    if row.remaining.visits is None or row.approved_visits is None:
        return "no limit"
    over = f" ({row.remaining.visits_over} over)" if row.remaining.visits_over else ""
    return f"{row.remaining.visits} of {row.approved_visits}{over}"


def visits_fraction(row: pas.CaseRow) -> float | None:
    if row.remaining is None or row.remaining.visits is None or not row.approved_visits:
        return None
    return row.remaining.visits / row.approved_visits


EXPIRING_DAYS = 60  # "Approvals ending within 60 days"


def count_line(shown: Sequence[pas.CaseRow]) -> str:
    """The line under the list: how many cases, how many overdue or due soon."""
    if not shown:
        return "No case with these filters."
    overdue = sum(1 for r in shown if r.next_reminder and r.next_reminder.severity == "overdue")
    due = sum(1 for r in shown if r.next_reminder and r.next_reminder.severity in ("due", "soon"))
    return (
        f"{len(shown):,} case{'s' if len(shown) != 1 else ''} · {overdue} overdue · "
        f"{due} due within {pa.SOON_DAYS} days"
    )


def keep(rows: Sequence[pas.CaseRow], mode: str, today: date) -> list[pas.CaseRow]:
    """The rows the 'Show' choice asks for."""
    if mode == "expiring":
        horizon = today + timedelta(days=EXPIRING_DAYS)
        return [
            r
            for r in rows
            if r.state in pa.APPROVAL_STATES and r.end_on is not None and r.end_on <= horizon
        ]
    if mode == "follow_up":
        kinds = (ReminderKind.FOLLOW_UP, ReminderKind.DECISION_DUE)
        return [
            r for r in rows if any(x.kind in kinds and x.severity != "info" for x in r.reminders)
        ]
    if mode == "appeal":
        deadlines = (
            ReminderKind.APPEAL_DUE,
            ReminderKind.EXTERNAL_REVIEW_DUE,
            ReminderKind.FAIR_HEARING_DUE,
        )
        return [r for r in rows if any(x.kind in deadlines for x in r.reminders)]
    return list(rows)
