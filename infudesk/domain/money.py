"""Money and rates as typed by a person: parse to Decimal, print back the US way."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
MAX_MONEY = Decimal("100000000")  # a hundred million: anything above is a typo
MONEY_HELP = "Type an amount in dollars, e.g. 1,500 or 1500.00."
PERCENT_HELP = "Type the percent, e.g. 20 for 20%."
_NUMBER_RE = re.compile(r"^(?:[0-9]+(?:\.[0-9]{1,2})?|\.[0-9]{1,2})$")
_MINUS = ("-", "\u2212")


def cents(value: Decimal) -> Decimal:
    """Round half up to the cent."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _amount_re(places: int) -> re.Pattern[str]:
    d = f"[0-9]{{1,{places}}}"
    return re.compile(rf"^(?:[0-9]{{1,3}}(?:,[0-9]{{3}})+|[0-9]+)(?:\.{d})?$|^\.{d}$")


_AMOUNT_RE = {2: _amount_re(2), 4: _amount_re(4)}


def check_money(
    text: str, *, places: int = 2, maximum: Decimal = MAX_MONEY, help_text: str = MONEY_HELP
) -> tuple[Decimal | None, str | None]:
    """(amount, None), or (None, what is wrong). '$1,500', '1500.5', '.5'; '' → (None, None).

    Negatives (-5, (5), -$5) are refused with their own message; so is anything over
    ``maximum``. Amounts keep up to ``places`` decimals (2 for money, 4 for a unit price).
    """
    t = text.replace(" ", "")
    if not t:
        return None, None
    negative = False
    if t.startswith("(") and t.endswith(")"):  # accountants' negative
        negative, t = True, t[1:-1]
    if t.startswith(_MINUS):
        negative, t = True, t[1:]
    t = t.removeprefix("$")
    if t.startswith(_MINUS):
        negative, t = True, t[1:]
    if not _AMOUNT_RE[places].match(t):
        return None, help_text
    if negative:
        return None, "An amount cannot be negative."
    amount = Decimal(t.replace(",", ""))
    if amount > maximum:
        return None, f"An amount over ${maximum:,.0f} is not plausible here: check it."
    return (amount.quantize(CENT) if places == 2 else amount), None


def check_percent(text: str) -> tuple[Decimal | None, str | None]:
    """(rate, None) or (None, what is wrong): '20' and '20%' → 0.20; '0.5%' → 0.005.

    '0.2' without a % sign is refused as ambiguous (20%? 0.2%?); over 100 is refused.
    """
    t = text.replace(" ", "")
    if not t:
        return None, None
    has_sign = t.endswith("%")
    t = t.removesuffix("%")
    negative = t.startswith(_MINUS)
    t = t.lstrip("-\u2212")
    if not _NUMBER_RE.match(t):
        return None, PERCENT_HELP
    if negative:
        return None, "A percent cannot be negative."
    number = Decimal(t)
    if number > 100:
        return None, "A percent cannot be over 100."
    if 0 < number < 1 and not has_sign:
        return None, (
            f"Type the percent, e.g. 20 for 20% (not {t}). For a rate under 1%,"
            f" add the % sign: {t}%."
        )
    decimals = len(t.partition(".")[2])
    return (number / 100).quantize(Decimal(1).scaleb(-(decimals + 2))), None


def parse_money(text: str) -> Decimal | None:
    """Like check_money, raising ValueError with the message."""
    value, error = check_money(text)
    if error:
        raise ValueError(error)
    return value


def parse_percent(text: str) -> Decimal | None:
    """Like check_percent, raising ValueError with the message."""
    value, error = check_percent(text)
    if error:
        raise ValueError(error)
    return value


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
    return f"{pct:f}%"


def format_quantity(value: Decimal | None) -> str:
    """72.00 → '72', 360.000 → '360', 0.50 → '0.5' (no exponent, no trailing zeros)."""
    if value is None:
        return ""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
