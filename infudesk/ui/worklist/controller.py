"""What the Worklist decides, without Qt: the texts, colors and sort keys of visits and tasks,
the filters, the counts in the navigation, which visit actions are enabled, and the words of
the prompts (a reason when a given visit goes beyond what was approved)."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from infudesk.domain.worklist import (
    ACTIVE,
    BlockerKind,
    Task,
    TaskKind,
    TaskStatus,
    VisitRow,
    VisitStatus,
    open_items,
)

DEFAULT_DAYS = 14
DAYS_SETTING = "worklist.days"
MAX_DAYS = 60
# after a load is shown, the screen waits this long, then settles on a worker thread
# (services.worklist.settle: check a worklist loaded from the database, keep today's and
# tomorrow's for the next start); None: never (tests, whose databases are thrown away)
SETTLE_AFTER_MS: int | None = 2_000
KEEP_EVERY_MS = 5 * 60_000  # and settles this often meanwhile (cheap when nothing is due)
SELF_PAY = "Self-pay"

READY_COLOR = "#2e7d32"
BLOCKED_COLOR = "#b00020"
DONE_COLOR = "#888888"
OVERDUE_COLOR = "#b00020"
DUE_COLOR = "#c77800"

STATUS_LABELS: dict[str, str] = {
    VisitStatus.PLANNED: "Planned",
    VisitStatus.ARRIVED: "Arrived",
    VisitStatus.GIVEN: "Given",
    VisitStatus.CANCELLED: "Cancelled",
}
TASK_LABELS: dict[TaskKind, str] = {
    TaskKind.VERIFICATION_DUE: "Verification due",
    TaskKind.PA_FOLLOW_UP: "Prior-auth follow-up",
    TaskKind.PA_DECISION_DUE: "Payer decision due",
    TaskKind.REAUTH: "Reauthorization",
    TaskKind.APPEAL_DEADLINE: "Appeal deadline",
    TaskKind.REENROLLMENT_DUE: "Re-enrollment due",
    TaskKind.ESTIMATE_DUE: "Estimate due",
    TaskKind.ASSISTANCE_LOW: "Assistance running low",
}
# the navigation entries that show a count, and the area of the worklist's counts they show
NAV_AREAS: dict[str, str] = {
    "Worklist": "worklist",
    "Verifications": "verification",
    "Prior auths": "prior_auth",
    "Quotes": "quote",
}


class Readiness(enum.StrEnum):
    """The 'Show' filter of the visits."""

    ACTIVE = "active"  # planned or arrived (the default)
    BLOCKED = "blocked"
    READY = "ready"
    DONE = "done"  # given or cancelled
    ALL = "all"


READINESS_CHOICES: tuple[tuple[Readiness, str], ...] = (
    (Readiness.ACTIVE, "Still to come"),
    (Readiness.BLOCKED, "Blocked only"),
    (Readiness.READY, "Ready only"),
    (Readiness.DONE, "Given or cancelled"),
    (Readiness.ALL, "All visits"),
)
TASK_STATUS_CHOICES: tuple[tuple[str | None, str], ...] = (
    (TaskStatus.OPEN, "Open"),
    (TaskStatus.DONE, "Done"),
    (None, "Open and done"),
)
UNASSIGNED = ""  # the assignee filter's "nobody"


# --- visits ---------------------------------------------------------------------------------


def day_text(on: date, today: date) -> str:
    """'Today', 'Tomorrow', else 'Mon 11/30' (the year when it is not this one)."""
    if on == today:
        return "Today"
    if on == today + timedelta(days=1):
        return "Tomorrow"
    if on.year != today.year:
        return f"{on:%a %m/%d/%Y}"
    return f"{on:%a %m/%d}"


def done(v: VisitRow) -> bool:
    return v.status not in ACTIVE


def readiness_text(v: VisitRow) -> str:
    """'Ready', '2 to do: <first blocker>', or the visit's state once it is over."""
    if done(v):
        return STATUS_LABELS.get(v.status, v.status)
    if v.ready:
        return "Ready"
    first = v.blockers[0].text
    return first if len(v.blockers) == 1 else f"{len(v.blockers)} to do: {first}"


def readiness_color(v: VisitRow) -> str:
    if done(v):
        return DONE_COLOR
    return READY_COLOR if v.ready else BLOCKED_COLOR


