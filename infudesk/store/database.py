"""Open a data dir's database: lock, key, engine, migrations; hand out sessions."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from infudesk.errors import DatabaseOpenError
from infudesk.paths import DataPaths
from infudesk.store import auditchain, keys, migrate, openlog
from infudesk.store.engine import make_engine
from infudesk.store.lock import StoreLock

log = logging.getLogger(__name__)


@dataclass
class Store:
    """An open database. ``session()`` gives one unit of work (one user action)."""

    paths: DataPaths
    engine: Engine
    demo: bool
    lock: StoreLock | None = None
    audit_key: bytes | None = field(default=None, repr=False)
    _factory: sessionmaker[Session] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # every session carries the audit key: new audit entries are chained at flush
        info = {"audit_key": self.audit_key}
        self._factory = sessionmaker(self.engine, expire_on_commit=False, info=info)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """Commit on success, roll back on error, always close."""
        session = self._factory()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def close(self) -> None:
        self.engine.dispose()
        if self.lock is not None:
            self.lock.release()
            self.lock = None


def _refuse_lost_database(paths: DataPaths, demo: bool) -> None:
    """A database that existed (its key is on record) must not silently restart empty."""
    had_one = paths.demo_key.exists() if demo else paths.store_id.exists()
    if not had_one:
        return
    if not paths.db.exists():
        raise DatabaseOpenError(
            f"The database {paths.db} is missing, although this folder had one. Restore it "
            "from a backup. (To start a new, empty database here on purpose, first move "
            f"'{(paths.demo_key if demo else paths.store_id).name}' out of the folder.)"
        )
    if paths.db.stat().st_size == 0:
        raise DatabaseOpenError(
            f"The database {paths.db} is empty (0 bytes): it was damaged or cut short. "
            "Nothing has been changed. Restore it from a backup."
        )


def _audit_at_open(engine: Engine, audit_key: bytes, failed_opens: Path) -> None:
    """Start the audit chain (new or upgraded database), then take in earlier failed opens."""
    workstation = socket.gethostname()
    with engine.begin() as conn:
        auditchain.start(conn, audit_key, workstation=workstation)
    if not failed_opens.exists():
        return
    try:
        with engine.begin() as conn:
            auditchain.take_failed_opens(conn, audit_key, failed_opens, workstation=workstation)
    except OperationalError:  # busy: they wait for the next open
        log.info("failed opens not recorded yet (database busy)")
        return
    openlog.clear_pending(failed_opens)


def open_store(
    paths: DataPaths, *, demo: bool = False, create: bool = True, exclusive: bool = True
) -> Store:
    """Open (creating if allowed) the encrypted database in ``paths``.

    ``exclusive`` takes the one-app-per-database lock (the GUI and writing commands do).
    A failure is noted for the audit trail (store/openlog.py) and raised.
    """
    try:
        return _open_store(paths, demo=demo, create=create, exclusive=exclusive)
    except Exception as exc:
        openlog.note_failure(paths, exc)
        raise


def _open_store(paths: DataPaths, *, demo: bool, create: bool, exclusive: bool) -> Store:
    if not paths.root.exists():
        if not create:
            raise DatabaseOpenError(f"There is no infudesk data folder at {paths.root}.")
        paths.ensure()
    lock = None
    if exclusive:
        lock = StoreLock(paths.lock)
        lock.acquire(paths.db)
    try:
        if not paths.db.exists() and not create:
            raise DatabaseOpenError(f"There is no infudesk database in {paths.root}.")
        _refuse_lost_database(paths, demo)
        key = keys.demo_key(paths) if demo else keys.keychain_key(paths, create=create)
        engine = make_engine(paths.db, key)
        try:
            migrate.upgrade(engine, paths.db, backup_dir=paths.backups)
            audit_key = keys.audit_key(paths, demo=demo)
            _audit_at_open(engine, audit_key, openlog.pending_path(paths))
        except BaseException:
            engine.dispose()
            raise
    except BaseException:
        if lock is not None:
            lock.release()
        raise
    log.info("database open (demo=%s)", demo)
    return Store(paths=paths, engine=engine, demo=demo, lock=lock, audit_key=audit_key)
