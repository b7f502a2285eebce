"""Therapy orders: what is given, how, how often, where; their validation and schedule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from infudesk.domain import validation as v
from infudesk.domain.billing import BillingLine as BillingLine
from infudesk.domain.billing import Drug, dose_mg, suggest_lines

ROUTE_LABELS: dict[str, str] = {
    "iv": "Intravenous (IV)",
    "sc": "Subcutaneous",
    "im": "Intramuscular",
}
SITE_LABELS: dict[str, str] = {
    "infusion_center": "Infusion center / office (POS 11)",
    "hospital_outpatient": "Hospital outpatient (POS 19/22)",
    "home": "Home infusion (POS 12)",
}
MAX_VISITS = 366


@dataclass(frozen=True)
class OrderData:
    """A therapy order as typed."""

    drug_name: str = ""
    drug_hcpcs: str = ""
    dose: Decimal | None = None
    dose_per_kg: bool = False
    weight_kg: Decimal | None = None
    route: str = "iv"
    minutes: int | None = None
    every_days: int | None = None
    visit_count: int | None = None
    start_on: date | None = None
    diagnosis: str = ""
    provider_name: str = ""
    provider_npi: str = ""
    site_of_care: str = "infusion_center"
    notes: str = ""

    def dose_in_mg(self) -> Decimal:
        assert self.dose is not None
        return dose_mg(self.dose, self.dose_per_kg, self.weight_kg)


def validate_order(o: OrderData, drug: Drug | None) -> dict[str, str]:
    """Field → message for an order that cannot be saved."""
    errors: dict[str, str] = {}
    if drug is None:
        errors["drug"] = (
            "Choose the drug from the list (a site can add drugs to resources/drugs.csv)."
        )
    if o.dose is None or o.dose <= 0:
        errors["dose"] = "Enter the dose (a number greater than 0)."
    if o.dose_per_kg and (o.weight_kg is None or o.weight_kg <= 0):
        errors["weight_kg"] = "A dose per kg needs the patient's weight in kg."
    elif o.weight_kg is not None and not Decimal("0.5") <= o.weight_kg <= Decimal("400"):
        errors["weight_kg"] = "Check the weight: it should be in kilograms (0.5–400)."
    if o.route not in ROUTE_LABELS:
        errors["route"] = "Choose the route."
    elif drug is not None and o.route not in drug.routes:
        errors["route"] = f"{drug.title} is given {' or '.join(r.upper() for r in drug.routes)}."
    if o.minutes is None or not 1 <= o.minutes <= 24 * 60:
        errors["minutes"] = "Enter the expected administration time in minutes (1–1440)."
    if o.every_days is None or not 1 <= o.every_days <= 366:
        errors["every_days"] = "How many days between visits (e.g. 56 for every 8 weeks)?"
    if o.visit_count is None or not 1 <= o.visit_count <= MAX_VISITS:
        errors["visit_count"] = f"How many visits (1–{MAX_VISITS})?"
    if o.start_on is None:
        errors["start_on"] = "Enter the date of the first visit (MM/DD/YYYY)."
    msg = (
        v.check_icd10(o.diagnosis)
        if o.diagnosis.strip()
        else "Enter the diagnosis code (ICD-10), e.g. K50.90."
    )
    if msg:
        errors["diagnosis"] = msg
    msg = v.check_name(o.provider_name)
    if msg:
        errors["provider_name"] = (
            "Enter the ordering provider's name." if msg == "Required." else msg
        )
    msg = v.check_npi(o.provider_npi)
    if msg:
        errors["provider_npi"] = msg
    if o.site_of_care not in SITE_LABELS:
        errors["site_of_care"] = "Choose the site of care."
    return errors


def schedule(start: date, every_days: int, count: int) -> list[date]:
    """Planned visit dates: ``count`` visits ``every_days`` apart from ``start``."""
    return [start + timedelta(days=every_days * i) for i in range(count)]


def suggested_lines(o: OrderData, drug: Drug) -> list[BillingLine]:
    """The billing lines suggested for every visit of a valid order."""
    assert o.minutes is not None
    return suggest_lines(drug, o.dose_in_mg(), o.route, o.minutes)
