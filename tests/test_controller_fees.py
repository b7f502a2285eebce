"""The Fees and Assistance views' controller, without Qt: prices as shown, the schedule as CSV
and read back, program lines, the copay-card warning beside government coverage."""

from __future__ import annotations

import codecs
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infudesk.domain.fees import FeeRow, parse_fee_csv
from infudesk.errors import UserError
from infudesk.services import assistance as asv
from infudesk.services import fees
from infudesk.ui.fees import controller as ctl

TODAY = date(2026, 11, 27)


def test_unit_prices_as_shown() -> None:
    assert ctl.unit_text(D("92.5")) == "$92.50"
    assert ctl.unit_text(D("0.0125")) == "$0.0125"
    assert ctl.unit_text(D("1250")) == "$1,250.00"
    assert ctl.unit_text(D("1250"), dollar=False, thousands=False) == "1250.00"
    assert ctl.unit_text(None) == ""


@given(st.decimals(min_value=D("0"), max_value=D("999999"), places=4))
def test_a_price_as_shown_is_the_price(value: D) -> None:
    assert D(ctl.unit_text(value, dollar=False, thousands=False)) == value


def test_the_schedule_as_csv_reads_back_as_the_same_rows() -> None:
    records = [
        fees.FeeRecord(1, 7, FeeRow("Summit Health", "infusion_center", "J2350", D("48.9"))),
        fees.FeeRecord(2, None, FeeRow("", "", "J1439", None, D("2.60"), D("1.45"))),
    ]
    text = ctl.schedule_csv(records)
    assert text.splitlines()[0] == "payer,site,code,allowed,charge,self_pay"
    assert parse_fee_csv(text) == [r.row for r in records]
    assert ctl.row_label("Summit Health", "", "J2350") == "Summit Health · Any site · J2350"
    assert ctl.payer_text(records[1]) == ctl.CENTER_LABEL


def test_schedule_files_that_are_not_csv_text_are_refused(tmp_path: Path) -> None:
    good = tmp_path / "ok.csv"
    good.write_bytes("payer,site,code,allowed\r\n,,J1439,1.45\r\nÉ,,X,1\r\n".encode("cp1252"))
    assert "É" in ctl.read_schedule_file(good)
    utf16 = tmp_path / "u16.csv"
    utf16.write_bytes(codecs.BOM_UTF16_LE + "payer,site".encode("utf-16-le"))
    assert ctl.read_schedule_file(utf16) == "payer,site"
    for name, data, words in [
        ("book.xlsx", b"PK\x03\x04rest", "spreadsheet workbook"),
        ("bin.csv", b"a,b\x00c", "not a CSV text file"),
    ]:
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(UserError, match=words) as info:
            ctl.read_schedule_file(path)
        assert info.value.title == ctl.NOT_IMPORTED
    with pytest.raises(UserError, match="could not be read"):
        ctl.read_schedule_file(tmp_path / "gone.csv")


def test_program_lines() -> None:
    card = asv.ProgramData(per_visit_max=D("500"), annual_max=D("4000"), used=D("3900"))
    assert ctl.limits_text(card) == "$500.00 per visit · $4,000.00 per year"
    assert ctl.used_text(card) == "$3,900.00 ($100.00 left)"
    accumulator = asv.ProgramData(counts_toward_accumulators=False)
    assert ctl.limits_text(accumulator).endswith("(accumulator)")
    grant = asv.ProgramData(kind="foundation_grant", balance=D("1200"), expires=date(2026, 11, 1))
    assert ctl.limits_text(grant) == "$1,200.00 balance left"
    assert ctl.expires_text(grant, TODAY) == ("Expired 11/01/2026", ctl.EXPIRED_COLOR)
    assert ctl.expires_text(card, TODAY) == ("—", None)
    assert ctl.limits_text(asv.ProgramData(kind="discount", percent=D("0.5"))) == "50% off"


def test_the_plan_type_is_added_only_when_the_name_hides_it() -> None:
    from infudesk.domain import coverage as dc

    assert dc.names_its_type("Primary: Medicare (Original, Part B)", "medicare_part_b")
    assert dc.names_its_type("Humana Medicare Advantage HMO", "medicare_advantage")
    assert not dc.names_its_type("Primary: Illinois Medicaid", "medigap")
    assert not dc.names_its_type("Primary: Meridian", "medicaid_managed_care")
