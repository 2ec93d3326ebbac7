"""A model saved mid-run (pickled, or deep-copied to branch a what-if) runs on exactly as the original does."""

from __future__ import annotations

import copy
import pickle

import pandas as pd
import pytest

import sim


@pytest.mark.parametrize("how", ["pickle", "deepcopy"])
def test_a_saved_model_runs_on_as_the_original(how: str) -> None:
    model = sim.InsurgencyModel(sim.load_scenario("baseline", months=2), rng=5)  # daily collection on
    model.run_for(20)
    saved = pickle.loads(pickle.dumps(model)) if how == "pickle" else copy.deepcopy(model)
    assert saved is not model and saved.steps == model.steps == 20
    model.run()
    saved.run()
    pd.testing.assert_frame_equal(saved.monthly_frame(), model.monthly_frame())
    pd.testing.assert_frame_equal(saved.recorder.incident_frame(), model.recorder.incident_frame())
    pd.testing.assert_frame_equal(saved.daily_frame(), model.daily_frame())
    assert len(saved.daily_frame()) == model.n_days


def test_a_branch_takes_its_own_event() -> None:
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
