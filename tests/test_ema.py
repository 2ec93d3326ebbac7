"""sim.ema: the model as an EMA Workbench ReplicatorModel, run by EMA's own evaluators."""

from __future__ import annotations

import numpy as np
import pytest

ema = pytest.importorskip("ema_workbench")

from sim.batch import replication_seed  # noqa: E402
from sim.ema import RESERVED, SCENARIO_FACTOR, outcome_descriptions, replicator_model  # noqa: E402
from sim.errors import InputError  # noqa: E402
from sim.sources import load_parameter_specs  # noqa: E402

PARAMETERS = ["recruitment_rate", "detection_base", "night_range_cells"]
OUTCOMES = ["total_killings", "is_fighters", "influence_east_strip"]


def _model():
    return replicator_model(PARAMETERS, OUTCOMES, scenarios=["baseline", "us_withdrawal"], months=2,
                            replications=2, seed=5)


def _check(experiments, outcomes, model) -> None:
    assert len(experiments) == 2
    for name in OUTCOMES:
        assert outcomes[name].shape == (2, 2)  # experiments x replications
        assert np.isfinite(outcomes[name]).all()
    specs = load_parameter_specs()
    for name in PARAMETERS:
        assert experiments[name].between(specs[name].minimum, specs[name].maximum).all()
    assert set(experiments[SCENARIO_FACTOR]) <= {"baseline", "us_withdrawal"}
    # replication k of an experiment is the run with the batch's seed k: rerun one directly
    row = experiments.iloc[1]
    values = {n: row[n] for n in (*PARAMETERS, SCENARIO_FACTOR)}
    again = model.function(seed=replication_seed(5, 1), **values)
    for name in OUTCOMES:
        assert again[name] == pytest.approx(outcomes[name][1, 1])


def test_sequential_evaluator_runs_two_scenarios_by_two_replications() -> None:
    model = _model()
    with ema.SequentialEvaluator(model) as evaluator:
        experiments, outcomes = ema.perform_experiments(model, 2, evaluator=evaluator)
    _check(experiments, outcomes, model)


def test_multiprocessing_evaluator_runs_the_same_model() -> None:
    model = _model()
    with ema.MultiprocessingEvaluator(model, n_processes=2) as evaluator:
        experiments, outcomes = ema.perform_experiments(model, 2, evaluator=evaluator)
    _check(experiments, outcomes, model)


def test_names_never_collide_with_ema_columns_and_bad_input_is_named() -> None:
    assert not set(RESERVED) & set(outcome_descriptions())
    assert SCENARIO_FACTOR not in RESERVED
    model = replicator_model(["killing_prob"], scenarios=["us_withdrawal"])
    assert model.function.scenario == "us_withdrawal"
    names = [u.name for u in model.uncertainties] + [o.name for o in model.outcomes]
    assert not set(RESERVED) & set(names)
    assert "total_killings" in names and "killings" not in names  # counts are run totals
    with pytest.raises(InputError, match="recruitment_rate"):
        replicator_model(["recruitment_rat"])
    with pytest.raises(InputError, match="reserves"):
        replicator_model(["scenario"])
    with pytest.raises(InputError, match="unknown outcome"):
        replicator_model(PARAMETERS, ["killings_total"])
    with pytest.raises(InputError, match="no such scenario"):
        replicator_model(PARAMETERS, scenarios=["baseline", "us_withdrawl"])
