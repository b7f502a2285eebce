"""Fee schedules and financial assistance: the pure rules (CSV parsing, price choice, poverty
guidelines, sliding scale) and their services against a real SQLCipher database."""
# mypy: disable-error-code="union-attr"

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from infudesk.domain import costshare as cs
from infudesk.domain.assistance import (
    DEFAULT_SCALE,
    fpl_percent,
    guideline,
    sliding_scale,
)
from infudesk.domain.fees import COLUMNS, FeeRow, choose_price, parse_fee_csv
from infudesk.domain.orders import SITE_LABELS
from infudesk.domain.patients import PatientData
from infudesk.errors import NotFound, UserError, ValidationFailed
from infudesk.resources import resource
from infudesk.services import assistance as asv
from infudesk.services import fees as fsv
from infudesk.services import patients as ps
from infudesk.services import payers as pys
from infudesk.services.audit import Actor
from infudesk.store.database import Store
from infudesk.store.models import AuditEvent, FeeScheduleRow
from tests.conftest import TODAY

SHIPPED = resource("fee_schedule.csv")
HEADER = "payer,site,code,allowed,charge,self_pay\n"


def shipped_text() -> str:
    return SHIPPED.read_text(encoding="utf-8")


def shipped_rows() -> list[FeeRow]:
    return parse_fee_csv(shipped_text())


def parse_error(text: str) -> str:
    with pytest.raises(ValueError) as info:
        parse_fee_csv(text)
    return str(info.value)


# ============================================================================================
# domain/fees: parse_fee_csv
# ============================================================================================


def test_shipped_schedule_parses_to_40_rows() -> None:
    rows = shipped_rows()
    assert len(rows) == 40
    center = [r for r in rows if r.payer == ""]
    # 18 center rows (J1745 … 96374, and at the end the home codes 99601, 99602, S9338,
    # S9359 of issue 9), then 22 payer rows (Prairie Family Medicaid's home 99601, 99602 and S9338 added).
    assert len(center) == 18
    assert len(rows) - len(center) == 22
    assert FeeRow("Prairie Family Medicaid", "home", "S9338", D("72.00")) in rows
    assert rows[0] == FeeRow("", "", "J1745", None, D("150.00"), D("84.00"))
    assert FeeRow("Lakeshore Health", "", "J1745", D("92.50")) in rows
    assert FeeRow("Summit Health", "hospital_outpatient", "J2350", D("71.20")) in rows
    assert FeeRow("Prairie Family Medicaid", "home", "96369", D("150.00")) in rows
    assert {r.payer for r in rows} == {
        "",
        "Lakeshore Health",
        "Medicare (Original, Part B)",
        "Prairie Family Medicaid",
        "Summit Health",
        "Northwind Benefits",
        "Harbor Health Plans",
    }


def test_shipped_schedule_keeps_the_quoted_payer_name_with_commas() -> None:
    medicare = [r for r in shipped_rows() if r.payer.startswith("Medicare")]
    # The CSV quotes "Medicare (Original, Part B)": one cell, not three.
    assert [(r.payer, r.code, r.allowed) for r in medicare] == [
        ("Medicare (Original, Part B)", "J1459", D("62.13")),
        ("Medicare (Original, Part B)", "96365", D("160.00")),
        ("Medicare (Original, Part B)", "96366", D("40.56")),
    ]
    assert all(r.site == "" and r.charge is None and r.self_pay is None for r in medicare)


def test_parse_normalises_bom_case_whitespace_and_dollar_signs() -> None:
    text = (
        "\ufeffPayer , SITE,Code,Allowed,Charge,Self_Pay\n"
        "# a comment line\n"
        "\n"
        '  Lakeshore   Health ,infusion_center, j1745 ,"$1,092.5",,\n'
    )
    assert parse_fee_csv(text) == [
        FeeRow("Lakeshore Health", "infusion_center", "J1745", D("1092.5"), None, None)
    ]


def test_parse_columns_may_come_in_any_order_and_extra_columns_are_ignored() -> None:
    text = "code,self_pay,notes,charge,payer,allowed,site\n96365,180,first visit,420,,,\n"
    assert parse_fee_csv(text) == [FeeRow("", "", "96365", None, D("420"), D("180"))]


