"""The benefits checklist v2 in the domain: conditional items, the count kind, and what each
new verified answer changes in a quote (worked by hand in the comments)."""

from __future__ import annotations

import json
from datetime import date
from decimal import ROUND_HALF_UP
from decimal import Decimal as D
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infudesk.domain import costshare as cs
from infudesk.domain import verification as vf
from infudesk.domain import verified_benefits as vb
from infudesk.reference import yearly_figures

REPO = Path(__file__).resolve().parents[1]
TEMPLATE = REPO / "resources" / "checklists" / "benefits-verification.json"
V1 = Path(__file__).parent / "data" / "benefits-verification-v1.json"
ON = date(2026, 11, 20)
VISIT = date(2026, 12, 22)
FIGURES = yearly_figures()  # the shipped yearly figures


def shipped() -> vf.Checklist:
    return vf.parse_checklist(TEMPLATE.read_text(encoding="utf-8"))


def facts(**kw: object) -> vb.QuoteFacts:
    return vb.QuoteFacts(verified_on=ON, **kw)  # type: ignore[arg-type]


# drug $4,000 + administration $1,000 = $5,000 allowed a visit
LINES = (
    cs.ServiceLine("J1745", 40, D("100.00")),
    cs.ServiceLine("96365", 1, D("1000.00")),
)
KINDS = ("drug", "admin")
PLAN = cs.Coverage(
    plan_type="commercial", deductible=D("1000"), deductible_met=D("0"), coinsurance=D("0.20")
)


def run(
    f: vb.QuoteFacts,
    *,
    dates: tuple[date, ...] = (VISIT,),
    plan: cs.Coverage = PLAN,
    programs: tuple[cs.Program, ...] = (),
) -> cs.Quote:
    req = cs.QuoteRequest(
        dates=dates,
        lines=vb.apply_to_lines(f, LINES, KINDS),
        primary=vb.apply_to_coverage(f, plan),
        assistance=vb.apply_to_programs(f, programs),
    )
    return cs.quote(req)


# --- the template ----------------------------------------------------------------------------


NEW_ITEMS = {
    "network_design": "choice",
    "oon_benefits": "choice",
    "referral": "choice",
    "deductible_applies": "yesno",
    "drug_coinsurance": "percent",
    "admin_coinsurance": "percent",
    "facility_fee": "money",
    "accumulator_program": "choice",
    "visit_limit": "count",
    "visits_used": "count",
    "pa_submission": "choice",
    "pa_contact": "text",
    "auth_number": "text",
    "step_therapy": "choice",
    "preferred_product": "text",
    "lcd_met": "choice",
    "abn": "choice",
}


def test_v2_template_has_the_benefit_investigation_items() -> None:
    c = shipped()
    assert {k: c.item(k).kind.value for k in NEW_ITEMS} == NEW_ITEMS
    # optional ones are optional; conditional ones required only where asked
    required = {k for k in NEW_ITEMS if c.item(k).required}
    assert required == {"referral", "lcd_met", "abn"}
    assert all(c.item(k).show_if for k in required)
    assert dict(c.item("lcd_met").show_if) == {"plan_type": ("medicare", "medicare_advantage")}
    assert dict(c.item("abn").show_if) == {
        "plan_type": ("medicare",),
        "lcd_met": ("no", "unknown"),
    }
    assert dict(c.item("referral").show_if) == {"network_design": ("hmo", "pos")}
    assert dict(c.item("pa_submission").show_if) == {"pa_required": (True,)}
    assert [c.value for c in c.item("pa_submission").choices] == [
        "portal",
        "fax",
        "phone",
        "vendor",
    ]


COMMERCIAL = {
    "plan_active": True,
    "plan_type": "commercial",
    "in_network": "in",
    "coinsurance": D("0.20"),
    "pa_required": False,
    "call_with": "Dana",
    "call_reference": "REF-1",
    "call_at": "x",
}


def asked(answers: dict[str, object]) -> set[str]:
    return {it.key for it in vf.shown_items(shipped(), answers)}


