"""Service tests for prior-authorization cases against a real SQLCipher file: creating a case,
its life cycle through act() (history, audit, refusals, stale versions), approvals and their
authorization numbers, visits against approved units and visits, documents kept inside the
encrypted database, and the case list with its reminders.

The demo data (seed_demo) is built once per module in an encrypted template database; every
test gets its own copy (its key goes into that test's in-memory keychain), so the tests stay
independent and fast. Tests create their own cases and look them up by id: the demo may hold
prior-auth cases of its own.
"""
# mypy: disable-error-code="union-attr,misc,arg-type"

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from infudesk.domain import prior_auth as pa
from infudesk.domain.prior_auth import Action, Approval, ApprovedLine, DocumentKind, State
from infudesk.errors import Conflict, NotFound, ValidationFailed
from infudesk.paths import DataPaths
from infudesk.services import coverages as cs
from infudesk.services import orders as ors
from infudesk.services import patients as ps
from infudesk.services import prior_auths as pas
from infudesk.services.audit import Actor
from infudesk.store.database import Store, open_store
from infudesk.store.models import (
    AuditEvent,
    Payer,
    PriorAuthCase,
    PriorAuthDocument,
    PriorAuthEvent,
    PriorAuthLine,
    PriorAuthUsage,
)
from tests.conftest import TODAY, MemoryKeyring
from tests.seeded import Template, copy_template, seed_template

RECORDED = date(2027, 6, 30)  # the day extra visits are recorded: after every one of them
LEAD = Actor("pat.lead")

PDF = b"%PDF-1.7\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00\xb8\x00\x00\x00"
    + b"\x00" * 40
    + b"This program cannot be run in DOS mode.\r\r\n$\x00\x00"
)


# --- the seeded database, copied per test ----------------------------------------------------


@pytest.fixture(scope="module")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    """An encrypted database with the demo data, and the keychain entries that open it."""
    return seed_template(tmp_path_factory, "prior-auth")


@pytest.fixture
def paths(data_dir: Path, memory_keyring: MemoryKeyring, seeded_template: Template) -> DataPaths:
    """Overrides conftest's: this test's data dir starts as a copy of the seeded database."""
    return copy_template(seeded_template, data_dir, memory_keyring)


@dataclass(frozen=True)
class Demo:
    pid: dict[str, int]  # MRN -> patient id
    cov: dict[str, int]  # MRN -> primary coverage id
    payer: dict[str, int]  # MRN -> primary coverage's payer id
    order: dict[str, int]  # MRN -> first therapy order id
    medigap_cov: int  # D0002's secondary coverage (another payer)
    medigap_payer: int


@pytest.fixture
def demo(store: Store) -> Demo:
    with store.session() as s:
        pid = {m: ps.get_by_mrn(s, m).id for m in ("D0001", "D0002", "D0004", "D0006")}
        covs = {m: cs.list_coverages(s, p) for m, p in pid.items()}
        orders = {m: ors.list_orders(s, p)[0].id for m, p in pid.items()}
    medigap = next(c for c in covs["D0002"] if c.data.rank == 2)
    return Demo(
        pid=pid,
        cov={m: c[0].id for m, c in covs.items()},
        payer={m: c[0].data.payer_id for m, c in covs.items()},
        order=orders,
        medigap_cov=medigap.id,
        medigap_payer=medigap.data.payer_id,
    )


# --- helpers -----------------------------------------------------------------------------------


def new_case(
    store: Store,
    actor: Actor,
    demo: Demo,
    mrn: str,
    *,
    coverage_id: int | None = None,
    with_order: bool = True,
) -> pas.CaseRecord:
    with store.session() as s:
        return pas.create_case(
            s,
            actor,
            demo.pid[mrn],
            coverage_id=coverage_id or demo.cov[mrn],
            order_id=demo.order[mrn] if with_order else None,
        )


def step(
    store: Store,
    actor: Actor,
    case: pas.CaseRecord,
    action: Action,
    on: date,
    note: str = "",
    **details: object,
) -> pas.CaseRecord:
    with store.session() as s:
        return pas.act(
            s, actor, case.id, action, on=on, note=note, expected_version=case.version, **details
        )


def load(store: Store, case_id: int) -> pas.CaseRecord:
    with store.session() as s:
        return pas.get_case(s, case_id)


def audit_trail(store: Store, entity: str, entity_id: int) -> list[tuple[str, str, int | None]]:
    with store.session() as s:
        return [
            (a.actor, a.action, a.patient_id)
            for a in s.scalars(
                select(AuditEvent)
                .where(AuditEvent.entity == entity, AuditEvent.entity_id == entity_id)
                .order_by(AuditEvent.id)
            )
        ]


def infliximab_approval(
    number: str,
    *,
    j1745: int = 120,
    admin: int = 3,
    visits: int | None = 3,
    start: date = date(2026, 11, 20),
    end: date = date(2027, 5, 31),
) -> Approval:
    return Approval(
        number,
        (ApprovedLine("J1745", j1745), ApprovedLine("96365", admin), ApprovedLine("96366", admin)),
        visits,
        start,
        end,
        "infusion_center",
    )


def approved_case(store: Store, actor: Actor, demo: Demo, approval: Approval) -> pas.CaseRecord:
    """A D0001 (infliximab, Lakeshore) case submitted 11/02 and approved 11/03."""
    case = new_case(store, actor, demo, "D0001")
    case = step(store, actor, case, Action.SUBMIT, date(2026, 11, 2))
    return step(store, actor, case, Action.APPROVE, date(2026, 11, 3), approval=approval)


def next_planned_visit(store: Store, order_id: int) -> ors.VisitRecord:
    with store.session() as s:
        order = ors.get_order(s, order_id)
    return next(v for v in order.visits if v.status == "planned" and v.on >= TODAY)


def visit_status(store: Store, order_id: int, visit_id: int) -> str:
    with store.session() as s:
        return next(v.status for v in ors.get_order(s, order_id).visits if v.id == visit_id)


def count_cases(store: Store) -> int:
    with store.session() as s:
        return len(list(s.scalars(select(PriorAuthCase.id))))


# --- create_case -------------------------------------------------------------------------------


