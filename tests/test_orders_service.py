"""Service tests for therapy orders (billing lines, planned visits) against a real SQLCipher file."""
# mypy: disable-error-code="union-attr"

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from infudesk.domain.billing import BillingLine
from infudesk.domain.orders import OrderData
from infudesk.domain.patients import PatientData
from infudesk.errors import Conflict, NotFound, ValidationFailed
from infudesk.services import orders as ors
from infudesk.services import patients as ps
from infudesk.services.audit import Actor
from infudesk.store.database import Store
from infudesk.store.models import AuditEvent, OrderLine, PlannedVisit, TherapyOrder
from tests.conftest import TODAY

INFLIXIMAB = OrderData(
    drug_name="infliximab (Remicade)",
    drug_hcpcs="j1745",
    dose=D("5"),
    dose_per_kg=True,
    weight_kg=D("72"),
    route="iv",
    minutes=120,
    every_days=56,
    visit_count=7,
    start_on=date(2026, 12, 8),
    diagnosis=" k50.90 ",
    provider_name="  Priya   Raman ",
    provider_npi=" 1647382914 ",
    site_of_care="infusion_center",
)
OCRELIZUMAB = OrderData(
    drug_name="ocrelizumab (Ocrevus)",
    drug_hcpcs="J2350",
    dose=D("600"),
    route="iv",
    minutes=210,
    every_days=182,
    visit_count=2,
    start_on=date(2026, 12, 15),
    diagnosis="G35",
    provider_name="Samuel Whitaker",
    provider_npi="1782345619",
    site_of_care="hospital_outpatient",
)
IVIG = OrderData(
    drug_name="immune globulin IV 10% (Privigen)",
    drug_hcpcs="J1459",
    dose=D("1000"),
    dose_per_kg=True,
    weight_kg=D("65"),
    route="iv",
    minutes=240,
    every_days=21,
    visit_count=17,
    start_on=date(2026, 9, 8),
    diagnosis="G61.81",
    provider_name="Marcus Feld",
    provider_npi="1192837460",
)

# (code, modifier, units, kind) per showcase order
EXPECTED_LINES = {
    "infliximab": [
        ("J1745", "", 36, "drug"),
        ("J1745", "JW", 4, "drug"),
        ("96365", "", 1, "admin"),
        ("96366", "", 1, "admin"),
    ],
    "ocrelizumab": [
        ("J2350", "JZ", 600, "drug"),
        ("96413", "", 1, "admin"),
        ("96415", "", 2, "admin"),
    ],
    "ivig": [("J1459", "JZ", 130, "drug"), ("96365", "", 1, "admin"), ("96366", "", 3, "admin")],
}
SHOWCASE = {"infliximab": INFLIXIMAB, "ocrelizumab": OCRELIZUMAB, "ivig": IVIG}


def shape(lines: tuple[BillingLine, ...] | list[BillingLine]) -> list[tuple[str, str, int, str]]:
    return [(ln.code, ln.modifier, ln.units, ln.kind) for ln in lines]


def new_patient(s: Session, actor: Actor, mrn: str = "T0001") -> int:
    data = PatientData(
        first_name="Ada", last_name="Quinn", birth_date=date(1970, 5, 4), sex="F", mrn=mrn
    )
    return ps.create_patient(s, actor, data, today=TODAY, allow_look_alike=True).id


def order_events(s: Session) -> list[tuple[str, int | None]]:
    rows = s.scalars(
        select(AuditEvent).where(AuditEvent.entity == "therapy_order").order_by(AuditEvent.id)
    )
    return [(e.action, e.entity_id) for e in rows]


def count(s: Session, model: type) -> int:
    return s.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture
def patient_id(store: Store, actor: Actor) -> int:
    with store.session() as s:
        return new_patient(s, actor)


# --- creating --------------------------------------------------------------------------------


