"""The cost-sharing engine in process: worked cases, the request parser, hypothesis properties."""
# mypy: disable-error-code="index,call-overload"

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infudesk.domain import costshare as cs
from infudesk.domain.costshare import (
    Accumulators,
    CopayCard,
    Coverage,
    Discount,
    FamilyTerms,
    FoundationGrant,
    MonthDay,
    QuoteRequest,
    ServiceLine,
)
from infudesk.domain.quote_request import RequestError, load_request, result_to_json, run
from infudesk.reference import yearly_figures

D = Decimal
FIGS = yearly_figures()
MARCH = date(2026, 3, 2)
J5000 = (ServiceLine("J1745", 1, D("5000.00")),)
INFLIX = (ServiceLine("J1745", 35, D("84.12")), ServiceLine("96365", 1, D("160.00")))
PART_B = Coverage("medicare_part_b", deductible=D("283.00"), coinsurance=D("0.20"))


def commercial(**kw: Any) -> Coverage:
    return Coverage("commercial", **kw)


def share(lines: tuple[ServiceLine, ...], c: Coverage, acc: Accumulators | None = None) -> cs.Share:
    return cs.plan_share(lines, [line.allowed for line in lines], c, acc or Accumulators.of(c))


def one(c: Coverage | None, lines: tuple[ServiceLine, ...] = J5000, **kw: Any) -> cs.VisitQuote:
    return cs.quote(QuoteRequest((MARCH,), lines, c, **kw), FIGS).visits[0]


def course(
    dates: list[date], c: Coverage | None, lines: tuple[ServiceLine, ...] = J5000, **kw: Any
) -> cs.Quote:
    return cs.quote(QuoteRequest(tuple(dates), lines, c, **kw), FIGS)


# --- one visit, one plan ---------------------------------------------------------------------


def test_worked_examples_of_the_domain_doc() -> None:
    c = commercial(
        deductible=D("1500"),
        deductible_met=D("500"),
        coinsurance=D("0.20"),
        oop_max=D("6000"),
        oop_met=D("3000"),
    )
    s = share(J5000, c)
    assert (s.deductible, s.coinsurance, s.patient) == (D("1000"), D("800.00"), D("1800.00"))
    s = share(J5000, replace(c, oop_met=D("4500")))  # only 1,500 of room
    assert (s.deductible, s.coinsurance, s.patient, s.capped) == (
        D("1000"),
        D("500.00"),
        D("1500.00"),
        D("300.00"),
    )


def test_oop_cap_takes_coinsurance_then_deductible_then_copay() -> None:
    # copay 50, deductible 1,000, 20% of 3,950 = 790
    c = commercial(copay=D("50"), deductible=D("1000"), coinsurance=D("0.20"), oop_max=D("9000"))
    for oop_met, want in [
        ("8500", ("50", "450", "0")),  # room 500: coinsurance gone, deductible 450
        ("8970", ("30", "0", "0")),  # room 30: only part of the copay
        ("7500", ("50", "1000", "450")),  # room 1,500: 340 off the coinsurance
    ]:
        s = share(J5000, replace(c, oop_met=D(oop_met)))
        assert (s.copay, s.deductible, s.coinsurance) == tuple(D(x) for x in want)


def test_deductible_taken_from_lines_in_order_then_each_lines_rate() -> None:
    a = ServiceLine("A", 1, D("1000"), coinsurance=D("0.50"))
    b = ServiceLine("B", 1, D("1000"), coinsurance=D("0.10"))
    c = commercial(deductible=D("500"), coinsurance=D("0.20"))
    assert share((a, b), c).coinsurance == D("350.00")  # 50% of 500 + 10% of 1,000
    assert share((b, a), c).coinsurance == D("550.00")  # 10% of 500 + 50% of 1,000


