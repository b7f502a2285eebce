"""Tests for infudesk.domain.verification: checklist template, answers, cross-checks, due dates."""
# mypy: disable-error-code="comparison-overlap"

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infudesk.domain import verification as vf
from infudesk.domain.verification import Due, DueInputs, Kind, Status, due
from infudesk.reference import yearly_figures
from infudesk.resources import resource

TODAY = date(2026, 11, 27)
TEMPLATE = resource("checklists", "benefits-verification.json")

FIGURES = yearly_figures()  # the shipped yearly figures


def shipped() -> vf.Checklist:
    return vf.parse_checklist(TEMPLATE.read_text(encoding="utf-8"))


def item(kind: str, key: str = "k", choices: tuple[vf.Choice, ...] = ()) -> vf.ChecklistItem:
    return vf.ChecklistItem(key, key.title(), Kind(kind), False, "", choices)


# --- Status ---------------------------------------------------------------------------------


def test_status_values_and_labels() -> None:
    assert [s.value for s in Status] == ["not_started", "in_progress", "verified", "problem"]
    assert Status("verified") is Status.VERIFIED
    assert Status.VERIFIED == "verified"
    assert set(vf.STATUS_LABELS) == set(Status)
    assert vf.STATUS_LABELS[Status.IN_PROGRESS] == "In progress"


# --- The shipped template -------------------------------------------------------------------


def test_shipped_template_parses() -> None:
    c = shipped()
    assert c.name == "Benefits verification"
    assert c.version == 2  # version 2 adds the benefit-investigation items of issue 9
    keys = [it.key for it in c.items()]
    assert len(keys) == len(set(keys))
    assert [title for title, _ in c.sections][-1] == "The call"


def test_shipped_template_is_utf8_without_needing_a_bom() -> None:
    raw = TEMPLATE.read_bytes()
    raw.decode("utf-8")
    assert not raw.startswith(b"\xef\xbb\xbf")


EXPECTED_KINDS = {
    "plan_active": "yesno",
    "effective_date": "date",
    "termination_date": "date",
    "plan_year_start": "text",
    "in_network": "choice",
    "place_of_service": "choice",
    "deductible": "money",
    "deductible_met": "money",
    "oop_max": "money",
    "oop_met": "money",
    "coinsurance": "percent",
    "copay": "money",
    "copay_applies": "choice",
    "family_deductible": "money",
    "family_deductible_met": "money",
    "family_oop_max": "money",
    "family_oop_met": "money",
    "family_embedded": "yesno",
    "pa_required": "yesno",
    "pa_codes": "text",
    "site_of_care_policy": "text",
    "benefit_type": "choice",
    "acquisition": "choice",
    "carve_outs": "text",
    "call_with": "text",
    "call_reference": "text",
    "call_at": "datetime",
}


def test_shipped_template_covers_the_brief() -> None:
    # deductible and OOP figures are asked but not required: Original Medicare has no OOP max
    c = shipped()
    for key, kind in EXPECTED_KINDS.items():
        assert c.item(key).kind == kind, key
    required = {it.key for it in c.items() if it.required}
    # deductible / OOP figures may be optional: Original Medicare has no out-of-pocket maximum
    assert required >= {
        "plan_active",
        "in_network",
        "coinsurance",
        "pa_required",
        "call_with",
        "call_reference",
        "call_at",
    }
    assert all(it.help for it in c.items())


def test_shipped_template_choice_values() -> None:
    c = shipped()

    def values(key: str) -> list[str]:
        return [ch.value for ch in c.item(key).choices]

    assert values("in_network") == ["in", "out", "unknown"]
    assert values("place_of_service") == ["11", "19", "22", "12"]
    assert values("copay_applies") == ["per_visit", "per_service", "none", "after_deductible"]
    assert values("benefit_type") == ["medical", "pharmacy"]
    assert values("acquisition") == ["buy_and_bill", "white_bagging", "specialty_pharmacy"]


def test_checklist_item_lookup() -> None:
    c = shipped()
    assert c.item("coinsurance").label == "Coinsurance"
    with pytest.raises(KeyError):
        c.item("nope")


# --- Parsing hand-edited templates ----------------------------------------------------------


def template(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "name": "Test",
        "version": 1,
        "sections": [
            {
                "title": "Plan",
                "items": [
                    {"key": "plan_active", "label": "Active", "kind": "yesno", "required": True},
                    {
                        "key": "in_network",
                        "label": "Network",
                        "kind": "choice",
                        "choices": ["In", "Out"],
                    },
                ],
            }
        ],
    }
    base.update(changes)
    return base


def with_item(**fields: Any) -> str:
    entry = {"key": "x", "label": "X", "kind": "text"}
    entry.update(fields)
    entry = {k: v for k, v in entry.items() if v is not ...}
    t = template()
    t["sections"][0]["items"].append(entry)
    return json.dumps(t)


def test_minimal_template_and_defaults() -> None:
    c = vf.parse_checklist(json.dumps(template()))
    network = c.item("in_network")
    assert network.required is False
    assert network.help == ""
    assert network.choices == (vf.Choice("In", "In"), vf.Choice("Out", "Out"))
    assert [it.key for it in c.items()] == ["plan_active", "in_network"]


def test_a_byte_order_mark_is_tolerated() -> None:
    assert vf.parse_checklist("\ufeff" + json.dumps(template())).name == "Test"


