"""Migration 0013: every assistance program row moves into the directory and an enrollment
(same id) without losing what it said; visits get their status columns."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, MetaData, Table, insert, text
from sqlalchemy.types import Boolean, Date, DateTime, Integer, Numeric

from infudesk.store.engine import make_engine
from infudesk.store.migrate import HEAD, upgrade
from infudesk.store.models import Base

D = Decimal
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _fill(conn: Connection, table: str, **values: Any) -> None:
    """Insert a row, giving every NOT NULL column not named a plain value of its type."""
    t = Table(table, MetaData(), autoload_with=conn)
    row: dict[str, Any] = {}
    for c in t.columns:
        if c.name in values:
            row[c.name] = values[c.name]
        elif c.nullable or c.primary_key:
            continue
        elif isinstance(c.type, Boolean):
            row[c.name] = True
        elif isinstance(c.type, Integer | Numeric):
            row[c.name] = 1
        elif isinstance(c.type, DateTime):
            row[c.name] = NOW.replace(tzinfo=None)
        elif isinstance(c.type, Date):
            row[c.name] = date(1970, 1, 1)
        else:
            row[c.name] = "x"
    conn.execute(insert(t).values(**row))


OLD = (
    # id, patient, kind, name, per_visit, annual, used, counts, balance, expires, percent, active
    (
        3,
        1,
        "copay_card",
        "Entyvio Connect",
        D("500"),
        D("20000"),
        D("1250"),
        True,
        None,
        None,
        None,
        True,
    ),
    (
        4,
        2,
        "copay_card",
        "Entyvio Connect",
        D("500"),
        D("20000"),
        D("0"),
        True,
        None,
        None,
        None,
        True,
    ),
    (
        5,
        2,
        "foundation_grant",
        "Crohn's Fund",
        None,
        None,
        D("300"),
        True,
        D("2700"),
        date(2026, 9, 30),
        None,
        False,
    ),
    (7, 1, "discount", "Sliding scale", None, None, D("0"), False, None, None, D("0.5000"), True),
    (
        9,
        1,
        "copay_card",
        "Entyvio Connect",
        D("250"),
        D("20000"),
        D("0"),
        False,
        None,
        None,
        None,
        True,
    ),
)


def test_programs_move_into_directory_and_enrollments(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    engine = make_engine(db, secrets.token_bytes(32))
    try:
        assert upgrade(engine, db, target="0012") is True
        with engine.begin() as conn:
            for pid in (1, 2):
                _fill(conn, "patients", id=pid, mrn=f"M{pid}", first_name="A", last_name="B")
            _fill(conn, "payers", id=1, name="P")
            _fill(
                conn,
                "therapy_orders",
                id=1,
                patient_id=1,
                drug_name="x",
                drug_hcpcs="J1745",
                route="IV",
                diagnosis="K50.90",
                site_of_care="infusion_center",
            )
            _fill(conn, "planned_visits", id=1, order_id=1, on=date(2026, 3, 5), status="planned")
            for r in OLD:
                _fill(
                    conn,
                    "assistance_programs",
                    **dict(
                        zip(
                            (
                                "id",
                                "patient_id",
                                "kind",
                                "name",
                                "per_visit_max",
                                "annual_max",
                                "used",
                                "counts_toward_accumulators",
                                "balance",
                                "expires",
                                "percent",
                                "active",
                            ),
                            r,
                            strict=True,
                        )
                    ),
                    notes=f"note {r[0]}",
                    created_by="ana",
                    created_at=NOW.replace(tzinfo=None),
                )
        assert upgrade(engine, db, backup_dir=tmp_path / "backups") is True
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == HEAD
            rows = conn.execute(
                text(
                    "SELECT e.id, e.patient_id, d.kind, d.name, d.per_visit_max, d.annual_max,"
                    " e.used, d.counts_toward_accumulators, e.balance, e.expires, d.percent,"
                    " e.active, e.notes, e.created_by, e.status, d.id"
                    " FROM assistance_enrollments e JOIN assistance_directory d"
                    " ON d.id = e.program_id ORDER BY e.id"
                )
            ).all()
            got = [
                (
                    r[0],
                    r[1],
                    r[2],
                    r[3],
                    None if r[4] is None else D(str(r[4])),
                    None if r[5] is None else D(str(r[5])),
                    D(str(r[6])),
                    bool(r[7]),
                    None if r[8] is None else D(str(r[8])),
                    None if r[9] is None else date.fromisoformat(str(r[9])),
                    None if r[10] is None else D(str(r[10])),
                    bool(r[11]),
                )
                for r in rows
            ]
            assert got == list(OLD)  # every field of every row, same ids
            assert [r[12] for r in rows] == [f"note {r[0]}" for r in OLD]
            assert {r[13] for r in rows} == {"ana"}
            assert {r[14] for r in rows} == {"approved"}
            # equal rules share one directory entry; other limits get their own
            directory = {r[0]: r[15] for r in rows}
            assert directory[3] == directory[4]
            assert len(set(directory.values())) == 4
            assert conn.exec_driver_sql(
                "SELECT status, status_by, reason FROM planned_visits"
            ).one() == ("planned", "", "")
            tables = {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master")}
            assert "assistance_programs" not in tables
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
            assert diff == []
    finally:
        engine.dispose()
