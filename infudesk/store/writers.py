"""One writer at a time on a server, as SQLite has: the writers' lock.

SQLite lets one transaction write at a time. On PostgreSQL several workstations write at
once; infudesk takes one transaction-scoped advisory lock before a transaction's first write
(its first flush that changes something, or a bulk INSERT/UPDATE/DELETE), held to its commit.
That keeps three things as they are on SQLite: audit entries are chained one transaction at a
time in id order (auditchain), the change counter (store_state) is bumped without two writers
waiting on each other's row locks in opposite orders (no deadlocks), and a check-then-write
(units left on an authorization) sees the other writers' committed rows.
For 2–6 workstations saving a record every few seconds the wait is a few milliseconds.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, event
from sqlalchemy.orm import ORMExecuteState, Session

LOCK_KEY = 160160009  # any fixed number; the same for every infudesk on the server
_FLAG = "writers_locked"


def lock_connection(conn: Connection) -> None:
    """Wait for the writers' lock (PostgreSQL; SQLite's own write lock does this)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({LOCK_KEY})")


def lock_writers(session: Session) -> None:
    """Take the writers' lock for this session's transaction (once; no-op on SQLite).
    Call before a read that decides a write (e.g. units left), so the read is current."""
    if session.info.get(_FLAG):
        return
    if session.get_bind().dialect.name != "postgresql":
        return
    lock_connection(session.connection())
    session.info[_FLAG] = True


@event.listens_for(Session, "before_flush")
def _before_write(session: Session, _context: Any, _instances: Any) -> None:
    if session.new or session.dirty or session.deleted:
        lock_writers(session)


@event.listens_for(Session, "do_orm_execute")
def _before_bulk_write(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        lock_writers(state.session)


@event.listens_for(Session, "after_transaction_end")
def _released(session: Session, transaction: Any) -> None:
    if transaction.parent is None:  # the outermost: the lock went with it
        session.info.pop(_FLAG, None)
