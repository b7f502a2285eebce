"""Fictional but realistic patient demographics (many cultures and scripts) for demo databases."""

from __future__ import annotations

import random
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from infudesk.domain import validation as v
from infudesk.domain.patients import LANGUAGES, US_STATES, PatientData, fold
from infudesk.resources import resource

_TABLES = tomllib.loads(resource("demo", "people.toml").read_text(encoding="utf-8"))

# The word tables live in resources/demo/people.toml. Every table is parsed and checked once at
# import; generating a record only indexes into prebuilt tuples with ``rng.random()`` (stable
# across Python versions, unlike ``choice``/``randrange`` whose algorithms have changed), so a
# seed always gives the same data.

_Name = tuple[str, str]  # (as written, lowercase ASCII stem for e-mail addresses)
_Surname = tuple[str, str, str, str]  # (male form, female form, male ASCII, female ASCII)
_Pool = tuple[_Name, ...]
_Pools = tuple[_Pool, _Pool, _Pool]  # by generation: under 30, 30–59, 60 and over


def _ascii(text: str) -> str:
    stem = re.sub(r"[^a-z]", "", fold(text))
    if not stem:
        raise ValueError(f"no ASCII spelling for {text!r}")
    return stem


def _items(spec: str) -> list[tuple[str, str, int]]:
    """'written=romanized*weight' items separated by commas → (written, romanized, weight)."""
    out: list[tuple[str, str, int]] = []
    for raw in spec.split(","):
        item = " ".join(raw.split())
        if not item:
            continue
        weight = 1
        if "*" in item:
            item, count = item.rsplit("*", 1)
            weight = int(count)
        written, _, roman = item.partition("=")
        written = unicodedata.normalize("NFC", written.strip())
        if any(v.check_name(part) for part in written.split("/")):
            raise ValueError(f"not a valid name: {written!r}")
        out.append((written, roman.strip() or written, weight))
    return out


def _names(spec: str) -> _Pool:
    out: list[_Name] = []
    for written, roman, weight in _items(spec):
        out.extend([(written, _ascii(roman))] * weight)
    return tuple(out)


def _pools(spec: str | tuple[str, str, str]) -> _Pools:
    if isinstance(spec, str):
        pool = _names(spec)
        return (pool, pool, pool)
    return (_names(spec[0]), _names(spec[1]), _names(spec[2]))


def _surnames(spec: str) -> tuple[_Surname, ...]:
    """Surnames; 'Иванов/Иванова=Ivanov/Ivanova' gives male and female forms."""
    out: list[_Surname] = []
    for written, roman, weight in _items(spec):
        male, _, female = written.partition("/")
        r_male, _, r_female = roman.partition("/")
        entry = (male, female or male, _ascii(r_male), _ascii(r_female or r_male))
        out.extend([entry] * weight)
    return tuple(out)


def _expand(weighted: Iterable[tuple[object, int]]) -> tuple[object, ...]:
    return tuple(item for item, weight in weighted for _ in range(weight))


# --- places ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Locale:
    city: str
    state: str
    zip_low: int
    zip_span: int
    areas: tuple[str, ...]


# city | state | ZIP range | area codes | weight (roughly by population)


def _parse_locales(spec: str) -> tuple[dict[str, _Locale], tuple[_Locale, ...]]:
    by_key: dict[str, _Locale] = {}
    weighted: list[tuple[object, int]] = []
    for line in spec.strip().splitlines():
        city, state, zips, areas, weight = line.split("|")
        low, high = zips.split("-")
        codes = tuple(areas.split())
        if state not in US_STATES or len(low) != 5 or len(high) != 5:
            raise ValueError(f"bad locale: {line}")
        if any(len(a) != 3 or not a.isdigit() or a[0] in "01" for a in codes):
            raise ValueError(f"bad area code: {line}")
        loc = _Locale(city, state, int(low), int(high) - int(low) + 1, codes)
        by_key[f"{city} {state}"] = loc
        weighted.append((loc, int(weight)))
    return by_key, tuple(loc for loc in _expand(weighted) if isinstance(loc, _Locale))


_LOCALE_BY_KEY, _LOCALES = _parse_locales(_TABLES["places"])
_ALL_AREAS = tuple(a for loc in _LOCALE_BY_KEY.values() for a in loc.areas)
_LINES = tuple(f"55501{n:02d}" for n in range(100))  # 555-0100…0199: reserved for fiction

