"""What the Quotes screen decides, without Qt: what was typed in the what-if panel as typed
values (Decimals, whole units) with field errors, where a refused quote's errors go, the price
notes' text and which benefit terms can be edited."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from infudesk.domain import costshare as cs
from infudesk.domain.money import check_money, check_percent, format_money, format_percent
from infudesk.services import quotes as qs

MAX_UNITS = 100_000
ROLES = ("primary", "secondary")
# (field, label, kind) of a coverage's benefit terms on the what-if panel
TERM_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("deductible", "Deductible", "money"),
    ("deductible_met", "Deductible met", "money"),
    ("oop_max", "Out-of-pocket max", "money"),
    ("oop_met", "Out-of-pocket met", "money"),
    ("coinsurance", "Coinsurance %", "percent"),
    ("copay", "Copay per visit", "money"),
)
# the fields of the patient/order picker that a refused quote can name
PICK_FIELDS = ("primary", "secondary", "from_date")
NO_PRICE = "No price on file: enter the allowed amount per unit."
SITE_SHORT = {
    "infusion_center": "Infusion center",
    "hospital_outpatient": "Hospital outpatient",
    "home": "Home infusion",
}


def price_text(value: Decimal | None) -> str:
    """A unit price as typed back: 92.50, 1,250.00; more places only when the price has them."""
    if value is None:
        return ""
    if value == value.quantize(Decimal("0.01")):
        return f"{value:,.2f}"
    return f"{value.normalize():f}"


def rate_text(rate: Decimal | None) -> str:
    return format_percent(rate).rstrip("%") if rate is not None else ""


@dataclass(frozen=True)
class LineTexts:
    """A service line's editable cells as text."""

    units: str
    price: str
    charge: str
    coinsurance: str

    @classmethod
    def of(cls, ln: cs.ServiceLine) -> LineTexts:
        return cls(
            str(ln.units),
            price_text(ln.unit_price),
            price_text(ln.charge),
            rate_text(ln.coinsurance),
        )


def read_line(
    ln: cs.ServiceLine, shown: LineTexts, typed: LineTexts, *, missing: bool = False
) -> tuple[cs.ServiceLine | None, dict[str, str]]:
    """The line with what was typed over what was shown (a cell left as shown keeps the exact
    value), and errors by cell name (units, price, charge, coinsurance). ``missing``: the fee
    schedule had no price for it, so $0 is refused. None when the price cannot be read."""
    errors: dict[str, str] = {}
    units = ln.units
    if typed.units.strip() != shown.units:
        raw = typed.units.strip().replace(",", "")
        if not raw.isdigit() or not 0 < int(raw) <= MAX_UNITS:
            errors["units"] = "Type a whole number of units, e.g. 1 or 36."
        else:
            units = int(raw)
    price: Decimal | None = ln.unit_price
    if typed.price.strip() != shown.price:
        price, error = check_money(typed.price.strip())
        if error or price is None:
            errors["price"] = error or "Enter the allowed amount per unit."
    charge: Decimal | None = ln.charge
    if typed.charge.strip() != shown.charge:
        charge, error = check_money(typed.charge.strip())
        if error:
            errors["charge"] = error
    rate: Decimal | None = ln.coinsurance
    if typed.coinsurance.strip() != shown.coinsurance:
        rate, error = check_percent(typed.coinsurance.strip())
        if error:
            errors["coinsurance"] = error
    if missing and price == 0 and "price" not in errors:
        errors["price"] = NO_PRICE
    if price is None:
        return None, errors
    return replace(ln, units=units, unit_price=price, charge=charge, coinsurance=rate), errors


@dataclass(frozen=True)
class TermField:
    """How one benefit-term field shows a coverage's term."""

    enabled: bool
    text: str = ""
    placeholder: str = ""


def term_field(cov: cs.Coverage | None, name: str, kind: str) -> TermField:
    if cov is None or cov.plan_type == "medigap":
        return TermField(False)
    if not cs.term_applies(cov, name):
        return TermField(False, placeholder="none (Medicare)")
    if cs.term_by_law(cov, name):  # Original Medicare's figure of each year (empty: keep it so)
        return TermField(True, placeholder="by law, per year")
    value = getattr(cov, name)
    if kind == "percent":
        text = rate_text(value)
    else:
        text = format_money(value).lstrip("$") if value is not None else ""
    return TermField(True, text, "none" if name in ("deductible", "oop_max") else "")


