"""The main window: navigation on the left, one screen at a time on the right."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from infudesk import __version__
from infudesk.ui.batch_letters import BatchLetters
from infudesk.ui.fees_screen import FeesScreen
from infudesk.ui.ops import Backend, report
from infudesk.ui.patients_screen import PatientsScreen
from infudesk.ui.payers_screen import PayersScreen
from infudesk.ui.prior_auth_screen import PriorAuthScreen
from infudesk.ui.quote_screen import QuoteScreen
from infudesk.ui.settings_screen import SettingsScreen
from infudesk.ui.verifications_screen import VerificationsScreen

log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    """Screens register in the navigation with ``add_screen``; later issues add theirs."""

    def __init__(self, backend: Backend, today: Callable[[], date] = date.today) -> None:
        super().__init__()
        self.backend = backend
        self.today = today
        self.batch_letters: BatchLetters | None = None
        self.setObjectName("mainWindow")
        demo = backend.demo
        self.setWindowTitle("infudesk — DEMO (fictional patients)" if demo else "infudesk")
        self.resize(1280, 800)

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
        body = QHBoxLayout()
        body.setContentsMargins(0, 0, 0, 0)
        outer.addLayout(body, 1)
        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setFixedWidth(180)
        body.addWidget(self.nav)
        self.stack = QStackedWidget()
        body.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.patients = PatientsScreen(backend, today)
        self.patients.status_changed.connect(lambda m: self.statusBar().showMessage(m))
        self.patients.page.quote_requested.connect(lambda pid: self.show_quote(pid))
        self.add_screen("Patients", self.patients)
        self.verifications = VerificationsScreen(backend, today)
        self.verifications.open_patient.connect(self.show_patient)
        self.add_screen("Verifications", self.verifications)
        self.prior_auths = PriorAuthScreen(backend, today)
        self.prior_auths.open_patient.connect(self.show_patient)
        self.add_screen("Prior auths", self.prior_auths)
        self.quotes = QuoteScreen(backend, today)
        self.quotes.status_changed.connect(lambda m: self.statusBar().showMessage(m))
        self.quotes.fix_requested.connect(self.show_patient_tab)
        self.add_screen("Quotes", self.quotes)
        self.payers = PayersScreen(backend, today)
        self.add_screen("Payers", self.payers)
        self.fees = FeesScreen(backend, today)
        self.fees.status_changed.connect(lambda m: self.statusBar().showMessage(m))
        self.add_screen("Fee schedule", self.fees)
        self.settings = SettingsScreen(backend, today)
        self.add_screen("Settings", self.settings)
        self.nav.currentRowChanged.connect(self._switch)
        self.nav.setCurrentRow(0)
        self._last_row = 0

        where = QLabel(f"{'DEMO · ' if demo else ''}{backend.store.paths.db}  ·  v{__version__}")
        where.setObjectName("dbLabel")
        self.statusBar().addPermanentWidget(where)

        letters_menu = self.menuBar().addMenu("&Letters")
        batch = letters_menu.addAction("Tomorrow's cost letters…")
        batch.setObjectName("batchLettersAction")
        batch.setToolTip("Save or print the cost letters of everyone with a visit tomorrow")
        batch.triggered.connect(self.open_batch_letters)

        QShortcut(QKeySequence.StandardKey.Find, self, self.find_patient)
        QShortcut(QKeySequence.StandardKey.New, self, self.new_patient)
        self.patients.search_box.setFocus()

    def add_screen(self, title: str, screen: QWidget) -> None:
        self.stack.addWidget(screen)
        self.nav.addItem(title)

    def _switch(self, row: int) -> None:
        current = self.stack.currentWidget()
        leaving = getattr(current, "can_leave", None)
        if row != getattr(self, "_last_row", row) and leaving is not None and not leaving():
            self.nav.blockSignals(True)
            self.nav.setCurrentRow(self._last_row)
            self.nav.blockSignals(False)
            return
        self._last_row = row
        self.stack.setCurrentIndex(row)

    def show_patient(self, patient_id: int) -> None:
        self.nav.setCurrentRow(0)
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
        self.nav.setCurrentRow(self.stack.indexOf(self.quotes))
        if self.stack.currentWidget() is self.quotes:
            self.quotes.show_patient(patient_id)

    def open_batch_letters(self) -> BatchLetters:
        """The cost letters of one day's patients (tomorrow's to begin with), in one go."""
        dialog = BatchLetters(self.backend, today=self.today(), parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.batch_letters = dialog
        dialog.open()
        return dialog

    def find_patient(self) -> None:
        current = self.stack.currentWidget()
        focus = getattr(current, "focus_search", None)
        if current is not self.patients and focus is not None:
            focus()  # a screen with its own search (Quotes, Payers) searches there
            return
        self.nav.setCurrentRow(0)
        self.patients.focus_search()

    def new_patient(self) -> None:
        self.nav.setCurrentRow(0)
        self.patients.new_patient()

    def backup_on_close(self) -> None:
        """The automatic backup (at most once a day, services/backup.auto_backup). A failure
        is logged and shown briefly; it never keeps the window open."""
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
        others = [self.stack.widget(i) for i in range(self.stack.count())]
        screens = [current] + [s for s in others if s is not current]
        if all(getattr(s, "can_leave", lambda: True)() for s in screens):
            event.accept()
            self.backup_on_close()
        else:
            event.ignore()
