"""Service tests for the payer directory and patients' coverages, against a real SQLCipher file."""
# mypy: disable-error-code="arg-type"

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from decimal import Decimal as D
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from infudesk.domain import coverage as dc
from infudesk.domain.coverage import CoverageData, PlanType, Terms
from infudesk.domain.patients import PatientData
from infudesk.errors import Conflict, NotFound, ValidationFailed
from infudesk.reference import yearly_figures
from infudesk.resources import resource
from infudesk.services import coverages as cs
from infudesk.services import patients as ps
from infudesk.services import payers as pys
from infudesk.services.audit import Actor
from infudesk.store.database import Store
from infudesk.store.models import AuditEvent, BenefitTerms, Coverage, Payer, PayerNote
from tests.conftest import TODAY

STARTER = resource("payers.json")
STARTER_NAMES = [p["name"] for p in json.loads(STARTER.read_text(encoding="utf-8"))["payers"]]

TERMS = Terms(
    deductible=D("2000"),
    deductible_met=D("500"),
    oop_max=D("6500"),
    oop_met=D("900"),
    coinsurance=D("0.20"),
)


def new_patient(s: Session, actor: Actor, mrn: str = "T0001", first: str = "Ada") -> int:
    data = PatientData(
        first_name=first, last_name="Quinn", birth_date=date(1970, 5, 4), sex="F", mrn=mrn
    )
    return ps.create_patient(s, actor, data, today=TODAY, allow_look_alike=True).id


def new_payer(s: Session, actor: Actor, name: str = "Lakeshore Health", **kw: object) -> int:
    return pys.create_payer(s, actor, pys.PayerData(name=name, **kw)).id


def commercial(payer_id: int | None, **kw: object) -> CoverageData:
    base: dict[str, object] = dict(
        payer_id=payer_id,
        plan_name="Lakeshore Health PPO",
        plan_type=PlanType.COMMERCIAL,
        member_id="lkh-482913",
        group_number=" g-20418 ",
        effective_on=date(2026, 1, 1),
    )
    base.update(kw)
    return CoverageData(**base)


def events(s: Session, entity: str) -> list[tuple[str, int | None, dict[str, Any]]]:
    rows = s.scalars(select(AuditEvent).where(AuditEvent.entity == entity).order_by(AuditEvent.id))
    return [(e.action, e.entity_id, json.loads(e.detail or "{}")) for e in rows]


def count(s: Session, model: type) -> int:
    return s.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture
def ids(store: Store, actor: Actor) -> dict[str, int]:
    """A patient and two payers, committed."""
    with store.session() as s:
        return {
            "patient": new_patient(s, actor),
            "lakeshore": new_payer(s, actor, "Lakeshore Health", plan_types=("commercial",)),
            "summit": new_payer(s, actor, "Summit Health", plan_types=("commercial",)),
            "medicare": new_payer(
                s, actor, "Medicare (Original, Part B)", plan_types=("medicare_part_b",)
            ),
            "medigap": new_payer(s, actor, "Evergreen Medigap", plan_types=("medigap",)),
        }


# --- payers ----------------------------------------------------------------------------------


def test_create_payer_cleans_input_and_is_audited(store: Store, actor: Actor) -> None:
    with store.session() as s:
        rec = pys.create_payer(
            s,
            actor,
            pys.PayerData(
                name="  Lakeshore    Health ",
                plan_types=("commercial", "marketplace", "commercial"),
                phone="(800) 555-0111",
                fax="1-800-555-0112",
                portal=" provider.lakeshore.example ",
            ),
        )
        assert rec.version == 1
        assert rec.data.name == "Lakeshore Health"
        assert rec.data.plan_types == ("commercial", "marketplace")
        assert (rec.data.phone, rec.data.fax) == ("8005550111", "8005550112")
        assert rec.data.portal == "provider.lakeshore.example"
        assert events(s, "payer") == [("create", rec.id, {})]
    with store.session() as s:
        again = pys.get_payer(s, rec.id)
        assert again.data == rec.data
        assert pys.payer_by_name(s, "LAKESHORE health").id == rec.id
        with pytest.raises(NotFound):
            pys.payer_by_name(s, "Nobody Health")