_STREET_TYPES = _expand(
    (
        ("St", 9),
        ("Ave", 8),
        ("Rd", 5),
        ("Dr", 6),
        ("Ln", 4),
        ("Blvd", 2),
        ("Ct", 3),
        ("Way", 2),
        ("Pl", 2),
        ("Ter", 1),
        ("Cir", 1),
        ("Pkwy", 1),
    )
)
_ORDINAL_SUFFIX = {1: "st", 2: "nd", 3: "rd"}


def _streets() -> tuple[str, ...]:
    names = [" ".join(s.split()) for s in _TABLES["street_names"].split(",") if s.strip()]
    out = [f"{n} {t}" for n in names for t in _STREET_TYPES]
    for n in range(1, 60):
        suffix = "th" if 10 <= n % 100 <= 20 else _ORDINAL_SUFFIX.get(n % 10, "th")
        out += [f"{n}{suffix} St", f"{n}{suffix} Ave"] * 4
    out += [
        "Martin Luther King Jr Blvd",
        "Cesar Chavez Ave",
        "El Camino Real",
        "Broadway",
        "Route 9",
        "County Road 12",
        "Old Highway 61",
        "Avenida del Sol",
    ] * 6
    return tuple(out)


_STREETS = _streets()
_DIRECTIONS = ("N ", "S ", "E ", "W ")
_UNITS = tuple(
    [f"Apt {f}{c}" for f in range(1, 13) for c in "ABCD"]
    + [f"Apt {f}{n:02d}" for f in range(1, 9) for n in range(1, 13)]
    + [f"Unit {n}" for n in range(1, 41)]
    + [f"#{n}" for n in range(1, 31)]
)

# --- people ----------------------------------------------------------------------------------

_ORDER_WESTERN, _ORDER_HAN, _ORDER_JAPANESE, _ORDER_VIET = range(4)  # a whole name in one field
_MID_NONE, _MID_GIVEN, _MID_POOL, _MID_SURNAME = range(4)  # where middle names come from


@dataclass(frozen=True, slots=True)
class _Culture:
    key: str
    female: _Pools
    male: _Pools
    surnames: tuple[_Surname, ...]
    order: int
    lang: str
    lang_share: tuple[float, float, float]  # native language share: minors, under 35, older
    other_langs: tuple[str, ...]
    middle: int
    middle_share: float
    initial_share: float
    mid_f: _Pool
    mid_m: _Pool
    latin: bool
    english_given: tuple[float, float, float]  # share with English given names, by generation
    english_pref: float
    nick: float
    suffix: float
    hyphen: float
    double: float
    keeps: float  # share of married women / mothers with a surname of their own
    places: tuple[_Locale, ...]
    place_share: float


def _culture(
    key: str,
    *,
    female: str | tuple[str, str, str],
    male: str | tuple[str, str, str],
    surnames: str,
    order: int = _ORDER_WESTERN,
    lang: str = "en",
    lang_share: float = 1.0,
    other_langs: str = "en",
    middle: int = _MID_NONE,
    middle_share: float = 0.0,
    initial_share: float = 0.0,
    mid_f: str = "",
    mid_m: str = "",
    english_given: tuple[float, float, float] = (0.0, 0.0, 0.0),
    english_pref: float = 0.0,
    nick: float = 0.0,
    suffix: float = 0.0,
    hyphen: float = 0.0,
    double: float = 0.0,
    keeps: float = 0.15,
    places: str = "",
    place_share: float = 0.6,
) -> _Culture:
    langs = other_langs.split()
    if lang not in LANGUAGES or any(code not in LANGUAGES for code in langs):
        raise ValueError(f"unknown language in culture {key}")
    young = lang_share if lang == "en" else lang_share * 0.6
    minor = lang_share if lang == "en" else lang_share * 0.8
    locales = tuple(_LOCALE_BY_KEY[p.strip()] for p in places.split(",") if p.strip())
    pools_f, pools_m = _pools(female), _pools(male)
    return _Culture(
        key=key,
        female=pools_f,
        male=pools_m,
        surnames=_surnames(surnames),
        order=order,
        lang=lang,
        lang_share=(minor, young, lang_share),
        other_langs=tuple(langs),
        middle=middle,
        middle_share=middle_share,
        initial_share=initial_share,
        mid_f=_names(mid_f),
        mid_m=_names(mid_m),
        latin=order == _ORDER_WESTERN
        and all(
            "LATIN" in unicodedata.name(name[0][0]) for p in (*pools_f, *pools_m) for name in p
        ),
        english_given=english_given,
        english_pref=english_pref,
        nick=nick,
        suffix=suffix,
        hyphen=hyphen,
        double=double,
        keeps=keeps,
        places=locales,
        place_share=place_share if locales else 0.0,
    )


