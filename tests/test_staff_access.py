"""Staff accounts, roles and permissions, sign-in slow-down and lock-out, the audit view."""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import Session

from infudesk.demo.seed import seed_patients
from infudesk.domain.patients import PatientData
from infudesk.errors import UserError, ValidationFailed
from infudesk.services import assistance as asv
from infudesk.services import audit_log, staff
from infudesk.services import fees as fsv
from infudesk.services import patients as ps
from infudesk.services import payers as pys
from infudesk.services import settings as st
from infudesk.services.access import GRANTS, Permission, PermissionDenied, Role, can, require
from infudesk.services.audit import Actor
from infudesk.services.export import export_patient
from infudesk.store.database import Store
from infudesk.store.models import AuditEvent, Patient, Staff
from tests.conftest import TODAY

PASSWORD = "correct horse battery"
T0 = datetime(2026, 11, 27, 14, 0, tzinfo=UTC)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, at: datetime = T0) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **kw: float) -> None:
        self.at += timedelta(**kw)


def make(store: Store, username: str, role: Role, name: str = "") -> Actor:
    with store.session() as s:
        if not staff.has_staff(s):
            rec = staff.create_first_manager(s, "boss", "Bea Boss", PASSWORD)
        manager = Actor("boss", role="manager")
        if username == "boss":
            return rec.actor()
        return staff.create_staff(
            s, manager, username, name or username.title(), role, PASSWORD
        ).actor()


def sign_in(
    store: Store, username: str, password: str, clock: Callable[[], datetime] = T0.__class__.now
) -> staff.SignInResult:  # noqa: E501
    with store.session() as s:
        return staff.attempt_sign_in(s, username, password, now=clock)


# --- accounts -------------------------------------------------------------------------------


def test_production_hasher_is_argon2id_with_the_measured_parameters() -> None:
    # the autouse fixture swaps in a cheap hasher; the module's own parameters are these
    real = PasswordHasher(
        time_cost=staff.ARGON2_TIME_COST,
        memory_cost=staff.ARGON2_MEMORY_KIB,
        parallelism=staff.ARGON2_PARALLELISM,
    )
    assert (staff.ARGON2_TIME_COST, staff.ARGON2_MEMORY_KIB, staff.ARGON2_PARALLELISM) == (
        3,
        131072,
        1,
    )
    h = real.hash("x" * 12)
    assert h.startswith("$argon2id$v=19$m=131072,t=3,p=1$")


def test_password_is_stored_as_an_argon2id_hash(store: Store) -> None:
    make(store, "boss", Role.MANAGER)
    with store.session() as s:
        row = s.scalar(select(Staff))
        assert row is not None
        assert row.password_hash.startswith("$argon2id$")
        assert PASSWORD not in row.password_hash


def test_usernames_are_unique_casefolded(store: Store) -> None:
    make(store, "boss", Role.MANAGER)
    boss = Actor("boss", role="manager")
    with store.session() as s:
        rec = staff.create_staff(s, boss, " Maria.Lopez ", "Maria Lopez", Role.FRONT_DESK, PASSWORD)
        assert rec.username == "maria.lopez"
    with store.session() as s, pytest.raises(ValidationFailed) as err:
        staff.create_staff(s, boss, "MARIA.LOPEZ", "Other Maria", Role.FRONT_DESK, PASSWORD)
    assert "taken" in err.value.errors["username"]
    assert sign_in(store, "MARIA.lopez", PASSWORD).ok  # signs in whatever the case typed


def test_bad_new_accounts_are_refused_with_field_messages(store: Store) -> None:
    with store.session() as s, pytest.raises(ValidationFailed) as err:
        staff.create_first_manager(s, "a b", "", "short")
    assert set(err.value.errors) == {"username", "display_name", "password"}
    with store.session() as s:
        assert not staff.has_staff(s)


def test_first_manager_only_once(store: Store) -> None:
    make(store, "boss", Role.MANAGER)
    with store.session() as s, pytest.raises(UserError):
        staff.create_first_manager(s, "mallory", "Mallory", PASSWORD)
    with store.session() as s:
        assert [r.username for r in s.scalars(select(Staff))] == ["boss"]


def test_the_last_active_manager_stays(store: Store) -> None:
    boss = make(store, "boss", Role.MANAGER)
    assert boss.user_id is not None
    with store.session() as s, pytest.raises(UserError, match="only active manager"):
        staff.update_staff(s, boss, boss.user_id, role=Role.FRONT_DESK)
    with store.session() as s, pytest.raises(UserError, match="only active manager"):
        staff.update_staff(s, boss, boss.user_id, active=False)
    second = make(store, "sam", Role.MANAGER)
    with store.session() as s:
        rec = staff.update_staff(s, boss, boss.user_id, role=Role.COUNSELOR)
    assert rec.role is Role.COUNSELOR
    assert second.role == "manager"


# --- roles ----------------------------------------------------------------------------------


