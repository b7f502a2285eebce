"""A shared PostgreSQL server (several workstations): its address, password, TLS and engine.

The address is a URL without a password (``postgresql://role@host:port/database``); the
password lives in the OS keychain (entry ``infudesk / db-password:role@host:port/database``),
never in a file. TLS is required: ``sslmode=verify-full`` unless the address says
``verify-ca``; the CA file comes from ``--ca-file`` / ``INFUDESK_DATABASE_CA`` / the
workstation's connection file / ``sslrootcert=`` in the URL, else the system's trust store.

Where a workstation finds its server (lowest wins): ``--database``, ``INFUDESK_DATABASE``, then
``connection.json`` in the data folder (written by Settings > Database). None of these is
the default: without them the local encrypted database is used.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast
from urllib.parse import parse_qs, unquote, urlsplit

from sqlalchemy import Connection, Engine, Row, Table, create_engine, func, select, text, update
from sqlalchemy.engine import URL

from infudesk.errors import DatabaseOpenError, KeychainError
from infudesk.store import keys, recovery
from infudesk.store.files import write_atomic
from infudesk.store.models import StoreState

log = logging.getLogger(__name__)

ENV_DATABASE = "INFUDESK_DATABASE"
ENV_CA_FILE = "INFUDESK_DATABASE_CA"
CONNECTION_FILE = "connection.json"
DEFAULT_PORT = 5432
SSL_MODES = ("verify-full", "verify-ca")
CONNECT_TIMEOUT_S = 10
STATE = cast(Table, StoreState.__table__)


class ServerAddressError(DatabaseOpenError):
    title = "Database address"


@dataclass(frozen=True)
class ServerTarget:
    """Where the shared database is (no password: that is in the keychain)."""

    user: str
    host: str
    port: int
    dbname: str
    sslmode: str = "verify-full"
    ca_file: str | None = None

    @property
    def label(self) -> str:
        """user@host:port/db: what messages and the keychain entry call it."""
        return f"{self.user}@{self.host}:{self.port}/{self.dbname}"

    @property
    def url(self) -> str:
        return f"postgresql://{self.label}"

    def with_dbname(self, dbname: str) -> ServerTarget:
        return ServerTarget(self.user, self.host, self.port, dbname, self.sslmode, self.ca_file)


def is_server_url(text: str | None) -> bool:
    return bool(text) and str(text).split(":", 1)[0].lower() in (
        "postgresql",
        "postgres",
        "postgresql+psycopg",
    )


def parse_database_url(text: str, ca_file: str | None = None) -> ServerTarget:
    """Read ``postgresql://role@host[:port]/database[?sslmode=…&sslrootcert=…]``."""
    bad = ServerAddressError(
        f"'{_without_password(text)}' is not a database address: write it as "
        "postgresql://ROLE@HOST:PORT/DATABASE (no password: it goes in the keychain)."
    )
    if not is_server_url(text):
        raise bad
    try:
        parts = urlsplit(text.strip())
        port = parts.port or DEFAULT_PORT
    except ValueError as exc:
        raise bad from exc
    if parts.password is not None:
        raise ServerAddressError(
            "The database address contains a password. infudesk never keeps a password in "
            "an address or a file: give the address without it "
            f"(postgresql://{unquote(parts.username or 'ROLE')}@{parts.hostname or 'HOST'}:{port}"
            f"{parts.path}) and store the password in this computer's keychain with "
            "'infudesk db-password --database ADDRESS'."
        )
    user = unquote(parts.username or "")
    host = parts.hostname or ""
    dbname = unquote(parts.path.lstrip("/"))
    if not user or not host or not dbname or "/" in dbname:
        raise bad
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    unknown = set(query) - {"sslmode", "sslrootcert"}
    if unknown:
        raise ServerAddressError(
            f"The database address has settings infudesk does not use ({', '.join(sorted(unknown))})."
        )
    sslmode = query.get("sslmode", "verify-full")
    if sslmode not in SSL_MODES:
        raise ServerAddressError(
            f"The database address asks for sslmode={sslmode}: infudesk talks to a server only "
            "over TLS with the server's certificate checked (sslmode=verify-full, or verify-ca)."
        )
    ca = ca_file or query.get("sslrootcert") or None
    return ServerTarget(user, host, port, dbname, sslmode, ca)


def _without_password(text: str) -> str:
    try:
        parts = urlsplit(text)
        if parts.password is not None:
            return text.replace(f":{parts.password}@", ":***@")
    except ValueError:
        pass
    return text


# --- where a workstation finds its server ----------------------------------------------------


def connection_file(root: Path) -> Path:
    return root / CONNECTION_FILE


