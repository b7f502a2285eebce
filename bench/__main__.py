"""One bench command: every figure beside its floor measured in the same run, as a ratio.

    uv run python -m bench [--patients 100000] [--quick]

A temporary demo database (the showcase and its history) gets ``--patients`` generated
patients more; then: start to the main window (whole processes) against a bare PySide6
window, and to the database open with the first page made (the window shows first, saying
"Opening the database…"); opening the database against opening the same file with the key given directly;
search as you type (the service call, and the list model's refresh) against the same SQL on
a raw SQLCipher connection; opening a patient with its whole history; one cost letter and a
batch of 200 against a one-page reportlab document in the same fonts (both faces the letter
embeds; the regular face alone is shown too); one quote and a
26-visit course; the day worklist on bench_day's big center (its own database: as many
patients, 3,000 visits in the window at 100,000) against loading its visit and case rows;
the peak memory of the app with the whole patient list open. The machines
here are shared and noisy: the ratios are what to compare from run to run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench import startup  # noqa: E402

Row = tuple[str, str, str, str]  # (what, figure, floor, ratio)


def ms(values: list[float]) -> str:
    return f"{statistics.median(values):.1f} ms"


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def ratio(a: float, b: float) -> str:
    if b <= 0:
        return "-"
    r = a / b
    return f"{r:.1f}x" if r >= 0.1 else f"{r:.3f}x"  # a tiny ratio keeps a figure that is not 0


def make_database(root: Path, patients: int) -> Path:
    """The demo (showcase with history) plus ``patients`` generated ones; returns its folder."""
    from infudesk.app import open_for_gui
    from infudesk.demo.seed import seed_patients
    from infudesk.paths import DataPaths
    from infudesk.services.audit import Actor

    paths = DataPaths(root / "demo")
    store = open_for_gui(paths, demo=True)
    try:
        with store.session() as s:
            seed_patients(
                s, Actor.system("bench"), patients, rng=random.Random(7), today=date.today()
            )
    finally:
        store.close()
    return paths.root


def bench_start(data: Path, runs: int) -> tuple[list[Row], float]:
    app, ready, bare = startup.measure(startup.app_command(data, True), runs)
    a, r, b = statistics.median(app), statistics.median(ready), statistics.median(bare)
    return [
        ("start to main window (process)", f"{a:.0f} ms", f"{b:.0f} ms bare window", ratio(a, b)),
        ("  to database open, first page made", f"{r:.0f} ms", f"{b:.0f} ms", ratio(r, b)),
    ], a


def bench_open(data: Path, runs: int) -> list[Row]:
    from infudesk.paths import DataPaths
    from infudesk.store import keys
    from infudesk.store.database import open_store
    from infudesk.store.engine import key_pragma_for, open_raw

    paths = DataPaths(data)

    def ours() -> None:
        open_store(paths, demo=True, check_pages=False).close()

    def floor() -> None:
        conn = open_raw(paths.db, key_pragma_for(keys.demo_key(paths)))
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        conn.close()

    a, b = timed(ours, runs), timed(floor, runs)
    check = timed(lambda: _page_check(paths), max(3, runs // 3))
    return [
        (
            "database open (GUI: page check after show)",
            ms(a),
            ms(b) + " raw keyed open",
            ratio(statistics.median(a), statistics.median(b)),
        ),
        ("  page check (worker thread, after show)", ms(check), "-", "-"),
    ]


def _page_check(paths: Any) -> None:
    from infudesk.store.database import integrity_problem, open_store

    store = open_store(paths, demo=True, check_pages=False)
    try:
        integrity_problem(store.engine)
    finally:
        store.close()


def bench_search(data: Path, queries: int) -> list[Row]:
    from PySide6.QtWidgets import QApplication
    from sqlalchemy import event, select

    from infudesk.paths import DataPaths
    from infudesk.services import patients as ps
    from infudesk.services.audit import Actor
    from infudesk.store import keys
    from infudesk.store.database import open_store
    from infudesk.store.engine import CACHE_KIB, key_pragma_for, open_raw
    from infudesk.store.models import Patient
    from infudesk.ui.common.ops import Backend
    from infudesk.ui.patients.patients_screen import PatientsScreen

    _app = QApplication.instance() or QApplication([])
    paths = DataPaths(data)
    store = open_store(paths, demo=True, check_pages=False)
    rng = random.Random(3)
    with store.session() as s:
        rows = s.execute(select(Patient.last_name, Patient.first_name).limit(5000)).all()
    typed: list[str] = []
    for last, first in (rows[rng.randrange(len(rows))] for _ in range(queries)):
        typed += [last[:2], last[:4], f"{last[:3]} {first[:2]}"]
    today = date.today()

    captured: list[tuple[str, Any]] = []

    def capture(_c: Any, _cur: Any, statement: str, params: Any, _ctx: Any, _many: Any) -> None:
        captured.append((statement, params))

    service: list[float] = []
    statements: list[tuple[str, Any]] = []
    event.listen(store.engine, "before_cursor_execute", capture)
    for q in typed:
        captured.clear()
        t = time.perf_counter()
        with store.session() as s:
            ps.search(s, q, limit=200, today=today)
        service.append((time.perf_counter() - t) * 1000)
        statements.append(captured[-1])
    event.remove(store.engine, "before_cursor_execute", capture)
    # the floor: the same statements on one raw SQLCipher connection with the engine's cache
    # size, warmed by a first pass as the engine's pooled connection is
    conn = open_raw(paths.db, key_pragma_for(keys.demo_key(paths)))
    conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    for statement, params in statements:
        conn.execute(statement, params).fetchall()
    raw: list[float] = []
    for statement, params in statements:
        t = time.perf_counter()
        conn.execute(statement, params).fetchall()
        raw.append((time.perf_counter() - t) * 1000)
    conn.close()

    screen = PatientsScreen(Backend(store, Actor.system("bench")))
    refresh = timed(lambda: None, 0)
    for q in typed:
        t = time.perf_counter()
        screen.search_box.setText(q)
        screen.run_search()
        refresh.append((time.perf_counter() - t) * 1000)

    # opening a patient with the whole history (the showcase's first): the page, every tab
    with store.session() as s:
        pid = ps.get_by_mrn(s, "D0001").id

    def open_page() -> None:
        screen.open_patient(pid)
        screen.page.closed.emit()

    def get_record() -> None:
        with store.session() as s:
            ps.get_patient(s, pid)

    open_page()  # the page is made on first use
    opened, record = timed(open_page, 15), timed(get_record, 15)
    screen.deleteLater()
    store.close()
    sm, rm, fm = statistics.median(service), statistics.median(refresh), statistics.median(raw)
    return [
        (
            f"search as you type, service ({len(typed)} queries) median",
            f"{sm:.1f} ms",
            f"{fm:.1f} ms same SQL raw",
            ratio(sm, fm),
        ),
        (
            "  service p95",
            f"{p95(service):.1f} ms",
            f"{p95(raw):.1f} ms",
            ratio(p95(service), p95(raw)),
        ),
        (
            "search as you type, list refresh median",
            f"{rm:.1f} ms",
            f"{fm:.1f} ms same SQL raw",
            ratio(rm, fm),
        ),
        (
            "  list refresh p95",
            f"{p95(refresh):.1f} ms",
            f"{p95(raw):.1f} ms",
            ratio(p95(refresh), p95(raw)),
        ),
        (
            "open a patient with full history (page)",
            ms(opened),
            ms(record) + " record only",
            ratio(statistics.median(opened), statistics.median(record)),
        ),
    ]


def bench_letters(batch: int) -> list[Row]:
    from bench.bench_letters import floor_pdf, letter, render

    data = letter()
    render(data), floor_pdf()  # fonts registered, styles made (as after the first letter)
    a, b, c = [], [], []
    for _ in range(60):  # interleaved, so that a busy machine slows all alike
        a += timed(lambda: render(data), 1)
        b += timed(floor_pdf, 1)
        c += timed(lambda: floor_pdf(bold=False), 1)
    # the batch in blocks of 20 letters, each block followed by 5 floors: the batch's figure
    # and its floor from the same spells of a shared machine (the block's median per letter)
    blocks: list[float] = []
    batch_floor: list[float] = []
    for start in range(0, batch, 20):
        n = min(20, batch - start)
        t = time.perf_counter()
        for _ in range(n):
            render(data)
        blocks.append((time.perf_counter() - t) * 1000 / n)
        batch_floor += timed(floor_pdf, 5)
    per, fd = statistics.median(blocks), statistics.median(batch_floor)
    fa, fb, fc = statistics.median(a), statistics.median(b), statistics.median(c)
    return [
        (
            "one cost letter (target <= 3x)",
            f"{fa:.1f} ms",
            f"{fb:.1f} ms one-page reportlab, both faces",
            ratio(fa, fb),
        ),
        (
            "  against a one-page PDF in the regular face only",
            f"{fa:.1f} ms",
            f"{fc:.1f} ms",
            ratio(fa, fc),
        ),
        (
            f"batch of {batch} cost letters, per letter",
            f"{per:.1f} ms",
            f"{fd:.1f} ms",
            ratio(per, fd),
        ),
    ]


def bench_worklist(root: Path, patients: int, runs: int) -> list[Row]:
    """The day worklist (``services.worklist.build``) on bench_day's big center: ``patients``
    patients with 3,000 visits in the window and 14,000 more open cases at 100,000 (scaled
    down with fewer patients), filled by bench_day's own generator in a database of its own
    (its rows take their ids from 1, beside no demo). The floor, as in bench_day: the same
    visit and case rows loaded in one query each."""
    from bench.bench_day import (
        TODAY,
        fill,
        forget_all,
        load_floor,
        move_follow_ups,
        pending_cases,
        with_gc,
    )
    from infudesk.paths import DataPaths
    from infudesk.services import worklist as wsv
    from infudesk.services.audit import Actor
    from infudesk.store.database import open_store

    scale = patients / 100_000
    shape = argparse.Namespace(
        patients=patients,
        visits=max(30, round(3_000 * scale)),
        cases=max(100, round(14_000 * scale)),
        enrollments=max(20, round(5_000 * scale)),
    )
    store = open_store(DataPaths(root / "day"), demo=True)
    try:
        with store.session() as s:
            fill(s, shape, random.Random(14))
        actor = Actor("bench.desk", role="front_desk")

        def floor() -> None:
            load_floor(store)

        def build() -> None:
            with store.session() as s:
                wsv.build(s, actor, TODAY)

        def settle() -> None:
            with store.session() as s:
                wsv.settle(s, actor, TODAY)

        build()  # the first build after the fill: tables and statements warmed
        pending = pending_cases(store, 1)
        low, cold, started, saved, warm = [], [], [], [], []
        for i in range(runs):  # interleaved, as bench_day
            low.append(with_gc(floor))
            forget_all(store)  # a first start: nothing worked out, nothing kept (not timed)
            cold.append(with_gc(build))
            settle()  # today's worklist kept in the database (not timed)
            move_follow_ups(store, pending, i)  # a desk's save (not timed)
            wsv.forget_worked_out()  # the app closed and started again (not timed)
            started.append(with_gc(build))
            move_follow_ups(store, pending, i + 7)  # not timed
            saved.append(with_gc(build))
            warm.append(with_gc(build))
    finally:
        store.close()
    f, c, w = statistics.median(low), statistics.median(cold), statistics.median(warm)
    a, k = statistics.median(saved), statistics.median(started)
    return [
        (
            f"the worklist at {patients:,} patients ({shape.visits:,} visits), first build",
            f"{c:.0f} ms",
            f"{f:.0f} ms its visit and case rows",
            ratio(c, f),
        ),
        (
            "  a start: the worklist kept in the database, caught up (target < 300 ms)",
            f"{k:.0f} ms",
            f"{f:.0f} ms",
            ratio(k, f),
        ),
        (
            "  refresh after one saved change (target < 300 ms)",
            f"{a:.0f} ms",
            f"{f:.0f} ms",
            ratio(a, f),
        ),
        ("  refresh, nothing saved since", f"{w:.0f} ms", f"{f:.0f} ms", ratio(w, f)),
    ]


def bench_quotes() -> list[Row]:
    from infudesk.domain.quote_request import run
    from infudesk.reference import yearly_figures

    figures = yearly_figures()
    start = date.today() + timedelta(days=7)
    coverage = {
        "plan_type": "commercial",
        "deductible": "1500.00",
        "deductible_met": "200.00",
        "oop_max": "6000.00",
        "oop_met": "400.00",
        "coinsurance": "0.20",
        "copay": "0.00",
    }
    base = {
        "lines": [
            {"code": "J1745", "units": 35, "unit_price": "84.12"},
            {"code": "96365", "units": 1, "unit_price": "160.00"},
        ],
        "primary": coverage,
    }
    visit = json.dumps({**base, "service_dates": [start.isoformat()]}).encode()
    course = json.dumps(
        {**base, "schedule": {"start": start.isoformat(), "every_days": 14, "count": 26}}
    ).encode()
    try:
        run(visit, figures)
    except Exception:  # the coverage fields of this version's contract differ: self-pay
        base.pop("primary")
        visit = json.dumps({**base, "service_dates": [start.isoformat()]}).encode()
        course = json.dumps(
            {**base, "schedule": {"start": start.isoformat(), "every_days": 14, "count": 26}}
        ).encode()
        run(visit, figures)

    def floor() -> None:
        json.dumps(json.loads(course))

    a, c, f = (
        timed(lambda: run(visit, figures), 50),
        timed(lambda: run(course, figures), 20),
        timed(floor, 50),
    )
    fa, fc, ff = statistics.median(a), statistics.median(c), statistics.median(f)
    return [
        ("one quote (one visit)", f"{fa:.2f} ms", f"{ff:.3f} ms JSON in/out", ratio(fa, ff)),
        ("a 26-visit course", f"{fc:.2f} ms", f"{ff:.3f} ms JSON in/out", ratio(fc, ff)),
    ]


MEMORY_CHILD = """
import resource, sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
app = QApplication([])
if sys.argv[1] == "app":
    from infudesk.cli import main
    from infudesk.ui import main_window
    attach = main_window.MainWindow.attach
    def attach_then_patients(self, *args, **kwargs):
        # the Patients screen (the whole list) opened as soon as the store is: the Worklist is
        # the first screen now, and the patient list is not made at start
        attach(self, *args, **kwargs)
        self.nav.setCurrentRow(self.row_of("patients"))
        assert self.patients.model.rowCount() > 0
    main_window.MainWindow.attach = attach_then_patients
    main(["--smoke", "--demo", "--data-dir", sys.argv[2]])
