"""The audit trail is append-only and tamper-evident: every entry chained to the one before by
a keyed hash; an edited, deleted (in the middle or at the end) or inserted entry is named by
verify_chain; the chain starts on a database upgraded from before it; failed opens reach the
trail at the next open; entries say which workstation they came from."""

from __future__ import annotations

import json
import secrets
import socket
from datetime import date

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DBAPIError

from infudesk.domain.patients import PatientData
from infudesk.errors import DatabaseOpenError
from infudesk.paths import DataPaths
from infudesk.services import audit
from infudesk.services import patients as ps
from infudesk.services.audit import Actor
from infudesk.store import auditchain, keys
from infudesk.store.database import Store, open_store
from infudesk.store.engine import make_engine
from infudesk.store.migrate import upgrade
from infudesk.store.models import AuditEvent
from tests.conftest import MemoryKeyring

TODAY = date(2026, 11, 27)


def _add_patients(store: Store, actor: Actor, n: int) -> list[int]:
    ids = []
    with store.session() as s:
        for i in range(n):
            rec = ps.create_patient(
                s,
                actor,
                PatientData(
                    first_name=f"Chain{'a' * i}",
                    last_name=f"Trail{'b' * i}",
                    birth_date=date(1960, 1, 1 + i),
                ),
                today=TODAY,
                allow_look_alike=True,
            )
            ids.append(rec.id)
    return ids


def _problems(store: Store) -> list[str]:
    with store.session() as s:
        return audit.verify_chain(s)


def _ids(store: Store) -> list[int]:
    with store.session() as s:
        return list(s.scalars(select(AuditEvent.id).order_by(AuditEvent.id)))


def _as_attacker(engine: Engine, *sql: str) -> None:
    """What someone with the database key and a SQLCipher shell could do: drop the
    append-only triggers, then change the table directly."""
    on = " ON audit_events" if engine.dialect.name == "postgresql" else ""
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS audit_events_no_delete{on}")
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS audit_events_no_update{on}")
        for statement in sql:
            conn.exec_driver_sql(statement)


def test_a_sound_trail_verifies_and_every_entry_is_chained(store: Store, actor: Actor) -> None:
    _add_patients(store, actor, 4)
    assert _problems(store) == []
    with store.session() as s:
        rows = s.execute(
            select(AuditEvent.seq, AuditEvent.chain_hash, AuditEvent.action).order_by(AuditEvent.id)
        ).all()
    # a new database starts its chain at open; then one entry per created patient
    assert [r.action for r in rows] == ["chain-start", "create", "create", "create", "create"]
    assert [r.seq for r in rows] == [1, 2, 3, 4, 5]
    assert all(r.chain_hash and len(r.chain_hash) == 64 for r in rows)


