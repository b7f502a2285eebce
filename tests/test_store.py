"""Tests for infudesk.store: encryption at rest, keys in the keychain, open errors, migrations."""
# mypy: disable-error-code="no-untyped-call,operator"

from __future__ import annotations

import os
import secrets
import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import keyring
import keyring.backends.fail
import keyring.errors
import pytest
from keyring.backend import KeyringBackend
from sqlalchemy import Connection, func, select, text

from infudesk.domain.patients import PatientData
from infudesk.errors import DatabaseOpenError, KeychainError
from infudesk.paths import DataPaths
from infudesk.services import patients as ps
from infudesk.services.audit import Actor
from infudesk.store import keys
from infudesk.store.database import Store, open_store
from infudesk.store.engine import make_engine
from infudesk.store.migrate import head_revision, upgrade
from infudesk.store.models import Patient, PatientToken
from tests.conftest import MemoryKeyring

TODAY = date(2026, 11, 27)

SECRET_PATIENT = PatientData(
    first_name="Xochiquetzal",
    middle_name="Itzel",
    last_name="García-Wojciechowski",
    birth_date=date(1968, 4, 12),
    sex="F",
    mrn="QZ7381946",
    phone_mobile="(312) 555-0142",
    email="xochi.garcia@example.org",
    city="Chicago",
    state="IL",
    zip_code="60608",
)

# What must never appear in the file: names (ASCII and UTF-8, original and folded), MRN, phone.
PLAINTEXTS = (
    b"Xochiquetzal",
    b"xochiquetzal",
    b"Wojciechowski",
    b"wojciechowski",
    "García".encode(),
    "García-Wojciechowski".encode(),
    b"QZ7381946",
    b"qz7381946",
    b"3125550142",
    b"5550142",
    b"xochi.garcia@example.org",
)


def _save_secret_patient(store: Store, actor: Actor) -> int:
    with store.session() as s:
        return ps.create_patient(s, actor, SECRET_PATIENT, today=TODAY).id


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def _snapshot(path: Path) -> tuple[bytes, int, int]:
    st = path.stat()
    return path.read_bytes(), st.st_mtime_ns, st.st_size


def _make_existing_db(paths: DataPaths, actor: Actor) -> None:
    """A closed, encrypted database with one patient (key in the in-memory keychain)."""
    st = open_store(paths)
    try:
        _save_secret_patient(st, actor)
    finally:
        st.close()
    assert paths.db.exists()
    assert not Path(f"{paths.db}-wal").exists() or Path(f"{paths.db}-wal").stat().st_size == 0


def _db_entry(memory_keyring: MemoryKeyring) -> tuple[str, str]:
    """The database key's entry. The keychain holds three entries per database: the database
    key and, beside it, the audit trail's key and the recovery key."""
    users = sorted(user.split(":")[0] for _service, user in memory_keyring.entries)
    assert users == ["audit-key", "database-key", "recovery-key"]
    (entry,) = [e for e in memory_keyring.entries if e[1].startswith("database-key:")]
    return entry


def _the_key_hex(memory_keyring: MemoryKeyring) -> str:
    entry = _db_entry(memory_keyring)
    (service, _user), value = entry, memory_keyring.entries[entry]
    assert service == keys.KEYRING_SERVICE
    assert len(value) == 64
    return value


# --- encryption at rest ----------------------------------------------------------------------


def test_database_and_wal_hold_no_plaintext(store: Store, actor: Actor, paths: DataPaths) -> None:
    _save_secret_patient(store, actor)
    wal = Path(f"{paths.db}-wal")
    assert wal.exists() and wal.stat().st_size > 0  # the new rows sit in the WAL for now
    candidates = [paths.db, wal]
    # while the store is open the change usually sits in the WAL: check both files
    checked = 0
    for f in candidates:
        if f.exists():
            data = f.read_bytes()
            checked += len(data)
            for secret in PLAINTEXTS:
                assert secret not in data, f"{secret!r} in plaintext in {f.name}"
    assert checked > 0
    assert not paths.db.read_bytes().startswith(b"SQLite format 3")
    store.close()
    data = paths.db.read_bytes()
    assert len(data) > 0
    for secret in PLAINTEXTS:
        assert secret not in data, f"{secret!r} in plaintext in the closed database"


