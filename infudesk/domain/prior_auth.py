"""Prior authorizations: the case's state machine, approvals and their use, deadlines, reminders.

A case starts as a draft and moves only through :data:`TRANSITIONS`; :func:`apply` returns a
new :class:`CaseState` with one more :class:`Event` (who, when, from, to, note) or raises
:class:`TransitionError` saying what is possible instead. :func:`remaining` and
:func:`check_usage` follow the units and visits an approval allows; :func:`reminders` lists what
the desk must do next (follow-ups, payer decisions, reauthorizations, appeals). All pure: no
I/O, no clock (``today`` and ``on`` are always given).

Choices where the lifecycle description is silent:

- Open states are all but ``expired`` and ``cancelled`` (the terminal states); any open case
  can be cancelled, with a note saying why.
- Only a full denial is appealed here. A partial approval is also an adverse decision for the
  part refused, but appealing it would leave the approved part without a state to live in:
  record that appeal as a new case.
- A second internal appeal (``appeal_denied`` → ``appeal_submitted``) is allowed once:
  employer (ERISA) group health plans may have up to two levels of internal appeal
  (29 CFR 2560.503-1(c)(2)); individual-market and marketplace plans have one
  (45 CFR 147.136(b)(3)(ii)(G)), so the desk follows the payer's denial letter. No internal
  appeal after an external review, and at most one external review per case: after the
  reviewer upholds the denial the case stays ``appeal_denied`` until cancelled.
- Only an approval expires (``approved``, ``partially_approved``, ``appeal_approved``), and
  only after its end date.
- A step cannot be dated before the case's previous step.
- Deadlines follow the coverage's plan type (:func:`appeal_window`, :func:`next_step`): the
  internal appeal window is the plan type's rule unless the payer's setting or, first of all,
  the window printed on the denial letter says otherwise. External review is a step only for
  commercial, employer and marketplace (ACA) plans. After an upheld Medicare Advantage
  reconsideration the plan itself forwards the case to the independent review entity (IRE): the
  case says so and offers nothing to file. After an upheld Medicaid plan appeal the next level is
  a state fair hearing, which is outside the plan: it is a reminder and a next-step text, not a
  state of this case (the hearing's decision, if it reverses the denial, comes back as a new
  authorization: record it as a new case, as for a partial approval's appeal). After an upheld
  Original Medicare redetermination the next level (QIC reconsideration) is said as text.
- An unknown or empty plan type follows the commercial rules (the ACA minimums).
"""

from __future__ import annotations

import calendar
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any, Literal

from infudesk.domain.coverage import PLAN_TYPE_LABELS
from infudesk.domain.validation import check_procedure_code, normalize_code
from infudesk.domain.verification import us_date

# --- States and actions ---------------------------------------------------------------------


