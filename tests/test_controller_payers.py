"""The Payers screen's controller, without Qt: the filter, the appeal window, what changed."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infudesk.services import payers as pay
from infudesk.ui.payers import controller as ctl

LAKESHORE = pay.PayerRecord(
    1,
    1,
    pay.PayerData(
        name="Lakeshore Health", plan_types=("commercial",), phone="8005550100", fax="8005550199"
    ),
)


@pytest.mark.parametrize(
    ("text", "hit"),
    [
        ("lake", True),
        ("LAKESHORE health", True),
        ("health lake", True),  # every word, any order
        ("commercial", True),  # its plan types' labels
        ("(800) 555-0100", True),  # its numbers however written
        ("555-0199", True),
        ("555-0142", False),
        ("summit", False),
        ("", True),
    ],
)
def test_filter(text: str, hit: bool) -> None:
    assert ctl.matches(LAKESHORE, text) is hit


def test_filter_ignores_accents() -> None:
    rec = pay.PayerRecord(2, 1, pay.PayerData(name="Salud Médica"))
    assert ctl.matches(rec, "medica") and ctl.matches(rec, "MÉDICA")


def test_appeal_window() -> None:
    assert ctl.parse_appeal_days("") is None
    assert ctl.parse_appeal_days(" 60 ") == 60
    with pytest.raises(ValueError, match="whole number of days"):
        ctl.parse_appeal_days("sixty")
    with pytest.raises(ValueError, match="Leave it blank"):
        ctl.parse_appeal_days("0")


@given(st.integers(min_value=-1000, max_value=1000))
def test_appeal_days_from_1_to_365_and_nothing_else(days: int) -> None:
    if 1 <= days <= 365:
        assert ctl.parse_appeal_days(str(days)) == days
    else:
        with pytest.raises(ValueError):
            ctl.parse_appeal_days(str(days))


def test_spacing_and_phone_punctuation_are_not_changes() -> None:
    same = pay.PayerData(
        name=" Lakeshore  Health ",
        plan_types=("commercial",),
        phone="(800) 555-0100",
        fax="800.555.0199",
    )
    assert ctl.normal_form(same) == ctl.normal_form(LAKESHORE.data)
    other = pay.PayerData(name="Lakeshore Health", phone="8005550101")
    assert ctl.normal_form(other) != ctl.normal_form(LAKESHORE.data)
    assert ctl.pretty_phone("8005550100") == "(800) 555-0100"
    assert ctl.pretty_phone("call") == "call"
