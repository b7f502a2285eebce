"""The recovery sheet: the recovery key on paper, for the manager to keep in a safe place."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from reportlab.lib.pagesizes import LETTER
from reportlab.lib.units import inch
from reportlab.pdfgen import canvas


@dataclass(frozen=True)
class RecoverySheet:
    center_name: str
    store_id: str
    recovery_key: str
    printed_on: date


STEPS = (
    "Keep this sheet in a locked place away from the computer (not in the same bag as a backup).",
    "infudesk backs up the database to the folder set in Settings > Backups, once a day on close.",
    "To restore on this or a new computer: install infudesk, then run",
    "    infudesk restore BACKUP-FILE.idbk",
    "(or Settings > Backups > Restore...) and type the recovery key above.",
    "Without this key a backup cannot be read by anyone, including your administrator.",
    "If this sheet is lost or seen by someone else, print a new sheet and tell your administrator.",
)


def build(sheet: RecoverySheet) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=LETTER, pageCompression=0)
    c.setTitle("infudesk recovery sheet")
    width, height = LETTER
    y = height - inch
    c.setFont("Helvetica-Bold", 18)
    c.drawString(inch, y, "infudesk recovery sheet")
    y -= 0.35 * inch
    c.setFont("Helvetica", 11)
    c.drawString(inch, y, sheet.center_name)
    y -= 0.25 * inch
    c.drawString(inch, y, f"Database {sheet.store_id}   printed {sheet.printed_on.isoformat()}")
    y -= 0.6 * inch
    c.setFont("Helvetica-Bold", 12)
    c.drawString(inch, y, "Recovery key")
    y -= 0.45 * inch
    c.setFont("Courier-Bold", 22)
    c.drawString(inch, y, sheet.recovery_key)
    c.rect(inch - 8, y - 12, width - 2 * inch + 16, 40)
    y -= 0.8 * inch
    c.setFont("Helvetica", 11)
    for line in STEPS:
        c.drawString(inch, y, line)
        y -= 0.26 * inch
    c.showPage()
    c.save()
    return buf.getvalue()