class State(enum.StrEnum):
    """Where a prior-authorization case stands."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    PENDING = "pending"
    APPROVED = "approved"
    PARTIALLY_APPROVED = "partially_approved"
    DENIED = "denied"
    APPEAL_SUBMITTED = "appeal_submitted"
    APPEAL_APPROVED = "appeal_approved"
    APPEAL_DENIED = "appeal_denied"
    EXTERNAL_REVIEW = "external_review"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


STATE_LABELS: dict[State, str] = {
    State.DRAFT: "Draft",
    State.SUBMITTED: "Submitted",
    State.PENDING: "Pending (more information requested)",
    State.APPROVED: "Approved",
    State.PARTIALLY_APPROVED: "Partially approved",
    State.DENIED: "Denied",
    State.APPEAL_SUBMITTED: "Appeal submitted",
    State.APPEAL_APPROVED: "Approved on appeal",
    State.APPEAL_DENIED: "Denied on appeal",
    State.EXTERNAL_REVIEW: "In external review",
    State.EXPIRED: "Expired",
    State.CANCELLED: "Cancelled",
}


class Action(enum.StrEnum):
    """What can happen to a case (each names one step of :data:`TRANSITIONS`)."""

    SUBMIT = "submit"
    PEND = "pend"  # the payer asked for more information: the case is (still) pending
    APPROVE = "approve"
    APPROVE_PARTIALLY = "approve_partially"
    DENY = "deny"
    APPEAL = "appeal"
    APPROVE_APPEAL = "approve_appeal"
    DENY_APPEAL = "deny_appeal"
    REQUEST_EXTERNAL_REVIEW = "request_external_review"
    OVERTURN = "overturn"  # the external reviewer decided for the patient
    UPHOLD = "uphold"  # the external reviewer decided for the payer
    CANCEL = "cancel"
    EXPIRE = "expire"


ACTION_LABELS: dict[Action, str] = {
    Action.SUBMIT: "Submit to the payer",
    Action.PEND: "More information requested",
    Action.APPROVE: "Approved",
    Action.APPROVE_PARTIALLY: "Partially approved",
    Action.DENY: "Denied",
    Action.APPEAL: "Appeal",
    Action.APPROVE_APPEAL: "Appeal approved",
    Action.DENY_APPEAL: "Appeal denied",
    Action.REQUEST_EXTERNAL_REVIEW: "Request external review",
    Action.OVERTURN: "External review: denial overturned",
    Action.UPHOLD: "External review: denial upheld",
    Action.CANCEL: "Cancel",
    Action.EXPIRE: "Mark expired",
}

TRANSITIONS: dict[State, dict[Action, State]] = {
    State.DRAFT: {Action.SUBMIT: State.SUBMITTED, Action.CANCEL: State.CANCELLED},
    State.SUBMITTED: {
        Action.PEND: State.PENDING,
        Action.APPROVE: State.APPROVED,
        Action.APPROVE_PARTIALLY: State.PARTIALLY_APPROVED,
        Action.DENY: State.DENIED,
        Action.CANCEL: State.CANCELLED,
    },
    State.PENDING: {
        Action.PEND: State.PENDING,
        Action.APPROVE: State.APPROVED,
        Action.APPROVE_PARTIALLY: State.PARTIALLY_APPROVED,
        Action.DENY: State.DENIED,
        Action.CANCEL: State.CANCELLED,
    },
    State.APPROVED: {Action.EXPIRE: State.EXPIRED, Action.CANCEL: State.CANCELLED},
    State.PARTIALLY_APPROVED: {Action.EXPIRE: State.EXPIRED, Action.CANCEL: State.CANCELLED},
    State.DENIED: {Action.APPEAL: State.APPEAL_SUBMITTED, Action.CANCEL: State.CANCELLED},
    State.APPEAL_SUBMITTED: {
        Action.APPROVE_APPEAL: State.APPEAL_APPROVED,
        Action.DENY_APPEAL: State.APPEAL_DENIED,
        Action.CANCEL: State.CANCELLED,
    },
    State.APPEAL_APPROVED: {Action.EXPIRE: State.EXPIRED, Action.CANCEL: State.CANCELLED},
    State.APPEAL_DENIED: {
        Action.APPEAL: State.APPEAL_SUBMITTED,  # a second internal level, see the module doc
        Action.REQUEST_EXTERNAL_REVIEW: State.EXTERNAL_REVIEW,
        Action.CANCEL: State.CANCELLED,
    },
    State.EXTERNAL_REVIEW: {
        Action.OVERTURN: State.APPEAL_APPROVED,
        Action.UPHOLD: State.APPEAL_DENIED,
        Action.CANCEL: State.CANCELLED,
    },
    State.EXPIRED: {},
    State.CANCELLED: {},
}

TERMINAL_STATES: frozenset[State] = frozenset({State.EXPIRED, State.CANCELLED})
OPEN_STATES: frozenset[State] = frozenset(State) - TERMINAL_STATES
APPROVAL_STATES: frozenset[State] = frozenset(
    {State.APPROVED, State.PARTIALLY_APPROVED, State.APPEAL_APPROVED}
)
MAX_INTERNAL_APPEALS = 2
APPROVING_ACTIONS: frozenset[Action] = frozenset(
    {Action.APPROVE, Action.APPROVE_PARTIALLY, Action.APPROVE_APPEAL, Action.OVERTURN}
)
DENYING_ACTIONS: frozenset[Action] = frozenset({Action.DENY, Action.DENY_APPEAL, Action.UPHOLD})

# "A denied case can be appealed or cancelled, not approved."
_CASE_PHRASE: dict[State, str] = {
    State.DRAFT: "A draft case",
    State.SUBMITTED: "A submitted case",
    State.PENDING: "A pending case",
    State.APPROVED: "An approved case",
    State.PARTIALLY_APPROVED: "A partially approved case",
    State.DENIED: "A denied case",
    State.APPEAL_SUBMITTED: "A case under appeal",
    State.APPEAL_APPROVED: "A case approved on appeal",
    State.APPEAL_DENIED: "A case denied on appeal",
    State.EXTERNAL_REVIEW: "A case in external review",
    State.EXPIRED: "An expired case",
    State.CANCELLED: "A cancelled case",
}
_DONE: dict[Action, str] = {
    Action.SUBMIT: "submitted",
    Action.PEND: "marked pending (more information requested)",
    Action.APPROVE: "approved",
    Action.APPROVE_PARTIALLY: "partially approved",
    Action.DENY: "denied",
    Action.APPEAL: "appealed",
    Action.APPROVE_APPEAL: "approved on appeal",
    Action.DENY_APPEAL: "denied on appeal",
    Action.REQUEST_EXTERNAL_REVIEW: "sent to external review",
    Action.OVERTURN: "overturned (decided for the patient)",
    Action.UPHOLD: "upheld (decided for the payer)",
    Action.CANCEL: "cancelled",
    Action.EXPIRE: "marked expired",
}


# --- Approvals ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApprovedLine:
    """One approved code and the units approved for the whole authorization."""

    code: str
    units: int


@dataclass(frozen=True)
class Approval:
    """What the payer approved. ``visits`` is None when the approval sets no visit limit."""

    auth_number: str
    lines: tuple[ApprovedLine, ...]
    visits: int | None
    start: date
    end: date  # the last day covered
    site: str = ""  # the site of care, when the approval names one

    def units(self) -> dict[str, int]:
        """Approved units by (normalized) code; a code listed twice counts once with both."""
        out: dict[str, int] = {}
        for line in self.lines:
            code = normalize_code(line.code)
            out[code] = out.get(code, 0) + line.units
        return out

    def units_per_visit(self) -> dict[str, int]:
        """Approved units ÷ approved visits, rounded down, by code (empty without a visit limit)."""
        if not self.visits or self.visits < 1:
            return {}
        return {code: units // self.visits for code, units in self.units().items()}


def approval_problems(approval: Approval) -> dict[str, str]:
    """Field → message for an approval that cannot be recorded (empty when it can)."""
    problems: dict[str, str] = {}
    if not approval.auth_number.strip():
        problems["auth_number"] = "Enter the authorization number from the payer's approval."
    if not approval.lines:
        problems["lines"] = "List at least one approved code with its units (e.g. J1745, 280)."
    seen: set[str] = set()
    for line in approval.lines:
        code = normalize_code(line.code)
        msg = check_procedure_code(code)
        if msg:
            problems.setdefault("lines", msg)
        elif code in seen:
            problems.setdefault("lines", f"{code} is listed twice: put all its units on one line.")
        elif isinstance(line.units, bool) or line.units < 1:
            problems.setdefault(
                "lines", f"{code}: the approved units must be a whole number greater than 0."
            )
        seen.add(code)
    if approval.visits is not None and (isinstance(approval.visits, bool) or approval.visits < 1):
        problems["visits"] = (
            "The approved visits must be at least 1 (leave it empty when the approval sets no"
            " visit limit)."
        )
    if approval.end < approval.start:
        problems["end"] = (
            f"The approval ends ({us_date(approval.end)}) before it starts"
            f" ({us_date(approval.start)}): check both dates."
        )
    return problems


# --- Cases and events -----------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    """One change of state: when, by whom, what, from where to where, and a note."""

    on: date
    by: str
    action: Action
    from_state: State
    to_state: State
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class CaseState:
    """A prior-authorization case as the rules see it. Start with ``CaseState()`` (a draft)."""

    state: State = State.DRAFT
    events: tuple[Event, ...] = ()
    follow_up: date | None = None  # set while pending
    approval: Approval | None = None  # the latest approval (kept when it expires)
    denied_on: date | None = None  # the first decision that denied the request
    denial_reason: str = ""  # the latest denial's (or upheld denial's) reason
    final_internal_denial_on: date | None = None  # the last appeal denial
    submitted_on: date | None = None
    appeal_submitted_on: date | None = None  # the latest internal appeal
    urgent: bool = False  # expedited: the latest submit, appeal or external review said so
    plan_type: str = ""  # the coverage's PlanType value ("" unknown: commercial rules)
    letter_appeal_days: int | None = None  # the appeal window the denial letter states


class TransitionError(ValueError):
    """A step that cannot be taken; the message says what to do instead.

    ``field`` names the detail to correct ("follow_up", "approval", "reason", "note", "on",
    "by", or an approval field such as "end"), None when the step itself is not possible;
    ``allowed`` lists the steps that are.
    """

    def __init__(
        self, message: str, *, field: str | None = None, allowed: Sequence[Action] = ()
    ) -> None:
        super().__init__(message)
        self.field = field
        self.allowed = tuple(allowed)


def _appeals_used(history: Sequence[Event]) -> int:
    return sum(1 for e in history if e.action is Action.APPEAL)


def _external_review_used(history: Sequence[Event]) -> bool:
    return any(e.action is Action.REQUEST_EXTERNAL_REVIEW for e in history)


def allowed_actions(
    state: State, history: Sequence[Event] = (), plan_type: str = ""
) -> list[Action]:
    """The steps possible from ``state`` after ``history``, in :class:`Action` order.

    The history forbids a second external review and an internal appeal beyond
    :data:`MAX_INTERNAL_APPEALS` or after an external review; the plan type forbids an
    external review outside commercial, employer and marketplace plans
    (:func:`offers_external_review`).
    """
    possible = TRANSITIONS[State(state)]
    out: list[Action] = []
    for action in Action:
        if action not in possible:
            continue
        if action is Action.REQUEST_EXTERNAL_REVIEW and (
            _external_review_used(history) or not offers_external_review(plan_type)
        ):
            continue
        if action is Action.APPEAL and (
            _appeals_used(history) >= MAX_INTERNAL_APPEALS or _external_review_used(history)
        ):
            continue
        out.append(action)
    return out


def _join_or(words: Sequence[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} or {words[-1]}"


def refusal(
    state: State, action: Action, history: Sequence[Event] = (), plan_type: str = ""
) -> str:
    """Why ``action`` is not possible now, and what is (for a :class:`TransitionError`)."""
    allowed = allowed_actions(state, history, plan_type)
    who = _CASE_PHRASE[state]
    if not allowed:
        return f"{who} is closed: it cannot be {_DONE[action]}. Start a new request instead."
    why = ""
    if action in TRANSITIONS[state]:  # the table allows it, the history or plan does not
        if action is Action.REQUEST_EXTERNAL_REVIEW and not offers_external_review(plan_type):
            why = f": {_NO_EXTERNAL_REVIEW[_rule_type(plan_type)]}"
        elif action is Action.REQUEST_EXTERNAL_REVIEW:
            why = ": this case has already had its external review"
        elif _external_review_used(history):
            why = ": there is no internal appeal after an external review"
        else:
            why = f": it has already been appealed {MAX_INTERNAL_APPEALS} times"
    return f"{who} can be {_join_or([_DONE[a] for a in allowed])}, not {_DONE[action]}{why}."


_DETAIL_NAMES: dict[Action, frozenset[str]] = {
    Action.SUBMIT: frozenset({"urgent"}),
    Action.PEND: frozenset({"follow_up"}),
    Action.APPROVE: frozenset({"approval"}),
    Action.APPROVE_PARTIALLY: frozenset({"approval"}),
    Action.DENY: frozenset({"reason", "appeal_days"}),
    Action.APPEAL: frozenset({"urgent"}),
    Action.APPROVE_APPEAL: frozenset({"approval"}),
    Action.DENY_APPEAL: frozenset({"reason"}),
    Action.REQUEST_EXTERNAL_REVIEW: frozenset({"urgent"}),
    Action.OVERTURN: frozenset({"approval"}),
    Action.UPHOLD: frozenset({"reason"}),
    Action.CANCEL: frozenset(),
    Action.EXPIRE: frozenset(),
}


def _is_day(value: object) -> bool:
    return isinstance(value, date) and not isinstance(value, datetime)


def apply(
    case: CaseState,
    action: Action,
    *,
    on: date,
    by: str,
    note: str = "",
    **details: object,
) -> CaseState:
    """The case after ``action`` taken ``on`` that day ``by`` a staff member (a new object).

    Details by action (any other name is a programming error: TypeError):

    - submit, appeal, request_external_review: ``urgent: bool`` (optional; kept when absent);
    - pend: ``follow_up: date``, on or after ``on`` (required);
    - approve, approve_partially, approve_appeal, overturn: ``approval: Approval`` (required,
      see :func:`approval_problems`);
    - deny, deny_appeal, uphold: ``reason: str`` (required); ``on`` is the decision date;
      deny also takes ``appeal_days: int | None``, the appeal window the denial letter states
      (optional, 1 to 365: it wins over the payer's setting and the plan type's rule);
    - cancel: ``note`` is required (why);
    - expire: only after the approval's end date.

    Raises :class:`TransitionError` (with ``field`` set when a detail is wrong) and leaves
    ``case`` untouched.
    """
    action = Action(action)
    history = case.events
    allowed = allowed_actions(case.state, history, case.plan_type)
    if action not in allowed:
        raise TransitionError(refusal(case.state, action, history, case.plan_type), allowed=allowed)
    unknown = sorted(set(details) - _DETAIL_NAMES[action])
    if unknown:
        raise TypeError(f"{action.value} takes no detail named {', '.join(unknown)}")

    def refuse(message: str, name: str) -> TransitionError:
        return TransitionError(message, field=name, allowed=allowed)

    if not _is_day(on):
        raise TypeError("on must be a date")
    who = by.strip()
    if not who:
        raise refuse("Say who did this (the staff member's name).", "by")
    if history and on < history[-1].on:
        raise refuse(
            f"The previous step of this case is dated {us_date(history[-1].on)}:"
            " date this one on or after it.",
            "on",
        )
    text = note.strip()
    target = TRANSITIONS[case.state][action]
    changes: dict[str, Any] = {"follow_up": None}

    urgent = details.get("urgent")
    if urgent is not None:
        if not isinstance(urgent, bool):
            raise TypeError("urgent must be True or False")
        changes["urgent"] = urgent

    if action is Action.SUBMIT:
        changes["submitted_on"] = on
    elif action is Action.PEND:
        follow_up = details.get("follow_up")
        if follow_up is None:
            raise refuse(
                "A pending case needs a follow-up date: when will you check with the payer again?",
                "follow_up",
            )
        if not isinstance(follow_up, date) or isinstance(follow_up, datetime):
            raise TypeError("follow_up must be a date")
        if follow_up < on:
            raise refuse(
                f"The follow-up date ({us_date(follow_up)}) is before this step"
                f" ({us_date(on)}): choose a date on or after it.",
                "follow_up",
            )
        changes["follow_up"] = follow_up
    elif action in APPROVING_ACTIONS:
        approval = details.get("approval")
        if approval is None:
            raise refuse(
                "Enter what the payer approved: authorization number, codes and units,"
                " visits, and start and end dates.",
                "approval",
            )
        if not isinstance(approval, Approval):
            raise TypeError("approval must be an Approval")
        problems = approval_problems(approval)
        if problems:
            name, message = next(iter(problems.items()))
            raise refuse(message, name)
        changes["approval"] = approval
    elif action in DENYING_ACTIONS:
        reason = details.get("reason")
        if reason is not None and not isinstance(reason, str):
            raise TypeError("reason must be a text")
        if reason is None or not reason.strip():
            raise refuse(
                "Enter the payer's reason for the denial, as the letter gives it.", "reason"
            )
        changes["denial_reason"] = reason.strip()
        if action is Action.DENY:
            changes["denied_on"] = on
            changes["approval"] = None
            letter_days = details.get("appeal_days")
            if letter_days is not None:
                if isinstance(letter_days, bool) or not isinstance(letter_days, int):
                    raise TypeError("appeal_days must be an int or None")
                problem = check_appeal_days(letter_days)
                if problem:
                    raise refuse(problem, "appeal_days")
            changes["letter_appeal_days"] = letter_days
        elif action is Action.DENY_APPEAL:
            changes["final_internal_denial_on"] = on
    elif action is Action.APPEAL:
        changes["appeal_submitted_on"] = on
        changes["final_internal_denial_on"] = None  # a further level: that denial was not final
    elif action is Action.CANCEL:
        if not text:
            raise refuse("Say in the note why the case is cancelled.", "note")
    elif action is Action.EXPIRE and case.approval is not None and on <= case.approval.end:
        raise refuse(
            f"This approval runs through {us_date(case.approval.end)}: it can be marked expired"
            f" from {us_date(case.approval.end + timedelta(days=1))}.",
            "on",
        )

    event = Event(on=on, by=who, action=action, from_state=case.state, to_state=target, note=text)
    return replace(case, state=target, events=(*history, event), **changes)


# --- Use of an approval ---------------------------------------------------------------------


@dataclass(frozen=True)
class Usage:
    """Units of one code given on a day; ``visit`` when this line counts as the visit.

    A visit with an administered and a wasted (JW) line of the same drug is two usages of that
    code (both use approved units) of which one has ``visit=True``. ``reason`` explains a use
    the approval does not cover (beyond its units or visits, another code, another date).
    """

    on: date
    code: str
    units: int
    visit: bool
    reason: str = ""


@dataclass(frozen=True)
class Remaining:
    """What is left of an approval: never below 0; what was used beyond it is in ``over``.

    ``units_by_code`` has every approved code; ``over`` has each code used beyond its approved
    units (a code not on the approval: all its units); ``visits`` is None without a visit limit.
    """

    units_by_code: dict[str, int]
    visits: int | None
    over: dict[str, int] = field(default_factory=dict)
    visits_over: int = 0


def remaining(approval: Approval, usages: Iterable[Usage]) -> Remaining:
    """Units and visits left after ``usages`` (all of them count, whatever their date)."""
    return _remaining(approval, approval.units(), usages)


def _remaining(approval: Approval, approved: dict[str, int], usages: Iterable[Usage]) -> Remaining:
    """:func:`remaining` with the approval's units by code already worked out."""
    used: dict[str, int] = {}
    visits_used = 0
    for u in usages:
        code = normalize_code(u.code)
        used[code] = used.get(code, 0) + u.units
        visits_used += 1 if u.visit else 0
    units_by_code = {code: max(0, units - used.get(code, 0)) for code, units in approved.items()}
    over = {
        code: n - approved.get(code, 0) for code, n in used.items() if n > approved.get(code, 0)
    }
    if approval.visits is None:
        return Remaining(units_by_code, None, over, 0)
    return Remaining(
        units_by_code,
        max(0, approval.visits - visits_used),
        over,
        max(0, visits_used - approval.visits),
    )


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


