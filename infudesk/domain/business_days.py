"""Business days: Monday to Friday, less the US federal holidays on their observed dates.

The holidays come from the maintained ``holidays`` package (its "US" calendar, observed dates on:
a holiday on a Saturday is observed the Friday before, on a Sunday the Monday after, as federal
offices do, 5 U.S.C. 6103 and Executive Order 11582). Both the holiday and its observed day
count as non-business days: payers and their offices are closed on the observed day, and on the
holiday itself the day is a weekend anyway.

Any deadline the app states in business days must land on a business day: use these functions
for it. Pure: no clock, no I/O.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

MAX_BUSINESS_DAYS = 3660  # about 14 years: far beyond any deadline the app computes
_DAY = timedelta(days=1)


@lru_cache(maxsize=64)
def federal_holidays(year: int) -> dict[date, str]:
    """The US federal holidays dated in ``year`` (observed dates included) → their names.

    A New Year's Day on a Saturday is observed on the 31st of December of the year before;
    that date belongs to the earlier year's list.
    """
    import holidays  # (when first asked: it loads every country's calendar, ~0.1-0.2 s)

    return dict(holidays.country_holidays("US", years=year, observed=True).items())


def holiday_name(day: date) -> str | None:
    """The federal holiday (or its observed day) on ``day``, None on any other day."""
    return federal_holidays(day.year).get(day)


def is_business_day(day: date) -> bool:
    """Monday to Friday and not a federal holiday or the observed day of one."""
    return day.weekday() < 5 and day not in federal_holidays(day.year)


def _check(n: int) -> None:
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError("the number of business days must be an int")
    if not 0 <= n <= MAX_BUSINESS_DAYS:
        raise ValueError(f"the number of business days must be 0 to {MAX_BUSINESS_DAYS}")


def next_business_day(day: date) -> date:
    """``day`` itself when it is a business day, else the first business day after it."""
    while not is_business_day(day):
        day += _DAY
    return day


def previous_business_day(day: date) -> date:
    """``day`` itself when it is a business day, else the last business day before it."""
    while not is_business_day(day):
        day -= _DAY
    return day


def add_business_days(start: date, n: int) -> date:
    """The ``n``-th business day after ``start`` (``start`` itself does not count).

    ``n == 0`` gives ``start`` when it is a business day, else the next one: the result is
    always a business day. Friday 2026-11-20 + 3 → Wednesday 11-25 (Mon 23, Tue 24, Wed 25);
    Wednesday 11-25 + 1 → Friday 11-27 (Thanksgiving on the 26th).
    """
    _check(n)
    day = start
    if n == 0:
        return next_business_day(day)
    while n:
        day += _DAY
        if is_business_day(day):
            n -= 1
    return day


def business_days_before(end: date, n: int) -> date:
    """The ``n``-th business day before ``end`` (``end`` itself does not count).

    ``n == 0`` gives ``end`` when it is a business day, else the last business day before it:
    the result is always a business day. Monday 2026-11-30 − 3 → Tuesday 11-24 (Fri 27, Wed 25,
    Tue 24; Thanksgiving on the 26th is skipped).
    """
    _check(n)
    day = end
    if n == 0:
        return previous_business_day(day)
    while n:
        day -= _DAY
        if is_business_day(day):
            n -= 1
    return day


def business_days_between(start: date, end: date) -> int:
    """How many business days lie after ``start`` up to and including ``end`` (0 if none)."""
    count = 0
    day = start
    while day < end:
        day += _DAY
        count += is_business_day(day)
    return count
