"""The worklist: what still blocks each planned visit and the tasks around them — pure rules
on plain data (built on :mod:`infudesk.domain.readiness`), no I/O."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Literal

Screen = Literal["patient", "verification", "prior_auth", "quote", "assistance", "letters"]


class BlockerKind(enum.StrEnum):
    """What stands between a planned visit and the chair (most serious first)."""

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
    ASSISTANCE_EXPIRED = "assistance_expired"
    ASSISTANCE_LOW = "assistance_low"  # balance below what this visit needs


@dataclass(frozen=True, slots=True)
class Target:
    """Where the one-click fix opens. ``record_id``: the verification id, prior-auth case id,
    enrollment id or coverage id the screen opens on (None: the screen starts a new one)."""

    screen: Screen
    patient_id: int
    record_id: int | None = None


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