def test_medicare_items_only_for_medicare_plans() -> None:
    assert not asked(COMMERCIAL) & {"lcd_met", "abn", "referral", "oon_benefits", "pa_submission"}
    assert vf.missing_required(shipped(), COMMERCIAL) == []
    medicare = {**COMMERCIAL, "plan_type": "medicare"}
    assert "lcd_met" in asked(medicare) and "abn" not in asked(medicare)
    assert vf.missing_required(shipped(), medicare) == ["Diagnosis meets the LCD/NCD"]
    assert vf.missing_required(shipped(), {**medicare, "lcd_met": "yes"}) == []
    # the ABN is asked only when Medicare may not pay
    doubt = {**medicare, "lcd_met": "unknown"}
    assert "abn" in asked(doubt)
    assert vf.missing_required(shipped(), doubt) == ["Advance Beneficiary Notice (ABN)"]
    assert vf.missing_required(shipped(), {**doubt, "abn": "signed"}) == []
    # Medicare Advantage: LCD asked, ABN never (MA uses organization determinations)
    ma = {**COMMERCIAL, "plan_type": "medicare_advantage", "lcd_met": "no"}
    assert "lcd_met" in asked(ma) and "abn" not in asked(ma)
    assert vf.missing_required(shipped(), ma) == []


def test_hidden_items_cascade_and_are_never_missing() -> None:
    # lcd_met answered "no" but the plan is commercial: lcd_met is hidden, so is the ABN
    answers = {**COMMERCIAL, "lcd_met": "no"}
    assert not asked(answers) & {"lcd_met", "abn"}
    assert vf.shown_answers(shipped(), answers).get("lcd_met") is None
    assert vf.missing_required(shipped(), answers) == []


def test_referral_for_hmo_and_pos_and_pa_items_when_pa_required() -> None:
    for design, wanted in (("hmo", True), ("pos", True), ("ppo", False), ("epo", False)):
        answers = {**COMMERCIAL, "network_design": design}
        assert ("referral" in asked(answers)) is wanted
        assert (vf.missing_required(shipped(), answers) == ["Referral"]) is wanted
    pa = {**COMMERCIAL, "pa_required": True}
    assert {"pa_submission", "pa_contact", "auth_number"} <= asked(pa)
    assert vf.missing_required(shipped(), pa) == []  # all three optional
    oon = {**COMMERCIAL, "in_network": "out"}
    assert "oon_benefits" in asked(oon)
    assert vf.missing_required(shipped(), oon) == []


def test_old_v1_answers_still_complete() -> None:
    """A record verified on the v1 checklist keeps that template; its answers are complete
    under it, and would be under v2 too (no new item is required without a condition)."""
    v1 = vf.parse_checklist(V1.read_text(encoding="utf-8"))
    assert v1.version == 1
    old = {k: v for k, v in COMMERCIAL.items() if k != "plan_type"}
    assert vf.missing_required(v1, old) == []
    assert vf.missing_required(shipped(), old) == []
    # an old Medicare record without plan_type answered: the LCD is not asked of it
    assert vf.missing_required(shipped(), {**old, "deductible": D("283")}) == []


def test_count_kind() -> None:
    item = shipped().item("visit_limit")
    assert vf.check_answer(item, " 30 ") == (30, None)
    assert vf.check_answer(item, "1,200") == (1200, None)
    assert vf.check_answer(item, "0") == (0, None)
    assert vf.check_answer(item, "") == (None, None)
    for bad in ("-3", "2.5", "ten", "١٢"):
        assert vf.check_answer(item, bad) == (None, vf.COUNT_HELP)
    value, error = vf.check_answer(item, "100000")
    assert value is None and error and "too large" in error


def template_with(show_if: object, *, kind: str = "text") -> str:
    return json.dumps(
        {
            "name": "T",
            "version": 1,
            "sections": [
                {
                    "title": "S",
                    "items": [
                        {"key": "plan", "label": "Plan", "kind": "choice", "choices": ["a", "b"]},
                        {"key": "ok", "label": "OK", "kind": "yesno"},
                        {"key": "note", "label": "Note", "kind": "text"},
                        {"key": "x", "label": "X", "kind": kind, "show_if": show_if},
                    ],
                }
            ],
        }
    )


