"""The `quote --json` contract: a JSON request into engine inputs, the engine's result back to JSON.

Pure (text in, dicts out). A request that cannot be accepted raises ``RequestError``, whose
one-line text names the JSON path (``primary.coinsurance``, ``lines[1].units``) and what is
wrong. Choices where the contract is silent:

- Money is a JSON string (the contract's form, ``"84.12"``) or a JSON number; numbers are read
  from their decimal text, never through a binary float, so ``84.12`` is exactly 84.12.
  At most two decimals, except ``unit_price`` and ``charge`` (up to four: ASP payment limits
  have three). No "$", no thousands separators, no negatives, below $100,000,000.
- Rates (``coinsurance``, a discount's ``percent``) are fractions 0–1 with up to 6 decimals.
- ``units`` is a whole number 1–100,000 (a JSON integer, or a string of digits).
- Unknown fields are refused at every level, and so is a field given twice in one object.
- ``service_dates`` may come in any order (visits are applied in date order) but not twice the
  same date (every visit has the same lines); both it and ``schedule`` are limited to 366
  visits; ``schedule.every_days`` is 1–366.
- ``code`` is optional (the explanation calls the line "line N" without one).
- ``plan_year_start`` may not be 02-29; a copay card's maximums are optional (null = none).
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, NoReturn, TypeVar

from infudesk.domain import costshare as cs
from infudesk.domain.validation import normalize_code

MAX_VISITS = 366
MAX_LINES = 100
MAX_UNITS = 100_000
MONEY_LIMIT = Decimal("100000000")
PLAN_TYPES: tuple[str, ...] = (
    "commercial",
    "medicare_part_b",
    "medicare_advantage",
    "medicaid",
    "medigap",
)
_MONEY_RE = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")
_DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_MMDD_RE = re.compile(r"^[0-9]{2}-[0-9]{2}$")
_UNITS_RE = re.compile(r"^[0-9]+$")

REQUEST_FIELDS = ("service_dates", "schedule", "lines", "primary", "secondary", "assistance")
SCHEDULE_FIELDS = ("start", "every_days", "count")
LINE_FIELDS = ("code", "units", "unit_price", "charge", "coinsurance")
COVERAGE_FIELDS = (
    "plan_type",
    "medigap_plan",
    "network",
    "deductible",
    "deductible_met",
    "oop_max",
    "oop_met",
    "coinsurance",
    "copay",
    "copay_after_deductible",
    "copay_counts_toward_deductible",
    "deductible_applies",
    "family",
    "plan_year_start",
    "cob_method",
)
FAMILY_FIELDS = ("deductible", "deductible_met", "oop_max", "oop_met", "embedded")
PROGRAM_FIELDS: dict[str, tuple[str, ...]] = {
    "copay_card": (
        "kind",
        "name",
        "per_visit_max",
        "annual_max",
        "used",
        "counts_toward_accumulators",
    ),
    "foundation_grant": ("kind", "name", "balance", "expires"),
    "discount": ("kind", "name", "percent"),
}

T = TypeVar("T")


class RequestError(ValueError):
    """A request that cannot be accepted: ``path`` in the JSON and what is wrong there."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


class _JsonObject(dict[str, Any]):
    """A JSON object that remembers the names it was given more than once."""

    duplicates: tuple[str, ...] = ()


