"""Issue 9 (Medicare and commercial plans): Part B terms from the law by year, every Medigap
letter, Medicare Advantage ceiling from the yearly figures, the family OOP embedded apart from
the deductible, copays per service line. Every figure is worked by hand in a comment."""
# mypy: disable-error-code="arg-type"

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infudesk.domain import costshare as cs
from infudesk.domain.costshare import Coverage, FamilyTerms, QuoteRequest, ServiceLine
from infudesk.domain.coverage import PlanType, Terms, terms_warnings
from infudesk.domain.figures import NO_FIGURES, YearlyFigures, figures_from_json
from infudesk.domain.quote_request import RequestError, load_request, request_to_json, run
from infudesk.reference import load_figures, yearly_figures
from infudesk.resources import resource

D = Decimal
FIGS = yearly_figures()
MARCH = date(2026, 3, 2)
VISIT = (ServiceLine("J1745", 1, D("3968.00")),)
# Original Medicare saved without terms: the law's deductible and coinsurance of each year
PART_B_LAW = Coverage("medicare_part_b", yearly_deductible=True, yearly_coinsurance=True)


def quote(
    dates: list[date],
    primary: Coverage | None,
    lines: tuple[ServiceLine, ...] = VISIT,
    secondary: Coverage | None = None,
) -> cs.Quote:
    return cs.quote(QuoteRequest(tuple(dates), lines, primary, secondary), FIGS)


def gap(letter: str, **kw: D) -> Coverage:
    return Coverage("medigap", medigap_plan=letter, **kw)


# --- the yearly figures ----------------------------------------------------------------------


def test_shipped_figures_hold_the_years_of_the_issue() -> None:
    f = FIGS.years
    assert f[2025]["part_b_deductible"] == D("257.00")
    assert f[2026]["part_b_deductible"] == D("283.00")
    assert f[2025]["part_b_coinsurance"] == f[2026]["part_b_coinsurance"] == D("0.20")
    assert f[2025]["medicare_advantage_oop_limit"] == D("9350.00")
    assert f[2026]["medicare_advantage_oop_limit"] == D("9250.00")
    assert (f[2026]["medigap_k_oop_limit"], f[2026]["medigap_l_oop_limit"]) == (
        D("8000.00"),
        D("4000.00"),
    )
    assert (f[2025]["medigap_k_oop_limit"], f[2025]["medigap_l_oop_limit"]) == (
        D("7220.00"),
        D("3610.00"),
    )
    assert f[2025]["medigap_high_deductible"] == D("2870.00")
    assert f[2026]["medigap_high_deductible"] == D("2950.00")
    # L's limit is half of K's by statute (1882(w)(2): 4,000 and 2,000 in 2006, same index)
    for row in f.values():
        assert row["medigap_l_oop_limit"] * 2 == row["medigap_k_oop_limit"]
    # the federal ceilings of the domain notes (cost-sharing.md): the only copy is the file
    for year, (single, family) in {2025: ("9200", "18400"), 2026: ("10600", "21200")}.items():
        assert (f[year]["aca_oop_max"], f[year]["aca_oop_max_family"]) == (D(single), D(family))
    notes = json.loads(resource("reference", "yearly-figures.json").read_text("utf-8"))["notes"]
    assert "https://" in notes["medigap_k_l_oop_limit"]
    assert "https://" in notes["medigap_high_deductible"]


