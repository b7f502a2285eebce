"""`infudesk migrate-to`: copy the local encrypted database into an empty PostgreSQL database.

The local database is only read (it stays as it was, the app's lock held so nothing writes
meanwhile). On the server: the schema is made by the same migrations, then every table is
copied in dependency order inside ONE transaction, the id sequences are set past the copied
ids, the audit chain is verified with the local audit key, and every table's row count and
checksum are compared with the local ones before the commit: a difference leaves the server
database as empty as it was. The server database gets the local store id, audit key and
recovery key, so the copied audit trail verifies there and the printed recovery sheet stays
valid.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine, Table, func, inspect, select, update

from infudesk.errors import UserError
from infudesk.paths import DataPaths
from infudesk.services import audit
from infudesk.services.audit import Actor
from infudesk.services.backup import ensure_recovery_key
from infudesk.store import auditchain, keys, migrate
from infudesk.store.database import open_server_store, open_store
from infudesk.store.models import Base, StoreState
from infudesk.store.server import (
    ServerTarget,
    advance_sequences,
    claim_identity,
    make_server_engine,
)

log = logging.getLogger(__name__)

BATCH = 2000
# not copied: the schema version (made by the migrations) and the identity row (claimed anew)
# the source's own books, and the worklist it kept (built at the source's change counter)
SKIPPED = {"alembic_version", "store_state", "change_log", "worklist_snapshot"}
Progress = Callable[[str, int, int], None]  # table, rows done, rows in it


class MigrateError(UserError):
    title = "Copy to the server"


@dataclass
class TableCopy:
    name: str
    rows: int
    checksum: str


@dataclass
class MigrateReport:
    target: str
    tables: list[TableCopy] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)


def tables() -> list[Table]:
    """Every data table, parents before children."""
    return [t for t in Base.metadata.sorted_tables if t.name not in SKIPPED]


def _self_refs(table: Table) -> list[str]:
    """Columns that point into their own table (copied NULL first, set after)."""
    return [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]


def _canon(value: Any) -> str:
    if value is None:
        return "\x00"
    if isinstance(value, bytes):
        return hashlib.sha256(value).hexdigest()
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date | Decimal | bool | int | str):
        return repr(value)
    return repr(value)


def _ordered(table: Table) -> Any:
    return select(table).order_by(*table.primary_key.columns)


def _batches(conn: Connection, table: Table) -> Iterator[list[Mapping[str, Any]]]:
    result = conn.execute(_ordered(table), execution_options={"yield_per": BATCH})
    for part in result.mappings().partitions(BATCH):
        yield [dict(r) for r in part]


def table_checksum(conn: Connection, table: Table) -> TableCopy:
    """Row count and SHA-256 of every row's values (in key order, as Python values: the
    same on both engines)."""
    digest = hashlib.sha256()
    n = 0
    names = [c.name for c in table.columns]
    for rows in _batches(conn, table):
        for row in rows:
            n += 1
            digest.update("\x1f".join(_canon(row[c]) for c in names).encode("utf-8"))
            digest.update(b"\x1e")
    return TableCopy(table.name, n, digest.hexdigest())


def checksums(conn: Connection) -> dict[str, TableCopy]:
    return {t.name: table_checksum(conn, t) for t in tables()}


def server_is_empty(conn: Connection) -> str | None:
    """Why the server database is not empty enough to copy into (None if it is): it may
    have no tables, or infudesk's schema with no rows and no identity yet."""
    names = set(inspect(conn).get_table_names())
    if not names:
        return None
    if "alembic_version" not in names:
        return f"it holds {len(names)} tables that are not infudesk's"
    if migrate.current_revision(conn) != migrate.HEAD:
        return "it holds an infudesk database of another version"
    if conn.scalar(select(StoreState.store_id).where(StoreState.id == 1)):
        return "it already holds an infudesk database"
    for t in tables():
        if conn.scalar(select(func.count()).select_from(t)):
            return f"its table {t.name} has rows"
    return None


