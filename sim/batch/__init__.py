"""Batches of runs: scenarios × sweep points × replications, on local processes or Dask.

>>> from sim.batch import plan, run_batch, load_results
>>> specs = plan(["baseline"], reps=10, seed=7, sweep={"zakat_min_usd": [500, 1000]})  # doctest: +SKIP
>>> run_batch(specs, "results/zakat")  # doctest: +SKIP
>>> results = load_results("results/zakat")  # doctest: +SKIP

``load_results`` warns (:class:`IncompleteBatchWarning`) when the folder holds fewer runs than its
batch planned (interrupted, or some runs failed).

Over a calibration's posterior: ``plan(..., posterior="calib/NAME", draws=20)`` (or
``batch(..., posterior=..., draws=...)``) gives replication ``r`` of every scenario the
posterior's ``r``-th weighted draw (:mod:`~sim.batch.posterior`).

The parts: :mod:`~sim.batch.plan` (runs and seeds), :mod:`~sim.batch.engine` (running them),
:mod:`~sim.batch.store` (the results folder, hashes, consolidated tables) and
:mod:`~sim.batch.manifest` (inputs, versions, the lock file).
"""

from sim.batch.engine import COUNTED, BatchSummary, RunResult, batch, build_model, run_batch, run_one
from sim.batch.manifest import locked
from sim.batch.plan import (
    ID_COLUMNS,
    TOP_LEVEL_KEYS,
    RunSpec,
    count_runs,
    plan,
    point_label,
    replication_seed,
    replications,
    safe_name,
)
from sim.batch.store import (
    FORMAT,
    MANIFEST,
    RUNS,
    Results,
    atomic_write,
    ema_tables,
    load_results,
    run_events,
    run_table,
    stored_runs,
)
from sim.interrupt import IncompleteBatchWarning

__all__ = [
    "COUNTED", "FORMAT", "ID_COLUMNS", "MANIFEST", "RUNS", "TOP_LEVEL_KEYS", "BatchSummary", "IncompleteBatchWarning",
    "Results", "RunResult",
    "RunSpec", "atomic_write", "batch", "build_model", "count_runs", "ema_tables", "load_results", "locked", "plan",
    "point_label", "replication_seed", "replications", "run_batch", "run_events", "run_one", "run_table", "safe_name",
    "stored_runs",
]
