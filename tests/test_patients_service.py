"""Tests for infudesk.services.patients against a real encrypted database."""
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import func, select

from infudesk.domain.patients import PatientData, fold
from infudesk.errors import Conflict, NotFound, ValidationFailed
from infudesk.services import patients as ps
from infudesk.services.audit import Actor
from infudesk.services.patients import LookAlikeFound, PatientRow, SortKey
from infudesk.store.database import Store
from infudesk.store.models import AuditEvent, Patient

TODAY = date(2026, 11, 27)

MARIA = PatientData(
    first_name="María",
    middle_name="Elena",
    last_name="García-López",
    birth_date=date(1968, 4, 12),
    sex="F",
    phone_mobile="(773) 555-0142",
    city="Chicago",
    state="IL",
    zip_code="60608",
    preferred_language="es",
)
MARCO = PatientData(
    first_name="Marco",
    middle_name="Antonio",
    last_name="García",
    birth_date=date(1975, 3, 3),
    sex="M",
    phone_mobile="312-555-0177",
    city="Cicero",
    state="IL",
)
MARK = PatientData(
    first_name="Mark",
    last_name="Garner",
    birth_date=date(1980, 8, 8),
    sex="M",
    phone_mobile="6305550123",
    city="Aurora",
    state="IL",
)
AN = PatientData(
    first_name="An",
    middle_name="Văn",
    last_name="Nguyễn",
    birth_date=date(1951, 9, 30),
    sex="M",
    phone_mobile="3125550103",
    city="Chicago",
    state="IL",
    preferred_language="vi",
)
WANG = PatientData(
    first_name="秀英",
    last_name="王",
    preferred_name="Wang Xiuying",
    birth_date=date(1979, 11, 23),
    sex="F",
    phone_mobile="2245550107",
    city="Chicago",
    preferred_language="zh",
)
CARTER = PatientData(
    first_name="James",
    last_name="Carter",
    birth_date=date(1985, 2, 17),
    sex="M",
    mrn="carter77",
    phone_mobile="8475550108",
    city="Evanston",
    state="IL",
)
OLENA = PatientData(
    first_name="Олена",
    last_name="Коваленко",
    preferred_name="Olena Kovalenko",
    birth_date=date(1990, 7, 8),
    sex="F",
    phone_mobile="7085550109",
    city="Chicago",
    preferred_language="uk",
)
ZOE = PatientData(
    first_name="Zoë",
    last_name="O'Brien",
    birth_date=date(2014, 6, 2),
    sex="F",
    phone_mobile="6305550105",
    city="Naperville",
    state="IL",
    guardian_name="Siobhan O'Brien",
    guardian_relationship="Mother",
    guardian_phone="6305550106",
)
SOUZA = PatientData(
    first_name="Ana",
    last_name="de Souza",
    birth_date=date(1960, 1, 1),
    sex="F",
    phone_mobile="4155550199",
    city="San Francisco",
    state="CA",
)
EVERYONE = {
    "maria": MARIA,
    "marco": MARCO,
    "mark": MARK,
    "an": AN,
    "wang": WANG,
    "carter": CARTER,
    "olena": OLENA,
    "zoe": ZOE,
    "souza": SOUZA,
}


def _create(store: Store, actor: Actor, data: PatientData, **kw: object) -> ps.PatientRecord:
    with store.session() as s:
        return ps.create_patient(s, actor, data, today=TODAY, **kw)  # type: ignore[arg-type]


def _ids(rows: list[PatientRow]) -> set[int]:
    return {r.id for r in rows}


def _search(store: Store, text: str, **kw: object) -> list[PatientRow]:
    with store.session() as s:
        return ps.search(s, text, today=TODAY, **kw)  # type: ignore[arg-type]


def _count(store: Store, text: str, **kw: object) -> int:
    with store.session() as s:
        return ps.count(s, text, today=TODAY, **kw)  # type: ignore[arg-type]


def _patient_count(store: Store) -> int:
    with store.session() as s:
        return int(s.scalar(select(func.count()).select_from(Patient)) or 0)


