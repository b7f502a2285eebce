"""Patient search at 100,000 patients, the verification worklist and the day's worklist (the
first screen: planned visits with their readiness, and the tasks), on PostgreSQL beside the
local SQLCipher database, in the same run; prints medians and p95 with the ratio.

    eval "$(.ci/pg-cluster start)"   # a throwaway local server with TLS (or any server:
                                     # INFUDESK_TEST_PG_URL / _PASSWORD / _CA)
    uv run python bench/bench_pg.py [--patients 100000] [--worklist 2000] [--repeat 5]

Both databases get the same generated data (same random seed): ``--patients`` patients, of
whom the first ``--worklist`` have a coverage, a therapy order (seven visits eight weeks
apart, the first within 200 days before or 60 after the bench's day) and a verified
checklist; the day's worklist is ``services.worklist.build`` over the default 14 days.
The server is on this machine (TLS over 127.0.0.1): a network adds its round trip to each
query. The keychain is an in-memory one (the bench never touches a real keychain).
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
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import keyring  # noqa: E402
import psycopg  # noqa: E402
from keyring.backend import KeyringBackend  # noqa: E402
from sqlalchemy import select  # noqa: E402

from infudesk.demo.seed import seed_patients  # noqa: E402
from infudesk.domain.coverage import CoverageData, Terms  # noqa: E402
from infudesk.domain.orders import OrderData  # noqa: E402
from infudesk.domain.verification import Status  # noqa: E402
from infudesk.paths import DataPaths  # noqa: E402
from infudesk.resources import resource  # noqa: E402
from infudesk.services import coverages as cs  # noqa: E402
from infudesk.services import orders as ors  # noqa: E402
from infudesk.services import patients as ps  # noqa: E402
from infudesk.services import payers as pys  # noqa: E402
from infudesk.services import verifications as vs  # noqa: E402
from infudesk.services import worklist as wsv  # noqa: E402
from infudesk.services.audit import Actor  # noqa: E402
from infudesk.store import keys  # noqa: E402
from infudesk.store.database import Store, open_server_store, open_store  # noqa: E402
from infudesk.store.models import Patient  # noqa: E402
from infudesk.store.server import parse_database_url, save_password, sqlalchemy_url  # noqa: E402

TODAY = date(2026, 11, 27)


class BenchKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.entries.pop((service, username), None)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def fill(store: Store, n: int, worklist: int) -> None:
    actor = Actor.system("bench")
    rng = random.Random(16)
    with store.session() as s:
        seed_patients(s, actor, n, rng=rng, today=TODAY)
        pys.load_starter_payers(s, actor, resource("payers.json"))
        payer = pys.payer_by_name(s, "Lakeshore Health").id
    with store.session() as s:
        pids = list(
            s.scalars(
                select(Patient.id)
                .where(Patient.active.is_(True))
                .order_by(Patient.id)
                .limit(worklist)
            )
        )
        for pid in pids:
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


def queries(store: Store, n: int) -> list[str]:
    rng = random.Random(7)
    with store.session() as s:
        rows = s.execute(
            select(Patient.last_name, Patient.first_name, Patient.birth_date, Patient.phone_mobile)
            .order_by(Patient.id)
            .limit(5000)
        ).all()
    out: list[str] = []
    for i in range(n):
        last, first, born, phone = rows[rng.randrange(len(rows))]
        kind = i % 5
        out.append(
            [
                last[:2],  # two letters: many matches (a full page of 200)
                last[:4],
                f"{last[:3]} {first[:2]}",
                f"{born:%m/%d/%Y}",
                phone[-7:] if phone else last,
            ][kind]
        )
    return out


DAY_SIZE: dict[bool, tuple[int, int]] = {}  # per engine (server?): visits, tasks on the worklist


def measure(store: Store, qs: list[str], repeat: int) -> dict[str, list[float]]:
    def search(q: str) -> None:
        with store.session() as s:
            ps.search(s, q, limit=200, today=TODAY)

    def count(q: str) -> None:
        with store.session() as s:
            ps.count(s, q, today=TODAY, cap=10_000)

    def verifications() -> None:
        with store.session() as s:
            vs.worklist(s, today=TODAY)

    desk = Actor("bench.desk", role="front_desk")

    def day() -> None:
        with store.session() as s:
            wl = wsv.build(s, desk, TODAY)
        DAY_SIZE[store.target is not None] = (len(wl.visits), len(wl.tasks))

    for q in qs[:5]:  # warm the caches (both engines alike)
        search(q)
    verifications()
    day()
    out: dict[str, list[float]] = {
        "search (page of 200)": [],
        "search count": [],
        "verification worklist": [],
        "day worklist": [],
    }
    for q in qs:
        out["search (page of 200)"] += timed(lambda q=q: search(q), repeat)
        out["search count"] += timed(lambda q=q: count(q), repeat)
    out["verification worklist"] = timed(verifications, repeat * 4)
    out["day worklist"] = timed(day, repeat * 4)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--patients", type=int, default=100_000)
    ap.add_argument("--worklist", type=int, default=2000)
    ap.add_argument("--queries", type=int, default=40)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    url = os.environ.get("INFUDESK_TEST_PG_URL")
    secret = os.environ.get("INFUDESK_TEST_PG_PASSWORD")
    if not url or not secret:
        sys.exit('bench_pg: start a server first: eval "$(.ci/pg-cluster start)"')
    keyring.set_keyring(BenchKeyring())
    keys.ALLOWED_BACKENDS = keys.ALLOWED_BACKENDS | {"__main__.BenchKeyring"}
    admin = parse_database_url(url, os.environ.get("INFUDESK_TEST_PG_CA") or None)
    name = f"infudesk_bench_{os.getpid()}"
    dsn = sqlalchemy_url(admin, secret).set(drivername="postgresql")
    with psycopg.connect(dsn.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")  # type: ignore[arg-type]
    target = admin.with_dbname(name)
    save_password(target, secret)
    results: dict[str, dict[str, list[float]]] = {}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            local = open_store(DataPaths(Path(tmp) / "local"))
            remote = open_server_store(DataPaths(Path(tmp) / "ws"), target)
            try:
                for label, st in (("SQLite", local), ("PostgreSQL", remote)):
                    t0 = time.perf_counter()
                    fill(st, args.patients, args.worklist)
                    if st.target is not None:  # what autovacuum does soon after a bulk load
                        with st.engine.connect().execution_options(
                            isolation_level="AUTOCOMMIT"
                        ) as c:
                            c.exec_driver_sql("VACUUM ANALYZE")
                    print(
                        f"{label}: {args.patients:,} patients ({args.worklist:,} on the "
                        f"worklist) set up in {time.perf_counter() - t0:.0f} s",
                        file=sys.stderr,
                    )
                qs = queries(local, args.queries)
                for label, st in (("SQLite", local), ("PostgreSQL", remote)):
                    results[label] = measure(st, qs, args.repeat)
            finally:
                local.close()
                remote.close()
    finally:
        with psycopg.connect(dsn.render_as_string(hide_password=False), autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")  # type: ignore[arg-type]

    print(
        f"\n{args.patients:,} patients, {args.worklist:,} on the worklist; {args.queries} "
        f"searches x {args.repeat}; PostgreSQL {admin.host} over TLS (same machine); the day "
        f"worklist holds {DAY_SIZE[False][0]:,} visits and {DAY_SIZE[False][1]:,} tasks "
        f"(PostgreSQL: {DAY_SIZE[True][0]:,} and {DAY_SIZE[True][1]:,})\n"
    )
    head = f"{'operation':<26}{'SQLite med':>11}{'p95':>9}{'PG med':>10}{'p95':>9}{'PG/SQLite':>11}"
    print(head)
    print("-" * len(head))
    for op in results["SQLite"]:
        a, b = results["SQLite"][op], results["PostgreSQL"][op]
        ma, mb = statistics.median(a), statistics.median(b)
        print(
            f"{op:<26}{ma:>9.1f}ms{pct(a, 0.95):>7.1f}ms{mb:>8.1f}ms{pct(b, 0.95):>7.1f}ms"
            f"{mb / ma:>10.1f}x"
        )


if __name__ == "__main__":
    main()