@pytest.mark.parametrize("which", sorted(SHOWCASE))
def test_create_order_with_suggested_lines(
    store: Store, actor: Actor, patient_id: int, which: str
) -> None:
    data = SHOWCASE[which]
    assert shape(ors.suggest(data)) == EXPECTED_LINES[which]
    with store.session() as s:
        rec = ors.create_order(s, actor, patient_id, data, today=date(2026, 9, 1))
        assert shape(rec.lines) == EXPECTED_LINES[which]
        assert (rec.version, rec.status, rec.changed_on) == (1, "active", date(2026, 9, 1))
    with store.session() as s:
        again = ors.get_order(s, rec.id)
        assert shape(again.lines) == EXPECTED_LINES[which]
        assert [ln.label for ln in again.lines] == [ln.label for ln in rec.lines]
        assert all(ln.label for ln in again.lines)
        assert not any(s.scalars(select(OrderLine.edited)))  # all as suggested
        assert order_events(s) == [("create", rec.id)]


def test_create_order_normalizes_what_was_typed(
    store: Store, actor: Actor, patient_id: int
) -> None:
    with store.session() as s:
        rec = ors.create_order(s, actor, patient_id, INFLIXIMAB, today=TODAY)
    with store.session() as s:
        d = ors.get_order(s, rec.id).data
        assert (d.drug_hcpcs, d.diagnosis, d.provider_name, d.provider_npi) == (
            "J1745",
            "K50.90",
            "Priya Raman",
            "1647382914",
        )
        assert d.drug_name == "infliximab (Remicade)"
        assert (d.dose, d.weight_kg, d.dose_per_kg) == (D("5"), D("72"), True)
        assert ors.get_order(s, rec.id).label == "infliximab (Remicade) 5 mg/kg every 56 days"
        assert [o.id for o in ors.list_orders(s, patient_id)] == [rec.id]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"provider_npi": "1234567890"}, "provider_npi"),
        ({"provider_npi": "123456789"}, "provider_npi"),
        ({"diagnosis": "50.90"}, "diagnosis"),
        ({"diagnosis": "K50.90123"}, "diagnosis"),
        ({"diagnosis": ""}, "diagnosis"),
        ({"weight_kg": None}, "weight_kg"),
        ({"weight_kg": D("720")}, "weight_kg"),
        ({"route": "sc"}, "route"),
        ({"route": "oral"}, "route"),
        ({"drug_hcpcs": "J9999", "drug_name": "nothing"}, "drug"),
        ({"dose": D("0")}, "dose"),
        ({"minutes": 0}, "minutes"),
        ({"every_days": None}, "every_days"),
        ({"visit_count": 400}, "visit_count"),
        ({"start_on": None}, "start_on"),
        ({"provider_name": ""}, "provider_name"),
        ({"site_of_care": "moon"}, "site_of_care"),
    ],
)
def test_create_order_validation_at_the_field(
    store: Store, actor: Actor, patient_id: int, changes: dict[str, object], field: str
) -> None:
    with store.session() as s:
        with pytest.raises(ValidationFailed) as exc:
            ors.create_order(
                s,
                actor,
                patient_id,
                replace(INFLIXIMAB, **changes),  # type: ignore[arg-type]
                today=TODAY,
            )
        assert set(exc.value.errors) == {field}, exc.value.errors
        assert count(s, TherapyOrder) == 0


def test_route_message_names_the_drugs_routes(store: Store, actor: Actor, patient_id: int) -> None:
    with store.session() as s, pytest.raises(ValidationFailed) as exc:
        ors.create_order(s, actor, patient_id, replace(INFLIXIMAB, route="sc"), today=TODAY)
    assert exc.value.errors["route"] == "infliximab (Remicade) is given IV."


def test_create_order_for_a_missing_patient(store: Store, actor: Actor) -> None:
    with store.session() as s, pytest.raises(NotFound):
        ors.create_order(s, actor, 9999, INFLIXIMAB, today=TODAY)


# --- planned visits --------------------------------------------------------------------------


