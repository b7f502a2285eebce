"""Seeing other workstations' changes: a cheap number that moves when anything is saved."""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from infudesk.store import server
from infudesk.store.models import StoreState

log = logging.getLogger(__name__)


def change_token(session: Session) -> int:
    """How many transactions have written to the database so far (one indexed row read).

    A list polls it on a timer and reloads only when it differs from the value it last
    loaded with; any workstation's save moves it (store/database.py counts every transaction
    that writes)."""
    return int(session.scalar(select(StoreState.changes).where(StoreState.id == 1)) or 0)


# --- which database this workstation uses (Settings > Database) ------------------------------


def workstation_database(root: Path) -> tuple[str, str]:
    """The server address and CA file this workstation is set to ("" and "": the local
    encrypted database)."""
    saved = server.read_connection(root)
    if saved is None:
        return "", ""
    return saved[0], saved[1] or ""


def use_server(root: Path, url: str, ca_file: str, password: str) -> str:
    """Point this workstation at a server from the next start: the address is checked (no
    password in it, TLS verified), the password is tried on the server and then kept in the
    keychain; only the address and CA file are written (connection.json). Returns its label."""
    target = server.parse_database_url(url.strip(), ca_file.strip() or None)
    if password:
        engine = server.make_server_engine(target, password)  # a wrong password stops here
        engine.dispose()
        server.save_password(target, password)
    else:
        server.password(target)  # already in the keychain, or a message that says how
    server.save_connection(root, url.strip(), ca_file.strip() or None)
    log.info("this workstation now uses a server database")
    return target.label


def use_local(root: Path) -> None:
    """Back to the local encrypted database from the next start."""
    server.save_connection(root, None, None)
