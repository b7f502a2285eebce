"""Bring a database to the newest schema, safely: backup first, foreign keys checked after."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from infudesk.errors import DatabaseOpenError

log = logging.getLogger(__name__)
MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, db_path: Path, target: str = "head", backup_dir: Path | None = None) -> bool:
    """Apply pending migrations; True if any ran. Refuses a database from a newer infudesk."""
    cfg = alembic_config()
    script = ScriptDirectory.from_config(cfg)
    with engine.connect() as conn:
        current = current_revision(conn)
        conn.rollback()
        known = {rev.revision for rev in script.walk_revisions()}
        if current is not None and current not in known:
            raise DatabaseOpenError(
                f"The database {db_path} was written by a newer version of infudesk "
                f"(schema {current}). Install the newer version; this one will not touch the file."
            )
        wanted = script.get_current_head() if target == "head" else target
        if current == wanted:
            return False
        if current is not None and backup_dir is not None:
            from infudesk.store.backup import copy_database

            dest = copy_database(conn, db_path, backup_dir, f"before-migration-from-{current}")
            log.info("backed up the database before migrating (%s)", dest.name)
        # Foreign keys off outside any transaction: SQLite ignores the pragma inside one, and
        # batch migrations (copy table, drop, rename) would otherwise cascade-delete children.
        conn.exec_driver_sql("PRAGMA foreign_keys = OFF")
        conn.commit()
        try:
            with conn.begin():
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, target)
                problems = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if problems:
                    tables = sorted({row[0] for row in problems})
                    raise DatabaseOpenError(
                        f"Updating the database {db_path} would break links between records "
                        f"(in {', '.join(tables)}). Nothing was changed; please report this."
                    )
        finally:
            conn.exec_driver_sql("PRAGMA foreign_keys = ON")
            conn.commit()
        log.info("database migrated from %s to %s", current, wanted)
        return True
