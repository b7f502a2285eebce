"""The Qt binding we ship must not corrupt reference counts (PySide6 6.12.0 did, on emit)."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class Emitter(QObject):
    number = Signal(int)


def test_emitting_a_signal_keeps_the_refcount_of_true() -> None:
    emitter = Emitter()
    received: list[int] = []
    emitter.number.connect(received.append)
    before = sys.getrefcount(True)
    for i in range(500):
        emitter.number.emit(i)
    unconnected = Emitter()
    for i in range(500):
        unconnected.number.emit(i)
    # a leak of one reference per emit would show as -1000; allow small unrelated drift
    assert abs(sys.getrefcount(True) - before) < 50
    assert received == list(range(500))
