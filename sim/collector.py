"""Python's cyclic garbage collector paused while a model is built.

A build makes tens of thousands of objects (cells of the grid and their connections, agents, the
mechanisms' tables) that all live through the run, so the collections they trigger find nothing to
free; in a new process, where the imported libraries are not frozen out of the collector as a batch
worker's are (:func:`sim.batch.executors.preload_and_freeze`), each full collection also scans the
~140,000 objects of numpy, pandas, numba and Mesa: ~60 ms of a 5-year run's cold build (0.19 s),
measured. Nothing is collected later than it would be otherwise: the next collection after the
build finds whatever the build left.
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
