"""The batch's EMA export as EMA Workbench reads it: PRIM finds the scenario that drives an outcome.

EMA drops columns named ``scenario``, ``policy`` and ``model`` in PRIM, CART and feature scoring,
so the export names the scenario ``scenario_name`` (as :data:`sim.ema.SCENARIO_FACTOR` does).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.batch import batch
from sim.ema import RESERVED, SCENARIO_FACTOR

prim = pytest.importorskip("ema_workbench.analysis.prim")


@pytest.fixture(scope="module")
def withdrawal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """history vs us_withdrawal over the Coalition's departure on 1 January 2021 (3 months, 3 reps each)."""
    out = tmp_path_factory.mktemp("ema") / "batch"
    batch(["history", "us_withdrawal"], reps=3, seed=1, sets={"start": "2020-11-01", "months": 3}, out=out,
          workers=1)
    return out


def _box(x: pd.DataFrame, bad: np.ndarray) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        box = prim.Prim(x, bad, peel_alpha=0.1, paste_alpha=0.05, mass_min=0.05).find_box()
    return box.box_lims[-1]


def test_export_has_no_column_ema_drops(withdrawal: Path) -> None:
    experiments = pd.read_csv(withdrawal / "ema_experiments.csv")
    assert not set(RESERVED) & set(experiments.columns)
    assert SCENARIO_FACTOR in experiments.columns
    assert len(experiments) == len(pd.read_csv(withdrawal / "ema_outcomes.csv")) == 6


def test_prim_on_the_export_finds_the_withdrawal(withdrawal: Path) -> None:
    experiments = pd.read_csv(withdrawal / "ema_experiments.csv", dtype={SCENARIO_FACTOR: "category"})
    outcomes = pd.read_csv(withdrawal / "ema_outcomes.csv")
    # bad: the Coalition gone from most districts at the end of the run
    bad = (outcomes["coalition_present"] < 0.5).to_numpy()
    assert 0 < bad.sum() < len(bad)  # both cases occur, so a box has something to find
    limits = _box(experiments, bad)
    assert list(limits.columns) == [SCENARIO_FACTOR]
    assert limits[SCENARIO_FACTOR].iloc[0] == {"us_withdrawal"}
    # under EMA's reserved name the same column is dropped and the box is empty
    assert _box(experiments.rename(columns={SCENARIO_FACTOR: "scenario"}), bad).empty


def test_in_memory_export_is_ready_for_prim(withdrawal: Path) -> None:
    from sim.batch import load_results

    experiments, outcomes = load_results(withdrawal).ema
    assert isinstance(experiments[SCENARIO_FACTOR].dtype, pd.CategoricalDtype)
    bad = (outcomes["coalition_present"] < 0.5).to_numpy()
    assert _box(experiments, bad)[SCENARIO_FACTOR].iloc[0] == {"us_withdrawal"}
