"""Logging: named loggers to a rotating file in the data dir; no patient data is ever logged.

Exception messages can carry data (a file name made from a patient's name, a value in a
validation error), so the log file keeps, for an exception, only its type and where it
happened: ``DataFreeFormatter`` writes tracebacks without the messages.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import traceback
from pathlib import Path


def describe_exception(exc: BaseException) -> str:
    """An exception's types and frames (file, line, function), never its message or values."""
    lines: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        lines.append(f"{type(current).__module__}.{type(current).__qualname__}")
        for frame in traceback.extract_tb(current.__traceback__):
            lines.append(f"  at {Path(frame.filename).name}:{frame.lineno} in {frame.name}")
        current = current.__cause__ or current.__context__
        if current is not None:
            lines.append("caused by / during:")
    return "\n".join(lines)


class DataFreeFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        # another handler may have cached the full traceback (with messages) on the record
        saved = record.exc_text
        record.exc_text = None
        try:
            return super().format(record)
        finally:
            record.exc_text = saved

    def formatException(self, ei: object) -> str:  # noqa: N802 (logging's name)
        exc = ei[1] if isinstance(ei, tuple) and len(ei) == 3 else None
        if not isinstance(exc, BaseException):
            return ""
        return describe_exception(exc)

    def formatStack(self, stack_info: str) -> str:  # noqa: N802
        return stack_info


def log_failure(logger: logging.Logger, what: str, exc: BaseException) -> None:
    """Log a failure by its type and place (the formatter drops messages, too)."""
    logger.error("%s: %s", what, type(exc).__name__, exc_info=exc)


def configure(log_dir: Path | None, *, verbose: bool = False) -> Path | None:
    """Log to ``log_dir/infudesk.log`` (rotating, user-only); returns the file's path."""
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    fmt = DataFreeFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    if log_dir is None:
        return None
    try:
        log_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = log_dir / "infudesk.log"
        if not path.exists():
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=2_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError:
        return None
    handler.setFormatter(fmt)
    root.addHandler(handler)
    return path
