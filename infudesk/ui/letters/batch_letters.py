"""Cost letters for one day's visits in one go (the next day with visits, by default): saved as PDFs to a
folder or printed as one job, with progress; one patient's problem does not stop the others."""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressDialog,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from infudesk.errors import UserError
from infudesk.services import letters
from infudesk.ui.common.ops import Backend, attempt, friendly_message, report, run_change
from infudesk.ui.common.pdf_preview import (
    LastFolder,
    PrintJob,
    fit_printer_to,
    open_pdf,
    printer_target,
)
from infudesk.ui.common.screen import fit_to_screen
from infudesk.ui.letters import controller as ctl
from infudesk.ui.letters.letter_preview import language_text, patient_line

KIND = "cost-letter"
OK_COLOR = QColor("#1b6e20")
ERROR_COLOR = QColor("#b00020")
MUTED_STYLE = "color: #555;"


class Columns(enum.IntEnum):
    PATIENT = 0
    MRN = 1
    LANGUAGE = 2
    RESULT = 3


HEADERS = {
    Columns.PATIENT: "Patient",
    Columns.MRN: "MRN",
    Columns.LANGUAGE: "Letter language",
    Columns.RESULT: "Result",
}


def day_patients(session: Session, day: date) -> list[tuple[int, str, str, str]]:
    """(patient id, filed name, MRN, preferred language) of the patients seen on ``day``."""
    rows = [
        (pid, *patient_line(session, pid)) for pid in letters.patients_with_visits_on(session, day)
    ]
    return sorted(rows, key=lambda r: (r[1].casefold(), r[2]))


def days_with_visits(session: Session, days: list[date]) -> set[date]:
    """Which of ``days`` have a planned visit (the batch opens on the first of them)."""
    return {day for day in days if letters.patients_with_visits_on(session, day)}


def _item(text: str) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
    return item


