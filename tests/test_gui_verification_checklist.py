"""The verification dialog with the v2 checklist: conditional items appear and disappear as
the answers they depend on change, and a verified save keeps only the items asked."""
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGroupBox, QMessageBox, QWidget

from infudesk.demo.showcase import seed_demo
from infudesk.domain.verification import Status
from infudesk.services import patients as ps
from infudesk.services import quotes as qs
from infudesk.services import verifications as vs
from infudesk.services.audit import Actor
from infudesk.store.database import Store
from infudesk.ui.common.ops import Backend
from infudesk.ui.verification.verification_dialog import VerificationDialog
from tests.conftest import TODAY
from tests.qt_helpers import when_modal

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot


@pytest.fixture
def medicare_verification(store: Store) -> int:
    """A new checklist for D0002's Medicare Part B coverage (plan type pre-filled)."""
    with store.session() as s:
        seed_demo(s, Actor("seed"), today=TODAY)
    with store.session() as s:
        setup = qs.prepare(s, ps.get_by_mrn(s, "D0002").id, today=TODAY)
        assert setup.primary_id is not None
        return vs.start_verification(s, Actor("x"), setup.primary_id, setup.order_id).id


def leave(qtbot: QtBot, d: VerificationDialog) -> None:
    """Close with Esc, discarding the edits when asked (since issue 13 it asks)."""
    asked: list[str] = []

    def discard(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        asked.append(box.windowTitle())
        next(b for b in box.buttons() if b.text() == "&Discard").click()

    when_modal(discard)
    qtbot.keyClick(d, Qt.Key.Key_Escape)
    assert asked == ["Discard changes?"] and not d.isVisible()


def group(d: VerificationDialog, title: str) -> QGroupBox:
    return next(g for g in d.findChildren(QGroupBox) if g.title() == title)


def test_conditional_items_follow_the_answers(
    qtbot: QtBot,
    store: Store,
    actor: Actor,
    medicare_verification: int,
) -> None:
    d = VerificationDialog(Backend(store, actor), medicare_verification, today=lambda: TODAY)
    qtbot.addWidget(d)
    d.resize(1366, 728)
    d.show()
    assert d.form.value("plan_type") == "medicare"
    shown = set(d.shown_keys())
    assert "lcd_met" in shown and "abn" not in shown and "referral" not in shown
    assert "pa_submission" not in shown
    assert group(d, "Medicare coverage").isVisible()
    d.form.set("lcd_met", "unknown")
    assert "abn" in d.shown_keys()
    d.form.set("pa_required", "yes")
    assert {"pa_submission", "pa_contact", "auth_number"} <= set(d.shown_keys())
    d.form.set("network_design", "hmo")
    assert "referral" in d.shown_keys()
    # a commercial plan: no Medicare items, and their section disappears
    d.form.set("plan_type", "commercial")
    assert not {"lcd_met", "abn"} & set(d.shown_keys())
    assert not group(d, "Medicare coverage").isVisible()
    d.form.set("plan_type", "medicare")
    assert d.form.value("lcd_met") == "unknown"  # what was chosen is still there
    assert "abn" in d.shown_keys()
    leave(qtbot, d)


def test_verified_save_asks_for_the_abn_then_keeps_the_items_asked(
    qtbot: QtBot,
    store: Store,
    actor: Actor,
    medicare_verification: int,
) -> None:
    d = VerificationDialog(Backend(store, actor), medicare_verification, today=lambda: TODAY)
    qtbot.addWidget(d)
    d.show()
    for key, value in {
        "plan_active": "yes",
        "in_network": "in",
        "pa_required": "no",
        "lcd_met": "no",
        "call_at": "11/27/2026 9:00 AM",
    }.items():
        d.form.set(key, value)
    for key, value in {
        "coinsurance": "20",
        "call_with": "IVR",
        "call_reference": "M-9",
        "visit_limit": "12",
        "auth_number": "typed while PA was yes",
    }.items():
        d.form.set(key, value)
    d.verified_button.click()
    assert d.saved is None
    assert d.form.boxes["abn"].error.isVisible()
    d.form.set("abn", "signed")
    d.verified_button.click()
    assert d.saved is not None and d.saved.status == Status.VERIFIED
    assert d.saved.answers["abn"] == "signed" and d.saved.answers["visit_limit"] == "12"
    assert "auth_number" not in d.saved.answers  # PA not required: not asked, not kept
    assert d.saved.completed_on == date(2026, 11, 27)