def test_copay_counting_toward_a_smaller_deductible() -> None:
    # 30 of deductible left, copay 50 counts: no deductible charged, the deductible is met
    c = commercial(
        copay=D("50"),
        deductible=D("1000"),
        deductible_met=D("970"),
        coinsurance=D("0.20"),
        copay_counts_toward_deductible=True,
    )
    s = share(J5000, c)
    assert (s.copay, s.deductible, s.coinsurance) == (D("50"), D("0"), D("990.00"))
    v = one(c)
    assert v.accumulators is not None and v.accumulators.deductible_met == D("1000")


def test_copay_after_deductible_waits_then_applies() -> None:
    c = commercial(
        copay=D("50"), deductible=D("1500"), coinsurance=D("0.20"), copay_after_deductible=True
    )
    line = (ServiceLine("J1745", 1, D("1000")),)
    s = share(line, c)
    assert (s.copay, s.deductible, s.copay_waiting) == (D("0"), D("1000"), True)
    assert any("starts once the deductible is met" in t for t in one(c, line).explanation)
    # without a deductible (or when it does not apply) the copay applies at once
    assert share(line, replace(c, deductible=None)).copay == D("50")
    assert share(line, replace(c, deductible_applies=False)).copay == D("50")


def test_rooms_embedded_and_not() -> None:
    fam = FamilyTerms(deductible=D("3000"), deductible_met=D("2800"), oop_max=D("8000"))
    c = commercial(deductible=D("1500"), oop_max=D("6000"), family=fam)
    acc = Accumulators.of(c)
    assert cs.deductible_room(c, acc) == D("200")
    assert cs.oop_room(c, acc) == D("6000")
    loose = replace(c, family=replace(fam, embedded=False))
    assert cs.deductible_room(loose, acc) == D("200")
    # Changed with issue 9: `embedded` is the deductible's flag only; the person's OOP stays
    # embedded (6,000) unless `oop_embedded` is false (grandfathered plans): then 8,000.
    assert cs.oop_room(loose, Accumulators.of(loose)) == D("6000")
    looser = replace(c, family=replace(fam, embedded=False, oop_embedded=False))
    assert cs.oop_room(looser, Accumulators.of(looser)) == D("8000")  # the person's 6,000 ignored
    # an embedded family limit without a personal one: the family's
    assert cs.deductible_room(replace(c, deductible=None), acc) == D("200")
    assert cs.oop_room(PART_B, Accumulators()) is None
    assert cs.deductible_room(commercial(), Accumulators()) == D("0")


def test_advance_caps_at_each_limit_and_moves_the_family_too() -> None:
    fam = FamilyTerms(deductible=D("3000"), deductible_met=D("2900"), oop_max=D("9000"))
    c = commercial(deductible=D("1000"), oop_max=D("5000"), oop_met=D("4900"), family=fam)
    acc = cs.advance(c, Accumulators.of(c), D("500"), D("500"))
    assert acc == Accumulators(D("500"), D("5000"), D("3000"), D("500"))


def test_medicare_part_b_has_no_oop_max_and_warns() -> None:
    c = replace(PART_B, deductible_met=D("283"), oop_max=D("100"))
    q = course([MARCH], c, INFLIX)
    assert q.visits[0].patient_owes == D("620.84")
    assert any("no out-of-pocket maximum" in w for w in q.warnings)
    assert not any("coinsurance" in w for w in q.warnings)
    q = course([MARCH], replace(PART_B, coinsurance=D("0.15")), INFLIX)
    assert any("primary.coinsurance" in w for w in q.warnings)


def test_medicare_deductible_of_the_year_is_checked() -> None:
    q = course([date(2025, 6, 2)], replace(PART_B, deductible=D("257")), INFLIX)
    assert q.warnings == ()
    q = course([date(2025, 6, 2)], PART_B, INFLIX)
    assert any("2025 is $257.00" in w for w in q.warnings)