@pytest.fixture
def people(store: Store, actor: Actor) -> dict[str, int]:
    """The sample patients, by nickname → id."""
    return {name: _create(store, actor, data).id for name, data in EVERYONE.items()}


# --- create ----------------------------------------------------------------------------------


def test_create_generates_mrn_and_normalizes(store: Store, actor: Actor) -> None:
    rec = _create(store, actor, MARIA)
    assert rec.data.mrn == "P0000001"
    assert rec.version == 1
    assert rec.created_by == actor.name and rec.updated_by == actor.name
    assert rec.data.phone_mobile == "7735550142"
    assert rec.data.last_name == "García-López"
    assert rec.created_at.tzinfo is not None
    second = _create(store, actor, MARCO)
    assert second.data.mrn == "P0000002"
    with store.session() as s:
        again = ps.get_patient(s, rec.id)
    assert again.data == rec.data


def test_given_mrn_is_kept_in_uppercase(store: Store, actor: Actor) -> None:
    rec = _create(store, actor, replace(CARTER, mrn="  ab-1234x "))
    assert rec.data.mrn == "AB-1234X"
    with store.session() as s:
        assert ps.get_by_mrn(s, "ab-1234x").id == rec.id


def test_duplicate_mrn_is_refused(store: Store, actor: Actor) -> None:
    _create(store, actor, replace(CARTER, mrn="ABC123"))
    with pytest.raises(ValidationFailed) as info, store.session() as s:
        ps.create_patient(s, actor, replace(MARK, mrn="abc123"), today=TODAY)
    assert set(info.value.errors) == {"mrn"}
    assert _patient_count(store) == 1


def test_generated_mrn_avoids_a_taken_one(store: Store, actor: Actor) -> None:
    _create(store, actor, replace(CARTER, mrn="P0000002"))
    rec = _create(store, actor, MARK)
    assert rec.data.mrn != "P0000002"
    assert rec.data.mrn.startswith("P0000002")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"first_name": ""}, "first_name"),
        ({"last_name": "   "}, "last_name"),
        ({"last_name": "R2D2"}, "last_name"),
        ({"middle_name": "J@ne"}, "middle_name"),
        ({"suffix": "the third"}, "suffix"),
        ({"birth_date": None}, "birth_date"),
        ({"birth_date": date(2027, 1, 1)}, "birth_date"),
        ({"birth_date": date(1890, 1, 1)}, "birth_date"),
        ({"sex": "Q"}, "sex"),
        ({"mrn": "a b"}, "mrn"),
        ({"mrn": "X"}, "mrn"),
        ({"phone_mobile": "555-0142"}, "phone_mobile"),
        ({"phone_home": "(012) 555-0142"}, "phone_home"),
        ({"email": "maria at example"}, "email"),
        ({"zip_code": "6060"}, "zip_code"),
        ({"state": "ZZ"}, "state"),
        ({"preferred_language": "xx"}, "preferred_language"),
        ({"emergency_name": "123"}, "emergency_name"),
    ],
)
def test_validation_errors_per_field(
    store: Store, actor: Actor, changes: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationFailed) as info, store.session() as s:
        ps.create_patient(s, actor, replace(MARIA, **changes), today=TODAY)  # type: ignore[arg-type]
    assert set(info.value.errors) == {field}
    assert info.value.errors[field]
    assert field in info.value.message
    assert _patient_count(store) == 0


def test_minor_without_guardian_is_refused(store: Store, actor: Actor) -> None:
    child = replace(ZOE, guardian_name="", guardian_relationship="", guardian_phone="")
    with pytest.raises(ValidationFailed) as info, store.session() as s:
        ps.create_patient(s, actor, child, today=TODAY)
    assert set(info.value.errors) == {"guardian_name", "guardian_relationship", "guardian_phone"}
    assert _patient_count(store) == 0
    rec = _create(store, actor, ZOE)
    assert rec.data.guardian_name == "Siobhan O'Brien"