def test_update_payer_bumps_version_and_refuses_a_stale_one(store: Store, actor: Actor) -> None:
    with store.session() as s:
        rec = pys.create_payer(s, actor, pys.PayerData(name="Summit Health"))
    with store.session() as s:
        upd = pys.update_payer(
            s,
            actor,
            rec.id,
            pys.PayerData(
                name="Summit Health Plans",
                phone="312.555.0142",
                active=False,
            ),
            expected_version=1,
        )
        assert upd.version == 2
        assert upd.data.phone == "3125550142"
        assert [p.id for p in pys.list_payers(s)] == []
        assert [p.id for p in pys.list_payers(s, include_inactive=True)] == [rec.id]
        with pytest.raises(Conflict):
            pys.update_payer(s, actor, rec.id, pys.PayerData(name="Stale"), expected_version=1)
        assert pys.get_payer(s, rec.id).data.name == "Summit Health Plans"
        assert [a for a, _, _ in events(s, "payer")] == ["create", "update"]
        with pytest.raises(NotFound):
            pys.update_payer(s, actor, 9999, pys.PayerData(name="X"), expected_version=1)


def test_duplicate_payer_name_is_refused_case_insensitively(store: Store, actor: Actor) -> None:
    with store.session() as s:
        first = new_payer(s, actor, "Lakeshore Health")
        other = new_payer(s, actor, "Summit Health")
        with pytest.raises(ValidationFailed) as exc:
            pys.create_payer(s, actor, pys.PayerData(name="LAKESHORE   health"))
        assert set(exc.value.errors) == {"name"}
        assert "already in the directory" in exc.value.errors["name"]
        with pytest.raises(ValidationFailed) as exc:
            pys.update_payer(
                s, actor, other, pys.PayerData(name=" lakeshore HEALTH"), expected_version=1
            )
        assert set(exc.value.errors) == {"name"}
        # renaming a payer to its own name in another case is not a duplicate
        rec = pys.update_payer(
            s, actor, first, pys.PayerData(name="LAKESHORE HEALTH"), expected_version=1
        )
        assert rec.data.name == "LAKESHORE HEALTH"
        assert count(s, Payer) == 2


# Regression: duplicates were let in when SQLite's ASCII-only lower() met a capital É.
def test_duplicate_payer_name_with_accented_capitals_is_refused(store: Store, actor: Actor) -> None:
    with store.session() as s:
        new_payer(s, actor, "ÉLAN Health")
        with pytest.raises(ValidationFailed):
            pys.create_payer(s, actor, pys.PayerData(name="Élan Health"))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("phone", "555-0142"),
        ("phone", "(012) 555-0142"),
        ("phone", "call 312 555 0142"),
        ("fax", "312-155-0142"),
    ],
)
def test_bad_phone_or_fax_is_refused_at_the_field(
    store: Store, actor: Actor, field: str, value: str
) -> None:
    with store.session() as s:
        with pytest.raises(ValidationFailed) as exc:
            pys.create_payer(s, actor, pys.PayerData(name="Harbor Health Plans", **{field: value}))
        assert set(exc.value.errors) == {field}
        assert count(s, Payer) == 0


def test_blank_name_and_unknown_plan_type(store: Store, actor: Actor) -> None:
    with store.session() as s:
        with pytest.raises(ValidationFailed) as exc:
            pys.create_payer(s, actor, pys.PayerData(name="  ", plan_types=("hmo",)))
        assert set(exc.value.errors) == {"name", "plan_types"}