def test_saved_patient_is_readable_after_reopen(paths: DataPaths, actor: Actor) -> None:
    _make_existing_db(paths, actor)
    st = open_store(paths)
    try:
        with st.session() as s:
            rec = ps.get_by_mrn(s, "qz7381946")
            assert rec.data.last_name == "García-Wojciechowski"
            assert rec.data.phone_mobile == "3125550142"
            assert [r.mrn for r in ps.search(s, "garcia")] == ["QZ7381946"]
    finally:
        st.close()


def test_key_is_never_written_to_the_data_dir(
    store: Store, actor: Actor, paths: DataPaths, memory_keyring: MemoryKeyring
) -> None:
    _save_secret_patient(store, actor)
    key_hex = _the_key_hex(memory_keyring)
    # nor is the audit key (the other entry)
    (audit_hex,) = [v for (_s, u), v in memory_keyring.entries.items() if u.startswith("audit")]
    store.close()
    files = _files(paths.root)
    assert paths.db in files
    assert not paths.demo_key.exists()
    for f in files:
        data = f.read_bytes()
        for some_hex in (key_hex, audit_hex):
            for needle in (
                some_hex.encode(),
                some_hex.upper().encode(),
                bytes.fromhex(some_hex),
                some_hex.encode("utf-16-le"),
            ):
                assert needle not in data, f"a key is written in {f.relative_to(paths.root)}"


# --- opening with the wrong key / damaged files ----------------------------------------------


def test_wrong_key_fails_and_leaves_file_unchanged(
    paths: DataPaths, actor: Actor, memory_keyring: MemoryKeyring
) -> None:
    _make_existing_db(paths, actor)
    entry = _db_entry(memory_keyring)
    memory_keyring.entries[entry] = secrets.token_hex(32)
    before = _snapshot(paths.db)
    with pytest.raises(DatabaseOpenError) as info:
        open_store(paths)
    assert str(paths.db) in info.value.message
    assert "key" in info.value.message
    assert _snapshot(paths.db) == before


def test_lock_released_after_failed_open(
    paths: DataPaths, actor: Actor, memory_keyring: MemoryKeyring
) -> None:
    _make_existing_db(paths, actor)
    entry = _db_entry(memory_keyring)
    good = memory_keyring.entries[entry]
    memory_keyring.entries[entry] = secrets.token_hex(32)
    with pytest.raises(DatabaseOpenError):
        open_store(paths)
    memory_keyring.entries[entry] = good
    st = open_store(paths)
    try:
        with st.session() as s:
            assert s.scalar(select(func.count()).select_from(Patient)) == 1
    finally:
        st.close()


def _assert_refused_unchanged(paths: DataPaths, *, expect: str | None = None) -> str:
    before = _snapshot(paths.db)
    with pytest.raises(DatabaseOpenError) as info:
        open_store(paths)
    msg = info.value.message
    assert str(paths.db) in msg
    if expect:
        assert expect in msg.lower()
    assert _snapshot(paths.db) == before
    return msg


def test_random_bytes_file_is_refused(paths: DataPaths, actor: Actor) -> None:
    _make_existing_db(paths, actor)
    paths.db.write_bytes(os.urandom(4096 * 4))
    _assert_refused_unchanged(paths)


def test_short_truncated_file_is_refused(paths: DataPaths, actor: Actor) -> None:
    _make_existing_db(paths, actor)
    paths.db.write_bytes(paths.db.read_bytes()[:100])
    _assert_refused_unchanged(paths, expect="damaged")


