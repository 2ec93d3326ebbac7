"""Scenarios over a calibration's posterior: batch draws, compare's robustness flag, hindcast.

The posterior is synthetic (written here in the format ``sim.fitting.posterior.load_posterior``
reads); runs are two months long, so the whole file stays fast.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from sim import cli
from sim.analysis import ROBUST_AGREEMENT, compare, format_compare
from sim.batch import batch, build_model, plan
from sim.batch.store import sha256

SCENARIOS = ["baseline", "us_withdrawal"]
SHORT = ["--set", "months=2"]
N_PARTICLES = 200  # distinct values: three draws rarely repeat one (and the test says which seed it uses)


def write_posterior(folder: Path, killing_prob: np.ndarray | None = None) -> Path:
    """A two-generation particles table; the last generation has distinct values and one zero weight."""
    folder.mkdir(parents=True, exist_ok=True)
    n = N_PARTICLES
    last = pd.DataFrame({
        "generation": 2, "particle": np.arange(n), "weight": np.r_[0.0, np.ones(n - 1)],
        "killing_prob": np.linspace(0.05, 0.30, n) if killing_prob is None else killing_prob,
        "sdf_unit_size": np.arange(60, 60 + n), "distance": 0.2,
    })
    first = last.assign(generation=1, killing_prob=0.9, sdf_unit_size=500, distance=1.0)
    pd.concat([first, last], ignore_index=True).to_parquet(folder / "particles.parquet")
    return folder


def batch_args(calib: Path, out: Path, *extra: str) -> list[str]:
    return ["batch", *SCENARIOS, "--posterior", str(calib), "--draws", "3", *SHORT, "--seed", "5",
            "--out", str(out), "--no-plots", "--quiet", "--workers", "1", *extra]


@pytest.fixture(scope="module")
def over_posterior(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(calibration folder, results folder) of a CLI batch: 2 scenarios x 3 draws, 2 months."""
    root = tmp_path_factory.mktemp("posterior")
    calib = write_posterior(root / "calib" / "synthetic")
    out = root / "results"
    assert cli.main(batch_args(calib, out)) == 0
    return calib, out


def test_each_replicate_runs_one_draw_shared_by_every_scenario(over_posterior: tuple[Path, Path]) -> None:
    calib, out = over_posterior
    runs = pd.read_parquet(out / "runs.parquet")
    manifest = json.loads((out / "manifest.json").read_text())
    assert len(runs) == 6 and (runs["status"] == "ok").all()
    assert {"draw_id", "draw_killing_prob", "draw_sdf_unit_size"} <= set(runs.columns)
    # the same draw (and seed) for every scenario of a replicate
    per_rep = runs.groupby("rep")[["draw_id", "draw_killing_prob", "draw_sdf_unit_size", "seed"]].nunique()
    assert (per_rep == 1).all().all()
    # different draws across replicates (root seed 5, 200 distinct particles)
    assert runs.groupby("rep")["draw_id"].first().nunique() == 3
    assert not (runs["draw_id"] == 0).any()  # particle 0 has weight 0
    # each drawn value is the particle's value in the last generation
    particles = pd.read_parquet(calib / "particles.parquet").query("generation == 2").set_index("particle")
    np.testing.assert_allclose(runs["draw_killing_prob"], particles.loc[runs["draw_id"], "killing_prob"])
    # the manifest records the folder, the particles file's sha256 and each replicate's draw
    posterior = manifest["posterior"]
    assert posterior["folder"] == str(calib) and posterior["sha256"] == sha256(calib / "particles.parquet")
    assert [d["draw_id"] for d in posterior["draws"]] == list(runs.groupby("rep")["draw_id"].first())
    assert all(r["draw_id"] == posterior["draws"][r["rep"]]["draw_id"] for r in manifest["runs"])


def test_a_draw_is_applied_like_a_set_value(over_posterior: tuple[Path, Path]) -> None:
    calib, _ = over_posterior
    specs = plan(SCENARIOS, None, seed=5, sets={"months": 2}, posterior=calib, draws=3)
    for spec in (specs[0], specs[-1]):
        model = build_model(spec)
        assert model.p.killing_prob == spec.draw["killing_prob"]
        assert model.p.sdf_unit_size == spec.draw["sdf_unit_size"]


