"""The fee schedule in the database: read, edit a row, import a CSV (all or nothing)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from infudesk.domain.fees import FeeRow, check_unit_price, parse_fee_csv
from infudesk.domain.orders import SITE_LABELS
from infudesk.domain.validation import check_procedure_code
from infudesk.errors import UserError, ValidationFailed
from infudesk.services import audit
from infudesk.services.access import Permission, require
from infudesk.services.audit import Actor
from infudesk.services.payers import payer_by_name
from infudesk.store.models import FeeScheduleRow, Payer


@dataclass(frozen=True)
class FeeRecord:
    id: int
    payer_id: int | None
    row: FeeRow


def all_rows(session: Session) -> list[FeeRecord]:
    stmt = (
        select(FeeScheduleRow, Payer.name)
        .outerjoin(Payer, Payer.id == FeeScheduleRow.payer_id)
        .order_by(func.coalesce(Payer.name, ""), FeeScheduleRow.code, FeeScheduleRow.site)
    )
    return [
        FeeRecord(
            r.id, r.payer_id, FeeRow(name or "", r.site, r.code, r.allowed, r.charge, r.self_pay)
        )
        for r, name in session.execute(stmt)
    ]


def rows(session: Session) -> list[FeeRow]:
    return [rec.row for rec in all_rows(session)]


def save_row(
    session: Session,
    actor: Actor,
    *,
    payer_id: int | None,
    site: str,
    code: str,
    allowed: Decimal | None,
    charge: Decimal | None,
    self_pay: Decimal | None,
) -> None:
    """Add or change the row for (payer, site, code)."""
    require(actor, Permission.FEES)
    errors: dict[str, str] = {}
    code = code.strip().upper()
    if check_procedure_code(code):
        errors["code"] = "Enter a CPT code (e.g. 96365) or a HCPCS code (e.g. J1745)."
    if site and site not in SITE_LABELS:
        errors["site"] = "Choose a site of care, or any site."
    for name, value in (("allowed", allowed), ("charge", charge), ("self_pay", self_pay)):
        if value is not None:
            _, problem = check_unit_price(f"{value:f}")  # the same rule as a form or a file
            if problem:
                errors[name] = problem
    if payer_id is not None and allowed is None:
        errors["allowed"] = "A payer's row needs the allowed amount per unit."
    if payer_id is None and charge is None and self_pay is None:
        errors["charge"] = "The center's row needs the billed charge or the self-pay price."
    if errors:
        raise ValidationFailed(errors)
    row = session.scalar(
        select(FeeScheduleRow).where(
            FeeScheduleRow.payer_id.is_(None)
            if payer_id is None
            else FeeScheduleRow.payer_id == payer_id,
            FeeScheduleRow.site == site,
            FeeScheduleRow.code == code,
        )
    )
    if row is None:
        row = FeeScheduleRow(payer_id=payer_id, site=site, code=code)
        session.add(row)
    row.allowed, row.charge, row.self_pay = allowed, charge, self_pay
    row.updated_by = actor.name
    session.flush()
    audit.record(session, actor, "fee", "fee_schedule", row.id, detail={"code": code})


def delete_row(session: Session, actor: Actor, row_id: int) -> None:
    require(actor, Permission.FEES)
    session.execute(delete(FeeScheduleRow).where(FeeScheduleRow.id == row_id))
    audit.record(session, actor, "delete", "fee_schedule", row_id)


def import_csv(session: Session, actor: Actor, text: str) -> int:
    """Replace the whole schedule with the file's rows; nothing changes if any row is wrong."""
    require(actor, Permission.FEES)
    try:
        parsed = parse_fee_csv(text)
    except ValueError as exc:
        raise UserError(
            f"The fee schedule was not imported: {exc} Nothing was changed.",
            title="Fee schedule not imported",
        ) from exc
    payer_ids: dict[str, int] = {}
    for row in parsed:
        if row.payer and row.payer.casefold() not in payer_ids:
            try:
                payer_ids[row.payer.casefold()] = payer_by_name(session, row.payer).id
            except UserError:
                raise UserError(
                    f"The fee schedule was not imported: line {row.line} names the payer “{row.payer}”, "
                    "which is not in the payer directory. Add the payer first (Payers screen) "
                    "or correct the name. Nothing was changed.",
                    title="Fee schedule not imported",
                ) from None
    session.execute(delete(FeeScheduleRow))
    for row in parsed:
        session.add(
            FeeScheduleRow(
                payer_id=payer_ids[row.payer.casefold()] if row.payer else None,
                site=row.site,
                code=row.code,
                allowed=row.allowed,
                charge=row.charge,
                self_pay=row.self_pay,
                updated_by=actor.name,
            )
        )
    session.flush()
    audit.record(session, actor, "import", "fee_schedule", None, detail={"rows": len(parsed)})
    return len(parsed)


def ensure_sample(session: Session, actor: Actor, path: Path) -> int:
    """A new database starts with the shipped sample schedule (only if it has none)."""
    require(actor, Permission.FEES)
    if session.scalar(select(func.count()).select_from(FeeScheduleRow)):
        return 0
    return import_csv(session, actor, path.read_text(encoding="utf-8"))
