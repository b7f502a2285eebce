"""The drug list a site keeps in resources/drugs.csv (read once, then cached)."""

from __future__ import annotations

from functools import lru_cache

from infudesk.domain.billing import Drug, parse_drug_table
from infudesk.errors import UserError
from infudesk.resources import resource


@lru_cache(maxsize=1)
def drug_list() -> tuple[Drug, ...]:
    path = resource("drugs.csv")
    try:
        return tuple(parse_drug_table(path.read_text(encoding="utf-8")))
    except OSError as exc:
        raise UserError(f"The drug list {path} cannot be read: {exc.strerror}.") from exc
    except ValueError as exc:
        raise UserError(
            f"The drug list {path} has a problem: {exc} Fix the file and restart."
        ) from exc


def find_drug(hcpcs: str, name: str = "") -> Drug | None:
    """The drug with this code (and name, when several products share a code)."""
    matches = [d for d in drug_list() if d.hcpcs == hcpcs.strip().upper()]
    for d in matches:
        if not name or d.name == name or d.title == name:
            return d
    return matches[0] if matches else None
