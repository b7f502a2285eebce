"""Backups that restore on another computer, and their restore.

A backup is ONE file: ``MAGIC``, a 4-byte header length, a JSON header (the manifest:
format version, app version, schema revision, time, counts, KDF salt, SHA-256 of the body),
then the body: the database re-encrypted (``sqlcipher_export``, a consistent read of the live
database even while the app has it open in WAL mode; never a file copy) under a key derived
from the RECOVERY KEY, not the keychain's database key.

Where the recovery key lives: the app makes it when it creates the database and keeps it in
the OS keychain beside the database key (a second entry, ``recovery-key:<store id>``), so
that automatic backups need nobody to type it; the manager prints it once on the recovery
sheet and keeps the sheet in a safe place. A new computer restores by typing it.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import shutil
import struct
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from infudesk import __version__
from infudesk.errors import UserError
from infudesk.paths import DataPaths
from infudesk.services import audit
from infudesk.services.audit import Actor
from infudesk.store import keys, migrate, recovery
from infudesk.store.database import Store, open_store
from infudesk.store.engine import key_pragma_for, open_raw
from infudesk.store.files import fsync_dir, secure_file
from infudesk.store.lock import StoreLock

log = logging.getLogger(__name__)

MAGIC = b"INFUDESK-BACKUP\n"
FORMAT_VERSION = 1
SUFFIX = ".idbk"
AUTO_PATTERN = re.compile(r"^infudesk-auto-\d{8}-\d{6}\.idbk$")
KEY_CHECK = b"infudesk recovery key check"


class BackupError(UserError):
    title = "Backup"


@dataclass(frozen=True)
class Manifest:
    header: dict[str, Any]
    body_offset: int

    @property
    def counts(self) -> dict[str, int]:
        return dict(self.header["counts"])

    @property
    def schema(self) -> str:
        return str(self.header["schema_revision"])


def _now() -> datetime:
    return datetime.now(UTC)


def _store_id(paths: DataPaths) -> str:
    store_id = keys.read_store_id(paths)
    if not store_id:
        raise BackupError("This data folder has no store id: open it in infudesk first.")
    return store_id


def ensure_recovery_key(paths: DataPaths, store_id: str | None = None) -> tuple[str, bool]:
    """The database's recovery key and whether it was made just now (older databases).
    ``store_id``: a server database's (else the local one's, from ``paths``)."""
    store_id = store_id or _store_id(paths)
    existing = keys.recovery_key(store_id)
    if existing:
        return existing, False
    made = recovery.generate()
    keys.save_recovery_key(store_id, made)
    log.info("made a recovery key for an existing database")
    return made, True


def _export(raw: Any, dest: Path, dest_key: bytes) -> tuple[dict[str, int], str | None]:
    """sqlcipher_export the connection's main database into a new file under ``dest_key``,
    in one read transaction (so the copy is consistent even while others write); returns
    the counts and schema revision read in that same transaction."""
    from infudesk.services.check import COUNTED

    assert not raw.in_transaction
    raw.execute("ATTACH DATABASE ? AS target KEY ?", (str(dest), f"x'{dest_key.hex()}'"))
    try:
        raw.execute("BEGIN")
        try:
            numbers = {
                name: int(raw.execute(f'SELECT count(*) FROM "{m.__tablename__}"').fetchone()[0])
                for name, m in COUNTED.items()
            }
            row = raw.execute("SELECT version_num FROM alembic_version").fetchone()
            raw.execute("SELECT sqlcipher_export('target')").fetchall()
            raw.execute("COMMIT")
        except BaseException:
            raw.execute("ROLLBACK")
            raise
    finally:
        raw.execute("DETACH DATABASE target")
    return numbers, (str(row[0]) if row else None)


def _export_server(store: Store, dest: Path, dest_key: bytes) -> tuple[dict[str, int], str | None]:
    """A server's rows into a new SQLCipher file under ``dest_key`` (schema by the same
    migrations), read in one REPEATABLE READ transaction: a consistent copy while other
    workstations go on writing. The same backup format as a local database's."""
    from infudesk.services.check import COUNTED
    from infudesk.services.migrate_to import copy_rows
    from infudesk.store.engine import make_engine

    target = make_engine(dest, dest_key)
    try:
        with store.engine.connect() as src:
            revision = migrate.current_revision(src)
            src.rollback()
        migrate.upgrade(target, dest, target=revision or "head")
        with (
            store.engine.connect().execution_options(isolation_level="REPEATABLE READ") as src,
            target.connect() as dst,
            src.begin(),
            dst.begin(),
        ):
            numbers = {
                name: int(src.scalar(select(func.count()).select_from(m)) or 0)
                for name, m in COUNTED.items()
            }
            copy_rows(src, dst)
    finally:
        target.dispose()
    return numbers, revision


