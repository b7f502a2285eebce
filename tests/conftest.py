"""Test set-up: offscreen Qt, a temporary data dir and an in-memory keyring for every test."""
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import keyring
import pytest
from keyring.backend import KeyringBackend

from infudesk.paths import DataPaths
from infudesk.services.audit import Actor
from infudesk.store import keys
from infudesk.store.database import Store, open_server_store, open_store
from infudesk.store.server import ServerTarget, parse_database_url

TODAY = date(2026, 11, 27)


class MemoryKeyring(KeyringBackend):
    """A keychain that lives in a dict: tests never touch a real one."""

    priority = 1

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
def no_heap_freeze(monkeypatch: pytest.MonkeyPatch) -> None:
    """No gc.freeze() inside the test process (infudesk.heap): a test that checks the app
    settles its heap turns it back on for itself."""
    from infudesk import heap

    monkeypatch.setattr(heap, "ENABLED", False)


@pytest.fixture(autouse=True)
def no_worklist_settle(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Worklist screen does not settle in the background after each load (services.
    worklist.settle: a check and two kept worklists written); a test of it turns it on."""
    from infudesk.ui.worklist import controller

    monkeypatch.setattr(controller, "SETTLE_AFTER_MS", None)


@pytest.fixture
def spied(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[set[int] | None]]:
    """Whom each worklist build worked out (remembered: not build_afresh's, not tomorrow's
    in settle): the patients (a catch-up) or None (everyone)."""
    from infudesk.services import worklist as wsv

    seen: list[set[int] | None] = []
    real = wsv._build

    def spy(*args: Any, **kw: Any) -> Any:
        if kw.get("remember", True):
            seen.append(args[4] if len(args) > 4 else kw.get("only"))
        return real(*args, **kw)

    monkeypatch.setattr(wsv, "_build", spy)
    yield seen


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own data dir; INFUDESK_DATA_DIR points there too."""
    d = tmp_path / "data"
    monkeypatch.setenv("INFUDESK_DATA_DIR", str(d))
    return d


@pytest.fixture
def paths(data_dir: Path) -> DataPaths:
    return DataPaths(data_dir)


# --- both engines: the service and store tests run on SQLite and on PostgreSQL ------------
#
# .ci/pg-cluster starts a throwaway server and exports these; without them (a laptop without
# PostgreSQL) the PostgreSQL half skips, saying so; with INFUDESK_REQUIRE_PG=1 (CI) it fails.
PG_URL = os.environ.get("INFUDESK_TEST_PG_URL", "")
PG_PASSWORD = os.environ.get("INFUDESK_TEST_PG_PASSWORD", "")
PG_CA = os.environ.get("INFUDESK_TEST_PG_CA", "")
NO_PG = (
    "PostgreSQL tests need a server: run `eval $(.ci/pg-cluster start)` first "
    "(INFUDESK_TEST_PG_URL, INFUDESK_TEST_PG_PASSWORD and INFUDESK_TEST_PG_CA unset)"
)

# modules whose `store` tests run on both engines (the GUI tests stay on SQLite)
BOTH_ENGINES = {
    "test_audit_chain",
    "test_change_log",
    "test_coverage_terms_issue9",
    "test_coverages_service",
    "test_deadlines_service",
    "test_fees_assistance",
    "test_letters",
    "test_orders_service",
    "test_patients_service",
    "test_prior_auths_service",
    "test_quotes_service",
    "test_verifications_service",
    "test_verified_quote_service",
    "test_worklist_kept",
    "test_worklist_service",
    "test_server_store",
}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    module = metafunc.module.__name__.rsplit(".", 1)[-1]
    both = module in BOTH_ENGINES and metafunc.definition.get_closest_marker("sqlite_only") is None
    server_only = metafunc.definition.get_closest_marker("postgresql_only") is not None
    if server_only and "store" in metafunc.fixturenames:
        metafunc.parametrize("store", ["postgresql"], indirect=True)
    elif both and "store" in metafunc.fixturenames:
        metafunc.parametrize("store", ["sqlite", "postgresql"], indirect=True)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only: a store test about the SQLite file itself")
    config.addinivalue_line(
        "markers", "postgresql_only: a store test of several workstations on one server"
    )


def pg_admin_target() -> ServerTarget:
    if not (PG_URL and PG_PASSWORD):
        if os.environ.get("INFUDESK_REQUIRE_PG") == "1":
            pytest.fail(NO_PG)
        pytest.skip(NO_PG)
    return parse_database_url(PG_URL, PG_CA or None)


def pg_admin(sql: str) -> None:
    """Run one statement as the test role on the server's maintenance database."""
    import psycopg

    from infudesk.store.server import sqlalchemy_url

    target = pg_admin_target()
    url = sqlalchemy_url(target, PG_PASSWORD).set(drivername="postgresql")
    with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(sql)


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """A database at the newest schema, copied (CREATE DATABASE … TEMPLATE) for each test."""
    from infudesk.store import migrate
    from infudesk.store.server import make_server_engine

    target = pg_admin_target()
    name = f"infudesk_tpl_{os.getpid()}"
    pg_admin(f"DROP DATABASE IF EXISTS {name}")
    pg_admin(f"CREATE DATABASE {name}")
    engine = make_server_engine(target.with_dbname(name), PG_PASSWORD)
    migrate.upgrade(engine, name)
    engine.dispose()
    yield name
    drop_pg_database(name)


_PG_SERIAL = [0]


def drop_pg_database(name: str) -> None:
    """Drop a test database (a throwaway cluster: a failure to drop only leaves it there)."""
    import psycopg

    for _ in range(5):
        try:
            pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            return
        except psycopg.Error:
            time.sleep(0.2)


def new_pg_database(template: str | None) -> ServerTarget:
    _PG_SERIAL[0] += 1
    name = f"infudesk_t_{os.getpid()}_{_PG_SERIAL[0]}"
    drop_pg_database(name)
    pg_admin(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))
    return pg_admin_target().with_dbname(name)


@pytest.fixture
def pg_target(pg_template: str) -> Iterator[ServerTarget]:
    """A new database at the newest schema (empty, not named yet), password in the keychain."""
    from infudesk.store.server import save_password

    target = new_pg_database(pg_template)
    save_password(target, PG_PASSWORD)
    yield target
    drop_pg_database(target.dbname)


@pytest.fixture
def pg_empty() -> Iterator[ServerTarget]:
    """A new, truly empty database (no schema), password in the keychain."""
    from infudesk.store.server import save_password

    target = new_pg_database(None)
    save_password(target, PG_PASSWORD)
    yield target
    drop_pg_database(target.dbname)


@pytest.fixture
def store(request: pytest.FixtureRequest, paths: DataPaths) -> Iterator[Store]:
    """The local encrypted database; in BOTH_ENGINES modules also a PostgreSQL one."""
    engine = getattr(request, "param", "sqlite")
    if engine == "postgresql":
        target = request.getfixturevalue("pg_target")
        if paths.db.exists():  # a module's seeded local database: the same data on the server
            from infudesk.services.migrate_to import migrate_to

            migrate_to(paths, target)
        paths.ensure()
        st = open_server_store(paths, target)
    else:
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
