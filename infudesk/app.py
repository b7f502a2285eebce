"""GUI wiring: the QApplication, the main window, the store (or a clear message why not).

The main window shows first, saying the database is opening: nothing of the database layer
(SQLAlchemy, the models, the services) is imported before it shows. The store is opened on a
worker thread meanwhile (key from the keychain, SQLCipher, schema check, the demo filled on
first use, who acts), with the first screen's modules; then the window gets its backend and
the first page. Each other screen is made when first shown (ui/main_window.SCREENS), and the
page check of the database file runs on a worker thread once the store is open.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QFontDatabase, QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from infudesk import APP_NAME
from infudesk.errors import UserError
from infudesk.heap import settle_heap
from infudesk.paths import DataPaths
from infudesk.resources import resource
from infudesk.services.actor import Actor

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from infudesk.store.database import Store
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
    from infudesk.store.database import open_target

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
    from infudesk.services import staff

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


def integrity_problem(engine: Engine) -> str | None:
    """store.database.integrity_problem (imported when a check runs, not at start)."""
    from infudesk.store.database import integrity_problem as problem

    return problem(engine)


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
        from infudesk.store.database import damaged_message

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


class StoreOpener(QObject):
    """Opens the store on a worker thread while the main window shows: the key from the
    keychain, SQLCipher, the schema check, the demo filled on first use, who acts
    (``first_page``), and then the modules of the first screen (imported, not made: widgets
    are made on the GUI thread). ``on_done`` is called on the GUI thread when it ended;
    ``store``/``actor``/``start`` or ``error`` say how.
    """

    _ended = Signal()

    def __init__(
        self,
        paths: DataPaths,
        demo: bool,
        resolve: Callable[[], ServerTarget | None],
        modules: tuple[str, ...],
        on_done: Callable[[], None],
    ) -> None:
        super().__init__()
        self.paths, self.demo, self.resolve, self.modules = paths, demo, resolve, modules
        self.store: Store | None = None
        self.actor: Actor | None = None
        self.start_page = "work"
        self.error: BaseException | None = None
        self._on_done = on_done
        self._thread = threading.Thread(target=self._run, name="open-store", daemon=True)
        # this object's own method: Qt queues the call to the GUI thread this object lives in
        self._ended.connect(self._done)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        import importlib

        try:
            store = open_for_gui(self.paths, self.demo, self.resolve(), check_pages=False)
            try:
                self.actor, self.start_page = first_page(store)
            except BaseException:
                store.close()
                raise
            self.store = store
        except BaseException as exc:  # shown by the GUI thread (a dialog and the exit status)
            self.error = exc
        else:
            for name in self.modules:
                try:
                    importlib.import_module(name)
                except Exception as exc:  # shows again, with its message, when the screen is made
                    log.warning("early import of %s failed: %s", name, type(exc).__name__)
        finally:
            self._ended.emit()  # whatever happened: the window never waits for ever

    def _done(self) -> None:
        self._on_done()

    def join(self, timeout: float) -> None:
        if self._thread.is_alive():
            self._thread.join(timeout)


def run_gui(
    paths: DataPaths,
    *,
    demo: bool,
    target: ServerTarget | None = None,
    resolve: Callable[[], ServerTarget | None] | None = None,
    smoke: bool = False,
) -> int:
    """The app. ``resolve``: reads the shared server's address (``target``) on the worker
    that opens the store (a bad address is shown as the reason the database did not open). ``smoke``: open, show the main window, wait for the store and its page check,
    close and exit 0 (1 if the database cannot be opened or fails its check): never a modal
    box. A smoke run prints "shown <epoch>" when the window has shown and the event loop ran
    once, and "ready <epoch>" when the store is open and the first page made."""
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
    install_excepthook(smoke)
    from infudesk.ui.main_window import SCREENS, MainWindow

    window = MainWindow(None, demo=demo, where=str(paths.db))
    window.show()
    shown_ms = (time.perf_counter() - started) * 1000
    log.info("main window shown after %.0f ms", shown_ms)
    warm: threading.Thread | None = None
    check: PageCheck | None = None
    status: list[int] = []  # a smoke run's exit status, once known

    def smoke_close() -> None:
        """(smoke) Once the store is open and its pages checked: close the window, quit."""
        if check is None or not check.wait(timeout=0):
            QTimer.singleShot(20, smoke_close)
            return
        window.auto_backup = False
        status.append(1 if check.problem else 0)
        window.close()
        app.quit()

    def opened() -> None:
        nonlocal check
        if opener.error is not None or opener.store is None or opener.actor is None:
            window.auto_backup = False
            code = _open_failed(opener.error, paths, smoke)
            window.show_opening_failed("The database could not be opened.")
            window.hide()
            status.append(code)
            app.exit(code)
            return
        from infudesk.ui.common.ops import Backend

        store = opener.store
        window.attach(Backend(store, opener.actor), start=opener.start_page)
        ready_ms = (time.perf_counter() - started) * 1000
        log.info("database open and first page made after %.0f ms", ready_ms)
        if smoke:
            print(f"ready {time.time():.6f} ({ready_ms:.0f} ms after the app started)", flush=True)
        check = PageCheck(store)
        # the window's own method: Qt queues it to the GUI thread (a plain function would run
        # on the checking thread)
        check.finished.connect(window.show_damaged)
        QTimer.singleShot(0, check.start)
        QTimer.singleShot(0, settle_heap)  # (after the first page has painted)
        if smoke:
            smoke_close()
            return
        if store.created and not demo:
            offer_recovery_sheet(window)

        def settle_when_warm() -> None:
            if warm is not None and warm.is_alive():
                QTimer.singleShot(200, settle_when_warm)
            else:
                settle_heap()

        def later() -> None:
            nonlocal warm
            warm = _warm_up(WARM_UP)
            QTimer.singleShot(200, settle_when_warm)

        QTimer.singleShot(300, later)

    modules = tuple(m for m in (SCREENS[0].module,) if m)
    opener = StoreOpener(paths, demo, resolve or (lambda: target), modules, opened)
    opener.start()
    if smoke:

        def shown() -> None:
            print(f"shown {time.time():.6f} ({shown_ms:.0f} ms after the app started)", flush=True)

        QTimer.singleShot(0, shown)
    try:
        code = app.exec()
    finally:
        from infudesk.ui.common.ops import wait_for_background

        opener.join(timeout=300)  # a demo being filled, or a slow server: let it end
        if warm is not None:
            warm.join(timeout=10)
        if check is not None:
            check.join(timeout=30)  # the page check reads the file: done before it closes
        wait_for_background()  # a worker still reading finishes before the database closes
        if opener.store is not None:
            opener.store.close()
    if smoke:
        if check is not None and check.problem:
            from infudesk.store.database import damaged_message

            print(f"infudesk: {damaged_message(paths.db, check.problem)}", file=sys.stderr)
        return code or (status[0] if status else 3)
    return status[0] if status and status[0] else code


def _open_failed(exc: BaseException | None, paths: DataPaths, smoke: bool) -> int:
    """Why the database did not open, in a dialog (not in a smoke run) and on stderr; the
    exit status (1: a reason the user can act on, 3: anything else, details in the log)."""
    if isinstance(exc, UserError):
        show_open_error(exc.title, exc.message, smoke=smoke)
        return 1
    log.error("opening the database failed", exc_info=exc)
    show_open_error(
        "Cannot open the database",
        f"infudesk could not open its database in {paths.root} "
        f"({type(exc).__name__ if exc is not None else 'no store'}). "
        "Nothing has been changed. Details are in the log file in the data folder's "
        "'logs' directory; please report this to your administrator.",
        smoke=smoke,
    )
    return 3