_ANYWAY = " — give a reason to record it anyway."


def check_usage(approval: Approval, usages_so_far: Iterable[Usage], new: Usage) -> str | None:
    """Why ``new`` should not be recorded against ``approval`` as it is, or None when it can.

    A use the approval does not cover (a date outside start–end, a code not on it, more units
    or visits than are left) is accepted only with a reason; units must always be above 0.
    """
    if isinstance(new.units, bool) or new.units < 1:
        return "Enter the units given: a whole number greater than 0."
    if new.reason.strip():
        return None
    code = normalize_code(new.code)
    if not approval.start <= new.on <= approval.end:
        return (
            f"This approval covers {us_date(approval.start)}–{us_date(approval.end)}:"
            f" {us_date(new.on)} is outside it{_ANYWAY}"
        )
    approved = approval.units()
    if code not in approved:
        return f"{code} is not on this approval ({', '.join(approved)}){_ANYWAY}"
    left = remaining(approval, usages_so_far)
    units_left = left.units_by_code[code]
    if new.units > units_left:
        have = "no units left" if units_left == 0 else f"{_n(units_left, 'unit')} left"
        return f"{code}: {have}, this visit uses {new.units}{_ANYWAY}"
    if new.visit and left.visits is not None and left.visits < 1:
        return f"No visits left on this approval (all {approval.visits} used){_ANYWAY}"
    return None


