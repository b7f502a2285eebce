"""Intake to verified coverages, entirely through the real screens: a new patient, a primary
and a secondary plan, a therapy order with suggested billing lines, and both verifications."""
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDialog, QLineEdit, QWidget

from infudesk.resources import resource
from infudesk.services import coverages as cs
from infudesk.services import orders as ors
from infudesk.services import patients as ps
from infudesk.services import payers as pys
from infudesk.services import verifications as vs
from infudesk.services.audit import Actor
from infudesk.store.database import Store
from infudesk.ui.common.ops import Backend
from infudesk.ui.main_window import MainWindow
from infudesk.ui.patients.coverage_dialog import CoverageDialog
from infudesk.ui.patients.order_dialog import OrderDialog
from infudesk.ui.verification.verification_dialog import VerificationDialog
from tests.conftest import TODAY
from tests.qt_helpers import when_modal
from tests.test_gui_patients import type_into

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot


@pytest.fixture
def window(qtbot: QtBot, store: Store) -> MainWindow:
    with store.session() as s:
        pys.load_starter_payers(s, Actor("setup"), resource("payers.json"))
    w = MainWindow(Backend(store, Actor("desk.clerk")), today=lambda: TODAY)
    qtbot.addWidget(w)
    w.show()
    return w


def fill(form_widgets: dict[str, QWidget], values: dict[str, object]) -> None:
    for name, value in values.items():
        w = form_widgets[name]
        if isinstance(w, QComboBox):
            index = w.findData(value)
            if index < 0:
                index = w.findText(str(value), Qt.MatchFlag.MatchContains)
            assert index >= 0, (name, value)
            w.setCurrentIndex(index)
        elif isinstance(w, QLineEdit):
            w.setText(str(value))
            w.editingFinished.emit()
        else:
            w.setChecked(bool(value))  # type: ignore[attr-defined]


def in_dialog(kind: type[QDialog], act: Callable[[QDialog], None]) -> list[QDialog]:
    seen: list[QDialog] = []

    def handle(w: QWidget) -> None:
        assert isinstance(w, kind), type(w)
        seen.append(w)
        try:
            act(w)
        finally:
            if w.isVisible():
                w.reject()  # never leave a test hanging on a dialog that refused to save

    when_modal(handle)
    return seen


def payer_id(store: Store, name: str) -> int:
    with store.session() as s:
        return pys.payer_by_name(s, name).id


