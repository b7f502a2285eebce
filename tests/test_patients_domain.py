"""Tests for infudesk.domain.patients: the record, validation, search keys and look-alikes."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infudesk.domain import patients as p
from infudesk.domain.patients import PatientData

TODAY = date(2026, 11, 27)
FIELD_NAMES = {f.name for f in fields(PatientData)}
STR_FIELDS = [
    f.name for f in fields(PatientData) if isinstance(getattr(PatientData(), f.name), str)
]
GUARDIAN_FIELDS = {"guardian_name", "guardian_relationship", "guardian_phone"}

ADULT = PatientData(
    first_name="Maria",
    last_name="García-López",
    middle_name="Elena",
    preferred_name="Mari",
    birth_date=date(1968, 4, 12),
    sex="F",
    mrn="D0001",
    phone_mobile="(312) 555-0142",
    phone_home="+1 312 555 0199",
    email="maria.garcia@example.org",
    address_line1="100 W Randolph St",
    address_line2="Apt 5",
    city="Chicago",
    state="IL",
    zip_code="60601",
    preferred_language="es",
    emergency_name="José García",
    emergency_relationship="husband",
    emergency_phone="312-555-0177",
    notes="Prefers morning chairs.",
)

MINOR_BORN = date(2015, 6, 1)
GUARDIAN: dict[str, Any] = {
    "guardian_name": "Olena Kovalenko",
    "guardian_relationship": "mother",
    "guardian_phone": "(773) 555-0100",
}


def edit(record: PatientData, field: str, value: Any) -> PatientData:
    """The record with one field changed."""
    changes: dict[str, Any] = {field: value}
    return replace(record, **changes)


def test_str_fields_cover_every_text_field() -> None:
    assert set(STR_FIELDS) == FIELD_NAMES - {"birth_date", "active"}
    assert set(p.FIELD_LABELS) == FIELD_NAMES


# --- display name ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "shown"),
    [
        ({"first_name": "Maria", "last_name": "García-López"}, "García-López, Maria"),
        (
            {"first_name": "Maria", "middle_name": "Elena", "last_name": "García", "suffix": "Jr."},
            "García, Maria Elena Jr.",
        ),
        ({"first_name": "Zoë"}, "Zoë"),
        ({"last_name": "Nguyễn"}, "Nguyễn"),
        ({"first_name": "秀英", "last_name": "王"}, "王秀英"),  # family name first, no comma
        ({"first_name": "지민", "last_name": "김"}, "김지민"),
        ({}, ""),
    ],
)
def test_display_name(kwargs: dict[str, Any], shown: str) -> None:
    assert PatientData(**kwargs).display_name() == shown


# --- validate -------------------------------------------------------------------------------


def test_complete_valid_record_has_no_errors() -> None:
    assert p.validate(ADULT, TODAY) == {}


def test_minimal_valid_record_has_no_errors() -> None:
    assert p.validate(PatientData("Ann", "Lee", birth_date=date(1990, 1, 1)), TODAY) == {}


def test_normalized_valid_record_is_still_valid() -> None:
    assert p.validate(p.normalize(ADULT), TODAY) == {}


def test_empty_record_needs_names_and_birth_date() -> None:
    errors = p.validate(PatientData(), TODAY)
    assert set(errors) == {"first_name", "last_name", "birth_date"}
    assert errors["first_name"] == "Required."
    assert "date of birth" in errors["birth_date"]


def test_minor_without_guardian_gets_guardian_errors() -> None:
    minor = replace(ADULT, birth_date=MINOR_BORN)
    errors = p.validate(minor, TODAY)
    assert set(errors) == GUARDIAN_FIELDS
    assert "under 18" in errors["guardian_name"]


def test_minor_with_whitespace_only_guardian_gets_guardian_errors() -> None:
    minor = replace(
        ADULT,
        birth_date=MINOR_BORN,
        guardian_name="  ",
        guardian_relationship=" ",
        guardian_phone="\t",
    )
    assert set(p.validate(minor, TODAY)) == GUARDIAN_FIELDS


def test_minor_with_guardian_is_valid() -> None:
    assert p.validate(replace(ADULT, birth_date=MINOR_BORN, **GUARDIAN), TODAY) == {}


@pytest.mark.parametrize("missing", sorted(GUARDIAN_FIELDS))
def test_minor_missing_one_guardian_field(missing: str) -> None:
    record = replace(ADULT, birth_date=MINOR_BORN, **{**GUARDIAN, missing: ""})
    assert set(p.validate(record, TODAY)) == {missing}


def test_minor_with_bad_guardian_phone_gets_the_phone_message() -> None:
    record = replace(ADULT, birth_date=MINOR_BORN, **{**GUARDIAN, "guardian_phone": "555-0100"})
    errors = p.validate(record, TODAY)
    assert set(errors) == {"guardian_phone"}
    assert "10 digits" in errors["guardian_phone"]


def test_minor_with_bad_guardian_name_gets_the_name_message() -> None:
    record = replace(ADULT, birth_date=MINOR_BORN, **{**GUARDIAN, "guardian_name": "Mom 1"})
    errors = p.validate(record, TODAY)
    assert set(errors) == {"guardian_name"}
    assert "“1”" in errors["guardian_name"]


def test_adult_without_guardian_has_no_guardian_errors() -> None:
    errors = p.validate(ADULT, TODAY)
    assert not GUARDIAN_FIELDS & set(errors)


@pytest.mark.parametrize(
    ("born", "needs_guardian"),
    [
        (date(2008, 11, 27), False),  # 18 today
        (date(2008, 11, 28), True),  # 18 tomorrow
        (date(2008, 2, 29), False),
        (TODAY, True),  # newborn
    ],
)
def test_guardian_needed_up_to_the_18th_birthday(born: date, needs_guardian: bool) -> None:
    errors = p.validate(replace(ADULT, birth_date=born), TODAY)
    assert (set(errors) == GUARDIAN_FIELDS) is needs_guardian
    assert (errors == {}) is not needs_guardian


def test_feb_29_minor_becomes_adult_on_1_march() -> None:
    record = replace(ADULT, birth_date=date(2008, 2, 29))
    assert set(p.validate(record, date(2026, 2, 28))) == GUARDIAN_FIELDS
    assert p.validate(record, date(2026, 3, 1)) == {}


def test_future_birth_date_reports_only_the_birth_date() -> None:
    errors = p.validate(replace(ADULT, birth_date=TODAY + timedelta(days=1)), TODAY)
    assert set(errors) == {"birth_date"}
    assert "future" in errors["birth_date"]


def test_too_old_birth_date() -> None:
    errors = p.validate(replace(ADULT, birth_date=date(1900, 1, 1)), TODAY)
    assert set(errors) == {"birth_date"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("first_name", ""),
        ("first_name", "M4ria"),
        ("last_name", "   "),
        ("last_name", "Smith!"),
        ("middle_name", "J3"),
        ("preferred_name", "@mari"),
        ("suffix", "Junior III"),
        ("suffix", "3rd"),
        ("sex", "Q"),
        ("sex", ""),
        ("mrn", "D"),
        ("mrn", "-D0001"),
        ("mrn", "D 0001"),
        ("mrn", "D" * 21),
        ("phone_mobile", "555-0142"),
        ("phone_mobile", "call me"),
        ("phone_home", "012-555-0142"),
        ("emergency_phone", "312-155-0142"),
        ("guardian_phone", "12345"),  # checked for adults too when given
        ("guardian_name", "G4rdian"),
        ("emergency_name", "#1 fan"),
        ("email", "maria@example"),
        ("email", "maria.example.org"),
        ("zip_code", "6060"),
        ("zip_code", "60601-12"),
        ("state", "XX"),
        ("state", "Illinois"),
        ("state", "I"),
        ("preferred_language", "xx"),
        ("preferred_language", ""),
    ],
)
def test_invalid_value_gives_error_at_exactly_that_field(field: str, value: str) -> None:
    errors = p.validate(edit(ADULT, field, value), TODAY)
    assert set(errors) == {field}
    assert errors[field].strip()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("middle_name", ""),
        ("preferred_name", ""),
        ("suffix", ""),
        ("suffix", "Jr."),
        ("suffix", "III"),
        ("suffix", " Sr. "),
        ("mrn", ""),
        ("mrn", "d0001"),
        ("mrn", "MRN-2024-000123"),
        ("phone_mobile", ""),
        ("phone_home", "   "),
        ("email", ""),
        ("zip_code", ""),
        ("zip_code", "60601-1234"),
        ("state", ""),
        ("state", "il"),
        ("state", " PR "),
        ("sex", "X"),
        ("sex", "U"),
        ("preferred_language", "vi"),
        ("guardian_relationship", "aunt"),
        ("emergency_relationship", ""),
        ("notes", "anything at all: 123 !@#"),
        ("city", "Chicago 2"),
    ],
)
def test_acceptable_optional_values(field: str, value: str) -> None:
    assert p.validate(edit(ADULT, field, value), TODAY) == {}


@pytest.mark.parametrize("name", ["Nguyễn", "O'Brien", "Zoë", "王秀英", "García-López", "Олена"])
def test_international_names_accepted(name: str) -> None:
    record = replace(ADULT, first_name=name, last_name=name, emergency_name=name)
    assert p.validate(record, TODAY) == {}


def test_errors_are_reported_for_every_bad_field_at_once() -> None:
    record = replace(ADULT, first_name="", email="x", zip_code="1", state="ZZ", sex="?")
    assert set(p.validate(record, TODAY)) == {"first_name", "email", "zip_code", "state", "sex"}


# the record's text fields filled with arbitrary text
any_text = st.text(max_size=25)
arbitrary_records = st.builds(
    PatientData,
    **{name: any_text for name in STR_FIELDS},
    birth_date=st.none() | st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)),
    active=st.booleans(),
)


@given(arbitrary_records)
def test_validate_never_raises_and_uses_known_field_names(record: PatientData) -> None:
    errors = p.validate(record, TODAY)
    assert isinstance(errors, dict)
    assert set(errors) <= FIELD_NAMES
    for message in errors.values():
        assert isinstance(message, str) and message.strip()


@given(st.sampled_from(STR_FIELDS), st.text(max_size=40))
def test_errors_on_one_field_stay_on_that_field(field: str, value: str) -> None:
    errors = p.validate(edit(ADULT, field, value), TODAY)
    assert set(errors) <= {field}


@given(arbitrary_records, st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 1, 1)))
def test_validate_never_raises_for_any_today(record: PatientData, today: date) -> None:
    assert set(p.validate(record, today)) <= FIELD_NAMES


# --- normalize ------------------------------------------------------------------------------


def test_normalize_stores_the_canonical_forms() -> None:
    raw = replace(
        ADULT,
        first_name="  Maria   Elena ",
        last_name="Garci\u0301a",  # decomposed í
        mrn=" d0001 ",
        state=" il ",
        email=" Maria.Garcia@Example.ORG ",
        phone_mobile="+1 (312) 555-0142",
        phone_home="   ",
        guardian_phone="1-773-555-0100",
        emergency_phone="",
        notes="  line one\n\n  line two  ",
    )
    n = p.normalize(raw)
    assert n.first_name == "Maria Elena"
    assert n.last_name == "García"
    assert n.mrn == "D0001"
    assert n.state == "IL"
    assert n.email == "maria.garcia@example.org"
    assert n.phone_mobile == "3125550142"
    assert n.phone_home == ""
    assert n.guardian_phone == "7735550100"
    assert n.emergency_phone == ""
    assert n.notes == "line one\n\n  line two"
    assert n.birth_date == raw.birth_date
    assert n.active is raw.active


# realistic typed text: ASCII printable plus accented Latin, Cyrillic and whitespace
typed_text = st.text(
    st.one_of(
        st.characters(min_codepoint=0x20, max_codepoint=0x7E),
        st.sampled_from(list("áéíóúñüëễđøłßÁÉÍÓÚÑÜŁĐØЗоёлена王秀英\t\n\u00a0\u0301’")),
    ),
    max_size=30,
)
typed_records = st.builds(
    PatientData,
    **{name: typed_text for name in STR_FIELDS},
    birth_date=st.none() | st.dates(min_value=date(1900, 1, 1), max_value=date(2030, 1, 1)),
)


@given(typed_records)
def test_normalize_is_idempotent(record: PatientData) -> None:
    once = p.normalize(record)
    assert p.normalize(once) == once


@given(typed_records)
def test_normalize_output_shapes(record: PatientData) -> None:
    n = p.normalize(record)
    for name in STR_FIELDS:
        value = getattr(n, name)
        assert value == value.strip()
        if name != "notes":
            assert "  " not in value and "\n" not in value
    for name in p.PHONE_FIELDS:
        assert getattr(n, name) == "" or getattr(n, name).isdigit()
    assert n.mrn == n.mrn.upper()
    assert n.state == n.state.upper()
    assert n.email == n.email.lower()


# --- fold / name tokens / search tokens -----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("García-López", "garcia-lopez"),
        ("Nguyễn", "nguyen"),
        ("NGUYỄN", "nguyen"),
        ("Zoë", "zoe"),
        ("Zoe\u0308", "zoe"),
        ("Đặng", "dang"),
        ("Søren", "soren"),
        ("Łukasz", "lukasz"),
        ("Straße", "strasse"),
        ("O'Brien", "o'brien"),
        ("Олена", "олена"),
        ("王秀英", "王秀英"),
        ("", ""),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert p.fold(text) == folded


def test_fold_garcia_contains_garcia() -> None:
    assert "garcia" in p.fold("García-López")
    assert "lopez" in p.fold("García-López")


latin_names = st.text(
    st.sampled_from(list("abcdefghijklmnopqrstuvwxyzáéíóúàèñüöäçãõâêôễặđøłß -'")), max_size=20
)


@given(latin_names)
def test_fold_is_case_and_accent_insensitive_for_names(text: str) -> None:
    folded = p.fold(text)
    assert p.fold(text.upper()) == folded
    assert p.fold(folded) == folded
    assert folded.isascii()


def test_name_tokens() -> None:
    assert p.name_tokens("García-López") == {"garcialopez", "garcia", "lopez"}
    assert p.name_tokens("O'Brien") == {"obrien", "o", "brien"}
    assert p.name_tokens("Mary Ann", "", "  ") == {"maryann", "mary", "ann"}
    assert p.name_tokens() == set()


def test_search_tokens() -> None:
    tokens = p.search_tokens(p.normalize(ADULT))
    assert ("name", "garcia") in tokens
    assert ("name", "lopez") in tokens
    assert ("name", "garcialopez") in tokens
    assert ("name", "maria") in tokens
    assert ("name", "mari") in tokens
    assert ("name", "elena") in tokens
    assert ("phone", "3125550142") in tokens
    assert ("phone", "3125550199") in tokens
    assert ("mrn", "d0001") in tokens
    kinds = {kind for kind, _ in tokens}
    assert kinds == {"name", "phone", "mrn"}
    # emergency contacts are not search keys
    assert ("name", "jose") not in tokens


def test_search_tokens_without_phone_or_mrn() -> None:
    tokens = p.search_tokens(PatientData(first_name="Zoë", last_name="Nguyễn"))
    assert tokens == {("name", "zoe"), ("name", "nguyen")}


# --- parse_date -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "04/12/1968",
        "4/12/1968",
        "1968-04-12",
        "1968-4-12",
        "04121968",
        "04-12-1968",
        "04.12.1968",
        " 04/12/1968 ",
        "4/12/68",
    ],
)
def test_parse_date_formats(text: str) -> None:
    assert p.parse_date(text, TODAY) == date(1968, 4, 12)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4/12/68", date(1968, 4, 12)),
        ("1/1/00", date(2000, 1, 1)),
        ("1/1/26", date(2026, 1, 1)),
        ("1/1/27", date(1927, 1, 1)),
        ("6/15/99", date(1999, 6, 15)),
    ],
)
def test_parse_date_two_digit_years(text: str, expected: date) -> None:
    assert p.parse_date(text, TODAY) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2/30/2020",
        "2/29/2021",
        "13/01/2020",
        "00/10/2020",
        "1/32/2020",
        "2021-02-29",
        "1968/04/12",
        "4121968",
        "041268",
        "",
        "   ",
        "abc",
        "April 12 1968",
        "04/12/968",
        "12/31/0000",
        "4/12/1968/1",
        "4-12/1968x",
    ],
)
def test_parse_date_rejects(text: str) -> None:
    assert p.parse_date(text, TODAY) is None


def test_parse_date_leap_day() -> None:
    assert p.parse_date("2/29/2020", TODAY) == date(2020, 2, 29)
    assert p.parse_date("02292020", TODAY) == date(2020, 2, 29)


def test_parse_date_defaults_to_the_real_today() -> None:
    assert p.parse_date("04/12/1968") == date(1968, 4, 12)
    assert p.parse_date("4/12/68") == date(1968, 4, 12)


@given(st.dates(min_value=date(1000, 1, 1), max_value=date(9999, 12, 31)))
def test_parse_date_round_trips_four_digit_years(d: date) -> None:
    assert p.parse_date(f"{d.month:02d}/{d.day:02d}/{d.year}", TODAY) == d
    assert p.parse_date(f"{d.month}/{d.day}/{d.year}", TODAY) == d
    assert p.parse_date(d.isoformat(), TODAY) == d
    assert p.parse_date(f"{d.month:02d}{d.day:02d}{d.year}", TODAY) == d


@given(
    st.dates(min_value=date(1901, 1, 1), max_value=date(2099, 12, 31)),
    # the rule (2000 + yy, minus a century when that is after this year) assumes 2000 <= today < 2100
    st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
)
def test_parse_date_two_digit_year_is_the_latest_not_after_today(d: date, today: date) -> None:
    parsed = p.parse_date(f"{d.month}/{d.day}/{d.year % 100:02d}", today)
    if parsed is None:  # 29 February of a century's year that is not leap in the chosen century
        assert (d.month, d.day) == (2, 29)
        return
    assert (parsed.month, parsed.day) == (d.month, d.day)
    assert parsed.year % 100 == d.year % 100
    assert parsed <= today  # a birth date typed with two digits is never in the future
    century_later = (parsed.year + 100, parsed.month, parsed.day)
    assert century_later > (today.year, today.month, today.day)  # the latest such date


@given(st.text(max_size=20))
def test_parse_date_never_raises(text: str) -> None:
    result = p.parse_date(text, TODAY)
    assert result is None or isinstance(result, date)


# --- parse_search ---------------------------------------------------------------------------


def test_parse_search_name_and_birth_date() -> None:
    q = p.parse_search("garcia 04/12/1968", TODAY)
    assert q.terms == ("garcia",)
    assert q.birth_date == date(1968, 4, 12)
    assert q.digits == ()
    assert not q.empty


def test_parse_search_phone_fragment_is_digits() -> None:
    q = p.parse_search("555-0142", TODAY)
    assert q.digits == ("5550142",)
    assert q.terms == ()
    assert q.birth_date is None


def test_parse_search_full_phone() -> None:
    assert p.parse_search("312-555-0142", TODAY).digits == ("3125550142",)
    assert p.parse_search("312.555.0142", TODAY).digits == ("3125550142",)


def test_parse_search_mrn_is_a_term() -> None:
    q = p.parse_search("D0001", TODAY)
    assert q.terms == ("d0001",)
    assert q.digits == ()
    assert q.birth_date is None


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("García-López", ("garcialopez",)),
        ("Nguyễn Văn", ("nguyen", "van")),
        ("garcia, maria", ("garcia", "maria")),
        ("O'Brien", ("obrien",)),
        ("  ZOË  ", ("zoe",)),
    ],
)
def test_parse_search_terms_are_folded_words(text: str, terms: tuple[str, ...]) -> None:
    assert p.parse_search(text, TODAY).terms == terms


def test_parse_search_combined() -> None:
    q = p.parse_search("Nguyễn 4/12/68 5550142", TODAY)
    assert q.terms == ("nguyen",)
    assert q.birth_date == date(1968, 4, 12)
    assert q.digits == ("5550142",)


def test_parse_search_keeps_only_the_first_date() -> None:
    q = p.parse_search("1968-04-12 1970-01-01", TODAY)
    assert q.birth_date == date(1968, 4, 12)


def test_parse_search_invalid_date_is_not_a_birth_date() -> None:
    q = p.parse_search("2/30/2020", TODAY)
    assert q.birth_date is None


@pytest.mark.parametrize("text", ["", "   ", " , ,"])
def test_parse_search_empty(text: str) -> None:
    q = p.parse_search(text, TODAY)
    assert q.empty
    assert q == p.SearchQuery()


@given(st.text(max_size=40))
def test_parse_search_never_raises(text: str) -> None:
    q = p.parse_search(text, TODAY)
    assert all(isinstance(t, str) and t for t in q.terms)
    assert all(d.isdigit() for d in q.digits)
    assert q.birth_date is None or isinstance(q.birth_date, date)


@given(latin_names)
def test_parse_search_terms_are_tokens_of_the_same_name(name: str) -> None:
    # every searched word of a name is one of that name's search tokens
    q = p.parse_search(name, TODAY)
    assert set(q.terms) <= p.name_tokens(name)


# --- look-alikes ----------------------------------------------------------------------------

BORN = date(1968, 4, 12)


def person(first: str, last: str, born: date | None = BORN, preferred: str = "") -> PatientData:
    return PatientData(first_name=first, last_name=last, birth_date=born, preferred_name=preferred)


MARIA = person("Maria", "Garcia")


@pytest.mark.parametrize(
    "other",
    [
        person("Maria", "Garcia"),
        person("MARIA", "GARCÍA"),
        person("Maria", "Garcai"),  # typo in the last name
        person("Maria", "Garsia"),
        person("Marai", "Garcia"),  # typo in the first name
        person("Garcia", "Maria"),  # first and last swapped
        person("Maria", "García-López"),  # extra hyphenated part
        person("Maria", "Lopez Garcia"),
        person("M", "Garcia"),  # initial
    ],
)
def test_looks_like_same_birth_date_and_similar_name(other: PatientData) -> None:
    assert p.looks_like(MARIA, other)
    assert p.looks_like(other, MARIA)


def test_looks_like_uses_the_preferred_name() -> None:
    assert p.looks_like(person("Bob", "Smith"), person("Robert", "Smith", preferred="Bob"))


@pytest.mark.parametrize(
    "other",
    [
        person("Maria", "Garcia", born=date(1968, 4, 13)),  # different birth date
        person("Maria", "Garcia", born=date(1986, 4, 12)),
        person("Maria", "Garcia", born=None),
        person("John", "Smith"),
        person("Maria", "Smith"),  # same first name only
        person("John", "Garcia"),  # same last name only
        person("", ""),
    ],
)
def test_not_look_alikes(other: PatientData) -> None:
    assert not p.looks_like(MARIA, other)
    assert not p.looks_like(other, MARIA)


def test_no_birth_date_never_looks_alike() -> None:
    assert not p.looks_like(
        person("Maria", "Garcia", born=None), person("Maria", "Garcia", born=None)
    )


@given(
    st.sampled_from(["Maria", "Nguyễn", "Zoë", "Олена", "王秀英"]),
    st.dates(max_value=date(9999, 12, 30)),
)
def test_looks_like_itself(first: str, born: date) -> None:
    record = person(first, "García-López", born=born)
    assert p.looks_like(record, record)
    assert not p.looks_like(record, replace(record, birth_date=born + timedelta(days=1)))


@pytest.mark.parametrize(
    ("last", "first", "middle", "preferred", "shown"),
    [
        ("王", "秀英", "", "Wang Xiuying", "王秀英 (Wang Xiuying)"),
        ("García-López", "María Elena", "", "", "García-López, María Elena"),
        ("Коваленко", "Олена", "", "Olena Kovalenko", "Коваленко, Олена (Olena Kovalenko)"),
        ("Carter", "James", "", "James", "Carter, James"),  # says nothing else: left out
        ("Nguyễn", "An", "Văn", " ", "Nguyễn, An Văn"),
    ],
)
def test_shown_name_is_the_filed_name_and_the_preferred_one(
    last: str, first: str, middle: str, preferred: str, shown: str
) -> None:
    assert p.shown_name(last, first, middle, preferred=preferred) == shown
