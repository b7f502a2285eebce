"""The patient's Visits tab: every planned visit of the patient's orders, recorded as arrived,
given, cancelled or rescheduled here as on the Worklist (the same actions)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout

from infudesk.services import patients as ps
from infudesk.services import visits as vsv
from infudesk.services import worklist as wsv
from infudesk.ui.common.ops import Backend, attempt, report, run_query
from infudesk.ui.patients.patient_tabs import _fill, _selected, _Tab, _table
from infudesk.ui.worklist import controller as c
from infudesk.ui.worklist import visit_actions
from infudesk.ui.worklist.controller import VisitAction, VisitRef

COLUMNS = ("Day", "Drug", "Site", "Status", "Recorded", "Reason / moved from")


def recorded_text(v: vsv.VisitRecord) -> str:
    if v.status_at is None:
        return "—"
    return f"{v.status_at.astimezone():%m/%d %H:%M} by {v.status_by}" if v.status_by else "—"


def reason_text(v: vsv.VisitRecord) -> str:
    moved = f"moved from {v.rescheduled_from:%m/%d/%Y}" if v.rescheduled_from else ""
    return " · ".join(x for x in (v.reason, moved) if x) or "—"


class VisitsTab(_Tab):
    """The patient's visits. Signals (from _Tab): changed() after an action."""

    def __init__(self, backend: Backend, today: Callable[[], date]) -> None:
        super().__init__(backend, today)
        self.setObjectName("visitsTab")
        self.records: list[vsv.VisitRecord] = []
        self.patient_name = ""
        self.checking: int | None = None  # the visit whose open items are being worked out
        lay = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.buttons: dict[VisitAction, QPushButton] = {}
        for action in VisitAction:
            b = QPushButton(c.ACTION_LABELS[action])
            b.setObjectName(f"patientVisit_{action.value}")
            b.clicked.connect(lambda _c=False, a=action: self.act(a))
            self.buttons[action] = b
            bar.addWidget(b)
        bar.addStretch(1)
        lay.addLayout(bar)
        self.table = _table(COLUMNS, "visitsTable")
        lay.addWidget(self.table, 1)
        self.empty = QLabel(
            "No visits planned. Visits are planned with a therapy order (Therapy orders tab)."
        )
        self.empty.setObjectName("visitsEmpty")
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet("color: #555;")
        lay.addWidget(self.empty)
        self.status = QLabel("")
        self.status.setObjectName("visitsStatus")
        self.status.setWordWrap(True)
        lay.addWidget(self.status)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self._update_buttons()

    def refresh(self) -> None:
        pid = self.patient_id
        if pid is None:
            self.records = []
        else:
            self.records = (
                attempt(self, lambda: self.backend.query(vsv.visits_for_patient, pid)) or []
            )
            rec = attempt(self, lambda: self.backend.query(ps.get_patient, pid))
            self.patient_name = (
                f"{rec.data.first_name} {rec.data.last_name}".strip() if rec else "the patient"
            )
        held = _selected(self.table)
        rows = [
            (
                f"{v.on:%a %m/%d/%Y}",
                v.drug,
                v.site.replace("_", " "),
                c.STATUS_LABELS.get(v.status, v.status),
                recorded_text(v),
                reason_text(v),
            )
            for v in self.records
        ]
        _fill(self.table, rows, [v.visit_id for v in self.records])
        for r, v in enumerate(self.records):
            if v.status in ("given", "cancelled") or v.on < self.today():
                for col in range(len(COLUMNS)):
                    item = self.table.item(r, col)
                    if item is not None:
                        item.setForeground(QColor(c.DONE_COLOR))
        kept = isinstance(held, int) and self.select_visit(held)
        if not kept and self.records:  # another patient's visit was held: the next to come
            upcoming = [
                i
                for i, v in enumerate(self.records)
                if v.on >= self.today() and v.status in ("planned", "arrived")
            ]
            if upcoming:
                self.table.selectRow(upcoming[0])
        self.empty.setVisible(not self.records)
        self._update_buttons()

    def select_visit(self, visit_id: int) -> bool:
        for i, v in enumerate(self.records):
            if v.visit_id == visit_id:
                self.table.selectRow(i)
                return True
        return False

    def current(self) -> vsv.VisitRecord | None:
        ident = _selected(self.table)
        return next((v for v in self.records if v.visit_id == ident), None)

    def _update_buttons(self) -> None:
        v = self.current()
        today = self.today()
        enabled = c.enabled_actions(v.status if v else None, v.on if v else None, today)
        if self.checking is not None:  # Given… is on its way: no second action meanwhile
            enabled = dict.fromkeys(enabled, False)
        tips = c.action_tips(v.status if v else None, v.on if v else None, today)
        for action, b in self.buttons.items():
            b.setEnabled(enabled[action])
            b.setToolTip(tips[action])
            b.setText(c.action_label(action, v.status if v else None))

    def act(self, action: VisitAction) -> None:
        v = self.current()
        if v is None:
            return
        ref = VisitRef(v.visit_id, v.on, self.patient_name, v.drug, v.status)
        today = self.today()
        if action is not VisitAction.GIVEN:
            visit_actions.record(self, self.backend, action, ref, today, self._done)
            return
        # the confirmation lists what is still open, as on the worklist: worked out first, off
        # the GUI thread (the buttons wait meanwhile)
        if self.checking is not None:
            return
        self.checking, pid = v.visit_id, self.patient_id
        self._update_buttons()
        self.status.setText("Checking what is still open for this visit…")

        def settle() -> bool:
            """Done checking; False when the user has moved to another patient or visit."""
            self.checking = None
            self.status.setText("")
            self._update_buttons()
            chosen = self.current()
            return self.patient_id == pid and chosen is not None and chosen.visit_id == ref.visit_id

        def ask(blockers: tuple[str, ...]) -> None:
            if not settle():
                return  # the question would be about a visit no longer shown
            given = replace(ref, blockers=blockers)
            visit_actions.record(self, self.backend, action, given, today, self._done)

        def failed(exc: BaseException) -> None:
            settle()
            report(self, exc)

        actor = self.backend.actor
        run_query(
            self, self.backend, lambda s: wsv.open_items(s, actor, v.visit_id, today), ask, failed
        )

    def _done(self, text: str) -> None:
        self.refresh()
        self.status.setText(text)
        self.changed.emit()
