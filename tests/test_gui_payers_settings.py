"""Click through the Payers and Settings screens: create, validate, edit, policy notes, settings."""
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QMessageBox, QPlainTextEdit, QWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from infudesk.services import payers as pay
from infudesk.services import settings
from infudesk.services.audit import Actor
from infudesk.store.database import Store
from infudesk.ui.common.ops import Backend
from infudesk.ui.payers.payers_screen import EMPTY_DIRECTORY, NoteColumns, PayersScreen
from infudesk.ui.settings.settings_screen import DAYS_BEFORE_VISIT, SettingsScreen
from tests.conftest import TODAY
from tests.qt_helpers import type_text, when_modal


@pytest.fixture
def backend(store: Store) -> Backend:
    return Backend(store, Actor("desk.clerk"))


@pytest.fixture
def screen(qtbot: QtBot, backend: Backend) -> PayersScreen:
    w = PayersScreen(backend, today=lambda: TODAY)
    qtbot.addWidget(w)
    w.resize(1100, 750)
    w.show()
    qtbot.waitExposed(w)
    return w


def add_payer(store: Store, name: str, **kw: object) -> pay.PayerRecord:
    with store.session() as s:
        return pay.create_payer(s, Actor("seed"), pay.PayerData(name=name, **kw))  # type: ignore[arg-type]


def edit(screen: PayersScreen, name: str) -> QLineEdit:
    w = screen.widgets[name]
    assert isinstance(w, QLineEdit)
    return w


def type_into(qtbot: QtBot, screen: PayersScreen, values: dict[str, str]) -> None:
    for name, text in values.items():
        e = edit(screen, name)
        e.clear()
        type_text(qtbot, e, text)
        e.editingFinished.emit()  # as when the user tabs out of the field


def click(qtbot: QtBot, button: QWidget) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def select(screen: PayersScreen, payer_id: int) -> None:
    """Click the payer in the list (as far as the screen can tell)."""
    item = screen.item_for(payer_id)
    assert item is not None
    screen.payer_list.setCurrentItem(item)


def all_payers(store: Store) -> list[pay.PayerRecord]:
    with store.session() as s:
        return pay.list_payers(s, include_inactive=True)


def test_empty_directory_invites_to_add_a_payer(screen: PayersScreen) -> None:
    assert screen.right.currentWidget() is screen.empty_page
    assert screen.empty_label.text() == EMPTY_DIRECTORY
    assert screen.list_stack.currentWidget() is screen.list_empty
    assert screen.list_empty.text() == "No payers yet."
    assert not screen.is_dirty()
    assert screen.can_leave()  # nothing open, nothing to ask


def test_create_a_payer_by_typing_and_saving(
    qtbot: QtBot, screen: PayersScreen, store: Store
) -> None:
    click(qtbot, screen.new_button)
    assert screen.right.currentWidget() is screen.editor
    assert screen.title.text() == "New payer"
    assert not screen.add_note_button.isEnabled()  # notes come after the first save
    type_into(
        qtbot,
        screen,
        {
            "name": "Lakeshore   Health",
            "phone": "800 555 0111",
            "fax": "1-800-555-0112",
            "portal": "provider.lakeshore.example",
        },
    )
    assert edit(screen, "phone").text() == "(800) 555-0111"  # formatted after editing
    assert edit(screen, "fax").text() == "(800) 555-0112"
    screen.plan_checks["commercial"].setChecked(True)
    screen.plan_checks["marketplace"].setChecked(True)
    notes = screen.widgets["notes"]
    assert isinstance(notes, QPlainTextEdit)
    notes.setPlainText("Call the provider line, option 3.")
    assert screen.is_dirty()
    click(qtbot, screen.save_button)

    assert "Saved" in screen.status.text()
    assert screen.record is not None
    assert screen.title.text() == "Lakeshore Health"
    assert screen.visible_names() == ["Lakeshore Health"]
    current = screen.payer_list.currentItem()
    assert current is not None and current.text() == "Lakeshore Health"
    [rec] = all_payers(store)
    assert rec.data == pay.PayerData(
        name="Lakeshore Health",
        plan_types=("commercial", "marketplace"),
        phone="8005550111",
        fax="8005550112",
        portal="provider.lakeshore.example",
        notes="Call the provider line, option 3.",
        active=True,
    )
    assert not screen.is_dirty()
    assert screen.add_note_button.isEnabled()


