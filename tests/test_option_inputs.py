"""Bad values of command-line options, found by a review of ``insim --help``: each one exits with
status 2 and one message naming the option and what is allowed, prints no traceback, and is
refused before any run or file is written.

Everything goes through the real entry point ``sim.cli.main``. Each test failed on the code before
its fix: a scenario file overwritten by ``--json``, a traceback, a run or a plot made before the
refusal (or no refusal at all), a message naming the scenario file instead of the option.
"""

from __future__ import annotations

import io
import json
import shutil
import sys
from pathlib import Path

import pytest

from sim import cli
from sim.scenario import SCENARIOS

ROOT = Path(__file__).resolve().parents[1]
MORRIS = ["sensitivity", "--parameters", "recruitment_rate,killing_prob", "--trajectories", "2", "--months", "1",
          "--workers", "1", "--quiet"]


def files_under(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` with its content, and every folder (as empty content)."""
    return {str(p.relative_to(folder)): p.read_bytes() if p.is_file() else b"" for p in sorted(folder.rglob("*"))}


def assert_refused(code: int, err: str, *words: str) -> None:
    """Exit 2, one message holding ``words`` (the option first), no traceback."""
    assert code == 2, err
    assert "Traceback" not in err and err.strip(), err
    assert err.count("\n") <= 12, err  # one message (argparse adds its usage lines)
    for word in words:
        assert word in err, (word, err)


@pytest.fixture(scope="module")
def two_month_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A one-run results folder of the baseline over two months (April and May 2019)."""
    out = tmp_path_factory.mktemp("options") / "run"
    assert cli.main(["run", "baseline", "--set", "months=2", "--seed", "1", "--out", str(out)]) == 0
    return out


@pytest.fixture(autouse=True)
def no_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO())  # a question (more than 1000 runs) must not wait


# ---------------------------------------------------------------------------- 1. --json onto another file
@pytest.mark.parametrize("args", [
    ["check", "--json", "{target}", "baseline"],  # argparse takes the scenario file as the JSON path
    ["check", "baseline", "--json", "{target}"],
    ["scenarios", "--json", "{target}"],
])
def test_json_is_not_written_onto_a_scenario_file(args: list[str], tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    target = shutil.copy(SCENARIOS / "baseline.toml", tmp_path / "mine.toml")
    before = files_under(tmp_path)
    code = cli.main([a.format(target=target) for a in args])
    assert_refused(code, capsys.readouterr().err, "--json", "mine.toml", ".json")
    assert files_under(tmp_path) == before  # the scenario is intact


def test_json_does_not_replace_a_file_that_is_not_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    notes = tmp_path / "notes.json"
    notes.write_text("my notes, not JSON\n")
    assert_refused(cli.main(["check", "baseline", f"--json={notes}"]), capsys.readouterr().err,
                   "--json", "notes.json", "does not hold JSON")
    assert notes.read_text() == "my notes, not JSON\n"
    earlier = tmp_path / "earlier.json"  # a JSON file (an earlier --json) is still replaced
    earlier.write_text("[]\n")
    assert cli.main(["check", "baseline", f"--json={earlier}"]) == 0
    assert json.loads(earlier.read_text())[0]["name"] == "baseline"


# ---------------------------------------------------------------------------- 2. tracebacks
@pytest.mark.parametrize("args", [
    ["validate", "--facts", "F1a", "--reps", "1", "--months", "40", "--quiet"],
    MORRIS,
])
def test_a_negative_seed_is_refused_like_insim_batch_does(args: list[str], tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main([*args, "--seed", "-1", "--out", str(tmp_path / "out")])
    assert_refused(code, capsys.readouterr().err, "--seed", "0 to 9223372036854775807")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", ["compare", "plot"])
def test_outcomes_without_a_name_are_refused(command: str, two_month_run: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    """compare: a traceback (KeyError); plot: drew the plots as if no --outcomes were given."""
    before = files_under(two_month_run)
    assert_refused(cli.main([command, str(two_month_run), "--outcomes", ","]), capsys.readouterr().err,
                   "--outcomes", "outcome names")
    assert files_under(two_month_run) == before


# ---------------------------------------------------------------------------- 3. late or empty checks
def test_an_unknown_screening_outcome_is_refused_before_the_runs(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "morris"
    code = cli.main([*MORRIS, "--outcomes", "is_fighters,total_kilings", "--out", str(out)])
    captured = capsys.readouterr()
    assert_refused(code, captured.err, "--outcomes", "total_kilings", "did you mean 'total_killings'")
    assert "Morris screening of" not in captured.out and not out.exists()


def test_screening_parameters_without_a_name_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``--parameters ,`` meant every parameter; --trajectories 1 keeps the old code from screening them all."""
    out = tmp_path / "morris"
    code = cli.main(["sensitivity", "--parameters", ",", "--trajectories", "1", "--out", str(out)])
    assert_refused(code, capsys.readouterr().err, "--parameters", "names from seeds/parameters.toml")
    assert not out.exists()


def test_validate_facts_without_a_name_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``--facts ,`` meant every fact; a --json onto a folder stops the old code before its runs."""
    (tmp_path / "taken.json").mkdir()
    out = tmp_path / "validation"
    code = cli.main(["validate", "--facts", ",", "--reps", "1", "--months", "40", "--quiet", "--out", str(out),
                     "--json", str(tmp_path / "taken.json")])
    assert_refused(code, capsys.readouterr().err, "--facts", "fact ids")
    assert not out.exists()


def test_an_odd_number_of_morris_levels_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """With 3 levels SALib's design only takes 0 and 0.75 of each range (it merely warns)."""
    out = tmp_path / "morris"
    code = cli.main([*MORRIS, "--levels", "3", "--out", str(out)])
    assert_refused(code, capsys.readouterr().err, "levels", "3 is odd", "an even number")
    assert not out.exists()


# ---------------------------------------------------------------------------- 4. --set / --sweep name the option
@pytest.mark.parametrize("args, option", [
    (["run", "baseline", "--set", "zakat_min_usd=-5"], "--set zakat_min_usd"),
    (["run", "baseline", "--set", "months=0"], "--set months"),
    (["batch", "baseline", "--reps", "1", "--sweep", "killing_prob=0.1,7"], "--sweep killing_prob"),
])
def test_a_bad_value_from_the_command_line_names_the_option_not_the_file(
        args: list[str], option: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main([*args, "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert_refused(code, err, option, "allowed:")
    assert "baseline.toml" not in err  # the file holds no bad value
    assert not (tmp_path / "out").exists()


# ---------------------------------------------------------------------------- 5. --dates outside the run
@pytest.mark.parametrize("extra, words", [
    (["--set", "months=2", "--dates", "2030-01-01"],
     ("2030-01-01 is outside the run of baseline", "2019-04-01 to 2019-05-31")),
    (["--set", "months=2", "--dates", "2019-05-01", "--no-plots"], ("--no-plots",)),  # dates silently unused
    (["--sweep", "months=1,2", "--dates", "2019-05-15"], ("baseline [months=1]", "2019-04-01 to 2019-04-30")),
])
def test_batch_dates_outside_the_run_are_refused_before_it(extra: list[str], words: tuple[str, ...], tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "batch"
    code = cli.main(["batch", "baseline", "--reps", "1", "--workers", "1", "--quiet", "--out", str(out), *extra])
    assert_refused(code, capsys.readouterr().err, "--dates", *words)
    assert not out.exists()


def test_plot_dates_outside_the_batch_are_refused(two_month_run: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = files_under(two_month_run)
    code = cli.main(["plot", str(two_month_run), "--dates", "2019-04-15,1990-01-01"])
    assert_refused(code, capsys.readouterr().err, "--dates", "1990-01-01", "2019-04-01 to 2019-05-31")
    assert files_under(two_month_run) == before  # no plots folder


# ---------------------------------------------------------------------------- 6. a hindcast of very many runs
def test_a_hindcast_of_more_draws_than_the_batch_limit_asks_first(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """As ``insim batch``: more than 1000 runs need --yes (or a y on a terminal). The --json onto a folder
    stops the old code after it checked every draw, before its runs."""
    (tmp_path / "taken.json").mkdir()
    out = tmp_path / "hindcast"
    code = cli.main(["hindcast", "history", "--posterior", str(ROOT / "calib" / "default"), "--draws", "1001",
                     "--quiet", "--out", str(out), "--json", str(tmp_path / "taken.json")])
    assert_refused(code, capsys.readouterr().err, "--yes", "1,001 runs", "fewer --reps / --draws")
    assert not out.exists()


# ---------------------------------------------------------------------------- 7. what the help and messages say
def test_compare_help_shows_a_single_percent_sign(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["compare", "--help"]) == 0
    out = capsys.readouterr().out
    assert "10-90% band" in out and "%%" not in out


@pytest.mark.parametrize("args, option", [
    (["batch", "baseline", "--reps", "many"], "--reps"),
    (["batch", "baseline", "--reps", "1", "--workers", "two"], "--workers"),
    (["sensitivity", "--levels", "four"], "--levels"),
])
def test_a_count_that_is_not_a_number_is_refused_in_plain_words(args: list[str], option: str, tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main([*args, "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert_refused(code, err, option, "is not a whole number")
    assert "invalid int value" not in err  # argparse's words, with a Python type name


def test_sensitivity_help_keeps_outcome_names_whole(monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    from sim.sensitivity.morris import DEFAULT_OUTCOMES

    monkeypatch.setenv("COLUMNS", "80")
    assert cli.main(["sensitivity", "--help"]) == 0
    options = capsys.readouterr().out.split("examples:")[0]  # the examples are long commands, as written
    assert all(len(line) <= 80 for line in options.splitlines())
    assert all(name in options for name in DEFAULT_OUTCOMES), options  # not broken across lines
