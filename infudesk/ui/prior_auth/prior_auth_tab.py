"""The patient's Prior auths tab: the patient's cases, and the dialog that starts a new one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from infudesk.errors import ValidationFailed
from infudesk.services import coverages as cs
from infudesk.services import orders as ors
from infudesk.services import prior_auths as pas
from infudesk.ui.common.ops import Backend, attempt, report
from infudesk.ui.common.screen import fit_to_screen
from infudesk.ui.common.widgets import Form
from infudesk.ui.patients.patient_tabs import _Tab
from infudesk.ui.prior_auth.controller import follow_up_note
from infudesk.ui.prior_auth.prior_auth_dialog import open_case, tell
from infudesk.ui.prior_auth.prior_auth_screen import (
    CaseTableModel,
    Columns,
    case_view,
    fit_columns,
    select_case,
    selected_row,
)


class NewCaseDialog(QDialog):
    """Start a case: which coverage and therapy order; ``exec()`` is Accepted once saved."""

    def __init__(
        self,
        backend: Backend,
        patient_id: int,
        coverages: list[cs.CoverageRecord],
        orders: list[ors.OrderRecord],
        *,
        today: Callable[[], date] = date.today,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("newCaseDialog")
        self.setWindowTitle("New prior authorization")
        self.backend = backend
        self.patient_id = patient_id
        self.saved: pas.CaseRecord | None = None
        self.form = f = Form(today)
        lay = QVBoxLayout(self)
        fl = QFormLayout()
        lay.addLayout(fl)
        fl.addRow("Coverage *", f.combo("coverage_id", [(c.id, c.label) for c in coverages]))
        fl.addRow(
            "Therapy order *",
            f.combo(
                "order_id",
                [*((o.id, o.label) for o in orders), (None, "No therapy order (enter it later)")],
            ),
        )
        fl.addRow("", f.check("urgent", "Urgent (expedited review: a decision within 72 hours)"))
        fl.addRow("Notes", f.text("notes", 70))
        hint = QLabel("The case starts as a draft: attach the documents, then submit it.")
        hint.setStyleSheet("color: #555;")
        lay.addWidget(hint)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.save_button.setText("Create")
        self.save_button.setObjectName("createCaseButton")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        fit_to_screen(self, 560)

    def preselect(
        self, coverage_id: int | None, order_id: int | None, *, no_order: bool = False
    ) -> None:
        """Choose the coverage and the order when they are among the choices (``no_order``:
        "No therapy order", as for a case that had none)."""
        for name, value in (("coverage_id", coverage_id), ("order_id", order_id)):
            combo = self.form.widgets.get(name)
            if value is not None and isinstance(combo, QComboBox) and combo.findData(value) >= 0:
                combo.setCurrentIndex(combo.findData(value))
        orders = self.form.widgets.get("order_id")
        if no_order and isinstance(orders, QComboBox):
            orders.setCurrentIndex(orders.count() - 1)  # the last choice: no therapy order

    def save(self) -> None:
        f = self.form
        order = f.choice("order_id")
        coverage = f.choice("coverage_id")
        if not isinstance(coverage, int):
            f.show_errors({"coverage_id": "Choose the coverage the authorization is for."})
            return
        try:
            self.saved = self.backend.mutate(
                pas.create_case,
                self.patient_id,
                coverage_id=coverage,
                order_id=order if isinstance(order, int) else None,
                urgent=f.flag("urgent"),
                notes=f.value("notes"),
            )
        except ValidationFailed as exc:
            f.show_errors(exc.errors)
            return
        except Exception as exc:
            report(self, exc)
            return
        self.accept()


def ask_new_case(
    parent: QWidget,
    backend: Backend,
    today: Callable[[], date],
    patient_id: int,
    *,
    coverage_id: int | None = None,
    order_id: int | None = None,
    no_order: bool = False,
    notes: str = "",
) -> pas.CaseRecord | None:
    """New prior authorization for a patient, pre-filled (see :meth:`NewCaseDialog.preselect`);
    the draft once created (None: cancelled, or refused and said)."""
    covs = attempt(parent, lambda: backend.query(cs.list_coverages, patient_id))
    orders = attempt(parent, lambda: backend.query(ors.list_orders, patient_id))
    if covs is None or orders is None:
        return None
    dlg = NewCaseDialog(backend, patient_id, covs, orders, today=today, parent=parent)
    dlg.preselect(coverage_id, order_id, no_order=no_order)
    if notes:
        dlg.form.set("notes", notes)
    if dlg.exec() != QDialog.DialogCode.Accepted:
        return None
    return dlg.saved


def new_case_following(
    parent: QWidget,
    backend: Backend,
    today: Callable[[], date],
    follows_id: int,
    *,
    coverage_id: int | None = None,
) -> pas.CaseRecord | None:
    """Ask the payer again: a new case for the same order as case ``follows_id`` (an approval
    that ended, ran out or lacks a code is not amended) under ``coverage_id`` (the order's
    coverage now; default the old case's), its notes naming the case it follows."""
    old = attempt(parent, lambda: backend.query(pas.get_case, follows_id))
    if old is None:
        return None
    return ask_new_case(
        parent,
        backend,
        today,
        old.patient_id,
        coverage_id=coverage_id or old.coverage_id,
        order_id=old.order_id,
        no_order=old.order_id is None,
        notes=follow_up_note(old.id, old.case.approval),
    )


class PriorAuthTab(_Tab):
    """The patient's cases. Signals (from _Tab): changed()."""

    HIDDEN = (Columns.PATIENT, Columns.MRN)

    def __init__(self, backend: Backend, today: Callable[[], date] = date.today) -> None:
        super().__init__(backend, today)
        self.setObjectName("priorAuthTab")
        lay = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.new_button = QPushButton("New case…")
        self.new_button.setObjectName("newCaseButton")
        self.open_button = QPushButton("Open…")
        self.open_button.setObjectName("openCaseButton")
        self.closed_box = QCheckBox("Show expired and cancelled")
        self.closed_box.setObjectName("showClosedCases")
        bar.addWidget(self.new_button)
        bar.addWidget(self.open_button)
        bar.addStretch(1)
        bar.addWidget(self.closed_box)
        lay.addLayout(bar)
        self.model = CaseTableModel()
        self.table = case_view(self.model, "patientCaseTable")
        for col in self.HIDDEN:
            self.table.setColumnHidden(col, True)
        lay.addWidget(self.table, 1)
        self.empty = QLabel("No prior authorization for this patient. “New case…” starts one.")
        self.empty.setObjectName("caseEmpty")
        lay.addWidget(self.empty)
        self.new_button.clicked.connect(self.new_case)
        self.open_button.clicked.connect(self.open_selected)
        self.table.doubleClicked.connect(lambda _i: self.open_selected())
        self.closed_box.toggled.connect(lambda _c: self.refresh())

    def refresh(self) -> None:
        pid = self.patient_id
        current = selected_row(self.table, self.model)
        rows = (
            []
            if pid is None
            else attempt(
                self,
                lambda: self.backend.query(
                    pas.list_cases,
                    today=self.today(),
                    patient_id=pid,
                    include_closed=self.closed_box.isChecked(),
                ),
            )
            or []
        )
        self.model.set_rows(rows)
        if rows:
            fit_columns(self.table)
        select_case(self.table, self.model, current.id if current else None)
        self.empty.setVisible(not rows)

    def new_case(self) -> int | None:
        """Start a case for the patient and open it; the new case's id (None if not made)."""
        pid = self.patient_id
        if pid is None:
            return None
        today = self.today()
        coverages = attempt(self, lambda: self.backend.query(cs.list_coverages, pid))
        orders = attempt(
            self, lambda: self.backend.query(ors.list_orders, pid, include_ended=False)
        )
        if coverages is None or orders is None:
            return None
        current = [c for c in coverages if c.state_on(today) in ("active", "future")]
        if not current:
            tell(
                self,
                "This patient has no current coverage: add it on the Coverages tab first "
                "(an authorization is asked of a payer).",
                "No coverage",
            )
            return None
        dlg = NewCaseDialog(self.backend, pid, current, orders, today=self.today, parent=self)
        if dlg.exec() != QDialog.DialogCode.Accepted or dlg.saved is None:
            return None
        case_id = dlg.saved.id
        self.refresh()
        select_case(self.table, self.model, case_id)
        self.changed.emit()
        self._open(case_id)
        return case_id

    def open_selected(self) -> None:
        row = selected_row(self.table, self.model)
        if row is not None:
            self._open(row.id)

    def _open(self, case_id: int) -> None:
        if open_case(self, self.backend, case_id, self.today):
            self.changed.emit()
        self.refresh()