def read_terms(
    role: str, cov: cs.Coverage | None, typed: Mapping[str, str]
) -> tuple[cs.Coverage | None, dict[str, str]]:
    """The coverage with the typed terms (``typed``: field name → text, for the fields that
    apply), and errors keyed "role.field". An empty deductible or maximum is none; an empty
    Original Medicare deductible or coinsurance stays the law's; other empty terms are 0."""
    if cov is None or cov.plan_type == "medigap":
        return cov, {}
    errors: dict[str, str] = {}
    out = cov
    for name, _label, kind in TERM_FIELDS:
        if name not in typed or not cs.term_applies(cov, name):
            continue
        check = check_percent if kind == "percent" else check_money
        value, error = check(typed[name].strip())
        if error:
            errors[f"{role}.{name}"] = error
            continue
        out = cs.with_term(out, name, value)
    return out, errors


@dataclass(frozen=True)
class Placed:
    """Where a refused quote's errors are shown: under a term field, under a picker field, in
    the status line."""

    terms: dict[str, str] = field(default_factory=dict)
    pick: dict[str, str] = field(default_factory=dict)
    status: str = ""


def place_errors(errors: Mapping[str, str]) -> Placed:
    """Sort a ValidationFailed's errors (keyed by field path) to the screen's fields."""
    term_keys = {f"{r}.{n}" for r in ROLES for n, _l, _k in TERM_FIELDS}
    terms: dict[str, str] = {}
    pick: dict[str, str] = {}
    status: list[str] = []
    for path, text in errors.items():
        role, _, name = path.partition(".")
        if path in term_keys:
            terms[path] = text
            status.append(f"{role.capitalize()} terms: {text}")
        elif role in ROLES and name in ("", "plan_type", "medigap_plan"):
            pick[role] = text
            status.append(text)
        elif path == "from_date":
            pick[path] = "No planned visit from this date on."
            status.append(text)
        elif role in ROLES:
            status.append(f"{role.capitalize()} plan ({name.replace('_', ' ')}): {text}")
        else:
            status.append(text)
    return Placed(terms, pick, " ".join(status))


def missing_prices(setup: qs.QuoteSetup) -> set[int]:
    """The lines the fee schedule had no price for (the service gave them $0)."""
    return {
        r
        for r, (ln, note) in enumerate(zip(setup.lines, setup.price_notes, strict=False))
        if ln.unit_price == 0 and note.missing
    }


def line_note(setup: qs.QuoteSetup, row: int) -> str:
    """The tooltip of a line's cells: where its price came from."""
    if len(setup.price_notes) != len(setup.lines):
        return ""
    return _site_words(setup.price_notes[row].text)


def _site_words(text: str) -> str:
    for key, label in SITE_SHORT.items():
        text = text.replace(f"({key})", f"({label.lower()})")
    return text


def price_notes(notes: Sequence[qs.PriceNote]) -> tuple[str, str]:
    """(where the prices came from, what is missing) as shown under the lines: one source for
    all says so once."""
    missing = [n for n in notes if n.missing]
    sources = {n.source for n in notes if not n.missing and not n.per}
    if len(sources) == 1 and not missing and all(n.code for n in notes):
        found = f"Prices from the {sources.pop()}."
    else:
        found = " ".join(n.text for n in notes if not n.missing)
    return _site_words(found), _site_words(" ".join(n.text for n in missing))


def missing_codes(notes: Sequence[qs.PriceNote]) -> list[str]:
    """The codes without a price on file (a comparison column says to add them)."""
    return [n.code for n in notes if n.missing]


def plan_name(labels: Mapping[str, str], role: str) -> str:
    """A setup's plan name for ``role`` without its rank ("Lakeshore Health PPO"); quotes saved
    before plan names were kept show the ranked label; the order's label as it is."""
    return labels.get(f"{role}_plan") or labels.get(role, "")


def whatif_state(setup: qs.QuoteSetup, base: qs.QuoteSetup) -> tuple[bool, str]:
    """(changed from the terms on file, the line saying so)."""
    edited = setup != base
    return edited, (
        "What-if: changed from the terms on file."
        if edited
        else "Using the prices and terms on file."
    )