def test_create_case_is_a_draft_for_the_patients_order_and_coverage(
    store: Store, actor: Actor, demo: Demo
) -> None:
    case = new_case(store, actor, demo, "D0001")
    assert case.case.state is State.DRAFT
    assert case.case.events == ()
    assert case.version == 1
    assert (case.patient_id, case.coverage_id, case.order_id) == (
        demo.pid["D0001"],
        demo.cov["D0001"],
        demo.order["D0001"],
    )
    assert case.payer_name == "Lakeshore Health"
    assert case.payer_id == demo.payer["D0001"]
    assert case.mrn == "D0001"
    assert case.appeal_days == 180
    assert case.order_label.startswith("infliximab")
    assert case.case.approval is None and case.remaining() is None
    assert audit_trail(store, "prior_auth", case.id) == [
        ("test.clerk", "create", demo.pid["D0001"])
    ]

    no_order = new_case(store, actor, demo, "D0001", with_order=False)
    assert no_order.order_id is None and no_order.order_label == "(no order)"


def test_create_case_refuses_a_coverage_of_another_patient(
    store: Store, actor: Actor, demo: Demo
) -> None:
    before = count_cases(store)
    with pytest.raises(ValidationFailed) as exc:
        new_case(store, actor, demo, "D0001", coverage_id=demo.cov["D0006"])
    assert set(exc.value.errors) == {"coverage_id"}
    assert "this patient's coverages" in exc.value.errors["coverage_id"]
    with pytest.raises(ValidationFailed) as exc:
        new_case(store, actor, demo, "D0001", coverage_id=987654)
    assert set(exc.value.errors) == {"coverage_id"}
    assert count_cases(store) == before


def test_create_case_refuses_an_order_of_another_patient(
    store: Store, actor: Actor, demo: Demo
) -> None:
    before = count_cases(store)
    with pytest.raises(ValidationFailed) as exc, store.session() as s:
        pas.create_case(
            s, actor, demo.pid["D0001"], coverage_id=demo.cov["D0001"], order_id=demo.order["D0006"]
        )
    assert set(exc.value.errors) == {"order_id"}
    assert "this patient's therapy orders" in exc.value.errors["order_id"]
    assert count_cases(store) == before


# --- the life cycle ------------------------------------------------------------------------------


def test_full_life_cycle_keeps_every_step_with_who_when_and_note(
    store: Store, actor: Actor, demo: Demo
) -> None:
    pid = demo.pid["D0001"]
    case = new_case(store, actor, demo, "D0001")
    v0 = case.version

    case = step(
        store,
        actor,
        case,
        Action.SUBMIT,
        date(2026, 11, 2),
        "  Faxed the LMN, notes, card and order.  ",
    )
    assert case.case.state is State.SUBMITTED and case.version == v0 + 1
    assert case.case.submitted_on == date(2026, 11, 2)

    # pend needs a follow-up date: refused, nothing changes
    with pytest.raises(ValidationFailed) as exc:
        step(store, LEAD, case, Action.PEND, date(2026, 11, 5), "Payer wants labs.")
    assert set(exc.value.errors) == {"follow_up"}
    assert "needs a follow-up date" in exc.value.errors["follow_up"]
    again = load(store, case.id)
    assert (again.case.state, again.version, len(again.case.events)) == (
        State.SUBMITTED,
        case.version,
        1,
    )

    # a step dated before the previous one is refused too
    with pytest.raises(ValidationFailed) as exc:
        step(store, LEAD, case, Action.PEND, date(2026, 11, 1), follow_up=date(2026, 11, 12))
    assert set(exc.value.errors) == {"on"}

    case = step(
        store,
        LEAD,
        case,
        Action.PEND,
        date(2026, 11, 5),
        "Payer wants a recent CRP and the colonoscopy report.",
        follow_up=date(2026, 11, 12),
    )
    assert case.case.state is State.PENDING and case.case.follow_up == date(2026, 11, 12)
    assert case.version == v0 + 2

    # deny needs the payer's reason
    for reason in (None, "   "):
        details = {} if reason is None else {"reason": reason}
        with pytest.raises(ValidationFailed) as exc:
            step(store, actor, case, Action.DENY, date(2026, 11, 12), **details)
        assert set(exc.value.errors) == {"reason"}
    assert load(store, case.id).case.state is State.PENDING

    case = step(
        store,
        actor,
        case,
        Action.DENY,
        date(2026, 11, 12),
        "Denial letter faxed.",
        reason="Step therapy: no adalimumab trial documented.",
    )
    assert case.case.state is State.DENIED
    assert case.case.denied_on == date(2026, 11, 12)
    assert case.case.denial_reason == "Step therapy: no adalimumab trial documented."
    assert case.case.follow_up is None
    assert case.version == v0 + 3

    case = step(
        store,
        LEAD,
        case,
        Action.APPEAL,
        date(2026, 11, 16),
        "Appeal with the step-therapy history.",
        urgent=True,
    )
    assert case.case.state is State.APPEAL_SUBMITTED
    assert case.case.appeal_submitted_on == date(2026, 11, 16) and case.case.urgent
    assert case.version == v0 + 4

    approval = infliximab_approval("LKH-APL-5001")
    case = step(
        store,
        actor,
        case,
        Action.APPROVE_APPEAL,
        date(2026, 11, 20),
        "Approved on appeal.",
        approval=approval,
    )
    assert case.case.state is State.APPEAL_APPROVED
    assert case.case.approval == approval
    assert case.version > v0 + 4  # each step moves the version on (an approval may move it twice)
    rem = case.remaining()
    assert rem is not None
    assert (rem.units_by_code, rem.visits) == ({"J1745": 120, "96365": 3, "96366": 3}, 3)

    visit = next_planned_visit(store, demo.order["D0001"])
    with store.session() as s:
        case = pas.record_visit(s, actor, case.id, on=visit.on, planned_visit_id=visit.id)
    # the order's lines on approved codes: J1745 36 given + 4 wasted (JW), 96365, 96366
    assert case.usages == (
        pa.Usage(visit.on, "J1745", 36, True),
        pa.Usage(visit.on, "J1745", 4, False),
        pa.Usage(visit.on, "96365", 1, False),
        pa.Usage(visit.on, "96366", 1, False),
    )
    rem = case.remaining()
    assert rem is not None
    assert rem.units_by_code == {"J1745": 80, "96365": 2, "96366": 2}
    assert rem.visits == 2 and rem.over == {} and rem.visits_over == 0
    assert visit_status(store, demo.order["D0001"], visit.id) == "given"
    with store.session() as s:
        rows = list(s.scalars(select(PriorAuthUsage).where(PriorAuthUsage.case_id == case.id)))
    assert {(u.planned_visit_id, u.recorded_by) for u in rows} == {(visit.id, "test.clerk")}

    case = step(store, LEAD, case, Action.EXPIRE, date(2027, 6, 1), "Approval ran out.")
    assert case.case.state is State.EXPIRED

    expected = [
        (
            date(2026, 11, 2),
            "test.clerk",
            Action.SUBMIT,
            State.DRAFT,
            State.SUBMITTED,
            "Faxed the LMN, notes, card and order.",
        ),
        (
            date(2026, 11, 5),
            "pat.lead",
            Action.PEND,
            State.SUBMITTED,
            State.PENDING,
            "Payer wants a recent CRP and the colonoscopy report.",
        ),
        (
            date(2026, 11, 12),
            "test.clerk",
            Action.DENY,
            State.PENDING,
            State.DENIED,
            "Denial letter faxed.",
        ),
        (
            date(2026, 11, 16),
            "pat.lead",
            Action.APPEAL,
            State.DENIED,
            State.APPEAL_SUBMITTED,
            "Appeal with the step-therapy history.",
        ),
        (
            date(2026, 11, 20),
            "test.clerk",
            Action.APPROVE_APPEAL,
            State.APPEAL_SUBMITTED,
            State.APPEAL_APPROVED,
            "Approved on appeal.",
        ),
        (
            date(2027, 6, 1),
            "pat.lead",
            Action.EXPIRE,
            State.APPEAL_APPROVED,
            State.EXPIRED,
            "Approval ran out.",
        ),
    ]
    assert [
        (e.on, e.by, e.action, e.from_state, e.to_state, e.note) for e in case.case.events
    ] == expected
    with store.session() as s:
        stored = list(
            s.scalars(
                select(PriorAuthEvent)
                .where(PriorAuthEvent.case_id == case.id)
                .order_by(PriorAuthEvent.id)
            )
        )
    assert [(e.on, e.by, e.action, e.from_state, e.to_state, e.note) for e in stored] == [
        (on, by, str(a), str(f), str(t), n) for on, by, a, f, t, n in expected
    ]
    assert all(e.at is not None for e in stored)
    assert [e.at for e in stored] == sorted(e.at for e in stored)

    # refused steps left no trace in the audit trail
    assert audit_trail(store, "prior_auth", case.id) == [
        ("test.clerk", "create", pid),
        ("test.clerk", "prior_auth:submit", pid),
        ("pat.lead", "prior_auth:pend", pid),
        ("test.clerk", "prior_auth:deny", pid),
        ("pat.lead", "prior_auth:appeal", pid),
        ("test.clerk", "prior_auth:approve_appeal", pid),
        ("test.clerk", "usage", pid),
        ("pat.lead", "prior_auth:expire", pid),
    ]


