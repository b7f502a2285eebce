"""Lists that follow other workstations: poll the change counter, reload when it moved."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QWidget

from infudesk.services.sync import change_token
from infudesk.ui.common.ops import Backend

log = logging.getLogger(__name__)
POLL_MS = 10_000


class ChangeWatcher(QObject):
    """Every ``interval_ms`` while ``widget`` is visible, read the change counter (one row);
    when another workstation saved something since, call ``reload``. On by default only
    on a shared server (on the local database nobody else writes)."""

    def __init__(
        self,
        widget: QWidget,
        backend: Backend,
        reload: Callable[[], None],
        *,
        interval_ms: int = POLL_MS,
        enabled: bool | None = None,
    ) -> None:
        super().__init__(widget)
        self.widget = widget
        self.backend = backend
        self.reload = reload
        self.seen: int | None = None
        self.enabled = backend.store.target is not None if enabled is None else enabled
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.poll)

    def mark(self) -> None:
        """The list is being loaded now: what it shows is as of this token."""
        if not self.enabled:
            return
        self.seen = self._token()
        if not self.timer.isActive():
            self.timer.start()

    def poll(self) -> None:
        if not self.widget.isVisible():
            self.timer.stop()  # started again by the next load (showEvent)
            return
        token = self._token()
        if token is not None and self.seen is not None and token != self.seen:
            self.seen = token
            self.reload()

    def _token(self) -> int | None:
        try:
            return self.backend.query(change_token)
        except Exception as exc:  # a dropped connection: quietly try again at the next tick
            log.info("change counter not read (%s)", type(exc).__name__)
            return None
