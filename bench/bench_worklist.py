"""The verification worklist at a busy center: N patients, each with a coverage, a therapy
order and a completed verification; prints the median time of one worklist build.

    uv run python bench/bench_worklist.py [--patients 1000]

Compared with a floor measured in the same run (loading the same coverages in one query).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select  # noqa: E402

from infudesk.demo.seed import seed_patients  # noqa: E402
from infudesk.domain.coverage import CoverageData, Terms  # noqa: E402
from infudesk.domain.orders import OrderData  # noqa: E402
from infudesk.domain.verification import Status  # noqa: E402
from infudesk.paths import DataPaths  # noqa: E402
from infudesk.resources import resource  # noqa: E402
from infudesk.services import coverages as cs  # noqa: E402
from infudesk.services import orders as ors  # noqa: E402
from infudesk.services import payers as pys  # noqa: E402
from infudesk.services import verifications as vs  # noqa: E402
from infudesk.services.audit import Actor  # noqa: E402
from infudesk.store.database import open_store  # noqa: E402
from infudesk.store.models import Coverage, Patient  # noqa: E402

TODAY = date(2026, 11, 27)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--patients", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()
    actor = Actor.system("bench")
    rng = random.Random(5)
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(DataPaths(Path(tmp) / "d"), demo=True)
        with store.session() as s:
            seed_patients(s, actor, args.patients, rng=rng, today=TODAY)
            pys.load_starter_payers(s, actor, resource("payers.json"))
            payer = pys.payer_by_name(s, "Lakeshore Health").id
        t0 = time.perf_counter()
        with store.session() as s:
            for pid in s.scalars(select(Patient.id).where(Patient.active.is_(True))):
                cov = cs.add_coverage(
                    s,
                    actor,
                    pid,
                    CoverageData(
                        payer_id=payer, member_id=f"LKH{pid:08d}", effective_on=date(2026, 1, 1)
                    ),
                    today=TODAY,
                    terms=Terms(deductible=Decimal("1000"), coinsurance=Decimal("0.2")),
                )
                order = ors.create_order(
                    s,
                    actor,
                    pid,
                    OrderData(
                        drug_name="infliximab (Remicade)",
                        drug_hcpcs="J1745",
                        dose=Decimal("400"),
                        route="iv",
                        minutes=120,
                        every_days=56,
                        visit_count=7,
                        start_on=TODAY + timedelta(days=rng.randrange(-200, 60)),
                        diagnosis="K50.90",
                        provider_name="Priya Raman",
                        provider_npi="1647382914",
                        site_of_care="infusion_center",
                    ),
                    today=TODAY,
                )
                rec = vs.start_verification(s, actor, cov.id, order.id)
                answers = {
                    **rec.answers,
                    "plan_active": "yes",
                    "in_network": "in",
                    "coinsurance": "20",
                    "pa_required": "no",
                    "call_with": "x",
                    "call_reference": "r",
                    "call_at": "11/01/2026 9:00 AM",
                }
                vs.save_verification(
                    s,
                    actor,
                    rec.id,
                    answers,
                    status=Status.VERIFIED,
                    expected_version=rec.version,
                    today=TODAY - timedelta(days=rng.randrange(0, 90)),
                )
        print(
            f"set-up: {args.patients:,} patients with a coverage, an order and a verification "
            f"in {time.perf_counter() - t0:.1f} s"
        )

        def floor() -> None:
            with store.session() as s:
                list(s.scalars(select(Coverage)))

        def build() -> int:
            with store.session() as s:
                return len(vs.worklist(s, today=TODAY))

        def timed(fn) -> list[float]:  # type: ignore[no-untyped-def]
            out = []
            for _ in range(args.repeat):
                t = time.perf_counter()
                fn()
                out.append((time.perf_counter() - t) * 1000)
            return out

        floor_ms = statistics.median(timed(floor))
        rows = build()
        if args.profile:
            import cProfile
            import pstats

            prof = cProfile.Profile()
            prof.runcall(build)
            pstats.Stats(prof).sort_stats("cumulative").print_stats(18)
        work_ms = statistics.median(timed(build))
        print(f"floor (load all coverages): median {floor_ms:.1f} ms")
        print(
            f"worklist ({rows:,} rows): median {work_ms:.1f} ms ({work_ms / floor_ms:.1f}x floor)"
        )
        store.close()


if __name__ == "__main__":
    main()