else:
    from PySide6.QtWidgets import QMainWindow
    w = QMainWindow(); w.show(); QTimer.singleShot(0, app.quit); app.exec()
# VmHWM: this program's peak (ru_maxrss would count the forking parent's pages on Linux)
hwm = [x for x in open("/proc/self/status") if x.startswith("VmHWM")]
print("maxrss", hwm[0].split()[1] if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def bench_memory(data: Path) -> list[Row]:
    def peak(kind: str) -> float:
        res = subprocess.run(
            [sys.executable, "-c", MEMORY_CHILD, kind, str(data)],
            capture_output=True,
            text=True,
            env=startup.env(),
            check=True,
        )
        kib = int(next(x for x in res.stdout.splitlines() if x.startswith("maxrss")).split()[1])
        return kib / 1024

    a, b = peak("app"), peak("bare")
    return [
        (
            "peak memory, patient list open (target < 300 MB)",
            f"{a:.0f} MB",
            f"{b:.0f} MB bare window",
            ratio(a, b),
        )
    ]


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m bench")
    ap.add_argument("--patients", type=int, default=100_000)
    ap.add_argument("--quick", action="store_true", help="10,000 patients, fewer runs")
    ap.add_argument("--runs", type=int, default=7, help="start-up runs (each a process)")
    args = ap.parse_args()
    patients = 10_000 if args.quick else args.patients
    runs = 3 if args.quick else args.runs
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        data = make_database(Path(tmp), patients)
        print(
            f"database: the demo + {patients:,} patients in {time.perf_counter() - t:.0f} s",
            file=sys.stderr,
        )
        rows: list[Row] = []
        start_rows, _ = bench_start(data, runs)
        rows += start_rows
        rows += bench_open(data, 5 if args.quick else 15)
        rows += bench_search(data, 10 if args.quick else 40)
        rows += bench_letters(40 if args.quick else 200)
        rows += bench_quotes()
        rows += bench_worklist(Path(tmp), patients, 3 if args.quick else 5)
        rows += bench_memory(data)
    width = max(len(r[0]) for r in rows)
    print(
        f"infudesk bench: {patients:,} patients; {platform.python_implementation()} "
        f"{platform.python_version()}, {platform.system()} {platform.machine()}, "
        f"{os.cpu_count()} cores"
    )
    print(f"| {'what'.ljust(width)} | figure | floor (same run) | ratio |")
    print(f"|{'-' * (width + 2)}|---|---|---|")
    for what, fig, floor, r in rows:
        print(f"| {what.ljust(width)} | {fig} | {floor} | {r} |")


if __name__ == "__main__":
    main()