def test_self_pay_owes_the_self_pay_price() -> None:
    v = one(None, (ServiceLine("J1745", 2, D("400.00"), charge=D("900")),))
    assert (v.allowed, v.balance_bill, v.primary_paid, v.patient_owes) == (
        D("800.00"),
        D("0"),
        D("0"),
        D("800.00"),
    )
    assert v.plan_year == "2026" and v.accumulators is None


def test_unit_price_with_more_decimals_is_rounded_per_line() -> None:
    line = ServiceLine("J9999", 3, D("10.0050"), charge=D("20.0049"))
    assert line.allowed == D("30.02")  # 30.015 half up
    assert line.balance_bill == D("30.00")  # 29.9997
    v = one(commercial(), (line,))
    assert v.explanation[0] == "Allowed amount $30.02: J9999 3 × $10.005 = $30.02."


# --- secondary coverage ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("letter", "paid", "owes"),
    [("G", "564.24", "283.00"), ("F", "847.24", "0.00"), ("C", "847.24", "0.00")],
)
def test_medigap(letter: str, paid: str, owes: str) -> None:
    v = one(PART_B, INFLIX, secondary=Coverage("medigap", medigap_plan=letter))
    assert (v.primary_paid, v.secondary_paid, v.patient_owes) == (D("2256.96"), D(paid), D(owes))


def test_standard_cob_pays_the_smaller_of_its_benefit_and_what_is_left() -> None:
    p = commercial(deductible=D("1000"), coinsurance=D("0.20"))
    generous = commercial(coinsurance=D("0.10"))  # would pay 4,500 > 1,800 left
    assert one(p, secondary=generous).secondary_paid == D("1800.00")
    stingy = commercial(deductible=D("2000"), coinsurance=D("0.50"))  # would pay 1,500
    assert one(p, secondary=stingy).secondary_paid == D("1500.00")


def test_secondary_own_oop_room_makes_it_pay_everything() -> None:
    # as primary, the secondary's OOP room of 100 caps its member's share: it would pay 4,900
    p = commercial(coinsurance=D("0.20"))
    s = commercial(deductible=D("2000"), oop_max=D("3000"), oop_met=D("2900"))
    assert one(p, secondary=s).patient_owes == D("0")


def test_secondary_books_move_as_if_primary_and_reset_on_their_own_year() -> None:
    p = commercial(coinsurance=D("0.50"))
    s = commercial(deductible=D("1500"), plan_year_start=MonthDay(4, 1))
    line = (ServiceLine("X", 1, D("1000")),)
    q = course([date(2026, 3, 2), date(2026, 3, 30), date(2026, 4, 27)], p, line, secondary=s)
    # 1: its deductible takes all 1,000 → 0; 2: 500 left → pays 500; 3: new April year → 0
    assert [v.secondary_paid for v in q.visits] == [D("0"), D("500"), D("0")]
    assert any(
        "New plan year 2026-2027 of the secondary plan" in t for t in q.visits[2].explanation
    )
    assert [v.plan_year for v in q.visits] == ["2026", "2026", "2026"]  # the primary's year


def test_pairing_rules() -> None:
    g = Coverage("medigap", medigap_plan="G")
    assert cs.check_pairing(g, None) is not None
    assert cs.check_pairing(None, commercial()) is not None
    assert cs.check_pairing(commercial(), g) is not None
    assert cs.check_pairing(PART_B, g) is None
    assert cs.check_coverage(replace(g, copay=D("20"))) == (
        "copay",
        "a Medigap plan's benefit is set by its letter (G); leave copay out",
    )
    assert cs.check_coverage(replace(PART_B, plan_year_start=MonthDay(7, 1))) is not None
    with pytest.raises(ValueError, match="secondary"):
        cs.quote(QuoteRequest((MARCH,), J5000, None, commercial()))


# --- assistance ------------------------------------------------------------------------------


