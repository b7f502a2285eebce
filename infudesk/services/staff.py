"""Staff accounts: Argon2id passwords, sign-in with slow-down and lock-out, first manager."""

from __future__ import annotations

import contextlib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from infudesk.errors import NotFound, UserError, ValidationFailed
from infudesk.services import audit
from infudesk.services.access import ROLE_LABELS, Permission, Role, require
from infudesk.services.audit import Actor
from infudesk.store.models import Staff, utcnow

# Argon2id (RFC 9106) sized for the front-desk PCs: 128 MiB, 3 passes, 1 lane takes about
# 0.3 s to check on the 2-core build machine (bench/bench_sign_in.py measures it).
ARGON2_TIME_COST = 3
ARGON2_MEMORY_KIB = 128 * 1024
ARGON2_PARALLELISM = 1
HASHER = PasswordHasher(
    time_cost=ARGON2_TIME_COST, memory_cost=ARGON2_MEMORY_KIB, parallelism=ARGON2_PARALLELISM
)

SLOW_AFTER = 3  # from the 3rd wrong password in a row, each next try must wait
DELAYS = {3: timedelta(seconds=2), 4: timedelta(seconds=5)}  # after the 3rd, the 4th failure
LOCK_AFTER = 5  # the 5th wrong password in a row locks the account …
LOCK_FOR = timedelta(minutes=15)  # … for this long (or until a manager resets the password)
MIN_PASSWORD = 8
MAX_PASSWORD = 200
_USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,49}$")


def hasher() -> PasswordHasher:
    """The hasher in use (tests swap in a cheap one through the module attribute)."""
    return HASHER


@dataclass(frozen=True)
class StaffRecord:
    id: int
    username: str
    display_name: str
    role: Role
    active: bool
    failed_attempts: int
    locked_until: datetime | None

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]

    def actor(self) -> Actor:
        return Actor(
            name=self.username,
            kind="staff",
            role=self.role.value,
            user_id=self.id,
            display_name=self.display_name,
        )


@dataclass(frozen=True)
class SignInResult:
    """The outcome of one sign-in attempt: an actor, or why not (and how long to wait)."""

    actor: Actor | None
    message: str = ""
    wait_seconds: int = 0  # >0: the next attempt is refused before this many seconds pass
    locked: bool = False  # the account is locked for a longer while

    @property
    def ok(self) -> bool:
        return self.actor is not None


class SignInFailed(UserError):
    """A sign-in that did not succeed (wrong password, locked, switched off)."""

    title = "Not signed in"

    def __init__(self, result: SignInResult) -> None:
        super().__init__(result.message)
        self.result = result


def _record(row: Staff) -> StaffRecord:
    return StaffRecord(
        id=row.id,
        username=row.username,
        display_name=row.display_name,
        role=Role(row.role),
        active=row.active,
        failed_attempts=row.failed_attempts,
        locked_until=row.locked_until,
    )


def normalize_username(text: str) -> str:
    """How a username is stored and compared: NFKC, casefolded, trimmed."""
    return unicodedata.normalize("NFKC", text).strip().casefold()


def check_username(text: str) -> str | None:
    name = normalize_username(text)
    if not _USERNAME_RE.match(name):
        return (
            "A username is 2 to 50 letters a-z, digits, dots, dashes or underscores, "
            "e.g. maria.lopez."
        )
    return None


def check_password(password: str, *, username: str = "") -> str | None:
    if len(password) < MIN_PASSWORD:
        return f"Use at least {MIN_PASSWORD} characters (a short sentence is easy to remember)."
    if len(password) > MAX_PASSWORD:
        return f"Keep the password under {MAX_PASSWORD} characters."
    if username and normalize_username(password) == normalize_username(username):
        return "The password must not be the username."
    return None


