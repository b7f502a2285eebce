"""The patient views' controller, without Qt: the search's count line, birth dates, glance."""

from __future__ import annotations

from datetime import date

import pytest

from infudesk.domain import verification as dv
from infudesk.domain.verification import Status
from infudesk.services import verifications as vs
from infudesk.ui.patients import controller as ctl

TODAY = date(2026, 11, 27)


@pytest.mark.parametrize(
    ("text", "n", "inactive", "line"),
    [
        ("kovalenko", 1, False, "1 patient matches “kovalenko”."),
        ("ko", 2, False, "2 patients match “ko”."),
        ("ko", 1500, False, "1,500 patients match “ko”."),
        ("ko", 5001, False, "More than 5,000 patients match “ko”: keep typing to narrow the list."),
        (
            " zz ",
            0,
            False,
            "No patient matches “zz”. Check the spelling, or press Ctrl+N to add one.",
        ),
        ("", 1, False, "1 active patient."),
        ("", 12, True, "12 patients."),
    ],
)
def test_count_line(text: str, n: int, inactive: bool, line: str) -> None:
    assert ctl.count_line(text, n, cap=5000, inactive=inactive) == line


def test_birth_date_with_age() -> None:
    assert ctl.format_birth_date(date(1960, 11, 28), TODAY) == "11/28/1960 (65)"
    assert ctl.format_birth_date(date(1960, 11, 27), TODAY) == "11/27/1960 (66)"


def row(
    status: Status | None, state: dv.DueState, due_on: date | None, verified: date | None
) -> vs.WorkRow:
    return vs.WorkRow(
        patient_id=1,
        mrn="D0001",
        patient_name="A",
        coverage_id=1,
        coverage_label="Primary: X",
        payer_id=1,
        payer_name="X",
        order_id=None,
        order_label="",
        latest_id=None,
        latest_status=status,
        verified_on=verified,
        due=dv.Due(due_on, (), state),
        next_visit=None,
    )


def test_glance_shows_the_worst_first() -> None:
    assert ctl.glance([]) == ("—", "#555")
    ok = row(Status.VERIFIED, "ok", date(2027, 1, 5), date(2026, 11, 1))
    assert ctl.glance([ok]) == (
        "Verified 11/01/2026 · next check 01/05/2027",
        ctl.STATE_COLORS["ok"],
    )
    problem = row(Status.PROBLEM, "ok", None, None)
    assert ctl.glance([ok, problem])[0] == "Problem found"
    started = row(Status.IN_PROGRESS, "due", date(2026, 11, 27), None)
    assert ctl.glance([ok, started]) == ("In progress", ctl.STATE_COLORS["due"])


def test_drug_key_tells_products_apart() -> None:
    assert ctl.drug_key("J1745", "Remicade") != ctl.drug_key("J1745", "Inflectra")
