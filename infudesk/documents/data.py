"""The plain data every document builder takes (never ORM rows): one input class per kind.

Money is ``Decimal``; dates are ``date``. Free text given here (service descriptions, reasons,
explanation lines) is printed as given, so for a Spanish letter the caller passes it in Spanish.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Literal

Language = Literal["en", "es"]
LANGUAGES: tuple[Language, ...] = ("en", "es")
ZERO = Decimal("0.00")

# "explained": the letter's open items say it in their own words (readiness findings)
PriorAuthState = Literal["approved", "pending", "not_required", "denied", "unknown", "explained"]


def letter_language(preferred: str) -> Language:
    """The language to print a patient letter in: Spanish for 'es', 'es-MX', 'Spanish'…,
    English for everything else (the letters exist in those two)."""
    p = preferred.strip().lower()
    return "es" if p.startswith(("es", "spa", "español", "espanol")) else "en"


# --- shared ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Letterhead:
    """The center's letterhead, printed at the top of every document."""

    name: str
    address_lines: tuple[str, ...] = ()
    phone: str = ""
    fax: str = ""
    npi: str = ""
    tin: str = ""
    logo: Path | None = None  # PNG or JPEG; drawn at most 0.8 in high


@dataclass(frozen=True)
class PatientInfo:
    """Who the document is about; printed on every page."""

    name: str  # payer documents: the name as on the insurance card
    birth_date: date
    mrn: str = ""
    language: str = "en"  # preferred language (e.g. 'es', 'vi'); see letter_language
    legal_name: str = ""  # the legal name when it differs from ``name`` (payer documents)

    @property
    def full_name(self) -> str:
        """'Wang Xiuying (legal name: 王秀英)' when the names differ; else just the name."""
        if self.legal_name and self.legal_name != self.name:
            return f"{self.name} (legal name: {self.legal_name})"
        return self.name


@dataclass(frozen=True)
class Contact:
    """Whom to call about the document."""

    name: str  # a person or an office: "Ana Ruiz, financial counselor"
    phone: str
    hours: str = ""  # in the document's language: "Monday to Friday, 8 am to 5 pm"
    email: str = ""


@dataclass(frozen=True)
class Provider:
    """A clinician (ordering provider, signer of a letter)."""

    name: str
    npi: str
    credentials: str = ""  # "MD", "DO", "NP"
    specialty: str = ""
    phone: str = ""
    fax: str = ""


@dataclass(frozen=True)
class Diagnosis:
    code: str  # ICD-10-CM
    description: str = ""


@dataclass(frozen=True)
class CodeLine:
    """A billing code of the request with its units: J1745 × 36."""

    code: str
    description: str = ""
    units: Decimal | int = 1
    code_type: str = "HCPCS"  # HCPCS, CPT, NDC


# --- cost letter -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CoverageLine:
    """A coverage the estimate used (first: primary, second: secondary)."""

    payer: str
    plan: str
    member_id: str = ""


@dataclass(frozen=True)
class PlanTerms:
    """The primary plan's terms the estimate used (None: the plan has none / not known)."""

    deductible: Decimal | None = None
    deductible_met: Decimal = ZERO
    coinsurance: Decimal | None = None  # 0.20 for 20%
    copay: Decimal | None = None  # per visit
    oop_max: Decimal | None = None
    oop_met: Decimal = ZERO


@dataclass(frozen=True)
class VisitCost:
    """One visit of the estimate (the quote engine's ``VisitQuote`` figures).

    ``allowed`` is what the plan recognizes (the self-pay price when there is no insurance);
    ``deductible``, ``coinsurance`` and ``copay`` are the patient's parts under the primary;
    ``oop_reached``: the out-of-pocket maximum is reached with this visit or before it.
    """

    date: date
    allowed: Decimal
    insurance_paid: Decimal  # primary + secondary
    owes_before_assistance: Decimal
    assistance_paid: Decimal = ZERO
    deductible: Decimal = ZERO
    coinsurance: Decimal = ZERO
    copay: Decimal = ZERO
    secondary_paid: Decimal = ZERO  # the part of insurance_paid the secondary pays
    oop_reached: bool = False

    @property
    def owes(self) -> Decimal:
        """What the patient is expected to owe after assistance."""
        return self.owes_before_assistance - self.assistance_paid


@dataclass(frozen=True)
class AssistanceApplied:
    """A program's total help over the estimate: "Infliximab copay program", $5,600.00."""

    name: str
    amount: Decimal


