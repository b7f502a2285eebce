"""Errors a person can cause or fix: each carries a message that says what to do."""

from __future__ import annotations


class UserError(Exception):
    """An error with a message fit to show a front-desk user (no traceback)."""

    title = "infudesk"

    def __init__(self, message: str, *, title: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if title:
            self.title = title


class KeychainError(UserError):
    """The OS keychain is missing, locked or refused access."""

    title = "Keychain not available"


class DatabaseOpenError(UserError):
    """The database file cannot be opened (wrong key, damaged, newer, in use)."""

    title = "Cannot open the database"


class ValidationFailed(UserError):
    """Input that cannot be saved; ``errors`` maps field names to messages."""

    title = "Please check the form"

    def __init__(self, errors: dict[str, str], *, title: str | None = None) -> None:
        super().__init__("; ".join(f"{k}: {m}" for k, m in errors.items()), title=title)
        self.errors = errors


class NotFound(UserError):
    """A record that does not exist (or no longer exists)."""

    title = "Not found"


class Conflict(UserError):
    """Someone else changed the record since it was opened."""

    title = "Changed elsewhere"