_ORDERS = {
    "western": _ORDER_WESTERN,
    "han": _ORDER_HAN,
    "japanese": _ORDER_JAPANESE,
    "viet": _ORDER_VIET,
}
_MIDDLES = {"none": _MID_NONE, "given": _MID_GIVEN, "pool": _MID_POOL, "surname": _MID_SURNAME}


def _from_table(key: str, spec: dict[str, Any]) -> _Culture:
    """A culture as written in people.toml (lists as tuples, order and middle by name)."""
    args: dict[str, Any] = {
        k: tuple(x) if isinstance(x, list) else x for k, x in spec.items() if k != "weight"
    }
    args["order"] = _ORDERS[args.get("order", "western")]
    args["middle"] = _MIDDLES[args.get("middle", "none")]
    return _culture(key, **args)


_CULTURE_BY_KEY = {key: _from_table(key, spec) for key, spec in _TABLES["cultures"].items()}
_EN = _CULTURE_BY_KEY["english"]
_CULTURE_WEIGHTS: tuple[tuple[_Culture, int], ...] = tuple(
    (_CULTURE_BY_KEY[key], int(spec["weight"])) for key, spec in _TABLES["cultures"].items()
)

_CULTURES = tuple(c for c in _expand(_CULTURE_WEIGHTS) if isinstance(c, _Culture))


def _nicknames(spec: str) -> dict[str, _Pool]:
    """'Name: Nick Nick2; …' → {name: nicknames}; 'Ника=Nika' gives a romanization."""
    out: dict[str, _Pool] = {}
    for entry in spec.split(";"):
        if entry.strip():
            name, _, nicks = entry.partition(":")
            key = unicodedata.normalize("NFC", name.strip())
            out[key] = _names(",".join(nicks.split()))
    return out


_NICKNAMES = _nicknames(_TABLES["nicknames"])
_EN_PREF = (
    _names(_TABLES["english_preferred_female"]),
    _names(_TABLES["english_preferred_male"]),
)
_NEUTRAL = _names(_TABLES["neutral"])

_SUFFIXES = ("Jr.",) * 11 + ("Sr.",) * 3 + ("II",) * 2 + ("III",) * 3 + ("IV",)

# Relations: label, sex (F, M, S = spouse: usually the other sex, A = any), age offset,
# share with the patient's surname (-1: as for a mother, i.e. depends on the culture).
_Rel = tuple[str, str, int, float]
_GUARDIANS: tuple[tuple[_Rel, int], ...] = (
    (("Mother", "F", 28, -1.0), 56),
    (("Father", "M", 31, 0.95), 28),
    (("Grandmother", "F", 55, 0.5), 10),
    (("Legal guardian", "A", 35, 0.2), 6),
)
_CONTACTS_MINOR: tuple[tuple[_Rel, int], ...] = (
    (("Father", "M", 31, 0.95), 30),
    (("Mother", "F", 28, -1.0), 30),
    (("Grandmother", "F", 55, 0.5), 20),
    (("Grandfather", "M", 57, 0.5), 8),
    (("Aunt", "F", 27, 0.4), 8),
    (("Uncle", "M", 29, 0.5), 4),
)
_CONTACTS_YOUNG: tuple[tuple[_Rel, int], ...] = (
    (("Mother", "F", 27, -1.0), 30),
    (("Father", "M", 30, 0.95), 12),
    (("Partner", "S", 0, 0.1), 15),
    (("Spouse", "S", 0, -1.0), 8),
    (("Sister", "F", 0, 0.85), 10),
    (("Brother", "M", 0, 0.9), 8),
    (("Friend", "A", 0, 0.03), 12),
    (("Grandmother", "F", 50, 0.5), 5),
)
_CONTACTS_ADULT: tuple[tuple[_Rel, int], ...] = (
    (("Spouse", "S", 0, -1.0), 50),
    (("Partner", "S", 0, 0.1), 8),
    (("Mother", "F", 27, -1.0), 8),
    (("Sister", "F", 0, 0.7), 9),
    (("Brother", "M", 0, 0.9), 7),
    (("Daughter", "F", -28, 0.6), 6),
    (("Son", "M", -29, 0.9), 5),
    (("Friend", "A", 0, 0.03), 7),
)
_CONTACTS_OLD: tuple[tuple[_Rel, int], ...] = (
    (("Daughter", "F", -28, 0.6), 28),
    (("Son", "M", -29, 0.9), 22),
    (("Spouse", "S", 0, -1.0), 30),
    (("Niece", "F", -25, 0.3), 5),
    (("Nephew", "M", -25, 0.5), 3),
    (("Sister", "F", 0, 0.6), 5),
    (("Friend", "A", 0, 0.03), 4),
    (("Neighbor", "A", 0, 0.03), 3),
)


