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
HEAD = "0015"  # the newest revision in migrations/versions (a test keeps them in step)


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


def needs_upgrade(engine: Engine) -> bool:
    """True if the database is not at ``HEAD`` (new, older, or from a newer infudesk)."""
    with engine.connect() as conn:
        current = current_revision(conn)
        conn.rollback()
    return current != HEAD


# two workstations starting a new version at once: the second waits, then finds it done
SERVER_LOCK = 160160012


def _upgrade_server(engine: Engine, where: str, target: str) -> bool:
    """PostgreSQL: DDL is transactional, so the whole upgrade is one transaction there too;
    an advisory lock serializes workstations that start a new version at the same moment.
    (No file copy first: the server's own backups cover it; PostgreSQL checks foreign keys
    on every statement.)"""
    from alembic import command
    from alembic.script import ScriptDirectory

    cfg = alembic_config()
    script = ScriptDirectory.from_config(cfg)
    known = {rev.revision for rev in script.walk_revisions()}
    wanted = script.get_current_head() if target == "head" else target
    with engine.connect() as conn:
        current = current_revision(conn)
        conn.rollback()
        if current == wanted:
            return False
        try:
            with conn.begin():
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": SERVER_LOCK})
                current = current_revision(conn)
                if current is not None and current not in known:
                    raise DatabaseOpenError(
                        f"The database {where} was written by a newer version of infudesk "
                        f"(schema {current}). Install the newer version on this workstation."
                    )
                if current == wanted:
                    return False
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, target)
        except DatabaseOpenError:
            raise
        except Exception as exc:
            log.error("migration from %s failed: %s", current, type(exc).__name__)
            raise DatabaseOpenError(
                f"Updating the database {where} to this version of infudesk failed "
                f"({type(exc).__name__}). Nothing was changed: the database is still at its "
                "previous version; please report this."
            ) from exc
    log.info("database migrated from %s to %s", current, wanted)
    return True


def upgrade(
    engine: Engine,
    db_path: Path | str,
    target: str = "head",
    backup_dir: Path | None = None,
) -> bool:
    """Apply pending migrations in ONE transaction; True if any ran.

    Before an existing database is changed, a copy is made with SQLite's backup API (with the
    same key) and verified; a failure anywhere leaves the database at its old revision and
    the message names that copy. Refuses a database from a newer infudesk.
    On a server (PostgreSQL) ``db_path`` is its label; see ``_upgrade_server``.
    """
    if engine.dialect.name != "sqlite":
        return _upgrade_server(engine, str(db_path), target)
    db_path = Path(db_path)
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
        raw = conn.connection.driver_connection
        assert raw is not None and not raw.in_transaction
        copy: Path | None = None
        if current is not None and backup_dir is not None:
            from infudesk.store.backup import copy_database
            from infudesk.store.engine import key_pragma_of

            copy = copy_database(
                raw, db_path, backup_dir, f"before-migration-from-{current}", key_pragma_of(engine)
            )
            log.info("verified copy made before migrating (%s)", copy.name)
        aside = f" A copy made before the update is in {copy}." if copy else ""
        # Foreign keys off outside any transaction: SQLite ignores the pragma inside one, and
        # batch migrations (copy table, drop, rename) would otherwise cascade-delete children.
        # The driver is in autocommit mode, so this runs outside a transaction.
        raw.execute("PRAGMA foreign_keys = OFF")
        try:
            with conn.begin():  # BEGIN (engine's "begin" hook) ... COMMIT: DDL included
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, target)
                problems = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if problems:
                    tables = sorted({row[0] for row in problems})
                    raise DatabaseOpenError(
                        f"Updating the database {db_path} would break links between records "
                        f"(in {', '.join(tables)}). Nothing was changed; please report this."
                        + aside
                    )
        except DatabaseOpenError:
            raise
        except Exception as exc:
            log.error("migration from %s failed: %s", current, type(exc).__name__)
            raise DatabaseOpenError(
                f"Updating the database {db_path} to this version of infudesk failed "
                f"({type(exc).__name__}). Nothing was changed: the database is still at its "
                "previous version; please report this." + aside
            ) from exc
        finally:
            if not raw.in_transaction:
                raw.execute("PRAGMA foreign_keys = ON")
        log.info("database migrated from %s to %s", current, wanted)
        return True
