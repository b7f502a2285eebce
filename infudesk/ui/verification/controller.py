"""What the verification views decide, without Qt: a checklist's answers as the form shows
them, which items are asked given the answers so far, the status lines, and the worklist's
filters, cells, colours and count."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta

from infudesk.domain import verification as dv
from infudesk.domain.patients import parse_date
from infudesk.domain.verification import Status
from infudesk.services import verifications as vs
from infudesk.ui.patients.controller import STATE_COLORS

PROBLEM_COLOR = "#b00020"


def form_values(record: vs.VerificationRecord) -> dict[str, str]:
    """Each item's saved answer as the form shows it (yes/no and choices as their values)."""
    out: dict[str, str] = {}
    for item in record.checklist.items():
        raw = record.answers.get(item.key, "")
        if item.kind in (dv.Kind.YESNO, dv.Kind.CHOICE):
            value, _ = dv.check_answer(item, raw)
            if item.kind == dv.Kind.YESNO:
                value = "" if value is None else ("yes" if value else "no")
            out[item.key] = str(value or "")
        else:
            out[item.key] = raw
    return out


def state_line(record: vs.VerificationRecord) -> str:
    label = dv.STATUS_LABELS[record.status]
    when = f" on {record.completed_on:%m/%d/%Y}" if record.completed_on else ""
    return f"Status: {label}{when} · last saved by {record.updated_by or '—'}"


def clean(typed: Mapping[str, str]) -> dict[str, str]:
    """What was typed, an unchosen combo ("None") as empty."""
    return {k: ("" if v == "None" else v) for k, v in typed.items()}


def asked(checklist: dv.Checklist, typed: Mapping[str, str]) -> set[str]:
    """The keys of the items asked given the answers chosen so far (e.g. the Medicare items
    only for a Medicare plan)."""
    values: dict[str, object] = {}
    for item in checklist.items():
        if item.kind in (dv.Kind.YESNO, dv.Kind.CHOICE):
            value, _ = dv.check_answer(item, clean(typed).get(item.key, ""))
            if value is not None:
                values[item.key] = value
    return {it.key for it in dv.shown_items(checklist, values)}


def not_marked(status: Status, errors: Mapping[str, str]) -> str:
    """The line under the checklist when marking it verified (or a problem) was refused."""
    what = "verified" if status == Status.VERIFIED else "a problem"
    n = len(errors)
    return (
        f"Not marked {what}: {n} item{'s need' if n != 1 else ' needs'} attention (in red). "
        "Everything you typed is still here; 'Save draft' keeps it as is."
    )


def due_by(text: str, today: date) -> tuple[date | None, str | None]:
    """The worklist's "due by" filter: (day or None, the problem when it is not a date)."""
    text = text.strip()
    if not text:
        return None, None
    day = parse_date(text, today)
    if day is None:
        return None, f"“{text}” is not a date: type it as MM/DD/YYYY."
    return day, None


def keep(rows: Sequence[vs.WorkRow], mode: str, today: date) -> list[vs.WorkRow]:
    """The rows a "Show" mode keeps: attention (not up to date, started, a problem, or due
    soon), problems, or all."""
    if mode == "attention":
        horizon = today + timedelta(days=dv.DUE_SOON_DAYS)
        return [
            r
            for r in rows
            if r.due.state != "ok"
            or r.latest_status in (Status.IN_PROGRESS, Status.PROBLEM)
            or (r.due.due_on is not None and r.due.due_on <= horizon)
        ]
    if mode == "problems":
        return [r for r in rows if r.latest_status == Status.PROBLEM]
    return list(rows)


def cells(r: vs.WorkRow) -> tuple[str, ...]:
    d = r.due
    due = dv.DUE_STATE_LABELS[d.state] + (f" {d.due_on:%m/%d/%Y}" if d.due_on else "")
    status = dv.STATUS_LABELS[r.latest_status] if r.latest_status else "—"
    return (
        r.patient_name,
        r.mrn,
        r.coverage_label,
        r.order_label,
        f"{r.next_visit:%m/%d/%Y}" if r.next_visit else "—",
        due,
        "; ".join(d.reasons) or "—",
        status,
    )


def color(r: vs.WorkRow) -> str:
    return PROBLEM_COLOR if r.latest_status == Status.PROBLEM else STATE_COLORS[r.due.state]


def count_line(rows: Sequence[vs.WorkRow]) -> str:
    if not rows:
        return "Nothing to verify with these filters."
    overdue = sum(1 for r in rows if r.due.state == "overdue")
    problems = sum(1 for r in rows if r.latest_status == Status.PROBLEM)
    return f"{len(rows)} to look at · {overdue} overdue · {problems} with problems"
