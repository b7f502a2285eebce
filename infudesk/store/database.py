"""Open a data dir's database: lock, key, engine, migrations; hand out sessions."""

from __future__ import annotations

import logging
import os
import secrets
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from infudesk.errors import Conflict, DatabaseOpenError
from infudesk.paths import DataPaths
from infudesk.store import auditchain, changes, keys, migrate, openlog, writers  # noqa: F401
from infudesk.store import recovery as recovery_mod
from infudesk.store.engine import make_engine
from infudesk.store.files import fsync_dir, secure_file, secure_tree, write_atomic
from infudesk.store.lock import StoreLock
from infudesk.store.models import StoreState
from infudesk.store.server import ServerTarget, make_server_engine, workstation_identity

log = logging.getLogger(__name__)


@dataclass
class Store:
    """An open database. ``session()`` gives one unit of work (one user action)."""

    paths: DataPaths
    engine: Engine
    demo: bool
    lock: StoreLock | None = None
    audit_key: bytes | None = field(default=None, repr=False)
    created: bool = False  # made by this open (the GUI then offers the recovery sheet)
    target: ServerTarget | None = None  # a shared server (None: the local encrypted file)
    server_store_id: str = ""  # the server database's id (its keychain entries)
    _factory: sessionmaker[Session] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # every session carries the audit key: new audit entries are chained at flush;
        # and counts the transactions that write (store_state.changes, see _count_change)
        info = {"audit_key": self.audit_key, "count_changes": True}
        self._factory = sessionmaker(self.engine, expire_on_commit=False, info=info)

    @property
    def store_id(self) -> str:
        """The id of this database's keychain entries (recovery and audit keys)."""
        return self.server_store_id if self.target is not None else keys.read_store_id(self.paths)

    @property
    def label(self) -> str:
        """What messages call this database: its file, or role@host:port/db."""
        return self.target.label if self.target is not None else str(self.paths.db)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """Commit on success, roll back on error, always close."""
        session = self._factory()
        try:
            yield session
            session.commit()
        except StaleDataError as exc:
            # another workstation saved the same record between our read and our write (its
            # version moved): the same refusal as the service's own version check
            session.rollback()
            log.info("a save lost a race with another workstation's (stale version)")
            raise Conflict(
                "Someone else saved this record after you opened it. Your changes are still "
                "in the form: copy what you need, then reopen the record."
            ) from exc
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def refuse_writes(self, reason: str) -> None:
        """From now on every session that would write raises ``DatabaseOpenError(reason)``
        (reading stays possible): the GUI's answer to a page check that failed after its
        window showed."""
        self._factory.kw["info"]["refuse_writes"] = reason

    @property
    def writes_refused(self) -> str | None:
        reason = self._factory.kw["info"].get("refuse_writes")
        return str(reason) if reason else None

    def close(self) -> None:
        self.engine.dispose()
        if self.lock is not None:
            self.lock.release()
            self.lock = None


@event.listens_for(Session, "before_flush")
def _refuse_writes(session: Session, _context: Any, _instances: Any) -> None:
    reason = session.info.get("refuse_writes")
    if reason:
        raise DatabaseOpenError(str(reason))


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_writes(state: Any) -> None:
    reason = state.session.info.get("refuse_writes")
    if reason and (state.is_insert or state.is_update or state.is_delete):
        raise DatabaseOpenError(str(reason))


@event.listens_for(Session, "after_flush")
def _count_change(session: Session, _context: Any) -> None:
    """One more in store_state.changes for a transaction that writes (once per transaction):
    other workstations poll it to refresh their lists; and at every flush, whose records it
    wrote, under that number (store/changes.py). On a server the row stays locked to
    the commit; the writers' lock (store/writers.py) is always taken first, so two writers
    never wait on each other in opposite orders."""
    if not session.info.get("count_changes"):
        return
    if not (session.new or session.dirty or session.deleted):
        return
    conn = session.connection()
    token: int = session.info.get("change_counted") or 0  # this transaction's number
    if not token:
        conn.execute(
            update(StoreState).where(StoreState.id == 1).values(changes=StoreState.changes + 1)
        )
        token = int(conn.scalar(select(StoreState.changes).where(StoreState.id == 1)) or 0)
        session.info["change_counted"] = token
    changes.log(session, conn, token)  # whose records, under the same number