def test_error_bad_code_names_line_and_column() -> None:
    msg = parse_error(HEADER + ",,J1745,,150.00,84.00\n,,J17,,1.00,\n")
    assert msg.startswith("Line 3, column code:")
    assert "J17" in msg


def test_error_line_counts_comments_and_the_header_of_the_shipped_file() -> None:
    # Lines 1–4 are comments, 5 the header, 6.. data; Lakeshore 96366 is the 17th data row
    # → line 22 of the file.
    text = shipped_text().replace(
        "Lakeshore Health,,96366,58.00,,", "Lakeshore Health,,9636X,58.00,,"
    )
    assert parse_error(text).startswith("Line 22, column code:")


def test_error_line_after_a_quoted_cell_spanning_two_lines() -> None:
    # The quoted payer takes lines 2–3, so the bad row is on line 4.
    msg = parse_error(HEADER + '"Two\nLines",,J1745,1.00,,\n,,J17,,1.00,\n')
    assert msg.startswith("Line 4, column code:")


@pytest.mark.parametrize(
    ("cells", "column", "words"),
    [
        # one rule for prices typed in a form or a file (infudesk.domain.fees.check_unit_price)
        (",,J1745,,-1.00,", "charge", "cannot be negative"),
        (",,J1745,,,-0.01", "self_pay", "cannot be negative"),
        ("Lakeshore Health,,J1745,abc,,", "allowed", "“abc”: Type the amount per unit"),
        (",,J1745,,12..5,", "charge", "Type the amount per unit"),
        (",,J1745,,NaN,", "charge", "Type the amount per unit"),
        (",,J1745,,1000000.01,", "charge", "over $1,000,000"),
        (",,J1745,,,1.23456", "self_pay", "up to 4 decimals"),
    ],
)
def test_error_bad_amount_names_line_and_column(cells: str, column: str, words: str) -> None:
    msg = parse_error(HEADER + cells + "\n")
    assert msg.startswith(f"Line 2, column {column}:")
    assert words in msg


def test_four_decimals_are_allowed() -> None:
    assert parse_fee_csv(HEADER + ",,J1439,,2.6012,1.4500\n")[0].charge == D("2.6012")


def test_error_unknown_site_lists_the_sites() -> None:
    msg = parse_error(HEADER + "Summit Health,clinic,J2350,48.90,,\n")
    assert msg.startswith("Line 2, column site:")
    for site in SITE_LABELS:
        assert site in msg


def test_error_duplicate_payer_site_code_names_both_lines() -> None:
    text = (
        HEADER + "Lakeshore Health,,J1745,92.50,,\n,,J1745,,150,\nLAKESHORE  health,,j1745,90,,\n"
    )
    msg = parse_error(text)
    # The payer name is compared ignoring case and spacing, the code ignoring case.
    assert msg == "Line 4: the same payer, site and code as line 2."


def test_same_code_for_another_site_is_not_a_duplicate() -> None:
    text = HEADER + "Summit Health,,J2350,50,,\nSummit Health,home,J2350,40,,\n"
    assert [r.site for r in parse_fee_csv(text)] == ["", "home"]


def test_error_missing_header_columns_are_named() -> None:
    msg = parse_error("# prices\npayer,code,allowed,charge\n,,J1745,,1,\n")
    assert msg.startswith("Line 2: the header must name the columns")
    assert msg.endswith("missing site, self_pay.")


@pytest.mark.parametrize("text", ["", "\n\n", "\ufeff", "# only a comment\n\n"])
def test_error_empty_file(text: str) -> None:
    assert "empty" in parse_error(text)


def test_error_row_with_no_price() -> None:
    msg = parse_error(HEADER + ",,J1745,,150,84\nLakeshore Health,,96365, , ,\n")
    assert msg == "Line 3: give at least one of allowed, charge, self_pay."


def test_header_only_file_is_refused() -> None:
    with pytest.raises(ValueError):
        parse_fee_csv(HEADER)


def test_payer_name_starting_with_hash_is_not_a_comment() -> None:
    rows = parse_fee_csv(HEADER + "#1 Health Plan,,J1745,90.00,,\n")
    assert [r.payer for r in rows] == ["#1 Health Plan"]


# --- round trip: rows written with the csv module parse back to the same rows --------------

