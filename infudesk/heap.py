"""The garbage collector's view of the heap, settled at the app's quiet moments."""

from __future__ import annotations

import gc
import logging
import time

log = logging.getLogger(__name__)

# The test suite turns this off: a test process makes and drops many windows, and what a
# freeze keeps from the collector (a closed window's cycles) would pile up across tests.
ENABLED = True


def settle_heap() -> None:
    """``gc.collect()`` then ``gc.freeze()``: what is alive now (the modules, SQLAlchemy's
    mappers, the window's widgets) leaves the collector's sight, so each later full collection
    scans only what was made since. Called once the first page is made, once the other screens'
    modules are imported, and once the Worklist's first load is shown: a full collection during
    a list refresh then pauses the GUI thread for far less (bench/bench_prior_auths.py: longest
    block 121 → 53 ms; bench/bench_worklist_gui.py --freeze: worst 177 → 30 ms). The objects
    frozen are still freed by reference counting when dropped."""
    if not ENABLED:
        return
    started = time.perf_counter()
    gc.collect()
    gc.freeze()
    log.debug("heap settled in %.0f ms", (time.perf_counter() - started) * 1000)


def keep_young() -> None:
    """``gc.freeze()`` without a collection, for work done on a worker thread with the
    collector paused whose results live on (the worklist checked afresh and its memo): they
    leave the collector's sight without anyone scanning them, where re-enabling the collector
    would have had the next thread to allocate (often the GUI thread) scan them all at once
    (bench/bench_worklist_gui.py: the settle's longest GUI-thread block 97–123 ms before).
    The few garbage cycles made meanwhile (about 150 objects a build) stay until the app
    ends."""
    if ENABLED:
        gc.freeze()
