"""Data that survives: integrity checks, backup and restore, keychain allowlist, permissions."""
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

import os
import random
import secrets
import stat
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import keyring
import keyring.backends.chainer
import keyring.backends.null
import keyring.errors
import pytest
from keyring.backend import KeyringBackend
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import text

from infudesk import cli
from infudesk.demo.seed import seed_patients
from infudesk.demo.showcase import seed_demo
from infudesk.errors import DatabaseOpenError, KeychainError
from infudesk.paths import DataPaths
from infudesk.services import audit, staff
from infudesk.services import backup as bk
from infudesk.services.audit import Actor
from infudesk.services.check import check_database
from infudesk.store import keys, migrate, recovery
from infudesk.store.database import Store, open_store
from tests.conftest import TODAY, MemoryKeyring

PAGE = 4096


MANAGER_PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def _manager_password(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI's backup and restore take a manager's credentials (--user boss)."""
    monkeypatch.setenv("INFUDESK_PASSWORD", MANAGER_PASSWORD)


def _filled(paths: DataPaths, n: int = 300, demo: bool = False) -> None:
    st = open_store(paths, demo=demo)
    try:
        with st.session() as s:
            seed_demo(s, Actor.system("demo"), today=TODAY)
            seed_patients(s, Actor.system("seed"), n, rng=random.Random(5), today=TODAY)
            if not demo and not staff.has_staff(s):
                staff.create_first_manager(s, "boss", "Bea Boss", MANAGER_PASSWORD)
    finally:
        st.close()


def _flip_middle_bit(db: Path) -> int:
    data = bytearray(db.read_bytes())
    pages = len(data) // PAGE
    assert pages >= 20
    offset = (pages // 2) * PAGE + 1000
    data[offset] ^= 0x10
    db.write_bytes(bytes(data))
    return pages // 2 + 1


# --- check and the check at open ----------------------------------------------------------


def test_check_reports_ok_with_counts(paths: DataPaths, capsys: pytest.CaptureFixture[str]) -> None:
    _filled(paths, 50)
    assert cli.main(["check", "--data-dir", str(paths.root)]) == 0
    out = capsys.readouterr().out
    assert "encrypted pages" in out and "foreign_key_check" in out
    assert f"schema revision {migrate.HEAD}" in out
    assert "documents:" in out and "match their SHA-256" in out
    assert "patients" in out and "OK" in out
    assert "worklist kept between runs: rules " in out and "kept for none yet" in out


@pytest.mark.usefixtures("allow_warnings")
def test_flipped_bit_in_a_middle_page_is_found_by_check_and_at_open(
    paths: DataPaths, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _filled(paths)
    page = _flip_middle_bit(paths.db)
    before = paths.db.read_bytes()
    with pytest.raises(DatabaseOpenError) as info:
        open_store(paths)
    assert "damaged" in info.value.message and str(paths.db) in info.value.message
    assert f"page {page}" in info.value.message  # names the page
    assert cli.main(["check", "--data-dir", str(paths.root)]) == 1
    assert "damaged" in capsys.readouterr().err
    # the commands that read or write patient data refuse too (and change nothing)
    mrn = "D0001"
    capsys.readouterr()
    for argv in (
        ["letter", "cost-letter", "--patient", mrn, "--out", str(tmp_path / "l.pdf")],
        ["export", "patient", mrn, "--out", str(tmp_path / "x")],
        ["seed", "--patients", "3"],
    ):
        assert cli.main([*argv, "--user", "boss", "--data-dir", str(paths.root)]) == 1, argv[0]
        err = capsys.readouterr().err
        assert "is damaged" in err and f"page {page}" in err, argv[0]
    assert not (tmp_path / "l.pdf").exists()
    assert paths.db.read_bytes() == before


def test_document_checksum_mismatch_is_named(paths: DataPaths) -> None:
    _filled(paths, 5)
    st = open_store(paths)
    try:
        with st.session() as s:
            s.execute(
                text(
                    "UPDATE prior_auth_documents SET content = x'00' WHERE id = "
                    "(SELECT min(id) FROM prior_auth_documents)"
                )
            )
        with st.session() as s:
            report = check_database(s)
    finally:
        st.close()
    assert report.problem is not None and report.problem.startswith("documents: 1 of")


def test_check_on_an_older_schema_names_it_and_changes_nothing(paths: DataPaths) -> None:
    _filled(paths, 5)
    st = open_store(paths)
    with st.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0004'"))
    st.close()
    st = open_store(paths, create=False, exclusive=False, upgrade=False)
    try:
        with st.session() as s:
            report = check_database(s)
    finally:
        st.close()
    assert report.problem == f"schema revision 0004, this version expects {migrate.HEAD}"


def test_wrong_key_prints_no_sqlcipher_log_lines(paths: DataPaths) -> None:
    _filled(paths, 5, demo=True)
    paths.demo_key.write_text(secrets.token_hex(32))
    proc = subprocess.run(
        [sys.executable, "-m", "infudesk", "check", "--demo", "--data-dir", str(paths.root)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    assert "cannot be opened with the key" in proc.stderr
    assert "hmac" not in proc.stderr.lower() and "ERROR CORE" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


# --- backup and restore -------------------------------------------------------------------


def _dump(paths: DataPaths) -> dict[str, list[tuple[object, ...]]]:
    st = open_store(paths, create=False, exclusive=False)
    try:
        with st.engine.connect() as conn:
            tables = sorted(sa_inspect(conn).get_table_names())
            # the backup and the restore are audited after the copy / in the new place: the
            # one row each adds is left out, every other row of every table is compared
            # one row each adds is left out, every other row of every table is compared (the
            # chain's tail moves with each entry: the restored chain is verified instead)
            where = {"audit_events": " WHERE action NOT IN ('backup', 'restore')"}
            tables = [t for t in tables if t != "audit_chain_tail"]
            return {
                t: sorted(
                    conn.exec_driver_sql(f'SELECT * FROM "{t}"{where.get(t, "")}').fetchall(),
                    key=repr,
                )
                for t in tables
            }
    finally:
        st.close()


@pytest.fixture
def backup_file(paths: DataPaths, tmp_path: Path) -> Path:
    _filled(paths, 80)
    st = open_store(paths)
    try:
        # a save that is still in the WAL must be in the backup (it reads the live database)
        with st.session() as s:
            seed_patients(s, Actor.system("seed"), 1, rng=random.Random(9), today=TODAY)
        assert Path(f"{paths.db}-wal").stat().st_size > 0
        out = tmp_path / "out" / "b.idbk"
        manifest = bk.make_backup(st, out)
    finally:
        st.close()
    assert manifest.counts["patients"] == 80 + 1 + manifest.counts["patients"] - 81
    assert manifest.schema == migrate.HEAD
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    return out


def test_backup_restores_on_a_new_computer_with_identical_data(
    paths: DataPaths, backup_file: Path, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    before = _dump(paths)
    recovery_key = keys.recovery_key(keys.read_store_id(paths))
    assert recovery_key and recovery.normalize(recovery_key) == recovery_key
    # the backup is not readable with the database key
    assert b"SQLite format 3" not in backup_file.read_bytes()[:200]
    new_computer = MemoryKeyring()
    keyring.set_keyring(new_computer)
    fresh = DataPaths(tmp_path / "new-computer")
    typed = recovery_key.lower().replace("-", " ")
    manifest = bk.restore_backup(fresh, backup_file, typed)
    assert manifest.counts["patients"] == len(before["patients"])
    after = _dump(fresh)
    assert after == before  # every table, every row
    assert keys.read_store_id(fresh) and new_computer.entries  # re-keyed for this keychain
    assert keys.recovery_key(keys.read_store_id(fresh)) == recovery_key
    st = open_store(fresh)
    try:
        with st.engine.connect() as conn:
            actions = [
                r[0]
                for r in conn.exec_driver_sql(
                    "SELECT action FROM audit_events WHERE action IN ('backup', 'restore')"
                )
            ]
    finally:
        st.close()
    assert actions == ["restore"]  # the backup's own record came after the copy
    # the audit key came with the backup: the restored trail verifies on the new computer
    st = open_store(fresh)
    try:
        with st.session() as s:
            assert audit.verify_chain(s) == []
    finally:
        st.close()


def _state(paths: DataPaths) -> dict[str, bytes]:
    return {
        str(p.relative_to(paths.root)): p.read_bytes()
        for p in sorted(paths.root.rglob("*"))
        if p.is_file() and p.name != "infudesk.log"
    }


@pytest.mark.parametrize("damage", ["wrong-key", "flipped-body", "truncated", "not-a-backup"])
def test_a_bad_restore_changes_nothing(
    paths: DataPaths, backup_file: Path, damage: str, memory_keyring: MemoryKeyring
) -> None:
    recovery_key = keys.recovery_key(keys.read_store_id(paths))
    assert recovery_key
    data = bytearray(backup_file.read_bytes())
    if damage == "wrong-key":
        recovery_key = recovery.generate()
    elif damage == "flipped-body":
        data[len(data) // 2] ^= 1
    elif damage == "truncated":
        data = data[: len(data) - PAGE]
    else:
        data = bytearray(os.urandom(len(data)))
    backup_file.write_bytes(bytes(data))
    before_files = _state(paths)
    before_keys = dict(memory_keyring.entries)
    with pytest.raises(bk.BackupError) as info:
        bk.restore_backup(paths, backup_file, recovery_key)
    assert "Nothing was changed" in info.value.message
    assert _state(paths) == before_files
    assert memory_keyring.entries == before_keys


def test_restore_keeps_the_current_database_aside(
    paths: DataPaths, backup_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    recovery_key = keys.recovery_key(keys.read_store_id(paths))
    st = open_store(paths)
    with st.session() as s:
        seed_patients(s, Actor.system("seed"), 3, rng=random.Random(3), today=TODAY)
    st.close()
    args = [
        "restore",
        "--user",
        "boss",
        str(backup_file),
        "--recovery-key",
        str(recovery_key),
        "--data-dir",
        str(paths.root),
    ]
    assert cli.main(args) == 0
    assert "Restored" in capsys.readouterr().out
    (aside,) = paths.backups.glob("*before-restore.db")
    assert aside.stat().st_size > 0
    assert cli.main(["check", "--data-dir", str(paths.root)]) == 0


def test_cli_backup_and_damaged_restore_are_one_line(
    paths: DataPaths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _filled(paths, 5)
    out = tmp_path / "x.idbk"
    # without a manager's name: refused in one line, nothing written
    assert cli.main(["backup", "--out", str(out), "--data-dir", str(paths.root)]) != 0
    assert "--user" in capsys.readouterr().err and not out.exists()
    assert (
        cli.main(["backup", "--user", "boss", "--out", str(out), "--data-dir", str(paths.root)])
        == 0
    )
    assert "Wrote" in capsys.readouterr().out
    out.write_bytes(out.read_bytes()[:-100])
    assert (
        cli.main(
            [
                "restore",
                "--user",
                "boss",
                str(out),
                "--recovery-key",
                "x",
                "--data-dir",
                str(paths.root),
            ]
        )
        == 1
    )
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "damaged" in err


def test_automatic_backup_once_a_day_keeping_the_last_n(paths: DataPaths, tmp_path: Path) -> None:
    from infudesk.services import settings

    _filled(paths, 5)
    folder = tmp_path / "manager-folder"
    st = open_store(paths)
    try:
        with st.session() as s:
            settings.put(s, Actor("mgr"), "backup.folder", str(folder))
            settings.put(s, Actor("mgr"), "backup.keep", 2)
        made = []
        for day, hour in [(1, 9), (1, 17), (2, 9), (3, 9), (4, 9)]:
            made.append(bk.auto_backup(st, now=datetime(2026, 12, day, hour, tzinfo=UTC)))
    finally:
        st.close()
    assert made[1] is None  # the second close on 1 December makes none
    assert all(m is not None for i, m in enumerate(made) if i != 1)
    kept = sorted(p.name for p in folder.iterdir())
    assert kept == ["infudesk-auto-20261203-090000.idbk", "infudesk-auto-20261204-090000.idbk"]


# --- keychain: the operating system's only ------------------------------------------------


@pytest.fixture
def real_allowlist(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The allowlist as shipped (the test keychains no longer count)."""
    previous = keyring.get_keyring()
    monkeypatch.setattr(
        keys, "ALLOWED_BACKENDS", keys.ALLOWED_BACKENDS - {"tests.conftest.MemoryKeyring"}
    )
    yield
    keyring.set_keyring(previous)


@pytest.mark.usefixtures("real_allowlist", "allow_warnings")
def test_plaintext_keyring_is_refused(paths: DataPaths, tmp_path: Path) -> None:
    from keyrings.alt.file import PlaintextKeyring

    plain = PlaintextKeyring()
    plain.file_path = str(tmp_path / "kr.cfg")
    keyring.set_keyring(plain)
    with pytest.raises(KeychainError) as info:
        open_store(paths)
    assert "not the operating system's" in info.value.message
    assert "PlaintextKeyring" in info.value.message
    assert not (tmp_path / "kr.cfg").exists()
    assert not paths.db.exists() and not paths.store_id.exists()


@pytest.mark.usefixtures("real_allowlist")
def test_null_keyring_is_no_keychain(paths: DataPaths) -> None:
    keyring.set_keyring(keyring.backends.null.Keyring())
    with pytest.raises(KeychainError, match="No keychain"):
        open_store(paths)


@pytest.mark.usefixtures("real_allowlist", "allow_warnings")
def test_chainer_keeps_only_the_os_members(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """keyrings.alt installed beside the OS keychain (a source checkout's dev group) leaves
    the OS keychain usable: its members are left out; a chain of none of the OS's is refused."""
    from keyrings.alt.file import PlaintextKeyring

    chainer = keyring.backends.chainer.ChainerBackend()
    sneaky = MemoryKeyring()
    monkeypatch.setattr(keyring.backends.chainer.ChainerBackend, "backends", [sneaky])
    keyring.set_keyring(chainer)
    with pytest.raises(KeychainError):
        keys.os_keychain()
    monkeypatch.setattr(
        keys, "ALLOWED_BACKENDS", keys.ALLOWED_BACKENDS | {"tests.conftest.MemoryKeyring"}
    )
    assert keys.os_keychain() is chainer
    plain = PlaintextKeyring()
    plain.file_path = str(tmp_path / "kr.cfg")
    monkeypatch.setattr(keyring.backends.chainer.ChainerBackend, "backends", [plain, sneaky])
    kept = keys.os_keychain()
    assert kept is not chainer
    kept.set_password("infudesk", "probe", "x")
    assert sneaky.entries == {("infudesk", "probe"): "x"}
    assert kept.get_password("infudesk", "probe") == "x"
    assert not (tmp_path / "kr.cfg").exists()  # nothing went to the plaintext file
    monkeypatch.setattr(keyring.backends.chainer.ChainerBackend, "backends", [plain])
    with pytest.raises(KeychainError, match="PlaintextKeyring") as info:
        keys.os_keychain()
    # nobody chose the file keyring: what is missing is the OS keychain, and how to start one
    assert "No keychain of the operating system runs here" in info.value.message
    assert "'Keychain' in the README" in info.value.message
    assert "Remove the other keyring" not in info.value.message


@pytest.mark.usefixtures("real_allowlist", "allow_warnings")
def test_environment_variable_cannot_widen_the_allowlist(
    paths: DataPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    import keyring.core

    keyring.core.init_backend()
    with pytest.raises(KeychainError, match="not the operating system's") as info:
        open_store(paths)
    assert "Remove the other keyring package or the PYTHON_KEYRING_BACKEND" in info.value.message


class InitFailsKeyring(KeyringBackend):
    """Secret Service whose collection is locked from the start (the prompt is dismissed)."""

    priority = 1

    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.InitError("Failed to create the collection: Prompt dismissed..")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.InitError("Failed to create the collection: Prompt dismissed..")

    def delete_password(self, service: str, username: str) -> None:
        raise keyring.errors.InitError("x")


def test_keychain_locked_from_the_start_says_locked(
    paths: DataPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    previous = keyring.get_keyring()
    monkeypatch.setattr(
        keys, "ALLOWED_BACKENDS", keys.ALLOWED_BACKENDS | {"tests.test_safety.InitFailsKeyring"}
    )
    keyring.set_keyring(InitFailsKeyring())
    try:
        with pytest.raises(KeychainError) as info:
            open_store(paths)
    finally:
        keyring.set_keyring(previous)
    assert "locked" in info.value.message and "InitError" not in info.value.message


# --- permissions --------------------------------------------------------------------------


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_data_folder_is_user_only_even_if_it_existed(paths: DataPaths) -> None:
    old = os.umask(0o022)
    try:
        paths.root.mkdir(parents=True, mode=0o755)
        os.chmod(paths.root, 0o755)
        (paths.root / "logs").mkdir(mode=0o755)
        (paths.root / "logs" / "infudesk.log").write_text("x")
        os.chmod(paths.root / "logs" / "infudesk.log", 0o644)
        _filled(paths, 5)
        st = open_store(paths)
        try:
            bk.make_backup(st, paths.backups / "b.idbk")
        finally:
            st.close()
        assert cli.main(["check", "--data-dir", str(paths.root)]) == 0
    finally:
        os.umask(old)
    modes = {p: stat.S_IMODE(p.stat().st_mode) for p in [paths.root, *paths.root.rglob("*")]}
    for p, mode in modes.items():
        want = 0o700 if p.is_dir() else 0o600
        assert mode == want, f"{p.relative_to(paths.root.parent)} is {oct(mode)}"
    assert paths.db in modes and paths.backups / "b.idbk" in modes


def test_recovery_sheet_carries_the_key(store: Store) -> None:
    import io

    from pypdf import PdfReader

    pdf = bk.recovery_sheet_pdf(store, TODAY, Actor("boss"))
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    key = keys.recovery_key(keys.read_store_id(store.paths))
    assert key and key in text
    assert "infudesk restore" in text and "2026-11-27" in text


def _sheet_events(store: Store) -> list[tuple[str, str]]:
    from sqlalchemy import select

    from infudesk.store.models import AuditEvent

    with store.session() as s:
        rows = s.execute(
            select(AuditEvent.actor, AuditEvent.detail).where(AuditEvent.action == "recovery-sheet")
        ).all()
    return [(who, detail or "") for who, detail in rows]


def test_recovery_sheet_is_a_managers_and_each_one_is_in_the_trail(store: Store) -> None:
    from infudesk.services.access import PermissionDenied

    with pytest.raises(PermissionDenied):
        bk.recovery_sheet_pdf(store, TODAY, Actor("front.desk", role="front_desk"))
    assert _sheet_events(store) == []
    bk.recovery_sheet_pdf(store, TODAY, Actor("boss"))
    bk.recovery_sheet_pdf(store, TODAY, Actor("boss"))
    events = _sheet_events(store)
    assert [who for who, _d in events] == ["boss", "boss"]
    key = keys.recovery_key(keys.read_store_id(store.paths))
    assert key and all(key not in detail for _w, detail in events)  # never the key itself
    assert all(store.store_id in detail for _w, detail in events)


def test_recovery_sheet_is_given_while_the_database_refuses_writes(
    store: Store, caplog: pytest.LogCaptureFixture, allow_warnings: None
) -> None:
    """After a failed page check the sheet is what a restore needs: it is still given."""
    store.refuse_writes("page 7 failed its check: restore the latest backup")
    pdf = bk.recovery_sheet_pdf(store, TODAY, Actor("boss"))
    key = keys.recovery_key(keys.read_store_id(store.paths))
    assert key and pdf.startswith(b"%PDF")
    assert _sheet_events(store) == []  # the trail could not take it: the log says so
    assert any("refuses writes" in r.getMessage() for r in caplog.records)


def test_cli_recovery_sheet(
    paths: DataPaths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    from pypdf import PdfReader

    _filled(paths, 3)
    out = tmp_path / "sheet.pdf"
    base = ["recovery-sheet", "--out", str(out), "--data-dir", str(paths.root)]
    # without a manager's name: refused in one line, nothing written
    assert cli.main(base) != 0
    assert "--user" in capsys.readouterr().err and not out.exists()
    assert cli.main([*base, "--user", "boss"]) == 0
    said = capsys.readouterr().out
    assert "Wrote" in said and "delete the file" in said
    key = keys.recovery_key(keys.read_store_id(paths))
    assert key and key in PdfReader(io.BytesIO(out.read_bytes())).pages[0].extract_text()
    if os.name == "posix":
        assert stat.S_IMODE(out.stat().st_mode) == 0o600
    # an existing file is kept unless --force
    before = out.read_bytes()
    assert cli.main([*base, "--user", "boss"]) == 2
    assert "already exists" in capsys.readouterr().err and out.read_bytes() == before
    assert cli.main([*base, "--user", "boss", "--force"]) == 0
    capsys.readouterr()
    # a folder that is not there, and the demo: refused, nothing written
    missing = tmp_path / "nowhere" / "sheet.pdf"
    args = ["recovery-sheet", "--out", str(missing), "--user", "boss"]
    assert cli.main([*args, "--data-dir", str(paths.root)]) == 2
    assert "does not exist" in capsys.readouterr().err and not missing.parent.exists()
    assert cli.main(["recovery-sheet", "--out", str(tmp_path / "d.pdf"), "--demo"]) == 2
    assert "demo database has no recovery key" in capsys.readouterr().err
    assert not (tmp_path / "d.pdf").exists()
    st = open_store(paths)
    try:
        assert [who for who, _d in _sheet_events(st)] == ["boss", "boss"]
    finally:
        st.close()


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_cli_outputs_are_user_only(paths: DataPaths, tmp_path: Path) -> None:
    _filled(paths, 3)
    old = os.umask(0o022)
    try:
        out = tmp_path / "exports"
        assert (
            cli.main(
                [
                    "export",
                    "patient",
                    "D0001",
                    "--user",
                    "boss",
                    "--out",
                    str(out),
                    "--data-dir",
                    str(paths.root),
                ]
            )
            == 0
        )
        pdf = tmp_path / "letter.pdf"
        assert (
            cli.main(
                [
                    "letter",
                    "cost-letter",
                    "--patient",
                    "D0001",
                    "--user",
                    "boss",
                    "--out",
                    str(pdf),
                    "--data-dir",
                    str(paths.root),
                ]
            )
            == 0
        )
    finally:
        os.umask(old)
    files = [p for p in out.rglob("*") if p.is_file()] + [pdf]
    assert len(files) >= 2
    for p in files:
        assert stat.S_IMODE(p.stat().st_mode) == 0o600, p.name
