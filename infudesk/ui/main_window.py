"""The main window: navigation on the left, one screen at a time on the right; the sign-in,
first-run and lock pages take the whole window's place until someone signs in."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from infudesk import __version__
from infudesk.services.access import ROLE_LABELS, Permission, can, role_of
from infudesk.services.actor import Actor
from infudesk.ui.common.ops import Backend, report
from infudesk.ui.common.polish import polish_on_show
from infudesk.ui.common.screen import fit_pages, fit_to_screen, scrolling, size_to_current
from infudesk.ui.staff.sign_in import FirstRunForm, IdleWatcher, LockDialog, SignInForm

if TYPE_CHECKING:
    from infudesk.ui.fees.fees_screen import FeesScreen
    from infudesk.ui.letters.batch_letters import BatchLetters
    from infudesk.ui.patients.patients_screen import PatientsScreen
    from infudesk.ui.payers.payers_screen import PayersScreen
    from infudesk.ui.prior_auth.prior_auth_screen import PriorAuthScreen
    from infudesk.ui.quote.quote_screen import QuoteScreen
    from infudesk.ui.settings.settings_screen import SettingsScreen
    from infudesk.ui.staff.audit_screen import AuditScreen
    from infudesk.ui.staff.staff_screen import StaffScreen
    from infudesk.ui.verification.verifications_screen import VerificationsScreen
    from infudesk.ui.worklist.worklist_screen import WorklistScreen

log = logging.getLogger(__name__)
IDLE_MINUTES = "security.idle_minutes"
LOCKED = Actor("locked", kind="system", role="none")  # may do nothing while the lock is on
START_PAGES = ("work", "sign_in", "first_run")


# --- the screens: one row each (title, who may use it, how it is made) ---------------------
# A screen is made the first time it is shown (or asked for), so the window shows with only
# the first one; each factory imports its screen's module itself, which keeps the start from
# importing every screen (and reportlab, the quote machinery) before the window is up.


def _worklist(w: MainWindow) -> QWidget:
    from infudesk.ui.worklist.navigate import connect_window
    from infudesk.ui.worklist.worklist_screen import WorklistScreen

    screen = WorklistScreen(w.backend, w.today)
    connect_window(w, screen)  # its one-click fixes, and the counts in the navigation
    return screen


def _patients(w: MainWindow) -> QWidget:
    from infudesk.ui.patients.patients_screen import PatientsScreen

    screen = PatientsScreen(w.backend, w.today)
    screen.status_changed.connect(w.show_status)
    screen.quote_requested.connect(lambda pid: w.show_quote(pid))
    return screen


def _verifications(w: MainWindow) -> QWidget:
    from infudesk.ui.verification.verifications_screen import VerificationsScreen

    screen = VerificationsScreen(w.backend, w.today)
    screen.open_patient.connect(w.show_patient)
    return screen


def _prior_auths(w: MainWindow) -> QWidget:
    from infudesk.ui.prior_auth.prior_auth_screen import PriorAuthScreen

    screen = PriorAuthScreen(w.backend, w.today)
    screen.open_patient.connect(w.show_patient)
    return screen


def _quotes(w: MainWindow) -> QWidget:
    from infudesk.ui.quote.quote_screen import QuoteScreen

    screen = QuoteScreen(w.backend, w.today)
    screen.status_changed.connect(w.show_status)
    screen.fix_requested.connect(w.show_patient_tab)
    return screen


def _payers(w: MainWindow) -> QWidget:
    from infudesk.ui.payers.payers_screen import PayersScreen

    return PayersScreen(w.backend, w.today)


def _fees(w: MainWindow) -> QWidget:
    from infudesk.ui.fees.fees_screen import FeesScreen

    screen = FeesScreen(w.backend, w.today)
    screen.status_changed.connect(w.show_status)
    return screen


def _settings(w: MainWindow) -> QWidget:
    from infudesk.ui.settings.settings_screen import SettingsScreen

    screen = SettingsScreen(w.backend, w.today)
    screen.settings_saved.connect(w._read_idle_minutes)
    return screen


def _staff(w: MainWindow) -> QWidget:
    from infudesk.ui.staff.staff_screen import StaffScreen

    return StaffScreen(w.backend)


def _audit(w: MainWindow) -> QWidget:
    from infudesk.ui.staff.audit_screen import AuditScreen

    return AuditScreen(w.backend, w.today)


@dataclass(frozen=True)
class ScreenSpec:
    """One entry of the navigation: ``key`` names it (``MainWindow.get_screen(key)``)."""

    key: str
    title: str
    permission: Permission | None  # None: every signed-in role
    factory: Callable[[MainWindow], QWidget]
    module: str = ""  # the module the factory imports (app.py imports the first one early)


SCREENS: tuple[ScreenSpec, ...] = (
    ScreenSpec(  # first: the desk's home, at start
        "worklist", "Worklist", None, _worklist, "infudesk.ui.worklist.navigate"
    ),
    ScreenSpec("patients", "Patients", None, _patients),
    ScreenSpec("verifications", "Verifications", None, _verifications),
    ScreenSpec("prior_auths", "Prior auths", None, _prior_auths),
    ScreenSpec("quotes", "Quotes", None, _quotes),
    ScreenSpec("payers", "Payers", None, _payers),
    ScreenSpec("fees", "Fee schedule", Permission.FEES, _fees),
    ScreenSpec("settings", "Settings", Permission.SETTINGS, _settings),
    ScreenSpec("staff", "Staff", Permission.STAFF, _staff),
    ScreenSpec("audit", "Audit log", Permission.AUDIT, _audit),
)
# (screens whose unsaved edits count when someone else signs in: key, what they hold)
DIRTY_SCREENS = (("settings", "settings"), ("payers", "a payer"), ("fees", "a fee schedule row"))


@dataclass
class Veiled:
    """A window hidden behind the lock: its children, title and the cover put over it."""

    window: QWidget
    title: str
    children: list[QWidget]
    cover: QLabel


def same_person(a: Actor, b: Actor) -> bool:
    if a.user_id is not None or b.user_id is not None:
        return a.user_id == b.user_id
    return a.name == b.name


class MainWindow(QMainWindow):
    """Screens register in the navigation with ``add_screen``; later issues add theirs.

    ``start``: "work" (``backend.actor`` is signed in), "sign_in" or "first_run" (no staff
    account yet). The idle lock (setting security.idle_minutes) and Ctrl+L swap the whole
    window for the lock page and veil every other window until someone signs in.

    Signals:
        locked_changed(bool): the lock came on (True) or went off (False).
    """

    locked_changed = Signal(bool)

    backend: Backend  # set by ``attach`` (a window made with no backend is opening)

    def __init__(
        self,
        backend: Backend | None,
        today: Callable[[], date] = date.today,
        *,
        start: str = "work",
        demo: bool = False,
        where: str = "",
    ) -> None:
        """``backend`` None: the window shows at once, saying the database is opening, with
        nothing the database layer is needed for (app.run_gui opens the store on a worker
        thread meanwhile and then calls ``attach``); ``demo`` and ``where`` (the database's
        place, for the status bar) stand in for what the backend would say."""
        super().__init__()
        if start not in START_PAGES:
            raise ValueError(start)
        self.today = today
        self.attached = False
        self.batch_letters: BatchLetters | None = None
        self.auto_backup = True  # the backup made on close (off in a smoke run)
        self.damaged_banner: QLabel | None = None
        self.locked = False
        self.locked_by: Actor | None = None
        self.lock_dialog: LockDialog | None = None
        self._veiled: list[Veiled] = []
        self._focus_before: QWidget | None = None
        self.setObjectName("mainWindow")
        if backend is not None:
            demo, where = backend.demo, str(backend.store.paths.db)
        self.setWindowTitle("infudesk — DEMO (fictional patients)" if demo else "infudesk")
        fit_to_screen(self, 1280, 800)

        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        if demo:
            banner = QLabel(
                "DEMO — this database holds fictional patients only. Do not enter real patient data."
            )
            banner.setObjectName("demoBanner")
            banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
            outer.addWidget(banner)
        self.pages = QStackedWidget()
        self.pages.setObjectName("pages")
        outer.addWidget(self.pages, 1)
        self.content = QWidget()
        self.content.setObjectName("content")
        self.pages.addWidget(self.content)
        body = QHBoxLayout(self.content)
        body.setContentsMargins(0, 0, 0, 0)
        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setAccessibleName("Screens")
        # wide enough for its longest entry in the system's font (180 px at 9 pt)
        self.nav.setFixedWidth(
            max(180, self.nav.fontMetrics().horizontalAdvance("Verifications 999") + 48)
        )
        body.addWidget(self.nav)
        self.stack = QStackedWidget()
        # a screen wider or taller than the window (a large system font) scrolls; the window
        # never grows past the screen
        body.addWidget(scrolling(self.stack, "screenScroll"), 1)
        size_to_current(self.stack)
        self.setCentralWidget(central)
        self.opening_page = QLabel("Opening the database…")
        self.opening_page.setObjectName("openingPage")
        self.opening_page.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pages.addWidget(self.opening_page)

        self._specs: list[ScreenSpec | None] = []  # per navigation row (None: add_screen)
        self._permissions: list[Permission | None] = []
        self._built: dict[int, QWidget] = {}
        for spec in SCREENS:
            self._add_row(spec.title, spec, spec.permission, None)
        self.nav.currentRowChanged.connect(self._switch)
        self._last_row = 0
        self.nav.blockSignals(True)  # the first screen is made when someone enters (_enter)
        self.nav.setCurrentRow(0)
        self.nav.blockSignals(False)

        self.user_label = QLabel()
        self.user_label.setObjectName("userLabel")
        self.statusBar().addPermanentWidget(self.user_label)
        place = f"{'DEMO · ' if demo else ''}{where}  ·  v{__version__}"
        where_label = QLabel(place)
        where_label.setObjectName("dbLabel")
        where_label.setToolTip(place)
        where_label.setMaximumWidth(where_label.fontMetrics().horizontalAdvance("M" * 30))
        # a long path keeps its beginning and end; it never widens the window
        where_label.setText(
            where_label.fontMetrics().elidedText(
                place, Qt.TextElideMode.ElideMiddle, where_label.maximumWidth()
            )
        )
        self.statusBar().addPermanentWidget(where_label)

        session_menu = self.menuBar().addMenu("&Session")
        self.lock_action = session_menu.addAction("Lock now")
        self.lock_action.setObjectName("lockAction")
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.lock_action.setToolTip("Hide everything on screen until someone signs in (Ctrl+L)")
        self.lock_action.triggered.connect(lambda: self.lock("lock"))
        letters_menu = self.menuBar().addMenu("&Letters")
        batch = letters_menu.addAction("Cost letters for the next visits…")
        batch.setObjectName("batchLettersAction")
        batch.setToolTip("Save or print the cost letters of everyone on the next day with visits")
        batch.triggered.connect(self.open_batch_letters)

        QShortcut(QKeySequence.StandardKey.Find, self, self.find_patient)
        QShortcut(QKeySequence.StandardKey.New, self, self.new_patient)

        if backend is None:  # opening: nothing to use until ``attach``
            self.pages.setCurrentWidget(self.opening_page)
            self.menuBar().setEnabled(False)
            self.user_label.setText("Opening…")
        else:
            self.attach(backend, start=start)

    def attach(self, backend: Backend, *, start: str = "work") -> None:
        """The database is open: the sign-in pages, the idle lock, and the first page
        (``start``: "work", "sign_in" or "first_run")."""
        if start not in START_PAGES:
            raise ValueError(start)
        from infudesk.services import settings as st

        self.backend = backend
        self.attached = True
        self._build_lock_pages(backend.demo)
        self.idle = IdleWatcher(st.DEFAULTS[IDLE_MINUTES], self)
        self.idle.idle.connect(lambda: self.lock("idle_lock"))
        self._read_idle_minutes()
        if start == "work":
            self._enter(backend.actor, restore_focus=False)
            # the first screen's search, if it has one; never the Patients screen made only to
            # focus it (that would search and count every patient before the window shows)
            focus = getattr(self.stack.currentWidget(), "focus_search", None)
            if focus is not None:
                focus()
        elif start == "first_run":
            self._show_gate(self.first_run_page)
            self.first_run.start()
        else:
            self._show_gate(self.lock_page)
            self.sign_in.reset()

    def show_opening_failed(self, message: str) -> None:
        """The database did not open: the window says so (the app shows why, and ends)."""
        self.opening_page.setText(message)
        self.user_label.setText("Not opened")

    # -- sign-in, first run and the lock -------------------------------------------------
    def _build_lock_pages(self, demo: bool) -> None:
        from infudesk.services import staff

        hint = (
            "Demo: sign in as demo (manager), frontdesk or counselor; the password is "
            f"{staff.DEMO_PASSWORD}."
            if demo
            else ""
        )
        self.lock_page = QWidget()
        self.lock_page.setObjectName("lockPage")
        col = QVBoxLayout(self.lock_page)
        self.sign_in = SignInForm(self.backend, hint=hint)
        self.sign_in.signed_in.connect(self.on_signed_in)
        col.addWidget(self.sign_in)
        self.lock_elsewhere = QLabel("Locked. Sign in in the window in front.")
        self.lock_elsewhere.setObjectName("lockElsewhere")
        self.lock_elsewhere.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.lock_elsewhere.hide()
        col.addWidget(self.lock_elsewhere)
        self.pages.addWidget(self.lock_page)
        self.first_run_page = QWidget()
        self.first_run_page.setObjectName("firstRunPage")
        fcol = QVBoxLayout(self.first_run_page)
        self.first_run = FirstRunForm(self.backend)
        self.first_run.created.connect(lambda actor: self._enter(actor, restore_focus=False))
        fcol.addWidget(self.first_run)
        self.pages.addWidget(self.first_run_page)
        self._demo_hint = hint

    def _show_gate(self, page: QWidget) -> None:
        """Before anyone signs in: the sign-in or first-run page, nobody acting."""
        self.locked = True
        self.backend.actor = LOCKED
        self.pages.setCurrentWidget(page)
        self.menuBar().setEnabled(False)
        self.user_label.setText("Not signed in")

    def _read_idle_minutes(self) -> None:
        from infudesk.services import settings as st

        try:
            minutes = int(self.backend.query(st.get, IDLE_MINUTES))
        except Exception:
            log.warning("idle minutes could not be read; using the default")
            minutes = int(st.DEFAULTS[IDLE_MINUTES])
        self.idle.set_minutes(minutes)

    def lock(self, reason: str = "lock") -> None:
        """Hide every patient detail (this window's content and every other window) until
        someone signs in; unsaved edits stay where they are."""
        if self.locked or not self.attached:
            return
        from infudesk.services import staff

        actor = self.backend.actor
        try:
            self.backend.mutate(staff.record_session_event, reason)
        except Exception:
            log.warning("the lock could not be written to the audit trail")
        self.locked = True
        self.locked_by = actor
        self.backend.actor = LOCKED
        self.idle.stop()
        self._focus_before = QApplication.focusWidget()
        while (popup := QApplication.activePopupWidget()) is not None:
            popup.close()
        QToolTip.hideText()
        self._veiled = [self._veil(w) for w in self._other_windows()]
        self.statusBar().clearMessage()
        self.pages.setCurrentWidget(self.lock_page)
        self.menuBar().setEnabled(False)
        self.user_label.setText("Locked")
        who = actor.display_name or actor.name
        why = (
            f"Locked after {self.idle.timer.interval() // 60_000 or 1} minutes without use."
            if reason == "idle_lock"
            else "Locked."
        )
        note = f"{why} {who} was signed in; their unsaved work is kept. Sign in to continue."
        if QApplication.activeModalWidget() is not None:
            # a modal dialog blocks this window's keyboard: the form goes in front of it
            form = SignInForm(self.backend, title="Locked", hint=self._demo_hint)
            form.signed_in.connect(self.on_signed_in)
            self.lock_dialog = LockDialog(form, self)
            self.sign_in.hide()
            self.lock_elsewhere.show()
            self.lock_dialog.show()
            self.lock_dialog.raise_()
            self.lock_dialog.activateWindow()
            form.reset(note)
        else:
            self.sign_in.title.setText("Locked")
            self.sign_in.reset(note)
        self.locked_changed.emit(True)

    def _other_windows(self) -> list[QWidget]:
        return [
            w
            for w in QApplication.topLevelWidgets()
            if w is not self and w.isVisible() and w is not self.lock_dialog
        ]

    def _veil(self, window: QWidget) -> Veiled:
        """Hide a window's contents and title without closing it (closing a dialog would end
        its exec() and drop what was typed)."""
        children = [
            c
            for c in window.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly)
            if not c.isHidden() and not c.isWindow()
        ]
        for c in children:
            c.hide()
        title = window.windowTitle()
        window.setWindowTitle("infudesk — locked")
        cover = QLabel("Locked: sign in to continue.", window)
        cover.setObjectName("lockCover")
        cover.setAlignment(Qt.AlignmentFlag.AlignCenter)
        cover.setGeometry(window.rect())
        cover.show()
        return Veiled(window, title, children, cover)

    def _unveil(self) -> None:
        for v in reversed(self._veiled):
            try:
                v.cover.hide()
                v.cover.deleteLater()
                for c in v.children:
                    c.show()
                v.window.setWindowTitle(v.title)
            except RuntimeError:  # the window was deleted meanwhile
                continue
        self._veiled = []

    def unsaved_work(self) -> list[str]:
        """What the person who locked left unsaved: open dialogs and changed forms."""
        found = [v.title or "an open window" for v in self._veiled]
        if (
            self._is_built("patients")
            and self.patients.showing_page()
            and self.patients.page.is_dirty()
        ):
            found.append("a patient's record")
        for key, what in DIRTY_SCREENS:
            if self._is_built(key) and getattr(self.get_screen(key), "is_dirty", lambda: False)():
                found.append(what)
        return found

    def discard_unsaved(self) -> None:
        """Close the veiled windows without saving and put changed forms back."""
        veiled, self._veiled = self._veiled, []
        for v in reversed(veiled):
            try:
                v.cover.deleteLater()
                if isinstance(v.window, QDialog):
                    QDialog.done(v.window, QDialog.DialogCode.Rejected.value)
                else:
                    v.window.close()
            except RuntimeError:
                continue
        if self._is_built("patients") and self.patients.showing_page():
            self.patients.page.closed.emit()
        if self._is_built("settings") and self.settings.is_dirty():
            self.settings.revert()
        if self._is_built("payers") and self.payers.is_dirty():
            self.payers.revert()
        if self._is_built("fees") and self.fees.is_dirty():
            self.fees.new_row(ask=False)

    def on_signed_in(self, actor: Actor) -> None:
        previous = self.locked_by
        if previous is not None and not same_person(previous, actor):
            unsaved = self.unsaved_work()
            if unsaved and not self._discard_others(previous, actor, unsaved):
                return
        self._enter(actor, restore_focus=previous is not None and same_person(previous, actor))

    def _discard_others(self, previous: Actor, actor: Actor, unsaved: list[str]) -> bool:
        who = previous.display_name or previous.name
        parent = self.lock_dialog or self
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Unsaved changes of someone else",
            f"{who} left changes that are not saved ({'; '.join(unsaved)}).\n\n"
            f"Discard them and continue as {actor.display_name or actor.name}? "
            f"Or cancel, and {who} signs in to finish them.",
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            parent,
        )
        box.setObjectName("discardOthersBox")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        if box.exec() != QMessageBox.StandardButton.Discard:
            form = self.lock_dialog.findChild(SignInForm) if self.lock_dialog else self.sign_in
            if form is not None:
                form.reset(f"{who}'s unsaved changes are kept: {who} can sign in to finish them.")
            return False
        self.discard_unsaved()
        return True

    def _enter(self, actor: Actor, *, restore_focus: bool) -> None:
        """``actor`` is signed in: the work comes back (as it was, for the same person)."""
        self.backend.actor = actor
        self.locked = False
        self.locked_by = None
        self._unveil()
        if self.lock_dialog is not None:
            self.lock_dialog.hide()
            self.lock_dialog.deleteLater()
            self.lock_dialog = None
        self.sign_in.show()
        self.lock_elsewhere.hide()
        self.apply_role(actor)
        row = max(self.nav.currentRow(), 0)
        self._build(row)
        self.stack.setCurrentIndex(row)
        self.pages.setCurrentWidget(self.content)
        self.menuBar().setEnabled(True)
        focus, self._focus_before = self._focus_before, None
        if restore_focus and focus is not None:
            with contextlib.suppress(RuntimeError):  # the widget was deleted meanwhile
                focus.setFocus()
        self.idle.start()
        self.locked_changed.emit(False)

    def apply_role(self, actor: Actor) -> None:
        """Screens the role may not use leave the navigation; the status bar says who is in."""
        for i, needed in enumerate(self._permissions):
            self.nav.item(i).setHidden(needed is not None and not can(actor, needed))
        current = self.nav.currentItem()
        if current is not None and current.isHidden():
            self.nav.setCurrentRow(0)
        role = role_of(actor)
        label = ROLE_LABELS[role] if role is not None else actor.role
        name = actor.display_name or actor.name
        if self.backend.demo:
            self.user_label.setText(f"Demo — signed in as {name} ({label})")
        else:
            self.user_label.setText(f"Signed in as {name} ({label})")

    # -- the screens ------------------------------------------------------------------------
    def _add_row(
        self,
        title: str,
        spec: ScreenSpec | None,
        permission: Permission | None,
        screen: QWidget | None,
    ) -> None:
        row = self.stack.count()
        if screen is None:  # a placeholder until the screen is first shown
            screen = QWidget()
            screen.setObjectName(f"unbuilt:{spec.key if spec else title}")
        else:
            self._built[row] = screen
        self._specs.append(spec)
        self._permissions.append(permission)
        self.stack.addWidget(screen)
        self.nav.addItem(title)

    def add_screen(self, title: str, screen: QWidget, permission: Permission | None = None) -> None:
        """Add a screen that is already made (the table SCREENS holds the app's own)."""
        self._add_row(title, None, permission, screen)

    def _build(self, row: int) -> QWidget:
        built = self._built.get(row)
        if built is not None:
            return built
        spec = self._specs[row]
        assert spec is not None
        screen = spec.factory(self)
        placeholder = self.stack.widget(row)
        assert placeholder is not None
        current = self.stack.currentIndex()
        self.stack.insertWidget(row, screen)
        self.stack.removeWidget(placeholder)
        placeholder.deleteLater()
        self._built[row] = screen
        polish_on_show(screen)  # the wheel guard and accessible names, each time it shows
        fit_pages(self.stack)
        if current == row:
            self.stack.setCurrentIndex(row)
        log.debug("screen %s made", spec.key)
        return screen

    def get_screen(self, key: str) -> QWidget:
        """The screen ``key`` of SCREENS, made now if it was not yet."""
        for row, spec in enumerate(self._specs):
            if spec is not None and spec.key == key:
                return self._build(row)
        raise KeyError(key)

    def built_screens(self) -> list[QWidget]:
        """The screens made so far (the others hold nothing to save or check)."""
        return [self._built[row] for row in sorted(self._built)]

    def _is_built(self, key: str) -> bool:
        return any(
            spec is not None and spec.key == key and row in self._built
            for row, spec in enumerate(self._specs)
        )

    def row_of(self, key: str) -> int:
        return next(i for i, spec in enumerate(self._specs) if spec is not None and spec.key == key)

    @property
    def worklist(self) -> WorklistScreen:
        return cast("WorklistScreen", self.get_screen("worklist"))

    @property
    def patients(self) -> PatientsScreen:
        return cast("PatientsScreen", self.get_screen("patients"))

    @property
    def verifications(self) -> VerificationsScreen:
        return cast("VerificationsScreen", self.get_screen("verifications"))

    @property
    def prior_auths(self) -> PriorAuthScreen:
        return cast("PriorAuthScreen", self.get_screen("prior_auths"))

    @property
    def quotes(self) -> QuoteScreen:
        return cast("QuoteScreen", self.get_screen("quotes"))

    @property
    def payers(self) -> PayersScreen:
        return cast("PayersScreen", self.get_screen("payers"))

    @property
    def fees(self) -> FeesScreen:
        return cast("FeesScreen", self.get_screen("fees"))

    @property
    def settings(self) -> SettingsScreen:
        return cast("SettingsScreen", self.get_screen("settings"))

    @property
    def staff(self) -> StaffScreen:
        return cast("StaffScreen", self.get_screen("staff"))

    @property
    def audit(self) -> AuditScreen:
        return cast("AuditScreen", self.get_screen("audit"))

    def show_status(self, message: str) -> None:
        self.statusBar().showMessage(message)

    def _switch(self, row: int) -> None:
        current = self.stack.currentWidget()
        leaving = getattr(current, "can_leave", None)
        if row != getattr(self, "_last_row", row) and leaving is not None and not leaving():
            self.nav.blockSignals(True)
            self.nav.setCurrentRow(self._last_row)
            self.nav.blockSignals(False)
            return
        if row < 0:
            return
        self._build(row)
        if row != self.stack.currentIndex():
            self.statusBar().clearMessage()  # a screen's message does not follow to another
        self._last_row = row
        self.stack.setCurrentIndex(row)

    def show_patient(self, patient_id: int) -> None:
        self.nav.setCurrentRow(self.row_of("patients"))
        if self.stack.currentWidget() is self.patients:
            self.patients.open_patient(patient_id)

    def show_patient_tab(self, patient_id: int, tab: str) -> None:
        """The patient, on the tab that fixes what the Quotes screen warned about."""
        self.show_patient(patient_id)
        page = self.patients.page
        widget = getattr(page, tab, None)
        if page.record is not None and page.record.id == patient_id and widget is not None:
            page.tabs.setCurrentWidget(widget)

    def show_quote(self, patient_id: int) -> None:
        self.nav.setCurrentRow(self.row_of("quotes"))
        if self.stack.currentWidget() is self.quotes:
            self.quotes.show_patient(patient_id)

    def open_batch_letters(self) -> BatchLetters:
        """The cost letters of one day's patients (the next day with visits first), in one go."""
        from infudesk.ui.letters.batch_letters import BatchLetters

        dialog = BatchLetters(self.backend, today=self.today(), parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.batch_letters = dialog
        dialog.open()
        return dialog

    def find_patient(self) -> None:
        if not self.attached:  # still opening
            return
        current = self.stack.currentWidget()
        focus = getattr(current, "focus_search", None)
        if current is not self.patients and focus is not None:
            focus()  # a screen with its own search (Quotes, Payers) searches there
            return
        self.nav.setCurrentRow(self.row_of("patients"))
        self.patients.focus_search()

    def new_patient(self) -> None:
        if not self.attached:
            return
        self.nav.setCurrentRow(self.row_of("patients"))
        self.patients.new_patient()

    def show_damaged(self, problem: str) -> None:
        """The page check failed after the window showed: the store refuses writes from now
        on (app.PageCheck); say so at the top of the window and once in a box. ``problem``
        empty: the check passed, nothing to do."""
        if not problem:
            return
        text = (
            "The database file is damaged: infudesk has stopped saving changes so that nothing "
            "is written onto the damage. What is on screen can still be read and printed. "
            "Close infudesk and restore the latest backup (Settings > Backups > Restore…, or "
            "see 'Backups and recovery' in the README), or ask your administrator."
        )
        if self.damaged_banner is None:
            banner = QLabel(text)
            banner.setObjectName("damagedBanner")
            banner.setWordWrap(True)
            banner.setStyleSheet("background: #fde2e1; color: #7a1c16; padding: 6px;")
            central = self.centralWidget()
            layout = central.layout() if central is not None else None
            assert isinstance(layout, QVBoxLayout)
            layout.insertWidget(0, banner)
            banner.show()  # added after the window showed: not shown by itself
            self.damaged_banner = banner
        box = QMessageBox(QMessageBox.Icon.Warning, "The database is damaged", text, parent=self)
        box.setObjectName("damagedBox")
        box.setDetailedText(problem)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()  # not modal for the app: reading on goes on

    def backup_on_close(self) -> None:
        """The automatic backup (at most once a day, services/backup.auto_backup). A failure
        is logged and shown briefly; it never keeps the window open."""
        if not self.attached or not self.auto_backup or self.backend.store.writes_refused:
            return
        from infudesk.services.backup import auto_backup

        try:
            made = auto_backup(self.backend.store)
        except Exception as exc:
            log.warning("automatic backup failed: %s", type(exc).__name__)
            report(self, exc)
            return
        if made is not None:
            log.info("automatic backup written")

    def closeEvent(self, event: QCloseEvent) -> None:
        if getattr(self, "skip_close_checks", False):  # the store was closed (e.g. restored)
            event.accept()
            return
        current = self.stack.currentWidget()
        screens = [current] + [s for s in self.built_screens() if s is not current]
        if all(getattr(s, "can_leave", lambda: True)() for s in screens):
            event.accept()
            self.backup_on_close()
        else:
            event.ignore()