_CODES = st.from_regex(r"[A-Va-v][0-9]{4}|[0-9]{5}|[0-9]{4}[FTft]", fullmatch=True)
_NAME_CHARS = st.sampled_from(
    list("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
    + list(" ,'\"()&.-/;")
    + ["é", "ñ", "ü", "王", "Ж", "ß"]
)
_PAYERS = st.one_of(
    st.just(""),
    st.sampled_from(["Medicare (Original, Part B)", 'Blue "Plus", Inc.', "Lakeshore Health"]),
    st.text(_NAME_CHARS, min_size=1, max_size=30).filter(lambda s: s.split() != []),
)


def _amount(places: int) -> st.SearchStrategy[D]:
    return st.integers(0, 1_000_000 * 10**places).map(lambda n: D(n).scaleb(-places))


_AMOUNTS = st.one_of(st.none(), st.integers(0, 4).flatmap(_amount))


@st.composite
def fee_rows(draw: st.DrawFn) -> tuple[str, str, str, D | None, D | None, D | None]:
    payer = draw(_PAYERS)
    prices = draw(
        st.tuples(_AMOUNTS, _AMOUNTS, _AMOUNTS).filter(
            # a payer's row must give its allowed amount; the center's row at least one price
            lambda t: t[0] is not None if payer.strip() else t != (None, None, None)
        )
    )
    return (payer, draw(st.sampled_from(["", *SITE_LABELS])), draw(_CODES), *prices)


def _key(r: tuple[str, str, str, D | None, D | None, D | None]) -> tuple[str, str, str]:
    return (" ".join(r[0].split()).casefold(), r[1], r[2].upper())


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(fee_rows(), min_size=1, max_size=12, unique_by=_key),
    order=st.permutations(list(COLUMNS)),
    bom=st.booleans(),
    comment=st.booleans(),
)
def test_parse_reads_back_rows_written_with_the_csv_module(
    rows: list[tuple[str, str, str, D | None, D | None, D | None]],
    order: list[str],
    bom: bool,
    comment: bool,
) -> None:
    out = io.StringIO()
    if bom:
        out.write("\ufeff")
    if comment:
        out.write('# written by a test, with a comma, and a "quote"\n\n')
    writer = csv.writer(out)
    writer.writerow(order)
    for payer, site, code, allowed, charge, self_pay in rows:
        cells = {
            "payer": payer,
            "site": site,
            "code": code,
            **{
                name: "" if v is None else f"{v:f}"
                for name, v in (("allowed", allowed), ("charge", charge), ("self_pay", self_pay))
            },
        }
        writer.writerow([cells[c] for c in order])
    expected = [
        FeeRow(" ".join(p.split()), site, code.upper(), a, c, sp)
        for p, site, code, a, c, sp in rows
    ]
    assert parse_fee_csv(out.getvalue()) == expected


# ============================================================================================
# domain/fees: choose_price
# ============================================================================================


def test_payer_row_for_the_site_beats_the_payer_any_site_row() -> None:
    rows = [
        FeeRow("", "", "J1745", charge=D("150.00"), self_pay=D("84.00")),
        FeeRow("Lakeshore Health", "", "J1745", allowed=D("92.50")),
        FeeRow("Lakeshore Health", "hospital_outpatient", "J1745", allowed=D("120.00")),
    ]
    at_hospital = choose_price(rows, "J1745", payer="Lakeshore Health", site="hospital_outpatient")
    assert at_hospital.unit_price == D("120.00")
    assert at_hospital.source == "Lakeshore Health fee schedule (hospital_outpatient)"
    at_center = choose_price(rows, "J1745", payer="Lakeshore Health", site="infusion_center")
    assert at_center.unit_price == D("92.50")
    assert at_center.source == "Lakeshore Health fee schedule"  # the any-site row: no site named
    # Either way the center's row gives the billed charge.
    assert at_hospital.charge == at_center.charge == D("150.00")


def test_payer_name_is_matched_ignoring_case() -> None:
    price = choose_price(shipped_rows(), "96365", payer="LAKESHORE HEALTH", site="infusion_center")
    assert (price.unit_price, price.charge) == (D("210.00"), D("420.00"))


