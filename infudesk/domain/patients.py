"""Patient demographics: the plain record, its validation, search keys and look-alikes."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, fields, replace
from datetime import date
from difflib import SequenceMatcher

from infudesk.domain import validation as v

SEXES: dict[str, str] = {"F": "Female", "M": "Male", "X": "Non-binary / other", "U": "Unknown"}
LANGUAGES: dict[str, str] = {
    "en": "English",
    "es": "Spanish",
    "vi": "Vietnamese",
    "zh": "Chinese",
    "ko": "Korean",
    "ru": "Russian",
    "uk": "Ukrainian",
    "ar": "Arabic",
    "pl": "Polish",
    "fr": "French",
    "el": "Greek",
    "tl": "Tagalog",
    "ja": "Japanese",
    "pt": "Portuguese",
    "ht": "Haitian Creole",
    "hi": "Hindi",
}
US_STATES = [
    "AL",
    "AK",
    "AZ",
    "AR",
    "CA",
    "CO",
    "CT",
    "DE",
    "DC",
    "FL",
    "GA",
    "HI",
    "ID",
    "IL",
    "IN",
    "IA",
    "KS",
    "KY",
    "LA",
    "ME",
    "MD",
    "MA",
    "MI",
    "MN",
    "MS",
    "MO",
    "MT",
    "NE",
    "NV",
    "NH",
    "NJ",
    "NM",
    "NY",
    "NC",
    "ND",
    "OH",
    "OK",
    "OR",
    "PA",
    "RI",
    "SC",
    "SD",
    "TN",
    "TX",
    "UT",
    "VT",
    "VA",
    "WA",
    "WV",
    "WI",
    "WY",
    "PR",
    "GU",
    "VI",
    "AS",
    "MP",
]
MRN_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,19}$")


@dataclass(frozen=True)
class PatientData:
    """Everything the front desk records about a person, as plain values."""

    first_name: str = ""
    last_name: str = ""
    middle_name: str = ""
    suffix: str = ""
    preferred_name: str = ""
    name_on_card: str = ""  # as printed on the insurance card; "" = same as the legal name
    birth_date: date | None = None
    sex: str = "U"
    mrn: str = ""
    phone_mobile: str = ""
    phone_home: str = ""
    email: str = ""
    address_line1: str = ""
    address_line2: str = ""
    city: str = ""
    state: str = ""
    zip_code: str = ""
    preferred_language: str = "en"
    guardian_name: str = ""
    guardian_relationship: str = ""
    guardian_phone: str = ""
    emergency_name: str = ""
    emergency_relationship: str = ""
    emergency_phone: str = ""
    notes: str = ""
    active: bool = True

    def display_name(self) -> str:
        """Last, First Middle Suffix (the way a front desk files names)."""
        return filed_name(self.last_name, self.first_name, self.middle_name, self.suffix)


def legal_name(p: PatientData) -> str:
    """'María Elena García-López' (given names first) — '王秀英' for a CJK name."""
    if is_cjk(p.last_name + p.first_name):
        return f"{p.last_name}{p.middle_name}{p.first_name}"
    return " ".join(x for x in (p.first_name, p.middle_name, p.last_name, p.suffix) if x)


def card_name(p: PatientData) -> str:
    """The name as on the insurance card: ``name_on_card``, or the legal name when empty."""
    return p.name_on_card.strip() or legal_name(p)


def is_cjk(text: str) -> bool:
    """Written in Chinese, Japanese or Korean characters (family name first, no comma)."""
    return any(0x2E80 <= ord(ch) <= 0x9FFF or 0xAC00 <= ord(ch) <= 0xD7AF for ch in text)


def filed_name(last: str, first: str, middle: str = "", suffix: str = "") -> str:
    """'García-López, María Elena' — or '王秀英' for a name written in CJK characters."""
    if is_cjk(last + first):
        return f"{last}{middle}{first}"
    given = " ".join(p for p in (first, middle) if p)
    name = f"{last}, {given}" if last and given else (last or given)
    return f"{name} {suffix}".strip()


def shown_name(
    last: str, first: str, middle: str = "", suffix: str = "", preferred: str = ""
) -> str:
    """The patient's name as every screen and letter heading shows it: the filed name, then
    the preferred name in parentheses when there is one that says something else —
    '王秀英 (Wang Xiuying)', 'García-López, María Elena'."""
    name = filed_name(last, first, middle, suffix)
    preferred = preferred.strip()
    if preferred and preferred.casefold() not in (name.casefold(), first.casefold()):
        return f"{name} ({preferred})"
    return name


def patient_shown_name(p: PatientData) -> str:
    """``shown_name`` of a patient's record."""
    return shown_name(p.last_name, p.first_name, p.middle_name, p.suffix, p.preferred_name)


