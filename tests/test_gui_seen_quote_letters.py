"""What was seen on the Quotes screen and the day's letters: "Save this quote first?" only when
what is on screen is not saved; the letter batch opening on a day with people on it."""
# mypy: disable-error-code="no-untyped-call,union-attr"

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QMessageBox, QWidget

from infudesk.demo.showcase import seed_demo
from infudesk.domain import business_days as bd
from infudesk.services import quotes as qs
from infudesk.services.audit import Actor
from infudesk.store.database import Store
from infudesk.ui.common.ops import Backend
from infudesk.ui.letters.letter_preview import LetterPreview
from infudesk.ui.quote.quote_screen import QuoteScreen
from tests.conftest import TODAY
from tests.qt_helpers import MODAL_GENERATION, when_modal
from tests.seeded import patient_id

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def seeded(store: Store) -> Store:
    with store.session() as s:
        seed_demo(s, Actor("seed"), today=TODAY, generated=0)
    return store


@pytest.fixture
def backend(seeded: Store) -> Backend:
    return Backend(seeded, Actor("desk.clerk"))


def test_no_save_question_when_nothing_changed(
    qtbot: QtBot, backend: Backend, seeded: Store
) -> None:
    screen = QuoteScreen(backend, today=lambda: TODAY)
    qtbot.addWidget(screen)
    screen.resize(1300, 800)
    screen.show()
    pid = patient_id(seeded, "D0001")
    screen.show_patient(pid)
    with seeded.session() as s:
        first = qs.list_quotes(s, pid)[0]  # the demo's quote 1
    # a what-if saved as quote 2
    coins = screen.terms.widgets["primary.coinsurance"]
    assert isinstance(coins, QLineEdit)
    coins.selectAll()
    qtbot.keyClicks(coins, "30")
    qtbot.keyClick(coins, Qt.Key.Key_Return)
    qtbot.mouseClick(screen.save_button, LEFT)
    assert "Saved as quote 2" in screen.status_label.text()

    # quote 1 again, as a new version, with nothing changed: its letter needs no saving
    screen.open_saved(first.id)
    qtbot.mouseClick(screen.new_version_button, LEFT)
    asked: list[str] = []

    def note(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        asked.append(box.text())
        box.button(QMessageBox.StandardButton.Cancel).click()

    when_modal(note)
    qtbot.mouseClick(screen.letter_button, LEFT)
    dlg = screen.letter_preview
    assert not asked, asked
    assert isinstance(dlg, LetterPreview)
    assert dlg.source.quote_id == first.id  # the saved quote whose figures are on screen
    dlg.close()
    MODAL_GENERATION[0] += 1

    # a change on that version: now it asks (and Cancel opens nothing)
    coins.selectAll()
    qtbot.keyClicks(coins, "25")
    qtbot.keyClick(coins, Qt.Key.Key_Return)
    when_modal(note)
    qtbot.mouseClick(screen.letter_button, LEFT)
    assert asked and "not saved" in asked[0]
    assert screen.letter_preview is dlg


def test_the_letter_batch_opens_on_a_day_with_people_on_it(
    qtbot: QtBot, backend: Backend, seeded: Store
) -> None:
    from infudesk.services import letters
    from infudesk.ui.letters.batch_letters import BatchLetters

    saturday = TODAY + timedelta(days=1)
    assert saturday.weekday() == 5  # the tests' day is a Friday
    with seeded.session() as s:
        assert not letters.patients_with_visits_on(s, saturday)
        first = next(
            TODAY + timedelta(days=n)
            for n in range(1, 30)
            if letters.patients_with_visits_on(s, TODAY + timedelta(days=n))
        )
    dlg = BatchLetters(backend, today=TODAY)
    qtbot.addWidget(dlg)
    dlg.show()
    assert dlg.day() == first and bd.is_business_day(first)
    assert dlg.patients and dlg.body.currentWidget() is dlg.table
    assert dlg.save_button.isEnabled()

    # nobody booked around Christmas 2027: the next business day, past the holiday weekend
    quiet = BatchLetters(backend, today=date(2027, 12, 23))
    qtbot.addWidget(quiet)
    assert quiet.day() == date(2027, 12, 27)
    assert quiet.patients == [] and quiet.body.currentWidget() is quiet.empty
