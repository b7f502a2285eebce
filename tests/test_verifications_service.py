"""Service tests for benefits verifications, the due-date worklist, payer notes and the demo
data, against a real SQLCipher file."""
# mypy: disable-error-code="operator"

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal as D

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from infudesk.demo.showcase import seed_demo
from infudesk.domain.coverage import CoverageData, PlanType, Terms
from infudesk.domain.orders import OrderData
from infudesk.domain.patients import PatientData
from infudesk.domain.verification import Status
from infudesk.errors import Conflict, NotFound, ValidationFailed
from infudesk.services import coverages as cs
from infudesk.services import export, settings
from infudesk.services import orders as ors
from infudesk.services import patients as ps
from infudesk.services import payers as pys
from infudesk.services import verifications as vs
from infudesk.services.audit import Actor
from infudesk.store.database import Store
from infudesk.store.models import AuditEvent, BenefitTerms
from tests.conftest import TODAY

VERIFIED_ON = date(2026, 11, 20)
REQUIRED = {
    "plan_active",
    "in_network",
    "coinsurance",
    "pa_required",
    "call_with",
    "call_reference",
    "call_at",
}
COMPLETE = {
    "plan_active": "yes",
    "in_network": "in",
    "place_of_service": "11",
    "deductible": "2,000",
    "deductible_met": "500",
    "oop_max": "$6,500",
    "oop_met": "900",
    "coinsurance": "20%",
    "copay_applies": "none",
    "pa_required": "yes",
    "pa_codes": "J1745, 96365, 96366",
    "call_with": "Dana at provider services",
    "call_reference": "LKH-1020-55812",
    "call_at": "11/20/2026 10:15 AM",
}
TERMS = Terms(
    deductible=D("2000"),
    deductible_met=D("100"),
    oop_max=D("6500"),
    oop_met=D("100"),
    coinsurance=D("0.20"),
)
INFLIXIMAB = OrderData(
    drug_name="infliximab (Remicade)",
    drug_hcpcs="J1745",
    dose=D("5"),
    dose_per_kg=True,
    weight_kg=D("72"),
    route="iv",
    minutes=120,
    every_days=56,
    visit_count=7,
    start_on=date(2026, 12, 8),
    diagnosis="K50.90",
    provider_name="Priya Raman",
    provider_npi="1647382914",
)


@dataclass(frozen=True)
class Care:
    patient: int
    lakeshore: int
    summit: int
    coverage: int
    order: int


def new_patient(s: Session, actor: Actor, mrn: str, first: str, last: str) -> int:
    data = PatientData(
        first_name=first, last_name=last, birth_date=date(1970, 5, 4), sex="F", mrn=mrn
    )
    return ps.create_patient(s, actor, data, today=TODAY, allow_look_alike=True).id


def add_plan(s: Session, actor: Actor, patient: int, payer: int, **kw: object) -> cs.CoverageRecord:
    base: dict[str, object] = dict(
        payer_id=payer,
        plan_name="",
        plan_type=PlanType.COMMERCIAL,
        member_id="MEM12345",
        effective_on=date(2026, 1, 1),
    )
    base.update(kw)
    return cs.add_coverage(
        s,
        actor,
        patient,
        CoverageData(**base),  # type: ignore[arg-type]
        today=date(2026, 1, 5),
        terms=TERMS,
    )


def verify(
    s: Session,
    actor: Actor,
    coverage: int,
    order: int | None,
    answers: dict[str, str] | None = None,
    *,
    on: date = VERIFIED_ON,
    status: Status = Status.VERIFIED,
    problem: str = "",
) -> vs.VerificationRecord:
    rec = vs.start_verification(s, actor, coverage, order)
    typed = {**rec.answers, **(COMPLETE if answers is None else answers)}
    return vs.save_verification(
        s,
        actor,
        rec.id,
        typed,
        status=status,
        problem=problem,
        expected_version=rec.version,
        today=on,
    )


@pytest.fixture
def care(store: Store, actor: Actor) -> Care:
    """Ada Quinn: Lakeshore primary since 01/01/2026, infliximab from 12/08/2026 every 8 weeks."""
    with store.session() as s:
        patient = new_patient(s, actor, "T0001", "Ada", "Quinn")
        lakeshore = pys.create_payer(s, actor, pys.PayerData(name="Lakeshore Health")).id
        summit = pys.create_payer(s, actor, pys.PayerData(name="Summit Health")).id
        cov = add_plan(s, actor, patient, lakeshore, plan_name="Lakeshore Health PPO")
        order = ors.create_order(s, actor, patient, INFLIXIMAB, today=date(2026, 10, 1))
        return Care(patient, lakeshore, summit, cov.id, order.id)


