"""Financial assistance rules: the federal poverty guidelines and a sliding-scale discount."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

# HHS poverty guidelines: (first person, each additional person), by year and region.
GUIDELINES: dict[int, dict[str, tuple[int, int]]] = {
    2025: {"48": (15650, 5500), "AK": (19550, 6880), "HI": (17990, 6330)},
    2026: {"48": (15960, 5680), "AK": (19950, 7100), "HI": (18360, 6530)},
}
PROGRAM_KINDS: dict[str, str] = {
    "copay_card": "Manufacturer copay card",
    "foundation_grant": "Foundation grant",
    "discount": "Discount (sliding scale, charity care)",
}
# A common default sliding scale (a site's policy may differ): up to this % of FPL → discount.
DEFAULT_SCALE: tuple[tuple[int, Decimal], ...] = (
    (100, Decimal("1.00")),
    (150, Decimal("0.75")),
    (200, Decimal("0.50")),
    (250, Decimal("0.25")),
)


def guideline(household: int, year: int, state: str = "") -> int:
    """The poverty guideline in dollars for a household (48 states + DC, Alaska, Hawaii)."""
    if household < 1:
        raise ValueError("A household has at least one person.")
    table = GUIDELINES.get(year) or GUIDELINES[max(GUIDELINES)]
    region = state.upper() if state.upper() in ("AK", "HI") else "48"
    first, each = table[region]
    return first + each * (household - 1)


def fpl_percent(income: Decimal, household: int, year: int, state: str = "") -> Decimal:
    """Household income as a percentage of the poverty guideline, to one decimal."""
    if income < 0:
        raise ValueError("Income cannot be negative.")
    pct = income / Decimal(guideline(household, year, state)) * 100
    return pct.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ScaleResult:
    fpl_percent: Decimal
    discount: Decimal  # a rate 0–1
    explanation: str


def sliding_scale(
    income: Decimal,
    household: int,
    year: int,
    state: str = "",
    scale: tuple[tuple[int, Decimal], ...] = DEFAULT_SCALE,
) -> ScaleResult:
    """The discount the scale gives this household, with the reason in words."""
    pct = fpl_percent(income, household, year, state)
    g = guideline(household, year, state)
    for limit, rate in scale:
        if pct <= limit:
            return ScaleResult(
                pct,
                rate,
                (
                    f"Household of {household}, income ${income:,.0f} = {pct}% of the {year} poverty "
                    f"guideline (${g:,}); up to {limit}% qualifies for {rate * 100:.0f}% off."
                ),
            )
    return ScaleResult(
        pct,
        Decimal("0"),
        (
            f"Household of {household}, income ${income:,.0f} = {pct}% of the {year} poverty "
            f"guideline (${g:,}): above the sliding scale ({scale[-1][0]}%)."
        ),
    )


# --- screening: which programs of the directory fit a patient, and why not the others -----------

Table = dict[int, dict[str, tuple[int, int]]]
STATES: frozenset[str] = frozenset(
    [
        "AL",
        "AK",
        "AZ",
        "AR",
        "CA",
        "CO",
        "CT",
        "DE",
        "DC",
        "FL",
        "GA",
        "HI",
        "ID",
        "IL",
        "IN",
        "IA",
        "KS",
        "KY",
        "LA",
        "ME",
        "MD",
        "MA",
        "MI",
        "MN",
        "MS",
        "MO",
        "MT",
        "NE",
        "NV",
        "NH",
        "NJ",
        "NM",
        "NY",
        "NC",
        "ND",
        "OH",
        "OK",
        "OR",
        "PA",
        "RI",
        "SC",
        "SD",
        "TN",
        "TX",
        "UT",
        "VT",
        "VA",
        "WA",
        "WV",
        "WI",
        "WY",
    ]
)
# coverage a manufacturer program excludes ("no government coverage"): federal health programs
GOVERNMENT_PLAN_TYPES: frozenset[str] = frozenset(
    {"medicare_part_b", "medicare_advantage", "medigap", "medicaid", "medicaid_managed_care"}
)


def table_from_json(doc: object) -> Table:
    """The ``years`` block of resources/reference/poverty-guidelines.json as a table."""
    if not isinstance(doc, dict) or not isinstance(doc.get("years"), dict):
        raise ValueError("no 'years' block")
    out: Table = {}
    for year, regions in doc["years"].items():
        if set(regions) != {"48", "AK", "HI"}:
            raise ValueError(f"{year}: regions must be 48, AK and HI")
        out[int(year)] = {r: (int(v[0]), int(v[1])) for r, v in regions.items()}
    return out


@dataclass(frozen=True)
class ProgramRules:
    """A directory program's eligibility rules, as screening sees them (``drugs``: HCPCS codes
    or drug names, ``diagnoses``: ICD-10 prefixes; empty: any)."""

    program_id: int
    name: str
    kind: str
    drugs: tuple[str, ...] = ()
    diagnoses: tuple[str, ...] = ()
    no_government: bool = False
    fpl_limit: int | None = None


@dataclass(frozen=True)
class Applicant:
    """What screening asks: household size, yearly household income, state of residence,
    the plan types of the current coverages (empty: uninsured), the drug (HCPCS code and
    name) and the diagnosis code."""

    household: int
    income: Decimal
    state: str
    plan_types: tuple[str, ...] = ()
    drug_codes: tuple[str, ...] = ()
    diagnosis: str = ""


NO_RULES = "No eligibility rules on file: ask the sponsor whether the patient qualifies."


@dataclass(frozen=True)
class Fit:
    """One program: whether it fits and, when it does not, every reason why. A program with no
    rule on file (no drug, diagnosis, income or coverage rule) neither fits nor fails:
    ``unknown``, with :data:`NO_RULES` as its reason."""

    program_id: int
    name: str
    fits: bool
    reasons: tuple[str, ...] = ()
    unknown: bool = False


@dataclass(frozen=True)
class Screening:
    year: int
    guideline: int
    fpl_percent: Decimal
    fits: tuple[Fit, ...]  # those that fit, those without rules, the others; each by name


def region_of(state: str) -> str:
    """The guideline region of a state (two-letter code): "48", "AK" or "HI"."""
    code = state.strip().upper()
    if code not in STATES:
        raise ValueError(
            f"The poverty guidelines cover the 50 states and DC; “{state}” is not one of them."
        )
    return code if code in ("AK", "HI") else "48"


def screen(
    programs: Sequence[ProgramRules],
    who: Applicant,
    *,
    year: int,
    table: Table | None = None,
) -> Screening:
    """Which programs fit ``who`` under ``year``'s guidelines (the latest year on file when
    ``year`` is not), and for the others why not: government coverage where a program
    excludes it, income above the program's limit (% of the guideline), another drug or
    diagnosis."""
    table = table or GUIDELINES
    if who.household < 1:
        raise ValueError("A household has at least one person.")
    if who.income < 0:
        raise ValueError("Income cannot be negative.")
    earlier = [y for y in table if y <= year]
    used_year = max(earlier) if earlier else min(table)
    first, each = table[used_year][region_of(who.state)]
    g = first + each * (who.household - 1)
    pct = (who.income / Decimal(g) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    government = sorted(set(who.plan_types) & GOVERNMENT_PLAN_TYPES)
    drugs = {d.casefold() for d in who.drug_codes}
    dx = who.diagnosis.strip().upper().replace(".", "")
    out: list[Fit] = []
    for p in programs:
        why: list[str] = []
        if p.no_government and government:
            why.append(
                "Not with government coverage ("
                + ", ".join(g_.replace("_", " ") for g_ in government)
                + ")."
            )
        if p.fpl_limit is not None and pct > p.fpl_limit:
            why.append(
                f"Income is {pct}% of the {used_year} poverty guideline; the limit is "
                f"{p.fpl_limit}%."
            )
        if p.drugs and not drugs & {d.casefold() for d in p.drugs}:
            why.append(f"Only for {', '.join(p.drugs)}.")
        if p.diagnoses and not any(dx.startswith(x.upper().replace(".", "")) for x in p.diagnoses):
            why.append(f"Only for diagnoses {', '.join(p.diagnoses)}.")
        ruled = bool(p.drugs or p.diagnoses or p.no_government or p.fpl_limit is not None)
        if not ruled:
            out.append(Fit(p.program_id, p.name, False, (NO_RULES,), unknown=True))
        else:
            out.append(Fit(p.program_id, p.name, not why, tuple(why)))
    # the programs that fit, then those to ask about, then the others
    out.sort(
        key=lambda f: (0 if f.fits else 1 if f.unknown else 2, f.name.casefold(), f.program_id)
    )
    return Screening(used_year, g, pct, tuple(out))
