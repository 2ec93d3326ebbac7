"""Python's cyclic garbage collector paused while a model is built and while it runs.

A build makes tens of thousands of objects (cells of the grid and their connections, agents, the
mechanisms' tables) that all live through the run, so the collections they trigger find nothing to
free; in a new process, where the imported libraries are not frozen out of the collector as a batch
worker's are (:func:`sim.batch.executors.preload_and_freeze`), each full collection also scans the
~140,000 objects of numpy, pandas, numba and Mesa: ~60 ms of a 5-year run's cold build (0.19 s),
measured. Nothing is collected later than it would be otherwise: the next collection after the
build finds whatever the build left.

A run's days make no cyclic garbage either (measured: a collection after a 5-year run of the baseline,
the history or an event scenario, daily collection on, finds nothing), so ``InsurgencyModel.run_for``
pauses it too: in a process that runs model after model with Python's thresholds (a notebook's loop),
the young collections cost ~4% of a 5-year run (0.241 -> 0.231 s, 12 runs each way); a batch worker's
higher thresholds leave little to gain there. The previous runs' garbage is collected when the
collector is on again (its count of new objects keeps growing while it is off), as before: a loop of
40 runs peaks at the same memory either way.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """The collector off inside the block (usable as a decorator), on again after if it was on before."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
