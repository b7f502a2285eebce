"""Cost of the audit chain: append N audit entries, each in its own committed unit of work
(as every save writes one), into a temporary encrypted demo database; then verify the chain.

    uv run python bench/bench_audit.py --here [--entries 1000] [--repeat 5] [--one-commit]

Runs against whatever infudesk is on the path, so the same file measures the code before the
chain (PYTHONPATH=<older checkout>) and after. Prints the median over ``repeat`` runs of the
total time and the time per entry, and (when the chain exists) the time to verify it.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

if "--here" in sys.argv:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from infudesk.paths import DataPaths
from infudesk.services import audit
from infudesk.services.audit import Actor
from infudesk.store.database import open_store


def run_once(entries: int, one_commit: bool = False) -> tuple[float, float | None]:
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(DataPaths(Path(tmp)), demo=True)
        try:
            actor = Actor("bench.clerk")
            started = time.perf_counter()
            if one_commit:  # the chaining's own cost, without a disk sync per entry
                with store.session() as s:
                    for i in range(entries):
                        audit.record(s, actor, "update", "setting", i, detail={"fields": ["x"]})
                        s.flush()
            else:
                for i in range(entries):
                    with store.session() as s:
                        audit.record(s, actor, "update", "setting", i, detail={"fields": ["x"]})
            took = time.perf_counter() - started
            verify = None
            if hasattr(audit, "verify_chain"):
                started = time.perf_counter()
                with store.session() as s:
                    problems = audit.verify_chain(s)
                verify = time.perf_counter() - started
                assert problems == [], problems
        finally:
            store.close()
    return took, verify


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--here", action="store_true", help="use this checkout's infudesk")
    parser.add_argument(
        "--one-commit", action="store_true", help="flush each entry, commit once at the end"
    )
    args = parser.parse_args()
    totals, verifies = [], []
    for _ in range(args.repeat):
        took, verify = run_once(args.entries, args.one_commit)
        totals.append(took)
        if verify is not None:
            verifies.append(verify)
    total = statistics.median(totals)
    print(
        f"{args.entries} audit entries, "
        + ("flushed one by one, one commit" if args.one_commit else "one commit each")
        + f": median {total:.2f} s "
        f"({total / args.entries * 1000:.2f} ms per entry; runs: "
        + ", ".join(f"{t:.2f}" for t in totals)
        + ")"
    )
    if verifies:
        print(f"verify_chain over them: median {statistics.median(verifies) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
