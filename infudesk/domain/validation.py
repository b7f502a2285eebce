"""Validators and normalisers for identifiers, codes, contact data and names.

Every ``check_*`` function returns ``None`` when the value is acceptable and otherwise a
short message a person can act on. ``normalize_*`` functions turn accepted input into the
stored form.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

_NPI_RE = re.compile(r"^[12][0-9]{9}$")
_MBI_LETTER = "AC-HJKMNP-RT-Y"
_MBI_RE = re.compile(
    rf"^[1-9][{_MBI_LETTER}][{_MBI_LETTER}0-9][0-9][{_MBI_LETTER}][{_MBI_LETTER}0-9][0-9]"
    rf"[{_MBI_LETTER}]{{2}}[0-9]{{2}}$"
)
_ICD10_RE = re.compile(r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")
_CPT_RE = re.compile(r"^([0-9]{5}|[0-9]{4}[FT])$")
_HCPCS_RE = re.compile(r"^[A-V][0-9]{4}$")
_ZIP_RE = re.compile(r"^[0-9]{5}(-[0-9]{4})?$")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")
_NAME_PUNCT = set("'’‐-. ·")  # ASCII and Unicode hyphen, middle dot (约翰·史密斯)

MAX_AGE_YEARS = 120
ADULT_AGE = 18


def luhn_ok(digits: str) -> bool:
    """True when the digit string passes the Luhn check."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def check_npi(value: str) -> str | None:
    """NPI: 10 digits, first 1 or 2, Luhn over '80840' + the first nine digits."""
    v = value.strip()
    if not _NPI_RE.match(v):
        return "An NPI is 10 digits starting with 1 or 2."
    if not luhn_ok("80840" + v):
        return "This NPI's check digit is wrong: check for a typo."
    return None


def normalize_mbi(value: str) -> str:
    """Uppercase, without dashes or spaces."""
    return re.sub(r"[\s-]", "", value).upper()


def check_mbi(value: str) -> str | None:
    """Medicare Beneficiary Identifier (after normalisation)."""
    v = normalize_mbi(value)
    if len(v) != 11:
        return "A Medicare number (MBI) has 11 characters, e.g. 1EG4-TE5-MK73."
    if not _MBI_RE.match(v):
        return "This is not a valid Medicare number (MBI): it never contains S, L, O, I, B or Z."
    return None


def normalize_code(value: str) -> str:
    """Uppercase and strip a diagnosis or procedure code."""
    return value.strip().upper()


def check_icd10(value: str) -> str | None:
    """ICD-10-CM diagnosis code such as K50.90."""
    if not _ICD10_RE.match(normalize_code(value)):
        return "An ICD-10 code looks like K50.90: a letter, two characters, then optional dot and up to 4 more."
    return None


def check_cpt(value: str) -> str | None:
    """CPT: category I (5 digits), II (4 digits + F) or III (4 digits + T)."""
    if not _CPT_RE.match(normalize_code(value)):
        return "A CPT code is five digits (e.g. 96365), or four digits followed by F or T."
    return None


def check_hcpcs(value: str) -> str | None:
    """HCPCS level II: a letter and four digits (e.g. J1745)."""
    if not _HCPCS_RE.match(normalize_code(value)):
        return "A HCPCS code is a letter followed by four digits, e.g. J1745."
    return None


def check_procedure_code(value: str) -> str | None:
    """Either a CPT or a HCPCS level II code."""
    if check_cpt(value) is None or check_hcpcs(value) is None:
        return None
    return "Enter a CPT code (e.g. 96365) or a HCPCS code (e.g. J1745)."


def check_zip(value: str) -> str | None:
    """US ZIP code: 5 digits or ZIP+4."""
    if not _ZIP_RE.match(value.strip()):
        return "A ZIP code is 5 digits, or 5 digits, a dash and 4 digits (60601-1234)."
    return None


def phone_digits(value: str) -> str:
    """Digits of a phone number, without a leading North American country code 1."""
    digits = "".join(ch for ch in value if "0" <= ch <= "9")
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    return digits


def check_phone(value: str) -> str | None:
    """10-digit North American number; area code and exchange cannot start with 0 or 1."""
    if re.search(r"[^0-9\s()+.\-]", value):
        return "A phone number holds digits only, e.g. (312) 555-0142."
    d = phone_digits(value)
    if len(d) != 10:
        return "A phone number has 10 digits with the area code, e.g. (312) 555-0142."
    if d[0] in "01" or d[3] in "01":
        return "Area code and exchange cannot start with 0 or 1: check the number."
    return None


def format_phone(digits: str) -> str:
    """(312) 555-0142 from ten digits; anything else unchanged."""
    if len(digits) == 10 and all("0" <= ch <= "9" for ch in digits):
        return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
    return digits


def check_email(value: str) -> str | None:
    """A plausible e-mail address."""
    if not _EMAIL_RE.match(value.strip()):
        return "This does not look like an e-mail address (name@example.org)."
    return None


def clean_name(value: str) -> str:
    """NFC-normalised, trimmed, inner whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFC", value).split())


def check_name(value: str, *, required: bool = True) -> str | None:
    """Names: Unicode letters (and marks), apostrophes, hyphens, periods and spaces."""
    v = clean_name(value)
    if not v:
        return "Required." if required else None
    if len(v) > 100:
        return "Keep a name under 100 characters."
    has_letter = False
    for ch in v:
        cat = unicodedata.category(ch)
        if cat.startswith("L"):
            has_letter = True
        elif cat.startswith("M") or ch in _NAME_PUNCT:
            continue
        else:
            return f"A name may hold letters, spaces, apostrophes and hyphens, not “{ch}”."
    if not has_letter:
        return "A name needs at least one letter."
    return None


def age_on(born: date, today: date) -> int:
    """Age in whole years on ``today``."""
    years = today.year - born.year
    if (today.month, today.day) < (born.month, born.day):
        years -= 1
    return years


def check_birth_date(born: date, today: date) -> str | None:
    """Not in the future, not more than 120 years ago."""
    if born > today:
        return "The date of birth is in the future."
    oldest = _years_before(today, MAX_AGE_YEARS)
    if born < oldest:
        return f"The date of birth is more than {MAX_AGE_YEARS} years ago: check the year."
    return None


def _years_before(today: date, years: int) -> date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February in a year that has none: the day after 28 February
        return date(today.year - years, 3, 1)


def is_minor(born: date, today: date) -> bool:
    """Under 18 on ``today``."""
    return age_on(born, today) < ADULT_AGE