def test_shipped_summit_prices_depend_on_the_site() -> None:
    rows = shipped_rows()
    hosp = choose_price(rows, "J2350", payer="Summit Health", site="hospital_outpatient")
    center = choose_price(rows, "J2350", payer="Summit Health", site="infusion_center")
    assert (hosp.unit_price, center.unit_price) == (D("71.20"), D("48.90"))
    assert hosp.charge == center.charge == D("85.00")


def test_center_row_for_the_site_gives_the_charge() -> None:
    rows = [
        FeeRow("", "", "96413", charge=D("560.00"), self_pay=D("240.00")),
        FeeRow("", "hospital_outpatient", "96413", charge=D("900.00")),
        FeeRow("Summit Health", "", "96413", allowed=D("260.00")),
    ]
    assert choose_price(
        rows, "96413", payer="Summit Health", site="hospital_outpatient"
    ).charge == D("900.00")
    assert choose_price(rows, "96413", payer="Summit Health", site="home").charge == D("560.00")


def test_self_pay_uses_the_self_pay_price() -> None:
    price = choose_price(shipped_rows(), "J1439", payer=None, site="infusion_center")
    assert price.unit_price == D("1.45")
    assert price.charge == D("2.60")
    assert price.source == "self-pay price list"


def test_self_pay_without_a_self_pay_price_uses_the_charge() -> None:
    rows = [FeeRow("", "", "96372", charge=D("60.00"))]
    price = choose_price(rows, "96372", payer=None, site="infusion_center")
    assert (price.unit_price, price.charge, price.source) == (
        D("60.00"),
        D("60.00"),
        "billed charge",
    )


def test_self_pay_with_no_center_row_has_no_price() -> None:
    price = choose_price(shipped_rows(), "J9999", payer=None, site="infusion_center")
    assert (price.unit_price, price.charge, price.source) == (None, None, "no price")


def test_missing_allowed_amount_gives_none_and_says_why() -> None:
    # Lakeshore has no row for J2350; the center's row still gives the charge.
    price = choose_price(shipped_rows(), "J2350", payer="Lakeshore Health", site="infusion_center")
    assert price.unit_price is None
    assert price.charge == D("85.00")
    assert price.source == "no allowed amount for J2350 from Lakeshore Health"
    # Summit prices J2350 only for two sites: none for home.
    home = choose_price(shipped_rows(), "J2350", payer="Summit Health", site="home")
    assert home.unit_price is None and "Summit Health" in home.source


def test_payer_site_row_without_allowed_does_not_hide_the_any_site_price() -> None:
    text = (
        HEADER
        + "Lakeshore Health,,J1745,92.50,,\nLakeshore Health,hospital_outpatient,J1745,,200.00,\n"
    )
    try:
        rows = parse_fee_csv(text)
    except ValueError as exc:  # refusing the row (as the form does) is a fix too
        assert "allowed" in str(exc)
        return
    price = choose_price(rows, "J1745", payer="Lakeshore Health", site="hospital_outpatient")
    assert price.unit_price == D("92.50")


# ============================================================================================
# domain/assistance
# ============================================================================================


@pytest.mark.parametrize(
    ("household", "year", "state", "dollars"),
    [
        (1, 2026, "", 15960),
        (4, 2026, "", 33000),  # 15,960 + 3 × 5,680
        (3, 2026, "IL", 27320),  # 15,960 + 2 × 5,680
        (1, 2025, "", 15650),
        (4, 2025, "", 32150),  # 15,650 + 3 × 5,500
        (1, 2026, "AK", 19950),
        (4, 2026, "ak", 41250),  # 19,950 + 3 × 7,100
        (1, 2026, "HI", 18360),
        (4, 2026, "HI", 37950),  # 18,360 + 3 × 6,530
        (1, 2025, "AK", 19550),
        (1, 2025, "HI", 17990),
    ],
)
def test_poverty_guideline(household: int, year: int, state: str, dollars: int) -> None:
    assert guideline(household, year, state) == dollars


def test_guideline_needs_a_person() -> None:
    with pytest.raises(ValueError, match="at least one person"):
        guideline(0, 2026)


def test_fpl_percent() -> None:
    assert fpl_percent(D("33000"), 4, 2026) == D("100.0")
    assert fpl_percent(D("0"), 1, 2026) == D("0.0")
    # 41,000 / 27,320 = 1.50073… → 150.1 %
    assert fpl_percent(D("41000"), 3, 2026) == D("150.1")
    # Alaska's higher guideline lowers the percentage: 41,250 / 41,250 = 100 %
    assert fpl_percent(D("41250"), 4, 2026, "AK") == D("100.0")
    with pytest.raises(ValueError, match="negative"):
        fpl_percent(D("-1"), 1, 2026)