# --- Deadlines ------------------------------------------------------------------------------

REAUTH_DAYS: tuple[int, ...] = (60, 30, 7)
SOON_DAYS = 14
URGENT_DAYS = 3  # 72 hours, counted in whole days
# CMS-0057-F (89 FR 8758, Jan 2024), from 2026-01-01: Medicare Advantage, Medicaid fee-for-service
# and Medicaid managed care decide standard requests within 7 calendar days, expedited within
# 72 hours (42 CFR 422.568(b)(1), 422.572(a), 438.210(d), 440.230(e)). QHP issuers on the
# federally facilitated exchanges were left out of these timeframes: marketplace plans stay on
# the ACA/ERISA claims rule below.
CMS_0057_PLAN_TYPES: frozenset[str] = frozenset(
    {"medicare_advantage", "medicaid", "medicaid_managed_care"}
)
CMS_0057_STANDARD_DAYS = 7
# Medicare Advantage requests for a Part B drug are decided faster: 72 hours standard, 24 hours
# expedited (42 CFR 422.568, 422.572). Assumption: every drug infudesk schedules is
# infused or injected in a clinic or at home under the medical benefit, so under a Medicare
# Advantage plan it is a Part B drug, and every Medicare Advantage request here is on one.
MA_PART_B_STANDARD_HOURS = 72
MA_PART_B_EXPEDITED_HOURS = 24
# ERISA claims procedure, 29 CFR 2560.503-1(f)(2)(i), (f)(2)(iii)(A), applied to non-grandfathered
# individual and group coverage (marketplace included) by 45 CFR 147.136(b): a pre-service
# decision within 15 days (one 15-day extension possible), urgent within 72 hours.
ERISA_PRE_SERVICE_DAYS = 15
# Appeal decisions, 29 CFR 2560.503-1(i)(2)(i)-(ii): 72 hours urgent, 30 days pre-service (one
# level; 15 days each when the plan has two levels). Medicare Advantage reconsiderations
# (42 CFR 422.590) and Medicaid managed care appeals (42 CFR 438.408) use the same 30 days / 72 h.
APPEAL_DECISION_DAYS = 30
EXTERNAL_REVIEW_MONTHS = 4
# After the plan's appeal decision upholds a Medicaid denial: a state fair hearing, asked within
# 120 days of that decision (42 CFR 438.408(f)(2)). After an upheld Original Medicare
# redetermination: reconsideration by a Qualified Independent Contractor within 180 days
# (42 CFR 405.962).
FAIR_HEARING_DAYS = 120
QIC_RECONSIDERATION_DAYS = 180

