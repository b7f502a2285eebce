"""The database key: 256 random bits kept in the OS keychain (or, for the demo, beside it)."""

from __future__ import annotations

import logging
import os
import secrets
import uuid
from typing import TYPE_CHECKING

from infudesk.errors import DatabaseOpenError, KeychainError
from infudesk.paths import DataPaths

if TYPE_CHECKING:  # keyring itself is imported when the keychain is first used (not by the demo)
    import keyring.backend

log = logging.getLogger(__name__)

KEYRING_SERVICE = "infudesk"
KEY_BYTES = 32

KEYCHAIN_HELP = (
    "infudesk keeps the key of its encrypted database in the system keychain "
    "(Windows Credential Manager, macOS Keychain, or a Secret Service keychain on Linux such as "
    "GNOME Keyring or KeePassXC). {what}\n\n{fix}"
)
FIX_LOCKED = "Unlock the keychain (sign in to the computer again, or open the keychain app), then start infudesk again."
FIX_MISSING = (
    "Start and unlock a keychain service, then start infudesk again. On a Linux workstation "
    "without a desktop keychain, see 'Keychain' in the README. To look around without a "
    "keychain, use the demo: infudesk --demo."
)


FIX_OTHER = (
    "infudesk only keeps its key in the operating system's keychain. Remove the other keyring "
    "package or the PYTHON_KEYRING_BACKEND setting (or the keyringrc.cfg that names it), "
    "then start infudesk again. To look around without a keychain, use the demo: infudesk --demo."
)

FIX_NO_OS = (
    "No keychain of the operating system runs here (that is why this one was offered). Start "
    "and unlock one (on Linux a Secret Service such as GNOME Keyring; on a Linux workstation "
    "without a desktop keychain, see 'Keychain' in the README), then start infudesk again. To "
    "look around without a keychain, use the demo: infudesk --demo."
)


def _chosen_by_a_setting() -> bool:
    """Whether keyring was told which backend to use (PYTHON_KEYRING_BACKEND, keyringrc.cfg),
    rather than taking the best installed one."""
    import keyring.core

    if os.environ.get("PYTHON_KEYRING_BACKEND"):
        return True
    try:
        return keyring.core.load_config() is not None
    except Exception:  # a config keyring cannot read is still a setting someone made
        return True


# The operating systems' own keychains, by "module.Class". A backend outside this set (e.g.
# keyrings.alt's plaintext or "encrypted" file keyrings, the null and fail backends, anything
# PYTHON_KEYRING_BACKEND names) is refused, whatever is installed or configured. Tests
# monkeypatch this set to admit their in-memory keychain; nothing a user sets changes it.
ALLOWED_BACKENDS: frozenset[str] = frozenset(
    {
        "keyring.backends.Windows.WinVaultKeyring",  # Windows Credential Locker
        "keyring.backends.macOS.Keyring",  # macOS Keychain
        "keyring.backends.SecretService.Keyring",  # GNOME Keyring, KeePassXC, KWallet 5.97+
        "keyring.backends.libsecret.Keyring",  # the same Secret Service, through libsecret
    }
)
CHAINER = "keyring.backends.chainer.ChainerBackend"
NO_KEYCHAIN = frozenset({"keyring.backends.fail.Keyring", "keyring.backends.null.Keyring"})


def _name(backend: object) -> str:
    kind = type(backend)
    return f"{kind.__module__}.{kind.__qualname__}"


def os_keychain() -> keyring.backend.KeyringBackend:
    """The keyring backend in use, if it is the operating system's; KeychainError if not.

    keyring's default is a chainer of every backend installed. Its members that are the
    operating system's keychains are used (in the chainer's order) and the others left out,
    so that a package such as keyrings.alt being installed (a source checkout's dev tools)
    does not take the OS keychain away; a chain with no such member is refused."""
    import keyring

    backend = keyring.get_keyring()
    name = _name(backend)
    members = list(getattr(backend, "backends", [])) if name == CHAINER else [backend]
    names = [_name(m) for m in members]
    allowed = [m for m, n in zip(members, names, strict=True) if n in ALLOWED_BACKENDS]
    if allowed:
        if len(allowed) == len(members):
            return backend
        left_out = sorted({n for n in names if n not in ALLOWED_BACKENDS})
        log.info("keyring backends left out: %s", ", ".join(left_out))
        return allowed[0] if len(allowed) == 1 else _chain(allowed)
    if not names or all(n in NO_KEYCHAIN for n in names):
        raise KeychainError(
            KEYCHAIN_HELP.format(what="No keychain is available on this computer.", fix=FIX_MISSING)
        )
    other = next(n for n in names if n not in ALLOWED_BACKENDS)
    log.warning("refused keyring backend %s", other)
    raise KeychainError(
        KEYCHAIN_HELP.format(
            what=f"The keychain offered ({other}) is not the operating system's: it could keep "
            "the key in a file readable by anyone with the disk, so infudesk does not use it.",
            fix=FIX_OTHER if _chosen_by_a_setting() else FIX_NO_OS,
        )
    )


