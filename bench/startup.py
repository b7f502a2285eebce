"""Start-up as whole processes: the app to its main window shown, beside a bare PySide6 window.

    uv run python bench/startup.py --data-dir DIR [--demo] [--runs 7] [--app PROGRAM]

Each run is a new process (offscreen); the child prints the wall-clock time at which its
window was shown and the event loop ran once, the parent subtracts the time it spawned it.
The bare-window floor (QApplication + QMainWindow.show() + one turn of the event loop) is
measured in the same run, interleaved with the app's runs, so that a busy machine slows both.

The app's window shows before its database is open (it says "Opening the database…" while a
worker thread opens it): the second figure, "ready", is when the store is open and the first
page (the Worklist, its list still loading on a worker) is made and shown.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

BARE = (
    "import time\n"
    "from PySide6.QtCore import QTimer\n"
    "from PySide6.QtWidgets import QApplication, QMainWindow\n"
    "app = QApplication([])\n"
    "w = QMainWindow(); w.resize(1280, 800); w.show()\n"
    "QTimer.singleShot(0, lambda: (print('shown', time.time(), flush=True), app.quit()))\n"
    "app.exec()\n"
)


def env() -> dict[str, str]:
    e = dict(os.environ)
    e["QT_QPA_PLATFORM"] = "offscreen"
    return e


def marks_ms(cmd: Sequence[str], *, timeout: float = 120) -> dict[str, float]:
    """Spawn ``cmd``; milliseconds from spawn to each of its '<mark> <epoch>' lines (shown,
    and ready if it prints one)."""
    t0 = time.time()
    res = subprocess.run(
        list(cmd), capture_output=True, text=True, env=env(), timeout=timeout, check=False
    )
    marks = {
        line.split()[0]: (float(line.split()[1]) - t0) * 1000
        for line in res.stdout.splitlines()
        if line.startswith(("shown ", "ready "))
    }
    if "shown" not in marks or res.returncode != 0:
        raise RuntimeError(
            f"{' '.join(cmd)} exited {res.returncode} (marks {sorted(marks)}):\n"
            f"{res.stderr[-2000:]}"
        )
    return marks


def shown_ms(cmd: Sequence[str], *, timeout: float = 120) -> float:
    """Spawn ``cmd``; milliseconds from spawn to its 'shown <epoch>' line."""
    return marks_ms(cmd, timeout=timeout)["shown"]


def app_command(data_dir: Path, demo: bool, exe: str | None = None) -> list[str]:
    """The app with --smoke: ``exe`` (e.g. the built dist/infudesk/infudesk), else the
    `infudesk` script installed beside this Python."""
    script = Path(sys.executable).with_name("infudesk")
    base = (
        [exe] if exe else [str(script)] if script.exists() else [sys.executable, "-m", "infudesk"]
    )
    return [*base, "--smoke", "--data-dir", str(data_dir), *(["--demo"] if demo else [])]


def measure(
    app_cmd: Sequence[str], runs: int, python: str = sys.executable
) -> tuple[list[float], list[float], list[float]]:
    """(app shown, app ready, bare-window shown) runs, interleaved; one warm-up of each
    first (file cache)."""
    marks_ms(app_cmd)
    shown_ms([python, "-c", BARE])
    app, ready, bare = [], [], []
    for _ in range(runs):
        bare.append(shown_ms([python, "-c", BARE]))
        marks = marks_ms(app_cmd)
        app.append(marks["shown"])
        ready.append(marks.get("ready", marks["shown"]))
    return app, ready, bare


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--demo", action="store_true")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--app", default=None, help="the app's program (default: the installed one)")
    args = ap.parse_args()
    cmd = app_command(args.data_dir, args.demo, args.app)
    app, ready, bare = measure(cmd, args.runs)
    a, r, b = statistics.median(app), statistics.median(ready), statistics.median(bare)
    print(f"bare window:     median {b:.0f} ms  ({', '.join(f'{x:.0f}' for x in bare)})")
    print(f"infudesk shown:  median {a:.0f} ms  ({', '.join(f'{x:.0f}' for x in app)})")
    print(f"infudesk ready:  median {r:.0f} ms  ({', '.join(f'{x:.0f}' for x in ready)})")
    print(f"ratio: shown {a / b:.1f}x, ready {r / b:.1f}x")


if __name__ == "__main__":
    main()
