"""Click through the Fee schedule screen (form, CSV import/export) and the Assistance tab."""
# mypy: disable-error-code="no-untyped-call,attr-defined"

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QMessageBox, QWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from infudesk.domain.coverage import CoverageData, PlanType
from infudesk.domain.fees import COLUMNS, FeeRow, check_unit_price
from infudesk.domain.patients import PatientData
from infudesk.resources import resource
from infudesk.services import assistance as asv
from infudesk.services import coverages as cvs
from infudesk.services import fees
from infudesk.services import patients as ps
from infudesk.services import payers as pay
from infudesk.services.audit import Actor
from infudesk.store.database import Store
from infudesk.ui.common.ops import Backend
from infudesk.ui.fees.assistance_tab import AssistanceDialog, AssistanceTab
from infudesk.ui.fees.controller import CENTER_LABEL
from infudesk.ui.fees.fees_screen import CENTER, FeeColumns, FeesScreen
from tests.conftest import TODAY
from tests.qt_helpers import type_text, when_modal

SEED = Actor("seed")


# -- fixtures and helpers -----------------------------------------------------------------------
@pytest.fixture
def backend(store: Store) -> Backend:
    return Backend(store, Actor("desk.clerk"))


@pytest.fixture
def seeded(store: Store) -> Store:
    """The starter payers and the shipped sample fee schedule."""
    with store.session() as s:
        pay.load_starter_payers(s, SEED, resource("payers.json"))
        fees.import_csv(s, SEED, resource("fee_schedule.csv").read_text(encoding="utf-8"))
    return store


@pytest.fixture
def screen(qtbot: QtBot, backend: Backend, seeded: Store) -> FeesScreen:
    w = FeesScreen(backend, today=lambda: TODAY)
    qtbot.addWidget(w)
    w.resize(1300, 800)
    w.show()
    qtbot.waitExposed(w)
    return w


def rows(store: Store) -> list[FeeRow]:
    with store.session() as s:
        return fees.rows(s)


def payer_id(store: Store, name: str) -> int:
    with store.session() as s:
        return pay.payer_by_name(s, name).id


def line(widget: QWidget) -> QLineEdit:
    assert isinstance(widget, QLineEdit)
    return widget


def type_into(qtbot: QtBot, widgets: dict[str, QWidget], values: dict[str, str]) -> None:
    for name, text in values.items():
        edit = line(widgets[name])
        edit.clear()
        type_text(qtbot, edit, text)


def choose(widgets: dict[str, QWidget], name: str, value: object) -> None:
    combo = widgets[name]
    assert isinstance(combo, QComboBox)
    index = combo.findData(value)
    assert index >= 0, f"{value!r} is not offered in {name}"
    combo.setCurrentIndex(index)


