"""The quote engine's speed: one visit, a 26-visit course, and `infudesk quote` end to end.

    uv run python bench/bench_quote.py [--runs 2000] [--cli-runs 15]

Medians, each beside a floor measured in the same run (the machines here are shared and noisy):
a trivial Decimal loop for the engine, `python -c pass` for the command. Targets: one visit
under 100 µs, the 26-visit course (secondary + copay card + grant) under 3 ms, the command on
a one-visit request under 0.5 s wall.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from infudesk.domain import costshare as cs  # noqa: E402
from infudesk.domain.quote_request import run  # noqa: E402

D = Decimal
INFLIX = (cs.ServiceLine("J1745", 35, D("84.12")), cs.ServiceLine("96365", 1, D("160.00")))
PRIMARY = cs.Coverage(
    "commercial",
    deductible=D("1500.00"),
    deductible_met=D("500.00"),
    coinsurance=D("0.20"),
    oop_max=D("6000.00"),
    oop_met=D("3000.00"),
    copay=D("25.00"),
)
ONE_VISIT = cs.QuoteRequest((date(2026, 3, 2),), INFLIX, PRIMARY)
COURSE = cs.QuoteRequest(
    tuple(date(2026, 3, 2) + timedelta(days=14 * i) for i in range(26)),
    INFLIX,
    PRIMARY,
    cs.Coverage("commercial", deductible=D("500.00"), coinsurance=D("0.30")),
    (
        cs.CopayCard("Acme", D("500.00"), D("15000.00"), counts_toward_accumulators=False),
        cs.FoundationGrant("PAN", D("4000.00"), date(2026, 12, 31)),
    ),
)
REQUEST_JSON = json.dumps(
    {
        "service_dates": ["2026-03-02"],
        "lines": [
            {"code": "J1745", "units": 35, "unit_price": "84.12"},
            {"code": "96365", "units": 1, "unit_price": "160.00"},
        ],
        "primary": {"plan_type": "medicare_part_b", "deductible": "283.00", "coinsurance": "0.20"},
        "secondary": {"plan_type": "medigap", "medigap_plan": "G"},
    }
)


def median_us(fn: Callable[[], object], runs: int) -> float:
    for _ in range(min(runs, 200)):  # warm up
        fn()
    times = []
    for _ in range(runs):
        t = time.perf_counter_ns()
        fn()
        times.append(time.perf_counter_ns() - t)
    return statistics.median(times) / 1000


def decimal_floor() -> Decimal:
    """A trivial Decimal loop: 20 multiply-and-round steps."""
    x = D("0")
    rate, cent = D("0.20"), D("0.01")
    for i in range(20):
        x += (D(i) * rate).quantize(cent, ROUND_HALF_UP)
    return x


def wall_ms(cmd: list[str], stdin: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, input=stdin, capture_output=True, text=True, check=True, cwd=REPO)
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=2000)
    ap.add_argument("--cli-runs", type=int, default=15)
    args = ap.parse_args()

    check = cs.quote(COURSE)
    assert all(
        v.allowed + v.balance_bill
        == v.primary_paid + v.secondary_paid + v.assistance_paid + v.patient_owes
        for v in check.visits
    )
    floor = median_us(decimal_floor, args.runs)
    print(f"floor (20 Decimal multiply+round steps): median {floor:.1f} µs")
    one = median_us(lambda: cs.quote(ONE_VISIT), args.runs)
    print(f"engine, one visit: median {one:.1f} µs (target < 100 µs; {one / floor:.1f}x floor)")
    whole = median_us(lambda: cs.quote(COURSE), max(args.runs // 10, 50))
    print(
        f"engine, 26 visits + secondary + card + grant: median {whole / 1000:.2f} ms "
        f"(target < 3 ms; {whole / floor:.0f}x floor; {whole / 26:.1f} µs a visit)"
    )
    full = median_us(lambda: run(REQUEST_JSON), args.runs)
    print(
        f"parse + engine + JSON out, one visit (in process): median {full:.1f} µs "
        f"({full / floor:.1f}x floor)"
    )

    py_floor = wall_ms([sys.executable, "-c", "pass"], "", args.cli_runs)
    print(f"floor (python -c pass): median {py_floor:.0f} ms")
    cmd = [sys.executable, "-m", "infudesk", "quote", "--json", "-"]
    cli = wall_ms(cmd, REQUEST_JSON, args.cli_runs)
    print(
        f"infudesk quote --json - (one visit, wall): median {cli:.0f} ms "
        f"(target < 500 ms; {cli / py_floor:.1f}x floor, {cli - py_floor:.0f} ms above it)"
    )


if __name__ == "__main__":
    main()
