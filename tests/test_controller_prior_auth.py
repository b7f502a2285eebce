"""The prior-auth views' controller, without Qt: what a request asks for, visits, what is left."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from infudesk.domain import prior_auth as pa
from infudesk.domain.billing import BillingLine
from infudesk.domain.orders import OrderData
from infudesk.domain.prior_auth import ReminderKind, State
from infudesk.services import orders as ors
from infudesk.services import prior_auths as pas
from infudesk.ui.prior_auth import controller as ctl

DAYS = (date(2026, 12, 1), date(2027, 1, 26), date(2027, 3, 23))


def order() -> ors.OrderRecord:
    return ors.OrderRecord(
        id=1,
        version=1,
        patient_id=1,
        data=OrderData(drug_name="Infliximab", drug_hcpcs="J1745", site_of_care="infusion_center"),
        status="active",
        changed_on=None,
        lines=(
            BillingLine("J1745", "", 36, "given", "drug"),
            BillingLine("J1745", "JW", 4, "wasted", "drug"),
            BillingLine("96365", "", 1, "first hour", "admin"),
        ),
        visits=tuple(ors.VisitRecord(i, d, "planned") for i, d in enumerate(DAYS)),
    )


def test_a_request_for_the_whole_order_asks_for_units_times_visits() -> None:
    approval = ctl.prefill_approval(order())
    assert approval == pa.Approval(
        auth_number="",
        lines=(pa.ApprovedLine("J1745", 120), pa.ApprovedLine("96365", 3)),
        visits=3,
        start=DAYS[0],
        end=DAYS[-1],
        site="infusion_center",
    )
    assert ctl.prefill_approval(None) is None


def test_visits_recorded_newest_first_with_their_reasons() -> None:
    usages = (
        pa.Usage(DAYS[0], "J1745", 36, True),
        pa.Usage(DAYS[0], "J1745", 4, False),
        pa.Usage(DAYS[1], "J1745", 40, True, reason="beyond the approved units"),
        pa.Usage(DAYS[1], "96365", 1, False, reason="beyond the approved units"),
    )
    assert ctl.visit_rows(usages) == [
        ("01/26/2027", "J1745 ×40, 96365 ×1", "beyond the approved units"),
        ("12/01/2026", "J1745 ×40", ""),
    ]


def case(remaining: pa.Remaining | None, visits: int | None, units: dict[str, int]) -> pas.CaseRow:
    return pas.CaseRow(
        id=1,
        patient_id=1,
        patient_name="A",
        mrn="D0001",
        payer_id=1,
        payer_name="X",
        order_label="",
        state=State.APPROVED,
        auth_number="A1",
        end_on=None,
        remaining=remaining,
        approved_visits=visits,
        next_reminder=None,
        reminders=(),
        approved_units=units,
    )


def test_what_is_left_of_an_approval() -> None:
    left = pa.Remaining({"J1745": 30, "96365": 2}, visits=1, over={"J2350": 5}, visits_over=0)
    row = case(left, 3, {"J1745": 120, "96365": 3})
    assert ctl.units_text(row) == "J1745 30 of 120, 96365 2 of 3, J2350 over by 5"
    assert ctl.units_fraction(row) == 0.25
    assert ctl.visits_text(row) == "1 of 3"
    assert ctl.visits_fraction(row) == 1 / 3
    unlimited = case(pa.Remaining({"J1745": 30}, visits=None), None, {"J1745": 120})
    assert ctl.visits_text(unlimited) == "no limit" and ctl.visits_fraction(unlimited) is None
    none = case(None, None, {})
    assert ctl.units_text(none) == "—" and ctl.units_fraction(none) is None


def test_dates_sizes_and_reminders_as_shown() -> None:
    assert ctl.us(None) == "—" and ctl.us(DAYS[0]) == "12/01/2026"
    assert ctl.file_size(900) == "900 bytes"
    assert ctl.file_size(2048) == "2 KB"
    assert ctl.file_size(3 * 1024 * 1024) == "3.0 MB"
    reminder = pa.Reminder(ReminderKind.REAUTH, DAYS[0], "", "soon")
    assert ctl.reminder_line(reminder) == (
        f"{pa.REMINDER_LABELS[ReminderKind.REAUTH]} — 12/01/2026 (soon)"
    )


@given(st.integers(min_value=0, max_value=10**10))
def test_file_sizes_grow_with_their_unit(size: int) -> None:
    text = ctl.file_size(size)
    number, unit = text.split(" ")
    scale = {"bytes": 1, "KB": 1024, "MB": 1024 * 1024}[unit]
    assert abs(float(number) * scale - size) <= scale * 0.5 + 1
