"""Deadlines by plan type through the services and the appeal letter, on the demo database:
D0003 is on Medicaid managed care (60 days), D0004 on a commercial HDHP (180 days)."""
# mypy: disable-error-code="arg-type,union-attr"

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from infudesk.domain import prior_auth as pa
from infudesk.domain.prior_auth import Action, State
from infudesk.errors import ValidationFailed
from infudesk.paths import DataPaths
from infudesk.services import letters
from infudesk.services import patients as ps
from infudesk.services import payers as pys
from infudesk.services import prior_auths as pas
from infudesk.services.audit import Actor
from infudesk.store.database import Store
from infudesk.store.models import Payer, PriorAuthCase
from tests.conftest import TODAY, MemoryKeyring
from tests.seeded import Template, copy_template, seed_template
from tests.test_letters import assert_has, pdf_pages


@pytest.fixture(scope="module")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    """An encrypted database with the demo data, and the keychain entries that open it."""
    return seed_template(tmp_path_factory, "deadlines")


@pytest.fixture
def paths(data_dir: Path, memory_keyring: MemoryKeyring, seeded_template: Template) -> DataPaths:
    return copy_template(seeded_template, data_dir, memory_keyring)


def demo_case(store: Store, mrn: str) -> pas.CaseRecord:
    with store.session() as s:
        pid = ps.get_by_mrn(s, mrn).id
        [row] = pas.list_cases(s, today=TODAY, patient_id=pid)
        return pas.get_case(s, row.id)


def act(
    store: Store, actor: Actor, case: pas.CaseRecord, action: Action, on: date, **details: object
) -> pas.CaseRecord:
    with store.session() as s:
        return pas.act(s, actor, case.id, action, on=on, expected_version=case.version, **details)


def deny_d0003(store: Store, actor: Actor, **details: object) -> pas.CaseRecord:
    case = demo_case(store, "D0003")  # pending since 11/18/2026
    assert case.plan_type == "medicaid_managed_care"
    return act(
        store,
        actor,
        case,
        Action.DENY,
        date(2026, 11, 25),  # the demo pended it on 11/24 (3 days before the seed day)
        reason="IgG levels not documented.",
        **details,
    )


def test_demo_payers_have_no_override_and_d0004_keeps_180_days(store: Store) -> None:
    with store.session() as s:
        assert set(s.scalars(select(Payer.appeal_days))) == {None}
    d4 = demo_case(store, "D0004")  # commercial HDHP, denied 10/20/2026
    assert d4.plan_type == "commercial"
    # 10/20/2026 + 180 → 04/18/2027 (unchanged: commercial plans keep 180 days)
    assert d4.appeal_deadline == date(2027, 4, 18)
    assert d4.appeal_by() == "Appeal by 04/18/2027 — 180 days — commercial plan internal appeal"


def test_medicaid_denial_is_due_in_60_days(store: Store, actor: Actor) -> None:
    # Before: 180 days for every payer → 05/24/2027. After: Medicaid plan appeal, 60 days:
    # 11/25/2026 + 60 = 5 (Nov) + 31 (Dec) + 24 → 01/24/2027.
    case = deny_d0003(store, actor)
    assert case.case.state is State.DENIED
    assert case.appeal_deadline == date(2027, 1, 24)
    assert case.appeal_by() == "Appeal by 01/24/2027 — 60 days — Medicaid plan appeal"
    assert "state fair hearing" in case.next_step()
    with store.session() as s:
        [row] = pas.list_cases(s, today=TODAY, patient_id=case.patient_id)
    assert row.appeal_by == case.appeal_by()
    assert row.appeal_deadline == date(2027, 1, 24)
    assert row.appeal_window == pa.AppealWindow(60, "Medicaid plan appeal")
    assert row.next_reminder is not None and row.next_reminder.due_on == date(2027, 1, 24)


