"""The Staff screen (managers): accounts, their roles, switching off, new passwords."""

from __future__ import annotations

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from infudesk.errors import ValidationFailed
from infudesk.services import staff
from infudesk.services.access import ROLE_LABELS, Permission, Role, can
from infudesk.ui.common.ops import Backend, attempt, report

COLUMNS = ("Username", "Name", "Role", "State")


class StaffScreen(QWidget):
    """The accounts table; a form below adds one; buttons act on the selected account."""

    def __init__(self, backend: Backend) -> None:
        super().__init__()
        self.setObjectName("staffScreen")
        self.backend = backend
        self.records: list[staff.StaffRecord] = []
        outer = QVBoxLayout(self)
        title = QLabel("Staff accounts")
        title.setObjectName("pageTitle")
        outer.addWidget(title)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("staffTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        outer.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.role_combo = QComboBox()
        self.role_combo.setObjectName("staffRole")
        for role in Role:
            self.role_combo.addItem(ROLE_LABELS[role], role)
        set_role = QPushButton("Set role")
        set_role.setObjectName("staffSetRole")
        set_role.clicked.connect(self.set_role)
        self.toggle = QPushButton("Switch off / on")
        self.toggle.setObjectName("staffToggle")
        self.toggle.clicked.connect(self.toggle_active)
        password = QPushButton("New password…")
        password.setObjectName("staffPassword")
        password.clicked.connect(self.new_password)
        for w in (QLabel("Selected account:"), self.role_combo, set_role, self.toggle, password):
            buttons.addWidget(w)
        buttons.addStretch(1)
        outer.addLayout(buttons)

        add = QGroupBox("Add an account")
        form = QFormLayout(add)
        self.new_user = QLineEdit()
        self.new_user.setObjectName("newStaffUser")
        self.new_name = QLineEdit()
        self.new_name.setObjectName("newStaffName")
        self.new_role = QComboBox()
        self.new_role.setObjectName("newStaffRole")
        for role in Role:
            self.new_role.addItem(ROLE_LABELS[role], role)
        self.new_password_edit = QLineEdit()
        self.new_password_edit.setObjectName("newStaffPassword")
        self.new_password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("Username", self.new_user)
        form.addRow("Name shown", self.new_name)
        form.addRow("Role", self.new_role)
        form.addRow("First password", self.new_password_edit)
        self.add_button = QPushButton("Add account")
        self.add_button.setObjectName("newStaffAdd")
        self.add_button.clicked.connect(self.add)
        form.addRow("", self.add_button)
        self.status = QLabel()
        self.status.setObjectName("staffStatus")
        self.status.setWordWrap(True)
        form.addRow("", self.status)
        outer.addWidget(add)

    def refresh(self) -> None:
        rows = attempt(self, lambda: self.backend.mutate(staff.list_staff))
        if rows is None:
            return
        self.records = rows
        self.table.setRowCount(len(rows))
        for r, rec in enumerate(rows):
            state = "active" if rec.active else "switched off"
            if rec.locked_until is not None and rec.failed_attempts >= staff.LOCK_AFTER:
                state += " (locked after wrong passwords)"
            for c, value in enumerate((rec.username, rec.display_name, rec.role_label, state)):
                self.table.setItem(r, c, QTableWidgetItem(value))

    def selected(self) -> staff.StaffRecord | None:
        row = self.table.currentRow()
        if 0 <= row < len(self.records):
            return self.records[row]
        self.status.setText("Select an account in the table first.")
        return None

    def _after(self, rec: staff.StaffRecord | None, what: str) -> None:
        if rec is not None:
            self.refresh()
            self.status.setText(f"{rec.username}: {what}.")

    def set_role(self) -> None:
        rec = self.selected()
        if rec is None:
            return
        role = Role(self.role_combo.currentData())
        done = attempt(self, lambda: self.backend.mutate(staff.update_staff, rec.id, role=role))
        self._after(done, f"role {ROLE_LABELS[role]}")

    def toggle_active(self) -> None:
        rec = self.selected()
        if rec is None:
            return
        on = not rec.active
        done = attempt(self, lambda: self.backend.mutate(staff.update_staff, rec.id, active=on))
        self._after(done, "switched on" if on else "switched off")

    def new_password(self) -> None:
        rec = self.selected()
        if rec is None:
            return
        text, ok = QInputDialog.getText(
            self,
            "New password",
            f"New password for {rec.username} (this also unlocks the account):",
            QLineEdit.EchoMode.Password,
        )
        if not ok:
            return
        done = attempt(self, lambda: self.backend.mutate(staff.set_password, rec.id, text))
        self._after(done, "new password set")

    def add(self) -> None:
        try:
            rec = self.backend.mutate(
                staff.create_staff,
                self.new_user.text(),
                self.new_name.text(),
                Role(self.new_role.currentData()),
                self.new_password_edit.text(),
            )
        except ValidationFailed as exc:
            self.status.setText("\n".join(exc.errors.values()))
            return
        except Exception as exc:
            report(self, exc)
            return
        for edit in (self.new_user, self.new_name, self.new_password_edit):
            edit.clear()
        self._after(rec, f"added ({rec.role_label})")

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if can(self.backend.actor, Permission.STAFF):
            self.refresh()