def test_the_hash_is_the_documented_hmac(store: Store, actor: Actor) -> None:
    """Recompute entry 2 by hand: HMAC-SHA256(audit key, JSON [prev hash, seq, id, at, actor,
    workstation, action, entity, entity_id, patient_id, detail])."""
    import hashlib
    import hmac

    _add_patients(store, actor, 1)
    with store.session() as s:
        first, second = s.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    message = json.dumps(
        [
            first.chain_hash,
            2,
            second.id,
            second.at.strftime("%Y-%m-%d %H:%M:%S.%f"),  # as stored (naive UTC text)
            "test.clerk",
            socket.gethostname(),
            "create",
            "patient",
            second.entity_id,
            second.patient_id,
            second.detail,
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()
    assert store.audit_key is not None
    assert hmac.new(store.audit_key, message, hashlib.sha256).hexdigest() == second.chain_hash


def test_an_edited_entry_is_named(store: Store, actor: Actor) -> None:
    _add_patients(store, actor, 5)
    victim = _ids(store)[3]
    _as_attacker(
        store.engine, f"UPDATE audit_events SET actor = 'someone.else' WHERE id = {victim}"
    )
    problems = _problems(store)
    assert problems and problems[0].startswith(f"audit id {victim}:")
    assert "changed" in problems[0]
    assert len(problems) == 1  # the entries after it still verify


def test_an_edited_detail_or_time_is_named(store: Store, actor: Actor) -> None:
    _add_patients(store, actor, 3)
    ids = _ids(store)
    _as_attacker(
        store.engine,
        f"UPDATE audit_events SET at = '2020-01-01 00:00:00.000000' WHERE id = {ids[1]}",
        f"UPDATE audit_events SET detail = '{{}}' || detail WHERE id = {ids[3]}",
    )
    problems = _problems(store)
    assert [p.split(":")[0] for p in problems] == [f"audit id {ids[1]}", f"audit id {ids[3]}"]


def test_a_deleted_entry_in_the_middle_is_named(store: Store, actor: Actor) -> None:
    _add_patients(store, actor, 5)
    ids = _ids(store)
    _as_attacker(store.engine, f"DELETE FROM audit_events WHERE id = {ids[2]}")
    problems = _problems(store)
    assert problems[0] == (
        f"audit id {ids[3]}: 1 entry after audit id {ids[1]} missing (deleted), "
        "or this entry was changed"
    )
    assert len(problems) == 1


def test_the_deleted_newest_entry_is_named_even_after_later_writes(
    store: Store, actor: Actor
) -> None:
    _add_patients(store, actor, 3)
    last = _ids(store)[-1]
    _as_attacker(store.engine, f"DELETE FROM audit_events WHERE id = {last}")
    problems = _problems(store)
    assert problems == [
        f"audit id {last}: the newest 1 entry (through audit id {last}) missing (deleted)"
    ]
    # the app goes on writing: the gap stays visible (new entries chain from the tail row)
    _add_patients(store, actor, 1)
    problems = _problems(store)
    assert len(problems) == 1
    assert f"after audit id {last - 1} missing (deleted)" in problems[0]


def test_deleting_the_newest_entries_and_the_tail_row_is_still_seen(
    store: Store, actor: Actor
) -> None:
    _add_patients(store, actor, 3)
    ids = _ids(store)
    _as_attacker(
        store.engine,
        f"DELETE FROM audit_events WHERE id >= {ids[-2]}",
        "DELETE FROM audit_chain_tail",
    )
    assert _problems(store) == ["the audit chain's tail record is missing (deleted)"]
    _add_patients(store, actor, 1)  # saving still works; the rebuilt tail is recorded
    problems = _problems(store)
    assert len(problems) == 1
    assert "tail record had gone missing and was rebuilt" in problems[0]


def test_a_forged_tail_row_is_seen(store: Store, actor: Actor) -> None:
    _add_patients(store, actor, 3)
    ids = _ids(store)
    with store.engine.connect() as conn:
        prev = conn.exec_driver_sql(
            f"SELECT seq, chain_hash FROM audit_events WHERE id = {ids[-2]}"
        ).one()
    _as_attacker(
        store.engine,
        f"DELETE FROM audit_events WHERE id = {ids[-1]}",
        f"UPDATE audit_chain_tail SET seq = {prev.seq}, last_id = {ids[-2]}, "
        f"last_hash = '{prev.chain_hash}'",
    )
    problems = _problems(store)
    assert problems and "tail record was changed" in problems[0]


def test_an_inserted_entry_is_named(store: Store, actor: Actor) -> None:
    _add_patients(store, actor, 3)
    ids = _ids(store)
    with store.engine.connect() as conn:
        row = conn.exec_driver_sql(
            f"SELECT at, seq, chain_hash FROM audit_events WHERE id = {ids[1]}"
        ).one()
    # a row without a hash, and one with a made-up hash and sequence copied from a real one
    _as_attacker(
        store.engine,
        "INSERT INTO audit_events (id, at, actor, workstation, action, entity, detail) "
        f"VALUES (1000, '{row.at}', 'x', 'y', 'create', 'patient', '{{}}')",
        "INSERT INTO audit_events (id, at, actor, workstation, action, entity, detail, seq, "
        f"chain_hash) VALUES (1001, '{row.at}', 'x', 'y', 'create', 'patient', '{{}}', 99, "
        f"'{row.chain_hash[::-1]}')",
    )
    problems = _problems(store)
    assert problems[0] == "audit id 1000: not part of the chain (inserted outside infudesk)"
    assert problems[1].startswith("audit id 1001:")


def test_an_entry_forged_between_real_ones_is_named_and_the_rest_verifies(
    store: Store, actor: Actor
) -> None:
    _add_patients(store, actor, 4)
    ids = _ids(store)
    with store.engine.connect() as conn:
        row = conn.exec_driver_sql(
            f"SELECT at, seq, chain_hash FROM audit_events WHERE id = {ids[2]}"
        ).one()
    # make room: renumber the newest entry upward, then forge one in its old place
    _as_attacker(
        store.engine,
        f"UPDATE audit_events SET id = 500 WHERE id = {ids[-1]}",
        "INSERT INTO audit_events (id, at, actor, workstation, action, entity, detail, seq, "
        f"chain_hash) VALUES ({ids[-1]}, '{row.at}', 'x', 'y', 'view', 'patient', '{{}}', "
        f"{row.seq + 100}, '{secrets.token_hex(32)}')",
    )
    problems = _problems(store)
    assert problems[0].startswith(f"audit id {ids[-1]}:")


def test_the_trail_refuses_delete_and_update(store: Store, actor: Actor) -> None:
    _add_patients(store, actor, 1)
    for sql in ("DELETE FROM audit_events", "UPDATE audit_events SET actor = 'x'"):
        with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as conn:
            conn.exec_driver_sql(sql)
    assert _problems(store) == []


def test_workstation_is_recorded(store: Store) -> None:
    _add_patients(store, Actor("front.desk", workstation="DESK-2"), 1)
    with store.session() as s:
        ev = s.scalars(select(AuditEvent).where(AuditEvent.action == "create")).one()
    assert (ev.actor, ev.workstation) == ("front.desk", "DESK-2")
    assert Actor("someone").workstation == socket.gethostname()


def test_a_wrong_audit_key_is_reported(
    paths: DataPaths, actor: Actor, memory_keyring: MemoryKeyring
) -> None:
    st = open_store(paths)
    try:
        _add_patients(st, actor, 2)
    finally:
        st.close()
    (entry,) = [e for e in memory_keyring.entries if e[1].startswith("audit-key:")]
    memory_keyring.entries[entry] = secrets.token_hex(32)
    st = open_store(paths)
    try:
        problems = _problems(st)
    finally:
        st.close()
    assert problems[0].startswith("audit id 1:")
    assert any("audit key is not the one" in p for p in problems)


def test_verify_is_clean_on_a_demo_database(paths: DataPaths) -> None:
    from infudesk.demo.showcase import seed_demo

    st = open_store(paths, demo=True)
    try:
        with st.session() as s:
            seed_demo(s, Actor.system("demo"), today=TODAY)
        assert _problems(st) == []
    finally:
        st.close()
    assert (paths.root / "demo-audit-key.txt").exists()


# --- a database from before the chain ---------------------------------------------------------


def test_upgrade_chains_the_earlier_entries_at_the_first_open(
    paths: DataPaths, actor: Actor, memory_keyring: MemoryKeyring
) -> None:
    """A database at 0005 with audit entries: the first open after the upgrade chains them and
    records where the chain starts; every entry keeps its id and content."""
    st = open_store(paths)  # creates store id + keys; then rebuild the file at 0005
    st.close()
    paths.db.unlink()
    key = keys.keychain_key(paths)
    engine = make_engine(paths.db, key)
    try:
        upgrade(engine, paths.db, target="0005")
        with engine.begin() as conn:
            for i in range(1, 4):
                conn.execute(
                    text(
                        "INSERT INTO audit_events (id, at, actor, action, entity, entity_id, "
                        "detail) VALUES (:i, '2025-01-0' || :i || ' 10:00:00.000000', 'old.user', "
                        "'update', 'setting', NULL, '{}')"
                    ),
                    {"i": i},
                )
    finally:
        engine.dispose()
    st = open_store(paths)
    try:
        with st.session() as s:
            rows = s.execute(
                select(
                    AuditEvent.id,
                    AuditEvent.seq,
                    AuditEvent.actor,
                    AuditEvent.action,
                    AuditEvent.workstation,
                    AuditEvent.detail,
                ).order_by(AuditEvent.id)
            ).all()
        assert [(r.id, r.seq, r.actor, r.action, r.workstation) for r in rows[:3]] == [
            (1, 1, "old.user", "update", ""),
            (2, 2, "old.user", "update", ""),
            (3, 3, "old.user", "update", ""),
        ]
        assert rows[3].action == "chain-start"
        assert json.loads(rows[3].detail) == {"earlier_entries": 3, "earlier_through_id": 3}
        assert _problems(st) == []
        _add_patients(st, actor, 1)
        assert _problems(st) == []
    finally:
        st.close()


# --- failed opens ------------------------------------------------------------------------------


def test_a_failed_open_reaches_the_trail_at_the_next_open(
    paths: DataPaths, actor: Actor, memory_keyring: MemoryKeyring
) -> None:
    st = open_store(paths)
    _add_patients(st, actor, 1)
    st.close()
    entry = next(e for e in memory_keyring.entries if e[1].startswith("database-key:"))
    good = memory_keyring.entries[entry]
    memory_keyring.entries[entry] = secrets.token_hex(32)
    for _ in range(2):
        with pytest.raises(DatabaseOpenError):
            open_store(paths)
    pending = (paths.root / "failed-opens.jsonl").read_text(encoding="utf-8")
    assert pending.count("\n") == 2
    assert "DatabaseOpenError" in pending and str(paths.root) not in pending
    memory_keyring.entries[entry] = good
    st = open_store(paths)
    try:
        with st.session() as s:
            failed = s.scalars(select(AuditEvent).where(AuditEvent.action == "open-failed")).all()
        assert len(failed) == 2
        assert {e.entity for e in failed} == {"database"}
        assert json.loads(failed[0].detail) == {"reason": "DatabaseOpenError"}
        assert failed[0].workstation == socket.gethostname()
        assert _problems(st) == []
    finally:
        st.close()
    assert not (paths.root / "failed-opens.jsonl").exists()


def test_chain_module_needs_the_key_to_write(store: Store) -> None:
    from sqlalchemy.orm import Session

    with Session(store.engine) as s:
        audit.record(s, Actor("x"), "view", "patient", None)
        with pytest.raises(auditchain.AuditKeyMissing):
            s.flush()
