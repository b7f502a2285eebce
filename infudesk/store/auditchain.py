"""The audit trail's chain: every entry bound to the one before it by a keyed hash.

Entry n stores ``seq = n`` and ``chain_hash = HMAC-SHA256(audit key, message)`` where the
message is the canonical JSON of ``[previous chain_hash, seq, id, at, actor, workstation,
action, entity, entity_id, patient_id, detail]`` (compact separators, UTF-8; ``at`` as the
stored text, e.g. "2026-11-27 14:03:09.123456" in UTC; the first entry's previous hash is 64
zeros).
The single ``audit_chain_tail`` row holds the newest entry's sequence, id and hash, with its own
keyed hash, so that deleting the newest entries shows too.

Entries are chained when they are flushed, after their INSERT: by then this transaction holds
SQLite's write lock, so two writers can never chain from the same tail. On PostgreSQL several
workstations write at once: a transaction takes the writers' lock (store/writers.py, held to
its commit) before its first write, so entries are chained one transaction at a time and in
id order. New entries chain from
the tail row (not from whatever row is last), so a deleted newest entry stays visible even
after later writes.

What it proves, and its limit: without the audit key (keychain entry beside the database key),
an edited, deleted, inserted or reordered entry is found by ``verify``. Someone who has both the
database key and an older copy of this same database can put the older file back whole (or
copy its tail row back after deleting the newest entries): that rollback is not detectable from
inside the file. The keychain holds only the key, not the tail: writing the keychain on every
save would cost a keychain round trip per save.

This module is the mechanism (store layer); services/audit.py says who writes what.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple, cast

from sqlalchemy import Connection, Row, Table, event, insert, select
from sqlalchemy.orm import Session, attributes

from infudesk.store import openlog, writers
from infudesk.store.models import AuditChainTail, AuditEvent

log = logging.getLogger(__name__)

GENESIS = "0" * 64
TAIL_ID = 1
EVENTS = cast(Table, AuditEvent.__table__)
TAIL = cast(Table, AuditChainTail.__table__)


class AuditKeyMissing(RuntimeError):
    """A session that writes audit entries without the audit key (not opened by open_store)."""


class Entry(NamedTuple):
    """One audit_events row as stored (``at`` is the stored text, e.g.
    '2026-11-27 14:03:09.123456', UTC)."""

    id: int
    seq: int | None
    chain_hash: str | None
    at: str
    actor: str
    workstation: str
    action: str
    entity: str
    entity_id: int | None
    patient_id: int | None
    detail: str


_SELECT = (
    "SELECT id, seq, chain_hash, at, actor, workstation, action, entity, entity_id, "
    "patient_id, detail FROM audit_events"
)


STORED_AT = "%Y-%m-%d %H:%M:%S.%f"  # how SQLite keeps a timestamp; the chain hashes this text


class _Cursor:
    """The driver's own cursor on this connection and transaction: the chain runs a few
    fixed statements per save, cheaper without SQLAlchemy's statement machinery. Statements
    are written with ``?``; on a driver that wants ``%s`` (psycopg) they are translated."""

    def __init__(self, conn: Connection) -> None:
        self._cur = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        self._qmark = conn.dialect.paramstyle == "qmark"

    def _sql(self, sql: str) -> str:
        return sql if self._qmark else sql.replace("?", "%s")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self._cur.execute(self._sql(sql), tuple(params))

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self._cur.executemany(self._sql(sql), rows)

    def fetchone(self) -> Any:
        return self._cur.fetchone()

    def fetchall(self) -> list[Any]:
        return list(self._cur.fetchall())

    def close(self) -> None:
        self._cur.close()


def _cursor(conn: Connection) -> _Cursor:
    return _Cursor(conn)


def serialize_writers(conn: Connection) -> None:
    """On a server, wait for other workstations' writes to commit (store/writers.py)."""
    writers.lock_connection(conn)


def _stored_at(value: Any) -> str:
    """``at`` as the text the chain hashes: SQLite hands back its stored text; PostgreSQL a
    (naive, UTC) datetime, written the same way."""
    if isinstance(value, datetime):
        return value.strftime(STORED_AT)
    return str(value)


def _entries(cur: _Cursor, where: str, params: Sequence[Any] = ()) -> list[Entry]:
    cur.execute(f"{_SELECT} {where}", tuple(params))
    return [Entry(r[0], r[1], r[2], _stored_at(r[3]), *r[4:]) for r in cur.fetchall()]


def entry_mac(key: bytes, prev_hash: str, seq: int, row: Entry) -> str:
    """The keyed hash of one entry."""
    message = [
        prev_hash,
        seq,
        row.id,
        str(row.at),
        row.actor,
        row.workstation,
        row.action,
        row.entity,
        row.entity_id,
        row.patient_id,
        row.detail,
    ]
    data = json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return hmac.new(key, data, hashlib.sha256).hexdigest()


