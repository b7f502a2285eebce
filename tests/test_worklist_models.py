"""The Worklist's table models: rows kept in each sort order once made (or handed over already
sorted from the worker thread), so that a filter or a sort shows exactly what filtering then
sorting the loaded rows would, and the models pass Qt's model tester."""

# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

import random
from datetime import date, timedelta

from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester

from infudesk.domain import worklist as dw
from infudesk.ui.worklist import controller as c
from infudesk.ui.worklist.models import (
    TASK_FIELD,
    TaskColumns,
    TaskTableModel,
    VisitTableModel,
    sort_rows,
)

TODAY = date(2026, 11, 27)
NAMES = ["Okafor, Ada", "Lindqvist, Bo", "Moreau, Cé", "Tanaka, Dai", "okafor, ada"]
PAYERS = ["Lakeshore Health", "Prairie Mutual", "Self-pay"]


def today() -> date:
    return TODAY


def tasks(n: int) -> list[dw.Task]:
    rng = random.Random(7)
    kinds = list(dw.TaskKind)
    return [
        dw.Task(
            key=f"k{i}",
            kind=rng.choice(kinds),
            text=f"Do thing {rng.randrange(50)}",
            due=TODAY + timedelta(days=rng.randrange(-5, 14)),
            patient_id=rng.randrange(1, 30),
            patient_name=rng.choice(NAMES),
            payer=rng.choice(PAYERS),
            assignee=rng.choice([None, "ana", "ben"]),
            status=rng.choice([dw.TaskStatus.OPEN, dw.TaskStatus.DONE]),
            target=dw.Target("prior_auth", 1, i),
        )
        for i in range(n)
    ]


def visits(n: int) -> list[dw.VisitRow]:
    rng = random.Random(8)
    blocker = dw.Blocker(
        dw.BlockerKind.UNVERIFIED, "Not verified", "Verify…", dw.Target("patient", 1)
    )
    return [
        dw.VisitRow(
            visit_id=i,
            patient_id=i,
            patient_name=rng.choice(NAMES),
            mrn=f"M{i:04d}",
            on=TODAY + timedelta(days=rng.randrange(0, 14)),
            order_id=i,
            drug="infliximab",
            site="infusion_center",
            payer=rng.choice(PAYERS),
            status=rng.choice(["planned", "planned", "arrived", "given", "cancelled"]),
            blockers=(blocker,) * rng.randrange(0, 3),
        )
        for i in range(n)
    ]


def shown(model: TaskTableModel) -> list[str]:
    return [t.key for t in model.shown()]


def test_filter_and_sort_show_what_filtering_then_sorting_gives() -> None:
    rows = tasks(300)
    model = TaskTableModel(today)
    f = c.TaskFilter(payer="Prairie Mutual", status=None)
    model.set_rows(rows, f.keeps)
    assert 0 < model.rowCount() < len(rows)
    for col in (TaskColumns.PATIENT, TaskColumns.KIND, TaskColumns.ASSIGNEE, TaskColumns.DUE):
        for order in (Qt.SortOrder.DescendingOrder, Qt.SortOrder.AscendingOrder):
            model.sort(col, order)
            for keep in (f, c.TaskFilter(assignee=c.UNASSIGNED), c.TaskFilter(status=None)):
                model.set_filter(keep.keeps)
                expected = sorted(
                    (t for t in rows if keep.keeps(t)),
                    key=c.TASK_SORT[TASK_FIELD[col]],
                    reverse=order == Qt.SortOrder.DescendingOrder,
                )
                assert shown(model) == [t.key for t in expected]


def test_rows_sorted_on_the_worker_are_used_as_handed_over() -> None:
    rows = tasks(200)
    plain = TaskTableModel(today)
    plain.set_rows(rows)
    spec = plain.sort_spec()
    assert spec == ("due", False)
    handed = TaskTableModel(today)
    handed.set_rows(rows, None, {spec: sort_rows(rows, c.TASK_SORT, spec)})
    assert shown(handed) == shown(plain)
    # what is handed over is what shows (the model does not sort it again)
    backwards = list(reversed(sort_rows(rows, c.TASK_SORT, spec)))
    handed.set_rows(rows, None, {spec: backwards})
    assert shown(handed) == [t.key for t in backwards]


def test_models_pass_the_model_tester(qtmodeltester: ModelTester) -> None:
    tm = TaskTableModel(today)
    tm.set_rows(tasks(50), c.TaskFilter().keeps)
    qtmodeltester.check(tm)
    vm = VisitTableModel(today)
    vm.set_rows(visits(40), c.VisitFilter().keeps)
    qtmodeltester.check(vm)
    vm.sort(3, Qt.SortOrder.DescendingOrder)
    vm.set_filter(c.VisitFilter(readiness=c.Readiness.BLOCKED).keeps)
    assert all(not v.ready and not c.done(v) for v in vm.shown())
    qtmodeltester.check(vm)
