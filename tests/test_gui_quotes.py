"""The Quotes screen, clicked through on the demo's showcase patients: pick a patient, check the
figures against the quote service, what-if terms and their errors at the field, save, reopen
read-only, a new version, and the side-by-side comparison of sites of care."""
# mypy: disable-error-code="no-untyped-call,union-attr"

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QLineEdit

from infudesk.demo.showcase import seed_demo
from infudesk.domain import costshare as cs
from infudesk.domain.money import format_money
from infudesk.services import coverages as cvs
from infudesk.services import orders as ors
from infudesk.services import patients as ps
from infudesk.services import quotes as qs
from infudesk.services.audit import Actor
from infudesk.store.database import Store
from infudesk.ui.common.ops import Backend
from infudesk.ui.main_window import MainWindow
from infudesk.ui.quote.compare_dialog import CHEAPEST_STYLE, CompareDialog
from infudesk.ui.quote.quote_screen import LineCol, QuoteScreen, VisitCol
from tests.conftest import TODAY
from tests.seeded import patient_id

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot


@pytest.fixture
def seeded(store: Store) -> Store:
    with store.session() as s:
        seed_demo(s, Actor("seed"), today=TODAY)
    return store


@pytest.fixture
def backend(seeded: Store) -> Backend:
    return Backend(seeded, Actor("desk.clerk"))


@pytest.fixture
def screen(qtbot: QtBot, backend: Backend) -> QuoteScreen:
    w = QuoteScreen(backend, today=lambda: TODAY)
    qtbot.addWidget(w)
    w.resize(1400, 860)
    w.show()
    return w


def visit_rows(screen: QuoteScreen) -> list[list[str]]:
    t = screen.visits_table
    return [[t.item(r, c).text() for c in range(t.columnCount())] for r in range(t.rowCount())]


def term(screen: QuoteScreen, name: str) -> QLineEdit:
    edit = screen.terms.widgets[name]
    assert isinstance(edit, QLineEdit)
    return edit


def retype(qtbot: QtBot, edit: QLineEdit, text: str) -> None:
    """Select what the field holds, type over it and press Enter (as a person would)."""
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    qtbot.keyClicks(edit, text)
    qtbot.keyClick(edit, Qt.Key.Key_Return)


def error_of(screen: QuoteScreen, name: str) -> QLabel:
    return screen.terms.boxes[name].error


def pick(combo: QComboBox, value: object) -> None:
    index = combo.findData(value)
    assert index >= 0, value
    combo.setCurrentIndex(index)


def assert_rows_match(screen: QuoteScreen, quote: cs.Quote) -> None:
    rows = visit_rows(screen)
    assert len(rows) == len(quote.visits)
    for row, v in zip(rows, quote.visits, strict=True):
        assert row[VisitCol.DATE] == f"{v.date:%m/%d/%Y}"
        assert row[VisitCol.ALLOWED] == format_money(v.allowed)
        assert row[VisitCol.INSURANCE] == format_money(v.primary_paid + v.secondary_paid)
        assert row[VisitCol.ASSISTANCE] == format_money(v.assistance_paid)
        assert row[VisitCol.OWES] == format_money(v.patient_owes)
        assert row[VisitCol.BEFORE] == format_money(v.patient_owes_before_assistance)
    assert screen.owes_label.text() == format_money(quote.totals.patient_owes)
    assert screen.before_label.text() == format_money(quote.totals.patient_owes_before_assistance)


