"""The whole intake → verify → quote → letter path by keyboard alone (issue 13): key events
only — typing, Tab, Enter, Space, Esc, Ctrl+N/Ctrl+S and Alt+letter mnemonics — no mouse, no
method called to press a button. A new patient, a coverage, a therapy order, the benefits
checklist completed, a quote, and the cost letter saved as a PDF that is then read back."""
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import shiboken6
from pypdf import PdfReader
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QMessageBox, QWidget

from infudesk.domain.verification import Status
from infudesk.resources import resource
from infudesk.services import coverages as cs
from infudesk.services import fees
from infudesk.services import orders as ors
from infudesk.services import patients as ps
from infudesk.services import payers as pys
from infudesk.services import verifications as vs
from infudesk.services.audit import Actor
from infudesk.store.database import Store
from infudesk.ui.common.ops import Backend, wait_for_background
from infudesk.ui.letters.letter_preview import LetterPreview
from infudesk.ui.main_window import MainWindow
from infudesk.ui.patients.coverage_dialog import CoverageDialog
from infudesk.ui.patients.order_dialog import OrderDialog
from infudesk.ui.verification.verification_dialog import VerificationDialog
from tests.conftest import TODAY
from tests.qt_helpers import MODAL_GENERATION

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

Key = Qt.Key
ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier
NONE = Qt.KeyboardModifier.NoModifier


@pytest.fixture
def window(qtbot: QtBot, store: Store) -> MainWindow:
    """A center that is set up (starter payers, the sample fee schedule), nobody entered yet."""
    with store.session() as s:
        pys.load_starter_payers(s, Actor("setup"), resource("payers.json"))
        fees.import_csv(s, Actor("setup"), resource("fee_schedule.csv").read_text())
    w = MainWindow(Backend(store, Actor("desk.clerk")), today=lambda: TODAY)
    qtbot.addWidget(w)
    w.resize(1366, 728)
    w.show()
    activate(qtbot, w)
    return w


def activate(qtbot: QtBot, w: QWidget) -> None:
    """The window has the keyboard (as the one in front on a desktop)."""
    w.activateWindow()
    handle = w.windowHandle()
    if handle is not None:
        handle.requestActivate()
    qtbot.waitUntil(w.isActiveWindow, timeout=5000)


def focused() -> QWidget:
    w = QApplication.focusWidget()
    assert w is not None, "nothing has the keyboard focus"
    return w


def press(key: Key, modifier: Qt.KeyboardModifier = NONE, times: int = 1) -> None:
    for _ in range(times):
        QTest.keyClick(focused(), key, modifier)


def type_text(text: str) -> None:
    QTest.keyClicks(focused(), text)


def tab_to(name: str, limit: int = 80) -> None:
    """Tab forward until the field named ``name`` has the focus (it must be reachable)."""
    for _ in range(limit):
        if focused().objectName() == name:
            return
        press(Key.Key_Tab)
    raise AssertionError(f"{name} cannot be reached with Tab (stuck at {focused()!r})")


def fill(values: dict[str, str]) -> None:
    """Tab to each field in turn and type (a closed combo box picks the item typed)."""
    for name, text in values.items():
        tab_to(name)
        if hasattr(focused(), "selectAll"):
            press(Key.Key_A, CTRL)  # replace what a field already holds
        type_text(text)


def done(qtbot: QtBot, seen: list[QWidget]) -> None:
    """Wait for the dialog opened by a mnemonic (a button pressed with Alt+letter clicks
    after a short animation) to be done with."""

    def closed() -> bool:
        return bool(seen) and (not shiboken6.isValid(seen[0]) or not seen[0].isVisible())

    qtbot.waitUntil(closed, timeout=20_000)


def accepted(seen: list[QWidget]) -> bool:
    dialog = seen[0]
    return isinstance(dialog, QDialog) and dialog.result() == QDialog.DialogCode.Accepted


def in_modal(qtbot: QtBot, kind: type[QWidget], act: Callable[[QWidget], None]) -> list[QWidget]:
    """Do ``act`` with the keyboard in the next modal dialog, which must be a ``kind``."""
    seen: list[QWidget] = []
    start = MODAL_GENERATION[0]

    def poll() -> None:
        if start != MODAL_GENERATION[0]:
            return  # the test is over
        modal = QApplication.activeModalWidget()
        if not isinstance(modal, kind):  # not yet (or still the dialog underneath)
            QTimer.singleShot(20, poll)
            return
        seen.append(modal)
        activate(qtbot, modal)
        act(modal)

    QTimer.singleShot(0, poll)
    return seen


