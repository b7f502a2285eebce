"""Benefits verification: the checklist template, typed answers, cross-checks and due dates.

A site describes what its staff ask the payer in a JSON checklist template
(``resources/checklists/benefits-verification.json``); :func:`parse_checklist` reads it and
says precisely what is wrong when a hand edit broke it. :func:`check_answer` turns one typed
answer into a value (``Decimal`` for money and rates, ``date``, ``datetime``, ``bool``, the
choice's value, or text). :func:`benefit_problems` refuses figures that contradict each other;
:func:`benefit_warnings` only asks for a second look. :func:`due` says when a coverage must be
verified again and why.
"""

from __future__ import annotations

import calendar
import enum
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

from infudesk.domain.business_days import business_days_before, is_business_day
from infudesk.domain.figures import YearlyFigures
from infudesk.domain.money import (
    CENT as CENT,
)
from infudesk.domain.money import (
    MAX_MONEY as MAX_MONEY,
)
from infudesk.domain.money import (
    MONEY_HELP as MONEY_HELP,
)
from infudesk.domain.money import (
    PERCENT_HELP as PERCENT_HELP,
)
from infudesk.domain.money import (
    check_money,
    check_percent,
    format_money,
    format_percent,
)

# --- Status ---------------------------------------------------------------------------------


class Status(enum.StrEnum):
    """Where one benefits verification stands."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    VERIFIED = "verified"
    PROBLEM = "problem"


STATUS_LABELS: dict[Status, str] = {
    Status.NOT_STARTED: "Not started",
    Status.IN_PROGRESS: "In progress",
    Status.VERIFIED: "Verified",
    Status.PROBLEM: "Problem",
}


# --- Checklist template ---------------------------------------------------------------------


class Kind(enum.StrEnum):
    """What sort of answer a checklist item takes."""

    YESNO = "yesno"
    CHOICE = "choice"
    TEXT = "text"
    MONEY = "money"
    PERCENT = "percent"
    DATE = "date"
    DATETIME = "datetime"
    COUNT = "count"


KINDS: tuple[str, ...] = tuple(k.value for k in Kind)
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_TOP_FIELDS = ("name", "version", "sections")
_SECTION_FIELDS = ("title", "items")
_ITEM_FIELDS = ("key", "label", "kind", "required", "help", "choices", "show_if")
MAX_COUNT = 9999
_CHOICE_FIELDS = ("value", "label")


@dataclass(frozen=True)
class Choice:
    """One answer of a ``choice`` item: the stored ``value`` and the ``label`` staff see."""

    value: str
    label: str


@dataclass(frozen=True)
class ChecklistItem:
    """One question of the checklist.

    ``show_if`` makes the item conditional: it is asked only when every named earlier item's
    answer is one of the listed values (``(("plan_type", ("medicare",)),)``). A hidden item is
    never missing, and its answer is ignored.
    """

    key: str
    label: str
    kind: Kind
    required: bool = False
    help: str = ""
    choices: tuple[Choice, ...] = ()
    show_if: tuple[tuple[str, tuple[str | bool, ...]], ...] = ()


@dataclass(frozen=True)
class Checklist:
    """A parsed checklist template: titled sections of items, in the template's order."""

    name: str
    version: int
    sections: tuple[tuple[str, tuple[ChecklistItem, ...]], ...]

    def items(self) -> Iterator[ChecklistItem]:
        """Every item, section by section."""
        for _title, items in self.sections:
            yield from items

    def item(self, key: str) -> ChecklistItem:
        """The item with this key (KeyError when the template has none)."""
        for it in self.items():
            if it.key == key:
                return it
        raise KeyError(key)