@event.listens_for(Session, "after_transaction_end")
def _forget_change(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop("change_counted", None)
        changes.forget(session)


def _id_file(paths: DataPaths, demo: bool) -> Path:
    return paths.demo_key if demo else paths.store_id


def new_db_path(paths: DataPaths) -> Path:
    """Where a new database is built before it is renamed into place."""
    return paths.db.with_name(paths.db.name + ".new")


def _sidecars(db: Path) -> list[Path]:
    return [db] + [db.with_name(db.name + s) for s in ("-wal", "-shm", "-journal")]


def _refuse_lost_database(paths: DataPaths, demo: bool) -> None:
    """A database that existed (its key is on record) must not silently restart empty."""
    if not _id_file(paths, demo).exists():
        return
    if not paths.db.exists():
        raise DatabaseOpenError(
            f"The database {paths.db} is missing, although this folder had one. Restore it "
            "from a backup. (To start a new, empty database here on purpose, first move "
            f"'{_id_file(paths, demo).name}' out of the folder.)"
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


# A test hook: called with the name of each step of creating a database (a kill test stops
# the process there). Does nothing in the app.
def _step(name: str) -> None:
    return None


def _finish_interrupted_creation(paths: DataPaths, demo: bool) -> None:
    """A first start stopped after the id file was written: the new database is complete
    (the id file is written only then), so finish by renaming it into place."""
    new = new_db_path(paths)
    if paths.db.exists() or not new.exists():
        return
    if _id_file(paths, demo).exists():
        os.replace(new, paths.db)
        fsync_dir(paths.root)
        log.info("finished creating the database after an interrupted first start")


def _create_database(paths: DataPaths, demo: bool) -> None:
    """Build the new database beside its final name, then commit it in two steps: write the
    id file (store-id.txt / demo-key.txt), rename the database into place. A stop before the
    id file leaves no trace that counts (the next start begins again); a stop after it is
    finished by _finish_interrupted_creation."""
    new = new_db_path(paths)
    for leftover in _sidecars(new):
        leftover.unlink(missing_ok=True)
    recovery: str | None = None
    if demo:
        key = secrets.token_bytes(keys.KEY_BYTES)
        id_text = key.hex()
    else:
        store_id, key = keys.new_keychain_key(keys.pending_store_id(paths))
        id_text = store_id
        if keys.recovery_key(store_id) is None:
            recovery = recovery_mod.generate()
            keys.save_recovery_key(store_id, recovery)
    _step("key-saved")
    engine = make_engine(new, key)
    try:
        migrate.upgrade(engine, new)
    finally:
        engine.dispose()
    secure_file(new)
    with open(new, "rb") as fh:
        os.fsync(fh.fileno())
    _step("database-built")
    write_atomic(_id_file(paths, demo), (id_text + "\n").encode("ascii"))
    _step("id-written")
    os.replace(new, paths.db)
    fsync_dir(paths.root)
    _step("database-in-place")
    log.info("created a new database (demo=%s, recovery key made=%s)", demo, recovery is not None)


def integrity_problem(engine: Engine) -> str | None:
    """The quick check made at every open: SQLCipher's page check (every page's HMAC).

    About 130 ms for a 100,000-patient database (79 MB) with the file in the OS cache;
    ``PRAGMA quick_check`` took 320 ms and ``integrity_check`` 1.1 s on the same file.
    SQLCipher reads the file itself, so a page being checkpointed by another process at
    that moment could read torn: a failure is confirmed by a second pass before it counts.
    """
    first: str | None = None
    for attempt in range(2):
        with engine.connect() as conn:
            bad = conn.exec_driver_sql("PRAGMA cipher_integrity_check").fetchall()
            conn.rollback()
        if not bad:
            if attempt:
                log.warning("page check passed on the second pass")
            return None
        first = str(bad[0][0])
        time.sleep(0.2)
    return first


def damaged_message(db: Path, problem: str) -> str:
    return (
        f"The database {db} is damaged: a page fails its integrity check "
        f"({problem}). Nothing has been changed. Restore it from a backup "
        "(see 'Backups and recovery' in the README), or ask your administrator."
    )


def open_store(
    paths: DataPaths,
    *,
    demo: bool = False,
    create: bool = True,
    exclusive: bool = True,
    upgrade: bool = True,
    check_pages: bool = True,
) -> Store:
    """Open (creating if allowed) the encrypted database in ``paths``.

    ``exclusive`` takes the one-app-per-database lock (the GUI and writing commands do).
    A failure is noted for the audit trail (store/openlog.py) and raised.
    ``upgrade=False`` (``infudesk check``) leaves an older schema as it is (and writes nothing).
    ``check_pages=False`` (the GUI) leaves the page check to the caller, who runs
    ``integrity_problem`` after its window shows; a database that needs a schema upgrade is
    still checked here first (a migration never starts on a damaged file).
    """
    try:
        return _open_store(
            paths,
            demo=demo,
            create=create,
            exclusive=exclusive,
            upgrade=upgrade,
            check_pages=check_pages,
        )
    except Exception as exc:
        openlog.note_failure(paths, exc)
        raise


def _open_store(
    paths: DataPaths, *, demo: bool, create: bool, exclusive: bool, upgrade: bool, check_pages: bool
) -> Store:
    if not paths.root.exists():
        if not create:
            raise DatabaseOpenError(f"There is no infudesk data folder at {paths.root}.")
        paths.ensure()
    if not paths.root.is_dir():
        raise DatabaseOpenError(f"{paths.root} is a file, not a folder: choose a data folder.")
    if not demo and paths.demo_key.exists() and not paths.store_id.exists():
        raise DatabaseOpenError(
            f"{paths.root} is a demo folder (fictional patients): add --demo to open it."
        )
    if demo and paths.store_id.exists():
        raise DatabaseOpenError(
            f"{paths.root} holds a real database, not the demo: leave out --demo "
            "(the demo has its own folder)."
        )
    secure_tree(paths.root)  # user-only, whether or not the folder existed before
    lock = None
    if exclusive:
        lock = StoreLock(paths.lock)
        lock.acquire(paths.db)
    try:
        _finish_interrupted_creation(paths, demo)
        if not paths.db.exists() and not create:
            raise DatabaseOpenError(f"There is no infudesk database in {paths.root}.")
        _refuse_lost_database(paths, demo)
        created = not paths.db.exists()
        if created:
            _create_database(paths, demo)
        key = keys.demo_key(paths) if demo else keys.keychain_key(paths, create=False)
        engine = make_engine(paths.db, key)
        try:
            if check_pages or (upgrade and migrate.needs_upgrade(engine)):
                problem = integrity_problem(engine)
                if problem is not None:
                    log.error("integrity check failed at open")
                    raise DatabaseOpenError(damaged_message(paths.db, problem))
            if upgrade:
                migrate.upgrade(engine, paths.db, backup_dir=paths.backups)
            audit_key = keys.audit_key(paths, demo=demo)
            if upgrade:
                _audit_at_open(engine, audit_key, openlog.pending_path(paths))
        except BaseException:
            engine.dispose()
            raise
    except BaseException:
        if lock is not None:
            lock.release()
        raise
    secure_tree(paths.root)
    log.info("database open (demo=%s)", demo)
    return Store(
        paths=paths, engine=engine, demo=demo, lock=lock, audit_key=audit_key, created=created
    )


def open_server_store(
    paths: DataPaths,
    target: ServerTarget,
    *,
    create: bool = True,
    upgrade: bool = True,
    password: str | None = None,
) -> Store:
    """Open the shared database on a PostgreSQL server (several workstations at once: no
    lock file, no page check; ``paths`` is this workstation's folder for logs and backups).
    An empty database gets the schema (and is named, if ``create``); the first open on a
    workstation needs it to have joined (``infudesk db-password``)."""
    try:
        return _open_server_store(paths, target, create=create, upgrade=upgrade, secret=password)
    except Exception as exc:
        if paths.root.exists():
            openlog.note_failure(paths, exc)
        raise


def _open_server_store(
    paths: DataPaths, target: ServerTarget, *, create: bool, upgrade: bool, secret: str | None
) -> Store:
    engine = make_server_engine(target, secret)
    try:
        if upgrade:
            with engine.connect() as conn:
                empty = migrate.current_revision(conn) is None
                conn.rollback()
            if empty and not create:
                raise DatabaseOpenError(f"The database {target.label} has no infudesk data yet.")
            migrate.upgrade(engine, target.label)
        with engine.begin() as conn:
            identity = workstation_identity(conn, target, create=create and upgrade)
        if upgrade:
            _audit_at_open(engine, identity.audit_key, openlog.pending_path(paths))
    except BaseException:
        engine.dispose()
        raise
    log.info("server database open")
    return Store(
        paths=paths,
        engine=engine,
        demo=False,
        audit_key=identity.audit_key,
        created=identity.created,
        target=target,
        server_store_id=identity.store_id,
    )


def open_target(
    paths: DataPaths,
    target: ServerTarget | None,
    *,
    demo: bool = False,
    create: bool = True,
    exclusive: bool = True,
    upgrade: bool = True,
    check_pages: bool = True,
) -> Store:
    """The local encrypted database (``target`` None) or the shared server (which has no
    page check of ours)."""
    if target is None:
        return open_store(
            paths,
            demo=demo,
            create=create,
            exclusive=exclusive,
            upgrade=upgrade,
            check_pages=check_pages,
        )
    if demo:
        raise DatabaseOpenError("The demo database is always local: leave out --database.")
    return open_server_store(paths, target, create=create, upgrade=upgrade)