def test_notes_for_only_returns_notes_in_effect_on_the_date(store: Store, actor: Actor) -> None:
    with store.session() as s:
        summit = new_payer(s, actor, "Summit Health")
        lakeshore = new_payer(s, actor, "Lakeshore Health")
        a = pys.add_note(s, actor, summit, date(2026, 7, 1), "  Site-of-care rule for IVIG. ")
        b = pys.add_note(s, actor, summit, date(2027, 1, 1), "New PA portal.")
        pys.add_note(s, actor, lakeshore, date(2026, 1, 1), "Other payer's note.")
        assert a.text == "Site-of-care rule for IVIG."
        assert (a.payer_name, a.created_by) == ("Summit Health", actor.name)
        assert [n.id for n in pys.notes_for(s, summit)] == [b.id, a.id]  # newest first
        assert [n.id for n in pys.notes_for(s, summit, on=TODAY)] == [a.id]
        assert [n.id for n in pys.notes_for(s, summit, on=date(2026, 7, 1))] == [a.id]
        assert pys.notes_for(s, summit, on=date(2026, 6, 30)) == []
        assert [n.id for n in pys.notes_for(s, summit, on=date(2027, 1, 1))] == [b.id, a.id]
        with pytest.raises(ValidationFailed) as exc:
            pys.add_note(s, actor, summit, None, "  ")
        assert set(exc.value.errors) == {"effective_on", "text"}
        with pytest.raises(NotFound):
            pys.add_note(s, actor, 9999, TODAY, "x")
        assert count(s, PayerNote) == 3
        assert [a for a, _, _ in events(s, "payer_note")] == ["create"] * 3


def test_load_starter_payers_is_idempotent(store: Store, actor: Actor) -> None:
    assert len(STARTER_NAMES) >= 5
    with store.session() as s:
        new_payer(s, actor, STARTER_NAMES[1].upper())  # already there, in another case
        assert pys.load_starter_payers(s, actor, STARTER) == len(STARTER_NAMES) - 1
    with store.session() as s:
        assert pys.load_starter_payers(s, actor, STARTER) == 0
        names = [p.data.name for p in pys.list_payers(s, include_inactive=True)]
        assert len(names) == len(STARTER_NAMES)
        assert STARTER_NAMES[1].upper() in names
        medicare = pys.payer_by_name(s, "Medicare (Original, Part B)")
        assert medicare.data.plan_types == ("medicare_part_b",)


def test_ensure_starter_payers_only_fills_an_empty_directory(store: Store, actor: Actor) -> None:
    with store.session() as s:
        assert pys.ensure_starter_payers(s, actor, STARTER) == len(STARTER_NAMES)
        assert pys.ensure_starter_payers(s, actor, STARTER) == 0
        assert count(s, Payer) == len(STARTER_NAMES)


def test_ensure_starter_payers_leaves_a_used_directory_alone(store: Store, actor: Actor) -> None:
    with store.session() as s:
        new_payer(s, actor, "Our Local Plan")
    with store.session() as s:
        assert pys.ensure_starter_payers(s, actor, STARTER) == 0
        assert [p.data.name for p in pys.list_payers(s)] == ["Our Local Plan"]


# --- coverages: adding and validation --------------------------------------------------------


def test_add_coverage_with_terms(store: Store, actor: Actor, ids: dict[str, int]) -> None:
    with store.session() as s:
        rec = cs.add_coverage(
            s,
            actor,
            ids["patient"],
            commercial(ids["lakeshore"]),
            today=date(2026, 1, 5),
            terms=TERMS,
        )
        assert rec.version == 1
        assert (rec.status, rec.replaced_by_id, rec.changed_on) == (
            "active",
            None,
            date(2026, 1, 5),
        )
        assert rec.data.member_id == "LKH-482913"
        assert rec.data.group_number == "G-20418"
        assert rec.payer_name == "Lakeshore Health"
        assert rec.label == "Primary: Lakeshore Health PPO"
        assert rec.terms is not None
        assert rec.terms.terms == TERMS
        assert (rec.terms.as_of, rec.terms.source, rec.terms.recorded_by) == (
            date(2026, 1, 5),
            "manual",
            actor.name,
        )
        assert rec.state_on(TODAY) == "active"
        assert rec.state_on(date(2025, 12, 31)) == "future"
    with store.session() as s:
        (again,) = cs.list_coverages(s, ids["patient"])
        assert again.data == rec.data
        assert again.terms is not None and again.terms.terms == TERMS  # Decimals survive the store
        assert [(a, i) for a, i, _ in events(s, "coverage")] == [
            ("create", rec.id),
            ("terms", rec.id),
        ]
        assert events(s, "coverage")[1][2] == {"source": "manual"}