def test_file_truncated_mid_page_is_refused(paths: DataPaths, actor: Actor) -> None:
    _make_existing_db(paths, actor)
    paths.db.write_bytes(paths.db.read_bytes()[:3000])
    _assert_refused_unchanged(paths)


@pytest.mark.parametrize("pages", [1, 2, -1])
def test_file_truncated_at_a_page_boundary_is_refused(
    paths: DataPaths, actor: Actor, pages: int
) -> None:
    _make_existing_db(paths, actor)
    data = paths.db.read_bytes()
    assert len(data) >= 3 * 4096 and len(data) % 4096 == 0
    paths.db.write_bytes(data[: pages * 4096] if pages > 0 else data[: len(data) - 4096])
    _assert_refused_unchanged(paths)


def test_existing_database_emptied_to_zero_bytes_is_refused(paths: DataPaths, actor: Actor) -> None:
    _make_existing_db(paths, actor)
    paths.db.write_bytes(b"")
    try:
        _assert_refused_unchanged(paths, expect="damaged")
    finally:
        assert paths.db.stat().st_size == 0, "the emptied file was turned into a new database"


def test_missing_database_in_a_folder_that_had_one_is_refused(
    paths: DataPaths, actor: Actor
) -> None:
    _make_existing_db(paths, actor)
    paths.db.unlink()
    for extra in ("-wal", "-shm"):
        paths.db.with_name(paths.db.name + extra).unlink(missing_ok=True)
    with pytest.raises(DatabaseOpenError, match="missing") as info:
        open_store(paths)
    assert str(paths.db) in info.value.message
    assert not paths.db.exists(), "a new empty database was created in place of the lost one"


def test_plain_sqlite_file_in_a_new_folder_is_refused(paths: DataPaths) -> None:
    paths.ensure()
    with sqlite3.connect(paths.db) as conn:
        conn.execute("CREATE TABLE notes (body TEXT)")
        conn.execute("INSERT INTO notes VALUES ('hello')")
    conn.close()
    _assert_refused_unchanged(paths)
    assert not paths.store_id.exists()


def test_plain_sqlite_file_with_a_key_is_called_unencrypted(paths: DataPaths, actor: Actor) -> None:
    _make_existing_db(paths, actor)
    paths.db.unlink()
    with sqlite3.connect(paths.db) as conn:
        conn.execute("CREATE TABLE notes (body TEXT)")
        conn.execute("INSERT INTO notes VALUES ('hello')")
    conn.close()
    _assert_refused_unchanged(paths, expect="unencrypted")


def test_database_from_a_newer_version_is_refused(paths: DataPaths, actor: Actor) -> None:
    st = open_store(paths)
    try:
        with st.engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    finally:
        st.close()
    msg = _assert_refused_unchanged(paths, expect="newer version")
    assert "9999" in msg


# --- one app per database --------------------------------------------------------------------


def test_second_open_is_refused_while_first_is_open(paths: DataPaths) -> None:
    first = open_store(paths)
    try:
        with pytest.raises(DatabaseOpenError) as info:
            open_store(paths)
        assert "already open" in info.value.message
        assert str(paths.db) in info.value.message
    finally:
        first.close()
    again = open_store(paths)
    again.close()


# --- keychain problems -----------------------------------------------------------------------


class LockedKeyring(KeyringBackend):
    priority = 1

    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("locked")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.KeyringLocked("locked")

    def delete_password(self, service: str, username: str) -> None:
        raise keyring.errors.KeyringLocked("locked")


class BrokenKeyring(KeyringBackend):
    priority = 1

    def get_password(self, service: str, username: str) -> str | None:
        raise OSError("org.freedesktop.DBus.Error.ServiceUnknown")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise OSError("org.freedesktop.DBus.Error.ServiceUnknown")

    def delete_password(self, service: str, username: str) -> None:
        raise OSError("org.freedesktop.DBus.Error.ServiceUnknown")


