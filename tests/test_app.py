"""Starting the app: a clear dialog (never a traceback) when the database cannot be opened."""
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

from pathlib import Path

import keyring
import keyring.backends.fail
import pytest
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from infudesk.app import open_for_gui, run_gui
from infudesk.paths import DataPaths
from infudesk.services import patients as ps
from tests.qt_helpers import when_modal


def _capture_dialog(shots: list[str], save_to: Path | None = None) -> None:
    def answer(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        shots.append(box.text())
        if save_to is not None:
            box.grab().save(str(save_to))
        box.accept()

    when_modal(answer)


def test_no_keychain_shows_what_to_do(
    qapp: QApplication, paths: DataPaths, capsys: pytest.CaptureFixture[str]
) -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())
    shots: list[str] = []
    _capture_dialog(shots)
    assert run_gui(paths, demo=False) == 1
    assert shots and "keychain" in shots[0].lower() and "infudesk --demo" in shots[0]
    assert "Traceback" not in capsys.readouterr().err
    assert not paths.db.exists()


def test_second_copy_on_the_same_database_is_refused(qapp: QApplication, paths: DataPaths) -> None:
    first = open_for_gui(paths, demo=False)
    try:
        shots: list[str] = []
        _capture_dialog(shots)
        assert run_gui(paths, demo=False) == 1
        assert "already open" in shots[0] and str(paths.db) in shots[0]
    finally:
        first.close()


def test_demo_opens_with_the_showcase_patients(paths: DataPaths) -> None:
    store = open_for_gui(paths, demo=True)
    try:
        with store.session() as s:
            for mrn in ("D0001", "D0002", "D0003", "D0004", "D0005", "D0006"):
                assert ps.get_by_mrn(s, mrn).data.mrn == mrn
            assert ps.count(s, "", include_inactive=True) >= 200
    finally:
        store.close()
    again = open_for_gui(paths, demo=True)  # the second start adds nothing
    try:
        with again.session() as s:
            assert ps.count(s, "wang xiuying") == 1
    finally:
        again.close()