def second_patient(
    s: Session,
    actor: Actor,
    payer: int,
    start: date,
    *,
    mrn: str = "T0002",
    first: str = "Zed",
    last: str = "Bell",
    **plan: object,
) -> tuple[int, int, int]:
    """(patient, coverage, order) of another patient, infliximab from ``start``."""
    patient = new_patient(s, actor, mrn, first, last)
    cov = add_plan(s, actor, patient, payer, **plan)
    order = ors.create_order(
        s, actor, patient, replace(INFLIXIMAB, start_on=start), today=date(2026, 10, 1)
    )
    return patient, cov.id, order.id


# --- the checklist ---------------------------------------------------------------------------


def test_start_verification_prefills_the_plan_dates(store: Store, actor: Actor, care: Care) -> None:
    with store.session() as s:
        rec = vs.start_verification(s, actor, care.coverage, care.order)
        assert (rec.status, rec.version, rec.completed_on, rec.problem) == (
            Status.NOT_STARTED,
            1,
            None,
            "",
        )
        assert (rec.coverage_id, rec.order_id) == (care.coverage, care.order)
        assert rec.answers == {
            "effective_date": "01/01/2026",
            "termination_date": "",
            "plan_year_start": "01-01",
            # since checklist v2 the coverage's plan type is pre-filled too, so that the
            # items asked only for some plan types (Medicare's LCD and ABN) show from the start
            "plan_type": "commercial",
            # since issue 13 the coverage's current benefit terms too (staff confirm them)
            "deductible": "2,000.00",
            "deductible_met": "100.00",
            "deductible_applies": "yes",
            "oop_max": "6,500.00",
            "oop_met": "100.00",
            "coinsurance": "20",
            "copay_applies": "none",
        }
        # required items asked whatever the answers (conditional ones: see the rules tests)
        assert {i.key for i in rec.checklist.items() if i.required and not i.show_if} == REQUIRED
        other = add_plan(
            s,
            actor,
            care.patient,
            care.summit,
            rank=2,
            member_id="SMT1",
            effective_on=date(2025, 7, 1),
            terminates_on=date(2026, 12, 31),
            plan_year_start="07-01",
        )
        rec2 = vs.start_verification(s, actor, other.id, None)
        assert rec2.answers == {
            "effective_date": "07/01/2025",
            "termination_date": "12/31/2026",
            "plan_year_start": "07-01",
            "plan_type": "commercial",  # pre-filled since checklist v2
            **vs.terms_answers(TERMS),
        }
        stranger, _, stranger_order = second_patient(s, actor, care.summit, date(2027, 1, 5))
        with pytest.raises(NotFound):
            vs.start_verification(s, actor, care.coverage, stranger_order)
        with pytest.raises(NotFound):
            vs.start_verification(s, actor, 9999, None)
        created = s.scalars(
            select(AuditEvent.entity_id).where(
                AuditEvent.entity == "verification", AuditEvent.action == "create"
            )
        ).all()
        assert created == [rec.id, rec2.id]
    with store.session() as s:
        assert vs.get_verification(s, rec.id).answers == rec.answers


def test_draft_keeps_unreadable_text(store: Store, actor: Actor, care: Care) -> None:
    with store.session() as s:
        rec = vs.start_verification(s, actor, care.coverage, care.order)
        typed = {
            **rec.answers,
            "plan_active": "yes",
            "deductible": "two thousand",
            "coinsurance": "0.2",
            "call_at": "yesterday",
            "carve_outs": "   ",
        }
        saved = vs.save_verification(
            s,
            actor,
            rec.id,
            typed,
            status=Status.IN_PROGRESS,
            expected_version=rec.version,
            today=TODAY,
        )
        assert saved.version > rec.version
    with store.session() as s:
        again = vs.get_verification(s, rec.id)
        assert again.status == Status.IN_PROGRESS
        assert again.completed_on is None
        assert again.answers["deductible"] == "two thousand"
        assert again.answers["coinsurance"] == "0.2"
        assert again.answers["call_at"] == "yesterday"
        assert "carve_outs" not in again.answers  # blanks are not kept
        assert [t.source for t in cs.terms_history(s, care.coverage)] == ["manual"]
        # "not started" with answers typed is in progress
        nxt = vs.save_verification(
            s,
            actor,
            rec.id,
            {"plan_active": "no"},
            status=Status.NOT_STARTED,
            expected_version=again.version,
            today=TODAY,
        )
        assert nxt.status == Status.IN_PROGRESS
        assert nxt.answers == {"plan_active": "no"}


