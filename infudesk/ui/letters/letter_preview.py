"""A patient document previewed inside the app (from memory), printed through the system print
dialog or saved as a PDF where the user chooses; every print and save is recorded."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, QRectF, QSize, QSizeF, Qt
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from infudesk.domain.patients import LANGUAGES, patient_shown_name
from infudesk.errors import UserError
from infudesk.services import letters
from infudesk.services import patients as ps
from infudesk.ui.common.ops import Backend, report
from infudesk.ui.common.screen import fit_to_screen

letter_language = letters.letter_language  # the service's rule: Spanish, else English

LANG_KINDS = frozenset({"cost-letter", "gfe"})  # the documents printed in English or Spanish
LANG_NAMES = {"en": "English", "es": "Spanish"}
PRINT_DPI = 300  # pages are printed as images of this resolution (sharp, and not huge)
PDF_FILTER = "PDF files (*.pdf)"
MUTED_STYLE = "color: #555;"
DONE_STYLE = "color: #1b6e20;"


class LastFolder:
    """The folder letters were last saved to (this session): the next save starts there."""

    path: Path = Path.home()

    @classmethod
    def remember(cls, folder: Path) -> None:
        cls.path = folder


# -- helpers shared with the batch dialog ---------------------------------------------------


def patient_line(session: Session, patient_id: int) -> tuple[str, str, str]:
    """(name as shown, MRN, preferred language code) of a patient, for headings and lists."""
    d = ps.get_patient(session, patient_id).data
    return (
        patient_shown_name(d),
        d.mrn,
        d.preferred_language,
    )


def language_text(preferred: str) -> str:
    """'Spanish' or 'English (prefers Vietnamese)': the language a letter prints in by default."""
    lang = letter_language(preferred)
    name = LANG_NAMES[lang]
    if preferred and not preferred.lower().startswith(lang):
        name += f" (prefers {LANGUAGES.get(preferred, preferred)})"
    return name


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
        self.printer.setFullPage(True)  # the letters carry their own margins
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


class LetterPreview(QDialog):
    """One document of one patient, shown as it will print, with Print… and Save as PDF….

    Rendering happens in the constructor: when the patient has nothing to print (no order, no
    denied case, …) the service's UserError is raised before any window is made.

    Signals: none (each print and save is recorded through the letters service).
    """

    def __init__(
        self,
        backend: Backend,
        kind: str,
        patient_id: int,
        *,
        today: date,
        lang: str | None = None,
        case_id: int | None = None,
        parent: QWidget | None = None,
        source: letters.Source = letters.NOW,
    ) -> None:
        self.case_id = case_id
        self.source = source
        letter = backend.mutate(
            letters.render,
            kind,
            patient_id,
            today=today,
            lang=lang,
            case_id=case_id,
            source=source,
        )
        name, mrn, preferred = backend.query(patient_line, patient_id)
        super().__init__(parent)
        self.setObjectName("letterPreview")
        self.backend = backend
        self.kind = kind
        self.patient_id = patient_id
        self.today = today
        self.letter = letter
        self.preferred = preferred
        self.document: QPdfDocument | None = None
        self.setWindowTitle(f"{letters.KINDS[kind]} — {name} ({mrn})")
        self._build(name, mrn)
        self._show(letter)
        select = self.lang_combo.findData(lang)
        self.lang_combo.blockSignals(True)
        self.lang_combo.setCurrentIndex(max(select, 0))
        self.lang_combo.blockSignals(False)
        fit_to_screen(self, 860, 980)

    # -- building --------------------------------------------------------------------------
    def _build(self, name: str, mrn: str) -> None:
        lay = QVBoxLayout(self)
        top = QHBoxLayout()
        heading = QLabel(f"<b>{letters.KINDS[self.kind]}</b> for {name} · MRN {mrn}")
        heading.setObjectName("letterHeading")
        heading.setTextFormat(Qt.TextFormat.RichText)
        top.addWidget(heading, 1)
        self.lang_label = QLabel("Language:")
        top.addWidget(self.lang_label)
        self.lang_combo = QComboBox()
        self.lang_combo.setObjectName("letterLanguage")
        preferred = LANG_NAMES[letter_language(self.preferred)]
        self.lang_combo.addItem(f"Patient's preference ({preferred})", None)
        self.lang_combo.addItem("English", "en")
        self.lang_combo.addItem("Spanish", "es")
        self.lang_combo.setToolTip(
            "The letter prints in the patient's preferred language (Spanish or English); "
            "choose another for this printout."
        )
        self.lang_combo.setAccessibleName("Language of the letter")
        has_languages = self.kind in LANG_KINDS
        self.lang_label.setVisible(has_languages)
        self.lang_combo.setVisible(has_languages)
        self.lang_combo.currentIndexChanged.connect(
            lambda _i: self.set_language(self.lang_combo.currentData())
        )
        top.addWidget(self.lang_combo)
        lay.addLayout(top)

        self.view = QPdfView(self)
        self.view.setObjectName("letterView")
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        lay.addWidget(self.view, 1)

        bar = QHBoxLayout()
        self.status = QLabel("")
        self.status.setObjectName("letterStatus")
        self.status.setWordWrap(True)
        self.status.setStyleSheet(MUTED_STYLE)
        bar.addWidget(self.status, 1)
        self.print_button = QPushButton("Print…")
        self.print_button.setObjectName("printLetterButton")
        self.print_button.setToolTip("Print through the system's print dialog (Ctrl+P)")
        self.print_button.setShortcut("Ctrl+P")
        self.print_button.clicked.connect(self.choose_printer)
        bar.addWidget(self.print_button)
        self.save_button = QPushButton("&Save as PDF…")
        self.save_button.setObjectName("saveLetterButton")
        self.save_button.setToolTip("Save a PDF copy in a folder you choose")
        self.save_button.clicked.connect(self.choose_file)
        bar.addWidget(self.save_button)
        self.close_button = QPushButton("Close")
        self.close_button.setObjectName("closeLetterButton")
        self.close_button.clicked.connect(self.reject)
        bar.addWidget(self.close_button)
        lay.addLayout(bar)
        self.print_button.setDefault(True)

    def _show(self, letter: letters.Letter) -> None:
        doc = open_pdf(letter.pdf, self)
        old, self.document, self.letter = self.document, doc, letter
        self.view.setDocument(doc)
        if old is not None:
            old.close()
            old.deleteLater()
        pages = doc.pageCount()
        self.status.setStyleSheet(MUTED_STYLE)
        figures = (
            "figures computed today"
            if self.source.quote_id is None
            else "figures of a saved quote (its date is printed)"
        )
        self.status.setText(
            f"{pages} page{'s' if pages != 1 else ''} · {letter.filename}"
            + (f" · {figures}" if self.kind in LANG_KINDS else "")
        )

    # -- language ------------------------------------------------------------------------------
    def set_language(self, lang: str | None) -> bool:
        """Render again in ``lang`` ('en', 'es', or None for the patient's preference)."""
        select = self.lang_combo.findData(lang)
        if select >= 0 and select != self.lang_combo.currentIndex():
            self.lang_combo.blockSignals(True)
            self.lang_combo.setCurrentIndex(select)
            self.lang_combo.blockSignals(False)
        try:
            letter = self.backend.mutate(
                letters.render,
                self.kind,
                self.patient_id,
                today=self.today,
                lang=lang,
                case_id=self.case_id,
                source=self.source,
            )
            self._show(letter)
        except Exception as exc:
            report(self, exc)
            return False
        return True

    def language(self) -> str:
        """The language of the letter shown ('en' or 'es')."""
        chosen = self.lang_combo.currentData()
        return str(chosen) if chosen else letter_language(self.preferred)

    # -- printing ------------------------------------------------------------------------------
    def choose_printer(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(Path(self.letter.filename).stem)
        if self.document is not None:
            fit_printer_to(printer, self.document)
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle(f"Print {letters.KINDS[self.kind].lower()}")
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.print_to(printer)

    def print_to(self, printer: QPrinter) -> bool:
        """Print every page on ``printer`` (set up by the print dialog, or a PDF printer)."""
        doc = self.document
        if doc is None:
            return False
        try:
            print_documents(printer, [doc])
            self.backend.mutate(
                letters.record_output, self.letter, action="print", target=printer_target(printer)
            )
        except Exception as exc:
            report(self, exc)
            return False
        self.status.setStyleSheet(DONE_STYLE)
        self.status.setText(f"Sent to {printer_target(printer)} at {datetime.now():%H:%M}.")
        return True

    # -- saving --------------------------------------------------------------------------------
    def choose_file(self) -> None:
        suggested = LastFolder.path / self.letter.filename
        path, _filter = QFileDialog.getSaveFileName(
            self, f"Save {letters.KINDS[self.kind].lower()} as PDF", str(suggested), PDF_FILTER
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
            self.backend.mutate(letters.save_pdf, self.letter, path, force=True, make_folders=False)
        except Exception as exc:
            report(self, exc)
            return False
        LastFolder.remember(path.parent)
        self.status.setStyleSheet(DONE_STYLE)
        self.status.setText(f"Saved as {path} at {datetime.now():%H:%M}.")
        return True


def ask_stale(parent: QWidget | None, stale: letters.StaleQuote) -> letters.Source | None:
    """A saved quote that may be out of date: say why, and let the user choose the figures
    computed now (the default), this saved quote anyway, or nothing."""
    box = QMessageBox(
        QMessageBox.Icon.Question,
        "This saved quote may be out of date",
        f"Saved quote {stale.number} was made on {stale.made_on:%m/%d/%Y}. Since then:\n"
        + "\n".join(f"• {r.text}" for r in stale.reasons)
        + "\n\nPrint the figures computed now instead? (The saved quote prints with its date "
        "and “figures may have changed”.)",
        QMessageBox.StandardButton.Yes
        | QMessageBox.StandardButton.No
        | QMessageBox.StandardButton.Cancel,
        parent,
    )
    box.setObjectName("staleQuoteBox")
    box.button(QMessageBox.StandardButton.Yes).setText("Compute now")
    box.button(QMessageBox.StandardButton.No).setText("Print the saved quote anyway")
    box.setDefaultButton(QMessageBox.StandardButton.Yes)
    answer = box.exec()
    if answer == QMessageBox.StandardButton.Yes:
        return letters.NOW
    if answer == QMessageBox.StandardButton.No:
        return letters.Source(stale.quote_id, accept_stale=True)
    return None


def show_letter(
    parent: QWidget | None,
    backend: Backend,
    kind: str,
    patient_id: int,
    *,
    today: date,
    lang: str | None = None,
    case_id: int | None = None,
    source: letters.Source = letters.NOW,
) -> LetterPreview | None:
    """Open the preview (window-modal, without blocking); a patient with nothing to print is
    told why and nothing opens. A patient letter prints ``source``: by default the figures
    computed now; a saved quote that may be out of date asks first (:func:`ask_stale`)."""

    def make(chosen: letters.Source) -> LetterPreview:
        return LetterPreview(
            backend,
            kind,
            patient_id,
            today=today,
            lang=lang,
            case_id=case_id,
            parent=parent,
            source=chosen,
        )

    try:
        try:
            dialog = make(source)
        except letters.StaleQuote as stale:
            chosen = ask_stale(parent, stale)
            if chosen is None:
                return None
            dialog = make(chosen)
    except Exception as exc:
        report(parent, exc)
        return None
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


__all__ = [
    "LANG_KINDS",
    "LastFolder",
    "LetterPreview",
    "PrintJob",
    "language_text",
    "open_pdf",
    "patient_line",
    "print_documents",
    "ask_stale",
    "show_letter",
]
