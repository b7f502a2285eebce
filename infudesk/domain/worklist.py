"""The worklist: what still blocks each planned visit and the tasks around them — pure rules
on plain data (built on :mod:`infudesk.domain.readiness`), no I/O."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

from infudesk.domain import business_days as bd
from infudesk.domain import prior_auth as pa
from infudesk.domain import readiness as rd
from infudesk.domain.validation import normalize_code
from infudesk.domain.verification import us_date

Screen = Literal[
    "patient",
    "verification",
    "prior_auth",
    "new_prior_auth",
    "quote",
    "assistance",
    "letters",
    "visits",
]


class BlockerKind(enum.StrEnum):
    """What stands between a planned visit and the chair (most serious first)."""

    NOT_RECORDED = "not_recorded"  # a past visit still planned or arrived: never recorded
    COVERAGE_ENDED = "coverage_ended"  # the coverage ends before the visit
    UNVERIFIED = "unverified"
    VERIFICATION_DUE = "verification_due"
    PA_DENIED = "pa_denied"
    PA_MISSING = "pa_missing"
    PA_PENDING = "pa_pending"
    PA_OTHER_SITE = "pa_other_site"
    PA_EXPIRED = "pa_expired"
    PA_CODES = "pa_codes"  # approved, but not for a code the visit bills
    PA_EXHAUSTED = "pa_exhausted"  # units or visits used up by this visit
    DOCUMENT_MISSING = "document_missing"
    ESTIMATE_MISSING = "estimate_missing"  # insured: no cost letter printed
    GFE_DUE = "gfe_due"  # self-pay: Good Faith Estimate not given (due or late)
    ASSISTANCE_PENDING = "assistance_pending"  # applied or screening: not approved yet
    ASSISTANCE_EXPIRED = "assistance_expired"  # expired, or re-enrollment due, by the visit
    ASSISTANCE_LOW = "assistance_low"  # balance below what this visit needs


@dataclass(frozen=True, slots=True)
class Target:
    """Where the one-click fix opens. ``record_id`` is the record the screen opens on (None:
    the screen starts a new one): "verification" the verification id, "prior_auth" the case
    id, "new_prior_auth" the case a new request follows (an approval ended, used up or short
    of a code: the old case cannot be changed, a new one is asked for), "assistance" the
    enrollment id, "patient" the coverage id, "quote"/"letters" None.
    ``coverage_id`` and ``order_id`` say what a new verification, case or estimate is for."""

    screen: Screen
    patient_id: int
    record_id: int | None = None
    coverage_id: int | None = None
    order_id: int | None = None


@dataclass(frozen=True, slots=True)
class Blocker:
    """One thing blocking a visit: its kind, what the desk reads, the button's words and
    where that button leads."""

    kind: BlockerKind
    text: str
    action: str
    target: Target


class VisitStatus(enum.StrEnum):
    PLANNED = "planned"
    ARRIVED = "arrived"
    GIVEN = "given"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class VisitRow:
    """A planned (or arrived, given, cancelled) visit with what still blocks it."""

    visit_id: int
    patient_id: int
    patient_name: str
    mrn: str
    on: date
    order_id: int
    drug: str
    site: str
    payer: str  # the primary payer's name, "Self-pay" when none
    status: str  # a VisitStatus value
    blockers: tuple[Blocker, ...]

    @property
    def ready(self) -> bool:
        """No blocker left ("Ready")."""
        return not self.blockers


class TaskKind(enum.StrEnum):
    """Work with a due date beside the visits."""

    VERIFICATION_DUE = "verification_due"
    PA_FOLLOW_UP = "pa_follow_up"
    PA_DECISION_DUE = "pa_decision_due"
    REAUTH = "reauth"  # the approval ends within 60/30/7 days, or its units run low
    APPEAL_DEADLINE = "appeal_deadline"
    REENROLLMENT_DUE = "reenrollment_due"
    ESTIMATE_DUE = "estimate_due"
    ASSISTANCE_LOW = "assistance_low"


class TaskStatus(enum.StrEnum):
    OPEN = "open"
    DONE = "done"


@dataclass(frozen=True, slots=True)
class Task:
    """A task; ``key`` is stable across builds (e.g. "pa-followup:123") and is what an
    assignment or a status is stored under."""

    key: str
    kind: TaskKind
    text: str
    due: date
    patient_id: int
    patient_name: str
    payer: str
    assignee: str | None
    status: str  # a TaskStatus value
    target: Target


@dataclass(frozen=True, slots=True)
class Worklist:
    """The visits of the window (date order), the tasks (due order) and the counts per
    navigation area ("prior_auth", "verification", "quote", "assistance")."""

    visits: tuple[VisitRow, ...]
    tasks: tuple[Task, ...]
    counts: Mapping[str, int]


# --- readiness of the visits of one order -----------------------------------------------------

ACTIVE = frozenset({VisitStatus.PLANNED, VisitStatus.ARRIVED})
GFE_MIN_BUSINESS_DAYS = 3  # scheduled at least this many business days ahead: a GFE is due
GFE_LONG_BUSINESS_DAYS = 10  # …this many or more: 3 business days to give it, else 1


@dataclass(frozen=True, slots=True)
class VisitFacts:
    """A visit of the order: its id, date, status and the day it was scheduled (None: not
    known)."""

    visit_id: int
    on: date
    status: str = VisitStatus.PLANNED
    scheduled_on: date | None = None


@dataclass(frozen=True, slots=True)
class GrantState:
    """A patient's enrollment as readiness sees it. ``left``: what remains to pay with (a
    grant's balance, a card's annual maximum less what was used; None: no limit, e.g. a
    discount); ``per_visit``: what one visit draws from it (None: not known, then only an
    empty balance blocks)."""

    enrollment_id: int
    name: str
    status: str = "approved"  # screening | applied | approved | denied | expired
    expires: date | None = None
    reenroll_on: date | None = None
    left: Decimal | None = None
    per_visit: Decimal | None = None


@dataclass(frozen=True, slots=True)
class OrderFacts:
    """Everything the rules look at for the visits of one therapy order.

    ``codes``: the order's drug codes a prior authorization must name; ``units_per_visit``:
    what one visit bills by code; ``insured``: a primary coverage is billed (else self-pay);
    ``verification``: the primary coverage's verification facts (readiness);
    ``verification_id``: the latest verification of that coverage (None: none);
    ``cases``: the order's prior-auth cases on that coverage with their usages;
    ``documents``: the kinds of documents on file per case; ``estimates``: the days a cost
    letter was printed or saved for the patient; ``gfes``: the days a Good Faith Estimate was."""

    patient_id: int
    order_id: int
    site: str
    insured: bool
    coverage_id: int | None = None
    coverage_ends: date | None = None
    codes: tuple[str, ...] = ()
    units_per_visit: Mapping[str, int] = field(default_factory=dict)
    verification: rd.VerificationFacts | None = None
    verification_id: int | None = None
    cases: tuple[rd.AuthCase, ...] = ()
    documents: Mapping[int, frozenset[str]] = field(default_factory=dict)
    estimates: tuple[date, ...] = ()
    gfes: tuple[date, ...] = ()
    grants: tuple[GrantState, ...] = ()


def gfe_deadline(scheduled_on: date, on: date) -> date | None:
    """When a self-pay patient's Good Faith Estimate is due for a visit scheduled on
    ``scheduled_on`` for ``on`` (45 CFR 149.610): 1 business day after scheduling when the
    visit is 3–9 business days ahead, 3 business days when 10 or more; None when it is
    scheduled fewer than 3 business days ahead (no estimate is required then unless asked)."""
    ahead = bd.business_days_between(scheduled_on, on)
    if ahead < GFE_MIN_BUSINESS_DAYS:
        return None
    return bd.add_business_days(scheduled_on, 3 if ahead >= GFE_LONG_BUSINESS_DAYS else 1)


_PA_KIND: dict[rd.Kind, BlockerKind] = {
    rd.Kind.SITE_DENIED: BlockerKind.PA_DENIED,
    rd.Kind.PA_DENIED: BlockerKind.PA_DENIED,
    rd.Kind.PA_MISSING: BlockerKind.PA_MISSING,
    rd.Kind.PA_PENDING: BlockerKind.PA_PENDING,
    rd.Kind.PA_OTHER_SITE: BlockerKind.PA_OTHER_SITE,
    rd.Kind.PA_EXPIRED: BlockerKind.PA_EXPIRED,
    rd.Kind.PA_EXHAUSTED: BlockerKind.PA_EXHAUSTED,
    rd.Kind.UNVERIFIED: BlockerKind.UNVERIFIED,
    rd.Kind.VERIFICATION_DUE: BlockerKind.VERIFICATION_DUE,
}
ACTIONS: dict[BlockerKind, str] = {
    BlockerKind.NOT_RECORDED: "Open the patient's visits…",
    BlockerKind.COVERAGE_ENDED: "Update coverage…",
    BlockerKind.UNVERIFIED: "Verify now…",
    BlockerKind.VERIFICATION_DUE: "Re-verify…",
    BlockerKind.PA_DENIED: "Open the denial…",
    BlockerKind.PA_MISSING: "Start prior auth…",
    BlockerKind.PA_PENDING: "Follow up…",
    BlockerKind.PA_OTHER_SITE: "Open the authorization…",
    BlockerKind.PA_EXPIRED: "Request a new one…",
    BlockerKind.PA_CODES: "Ask to add the code…",
    BlockerKind.PA_EXHAUSTED: "Ask for more units…",
    BlockerKind.DOCUMENT_MISSING: "Add documents…",
    BlockerKind.ESTIMATE_MISSING: "Print the cost letter…",
    BlockerKind.GFE_DUE: "Give the Good Faith Estimate…",
    BlockerKind.ASSISTANCE_PENDING: "Open the application…",
    BlockerKind.ASSISTANCE_EXPIRED: "Re-enroll…",
    BlockerKind.ASSISTANCE_LOW: "Find more assistance…",
}
_ORDER = tuple(BlockerKind)
# an approval that ended or was used up cannot be changed: the fix is a new request
_NEW_REQUEST = frozenset({BlockerKind.PA_EXPIRED, BlockerKind.PA_EXHAUSTED})
_DECIDING = frozenset({pa.State.DRAFT, pa.State.SUBMITTED, pa.State.PENDING})


def _blocker(kind: BlockerKind, text: str, target: Target) -> Blocker:
    return Blocker(kind, text, ACTIONS[kind], target)


def open_items(blockers: Sequence[Blocker]) -> tuple[str, ...]:
    """What a visit's confirmation lists as still open: its blockers' words, without "not
    recorded" (which recording the visit settles)."""
    return tuple(b.text for b in blockers if b.kind is not BlockerKind.NOT_RECORDED)


