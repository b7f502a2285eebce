"""The worklist kept from one run to the next (services/worklist_kept.py, worklist.settle), on
SQLite and PostgreSQL: a start (or a new day) loads the worklist kept in the database and
catches up from the change log, equal to the same worked out afresh; one kept by other rules,
damaged, or too far behind is not used; one that is wrong is found by the check behind the
screen and replaced; keeping it is not a change and never happens when writes are refused."""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select, update

from infudesk.domain import worklist as dw
from infudesk.paths import DataPaths
from infudesk.services import worklist as wsv
from infudesk.services import worklist_kept as kept
from infudesk.services.access import Role
from infudesk.services.audit import Actor
from infudesk.store import changes
from infudesk.store.database import Store
from infudesk.store.models import ChangeLog, WorklistSnapshot
from tests.conftest import TODAY, MemoryKeyring
from tests.seeded import Template, copy_template, patient_id, seed_template
from tests.seeded import change_count as token
from tests.seeded import print_estimate as print_letter
from tests.seeded import rename_patient as rename

DESK = Actor("desk.one", role=Role.FRONT_DESK.value)
WINDOW = (14, dw.UNRECORDED_DAYS)
TOMORROW = TODAY + timedelta(days=1)


@pytest.fixture(scope="module")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    return seed_template(tmp_path_factory, "kept")


@pytest.fixture
def paths(data_dir: Path, memory_keyring: MemoryKeyring, seeded_template: Template) -> DataPaths:
    return copy_template(seeded_template, data_dir, memory_keyring)


@pytest.fixture(autouse=True)
def a_fresh_run() -> Iterator[None]:
    wsv.forget_worked_out()
    yield
    wsv.forget_worked_out()


def build(store: Store, today: date = TODAY) -> dw.Worklist:
    with store.session() as s:
        return wsv.build(s, DESK, today)


def afresh(store: Store, today: date = TODAY) -> dw.Worklist:
    with store.session() as s:
        return wsv.build_afresh(s, DESK, today)


def settle(store: Store, today: date = TODAY) -> bool:
    with store.session() as s:
        return wsv.settle(s, DESK, today)


def kept_tokens(store: Store) -> dict[date, int]:
    with store.session() as s:
        return {d: t for d, t in s.execute(select(WorklistSnapshot.day, WorklistSnapshot.token))}


def test_settle_keeps_today_and_tomorrow_without_counting_a_change(store: Store) -> None:
    first = build(store)
    before, logged = token(store), _log_rows(store)
    assert settle(store) is False  # built whole here: nothing to check
    assert kept_tokens(store) == {TODAY: before, TOMORROW: before}
    with store.session() as s:
        assert kept.kept_days(s) == [TODAY, TOMORROW]  # (what `infudesk check` lists)
    assert token(store) == before and _log_rows(store) == logged  # not a change
    assert build(store) is first  # the kept one in memory is untouched
    # a second settle with nothing saved since writes nothing (its figures are near enough)
    with store.session() as s:
        s.execute(update(WorklistSnapshot).values(data=b"not written again"))
    settle(store)
    with store.session() as s:
        assert set(s.scalars(select(WorklistSnapshot.data))) == {b"not written again"}


def _log_rows(store: Store) -> int:
    with store.session() as s:
        return int(s.scalar(select(func.count()).select_from(ChangeLog)) or 0)


def test_a_start_loads_the_kept_worklist_and_catches_up(
    store: Store, spied: list[set[int] | None]
) -> None:
    build(store)
    settle(store)
    p = patient_id(store, "D0002")
    rename(store, p, "Quillfeather")
    wsv.forget_worked_out()  # a start
    spied.clear()
    wl = build(store)
    assert spied == [{p}]  # only the renamed patient worked out: the rest came from the kept
    assert wl == afresh(store)
    assert any(v.patient_name.startswith("Quillfeather") for v in wl.visits)
    # the check behind the screen finds it right, and builds whole once (the memo for later)
    spied.clear()
    assert settle(store) is False
    assert spied == [None]
    spied.clear()
    assert settle(store) is False and spied == []  # checked: not again


def test_a_new_day_starts_from_the_worklist_kept_the_day_before(
    store: Store, spied: list[set[int] | None]
) -> None:
    build(store)
    settle(store)  # keeps tomorrow's too
    p = patient_id(store, "D0006")
    print_letter(store, p)
    wsv.forget_worked_out()  # the next morning's start
    spied.clear()
    wl = build(store, TOMORROW)
    assert spied == [{p}]
    assert wl == afresh(store, TOMORROW)


def test_a_kept_worklist_with_nothing_saved_since_needs_no_rules_at_all(
    store: Store, spied: list[set[int] | None]
) -> None:
    build(store)
    settle(store)
    wsv.forget_worked_out()
    spied.clear()
    assert build(store) == afresh(store)
    assert spied == []


