"""Fee schedules: allowed amounts per payer, code and site; the center's charges and self-pay
prices. Parsing a schedule CSV (a site keeps it in a spreadsheet) and choosing a price."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from infudesk.domain.money import check_money
from infudesk.domain.orders import SITE_LABELS
from infudesk.domain.validation import check_procedure_code

COLUMNS = ("payer", "site", "code", "allowed", "charge", "self_pay")
MAX_UNIT_PRICE = Decimal("1000000")


@dataclass(frozen=True)
class FeeRow:
    """One price row: ``payer`` "" is the center's own row; ``site`` "" means any site."""

    payer: str
    site: str
    code: str
    allowed: Decimal | None = None
    charge: Decimal | None = None
    self_pay: Decimal | None = None
    line: int = field(default=0, compare=False)  # where it was in the file (0: not from a file)


PRICE_HELP = "Type the amount per unit in dollars, e.g. 92.50 (up to 4 decimals)."


def check_unit_price(text: str) -> tuple[Decimal | None, str | None]:
    """A price per unit as typed (in a form or a schedule file): '$1,234.5', '0.0125';
    0 to 1,000,000, up to 4 decimals. '' → (None, None)."""
    return check_money(text, places=4, maximum=MAX_UNIT_PRICE, help_text=PRICE_HELP)


def _price(text: str, line: int, column: str) -> Decimal | None:
    value, error = check_unit_price(text)
    if error:
        raise ValueError(f"Line {line}, column {column}: “{text}”: {error}")
    return value


def parse_fee_csv(text: str) -> list[FeeRow]:
    """Rows of a fee-schedule CSV; ValueError names the line and column of the first problem."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    header: dict[str, int] | None = None
    rows: list[FeeRow] = []
    seen: dict[tuple[str, str, str], int] = {}
    last = 0
    for raw in reader:
        line = last + 1
        last = reader.line_num
        cells = [c.strip() for c in raw]
        comment = (
            bool(cells) and cells[0].startswith("#") and (header is None or not any(cells[1:]))
        )
        if not any(cells) or comment:
            continue  # blank lines; "#" comments (below the header: a line with no other cell)
        if header is None:
            names = [c.lower() for c in cells]
            missing = [c for c in COLUMNS if c not in names]
            if missing:
                raise ValueError(
                    f"Line {line}: the header must name the columns {', '.join(COLUMNS)}; "
                    f"missing {', '.join(missing)}."
                )
            header = {name: names.index(name) for name in COLUMNS}
            continue

        columns = header

        def cell(name: str, cells: list[str] = cells, columns: dict[str, int] = columns) -> str:
            i = columns[name]
            return cells[i] if i < len(cells) else ""

        code = cell("code").upper()
        if check_procedure_code(code):
            raise ValueError(
                f"Line {line}, column code: “{cell('code')}” is not a CPT or HCPCS code."
            )
        site = cell("site")
        if site and site not in SITE_LABELS:
            raise ValueError(
                f"Line {line}, column site: use one of {', '.join(SITE_LABELS)} or leave it empty."
            )
        row = FeeRow(
            payer=" ".join(cell("payer").split()),
            site=site,
            code=code,
            allowed=_price(cell("allowed"), line, "allowed"),
            charge=_price(cell("charge"), line, "charge"),
            self_pay=_price(cell("self_pay"), line, "self_pay"),
            line=line,
        )
        if row.allowed is None and row.charge is None and row.self_pay is None:
            raise ValueError(f"Line {line}: give at least one of allowed, charge, self_pay.")
        if row.payer and row.allowed is None:
            raise ValueError(
                f"Line {line}, column allowed: a payer's row needs the allowed amount."
            )
        key = (row.payer.casefold(), row.site, row.code)
        if key in seen:
            raise ValueError(f"Line {line}: the same payer, site and code as line {seen[key]}.")
        seen[key] = line
        rows.append(row)
    if header is None or not rows:
        raise ValueError("The file is empty or has only a header: it needs at least one price row.")
    return rows


@dataclass(frozen=True)
class Price:
    """The price of one unit of a code for a quote, and where it came from."""

    unit_price: Decimal | None  # allowed (or the self-pay price when self-pay)
    charge: Decimal | None
    source: str


def choose_price(rows: Iterable[FeeRow], code: str, *, payer: str | None, site: str) -> Price:
    """Payer's row for the site, else the payer's any-site row; the center's row gives the
    charge and, for self-pay (``payer`` None), the self-pay price."""
    by_key = {(r.payer.casefold(), r.site, r.code): r for r in rows}

    def find(who: str) -> FeeRow | None:
        return by_key.get((who.casefold(), site, code)) or by_key.get((who.casefold(), "", code))

    own = find("")
    charge = own.charge if own else None
    if payer is None:
        price = own.self_pay if own and own.self_pay is not None else charge
        return Price(
            price,
            charge,
            "self-pay price list"
            if own and own.self_pay is not None
            else ("billed charge" if charge is not None else "no price"),
        )
    mine = find(payer)
    if mine is not None and mine.allowed is not None:
        where = f"{payer} fee schedule" + (f" ({site})" if mine.site else "")
        return Price(mine.allowed, charge, where)
    return Price(None, charge, f"no allowed amount for {code} from {payer}")