@pytest.mark.parametrize(
    ("income", "pct", "discount"),
    [
        # household of 1 in 2026: the guideline is 15,960
        ("15960", "100.0", "1.00"),  # exactly 100 %
        ("15961", "100.0", "1.00"),  # 100.006 % rounds to 100.0
        ("15968", "100.1", "0.75"),  # 100.050 % → 100.1: just above
        ("23940", "150.0", "0.75"),  # exactly 150 % (1.5 × 15,960)
        ("23956", "150.1", "0.50"),  # 150.100 %
        ("31920", "200.0", "0.50"),  # exactly 200 %
        ("31936", "200.1", "0.25"),  # 200.100 %
        ("39900", "250.0", "0.25"),  # exactly 250 %
        ("39908", "250.1", "0"),  # 250.050 % → 250.1: above the scale
        ("100000", "626.6", "0"),
    ],
)
def test_sliding_scale_tiers_at_the_boundaries(income: str, pct: str, discount: str) -> None:
    r = sliding_scale(D(income), 1, 2026)
    assert r.fpl_percent == D(pct)
    assert r.discount == D(discount)


def test_d0005_household_of_three_at_41000_gets_half_off() -> None:
    r = sliding_scale(D("41000"), 3, 2026)
    assert (r.fpl_percent, r.discount) == (D("150.1"), D("0.50"))
    assert r.explanation == (
        "Household of 3, income $41,000 = 150.1% of the 2026 poverty guideline ($27,320); "
        "up to 200% qualifies for 50% off."
    )


def test_sliding_scale_above_the_scale_says_so() -> None:
    r = sliding_scale(D("80000"), 2, 2026)  # 80,000 / 21,640 = 369.7 %
    assert r.discount == D("0")
    assert "369.7%" in r.explanation and "above the sliding scale (250%)" in r.explanation


def test_sliding_scale_with_a_site_scale() -> None:
    scale = ((200, D("1.00")), (400, D("0.40")))
    assert sliding_scale(D("60000"), 1, 2026, scale=scale).discount == D("0.40")  # 375.9 %


@settings(max_examples=200, deadline=None)
@given(
    low=st.integers(0, 300_000),
    extra=st.integers(0, 100_000),
    household=st.integers(1, 12),
    year=st.sampled_from([2025, 2026]),
    state=st.sampled_from(["", "AK", "HI", "IL"]),
)
def test_discount_never_increases_as_income_rises(
    low: int, extra: int, household: int, year: int, state: str
) -> None:
    poorer = sliding_scale(D(low), household, year, state)
    richer = sliding_scale(D(low + extra), household, year, state)
    assert richer.fpl_percent >= poorer.fpl_percent
    assert richer.discount <= poorer.discount
    assert richer.discount in {rate for _, rate in DEFAULT_SCALE} | {D("0")}


# ============================================================================================
# services/fees
# ============================================================================================


@pytest.fixture
def payers(store: Store, actor: Actor) -> dict[str, int]:
    """The shipped starter payers (the sample schedule names them)."""
    with store.session() as s:
        pys.load_starter_payers(s, actor, resource("payers.json"))
        return {p.data.name: p.id for p in pys.list_payers(s)}


def fee_count(store: Store) -> int:
    with store.session() as s:
        return int(s.scalar(select(func.count()).select_from(FeeScheduleRow)) or 0)


def test_import_shipped_schedule(store: Store, actor: Actor, payers: dict[str, int]) -> None:
    with store.session() as s:
        assert fsv.import_csv(s, actor, shipped_text()) == 40
    with store.session() as s:
        recs = fsv.all_rows(s)
        assert len(recs) == 40
        medicare = [r for r in recs if r.row.payer == "Medicare (Original, Part B)"]
        assert {r.payer_id for r in medicare} == {payers["Medicare (Original, Part B)"]}
        assert all(r.payer_id is None for r in recs if r.row.payer == "")
        # the stored prices read back as the file's
        assert sorted(fsv.rows(s), key=repr) == sorted(shipped_rows(), key=repr)
        ev = s.scalars(select(AuditEvent).where(AuditEvent.entity == "fee_schedule")).all()
        assert [(e.action, e.detail) for e in ev] == [("import", '{"rows": 40}')]


