"""What was seen on the Patients screen, clicked through the real main window: the search's
status line stays on its screen, Ctrl+F reaches the search from anywhere, "Create new anyway"
says what it made, and the form's grey hints cannot be taken for data."""
# mypy: disable-error-code="no-untyped-call,arg-type"

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QPlainTextEdit, QWidget

from infudesk.domain.patients import PatientData
from infudesk.services import patients as ps
from infudesk.services.audit import Actor
from infudesk.store.database import Store
from infudesk.ui.common.ops import Backend
from infudesk.ui.main_window import MainWindow
from infudesk.ui.patients.patient_page import LookAlikeDialog
from tests.conftest import TODAY
from tests.qt_helpers import type_text, when_modal

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

CTRL = Qt.KeyboardModifier.ControlModifier


def add(store: Store, **kw: object) -> ps.PatientRecord:
    with store.session() as s:
        return ps.create_patient(
            s, Actor("seed"), PatientData(**kw), today=TODAY, allow_look_alike=True
        )


@pytest.fixture
def window(qtbot: QtBot, store: Store) -> MainWindow:
    """The main window as it starts: on the Worklist (its first screen)."""
    add(store, first_name="Olena", last_name="Kovalenko", birth_date=date(1990, 7, 8))
    add(store, first_name="James", last_name="Carter", birth_date=date(1985, 2, 17))
    add(store, first_name="Ivan", last_name="Kovalenko", birth_date=date(1962, 3, 1))
    w = MainWindow(Backend(store, Actor("desk.clerk")), today=lambda: TODAY)
    w.skip_close_checks = True  # type: ignore[attr-defined]
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def press_ctrl_f(qtbot: QtBot, w: MainWindow) -> None:
    """Ctrl+F where the keyboard is (as a person presses it)."""
    handle = w.windowHandle()
    assert handle is not None
    qtbot.keyClick(handle, Qt.Key.Key_F, CTRL)  # through the window system, as a keyboard


def search(qtbot: QtBot, w: MainWindow, text: str) -> None:
    box = w.patients.search_box
    box.selectAll()
    type_text(qtbot, box, text)
    w.patients.run_search()  # skip the typing delay


def test_ctrl_f_from_the_worklist_and_from_an_open_patient(
    qtbot: QtBot, window: MainWindow
) -> None:
    assert window.stack.currentWidget() is window.worklist  # the window starts there
    press_ctrl_f(qtbot, window)
    screen = window.patients
    assert window.stack.currentWidget() is screen
    assert screen.search_box.hasFocus()

    search(qtbot, window, "carter")
    qtbot.keyClick(screen.search_box, Qt.Key.Key_Return)  # Enter opens James Carter
    page = screen.page
    first = page.widgets["first_name"]
    assert isinstance(first, QLineEdit)
    assert screen.stack.currentWidget() is page and first.hasFocus()

    press_ctrl_f(qtbot, window)
    assert screen.stack.currentWidget() is screen.list_page
    assert screen.search_box.hasFocus()
    assert screen.search_box.selectedText() == "carter"  # selected: typing replaces it
    qtbot.keyClicks(QApplication.focusWidget(), "kovalenko")
    assert screen.search_box.text() == "kovalenko"
    assert first.text() == "James"  # the next keys did not land in the first name
    with window.backend.store.session() as s:
        assert ps.count(s, "carter") == 1

    # from another screen with no search of its own (Verifications), to the patient search
    window.nav.setCurrentRow(window.row_of("verifications"))
    press_ctrl_f(qtbot, window)
    assert window.stack.currentWidget() is screen and screen.search_box.hasFocus()


