"""Kill test: a writer making confirmed saves is SIGKILLed at random; after each kill
`infudesk check` must pass and every save the writer confirmed must still be there.

    uv run python bench/bench_kill.py [--kills 200] [--seed 1]

The writer (a subprocess: `bench_kill.py --writer DIR`) opens the demo database of DIR (its
key sits beside it, so no keychain is needed), creates patients one per transaction and
prints each patient's id only after the commit returned: a printed id is a confirmed save.
The parent kills it after a random delay, runs `infudesk check` (in this process, through
cli.main: the same code as the command, without an interpreter start) and then looks for
every confirmed id. The closing note gives kills, confirmed saves, saves lost (goal 0),
check failures (goal 0) and the median time per kill cycle.

Closing note of the last run (2 shared cores, load about 5; `--kills 200 --seed 1`):
kills 200, confirmed saves 5,742, saves lost 0, check failures 0, time per kill cycle
median 2.65 s (max 5.73 s; most of it is the writer's interpreter start).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from infudesk.paths import DataPaths  # noqa: E402


def writer(root: Path) -> None:
    from infudesk.domain.patients import PatientData
    from infudesk.services import patients as ps
    from infudesk.services.audit import Actor
    from infudesk.store.database import open_store

    store = open_store(DataPaths(root), demo=True)
    actor = Actor.system("bench-kill")
    print("ready", flush=True)
    n = 0
    while True:
        n += 1
        letters = "".join("abcdefghij"[int(d)] for d in f"{n:06d}")
        data = PatientData(
            first_name="Killtest",
            last_name=f"Writer{letters}",
            birth_date=date(1970, 1, 1 + n % 28),
            sex="U",
        )
        with store.session() as s:
            pid = ps.create_patient(
                s, actor, data, today=date(2026, 12, 1), allow_look_alike=True
            ).id
        print(pid, flush=True)  # after the commit: confirmed


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--kills", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--max-delay", type=float, default=0.6, help="seconds after 'ready'")
    ap.add_argument("--writer", metavar="DIR", default=None)
    args = ap.parse_args()
    if args.writer:
        writer(Path(args.writer))
        return 0

    from sqlalchemy import select

    from infudesk import cli
    from infudesk.store.database import open_store
    from infudesk.store.models import Patient

    rng = random.Random(args.seed)
    root = Path(tempfile.mkdtemp(prefix="infudesk-kill-")) / "data"
    confirmed: set[int] = set()
    lost = check_failures = 0
    cycles: list[float] = []
    for k in range(1, args.kills + 1):
        started = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, __file__, "--writer", str(root)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert proc.stdout is not None
        first = proc.stdout.readline().strip()
        if first != "ready":
            print(f"kill {k}: the writer did not start ({first!r})", file=sys.stderr)
            proc.kill()
            return 2
        time.sleep(rng.uniform(0.0, args.max_delay))
        os.kill(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        confirmed.update(int(line) for line in out.split() if line.isdigit())
        sink = io.StringIO()
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            code = cli.main(["check", "--demo", "--data-dir", str(root)])
        if code != 0:
            check_failures += 1
            print(f"kill {k}: check failed: {sink.getvalue().strip().splitlines()[-1]}")
        store = open_store(DataPaths(root), demo=True, create=False, exclusive=False)
        try:
            with store.session() as s:
                present = set(s.scalars(select(Patient.id)))
        finally:
            store.close()
        lost = len(confirmed - present)
        cycles.append(time.perf_counter() - started)
        if k % 20 == 0:
            print(f"  {k} kills, {len(confirmed):,} confirmed saves, {lost} lost", flush=True)
    print(
        f"kills {args.kills}, confirmed saves {len(confirmed):,}, saves lost {lost}, "
        f"check failures {check_failures}, time per kill cycle median "
        f"{statistics.median(cycles):.2f} s (max {max(cycles):.2f} s)"
    )
    return 0 if lost == 0 and check_failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
