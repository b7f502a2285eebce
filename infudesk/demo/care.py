"""Demo coverages, therapy orders and verifications of the showcase patients (all fictional).

Every date is worked out from ``today``, the day the demo is seeded, so each showcase patient
shows the situation of shared/demo-patients.md whatever the day (see :class:`DemoDates`).
Seeded on 2026-11-27 (the tests' day) the dates are those the story was first written with.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal as D

from sqlalchemy import select
from sqlalchemy.orm import Session

from infudesk.domain import business_days as bd
from infudesk.domain import prior_auth as pa
from infudesk.domain.assistance import GUIDELINES, sliding_scale
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
from infudesk.store.models import PlannedVisit, SavedQuote

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
    "center.contact_name_es": "Ana Ruiz, asesora financiera",
    "center.contact_hours_es": "de lunes a viernes, de 8 de la mañana a 5 de la tarde",
}
SHOWCASE_MRNS = ("D0001", "D0002", "D0003", "D0004", "D0005", "D0006")


def plan_year_start(d: date) -> date:
    """1 January of ``d``'s year: every demo plan has a calendar plan year."""
    return date(d.year, 1, 1)


@dataclass(frozen=True)
class DemoDates:
    """The showcase's dates for a seed day ``today``: each one has a fixed offset from today
    (or from the next visit) chosen so the situation holds on any day of the year, and so that
    seeding on 2026-11-27 gives the dates the story was written with (in brackets below).

    Rules chosen where the story is silent:

    - Visits fall on business days: a next visit that would fall on a weekend or a federal
      holiday moves to the next business day.
    - A "verified recently" verification is never dated before 1 January of the seed day's
      year (every demo plan year starts on 1 January): one dated in the previous plan year
      would be due again on the seed day. Seeded on 1 January it is dated that day.
    - The accumulators of the story ("$500 of the deductible met") are this plan year's as of
      the seed day, whatever the day — even on 1 January, when no visit of the new plan year
      has happened yet; the demo shows the figures, not a history that produced them.
    """

    today: date

    # D0001: 7 approved visits every 8 weeks, 6 given, the 7th in the coming weeks [12/22]
    @property
    def d1_next(self) -> date:
        return bd.next_business_day(self.today + timedelta(days=25))

    @property
    def d1_first(self) -> date:  # [2026-01-20]
        return self.d1_next - timedelta(days=6 * 56)

    @property
    def d1_approval(self) -> tuple[date, date]:  # [2026-01-15, 2026-12-31]: ends 34-36 days out
        return self.d1_first - timedelta(days=5), self.d1_next + timedelta(days=9)

    @property
    def d1_verified(self) -> date:  # [2026-10-20]
        return max(self.today - timedelta(days=38), plan_year_start(self.today))

    # D0002: a new IVIG course from the next few days, Part B deductible not met [12/01]
    @property
    def d2_first(self) -> date:
        return bd.next_business_day(self.today + timedelta(days=4))

    @property
    def d2_verified(self) -> date:  # [2026-11-25]
        # a week ago, but never before the visit's re-check day (3 business days before it,
        # the default setting): the verification is current on the seed day
        recheck = bd.business_days_before(self.d2_first, 3)
        return min(
            self.today, max(self.today - timedelta(days=7), recheck, plan_year_start(self.today))
        )

    # D0003: home SCIG from [12/07]; prior auth pending, follow-up in two business days
    @property
    def d3_first(self) -> date:
        return bd.next_business_day(self.today + timedelta(days=10))

    @property
    def d3_follow_up(self) -> date:  # [12/01, a Tuesday]
        return bd.add_business_days(self.today, 2)

    # D0004: ocrelizumab at the hospital [12/15]; denied [10/20], grant until [12/31]
    @property
    def d4_next(self) -> date:
        return bd.next_business_day(self.today + timedelta(days=18))

    @property
    def d4_denied(self) -> date:
        return self.today - timedelta(days=38)

    @property
    def d4_grant_expires(self) -> date:  # after the next visit, before the one 6 months on
        return self.d4_next + timedelta(days=16)

    # D0005: two doses 7 days apart, the first 4 business days ahead [12/03, 12/10]
    @property
    def d5_first(self) -> date:
        return bd.add_business_days(self.today, 4)

    # D0006: tocilizumab every 4 weeks since [02/03], 11 given, next [12/08] then one more
    @property
    def d6_next(self) -> date:
        return bd.next_business_day(self.today + timedelta(days=11))

    @property
    def d6_first(self) -> date:
        return self.d6_next - timedelta(days=11 * 28)

    @property
    def d6_verified(self) -> date:  # [2026-11-25]
        return max(self.today - timedelta(days=2), plan_year_start(self.today))