def test_a_calibrations_fixed_values_go_with_every_draw(tmp_path: Path) -> None:
    """A posterior fitted with a value held fixed ([fixed] of its config, in its manifest) runs with that value."""
    calib = write_posterior(tmp_path / "calib" / "fixed")
    (calib / "manifest.json").write_text(json.dumps({"fixed": {"karama_bargain_holds_raqqa": True}}))
    specs = plan(SCENARIOS, None, seed=5, sets={"months": 2}, posterior=calib, draws=2)
    assert all(spec.draw["karama_bargain_holds_raqqa"] is True for spec in specs)
    assert build_model(specs[0]).p.karama_bargain_holds_raqqa
    # a folder without a manifest held nothing fixed: the parameter keeps its default
    (calib / "manifest.json").unlink()
    spec = plan(SCENARIOS, None, seed=5, sets={"months": 2}, posterior=calib, draws=1)[0]
    assert "karama_bargain_holds_raqqa" not in spec.draw and not build_model(spec).p.karama_bargain_holds_raqqa


def test_the_same_root_seed_gives_the_same_draws_and_runs(over_posterior: tuple[Path, Path]) -> None:
    calib, out = over_posterior
    again = batch(SCENARIOS, seed=5, sets={"months": 2}, posterior=calib, draws=3, workers=1)
    first = pd.read_parquet(out / "runs.parquet")
    columns = ["run_id", "draw_id", "draw_killing_prob", "draw_sdf_unit_size", "total_killings", "is_fighters"]
    pd.testing.assert_frame_equal(again.runs[columns], first[columns])
    other = plan(SCENARIOS, None, seed=6, sets={"months": 2}, posterior=calib, draws=3)
    assert [s.draw_id for s in other[:3]] != list(first["draw_id"][:3])


def test_ema_export_holds_the_drawn_values_but_no_ids(over_posterior: tuple[Path, Path]) -> None:
    _, out = over_posterior
    experiments = pd.read_csv(out / "ema_experiments.csv")
    assert {"draw_killing_prob", "draw_sdf_unit_size"} <= set(experiments.columns)
    assert not {"draw_id", "run_id", "seed", "policy", "model"} & set(experiments.columns)