def test_choices_as_value_and_label() -> None:
    text = with_item(kind="choice", choices=[{"value": "a", "label": "Alpha"}, {"value": "b"}])
    assert vf.parse_checklist(text).item("x").choices == (
        vf.Choice("a", "Alpha"),
        vf.Choice("b", "b"),
    )


def test_not_json_says_where() -> None:
    with pytest.raises(ValueError, match=r"not valid JSON: .* line 3, column"):
        vf.parse_checklist('{\n  "name": "x",\n  "version": 1,,\n}')


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[]", "must be a JSON object"),
        (json.dumps(template(extra=1)), "unknown field “extra”"),
        (json.dumps(template(name="")), "“name” must be a non-empty text"),
        (json.dumps({"version": 1, "sections": []}), "“name” must be a non-empty text"),
        (json.dumps(template(version="1")), "“version” must be a whole number"),
        (json.dumps(template(version=0)), "“version” must be a whole number"),
        (json.dumps(template(version=True)), "“version” must be a whole number"),
        (json.dumps(template(sections=[])), "at least one section"),
        (json.dumps(template(sections=["Plan"])), "Section 1: a section must be an object"),
        (json.dumps(template(sections=[{"items": []}])), "Section 1: “title”"),
        (json.dumps(template(sections=[{"title": "P", "items": []}])), "at least one item"),
        (
            json.dumps(template(sections=[{"title": "P", "items": [{}], "note": 1}])),
            "unknown field “note”",
        ),
        (
            json.dumps(template(sections=[{"title": "P", "items": ["plan_active"]}])),
            "Section 1 (“P”), item 1: an item must be an object",
        ),
        (with_item(key="Plan Active"), "item 3: “key” must be lowercase"),
        (with_item(key=...), "item 3: “key” must be lowercase letters"),
        (with_item(key="plan_active"), "“plan_active” is used twice"),
        (with_item(label=""), "item 3 (“x”): “label” must be a non-empty text"),
        (with_item(label=...), "“label” must be a non-empty text"),
        (with_item(kind="monye"), 'kind "monye" is not one of yesno, choice, text'),
        (with_item(kind=...), "kind null is not one of"),
        (with_item(required="yes"), "“required” must be true or false"),
        (with_item(requried=True), "unknown field “requried” (a typo?)"),
        (with_item(help=3), "“help” must be a non-empty text"),
        (with_item(kind="choice"), "needs “choices”, a list of at least two"),
        (with_item(kind="choice", choices=["only"]), "at least two"),
        (with_item(kind="choice", choices=["a", "A"]), "choice 2: “A” is listed twice"),
        (with_item(kind="choice", choices=["a", ""]), "choice 2: a choice cannot be empty"),
        (with_item(kind="choice", choices=["a", 11]), "choice 2: write a choice as text"),
        (
            with_item(kind="choice", choices=["a", {"value": "b", "text": "B"}]),
            "choice 2: unknown field “text”",
        ),
        (with_item(choices=["a", "b"]), "only an item of kind “choice” has “choices”"),
        (
            '{"name": "a", "name": "b", "version": 1, "sections": []}',
            "names “name” twice in one object",
        ),
        (
            with_item().replace('"label": "X"', '"label": "X", "label": "Y"'),
            "twice in one object (in “x”)",
        ),
    ],
)
def test_bad_templates_say_what_to_fix(text: str, message: str) -> None:
    with pytest.raises(ValueError) as err:
        vf.parse_checklist(text)
    assert message in str(err.value)


def test_error_names_the_section_and_item() -> None:
    with pytest.raises(ValueError) as err:
        vf.parse_checklist(with_item(kind="number"))
    assert str(err.value).startswith("Section 1 (“Plan”), item 3 (“x”): kind")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=20,
)


@given(json_values)
@settings(max_examples=200)
def test_any_json_gives_a_checklist_or_a_value_error(data: object) -> None:
    try:
        vf.parse_checklist(json.dumps(data))
    except ValueError as exc:
        assert str(exc)


@given(st.text(max_size=60))
def test_any_text_gives_a_checklist_or_a_value_error(text: str) -> None:
    try:
        vf.parse_checklist(text)
    except ValueError as exc:
        assert str(exc)


# --- Answers --------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(vf.KINDS))
@pytest.mark.parametrize("raw", ["", "   ", "\t\n"])
def test_empty_is_no_answer(kind: str, raw: str) -> None:
    choices = (vf.Choice("a", "A"), vf.Choice("b", "B"))
    assert vf.check_answer(item(kind, choices=choices), raw) == (None, None)


@pytest.mark.parametrize(
    ("raw", "value"),
    [("yes", True), ("Y", True), ("TRUE", True), (" no ", False), ("n", False), ("False", False)],
)
def test_yesno(raw: str, value: bool) -> None:
    assert vf.check_answer(item("yesno"), raw) == (value, None)


@pytest.mark.parametrize("raw", ["maybe", "1", "0", "si", "yess"])
def test_yesno_refuses(raw: str) -> None:
    assert vf.check_answer(item("yesno"), raw) == (None, "Answer yes or no.")


def test_choice_accepts_value_or_label_in_any_case() -> None:
    network = shipped().item("in_network")
    assert vf.check_answer(network, "in") == ("in", None)
    assert vf.check_answer(network, "OUT OF  network") == ("out", None)
    pos = shipped().item("place_of_service")
    assert vf.check_answer(pos, "22") == ("22", None)
    assert vf.check_answer(pos, "11 office") == ("11", None)


