"""What one run of a batch produced, and the columns that name it: shared by the engine and its executors."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.batch.columns import RunTable
from sim.batch.plan import RunSpec
from sim.batch.posterior import draw_columns

#: the status of a run whose worker process died (not stored: resume runs it again)
LOST = "lost"


@dataclass
class RunResult:
    """What one run produced (picklable, so it travels back from a worker process).

    Its tables travel as plain columns (:mod:`sim.batch.columns`); ``tables`` makes them DataFrames.
    """

    spec: RunSpec
    ok: bool
    summary: dict[str, Any]
    columns: dict[str, RunTable]
    events: list[dict[str, Any]]
    wall_time: float
    error: str | None = None
    arrays: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)  # a probe's, by file stem

    @property
    def run_id(self) -> str:
        """The run's id."""
        return self.spec.run_id

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """The run's tables (``monthly``, ``villages``, ``incidents``), its ids first; none if it failed."""
        ids = id_columns(self.spec)
        return {stem: table.frame_with(ids) for stem, table in self.columns.items()}

    @property
    def monthly(self) -> pd.DataFrame | None:
        """The run's monthly table (None if it failed)."""
        table = self.columns.get("monthly")
        return None if table is None else table.frame_with(id_columns(self.spec))


def id_columns(spec: RunSpec) -> dict[str, Any]:
    """The columns that name a run in every table."""
    return {"run_id": spec.run_id, "scenario": spec.scenario, **spec.sweep, "rep": spec.rep, "seed": spec.seed}


def summary_ids(spec: RunSpec) -> dict[str, Any]:
    """The columns that name a run in the runs table: its ids and, over a posterior, its draw."""
    return {**id_columns(spec), **draw_columns(spec.draw_id, spec.draw)}


def plain(value: Any) -> Any:
    """numpy scalars and dates as plain JSON values."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
