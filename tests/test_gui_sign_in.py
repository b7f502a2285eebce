"""Sign in, work, be locked by idleness, sign back in: the real main window, by keyboard."""
# mypy: disable-error-code="no-untyped-call,union-attr"

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialog,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select

from infudesk.app import first_page
from infudesk.domain.patients import PatientData
from infudesk.paths import DataPaths
from infudesk.services import patients as ps
from infudesk.services import staff
from infudesk.services.access import Role
from infudesk.services.audit import Actor
from infudesk.store.database import Store, open_store
from infudesk.store.models import AuditEvent
from infudesk.ui.common.ops import Backend
from infudesk.ui.main_window import MainWindow
from infudesk.ui.staff.sign_in import SignInForm
from tests.conftest import TODAY
from tests.qt_helpers import when_modal

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

PASSWORD = "correct horse battery"
SECRETS = ("Quintanilla", "Zelda", "Zeldina", "3125550142", "1961-02-03")
NOBODY = Actor("nobody", kind="system", role="none")


@pytest.fixture
def people(store: Store) -> ps.PatientRecord:
    with store.session() as s:
        boss = staff.create_first_manager(s, "maria", "Maria Lopez", PASSWORD).actor()
        staff.create_staff(s, boss, "anna", "Anna Park", Role.FRONT_DESK, PASSWORD)
        return ps.create_patient(
            s,
            boss,
            PatientData(
                first_name="Zelda",
                last_name="Quintanilla",
                birth_date=date(1961, 2, 3),
                sex="F",
                phone_mobile="3125550142",
            ),
            today=TODAY,
            allow_look_alike=True,
        )


@pytest.fixture
def window(qtbot: QtBot, store: Store, people: ps.PatientRecord) -> Iterator[MainWindow]:
    w = MainWindow(Backend(store, NOBODY), today=lambda: TODAY, start="sign_in")
    qtbot.addWidget(w)
    # pytest-qt closes the window before this fixture ends: closing must not ask about the
    # test's unsaved edit (a question box would wait for ever)
    setattr(w, "skip_close_checks", True)  # noqa: B010
    w.resize(1366, 728)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.discard_unsaved()


def visible_texts() -> list[str]:
    """Every text a person (or a screen reader) could get from a visible widget."""
    out: list[str] = []
    for w in QApplication.allWidgets():
        if not w.isVisible():
            continue
        out += [w.accessibleName(), w.accessibleDescription(), w.toolTip()]
        if w.isWindow():
            out.append(w.windowTitle())
        if isinstance(w, QLabel | QLineEdit | QAbstractButton):
            out.append(w.text())
        if isinstance(w, QPlainTextEdit):
            out.append(w.toPlainText())
        if isinstance(w, QComboBox):
            out.append(w.currentText())
        if isinstance(w, QGroupBox):
            out.append(w.title())
        if isinstance(w, QAbstractItemView) and w.model() is not None:
            m = w.model()
            root = QModelIndex()
            for r in range(min(m.rowCount(root), 200)):
                try:
                    columns = m.columnCount(root)
                except TypeError:  # a list model (its columnCount is private)
                    columns = 1
                for c in range(columns):
                    out.append(str(m.data(m.index(r, c)) or ""))
    return out


def assert_nothing_secret_visible() -> None:
    text = "\n".join(visible_texts())
    for secret in SECRETS:
        assert secret not in text, secret


def sign_in_by_keyboard(qtbot: QtBot, form: SignInForm, username: str, password: str) -> None:
    # the page gives the username box the focus (after any question box has closed); the
    # offscreen platform activates a window only when asked (a desktop does it on show)
    form.window().activateWindow()
    qtbot.wait(50)
    if QApplication.focusWidget() is not form.username:  # a window activated late (offscreen)
        form.username.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is form.username, timeout=3000)
    qtbot.keyClicks(form.username, username)
    qtbot.keyClick(form.username, Qt.Key.Key_Return)  # on to the password
    assert QApplication.focusWidget() is form.password
    qtbot.keyClicks(form.password, password)
    qtbot.keyClick(form.password, Qt.Key.Key_Return)  # signs in


