"""The worklist at a big center: 100,000 patients, 3,000 planned visits in the 14-day window
(each with its coverage, order, verification, some with prior-auth cases, assistance and
printed estimates), and about 20,000 open items (prior-auth cases with follow-ups,
reauthorizations and appeal deadlines, enrollments up for renewal, saved task assignments);
prints the median time of one ``services.worklist.build`` beside a floor measured in the
same run: loading the same visit and case rows in one query each. The figures: a first build
(nothing worked out in memory, nothing kept in the database: the very first start); a start
that loads the worklist kept in the database (``worklist.settle`` kept it) and catches up with
one save, and with as many saves as settle lets a kept worklist lag behind; the same on a new
day, from the worklist kept the day before; the check a start runs behind the screen (the
same built afresh, on a worker thread); a refresh after one saved change (a case's follow-up
date moved: the change log names its patient, whose rows alone are worked out again); the
same after 25 saves on 25 patients (a workstation that was busy a while); a refresh after a
payer was edited (that may change anyone's visits: everything is looked at again, unchanged
orders and cases from the memo); and a refresh with nothing saved since (the last worklist,
by the change counter).

    uv run python bench/bench_day.py [--patients 100000] [--visits 3000] [--cases 14000]
        [--enrollments 5000] [--repeat 5] [--profile] [--keep DIR] [--baseline OLD.py]

Rows are written in bulk (Core inserts), not through the services: the build is measured,
not the set-up. Each figure includes collecting the garbage the run leaves in the young
generations (the build pauses the collector; the debt is paid right after). Medians, not
timed assertions.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import delete, insert, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from infudesk.demo.seed import seed_patients  # noqa: E402
from infudesk.paths import DataPaths  # noqa: E402
from infudesk.resources import resource  # noqa: E402
from infudesk.services import payers as pys  # noqa: E402
from infudesk.services import worklist as wsv  # noqa: E402
from infudesk.services.audit import Actor  # noqa: E402
from infudesk.store.database import open_store  # noqa: E402
from infudesk.store.models import (  # noqa: E402
    AssistanceDirectoryEntry,
    AssistanceEnrollment,
    AuditEvent,
    Coverage,
    OrderLine,
    Patient,
    Payer,
    PlannedVisit,
    PriorAuthCase,
    PriorAuthLine,
    PriorAuthUsage,
    TherapyOrder,
    Verification,
    WorklistSnapshot,
    WorkTask,
)
from infudesk.store.server import advance_sequences  # noqa: E402

TODAY = date(2026, 11, 27)
D = Decimal


def fill(s: Session, args: argparse.Namespace, rng: random.Random) -> None:
    actor = Actor.system("bench")
    seed_patients(s, actor, args.patients, rng=rng, today=TODAY)
    pys.load_starter_payers(s, actor, resource("payers.json"))
    payer = pys.payer_by_name(s, "Lakeshore Health").id
    pids = list(s.scalars(select(Patient.id).order_by(Patient.id)))
    covered = pids[: args.visits + args.cases]
    now = datetime.now(UTC)
    tracked = {"created_by": "bench", "updated_by": "bench", "version": 1}
    s.execute(
        insert(Coverage),
        [
            {
                "id": i + 1,
                "patient_id": pid,
                "payer_id": payer,
                "plan_type": "commercial",
                "member_id": f"B{pid:09d}",
                "effective_on": date(2026, 1, 1),
                **tracked,
            }
            for i, pid in enumerate(covered)
        ],
    )
    s.execute(
        insert(TherapyOrder),
        [
            {
                "id": i + 1,
                "patient_id": pid,
                "drug_name": "infliximab (Remicade)",
                "drug_hcpcs": "J1745",
                "dose": D("400"),
                "route": "iv",
                "minutes": 120,
                "every_days": 56,
                "visit_count": 4,
                "start_on": TODAY - timedelta(days=112),
                "diagnosis": "K50.90",
                "provider_name": "Priya Raman",
                "provider_npi": "1647382914",
                "site_of_care": "infusion_center",
                **tracked,
            }
            for i, pid in enumerate(covered)
        ],
    )
    n = len(covered)
    lines = []
    for oid in range(1, n + 1):
        lines += [
            {"order_id": oid, "position": 1, "code": "J1745", "units": 40, "kind": "drug"},
            {"order_id": oid, "position": 2, "code": "96365", "units": 1, "kind": "admin"},
        ]
    s.execute(insert(OrderLine), lines)
    visits = []
    vid = 0
    for oid in range(1, n + 1):
        in_window = oid <= args.visits
        nxt = TODAY + timedelta(days=rng.randrange(0, 14) if in_window else rng.randrange(14, 56))
        for k in (-2, -1, 0, 1):
            vid += 1
            on = nxt + timedelta(days=56 * k)
            visits.append(
                {
                    "id": vid,
                    "order_id": oid,
                    "on": on,
                    "status": "given" if on < TODAY else "planned",
                    "scheduled_on": TODAY - timedelta(days=130),
                }
            )
    s.execute(insert(PlannedVisit), visits)
    answers = json.dumps({"pa_required": "yes", "plan_active": "yes"})
    s.execute(
        insert(Verification),
        [
            {
                "coverage_id": cid,
                "order_id": cid,
                "status": "verified",
                "answers": answers,
                "completed_on": TODAY - timedelta(days=rng.randrange(0, 60)),
                **tracked,
            }
            for cid in range(1, n + 1)
            if rng.random() < 0.85
        ],
    )
    # prior-auth cases: every window order, and --cases more (the open items)
    cases, pa_lines, usages = [], [], []
    states = ["approved", "approved", "approved", "pending", "submitted", "denied"]
    for oid in range(1, n + 1):
        state = rng.choice(states)
        cid = oid
        approved = state == "approved"
        cases.append(
            {
                "id": cid,
                "patient_id": covered[oid - 1],
                "order_id": oid,
                "coverage_id": oid,
                "state": state,
                "auth_number": f"A{cid:07d}" if approved else "",
                "approved_visits": 4 if approved else None,
                "start_on": TODAY - timedelta(days=120) if approved else None,
                "end_on": TODAY + timedelta(days=rng.randrange(5, 200)) if approved else None,
                "site": "infusion_center" if approved else "",
                "follow_up": TODAY + timedelta(days=rng.randrange(-3, 20))
                if state == "pending"
                else None,
                "submitted_on": TODAY - timedelta(days=rng.randrange(1, 20)),
                "denied_on": TODAY - timedelta(days=rng.randrange(1, 150))
                if state == "denied"
                else None,
                **tracked,
            }
        )
        if approved:
            pa_lines += [
                {"case_id": cid, "code": "J1745", "units": 160},
                {"case_id": cid, "code": "96365", "units": 4},
            ]
            for k in (1, 2):
                usages.append(
                    {
                        "case_id": cid,
                        "on": TODAY - timedelta(days=56 * k),
                        "code": "J1745",
                        "units": 40,
                        "visit": True,
                    }
                )
    s.execute(insert(PriorAuthCase), cases)
    s.execute(insert(PriorAuthLine), pa_lines)
    s.execute(insert(PriorAuthUsage), usages)
    # assistance: a directory, enrollments (some up for renewal)
    s.execute(
        insert(AssistanceDirectoryEntry),
        [
            {"id": 1, "kind": "foundation_grant", "name": "Fund A"},
            {"id": 2, "kind": "copay_card", "name": "Card B", "annual_max": D("20000")},
        ],
    )
    s.execute(
        insert(AssistanceEnrollment),
        [
            {
                "patient_id": pid,
                "program_id": 1 + i % 2,
                "status": "approved",
                "used": D("500"),
                "balance": D(rng.randrange(0, 3000)),
                "expires": TODAY + timedelta(days=rng.randrange(-10, 300)),
                "reenroll_on": TODAY + timedelta(days=rng.randrange(0, 300)),
            }
            for i, pid in enumerate(rng.sample(pids[: args.visits * 2], args.enrollments))
        ],
    )
    # cost letters printed for half the window's patients; saved task assignments
    s.execute(
        insert(AuditEvent),
        [
            {
                "at": now,
                "actor": "bench",
                "action": "document:print",
                "entity": "document",
                "entity_id": pid,
                "patient_id": pid,
                "detail": json.dumps({"kind": "cost-letter", "file": ""}),
            }
            for pid in covered[: args.visits : 2]
        ],
    )
    s.execute(
        insert(WorkTask),
        [
            {"key": f"pa-follow_up:{cid}:x", "assignee": "ana", "status": "open"}
            for cid in range(1, 3001)
        ],
    )
    advance_sequences(
        s.connection(),
        [
            t.__table__  # type: ignore[attr-defined]
            for t in (Coverage, TherapyOrder, PlannedVisit, PriorAuthCase, AssistanceDirectoryEntry)
        ],
    )


def load_floor(store: Any, today: date = TODAY, days: int = 14) -> None:
    """The floor of a build: the window's visit rows and the open cases' rows, one query each
    (what any worklist must at least read)."""
    end = today + timedelta(days=days)
    with store.session() as s:
        s.execute(
            select(PlannedVisit.id, PlannedVisit.on, TherapyOrder.patient_id, Patient.mrn)
            .join(TherapyOrder, TherapyOrder.id == PlannedVisit.order_id)
            .join(Patient, Patient.id == TherapyOrder.patient_id)
            .where(PlannedVisit.on >= today, PlannedVisit.on < end)
        ).all()
        s.execute(
            select(*PriorAuthCase.__table__.columns).where(
                PriorAuthCase.state.notin_(("expired", "cancelled"))
            )
        ).all()


def forget_all(store: Any) -> None:
    """As on a first start: nothing worked out in memory, no worklist kept in the database."""
    wsv.forget_worked_out()
    with store.session() as s:
        s.execute(delete(WorklistSnapshot))


def pending_cases(store: Any, n: int) -> list[int]:
    """The first ``n`` pending prior-auth cases."""
    with store.session() as s:
        return list(
            s.scalars(
                select(PriorAuthCase.id)
                .where(PriorAuthCase.state == "pending")
                .order_by(PriorAuthCase.id)
                .limit(n)
            )
        )


def move_follow_ups(store: Any, cases: list[int], i: int) -> None:
    """Desk saves, one per case: a pending case's follow-up date moved (through the ORM, so
    the change counter moves and the change log fills as with any service's save)."""
    for cid in cases:
        with store.session() as s:
            case = s.get(PriorAuthCase, cid)
            assert case is not None
            case.follow_up = TODAY + timedelta(days=1 + i % 5)


