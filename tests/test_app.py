"""Starting the app: a clear dialog (never a traceback) when the database cannot be opened."""
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

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


# --- whole-process starts (subprocess): what a real start imports, and --smoke --------------

REPO = Path(__file__).resolve().parent.parent
# A keychain in a file for the child processes (allowed only there): the real start path,
# with the key kept across processes.
CHILD = """
import json, sys
from pathlib import Path
import keyring
from keyring.backend import KeyringBackend
from infudesk.store import keys

class FileKeyring(KeyringBackend):
    priority = 1
    path = Path(sys.argv[1])
    def _all(self):
        return json.loads(self.path.read_text()) if self.path.exists() else {}
    def get_password(self, service, username):
        return self._all().get(f"{service}/{username}")
    def set_password(self, service, username, password):
        d = self._all(); d[f"{service}/{username}"] = password
        self.path.write_text(json.dumps(d))
    def delete_password(self, service, username):
        pass

keys.ALLOWED_BACKENDS = keys.ALLOWED_BACKENDS | {"__main__.FileKeyring"}
keyring.set_keyring(FileKeyring())
# what is imported when the main window shows (it shows before the database layer loads)
from infudesk.ui import main_window
DATABASE_LAYER = ("sqlalchemy", "sqlcipher3", "argon2", "holidays", "infudesk.store.models",
                  "infudesk.store.database", "infudesk.services.staff", "infudesk.services.audit")
at_show = []
plain_show = main_window.MainWindow.show
def show(self):
    at_show.extend(sorted(m for m in sys.modules if m.startswith(DATABASE_LAYER)))
    plain_show(self)
main_window.MainWindow.show = show
from infudesk.cli import main
code = main(sys.argv[2:])
# screens not shown are not imported (each is made, and its module imported, when first shown)
OTHER_SCREENS = tuple(f"infudesk.ui.{f}." for f in (
    "patients", "quote", "verification", "prior_auth", "payers", "fees", "settings", "letters"))
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("reportlab", "alembic")
                or m.startswith(("infudesk.demo", *OTHER_SCREENS)))
print("loaded", json.dumps(loaded))
print("at_show", json.dumps(at_show))
import gc
print("frozen", gc.get_freeze_count())  # app.settle_heap ran once the first page was made
sys.exit(code)
"""


