"""Insurance coverages: plan types, ranks, the coverage record and its benefit terms."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from infudesk.domain import validation as v
from infudesk.domain.figures import YearlyFigures


class PlanType(enum.StrEnum):
    COMMERCIAL = "commercial"
    EMPLOYER_SELF_FUNDED = "employer_self_funded"
    MARKETPLACE = "marketplace"
    MEDICARE_PART_B = "medicare_part_b"
    MEDICARE_ADVANTAGE = "medicare_advantage"
    MEDIGAP = "medigap"
    MEDICAID = "medicaid"
    MEDICAID_MANAGED_CARE = "medicaid_managed_care"


PLAN_TYPE_LABELS: dict[str, str] = {
    PlanType.COMMERCIAL: "Commercial",
    PlanType.EMPLOYER_SELF_FUNDED: "Employer self-funded",
    PlanType.MARKETPLACE: "Marketplace (ACA)",
    PlanType.MEDICARE_PART_B: "Medicare Part B (Original Medicare)",
    PlanType.MEDICARE_ADVANTAGE: "Medicare Advantage",
    PlanType.MEDIGAP: "Medigap (Medicare Supplement)",
    PlanType.MEDICAID: "Medicaid",
    PlanType.MEDICAID_MANAGED_CARE: "Medicaid managed care",
}
# the word a plan's name carries when it says its own type ("Medicare" in "Aetna Medicare
# Advantage"): a screen adds the plan type to a name that does not
PLAN_TYPE_WORDS: dict[str, str] = {
    PlanType.COMMERCIAL: "commercial",
    PlanType.EMPLOYER_SELF_FUNDED: "employer",
    PlanType.MARKETPLACE: "marketplace",
    PlanType.MEDICARE_PART_B: "medicare",
    PlanType.MEDICARE_ADVANTAGE: "medicare",
    PlanType.MEDIGAP: "medigap",
    PlanType.MEDICAID: "medicaid",
    PlanType.MEDICAID_MANAGED_CARE: "medicaid",
}


def names_its_type(plan_name: str, plan_type: str) -> bool:
    """Whether a plan's name already says its type (then the type need not be added)."""
    word = PLAN_TYPE_WORDS.get(plan_type, plan_type)
    return word.casefold() in plan_name.casefold()


GOVERNMENT = {
    PlanType.MEDICARE_PART_B,
    PlanType.MEDICARE_ADVANTAGE,
    PlanType.MEDICAID,
    PlanType.MEDICAID_MANAGED_CARE,
}
# The standardized letters, plus high-deductible F and G ("HDF", "HDG")
MEDIGAP_PLANS = ("A", "B", "C", "D", "F", "G", "K", "L", "M", "N", "HDF", "HDG")
MEDIGAP_LABELS: dict[str, str] = {
    **{p: f"Plan {p}" for p in MEDIGAP_PLANS[:10]},
    "HDF": "Plan F, high deductible",
    "HDG": "Plan G, high deductible",
}
RANK_LABELS: dict[int, str] = {1: "Primary", 2: "Secondary", 3: "Tertiary"}
RELATIONSHIPS: dict[str, str] = {
    "self": "Self",
    "spouse": "Spouse",
    "child": "Child",
    "other": "Other dependent",
}
COPAY_APPLIES: dict[str, str] = {
    "none": "No copay",
    "per_visit": "Per visit",
    "per_service": "Per service line",
}
_MMDD = re.compile(r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")
_MEMBER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 -]{1,29}$")


def check_plan_year_start(text: str) -> str | None:
    """MM-DD on which the plan year (and its accumulators) starts, e.g. 01-01 or 07-01."""
    m = _MMDD.match(text.strip())
    if not m:
        return "Give the plan-year start as MM-DD, e.g. 01-01 or 07-01."
    try:
        date(2024, int(m.group(1)), int(m.group(2)))
    except ValueError:
        return "That day does not exist in that month."
    return None


@dataclass(frozen=True)
class CoverageData:
    """A coverage as the front desk types it."""

    payer_id: int | None = None
    rank: int = 1
    plan_name: str = ""
    plan_type: str = PlanType.COMMERCIAL
    medigap_plan: str = ""
    member_id: str = ""
    group_number: str = ""
    subscriber_name: str = ""
    subscriber_relationship: str = "self"
    subscriber_birth_date: date | None = None
    network: str = "in"
    effective_on: date | None = None
    terminates_on: date | None = None
    plan_year_start: str = "01-01"