def click(qtbot: QtBot, button: QWidget) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def answer_box(button: QMessageBox.StandardButton, seen: list[str]) -> Callable[[QWidget], None]:
    """A modal handler: note the message box's text, then press ``button``."""

    def handler(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        seen.append(box.text())
        box.button(button).click()

    return handler


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


# -- the fee schedule screen --------------------------------------------------------------------
def test_table_shows_the_schedule_and_filters(screen: FeesScreen, seeded: Store) -> None:
    assert screen.model.rowCount() == len(rows(seeded)) == 40
    m = screen.model
    first = [m.data(m.index(0, c)) for c in FeeColumns]
    assert first == [CENTER_LABEL, "Any site", "96365", "—", "$420.00", "$180.00"]
    assert m.headerData(FeeColumns.SELF_PAY, Qt.Orientation.Horizontal) == "Self-pay / unit"

    screen.payer_filter.setCurrentIndex(
        screen.payer_filter.findData(payer_id(seeded, "Summit Health"))
    )
    assert {r.row.payer for r in screen.visible_records()} == {"Summit Health"}
    assert screen.model.rowCount() == 6
    sites = {m.data(m.index(r, FeeColumns.SITE)) for r in range(m.rowCount())}
    assert sites == {"Infusion center / office (POS 11)", "Hospital outpatient (POS 19/22)"}
    screen.search_box.setText("j2350")
    assert [r.row.code for r in screen.visible_records()] == ["J2350", "J2350"]
    assert screen.count_label.text() == "Showing 2 of 40 rows."
    screen.payer_filter.setCurrentIndex(screen.payer_filter.findData(CENTER))
    assert [(r.payer_id, r.row.code) for r in screen.visible_records()] == [(None, "J2350")]


def test_fee_model_is_a_well_behaved_qt_model(
    qtmodeltester: ModelTester, screen: FeesScreen
) -> None:
    qtmodeltester.check(screen.model)


def test_add_a_row_through_the_form(qtbot: QtBot, screen: FeesScreen, seeded: Store) -> None:
    before = rows(seeded)
    w = screen.form.widgets
    click(qtbot, screen.new_button)
    choose(w, "payer_id", payer_id(seeded, "Summit Health"))
    choose(w, "site", "infusion_center")
    type_into(qtbot, w, {"code": "j1745", "allowed": "$1,048.9"})
    click(qtbot, screen.save_button)

    assert "Saved Summit Health · Infusion center / office (POS 11) · J1745" in screen.status.text()
    new = FeeRow("Summit Health", "infusion_center", "J1745", D("1048.90"), None, None)
    after = rows(seeded)
    assert new in after and len(after) == len(before) + 1
    assert screen.selected is not None and screen.selected.row == new
    assert screen.delete_button.isEnabled()
    assert not screen.is_dirty()
    m, r = screen.model, screen.model.row_of(screen.selected.id)
    assert m.data(m.index(r, FeeColumns.ALLOWED)) == "$1,048.90"
    assert screen.table.currentIndex().row() == r


def test_selecting_a_row_fills_the_form_and_edits_it(
    qtbot: QtBot, screen: FeesScreen, seeded: Store
) -> None:
    rec = next(
        r for r in screen.records if r.row.payer == "Lakeshore Health" and r.row.code == "J1745"
    )
    screen.select_record(rec.id)
    w = screen.form.widgets
    assert screen.selected == rec
    assert line(w["code"]).text() == "J1745"
    assert line(w["allowed"]).text() == "92.50"
    assert line(w["charge"]).text() == ""
    assert screen.form.choice("payer_id") == rec.payer_id
    assert screen.form.choice("site") == ""
    type_into(qtbot, w, {"allowed": "0.0125"})  # prices per unit may have 4 decimals
    qtbot.keyClick(line(w["allowed"]), Qt.Key.Key_Return)
    with seeded.session() as s:
        saved = next(r for r in fees.all_rows(s) if r.id == rec.id)
    assert saved.row.allowed == D("0.0125")
    assert len(rows(seeded)) == 40
    assert line(w["allowed"]).text() == "0.0125"


def test_bad_amount_is_shown_at_the_field_and_typed_text_kept(
    qtbot: QtBot, screen: FeesScreen, seeded: Store
) -> None:
    before = rows(seeded)
    w = screen.form.widgets
    screen.new_row(ask=False)
    choose(w, "payer_id", payer_id(seeded, "Northwind Benefits"))
    type_into(qtbot, w, {"code": "96366", "allowed": "12.3.4", "self_pay": "-5"})
    click(qtbot, screen.save_button)
    assert screen.form.boxes["allowed"].error.isVisible()
    assert "dollars" in screen.form.boxes["allowed"].message
    assert screen.form.boxes["self_pay"].message == "An amount cannot be negative."
    assert not screen.form.boxes["code"].error.isVisible()
    assert "Nothing was saved" in screen.status.text()
    assert line(w["allowed"]).text() == "12.3.4"
    assert line(w["code"]).text() == "96366"
    assert rows(seeded) == before

    # the service's own rule lands at its field too: a payer's row needs the allowed amount
    type_into(qtbot, w, {"allowed": "", "self_pay": "", "charge": "40"})
    click(qtbot, screen.save_button)
    assert "allowed amount" in screen.form.boxes["allowed"].message
    assert not screen.form.boxes["self_pay"].error.isVisible()
    assert rows(seeded) == before


def test_changing_the_code_of_a_shown_row_offers_to_replace_it(
    qtbot: QtBot, screen: FeesScreen, seeded: Store
) -> None:
    rec = next(
        r for r in screen.records if r.row.payer == "Lakeshore Health" and r.row.code == "96366"
    )
    screen.select_record(rec.id)
    type_into(qtbot, screen.form.widgets, {"code": "96367"})
    seen: list[str] = []

    def replace(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        seen.append(box.text())
        [button] = [b for b in box.buttons() if b.text() == "Replace the row"]
        button.click()

    when_modal(replace)
    click(qtbot, screen.save_button)
    assert "Lakeshore Health · Any site · 96366" in seen[0]
    after = rows(seeded)
    assert rec.row not in after and len(after) == 40
    assert FeeRow("Lakeshore Health", "", "96367", D("58"), None, None) in after
    assert screen.selected is not None and screen.selected.row.code == "96367"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("92.5", D("92.5")), ("$1,000,000", D("1000000")), (".0125", D("0.0125")), ("", None)],
)
def test_unit_price_parsing(text: str, expected: D | None) -> None:
    assert check_unit_price(text) == (expected, None)