def test_adult_on_the_18th_birthday_needs_no_guardian(store: Store, actor: Actor) -> None:
    adult = PatientData(first_name="Sam", last_name="Lee", birth_date=date(2008, 11, 27))
    assert _create(store, actor, adult).data.guardian_name == ""
    minor = PatientData(first_name="Kim", last_name="Park", birth_date=date(2008, 11, 28))
    with pytest.raises(ValidationFailed) as info, store.session() as s:
        ps.create_patient(s, actor, minor, today=TODAY)
    assert "guardian_name" in info.value.errors


# --- look-alikes -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "twin",
    [
        PatientData(first_name="Maria", last_name="Garcia", birth_date=date(1968, 4, 12)),
        PatientData(first_name="MARIA", last_name="Garcia Lopez", birth_date=date(1968, 4, 12)),
        PatientData(first_name="Mariia", last_name="Lopez", birth_date=date(1968, 4, 12)),
        PatientData(first_name="Garcia-Lopez", last_name="Maria", birth_date=date(1968, 4, 12)),
    ],
)
def test_look_alike_is_reported_then_allowed(store: Store, actor: Actor, twin: PatientData) -> None:
    existing = _create(store, actor, MARIA)
    with pytest.raises(LookAlikeFound) as info, store.session() as s:
        ps.create_patient(s, actor, twin, today=TODAY)
    assert [m.id for m in info.value.matches] == [existing.id]
    assert info.value.matches[0].mrn == existing.data.mrn
    assert existing.data.mrn in info.value.message
    assert _patient_count(store) == 1
    rec = _create(store, actor, twin, allow_look_alike=True)
    assert rec.id != existing.id
    assert _patient_count(store) == 2


@pytest.mark.parametrize(
    "other",
    [
        PatientData(first_name="Maria", last_name="Garcia", birth_date=date(1968, 4, 13)),
        PatientData(first_name="Wendy", last_name="Thompson", birth_date=date(1968, 4, 12)),
    ],
)
def test_no_look_alike_for_other_birth_date_or_name(
    store: Store, actor: Actor, other: PatientData
) -> None:
    _create(store, actor, MARIA)
    _create(store, actor, other)
    assert _patient_count(store) == 2


# --- update ----------------------------------------------------------------------------------


def test_update_changes_tokens(store: Store, actor: Actor) -> None:
    rec = _create(
        store,
        actor,
        PatientData(first_name="Alice", last_name="Smith", birth_date=date(1970, 5, 5)),
    )
    editor = Actor("other.clerk")
    with store.session() as s:
        new = ps.update_patient(
            s,
            editor,
            rec.id,
            replace(rec.data, last_name="Jones-Whitfield"),
            expected_version=rec.version,
            today=TODAY,
        )
    assert new.version == rec.version + 1
    assert new.updated_by == "other.clerk"
    assert new.created_by == actor.name
    assert new.data.mrn == rec.data.mrn
    assert [r.id for r in _search(store, "jones")] == [rec.id]
    assert [r.id for r in _search(store, "whitf")] == [rec.id]
    assert [r.id for r in _search(store, "alice jones")] == [rec.id]
    assert _search(store, "smith") == []


def test_update_with_stale_version_is_a_conflict(store: Store, actor: Actor) -> None:
    rec = _create(
        store,
        actor,
        PatientData(first_name="Alice", last_name="Smith", birth_date=date(1970, 5, 5)),
    )
    with store.session() as s:
        v2 = ps.update_patient(
            s,
            actor,
            rec.id,
            replace(rec.data, last_name="Jones"),
            expected_version=rec.version,
            today=TODAY,
        )
    with pytest.raises(Conflict), store.session() as s:
        ps.update_patient(
            s,
            actor,
            rec.id,
            replace(rec.data, last_name="Brown", city="Gary"),
            expected_version=rec.version,
            today=TODAY,
        )
    with store.session() as s:
        now = ps.get_patient(s, rec.id)
    assert now.version == v2.version
    assert now.data == v2.data
    assert _search(store, "brown") == []
    assert [r.id for r in _search(store, "jones")] == [rec.id]


def test_update_without_changes_keeps_version(store: Store, actor: Actor) -> None:
    rec = _create(store, actor, MARK)
    with store.session() as s:
        same = ps.update_patient(
            s, actor, rec.id, rec.data, expected_version=rec.version, today=TODAY
        )
    assert same.version == rec.version


