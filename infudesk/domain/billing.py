"""Billing-line suggestions for a therapy order: drug units, vials, JW/JZ and administration codes.

Everything here is pure: quantities are ``Decimal`` mg, codes are strings, and the drug list
arrives as text (``resources/drugs.csv`` is read by the caller). Suggestions are a starting
point the user can edit; labels are our own plain-language words, never CPT descriptors.

Rounding of drug units (CMS practice for single-dose containers):

- administered units = dose ÷ unit size, rounded UP to a whole unit;
- discarded (JW) units = waste ÷ unit size, rounded DOWN, so that administered + discarded
  never exceeds the vials opened and equals the vial total in units when that total is a whole
  number of units (350 mg of infliximab from four 100 mg vials: 35 + 5 = 40 units = 400 mg);
- when the discarded amount is less than one unit (it was absorbed by rounding the dose up)
  there is no JW line and the administered line carries JZ.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from math import gcd

from infudesk.domain.validation import check_hcpcs, normalize_code

ADMIN_CLASSES: tuple[str, ...] = ("chemo_complex", "therapeutic", "subq_ig", "injection")
ROUTES: tuple[str, ...] = ("iv", "sc", "im")

# Which routes each administration class can be billed for.
CLASS_ROUTES: dict[str, frozenset[str]] = {
    "chemo_complex": frozenset({"iv"}),
    "therapeutic": frozenset({"iv"}),
    "subq_ig": frozenset({"sc"}),
    "injection": frozenset({"sc", "im"}),
}

# Our own short labels (CPT descriptors are the AMA's copyrighted text: never ship them).
ADMIN_LABELS: dict[str, str] = {
    "96365": "IV infusion, first hour",
    "96366": "IV infusion, each added hour",
    "96369": "Under-the-skin infusion, first hour, pump set-up",
    "96370": "Under-the-skin infusion, each added hour",
    "96372": "Shot under the skin or into a muscle",
    "96374": "IV push, first drug",
    "96409": "Chemo or complex drug, IV push",
    "96413": "Chemo or complex drug IV infusion, first hour",
    "96415": "Chemo or complex drug IV infusion, each added hour",
    "99601": "Home nursing visit, first 2 hours",
    "99602": "Home nursing visit, each added hour",
}

# Home infusion per-diem S-codes (HCPCS Level II, public): the therapy's supplies, pharmacy
# services and care coordination for one infusion day; drug and nursing visit coded separately.
# A drug names its code in drugs.csv's optional ``home_per_diem`` column.
PER_DIEM_LABELS: dict[str, str] = {
    "S9338": "Home infusion per diem, immunotherapy (supplies, pharmacy, care coordination)",
    "S9359": "Home infusion per diem, anti-TNF therapy (supplies, pharmacy, care coordination)",
    "S9379": "Home infusion per diem, other infusion therapy (supplies, pharmacy, care coordination)",
}
SITES: tuple[str, ...] = ("infusion_center", "hospital_outpatient", "home")

PUSH_MAX_MINUTES = 15
# CPT's subcutaneous infusion codes (96369/96370) are for infusions of more than 15 minutes; an
# SC infusion of 15 minutes or less is reported as a subcutaneous injection (96372).
SC_INFUSION_MIN_MINUTES = 16
FIRST_HOUR_MINUTES = 60
HOME_VISIT_FIRST_MINUTES = 120  # 99601 covers a home visit of up to 2 hours
ADDED_HOUR_THRESHOLD_MINUTES = 30  # an added hour is billed only past 30 extra minutes

# Bound for the vial search (steps of the vial sizes' common divisor); far above any real
# table (200 g of IVIG in 500 mg steps is 400 steps), it only stops pathological input.
_MAX_VIAL_STEPS = 500_000
# No order comes near 10 kg of drug (IVIG at 2 g/kg for 200 kg is 400 g): a typo or wrong unit.
MAX_DOSE_MG = Decimal(10_000_000)

DRUG_COLUMNS: tuple[str, ...] = (
    "name",
    "brand",
    "hcpcs",
    "unit_mg",
    "vial_sizes_mg",
    "single_dose",
    "admin_class",
    "routes",
)
OPTIONAL_DRUG_COLUMNS: tuple[str, ...] = ("home_per_diem",)
_YES = frozenset({"yes", "y", "true", "1"})
_NO = frozenset({"no", "n", "false", "0"})


@dataclass(frozen=True)
class Drug:
    """One row of the drug list: a product billed under one HCPCS code."""

    name: str
    brand: str
    hcpcs: str
    unit_mg: Decimal
    vial_sizes_mg: tuple[Decimal, ...]
    single_dose: bool
    admin_class: str
    routes: tuple[str, ...]
    home_per_diem: str = ""  # the home infusion per-diem S-code; "" when none is listed

    @property
    def title(self) -> str:
        """'infliximab (Remicade)', or the name alone when there is no brand."""
        return f"{self.name} ({self.brand})" if self.brand else self.name


@dataclass(frozen=True)
class BillingLine:
    """One suggested claim line: a code, an optional modifier and whole units."""

    code: str
    modifier: str  # "", "JW" or "JZ"
    units: int
    label: str
    kind: str  # "drug" or "admin"


# --- the drug list ----------------------------------------------------------------------------


def parse_drug_table(text: str) -> list[Drug]:
    """Drugs from the CSV text of ``resources/drugs.csv``.

    The first non-blank row is the header and must name every column of ``DRUG_COLUMNS`` (in
    any order; extra columns are ignored). Blank rows and rows whose first cell starts with
    ``#`` are skipped. A bad row raises ``ValueError`` naming its line and column.
    """
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    header: list[str] | None = None
    index: dict[str, int] = {}
    drugs: list[Drug] = []
    seen: dict[tuple[str, str, str], int] = {}
    last_line = 0
    for row in reader:
        line = last_line + 1  # first physical line of this row (a quoted cell may span lines)
        last_line = reader.line_num
        cells = [c.strip() for c in row]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if header is None:
            header = [c.lower() for c in cells]
            missing = [c for c in DRUG_COLUMNS if c not in header]
            if missing:
                raise ValueError(
                    f"Line {line}: the header row lacks the column(s) {', '.join(missing)}; "
                    f"it must name {','.join(DRUG_COLUMNS)}."
                )
            index = {
                c: header.index(c) for c in DRUG_COLUMNS + OPTIONAL_DRUG_COLUMNS if c in header
            }
            continue
        if len(cells) != len(header):
            raise ValueError(
                f"Line {line}: {len(cells)} columns where the header has {len(header)}; "
                "put double quotes around a value that holds a comma."
            )
        drug = _parse_row({c: cells[i] for c, i in index.items()}, line)
        key = (drug.hcpcs, drug.name.casefold(), drug.brand.casefold())
        if key in seen:
            raise ValueError(f"Line {line}: the same drug and code as line {seen[key]}.")
        seen[key] = line
        drugs.append(drug)
    if header is None:
        raise ValueError(f"Line 1: the drug list needs a header row: {','.join(DRUG_COLUMNS)}.")
    return drugs


def _parse_row(cell: dict[str, str], line: int) -> Drug:
    def bad(column: str, problem: str) -> ValueError:
        return ValueError(f"Line {line}, column {column}: {problem}")

    name = cell["name"]
    if not name:
        raise bad("name", "the drug name is empty.")
    hcpcs = normalize_code(cell["hcpcs"])
    problem = check_hcpcs(hcpcs)
    if problem:
        raise bad("hcpcs", f"“{cell['hcpcs']}”: {problem}")
    unit_mg = _positive_mg(cell["unit_mg"])
    if unit_mg is None:
        raise bad("unit_mg", f"“{cell['unit_mg']}” is not a positive number of mg.")
    sizes: list[Decimal] = []
    for word in cell["vial_sizes_mg"].split():
        size = _positive_mg(word)
        if size is None:
            raise bad("vial_sizes_mg", f"“{word}” is not a positive number of mg.")
        if size not in sizes:
            sizes.append(size)
    if not sizes:
        raise bad("vial_sizes_mg", "list the vial sizes in mg, separated by spaces (100 500).")
    flag = cell["single_dose"].lower()
    if flag not in _YES | _NO:
        raise bad("single_dose", f"“{cell['single_dose']}”: write yes or no.")
    admin_class = cell["admin_class"].lower()
    if admin_class not in CLASS_ROUTES:
        raise bad(
            "admin_class",
            f"“{cell['admin_class']}” is not one of {', '.join(ADMIN_CLASSES)}.",
        )
    routes: list[str] = []
    for word in cell["routes"].lower().split():
        if word not in ROUTES:
            raise bad("routes", f"“{word}” is not one of {', '.join(ROUTES)}.")
        if word not in CLASS_ROUTES[admin_class]:
            raise bad("routes", f"route {word} cannot be billed as {admin_class}.")
        if word not in routes:
            routes.append(word)
    if not routes:
        raise bad("routes", f"list at least one route ({' '.join(ROUTES)}).")
    per_diem = normalize_code(cell.get("home_per_diem", ""))
    if per_diem and per_diem not in PER_DIEM_LABELS:
        raise bad(
            "home_per_diem",
            f"“{per_diem}” is not a known home per-diem code ({', '.join(PER_DIEM_LABELS)}).",
        )
    return Drug(
        name=name,
        brand=cell["brand"],
        hcpcs=hcpcs,
        unit_mg=unit_mg,
        vial_sizes_mg=tuple(sorted(sizes)),
        single_dose=flag in _YES,
        admin_class=admin_class,
        routes=tuple(routes),
        home_per_diem=per_diem,
    )


def _positive_mg(text: str) -> Decimal | None:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() and value > 0 else None


# --- doses, units and vials -------------------------------------------------------------------


def dose_mg(dose: Decimal, per_kg: bool, weight_kg: Decimal | None) -> Decimal:
    """The dose in mg: ``dose`` itself, or ``dose`` (mg/kg) × weight when ``per_kg``."""
    _require_positive(dose, "The dose")
    if not per_kg:
        return _check_dose(dose)
    if weight_kg is None:
        raise ValueError("This dose is per kg: enter the patient's weight.")
    _require_positive(weight_kg, "The weight")
    return _check_dose(dose * weight_kg)


def billing_units(dose_mg: Decimal, unit_mg: Decimal) -> int:
    """Units of ``unit_mg`` each that cover ``dose_mg``: the quotient rounded UP."""
    _check_dose(dose_mg)
    _require_positive(unit_mg, "The billing unit")
    try:
        whole, rest = divmod(dose_mg, unit_mg)  # exact for Decimals
    except InvalidOperation:  # quotient beyond Decimal precision
        raise ValueError("The billing unit is too small for this dose: check both.") from None
    return int(whole) + (1 if rest > 0 else 0)


def choose_vials(
    dose_mg: Decimal, vial_sizes: Iterable[Decimal]
) -> tuple[dict[Decimal, int], Decimal]:
    """The vials that hold at least ``dose_mg`` with the least waste (ties: fewest vials).

    Returns the count of each vial size used (largest first, unused sizes left out) and the
    wasted mg. Works in steps of the sizes' greatest common divisor, and pre-fills with the
    largest vial so that the exact search stays small whatever the dose.
    """
    _check_dose(dose_mg)
    sizes = sorted(set(vial_sizes), reverse=True)
    if not sizes:
        raise ValueError("No vial sizes are listed for this drug.")
    for size in sizes:
        _require_positive(size, "A vial size")
    # Whole numbers: scale by a power of ten, then count in steps of the gcd.
    places = max(0, *(-int(s.as_tuple().exponent) for s in sizes))
    scaled = [int(s.scaleb(places)) for s in sizes]
    step = 0
    for n in scaled:
        step = gcd(step, n)
    steps = [n // step for n in scaled]
    whole, rest = divmod(dose_mg.scaleb(places), Decimal(step))
    target = int(whole) + (1 if rest > 0 else 0)
    largest = steps[0]
    # Some optimum uses fewer than `largest` smaller vials (any `largest` of them hold a
    # subset summing to a multiple of the largest size, which fewer largest vials replace), so
    # it holds more than `prefill` largest vials: take those up front.
    prefill = max(0, (target - largest * largest) // largest)
    rest_target = target - prefill * largest
    limit = rest_target + largest - 1  # whole largest vials always reach the target by here
    if limit > _MAX_VIAL_STEPS:
        raise ValueError("This dose is too large to plan with these vial sizes: check the dose.")
    counts = _fewest_vials(steps, rest_target, limit)
    counts[0] += prefill
    plan = {sizes[i]: c for i, c in enumerate(counts) if c}
    total = sum((size * c for size, c in plan.items()), Decimal(0))
    return plan, total - dose_mg


def _fewest_vials(steps: Sequence[int], target: int, limit: int) -> list[int]:
    """Counts per step size for the smallest total ≥ target (≤ limit), then fewest vials."""
    unreachable = limit + 1
    fewest = [unreachable] * (limit + 1)
    last = [-1] * (limit + 1)
    fewest[0] = 0
    for total in range(1, limit + 1):
        for i, size in enumerate(steps):  # largest first: ties keep the larger vial
            if size <= total and fewest[total - size] + 1 < fewest[total]:
                fewest[total] = fewest[total - size] + 1
                last[total] = i
    total = next(t for t in range(max(target, 0), limit + 1) if fewest[t] < unreachable)
    counts = [0] * len(steps)
    while total > 0:
        i = last[total]
        counts[i] += 1
        total -= steps[i]
    return counts


def drug_lines(drug: Drug, dose_mg: Decimal) -> list[BillingLine]:
    """The drug's claim lines for one dose: administered units, then any discarded (JW) units.

    Single-dose vials: JZ on the administered line when nothing billable is discarded,
    otherwise a separate JW line. Multi-dose containers: one line, no modifier.
    """
    given = billing_units(dose_mg, drug.unit_mg)
    label = f"{drug.title}, amount given"
    if not drug.single_dose:
        return [BillingLine(drug.hcpcs, "", given, label, "drug")]
    _, waste = choose_vials(dose_mg, drug.vial_sizes_mg)
    discarded = int(waste // drug.unit_mg)
    if discarded == 0:
        return [BillingLine(drug.hcpcs, "JZ", given, label, "drug")]
    return [
        BillingLine(drug.hcpcs, "", given, label, "drug"),
        BillingLine(
            drug.hcpcs, "JW", discarded, f"{drug.title}, amount discarded from vials", "drug"
        ),
    ]


# --- administration codes ---------------------------------------------------------------------


def added_hours(minutes: int) -> int:
    """Added hours after the first: one more each time the extra time passes 30 minutes."""
    extra = minutes - FIRST_HOUR_MINUTES
    if extra <= ADDED_HOUR_THRESHOLD_MINUTES:
        return 0
    return -(-(extra - ADDED_HOUR_THRESHOLD_MINUTES) // 60)  # ceiling division


def admin_lines(route: str, minutes: int, admin_class: str) -> list[BillingLine]:
    """Administration codes for one drug given by ``route`` over ``minutes``."""
    if admin_class not in CLASS_ROUTES:
        raise ValueError(
            f"Unknown administration class “{admin_class}”: use one of {', '.join(ADMIN_CLASSES)}."
        )
    if route not in ROUTES:
        raise ValueError(f"Unknown route “{route}”: use iv, sc or im.")
    if route not in CLASS_ROUTES[admin_class]:
        allowed = " or ".join(sorted(CLASS_ROUTES[admin_class]))
        raise ValueError(
            f"A {admin_class.replace('_', ' ')} drug is not given by route {route}: "
            f"use {allowed}, or change the drug's administration class."
        )
    if minutes <= 0:
        raise ValueError("Enter how many minutes the administration took (more than 0).")
    if admin_class == "injection":
        return [_admin("96372")]
    if admin_class == "subq_ig":
        if minutes < SC_INFUSION_MIN_MINUTES:
            return [_admin("96372")]
        first, added = "96369", "96370"
    elif minutes <= PUSH_MAX_MINUTES:
        return [_admin("96409" if admin_class == "chemo_complex" else "96374")]
    elif admin_class == "chemo_complex":
        first, added = "96413", "96415"
    else:
        first, added = "96365", "96366"
    lines = [_admin(first)]
    hours = added_hours(minutes)
    if hours:
        lines.append(_admin(added, hours))
    return lines


def _admin(code: str, units: int = 1) -> BillingLine:
    return BillingLine(code, "", units, ADMIN_LABELS[code], "admin")


def home_lines(drug: Drug, minutes: int) -> list[BillingLine]:
    """A home infusion visit: the nursing visit (99601 up to 2 hours, +99602 per added hour
    past 30 extra minutes) and the therapy's per-diem S-code for the infusion day.

    Office and hospital administration codes (963xx) are not billed for care at home. A drug
    without a per-diem code in the drug list gets the nursing lines only (see ``home_notes``).
    """
    if minutes <= 0:
        raise ValueError("Enter how many minutes the administration took (more than 0).")
    lines = [_admin("99601")]
    extra = added_hours(minutes - (HOME_VISIT_FIRST_MINUTES - FIRST_HOUR_MINUTES))
    if extra:
        lines.append(_admin("99602", extra))
    if drug.home_per_diem:
        code = drug.home_per_diem
        lines.append(BillingLine(code, "", 1, PER_DIEM_LABELS[code], "admin"))
    return lines


def home_notes(drug: Drug) -> list[str]:
    """What the suggestions for a home visit could not fill in (shown beside the lines)."""
    if drug.home_per_diem:
        return []
    return [
        f"No home infusion per-diem S-code is listed for {drug.title}: add the payer's code "
        "(e.g. S9379 for other infusion therapy) by hand, or name it in drugs.csv."
    ]


def suggest_lines(
    drug: Drug, dose_mg: Decimal, route: str, minutes: int, site: str = "infusion_center"
) -> list[BillingLine]:
    """Suggested lines for one therapy visit: the drug lines, then the administration lines
    (for a visit at the patient's home: the home nursing and per-diem lines)."""
    if route not in drug.routes:
        raise ValueError(
            f"The drug list gives {drug.title} by route {' or '.join(drug.routes)}, not {route}."
        )
    if site not in SITES:
        raise ValueError(f"Unknown site of care “{site}”: use one of {', '.join(SITES)}.")
    if site == "home":
        admin_lines(route, minutes, drug.admin_class)  # the same checks of route and minutes
        return drug_lines(drug, dose_mg) + home_lines(drug, minutes)
    return drug_lines(drug, dose_mg) + admin_lines(route, minutes, drug.admin_class)


def _require_positive(value: Decimal, what: str) -> None:
    if not value.is_finite() or value <= 0:
        raise ValueError(f"{what} must be a number greater than 0.")


def _check_dose(dose_mg: Decimal) -> Decimal:
    _require_positive(dose_mg, "The dose")
    if dose_mg > MAX_DOSE_MG:
        raise ValueError("The dose is over 10 kg of drug: check the dose and that it is in mg.")
    return dose_mg
