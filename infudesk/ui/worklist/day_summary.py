"""The start-of-day summary: a one-page PDF of a day's visits, made on a worker thread, shown
as it will print, printed or saved (the letters' preview, print and save path)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QDateEdit, QLabel, QWidget
from sqlalchemy.orm import Session

from infudesk.services import audit, outputs
from infudesk.services import worklist as wls
from infudesk.services.audit import Actor
from infudesk.ui.common.ops import Backend, Latest, report, run_change
from infudesk.ui.common.pdf_preview import PdfPreview, PreviewLook, printer_target

LOOK = PreviewLook(
    view="summaryView",
    status="summaryStatus",
    print_button="printSummaryButton",
    save_button="saveSummaryButton",
    close_button="closeSummaryButton",
    page_mode=QPdfView.PageMode.SinglePage,
    zoom_mode=QPdfView.ZoomMode.FitInView,
)


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


def record_summary_print(session: Session, actor: Actor, day: date, target: str) -> None:
    """A printed summary (the day's patients by name: protected health information) is kept
    in the audit trail as a saved one is: what, by whom, when and where to (as a letter's print)."""
    audit.record(
        session,
        actor,
        "print",
        "document",
        None,
        detail={"kind": "day-summary", "day": day.isoformat(), "file": Path(target).name},
    )


class DaySummaryDialog(PdfPreview):
    """Signals: none. ``ready`` is True once the PDF is shown."""

    def __init__(
        self, backend: Backend, day: date, parent: QWidget | None = None, *, note: str = ""
    ) -> None:
        super().__init__(parent)
        self.setObjectName("daySummaryDialog")
        self.setWindowTitle("Start-of-day summary")
        self.backend = backend
        self.day = day
        self.pdf: bytes | None = None
        self.latest = Latest()
        self.top.addWidget(QLabel("<b>Start-of-day summary</b> for"))
        self.date_edit = QDateEdit(QDate(day.year, day.month, day.day))
        self.date_edit.setObjectName("summaryDate")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("ddd MM/dd/yyyy")
        self.top.addWidget(self.date_edit)
        self.note = QLabel(note)  # why the summary opened on another day than today
        self.note.setObjectName("summaryNote")
        self.note.setStyleSheet("color: #555;")
        self.note.setVisible(bool(note))
        self.top.addWidget(self.note)
        self.top.addStretch(1)
        self.add_view_and_buttons(LOOK)
        self.date_edit.dateChanged.connect(self._day_chosen)
        self.resize(760, 700)  # fits a 1366x768 screen with its task bar (728 px)
        self.load(day)

    @property
    def ready(self) -> bool:
        return self.document is not None and not self.latest.busy

    def _day_chosen(self, d: QDate) -> None:
        self.note.hide()  # the user chose the day
        self.load(date(d.year(), d.month(), d.day()))

    def load(self, day: date) -> None:
        self.day = day
        self.print_button.setEnabled(False)
        self.save_button.setEnabled(False)
        self.say("Preparing the summary…")
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
            self.set_pdf(pdf)
        except Exception as exc:
            self._failed(exc)
            return
        self.pdf = pdf
        self.print_button.setEnabled(True)
        self.save_button.setEnabled(True)
        self.status.setText(f"{self.day:%A %m/%d/%Y} · {filename(self.day)}")

    # -- what the preview prints and saves -----------------------------------------------------
    def file_name(self) -> str:
        return filename(self.day)

    def noun(self) -> str:
        return "the day summary"

    def record_print(self, printer: QPrinter) -> None:
        self.backend.mutate(record_summary_print, self.day, printer_target(printer))

    def write_pdf(self, path: Path) -> bool:
        pdf, day = self.pdf, self.day
        if pdf is None:
            return False
        self.backend.mutate(save_summary, pdf, day, path)
        return True


__all__ = ["DaySummaryDialog", "record_summary_print", "save_summary"]