MIN_APPEAL_DAYS, MAX_APPEAL_DAYS = 1, 365
LETTER_SOURCE = "stated on the denial letter"
PAYER_SOURCE = "payer setting"

# The internal appeal window by plan type, in days from the denial notice, and what it is called.
# Commercial, employer and marketplace: at least 180 days (29 CFR 2560.503-1(h)(3)(i),
# 45 CFR 147.136(b)). Medicare Advantage: 65 days for a reconsideration (42 CFR 422.582(b)).
# Medicaid fee-for-service and managed care: 60 days for the plan appeal (42 CFR 438.402(c)(2)).
# Original Medicare: 120 days for a redetermination (42 CFR 405.942). Medigap pays after Medicare
# and follows Medicare's decision, so a denial is appealed through Original Medicare's levels.
APPEAL_RULES: dict[str, tuple[int, str]] = {
    "commercial": (180, "commercial plan internal appeal"),
    "employer_self_funded": (180, "employer plan internal appeal"),
    "marketplace": (180, "marketplace (ACA) plan internal appeal"),
    "medicare_advantage": (65, "Medicare Advantage reconsideration"),
    "medicaid": (60, "Medicaid plan appeal"),
    "medicaid_managed_care": (60, "Medicaid plan appeal"),
    "medicare_part_b": (120, "Original Medicare redetermination"),
    "medigap": (120, "Original Medicare redetermination (Medigap follows Medicare)"),
}
EXTERNAL_REVIEW_PLAN_TYPES: frozenset[str] = frozenset(
    {"commercial", "employer_self_funded", "marketplace"}
)


def _rule_type(plan_type: str) -> str:
    """The plan type whose rules apply: an unknown or empty one follows the commercial rules."""
    return plan_type if plan_type in APPEAL_RULES else "commercial"


def check_appeal_days(days: int | None) -> str | None:
    """Why ``days`` cannot be an appeal window (None when it can; None itself is "not set")."""
    if days is None:
        return None
    if isinstance(days, bool) or not isinstance(days, int):
        return "Give the appeal window as a whole number of days."
    if not MIN_APPEAL_DAYS <= days <= MAX_APPEAL_DAYS:
        return (
            f"The appeal window must be {MIN_APPEAL_DAYS} to {MAX_APPEAL_DAYS} days ({days} given)."
        )
    return None


@dataclass(frozen=True)
class AppealWindow:
    """The days allowed to file the internal appeal, and where that number comes from."""

    days: int
    source: str  # "Medicaid plan appeal", "stated on the denial letter", "payer setting"

    @property
    def label(self) -> str:
        """ "60 days — Medicaid plan appeal"."""
        return f"{_n(self.days, 'day')} — {self.source}"


def plan_appeal_window(plan_type: str) -> AppealWindow:
    """The plan type's own rule (see :data:`APPEAL_RULES`)."""
    days, source = APPEAL_RULES[_rule_type(plan_type)]
    return AppealWindow(days, source)


def appeal_window(
    plan_type: str, *, payer_days: int | None = None, letter_days: int | None = None
) -> AppealWindow:
    """The internal appeal window: the denial letter's when it states one, else the payer's
    setting when there is one, else the plan type's rule.

    A letter or payer value outside 1–365 days is ignored (it cannot be stored: the services
    refuse it).
    """
    if letter_days is not None and check_appeal_days(letter_days) is None:
        return AppealWindow(letter_days, LETTER_SOURCE)
    if payer_days is not None and check_appeal_days(payer_days) is None:
        return AppealWindow(payer_days, PAYER_SOURCE)
    return plan_appeal_window(plan_type)


def plan_type_defaults_hint() -> str:
    """The plan types' windows in one line, for a form's hint."""
    seen: dict[int, list[str]] = {}
    for plan_type, (days, _) in APPEAL_RULES.items():
        seen.setdefault(days, []).append(PLAN_TYPE_LABELS.get(plan_type, plan_type))
    return "; ".join(f"{', '.join(names)}: {days}" for days, names in seen.items())


def appeal_deadline(denied_on: date, appeal_days: int) -> date:
    """The last day to file the internal appeal: ``appeal_days`` calendar days after the denial
    (:func:`appeal_window` gives the days). Medicaid managed care, denied 11/20/2026, 60 days:
    01/19/2027."""
    return denied_on + timedelta(days=appeal_days)


def case_appeal_window(case: CaseState, payer_days: int | None = None) -> AppealWindow:
    """This case's appeal window: its denial letter's, else the payer's, else its plan type's."""
    return appeal_window(case.plan_type, payer_days=payer_days, letter_days=case.letter_appeal_days)


def appeal_by_text(case: CaseState, payer_days: int | None = None) -> str:
    """ "Appeal by 01/19/2027 — 60 days — Medicaid plan appeal" ("" before a denial)."""
    if case.denied_on is None:
        return ""
    window = case_appeal_window(case, payer_days)
    return f"Appeal by {us_date(appeal_deadline(case.denied_on, window.days))} — {window.label}"


