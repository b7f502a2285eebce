"""A prior authorization through the real screens: a case started from the patient's tab, its
documents (shown inside the app, refused when too big or of the wrong kind), submitted, denied,
appealed, approved on appeal, visits recorded against the approval until it runs out, and the
cross-patient list with its filters."""
# mypy: disable-error-code="no-untyped-call,union-attr,comparison-overlap"

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)
from reportlab.pdfgen import canvas
from sqlalchemy.orm import Session

from infudesk.demo.showcase import seed_demo
from infudesk.domain import prior_auth as pa
from infudesk.domain.prior_auth import Action, DocumentKind, State
from infudesk.services import coverages as cs
from infudesk.services import orders as ors
from infudesk.services import patients as ps
from infudesk.services import prior_auths as pas
from infudesk.services.audit import Actor
from infudesk.store.database import Store
from infudesk.ui.common.ops import Backend
from infudesk.ui.prior_auth.prior_auth_dialog import (
    AttachDialog,
    DocumentViewer,
    PriorAuthDialog,
    RecordVisitDialog,
    StepDialog,
)
from infudesk.ui.prior_auth.prior_auth_screen import CaseTableModel, Columns, PriorAuthScreen
from infudesk.ui.prior_auth.prior_auth_tab import NewCaseDialog, PriorAuthTab
from tests.conftest import TODAY
from tests.qt_helpers import when_modal
from tests.test_gui_intake_to_verified import in_dialog

if TYPE_CHECKING:
    from pytestqt.modeltest import ModelTester
    from pytestqt.qtbot import QtBot

LEFT = Qt.MouseButton.LeftButton


def today() -> date:
    return TODAY


@pytest.fixture
def backend(store: Store) -> Backend:
    with store.session() as s:
        seed_demo(s, Actor("seed"), today=TODAY)
    return Backend(store, Actor("desk.clerk"))


def fill(widgets: dict[str, QWidget], values: dict[str, object]) -> None:
    for name, value in values.items():
        w = widgets[name]
        if isinstance(w, QComboBox):
            index = w.findData(value)
            assert index >= 0, (name, value)
            w.setCurrentIndex(index)
        elif isinstance(w, QLineEdit):
            w.setText(str(value))
        elif isinstance(w, QPlainTextEdit):
            w.setPlainText(str(value))
        else:
            assert isinstance(w, QCheckBox), (name, type(w))
            w.setChecked(bool(value))


def answer_message(seen: list[str]) -> None:
    """Note the next message box's text and close it."""

    def handle(w: QWidget) -> None:
        assert isinstance(w, QMessageBox), type(w)
        seen.append(w.text())
        w.accept()

    when_modal(handle)


def step(
    qtbot: QtBot, dlg: PriorAuthDialog, action: Action, act: Callable[[StepDialog], None]
) -> None:
    seen = in_dialog(StepDialog, act)  # type: ignore[arg-type]
    qtbot.mouseClick(dlg.action_buttons[action], LEFT)
    assert seen, f"no dialog for {action}"


def action_buttons(dlg: PriorAuthDialog) -> set[str]:
    return {
        b.objectName()
        for b in dlg.findChildren(QPushButton)
        if b.objectName().startswith("action_") and b.isVisibleTo(dlg)
    }


def small_pdf(path: Path) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawString(72, 720, "Letter of medical necessity: infliximab for Crohn's disease")
    c.showPage()
    c.save()
    path.write_bytes(buf.getvalue())
    return buf.getvalue()