def test_one_kept_by_other_rules_or_damaged_or_too_far_behind_is_not_used(
    store: Store, spied: list[set[int] | None], monkeypatch: pytest.MonkeyPatch
) -> None:
    build(store)
    settle(store)
    # other rules (another version of infudesk, another Python, another time zone)
    with store.session() as s:
        s.execute(update(WorklistSnapshot).values(rules="0" * 64))
    wsv.forget_worked_out()
    spied.clear()
    assert build(store) == afresh(store) and spied == [None]
    # damaged
    settle(store)  # kept again under these rules
    with store.session() as s:
        s.execute(update(WorklistSnapshot).values(data=b"\x78\x9c garbage"))
    wsv.forget_worked_out()
    spied.clear()
    assert build(store) == afresh(store) and spied == [None]
    settle(store)  # a readable one kept in its place
    wsv.forget_worked_out()
    spied.clear()
    assert build(store) == afresh(store) and spied == []
    # too many patients changed since it was kept (the log names more than a catch-up takes)
    rename(store, patient_id(store, "D0001"), "Farbehind")
    real = changes.patients_changed

    def many(session: Any, since: int, upto: int) -> set[int] | None:
        named = real(session, since, upto)
        return None if named is None else named | set(range(10**6, 10**6 + wsv.CATCH_UP_MAX))

    monkeypatch.setattr(changes, "patients_changed", many)
    wsv.forget_worked_out()
    spied.clear()
    assert build(store) == afresh(store) and spied == [None]
    monkeypatch.setattr(changes, "patients_changed", real)
    wsv.forget_worked_out()  # as many as a catch-up takes: the kept one is used
    spied.clear()
    assert build(store) == afresh(store) and spied == [{patient_id(store, "D0001")}]


