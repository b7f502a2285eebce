"""Copies of the encrypted database (same key) made with SQLite's backup API, then verified.

Used before a migration: the copy is a consistent snapshot even while the app has the file
open in WAL mode (a plain file copy would miss what still sits in ``-wal``).
"""

from __future__ import annotations

import contextlib
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from infudesk.errors import DatabaseOpenError
from infudesk.store.engine import open_raw
from infudesk.store.files import fsync_dir, secure_file


def verify_copy(path: Path, key_pragma: str) -> str | None:
    """The first problem of the database copy at ``path`` (None: it opens and is intact)."""
    try:
        conn = open_raw(path, key_pragma)
    except Exception as exc:  # cannot even open
        return f"cannot be opened ({type(exc).__name__})"
    try:
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except Exception:
            return "cannot be read with the key"
        bad = conn.execute("PRAGMA cipher_integrity_check").fetchall()
        if bad:
            return f"damaged pages ({bad[0][0]})"
        quick = conn.execute("PRAGMA quick_check").fetchall()
        if quick != [("ok",)]:
            return f"damaged ({quick[0][0]})"
        return None
    finally:
        conn.close()


def snapshot_to(raw_src: Any, dest: Path, key_pragma: str) -> None:
    """Write a verified same-key copy of the connection's database to ``dest`` (atomically)."""
    tmp = dest.with_name(f".{dest.name}.part")
    for leftover in (tmp, Path(f"{tmp}-journal")):
        leftover.unlink(missing_ok=True)
    target = open_raw(tmp, key_pragma)
    try:
        raw_src.backup(target)
    finally:
        target.close()
    secure_file(tmp)
    problem = verify_copy(tmp, key_pragma)
    if problem is not None:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise DatabaseOpenError(
            f"The safety copy of the database could not be made ({problem}). Nothing was changed."
        )
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, dest)
    fsync_dir(dest.parent)


def copy_database(
    raw_src: Any, db_path: Path, backup_dir: Path, label: str, key_pragma: str
) -> Path:
    """A verified copy of the database in ``backup_dir``; returns its path."""
    backup_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    dest = backup_dir / f"{db_path.stem}-{stamp}-{label}.db"
    snapshot_to(raw_src, dest, key_pragma)
    return dest