def test_add_coverage_unknown_patient(store: Store, actor: Actor, ids: dict[str, int]) -> None:
    with store.session() as s, pytest.raises(NotFound):
        cs.add_coverage(s, actor, 9999, commercial(ids["lakeshore"]), today=TODAY)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"payer_id": None}, "payer_id"),
        ({"payer_id": 9999}, "payer_id"),
        ({"terminates_on": date(2025, 12, 31)}, "terminates_on"),
        ({"effective_on": None}, "effective_on"),
        ({"plan_type": PlanType.MEDICARE_PART_B, "member_id": "1EG4-TE5-MK7"}, "member_id"),
        ({"plan_type": PlanType.MEDICARE_PART_B, "member_id": "1SG4-TE5-MK73"}, "member_id"),
        ({"plan_type": PlanType.MEDIGAP, "medigap_plan": "G", "rank": 1}, "rank"),
        ({"plan_type": PlanType.MEDIGAP, "medigap_plan": "", "rank": 2}, "medigap_plan"),
        ({"plan_type": PlanType.MEDIGAP, "medigap_plan": "Q", "rank": 2}, "medigap_plan"),
        ({"medigap_plan": "G"}, "medigap_plan"),
        ({"member_id": ""}, "member_id"),
        ({"subscriber_relationship": "spouse", "subscriber_name": ""}, "subscriber_name"),
        ({"plan_year_start": "13-01"}, "plan_year_start"),
        ({"rank": 4}, "rank"),
    ],
)
def test_add_coverage_validation_at_the_field(
    store: Store, actor: Actor, ids: dict[str, int], changes: dict[str, object], field: str
) -> None:
    with store.session() as s:
        with pytest.raises(ValidationFailed) as exc:
            data = replace(commercial(ids["lakeshore"]), **changes)
            cs.add_coverage(s, actor, ids["patient"], data, today=TODAY)
        assert set(exc.value.errors) == {field}, exc.value.errors
        assert count(s, Coverage) == 0


def test_medicare_mbi_is_stored_uppercase_without_dashes(
    store: Store, actor: Actor, ids: dict[str, int]
) -> None:
    with store.session() as s:
        part_b = cs.add_coverage(
            s,
            actor,
            ids["patient"],
            CoverageData(
                payer_id=ids["medicare"],
                plan_type=PlanType.MEDICARE_PART_B,
                member_id=" 1eg4-te5-mk73 ",
                effective_on=date(2016, 10, 1),
            ),
            today=TODAY,
        )
        gap = cs.add_coverage(
            s,
            actor,
            ids["patient"],
            CoverageData(
                payer_id=ids["medigap"],
                rank=2,
                plan_type=PlanType.MEDIGAP,
                medigap_plan="g",
                member_id="evg-5561029",
                effective_on=date(2016, 10, 1),
            ),
            today=TODAY,
        )
        assert part_b.data.member_id == "1EG4TE5MK73"
        assert gap.data.member_id == "EVG-5561029"  # dashes stay for other plans
        assert gap.data.medigap_plan == "G"
    with store.session() as s:
        rows = cs.list_coverages(s, ids["patient"])
        assert [(c.data.rank, c.data.member_id, c.data.medigap_plan) for c in rows] == [
            (1, "1EG4TE5MK73", ""),
            (2, "EVG-5561029", "G"),
        ]