_OUTSIDERS = frozenset({"Friend", "Neighbor", "Partner", "Legal guardian"})


def _rels(weighted: tuple[tuple[_Rel, int], ...]) -> tuple[_Rel, ...]:
    return tuple(rel for rel, weight in weighted for _ in range(weight))


_GUARDIAN_TABLE = _rels(_GUARDIANS)
_CONTACT_TABLES = (
    _rels(_CONTACTS_MINOR),
    _rels(_CONTACTS_YOUNG),
    _rels(_CONTACTS_ADULT),
    _rels(_CONTACTS_OLD),
)

_NOTES: tuple[str, ...] = tuple(_TABLES["notes"])

# Age bands in whole years (inclusive) and their weights: about 15 % minors, skewed to the
# ages an infusion center sees most.
_AGE_BANDS = (
    (0, 17, 30),
    (18, 29, 17),
    (30, 39, 20),
    (40, 49, 24),
    (50, 59, 32),
    (60, 69, 36),
    (70, 79, 28),
    (80, 89, 11),
    (90, 95, 2),
)


def _years_ago(today: date, years: int) -> int:
    """Ordinal of the last birth date that makes someone ``years`` old on ``today``."""
    try:
        return date(today.year - years, today.month, today.day).toordinal()
    except ValueError:  # 29 February today, not a leap year then
        return date(today.year - years, 2, 28).toordinal()


def _generation(age: int) -> int:
    return 0 if age < 30 else (1 if age < 60 else 2)