def test_update_validates_and_keeps_mrn_unique(store: Store, actor: Actor) -> None:
    a = _create(store, actor, MARK)
    b = _create(store, actor, CARTER)
    with pytest.raises(ValidationFailed) as info, store.session() as s:
        ps.update_patient(
            s, actor, b.id, replace(b.data, mrn=a.data.mrn), expected_version=b.version, today=TODAY
        )
    assert set(info.value.errors) == {"mrn"}
    with pytest.raises(ValidationFailed) as info, store.session() as s:
        ps.update_patient(
            s, actor, b.id, replace(b.data, email="nope"), expected_version=b.version, today=TODAY
        )
    assert set(info.value.errors) == {"email"}
    with store.session() as s:
        assert ps.get_patient(s, b.id) == b


def test_update_of_missing_patient_is_not_found(store: Store, actor: Actor) -> None:
    with pytest.raises(NotFound), store.session() as s:
        ps.update_patient(s, actor, 999, MARK, expected_version=1, today=TODAY)
    with pytest.raises(NotFound), store.session() as s:
        ps.get_by_mrn(s, "NOPE1")


# --- deactivate ------------------------------------------------------------------------------


def test_deactivate_hides_from_default_search(
    store: Store, actor: Actor, people: dict[str, int]
) -> None:
    pid = people["marco"]
    with store.session() as s:
        rec = ps.set_active(s, actor, pid, False, reason="  moved to another center ")
    assert rec.data.active is False
    assert rec.inactive_reason == "moved to another center"
    assert _ids(_search(store, "garc")) == {people["maria"]}
    assert _count(store, "garc") == 1
    rows = _search(store, "garc", include_inactive=True)
    assert _ids(rows) == {people["maria"], pid}
    assert [r.active for r in rows if r.id == pid] == [False]
    assert _count(store, "garc", include_inactive=True) == 2
    assert _count(store, "") == len(EVERYONE) - 1
    assert _count(store, "", include_inactive=True) == len(EVERYONE)
    with store.session() as s:
        back = ps.set_active(s, actor, pid, True)
    assert back.data.active and back.inactive_reason == ""
    assert _count(store, "garc") == 2


def test_deactivated_patient_version_changes(store: Store, actor: Actor) -> None:
    rec = _create(store, actor, MARK)
    with store.session() as s:
        off = ps.set_active(s, actor, rec.id, False, reason="deceased")
    assert off.version == rec.version + 1
    # an edit made on the form opened before deactivation is refused
    with pytest.raises(Conflict), store.session() as s:
        ps.update_patient(
            s,
            actor,
            rec.id,
            replace(rec.data, city="Joliet"),
            expected_version=rec.version,
            today=TODAY,
        )


# --- search ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("garc", {"maria", "marco"}),
        ("GARC", {"maria", "marco"}),
        ("garc mar", {"maria", "marco"}),
        ("garc elena", {"maria"}),
        ("mar garc", {"maria", "marco"}),
        ("gar", {"maria", "marco", "mark"}),
        ("garcía-lópez", {"maria"}),
        ("garcia lopez", {"maria"}),
        ("lopez", {"maria"}),
        ("nguyen", {"an"}),
        ("Nguyễn", {"an"}),
        ("nguyen van", {"an"}),
        ("王", {"wang"}),
        ("秀英", {"wang"}),
        ("王秀英", {"wang"}),
        ("wang", {"wang"}),
        ("коваленко", {"olena"}),
        ("kovalenko", {"olena"}),
        ("o'brien", {"zoe"}),
        ("obrien", {"zoe"}),
        ("zoe", {"zoe"}),
        ("de souza", {"souza"}),
        ("04/12/1968", {"maria"}),
        ("4/12/1968", {"maria"}),
        ("1968-04-12", {"maria"}),
        ("4/12/68", {"maria"}),
        ("04121968", {"maria"}),
        ("garcia 04/12/1968", {"maria"}),
        ("garcia 1975-03-03", {"marco"}),
        ("mark 04/12/1968", set()),
        ("7735550142", {"maria"}),
        ("(773) 555-0142", {"maria"}),
        ("773-555-0142", {"maria"}),
        ("773.555.0142", {"maria"}),
        ("555-0142", {"maria"}),
        ("5550142", {"maria"}),
        ("555-01", {"maria", "marco", "mark", "an", "wang", "carter", "olena", "zoe", "souza"}),
        ("CARTER77", {"carter"}),
        ("carter77", {"carter"}),
        ("carter", {"carter"}),
        ("zzzz", set()),
        ("%", set()),
        ("gar_ia", set()),
    ],
)
def test_search_finds(store: Store, people: dict[str, int], text: str, expected: set[str]) -> None:
    rows = _search(store, text)
    assert _ids(rows) == {people[n] for n in expected}
    assert len(rows) == len(_ids(rows))  # no duplicates
    assert _count(store, text) == len(expected)


