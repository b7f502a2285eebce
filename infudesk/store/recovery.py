"""The recovery key: what a manager types to restore a backup on another computer.

25 random characters from a 32-letter alphabet without look-alikes (125 bits), shown in
groups of five. Backups are encrypted with a key derived from it (PBKDF2-HMAC-SHA256 with a
random salt kept in the backup's header), never with the keychain's database key.
"""

from __future__ import annotations

import hashlib
import secrets

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no I, O, 0, 1
LENGTH = 25
GROUP = 5
KDF_ITERATIONS = 200_000


def generate() -> str:
    return format_key("".join(secrets.choice(ALPHABET) for _ in range(LENGTH)))


def normalize(text: str) -> str | None:
    """The key as typed (any case, with or without spaces and dashes), or None if it
    cannot be a recovery key."""
    raw = "".join(ch for ch in text.upper() if ch not in " -\t\n")
    if len(raw) != LENGTH or any(ch not in ALPHABET for ch in raw):
        return None
    return format_key(raw)


def format_key(raw: str) -> str:
    raw = raw.replace("-", "")
    return "-".join(raw[i : i + GROUP] for i in range(0, len(raw), GROUP))


def derive(recovery_key: str, salt: bytes, iterations: int = KDF_ITERATIONS) -> bytes:
    """The 256-bit database key of a backup, from the recovery key and the backup's salt."""
    norm = normalize(recovery_key)
    if norm is None:
        raise ValueError("not a recovery key")
    return hashlib.pbkdf2_hmac("sha256", norm.encode("ascii"), salt, iterations, dklen=32)
