"""A kill at any statement of any migration, or anywhere in a first start, leaves a database
that opens at the old or the new revision (never neither), and a first start never turns
into "restore it from a backup".

Each case forks the test process (no interpreter start-up, no re-import): the child opens the
store and dies with os._exit just before statement k (or before the COMMIT, or at a step of
creating a new database); the parent then looks at what is on disk. The keychain is a small
file-backed one so that what the child saved survives it, as a real keychain would.
"""
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

import json
import os
import secrets
import shutil
import sys
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backend import KeyringBackend
from sqlalchemy import Engine, event

from infudesk.errors import DatabaseOpenError
from infudesk.paths import DataPaths
from infudesk.store import database, keys, migrate
from infudesk.store.engine import key_pragma_for, make_engine, open_raw
from tests.test_store import _insert_old_patient

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork (POSIX)")

KILLED = 77
FINISHED = 0
REVISIONS = ["0001", "0002", "0003", "0004"]
STEPS = ["key-saved", "database-built", "id-written", "database-in-place"]


class FileKeyring(KeyringBackend):
    """A keychain in a JSON file: survives the killed child like a real one would."""

    priority = 1
    path: Path

    def _load(self) -> dict[str, str]:
        return json.loads(self.path.read_text()) if self.path.exists() else {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}/{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data[f"{service}/{username}"] = password
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data))
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        data.pop(f"{service}/{username}", None)
        self.path.write_text(json.dumps(data))


@pytest.fixture
def file_keyring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FileKeyring:
    backend = FileKeyring()
    backend.path = tmp_path / "keychain.json"
    monkeypatch.setattr(
        keys, "ALLOWED_BACKENDS", keys.ALLOWED_BACKENDS | {"tests.test_atomic_upgrades.FileKeyring"}
    )
    keyring.set_keyring(backend)  # the autouse memory_keyring fixture restores the previous one
    return backend


def _in_child(paths: DataPaths, kill_at: int | None, kill_step: str | None) -> int:
    """Fork; the child opens the store and is killed at statement ``kill_at`` (counting the
    COMMITs too) or at creation step ``kill_step``. Returns the child's exit code."""
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 99
        try:
            count = [0]

            def tick(*_a: Any, **_k: Any) -> None:
                count[0] += 1
                if kill_at is not None and count[0] == kill_at:
                    os._exit(KILLED)

            event.listen(Engine, "before_cursor_execute", tick)
            event.listen(Engine, "commit", tick)
            if kill_step is not None:

                def step(name: str) -> None:
                    if name == kill_step:
                        os._exit(KILLED)

                database._step = step
            database.open_store(paths).close()
            code = FINISHED
        except BaseException:  # any other ending is a failure the parent reports
            code = 98
        finally:
            os._exit(code)
    _pid, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def _revision_on_disk(paths: DataPaths, key: bytes) -> str | None:
    """The revision of the database file as it is, checked page by page."""
    conn = open_raw(paths.db, key_pragma_for(key))
    try:
        assert conn.execute("PRAGMA cipher_integrity_check").fetchall() == []
        assert conn.execute("PRAGMA quick_check").fetchall() == [("ok",)]
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "alembic_version" not in names:
            return None
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        return row[0] if row else None
    finally:
        conn.close()


def _key(paths: DataPaths) -> bytes:
    store_id = paths.store_id.read_text().strip()
    text = keyring.get_password(keys.KEYRING_SERVICE, f"database-key:{store_id}")
    assert text
    return bytes.fromhex(text)


def _template_at(root: Path, revision: str) -> DataPaths:
    """A data dir whose database is at ``revision`` with three patients in it."""
    paths = DataPaths(root)
    paths.ensure()
    store_id, key = keys.new_keychain_key(keys.pending_store_id(paths))
    paths.store_id.write_text(store_id + "\n")
    engine = make_engine(paths.db, key)
    try:
        migrate.upgrade(engine, paths.db, target="0001")
        with engine.begin() as conn:
            for i in range(1, 4):
                _insert_old_patient(conn, i, f"OLD{i}", f"First{i}", f"Last{i}")
        migrate.upgrade(engine, paths.db, target=revision)
    finally:
        engine.dispose()
    return paths


def _patients(paths: DataPaths) -> int:
    conn = open_raw(paths.db, key_pragma_for(_key(paths)))
    try:
        return int(conn.execute("SELECT count(*) FROM patients").fetchone()[0])
    finally:
        conn.close()


