"""Migration 0006: payers.appeal_days becomes an override (the old default 180 → NULL), and a
case keeps the window its denial letter states."""

from __future__ import annotations

import secrets
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from infudesk.store.engine import make_engine
from infudesk.store.migrate import HEAD, upgrade
from infudesk.store.models import Base


def test_0005_payers_upgrade_to_overrides(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    engine = make_engine(db, secrets.token_bytes(32))
    try:
        assert upgrade(engine, db, target="0005") is True
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO payers (id, name, plan_types, phone, fax, portal, notes, active,"
                    " appeal_days, created_at, updated_at, version) VALUES"
                    " (1, 'Prairie Family Medicaid', 'medicaid_managed_care', '', '', '', '', 1, 180,"
                    "  '2026-01-01 00:00:00', '2026-01-01 00:00:00', 1),"
                    " (2, 'Summit Health', 'commercial', '', '', '', '', 1, 90,"
                    "  '2026-01-01 00:00:00', '2026-01-01 00:00:00', 1)"
                )
            )
        assert upgrade(engine, db, backup_dir=tmp_path / "backups") is True
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == HEAD
            # 180 was the column default nobody could change: now "by plan type" (NULL);
            # 90 was set on purpose: kept as the payer's override
            rows = conn.exec_driver_sql("SELECT id, appeal_days FROM payers ORDER BY id").all()
            assert [tuple(r) for r in rows] == [(1, None), (2, 90)]
            cols = {r[1]: r for r in conn.exec_driver_sql("PRAGMA table_info(prior_auth_cases)")}
            assert cols["appeal_days"][3] == 0  # nullable
            # the models match the migrated schema
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
            assert diff == []
    finally:
        engine.dispose()