def normalize_coverage(c: CoverageData) -> CoverageData:
    member = c.member_id.strip()
    if c.plan_type == PlanType.MEDICARE_PART_B:
        member = v.normalize_mbi(member)
    from dataclasses import replace

    return replace(
        c,
        plan_name=" ".join(c.plan_name.split()),
        member_id=member.upper(),
        group_number=c.group_number.strip().upper(),
        subscriber_name=v.clean_name(c.subscriber_name),
        medigap_plan=c.medigap_plan.strip().upper(),
        plan_year_start=c.plan_year_start.strip(),
    )


def validate_coverage(c: CoverageData) -> dict[str, str]:
    """Field → message for a coverage that cannot be saved."""
    errors: dict[str, str] = {}
    if c.payer_id is None:
        errors["payer_id"] = "Choose the payer (add it to the payer directory first if it is new)."
    if c.rank not in RANK_LABELS:
        errors["rank"] = "Choose primary, secondary or tertiary."
    if c.plan_type not in PLAN_TYPE_LABELS:
        errors["plan_type"] = "Choose the plan type."
    member = c.member_id.strip()
    if not member:
        errors["member_id"] = "Enter the member id exactly as on the card."
    elif c.plan_type == PlanType.MEDICARE_PART_B:
        msg = v.check_mbi(member)
        if msg:
            errors["member_id"] = msg
    elif not _MEMBER_ID.match(member):
        errors["member_id"] = "A member id holds letters, digits, spaces or dashes (2–30)."
    if c.plan_type == PlanType.MEDIGAP:
        if c.medigap_plan.strip().upper() not in MEDIGAP_PLANS:
            errors["medigap_plan"] = "Give the Medigap plan letter (e.g. G)."
        if c.rank == 1:
            errors["rank"] = "Medigap pays after Medicare: make it the secondary coverage."
    elif c.medigap_plan.strip():
        errors["medigap_plan"] = "Only a Medigap plan has a plan letter."
    if c.subscriber_relationship not in RELATIONSHIPS:
        errors["subscriber_relationship"] = "Choose how the patient is related to the subscriber."
    if c.subscriber_relationship != "self":
        msg = v.check_name(c.subscriber_name)
        if msg:
            errors["subscriber_name"] = (
                "Enter the subscriber's name (the plan is in someone else's name)."
                if msg == "Required."
                else msg
            )
    if c.network not in ("in", "out"):
        errors["network"] = "In or out of network?"
    if c.effective_on is None:
        errors["effective_on"] = "Enter the date the coverage starts (MM/DD/YYYY)."
    if c.effective_on and c.terminates_on and c.terminates_on < c.effective_on:
        errors["terminates_on"] = "The coverage cannot end before it starts."
    msg = check_plan_year_start(c.plan_year_start)
    if msg:
        errors["plan_year_start"] = msg
    return errors


def overlaps(a_start: date, a_end: date | None, b_start: date, b_end: date | None) -> bool:
    """Do two date ranges (open-ended when the end is None) share a day?"""
    return (a_end is None or b_start <= a_end) and (b_end is None or a_start <= b_end)


@dataclass(frozen=True)
class Terms:
    """Benefit terms the quote engine uses (money as Decimal, coinsurance as a rate 0–1)."""

    deductible: Decimal | None = None
    deductible_met: Decimal = Decimal("0")
    oop_max: Decimal | None = None
    oop_met: Decimal = Decimal("0")
    coinsurance: Decimal = Decimal("0")
    copay: Decimal = Decimal("0")
    copay_applies: str = "none"
    copay_after_deductible: bool = False
    copay_counts_toward_deductible: bool = False
    deductible_applies: bool = True
    family_deductible: Decimal | None = None
    family_deductible_met: Decimal | None = None
    family_oop_max: Decimal | None = None
    family_oop_met: Decimal | None = None
    # The person's own deductible counts inside the family one (the column keeps its first
    # name, family_embedded; it has only ever meant the deductible since issue 9).
    family_embedded: bool = True
    # The person's own OOP maximum counts inside the family one: every non-grandfathered plan
    # since 2016, even when the deductible is not embedded.
    family_oop_embedded: bool = True


