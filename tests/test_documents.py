"""PDF documents read back with pypdf: every required element present, names in every script,
page furniture on every page; the font-run splitter's property."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs
from pypdf import PdfReader

from infudesk.documents import (
    appeal,
    build,
    cost_letter,
    gfe,
    pa_packet,
    styles,
    verification_summary,
)
from infudesk.documents import text as wording
from infudesk.documents.data import (
    AppealData,
    AssistanceApplied,
    Benefit,
    CodeLine,
    Contact,
    CostLetterData,
    CoverageLine,
    CoverageVerification,
    Diagnosis,
    GfeAdjustment,
    GfeLine,
    GfeProvider,
    GoodFaithEstimateData,
    LabResult,
    Language,
    Letterhead,
    PaPacketData,
    PatientInfo,
    PlanTerms,
    PriorTherapy,
    Provider,
    VerificationSummaryData,
    VisitCost,
    letter_language,
)
from infudesk.domain import costshare as cs

# --- showcase data (demo-patients.md) --------------------------------------------------------

CENTER = Letterhead(
    name="Lakeside Infusion Center",
    address_lines=("1200 Harbor Drive, Suite 300", "Springfield, IL 62704"),
    phone="(217) 555-0140",
    fax="(217) 555-0141",
    npi="1093847562",
    tin="36-4829175",
)
MARIA = PatientInfo("María Elena García-López", date(1968, 4, 12), "D0001", "es")
NGUYEN = PatientInfo("Nguyễn Văn An", date(1951, 9, 30), "D0002", "vi")
ZOE = PatientInfo("Zoë O'Brien", date(2014, 6, 2), "D0003")
WANG = PatientInfo("王秀英", date(1979, 11, 23), "D0004", "zh")
JAMES = PatientInfo("James Carter", date(1985, 2, 17), "D0005")
OLENA = PatientInfo("Олена Коваленко", date(1990, 7, 8), "D0006", "uk")
RAMAN = Provider(
    "Priya Raman", "1647382914", "MD", "Gastroenterology", "(217) 555-0170", "(217) 555-0171"
)
WHITAKER = Provider("Samuel Whitaker", "1782345619", "MD", "Neurology", "(217) 555-0190")


def _dates(start: date, every_days: int, n: int) -> tuple[date, ...]:
    return tuple(start + timedelta(days=every_days * i) for i in range(n))


def maria_letter() -> CostLetterData:
    """D0001: Spanish; commercial PPO, infliximab every 8 weeks, copay card, PA approved."""
    primary = cs.Coverage(
        "commercial",
        deductible=D("2000"),
        deductible_met=D("500"),
        coinsurance=D("0.20"),
        oop_max=D("6500"),
        oop_met=D("900"),
    )
    quote = cs.quote(
        cs.QuoteRequest(
            _dates(date(2026, 1, 20), 56, 7),
            (
                cs.ServiceLine("J1745", 36, D("92.50")),
                cs.ServiceLine("J1745-JW", 4, D("92.50")),
                cs.ServiceLine("96365", 1, D("210.00")),
                cs.ServiceLine("96366", 1, D("58.00")),
            ),
            primary,
            assistance=(cs.CopayCard("Infliximab copay program", annual_max=D("20000")),),
        )
    )
    return CostLetterData(
        letterhead=CENTER,
        patient=MARIA,
        issued_on=date(2026, 1, 16),
        service="infusiones de infliximab (Remicade) de 360 mg por vía intravenosa",
        visits=cost_letter.visits_from_quote(quote, primary.oop_max),
        contact=Contact(
            "Ana Ruiz, consejera financiera",
            "(217) 555-0142",
            hours="de lunes a viernes, de 8 a. m. a 5 p. m.",
        ),
        coverages=(CoverageLine("Lakeshore Health", "Lakeshore Health PPO", "LKH482913307"),),
        terms=PlanTerms(D("2000"), D("500"), D("0.20"), None, D("6500"), D("900")),
        every_days=56,
        assistance=(
            AssistanceApplied(
                "El programa de copago del fabricante de infliximab",
                quote.totals.assistance_paid,
            ),
        ),
        prior_auth="approved",
        benefits_verified_on=date(2026, 1, 12),
    )


def nguyen_letter() -> CostLetterData:
    """D0002: Medicare Part B + Medigap G, IVIG every 3 weeks into 2027, no PA needed."""
    quote = cs.quote(
        cs.QuoteRequest(
            _dates(date(2026, 12, 1), 21, 17),
            (
                cs.ServiceLine("J1459", 130, D("62.13")),
                cs.ServiceLine("96365", 1, D("160.00")),
                cs.ServiceLine("96366", 3, D("40.56")),
            ),
            cs.Coverage("medicare_part_b", deductible=D("283"), coinsurance=D("0.20")),
            cs.Coverage("medigap", medigap_plan="G"),
        )
    )
    return CostLetterData(
        letterhead=CENTER,
        patient=NGUYEN,
        issued_on=date(2026, 11, 27),
        service="immune globulin (Privigen) 65 g infusions, about 4 hours each",
        visits=cost_letter.visits_from_quote(quote),
        contact=Contact(
            "Ana Ruiz, financial counselor", "(217) 555-0142", "Monday to Friday, 8 am to 5 pm"
        ),
        coverages=(
            CoverageLine("Medicare (Original, Part B)", "Medicare Part B", "1EG4-TE5-MK73"),
            CoverageLine("Evergreen Medigap", "Evergreen Medigap G", "EVG5561029"),
        ),
        terms=PlanTerms(D("283"), D("0"), D("0.20")),
        every_days=21,
        prior_auth="not_required",
        benefits_verified_on=date(2026, 11, 20),
    )


def olena_letter() -> CostLetterData:
    """D0006: employer plan + spouse's plan (standard COB); secondary not verified, PA pending."""
    primary = cs.Coverage(
        "employer_self_funded",
        deductible=D("1000"),
        deductible_met=D("1000"),
        coinsurance=D("0.20"),
        oop_max=D("4000"),
        oop_met=D("1100"),
    )
    quote = cs.quote(
        cs.QuoteRequest(
            _dates(date(2026, 12, 8), 28, 6),
            (cs.ServiceLine("J3262", 480, D("7.10")), cs.ServiceLine("96365", 1, D("195.00"))),
            primary,
            cs.Coverage("commercial", deductible=D("500"), coinsurance=D("0.10")),
        )
    )
    return CostLetterData(
        letterhead=CENTER,
        patient=OLENA,
        issued_on=date(2026, 11, 27),
        service="tocilizumab (Actemra) 480 mg infusions, about 1 hour each",
        visits=cost_letter.visits_from_quote(quote, primary.oop_max),
        contact=Contact(
            "Ana Ruiz, financial counselor", "(217) 555-0142", email="billing@lakeside.example"
        ),
        coverages=(
            CoverageLine("Northwind Benefits", "Northwind Choice", "NWB300114"),
            CoverageLine("Harbor Health Plans", "Harbor Select", "HHP9081726"),
        ),
        terms=PlanTerms(D("1000"), D("1000"), D("0.20"), None, D("4000"), D("1100")),
        every_days=28,
        prior_auth="pending",
        benefits_verified_on=date(2026, 11, 25),
        open_items=(
            "We have not yet confirmed the benefits of Harbor Select, your second insurance.",
        ),
    )


