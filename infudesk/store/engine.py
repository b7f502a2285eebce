"""The SQLCipher engine: raw 256-bit key, pragmas on every connection, clear open errors."""

from __future__ import annotations

import logging
import weakref
from pathlib import Path
from typing import Any

import sqlcipher3.dbapi2 as sqlcipher
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import QueuePool

from infudesk.errors import DatabaseOpenError

log = logging.getLogger(__name__)

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000
CACHE_KIB = 131072


def describe_open_failure(path: Path, exc: Exception) -> DatabaseOpenError:
    """Turn a low-level failure to read ``path`` into a message that names the file."""
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return DatabaseOpenError(
            f"The database {path} is busy: another infudesk is writing to it. Try again in a moment."
        )
    try:
        with path.open("rb") as fh:
            head = fh.read(16)
    except OSError as os_exc:
        return DatabaseOpenError(f"The database {path} cannot be read: {os_exc.strerror}.")
    if head == SQLITE_HEADER:
        return DatabaseOpenError(
            f"{path} is an unencrypted SQLite file, not an infudesk database. "
            "It has not been changed. Choose another data folder."
        )
    if path.stat().st_size and path.stat().st_size < 512:
        return DatabaseOpenError(
            f"{path} is too short to be a database: it is damaged or not ours."
        )
    return DatabaseOpenError(
        f"The database {path} cannot be opened with the key from the keychain: either the key "
        "belongs to another database or the file is damaged. Nothing has been changed. "
        "Restore the database and its key from a backup, or ask your administrator."
    )


_KEY_PRAGMAS: weakref.WeakKeyDictionary[Engine, str] = weakref.WeakKeyDictionary()


def key_pragma_of(engine: Engine) -> str:
    """The key statement of an engine made by make_engine (for copies under the same key)."""
    return _KEY_PRAGMAS[engine]


def key_pragma_for(key: bytes) -> str:
    return f"PRAGMA key = \"x'{key.hex()}'\""


def open_raw(path: Path, key_pragma: str) -> Any:
    """A driver connection in autocommit mode (we issue BEGIN ourselves), keyed, quiet.

    SQLCipher logs "ERROR CORE hmac check failed" to stderr when a key does not fit; the
    log level is process-wide and set before the key so that only our message is shown.
    """
    conn = sqlcipher.connect(
        str(path), check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None
    )
    conn.execute("PRAGMA cipher_log_level = NONE")
    conn.execute(key_pragma)
    return conn


def make_engine(path: Path, key: bytes) -> Engine:
    """An engine on the encrypted file ``path``; raises DatabaseOpenError if it can't be read."""
    key_pragma = key_pragma_for(key)

    def connect() -> Any:
        conn = open_raw(path, key_pragma)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlcipher.DatabaseError as exc:
            conn.close()
            raise describe_open_failure(path, exc) from exc
        return conn

    # "sqlite://" alone would give a SingletonThreadPool (meant for :memory:); a file wants
    # a real pool so that background threads each get their own connection.
    engine = create_engine(
        "sqlite://",
        creator=connect,
        module=sqlcipher,
        poolclass=QueuePool,
        pool_size=5,
        max_overflow=10,
        pool_use_lifo=True,
        hide_parameters=True,  # errors (and so logs) never carry patient data
    )

    _KEY_PRAGMAS[engine] = key_pragma

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = FULL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        # decrypted pages stay in memory (up to 128 MB; the pool reuses the warm connection)
        cur.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        cur.close()

    # SQLAlchemy's documented recipe for pysqlite (and so sqlcipher3): the driver runs in
    # autocommit mode (isolation_level=None, set in open_raw) and we emit BEGIN ourselves, so a
    # transaction really covers every statement in it, DDL included (the driver's own mode
    # commits before each CREATE/ALTER/DROP). A whole migration is then one transaction.
    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN")

    return engine