UNRECORDED_DAYS = 30  # how far back a visit never recorded stays on the worklist


def not_recorded(patient_id: int, on: date, status: str, today: date) -> Blocker:
    """A visit whose day has passed while it is still planned (or arrived): nobody recorded
    it as given, cancelled or rescheduled, so its authorization units and assistance were
    never used up and nothing else reminds the desk of it."""
    ago = (today - on).days
    when = "yesterday" if ago == 1 else f"{ago} days ago"
    state = "marked arrived" if status == VisitStatus.ARRIVED else "still planned"
    return _blocker(
        BlockerKind.NOT_RECORDED,
        f"Not recorded: this visit was on {us_date(on)} ({when}) and is {state}. Record what "
        "happened — Given…, Cancel visit… or Reschedule… — so that the authorization's units "
        "and the assistance balance are right.",
        Target("visits", patient_id),
    )


def _pa_codes(day: date, f: OrderFacts) -> Blocker | None:
    """A drug code the visit bills that no approval covering the day and site names (each
    approval in force counts: a later one may add the code). The fix is a new request; once
    one is open (draft, submitted, pending), the button leads to it instead of another."""
    covering = [
        c
        for c in f.cases
        if c.state in pa.APPROVAL_STATES
        and c.approval is not None
        and c.approval.start <= day <= c.approval.end
        and (not c.approval.site or c.approval.site == f.site)
    ]
    if not covering:
        return None
    named: set[str] = set()
    for c in covering:
        assert c.approval is not None
        named |= set(c.approval.units())
    missing = [x for x in dict.fromkeys(normalize_code(x) for x in f.codes) if x not in named]
    if not missing:
        return None
    first = covering[0]
    assert first.approval is not None
    asked = [c for c in f.cases if c.state in _DECIDING and c.case_id > first.case_id]
    text = (
        f"Authorization {first.approval.auth_number} does not name {', '.join(missing)}: ask "
        "the payer to add it before this visit."
    )
    if asked:
        return Blocker(
            BlockerKind.PA_CODES,
            f"{text} A request is open (case #{asked[-1].case_id}): follow it up.",
            "Open the request…",
            Target("prior_auth", f.patient_id, asked[-1].case_id, f.coverage_id, f.order_id),
        )
    return _blocker(
        BlockerKind.PA_CODES,
        text,
        Target("new_prior_auth", f.patient_id, first.case_id, f.coverage_id, f.order_id),
    )