def readiness_rank(v: VisitRow) -> int:
    """Sort order: blocked first (more blockers first), then ready, then the visits over."""
    if done(v):
        return 1000
    return 500 if v.ready else 100 - min(len(v.blockers), 99)


VISIT_FIELDS = ("on", "patient", "mrn", "drug", "site", "payer", "status", "readiness")
VISIT_HEADERS: dict[str, str] = {
    "on": "Day",
    "patient": "Patient",
    "mrn": "MRN",
    "drug": "Drug",
    "site": "Site",
    "payer": "Payer",
    "status": "Status",
    "readiness": "Readiness",
}


def visit_text(v: VisitRow, field: str, today: date) -> str:
    if field == "on":
        return day_text(v.on, today)
    if field == "patient":
        return v.patient_name
    if field == "mrn":
        return v.mrn
    if field == "drug":  # the generic name; the brand in parentheses is in the tooltip
        return v.drug.split(" (")[0].strip() or v.drug
    if field == "site":
        return v.site
    if field == "payer":
        return v.payer
    if field == "status":
        return STATUS_LABELS.get(v.status, v.status)
    if field == "readiness":
        return readiness_text(v)
    raise KeyError(field)


def visit_tooltip(v: VisitRow) -> str:
    if v.ready or done(v):
        return f"{v.patient_name} · {v.on:%m/%d/%Y} · {readiness_text(v)}"
    return "\n".join(f"• {b.text}" for b in v.blockers)


VISIT_SORT: dict[str, Callable[[VisitRow], Any]] = {
    "on": lambda v: (v.on, v.patient_name.casefold(), v.visit_id),
    "patient": lambda v: (v.patient_name.casefold(), v.on, v.visit_id),
    "mrn": lambda v: (v.mrn, v.on),
    "drug": lambda v: (v.drug.casefold(), v.on),
    "site": lambda v: (v.site.casefold(), v.on),
    "payer": lambda v: (v.payer.casefold(), v.on),
    "status": lambda v: (v.status, v.on),
    "readiness": lambda v: (readiness_rank(v), v.on, v.patient_name.casefold()),
}


@dataclass(frozen=True)
class VisitFilter:
    """What the visits list shows: a payer (None: any) and a readiness choice."""

    payer: str | None = None
    readiness: Readiness = Readiness.ACTIVE

    def keeps(self, v: VisitRow) -> bool:
        if self.payer is not None and v.payer != self.payer:
            return False
        r = self.readiness
        if r is Readiness.ALL:
            return True
        if r is Readiness.DONE:
            return done(v)
        if done(v):
            return False
        if r is Readiness.BLOCKED:
            return not v.ready
        if r is Readiness.READY:
            return v.ready
        return True


def filter_visits(visits: Iterable[VisitRow], f: VisitFilter) -> list[VisitRow]:
    return [v for v in visits if f.keeps(v)]


def _s(n: int) -> str:
    return "" if n == 1 else "s"


def summary_day(visits: Sequence[VisitRow], today: date) -> tuple[date, str]:
    """The day the start-of-day summary opens on, and why when it is not today: today if a
    visit is still to come today, else the next day of the list with one."""
    to_come = sorted({v.on for v in visits if v.status in ACTIVE and v.on >= today})
    if not to_come or to_come[0] == today:
        return today, ""
    nxt = to_come[0]
    booked_today = any(v.on == today and v.status != VisitStatus.CANCELLED for v in visits)
    why = "No visits left today" if booked_today else "Nobody is booked today"
    return nxt, f"{why}: this is {nxt:%a %m/%d}, the next day with visits."


def unrecorded(v: VisitRow) -> bool:
    """A visit gone by that nobody recorded (listed to be recorded, not to come)."""
    return any(b.kind is BlockerKind.NOT_RECORDED for b in v.blockers)


def visits_summary(visits: Sequence[VisitRow], shown: int, days: int) -> str:
    """'36 visits to come in the next 14 days · 12 blocked · 24 ready' (then the past visits
    nobody recorded, and how many are shown)."""
    past = sum(1 for v in visits if unrecorded(v))
    active = [v for v in visits if not done(v) and not unrecorded(v)]
    blocked = sum(1 for v in active if not v.ready)
    head = f"{len(active)} visit{_s(len(active))} to come in the next {days} day{_s(days)}"
    text = f"{head} · {blocked} blocked · {len(active) - blocked} ready"
    if past:
        text += f" · {past} past visit{_s(past)} not recorded"
    if shown != len(visits):
        text += f" · {shown} shown"
    return text


