"""A PDF shown as it will print (from memory, never a copy on disk), printed through the
system print dialog or saved where the user chooses: the helpers (open, print as one job, the
folder last saved to) and ``PdfPreview``, the dialog the letter preview and the start-of-day
summary are built on."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, QRectF, QSize, QSizeF, Qt
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from infudesk.errors import UserError
from infudesk.ui.common.ops import report

PRINT_DPI = 300  # pages are printed as images of this resolution (sharp, and not huge)
PDF_FILTER = "PDF files (*.pdf)"
MUTED_STYLE = "color: #555;"
DONE_STYLE = "color: #1b6e20;"


class LastFolder:
    """The folder documents were last saved to (this session): the next save starts there."""

    path: Path = Path.home()

    @classmethod
    def remember(cls, folder: Path) -> None:
        cls.path = folder


def open_pdf(content: bytes, parent: QObject) -> QPdfDocument:
    """A PDF opened with QtPdf straight from its bytes (never a copy on disk)."""
    doc = QPdfDocument(parent)
    buffer = QBuffer(doc)  # lives as long as the document
    buffer.setData(QByteArray(content))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    doc.load(buffer)
    if doc.status() != QPdfDocument.Status.Ready or doc.pageCount() < 1:
        doc.deleteLater()
        raise UserError(
            "The document could not be prepared for showing or printing. Try again; if it "
            "happens again, tell your administrator.",
            title="Document not shown",
        )
    return doc


def printer_target(printer: QPrinter) -> str:
    """Where a print went, for the audit trail: the printer's name or the PDF file's."""
    return printer.outputFileName() or printer.printerName() or "printer"


def fit_printer_to(printer: QPrinter, doc: QPdfDocument) -> None:
    """Offer the document's own paper size (US Letter) in the print dialog."""
    points = doc.pagePointSize(0)
    if points.isValid() and points.width() > 0:
        # a near-match becomes the standard size of that name (Letter), as printers know it
        printer.setPageSize(
            QPageSize(QSizeF(points.width(), points.height()), QPageSize.Unit.Point)
        )
        printer.setPageOrientation(QPageLayout.Orientation.Portrait)


class PrintJob:
    """Pages of one or more PDFs sent to a printer as one job, each page drawn as an image."""

    def __init__(self, printer: QPrinter) -> None:
        self.printer = printer
        self.painter = QPainter()
        self.pages = 0

    def begin(self) -> None:
        self.printer.setFullPage(True)  # the documents carry their own margins
        if not self.painter.begin(self.printer):
            raise UserError(
                "The printer could not be started. Check that it is switched on and connected "
                "(or, printing to a file, that the folder can be written to), then try again.",
                title="Not printed",
            )

    def add(self, doc: QPdfDocument) -> None:
        dpi = min(self.printer.resolution(), PRINT_DPI)
        area = QRectF(0, 0, self.printer.width(), self.printer.height())
        for page in range(doc.pageCount()):
            if self.pages and not self.printer.newPage():
                raise UserError("The printer stopped taking pages.", title="Not printed")
            points = doc.pagePointSize(page)
            size = QSize(round(points.width() / 72 * dpi), round(points.height() / 72 * dpi))
            image = QImage(size, QImage.Format.Format_RGB32)
            image.fill(Qt.GlobalColor.white)  # QtPdf leaves the paper transparent
            rendered = doc.render(page, size)
            with_paper = QPainter(image)
            with_paper.drawImage(0, 0, rendered)
            with_paper.end()
            scale = min(area.width() / size.width(), area.height() / size.height())
            w, h = size.width() * scale, size.height() * scale
            target = QRectF(area.x() + (area.width() - w) / 2, area.y(), w, h)
            self.painter.drawImage(target, image)
            self.pages += 1

    def end(self) -> bool:
        return self.painter.end()

    def abort(self) -> None:
        """Stop the job: nothing reaches the printer (a PDF file begun is removed)."""
        self.printer.abort()
        if self.painter.isActive():
            self.painter.end()
        name = self.printer.outputFileName()
        if name and self.printer.outputFormat() == QPrinter.OutputFormat.PdfFormat:
            Path(name).unlink(missing_ok=True)


def print_documents(printer: QPrinter, docs: Iterable[QPdfDocument]) -> None:
    """All pages of ``docs`` as one print job; a problem raises UserError."""
    job = PrintJob(printer)
    job.begin()
    try:
        for doc in docs:
            job.add(doc)
    except BaseException:
        job.abort()
        raise
    if not job.end():
        raise UserError("The printer did not finish the job.", title="Not printed")


# -- the preview -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PreviewLook:
    """What differs between previews: object names (tests and accessibility find the widgets
    by them), how the pages are laid out, and the Print button's keyboard use."""

    view: str
    status: str
    print_button: str
    save_button: str
    close_button: str
    page_mode: QPdfView.PageMode = QPdfView.PageMode.MultiPage
    zoom_mode: QPdfView.ZoomMode = QPdfView.ZoomMode.FitToWidth
    save_text: str = "Save as PDF…"
    print_shortcut: str = ""  # e.g. "Ctrl+P"; also makes Print the default button
    tooltips: bool = False