def test_verified_with_missing_items_is_refused_and_changes_nothing(
    store: Store, actor: Actor, care: Care
) -> None:
    with store.session() as s:
        rec = vs.start_verification(s, actor, care.coverage, care.order)
    with store.session() as s:
        with pytest.raises(ValidationFailed) as exc:
            vs.save_verification(
                s,
                actor,
                rec.id,
                rec.answers,
                status=Status.VERIFIED,
                expected_version=rec.version,
                today=TODAY,
            )
        # the coinsurance is prefilled from the coverage's terms: the rest must be asked
        assert set(exc.value.errors) == REQUIRED - {"coinsurance"}
        partly = {k: v for k, v in COMPLETE.items() if k != "call_reference"}
        with pytest.raises(ValidationFailed) as exc:
            vs.save_verification(
                s,
                actor,
                rec.id,
                {**partly, "deductible": "lots"},
                status=Status.VERIFIED,
                expected_version=rec.version,
                today=TODAY,
            )
        assert set(exc.value.errors) == {"call_reference", "deductible"}
    with store.session() as s:
        now = vs.get_verification(s, rec.id)
        assert (now.version, now.status, now.answers, now.completed_on) == (
            rec.version,
            Status.NOT_STARTED,
            rec.answers,
            None,
        )
        assert [t.source for t in cs.terms_history(s, care.coverage)] == ["manual"]
        assert cs.get_coverage(s, care.coverage).version == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"deductible_met": "2,500"}, "deductible_met"),
        ({"oop_met": "7000"}, "oop_met"),
        ({"termination_date": "12/31/2025"}, "termination_date"),
        ({"coinsurance": "120"}, "coinsurance"),
        ({"in_network": "maybe"}, "in_network"),
    ],
)
def test_verified_with_contradicting_answers_is_refused(
    store: Store, actor: Actor, care: Care, changes: dict[str, str], field: str
) -> None:
    with store.session() as s:
        with pytest.raises(ValidationFailed) as exc:
            verify(s, actor, care.coverage, care.order, {**COMPLETE, **changes})
        assert set(exc.value.errors) == {field}, exc.value.errors
        assert len(cs.terms_history(s, care.coverage)) == 1


def test_problem_needs_a_note(store: Store, actor: Actor, care: Care) -> None:
    with store.session() as s:
        rec = vs.start_verification(s, actor, care.coverage, care.order)
        with pytest.raises(ValidationFailed) as exc:
            vs.save_verification(
                s,
                actor,
                rec.id,
                {**rec.answers, "plan_active": "no"},
                status=Status.PROBLEM,
                problem="  ",
                expected_version=rec.version,
                today=TODAY,
            )
        assert set(exc.value.errors) == {"problem"}
        assert vs.get_verification(s, rec.id).status == Status.NOT_STARTED
        saved = vs.save_verification(
            s,
            actor,
            rec.id,
            {**rec.answers, "plan_active": "no"},
            status=Status.PROBLEM,
            problem=" Plan terminated 10/31. ",
            expected_version=rec.version,
            today=TODAY,
        )
        assert (saved.status, saved.problem, saved.completed_on) == (
            Status.PROBLEM,
            "Plan terminated 10/31.",
            None,
        )
        assert len(cs.terms_history(s, care.coverage)) == 1
        actions = s.scalars(
            select(AuditEvent.action).where(AuditEvent.entity == "verification")
        ).all()
        assert actions == ["create", "verification:problem"]


def test_verified_checklist_records_terms_and_plan_facts(
    store: Store, actor: Actor, care: Care
) -> None:
    answers = {
        **COMPLETE,
        "termination_date": "06/30/2027",
        "plan_year_start": "7-1",
        "in_network": "Out of network",
        "copay": "$30",
        "copay_applies": "after_deductible",
        "pa_required": "no",
    }
    with store.session() as s:
        before = cs.get_coverage(s, care.coverage)
        rec = verify(s, actor, care.coverage, care.order, answers)
        assert (rec.status, rec.completed_on) == (Status.VERIFIED, VERIFIED_ON)
    with store.session() as s:
        cov = cs.get_coverage(s, care.coverage)
        assert cov.terms is not None
        assert (cov.terms.source, cov.terms.as_of, cov.terms.recorded_by) == (
            f"verification #{rec.id}",
            VERIFIED_ON,
            actor.name,
        )
        assert cov.terms.terms == Terms(
            deductible=D("2000"),
            deductible_met=D("500"),
            oop_max=D("6500"),
            oop_met=D("900"),
            coinsurance=D("0.20"),
            copay=D("30"),
            copay_applies="per_visit",
            copay_after_deductible=True,
        )
        assert [t.source for t in cs.terms_history(s, care.coverage)] == [
            "manual",
            f"verification #{rec.id}",
        ]
        assert cov.data.terminates_on == date(2027, 6, 30)
        assert cov.data.plan_year_start == "07-01"
        assert cov.data.network == "out"
        assert cov.changed_on == before.changed_on == date(2026, 1, 5)  # not counted as an edit
        assert vs.get_verification(s, rec.id).answers["in_network"] == "Out of network"
        actions = s.scalars(
            select(AuditEvent.action).where(AuditEvent.entity == "verification")
        ).all()
        assert actions == ["create", "verification:verified"]


