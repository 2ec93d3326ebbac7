"""Output folders: a command refuses a folder holding another command's results, naming what it holds.

Each folder is made by the real command, as small as it can be (one or a few one-month runs); a
calibration's is the shipped ``calib/default`` (its files, less the pyabc database). Every refusal
is exit status 2 before any run, and leaves the folder's files as they were.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sim import cli

ROOT = Path(__file__).resolve().parents[1]
TINY_RUN = ["--set", "months=1", "--workers", "1", "--quiet"]

#: how each command's folder is made, in a folder given as the last argument
MAKERS: dict[str, list[str]] = {
    "run": ["run", "baseline", "--set", "months=1", "--out"],
    "batch": ["batch", "baseline", "--reps", "1", *TINY_RUN, "--no-plots", "--out"],
    "sensitivity": ["sensitivity", "--parameters", "killing_prob,recruitment_rate", "--trajectories", "2",
                    "--months", "1", "--workers", "1", "--quiet", "--out"],
    "validation": ["validate", "--reps", "1", "--months", "12", "--facts", "F6a", "--workers", "1", "--quiet",
                   "--out"],
    "hindcast": ["hindcast", "--reps", "1", "--set", "months=2", "--workers", "1", "--quiet", "--out"],
}
#: what the refusal must call each folder
NAMED = {"run": "a run (insim run", "batch": "a batch's results", "sensitivity": "a sensitivity screening",
         "validation": "a validation (insim validate)", "hindcast": "a hindcast (insim hindcast)",
         "calibration": "a calibration (insim calibrate)"}


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One folder of each kind, made once (the tests only read them or copy them)."""
    root = tmp_path_factory.mktemp("made")
    made = {}
    for kind, args in MAKERS.items():
        made[kind] = root / kind
        assert cli.main([*args, str(made[kind])]) in (0, 1), kind  # validate says 1 for unreproduced facts
    made["calibration"] = root / "calibration"
    shutil.copytree(ROOT / "calib" / "default", made["calibration"], ignore=shutil.ignore_patterns("abc.db"))
    return made


def contents(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def refused(args: list[str], folder: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """Run ``args`` onto ``folder``; assert exit 2 and the folder untouched; the error text."""
    before = contents(folder)
    capsys.readouterr()
    assert cli.main([*args, str(folder)]) == 2
    err = capsys.readouterr().err
    assert str(folder) in err and "Traceback" not in err
    assert contents(folder) == before
    return err


# ------------------------------------------------------------------------------------ defect 1
@pytest.mark.parametrize("kind", ["sensitivity", "batch", "hindcast"])
def test_validate_refuses_another_commands_folder(folders: dict[str, Path], kind: str,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    err = refused(MAKERS["validation"], folders[kind], capsys)
    assert NAMED[kind] in err and "--out" in err and "earlier insim validate" in err


# ------------------------------------------------------------------------------------ defect 2
def test_hindcast_redoes_the_same_hindcast_but_refuses_another(folders: dict[str, Path], tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "hc"
    shutil.copytree(folders["hindcast"], out)
    err = refused([*MAKERS["hindcast"][:-1], "--seed", "1", "--out"], out, capsys)
    assert "different hindcast" in err and "root_seed 1 instead of 0" in err
    err = refused([*MAKERS["hindcast"][:-1], "--set", "detection_base=0.005", "--out"], out, capsys)
    assert "detection_base" in err
    (out / "hindcast.txt").write_text("the same hindcast's files are replaced")
    assert cli.main([*MAKERS["hindcast"], str(out)]) == 0  # the same command redoes it
    assert (out / "hindcast.txt").read_text().startswith("Hindcast of history")


def test_hindcast_refuses_a_calibration_folder(folders: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    err = refused(MAKERS["hindcast"], folders["calibration"], capsys)  # it holds a hindcast.png of its own
    assert NAMED["calibration"] in err


def test_hindcast_refuses_an_unreadable_earlier_hindcast(folders: dict[str, Path], tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "hc"
    shutil.copytree(folders["hindcast"], out)
    (out / "hindcast.json").write_text("{ cut short")
    err = refused(MAKERS["hindcast"], out, capsys)
    assert "hindcast.json" in err and "unreadable" in err


# ------------------------------------------------------------------------------------ defect 3
@pytest.mark.parametrize("kind", ["calibration", "hindcast", "validation", "sensitivity", "run"])
def test_batch_names_what_the_folder_holds(folders: dict[str, Path], kind: str,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    err = refused(MAKERS["batch"], folders[kind], capsys)
    assert NAMED[kind] in err
    assert "holds a batch" not in err and "batch's results" not in err


def test_batch_resume_refuses_a_calibration_folder(folders: dict[str, Path],
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    err = refused([*MAKERS["batch"][:-1], "--resume", "--out"], folders["calibration"], capsys)
    assert NAMED["calibration"] in err


# ------------------------------------------------------------------------------------ defect 4
@pytest.mark.parametrize("kind", ["run", "calibration"])
def test_run_advises_what_run_allows(folders: dict[str, Path], kind: str,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    err = refused(MAKERS["run"], folders[kind], capsys)
    assert NAMED[kind] in err and "another --out folder" in err
    assert "--resume" not in err and "resume=True" not in err


# ------------------------------------------------------------------------------------ defect 5
@pytest.mark.parametrize(("sets", "option"), [
    (["--set", "start=2022-01-01"], "--set start"),  # after the record's end
    (["--set", "start=2015-01-01", "--set", "months=12"], "--set start"),  # over before it begins
])
def test_hindcast_refuses_a_run_outside_the_record(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                   sets: list[str], option: str) -> None:
    out = tmp_path / "hc"
    assert cli.main(["hindcast", "--reps", "1", *sets, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert option in err and "no month of RIC's record" in err and "2021-12" in err
    assert not out.exists()


def test_hindcast_out_of_sample_needs_months_after_the_fit(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    later = tmp_path / "later.csv"
    later.write_text("month,attacks,isis_claimed,deir_ez_zor,raqqa,hasaka,other_nes,raids,arrests,derived,note,"
                     "source\n2022-03,20,,,,,,,,,,a report\n")
    out = tmp_path / "hc"
    assert cli.main(["hindcast", "--reps", "1", "--set", "months=10", "--out-of-sample", str(later),
                     "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "--out-of-sample" in err and "--set months=34" in err  # 2019-04 + 34 months reaches 2022-01
    assert "2022-01 to 2020-01" not in err  # no empty range as the allowed one
    assert not out.exists()