def test_planned_visits_follow_the_schedule(store: Store, actor: Actor, patient_id: int) -> None:
    with store.session() as s:
        rec = ors.create_order(s, actor, patient_id, INFLIXIMAB, today=TODAY)
    with store.session() as s:
        visits = ors.get_order(s, rec.id).visits
        expected = [date(2026, 12, 8) + timedelta(days=56 * i) for i in range(7)]
        assert [v.on for v in visits] == expected
        assert expected[-1] == date(2027, 11, 9)
        assert {v.status for v in visits} == {"planned"}
        order = ors.get_order(s, rec.id)
        assert order.next_visit(TODAY) == date(2026, 12, 8)
        assert order.next_visit(date(2026, 12, 9)) == date(2027, 2, 2)
        assert order.next_visit(date(2027, 11, 10)) is None


def test_explicit_visit_dates_replace_the_schedule(
    store: Store, actor: Actor, patient_id: int
) -> None:
    dates = [date(2027, 1, 28), date(2026, 12, 1), date(2026, 12, 3), date(2026, 12, 1)]
    with store.session() as s:
        rec = ors.create_order(s, actor, patient_id, INFLIXIMAB, today=TODAY, visit_dates=dates)
        assert [v.on for v in rec.visits] == [
            date(2026, 12, 1),
            date(2026, 12, 3),
            date(2027, 1, 28),
        ]
    with store.session() as s:
        assert [v.on for v in ors.get_order(s, rec.id).visits] == [
            date(2026, 12, 1),
            date(2026, 12, 3),
            date(2027, 1, 28),
        ]
        assert count(s, PlannedVisit) == 3


def test_replanning_keeps_visits_that_are_no_longer_planned(
    store: Store, actor: Actor, patient_id: int
) -> None:
    with store.session() as s:
        rec = ors.create_order(
            s, actor, patient_id, replace(INFLIXIMAB, visit_count=3), today=TODAY
        )
    with store.session() as s:
        first = s.scalar(select(PlannedVisit).where(PlannedVisit.on == date(2026, 12, 8)))
        first.status = "given"
    with store.session() as s:
        order = ors.get_order(s, rec.id)
        upd = ors.update_order(
            s,
            actor,
            rec.id,
            replace(order.data, start_on=date(2027, 1, 5)),
            expected_version=order.version,
            today=TODAY,
        )
        assert [(v.on, v.status) for v in upd.visits] == [
            (date(2026, 12, 8), "given"),
            (date(2027, 1, 5), "planned"),
            (date(2027, 3, 2), "planned"),
            (date(2027, 4, 27), "planned"),
        ]
    with store.session() as s:
        assert [(v.on, v.status) for v in ors.get_order(s, rec.id).visits] == [
            (date(2026, 12, 8), "given"),
            (date(2027, 1, 5), "planned"),
            (date(2027, 3, 2), "planned"),
            (date(2027, 4, 27), "planned"),
        ]


# --- edited billing lines --------------------------------------------------------------------


def test_edited_billing_lines_are_kept(store: Store, actor: Actor, patient_id: int) -> None:
    suggested = ors.suggest(INFLIXIMAB)
    edited = [
        replace(suggested[0], units=40),  # billed the whole vials, no JW line
        suggested[2],
        replace(suggested[3], code=" 96366 ", units=2),
        BillingLine("j2930", "", 1, "Premedication", "drug"),
    ]
    with store.session() as s:
        rec = ors.create_order(s, actor, patient_id, INFLIXIMAB, today=TODAY, lines=edited)
    with store.session() as s:
        again = ors.get_order(s, rec.id)
        assert shape(again.lines) == [
            ("J1745", "", 40, "drug"),
            ("96365", "", 1, "admin"),
            ("96366", "", 2, "admin"),
            ("J2930", "", 1, "drug"),
        ]
        assert again.lines[3].label == "Premedication"
        flags = list(s.scalars(select(OrderLine.edited).order_by(OrderLine.position)))
        assert flags == [True, False, True, True]


