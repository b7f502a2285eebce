"""One infudesk per database: an OS file lock held while the database is open."""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO

from infudesk.errors import DatabaseOpenError


class StoreLock:
    """An exclusive, non-blocking lock on ``path`` (released on close or process exit)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fh: IO[bytes] | None = None

    def acquire(self, db_path: Path) -> None:
        fh = self.path.open("a+b")
        try:
            if os.name == "nt":
                import msvcrt

                fh.seek(0)
                msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
            else:
                import fcntl

                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            fh.close()
            raise DatabaseOpenError(
                f"The database {db_path} is already open in another infudesk window "
                "(on this computer or another account). Switch to that window, or close it and "
                "try again."
            ) from exc
        self._fh = fh

    def release(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
