"""Helpers for clicking through real screens: typing any script, answering modal dialogs."""
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot


def type_text(qtbot: QtBot, edit: QLineEdit, text: str) -> None:
    """Key clicks for ASCII; other scripts arrive as an input method would commit them."""
    if text.isascii():
        qtbot.keyClicks(edit, text)
    else:
        edit.insert(text)


MODAL_GENERATION = [0]  # bumped after every test (conftest): stale pollers then stop
MODAL_TIMEOUT_MS = 10_000


def when_modal(handler: Callable[[QWidget], None]) -> None:
    """Answer the next modal dialog (they block in exec(), so answer from a timer)."""
    generation = MODAL_GENERATION[0]
    waited = [0]

    def poll() -> None:
        if generation != MODAL_GENERATION[0] or waited[0] > MODAL_TIMEOUT_MS:
            return  # the test that asked is over, or no dialog ever came
        modal = QApplication.activeModalWidget()
        if modal is None:
            waited[0] += 20
            QTimer.singleShot(20, poll)
            return
        handler(modal)

    QTimer.singleShot(0, poll)