def test_two_primaries_at_once_are_refused(store: Store, actor: Actor, ids: dict[str, int]) -> None:
    with store.session() as s:
        cs.add_coverage(s, actor, ids["patient"], commercial(ids["lakeshore"]), today=TODAY)
        with pytest.raises(ValidationFailed) as exc:
            cs.add_coverage(
                s,
                actor,
                ids["patient"],
                commercial(ids["summit"], effective_on=date(2026, 6, 1), member_id="SMT1"),
                today=TODAY,
            )
        assert set(exc.value.errors) == {"rank"}
        assert "already the primary" in exc.value.errors["rank"]
        assert "Lakeshore Health" in exc.value.errors["rank"]
        assert "01/01/2026" in exc.value.errors["rank"]
        # the same plan as secondary is fine, and another patient's primary is no clash
        cs.add_coverage(s, actor, ids["patient"], commercial(ids["summit"], rank=2), today=TODAY)
        other = new_patient(s, actor, "T0002", "Bea")
        cs.add_coverage(s, actor, other, commercial(ids["summit"]), today=TODAY)
        assert count(s, Coverage) == 3


def test_replace_existing_ends_the_old_plan_the_day_before(
    store: Store, actor: Actor, ids: dict[str, int]
) -> None:
    with store.session() as s:
        old = cs.add_coverage(
            s,
            actor,
            ids["patient"],
            commercial(ids["lakeshore"]),
            today=date(2026, 1, 5),
            terms=TERMS,
        )
        new = cs.add_coverage(
            s,
            actor,
            ids["patient"],
            commercial(
                ids["summit"],
                plan_name="Summit HDHP",
                member_id="SMT77120456",
                effective_on=date(2026, 12, 1),
            ),
            today=TODAY,
            replace_existing=True,
        )
    with store.session() as s:
        was = cs.get_coverage(s, old.id)
        assert was.status == "replaced"
        assert was.replaced_by_id == new.id
        assert was.data.terminates_on == date(2026, 11, 30)
        assert was.changed_on == TODAY
        assert was.state_on(TODAY) == "replaced"
        assert was.terms is not None and was.terms.terms == TERMS  # history kept
        assert [c.id for c in cs.list_coverages(s, ids["patient"])] == [new.id]
        assert [c.id for c in cs.list_coverages(s, ids["patient"], include_history=True)] == [
            new.id,
            old.id,
        ]
        replace_events = [e for e in events(s, "coverage") if e[0] == "replace"]
        assert replace_events == [("replace", old.id, {"replaced_by": new.id})]


def test_replace_keeps_an_earlier_end_date(store: Store, actor: Actor, ids: dict[str, int]) -> None:
    with store.session() as s:
        old = cs.add_coverage(
            s,
            actor,
            ids["patient"],
            commercial(ids["lakeshore"], terminates_on=date(2026, 12, 15)),
            today=TODAY,
        )
        cs.add_coverage(
            s,
            actor,
            ids["patient"],
            commercial(ids["summit"], effective_on=date(2026, 12, 20)),
            today=TODAY,
            replace_existing=True,
        )
        # no overlap: not replaced at all
        assert cs.get_coverage(s, old.id).status == "active"
        cs.add_coverage(
            s,
            actor,
            ids["patient"],
            commercial(
                ids["summit"],
                member_id="SMT2",
                effective_on=date(2026, 12, 10),
                terminates_on=date(2026, 12, 19),
            ),
            today=TODAY,
            replace_existing=True,
        )
        was = cs.get_coverage(s, old.id)
        assert was.status == "replaced"
        assert was.data.terminates_on == date(2026, 12, 9)