def test_copay_card_counting_toward_accumulators_contrast() -> None:
    p = commercial(deductible=D("1000"), coinsurance=D("0.20"), oop_max=D("2000"))
    dates = [MARCH, MARCH + timedelta(days=28)]
    counted = course(dates, p, assistance=(CopayCard(per_visit_max=D("800")),))
    # counted: visit 1 meets the deductible and 1,800 of OOP → visit 2's share is 200, all card
    assert [v.patient_owes for v in counted.visits] == [D("1000"), D("0")]
    adjusted = course(
        dates, p, assistance=(CopayCard(per_visit_max=D("800"), counts_toward_accumulators=False),)
    )
    assert [v.patient_owes for v in adjusted.visits] == [D("1000"), D("200")]
    assert any("accumulator adjustment" in t for t in adjusted.visits[0].explanation)


def test_copay_card_refused_when_the_secondary_is_government() -> None:
    q = course(
        [MARCH],
        commercial(coinsurance=D("0.20")),
        secondary=Coverage("medicaid"),
        assistance=(CopayCard(),),
    )
    assert q.visits[0].assistance_paid == D("0")
    assert any("Medicaid" in w for w in q.warnings)


def test_card_pays_cost_sharing_only_grant_pays_the_balance_bill_too() -> None:
    line = (ServiceLine("J1745", 10, D("100"), charge=D("150")),)  # allowed 1,000, bill 500
    p = commercial(network="out", coinsurance=D("0.40"))  # 400
    v = one(p, line, assistance=(CopayCard(), FoundationGrant(balance=D("450"))))
    # card: the 400 of cost sharing; grant: 450 of the 500 balance bill → 50 left
    assert [(a.kind, a.amount) for a in v.assistance] == [
        ("copay_card", D("400")),
        ("foundation_grant", D("450")),
    ]
    assert v.patient_owes == D("50")
    assert v.accumulators is not None and v.accumulators.oop_met == D("400")


def test_copay_card_used_is_for_the_first_visits_calendar_year() -> None:
    p = commercial(coinsurance=D("0.20"))  # 1,000 a visit
    card = CopayCard(annual_max=D("1500"), used=D("1000"))
    q = course([date(2026, 12, 1), date(2026, 12, 29), date(2027, 1, 26)], p, assistance=(card,))
    assert [v.assistance_paid for v in q.visits] == [D("500"), D("0"), D("1000")]


def test_grant_not_applied_after_it_expires_but_on_the_day() -> None:
    grant = FoundationGrant("PAN", D("5000"), expires=date(2026, 3, 30))
    q = course([MARCH, date(2026, 3, 30), date(2026, 3, 31)], None, assistance=(grant,))
    assert [v.assistance_paid for v in q.visits] == [D("5000"), D("0"), D("0")]
    q = course(
        [MARCH, date(2026, 3, 30)], None, (ServiceLine("X", 1, D("10")),), assistance=(grant,)
    )
    assert [v.assistance_paid for v in q.visits] == [D("10"), D("10")]
    assert q.warnings == ()


def test_discount_rounds_half_up() -> None:
    v = one(None, (ServiceLine("X", 1, D("0.05")),), assistance=(Discount(percent=D("0.5")),))
    assert (v.assistance_paid, v.patient_owes) == (D("0.03"), D("0.02"))


# --- courses ---------------------------------------------------------------------------------


def test_plan_year_label_and_containing_start() -> None:
    july = MonthDay(7, 1)
    assert july.year_containing(date(2026, 6, 30)) == date(2025, 7, 1)
    assert july.year_containing(date(2026, 7, 1)) == date(2026, 7, 1)
    assert july.label(date(2025, 7, 1)) == "2025-2026"
    assert MonthDay().label(date(2026, 1, 1)) == "2026"