def test_forbidden_action_says_what_is_possible_and_changes_nothing(
    store: Store, actor: Actor, demo: Demo
) -> None:
    case = new_case(store, actor, demo, "D0001")
    audit_before = audit_trail(store, "prior_auth", case.id)
    # caught inside the unit of work, which then commits: still nothing may have changed
    with store.session() as s:
        with pytest.raises(ValidationFailed) as exc:
            pas.act(
                s,
                actor,
                case.id,
                Action.DENY,
                on=date(2026, 11, 2),
                expected_version=case.version,
                reason="No reason",
            )
        with pytest.raises(ValidationFailed) as exc2:
            pas.act(
                s,
                actor,
                case.id,
                Action.APPROVE,
                on=date(2026, 11, 2),
                expected_version=case.version,
                approval=infliximab_approval("LKH-F-1"),
            )
    assert exc.value.errors == {"action": "A draft case can be submitted or cancelled, not denied."}
    assert exc2.value.errors == {
        "action": "A draft case can be submitted or cancelled, not approved."
    }
    after = load(store, case.id)
    assert after.case.state is State.DRAFT
    assert after.case.events == ()
    assert after.version == case.version
    assert after.case.approval is None and after.case.denial_reason == ""
    assert audit_trail(store, "prior_auth", case.id) == audit_before
    with store.session() as s:
        assert list(s.scalars(select(PriorAuthLine).where(PriorAuthLine.case_id == case.id))) == []

    # a closed case says it is closed
    cancelled = step(store, actor, case, Action.CANCEL, date(2026, 11, 3), "Duplicate request.")
    with pytest.raises(ValidationFailed) as exc:
        step(store, actor, cancelled, Action.SUBMIT, date(2026, 11, 4))
    assert exc.value.errors == {
        "action": "A cancelled case is closed: it cannot be submitted. Start a new request instead."
    }
    assert load(store, case.id).version == cancelled.version


def test_cancel_needs_a_note_and_expire_waits_for_the_end(
    store: Store, actor: Actor, demo: Demo
) -> None:
    case = new_case(store, actor, demo, "D0001")
    with pytest.raises(ValidationFailed) as exc:
        step(store, actor, case, Action.CANCEL, date(2026, 11, 2), "   ")
    assert set(exc.value.errors) == {"note"}

    case = approved_case(
        store, actor, demo, infliximab_approval("LKH-EXP-1", end=date(2026, 12, 31))
    )
    with pytest.raises(ValidationFailed) as exc:
        step(store, actor, case, Action.EXPIRE, date(2026, 12, 31))
    assert set(exc.value.errors) == {"on"}
    assert "01/01/2027" in exc.value.errors["on"]
    assert step(store, actor, case, Action.EXPIRE, date(2027, 1, 1)).case.state is State.EXPIRED