def test_later_plan_after_the_old_one_ends_needs_no_replace(
    store: Store, actor: Actor, ids: dict[str, int]
) -> None:
    with store.session() as s:
        old = cs.add_coverage(
            s,
            actor,
            ids["patient"],
            commercial(ids["lakeshore"], terminates_on=date(2026, 6, 30)),
            today=TODAY,
        )
        with pytest.raises(ValidationFailed) as exc:  # one shared day is an overlap
            cs.add_coverage(
                s,
                actor,
                ids["patient"],
                commercial(ids["summit"], effective_on=date(2026, 6, 30)),
                today=TODAY,
            )
        assert "already the primary" in exc.value.errors["rank"]
        new = cs.add_coverage(
            s,
            actor,
            ids["patient"],
            commercial(ids["summit"], effective_on=date(2026, 7, 1)),
            today=TODAY,
        )
        listed = cs.list_coverages(s, ids["patient"])
        assert {c.id for c in listed} == {old.id, new.id}
        assert all(c.status == "active" for c in listed)
        states = {c.id: c.state_on(TODAY) for c in listed}
        assert states == {old.id: "ended", new.id: "active"}


# --- terms -----------------------------------------------------------------------------------


def test_terms_history_is_append_only(store: Store, actor: Actor, ids: dict[str, int]) -> None:
    with store.session() as s:
        cov = cs.add_coverage(
            s, actor, ids["patient"], commercial(ids["lakeshore"]), today=date(2026, 1, 5)
        )
        assert cov.terms is None
        assert cs.terms_history(s, cov.id) == []
        first = cs.record_terms(s, actor, cov.id, TERMS, as_of=date(2026, 3, 1), source="manual")
        later = replace(TERMS, deductible_met=D("2000"), oop_met=D("3100"))
        cs.record_terms(s, actor, cov.id, later, as_of=date(2026, 9, 1), source="phone")
    with store.session() as s:
        hist = cs.terms_history(s, cov.id)
        assert [(t.as_of, t.source, t.terms) for t in hist] == [
            (date(2026, 3, 1), "manual", TERMS),
            (date(2026, 9, 1), "phone", later),
        ]
        assert hist[0] == first
        current = cs.get_coverage(s, cov.id).terms
        assert current is not None and current.terms == later
        assert count(s, BenefitTerms) == 2
        assert [a for a, _, _ in events(s, "coverage")] == ["create", "terms", "terms"]
        with pytest.raises(NotFound):
            cs.record_terms(s, actor, 9999, TERMS, as_of=TODAY, source="manual")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"deductible_met": D("2500")}, "deductible_met"),
        ({"oop_met": D("7000")}, "oop_met"),
        ({"coinsurance": D("1.2")}, "coinsurance"),
        ({"coinsurance": D("-0.1")}, "coinsurance"),
        ({"copay": D("-5"), "copay_applies": "per_visit"}, "copay"),
        ({"deductible": D("-1"), "deductible_met": D("0")}, "deductible"),
        ({"oop_max": D("-100"), "oop_met": D("0")}, "oop_max"),
        ({"family_oop_max": D("9000"), "family_oop_met": D("9500")}, "family_oop_met"),
        ({"copay": D("30")}, "copay_applies"),
        ({"deductible": D("8000"), "deductible_met": D("0")}, "deductible"),
    ],
)
def test_impossible_terms_are_refused_at_the_field(
    store: Store, actor: Actor, ids: dict[str, int], changes: dict[str, object], field: str
) -> None:
    bad = replace(TERMS, **changes)
    with store.session() as s:
        with pytest.raises(ValidationFailed) as exc:
            cs.add_coverage(
                s, actor, ids["patient"], commercial(ids["lakeshore"]), today=TODAY, terms=bad
            )
        assert field in exc.value.errors, exc.value.errors
        assert count(s, Coverage) == 0  # nothing half-saved
        cov = cs.add_coverage(s, actor, ids["patient"], commercial(ids["lakeshore"]), today=TODAY)
        with pytest.raises(ValidationFailed) as exc:
            cs.record_terms(s, actor, cov.id, bad, as_of=TODAY, source="manual")
        assert field in exc.value.errors
        assert cs.terms_history(s, cov.id) == []


