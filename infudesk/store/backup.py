"""Copies of the encrypted database file (same key): before migrations and on request."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection


def copy_database(conn: Connection, db_path: Path, backup_dir: Path, label: str) -> Path:
    """Checkpoint the WAL into the file, then copy it; returns the copy's path."""
    conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.commit()
    backup_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    dest = backup_dir / f"{db_path.stem}-{stamp}-{label}.db"
    shutil.copy2(db_path, dest)
    return dest