def test_choice_refusal_lists_the_choices() -> None:
    value, error = vf.check_answer(shipped().item("in_network"), "maybe")
    assert value is None
    assert error == "Choose one of: In network, Out of network, Unknown."


def test_text_is_trimmed() -> None:
    assert vf.check_answer(item("text", "call_with"), "  Dana at Aetna ") == ("Dana at Aetna", None)


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("1500", Decimal("1500.00")),
        ("$1,500", Decimal("1500.00")),
        ("$ 1,234,567.8", Decimal("1234567.80")),
        ("0", Decimal("0.00")),
        (".5", Decimal("0.50")),
        ("250.25", Decimal("250.25")),
    ],
)
def test_money(raw: str, value: Decimal) -> None:
    got, error = vf.check_answer(item("money"), raw)
    assert error is None
    assert got == value
    assert isinstance(got, Decimal)
    assert str(got) == str(value)  # always to the cent


@pytest.mark.parametrize("raw", ["-5", "-$5", "$-5", "(5)", "−5"])
def test_negative_money_is_refused(raw: str) -> None:
    assert vf.check_answer(item("money"), raw) == (None, "An amount cannot be negative.")


def test_implausible_money_is_refused() -> None:
    assert vf.check_answer(item("money"), "100,000,000") == (Decimal("100000000.00"), None)
    value, error = vf.check_answer(item("money"), "100000000000000000000000000")
    assert value is None
    assert error is not None
    assert error == "An amount over $100,000,000 is not plausible here: check it."


@given(st.from_regex(r"[-−$( ]{0,2}[0-9,. ]{0,40}%?\)?", fullmatch=True))
def test_number_like_answers_never_raise(raw: str) -> None:
    for kind in ("money", "percent", "date", "datetime"):
        value, error = vf.check_answer(item(kind), raw)
        assert value is None or error is None


@pytest.mark.parametrize("raw", ["abc", "1,00", "1.005", "1e3", "(5", "5$", "1.2.3", "12,34.00"])
def test_money_refuses_what_it_cannot_read(raw: str) -> None:
    assert vf.check_answer(item("money"), raw) == (None, vf.MONEY_HELP)


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("20", Decimal("0.20")),
        ("20%", Decimal("0.20")),
        (" 20 % ", Decimal("0.20")),
        ("1", Decimal("0.01")),
        ("12.5", Decimal("0.125")),
        ("12.75%", Decimal("0.1275")),
        ("0.5%", Decimal("0.005")),
        ("0", Decimal("0")),
        ("0%", Decimal("0")),
        ("100", Decimal("1")),
    ],
)
def test_percent(raw: str, value: Decimal) -> None:
    assert vf.check_answer(item("percent"), raw) == (value, None)


def test_percent_twenty_is_written_as_a_rate() -> None:
    got, _ = vf.check_answer(item("percent"), "20")
    assert str(got) == "0.20"


def test_a_fraction_without_percent_sign_is_refused_as_ambiguous() -> None:
    """Choice: "0.2" could be 20% typed as a rate or 0.2%; the desk is asked to say which."""
    value, error = vf.check_answer(item("percent"), "0.2")
    assert value is None
    assert error is not None
    assert "20 for 20%" in error
    assert "0.2%" in error


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("101", "A percent cannot be over 100."),
        ("100.01%", "A percent cannot be over 100."),
        ("-5", "A percent cannot be negative."),
        ("-5%", "A percent cannot be negative."),
        ("twenty", vf.PERCENT_HELP),
        ("20%%", vf.PERCENT_HELP),
        ("12.345", vf.PERCENT_HELP),
    ],
)
def test_percent_refuses(raw: str, message: str) -> None:
    assert vf.check_answer(item("percent"), raw) == (None, message)


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("03/02/2027", date(2027, 3, 2)),
        ("3/2/2027", date(2027, 3, 2)),
        ("2027-03-02", date(2027, 3, 2)),
        ("02/29/2028", date(2028, 2, 29)),
    ],
)
def test_date(raw: str, value: date) -> None:
    assert vf.check_answer(item("date"), raw) == (value, None)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("02/30/2026", "There is no 02/30/2026: check the month and day."),
        ("13/01/2026", "There is no 13/01/2026"),
        ("02/29/2027", "There is no 02/29/2027"),
        ("03/02/27", "Type a date as MM/DD/YYYY"),
        ("March 2, 2027", "Type a date as MM/DD/YYYY"),
        ("02.03.2027", "Type a date as MM/DD/YYYY"),
        ("01/01/1850", "The year 1850 looks wrong"),
    ],
)
def test_date_refuses(raw: str, message: str) -> None:
    value, error = vf.check_answer(item("date"), raw)
    assert value is None
    assert error is not None
    assert error.startswith(message)


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("11/27/2026 2:30 PM", datetime(2026, 11, 27, 14, 30)),
        ("11/27/2026 2:30pm", datetime(2026, 11, 27, 14, 30)),
        ("11/27/2026 12:05 a.m.", datetime(2026, 11, 27, 0, 5)),
        ("11/27/2026 12:05 PM", datetime(2026, 11, 27, 12, 5)),
        ("2026-11-27 14:30", datetime(2026, 11, 27, 14, 30)),
        ("2026-11-27T14:30:15", datetime(2026, 11, 27, 14, 30, 15)),
    ],
)
def test_datetime(raw: str, value: datetime) -> None:
    assert vf.check_answer(item("datetime"), raw) == (value, None)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("11/27/2026", vf.DATETIME_HELP),
        ("2:30 PM", vf.DATETIME_HELP),
        ("11/27/2026 2.30", vf.DATETIME_HELP),
        ("11/27/2026 13:30 PM", "13 is not an hour on a 12-hour clock"),
        ("11/27/2026 24:00", "This is not a time of day"),
        ("11/27/2026 10:60", "This is not a time of day"),
        ("11/31/2026 10:00", "There is no 11/31/2026"),
    ],
)
def test_datetime_refuses(raw: str, message: str) -> None:
    value, error = vf.check_answer(item("datetime"), raw)
    assert value is None
    assert error is not None
    assert error.startswith(message)