def test_oop_above_the_federal_ceiling_warns_but_is_accepted(
    store: Store, actor: Actor, ids: dict[str, int]
) -> None:
    high = replace(TERMS, oop_max=D("12000"))
    warnings = dc.terms_warnings(high, PlanType.COMMERCIAL, 2026, yearly_figures())
    assert set(warnings) == {"oop_max"}
    assert "$10,600" in warnings["oop_max"]
    assert (
        dc.terms_warnings(
            replace(TERMS, oop_max=D("10600")), PlanType.COMMERCIAL, 2026, yearly_figures()
        )
        == {}
    )
    assert dc.validate_terms(high) == {}
    with store.session() as s:
        cov = cs.add_coverage(s, actor, ids["patient"], commercial(ids["lakeshore"]), today=TODAY)
        rec = cs.record_terms(s, actor, cov.id, high, as_of=TODAY, source="manual")
        assert rec.terms.oop_max == D("12000")
    with store.session() as s:
        current = cs.get_coverage(s, cov.id).terms
        assert current is not None and current.terms.oop_max == D("12000")


# --- editing ---------------------------------------------------------------------------------


def test_edit_coverage_with_a_stale_version_changes_nothing(
    store: Store, actor: Actor, ids: dict[str, int]
) -> None:
    with store.session() as s:
        cov = cs.add_coverage(
            s,
            actor,
            ids["patient"],
            commercial(ids["lakeshore"]),
            today=date(2026, 1, 5),
            terms=TERMS,
        )
    with store.session() as s:
        edited = cs.edit_coverage(
            s,
            actor,
            cov.id,
            replace(cov.data, group_number="G-1"),
            TERMS,
            expected_version=cov.version,
            today=date(2026, 11, 1),
        )
        assert edited.version == cov.version + 1
    with store.session() as s, pytest.raises(Conflict):
        cs.edit_coverage(
            s,
            actor,
            cov.id,
            replace(cov.data, member_id="OTHER1"),
            replace(TERMS, deductible_met=D("900")),
            expected_version=cov.version,
            today=TODAY,
        )
    with store.session() as s:
        now = cs.get_coverage(s, cov.id)
        assert now.version == edited.version
        assert now.data == edited.data
        assert now.changed_on == date(2026, 11, 1)
        assert [t.terms for t in cs.terms_history(s, cov.id)] == [TERMS]


def test_edit_coverage_records_new_terms_only_when_they_changed(
    store: Store, actor: Actor, ids: dict[str, int]
) -> None:
    with store.session() as s:
        cov = cs.add_coverage(
            s,
            actor,
            ids["patient"],
            commercial(ids["lakeshore"]),
            today=date(2026, 1, 5),
            terms=TERMS,
        )
    with store.session() as s:
        # new data, same figures (typed with other Decimal exponents): no new terms entry
        same = Terms(
            deductible=D("2000.00"),
            deductible_met=D("500.0"),
            oop_max=D("6500"),
            oop_met=D("900"),
            coinsurance=D("0.2000"),
        )
        rec = cs.edit_coverage(
            s,
            actor,
            cov.id,
            replace(cov.data, plan_name="Lakeshore Gold"),
            same,
            expected_version=cov.version,
            today=date(2026, 11, 1),
        )
        assert rec.version == cov.version + 1
        assert rec.data.plan_name == "Lakeshore Gold"
        assert rec.changed_on == date(2026, 11, 1)
        assert len(cs.terms_history(s, cov.id)) == 1
        # no terms at all: nothing recorded either
        rec = cs.edit_coverage(
            s, actor, cov.id, rec.data, None, expected_version=rec.version, today=date(2026, 11, 2)
        )
        assert len(cs.terms_history(s, cov.id)) == 1
        # changed figures: a new entry, the earlier one kept
        newer = replace(TERMS, deductible_met=D("1500"))
        rec = cs.edit_coverage(
            s, actor, cov.id, rec.data, newer, expected_version=rec.version, today=date(2026, 11, 3)
        )
        hist = cs.terms_history(s, cov.id)
        assert [t.terms for t in hist] == [TERMS, newer]
        assert hist[-1].as_of == date(2026, 11, 3)
        assert rec.terms is not None and rec.terms.terms == newer
        updates = [e for e in events(s, "coverage") if e[0] == "update"]
        assert updates == [("update", cov.id, {"fields": ["plan_name"]})]


