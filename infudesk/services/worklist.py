"""The worklist: the planned visits of the next days with what blocks each, and the tasks
beside them, gathered in a few bulk queries for :mod:`infudesk.domain.worklist`.

Filtering by payer, assignee and status is the caller's: filter the returned tuples
(``[t for t in wl.tasks if t.assignee == "ana"]``) — the build is one pass either way."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from infudesk.domain import worklist as dw
from infudesk.services.access import Permission, require
from infudesk.services.audit import Actor

AREAS = ("prior_auth", "verification", "quote", "assistance")


def build(session: Session, actor: Actor, today: date, days: int = 14) -> dw.Worklist:
    """The visits from ``today`` to ``today + days - 1`` and the open and done tasks."""
    require(actor, Permission.WORKLIST)
    return dw.Worklist(visits=(), tasks=(), counts=dict.fromkeys(AREAS, 0))


def assign_task(session: Session, actor: Actor, key: str, assignee: str | None) -> None:
    """Give the task to a staff member (their username), or take it from whoever has it."""
    require(actor, Permission.WORKLIST)
    raise NotImplementedError


def set_task_status(session: Session, actor: Actor, key: str, status: str) -> None:
    """Mark the task done, or open again."""
    require(actor, Permission.WORKLIST)
    raise NotImplementedError