def test_bad_phone_is_shown_at_the_field_and_nothing_is_saved(
    qtbot: QtBot, screen: PayersScreen, store: Store
) -> None:
    screen.new_payer()
    typed = {"name": "Société Générale Santé", "phone": "555-01", "fax": "800 555 0112"}
    type_into(qtbot, screen, typed)
    click(qtbot, screen.save_button)
    assert screen.boxes["phone"].error.isVisible()
    assert "10 digits" in screen.boxes["phone"].message
    assert not screen.boxes["name"].error.isVisible()
    assert not screen.boxes["fax"].error.isVisible()
    assert "Nothing was saved" in screen.status.text()
    assert edit(screen, "name").text() == typed["name"]  # nothing typed is lost
    assert edit(screen, "phone").text() == "555-01"
    assert screen.record is None
    assert all_payers(store) == []

    type_into(qtbot, screen, {"phone": "(800) 555-0113"})
    click(qtbot, screen.save_button)
    assert not screen.boxes["phone"].error.isVisible()
    assert [r.data.name for r in all_payers(store)] == ["Société Générale Santé"]


def test_duplicate_name_is_an_error_at_the_name(
    qtbot: QtBot, screen: PayersScreen, store: Store
) -> None:
    add_payer(store, "Summit Health")
    screen.reload_list()
    screen.new_payer()
    type_into(qtbot, screen, {"name": "summit health", "phone": "8005550116"})
    qtbot.keyClick(edit(screen, "name"), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert screen.boxes["name"].error.isVisible()
    assert "already in the directory" in screen.boxes["name"].message
    assert edit(screen, "name").text() == "summit health"
    assert edit(screen, "phone").text() == "(800) 555-0116"
    assert screen.record is None
    assert len(all_payers(store)) == 1


def test_edit_and_save_an_existing_payer(qtbot: QtBot, screen: PayersScreen, store: Store) -> None:
    rec = add_payer(store, "Evergreen Medigap", plan_types=("medigap",), phone="8005550113")
    add_payer(store, "Acme Benefits")
    screen.reload_list()
    assert screen.visible_names() == ["Acme Benefits", "Evergreen Medigap"]
    assert screen.right.currentWidget() is screen.empty_page
    select(screen, rec.id)
    assert screen.record is not None and screen.record.id == rec.id
    assert edit(screen, "phone").text() == "(800) 555-0113"
    assert screen.plan_checks["medigap"].isChecked()
    assert not screen.plan_checks["commercial"].isChecked()
    assert not screen.is_dirty()

    type_into(qtbot, screen, {"name": "Evergreen Medigap Plans", "fax": "8005550120"})
    screen.plan_checks["medicare_advantage"].setChecked(True)
    qtbot.keyClick(edit(screen, "fax"), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert "Saved" in screen.status.text()
    with store.session() as s:
        saved = pay.get_payer(s, rec.id)
    assert saved.data.name == "Evergreen Medigap Plans"
    assert saved.data.fax == "8005550120"
    assert set(saved.data.plan_types) == {"medigap", "medicare_advantage"}
    assert saved.version == rec.version + 1
    assert screen.visible_names() == ["Acme Benefits", "Evergreen Medigap Plans"]

    # deactivate: hidden from the list unless "Show inactive"
    active = screen.widgets["active"]
    active.setChecked(False)  # type: ignore[attr-defined]
    click(qtbot, screen.save_button)
    assert "Show inactive" in screen.status.text()
    assert screen.visible_names() == ["Acme Benefits"]
    screen.inactive_box.setChecked(True)
    assert screen.visible_names() == ["Acme Benefits", "Evergreen Medigap Plans"]
    with store.session() as s:
        assert [r.data.name for r in pay.list_payers(s)] == ["Acme Benefits"]


def test_filter_as_you_type(qtbot: QtBot, screen: PayersScreen, store: Store) -> None:
    add_payer(store, "Lakeshore Health", plan_types=("commercial",), phone="8005550111")
    add_payer(store, "Prairie Family Medicaid", plan_types=("medicaid_managed_care",))
    add_payer(store, "Évora Mutual")
    screen.reload_list()
    qtbot.keyClicks(screen.search_box, "prai")
    assert screen.visible_names() == ["Prairie Family Medicaid"]
    screen.search_box.clear()
    qtbot.keyClicks(screen.search_box, "555-0111")
    assert screen.visible_names() == ["Lakeshore Health"]
    screen.search_box.setText("evora")  # accents do not matter
    assert screen.visible_names() == ["Évora Mutual"]
    screen.search_box.setText("nothing like it")
    assert screen.visible_names() == []
    assert screen.list_stack.currentWidget() is screen.list_empty
    assert "No payer matches" in screen.list_empty.text()
    screen.search_box.clear()
    assert len(screen.visible_names()) == 3
    assert screen.count_label.text() == "3 active payers."


def test_unsaved_edits_are_kept_when_the_user_cancels(
    qtbot: QtBot, screen: PayersScreen, store: Store
) -> None:
    a = add_payer(store, "Acme Benefits")
    b = add_payer(store, "Summit Health")
    screen.reload_list()
    screen.open_payer(a.id)
    type_into(qtbot, screen, {"portal": "acme.example"})

    def cancel(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        box.button(QMessageBox.StandardButton.Cancel).click()

    when_modal(cancel)
    select(screen, b.id)
    assert screen.record is not None and screen.record.id == a.id
    assert edit(screen, "portal").text() == "acme.example"
    current = screen.payer_list.currentItem()
    assert current is not None and current.text() == "Acme Benefits"

    def save(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        box.button(QMessageBox.StandardButton.Save).click()

    when_modal(save)
    assert screen.can_leave()
    with store.session() as s:
        assert pay.get_payer(s, a.id).data.portal == "acme.example"


def test_conflict_is_reported_and_the_form_kept(
    qtbot: QtBot, screen: PayersScreen, store: Store
) -> None:
    rec = add_payer(store, "Summit Health")
    screen.reload_list()
    screen.open_payer(rec.id)
    with store.session() as s:  # someone else edits it meanwhile
        pay.update_payer(
            s,
            Actor("other"),
            rec.id,
            pay.PayerData(name="Summit Health Plans"),
            expected_version=rec.version,
        )
    type_into(qtbot, screen, {"phone": "8005550116"})
    seen: list[str] = []

    def ok(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        seen.append(box.text())
        box.button(QMessageBox.StandardButton.Ok).click()

    when_modal(ok)
    click(qtbot, screen.save_button)
    assert seen and "Someone else changed this payer" in seen[0]
    assert edit(screen, "phone").text() == "(800) 555-0116"
    assert screen.is_dirty()
    click(qtbot, screen.revert_button)  # take the other person's version
    assert edit(screen, "name").text() == "Summit Health Plans"
    assert not screen.is_dirty()


def test_add_a_policy_note(qtbot: QtBot, screen: PayersScreen, store: Store) -> None:
    rec = add_payer(store, "Lakeshore Health")
    with store.session() as s:
        pay.add_note(s, Actor("seed"), rec.id, date(2025, 1, 1), "Older rule.")
    screen.reload_list()
    screen.open_payer(rec.id)
    assert screen.notes_model.rowCount() == 1
    assert edit(screen, "note_date").text() == "11/27/2026"  # today, ready to change

    type_into(
        qtbot,
        screen,
        {
            "note_date": "01/01/2027",
            "note_text": "Infliximab requires a non-hospital site.",
        },
    )
    click(qtbot, screen.add_note_button)
    assert not screen.boxes["note_date"].error.isVisible()
    assert screen.notes_model.rowCount() == 2
    model = screen.notes_model
    assert model.data(model.index(0, NoteColumns.EFFECTIVE)) == "01/01/2027 (upcoming)"
    assert (
        model.data(model.index(0, NoteColumns.TEXT)) == "Infliximab requires a non-hospital site."
    )
    assert model.data(model.index(0, NoteColumns.ADDED_BY)) == "desk.clerk"
    assert model.data(model.index(1, NoteColumns.EFFECTIVE)) == "01/01/2025"
    assert edit(screen, "note_text").text() == ""
    with store.session() as s:
        notes = pay.notes_for(s, rec.id)
    assert [(n.effective_on, n.text) for n in notes] == [
        (date(2027, 1, 1), "Infliximab requires a non-hospital site."),
        (date(2025, 1, 1), "Older rule."),
    ]


def test_policy_note_errors_stay_at_their_fields(
    qtbot: QtBot, screen: PayersScreen, store: Store
) -> None:
    rec = add_payer(store, "Lakeshore Health")
    screen.reload_list()
    screen.open_payer(rec.id)
    type_into(qtbot, screen, {"note_date": "02/30/2027", "note_text": "Step therapy first."})
    click(qtbot, screen.add_note_button)
    assert screen.boxes["note_date"].error.isVisible()
    assert "not a date" in screen.boxes["note_date"].message
    assert edit(screen, "note_date").text() == "02/30/2027"
    assert edit(screen, "note_text").text() == "Step therapy first."
    assert screen.notes_model.rowCount() == 0

    type_into(qtbot, screen, {"note_date": "03/01/2027", "note_text": ""})
    click(qtbot, screen.add_note_button)
    assert not screen.boxes["note_date"].error.isVisible()
    assert screen.boxes["note_text"].error.isVisible()
    with store.session() as s:
        assert pay.notes_for(s, rec.id) == []


def test_payer_notes_model_is_a_well_behaved_qt_model(
    qtmodeltester: ModelTester, screen: PayersScreen, store: Store
) -> None:
    rec = add_payer(store, "Lakeshore Health")
    with store.session() as s:
        pay.add_note(s, Actor("seed"), rec.id, date(2026, 3, 1), "A")
        pay.add_note(s, Actor("seed"), rec.id, date(2026, 6, 1), "B")
    screen.reload_list()
    screen.open_payer(rec.id)
    qtmodeltester.check(screen.notes_model)


# -- settings ---------------------------------------------------------------------------
@pytest.fixture
def settings_screen(qtbot: QtBot, backend: Backend) -> SettingsScreen:
    w = SettingsScreen(backend, today=lambda: TODAY)
    qtbot.addWidget(w)
    w.resize(900, 600)
    w.show()
    qtbot.waitExposed(w)
    return w


def test_settings_spin_box_saves(
    qtbot: QtBot, settings_screen: SettingsScreen, store: Store
) -> None:
    spin = settings_screen.days_spin
    assert spin.value() == 3  # the default
    assert (spin.minimum(), spin.maximum()) == (0, 60)
    spin.setValue(7)
    assert settings_screen.is_dirty()
    click(qtbot, settings_screen.save_button)
    assert "Saved" in settings_screen.status.text()
    assert not settings_screen.is_dirty()
    with store.session() as s:
        assert settings.get(s, DAYS_BEFORE_VISIT) == 7

    spin.setValue(0)  # the edge: on the day of the visit
    qtbot.keyClick(spin, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    with store.session() as s:
        assert settings.get(s, DAYS_BEFORE_VISIT) == 0

    fresh = SettingsScreen(settings_screen.backend)  # a new screen reads what was saved
    qtbot.addWidget(fresh)
    assert fresh.days_spin.value() == 0


def test_settings_unsaved_change_asks_before_leaving(
    qtbot: QtBot, settings_screen: SettingsScreen, store: Store
) -> None:
    settings_screen.days_spin.setValue(10)

    def discard(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        box.button(QMessageBox.StandardButton.Discard).click()

    when_modal(discard)
    assert settings_screen.can_leave()
    assert settings_screen.days_spin.value() == 3
    with store.session() as s:
        assert settings.get(s, DAYS_BEFORE_VISIT) == 3


def test_settings_spanish_contact_saves_and_the_screen_fits(
    qtbot: QtBot, settings_screen: SettingsScreen, store: Store, tmp_path: Path
) -> None:
    # issue 9: Spanish letters name the contact in Spanish ("financial counselor" leaked)
    edit = settings_screen.center_edits["center.contact_name_es"]
    edit.setText("Ana Ruiz, asesora financiera")
    click(qtbot, settings_screen.save_button)
    assert "Saved" in settings_screen.status.text()
    with store.session() as s:
        assert settings.get(s, "center.contact_name_es") == "Ana Ruiz, asesora financiera"
    settings_screen.resize(1366, 728)
    settings_screen.grab().save(str(tmp_path / "settings.png"))
    assert settings_screen.width() <= 1366 and settings_screen.height() <= 728