def test_letter_window_wins_over_payer_setting(store: Store, actor: Actor) -> None:
    with store.session() as s:
        case = demo_case(store, "D0003")
        payer = pys.get_payer(s, case.payer_id)
        pys.update_payer(
            s,
            actor,
            payer.id,
            pys.PayerData(**{**payer.data.__dict__, "appeal_days": 45}),
            expected_version=payer.version,
        )
    assert demo_case(store, "D0003").payer_appeal_days == 45
    denied = deny_d0003(store, actor)
    # payer setting: 11/25/2026 + 45 = 36 (to 12/31) + 9 → 01/09/2027
    assert denied.appeal_by() == "Appeal by 01/09/2027 — 45 days — payer setting"
    # a case denied with the letter's window: 90 days wins → 36 + 31 + 23 → 02/23/2027
    with store.session() as s:
        s.get(PriorAuthCase, denied.id).appeal_days = 90  # as if the deny step had said 90
    again = demo_case(store, "D0003")
    assert again.appeal_by() == "Appeal by 02/23/2027 — 90 days — stated on the denial letter"


def test_deny_keeps_the_letter_window(store: Store, actor: Actor) -> None:
    case = deny_d0003(store, actor, appeal_days=90)
    assert case.case.letter_appeal_days == 90
    assert case.appeal_deadline == date(2027, 2, 23)
    with store.session() as s:
        assert s.get(PriorAuthCase, case.id).appeal_days == 90


@pytest.mark.parametrize("days", [0, 366])
def test_deny_refuses_a_bad_letter_window(store: Store, actor: Actor, days: int) -> None:
    with pytest.raises(ValidationFailed) as err:
        deny_d0003(store, actor, appeal_days=days)
    assert "1 to 365 days" in err.value.errors["appeal_days"]
    assert demo_case(store, "D0003").case.state is State.PENDING  # nothing recorded


@pytest.mark.parametrize(
    ("value", "ok"), [(None, True), (1, True), (365, True), (0, False), (366, False)]
)
def test_payer_appeal_days_is_checked(
    store: Store, actor: Actor, value: int | None, ok: bool
) -> None:
    with store.session() as s:
        payer = pys.list_payers(s)[0]
        data = pys.PayerData(**{**payer.data.__dict__, "appeal_days": value})
        if ok:
            saved = pys.update_payer(s, actor, payer.id, data, expected_version=payer.version)
            assert saved.data.appeal_days == value
        else:
            with pytest.raises(ValidationFailed) as err:
                pys.update_payer(s, actor, payer.id, data, expected_version=payer.version)
            assert err.value.errors["appeal_days"] == (
                f"The appeal window must be 1 to 365 days ({value} given). Leave it blank to use"
                " the plan type's window."
            )


def test_medicaid_upheld_appeal_offers_no_external_review(store: Store, actor: Actor) -> None:
    case = deny_d0003(store, actor)
    case = act(store, actor, case, Action.APPEAL, date(2026, 12, 1))
    case = act(store, actor, case, Action.DENY_APPEAL, date(2027, 1, 10), reason="Upheld.")
    with pytest.raises(ValidationFailed) as err:
        act(store, actor, case, Action.REQUEST_EXTERNAL_REVIEW, date(2027, 1, 11))
    assert "state fair hearing" in err.value.errors["action"]
    [r] = case.reminders(TODAY)
    # 01/10/2027 + 120 → 05/10/2027 (21 + 28 + 31 + 30 + 10)
    assert (r.kind, r.due_on) == (pa.ReminderKind.FAIR_HEARING_DUE, date(2027, 5, 10))


def test_appeal_letter_names_the_window_and_the_next_step(store: Store, actor: Actor) -> None:
    case = deny_d0003(store, actor)
    with store.session() as s:
        letter = letters.render(s, actor, "appeal", case.patient_id, today=TODAY, case_id=case.id)
    text = " ".join(pdf_pages(letter.pdf))
    assert_has(
        text,
        "Appeal deadline January 24, 2027",
        "within the 60-day appeal period",
        "The appeal window is 60 days (Medicaid plan appeal).",
        "fair hearing within 120 days",
    )
    assert "external review" not in text


def test_appeal_letter_commercial_names_external_review(store: Store, actor: Actor) -> None:
    case = demo_case(store, "D0004")
    with store.session() as s:
        letter = letters.render(s, actor, "appeal", case.patient_id, today=TODAY, case_id=case.id)
    text = " ".join(pdf_pages(letter.pdf))
    assert_has(
        text,
        "Appeal deadline April 18, 2027",
        "The appeal window is 180 days (commercial plan internal appeal).",
        "we will request an independent external review within 4 months",
    )
    assert "fair hearing" not in text and "independent review entity" not in text
