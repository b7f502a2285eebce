"""A verified benefits checklist (v2) carried into the quote, on the seeded demo database: the
figures it changes, the explanation that cites it, the warnings it raises, and old v1
verifications that keep loading and counting as complete."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest
from sqlalchemy import select

from infudesk.demo.showcase import seed_demo
from infudesk.domain import costshare as cs
from infudesk.domain import verification as dv
from infudesk.domain.verification import Status
from infudesk.errors import ValidationFailed
from infudesk.services import coverages as cvs
from infudesk.services import patients as ps
from infudesk.services import quotes as qs
from infudesk.services import verifications as vs
from infudesk.services.audit import Actor
from infudesk.store.database import Store
from infudesk.store.models import Verification
from tests.conftest import TODAY

V1 = Path(__file__).parent / "data" / "benefits-verification-v1.json"
BASE = {  # D0001's Lakeshore PPO as the payer gave it
    "plan_active": "yes",
    "in_network": "in",
    "deductible": "2000",
    "deductible_met": "500",
    "oop_max": "6500",
    "oop_met": "900",
    "coinsurance": "20",
    "pa_required": "no",
    "call_with": "Dana",
    "call_reference": "LKH-2",
    "call_at": "11/27/2026 9:00 AM",
}


@pytest.fixture
def demo(store: Store) -> dict[str, int]:
    with store.session() as s:
        seed_demo(s, Actor("seed"), today=TODAY)
    with store.session() as s:
        return {mrn: ps.get_by_mrn(s, mrn).id for mrn in ("D0001", "D0002")}


def reverify(
    store: Store, actor: Actor, patient: int, answers: dict[str, str], *, on: date = TODAY
) -> vs.VerificationRecord:
    """Verify the patient's primary coverage and order again with these answers."""
    with store.session() as s:
        setup = qs.prepare(s, patient, today=TODAY)
        assert setup.primary_id is not None
        rec = vs.start_verification(s, actor, setup.primary_id, setup.order_id)
        return vs.save_verification(
            s,
            actor,
            rec.id,
            {**rec.answers, **answers},
            status=Status.VERIFIED,
            expected_version=rec.version,
            today=on,
        )


def quote(store: Store, patient: int) -> tuple[qs.QuoteSetup, cs.Quote]:
    with store.session() as s:
        setup = qs.prepare(s, patient, today=TODAY)
    return setup, qs.compute(setup)


def test_d0001_before_is_unchanged_by_an_old_style_verification(
    store: Store, demo: dict[str, int]
) -> None:
    # the demo's own verification answers none of the new items: the quote is as before
    # (A 3,968; deductible 1,500 + 20% × 2,468 = 493.60 → 1,993.60, all paid by the card)
    setup, q = quote(store, demo["D0001"])
    assert setup.verified is not None and setup.verified.verified_on == date(2026, 10, 20)
    assert [ln.coinsurance for ln in setup.lines] == [None] * 4
    assert q.visits[0].patient_owes_before_assistance == D("1993.60")
    assert not any("per verification" in x for x in q.visits[0].explanation)
    assert not any("per verification" in w for w in q.warnings)