def test_the_search_line_stays_on_the_patients_screen_and_reads_right(
    qtbot: QtBot, window: MainWindow
) -> None:
    window.nav.setCurrentRow(window.row_of("patients"))
    screen = window.patients
    search(qtbot, window, "olena")
    assert screen.count_label.text() == "1 patient matches “olena”."
    search(qtbot, window, "kovalenko")
    assert screen.count_label.text() == "2 patients match “kovalenko”."
    search(qtbot, window, "zzz")
    assert screen.count_label.text().startswith("No patient matches “zzz”.")
    bar = window.statusBar()
    for key in ("worklist", "verifications", "quotes", "payers"):
        window.nav.setCurrentRow(window.row_of(key))
        assert window.stack.currentWidget() is window.get_screen(key)
        assert "patient" not in bar.currentMessage().lower(), (key, bar.currentMessage())
        assert "match" not in bar.currentMessage(), key
    window.nav.setCurrentRow(window.row_of("patients"))
    assert screen.count_label.isVisible()
    assert screen.count_label.text().startswith("No patient matches “zzz”.")


def test_create_new_anyway_says_the_record_was_made(
    qtbot: QtBot, window: MainWindow, store: Store
) -> None:
    window.nav.setCurrentRow(window.row_of("patients"))
    qtbot.keyClick(window.patients.search_box, Qt.Key.Key_N, CTRL)
    page = window.patients.page
    for name, text in (
        ("first_name", "Olena"),
        ("last_name", "Kovalenko"),
        ("birth_date", "07/08/1990"),
    ):
        edit = page.widgets[name]
        assert isinstance(edit, QLineEdit)
        type_text(qtbot, edit, text)
    asked: list[str] = []

    def create_anyway(dlg: QWidget) -> None:
        assert isinstance(dlg, LookAlikeDialog)
        asked.append(dlg.windowTitle())
        dlg.create_button.click()

    when_modal(create_anyway)
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert asked == ["This patient may already exist"]
    assert page.record is not None
    mrn = page.record.data.mrn
    with store.session() as s:
        assert ps.count(s, "kovalenko olena") == 2
    # the user sees that a new, separate record was made, and which one
    said = page.status.text()
    assert re.search(rf"New patient created.*MRN {mrn}", said), said
    assert "separate" in said
    assert mrn in window.statusBar().currentMessage()
    assert mrn in page.subtitle.text()

    # saving it again is an edit of that record: no second warning, no third record
    city = page.widgets["city"]
    assert isinstance(city, QLineEdit)
    type_text(qtbot, city, "Skokie")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert len(asked) == 1
    assert "Saved" in page.status.text()
    with store.session() as s:
        assert ps.count(s, "kovalenko olena") == 2
        assert ps.get_by_mrn(s, mrn).data.city == "Skokie"


# grey hints that could be read as a patient's or the center's data
LOOKS_LIKE_DATA = (
    re.compile(r"\(?\d{3}\)?[ .-]?\d{3}-\d{4}"),  # a phone number
    re.compile(r"^[A-Z]{2}$"),  # a state
    re.compile(r"\b\d{5}\b"),  # a ZIP code
    re.compile(r"\b\d+ [NSEW] \w+"),  # a street address
    re.compile(r"^[A-Z][a-z]+ [A-Z][a-z]+, "),  # "Firstname Lastname, role"
    re.compile(r"\d{1,3},\d{3}"),  # an amount
)


def placeholders(widget: QWidget) -> dict[str, str]:
    found = {}
    for edit in widget.findChildren(QLineEdit) + widget.findChildren(QPlainTextEdit):
        text = edit.placeholderText()
        if text:
            found[edit.objectName() or text] = text
    return found


def test_grey_hints_read_as_hints_not_as_data(qtbot: QtBot, window: MainWindow) -> None:
    window.new_patient()
    shown = placeholders(window.patients)
    assert shown["phone_mobile"] == "phone, 10 digits"
    assert shown["state"] == "state, 2 letters"
    window.backend.actor = Actor("desk.manager", role="manager")  # Settings is a manager's
    for key in ("payers", "settings"):
        shown |= placeholders(window.get_screen(key))
    from infudesk.ui.fees.enrollment_dialogs import ScreeningDialog

    dialog = ScreeningDialog(window.backend, 1, today=lambda: TODAY, parent=window)
    shown |= placeholders(dialog)
    assert len(shown) > 15
    bad = {
        name: text for name, text in shown.items() if any(p.search(text) for p in LOOKS_LIKE_DATA)
    }
    assert not bad