def test_bad_edited_lines_are_refused_per_line(store: Store, actor: Actor, patient_id: int) -> None:
    suggested = ors.suggest(INFLIXIMAB)
    bad = [
        replace(suggested[0], units=0),
        replace(suggested[1], code="J17"),
        replace(suggested[2], modifier="XX"),
        replace(suggested[3], code="9636A"),
    ]
    with store.session() as s:
        with pytest.raises(ValidationFailed) as exc:
            ors.create_order(s, actor, patient_id, INFLIXIMAB, today=TODAY, lines=bad)
        assert set(exc.value.errors) == {
            "lines.1.units",
            "lines.2.code",
            "lines.3.modifier",
            "lines.4.code",
        }
        assert exc.value.errors["lines.2.code"].startswith("Line 2:")
        with pytest.raises(ValidationFailed) as exc:
            ors.create_order(s, actor, patient_id, INFLIXIMAB, today=TODAY, lines=[])
        assert set(exc.value.errors) == {"lines"}
        assert count(s, TherapyOrder) == 0


# --- updating --------------------------------------------------------------------------------


def test_update_order_with_only_new_lines_bumps_the_version(
    store: Store, actor: Actor, patient_id: int
) -> None:
    with store.session() as s:
        rec = ors.create_order(s, actor, patient_id, INFLIXIMAB, today=date(2026, 10, 1))
    lines = [
        replace(ln, units=40) if ln.modifier == "" and ln.kind == "drug" else ln
        for ln in rec.lines
        if ln.modifier != "JW"
    ]
    with store.session() as s:
        upd = ors.update_order(
            s, actor, rec.id, rec.data, expected_version=rec.version, today=TODAY, lines=lines
        )
        assert upd.version == rec.version + 1
        assert upd.changed_on == TODAY
    with store.session() as s:
        again = ors.get_order(s, rec.id)
        assert again.version == rec.version + 1
        assert again.changed_on == TODAY
        assert again.data == rec.data
        assert shape(again.lines) == [
            ("J1745", "", 40, "drug"),
            ("96365", "", 1, "admin"),
            ("96366", "", 1, "admin"),
        ]
        assert count(s, OrderLine) == 3
        assert order_events(s) == [("create", rec.id), ("update", rec.id)]


def test_same_day_line_edit_still_bumps_the_version(
    store: Store, actor: Actor, patient_id: int
) -> None:
    """Same day, same clerk, same order fields: only the lines differ, the version must move."""
    with store.session() as s:
        rec = ors.create_order(s, actor, patient_id, INFLIXIMAB, today=TODAY)
    lines = [replace(rec.lines[0], units=37), *rec.lines[1:]]
    with store.session() as s:
        upd = ors.update_order(
            s, actor, rec.id, rec.data, expected_version=rec.version, today=TODAY, lines=lines
        )
        assert upd.version > rec.version
    with store.session() as s:
        assert ors.get_order(s, rec.id).version == upd.version
        assert ors.get_order(s, rec.id).lines[0].units == 37
        with pytest.raises(Conflict):  # the clerk who opened the first version
            ors.update_order(s, actor, rec.id, rec.data, expected_version=rec.version, today=TODAY)


def test_update_order_re_suggests_lines_and_replans(
    store: Store, actor: Actor, patient_id: int
) -> None:
    with store.session() as s:
        rec = ors.create_order(s, actor, patient_id, INFLIXIMAB, today=date(2026, 10, 1))
    with store.session() as s:
        heavier = replace(rec.data, weight_kg=D("80"), minutes=90, every_days=42, visit_count=3)
        upd = ors.update_order(s, actor, rec.id, heavier, expected_version=rec.version, today=TODAY)
        # 400 mg fills four 100 mg vials: nothing discarded; 90 minutes: no added hour
        assert shape(upd.lines) == [("J1745", "JZ", 40, "drug"), ("96365", "", 1, "admin")]
        assert [v.on for v in upd.visits] == [
            date(2026, 12, 8),
            date(2027, 1, 19),
            date(2027, 3, 2),
        ]
    with store.session() as s:
        assert count(s, PlannedVisit) == 3
        assert ors.get_order(s, rec.id).data.weight_kg == D("80")