def test_unknown_network_leaves_the_coverage_alone(store: Store, actor: Actor, care: Care) -> None:
    with store.session() as s:
        verify(s, actor, care.coverage, care.order, {**COMPLETE, "in_network": "unknown"})
        cov = cs.get_coverage(s, care.coverage)
        assert (cov.data.network, cov.data.terminates_on) == ("in", None)


def test_stale_verification_save_is_a_conflict(store: Store, actor: Actor, care: Care) -> None:
    with store.session() as s:
        rec = vs.start_verification(s, actor, care.coverage, care.order)
        vs.save_verification(
            s,
            actor,
            rec.id,
            {"plan_active": "yes"},
            status=Status.IN_PROGRESS,
            expected_version=rec.version,
            today=TODAY,
        )
    with store.session() as s:
        with pytest.raises(Conflict):
            vs.save_verification(
                s,
                actor,
                rec.id,
                COMPLETE,
                status=Status.VERIFIED,
                expected_version=rec.version,
                today=TODAY,
            )
        now = vs.get_verification(s, rec.id)
        assert (now.status, now.answers) == (Status.IN_PROGRESS, {"plan_active": "yes"})
        with pytest.raises(NotFound):
            vs.save_verification(
                s, actor, 9999, {}, status=Status.IN_PROGRESS, expected_version=1, today=TODAY
            )


# --- the worklist ----------------------------------------------------------------------------


def test_never_verified_row(store: Store, actor: Actor, care: Care) -> None:
    with store.session() as s:
        (row,) = vs.worklist(s, today=TODAY)
        assert (row.patient_id, row.mrn, row.patient_name) == (care.patient, "T0001", "Quinn, Ada")
        assert (row.coverage_id, row.order_id, row.payer_id) == (
            care.coverage,
            care.order,
            care.lakeshore,
        )
        assert row.coverage_label == "Primary: Lakeshore Health PPO"
        assert row.payer_name == "Lakeshore Health"
        assert row.order_label == "infliximab (Remicade) 5 mg/kg every 56 days"
        assert (row.latest_id, row.latest_status, row.verified_on) == (None, None, None)
        assert row.due.state == "due"
        assert row.due.reasons[0] == "Never verified"
        assert row.due.reasons == (
            "Never verified",
            "First visit on 12/08/2026: verify 3 business days before",
        )
        # was 12/05 (a Saturday, 3 calendar days); 3 business days before Tuesday 12/08/2026:
        # Mon 7, Fri 4, Thu 3
        assert row.due.due_on == date(2026, 12, 3)
        assert row.next_visit == date(2026, 12, 8)
        # a started (not finished) checklist is the latest, still never verified
        rec = vs.start_verification(s, actor, care.coverage, care.order)
        (row,) = vs.worklist(s, today=TODAY)
        assert (row.latest_id, row.latest_status, row.verified_on) == (
            rec.id,
            Status.NOT_STARTED,
            None,
        )
        assert row.due.reasons[0] == "Never verified"


def test_verified_row_is_due_before_the_next_visit(store: Store, actor: Actor, care: Care) -> None:
    with store.session() as s:
        rec = verify(s, actor, care.coverage, care.order)
    with store.session() as s:
        (row,) = vs.worklist(s, today=TODAY)
        assert (row.latest_id, row.latest_status, row.verified_on) == (
            rec.id,
            Status.VERIFIED,
            VERIFIED_ON,
        )
        # was 12/05 (12/08 visit - 3 calendar days, a Saturday); now 3 business days before
        # Tuesday 12/08: Mon 7, Fri 4, Thu 3
        assert row.due.due_on == date(2026, 12, 3)
        assert row.due.state == "due_soon"
        assert row.due.reasons == ("Visit on 12/08/2026: re-check 3 business days before",)
        settings.put(s, actor, "verification.days_before_visit", 7)
    with store.session() as s:
        assert settings.get(s, "verification.days_before_visit") == 7
        (row,) = vs.worklist(s, today=TODAY)
        # was 12/01 (7 calendar days); 7 business days before Tuesday 12/08: Mon 7, Fri 4,
        # Thu 3, Wed 2, Tue 1, Mon 11/30, Fri 11/27
        assert row.due.due_on == date(2026, 11, 27)
        assert row.due.reasons == ("Visit on 12/08/2026: re-check 7 business days before",)
        settings.put(s, actor, "verification.days_before_visit", 0)
        (row,) = vs.worklist(s, today=TODAY)
        assert row.due.due_on == date(2026, 12, 8)
        for bad in (-1, 61, "3", 2.5):
            with pytest.raises(ValidationFailed):
                settings.put(s, actor, "verification.days_before_visit", bad)
        with pytest.raises(ValidationFailed):
            settings.put(s, actor, "no.such.setting", 1)
        assert settings.get(s, "verification.days_before_visit") == 0