def test_search_by_generated_mrn(store: Store, people: dict[str, int]) -> None:
    with store.session() as s:
        mrn = ps.get_patient(s, people["maria"]).data.mrn
    assert mrn == "P0000001"
    assert [r.id for r in _search(store, mrn)] == [people["maria"]]
    assert [r.id for r in _search(store, mrn.lower())] == [people["maria"]]


def test_search_by_mrn_with_a_dash(store: Store, actor: Actor) -> None:
    """Regression: a full MRN typed with its dash must find the patient."""
    rec = _create(store, actor, replace(CARTER, mrn="AB-1234"))
    assert [r.id for r in _search(store, "AB-1234")] == [rec.id]
    assert [r.id for r in _search(store, "ab-12")] == [rec.id]
    # a generated MRN that had to avoid a taken one also has a dash
    _create(store, actor, replace(MARK, mrn="P0000003"))
    gen = _create(store, actor, SOUZA)
    assert "-" in gen.data.mrn
    assert [r.id for r in _search(store, gen.data.mrn)] == [gen.id]


def test_search_row_fields(store: Store, people: dict[str, int]) -> None:
    (row,) = _search(store, "garcia lopez")
    assert row.display_name == "García-López, María Elena"
    assert row.birth_date == date(1968, 4, 12)
    assert row.phone == "7735550142"
    assert row.city == "Chicago"
    assert row.active is True


def test_empty_search_lists_everyone(store: Store, people: dict[str, int]) -> None:
    assert _ids(_search(store, "")) == set(people.values())
    assert _count(store, "") == len(people)


# --- sorting and pages -----------------------------------------------------------------------

_SORT_VALUE = {
    SortKey.NAME: lambda r: (fold(r.last_name), fold(r.first_name)),
    SortKey.MRN: lambda r: (r.mrn,),
    SortKey.BIRTH_DATE: lambda r: (r.birth_date,),
    SortKey.PHONE: lambda r: (r.phone,),
    SortKey.CITY: lambda r: (r.city,),
}


@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize("key", list(SortKey), ids=lambda k: k.value)
def test_sort_and_pages(
    store: Store, people: dict[str, int], key: SortKey, descending: bool
) -> None:
    with store.session() as s:
        full = ps.search(s, "", sort=key, descending=descending, limit=1000)
        total = ps.count(s, "")
        pages: list[PatientRow] = []
        for offset in range(0, total + 3, 4):
            page = ps.search(s, "", sort=key, descending=descending, offset=offset, limit=4)
            assert len(page) <= 4
            pages.extend(page)
    assert len(full) == total == len(people)
    assert pages == full
    expected = sorted(full, key=lambda r: (*_SORT_VALUE[key](r), r.id), reverse=descending)
    assert [r.id for r in full] == [r.id for r in expected]


def test_name_sort_ignores_case_and_accents(store: Store, people: dict[str, int]) -> None:
    rows = _search(store, "", sort=SortKey.NAME)
    assert [r.last_name for r in rows] == [
        "Carter",
        "de Souza",
        "García",
        "García-López",
        "Garner",
        "Nguyễn",
        "O'Brien",
        "Коваленко",
        "王",
    ]
    desc = _search(store, "", sort=SortKey.NAME, descending=True)
    assert [r.id for r in desc] == [r.id for r in reversed(rows)]


