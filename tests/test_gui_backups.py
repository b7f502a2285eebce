"""Settings > Backups, the backup on close, and a calm dialog for any start-up failure."""
# mypy: disable-error-code="union-attr"

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from infudesk import app as app_mod
from infudesk.app import run_gui
from infudesk.paths import DataPaths
from infudesk.services import settings
from infudesk.services.audit import Actor
from infudesk.store import keys
from infudesk.store.database import Store
from infudesk.ui.common.ops import Backend
from infudesk.ui.main_window import MainWindow
from infudesk.ui.settings.settings_screen import SettingsScreen
from tests.conftest import TODAY
from tests.qt_helpers import when_modal


@pytest.fixture
def screen(qtbot: QtBot, store: Store) -> SettingsScreen:
    w = SettingsScreen(Backend(store, Actor("manager")), today=lambda: TODAY)
    qtbot.addWidget(w)
    w.resize(1280, 720)
    w.show()
    return w


def test_backups_section_saves_folder_and_keep(
    qtbot: QtBot, screen: SettingsScreen, store: Store, tmp_path: Path
) -> None:
    screen.backup_folder.setText(str(tmp_path / "nas"))
    screen.keep_spin.setValue(30)
    assert screen.save()
    with store.session() as s:
        assert settings.get(s, "backup.folder") == str(tmp_path / "nas")
        assert settings.get(s, "backup.keep") == 30
    from PySide6.QtWidgets import QScrollArea

    area = screen.findChild(QScrollArea)
    area.verticalScrollBar().setValue(area.verticalScrollBar().maximum())
    screen.grab().save("/tmp/settings-backups.png")
    names = {b.objectName() for b in screen.findChildren(QPushButton)}
    assert {"backupNowButton", "restoreButton", "recoverySheetButton"} <= names


def test_print_recovery_sheet_writes_the_key(
    qtbot: QtBot, screen: SettingsScreen, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "sheet.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    screen.findChild(QPushButton, "recoverySheetButton").click()
    key = keys.recovery_key(keys.read_store_id(screen.backend.store.paths))
    assert key and key in PdfReader(io.BytesIO(out.read_bytes())).pages[0].extract_text()


def test_back_up_now(
    qtbot: QtBot, screen: SettingsScreen, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "now.idbk"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    screen.findChild(QPushButton, "backupNowButton").click()
    assert out.exists() and "Backed up" in screen.status.text()


def test_closing_the_main_window_backs_up_once_a_day(qtbot: QtBot, store: Store) -> None:
    for _ in range(2):
        w = MainWindow(Backend(store, Actor("desk.clerk")), today=lambda: TODAY)
        qtbot.addWidget(w)
        w.show()
        w.close()
    made = list((store.paths.backups / "automatic").glob("infudesk-auto-*.idbk"))
    assert len(made) == 1


def test_any_start_up_failure_shows_a_dialog(
    qapp: QApplication,
    paths: DataPaths,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    allow_warnings: None,
) -> None:
    def broken(*_args: object, **_kw: object) -> Store:
        raise RuntimeError("boom")

    monkeypatch.setattr(app_mod, "open_for_gui", broken)
    shots: list[str] = []

    def answer(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        shots.append(box.text())
        box.accept()

    when_modal(answer)
    assert run_gui(paths, demo=False) == 3
    assert shots and "could not open its database" in shots[0] and "RuntimeError" in shots[0]
    assert "Traceback" not in capsys.readouterr().err


def test_a_new_database_offers_its_recovery_sheet_once(
    qtbot: QtBot, paths: DataPaths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from infudesk.app import offer_recovery_sheet
    from infudesk.store.database import open_store

    st = open_store(paths)
    assert st.created
    st.close()
    st = open_store(paths)
    assert not st.created
    try:
        w = MainWindow(Backend(st, Actor("manager")), today=lambda: TODAY)
        qtbot.addWidget(w)
        w.show()
        out = tmp_path / "sheet.pdf"
        monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))

        def yes(box: QWidget) -> None:
            assert isinstance(box, QMessageBox) and "recovery key" in box.text()
            box.button(QMessageBox.StandardButton.Yes).click()

        when_modal(yes)
        offer_recovery_sheet(w)
        assert out.exists() and w.stack.currentWidget() is w.settings
        w.skip_close_checks = True  # type: ignore[attr-defined]
    finally:
        st.close()


def test_restore_from_settings_replaces_the_database_and_closes(
    qtbot: QtBot, paths: DataPaths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QInputDialog

    from infudesk.services import backup as bk
    from infudesk.store.database import open_store

    st = open_store(paths)
    out = tmp_path / "b.idbk"
    bk.make_backup(st, out)
    with st.session() as s:
        settings.put(s, Actor("mgr"), "center.name", "Changed after the backup")
    key = keys.recovery_key(keys.read_store_id(paths))
    w = MainWindow(Backend(st, Actor("manager")), today=lambda: TODAY)
    qtbot.addWidget(w)
    w.show()
    quits: list[bool] = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(out), ""))
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: (key, True))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: None)
    monkeypatch.setattr(QApplication, "quit", lambda *a: quits.append(True))
    w.settings.restore_from_backup()
    assert quits and w.skip_close_checks  # type: ignore[attr-defined]
    st2 = open_store(paths)
    try:
        with st2.session() as s:
            assert settings.get(s, "center.name") != "Changed after the backup"
    finally:
        st2.close()
    assert list(paths.backups.glob("*before-restore.db"))