@pytest.mark.parametrize("text", ["1,00", "1.23456", "1000000.01", "(5)", "abc"])
def test_unit_price_refusals(text: str) -> None:
    value, error = check_unit_price(text)
    assert value is None and error


def test_delete_asks_first(qtbot: QtBot, screen: FeesScreen, seeded: Store) -> None:
    rec = next(
        r for r in screen.records if r.row.payer == "Harbor Health Plans" and r.row.code == "J3262"
    )
    screen.select_record(rec.id)
    seen: list[str] = []
    when_modal(answer_box(QMessageBox.StandardButton.Cancel, seen))
    click(qtbot, screen.delete_button)
    assert "Harbor Health Plans · Any site · J3262" in seen[0]
    assert rec.row in rows(seeded)
    when_modal(answer_box(QMessageBox.StandardButton.Ok, seen))
    click(qtbot, screen.delete_button)
    assert rec.row not in rows(seeded) and len(rows(seeded)) == 39
    assert screen.selected is None and not screen.delete_button.isEnabled()


def test_unsaved_row_asks_before_leaving(qtbot: QtBot, screen: FeesScreen, seeded: Store) -> None:
    rec = screen.records[0]
    screen.select_record(rec.id)
    type_into(qtbot, screen.form.widgets, {"charge": "999"})
    assert screen.is_dirty()
    seen: list[str] = []
    when_modal(answer_box(QMessageBox.StandardButton.Cancel, seen))
    screen.select_record(screen.records[1].id)  # another row: asked, and the edit is kept
    assert screen.selected == rec and line(screen.form.widgets["charge"]).text() == "999"
    when_modal(answer_box(QMessageBox.StandardButton.Discard, seen))
    assert screen.can_leave()
    assert line(screen.form.widgets["charge"]).text() == "420.00"
    assert len(seen) == 2 and rows(seeded)[0].charge == D("420")


GOOD_CSV = """# a site's own schedule
payer,site,code,allowed,charge,self_pay
,,J1745,,160.00,90.00
Summit Health,infusion_center,J1745,"1,048.90",,
"medicare  (original, part b)",,J1745,61.2034,,
"""


def test_import_a_good_csv_replaces_all_rows(
    screen: FeesScreen, seeded: Store, tmp_path: Path
) -> None:
    seen: list[str] = []
    when_modal(answer_box(QMessageBox.StandardButton.Ok, seen))
    assert screen.import_file(write(tmp_path, "site.csv", GOOD_CSV))
    assert "This replaces all 40 rows" in seen[0] and "3 rows in site.csv" in seen[0]
    assert sorted(rows(seeded), key=lambda r: r.payer) == [
        FeeRow("", "", "J1745", None, D("160"), D("90")),
        FeeRow("Medicare (Original, Part B)", "", "J1745", D("61.2034"), None, None),
        FeeRow("Summit Health", "infusion_center", "J1745", D("1048.90"), None, None),
    ]
    assert screen.model.rowCount() == 3
    assert screen.status.text().startswith("Imported 3 rows from site.csv")


def test_import_can_be_cancelled(screen: FeesScreen, seeded: Store, tmp_path: Path) -> None:
    before = rows(seeded)
    when_modal(answer_box(QMessageBox.StandardButton.Cancel, []))
    assert not screen.import_file(write(tmp_path, "site.csv", GOOD_CSV))
    assert rows(seeded) == before


