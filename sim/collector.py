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

A finished model is garbage made of cycles (its grid's cells and their neighbours, its agents and the
model, the mechanisms and the model), about 10,000 objects that only the collector frees. Where runs
follow one another (a batch's, a calibration's, EMA's), :func:`one_run` keeps the collector off for the
whole run, its results read included, and collects the youngest generation once after it: the finished
model is still all there, and is freed in one pass. Otherwise the first collection after the run moved the
live model's objects to an older generation, whose later collections looked at them again before freeing
them: a batch worker spent ~10 ms a six-month run in the collector that way, ~7 ms now (measured:
benchmarks/README.md, stop 42).
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


@contextlib.contextmanager
def one_run() -> Iterator[None]:
    """Around code that builds, runs and reads a model and lets it go (a block or a decorator): the collector
    off inside, and after it, if it was on, the youngest generation collected, which frees the finished model
    (the collector off since its build, all its objects are still there)."""
    was_on = gc.isenabled()
    try:
        with paused():
            yield
    finally:
        if was_on:
            gc.collect(0)