def _pairs(pairs: list[tuple[str, Any]]) -> _JsonObject:
    obj = _JsonObject(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        twice: list[str] = []
        for key, _ in pairs:
            if key in seen:
                twice.append(key)
            seen.add(key)
        obj.duplicates = tuple(twice)
    return obj


def _no_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not a number JSON allows")


def _fail(path: str, message: str) -> NoReturn:
    raise RequestError(path, message)


def _show(value: object) -> str:
    """A short JSON-ish rendering of a bad value for a message."""
    if isinstance(value, Decimal):
        text = str(value)
    elif isinstance(value, dict):
        text = "an object"
    elif isinstance(value, list):
        text = "a list"
    else:
        text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "..."


def _at(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


# --- JSON text -------------------------------------------------------------------------------


def decode(raw: bytes | str) -> object:
    """The JSON value of a request's text (UTF-8, a byte-order mark allowed)."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            _fail("request", f"not UTF-8 text (byte {exc.start}); save the file as UTF-8")
    if not raw.strip():
        _fail("request", 'empty; expected a JSON object such as {"service_dates": [...], ...}')
    try:
        return json.loads(
            raw, parse_float=Decimal, parse_constant=_no_constant, object_pairs_hook=_pairs
        )
    except json.JSONDecodeError as exc:
        _fail("request", f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}")
    except (ValueError, RecursionError) as exc:
        _fail("request", f"not valid JSON: {exc}")


def load_request(raw: bytes | str) -> cs.QuoteRequest:
    """Parse and check a request's text; raises ``RequestError``."""
    return request_from_json(decode(raw))


# --- values ----------------------------------------------------------------------------------


def _object(value: object, path: str, known: Sequence[str]) -> dict[str, Any]:
    where = path or "request"
    if not isinstance(value, dict):
        _fail(where, f"must be a JSON object {{...}}, not {_show(value)}")
    for key in getattr(value, "duplicates", ()):
        _fail(_at(path, key), "given twice; give each field once")
    for key in value:
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f" (known: {', '.join(known)})"
            _fail(_at(path, key), f"unknown field{hint}")
    return value


def _decimal(value: object, path: str, what: str) -> Decimal:
    if isinstance(value, bool) or value is None:
        _fail(path, f"must be {what}, not {_show(value)}")
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, str):
        text = value.strip()
        if _MONEY_RE.match(text):
            return Decimal(text)
    _fail(path, f"must be {what}, not {_show(value)}")


def _money(value: object, path: str, *, places: int = 2) -> Decimal:
    what = 'an amount of money such as "84.12"'
    d = _decimal(value, path, what)
    if d < 0:
        _fail(path, f"must not be negative ({_show(value)})")
    if d >= MONEY_LIMIT:
        _fail(path, f"{_show(value)} is too large (the limit is 99,999,999.99)")
    exponent = d.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -places:
        _fail(path, f"{_show(value)} has more than {places} decimals")
    return d.quantize(Decimal(1).scaleb(-max(places, 2)))


def _opt_money(value: object, path: str, *, places: int = 2) -> Decimal | None:
    return None if value is None else _money(value, path, places=places)


def _rate(value: object, path: str) -> Decimal:
    d = _decimal(value, path, 'a rate between 0 and 1 such as "0.20"')
    if not 0 <= d <= 1:
        _fail(path, f'must be a rate between 0 and 1 such as "0.20" (20%), not {_show(value)}')
    exponent = d.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -6:
        _fail(path, f"{_show(value)} has more than 6 decimals")
    return d


def _date(value: object, path: str) -> date:
    if not isinstance(value, str) or not _DATE_RE.match(value):
        _fail(path, f"must be a date written YYYY-MM-DD, not {_show(value)}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        _fail(path, f"{value} is not a date that exists")


def _bool(value: object, path: str) -> bool:
    if not isinstance(value, bool):
        _fail(path, f"must be true or false, not {_show(value)}")
    return value


def _choice(value: object, path: str, choices: Sequence[str]) -> str:
    if not isinstance(value, str) or value not in choices:
        _fail(path, f"must be one of {', '.join(choices)}; not {_show(value)}")
    return value


def _text(value: object, path: str) -> str:
    if not isinstance(value, str) or not value.strip():
        _fail(path, f"must be a non-empty text, not {_show(value)}")
    if len(value) > 200:
        _fail(path, "is too long (200 characters at most)")
    return " ".join(value.split())


def _integer(value: object, path: str, low: int, high: int, what: str) -> int:
    if isinstance(value, str) and _UNITS_RE.match(value.strip()):
        value = int(value)
    if isinstance(value, Decimal) and value == value.to_integral_value() and abs(value) < 10**9:
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        _fail(path, f"must be {what}, not {_show(value)}")
    if not low <= value <= high:
        _fail(path, f"must be {what} from {low:,} to {high:,}, not {value}")
    return value


def _get(obj: dict[str, Any], key: str, path: str, parse: Callable[[Any, str], T], default: T) -> T:
    """``parse(obj[key])`` or ``default`` when the field is absent (or null for optional ones)."""
    if key not in obj:
        return default
    return parse(obj[key], _at(path, key))


# --- the request -----------------------------------------------------------------------------


def request_from_json(value: object) -> cs.QuoteRequest:
    """Engine inputs from a decoded request; raises ``RequestError``."""
    obj = _object(value, "", REQUEST_FIELDS)
    dates = _dates(obj)
    if "lines" not in obj:
        _fail("lines", "missing; give the visit's lines (code, units, unit_price)")
    lines = _lines(obj["lines"])
    primary = _coverage(obj.get("primary"), "primary")
    secondary = _coverage(obj.get("secondary"), "secondary")
    problem = cs.check_pairing(primary, secondary)
    if problem:
        _fail(*problem)
    programs = obj.get("assistance")
    assistance: tuple[cs.Program, ...] = ()
    if programs is not None:
        if not isinstance(programs, list):
            _fail("assistance", f"must be a list of programs, not {_show(programs)}")
        assistance = tuple(_program(p, _at("assistance", i)) for i, p in enumerate(programs))
    return cs.QuoteRequest(dates, lines, primary, secondary, assistance)


def _dates(obj: dict[str, Any]) -> tuple[date, ...]:
    has_dates = obj.get("service_dates") is not None
    has_schedule = obj.get("schedule") is not None
    if has_dates and has_schedule:
        _fail("schedule", "give service_dates or schedule, not both")
    if has_schedule:
        return _schedule(obj["schedule"])
    if not has_dates:
        _fail("service_dates", "missing; give service_dates (a list of dates) or a schedule")
    raw = obj["service_dates"]
    if not isinstance(raw, list):
        _fail("service_dates", f"must be a list of dates, not {_show(raw)}")
    if not raw:
        _fail("service_dates", "is empty; give at least one visit date")
    if len(raw) > MAX_VISITS:
        _fail("service_dates", f"{len(raw)} visits; at most {MAX_VISITS} in one quote")
    dates: list[date] = []
    for i, item in enumerate(raw):
        d = _date(item, _at("service_dates", i))
        if d in dates:
            _fail(_at("service_dates", i), f"{d} is given twice; list each visit date once")
        dates.append(d)
    return tuple(dates)


def _schedule(value: object) -> tuple[date, ...]:
    obj = _object(value, "schedule", SCHEDULE_FIELDS)
    for key in SCHEDULE_FIELDS:
        if key not in obj:
            _fail(_at("schedule", key), "missing; a schedule has start, every_days and count")
    start = _date(obj["start"], "schedule.start")
    every = _integer(obj["every_days"], "schedule.every_days", 1, 366, "a whole number of days")
    count = _integer(obj["count"], "schedule.count", 1, MAX_VISITS, "a number of visits")
    try:
        return tuple(start + timedelta(days=every * i) for i in range(count))
    except OverflowError:
        _fail("schedule", "runs past the year 9999")


def _lines(value: object) -> tuple[cs.ServiceLine, ...]:
    if not isinstance(value, list):
        _fail("lines", f"must be a list of lines, not {_show(value)}")
    if not value:
        _fail("lines", "is empty; give at least one line (code, units, unit_price)")
    if len(value) > MAX_LINES:
        _fail("lines", f"{len(value)} lines; at most {MAX_LINES} in one visit")
    return tuple(_line(item, _at("lines", i), i) for i, item in enumerate(value))


def _line(value: object, path: str, index: int) -> cs.ServiceLine:
    obj = _object(value, path, LINE_FIELDS)
    for key in ("units", "unit_price"):
        if key not in obj:
            _fail(_at(path, key), "missing")
    code = _get(obj, "code", path, _text, f"line {index + 1}")
    units = _integer(obj["units"], _at(path, "units"), 1, MAX_UNITS, "a whole number of units")
    price = _money(obj["unit_price"], _at(path, "unit_price"), places=4)
    charge = _get(obj, "charge", path, lambda v, p: _opt_money(v, p, places=4), None)
    rate = _get(obj, "coinsurance", path, lambda v, p: None if v is None else _rate(v, p), None)
    return cs.ServiceLine(normalize_code(code), units, price, charge, rate)


def _plan_year_start(value: object, path: str) -> cs.MonthDay:
    if not isinstance(value, str) or not _MMDD_RE.match(value):
        _fail(path, f'must be MM-DD such as "01-01" or "07-01", not {_show(value)}')
    month, day = int(value[:2]), int(value[3:])
    if (month, day) == (2, 29):
        _fail(path, "02-29 cannot start a plan year (it is missing in most years); use 03-01")
    try:
        date(2001, month, day)
    except ValueError:
        _fail(path, f"{value} is not a day of the year")
    return cs.MonthDay(month, day)


def _family(value: object, path: str) -> cs.FamilyTerms | None:
    if value is None:
        return None
    obj = _object(value, path, FAMILY_FIELDS)
    return cs.FamilyTerms(
        deductible=_get(obj, "deductible", path, _opt_money, None),
        deductible_met=_get(obj, "deductible_met", path, _money, cs.ZERO),
        oop_max=_get(obj, "oop_max", path, _opt_money, None),
        oop_met=_get(obj, "oop_met", path, _money, cs.ZERO),
        embedded=_get(obj, "embedded", path, _bool, True),
    )


def _coverage(value: object, path: str) -> cs.Coverage | None:
    if value is None:
        return None
    obj = _object(value, path, COVERAGE_FIELDS)
    if "plan_type" not in obj:
        _fail(_at(path, "plan_type"), f"missing; one of {', '.join(PLAN_TYPES)}")
    plan_type = _choice(obj["plan_type"], _at(path, "plan_type"), PLAN_TYPES)
    medigap = _get(
        obj,
        "medigap_plan",
        path,
        lambda v, p: None if v is None else _choice(v, p, cs.MEDIGAP_PLANS),
        None,
    )
    coverage = cs.Coverage(
        plan_type=plan_type,
        medigap_plan=medigap,
        network=_get(obj, "network", path, lambda v, p: _choice(v, p, cs.NETWORKS), "in"),
        deductible=_get(obj, "deductible", path, _opt_money, None),
        deductible_met=_get(obj, "deductible_met", path, _money, cs.ZERO),
        oop_max=_get(obj, "oop_max", path, _opt_money, None),
        oop_met=_get(obj, "oop_met", path, _money, cs.ZERO),
        coinsurance=_get(obj, "coinsurance", path, _rate, cs.ZERO),
        copay=_get(obj, "copay", path, _money, cs.ZERO),
        copay_after_deductible=_get(obj, "copay_after_deductible", path, _bool, False),
        copay_counts_toward_deductible=_get(
            obj, "copay_counts_toward_deductible", path, _bool, False
        ),
        deductible_applies=_get(obj, "deductible_applies", path, _bool, True),
        family=_get(obj, "family", path, _family, None),
        plan_year_start=_get(obj, "plan_year_start", path, _plan_year_start, cs.MonthDay()),
        cob_method=_get(
            obj, "cob_method", path, lambda v, p: _choice(v, p, cs.COB_METHODS), "standard"
        ),
    )
    problem = cs.check_coverage(coverage)
    if problem:
        _fail(_at(path, problem[0]), problem[1])
    return coverage


def _program(value: object, path: str) -> cs.Program:
    if not isinstance(value, dict):
        _fail(path, f"must be a JSON object {{...}}, not {_show(value)}")
    if "kind" not in value:
        _fail(_at(path, "kind"), f"missing; one of {', '.join(PROGRAM_FIELDS)}")
    kind = _choice(value["kind"], _at(path, "kind"), tuple(PROGRAM_FIELDS))
    obj = _object(value, path, PROGRAM_FIELDS[kind])
    default_name = kind.replace("_", " ").capitalize()
    name = _get(obj, "name", path, _text, default_name)
    if kind == "copay_card":
        card = cs.CopayCard(
            name=name,
            per_visit_max=_get(obj, "per_visit_max", path, _opt_money, None),
            annual_max=_get(obj, "annual_max", path, _opt_money, None),
            used=_get(obj, "used", path, _money, cs.ZERO),
            counts_toward_accumulators=_get(obj, "counts_toward_accumulators", path, _bool, True),
        )
        if card.annual_max is not None and card.used > card.annual_max:
            _fail(
                _at(path, "used"),
                f"{card.used:,.2f} used is more than the annual_max {card.annual_max:,.2f}",
            )
        return card
    if kind == "foundation_grant":
        if "balance" not in obj:
            _fail(_at(path, "balance"), 'missing; the grant\'s balance left, e.g. "4000.00"')
        return cs.FoundationGrant(
            name=name,
            balance=_money(obj["balance"], _at(path, "balance")),
            expires=_get(
                obj, "expires", path, lambda v, p: None if v is None else _date(v, p), None
            ),
        )
    if "percent" not in obj:
        _fail(_at(path, "percent"), 'missing; the share taken off, e.g. "0.50" for 50%')
    return cs.Discount(name=name, percent=_rate(obj["percent"], _at(path, "percent")))


# --- a request back to JSON (saved quotes keep their inputs in the contract's form) --------


def _price(x: Decimal) -> str:
    text = f"{x:f}"
    return text if "." in text and len(text.partition(".")[2]) >= 2 else f"{x:.2f}"


def _coverage_json(c: cs.Coverage) -> dict[str, object]:
    out: dict[str, object] = {
        "plan_type": c.plan_type,
        "network": c.network,
        "deductible": None if c.deductible is None else _m(c.deductible),
        "deductible_met": _m(c.deductible_met),
        "oop_max": None if c.oop_max is None else _m(c.oop_max),
        "oop_met": _m(c.oop_met),
        "coinsurance": f"{c.coinsurance:f}",
        "copay": _m(c.copay),
        "copay_after_deductible": c.copay_after_deductible,
        "copay_counts_toward_deductible": c.copay_counts_toward_deductible,
        "deductible_applies": c.deductible_applies,
        "plan_year_start": f"{c.plan_year_start.month:02d}-{c.plan_year_start.day:02d}",
        "cob_method": c.cob_method,
    }
    if c.medigap_plan:
        out["medigap_plan"] = c.medigap_plan
        for name in (
            "deductible",
            "deductible_met",
            "oop_max",
            "oop_met",
            "coinsurance",
            "copay",
            "copay_after_deductible",
            "copay_counts_toward_deductible",
            "deductible_applies",
        ):
            out.pop(name)
    if c.plan_type == "medicare_part_b":
        out.pop("oop_max")
        out.pop("oop_met")
    if c.family is not None:
        f = c.family
        out["family"] = {
            "deductible": None if f.deductible is None else _m(f.deductible),
            "deductible_met": _m(f.deductible_met),
            "oop_max": None if f.oop_max is None else _m(f.oop_max),
            "oop_met": _m(f.oop_met),
            "embedded": f.embedded,
        }
    return out


def _program_json(p: cs.Program) -> dict[str, object]:
    if isinstance(p, cs.CopayCard):
        return {
            "kind": "copay_card",
            "name": p.name,
            "per_visit_max": None if p.per_visit_max is None else _m(p.per_visit_max),
            "annual_max": None if p.annual_max is None else _m(p.annual_max),
            "used": _m(p.used),
            "counts_toward_accumulators": p.counts_toward_accumulators,
        }
    if isinstance(p, cs.FoundationGrant):
        return {
            "kind": "foundation_grant",
            "name": p.name,
            "balance": _m(p.balance),
            "expires": p.expires.isoformat() if p.expires else None,
        }
    return {"kind": "discount", "name": p.name, "percent": f"{p.percent:f}"}


def request_to_json(r: cs.QuoteRequest) -> dict[str, object]:
    """The request in the contract's form: ``load_request`` reads it back to the same request."""
    lines: list[dict[str, object]] = []
    for ln in r.lines:
        item: dict[str, object] = {
            "code": ln.code,
            "units": ln.units,
            "unit_price": _price(ln.unit_price),
        }
        if ln.charge is not None:
            item["charge"] = _price(ln.charge)
        if ln.coinsurance is not None:
            item["coinsurance"] = f"{ln.coinsurance:f}"
        lines.append(item)
    return {
        "service_dates": [d.isoformat() for d in r.dates],
        "lines": lines,
        "primary": None if r.primary is None else _coverage_json(r.primary),
        "secondary": None if r.secondary is None else _coverage_json(r.secondary),
        "assistance": [_program_json(p) for p in r.assistance],
    }


# --- the result ------------------------------------------------------------------------------


def _m(x: Decimal) -> str:
    return f"{x:.2f}"


def _sums(t: cs.Totals) -> dict[str, object]:
    out: dict[str, object] = {name: _m(getattr(t, name)) for name in cs.TOTAL_FIELDS}
    out["visits"] = t.visits
    return out


def _accumulators(a: cs.Accumulators, c: cs.Coverage) -> dict[str, str]:
    """The primary's accumulators after a visit (no OOP ones for Original Medicare)."""
    oop = c.plan_type != "medicare_part_b"
    out = {"deductible_met": _m(a.deductible_met)}
    if oop:
        out["oop_met"] = _m(a.oop_met)
    if c.family is not None:
        out["family_deductible_met"] = _m(a.family_deductible_met)
        if oop:
            out["family_oop_met"] = _m(a.family_oop_met)
    return out


def result_to_json(q: cs.Quote, primary: cs.Coverage | None = None) -> dict[str, object]:
    """The contract's result (plus explanation, assistance detail and per-plan-year totals)."""
    visits = []
    for v in q.visits:
        item: dict[str, object] = {
            "date": v.date.isoformat(),
            "plan_year": v.plan_year,
            "allowed": _m(v.allowed),
            "deductible": _m(v.deductible),
            "coinsurance": _m(v.coinsurance),
            "copay": _m(v.copay),
            "primary_paid": _m(v.primary_paid),
            "secondary_paid": _m(v.secondary_paid),
            "balance_bill": _m(v.balance_bill),
            "patient_owes_before_assistance": _m(v.patient_owes_before_assistance),
            "assistance_paid": _m(v.assistance_paid),
            "patient_owes": _m(v.patient_owes),
            "assistance": [
                {"program": a.program, "kind": a.kind, "name": a.name, "paid": _m(a.amount)}
                for a in v.assistance
            ],
        }
        if v.accumulators is not None and primary is not None:
            item["accumulators_after"] = _accumulators(v.accumulators, primary)
        item["explanation"] = list(v.explanation)
        visits.append(item)
    return {
        "visits": visits,
        "totals": _sums(q.totals),
        "plan_years": [
            {
                "plan_year": y.plan_year,
                "start": y.start.isoformat(),
                "end": y.end.isoformat(),
                **_sums(y.totals),
            }
            for y in q.plan_years
        ],
        "warnings": list(q.warnings),
    }


def run(raw: bytes | str) -> str:
    """Request text in, result JSON text out (one document, ending in a newline)."""
    request = load_request(raw)
    result = result_to_json(cs.quote(request), request.primary)
    return json.dumps(result, indent=2, ensure_ascii=False) + "\n"
