"""Settings > Database (this workstation) and the lists that follow other workstations."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QInputDialog, QLineEdit, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from infudesk.domain.patients import PatientData
from infudesk.services import patients as ps
from infudesk.services.audit import Actor
from infudesk.store.database import Store
from infudesk.store.server import connection_file, read_connection
from infudesk.ui.common.change_watch import ChangeWatcher
from infudesk.ui.common.ops import Backend
from infudesk.ui.settings.settings_screen import SettingsScreen
from tests.qt_helpers import when_modal


def _screen(qtbot: QtBot, store: Store) -> SettingsScreen:
    w = SettingsScreen(Backend(store, Actor("manager")))
    qtbot.addWidget(w)
    w.resize(1366, 728)
    w.show()
    return w


def test_an_address_with_a_password_is_refused_and_nothing_written(
    qtbot: QtBot, store: Store
) -> None:
    w = _screen(qtbot, store)
    assert "Open now:" in w.db_status.text() and str(store.paths.db) in w.db_status.text()
    w.db_url.setText("postgresql://desk:hunter22@db.example.org/infudesk")
    seen: list[str] = []

    def password(box: QWidget) -> None:
        assert isinstance(box, QInputDialog)
        assert box.textEchoMode() == QLineEdit.EchoMode.Password
        when_modal(error)
        box.accept()

    def error(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        seen.append(box.text())
        box.accept()

    when_modal(password)
    w.use_server()
    assert seen and "contains a password" in seen[0] and "hunter22" not in seen[0]
    assert not connection_file(store.paths.root).exists()
    w.grab().save("/tmp/settings_database.png")


def test_use_the_local_database_clears_the_saved_address(qtbot: QtBot, store: Store) -> None:
    from infudesk.store.server import save_connection

    save_connection(store.paths.root, "postgresql://desk@db.example.org/infudesk", None)
    assert read_connection(store.paths.root) is not None
    w = _screen(qtbot, store)
    assert w.db_url.text() == "postgresql://desk@db.example.org:5432/infudesk"
    w.use_local()
    assert read_connection(store.paths.root) is None
    assert "local encrypted database" in w.db_status.text()


def test_a_list_reloads_when_another_workstation_saves(qtbot: QtBot, store: Store) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    host.show()
    reloads: list[int] = []
    watcher = ChangeWatcher(
        host, Backend(store, Actor("x")), lambda: reloads.append(1), interval_ms=30, enabled=True
    )
    watcher.mark()
    qtbot.wait(120)
    assert reloads == []  # nothing changed: no reload, however often it polls
    with store.session() as s:  # "another workstation" saves
        ps.create_patient(
            s,
            Actor("desk2"),
            PatientData(first_name="Una", last_name="Voss", birth_date=date(1970, 1, 2), sex="F"),
            today=date(2026, 11, 27),
        )
    qtbot.waitUntil(lambda: reloads == [1], timeout=2000)
    qtbot.wait(120)
    assert reloads == [1]  # once per change
    host.hide()
    qtbot.wait(80)
    assert not watcher.timer.isActive()


def test_the_watcher_is_off_on_the_local_database(qtbot: QtBot, store: Store) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    watcher = ChangeWatcher(host, Backend(store, Actor("x")), lambda: None)
    watcher.mark()
    assert not watcher.enabled and not watcher.timer.isActive()