class _Factory:
    """Builds one patient at a time from a random source (the only per-record work)."""

    __slots__ = ("rnd", "today", "bands")

    def __init__(self, rng: random.Random, today: date) -> None:
        self.rnd = rng.random
        self.today = today
        bands: list[tuple[int, int]] = []
        for low, high, weight in _AGE_BANDS:
            start = _years_ago(today, high + 1) + 1
            end = _years_ago(today, low)
            bands += [(start, end - start + 1)] * weight
        self.bands = tuple(bands)

    def _pick(self, seq: Sequence[_Name]) -> _Name:
        return seq[int(self.rnd() * len(seq))]

    def _given(self, c: _Culture, female: bool, gen: int) -> tuple[str, str, bool]:
        """(given name, its ASCII stem, whether it is an English name)."""
        share = c.english_given[gen]
        english = c is _EN or (share > 0.0 and self.rnd() < share)
        source = _EN if english else c
        name, stem = self._pick((source.female if female else source.male)[gen])
        return name, stem, english

    def _phone(self, loc: _Locale) -> str:
        rnd = self.rnd
        areas = loc.areas if rnd() < 0.8 else _ALL_AREAS  # people keep their old numbers
        return areas[int(rnd() * len(areas))] + _LINES[int(rnd() * 100)]

    def _relative(
        self, c: _Culture, rel: _Rel, female_patient: bool, age: int, family: _Surname
    ) -> tuple[str, bool]:
        """A relative's (or friend's) whole name, written the way the culture writes it."""
        rnd = self.rnd
        label, sex, offset, same = rel
        if sex == "S":
            female = (not female_patient) if rnd() < 0.92 else female_patient
        elif sex == "A":
            female = rnd() < 0.55
        else:
            female = sex == "F"
        if same < 0.0:
            same = 1.0 - c.keeps
        if label in _OUTSIDERS and c is not _EN and rnd() < 0.35:
            c = _EN  # friends, partners and legal guardians come from anywhere
            same = 0.0
        first, _, english = self._given(c, female, _generation(max(age + offset, 18)))
        s = family if rnd() < same else c.surnames[int(rnd() * len(c.surnames))]
        last = s[1] if female else s[0]
        if c.order == _ORDER_WESTERN or english:
            return f"{first} {last}", female
        if c.order == _ORDER_HAN:
            return last + first, female
        if c.order == _ORDER_JAPANESE:
            return f"{last} {first}", female
        mids = c.mid_f if female else c.mid_m
        return f"{last} {mids[int(rnd() * len(mids))][0]} {first}", female

    def patient(self) -> PatientData:
        rnd = self.rnd
        today = self.today
        c = _CULTURES[int(rnd() * len(_CULTURES))]
        start, span = self.bands[int(rnd() * len(self.bands))]
        born = date.fromordinal(start + int(rnd() * span))
        age = v.age_on(born, today)
        minor = age < v.ADULT_AGE
        gen = _generation(age)
        r = rnd()
        sex = "F" if r < 0.515 else "M" if r < 0.97 else "X" if r < 0.985 else "U"
        female = sex == "F" or (sex != "M" and rnd() < 0.5)

        first, first_a, english = self._given(c, female, gen)

        middle = ""
        middle_full = False
        if c.middle != _MID_NONE and rnd() < c.middle_share:
            if c.middle == _MID_GIVEN:
                m = self._given(c, female, gen)[0]
                if m != first:
                    if rnd() < c.initial_share:
                        middle = m[0] + "."
                    else:
                        middle, middle_full = m, True
            elif c.middle == _MID_POOL and not english:
                middle = self._pick(c.mid_f if female else c.mid_m)[0]
            elif c.middle == _MID_POOL:  # "Kevin Minh Nguyễn"
                middle = self._pick((c.female if female else c.male)[gen])[0]
            else:
                middle = c.surnames[int(rnd() * len(c.surnames))][1]

        family = c.surnames[int(rnd() * len(c.surnames))]
        if female:
            last, last_a = family[1], family[3]
        else:
            last, last_a = family[0], family[2]
        r = rnd()
        if r < c.double + c.hyphen:
            other = c.surnames[int(rnd() * len(c.surnames))]
            o_last, o_a = (other[1], other[3]) if female else (other[0], other[2])
            if o_last != last:
                last = f"{last} {o_last}" if r < c.double else f"{last}-{o_last}"
                last_a += o_a
        elif c.latin and female and age >= 25 and r < c.double + c.hyphen + 0.02:
            other = _EN.surnames[int(rnd() * len(_EN.surnames))]
            last, last_a = f"{last}-{other[1]}", last_a + other[3]
        if "'" in last and rnd() < 0.1:
            last = last.replace("'", "’")  # as typed on phones and Macs

        suffix = ""
        if sex == "M" and c.suffix and rnd() < c.suffix:
            suffix = _SUFFIXES[int(rnd() * len(_SUFFIXES))]
            if suffix == "Sr." and age < 40:
                suffix = "Jr."

        preferred = ""
        nicks = _NICKNAMES.get(first)
        if nicks is not None and rnd() < c.nick:
            preferred, first_a = self._pick(nicks)
        elif c.english_pref and not english and rnd() < c.english_pref:
            preferred, first_a = self._pick(_EN_PREF[0] if female else _EN_PREF[1])
        elif sex == "X" and rnd() < 0.35:
            preferred, first_a = self._pick(_NEUTRAL)
        elif middle_full and rnd() < 0.04:
            preferred = middle  # goes by the middle name

        share = c.lang_share[0 if minor else (1 if age < 35 else 2)]
        others = c.other_langs
        language = c.lang if rnd() < share else others[int(rnd() * len(others))]

        if c.places and rnd() < c.place_share:
            loc = c.places[int(rnd() * len(c.places))]
        else:
            loc = _LOCALES[int(rnd() * len(_LOCALES))]
        line1 = line2 = city = state = zip_code = ""
        if rnd() < 0.97:
            city, state = loc.city, loc.state
            zip_code = f"{loc.zip_low + int(rnd() * loc.zip_span):05d}"
            if rnd() < 0.02:
                line1 = f"PO Box {1 + int(rnd() * 9999)}"
            else:
                number = int(10.0 ** (rnd() * 4.0)) + int(rnd() * 10)
                street = _STREETS[int(rnd() * len(_STREETS))]
                if rnd() < 0.15:
                    street = _DIRECTIONS[int(rnd() * 4)] + street
                line1 = f"{number} {street}"
                if rnd() < 0.2:
                    line2 = _UNITS[int(rnd() * len(_UNITS))]

        mobile = home = ""
        guardian = guardian_rel = guardian_phone = ""
        if minor:
            rel = _GUARDIAN_TABLE[int(rnd() * len(_GUARDIAN_TABLE))]
            guardian, _ = self._relative(c, rel, female, age, family)
            guardian_rel = rel[0]
            guardian_phone = self._phone(loc)
            r = rnd()
            if r < 0.45:
                home = guardian_phone
            elif r < 0.65:
                home = self._phone(loc)
            if age >= 13 and rnd() < 0.45:
                mobile = self._phone(loc)
        else:
            if rnd() < (0.88 if age < 75 else 0.7):
                mobile = self._phone(loc)
            if rnd() < (0.3 if age < 65 else 0.6):
                home = self._phone(loc)
            if not (mobile or home) and rnd() < 0.8:
                mobile = self._phone(loc)

        emergency = emergency_rel = emergency_phone = ""
        if rnd() < (0.4 if minor else 0.86):
            table = _CONTACT_TABLES[0 if minor else (1 if age < 30 else (2 if age < 65 else 3))]
            rel = table[int(rnd() * len(table))]
            while rel[0] == guardian_rel:  # the other parent, not a second mother
                rel = table[int(rnd() * len(table))]
            emergency, contact_female = self._relative(c, rel, female, age, family)
            label = rel[0]
            if label == "Spouse" and rnd() < 0.6:
                label = "Wife" if contact_female else "Husband"
            emergency_rel = label
            emergency_phone = self._phone(loc)

        email = ""
        if rnd() < (0.0 if age < 13 else 0.3 if minor else 0.72 if age < 80 else 0.4):
            last_stem = last_a[:20]
            form = int(rnd() * 8)
            if form == 0:
                local = f"{first_a}.{last_stem}"
            elif form == 1:
                local = f"{first_a}{last_stem}"
            elif form == 2:
                local = f"{first_a[0]}{last_stem}"
            elif form == 3:
                local = f"{first_a}.{last_stem}{born.year % 100:02d}"
            elif form == 4:
                local = f"{first_a}{1 + int(rnd() * 999)}"
            elif form == 5:
                local = f"{last_stem}.{first_a}"
            elif form == 6:
                local = f"{first_a}_{last_stem}"
            else:
                local = f"{first_a[0]}{last_stem}{1 + int(rnd() * 99)}"
            r = rnd()
            email = local + (
                "@example.org" if r < 0.4 else "@example.com" if r < 0.8 else "@example.net"
            )

        notes = ""
        if rnd() < 0.05:
            if language != "en" and rnd() < 0.4:
                notes = f"{LANGUAGES[language]} interpreter needed."
            else:
                notes = _NOTES[int(rnd() * len(_NOTES))]

        return PatientData(
            first_name=first,
            last_name=last,
            middle_name=middle,
            suffix=suffix,
            preferred_name=preferred,
            birth_date=born,
            sex=sex,
            phone_mobile=mobile,
            phone_home=home,
            email=email,
            address_line1=line1,
            address_line2=line2,
            city=city,
            state=state,
            zip_code=zip_code,
            preferred_language=language,
            guardian_name=guardian,
            guardian_relationship=guardian_rel,
            guardian_phone=guardian_phone,
            emergency_name=emergency,
            emergency_relationship=emergency_rel,
            emergency_phone=emergency_phone,
            notes=notes,
            active=rnd() >= 0.03,
        )


def generate_patients(count: int, rng: random.Random, today: date) -> Iterator[PatientData]:
    """``count`` fictional patients (MRN left empty) drawn from ``rng``, ages as of ``today``.

    Every record passes ``patients.validate`` and is already normalised. The same seed and
    ``today`` always give the same records, as long as nothing else draws from ``rng``
    while the iterator is being consumed. Only ``rng.random()`` is used.
    """
    if count < 0:
        raise ValueError("count cannot be negative")
    factory = _Factory(rng, today)
    return (factory.patient() for _ in range(count))