_GFE_WORDS: dict[Language, dict[str, Any]] = {
    "en": {
        "primary": "Iron infusion: ferric carboxymaltose (Injectafer) 750 mg IV, two doses 7 days apart",
        "dx": "Iron deficiency anemia, unspecified",
        "drug": "Ferric carboxymaltose (Injectafer) 750 mg, dose {n}",
        "admin": "IV infusion, first hour, dose {n}",
        "visit": "Evaluation visit before the first dose",
        "discount": "Sliding-scale discount (50%)",
        "facility": "Infusion center (facility)",
        "physician": "Physician (hematology)",
        "place": "Outpatient infusion center",
        "separate": (
            "Follow-up blood tests (CBC, ferritin, iron studies) about 4 weeks after the second "
            "dose, billed by the laboratory",
            "A phosphate level test, if symptoms of low phosphate appear",
        ),
        "contact": "Ana Ruiz, financial counselor",
    },
    "es": {
        "primary": (
            "Infusión de hierro: carboximaltosa férrica (Injectafer) 750 mg por vía intravenosa, "
            "dos dosis con 7 días de diferencia"
        ),
        "dx": "Anemia por deficiencia de hierro, no especificada",
        "drug": "Carboximaltosa férrica (Injectafer) 750 mg, dosis {n}",
        "admin": "Infusión intravenosa, primera hora, dosis {n}",
        "visit": "Consulta de evaluación antes de la primera dosis",
        "discount": "Descuento según ingresos (50%)",
        "facility": "Centro de infusión (establecimiento)",
        "physician": "Médica (hematología)",
        "place": "Centro de infusión ambulatorio",
        "separate": (
            "Análisis de sangre de control (hemograma, ferritina, hierro) unas 4 semanas después "
            "de la segunda dosis, facturados por el laboratorio",
            "Un análisis de fósforo, si aparecen síntomas de fósforo bajo",
        ),
        "contact": "Ana Ruiz, consejera financiera",
    },
}


def james_gfe(lang: Language = "en") -> GoodFaithEstimateData:
    """D0005: uninsured, two doses of ferric carboxymaltose, sliding-scale discount."""
    w = _GFE_WORDS[lang]
    doses = (date(2026, 12, 3), date(2026, 12, 10))
    lines: list[GfeLine] = []
    for n, d in enumerate(doses, 1):
        lines += [
            GfeLine(w["drug"].format(n=n), "D50.9", "J1439", "HCPCS", 750, D("1087.50"), d),
            GfeLine(w["admin"].format(n=n), "D50.9", "96365", "CPT", 1, D("180.00"), d),
        ]
    center = GfeProvider(
        name="Lakeside Infusion Center",
        kind=w["facility"],
        npi="1093847562",
        tin="36-4829175",
        address_lines=("1200 Harbor Drive, Suite 300", "Springfield, IL 62704"),
        state="Illinois (IL)",
        place=w["place"],
        lines=tuple(lines),
        adjustments=(GfeAdjustment(w["discount"], D("-1267.50")),),
        contact="(217) 555-0142",
    )
    physician = GfeProvider(
        name="Prairie Hematology Associates (Priya Raman, MD)",
        kind=w["physician"],
        npi="1647382914",
        tin="37-1928374",
        address_lines=("1200 Harbor Drive, Suite 310", "Springfield, IL 62704"),
        state="Illinois (IL)",
        place=w["place"],
        lines=(GfeLine(w["visit"], "D50.9", "99213", "CPT", 1, D("95.00"), doses[0]),),
        contact="(217) 555-0170",
    )
    return GoodFaithEstimateData(
        letterhead=CENTER,
        patient=JAMES,
        issued_on=date(2026, 11, 21),
        primary_service=w["primary"],
        diagnoses=(Diagnosis("D50.9", w["dx"]),),
        providers=(center, physician),
        service_dates=doses,
        separately_scheduled=w["separate"],
        requested_on=date(2026, 11, 20),
        patient_address_lines=("418 Maple Street", "Springfield, IL 62702"),
        patient_phone="(217) 555-0377",
        contact=Contact(w["contact"], "(217) 555-0142"),
        language=lang,
    )


