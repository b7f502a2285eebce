"""Demo coverages, therapy orders and verifications of the showcase patients (all fictional)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from sqlalchemy.orm import Session

from infudesk.domain import prior_auth as pa
from infudesk.domain.assistance import sliding_scale
from infudesk.domain.coverage import CoverageData, PlanType, Terms
from infudesk.domain.orders import OrderData
from infudesk.domain.verification import Status
from infudesk.resources import resource
from infudesk.services import assistance as asv
from infudesk.services import coverages as cs
from infudesk.services import fees as fsv
from infudesk.services import orders as ors
from infudesk.services import patients as ps
from infudesk.services import payers as pys
from infudesk.services import prior_auths as pas
from infudesk.services import quotes as qs
from infudesk.services import settings
from infudesk.services import verifications as vs
from infudesk.services.audit import Actor

DEMO_CENTER = {  # a fictional center for the demo's letterhead
    "center.name": "Lakeside Infusion Center",
    "center.address": "1200 N Lakeshore Dr, Suite 300\nChicago, IL 60611",
    "center.phone": "3125550100",
    "center.fax": "3125550199",
    "center.npi": "1851234561",
    "center.tin": "36-1234567",
    "center.state": "IL",
    "center.contact_name": "Ana Ruiz, financial counselor",
    "center.contact_phone": "3125550142",
    "center.contact_hours": "Monday to Friday, 8 am to 5 pm",
    "center.contact_hours_es": "de lunes a viernes, de 8 de la mañana a 5 de la tarde",
}


def _payer(session: Session, name: str) -> int:
    return pys.payer_by_name(session, name).id


def _call(who: str, ref: str, at: str) -> dict[str, str]:
    return {"call_with": who, "call_reference": ref, "call_at": at}


def _verify(
    session: Session,
    actor: Actor,
    cov: cs.CoverageRecord,
    order: ors.OrderRecord | None,
    answers: dict[str, str],
    *,
    status: Status,
    on: date,
    problem: str = "",
) -> None:
    rec = vs.start_verification(session, actor, cov.id, order.id if order else None)
    typed = {**rec.answers, **answers}
    vs.save_verification(
        session,
        actor,
        rec.id,
        typed,
        status=status,
        problem=problem,
        expected_version=rec.version,
        today=on,
    )


def seed_demo_care(session: Session, actor: Actor, *, today: date) -> None:
    """Give the showcase patients their plans, orders and checklists."""
    pys.load_starter_payers(session, actor, resource("payers.json"))
    for key, value in DEMO_CENTER.items():
        settings.put(session, actor, key, value)
    pid = {
        mrn: ps.get_by_mrn(session, mrn).id
        for mrn in ("D0001", "D0002", "D0003", "D0004", "D0005", "D0006")
    }

    # D0001 — commercial PPO, infliximab every 8 weeks, verified in October
    c1 = cs.add_coverage(
        session,
        actor,
        pid["D0001"],
        CoverageData(
            payer_id=_payer(session, "Lakeshore Health"),
            plan_name="Lakeshore Health PPO",
            plan_type=PlanType.COMMERCIAL,
            member_id="LKH482913307",
            group_number="G-20418",
            effective_on=date(2026, 1, 1),
        ),
        today=date(2026, 1, 5),
        terms=Terms(
            deductible=D("2000"),
            deductible_met=D("500"),
            oop_max=D("6500"),
            oop_met=D("900"),
            coinsurance=D("0.20"),
        ),
    )
    o1 = ors.create_order(
        session,
        actor,
        pid["D0001"],
        OrderData(
            drug_name="infliximab (Remicade)",
            drug_hcpcs="J1745",
            dose=D("5"),
            dose_per_kg=True,
            weight_kg=D("72"),
            route="iv",
            minutes=120,
            every_days=56,
            visit_count=7,
            start_on=date(2026, 1, 20),
            diagnosis="K50.90",
            provider_name="Priya Raman",
            provider_npi="1647382914",
            site_of_care="infusion_center",
        ),
        today=date(2026, 1, 5),
    )
    _verify(
        session,
        actor,
        c1,
        o1,
        {
            "plan_active": "yes",
            "in_network": "in",
            "place_of_service": "11",
            "deductible": "2000",
            "deductible_met": "500",
            "oop_max": "6500",
            "oop_met": "900",
            "coinsurance": "20",
            "copay_applies": "none",
            "pa_required": "yes",
            "pa_codes": "J1745, 96365, 96366",
            "benefit_type": "medical",
            "acquisition": "buy_and_bill",
            **_call("Dana at Lakeshore provider services", "LKH-1020-55812", "10/20/2026 10:15 AM"),
        },
        status=Status.VERIFIED,
        on=date(2026, 10, 20),
    )

    # D0002 — Medicare Part B + Medigap G, IVIG every 3 weeks, verified by phone
    c2 = cs.add_coverage(
        session,
        actor,
        pid["D0002"],
        CoverageData(
            payer_id=_payer(session, "Medicare (Original, Part B)"),
            plan_name="Medicare Part B",
            plan_type=PlanType.MEDICARE_PART_B,
            member_id="1EG4-TE5-MK73",
            effective_on=date(2016, 10, 1),
        ),
        today=date(2026, 1, 5),
        terms=Terms(deductible=D("283"), deductible_met=D("0"), coinsurance=D("0.20")),
    )
    c2b = cs.add_coverage(
        session,
        actor,
        pid["D0002"],
        CoverageData(
            payer_id=_payer(session, "Evergreen Medigap"),
            rank=2,
            plan_name="Evergreen Medigap G",
            plan_type=PlanType.MEDIGAP,
            medigap_plan="G",
            member_id="EVG5561029",
            effective_on=date(2016, 10, 1),
        ),
        today=date(2026, 1, 5),
    )
    o2 = ors.create_order(
        session,
        actor,
        pid["D0002"],
        OrderData(
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
            site_of_care="infusion_center",
        ),
        today=date(2026, 9, 1),
    )
    _verify(
        session,
        actor,
        c2,
        o2,
        {
            "plan_active": "yes",
            "in_network": "in",
            "place_of_service": "11",
            "deductible": "283",
            "deductible_met": "0",
            "oop_max": "",
            "oop_met": "0",
            "coinsurance": "20",
            "pa_required": "no",
            "benefit_type": "medical",
            "acquisition": "buy_and_bill",
            **_call(
                "Medicare provider line (IVR, agent Tom)", "MCR-20261120-0457", "11/20/2026 9:40 AM"
            ),
        },
        status=Status.VERIFIED,
        on=date(2026, 11, 20),
    )
    _verify(
        session,
        actor,
        c2b,
        o2,
        {
            "plan_active": "yes",
            "in_network": "in",
            "deductible": "0",
            "deductible_met": "0",
            "oop_max": "0",
            "oop_met": "0",
            "coinsurance": "0",
            "pa_required": "no",
            **_call("Evergreen member services", "EVG-88213", "11/20/2026 10:05 AM"),
        },
        status=Status.VERIFIED,
        on=date(2026, 11, 20),
    )

    # D0003 — child on Medicaid managed care, SC immune globulin at home; check in progress
    c3 = cs.add_coverage(
        session,
        actor,
        pid["D0003"],
        CoverageData(
            payer_id=_payer(session, "Prairie Family Medicaid"),
            plan_name="Prairie Family Medicaid",
            plan_type=PlanType.MEDICAID_MANAGED_CARE,
            member_id="PFM00912234",
            subscriber_relationship="self",
            effective_on=date(2024, 3, 1),
        ),
        today=date(2026, 10, 1),
        terms=Terms(deductible=None, coinsurance=D("0")),
    )
    o3 = ors.create_order(
        session,
        actor,
        pid["D0003"],
        OrderData(
            drug_name="immune globulin SC 20% (Hizentra)",
            drug_hcpcs="J1559",
            dose=D("200"),
            dose_per_kg=True,
            weight_kg=D("38"),
            route="sc",
            minutes=95,
            every_days=7,
            visit_count=26,
            start_on=date(2026, 12, 7),
            diagnosis="D83.9",
            provider_name="Helen Okafor",
            provider_npi="1526374859",
            site_of_care="home",
        ),
        today=date(2026, 11, 10),
    )
    rec = vs.start_verification(session, actor, c3.id, o3.id)
    vs.save_verification(
        session,
        actor,
        rec.id,
        {
            **rec.answers,
            "plan_active": "yes",
            "in_network": "in",
            "place_of_service": "12",
            "pa_required": "yes",
        },
        status=Status.IN_PROGRESS,
        expected_version=rec.version,
        today=date(2026, 11, 24),
    )

    # D0004 — HDHP, ocrelizumab at a hospital: the payer's site-of-care rule is a problem
    summit = _payer(session, "Summit Health")
    pys.add_note(
        session,
        actor,
        summit,
        date(2026, 7, 1),
        "Site-of-care policy: ocrelizumab, infliximab and IVIG must be given at a "
        "non-hospital site (office, infusion center or home) unless medically necessary.",
    )
    c4 = cs.add_coverage(
        session,
        actor,
        pid["D0004"],
        CoverageData(
            payer_id=summit,
            plan_name="Summit HDHP",
            plan_type=PlanType.COMMERCIAL,
            member_id="SMT77120456",
            group_number="HD-3301",
            effective_on=date(2026, 1, 1),
        ),
        today=date(2026, 1, 2),
        terms=Terms(
            deductible=D("3500"),
            deductible_met=D("0"),
            oop_max=D("7000"),
            oop_met=D("0"),
            coinsurance=D("0.10"),
        ),
    )
    o4 = ors.create_order(
        session,
        actor,
        pid["D0004"],
        OrderData(
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
        ),
        today=date(2026, 10, 1),
    )
    _verify(
        session,
        actor,
        c4,
        o4,
        {
            "plan_active": "yes",
            "in_network": "in",
            "place_of_service": "22",
            "site_of_care_policy": "Hospital outpatient not covered for ocrelizumab since 07/01/2026",
            "deductible": "3500",
            "deductible_met": "0",
            "oop_max": "7000",
            "oop_met": "0",
            "coinsurance": "10",
            "pa_required": "yes",
            "pa_codes": "J2350",
            **_call("Rita, Summit utilization management", "SMT-1019-2231", "10/19/2026 2:20 PM"),
        },
        status=Status.PROBLEM,
        on=date(2026, 10, 19),
        problem="Site-of-care: the plan requires a non-hospital site. Move the infusions to the "
        "center or appeal the denial (prior auth denied 10/20/2026).",
    )

    # D0005 — uninsured: an order, no coverage (self-pay)
    ors.create_order(
        session,
        actor,
        pid["D0005"],
        OrderData(
            drug_name="ferric carboxymaltose (Injectafer)",
            drug_hcpcs="J1439",
            dose=D("750"),
            route="iv",
            minutes=20,
            every_days=7,
            visit_count=2,
            start_on=date(2026, 12, 3),
            diagnosis="D50.9",
            provider_name="Priya Raman",
            provider_npi="1647382914",
            site_of_care="infusion_center",
        ),
        today=date(2026, 11, 20),
    )

    # D0006 — employer plan primary, spouse's plan secondary (secondary not verified yet)
    c6 = cs.add_coverage(
        session,
        actor,
        pid["D0006"],
        CoverageData(
            payer_id=_payer(session, "Northwind Benefits"),
            plan_name="Northwind Choice",
            plan_type=PlanType.EMPLOYER_SELF_FUNDED,
            member_id="NWB300114",
            group_number="NW-1180",
            effective_on=date(2025, 1, 1),
        ),
        today=date(2026, 1, 5),
        terms=Terms(
            deductible=D("1000"),
            deductible_met=D("1000"),
            oop_max=D("4000"),
            oop_met=D("1100"),
            coinsurance=D("0.20"),
        ),
    )
    cs.add_coverage(
        session,
        actor,
        pid["D0006"],
        CoverageData(
            payer_id=_payer(session, "Harbor Health Plans"),
            rank=2,
            plan_name="Harbor Select",
            plan_type=PlanType.COMMERCIAL,
            member_id="HHP9081726",
            subscriber_relationship="spouse",
            subscriber_name="Andrii Kovalenko",
            effective_on=date(2025, 6, 1),
        ),
        today=date(2026, 11, 26),
        terms=Terms(deductible=D("500"), deductible_met=D("0"), coinsurance=D("0.10")),
    )
    o6 = ors.create_order(
        session,
        actor,
        pid["D0006"],
        OrderData(
            drug_name="tocilizumab (Actemra)",
            drug_hcpcs="J3262",
            dose=D("8"),
            dose_per_kg=True,
            weight_kg=D("60"),
            route="iv",
            minutes=60,
            every_days=28,
            visit_count=13,
            start_on=date(2026, 2, 3),
            diagnosis="M05.79",
            provider_name="Elena Marsh",
            provider_npi="1334455668",
            site_of_care="infusion_center",
        ),
        today=date(2026, 1, 20),
    )
    _verify(
        session,
        actor,
        c6,
        o6,
        {
            "plan_active": "yes",
            "in_network": "in",
            "place_of_service": "11",
            "deductible": "1000",
            "deductible_met": "1000",
            "oop_max": "4000",
            "oop_met": "1100",
            "coinsurance": "20",
            "pa_required": "yes",
            "pa_codes": "J3262",
            **_call("Northwind TPA, agent Lee", "NWB-55102", "11/25/2026 11:00 AM"),
        },
        status=Status.VERIFIED,
        on=date(2026, 11, 25),
    )
    _seed_assistance_and_quotes(session, actor, pid)
    _seed_prior_auths(session, actor, pid)
    del today  # the demo's dates are fixed so the story reads the same every time


def _seed_assistance_and_quotes(session: Session, actor: Actor, pid: dict[str, int]) -> None:
    """Fee schedule, the showcase patients' assistance, and a saved quote for each."""
    fsv.ensure_sample(session, actor, resource("fee_schedule.csv"))
    asv.add_program(
        session,
        actor,
        pid["D0001"],
        asv.ProgramData(
            kind="copay_card",
            name="Infliximab copay program",
            annual_max=D("20000"),
            used=D("0"),
            counts_toward_accumulators=True,
        ),
    )
    asv.add_program(
        session,
        actor,
        pid["D0004"],
        asv.ProgramData(
            kind="foundation_grant",
            name="MS Access Fund grant",
            balance=D("4000"),
            expires=date(2026, 12, 31),
        ),
    )
    scale = sliding_scale(D("41000"), 3, 2026)
    asv.add_program(
        session,
        actor,
        pid["D0005"],
        asv.ProgramData(
            kind="discount",
            name="Sliding-scale discount",
            percent=scale.discount,
            notes=scale.explanation,
        ),
    )
    starts = {
        "D0001": date(2026, 1, 20),
        "D0002": date(2026, 12, 1),
        "D0003": date(2026, 12, 7),
        "D0004": date(2026, 12, 15),
        "D0005": date(2026, 12, 3),
        "D0006": date(2026, 12, 8),
    }
    for mrn, start in starts.items():
        setup = qs.prepare(session, pid[mrn], today=date(2026, 11, 27), from_date=start)
        qs.save_quote(session, actor, setup, title="Course estimate")