def _payer(session: Session, name: str) -> int:
    return pys.payer_by_name(session, name).id


def _call(who: str, ref: str, at: datetime) -> dict[str, str]:
    clock = at.strftime("%I:%M %p").lstrip("0")
    return {"call_with": who, "call_reference": ref, "call_at": f"{at:%m/%d/%Y} {clock}"}


def _at(day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute))


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


def _mark_given(session: Session, order_id: int, before: date) -> None:
    """The order's visits before ``before`` took place (no prior auth records them)."""
    for row in session.scalars(
        select(PlannedVisit).where(
            PlannedVisit.order_id == order_id,
            PlannedVisit.on < before,
            PlannedVisit.status == "planned",
        )
    ):
        row.status = "given"
    session.flush()


def seed_demo_care(session: Session, actor: Actor, *, today: date) -> None:
    """Give the showcase patients their plans, orders, checklists, prior authorizations,
    assistance and a saved quote each, dated relative to ``today`` (the seed day)."""
    t = DemoDates(today)

    def ago(days: int) -> date:
        return today - timedelta(days=days)

    pys.load_starter_payers(session, actor, resource("payers.json"))
    for key, value in DEMO_CENTER.items():
        settings.put(session, actor, key, value)
    pid = {mrn: ps.get_by_mrn(session, mrn).id for mrn in SHOWCASE_MRNS}

    # D0001 — commercial PPO, infliximab every 8 weeks since about 11 months, verified recently
    registered = t.d1_first - timedelta(days=15)
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
            effective_on=plan_year_start(t.d1_first - timedelta(days=19)),
        ),
        today=registered,
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
            start_on=t.d1_first,
            diagnosis="K50.90",
            provider_name="Priya Raman",
            provider_npi="1647382914",
            site_of_care="infusion_center",
        ),
        today=registered,
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
            **_call(
                "Dana at Lakeshore provider services",
                f"LKH-{t.d1_verified:%m%d}-55812",
                _at(t.d1_verified, 10, 15),
            ),
        },
        status=Status.VERIFIED,
        on=t.d1_verified,
    )

    # D0002 — Medicare Part B + Medigap G, a new IVIG course every 3 weeks, verified by phone
    referred = ago(14)
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
        today=referred,
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
        today=referred,
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
            visit_count=13,
            start_on=t.d2_first,
            diagnosis="G61.81",
            provider_name="Marcus Feld",
            provider_npi="1192837460",
            site_of_care="infusion_center",
        ),
        today=referred,
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
            "lcd_met": "yes",
            **_call(
                "Medicare provider line (IVR, agent Tom)",
                f"MCR-{t.d2_verified:%Y%m%d}-0457",
                _at(t.d2_verified, 9, 40),
            ),
        },
        status=Status.VERIFIED,
        on=t.d2_verified,
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
            **_call("Evergreen member services", "EVG-88213", _at(t.d2_verified, 10, 5)),
        },
        status=Status.VERIFIED,
        on=t.d2_verified,
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
        today=ago(57),
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
            start_on=t.d3_first,
            diagnosis="D83.9",
            provider_name="Helen Okafor",
            provider_npi="1526374859",
            site_of_care="home",
        ),
        today=ago(17),
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
        today=ago(7),
    )

    # D0004 — HDHP, ocrelizumab at a hospital: the payer's site-of-care rule is a problem
    summit = _payer(session, "Summit Health")
    policy_from = ago(149)
    pys.add_note(
        session,
        actor,
        summit,
        policy_from,
        "Site-of-care policy: ocrelizumab, infliximab and IVIG must be given at a "
        "non-hospital site (office, infusion center or home) unless medically necessary.",
    )
    effective4 = plan_year_start(ago(60))
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
            effective_on=effective4,
        ),
        today=effective4 + timedelta(days=1),
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
            start_on=t.d4_next,
            diagnosis="G35",
            provider_name="Samuel Whitaker",
            provider_npi="1782345619",
            site_of_care="hospital_outpatient",
        ),
        today=ago(57),
    )
    checked4 = t.d4_denied - timedelta(days=1)
    _verify(
        session,
        actor,
        c4,
        o4,
        {
            "plan_active": "yes",
            "in_network": "in",
            "place_of_service": "22",
            "site_of_care_policy": f"Hospital outpatient not covered for ocrelizumab since "
            f"{policy_from:%m/%d/%Y}",
            "deductible": "3500",
            "deductible_met": "0",
            "oop_max": "7000",
            "oop_met": "0",
            "coinsurance": "10",
            "pa_required": "yes",
            "pa_codes": "J2350",
            **_call(
                "Rita, Summit utilization management",
                f"SMT-{checked4:%m%d}-2231",
                _at(checked4, 14, 20),
            ),
        },
        status=Status.PROBLEM,
        on=checked4,
        problem="Site-of-care: the plan requires a non-hospital site. Move the infusions to the "
        f"center or appeal the denial (prior auth denied {t.d4_denied:%m/%d/%Y}).",
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
            start_on=t.d5_first,
            diagnosis="D50.9",
            provider_name="Priya Raman",
            provider_npi="1647382914",
            site_of_care="infusion_center",
        ),
        today=ago(7),
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
            effective_on=date(t.d6_first.year - 1, 1, 1),
        ),
        today=t.d6_first - timedelta(days=29),
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
            effective_on=date(t.d6_first.year - 1, 6, 1),
        ),
        today=ago(1),
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
            start_on=t.d6_first,
            diagnosis="M05.79",
            provider_name="Elena Marsh",
            provider_npi="1334455668",
            site_of_care="infusion_center",
        ),
        today=t.d6_first - timedelta(days=14),
    )
    _mark_given(session, o6.id, today)
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
            **_call("Northwind TPA, agent Lee", "NWB-55102", _at(t.d6_verified, 11, 0)),
        },
        status=Status.VERIFIED,
        on=t.d6_verified,
    )
    _seed_assistance(session, actor, pid, t)
    _seed_prior_auths(session, actor, pid, t)
    _seed_quotes(session, actor, pid, today)