class BatchLetters(QDialog):
    """Pick a day; its patients are listed with a check box each; save or print their letters.

    Letters are made one after another on a worker thread (the dialog stays responsive; the
    progress dialog's Cancel stops before the next letter).

    Signals:
    batch_finished(list): a save or print run ended: [(patient id, error or None)] in list order
    (each letter saved or printed is recorded through the letters service).
    """

    batch_finished = Signal(object)

    def __init__(self, backend: Backend, *, today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("batchLetters")
        self.setWindowTitle("Cost letters for a day's visits")
        self.backend = backend
        self.today = today
        self.patients: list[tuple[int, str, str, str]] = []
        self.results: list[tuple[int, str | None]] = []
        self.progress: QProgressDialog | None = None
        self.running = False  # a batch is being saved or printed
        days = ctl.candidate_days(today)
        busy = attempt(self, lambda: self.backend.query(days_with_visits, days))
        self.opening = ctl.opening_day(today, busy or set())
        self._build()
        self.load()
        fit_to_screen(self, 760, 560)

    # -- building ------------------------------------------------------------------------------
    def _build(self) -> None:
        lay = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(QLabel("Patients with a planned visit on"))
        self.date_edit = QDateEdit()
        self.date_edit.setObjectName("batchDate")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("MM/dd/yyyy")
        self.date_edit.setAccessibleName("Day of the visits")
        first = self.opening
        self.date_edit.setDate(QDate(first.year, first.month, first.day))
        self.date_edit.dateChanged.connect(lambda _d: self.load())
        top.addWidget(self.date_edit)
        top.addStretch(1)
        self.all_button = QPushButton("Check all")
        self.all_button.setObjectName("checkAllButton")
        self.all_button.clicked.connect(lambda: self.check_all(True))
        top.addWidget(self.all_button)
        self.none_button = QPushButton("Check none")
        self.none_button.setObjectName("checkNoneButton")
        self.none_button.clicked.connect(lambda: self.check_all(False))
        top.addWidget(self.none_button)
        lay.addLayout(top)
        hint = QLabel(
            "Each letter is the patient's latest saved quote (or, without one, the quote of the "
            "coverages on file), in the patient's preferred language."
        )
        hint.setWordWrap(True)
        hint.setStyleSheet(MUTED_STYLE)
        lay.addWidget(hint)

        self.body = QStackedWidget()
        self.table = QTableWidget(0, len(Columns))
        self.table.setObjectName("batchTable")
        self.table.setHorizontalHeaderLabels([HEADERS[c] for c in Columns])
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        for c in (Columns.PATIENT, Columns.MRN, Columns.LANGUAGE):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(Columns.RESULT, QHeaderView.ResizeMode.Stretch)
        self.table.itemChanged.connect(lambda _i: self._update_buttons())
        self.body.addWidget(self.table)
        self.empty = QLabel("")
        self.empty.setObjectName("batchEmpty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.body.addWidget(self.empty)
        lay.addWidget(self.body, 1)

        self.summary = QLabel("")
        self.summary.setObjectName("batchSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.summary)

        bar = QHBoxLayout()
        bar.addStretch(1)
        self.save_button = QPushButton("Save all as PDF to a folder…")
        self.save_button.setObjectName("saveAllButton")
        self.save_button.clicked.connect(self.choose_folder)
        bar.addWidget(self.save_button)
        self.print_button = QPushButton("Print all…")
        self.print_button.setObjectName("printAllButton")
        self.print_button.clicked.connect(self.choose_printer)
        bar.addWidget(self.print_button)
        close = QPushButton("Close")
        close.setObjectName("closeBatchButton")
        close.clicked.connect(self.reject)
        bar.addWidget(close)
        for button in (self.all_button, self.none_button, close, self.print_button):
            button.setAutoDefault(False)
        self.save_button.setDefault(True)
        lay.addLayout(bar)

    # -- the list ------------------------------------------------------------------------------
    def day(self) -> date:
        d = self.date_edit.date()
        return date(d.year(), d.month(), d.day())

    def set_day(self, day: date) -> None:
        self.date_edit.setDate(QDate(day.year, day.month, day.day))  # the list follows

    def load(self) -> None:
        day = self.day()
        rows = attempt(self, lambda: self.backend.query(day_patients, day))
        self.patients = rows or []
        self.results = []
        self.summary.setText("")
        t = self.table
        t.blockSignals(True)
        t.setRowCount(len(self.patients))
        for r, (pid, name, mrn, preferred) in enumerate(self.patients):
            first = _item(name)
            first.setFlags(first.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            first.setCheckState(Qt.CheckState.Checked)
            first.setData(Qt.ItemDataRole.UserRole, pid)
            t.setItem(r, Columns.PATIENT, first)
            t.setItem(r, Columns.MRN, _item(mrn))
            t.setItem(r, Columns.LANGUAGE, _item(language_text(preferred)))
            t.setItem(r, Columns.RESULT, _item(""))
        t.blockSignals(False)
        t.resizeRowsToContents()
        if self.patients:
            n = len(self.patients)
            self.summary.setStyleSheet(MUTED_STYLE)
            self.summary.setText(ctl.day_line(day, n))
            self.body.setCurrentWidget(self.table)
        else:
            self.empty.setText(ctl.empty_line(day, read=rows is not None))
            self.body.setCurrentWidget(self.empty)
        self._update_buttons()

    def check_all(self, checked: bool) -> None:
        state = Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked
        for r in range(self.table.rowCount()):
            item = self.table.item(r, Columns.PATIENT)
            if item is not None:
                item.setCheckState(state)

    def checked(self) -> list[int]:
        """The ids of the patients whose box is checked, in list order."""
        out = []
        for r in range(self.table.rowCount()):
            item = self.table.item(r, Columns.PATIENT)
            if item is not None and item.checkState() == Qt.CheckState.Checked:
                out.append(int(item.data(Qt.ItemDataRole.UserRole)))
        return out

    def _update_buttons(self) -> None:
        state = ctl.buttons(len(self.checked()), len(self.patients), busy=self.running)
        for button in (self.save_button, self.print_button):
            button.setEnabled(state.can_run)
        for button in (self.all_button, self.none_button):
            button.setEnabled(state.can_check)
        self.save_button.setText(state.save_text)
        self.print_button.setText(state.print_text)

    def _row_of(self, patient_id: int) -> int:
        return next(r for r, p in enumerate(self.patients) if p[0] == patient_id)

    def _show_result(self, patient_id: int, error: str | None, done: str) -> None:
        item = self.table.item(self._row_of(patient_id), Columns.RESULT)
        assert item is not None
        item.setText(error or done)
        item.setToolTip(error or "")
        item.setForeground(ERROR_COLOR if error else OK_COLOR)
        self.table.resizeRowToContents(self._row_of(patient_id))

    # -- progress ------------------------------------------------------------------------------
    def _start(self, what: str, total: int) -> QProgressDialog:
        progress = QProgressDialog(what, "Cancel", 0, total, self)
        progress.setObjectName("batchProgress")
        progress.setWindowTitle("Cost letters")
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(300)
        progress.setAutoClose(False)
        progress.setAutoReset(False)
        progress.setValue(0)
        self.progress = progress
        return progress

    def _step(self, progress: QProgressDialog, done: int, patient_id: int, verb: str) -> bool:
        """Show which letter is next; False when the user cancelled."""
        name, mrn = self.patients[self._row_of(patient_id)][1:3]
        progress.setLabelText(ctl.step_line(verb, done, progress.maximum(), name, mrn))
        progress.setValue(done)
        return not progress.wasCanceled()

    def _finish(self, progress: QProgressDialog, verb: str, cancelled: bool) -> None:
        progress.setValue(progress.maximum())
        progress.close()
        progress.deleteLater()
        self.progress = None
        left = len(self.checked()) - len(self.results) if cancelled else None
        text, failed = ctl.summary(self.results, self.patients, verb, cancelled_left=left)
        self.summary.setText(text)
        self.summary.setStyleSheet("color: #b00020;" if failed else "color: #1b6e20;")

    # -- saving --------------------------------------------------------------------------------
    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, "Save the cost letters in this folder", str(LastFolder.path)
        )
        if folder:
            self.save_all(Path(folder))

    def save_all(self, folder: Path) -> None:
        """Each checked patient's letter as a PDF in ``folder`` (recorded), one after another on
        a worker thread; ``batch_finished`` gives [(id, error or None)] at the end."""
        ids = self.checked()
        if not folder.is_dir():
            report(
                self,
                UserError(
                    f"The folder {folder} does not exist: choose another one.", title="Not saved"
                ),
            )
            self.batch_finished.emit([])
            return
        self.results = []
        progress = self._start(f"Saving {len(ids)} cost letters…", len(ids))
        self._busy(True)

        def finish(cancelled: bool) -> None:
            self._finish(progress, "saved", cancelled)
            if any(e is None for _p, e in self.results):
                LastFolder.remember(folder)
            self._busy(False)
            self.batch_finished.emit(list(self.results))

        def save_one(pid: int, go_on: Callable[[], None]) -> None:
            def result(error: str | None) -> None:
                self.results.append((pid, error))
                self._show_result(pid, error, "Saved")
                go_on()

            self._save_one(pid, folder, result)

        self._each_letter(ids, progress, "Saving", save_one, finish)

    def _each_letter(
        self,
        ids: list[int],
        progress: QProgressDialog,
        verb: str,
        one: Callable[[int, Callable[[], None]], None],
        finish: Callable[[bool], None],
    ) -> None:
        """Take the letters of ``ids`` one after another: the progress says which (``verb``),
        ``one(patient id, go_on)`` does one letter and calls ``go_on()`` when the next may start
        (or ends the run itself); ``finish(cancelled)`` ends the run after the last letter or
        when the user cancelled."""

        def next_letter(done: int) -> None:
            if done == len(ids):
                finish(False)
                return
            pid = ids[done]
            if not self._step(progress, done, pid, verb):
                finish(True)
                return
            one(pid, lambda: next_letter(done + 1))

        next_letter(0)

    def _save_one(
        self, patient_id: int, folder: Path, result: Callable[[str | None], None]
    ) -> None:
        """Render then save one letter, each in its own transaction on a worker thread; a second
        run (after a fix) replaces the same day's letter of the same patient, as before."""

        def failed(exc: BaseException) -> None:
            result(friendly_message(exc)[1])

        def save(letter: letters.Letter) -> None:
            path = folder / letter.filename
            run_change(
                self,
                self.backend,
                lambda s, a: letters.save_pdf(s, a, letter, path, force=True, make_folders=False),
                lambda _none: result(None),
                failed,
            )

        run_change(
            self,
            self.backend,
            lambda s, a: letters.render(s, a, KIND, patient_id, today=self.today),
            save,
            failed,
        )

    def _busy(self, busy: bool) -> None:
        """While a batch runs, nothing else can be started from the dialog."""
        self.running = busy
        for w in (self.date_edit, self.table):
            w.setEnabled(not busy)
        self._update_buttons()

    # -- printing ------------------------------------------------------------------------------
    def choose_printer(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(f"cost-letters-{self.day():%Y%m%d}")
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle("Print the cost letters")
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.print_all(printer)

    def print_all(self, printer: QPrinter) -> None:
        """The checked patients' letters as one print job; ``batch_finished`` gives
        [(id, error or None)] per patient.

        Each letter is made on a worker thread and added to the job on the GUI thread. A letter
        that cannot be made is listed and left out; each printed letter is recorded once the job
        is complete. Cancelling (or a printer failure) sends nothing."""
        ids = self.checked()
        progress = self._start(f"Preparing {len(ids)} cost letters for the printer…", len(ids))
        job = PrintJob(printer)
        printed: list[letters.Letter] = []
        errors: dict[int, str] = {}
        self._busy(True)

        def finish(cancelled: bool, failure: BaseException | None = None) -> None:
            nonlocal printed
            try:
                if failure is not None:
                    raise failure
                if cancelled:
                    if job.painter.isActive():
                        job.abort()
                elif job.painter.isActive() and not job.end():
                    raise UserError("The printer did not finish the job.", title="Not printed")
            except Exception as exc:  # the printer itself failed: nothing was printed
                if job.painter.isActive():
                    job.abort()
                for letter in printed:
                    errors[letter.patient_id] = f"Not printed: {friendly_message(exc)[1]}"
                printed = []
                report(self, exc)
            if cancelled:
                for letter in printed:
                    errors[letter.patient_id] = "Not printed (cancelled)."
                printed = []
            for letter in printed:
                try:
                    self.backend.mutate(
                        letters.record_output,
                        letter,
                        action="print",
                        target=printer_target(printer),
                    )
                except Exception as exc:
                    report(self, exc)
                    break
            done_ids = [letter.patient_id for letter in printed]
            self.results = [
                (pid, errors.get(pid)) for pid in ids if pid in errors or pid in done_ids
            ]
            for pid, error in self.results:
                self._show_result(pid, error, f"Sent to {printer_target(printer)}")
            self._finish(progress, "printed", cancelled)
            self._busy(False)
            self.batch_finished.emit(list(self.results))

        def print_one(pid: int, go_on: Callable[[], None]) -> None:
            def failed(exc: BaseException) -> None:
                errors[pid] = friendly_message(exc)[1]
                self._show_result(pid, errors[pid], "")
                go_on()

            def add(letter: letters.Letter) -> None:
                try:
                    doc = open_pdf(letter.pdf, self)
                except Exception as exc:
                    failed(exc)
                    return
                try:
                    if not job.painter.isActive():
                        fit_printer_to(printer, doc)
                        job.begin()
                    job.add(doc)
                except Exception as exc:
                    finish(False, exc)
                    return
                finally:
                    doc.close()
                    doc.deleteLater()
                printed.append(letter)
                self._show_result(pid, None, "Ready to print")
                go_on()

            run_change(
                self,
                self.backend,
                lambda s, a: letters.render(s, a, KIND, pid, today=self.today),
                add,
                failed,
            )

        self._each_letter(ids, progress, "Printing", print_one, finish)


__all__ = ["BatchLetters", "Columns", "day_patients"]