@pytest.mark.parametrize(
    ("show_if", "message"),
    [
        ({"later": ["a"]}, "“later”, which is not an item above this one"),
        ({"note": ["a"]}, "can only name a yes/no or choice item; “note” is text"),
        ({"plan": ["c"]}, '"c" is not one of its choices (a, b)'),
        ({"plan": "a"}, "“plan” must be a list of answers"),
        ({"ok": ["yes"]}, "is a yes/no item: write true or false"),
        ({}, "“show_if” must be an object"),
        (["plan"], "“show_if” must be an object"),
    ],
)
def test_show_if_mistakes_are_named(show_if: object, message: str) -> None:
    with pytest.raises(ValueError, match=r"item 4 \(“x”\)") as err:
        vf.parse_checklist(template_with(show_if))
    assert message in str(err.value)


def test_show_if_values_compare_by_type() -> None:
    c = vf.parse_checklist(template_with({"ok": [True], "plan": ["a"]}))
    assert "x" in {i.key for i in vf.shown_items(c, {"ok": True, "plan": "a"})}
    assert "x" not in {i.key for i in vf.shown_items(c, {"ok": 1, "plan": "a"})}
    assert "x" not in {i.key for i in vf.shown_items(c, {"ok": True})}


# --- what each answer changes in a quote -------------------------------------------------------


def test_no_facts_change_nothing() -> None:
    # $5,000 allowed, $1,000 deductible unmet, 20%: 1,000 + 20% × 4,000 = 1,800
    q = run(facts())
    assert q.totals.patient_owes == D("1800.00")
    assert q.warnings == ()
    assert vb.explanation_notes(facts(), PLAN, LINES, ()) == ()


def test_deductible_does_not_apply() -> None:
    # deductible applies:        1,000 + 20% × (5,000 − 1,000) = 1,000 + 800 = 1,800
    assert run(facts(deductible_applies=True)).totals.patient_owes == D("1800.00")
    # does not apply:            20% × 5,000 = 1,000
    f = facts(deductible_applies=False)
    q = run(f)
    assert (q.totals.deductible, q.totals.patient_owes) == (D("0.00"), D("1000.00"))
    assert vb.apply_to_coverage(f, PLAN).deductible_applies is False
    assert vb.explanation_notes(f, vb.apply_to_coverage(f, PLAN), LINES, ()) == (
        "Deductible does not apply to this service — per verification of 11/20/2026.",
    )


def test_drug_and_administration_coinsurance() -> None:
    f = facts(drug_coinsurance=D("0.30"), admin_coinsurance=D("0.10"))
    lines = vb.apply_to_lines(f, LINES, KINDS)
    assert [ln.coinsurance for ln in lines] == [D("0.30"), D("0.10")]
    # deductible 1,000 comes off the first line (the drug): drug 3,000 × 30% = 900,
    # administration 1,000 × 10% = 100 → 1,000 + 900 + 100 = 2,000 (was 1,800 at 20% flat)
    q = run(f)
    assert (q.totals.deductible, q.totals.coinsurance) == (D("1000.00"), D("1000.00"))
    assert q.totals.patient_owes == D("2000.00")
    # with the deductible not applying: 30% × 4,000 + 10% × 1,000 = 1,200 + 100 = 1,300
    assert run(
        facts(drug_coinsurance=D("0.30"), admin_coinsurance=D("0.10"), deductible_applies=False)
    ).totals.patient_owes == D("1300.00")
    assert vb.explanation_notes(f, PLAN, lines, ()) == (
        "Coinsurance 30% on the drug and 10% on administration — per verification of 11/20/2026.",
    )
    # a rate set by hand on a line stays
    own = (cs.ServiceLine("J1745", 40, D("100.00"), coinsurance=D("0.05")), LINES[1])
    assert [ln.coinsurance for ln in vb.apply_to_lines(f, own, KINDS)] == [D("0.05"), D("0.10")]


def test_facility_fee_is_a_line_on_each_visit() -> None:
    f = facts(facility_fee=D("250"), deductible_applies=False)
    lines = vb.apply_to_lines(f, LINES, KINDS)
    assert lines[-1] == cs.ServiceLine("G0463", 1, D("250"))
    # two visits of 5,000 + 250 = 5,250 allowed, no deductible, 20%: 1,050 each → 2,100
    q = run(f, dates=(VISIT, date(2027, 2, 16)))
    assert [v.allowed for v in q.visits] == [D("5250.00"), D("5250.00")]
    assert q.totals.patient_owes == D("2100.00")  # without the fee: 2 × 1,000 = 2,000
    assert vb.explanation_notes(f, vb.apply_to_coverage(f, PLAN), lines, ())[-1] == (
        "Facility fee $250.00 per visit (G0463), shared like the other lines — per "
        "verification of 11/20/2026."
    )
    # not added twice when the visit already bills it
    assert vb.apply_to_lines(f, lines, (*KINDS, "other")) == lines