def test_search_picks_patient_and_figures_match_the_service(
    qtbot: QtBot, screen: QuoteScreen, seeded: Store
) -> None:
    pid = patient_id(seeded, "D0001")
    qtbot.keyClicks(screen.search_box, "D0001")
    qtbot.keyClick(screen.search_box, Qt.Key.Key_Return)  # Enter takes the first match
    assert screen.patient_id == pid
    assert "D0001" in screen.patient_label.text()
    assert "García-López" in screen.patient_label.text()
    assert not screen.matches.isVisible()

    with seeded.session() as s:
        order = ors.list_orders(s, pid, include_ended=False)[0]
        primary = next(c for c in cvs.list_coverages(s, pid) if c.data.rank == 1)
        setup = qs.prepare(s, pid, today=TODAY)
    quote = qs.compute(setup)
    assert screen.order_combo.currentData() == order.id
    assert screen.primary_combo.currentData() == primary.id
    assert screen.secondary_combo.currentData() is None
    assert screen.site_combo.currentData() == "infusion_center"
    assert screen.from_edit.text() == f"{TODAY:%m/%d/%Y}"
    planned = [v.on for v in order.visits if v.status == "planned" and v.on >= TODAY]
    assert [f"{d:%m/%d/%Y}" for d in planned] == [r[VisitCol.DATE] for r in visit_rows(screen)]
    assert_rows_match(screen, quote)
    # the lines come from the order and the fee schedule; the terms from the coverage
    codes = [
        screen.lines_table.item(r, LineCol.CODE).text()
        for r in range(screen.lines_table.rowCount())
    ]
    assert codes == [ln.code for ln in setup.lines]
    assert term(screen, "primary.coinsurance").text() == "20"
    assert term(screen, "primary.deductible").text() == "2,000.00"
    assert not term(screen, "secondary.coinsurance").isEnabled()
    # the explanation of the selected visit
    assert quote.visits[0].explanation[1] in screen.explanation.toPlainText()
    assert "Lakeshore Health fee schedule" in screen.price_notes.text()


def test_what_if_terms_change_the_figures_and_bad_input_stays_at_the_field(
    qtbot: QtBot, screen: QuoteScreen, seeded: Store
) -> None:
    pid = patient_id(seeded, "D0001")
    screen.show_patient(pid)
    # without the copay card the patient's share shows after assistance too
    card = screen.program_list.item(0)
    assert card.checkState() == Qt.CheckState.Checked
    card.setCheckState(Qt.CheckState.Unchecked)
    with seeded.session() as s:
        setup = qs.prepare(s, pid, today=TODAY, program_ids=())
    before = qs.compute(setup)
    assert_rows_match(screen, before)
    assert before.totals.patient_owes > 0

    coins = term(screen, "primary.coinsurance")
    retype(qtbot, coins, "30")
    assert screen.primary_combo.currentData() == setup.primary_id
    assert setup.primary is not None
    what_if = qs.compute(
        qs.with_changes(setup, primary=replace(setup.primary, coinsurance=Decimal("0.30")))
    )
    assert what_if.totals.patient_owes > before.totals.patient_owes
    assert_rows_match(screen, what_if)
    assert "What-if" in screen.whatif_state.text()
    assert screen.save_button.isEnabled()

    # a typo: the error under the field, the text kept, the figures those that worked last
    retype(qtbot, coins, "abc")
    assert coins.text() == "abc"
    assert error_of(screen, "primary.coinsurance").isVisible()
    assert "percent" in error_of(screen, "primary.coinsurance").text()
    assert not screen.save_button.isEnabled()
    assert screen.owes_label.text() == format_money(what_if.totals.patient_owes)
    retype(qtbot, coins, "150")
    assert coins.text() == "150"
    assert "over 100" in screen.terms.boxes["primary.coinsurance"].message
    retype(qtbot, coins, "30")
    assert not error_of(screen, "primary.coinsurance").isVisible()
    assert screen.save_button.isEnabled()

    # a combination the engine refuses is shown at the field it names
    met = term(screen, "primary.deductible_met")
    retype(qtbot, met, "5000")
    assert met.text() == "5000"
    assert "more than the deductible" in screen.terms.boxes["primary.deductible_met"].message
    assert error_of(screen, "primary.deductible_met").isVisible()
    assert not screen.save_button.isEnabled()

    # a bad billing line: marked in its cell, listed under the table, the text kept
    price = screen.lines_table.item(1, LineCol.PRICE)
    price.setText("x1")
    assert price.text() == "x1"
    assert screen.line_errors.isVisible()
    assert "allowed per unit" in screen.line_errors.text()

    # back to the terms on file
    screen.reset_button.click()
    assert coins.text() == "20"
    assert met.text() == "500.00"
    assert not screen.line_errors.isVisible()
    assert not error_of(screen, "primary.deductible_met").isVisible()
    assert_rows_match(screen, before)
    assert screen.save_button.isEnabled()

    # more units on a line: its allowed amount and the figures follow
    screen.lines_table.item(0, LineCol.UNITS).setText("40")
    lines = (replace(setup.lines[0], units=40),) + setup.lines[1:]
    more = qs.compute(qs.with_changes(setup, lines=lines))
    assert screen.lines_table.item(0, LineCol.ALLOWED).text() == format_money(lines[0].allowed)
    assert_rows_match(screen, more)
    assert more.totals.allowed > before.totals.allowed