def test_intake_to_cost_letter_by_keyboard_alone(
    qtbot: QtBot, window: MainWindow, store: Store, tmp_path: Path
) -> None:
    # a new patient: Ctrl+N, type, Ctrl+S
    press(Key.Key_N, CTRL)
    assert focused().objectName() == "first_name"
    fill({"first_name": "Marisol", "last_name": "Quintero", "birth_date": "04/12/1968"})
    press(Key.Key_S, CTRL)
    page = window.patients.page
    assert page.record is not None, page.status.text()
    pid = page.record.id

    # a coverage: Alt+C (the Coverages tab), Alt+A (Add coverage…), Enter saves
    def coverage(d: QWidget) -> None:
        fill(
            {
                "payer_id": "Lakeshore",
                "member_id": "LKH4417020",
                "deductible": "1000",
                "deductible_met": "200",
                "oop_max": "5000",
                "oop_met": "200",
                "coinsurance": "20",
            }
        )
        press(Key.Key_Return)

    seen = in_modal(qtbot, CoverageDialog, coverage)
    press(Key.Key_C, ALT)
    assert page.tabs.currentWidget() is page.coverages
    press(Key.Key_A, ALT)
    done(qtbot, seen)
    assert seen and accepted(seen)
    activate(qtbot, window)

    # a therapy order: Alt+O (the tab), Alt+N (New therapy order…)
    def order(d: QWidget) -> None:
        fill(
            {
                "drug": "infliximab",
                "dose": "5",
            }
        )
        tab_to("dose_per_kg")
        press(Key.Key_Space)
        fill(
            {
                "weight_kg": "72",
                "minutes": "120",
                "every_days": "56",
                "visit_count": "7",
                "start_on": "12/01/2026",
                "diagnosis": "K50.90",
                "provider_name": "Priya Raman",
                "provider_npi": "1647382914",
            }
        )
        press(Key.Key_Return)

    seen = in_modal(qtbot, OrderDialog, order)
    press(Key.Key_O, ALT)
    assert page.tabs.currentWidget() is page.orders
    press(Key.Key_N, ALT)
    done(qtbot, seen)
    assert seen and accepted(seen), seen[0].status.text()  # type: ignore[attr-defined]
    activate(qtbot, window)

    # the benefits checklist: Alt+V (the tab), Alt+N (Verify now…), Alt+V (Mark verified)
    def checklist(d: QWidget) -> None:
        assert isinstance(d, VerificationDialog)
        assert d.form.value("coinsurance") == "20"  # from the coverage, marked to confirm
        assert "coinsurance" in d.prefilled
        fill(
            {
                "plan_active": "Yes",
                "in_network": "In",
                "pa_required": "No",
                "call_with": "Dana at provider services",
                "call_reference": "LKH-20261127-1",
                "call_at": "11/27/2026 10:30 AM",
            }
        )
        press(Key.Key_V, ALT)

    seen = in_modal(qtbot, VerificationDialog, checklist)
    press(Key.Key_V, ALT)
    assert page.tabs.currentWidget() is page.verifications
    press(Key.Key_N, ALT)
    done(qtbot, seen)
    assert seen and accepted(seen)
    activate(qtbot, window)

    # the quote: Alt+Q from the patient, then Alt+C (Cost letter…)
    press(Key.Key_Q, ALT)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.quotes, timeout=5000)
    quotes = window.quotes
    assert window.stack.currentWidget() is quotes and quotes.patient_id == pid
    wait_for_background()
    qtbot.waitUntil(quotes.letter_button.isEnabled, timeout=20_000)

    # nothing saved yet: the letter prints the figures on screen, asking nothing (a question
    # would be answered with Enter, its default, and show up here)
    asked = in_modal(qtbot, QMessageBox, lambda _box: press(Key.Key_Return))
    activate(qtbot, window)
    press(Key.Key_C, ALT)
    qtbot.waitUntil(lambda: quotes.letter_preview is not None, timeout=20_000)
    preview = quotes.letter_preview
    assert isinstance(preview, LetterPreview)
    activate(qtbot, preview)

    # the letter saved as a PDF: Alt+S, type the file's path, Enter
    target = tmp_path / "letters" / "quintero-cost-letter.pdf"
    target.parent.mkdir()

    def save_as(d: QWidget) -> None:
        assert focused().objectName() == "fileNameEdit"
        press(Key.Key_A, CTRL)
        type_text(str(target))
        press(Key.Key_Return)

    seen = in_modal(qtbot, QFileDialog, save_as)
    press(Key.Key_S, ALT)
    done(qtbot, seen)
    assert target.exists(), preview.status.text()
    text = "\n".join(p.extract_text() for p in PdfReader(target).pages)
    assert "Marisol Quintero" in text and "MRN: P0000001" in text
    # the first visit (12/01/2026): $3,968.00 allowed (J1745 $92.50 × 36 units + the admin
    # codes); the $800.00 of deductible left, then 20% of the remaining $3,168.00
    assert "$3,968.00" in text and "$1,433.60" in text
    assert asked == []
    activate(qtbot, preview)  # the window manager gives the keyboard back to the preview
    press(Key.Key_Escape)  # closes the preview
    assert not preview.isVisible()

    with store.session() as s:
        (cov,) = cs.list_coverages(s, pid)
        (saved_order,) = ors.list_orders(s, pid)
        (work,) = vs.worklist(s, today=TODAY, patient_id=pid)
        patient = ps.get_patient(s, pid)
    assert (patient.data.first_name, cov.data.member_id) == ("Marisol", "LKH4417020")
    assert saved_order.data.drug_hcpcs == "J1745" and len(saved_order.visits) == 7
    assert work.latest_status == Status.VERIFIED and work.verified_on == TODAY