def test_plan_year_totals_and_reset_explained() -> None:
    c = commercial(deductible=D("1000"), coinsurance=D("0.20"))
    line = (ServiceLine("X", 1, D("600")),)
    q = course([date(2026, 11, 16), date(2026, 12, 14), date(2027, 1, 11)], c, line)
    assert [(y.plan_year, y.totals.visits, y.totals.patient_owes) for y in q.plan_years] == [
        ("2026", 2, D("1040.00")),
        ("2027", 1, D("600")),
    ]
    assert q.totals.patient_owes == D("1640.00")
    assert any(t.startswith("New plan year 2027") for t in q.visits[2].explanation)
    assert any("plan year 2027" in w for w in q.warnings)


def test_long_course_with_secondary_and_two_programs_adds_up() -> None:
    p = commercial(
        deductible=D("2000"),
        coinsurance=D("0.20"),
        oop_max=D("8000"),
        copay=D("25"),
        plan_year_start=MonthDay(10, 1),
    )
    s = commercial(deductible=D("500"), coinsurance=D("0.30"), cob_method="non_duplication")
    programs = (
        CopayCard(per_visit_max=D("300"), annual_max=D("2000"), counts_toward_accumulators=False),
        FoundationGrant(balance=D("1500"), expires=date(2026, 12, 31)),
    )
    dates = [date(2026, 3, 2) + timedelta(days=14 * i) for i in range(26)]
    q = course(dates, p, INFLIX, secondary=s, assistance=programs)
    for v in q.visits:
        assert v.allowed + v.balance_bill == (
            v.primary_paid + v.secondary_paid + v.assistance_paid + v.patient_owes
        )
    assert sum(y.totals.visits for y in q.plan_years) == 26
    assert [y.plan_year for y in q.plan_years] == ["2025-2026", "2026-2027"]


# --- the JSON request ------------------------------------------------------------------------


def test_json_numbers_are_read_exactly_and_match_strings() -> None:
    as_numbers = load_request(
        '{"service_dates": ["2026-03-02"], "lines": [{"units": 35, "unit_price": 84.12}]}'
    )
    as_strings = load_request(
        '{"service_dates": ["2026-03-02"], "lines": [{"units": "35", "unit_price": "84.12"}]}'
    )
    assert as_numbers == as_strings
    assert as_numbers.lines[0].unit_price == D("84.12")
    assert as_numbers.lines[0].code == "LINE 1"


def test_byte_order_mark_and_bytes_are_accepted() -> None:
    raw = '\ufeff{"service_dates": ["2026-03-02"], "lines": [{"units": 1, "unit_price": 1}]}'
    assert load_request(raw.encode("utf-8")).dates == (MARCH,)


@pytest.mark.parametrize(
    ("text", "path"),
    [
        (
            '{"service_dates": ["2026-03-02"], "lines": [{"units": 1, "unit_price": 1, "units": 2}]}',
            "lines[0].units",
        ),
        (
            '{"service_dates": ["2026-03-02"], "lines": [{"units": 1, "unit_price": "1e400"}]}',
            "lines[0].unit_price",
        ),
        (
            '{"service_dates": ["2026-03-02"], "lines": [{"units": 1, "unit_price": 1}], '
            '"primary": {"plan_type": "commercial", "plan_year_start": "02-29"}}',
            "primary.plan_year_start",
        ),
        (
            '{"schedule": {"start": "9999-12-01", "every_days": 30, "count": 3}, '
            '"lines": [{"units": 1, "unit_price": 1}]}',
            "schedule",
        ),
        ("[" * 100_000, "request"),
        (b"\xff\xfe{}", "request"),
    ],
)
def test_request_errors_name_the_path(text: str | bytes, path: str) -> None:
    with pytest.raises(RequestError) as info:
        load_request(text)
    assert info.value.path == path