@dataclass(frozen=True)
class CostLetterData:
    """The patient cost letter: a visit or a course, what insurance pays, what the patient owes."""

    letterhead: Letterhead
    patient: PatientInfo
    issued_on: date
    service: str  # "infliximab (Remicade) 360 mg by IV infusion, about 2 hours"
    visits: tuple[VisitCost, ...]
    contact: Contact
    coverages: tuple[CoverageLine, ...] = ()  # empty: self-pay
    terms: PlanTerms | None = None
    every_days: int | None = None  # 56 → "every 8 weeks"
    plan_year_start: tuple[int, int] = (1, 1)  # (month, day) the primary's plan year starts
    assistance: tuple[AssistanceApplied, ...] = ()
    explanation: tuple[str, ...] = ()  # more "how we reached it" lines, in the letter's language
    prior_auth: PriorAuthState = "unknown"
    benefits_verified_on: date | None = None
    open_items: tuple[str, ...] = ()  # more unknowns, in the letter's language
    disclaimer: str | None = None  # None: the standard one in the letter's language
    language: Language | None = None  # None: from patient.language (letter_language)
    place: str = ""  # where the care is given, for the intro; "": at the center (letterhead)
    notices: tuple[str, ...] = ()  # the estimate's warnings in plain words (letter's language)
    warnings_overridden: tuple[str, ...] = ()  # engine warnings left off by an audited override
    # the primary's terms are assumed unchanged in its next plan year (said with that line)
    same_terms_assumed: bool = False
    # a saved quote's figures: its number and the day it was made (None: computed on issued_on)
    quote_number: int | None = None
    made_on: date | None = None

    @property
    def lang(self) -> Language:
        return self.language or letter_language(self.patient.language)


# --- Good Faith Estimate ---------------------------------------------------------------------


@dataclass(frozen=True)
class GfeLine:
    """One expected item or service: the model form's service, codes, quantity, cost."""

    service: str
    diagnosis_code: str
    service_code: str
    code_type: str  # "HCPCS", "CPT", "NDC", "Revenue code"
    quantity: Decimal | int
    expected_cost: Decimal
    date: date | None = None


@dataclass(frozen=True)
class GfeAdjustment:
    """A discount or other change to a provider's total (negative amount lowers it)."""

    label: str  # "Sliding-scale discount (50%)"
    amount: Decimal


@dataclass(frozen=True)
class GfeProvider:
    """A provider or facility of the estimate, where it gives care, and its expected charges."""

    name: str
    kind: str  # provider/facility type: "Infusion center (facility)", "Physician"
    npi: str
    tin: str
    address_lines: tuple[str, ...]  # where care is given
    state: str  # "IL"
    place: str  # place of care: "Outpatient infusion center (office)"
    lines: tuple[GfeLine, ...]
    adjustments: tuple[GfeAdjustment, ...] = ()
    contact: str = ""  # "Billing office, (217) 555-0142"
    notes: str = ""

    @property
    def total(self) -> Decimal:
        return sum((ln.expected_cost for ln in self.lines), ZERO) + sum(
            (a.amount for a in self.adjustments), ZERO
        )


@dataclass(frozen=True)
class GoodFaithEstimateData:
    """A Good Faith Estimate for an uninsured or self-pay patient (45 CFR 149.610)."""

    letterhead: Letterhead
    patient: PatientInfo
    issued_on: date
    primary_service: str
    diagnoses: tuple[Diagnosis, ...]
    providers: tuple[GfeProvider, ...]
    service_dates: tuple[date, ...] = ()  # empty: not scheduled yet
    separately_scheduled: tuple[str, ...] = ()  # not included; their own estimate
    requested_on: date | None = None
    covers_through: date | None = None  # recurring care: up to 12 months
    patient_address_lines: tuple[str, ...] = ()
    patient_phone: str = ""
    patient_email: str = ""
    contact: Contact | None = None
    language: Language | None = None
    notices: tuple[str, ...] = ()  # the estimate's warnings in plain words (its language)
    warnings_overridden: tuple[str, ...] = ()  # engine warnings left off by an audited override
    quote_number: int | None = None  # a saved quote's figures: its number and day made
    made_on: date | None = None

    @property
    def lang(self) -> Language:
        return self.language or letter_language(self.patient.language)

    @property
    def total(self) -> Decimal:
        return sum((p.total for p in self.providers), ZERO)


# --- prior authorization packet --------------------------------------------------------------


@dataclass(frozen=True)
class PriorTherapy:
    name: str  # "adalimumab 40 mg every 2 weeks"
    dates: str = ""  # "03/2023 – 09/2024"
    outcome: str = ""  # "lost response: CRP 38 mg/L, 6–8 stools a day"


@dataclass(frozen=True)
class LabResult:
    name: str
    value: str
    on: date | None = None


