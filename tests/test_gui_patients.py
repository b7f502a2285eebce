"""Click through the real main window: create, find, edit, validate, look-alikes, deactivate."""
# mypy: disable-error-code="no-untyped-call,arg-type"

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QInputDialog,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QWidget,
)

from infudesk.domain.patients import PatientData
from infudesk.services import patients as ps
from infudesk.services.audit import Actor
from infudesk.store.database import Store
from infudesk.ui.common.ops import Backend
from infudesk.ui.main_window import MainWindow
from infudesk.ui.patients.patient_model import Columns
from infudesk.ui.patients.patient_page import LookAlikeDialog
from tests.conftest import TODAY
from tests.qt_helpers import type_text, when_modal

if TYPE_CHECKING:
    from pytestqt.modeltest import ModelTester
    from pytestqt.qtbot import QtBot


@pytest.fixture
def window(qtbot: QtBot, store: Store) -> MainWindow:
    w = MainWindow(Backend(store, Actor("desk.clerk")), today=lambda: TODAY)
    qtbot.addWidget(w)
    w.nav.setCurrentRow(w.stack.indexOf(w.patients))  # the Worklist comes first
    w.show()
    qtbot.waitExposed(w)
    return w


def add(store: Store, **kw: object) -> ps.PatientRecord:
    with store.session() as s:
        return ps.create_patient(
            s,
            Actor("seed"),
            PatientData(**kw),
            today=TODAY,
            allow_look_alike=True,
        )


def field(w: MainWindow, name: str) -> QLineEdit:
    widget = w.patients.page.widgets[name]
    assert isinstance(widget, QLineEdit)
    return widget


def type_into(qtbot: QtBot, w: MainWindow, values: dict[str, str]) -> None:
    for name, text in values.items():
        edit = field(w, name)
        edit.clear()
        type_text(qtbot, edit, text)


def search(qtbot: QtBot, w: MainWindow, text: str) -> None:
    box = w.patients.search_box
    box.clear()
    type_text(qtbot, box, text)
    w.patients.run_search()  # skip the typing delay