def test_role_grants() -> None:
    front, counselor, manager = (GRANTS[r] for r in Role)
    assert front < counselor < manager
    assert counselor - front == {Permission.ASSISTANCE, Permission.FEES}
    assert {Permission.STAFF, Permission.SETTINGS, Permission.AUDIT, Permission.BACKUP} <= (
        manager - counselor
    )
    # an unknown role may do nothing (e.g. the window's "locked" actor)
    nobody = Actor("locked", kind="system", role="none")
    assert not any(can(nobody, p) for p in Permission)
    with pytest.raises(PermissionDenied, match="may not read the audit log"):
        require(nobody, Permission.AUDIT)


def _patient(s: Session, actor: Actor) -> ps.PatientRecord:
    data = PatientData(first_name="Ines", last_name="Quarry", birth_date=date(1970, 3, 4), sex="F")
    return ps.create_patient(s, actor, data, today=TODAY, allow_look_alike=True)


def test_front_desk_cannot_reach_manager_actions_through_the_services(
    store: Store, tmp_path: Path
) -> None:
    anna = make(store, "anna", Role.FRONT_DESK)
    # front-desk work is allowed
    with store.session() as s:
        patient = _patient(s, anna)
    refused: list[tuple[str, Callable[..., object]]] = [
        ("settings", lambda s: st.put(s, anna, "security.idle_minutes", 60)),
        ("staff", lambda s: staff.create_staff(s, anna, "eve", "Eve", Role.MANAGER, PASSWORD)),
        ("staff list", lambda s: staff.list_staff(s, anna)),
        ("audit", lambda s: audit_log.search(s, anna, audit_log.AuditFilter())),
        ("audit csv", lambda s: audit_log.export_csv(s, anna, audit_log.AuditFilter())),
        ("fees", lambda s: fsv.import_csv(s, anna, "payer,site,hcpcs,unit_price\n")),
        ("assistance", lambda s: asv.add_program(s, anna, patient.id, _program())),
        ("payers", lambda s: pys.create_payer(s, anna, pys.PayerData(name="Rogue Health"))),
        ("export", lambda s: export_patient(s, anna, patient.data.mrn, tmp_path / "x")),
        ("seed", lambda s: seed_patients(s, anna, 3, rng=random.Random(1), today=TODAY)),
    ]
    for what, call in refused:
        with store.session() as s, pytest.raises(PermissionDenied) as err:
            call(s)
        assert "anna (Front desk) may not" in err.value.message, what
    # nothing of it happened
    with store.session() as s:
        assert st.get(s, "security.idle_minutes") == 10
        assert [r.username for r in s.scalars(select(Staff).order_by(Staff.id))] == [
            "boss",
            "anna",
        ]
        assert s.scalar(select(Patient.id).where(Patient.id != patient.id)) is None
        assert not (tmp_path / "x").exists()
    # someone else's password neither
    with store.session() as s, pytest.raises(PermissionDenied):
        staff.set_password(s, anna, 1, "a new password!")
    # one's own password is allowed
    assert anna.user_id is not None
    with store.session() as s:
        staff.set_password(s, anna, anna.user_id, "anna's new passphrase")
    assert sign_in(store, "anna", "anna's new passphrase").ok


def _program() -> asv.ProgramData:
    return asv.ProgramData(kind="copay_card", name="Test card", annual_max=Decimal("5000"))


def test_counselor_may_do_fees_and_assistance_but_not_settings(store: Store) -> None:
    cara = make(store, "cara", Role.COUNSELOR)
    assert can(cara, Permission.FEES) and can(cara, Permission.ASSISTANCE)
    with store.session() as s:
        patient = _patient(s, cara)
        asv.add_program(s, cara, patient.id, _program())
    with store.session() as s, pytest.raises(PermissionDenied, match="Financial counselor"):
        st.put(s, cara, "security.idle_minutes", 5)


# --- sign-in --------------------------------------------------------------------------------


def test_sign_in_gives_the_staff_member_as_actor(store: Store) -> None:
    anna = make(store, "anna", Role.FRONT_DESK, "Anna Park")
    result = sign_in(store, "anna", PASSWORD)
    assert result.actor == anna
    assert result.actor is not None
    assert (result.actor.name, result.actor.role, result.actor.display_name) == (
        "anna",
        "front_desk",
        "Anna Park",
    )


def test_unknown_user_and_switched_off_account(store: Store) -> None:
    boss = make(store, "boss", Role.MANAGER)
    anna = make(store, "anna", Role.FRONT_DESK)
    assert sign_in(store, "nobody", PASSWORD).message == "Wrong username or password."
    assert anna.user_id is not None
    with store.session() as s:
        staff.update_staff(s, boss, anna.user_id, active=False)
    # the wrong password does not tell that the account exists but is off
    assert sign_in(store, "anna", "wrong password").message == "Wrong username or password."
    off = sign_in(store, "anna", PASSWORD)
    assert not off.ok and "switched off" in off.message