class ForgetfulKeyring(KeyringBackend):
    """Accepts a password and then does not return it."""

    priority = 1

    def get_password(self, service: str, username: str) -> str | None:
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        pass

    def delete_password(self, service: str, username: str) -> None:
        pass


@pytest.fixture
def other_keyring() -> Iterator[None]:
    """Restores the in-memory keyring after a test swaps the backend."""
    previous = keyring.get_keyring()
    yield
    keyring.set_keyring(previous)


def _assert_nothing_written(paths: DataPaths) -> None:
    names = {p.name for p in _files(paths.root)} if paths.root.exists() else set()
    assert names <= {paths.lock.name}, f"files left behind: {sorted(names)}"
    assert not paths.db.exists()
    assert not paths.store_id.exists()
    assert not paths.demo_key.exists()


@pytest.mark.usefixtures("other_keyring")
def test_no_keychain_gives_keychain_error_and_writes_nothing(paths: DataPaths) -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())
    with pytest.raises(KeychainError) as info:
        open_store(paths)
    msg = info.value.message
    assert "keychain" in msg.lower()
    assert "infudesk --demo" in msg  # says what to do
    _assert_nothing_written(paths)
    # the lock was released
    keyring.set_keyring(ForgetfulKeyring())
    with pytest.raises(KeychainError):
        open_store(paths)


@pytest.mark.usefixtures("other_keyring")
def test_no_keychain_for_an_existing_db_leaves_it_unchanged(paths: DataPaths, actor: Actor) -> None:
    _make_existing_db(paths, actor)
    before = _snapshot(paths.db)
    store_id = paths.store_id.read_text()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    with pytest.raises(KeychainError):
        open_store(paths)
    assert _snapshot(paths.db) == before
    assert paths.store_id.read_text() == store_id


@pytest.mark.usefixtures("other_keyring")
def test_locked_keychain_on_create_says_locked(paths: DataPaths) -> None:
    keyring.set_keyring(LockedKeyring())
    with pytest.raises(KeychainError) as info:
        open_store(paths)
    assert "locked" in info.value.message.lower()
    assert "unlock" in info.value.message.lower()
    _assert_nothing_written(paths)


@pytest.mark.usefixtures("other_keyring")
def test_locked_keychain_on_open_says_locked(paths: DataPaths, actor: Actor) -> None:
    _make_existing_db(paths, actor)
    before = _snapshot(paths.db)
    keyring.set_keyring(LockedKeyring())
    with pytest.raises(KeychainError) as info:
        open_store(paths)
    assert "locked" in info.value.message.lower()
    assert _snapshot(paths.db) == before


@pytest.mark.usefixtures("other_keyring", "allow_warnings")
def test_other_keychain_failure_is_a_keychain_error(
    paths: DataPaths, caplog: pytest.LogCaptureFixture
) -> None:
    keyring.set_keyring(BrokenKeyring())
    with pytest.raises(KeychainError) as info:
        open_store(paths)
    assert "OSError" in info.value.message
    assert "keychain" in info.value.message.lower()
    assert isinstance(info.value.__cause__, OSError)
    _assert_nothing_written(paths)
    warnings = [r for r in caplog.records if r.name == "infudesk.store.keys"]
    assert warnings and all(r.levelname == "WARNING" for r in warnings)


@pytest.mark.usefixtures("other_keyring")
def test_keychain_that_does_not_keep_the_key(paths: DataPaths) -> None:
    keyring.set_keyring(ForgetfulKeyring())
    with pytest.raises(KeychainError) as info:
        open_store(paths)
    assert "did not keep" in info.value.message
    _assert_nothing_written(paths)


def test_missing_keychain_entry_for_existing_db(
    paths: DataPaths, actor: Actor, memory_keyring: MemoryKeyring
) -> None:
    _make_existing_db(paths, actor)
    memory_keyring.entries.clear()
    before = _snapshot(paths.db)
    with pytest.raises(DatabaseOpenError) as info:
        open_store(paths)
    msg = info.value.message
    assert str(paths.db) in msg
    assert "keychain" in msg
    assert _snapshot(paths.db) == before
    # no new key was invented for the old file
    assert memory_keyring.entries == {}


