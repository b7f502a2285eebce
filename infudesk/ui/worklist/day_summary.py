"""The start-of-day summary: a one-page PDF of a day's visits, made on a worker thread, shown
as it will print, printed or saved (the letters' preview, print and save path)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from PySide6.QtCore import QDate
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from infudesk.services import audit, outputs
from infudesk.services import worklist as wls
from infudesk.services.audit import Actor
from infudesk.ui.common.ops import Backend, Latest, report, run_change
from infudesk.ui.letters.letter_preview import (
    DONE_STYLE,
    MUTED_STYLE,
    LastFolder,
    fit_printer_to,
    open_pdf,
    print_documents,
    printer_target,
)

PDF_FILTER = "PDF documents (*.pdf)"


def filename(day: date) -> str:
    return f"day-summary-{day.isoformat()}.pdf"


def save_summary(session: Session, actor: Actor, pdf: bytes, day: date, target: Path) -> Path:
    """Write the summary to ``target`` (staged, the save recorded, then put in place)."""
    outputs.deliver(
        session,
        [(target, pdf)],
        force=True,
        audit=lambda: audit.record(
            session,
            actor,
            "save",
            "document",
            None,
            detail={"kind": "day-summary", "day": day.isoformat()},
        ),
        make_folders=False,
    )
    return target


class DaySummaryDialog(QDialog):
    """Signals: none. ``ready`` is True once the PDF is shown."""

    def __init__(self, backend: Backend, day: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("daySummaryDialog")
        self.setWindowTitle("Start-of-day summary")
        self.backend = backend
        self.day = day
        self.pdf: bytes | None = None
        self.document: QPdfDocument | None = None
        self.latest = Latest()
        lay = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(QLabel("<b>Start-of-day summary</b> for"))
        self.date_edit = QDateEdit(QDate(day.year, day.month, day.day))
        self.date_edit.setObjectName("summaryDate")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("ddd MM/dd/yyyy")
        top.addWidget(self.date_edit)
        top.addStretch(1)
        lay.addLayout(top)
        self.view = QPdfView(self)
        self.view.setObjectName("summaryView")
        self.view.setPageMode(QPdfView.PageMode.SinglePage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitInView)
        lay.addWidget(self.view, 1)
        bar = QHBoxLayout()
        self.status = QLabel("Preparing the summary…")
        self.status.setObjectName("summaryStatus")
        self.status.setStyleSheet(MUTED_STYLE)
        self.status.setWordWrap(True)
        bar.addWidget(self.status, 1)
        self.print_button = QPushButton("Print…")
        self.print_button.setObjectName("printSummaryButton")
        self.save_button = QPushButton("Save as PDF…")
        self.save_button.setObjectName("saveSummaryButton")
        close = QPushButton("Close")
        close.setObjectName("closeSummaryButton")
        for b in (self.print_button, self.save_button, close):
            bar.addWidget(b)
        lay.addLayout(bar)
        self.print_button.clicked.connect(self.choose_printer)
        self.save_button.clicked.connect(self.choose_file)
        close.clicked.connect(self.reject)
        self.date_edit.dateChanged.connect(lambda d: self.load(date(d.year(), d.month(), d.day())))
        self.resize(760, 700)  # fits a 1366x768 screen with its task bar (728 px)
        self.load(day)

    @property
    def ready(self) -> bool:
        return self.document is not None and not self.latest.busy

    def load(self, day: date) -> None:
        self.day = day
        self.print_button.setEnabled(False)
        self.save_button.setEnabled(False)
        self.status.setStyleSheet(MUTED_STYLE)
        self.status.setText("Preparing the summary…")
        self.latest.replace(
            run_change(
                self,
                self.backend,
                lambda s, a: wls.day_summary_pdf(s, a, day),
                self._show,
                self._failed,
            )
        )

    def _failed(self, exc: BaseException) -> None:
        self.status.setText("The summary could not be made.")
        report(self, exc)

    def _show(self, pdf: bytes) -> None:
        try:
            doc = open_pdf(pdf, self)
        except Exception as exc:
            self._failed(exc)
            return
        old, self.document, self.pdf = self.document, doc, pdf
        self.view.setDocument(doc)
        if old is not None:
            old.close()
            old.deleteLater()
        self.print_button.setEnabled(True)
        self.save_button.setEnabled(True)
        self.status.setText(f"{self.day:%A %m/%d/%Y} · {filename(self.day)}")

    def choose_printer(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(Path(filename(self.day)).stem)
        if self.document is not None:
            fit_printer_to(printer, self.document)
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle("Print the day summary")
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.print_to(printer)

    def print_to(self, printer: QPrinter) -> bool:
        if self.document is None:
            return False
        try:
            print_documents(printer, [self.document])
        except Exception as exc:
            report(self, exc)
            return False
        self.status.setStyleSheet(DONE_STYLE)
        self.status.setText(f"Sent to {printer_target(printer)} at {datetime.now():%H:%M}.")
        return True

    def choose_file(self) -> None:
        suggested = LastFolder.path / filename(self.day)
        path, _f = QFileDialog.getSaveFileName(
            self, "Save the day summary as PDF", str(suggested), PDF_FILTER
        )
        if not path:
            return
        target = Path(path)
        if target.suffix.lower() != ".pdf":
            target = target.with_name(target.name + ".pdf")
        self.save_to(target)

    def save_to(self, path: Path) -> bool:
        pdf, day = self.pdf, self.day
        if pdf is None:
            return False
        try:
            self.backend.mutate(save_summary, pdf, day, path)
        except Exception as exc:
            report(self, exc)
            return False
        LastFolder.remember(path.parent)
        self.status.setStyleSheet(DONE_STYLE)
        self.status.setText(f"Saved as {path} at {datetime.now():%H:%M}.")
        return True


__all__ = ["DaySummaryDialog", "save_summary"]