# Regression: bool is an int in Python; a yes/no is not a number of days.
def test_days_before_visit_refuses_a_boolean(store: Store, actor: Actor) -> None:
    with store.session() as s, pytest.raises(ValidationFailed):
        settings.put(s, actor, "verification.days_before_visit", True)


def test_plan_year_start_makes_it_due_in_january(store: Store, actor: Actor, care: Care) -> None:
    with store.session() as s:
        verify(s, actor, care.coverage, care.order)
        _, cov, order = second_patient(s, actor, care.summit, date(2027, 1, 12))
        verify(s, actor, cov, order)
        _, cov7, order7 = second_patient(
            s,
            actor,
            care.summit,
            date(2027, 1, 12),
            mrn="T0003",
            first="Mia",
            plan_year_start="07-01",
        )
        verify(s, actor, cov7, order7)
    with store.session() as s:
        rows = {r.coverage_id: r for r in vs.worklist(s, today=TODAY)}
        assert rows[care.coverage].due.due_on <= date(2027, 1, 1)
        assert rows[cov].due.due_on == date(2027, 1, 1)  # before the 01/09 pre-visit check
        assert rows[cov].due.reasons == ("New plan year starts 01/01/2027",)
        assert rows[cov].due.state == "ok"
        # plan year 07-01: the visit rule wins; was 01/09 (a Saturday, 3 calendar days), now
        # 3 business days before Tuesday 01/12/2027: Mon 11, Fri 8, Thu 7
        assert rows[cov7].due.due_on == date(2027, 1, 7)
        assert rows[cov7].due.reasons == ("Visit on 01/12/2027: re-check 3 business days before",)


def test_coverage_edited_after_verification_is_due_that_day(
    store: Store, actor: Actor, care: Care
) -> None:
    with store.session() as s:
        verify(s, actor, care.coverage, care.order)
    with store.session() as s:
        cov = cs.get_coverage(s, care.coverage)
        cs.update_coverage(
            s,
            actor,
            cov.id,
            replace(cov.data, group_number="G-777"),
            expected_version=cov.version,
            today=date(2026, 11, 25),
        )
    with store.session() as s:
        (row,) = vs.worklist(s, today=TODAY)
        assert row.due.due_on == date(2026, 11, 25)
        assert row.due.state == "overdue"
        assert row.due.reasons == ("Coverage changed after the last verification",)
        verify(s, actor, care.coverage, care.order, on=TODAY)
        (row,) = vs.worklist(s, today=TODAY)
        # 3 business days before Tuesday 12/08 (was 12/05, 3 calendar days)
        assert (row.verified_on, row.due.due_on) == (TODAY, date(2026, 12, 3))


# Regression: a terms-only edit after a verification makes it due that day.
def test_terms_edited_after_verification_is_due_that_day(
    store: Store, actor: Actor, care: Care
) -> None:
    with store.session() as s:
        verify(s, actor, care.coverage, care.order)
    with store.session() as s:
        cov = cs.get_coverage(s, care.coverage)
        assert cov.terms is not None
        cs.edit_coverage(
            s,
            actor,
            cov.id,
            cov.data,
            replace(cov.terms.terms, oop_met=D("4000")),
            expected_version=cov.version,
            today=date(2026, 11, 25),
        )
        (row,) = vs.worklist(s, today=TODAY)
        assert row.due.due_on == date(2026, 11, 25)


def test_order_changed_after_verification_is_due(store: Store, actor: Actor, care: Care) -> None:
    with store.session() as s:
        verify(s, actor, care.coverage, care.order)
    with store.session() as s:
        order = ors.get_order(s, care.order)
        ors.update_order(
            s,
            actor,
            order.id,
            replace(order.data, weight_kg=D("80")),
            expected_version=order.version,
            today=date(2026, 11, 26),
        )
    with store.session() as s:
        (row,) = vs.worklist(s, today=TODAY)
        assert row.due.due_on == date(2026, 11, 26)
        assert row.due.state == "overdue"
        assert row.due.reasons == ("Therapy order changed after the last verification",)