def _documents(f: OrderFacts) -> list[Blocker]:
    out = []
    for c in f.cases:
        if c.state in _DECIDING:
            missing = pa.missing_documents(f.documents.get(c.case_id, frozenset()))
        elif c.state is pa.State.DENIED:
            missing = pa.missing_documents(f.documents.get(c.case_id, frozenset()), for_appeal=True)
        else:
            continue
        if missing:
            names = ", ".join(pa.DOCUMENT_LABELS[k].lower() for k in missing)
            out.append(
                _blocker(
                    BlockerKind.DOCUMENT_MISSING,
                    f"The prior-auth case still needs: {names}.",
                    Target("prior_auth", f.patient_id, c.case_id, f.coverage_id, f.order_id),
                )
            )
    return out


def _estimate(v: VisitFacts, f: OrderFacts, today: date) -> Blocker | None:
    since = v.scheduled_on or date.min
    target = Target("letters", f.patient_id, None, f.coverage_id, f.order_id)
    if f.insured:
        if any(d >= since for d in f.estimates):
            return None
        return _blocker(
            BlockerKind.ESTIMATE_MISSING,
            "No cost letter given for this visit: print the patient's estimate.",
            target,
        )
    if any(d >= since for d in f.gfes):
        return None
    if v.scheduled_on is None:
        return _blocker(
            BlockerKind.GFE_DUE,
            "Self-pay: no Good Faith Estimate given yet.",
            target,
        )
    due = gfe_deadline(v.scheduled_on, v.on)
    if due is None:
        return None
    when = f"late since {us_date(due)}" if due < today else f"due by {us_date(due)}"
    return _blocker(
        BlockerKind.GFE_DUE,
        f"Self-pay: the Good Faith Estimate is {when} (scheduled {us_date(v.scheduled_on)}).",
        target,
    )