def maria_pa_packet() -> PaPacketData:
    """D0001's prior-authorization request (January), with a blank left for the provider."""
    return PaPacketData(
        letterhead=CENTER,
        patient=MARIA,
        issued_on=date(2026, 1, 6),
        payer="Lakeshore Health",
        member_id="LKH482913307",
        ordering_provider=RAMAN,
        drug="infliximab (Remicade)",
        dose="5 mg/kg (360 mg at 72 kg) IV over 2 hours, every 8 weeks",
        codes=(
            CodeLine("J1745", "Injection, infliximab, excludes biosimilar, 10 mg", 36),
            CodeLine("J1745-JW", "Infliximab, amount discarded from single-dose vials", 4),
            CodeLine("96365", "IV infusion, initial, up to 1 hour", 1, "CPT"),
            CodeLine("96366", "IV infusion, each additional hour", 1, "CPT"),
        ),
        diagnoses=(Diagnosis("K50.90", "Crohn's disease, unspecified, without complications"),),
        site_of_care="Lakeside Infusion Center, freestanding infusion center (POS 11), NPI 1093847562",
        requested_from=date(2026, 1, 15),
        requested_to=date(2026, 12, 31),
        contents=(
            "This cover sheet",
            "Letter of medical necessity, signed by the ordering provider",
            "Gastroenterology notes (last 6 months)",
            "Colonoscopy report, November 18, 2025",
            "TB and hepatitis B screening results",
            "Copy of the insurance card",
            "Signed treatment order",
        ),
        payer_fax="(800) 555-0199",
        payer_portal="provider.lakeshorehealth.example/prior-auth",
        payer_phone="(800) 555-0198",
        plan="Lakeshore Health PPO",
        group_number="G-20418",
        visits=7,
        contact=Contact("Marcus Bell, prior authorization coordinator", "(217) 555-0143"),
        clinical_summary=(
            "Ileocolonic Crohn's disease diagnosed in 2019. Active disease despite adalimumab: "
            "6 to 8 loose stools a day, abdominal pain and a 5 kg weight loss since September "
            "2025; colonoscopy on November 18, 2025 showed deep ulcers of the terminal ileum "
            "and right colon (SES-CD 16)."
        ),
        prior_therapies=(
            PriorTherapy("mesalamine 4.8 g daily", "2019 – 2020", "No response"),
            PriorTherapy(
                "prednisone 40 mg, tapered", "2020, 2022", "Steroid-dependent: flared on each taper"
            ),
            PriorTherapy(
                "adalimumab 40 mg every 2 weeks, then weekly",
                "03/2023 – 09/2025",
                "Secondary loss of response despite dose escalation",
            ),
        ),
        labs=(
            LabResult("Fecal calprotectin", "1,240 µg/g", date(2025, 11, 4)),
            LabResult("C-reactive protein", "38 mg/L", date(2025, 11, 4)),
            LabResult("QuantiFERON-TB Gold", "Negative", date(2025, 12, 2)),
            LabResult(
                "Hepatitis B surface antigen / core antibody",
                "Negative / negative",
                date(2025, 12, 2),
            ),
        ),
    )


def wang_appeal() -> AppealData:
    """D0004: ocrelizumab at a hospital outpatient department denied under site-of-care policy."""
    return AppealData(
        letterhead=CENTER,
        patient=WANG,
        issued_on=date(2026, 11, 27),
        payer="Summit Health",
        member_id="SMT77120456",
        reference="SMT-PA-20261005-118",
        service="ocrelizumab (Ocrevus) 600 mg IV every 6 months at the hospital infusion suite",
        denial_date=date(2026, 10, 20),
        denial_reason="Site-of-care policy: ocrelizumab must be given at a non-hospital site.",
        appeal_days=180,
        rationale=(
            "Ms. Wang has relapsing multiple sclerosis (G35) with two relapses in 2025 and new "
            "gadolinium-enhancing lesions on her MRI of August 2026. Ocrelizumab is the "
            "appropriate therapy and its coverage is not in question.",
            "During her first ocrelizumab infusion, on June 2, 2026, she had a grade 3 "
            "infusion-related reaction (hypotension to 78/40 mmHg and bronchospasm) that needed "
            "epinephrine and four hours of observation. Her next infusions need the monitoring "
            "and rapid response of a hospital setting, which the policy allows when medically "
            "necessary.",
            "Moving her infusions to a non-hospital site would expose her to a foreseeable "
            "risk without the emergency resources it calls for.",
        ),
        enclosures=(
            "Notice of denial dated October 20, 2026",
            "Letter of medical necessity from Samuel Whitaker, MD",
            "Neurology notes and MRI report, August 2026",
            "Record of the infusion reaction of June 2, 2026",
        ),
        signer=WHITAKER,
        codes=(
            CodeLine("J2350", "Injection, ocrelizumab, 1 mg", 600),
            CodeLine("96413", "Chemotherapy administration, IV infusion, first hour", 1, "CPT"),
            CodeLine("96415", "Each additional hour", 2, "CPT"),
        ),
        diagnoses=(Diagnosis("G35", "Multiple sclerosis"),),
        plan="Summit HDHP",
        group_number="HD-3301",
        payer_address_lines=("Appeals Department", "PO Box 4410", "Denver, CO 80217"),
        payer_fax="(800) 555-0177",
    )


