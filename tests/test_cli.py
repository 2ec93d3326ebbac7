"""The ``insim`` command through its real entry point (``python -m sim``) and ``sim.cli.main``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sim import cli
from sim.scenario import SCENARIOS, available

ROOT = Path(__file__).resolve().parents[1]
BASELINE = SCENARIOS / "baseline.toml"
MAP = SCENARIOS / "maps" / "nes.toml"


def _scenario(folder: Path, name: str, body: str, map_path: str | Path = MAP) -> Path:
    """A scenario file in ``folder`` that extends the shipped baseline (events dropped, own map path)."""
    head = f'extends = "{BASELINE}"\ninherit_events = false\nmap = "{map_path}"\n'
    path = folder / f"{name}.toml"
    path.write_text(f'name = "{name}"\n{head}{body}')
    return path


def _start(args: list[str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "sim", *args], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


# ------------------------------------------------------------------------------------ bad input
# name -> (scenario body or None, extra args, words the message must contain)
BAD = {
    "unknown_key": ('[parameters]\nzakat_min_usdd = 5\n', [],
                    ["parameters.zakat_min_usdd", "did you mean 'zakat_min_usd'"]),
    "wrong_type": ('[parameters]\nzakat_min_usd = "lots"\n', [], ["parameters.zakat_min_usd", "lots"]),
    "out_of_range": ('[parameters]\nzakat_min_usd = -5\n', [], ["parameters.zakat_min_usd", "allowed"]),
    "event_outside": ('months = 6\n[[events]]\nkind = "amnesty"\ndate = 2030-01-01\n', [],
                      ["events[0].date", "outside the run", "allowed"]),
    "missing_map": ("", [], ["map", "nowhere.toml"]),
    "cycle": (None, [], ["extends", "cycle"]),
    "unknown_scenario": (None, [], ["baseline_typo", "did you mean 'baseline'"]),
    "set_typo": ("", ["--set", "zakat_min_usdd=5"], ["zakat_min_usdd", "did you mean 'zakat_min_usd'"]),
    "set_bad_value": ("", ["--set", "zakat_min_usd=-1"], ["zakat_min_usd"]),
    "sweep_typo": ("", ["--sweep", "zakat_min_usdd=1,2"], ["zakat_min_usdd", "did you mean 'zakat_min_usd'"]),
}


#: the cases also run as real subprocesses (all of them run in-process through ``cli.main``)
SUBPROCESS_CASES = ("unknown_key", "sweep_typo")  # a run and a batch


def _bad_args(case: str, folder: Path, index: int) -> tuple[list[str], Path, Path]:
    body, extra, _ = BAD[case]
    if case == "cycle":
        (folder / "cycle_b.toml").write_text('extends = "cycle_a.toml"\n')
        file = folder / "cycle_a.toml"
        file.write_text('extends = "cycle_b.toml"\n')
    elif case == "unknown_scenario":
        file = Path("baseline_typo")
    else:
        file = _scenario(folder, case, body, "maps/nowhere.toml" if case == "missing_map" else MAP)
    out = folder / f"out_{case}"
    if index % 2:
        return ["batch", str(file), "--reps", "1", "--workers", "1", "--out", str(out), *extra], file, out
    return ["run", str(file), "--out", str(out), *extra], file, out


def _check_bad(case: str, code: int, message: str, file: Path, out: Path) -> None:
    assert code == 2, message
    assert "Traceback" not in message
    if case not in ("set_typo", "set_bad_value", "sweep_typo"):
        assert str(file.name if case != "unknown_scenario" else file) in message
    for word in BAD[case][2]:
        assert word in message, (word, message)
    assert not out.exists()


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_exits_2_names_file_and_key_and_writes_nothing(case: str, tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture) -> None:
    args, file, out = _bad_args(case, tmp_path, list(BAD).index(case))
    code = cli.main(args)
    _check_bad(case, code, capsys.readouterr().err, file, out)


def test_bad_input_through_the_real_entry_point(tmp_path: Path) -> None:
    started = {case: (_start(args), file, out) for case in SUBPROCESS_CASES
               for args, file, out in [_bad_args(case, tmp_path, list(BAD).index(case))]}
    for case, (proc, file, out) in started.items():
        _, stderr = proc.communicate(timeout=120)
        _check_bad(case, proc.returncode, stderr, file, out)


def test_check_fails_on_the_first_bad_file(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    bad = _scenario(tmp_path, "bad", '[parameters]\nzakat_min_usdd = 5\n')
    assert cli.main(["check", str(BASELINE), str(bad), str(BASELINE)]) == 2
    captured = capsys.readouterr()
    assert captured.out.count("OK") == 1
    assert "bad.toml" in captured.err and "zakat_min_usdd" in captured.err


def test_set_values_are_parsed() -> None:
    import datetime as dt

    assert cli.parse_sets(["a=3", "b=0.5", "c=true", "d=False", "e=2021-01-01", "f=text"]) == {
        "a": 3, "b": 0.5, "c": True, "d": False, "e": dt.date(2021, 1, 1), "f": "text"}
    assert cli.parse_sweeps(["k=1,2.5,x"]) == {"k": [1, 2.5, "x"]}
    with pytest.raises(cli.InputError, match="--set"):
        cli.parse_sets(["novalue"])


# ------------------------------------------------------------------------------------ good input
def test_scenarios_lists_every_shipped_file(capsys: pytest.CaptureFixture) -> None:
    assert cli.main(["scenarios"]) == 0
    out = capsys.readouterr().out
    for name in available():
        assert f"{name}  (" in out
    assert "events" in out and "months" in out


def test_check_passes_on_every_shipped_scenario(capsys: pytest.CaptureFixture) -> None:
    assert cli.main(["check", *map(str, available().values())]) == 0
    assert capsys.readouterr().out.count("OK") == len(available())


def test_run_prints_a_summary_and_writes_outputs(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    file = _scenario(tmp_path, "short", 'months = 14\n[[events]]\nkind = "amnesty"\ndate = "+2 months"\n')
    assert cli.main(["run", str(file), "--seed", "3", "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "State at 12-month intervals" in out and "is_fighters" in out and "(m12)" in out and "(m14)" in out
    assert "Incident totals" in out and "killings" in out
    assert "amnesty" in out and "2019-06-01" in out
    for name in ("manifest.json", "datapackage.json", "ema_experiments.csv"):  # a one-run batch's folder
        assert (tmp_path / "out" / name).is_file()


def test_shortened_run_says_which_events_it_leaves_out(capsys: pytest.CaptureFixture) -> None:
    assert cli.main(["run", "baseline", "--set", "months=2"]) == 0
    captured = capsys.readouterr()
    assert "regime_offensive on 2021-06-01" in captured.err and "left out" in captured.err
    assert "2019-05 (m2)" in captured.out


def test_an_unknown_option_is_reported_by_its_command(capsys: pytest.CaptureFixture[str]) -> None:
    """``insim run baseline --months 3`` (months go in --set) names the run command and shows its usage,
    not the program's; an unknown option before the command is the program's. Exit 2, nothing run."""
    assert cli.main(["run", "baseline", "--months", "3"]) == 2
    err = capsys.readouterr().err
    assert "insim run: error: unrecognized arguments: --months 3" in err
    assert "usage: insim run" in err and "--set KEY=VALUE" in err
    assert cli.main(["--bogus", "scenarios"]) == 2
    err = capsys.readouterr().err
    assert "insim: error: unrecognized arguments: --bogus" in err and "usage: insim [-h]" in err


def test_help_has_examples(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("scenarios", "check", "run", "batch", "plot", "compare"):
        assert cli.main([command, "--help"]) == 0  # main returns argparse's status instead of exiting
        assert "examples:" in capsys.readouterr().out


def test_extra_commands_are_skipped_when_missing_and_registered_when_present(tmp_path: Path,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import argparse

    (tmp_path / "insim_extra_cmd.py").write_text(
        "def register(sub):\n    p = sub.add_parser('hello')\n    p.set_defaults(func=lambda a: 7)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    sub = argparse.ArgumentParser().add_subparsers()
    assert cli.register_extras(sub, ("sim.no_such_module.command", "insim_extra_cmd")) == ["insim_extra_cmd"]
    (tmp_path / "insim_broken_cmd.py").write_text("import no_such_dependency_xyz\n")
    with pytest.raises(ModuleNotFoundError):  # a missing dependency inside an existing module is not hidden
        cli.register_extras(sub, ("insim_broken_cmd",))


# ------------------------------------------------------------------------------------ a batch
@pytest.fixture(scope="module")
def batch_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2 scenarios x 2 replications of 6 months, through the real entry point."""
    folder = tmp_path_factory.mktemp("batch")
    quiet = _scenario(folder, "quiet", "")
    leave = _scenario(folder, "leave", '[[events]]\nkind = "coalition_withdrawal"\ndate = "+2 months"\n')
    out = folder / "out"
    result = subprocess.run([sys.executable, "-m", "sim", "batch", str(quiet), str(leave), "--reps", "2",
                             "--set", "months=6", "--workers", "1", "--out", str(out), "--quiet"],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "4 done now" in result.stdout
    assert "worse" in result.stdout and "reference" in result.stdout
    return out


def test_batch_writes_results_and_plots(batch_dir: Path) -> None:
    plots = batch_dir / "plots"
    for name in ("overview.png", "fan_killings.png", "fan_is_fighters.png", "map_quiet.png", "map_leave.png"):
        assert (plots / name).stat().st_size > 10_000, name
    assert (batch_dir / "manifest.json").is_file()


def test_plot_redraws(batch_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "replot"
    assert cli.main(["plot", str(batch_dir), "--outcomes", "killings,mean_trust", "--dates", "2019-06-01",
                     "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "fan_killings.png", "fan_mean_trust.png", "map_dates.png", "map_leave.png", "map_quiet.png", "overview.png"]
    assert cli.main(["plot", str(batch_dir), "--outcomes", "killingz"]) == 2
    assert "did you mean 'killings'" in capsys.readouterr().err


def test_plot_into_a_folder_it_cannot_make_exits_2(batch_dir: Path, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture) -> None:
    """`--out` through a file was a FileNotFoundError traceback from the plotting (exit 1)."""
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    for out in (blocker, blocker / "plots"):
        assert cli.main(["plot", str(batch_dir), "--out", str(out)]) == 2
        err = capsys.readouterr().err
        assert f"insim plot: error: {out}: --out:" in err and "Traceback" not in err


def test_compare_prints_bands_and_paired_shares(batch_dir: Path, capsys: pytest.CaptureFixture) -> None:
    assert cli.main(["compare", str(batch_dir), "--reference", "leave", "--outcomes", "attacks,mean_trust"]) == 0
    out = capsys.readouterr().out
    assert "attacks" in out and "mean_trust" in out and "lower is worse" in out
    assert "'leave'" in out and "worse" in out
    assert cli.main(["compare", str(batch_dir), "--reference", "nobody"]) == 2


def test_compare_on_a_missing_folder_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert cli.main(["compare", str(tmp_path / "missing")]) == 2
    assert "missing" in capsys.readouterr().err


def test_an_input_error_raised_in_a_worker_process_reaches_the_parent_intact() -> None:
    """A worker's bad-input error crosses the process boundary with its file, key and allowed values."""
    import multiprocessing
    import pickle
    from concurrent.futures import ProcessPoolExecutor

    import sim
    from sim.errors import InputError

    error = InputError("scenarios/x.toml", "parameters.sdf_fighters_region", "not a whole number", "100 to 1000000")
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.file, copy.key, copy.problem, copy.allowed, str(copy)) == (
        error.file, error.key, error.problem, error.allowed, str(error))
    # spawned, as the batch's workers are where it cannot fork them
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        future = pool.submit(sim.load_scenario, "history", sdf_fighters_region=35302.5)
        with pytest.raises(InputError) as raised:
            future.result()
    assert raised.value.key == "parameters.sdf_fighters_region" and "whole number" in raised.value.allowed


@pytest.mark.parametrize("args, status", [(["--version"], 0), (["run", "no-such-scenario"], 2)])
def test_a_sigterm_after_the_work_ends_the_program_with_the_works_status(args: list[str], status: int) -> None:
    # the program's exit (joining pools, finalising modules) takes a moment; a SIGTERM then must not
    # turn a finished command into "killed by signal 15" (seen once in the batch kill test)
    code = ("import os, signal, sys, time\n"
            f"sys.argv = ['insim', *{args!r}]\n"
            "from sim.cli import main\n"
            "status = main()\n"
            "os.kill(os.getpid(), signal.SIGTERM)\n"
            "time.sleep(5)\n"
            "print('still running after SIGTERM')\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).resolve().parents[1])
    assert proc.returncode == status, proc.stderr
    assert "still running" not in proc.stdout
    assert "Traceback" not in proc.stderr


def test_main_called_from_python_puts_the_callers_sigterm_handler_back() -> None:
    import signal

    def mine(signum: int, frame: object) -> None:
        pass

    before = signal.signal(signal.SIGTERM, mine)
    try:
        assert cli.main(["--version"]) == 0
        assert signal.getsignal(signal.SIGTERM) is mine
    finally:
        signal.signal(signal.SIGTERM, before)
