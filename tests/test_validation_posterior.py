"""``insim validate --posterior CALIB_DIR --draws K``: the stylised facts over a calibrated posterior.

The posterior is synthetic (the format ``sim.fitting.posterior.load_posterior`` reads, with a
``manifest.json`` that says which summaries the calibration fitted and holds a switch fixed), so the
tests do not depend on the shipped calib/ folders. Two cheap facts: F6a (the 2019 level, an input,
fitted by ``attacks_2019``) and F7d (an emergent fact, ``offensive_shift``), 9 months, 2 draws.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim import cli
from sim.batch import batch
from sim.batch.store import sha256

N_PARTICLES = 50
MONTHS = "9"  # F6a and F7d need 9 months (Fact.min_months)
FACTS = "F6a,F7d"


def write_calibration(folder: Path, weights: dict[str, float]) -> Path:
    """A last generation of distinct particles (particle 0 never drawn), a raids switch held fixed, ``weights``."""
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({
        "generation": 3, "particle": np.arange(N_PARTICLES), "weight": np.r_[0.0, np.ones(N_PARTICLES - 1)],
        "killing_prob": np.linspace(0.05, 0.30, N_PARTICLES), "attack_prob": np.linspace(0.05, 0.5, N_PARTICLES),
        "distance": 0.1,
    }).to_parquet(folder / "particles.parquet")
    # F7d's mechanism-off variant switches raids off: the variant must win over the fixed (drawn) value
    (folder / "manifest.json").write_text(json.dumps({"fixed": {"raids_enabled": True}, "summaries": weights}))
    return folder


def validate_args(calib: Path | None, out: Path, *extra: str) -> list[str]:
    posterior = [] if calib is None else ["--posterior", str(calib)]
    return ["validate", "--facts", FACTS, "--months", MONTHS, *posterior, "--workers", "1", "--quiet",
            "--out", str(out), *extra]


# offensive_shift weighted 0: F7d was not fitted, F6a (attacks_2019) was
WEIGHTS = {"attacks_2019": 2.0, "offensive_shift": 0.0, "raqqa_share": 1.0}


@pytest.fixture(scope="module")
def validated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """(calibration folder, --out folder, printed text) of one validation over the posterior."""
    root = tmp_path_factory.mktemp("validate_posterior")
    calib = write_calibration(root / "calib", WEIGHTS)
    out = root / "out"
    text = io.StringIO()
    with contextlib.redirect_stdout(text):
        status = cli.main(validate_args(calib, out, "--draws", "2"))
    assert status in (0, 1)
    return calib, out, text.getvalue()


def facts_of(out: Path) -> dict[str, dict]:
    return {f["id"]: f for f in json.loads((out / "validation.json").read_text())["facts"]}


def test_each_replication_runs_its_draw_in_every_variant(validated: tuple[Path, Path, str]) -> None:
    calib, out, _ = validated
    runs = pd.read_parquet(out / "runs" / "runs.parquet")
    manifest = json.loads((out / "runs" / "manifest.json").read_text())
    assert set(runs["scenario"]) == {"baseline", "turkish_offensive_2019", "turkish_offensive_2019__raids_enabled_off"}
    assert len(runs) == 6 and (runs["status"] == "ok").all()
    # one draw (and seed) per replication, shared by every variant; two replications, two draws
    per_rep = runs.groupby("rep")[["draw_id", "draw_killing_prob", "draw_attack_prob", "seed"]].nunique()
    assert (per_rep == 1).all().all()
    assert runs.groupby("rep")["draw_id"].first().nunique() == 2 and not (runs["draw_id"] == 0).any()
    particles = pd.read_parquet(calib / "particles.parquet").set_index("particle")
    np.testing.assert_allclose(runs["draw_killing_prob"], particles.loc[runs["draw_id"], "killing_prob"])
    np.testing.assert_allclose(runs["draw_attack_prob"], particles.loc[runs["draw_id"], "attack_prob"])
    # the batch's record of the posterior: folder, particles' sha256, each replication's draw
    posterior = manifest["posterior"]
    assert posterior["folder"] == str(calib) and posterior["sha256"] == sha256(calib / "particles.parquet")
    assert [d["draw_id"] for d in posterior["draws"]] == list(runs.groupby("rep")["draw_id"].first())
    # the variant's own switch wins over the calibration's fixed value: raids off, and no raid happened
    off = runs[runs["scenario"].str.endswith("raids_enabled_off")]
    assert (off["raids_enabled"] == False).all() and off["draw_raids_enabled"].isna().all()  # noqa: E712
    assert (runs.loc[~runs.index.isin(off.index), "draw_raids_enabled"] == True).all()  # noqa: E712
    monthly = pd.read_parquet(out / "runs" / "monthly.parquet")
    assert monthly.loc[monthly["scenario"] == off["scenario"].iloc[0], "raids"].sum() == 0
    # the runs really used the drawn values: replication 0 of baseline equals a batch run with them set
    draw = posterior["draws"][0]["values"]
    direct = batch(["baseline"], reps=1, seed=0, sets={"months": int(MONTHS), **draw}, workers=1).monthly
    ours = monthly[monthly["run_id"] == "baseline-r000"]
    columns = ["month", "killings", "attacks", "ric_attacks", "raids", "is_fighters"]
    pd.testing.assert_frame_equal(ours[columns].reset_index(drop=True), direct[columns].reset_index(drop=True))


def test_fitted_follows_the_calibrations_weights(validated: tuple[Path, Path, str], tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    calib, out, text = validated
    facts = facts_of(out)
    assert facts["F6a_ric_level_2019"]["fitted"] is True  # attacks_2019 weighted 2
    assert facts["F7d_raids_suspended"]["fitted"] is False  # offensive_shift weighted 0
    assert facts["F7d_raids_suspended"]["calibration_summary"] == "offensive_shift"
    meta = json.loads((out / "validation.json").read_text())["meta"]
    assert meta["posterior"] == str(calib) and meta["posterior_sha256"] == sha256(calib / "particles.parquet")
    assert meta["draws"] == 2 and meta["calibration_summaries"] == WEIGHTS
    assert "F6a_ric_level_2019 [RIC] (fitted)" in text and "F7d_raids_suspended [RIC] (fitted)" not in text
    reproduced = int(facts["F7d_raids_suspended"]["reproduced"])
    closing = (f"{reproduced} of 1 emergent facts reproduced, "
               f"{reproduced} of 1 among those not fitted by the calibration")
    assert closing in text and closing in (out / "validation.txt").read_text()
    # weighted, offensive_shift makes F7d fitted: no emergent fact is left out of sample
    other = write_calibration(tmp_path / "calib", {**WEIGHTS, "offensive_shift": 1.0})
    assert cli.main(validate_args(other, tmp_path / "out", "--draws", "2", "--facts", "F7d")) in (0, 1)
    text = capsys.readouterr().out
    assert facts_of(tmp_path / "out")["F7d_raids_suspended"]["fitted"] is True
    assert "F7d_raids_suspended [RIC] (fitted)" in text
    assert f"{reproduced} of 1 emergent facts reproduced, 0 of 0 among those not fitted by the calibration" in text


def test_the_same_command_gives_the_same_validation(validated: tuple[Path, Path, str], tmp_path: Path) -> None:
    calib, out, _ = validated
    assert cli.main(validate_args(calib, tmp_path / "again", "--draws", "2")) in (0, 1)
    first, again = (json.loads((o / "validation.json").read_text()) for o in (out, tmp_path / "again"))
    assert first["facts"] == again["facts"]
    drop = {"wall_time_s"}
    assert {k: v for k, v in first["meta"].items() if k not in drop} == {
        k: v for k, v in again["meta"].items() if k not in drop}


def test_resume_needs_the_same_posterior(validated: tuple[Path, Path, str], tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    calib, out, _ = validated
    shutil.copytree(out, tmp_path / "out")
    # --reps alone agrees with the draws: the same validation, every run already stored
    assert cli.main(validate_args(calib, tmp_path / "out", "--reps", "2", "--resume")) in (0, 1)
    assert facts_of(tmp_path / "out") == facts_of(out)
    capsys.readouterr()
    # without the posterior: refused with the batch's message, the stored runs kept
    assert cli.main(validate_args(None, tmp_path / "out", "--reps", "2", "--resume")) == 2
    err = capsys.readouterr().err
    assert "holds a different batch" in err and f"no posterior now, but the batch started over {calib}" in err
    assert len(pd.read_parquet(tmp_path / "out" / "runs" / "runs.parquet")) == 6


@pytest.mark.parametrize(("case", "extra", "message"), [
    ("missing folder", ["--draws", "2"], "--posterior: no such folder"),
    ("no particles", ["--draws", "2"], "particles.parquet is missing"),
    ("no manifest", ["--draws", "2"], "manifest.json: missing: which summaries the calibration fitted is unknown"),
    ("draws without posterior", ["--draws", "2"], "draws need a posterior"),
    ("draws below 1", ["--draws", "0"], "--draws: must be at least 1"),
    ("reps disagree", ["--draws", "2", "--reps", "3"], "--reps 3 disagrees with --draws 2"),
    ("no count", [], "how many posterior draws?"),
])
def test_bad_posterior_input_exits_2_before_writing(case: str, extra: list[str], message: str, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    calib = tmp_path / "calib"
    if case == "no particles":
        calib.mkdir()
        (calib / "manifest.json").write_text(json.dumps({"summaries": WEIGHTS}))
    elif case != "missing folder":
        write_calibration(calib, WEIGHTS)
    if case == "no manifest":
        (calib / "manifest.json").unlink()
    out, json_file = tmp_path / "never", tmp_path / "nor" / "facts.json"
    args = validate_args(None if case == "draws without posterior" else calib, out, *extra, "--json", str(json_file))
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    if case in ("missing folder", "no particles", "no manifest"):
        assert str(calib) in err
    assert not out.exists() and not json_file.parent.exists()


def test_strength_is_read_with_the_runs_own_drawn_region_share(tmp_path: Path) -> None:
    """F11 divides the fighters on the map by region_share_of_is: the drawn one, not the default."""
    calib = tmp_path / "calib"
    calib.mkdir()
    pd.DataFrame({"generation": 1, "particle": np.arange(N_PARTICLES), "weight": 1.0,
                  "region_share_of_is": np.linspace(0.1, 0.9, N_PARTICLES), "distance": 0.1,
                  }).to_parquet(calib / "particles.parquet")
    (calib / "manifest.json").write_text(json.dumps({"summaries": {"strength_2022": 0.0}}))
    out = tmp_path / "out"
    assert cli.main(["validate", "--facts", "F11", "--months", "33", "--posterior", str(calib), "--draws", "2",
                     "--workers", "1", "--quiet", "--out", str(out)]) in (0, 1)
    runs = pd.read_parquet(out / "runs" / "runs.parquet").query("scenario == 'baseline'").sort_values("rep")
    monthly = pd.read_parquet(out / "runs" / "monthly.parquet")
    december = monthly[(monthly["scenario"] == "baseline") & (pd.to_datetime(monthly["date"]) == "2021-12-01")]
    fighters = december.set_index("rep").loc[runs["rep"], "is_fighters"].to_numpy()
    expected = fighters / runs["draw_region_share_of_is"].to_numpy()
    assert runs["draw_region_share_of_is"].nunique() == 2
    fact = facts_of(out)["F11_strength_2022"]
    np.testing.assert_allclose(fact["values"], expected)
    assert fact["fitted"] is False  # strength_2022 weighted 0