def test_d0001_every_figure_changing_answer(
    store: Store, actor: Actor, demo: dict[str, int]
) -> None:
    reverify(
        store,
        actor,
        demo["D0001"],
        {
            **BASE,
            "deductible_applies": "no",
            "drug_coinsurance": "25",
            "admin_coinsurance": "10",
            "facility_fee": "150",
            "accumulator_program": "Accumulator adjustment program",
        },
    )
    setup, q = quote(store, demo["D0001"])
    assert setup.primary is not None and setup.primary.deductible_applies is False
    assert [(ln.code, ln.coinsurance) for ln in setup.lines] == [
        ("J1745", D("0.25")),
        ("J1745-JW", D("0.25")),
        ("96365", D("0.10")),
        ("96366", D("0.10")),
        ("G0463", None),
    ]
    assert setup.lines[-1].unit_price == D("150.00")
    assert (
        setup.price_notes[-1].text
        == "G0463: facility fee per visit, per verification of 11/27/2026."
    )
    assert len(setup.price_notes) == len(setup.lines)
    assert setup.programs[0].counts_toward_accumulators is False  # type: ignore[union-attr]
    (v,) = q.visits
    # A = 3,968 + 150 facility = 4,118; no deductible;
    # drug 3,700 × 25% = 925.00, administration 268 × 10% = 26.80, facility 150 × 20% = 30.00
    # → 981.80 (before: 1,993.60); the copay card pays it all
    assert v.allowed == D("4118.00")
    assert (v.deductible, v.coinsurance) == (D("0.00"), D("981.80"))
    assert v.patient_owes_before_assistance == D("981.80")
    assert v.patient_owes == D("0.00")
    # the card's 981.80 does not move the plan's accumulators: OOP met stays at 900
    assert v.accumulators is not None and v.accumulators.oop_met == D("900")
    assert v.explanation[1:5] == (
        "Deductible does not apply to this service — per verification of 11/27/2026.",
        "Coinsurance 25% on the drug and 10% on administration — per verification of 11/27/2026.",
        "Facility fee $150.00 per visit (G0463), shared like the other lines — per "
        "verification of 11/27/2026.",
        "Copay-card payments do not count toward the deductible or out-of-pocket maximum "
        "(accumulator program) — per verification of 11/27/2026.",
    )
    assert any(w.startswith("The plan runs a copay accumulator") for w in q.warnings)


def test_d0001_split_rates_with_the_deductible(
    store: Store, actor: Actor, demo: dict[str, int]
) -> None:
    reverify(
        store,
        actor,
        demo["D0001"],
        {
            **BASE,
            "deductible_applies": "yes",
            "drug_coinsurance": "25",
            "admin_coinsurance": "10",
        },
    )
    _, q = quote(store, demo["D0001"])
    (v,) = q.visits
    # deductible 1,500 comes off J1745 (3,330): 1,830 × 25% = 457.50; J1745-JW 370 × 25% =
    # 92.50; 96365 210 × 10% = 21.00; 96366 58 × 10% = 5.80 → coinsurance 576.80;
    # 1,500 + 576.80 = 2,076.80 (at 20% flat: 1,993.60)
    assert (v.deductible, v.coinsurance) == (D("1500.00"), D("576.80"))
    assert v.patient_owes_before_assistance == D("2076.80")
    assert not any(x.startswith("Deductible does not apply") for x in v.explanation)


def test_terms_edited_after_the_verification_win_for_the_deductible(
    store: Store, actor: Actor, demo: dict[str, int]
) -> None:
    reverify(
        store, actor, demo["D0001"], {**BASE, "deductible_applies": "no"}, on=date(2026, 11, 20)
    )
    with store.session() as s:
        setup = qs.prepare(s, demo["D0001"], today=TODAY)
        assert setup.primary_id is not None
        terms = cvs.get_coverage(s, setup.primary_id).terms
        assert terms is not None and terms.terms.deductible_applies is False  # recorded too
        cvs.record_terms(
            s,
            actor,
            setup.primary_id,
            replace(terms.terms, deductible_applies=True),
            as_of=TODAY,
            source="edited by hand",
        )
    setup, q = quote(store, demo["D0001"])
    assert setup.primary is not None and setup.primary.deductible_applies is True
    assert q.visits[0].patient_owes_before_assistance == D("1993.60")
    assert not any("Deductible does not apply" in x for x in q.visits[0].explanation)


def test_d0001_warnings_from_the_checklist(
    store: Store, actor: Actor, demo: dict[str, int]
) -> None:
    reverify(
        store,
        actor,
        demo["D0001"],
        {
            **BASE,
            "in_network": "out",
            "oon_benefits": "none",
            "network_design": "HMO",
            "referral": "Required, not on file yet",
            "step_therapy": "not_met",
            "preferred_product": "Inflectra (Q5103)",
            "visit_limit": "6",
            "visits_used": "6",
            "pa_required": "yes",
            "pa_submission": "vendor",
            "pa_contact": "UM vendor, fax 555-0100",
            "auth_number": "A-7781",
        },
    )
    _, q = quote(store, demo["D0001"])
    mine = [w for w in q.warnings if w.endswith("(per verification of 11/27/2026).")]
    assert [w.split(":")[0] for w in mine] == [
        "Out of network with no out-of-network benefits",
        "Visit limit",
        "Step therapy not met",
        "The plan prefers Inflectra (Q5103)",
        "Referral missing",
    ]
    assert "1 visits are planned in plan year 2026 but only 0 of the 6" in mine[1]
    with store.session() as s:
        rec = vs.list_for_patient(s, demo["D0001"])[0][0]
    assert rec.answers["auth_number"] == "A-7781"


