"""Letters through the real screens: a cost letter previewed from the Quotes screen (after the
"save first?" question), its language switched, printed to a PDF printer and saved, each print and
save in the audit trail; the center's letterhead edited in Settings; a day's cost letters saved
and printed in one go, one patient's failure listed while the others go on; the PA packet and
appeal letter from a case, the patient's Print… menu and the window's Letters menu."""
# mypy: disable-error-code="no-untyped-call,union-attr"

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QColor, QImage
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QLineEdit, QMessageBox, QProgressDialog, QWidget
from sqlalchemy import select

from infudesk.demo.showcase import seed_demo
from infudesk.domain.prior_auth import State
from infudesk.errors import UserError
from infudesk.services import letters, settings
from infudesk.services import prior_auths as pas
from infudesk.services import quotes as qs
from infudesk.services.audit import Actor
from infudesk.store.database import Store
from infudesk.store.models import AuditEvent
from infudesk.ui.common.ops import Backend
from infudesk.ui.letters.batch_letters import BatchLetters, Columns
from infudesk.ui.letters.letter_preview import LetterPreview
from infudesk.ui.main_window import MainWindow
from infudesk.ui.patients.patient_page import PatientPage
from infudesk.ui.prior_auth.prior_auth_dialog import PriorAuthDialog
from infudesk.ui.quote.quote_screen import QuoteScreen
from infudesk.ui.settings.settings_screen import SettingsScreen
from tests.conftest import TODAY
from tests.qt_helpers import MODAL_GENERATION, when_modal
from tests.seeded import patient_id

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

LEFT = Qt.MouseButton.LeftButton
DAY_OF_TWO = date(2026, 12, 22)  # D0001 and D0002 have a planned visit that day


@pytest.fixture
def seeded(store: Store) -> Store:
    with store.session() as s:
        # the showcase only: the generated patients' visits (the demo morning) would join the
        # batch of a day
        seed_demo(s, Actor("seed"), today=TODAY, generated=0)
    return store


@pytest.fixture
def backend(seeded: Store) -> Backend:
    return Backend(seeded, Actor("desk.clerk"))


@pytest.fixture
def quotes(qtbot: QtBot, backend: Backend) -> QuoteScreen:
    w = QuoteScreen(backend, today=lambda: TODAY)
    qtbot.addWidget(w)
    w.resize(1400, 860)
    w.show()
    return w


@pytest.fixture
def closing() -> Iterator[list[QWidget]]:
    """Dialogs a test opened, closed at its end."""
    opened: list[QWidget] = []
    yield opened
    for w in opened:
        with contextlib.suppress(RuntimeError):  # already deleted on close
            w.close()


def text_of(pdf: bytes | Path) -> str:
    data = pdf.read_bytes() if isinstance(pdf, Path) else pdf
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def events(store: Store, pid: int, action: str) -> list[dict[str, Any]]:
    with store.session() as s:
        rows = s.scalars(
            select(AuditEvent).where(AuditEvent.patient_id == pid, AuditEvent.action == action)
        ).all()
        return [{"actor": r.actor, **json.loads(r.detail)} for r in rows]


def pdf_printer(path: Path) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    return printer


def answer(button: QMessageBox.StandardButton, seen: list[str]) -> None:
    """Answer the next message box with ``button`` (keeping its text to check)."""

    def handler(box: QWidget) -> None:
        assert isinstance(box, QMessageBox), box
        seen.append(box.text())
        box.button(button).click()

    when_modal(handler)