def tail_mac(key: bytes, seq: int, last_id: int, last_hash: str) -> str:
    data = json.dumps(["tail", seq, last_id, last_hash], separators=(",", ":")).encode("ascii")
    return hmac.new(key, data, hashlib.sha256).hexdigest()


def _tail(conn: Connection) -> Row[Any] | None:
    return conn.execute(select(TAIL).where(TAIL.c.id == TAIL_ID)).one_or_none()


def _chain(
    conn: Connection, key: bytes, ids: Sequence[int], head: tuple[int, str], *, has_tail: bool
) -> list[tuple[int, int, str]]:
    """Chain the entries ``ids`` (in id order) after ``head`` (seq, hash); (id, seq, hash)."""
    if not ids:
        return []
    prev_seq, prev_hash = head
    cur = _cursor(conn)
    try:
        marks = ",".join("?" * len(ids))
        done: list[tuple[int, int, str]] = []
        for row in _entries(cur, f"WHERE id IN ({marks}) ORDER BY id", ids):
            prev_seq += 1
            prev_hash = entry_mac(key, prev_hash, prev_seq, row)
            done.append((row.id, prev_seq, prev_hash))
        cur.executemany(
            "UPDATE audit_events SET seq = ?, chain_hash = ? WHERE id = ?",
            [(q, h, i) for i, q, h in done],
        )
        last_id = done[-1][0]
        values = (prev_seq, last_id, prev_hash, tail_mac(key, prev_seq, last_id, prev_hash))
        if has_tail:
            cur.execute(
                "UPDATE audit_chain_tail SET seq = ?, last_id = ?, last_hash = ?, mac = ? "
                "WHERE id = ?",
                (*values, TAIL_ID),
            )
        else:
            cur.execute(
                "INSERT INTO audit_chain_tail (seq, last_id, last_hash, mac, id) "
                "VALUES (?, ?, ?, ?, ?)",
                (*values, TAIL_ID),
            )
    finally:
        cur.close()
    return done


def _add(conn: Connection, **values: Any) -> int:
    values.setdefault("at", datetime.now(UTC))
    values.setdefault("entity_id", None)
    values.setdefault("patient_id", None)
    result = conn.execute(insert(EVENTS).values(**values))
    pk = result.inserted_primary_key
    assert pk is not None
    return int(pk[0])


def _marker(conn: Connection, action: str, workstation: str, detail: dict[str, Any]) -> int:
    return _add(
        conn,
        actor="system:infudesk",
        workstation=workstation[:100],
        action=action,
        entity="audit",
        detail=json.dumps(detail, sort_keys=True),
    )


def append(
    conn: Connection, key: bytes, ids: Sequence[int], *, workstation: str
) -> list[tuple[int, int, str]]:
    """Chain the new entries ``ids`` (already inserted, in this transaction).

    The chain continues from the tail row. With no tail row: on a database whose entries
    are not chained yet (new, or just upgraded to 0009) the chain starts — every earlier entry
    in id order, the new ones, then an ``audit / chain-start`` entry saying which entries were
    written before the chain existed. If chained entries exist but the tail row is gone, the
    chain goes on from the last chained entry and an ``audit / tail-rebuilt`` entry says so
    (``verify`` reports it: the newest entries before it may have been deleted).
    """
    cur = _cursor(conn)
    try:
        cur.execute("SELECT seq, last_hash FROM audit_chain_tail WHERE id = ?", (TAIL_ID,))
        head = cur.fetchone()
    finally:
        cur.close()
    if head is not None:
        return _chain(conn, key, ids, (head[0], head[1]), has_tail=True)
    last = conn.execute(
        select(EVENTS.c.seq, EVENTS.c.chain_hash, EVENTS.c.id)
        .where(EVENTS.c.seq.is_not(None))
        .order_by(EVENTS.c.seq.desc())
        .limit(1)
    ).one_or_none()
    if last is not None:
        marker = _marker(conn, "tail-rebuilt", workstation, {"after_id": last.id})
        return _chain(conn, key, [*ids, marker], (last.seq, last.chain_hash), has_tail=False)
    new = set(ids)
    legacy = [
        i
        for i in conn.scalars(
            select(EVENTS.c.id).where(EVENTS.c.chain_hash.is_(None)).order_by(EVENTS.c.id)
        )
        if i not in new
    ]
    detail = {"earlier_entries": len(legacy), "earlier_through_id": legacy[-1] if legacy else None}
    marker = _marker(conn, "chain-start", workstation, detail)
    return _chain(conn, key, [*legacy, *ids, marker], (0, GENESIS), has_tail=False)


def start(conn: Connection, key: bytes, *, workstation: str) -> bool:
    """At open: start the chain if it has not started (see ``append``). True if it did."""
    if _tail(conn) is not None:
        return False
    serialize_writers(conn)
    if _tail(conn) is not None:  # another workstation started it meanwhile
        return False
    append(conn, key, [], workstation=workstation)
    return True