def read_connection(root: Path) -> tuple[str, str | None] | None:
    """The (address, CA file) saved for this workstation in Settings, if any."""
    path = connection_file(root)
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        url = str(data["database"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ServerAddressError(f"{path} cannot be read: fix or delete it.") from exc
    ca = data.get("ca_file")
    return url, (str(ca) if ca else None)


def save_connection(root: Path, url: str | None, ca_file: str | None) -> None:
    """Point this workstation at a server (``url`` None: back to the local database)."""
    path = connection_file(root)
    if not url:
        path.unlink(missing_ok=True)
        return
    target = parse_database_url(url, ca_file)  # refuses a password before anything is written
    data = {"database": target.url, "ca_file": target.ca_file or ""}
    if target.sslmode != "verify-full":
        data["database"] += f"?sslmode={target.sslmode}"
    write_atomic(path, (json.dumps(data, indent=2) + "\n").encode("utf-8"))


def resolve_target(root: Path, cli_url: str | None, cli_ca: str | None) -> ServerTarget | None:
    """The server this run uses (None: the local encrypted database)."""
    ca = cli_ca or os.environ.get(ENV_CA_FILE) or None
    url = cli_url or os.environ.get(ENV_DATABASE) or None
    if url:
        return parse_database_url(url, ca)
    saved = read_connection(root) if root.exists() else None
    if saved is None:
        return None
    return parse_database_url(saved[0], ca or saved[1])


# --- the password, in the keychain ---------------------------------------------------------


def _password_entry(target: ServerTarget) -> str:
    return f"db-password:{target.label}"


def save_password(target: ServerTarget, password: str) -> None:
    if not password:
        raise ServerAddressError("The password is empty: nothing was stored.")
    keys._save(_password_entry(target), password)
    log.info("stored a database password in the keychain")


def password(target: ServerTarget) -> str:
    text = keys._keyring_call("read", "get_password", keys.KEYRING_SERVICE, _password_entry(target))
    if not text:
        raise KeychainError(
            f"This computer's keychain has no password for the database {target.label}. "
            f"Store it once with: infudesk db-password --database {target.url}",
            title="Database password",
        )
    return str(text)


# --- the engine --------------------------------------------------------------------------


def sqlalchemy_url(target: ServerTarget, secret: str) -> URL:
    query = {"sslmode": target.sslmode, "sslrootcert": _ca(target)}
    return URL.create(
        "postgresql+psycopg",
        username=target.user,
        password=secret,
        host=target.host,
        port=target.port,
        database=target.dbname,
        query=query,
    )


def _ca(target: ServerTarget) -> str:
    if not target.ca_file:
        return "system"  # the operating system's trust store (libpq 16+)
    path = Path(target.ca_file).expanduser()
    if not path.is_file():
        raise ServerAddressError(
            f"The CA file {path} (the certificate that signed the database server's) does not "
            "exist. Give the right file with --ca-file or in Settings > Database."
        )
    return str(path)


def describe_connect_failure(target: ServerTarget, exc: BaseException) -> DatabaseOpenError:
    text = str(getattr(exc, "orig", None) or exc).lower()
    where = target.label
    if "password authentication failed" in text or "no password supplied" in text:
        why = (
            "the server refused the password. Store the right one with "
            f"'infudesk db-password --database {target.url}'."
        )
    elif "certificate" in text or "ssl" in text or "tls" in text:
        why = (
            "its TLS certificate could not be checked (wrong CA file, or the server's "
            "certificate does not name this host) or the server does not offer TLS. Ask the "
            "server's administrator for the CA file."
        )
    elif "does not exist" in text and "database" in text:
        why = "that database does not exist on the server; ask its administrator to create it."
    elif "timeout" in text or "could not connect" in text or "connection refused" in text:
        why = "the server cannot be reached (network, address or port). Nothing was changed."
    else:
        why = f"the server refused the connection ({type(exc).__name__})."
    return DatabaseOpenError(f"Cannot open the database {where}: {why}")


def make_server_engine(target: ServerTarget, secret: str | None = None) -> Engine:
    """An engine on the server (password from the keychain unless given); connects once to
    turn a failure into a clear message."""
    secret = password(target) if secret is None else secret
    engine = create_engine(
        sqlalchemy_url(target, secret),
        pool_size=5,
        max_overflow=10,
        pool_pre_ping=True,
        pool_use_lifo=True,
        hide_parameters=True,  # errors (and so logs) never carry patient data
        connect_args={"connect_timeout": CONNECT_TIMEOUT_S, "application_name": "infudesk"},
    )
    try:
        with engine.connect() as conn:
            conn.rollback()
    except Exception as exc:
        engine.dispose()
        log.error("connecting to the database server failed (%s)", type(exc).__name__)
        raise describe_connect_failure(target, exc) from exc
    return engine


def is_server(engine: Engine | Any) -> bool:
    return bool(engine.dialect.name == "postgresql")


# --- the server database's identity: store id, audit and recovery keys ---------------------

KEY_CHECK = b"infudesk server recovery key check"


def _pad(bkey: bytes) -> bytes:
    return hmac.new(bkey, b"infudesk-audit-key", hashlib.sha256).digest()


def _xor(a: bytes, b: bytes) -> bytes:
    return bytes(x ^ y for x, y in zip(a, b, strict=True))


@dataclass(frozen=True)
class Identity:
    store_id: str
    audit_key: bytes
    created: bool = False


def _state(conn: Connection) -> Row[Any]:
    row = conn.execute(select(STATE).where(STATE.c.id == 1)).one_or_none()
    if row is None:
        raise DatabaseOpenError("The database has no store_state row: it is not infudesk's.")
    return row


def server_store_id(conn: Connection) -> str:
    return str(_state(conn).store_id)


def claim_identity(
    conn: Connection,
    *,
    store_id: str | None = None,
    audit_key: bytes | None = None,
    recovery_text: str | None = None,
) -> Identity:
    """Name a new server database (once): a store id, and the audit key wrapped under the
    recovery key, both keys saved in this workstation's keychain. ``migrate-to`` passes the
    local database's id and keys (so the copied audit trail verifies and the printed
    recovery sheet stays valid). If another workstation claimed it first, theirs stands."""
    store_id = store_id or uuid.uuid4().hex
    audit_key = audit_key or secrets.token_bytes(keys.KEY_BYTES)
    recovery_text = recovery_text or recovery.generate()
    salt = secrets.token_bytes(16)
    bkey = recovery.derive(recovery_text, salt)
    done = conn.execute(
        update(STATE)
        .where(STATE.c.id == 1, STATE.c.store_id == "")
        .values(
            store_id=store_id,
            kdf_salt=salt.hex(),
            key_check=hmac.new(bkey, KEY_CHECK, hashlib.sha256).hexdigest(),
            audit_key_wrapped=_xor(audit_key, _pad(bkey)).hex(),
        )
    )
    if done.rowcount != 1:
        raise DatabaseOpenError("Another workstation set up this database at the same moment.")
    keys.save_recovery_key(store_id, recovery.normalize(recovery_text) or recovery_text)
    keys.save_audit_key(store_id, audit_key)
    log.info("named a new server database")
    return Identity(store_id, audit_key, created=True)


def join(conn: Connection, recovery_text: str) -> Identity:
    """This workstation joins the server's database: the recovery key unwraps its audit key;
    both go into this workstation's keychain."""
    row = _state(conn)
    if not row.store_id:
        raise DatabaseOpenError("This database has not been set up yet: nothing to join.")
    if recovery.normalize(recovery_text) is None:
        raise DatabaseOpenError(
            "That is not a recovery key (25 letters and digits, e.g. ABCDE-FGH2J-...)."
        )
    bkey = recovery.derive(recovery_text, bytes.fromhex(row.kdf_salt))
    expected = hmac.new(bkey, KEY_CHECK, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, row.key_check):
        raise DatabaseOpenError(
            "The recovery key does not fit this database. Use the one on its recovery sheet."
        )
    audit_key = _xor(bytes.fromhex(row.audit_key_wrapped), _pad(bkey))
    keys.save_recovery_key(row.store_id, recovery.normalize(recovery_text) or recovery_text)
    keys.save_audit_key(row.store_id, audit_key)
    log.info("this workstation joined a server database")
    return Identity(str(row.store_id), audit_key)


def has_audit_key(store_id: str) -> bool:
    return bool(
        keys._keyring_call(
            "read", "get_password", keys.KEYRING_SERVICE, keys._audit_username(store_id)
        )
    )


def workstation_identity(conn: Connection, target: ServerTarget, *, create: bool) -> Identity:
    """The server database's id and audit key, from this workstation's keychain (a new
    database is named here if ``create``)."""
    store_id = server_store_id(conn)
    if not store_id:
        if not create:
            raise DatabaseOpenError(
                f"The database {target.label} is empty: nothing to work on yet."
            )
        return claim_identity(conn)
    text = keys._keyring_call(
        "read", "get_password", keys.KEYRING_SERVICE, keys._audit_username(store_id)
    )
    if not text:
        raise DatabaseOpenError(
            f"This workstation has not joined the database {target.label} yet. Run once: "
            f"infudesk db-password --database {target.url}  (it asks for the database password "
            "and the recovery key from the recovery sheet).",
            title="Join the shared database",
        )
    return Identity(store_id, keys._parse_hex(str(text), "the keychain"))


def advance_sequences(conn: Connection, tables: Iterable[Table]) -> None:
    """Set each table's id sequence past its highest id: rows written with explicit ids (a
    bulk seed, a copy) do not move it on PostgreSQL. Nothing to do on SQLite."""
    if conn.dialect.name != "postgresql":
        return
    for t in tables:
        pk = list(t.primary_key.columns)
        if len(pk) != 1 or pk[0].type.python_type is not int:
            continue
        seq = conn.scalar(
            text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": t.name, "c": pk[0].name}
        )
        if seq is None:
            continue
        top = conn.scalar(select(func.max(pk[0])).select_from(t))
        if top is None:
            conn.execute(text("SELECT setval(:s, 1, false)"), {"s": seq})
        else:
            conn.execute(text("SELECT setval(:s, :v, true)"), {"s": seq, "v": int(top)})