def test_case_from_denial_through_appeal_to_visits(
    qtbot: QtBot, backend: Backend, store: Store, tmp_path: Path
) -> None:
    with store.session() as s:
        pid = ps.get_by_mrn(s, "D0001").id
        cov = cs.list_coverages(s, pid)[0]
        order = ors.list_orders(s, pid)[0]

    # a new case from the patient's tab; the case opens as soon as it is made
    tab = PriorAuthTab(backend, today)
    qtbot.addWidget(tab)
    tab.set_patient(pid)
    tab.show()
    opened: list[QWidget] = []

    def new_case(d: QWidget) -> None:
        assert isinstance(d, NewCaseDialog)
        fill(
            d.form.widgets,
            {
                "coverage_id": cov.id,
                "order_id": order.id,
                "urgent": True,
                "notes": "Coverage renewed: new request for the course.",
            },
        )

        def case_opened(w: QWidget) -> None:
            opened.append(w)
            w.close()

        when_modal(case_opened)
        d.save_button.click()

    in_dialog(NewCaseDialog, new_case)
    qtbot.mouseClick(tab.new_button, LEFT)
    assert opened and isinstance(opened[0], PriorAuthDialog)
    case_id = opened[0].case_id
    assert opened[0].record.case.state is State.DRAFT and opened[0].record.case.urgent
    ids = [tab.model.row_at(r).id for r in range(tab.model.rowCount())]
    assert case_id in ids

    clock = [TODAY]  # the dialog's today: a planned visit's day comes before it is given
    dlg = PriorAuthDialog(backend, case_id, lambda: clock[0])
    qtbot.addWidget(dlg)
    dlg.show()
    assert action_buttons(dlg) == {"action_submit", "action_cancel"}
    assert len(dlg.missing) == 4 and "4 missing" in dlg.checklist_label.text()

    # two documents: a PDF through "Add…", a PNG through attach(); the checklist shrinks
    pdf = tmp_path / "lmn-garcia.pdf"
    pdf_bytes = small_pdf(pdf)

    def add_pdf(d: QWidget) -> None:
        assert isinstance(d, AttachDialog)
        fill(
            d.form.widgets,
            {"path": str(pdf), "kind": "letter_of_medical_necessity", "doc_date": "11/20/2026"},
        )
        d.save_button.click()

    in_dialog(AttachDialog, add_pdf)
    qtbot.mouseClick(dlg.add_doc_button, LEFT)
    assert [k.value for k in dlg.missing] == ["clinical_notes", "insurance_card", "signed_order"]
    png = tmp_path / "card-front.png"
    image = QImage(320, 200, QImage.Format.Format_RGB32)
    image.fill(QColor("#3366aa"))
    assert image.save(str(png))
    card = dlg.attach(png, DocumentKind.INSURANCE_CARD, TODAY)
    assert card is not None and card.media_type == "image/png"
    assert [k.value for k in dlg.missing] == ["clinical_notes", "signed_order"]
    ticks = [dlg.checklist.item(i).text() for i in range(dlg.checklist.count())]
    assert "✔  Letter of medical necessity" in ticks and "✔  Copy of the insurance card" in ticks
    assert "✘  Signed order — missing" in ticks
    assert dlg.doc_table.rowCount() == 2
    assert {dlg.doc_table.item(r, 2).text() for r in range(2)} == {
        "lmn-garcia.pdf",
        "card-front.png",
    }

    # both shown inside the app; an export is an exact copy
    views: list[DocumentViewer] = []

    def look(w: QWidget) -> None:
        assert isinstance(w, DocumentViewer)
        views.append(w)
        w.reject()

    docs = {d.filename: d.id for d in dlg.record.documents}
    dlg.doc_table.selectRow(0)
    when_modal(look)
    qtbot.mouseClick(dlg.open_doc_button, LEFT)
    when_modal(look)
    dlg.open_document(docs["card-front.png"])
    assert len(views) == 2
    assert isinstance(views[0].view, QPdfView) and views[0].pdf is not None
    assert views[0].pdf.pageCount() == 1
    shown = views[1].findChild(QLabel, "documentImage")
    assert shown is not None and shown.pixmap().width() == 320
    copy = tmp_path / "exported.pdf"
    assert dlg.export(docs["lmn-garcia.pdf"], copy)
    assert copy.read_bytes() == pdf_bytes

    # refused files: too big, not a document — a message, nothing added, nothing typed lost
    big = tmp_path / "whole-chart-scan.pdf"
    with big.open("wb") as f:
        f.write(b"%PDF-1.4\n")
        f.truncate(pas.MAX_DOCUMENT_BYTES + 1)
    said: list[str] = []
    answer_message(said)
    assert dlg.attach(big, DocumentKind.CLINICAL_NOTES, TODAY) is None
    assert said and "limit is 50 MB" in said[0]
    wrong = tmp_path / "notes.docx"
    wrong.write_bytes(b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00binary")

    def add_wrong(d: QWidget) -> None:
        assert isinstance(d, AttachDialog)
        fill(
            d.form.widgets, {"path": str(wrong), "kind": "clinical_notes", "doc_date": "11/21/2026"}
        )
        answer_message(said)
        d.save_button.click()
        assert d.isVisible()  # still open, as chosen
        assert d.form.value("path") == str(wrong) and d.form.value("doc_date") == "11/21/2026"

    in_dialog(AttachDialog, add_wrong)
    qtbot.mouseClick(dlg.add_doc_button, LEFT)
    assert len(said) == 2 and "is not a PDF, an image" in said[1]
    with store.session() as s:
        assert len(pas.get_case(s, case_id).documents) == 2
    assert dlg.doc_table.rowCount() == 2

    # a text file is shown as text; removing it needs a reason, and its record stays, greyed
    notes = tmp_path / "gi-notes.txt"
    notes.write_text("GI clinic 11/18/2026: flare despite mesalamine; plan infliximab.\n")
    text_doc = dlg.attach(notes, DocumentKind.CLINICAL_NOTES, TODAY)
    assert text_doc is not None and text_doc.media_type == "text/plain"
    assert [k.value for k in dlg.missing] == ["signed_order"]
    when_modal(look)
    dlg.open_document(text_doc.id)
    shown_text = views[-1].findChild(QPlainTextEdit, "documentText")
    assert shown_text is not None and shown_text.isReadOnly()
    assert "flare despite mesalamine" in shown_text.toPlainText()
    asked: list[str] = []

    def reason_given(w: QWidget) -> None:
        assert isinstance(w, QInputDialog), type(w)
        asked.append(w.textValue())  # what was typed before is offered again
        w.setTextValue("Wrong patient's notes.")
        w.accept()

    def refused(w: QWidget) -> None:
        assert isinstance(w, QMessageBox), type(w)
        said.append(w.text())
        when_modal(reason_given)
        w.accept()

    def no_reason(w: QWidget) -> None:
        assert isinstance(w, QInputDialog), type(w)
        assert "gi-notes.txt" in w.labelText()
        w.setTextValue("  ")
        when_modal(refused)
        w.accept()

    row = next(
        r
        for r in range(dlg.doc_table.rowCount())
        if dlg.doc_table.item(r, 2).text() == "gi-notes.txt"
    )
    dlg.doc_table.selectRow(row)
    when_modal(no_reason)
    qtbot.mouseClick(dlg.remove_doc_button, LEFT)
    assert "Say why the document is removed" in said[-1]
    assert asked == ["  "]
    status = dlg.doc_table.item(row, 5)
    assert status is not None and status.text() == "Removed by desk.clerk: Wrong patient's notes."
    assert status.foreground().color() == QColor("#999999")
    assert not dlg.remove_doc_button.isEnabled()  # already removed
    assert [k.value for k in dlg.missing] == ["clinical_notes", "signed_order"]  # counts no more
    with store.session() as s:
        kept = pas.get_case(s, case_id).documents
    assert len(kept) == 3 and [d.removed for d in kept] == [False, False, True]

    # submitted, then denied: a date before the last step and a missing reason are refused at
    # their fields, with everything typed kept
    def submit(d: StepDialog) -> None:
        assert d.form.flag("urgent")  # the case was started as urgent
        warning = d.findChild(QLabel, "missingWarning")
        assert warning is not None and "Recent clinical notes" in warning.text()
        fill(d.form.widgets, {"on": "11/20/2026", "note": "Faxed with the LMN and the card."})
        d.save_button.click()

    step(qtbot, dlg, Action.SUBMIT, submit)
    assert dlg.record.case.state is State.SUBMITTED
    assert "Submitted" in dlg.state_label.text() and "URGENT" in dlg.state_label.text()

    def deny(d: StepDialog) -> None:
        fill(d.form.widgets, {"on": "11/01/2026", "note": "Denial letter came by fax."})
        d.save_button.click()
        assert d.isVisible()
        assert "11/20/2026" in d.form.boxes["on"].message
        fill(d.form.widgets, {"on": "11/24/2026"})
        d.save_button.click()
        assert d.isVisible()
        assert "reason" in d.form.boxes["reason"].message
        assert d.form.value("note") == "Denial letter came by fax."
        fill(d.form.widgets, {"reason": "Step therapy: no trial of adalimumab on file."})
        d.save_button.click()

    step(qtbot, dlg, Action.DENY, deny)
    case = dlg.record.case
    assert case.state is State.DENIED and case.denied_on == date(2026, 11, 24)
    assert case.denial_reason == "Step therapy: no trial of adalimumab on file."
    assert action_buttons(dlg) == {"action_appeal", "action_cancel"}  # no "approve" now
    assert not dlg.take(Action.APPROVE)
    assert "Appeal deadline" in dlg.reminder_list.item(0).text()
    assert "appeal_letter" in {k.value for k in dlg.missing}  # an appeal needs more

    def appeal(d: StepDialog) -> None:
        fill(
            d.form.widgets,
            {"on": "11/25/2026", "urgent": False, "note": "Appeal with step-therapy history."},
        )
        d.save_button.click()

    step(qtbot, dlg, Action.APPEAL, appeal)
    assert dlg.record.case.state is State.APPEAL_SUBMITTED
    assert action_buttons(dlg) == {"action_approve_appeal", "action_deny_appeal", "action_cancel"}

    # approved on appeal: the form starts from the order (40 units a visit × 7 visits)
    def approve(d: StepDialog) -> None:
        assert ("J1745", "280") in d.typed_lines()
        assert d.form.value("visits") == "7"
        d.set_lines([("J1745", "280")])
        fill(
            d.form.widgets,
            {
                "on": "11/27/2026",
                "auth_number": "LKH-APL-30118",
                "visits": "7",
                "start": "01/15/2026",
                "end": "01/14/2025",
                "site": "infusion_center",
            },
        )
        d.save_button.click()
        assert d.isVisible()
        assert "before it starts" in d.form.boxes["end"].message
        assert d.form.value("auth_number") == "LKH-APL-30118"
        fill(d.form.widgets, {"end": "01/14/2027"})
        d.save_button.click()

    step(qtbot, dlg, Action.APPROVE_APPEAL, approve)
    case = dlg.record.case
    assert case.state is State.APPEAL_APPROVED
    assert case.approval == pa.Approval(
        "LKH-APL-30118",
        (pa.ApprovedLine("J1745", 280),),
        7,
        date(2026, 1, 15),
        date(2027, 1, 14),
        "infusion_center",
    )
    assert "LKH-APL-30118" in dlg.approval_label.text()
    assert dlg.visits_label.text() == "Visits: 7 of 7 left"

    # visits of the order recorded against the approval, until nothing is left
    def left_of(code: str) -> tuple[str, str, str, int, int]:
        t = dlg.usage_table
        row = next(r for r in range(t.rowCount()) if t.item(r, 0).text() == code)
        bar = t.cellWidget(row, 4)
        return (
            t.item(row, 1).text(),
            t.item(row, 2).text(),
            t.item(row, 3).text(),
            bar.value(),
            bar.maximum(),
        )

    # the order's one planned visit left (the demo case used the others), then extra dates
    (planned,) = [v for v in order.visits if v.status == "planned"]
    assert planned.on > TODAY  # ahead of its day it cannot be given: the dialog says so

    def too_early(d: QWidget) -> None:
        assert isinstance(d, RecordVisitDialog)
        combo = d.form.widgets["visit"]
        assert isinstance(combo, QComboBox) and combo.findData(planned.id) < 0  # not offered
        assert d.form.choice("visit") == RecordVisitDialog.OTHER
        fill(d.form.widgets, {"on": f"{planned.on:%m/%d/%Y}"})
        d.save_button.click()
        assert d.isVisible() and "not a day ahead" in d.form.boxes["on"].message
        d.reject()

    in_dialog(RecordVisitDialog, too_early)
    qtbot.mouseClick(dlg.record_button, LEFT)
    clock[0] = planned.on  # its day comes

    def twice(d: QWidget) -> None:  # the planned visit's day as an extra: counted twice
        assert isinstance(d, RecordVisitDialog) and d.form.choice("visit") == planned.id
        fill(d.form.widgets, {"visit": RecordVisitDialog.OTHER, "on": f"{planned.on:%m/%d/%Y}"})
        d.save_button.click()
        assert d.isVisible() and "is planned on" in d.form.boxes["on"].message
        d.reject()

    in_dialog(RecordVisitDialog, twice)
    qtbot.mouseClick(dlg.record_button, LEFT)
    extra = ["12/01/2026", "12/08/2026", "12/15/2026", "12/29/2026", "01/05/2027", "01/12/2027"]
    for n, day in enumerate([None, *extra], start=1):

        def record(d: QWidget, day: str | None = day) -> None:
            assert isinstance(d, RecordVisitDialog)
            if day is None:
                assert d.form.choice("visit") == planned.id
                assert d.form.value("on") == f"{planned.on:%m/%d/%Y}"
            else:
                fill(d.form.widgets, {"visit": RecordVisitDialog.OTHER, "on": day})
            d.save_button.click()

        in_dialog(RecordVisitDialog, record)
        qtbot.mouseClick(dlg.record_button, LEFT)
        clock[0] = date(2027, 1, 13)  # the extra visits are recorded once they took place
        if n == 3:
            assert left_of("J1745") == ("280", "120", "160", 160, 280)
            assert dlg.visits_label.text() == "Visits: 4 of 7 left"
            assert dlg.usage_list.rowCount() == 3
    with store.session() as s:
        assert ors.get_order(s, order.id).visits[-1].status == "given"
        # given from the case as from the worklist: the copay card paid its part
        from sqlalchemy import select

        from infudesk.store.models import AssistanceUsage

        paid = s.scalars(
            select(AssistanceUsage.amount).where(AssistanceUsage.planned_visit_id == planned.id)
        ).all()
    assert paid and sum(paid) > 0
    assert left_of("J1745") == ("280", "280", "0", 0, 280)
    assert dlg.visits_label.text() == "Visits: 0 of 7 left"

    # one more is beyond the approval: it asks why, and records it with the reason
    def ahead(d: QWidget) -> None:  # an extra visit is not recorded ahead of its day
        assert isinstance(d, RecordVisitDialog)
        fill(d.form.widgets, {"visit": RecordVisitDialog.OTHER, "on": "01/14/2027"})
        d.save_button.click()
        assert d.isVisible() and "not a day ahead" in d.form.boxes["on"].message
        d.reject()

    in_dialog(RecordVisitDialog, ahead)
    qtbot.mouseClick(dlg.record_button, LEFT)

    def beyond(d: QWidget) -> None:
        assert isinstance(d, RecordVisitDialog)
        assert d.form.choice("visit") == RecordVisitDialog.OTHER  # no planned visit is left
        fill(d.form.widgets, {"on": "01/13/2027"})
        d.save_button.click()
        assert d.isVisible() and d.asking_reason()
        assert "J1745: no units left" in d.warning.text()
        d.save_button.click()  # still no reason: refused again
        assert d.isVisible() and d.form.boxes["reason"].message
        fill(d.form.widgets, {"reason": "Payer agreed by phone to one more visit, ref. 55-1208."})
        d.save_button.click()

    in_dialog(RecordVisitDialog, beyond)
    qtbot.mouseClick(dlg.record_button, LEFT)
    assert left_of("J1745")[:3] == ("280", "320", "0 (over by 40)")
    assert dlg.visits_label.text() == "Visits: 0 of 7 left, 1 over"
    assert "ref. 55-1208" in dlg.usage_list.item(0, 2).text()
    with store.session() as s:
        rec = pas.get_case(s, case_id)
    assert sum(u.units for u in rec.usages) == 320 and len([u for u in rec.usages if u.visit]) == 8
    history = [dlg.history_table.item(r, 2).text() for r in range(dlg.history_table.rowCount())]
    assert history == ["Appeal approved", "Appeal", "Denied", "Submit to the payer"]

    # the patient's tab shows it; a double-click opens it
    tab.refresh()
    row = tab.model.row_of(case_id)
    assert row >= 0
    assert tab.model.index(row, Columns.STATE).data() == "Approved on appeal"
    assert tab.model.index(row, Columns.AUTH).data() == "LKH-APL-30118"
    seen: list[QWidget] = []

    def reopened(w: QWidget) -> None:
        seen.append(w)
        w.close()

    when_modal(reopened)
    rect = tab.table.visualRect(tab.model.index(row, Columns.STATE))
    qtbot.mouseClick(tab.table.viewport(), LEFT, pos=rect.center())
    qtbot.mouseDClick(tab.table.viewport(), LEFT, pos=rect.center())
    assert seen and isinstance(seen[0], PriorAuthDialog) and seen[0].case_id == case_id


def test_list_filters_and_a_cancelled_case(
    qtbot: QtBot, qtmodeltester: ModelTester, backend: Backend, store: Store
) -> None:
    actor = Actor("desk.clerk")
    with store.session() as s:
        made = {}
        for mrn in ("D0001", "D0006"):
            pid = ps.get_by_mrn(s, mrn).id
            cov = cs.list_coverages(s, pid)[0]
            order = ors.list_orders(s, pid)[0]
            made[mrn] = pas.create_case(s, actor, pid, coverage_id=cov.id, order_id=order.id)
        mine = pas.act(
            s,
            actor,
            made["D0001"].id,
            Action.SUBMIT,
            on=date(2026, 11, 2),
            expected_version=made["D0001"].version,
        )
        mine = pas.act(
            s,
            actor,
            mine.id,
            Action.PEND,
            on=date(2026, 11, 10),
            expected_version=mine.version,
            follow_up=date(2026, 11, 26),
        )
    other = made["D0006"]

    # cancelling needs a note saying why
    dlg = PriorAuthDialog(backend, other.id, today)
    qtbot.addWidget(dlg)
    dlg.show()

    def cancel(d: StepDialog) -> None:
        d.save_button.click()
        assert d.isVisible() and "why" in d.form.boxes["note"].message
        fill(d.form.widgets, {"note": "Started by mistake: the payer needs no authorization."})
        d.save_button.click()

    step(qtbot, dlg, Action.CANCEL, cancel)
    assert dlg.record.case.state is State.CANCELLED
    assert action_buttons(dlg) == set()
    assert "closed" in dlg.steps_label.text()

    screen = PriorAuthScreen(backend, today)
    qtbot.addWidget(screen)
    screen.resize(1400, 500)
    with qtbot.waitSignal(screen.refreshed):  # the list is read on a worker thread
        screen.show()
    qtmodeltester.check(screen.model)

    def shown() -> dict[int, str]:
        qtbot.waitUntil(lambda: not screen.loading)
        m = screen.model
        return {m.row_at(r).id: m.index(r, Columns.STATE).data() for r in range(m.rowCount())}

    assert shown()[mine.id] == "Pending (more info)"  # whole in the tooltip
    tip = screen.model.index(screen.model.row_of(mine.id), Columns.STATE).data(
        Qt.ItemDataRole.ToolTipRole
    )
    assert tip == "Pending (more information requested)"
    assert other.id not in shown()  # open cases only
    row = screen.model.row_of(mine.id)
    assert "overdue" in screen.model.index(row, Columns.NEXT).data()
    assert screen.model.index(row, Columns.NEXT).data(Qt.ItemDataRole.ForegroundRole) == QColor(
        "#b00020"
    )

    screen.show_combo.setCurrentIndex(screen.show_combo.findData("follow_up"))
    assert mine.id in shown()
    screen.show_combo.setCurrentIndex(screen.show_combo.findData("appeal"))
    assert mine.id not in shown()
    screen.show_combo.setCurrentIndex(screen.show_combo.findData("all"))
    assert shown()[other.id] == "Cancelled" and mine.id in shown()
    screen.state_combo.setCurrentIndex(screen.state_combo.findData("cancelled"))
    assert set(shown()) >= {other.id} and all(v == "Cancelled" for v in shown().values())
    screen.state_combo.setCurrentIndex(0)
    screen.payer_combo.setCurrentIndex(screen.payer_combo.findText("Lakeshore Health"))
    assert mine.id in shown() and other.id not in shown()
    screen.show_combo.setCurrentIndex(screen.show_combo.findData("open"))
    screen.payer_combo.setCurrentIndex(0)
    assert other.id not in shown()

    # "Open patient" asks for the selected case's patient
    screen.table.selectRow(screen.model.row_of(mine.id))
    with qtbot.waitSignal(screen.open_patient) as signal:
        qtbot.mouseClick(screen.patient_button, LEFT)
    assert signal.args == [made["D0001"].patient_id]


def test_ten_thousand_cases_one_query_a_refresh(
    qtbot: QtBot, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    approval = pa.Approval(
        "A1", (pa.ApprovedLine("J1745", 280),), 7, date(2026, 1, 1), date(2026, 12, 31)
    )
    rows = []
    for i in range(10_000):
        used = [pa.Usage(date(2026, 2, 1), "J1745", 40, True)] * (i % 8)
        reminders = pa.reminders(
            pa.CaseState(state=State.APPROVED, approval=approval),
            today=TODAY,
            usages=used,
            plan_type="commercial",
        )
        rows.append(
            pas.CaseRow(
                id=i + 1,
                patient_id=i + 1,
                patient_name=f"Patient {i:05d}",
                mrn=f"M{i:05d}",
                payer_id=1,
                payer_name="Lakeshore Health",
                order_label="infliximab",
                state=State.APPROVED,
                auth_number=f"A{i}",
                end_on=approval.end,
                remaining=pa.remaining(approval, used),
                approved_visits=7,
                next_reminder=reminders[0],
                reminders=tuple(reminders),
            )
        )
    calls: list[threading.Thread] = []

    def list_cases(_session: Session, **_kw: object) -> list[pas.CaseRow]:
        calls.append(threading.current_thread())
        return rows

    monkeypatch.setattr(pas, "list_cases", list_cases)
    backend = Backend(store, Actor("desk.clerk"))
    screen = PriorAuthScreen(backend, today)
    qtbot.addWidget(screen)
    with qtbot.waitSignal(screen.refreshed):
        screen.show()  # loads the payers and the list
    assert len(calls) == 1 and calls[0] is not threading.main_thread()  # off the GUI thread
    assert screen.model.rowCount() == 10_000
    with qtbot.waitSignal(screen.refreshed):
        screen.refresh()
    assert len(calls) == 2
    assert "10,000 cases" in screen.count_label.text()
    screen.show_combo.setCurrentIndex(
        screen.show_combo.findData("expiring")
    )  # narrows the rows loaded
    screen.show_combo.setCurrentIndex(screen.show_combo.findData("follow_up"))
    assert len(calls) == 2
    assert screen.model.rowCount() == 0  # approvals have no follow-ups
    with qtbot.waitSignal(screen.refreshed):  # closed ones: a new query
        screen.show_combo.setCurrentIndex(screen.show_combo.findData("all"))
    assert len(calls) == 3
    assert screen.model.rowCount() == 10_000
    m = screen.model
    assert m.index(3, Columns.VISITS).data() == f"{7 - 3} of 7"
    assert m.index(3, Columns.VISITS).data(CaseTableModel.BAR_ROLE) == pytest.approx(4 / 7)
    screen.table.sortByColumn(Columns.VISITS, Qt.SortOrder.AscendingOrder)
    assert m.index(0, Columns.VISITS).data() == "0 of 7"
    screen.table.sortByColumn(Columns.PATIENT, Qt.SortOrder.DescendingOrder)
    assert m.index(0, Columns.PATIENT).data() == "Patient 09999"