def test_stale_expected_version_is_a_conflict(store: Store, actor: Actor, demo: Demo) -> None:
    opened = new_case(store, actor, demo, "D0001")  # two people open the same case
    submitted = step(store, actor, opened, Action.SUBMIT, date(2026, 11, 2))
    assert submitted.version == opened.version + 1
    with pytest.raises(Conflict) as exc:
        step(store, LEAD, opened, Action.CANCEL, date(2026, 11, 3), "Not needed after all.")
    assert "Someone else changed this case" in exc.value.message
    after = load(store, opened.id)
    assert after.case.state is State.SUBMITTED
    assert after.version == submitted.version and len(after.case.events) == 1
    # with the current version it goes through
    assert (
        step(
            store, LEAD, after, Action.CANCEL, date(2026, 11, 3), "Not needed after all."
        ).case.state
        is State.CANCELLED
    )


# --- approvals -------------------------------------------------------------------------------


def test_an_approval_that_cannot_be_recorded_is_refused_field_by_field(
    store: Store, actor: Actor, demo: Demo
) -> None:
    case = new_case(store, actor, demo, "D0001")
    case = step(store, actor, case, Action.SUBMIT, date(2026, 11, 2))
    backwards = infliximab_approval("LKH-BAD-1", start=date(2027, 1, 31), end=date(2027, 1, 1))
    no_lines = Approval("LKH-BAD-2", (), 3, date(2026, 12, 1), date(2027, 5, 31))
    no_visits = infliximab_approval("LKH-BAD-3", visits=0)
    no_number = infliximab_approval("   ")
    for approval, name in (
        (backwards, "end"),
        (no_lines, "lines"),
        (no_visits, "visits"),
        (no_number, "auth_number"),
    ):
        with pytest.raises(ValidationFailed) as exc:
            step(store, actor, case, Action.APPROVE, date(2026, 11, 3), approval=approval)
        assert name in exc.value.errors
        assert exc.value.errors[name] == pa.approval_problems(approval)[name]
    assert "before it starts" in pa.approval_problems(backwards)["end"]
    # the approval must be there at all
    with pytest.raises(ValidationFailed) as exc:
        step(store, actor, case, Action.APPROVE, date(2026, 11, 3))
    assert set(exc.value.errors) == {"approval"}

    after = load(store, case.id)
    assert after.case.state is State.SUBMITTED and after.case.approval is None
    assert after.version == case.version
    with store.session() as s:
        assert list(s.scalars(select(PriorAuthLine).where(PriorAuthLine.case_id == case.id))) == []


def test_authorization_number_is_unique_per_payer(store: Store, actor: Actor, demo: Demo) -> None:
    first = approved_case(store, actor, demo, infliximab_approval("LKH-DUP-1"))
    assert first.case.approval is not None

    other = new_case(store, actor, demo, "D0001")  # same payer (Lakeshore), another case
    other = step(store, actor, other, Action.SUBMIT, date(2026, 11, 2))
    for typed in ("LKH-DUP-1", "  lkh-dup-1 "):
        with pytest.raises(ValidationFailed) as exc:
            step(
                store,
                actor,
                other,
                Action.APPROVE,
                date(2026, 11, 3),
                approval=infliximab_approval(typed),
            )
        assert set(exc.value.errors) == {"auth_number"}
        message = exc.value.errors["auth_number"]
        assert "Lakeshore Health" in message and f"case #{first.id}" in message
    assert load(store, other.id).case.state is State.SUBMITTED

    # the same number from another payer (Northwind) is a different authorization
    nw = new_case(store, actor, demo, "D0006")
    nw = step(store, actor, nw, Action.SUBMIT, date(2026, 11, 2))
    nw = step(
        store,
        actor,
        nw,
        Action.APPROVE,
        date(2026, 11, 3),
        approval=Approval(
            "LKH-DUP-1",
            (ApprovedLine("J3262", 1440), ApprovedLine("96365", 3)),
            3,
            date(2026, 12, 1),
            date(2027, 3, 31),
        ),
    )
    assert nw.case.state is State.APPROVED
    assert nw.case.approval is not None and nw.case.approval.auth_number == "LKH-DUP-1"


# --- visits against the approval ----------------------------------------------------------


def test_a_visit_beyond_the_approved_units_needs_a_reason(
    store: Store, actor: Actor, demo: Demo
) -> None:
    approval = infliximab_approval(
        "LKH-U-1", j1745=40, admin=1, visits=None, start=date(2026, 11, 1)
    )
    case = approved_case(store, actor, demo, approval)
    with store.session() as s:
        case = pas.record_visit(s, actor, case.id, on=date(2026, 11, 24), today=RECORDED)
    rem = case.remaining()
    assert rem is not None
    assert rem.units_by_code == {"J1745": 0, "96365": 0, "96366": 0} and rem.visits is None

    visit = next_planned_visit(store, demo.order["D0001"])
    # the visit's given (36) and wasted (JW 4) infliximab are checked together: 40 units
    expected = pa.check_usage(approval, case.usages, pa.Usage(visit.on, "J1745", 40, True))
    assert (
        expected == "J1745: no units left, this visit uses 40 — give a reason to record it anyway."
    )
    with store.session() as s, pytest.raises(ValidationFailed) as exc:
        pas.record_visit(s, actor, case.id, on=visit.on, planned_visit_id=visit.id)
    assert exc.value.errors == {"reason": expected}
    assert load(store, case.id).usages == case.usages
    assert visit_status(store, demo.order["D0001"], visit.id) == "planned"

    reason = "Payer extended the units by phone, ref LKH-7731."
    with store.session() as s:
        case = pas.record_visit(
            s, actor, case.id, on=visit.on, planned_visit_id=visit.id, reason=f"  {reason} "
        )
    new = case.usages[4:]
    assert [(u.code, u.units, u.visit, u.reason) for u in new] == [
        ("J1745", 36, True, reason),
        ("J1745", 4, False, reason),
        ("96365", 1, False, reason),
        ("96366", 1, False, reason),
    ]
    rem = case.remaining()
    assert rem is not None
    assert rem.units_by_code == {"J1745": 0, "96365": 0, "96366": 0}  # never below zero
    assert rem.over == {"J1745": 40, "96365": 1, "96366": 1}
    assert visit_status(store, demo.order["D0001"], visit.id) == "given"


