"""Logging: named loggers to a rotating file in the data dir; no patient data is ever logged."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path


def configure(log_dir: Path | None, *, verbose: bool = False) -> Path | None:
    """Log to ``log_dir/infudesk.log`` (rotating); returns the file's path."""
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    if log_dir is None:
        return None
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
        path = log_dir / "infudesk.log"
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=2_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError:
        return None
    handler.setFormatter(fmt)
    root.addHandler(handler)
    return path
