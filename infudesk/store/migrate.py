"""Bring a database to the newest schema, safely: backup first, foreign keys checked after.

Alembic is imported only when a migration may be needed: a database already at ``HEAD``
opens without it (it costs about half a second of start-up).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text

from infudesk.errors import DatabaseOpenError

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)
MIGRATIONS_DIR = Path(__file__).with_name("migrations")
HEAD = "0011"  # the newest revision in migrations/versions (a test keeps them in step)


def alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(conn: Connection) -> str | None:
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(
    engine: Engine, db_path: Path, target: str = "head", backup_dir: Path | None = None
) -> bool:
    """Apply pending migrations; True if any ran. Refuses a database from a newer infudesk."""
    with engine.connect() as conn:
        current = current_revision(conn)
        conn.rollback()
        if target == "head" and current == HEAD:
            return False
        from alembic import command
        from alembic.script import ScriptDirectory

        cfg = alembic_config()
        script = ScriptDirectory.from_config(cfg)
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
