"""Test set-up: offscreen Qt, a temporary data dir and an in-memory keyring for every test."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import keyring
import pytest
from keyring.backend import KeyringBackend

from infudesk.paths import DataPaths
from infudesk.services.audit import Actor
from infudesk.store import keys
from infudesk.store.database import Store, open_store

TODAY = date(2026, 11, 27)


class MemoryKeyring(KeyringBackend):
    """A keychain that lives in a dict: tests never touch a real one."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.entries.pop((service, username), None)


# The test keychains (this in-memory one and those of test_store.py) count as the OS's.
TEST_BACKENDS = frozenset(
    {
        "tests.conftest.MemoryKeyring",
        "tests.test_store.LockedKeyring",
        "tests.test_store.BrokenKeyring",
        "tests.test_store.ForgetfulKeyring",
        "tests.test_store.InitFailsKeyring",
    }
)


# for the whole session (session-scoped fixtures open stores too); tests of the allowlist
# itself monkeypatch it back to what ships
keys.ALLOWED_BACKENDS = keys.ALLOWED_BACKENDS | TEST_BACKENDS


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id with tiny parameters in tests (the real ones take ~0.3 s a check)."""
    from argon2 import PasswordHasher

    from infudesk.services import staff

    monkeypatch.setattr(staff, "HASHER", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own data dir; INFUDESK_DATA_DIR points there too."""
    d = tmp_path / "data"
    monkeypatch.setenv("INFUDESK_DATA_DIR", str(d))
    return d


@pytest.fixture
def paths(data_dir: Path) -> DataPaths:
    return DataPaths(data_dir)


@pytest.fixture
def store(paths: DataPaths) -> Iterator[Store]:
    st = open_store(paths)
    yield st
    st.close()


@pytest.fixture
def actor() -> Actor:
    return Actor("test.clerk")  # a manager by default (Actor.role): may do everything


@pytest.fixture(autouse=True)
def fail_on_warning_logs(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """An unexpected WARNING (or worse) from infudesk fails the test (mark to allow)."""
    caplog.set_level(logging.WARNING, logger="infudesk")
    yield
    bad = [
        r
        for r in caplog.get_records("call")
        if r.name.startswith("infudesk") and r.levelno >= logging.WARNING
    ]
    allowed = getattr(caplog, "_infudesk_allowed", False)
    if bad and not allowed:
        pytest.fail("unexpected warning logs: " + "; ".join(r.getMessage() for r in bad))


@pytest.fixture
def allow_warnings(caplog: pytest.LogCaptureFixture) -> None:
    caplog._infudesk_allowed = True  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _stop_stale_dialog_pollers() -> Iterator[None]:
    yield
    from tests.qt_helpers import MODAL_GENERATION

    MODAL_GENERATION[0] += 1