def take_failed_opens(conn: Connection, key: bytes, path: Path, *, workstation: str) -> int:
    """Move the failed opens noted in ``path`` into the trail (call, commit, then clear)."""
    serialize_writers(conn)
    ids = []
    for item in openlog.read_pending(path):
        try:
            at = datetime.fromisoformat(str(item.get("at")))
        except ValueError:
            at = datetime.now(UTC)
        if at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
        ids.append(
            _add(
                conn,
                at=at,
                actor=str(item.get("user", "unknown"))[:100],
                workstation=str(item.get("workstation", ""))[:100],
                action="open-failed",
                entity="database",
                detail=json.dumps({"reason": str(item.get("reason", ""))[:100]}, sort_keys=True),
            )
        )
    append(conn, key, ids, workstation=workstation)
    return len(ids)


# -- chaining what a session writes ----------------------------------------------------------


@event.listens_for(Session, "after_flush")
def _chain_flushed_entries(session: Session, _context: Any) -> None:
    new = [obj for obj in session.new if isinstance(obj, AuditEvent)]
    if not new:
        return
    key = session.info.get("audit_key")
    if not isinstance(key, bytes):
        raise AuditKeyMissing("audit entries can only be written through an open store")
    ids = sorted(e.id for e in new)
    done = append(session.connection(), key, ids, workstation=new[0].workstation or "")
    by_id = {row_id: (seq, digest) for row_id, seq, digest in done}
    for obj in new:
        seq, digest = by_id[obj.id]
        attributes.set_committed_value(obj, "seq", seq)
        attributes.set_committed_value(obj, "chain_hash", digest)


# -- verification ----------------------------------------------------------------------------


def _rows(conn: Connection, batch: int = 2000) -> Iterator[Entry]:
    last = -1
    while True:
        cur = _cursor(conn)
        try:
            chunk = _entries(cur, "WHERE id > ? ORDER BY id LIMIT ?", (last, batch))
        finally:
            cur.close()
        if not chunk:
            return
        yield from chunk
        last = chunk[-1].id


def verify(conn: Connection, key: bytes | None, *, max_problems: int = 20) -> list[str]:
    """Problems with the chain, first one first, each naming the audit id (empty if sound)."""
    if key is None:
        return ["the audit key is not available, so the audit trail cannot be verified"]
    problems: list[str] = []
    tail = _tail(conn)
    # the entry before (as stored) and the last entry that verified
    prev_seq, prev_hash = 0, GENESIS
    good_seq, good_hash, good_id = 0, GENESIS, None
    chained = 0
    for row in _rows(conn):
        if len(problems) >= max_problems:
            problems.append("… (more problems not listed)")
            return problems
        if row.chain_hash is None or row.seq is None:
            if tail is None:
                continue  # chain not started yet: all entries are from before it
            problems.append(f"audit id {row.id}: not part of the chain (inserted outside infudesk)")
            continue
        chained += 1
        ok = row.seq == prev_seq + 1 and entry_mac(key, prev_hash, row.seq, row) == row.chain_hash
        if not ok and (good_seq, good_hash) != (prev_seq, prev_hash):
            ok = (
                row.seq == good_seq + 1
                and entry_mac(key, good_hash, row.seq, row) == row.chain_hash
            )
        if ok:
            good_seq, good_hash, good_id = row.seq, row.chain_hash, row.id
            if row.entity == "audit" and row.action == "tail-rebuilt":
                problems.append(
                    f"audit id {row.id}: the chain's tail record had gone missing and was "
                    "rebuilt here; the newest entries before it may have been deleted"
                )
        elif row.seq > good_seq + 1:
            missing = row.seq - good_seq - 1
            after = f"after audit id {good_id}" if good_id is not None else "at the start"
            problems.append(
                f"audit id {row.id}: {missing} entr{'y' if missing == 1 else 'ies'} {after} "
                "missing (deleted), or this entry was changed"
            )
        else:
            problems.append(
                f"audit id {row.id}: changed after it was written, or forged "
                "(its keyed hash does not match)"
            )
        prev_seq, prev_hash = row.seq, row.chain_hash
    if tail is None:
        if chained:
            problems.append("the audit chain's tail record is missing (deleted)")
        return problems
    if tail_mac(key, tail.seq, tail.last_id, tail.last_hash) != tail.mac:
        problems.append(
            "the audit chain's tail record was changed, or the audit key is not the one the "
            "trail was written with"
        )
    elif tail.seq > prev_seq:
        gone = tail.seq - prev_seq
        problems.append(
            f"audit id {tail.last_id}: the newest {gone} entr{'y' if gone == 1 else 'ies'} "
            f"(through audit id {tail.last_id}) missing (deleted)"
        )
    elif (tail.seq, tail.last_hash) != (prev_seq, prev_hash):
        problems.append(
            f"audit id {tail.last_id}: the end of the chain does not match its tail record"
        )
    return problems