@pytest.mark.parametrize(
    ("raw", "value"),
    [("01-01", "01-01"), ("7-1", "07-01"), ("07/01", "07-01"), ("02-29", "02-29")],
)
def test_plan_year_start_is_a_month_and_day(raw: str, value: str) -> None:
    assert vf.check_answer(shipped().item("plan_year_start"), raw) == (value, None)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("January", vf.MONTH_DAY_HELP),
        ("2026-01-01", vf.MONTH_DAY_HELP),
        ("02-30", "There is no 02-30"),
        ("13-01", "There is no 13-01"),
        ("04-31", "There is no 04-31"),
    ],
)
def test_plan_year_start_refuses(raw: str, message: str) -> None:
    value, error = vf.check_answer(shipped().item("plan_year_start"), raw)
    assert value is None
    assert error is not None
    assert error.startswith(message)


@given(st.text(max_size=30))
def test_check_answer_never_raises(raw: str) -> None:
    for it in shipped().items():
        value, error = vf.check_answer(it, raw)
        assert value is None or error is None
        if not raw.strip():
            assert (value, error) == (None, None)


@given(st.decimals(min_value=0, max_value=10**7, places=2))
def test_money_round_trips_as_typed_with_commas(amount: Decimal) -> None:
    assert vf.check_answer(item("money"), f"${amount:,.2f}") == (amount, None)


@given(st.integers(min_value=1, max_value=100), st.booleans())
def test_whole_percents(n: int, sign: bool) -> None:
    raw = f"{n}%" if sign else str(n)
    assert vf.check_answer(item("percent"), raw) == (Decimal(n) / 100, None)


# --- Required items and cross-checks --------------------------------------------------------


def test_missing_required_lists_labels_in_order() -> None:
    c = shipped()
    # conditional items (show_if) are required only when asked: with no answers none is asked
    assert vf.missing_required(c, {}) == [
        it.label for it in c.items() if it.required and not it.show_if
    ]
    answers: dict[str, object] = {it.key: "x" for it in c.items() if it.required}
    assert vf.missing_required(c, answers) == []
    answers.update(plan_active=False, pa_required=None, call_reference="  ", deductible=Decimal(0))
    assert vf.missing_required(c, answers) == [
        "Prior authorization required",
        "Call reference number",
    ]


def test_optional_items_are_never_missing() -> None:
    c = shipped()
    answers: dict[str, object] = {it.key: "x" for it in c.items() if it.required}
    answers["copay"] = None
    assert vf.missing_required(c, answers) == []


def test_no_problems_for_consistent_figures() -> None:
    answers = {
        "deductible": Decimal("1500"),
        "deductible_met": Decimal("1500"),
        "oop_max": Decimal("6000"),
        "oop_met": Decimal("0"),
        "family_deductible": Decimal("3000"),
        "family_deductible_met": Decimal("200"),
        "family_oop_max": Decimal("12000"),
        "family_oop_met": Decimal("12000"),
        "effective_date": date(2026, 1, 1),
        "termination_date": date(2026, 1, 1),
    }
    assert vf.benefit_problems(answers) == {}
    assert vf.benefit_problems({}) == {}


@pytest.mark.parametrize(
    ("answers", "key", "text"),
    [
        (
            {"deductible": Decimal("1500"), "deductible_met": Decimal("1600")},
            "deductible_met",
            "The amount met ($1,600) is more than the deductible ($1,500)",
        ),
        (
            {"oop_max": Decimal("6000"), "oop_met": Decimal("6000.01")},
            "oop_met",
            "($6,000.01) is more than the out-of-pocket maximum ($6,000)",
        ),
        (
            {"family_deductible": Decimal("3000"), "family_deductible_met": Decimal("3500")},
            "family_deductible_met",
            "more than the family deductible",
        ),
        (
            {"family_oop_max": Decimal("12000"), "family_oop_met": Decimal("13000")},
            "family_oop_met",
            "more than the family out-of-pocket maximum",
        ),
        (
            {"effective_date": date(2026, 1, 1), "termination_date": date(2025, 12, 31)},
            "termination_date",
            "Coverage ends (12/31/2025) before it starts (01/01/2026)",
        ),
    ],
)
def test_benefit_problems(answers: dict[str, object], key: str, text: str) -> None:
    problems = vf.benefit_problems(answers)
    assert list(problems) == [key]
    assert text in problems[key]


def test_problems_ignore_answers_of_another_type() -> None:
    """A site may have turned a money item into text: nothing to compare, nothing raised."""
    assert vf.benefit_problems({"deductible": "1500", "deductible_met": Decimal("2000")}) == {}
    assert vf.benefit_problems({"deductible": True, "deductible_met": Decimal("2000")}) == {}