def test_five_wrong_passwords_slow_down_then_lock(store: Store) -> None:
    make(store, "anna", Role.FRONT_DESK)
    clock = Clock()

    def attempt(password: str) -> staff.SignInResult:
        return sign_in(store, "anna", password, clock)

    # 1st and 2nd wrong password: no wait
    for _ in range(2):
        r = attempt("wrong one")
        assert (r.ok, r.wait_seconds, r.locked) == (False, 0, False)
    # 3rd: the next try must wait 2 s
    r = attempt("wrong one")
    assert (r.wait_seconds, r.locked) == (2, False)
    assert "wait 2 seconds" in r.message
    # during the wait even the right password is refused (and not checked)
    clock.advance(seconds=1)
    r = attempt(PASSWORD)
    assert not r.ok and r.wait_seconds == 1
    # 4th wrong password after the wait: 5 s
    clock.advance(seconds=1)
    r = attempt("wrong one")
    assert (r.wait_seconds, r.locked) == (5, False)
    # 5th: locked for 15 minutes
    clock.advance(seconds=5)
    r = attempt("wrong one")
    assert r.locked and r.wait_seconds == 15 * 60
    assert "locked until" in r.message
    clock.advance(minutes=14)
    r = attempt(PASSWORD)
    assert not r.ok and r.locked and r.wait_seconds == 60
    # after the lock has run out the right password works and the count starts afresh
    clock.advance(minutes=1, seconds=1)
    assert attempt(PASSWORD).ok
    r = attempt("wrong again")
    assert (r.wait_seconds, r.locked) == (0, False)
    with store.session() as s:
        row = s.scalar(select(Staff).where(Staff.username == "anna"))
        assert row is not None and row.failed_attempts == 1
        actions = list(
            s.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.entity == "staff", AuditEvent.actor == "anna")
                .order_by(AuditEvent.id)
            )
        )
    assert actions == [
        "sign_in_failed",
        "sign_in_failed",
        "sign_in_failed",
        "sign_in_refused",
        "sign_in_failed",
        "sign_in_failed",
        "sign_in_refused",
        "sign_in",
        "sign_in_failed",
    ]


def test_a_manager_unlocks_with_a_new_password(store: Store) -> None:
    boss = make(store, "boss", Role.MANAGER)
    anna = make(store, "anna", Role.FRONT_DESK)
    clock = Clock()
    for seconds in (0, 0, 0, 2, 5):
        clock.advance(seconds=seconds)
        sign_in(store, "anna", "nope nope", clock)
    assert sign_in(store, "anna", PASSWORD, clock).locked
    assert anna.user_id is not None
    with store.session() as s:
        staff.set_password(s, boss, anna.user_id, "a brand new one")
    assert sign_in(store, "anna", "a brand new one", clock).ok


# --- the audit trail names who did what -------------------------------------------------------


def test_audit_shows_who_did_what_and_exports_csv(store: Store) -> None:
    boss = make(store, "boss", Role.MANAGER)
    anna = make(store, "anna", Role.FRONT_DESK)
    signed = sign_in(store, "anna", PASSWORD).actor
    assert signed is not None
    with store.session() as s:
        patient = _patient(s, signed)
        ps.update_patient(
            s,
            signed,
            patient.id,
            PatientData(**{**patient.data.__dict__, "phone_mobile": "3125550199"}),
            expected_version=patient.version,
            today=TODAY,
        )
    with store.session() as s:
        st.put(s, boss, "security.idle_minutes", 5)
    mrn = patient.data.mrn
    with store.session() as s:
        by_anna = audit_log.search(s, boss, audit_log.AuditFilter(user="ANNA"))
        assert [(r.action, r.mrn) for r in by_anna] == [
            ("update", mrn),
            ("create", mrn),
            ("sign_in", ""),
        ]
        for_patient = audit_log.search(s, boss, audit_log.AuditFilter(mrn=mrn.lower()))
        assert {r.user for r in for_patient} == {"anna"}
        settings_changes = audit_log.search(s, boss, audit_log.AuditFilter(action="setting"))
        assert [r.user for r in settings_changes] == ["boss"]
        today = datetime.now().date()
        assert (
            audit_log.search(s, boss, audit_log.AuditFilter(since=today + timedelta(days=1))) == []
        )
        assert len(audit_log.search(s, boss, audit_log.AuditFilter(since=today, until=today))) > 5
        with pytest.raises(ValidationFailed):
            audit_log.search(
                s, boss, audit_log.AuditFilter(since=today, until=today - timedelta(1))
            )
        users, actions = audit_log.choices(s, boss)
        assert {"anna", "boss"} <= set(users) and "sign_in" in actions
    with store.session() as s:
        text = audit_log.export_csv(s, boss, audit_log.AuditFilter(user="anna"))
    rows = list(csv.reader(io.StringIO(text)))
    assert tuple(rows[0]) == audit_log.CSV_COLUMNS
    assert [(r[1], r[2], r[5]) for r in rows[1:]] == [
        ("anna", "update", mrn),
        ("anna", "create", mrn),
        ("anna", "sign_in", ""),
    ]
    for name in ("Ines", "Quarry", "1970-03-04"):
        assert name not in text  # no patient details beyond the MRN
    with store.session() as s:
        exports = audit_log.search(s, boss, audit_log.AuditFilter(action="export_audit"))
    assert [(r.user, r.detail) for r in exports] == [
        ("boss", exports[0].detail)
    ] and '"rows": 3' in exports[0].detail
    assert anna.name == "anna"