def order_blockers(
    visits: Sequence[VisitFacts], facts: OrderFacts, *, today: date
) -> dict[int, tuple[Blocker, ...]]:
    """What blocks each visit of one order, by visit id, most serious first. Given and
    cancelled visits and visits before ``today`` have none. A verification due again blocks
    from its due date on (before, it is a task: :class:`TaskKind` VERIFICATION_DUE). Approved visits and units, and
    assistance balance, are used up in date order: given visits (the usages) and the earlier
    planned ones count against a later visit."""
    out: dict[int, tuple[Blocker, ...]] = {v.visit_id: () for v in visits}
    active = sorted(
        (v for v in visits if v.status in ACTIVE and v.on >= today),
        key=lambda v: (v.on, v.visit_id),
    )
    if not active:
        return out
    rfacts = rd.Facts(
        site=facts.site,
        insured=facts.insured,
        units_per_visit=dict(facts.units_per_visit),
        cases=facts.cases,
        verification=facts.verification,
    )
    found = rd.visit_findings([v.on for v in active], rfacts, today=today)
    docs = _documents(facts) if facts.insured else []
    left = {g.enrollment_id: g.left for g in facts.grants}
    for v, (_day, findings) in zip(active, found, strict=True):
        found_here: list[Blocker] = []
        if facts.insured and facts.coverage_ends is not None and facts.coverage_ends < v.on:
            found_here.append(
                _blocker(
                    BlockerKind.COVERAGE_ENDED,
                    f"The coverage ends {us_date(facts.coverage_ends)}, before this visit: "
                    "enter the new coverage.",
                    Target("patient", facts.patient_id, facts.coverage_id),
                )
            )
        for fnd in findings:
            kind = _PA_KIND.get(fnd.kind)
            if kind is None:
                continue
            if kind is BlockerKind.VERIFICATION_DUE and fnd.on is not None and fnd.on > today:
                continue  # a re-check still ahead is a task, not yet a blocker
            if fnd.fix.kind == "verification":
                target = Target(
                    "verification",
                    facts.patient_id,
                    facts.verification_id,
                    facts.coverage_id,
                    facts.order_id,
                )
            else:
                target = Target(
                    "new_prior_auth" if kind in _NEW_REQUEST else "prior_auth",
                    facts.patient_id,
                    fnd.fix.target if fnd.fix.kind in ("prior_auth", "site") else None,
                    facts.coverage_id,
                    facts.order_id,
                )
            found_here.append(_blocker(kind, fnd.text, target))
        if facts.insured and not any(b.kind.value.startswith("pa_") for b in found_here):
            codes = _pa_codes(v.on, facts)
            if codes is not None:
                found_here.append(codes)
        found_here += docs
        est = _estimate(v, facts, today)
        if est is not None:
            found_here.append(est)
        found_here += _grant_blockers(v, facts, left)
        out[v.visit_id] = tuple(sorted(found_here, key=lambda b: _ORDER.index(b.kind)))
    return out