def test_missing_store_id_for_existing_db(
    paths: DataPaths, actor: Actor, memory_keyring: MemoryKeyring
) -> None:
    _make_existing_db(paths, actor)
    paths.store_id.unlink()
    entries = dict(memory_keyring.entries)
    _assert_refused_unchanged(paths, expect=paths.store_id.name)
    assert memory_keyring.entries == entries


# --- the demo database -----------------------------------------------------------------------


def test_demo_keeps_its_key_beside_the_db_and_not_in_the_keychain(
    paths: DataPaths, actor: Actor, memory_keyring: MemoryKeyring
) -> None:
    st = open_store(paths, demo=True)
    try:
        assert st.demo
        _save_secret_patient(st, actor)
    finally:
        st.close()
    assert memory_keyring.entries == {}
    assert not paths.store_id.exists()
    key_text = paths.demo_key.read_text(encoding="ascii").strip()
    assert len(bytes.fromhex(key_text)) == keys.KEY_BYTES
    data = paths.db.read_bytes()
    for secret in PLAINTEXTS:
        assert secret not in data
    st = open_store(paths, demo=True)
    try:
        with st.session() as s:
            assert ps.get_by_mrn(s, "QZ7381946").data.first_name == "Xochiquetzal"
    finally:
        st.close()
    assert memory_keyring.entries == {}


def test_demo_without_its_key_file_is_refused(paths: DataPaths) -> None:
    open_store(paths, demo=True).close()
    paths.demo_key.unlink()
    _assert_refused_unchanged_demo(paths)
    assert not paths.demo_key.exists()


def _assert_refused_unchanged_demo(paths: DataPaths) -> None:
    before = _snapshot(paths.db)
    with pytest.raises(DatabaseOpenError) as info:
        open_store(paths, demo=True)
    assert str(paths.db) in info.value.message
    assert _snapshot(paths.db) == before


# --- connection settings ---------------------------------------------------------------------


def test_pragmas_on_every_connection(store: Store) -> None:
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() > 0
    with store.session() as s:
        assert s.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_foreign_keys_are_enforced(store: Store) -> None:
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), store.session() as s:
        s.add(PatientToken(patient_id=424242, kind="name", token="ghost"))
        s.flush()


# --- migrations ------------------------------------------------------------------------------


def _filler(sql_type: str) -> object:
    """A plausible value for a NOT NULL column of the given declared SQLite type."""
    t = sql_type.upper()
    if "DATETIME" in t or "TIMESTAMP" in t:
        return "2026-01-01 00:00:00.000000"
    if "DATE" in t:
        return "1970-01-01"
    if "BOOL" in t or "INT" in t:
        return 1
    return ""


def _insert_old_patient(conn: Connection, pid: int, mrn: str, first: str, last: str) -> None:
    """Insert a patient into whatever the patients table looks like at this revision."""
    values: dict[str, object] = {}
    for _cid, name, sql_type, notnull, default, _pk in conn.exec_driver_sql(
        "PRAGMA table_info(patients)"
    ):
        if notnull and default is None:
            values[name] = _filler(sql_type)
    values.update(
        id=pid,
        mrn=mrn,
        first_name=first,
        last_name=last,
        sex="U",
        preferred_language="en",
        birth_date=f"1970-01-{pid:02d}",
        sort_last=last.lower(),
        sort_first=first.lower(),
        created_by="old",
        updated_by="old",
    )
    cols = ", ".join(values)
    marks = ", ".join(f":{c}" for c in values)
    conn.execute(text(f"INSERT INTO patients ({cols}) VALUES ({marks})"), values)