HEADER = "payer,site,code,allowed,charge,self_pay\n"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            HEADER + ",,J1745,,150,80\nNowhere Mutual,,J1745,90,,\n",
            "Line 3: the payer “Nowhere Mutual”",
        ),
        (HEADER + ",,J1745,,150,80\nSummit Health,,J1745,9O.50,,\n", "Line 3, column allowed"),
        (HEADER + ",,J1745,,150,80\n,,J1745,,151,80\n", "Line 3: the same payer, site and code"),
        ("code;price\nJ1745;150\n", "Line 1: the header must name the columns"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "is not a CSV text file"),
        (b"PK\x03\x04\x14\x00\x06\x00", "spreadsheet workbook"),
        (HEADER, "header"),
    ],
    ids=["unknown-payer", "bad-amount", "duplicate", "wrong-columns", "binary", "xlsx", "empty"],
)
def test_a_bad_file_names_the_problem_and_changes_nothing(
    screen: FeesScreen, seeded: Store, tmp_path: Path, content: str | bytes, expected: str
) -> None:
    before = rows(seeded)
    seen: list[str] = []
    when_modal(answer_box(QMessageBox.StandardButton.Ok, seen))
    assert not screen.import_file(write(tmp_path, "bad.csv", content))
    assert len(seen) == 1  # the error only: nothing to confirm for a file that is refused
    assert expected in seen[0]
    assert "Nothing was changed" in seen[0]
    assert rows(seeded) == before


def test_an_unreadable_file_is_reported(screen: FeesScreen, seeded: Store, tmp_path: Path) -> None:
    seen: list[str] = []
    when_modal(answer_box(QMessageBox.StandardButton.Ok, seen))
    assert not screen.import_file(tmp_path / "missing.csv")
    assert "missing.csv could not be read" in seen[0]
    assert len(rows(seeded)) == 40


def test_export_then_import_round_trips(
    qtbot: QtBot, screen: FeesScreen, seeded: Store, tmp_path: Path
) -> None:
    with seeded.session() as s:  # a price with 4 decimals and an accented payer survive too
        pid = pay.create_payer(s, SEED, pay.PayerData(name="Société Santé, Inc.")).id
        fees.save_row(
            s,
            SEED,
            payer_id=pid,
            site="home",
            code="J1439",
            allowed=D("1.2345"),
            charge=None,
            self_pay=None,
        )
    screen.reload()
    before = rows(seeded)
    target = tmp_path / "schedule.csv"
    assert screen.export_file(target)
    assert screen.status.text() == "Exported 41 rows to schedule.csv."
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # spreadsheets then read it as UTF-8
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert tuple(table[0]) == COLUMNS
    assert ["", "", "J1745", "", "150.00", "84.00"] in table
    assert ["Société Santé, Inc.", "home", "J1439", "1.2345", "", ""] in table

    with seeded.session() as s:  # someone edits the schedule meanwhile; the file brings it back
        fees.delete_row(s, SEED, fees.all_rows(s)[0].id)
    screen.reload()
    when_modal(answer_box(QMessageBox.StandardButton.Ok, []))
    assert screen.import_file(target)
    assert rows(seeded) == before


# -- the assistance tab -------------------------------------------------------------------------
def new_patient(store: Store, plan_type: PlanType | None = None, payer: str = "") -> int:
    with store.session() as s:
        pid = ps.create_patient(
            s,
            SEED,
            PatientData(first_name="Ada", last_name="Quinn", birth_date=date(1950, 5, 4), sex="F"),
            today=TODAY,
            allow_look_alike=True,
        ).id
        if plan_type is not None:
            cvs.add_coverage(
                s,
                SEED,
                pid,
                CoverageData(
                    payer_id=pay.payer_by_name(s, payer).id,
                    plan_type=plan_type,
                    member_id="1EG4TE5MK73"
                    if plan_type == PlanType.MEDICARE_PART_B
                    else "LKH482913",
                    effective_on=date(2020, 1, 1),
                ),
                today=TODAY,
            )
        return pid


def programs(store: Store, patient_id: int) -> list[asv.ProgramData]:
    with store.session() as s:
        return [p.data for p in asv.list_programs(s, patient_id, active_only=False)]