def with_gc(fn: Callable[[], object]) -> float:
    """``fn`` in ms, with the collection of what it left to the garbage collector's young
    generations (its debt, paid by whoever runs next), starting with no debt of another
    run's."""
    gc.collect()
    t = time.perf_counter()
    fn()
    gc.collect(1)
    return (time.perf_counter() - t) * 1000


def load_baseline(path: Path) -> Any:
    """Another version of services/worklist.py (e.g. ``git show REV:infudesk/services/
    worklist.py > old.py``), loaded as a module to build the same worklist beside this one."""
    spec = importlib.util.spec_from_file_location("baseline_worklist", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--patients", type=int, default=100_000)
    ap.add_argument("--visits", type=int, default=3_000)
    ap.add_argument("--cases", type=int, default=14_000)
    ap.add_argument("--enrollments", type=int, default=5_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument(
        "--baseline",
        type=Path,
        help="an older services/worklist.py to time in the same runs (same data, same result)",
    )
    ap.add_argument(
        "--keep",
        type=Path,
        help="a data folder to fill once and reuse on the next runs (default: a temporary one)",
    )
    args = ap.parse_args()
    rng = random.Random(14)
    actor = Actor("bench.desk", role="front_desk")
    baseline = load_baseline(args.baseline) if args.baseline else None
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp) / "d"
        filled = root.exists()
        store = open_store(DataPaths(root), demo=True)
        t0 = time.perf_counter()
        if not filled:
            with store.session() as s:
                fill(s, args, rng)
        print(
            f"set-up: {args.patients:,} patients and their care in {time.perf_counter() - t0:.1f} s"
            + (f" (reused {root})" if filled else "")
        )

        def floor() -> None:
            load_floor(store)

        def build() -> Any:
            with store.session() as s:
                return wsv.build(s, actor, TODAY)

        def build_baseline() -> Any:
            with store.session() as s:
                return baseline.build(s, actor, TODAY)

        def first_build() -> Any:
            forget_all(store)  # as after a first start: nothing worked out yet, nothing kept
            return build()

        def settle() -> Any:
            with store.session() as s:
                return wsv.settle(s, actor, TODAY)

        def start(day: date) -> Callable[[], Any]:
            def run() -> Any:
                with store.session() as s:
                    return wsv.build(s, actor, day)

            return run

        timed = with_gc

        wl = first_build()
        if baseline is not None and build_baseline() != wl:
            raise SystemExit("the baseline builds another worklist: not comparable")
        if args.profile:
            import cProfile
            import pstats

            prof = cProfile.Profile()
            prof.runcall(first_build)
            pstats.Stats(prof).sort_stats("tottime").print_stats(22)
        pendings = pending_cases(store, 25)
        lagging = pending_cases(store, wsv.KEEP_AFTER)  # as far behind as a kept one may be
        with store.session() as s:
            payer_id = s.scalar(select(Payer.id).where(Payer.name == "Lakeshore Health"))

        def edit_payer(i: int) -> None:
            with store.session() as s:
                payer = s.get(Payer, payer_id)
                assert payer is not None
                payer.phone = f"555-010{i % 10}"

        # interleaved, so that a machine busy for a while weighs on every figure alike
        runs: dict[str, list[float]] = {
            "floor": [],
            "baseline": [],
            "cold": [],
            "start": [],
            "newday": [],
            "lag": [],
            "settle": [],
            "changed": [],
            "many": [],
            "payer": [],
            "warm": [],
        }
        for i in range(args.repeat):
            runs["floor"].append(timed(floor))
            if baseline is not None:
                runs["baseline"].append(timed(build_baseline))
            forget_all(store)  # not timed
            runs["cold"].append(timed(build))
            move_follow_ups(store, pendings[:1], i)  # not timed
            runs["changed"].append(timed(build))
            runs["warm"].append(timed(build))
            move_follow_ups(store, pendings, i + 1)  # not timed
            runs["many"].append(timed(build))
            edit_payer(i)  # not timed
            runs["payer"].append(timed(build))
            settle()  # not timed: today's and tomorrow's worklists kept in the database
            move_follow_ups(store, pendings[:1], i + 7)  # not timed
            wsv.forget_worked_out()  # not timed: a start
            runs["start"].append(timed(start(TODAY)))
            runs["settle"].append(timed(settle))
            wsv.forget_worked_out()  # not timed: a start on the next day
            runs["newday"].append(timed(start(TODAY + timedelta(days=1))))
            forget_all(store)  # not timed: today's kept again, then as many saves as it may lag
            build()
            settle()
            move_follow_ups(store, lagging, i + 11)
            wsv.forget_worked_out()
            runs["lag"].append(timed(start(TODAY)))
        floor_ms = statistics.median(runs["floor"])
        open_tasks = sum(1 for t in wl.tasks if t.status == "open")
        print(
            f"floor (the window's visits and the open cases, one query each): median {floor_ms:.0f} ms"
        )
        print(
            f"worklist ({len(wl.visits):,} visits, {len(wl.tasks):,} tasks of which "
            f"{open_tasks:,} open, {sum(1 for v in wl.visits if v.ready):,} ready):"
        )
        for key, label in (
            ("baseline", f"baseline {args.baseline}"),
            ("cold", "first build (nothing worked out yet, nothing kept)"),
            ("start", "start: today's worklist kept in the database, one save since"),
            ("newday", "start on a new day: its worklist kept the day before, one save since"),
            (
                "lag",
                f"start: today's worklist kept, {len(lagging)} saves on {len(lagging)} patients "
                "since (as far behind as settle lets it)",
            ),
            ("settle", "check behind the screen after a start (built afresh; worker thread)"),
            ("changed", "refresh after one saved change (its patient worked out again)"),
            ("many", f"refresh after {len(pendings)} saves on {len(pendings)} patients"),
            ("payer", "refresh after a payer was edited (everyone looked at; memo)"),
            ("warm", "refresh, nothing saved since (the last worklist, by the change counter)"),
        ):
            if not runs[key]:
                continue
            ms = statistics.median(runs[key])
            print(
                f"  {label}: median {ms:.0f} ms ({ms / floor_ms:.1f}x floor; runs "
                + ", ".join(f"{r:.0f}" for r in runs[key])
                + ")"
            )
        store.close()


if __name__ == "__main__":
    main()
