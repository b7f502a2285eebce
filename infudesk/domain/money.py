"""Money and rates as typed by a person: parse to Decimal, print back the US way."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
_MONEY = re.compile(r"^\$?\s*(-?[0-9][0-9,]*(\.[0-9]{0,2})?|-?\.[0-9]{1,2})$")


def cents(value: Decimal) -> Decimal:
    """Round half up to the cent."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def parse_money(text: str, *, allow_empty: bool = True) -> Decimal | None:
    """'$1,234.50', '1234.5', '900' → Decimal; '' → None. ValueError says what is wrong."""
    s = text.strip()
    if not s:
        if allow_empty:
            return None
        raise ValueError("Enter an amount, e.g. 1,500.00.")
    m = _MONEY.match(s)
    if not m or (("," in s) and not re.match(r"^\$?\s*-?[0-9]{1,3}(,[0-9]{3})*(\.[0-9]{0,2})?$", s)):
        raise ValueError("Type an amount in dollars, e.g. 1,500.00 (at most two decimals).")
    value = Decimal(m.group(1).replace(",", ""))
    if value < 0:
        raise ValueError("An amount cannot be negative.")
    return value


def parse_percent(text: str) -> Decimal | None:
    """'20', '20%', '12.5 %' → Decimal('0.20') etc.; '' → None. Over 100% is refused."""
    s = text.strip().rstrip("%").strip()
    if not s:
        return None
    try:
        value = Decimal(s)
    except InvalidOperation:
        raise ValueError("Type a percentage, e.g. 20 for 20%.") from None
    if not value.is_finite() or value < 0 or value > 100:
        raise ValueError("A percentage is between 0 and 100.")
    return (value / 100).quantize(Decimal("0.0001"))


def format_money(value: Decimal | None, *, blank: str = "") -> str:
    """$1,234.50 (or ``blank`` for None)."""
    if value is None:
        return blank
    return f"${cents(value):,.2f}"


def format_percent(rate: Decimal | None, *, blank: str = "") -> str:
    """0.2 → '20%', 0.125 → '12.5%'."""
    if rate is None:
        return blank
    pct = (rate * 100).normalize()
    text = f"{pct:f}"
    return f"{text}%"


def format_quantity(value: Decimal | None) -> str:
    """72.00 → '72', 360.000 → '360', 0.50 → '0.5' (no exponent, no trailing zeros)."""
    if value is None:
        return ""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