@pytest.fixture
def tab(qtbot: QtBot, backend: Backend) -> AssistanceTab:
    w = AssistanceTab(backend, lambda: TODAY)
    qtbot.addWidget(w)
    w.resize(1300, 800)
    w.show()
    qtbot.waitExposed(w)
    return w


def in_dialog(steps: Callable[[AssistanceDialog], None], failures: list[BaseException]) -> None:
    """Fill the Add program dialog when it opens; never leave it open if a step fails."""

    def handler(modal: QWidget) -> None:
        try:
            assert isinstance(modal, AssistanceDialog)
            steps(modal)
        except BaseException as exc:  # reported by the test, after the dialog is closed
            failures.append(exc)
        finally:
            if modal.isVisible():
                modal.reject()

    when_modal(handler)


def test_add_a_copay_card_through_the_dialog(
    qtbot: QtBot, tab: AssistanceTab, seeded: Store
) -> None:
    pid = new_patient(seeded, PlanType.COMMERCIAL, "Lakeshore Health")
    tab.set_patient(pid)
    assert tab.empty.isVisible() and tab.table.rowCount() == 0
    failures: list[BaseException] = []

    def fill(dlg: AssistanceDialog) -> None:
        assert dlg.pages["copay_card"].isVisible() and not dlg.pages["discount"].isVisible()
        assert "accumulator adjustment program" in dlg.findChild(QWidget, "accumulatorHelp").text()  # type: ignore[union-attr]
        type_into(
            qtbot,
            dlg.form.widgets,
            {
                "name": "Entyvio Connect",
                "per_visit_max": "500",
                "annual_max": "20,000",
                "used": "25,000",
            },
        )
        click(qtbot, dlg.save_button)  # more used than the annual maximum: refused at the field
        assert dlg.isVisible() and "More used" in dlg.form.boxes["used"].message
        assert line(dlg.form.widgets["name"]).text() == "Entyvio Connect"
        type_into(qtbot, dlg.form.widgets, {"used": "1,200"})
        dlg.form.widgets["counts_toward_accumulators"].setChecked(False)
        click(qtbot, dlg.save_button)

    in_dialog(fill, failures)
    with qtbot.wait_signal(tab.changed):
        click(qtbot, tab.add_button)
    assert not failures, failures
    assert programs(seeded, pid) == [
        asv.ProgramData(
            kind="copay_card",
            name="Entyvio Connect",
            per_visit_max=D("500"),
            annual_max=D("20000"),
            used=D("1200"),
            counts_toward_accumulators=False,
        )
    ]
    assert tab.table.rowCount() == 1
    cells = [tab.table.item(0, c).text() for c in range(tab.table.columnCount())]  # type: ignore[union-attr]
    assert cells == [
        "Copay card",
        "Entyvio Connect",
        "$500.00 per visit · $20,000.00 per year · not counted toward deductible/OOP (accumulator)",
        "$1,200.00 ($18,800.00 left)",
        "—",
        "Yes",
        "Approved",
        "—",
    ]
    assert not tab.warning.isVisible()  # commercial coverage: the card may be used


def test_add_a_foundation_grant_then_make_it_inactive_and_active_again(
    qtbot: QtBot, tab: AssistanceTab, seeded: Store
) -> None:
    pid = new_patient(seeded)
    tab.set_patient(pid)
    failures: list[BaseException] = []

    def fill(dlg: AssistanceDialog) -> None:
        type_into(qtbot, dlg.form.widgets, {"name": "PAN Foundation — Crohn's disease"})
        choose(dlg.form.widgets, "kind", "foundation_grant")
        assert dlg.pages["foundation_grant"].isVisible() and not dlg.pages["copay_card"].isVisible()
        type_into(qtbot, dlg.form.widgets, {"expires": "13/45/2027"})
        click(qtbot, dlg.save_button)
        assert dlg.form.boxes["balance"].message == "Enter the grant's balance left."
        assert "not a date" in dlg.form.boxes["expires"].message
        assert line(dlg.form.widgets["name"]).text() == "PAN Foundation — Crohn's disease"
        type_into(qtbot, dlg.form.widgets, {"balance": "4,000", "expires": "12/31/2027"})
        click(qtbot, dlg.save_button)

    in_dialog(fill, failures)
    click(qtbot, tab.add_button)
    assert not failures, failures
    [grant] = programs(seeded, pid)
    assert (grant.kind, grant.name, grant.balance, grant.expires) == (
        "foundation_grant",
        "PAN Foundation — Crohn's disease",
        D("4000"),
        date(2027, 12, 31),
    )
    assert "Added PAN Foundation" in tab.status.text()

    tab.table.selectRow(0)
    assert tab.deactivate_button.isEnabled() and not tab.activate_button.isEnabled()
    click(qtbot, tab.deactivate_button)
    assert not programs(seeded, pid)[0].active
    assert tab.table.rowCount() == 0 and "Show inactive" in tab.empty.text()
    tab.inactive_box.setChecked(True)
    assert tab.table.item(0, 5).text() == "No"  # type: ignore[union-attr]
    tab.table.selectRow(0)
    click(qtbot, tab.activate_button)
    assert programs(seeded, pid)[0].active