def test_problems_accept_whole_numbers() -> None:
    assert "deductible_met" in vf.benefit_problems({"deductible": 100, "deductible_met": 101})


@pytest.mark.parametrize(
    ("year", "oop", "warned"),
    [
        (2025, "9200", False),
        (2025, "9200.01", True),
        (2026, "9300", False),
        (2026, "10600", False),
        (2026, "10601", True),
        (2027, "10601", True),  # no 2027 figure yet: the 2026 one, said so
        (2024, "50000", False),  # no figure: no warning
    ],
)
def test_individual_oop_ceiling(year: int, oop: str, warned: bool) -> None:
    warnings = vf.benefit_warnings({"oop_max": Decimal(oop)}, year, FIGURES)
    assert ("oop_max" in warnings) is warned


def test_ceiling_warning_text() -> None:
    w = vf.benefit_warnings({"oop_max": Decimal("12000")}, 2026, FIGURES)["oop_max"]
    assert w.startswith("$12,000 is above the 2026 federal out-of-pocket limit")
    assert "($10,600)" in w
    later = vf.benefit_warnings({"oop_max": Decimal("12000")}, 2027, FIGURES)["oop_max"]
    assert "2026" in later
    assert "latest limit known for 2027" in later


@pytest.mark.parametrize(
    ("year", "family", "warned"),
    [(2025, "18400", False), (2025, "18401", True), (2026, "21200", False), (2026, "21201", True)],
)
def test_family_oop_ceiling(year: int, family: str, warned: bool) -> None:
    warnings = vf.benefit_warnings({"family_oop_max": Decimal(family)}, year, FIGURES)
    assert ("family_oop_max" in warnings) is warned


@pytest.mark.parametrize(("rate", "warned"), [("0.20", False), ("0.50", False), ("0.51", True)])
def test_high_coinsurance_asks_for_a_check(rate: str, warned: bool) -> None:
    warnings = vf.benefit_warnings({"coinsurance": Decimal(rate)}, 2026, FIGURES)
    assert ("coinsurance" in warnings) is warned
    if warned:
        assert warnings["coinsurance"] == (
            "A coinsurance of 51% is unusually high: check it with the payer."
        )


def test_deductible_above_oop_max_is_a_warning() -> None:
    w = vf.benefit_warnings(
        {
            "deductible": Decimal("7000"),
            "oop_max": Decimal("6000"),
            "family_deductible": Decimal("1"),
            "family_oop_max": Decimal("0"),
        },
        2026,
        FIGURES,
    )
    assert set(w) == {"deductible", "family_deductible"}


def test_warnings_never_block() -> None:
    answers = {"oop_max": Decimal("20000"), "coinsurance": Decimal("0.9")}
    assert vf.benefit_problems(answers) == {}
    assert set(vf.benefit_warnings(answers, 2026, FIGURES)) == {"oop_max", "coinsurance"}


# --- Due dates: worked examples ------------------------------------------------------------


def inputs(**kw: Any) -> DueInputs:
    kw.setdefault("today", TODAY)
    return DueInputs(**kw)


def test_never_verified_is_due_today() -> None:
    assert due(inputs()) == Due(TODAY, ("Never verified",), "due")


def test_never_verified_with_a_far_visit_is_due_before_it() -> None:
    got = due(inputs(planned_visits=(date(2027, 3, 2), date(2027, 1, 15))))
    assert got.due_on == date(2027, 1, 12)
    # 3 business days before Friday 01/15/2027: Thu 14, Wed 13, Tue 12
    assert got.reasons == (
        "Never verified",
        "First visit on 01/15/2027: verify 3 business days before",
    )
    assert got.state == "due"  # never verified is always in the "due" list


@pytest.mark.parametrize("visit", [TODAY, date(2026, 11, 29), date(2026, 11, 30)])
def test_never_verified_with_a_near_visit_is_due_today(visit: date) -> None:
    got = due(inputs(planned_visits=(visit,)))
    assert got == Due(TODAY, ("Never verified",), "due")


def test_never_verified_ignores_past_visits() -> None:
    got = due(inputs(planned_visits=(date(2026, 10, 1),)))
    assert got == Due(TODAY, ("Never verified",), "due")


def test_plan_year_start() -> None:
    got = due(inputs(verified_on=date(2026, 6, 1)))
    assert got == Due(date(2027, 1, 1), ("New plan year starts 01/01/2027",), "ok")


def test_plan_year_start_on_the_verification_day_is_the_next_one() -> None:
    got = due(inputs(today=date(2026, 1, 1), verified_on=date(2026, 1, 1)))
    assert got.due_on == date(2027, 1, 1)


@pytest.mark.parametrize(
    ("verified", "start", "expected", "state"),
    [
        (date(2026, 6, 15), "07-01", date(2026, 7, 1), "overdue"),  # missed the July reset
        (date(2026, 7, 2), "07-01", date(2027, 7, 1), "ok"),
        (date(2026, 3, 10), "02-29", date(2027, 2, 28), "ok"),  # no 02-29 in 2027
        (date(2027, 2, 28), "02-29", date(2028, 2, 29), "ok"),
        (date(2026, 1, 5), "12-05", date(2026, 12, 5), "due_soon"),
        (date(2026, 1, 5), "12-11", date(2026, 12, 11), "due_soon"),  # 14 days
        (date(2026, 1, 5), "12-12", date(2026, 12, 12), "ok"),  # 15 days
        (date(2026, 1, 5), "11-27", TODAY, "due"),
        (date(2026, 1, 5), "7-1", date(2026, 7, 1), "overdue"),
    ],
)
def test_plan_year_examples(verified: date, start: str, expected: date, state: str) -> None:
    got = due(inputs(verified_on=verified, plan_year_start=start))
    assert got.due_on == expected
    assert got.state == state