def nguyen_verification() -> VerificationSummaryData:
    """D0002: Medicare Part B and Medigap G, both verified by phone."""
    return VerificationSummaryData(
        letterhead=CENTER,
        patient=NGUYEN,
        issued_on=date(2026, 11, 27),
        order="immune globulin IV 10% (Privigen, J1459) 65 g every 3 weeks",
        coverages=(
            CoverageVerification(
                role="Primary",
                payer="Medicare (Original, Part B)",
                plan="Medicare Part B",
                member_id="1EG4-TE5-MK73",
                status="Verified",
                benefits=(
                    Benefit("Plan active", "Yes, since October 1, 2016"),
                    Benefit("Network", "Participating provider"),
                    Benefit("Place of service", "11 (office, infusion center)"),
                    Benefit("Deductible", "$283.00 for 2026, $0.00 met"),
                    Benefit("Coinsurance", "20% after the deductible"),
                    Benefit("Out-of-pocket maximum", "None (Original Medicare)"),
                    Benefit("Prior authorization", "Not required for J1459"),
                ),
                called="Medicare provider line (IVR, agent Tom)",
                reference="MCR-20261120-0457",
                called_at=datetime(2026, 11, 20, 9, 40),
                plan_type="Medicare Part B (Original Medicare)",
                phone="1-800-555-0101",
                verified_by="j.alvarez",
                open_items=(
                    "The 2027 Part B deductible is not published yet: re-check in January.",
                ),
            ),
            CoverageVerification(
                role="Secondary",
                payer="Evergreen Medigap",
                plan="Evergreen Medigap G",
                member_id="EVG5561029",
                status="Verified",
                benefits=(
                    Benefit("Plan active", "Yes"),
                    Benefit("Pays", "Medicare's 20% coinsurance; not the Part B deductible"),
                    Benefit("Claims", "Crossover from Medicare, automatic"),
                ),
                called="Evergreen member services",
                reference="EVG-88213",
                called_at=datetime(2026, 11, 20, 10, 5),
                plan_type="Medigap Plan G",
                verified_by="j.alvarez",
            ),
        ),
    )


# --- helpers ---------------------------------------------------------------------------------


def render(builder: Callable[[Any, Any], None], data: Any) -> list[str]:
    """Build to memory and read back: one whitespace-normalized text per page."""
    buf = io.BytesIO()
    builder(data, buf)
    reader = PdfReader(io.BytesIO(buf.getvalue()))
    return [" ".join(p.extract_text().split()) for p in reader.pages]


def assert_has(text: str, *needles: str) -> None:
    missing = [n for n in needles if n not in text]
    assert not missing, f"missing {missing!r} in:\n{text}"


def assert_clean(pages: list[str]) -> None:
    """No glyph reportlab dropped (pypdf reads those as NUL)."""
    assert all("\x00" not in p for p in pages)


def assert_every_page(pages: list[str], *needles: str) -> None:
    for i, p in enumerate(pages, 1):
        for n in needles:
            assert n in p, f"{n!r} missing on page {i}"


# --- cost letter -----------------------------------------------------------------------------


def test_cost_letter_spanish_is_a_spanish_letter() -> None:
    data = maria_letter()
    assert data.lang == "es"
    pages = render(cost_letter.build, data)
    assert len(pages) == 1, "the cost letter fits one page"
    text = pages[0]
    assert_clean(pages)
    assert_has(
        text,
        "Lakeside Infusion Center",
        "María Elena García-López",
        "Fecha de nacimiento: 12 de abril de 1968",
        "16 de enero de 2026",
        "Cálculo de lo que usted pagará",
        "En esta carta le explicamos cuánto podría pagar por infusiones de infliximab",
        "7 visitas, cada 8 semanas, del 20 de enero de 2026 al 22 de diciembre de 2026",
        "Lakeshore Health PPO, número de miembro LKH482913307",
        "Calculamos que usted pagará $0.00 por las 7 visitas de 2026",
        "Esta cantidad ya descuenta $5,600.00 de ayuda financiera",
        "Su seguro pagaría $22,176.00",
        "El deducible de su plan es de $2,000.00",
        "De su parte en este cálculo, $1,500.00 se aplica al deducible",
        "coseguro",
        "Calculamos que lo alcanzará en la visita del",
        "Confirmamos sus beneficios el 12 de enero de 2026, y su seguro ya aprobó estas infusiones. No hay nada pendiente.",
        "Llame a Ana Ruiz, consejera financiera, al (217) 555-0142",
        "Esto es un cálculo aproximado",
        "Firma del paciente o de la persona responsable",
        "Página 1 de 1",
    )
    for english in (
        "You are expected to owe",
        "This letter explains",
        "What you can expect to pay",
        "How we reached",
        "This is an estimate",
        "Signature of patient",
        "Page 1 of",
        "Date of birth",
    ):
        assert english not in text


def test_cost_letter_english_has_every_element() -> None:
    pages = render(cost_letter.build, nguyen_letter())
    assert_clean(pages)
    text = " ".join(pages)
    assert_has(
        text,
        "Nguyễn Văn An",
        "Date of birth: September 30, 1951",
        "MRN: D0002",
        "November 27, 2026",
        # what, when, payer and plan
        "immune globulin (Privigen) 65 g infusions",
        "17 visits, every 3 weeks, from December 1, 2026 to November 2, 2027",
        "Medicare Part B, member ID 1EG4-TE5-MK73",
        "Evergreen Medigap G, member ID EVG5561029",
        # owed per plan year, per visit, what insurance pays
        "You are expected to owe $283.00 for the 2 visits in 2026",
        "for the 15 visits in 2027",
        "Your insurance is expected to pay",
        "What you owe changes from visit to visit, from $0.00 to $283.00",
        "Total 2026 (2 visits)",
        "Total 2027 (15 visits)",
        # how
        "Your plan's deductible is $283.00 a plan year, and none of it had been met yet",
        "Your plan year starts again on January 1, 2027",
        "20% of the plan's price",
        "Your plan has no yearly out-of-pocket maximum",
        "Evergreen Medigap G is expected to pay",
        # unknowns, contact, disclaimer, signature
        "We confirmed your benefits on November 20, 2026, and no prior approval is needed. Nothing is pending.",
        "Call Ana Ruiz, financial counselor, at (217) 555-0142 (Monday to Friday, 8 am to 5 pm)",
        # issue 9: the heading already says "This is an estimate": the text no longer repeats it
        "This is an estimate. It is not a bill",
        "Signature of patient or responsible person",
        "Page 1 of",
    )
    assert_every_page(pages, "Nguyễn Văn An", "September 30, 1951")


