"""Ctrl-C in a batch: the manifest says ``interrupted``, the exact resume command is printed and
finishes the batch; the progress bar stays off when stderr is not a terminal."""

from __future__ import annotations

import json
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from terminal import default_ctrl_c

from sim.batch.store import stored_runs
from sim.interrupt import resume_command

ROOT = Path(__file__).resolve().parents[1]


def test_resume_command_adds_resume_once_and_quotes() -> None:
    assert resume_command(["batch", "a b.toml", "--reps", "2"]) == "insim batch 'a b.toml' --reps 2 --resume"
    assert resume_command(["batch", "x", "--resume"]).count("--resume") == 1


def _stored(out: Path) -> int:
    """Runs stored in ``out`` (in bulk, or in folders of their own), as far as its manifest says yet."""
    return len(stored_runs(out)) if (out / "manifest.json").is_file() else 0


def _interrupt_after_first_run(args: list[str], runs: Path) -> tuple[int, str]:
    """Start ``insim ARGS``, send SIGINT once a run is stored under ``runs``; its exit status and stderr."""
    proc = subprocess.Popen([sys.executable, "-m", "sim", *args], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, preexec_fn=default_ctrl_c)
    deadline = time.monotonic() + 120
    while _stored(runs) < 1 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=300)  # generous for a loaded machine: a hang is for ever
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise AssertionError("the command did not end within 300 s of its Ctrl-C") from None
    return proc.returncode, err