def run_child(tmp_path: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "INFUDESK_NEW_PASSWORD": "correct horse"}
    env.pop("INFUDESK_DATA_DIR", None)
    return subprocess.run(
        [sys.executable, "-c", CHILD, str(tmp_path / "keychain.json"), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        cwd=REPO,
        check=False,
    )


def loaded_modules(res: subprocess.CompletedProcess[str], what: str = "loaded") -> list[str]:
    """``loaded``: reportlab, Alembic, the demo generator and the screens not shown, imported
    by the end of the run; ``at_show``: the database layer imported when the window showed."""
    line = next(x for x in res.stdout.splitlines() if x.startswith(f"{what} "))
    return list(json.loads(line.removeprefix(f"{what} ")))


def test_real_start_imports_no_demo_reportlab_or_alembic(tmp_path: Path) -> None:
    data = str(tmp_path / "real")
    made = run_child(
        tmp_path, "staff", "add", "boss", "--name", "Boss", "--role", "manager", "--data-dir", data
    )
    assert made.returncode == 0, made.stderr
    res = run_child(tmp_path, "--smoke", "--data-dir", data)
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    shown = next(i for i, line in enumerate(lines) if line.startswith("shown "))
    ready = next(i for i, line in enumerate(lines) if line.startswith("ready "))
    assert shown < ready  # the window shows first, then the store opens (on a worker)
    assert loaded_modules(res) == []
    assert loaded_modules(res, "at_show") == []


def test_smoke_exits_non_zero_without_a_box_when_the_database_cannot_open(
    tmp_path: Path,
) -> None:
    data = tmp_path / "real"
    made = run_child(
        tmp_path,
        "staff",
        "add",
        "boss",
        "--name",
        "Boss",
        "--role",
        "manager",
        "--data-dir",
        str(data),
    )
    assert made.returncode == 0, made.stderr
    (tmp_path / "keychain.json").write_text("{}")  # the key is gone from the keychain
    res = run_child(tmp_path, "--smoke", "--data-dir", str(data), timeout=60)
    assert res.returncode == 1
    assert "not in this computer's keychain" in res.stderr
    assert "Traceback" not in res.stderr


def test_smoke_on_a_demo_and_a_demo_folder_without_demo(tmp_path: Path) -> None:
    demo = tmp_path / "demo"
    res = run_child(tmp_path, "--smoke", "--demo", "--data-dir", str(demo), timeout=300)
    assert res.returncode == 0, res.stderr
    assert "infudesk.demo.showcase" in loaded_modules(res)  # filled on first use
    again = run_child(tmp_path, "--smoke", "--demo", "--data-dir", str(demo))
    assert again.returncode == 0, again.stderr
    assert loaded_modules(again) == []  # a filled demo starts without the generator
    assert loaded_modules(again, "at_show") == []  # nor the database layer before it shows
    frozen = next(x for x in again.stdout.splitlines() if x.startswith("frozen "))
    assert int(frozen.split()[1]) > 10_000  # the heap was settled (gc.freeze) after the start
    wrong = run_child(tmp_path, "--smoke", "--data-dir", str(demo), timeout=60)
    assert wrong.returncode == 1
    assert "is a demo folder (fictional patients): add --demo" in wrong.stderr


def test_a_page_check_that_fails_after_the_window_shows_stops_writes(  # type: ignore[no-untyped-def]
    qtbot, paths: DataPaths, monkeypatch: pytest.MonkeyPatch, allow_warnings: None
) -> None:
    import infudesk.app as app_mod
    from infudesk.errors import DatabaseOpenError
    from infudesk.services import settings as st
    from infudesk.services.audit import Actor
    from infudesk.ui.common.ops import Backend
    from infudesk.ui.main_window import MainWindow

    store = open_for_gui(paths, demo=True, check_pages=False)
    try:
        monkeypatch.setattr(
            app_mod, "integrity_problem", lambda _engine: "page 7: hmac check failed"
        )
        window = MainWindow(Backend(store, Actor.system("demo")))
        qtbot.addWidget(window)
        window.show()
        check = app_mod.PageCheck(store)
        check.finished.connect(window.show_damaged)
        with qtbot.wait_signal(check.finished, timeout=10_000):
            check.start()
        assert check.problem == "page 7: hmac check failed"
        assert store.writes_refused is not None and "damaged" in store.writes_refused
        assert window.damaged_banner is not None and window.damaged_banner.isVisible()
        with pytest.raises(DatabaseOpenError, match="damaged"), store.session() as s:
            st.put(s, Actor.system("demo"), "security.idle_minutes", 5)
        with store.session() as s:  # reading goes on
            assert ps.count(s, "", include_inactive=True) >= 200
        window.auto_backup = False
        for box in window.findChildren(QMessageBox):
            box.close()
    finally:
        store.close()


def test_the_window_shows_opening_then_the_first_page_once_the_store_is_attached(
    qtbot: QtBot, paths: DataPaths
) -> None:
    from infudesk.app import first_page
    from infudesk.ui.common.ops import Backend
    from infudesk.ui.main_window import MainWindow

    window = MainWindow(None, demo=True, where=str(paths.db))
    qtbot.addWidget(window)
    window.show()
    assert window.pages.currentWidget() is window.opening_page
    assert "Opening the database" in window.opening_page.text()
    assert not window.menuBar().isEnabled()
    assert window.findChild(QWidget, "demoBanner") is not None
    window.find_patient()  # Ctrl+F while opening: nothing to search yet, nothing breaks
    window.lock()
    assert not window.locked
    window.grab().save("/tmp/opening.png")
    store = open_for_gui(paths, demo=True, check_pages=False)
    try:
        actor, start = first_page(store)
        window.attach(Backend(store, actor), start=start)
        assert window.pages.currentWidget() is window.content
        assert window.menuBar().isEnabled()
        assert window.stack.currentWidget() is window.worklist
        assert "signed in as" in window.user_label.text().lower()
        with qtbot.wait_signal(window.worklist.loaded, timeout=60_000):
            pass
        window.auto_backup = False
        window.close()
    finally:
        from infudesk.ui.common.ops import wait_for_background

        wait_for_background()
        store.close()