def offers_external_review(plan_type: str) -> bool:
    """External review (45 CFR 147.136(c)-(d)) is for commercial, employer and marketplace plans
    only; an unknown plan type follows the commercial rules."""
    return _rule_type(plan_type) in EXTERNAL_REVIEW_PLAN_TYPES


class NextStep(enum.StrEnum):
    """What follows an internal appeal the plan upholds."""

    EXTERNAL_REVIEW = "external_review"  # commercial / ACA: the patient or center asks for it
    IRE_AUTOMATIC = "ire_automatic"  # Medicare Advantage: the plan forwards it, nothing to file
    STATE_FAIR_HEARING = "state_fair_hearing"  # Medicaid: asked of the state, 120 days
    QIC_RECONSIDERATION = "qic_reconsideration"  # Original Medicare (and Medigap): 180 days


def next_step(plan_type: str) -> NextStep:
    """The next level after the plan upholds its denial on appeal, by plan type."""
    kind = _rule_type(plan_type)
    if kind == "medicare_advantage":
        return NextStep.IRE_AUTOMATIC
    if kind in ("medicaid", "medicaid_managed_care"):
        return NextStep.STATE_FAIR_HEARING
    if kind in ("medicare_part_b", "medigap"):
        return NextStep.QIC_RECONSIDERATION
    return NextStep.EXTERNAL_REVIEW


_NO_EXTERNAL_REVIEW: dict[str, str] = {
    "medicare_advantage": (
        "a Medicare Advantage plan forwards an upheld reconsideration to the independent"
        " review entity itself, there is nothing to file"
    ),
    "medicaid": "a Medicaid denial upheld on appeal goes to a state fair hearing instead",
    "medicaid_managed_care": "a Medicaid denial upheld on appeal goes to a state fair hearing"
    " instead",
    "medicare_part_b": "under Original Medicare the next level is a QIC reconsideration",
    "medigap": "a Medigap denial follows Medicare's appeal levels (a QIC reconsideration next)",
}


def fair_hearing_deadline(appeal_decision_on: date) -> date:
    """The last day to ask for a state fair hearing: 120 days after the plan's appeal decision."""
    return appeal_decision_on + timedelta(days=FAIR_HEARING_DAYS)


def qic_deadline(redetermination_on: date) -> date:
    """The last day to ask a QIC for reconsideration: 180 days after the redetermination."""
    return redetermination_on + timedelta(days=QIC_RECONSIDERATION_DAYS)


def next_step_text(plan_type: str, final_internal_denial_on: date | None = None) -> str:
    """The next level in plain words. Without a date it says what would follow an upheld
    appeal; with the date the plan upheld its denial on appeal, what follows now and by when."""
    step = next_step(plan_type)
    on = final_internal_denial_on
    if step is NextStep.IRE_AUTOMATIC:
        if on:
            return (
                "The plan upheld its denial on reconsideration: it sends the case to the"
                " independent review entity (IRE) automatically — there is nothing to file."
            )
        return (
            "If the plan upholds its denial on reconsideration, it sends the case to the"
            " independent review entity (IRE) automatically: there is nothing to file."
        )
    if step is NextStep.STATE_FAIR_HEARING:
        rule = (
            f"a state fair hearing, requested within {FAIR_HEARING_DAYS} days of the plan's"
            " appeal decision"
        )
        if on:
            return (
                f"The plan upheld its denial on appeal: the next step is {rule}"
                f" (by {us_date(fair_hearing_deadline(on))})."
            )
        return f"If the plan upholds its denial on appeal, the next step is {rule}."
    if step is NextStep.QIC_RECONSIDERATION:
        rule = (
            "a reconsideration by a Qualified Independent Contractor (QIC), requested within"
            f" {QIC_RECONSIDERATION_DAYS} days"
        )
        if on:
            return (
                f"Medicare upheld the denial on redetermination: the next level is {rule}"
                f" (by {us_date(qic_deadline(on))})."
            )
        return f"If Medicare upholds the denial on redetermination, the next level is {rule}."
    rule = (
        f"an external review can be requested within {EXTERNAL_REVIEW_MONTHS} months of the"
        " final internal denial"
    )
    if on:
        return (
            f"The plan upheld its denial on appeal: {rule}"
            f" (by {us_date(external_review_deadline(on))})."
        )
    return f"If the plan upholds its denial on appeal, {rule}."