def test_save_reopen_read_only_and_new_version(
    qtbot: QtBot, screen: QuoteScreen, seeded: Store
) -> None:
    pid = patient_id(seeded, "D0001")
    screen.show_patient(pid)
    with seeded.session() as s:
        numbers_before = [q.number for q in qs.list_quotes(s, pid)]
    assert numbers_before == [1]  # the demo's course estimate
    coins = term(screen, "primary.coinsurance")
    retype(qtbot, coins, "30")
    qtbot.keyClicks(screen.title_edit, "Plan B what-if")
    qtbot.mouseClick(screen.save_button, Qt.MouseButton.LeftButton)
    assert re.fullmatch(
        r"Saved as quote 2 by desk\.clerk at \d\d:\d\d\.", screen.status_label.text()
    ), screen.status_label.text()
    with seeded.session() as s:
        saved = qs.list_quotes(s, pid)
        rec = qs.get_quote(s, saved[0].id)
    assert [q.number for q in saved] == [2, 1]
    assert rec.summary.title == "Plan B what-if"
    assert rec.summary.created_by == "desk.clerk"
    assert rec.request["primary"]["coinsurance"] == "0.30"
    assert screen.saved_table.item(0, 0).text() == "2"
    assert screen.saved_table.item(0, 1).text() == "Plan B what-if"
    assert screen.saved_table.item(0, 4).text() == format_money(rec.summary.patient_owes)

    # change the what-if after saving: the reopened quote still shows what was saved
    retype(qtbot, coins, "10")
    screen.saved_table.selectRow(0)
    qtbot.mouseClick(screen.open_button, Qt.MouseButton.LeftButton)
    assert screen.banner.isVisible()
    assert "Saved quote 2 — not editable" in screen.banner_label.text()
    assert not screen.whatif_box.isEnabled()
    assert not coins.isEnabled()
    assert not screen.save_button.isEnabled()
    assert not screen.order_combo.isEnabled()
    assert coins.text() == "30"
    rows = visit_rows(screen)
    assert len(rows) == len(rec.result["visits"])
    for row, v in zip(rows, rec.result["visits"], strict=True):
        assert row[VisitCol.ALLOWED] == format_money(Decimal(v["allowed"]))
        assert row[VisitCol.OWES] == format_money(Decimal(v["patient_owes"]))
        assert row[VisitCol.BEFORE] == format_money(Decimal(v["patient_owes_before_assistance"]))
        assert row[VisitCol.INSURANCE] == format_money(
            Decimal(v["primary_paid"]) + Decimal(v["secondary_paid"])
        )
    assert screen.owes_label.text() == format_money(Decimal(rec.result["totals"]["patient_owes"]))
    assert rec.result["visits"][0]["explanation"][-1] in screen.explanation.toPlainText()
    screen.save()  # refused while a saved quote is shown
    with seeded.session() as s:
        assert len(qs.list_quotes(s, pid)) == 2

    # back to the quote on screen before: the unsaved what-if (10%) is still there
    qtbot.mouseClick(screen.back_button, Qt.MouseButton.LeftButton)
    assert not screen.banner.isVisible()
    assert coins.text() == "10"
    assert screen.whatif_box.isEnabled()

    # a new version of quote 2 starts from its inputs and saves as quote 3
    screen.saved_table.selectRow(0)
    screen.open_selected()
    qtbot.mouseClick(screen.new_version_button, Qt.MouseButton.LeftButton)
    assert not screen.banner.isVisible()
    assert screen.whatif_box.isEnabled() and coins.isEnabled()
    assert coins.text() == "30"
    assert "quote 3" in screen.status_label.text()
    qtbot.mouseClick(screen.save_button, Qt.MouseButton.LeftButton)
    assert screen.status_label.text().startswith("Saved as quote 3 by desk.clerk")
    with seeded.session() as s:
        saved = qs.list_quotes(s, pid)
        third = qs.get_quote(s, saved[0].id)
    assert [q.number for q in saved] == [3, 2, 1]
    assert third.result == rec.result  # same inputs, same figures
    assert screen.saved_table.rowCount() == 3