def test_a_kept_worklist_that_is_wrong_is_found_and_replaced(
    store: Store,
    spied: list[set[int] | None],
    allow_warnings: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Whatever made it wrong (a write outside the unit of work, a hand edit), the check
    behind the screen builds it afresh, says so in the log, and keeps the right one."""
    right = build(store)
    settle(store)
    _spoil_kept(store)
    wsv.forget_worked_out()
    shown = build(store)
    assert shown != right and shown.visits[0].blockers == ()  # what was kept, as kept
    caplog.clear()
    assert settle(store) is True  # differed: show it again
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(errors) == 1 and "differed from the records (1 visits, 0 tasks" in errors[0]
    assert build(store) == right == afresh(store)
    wsv.forget_worked_out()  # the next start loads the right one
    spied.clear()
    assert build(store) == right and spied == []


def test_nothing_is_kept_when_writes_are_refused(store: Store) -> None:
    build(store)
    store.refuse_writes("The database file is damaged: restore it from a backup.")
    assert settle(store) is False
    assert kept_tokens(store) == {}


def test_kept_worklists_of_days_gone_by_are_dropped(store: Store) -> None:
    build(store)
    settle(store)
    later = TODAY + timedelta(days=3)
    build(store, later)
    settle(store, later)
    assert set(kept_tokens(store)) == {later, later + timedelta(days=1)}


def test_the_codec_gives_back_the_demos_worklist(store: Store) -> None:
    wl = afresh(store)
    assert wl.visits and wl.tasks and any(v.blockers for v in wl.visits)
    assert kept.decode(kept.encode(wl.visits, wl.tasks)) == (wl.visits, wl.tasks)
    for bad in (b"", b"not zlib", kept.encode([], [])[:-3]):
        with pytest.raises(ValueError):
            kept.decode(bad)


# --- the codec, for any rows ---------------------------------------------------------------

ids = st.integers(min_value=0, max_value=2**40)
texts = st.text(max_size=30)
days = st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31))
targets = st.builds(
    dw.Target,
    st.sampled_from(["verification", "prior_auth", "new_prior_auth", "assistance", "patient"]),
    ids,
    st.none() | ids,
    st.none() | ids,
    st.none() | ids,
)
blockers = st.builds(dw.Blocker, st.sampled_from(list(dw.BlockerKind)), texts, texts, targets)
rows = st.builds(
    dw.VisitRow,
    ids,
    ids,
    texts,
    texts,
    days,
    ids,
    texts,
    texts,
    texts,
    st.sampled_from([s.value for s in dw.VisitStatus]),
    st.lists(blockers, max_size=3).map(tuple),
)
tasks_ = st.builds(
    dw.Task,
    texts,
    st.sampled_from(list(dw.TaskKind)),
    texts,
    days,
    ids,
    texts,
    texts,
    st.none() | texts,
    st.sampled_from([s.value for s in dw.TaskStatus]),
    targets,
)


@given(st.lists(rows, max_size=5), st.lists(tasks_, max_size=5))
def test_the_codec_gives_back_equal_rows_and_tasks(
    visits: list[dw.VisitRow], tasks: list[dw.Task]
) -> None:
    got_visits, got_tasks = kept.decode(kept.encode(visits, tasks))
    assert got_visits == tuple(visits) and got_tasks == tuple(tasks)
    assert all(type(b.kind) is dw.BlockerKind for v in got_visits for b in v.blockers)
    assert all(type(t.kind) is dw.TaskKind for t in got_tasks)


# --- the rules' fingerprint -------------------------------------------------------------------


@pytest.mark.sqlite_only
def test_the_fingerprint_covers_every_domain_module() -> None:
    import infudesk.domain

    folder = Path(infudesk.domain.__file__).parent
    domain = {f"infudesk.domain.{p.stem}" for p in folder.glob("*.py") if p.stem != "__init__"}
    assert domain <= set(kept.RULE_MODULES)
    assert "infudesk.services.worklist" in kept.RULE_MODULES


@pytest.mark.sqlite_only
def test_the_fingerprint_is_the_same_in_every_run_and_moves_with_the_code(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    here = kept.rules_fingerprint()
    assert here is not None and len(here) == 64
    runs = set()
    for seed in ("1", "2"):  # frozensets iterate in another order under another hash seed
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [
                sys.executable,
                "-c",
                "from infudesk.services import worklist_kept as k;print(k.rules_fingerprint())",
            ],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        runs.add(out.stdout.strip())
    assert runs == {here}

    # a constant or an instruction changed: another hash; the same code: the same
    def digest(src: str) -> str:
        h = hashlib.sha256()
        kept._feed(h, compile(src, "rules.py", "exec"))
        return h.hexdigest()

    same = "def due(d):\n    return d in {'a', 'b'} and d > 3\n"
    assert digest(same) == digest(same)
    assert digest(same) != digest(same.replace("3", "4"))
    assert digest(same) != digest(same.replace("'b'", "'c'"))
    assert digest(same) != digest(same.replace(">", ">="))
    # another module read: another fingerprint
    try:
        kept.rules_fingerprint.cache_clear()
        monkeypatch.setattr(kept, "RULE_MODULES", (*kept.RULE_MODULES, "infudesk.services.visits"))
        assert kept.rules_fingerprint() not in (None, here)
        kept.rules_fingerprint.cache_clear()
        monkeypatch.setattr(kept, "RULE_MODULES", ("infudesk.no_such_module",))
        assert kept.rules_fingerprint() is None
    finally:
        monkeypatch.undo()
        kept.rules_fingerprint.cache_clear()  # the real rules' again for the next tests


def test_settle_keeps_them_again_once_too_far_behind(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(store)
    settle(store)
    first = token(store)
    rename(store, patient_id(store, "D0003"), "Oakhurst")
    settle(store)  # one patient behind: near enough, not kept again
    assert kept_tokens(store) == {TODAY: first, TOMORROW: first}
    monkeypatch.setattr(wsv, "KEEP_AFTER", 0)
    settle(store)
    now = token(store)
    assert now > first and kept_tokens(store) == {TODAY: now, TOMORROW: now}
    with store.session() as s:
        found = kept.load(s, TOMORROW, WINDOW, now)
    assert found is not None
    assert any(v.patient_name.startswith("Oakhurst") for v in found.visits)
    fresh = afresh(store, TOMORROW)  # (its tasks with their assignments applied)
    assert found.visits == fresh.visits
    assert [t.key for t in found.tasks] == [t.key for t in fresh.tasks]


def test_a_save_during_the_check_neither_hides_nor_keeps_a_wrong_worklist(
    store: Store,
    spied: list[set[int] | None],
    monkeypatch: pytest.MonkeyPatch,
    allow_warnings: None,
) -> None:
    """Another desk saves while the check builds afresh (on a server: REPEATABLE READ, the
    counter and the rows of one snapshot; SQLite's reads are one snapshot anyway): the check
    still compares, finds the kept worklist wrong, and the next start does not load it."""
    right = build(store)
    settle(store)
    _spoil_kept(store)
    wsv.forget_worked_out()
    assert build(store) != right
    other = patient_id(store, "D0005")
    real = wsv._build
    saved: list[int] = []

    def during(*args: Any, **kw: Any) -> Any:
        if len(args) <= 4 and kw.get("only") is None and not saved:  # the check's whole build
            saved.append(other)
            rename(store, other, "Midcheck")  # committed on another connection meanwhile
        return real(*args, **kw)

    monkeypatch.setattr(wsv, "_build", during)
    assert settle(store) is True and saved == [other]
    monkeypatch.setattr(wsv, "_build", real)
    now = build(store)  # caught up with the save made during the check
    assert now == afresh(store)
    assert any(v.patient_name.startswith("Midcheck") for v in now.visits)
    settle(store)  # kept again (the wrong one was refused)
    wsv.forget_worked_out()
    assert build(store) == afresh(store)


def _spoil_kept(store: Store) -> None:
    """A hand edit of today's kept worklist: its first visit shown without blockers."""
    with store.session() as s:
        data = s.scalar(select(WorklistSnapshot.data).where(WorklistSnapshot.day == TODAY))
        assert data is not None
        visits, tasks = kept.decode(data)
        wrong = (dataclasses.replace(visits[0], blockers=()), *visits[1:])
        s.execute(
            update(WorklistSnapshot)
            .where(WorklistSnapshot.day == TODAY)
            .values(data=kept.encode(wrong, tasks))
        )
