"""Patient search at scale: seed N patients into a temporary encrypted database, then time
the name-prefix search (service call), the list model's refresh, and start-up to the main window.

    uv run python bench/bench_patients.py [--patients 100000] [--repeat 7]

Figures are medians (and p95) over many queries; each is also shown as a ratio to a floor
measured in the same run (a trivial query through the same session machinery), because
the machines here are shared and noisy. Targets: search and refresh well under 50 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select, text  # noqa: E402

from infudesk.demo.seed import seed_patients  # noqa: E402
from infudesk.paths import DataPaths  # noqa: E402
from infudesk.services import patients as ps  # noqa: E402
from infudesk.services.audit import Actor  # noqa: E402
from infudesk.store.database import Store, open_store  # noqa: E402
from infudesk.store.models import Patient  # noqa: E402
from infudesk.ui.patients.patients_screen import COUNT_CAP  # noqa: E402


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def timed(fn, repeat: int) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def queries(store: Store, rng: random.Random, n: int) -> list[str]:
    with store.session() as s:
        rows = s.execute(
            select(Patient.last_name, Patient.first_name, Patient.birth_date, Patient.phone_mobile)
            .order_by(Patient.id)
            .limit(5000)
        ).all()
    picks = [rows[rng.randrange(len(rows))] for _ in range(n)]
    out: list[str] = []
    for i, (last, first, born, phone) in enumerate(picks):
        kind = i % 6
        if kind == 0:
            out.append(last[:2])  # two letters: many matches
        elif kind == 1:
            out.append(last[:4])
        elif kind == 2:
            out.append(f"{last[:3]} {first[:2]}")
        elif kind == 3:
            out.append(f"{born:%m/%d/%Y}")
        elif kind == 4:
            out.append(phone[-7:] if phone else last)
        else:
            out.append(last)
    return out


def startup_ms(data_dir: Path) -> float:
    code = (
        "import time, sys\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from infudesk.app import open_for_gui\n"
        "from infudesk.paths import DataPaths\n"
        "from infudesk.services.audit import Actor\n"
        "from infudesk.ui.main_window import MainWindow\n"
        "from infudesk.ui.common.ops import Backend\n"
        "app = QApplication([])\n"
        f"store = open_for_gui(DataPaths(__import__('pathlib').Path({str(data_dir)!r})), True)\n"
        "w = MainWindow(Backend(store, Actor('bench'))); w.show(); app.processEvents()\n"
        "print(time.time()); store.close()\n"
    )
    t0 = time.time()
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return (float(res.stdout.strip().splitlines()[-1]) - t0) * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--patients", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=120)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    rng = random.Random(1)
    with tempfile.TemporaryDirectory() as tmp:
        paths = DataPaths(Path(tmp) / "data")
        store = open_store(paths, demo=True)  # same SQLCipher engine; key kept beside it
        t = time.perf_counter()
        with store.session() as s:
            seed_patients(s, Actor.system("bench"), args.patients, rng=rng, today=date.today())
        seed_s = time.perf_counter() - t
        size_mb = paths.db.stat().st_size / 1e6
        print(f"seed: {args.patients:,} patients in {seed_s:.1f} s ({size_mb:.0f} MB encrypted)")

        def floor() -> None:
            with store.session() as s:
                s.execute(text("SELECT 1")).scalar()

        floor_ms = statistics.median(timed(floor, 200))
        print(f"floor (trivial query in a session): median {floor_ms:.3f} ms")

        qs = queries(store, rng, args.queries)
        search_times: list[float] = []
        count_times: list[float] = []
        for q in qs:

            def one(q: str = q) -> None:
                with store.session() as s:
                    ps.search(s, q, limit=200)

            def cnt(q: str = q) -> None:
                with store.session() as s:
                    ps.count(s, q, cap=COUNT_CAP)

            search_times.append(statistics.median(timed(one, args.repeat)))
            count_times.append(statistics.median(timed(cnt, args.repeat)))
        for label, values in (
            ("search page (200 rows)", search_times),
            (f"count (capped at {COUNT_CAP:,} like the list)", count_times),
        ):
            med, p95 = statistics.median(values), pct(values, 0.95)
            print(
                f"{label}: median {med:.2f} ms, p95 {p95:.2f} ms, max {max(values):.2f} ms "
                f"(median = {med / floor_ms:.0f}x floor)"
            )

        from PySide6.QtWidgets import QApplication

        from infudesk.ui.patients.patient_model import PatientTableModel

        _app = QApplication.instance() or QApplication([])

        def fetch(
            text_: str, inactive: bool, sort: ps.SortKey, desc: bool, off: int, lim: int
        ) -> list[ps.PatientRow]:
            with store.session() as s:
                return ps.search(
                    s,
                    text_,
                    include_inactive=inactive,
                    sort=sort,
                    descending=desc,
                    offset=off,
                    limit=lim,
                )

        def count(text_: str, inactive: bool) -> int:
            with store.session() as s:
                cap = COUNT_CAP if text_.strip() else None
                return ps.count(s, text_, include_inactive=inactive, cap=cap)

        model = PatientTableModel(fetch, count)
        refresh_times = []
        for q in qs + [""]:
            refresh_times.append(statistics.median(timed(lambda q=q: model.search(q), args.repeat)))
        med, p95 = statistics.median(refresh_times), pct(refresh_times, 0.95)
        print(
            f"table model refresh (search + count): median {med:.2f} ms, p95 {p95:.2f} ms, "
            f"max {max(refresh_times):.2f} ms (median = {med / floor_ms:.0f}x floor)"
        )
        sorts = []
        for key in ps.SortKey:
            model.sort_key = key
            sorts.append((key.value, statistics.median(timed(model.refresh, args.repeat))))
        print(
            "sort of the whole list (no search): " + ", ".join(f"{k} {v:.1f} ms" for k, v in sorts)
        )
        store.close()
        starts = [startup_ms(paths.root) for _ in range(3)]
        print(
            f"start-up to main window shown ({args.patients:,} patients): "
            f"median {statistics.median(starts):.0f} ms"
        )


if __name__ == "__main__":
    main()