PHONE_FIELDS = ("phone_mobile", "phone_home", "guardian_phone", "emergency_phone")
FIELD_LABELS: dict[str, str] = {
    f.name: f.name.replace("_", " ").capitalize() for f in fields(PatientData)
}


def normalize(p: PatientData) -> PatientData:
    """Trim text, store phones as digits, MRN and state in uppercase."""
    changes: dict[str, object] = {}
    for f in fields(p):
        value = getattr(p, f.name)
        if isinstance(value, str):
            value = v.clean_name(value) if f.name != "notes" else value.strip()
            if f.name in PHONE_FIELDS:
                value = v.phone_digits(value) if value else ""
            elif f.name in ("mrn", "state"):
                value = v.clean_name(value.upper())  # NFC after the case change: idempotent
            elif f.name == "email":
                value = v.clean_name(value.lower())
            changes[f.name] = value
    return replace(p, **changes)  # type: ignore[arg-type]


def validate(p: PatientData, today: date) -> dict[str, str]:
    """Field name → message for every problem; empty when the record can be saved."""
    errors: dict[str, str] = {}

    def put(name: str, msg: str | None) -> None:
        if msg and name not in errors:
            errors[name] = msg

    put("first_name", v.check_name(p.first_name))
    put("last_name", v.check_name(p.last_name))
    for name in ("middle_name", "preferred_name", "name_on_card"):
        put(name, v.check_name(getattr(p, name), required=False))
    if p.suffix and not re.fullmatch(r"[A-Za-z.]{1,6}", p.suffix.strip()):
        put("suffix", "A suffix is short, like Jr., Sr., II or III.")
    if p.birth_date is None:
        put("birth_date", "Required: enter the date of birth (MM/DD/YYYY).")
    else:
        put("birth_date", v.check_birth_date(p.birth_date, today))
    if p.sex not in SEXES:
        put("sex", "Choose one of the listed values.")
    if p.mrn and not MRN_RE.match(p.mrn.strip().upper()):
        put("mrn", "An MRN has 2–20 letters, digits or dashes; leave it empty to generate one.")
    for name in PHONE_FIELDS:
        value = getattr(p, name)
        if value.strip():
            put(name, v.check_phone(value))
    if p.email.strip():
        put("email", v.check_email(p.email))
    if p.zip_code.strip():
        put("zip_code", v.check_zip(p.zip_code))
    if p.state.strip() and p.state.strip().upper() not in US_STATES:
        put("state", "Use the two-letter state code, e.g. IL.")
    if p.preferred_language not in LANGUAGES:
        put("preferred_language", "Choose a language from the list.")
    put("guardian_name", v.check_name(p.guardian_name, required=False))
    put("emergency_name", v.check_name(p.emergency_name, required=False))
    if p.birth_date is not None and "birth_date" not in errors and v.is_minor(p.birth_date, today):
        if not p.guardian_name.strip():
            put("guardian_name", "A patient under 18 needs a guardian or responsible party.")
        if not p.guardian_relationship.strip():
            put(
                "guardian_relationship",
                "Say how the guardian is related (mother, father, legal guardian…).",
            )
        if not p.guardian_phone.strip():
            put("guardian_phone", "Give a phone number for the guardian.")
    return errors


# --- search keys ---------------------------------------------------------------------------

_SPLIT_RE = re.compile(r"[\s\-'’.,]+")