def test_cost_letter_cyrillic_secondary_and_pending() -> None:
    pages = render(cost_letter.build, olena_letter())
    assert_clean(pages)
    text = " ".join(pages)
    assert_has(
        text,
        "Олена Коваленко",
        "Northwind Choice, member ID NWB300114",
        "your second insurance, Harbor Select, member ID HHP9081726",
        "Your plan's deductible is $1,000.00 a plan year, and $1,000.00 of it had already been met",
        "Your plan year starts again on January 1, 2027",
        "Of your share in this estimate, $1,000.00 goes toward the deductible",
        "Harbor Select is expected to pay",
        "of what Northwind Choice leaves to you",
        "What we do not know yet",
        "prior authorization is pending",
        "We have not yet confirmed the benefits of Harbor Select",
        "or write to billing@lakeside.example",
        "Page 1 of",
    )
    assert_every_page(pages, "Олена Коваленко")


def test_cost_letter_lead_with_owed_after_assistance() -> None:
    """The first amount in the lead box is what is owed after assistance; before is shown too."""
    text = render(cost_letter.build, maria_letter())[0]
    lead = text.index("Calculamos que usted pagará $0.00")
    assert lead < text.index("Sin esa ayuda, a usted le tocaría pagar $5,600.00")
    assert lead < text.index("Visita por visita")


def test_cost_letter_self_pay_and_single_visit() -> None:
    quote = cs.quote(
        cs.QuoteRequest((date(2026, 12, 3),), (cs.ServiceLine("J1439", 750, D("1.45")),))
    )
    data = CostLetterData(
        letterhead=CENTER,
        patient=JAMES,
        issued_on=date(2026, 11, 21),
        service="an iron infusion (ferric carboxymaltose 750 mg)",
        visits=cost_letter.visits_from_quote(quote),
        contact=Contact("Billing office", "(217) 555-0142"),
        disclaimer="Our own words: this estimate is not a bill.",
    )
    text = render(cost_letter.build, data)[0]
    assert_has(
        text,
        "on December 3, 2026",
        "You are not using insurance for these visits",
        "You are expected to owe $1,087.50 for your visit on December 3, 2026",
        "Our own words: this estimate is not a bill.",
    )
    assert "Insurance pays" not in text
    assert "not a bill and not a promise" not in text


def test_cost_letter_limits_already_met() -> None:
    base = olena_letter()
    data = replace(
        base,
        visits=base.visits[:1],
        terms=PlanTerms(D("1000"), D("1000"), D("0.20"), None, D("4000"), D("4000")),
        prior_auth="approved",
        open_items=(),
    )
    text = " ".join(render(cost_letter.build, data))
    assert_has(
        text,
        "You are expected to owe $0.00 for your visit on December 8, 2026",
        "You have already met your plan's deductible of $1,000.00 this plan year",
        "You have already reached your out-of-pocket maximum of $4,000.00",
        "We confirmed your benefits on November 25, 2026, and your insurance approved",
    )
    assert "What we do not know yet" not in text


def test_dates_and_intervals_by_language() -> None:
    d = date(2026, 11, 27)
    assert wording.long_date(d, "en") == "November 27, 2026"
    assert wording.long_date(d, "es") == "27 de noviembre de 2026"
    assert wording.short_date(date(2026, 9, 1), "es") == "1 sept 2026"
    assert wording.every(56, "en") == "every 8 weeks"
    assert wording.every(56, "es") == "cada 8 semanas"
    assert wording.every(182, "es") == "cada 6 meses"
    assert wording.join_words(["a", "b", "c"], "es") == "a, b y c"
    assert wording.date_time(datetime(2026, 11, 20, 13, 5)) == "Nov 20, 2026, 1:05 PM"


def test_long_course_runs_over_pages_with_name_on_each() -> None:
    """Visits that differ one from the next give one row each: a second page, same footer."""
    base = olena_letter()
    visits = tuple(
        VisitCost(date(2026, 1, 5) + timedelta(days=7 * i), D("1000") + i, D("800"), D("200") + i)
        for i in range(52)
    )
    data = replace(base, visits=visits, every_days=7)
    pages = render(cost_letter.build, data)
    assert len(pages) >= 2
    assert_every_page(pages, "Олена Коваленко", "Date of birth: July 8, 1990", "MRN: D0006")
    for i, p in enumerate(pages, 1):
        assert f"Page {i} of {len(pages)}" in p


# --- Good Faith Estimate ---------------------------------------------------------------------


