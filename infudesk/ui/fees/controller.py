"""What the Fees and Assistance views decide, without Qt: amounts and sites as shown, the schedule
as CSV and a schedule file's text, program limits and the copay-card warning beside government
coverage."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from pathlib import Path

from infudesk.domain import coverage as dc
from infudesk.domain.fees import COLUMNS
from infudesk.domain.money import format_money, format_percent
from infudesk.domain.orders import SITE_LABELS
from infudesk.errors import UserError
from infudesk.services import assistance as asv
from infudesk.services import coverages as cvs
from infudesk.services import fees

EXPIRED_COLOR = "#b00020"


GOVERNMENT_RULE = (
    "Manufacturer copay cards cannot be used with Medicare, Medicaid or other government "
    "coverage (federal anti-kickback rules)."
)


def government_coverage(
    coverages: list[cvs.CoverageRecord], today: date
) -> list[cvs.CoverageRecord]:
    """The patient's current plans that are government coverage (Medicare, Medicaid…)."""
    return [
        c for c in coverages if c.state_on(today) == "active" and c.data.plan_type in dc.GOVERNMENT
    ]


def government_warning(
    coverages: list[cvs.CoverageRecord], programs: list[asv.ProgramRecord], today: date
) -> str:
    """The warning line for an active copay card beside government coverage ('' when none)."""
    government = government_coverage(coverages, today)
    cards = [p for p in programs if p.data.active and p.data.kind == "copay_card"]
    if not government or not cards:
        return ""
    names = ", ".join(f"“{p.data.name}”" for p in cards)
    several = len(cards) > 1
    return (
        f"⚠ Copay card{'s' if several else ''} {names} {'are' if several else 'is'} active, but "
        f"the patient has government coverage ({plans_text(government)}). {GOVERNMENT_RULE} "
        f"Make the card{'s' if several else ''} inactive; a foundation grant may help instead."
    )


def plans_text(plans: list[cvs.CoverageRecord]) -> str:
    """'Primary: Medicare (Original, Part B)'; the plan type added when the name hides it."""
    out = []
    for c in plans:
        kind = dc.PLAN_TYPE_LABELS.get(c.data.plan_type, c.data.plan_type)
        named = dc.names_its_type(c.label, c.data.plan_type)
        out.append(c.label if named else f"{c.label} ({kind})")
    return ", ".join(out)


def limits_text(d: asv.ProgramData) -> str:
    if d.kind == "copay_card":
        parts = [
            f"{format_money(d.per_visit_max)} per visit" if d.per_visit_max is not None else "",
            f"{format_money(d.annual_max)} per year" if d.annual_max is not None else "",
        ]
        text = " · ".join(p for p in parts if p) or "no limit given"
        if not d.counts_toward_accumulators:
            text += " · not counted toward deductible/OOP (accumulator)"
        return text
    if d.kind == "foundation_grant":
        return f"{format_money(d.balance, blank='$0.00')} balance left"
    return f"{format_percent(d.percent, blank='?')} off"


def used_text(d: asv.ProgramData) -> str:
    if d.kind != "copay_card":
        return "—"
    text = format_money(d.used)
    if d.annual_max is not None:
        text += f" ({format_money(max(d.annual_max - d.used, Decimal('0')))} left)"
    return text


def expires_text(d: asv.ProgramData, today: date) -> tuple[str, str | None]:
    if d.expires is None:
        return "—", None
    if d.expires < today:
        return f"Expired {d.expires:%m/%d/%Y}", EXPIRED_COLOR
    return f"{d.expires:%m/%d/%Y}", None


CENTER_LABEL = "Center (charges, self-pay)"


ANY_SITE = "Any site"


AMOUNTS = ("allowed", "charge", "self_pay")


NOT_IMPORTED = "Fee schedule not imported"


MAX_FILE_BYTES = 20_000_000


# -- plain helpers (no widgets) ---------------------------------------------------------------
def unit_text(value: Decimal | None, *, dollar: bool = True, thousands: bool = True) -> str:
    """92.5 → '$92.50'; 0.0125 → '$0.0125' (cents at least, never a rounded-off price)."""
    if value is None:
        return ""
    exponent = value.normalize().as_tuple().exponent
    places = min(4, max(2, -exponent)) if isinstance(exponent, int) else 2
    text = f"{value:,.{places}f}" if thousands else f"{value:.{places}f}"
    return f"${text}" if dollar else text


def payer_text(rec: fees.FeeRecord) -> str:
    return rec.row.payer if rec.payer_id is not None else CENTER_LABEL


def site_text(site: str) -> str:
    return SITE_LABELS.get(site, site) if site else ANY_SITE


def row_label(payer: str, site: str, code: str) -> str:
    """'Summit Health · Any site · J2350' (for messages)."""
    return f"{payer} · {site_text(site)} · {code}"


def schedule_csv(records: Iterable[fees.FeeRecord]) -> str:
    """The schedule as CSV text in the import format (columns payer,site,code,allowed,…)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for rec in records:
        r = rec.row
        writer.writerow(
            [
                r.payer if rec.payer_id is not None else "",
                r.site,
                r.code,
                *(unit_text(getattr(r, name), dollar=False, thousands=False) for name in AMOUNTS),
            ]
        )
    return out.getvalue()


def read_schedule_file(path: Path) -> str:
    """The text of a schedule file; UserError when it cannot be read or is not a CSV text."""
    name = path.name
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise UserError(
                f"{name} is too large to be a fee schedule. Choose the CSV file exported from "
                "your spreadsheet. Nothing was changed.",
                title=NOT_IMPORTED,
            )
        data = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise UserError(
            f"{name} could not be read ({reason}). Check that the file still exists and is not "
            "open in another program, then try again. Nothing was changed.",
            title=NOT_IMPORTED,
        ) from None
    if data.startswith(b"PK\x03\x04"):
        raise UserError(
            f"{name} is a spreadsheet workbook (or another zipped file), not a CSV file. In the "
            "spreadsheet choose File › Save As › CSV (comma delimited), then import that file. "
            "Nothing was changed.",
            title=NOT_IMPORTED,
        )
    not_text = UserError(
        f"{name} is not a CSV text file. Save the schedule from your spreadsheet as CSV "
        f"(comma delimited) with the columns {', '.join(COLUMNS)}, then import that file. "
        "Nothing was changed.",
        title=NOT_IMPORTED,
    )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise not_text from None
    if b"\x00" in data:
        raise not_text
    for encoding in ("utf-8-sig", "cp1252"):  # a spreadsheet on Windows may save "ANSI"
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if any(ord(ch) < 32 and ch not in "\t\r\n\f" for ch in text):
            raise not_text
        return text
    raise not_text