def test_worklist_filters_by_payer_patient_and_due_date(
    store: Store, actor: Actor, care: Care
) -> None:
    with store.session() as s:
        verify(s, actor, care.coverage, care.order)  # due 12/03 (3 business days before 12/08)
        other, cov, order = second_patient(s, actor, care.summit, date(2027, 2, 1))
        verify(s, actor, cov, order)  # due 01/01/2027 (plan year)
    with store.session() as s:
        assert [r.coverage_id for r in vs.worklist(s, today=TODAY)] == [care.coverage, cov]
        assert [r.coverage_id for r in vs.worklist(s, today=TODAY, payer_id=care.summit)] == [cov]
        assert [r.coverage_id for r in vs.worklist(s, today=TODAY, payer_id=care.lakeshore)] == [
            care.coverage
        ]
        assert [r.coverage_id for r in vs.worklist(s, today=TODAY, patient_id=other)] == [cov]
        assert [r.coverage_id for r in vs.worklist(s, today=TODAY, due_by=date(2026, 12, 10))] == [
            care.coverage
        ]
        assert vs.worklist(s, today=TODAY, due_by=date(2026, 12, 2)) == []  # due 12/03
        assert len(vs.worklist(s, today=TODAY, due_by=date(2027, 1, 1))) == 2
        # open work (a draft) is listed whatever its due date
        rec = vs.start_verification(s, actor, cov, order)
        vs.save_verification(
            s,
            actor,
            rec.id,
            {"plan_active": "yes"},
            status=Status.IN_PROGRESS,
            expected_version=rec.version,
            today=TODAY,
        )
        rows = vs.worklist(s, today=TODAY, due_by=date(2026, 12, 2))  # the other is due 12/03
        assert [(r.coverage_id, r.latest_status) for r in rows] == [(cov, Status.IN_PROGRESS)]
        assert rows[0].verified_on == VERIFIED_ON


def test_inactive_patients_and_ended_coverages_are_left_out(
    store: Store, actor: Actor, care: Care
) -> None:
    with store.session() as s:
        other, cov, _ = second_patient(s, actor, care.summit, date(2027, 2, 1))
        _, cov3, _ = second_patient(
            s, actor, care.summit, date(2027, 2, 1), mrn="T0003", first="Mia"
        )
        assert {r.coverage_id for r in vs.worklist(s, today=TODAY)} == {care.coverage, cov, cov3}
        ps.set_active(s, actor, other, False, "moved away")
        cs.end_coverage(s, actor, care.coverage, date(2026, 11, 26), today=TODAY)
        cs.end_coverage(s, actor, cov3, TODAY, today=TODAY)  # ends today: still current
    with store.session() as s:
        assert [r.coverage_id for r in vs.worklist(s, today=TODAY)] == [cov3]
        assert vs.worklist(s, today=date(2026, 11, 28)) == []


def test_replaced_coverage_leaves_the_worklist(store: Store, actor: Actor, care: Care) -> None:
    with store.session() as s:
        new = cs.add_coverage(
            s,
            actor,
            care.patient,
            CoverageData(
                payer_id=care.summit,
                plan_type=PlanType.COMMERCIAL,
                member_id="SMT9",
                effective_on=date(2026, 12, 1),
            ),
            today=TODAY,
            replace_existing=True,
        )
        rows = vs.worklist(s, today=TODAY)
        assert [(r.coverage_id, r.order_id) for r in rows] == [(new.id, care.order)]


def test_problem_rows_sort_first(store: Store, actor: Actor, care: Care) -> None:
    with store.session() as s:
        _, cov, order = second_patient(s, actor, care.summit, date(2027, 2, 1))
        verify(
            s,
            actor,
            cov,
            order,
            {"plan_active": "no"},
            status=Status.PROBLEM,
            problem="Plan terminated",
        )
    with store.session() as s:
        rows = vs.worklist(s, today=TODAY)
        assert [r.coverage_id for r in rows] == [cov, care.coverage]
        assert rows[0].latest_status == Status.PROBLEM
        # 3 business days before Monday 02/01/2027: Fri 29, Thu 28, Wed 27 (was 01/29)
        assert rows[0].due.due_on == date(2027, 1, 27) > rows[1].due.due_on  # later, yet first
        assert rows[0].verified_on is None


def test_patient_without_orders_has_one_row(store: Store, actor: Actor, care: Care) -> None:
    with store.session() as s:
        patient = new_patient(s, actor, "T0009", "Nia", "Ortiz")
        cov = add_plan(s, actor, patient, care.summit)
        (row,) = vs.worklist(s, today=TODAY, patient_id=patient)
        assert (row.order_id, row.order_label, row.next_visit) == (None, "(no therapy order)", None)
        assert row.due.due_on == TODAY
        verify(s, actor, cov.id, None, on=TODAY)
        (row,) = vs.worklist(s, today=TODAY, patient_id=patient)
        assert (row.verified_on, row.due.due_on) == (TODAY, date(2027, 1, 1))
        # the order's own verification is separate from the coverage-only one
        (care_row,) = vs.worklist(s, today=TODAY, patient_id=care.patient)
        assert care_row.verified_on is None