def copy_rows(src: Connection, dst: Connection, progress: Progress | None = None) -> None:
    """Every data table from ``src`` into ``dst`` (same schema), parents first."""
    for t in tables():
        total = int(src.scalar(select(func.count()).select_from(t)) or 0)
        refs = _self_refs(t)
        done = 0
        later: list[dict[str, Any]] = []
        for rows in _batches(src, t):
            if refs:
                pk = t.primary_key.columns.keys()[0]
                for r in rows:
                    if any(r[c] is not None for c in refs):
                        later.append({"_id": r[pk], **{c: r[c] for c in refs}})
                rows = [{**r, **dict.fromkeys(refs)} for r in rows]
            dst.execute(t.insert(), rows)
            done += len(rows)
            if progress is not None:
                progress(t.name, done, total)
        for item in later:
            pk_col = t.primary_key.columns.values()[0]
            values = {c: item[c] for c in refs}
            dst.execute(update(t).where(pk_col == item["_id"]).values(**values))
        if progress is not None and total == 0:
            progress(t.name, 0, 0)


def compare(local: Mapping[str, TableCopy], remote: Mapping[str, TableCopy]) -> list[str]:
    problems = []
    for name, mine in local.items():
        theirs = remote.get(name)
        if theirs is None:
            problems.append(f"{name}: missing on the server")
        elif theirs.rows != mine.rows:
            problems.append(f"{name}: {mine.rows} rows here, {theirs.rows} on the server")
        elif theirs.checksum != mine.checksum:
            problems.append(f"{name}: same number of rows, different contents")
    return problems


def migrate_to(
    paths: DataPaths,
    target: ServerTarget,
    *,
    password: str | None = None,
    actor: Actor | None = None,
    progress: Progress | None = None,
) -> MigrateReport:
    """Copy the local database in ``paths`` into the empty server database ``target``."""
    local = open_store(paths, create=False, exclusive=True, upgrade=False)
    try:
        with local.engine.connect() as lconn:
            current = migrate.current_revision(lconn)
            lconn.rollback()
        if current != migrate.HEAD:
            raise MigrateError(
                f"The database {paths.db} is at schema {current}: open it once with this "
                "version of infudesk (it is then updated), then copy it."
            )
        store_id = keys.read_store_id(paths)
        audit_key = keys.audit_key(paths, create=False)
        recovery_text, _made = ensure_recovery_key(paths)
        engine = make_server_engine(target, password)
        try:
            report = copy_database(
                local.engine,
                engine,
                target,
                store_id=store_id,
                audit_key=audit_key,
                recovery_text=recovery_text,
                progress=progress,
            )
        finally:
            engine.dispose()
    finally:
        local.close()
    server = open_server_store(paths, target, create=False, password=password)
    try:
        with server.session() as s:
            audit.record(
                s,
                actor or Actor.system("migrate-to"),
                "migrate-to",
                "database",
                None,
                detail={"tables": len(report.tables), "rows": report.rows},
            )
    finally:
        server.close()
    log.info("copied the local database to a server (%d rows)", report.rows)
    return report


def copy_database(
    local: Engine,
    remote: Engine,
    target: ServerTarget,
    *,
    store_id: str,
    audit_key: bytes,
    recovery_text: str,
    progress: Progress | None = None,
) -> MigrateReport:
    """Copy every row of ``local`` (at HEAD) into the empty server database, verified."""
    with remote.connect() as rconn:
        why = server_is_empty(rconn)
        rconn.rollback()
    if why is not None:
        raise MigrateError(
            f"The database {target.label} is not empty ({why}). migrate-to copies only into "
            "an empty database: ask the server's administrator for a new one. Nothing was "
            "changed on either side."
        )
    migrate.upgrade(remote, target.label)
    report = MigrateReport(target.label)
    # one read transaction here (a consistent copy), one write transaction there
    with local.connect() as lconn, remote.connect() as rconn, lconn.begin(), rconn.begin():
        if server_is_empty(rconn) is not None:  # someone else got there first
            raise MigrateError(f"The database {target.label} filled up meanwhile.")
        copy_rows(lconn, rconn, progress)
        advance_sequences(rconn, tables())
        mine = checksums(lconn)
        theirs = checksums(rconn)
        problems = compare(mine, theirs)
        if problems:
            raise MigrateError(
                "The copy on the server does not match the local database ("
                + "; ".join(problems[:5])
                + "). Nothing was kept on the server; the local database is unchanged."
            )
        chain = auditchain.verify(rconn, audit_key)
        local_chain = auditchain.verify(lconn, audit_key)
        if chain != local_chain:
            raise MigrateError(
                "The audit trail does not verify on the server ("
                + (chain[0] if chain else "differs")
                + "). Nothing was kept on the server."
            )
        claim_identity(rconn, store_id=store_id, audit_key=audit_key, recovery_text=recovery_text)
        report.tables = list(mine.values())
    return report