class AllowedChain:
    """The operating system's members of keyring's chainer, tried in its order (as the
    chainer does: read from the first that has the entry, write to the first that takes it)."""

    def __init__(self, members: list[keyring.backend.KeyringBackend]) -> None:
        self.backends = members

    def get_password(self, service: str, username: str) -> str | None:
        for member in self.backends:
            found = member.get_password(service, username)
            if found is not None:
                return found
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        for member in self.backends:
            try:
                member.set_password(service, username, password)
                return
            except NotImplementedError:
                continue

    def delete_password(self, service: str, username: str) -> None:
        for member in self.backends:
            try:
                member.delete_password(service, username)
                return
            except NotImplementedError:
                continue


def _chain(members: list[keyring.backend.KeyringBackend]) -> keyring.backend.KeyringBackend:
    return AllowedChain(members)  # type: ignore[return-value]


def _username(store_id: str) -> str:
    return f"database-key:{store_id}"


def _recovery_username(store_id: str) -> str:
    return f"recovery-key:{store_id}"


def _keyring_call(what: str, fn, *args):  # type: ignore[no-untyped-def]
    import keyring.errors

    backend = os_keychain()
    try:
        return getattr(backend, fn)(*args)
    except (keyring.errors.KeyringLocked, keyring.errors.InitError) as exc:
        # InitError: Secret Service could not open or unlock its collection (a keychain that
        # was locked from the start, or its unlock prompt was dismissed)
        raise KeychainError(
            KEYCHAIN_HELP.format(what="The keychain is locked.", fix=FIX_LOCKED)
        ) from exc
    except keyring.errors.NoKeyringError as exc:
        raise KeychainError(
            KEYCHAIN_HELP.format(what="No keychain is available on this computer.", fix=FIX_MISSING)
        ) from exc
    except Exception as exc:  # D-Bus errors, access denied, dismissed prompts
        log.warning("keychain %s failed: %s", what, type(exc).__name__)
        raise KeychainError(
            KEYCHAIN_HELP.format(
                what=f"The keychain refused to {what} the key ({type(exc).__name__}).",
                fix=FIX_LOCKED
                + " If access was denied, allow infudesk in the keychain's settings.",
            )
        ) from exc


def _parse_hex(text: str, where: str) -> bytes:
    try:
        key = bytes.fromhex(text.strip())
    except ValueError:
        key = b""
    if len(key) != KEY_BYTES:
        raise DatabaseOpenError(f"The key in {where} is not a valid infudesk key.")
    return key


def demo_key(paths: DataPaths) -> bytes:
    """The demo database's throwaway key, in a file beside it (created when missing)."""
    if paths.demo_key.exists():
        return _parse_hex(paths.demo_key.read_text(encoding="ascii"), str(paths.demo_key))
    if paths.db.exists():
        raise DatabaseOpenError(
            f"The demo database {paths.db} has lost its key file ({paths.demo_key.name}). "
            "Delete the demo folder to start a fresh demo."
        )
    key = secrets.token_bytes(KEY_BYTES)
    paths.demo_key.write_text(key.hex(), encoding="ascii")
    return key


def read_store_id(paths: DataPaths) -> str:
    return paths.store_id.read_text(encoding="ascii").strip() if paths.store_id.exists() else ""