def validate_terms(t: Terms) -> dict[str, str]:
    """Impossible figures (refused): negatives, met above the maximum, a rate over 100%."""
    errors: dict[str, str] = {}
    for name in (
        "deductible",
        "deductible_met",
        "oop_max",
        "oop_met",
        "copay",
        "family_deductible",
        "family_deductible_met",
        "family_oop_max",
        "family_oop_met",
    ):
        value = getattr(t, name)
        if value is not None and value < 0:
            errors[name] = "An amount cannot be negative."
    if not Decimal("0") <= t.coinsurance <= Decimal("1"):
        errors["coinsurance"] = "Coinsurance is a percentage between 0% and 100%."
    pairs = (
        ("deductible", "deductible_met"),
        ("oop_max", "oop_met"),
        ("family_deductible", "family_deductible_met"),
        ("family_oop_max", "family_oop_met"),
    )
    for limit, met in pairs:
        lv, mv = getattr(t, limit), getattr(t, met)
        if lv is not None and mv is not None and met not in errors and mv > lv:
            errors[met] = f"The amount met (${mv:,.2f}) is above the maximum (${lv:,.2f})."
    if t.copay_applies not in COPAY_APPLIES:
        errors["copay_applies"] = "Choose how the copay applies."
    if t.copay_applies == "none" and t.copay > 0 and "copay" not in errors:
        errors["copay_applies"] = (
            "There is a copay amount: say whether it is per visit or per service."
        )
    if (
        t.deductible is not None
        and t.oop_max is not None
        and t.deductible > t.oop_max
        and "deductible" not in errors
    ):
        errors["deductible"] = "The deductible cannot be larger than the out-of-pocket maximum."
    return errors


def terms_warnings(t: Terms, plan_type: str, year: int, figures: YearlyFigures) -> dict[str, str]:
    """Suspicious but possible figures (warned, not refused), against ``figures``: the
    federal out-of-pocket ceilings and the Medicare Advantage limit of ``year``."""
    warnings: dict[str, str] = {}
    single = figures.value("aca_oop_max", year)
    family = figures.value("aca_oop_max_family", year)
    ma = figures.value("medicare_advantage_oop_limit", year)
    ma_plan = plan_type == PlanType.MEDICARE_ADVANTAGE
    if ma_plan and ma is not None and t.oop_max is not None and t.oop_max > ma:
        warnings["oop_max"] = (
            f"Above the {year} Medicare Advantage in-network limit (${ma:,.0f}): "
            "check the figure with the plan."
        )
    if plan_type in (PlanType.COMMERCIAL, PlanType.EMPLOYER_SELF_FUNDED, PlanType.MARKETPLACE):
        if single is not None and t.oop_max is not None and t.oop_max > single:
            warnings["oop_max"] = (
                f"Above the {year} federal limit for an individual (${single:,.0f}): "
                "check the figure with the payer."
            )
        if family is not None and t.family_oop_max is not None and t.family_oop_max > family:
            warnings["family_oop_max"] = (
                f"Above the {year} federal family limit (${family:,.0f}): check the figure."
            )
    if plan_type == PlanType.MEDICARE_PART_B and t.oop_max is not None:
        warnings["oop_max"] = "Original Medicare has no out-of-pocket maximum: check the plan type."
    if t.coinsurance > Decimal("0.5"):
        warnings["coinsurance"] = "Coinsurance above 50% is unusual: check the figure."
    return warnings


def plan_label(payer_name: str, plan_name: str) -> str:
    """'Lakeshore Health PPO' (the plan name alone when it already names the payer)."""
    if not plan_name:
        return payer_name
    if plan_name.casefold().startswith(payer_name.split()[0].casefold()):
        return plan_name
    return f"{payer_name} — {plan_name}"


def coverage_label(rank: int, payer_name: str, plan_name: str) -> str:
    """'Primary: Lakeshore Health PPO'."""
    return f"{RANK_LABELS.get(rank, '?')}: {plan_label(payer_name, plan_name)}"