def test_payer_notes_in_effect_by_the_next_visit(store: Store, actor: Actor, care: Care) -> None:
    with store.session() as s:
        old = pys.add_note(s, actor, care.lakeshore, date(2026, 7, 1), "Old rule")
        soon = pys.add_note(s, actor, care.lakeshore, date(2026, 12, 1), "Site-of-care rule")
        pys.add_note(s, actor, care.lakeshore, date(2027, 3, 1), "Later rule")
        pys.add_note(s, actor, care.summit, date(2026, 1, 1), "Another payer")
        with_order = vs.start_verification(s, actor, care.coverage, care.order)
        without = vs.start_verification(s, actor, care.coverage, None)
        notes = vs.payer_notes_for(s, with_order.id, today=TODAY)
        assert [n.id for n in notes] == [soon.id, old.id]
        assert [n.id for n in vs.payer_notes_for(s, without.id, today=TODAY)] == [old.id]
        # after the last visit: notes in effect today
        late = vs.payer_notes_for(s, with_order.id, today=date(2027, 12, 1))
        assert len(late) == 3


# --- the demo database -----------------------------------------------------------------------


@pytest.fixture
def demo(store: Store, actor: Actor) -> Store:
    with store.session() as s:
        assert seed_demo(s, actor, today=TODAY) > 6
    return store


def _pid(s: Session, mrn: str) -> int:
    return ps.get_by_mrn(s, mrn).id


def test_demo_showcase_care(demo: Store, actor: Actor) -> None:
    with demo.session() as s:
        assert seed_demo(s, actor, today=TODAY) == 0  # already there
        covs = {
            mrn: cs.list_coverages(s, _pid(s, mrn))
            for mrn in ("D0001", "D0002", "D0003", "D0004", "D0005", "D0006")
        }
        assert {m: len(c) for m, c in covs.items()} == {
            "D0001": 1,
            "D0002": 2,
            "D0003": 1,
            "D0004": 1,
            "D0005": 0,
            "D0006": 2,
        }
        primary, gap = covs["D0002"]
        assert (primary.data.rank, primary.data.plan_type, primary.data.member_id) == (
            1,
            PlanType.MEDICARE_PART_B,
            "1EG4TE5MK73",
        )
        assert primary.payer_name == "Medicare (Original, Part B)"
        assert (gap.data.rank, gap.data.plan_type, gap.data.medigap_plan) == (
            2,
            PlanType.MEDIGAP,
            "G",
        )
        orders = {m: ors.list_orders(s, _pid(s, m)) for m in covs}
        assert {m: len(o) for m, o in orders.items()} == {m: 1 for m in covs}
        assert [(ln.code, ln.modifier, ln.units) for ln in orders["D0005"][0].lines] == [
            ("J1439", "JZ", 750),
            ("96365", "", 1),
        ]
        assert vs.worklist(s, today=TODAY, patient_id=_pid(s, "D0005")) == []

        latest = {m: vs.list_for_patient(s, _pid(s, m)) for m in covs}
        assert [v.status for v, _, _ in latest["D0002"]] == [Status.VERIFIED, Status.VERIFIED]
        assert latest["D0003"][0][0].status == Status.IN_PROGRESS
        problem, label, order_label = latest["D0004"][0]
        assert problem.status == Status.PROBLEM
        assert problem.problem.startswith("Site-of-care")
        assert label == "Primary: Summit HDHP"
        assert order_label == "ocrelizumab (Ocrevus) 600 mg every 182 days"
        notes = vs.payer_notes_for(s, problem.id, today=TODAY)
        assert len(notes) == 1 and notes[0].text.startswith("Site-of-care policy")
        assert latest["D0005"] == []

        d1 = covs["D0001"][0]
        assert d1.terms is not None
        assert d1.terms.source == f"verification #{latest['D0001'][0][0].id}"
        assert d1.terms.as_of == date(2026, 10, 20)

        rows = vs.worklist(s, today=TODAY)
        assert rows[0].mrn == "D0004" and rows[0].latest_status == Status.PROBLEM
        showcase = {r.mrn for r in rows if r.mrn.startswith("D")}  # (and the demo morning's)
        assert showcase == {"D0001", "D0002", "D0003", "D0004", "D0006"}


def test_demo_export_of_d0006(demo: Store) -> None:
    with demo.session() as s:
        record = export.patient_record(s, "D0006")
    json.dumps(record)  # JSON-ready throughout
    assert record["patient"]["mrn"] == "D0006"
    covs = {c["rank"]: c for c in record["coverages"]}
    assert len(record["coverages"]) == 2 and set(covs) == {1, 2}
    assert covs[1]["payer"] == "Northwind Benefits"
    assert covs[1]["subscriber_relationship"] == "self"
    assert covs[2]["payer"] == "Harbor Health Plans"
    assert covs[2]["subscriber_relationship"] == "spouse"
    assert covs[2]["subscriber_name"] == "Andrii Kovalenko"
    assert covs[2]["effective_on"] == "2025-06-01"
    assert [t["source"] for t in covs[2]["benefit_terms_history"]] == ["manual"]
    assert covs[2]["benefit_terms_history"][0]["deductible"] == "500.00"
    assert covs[1]["benefit_terms_history"][-1]["source"].startswith("verification #")
    (order,) = record["therapy_orders"]
    assert order["drug_hcpcs"] == "J3262"
    assert [
        (ln["code"], ln["modifier"], ln["units"], ln["kind"]) for ln in order["billing_lines"]
    ] == [("J3262", "JZ", 480, "drug"), ("96365", "", 1, "admin")]
    assert len(order["planned_visits"]) == 13
    (ver,) = record["verifications"]
    assert ver["status"] == "verified"
    assert ver["completed_on"] == "2026-11-25"
    assert ver["coverage"] == "Primary: Northwind Choice"
    assert ver["answers"]["call_reference"] == "NWB-55102"
    assert ver["therapy_order"].startswith("tocilizumab (Actemra) 8 mg/kg")
    actions = [h["action"] for h in record["history"]]
    assert actions.count("create") >= 4 and "verification:verified" in actions