def test_mid_year_plan_year_reason() -> None:
    got = due(inputs(verified_on=date(2026, 7, 2), plan_year_start="07-01"))
    assert got.reasons == ("New plan year starts 07/01/2027",)


def test_unreadable_plan_year_start_counts_as_january_and_says_so() -> None:
    got = due(inputs(verified_on=date(2026, 6, 1), plan_year_start="13-45"))
    assert got.due_on == date(2027, 1, 1)
    assert got.reasons == (
        "New plan year starts 01/01/2027 (plan-year start “13-45” not understood: assumed 01-01)",
    )


def test_termination_with_a_visit_after_it_is_due_on_the_termination_date() -> None:
    got = due(
        inputs(
            verified_on=date(2026, 10, 1),
            coverage_termination=date(2026, 12, 31),
            planned_visits=(date(2026, 12, 1), date(2027, 1, 5)),
            days_before_visit=0,
        )
    )
    assert got.due_on == date(2026, 12, 1)  # the December visit comes first
    got = due(
        inputs(
            verified_on=date(2026, 10, 1),
            coverage_termination=date(2026, 12, 31),
            planned_visits=(date(2027, 1, 5),),
        )
    )
    # Was due 12/31 (termination) while the visit check fell on 01/02 (3 calendar days before
    # 01/05). The re-check is now 3 business days before Tuesday 01/05/2027: Mon 01/04, Fri 01/01
    # is New Year's Day (skipped), Thu 12/31, Wed 12/30 — before the termination date.
    assert got == Due(
        date(2026, 12, 30), ("Visit on 01/05/2027: re-check 3 business days before",), "ok"
    )


def test_termination_without_a_visit_after_it_is_due_once_it_has_passed() -> None:
    got = due(inputs(verified_on=date(2026, 10, 1), coverage_termination=date(2026, 12, 31)))
    # the 01/01/2027 plan-year start belongs to a coverage that has ended: not listed
    assert got == Due(date(2027, 1, 1), ("Coverage ends 12/31/2026",), "ok")


def test_termination_that_has_passed_is_overdue() -> None:
    got = due(inputs(verified_on=date(2026, 10, 1), coverage_termination=date(2026, 11, 15)))
    assert got == Due(date(2026, 11, 16), ("Coverage ends 11/15/2026",), "overdue")


def test_verified_on_the_termination_day_is_due_the_day_after() -> None:
    got = due(
        inputs(
            today=date(2026, 12, 31),
            verified_on=date(2026, 12, 31),
            coverage_termination=date(2026, 12, 31),
            planned_visits=(date(2027, 1, 20),),
        )
    )
    assert got.due_on == date(2027, 1, 1)
    assert got.reasons == ("Coverage ends 12/31/2026",)


def test_verified_after_termination_and_no_visits_means_nothing_due() -> None:
    got = due(inputs(verified_on=date(2026, 11, 20), coverage_termination=date(2026, 11, 15)))
    assert got == Due(None, (), "ok")


def test_coverage_changed_after_verification() -> None:
    got = due(inputs(verified_on=date(2026, 10, 1), coverage_changed_on=date(2026, 11, 20)))
    assert got == Due(
        date(2026, 11, 20), ("Coverage changed after the last verification",), "overdue"
    )


def test_order_changed_today_is_due_today() -> None:
    got = due(inputs(verified_on=date(2026, 10, 1), order_changed_on=TODAY))
    assert got == Due(TODAY, ("Therapy order changed after the last verification",), "due")


def test_changes_on_or_before_the_verification_day_are_covered() -> None:
    got = due(
        inputs(
            verified_on=date(2026, 11, 20),
            coverage_changed_on=date(2026, 11, 20),
            order_changed_on=date(2026, 11, 2),
        )
    )
    assert got.due_on == date(2027, 1, 1)


def test_visit_rule() -> None:
    got = due(inputs(verified_on=date(2026, 11, 1), planned_visits=(date(2026, 12, 10),)))
    # 3 business days before Thursday 12/10/2026: Wed 9, Tue 8, Mon 7
    assert got == Due(
        date(2026, 12, 7), ("Visit on 12/10/2026: re-check 3 business days before",), "due_soon"
    )


def test_visit_brief_example() -> None:
    got = due(
        inputs(
            today=date(2027, 2, 20),
            verified_on=date(2027, 1, 2),
            planned_visits=(date(2027, 3, 2),),
        )
    )
    # Was 02/27 (a Saturday, 3 calendar days before). Now 3 business days before Tuesday
    # 03/02/2027: Mon 03/01, Fri 02/26, Thu 02/25.
    assert got == Due(
        date(2027, 2, 25), ("Visit on 03/02/2027: re-check 3 business days before",), "due_soon"
    )


def test_visit_tomorrow_with_an_old_verification_is_overdue() -> None:
    got = due(inputs(verified_on=date(2026, 11, 1), planned_visits=(date(2026, 11, 28),)))
    # Was 11/25 (3 calendar days). 3 business days before Saturday 11/28/2026: Fri 27,
    # Thu 26 is Thanksgiving (skipped), Wed 25, Tue 24.
    assert got.due_on == date(2026, 11, 24)
    assert got.state == "overdue"


