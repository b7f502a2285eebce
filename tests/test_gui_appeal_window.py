"""The payer's appeal window in the Payers screen (blank = by plan type) and the deny step of
the prior-auth case dialog (the window stated on the denial letter)."""
# mypy: disable-error-code="no-untyped-call,comparison-overlap"

from __future__ import annotations

import os

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy.orm import Session

from infudesk.services import payers as pay
from infudesk.services.audit import Actor
from infudesk.store.database import Store
from infudesk.ui.common.ops import Backend
from infudesk.ui.payers.controller import APPEAL_DAYS_NOT_A_NUMBER, parse_appeal_days
from infudesk.ui.payers.payers_screen import PayersScreen
from tests.conftest import TODAY
from tests.qt_helpers import type_text

SHOTS = os.environ.get("INFUDESK_SHOTS")  # a folder to save screenshots in (to look at them)


@pytest.fixture
def backend(store: Store) -> Backend:
    return Backend(store, Actor("desk.clerk"))


@pytest.fixture
def screen(qtbot: QtBot, backend: Backend) -> PayersScreen:
    w = PayersScreen(backend, today=lambda: TODAY)
    qtbot.addWidget(w)
    w.resize(1366, 728)
    w.show()
    qtbot.waitExposed(w)
    return w


def add_payer(store: Store, name: str, **kw: object) -> pay.PayerRecord:
    with store.session() as s:
        return pay.create_payer(s, Actor("seed"), pay.PayerData(name=name, **kw))  # type: ignore[arg-type]


def days_edit(screen: PayersScreen) -> QLineEdit:
    w = screen.widgets["appeal_days"]
    assert isinstance(w, QLineEdit)
    return w


def click(qtbot: QtBot, button: QWidget) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def stored_days(store: Store, payer_id: int) -> int | None:
    with store.session() as s:
        return pay.get_payer(s, payer_id).data.appeal_days


@pytest.mark.parametrize(("text", "days"), [("", None), ("  ", None), ("60", 60), (" 45 ", 45)])
def test_parse_appeal_days(text: str, days: int | None) -> None:
    assert parse_appeal_days(text) == days


@pytest.mark.parametrize("text", ["abc", "6o", "-5", "4.5"])
def test_parse_appeal_days_refuses_words(text: str) -> None:
    with pytest.raises(ValueError, match="whole number of days"):
        parse_appeal_days(text)


def test_blank_is_by_plan_type_and_the_hint_lists_the_defaults(
    qtbot: QtBot, screen: PayersScreen, store: Store
) -> None:
    rec = add_payer(store, "Prairie Family Medicaid", plan_types=("medicaid_managed_care",))
    screen.reload_list(select_id=rec.id)
    assert screen.open_payer(rec.id)
    assert days_edit(screen).text() == ""
    assert days_edit(screen).placeholderText() == "by plan type"
    hint = screen.appeal_hint.text()
    assert "Medicaid, Medicaid managed care: 60" in hint
    assert "Medicare Advantage: 65" in hint
    assert "Commercial, Employer self-funded, Marketplace (ACA): 180" in hint
    if SHOTS:
        screen.grab().save(os.path.join(SHOTS, "payers-appeal-window.png"))


def test_set_and_clear_the_payer_window(qtbot: QtBot, screen: PayersScreen, store: Store) -> None:
    rec = add_payer(store, "Summit Health", plan_types=("commercial",))
    screen.reload_list(select_id=rec.id)
    assert screen.open_payer(rec.id)
    type_text(qtbot, days_edit(screen), "45")
    assert screen.is_dirty()
    click(qtbot, screen.save_button)
    assert stored_days(store, rec.id) == 45
    days_edit(screen).clear()
    days_edit(screen).textEdited.emit("")
    assert screen.is_dirty()
    click(qtbot, screen.save_button)
    assert stored_days(store, rec.id) is None  # back to the plan type's rule


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "0",
            "The appeal window must be 1 to 365 days (0 given). Leave it blank to use the"
            " plan type's window.",
        ),
        (
            "400",
            "The appeal window must be 1 to 365 days (400 given). Leave it blank to use the"
            " plan type's window.",
        ),
        ("abc", APPEAL_DAYS_NOT_A_NUMBER),
    ],
)
def test_bad_window_is_refused_with_a_clear_message(
    qtbot: QtBot, screen: PayersScreen, store: Store, text: str, message: str
) -> None:
    rec = add_payer(store, "Summit Health", plan_types=("commercial",), appeal_days=90)
    screen.reload_list(select_id=rec.id)
    assert screen.open_payer(rec.id)
    assert days_edit(screen).text() == "90"
    days_edit(screen).clear()
    type_text(qtbot, days_edit(screen), text)
    assert screen.is_dirty()
    click(qtbot, screen.save_button)
    box = screen.boxes["appeal_days"]
    assert box.message == message
    assert "Nothing was saved" in screen.status.text()
    assert days_edit(screen).text() == text  # what was typed stays
    assert stored_days(store, rec.id) == 90
    if SHOTS and text == "abc":
        screen.grab().save(os.path.join(SHOTS, "payers-appeal-window-error.png"))


