"""Business days: weekends and US federal holidays (observed dates) are skipped."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infudesk.domain import business_days as bd
from infudesk.domain.verification import recheck_day

DAY = timedelta(days=1)
dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31))
counts = st.integers(min_value=0, max_value=60)


def on_a_closed_day(d: date) -> bool:
    """Saturday, Sunday, or a federal holiday or its observed day (from the library's list)."""
    return d.weekday() >= 5 or d in bd.federal_holidays(d.year)


@pytest.mark.parametrize(
    ("day", "business"),
    [
        (date(2026, 11, 26), False),  # Thanksgiving, Thursday
        (date(2026, 11, 27), True),  # the Friday after is not a federal holiday
        (date(2026, 12, 25), False),  # Christmas, Friday
        (date(2027, 1, 1), False),  # New Year's Day, Friday
        (date(2026, 7, 3), False),  # July 4 2026 is a Saturday: observed Friday 07/03
        (date(2026, 7, 4), False),  # the Saturday itself
        (date(2027, 7, 5), False),  # July 4 2027 is a Sunday: observed Monday 07/05
        (date(2026, 6, 19), False),  # Juneteenth, Friday
        (date(2027, 6, 18), False),  # Juneteenth 2027 is a Saturday: observed Friday 06/18
        (date(2027, 12, 31), False),  # New Year's Day 2028 is a Saturday: observed 12/31/2027
        (date(2027, 12, 24), False),  # Christmas 2027 is a Saturday: observed Friday 12/24
        (date(2026, 12, 24), True),  # Christmas Eve is not a federal holiday
        (date(2026, 11, 30), True),
    ],
)
def test_is_business_day(day: date, business: bool) -> None:
    assert bd.is_business_day(day) is business


def test_holiday_names() -> None:
    assert bd.holiday_name(date(2026, 11, 26)) == "Thanksgiving Day"
    assert bd.holiday_name(date(2026, 7, 3)) == "Independence Day (observed)"
    assert bd.holiday_name(date(2026, 11, 30)) is None


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        # Wed 11/25/2026 + 1: Thu 26 is Thanksgiving → Fri 11/27
        (date(2026, 11, 25), 1, date(2026, 11, 27)),
        # Fri 11/20 + 3: Mon 23, Tue 24, Wed 25
        (date(2026, 11, 20), 3, date(2026, 11, 25)),
        # Thu 12/24/2026 + 1: Fri 25 Christmas, Sat, Sun → Mon 12/28
        (date(2026, 12, 24), 1, date(2026, 12, 28)),
        # Thu 12/31/2026 + 1: Fri 01/01 New Year's Day, Sat, Sun → Mon 01/04/2027
        (date(2026, 12, 31), 1, date(2027, 1, 4)),
        # Thu 07/02/2026 + 1: Fri 07/03 is the observed July 4 → Mon 07/06
        (date(2026, 7, 2), 1, date(2026, 7, 6)),
        # Fri 07/02/2027 + 1: Sat, Sun 07/04, Mon 07/05 observed → Tue 07/06
        (date(2027, 7, 2), 1, date(2027, 7, 6)),
        # Thu 06/18/2026 + 1: Fri 06/19 Juneteenth → Mon 06/22
        (date(2026, 6, 18), 1, date(2026, 6, 22)),
        # 0 days: a business day is itself; a holiday moves to the next business day
        (date(2026, 11, 30), 0, date(2026, 11, 30)),
        (date(2026, 11, 26), 0, date(2026, 11, 27)),
    ],
)
def test_add_business_days(start: date, n: int, expected: date) -> None:
    assert bd.add_business_days(start, n) == expected


@pytest.mark.parametrize(
    ("end", "n", "expected"),
    [
        # Mon 11/30/2026 − 3: Fri 27, (Thu 26 Thanksgiving), Wed 25, Tue 24
        (date(2026, 11, 30), 3, date(2026, 11, 24)),
        # Mon 12/28/2026 − 1: Sun, Sat, Fri 25 Christmas → Thu 12/24
        (date(2026, 12, 28), 1, date(2026, 12, 24)),
        # Tue 01/05/2027 − 3: Mon 04, (Fri 01 New Year's Day), Thu 12/31, Wed 12/30
        (date(2027, 1, 5), 3, date(2026, 12, 30)),
        # Mon 07/06/2026 − 1: Sun, Sat 07/04, Fri 07/03 observed → Thu 07/02
        (date(2026, 7, 6), 1, date(2026, 7, 2)),
        # Tue 07/06/2027 − 1: Mon 07/05 observed, Sun 07/04, Sat → Fri 07/02
        (date(2027, 7, 6), 1, date(2027, 7, 2)),
        # Mon 06/22/2026 − 1: Sun, Sat, Fri 06/19 Juneteenth → Thu 06/18
        (date(2026, 6, 22), 1, date(2026, 6, 18)),
        # Mon 06/21/2027 − 2: Sun, Sat 06/19, Fri 06/18 observed, Thu 17, Wed 16
        (date(2027, 6, 21), 2, date(2027, 6, 16)),
        # 0 days before Saturday 11/28/2026: Friday 11/27
        (date(2026, 11, 28), 0, date(2026, 11, 27)),
    ],
)
def test_business_days_before(end: date, n: int, expected: date) -> None:
    assert bd.business_days_before(end, n) == expected
    assert bd.previous_business_day(expected) == expected


def test_business_days_between() -> None:
    # after Wed 11/25 through Mon 11/30: Fri 27, Mon 30 (Thanksgiving and the weekend skipped)
    assert bd.business_days_between(date(2026, 11, 25), date(2026, 11, 30)) == 2
    assert bd.business_days_between(date(2026, 11, 30), date(2026, 11, 25)) == 0


@pytest.mark.parametrize("n", [-1, True, 2.0])
def test_a_bad_count_is_refused(n: object) -> None:
    with pytest.raises((ValueError, TypeError)):
        bd.add_business_days(date(2026, 11, 2), n)  # type: ignore[arg-type]
    with pytest.raises((ValueError, TypeError)):
        bd.business_days_before(date(2026, 11, 2), n)  # type: ignore[arg-type]


@given(dates, counts)
def test_add_business_days_never_lands_on_a_closed_day(start: date, n: int) -> None:
    got = bd.add_business_days(start, n)
    assert not on_a_closed_day(got)
    assert got >= start
    # exactly n business days after start, unless n is 0 (then the first one on or after it)
    assert bd.business_days_between(start, got) == max(n, 0 if bd.is_business_day(start) else 1)


@given(dates, counts)
def test_business_days_before_never_lands_on_a_closed_day(end: date, n: int) -> None:
    got = bd.business_days_before(end, n)
    assert not on_a_closed_day(got)
    assert got <= end
    # it is the n-th business day before ``end``: n − 1 more lie strictly between them
    if n:
        assert got < end
        assert bd.business_days_between(got, end - DAY) == n - 1


@given(dates, st.integers(min_value=0, max_value=60))
def test_recheck_day_is_a_business_day_before_the_visit(visit: date, n: int) -> None:
    check = recheck_day(visit, n)
    assert check is not None
    assert not on_a_closed_day(check)
    assert check <= visit
    # at least n calendar days before: a business-day count never comes out shorter
    assert (visit - check).days >= n
