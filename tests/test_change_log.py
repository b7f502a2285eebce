"""The change log (store/changes.py) and the worklist that catches up from it, on SQLite and
PostgreSQL: each kind of save logs the patients whose records it wrote (or "anyone's"), and a
build after any sequence of saves, by this workstation or another, equals the same worklist
worked out afresh from the rows, having worked out again only the patients the log names."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, func, select

from infudesk.domain import prior_auth as pa
from infudesk.domain import worklist as dw
from infudesk.paths import DataPaths
from infudesk.services import assistance as asv
from infudesk.services import coverages as cvs
from infudesk.services import patients as ps
from infudesk.services import payers as pys
from infudesk.services import prior_auths as pas
from infudesk.services import settings
from infudesk.services import visits as vsv
from infudesk.services import worklist as wsv
from infudesk.services.access import Role
from infudesk.services.audit import Actor
from infudesk.services.sync import change_token
from infudesk.store import changes
from infudesk.store.database import Store, open_server_store
from infudesk.store.models import ChangeLog
from tests.conftest import TODAY, MemoryKeyring
from tests.seeded import Template, copy_template, patient_id, seed_template
from tests.seeded import change_count as token
from tests.seeded import print_estimate as print_letter
from tests.seeded import rename_patient as rename

DESK = Actor("desk.one", role=Role.FRONT_DESK.value)
BOSS = Actor("boss", role=Role.MANAGER.value)


@pytest.fixture(scope="module")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    return seed_template(tmp_path_factory, "changelog")


@pytest.fixture
def paths(data_dir: Path, memory_keyring: MemoryKeyring, seeded_template: Template) -> DataPaths:
    return copy_template(seeded_template, data_dir, memory_keyring)


def logged(store: Store, since: int) -> set[int] | None:
    with store.session() as s:
        return changes.patients_changed(s, since, change_token(s))


def planned(store: Store, patient_id: int) -> vsv.VisitRecord:
    with store.session() as s:
        return next(
            v
            for v in vsv.visits_for_patient(s, patient_id)
            if v.status == "planned" and v.on >= TODAY
        )


# --- what each kind of save logs -----------------------------------------------------------


def give(store: Store, patient_id: int) -> None:
    v = planned(store, patient_id)
    with store.session() as s:
        vsv.mark_given(s, DESK, v.visit_id, reason="given anyway", today=v.on)


def reschedule(store: Store, patient_id: int) -> None:
    v = planned(store, patient_id)
    with store.session() as s:
        vsv.reschedule(s, DESK, v.visit_id, v.on + timedelta(days=1), today=TODAY)


def cancel(store: Store, patient_id: int) -> None:
    with store.session() as s:
        vsv.cancel(s, DESK, planned(store, patient_id).visit_id, "Patient moved away")


def pend(store: Store, patient_id: int) -> None:
    """A case asked for more information: pending, follow up in two days."""
    with store.session() as s:
        row = next(
            c
            for c in pas.list_cases(s, today=TODAY, patient_id=patient_id)
            if c.state in (pa.State.SUBMITTED, pa.State.PENDING)
        )
        case = pas.get_case(s, row.id)
        pas.act(
            s,
            DESK,
            case.id,
            pa.Action.PEND,
            on=TODAY,
            expected_version=case.version,
            follow_up=TODAY + timedelta(days=2),
        )


def end_coverage(store: Store, patient_id: int) -> None:
    with store.session() as s:
        (cov, *_) = cvs.list_coverages(s, patient_id)
        cvs.end_coverage(s, BOSS, cov.id, TODAY + timedelta(days=3), today=TODAY)


def spend_grant(store: Store, patient_id: int) -> None:
    with store.session() as s:
        e = next(x for x in asv.enrollments_for_patient(s, patient_id) if x.data.balance)
        assert e.data.balance is not None
        data = dataclasses.replace(
            e.data,
            balance=e.data.balance / 10,
            approved_on=e.data.approved_on or TODAY - timedelta(days=30),
        )
        asv.update_enrollment(s, BOSS, e.id, data)


def rename_payer(store: Store, patient_id: int) -> None:
    with store.session() as s:
        (cov, *_) = cvs.list_coverages(s, patient_id)
        assert cov.data.payer_id is not None
        p = pys.get_payer(s, cov.data.payer_id)
        data = dataclasses.replace(p.data, name=p.data.name + " Plus")
        pys.update_payer(s, BOSS, p.id, data, expected_version=p.version)


def days_before(store: Store, _patient_id: int) -> None:
    with store.session() as s:
        settings.put(s, BOSS, "verification.days_before_visit", 10)


def backup_date(store: Store, _patient_id: int) -> None:
    """The automatic backup's date, written at the day's first close of the app."""
    with store.session() as s:
        settings.put(s, Actor.system("backup"), "backup.last", "2026-11-27T18:00:00+00:00")


def assign_first_task(store: Store, _patient_id: int) -> None:
    with store.session() as s:
        wl = wsv.build(s, DESK, TODAY)
        wsv.assign_task(s, DESK, wl.tasks[0].key, DESK.name)


SAVES: list[tuple[str, Callable[[Store, int], None], str]] = [
    # (name, save, whose records: "patient" the one acted on, "anyone", "nobody")
    ("rename", lambda st, p: rename(st, p, "Quillfeather"), "patient"),
    ("give", give, "patient"),
    ("reschedule", reschedule, "patient"),
    ("cancel", cancel, "patient"),
    ("print", print_letter, "patient"),
    ("end coverage", end_coverage, "patient"),
    ("rename payer", rename_payer, "anyone"),
    ("setting", days_before, "anyone"),
    ("assign a task", assign_first_task, "nobody"),
    ("backup date", backup_date, "nobody"),
]


def test_each_kind_of_save_logs_whose_records_it_wrote(store: Store) -> None:
    for mrn, (name, save, whose) in zip(
        ("D0001", "D0002", "D0003", "D0005", "D0006", "D0002", "D0001", "D0003", "D0004", "D0005"),
        SAVES,
        strict=True,
    ):
        p = patient_id(store, mrn)
        before = token(store)
        save(store, p)
        assert token(store) > before, name
        expected = {"patient": {p}, "anyone": None, "nobody": set()}[whose]
        assert logged(store, before) == expected, name


def test_a_case_and_a_grant_log_their_patient(store: Store) -> None:
    for mrn, save in (("D0003", pend), ("D0004", spend_grant)):
        p = patient_id(store, mrn)
        before = token(store)
        save(store, p)
        assert logged(store, before) == {p}


def test_a_stretch_the_log_no_longer_holds_is_unknown(store: Store) -> None:
    p = patient_id(store, "D0001")
    before = token(store)
    rename(store, p, "Ashgrove")
    rename(store, p, "Birchmoor")
    assert logged(store, before) == {p}
    with store.session() as s:  # pruned (or written before migration 0014)
        s.execute(delete(ChangeLog).where(ChangeLog.token == before + 1))
        s.commit()
    assert logged(store, before) is None
    with store.session() as s:
        assert changes.patients_changed(s, before + 1, change_token(s)) == {p}
        assert changes.patients_changed(s, change_token(s), change_token(s)) == set()
        assert changes.patients_changed(s, change_token(s) + 5, change_token(s)) is None


def test_the_log_is_pruned_as_it_grows(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(changes, "KEEP", 3)
    monkeypatch.setattr(changes, "PRUNE_EVERY", 1)
    p = patient_id(store, "D0001")
    for i in range(6):
        rename(store, p, f"Name{'abcdef'[i]}")
    with store.session() as s:
        tokens = set(s.scalars(select(ChangeLog.token)))
        newest = change_token(s)
    assert tokens == {newest - 2, newest - 1, newest}


# --- the worklist catches up --------------------------------------------------------------


def same(store: Store, today: date = TODAY, days: int = 14) -> dw.Worklist:
    """The worklist built (caught up), checked against the same worked out afresh."""
    with store.session() as s:
        built = wsv.build(s, DESK, today, days)
    with store.session() as s:
        afresh = wsv.build_afresh(s, DESK, today, days)
    assert built.visits == afresh.visits
    assert built.tasks == afresh.tasks
    assert built.counts == afresh.counts
    assert built == afresh
    return built


def test_each_save_is_caught_up_with_only_its_patients(
    store: Store, spied: list[set[int] | None]
) -> None:
    first = same(store)
    assert spied == [None] and first.visits and first.tasks
    order = ["D0002", "D0001", "D0003", "D0005", "D0006", "D0004", "D0001", "D0003", "D0004"]
    order.append("D0001")
    extra: list[tuple[str, Callable[[Store, int], None], str]] = [
        ("pend", pend, "patient"),
        ("spend grant", spend_grant, "patient"),
    ]
    for mrn, (name, save, whose) in zip(order + ["D0003", "D0004"], SAVES + extra, strict=True):
        p = patient_id(store, mrn)
        spied.clear()
        save(store, p)
        wl = same(store)
        # the patient's rows worked out again; everything; or nothing (the last rows kept)
        assert spied == {"patient": [{p}], "anyone": [None], "nobody": []}[whose], name
        if name == "rename":
            assert any(v.patient_name.startswith("Quillfeather") for v in wl.visits)
        if name == "assign a task":
            assert wl.tasks[0].assignee == DESK.name
        spied.clear()
        assert same(store) is not None and spied == []  # nothing saved since: the last one


def test_a_catch_up_of_many_saves_and_the_day_summary_window(
    store: Store, spied: list[set[int] | None]
) -> None:
    same(store)
    same(store, days=1)
    ps_ = [patient_id(store, m) for m in ("D0001", "D0002", "D0006")]
    rename(store, ps_[0], "Hawthorne")
    print_letter(store, ps_[1])
    give(store, ps_[2])
    spied.clear()
    same(store)
    same(store, days=1)
    assert spied == [set(ps_), set(ps_)]


@pytest.mark.postgresql_only
def test_another_workstations_saves_are_caught_up(
    store: Store, paths: DataPaths, spied: list[set[int] | None]
) -> None:
    """A second workstation on the same server database saves; the first one's next build
    catches up with those patients."""
    assert store.target is not None  # (a local database is open in one window at a time)
    same(store)
    other = open_server_store(paths, store.target)
    try:
        assert other.engine is not store.engine
        p = patient_id(other, "D0005")
        rename(other, p, "Elderberry")
        give(other, p)
    finally:
        other.close()
    spied.clear()
    wl = same(store)
    assert spied == [{p}]
    assert any(v.patient_name.startswith("Elderberry") for v in wl.visits)


def test_a_catch_up_of_too_many_patients_builds_whole(
    store: Store, spied: list[set[int] | None], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(wsv, "CATCH_UP_MAX", 1)
    same(store)
    rename(store, patient_id(store, "D0001"), "Larchwood")
    rename(store, patient_id(store, "D0002"), "Rowanberry")
    spied.clear()
    same(store)
    assert spied == [None]


def test_a_pruned_log_builds_whole(store: Store, spied: list[set[int] | None]) -> None:
    same(store)
    before = token(store)
    rename(store, patient_id(store, "D0002"), "Sprucewell")
    with store.session() as s:
        s.execute(delete(ChangeLog).where(ChangeLog.token > before))
        s.commit()
    spied.clear()
    wl = same(store)
    assert spied == [None]
    assert any(v.patient_name.startswith("Sprucewell") for v in wl.visits)


def test_every_counted_transaction_logs_a_row(store: Store) -> None:
    before = token(store)
    for save in (give, print_letter, assign_first_task, days_before):
        save(store, patient_id(store, "D0006"))
    with store.session() as s:
        logged_tokens = set(
            s.scalars(select(func.distinct(ChangeLog.token)).where(ChangeLog.token > before))
        )
        assert logged_tokens == set(range(before + 1, change_token(s) + 1))


def test_a_save_whose_patients_cannot_be_told_logs_anyone(
    store: Store, monkeypatch: pytest.MonkeyPatch, allow_warnings: None
) -> None:
    """The bookkeeping never refuses a save: if whose records changed cannot be told, the
    log says "anyone's" and the next build looks at everything."""

    def broken(*_args: Any) -> set[int | None]:
        raise RuntimeError("a table this module does not understand")

    monkeypatch.setattr(changes, "patients_touched", broken)
    p = patient_id(store, "D0002")
    before = token(store)
    rename(store, p, "Yarrowfield")
    with store.session() as s:
        assert ps.get_patient(s, p).data.last_name == "Yarrowfield"
    assert logged(store, before) is None


def test_builds_racing_saves_catch_up_with_every_one(store: Store) -> None:
    """Builds on one thread while another saves (on a server: each statement sees the newest
    commits, so rows may be newer than the counter read first): the builds kept along the way
    never hide a save from the next one, which equals the worklist worked out afresh."""
    same(store)
    done = threading.Event()
    errors: list[BaseException] = []
    ids = [patient_id(store, m) for m in ("D0001", "D0002", "D0003", "D0005", "D0006")]

    def saver() -> None:
        try:
            for i in range(10):
                rename(store, ids[i % len(ids)], f"Racer{'abcdefghij'[i]}")
                print_letter(store, ids[(i + 2) % len(ids)])
        except BaseException as exc:  # reported below, on the test's thread
            errors.append(exc)
        finally:
            done.set()

    thread = threading.Thread(target=saver)
    thread.start()
    builds = 0
    while not done.is_set():
        with store.session() as s:
            wsv.build(s, DESK, TODAY)
        builds += 1
    thread.join()
    assert not errors
    assert builds >= 2
    wl = same(store)
    assert any(v.patient_name.startswith("Racerj") for v in wl.visits) or any(
        t.patient_name.startswith("Racerj") for t in wl.tasks
    )


def test_tasks_come_in_one_order_whatever_order_the_rows_came_in(store: Store) -> None:
    """Two orders of a patient may raise the same grant's low-balance task (same key, same
    day): the list keeps the same one of them however the rows were read, so a build that
    caught up lists them as one worked out afresh."""
    wl = same(store)
    first = wl.tasks[0]
    twin = dataclasses.replace(
        first,
        text=first.text + " (second order)",
        target=dataclasses.replace(first.target, order_id=(first.target.order_id or 0) + 1),
    )
    with store.session() as s:
        a, _ = wsv._finish(s, list(wl.visits), [*wl.tasks, twin])
        b, _ = wsv._finish(s, list(reversed(wl.visits)), [twin, *reversed(wl.tasks)])
    assert a == b
    assert [t.key for t in a.tasks].count(first.key) == 1
    assert first in a.tasks and twin not in a.tasks  # (the first in the tasks' total order)
