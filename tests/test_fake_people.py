"""The fictional patient generator: valid, varied, realistic proportions and reproducible."""

from __future__ import annotations

import random
import re
import unicodedata
from collections import Counter
from dataclasses import astuple
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infudesk.demo.people import generate_patients
from infudesk.domain import patients as dp
from infudesk.domain import validation as v

TODAY = date(2026, 11, 27)
SEED = 20261127
COUNT = 2000
PHONE_RE = re.compile(r"^[2-9][0-9]{2}55501[0-9]{2}$")
EMAIL_RE = re.compile(r"^[a-z0-9._]+@example\.(org|com|net)$")
GUARDIAN_RELATIONS = {"Mother", "Father", "Legal guardian", "Grandmother"}


@pytest.fixture(scope="module")
def people() -> list[dp.PatientData]:
    return list(generate_patients(COUNT, random.Random(SEED), TODAY))


def _script(text: str) -> str:
    return unicodedata.name(text[0]).split()[0]


def test_count_and_empty_mrn(people: list[dp.PatientData]) -> None:
    assert len(people) == COUNT
    assert all(p.mrn == "" for p in people)
    assert list(generate_patients(0, random.Random(1), TODAY)) == []
    with pytest.raises(ValueError):
        generate_patients(-1, random.Random(1), TODAY)


def test_every_record_validates(people: list[dp.PatientData]) -> None:
    failures = [(p, errs) for p in people if (errs := dp.validate(dp.normalize(p), TODAY))]
    assert failures == []


def test_records_are_already_normalized(people: list[dp.PatientData]) -> None:
    assert [p for p in people if dp.normalize(p) != p] == []


def test_minors_have_guardians(people: list[dp.PatientData]) -> None:
    minors = [p for p in people if p.birth_date and v.is_minor(p.birth_date, TODAY)]
    assert 0.10 * COUNT < len(minors) < 0.20 * COUNT
    for p in minors:
        assert p.guardian_name.strip(), p
        assert p.guardian_relationship in GUARDIAN_RELATIONS, p
        assert PHONE_RE.match(p.guardian_phone), p
        assert p.emergency_relationship != p.guardian_relationship, p
    # usually a parent sharing the child's surname
    shared = sum(p.last_name.split("-")[0].split()[0][:4] in p.guardian_name for p in minors)
    assert shared > len(minors) / 2
    assert {p.guardian_relationship for p in minors} == GUARDIAN_RELATIONS


def test_names_in_several_scripts(people: list[dp.PatientData]) -> None:
    scripts = Counter(_script(p.first_name) for p in people)
    scripts.update(_script(p.last_name) for p in people)
    wanted = {"LATIN", "CJK", "HANGUL", "CYRILLIC", "GREEK"}
    assert wanted <= set(scripts), scripts
    # mostly Latin script
    assert scripts["LATIN"] > 0.75 * sum(scripts.values())


def test_name_variety(people: list[dp.PatientData]) -> None:
    last_names = [p.last_name for p in people]
    assert any("'" in n or "’" in n for n in last_names)  # O'Brien
    assert any("-" in n for n in last_names)  # hyphenated
    assert any(n.startswith("Nguyễn") for n in last_names)
    assert any(not n.isascii() and _script(n) == "LATIN" for n in last_names)  # García, Peña
    assert 0.2 < sum(bool(p.middle_name) for p in people) / COUNT < 0.6
    assert any(p.suffix in ("Jr.", "Sr.", "II", "III", "IV") for p in people)
    assert 0.03 < sum(bool(p.preferred_name) for p in people) / COUNT < 0.3
    # not the same handful of names over and over
    assert len(set(last_names)) > 400
    assert len({p.first_name for p in people}) > 400


def test_languages_and_sexes(people: list[dp.PatientData]) -> None:
    langs = Counter(p.preferred_language for p in people)
    assert set(langs) <= set(dp.LANGUAGES)
    assert len(langs) >= 8
    assert 0.6 < langs["en"] / COUNT < 0.9
    # the language usually, but not always, fits the name
    spanish = [p for p in people if p.preferred_language == "es"]
    assert spanish and sum(not p.last_name.isascii() for p in spanish) > len(spanish) / 3
    hangul = [p for p in people if _script(p.last_name) == "HANGUL"]
    assert hangul and 0.4 < sum(p.preferred_language == "ko" for p in hangul) / len(hangul) < 1
    sexes = Counter(p.sex for p in people)
    assert set(sexes) == {"F", "M", "X", "U"}
    assert sexes["F"] + sexes["M"] > 0.9 * COUNT


def test_contact_data(people: list[dp.PatientData]) -> None:
    for p in people:
        for phone in (p.phone_mobile, p.phone_home, p.guardian_phone, p.emergency_phone):
            assert phone == "" or PHONE_RE.match(phone), p
        assert p.email == "" or EMAIL_RE.match(p.email), p
        if p.address_line1:
            assert p.state in dp.US_STATES and re.fullmatch(r"[0-9]{5}", p.zip_code), p
            assert p.city
    assert any(p.phone_mobile and not p.phone_home for p in people)
    assert any(p.phone_home and not p.phone_mobile for p in people)
    assert 0.45 < sum(bool(p.email) for p in people) / COUNT < 0.75
    assert sum(bool(p.address_line1) for p in people) / COUNT > 0.9
    assert len({p.state for p in people}) > 20
    adults = [p for p in people if p.birth_date and not v.is_minor(p.birth_date, TODAY)]
    with_contact = sum(bool(p.emergency_name and p.emergency_phone) for p in adults)
    assert 0.7 < with_contact / len(adults) < 0.97


def test_ages_and_status(people: list[dp.PatientData]) -> None:
    ages = [v.age_on(p.birth_date, TODAY) for p in people if p.birth_date]
    assert len(ages) == COUNT
    assert min(ages) == 0 and 90 <= max(ages) <= 96
    assert 0.005 < sum(not p.active for p in people) / COUNT < 0.08
    assert 0.0 < sum(bool(p.notes) for p in people) / COUNT < 0.15


def test_same_seed_same_people_other_seed_others() -> None:
    first = list(generate_patients(COUNT, random.Random(SEED), TODAY))
    again = list(generate_patients(COUNT, random.Random(SEED), TODAY))
    other = list(generate_patients(COUNT, random.Random(SEED + 1), TODAY))
    assert first == again
    assert first != other
    assert sum(a == b for a, b in zip(first, other, strict=True)) < COUNT / 100
    # lazily generated, in the same order
    lazy = generate_patients(COUNT, random.Random(SEED), TODAY)
    assert [astuple(next(lazy)) for _ in range(10)] == [astuple(p) for p in first[:10]]


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(min_value=0, max_value=2**32),
    today=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))
    | st.sampled_from([date(2024, 2, 29), date(2028, 2, 29), date(2025, 3, 1)]),
)
def test_any_seed_and_day_gives_valid_people(seed: int, today: date) -> None:
    for p in generate_patients(150, random.Random(seed), today):
        assert dp.validate(dp.normalize(p), today) == {}, p
        assert p.birth_date is not None and p.birth_date <= today
        assert v.age_on(p.birth_date, today) <= 96
