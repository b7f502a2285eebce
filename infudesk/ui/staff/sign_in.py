"""Sign-in, first-run and lock screens, and the idle watcher that locks the window.

Signals:
    SignInForm.signed_in(Actor): the username and password were right.
    FirstRunForm.created(Actor): the first manager was created and is signed in.
    IdleWatcher.idle(): no keyboard or mouse input for the set time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from infudesk.errors import ValidationFailed
from infudesk.ui.common.ops import Backend, report
from infudesk.ui.common.screen import fit_to_screen, relative_pt

if TYPE_CHECKING:
    from types import ModuleType


def _staff() -> ModuleType:
    """services.staff, imported when a form is made (it needs the database layer, which the
    main window does not need before it shows)."""
    from infudesk.services import staff

    return staff


FORM_WIDTH = 380
ERROR_STYLE = "color: #b00020;"
NOTE_STYLE = "color: #444;"

INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TabletPress,
    }
)


class IdleWatcher(QObject):
    """Restarts a timer on every keyboard, mouse or touch input anywhere in the application.

    Signals:
        idle(): the timer ran out (nobody used the application for ``interval_ms``).
    """

    idle = Signal()

    def __init__(self, minutes: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.idle)
        self.set_minutes(minutes)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def set_minutes(self, minutes: int) -> None:
        self.set_interval_ms(max(1, minutes) * 60_000)

    def set_interval_ms(self, ms: int) -> None:
        self.timer.setInterval(ms)
        if self.timer.isActive():
            self.timer.start()

    def start(self) -> None:
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def remove(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self.timer.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in INPUT_EVENTS and self.timer.isActive():
            self.timer.start()  # restart: there is someone at the keyboard
        return False


def _title(text: str, name: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName(name)
    label.setStyleSheet(f"font-size: {relative_pt(2)}pt; font-weight: 600;")
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    return label


def _note(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setStyleSheet(NOTE_STYLE)
    return label


def _error() -> QLabel:
    label = QLabel()
    label.setObjectName("formError")
    label.setWordWrap(True)
    label.setStyleSheet(ERROR_STYLE)
    label.setAccessibleName("Error")
    label.hide()
    return label


class SignInForm(QWidget):
    """Username, password, Sign in: Enter in the username goes on to the password, Enter in
    the password signs in. Waits after repeated wrong passwords count down on the button.

    Signals:
        signed_in(Actor): a successful sign-in (already in the audit trail).
    """

    signed_in = Signal(object)

    def __init__(self, backend: Backend, *, title: str = "Sign in", hint: str = "") -> None:
        super().__init__()
        self.setObjectName("signInForm")
        self.backend = backend
        self._wait_left = 0
        self._countdown = QTimer(self)
        self._countdown.setInterval(1000)
        self._countdown.timeout.connect(self._tick)

        outer = QVBoxLayout(self)
        outer.addStretch(1)
        box = QFrame()
        box.setFixedWidth(FORM_WIDTH)
        col = QVBoxLayout(box)
        self.title = _title(title, "signInTitle")
        col.addWidget(self.title)
        self.note = _note("signInNote")
        col.addWidget(self.note)
        form = QFormLayout()
        self.username = QLineEdit()
        self.username.setObjectName("signInUser")
        self.username.setAccessibleName("Username")
        self.username.setMaxLength(50)
        self.password = QLineEdit()
        self.password.setObjectName("signInPassword")
        self.password.setAccessibleName("Password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setMaxLength(_staff().MAX_PASSWORD)
        form.addRow("&Username", self.username)
        form.addRow("&Password", self.password)
        col.addLayout(form)
        self.error = _error()
        col.addWidget(self.error)
        self.button = QPushButton("Sign in")
        self.button.setObjectName("signInButton")
        self.button.setDefault(True)
        self.button.clicked.connect(self.submit)
        col.addWidget(self.button)
        self.hint = _note("signInHint")
        self.hint.setText(hint)
        self.hint.setVisible(bool(hint))
        col.addWidget(self.hint)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(box)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)
        self.setTabOrder(self.username, self.password)
        self.setTabOrder(self.password, self.button)
        self.username.returnPressed.connect(self._username_entered)
        self.password.returnPressed.connect(self.submit)

    def reset(self, note: str = "") -> None:
        """Empty fields, the note shown, focus on the username (ready for the keyboard)."""
        self.username.clear()
        self.password.clear()
        self.note.setText(note)
        self.note.setVisible(bool(note))
        self.error.hide()
        self.username.setFocus()
        # once a question box that was in front has closed and its window is active again
        QTimer.singleShot(0, self, self._focus_username)  # not after the form is gone

    def _focus_username(self) -> None:
        if self.isVisible() and not self.username.text():
            self.username.activateWindow()
            self.username.setFocus()

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def _username_entered(self) -> None:
        if self.password.text():
            self.submit()
        else:
            self.password.setFocus()

    def submit(self) -> None:
        if self._wait_left > 0:
            return
        user, password = self.username.text(), self.password.text()
        if not user.strip():
            self.show_error("Enter your username.")
            self.username.setFocus()
            return
        if not password:
            self.show_error("Enter your password.")
            self.password.setFocus()
            return
        from infudesk.services import staff

        try:
            result = self.backend.query(staff.attempt_sign_in, user, password)
        except Exception as exc:
            report(self, exc)
            return
        self.password.clear()
        if result.actor is None:
            self.show_error(result.message)
            self.password.setFocus()
            if result.wait_seconds > 0:
                self._start_wait(result.wait_seconds)
            return
        self.error.hide()
        self.username.clear()
        self.signed_in.emit(result.actor)

    def _start_wait(self, seconds: int) -> None:
        self._wait_left = seconds
        self.button.setEnabled(False)
        self._tick_text()
        self._countdown.start()

    def _tick(self) -> None:
        self._wait_left -= 1
        if self._wait_left <= 0:
            self._countdown.stop()
            self._wait_left = 0
            self.button.setEnabled(True)
            self.button.setText("Sign in")
            return
        self._tick_text()

    def _tick_text(self) -> None:
        minutes, seconds = divmod(self._wait_left, 60)
        left = f"{minutes}:{seconds:02d}" if minutes else f"{seconds} s"
        self.button.setText(f"Sign in (wait {left})")


class FirstRunForm(QWidget):
    """Creates the first manager of a new database, then signs them in.

    Signals:
        created(Actor): the first manager, signed in.
    """

    created = Signal(object)

    def __init__(self, backend: Backend) -> None:
        super().__init__()
        self.setObjectName("firstRunForm")
        self.backend = backend
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        box = QFrame()
        box.setFixedWidth(FORM_WIDTH + 80)
        col = QVBoxLayout(box)
        col.addWidget(_title("Welcome to infudesk", "firstRunTitle"))
        intro = _note("firstRunNote")
        intro.setText(
            "No one can sign in yet. Create the first manager account: the manager adds "
            "the other staff accounts, changes settings and restores backups."
        )
        col.addWidget(intro)
        form = QFormLayout()
        self.username = QLineEdit()
        self.username.setObjectName("firstRunUser")
        self.username.setPlaceholderText("e.g. maria.lopez")
        self.display_name = QLineEdit()
        self.display_name.setObjectName("firstRunName")
        self.display_name.setPlaceholderText("e.g. Maria Lopez")
        self.password = QLineEdit()
        self.password.setObjectName("firstRunPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat = QLineEdit()
        self.repeat.setObjectName("firstRunRepeat")
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("&Username", self.username)
        form.addRow("&Name shown", self.display_name)
        form.addRow("&Password", self.password)
        form.addRow("&Repeat password", self.repeat)
        for edit, name in (
            (self.username, "Username"),
            (self.display_name, "Name shown"),
            (self.password, "Password"),
            (self.repeat, "Repeat password"),
        ):
            edit.setAccessibleName(name)
        col.addLayout(form)
        rule = _note("firstRunRule")
        rule.setText(
            f"At least {_staff().MIN_PASSWORD} characters. Write it nowhere near this computer."
        )
        col.addWidget(rule)
        self.error = _error()
        col.addWidget(self.error)
        self.button = QPushButton("Create the manager account")
        self.button.setObjectName("firstRunButton")
        self.button.setDefault(True)
        self.button.clicked.connect(self.submit)
        col.addWidget(self.button)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(box)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)
        edits = [self.username, self.display_name, self.password, self.repeat]
        for a, b in zip(edits, edits[1:], strict=False):
            self.setTabOrder(a, b)
            a.returnPressed.connect(b.setFocus)
        self.setTabOrder(self.repeat, self.button)
        self.repeat.returnPressed.connect(self.submit)

    def start(self) -> None:
        self.username.setFocus()

    def submit(self) -> None:
        if self.password.text() != self.repeat.text():
            self._show("The two passwords differ: type the same password twice.")
            self.repeat.clear()
            self.repeat.setFocus()
            return
        from infudesk.services import staff

        try:
            self.backend.query(
                staff.create_first_manager,
                self.username.text(),
                self.display_name.text(),
                self.password.text(),
            )
            result = self.backend.query(
                staff.attempt_sign_in, self.username.text(), self.password.text()
            )
        except ValidationFailed as exc:
            self._show("\n".join(exc.errors.values()))
            first = next(iter(exc.errors), "")
            {"username": self.username, "display_name": self.display_name}.get(
                first, self.password
            ).setFocus()
            return
        except Exception as exc:
            report(self, exc)
            return
        self.password.clear()
        self.repeat.clear()
        if result.actor is not None:
            self.created.emit(result.actor)

    def _show(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()


class LockDialog(QDialog):
    """The sign-in form above open dialogs (they are modal, so the window below cannot take
    the keyboard while they are open). Escape does not close it."""

    def __init__(self, form: SignInForm, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("lockDialog")
        self.setWindowTitle("infudesk — locked")
        self.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.setWindowFlag(Qt.WindowType.WindowCloseButtonHint, False)
        layout = QVBoxLayout(self)
        layout.addWidget(form)
        fit_to_screen(self, 520, 420)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            return
        super().keyPressEvent(event)

    def reject(self) -> None:
        """Only a sign-in ends the lock."""


__all__ = ["FirstRunForm", "IdleWatcher", "LockDialog", "SignInForm"]