def test_compare_sites_of_care_side_by_side(
    qtbot: QtBot, screen: QuoteScreen, seeded: Store
) -> None:
    pid = patient_id(seeded, "D0004")
    screen.show_patient(pid)
    assert screen.site_combo.currentData() == "hospital_outpatient"  # the order's site
    qtbot.mouseClick(screen.compare_button, Qt.MouseButton.LeftButton)
    dialog = screen.compare_dialog
    assert isinstance(dialog, CompareDialog)
    assert dialog.isVisible()
    assert len(dialog.scenarios) == 2
    a, b = dialog.scenarios
    pick(a.site, "infusion_center")
    pick(b.site, "hospital_outpatient")
    qtbot.waitUntil(lambda: not dialog.computing)  # figures are computed on worker threads
    assert a.primary.currentData() == b.primary.currentData() == screen.primary_combo.currentData()

    with seeded.session() as s:
        center = qs.prepare(s, pid, today=TODAY, site="infusion_center")
        hospital = qs.prepare(s, pid, today=TODAY, site="hospital_outpatient")
    prices = (
        {ln.code: ln.unit_price for ln in center.lines},
        {ln.code: ln.unit_price for ln in hospital.lines},
    )
    assert prices[0]["J2350"] == Decimal("48.90") and prices[1]["J2350"] == Decimal("71.20")
    at_center, at_hospital = qs.compute(center).totals, qs.compute(hospital).totals
    totals_a, totals_b = dialog.totals(0), dialog.totals(1)
    assert totals_a is not None and totals_b is not None
    assert totals_a.allowed == at_center.allowed
    assert totals_b.allowed == at_hospital.allowed
    assert at_center.allowed < at_hospital.allowed
    assert totals_a.patient_owes == at_center.patient_owes
    assert at_center.patient_owes < at_hospital.patient_owes

    def cell(name: str, letter: str) -> str:
        label = dialog.findChild(QLabel, f"cmp_Whole_course_{name}_{letter}")
        assert label is not None, (name, letter)
        return label.text()

    assert cell("allowed", "A") == format_money(at_center.allowed)
    assert cell("allowed", "B") == format_money(at_hospital.allowed)
    assert cell("patient_owes", "A") == format_money(at_center.patient_owes)
    assert dialog.cheapest == [0]
    assert (
        dialog.findChild(QLabel, "cmp_Whole_course_patient_owes_A").styleSheet() == CHEAPEST_STYLE
    )
    assert "scenario A" in dialog.verdict.text()
    # per plan year too (the course runs into 2027)
    assert dialog.findChild(QLabel, "cmp_Plan_year_2027_patient_owes_B") is not None

    # a third scenario (home) has no price on file: it says so in its column
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert len(dialog.scenarios) == 3
    qtbot.waitUntil(lambda: not dialog.computing)
    c = dialog.scenarios[2]
    assert c.site.currentData() == "home"
    assert "No price on file for J2350" in c.message.text()
    assert dialog.totals(2) is None  # no figures from a $0 price
    assert dialog.findChild(QLabel, "cmp_Whole_course_allowed_C").text() == "—"
    assert dialog.cheapest == [0]
    qtbot.mouseClick(c.remove, Qt.MouseButton.LeftButton)
    assert len(dialog.scenarios) == 2
    assert dialog.cheapest == [0]
    dialog.reject()

    # on the quote screen a missing price is asked for at its cell before anything is computed
    pick(screen.site_combo, "home")
    assert screen.site_combo.currentData() == "home"
    assert "No price on file" in screen.line_errors.text()
    assert not screen.save_button.isEnabled()
    assert screen.visits_table.rowCount() == 0 and screen.owes_label.text() == "—"
    for r in range(screen.lines_table.rowCount()):
        screen.lines_table.item(r, LineCol.PRICE).setText("10.00")
    assert not screen.line_errors.isVisible()
    assert screen.save_button.isEnabled()
    assert screen.visits_table.rowCount() == 2


