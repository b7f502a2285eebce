"""Operations: run one service call per user action in its own session, report errors kindly."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtWidgets import QMessageBox, QWidget
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from infudesk.errors import UserError
from infudesk.services.audit import Actor
from infudesk.store.database import Store

log = logging.getLogger(__name__)
T = TypeVar("T")


class Backend:
    """What the screens may call: the open store, who acts, and error reporting."""

    def __init__(self, store: Store, actor: Actor) -> None:
        self.store = store
        self.actor = actor

    @property
    def demo(self) -> bool:
        return self.store.demo

    def query(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``fn(session, *args)`` in a fresh session; errors propagate to the caller."""
        with self.store.session() as session:
            return fn(session, *args, **kwargs)

    def mutate(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``fn(session, actor, *args)`` in a fresh session, committed on success."""
        with self.store.session() as session:
            return fn(session, self.actor, *args, **kwargs)


def friendly_message(exc: BaseException) -> tuple[str, str]:
    """(title, text) for an error shown to the user."""
    if isinstance(exc, UserError):
        return exc.title, exc.message
    if isinstance(exc, OperationalError) and "locked" in str(exc).lower():
        return (
            "Database busy",
            "The database is busy (another program is writing to it). Nothing was lost: "
            "try again in a moment.",
        )
    return (
        "Something went wrong",
        "infudesk could not finish this step, and nothing from it was saved. What you typed "
        "is still on screen. If it happens again, tell your administrator (details are in the "
        "log file).",
    )


def report(parent: QWidget | None, exc: BaseException) -> None:
    """Show an error in a dialog (and log unexpected ones without patient data)."""
    if not isinstance(exc, UserError):
        log.error("operation failed: %s", type(exc).__name__, exc_info=exc)
    title, text = friendly_message(exc)
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("errorBox")
    box.exec()


def ask_unsaved(parent: QWidget, what: str) -> str:
    """'save', 'discard' or 'cancel': what to do with edits that are not saved yet."""
    box = QMessageBox(
        QMessageBox.Icon.Question,
        "Unsaved changes",
        what,
        QMessageBox.StandardButton.Save
        | QMessageBox.StandardButton.Discard
        | QMessageBox.StandardButton.Cancel,
        parent,
    )
    box.setObjectName("unsavedBox")
    box.setDefaultButton(QMessageBox.StandardButton.Save)
    answer = box.exec()
    if answer == QMessageBox.StandardButton.Save:
        return "save"
    return "discard" if answer == QMessageBox.StandardButton.Discard else "cancel"


def attempt(parent: QWidget | None, fn: Callable[[], T]) -> T | None:
    """Call ``fn``; on failure show the error and return None (the form keeps its contents)."""
    try:
        return fn()
    except Exception as exc:
        report(parent, exc)
        return None


__all__ = ["Backend", "Session", "ask_unsaved", "attempt", "friendly_message", "report"]