def test_interrupted_batch_is_marked_and_resumes_with_the_printed_command(tmp_path: Path) -> None:
    out = tmp_path / "b"
    args = ["batch", "baseline", "--set", "months=6", "--reps", "30", "--workers", "1", "--no-plots",
            "--out", str(out)]  # no --quiet: the bar must hide itself, stderr being a pipe
    returncode, err = _interrupt_after_first_run(args, out)
    assert returncode == 130, err
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "interrupted" and manifest["interrupted"]
    assert "run/s" not in err and "%|" not in err  # no progress bar into a pipe
    line = next(x for x in err.splitlines() if x.startswith("to finish the batch: "))
    command = shlex.split(line.removeprefix("to finish the batch: "))
    assert command[0] == "insim" and command[1:] == [*args, "--resume"]
    done = subprocess.run([sys.executable, "-m", "sim", *command[1:]], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete" and _stored(out) == 30


def test_interrupted_validate_resumes_with_the_printed_command_keeping_its_runs(tmp_path: Path) -> None:
    out = tmp_path / "v"
    runs = out / "runs"
    # enough runs that some are still to come when the first are stored (in groups, the first ~2 s after a run
    # ends): 30 twelve-month runs could all be done by then
    args = ["validate", "--facts", "F6a", "--months", "12", "--reps", "100", "--workers", "1", "--out", str(out)]
    returncode, err = _interrupt_after_first_run(args, runs)
    assert returncode == 130, err
    assert json.loads((runs / "manifest.json").read_text())["status"] == "interrupted"
    kept = {p.name: (p / "summary.json").stat().st_mtime_ns for p in (runs / "runs").iterdir()}
    assert 1 <= len(kept) < 100
    line = next(x for x in err.splitlines() if x.startswith("to finish the validation: "))
    command = shlex.split(line.removeprefix("to finish the validation: "))
    assert command[0] == "insim" and command[1:] == [*args, "--resume"]
    done = subprocess.run([sys.executable, "-m", "sim", *command[1:]], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode in (0, 1), done.stderr  # 1: the fact is not reproduced; not a failed run
    manifest = json.loads((runs / "manifest.json").read_text())
    assert manifest["status"] == "complete" and len(manifest["resumed"]) == 1 and _stored(runs) == 100
    assert {p: (runs / "runs" / p / "summary.json").stat().st_mtime_ns for p in kept} == kept
    assert (out / "validation.json").is_file()


def _disguised_ctrl_c() -> SystemError:
    """What numba raises when Ctrl-C lands in a Python callback inside a kernel (seen in this file's
    validate test): a SystemError chained to the KeyboardInterrupt."""
    try:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as inner:
            raise SystemError("CPUDispatcher(<function f>) returned a result with an exception set") from inner
    except SystemError as outer:
        return outer


def _ctrl_c_in_savez() -> ValueError:
    """What ``np.savez`` raises when Ctrl-C lands while it closes a member of its zip file (seen in CI in this
    file's validate test): its clean-up fails with a ValueError, the KeyboardInterrupt as its context."""
    try:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt:
            raise ValueError("Can't close the ZIP file while there is an open writing handle on it.")  # noqa: B904
    except ValueError as outer:
        return outer


def test_ctrl_c_inside_a_kernel_stops_a_run_and_a_calibration_instead_of_failing_them(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import math

    from sim.batch import engine, plan
    from sim.fitting.config import load_config
    from sim.fitting.priors import build_priors
    from sim.fitting.simulate import Simulator
    from sim.fitting.summaries import CRASHED, observed_record
    from sim.interrupt import interrupt_behind

    disguised = _disguised_ctrl_c()
    assert isinstance(interrupt_behind(disguised), KeyboardInterrupt)
    assert interrupt_behind(SystemError("a real bug")) is None and interrupt_behind(ValueError()) is None

    class Model:
        def __init__(self, error: BaseException) -> None:
            self.error = error

        def run(self) -> None:
            raise self.error

    spec = plan(["baseline"], 1, sets={"months": 1})[0]
    monkeypatch.setattr(engine, "build_model", lambda spec, model_class=None: Model(_disguised_ctrl_c()))
    with pytest.raises(KeyboardInterrupt):
        engine.run_one(spec)
    monkeypatch.setattr(engine, "build_model", lambda spec, model_class=None: Model(SystemError("a real bug")))
    failed = engine.run_one(spec)  # any other error is a failed run, as before
    assert not failed.ok and "a real bug" in failed.summary["error"]

    priors = build_priors(load_config())
    simulator = Simulator("history", priors, observed_record(), ("attacks_2019",), 1, "2019-12")
    sampled = {p.key: p.sample_bounds[0] for p in priors}
    monkeypatch.setattr(simulator, "model_frame", lambda values: (_ for _ in ()).throw(_disguised_ctrl_c()))
    with pytest.raises(KeyboardInterrupt):
        simulator(sampled)
    monkeypatch.setattr(simulator, "model_frame", lambda values: (_ for _ in ()).throw(SystemError("a real bug")))
    out = simulator(sampled)
    assert out[CRASHED] == 1.0 and math.isnan(out["attacks_2019"])


def test_ctrl_c_inside_a_kernel_during_insim_run_is_an_interruption(monkeypatch: pytest.MonkeyPatch,
                                                                    capsys: pytest.CaptureFixture) -> None:
    import sim.model
    from sim import cli

    def interrupted(self: object, *args: object) -> None:
        raise _disguised_ctrl_c()

    monkeypatch.setattr(sim.model.InsurgencyModel, "run", interrupted)
    assert cli.main(["run", "baseline", "--set", "months=1"]) == 130
    assert "interrupted" in capsys.readouterr().err

    def interrupted_in_a_library(self: object, *args: object) -> None:
        raise _ctrl_c_in_savez()

    monkeypatch.setattr(sim.model.InsurgencyModel, "run", interrupted_in_a_library)
    assert cli.main(["run", "baseline", "--set", "months=1"]) == 130
    assert "interrupted" in capsys.readouterr().err

    def broken(self: object, *args: object) -> None:
        raise SystemError("a real bug")

    monkeypatch.setattr(sim.model.InsurgencyModel, "run", broken)
    with pytest.raises(SystemError, match="a real bug"):  # not taken for Ctrl-C
        cli.main(["run", "baseline", "--set", "months=1"])


def test_a_ctrl_c_while_the_manifest_is_written_after_the_runs_leaves_it_interrupted(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Ctrl-C that comes after the last run, while the batch records its runs in the manifest (no handler of
    the runs' loop around it any more), still leaves the manifest saying ``interrupted``; resuming finishes it."""
    from sim.batch import plan, run_batch
    from sim.batch.manifest import ManifestWriter

    original, writes = ManifestWriter.write, []

    def write(self: ManifestWriter, compact: bool = False) -> None:
        if not compact:
            writes.append(compact)
            if len(writes) == 2:  # the first is "running", before the runs; the second records them
                raise KeyboardInterrupt
        original(self, compact)

    monkeypatch.setattr(ManifestWriter, "write", write)
    specs = plan(["baseline"], reps=2, sets={"months": 1})
    out = tmp_path / "b"
    with pytest.raises(KeyboardInterrupt):
        run_batch(specs, out, workers=1, progress=False)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "interrupted" and manifest["interrupted"]
    monkeypatch.setattr(ManifestWriter, "write", original)
    run_batch(specs, out, workers=1, progress=False, resume=True)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete" and _stored(out) == 2


def test_a_ctrl_c_disguised_while_runs_are_stored_leaves_the_batch_interrupted_and_loses_no_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Ctrl-C that a library's clean-up turns into another error while a group of runs is stored is still a
    Ctrl-C: the batch stops with KeyboardInterrupt, its manifest says ``interrupted``, the group is stored on the
    way out, and resuming runs only what is missing."""
    from sim.batch import engine, plan, run_batch

    original, calls = engine.write_records, []

    def write_records(*args: object, **kwargs: object) -> object:
        calls.append(1)
        if len(calls) == 1:
            raise _ctrl_c_in_savez()
        return original(*args, **kwargs)

    monkeypatch.setattr(engine, "write_records", write_records)
    specs = plan(["baseline"], reps=3, sets={"months": 1})
    out = tmp_path / "b"
    with pytest.raises(KeyboardInterrupt):
        run_batch(specs, out, workers=1, progress=False)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "interrupted" and manifest["interrupted"]
    kept = _stored(out)
    assert kept >= 1  # the group that was being stored, stored again on the way out
    summary = run_batch(specs, out, workers=1, progress=False, resume=True)
    assert summary.n_skipped == kept
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete" and _stored(out) == 3

    monkeypatch.setattr(engine, "write_records", lambda *a, **k: (_ for _ in ()).throw(ValueError("a real bug")))
    with pytest.raises(ValueError, match="a real bug"):  # not taken for Ctrl-C
        run_batch(specs, tmp_path / "c", workers=1, progress=False)
    assert json.loads((tmp_path / "c" / "manifest.json").read_text())["status"] != "interrupted"
