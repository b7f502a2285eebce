"""Prior auths at scale: 10,000 cases in a temporary encrypted database; prints the median time
of the "Prior auths" list query (with remaining units and reminders for every case) and of the
screen's refresh: the time until the list is shown and the GUI thread's longest block meanwhile
(a QTimer heartbeat every 5 ms on the GUI thread; the longest gap between beats).

    uv run python bench/bench_prior_auths.py [--cases 10000]

The floor, measured in the same run, is loading the same case rows without any rule applied.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select  # noqa: E402

from bench.heartbeat import wait_idle, watch  # noqa: E402
from infudesk.demo.seed import seed_patients  # noqa: E402
from infudesk.domain.coverage import CoverageData  # noqa: E402
from infudesk.paths import DataPaths  # noqa: E402
from infudesk.resources import resource  # noqa: E402
from infudesk.services import coverages as cs  # noqa: E402
from infudesk.services import payers as pys  # noqa: E402
from infudesk.services import prior_auths as pas  # noqa: E402
from infudesk.services.audit import Actor  # noqa: E402
from infudesk.store.database import open_store  # noqa: E402
from infudesk.store.models import (  # noqa: E402
    Patient,
    PriorAuthCase,
    PriorAuthEvent,
    PriorAuthLine,
    PriorAuthUsage,
)

TODAY = date(2026, 11, 27)
STATES = [
    "draft",
    "submitted",
    "pending",
    "approved",
    "approved",
    "approved",
    "denied",
    "appeal_submitted",
    "partially_approved",
    "expired",
    "cancelled",
]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument(
        "--no-freeze",
        action="store_true",
        help="leave out what the app does once its screens' modules are imported "
        "(app.settle_heap: gc.collect() and gc.freeze(), so that a full garbage collection "
        "scans only what was made since): to see what it is worth",
    )
    ap.add_argument("--freeze", action="store_true", help="(the default now; kept for scripts)")
    args = ap.parse_args()
    actor = Actor.system("bench")
    rng = random.Random(9)
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(DataPaths(Path(tmp) / "d"), demo=True)
        t0 = time.perf_counter()
        patients = args.cases // 2
        with store.session() as s:
            seed_patients(s, actor, patients, rng=rng, today=TODAY)
            pys.load_starter_payers(s, actor, resource("payers.json"))
            payer_ids = [p.id for p in pys.list_payers(s)]
            coverage_of: dict[int, int] = {}
            for pid in s.scalars(select(Patient.id)):
                cov = cs.add_coverage(
                    s,
                    actor,
                    pid,
                    CoverageData(
                        payer_id=rng.choice(payer_ids[1:]),
                        plan_type="commercial",
                        member_id=f"M{pid:09d}",
                        effective_on=date(2026, 1, 1),
                    ),
                    today=TODAY,
                )
                coverage_of[pid] = cov.id
            pids = list(coverage_of)
            for n in range(args.cases):
                pid = pids[n % len(pids)]
                state = rng.choice(STATES)
                start = TODAY - timedelta(days=rng.randrange(0, 300))
                approved = state in ("approved", "partially_approved", "expired")
                case_id = s.execute(
                    insert(PriorAuthCase).values(
                        patient_id=pid,
                        coverage_id=coverage_of[pid],
                        order_id=None,
                        state=state,
                        auth_number=f"A{n:07d}" if approved else "",
                        approved_visits=7 if approved else None,
                        start_on=start if approved else None,
                        end_on=start + timedelta(days=rng.randrange(30, 400)) if approved else None,
                        follow_up=TODAY + timedelta(days=rng.randrange(-10, 20))
                        if state == "pending"
                        else None,
                        submitted_on=start - timedelta(days=10) if state != "draft" else None,
                        denied_on=start if state == "denied" else None,
                        created_by="bench",
                        updated_by="bench",
                    )
                ).inserted_primary_key[0]
                s.execute(
                    insert(PriorAuthEvent).values(
                        case_id=case_id,
                        on=start,
                        by="bench",
                        action="submit",
                        from_state="draft",
                        to_state="submitted",
                    )
                )
                if approved:
                    s.execute(
                        insert(PriorAuthLine).values(case_id=case_id, code="J1745", units=280)
                    )
                    for v in range(rng.randrange(0, 7)):
                        s.execute(
                            insert(PriorAuthUsage).values(
                                case_id=case_id,
                                on=start + timedelta(days=56 * v),
                                code="J1745",
                                units=40,
                                visit=True,
                                recorded_by="bench",
                            )
                        )
        print(
            f"set-up: {args.cases:,} cases for {patients:,} patients in {time.perf_counter() - t0:.1f} s"
        )

        def timed(fn) -> list[float]:  # type: ignore[no-untyped-def]
            out = []
            for _ in range(args.repeat):
                t = time.perf_counter()
                fn()
                out.append((time.perf_counter() - t) * 1000)
            return out

        def floor() -> None:
            with store.session() as s:
                list(s.execute(select(PriorAuthCase.id, PriorAuthCase.state, PriorAuthCase.end_on)))

        def listing(include_closed: bool) -> int:
            with store.session() as s:
                return len(pas.list_cases(s, today=TODAY, include_closed=include_closed))

        floor_ms = statistics.median(timed(floor))
        n_open = listing(False)
        open_ms = statistics.median(timed(lambda: listing(False)))
        all_ms = statistics.median(timed(lambda: listing(True)))
        print(f"floor (load {args.cases:,} case rows): median {floor_ms:.1f} ms")
        print(
            f"list_cases, open cases ({n_open:,}): median {open_ms:.0f} ms ({open_ms / floor_ms:.0f}x floor)"
        )
        print(
            f"list_cases, all {args.cases:,}: median {all_ms:.0f} ms ({all_ms / floor_ms:.0f}x floor)"
        )
        try:
            from PySide6.QtWidgets import QApplication

            from infudesk.app import settle_heap
            from infudesk.ui.common.ops import Backend
            from infudesk.ui.prior_auth.prior_auth_screen import PriorAuthScreen
        except ImportError:
            print("(no Prior auths screen yet)")
        else:
            app = QApplication.instance() or QApplication([])
            if not args.no_freeze:  # as the app: the screens' modules imported, then settled
                settle_heap()
            screen = PriorAuthScreen(Backend(store, actor), lambda: TODAY)
            screen.resize(1300, 800)
            screen.show()

            def loading() -> bool:
                return bool(screen.loading)

            wait_idle(app, loading)
            walls, blocks = [], []
            for _ in range(args.repeat):
                wall, block = watch(app, screen, screen.refresh, loading)
                walls.append(wall)
                blocks.append(block)
            print(
                f"Prior auths screen refresh ({screen.model.rowCount():,} open cases shown): "
                f"median {statistics.median(walls):.0f} ms until shown; the GUI thread's longest "
                f"block while refreshing: median {statistics.median(blocks):.0f} ms, "
                f"worst {max(blocks):.0f} ms (goal: under 100 ms)"
                + (" [no gc.freeze()]" if args.no_freeze else " [app.settle_heap() as at start]")
            )
        store.close()


if __name__ == "__main__":
    main()