def keychain_key(paths: DataPaths, *, create: bool = True) -> bytes:
    """The key of the database in ``paths``, from the keychain; a new one for a new database.

    A new key is saved in the keychain here, but ``store-id.txt`` is written by the caller
    once the new database is complete (see database.open_store).
    """
    db_exists = paths.db.exists()
    store_id = read_store_id(paths)
    if store_id:
        text = _keyring_call("read", "get_password", KEYRING_SERVICE, _username(store_id))
        if text:
            return _parse_hex(text, "the keychain")
        if db_exists:
            raise DatabaseOpenError(
                f"The key for the database {paths.db} is not in this computer's keychain "
                f"(entry '{KEYRING_SERVICE} / {_username(store_id)}'). The database cannot be read "
                "without it. Sign in as the user who created it, or restore the keychain entry "
                "from its backup; the file has not been changed."
            )
    elif db_exists:
        raise DatabaseOpenError(
            f"The database {paths.db} has no '{paths.store_id.name}' beside it, so its key cannot be "
            "found in the keychain. Restore that file from the same backup as the database; "
            "nothing has been changed."
        )
    if not create:
        raise DatabaseOpenError(f"There is no database in {paths.root}.")
    return new_keychain_key(store_id or uuid.uuid4().hex)[1]


def new_keychain_key(store_id: str) -> tuple[str, bytes]:
    """A new random database key saved (and read back) under ``store_id``."""
    key = secrets.token_bytes(KEY_BYTES)
    _save(_username(store_id), key.hex())
    log.info("created a new database key in the keychain")
    return store_id, key


def _save(username: str, value: str) -> None:
    _keyring_call("save", "set_password", KEYRING_SERVICE, username, value)
    back = _keyring_call("read", "get_password", KEYRING_SERVICE, username)
    if back != value:
        raise KeychainError(
            KEYCHAIN_HELP.format(what="The keychain did not keep the new key.", fix=FIX_MISSING)
        )


def pending_store_id(paths: DataPaths) -> str:
    """The store id a new database in ``paths`` will get (kept in memory until it exists)."""
    return read_store_id(paths) or uuid.uuid4().hex


# --- the recovery key (encrypts backups; printed once for the manager) ----------------------


def recovery_key(store_id: str) -> str | None:
    """The recovery key kept beside the database key (None if this database has none yet)."""
    text = _keyring_call("read", "get_password", KEYRING_SERVICE, _recovery_username(store_id))
    return str(text) if text else None


def save_recovery_key(store_id: str, text: str) -> None:
    _save(_recovery_username(store_id), text)


def audit_key(paths: DataPaths, *, demo: bool = False, create: bool = True) -> bytes:
    """The key of the audit trail's keyed hashes: a second entry beside the database key
    (keychain entry 'infudesk / audit-key:<store id>'; the demo keeps it in a file beside its
    database), created when missing. Call after the database key, which sets the store id.

    A separate key, so that someone who has the database key (for a repair, say) still cannot
    rewrite the audit trail without it showing. A backup carries it (inside the encrypted
    backup) so that the trail verifies after a restore on another computer.
    """
    if demo:
        path = paths.root / "demo-audit-key.txt"
        if path.exists():
            return _parse_hex(path.read_text(encoding="ascii"), str(path))
        if not create:
            raise DatabaseOpenError(f"The demo audit key {path} is missing.")
        key = secrets.token_bytes(KEY_BYTES)
        path.write_text(key.hex(), encoding="ascii")
        return key
    store_id = read_store_id(paths)
    if not store_id:
        raise DatabaseOpenError(
            f"The database {paths.db} has no '{paths.store_id.name}' beside it, so its audit key "
            "cannot be found in the keychain."
        )
    text = _keyring_call("read", "get_password", KEYRING_SERVICE, _audit_username(store_id))
    if text:
        return _parse_hex(str(text), "the keychain")
    if not create:
        raise DatabaseOpenError(
            f"The audit key of the database {paths.db} is not in this computer's keychain "
            f"(entry '{KEYRING_SERVICE} / {_audit_username(store_id)}')."
        )
    key = secrets.token_bytes(KEY_BYTES)
    save_audit_key(store_id, key)
    log.info("created a new audit key in the keychain")
    return key


def _audit_username(store_id: str) -> str:
    return f"audit-key:{store_id}"


def save_audit_key(store_id: str, key: bytes) -> None:
    """Keep ``key`` as the audit key of the database ``store_id`` (a restore brings it)."""
    _save(_audit_username(store_id), key.hex())