def test_resume_accepts_the_same_posterior_and_refuses_a_changed_one(over_posterior: tuple[Path, Path],
                                                                    tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    calib, out = over_posterior
    shutil.copytree(calib, tmp_path / "calib")
    shutil.copytree(out, tmp_path / "results")
    assert cli.main(batch_args(tmp_path / "calib", tmp_path / "results", "--resume")) == 0
    assert "6 already done" in capsys.readouterr().out
    write_posterior(tmp_path / "calib", killing_prob=np.linspace(0.06, 0.31, N_PARTICLES))
    assert cli.main(batch_args(tmp_path / "calib", tmp_path / "results", "--resume")) == 2
    err = capsys.readouterr().err
    assert "particles file" in err and "changed" in err


@pytest.mark.parametrize(("case", "extra", "message"), [
    ("missing folder", [], "no such folder"),
    ("not a calibration", [], "particles.parquet"),
    ("reps disagree", ["--reps", "2"], "--reps 2 disagrees with --draws 3"),
    ("drawn and set", ["--set", "killing_prob=0.1"], "killing_prob: is drawn from the posterior and also in --set"),
    ("drawn and swept",
     ["--sweep", "sdf_unit_size=50,80"], "sdf_unit_size: is drawn from the posterior and also in --sweep"),
    ("not a parameter", [], "no_such_parameter"),
    ("refused value", [], "killing_prob"),
    ("unreadable manifest", [], "not a readable manifest"),
    ("fixed value not a parameter", [], "no_such_fixed"),
])
def test_bad_posterior_input_exits_2_naming_file_and_key(case: str, extra: list[str], message: str, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    calib = tmp_path / "calib"
    if case == "not a calibration":
        calib.mkdir()
        (calib / "config.toml").write_text("")
    elif case == "not a parameter":
        write_posterior(calib)
        table = pd.read_parquet(calib / "particles.parquet").assign(no_such_parameter=1.0)
        table.to_parquet(calib / "particles.parquet")
    elif case == "refused value":
        write_posterior(calib, killing_prob=np.full(N_PARTICLES, 1.5))  # a probability above 1
    elif case != "missing folder":
        write_posterior(calib)
    if case == "unreadable manifest":
        (calib / "manifest.json").write_text("{not json")
    elif case == "fixed value not a parameter":
        (calib / "manifest.json").write_text(json.dumps({"fixed": {"no_such_fixed": 1}}))
    out = tmp_path / "never"
    assert cli.main(batch_args(calib, out, *extra)) == 2
    err = capsys.readouterr().err
    assert message in err
    if case in ("unreadable manifest", "fixed value not a parameter"):
        assert str(calib / "manifest.json") in err
    elif case not in ("missing folder", "reps disagree"):
        assert str(calib / "particles.parquet") in err
    if case == "missing folder":
        assert str(calib) in err
    assert not out.exists()


@pytest.mark.parametrize(("args", "message"), [
    (["--draws", "3"], "draws need a posterior"),
    ([], "--reps N"),
])
def test_replication_count_is_required_once(args: list[str], message: str, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "never"
    assert cli.main(["batch", "baseline", *args, *SHORT, "--out", str(out), "--no-plots", "--quiet"]) == 2
    assert message in capsys.readouterr().err and not out.exists()


# ---------------------------------------------------------------------------------------- compare
def constructed_results(worse: dict[str, list[bool]], posterior: bool) -> SimpleNamespace:
    """Two scenarios, one month, 5 replicates; scenario ``b`` is worse than ``a`` where ``worse`` says."""
    reps = len(next(iter(worse.values())))
    rows, runs = [], []
    for scenario in ("a", "b"):
        for rep in range(reps):
            row = {"run_id": f"{scenario}-r{rep}", "scenario": scenario, "rep": rep, "seed": rep, "month": 0,
                   "date": "2019-04-01"}
            for outcome, flags in worse.items():
                base = 10.0 + rep
                # higher is worse for these outcomes, lower for mean_trust
                sign = -1 if outcome == "mean_trust" else 1
                row[outcome] = base + (sign if scenario == "b" and flags[rep] else -sign if scenario == "b" else 0)
            rows.append(row)
            runs.append({"run_id": row["run_id"], "scenario": scenario, "rep": rep, "status": "ok",
                         **({"draw_id": rep} if posterior else {})})
    manifest = {"posterior": {"folder": "calib/x"}} if posterior else {}
    return SimpleNamespace(runs=pd.DataFrame(runs), monthly=pd.DataFrame(rows), manifest=manifest)


WORSE = {
    "attacks": [True, True, True, False, False],      # 60% of draws worse: not robust
    "killings": [True] * 5,                           # always worse: robust
    "mean_trust": [True, False, False, False, False],  # 20% worse: at the boundary, robust (80% agree)
}


def test_compare_flags_a_sign_that_is_not_robust_across_the_posterior() -> None:
    assert ROBUST_AGREEMENT == 0.8
    table = compare(constructed_results(WORSE, posterior=True), ["attacks", "killings", "mean_trust"], "a")
    b = table[table["variant"] == "b"].set_index("outcome")
    assert b.loc["attacks", "worse_share"] == pytest.approx(0.6) and b.loc["attacks", "sign_robust"] is False
    assert b.loc["killings", "sign_robust"] is True and b.loc["mean_trust", "sign_robust"] is True
    assert table.loc[table["variant"] == "a", "sign_robust"].isna().all()
    text = format_compare(table)
    assert "between 20% and 80%" in text  # the rule is stated
    flagged = [line for line in text.splitlines() if "sign not robust across the posterior" in line]
    assert flagged == [line for line in text.splitlines() if line.strip().startswith("b") and "worse  60%" in line]
    assert "(60% of draws worse)" in flagged[0]


def test_compare_without_a_posterior_does_not_speak_of_one() -> None:
    table = compare(constructed_results(WORSE, posterior=False), ["attacks"], "a")
    assert "sign_robust" not in table.columns
    assert "posterior" not in format_compare(table)


# ---------------------------------------------------------------------------------------- hindcast
def test_hindcast_over_the_posterior_gives_the_same_json_with_the_folder_in_meta(
        over_posterior: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    calib, _ = over_posterior
    common = ["hindcast", "history", "--set", "months=3", "--workers", "1", "--quiet"]
    assert cli.main([*common, "--reps", "2", "--out", str(tmp_path / "plain")]) == 0
    assert cli.main([*common, "--posterior", str(calib), "--draws", "2", "--out", str(tmp_path / "post")]) == 0
    capsys.readouterr()
    plain = json.loads((tmp_path / "plain" / "hindcast.json").read_text())
    post = json.loads((tmp_path / "post" / "hindcast.json").read_text())
    assert set(post) == set(plain) and set(post["years"]) == set(plain["years"])
    assert set(post["meta"]) - set(plain["meta"]) == {"posterior", "posterior_sha256", "draw_ids"}
    assert post["meta"]["posterior"] == str(calib) and post["meta"]["n_runs"] == 2
    assert post["meta"]["posterior_sha256"] == sha256(calib / "particles.parquet")