def test_import_replaces_everything(store: Store, actor: Actor, payers: dict[str, int]) -> None:
    with store.session() as s:
        fsv.import_csv(s, actor, shipped_text())
    small = HEADER + ",,J1745,,160.00,90.00\nlakeshore health,,J1745,95.00,,\n"
    with store.session() as s:
        assert fsv.import_csv(s, actor, small) == 2
    with store.session() as s:
        assert sorted(fsv.rows(s), key=repr) == sorted(
            [
                FeeRow("", "", "J1745", None, D("160.00"), D("90.00")),
                # the payer directory's spelling, whatever the file's case
                FeeRow("Lakeshore Health", "", "J1745", D("95.00")),
            ],
            key=repr,
        )


def test_import_unknown_payer_changes_nothing(
    store: Store, actor: Actor, payers: dict[str, int]
) -> None:
    with store.session() as s:
        fsv.import_csv(s, actor, shipped_text())
    bad = HEADER + ",,J1745,,160.00,90.00\nNobody Health Co,,J1745,95.00,,\n"
    with store.session() as s:
        with pytest.raises(UserError) as info:
            fsv.import_csv(s, actor, bad)
        msg = info.value.message
        assert "Nobody Health Co" in msg and "Nothing was changed" in msg
        assert re.search(r"\bline \d+\b", msg)  # it names the line of the file
        assert info.value.title == "Fee schedule not imported"
        assert len(fsv.all_rows(s)) == 40  # not even in this unit of work
    assert fee_count(store) == 40


def test_import_unknown_payer_names_the_file_line(
    store: Store, actor: Actor, payers: dict[str, int]
) -> None:
    bad = "# prices\n" + HEADER + ",,J1745,,160.00,90.00\nNobody Health Co,,J1745,95.00,,\n"
    with store.session() as s, pytest.raises(UserError) as info:
        fsv.import_csv(s, actor, bad)
    assert re.search(r"\b(line|row) 4\b", info.value.message, re.IGNORECASE)


def test_import_parse_error_becomes_user_error_and_changes_nothing(
    store: Store, actor: Actor, payers: dict[str, int]
) -> None:
    with store.session() as s:
        fsv.import_csv(s, actor, shipped_text())
    with store.session() as s, pytest.raises(UserError) as info:
        fsv.import_csv(s, actor, HEADER + ",,J1745,,160.00,90.00\n,,J1745,,-5,\n")
    assert "Line 3, column charge" in info.value.message
    assert info.value.message.endswith("Nothing was changed.")
    assert fee_count(store) == 40


def test_save_row_adds_then_updates(store: Store, actor: Actor, payers: dict[str, int]) -> None:
    lk = payers["Lakeshore Health"]
    with store.session() as s:
        fsv.save_row(
            s,
            actor,
            payer_id=lk,
            site="",
            code=" j1745 ",
            allowed=D("92.50"),
            charge=None,
            self_pay=None,
        )
        fsv.save_row(
            s,
            actor,
            payer_id=None,
            site="",
            code="J1745",
            allowed=None,
            charge=D("150"),
            self_pay=None,
        )
    with store.session() as s:
        fsv.save_row(
            s,
            actor,
            payer_id=lk,
            site="",
            code="J1745",
            allowed=D("95.25"),
            charge=None,
            self_pay=None,
        )
    with store.session() as s:
        assert sorted(fsv.rows(s), key=repr) == sorted(
            [
                FeeRow("", "", "J1745", None, D("150"), None),
                FeeRow("Lakeshore Health", "", "J1745", D("95.25")),
            ],
            key=repr,
        )
        assert len(s.scalars(select(AuditEvent).where(AuditEvent.action == "fee")).all()) == 3


