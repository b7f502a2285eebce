"""A patient document previewed inside the app (from memory), printed through the system print
dialog or saved as a PDF where the user chooses; every print and save is recorded."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QComboBox, QLabel, QMessageBox, QWidget
from sqlalchemy.orm import Session

from infudesk.domain.patients import LANGUAGES, patient_shown_name
from infudesk.services import letters
from infudesk.services import patients as ps
from infudesk.ui.common.ops import Backend, report
from infudesk.ui.common.pdf_preview import (  # the PDF helpers, also imported from here
    LastFolder,
    PdfPreview,
    PreviewLook,
    PrintJob,
    open_pdf,
    print_documents,
    printer_target,
)
from infudesk.ui.common.screen import fit_to_screen

letter_language = letters.letter_language  # the service's rule: Spanish, else English

LANG_KINDS = frozenset({"cost-letter", "gfe"})  # the documents printed in English or Spanish
LANG_NAMES = {"en": "English", "es": "Spanish"}
LOOK = PreviewLook(
    view="letterView",
    status="letterStatus",
    print_button="printLetterButton",
    save_button="saveLetterButton",
    close_button="closeLetterButton",
    save_text="&Save as PDF…",
    print_shortcut="Ctrl+P",
    tooltips=True,
)


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


# -- the preview -----------------------------------------------------------------------------


class LetterPreview(PdfPreview):
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
        top = self.top
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
        self.add_view_and_buttons(LOOK)

    def _show(self, letter: letters.Letter) -> None:
        doc = self.set_pdf(letter.pdf)
        self.letter = letter
        pages = doc.pageCount()
        figures = (
            "figures computed today"
            if self.source.quote_id is None
            else "figures of a saved quote (its date is printed)"
        )
        self.say(
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

    # -- what the preview prints and saves -----------------------------------------------------
    def file_name(self) -> str:
        return self.letter.filename

    def noun(self) -> str:
        return letters.KINDS[self.kind].lower()

    def record_print(self, printer: QPrinter) -> None:
        self.backend.mutate(
            letters.record_output, self.letter, action="print", target=printer_target(printer)
        )

    def write_pdf(self, path: Path) -> bool:
        self.backend.mutate(letters.save_pdf, self.letter, path, force=True, make_folders=False)
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