# --- the case dialog -------------------------------------------------------------------------


@pytest.fixture
def seeded(store: Store) -> Backend:
    from infudesk.demo.showcase import seed_demo

    with store.session() as s:
        seed_demo(s, Actor("seed"), today=TODAY)
    return Backend(store, Actor("desk.clerk"))


def d0003_case(backend: Backend) -> int:
    from infudesk.services import patients as ps
    from infudesk.services import prior_auths as pas

    def find(s: Session) -> int:
        pid = ps.get_by_mrn(s, "D0003").id
        [row] = pas.list_cases(s, today=TODAY, patient_id=pid)
        return row.id

    return int(backend.query(find))


def test_deny_step_takes_the_letter_window_and_the_case_shows_the_deadline(
    qtbot: QtBot, seeded: Backend
) -> None:
    from PySide6.QtWidgets import QLabel

    from infudesk.domain.prior_auth import Action, State
    from infudesk.ui.prior_auth.prior_auth_dialog import PriorAuthDialog, StepDialog
    from tests.test_gui_intake_to_verified import in_dialog

    dlg = PriorAuthDialog(seeded, d0003_case(seeded), today=lambda: TODAY)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    assert dlg.frameGeometry().height() <= 728 and dlg.frameGeometry().width() <= 1366
    assert dlg.record.case.state is State.PENDING

    def deny(d: StepDialog) -> None:
        hint = d.findChild(QLabel, "appealDaysHint")
        assert hint is not None
        assert hint.text() == (
            "Blank: 60 days — Medicaid plan appeal. A window printed on the letter wins."
        )
        d.form.widgets["on"].setText("11/25/2026")  # type: ignore[attr-defined]
        d.form.widgets["reason"].setPlainText("IgG levels not documented.")  # type: ignore[attr-defined]
        d.form.widgets["appeal_days"].setText("abc")  # type: ignore[attr-defined]
        d.save_button.click()
        assert d.isVisible()
        assert "whole number of days" in d.form.boxes["appeal_days"].message
        d.form.widgets["appeal_days"].setText("400")  # type: ignore[attr-defined]
        d.save_button.click()
        assert d.isVisible()
        assert "1 to 365 days (400 given)" in d.form.boxes["appeal_days"].message
        if SHOTS:
            d.grab().save(os.path.join(SHOTS, "deny-step.png"))
        d.form.widgets["appeal_days"].setText("")  # type: ignore[attr-defined]
        d.save_button.click()

    seen = in_dialog(StepDialog, deny)  # type: ignore[arg-type]
    qtbot.mouseClick(dlg.action_buttons[Action.DENY], Qt.MouseButton.LeftButton)
    assert seen
    assert dlg.record.case.state is State.DENIED
    # 11/25/2026 (the demo pended the case on 11/24) + 60 days (Medicaid plan appeal):
    # 5 (Nov) + 31 (Dec) + 24 = 01/24/2027
    text = dlg.state_label.text()
    assert "Appeal by 01/24/2027 — 60 days — Medicaid plan appeal" in text
    assert "state fair hearing" in text
    if SHOTS:
        dlg.grab().save(os.path.join(SHOTS, "case-denied-medicaid.png"))
    # no external review button, ever, for this Medicaid case
    assert Action.REQUEST_EXTERNAL_REVIEW not in dlg.action_buttons