def test_create_find_and_edit_a_patient(qtbot: QtBot, window: MainWindow, store: Store) -> None:
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    page = window.patients.page
    assert window.patients.stack.currentWidget() is page
    assert page.title.text() == "New patient"
    type_into(
        qtbot,
        window,
        {
            "first_name": "María Elena",
            "last_name": "García-López",
            "birth_date": "4/12/1968",
            "phone_mobile": "773 555 0101",
            "email": "maria@example.org",
            "zip_code": "60608",
            "state": "il",
            "city": "Chicago",
        },
    )
    lang = page.widgets["preferred_language"]
    assert isinstance(lang, QComboBox)
    lang.setCurrentIndex(lang.findData("es"))
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert "Saved" in page.status.text()
    assert page.record is not None
    mrn = page.record.data.mrn
    assert mrn.startswith("P")
    assert "García-López" in page.title.text()

    qtbot.keyClick(page, Qt.Key.Key_Escape)  # nothing unsaved: straight back to the list
    assert window.patients.stack.currentWidget() is window.patients.list_page
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.patients.search_box.hasFocus()
    for text in ("garc mar", "04/12/1968", "5550101", mrn):
        search(qtbot, window, text)
        assert window.patients.model.rowCount() == 1, text
    qtbot.keyClick(window.patients.search_box, Qt.Key.Key_Return)
    assert window.patients.stack.currentWidget() is page
    assert field(window, "phone_mobile").text() == "(773) 555-0101"

    type_into(qtbot, window, {"phone_mobile": "312-555-0199", "last_name": "Garcia Lopez"})
    qtbot.keyClick(page, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert "Saved" in page.status.text()
    with store.session() as s:
        rec = ps.get_by_mrn(s, mrn)
    assert rec.data.phone_mobile == "3125550199"
    assert rec.data.preferred_language == "es"
    assert rec.version == 2
    qtbot.mouseClick(page.back_button, Qt.MouseButton.LeftButton)
    search(qtbot, window, "555-0199")
    assert window.patients.model.rowCount() == 1
    assert window.patients.model.row_at(0).last_name == "Garcia Lopez"  # type: ignore[union-attr]


def test_bad_input_is_shown_at_the_field_and_kept(
    qtbot: QtBot, window: MainWindow, store: Store
) -> None:
    window.new_patient()
    page = window.patients.page
    typed = {
        "first_name": "Zoë",
        "last_name": "O'Brien",
        "birth_date": "06/31/2014",
        "phone_home": "555-01",
        "email": "zoe@",
        "zip_code": "6054",
    }
    type_into(qtbot, window, typed)
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    for name in ("birth_date", "phone_home", "email", "zip_code"):
        assert page.boxes[name].error.isVisible(), name
        assert page.boxes[name].message
    assert not page.boxes["first_name"].error.isVisible()
    assert {n: field(window, n).text() for n in typed} == typed  # nothing typed is lost
    assert page.record is None
    with store.session() as s:
        assert ps.count(s, "") == 0

    # a real date now: she is a minor, so the guardian is required
    type_into(
        qtbot,
        window,
        {
            "birth_date": "06/02/2014",
            "phone_home": "630-555-0105",
            "email": "",
            "zip_code": "60540",
        },
    )
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert "under 18" in page.boxes["guardian_name"].message
    assert "required" in page.guardian_group.title()
    type_into(
        qtbot,
        window,
        {
            "guardian_name": "Siobhan O'Brien",
            "guardian_relationship": "Mother",
            "guardian_phone": "6305550106",
        },
    )
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert page.record is not None
    assert not any(b.error.isVisible() for b in page.boxes.values())


def test_look_alike_offers_the_existing_record(
    qtbot: QtBot, window: MainWindow, store: Store
) -> None:
    existing = add(
        store,
        first_name="An",
        middle_name="Văn",
        last_name="Nguyễn",
        birth_date=date(1951, 9, 30),
        mrn="D0002",
    )
    window.new_patient()
    type_into(
        qtbot, window, {"first_name": "An", "last_name": "Nguyen", "birth_date": "09/30/1951"}
    )
    seen: list[str] = []

    def open_existing(dlg: QWidget) -> None:
        assert isinstance(dlg, LookAlikeDialog)
        seen.append(dlg.list.item(0).text())
        dlg.open_button.click()

    when_modal(open_existing)
    qtbot.mouseClick(window.patients.page.save_button, Qt.MouseButton.LeftButton)
    assert seen and "D0002" in seen[0]
    page = window.patients.page
    assert page.record is not None and page.record.id == existing.id
    with store.session() as s:
        assert ps.count(s, "", include_inactive=True) == 1

    # and "create anyway" really creates a second record
    window.new_patient()
    type_into(
        qtbot, window, {"first_name": "An", "last_name": "Nguyen", "birth_date": "09/30/1951"}
    )
    when_modal(lambda dlg: dlg.create_button.click())  # type: ignore[attr-defined]
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    with store.session() as s:
        assert ps.count(s, "nguyen") == 2


def test_unsaved_changes_are_not_lost_on_escape(
    qtbot: QtBot, window: MainWindow, store: Store
) -> None:
    rec = add(store, first_name="James", last_name="Carter", birth_date=date(1985, 2, 17))
    window.patients.open_patient(rec.id)
    page = window.patients.page
    type_into(qtbot, window, {"city": "Evanston"})

    def cancel(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        box.button(QMessageBox.StandardButton.Cancel).click()

    when_modal(cancel)
    qtbot.keyClick(page, Qt.Key.Key_Escape)
    assert window.patients.stack.currentWidget() is page
    assert field(window, "city").text() == "Evanston"

    def save(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        box.button(QMessageBox.StandardButton.Save).click()

    when_modal(save)
    window.activateWindow()  # the closed message box had taken the active window
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(page, Qt.Key.Key_Escape)
    assert window.patients.stack.currentWidget() is window.patients.list_page
    with store.session() as s:
        assert ps.get_patient(s, rec.id).data.city == "Evanston"


def test_deactivate_hides_but_keeps_the_patient(
    qtbot: QtBot, window: MainWindow, store: Store
) -> None:
    rec = add(store, first_name="Olena", last_name="Kovalenko", birth_date=date(1990, 7, 8))
    window.patients.open_patient(rec.id)
    page = window.patients.page

    def give_reason(dlg: QWidget) -> None:
        assert isinstance(dlg, QInputDialog)
        dlg.setTextValue("moved to another state")
        dlg.accept()

    when_modal(give_reason)
    qtbot.mouseClick(page.active_button, Qt.MouseButton.LeftButton)
    assert "inactive" in page.title.text()
    assert "moved to another state" in page.subtitle.text()
    page.cancel()
    search(qtbot, window, "kovalenko")
    assert window.patients.model.rowCount() == 0
    assert "No patient matches" in window.patients.count_label.text()
    window.patients.inactive_box.setChecked(True)
    assert window.patients.model.rowCount() == 1
    idx = window.patients.model.index(0, Columns.STATUS)
    assert window.patients.model.data(idx) == "Inactive"


def test_sorting_by_header_and_lazy_paging(qtbot: QtBot, window: MainWindow, store: Store) -> None:
    import random

    from infudesk.demo.seed import seed_patients

    with store.session() as s:
        seed_patients(s, Actor("seed"), 450, rng=random.Random(7), today=TODAY)
    screen = window.patients
    screen.inactive_box.setChecked(True)
    model = screen.model
    assert model.rowCount() == 200  # first page only
    assert model.total == 450
    assert model.canFetchMore()
    screen.table.scrollToBottom()
    model.fetchMore()
    model.fetchMore()
    assert model.rowCount() == 450 and not model.canFetchMore()

    screen.table.horizontalHeader().setSortIndicator(
        Columns.BIRTH_DATE, Qt.SortOrder.DescendingOrder
    )
    births = [model.row_at(i).birth_date for i in range(model.rowCount())]  # type: ignore[union-attr]
    assert births == sorted(births, reverse=True)
    assert model.rowCount() == 200  # a new sort starts again from the first page
    screen.table.horizontalHeader().setSortIndicator(Columns.MRN, Qt.SortOrder.AscendingOrder)
    mrns = [model.row_at(i).mrn for i in range(model.rowCount())]  # type: ignore[union-attr]
    assert mrns == sorted(mrns)


def test_patient_model_is_a_well_behaved_qt_model(
    qtmodeltester: ModelTester, window: MainWindow, store: Store
) -> None:
    add(store, first_name="Zoë", last_name="O'Brien", birth_date=date(1990, 6, 2))
    add(store, first_name="秀英", last_name="王", birth_date=date(1979, 11, 23))
    window.patients.run_search()
    qtmodeltester.check(window.patients.model)
    search_box = window.patients.search_box
    search_box.setText("王")
    window.patients.run_search()
    assert window.patients.model.rowCount() == 1


def test_keyboard_enter_in_table_opens_the_patient(
    qtbot: QtBot, window: MainWindow, store: Store
) -> None:
    add(store, first_name="James", last_name="Carter", birth_date=date(1985, 2, 17))
    window.patients.run_search()
    qtbot.keyClick(window.patients.search_box, Qt.Key.Key_Down)
    assert window.patients.table.hasFocus()
    qtbot.keyClick(window.patients.table, Qt.Key.Key_Return)
    assert window.patients.stack.currentWidget() is window.patients.page
    assert field(window, "first_name").text() == "James"
    buttons = window.patients.page.findChildren(QPushButton)
    assert any(b.text() == "Save" for b in buttons)
    assert not any(isinstance(m, QDialog) and m.isVisible() for m in QApplication.topLevelWidgets())


def test_name_on_insurance_card_is_a_field_of_the_patient_page(
    qtbot: QtBot, window: MainWindow, store: Store
) -> None:
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    page = window.patients.page
    type_into(
        qtbot,
        window,
        {
            "first_name": "秀英",
            "last_name": "王",
            "name_on_card": "Wang Xiuying",
            "birth_date": "11/23/1979",
        },
    )
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert "Saved" in page.status.text()
    assert page.record is not None
    with store.session() as s:
        rec = ps.get_by_mrn(s, page.record.data.mrn)
    assert rec.data.name_on_card == "Wang Xiuying"
    assert field(window, "name_on_card").text() == "Wang Xiuying"