def test_migration_keeps_patients_and_tokens(data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    db = data_dir / "old.db"
    backups = data_dir / "backups"
    key = secrets.token_bytes(32)
    engine = make_engine(db, key)
    try:
        assert upgrade(engine, db, target="0001") is True
        with engine.begin() as conn:
            assert (
                conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == "0001"
            )
            for i in range(1, 6):
                _insert_old_patient(conn, i, f"OLD{i}", f"First{i}", f"Last{i}")
                for tok in (f"first{i}", f"last{i}", f"old{i}"):
                    conn.execute(
                        text(
                            "INSERT INTO patient_tokens (patient_id, kind, token) "
                            "VALUES (:pid, 'name', :tok)"
                        ),
                        {"pid": i, "tok": tok},
                    )
        with engine.connect() as conn:
            tokens_before = conn.exec_driver_sql(
                "SELECT id, patient_id, kind, token FROM patient_tokens ORDER BY id"
            ).fetchall()
            patients_before = conn.exec_driver_sql(
                "SELECT id, mrn, first_name, last_name, birth_date FROM patients ORDER BY id"
            ).fetchall()
        assert len(tokens_before) == 15
        assert len(patients_before) == 5

        assert upgrade(engine, db, backup_dir=backups) is True

        with engine.connect() as conn:
            assert (
                conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
                == head_revision()
            )
            assert (
                conn.exec_driver_sql(
                    "SELECT id, mrn, first_name, last_name, birth_date FROM patients ORDER BY id"
                ).fetchall()
                == patients_before
            )
            assert (
                conn.exec_driver_sql(
                    "SELECT id, patient_id, kind, token FROM patient_tokens ORDER BY id"
                ).fetchall()
                == tokens_before
            )
            assert conn.exec_driver_sql(
                "SELECT DISTINCT inactive_reason FROM patients"
            ).fetchall() == [("",)]
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
            # foreign keys are back on for the connection the migration used
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        # a second run has nothing to do
        assert upgrade(engine, db, backup_dir=backups) is False
    finally:
        engine.dispose()

    copies = list(backups.glob("*.db"))
    assert len(copies) == 1
    assert "0001" in copies[0].name
    copy_bytes = copies[0].read_bytes()
    assert copy_bytes and not copy_bytes.startswith(b"SQLite format 3")
    assert b"First1" not in copy_bytes and b"OLD1" not in copy_bytes

    # a fresh engine on the migrated file: foreign keys on, data there
    engine = make_engine(db, key)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("SELECT count(*) FROM patient_tokens").scalar() == 15
    finally:
        engine.dispose()


def test_backup_copy_is_readable_with_the_same_key(data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    db = data_dir / "old.db"
    key = secrets.token_bytes(32)
    engine = make_engine(db, key)
    try:
        upgrade(engine, db, target="0001")
        with engine.begin() as conn:
            _insert_old_patient(conn, 1, "OLD1", "A", "B")
        upgrade(engine, db, backup_dir=data_dir / "backups")
    finally:
        engine.dispose()
    (copy,) = (data_dir / "backups").glob("*.db")
    engine = make_engine(copy, key)
    try:
        with engine.connect() as conn:
            assert (
                conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == "0001"
            )
            assert conn.exec_driver_sql("SELECT mrn FROM patients").scalar() == "OLD1"
    finally:
        engine.dispose()


def test_new_store_is_at_head(store: Store) -> None:
    with store.engine.connect() as conn:
        assert (
            conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
            == head_revision()
        )
    assert not store.paths.backups.exists() or not list(store.paths.backups.iterdir())


_REBUILD_MIGRATION = '''"""Test-only: rebuild the patients table (as a batch migration on SQLite does).

Revision ID: 9001
Revises: {head}
"""

import sqlalchemy as sa
from alembic import op

revision = "9001"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("patients", recreate="always") as batch:
        batch.add_column(sa.Column("test_extra", sa.String(10), nullable=False, server_default=""))


def downgrade() -> None:
    pass
'''


def test_table_rebuild_in_a_migration_does_not_cascade_delete(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, paths: DataPaths, actor: Actor
) -> None:
    """migrate.upgrade switches foreign keys off, so a copy-drop-rename keeps child rows."""
    import shutil

    from infudesk.store import migrate

    st = open_store(paths)
    try:
        with st.session() as s:
            for i in range(3):
                ps.create_patient(
                    s,
                    actor,
                    PatientData(
                        first_name=f"Ann{'a' * i}",
                        last_name=f"Rebuild{'x' * i}",
                        birth_date=date(1970, 1, 1 + i),
                        phone_mobile="3125550142",
                    ),
                    today=TODAY,
                    allow_look_alike=True,
                )
        with st.engine.connect() as conn:
            tokens_before = conn.exec_driver_sql(
                "SELECT id, patient_id, token FROM patient_tokens ORDER BY id"
            ).fetchall()
            audit_before = conn.exec_driver_sql("SELECT count(*) FROM audit_events").scalar()
    finally:
        st.close()
    assert len(tokens_before) >= 9

    scripts = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS_DIR, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    (scripts / "versions" / "9001_rebuild.py").write_text(
        _REBUILD_MIGRATION.replace("{head}", head_revision()), encoding="utf-8"
    )
    monkeypatch.setattr(migrate, "MIGRATIONS_DIR", scripts)
    monkeypatch.setattr(migrate, "HEAD", "9001")  # what a release with that script declares
    assert head_revision() == "9001"

    st = open_store(paths)
    try:
        with st.engine.connect() as conn:
            assert (
                conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == "9001"
            )
            cols = [r[1] for r in conn.exec_driver_sql("PRAGMA table_info(patients)")]
            assert "test_extra" in cols
            assert (
                conn.exec_driver_sql(
                    "SELECT id, patient_id, token FROM patient_tokens ORDER BY id"
                ).fetchall()
                == tokens_before
            )
            assert (
                conn.exec_driver_sql("SELECT count(*) FROM audit_events").scalar() == audit_before
            )
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        with st.session() as s:
            assert len(ps.search(s, "rebuild")) == 3
    finally:
        st.close()
    assert len(list(paths.backups.glob("*.db"))) == 1


def test_sessions_in_many_threads_at_once(store: Store) -> None:
    """Regression: more threads than the pool size must not close each other's connections."""
    import threading

    workers = 8
    got_connection = threading.Barrier(workers)
    all_connected = threading.Barrier(workers)
    errors: list[str] = []

    def work() -> None:
        try:
            with store.session() as s:
                s.execute(text("SELECT 1")).scalar()
                got_connection.wait(timeout=10)
                all_connected.wait(timeout=10)
                s.scalar(select(func.count()).select_from(Patient))
        except Exception as exc:  # collected and asserted below
            errors.append(repr(exc)[:200])

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []


def test_head_constant_matches_the_migration_scripts() -> None:
    from infudesk.store import migrate

    assert migrate.head_revision() == migrate.HEAD


def test_migration_0008_adds_the_name_on_the_card_empty_for_existing_patients(
    data_dir: Path,
) -> None:
    # patients saved before 0008 keep their meaning: no separate card name ("" = the legal
    # name), so their payer documents print the legal name as before
    data_dir.mkdir(parents=True)
    db = data_dir / "old.db"
    engine = make_engine(db, secrets.token_bytes(32))
    try:
        assert upgrade(engine, db, target="0005") is True
        with engine.begin() as conn:
            _insert_old_patient(conn, 1, "OLD1", "秀英", "王")
        assert upgrade(engine, db, backup_dir=data_dir / "backups") is True
        with engine.connect() as conn:
            row = conn.exec_driver_sql(
                "SELECT mrn, first_name, last_name, name_on_card FROM patients"
            ).one()
        assert tuple(row) == ("OLD1", "秀英", "王", "")
    finally:
        engine.dispose()