def fold(text: str) -> str:
    """Case- and accent-insensitive key: 'García-López' → 'garcia-lopez', 'Nguyễn' → 'nguyen'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.replace("đ", "d").replace("ø", "o").replace("ł", "l")


def name_tokens(*parts: str) -> set[str]:
    """Folded search tokens of the given names.

    Each word gives itself without punctuation ("o'brien" → "obrien") and its pieces
    ("o", "brien"); each whole part gives itself without separators (for CJK names).
    """
    tokens: set[str] = set()
    for part in parts:
        folded = fold(part).strip()
        if not folded:
            continue
        tokens.add(_SPLIT_RE.sub("", folded))
        for word in folded.split():
            joined = _SPLIT_RE.sub("", word)
            if joined:
                tokens.add(joined)
            tokens.update(t for t in _SPLIT_RE.split(word) if t)
    return tokens


def search_tokens(p: PatientData) -> set[tuple[str, str]]:
    """(kind, token) pairs a search can find the patient by."""
    out = {
        ("name", t) for t in name_tokens(p.first_name, p.middle_name, p.last_name, p.preferred_name)
    }
    if any(ord(ch) >= 0x2E80 for ch in p.last_name + p.first_name):
        out.add(("name", fold(p.last_name + p.first_name).replace(" ", "")))
    for number in (p.phone_mobile, p.phone_home):
        if number:
            out.add(("phone", number))
            out.add(("phone", number[-7:]))
    if p.mrn:
        out.add(("mrn", _SPLIT_RE.sub("", fold(p.mrn))))
    return out


_DATE_FORMATS = (
    re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$"),
    re.compile(r"^(?P<m>\d{1,2})[/.-](?P<d>\d{1,2})[/.-](?P<y>\d{4})$"),
    re.compile(r"^(?P<m>\d{1,2})[/.-](?P<d>\d{1,2})[/.-](?P<y>\d{2})$"),
    re.compile(r"^(?P<m>\d{2})(?P<d>\d{2})(?P<y>\d{4})$"),
)


def parse_date(text: str, today: date | None = None) -> date | None:
    """A date typed the usual US ways (MM/DD/YYYY, M/D/YY, YYYY-MM-DD, MMDDYYYY) or None.

    Two-digit years are taken as the most recent such year not after ``today``.
    """
    s = text.strip()
    for rx in _DATE_FORMATS:
        m = rx.match(s)
        if not m:
            continue
        year = int(m["y"])
        ref = today or date.today()
        if len(m["y"]) == 2:
            year += ref.year // 100 * 100
        try:
            found = date(year, int(m["m"]), int(m["d"]))
            if len(m["y"]) == 2 and found > ref:
                found = date(year - 100, int(m["m"]), int(m["d"]))
        except ValueError:
            return None
        return found
    return None


@dataclass(frozen=True)
class SearchQuery:
    """A search box's text, split into what each part can match."""

    terms: tuple[str, ...] = ()
    birth_date: date | None = None
    digits: tuple[str, ...] = field(default=())

    @property
    def empty(self) -> bool:
        return not (self.terms or self.birth_date or self.digits)


def parse_search(text: str, today: date | None = None) -> SearchQuery:
    """Split search text: dates match the birth date, digit runs match phone or MRN, words names."""
    terms: list[str] = []
    digits: list[str] = []
    born: date | None = None
    raw_parts = [p for p in re.split(r"[\s,]+", text.strip()) if p]
    for part in raw_parts:
        as_date = parse_date(part, today) if re.search(r"\d", part) else None
        if as_date is not None and born is None:
            born = as_date
            continue
        only_digits = re.sub(r"[()\-.\s]", "", part)
        if only_digits.isdigit():
            digits.append(only_digits)
            continue
        # "o'br" and "garcia-lop" are one word typed with its punctuation: match the whole
        # part (name_tokens stores each name part without separators as well as its words)
        joined = _SPLIT_RE.sub("", fold(part))
        if joined:
            terms.append(joined)
    return SearchQuery(terms=tuple(terms), birth_date=born, digits=tuple(digits))


# --- look-alikes ---------------------------------------------------------------------------


def _similar(a: str, b: str) -> bool:
    fa, fb = fold(a).replace(" ", ""), fold(b).replace(" ", "")
    if not fa or not fb:
        return False
    if fa == fb or (min(len(fa), len(fb)) == 1 and fa[0] == fb[0]):  # same, or an initial
        return True
    if min(len(fa), len(fb)) >= 3 and (fa.startswith(fb) or fb.startswith(fa)):
        return True
    return SequenceMatcher(None, fa, fb).ratio() >= 0.75


def looks_like(a: PatientData, b: PatientData) -> bool:
    """Same birth date and a similar name (typos, swapped first/last, a missing hyphen part)."""
    if a.birth_date is None or a.birth_date != b.birth_date:
        return False
    b_last_parts = name_tokens(b.last_name)
    a_last_parts = name_tokens(a.last_name)
    last_close = _similar(a.last_name, b.last_name) or bool(a_last_parts & b_last_parts)
    first_close = (
        _similar(a.first_name, b.first_name)
        or _similar(a.first_name, b.preferred_name)
        or _similar(a.preferred_name, b.first_name)
    )
    swapped = _similar(a.first_name, b.last_name) and _similar(a.last_name, b.first_name)
    return (last_close and first_close) or swapped
