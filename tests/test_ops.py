"""Background operations (ui/common/ops.py): work runs on a worker thread in a session of its
own, the result comes back on the GUI thread, errors are shown calmly, stale results dropped."""

from __future__ import annotations

import threading
from datetime import date

import pytest
import shiboken6
from PySide6.QtWidgets import QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from infudesk.domain.patients import PatientData
from infudesk.errors import UserError
from infudesk.services import patients as ps
from infudesk.services.audit import Actor
from infudesk.store.database import Store
from infudesk.store.models import Patient
from infudesk.ui.common.ops import Backend, Latest, run_change, run_query, wait_for_background


def count_patients(session: Session) -> tuple[int, int]:
    n = session.scalar(select(func.count()).select_from(Patient)) or 0
    return n, threading.get_ident()


def test_a_query_runs_off_the_gui_thread_and_answers_on_it(qtbot: QtBot, store: Store) -> None:
    backend = Backend(store, Actor("test.clerk"))
    got: list[tuple[tuple[int, int], int]] = []
    run_query(None, backend, count_patients, lambda r: got.append((r, threading.get_ident())))
    qtbot.waitUntil(lambda: bool(got), timeout=5000)
    (n, worker), answered_on = got[0]
    assert n == 0
    assert worker != threading.get_ident()  # the query ran elsewhere
    assert answered_on == threading.get_ident()  # the answer arrived on the GUI thread


def test_a_change_is_committed_as_the_signed_in_actor(qtbot: QtBot, store: Store) -> None:
    backend = Backend(store, Actor("test.clerk"))
    data = PatientData(
        mrn="T0001",
        first_name="Ada",
        last_name="Quill",
        birth_date=date(1970, 1, 2),
        sex="F",
        phone_mobile="6305550199",
    )
    created: list[object] = []
    run_change(
        None,
        backend,
        lambda s, a: ps.create_patient(s, a, data, today=date(2026, 12, 5)).id,
        created.append,
        created.append,
    )
    qtbot.waitUntil(lambda: bool(created), timeout=5000)
    assert isinstance(created[0], int), created
    assert backend.query(count_patients)[0] == 1


def test_a_users_error_goes_to_the_failure_callback(qtbot: QtBot, store: Store) -> None:
    backend = Backend(store, Actor("test.clerk"))
    errors: list[BaseException] = []

    def refuse(session: Session) -> int:
        raise UserError("Try again later.", title="Not now")

    run_query(None, backend, refuse, lambda r: pytest.fail("no result"), errors.append)
    qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    assert isinstance(errors[0], UserError) and errors[0].message == "Try again later."


def test_an_unexpected_error_is_shown_kindly_and_logged(
    qtbot: QtBot, store: Store, monkeypatch: pytest.MonkeyPatch, allow_warnings: None
) -> None:
    backend = Backend(store, Actor("test.clerk"))
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()) or 0)
    parent = QWidget()
    qtbot.addWidget(parent)

    def broken(session: Session) -> int:
        raise RuntimeError("a bug with a patient's name, Ada Quill")

    run_query(parent, backend, broken, lambda r: pytest.fail("no result"))
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    assert "nothing from it was saved" in shown[0]
    assert "Ada Quill" not in shown[0]


def test_a_cancelled_or_orphaned_op_delivers_nothing(qtbot: QtBot, store: Store) -> None:
    backend = Backend(store, Actor("test.clerk"))
    got: list[object] = []
    latest = Latest()
    first = latest.replace(run_query(None, backend, count_patients, got.append))
    second = latest.replace(run_query(None, backend, count_patients, lambda r: got.append("new")))
    parent = QWidget()
    orphan = run_query(parent, backend, count_patients, got.append)
    shiboken6.delete(parent)  # the screen closed before its answer came
    qtbot.waitUntil(lambda: first.done and second.done and orphan.done, timeout=5000)
    assert wait_for_background(5000)
    assert got == ["new"]
    assert first.cancelled and not latest.busy
