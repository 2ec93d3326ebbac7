"""The calibration machinery's parts: config checks, priors, summaries, distance, seeds, draws."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim import cli
from sim.fitting.config import DEFAULT_CONFIG, load_config
from sim.fitting.history_matching import implausibility
from sim.fitting.posterior import draw, load_posterior
from sim.fitting.priors import build_priors, default_kind, latin_hypercube
from sim.fitting.simulate import Simulator, particle_seed
from sim.fitting.summaries import (
    CRASHED,
    SUMMARIES,
    distance,
    observed_record,
    simulated_summaries,
    summary_distance,
    usable_summaries,
)
from sim.observed import load_ric_annual, mapped_share


def test_prior_rule_log_uniform_only_for_wide_positive_ranges():
    assert default_kind(10, 1000) == "log-uniform"
    assert default_kind(1, 19) == "uniform"
    assert default_kind(0, 1000) == "uniform"


def test_default_config_priors_stay_inside_declared_ranges_and_narrowing_has_reasons():
    config = load_config()
    priors = build_priors(config)
    # at most 24 parameters, and at least 10 particles per fitted parameter (config header: a kernel
    # density of the particles needs a population that grows with the dimension)
    assert 8 <= len(priors) <= 24
    assert config.settings["population"] >= 10 * len(priors)
    for p in priors:
        assert p.declared_min <= p.low < p.high <= p.declared_max
        if (p.low, p.high) != (p.declared_min, p.declared_max):
            assert p.reason.strip()
    kinds = {p.name: p.kind for p in priors}
    assert kinds["sdf_unit_size"] == "log-uniform" and kinds["killing_prob"] == "uniform"


def test_latin_hypercube_fills_each_stratum_once():
    priors = build_priors(load_config())
    points = latin_hypercube(priors, 10, seed=1)
    lo, hi = priors[0].sample_bounds
    strata = sorted(int((pt[priors[0].key] - lo) / (hi - lo) * 10) for pt in points)
    assert strata == list(range(10))


def bad_config(case: str) -> str:
    base = DEFAULT_CONFIG.read_text()
    killing = "[parameters.killing_prob]\n"
    return {
        "unknown parameter": base + "\n[parameters.killing_probability]\n",
        "outside declared range": base.replace(killing, killing + "low = 0.1\nhigh = 1.5\nreason = 'x'\n"),
        "fact-backed parameter": base + "\n[parameters.is_fighters_total]\n",
        "narrowed without reason": base.replace(killing, killing + "low = 0.1\n"),
        "unknown summary": base.replace("[summaries]", "[summaries]\nattacks_2030 = 1.0"),
        # months: a 13th month passed a comparison of texts; a projection past what the scenario can
        # run was found only once the fit was done
        "month 13 as fit_end": base.replace("[calibration]", '[calibration]\nfit_end = "2019-13"'),
        "month 13 as projection_end": base.replace('projection_end = "2023-12"', 'projection_end = "2023-13"'),
        "projection before the fit's end": base.replace('projection_end = "2023-12"', 'projection_end = "2020-06"'),
        "projection too long to run": base.replace('projection_end = "2023-12"', 'projection_end = "2090-12"'),
    }[case]


BAD_KEYS = {
    "unknown parameter": "parameters.killing_probability",
    "outside declared range": "parameters.killing_prob.low/high",
    "fact-backed parameter": "parameters.is_fighters_total",
    "narrowed without reason": "parameters.killing_prob.reason",
    "unknown summary": "summaries.attacks_2030",
    "month 13 as fit_end": "calibration.fit_end",
    "month 13 as projection_end": "calibration.projection_end",
    "projection before the fit's end": "calibration.projection_end",
    "projection too long to run": "calibration.projection_end",
}


@pytest.mark.parametrize("case", BAD_KEYS)
def test_bad_config_exits_2_naming_file_and_key(case, tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text(bad_config(case))
    code = cli.main(["calibrate", "baseline", "--out", str(tmp_path / "out"), "--config", str(bad)])
    err = capsys.readouterr().err
    assert code == 2
    assert str(bad) in err and BAD_KEYS[case] in err
    assert not (tmp_path / "out").exists()


def test_unwritable_out_exits_2(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    code = cli.main(["calibrate", "baseline", "--out", str(blocker / "calib"), "--population", "2",
                     "--generations", "1", "--history-matching-runs", "0"])
    assert code == 2
    assert "--out" in capsys.readouterr().err


def test_observed_record_scales_nes_totals_to_the_mapped_governorates():
    record = observed_record()
    annual = load_ric_annual().set_index("year")["attacks"]
    assert record.values["attacks_2019"] == pytest.approx(float(annual[2019]) * mapped_share())
    assert record.values["decline_2021"] < 0  # the record falls from 2019 to 2021
    assert all(m <= "2021-12" for months in record.months.values() for m in months)


def test_an_earlier_fit_end_reads_nothing_after_it() -> None:
    full, to_2020, to_june = (observed_record(until=u) for u in (None, "2020-12", "2021-06"))
    assert math.isnan(to_2020.values["attacks_2021"]) and math.isnan(to_2020.values["decline_2021"])
    assert all(m <= "2020-12" for months in to_2020.months.values() for m in months)
    # 2019's total is a whole year before the cut: kept (the mapped share comes from January 2020 only)
    assert math.isfinite(to_2020.values["attacks_2019"]) and to_2020.values["raids_per_month"] != full.values[
        "raids_per_month"]
    # a cut in June 2021: the 2021 total would carry July-December, so it is not read; the months are
    assert math.isnan(to_june.values["attacks_2021"]) and math.isfinite(to_june.values["decline_2021"])
    assert all(m <= "2021-06" for months in to_june.months.values() for m in months)
    weights = {"attacks_2019": 2.0, "attacks_2021": 2.0, "decline_2021": 2.0}
    kept, dropped = usable_summaries(weights, {"ric_attacks"}, to_2020)
    assert kept == {"attacks_2019": 2.0} and set(dropped) == {"attacks_2021", "decline_2021"}
    assert "no value" in dropped["attacks_2021"]


def test_simulated_summaries_read_the_record_months():
    record = observed_record()
    dates = pd.date_range("2019-04-01", "2021-12-01", freq="MS")
    frame = pd.DataFrame({"date": dates.strftime("%Y-%m-%d"), "ric_attacks": 4, "ric_attacks_deir_ez_zor": 3,
                          "ric_attacks_raqqa": 1, "raids": 2, "arrests": 5})
    got = simulated_summaries(frame, record, ("attacks_2019", "attacks_2020", "attacks_2021", "decline_2021",
                                              "offensive_shift", "arrests_per_month"))
    assert got["attacks_2019"] == pytest.approx(4 * 12)  # Apr-Dec scaled to a year
    assert got["attacks_2020"] == pytest.approx(4 * len(record.months["attacks_2020"]))
    assert got["attacks_2021"] == pytest.approx(48)
    assert got["decline_2021"] == pytest.approx(0) and got["offensive_shift"] == pytest.approx(0)
    assert got["arrests_per_month"] == pytest.approx(5)


def test_distance_is_a_log_ratio_and_a_crash_is_infinite():
    small = summary_distance("attacks_2021", 2 * 11 - 1, 10)  # a 2x miss on (x+1)
    large = summary_distance("attacks_2019", 2 * 1001 - 1, 1000)
    assert small == pytest.approx(math.log(2)) and large == pytest.approx(math.log(2))
    assert summary_distance("deir_ez_zor_share", 0.5, 0.7) == pytest.approx(math.log(2))
    weights = {"attacks_2019": 2.0, "attacks_2021": 1.0}
    obs = {"attacks_2019": 1000.0, "attacks_2021": 10.0}
    assert distance({"attacks_2019": 1000.0, "attacks_2021": 10.0}, obs, weights) == 0
    assert distance({CRASHED: 1.0, "attacks_2019": math.nan, "attacks_2021": math.nan}, obs, weights) == math.inf
    assert set(SUMMARIES) >= set(weights)


def test_implausibility_rules_out_a_factor_ten_miss_but_not_a_factor_two():
    obs = {"attacks_2019": 900.0}
    assert implausibility({"attacks_2019": 450.0}, obs, ("attacks_2019",), math.log(2)) <= 3
    assert implausibility({"attacks_2019": 90.0}, obs, ("attacks_2019",), math.log(2)) > 3
    assert implausibility({CRASHED: 1.0}, obs, ("attacks_2019",), math.log(2)) == math.inf


def test_particle_seed_depends_on_root_seed_and_values_only():
    a = {"killing_prob": 0.1, "attack_prob": 0.2}
    assert particle_seed(1, a) == particle_seed(1, dict(reversed(list(a.items()))))
    assert particle_seed(1, a) != particle_seed(2, a)
    assert particle_seed(1, a) != particle_seed(1, {**a, "attack_prob": 0.2000001})


def test_a_crashing_run_is_counted_not_raised(tmp_path):
    priors = build_priors(load_config())
    log = tmp_path / "crashes.jsonl"
    simulator = Simulator("no_such_scenario", priors, observed_record(), ("attacks_2019",), 1, "2019-12",
                          crash_log=str(log))
    out = simulator({p.key: p.sample_bounds[0] for p in priors})
    assert out[CRASHED] == 1.0 and math.isnan(out["attacks_2019"])
    assert "no_such_scenario" in log.read_text()


def write_particles(folder: Path) -> None:
    folder.mkdir()
    pd.DataFrame({
        "generation": [1, 1, 2, 2, 2], "particle": [0, 1, 0, 1, 2], "weight": [0.5, 0.5, 0.0, 3.0, 1.0],
        "killing_prob": [0.9, 0.8, 0.1, 0.2, 0.3], "distance": [1.0, 1.0, 0.2, 0.2, 0.2],
    }).to_parquet(folder / "particles.parquet")


def test_draws_come_weighted_from_the_last_generation_and_repeat_with_the_seed(tmp_path):
    write_particles(tmp_path / "c")
    posterior = load_posterior(tmp_path / "c")
    assert posterior["weight"].sum() == pytest.approx(1.0) and set(posterior["generation"]) == {2}
    draws = draw(tmp_path / "c", 400, rng=3)
    assert list(draws.columns) == ["killing_prob", "draw_id"]
    assert set(draws["draw_id"]) == {1, 2}  # particle 0 has weight 0
    assert 0.65 < (draws["draw_id"] == 1).mean() < 0.85  # weight 3/4
    pd.testing.assert_frame_equal(draws, draw(tmp_path / "c", 400, rng=3))
    assert np.all(draws["killing_prob"].isin([0.2, 0.3]))


def test_draw_from_a_folder_without_calibration_is_an_input_error(tmp_path):
    from sim.errors import InputError

    with pytest.raises(InputError, match=r"particles\.parquet"):
        draw(tmp_path, 3)


def test_a_folder_refuses_to_continue_a_calibration_with_another_config(tmp_path):
    from sim.errors import InputError
    from sim.fitting.abc import prepare

    config = load_config().with_settings(scenario="baseline", history_matching_runs=0)
    prepare(config, tmp_path / "out", workers=1, say=lambda _: None)
    prepare(config.with_settings(population=5, generations=2), tmp_path / "out", workers=1, say=lambda _: None)
    with pytest.raises(InputError, match=r"--out.*settings"):
        prepare(config.with_settings(root_seed=99), tmp_path / "out", workers=1, say=lambda _: None)


def test_weighted_quantile_follows_the_weights():
    from sim.fitting.report import weighted_quantile

    values = np.array([1.0, 2.0, 3.0, 4.0])
    assert weighted_quantile(values, np.ones(4), 0.5) == 2.0
    assert weighted_quantile(values, np.array([0.0, 0.0, 0.0, 1.0]), 0.05) == 4.0
    assert weighted_quantile(values, np.array([1.0, 0.0, 0.0, 1.0]), 0.4) == 1.0


def _two_parameter_posterior(weights: np.ndarray) -> tuple[object, pd.DataFrame]:
    """400 particles: ``wide`` spread over its whole prior, ``narrow`` over a tenth of it."""
    from types import SimpleNamespace

    from sim.fitting.priors import Prior

    priors = [Prior(name, "uniform", 0.0, 1.0, 0.0, 1.0, 0.5, False) for name in ("wide", "narrow")]
    rng = np.random.default_rng(3)
    posterior = pd.DataFrame({"wide": rng.uniform(0, 1, 400), "narrow": rng.uniform(0.45, 0.55, 400),
                              "weight": weights})
    return SimpleNamespace(priors=priors), posterior


def test_the_constraint_verdict_follows_the_width_and_its_bootstrap_band():
    from sim.fitting.report import constraint_table

    calib, posterior = _two_parameter_posterior(np.full(400, 1 / 400))
    table = constraint_table(calib, posterior).set_index("parameter")
    assert table.loc["wide", "constrained"] == "no"
    assert table.loc["narrow", "constrained"] == "yes"
    for row in table.itertuples():
        assert row.width_band_low <= row.width_ratio <= row.width_band_high


def test_one_heavy_particle_makes_a_wide_parameter_unclear_not_constrained():
    """Weight degeneracy shrinks the weighted interval to a point; the band must not read that as identification."""
    from sim.fitting.report import constraint_table

    weights = np.full(400, 0.01 / 399)
    weights[7] = 0.99
    calib, posterior = _two_parameter_posterior(weights)
    table = constraint_table(calib, posterior).set_index("parameter")
    assert table.loc["wide", "width_ratio"] < 0.5  # the point estimate alone would say constrained
    assert table.loc["wide", "constrained"] == "unclear"


def test_a_posterior_predictive_run_holds_every_column_the_summaries_read():
    """The report scores the predictive runs with every summary (it once crashed on a missing column)."""
    from types import SimpleNamespace

    from sim.fitting.report import PredictiveRun

    priors = build_priors(load_config())
    simulator = Simulator("history", priors, observed_record(), tuple(SUMMARIES), 1, "2019-06")
    calib = SimpleNamespace(simulator=simulator, config=SimpleNamespace(settings={"projection_end": "2019-06"}))
    values = {p.name: p.default for p in priors}  # model scale, as in particles.parquet
    frame = PredictiveRun(calib)((1, values))
    assert frame is not None
    assert {s.needs for s in SUMMARIES.values()} <= set(frame.columns)  # a short run leaves some summaries NaN
    scored = simulated_summaries(frame, observed_record(), tuple(SUMMARIES))
    assert set(scored) == set(SUMMARIES)


def test_effective_sample_size_is_n_for_equal_weights_and_one_for_a_single_particle():
    from sim.fitting.report_text import effective_sample_size

    assert effective_sample_size(pd.Series([0.25] * 4)) == pytest.approx(4)
    assert effective_sample_size(pd.Series([1.0, 0.0, 0.0])) == pytest.approx(1)
    assert effective_sample_size(pd.Series([2.0, 2.0])) == pytest.approx(2)  # unnormalised weights too


def test_normal_scores_map_the_prior_onto_a_standard_normal_and_back():
    from scipy.stats import kstest

    priors = {p.name: p for p in build_priors(load_config())}
    for name in ("killing_prob", "detection_base"):  # a uniform and a log-uniform prior
        p = priors[name]
        lo, hi = p.sample_bounds
        assert p.from_score(0.0) == pytest.approx((lo + hi) / 2)
        assert p.to_score(p.from_score(1.3)) == pytest.approx(1.3)
        z = np.random.default_rng(5).standard_normal(2000)
        sampled = np.array([p.from_score(v) for v in z])  # standard normal scores give the prior
        assert kstest((sampled - lo) / (hi - lo), "uniform").pvalue > 0.001


def test_a_pattern_summary_is_zero_inside_its_band_and_a_log_ratio_outside():
    from sim.fitting.summaries import UNDEFINED_PATTERN, band
    from sim.validation.facts import FACTS

    fact = next(f for f in FACTS if f.id == "F7a_patience")
    assert band("killings_to_attacks") == (fact.threshold, math.inf)
    low = fact.threshold
    assert summary_distance("killings_to_attacks", low * 3, 0.0) == 0
    assert summary_distance("killings_to_attacks", low / 2, 0.0) == pytest.approx(math.log(2))
    assert summary_distance("killings_to_attacks", math.nan, 0.0) == UNDEFINED_PATTERN
    hi = band("strength_2022")[1]
    assert summary_distance("strength_2022", hi * 4, 0.0) == pytest.approx(math.log(4))


def test_pattern_summaries_read_the_monthly_table_up_to_the_fit_end():
    record = observed_record()
    dates = pd.date_range("2019-04-01", "2023-12-01", freq="MS")
    n = len(dates)
    fit = dates <= pd.Timestamp("2021-12-01")
    frame = pd.DataFrame({
        "date": dates.strftime("%Y-%m-%d"), "ric_attacks": 10, "ric_attacks_deir_ez_zor": 6, "ric_attacks_raqqa": 3,
        "raids": 2, "arrests": 5, "killings": np.where(fit, 9, 0), "attacks": 3, "checkpoints": 1,
        "zakat_demands": 2, "members_arrested": 1, "influence_east_strip": 0.3, "influence_karama_raqqa": 0.05,
        "influence_hasaka": np.where(fit, 0.1, 0.9), "is_fighters": np.where(fit, 300, 0), "region_share_of_is": 0.3,
    })
    assert len(frame) == n
    got = simulated_summaries(frame, record, ("raqqa_share", "killings_to_attacks", "east_influence_ratio",
                                              "strength_2022", "operations_rebound"))
    assert got["raqqa_share"] == pytest.approx(0.3)
    assert got["killings_to_attacks"] == pytest.approx(3.0)  # 2022-2023's rows are not read
    assert got["east_influence_ratio"] == pytest.approx(3.0)
    assert got["strength_2022"] == pytest.approx(1000.0)
    assert got["operations_rebound"] == pytest.approx(1.0)  # flat operations: back to the same level


def test_the_ledger_sums_every_call_wall_and_core_time(tmp_path):
    from sim.fitting.ledger import load_calls, record_call, totals

    record_call(tmp_path, {"wall_seconds": 100.0, "workers": 2, "outcome": "interrupted"})
    record_call(tmp_path, {"wall_seconds": 50.0, "workers": 1, "outcome": "finished"})
    with open(tmp_path / "calls.jsonl", "a") as ledger:
        ledger.write('{"wall_seconds": 7')  # a line cut short is skipped
    total = totals(load_calls(tmp_path))
    assert total["calls"] == 2 and total["wall_seconds"] == 150.0 and total["core_seconds"] == 250.0
    assert total["workers"] == [1, 2] and total["outcomes"] == ["interrupted", "finished"]


def test_the_manifest_sums_every_call_of_the_folder_with_this_one(tmp_path):
    from types import SimpleNamespace

    from sim.fitting.ledger import record_call
    from sim.fitting.report import whole_calibration

    record_call(tmp_path, {"wall_seconds": 600.0, "workers": 2, "outcome": "interrupted"})
    record_call(tmp_path, {"wall_seconds": 300.0, "workers": 2, "outcome": "finished"})
    calib = SimpleNamespace(out=tmp_path, workers=1, dask=None, generations=[{"seconds": 5.0}, {"seconds": 7.0}])
    info = whole_calibration(calib, "2026-12-01T12:00:00+00:00", 60.0)
    assert [c["wall_seconds"] for c in info["calls"]] == [600.0, 300.0, 60.0]
    assert info["total"]["wall_seconds"] == 960.0 and info["total"]["core_seconds"] == 1860.0
    assert info["abc_seconds"] == 12.0


def _ctrl_c_behind_a_library_error() -> None:
    """A Ctrl-C that a library's clean-up turned into another error (as np.savez does), chained to it."""
    try:
        raise KeyboardInterrupt
    except KeyboardInterrupt:
        raise ValueError("Can't close the ZIP file while there is an open writing handle on it.")  # noqa: B904


@pytest.mark.parametrize("disguised", [False, True], ids=["plain", "disguised"])
def test_an_interrupted_calibration_call_is_recorded_in_the_ledger(tmp_path, monkeypatch, disguised):
    import sim.fitting.abc
    from sim.fitting.ledger import load_calls

    def interrupt(calib, say=print):
        if disguised:
            _ctrl_c_behind_a_library_error()
        raise KeyboardInterrupt

    monkeypatch.setattr(sim.fitting.abc, "run_abc", interrupt)
    code = cli.main(["calibrate", "baseline", "--out", str(tmp_path / "out"), "--population", "2",
                     "--generations", "1", "--history-matching-runs", "0", "--workers", "1"])
    assert code == 130
    calls = load_calls(tmp_path / "out")
    assert [c["outcome"] for c in calls] == ["interrupted"] and calls[0]["workers"] == 1
    assert calls[0]["wall_seconds"] > 0