def test_visit_today_with_a_recent_verification_is_fine() -> None:
    got = due(inputs(verified_on=date(2026, 11, 24), planned_visits=(TODAY,)))
    assert got.due_on == date(2027, 1, 1)  # 11/24 is exactly 3 days before: not stale


def test_a_fresh_check_for_the_next_visit_looks_ahead_to_the_following_one() -> None:
    got = due(
        inputs(
            verified_on=date(2026, 11, 26),
            planned_visits=(date(2026, 12, 26), date(2026, 11, 28)),
        )
    )
    # Was 12/23 (3 calendar days). 3 business days before Saturday 12/26/2026: Fri 25 is
    # Christmas (skipped), Thu 24, Wed 23, Tue 22.
    assert got.due_on == date(2026, 12, 22)
    assert got.reasons == ("Visit on 12/26/2026: re-check 3 business days before",)


def test_past_visits_are_ignored() -> None:
    got = due(inputs(verified_on=date(2026, 11, 1), planned_visits=(date(2026, 11, 20),)))
    assert got.due_on == date(2027, 1, 1)


@pytest.mark.parametrize(
    ("days", "expected", "words"),
    [
        (0, date(2026, 12, 10), "re-check on the day"),
        (1, date(2026, 12, 9), "re-check 1 business day before"),
        # was 12/03 (7 calendar days); 7 business days before Thursday 12/10/2026:
        # Wed 9, Tue 8, Mon 7, Fri 4, Thu 3, Wed 2, Tue 1
        (7, date(2026, 12, 1), "re-check 7 business days before"),
    ],
)
def test_days_before_visit_setting(days: int, expected: date, words: str) -> None:
    got = due(
        inputs(
            verified_on=date(2026, 11, 1),
            planned_visits=(date(2026, 12, 10),),
            days_before_visit=days,
        )
    )
    assert got.due_on == expected
    assert got.reasons == (f"Visit on 12/10/2026: {words}",)


def test_negative_days_before_visit_is_refused() -> None:
    with pytest.raises(ValueError, match="days_before_visit"):
        inputs(days_before_visit=-1)


def test_every_rule_already_due_is_listed_oldest_first() -> None:
    got = due(
        inputs(
            verified_on=date(2026, 10, 1),
            order_changed_on=date(2026, 11, 1),
            coverage_changed_on=date(2026, 10, 15),
            planned_visits=(date(2026, 11, 29),),
        )
    )
    assert got.due_on == date(2026, 10, 15)
    assert got.state == "overdue"
    assert got.reasons == (
        "Coverage changed after the last verification",
        "Therapy order changed after the last verification",
        "Visit on 11/29/2026: re-check 3 business days before",
    )  # the 01/01/2027 plan year is not due yet: not listed


def test_same_day_reasons_are_all_listed() -> None:
    got = due(
        inputs(
            verified_on=date(2026, 11, 1),
            coverage_changed_on=date(2026, 12, 7),
            planned_visits=(date(2026, 12, 10),),
        )
    )
    assert got.due_on == date(2026, 12, 7)
    assert got.reasons == (
        "Coverage changed after the last verification",
        "Visit on 12/10/2026: re-check 3 business days before",
    )


def test_new_coverage_verified_before_it_starts_in_january() -> None:
    got = due(
        inputs(
            today=date(2026, 12, 12),
            verified_on=date(2026, 12, 10),
            coverage_effective=date(2027, 1, 1),
        )
    )
    assert got == Due(
        date(2027, 1, 1),
        ("New plan year starts 01/01/2027", "Coverage starts 01/01/2027: verified before then"),
        "ok",
    )


def test_new_coverage_mid_year_skips_the_plan_year_before_it() -> None:
    got = due(inputs(verified_on=date(2026, 11, 20), coverage_effective=date(2027, 3, 15)))
    assert got == Due(
        date(2027, 3, 15), ("Coverage starts 03/15/2027: verified before then",), "ok"
    )


def test_coverage_that_started_before_the_verification_changes_nothing() -> None:
    got = due(inputs(verified_on=date(2026, 6, 1), coverage_effective=date(2026, 1, 1)))
    assert got.due_on == date(2027, 1, 1)


def test_states_around_today() -> None:
    def state(on: date) -> str:
        return due(inputs(verified_on=date(2026, 1, 5), plan_year_start=f"{on:%m-%d}")).state

    assert state(date(2026, 11, 26)) == "overdue"
    assert state(TODAY) == "due"
    assert state(date(2026, 11, 28)) == "due_soon"
    assert state(date(2026, 12, 11)) == "due_soon"
    assert state(date(2026, 12, 12)) == "ok"


def test_next_plan_year_start_helper() -> None:
    assert vf.next_plan_year_start(date(2026, 12, 31), "01-01") == date(2027, 1, 1)
    assert vf.next_plan_year_start(date(2028, 2, 28), "02-29") == date(2028, 2, 29)
    assert vf.next_plan_year_start(date(9999, 12, 31), "01-01") is None
    with pytest.raises(ValueError):
        vf.next_plan_year_start(TODAY, "1st of July")


# --- Due dates: properties ------------------------------------------------------------------

days_range = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))
month_days = st.builds(
    lambda m, d: f"{m:02d}-{d:02d}",
    st.integers(min_value=1, max_value=12),
    st.integers(min_value=1, max_value=31),
).filter(lambda s: vf.check_answer(item("text", "plan_year_start"), s)[1] is None)
any_plan_year_start = month_days | st.text(max_size=6)
maybe_day = st.none() | days_range


