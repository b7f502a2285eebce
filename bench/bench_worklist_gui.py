"""The Worklist screen at a big center (bench_day's data: 100,000 patients, 3,000 visits in the
window, about 15,000 open tasks): the GUI thread's longest block while the screen refreshes
(the build runs on a worker thread), while its filters change (payer, readiness, assignee,
task status) and while its tables are sorted by each column. A QTimer beats every 5 ms on the
GUI thread; the longest gap between beats is the longest time the screen could not answer.

    uv run python bench/bench_worklist_gui.py [--patients 100000] [--visits 3000]
        [--cases 14000] [--enrollments 5000] [--repeat 5] [--no-freeze]

Goal: no block over 100 ms. Medians (and the worst), not timed assertions.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_day import TODAY, fill  # noqa: E402

from bench.heartbeat import wait_idle, watch  # noqa: E402
from infudesk.paths import DataPaths  # noqa: E402
from infudesk.services.audit import Actor  # noqa: E402
from infudesk.store.database import open_store  # noqa: E402


def busy_of(screen: Any) -> Callable[[], bool]:
    """Whether the Worklist screen still waits for its build."""
    return lambda: bool(screen.busy)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--patients", type=int, default=100_000)
    ap.add_argument("--visits", type=int, default=3_000)
    ap.add_argument("--cases", type=int, default=14_000)
    ap.add_argument("--enrollments", type=int, default=5_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument(
        "--no-freeze",
        action="store_true",
        help="skip the screen's gc.collect() + gc.freeze() after its first load (to compare)",
    )
    ap.add_argument(
        "--keep",
        type=Path,
        help="a data folder to fill once and reuse on the next runs (default: a temporary one)",
    )
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp) / "d"
        filled = root.exists()
        store = open_store(DataPaths(root), demo=True)
        t0 = time.perf_counter()
        if not filled:
            with store.session() as s:
                fill(s, args, random.Random(14))
        print(
            f"set-up: {args.patients:,} patients and their care in {time.perf_counter() - t0:.1f} s"
            + (f" (reused {root})" if filled else "")
        )

        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QApplication

        from infudesk.ui.common.ops import Backend
        from infudesk.ui.worklist.models import TaskColumns, VisitColumns
        from infudesk.ui.worklist.worklist_screen import WorklistScreen

        if args.no_freeze:
            import infudesk.ui.worklist.worklist_screen as wss

            def no_settle() -> None:
                pass

            wss.settle_heap = no_settle  # type: ignore[assignment]
        from infudesk.services import worklist as wsv
        from infudesk.ui.worklist import controller as wc

        wc.SETTLE_AFTER_MS = None  # settled below, under the watch
        with store.session() as s:  # the worklist kept by an earlier run (not timed)
            wsv.build(s, Actor("bench.desk", role="front_desk"), TODAY)
            wsv.settle(s, Actor("bench.desk", role="front_desk"), TODAY)
        wsv.forget_worked_out()  # this run's start: loaded from the database
        app = QApplication.instance() or QApplication([])
        screen = WorklistScreen(
            Backend(store, Actor("bench.desk", role="front_desk")), lambda: TODAY
        )
        screen.resize(1366, 728)
        screen.show()
        wait_idle(app, busy_of(screen))
        app.processEvents()  # the screen settles the heap on the turn after its first load
        payers = [screen.payer_combo.itemData(i) for i in range(screen.payer_combo.count())]
        shows = [screen.show_combo.itemData(i) for i in range(screen.show_combo.count())]
        statuses = [
            screen.task_status_combo.itemData(i) for i in range(screen.task_status_combo.count())
        ]

        def pick(combo: Any, value: object) -> Callable[[], None]:
            return lambda: combo.setCurrentIndex(combo.findData(value))

        def sort(table: Any, column: int, order: Qt.SortOrder) -> Callable[[], None]:
            return lambda: table.sortByColumn(column, order)

        ops: dict[str, list[Callable[[], object]]] = {
            "refresh": [screen.refresh],
            "payer filter": [pick(screen.payer_combo, p) for p in payers[1:3] + payers[:1]],
            "readiness filter": [pick(screen.show_combo, v) for v in shows[1:] + shows[:1]],
            "task status filter": [
                pick(screen.task_status_combo, v) for v in statuses[1:] + statuses[:1]
            ],
            "task sort": [
                sort(screen.task_table, col, order)
                for col in (TaskColumns.PATIENT, TaskColumns.KIND, TaskColumns.DUE)
                for order in (Qt.SortOrder.DescendingOrder, Qt.SortOrder.AscendingOrder)
            ],
            "visit sort": [
                sort(screen.visit_table, col, order)
                for col in (VisitColumns.PATIENT, VisitColumns.READINESS, VisitColumns.DAY)
                for order in (Qt.SortOrder.DescendingOrder, Qt.SortOrder.AscendingOrder)
            ],
        }
        every: list[float] = []
        print(
            f"Worklist screen: {len(screen.visit_model.loaded()):,} visits, "
            f"{len(screen.task_model.loaded()):,} tasks"
            + (" [no gc.freeze()]" if args.no_freeze else " [the screen's gc.freeze()]")
        )
        # the check behind the screen after that start (the same built afresh on a worker)
        assert screen.data is not None
        data = screen.data
        took, settle_block = watch(
            app, screen, lambda: screen._settle(data), lambda: bool(screen.settling.busy)
        )
        print(
            f"  settle after a start from the kept worklist (check built afresh, {took:.0f} ms on "
            f"the worker): longest GUI-thread block {settle_block:.0f} ms"
        )
        for name, actions in ops.items():
            blocks = []
            for _ in range(args.repeat):
                blocks.append(max(watch(app, screen, a, busy_of(screen))[1] for a in actions))
            every += blocks
            print(
                f"  {name}: longest GUI-thread block median {statistics.median(blocks):.0f} ms, "
                f"worst {max(blocks):.0f} ms"
            )
        print(
            f"all operations: longest block median {statistics.median(every):.0f} ms, worst "
            f"{max(every):.0f} ms (goal: under 100 ms); GUI time of each load shown: median "
            f"{statistics.median(screen.gui_ms):.0f} ms"
        )
        screen.close()
        store.close()


if __name__ == "__main__":
    main()