def test_self_pay_and_medigap_patients(qtbot: QtBot, screen: QuoteScreen, seeded: Store) -> None:
    carter = patient_id(seeded, "D0005")
    screen.show_patient(carter)
    assert screen.primary_combo.currentData() is None
    assert screen.primary_combo.currentText() == "None (self-pay)"
    assert not screen.secondary_combo.isEnabled()
    assert screen.self_pay_note.isVisible() and not screen.terms_host.isVisible()
    header = screen.visits_table.horizontalHeaderItem(VisitCol.ALLOWED).text()
    assert header.replace("\n", " ") == "Self-pay price"
    with seeded.session() as s:
        quote = qs.compute(qs.prepare(s, carter, today=TODAY))
    assert_rows_match(screen, quote)
    assert quote.totals.assistance_paid > 0  # the sliding-scale discount

    nguyen = patient_id(seeded, "D0002")
    screen.show_patient(nguyen)
    assert screen.secondary_combo.currentData() is not None
    assert "Medigap" in screen.secondary_combo.currentText()
    assert not term(screen, "secondary.coinsurance").isEnabled()
    assert not term(screen, "primary.oop_max").isEnabled()  # Original Medicare has none
    assert "Medigap Plan G" in screen.term_notes["secondary"].text()
    with seeded.session() as s:
        quote = qs.compute(qs.prepare(s, nguyen, today=TODAY))
    assert_rows_match(screen, quote)
    assert len(quote.plan_years) == 2
    assert screen.years_table.rowCount() == 3  # two plan years and the course total
    assert screen.warnings_label.isVisible()
    # a later "visits from" date quotes fewer visits
    screen.from_edit.setText("03/01/2027")
    screen.from_edit.editingFinished.emit()
    assert all(r[VisitCol.DATE] >= "03/01/2027" for r in visit_rows(screen))
    assert len(visit_rows(screen)) < len(quote.visits)
    screen.from_edit.setText("13/45/2027")
    screen.from_edit.editingFinished.emit()
    assert "not a date" in screen.pick.boxes["from_date"].message


def test_search_list_by_keyboard_and_a_patient_without_an_order(
    qtbot: QtBot, screen: QuoteScreen, seeded: Store
) -> None:
    with seeded.session() as s:
        matches = ps.search(s, "gar", limit=8, today=TODAY)
        no_order = next(
            r for r in ps.search(s, "", limit=50, today=TODAY) if not ors.list_orders(s, r.id)
        )
    assert len(matches) >= 2
    qtbot.keyClicks(screen.search_box, "gar")
    qtbot.waitUntil(lambda: screen.matches.isVisible())
    assert screen.matches.count() == len(matches)
    assert matches[1].mrn in screen.matches.item(1).text()
    qtbot.keyClick(screen.search_box, Qt.Key.Key_Down)  # into the list, on the first match
    assert screen.matches.hasFocus() or screen.focusWidget() is screen.matches
    qtbot.keyClick(screen.matches, Qt.Key.Key_Down)
    qtbot.keyClick(screen.matches, Qt.Key.Key_Return)
    assert screen.patient_id == matches[1].id
    assert not screen.matches.isVisible()
    assert screen.search_box.text() == ""

    screen.show_patient(no_order.id)
    assert screen.body.currentWidget() is screen.empty
    assert "no active therapy order" in screen.empty.text()
    assert not screen.save_button.isEnabled() and not screen.compare_button.isEnabled()
    assert screen.open_compare() is None
    qtbot.keyClicks(screen.search_box, "zzqx")
    qtbot.keyClick(screen.search_box, Qt.Key.Key_Return)
    assert "No patient matches" in screen.matches.item(0).text()
    assert screen.patient_id == no_order.id  # nothing picked


def test_ctrl_f_focuses_the_quote_search_inside_the_main_window(
    qtbot: QtBot, backend: Backend, seeded: Store
) -> None:
    window = MainWindow(backend, today=lambda: TODAY)
    qtbot.addWidget(window)
    quotes = QuoteScreen(backend, today=lambda: TODAY)
    window.add_screen("Quotes", quotes)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)  # shortcuts need it
    window.nav.setCurrentRow(window.nav.count() - 1)
    assert window.stack.currentWidget() is quotes
    quotes.show_patient(patient_id(seeded, "D0006"))
    quotes.lines_table.setFocus()
    qtbot.keyClick(quotes.lines_table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.stack.currentWidget() is quotes
    assert quotes.focusWidget() is quotes.search_box
    assert quotes.can_leave()


def test_quote_button_on_the_patient_screen_opens_the_quote(qtbot: QtBot, seeded: Store) -> None:
    from infudesk.ui.main_window import MainWindow

    window = MainWindow(Backend(seeded, Actor("desk.clerk")), today=lambda: TODAY)
    qtbot.addWidget(window)
    window.show()
    pid = patient_id(seeded, "D0006")
    window.patients.open_patient(pid)
    qtbot.mouseClick(window.patients.page.quote_button, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.quotes
    assert window.quotes.patient_id == pid
    assert window.quotes.result is not None and window.quotes.result.visits
