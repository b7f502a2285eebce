"""The database key: 256 random bits kept in the OS keychain (or, for the demo, beside it)."""

from __future__ import annotations

import logging
import secrets
import uuid

import keyring
import keyring.errors

from infudesk.errors import DatabaseOpenError, KeychainError
from infudesk.paths import DataPaths

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


def _username(store_id: str) -> str:
    return f"database-key:{store_id}"


def _keyring_call(what: str, fn, *args):  # type: ignore[no-untyped-def]
    try:
        return fn(*args)
    except keyring.errors.KeyringLocked as exc:
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


def keychain_key(paths: DataPaths, *, create: bool = True) -> bytes:
    """The key of the database in ``paths``, from the keychain; a new one for a new database."""
    db_exists = paths.db.exists()
    store_id = paths.store_id.read_text(encoding="ascii").strip() if paths.store_id.exists() else ""
    if store_id:
        text = _keyring_call("read", keyring.get_password, KEYRING_SERVICE, _username(store_id))
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
    store_id = store_id or uuid.uuid4().hex
    key = secrets.token_bytes(KEY_BYTES)
    _keyring_call("save", keyring.set_password, KEYRING_SERVICE, _username(store_id), key.hex())
    back = _keyring_call("read", keyring.get_password, KEYRING_SERVICE, _username(store_id))
    if back != key.hex():
        raise KeychainError(
            KEYCHAIN_HELP.format(what="The keychain did not keep the new key.", fix=FIX_MISSING)
        )
    paths.store_id.write_text(store_id + "\n", encoding="ascii")
    log.info("created a new database key in the keychain")
    return key


def audit_key(paths: DataPaths, *, demo: bool = False, create: bool = True) -> bytes:
    """The key of the audit trail's keyed hashes: a second entry beside the database key
    (keychain entry 'infudesk / audit-key:<store id>'; the demo keeps it in a file beside its
    database), created when missing. Call after the database key, which sets the store id.

    A separate key, so that someone who has the database key (for a repair, say) still cannot
    rewrite the audit trail without it showing. A backup must carry it (with the database key)
    for the trail to verify after a restore on another computer.
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
    store_id = paths.store_id.read_text(encoding="ascii").strip() if paths.store_id.exists() else ""
    if not store_id:
        raise DatabaseOpenError(
            f"The database {paths.db} has no '{paths.store_id.name}' beside it, so its audit key "
            "cannot be found in the keychain."
        )
    user = f"audit-key:{store_id}"
    text = _keyring_call("read", keyring.get_password, KEYRING_SERVICE, user)
    if text:
        return _parse_hex(text, "the keychain")
    if not create:
        raise DatabaseOpenError(
            f"The audit key of the database {paths.db} is not in this computer's keychain "
            f"(entry '{KEYRING_SERVICE} / {user}')."
        )
    key = secrets.token_bytes(KEY_BYTES)
    _keyring_call("save", keyring.set_password, KEYRING_SERVICE, user, key.hex())
    if _keyring_call("read", keyring.get_password, KEYRING_SERVICE, user) != key.hex():
        raise KeychainError(
            KEYCHAIN_HELP.format(what="The keychain did not keep the new key.", fix=FIX_MISSING)
        )
    log.info("created a new audit key in the keychain")
    return key
