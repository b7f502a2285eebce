"""Seeded demo databases shared by test modules: a keychain-keyed template copied per test,
and the demo (its key beside it) seeded "on" a given day."""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import keyring
import pytest

from infudesk.demo.care import SHOWCASE_MRNS
from infudesk.demo.showcase import seed_demo
from infudesk.paths import DataPaths
from infudesk.services import letters
from infudesk.services import patients as ps
from infudesk.services.access import Role
from infudesk.services.audit import Actor
from infudesk.services.sync import change_token
from infudesk.store.database import Store, open_store
from tests.conftest import TODAY, MemoryKeyring

Template = tuple[Path, dict[tuple[str, str], str]]


def seed_template(tmp_path_factory: pytest.TempPathFactory, name: str) -> Template:
    """An encrypted database with the demo data (seeded on the tests' day), and the keychain
    entries that open it; for a module-scoped fixture."""
    root = tmp_path_factory.mktemp(f"{name}-template") / "data"
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        st = open_store(DataPaths(root))
        try:
            with st.session() as s:
                seed_demo(s, Actor("seed"), today=TODAY)
        finally:
            st.close()
    finally:
        keyring.set_keyring(previous)
    return root, dict(backend.entries)


def copy_template(template: Template, data_dir: Path, memory_keyring: MemoryKeyring) -> DataPaths:
    """This test's data dir as a copy of the template, its keys in the test's keychain."""
    root, entries = template
    shutil.copytree(root, data_dir, ignore=shutil.ignore_patterns("*.lock"))
    memory_keyring.entries.update(entries)
    return DataPaths(data_dir)


def patient_id(store: Store, mrn: str) -> int:
    """A seeded patient's id by MRN."""
    with store.session() as s:
        return ps.get_by_mrn(s, mrn).id


DESK = Actor("desk.one", role=Role.FRONT_DESK.value)


def rename_patient(store: Store, patient_id: int, last: str, actor: Actor = DESK) -> None:
    """A desk's save: the patient's last name changed (through the service)."""
    with store.session() as s:
        p = ps.get_patient(s, patient_id)
        data = dataclasses.replace(p.data, last_name=last)
        ps.update_patient(s, actor, patient_id, data, expected_version=p.version, today=TODAY)


def print_estimate(
    store: Store, patient_id: int, kind: str = "cost-letter", actor: Actor = DESK
) -> None:
    """A desk's save: an estimate (cost letter, Good Faith Estimate) recorded as printed."""
    with store.session() as s:
        letter = letters.Letter(kind, patient_id, "t", "t.pdf", b"%PDF")
        letters.record_output(s, actor, letter, action="print")


def change_count(store: Store) -> int:
    """The store's change counter (store_state.changes)."""
    with store.session() as s:
        return change_token(s)


@dataclass(frozen=True)
class Seeded:
    """The demo's showcase patients seeded on ``day``: the open store and their ids by MRN."""

    store: Store
    day: date
    pid: dict[str, int]


@contextmanager
def seeded_demo(tmp_path_factory: pytest.TempPathFactory, name: str, day: date) -> Iterator[Seeded]:
    """The demo (showcase patients only) seeded on ``day``; the demo key needs no keychain."""
    root: Path = tmp_path_factory.mktemp(f"{name}-{day.isoformat()}") / "data"
    store = open_store(DataPaths(root), demo=True)
    try:
        with store.session() as s:
            assert seed_demo(s, Actor("seed"), today=day, generated=0) == len(SHOWCASE_MRNS)
        with store.session() as s:
            pid = {mrn: ps.get_by_mrn(s, mrn).id for mrn in SHOWCASE_MRNS}
        yield Seeded(store, day, pid)
    finally:
        store.close()
