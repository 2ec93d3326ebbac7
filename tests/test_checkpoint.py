"""A model saved mid-run (pickled, or deep-copied to branch a what-if) runs on exactly as the original does,
and a saved model can be saved again."""

from __future__ import annotations

import copy
import pickle
from collections.abc import Callable

import pandas as pd
import pytest

import sim
from sim.compiled import KERNELS


def _pickled(model: sim.InsurgencyModel) -> sim.InsurgencyModel:
    return pickle.loads(pickle.dumps(model))


SAVES: dict[str, Callable[[sim.InsurgencyModel], sim.InsurgencyModel]] = {
    "pickle": _pickled,
    "deepcopy": copy.deepcopy,
    "pickle of a copy": lambda m: _pickled(copy.deepcopy(m)),
    "pickle of a pickle": lambda m: _pickled(_pickled(m)),
}


def _tables(model: sim.InsurgencyModel) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    return model.monthly_frame(), model.recorder.incident_frame(), model.daily_frame()


@pytest.mark.parametrize("how", list(SAVES))
def test_a_saved_model_runs_on_as_the_original(how: str) -> None:
    """The saved model and the original, stepped in turn, both end with the tables of a twin never copied."""
    scenario = sim.load_scenario("baseline", months=2)
    model, untouched = (sim.InsurgencyModel(scenario, rng=5) for _ in "ab")  # daily collection on
    model.run_for(20)
    saved = SAVES[how](model)
    assert saved is not model and saved.steps == model.steps == 20
    assert all(cell.holder == model.grid[cell.coordinate].holder for cell in saved.grid.all_cells)  # every layer
    while model.running or saved.running:  # in turn, so that neither can lean on the other's state
        model.step()
        saved.step()
    untouched.run()
    for got, original, want in zip(_tables(saved), _tables(model), _tables(untouched), strict=True):
        pd.testing.assert_frame_equal(original, want)
        pd.testing.assert_frame_equal(got, want)
    assert len(saved.daily_frame()) == model.n_days


def test_a_branch_takes_its_own_parameter_change() -> None:
    """A copy branched mid-run can be given a what-if the original never sees."""
    model = sim.InsurgencyModel(sim.load_scenario("baseline", months=2), rng=6, collect_daily=False)
    model.run_for(20)
    branch = copy.deepcopy(model)
    branch.p.attack_prob = 0.0  # no more attacks in the branch from day 20
    model.run()
    branch.run()
    attacks = model.monthly_frame()["attacks"].tolist()
    branched = branch.monthly_frame()["attacks"].tolist()
    assert branched[1] == 0 and attacks[1] > 0  # the second month: none in the branch, some in the original
    assert model.p.attack_prob > 0


@pytest.mark.parametrize("how", ["pickle", "deepcopy"])
def test_a_saved_model_runs_on_the_kernels_its_original_loaded(how: str) -> None:
    """numba types a read-only array apart from a writable one, and copies of arrays are writable: a saved
    model's read-only arrays must be read-only again, or its kernels compile anew for it (minutes on a fresh
    cache). The saved model and the original take the same path (test above), so any new signature is a type."""
    model = sim.InsurgencyModel(sim.load_scenario("baseline", months=2), rng=4, collect_daily=False)
    model.run_for(10)
    saved = SAVES[how](model)
    model.run_for(40)
    signatures = {kernel: len(kernel.signatures) for kernel in KERNELS}
    saved.run_for(40)
    assert saved.steps == model.steps == 50
    assert [kernel.__name__ for kernel in KERNELS if len(kernel.signatures) != signatures[kernel]] == []