def test_pages_of_a_filtered_search(store: Store, people: dict[str, int]) -> None:
    full = _search(store, "555", sort=SortKey.BIRTH_DATE)
    assert len(full) == len(people) == _count(store, "555")
    pages = [
        _search(store, "555", sort=SortKey.BIRTH_DATE, offset=o, limit=2)
        for o in range(0, len(full), 2)
    ]
    assert [r for p in pages for r in p] == full
    assert _search(store, "555", offset=len(full), limit=2) == []


def test_phone_sort_follows_the_phone_shown(store: Store, actor: Actor) -> None:
    """Regression: the phone column shows mobile or else home; it must sort by that."""
    for i, (mobile, home) in enumerate(
        [("8475550100", ""), ("", "2245550100"), ("6305550100", ""), ("", "9725550100")]
    ):
        _create(
            store,
            actor,
            PatientData(
                first_name="Pat",
                last_name=f"Phone{'x' * i}",
                birth_date=date(1970, 1, 1 + i),
                phone_mobile=mobile,
                phone_home=home,
            ),
            allow_look_alike=True,
        )
    rows = _search(store, "", sort=SortKey.PHONE)
    assert [r.phone for r in rows] == sorted(r.phone for r in rows)
    desc = _search(store, "", sort=SortKey.PHONE, descending=True)
    assert [r.phone for r in desc] == sorted((r.phone for r in rows), reverse=True)


# --- audit -----------------------------------------------------------------------------------


def test_audit_events_for_create_update_deactivate(store: Store, actor: Actor) -> None:
    rec = _create(store, actor, MARK)
    with store.session() as s:
        rec2 = ps.update_patient(
            s,
            Actor("second.clerk"),
            rec.id,
            replace(rec.data, city="Joliet", phone_home="8155550111"),
            expected_version=rec.version,
            today=TODAY,
        )
    with store.session() as s:
        ps.set_active(s, actor, rec.id, False, reason="moved away")
    with pytest.raises(Conflict), store.session() as s:  # refused: no event
        ps.update_patient(s, actor, rec.id, rec.data, expected_version=rec2.version, today=TODAY)
    with store.session() as s:
        events = list(
            s.scalars(
                select(AuditEvent).where(AuditEvent.patient_id == rec.id).order_by(AuditEvent.id)
            )
        )
    assert [e.action for e in events] == ["create", "update", "deactivate"]
    assert [e.actor for e in events] == [actor.name, "second.clerk", actor.name]
    assert all(e.entity == "patient" and e.entity_id == rec.id for e in events)
    assert all(e.at.tzinfo is not None for e in events)
    assert sorted(json.loads(events[1].detail)["fields"]) == ["city", "phone_home"]
    assert json.loads(events[2].detail) == {"reason": "moved away"}
    # the trail holds ids and field names, not the values typed
    assert "Joliet" not in events[1].detail and "8155550111" not in events[1].detail


# --- the name on the insurance card (issue 9) -------------------------------------------------


def test_name_on_card_is_saved_trimmed_and_exported(store: Store, actor: Actor) -> None:
    from infudesk.domain import patients as dp
    from infudesk.services import export

    rec = _create(store, actor, replace(MARIA, name_on_card="  Maria E Garcia Lopez "))
    assert rec.data.name_on_card == "Maria E Garcia Lopez"
    assert dp.card_name(rec.data) == "Maria E Garcia Lopez"
    assert dp.legal_name(rec.data) == "María Elena García-López"
    with store.session() as s:
        record = export.patient_record(s, rec.data.mrn)
    assert record["patient"]["demographics"]["name_on_card"] == "Maria E Garcia Lopez"
    # empty: the card carries the legal name
    other = _create(store, actor, MARCO)
    assert other.data.name_on_card == ""
    assert dp.card_name(other.data) == dp.legal_name(other.data)


def test_name_on_card_is_checked_like_a_name(store: Store, actor: Actor) -> None:
    with store.session() as s, pytest.raises(ValidationFailed) as exc:
        ps.create_patient(s, actor, replace(CARTER, name_on_card="J. Carter <3"), today=TODAY)
    assert "name_on_card" in exc.value.errors