def test_gfe_has_all_ten_elements() -> None:
    data = james_gfe()
    pages = render(gfe.build, data)
    assert len(pages) >= 2
    assert_clean(pages)
    text = " ".join(pages)
    assert_has(text, "Good Faith Estimate for Health Care Items and Services")
    # 1. patient name and date of birth (and the model form's patient id)
    assert_has(text, "James Carter", "February 17, 1985", "D0005")
    # 2. the main service and its scheduled date
    assert_has(
        text,
        "Iron infusion: ferric carboxymaltose (Injectafer) 750 mg IV",
        "December 3, 2026 and December 10, 2026",
    )
    # 3. itemized, grouped by provider or facility (with totals)
    assert_has(
        text,
        "Estimate details: Lakeside Infusion Center",
        "Estimate details: Prairie Hematology Associates (Priya Raman, MD)",
        "Total expected charges from Lakeside Infusion Center $1,267.50",
        "Total expected charges from Prairie Hematology Associates (Priya Raman, MD) $95.00",
        "Total estimated cost $1,362.50",
        "Sliding-scale discount (50%) -$1,267.50",
    )
    # 4. diagnosis codes, service codes and type, quantity, expected charge of each line
    assert_has(
        text, "D50.9", "J1439", "HCPCS", "96365", "CPT", "99213", "750", "$1,087.50", "$180.00"
    )
    # 5. each provider's name, NPI, TIN, state and place of care
    assert_has(
        text,
        "1093847562",
        "36-4829175",
        "1647382914",
        "37-1928374",
        "Illinois (IL)",
        "Outpatient infusion center",
        "1200 Harbor Drive, Suite 310",
    )
    # 6. items scheduled separately, not included
    assert_has(
        text,
        "scheduled separately",
        "Follow-up blood tests (CBC, ferritin, iron studies)",
        "They are not included in this Good Faith Estimate",
    )
    # 7. other recommended services not included, own estimate
    assert_has(
        text,
        "If other items or services are recommended as part of your care, they are not included",
        "separate Good Faith Estimate",
    )
    # 8. only an estimate
    assert_has(text, "It is only an estimate")
    # 9. dispute right: $400, 120 days, where to learn how, care not affected
    assert_has(
        text,
        "at least $400 more",
        "within 120 calendar days",
        "www.cms.gov/nosurprises",
        "1-800-985-3059",
        "will not affect the quality of the care",
    )
    # 10. not a contract, no obligation
    assert_has(text, "is not a contract and does not require you to obtain the items or services")
    assert_has(text, "Keep a copy of this Good Faith Estimate")
    assert_every_page(pages, "James Carter", "February 17, 1985")
    assert "Page 1 of" in pages[0]


def test_gfe_in_spanish() -> None:
    pages = render(gfe.build, james_gfe("es"))
    assert_clean(pages)
    text = " ".join(pages)
    assert_has(
        text,
        "Estimado de buena fe para artículos y servicios de atención médica",
        "17 de febrero de 1985",
        "3 de diciembre de 2026 y 10 de diciembre de 2026",
        "Total de cargos previstos de Lakeside Infusion Center $1,267.50",
        "Costo total estimado $1,362.50",
        "No están incluidos en este estimado",
        "recibirá un estimado aparte",
        "Es solo un estimado",
        "supera en $400 o más",
        "120 días calendario",
        "1-800-985-3059",
        "www.cms.gov/nosurprises",
        "no afectará la calidad de la atención",
        "no es un contrato",
        "Guarde una copia",
        "Página 1 de",
    )
    for english in ("Good Faith Estimate for", "not a contract", "Keep a copy", "Page 1 of"):
        assert english not in text


# --- prior-authorization packet --------------------------------------------------------------


def test_pa_packet_cover_and_letter_draft() -> None:
    pages = render(pa_packet.build, maria_pa_packet())
    assert len(pages) >= 2
    assert_clean(pages)
    cover, rest = pages[0], " ".join(pages[1:])
    assert_has(
        cover,
        "Prior Authorization Request",
        "Lakeshore Health",
        "(800) 555-0199",
        "provider.lakeshorehealth.example/prior-auth",
        "María Elena García-López",
        "LKH482913307",
        "Priya Raman, MD",
        "NPI 1647382914",
        "infliximab (Remicade)",
        "J1745",
        "J1745-JW",
        "96365",
        "96366",
        "36",
        "K50.90",
        "Lakeside Infusion Center, freestanding infusion center (POS 11)",
        "January 15, 2026 – December 31, 2026",
        "Contents of this request",
        "Letter of medical necessity, signed by the ordering provider",
        "Signed treatment order",
    )
    assert_has(
        rest,
        "Letter of Medical Necessity",
        "DRAFT for the provider to review, complete and sign",
        "Crohn's disease, unspecified, without complications (K50.90)",
        "adalimumab 40 mg every 2 weeks, then weekly",
        "Secondary loss of response",
        "Fecal calprotectin",
        "1,240 µg/g",
        "Treatment plan",
        "Provider to complete: monitoring plan",
        "Provider to complete: clinical rationale",
        "Signature",
        "NPI 1647382914",
    )
    assert_every_page(pages, "María Elena García-López", "Date of birth: April 12, 1968")
    assert f"Page 1 of {len(pages)}" in pages[0]


def test_pa_packet_without_case_details_marks_the_blanks() -> None:
    data = maria_pa_packet()
    bare = replace(data, clinical_summary="", prior_therapies=(), labs=())
    text = " ".join(render(pa_packet.build, bare))
    assert text.count("Provider to complete:") == 5


# --- appeal ----------------------------------------------------------------------------------


def test_appeal_letter() -> None:
    data = wang_appeal()
    assert data.deadline == date(2027, 4, 18)
    pages = render(appeal.build, data)
    assert_clean(pages)
    text = " ".join(pages)
    assert_has(
        text,
        "王秀英",
        "SMT77120456",
        "SMT-PA-20261005-118",
        "Prior authorization number",
        "October 20, 2026",
        "Site-of-care policy: ocrelizumab must be given at a non-hospital site.",
        "I ask that you reconsider this decision and approve",
        "Clinical rationale",
        "grade 3 infusion-related reaction",
        "Enclosures",
        "Notice of denial dated October 20, 2026",
        "Record of the infusion reaction of June 2, 2026",
        "within the 180-day appeal period",
        "April 18, 2027",
        "Samuel Whitaker, MD",
        "NPI 1782345619",
        "Page 1 of",
    )
    assert_every_page(pages, "王秀英", "November 23, 1979")


