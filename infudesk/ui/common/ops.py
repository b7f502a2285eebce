"""Operations: one service call per user action in its own session, on the GUI thread for quick
ones (``Backend.query``/``Backend.mutate``) or on a worker thread for slow ones (``run_query``/
``run_change``, after Anki's QueryOp/CollectionOp): the worker gets its own session and hands
plain data back to the GUI thread; errors are logged and shown calmly."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Concatenate, Generic, ParamSpec, TypeVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QWidget
from shiboken6 import isValid

from infudesk.errors import UserError
from infudesk.services.actor import Actor

if TYPE_CHECKING:  # the database layer loads with the store, not with this module (start-up)
    from sqlalchemy.orm import Session

    from infudesk.store.database import Store

log = logging.getLogger(__name__)
T = TypeVar("T")
P = ParamSpec("P")


class Backend:
    """What the screens may call: the open store, who acts, and error reporting."""

    def __init__(self, store: Store, actor: Actor) -> None:
        self.store = store
        self.actor = actor

    @property
    def demo(self) -> bool:
        return self.store.demo

    def query(
        self, fn: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run ``fn(session, *args)`` in a fresh session; errors propagate to the caller."""
        with self.store.session() as session:
            return fn(session, *args, **kwargs)

    def mutate(
        self, fn: Callable[Concatenate[Session, Actor, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run ``fn(session, actor, *args)`` in a fresh session, committed on success."""
        with self.store.session() as session:
            return fn(session, self.actor, *args, **kwargs)

    def in_session(self, op: Callable[[Session], T]) -> Callable[[], T]:
        """``op`` bound to a session of its own (opened where it runs, committed on success)."""

        def work() -> T:
            with self.store.session() as session:
                return op(session)

        return work


class _Relay(QObject):
    """Lives on the GUI thread: a worker's result or error arrives here through a queued signal.

    Signals: finished(object) — the result; failed(object) — the exception.
    """

    finished = Signal(object)
    failed = Signal(object)


class Op(Generic[T]):
    """One piece of slow work on the thread pool; ``success`` or ``failure`` is called on the GUI
    thread unless the op was cancelled or its parent widget is gone by then."""

    _running: set[Op[object]] = set()  # kept alive until their result is delivered
    _lock = threading.Lock()

    def __init__(
        self,
        parent: QWidget | None,
        work: Callable[[], T],
        success: Callable[[T], None],
        failure: Callable[[BaseException], None] | None = None,
    ) -> None:
        self.parent = parent
        self.cancelled = False
        self.done = False
        self._work = work
        self._success = success
        self._failure = failure
        self._relay = _Relay()
        self._relay.finished.connect(self._deliver)
        self._relay.failed.connect(self._fail)

    def start(self) -> Op[T]:
        with Op._lock:
            Op._running.add(self)  # type: ignore[arg-type]
        relay, work = self._relay, self._work

        class Task(QRunnable):
            def run(self) -> None:
                try:
                    result = work()
                except BaseException as exc:  # handed to the GUI thread, never lost
                    relay.failed.emit(exc)
                else:
                    relay.finished.emit(result)

        QThreadPool.globalInstance().start(Task())
        return self

    def cancel(self) -> None:
        """Drop the result when it comes (the work itself runs to its end)."""
        self.cancelled = True

    def _alive(self) -> bool:
        return not self.cancelled and (self.parent is None or isValid(self.parent))

    def _finish(self) -> None:
        self.done = True
        with Op._lock:
            Op._running.discard(self)

    @Slot(object)
    def _deliver(self, result: T) -> None:
        self._finish()
        if self._alive():
            self._success(result)

    @Slot(object)
    def _fail(self, exc: BaseException) -> None:
        self._finish()
        if not isinstance(exc, UserError):
            log.error("background operation failed: %s", type(exc).__name__, exc_info=exc)
        if not self._alive():
            return
        if self._failure is not None:
            self._failure(exc)
        else:
            report(self.parent, exc)


def run_query(
    parent: QWidget | None,
    backend: Backend,
    op: Callable[[Session], T],
    success: Callable[[T], None],
    failure: Callable[[BaseException], None] | None = None,
) -> Op[T]:
    """Run ``op(session)`` on a worker thread in a session of its own; ``success(result)`` on the
    GUI thread. ``op`` must return plain data (records, dataclasses), never ORM rows."""
    return Op(parent, backend.in_session(op), success, failure).start()


def run_change(
    parent: QWidget | None,
    backend: Backend,
    op: Callable[[Session, Actor], T],
    success: Callable[[T], None],
    failure: Callable[[BaseException], None] | None = None,
) -> Op[T]:
    """Like :func:`run_query` for a change made as the signed-in staff member (committed on
    success, rolled back on error)."""
    actor = backend.actor
    return Op(parent, backend.in_session(lambda s: op(s, actor)), success, failure).start()


class Latest:
    """At most one result shown per screen list: a newer refresh cancels the older one's."""

    def __init__(self) -> None:
        self.op: Op[object] | None = None

    def replace(self, op: Op[T]) -> Op[T]:
        if self.op is not None and not self.op.done:
            self.op.cancel()
        self.op = op  # type: ignore[assignment]
        return op

    @property
    def busy(self) -> bool:
        return self.op is not None and not self.op.done


def wait_for_background(timeout_ms: int = 10_000) -> bool:
    """Let running work end (at close, before the database is closed); True when all ended."""
    return QThreadPool.globalInstance().waitForDone(timeout_ms)


def friendly_message(exc: BaseException) -> tuple[str, str]:
    """(title, text) for an error shown to the user."""
    if isinstance(exc, UserError):
        return exc.title, exc.message
    from sqlalchemy.exc import OperationalError  # loaded already: an error came from it

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


__all__ = [
    "Backend",
    "Latest",
    "Op",
    "ask_unsaved",
    "attempt",
    "friendly_message",
    "report",
    "run_change",
    "run_query",
    "wait_for_background",
]