def _no_duplicate_names(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for name, value in pairs:
        if name in seen:
            owner = dict(pairs).get("key") or dict(pairs).get("title")
            where = f" (in “{owner}”)" if isinstance(owner, str) else ""
            raise ValueError(f"The checklist names “{name}” twice in one object{where}: keep one.")
        seen[name] = value
    return seen


def _unknown_fields(obj: Mapping[str, Any], allowed: tuple[str, ...], where: str) -> None:
    extra = [k for k in obj if k not in allowed]
    if extra:
        raise ValueError(
            f"{where}: unknown field “{extra[0]}” (a typo?). Allowed: {', '.join(allowed)}."
        )


def _text_field(obj: Mapping[str, Any], name: str, where: str, *, required: bool = True) -> str:
    value = obj.get(name, None if required else "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise ValueError(f"{where}: “{name}” must be a non-empty text in quotes.")
    return value.strip()


def _parse_choices(raw: Any, where: str) -> tuple[Choice, ...]:
    if not isinstance(raw, list) or len(raw) < 2:
        raise ValueError(f"{where}: a choice item needs “choices”, a list of at least two answers.")
    out: list[Choice] = []
    values: set[str] = set()
    labels: set[str] = set()
    for n, entry in enumerate(raw, start=1):
        at = f"{where}, choice {n}"
        if isinstance(entry, str):
            value = label = entry.strip()
        elif isinstance(entry, dict):
            _unknown_fields(entry, _CHOICE_FIELDS, at)
            value = _text_field(entry, "value", at)
            label = _text_field(entry, "label", at, required=False) or value
        else:
            raise ValueError(f'{at}: write a choice as text or as {{"value": ..., "label": ...}}.')
        if not value:
            raise ValueError(f"{at}: a choice cannot be empty.")
        if value.casefold() in values or label.casefold() in labels:
            raise ValueError(f"{at}: “{label}” is listed twice.")
        values.add(value.casefold())
        labels.add(label.casefold())
        out.append(Choice(value, label))
    return tuple(out)


def _parse_show_if(
    raw: Any, where: str, earlier: Mapping[str, ChecklistItem]
) -> tuple[tuple[str, tuple[str | bool, ...]], ...]:
    """``{"plan_type": ["medicare"], "pa_required": [true]}``: earlier items and their answers."""
    if not isinstance(raw, dict) or not raw:
        raise ValueError(
            f'{where}: “show_if” must be an object such as {{"plan_type": ["medicare"]}}.'
        )
    out: list[tuple[str, tuple[str | bool, ...]]] = []
    for key, wanted in raw.items():
        other = earlier.get(key)
        if other is None:
            raise ValueError(
                f"{where}: “show_if” names “{key}”, which is not an item above this one."
            )
        if other.kind not in (Kind.YESNO, Kind.CHOICE):
            raise ValueError(
                f"{where}: “show_if” can only name a yes/no or choice item; “{key}” is"
                f" {other.kind.value}."
            )
        if not isinstance(wanted, list) or not wanted:
            raise ValueError(f"{where}: “show_if” → “{key}” must be a list of answers.")
        values: list[str | bool] = []
        for w in wanted:
            if other.kind is Kind.YESNO:
                if not isinstance(w, bool):
                    raise ValueError(
                        f"{where}: “show_if” → “{key}” is a yes/no item: write true or false"
                        " (no quotes)."
                    )
            elif not isinstance(w, str) or w not in {c.value for c in other.choices}:
                known = ", ".join(c.value for c in other.choices)
                raise ValueError(
                    f"{where}: “show_if” → “{key}”: {json.dumps(w, ensure_ascii=False)} is not"
                    f" one of its choices ({known})."
                )
            values.append(w)
        out.append((key, tuple(values)))
    return tuple(out)


def _parse_item(
    raw: Any, where: str, keys: set[str], earlier: Mapping[str, ChecklistItem] | None = None
) -> ChecklistItem:
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: an item must be an object with key, label and kind.")
    key = raw.get("key")
    if not isinstance(key, str) or not KEY_RE.match(key):
        raise ValueError(
            f"{where}: “key” must be lowercase letters, digits and _, starting with a letter"
            f" (got {json.dumps(key, ensure_ascii=False)})."
        )
    where = f"{where} (“{key}”)"
    if key in keys:
        raise ValueError(f"{where}: the key “{key}” is used twice; every key must be unique.")
    _unknown_fields(raw, _ITEM_FIELDS, where)
    label = _text_field(raw, "label", where)
    kind_raw = raw.get("kind")
    if kind_raw not in KINDS:
        raise ValueError(
            f"{where}: kind {json.dumps(kind_raw, ensure_ascii=False)} is not one of"
            f" {', '.join(KINDS)}."
        )
    kind = Kind(kind_raw)
    required = raw.get("required", False)
    if not isinstance(required, bool):
        raise ValueError(f"{where}: “required” must be true or false (no quotes).")
    help_text = _text_field(raw, "help", where, required=False)
    choices: tuple[Choice, ...] = ()
    if kind is Kind.CHOICE:
        choices = _parse_choices(raw.get("choices"), where)
    elif "choices" in raw:
        raise ValueError(f"{where}: only an item of kind “choice” has “choices”.")
    show_if = _parse_show_if(raw["show_if"], where, earlier or {}) if "show_if" in raw else ()
    return ChecklistItem(key, label, kind, required, help_text, choices, show_if)


def parse_checklist(text: str) -> Checklist:
    """Read a checklist template (JSON); ValueError says what to fix and where."""
    try:
        data = json.loads(text.removeprefix("\ufeff"), object_pairs_hook=_no_duplicate_names)
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"The checklist is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
        ) from None
    if not isinstance(data, dict):
        raise ValueError("The checklist must be a JSON object with name, version and sections.")
    _unknown_fields(data, _TOP_FIELDS, "The checklist")
    name = _text_field(data, "name", "The checklist")
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ValueError("The checklist: “version” must be a whole number, 1 or more.")
    raw_sections = data.get("sections")
    if not isinstance(raw_sections, list) or not raw_sections:
        raise ValueError("The checklist: “sections” must be a list with at least one section.")
    keys: set[str] = set()
    earlier: dict[str, ChecklistItem] = {}
    sections: list[tuple[str, tuple[ChecklistItem, ...]]] = []
    for s, raw_section in enumerate(raw_sections, start=1):
        where = f"Section {s}"
        if not isinstance(raw_section, dict):
            raise ValueError(f"{where}: a section must be an object with title and items.")
        title = _text_field(raw_section, "title", where)
        where = f"Section {s} (“{title}”)"
        _unknown_fields(raw_section, _SECTION_FIELDS, where)
        raw_items = raw_section.get("items")
        if not isinstance(raw_items, list) or not raw_items:
            raise ValueError(f"{where}: “items” must be a list with at least one item.")
        items: list[ChecklistItem] = []
        for i, raw_item in enumerate(raw_items, start=1):
            item = _parse_item(raw_item, f"{where}, item {i}", keys, earlier)
            keys.add(item.key)
            earlier[item.key] = item
            items.append(item)
        sections.append((title, tuple(items)))
    return Checklist(name, version, tuple(sections))


# --- Answers --------------------------------------------------------------------------------

_YES = {"yes", "y", "true"}
_NO = {"no", "n", "false"}
_US_DATE_RE = re.compile(r"^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})$")
_ISO_DATE_RE = re.compile(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$")
_TIME_RE = re.compile(r"^([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?(?:\s*([ap])\.?m?\.?)?$", re.I)
_MONTH_DAY_RE = re.compile(r"^([0-9]{1,2})[-/]([0-9]{1,2})$")
MIN_YEAR = 1900
MAX_YEAR = 2200

DATE_HELP = "Type a date as MM/DD/YYYY (or YYYY-MM-DD), e.g. 01/31/2027."
DATETIME_HELP = "Type a date and time, e.g. 11/27/2026 2:30 PM or 2026-11-27 14:30."
MONTH_DAY_HELP = "Type the month and day as MM-DD, e.g. 01-01 or 07-01."


def parse_month_day(text: str) -> tuple[int, int]:
    """(month, day) from "MM-DD" (also M-D or MM/DD); 02-29 is allowed. ValueError otherwise."""
    m = _MONTH_DAY_RE.match(text.strip())
    if not m:
        raise ValueError(MONTH_DAY_HELP)
    month, day = int(m.group(1)), int(m.group(2))
    if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(2000, month)[1]:
        raise ValueError(f"There is no {month:02d}-{day:02d}: check the month and day.")
    return month, day


def _parse_date(text: str) -> tuple[date | None, str | None]:
    t = text.strip()
    m = _US_DATE_RE.match(t)
    if m:
        month, day, year = (int(g) for g in m.groups())
    else:
        m = _ISO_DATE_RE.match(t)
        if not m:
            return None, DATE_HELP
        year, month, day = (int(g) for g in m.groups())
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None, f"The year {year} looks wrong: check it."
    try:
        return date(year, month, day), None
    except ValueError:
        return None, f"There is no {month:02d}/{day:02d}/{year}: check the month and day."


def _parse_datetime(text: str) -> tuple[datetime | None, str | None]:
    t = text.strip()
    head, sep, tail = t.partition("T") if "T" in t else t.partition(" ")
    if not sep or not tail.strip():
        return None, DATETIME_HELP
    day, error = _parse_date(head)
    if day is None:
        return None, error if error != DATE_HELP else DATETIME_HELP
    m = _TIME_RE.match(tail.strip())
    if not m:
        return None, DATETIME_HELP
    hour, minute = int(m.group(1)), int(m.group(2))
    second = int(m.group(3) or 0)
    half = (m.group(4) or "").lower()
    if half:
        if not 1 <= hour <= 12:
            return None, f"{hour} is not an hour on a 12-hour clock: check the time."
        hour = hour % 12 + (12 if half == "p" else 0)
    if hour > 23 or minute > 59 or second > 59:
        return None, "This is not a time of day: check the hours and minutes."
    return datetime(day.year, day.month, day.day, hour, minute, second), None


COUNT_HELP = "Type a whole number, e.g. 30."


def _parse_count(text: str) -> tuple[int | None, str | None]:
    t = text.replace(",", "")
    if not t.isascii() or not t.isdigit():
        return None, COUNT_HELP
    if len(t) > 4 or int(t) > MAX_COUNT:
        return None, f"{text} looks too large: check it (at most {MAX_COUNT:,})."
    return int(t), None


def _choice_labels(item: ChecklistItem) -> str:
    return ", ".join(c.label for c in item.choices)


def check_answer(item: ChecklistItem, raw: str) -> tuple[object | None, str | None]:
    """Parse one typed answer: (value, None) when accepted, (None, message) when not.

    Empty (or blank) input is no answer: ``(None, None)``. Values by kind: yesno → bool
    (yes/no/y/n/true/false); choice → the choice's value (its value or label, any case);
    text → the trimmed text; money → Decimal to the cent, never negative; percent → a
    Decimal rate ("20" or "20%" → Decimal("0.20"); "0.2" is refused as ambiguous, "0.5%" is
    half a percent); date → date (MM/DD/YYYY or YYYY-MM-DD); datetime → a naive local datetime;
    count → a whole number from 0 to :data:`MAX_COUNT`.
    The item ``plan_year_start`` (kind text) must also be a month and day; it is stored as
    "MM-DD".
    """
    text = raw.strip()
    if not text:
        return None, None
    kind = item.kind
    if kind is Kind.YESNO:
        word = text.casefold()
        if word in _YES:
            return True, None
        if word in _NO:
            return False, None
        return None, "Answer yes or no."
    if kind is Kind.CHOICE:
        wanted = " ".join(text.split()).casefold()
        for c in item.choices:
            if wanted in (c.value.casefold(), c.label.casefold()):
                return c.value, None
        return None, f"Choose one of: {_choice_labels(item)}."
    if kind is Kind.MONEY:
        return check_money(text)
    if kind is Kind.PERCENT:
        return check_percent(text)
    if kind is Kind.DATE:
        return _parse_date(text)
    if kind is Kind.DATETIME:
        return _parse_datetime(text)
    if kind is Kind.COUNT:
        return _parse_count(text)
    if item.key == "plan_year_start":
        try:
            month, day = parse_month_day(text)
        except ValueError as exc:
            return None, str(exc)
        return f"{month:02d}-{day:02d}", None
    return text, None


YESNO_OPTIONS: tuple[tuple[str, str], ...] = (("yes", "Yes"), ("no", "No"))


def answer_options(item: ChecklistItem) -> tuple[tuple[str, str], ...]:
    """The (stored value, label) pairs a yes/no or choice item offers, as the checklist shows
    them (the verification dialog's lists and the printed summary both use these)."""
    if item.kind is Kind.YESNO:
        return YESNO_OPTIONS
    return tuple((c.value, c.label) for c in item.choices)


def show_answer(item: ChecklistItem, raw: str) -> str:
    """A stored answer as the checklist shows it: 'Yes', the choice's label ('12 Home',
    'Buy and bill'), '$2,000.00', '20%', '10/20/2026', '10/20/2026 10:15 AM'.

    An answer that does not parse (an older record) is shown as typed.
    """
    value, problem = check_answer(item, raw)
    if problem is not None or value is None:
        return raw.strip()
    if isinstance(value, bool):
        return dict(YESNO_OPTIONS)["yes" if value else "no"]
    if item.kind is Kind.CHOICE:
        return dict(answer_options(item)).get(str(value), str(value))
    if item.kind is Kind.MONEY and isinstance(value, Decimal):
        return format_money(value)
    if item.kind is Kind.PERCENT and isinstance(value, Decimal):
        return format_percent(value)
    if isinstance(value, datetime):
        hour = value.hour % 12 or 12
        return (
            f"{us_date(value.date())} {hour}:{value.minute:02d} {'AM' if value.hour < 12 else 'PM'}"
        )
    if isinstance(value, date):
        return us_date(value)
    return str(value)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def shown_items(checklist: Checklist, answers: Mapping[str, object]) -> list[ChecklistItem]:
    """The items asked with these answers (values, as :func:`check_answer` gives them), in
    order: an item with ``show_if`` only when each named item is itself shown and its answer
    is one of the listed values (no answer never matches)."""
    shown: list[ChecklistItem] = []
    seen: dict[str, object] = {}
    for it in checklist.items():
        if all(
            key in seen and any(_same(seen[key], w) for w in wanted) for key, wanted in it.show_if
        ):
            shown.append(it)
            seen[it.key] = answers.get(it.key)
    return shown


def _same(value: object, wanted: str | bool) -> bool:
    # bool is an int: compare types so that True never matches a choice "1"
    return type(value) is type(wanted) and value == wanted


def shown_answers(checklist: Checklist, answers: Mapping[str, object]) -> dict[str, object]:
    """The answers of the items asked (hidden items' answers are dropped)."""
    return {it.key: answers[it.key] for it in shown_items(checklist, answers) if it.key in answers}


def missing_required(checklist: Checklist, answers: Mapping[str, object]) -> list[str]:
    """Labels of the required items asked that have no answer (``False`` is an answer), in
    order; a required item hidden by its ``show_if`` is never missing."""
    return [
        it.label
        for it in shown_items(checklist, answers)
        if it.required and _blank(answers.get(it.key))
    ]


# --- Cross-checks ---------------------------------------------------------------------------

HIGH_COINSURANCE = Decimal("0.50")


def _amount(answers: Mapping[str, object], key: str) -> Decimal | None:
    value = answers.get(key)
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        return None
    return Decimal(value)


def _usd(amount: Decimal) -> str:
    return f"${amount:,.2f}".replace(".00", "")


def _pct(rate: Decimal) -> str:
    s = format(rate * 100, "f")
    return s.rstrip("0").rstrip(".") if "." in s else s


def us_date(d: date) -> str:
    """MM/DD/YYYY, the way the front desk writes dates."""
    return f"{d.month:02d}/{d.day:02d}/{d.year:04d}"


def benefit_problems(answers: Mapping[str, object]) -> dict[str, str]:
    """Answers that contradict each other, keyed by the item to correct (these block saving)."""
    problems: dict[str, str] = {}
    pairs = (
        ("deductible_met", "deductible", "The amount met", "the deductible"),
        ("oop_met", "oop_max", "The out-of-pocket amount met", "the out-of-pocket maximum"),
        (
            "family_deductible_met",
            "family_deductible",
            "The family amount met",
            "the family deductible",
        ),
        (
            "family_oop_met",
            "family_oop_max",
            "The family out-of-pocket amount met",
            "the family out-of-pocket maximum",
        ),
    )
    for met_key, limit_key, met_words, limit_words in pairs:
        met, limit = _amount(answers, met_key), _amount(answers, limit_key)
        if met is not None and limit is not None and met > limit:
            problems[met_key] = (
                f"{met_words} ({_usd(met)}) is more than {limit_words} ({_usd(limit)}):"
                " check both figures."
            )
    starts, ends = answers.get("effective_date"), answers.get("termination_date")
    if isinstance(starts, date) and isinstance(ends, date) and ends < starts:
        problems["termination_date"] = (
            f"Coverage ends ({us_date(ends)}) before it starts ({us_date(starts)}):"
            " check both dates."
        )
    return problems


def benefit_warnings(
    answers: Mapping[str, object], plan_year: int, figures: YearlyFigures
) -> dict[str, str]:
    """Unusual but possible answers, keyed by item: worth a second look, never a refusal.

    The federal ceiling used is the one ``figures`` give for ``plan_year``, or the latest
    earlier year's (said so in the message); before their first year there is none.
    """
    warnings: dict[str, str] = {}
    for key, name, whose in (
        ("oop_max", "aca_oop_max", "individual"),
        ("family_oop_max", "aca_oop_max_family", "family"),
    ):
        ceiling = figures.lookup(name, plan_year)
        amount = _amount(answers, key)
        if ceiling is None or ceiling.year > plan_year or amount is None:
            continue
        if amount > ceiling.value:
            latest = "" if ceiling.exact else f" (the latest limit known for {plan_year})"
            warnings[key] = (
                f"{_usd(amount)} is above the {ceiling.year} federal out-of-pocket limit for"
                f" {'an' if whose == 'individual' else 'a'} {whose} ({_usd(ceiling.value)})"
                f"{latest}: check it with the payer (Medicare Advantage and grandfathered plans"
                " have their own limits)."
            )
    for rate_key in ("coinsurance", "drug_coinsurance", "admin_coinsurance"):
        rate = _amount(answers, rate_key)
        if rate is not None and rate > HIGH_COINSURANCE:
            warnings[rate_key] = (
                f"A coinsurance of {_pct(rate)}% is unusually high: check it with the payer."
            )
    limit, used = answers.get("visit_limit"), answers.get("visits_used")
    if isinstance(limit, int) and isinstance(used, int) and used > limit:
        warnings["visits_used"] = (
            f"{used} visits used is more than the {limit} allowed: check both figures (the plan"
            " may not pay for more visits this plan year)."
        )
    for ded_key, oop_key, words in (
        ("deductible", "oop_max", "The deductible"),
        ("family_deductible", "family_oop_max", "The family deductible"),
    ):
        ded, oop = _amount(answers, ded_key), _amount(answers, oop_key)
        if ded is not None and oop is not None and ded > oop:
            warnings[ded_key] = (
                f"{words} ({_usd(ded)}) is above the out-of-pocket maximum ({_usd(oop)}),"
                " which normally includes it: check both figures."
            )
    return warnings


# --- Due dates ------------------------------------------------------------------------------

DueState = Literal["ok", "due_soon", "due", "overdue"]
DUE_STATE_LABELS: dict[DueState, str] = {
    "ok": "Up to date",
    "due_soon": "Due soon",
    "due": "Due",
    "overdue": "Overdue",
}
DUE_SOON_DAYS = 14
DEFAULT_PLAN_YEAR_START = "01-01"
DEFAULT_DAYS_BEFORE_VISIT = 3


@dataclass(frozen=True, kw_only=True)
class DueInputs:
    """What the due date of one coverage's verification depends on."""

    today: date
    verified_on: date | None = None  # when the last VERIFIED verification was completed
    plan_year_start: str = DEFAULT_PLAN_YEAR_START  # "MM-DD"
    coverage_effective: date | None = None
    coverage_termination: date | None = None
    coverage_changed_on: date | None = None  # the coverage record or its terms changed
    order_changed_on: date | None = None  # the therapy order changed
    planned_visits: tuple[date, ...] = ()
    days_before_visit: int = DEFAULT_DAYS_BEFORE_VISIT  # setting, in business days

    def __post_init__(self) -> None:
        if self.days_before_visit < 0:
            raise ValueError("days_before_visit cannot be negative.")


@dataclass(frozen=True)
class Due:
    """When to verify again (``None``: nothing due), why, and how urgent that is."""

    due_on: date | None
    reasons: tuple[str, ...]
    state: DueState


def _shift(d: date, days: int) -> date | None:
    try:
        return d + timedelta(days=days)
    except OverflowError:
        return None


def _month_day_in(year: int, month: int, day: int) -> date:
    """That month and day in ``year``; 02-29 falls on 02-28 in a year without one."""
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def next_plan_year_start(after: date, plan_year_start: str) -> date | None:
    """The first plan-year start strictly after ``after`` (None past year 9999).

    ValueError when ``plan_year_start`` is not a month and day.
    """
    month, day = parse_month_day(plan_year_start)
    for year in (after.year, after.year + 1):
        if year > date.max.year:
            return None
        start = _month_day_in(year, month, day)
        if start > after:
            return start
    return None  # pragma: no cover - the next year's start is always after


def _before(days: int, visit: date) -> str:
    if days == 0:
        return "on the day" if is_business_day(visit) else "on the last business day before"
    return f"{days} business day{'s' if days != 1 else ''} before"


def recheck_day(visit: date, days_before: int) -> date | None:
    """The day to re-check the benefits for a visit: ``days_before`` business days before it.

    Business days skip weekends and US federal holidays (observed dates), so the re-check never
    falls on a day the payer is closed: 3 business days before Monday 2026-11-30 is Tuesday
    11-24 (Fri 27, Wed 25, Tue 24; Thanksgiving on Thursday the 26th). 0 is the visit day, or
    the business day before it when the visit is on a weekend or holiday. None when the date
    would fall before year 1.
    """
    try:
        return business_days_before(visit, days_before)
    except (OverflowError, ValueError):
        return None


def _state(due_on: date, today: date) -> DueState:
    if due_on < today:
        return "overdue"
    if due_on == today:
        return "due"
    if (due_on - today).days <= DUE_SOON_DAYS:
        return "due_soon"
    return "ok"


def due(inputs: DueInputs) -> Due:
    """When this coverage must be verified again: the earliest date any rule gives.

    Rules (each gives a date strictly after ``verified_on``, so verifying on the due date
    satisfies it):

    - never verified: due today, or ``days_before_visit`` business days before the first
      planned visit (:func:`recheck_day`) when that is later; the state is then always "due";
    - the first plan-year start after ``verified_on`` (02-29 falls on 02-28 in other years;
      skipped when it comes after the coverage's termination or before its effective date);
    - verified before the coverage's effective date: due on the effective date;
    - termination on or after ``verified_on``: due on the termination date when a planned
      visit falls after it (and it was verified before that day), otherwise the day after;
    - coverage or therapy order changed after ``verified_on``: due on the day of the change;
    - the first planned visit on or after today for which the verification is stale
      (``verified_on`` before its :func:`recheck_day`): due on that day, ``days_before_visit``
      business days before the visit (never a weekend or federal holiday).

    ``reasons`` lists, oldest first, every rule due by ``due_on`` or by today (one
    verification settles them all). ``state``: overdue before today, due today, due_soon within
    :data:`DUE_SOON_DAYS` days, ok otherwise (or when nothing is due). An unreadable
    ``plan_year_start`` counts as 01-01 and the plan-year reason says so.
    """
    today = inputs.today
    days = inputs.days_before_visit
    visits = sorted(set(inputs.planned_visits))
    upcoming = [v for v in visits if v >= today]
    verified = inputs.verified_on

    if verified is None:
        due_on = today
        reasons = ["Never verified"]
        if upcoming:
            check = recheck_day(upcoming[0], days)
            if check is not None and check > today:
                due_on = check
                reasons.append(
                    f"First visit on {us_date(upcoming[0])}: verify {_before(days, upcoming[0])}"
                )
        return Due(due_on, tuple(reasons), "due")

    effective, ends = inputs.coverage_effective, inputs.coverage_termination
    found: list[tuple[date, str]] = []

    note = ""
    try:
        start = next_plan_year_start(verified, inputs.plan_year_start)
    except ValueError:
        start = next_plan_year_start(verified, DEFAULT_PLAN_YEAR_START)
        note = f" (plan-year start “{inputs.plan_year_start}” not understood: assumed 01-01)"
    if (
        start is not None
        and (ends is None or start <= ends)
        and (effective is None or start >= effective)
    ):
        found.append((start, f"New plan year starts {us_date(start)}{note}"))

    if effective is not None and verified < effective:
        found.append((effective, f"Coverage starts {us_date(effective)}: verified before then"))

    if ends is not None and verified <= ends:
        if verified < ends and any(v > ends for v in visits):
            found.append((ends, f"Coverage ends {us_date(ends)}: visits are planned after it"))
        else:
            after = _shift(ends, 1)
            if after is not None:
                found.append((after, f"Coverage ends {us_date(ends)}"))

    if inputs.coverage_changed_on is not None and inputs.coverage_changed_on > verified:
        found.append((inputs.coverage_changed_on, "Coverage changed after the last verification"))
    if inputs.order_changed_on is not None and inputs.order_changed_on > verified:
        found.append((inputs.order_changed_on, "Therapy order changed after the last verification"))

    for visit in upcoming:
        check = recheck_day(visit, days)
        if check is not None and verified < check:
            found.append((check, f"Visit on {us_date(visit)}: re-check {_before(days, visit)}"))
            break

    if not found:
        return Due(None, (), "ok")
    due_on = min(on for on, _ in found)
    horizon = max(due_on, today)
    found.sort(key=lambda c: c[0])  # stable: same-day reasons keep the order above
    return Due(due_on, tuple(r for on, r in found if on <= horizon), _state(due_on, today))
