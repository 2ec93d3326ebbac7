"""``insim run --out DIR``: one run written as a one-run batch, through the batch engine.

The folder then holds what a batch's does (``manifest.json``, ``parts/``, the ``runs``,
``monthly``, ``villages`` and ``incidents`` tables, the EMA export, ``datapackage.json``), so
``insim plot``, ``insim compare`` and :func:`sim.batch.load_results` read it as they read a batch.
The run keeps its own seed (the ``--seed`` given, else the scenario's), so it equals ``insim run``
without ``--out``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

#: the top-level scenario key that names the seed (a batch derives its seeds instead)
SEED_KEY = "seed"


@dataclasses.dataclass
class StoredRun:
    """What ``insim run``'s summary reads from a model, read back from a stored run instead."""

    run_scenario: Any
    start_date: Any
    monthly: pd.DataFrame
    event_log: list[dict[str, Any]]

    def monthly_frame(self) -> pd.DataFrame:
        """The run's monthly outcomes, as the model gives them."""
        return self.monthly


def run_into(file: str, sets: dict[str, Any], seed: int, out: Path, command: Sequence[str]) -> StoredRun | None:
    """Run ``file`` (with ``sets``) on ``seed`` as a one-run batch in ``out``; the stored run.

    Returns None when the run failed (its traceback is in ``out/runs/<run_id>/error.txt``).
    Raises InputError when ``out`` already holds a batch or another command's results (:mod:`sim.folders`).
    """
    from sim.batch import plan, run_batch
    from sim.batch.engine import id_columns
    from sim.batch.store import run_events, run_table
    from sim.scenario import load_scenario

    batch_sets = {k: v for k, v in sets.items() if k != SEED_KEY}  # the spec carries the seed
    spec = dataclasses.replace(plan([file], 1, sets=batch_sets)[0], seed=seed)
    summary = run_batch([spec], out, workers=1, progress=False, command=list(command))
    if not summary.ok:
        return None
    monthly = run_table(out, spec.run_id, "monthly").drop(columns=list(id_columns(spec)))
    scenario = load_scenario(spec.path, **batch_sets)
    return StoredRun(scenario, scenario.start, monthly.reset_index(drop=True), run_events(out, spec.run_id))