def test_a_visit_beyond_the_approved_visits_needs_a_reason(
    store: Store, actor: Actor, demo: Demo
) -> None:
    approval = infliximab_approval(
        "LKH-V-1", j1745=400, admin=10, visits=1, start=date(2026, 11, 1)
    )
    case = approved_case(store, actor, demo, approval)
    with store.session() as s:
        case = pas.record_visit(s, actor, case.id, on=date(2026, 11, 24), today=RECORDED)
    rem = case.remaining()
    assert rem is not None and rem.visits == 0 and rem.units_by_code["J1745"] == 360

    with pytest.raises(ValidationFailed) as exc, store.session() as s:
        pas.record_visit(s, actor, case.id, on=date(2026, 12, 21), today=RECORDED)
    assert exc.value.errors == {
        "reason": "No visits left on this approval (all 1 used) — give a reason to record it"
        " anyway."
    }
    assert len(load(store, case.id).usages) == 4

    with store.session() as s:
        case = pas.record_visit(
            s,
            actor,
            case.id,
            on=date(2026, 12, 21),
            reason="Second visit approved verbally.",
            today=RECORDED,
        )
    rem = case.remaining()
    assert rem is not None
    assert rem.visits == 0 and rem.visits_over == 1  # remaining never below zero
    assert rem.units_by_code == {"J1745": 320, "96365": 8, "96366": 8} and rem.over == {}
    assert audit_trail(store, "prior_auth", case.id)[-2:] == [
        ("test.clerk", "usage", demo.pid["D0001"]),
        ("test.clerk", "usage", demo.pid["D0001"]),
    ]


@pytest.mark.parametrize("on", [date(2026, 11, 30), date(2027, 1, 5)])
def test_a_visit_outside_the_approval_dates_needs_a_reason(
    store: Store, actor: Actor, demo: Demo, on: date
) -> None:
    approval = infliximab_approval("LKH-D-1", start=date(2026, 12, 1), end=date(2026, 12, 31))
    case = approved_case(store, actor, demo, approval)
    with pytest.raises(ValidationFailed) as exc, store.session() as s:
        pas.record_visit(s, actor, case.id, on=on, today=RECORDED)
    message = exc.value.errors["reason"]
    assert set(exc.value.errors) == {"reason"}
    assert message == pa.check_usage(approval, (), pa.Usage(on, "J1745", 36, True))
    assert message.startswith("This approval covers 12/01/2026–12/31/2026:")
    assert "is outside it" in message
    assert load(store, case.id).usages == ()

    with store.session() as s:
        case = pas.record_visit(
            s, actor, case.id, on=on, reason="Rescheduled by the payer.", today=RECORDED
        )
    rem = case.remaining()
    assert rem is not None and rem.visits == 2 and rem.units_by_code["J1745"] == 80
    assert {u.reason for u in case.usages} == {"Rescheduled by the payer."}


def test_a_visit_is_recorded_only_against_an_approved_case_with_an_order(
    store: Store, actor: Actor, demo: Demo
) -> None:
    draft = new_case(store, actor, demo, "D0001")
    with pytest.raises(ValidationFailed) as exc, store.session() as s:
        pas.record_visit(s, actor, draft.id, on=date(2026, 12, 22), today=RECORDED)
    assert set(exc.value.errors) == {"visit"}

    no_order = new_case(store, actor, demo, "D0001", with_order=False)
    no_order = step(store, actor, no_order, Action.SUBMIT, date(2026, 11, 2))
    no_order = step(
        store,
        actor,
        no_order,
        Action.APPROVE,
        date(2026, 11, 3),
        approval=infliximab_approval("LKH-NO-1"),
    )
    with pytest.raises(ValidationFailed) as exc, store.session() as s:
        pas.record_visit(s, actor, no_order.id, on=date(2026, 12, 22))
    assert set(exc.value.errors) == {"visit"} and "no therapy order" in exc.value.errors["visit"]

    other_codes = approved_case(
        store,
        actor,
        demo,
        Approval(
            "LKH-NO-2", (ApprovedLine("J3262", 480),), 1, date(2026, 11, 1), date(2027, 5, 31)
        ),
    )
    with pytest.raises(ValidationFailed) as exc, store.session() as s:
        pas.record_visit(s, actor, other_codes.id, on=date(2026, 12, 22), today=RECORDED)
    assert exc.value.errors == {"visit": "None of the order's codes are on the approval."}

    with pytest.raises(NotFound), store.session() as s:
        pas.record_visit(s, actor, 987654, on=date(2026, 12, 22))


def test_a_planned_visit_of_another_patients_order_is_refused(
    store: Store, actor: Actor, demo: Demo
) -> None:
    case = approved_case(
        store, actor, demo, infliximab_approval("LKH-X-1", start=date(2026, 11, 1))
    )
    foreign = next_planned_visit(store, demo.order["D0006"])
    try:
        with pytest.raises(ValidationFailed), store.session() as s:
            pas.record_visit(s, actor, case.id, on=date(2026, 12, 22), planned_visit_id=foreign.id)
    finally:
        assert visit_status(store, demo.order["D0006"], foreign.id) == "planned"


def test_the_same_planned_visit_is_not_recorded_twice(
    store: Store, actor: Actor, demo: Demo
) -> None:
    case = approved_case(
        store, actor, demo, infliximab_approval("LKH-X-2", start=date(2026, 11, 1))
    )
    visit = next_planned_visit(store, demo.order["D0001"])
    with store.session() as s:
        pas.record_visit(s, actor, case.id, on=visit.on, planned_visit_id=visit.id)
    try:
        with pytest.raises(ValidationFailed), store.session() as s:
            pas.record_visit(s, actor, case.id, on=visit.on, planned_visit_id=visit.id)
    finally:
        assert len(load(store, case.id).usages) == 4


def test_an_unknown_planned_visit_is_a_user_error(store: Store, actor: Actor, demo: Demo) -> None:
    case = approved_case(
        store, actor, demo, infliximab_approval("LKH-X-3", start=date(2026, 11, 1))
    )
    with pytest.raises((ValidationFailed, NotFound)), store.session() as s:
        pas.record_visit(s, actor, case.id, on=date(2026, 12, 22), planned_visit_id=987654)


