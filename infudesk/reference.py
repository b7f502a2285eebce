"""Reference tables shipped in resources/ (read once, cached): the yearly figures and the
poverty guidelines."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from infudesk.domain.assistance import Table, table_from_json
from infudesk.domain.figures import YearlyFigures, figures_from_json
from infudesk.resources import resource


def load_figures(path: Path) -> YearlyFigures:
    """Figures from a JSON file; ``ValueError`` (naming the file) when it is unreadable."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        return figures_from_json(doc)
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: {exc}") from exc


@lru_cache(maxsize=1)
def yearly_figures() -> YearlyFigures:
    """The shipped ``resources/reference/yearly-figures.json``."""
    return load_figures(resource("reference", "yearly-figures.json"))


@lru_cache(maxsize=1)
def poverty_guidelines() -> Table:
    """The shipped ``resources/reference/poverty-guidelines.json`` (by year and region)."""
    path = resource("reference", "poverty-guidelines.json")
    try:
        return table_from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: {exc}") from exc