def test_sliding_scale_calculator_suggests_a_discount(
    qtbot: QtBot, backend: Backend, seeded: Store
) -> None:
    pid = new_patient(seeded)
    dlg = AssistanceDialog(backend, pid, today=lambda: TODAY)
    qtbot.addWidget(dlg)
    dlg.show()
    choose(dlg.form.widgets, "kind", "discount")
    assert dlg.pages["discount"].isVisible()
    assert dlg.calc.choice("calc_year") == 2026
    type_into(qtbot, dlg.calc.widgets, {"calc_household": "3", "calc_income": "41,000"})
    result = dlg.calc_result
    assert result is not None
    assert (result.fpl_percent, result.discount) == (D("150.1"), D("0.50"))
    text = dlg.calc_label.text()
    assert "150.1% of the poverty guideline → suggested discount 50%" in text
    assert result.explanation in text and "$27,320" in text
    assert dlg.use_button.isEnabled() and dlg.use_button.text() == "Use 50%"

    choose(dlg.calc.widgets, "calc_state", "AK")  # Alaska has its own, higher guideline
    assert dlg.calc_result is not None and dlg.calc_result.fpl_percent == D("120.1")
    choose(dlg.calc.widgets, "calc_state", "")
    click(qtbot, dlg.use_button)
    assert line(dlg.form.widgets["percent"]).text() == "50"
    type_into(qtbot, dlg.calc.widgets, {"calc_household": "0"})  # an error at that field only
    assert "1 to 30" in dlg.calc.boxes["calc_household"].message
    assert dlg.calc_result is None and not dlg.use_button.isEnabled()
    type_into(qtbot, dlg.form.widgets, {"name": "Charity care"})
    click(qtbot, dlg.save_button)
    assert dlg.result() == AssistanceDialog.DialogCode.Accepted
    [discount] = programs(seeded, pid)
    assert (discount.kind, discount.name, discount.percent) == (
        "discount",
        "Charity care",
        D("0.5"),
    )


def test_warning_when_a_copay_card_meets_government_coverage(
    qtbot: QtBot, tab: AssistanceTab, seeded: Store
) -> None:
    pid = new_patient(seeded, PlanType.MEDICARE_PART_B, "Medicare (Original, Part B)")
    with seeded.session() as s:
        card = asv.add_program(
            s,
            SEED,
            pid,
            asv.ProgramData(kind="copay_card", name="Entyvio Connect", annual_max=D("20000")),
        )
        asv.add_program(
            s,
            SEED,
            pid,
            asv.ProgramData(
                kind="foundation_grant",
                name="HealthWell",
                balance=D("3000"),
                expires=date(2026, 10, 1),
            ),
        )
    tab.set_patient(pid)
    assert tab.warning.isVisible()
    text = tab.warning.text()
    assert "“Entyvio Connect” is active" in text
    assert "government coverage (Primary: Medicare (Original, Part B))" in text
    assert "cannot be used with Medicare, Medicaid" in text
    assert tab.table.item(1, 4).text() == "Expired 10/01/2026"  # type: ignore[union-attr]

    tab.select_program(card.id)
    with qtbot.wait_signal(tab.changed):
        click(qtbot, tab.deactivate_button)
    assert not tab.warning.isVisible()
    assert "is now inactive" in tab.status.text()

    tab.set_patient(None)
    assert tab.table.rowCount() == 0 and not tab.add_button.isEnabled()
    assert QApplication.activeModalWidget() is None