def test_a_missing_year_falls_back_to_the_latest_earlier_one() -> None:
    fig = FIGS.lookup("part_b_deductible", 2027)
    assert fig is not None and (fig.value, fig.year, fig.exact) == (D("283.00"), 2026, False)
    fig = FIGS.lookup("part_b_deductible", 2020)  # before the table: its first year
    assert fig is not None and fig.year == 2025
    assert NO_FIGURES.lookup("part_b_deductible", 2026) is None


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ([], "expected an object"),
        ({"years": {"26": {}}}, "'26' is not a year"),
        ({"years": {"2026": {"part_b_deductable": "1"}}}, "not a known figure"),
        ({"years": {"2026": {"part_b_deductible": 283}}}, "must be a string"),
        ({"years": {"2026": {"part_b_coinsurance": "20"}}}, "fraction"),
    ],
)
def test_bad_figures_files_are_refused_with_the_spot(doc: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        figures_from_json(doc)


def test_an_unreadable_figures_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "yearly-figures.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match="yearly-figures.json"):
        load_figures(path)


# --- Medicare Part B: the law's terms when none are given -----------------------------------


def test_part_b_without_terms_quotes_the_law_not_zero() -> None:
    # Before issue 9 this coverage (no deductible, 0% coinsurance) quoted $0.00 owed.
    # 2026: deductible 283.00; 20% × (3,968 − 283 = 3,685) = 737.00; owes 283 + 737 = 1,020.00;
    # Medicare pays 3,968 − 1,020 = 2,948.00.
    q = quote([MARCH], PART_B_LAW)
    v = q.visits[0]
    assert (v.deductible, v.coinsurance, v.patient_owes, v.primary_paid) == (
        D("283.00"),
        D("737.00"),
        D("1020.00"),
        D("2948.00"),
    )
    assert q.warnings == ()
    assert any("terms by law for 2026" in line for line in v.explanation)


def test_part_b_course_into_a_new_year_takes_that_years_deductible() -> None:
    # 2025-12-15: 257.00 + 20% × (3,968 − 257 = 3,711) = 742.20 → 999.20
    # 2026-01-12: accumulators reset; 283.00 + 737.00 = 1,020.00
    # 2026-02-09: deductible met; 20% × 3,968 = 793.60
    q = quote([date(2025, 12, 15), date(2026, 1, 12), date(2026, 2, 9)], PART_B_LAW)
    assert [v.patient_owes for v in q.visits] == [D("999.20"), D("1020.00"), D("793.60")]
    assert [v.deductible for v in q.visits] == [D("257.00"), D("283.00"), D("0.00")]
    assert not any("same deductible" in w for w in q.warnings)


def test_part_b_in_a_year_the_figures_lack_uses_the_latest_and_warns() -> None:
    q = quote([date(2027, 3, 1)], PART_B_LAW)
    assert q.visits[0].patient_owes == D("1020.00")  # 2026's 283 + 737
    assert any("no Part B deductible for 2027" in w for w in q.warnings)


def test_part_b_law_terms_need_figures_and_a_met_within_them() -> None:
    with pytest.raises(ValueError, match="primary.deductible: no Part B deductible"):
        cs.quote(QuoteRequest((MARCH,), VISIT, PART_B_LAW), NO_FIGURES)
    with pytest.raises(ValueError, match="more than the 2026 Part B deductible"):
        quote([MARCH], replace(PART_B_LAW, deductible_met=D("300")))


def test_contract_omitting_part_b_terms_takes_the_law_and_round_trips() -> None:
    raw = json.dumps(
        {
            "service_dates": ["2026-03-02"],
            "lines": [{"code": "J1745", "units": 1, "unit_price": "3968.00"}],
            "primary": {"plan_type": "medicare_part_b"},
        }
    )
    req = load_request(raw)
    assert req.primary is not None
    assert req.primary.yearly_deductible and req.primary.yearly_coinsurance
    doc = json.loads(run(raw, FIGS))
    assert doc["visits"][0]["patient_owes"] == "1020.00"  # 283 + 737, as above
    back = request_to_json(req)["primary"]
    assert isinstance(back, dict) and "deductible" not in back and "coinsurance" not in back
    assert load_request(json.dumps(request_to_json(req))) == req
    # an explicit null deductible still means none (warned), and 0.20 given is kept
    explicit = json.loads(raw)
    explicit["primary"] = {"plan_type": "medicare_part_b", "deductible": None, "coinsurance": "0.2"}
    doc = json.loads(run(json.dumps(explicit), FIGS))
    assert doc["visits"][0]["patient_owes"] == "793.60"  # 20% × 3,968
    assert any("2026 is $283.00" in w for w in doc["warnings"])
    with pytest.raises(RequestError, match="primary.deductible"):
        run(raw, NO_FIGURES)


# --- Medigap: every letter -------------------------------------------------------------------

# One 2026 visit of $3,968 with the Part B deductible unmet: Medicare leaves deductible 283.00
# and coinsurance 737.00 (= 1,020.00).
#   A B D G M N: pay the coinsurance 737.00, patient keeps the deductible 283.00
#   C F:         pay both 1,020.00, patient 0.00
#   K: 50% × 737 = 368.50; patient 283 + 368.50 = 651.50
#   L: 75% × 737 = 552.75; patient 283 + 184.25 = 467.25
#   HDF HDG: nothing paid until 2,950 of cost sharing in 2026: patient 1,020.00
MEDIGAP_CASES = [
    ("A", "737.00", "283.00"),
    ("B", "737.00", "283.00"),
    ("C", "1020.00", "0.00"),
    ("D", "737.00", "283.00"),
    ("F", "1020.00", "0.00"),
    ("G", "737.00", "283.00"),
    ("K", "368.50", "651.50"),
    ("L", "552.75", "467.25"),
    ("M", "737.00", "283.00"),
    ("N", "737.00", "283.00"),
    ("HDF", "0.00", "1020.00"),
    ("HDG", "0.00", "1020.00"),
]


@pytest.mark.parametrize(("letter", "paid", "owes"), MEDIGAP_CASES)
def test_every_medigap_letter_on_the_part_b_visit(letter: str, paid: str, owes: str) -> None:
    v = quote([MARCH], PART_B_LAW, secondary=gap(letter)).visits[0]
    assert (v.secondary_paid, v.patient_owes) == (D(paid), D(owes))
    assert v.primary_paid == D("2948.00")
    assert any("Medigap Plan" in line for line in v.explanation)


def test_every_letter_is_in_the_table_and_the_contract() -> None:
    assert {c[0] for c in MEDIGAP_CASES} == set(cs.MEDIGAP_PLANS)
    from infudesk.domain.coverage import MEDIGAP_PLANS

    assert set(MEDIGAP_PLANS) == set(cs.MEDIGAP_PLANS)


def test_plan_n_says_its_office_copay_does_not_apply() -> None:
    v = quote([MARCH], PART_B_LAW, secondary=gap("N")).visits[0]
    assert any("does not apply to drug administration" in line for line in v.explanation)


def test_plan_k_limit_reached() -> None:
    # K with 7,800 of its 8,000 limit met: room 200. Visit 1: the deductible 283 stays the
    # patient's (it fills the limit: 7,800 + 283 ≥ 8,000), so K pays all the coinsurance 737.00;
    # patient 283.00. Visit 2 (Part B deductible met): coinsurance 20% × 3,968 = 793.60, all
    # paid by K (limit reached); patient 0.00.
    q = quote([MARCH, date(2026, 4, 6)], PART_B_LAW, secondary=gap("K", oop_met=D("7800")))
    assert [(v.secondary_paid, v.patient_owes) for v in q.visits] == [
        (D("737.00"), D("283.00")),
        (D("793.60"), D("0.00")),
    ]


def test_plan_l_limit_reached_within_a_visit() -> None:
    # L with 3,500 of its 4,000 met: room 500. Visit 1: deductible 283 + 25% × 737 = 184.25
    # = 467.25 ≤ 500: L pays 552.75; met 3,967.25. Visit 2: 25% × 793.60 = 198.40, but only
    # 4,000 − 3,967.25 = 32.75 of room: patient 32.75, L pays 793.60 − 32.75 = 760.85.
    # Visit 3: limit reached: L pays all 793.60.
    dates = [MARCH, date(2026, 4, 6), date(2026, 5, 4)]
    q = quote(dates, PART_B_LAW, secondary=gap("L", oop_met=D("3500")))
    assert [(v.secondary_paid, v.patient_owes) for v in q.visits] == [
        (D("552.75"), D("467.25")),
        (D("760.85"), D("32.75")),
        (D("793.60"), D("0.00")),
    ]


def test_plan_k_limit_starts_again_in_a_new_calendar_year() -> None:
    # 2026 limit reached before the course; 2027 (figures fall back to 2026's): met back to 0:
    # patient 283 + 368.50 = 651.50 again.
    q = quote(
        [date(2026, 12, 7), date(2027, 1, 4)], PART_B_LAW, secondary=gap("K", oop_met=D("8000"))
    )
    assert [v.patient_owes for v in q.visits] == [D("283.00"), D("651.50")]


def test_high_deductible_f_and_g_after_the_deductible() -> None:
    # HDG with 2,500 of 2,950 paid: room 450 of the visit's 1,020 (deductible 283 first, then
    # 167 of the coinsurance): the plan pays the remaining coinsurance 737 − 167 = 570.00.
    v = quote([MARCH], PART_B_LAW, secondary=gap("HDG", deductible_met=D("2500"))).visits[0]
    assert (v.secondary_paid, v.patient_owes) == (D("570.00"), D("450.00"))
    # Met in full: HDF pays like F (1,020.00); HDG like G (737.00, not the Part B deductible).
    v = quote([MARCH], PART_B_LAW, secondary=gap("HDF", deductible_met=D("2950"))).visits[0]
    assert (v.secondary_paid, v.patient_owes) == (D("1020.00"), D("0.00"))
    v = quote([MARCH], PART_B_LAW, secondary=gap("HDG", deductible_met=D("2950"))).visits[0]
    assert (v.secondary_paid, v.patient_owes) == (D("737.00"), D("283.00"))


def test_medigap_accumulators_only_where_the_letter_has_them() -> None:
    assert cs.check_coverage(gap("K", oop_met=D("10"))) is None
    assert cs.check_coverage(gap("HDG", deductible_met=D("10"))) is None
    problem = cs.check_coverage(gap("G", oop_met=D("10")))
    assert problem is not None and problem[0] == "oop_met"
    problem = cs.check_coverage(gap("K", deductible_met=D("10")))
    assert problem is not None and problem[0] == "deductible_met"
    with pytest.raises(ValueError, match="secondary.oop_met"):
        quote([MARCH], PART_B_LAW, secondary=gap("L", oop_met=D("4000.01")))


def test_contract_takes_every_letter_and_its_accumulator() -> None:
    for letter, paid, owes in MEDIGAP_CASES:
        raw = json.dumps(
            {
                "service_dates": ["2026-03-02"],
                "lines": [{"code": "J1745", "units": 1, "unit_price": "3968.00"}],
                "primary": {"plan_type": "medicare_part_b"},
                "secondary": {"plan_type": "medigap", "medigap_plan": letter},
            }
        )
        v = json.loads(run(raw, FIGS))["visits"][0]
        assert (v["secondary_paid"], v["patient_owes"]) == (paid, owes), letter
    req = load_request(
        json.dumps(
            {
                "service_dates": ["2026-03-02"],
                "lines": [{"units": 1, "unit_price": "100"}],
                "primary": {"plan_type": "medicare_part_b"},
                "secondary": {"plan_type": "medigap", "medigap_plan": "K", "oop_met": "7800.00"},
            }
        )
    )
    assert req.secondary == gap("K", oop_met=D("7800.00"))
    assert load_request(json.dumps(request_to_json(req))) == req


medigap_requests = st.builds(
    lambda letter, met, dmet, price, units, yearly, start: QuoteRequest(
        dates=(start, date(start.year, 12, 28)) if start.month < 12 else (start,),
        lines=(ServiceLine("J1459", units, price), ServiceLine("96365", 1, D("160.00"))),
        primary=(
            PART_B_LAW
            if yearly
            else Coverage(
                "medicare_part_b", deductible=D("283"), coinsurance=D("0.20"), deductible_met=dmet
            )
        ),
        secondary=gap(
            letter,
            **(
                {"oop_met": met}
                if cs.MEDIGAP_BENEFITS[letter].limit
                else {"deductible_met": min(met, D("2870"))}  # ≤ 2025's high deductible
                if cs.MEDIGAP_BENEFITS[letter].high_deductible
                else {}
            ),
        ),
    ),
    st.sampled_from(cs.MEDIGAP_PLANS),
    st.integers(0, 3_610_00).map(lambda c: D(c).scaleb(-2)),
    st.integers(0, 283_00).map(lambda c: D(c).scaleb(-2)),
    st.integers(0, 200_000).map(lambda c: D(c).scaleb(-3)),
    st.integers(1, 400),
    st.booleans(),
    st.dates(date(2025, 1, 1), date(2027, 12, 1)),
)


@settings(max_examples=300, deadline=None)
@given(medigap_requests)
def test_property_medigap_share_between_zero_and_part_b_alone(req: QuoteRequest) -> None:
    """Every letter, any accumulators: per visit, 0 ≤ patient ≤ what Part B alone leaves."""
    with_gap = cs.quote(req, FIGS)
    alone = cs.quote(replace(req, secondary=None), FIGS)
    for v, a in zip(with_gap.visits, alone.visits, strict=True):
        assert D("0") <= v.patient_owes <= a.patient_owes
        assert v.secondary_paid + v.patient_owes == a.patient_owes  # to the cent
        assert v.allowed == v.primary_paid + v.secondary_paid + v.patient_owes


# --- Medicare Advantage ceiling --------------------------------------------------------------


@pytest.mark.parametrize(("oop", "warned"), [("9500", True), ("9250", False), ("9000", False)])
def test_medicare_advantage_oop_above_the_2026_ceiling_warns(oop: str, warned: bool) -> None:
    # 2026 in-network ceiling 9,250: 9,500 is impossible (warned), 9,000 is fine.
    ma = Coverage("medicare_advantage", coinsurance=D("0.20"), oop_max=D(oop))
    q = quote([MARCH], ma)
    assert (
        any(
            "above the 2026 Medicare Advantage in-network limit ($9,250.00)" in w
            for w in q.warnings
        )
        is warned
    )
    assert q.visits[0].patient_owes == D("793.60")  # 20% × 3,968: the figure itself unchanged
    # the coverage dialog's check says the same
    found = terms_warnings(Terms(oop_max=D(oop)), PlanType.MEDICARE_ADVANTAGE, 2026, FIGS)
    assert ("oop_max" in found) is warned


def test_medicare_advantage_2025_ceiling_still_applies_to_2025() -> None:
    ma = Coverage("medicare_advantage", oop_max=D("9300"))
    assert not quote([date(2025, 6, 2)], ma).warnings  # 9,300 ≤ 9,350 (2025)
    assert quote([MARCH], ma).warnings  # 9,300 > 9,250 (2026)


# --- family: OOP embedded apart from the deductible ------------------------------------------


def test_family_oop_is_embedded_even_when_the_deductible_is_not() -> None:
    # $20,000 allowed; no individual deductible; family deductible 6,800 not embedded (all of it
    # left); 20% coinsurance; individual OOP 7,000; family OOP 14,000.
    # deductible 6,800 + 20% × (20,000 − 6,800 = 13,200) = 2,640 → 9,440 before the cap.
    # Before issue 9 the one `embedded: false` also dropped the person's OOP: room 14,000 →
    # 9,440. Right: the person's 7,000 is embedded (room min(7,000, 14,000)) → 7,000.
    fam = FamilyTerms(deductible=D("6800"), oop_max=D("14000"), embedded=False)
    c = Coverage("commercial", coinsurance=D("0.20"), oop_max=D("7000"), family=fam)
    line = (ServiceLine("J1745", 1, D("20000.00")),)
    v = quote([MARCH], c, line).visits[0]
    assert (v.deductible, v.coinsurance, v.patient_owes) == (
        D("6800.00"),
        D("200.00"),
        D("7000.00"),
    )
    # the cap takes from the coinsurance first: 9,440 − 7,000 = 2,440 off 2,640 → 200.00
    # a grandfathered plan that embeds neither: 9,440
    loose = replace(c, family=replace(fam, oop_embedded=False))
    assert quote([MARCH], loose, line).visits[0].patient_owes == D("9440.00")


def test_contract_family_oop_embedded_defaults_true_and_round_trips() -> None:
    request = {
        "service_dates": ["2026-03-02"],
        "lines": [{"code": "J1745", "units": 1, "unit_price": "20000.00"}],
        "primary": {
            "plan_type": "commercial",
            "coinsurance": "0.20",
            "oop_max": "7000.00",
            "family": {"deductible": "6800.00", "oop_max": "14000.00", "embedded": False},
        },
    }
    assert json.loads(run(json.dumps(request), FIGS))["visits"][0]["patient_owes"] == "7000.00"
    request["primary"]["family"]["oop_embedded"] = False  # type: ignore[index]
    req = load_request(json.dumps(request))
    assert json.loads(run(json.dumps(request), FIGS))["visits"][0]["patient_owes"] == "9440.00"
    assert load_request(json.dumps(request_to_json(req))) == req


# --- copay per service line ------------------------------------------------------------------

THREE = (
    ServiceLine("J1745", 1, D("1000.00")),
    ServiceLine("96365", 1, D("200.00")),
    ServiceLine("96366", 1, D("60.00")),
)


def test_copay_per_line_is_charged_on_every_line() -> None:
    # $50 per line × 3 lines = $150 (before issue 9: one $50 for the visit)
    per_line = Coverage("commercial", copay=D("50"), copay_applies="line")
    assert quote([MARCH], per_line, THREE).visits[0].copay == D("150.00")
    assert quote([MARCH], replace(per_line, copay_applies="visit"), THREE).visits[0].copay == D(
        "50.00"
    )
    # a line's own copay overrides (no copay on the drug line): 0 + 50 + 50 = 100
    lines = (replace(THREE[0], copay=D("0")), *THREE[1:])
    assert quote([MARCH], per_line, lines).visits[0].copay == D("100.00")
    # a copay is at most its line's allowed amount: 50 + 50 + 30 = 130
    lines = (*THREE[:2], ServiceLine("96366", 1, D("30.00")))
    assert quote([MARCH], per_line, lines).visits[0].copay == D("130.00")


def test_copay_per_line_and_the_oop_cap_order() -> None:
    # copays 3 × 50 = 150; deductible 100; 10% × (1,260 − 150 − 100 = 1,010) = 101.00 → 351.
    # OOP room 120 (1,000 − 880): the cap takes 231 from coinsurance (101), then the deductible
    # (100), then 30 of the copays: coinsurance 0, deductible 0, copay 120.
    c = Coverage(
        "commercial",
        copay=D("50"),
        copay_applies="line",
        deductible=D("100"),
        coinsurance=D("0.10"),
        oop_max=D("1000"),
        oop_met=D("880"),
    )
    v = quote([MARCH], c, THREE).visits[0]
    assert (v.copay, v.deductible, v.coinsurance, v.patient_owes) == (
        D("120.00"),
        D("0.00"),
        D("0.00"),
        D("120.00"),
    )


def test_copay_per_line_after_the_deductible() -> None:
    # deductible 500 unmet: taken from the lines (1,000 → 500 left on J1745); met in this visit,
    # so the per-line copays follow: 50 + 50 + 50 = 150; no coinsurance → 650.
    c = Coverage(
        "commercial",
        copay=D("50"),
        copay_applies="line",
        copay_after_deductible=True,
        deductible=D("500"),
    )
    v = quote([MARCH], c, THREE).visits[0]
    assert (v.deductible, v.copay) == (D("500.00"), D("150.00"))


def test_contract_copay_applies_and_line_copay() -> None:
    request = {
        "service_dates": ["2026-03-02"],
        "lines": [
            {"code": "J1745", "units": 1, "unit_price": "1000.00", "copay": "0.00"},
            {"code": "96365", "units": 1, "unit_price": "200.00"},
            {"code": "96366", "units": 1, "unit_price": "60.00"},
        ],
        "primary": {"plan_type": "commercial", "copay": "50.00", "copay_applies": "line"},
    }
    doc = json.loads(run(json.dumps(request), FIGS))
    assert doc["visits"][0]["copay"] == "100.00"  # 0 + 50 + 50
    req = load_request(json.dumps(request))
    assert load_request(json.dumps(request_to_json(req))) == req
    request["primary"]["copay_applies"] = "visit"  # type: ignore[index]
    with pytest.raises(RequestError, match=r"lines\[0\]\.copay"):
        load_request(json.dumps(request))
    request["primary"]["copay_applies"] = "per_line"  # type: ignore[index]
    with pytest.raises(RequestError, match="primary.copay_applies"):
        load_request(json.dumps(request))


def test_figures_are_a_parameter_not_read_by_the_domain() -> None:
    import infudesk.domain.costshare as engine
    import infudesk.domain.figures as figures

    for module in (engine, figures):
        text = Path(module.__file__ or "").read_text(encoding="utf-8")
        assert "open(" not in text and "read_text" not in text and "import json" not in text
    assert isinstance(FIGS, YearlyFigures)