def empty_visits_text(total: int, f: VisitFilter, days: int) -> str:
    """The sentence shown instead of an empty list: why it is empty and what to do."""
    if total == 0:
        return (
            f"No visits planned in the next {days} day{_s(days)}. Plan visits from a patient's "
            "Therapy orders tab (Add order…), or look further ahead with Days."
        )
    if f.readiness is Readiness.BLOCKED:
        return "Nothing blocks a visit with these filters: every visit is ready."
    return "No visit with these filters. Choose All payers or All visits to see the others."


# --- the actions on a visit -------------------------------------------------------------------


class VisitAction(enum.StrEnum):
    ARRIVED = "arrived"
    GIVEN = "given"
    CANCEL = "cancel"
    RESCHEDULE = "reschedule"


ACTION_LABELS: dict[VisitAction, str] = {
    VisitAction.ARRIVED: "Arrived",
    VisitAction.GIVEN: "Given…",
    VisitAction.CANCEL: "Cancel visit…",
    VisitAction.RESCHEDULE: "Reschedule…",
}
_ALLOWED: dict[VisitAction, frozenset[str]] = {
    VisitAction.ARRIVED: frozenset({VisitStatus.PLANNED, VisitStatus.ARRIVED}),  # arrived: undo
    VisitAction.GIVEN: frozenset({VisitStatus.PLANNED, VisitStatus.ARRIVED}),
    VisitAction.CANCEL: frozenset({VisitStatus.PLANNED, VisitStatus.ARRIVED}),
    VisitAction.RESCHEDULE: frozenset({VisitStatus.PLANNED}),
}


def date_refusal(
    action: VisitAction, on: date, today: date, status: str = VisitStatus.PLANNED
) -> str | None:
    """Why ``action`` cannot be recorded today for a visit planned ``on`` (None: it can).
    The patient arrives on the visit's day; a visit is given on its day or recorded late,
    never ahead of it (the same rules as the visits service). An arrival is undone any day."""
    if action is VisitAction.ARRIVED and status == VisitStatus.ARRIVED:
        return None
    if action is VisitAction.ARRIVED and on != today:
        return f"Arrived is recorded on the visit's day, {on:%a %m/%d/%Y}."
    if action is VisitAction.GIVEN and on > today:
        return f"Given is recorded on or after the visit's day, {on:%a %m/%d/%Y}."
    return None


def enabled_actions(
    status: str | None, on: date | None = None, today: date | None = None
) -> dict[VisitAction, bool]:
    """Which actions a visit in ``status`` allows (None: no visit chosen, none); with the
    visit's day and today, also which the day allows (see :func:`date_refusal`)."""
    return {
        a: status is not None
        and status in allowed
        and (on is None or today is None or date_refusal(a, on, today, status) is None)
        for a, allowed in _ALLOWED.items()
    }


def action_tips(status: str | None, on: date | None, today: date) -> dict[VisitAction, str]:
    """The buttons' tooltips: why an action the status allows is off on this day."""
    tips = dict.fromkeys(VisitAction, "")
    if status is None or on is None:
        return tips
    for a, allowed in _ALLOWED.items():
        if status in allowed:
            tips[a] = date_refusal(a, on, today, status) or ""
    if status == VisitStatus.ARRIVED:
        tips[VisitAction.ARRIVED] = "Marked arrived by mistake: the visit goes back to planned"
    return tips


@dataclass(frozen=True)
class VisitRef:
    """A visit as the actions need it, from the worklist or from the patient's visits."""

    visit_id: int
    on: date
    patient_name: str
    drug: str
    status: str
    blockers: tuple[str, ...] = ()


def ref_of(v: VisitRow) -> VisitRef:
    """The visit for the actions; its open items without "not recorded" (recording it is what
    the action does)."""
    return VisitRef(v.visit_id, v.on, v.patient_name, v.drug, v.status, open_items(v.blockers))


