"""GUI wiring: the QApplication, the store (or a clear message why not), the main window.

What the first screen does not need loads later: each screen is made when first shown
(ui/main_window.SCREENS), the demo generator only for a demo database not filled yet, and
the page check of the database file runs on a worker thread once the window shows.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QFontDatabase, QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from infudesk import APP_NAME
from infudesk.errors import UserError
from infudesk.paths import DataPaths
from infudesk.resources import resource
from infudesk.services import staff
from infudesk.services.audit import Actor
from infudesk.store.database import Store, damaged_message, integrity_problem, open_target

if TYPE_CHECKING:
    from infudesk.store.server import ServerTarget
    from infudesk.ui.main_window import MainWindow

log = logging.getLogger(__name__)
DEMO_FIRST_MRN = "D0001"  # the showcase's first patient: there once the demo is filled
# modules the first screen does not need, imported on a worker thread after the window shows
# so that the first visit to another screen is quick
WARM_UP = (
    "infudesk.ui.verification.verifications_screen",
    "infudesk.ui.prior_auth.prior_auth_screen",
    "infudesk.ui.quote.quote_screen",
    "infudesk.ui.payers.payers_screen",
    "infudesk.ui.fees.fees_screen",
    "infudesk.ui.settings.settings_screen",
    "infudesk.ui.letters.batch_letters",
)


def _demo_filled(store: Store) -> bool:
    from sqlalchemy import select

    from infudesk.store.models import Patient

    with store.session() as s:
        return s.scalar(select(Patient.id).where(Patient.mrn == DEMO_FIRST_MRN)) is not None


def open_for_gui(
    paths: DataPaths,
    demo: bool,
    target: ServerTarget | None = None,
    *,
    check_pages: bool = True,
) -> Store:
    """Open the store (local, or the shared server); the demo database is filled on first use.

    ``check_pages=False``: the caller runs the page check later (``PageCheck``)."""
    store = open_target(paths, target, demo=demo, check_pages=check_pages)
    try:
        if demo and not _demo_filled(store):
            from infudesk.demo.showcase import seed_demo  # the generator: only to fill a demo

            with store.session() as s:
                seed_demo(s, Actor.system("demo"), today=date.today())
        _starter_tables(store)
    except BaseException:
        store.close()
        raise
    return store


def _starter_tables(store: Store) -> None:
    """A new database gets the starter payer directory and the sample fee schedule (the
    services that load them are imported only then)."""
    from sqlalchemy import select

    from infudesk.store.models import FeeScheduleRow, Payer

    with store.session() as s:
        no_payers = s.scalar(select(Payer.id).limit(1)) is None
        no_fees = s.scalar(select(FeeScheduleRow.id).limit(1)) is None
    if not (no_payers or no_fees):
        return
    from infudesk.services.fees import ensure_sample as ensure_sample_fees
    from infudesk.services.payers import ensure_starter_payers

    with store.session() as s:
        ensure_starter_payers(s, Actor.system("setup"), resource("payers.json"))
        ensure_sample_fees(s, Actor.system("setup"), resource("fee_schedule.csv"))


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


def install_excepthook(smoke: bool = False) -> None:
    """An error nobody caught becomes a calm dialog (details go to the log, not the screen);
    in a smoke run it ends the run with exit status 3 instead (never a box nobody answers)."""
    from infudesk.ui.common.ops import report

    def hook(kind: type[BaseException], exc: BaseException, tb: object) -> None:
        log.error("uncaught %s", kind.__name__, exc_info=(kind, exc, tb))  # type: ignore[arg-type]
        if smoke:
            print(f"infudesk: smoke: failed ({kind.__name__}); details in the log", file=sys.stderr)
            QApplication.exit(3)
            return
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
        window.nav.setCurrentRow(window.row_of("settings"))
        window.settings.print_recovery_sheet()


def show_open_error(title: str, message: str, *, smoke: bool = False) -> None:
    """The reason the database did not open: a dialog (not in a smoke run), and stderr."""
    if not smoke:
        box = QMessageBox(QMessageBox.Icon.Critical, title, message)
        box.setObjectName("openErrorBox")
        box.exec()
    print(f"infudesk: {message}", file=sys.stderr)


class PageCheck(QObject):
    """The database file's page check (store.database.integrity_problem: every page's HMAC,
    about 0.15-0.25 s at 100,000 patients) on a worker thread, after the window shows.

    Until it has passed the app works as usual; if it fails, the store refuses every write
    from then on (nothing the damage could spread to is written, and the automatic backup
    is skipped so that good backups are not pushed out) and the window says what to do.

    Signals:
        finished(str): the check ended; the problem found, or "" if every page is sound.
    """

    finished = Signal(str)

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.problem: str | None = None
        self.done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="page-check", daemon=True)

    def start(self) -> None:
        if self.store.target is not None:  # a server: no file of ours to check
            self.problem = ""
            self.done.set()
            self.finished.emit("")
            return
        self._thread.start()

    def _run(self) -> None:
        started = time.perf_counter()
        try:
            problem = integrity_problem(self.store.engine) or ""
        except Exception as exc:  # e.g. the file vanished: as good as damaged
            log.error("page check could not run: %s", type(exc).__name__)
            problem = f"the check could not run: {type(exc).__name__}"
        log.info("page check done in %.0f ms", (time.perf_counter() - started) * 1000)
        if problem:
            log.error("integrity check failed after start")
            self.store.refuse_writes(damaged_message(self.store.paths.db, problem))
        self.problem = problem
        self.done.set()
        self.finished.emit(problem)

    def wait(self, timeout: float | None = None) -> bool:
        return self.done.wait(timeout)

    def join(self, timeout: float) -> None:
        """Wait for a check that is running (one not started yet never will)."""
        if self._thread.is_alive():
            self._thread.join(timeout)


def _warm_up(names: tuple[str, ...]) -> threading.Thread:
    """Import the other screens' modules on a worker thread (the window is already up)."""
    import importlib

    def run() -> None:
        for name in names:
            try:
                importlib.import_module(name)
            except Exception as exc:  # a failure shows again, with its message, when used
                log.warning("warm-up import of %s failed: %s", name, type(exc).__name__)

    thread = threading.Thread(target=run, name="warm-up", daemon=True)
    thread.start()
    return thread


