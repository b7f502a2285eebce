"""Failed opens of the database, kept until the audit trail can take them.

When an existing database cannot be opened, nothing can be written into it. The failure is appended
instead to ``failed-opens.jsonl`` in the data folder (user-only, one JSON object a line: time,
workstation, operating-system user, the kind of error; never a path, a message or patient
data). The next audited write moves the lines into the audit trail as ``open-failed`` entries
and empties the file (services/audit.py).
"""

from __future__ import annotations

import getpass
import json
import logging
import os
import socket
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from infudesk.paths import DataPaths

log = logging.getLogger(__name__)
FILE_NAME = "failed-opens.jsonl"
MAX_PENDING = 1000  # lines kept at most (a loop of failed starts must not fill the disk)


def pending_path(paths: DataPaths) -> Path:
    return paths.root / FILE_NAME


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "unknown"


def note_failure(paths: DataPaths, exc: BaseException) -> None:
    """Remember that opening the database in ``paths`` failed (best effort, never raises)."""
    reason = type(exc).__name__
    log.info("the database could not be opened (%s)", reason)
    path = pending_path(paths)
    if not paths.db.is_file():
        return  # no database (yet): a failed first start leaves nothing behind
    line = json.dumps(
        {
            "at": datetime.now(UTC).isoformat(),
            "workstation": socket.gethostname()[:100],
            "user": _user()[:100],
            "reason": reason,
        },
        sort_keys=True,
    )
    try:
        if path.exists() and path.stat().st_size > MAX_PENDING * 200:
            return
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as fh:
            fh.write(line + "\n")
    except OSError:
        pass


def read_pending(path: Path) -> list[dict[str, Any]]:
    """The failures waiting to go into the audit trail (unreadable lines are skipped)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    out = []
    for line in lines[:MAX_PENDING]:
        try:
            item = json.loads(line)
        except ValueError:
            continue
        if isinstance(item, dict):
            out.append(item)
    return out


def clear_pending(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        log.warning("could not clear the list of failed opens")