@pytest.mark.parametrize(
    ("kw", "field", "words"),
    [
        (
            dict(payer="Lakeshore Health", allowed=None, charge=D("150")),
            "allowed",
            "allowed amount",
        ),
        (dict(payer=None, allowed=D("10"), charge=None, self_pay=None), "charge", "billed charge"),
        (dict(payer=None, code="J17", charge=D("1")), "code", "CPT"),
        (dict(payer=None, code="", charge=D("1")), "code", "CPT"),
        (dict(payer="Lakeshore Health", allowed=D("-0.01")), "allowed", "negative"),
        (dict(payer=None, charge=D("-1")), "charge", "negative"),
        (dict(payer=None, charge=D("1"), self_pay=D("-2")), "self_pay", "negative"),
        (dict(payer=None, site="clinic", charge=D("1")), "site", "site of care"),
    ],
)
def test_save_row_validation_at_field(
    store: Store,
    actor: Actor,
    payers: dict[str, int],
    kw: dict[str, object],
    field: str,
    words: str,
) -> None:
    kw = dict(kw)  # a copy: the same parameters serve both engines
    payer = kw.pop("payer")
    args: dict[str, object] = dict(site="", code="J1745", allowed=None, charge=None, self_pay=None)
    args.update(kw)
    with store.session() as s, pytest.raises(ValidationFailed) as info:
        fsv.save_row(s, actor, payer_id=payers[payer] if payer else None, **args)  # type: ignore[arg-type,index]
    assert field in info.value.errors
    assert words in info.value.errors[field]
    assert fee_count(store) == 0


def test_delete_row(store: Store, actor: Actor, payers: dict[str, int]) -> None:
    with store.session() as s:
        fsv.import_csv(s, actor, shipped_text())
    with store.session() as s:
        target = next(
            r
            for r in fsv.all_rows(s)
            if r.row.code == "96366" and r.row.payer == "Lakeshore Health"
        )
        fsv.delete_row(s, actor, target.id)
    with store.session() as s:
        assert len(fsv.all_rows(s)) == 39
        assert (
            choose_price(fsv.rows(s), "96366", payer="Lakeshore Health", site="").unit_price is None
        )


def test_ensure_sample_only_on_an_empty_schedule(
    store: Store, actor: Actor, payers: dict[str, int]
) -> None:
    with store.session() as s:
        assert fsv.ensure_sample(s, actor, SHIPPED) == 40
    with store.session() as s:
        assert fsv.ensure_sample(s, actor, SHIPPED) == 0
    assert fee_count(store) == 40
    # a site's own (smaller) schedule is never overwritten by the sample
    with store.session() as s:
        fsv.import_csv(s, actor, HEADER + ",,J1745,,1.00,\n")
    with store.session() as s:
        assert fsv.ensure_sample(s, actor, SHIPPED) == 0
        assert fsv.rows(s) == [FeeRow("", "", "J1745", None, D("1.0000"), None)]


# ============================================================================================
# services/assistance
# ============================================================================================


@pytest.fixture
def patient_id(store: Store, actor: Actor) -> int:
    data = PatientData(
        first_name="Ada", last_name="Quinn", birth_date=date(1970, 5, 4), sex="F", mrn="T0001"
    )
    with store.session() as s:
        return ps.create_patient(s, actor, data, today=TODAY, allow_look_alike=True).id


CARD = asv.ProgramData(
    kind="copay_card",
    name="  Infliximab   copay program ",
    per_visit_max=D("500"),
    annual_max=D("20000"),
    used=D("1200"),
    counts_toward_accumulators=False,
)
GRANT = asv.ProgramData(
    kind="foundation_grant",
    name="MS Access Fund grant",
    balance=D("4000"),
    expires=date(2026, 12, 31),
)
DISCOUNT = asv.ProgramData(
    kind="discount", name="Sliding-scale discount", percent=D("0.50"), notes="150.1% of FPL"
)


