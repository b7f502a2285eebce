"""The patient screen: view and edit one patient's demographics (and, later, the rest)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from infudesk.domain import patients as dp
from infudesk.domain.validation import age_on, format_phone, is_minor
from infudesk.errors import ValidationFailed
from infudesk.services import letters
from infudesk.services import patients as ps
from infudesk.ui.common.forms import FieldBox
from infudesk.ui.common.ops import Backend, ask_unsaved, attempt, report
from infudesk.ui.common.screen import fit_to_screen
from infudesk.ui.fees.assistance_tab import AssistanceTab
from infudesk.ui.letters.letter_preview import LetterPreview, show_letter
from infudesk.ui.patients.patient_tabs import CoveragesTab, OrdersTab, VerificationsTab, _Tab
from infudesk.ui.prior_auth.prior_auth_tab import PriorAuthTab
from infudesk.ui.worklist.visits_tab import VisitsTab

TEXT_FIELDS: dict[str, str] = {
    "first_name": "First name",
    "middle_name": "Middle name",
    "last_name": "Last name",
    "suffix": "Suffix",
    "preferred_name": "Preferred name",
    "name_on_card": "Name on insurance card",
    "mrn": "MRN",
    "phone_mobile": "Mobile phone",
    "phone_home": "Home phone",
    "email": "E-mail",
    "address_line1": "Address",
    "address_line2": "Address line 2",
    "city": "City",
    "state": "State",
    "zip_code": "ZIP code",
    "guardian_name": "Name",
    "guardian_relationship": "Relationship",
    "guardian_phone": "Phone",
    "emergency_name": "Name",
    "emergency_relationship": "Relationship",
    "emergency_phone": "Phone",
}
PHONES = set(dp.PHONE_FIELDS)


class LookAlikeDialog(QDialog):
    """'This patient may already exist': open one of the matches, create anyway, or go back."""

    OPEN, CREATE = 10, 11

    def __init__(self, matches: list[ps.PatientRow], today: date, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle("This patient may already exist")
        self.setObjectName("lookAlikeDialog")
        lay = QVBoxLayout(self)
        lay.addWidget(
            QLabel(
                "A patient with the same date of birth and a similar name is already on file.\n"
                "Open the existing record instead of creating a duplicate?"
            )
        )
        self.list = QListWidget()
        for m in matches:
            item = QListWidgetItem(
                f"{m.shown_name} — MRN {m.mrn} — born {m.birth_date:%m/%d/%Y} "
                f"({age_on(m.birth_date, today)})" + ("" if m.active else " — inactive")
            )
            item.setData(Qt.ItemDataRole.UserRole, m.id)
            self.list.addItem(item)
        self.list.setCurrentRow(0)
        lay.addWidget(self.list)
        buttons = QDialogButtonBox()
        self.open_button = buttons.addButton(
            "Open existing", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.create_button = buttons.addButton(
            "Create new anyway", QDialogButtonBox.ButtonRole.ActionRole
        )
        buttons.addButton("Back to the form", QDialogButtonBox.ButtonRole.RejectRole)
        self.open_button.clicked.connect(lambda: self.done(self.OPEN))
        self.create_button.clicked.connect(lambda: self.done(self.CREATE))
        buttons.rejected.connect(self.reject)
        self.list.itemDoubleClicked.connect(lambda _i: self.done(self.OPEN))
        lay.addWidget(buttons)
        self.open_button.setDefault(True)
        fit_to_screen(self)

    def chosen_id(self) -> int | None:
        item = self.list.currentItem()
        return None if item is None else int(item.data(Qt.ItemDataRole.UserRole))


class PatientPage(QWidget):
    """One patient, new or existing.

    Signals:
        saved(int): the patient with this id was saved (created or edited).
        closed(): the user left the page (Cancel / Esc / Back).
    """

    saved = Signal(int)
    closed = Signal()
    quote_requested = Signal(int)

    def __init__(self, backend: Backend, today: Callable[[], date] = date.today) -> None:
        super().__init__()
        self.setObjectName("patientPage")
        self.backend = backend
        self.today = today
        self.record: ps.PatientRecord | None = None
        self._loaded = dp.PatientData()
        self.widgets: dict[str, QWidget] = {}
        self.boxes: dict[str, FieldBox] = {}
        self.letter_preview: LetterPreview | None = None
        self._build()

    # -- construction ------------------------------------------------------------------
    def _line(self, name: str, placeholder: str = "") -> FieldBox:
        edit = QLineEdit()
        edit.setObjectName(name)
        edit.setPlaceholderText(placeholder)
        edit.setMaxLength(2000 if name == "notes" else 200)
        return self._box(name, edit)

    def _box(self, name: str, widget: QWidget) -> FieldBox:
        box = FieldBox(widget, name)
        self.widgets[name] = widget
        self.boxes[name] = box
        return box

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        head = QHBoxLayout()
        titles = QVBoxLayout()
        self.title = QLabel("New patient")
        self.title.setObjectName("pageTitle")
        self.subtitle = QLabel("")
        self.subtitle.setObjectName("pageSubtitle")
        self.subtitle.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        titles.addWidget(self.title)
        titles.addWidget(self.subtitle)
        self.coverage_line = QLabel("")
        self.coverage_line.setObjectName("coverageGlance")
        self.coverage_line.setTextFormat(Qt.TextFormat.RichText)
        self.coverage_line.setWordWrap(True)  # a long plan line wraps, never widens the window
        titles.addWidget(self.coverage_line)
        head.addLayout(titles, 1)
        self.quote_button = QPushButton("&Quote…")
        self.quote_button.setObjectName("quoteButton")
        self.quote_button.setToolTip("What will this patient owe? Open the Quotes screen")
        self.quote_button.clicked.connect(self._request_quote)
        head.addWidget(self.quote_button, 0, Qt.AlignmentFlag.AlignTop)
        self.print_button = QPushButton("Print…")
        self.print_button.setObjectName("printButton")
        self.print_button.setToolTip("Preview, print or save one of this patient's documents")
        self.print_menu = QMenu(self.print_button)
        self.print_menu.setObjectName("printMenu")
        for kind, label in letters.KINDS.items():
            action = self.print_menu.addAction(label + "…")
            action.setObjectName(f"print_{kind}")
            action.triggered.connect(lambda _c=False, k=kind: self.print_document(k))
        self.print_button.setMenu(self.print_menu)
        head.addWidget(self.print_button, 0, Qt.AlignmentFlag.AlignTop)
        self.back_button = QPushButton("← Patient list")
        self.back_button.setObjectName("backButton")
        self.back_button.clicked.connect(self.cancel)
        head.addWidget(self.back_button, 0, Qt.AlignmentFlag.AlignTop)
        outer.addLayout(head)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("patientTabs")
        outer.addWidget(self.tabs, 1)
        demographics = QWidget()
        dl = QVBoxLayout(demographics)
        dl.setContentsMargins(0, 0, 0, 0)
        dl.addWidget(self._build_demographics(), 1)
        self.tabs.addTab(demographics, "&Demographics")
        self.coverages = CoveragesTab(self.backend, self.today)
        self.orders = OrdersTab(self.backend, self.today)
        self.verifications = VerificationsTab(self.backend, self.today)
        self.assistance = AssistanceTab(self.backend, self.today)
        self.prior_auths = PriorAuthTab(self.backend, self.today)
        self.visits = VisitsTab(self.backend, self.today)  # arrived/given/cancelled (issue 14)
        self.tabs.addTab(self.coverages, "&Coverages")
        self.tabs.addTab(self.orders, "Therapy &orders")
        self.tabs.addTab(self.verifications, "&Verifications")
        self.tabs.addTab(self.prior_auths, "Prior a&uths")
        self.tabs.addTab(self.assistance, "Ass&istance")
        self.tabs.addTab(self.visits, "Visi&ts")
        for tab in self._tabs():
            tab.changed.connect(self._refresh_tabs)

        bar = QHBoxLayout()
        self.status = QLabel("")
        self.status.setObjectName("formStatus")
        bar.addWidget(self.status, 1)
        self.active_button = QPushButton("Make inactive…")
        self.active_button.setObjectName("activeButton")
        self.active_button.clicked.connect(self.toggle_active)
        bar.addWidget(self.active_button)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.setToolTip("Leave without saving (Esc)")
        self.cancel_button.clicked.connect(self.cancel)
        bar.addWidget(self.cancel_button)
        self.save_button = QPushButton("Save")
        self.save_button.setObjectName("saveButton")
        self.save_button.setToolTip("Save (Ctrl+S)")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        bar.addWidget(self.save_button)
        dl.addLayout(bar)

        QShortcut(QKeySequence.StandardKey.Save, self, self.save)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.cancel)
        self._set_tab_order()

    def _build_demographics(self) -> QWidget:
        page = QWidget()
        cols = QHBoxLayout(page)
        left, right = QVBoxLayout(), QVBoxLayout()
        cols.addLayout(left, 1)
        cols.addLayout(right, 1)

        name = QGroupBox("Legal name")
        f = QFormLayout(name)
        f.addRow("First name *", self._line("first_name"))
        f.addRow("Middle name", self._line("middle_name"))
        f.addRow("Last name *", self._line("last_name"))
        f.addRow("Suffix", self._line("suffix", "if any, e.g. Jr. or III"))
        f.addRow(
            "Preferred name", self._line("preferred_name", "what the patient likes to be called")
        )
        f.addRow(
            "Name on card",
            self._line("name_on_card", "as printed on the insurance card, if different"),
        )
        left.addWidget(name)

        ident = QGroupBox("Identity")
        f = QFormLayout(ident)
        f.addRow("Date of birth *", self._line("birth_date", "MM/DD/YYYY"))
        self.age_label = QLabel("")
        self.age_label.setObjectName("ageLabel")
        f.addRow("", self.age_label)
        sex = QComboBox()
        sex.setObjectName("sex")
        for code, label in dp.SEXES.items():
            sex.addItem(label, code)
        f.addRow("Sex", self._box("sex", sex))
        f.addRow("MRN", self._line("mrn", "generated when left empty"))
        lang = QComboBox()
        lang.setObjectName("preferred_language")
        for code, label in dp.LANGUAGES.items():
            lang.addItem(label, code)
        f.addRow("Preferred language", self._box("preferred_language", lang))
        left.addWidget(ident)

        contact = QGroupBox("Contact")
        f = QFormLayout(contact)
        f.addRow("Mobile phone", self._line("phone_mobile", "phone, 10 digits"))
        f.addRow("Home phone", self._line("phone_home", "phone, 10 digits"))
        f.addRow("E-mail", self._line("email"))
        left.addWidget(contact)
        left.addStretch(1)

        addr = QGroupBox("Address")
        f = QFormLayout(addr)
        f.addRow("Street", self._line("address_line1"))
        f.addRow("Line 2", self._line("address_line2", "apartment, suite…"))
        f.addRow("City", self._line("city"))
        f.addRow("State", self._line("state", "state, 2 letters"))
        f.addRow("ZIP code", self._line("zip_code", "5 digits"))
        right.addWidget(addr)

        self.guardian_group = QGroupBox("Guardian or responsible party")
        f = QFormLayout(self.guardian_group)
        f.addRow("Name", self._line("guardian_name"))
        f.addRow(
            "Relationship",
            self._line("guardian_relationship", "e.g. mother, father or legal guardian"),
        )
        f.addRow("Phone", self._line("guardian_phone"))
        right.addWidget(self.guardian_group)

        emergency = QGroupBox("Emergency contact")
        f = QFormLayout(emergency)
        f.addRow("Name", self._line("emergency_name"))
        f.addRow("Relationship", self._line("emergency_relationship"))
        f.addRow("Phone", self._line("emergency_phone"))
        right.addWidget(emergency)

        notes_box = QGroupBox("Notes")
        f = QFormLayout(notes_box)
        notes = QPlainTextEdit()
        notes.setObjectName("notes")
        notes.setTabChangesFocus(True)
        notes.setFixedHeight(70)
        f.addRow(self._box("notes", notes))
        active = QCheckBox("Active patient")
        active.setObjectName("active")
        active.setEnabled(False)
        active.setToolTip("Use 'Make inactive…' to change this, with a reason.")
        self.widgets["active"] = active
        f.addRow(active)
        right.addWidget(notes_box)
        right.addStretch(1)

        birth = self.widgets["birth_date"]
        assert isinstance(birth, QLineEdit)
        birth.textChanged.connect(self._update_age)
        for phone in PHONES:
            w = self.widgets[phone]
            assert isinstance(w, QLineEdit)
            w.editingFinished.connect(lambda w=w: w.setText(self._pretty_phone(w.text())))

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(page)
        return scroll

    @staticmethod
    def _pretty_phone(text: str) -> str:
        from infudesk.domain.validation import check_phone, phone_digits

        return format_phone(phone_digits(text)) if text and check_phone(text) is None else text

    def _set_tab_order(self) -> None:
        order = [
            "first_name",
            "middle_name",
            "last_name",
            "suffix",
            "preferred_name",
            "name_on_card",
            "birth_date",
            "sex",
            "mrn",
            "preferred_language",
            "phone_mobile",
            "phone_home",
            "email",
            "address_line1",
            "address_line2",
            "city",
            "state",
            "zip_code",
            "guardian_name",
            "guardian_relationship",
            "guardian_phone",
            "emergency_name",
            "emergency_relationship",
            "emergency_phone",
            "notes",
        ]
        chain: list[QWidget] = [self.widgets[n] for n in order]
        chain += [self.save_button, self.cancel_button, self.active_button, self.back_button]
        for a, b in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(a, b)

    # -- reading and writing the form --------------------------------------------------
    def _text(self, name: str) -> str:
        w = self.widgets[name]
        if isinstance(w, QPlainTextEdit):
            return w.toPlainText()
        assert isinstance(w, QLineEdit)
        return w.text()

    def read_form(self) -> tuple[dp.PatientData, dict[str, str]]:
        """The form's data, and errors that parsing alone finds (a date that isn't one)."""
        errors: dict[str, str] = {}
        values: dict[str, object] = {n: self._text(n) for n in TEXT_FIELDS}
        values["notes"] = self._text("notes")
        birth_text = self._text("birth_date").strip()
        born = dp.parse_date(birth_text, self.today()) if birth_text else None
        if birth_text and born is None:
            errors["birth_date"] = "This is not a date: type it as MM/DD/YYYY, e.g. 04/12/1968."
        values["birth_date"] = born
        for name in ("sex", "preferred_language"):
            combo = self.widgets[name]
            assert isinstance(combo, QComboBox)
            values[name] = combo.currentData()
        values["active"] = self.record.data.active if self.record else True
        return dp.PatientData(**values), errors  # type: ignore[arg-type]

    def _write_form(self, data: dp.PatientData) -> None:
        for name in TEXT_FIELDS:
            w = self.widgets[name]
            assert isinstance(w, QLineEdit)
            value = getattr(data, name)
            w.setText(format_phone(value) if name in PHONES else value)
        notes = self.widgets["notes"]
        assert isinstance(notes, QPlainTextEdit)
        notes.setPlainText(data.notes)
        birth = self.widgets["birth_date"]
        assert isinstance(birth, QLineEdit)
        birth.setText(f"{data.birth_date:%m/%d/%Y}" if data.birth_date else "")
        for name in ("sex", "preferred_language"):
            combo = self.widgets[name]
            assert isinstance(combo, QComboBox)
            combo.setCurrentIndex(max(0, combo.findData(getattr(data, name))))
        active = self.widgets["active"]
        assert isinstance(active, QCheckBox)
        active.setChecked(data.active)

    def show_errors(self, errors: dict[str, str]) -> None:
        for name, box in self.boxes.items():
            box.set_error(errors.get(name))
        if errors:
            first = next(n for n in self.widgets if n in errors)
            self.widgets[first].setFocus()
            self.status.setText(
                f"Please check {len(errors)} field(s) marked in red. Nothing was saved yet."
            )

    def _update_age(self) -> None:
        text = self._text("birth_date").strip()
        born = dp.parse_date(text, self.today()) if text else None
        if born is None:
            self.age_label.setText("")
            self.guardian_group.setTitle("Guardian or responsible party")
            return
        age = age_on(born, self.today())
        self.age_label.setText(
            f"{born:%B} {born.day}, {born.year} — {age} years old" if age >= 0 else "in the future"
        )
        if age >= 0 and is_minor(born, self.today()):
            self.guardian_group.setTitle("Guardian or responsible party (required: under 18)")
        else:
            self.guardian_group.setTitle("Guardian or responsible party")

    def _show_record(self, record: ps.PatientRecord | None) -> None:
        self.record = record
        data = record.data if record else dp.PatientData()
        self._loaded = data
        self._write_form(data)
        self.show_errors({})
        self.status.setText("")
        self.quote_button.setVisible(record is not None)
        self.print_button.setVisible(record is not None)
        if record is None:
            self.title.setText("New patient")
            self.subtitle.setText(
                "Fields marked * are required. The MRN is generated when left empty."
            )
            self.active_button.hide()
        else:
            age = age_on(data.birth_date, self.today()) if data.birth_date else 0
            self.title.setText(
                dp.patient_shown_name(data) + ("" if data.active else "  (inactive)")
            )
            born = f"{data.birth_date:%m/%d/%Y}" if data.birth_date else ""
            sub = f"MRN {data.mrn} · born {born} ({age}) · {dp.LANGUAGES.get(data.preferred_language, '')}"
            if not data.active and record.inactive_reason:
                sub += f" · inactive: {record.inactive_reason}"
            self.subtitle.setText(sub)
            self.active_button.show()
            self.active_button.setText("Make inactive…" if data.active else "Make active again")
        self.tabs.setCurrentIndex(0)
        for i in range(1, self.tabs.count()):
            self.tabs.setTabEnabled(i, record is not None)
        self._refresh_tabs()

    def _request_quote(self) -> None:
        if self.record is not None and self.confirm_leave():
            self.quote_requested.emit(self.record.id)

    def print_document(self, kind: str) -> LetterPreview | None:
        """Preview one of the patient's documents (from what is saved), to print or save."""
        if self.record is None:
            return None
        self.letter_preview = show_letter(
            self, self.backend, kind, self.record.id, today=self.today()
        )
        return self.letter_preview

    def _tabs(self) -> tuple[_Tab, ...]:
        return (
            self.coverages,
            self.orders,
            self.verifications,
            self.prior_auths,
            self.assistance,
            self.visits,
        )

    def _refresh_tabs(self) -> None:
        pid = self.record.id if self.record else None
        for tab in self._tabs():
            tab.set_patient(pid)
        self.coverage_line.setText(self.coverages.summary())

    # -- actions -----------------------------------------------------------------------
    def new_patient(self) -> None:
        self._show_record(None)
        self.widgets["first_name"].setFocus()

    def open_patient(self, patient_id: int) -> bool:
        rec = attempt(self, lambda: self.backend.mutate(ps.open_patient, patient_id))
        if rec is None:
            return False
        self._show_record(rec)
        self.widgets["first_name"].setFocus()
        return True

    def is_dirty(self) -> bool:
        data, errors = self.read_form()
        if errors:
            return True
        return dp.normalize(data) != dp.normalize(self._loaded)

    def save(self) -> bool:
        """Validate and save; on any problem the form keeps everything typed."""
        data, parse_errors = self.read_form()
        errors = {**dp.validate(data, self.today()), **parse_errors}
        if errors:
            self.show_errors(errors)
            return False
        created = ""
        try:
            if self.record is None:
                made = self._create(data)
                if made is None:
                    return False
                rec, created = made
            else:
                rec = self.backend.mutate(
                    ps.update_patient,
                    self.record.id,
                    data,
                    expected_version=self.record.version,
                    today=self.today(),
                )
        except ValidationFailed as exc:
            self.show_errors(exc.errors)
            return False
        except Exception as exc:
            report(self, exc)
            return False
        self._show_record(rec)
        self.status.setText(created or f"Saved at {rec.updated_at.astimezone():%H:%M}.")
        self.saved.emit(rec.id)
        return True

    def _create(self, data: dp.PatientData) -> tuple[ps.PatientRecord, str] | None:
        """The new record and the line that says it was made (None: not made)."""
        try:
            rec = self.backend.mutate(ps.create_patient, data, today=self.today())
            return rec, f"Saved. New patient created: MRN {rec.data.mrn}."
        except ps.LookAlikeFound as found:
            dlg = LookAlikeDialog(found.matches, self.today(), self)
            choice = dlg.exec()
            if choice == LookAlikeDialog.OPEN and dlg.chosen_id() is not None:
                chosen = dlg.chosen_id()
                assert chosen is not None
                self.open_patient(chosen)
                self.status.setText("Opened the existing record; the new one was not created.")
                return None
            if choice == LookAlikeDialog.CREATE:
                rec = self.backend.mutate(
                    ps.create_patient, data, today=self.today(), allow_look_alike=True
                )
                others = ", ".join(m.mrn for m in found.matches)
                return rec, (
                    f"Saved. New patient created: MRN {rec.data.mrn}, a separate record from "
                    f"MRN {others}."
                )
            self.status.setText("Not saved yet: check the details, then Save again.")
            return None

    def confirm_leave(self) -> bool:
        """True when the page may be left (nothing unsaved, or the user chose what to do)."""
        if not self.is_dirty():
            return True
        answer = ask_unsaved(self, "This patient has changes that are not saved yet.")
        if answer == "save":
            return self.save()
        return answer == "discard"

    def cancel(self) -> None:
        if self.confirm_leave():
            self.closed.emit()

    def toggle_active(self) -> None:
        if self.record is None:
            return
        if self.is_dirty() and not self.save():
            return
        assert self.record is not None
        if self.record.data.active:
            reason, ok = QInputDialog.getText(
                self,
                "Make inactive",
                "Why is this patient inactive? (moved away, deceased, transferred care…)\n"
                "The record is kept; it is only hidden from the default list.",
            )
            if not ok:
                return
            rid = self.record.id
            rec = attempt(self, lambda: self.backend.mutate(ps.set_active, rid, False, reason))
        else:
            rid = self.record.id
            rec = attempt(self, lambda: self.backend.mutate(ps.set_active, rid, True))
        if rec is not None:
            self._show_record(rec)
            self.saved.emit(rec.id)


__all__ = ["LookAlikeDialog", "PatientPage"]