# --- issue 13: a cancelled checklist leaves nothing; a new one starts from the terms ------


def test_discarding_an_untouched_checklist_shows_the_last_verified_again(
    store: Store, actor: Actor, care: Care
) -> None:
    with store.session() as s:
        done = verify(s, actor, care.coverage, care.order)
        fresh = vs.start_verification(s, actor, care.coverage, care.order)
        (row,) = vs.worklist(s, today=TODAY, patient_id=care.patient)
        assert row.latest_status == Status.NOT_STARTED  # what hid the verified one
    with store.session() as s:
        assert vs.discard_untouched(s, actor, fresh.id, expected_version=fresh.version)
    with store.session() as s:
        (row,) = vs.worklist(s, today=TODAY, patient_id=care.patient)
        assert (row.latest_id, row.latest_status, row.verified_on) == (
            done.id,
            Status.VERIFIED,
            VERIFIED_ON,
        )
        with pytest.raises(NotFound):
            vs.get_verification(s, fresh.id)
        discarded = s.scalars(
            select(AuditEvent.entity_id).where(
                AuditEvent.entity == "verification", AuditEvent.action == "discard"
            )
        ).all()
        assert discarded == [fresh.id]
        # a saved draft, a completed one, or a stale version is never discarded
        draft = vs.start_verification(s, actor, care.coverage, care.order)
        saved = vs.save_verification(
            s,
            actor,
            draft.id,
            {"call_with": "Dana"},
            status=Status.IN_PROGRESS,
            expected_version=draft.version,
            today=TODAY,
        )
        assert not vs.discard_untouched(s, actor, draft.id, expected_version=draft.version)
        assert not vs.discard_untouched(s, actor, saved.id, expected_version=saved.version)
        assert not vs.discard_untouched(s, actor, done.id, expected_version=done.version)
        assert not vs.discard_untouched(s, actor, 9999, expected_version=1)
        assert vs.get_verification(s, saved.id).answers["call_with"] == "Dana"


def test_a_new_checklist_starts_from_the_coverage_terms(
    store: Store, actor: Actor, care: Care
) -> None:
    family = Terms(
        deductible=D("1500"),
        deductible_met=D("1500"),
        coinsurance=D("0.125"),
        copay=D("40"),
        copay_applies="per_visit",
        copay_after_deductible=True,
        family_deductible=D("3000"),
        family_deductible_met=D("2200"),
        family_embedded=False,
        deductible_applies=False,
    )
    with store.session() as s:
        cs.record_terms(s, actor, care.coverage, family, as_of=date(2026, 11, 2), source="manual")
        rec = vs.start_verification(s, actor, care.coverage, care.order)
        prefill = vs.coverage_prefill(s, rec.id)
    assert prefill is not None and prefill.as_of == date(2026, 11, 2)
    assert prefill.answers == {
        "deductible": "1,500.00",
        "deductible_met": "1,500.00",
        "deductible_applies": "no",
        "coinsurance": "12.5",
        "copay": "40.00",
        "copay_applies": "after_deductible",
        "family_deductible": "3,000.00",
        "family_deductible_met": "2,200.00",
        "family_embedded": "no",
    }
    assert {k: rec.answers[k] for k in prefill.answers} == prefill.answers
    # the answers read back as the same terms (what a verified save would record)
    values, errors = vs.parse_answers(rec.checklist, rec.answers)
    assert errors == {}
    back = vs.terms_from_answers(values)
    assert (back.deductible, back.coinsurance, back.copay, back.family_embedded) == (
        D("1500"),
        D("0.125"),
        D("40"),
        False,
    )
    assert back.copay_after_deductible and not back.deductible_applies
    # a coverage without terms starts with the plan's dates only
    with store.session() as s:
        _, bare, _ = second_patient(s, actor, care.summit, date(2027, 1, 5))
        s.execute(delete(BenefitTerms).where(BenefitTerms.coverage_id == bare))
        fresh = vs.start_verification(s, actor, bare, None)
        assert vs.coverage_prefill(s, fresh.id) is None
        assert "coinsurance" not in fresh.answers and "deductible" not in fresh.answers