def test_d0002_medicare_lcd_not_met_and_abn(
    store: Store, actor: Actor, demo: dict[str, int]
) -> None:
    answers = {
        "plan_active": "yes",
        "in_network": "in",
        "deductible": "283",
        "deductible_met": "0",
        "coinsurance": "20",
        "pa_required": "no",
        "call_with": "IVR",
        "call_reference": "M-1",
        "call_at": "11/27/2026 9:00 AM",
        "lcd_met": "no",
    }
    with pytest.raises(ValidationFailed) as err:  # the ABN is asked, and required, now
        reverify(store, actor, demo["D0002"], answers)
    assert set(err.value.errors) == {"abn"}
    reverify(store, actor, demo["D0002"], {**answers, "abn": "needed"})
    _, q = quote(store, demo["D0002"])
    (w,) = [w for w in q.warnings if "LCD" in w]
    assert w.startswith("The diagnosis does not meet Medicare's coverage determination")
    assert "have the patient sign an ABN before the visit" in w


def test_hidden_answers_are_not_kept(store: Store, actor: Actor, demo: dict[str, int]) -> None:
    # D0001 is commercial: an LCD answer typed anyway is not asked, so not stored nor used
    rec = reverify(store, actor, demo["D0001"], {**BASE, "lcd_met": "no", "abn": "needed"})
    assert "lcd_met" not in rec.answers and "abn" not in rec.answers
    _, q = quote(store, demo["D0001"])
    assert not any("LCD" in w for w in q.warnings)


def test_saved_quote_keeps_the_verified_facts(
    store: Store, actor: Actor, demo: dict[str, int]
) -> None:
    reverify(
        store, actor, demo["D0001"], {**BASE, "deductible_applies": "no", "facility_fee": "150"}
    )
    with store.session() as s:
        saved = qs.save_quote(s, actor, qs.prepare(s, demo["D0001"], today=TODAY))
    again = qs.setup_from_saved(saved)
    assert again.verified is not None and again.verified.facility_fee == D("150.00")
    first = saved.result["visits"][0]["explanation"]
    assert qs.compute(again).visits[0].explanation == tuple(first)
    assert "Deductible does not apply to this service — per verification of 11/27/2026." in first


def test_old_v1_verification_still_loads_complete_and_quotes_as_before(
    store: Store, actor: Actor, demo: dict[str, int]
) -> None:
    """A record verified on the v1 checklist (no new items) keeps its template: it loads, is
    complete, and gives the quote no new figure."""
    with store.session() as s:
        setup = qs.prepare(s, demo["D0001"], today=TODAY)
        row = Verification(
            coverage_id=setup.primary_id,
            order_id=setup.order_id,
            status=Status.VERIFIED,
            template=V1.read_text(encoding="utf-8"),
            answers=json.dumps({**BASE, "copay_applies": "none"}),
            completed_on=TODAY,
            created_by="old",
            updated_by="old",
        )
        s.add(row)
        s.flush()
        rec = vs.get_verification(s, row.id)
        assert rec.checklist.version == 1
        values, errors = vs.parse_answers(rec.checklist, rec.answers)
        assert errors == {} and dv.missing_required(rec.checklist, values) == []
        facts = vs.quote_facts(s, setup.primary_id, setup.order_id)  # type: ignore[arg-type]
        assert facts is not None and facts.verified_on == TODAY
        assert facts.deductible_applies is None and facts.facility_fee is None
        ids = s.scalars(select(Verification.id)).all()
        assert row.id == max(ids)
    _, q = quote(store, demo["D0001"])
    assert q.visits[0].patient_owes_before_assistance == D("1993.60")
