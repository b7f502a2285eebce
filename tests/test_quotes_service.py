"""The quote service on the seeded demo database: building a quote from an order, coverages, the
fee schedule and assistance; computing it; numbered, unchangeable saved snapshots; the export
and the `quote --json` command agreeing with what was saved."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D
from pathlib import Path

import pytest
from sqlalchemy import select

from infudesk.demo.showcase import seed_demo
from infudesk.domain import costshare as cs
from infudesk.domain.orders import OrderData
from infudesk.domain.patients import PatientData
from infudesk.domain.quote_request import load_request, request_to_json, result_to_json
from infudesk.errors import NotFound, UserError, ValidationFailed
from infudesk.services import assistance as asv
from infudesk.services import export
from infudesk.services import fees as fsv
from infudesk.services import orders as ors
from infudesk.services import patients as ps
from infudesk.services import quotes as qs
from infudesk.services.audit import Actor
from infudesk.store.database import Store
from infudesk.store.models import AuditEvent, SavedQuote
from tests.conftest import TODAY

REPO = Path(__file__).resolve().parents[1]
MRNS = ("D0001", "D0002", "D0003", "D0004", "D0005", "D0006")


@pytest.fixture
def demo(store: Store) -> dict[str, int]:
    """The demo database (showcase patients, fee schedule, programs, one saved quote each)."""
    with store.session() as s:
        seed_demo(s, Actor("seed"), today=TODAY)
    with store.session() as s:
        return {mrn: ps.get_by_mrn(s, mrn).id for mrn in MRNS}


def prices(setup: qs.QuoteSetup) -> list[tuple[str, int, D, D | None]]:
    return [(ln.code, ln.units, ln.unit_price, ln.charge) for ln in setup.lines]


# ============================================================================================
# prepare()
# ============================================================================================


def test_d0001_lines_priced_from_lakeshore_and_ppo_terms(
    store: Store, demo: dict[str, int]
) -> None:
    with store.session() as s:
        setup = qs.prepare(s, demo["D0001"], today=TODAY)
    assert setup.site == "infusion_center"
    # Every 56 days from 2026-01-20: only 2026-12-22 is on or after today (2026-11-27).
    assert setup.dates == (date(2026, 12, 22),)
    # 360 mg from four 100 mg vials: 36 units given, 4 wasted (JW) at the same allowed price;
    # the center's row gives the billed charge.
    assert prices(setup) == [
        ("J1745", 36, D("92.50"), D("150.00")),
        ("J1745-JW", 4, D("92.50"), D("150.00")),
        ("96365", 1, D("210.00"), D("420.00")),
        ("96366", 1, D("58.00"), D("120.00")),
    ]
    assert (
        setup.price_notes[0].text
        == "J1745: $92.50 per unit from the Lakeshore Health fee schedule."
    )
    assert setup.price_notes[1].text.startswith("J1745-JW: $92.50 per unit")
    assert setup.primary == cs.Coverage(
        plan_type="commercial",
        deductible=D("2000"),
        deductible_met=D("500"),
        oop_max=D("6500"),
        oop_met=D("900"),
        coinsurance=D("0.20"),
    )
    assert setup.secondary is None and setup.secondary_id is None
    assert setup.primary_id is not None
    assert setup.programs == (
        cs.CopayCard(name="Infliximab copay program", annual_max=D("20000"), used=D("0")),
    )
    assert len(setup.program_ids) == 1
    assert setup.labels["primary"] == "Primary: Lakeshore Health PPO"
    assert setup.labels["programs"] == "Infliximab copay program (copay card, $20,000/year)"


def test_d0001_quote_hand_checked_with_copay_card(store: Store, demo: dict[str, int]) -> None:
    with store.session() as s:
        q = qs.compute(qs.prepare(s, demo["D0001"], today=TODAY))
    (v,) = q.visits
    # A = 36×92.50 + 4×92.50 + 210 + 58 = 3,330 + 370 + 268 = 3,968.00
    assert v.allowed == D("3968.00")
    # deductible left 2,000 − 500 = 1,500; coinsurance 20% × (3,968 − 1,500) = 493.60;
    # OOP room 6,500 − 900 = 5,600 does not cap 1,993.60
    assert (v.deductible, v.coinsurance) == (D("1500.00"), D("493.60"))
    assert v.patient_owes_before_assistance == D("1993.60")
    assert v.primary_paid == D("1974.40")  # 3,968 − 1,993.60
    # the copay card ($20,000 a year, nothing used) pays it all
    assert v.assistance_paid == D("1993.60")
    assert v.patient_owes == D("0.00")


def test_d0002_part_b_with_medigap_g_secondary(store: Store, demo: dict[str, int]) -> None:
    with store.session() as s:
        setup = qs.prepare(s, demo["D0002"], today=TODAY, from_date=date(2026, 12, 1))
    assert setup.primary == cs.Coverage(
        plan_type="medicare_part_b", deductible=D("283"), coinsurance=D("0.20")
    )
    assert setup.primary.oop_max is None  # Original Medicare has no OOP maximum
    assert setup.secondary == cs.Coverage(plan_type="medigap", medigap_plan="G")
    assert setup.labels["secondary"] == "Secondary: Evergreen Medigap G"
    assert setup.programs == ()
    # The request names the plan letter only: no cost-sharing fields for the Medigap plan.
    secondary = request_to_json(setup.request())["secondary"]
    assert isinstance(secondary, dict)
    assert secondary["medigap_plan"] == "G"
    assert not {
        "deductible",
        "deductible_met",
        "oop_max",
        "oop_met",
        "coinsurance",
        "copay",
        "copay_after_deductible",
        "copay_counts_toward_deductible",
        "deductible_applies",
    } & set(secondary)
    assert prices(setup) == [
        ("J1459", 130, D("62.13"), D("95.00")),
        ("96365", 1, D("160.00"), D("420.00")),
        ("96366", 3, D("40.56"), D("120.00")),
    ]
    q = qs.compute(setup)
    first = q.visits[0]
    # A = 130×62.13 + 160 + 3×40.56 = 8,076.90 + 160 + 121.68 = 8,358.58
    assert first.allowed == D("8358.58")
    # deductible 283 (Plan G does not pay it); coinsurance 20% × 8,075.58 = 1,615.116 → 1,615.12
    assert (first.deductible, first.coinsurance) == (D("283.00"), D("1615.12"))
    assert first.secondary_paid == D("1615.12")
    assert first.primary_paid == D("6460.46")  # 8,358.58 − 283 − 1,615.12
    assert first.patient_owes == D("283.00")
    # 13 visits over 2026 and 2027: the Part B deductible once in each year
    assert len(q.visits) == 13
    assert q.totals.patient_owes == D("566.00")


def test_d0005_self_pay_prices_and_half_off(store: Store, demo: dict[str, int]) -> None:
    with store.session() as s:
        setup = qs.prepare(s, demo["D0005"], today=TODAY)
    assert setup.primary is None and setup.secondary is None
    assert setup.labels["primary"] == "None (self-pay)"
    assert prices(setup) == [
        ("J1439", 750, D("1.45"), D("2.60")),
        ("96365", 1, D("180.00"), D("420.00")),
    ]
    assert tuple(n.text for n in setup.price_notes) == (
        "J1439: $1.45 per unit from the self-pay price list.",
        "96365: $180.00 per unit from the self-pay price list.",
    )
    assert setup.programs == (cs.Discount(name="Sliding-scale discount", percent=D("0.50")),)
    q = qs.compute(setup)
    # per visit 750×1.45 + 180 = 1,087.50 + 180 = 1,267.50; two visits 7 days apart = 2,535.00
    assert [v.date for v in q.visits] == [date(2026, 12, 3), date(2026, 12, 10)]
    assert q.totals.patient_owes_before_assistance == D("2535.00")
    assert q.totals.patient_owes == D("1267.50")
    assert q.totals.patient_owes * 2 == q.totals.patient_owes_before_assistance
    assert q.totals.assistance_paid == D("1267.50")


def test_d0004_prices_follow_the_site(store: Store, demo: dict[str, int]) -> None:
    with store.session() as s:
        hosp = qs.prepare(s, demo["D0004"], today=TODAY)
        center = qs.prepare(s, demo["D0004"], today=TODAY, site="infusion_center")
    assert hosp.site == "hospital_outpatient"  # the order's site of care
    assert prices(hosp) == [
        ("J2350", 600, D("71.20"), D("85.00")),
        ("96413", 1, D("455.00"), D("560.00")),
        ("96415", 2, D("118.00"), D("140.00")),
    ]
    assert center.site == "infusion_center"
    assert prices(center) == [
        ("J2350", 600, D("48.90"), D("85.00")),
        ("96413", 1, D("260.00"), D("560.00")),
        ("96415", 2, D("62.00"), D("140.00")),
    ]
    assert center.price_notes[0].text == (
        "J2350: $48.90 per unit from the Summit Health fee schedule (infusion_center)."
    )
    # hospital: 600×71.20 + 455 + 2×118 = 42,720 + 455 + 236 = 43,411.00
    # center:   600×48.90 + 260 + 2×62  = 29,340 + 260 + 124 = 29,724.00
    assert qs.compute(hosp).visits[0].allowed == D("43411.00")
    assert qs.compute(center).visits[0].allowed == D("29724.00")


def test_missing_price_is_noted_and_priced_zero(
    store: Store, actor: Actor, demo: dict[str, int]
) -> None:
    with store.session() as s:
        row = next(
            r
            for r in fsv.all_rows(s)
            if r.row.payer == "Lakeshore Health" and r.row.code == "96366"
        )
        fsv.delete_row(s, actor, row.id)
    with store.session() as s:
        setup = qs.prepare(s, demo["D0001"], today=TODAY)
    assert prices(setup)[3] == ("96366", 1, D("0"), D("120.00"))
    assert setup.price_notes[3].text == (
        "96366: no allowed amount for 96366 from Lakeshore Health — enter the allowed amount "
        "per unit."
    )
    # the other lines are still priced
    assert setup.lines[2].unit_price == D("210.00")


def test_self_pay_missing_price_is_noted(store: Store, actor: Actor, demo: dict[str, int]) -> None:
    with store.session() as s:
        row = next(r for r in fsv.all_rows(s) if r.row.payer == "" and r.row.code == "J1439")
        fsv.delete_row(s, actor, row.id)
    with store.session() as s:
        setup = qs.prepare(s, demo["D0005"], today=TODAY)
    assert prices(setup)[0] == ("J1439", 750, D("0"), None)
    assert setup.price_notes[0].text.startswith("J1439: no price")


def test_what_if_self_pay_drops_the_secondary_and_uses_self_pay_prices(
    store: Store, demo: dict[str, int]
) -> None:
    with store.session() as s:
        setup = qs.prepare(s, demo["D0002"], today=TODAY, primary_id=None)
        no_programs = qs.prepare(s, demo["D0001"], today=TODAY, program_ids=())
    assert setup.primary is None and setup.secondary is None
    assert setup.primary_id is None
    assert setup.labels["secondary"] == "—"
    assert prices(setup)[0] == ("J1459", 130, D("60.00"), D("95.00"))  # the self-pay price
    assert no_programs.programs == () and no_programs.program_ids == ()
    assert no_programs.labels["programs"] == "—"


def test_no_order_is_a_user_error(store: Store, actor: Actor, demo: dict[str, int]) -> None:
    data = PatientData(
        first_name="Ada", last_name="Quinn", birth_date=date(1970, 5, 4), sex="F", mrn="T0001"
    )
    with store.session() as s:
        pid = ps.create_patient(s, actor, data, today=TODAY, allow_look_alike=True).id
    with store.session() as s:
        with pytest.raises(UserError) as info:
            qs.prepare(s, pid, today=TODAY)
        assert info.value.title == "Nothing to quote"
        assert "no therapy order" in info.value.message
        with pytest.raises(NotFound):
            qs.prepare(s, 999_999, today=TODAY)


# ============================================================================================
# compute()
# ============================================================================================


def test_compute_refuses_met_above_the_maximum(
    store: Store, actor: Actor, demo: dict[str, int]
) -> None:
    with store.session() as s:
        setup = qs.prepare(s, demo["D0001"], today=TODAY)
    assert setup.primary is not None
    what_if = qs.with_changes(setup, primary=replace(setup.primary, deductible_met=D("2500")))
    with pytest.raises(UserError) as info:
        qs.compute(what_if)
    assert isinstance(info.value, ValidationFailed)
    assert list(info.value.errors) == ["primary.deductible_met"]
    text = info.value.errors["primary.deductible_met"]
    assert text == "$2,500.00 met is more than the deductible $2,000.00."
    assert info.value.title == "Check the quote's terms"
    oop = qs.with_changes(setup, primary=replace(setup.primary, oop_met=D("6500.01")))
    with pytest.raises(ValidationFailed) as refused:
        qs.compute(oop)
    assert list(refused.value.errors) == ["primary.oop_met"]
    # saving it is refused too, and nothing is saved
    with store.session() as s:
        with pytest.raises(UserError):
            qs.save_quote(s, actor, what_if)
        assert [q.number for q in qs.list_quotes(s, demo["D0001"])] == [1]


def test_compute_refuses_medigap_as_primary(store: Store, demo: dict[str, int]) -> None:
    with store.session() as s:
        setup = qs.prepare(s, demo["D0002"], today=TODAY)
    swapped = qs.with_changes(setup, primary=setup.secondary, secondary=None)
    with pytest.raises(ValidationFailed) as info:
        qs.compute(swapped)
    assert list(info.value.errors) == ["primary.plan_type"]


def test_no_visit_after_from_date(store: Store, actor: Actor, demo: dict[str, int]) -> None:
    with store.session() as s:
        setup = qs.prepare(s, demo["D0001"], today=TODAY, from_date=date(2026, 12, 23))
        assert setup.dates == ()
        with pytest.raises(UserError) as info:
            qs.compute(setup)
        assert info.value.title == "Nothing to quote"
        assert isinstance(info.value, ValidationFailed)
        assert "No planned visit on or after the chosen date" in info.value.errors["from_date"]
        with pytest.raises(UserError):
            qs.save_quote(s, actor, setup)


# ============================================================================================
# save_quote and what it keeps
# ============================================================================================

IRON = OrderData(
    drug_name="ferric carboxymaltose (Injectafer)",
    drug_hcpcs="J1439",
    dose=D("750"),
    route="iv",
    minutes=20,
    every_days=7,
    visit_count=2,
    start_on=date(2027, 3, 1),
    diagnosis="D50.9",
    provider_name="Priya Raman",
    provider_npi="1647382914",
    site_of_care="infusion_center",
)


def test_numbers_count_per_patient_and_order(
    store: Store, actor: Actor, demo: dict[str, int]
) -> None:
    with store.session() as s:
        second = ors.create_order(s, actor, demo["D0005"], IRON, today=TODAY)
    with store.session() as s:
        setup = qs.prepare(s, demo["D0005"], today=TODAY, order_id=second.id)
        assert setup.dates == (date(2027, 3, 1), date(2027, 3, 8))
        a = qs.save_quote(s, actor, setup)
        b = qs.save_quote(s, actor, setup, title="  Second look  ")
        # the first order already has the demo's quote 1: the next is 2
        first_order = qs.save_quote(s, actor, qs.prepare(s, demo["D0005"], today=TODAY))
        other_patient = qs.save_quote(s, actor, qs.prepare(s, demo["D0004"], today=TODAY))
    assert (a.summary.number, b.summary.number) == (1, 2)
    assert (a.summary.title, b.summary.title) == ("Quote 1", "Second look")
    assert a.summary.order_id == b.summary.order_id == second.id
    assert first_order.summary.number == 2 and first_order.summary.order_id != second.id
    assert other_patient.summary.number == 2


def test_saved_snapshot_reloads_and_recomputes(
    store: Store, actor: Actor, demo: dict[str, int]
) -> None:
    with store.session() as s:
        setup = qs.prepare(s, demo["D0001"], today=TODAY)
        rec = qs.save_quote(s, actor, setup, title="December visit")
    # The request is the contract's JSON: it loads back into the very same request …
    request = load_request(json.dumps(rec.request))
    assert request == setup.request()
    # … and the engine on it gives exactly the saved result.
    assert result_to_json(cs.quote(request), request.primary) == rec.result
    assert rec.result["totals"]["patient_owes"] == "0.00"
    assert rec.result["totals"]["assistance_paid"] == "1993.60"
    assert rec.summary.patient_owes == D("0.00")
    assert rec.context["site"] == "infusion_center"
    assert rec.context["primary_id"] == setup.primary_id
    assert rec.context["price_notes"] == [n.to_json() for n in setup.price_notes]
    assert qs.setup_from_saved(rec).price_notes == setup.price_notes
    # the figures a screen shows: typed, the same whether computed now or read from the save
    live = qs.figures(qs.compute(setup))
    assert rec.figures == live
    assert live.totals.patient_owes == rec.summary.patient_owes
    assert live.totals.insurance == sum((v.figures.insurance for v in live.visits), D(0))
    assert rec.context["labels"] == setup.labels


def test_saved_quote_does_not_change_with_the_data(
    store: Store, actor: Actor, demo: dict[str, int]
) -> None:
    with store.session() as s:
        rec = qs.save_quote(s, actor, qs.prepare(s, demo["D0001"], today=TODAY))
        lakeshore = next(r.payer_id for r in fsv.all_rows(s) if r.row.payer == "Lakeshore Health")
    with store.session() as s:  # the contract price rises and the copay card is stopped
        fsv.save_row(
            s,
            actor,
            payer_id=lakeshore,
            site="",
            code="J1745",
            allowed=D("100.00"),
            charge=None,
            self_pay=None,
        )
        for p in asv.list_programs(s, demo["D0001"]):
            asv.set_active(s, actor, p.id, False)
    with store.session() as s:
        again = qs.get_quote(s, rec.summary.id)
        now = qs.prepare(s, demo["D0001"], today=TODAY)
    assert (again.request, again.result, again.context) == (rec.request, rec.result, rec.context)
    assert again.summary == rec.summary
    assert again.request["lines"][0]["unit_price"] == "92.5000"
    # a new quote sees the new data
    assert now.lines[0].unit_price == D("100.00") and now.programs == ()
    with store.session() as s, pytest.raises(NotFound):
        qs.get_quote(s, 999_999)


def test_who_and_when_and_audit(store: Store, actor: Actor, demo: dict[str, int]) -> None:
    before = datetime.now(UTC)
    with store.session() as s:
        rec = qs.save_quote(s, actor, qs.prepare(s, demo["D0002"], today=TODAY))
    with store.session() as s:
        summary = qs.get_quote(s, rec.summary.id).summary
        events = s.scalars(
            select(AuditEvent).where(
                AuditEvent.entity == "quote", AuditEvent.entity_id == rec.summary.id
            )
        ).all()
        assert s.get(SavedQuote, rec.summary.id) is not None
    assert summary.created_by == "test.clerk"
    assert summary.created_at.tzinfo is not None
    assert (
        before - timedelta(seconds=5)
        <= summary.created_at
        <= datetime.now(UTC) + timedelta(seconds=5)
    )
    assert [(e.action, e.actor, e.patient_id, json.loads(e.detail)) for e in events] == [
        ("create", "test.clerk", demo["D0002"], {"number": 2})
    ]


def test_list_quotes_newest_first(store: Store, actor: Actor, demo: dict[str, int]) -> None:
    with store.session() as s:
        setup = qs.prepare(s, demo["D0004"], today=TODAY)
        qs.save_quote(s, actor, setup, title="Hospital")
        qs.save_quote(
            s,
            actor,
            qs.prepare(s, demo["D0004"], today=TODAY, site="infusion_center"),
            title="Infusion center",
        )
    with store.session() as s:
        listed = qs.list_quotes(s, demo["D0004"])
    assert [(q.number, q.title) for q in listed] == [
        (3, "Infusion center"),
        (2, "Hospital"),
        (1, "Course estimate"),
    ]
    assert [q.id for q in listed] == sorted((q.id for q in listed), reverse=True)
    # hospital: visit 1 (2026): 3,500 + 10% × 39,911 = 7,491.10 → OOP cap 7,000, grant pays
    # 4,000 (expires 2026-12-31) → 3,000; visit 2 (2027, new plan year) 7,000 → 10,000.00.
    # center: 3,500 + 10% × 26,224 = 6,122.40 − 4,000 = 2,122.40; 2027: 6,122.40 → 8,244.80.
    assert [q.patient_owes for q in listed] == [D("8244.80"), D("10000.00"), D("10000.00")]


def test_setup_from_saved_round_trip(store: Store, actor: Actor, demo: dict[str, int]) -> None:
    with store.session() as s:
        setups = [qs.prepare(s, demo[m], today=TODAY) for m in ("D0001", "D0002", "D0004", "D0005")]
        saved = [qs.save_quote(s, actor, x) for x in setups]
    for setup, rec in zip(setups, saved, strict=True):
        back = qs.setup_from_saved(rec)
        assert back == setup
        assert result_to_json(qs.compute(back), back.primary) == rec.result


def test_export_includes_programs_and_quotes(
    store: Store, actor: Actor, demo: dict[str, int]
) -> None:
    with store.session() as s:
        rec = qs.save_quote(s, actor, qs.prepare(s, demo["D0004"], today=TODAY), title="Again")
        for p in asv.list_programs(s, demo["D0004"]):
            asv.set_active(s, actor, p.id, False)
    with store.session() as s:
        record = export.patient_record(s, "D0004")
        first = qs.get_quote(s, qs.list_quotes(s, demo["D0004"])[-1].id)
    json.dumps(record, ensure_ascii=False)  # JSON-ready
    (grant,) = record["assistance_programs"]  # inactive ones are part of the record too
    assert {k: grant[k] for k in ("kind", "name", "balance", "expires", "active")} == {
        "kind": "foundation_grant",
        "name": "MS Access Fund grant",
        "balance": "4000.00",
        "expires": "2026-12-31",
        "active": False,
    }
    quotes = record["quotes"]
    assert [(q["number"], q["title"]) for q in quotes] == [(2, "Again"), (1, "Course estimate")]
    assert quotes[0]["request"] == rec.request and quotes[0]["result"] == rec.result
    assert quotes[0]["created_by"] == "test.clerk" and quotes[0]["patient_owes"] == "10000.00"
    assert quotes[1]["request"] == first.request and quotes[1]["result"] == first.result
    assert quotes[1]["request"]["assistance"][0]["kind"] == "foundation_grant"


# ============================================================================================
# the command line agrees with the service
# ============================================================================================


def test_quote_cli_agrees_with_the_saved_d0002_quote(store: Store, demo: dict[str, int]) -> None:
    with store.session() as s:
        (summary,) = qs.list_quotes(s, demo["D0002"])
        saved = qs.get_quote(s, summary.id)
    env = dict(os.environ)
    env.pop("QT_QPA_PLATFORM", None)
    env["PYTHONIOENCODING"] = "utf-8"
    proc = subprocess.run(
        [sys.executable, "-m", "infudesk", "quote", "--json", "-"],
        input=json.dumps(saved.request),
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["totals"] == saved.result["totals"]
    # from 2026-12-01: the Part B deductible in 2026 and again in 2027 = 566.00
    assert out["totals"]["patient_owes"] == "566.00"
    assert out["visits"] == saved.result["visits"]