def test_validate_accepts_each_kind() -> None:
    assert asv.validate(CARD) == {}
    assert asv.validate(GRANT) == {}
    assert asv.validate(DISCOUNT) == {}
    assert asv.validate(asv.ProgramData(kind="copay_card", name="Card")) == {}  # no limits
    assert asv.validate(asv.ProgramData(kind="discount", name="Charity", percent=D("1"))) == {}


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (asv.ProgramData(kind="lottery", name="x"), "kind"),
        (asv.ProgramData(kind="copay_card", name="   "), "name"),
        (asv.ProgramData(kind="copay_card", name="c", per_visit_max=D("-1")), "per_visit_max"),
        (asv.ProgramData(kind="copay_card", name="c", annual_max=D("-1")), "annual_max"),
        (asv.ProgramData(kind="copay_card", name="c", used=D("-0.01")), "used"),
        (
            asv.ProgramData(kind="copay_card", name="c", annual_max=D("100"), used=D("100.01")),
            "used",
        ),
        (asv.ProgramData(kind="foundation_grant", name="g"), "balance"),
        (asv.ProgramData(kind="foundation_grant", name="g", balance=D("-5")), "balance"),
        (asv.ProgramData(kind="discount", name="d"), "percent"),
        (asv.ProgramData(kind="discount", name="d", percent=D("0")), "percent"),
        (asv.ProgramData(kind="discount", name="d", percent=D("50")), "percent"),  # 50 ≠ 50 %
        (asv.ProgramData(kind="discount", name="d", percent=D("-0.1")), "percent"),
    ],
)
def test_validate_names_the_field(data: asv.ProgramData, field: str) -> None:
    assert field in asv.validate(data)


def test_add_list_and_set_active(store: Store, actor: Actor, patient_id: int) -> None:
    with store.session() as s:
        card = asv.add_program(s, actor, patient_id, CARD)
        grant = asv.add_program(s, actor, patient_id, GRANT)
        disc = asv.add_program(s, actor, patient_id, DISCOUNT)
    assert card.data.name == "Infliximab copay program"  # spaces tidied
    assert card.label == "Infliximab copay program (copay card, $500/visit, $20,000/year)"
    assert grant.label == "MS Access Fund grant (grant, $4,000 left, until 12/31/2026)"
    assert disc.label == "Sliding-scale discount (50% off)"
    with store.session() as s:
        listed = asv.list_programs(s, patient_id)
        assert [p.id for p in listed] == [card.id, grant.id, disc.id]
        assert listed[0].data == replace(CARD, name="Infliximab copay program")
        assert listed[1].data.expires == date(2026, 12, 31)
        assert listed[2].data.notes == "150.1% of FPL"
    with store.session() as s:
        off = asv.set_active(s, actor, grant.id, False)
        assert off.data.active is False
    with store.session() as s:
        assert [p.id for p in asv.list_programs(s, patient_id)] == [card.id, disc.id]
        assert [p.id for p in asv.list_programs(s, patient_id, active_only=False)] == [
            card.id,
            grant.id,
            disc.id,
        ]
        asv.set_active(s, actor, grant.id, True)
    with store.session() as s:
        assert len(asv.list_programs(s, patient_id)) == 3
        actions = s.scalars(
            select(AuditEvent.action).where(
                AuditEvent.entity == "assistance", AuditEvent.patient_id == patient_id
            )
        ).all()
        assert actions == ["create", "create", "create", "deactivate", "activate"]


def test_add_refuses_invalid_or_orphan(store: Store, actor: Actor, patient_id: int) -> None:
    with store.session() as s, pytest.raises(ValidationFailed) as info:
        asv.add_program(
            s, actor, patient_id, asv.ProgramData(kind="discount", name="d", percent=D("75"))
        )
    assert set(info.value.errors) == {"percent"}
    with store.session() as s, pytest.raises(NotFound):
        asv.add_program(s, actor, 999_999, DISCOUNT)
    with store.session() as s, pytest.raises(NotFound):
        asv.set_active(s, actor, 999_999, False)
    with store.session() as s:
        assert asv.list_programs(s, patient_id, active_only=False) == []


def test_to_engine_mapping(store: Store, actor: Actor, patient_id: int) -> None:
    with store.session() as s:
        for data in (CARD, GRANT, DISCOUNT):
            asv.add_program(s, actor, patient_id, data)
    with store.session() as s:
        card, grant, disc = asv.list_programs(s, patient_id)
    assert asv.to_engine(card) == cs.CopayCard(
        name="Infliximab copay program",
        per_visit_max=D("500"),
        annual_max=D("20000"),
        used=D("1200"),
        counts_toward_accumulators=False,
    )
    assert asv.to_engine(grant) == cs.FoundationGrant(
        name="MS Access Fund grant", balance=D("4000"), expires=date(2026, 12, 31)
    )
    assert asv.to_engine(disc) == cs.Discount(name="Sliding-scale discount", percent=D("0.50"))
    assert isinstance(asv.to_engine(disc).percent, D)