# --- documents -------------------------------------------------------------------------------


def add_doc(
    store: Store,
    actor: Actor,
    case_id: int,
    kind: str,
    filename: str,
    content: bytes,
    doc_date: date | None = date(2026, 11, 20),
) -> pas.DocumentRecord:
    with store.session() as s:
        return pas.add_document(
            s, actor, case_id, kind=kind, doc_date=doc_date, filename=filename, content=content
        )


def test_documents_are_kept_with_their_sniffed_type_and_checksum(
    store: Store, actor: Actor, demo: Demo
) -> None:
    case = new_case(store, actor, demo, "D0001")
    text = "Step therapy: methotrexate 2019–2021, adalimumab 2022 (lost response).\n".encode()
    files = [
        ("letter_of_medical_necessity", "lmn.pdf", PDF, "application/pdf"),
        ("insurance_card", "card.png", PNG, "image/png"),
        ("clinical_notes", "notes.jpg", JPEG, "image/jpeg"),
        ("step_therapy_history", "history.txt", text, "text/plain"),
        ("signed_order", "order-scan", PDF, "application/pdf"),  # the bytes decide, not the name
    ]
    records = [add_doc(store, actor, case.id, k, n, c) for k, n, c, _ in files]
    for rec, (kind, name, content, media) in zip(records, files, strict=True):
        assert rec.kind == DocumentKind(kind)
        assert (rec.filename, rec.media_type, rec.size) == (name, media, len(content))
        assert rec.sha256 == hashlib.sha256(content).hexdigest()
        assert rec.added_by == "test.clerk" and not rec.removed
        assert rec.doc_date == date(2026, 11, 20)
        assert audit_trail(store, "prior_auth_document", rec.id) == [
            ("test.clerk", "attach", demo.pid["D0001"])
        ]
    loaded = load(store, case.id)
    assert loaded.documents == tuple(records)
    assert loaded.missing_documents() == []  # LMN, notes, card and signed order are there


def test_documents_that_cannot_be_kept_are_refused(store: Store, actor: Actor, demo: Demo) -> None:
    case = new_case(store, actor, demo, "D0001")

    def refused(
        filename: str,
        content: bytes,
        kind: str = "clinical_notes",
        doc_date: date | None = date(2026, 11, 20),
    ) -> dict[str, str]:
        with pytest.raises(ValidationFailed) as exc:
            add_doc(store, actor, case.id, kind, filename, content, doc_date)
        return exc.value.errors

    assert refused("scan.pdf", b"") == {"file": "scan.pdf is empty: choose the right file."}
    too_big = b"%PDF-" + bytes(pas.MAX_DOCUMENT_BYTES - 4)
    assert len(too_big) == pas.MAX_DOCUMENT_BYTES + 1
    errors = refused("huge.pdf", too_big)
    assert set(errors) == {"file"} and "the limit is 50 MB" in errors["file"]
    del too_big
    assert refused("setup.exe", EXE) == {
        "file": "setup.exe is not a PDF, an image (PNG, JPEG, TIFF, GIF) or a text file."
    }
    assert set(refused("notes.txt", EXE)) == {"file"}  # a text name does not make it text
    assert set(refused("notes.pdf", PDF, kind="selfie")) == {"kind"}
    assert set(refused("notes.pdf", PDF, doc_date=None)) == {"doc_date"}
    assert load(store, case.id).documents == ()
    with store.session() as s:
        assert (
            list(
                s.scalars(select(PriorAuthDocument.id).where(PriorAuthDocument.case_id == case.id))
            )
            == []
        )
    with pytest.raises(NotFound):
        add_doc(store, actor, 987654, "clinical_notes", "x.pdf", PDF)


def test_document_content_is_returned_and_every_read_is_audited(
    store: Store, actor: Actor, demo: Demo
) -> None:
    case = new_case(store, actor, demo, "D0001")
    doc = add_doc(store, actor, case.id, "lab_results", "crp.png", PNG)
    with store.session() as s:
        assert pas.document_content(s, actor, doc.id, purpose="open") == PNG
    with store.session() as s:
        assert pas.document_content(s, LEAD, doc.id, purpose="export") == PNG
    pid = demo.pid["D0001"]
    assert audit_trail(store, "prior_auth_document", doc.id) == [
        ("test.clerk", "attach", pid),
        ("test.clerk", "open", pid),
        ("pat.lead", "export", pid),
    ]
    with pytest.raises(NotFound), store.session() as s:
        pas.document_content(s, actor, 987654, purpose="open")


def test_a_tampered_document_is_a_checksum_conflict(store: Store, actor: Actor, demo: Demo) -> None:
    case = new_case(store, actor, demo, "D0001")
    doc = add_doc(store, actor, case.id, "letter_of_medical_necessity", "lmn.pdf", PDF)
    with store.engine.begin() as conn:
        conn.execute(
            update(PriorAuthDocument)
            .where(PriorAuthDocument.id == doc.id)
            .values(content=PDF.replace(b"Catalog", b"Cataloh"))
        )
    with pytest.raises(Conflict) as exc, store.session() as s:
        pas.document_content(s, actor, doc.id, purpose="open")
    assert "lmn.pdf" in exc.value.message and "checksum" in exc.value.message
    assert [a for _, a, _ in audit_trail(store, "prior_auth_document", doc.id)] == ["attach"]


