"""The GUI thread's longest block, shared by the screen benches (bench_worklist_gui,
bench_prior_auths): a QTimer beats every few ms on the GUI thread while an action runs and the
screen finishes what it started (a query on a worker thread, the rows shown and painted); the
longest gap between two beats is the longest time the screen could not answer.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

HEARTBEAT_MS = 5


def wait_idle(app: Any, busy: Callable[[], bool]) -> None:
    """Process events until ``busy()`` is false (the screen's query answered and shown)."""
    while busy():
        app.processEvents()
        time.sleep(0.001)
    app.processEvents()


def watch(
    app: Any, screen: Any, action: Callable[[], object], busy: Callable[[], bool]
) -> tuple[float, float]:
    """(ms from ``action`` until the screen is idle and painted, the longest gap in ms between
    heartbeats meanwhile). ``busy`` tells whether the screen still waits for its worker."""
    from PySide6.QtCore import QTimer

    gaps: list[float] = []
    last = [time.perf_counter()]

    def beat() -> None:
        now = time.perf_counter()
        gaps.append((now - last[0]) * 1000)
        last[0] = now

    timer = QTimer()
    timer.setInterval(HEARTBEAT_MS)
    timer.timeout.connect(beat)
    timer.start()
    app.processEvents()
    last[0] = t0 = time.perf_counter()
    action()  # returns at once when the screen's work runs on a worker thread
    wait_idle(app, busy)
    screen.repaint()  # the rows painted
    app.processEvents()
    beat()  # the last stretch (showing and painting the rows) counts too
    wall = (time.perf_counter() - t0) * 1000
    timer.stop()
    return wall, max(gaps) if gaps else 0.0