def test_sign_in_work_idle_lock_and_back_with_the_edit_intact(
    qtbot: QtBot, window: MainWindow, store: Store, people: ps.PatientRecord, tmp_path: Path
) -> None:
    # before anyone signs in: the sign-in page, focus on the username, nobody acting
    assert window.pages.currentWidget() is window.lock_page
    assert window.backend.actor.role == "none"
    assert_nothing_secret_visible()
    sign_in_by_keyboard(qtbot, window.sign_in, "maria", PASSWORD)
    assert window.pages.currentWidget() is window.content
    assert window.backend.actor.name == "maria"
    assert window.user_label.text() == "Signed in as Maria Lopez (Manager)"

    # work: open the patient and change the first name without saving
    window.show_patient(people.id)
    page = window.patients.page
    edit = page.widgets["first_name"]
    assert isinstance(edit, QLineEdit)
    edit.setFocus()
    edit.setText("Zeldina")
    assert page.is_dirty()
    assert any("Quintanilla" in t for t in visible_texts())  # the check can see names

    # idle: nobody touches anything for the (shortened) time
    window.idle.set_interval_ms(150)
    window.idle.start()
    with qtbot.waitSignal(window.locked_changed, timeout=3000) as locked:
        pass
    assert locked.args == [True]
    assert window.locked and window.pages.currentWidget() is window.lock_page
    assert_nothing_secret_visible()
    shot = tmp_path / "locked.png"
    assert window.grab().save(str(shot))
    assert shot.stat().st_size > 0
    assert QApplication.focusWidget() is window.sign_in.username
    assert "Maria Lopez was signed in" in window.sign_in.note.text()
    # while locked the window's actor may do nothing
    assert window.backend.actor.role == "none"

    # the same user signs back in: the edit is there, unsaved, with the focus where it was
    sign_in_by_keyboard(qtbot, window.sign_in, "maria", PASSWORD)
    assert not window.locked
    assert window.patients.stack.currentWidget() is page
    assert edit.text() == "Zeldina" and page.is_dirty()
    assert QApplication.focusWidget() is edit
    with store.session() as s:
        assert ps.get_patient(s, people.id).data.first_name == "Zelda"  # nothing saved
        actions = list(
            s.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.actor == "maria", AuditEvent.entity == "staff")
                .order_by(AuditEvent.id)
            )
        )
    assert actions == ["create", "sign_in", "idle_lock", "sign_in"]  # create: Anna's account


def test_another_user_is_asked_before_the_edit_is_discarded(
    qtbot: QtBot, window: MainWindow, store: Store, people: ps.PatientRecord
) -> None:
    sign_in_by_keyboard(qtbot, window.sign_in, "maria", PASSWORD)
    window.show_patient(people.id)
    edit = window.patients.page.widgets["first_name"]
    assert isinstance(edit, QLineEdit)
    edit.setText("Zeldina")
    # Lock now (Ctrl+L): the offscreen platform delivers shortcuts only to an active window
    assert window.lock_action.shortcut().toString() == "Ctrl+L"
    window.lock_action.trigger()
    assert window.locked

    # Anna signs in; Maria's unsaved change: Anna cancels, so it stays for Maria
    asked: list[str] = []

    def cancel(box: QWidget) -> None:
        assert isinstance(box, QMessageBox) and box.objectName() == "discardOthersBox"
        asked.append(box.text())
        box.button(QMessageBox.StandardButton.Cancel).click()

    when_modal(cancel)
    sign_in_by_keyboard(qtbot, window.sign_in, "anna", PASSWORD)
    assert asked and "Maria Lopez left changes that are not saved" in asked[0]
    assert "Zelda" not in asked[0] and "Quintanilla" not in asked[0]
    assert window.locked and window.backend.actor.role == "none"
    assert "Maria Lopez can sign in to finish them" in window.sign_in.note.text()
    assert_nothing_secret_visible()

    # Anna again, and discards: the form closes without saving; Anna works as front desk
    when_modal(lambda box: box.button(QMessageBox.StandardButton.Discard).click())  # type: ignore[attr-defined]
    sign_in_by_keyboard(qtbot, window.sign_in, "anna", PASSWORD)
    assert not window.locked
    assert window.backend.actor.name == "anna"
    assert window.patients.stack.currentWidget() is window.patients.list_page
    with store.session() as s:
        assert ps.get_patient(s, people.id).data.first_name == "Zelda"
    hidden = {
        window.nav.item(i).text()
        for i in range(window.nav.count())
        if window.nav.item(i).isHidden()
    }
    assert hidden == {"Fee schedule", "Settings", "Staff", "Audit log"}
    assert window.user_label.text() == "Signed in as Anna Park (Front desk)"


def test_an_open_dialog_is_veiled_and_keeps_what_was_typed(
    qtbot: QtBot, window: MainWindow, store: Store
) -> None:
    sign_in_by_keyboard(qtbot, window.sign_in, "maria", PASSWORD)
    dialog = QDialog(window)
    dialog.setWindowTitle("Coverage — Quintanilla, Zelda")
    note = QLineEdit("Zelda called about her card", dialog)
    QVBoxLayout(dialog).addWidget(note)
    seen: dict[str, object] = {}

    def while_open() -> None:
        window.lock("lock")
        seen["locked_texts"] = "\n".join(visible_texts())
        assert window.lock_dialog is not None  # the form in front of the modal dialog
        form = window.lock_dialog.findChild(SignInForm)
        assert form is not None
        seen["focus"] = QApplication.focusWidget() is form.username
        form.username.setText("maria")
        form.password.setText(PASSWORD)
        form.submit()
        seen["after"] = (note.text(), note.isVisible(), dialog.windowTitle(), window.locked)
        dialog.accept()

    QTimer.singleShot(0, while_open)
    assert dialog.exec() == QDialog.DialogCode.Accepted  # the lock did not end the dialog
    locked_texts = str(seen["locked_texts"])
    assert "Zelda" not in locked_texts and "Quintanilla" not in locked_texts
    assert "infudesk — locked" in locked_texts
    assert seen["after"] == (
        "Zelda called about her card",
        True,
        "Coverage — Quintanilla, Zelda",
        False,
    )