def _verify(path: Path, key: bytes) -> str | None:
    from infudesk.store.backup import verify_copy

    return verify_copy(path, key_pragma_for(key))


def _revision(path: Path, key: bytes) -> str | None:
    conn = open_raw(path, key_pragma_for(key))
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        return str(row[0]) if row else None
    finally:
        conn.close()


def _cleanup(*paths: Path) -> None:
    for p in paths:
        for extra in ("", "-journal", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                Path(f"{p}{extra}").unlink()


def make_backup(store: Store, out: Path, actor: Actor | None = None) -> Manifest:
    """Write a backup of the open store to ``out`` (temporary name, verified, renamed) and
    record it in the audit trail (counts and schema only: no file name, no patient data)."""
    if store.demo:
        raise BackupError("The demo database is not backed up (its patients are fictional).")
    recovery_text, _made = ensure_recovery_key(store.paths, store.store_id)
    salt = secrets.token_bytes(16)
    key = recovery.derive(recovery_text, salt)
    if out.exists() and out.is_dir():
        raise BackupError(f"{out} is a folder: give a file name for the backup.")
    out.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    part = out.with_name(f".{out.name}.db.part")
    _cleanup(part)
    try:
        if store.target is not None:
            numbers, revision = _export_server(store, part, key)
        else:
            with store.engine.connect() as conn:
                raw = conn.connection.driver_connection
                numbers, revision = _export(raw, part, key)
        secure_file(part)
        problem = _verify(part, key)
        if problem is not None:
            raise BackupError(f"The backup could not be verified ({problem}); nothing was written.")
        body = part.read_bytes()
        header = {
            "format": "infudesk-backup",
            "format_version": FORMAT_VERSION,
            "app_version": __version__,
            "schema_revision": revision,
            "created_at": _now().isoformat(timespec="seconds"),
            "counts": numbers,
            "kdf": {
                "name": "pbkdf2-sha256",
                "iterations": recovery.KDF_ITERATIONS,
                "salt": salt.hex(),
            },
            "key_check": hmac.new(key, KEY_CHECK, hashlib.sha256).hexdigest(),
            "audit_key": _wrap_audit_key(key, store.audit_key),
            "body_size": len(body),
            "body_sha256": hashlib.sha256(body).hexdigest(),
        }
        head = json.dumps(header, sort_keys=True).encode("utf-8")
        tmp = out.with_name(f".{out.name}.part")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(MAGIC + struct.pack(">I", len(head)) + head)
                fh.write(body)
                fh.flush()
                os.fsync(fh.fileno())
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise
        os.replace(tmp, out)
        fsync_dir(out.parent)
    except OSError as exc:
        raise BackupError(
            f"The backup could not be written to {out}: {exc.strerror or exc}."
        ) from exc
    finally:
        _cleanup(part)
    log.info("backup written (%d bytes)", out.stat().st_size)
    with store.session() as s:
        audit.record(
            s,
            actor or Actor.system("backup"),
            "backup",
            "database",
            None,
            detail={"schema": revision, "patients": numbers.get("patients", 0)},
        )
    return Manifest(header, len(MAGIC) + 4 + len(head))


def _audit_pad(key: bytes) -> bytes:
    """A one-time pad for the audit key, from this backup's key (its salt is random)."""
    return hmac.new(key, b"infudesk-audit-key", hashlib.sha256).digest()


def _wrap_audit_key(key: bytes, audit_key: bytes | None) -> str | None:
    """The audit trail's key, carried by the backup so the restored trail verifies on another
    computer: XORed with a pad only the recovery key can make."""
    if audit_key is None:
        return None
    return bytes(a ^ b for a, b in zip(audit_key, _audit_pad(key), strict=True)).hex()


def _unwrap_audit_key(key: bytes, wrapped: object) -> bytes | None:
    if not isinstance(wrapped, str):
        return None
    raw = bytes.fromhex(wrapped)
    return bytes(a ^ b for a, b in zip(raw, _audit_pad(key), strict=True))


def read_manifest(path: Path) -> Manifest:
    """The header of a backup file, with its body checked against the SHA-256 it carries."""
    damaged = BackupError(
        f"{path} is not an infudesk backup, or it is damaged. Nothing was changed."
    )
    try:
        with path.open("rb") as fh:
            if fh.read(len(MAGIC)) != MAGIC:
                raise damaged
            (n,) = struct.unpack(">I", fh.read(4))
            if n > 1_000_000:
                raise damaged
            header = json.loads(fh.read(n).decode("utf-8"))
            digest = hashlib.sha256()
            size = 0
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
                size += len(chunk)
    except FileNotFoundError as exc:
        raise BackupError(f"There is no file {path}.") from exc
    except OSError as exc:
        raise BackupError(f"{path} cannot be read: {exc.strerror or exc}.") from exc
    except (ValueError, struct.error) as exc:
        raise damaged from exc
    if not isinstance(header, dict) or header.get("format") != "infudesk-backup":
        raise damaged
    if int(header.get("format_version", 0)) > FORMAT_VERSION:
        raise BackupError(f"{path} was made by a newer version of infudesk: install it to restore.")
    if size != header.get("body_size") or digest.hexdigest() != header.get("body_sha256"):
        raise damaged
    return Manifest(header, len(MAGIC) + 4 + n)


def check_backup(backup: Path, recovery_text: str) -> tuple[Manifest, bytes]:
    """The backup's manifest and its key, after checking the file and the recovery key."""
    manifest = read_manifest(backup)
    header = manifest.header
    if recovery.normalize(recovery_text) is None:
        raise BackupError(
            "That is not a recovery key (25 letters and digits, e.g. ABCDE-FGH2J-...). "
            "Nothing was changed."
        )
    salt = bytes.fromhex(header["kdf"]["salt"])
    bkey = recovery.derive(recovery_text, salt, int(header["kdf"]["iterations"]))
    expected = hmac.new(bkey, KEY_CHECK, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, str(header.get("key_check", ""))):
        raise BackupError("The recovery key does not fit this backup. Nothing was changed.")
    return manifest, bkey


def restore_backup(
    paths: DataPaths, backup: Path, recovery_text: str, actor: Actor | None = None
) -> Manifest:
    """Replace the database in ``paths`` with the backup, re-keyed for this computer.

    Everything is checked (file, recovery key, pages, schema version) before the current
    database is touched; it is then kept aside in ``backups/`` until the restored one opens.
    """
    manifest, bkey = check_backup(backup, recovery_text)
    paths.ensure()
    lock = StoreLock(paths.lock)
    lock.acquire(paths.db)
    plain = paths.root / ".restore-from-backup.db"
    rekeyed = paths.root / ".restore-rekeyed.db"
    _cleanup(plain, rekeyed)
    aside: Path | None = None
    old_audit_key: bytes | None = None
    try:
        with backup.open("rb") as src, open(plain, "wb") as dst:
            src.seek(manifest.body_offset)
            shutil.copyfileobj(src, dst)
        secure_file(plain)
        problem = _verify(plain, bkey)
        if problem is not None:
            raise BackupError(f"The backup {backup} is damaged ({problem}). Nothing was changed.")
        revision = _revision(plain, bkey)
        known = _known_revisions()
        if revision not in known:
            raise BackupError(
                f"The backup {backup} is from a newer version of infudesk (schema {revision}). "
                "Install that version to restore it. Nothing was changed."
            )
        # this computer's key: the existing one for this folder, else a new store id and key
        store_id = keys.read_store_id(paths)
        local_key: bytes | None = None
        if store_id and paths.db.exists():
            with contextlib.suppress(UserError):
                local_key = keys.keychain_key(paths, create=False)
        if local_key is None:  # a new computer (or an unreadable current database)
            store_id, local_key = keys.new_keychain_key(uuid.uuid4().hex)
        conn = open_raw(plain, key_pragma_for(bkey))
        try:
            _export(conn, rekeyed, local_key)
        finally:
            conn.close()
        secure_file(rekeyed)
        problem = _verify(rekeyed, local_key)
        if problem is not None:
            raise BackupError(
                f"The restored copy could not be verified ({problem}). Nothing was changed."
            )
        # from here on the current database is set aside (never deleted)
        if paths.db.exists():
            paths.backups.mkdir(parents=True, exist_ok=True, mode=0o700)
            stamp = _now().strftime("%Y%m%dT%H%M%SZ")
            aside = paths.backups / f"{paths.db.stem}-{stamp}-before-restore.db"
            old_id = keys.read_store_id(paths)
            os.replace(paths.db, aside)
            for extra in ("-wal", "-shm"):
                side = Path(f"{paths.db}{extra}")
                if side.exists():
                    os.replace(side, Path(f"{aside}{extra}"))
            if old_id:
                (aside.with_suffix(".store-id.txt")).write_text(old_id + "\n", encoding="ascii")
        from infudesk.store.files import write_atomic

        write_atomic(paths.store_id, (store_id + "\n").encode("ascii"))
        os.replace(rekeyed, paths.db)
        fsync_dir(paths.root)
        keys.save_recovery_key(store_id, recovery.normalize(recovery_text) or recovery_text)
        audit_key = _unwrap_audit_key(bkey, manifest.header.get("audit_key"))
        if audit_key is not None:
            with contextlib.suppress(UserError):
                old_audit_key = keys.audit_key(paths, create=False)
            keys.save_audit_key(store_id, audit_key)
    except BaseException:
        _cleanup(plain, rekeyed)
        lock.release()
        raise
    _cleanup(plain)
    lock.release()
    try:  # the restored database must open here (and is brought to this version's schema)
        restored = open_store(paths)
        try:
            with restored.session() as s:
                audit.record(
                    s,
                    actor or Actor.system("restore"),
                    "restore",
                    "database",
                    None,
                    detail={"backup_made_at": manifest.header["created_at"], "schema": revision},
                )
        finally:
            restored.close()
    except BaseException:
        if old_audit_key is not None:
            keys.save_audit_key(keys.read_store_id(paths), old_audit_key)
        if aside is not None:
            os.replace(aside, paths.db)
            old = aside.with_suffix(".store-id.txt")
            if old.exists():
                os.replace(old, paths.store_id)
            log.error("restored database did not open; the previous one is back")
        raise
    log.info("restored a backup (schema %s)", revision)
    return manifest


def recovery_sheet_pdf(store: Store, today: date, actor: Actor) -> bytes:
    """The recovery sheet of the open (non-demo) store, as PDF bytes: a manager's (it holds
    the key that opens every backup). Each sheet made is kept in the audit trail (who, when,
    where; never the key). A database that refuses writes (a page check failed) still gives
    its sheet, which is what a restore needs; the trail then cannot take the entry, and the
    log says so."""
    from infudesk.documents.recovery_sheet import RecoverySheet, build
    from infudesk.services import settings
    from infudesk.services.access import Permission, require

    require(actor, Permission.BACKUP)
    if store.demo:
        raise BackupError("The demo database has no recovery key (it is not backed up).")
    key, _made = ensure_recovery_key(store.paths, store.store_id)
    with store.session() as s:
        center = str(settings.get(s, "center.name"))
    pdf = build(RecoverySheet(center, store.store_id, key, today))
    if store.writes_refused:
        log.warning("recovery sheet made while the database refuses writes: not in the trail")
        return pdf
    with store.session() as s:
        audit.record(
            s, actor, "recovery-sheet", "database", None, detail={"store_id": store.store_id}
        )
    return pdf


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(migrate.alembic_config())
    return {rev.revision for rev in script.walk_revisions()}


# --- automatic backups on close ----------------------------------------------------------


def auto_backup(store: Store, *, now: datetime | None = None) -> Path | None:
    """At most one backup a day into the manager's folder, keeping the last N; None if it
    was not due (or this is the demo)."""
    from infudesk.services import settings

    if store.demo:
        return None
    now = now or _now()
    with store.session() as s:
        folder_text = str(settings.get(s, "backup.folder") or "")
        keep = int(settings.get(s, "backup.keep"))
        last = str(settings.get(s, "backup.last") or "")
    if last and date.fromisoformat(last[:10]) >= now.date():
        return None
    folder = Path(folder_text).expanduser() if folder_text else store.paths.backups / "automatic"
    out = folder / f"infudesk-auto-{now.strftime('%Y%m%d-%H%M%S')}{SUFFIX}"
    make_backup(store, out)
    with store.session() as s:
        settings.put(s, Actor.system("backup"), "backup.last", now.isoformat(timespec="seconds"))
    olds = sorted(p for p in folder.iterdir() if AUTO_PATTERN.match(p.name))
    for old in olds[: max(0, len(olds) - keep)]:
        with contextlib.suppress(OSError):
            old.unlink()
    return out


# --- a server database ---------------------------------------------------------------------


def restore_to_server(
    paths: DataPaths,
    target: Any,
    backup: Path,
    recovery_text: str,
    *,
    password: str | None = None,
    actor: Actor | None = None,
) -> Manifest:
    """Restore a backup into an EMPTY database on a server (the same checks as a local
    restore; the rows are copied as ``migrate-to`` does, verified table by table). The
    restored database gets a new store id; its audit key comes from the backup."""
    from infudesk.services.migrate_to import copy_database
    from infudesk.store.database import open_server_store
    from infudesk.store.engine import make_engine
    from infudesk.store.server import make_server_engine

    manifest, bkey = check_backup(backup, recovery_text)
    audit_key = _unwrap_audit_key(bkey, manifest.header.get("audit_key"))
    if audit_key is None:
        raise BackupError(
            f"The backup {backup} does not carry its audit key: restore it on a workstation "
            "first, then copy that database to the server with migrate-to."
        )
    paths.ensure()
    plain = paths.root / ".restore-to-server.db"
    _cleanup(plain)
    try:
        with backup.open("rb") as src, open(plain, "wb") as dst:
            src.seek(manifest.body_offset)
            shutil.copyfileobj(src, dst)
        secure_file(plain)
        problem = _verify(plain, bkey)
        if problem is not None:
            raise BackupError(f"The backup {backup} is damaged ({problem}). Nothing was changed.")
        revision = _revision(plain, bkey)
        if revision not in _known_revisions():
            raise BackupError(
                f"The backup {backup} is from a newer version of infudesk (schema {revision}). "
                "Install that version to restore it. Nothing was changed."
            )
        local = make_engine(plain, bkey)
        remote = make_server_engine(target, password)
        try:
            migrate.upgrade(local, plain)  # the temporary copy only: an older backup's schema
            copy_database(
                local,
                remote,
                target,
                store_id=uuid.uuid4().hex,
                audit_key=audit_key,
                recovery_text=recovery.normalize(recovery_text) or recovery_text,
            )
        finally:
            local.dispose()
            remote.dispose()
    finally:
        _cleanup(plain)
    restored = open_server_store(paths, target, create=False, password=password)
    try:
        with restored.session() as s:
            audit.record(
                s,
                actor or Actor.system("restore"),
                "restore",
                "database",
                None,
                detail={"backup_made_at": manifest.header["created_at"], "schema": revision},
            )
    finally:
        restored.close()
    log.info("restored a backup into a server database (schema %s)", revision)
    return manifest