def test_result_json_has_the_contract_fields_and_extras() -> None:
    req = load_request(
        json.dumps(
            {
                "service_dates": ["2026-03-02"],
                "lines": [{"code": "j1745", "units": 1, "unit_price": "100"}],
                "primary": {
                    "plan_type": "commercial",
                    "coinsurance": "0.2",
                    "oop_max": "500",
                    "family": {"oop_max": "1000"},
                },
                "assistance": [{"kind": "discount", "name": "Sliding scale", "percent": "0.1"}],
            }
        )
    )
    doc = result_to_json(cs.quote(req, FIGS), req.primary)
    v = doc["visits"][0]
    assert v["coinsurance"] == "20.00" and v["assistance_paid"] == "2.00"
    assert v["assistance"] == [
        {"program": 0, "kind": "discount", "name": "Sliding scale", "paid": "2.00"}
    ]
    assert v["accumulators_after"] == {
        "deductible_met": "0.00",
        "oop_met": "20.00",
        "family_deductible_met": "0.00",
        "family_oop_met": "20.00",
    }
    assert "Sliding scale (discount): 10% of $20.00 = $2.00." in v["explanation"]
    assert doc["plan_years"][0]["start"] == "2026-01-01"
    assert run(
        json.dumps({"service_dates": ["2026-03-02"], "lines": [{"units": 1, "unit_price": 1}]})
    ).endswith("}\n")


# --- properties ------------------------------------------------------------------------------

money = st.integers(0, 1_000_000).map(lambda c: D(c).scaleb(-2))
small_money = st.integers(0, 300_000).map(lambda c: D(c).scaleb(-2))
rates = st.integers(0, 100).map(lambda p: D(p).scaleb(-2))


@st.composite
def limit_and_met(draw: st.DrawFn) -> tuple[Decimal | None, Decimal]:
    limit = draw(st.none() | money)
    if limit is None:
        return None, D("0.00")
    return limit, (limit * draw(rates)).quantize(D("0.01"))


@st.composite
def coverages(draw: st.DrawFn, plan_types: tuple[str, ...]) -> Coverage:
    ded, ded_met = draw(limit_and_met())
    oop, oop_met = draw(limit_and_met())
    family = None
    if draw(st.booleans()):
        fd, fdm = draw(limit_and_met())
        fo, fom = draw(limit_and_met())
        family = FamilyTerms(fd, fdm, fo, fom, draw(st.booleans()), draw(st.booleans()))
    plan_type = draw(st.sampled_from(plan_types))
    md = (
        MonthDay()
        if plan_type == "medicare_part_b"
        else draw(st.builds(MonthDay, st.integers(1, 12), st.integers(1, 28)))
    )
    # Original Medicare may take its deductible and coinsurance from the law (yearly figures)
    yearly = plan_type == "medicare_part_b" and draw(st.booleans())
    if yearly:
        ded, ded_met = None, min(ded_met, D("257.00"))
    return Coverage(
        plan_type=plan_type,
        network=draw(st.sampled_from(cs.NETWORKS)),
        yearly_deductible=yearly,
        yearly_coinsurance=yearly and draw(st.booleans()),
        copay_applies=draw(st.sampled_from(cs.COPAY_APPLIES)),
        deductible=ded,
        deductible_met=ded_met,
        oop_max=oop,
        oop_met=oop_met,
        coinsurance=draw(rates),
        copay=draw(st.sampled_from([D("0"), D("20"), D("50.00"), D("150")])),
        copay_after_deductible=draw(st.booleans()),
        copay_counts_toward_deductible=draw(st.booleans()),
        deductible_applies=draw(st.booleans()),
        family=family,
        plan_year_start=md,
        cob_method=draw(st.sampled_from(cs.COB_METHODS)),
    )