def test_late_appeal_says_so() -> None:
    late = replace(wang_appeal(), issued_on=date(2027, 5, 1))
    text = " ".join(render(appeal.build, late))
    assert_has(text, "after the 180-day appeal period")
    assert "within the 180-day" not in text


# --- verification summary --------------------------------------------------------------------


def test_verification_summary_one_sheet_per_coverage() -> None:
    pages = render(verification_summary.build, nguyen_verification())
    assert len(pages) == 2
    assert_clean(pages)
    first, second = pages
    assert_has(
        first,
        "Primary coverage: Medicare Part B",
        "Deductible",
        "$283.00 for 2026, $0.00 met",
        "Medicare provider line (IVR, agent Tom)",
        "MCR-20261120-0457",
        "Nov 20, 2026, 9:40 AM",
        "Still open",
        "The 2027 Part B deductible is not published yet",
    )
    assert_has(
        second,
        "Secondary coverage: Evergreen Medigap G",
        "Medicare's 20% coinsurance",
        "Evergreen member services",
        "EVG-88213",
        "Nov 20, 2026, 10:05 AM",
        "Nothing open.",
    )
    assert_every_page(pages, "Nguyễn Văn An", "September 30, 1951", "Page")
    assert "Page 2 of 2" in second


# --- names in every script; letterhead; dispatch ---------------------------------------------

NAMES = [
    "王秀英",
    "Nguyễn Văn An",
    "Олена Коваленко",
    "Zoë O'Brien",
    "María Elena García-López",
    "김민준",
    "Αλέξανδρος Παπαδόπουλος",
    "山田 はなこ",
]


@pytest.mark.parametrize("name", NAMES)
def test_names_print_and_extract(name: str) -> None:
    data = replace(wang_appeal(), patient=PatientInfo(name, date(1979, 11, 23)))
    pages = render(appeal.build, data)
    assert_clean(pages)
    assert_every_page(pages, name)


def test_markup_escapes_and_the_text_prints_literally() -> None:
    assert styles.markup("A & B <b>") == "A &amp; B &lt;b&gt;"
    name = "Zoë <O'Brien> & Co"
    data = replace(wang_appeal(), patient=PatientInfo(name, date(2014, 6, 2)))
    assert_has(" ".join(render(appeal.build, data)), name)


def test_letterhead_logo(tmp_path: Path) -> None:
    from PIL import Image

    logo = tmp_path / "logo.png"
    Image.new("RGB", (300, 120), (31, 58, 95)).save(logo)
    data = replace(wang_appeal(), letterhead=replace(CENTER, logo=logo))
    buf = io.BytesIO()
    appeal.build(data, buf)
    page = PdfReader(io.BytesIO(buf.getvalue())).pages[0]
    assert list(page.images), "the logo is drawn"


def test_missing_logo_prints_without_it(tmp_path: Path, allow_warnings: None) -> None:
    lh = replace(CENTER, logo=tmp_path / "nope.png")
    data = replace(wang_appeal(), letterhead=lh)
    assert_has(" ".join(render(appeal.build, data)), "Lakeside Infusion Center")


def test_build_dispatch_and_path(tmp_path: Path) -> None:
    for data in (
        maria_letter(),
        james_gfe(),
        maria_pa_packet(),
        wang_appeal(),
        nguyen_verification(),
    ):
        out = tmp_path / f"{type(data).__name__}.pdf"
        build(data, out)
        assert out.read_bytes().startswith(b"%PDF")
    # nothing about the patient in the PDF's metadata
    meta = PdfReader(tmp_path / "AppealData.pdf").metadata
    assert meta is not None and "王秀英" not in str(dict(meta))


def test_letter_language() -> None:
    assert letter_language("es") == "es"
    assert letter_language("es-MX") == "es"
    assert letter_language("Spanish") == "es"
    assert letter_language("vi") == "en"
    assert letter_language("") == "en"


# --- fonts -----------------------------------------------------------------------------------

# Mixed-script text: Latin with diacritics, Vietnamese, Greek, Cyrillic, CJK, kana, Hangul,
# CJK Extension A, punctuation and spaces.
_ALPHABET = hs.sampled_from(
    list("abcXYZ019 -'.,&<>\"")
    + list("áéíóúñüçÀÉÎÕÜßøåæœ")
    + list("ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ")
    + list("αβγδεζηθλμξπσφψωΑΒΓΔΩάέήίόύώ")
    + list("абвгдеёжзийклмнопрстуфхцчшщъыьэюяїієґАБВЕЖЗ")
    + list("王秀英李明张伟陈静刘洋黄敏山田花子")
    + list("あいうえおかきくけこアイウエオ")
    + list("김민준이서연박지훈")
    + list("\u3400\u3401\u4db5")
)


@settings(max_examples=200, deadline=None)
@given(hs.text(_ALPHABET, max_size=40), hs.booleans())
def test_font_runs_map_every_character_to_a_font_that_has_it(text: str, bold: bool) -> None:
    runs = styles.font_runs(text, bold=bold)
    assert "".join(run for _, run in runs) == styles.clean(text)
    for font, run in runs:
        assert run
        for ch in run:
            assert styles.has_glyph(font, ch), (font, ch)
    # adjacent runs are in different fonts
    assert all(a[0] != b[0] for a, b in zip(runs, runs[1:], strict=False))


