"""The Settings screen's controller, without Qt: typed values as stored, problems, changes."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from infudesk.domain.validation import check_phone, format_phone
from infudesk.ui.settings import controller as ctl


def test_typed_values_in_their_stored_form() -> None:
    assert ctl.phone_value("(312) 555-0100") == "3125550100"
    assert ctl.phone_value("+1 312.555.0100") == "3125550100"
    assert ctl.phone_value("555-0100") == "555-0100"  # kept as typed, to be refused
    assert ctl.tin_value("361234567") == "36-1234567"
    assert ctl.tin_value(" 36-1234567 ") == "36-1234567"
    assert ctl.address_value("  1 Main St \n\n  Chicago, IL  \n") == "1 Main St\nChicago, IL"


def test_problems_are_the_services_checks_plus_the_forms_own() -> None:
    values = {"center.tin": "12", "center.npi": "1851234561", "center.logo": "x.gif"}
    problems = ctl.problems(values, {"center.logo": lambda v: "Choose a PNG." if v else None})
    assert set(problems) == {"center.tin", "center.logo"}
    assert ctl.problems({"center.name": ""}, {})["center.name"].startswith("Enter the center")
    assert ctl.check("center.tin") is not None and ctl.check("center.state") is None


def test_changes_and_the_status_line() -> None:
    assert ctl.changes({"a": 1, "b": "x"}, {"a": 1, "b": "y"}) == {"b": "x"}
    assert ctl.changes({"a": 1}, {}) == {"a": 1}
    assert ctl.errors_status({}) == ""
    assert ctl.errors_status({"a": "x"}).startswith("Please check 1 setting marked")
    assert ctl.errors_status({"a": "x", "b": "y"}).startswith("Please check 2 settings marked")


@given(st.from_regex(r"[2-9][0-9]{2}[2-9][0-9]{6}", fullmatch=True))
def test_a_good_phone_however_written_is_stored_as_its_ten_digits(digits: str) -> None:
    assert check_phone(digits) is None
    for written in (digits, format_phone(digits), f"1-{digits[:3]}-{digits[3:6]}-{digits[6:]}"):
        assert ctl.phone_value(written) == digits