CARD = cs.CopayCard(name="Maker card", annual_max=D("2000"), used=D("0"))
OOP_PLAN = cs.Coverage(
    plan_type="commercial", deductible=D("1000"), coinsurance=D("0.20"), oop_max=D("3000")
)


def test_accumulator_program_card_does_not_count() -> None:
    dates = (VISIT, date(2027, 1, 5))
    both = (date(2026, 12, 1), VISIT)  # both in plan year 2026
    # card counts: visit 1 share 1,000 + 800 = 1,800, card pays it (200 left);
    #   visit 2: deductible met, 20% × 5,000 = 1,000; card pays 200 → patient 800
    q = run(facts(accumulator_program="none"), dates=both, plan=OOP_PLAN, programs=(CARD,))
    assert [v.patient_owes for v in q.visits] == [D("0.00"), D("800.00")]
    # accumulator: the card's 1,800 does not count, so visit 2 starts over:
    #   1,000 + 800 = 1,800; card pays its last 200 → patient 1,600
    f = facts(accumulator_program="accumulator")
    q = run(f, dates=both, plan=OOP_PLAN, programs=(CARD,))
    assert [v.patient_owes for v in q.visits] == [D("0.00"), D("1600.00")]
    assert vb.apply_to_programs(f, (CARD,))[0].counts_toward_accumulators is False  # type: ignore[union-attr]
    warnings = vb.quote_warnings(f, dates=dates, primary=OOP_PLAN, lines=LINES, programs=(CARD,))
    assert len(warnings) == 1 and warnings[0].startswith("The plan runs a copay accumulator")
    assert "does not count toward the deductible or out-of-pocket maximum" in warnings[0]
    m = facts(accumulator_program="maximizer")
    (w,) = vb.quote_warnings(m, dates=dates, primary=OOP_PLAN, lines=LINES, programs=(CARD,))
    assert w.startswith("The plan runs a maximizer program")
    # no card: nothing to say
    assert vb.quote_warnings(f, dates=dates, primary=OOP_PLAN, lines=LINES, programs=()) == ()


def warns(f: vb.QuoteFacts, dates: tuple[date, ...] = (VISIT,)) -> tuple[str, ...]:
    return vb.quote_warnings(f, dates=dates, primary=PLAN, lines=LINES, programs=())


def test_warnings_for_what_the_desk_must_act_on() -> None:
    assert (
        warns(
            facts(
                in_network="in",
                step_therapy="met",
                referral="on_file",
                lcd_met="yes",
                plan_type="medicare",
            )
        )
        == ()
    )
    (w,) = warns(facts(in_network="out", oon_benefits="none"))
    assert w.startswith("Out of network with no out-of-network benefits")
    assert w.endswith("(per verification of 11/20/2026).")
    (w,) = warns(facts(in_network="out", oon_benefits="covered"))
    assert w.startswith("Out of network: the plan's out-of-network cost sharing applies")
    (w,) = warns(facts(step_therapy="not_met"))
    assert w.startswith("Step therapy not met")
    (w,) = warns(facts(referral="missing"))
    assert w.startswith("Referral missing")
    (w,) = warns(facts(preferred_product="Inflectra (Q5103)"))
    assert w.startswith("The plan prefers Inflectra (Q5103)")
    assert warns(facts(preferred_product="Remicade (J1745)")) == ()
    (w,) = warns(facts(plan_type="medicare", lcd_met="no", abn="needed"))
    assert "does not meet Medicare's coverage determination" in w and "sign an ABN" in w
    (w,) = warns(facts(plan_type="medicare", lcd_met="unknown", abn="signed"))
    assert "may not meet" in w and "a signed ABN is on file" in w
    (w,) = warns(facts(plan_type="medicare_advantage", lcd_met="no"))
    assert "organization determination" in w