@settings(max_examples=100, deadline=None)
@given(hs.text(_ALPHABET, max_size=40))
def test_markup_is_valid_paragraph_text(text: str) -> None:
    from reportlab.platypus import Paragraph

    styles.styles()
    p = Paragraph(styles.markup(text), styles.styles().body)
    p.wrap(300, 1000)  # parses and lays out without error


def test_unprintable() -> None:
    assert styles.unprintable("王秀英 Nguyễn Văn An Олена") == ""
    assert styles.unprintable("مرحبا") != ""  # right to left: not laid out by reportlab
    assert styles.unprintable("\U0001fab8") == "\U0001fab8"  # no font has it


def test_fonts_and_licences_are_bundled() -> None:
    from infudesk.resources import resource

    folder = resource("fonts")
    for name in styles.FONT_FILES.values():
        assert (folder / name).read_bytes()[:4] in (b"\x00\x01\x00\x00", b"true")  # TrueType
    licences = {p.name for p in folder.glob("LICENSE-*")}
    assert licences == {"LICENSE-DejaVu.txt", "LICENSE-DroidSansFallback.txt"}
    assert re.search(
        r"Apache License\s+Version 2\.0", (folder / "LICENSE-DroidSansFallback.txt").read_text()
    )
    assert "Bitstream Vera" in (folder / "LICENSE-DejaVu.txt").read_text()


def _normalized(pdf: bytes) -> bytes:
    """The PDF without what changes from run to run (its dates and file id)."""
    pdf = re.sub(rb"/(CreationDate|ModDate) \(D:[^)]*\)", b"", pdf)
    return re.sub(rb"/ID\s*\[<[0-9a-f]+><[0-9a-f]+>\]", b"", pdf)


@pytest.mark.parametrize(
    ("builder", "make"),
    [
        (cost_letter.build, maria_letter),
        (cost_letter.build, nguyen_letter),
        (cost_letter.build, olena_letter),
        (gfe.build, james_gfe),
        (pa_packet.build, maria_pa_packet),
        (appeal.build, wang_appeal),
        (verification_summary.build, nguyen_verification),
    ],
)
def test_the_quick_paragraphs_make_the_same_pdf_byte_for_byte(
    builder: Callable[[Any, Any], None], make: Callable[[], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """page.Para (plain text without the markup parser; lines broken once per width; lines
    in one font drawn with the operators written directly), page.SharedPara (a fixed text's
    lines broken once per process), page.Grid (a table sized once per width) and
    styles.font_runs' ASCII shortcut change how fast a document is made, never its bytes:
    the first document of a process, and a later one (the shared layouts made), are those
    reportlab's own Paragraph and Table make."""
    from reportlab.platypus import Paragraph, Table

    from infudesk.documents import page
    from infudesk.documents import styles as st

    drawn = {"direct": 0, "reportlab": 0}
    plain_ops = page.Para._plain_ops

    def counted(self: Any, canvas: Any) -> list[str] | None:
        ops = plain_ops(self, canvas)
        drawn["reportlab" if ops is None else "direct"] += 1
        return ops

    monkeypatch.setattr(page.Para, "_plain_ops", counted)
    data = make()
    page.SharedPara._shared.clear()  # as in a fresh process
    first = io.BytesIO()
    builder(data, first)
    assert page.SharedPara._shared  # (the fixed texts were laid out and kept)
    assert drawn["direct"] >= 10  # (the direct drawing was used, and compared below)
    again = io.BytesIO()
    builder(data, again)
    monkeypatch.setattr(page, "Para", Paragraph)  # reportlab's own, parsing and wrapping anew
    monkeypatch.setattr(page, "SharedPara", Paragraph)
    monkeypatch.setattr(page, "Grid", Table)
    monkeypatch.setattr(st, "_has_ascii", lambda _font: False)  # the per-character check only
    plain = io.BytesIO()
    builder(data, plain)
    assert _normalized(first.getvalue()) == _normalized(plain.getvalue())
    assert _normalized(again.getvalue()) == _normalized(plain.getvalue())
    assert b"/CreationDate" in plain.getvalue()  # (the normalization found what it removes)


def test_a_shared_paragraph_split_across_pages_keeps_its_lines_for_the_next_document(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Splitting a paragraph changes its broken lines in place: a shared one (the disclaimer,
    which may fall on a page break) breaks its own lines first, so the next document that
    lays out the same text gets the lines whole, and every copy is reportlab's."""
    from reportlab.platypus import Paragraph, Spacer, Table

    from infudesk.documents import page
    from infudesk.documents import styles as st

    text = "<b>Esto es un cálculo aproximado.</b> " + " ".join(
        f"Frase {i} de la nota fija, con <b>negrita</b> y texto corriente." for i in range(40)
    )
    setup = page.PageSetup(CENTER, MARIA, date(2026, 1, 16), "es", "Nota")
    gap = page.first_frame_height(setup) - 10 * st.styles().fine.leading

    def build() -> bytes:
        out = io.BytesIO()
        page.render([Spacer(1, gap), page.para(text, st.styles().fine, static=True)], setup, out)
        return _normalized(out.getvalue())

    page.SharedPara._shared.clear()
    first, second, third = build(), build(), build()
    monkeypatch.setattr(page, "Para", Paragraph)
    monkeypatch.setattr(page, "SharedPara", Paragraph)
    monkeypatch.setattr(page, "Grid", Table)
    plain = build()
    assert len(PdfReader(io.BytesIO(plain)).pages) == 2  # (the paragraph was split)
    assert first == plain
    assert second == plain
    assert third == plain
