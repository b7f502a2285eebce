"""What the Settings screen decides, without Qt: what was typed as the value to store, each
field's problem (the checks are the settings service's, so every caller is held to them), which
settings changed, and the status line."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from infudesk.domain.validation import check_phone, phone_digits
from infudesk.services import settings as st

ADDRESS_LINES = st.ADDRESS_LINES


def check(key: str) -> Callable[[str], str | None] | None:
    """The service's check of a text setting (None: any text is fine)."""
    return st.CHECKS.get(key)


def phone_value(text: str) -> str:
    """The digits of a valid phone number (as stored); anything else as typed (to be checked)."""
    return phone_digits(text) if text.strip() and check_phone(text) is None else text.strip()


def tin_value(text: str) -> str:
    """A TIN typed as 9 digits is stored as NN-NNNNNNN."""
    return st.normalize_tin(text)


def address_value(text: str) -> str:
    """The address's non-empty lines, each trimmed."""
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def changes(form: Mapping[str, Any], loaded: Mapping[str, Any]) -> dict[str, Any]:
    """The settings whose value on the form differs from the saved one."""
    return {key: value for key, value in form.items() if value != loaded.get(key)}


def problems(
    values: Mapping[str, Any], checks: Mapping[str, Callable[[Any], str | None] | None]
) -> dict[str, str]:
    """Setting → its problem, for the changed values (``checks``: the form's own, e.g. the
    logo's, over the service's)."""
    out: dict[str, str] = {}
    for key, value in values.items():
        fn = checks.get(key) or st.CHECKS.get(key)
        problem = fn(value) if fn is not None else None
        if problem:
            out[key] = problem
    return out


def errors_status(errors: Mapping[str, str]) -> str:
    if not errors:
        return ""
    n = len(errors)
    return f"Please check {n} setting{'s' if n != 1 else ''} marked in red. Nothing was saved."