def _grant_blockers(v: VisitFacts, f: OrderFacts, left: dict[int, Decimal | None]) -> list[Blocker]:
    out: list[Blocker] = []
    for g in f.grants:
        target = Target("assistance", f.patient_id, g.enrollment_id, f.coverage_id, f.order_id)
        if g.status in ("screening", "applied"):
            out.append(
                _blocker(
                    BlockerKind.ASSISTANCE_PENDING,
                    f"{g.name}: the application is not decided ({g.status}).",
                    target,
                )
            )
            continue
        if g.status == "denied":
            continue
        ended = g.status == "expired" or (g.expires is not None and g.expires < v.on)
        renew = g.reenroll_on is not None and g.reenroll_on <= v.on
        if ended or renew:
            when = (
                f"expired {us_date(g.expires)}"
                if g.expires is not None and g.expires < v.on
                else "has expired"
                if g.status == "expired"
                else f"must be renewed by {us_date(g.reenroll_on)}"
                if g.reenroll_on is not None
                else "has expired"
            )
            out.append(
                _blocker(
                    BlockerKind.ASSISTANCE_EXPIRED,
                    f"{g.name} {when}: it pays nothing for this visit unless renewed.",
                    target,
                )
            )
            continue
        have = left.get(g.enrollment_id)
        if have is None:
            continue
        need = g.per_visit or Decimal("0")
        if have <= 0 or have < need:
            out.append(
                _blocker(
                    BlockerKind.ASSISTANCE_LOW,
                    f"{g.name} has ${max(have, Decimal('0')):,.2f} left"
                    + (f", this visit needs about ${need:,.2f}" if need else "")
                    + ": find more help or tell the patient.",
                    target,
                )
            )
        left[g.enrollment_id] = have - need
    return out


# --- tasks ------------------------------------------------------------------------------------

AREA_OF: dict[TaskKind, str] = {
    TaskKind.VERIFICATION_DUE: "verification",
    TaskKind.PA_FOLLOW_UP: "prior_auth",
    TaskKind.PA_DECISION_DUE: "prior_auth",
    TaskKind.REAUTH: "prior_auth",
    TaskKind.APPEAL_DEADLINE: "prior_auth",
    TaskKind.REENROLLMENT_DUE: "assistance",
    TaskKind.ESTIMATE_DUE: "quote",
    TaskKind.ASSISTANCE_LOW: "assistance",
}
AREAS: tuple[str, ...] = ("prior_auth", "verification", "quote", "assistance")
TASK_OF_REMINDER: dict[pa.ReminderKind, TaskKind] = {
    pa.ReminderKind.FOLLOW_UP: TaskKind.PA_FOLLOW_UP,
    pa.ReminderKind.DECISION_DUE: TaskKind.PA_DECISION_DUE,
    pa.ReminderKind.REAUTH: TaskKind.REAUTH,
    pa.ReminderKind.LOW_REMAINING: TaskKind.REAUTH,
    pa.ReminderKind.APPEAL_DUE: TaskKind.APPEAL_DEADLINE,
    pa.ReminderKind.EXTERNAL_REVIEW_DUE: TaskKind.APPEAL_DEADLINE,
    pa.ReminderKind.FAIR_HEARING_DUE: TaskKind.APPEAL_DEADLINE,
}
REENROLL_NOTICE_DAYS = 30  # a re-enrollment or expiry this close makes a task


def counts(visits: Iterable[VisitRow], tasks: Iterable[Task]) -> dict[str, int]:
    """Open tasks per navigation area, and "worklist": the visits not ready."""
    out = dict.fromkeys(AREAS, 0)
    for t in tasks:
        if t.status == TaskStatus.OPEN:
            out[AREA_OF[t.kind]] += 1
    out["worklist"] = sum(1 for v in visits if v.status in ACTIVE and not v.ready)
    return out


def filter_tasks(
    tasks: Iterable[Task],
    *,
    payer: str | None = None,
    assignee: str | None = None,
    unassigned: bool = False,
    status: str | None = None,
) -> tuple[Task, ...]:
    """The tasks of a payer, an assignee (``unassigned``: nobody's) and a status (None: any)."""
    return tuple(
        t
        for t in tasks
        if (payer is None or t.payer == payer)
        and (assignee is None or t.assignee == assignee)
        and (not unassigned or t.assignee is None)
        and (status is None or t.status == status)
    )
