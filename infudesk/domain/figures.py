"""Yearly figures set by law or by CMS/HHS (Part B deductible, OOP ceilings, Medigap limits).

Pure: the figures come in as a decoded JSON object (``resources/reference/yearly-figures.json``,
read by ``infudesk.reference``) and go to the engine and the coverage checks as a parameter.
A year missing from the table falls back, figure by figure, to the latest earlier year that has
it (``lookup`` says which year it used, so the caller can warn).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

FIGURES: dict[str, str] = {
    "part_b_deductible": "Part B deductible",
    "part_b_coinsurance": "Part B coinsurance",
    "medicare_advantage_oop_limit": "Medicare Advantage in-network out-of-pocket limit",
    "aca_oop_max": "federal out-of-pocket limit for one person",
    "aca_oop_max_family": "federal family out-of-pocket limit",
    "medigap_k_oop_limit": "Medigap Plan K out-of-pocket limit",
    "medigap_l_oop_limit": "Medigap Plan L out-of-pocket limit",
    "medigap_high_deductible": "high-deductible Medigap F/G deductible",
}
_AMOUNT = re.compile(r"^[0-9]+(\.[0-9]{1,6})?$")


@dataclass(frozen=True)
class Figure:
    """One figure as found: its value and the year it belongs to (may be earlier than asked)."""

    name: str
    value: Decimal
    year: int
    asked: int

    @property
    def exact(self) -> bool:
        return self.year == self.asked

    @property
    def label(self) -> str:
        return FIGURES[self.name]


@dataclass(frozen=True, eq=False)
class YearlyFigures:
    """Figures by year: ``years[2026]["part_b_deductible"] == Decimal("283.00")``."""

    years: Mapping[int, Mapping[str, Decimal]] = field(default_factory=dict)

    def lookup(self, name: str, year: int) -> Figure | None:
        """The figure for ``year``, else from the latest earlier year, else the earliest later."""
        have = sorted(y for y, row in self.years.items() if name in row)
        if not have:
            return None
        earlier = [y for y in have if y <= year]
        used = earlier[-1] if earlier else have[0]
        return Figure(name, self.years[used][name], used, year)

    def value(self, name: str, year: int) -> Decimal | None:
        found = self.lookup(name, year)
        return None if found is None else found.value


NO_FIGURES = YearlyFigures()


def figures_from_json(doc: object) -> YearlyFigures:
    """The figures of a decoded ``yearly-figures.json``; raises ``ValueError`` naming the spot."""
    if not isinstance(doc, dict) or not isinstance(doc.get("years"), dict):
        raise ValueError('yearly figures: expected an object with "years": {"2026": {...}}')
    years: dict[int, dict[str, Decimal]] = {}
    for key, row in doc["years"].items():
        if not (isinstance(key, str) and key.isdigit() and len(key) == 4):
            raise ValueError(f"yearly figures: {key!r} is not a year")
        if not isinstance(row, dict):
            raise ValueError(f"yearly figures: years.{key} must be an object")
        out: dict[str, Decimal] = {}
        for name, text in row.items():
            if name not in FIGURES:
                raise ValueError(f"yearly figures: years.{key}.{name} is not a known figure")
            if not isinstance(text, str) or not _AMOUNT.match(text):
                raise ValueError(
                    f"yearly figures: years.{key}.{name} must be a string like '283.00'"
                )
            out[name] = Decimal(text)
        rate = out.get("part_b_coinsurance")
        if rate is not None and rate > 1:
            raise ValueError(f"yearly figures: years.{key}.part_b_coinsurance is a fraction 0-1")
        years[int(key)] = out
    return YearlyFigures(years)