class PdfPreview(QDialog):
    """A dialog with a row on top (``self.top``, filled by the subclass, which then calls
    :meth:`add_view_and_buttons`), the PDF view, and a bar with a status line, Print…, Save as
    PDF… and Close.

    A subclass names the document (:meth:`file_name`, :meth:`noun`), writes the PDF where the
    user chose (:meth:`write_pdf`) and may record a print (:meth:`record_print`); it shows a
    PDF with :meth:`set_pdf`. Signals: none.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document: QPdfDocument | None = None
        self.layout_ = QVBoxLayout(self)
        self.top = QHBoxLayout()
        self.layout_.addLayout(self.top)

    def add_view_and_buttons(self, look: PreviewLook) -> None:
        """The PDF view and the bar below it, once the top row is filled (made after it, so
        that Tab goes from the top row to the pages and then to the buttons, as read)."""
        lay = self.layout_
        self.view = QPdfView(self)
        self.view.setObjectName(look.view)
        self.view.setPageMode(look.page_mode)
        self.view.setZoomMode(look.zoom_mode)
        lay.addWidget(self.view, 1)

        bar = QHBoxLayout()
        self.status = QLabel("")
        self.status.setObjectName(look.status)
        self.status.setWordWrap(True)
        self.status.setStyleSheet(MUTED_STYLE)
        bar.addWidget(self.status, 1)
        self.print_button = QPushButton("Print…")
        self.print_button.setObjectName(look.print_button)
        self.save_button = QPushButton(look.save_text)
        self.save_button.setObjectName(look.save_button)
        self.close_button = QPushButton("Close")
        self.close_button.setObjectName(look.close_button)
        if look.print_shortcut:
            self.print_button.setShortcut(look.print_shortcut)
        if look.tooltips:
            self.print_button.setToolTip(
                "Print through the system's print dialog"
                + (f" ({look.print_shortcut})" if look.print_shortcut else "")
            )
            self.save_button.setToolTip("Save a PDF copy in a folder you choose")
        for button in (self.print_button, self.save_button, self.close_button):
            bar.addWidget(button)
        lay.addLayout(bar)
        self.print_button.clicked.connect(self.choose_printer)
        self.save_button.clicked.connect(self.choose_file)
        self.close_button.clicked.connect(self.reject)
        if look.print_shortcut:
            self.print_button.setDefault(True)

    # -- what the subclass says --------------------------------------------------------------
    def file_name(self) -> str:
        """The PDF's file name (suggested when saving; the print job's name without .pdf)."""
        raise NotImplementedError

    def noun(self) -> str:
        """The document in the dialogs' titles: 'Print {noun}', 'Save {noun} as PDF'."""
        raise NotImplementedError

    def write_pdf(self, path: Path) -> bool:
        """Write the PDF shown to ``path`` (recorded); False when there is nothing to write."""
        raise NotImplementedError

    def record_print(self, printer: QPrinter) -> None:
        """Record a print that went to ``printer`` (nothing by default)."""

    # -- showing -----------------------------------------------------------------------------
    def set_pdf(self, pdf: bytes) -> QPdfDocument:
        """Show ``pdf`` in place of the document shown (a PDF QtPdf cannot open raises
        UserError and leaves the view as it was)."""
        doc = open_pdf(pdf, self)
        old, self.document = self.document, doc
        self.view.setDocument(doc)
        if old is not None:
            old.close()
            old.deleteLater()
        return doc

    def say(self, text: str, *, done: bool = False) -> None:
        """The status line: muted, or green for a print or save that went through."""
        self.status.setStyleSheet(DONE_STYLE if done else MUTED_STYLE)
        self.status.setText(text)

    # -- printing ----------------------------------------------------------------------------
    def choose_printer(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(Path(self.file_name()).stem)
        if self.document is not None:
            fit_printer_to(printer, self.document)
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle(f"Print {self.noun()}")
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.print_to(printer)

    def print_to(self, printer: QPrinter) -> bool:
        """Print every page on ``printer`` (set up by the print dialog, or a PDF printer)."""
        doc = self.document
        if doc is None:
            return False
        try:
            print_documents(printer, [doc])
            self.record_print(printer)
        except Exception as exc:
            report(self, exc)
            return False
        self.say(f"Sent to {printer_target(printer)} at {datetime.now():%H:%M}.", done=True)
        return True

    # -- saving ------------------------------------------------------------------------------
    def choose_file(self) -> None:
        suggested = LastFolder.path / self.file_name()
        path, _filter = QFileDialog.getSaveFileName(
            self, f"Save {self.noun()} as PDF", str(suggested), PDF_FILTER
        )
        if not path:
            return
        target = Path(path)
        if target.suffix.lower() != ".pdf":
            target = target.with_name(target.name + ".pdf")
        self.save_to(target)

    def save_to(self, path: Path) -> bool:
        """Write the PDF to ``path``: staged, the save recorded, then put in place (all or
        nothing; the file dialog has already asked before replacing a file)."""
        try:
            if not self.write_pdf(path):
                return False
        except Exception as exc:
            report(self, exc)
            return False
        LastFolder.remember(path.parent)
        self.say(f"Saved as {path} at {datetime.now():%H:%M}.", done=True)
        return True


__all__ = [
    "DONE_STYLE",
    "LastFolder",
    "MUTED_STYLE",
    "PdfPreview",
    "PreviewLook",
    "PrintJob",
    "fit_printer_to",
    "open_pdf",
    "print_documents",
    "printer_target",
]
