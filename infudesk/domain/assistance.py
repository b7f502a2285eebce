"""Financial assistance rules: the federal poverty guidelines and a sliding-scale discount."""

from __future__ import annotations

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
