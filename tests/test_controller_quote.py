"""The Quotes screen's controller, without Qt: what-if parsing, where errors go, price notes."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infudesk.domain import costshare as cs
from infudesk.errors import ValidationFailed
from infudesk.services import quotes as qs
from infudesk.ui.quote import controller as ctl

LINE = cs.ServiceLine(code="J1745", units=36, unit_price=D("92.50"), charge=D("150.00"))
SHOWN = ctl.LineTexts.of(LINE)
PART_B = cs.original_medicare(cs.Coverage(plan_type="medicare_part_b", coinsurance=D(0)))
PPO = cs.Coverage(
    plan_type="commercial", deductible=D("2000"), deductible_met=D("500"), oop_max=D("6500")
)


def typed(**changes: str) -> ctl.LineTexts:
    return ctl.LineTexts(**{**SHOWN.__dict__, **changes})


def test_a_line_left_as_shown_keeps_its_exact_values() -> None:
    assert ctl.LineTexts("36", "92.50", "150.00", "") == SHOWN
    assert ctl.read_line(LINE, SHOWN, SHOWN) == (LINE, {})
    precise = cs.ServiceLine(code="J1439", units=750, unit_price=D("1.4537"))
    shown = ctl.LineTexts.of(precise)
    assert shown.price == "1.4537"
    assert ctl.read_line(precise, shown, shown)[0] == precise


def test_typed_cells_become_typed_values() -> None:
    line, errors = ctl.read_line(
        LINE, SHOWN, typed(units="1,000", price="$1,250.5", charge="", coinsurance="10%")
    )
    assert errors == {}
    assert line == cs.ServiceLine(
        code="J1745", units=1000, unit_price=D("1250.50"), charge=None, coinsurance=D("0.10")
    )


@pytest.mark.parametrize(
    ("change", "cell"),
    [
        ({"units": "0"}, "units"),
        ({"units": "2.5"}, "units"),
        ({"units": "100001"}, "units"),
        ({"price": ""}, "price"),
        ({"price": "-5"}, "price"),
        ({"charge": "abc"}, "charge"),
        ({"coinsurance": "0.2"}, "coinsurance"),  # ambiguous without a % sign
        ({"coinsurance": "120"}, "coinsurance"),
    ],
)
def test_bad_cells_are_errors_by_cell(change: dict[str, str], cell: str) -> None:
    _line, errors = ctl.read_line(LINE, SHOWN, typed(**change))
    assert list(errors) == [cell]


def test_a_line_without_a_price_on_file_needs_one() -> None:
    free = cs.ServiceLine(code="96366", units=1, unit_price=D(0))
    shown = ctl.LineTexts.of(free)
    assert ctl.read_line(free, shown, shown, missing=True)[1] == {"price": ctl.NO_PRICE}
    line, errors = ctl.read_line(free, shown, ctl.LineTexts("1", "58", "", ""), missing=True)
    assert errors == {} and line is not None and line.unit_price == D("58.00")


@given(st.integers(min_value=1, max_value=ctl.MAX_UNITS))
def test_any_whole_number_of_units_is_read_back(units: int) -> None:
    line, errors = ctl.read_line(LINE, SHOWN, typed(units=f"{units:,}"))
    assert errors == {} and line is not None and line.units == units


@given(st.decimals(min_value=D("0.01"), max_value=D("99999"), places=2))
def test_a_price_typed_as_shown_is_read_back(price: D) -> None:
    text = ctl.price_text(price)
    line, errors = ctl.read_line(LINE, SHOWN, typed(price=text))
    assert errors == {} and line is not None and line.unit_price == price


def test_terms_typed_are_decimals_and_errors_are_keyed_by_path() -> None:
    cov, errors = ctl.read_terms(
        "primary", PPO, {"deductible": "1,500", "coinsurance": "20", "oop_met": ""}
    )
    assert errors == {}
    assert cov == cs.Coverage(
        plan_type="commercial",
        deductible=D("1500.00"),
        deductible_met=D("500"),
        oop_max=D("6500"),
        coinsurance=D("0.20"),
    )
    _cov, errors = ctl.read_terms("secondary", PPO, {"deductible_met": "lots"})
    assert list(errors) == ["secondary.deductible_met"]


def test_empty_deductible_is_none_but_empty_copay_is_zero() -> None:
    cov, _ = ctl.read_terms("primary", PPO, {"deductible": "", "copay": ""})
    assert cov is not None and cov.deductible is None and cov.copay == D("0.00")


def test_original_medicare_keeps_the_laws_terms_unless_given() -> None:
    assert PART_B.yearly_deductible and PART_B.yearly_coinsurance and PART_B.oop_max is None
    cov, errors = ctl.read_terms("primary", PART_B, {"deductible": "", "coinsurance": ""})
    assert errors == {} and cov == PART_B
    cov, _ = ctl.read_terms("primary", PART_B, {"deductible": "257", "oop_max": "5000"})
    assert cov is not None and cov.deductible == D("257.00") and not cov.yearly_deductible
    assert cov.oop_max is None  # Original Medicare has no out-of-pocket maximum
    assert cs.check_coverage(cov) is None


def test_term_fields_follow_the_plan() -> None:
    assert ctl.term_field(PART_B, "oop_max", "money") == ctl.TermField(
        False, placeholder="none (Medicare)"
    )
    assert ctl.term_field(PART_B, "deductible", "money") == ctl.TermField(
        True, placeholder="by law, per year"
    )
    assert ctl.term_field(PPO, "deductible", "money") == ctl.TermField(True, "2,000.00", "none")
    assert ctl.term_field(PPO, "coinsurance", "percent") == ctl.TermField(True, "0")
    medigap = cs.Coverage(plan_type="medigap", medigap_plan="G")
    assert not ctl.term_field(medigap, "deductible", "money").enabled
    assert not ctl.term_field(None, "deductible", "money").enabled


def test_refused_quotes_errors_go_to_their_fields() -> None:
    placed = ctl.place_errors({"primary.deductible_met": "Too much."})
    assert placed == ctl.Placed(
        terms={"primary.deductible_met": "Too much."}, status="Primary terms: Too much."
    )
    placed = ctl.place_errors({"secondary.plan_type": "Medigap pays after Medicare."})
    assert placed.pick == {"secondary": "Medigap pays after Medicare."}
    placed = ctl.place_errors({"from_date": "No planned visit on or after the chosen date."})
    assert placed.pick == {"from_date": "No planned visit from this date on."}
    assert placed.status == "No planned visit on or after the chosen date."
    placed = ctl.place_errors({"primary.family.oop_max": "Above the limit."})
    assert placed.terms == {} and placed.status == "Primary plan (family.oop max): Above the limit."


def test_the_services_refusal_is_placed_without_reading_its_message() -> None:
    setup = qs.QuoteSetup(
        patient_id=1,
        order_id=1,
        primary_id=1,
        secondary_id=None,
        site="infusion_center",
        dates=(),
        lines=(LINE,),
        primary=PPO,
        secondary=None,
        program_ids=(),
        programs=(),
        labels={},
    )
    with pytest.raises(ValidationFailed) as refused:
        qs.compute(qs.with_changes(setup, primary=replace(PPO, deductible_met=D("2500"))))
    assert ctl.place_errors(refused.value.errors).terms.keys() == {"primary.deductible_met"}


def test_price_notes_one_source_is_said_once_and_missing_ones_apart() -> None:
    fee = "Lakeshore Health fee schedule (infusion_center)"
    notes = (
        qs.PriceNote("J1745", fee, D("92.50")),
        qs.PriceNote("96365", fee, D("210")),
    )
    assert ctl.price_notes(notes) == (
        "Prices from the Lakeshore Health fee schedule (infusion center).",
        "",
    )
    missing = qs.PriceNote("96366", "no allowed amount for 96366", None, missing=True)
    found, red = ctl.price_notes((*notes, missing))
    assert found.startswith("J1745: $92.50 per unit from the Lakeshore Health")
    assert red == "96366: no allowed amount for 96366 — enter the allowed amount per unit."
    assert ctl.missing_codes((*notes, missing)) == ["96366"]


def test_price_notes_survive_a_save_and_old_sentences_are_shown_as_they_were() -> None:
    note = qs.PriceNote("J1745", "self-pay price list", D("1.4537"))
    assert qs.PriceNote.from_json(note.to_json()) == note
    old = qs.PriceNote.from_json("J1745: $92.50 per unit from the Lakeshore fee schedule.")
    assert old.text == "J1745: $92.50 per unit from the Lakeshore fee schedule."
    assert not old.missing


def test_plan_names_without_rank() -> None:
    assert ctl.plan_name({"primary": "Primary: X", "primary_plan": "X"}, "primary") == "X"
    assert ctl.plan_name({"primary": "Primary: X"}, "primary") == "Primary: X"  # saved before
