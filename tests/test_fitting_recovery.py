"""Trust the machinery: ABC-SMC recovers parameter values that generated the data (issue 16).

Data are made by the model at known values of two parameters that act on different summaries
(killing_prob on the level of attacks, detection_base on arrests), on a short run (April to
December 2019), then calibrated at a tiny size. The known values must lie inside the posterior's
90% interval, and the SMC must tighten epsilon. Thresholds are the method's own (90%), fixed
before any run. One worker (pyabc's single-core sampler), so the test is deterministic: with
parallel samplers the particles differ from run to run and a 90% interval misses the truth in
about one run in ten by design.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("pyabc")

from sim.fitting.abc import prepare, run_abc
from sim.fitting.config import load_config
from sim.fitting.posterior import load_posterior
from sim.fitting.report import constraint_table, particles_table
from sim.fitting.simulate import synthetic_record
from sim.fitting.summaries import ObservedRecord

TRUTH = {"killing_prob": 0.25, "detection_base": 0.04}  # detection_base: raids a day on a village
MONTHS_2019 = tuple(f"2019-{m:02d}" for m in range(4, 13))

CONFIG = """
[calibration]
scenario = "baseline"
population = 24
generations = 3
root_seed = 7
history_matching_runs = 0
posterior_predictive_runs = 0
fit_end = "2019-12"

[summaries]
attacks_2019 = 1.0
arrests_per_month = 1.0

[parameters.killing_prob]
low = 0.02
high = 0.6
reason = "recovery test: a range around the truth that keeps runs short"

[parameters.detection_base]
prior = "log-uniform"
low = 0.004
high = 0.17
reason = "recovery test: within the default config's range, around the truth"
"""


@pytest.mark.slow
def test_abc_recovers_known_values(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(CONFIG)
    config = load_config(path)
    template = ObservedRecord({"attacks_2019": 0.0, "arrests_per_month": 0.0},
                              {"attacks_2019": MONTHS_2019, "arrests_per_month": MONTHS_2019}, 1.0)
    calib = prepare(config, tmp_path / "out", workers=1, record=template, say=lambda _: None)
    calib.record = calib.simulator.record = synthetic_record(calib.simulator, TRUTH, seed=12345)
    run_abc(calib, say=lambda _: None)

    assert [g["generation"] for g in calib.generations] == [1, 2, 3]
    assert calib.generations[-1]["epsilon"] < calib.generations[0]["epsilon"]
    particles = particles_table(calib)
    particles.to_parquet(tmp_path / "out" / "particles.parquet")
    posterior = load_posterior(tmp_path / "out")
    assert np.isclose(posterior["weight"].sum(), 1.0)
    table = constraint_table(calib, posterior).set_index("parameter")
    for name, value in TRUTH.items():
        assert table.loc[name, "p05"] <= value <= table.loc[name, "p95"], table.loc[name]


def test_one_worker_calibration_repeats_exactly(tmp_path):
    text = CONFIG.replace("population = 24", "population = 4").replace("generations = 3", "generations = 2")
    text = text.replace('fit_end = "2019-12"', 'fit_end = "2019-06"')
    path = tmp_path / "config.toml"
    path.write_text(text)
    months = ("2019-04", "2019-05", "2019-06")
    template = ObservedRecord({"attacks_2019": 0.0, "arrests_per_month": 0.0},
                              {"attacks_2019": months, "arrests_per_month": months}, 1.0)
    tables = []
    for name in ("a", "b"):
        calib = prepare(load_config(path), tmp_path / name, workers=1, record=template, say=lambda _: None)
        calib.record = calib.simulator.record = synthetic_record(calib.simulator, TRUTH, seed=1)
        run_abc(calib, say=lambda _: None)
        tables.append(particles_table(calib))
    assert len(tables[0]) == 8
    pd.testing.assert_frame_equal(tables[0], tables[1])
