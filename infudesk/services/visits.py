"""Planned visits as the desk records them: arrived, given (uses up authorization units and
assistance balance, per code), cancelled or rescheduled."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from infudesk.errors import UserError
from infudesk.services.audit import Actor


@dataclass(frozen=True)
class Exceeded:
    """One thing a given visit would exceed: an approval's units of a code (``code`` set) or
    its visits (``code`` ""), with what was approved and what would then be used."""

    case_id: int
    auth_number: str
    code: str
    approved: int
    would_use: int


class OverApproved(UserError):
    """Recording the visit as given would use more than was approved; ``exceeded`` says what.
    Call ``mark_given`` again with a ``reason`` to record it anyway."""

    title = "More than approved"

    def __init__(self, message: str, exceeded: tuple[Exceeded, ...]) -> None:
        super().__init__(message)
        self.exceeded = exceeded


@dataclass(frozen=True)
class VisitRecord:
    """A visit as the patient screen lists it."""

    visit_id: int
    order_id: int
    patient_id: int
    on: date
    drug: str
    site: str
    status: str  # planned | arrived | given | cancelled
    status_at: datetime | None
    status_by: str
    reason: str
    rescheduled_from: date | None


def mark_arrived(session: Session, actor: Actor, visit_id: int) -> VisitRecord:
    raise NotImplementedError


def mark_given(
    session: Session, actor: Actor, visit_id: int, *, reason: str | None = None
) -> VisitRecord:
    raise NotImplementedError


def cancel(session: Session, actor: Actor, visit_id: int, reason: str) -> VisitRecord:
    raise NotImplementedError


def reschedule(session: Session, actor: Actor, visit_id: int, new_date: date) -> VisitRecord:
    raise NotImplementedError


def visits_for_patient(session: Session, patient_id: int) -> list[VisitRecord]:
    raise NotImplementedError