def test_update_coverage_without_changes_keeps_version_and_date(
    store: Store, actor: Actor, ids: dict[str, int]
) -> None:
    with store.session() as s:
        cov = cs.add_coverage(
            s, actor, ids["patient"], commercial(ids["lakeshore"]), today=date(2026, 1, 5)
        )
    with store.session() as s:
        # the raw form (lowercase, spaces) normalizes to what is stored: not an edit
        rec = cs.update_coverage(
            s,
            actor,
            cov.id,
            commercial(ids["lakeshore"]),
            expected_version=cov.version,
            today=TODAY,
        )
        assert (rec.version, rec.changed_on) == (cov.version, date(2026, 1, 5))
        assert [e[0] for e in events(s, "coverage")] == ["create"]
        with pytest.raises(ValidationFailed) as exc:
            cs.update_coverage(
                s,
                actor,
                cov.id,
                commercial(ids["lakeshore"], member_id=""),
                expected_version=cov.version,
                today=TODAY,
            )
        assert set(exc.value.errors) == {"member_id"}


def test_update_coverage_into_a_clash_is_refused(
    store: Store, actor: Actor, ids: dict[str, int]
) -> None:
    with store.session() as s:
        cs.add_coverage(s, actor, ids["patient"], commercial(ids["lakeshore"]), today=TODAY)
        second = cs.add_coverage(
            s, actor, ids["patient"], commercial(ids["summit"], rank=2), today=TODAY
        )
        with pytest.raises(ValidationFailed) as exc:
            cs.update_coverage(
                s,
                actor,
                second.id,
                replace(second.data, rank=1),
                expected_version=second.version,
                today=TODAY,
            )
        assert "already the primary" in exc.value.errors["rank"]
        assert cs.get_coverage(s, second.id).data.rank == 2


def test_end_coverage(store: Store, actor: Actor, ids: dict[str, int]) -> None:
    with store.session() as s:
        cov = cs.add_coverage(
            s, actor, ids["patient"], commercial(ids["lakeshore"]), today=date(2026, 1, 5)
        )
        with pytest.raises(ValidationFailed) as exc:
            cs.end_coverage(s, actor, cov.id, date(2025, 12, 31), today=TODAY)
        assert set(exc.value.errors) == {"terminates_on"}
        rec = cs.end_coverage(s, actor, cov.id, date(2026, 11, 30), today=TODAY)
        assert (rec.data.terminates_on, rec.changed_on, rec.status) == (
            date(2026, 11, 30),
            TODAY,
            "active",
        )
        assert rec.state_on(date(2026, 12, 1)) == "ended"
        assert events(s, "coverage")[-1] == ("end", cov.id, {"on": "2026-11-30"})


# Regression: a terms-only edit must set changed_on and move the version.
def test_terms_only_edit_counts_as_a_change(
    store: Store, actor: Actor, ids: dict[str, int]
) -> None:
    with store.session() as s:
        cov = cs.add_coverage(
            s,
            actor,
            ids["patient"],
            commercial(ids["lakeshore"]),
            today=date(2026, 1, 5),
            terms=TERMS,
        )
    with store.session() as s:
        rec = cs.edit_coverage(
            s,
            actor,
            cov.id,
            cov.data,
            replace(TERMS, deductible_met=D("900")),
            expected_version=cov.version,
            today=date(2026, 11, 20),
        )
        assert rec.changed_on == date(2026, 11, 20)
        with pytest.raises(Conflict):  # a second clerk who opened the same version
            cs.edit_coverage(
                s,
                actor,
                cov.id,
                cov.data,
                replace(TERMS, deductible_met=D("100")),
                expected_version=cov.version,
                today=date(2026, 11, 20),
            )