def external_review_deadline(final_internal_denial_on: date) -> date:
    """The last day to request an external review: 4 calendar months after the final denial.

    45 CFR 147.136(d)(2)(i): the same day 4 months later; when that month has no such day, the
    first day of the following (fifth) month (10/31 → 03/01). Pass the day the notice was
    received. The rule also moves a deadline falling on a weekend or federal holiday to the next
    business day; that extension is not applied here, so the date shown is never late.
    """
    months = final_internal_denial_on.month - 1 + EXTERNAL_REVIEW_MONTHS
    year, month = final_internal_denial_on.year + months // 12, months % 12 + 1
    if final_internal_denial_on.day <= calendar.monthrange(year, month)[1]:
        return date(year, month, final_internal_denial_on.day)
    return date(year + month // 12, month % 12 + 1, 1)


def decision_hours(plan_type: str, urgent: bool) -> int:
    """Hours the payer has to decide a prior-authorization request (see the sources above).

    Medicare Advantage (a Part B drug, see :data:`MA_PART_B_STANDARD_HOURS`): 72 standard, 24
    expedited. Medicaid and Medicaid managed care (CMS-0057-F): 7 days, 72 hours urgent. Every
    other plan type: 15 days, 72 hours urgent.
    """
    if plan_type == "medicare_advantage":
        return MA_PART_B_EXPEDITED_HOURS if urgent else MA_PART_B_STANDARD_HOURS
    if urgent:
        return URGENT_DAYS * 24
    if plan_type in CMS_0057_PLAN_TYPES:
        return CMS_0057_STANDARD_DAYS * 24
    return ERISA_PRE_SERVICE_DAYS * 24


def decision_days(plan_type: str, urgent: bool) -> int:
    """Calendar days the payer has to decide: :func:`decision_hours` in whole days (72 h = 3)."""
    return -(-decision_hours(plan_type, urgent) // 24)


def decision_due(submitted_on: date, plan_type: str, urgent: bool) -> date:
    """When the payer's decision on a request is due (:func:`decision_hours`, in whole days).

    Medicare Advantage, a Part B drug: 72 hours standard, 24 hours expedited (submitted Monday
    03/02: due Thursday 03/05, or Tuesday 03/03). Medicaid and Medicaid managed care
    (CMS-0057-F, from 2026): 7 calendar days, 72 hours urgent. Every other plan type
    (commercial, employer, marketplace, Medigap, Original Medicare, any other) follows the ERISA
    claims rule: 15 days pre-service, 72 hours urgent. A payer's letter with a shorter
    timeframe wins.
    """
    return submitted_on + timedelta(days=decision_days(plan_type, urgent))


def _clock(plan_type: str, urgent: bool) -> str:
    hours = decision_hours(plan_type, urgent)
    if plan_type == "medicare_advantage":  # the rule is in hours
        return f"{hours} hours"
    return _n(decision_days(plan_type, urgent), "day")


def appeal_decision_due(appeal_submitted_on: date, urgent: bool) -> date:
    """When the payer's decision on an internal (pre-service) appeal is due: 30 days, 3 urgent."""
    return appeal_submitted_on + timedelta(days=URGENT_DAYS if urgent else APPEAL_DECISION_DAYS)


# --- Reminders ------------------------------------------------------------------------------


class ReminderKind(enum.StrEnum):
    """What a reminder asks the desk to do."""

    FOLLOW_UP = "follow_up"
    DECISION_DUE = "decision_due"
    REAUTH = "reauth"
    LOW_REMAINING = "low_remaining"
    APPEAL_DUE = "appeal_due"
    EXTERNAL_REVIEW_DUE = "external_review_due"
    FAIR_HEARING_DUE = "fair_hearing_due"


_REMINDER_ORDER = {kind: i for i, kind in enumerate(ReminderKind)}

REMINDER_LABELS: dict[ReminderKind, str] = {
    ReminderKind.FOLLOW_UP: "Follow up with the payer",
    ReminderKind.DECISION_DUE: "Payer decision due",
    ReminderKind.REAUTH: "Reauthorization",
    ReminderKind.LOW_REMAINING: "Few units or visits left",
    ReminderKind.APPEAL_DUE: "Appeal deadline",
    ReminderKind.EXTERNAL_REVIEW_DUE: "External review deadline",
    ReminderKind.FAIR_HEARING_DUE: "State fair hearing deadline",
}

Severity = Literal["overdue", "due", "soon", "info"]
SEVERITY_LABELS: dict[Severity, str] = {
    "overdue": "Overdue",
    "due": "Due today",
    "soon": "Soon",
    "info": "Later",
}


@dataclass(frozen=True)
class Reminder:
    """Something to do by ``due_on``, in plain words, and how urgent that is today."""

    kind: ReminderKind
    due_on: date
    text: str
    severity: Severity


def severity(due_on: date, today: date) -> Severity:
    """overdue before today, due today, soon within :data:`SOON_DAYS` days, info after that."""
    if due_on < today:
        return "overdue"
    if due_on == today:
        return "due"
    if (due_on - today).days <= SOON_DAYS:
        return "soon"
    return "info"


def _reminder(kind: ReminderKind, due_on: date, text: str, today: date) -> Reminder:
    return Reminder(kind, due_on, text, severity(due_on, today))


def _plan_words(plan_type: str) -> str:
    return PLAN_TYPE_LABELS.get(plan_type, plan_type.replace("_", " ") or "this plan")


def _auth(approval: Approval) -> str:
    return f"Authorization {approval.auth_number.strip()}"


_REAUTH_DELTAS = tuple(timedelta(days=d) for d in REAUTH_DAYS)


def _reauth(approval: Approval, today: date) -> Reminder:
    end = approval.end
    if today > end:
        return Reminder(
            ReminderKind.REAUTH,
            end,
            f"{_auth(approval)} ended {us_date(end)}: it has expired. Request a new authorization"
            " before the next visit, then mark this one expired.",
            "overdue",
        )
    points = [end - d for d in _REAUTH_DELTAS]
    due_on = next((p for p in points if p >= today), end)
    left = (end - today).days
    ends = "today" if left == 0 else f"in {_n(left, 'day')}"
    text = f"{_auth(approval)} ends {us_date(end)} ({ends}): request the reauthorization"
    # the words say the same day as the reminder's due date (and so its severity label): a
    # reminder labelled "Later" never says "now"
    if left > max(REAUTH_DAYS):
        text += f" from {us_date(points[0])}."
    elif due_on == today:
        text += " today."
    else:
        text += f" by {us_date(due_on)} at the latest."
    return _reminder(ReminderKind.REAUTH, due_on, text, today)


def _low_remaining(
    approval: Approval, usages: Sequence[Usage], today: date, low_units_visits: int
) -> Reminder | None:
    approved = approval.units()  # once for both (as Approval.units_per_visit divides them)
    left = _remaining(approval, approved, usages)
    lows: list[str] = []
    if left.visits is not None and left.visits <= low_units_visits:
        lows.append(f"{_n(left.visits, 'visit')} left of {approval.visits}")
    visits = approval.visits
    per_visit = {c: u // visits for c, u in approved.items()} if visits and visits >= 1 else {}
    for code, units_left in left.units_by_code.items():
        if units_left < per_visit.get(code, 0):
            lows.append(
                f"{code}: {_n(units_left, 'unit')} left, less than one visit ({per_visit[code]})"
            )
    if not lows:
        return None
    text = f"{_auth(approval)}: {'; '.join(lows)}. Ask the payer for more before the next visit."
    return _reminder(ReminderKind.LOW_REMAINING, today, text, today)


def reminders(
    case: CaseState,
    *,
    today: date,
    usages: Sequence[Usage],
    plan_type: str | None = None,
    payer_appeal_days: int | None = None,
    low_units_visits: int = 1,
) -> list[Reminder]:
    """What the desk must do about this case, earliest first.

    - follow_up: a pending case, on its follow-up date;
    - decision_due: submitted or pending (:func:`decision_due` from the submission), appeal
      submitted (:func:`appeal_decision_due`);
    - reauth: an approval, on the next of 60, 30 and 7 days before its end not yet passed (the
      end itself in the last 7 days); "expired", overdue, once the end has passed;
    - low_remaining: an approval not past its end with at most ``low_units_visits`` visits
      left, or a code with fewer units left than its units per visit
      (:meth:`Approval.units_per_visit`; not checked without a visit limit); due today;
    - appeal_due: denied, the :func:`appeal_deadline` of :func:`case_appeal_window` (the denial
      letter's window, else ``payer_appeal_days``, else the plan type's);
    - external_review_due: denied on appeal, a plan that offers external review
      (:func:`offers_external_review`) and none yet, the :func:`external_review_deadline`;
    - fair_hearing_due: a Medicaid plan's denial upheld on appeal, the
      :func:`fair_hearing_deadline`. (Medicare Advantage forwards the case itself and Original
      Medicare's next level is said by :func:`next_step_text`: no reminder.)

    ``plan_type`` defaults to the case's own. A closed (expired or cancelled) case has none.
    """
    out: list[Reminder] = []
    state = case.state
    if plan_type is None:
        plan_type = case.plan_type
    else:
        case = replace(case, plan_type=plan_type)
    if state is State.PENDING and case.follow_up is not None:
        out.append(
            _reminder(
                ReminderKind.FOLLOW_UP,
                case.follow_up,
                f"Follow up with the payer on {us_date(case.follow_up)}: they asked for more"
                " information.",
                today,
            )
        )
    if state in (State.SUBMITTED, State.PENDING) and case.submitted_on is not None:
        due_on = decision_due(case.submitted_on, plan_type, case.urgent)
        kind = "an urgent" if case.urgent else "a standard"
        if plan_type == "medicare_advantage":
            kind += " Part B drug"
        text = (
            f"The payer's decision is due by {us_date(due_on)} ({_clock(plan_type, case.urgent)}"
            f" for {kind} request to {_plan_words(plan_type)})."
        )
        if due_on < today:
            text += " Call the payer."
        out.append(_reminder(ReminderKind.DECISION_DUE, due_on, text, today))
    if state is State.APPEAL_SUBMITTED and case.appeal_submitted_on is not None:
        due_on = appeal_decision_due(case.appeal_submitted_on, case.urgent)
        text = f"The payer's decision on the appeal is due by {us_date(due_on)}."
        if due_on < today:
            text += " Call the payer."
        out.append(_reminder(ReminderKind.DECISION_DUE, due_on, text, today))
    if state in APPROVAL_STATES and case.approval is not None:
        out.append(_reauth(case.approval, today))
        if today <= case.approval.end:
            low = _low_remaining(case.approval, usages, today, low_units_visits)
            if low is not None:
                out.append(low)
    if state is State.DENIED and case.denied_on is not None:
        window = case_appeal_window(case, payer_appeal_days)
        due_on = appeal_deadline(case.denied_on, window.days)
        out.append(
            _reminder(
                ReminderKind.APPEAL_DUE,
                due_on,
                f"Appeal the denial by {us_date(due_on)} ({window.days} days after the denial"
                f" on {us_date(case.denied_on)}: {window.source}).",
                today,
            )
        )
    step = next_step(plan_type) if state is State.APPEAL_DENIED else None
    if (
        state is State.APPEAL_DENIED
        and case.final_internal_denial_on is not None
        and step is NextStep.STATE_FAIR_HEARING
    ):
        due_on = fair_hearing_deadline(case.final_internal_denial_on)
        out.append(
            _reminder(
                ReminderKind.FAIR_HEARING_DUE,
                due_on,
                f"Ask the state for a fair hearing by {us_date(due_on)} ({FAIR_HEARING_DAYS} days"
                f" after the plan's appeal decision on {us_date(case.final_internal_denial_on)}).",
                today,
            )
        )
    if (
        state is State.APPEAL_DENIED
        and case.final_internal_denial_on is not None
        and step is NextStep.EXTERNAL_REVIEW
        and not _external_review_used(case.events)
    ):
        due_on = external_review_deadline(case.final_internal_denial_on)
        out.append(
            _reminder(
                ReminderKind.EXTERNAL_REVIEW_DUE,
                due_on,
                f"Request an external review by {us_date(due_on)} (4 months after the final"
                f" internal denial on {us_date(case.final_internal_denial_on)}).",
                today,
            )
        )
    if len(out) < 2:
        return out
    return sorted(out, key=_reminder_key)


def _reminder_key(r: Reminder) -> tuple[date, int]:
    return (r.due_on, _REMINDER_ORDER[r.kind])


# --- Documents ------------------------------------------------------------------------------


class DocumentKind(enum.StrEnum):
    """What a document attached to a case is."""

    LETTER_OF_MEDICAL_NECESSITY = "letter_of_medical_necessity"
    CLINICAL_NOTES = "clinical_notes"
    LAB_RESULTS = "lab_results"
    STEP_THERAPY_HISTORY = "step_therapy_history"
    INSURANCE_CARD = "insurance_card"
    SIGNED_ORDER = "signed_order"
    PAYER_LETTER = "payer_letter"
    APPEAL_LETTER = "appeal_letter"
    OTHER = "other"


DOCUMENT_LABELS: dict[DocumentKind, str] = {
    DocumentKind.LETTER_OF_MEDICAL_NECESSITY: "Letter of medical necessity",
    DocumentKind.CLINICAL_NOTES: "Recent clinical notes",
    DocumentKind.LAB_RESULTS: "Lab results",
    DocumentKind.STEP_THERAPY_HISTORY: "Step-therapy history",
    DocumentKind.INSURANCE_CARD: "Copy of the insurance card",
    DocumentKind.SIGNED_ORDER: "Signed order",
    DocumentKind.PAYER_LETTER: "Letter from the payer (e.g. the denial)",
    DocumentKind.APPEAL_LETTER: "Appeal letter",
    DocumentKind.OTHER: "Other",
}

REQUIRED_FOR_SUBMISSION: tuple[DocumentKind, ...] = (
    DocumentKind.LETTER_OF_MEDICAL_NECESSITY,
    DocumentKind.CLINICAL_NOTES,
    DocumentKind.INSURANCE_CARD,
    DocumentKind.SIGNED_ORDER,
)
RECOMMENDED: tuple[DocumentKind, ...] = (
    DocumentKind.LAB_RESULTS,
    DocumentKind.STEP_THERAPY_HISTORY,
)
REQUIRED_FOR_APPEAL: tuple[DocumentKind, ...] = (
    *REQUIRED_FOR_SUBMISSION,
    DocumentKind.APPEAL_LETTER,
    DocumentKind.PAYER_LETTER,
)


def missing_documents(
    kinds_present: Iterable[str], *, for_appeal: bool = False
) -> list[DocumentKind]:
    """The required documents not among ``kinds_present``, in checklist order.

    An appeal needs what a submission needs plus the appeal letter and the payer's denial
    letter (a payer letter). Unknown kinds are ignored; :data:`RECOMMENDED` ones never count
    as missing.
    """
    present = {str(k) for k in kinds_present}
    required = REQUIRED_FOR_APPEAL if for_appeal else REQUIRED_FOR_SUBMISSION
    return [k for k in required if k.value not in present]