@st.composite
def any_inputs(draw: st.DrawFn) -> DueInputs:
    return DueInputs(
        today=draw(days_range),
        verified_on=draw(maybe_day),
        plan_year_start=draw(any_plan_year_start),
        coverage_effective=draw(maybe_day),
        coverage_termination=draw(maybe_day),
        coverage_changed_on=draw(maybe_day),
        order_changed_on=draw(maybe_day),
        planned_visits=tuple(draw(st.lists(days_range, max_size=6))),
        days_before_visit=draw(st.integers(min_value=0, max_value=30)),
    )


@given(any_inputs())
@settings(max_examples=400)
def test_due_never_raises_and_its_state_matches_its_date(i: DueInputs) -> None:
    got = due(i)
    if got.due_on is None:
        assert got.state == "ok"
        assert got.reasons == ()
        assert i.verified_on is not None
        return
    assert got.reasons
    if i.verified_on is None:
        assert got.state == "due"
        assert got.due_on >= i.today
        return
    assert got.due_on > i.verified_on  # every rule gives a date after the verification
    delta = (got.due_on - i.today).days
    expected = (
        "overdue" if delta < 0 else "due" if delta == 0 else "due_soon" if delta <= 14 else "ok"
    )
    assert got.state == expected


@given(any_inputs(), st.data())
def test_a_stale_verification_is_due_by_the_next_visit(i: DueInputs, data: st.DataObject) -> None:
    visit = data.draw(st.dates(min_value=i.today, max_value=i.today + timedelta(days=400)))
    # the re-check is days_before_visit business days before the visit (was calendar days)
    check = vf.recheck_day(visit, i.days_before_visit)
    assert check is not None
    verified = data.draw(st.dates(max_value=check - timedelta(days=1), min_value=date(1999, 1, 1)))
    later = tuple(v for v in i.planned_visits if v > visit)
    i = replace(i, verified_on=verified, planned_visits=(visit, *later))
    got = due(i)
    assert got.due_on is not None
    assert got.due_on <= check


@given(any_inputs())
def test_verified_today_without_changes_is_never_overdue(i: DueInputs) -> None:
    i = replace(
        i,
        verified_on=i.today,
        coverage_changed_on=None
        if i.coverage_changed_on is None
        else min(i.coverage_changed_on, i.today),
        order_changed_on=None if i.order_changed_on is None else min(i.order_changed_on, i.today),
    )
    assert due(i).state in ("ok", "due_soon")


@given(days_range, month_days, st.lists(days_range, max_size=4), st.integers(0, 30))
def test_verified_today_with_a_far_plan_year_start_is_ok(
    today: date, start: str, visits: list[date], days: int
) -> None:
    next_start = vf.next_plan_year_start(today, start)
    assert next_start is not None
    horizon = today + timedelta(days=vf.DUE_SOON_DAYS)
    soon = [  # the re-check is ``days`` business days before the visit (was calendar days)
        v for v in visits if today < (vf.recheck_day(v, days) or date.min) <= horizon
    ]
    got = due(
        DueInputs(
            today=today,
            verified_on=today,
            plan_year_start=start,
            planned_visits=tuple(visits),
            days_before_visit=days,
        )
    )
    if next_start > horizon and not soon:
        assert got.state == "ok"
    else:
        assert got.state == "due_soon"


@given(any_inputs())
def test_verifying_on_the_due_date_moves_it_later(i: DueInputs) -> None:
    first = due(i).due_on
    if first is None:
        return
    again = due(replace(i, today=first, verified_on=first))
    assert again.due_on is None or again.due_on > first


# --- answers as the checklist shows them (issue 9: the summary printed raw values) ------------


@pytest.mark.parametrize(
    ("key", "raw", "shown"),
    [
        ("plan_active", "yes", "Yes"),
        ("plan_active", "N", "No"),
        ("in_network", "in", "In network"),  # the choice's label, not its stored value
        ("place_of_service", "11", "11 Office"),
        ("place_of_service", "12", "12 Home"),
        ("acquisition", "buy_and_bill", "Buy-and-bill"),
        ("coinsurance", "20", "20%"),  # stored as typed; shown as a percent
        ("coinsurance", "12.5%", "12.5%"),
        ("deductible", "2000", "$2,000.00"),
        ("deductible_met", "0", "$0.00"),
        ("effective_date", "2026-01-01", "01/01/2026"),
        ("call_at", "10/20/2026 10:15 AM", "10/20/2026 10:15 AM"),
        ("call_at", "10/20/2026 2:05 PM", "10/20/2026 2:05 PM"),
        ("pa_codes", " J1745, 96365 ", "J1745, 96365"),
        ("coinsurance", "lots", "lots"),  # an answer that does not parse is shown as typed
    ],
)
def test_show_answer_as_the_checklist_shows_it(key: str, raw: str, shown: str) -> None:
    assert vf.show_answer(shipped().item(key), raw) == shown


def test_answer_options_are_the_dialogs_lists() -> None:
    c = shipped()
    assert vf.answer_options(c.item("plan_active")) == (("yes", "Yes"), ("no", "No"))
    options = dict(vf.answer_options(c.item("place_of_service")))
    assert options["11"] == "11 Office" and options["12"] == "12 Home"
    assert vf.answer_options(c.item("deductible")) == ()