_FAKE_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>"
    b"endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _seed_prior_auths(session: Session, actor: Actor, pid: dict[str, int]) -> None:
    """D0001 approved with units used; D0003 pending with a follow-up; D0004 denied, appeal due."""

    def case_for(mrn: str, *, urgent: bool = False) -> pas.CaseRecord:
        cov = cs.list_coverages(session, pid[mrn])[0]
        order = ors.list_orders(session, pid[mrn])[0]
        return pas.create_case(
            session, actor, pid[mrn], coverage_id=cov.id, order_id=order.id, urgent=urgent
        )

    def step(
        case: pas.CaseRecord, action: pa.Action, on: date, note: str = "", **details: object
    ) -> pas.CaseRecord:
        return pas.act(
            session,
            actor,
            case.id,
            action,
            on=on,
            note=note,
            expected_version=case.version,
            **details,
        )

    def attach(case: pas.CaseRecord, kind: str, on: date, name: str, text: str = "") -> None:
        content = text.encode() if text else _FAKE_PDF
        pas.add_document(
            session, actor, case.id, kind=kind, doc_date=on, filename=name, content=content
        )

    c1 = case_for("D0001")
    for kind, name in (
        ("letter_of_medical_necessity", "lmn-garcia.pdf"),
        ("clinical_notes", "gi-notes.pdf"),
        ("insurance_card", "card.pdf"),
        ("signed_order", "order.pdf"),
    ):
        attach(c1, kind, date(2026, 1, 6), name)
    c1 = step(c1, pa.Action.SUBMIT, date(2026, 1, 7), "Faxed with the LMN and notes.")
    c1 = step(
        c1,
        pa.Action.APPROVE,
        date(2026, 1, 14),
        "Approved by phone, letter to follow.",
        approval=pa.Approval(
            "LKH-PA-77120",
            (
                pa.ApprovedLine("J1745", 280),
                pa.ApprovedLine("96365", 7),
                pa.ApprovedLine("96366", 7),
            ),
            7,
            date(2026, 1, 15),
            date(2026, 12, 31),
            "infusion_center",
        ),
    )
    order1 = ors.list_orders(session, pid["D0001"])[0]
    for visit in [v for v in order1.visits if v.on < date(2026, 11, 27)]:
        c1 = pas.record_visit(session, actor, c1.id, on=visit.on, planned_visit_id=visit.id)

    c3 = case_for("D0003")
    for kind, name in (
        ("letter_of_medical_necessity", "lmn-obrien.pdf"),
        ("clinical_notes", "immunology.pdf"),
        ("insurance_card", "medicaid-card.pdf"),
        ("signed_order", "order.pdf"),
    ):
        attach(c3, kind, date(2026, 11, 12), name)
    c3 = step(c3, pa.Action.SUBMIT, date(2026, 11, 13), "Submitted through the Prairie portal.")
    step(
        c3,
        pa.Action.PEND,
        date(2026, 11, 18),
        "Payer asked for recent IgG levels and infection history.",
        follow_up=date(2026, 11, 25),
    )

    c4 = case_for("D0004")
    for kind, name in (
        ("letter_of_medical_necessity", "lmn-wang.pdf"),
        ("clinical_notes", "neuro-notes.pdf"),
        ("insurance_card", "card.pdf"),
        ("signed_order", "order.pdf"),
        ("lab_results", "mri-report.pdf"),
    ):
        attach(c4, kind, date(2026, 10, 2), name)
    c4 = step(c4, pa.Action.SUBMIT, date(2026, 10, 5), "Requested for the hospital infusion suite.")
    c4 = step(
        c4,
        pa.Action.DENY,
        date(2026, 10, 20),
        "Denial letter received.",
        reason="Site-of-care policy: ocrelizumab must be given at a non-hospital site.",
    )
    attach(
        c4,
        "payer_letter",
        date(2026, 10, 20),
        "denial-letter.txt",
        "Summit Health — notice of denial, 10/20/2026: site of care not covered (policy SOC-7).",
    )
