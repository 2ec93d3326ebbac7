"""Bad input to ``insim calibrate`` is refused before anything is written or run.

Each case: exit status 2, the file (if any) and the key or option named on stderr, no traceback,
and the --out folder neither created nor changed (no fingerprint.json). Every case fails before a
fit starts; the sizes below only keep the old code's fit short where it used to start one.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim import cli
from sim.batch.engine import max_workers
from sim.fitting.config import DEFAULT_CONFIG

SMALL = ["--population", "2", "--generations", "1", "--history-matching-runs", "0", "--predictive-runs", "0",
         "--workers", "1"]  # a later --workers replaces this one


def calibrate(out: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = cli.main(["calibrate", "baseline", "--out", str(out), *SMALL, *args])
    return code, capsys.readouterr().err


def assert_refused(code: int, err: str, *names: str) -> None:
    assert code == 2, err
    assert "Traceback" not in err
    for name in names:
        assert name in err, (name, err)


def config_with(tmp_path: Path, old: str, new: str) -> Path:
    """The shipped default config with one change."""
    text = DEFAULT_CONFIG.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "config.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


FIXED = "\n[fixed]\n"
BAD_CONFIGS = {  # case: (text of the default config, its replacement, the key named)
    "negative root seed": ("root_seed = 17", "root_seed = -1", "calibration.root_seed"),
    "negative tolerance": ("tolerance = 0.693147", "tolerance = -1", "calibration.tolerance"),
    "nan tolerance": ("tolerance = 0.693147", "tolerance = nan", "calibration.tolerance"),
    "negative min_epsilon": ("min_epsilon = 0.1", "min_epsilon = -0.5", "calibration.min_epsilon"),
    "nan summary weight": ("attacks_2019 = 2.0", "attacks_2019 = nan", "summaries.attacks_2019"),
    "a parameter that is not a table": ("[parameters.region_share_of_is]",
                                        "[parameters]\nfoo = 5\n\n[parameters.region_share_of_is]", "parameters.foo"),
    "unknown fixed parameter": ("[calibration]", "[fixed]\nnot_a_parameter = 3\n\n[calibration]",
                                "fixed.not_a_parameter"),
    "fixed value out of range": ("[calibration]", "[fixed]\nraid_suspects_mean = -5\n\n[calibration]",
                                 "fixed.raid_suspects_mean"),
    "fixed scenario key": ("[calibration]", "[fixed]\nmonths = 3\n\n[calibration]", "fixed.months"),
    "fitted and fixed": ("[calibration]", "[fixed]\nkilling_prob = 0.5\n\n[calibration]", "fixed.killing_prob"),
}


@pytest.mark.parametrize("case", BAD_CONFIGS)
def test_a_bad_config_is_refused_naming_its_file_and_key(case: str, tmp_path: Path, capsys) -> None:
    old, new, key = BAD_CONFIGS[case]
    config = config_with(tmp_path, old, new)
    code, err = calibrate(tmp_path / "out", capsys, "--config", str(config))
    assert_refused(code, err, str(config), key)
    assert "baseline.toml" not in err  # a [fixed] value is the config's, not the scenario's
    assert not (tmp_path / "out").exists()


BAD_OPTIONS = {  # case: (options, the option named)
    "negative root seed": (["--root-seed", "-1"], "--root-seed"),
    "more workers than the machine takes": (["--workers", str(max_workers() + 1)], "--workers"),
    "a Dask address that is not one": (["--dask", "nonsense"], "--dask"),
    "nan min-epsilon": (["--min-epsilon", "nan"], "--min-epsilon"),
    "negative min-epsilon": (["--min-epsilon", "-1"], "--min-epsilon"),
}


@pytest.mark.parametrize("case", BAD_OPTIONS)
def test_a_bad_option_is_refused_naming_it(case: str, tmp_path: Path, capsys) -> None:
    options, option = BAD_OPTIONS[case]
    code, err = calibrate(tmp_path / "out", capsys, *options)
    assert_refused(code, err, option)
    assert not (tmp_path / "out").exists()


def test_a_bad_option_leaves_an_existing_out_folder_as_it_was(tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("earlier work", encoding="utf-8")
    code, err = calibrate(out, capsys, "--root-seed", "-1")
    assert_refused(code, err, "--root-seed")
    assert [p.name for p in out.iterdir()] == ["notes.txt"]  # in particular no fingerprint.json


def test_a_folder_as_config_is_refused_naming_it(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "configs"
    folder.mkdir()
    code, err = calibrate(tmp_path / "out", capsys, "--config", str(folder))
    assert_refused(code, err, str(folder), "--config")
    assert not (tmp_path / "out").exists()