def test_visit_limit_counts_per_plan_year() -> None:
    # 20 a year, 15 used by 11/20/2026: 5 left in 2026; 2027 starts again at 20
    f = facts(visit_limit=20, visits_used=15)
    in_2026 = tuple(date(2026, 12, d) for d in (1, 8, 15, 22, 29))
    assert warns(f, in_2026) == ()  # 5 planned, 5 left
    (w,) = warns(f, (*in_2026, date(2026, 12, 31)))
    assert w.startswith("Visit limit: 6 visits are planned in plan year 2026 but only 5 of the 20")
    assert warns(f, (*in_2026, *(date(2027, 1, d) for d in range(1, 21)))) == ()
    (w,) = warns(f, (*in_2026, *(date(2027, 1, d) for d in range(1, 22))))
    assert "21 visits are planned in plan year 2027 but only 20 of the 20" in w


def test_facts_from_answers_and_json_round_trip() -> None:
    values: dict[str, object] = {
        "deductible_applies": False,
        "drug_coinsurance": D("0.30"),
        "facility_fee": D("0"),
        "visit_limit": 30,
        "visits_used": 4,
        "accumulator_program": "maximizer",
        "in_network": "out",
        "oon_benefits": "covered",
        "lcd_met": "no",
        "abn": "signed",
        "plan_type": "medicare",
        "preferred_product": " Inflectra ",
        "coinsurance": D("0.2"),
    }
    f = vb.facts_from_answers(values, ON)
    assert f == vb.QuoteFacts(
        verified_on=ON,
        deductible_applies=False,
        drug_coinsurance=D("0.30"),
        visit_limit=30,
        visits_used=4,
        accumulator_program="maximizer",
        in_network="out",
        oon_benefits="covered",
        lcd_met="no",
        abn="signed",
        plan_type="medicare",
        preferred_product="Inflectra",
    )  # a $0 facility fee is no fee
    assert vb.QuoteFacts.from_json(json.loads(json.dumps(f.to_json()))) == f


@given(
    drug=st.integers(0, 2_000_000).map(lambda c: D(c) / 100),
    admin=st.integers(0, 500_000).map(lambda c: D(c) / 100),
    fee=st.integers(0, 100_000).map(lambda c: D(c) / 100),
    drug_rate=st.integers(0, 100).map(lambda p: D(p) / 100),
    admin_rate=st.integers(0, 100).map(lambda p: D(p) / 100),
)
def test_split_rates_without_deductible_share_each_line_at_its_rate(
    drug: D, admin: D, fee: D, drug_rate: D, admin_rate: D
) -> None:
    """No deductible and no OOP maximum: the patient pays drug × its rate + administration ×
    its rate + facility fee × the plan's 20%, to the cent; never more than the allowed."""
    f = facts(
        drug_coinsurance=drug_rate,
        admin_coinsurance=admin_rate,
        facility_fee=fee,
        deductible_applies=False,
    )
    lines = (cs.ServiceLine("J1745", 1, drug), cs.ServiceLine("96365", 1, admin))
    req = cs.QuoteRequest(
        dates=(VISIT,),
        lines=vb.apply_to_lines(f, lines, KINDS),
        primary=vb.apply_to_coverage(f, PLAN),
    )
    q = cs.quote(req)
    raw = drug * drug_rate + admin * admin_rate + fee * D("0.20")
    expected = raw.quantize(D("0.01"), rounding=ROUND_HALF_UP)  # the engine rounds half up
    assert q.totals.patient_owes == expected
    assert q.totals.patient_owes <= q.totals.allowed


def test_second_look_at_split_rates_and_visits_used() -> None:
    answers = {
        "drug_coinsurance": D("0.60"),
        "admin_coinsurance": D("0.10"),
        "visit_limit": 12,
        "visits_used": 13,
    }
    warnings = vf.benefit_warnings(answers, 2026, FIGURES)
    assert warnings == {
        "drug_coinsurance": "A coinsurance of 60% is unusually high: check it with the payer.",
        "visits_used": "13 visits used is more than the 12 allowed: check both figures (the "
        "plan may not pay for more visits this plan year).",
    }
    assert vf.benefit_warnings({"visit_limit": 12, "visits_used": 12}, 2026, FIGURES) == {}