@dataclass(frozen=True)
class PaPacketData:
    """A prior-authorization request: fax/portal cover sheet and a letter of medical necessity
    drafted for the ordering provider to edit and sign (blanks are marked)."""

    letterhead: Letterhead
    patient: PatientInfo
    issued_on: date
    payer: str
    member_id: str
    ordering_provider: Provider
    drug: str  # "infliximab (Remicade)"
    dose: str  # "5 mg/kg (360 mg) IV over 2 hours every 8 weeks"
    codes: tuple[CodeLine, ...]
    diagnoses: tuple[Diagnosis, ...]
    site_of_care: str  # "Lakeside Infusion Center (freestanding infusion center, POS 11)"
    requested_from: date
    requested_to: date
    contents: tuple[str, ...]  # what is enclosed
    payer_fax: str = ""
    payer_portal: str = ""
    payer_phone: str = ""
    plan: str = ""
    group_number: str = ""
    visits: int | None = None
    urgent: bool = False
    contact: Contact | None = None  # who at the center answers questions
    clinical_summary: str = ""
    prior_therapies: tuple[PriorTherapy, ...] = ()
    labs: tuple[LabResult, ...] = ()
    treatment_plan: str = ""


# --- appeal ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AppealData:
    """An appeal of a denied prior authorization or claim: a request for reconsideration."""

    letterhead: Letterhead
    patient: PatientInfo
    issued_on: date  # the day it is sent
    payer: str
    member_id: str
    reference: str  # the authorization or claim number
    service: str  # "ocrelizumab (Ocrevus) 600 mg IV every 6 months"
    denial_date: date
    denial_reason: str
    appeal_days: int  # the appeal window, in days from the denial (prior_auth.appeal_window)
    rationale: tuple[str, ...]  # paragraphs of clinical rationale
    enclosures: tuple[str, ...]
    signer: Provider
    reference_kind: Literal["prior authorization", "claim"] = "prior authorization"
    codes: tuple[CodeLine, ...] = ()
    diagnoses: tuple[Diagnosis, ...] = ()
    plan: str = ""
    group_number: str = ""
    payer_address_lines: tuple[str, ...] = ()  # "Appeals Department", street, city
    payer_fax: str = ""
    request: str = ""  # what is asked; empty: reconsider and approve the service as ordered
    contact: Contact | None = None
    # where the window comes from: "Medicaid plan appeal", "stated on the denial letter", …
    appeal_source: str = ""
    # what follows if the denial is upheld (a prior_auth.NextStep value; "" says nothing)
    next_step: str = ""

    @property
    def deadline(self) -> date:
        return self.denial_date + timedelta(days=self.appeal_days)


# --- verification summary --------------------------------------------------------------------


@dataclass(frozen=True)
class Benefit:
    label: str  # "Deductible"
    value: str  # "$2,000.00 ($500.00 met)"


@dataclass(frozen=True)
class CoverageVerification:
    """What one coverage's benefits check found."""

    role: str  # "Primary", "Secondary"
    payer: str
    plan: str
    member_id: str
    status: str  # "Verified", "In progress", "Problem"
    benefits: tuple[Benefit, ...]
    called: str  # who was called: "Dana at Lakeshore provider services"
    reference: str  # the call reference number
    called_at: datetime | date | None
    plan_type: str = ""
    group_number: str = ""
    subscriber: str = ""
    phone: str = ""  # the number called
    verified_by: str = ""
    open_items: tuple[str, ...] = ()
    problem: str = ""


@dataclass(frozen=True)
class VerificationSummaryData:
    """Benefits verification of a patient's coverages: one sheet per coverage."""

    letterhead: Letterhead
    patient: PatientInfo
    issued_on: date
    coverages: tuple[CoverageVerification, ...]
    order: str = ""  # what was verified for: "infliximab (J1745) every 8 weeks"


# --- start-of-day summary (for the desk, not a patient) ----------------------------------------


@dataclass(frozen=True)
class DayVisitLine:
    """One visit of the day: who, what, which payer, and its state ("Ready", or what still
    blocks it; "Arrived", "Given", "Cancelled" once recorded)."""

    patient_name: str
    mrn: str
    drug: str
    payer: str
    ready: bool
    state: str  # the words printed in the state column
    details: tuple[str, ...] = ()  # the blockers, one line each


@dataclass(frozen=True)
class DaySummaryData:
    """The start-of-day summary: the day's visits with their state, on one page."""

    letterhead: Letterhead
    day: date
    visits: tuple[DayVisitLine, ...]
    open_tasks: int = 0  # open tasks due by the day