def run_gui(
    paths: DataPaths,
    *,
    demo: bool,
    target: ServerTarget | None = None,
    smoke: bool = False,
) -> int:
    """The app. ``smoke``: open, show the main window, wait for the page check, close and
    exit 0 (1 if the database cannot be opened or fails its check): never a modal box."""
    started = time.perf_counter()
    if os.name == "posix":  # PDFs, exports and backups the app writes are user-only
        os.umask(0o077)
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    from infudesk.ui.common.forms import app_style

    base_pt = app.font().pointSizeF()  # the system's font size (larger if the person chose so)
    app.setStyleSheet(app_style(base_pt if base_pt > 0 else 9.0))
    app.setWindowIcon(QIcon(str(resource("icons", "infudesk.svg"))))
    register_fonts()
    try:
        store = open_for_gui(paths, demo, target, check_pages=False)
    except UserError as exc:
        show_open_error(exc.title, exc.message, smoke=smoke)
        return 1
    except Exception as exc:  # never exit silently: a calm dialog, details in the log
        log.error("opening the database failed", exc_info=exc)
        show_open_error(
            "Cannot open the database",
            f"infudesk could not open its database in {paths.root} ({type(exc).__name__}). "
            "Nothing has been changed. Details are in the log file in the data folder's "
            "'logs' directory; please report this to your administrator.",
            smoke=smoke,
        )
        return 3
    install_excepthook(smoke)
    warm: threading.Thread | None = None
    check: PageCheck | None = None
    try:
        from infudesk.ui.common.ops import Backend
        from infudesk.ui.main_window import MainWindow

        actor, start = first_page(store)
        window = MainWindow(Backend(store, actor), start=start)
        window.show()
        shown_ms = (time.perf_counter() - started) * 1000
        log.info("main window shown after %.0f ms", shown_ms)
        check = PageCheck(store)
        # the window's own method: Qt queues it to the GUI thread (a plain function would run
        # on the checking thread)
        check.finished.connect(window.show_damaged)
        QTimer.singleShot(0, check.start)
        if smoke:
            return _smoke(app, window, check, shown_ms)
        if store.created and not demo:
            offer_recovery_sheet(window)

        def later() -> None:
            nonlocal warm
            warm = _warm_up(WARM_UP)

        QTimer.singleShot(300, later)
        return app.exec()
    finally:
        from infudesk.ui.common.ops import wait_for_background

        if warm is not None:
            warm.join(timeout=10)
        if check is not None:
            check.join(timeout=30)  # the page check reads the file: done before it closes
        wait_for_background()  # a worker still reading finishes before the database closes
        store.close()


def _smoke(app: QApplication, window: MainWindow, check: PageCheck, shown_ms: float) -> int:
    """Once the event loop runs: say when the window showed, wait for the page check, close."""
    status: list[int] = []

    def close() -> None:
        if not check.wait(timeout=0):
            QTimer.singleShot(20, close)
            return
        window.auto_backup = False
        status.append(1 if check.problem else 0)
        window.close()
        app.quit()

    def shown() -> None:
        print(f"shown {time.time():.6f} ({shown_ms:.0f} ms after the app started)", flush=True)
        close()

    QTimer.singleShot(0, shown)
    code = app.exec()
    if check.problem:
        print(
            f"infudesk: {damaged_message(window.backend.store.paths.db, check.problem)}",
            file=sys.stderr,
        )
    return code or (status[0] if status else 3)
