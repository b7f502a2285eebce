"""The Settings screen: site settings kept in the database, grouped, saved together."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QImageReader, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from infudesk.domain.patients import US_STATES
from infudesk.domain.validation import format_phone
from infudesk.errors import ValidationFailed
from infudesk.services import settings as st
from infudesk.services.audit import Actor
from infudesk.ui.common.forms import FieldBox
from infudesk.ui.common.ops import Backend, ask_unsaved, attempt, report
from infudesk.ui.settings import controller as ctl
from infudesk.ui.settings.controller import ADDRESS_LINES

DAYS_BEFORE_VISIT = "verification.days_before_visit"
IDLE_MINUTES = "security.idle_minutes"
WORKLIST_DAYS = "worklist.days"
HINT_STYLE = "color: #555;"
SHORT_FIELD_WIDTH = 220
LOGO_SUFFIXES = (".png", ".jpg", ".jpeg")


def spin_row(key: str, name: str, accessible: str, unit: str) -> tuple[QSpinBox, QWidget]:
    """A whole-number setting: its spin box (range from the settings service's limits) with
    the unit after it, as one form row."""
    spin = QSpinBox()
    spin.setObjectName(name)
    spin.setRange(*st.LIMITS[key])
    spin.setFixedWidth(80)
    spin.setAccessibleName(accessible)
    row = QWidget()
    lay = QHBoxLayout(row)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.addWidget(spin)
    lay.addWidget(QLabel(unit))
    lay.addStretch(1)
    return spin, row


@dataclass
class SettingField:
    """One setting on the form: its key, its field box, and how to read and show its value."""

    key: str
    box: FieldBox
    read: Callable[[], Any]
    write: Callable[[Any], None]
    check: Callable[[Any], str | None] | None = None  # the value's problem, or None


def check_logo(value: str) -> str | None:
    """Empty, or a PNG or JPEG file that can be read."""
    if not value.strip():
        return None
    path = Path(value.strip()).expanduser()
    if path.suffix.lower() not in LOGO_SUFFIXES:
        return "Choose a PNG or JPEG picture for the logo."
    if not path.is_file():
        return "This file does not exist (or is not reachable from this computer)."
    if not os.access(path, os.R_OK):
        return "This file cannot be read: check its permissions."
    reader = QImageReader(str(path))
    if not reader.canRead():
        return "This file is not a picture infudesk can read: save it as PNG or JPEG again."
    return None


def read_settings(session: Session, keys: list[str]) -> dict[str, Any]:
    return {key: st.get(session, key) for key in keys}


def write_settings(session: Session, actor: Actor, values: dict[str, Any]) -> None:
    """Save several settings in one transaction (all or none)."""
    st.put_many(session, actor, values)


class SettingsScreen(QWidget):
    """Group boxes of settings (each a QFormLayout); Save writes the changed ones together.

    Later settings (the center's letterhead, …) add a group with ``add_group`` and a field
    with ``add_field``.

    Signals:
        settings_saved(): settings were saved (screens that use them may re-read them).
    """

    settings_saved = Signal()

    def __init__(self, backend: Backend, today: Callable[[], date] = date.today) -> None:
        super().__init__()
        self.setObjectName("settingsScreen")
        self.backend = backend
        self.today = today
        self.fields: dict[str, SettingField] = {}
        self._loaded: dict[str, Any] = {}
        self._shown_once = False

        outer = QVBoxLayout(self)
        title = QLabel("Settings")
        title.setObjectName("pageTitle")
        outer.addWidget(title)
        subtitle = QLabel("These settings apply to everyone who uses this database.")
        subtitle.setObjectName("pageSubtitle")
        outer.addWidget(subtitle)

        content = QWidget()
        self.groups = QVBoxLayout(content)
        self.groups.setContentsMargins(0, 0, 0, 0)
        self.groups.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        outer.addWidget(scroll, 1)

        bar = QHBoxLayout()
        self.status = QLabel("")
        self.status.setObjectName("settingsStatus")
        bar.addWidget(self.status, 1)
        self.revert_button = QPushButton("Revert")
        self.revert_button.setObjectName("revertSettingsButton")
        self.revert_button.setToolTip("Show the saved settings again")
        self.revert_button.clicked.connect(self.revert)
        bar.addWidget(self.revert_button)
        self.save_button = QPushButton("Save")
        self.save_button.setObjectName("saveSettingsButton")
        self.save_button.setToolTip("Save (Ctrl+S)")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        bar.addWidget(self.save_button)
        outer.addLayout(bar)
        QShortcut(QKeySequence.StandardKey.Save, self, self.save)

        self._build_center()
        self._build_verification()
        self._build_worklist()
        self._build_backups()
        self._build_security()
        self._build_database()
        self.load()

    # -- construction ------------------------------------------------------------------
    def add_group(self, title: str) -> QFormLayout:
        group = QGroupBox(title)
        form = QFormLayout(group)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.groups.insertWidget(self.groups.count() - 1, group)  # above the stretch
        return form

    def add_field(
        self,
        form: QFormLayout,
        label: str,
        key: str,
        widget: QWidget,
        read: Callable[[], Any],
        write: Callable[[Any], None],
        hint: str = "",
        check: Callable[[Any], str | None] | None = None,
    ) -> SettingField:
        box = FieldBox(widget, key.replace(".", "_"))
        field = SettingField(key, box, read, write, check)
        self.fields[key] = field
        form.addRow(label, box)
        if hint:
            note = QLabel(hint)
            note.setWordWrap(True)
            note.setStyleSheet(HINT_STYLE)
            form.addRow("", note)
        return field

    def _build_center(self) -> None:
        """The letterhead, the contact line and the disclaimers printed on every document."""
        form = self.add_group("Center and letterhead")
        self.center_edits: dict[str, QLineEdit] = {}

        def line(
            key: str,
            label: str,
            check: Callable[[Any], str | None] | None = None,
            *,
            placeholder: str = "",
            phone: bool = False,
            hint: str = "",
            widget: QWidget | None = None,
            edit: QLineEdit | None = None,
        ) -> None:
            edit = edit or QLineEdit()
            edit.setObjectName(key.replace(".", "_"))
            edit.setMaxLength(200)
            edit.setPlaceholderText(placeholder)
            edit.setAccessibleName(label)
            self.center_edits[key] = edit
            if phone:
                read = lambda e=edit: ctl.phone_value(e.text())  # noqa: E731
                write = lambda v, e=edit: e.setText(format_phone(str(v)))  # noqa: E731
            elif key == "center.tin":
                read = lambda e=edit: ctl.tin_value(e.text())  # noqa: E731
                write = lambda v, e=edit: e.setText(str(v))  # noqa: E731
            else:
                read = lambda e=edit: e.text().strip()  # noqa: E731
                write = lambda v, e=edit: e.setText(str(v))  # noqa: E731
            field = self.add_field(form, label, key, widget or edit, read, write, hint, check)
            edit.textChanged.connect(self._changed)
            edit.editingFinished.connect(lambda f=field: self._check_field(f))

        line("center.name", "Center name *", ctl.check("center.name"))
        self.address_edit = QPlainTextEdit()
        self.address_edit.setObjectName("center_address")
        self.address_edit.setTabChangesFocus(True)
        self.address_edit.setPlaceholderText("street and suite\ncity, state and ZIP code")
        self.address_edit.setAccessibleName("Address (one line per printed line)")
        lines = self.address_edit.fontMetrics().lineSpacing() * ADDRESS_LINES
        self.address_edit.setFixedHeight(lines + 14)
        self.address_edit.textChanged.connect(self._changed)
        self.add_field(
            form,
            "Address",
            "center.address",
            self.address_edit,
            lambda: _address_value(self.address_edit.toPlainText()),
            lambda v: self.address_edit.setPlainText(str(v)),
            check=ctl.check("center.address"),
        )
        line(
            "center.phone",
            "Phone",
            ctl.check("center.phone"),
            placeholder="phone, 10 digits",
            phone=True,
        )
        line("center.fax", "Fax", ctl.check("center.fax"), placeholder="fax, 10 digits", phone=True)
        line("center.npi", "NPI", ctl.check("center.npi"), placeholder="10 digits")
        self.center_edits["center.npi"].setMaxLength(10)
        line("center.tin", "TIN (EIN)", ctl.check("center.tin"), placeholder="NN-NNNNNNN")
        self.center_edits["center.tin"].setMaxLength(10)
        self.state_combo = QComboBox()
        self.state_combo.setObjectName("center_state")
        self.state_combo.addItem("—", "")
        for code in US_STATES:
            self.state_combo.addItem(code, code)
        self.state_combo.setAccessibleName("State where care is given")
        self.state_combo.setMaximumWidth(90)
        self.state_combo.currentIndexChanged.connect(lambda _i: self._changed())
        self.add_field(
            form,
            "State",
            "center.state",
            self.state_combo,
            lambda: str(self.state_combo.currentData() or ""),
            lambda v: self.state_combo.setCurrentIndex(max(self.state_combo.findData(str(v)), 0)),
            hint="Where care is given (printed on Good Faith Estimates).",
        )
        logo_row = QWidget()
        lay = QHBoxLayout(logo_row)
        lay.setContentsMargins(0, 0, 0, 0)
        self.logo_edit = QLineEdit()
        lay.addWidget(self.logo_edit, 1)
        self.logo_button = QPushButton("Choose…")
        self.logo_button.setObjectName("chooseLogoButton")
        self.logo_button.clicked.connect(self.choose_logo)
        lay.addWidget(self.logo_button)
        line(
            "center.logo",
            "Logo",
            check_logo,
            placeholder="A PNG or JPEG picture (optional)",
            hint="The picture is read from this file each time a letter is printed: keep it "
            "where every workstation can reach it.",
            widget=logo_row,
            edit=self.logo_edit,
        )
        self.logo_edit.setMaxLength(1000)
        for key in ("center.phone", "center.fax", "center.npi", "center.tin"):
            self.center_edits[key].setMaximumWidth(SHORT_FIELD_WIDTH)
        line(
            "center.contact_name",
            "Contact for questions",
            placeholder="a name and role, printed on letters",
        )
        line(
            "center.contact_phone",
            "Contact phone",
            ctl.check("center.contact_phone"),
            placeholder="empty: the center's phone",
            phone=True,
        )
        self.center_edits["center.contact_phone"].setMaximumWidth(SHORT_FIELD_WIDTH)
        line(
            "center.contact_hours",
            "Contact hours",
            placeholder="the days and hours someone answers",
        )
        line(
            "center.contact_name_es",
            "Contact for questions (Spanish)",
            placeholder="name and role, in Spanish",
        )
        line(
            "center.contact_hours_es",
            "Contact hours (Spanish)",
            placeholder="days and hours, in Spanish",
        )
        self.disclaimer_edits: dict[str, QPlainTextEdit] = {}
        for lang, label in (("en", "Disclaimer (English)"), ("es", "Disclaimer (Spanish)")):
            key = f"letters.disclaimer_{lang}"
            edit = QPlainTextEdit()
            edit.setObjectName(key.replace(".", "_"))
            edit.setTabChangesFocus(True)
            edit.setPlaceholderText("Empty: the standard wording")
            edit.setAccessibleName(label)
            edit.setFixedHeight(edit.fontMetrics().lineSpacing() * 4 + 14)
            edit.textChanged.connect(self._changed)
            self.disclaimer_edits[lang] = edit
            self.add_field(
                form,
                label,
                key,
                edit,
                _plain_reader(edit),
                _plain_writer(edit),
                hint=(
                    "Printed at the end of each cost letter. Leave empty for the standard "
                    "wording: an estimate, not a bill nor a promise of payment, that may change."
                    if lang == "en"
                    else "The same for letters in Spanish (leave empty for the standard wording)."
                ),
            )

    def choose_logo(self) -> None:
        current = self.logo_edit.text().strip()
        start = str(Path(current).parent) if current else str(Path.home())
        path, _filter = QFileDialog.getOpenFileName(
            self, "Choose the center's logo", start, "Pictures (*.png *.jpg *.jpeg)"
        )
        if path:
            self.logo_edit.setText(path)
            self._check_field(self.fields["center.logo"])

    def _check_field(self, field: SettingField) -> None:
        """Show a field's problem as soon as the user leaves it (a good phone number or TIN
        is shown in its usual form)."""
        problem = field.check(field.read()) if field.check is not None else None
        field.box.set_error(problem)
        edit = self.center_edits.get(field.key)
        if problem is None and edit is not None and field.key != "center.logo":
            text = edit.text()
            field.write(field.read())
            if edit.text() != text:
                edit.setCursorPosition(len(edit.text()))

    def _build_verification(self) -> None:
        form = self.add_group("Benefits verification")
        self.days_spin, row = spin_row(
            DAYS_BEFORE_VISIT,
            "daysBeforeVisit",
            "Re-verify benefits this many business days before each planned visit",
            "business days before each planned visit",
        )
        self.add_field(
            form,
            "Re-verify benefits",
            DAYS_BEFORE_VISIT,
            row,
            self.days_spin.value,
            lambda v: self.days_spin.setValue(int(v)),
            hint=(
                "Business days skip weekends and US federal holidays. 0 means on the day of the"
                f" visit. The default is {st.DEFAULTS[DAYS_BEFORE_VISIT]}."
            ),
        )
        self.days_spin.valueChanged.connect(self._changed)

    def _build_worklist(self) -> None:
        form = self.add_group("Worklist")
        self.worklist_days_spin, row = spin_row(
            WORKLIST_DAYS,
            "worklistDays",
            "The Worklist shows the visits of this many days",
            "days ahead, today included",
        )
        self.add_field(
            form,
            "Show visits for",
            WORKLIST_DAYS,
            row,
            self.worklist_days_spin.value,
            lambda v: self.worklist_days_spin.setValue(int(v)),
            hint="The planned visits of these days and the tasks due by the last one. Each "
            "desk can look further ahead for a while with the Worklist's own Days box. The "
            f"default is {st.DEFAULTS[WORKLIST_DAYS]}.",
        )
        self.worklist_days_spin.valueChanged.connect(self._changed)

    def _build_backups(self) -> None:
        """Settings > Backups: where automatic backups go, how many to keep, and the actions
        (back up now, restore, print the recovery sheet). See services/backup.py."""
        form = self.add_group("Backups")
        self.backup_folder = QLineEdit()
        self.backup_folder.setObjectName("backupFolder")
        self.backup_folder.setPlaceholderText("the data folder's backups/automatic")
        self.backup_folder.setAccessibleName("Folder for automatic backups")
        choose = QPushButton("Choose…")
        choose.setObjectName("chooseBackupFolder")
        choose.clicked.connect(self.choose_backup_folder)
        row = QWidget()
        lay = QHBoxLayout(row)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.backup_folder, 1)
        lay.addWidget(choose)
        self.add_field(
            form,
            "Backup folder",
            "backup.folder",
            row,
            self.backup_folder.text,
            lambda v: self.backup_folder.setText(str(v)),
            hint="infudesk backs up once a day when it closes. Choose a folder on another disk "
            "or a network drive, so that a backup survives this computer.",
        )
        self.backup_folder.textChanged.connect(self._changed)
        self.keep_spin = QSpinBox()
        self.keep_spin.setObjectName("backupKeep")
        low, high = st.LIMITS["backup.keep"]
        self.keep_spin.setRange(low, high)
        self.keep_spin.setFixedWidth(80)
        self.keep_spin.setAccessibleName("Number of automatic backups to keep")
        keep_row = QWidget()
        keep_lay = QHBoxLayout(keep_row)
        keep_lay.setContentsMargins(0, 0, 0, 0)
        keep_lay.addWidget(self.keep_spin)
        keep_lay.addWidget(QLabel("most recent automatic backups"))
        keep_lay.addStretch(1)
        self.add_field(
            form,
            "Keep",
            "backup.keep",
            keep_row,
            self.keep_spin.value,
            lambda v: self.keep_spin.setValue(int(v)),
        )
        self.keep_spin.valueChanged.connect(self._changed)
        buttons = QWidget()
        blay = QHBoxLayout(buttons)
        blay.setContentsMargins(0, 0, 0, 0)
        for text, name, slot in (
            ("Back up now…", "backupNowButton", self.backup_now),
            ("Restore…", "restoreButton", self.restore_from_backup),
            ("Print recovery sheet…", "recoverySheetButton", self.print_recovery_sheet),
        ):
            b = QPushButton(text)
            b.setObjectName(name)
            b.clicked.connect(slot)
            b.setEnabled(not self.backend.demo)
            blay.addWidget(b)
        blay.addStretch(1)
        form.addRow("", buttons)
        note = QLabel(
            "Backups are encrypted with the recovery key, not with this computer's key: print "
            "the recovery sheet once and keep it locked away. A backup restores on any computer "
            "with that key."
            if not self.backend.demo
            else "The demo database is not backed up."
        )
        note.setWordWrap(True)
        note.setStyleSheet(HINT_STYLE)
        form.addRow("", note)

    def _build_database(self) -> None:
        """Settings > Database: which database THIS workstation opens (the local encrypted
        one, or a shared PostgreSQL server); kept in this computer's data folder, not in the
        database. The password goes to the keychain, never to a file."""
        from infudesk.services import sync

        form = self.add_group("Database (this workstation)")
        root = self.backend.store.paths.root
        url, ca = attempt(self, lambda: sync.workstation_database(root)) or ("", "")
        self.db_url = QLineEdit(url)
        self.db_url.setObjectName("databaseAddress")
        self.db_url.setPlaceholderText("postgresql://ROLE@HOST:5432/DATABASE (empty: local)")
        self.db_url.setAccessibleName("Shared database address")
        form.addRow("Server address", self.db_url)
        self.db_ca = QLineEdit(ca)
        self.db_ca.setObjectName("databaseCaFile")
        self.db_ca.setPlaceholderText("the system's trusted certificates")
        self.db_ca.setAccessibleName("CA certificate file of the server")
        form.addRow("CA certificate", self.db_ca)
        buttons = QWidget()
        blay = QHBoxLayout(buttons)
        blay.setContentsMargins(0, 0, 0, 0)
        use = QPushButton("Use this server…")
        use.setObjectName("useServerButton")
        use.clicked.connect(self.use_server)
        local = QPushButton("Use the local database")
        local.setObjectName("useLocalButton")
        local.clicked.connect(self.use_local)
        for b in (use, local):
            b.setEnabled(not self.backend.demo)
            blay.addWidget(b)
        blay.addStretch(1)
        form.addRow("", buttons)
        self.db_status = QLabel(
            f"Open now: {self.backend.store.label}. A change takes effect at the next start. "
            "Several workstations share one PostgreSQL server over TLS; the password is kept "
            "in this computer's keychain."
        )
        self.db_status.setObjectName("databaseStatus")
        self.db_status.setWordWrap(True)
        self.db_status.setStyleSheet(HINT_STYLE)
        form.addRow("", self.db_status)

    def use_server(self) -> None:
        from infudesk.services import sync

        if not self.db_url.text().strip():
            self.db_status.setText("Type the server's address first.")
            return
        password, ok = QInputDialog.getText(
            self,
            "Database password",
            "Password of the database role (kept in this computer's keychain; leave empty "
            "if it is there already):",
            QLineEdit.EchoMode.Password,
        )
        if not ok:
            return
        root = self.backend.store.paths.root
        label = attempt(
            self, lambda: sync.use_server(root, self.db_url.text(), self.db_ca.text(), password)
        )
        if label:
            self.db_status.setText(f"From the next start this workstation uses {label}.")

    def use_local(self) -> None:
        from infudesk.services import sync

        root = self.backend.store.paths.root
        attempt(self, lambda: sync.use_local(root))
        self.db_url.clear()
        self.db_status.setText(
            "From the next start this workstation uses its local encrypted database."
        )

    def choose_backup_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, "Folder for automatic backups", self.backup_folder.text()
        )
        if folder:
            self.backup_folder.setText(folder)

    def backup_now(self) -> None:
        from infudesk.services import backup as bk

        stamp = datetime.now().strftime("%Y%m%d-%H%M")
        start = Path(self.backup_folder.text() or self.backend.store.paths.backups)
        path, _f = QFileDialog.getSaveFileName(
            self,
            "Back up now",
            str(start / f"infudesk-{stamp}{bk.SUFFIX}"),
            f"infudesk backups (*{bk.SUFFIX})",
        )
        if not path:
            return
        manifest = attempt(
            self, lambda: bk.make_backup(self.backend.store, Path(path), self.backend.actor)
        )
        if manifest is not None:
            self.status.setText(
                f"Backed up {manifest.counts.get('patients', 0):,} patients to {path}."
            )

    def print_recovery_sheet(self) -> None:
        from infudesk.services import backup as bk
        from infudesk.store.files import write_atomic

        path, _f = QFileDialog.getSaveFileName(
            self, "Save the recovery sheet", "infudesk-recovery-sheet.pdf", "PDF (*.pdf)"
        )
        if not path:
            return

        def write() -> None:
            write_atomic(
                Path(path),
                bk.recovery_sheet_pdf(self.backend.store, self.today(), self.backend.actor),
            )

        attempt(self, write)
        if Path(path).exists():
            self.status.setText(f"Recovery sheet saved to {path}: print it and delete the file.")

    def restore_from_backup(self) -> None:
        from infudesk.services import backup as bk

        path, _f = QFileDialog.getOpenFileName(
            self,
            "Restore from a backup",
            str(self.backend.store.paths.backups),
            f"infudesk backups (*{bk.SUFFIX})",
        )
        if not path:
            return
        key, ok = QInputDialog.getText(
            self, "Recovery key", "Type the recovery key from the recovery sheet:"
        )
        if not ok:
            return
        checked = attempt(self, lambda: bk.check_backup(Path(path), key))
        if checked is None:
            return
        manifest = checked[0]
        answer = QMessageBox.question(
            self,
            "Restore this backup?",
            f"Replace the database with the backup of {manifest.header['created_at']} "
            f"({manifest.counts.get('patients', 0):,} patients)? The current database is kept "
            "in the backups folder. infudesk closes afterwards; start it again.",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        store = self.backend.store
        store.close()
        try:
            bk.restore_backup(store.paths, Path(path), key, self.backend.actor)
            QMessageBox.information(
                self, "Restored", "The backup was restored. Start infudesk again."
            )
        except Exception as exc:  # shown calmly; the database was not replaced
            report(self, exc)
        window = self.window()
        setattr(window, "skip_close_checks", True)  # noqa: B010
        QApplication.instance().quit()  # type: ignore[union-attr]

    def _build_security(self) -> None:
        form = self.add_group("Security")
        self.idle_spin, row = spin_row(
            IDLE_MINUTES,
            "idleMinutes",
            "Lock the screen after this many minutes without use",
            "minutes without keyboard or mouse use",
        )
        self.add_field(
            form,
            "Lock the screen after",
            IDLE_MINUTES,
            row,
            self.idle_spin.value,
            lambda v: self.idle_spin.setValue(int(v)),
            hint="The lock hides every patient detail until someone signs in; unsaved work "
            f"is kept. The default is {st.DEFAULTS[IDLE_MINUTES]}.",
        )
        self.idle_spin.valueChanged.connect(self._changed)

    # -- reading and writing -----------------------------------------------------------
    def load(self) -> bool:
        keys = list(self.fields)
        values = attempt(self, lambda: self.backend.query(read_settings, keys))
        if values is None:
            return False
        self._loaded = values
        for key, value in values.items():
            field = self.fields[key]
            field.box.field.blockSignals(True)
            for child in field.box.field.findChildren(QWidget):
                child.blockSignals(True)
            try:
                field.write(value)
            finally:
                field.box.field.blockSignals(False)
                for child in field.box.field.findChildren(QWidget):
                    child.blockSignals(False)
        self.show_errors({})
        return True

    def changes(self) -> dict[str, Any]:
        """The settings whose value on the form differs from the saved one."""
        return ctl.changes({key: f.read() for key, f in self.fields.items()}, self._loaded)

    def is_dirty(self) -> bool:
        return bool(self.changes())

    def show_errors(self, errors: dict[str, str]) -> None:
        for key, field in self.fields.items():
            field.box.set_error(errors.get(key))
        if errors:
            self.status.setText(ctl.errors_status(errors))

    def _changed(self) -> None:
        self.status.setText("")

    # -- actions -----------------------------------------------------------------------
    def save(self) -> bool:
        values = self.changes()
        if not values:
            self.show_errors({})
            self.status.setText("No changes to save.")
            return True
        problems = ctl.problems(values, {key: f.check for key, f in self.fields.items()})
        if problems:
            self.show_errors(problems)
            return False
        try:
            self.backend.mutate(write_settings, values)
        except ValidationFailed as exc:
            if set(exc.errors) - set(self.fields):
                report(self, exc)
            self.show_errors(exc.errors)
            return False
        except Exception as exc:
            report(self, exc)
            return False
        self._loaded = {**self._loaded, **values}
        self.show_errors({})
        self.status.setText(f"Saved at {datetime.now():%H:%M}.")
        self.settings_saved.emit()
        return True

    def revert(self) -> None:
        if self.load():
            self.status.setText("Showing the saved settings.")

    def can_leave(self) -> bool:
        """True when the screen may be left (nothing unsaved, or the user chose what to do)."""
        if not self.is_dirty():
            return True
        answer = ask_unsaved(self, "Some settings have changes that are not saved yet.")
        if answer == "save":
            return self.save()
        if answer == "discard":
            self.load()
            self.status.setText("")
            return True
        return False

    def showEvent(self, event: QShowEvent) -> None:
        """Coming back to the screen: show what is saved now (unless there are edits)."""
        super().showEvent(event)
        if event.spontaneous():
            return
        if not self._shown_once:
            self._shown_once = True
            return
        if not self.is_dirty():
            self.load()


def _plain_reader(edit: QPlainTextEdit) -> Callable[[], str]:
    return lambda: edit.toPlainText().strip()


def _plain_writer(edit: QPlainTextEdit) -> Callable[[Any], None]:
    return lambda value: edit.setPlainText(str(value))


_address_value = ctl.address_value


__all__ = ["SettingField", "SettingsScreen", "read_settings", "write_settings"]