def _check_new(username: str, display_name: str, password: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if (problem := check_username(username)) is not None:
        errors["username"] = problem
    if not display_name.strip():
        errors["display_name"] = "Enter the name shown on screen, e.g. Maria Lopez."
    elif len(display_name.strip()) > 100:
        errors["display_name"] = "Keep the name under 100 characters."
    if (problem := check_password(password, username=username)) is not None:
        errors["password"] = problem
    return errors


def has_staff(session: Session) -> bool:
    return (session.scalar(select(func.count()).select_from(Staff)) or 0) > 0


def _add(
    session: Session, actor: Actor, username: str, display_name: str, role: Role, password: str
) -> StaffRecord:
    errors = _check_new(username, display_name, password)
    name = normalize_username(username)
    if not errors and session.scalar(select(Staff.id).where(Staff.username == name)) is not None:
        errors["username"] = f"The username {name} is taken: choose another."
    if errors:
        raise ValidationFailed(errors)
    row = Staff(
        username=name,
        display_name=display_name.strip(),
        role=role.value,
        active=True,
        password_hash=hasher().hash(password),
        failed_attempts=0,
        created_by=actor.name,
        updated_by=actor.name,
    )
    session.add(row)
    session.flush()
    audit.record(
        session, actor, "create", "staff", row.id, detail={"username": name, "role": role.value}
    )
    session.flush()
    return _record(row)


def create_first_manager(
    session: Session, username: str, display_name: str, password: str
) -> StaffRecord:
    """The first account of a new database; refused once any account exists."""
    if has_staff(session):
        raise UserError("Staff accounts exist already: a manager adds new ones in Staff.")
    return _add(session, Actor.system("first-run"), username, display_name, Role.MANAGER, password)


def create_staff(
    session: Session,
    actor: Actor,
    username: str,
    display_name: str,
    role: Role,
    password: str,
) -> StaffRecord:
    require(actor, Permission.STAFF)
    return _add(session, actor, username, display_name, Role(role), password)


def list_staff(session: Session, actor: Actor) -> list[StaffRecord]:
    require(actor, Permission.STAFF)
    rows = session.scalars(select(Staff).order_by(Staff.username))
    return [_record(r) for r in rows]


def _get(session: Session, staff_id: int) -> Staff:
    row = session.get(Staff, staff_id)
    if row is None:
        raise NotFound("This staff account no longer exists.")
    return row


def _active_managers(session: Session) -> int:
    q = select(func.count()).where(Staff.role == Role.MANAGER.value, Staff.active.is_(True))
    return session.scalar(q) or 0


def update_staff(
    session: Session,
    actor: Actor,
    staff_id: int,
    *,
    display_name: str | None = None,
    role: Role | None = None,
    active: bool | None = None,
) -> StaffRecord:
    """Change a name, role or switch an account off/on (the last active manager stays)."""
    require(actor, Permission.STAFF)
    row = _get(session, staff_id)
    changes: dict[str, object] = {}
    if display_name is not None and display_name.strip() != row.display_name:
        if not display_name.strip():
            raise ValidationFailed({"display_name": "Enter the name shown on screen."})
        row.display_name = display_name.strip()[:100]
        changes["display_name"] = row.display_name
    if role is not None and Role(role).value != row.role:
        changes["role"] = Role(role).value
    if active is not None and active != row.active:
        changes["active"] = active
    was_manager = row.role == Role.MANAGER.value and row.active
    stays_manager = changes.get("role", row.role) == Role.MANAGER.value and changes.get(
        "active", row.active
    )
    if was_manager and not stays_manager and _active_managers(session) <= 1:
        raise UserError(
            "This is the only active manager: make another account a manager first "
            "(someone must be able to manage staff and restore backups).",
            title="Keep a manager",
        )
    if "role" in changes:
        row.role = str(changes["role"])
    if "active" in changes:
        row.active = bool(changes["active"])
    if changes:
        row.updated_by = actor.name
        audit.record(session, actor, "update", "staff", row.id, detail=changes)
        session.flush()
    return _record(row)


def set_password(session: Session, actor: Actor, staff_id: int, password: str) -> StaffRecord:
    """A manager sets a new password (this also unlocks the account); one's own too."""
    row = _get(session, staff_id)
    if actor.user_id != staff_id:
        require(actor, Permission.STAFF)
    if (problem := check_password(password, username=row.username)) is not None:
        raise ValidationFailed({"password": problem})
    row.password_hash = hasher().hash(password)
    row.failed_attempts = 0
    row.locked_until = None
    row.updated_by = actor.name
    audit.record(session, actor, "password", "staff", row.id)
    session.flush()
    return _record(row)


def _wait_message(wait: timedelta, until: datetime, locked: bool) -> str:
    if locked:
        local = until.astimezone().strftime("%H:%M")
        return (
            f"Too many wrong passwords: this account is locked until {local}. "
            "Wait, or ask a manager to set a new password."
        )
    seconds = max(1, int(wait.total_seconds() + 0.999))
    return f"Too many wrong passwords: wait {seconds} seconds, then try again."


def attempt_sign_in(
    session: Session,
    username: str,
    password: str,
    *,
    now: Callable[[], datetime] = utcnow,
) -> SignInResult:
    """Check a username and password. Failures are counted and audited (commit them!).

    From the 3rd wrong password in a row the next try must wait (2 s, then 5 s); the 5th
    locks the account for 15 minutes. An unknown username costs the same hashing time.
    """
    name = normalize_username(username)
    row = session.scalar(select(Staff).where(Staff.username == name)) if name else None
    wrong = "Wrong username or password."
    if row is None:
        # the same work as a real check: timing does not tell which names exist
        with contextlib.suppress(VerificationError):
            hasher().verify(_dummy_hash(), password + "\x00")
        audit.record(session, Actor.system("sign-in"), "sign_in_failed", "staff", None, detail={})
        return SignInResult(None, wrong)
    at = now()
    if row.locked_until is not None and row.locked_until > at:
        locked = row.failed_attempts >= LOCK_AFTER
        msg = _wait_message(row.locked_until - at, row.locked_until, locked)
        audit.record(
            session, _as_actor(row), "sign_in_refused", "staff", row.id, detail={"locked": locked}
        )
        return SignInResult(
            None,
            msg,
            wait_seconds=max(1, int((row.locked_until - at).total_seconds() + 0.999)),
            locked=locked,
        )
    if row.failed_attempts >= LOCK_AFTER:  # the lock has run out: a fresh start
        row.failed_attempts = 0
    try:
        good: bool = hasher().verify(row.password_hash, password)
    except (VerifyMismatchError, InvalidHashError, VerificationError):
        good = False
    if not good:
        row.failed_attempts += 1
        n = row.failed_attempts
        locked = n >= LOCK_AFTER
        wait = LOCK_FOR if locked else DELAYS.get(n, timedelta(0)) if n >= SLOW_AFTER else None
        row.locked_until = at + wait if wait else None
        audit.record(
            session,
            _as_actor(row),
            "sign_in_failed",
            "staff",
            row.id,
            detail={"attempt": n, "locked": locked},
        )
        session.flush()
        if wait and row.locked_until is not None:
            return SignInResult(
                None,
                f"{wrong} {_wait_message(wait, row.locked_until, locked)}",
                wait_seconds=int(wait.total_seconds()),
                locked=locked,
            )
        return SignInResult(None, wrong)
    if not row.active:
        audit.record(
            session, _as_actor(row), "sign_in_refused", "staff", row.id, detail={"active": False}
        )
        return SignInResult(
            None, "This account is switched off. Ask a manager to switch it on again."
        )
    if hasher().check_needs_rehash(row.password_hash):  # parameters were raised since
        row.password_hash = hasher().hash(password)
    row.failed_attempts = 0
    row.locked_until = None
    actor = _as_actor(row)
    audit.record(session, actor, "sign_in", "staff", row.id)
    session.flush()
    return SignInResult(actor)


def record_session_event(session: Session, actor: Actor, action: str) -> None:
    """A lock (idle or by hand), an automatic demo sign-in, … in the audit trail."""
    audit.record(session, actor, action, "staff", actor.user_id)


DEMO_PASSWORD = "demo1234"  # printed on the demo's lock screen: the demo data is fictional
DEMO_ACCOUNTS = (
    ("demo", "Demo User", Role.MANAGER),
    ("frontdesk", "Demo Front Desk", Role.FRONT_DESK),
    ("counselor", "Demo Counselor", Role.COUNSELOR),
)


def ensure_demo_staff(session: Session) -> Actor:
    """The demo database's accounts (one per role); returns the demo manager, signed in."""
    setup = Actor.system("demo")
    for username, name, role in DEMO_ACCOUNTS:
        if session.scalar(select(Staff.id).where(Staff.username == username)) is None:
            _add(session, setup, username, name, role, DEMO_PASSWORD)
    row = session.scalar(select(Staff).where(Staff.username == DEMO_ACCOUNTS[0][0]))
    assert row is not None
    return _as_actor(row)


def _as_actor(row: Staff) -> Actor:
    return Actor(
        name=row.username,
        kind="staff",
        role=row.role,
        user_id=row.id,
        display_name=row.display_name,
    )


_DUMMY: dict[int, str] = {}


def _dummy_hash() -> str:
    h = hasher()
    key = id(h)
    if key not in _DUMMY:
        _DUMMY[key] = h.hash("not a password of anyone")
    return _DUMMY[key]