def test_removing_a_document_needs_a_reason_and_keeps_the_record(
    store: Store, actor: Actor, demo: Demo
) -> None:
    case = new_case(store, actor, demo, "D0001")
    docs = {
        k: add_doc(store, actor, case.id, k, f"{k}.pdf", PDF)
        for k in ("letter_of_medical_necessity", "clinical_notes", "insurance_card", "signed_order")
    }
    assert load(store, case.id).missing_documents() == []
    lmn = docs["letter_of_medical_necessity"]

    for reason in ("", "   "):
        with pytest.raises(ValidationFailed) as exc, store.session() as s:
            pas.remove_document(s, actor, lmn.id, reason=reason)
        assert set(exc.value.errors) == {"reason"}
    assert not load(store, case.id).documents[0].removed

    with store.session() as s:
        removed = pas.remove_document(s, LEAD, lmn.id, reason="  Letter of another patient. ")
    assert removed.removed and removed.removed_by == "pat.lead"
    assert removed.removed_reason == "Letter of another patient."
    after = load(store, case.id)
    assert len(after.documents) == 4  # the record stays on the case
    kept = next(d for d in after.documents if d.id == lmn.id)
    assert (kept.removed, kept.removed_by, kept.removed_reason) == (
        True,
        "pat.lead",
        "Letter of another patient.",
    )
    assert after.missing_documents() == [DocumentKind.LETTER_OF_MEDICAL_NECESSITY]
    with store.session() as s:
        assert pas.document_content(s, actor, lmn.id, purpose="open") == PDF  # file kept too
        assert s.get(PriorAuthDocument, lmn.id).removed_at is not None
    assert [a for _, a, _ in audit_trail(store, "prior_auth_document", lmn.id)] == [
        "attach",
        "remove",
        "open",
    ]
    with pytest.raises(NotFound), store.session() as s:
        pas.remove_document(s, actor, 987654, reason="gone")


def test_an_appeal_also_needs_the_appeal_letter_and_the_payers_letter(
    store: Store, actor: Actor, demo: Demo
) -> None:
    case = new_case(store, actor, demo, "D0001")
    assert load(store, case.id).missing_documents() == list(pa.REQUIRED_FOR_SUBMISSION)
    for k in ("letter_of_medical_necessity", "clinical_notes", "insurance_card", "signed_order"):
        add_doc(store, actor, case.id, k, f"{k}.pdf", PDF)
    case = step(store, actor, case, Action.SUBMIT, date(2026, 11, 2))
    case = step(
        store, actor, case, Action.DENY, date(2026, 11, 10), reason="Not medically necessary."
    )
    assert case.missing_documents() == [DocumentKind.APPEAL_LETTER, DocumentKind.PAYER_LETTER]
    add_doc(store, actor, case.id, "payer_letter", "denial.pdf", PDF)
    assert load(store, case.id).missing_documents() == [DocumentKind.APPEAL_LETTER]


@pytest.mark.sqlite_only  # about the encrypted file itself
def test_the_database_files_hold_no_plaintext_of_a_document(
    store: Store, actor: Actor, demo: Demo, paths: DataPaths
) -> None:
    sentence = "Quokka-violet protocol: Ms. Garcia-Lopez declined the 7:45 infusion on 11/26."
    needle = sentence.encode()
    case = new_case(store, actor, demo, "D0001")
    doc = add_doc(store, actor, case.id, "clinical_notes", "quokka-note.txt", needle)
    assert doc.media_type == "text/plain"

    def files_with_it() -> list[str]:
        found = []
        for f in sorted(paths.root.rglob("*")):
            if f.is_file():
                data = f.read_bytes()
                if needle in data or b"Quokka-violet" in data:
                    found.append(f.name)
        return found

    assert (paths.root / "infudesk.db").exists()
    assert files_with_it() == []  # while open (database and its write-ahead log)
    store.close()
    assert files_with_it() == []
    assert not (paths.root / "infudesk.db").read_bytes().startswith(b"SQLite format 3")

    reopened = open_store(paths)  # the sentence is in there, encrypted
    try:
        with reopened.session() as s:
            assert pas.document_content(s, actor, doc.id, purpose="open") == needle
    finally:
        reopened.close()


# --- the case list ---------------------------------------------------------------------------


@pytest.fixture
def worklist(store: Store, actor: Actor, demo: Demo) -> Iterator[dict[str, pas.CaseRecord]]:
    """Cases in several states, each with a known next reminder (see the test below)."""
    pending = new_case(store, actor, demo, "D0001")
    pending = step(store, actor, pending, Action.SUBMIT, date(2026, 11, 20))
    pending = step(
        store, actor, pending, Action.PEND, date(2026, 11, 21), follow_up=date(2026, 11, 24)
    )

    ending = new_case(store, actor, demo, "D0006")
    ending = step(store, actor, ending, Action.SUBMIT, date(2026, 6, 1))
    ending = step(
        store,
        actor,
        ending,
        Action.APPROVE,
        date(2026, 6, 3),
        approval=Approval(
            "NWB-REAUTH-1",
            (ApprovedLine("J3262", 1440), ApprovedLine("96365", 3)),
            3,
            date(2026, 6, 3),
            TODAY + timedelta(days=20),
        ),
    )

    denied = new_case(store, actor, demo, "D0004")
    denied = step(store, actor, denied, Action.SUBMIT, date(2026, 11, 1))
    denied = step(
        store,
        actor,
        denied,
        Action.DENY,
        date(2026, 11, 10),
        reason="Hospital outpatient site not covered.",
    )

    with store.session() as s:
        s.get(Payer, demo.medigap_payer).appeal_days = 65
    short_appeal = new_case(store, actor, demo, "D0002", coverage_id=demo.medigap_cov)
    short_appeal = step(store, actor, short_appeal, Action.SUBMIT, date(2026, 11, 1))
    short_appeal = step(
        store,
        actor,
        short_appeal,
        Action.DENY,
        date(2026, 11, 10),
        reason="Not covered by the supplement.",
    )

    cancelled = new_case(store, actor, demo, "D0002")
    cancelled = step(
        store, actor, cancelled, Action.CANCEL, date(2026, 11, 20), "Entered twice by mistake."
    )

    draft = new_case(store, actor, demo, "D0001")
    yield {
        "pending": pending,
        "ending": ending,
        "denied": denied,
        "short_appeal": short_appeal,
        "cancelled": cancelled,
        "draft": draft,
    }


def listed(store: Store, **filters: object) -> list[pas.CaseRow]:
    with store.session() as s:
        return pas.list_cases(s, today=TODAY, **filters)