def test_the_discarded_dialog_of_someone_else_closes_unsaved(
    qtbot: QtBot, window: MainWindow
) -> None:
    sign_in_by_keyboard(qtbot, window.sign_in, "maria", PASSWORD)
    dialog = QDialog(window)
    QVBoxLayout(dialog).addWidget(QLineEdit("half-typed", dialog))

    def while_open() -> None:
        window.lock("lock")
        assert window.lock_dialog is not None
        form = window.lock_dialog.findChild(SignInForm)
        assert form is not None
        when_modal(lambda box: box.button(QMessageBox.StandardButton.Discard).click())  # type: ignore[attr-defined]
        form.username.setText("anna")
        form.password.setText(PASSWORD)
        form.submit()

    QTimer.singleShot(0, while_open)
    assert dialog.exec() == QDialog.DialogCode.Rejected
    assert not window.locked and window.backend.actor.name == "anna"
    assert window.lock_dialog is None


def test_wrong_passwords_on_the_screen_make_the_button_wait(
    qtbot: QtBot, window: MainWindow
) -> None:
    form = window.sign_in
    for _ in range(3):
        form.username.setText("anna")
        form.password.setText("not it at all")
        form.submit()
    assert form.error.isVisible() and "wait 2 seconds" in form.error.text()
    assert not form.button.isEnabled() and "wait" in form.button.text()
    assert window.locked
    qtbot.waitUntil(form.button.isEnabled, timeout=4000)
    assert form.button.text() == "Sign in"


def test_first_run_creates_the_manager_by_keyboard(qtbot: QtBot, store: Store) -> None:
    actor, start = first_page(store)
    assert start == "first_run" and actor.role == "none"
    w = MainWindow(Backend(store, actor), today=lambda: TODAY, start=start)
    qtbot.addWidget(w)
    w.resize(1366, 728)
    w.show()
    qtbot.waitExposed(w)
    form = w.first_run
    qtbot.waitUntil(lambda: QApplication.focusWidget() is form.username, timeout=3000)
    for edit, text in (
        (form.username, "maria"),
        (form.display_name, "Maria Lopez"),
        (form.password, PASSWORD),
        (form.repeat, "typo" + PASSWORD),
    ):
        assert QApplication.focusWidget() is edit
        qtbot.keyClicks(edit, text)
        qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert "differ" in form.error.text()
    assert QApplication.focusWidget() is form.repeat
    qtbot.keyClicks(form.repeat, PASSWORD)
    qtbot.keyClick(form.repeat, Qt.Key.Key_Return)
    assert not w.locked and w.backend.actor.name == "maria"
    assert w.backend.actor.role == "manager"
    assert first_page(store)[1] == "sign_in"


def test_the_demo_signs_in_by_itself_and_says_so(qtbot: QtBot, data_dir: Path) -> None:
    demo = open_store(DataPaths(data_dir / "demo"), demo=True)
    try:
        actor, start = first_page(demo)
        assert start == "work" and actor.name == "demo" and actor.role == "manager"
        w = MainWindow(Backend(demo, actor), today=lambda: TODAY, start=start)
        qtbot.addWidget(w)
        w.show()
        assert not w.locked
        assert w.user_label.text() == "Demo — signed in as Demo User (Manager)"
        w.lock("lock")
        assert staff.DEMO_PASSWORD in w.sign_in.hint.text()
        w.sign_in.username.setText("frontdesk")
        w.sign_in.password.setText(staff.DEMO_PASSWORD)
        w.sign_in.submit()
        assert w.user_label.text() == "Demo — signed in as Demo Front Desk (Front desk)"
        w.close()
    finally:
        demo.close()


def test_audit_screen_filters_and_exports(
    qtbot: QtBot, window: MainWindow, people: ps.PatientRecord, store: Store, tmp_path: Path
) -> None:
    sign_in_by_keyboard(qtbot, window.sign_in, "maria", PASSWORD)
    window.nav.setCurrentRow(window.stack.indexOf(window.audit))
    screen = window.audit
    assert screen.isVisible() and screen.table.rowCount() > 0
    screen.mrn.setText(people.data.mrn)
    screen.refresh()
    assert screen.table.rowCount() == 1
    assert screen.table.item(0, 2).text() == "create"
    assert screen.table.item(0, 1).text() == "maria"
    out = tmp_path / "audit.csv"
    assert screen.export_to(out)
    text = out.read_text(encoding="utf-8")
    assert people.data.mrn in text and "Quintanilla" not in text
    assert len(text.strip().splitlines()) == 2
    window.resize(1366, 728)
    assert window.grab().save(str(tmp_path / "audit.png"))
