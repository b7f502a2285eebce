"""GUI wiring: the QApplication, the store (or a clear message why not), the main window."""

from __future__ import annotations

import logging
import os
import sys
import time
from datetime import date

from PySide6.QtGui import QFontDatabase, QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from infudesk import APP_NAME
from infudesk.demo.showcase import seed_demo
from infudesk.errors import UserError
from infudesk.paths import DataPaths
from infudesk.resources import resource
from infudesk.services import staff
from infudesk.services.audit import Actor
from infudesk.services.fees import ensure_sample as ensure_sample_fees
from infudesk.services.payers import ensure_starter_payers
from infudesk.store.database import Store, open_target
from infudesk.store.server import ServerTarget
from infudesk.ui.common.forms import APP_STYLE
from infudesk.ui.common.ops import Backend, wait_for_background
from infudesk.ui.main_window import MainWindow

log = logging.getLogger(__name__)


def open_for_gui(paths: DataPaths, demo: bool, target: ServerTarget | None = None) -> Store:
    """Open the store (local, or the shared server); the demo database is filled on first use."""
    store = open_target(paths, target, demo=demo)
    with store.session() as s:
        if demo:
            seed_demo(s, Actor.system("demo"), today=date.today())
        ensure_starter_payers(s, Actor.system("setup"), resource("payers.json"))
        ensure_sample_fees(s, Actor.system("setup"), resource("fee_schedule.csv"))
    return store


def first_page(store: Store) -> tuple[Actor, str]:
    """Who acts at start and the page shown: the demo signs in by itself as its manager;
    a real database asks for a sign-in, or for its first manager."""
    with store.session() as s:
        if store.demo:
            actor = staff.ensure_demo_staff(s)
            staff.record_session_event(s, actor, "sign_in")
            return actor, "work"
        nobody = Actor("nobody", kind="system", role="none")  # may do nothing until sign-in
        return nobody, "sign_in" if staff.has_staff(s) else "first_run"


def install_excepthook() -> None:
    """An error nobody caught becomes a calm dialog (details go to the log, not the screen)."""
    from infudesk.ui.common.ops import report

    def hook(kind: type[BaseException], exc: BaseException, tb: object) -> None:
        log.error("uncaught %s", kind.__name__, exc_info=(kind, exc, tb))  # type: ignore[arg-type]
        report(QApplication.activeWindow(), exc)

    sys.excepthook = hook


def register_fonts() -> None:
    """The bundled fonts join the system's, so names in any script show (e.g. CJK on a
    workstation without an East Asian font)."""
    for path in sorted(resource("fonts").glob("*.ttf")):
        if QFontDatabase.addApplicationFont(str(path)) < 0:
            log.warning("font %s could not be loaded", path.name)


def offer_recovery_sheet(window: MainWindow) -> None:
    """A new database has a new recovery key: offer its sheet once, at setup."""
    answer = QMessageBox.question(
        window,
        "Recovery sheet",
        "infudesk made a recovery key for this new database. Backups are encrypted with it, "
        "and it is what restores them on another computer.\n\nSave the recovery sheet now, "
        "print it and lock it away? (Later: Settings > Backups > Print recovery sheet.)",
    )
    if answer == QMessageBox.StandardButton.Yes:
        window.nav.setCurrentRow(window.stack.indexOf(window.settings))
        window.settings.print_recovery_sheet()


def show_open_error(title: str, message: str) -> None:
    box = QMessageBox(QMessageBox.Icon.Critical, title, message)
    box.setObjectName("openErrorBox")
    box.exec()
    print(f"infudesk: {message}", file=sys.stderr)


def run_gui(paths: DataPaths, *, demo: bool, target: ServerTarget | None = None) -> int:
    started = time.perf_counter()
    if os.name == "posix":  # PDFs, exports and backups the app writes are user-only
        os.umask(0o077)
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setStyleSheet(APP_STYLE)
    app.setWindowIcon(QIcon(str(resource("icons", "infudesk.svg"))))
    register_fonts()
    try:
        store = open_for_gui(paths, demo) if target is None else open_for_gui(paths, demo, target)
    except UserError as exc:
        show_open_error(exc.title, exc.message)
        return 1
    except Exception as exc:  # never exit silently: a calm dialog, details in the log
        log.error("opening the database failed", exc_info=exc)
        show_open_error(
            "Cannot open the database",
            f"infudesk could not open its database in {paths.root} ({type(exc).__name__}). "
            "Nothing has been changed. Details are in the log file in the data folder's "
            "'logs' directory; please report this to your administrator.",
        )
        return 3
    install_excepthook()
    try:
        actor, start = first_page(store)
        window = MainWindow(Backend(store, actor), start=start)
        window.show()
        log.info("main window shown after %.0f ms", (time.perf_counter() - started) * 1000)
        if store.created and not demo:
            offer_recovery_sheet(window)
        return app.exec()
    finally:
        wait_for_background()  # a worker still reading finishes before the database closes
        store.close()
