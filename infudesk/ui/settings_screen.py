"""The Settings screen: site settings kept in the database, grouped, saved together."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from infudesk.errors import ValidationFailed
from infudesk.services import settings as st
from infudesk.services.audit import Actor
from infudesk.ui.forms import FieldBox
from infudesk.ui.ops import Backend, ask_unsaved, attempt, report

DAYS_BEFORE_VISIT = "verification.days_before_visit"
HINT_STYLE = "color: #555;"


@dataclass
class SettingField:
    """One setting on the form: its key, its field box, and how to read and show its value."""

    key: str
    box: FieldBox
    read: Callable[[], Any]
    write: Callable[[Any], None]


def read_settings(session: Session, keys: list[str]) -> dict[str, Any]:
    return {key: st.get(session, key) for key in keys}


def write_settings(session: Session, actor: Actor, values: dict[str, Any]) -> None:
    """Save several settings in one transaction (all or none)."""
    for key, value in values.items():
        st.put(session, actor, key, value)


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

        self._build_verification()
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
    ) -> SettingField:
        box = FieldBox(widget, key.replace(".", "_"))
        field = SettingField(key, box, read, write)
        self.fields[key] = field
        form.addRow(label, box)
        if hint:
            note = QLabel(hint)
            note.setWordWrap(True)
            note.setStyleSheet(HINT_STYLE)
            form.addRow("", note)
        return field

    def _build_verification(self) -> None:
        form = self.add_group("Benefits verification")
        self.days_spin = QSpinBox()
        self.days_spin.setObjectName("daysBeforeVisit")
        low, high = st.LIMITS[DAYS_BEFORE_VISIT]
        self.days_spin.setRange(low, high)
        self.days_spin.setFixedWidth(80)
        self.days_spin.setAccessibleName(
            "Re-verify benefits this many days before each planned visit"
        )
        row = QWidget()
        lay = QHBoxLayout(row)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.days_spin)
        lay.addWidget(QLabel("days before each planned visit"))
        lay.addStretch(1)
        self.add_field(
            form,
            "Re-verify benefits",
            DAYS_BEFORE_VISIT,
            row,
            self.days_spin.value,
            lambda v: self.days_spin.setValue(int(v)),
            hint=f"0 means on the day of the visit. The default is {st.DEFAULTS[DAYS_BEFORE_VISIT]}.",
        )
        self.days_spin.valueChanged.connect(self._changed)

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
        return {
            key: f.read() for key, f in self.fields.items() if f.read() != self._loaded.get(key)
        }

    def is_dirty(self) -> bool:
        return bool(self.changes())

    def show_errors(self, errors: dict[str, str]) -> None:
        for key, field in self.fields.items():
            field.box.set_error(errors.get(key))
        if errors:
            self.status.setText(
                f"Please check {len(errors)} setting(s) marked in red. Nothing was saved."
            )

    def _changed(self) -> None:
        self.status.setText("")

    # -- actions -----------------------------------------------------------------------
    def save(self) -> bool:
        values = self.changes()
        if not values:
            self.show_errors({})
            self.status.setText("No changes to save.")
            return True
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


__all__ = ["SettingField", "SettingsScreen", "read_settings", "write_settings"]