@pytest.mark.parametrize("start", REVISIONS)
def test_kill_at_every_statement_of_an_upgrade(
    start: str, tmp_path: Path, file_keyring: FileKeyring
) -> None:
    template = _template_at(tmp_path / "template", start)
    key = _key(template)
    k = 0
    while True:
        k += 1
        work = tmp_path / "work"
        shutil.rmtree(work, ignore_errors=True)
        shutil.copytree(template.root, work)
        paths = DataPaths(work)
        code = _in_child(paths, kill_at=k, kill_step=None)
        assert code in (KILLED, FINISHED), f"child failed at statement {k} (code {code})"
        rev = _revision_on_disk(paths, key)
        assert rev in (start, migrate.HEAD), f"kill at statement {k}: revision {rev}"
        assert _patients(paths) == 3
        # and the next start opens it (finishing the upgrade if it was cut short)
        database.open_store(paths).close()
        assert _revision_on_disk(paths, key) == migrate.HEAD
        if code == FINISHED:
            break
    assert k > 10, "the kill hook never fired: the test would prove nothing"


def test_kill_at_every_statement_and_step_of_a_first_start(
    tmp_path: Path, file_keyring: FileKeyring
) -> None:
    cases: list[tuple[int | None, str | None]] = [(None, s) for s in STEPS]
    k = 0
    while True:
        k += 1
        paths = DataPaths(tmp_path / f"new-{k}")
        code = _in_child(paths, kill_at=k, kill_step=None)
        assert code in (KILLED, FINISHED), f"child failed at statement {k} (code {code})"
        # a full next start for every 10th case (the others are in the same on-disk state:
        # no database and no id file, which starts afresh, as the 10th ones prove)
        _check_new_install(paths, reopen=k % 10 == 0 or paths.db.exists())
        if code == FINISHED:
            break
    assert k > 10
    for n, (kill_at, step) in enumerate(cases):
        paths = DataPaths(tmp_path / f"step-{n}")
        assert _in_child(paths, kill_at=kill_at, kill_step=step) == KILLED
        _check_new_install(paths)


def _check_new_install(paths: DataPaths, reopen: bool = True) -> None:
    """After a killed first start: either nothing that counts exists yet, or a complete
    database at HEAD; either way the next start opens (never "restore it from a backup")."""
    if paths.db.exists():
        assert _revision_on_disk(paths, _key(paths)) == migrate.HEAD
    else:
        assert not paths.store_id.exists() or database.new_db_path(paths).exists()
    if not reopen:
        return
    st = database.open_store(paths)  # would raise "missing ... restore it from a backup"
    st.close()
    assert _revision_on_disk(paths, _key(paths)) == migrate.HEAD
    assert not database.new_db_path(paths).exists()


@pytest.mark.usefixtures("allow_warnings")
def test_a_failing_migration_changes_nothing_and_names_the_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, file_keyring: FileKeyring
) -> None:
    """A migration that fails halfway (after DDL) rolls back whole; the message names the
    verified copy made before it."""
    from alembic.operations import Operations

    paths = _template_at(tmp_path / "d", "0004")
    key = _key(paths)
    before = paths.db.read_bytes()
    real = Operations.create_table
    calls = [0]

    def failing(self: Operations, *a: Any, **k: Any) -> Any:
        calls[0] += 1
        if calls[0] == 3:
            raise RuntimeError("simulated failure")
        return real(self, *a, **k)

    monkeypatch.setattr(Operations, "create_table", failing)
    with pytest.raises(DatabaseOpenError) as info:
        database.open_store(paths)
    msg = info.value.message
    assert "Nothing was changed" in msg
    (copy,) = paths.backups.glob("*.db")
    assert str(copy) in msg
    assert _revision_on_disk(paths, key) == "0004"
    names = _table_names(paths, key)
    assert "prior_auth_cases" not in names  # the tables created before the failure are gone
    assert paths.db.read_bytes() == before or _patients(paths) == 3
    # the copy opens with the same key at the old revision
    conn = open_raw(copy, key_pragma_for(key))
    try:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0004"
    finally:
        conn.close()


def _table_names(paths: DataPaths, key: bytes) -> set[str]:
    conn = open_raw(paths.db, key_pragma_for(key))
    try:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        conn.close()


def test_transaction_covers_ddl_with_sqlcipher(tmp_path: Path) -> None:
    """The driver-level recipe works with sqlcipher3: a rolled-back CREATE TABLE is gone."""
    engine = make_engine(tmp_path / "x.db", secrets.token_bytes(32))
    try:
        with engine.connect() as conn:
            with conn.begin() as tx:
                conn.exec_driver_sql("CREATE TABLE t (x)")
                tx.rollback()
            assert (
                conn.exec_driver_sql("SELECT count(*) FROM sqlite_master WHERE name = 't'").scalar()
                == 0
            )
    finally:
        engine.dispose()