def given_question(v: VisitRef) -> str:
    """The confirmation before recording a visit as given (it uses up units and balance)."""
    text = (
        f"Record {v.patient_name}'s {v.drug} visit of {v.on:%m/%d/%Y} as given? The visit's "
        "units are taken off the authorization and what assistance pays off its balance."
    )
    if v.blockers:
        text += f"\n\nIt still has {len(v.blockers)} open item(s):\n" + "\n".join(
            f"• {b}" for b in v.blockers
        )
    return text


def over_approved_prompt(messages: Sequence[str]) -> str:
    """The words asking for a reason when the visit goes beyond the approval."""
    lines = "\n".join(f"• {m}" for m in messages)
    return (
        f"This visit goes beyond what the payer approved:\n{lines}\n\n"
        "Record it as given anyway? Say why (e.g. 'Extension requested by phone, ref 4471'); "
        "the reason is kept with the visit and the authorization."
    )


def check_reason(text: str, what: str = "Say why") -> str | None:
    """The error for a reason left empty (None when there is one)."""
    return None if text.strip() else f"{what}: the reason is kept with the visit."


def check_new_date(new: date | None, current: date, today: date) -> str | None:
    """The error for a reschedule date (None when it will do)."""
    if new is None:
        return "Choose the new day."
    if new == current:
        return "Choose another day than the one planned."
    if new < today:
        return "A visit cannot be moved into the past."
    return None


UNDO_ARRIVAL = "Undo arrival"


def action_label(action: VisitAction, status: str | None) -> str:
    """A button's words for the chosen visit: Arrived turns into Undo arrival once arrived."""
    if action is VisitAction.ARRIVED and status == VisitStatus.ARRIVED:
        return UNDO_ARRIVAL
    return ACTION_LABELS[action]


def done_text(action: VisitAction, v: VisitRef, new_date: date | None = None) -> str:
    """The status line after an action (on ``v`` as it was before it)."""
    who = f"{v.patient_name}'s visit of {v.on:%m/%d/%Y}"
    if action is VisitAction.ARRIVED and v.status == VisitStatus.ARRIVED:
        return f"{v.patient_name}'s arrival is undone: {who} is planned again."
    if action is VisitAction.ARRIVED:
        return f"{v.patient_name} has arrived."
    if action is VisitAction.GIVEN:
        return f"{who} is recorded as given."
    if action is VisitAction.CANCEL:
        return f"{who} is cancelled."
    return f"{who} moved to {new_date:%m/%d/%Y}." if new_date else f"{who} moved."


# --- blockers and where they lead -------------------------------------------------------------


def letter_kind(kind: BlockerKind | None, payer: str) -> str:
    """The letter that fixes an estimate blocker or task: a Good Faith Estimate for self-pay."""
    if kind is BlockerKind.GFE_DUE or (kind is None and payer == SELF_PAY):
        return "gfe"
    return "cost-letter"


def target_tip(screen: str) -> str:
    """A blocker button's tooltip: where it leads."""
    if screen == "new_prior_auth":
        return "Starts a new prior-auth case for this coverage and order"
    return f"Opens the {screen.replace('_', ' ')} screen"


# --- tasks ------------------------------------------------------------------------------------


def due_text(due: date, today: date) -> str:
    days = (due - today).days
    if days < 0:
        return f"{due:%m/%d} late"
    return day_text(due, today)


def due_color(t: Task, today: date) -> str | None:
    if t.status == TaskStatus.DONE:
        return DONE_COLOR
    if t.due < today:
        return OVERDUE_COLOR
    if t.due <= today + timedelta(days=2):
        return DUE_COLOR
    return None


TASK_FIELDS = ("due", "kind", "patient", "payer", "assignee", "text")
TASK_HEADERS: dict[str, str] = {
    "due": "Due",
    "kind": "Task",
    "patient": "Patient",
    "payer": "Payer",
    "assignee": "Assigned to",
    "text": "What to do",
}


def task_text(t: Task, field: str, today: date, names: Mapping[str, str]) -> str:
    if field == "due":
        return due_text(t.due, today) + (" ✓" if t.status == TaskStatus.DONE else "")
    if field == "kind":
        return TASK_LABELS.get(t.kind, str(t.kind))
    if field == "patient":
        return t.patient_name
    if field == "payer":
        return t.payer
    if field == "assignee":
        return assignee_text(t.assignee, names)
    if field == "text":
        return t.text
    raise KeyError(field)