def test_new_patient_to_verified_primary_and_secondary(
    qtbot: QtBot, window: MainWindow, store: Store
) -> None:
    # intake
    window.new_patient()
    page = window.patients.page
    type_into(
        qtbot,
        window,
        {
            "first_name": "Olena",
            "last_name": "Kovalenko",
            "birth_date": "07/08/1990",
            "phone_mobile": "708 555 0109",
        },
    )
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert page.record is not None
    pid = page.record.id
    assert page.tabs.isTabEnabled(1)

    # primary coverage
    page.tabs.setCurrentWidget(page.coverages)
    lakeshore = payer_id(store, "Northwind Benefits")

    def primary(d: QDialog) -> None:
        assert isinstance(d, CoverageDialog)
        fill(
            d.form.widgets,
            {
                "payer_id": lakeshore,
                "plan_type": "employer_self_funded",
                "plan_name": "Northwind Choice",
                "member_id": "NWB300114",
                "group_number": "nw-1180",
                "effective_on": "01/01/2026",
                "deductible": "1,000",
                "deductible_met": "1000",
                "oop_max": "4000",
                "oop_met": "1,100",
                "coinsurance": "20",
            },
        )
        d.save_button.click()

    seen = in_dialog(CoverageDialog, primary)
    qtbot.mouseClick(page.coverages.add_button, Qt.MouseButton.LeftButton)
    assert seen and seen[0].result() == QDialog.DialogCode.Accepted

    # a second primary is refused at the field, and can replace the first only on purpose
    def second_primary(d: QDialog) -> None:
        assert isinstance(d, CoverageDialog)
        fill(
            d.form.widgets,
            {
                "payer_id": payer_id(store, "Summit Health"),
                "plan_type": "commercial",
                "member_id": "SMT1",
                "effective_on": "03/01/2026",
                "terminates_on": "02/01/2026",
            },
        )
        d.save_button.click()
        assert "before it starts" in d.form.boxes["terminates_on"].message
        fill(d.form.widgets, {"terminates_on": ""})
        d.save_button.click()
        assert "already the primary" in d.form.boxes["rank"].message
        assert not d.replace_box.isHidden()
        assert d.form.value("member_id") == "SMT1"  # nothing typed is lost

    in_dialog(CoverageDialog, second_primary)
    qtbot.mouseClick(page.coverages.add_button, Qt.MouseButton.LeftButton)

    # secondary coverage (the spouse's plan)
    def secondary(d: QDialog) -> None:
        assert isinstance(d, CoverageDialog)
        fill(
            d.form.widgets,
            {
                "payer_id": payer_id(store, "Harbor Health Plans"),
                "rank": 2,
                "plan_type": "commercial",
                "plan_name": "Harbor Select",
                "member_id": "HHP9081726",
                "effective_on": "06/01/2025",
                "subscriber_relationship": "spouse",
                "subscriber_name": "Andrii Kovalenko",
                "deductible": "500",
                "deductible_met": "0",
                "coinsurance": "10",
            },
        )
        d.save_button.click()

    in_dialog(CoverageDialog, secondary)
    qtbot.mouseClick(page.coverages.add_button, Qt.MouseButton.LeftButton)
    assert page.coverages.table.rowCount() == 2

    # therapy order with suggested billing lines
    page.tabs.setCurrentWidget(page.orders)
    suggested: list[list[str]] = []

    def order(d: QDialog) -> None:
        assert isinstance(d, OrderDialog)
        fill(
            d.form.widgets,
            {
                "drug": "J1745|infliximab (Remicade)",
                "dose": "5",
                "dose_per_kg": True,
                "weight_kg": "72",
                "route": "iv",
                "minutes": "120",
                "every_days": "56",
                "visit_count": "7",
                "start_on": "12/01/2026",
                "diagnosis": "k50.90",
                "provider_name": "Priya Raman",
                "provider_npi": "1647382914",
                "site_of_care": "infusion_center",
            },
        )
        for r in range(d.lines.rowCount()):
            suggested.append([d._cell(r, c) for c in range(3)])
        assert d.visits.count() == 7
        assert d.dose_hint.text().startswith("= 360")
        d.save_button.click()

    opened = in_dialog(OrderDialog, order)
    qtbot.mouseClick(page.orders.add_button, Qt.MouseButton.LeftButton)
    assert opened, "the order dialog did not open"
    assert suggested == [
        ["J1745", "", "36"],
        ["J1745", "JW", "4"],
        ["96365", "", "1"],
        ["96366", "", "1"],
    ]
    with store.session() as s:
        (saved_order,) = ors.list_orders(s, pid)
    assert saved_order.data.diagnosis == "K50.90"
    assert [v.on for v in saved_order.visits][:2] == [date(2026, 12, 1), date(2027, 1, 26)]

    # both verifications, from the patient's Verifications tab
    page.tabs.setCurrentWidget(page.verifications)
    tab = page.verifications
    assert tab.table.rowCount() == 2
    calls = iter([("Lee at Northwind", "NWB-55102"), ("Harbor provider line", "HHP-771")])

    def verify(d: QDialog) -> None:
        assert isinstance(d, VerificationDialog)
        who, ref = next(calls)
        fill(
            d.form.widgets,
            {
                "plan_active": "yes",
                "in_network": "in",
                "pa_required": "yes",
                "coinsurance": "",
                "call_with": who,
                "call_reference": ref,
            },
        )
        d.verified_button.click()  # refused: coinsurance and call time missing
        assert d.isVisible()
        assert d.form.boxes["coinsurance"].error.isVisible()
        assert d.form.value("call_with") == who
        fill(
            d.form.widgets,
            {
                "coinsurance": "20" if ref.startswith("NWB") else "10",
                "deductible": "1000" if ref.startswith("NWB") else "500",
                "deductible_met": "1000" if ref.startswith("NWB") else "0",
                "call_at": "11/27/2026 10:30 AM",
            },
        )
        d.verified_button.click()

    for _ in range(2):
        tab.table.selectRow(0)  # the list keeps what still needs verifying on top
        in_dialog(VerificationDialog, verify)
        qtbot.mouseClick(tab.start_button, Qt.MouseButton.LeftButton)

    with store.session() as s:
        work = vs.worklist(s, today=TODAY, patient_id=pid)
        covs = cs.list_coverages(s, pid)
    assert {w.verified_on for w in work} == {TODAY}
    assert all(w.latest_status == "verified" for w in work)
    primary_cov = next(c for c in covs if c.data.rank == 1)
    assert primary_cov.terms is not None and primary_cov.terms.source.startswith("verification")
    assert len([c for c in covs]) == 2
    page.tabs.setCurrentWidget(page.coverages)
    texts = [page.coverages.table.item(r, 7).text() for r in range(2)]  # type: ignore[union-attr]
    assert all(t.startswith("Verified 11/27/2026") for t in texts), texts
    with store.session() as s:
        assert ps.get_patient(s, pid).data.last_name == "Kovalenko"
