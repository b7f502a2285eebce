"""Seeing other workstations' changes: a cheap number that moves when anything is saved."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from infudesk.store.models import StoreState


def change_token(session: Session) -> int:
    """How many transactions have written to the database so far (one indexed row read).

    A list polls it on a timer and reloads only when it differs from the value it last
    loaded with; any workstation's save moves it (store/database.py counts every transaction
    that writes)."""
    return int(session.scalar(select(StoreState.changes).where(StoreState.id == 1)) or 0)