def test_list_cases_reminders_and_most_urgent_first(
    store: Store, demo: Demo, worklist: dict[str, pas.CaseRecord]
) -> None:
    rows = listed(store)
    by_id = {r.id: r for r in rows}
    ids = {name: c.id for name, c in worklist.items()}
    assert set(ids.values()) - {ids["cancelled"]} <= set(by_id)
    assert ids["cancelled"] not in by_id  # closed cases are hidden by default

    pending = by_id[ids["pending"]]
    assert pending.state is State.PENDING
    assert pending.next_reminder is not None
    assert pending.next_reminder.kind is pa.ReminderKind.FOLLOW_UP
    assert (pending.next_reminder.due_on, pending.next_reminder.severity) == (
        date(2026, 11, 24),
        "overdue",
    )
    assert (pending.patient_name, pending.mrn, pending.payer_name) == (
        "García-López, María",
        "D0001",
        "Lakeshore Health",
    )
    assert pending.order_label == worklist["pending"].order_label

    ending = by_id[ids["ending"]]
    assert ending.next_reminder is not None
    assert ending.next_reminder.kind is pa.ReminderKind.REAUTH
    assert ending.next_reminder.due_on == TODAY + timedelta(days=13)  # 7 days before the end
    assert ending.next_reminder.severity == "soon"
    assert "NWB-REAUTH-1" in ending.next_reminder.text
    assert "in 20 days" in ending.next_reminder.text
    assert (ending.auth_number, ending.end_on, ending.approved_visits) == (
        "NWB-REAUTH-1",
        TODAY + timedelta(days=20),
        3,
    )
    assert ending.remaining is not None and ending.remaining.visits == 3

    denied = by_id[ids["denied"]]
    assert denied.next_reminder is not None
    assert denied.next_reminder.kind is pa.ReminderKind.APPEAL_DUE
    assert denied.next_reminder.due_on == date(2026, 11, 10) + timedelta(days=180)
    assert denied.next_reminder.severity == "info"
    assert "180 days after the denial" in denied.next_reminder.text

    short = by_id[ids["short_appeal"]]  # the payer's own appeal window
    assert short.next_reminder is not None
    assert short.next_reminder.kind is pa.ReminderKind.APPEAL_DUE
    assert short.next_reminder.due_on == date(2026, 11, 10) + timedelta(days=65)
    assert "65 days after the denial" in short.next_reminder.text

    assert by_id[ids["draft"]].next_reminder is None

    # the list and the case agree on what is due
    for name in ("pending", "ending", "denied", "short_appeal"):
        assert list(by_id[ids[name]].reminders) == load(store, ids[name]).reminders(TODAY)

    # most urgent first: severity, then due date; cases with nothing due last
    rank = {"overdue": 0, "due": 1, "soon": 2, "info": 3}
    keys = [
        (rank[r.next_reminder.severity], r.next_reminder.due_on)
        if r.next_reminder
        else (4, date.max)
        for r in rows
    ]
    assert keys == sorted(keys)
    position = {r.id: i for i, r in enumerate(rows)}
    order = ["pending", "ending", "short_appeal", "denied", "draft"]
    assert sorted(order, key=lambda n: position[ids[n]]) == order


def test_list_cases_filters(store: Store, demo: Demo, worklist: dict[str, pas.CaseRecord]) -> None:
    ids = {name: c.id for name, c in worklist.items()}

    everything = listed(store, include_closed=True)
    closed = next(r for r in everything if r.id == ids["cancelled"])
    assert closed.state is State.CANCELLED and closed.next_reminder is None
    assert {r.id for r in listed(store)} == {r.id for r in everything} - {
        r.id for r in everything if r.state in pa.TERMINAL_STATES
    }

    mine = listed(store, patient_id=demo.pid["D0001"])
    assert {r.patient_id for r in mine} == {demo.pid["D0001"]}
    assert {ids["pending"], ids["draft"]} <= {r.id for r in mine}
    assert ids["ending"] not in {r.id for r in mine}

    northwind = listed(store, payer_id=demo.payer["D0006"])
    assert {r.payer_id for r in northwind} == {demo.payer["D0006"]}
    assert ids["ending"] in {r.id for r in northwind}
    assert ids["pending"] not in {r.id for r in northwind}

    denied = listed(store, states=frozenset({State.DENIED}))
    assert {r.state for r in denied} == {State.DENIED}
    assert {ids["denied"], ids["short_appeal"]} <= {r.id for r in denied}

    some = listed(
        store, states=frozenset({State.PENDING, State.APPROVED}), patient_id=demo.pid["D0001"]
    )
    assert {r.state for r in some} <= {State.PENDING, State.APPROVED}
    assert ids["pending"] in {r.id for r in some}
    assert ids["draft"] not in {r.id for r in some}

    cancelled = listed(store, states=frozenset({State.CANCELLED}), include_closed=True)
    assert ids["cancelled"] in {r.id for r in cancelled}
    assert {r.state for r in cancelled} == {State.CANCELLED}


def test_an_extra_visit_is_not_recorded_ahead_nor_on_a_planned_visits_day(
    store: Store, actor: Actor, demo: Demo
) -> None:
    """An extra visit (no planned visit named) is recorded on or after its day, and never on
    a day the order has a visit planned: that one is recorded instead (its units would be
    counted twice). Nothing is recorded when refused."""
    approval = infliximab_approval("LKH-X-1", j1745=4000, admin=100, start=date(2026, 11, 1))
    case = approved_case(store, actor, demo, approval)
    visit = next_planned_visit(store, demo.order["D0001"])
    with pytest.raises(ValidationFailed) as exc, store.session() as s:
        pas.record_visit(s, actor, case.id, on=visit.on, today=visit.on - timedelta(days=1))
    assert set(exc.value.errors) == {"on"} and "not a day ahead" in exc.value.errors["on"]
    with pytest.raises(ValidationFailed) as exc, store.session() as s:
        pas.record_visit(s, actor, case.id, on=visit.on, today=RECORDED)
    assert exc.value.errors == {
        "on": f"A visit of this order is planned on {visit.on:%m/%d/%Y}: record that one "
        "(choose it under Visit once its day has come)."
    }
    assert load(store, case.id).usages == ()
    with store.session() as s:  # the day after: an extra visit, its day come
        after = visit.on + timedelta(days=1)
        case = pas.record_visit(s, actor, case.id, on=after, today=after)
    assert {u.on for u in case.usages} == {after}