def test_update_order_with_a_stale_version_changes_nothing(
    store: Store, actor: Actor, patient_id: int
) -> None:
    with store.session() as s:
        rec = ors.create_order(s, actor, patient_id, INFLIXIMAB, today=date(2026, 10, 1))
    with store.session() as s:
        first = ors.update_order(
            s,
            actor,
            rec.id,
            replace(rec.data, minutes=150),
            expected_version=rec.version,
            today=date(2026, 11, 1),
        )
    with store.session() as s, pytest.raises(Conflict):
        ors.update_order(
            s,
            actor,
            rec.id,
            replace(rec.data, dose=D("10")),
            expected_version=rec.version,
            today=TODAY,
            lines=[],
        )
    with store.session() as s:
        now = ors.get_order(s, rec.id)
        assert now.version == first.version > rec.version  # may move by 2 (autoflush)
        assert (now.data.minutes, now.data.dose) == (150, D("5"))
        assert now.changed_on == date(2026, 11, 1)
        assert shape(now.lines) == shape(first.lines)
        assert len(order_events(s)) == 2
        with pytest.raises(NotFound):
            ors.update_order(s, actor, 9999, INFLIXIMAB, expected_version=1, today=TODAY)


def test_update_order_validation_changes_nothing(
    store: Store, actor: Actor, patient_id: int
) -> None:
    with store.session() as s:
        rec = ors.create_order(s, actor, patient_id, INFLIXIMAB, today=date(2026, 10, 1))
    with store.session() as s:
        with pytest.raises(ValidationFailed) as exc:
            ors.update_order(
                s,
                actor,
                rec.id,
                replace(rec.data, provider_npi="1234567890"),
                expected_version=rec.version,
                today=TODAY,
            )
        assert set(exc.value.errors) == {"provider_npi"}
        with pytest.raises(ValidationFailed) as exc:
            ors.update_order(
                s,
                actor,
                rec.id,
                rec.data,
                expected_version=rec.version,
                today=TODAY,
                lines=[BillingLine("ABC", "", 1, "", "drug")],
            )
        assert set(exc.value.errors) == {"lines.1.code"}
    with store.session() as s:
        now = ors.get_order(s, rec.id)
        assert (now.version, now.changed_on) == (rec.version, date(2026, 10, 1))
        assert now.data.provider_npi == "1647382914"
        assert shape(now.lines) == EXPECTED_LINES["infliximab"]
        assert json.dumps(order_events(s)) == json.dumps([("create", rec.id)])


# --- home visits (issue 9) ---------------------------------------------------------------------


def test_a_home_order_suggests_the_home_codes_and_resuggests_when_the_site_changes(
    store: Store, actor: Actor, patient_id: int
) -> None:
    from dataclasses import replace

    home = replace(IVIG, site_of_care="home")
    # IVIG 130 units as at the center; 240 min at home = 2 h + 120 extra min → 99601 and
    # 99602 × 2 (120 − 30 = 90 → two hours started); the immunotherapy per diem S9338
    assert shape(ors.suggest(home)) == [
        ("J1459", "JZ", 130, "drug"),
        ("99601", "", 1, "admin"),
        ("99602", "", 2, "admin"),
        ("S9338", "", 1, "admin"),
    ]
    assert ors.suggestion_notes(home) == []
    with store.session() as s:
        rec = ors.create_order(s, actor, patient_id, IVIG, today=date(2026, 9, 1))
        moved = ors.update_order(
            s, actor, rec.id, home, expected_version=rec.version, today=date(2026, 9, 2)
        )
    assert [ln.code for ln in moved.lines] == ["J1459", "99601", "99602", "S9338"]
    # ocrelizumab has no per-diem code: the note says what to add by hand
    (note,) = ors.suggestion_notes(replace(OCRELIZUMAB, site_of_care="home"))
    assert note.startswith("No home infusion per-diem S-code is listed for ocrelizumab")
    assert ors.suggestion_notes(OCRELIZUMAB) == []