PRIMARY_TYPES = ("commercial", "medicare_advantage", "medicaid", "medicare_part_b")
lines_st = st.lists(
    st.builds(
        ServiceLine,
        st.sampled_from(["J1745", "96365", "J0129"]),
        st.integers(1, 60),
        st.integers(0, 100_000).map(lambda c: D(c).scaleb(-3)),
        st.none() | st.integers(0, 150_000).map(lambda c: D(c).scaleb(-3)),
        st.none() | rates,
        st.none() | st.sampled_from([D("0"), D("25.00"), D("80")]),
    ),
    min_size=1,
    max_size=4,
).map(tuple)
programs_st = st.lists(
    st.one_of(
        st.builds(
            CopayCard,
            st.just("Card"),
            st.none() | small_money,
            st.none() | money,
            st.just(D("0")),
            st.booleans(),
        ),
        st.builds(
            FoundationGrant,
            st.just("Grant"),
            small_money,
            st.none() | st.dates(date(2026, 1, 1), date(2027, 12, 31)),
        ),
        st.builds(Discount, st.just("Discount"), rates),
    ),
    max_size=3,
).map(tuple)


@st.composite
def dates_st(draw: st.DrawFn, max_visits: int = 8) -> tuple[date, ...]:
    start = draw(st.dates(date(2025, 1, 1), date(2026, 12, 31)))
    gaps = draw(st.lists(st.integers(1, 120), max_size=max_visits - 1))
    out = [start]
    for g in gaps:
        out.append(out[-1] + timedelta(days=g))
    return tuple(out)


@st.composite
def medigaps(draw: st.DrawFn) -> Coverage:
    """Any Medigap letter, with part of its K/L limit or high deductible already met."""
    letter = draw(st.sampled_from(cs.MEDIGAP_PLANS))
    met = draw(st.integers(0, 361_000).map(lambda c: D(c).scaleb(-2)))  # ≤ 2025's L limit
    benefit = cs.MEDIGAP_BENEFITS[letter]
    return Coverage(
        "medigap",
        medigap_plan=letter,
        oop_met=met if benefit.limit else D("0.00"),
        deductible_met=min(met, D("2870")) if benefit.high_deductible else D("0.00"),
    )


@st.composite
def requests(
    draw: st.DrawFn, *, secondary: bool = True, assistance: bool = True, max_visits: int = 8
) -> QuoteRequest:
    primary = draw(st.none() | coverages(PRIMARY_TYPES))
    second = None
    if secondary and primary is not None:
        options = [st.none(), coverages(("commercial", "medicaid", "medicare_advantage"))]
        if primary.plan_type == "medicare_part_b":
            options.append(medigaps())
        second = draw(st.one_of(*options))
    return QuoteRequest(
        dates=draw(dates_st(max_visits)),
        lines=draw(lines_st),
        primary=primary,
        secondary=second,
        assistance=draw(programs_st) if assistance else (),
    )


@settings(max_examples=300, deadline=None)
@given(requests())
def test_property_shares_add_up_to_the_cent(req: QuoteRequest) -> None:
    q = cs.quote(req, FIGS)
    for v in q.visits:
        assert v.allowed + v.balance_bill == (
            v.primary_paid + v.secondary_paid + v.assistance_paid + v.patient_owes
        )
        for x in (
            v.allowed,
            v.deductible,
            v.coinsurance,
            v.copay,
            v.primary_paid,
            v.secondary_paid,
            v.balance_bill,
            v.assistance_paid,
            v.patient_owes,
        ):
            assert x >= 0 and x == x.quantize(D("0.01"))
        assert v.secondary_paid <= v.deductible + v.coinsurance + v.copay
    assert q.totals.patient_owes == sum((v.patient_owes for v in q.visits), D(0))


def _room_at(c: Coverage, first_year: bool) -> Decimal | None:
    acc = Accumulators.of(c) if first_year else Accumulators()
    return cs.oop_room(c, acc)