TASK_SORT: dict[str, Callable[[Task], Any]] = {
    "due": lambda t: (t.status == TaskStatus.DONE, t.due, t.patient_name.casefold()),
    "kind": lambda t: (TASK_LABELS.get(t.kind, ""), t.due),
    "patient": lambda t: (t.patient_name.casefold(), t.due),
    "payer": lambda t: (t.payer.casefold(), t.due),
    "assignee": lambda t: (t.assignee is None, t.assignee or "", t.due),
    "text": lambda t: (t.text.casefold(), t.due),
}


def assignee_text(username: str | None, names: Mapping[str, str]) -> str:
    if username is None:
        return "—"
    return names.get(username, username)


@dataclass(frozen=True)
class TaskFilter:
    """Which tasks show: a payer (None: any), an assignee (None: anyone; UNASSIGNED: nobody)
    and a status (None: open and done)."""

    payer: str | None = None
    assignee: str | None = None
    status: str | None = TaskStatus.OPEN

    def keeps(self, t: Task) -> bool:
        if self.payer is not None and t.payer != self.payer:
            return False
        if self.assignee is not None:
            if self.assignee == UNASSIGNED:
                if t.assignee is not None:
                    return False
            elif t.assignee != self.assignee:
                return False
        return self.status is None or t.status == self.status


def filter_tasks(tasks: Iterable[Task], f: TaskFilter) -> list[Task]:
    return [t for t in tasks if f.keeps(t)]


def tasks_summary(tasks: Sequence[Task], shown: int, today: date) -> str:
    open_ = [t for t in tasks if t.status == TaskStatus.OPEN]
    late = sum(1 for t in open_ if t.due < today)
    text = f"{len(open_)} open task{'s' if len(open_) != 1 else ''} · {late} overdue"
    if shown != len(tasks):
        text += f" · {shown} shown"
    return text


def empty_tasks_text(total: int) -> str:
    if total == 0:
        return "No tasks due: verifications, prior-auth follow-ups and re-enrollments appear here."
    return "No task with these filters. Choose Anyone and All payers to see the others."


def payers_of(visits: Iterable[VisitRow], tasks: Iterable[Task]) -> list[str]:
    """The payers to filter by, in name order (Self-pay last)."""
    names = {v.payer for v in visits} | {t.payer for t in tasks}
    return sorted(names - {SELF_PAY}, key=str.casefold) + ([SELF_PAY] if SELF_PAY in names else [])


def assignee_choices(
    staff: Iterable[tuple[str, str]], tasks: Iterable[Task], me: str
) -> list[tuple[str, str]]:
    """(username, display name) of whom a task may be given to: the active staff, else (when
    the list cannot be read) the signed-in person and whoever already holds a task."""
    known = dict(staff)
    if not known:
        known = {me: me}
        for t in tasks:
            if t.assignee is not None:
                known.setdefault(t.assignee, t.assignee)
    return sorted(known.items(), key=lambda kv: kv[1].casefold())


# --- counts in the navigation -----------------------------------------------------------------


def nav_text(title: str, counts: Mapping[str, int]) -> str:
    """'Prior auths 3' (the title alone when nothing is open or the area has no count)."""
    area = NAV_AREAS.get(title)
    n = counts.get(area, 0) if area else 0
    return f"{title} {n}" if n else title


_NAV_WHAT = {
    "verification": "benefits verifications due",
    "prior_auth": "prior-auth follow-ups, decisions, reauthorizations and appeal deadlines",
    "quote": "estimates to give (cost letters or Good Faith Estimates)",
}


def nav_tooltip(title: str, counts: Mapping[str, int]) -> str:
    area = NAV_AREAS.get(title)
    n = counts.get(area, 0) if area else 0
    if not area or not n:
        return ""
    if area == "worklist":
        return f"{n} visit{'s' if n != 1 else ''} in the coming days still blocked"
    # the count is the Worklist's tasks (due within its days), not this screen's whole list
    return f"{n} open task{_s(n)} on the Worklist's task list: {_NAV_WHAT[area]}"


def clamp_days(value: object) -> int:
    """The days setting as a usable number (the default when it is not one)."""
    if isinstance(value, bool) or not isinstance(value, int):
        return DEFAULT_DAYS
    return max(1, min(MAX_DAYS, value))
