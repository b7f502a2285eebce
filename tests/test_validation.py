"""Tests for infudesk.domain.validation: identifiers, codes, contact data, names and dates."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infudesk.domain import validation as v

TODAY = date(2026, 11, 27)


# --- Luhn / NPI -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("digits", "ok"),
    [
        ("0", True),
        ("79927398713", True),  # the textbook Luhn example
        ("79927398710", False),
        ("808401234567893", True),  # '80840' + NPI 1234567893
        ("808401234567890", False),
    ],
)
def test_luhn_ok_examples(digits: str, ok: bool) -> None:
    assert v.luhn_ok(digits) is ok


@pytest.mark.parametrize("npi", ["1234567893", " 1234567893 ", "1234567893\n"])
def test_npi_valid(npi: str) -> None:
    assert v.check_npi(npi) is None


def test_npi_bad_check_digit_says_so() -> None:
    msg = v.check_npi("1234567890")
    assert msg is not None
    assert "check digit" in msg


@pytest.mark.parametrize(
    "npi",
    [
        "3234567893",  # first digit must be 1 or 2
        "3234567890",
        "0234567893",
        "9234567893",
        "123456789",  # 9 digits
        "12345678931",  # 11 digits
        "",
        "   ",
        "12345-67893",
        "1234 567893",
        "123456789X",
        "１２３４５６７８９３",  # full-width digits
        "abcdefghij",
    ],
)
def test_npi_wrong_shape(npi: str) -> None:
    msg = v.check_npi(npi)
    assert msg is not None
    assert "10 digits" in msg


@given(st.integers(min_value=100_000_000, max_value=299_999_999))
def test_npi_exactly_one_check_digit_per_prefix(prefix: int) -> None:
    candidates = [f"{prefix}{d}" for d in range(10)]
    valid = [c for c in candidates if v.check_npi(c) is None]
    assert len(valid) == 1
    # the other nine fail because of the check digit, not the shape
    for c in candidates:
        if c not in valid:
            assert "check digit" in (v.check_npi(c) or "")


@given(st.integers(min_value=100_000_000, max_value=299_999_999), st.data())
def test_npi_any_single_digit_typo_is_caught(prefix: int, data: st.DataObject) -> None:
    npi = next(c for c in (f"{prefix}{d}" for d in range(10)) if v.check_npi(c) is None)
    pos = data.draw(st.integers(min_value=0, max_value=9))
    new = data.draw(st.sampled_from([d for d in "0123456789" if d != npi[pos]]))
    typo = npi[:pos] + new + npi[pos + 1 :]
    assert v.check_npi(typo) is not None


@given(st.text(max_size=20))
def test_npi_never_raises(text: str) -> None:
    assert v.check_npi(text) is None or isinstance(v.check_npi(text), str)


# --- MBI ------------------------------------------------------------------------------------

MBI_LETTERS = "ACDEFGHJKMNPQRTUVWXY"  # A–Z without S, L, O, I, B, Z
FORBIDDEN = "SLOIBZ"
# per position: allowed characters (0-based positions 1, 2, 4, 5, 7, 8 may hold letters)
MBI_POSITIONS = [
    "123456789",
    MBI_LETTERS,
    MBI_LETTERS + "0123456789",
    "0123456789",
    MBI_LETTERS,
    MBI_LETTERS + "0123456789",
    "0123456789",
    MBI_LETTERS,
    MBI_LETTERS,
    "0123456789",
    "0123456789",
]
LETTER_POSITIONS = [i for i, allowed in enumerate(MBI_POSITIONS) if "A" in allowed]

valid_mbis = st.tuples(*(st.sampled_from(allowed) for allowed in MBI_POSITIONS)).map("".join)


def test_mbi_alphabet_is_the_documented_one() -> None:
    assert set(MBI_LETTERS) == set("ABCDEFGHIJKLMNOPQRSTUVWXYZ") - set(FORBIDDEN)
    assert LETTER_POSITIONS == [1, 2, 4, 5, 7, 8]


@pytest.mark.parametrize(
    "mbi",
    [
        "1EG4-TE5-MK73",
        "1EG4TE5MK73",
        "1eg4-te5-mk73",
        " 1EG4 TE5 MK73 ",
        "9AA0A00AA00",
        "1A99A99AA99",
    ],
)
def test_mbi_valid(mbi: str) -> None:
    assert v.check_mbi(mbi) is None


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("1EG4-TE5-MK73", "1EG4TE5MK73"),
        ("1eg4-te5-mk73", "1EG4TE5MK73"),
        ("  1eg4 te5 mk73\t", "1EG4TE5MK73"),
    ],
)
def test_normalize_mbi(raw: str, stored: str) -> None:
    assert v.normalize_mbi(raw) == stored


@pytest.mark.parametrize(
    "mbi",
    [
        "0EG4-TE5-MK73",  # first character 1–9
        "1SG4-TE5-MK73",  # S
        "1EG4-TE5-MK7",  # 10 characters
        "1EG4-TE5-MK733",  # 12 characters
        "14G4-TE5-MK73",  # digit where a letter belongs
        "1EGA-TE5-MK73",  # letter where a digit belongs
        "1EG4-TE5-MK7A",
        "",
        "1EG4_TE5_MK73",
        "1EG4.TE5.MK73",
    ],
)
def test_mbi_invalid(mbi: str) -> None:
    assert v.check_mbi(mbi) is not None


def test_mbi_length_message_mentions_eleven() -> None:
    assert "11" in (v.check_mbi("1EG4-TE5") or "")


@given(valid_mbis)
def test_mbi_generated_valid_and_decorations_accepted(mbi: str) -> None:
    assert v.check_mbi(mbi) is None
    dashed = f"{mbi[:4]}-{mbi[4:7]}-{mbi[7:]}"
    assert v.check_mbi(dashed.lower()) is None
    assert v.normalize_mbi(dashed.lower()) == mbi


@given(
    valid_mbis,
    st.sampled_from(LETTER_POSITIONS),
    st.sampled_from(FORBIDDEN + FORBIDDEN.lower()),
)
def test_mbi_forbidden_letter_rejected_in_any_letter_position(
    mbi: str, pos: int, letter: str
) -> None:
    bad = mbi[:pos] + letter + mbi[pos + 1 :]
    msg = v.check_mbi(bad)
    assert msg is not None
    assert "S, L, O, I, B or Z" in msg


@given(st.text(max_size=20))
def test_mbi_never_raises(text: str) -> None:
    result = v.check_mbi(text)
    assert result is None or isinstance(result, str)


# --- ICD-10-CM ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    ["K50.90", "U07.1", "C4A.0", "M1A.0", "G35", "D83.9", "k50.90", " g35 ", "Z79.899", "S72.001A"],
)
def test_icd10_valid(code: str) -> None:
    assert v.check_icd10(code) is None


@pytest.mark.parametrize(
    "code",
    [
        "",
        "K5",
        "K50.",
        "K50.12345",
        "K50-90",
        "K50..9",
        "5K0.9",
        "KK0.9",
        "K5090",  # more characters need the dot
        "K50.9 0",
        "K50,90",
        "Κ50.90",  # Greek capital kappa
        "K５0.90",  # full-width digit
    ],
)
def test_icd10_invalid(code: str) -> None:
    assert v.check_icd10(code) is not None


@given(st.from_regex(r"[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?", fullmatch=True))
def test_icd10_pattern_accepted_any_case(code: str) -> None:
    assert v.check_icd10(code) is None
    assert v.check_icd10(code.lower()) is None
    assert v.normalize_code(f"  {code.lower()} ") == code


# --- CPT / HCPCS ----------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["96365", "0001F", "0075T", "0001f", " 96413 "])
def test_cpt_valid(code: str) -> None:
    assert v.check_cpt(code) is None
    assert v.check_procedure_code(code) is None


@pytest.mark.parametrize("code", ["9636", "96365X", "963650", "0001X", "J1745", "", "9636F5"])
def test_cpt_invalid(code: str) -> None:
    assert v.check_cpt(code) is not None


@pytest.mark.parametrize("code", ["J1745", "j1745", "Q5103", "J9312", "A0001", " J2350 "])
def test_hcpcs_valid(code: str) -> None:
    assert v.check_hcpcs(code) is None
    assert v.check_procedure_code(code) is None


@pytest.mark.parametrize("code", ["J174", "J17450", "JJ745", "1745J", "96365", "", "J 1745"])
def test_hcpcs_invalid(code: str) -> None:
    assert v.check_hcpcs(code) is not None


@pytest.mark.parametrize("code", ["9636", "J174", "96365X", "", "XYZ", "J17-45"])
def test_procedure_code_invalid(code: str) -> None:
    msg = v.check_procedure_code(code)
    assert msg is not None
    assert "CPT" in msg and "HCPCS" in msg


@given(st.from_regex(r"[0-9]{5}|[0-9]{4}[FT]|[A-V][0-9]{4}", fullmatch=True))
def test_procedure_code_pattern_accepted(code: str) -> None:
    assert v.check_procedure_code(code) is None
    assert v.check_procedure_code(code.lower()) is None


# --- ZIP ------------------------------------------------------------------------------------


@pytest.mark.parametrize("z", ["60601", "60601-1234", " 60601 ", "00501"])
def test_zip_valid(z: str) -> None:
    assert v.check_zip(z) is None


@pytest.mark.parametrize(
    "z", ["6060", "606011", "60601-123", "60601-12345", "60601 1234", "6060a", "", "606011234"]
)
def test_zip_invalid(z: str) -> None:
    assert v.check_zip(z) is not None


# --- phone ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phone",
    [
        "3125550142",
        "(312) 555-0142",
        "312.555.0142",
        "312-555-0142",
        "+1 312 555 0142",
        "+1 (312) 555-0142",
        "1-312-555-0142",
        "13125550142",
    ],
)
def test_phone_valid(phone: str) -> None:
    assert v.check_phone(phone) is None
    assert v.phone_digits(phone) == "3125550142"
    assert v.format_phone(v.phone_digits(phone)) == "(312) 555-0142"


@pytest.mark.parametrize(
    "phone",
    [
        "555-0142",  # no area code
        "312-555-014",  # 9 digits
        "312-555-01422",  # 11 digits not starting with 1
        "23125550142",
        "+44 20 7946 0958",
        "0125550142",  # area code starts with 0
        "1125550142x",
        "(112) 555-0142",  # area code starts with 1
        "312-055-0142",  # exchange starts with 0
        "312-155-0142",  # exchange starts with 1
        "312-555-CALL",
        "call me",
        "",
    ],
)
def test_phone_invalid(phone: str) -> None:
    assert v.check_phone(phone) is not None


def test_phone_letters_get_their_own_message() -> None:
    assert "digits only" in (v.check_phone("312-555-CALL") or "")


@pytest.mark.parametrize(
    ("raw", "digits"),
    [
        ("", ""),
        ("abc", ""),
        ("555-0142", "5550142"),
        ("1", "1"),
        ("1 (312) 555-0142", "3125550142"),
    ],
)
def test_phone_digits(raw: str, digits: str) -> None:
    assert v.phone_digits(raw) == digits


@pytest.mark.parametrize("text", ["", "555014", "312555014a", "31255501423"])
def test_format_phone_leaves_other_text_unchanged(text: str) -> None:
    assert v.format_phone(text) == text


@pytest.mark.parametrize("phone", ["312555014²", "３１２５５５０１４２"])
def test_phone_non_ascii_digits_rejected_or_converted(phone: str) -> None:
    digits = v.phone_digits(phone)
    assert v.check_phone(phone) is not None or digits.isascii()


AREA = st.integers(min_value=200, max_value=999).map(str)
LINE = st.integers(min_value=0, max_value=9999).map(lambda n: f"{n:04d}")
PHONE_LAYOUTS = [
    "{a}{e}{l}",
    "{a}-{e}-{l}",
    "{a}.{e}.{l}",
    "({a}) {e}-{l}",
    "({a}){e}-{l}",
    "{a} {e} {l}",
    "+1 {a} {e} {l}",
    "+1 ({a}) {e}-{l}",
    "1-{a}-{e}-{l}",
    "1{a}{e}{l}",
    " {a}  {e}  {l} ",
]


@given(AREA, AREA, LINE, st.sampled_from(PHONE_LAYOUTS))
def test_phone_round_trip(area: str, exchange: str, line: str, layout: str) -> None:
    digits = area + exchange + line
    typed = layout.format(a=area, e=exchange, l=line)
    assert v.check_phone(typed) is None
    assert v.phone_digits(typed) == digits
    formatted = v.format_phone(v.phone_digits(typed))
    assert formatted == f"({area}) {exchange}-{line}"
    # and the formatted form reads back to the same digits and is itself valid
    assert v.phone_digits(formatted) == digits
    assert v.format_phone(v.phone_digits(formatted)) == formatted
    assert v.check_phone(formatted) is None


@given(st.text(max_size=30))
def test_phone_functions_never_raise(text: str) -> None:
    result = v.check_phone(text)
    assert result is None or isinstance(result, str)
    assert isinstance(v.format_phone(v.phone_digits(text)), str)


# --- e-mail ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "email",
    [
        "name@example.org",
        " Name.Surname+tag@sub.example.co.uk ",
        "o'brien@example.com",
        "a@b.io",
        "josé@example.es",
    ],
)
def test_email_valid(email: str) -> None:
    assert v.check_email(email) is None


@pytest.mark.parametrize(
    "email",
    [
        "",
        "name",
        "name@example",
        "name@@example.org",
        "name@exa@mple.org",
        "na me@example.org",
        "@example.org",
        "name@",
        "name@example.c",
        "name@.org",
        "name@example.org.",
    ],
)
def test_email_invalid(email: str) -> None:
    assert v.check_email(email) is not None


# --- names ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "Nguyễn",
        "O'Brien",
        "O’Brien",
        "Zoë",
        "Zoe\u0308",  # decomposed ë
        "王秀英",
        "García-López",
        "Олена",
        "Mary Ann",
        "St. John",
        "محمد",
        "Κωνσταντίνος",
        "김민준",
        "ʻIolani",
        "  Jean   Luc  ",
    ],
)
def test_name_valid(name: str) -> None:
    assert v.check_name(name) is None


@pytest.mark.parametrize(
    "name",
    ["J0hn", "Ann3", "R2-D2", "John!", "Smith@", "Ann_Marie", "Bob😀", "A/B", "Ann#", "$mith"],
)
def test_name_with_digits_or_symbols_rejected(name: str) -> None:
    msg = v.check_name(name)
    assert msg is not None
    bad = next(ch for ch in name if not (ch.isalpha() or ch in "'’-. "))
    assert bad in msg


@pytest.mark.parametrize("name", ["'", "-", ". -", "\u0301"])
def test_name_needs_a_letter(name: str) -> None:
    assert v.check_name(name) == "A name needs at least one letter."


@pytest.mark.parametrize("name", ["", "   ", "\t\n"])
def test_name_required_or_optional(name: str) -> None:
    assert v.check_name(name) == "Required."
    assert v.check_name(name, required=False) is None


def test_name_length_limit() -> None:
    assert v.check_name("A" * 100) is None
    assert v.check_name("A" * 101) is not None


def test_clean_name_trims_collapses_and_composes() -> None:
    assert v.clean_name("  Mary \t  Ann\n") == "Mary Ann"
    assert v.clean_name("Zoe\u0308") == "Zoë"
    assert v.clean_name("Zoe\u0308") == "Zo\u00eb"


name_chars = st.characters(categories=["Lu", "Ll", "Lo"])
name_words = st.text(name_chars, min_size=1, max_size=12)
valid_names = st.lists(
    st.tuples(name_words, st.sampled_from([" ", "-", "'", "’", ". "])), min_size=1, max_size=3
).map(lambda parts: "".join(w + sep for w, sep in parts[:-1]) + parts[-1][0])
forbidden_chars = st.one_of(
    st.characters(categories=["Nd", "No", "Sm", "Sc", "Sk", "So", "Pc", "Ps", "Pe"]),
    st.sampled_from(list('!@#$%^&*()_+=[]{}<>/\\|;:"?~`,')),
)


@given(valid_names)
def test_name_letters_with_separators_accepted(name: str) -> None:
    assert v.check_name(name) is None


@given(valid_names, forbidden_chars, st.data())
def test_name_with_digit_or_symbol_anywhere_rejected(
    name: str, bad: str, data: st.DataObject
) -> None:
    pos = data.draw(st.integers(min_value=0, max_value=len(name)))
    assert v.check_name(name[:pos] + bad + name[pos:]) is not None


@given(st.text(max_size=120), st.booleans())
def test_name_never_raises(text: str, required: bool) -> None:
    result = v.check_name(text, required=required)
    assert result is None or isinstance(result, str)


# --- dates of birth, ages, minors ---------------------------------------------------------


def test_birth_date_today_and_past_ok() -> None:
    assert v.check_birth_date(TODAY, TODAY) is None
    assert v.check_birth_date(date(1968, 4, 12), TODAY) is None


def test_birth_date_future_rejected() -> None:
    msg = v.check_birth_date(TODAY + timedelta(days=1), TODAY)
    assert msg is not None
    assert "future" in msg
    assert v.check_birth_date(date(2030, 1, 1), TODAY) is not None


def test_birth_date_exactly_120_years_ago_ok() -> None:
    assert v.check_birth_date(date(1906, 11, 27), TODAY) is None


def test_birth_date_121_years_old_rejected() -> None:
    msg = v.check_birth_date(date(1905, 11, 27), TODAY)
    assert msg is not None
    assert "120" in msg
    assert v.check_birth_date(date(1850, 1, 1), TODAY) is not None


def test_birth_date_120_years_and_a_day_ago_rejected() -> None:
    assert v.check_birth_date(date(1906, 11, 26), TODAY) is not None


@pytest.mark.parametrize(
    ("born", "today", "age"),
    [
        (date(1968, 4, 12), date(2026, 11, 27), 58),
        (date(1968, 4, 12), date(2026, 4, 11), 57),
        (date(1968, 4, 12), date(2026, 4, 12), 58),
        (date(2000, 12, 31), date(2001, 1, 1), 0),
        (date(2000, 12, 31), date(2001, 12, 31), 1),
        (date(2008, 2, 29), date(2026, 2, 28), 17),
        (date(2008, 2, 29), date(2026, 3, 1), 18),
        (date(2008, 2, 29), date(2028, 2, 28), 19),
        (date(2008, 2, 29), date(2028, 2, 29), 20),
        (TODAY, TODAY, 0),
    ],
)
def test_age_on_examples(born: date, today: date, age: int) -> None:
    assert v.age_on(born, today) == age


@pytest.mark.parametrize(
    ("born", "minor"),
    [
        (date(2008, 11, 27), False),  # 18th birthday today
        (date(2008, 11, 28), True),  # 18 tomorrow
        (date(2008, 11, 26), False),
        (date(2015, 6, 1), True),
        (TODAY, True),
        (date(1968, 4, 12), False),
    ],
)
def test_is_minor_birthday_boundary(born: date, minor: bool) -> None:
    assert v.is_minor(born, TODAY) is minor


def test_is_minor_feb_29_birth() -> None:
    born = date(2008, 2, 29)
    assert v.is_minor(born, date(2026, 2, 28)) is True
    assert v.is_minor(born, date(2026, 3, 1)) is False


def _is_birthday(born: date, day: date) -> bool:
    """The day the age goes up: the same month/day, or 1 March for 29 Feb births in common years."""
    if (day.month, day.day) == (born.month, born.day):
        return True
    return (
        (born.month, born.day) == (2, 29)
        and (day.month, day.day) == (3, 1)
        and not (calendar.isleap(day.year))
    )


def _anniversary(born: date, years: int) -> date:
    y = born.year + years
    if (born.month, born.day) == (2, 29) and not calendar.isleap(y):
        return date(y, 3, 1)
    return date(y, born.month, born.day)


births = st.dates(min_value=date(1880, 1, 1), max_value=date(2100, 12, 31))
leap_day_births = st.sampled_from([y for y in range(1880, 2101) if calendar.isleap(y)]).map(
    lambda y: date(y, 2, 29)
)
any_birth = st.one_of(births, leap_day_births)


@given(any_birth, st.integers(min_value=0, max_value=130 * 366))
def test_age_on_steps_by_one_exactly_on_birthdays(born: date, offset: int) -> None:
    day = born + timedelta(days=offset)
    nxt = day + timedelta(days=1)
    step = v.age_on(born, nxt) - v.age_on(born, day)
    assert step == (1 if _is_birthday(born, nxt) else 0)


@given(any_birth, st.integers(min_value=0, max_value=130 * 366), st.integers(0, 130 * 366))
def test_age_on_monotonic(born: date, a: int, b: int) -> None:
    d1, d2 = sorted((born + timedelta(days=a), born + timedelta(days=b)))
    assert 0 <= v.age_on(born, d1) <= v.age_on(born, d2)


@given(any_birth, st.integers(min_value=1, max_value=130))
def test_age_on_anniversaries(born: date, years: int) -> None:
    anniversary = _anniversary(born, years)
    assert v.age_on(born, anniversary) == years
    assert v.age_on(born, anniversary - timedelta(days=1)) == years - 1
    assert v.is_minor(born, anniversary) is (years < 18)


@given(any_birth, st.dates(min_value=date(1880, 1, 1), max_value=date(2250, 12, 31)))
def test_check_birth_date_agrees_with_age(born: date, today: date) -> None:
    msg = v.check_birth_date(born, today)
    if born > today:
        assert msg is not None and "future" in msg
    elif _anniversary(born, v.MAX_AGE_YEARS) < today:  # more than 120 years ago
        assert msg is not None and "120" in msg
    else:
        assert msg is None