@settings(max_examples=300, deadline=None)
@given(requests())
def test_property_patient_never_pays_more_than_the_oop_room(req: QuoteRequest) -> None:
    """Per plan year, what the patient owes apart from balance bills stays within the OOP room
    (with or without a secondary, assistance, or a card the plan does not count)."""
    q = cs.quote(req, FIGS)
    if req.primary is None:
        return
    for n, year in enumerate(q.plan_years):
        room = _room_at(req.primary, n == 0)
        if room is None:
            continue
        visits = [v for v in q.visits if v.plan_year == year.plan_year]
        if all(
            not isinstance(a, CopayCard) or a.counts_toward_accumulators for a in req.assistance
        ):
            assert sum(v.deductible + v.coinsurance + v.copay for v in visits) <= room
            assert sum(v.patient_owes_before_assistance - v.balance_bill for v in visits) <= room
        assert sum(v.patient_owes - v.balance_bill for v in visits) <= room


@settings(max_examples=300, deadline=None)
@given(requests(), st.integers(1, 100))
def test_property_more_deductible_met_never_raises_a_visit(req: QuoteRequest, pct: int) -> None:
    """One visit, any coverages and assistance."""
    req = replace(req, dates=req.dates[:1])
    p = req.primary
    if p is None or p.deductible is None:
        return
    more = p.deductible_met + (p.deductible - p.deductible_met) * pct // 100
    before = cs.quote(req, FIGS).visits[0]
    after = cs.quote(replace(req, primary=replace(p, deductible_met=more)), FIGS).visits[0]
    assert after.patient_owes <= before.patient_owes
    assert after.patient_owes_before_assistance <= before.patient_owes_before_assistance


@settings(max_examples=300, deadline=None)
@given(requests(secondary=False, assistance=False), st.integers(1, 100))
def test_property_more_deductible_met_never_raises_a_course(req: QuoteRequest, pct: int) -> None:
    """A whole course under one plan. (With a secondary it can: meeting more deductible makes
    the primary's OOP fill more slowly, so a later visit may leave the secondary more to pay
    but also the patient — see test_more_met_with_a_secondary_can_cost_more.)"""
    p = req.primary
    if p is None or p.deductible is None:
        return
    more = p.deductible_met + (p.deductible - p.deductible_met) * pct // 100
    before = cs.quote(req, FIGS).totals.patient_owes
    after = cs.quote(
        replace(req, primary=replace(p, deductible_met=more)), FIGS
    ).totals.patient_owes
    assert after <= before


def test_more_met_with_a_secondary_can_cost_more() -> None:
    """Why the course property above has no secondary: a documented, real effect."""
    p = commercial(deductible=D("1000"), oop_max=D("1000"), coinsurance=D("0.20"))
    s = commercial(coinsurance=D("0.10"), cob_method="non_duplication")
    line = (ServiceLine("X", 1, D("1000")),)
    dates = [MARCH, MARCH + timedelta(days=28)]
    unmet = course(dates, p, line, secondary=s).totals.patient_owes  # 100 + 0
    met = course(dates, replace(p, deductible_met=D("1000")), line, secondary=s)
    assert (unmet, met.totals.patient_owes) == (D("100.00"), D("200.00"))  # 100 + 100


@settings(max_examples=300, deadline=None)
@given(requests())
def test_property_assistance_never_makes_the_patient_owe_less_than_zero(req: QuoteRequest) -> None:
    for v in cs.quote(req, FIGS).visits:
        assert v.patient_owes >= 0
        assert v.assistance_paid <= v.patient_owes_before_assistance
        assert all(a.amount > 0 for a in v.assistance)
        assert sum((a.amount for a in v.assistance), D(0)) == v.assistance_paid


@settings(max_examples=100, deadline=None)
@given(requests(max_visits=3))
def test_property_the_json_round_trip_matches_the_engine(req: QuoteRequest) -> None:
    """Rendering keeps every figure: reading the JSON money back gives the engine's values."""
    doc = result_to_json(cs.quote(req, FIGS), req.primary)
    for got, v in zip(doc["visits"], cs.quote(req, FIGS).visits, strict=True):
        assert D(got["patient_owes"]) == v.patient_owes
        assert got["date"] == v.date.isoformat()