def _seed_assistance(session: Session, actor: Actor, pid: dict[str, int], t: DemoDates) -> None:
    """Fee schedule and the showcase patients' assistance programs."""
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
            expires=t.d4_grant_expires,
        ),
    )
    # the latest poverty guidelines known on the seed day (the explanation names their year)
    year = max((y for y in GUIDELINES if y <= t.today.year), default=min(GUIDELINES))
    scale = sliding_scale(D("41000"), 3, year)
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


def _seed_quotes(session: Session, actor: Actor, pid: dict[str, int], today: date) -> None:
    """A saved quote for each showcase patient, made on the seed day: visits from then on."""
    made = datetime.combine(today, time(12, 0), tzinfo=UTC)
    for mrn in SHOWCASE_MRNS:
        setup = qs.prepare(session, pid[mrn], today=today, from_date=today)
        saved = qs.save_quote(session, actor, setup, title="Course estimate")
        row = session.get(SavedQuote, saved.summary.id)
        assert row is not None
        if row.created_at.date() != today:  # seeded "on" another day than the clock's
            row.created_at = made
    session.flush()


def demo_pdf(*lines: str) -> bytes:
    """A small one-page PDF (US Letter) that says it is a fictional demo document: the
    document viewer shows it like a real scan. Written by hand (Helvetica, no fonts to embed)
    so that seeding the demo does not need the letters' PDF machinery."""

    def esc(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    body = ["DEMO - fictional document, no real patient", *lines]
    ops = ["BT", "/F1 14 Tf", "72 720 Td", "18 TL"]
    ops += [f"({esc(line)}) Tj T*" for line in body]
    ops.append("ET")
    stream = "\n".join(ops).encode("latin-1", errors="replace")
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Resources<</Font<</F1 4 0 R>>>>"
        b"/Contents 5 0 R>>",
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica/Encoding/WinAnsiEncoding>>",
        b"<</Length %d>>stream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _seed_prior_auths(session: Session, actor: Actor, pid: dict[str, int], t: DemoDates) -> None:
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
        what = pa.DOCUMENT_LABELS[pa.DocumentKind(kind)]
        content = text.encode() if text else demo_pdf(f"{what}: {name}", f"Dated {on:%m/%d/%Y}")
        pas.add_document(
            session, actor, case.id, kind=kind, doc_date=on, filename=name, content=content
        )

    today = t.today
    first1 = t.d1_first
    start1, end1 = t.d1_approval
    c1 = case_for("D0001")
    for kind, name in (
        ("letter_of_medical_necessity", "lmn-garcia.pdf"),
        ("clinical_notes", "gi-notes.pdf"),
        ("insurance_card", "card.pdf"),
        ("signed_order", "order.pdf"),
    ):
        attach(c1, kind, first1 - timedelta(days=14), name)
    c1 = step(c1, pa.Action.SUBMIT, first1 - timedelta(days=13), "Faxed with the LMN and notes.")
    c1 = step(
        c1,
        pa.Action.APPROVE,
        first1 - timedelta(days=6),
        "Approved by phone, letter to follow.",
        approval=pa.Approval(
            "LKH-PA-77120",
            (
                pa.ApprovedLine("J1745", 280),
                pa.ApprovedLine("96365", 7),
                pa.ApprovedLine("96366", 7),
            ),
            7,
            start1,
            end1,
            "infusion_center",
        ),
    )
    order1 = ors.list_orders(session, pid["D0001"])[0]
    for visit in [v for v in order1.visits if v.on < today]:
        c1 = pas.record_visit(session, actor, c1.id, on=visit.on, planned_visit_id=visit.id)

    c3 = case_for("D0003")
    for kind, name in (
        ("letter_of_medical_necessity", "lmn-obrien.pdf"),
        ("clinical_notes", "immunology.pdf"),
        ("insurance_card", "medicaid-card.pdf"),
        ("signed_order", "order.pdf"),
    ):
        attach(c3, kind, today - timedelta(days=6), name)
    c3 = step(
        c3, pa.Action.SUBMIT, today - timedelta(days=5), "Submitted through the Prairie portal."
    )
    step(
        c3,
        pa.Action.PEND,
        today - timedelta(days=3),
        "Payer asked for recent IgG levels and infection history.",
        follow_up=t.d3_follow_up,
    )

    denied = t.d4_denied
    c4 = case_for("D0004")
    for kind, name in (
        ("letter_of_medical_necessity", "lmn-wang.pdf"),
        ("clinical_notes", "neuro-notes.pdf"),
        ("insurance_card", "card.pdf"),
        ("signed_order", "order.pdf"),
        ("lab_results", "mri-report.pdf"),
    ):
        attach(c4, kind, denied - timedelta(days=18), name)
    c4 = step(
        c4,
        pa.Action.SUBMIT,
        denied - timedelta(days=15),
        "Requested for the hospital infusion suite.",
    )
    c4 = step(
        c4,
        pa.Action.DENY,
        denied,
        "Denial letter received.",
        reason="Site-of-care policy: ocrelizumab must be given at a non-hospital site.",
    )
    attach(
        c4,
        "payer_letter",
        denied,
        "denial-letter.txt",
        f"Summit Health — notice of denial, {denied:%m/%d/%Y}: site of care not covered "
        "(policy SOC-7).",
    )