def test_cost_letter_from_the_quote_screen_preview_language_print_save(
    qtbot: QtBot, quotes: QuoteScreen, seeded: Store, tmp_path: Path, closing: list[QWidget]
) -> None:
    pid = patient_id(seeded, "D0001")
    assert not quotes.letter_button.isEnabled()  # no patient yet
    qtbot.keyClicks(quotes.search_box, "D0001")
    qtbot.keyClick(quotes.search_box, Qt.Key.Key_Return)
    assert quotes.patient_id == pid and quotes.letter_button.isEnabled()
    with seeded.session() as s:
        saved_before = len(qs.list_quotes(s, pid))
    assert saved_before == 1  # the demo's saved quote: made on the seed day, from then on

    # what the screen shows is the saved quote (the last visit, 12/22): the letter opens at once
    seen: list[str] = []
    answer(QMessageBox.StandardButton.Cancel, seen)
    qtbot.mouseClick(quotes.letter_button, LEFT)
    assert not seen  # no question asked
    seen.clear()
    dlg = quotes.letter_preview
    assert isinstance(dlg, LetterPreview)
    closing.append(dlg)
    first = text_of(dlg.letter.pdf)
    assert "22 de diciembre de 2026" in first and "20 de enero de 2026" not in first
    dlg.close()
    MODAL_GENERATION[0] += 1  # the answer armed above is not needed: stop its poller

    # a what-if on screen (30% coinsurance) is not what is saved: it asks first
    coins = quotes.terms.widgets["primary.coinsurance"]
    assert isinstance(coins, QLineEdit)
    coins.selectAll()
    qtbot.keyClicks(coins, "30")
    qtbot.keyClick(coins, Qt.Key.Key_Return)
    answer(QMessageBox.StandardButton.Cancel, seen)
    qtbot.mouseClick(quotes.letter_button, LEFT)
    assert seen and "not saved" in seen[0]
    assert quotes.letter_preview is dlg  # cancelled: nothing new opened

    # "the figures on file": the what-if is dropped from the screen, and the letter prints the
    # figures the screen now shows (computed now), never a saved quote picked silently
    answer(QMessageBox.StandardButton.No, seen)
    qtbot.mouseClick(quotes.letter_button, LEFT)
    dlg = quotes.letter_preview
    assert isinstance(dlg, LetterPreview)
    closing.append(dlg)
    assert dlg.isVisible() and "D0001" in dlg.windowTitle()
    assert coins.text() == "20"  # the screen shows what prints
    assert "el 20% del precio del plan" in text_of(dlg.letter.pdf)  # the terms on file
    assert dlg.source.quote_id is None
    dlg.close()
    with seeded.session() as s:
        assert len(qs.list_quotes(s, pid)) == saved_before

    coins.selectAll()  # the what-if again
    qtbot.keyClicks(coins, "30")
    qtbot.keyClick(coins, Qt.Key.Key_Return)
    answer(QMessageBox.StandardButton.Yes, seen)  # save what is shown, then preview it
    qtbot.mouseClick(quotes.letter_button, LEFT)
    with seeded.session() as s:
        assert len(qs.list_quotes(s, pid)) == saved_before + 1
    assert "Saved as quote 2" in quotes.status_label.text()
    dlg = quotes.letter_preview
    assert isinstance(dlg, LetterPreview)
    closing.append(dlg)
    doc = dlg.document
    assert doc is not None and doc.pageCount() >= 1
    assert dlg.view.document() is doc
    spanish = text_of(dlg.letter.pdf)
    assert "usted" in spanish and "García" in spanish
    assert "22 de diciembre de 2026" in spanish and "el 30% del precio del plan" in spanish

    # the same figures saved again: no question this time
    assert quotes._shown_is_latest_saved()

    # the language: the patient's preference (Spanish) unless chosen otherwise for this printout
    assert dlg.lang_combo.currentData() is None and dlg.language() == "es"
    dlg.lang_combo.setCurrentIndex(dlg.lang_combo.findData("en"))
    english = text_of(dlg.letter.pdf)
    assert dlg.language() == "en" and "you" in english and "usted" not in english
    assert dlg.document is not None and dlg.document.pageCount() >= 1
    dlg.lang_combo.setCurrentIndex(0)
    assert "usted" in text_of(dlg.letter.pdf)

    # printed to a PDF printer: page images, one per page of the letter
    out = tmp_path / "printed.pdf"
    assert dlg.print_to(pdf_printer(out))
    printed = PdfReader(out)
    assert len(printed.pages) == dlg.document.pageCount()
    assert "Sent to" in dlg.status.text()

    # saved where the user chose: the very letter, all at once
    target = tmp_path / "out" / "carta.pdf"
    target.parent.mkdir()
    assert dlg.save_to(target)
    saved = text_of(target)
    assert "García" in saved and "usted" in saved
    assert [p.name for p in target.parent.iterdir()] == ["carta.pdf"]  # no temporary left

    # a folder that does not exist: told, nothing written, nothing recorded
    errors: list[str] = []

    def ok(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        errors.append(box.text())
        box.button(QMessageBox.StandardButton.Ok).click()

    when_modal(ok)
    assert not dlg.save_to(tmp_path / "nowhere" / "carta.pdf")
    assert errors and "could not be saved" in errors[0]
    assert not (tmp_path / "nowhere").exists()

    prints = events(seeded, pid, "document:print")
    saves = events(seeded, pid, "document:save")
    assert len(prints) == 1 and prints[0]["kind"] == "cost-letter"
    assert prints[0]["actor"] == "desk.clerk" and prints[0]["file"] == "printed.pdf"
    assert len(saves) == 1 and saves[0]["file"] == "carta.pdf"
    renders = events(seeded, pid, "render")
    assert {r["lang"] for r in renders} >= {"", "en"}


def test_center_settings_reach_the_letterhead_and_bad_values_stay_at_the_field(
    qtbot: QtBot, backend: Backend, seeded: Store, tmp_path: Path
) -> None:
    screen = SettingsScreen(backend, today=lambda: TODAY)
    qtbot.addWidget(screen)
    screen.resize(1000, 1300)
    screen.show()
    edits = screen.center_edits
    assert edits["center.name"].text() == "Lakeside Infusion Center"  # the demo's letterhead
    assert edits["center.phone"].text() == "(312) 555-0100"
    assert screen.state_combo.currentData() == "IL"
    assert not screen.is_dirty()

    # a bad NPI is refused at the field, as soon as the user leaves it, and on Save
    npi = edits["center.npi"]
    npi.selectAll()
    qtbot.keyClicks(npi, "1234567890")
    qtbot.keyClick(npi, Qt.Key.Key_Return)
    error = screen.fields["center.npi"].box
    assert "check digit" in error.message
    edits["center.tin"].setText("3612345")
    qtbot.mouseClick(screen.save_button, LEFT)
    assert "check digit" in error.message
    assert "NN-NNNNNNN" in screen.fields["center.tin"].box.message
    assert "Nothing was saved" in screen.status.text()
    with seeded.session() as s:
        assert settings.get(s, "center.npi") == "1851234561"

    # good values: the NPI, a TIN typed without its dash, a new name, a logo, address lines
    npi.setText("1245319599")
    edits["center.tin"].setText("361234568")
    qtbot.keyClick(edits["center.tin"], Qt.Key.Key_Return)
    assert edits["center.tin"].text() == "36-1234568"  # shown in its usual form
    edits["center.name"].setText("Riverside Infusion Partners")
    screen.address_edit.setPlainText("  77 W Wacker Dr  \n\nChicago, IL 60601")
    edits["center.logo"].setText(str(tmp_path / "logo.gif"))
    qtbot.mouseClick(screen.save_button, LEFT)
    assert "PNG or JPEG" in screen.fields["center.logo"].box.message
    logo = tmp_path / "logo.png"
    image = QImage(240, 80, QImage.Format.Format_RGB32)
    image.fill(QColor("#1f4e79"))
    assert image.save(str(logo))
    edits["center.logo"].setText(str(logo))
    qtbot.mouseClick(screen.save_button, LEFT)
    assert "Saved" in screen.status.text(), screen.status.text()
    assert not screen.is_dirty()
    with seeded.session() as s:
        assert settings.get(s, "center.name") == "Riverside Infusion Partners"
        assert settings.get(s, "center.npi") == "1245319599"
        assert settings.get(s, "center.tin") == "36-1234568"
        assert settings.get(s, "center.address") == "77 W Wacker Dr\nChicago, IL 60601"
        assert settings.get(s, "center.phone") == "3125550100"  # digits, as stored before

    # a disclaimer of the center's own, in English; Spanish stays the standard wording
    screen.disclaimer_edits["en"].setPlainText("Estimates are reviewed by Riverside billing.")
    assert screen.save()

    preview = LetterPreview(
        backend, "cost-letter", patient_id(seeded, "D0003"), today=TODAY, lang="en"
    )
    qtbot.addWidget(preview)
    text = text_of(preview.letter.pdf)
    assert "Riverside Infusion Partners" in text and "NPI 1245319599" in text
    assert "77 W Wacker Dr" in text and "Lakeside" not in text
    assert "Estimates are reviewed by Riverside billing." in text
    page = PdfReader(io.BytesIO(preview.letter.pdf)).pages[0]
    assert len(page.images) >= 1  # the logo on the letterhead
    assert preview.set_language("es")
    spanish = text_of(preview.letter.pdf)
    assert "Riverside Infusion Partners" in spanish
    assert "Riverside billing" not in spanish and "cálculo aproximado" in spanish


def run_batch(
    qtbot: QtBot, dlg: BatchLetters, start: Callable[[], None]
) -> list[tuple[int, str | None]]:
    """Start a save or print run and wait for its end (letters are made on a worker thread)."""
    with qtbot.waitSignal(dlg.batch_finished, timeout=60_000) as done:
        start()
    assert not dlg.running and dlg.save_button.isEnabled() == bool(dlg.checked())
    results: list[tuple[int, str | None]] = done.args[0]
    return results


def test_a_days_cost_letters_saved_and_printed_in_one_go(
    qtbot: QtBot, backend: Backend, seeded: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dlg = BatchLetters(backend, today=TODAY)
    qtbot.addWidget(dlg)
    dlg.show()
    # the next day with visits to begin with, never tomorrow's Saturday with nobody on it
    assert dlg.day() > TODAY + timedelta(days=1) and dlg.patients
    dlg.set_day(TODAY + timedelta(days=1))
    assert dlg.patients == [] and dlg.body.currentWidget() is dlg.empty
    assert not dlg.save_button.isEnabled()

    dlg.set_day(DAY_OF_TWO)
    garcia, nguyen = patient_id(seeded, "D0001"), patient_id(seeded, "D0002")
    t = dlg.table
    rows = [
        [t.item(r, c).text() for c in (Columns.PATIENT, Columns.MRN, Columns.LANGUAGE)]
        for r in range(t.rowCount())
    ]
    assert rows == [
        ["García-López, María Elena", "D0001", "Spanish"],
        ["Nguyễn, An Văn", "D0002", "English (prefers Vietnamese)"],
    ]
    assert dlg.checked() == [garcia, nguyen]

    # one patient's letter cannot be made: it is listed with its reason, the other is saved
    real = letters.BUILDERS_BY_KIND["cost-letter"]

    def failing(session: Any, pid: int, **kw: Any) -> Any:
        if pid == nguyen:
            raise UserError("This patient has no coverage to quote: add one first.")
        return real(session, pid, **kw)

    monkeypatch.setitem(letters.BUILDERS_BY_KIND, "cost-letter", failing)
    folder = tmp_path / "letters"
    folder.mkdir()
    results = run_batch(qtbot, dlg, lambda: dlg.save_all(folder))
    assert results == [
        (garcia, None),
        (nguyen, "This patient has no coverage to quote: add one first."),
    ]
    assert sorted(p.name for p in folder.iterdir()) == ["D0001-cost-letter-20261127.pdf"]
    assert "usted" in text_of(folder / "D0001-cost-letter-20261127.pdf")
    assert t.item(0, Columns.RESULT).text() == "Saved"
    assert "no coverage" in t.item(1, Columns.RESULT).text()
    summary = dlg.summary.text()
    assert "1 saved." in summary and "1 failed" in summary and "Nguyễn" in summary
    assert len(events(seeded, garcia, "document:save")) == 1
    assert events(seeded, nguyen, "document:save") == []

    # fixed: all saved, one PDF per patient
    monkeypatch.setitem(letters.BUILDERS_BY_KIND, "cost-letter", real)
    assert run_batch(qtbot, dlg, lambda: dlg.save_all(folder)) == [(garcia, None), (nguyen, None)]
    assert sorted(p.name for p in folder.iterdir()) == [
        "D0001-cost-letter-20261127.pdf",
        "D0002-cost-letter-20261127.pdf",
    ]
    assert "2 saved." in dlg.summary.text()

    # printed as one job; each printed letter recorded
    out = tmp_path / "batch.pdf"
    assert run_batch(qtbot, dlg, lambda: dlg.print_all(pdf_printer(out))) == [
        (garcia, None),
        (nguyen, None),
    ]
    pages = sum(len(PdfReader(folder / n).pages) for n in sorted(p.name for p in folder.iterdir()))
    assert len(PdfReader(out).pages) == pages
    for pid in (garcia, nguyen):
        assert [e["file"] for e in events(seeded, pid, "document:print")] == ["batch.pdf"]

    # cancelled after the first letter: the first is saved, the rest is not done; a cancelled
    # print job sends (and records) nothing
    asked = [0]

    def cancel_after_first(_self: QProgressDialog) -> bool:
        asked[0] += 1
        return asked[0] > 1

    monkeypatch.setattr(QProgressDialog, "wasCanceled", cancel_after_first)
    again = tmp_path / "again"
    again.mkdir()
    assert run_batch(qtbot, dlg, lambda: dlg.save_all(again)) == [(garcia, None)]
    assert [p.name for p in again.iterdir()] == ["D0001-cost-letter-20261127.pdf"]
    assert "Cancelled: 1 not done." in dlg.summary.text()
    asked[0] = 0
    assert run_batch(
        qtbot, dlg, lambda: dlg.print_all(pdf_printer(tmp_path / "cancelled.pdf"))
    ) == [(garcia, "Not printed (cancelled).")]
    assert len(events(seeded, garcia, "document:print")) == 1  # the earlier job only
    assert not (tmp_path / "cancelled.pdf").exists()
    monkeypatch.undo()

    # only the checked ones
    t.item(0, Columns.PATIENT).setCheckState(Qt.CheckState.Unchecked)
    assert dlg.checked() == [nguyen]
    assert dlg.save_button.text().startswith("Save 1 ")
    other = tmp_path / "other"
    other.mkdir()
    assert run_batch(qtbot, dlg, lambda: dlg.save_all(other)) == [(nguyen, None)]
    assert [p.name for p in other.iterdir()] == ["D0002-cost-letter-20261127.pdf"]


def test_pa_packet_appeal_print_menu_and_letters_menu(
    qtbot: QtBot, backend: Backend, seeded: Store, closing: list[QWidget]
) -> None:
    wang = patient_id(seeded, "D0004")
    with seeded.session() as s:
        cases = pas.list_cases(s, today=TODAY, patient_id=wang, include_closed=True)
    denied = next(c for c in cases if c.state in (State.DENIED, State.APPEAL_DENIED))
    dlg = PriorAuthDialog(backend, denied.id, lambda: TODAY)
    qtbot.addWidget(dlg)
    dlg.show()
    assert dlg.appeal_button.isVisible() and dlg.packet_button.isVisible()
    qtbot.mouseClick(dlg.appeal_button, LEFT)
    appeal = dlg.letter_preview
    assert isinstance(appeal, LetterPreview) and appeal.kind == "appeal"
    closing.append(appeal)
    assert not appeal.lang_combo.isVisible()  # appeals are written to the payer, in English
    assert "Request for Reconsideration" in text_of(appeal.letter.pdf)
    appeal.close()

    garcia = patient_id(seeded, "D0001")
    with seeded.session() as s:
        approved = pas.list_cases(s, today=TODAY, patient_id=garcia)[0]
    dlg2 = PriorAuthDialog(backend, approved.id, lambda: TODAY)
    qtbot.addWidget(dlg2)
    dlg2.show()
    assert not dlg2.appeal_button.isVisible()
    qtbot.mouseClick(dlg2.packet_button, LEFT)
    packet = dlg2.letter_preview
    assert isinstance(packet, LetterPreview) and packet.kind == "pa-packet"
    closing.append(packet)
    packet.close()

    # the patient's Print… menu offers the five documents; one with nothing to print says so
    page = PatientPage(backend, lambda: TODAY)
    qtbot.addWidget(page)
    page.open_patient(garcia)
    page.show()
    assert page.print_button.isVisible()
    labels = [a.text() for a in page.print_menu.actions()]
    assert labels == [f"{label}…" for label in letters.KINDS.values()]
    seen: list[str] = []
    answer(QMessageBox.StandardButton.Ok, seen)
    page.print_menu.actions()[list(letters.KINDS).index("appeal")].trigger()
    assert seen and "no denied prior authorization" in seen[0]
    assert page.letter_preview is None
    page.print_menu.actions()[list(letters.KINDS).index("gfe")].trigger()
    gfe = page.letter_preview
    assert isinstance(gfe, LetterPreview) and gfe.kind == "gfe"
    closing.append(gfe)
    assert "Estimado de buena fe" in text_of(gfe.letter.pdf)  # she prefers Spanish
    gfe.close()

    # the window's Letters menu: the next visits' cost letters
    window = MainWindow(backend, today=lambda: TODAY)
    qtbot.addWidget(window)
    window.show()
    action = window.findChild(QAction, "batchLettersAction")
    assert action is not None
    action.trigger()
    batch = window.batch_letters
    assert isinstance(batch, BatchLetters)
    closing.append(batch)
    assert batch.isVisible() and batch.day() > TODAY and batch.patients
