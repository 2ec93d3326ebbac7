"""Ctrl-C in a batch: the manifest says ``interrupted``, the exact resume command is printed and
finishes the batch; the progress bar stays off when stderr is not a terminal."""

from __future__ import annotations

import contextlib
import json
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
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


def _batch_interrupted(specs: list, out: Path) -> dict:
    """Run ``specs`` into ``out`` on one worker, expecting a Ctrl-C: the manifest, which says ``interrupted``."""
    from sim.batch import run_batch

    with pytest.raises(KeyboardInterrupt):
        run_batch(specs, out, workers=1, progress=False)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "interrupted" and manifest["interrupted"]
    return manifest


def _batch_resumed(specs: list, out: Path) -> int:
    """Resume the batch in ``out``: it completes with every run stored and none failed; the runs it skipped."""
    from sim.batch import run_batch

    summary = run_batch(specs, out, workers=1, progress=False, resume=True)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete" and _stored(out) == len(specs) and manifest["n_failed"] == 0
    return summary.n_skipped


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
                                                                    capsys: pytest.CaptureFixture,
                                                                    ctrl_c_raises: None) -> None:
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

    def interrupted_in_object_mode(self: object, *args: object) -> None:
        _ctrl_c_swallowed()
        raise TypeError("willing_now expected 4 arguments, got 0")  # names no KeyboardInterrupt

    monkeypatch.setattr(sim.model.InsurgencyModel, "run", interrupted_in_object_mode)
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
    from sim.batch import plan
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
    _batch_interrupted(specs, out)
    monkeypatch.setattr(ManifestWriter, "write", original)
    _batch_resumed(specs, out)


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
    _batch_interrupted(specs, out)
    kept = _stored(out)
    assert kept >= 1  # the group that was being stored, stored again on the way out
    assert _batch_resumed(specs, out) == kept

    monkeypatch.setattr(engine, "write_records", lambda *a, **k: (_ for _ in ()).throw(ValueError("a real bug")))
    with pytest.raises(ValueError, match="a real bug"):  # not taken for Ctrl-C
        run_batch(specs, tmp_path / "c", workers=1, progress=False)
    assert json.loads((tmp_path / "c" / "manifest.json").read_text())["status"] != "interrupted"


@pytest.fixture
def ctrl_c_raises() -> Iterator[None]:
    """Ctrl-C as in a terminal: Python's handler, which raises KeyboardInterrupt (a test worker may ignore it)."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def _ctrl_c_swallowed() -> None:
    """A Ctrl-C that comes while a library runs and that the library swallows (as numba's object mode can)."""
    with contextlib.suppress(KeyboardInterrupt):
        signal.raise_signal(signal.SIGINT)


def test_a_ctrl_c_noted_makes_an_error_that_does_not_name_it_an_interruption(ctrl_c_raises: None) -> None:
    from sim.interrupt import interrupt_behind, interrupt_noted, interrupts_noted

    numba_s = TypeError("willing_now expected 4 arguments, got 0")  # what Ctrl-C in object mode came out as
    with interrupts_noted():
        assert interrupt_behind(numba_s) is None and not interrupt_noted()
        with interrupts_noted():  # nested: the outermost's note
            _ctrl_c_swallowed()
        assert interrupt_noted() and isinstance(interrupt_behind(numba_s), KeyboardInterrupt)
        with pytest.raises(KeyboardInterrupt):
            signal.raise_signal(signal.SIGINT)  # Python's own handler still runs inside
    assert not interrupt_noted() and interrupt_behind(numba_s) is None  # ended: cleared
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # and put back

    with pytest.raises(TypeError), interrupts_noted():
        try:
            _ctrl_c_swallowed()
            raise numba_s
        except TypeError as exc:
            assert isinstance(interrupt_behind(exc), KeyboardInterrupt)  # a handler inside sees it
            raise
    assert not interrupt_noted() and interrupt_behind(numba_s) is None  # outside: a real error stays one


@pytest.mark.parametrize("how", ["disguised", "swallowed"])
def test_a_ctrl_c_a_library_hides_during_a_run_stops_the_batch_instead_of_failing_the_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ctrl_c_raises: None, how: str) -> None:
    """Ctrl-C landing in numba's object mode came out as a TypeError that does not name it, and the batch stored
    the run as failed and went on to the end (seen when Ctrl-C was sent at random moments): it must stop the batch,
    interrupted, and resuming must finish it. A library that swallows the Ctrl-C whole must not hide it either."""
    from sim.batch import engine, plan

    specs = plan(["baseline"], reps=3, sets={"months": 1})
    real = engine.build_model

    def build(spec: object, model_class: object = None) -> object:
        model = real(spec, model_class)
        if spec is specs[1]:
            run = model.run

            def interrupted_run() -> object:
                _ctrl_c_swallowed()
                if how == "disguised":
                    raise TypeError("willing_now expected 4 arguments, got 0")
                return run()

            model.run = interrupted_run
        return model

    monkeypatch.setattr(engine, "build_model", build)
    out = tmp_path / "b"
    assert _batch_interrupted(specs, out).get("n_failed", 0) == 0
    assert not (out / "runs" / specs[1].run_id / "error.txt").exists()  # not stored as a failed run
    assert _stored(out) == (1 if how == "disguised" else 2)  # the first (and the swallowing one), not the third
    monkeypatch.setattr(engine, "build_model", real)
    _batch_resumed(specs, out)


def test_a_ctrl_c_while_the_commands_load_ends_quietly(monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture) -> None:
    """Ctrl-C while insim imports its commands' modules (the first seconds of every command): status 130 and one
    line, not a traceback (seen when Ctrl-C was sent at random moments)."""
    from sim import cli

    def loading(sub: object) -> list[str]:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "register_extras", loading)
    assert cli.main(["run", "baseline", "--set", "months=1"]) == 130
    assert capsys.readouterr().err == "interrupted\n"


def test_a_ctrl_c_python_cannot_raise_is_noted_not_printed(monkeypatch: pytest.MonkeyPatch,
                                                          ctrl_c_raises: None) -> None:
    """A KeyboardInterrupt in a callback from C (llvmlite's while numba loads a kernel; here an object's
    ``__del__``) cannot propagate: Python printed "Exception ignored" and its traceback in the middle of a batch's
    output. Inside :func:`interrupts_noted` it is not printed; any other such error still is."""
    from sim.interrupt import interrupts_noted

    shown: list[type[BaseException]] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda info: shown.append(info.exc_type))

    class Dropping:
        def __init__(self, error: type[BaseException]) -> None:
            self.error = error

        def __del__(self) -> None:
            raise self.error

    with interrupts_noted():
        Dropping(KeyboardInterrupt)
        Dropping(ValueError)
    Dropping(KeyboardInterrupt)  # outside: Python's way again
    assert shown == [ValueError, KeyboardInterrupt]


def test_signals_held_wait_for_the_end_of_the_block(ctrl_c_raises: None) -> None:
    from sim.held_signals import signals_held

    terms: list[int] = []
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: terms.append(signum))
    try:
        done = []
        with pytest.raises(KeyboardInterrupt), signals_held():
            signal.raise_signal(signal.SIGINT)
            done.append("after the Ctrl-C")  # the block goes on to its end
        assert done == ["after the Ctrl-C"]
        with signals_held():
            signal.raise_signal(signal.SIGTERM)
            assert terms == []
        assert terms == [signal.SIGTERM]  # sent again to the handler in place before
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_every_kernel_compiles_and_loads_with_ctrl_c_held(ctrl_c_raises: None) -> None:
    """A Ctrl-C while numba loads a kernel lands in llvmlite's callbacks from C, where it cannot propagate (seen as
    "Exception ignored" and once a segmentation fault): each kernel's compile holds it until the kernel is ready."""
    import sim.model  # noqa: F401  (imports every module that defines kernels)
    from sim.compiled import KERNELS, held_while

    assert KERNELS and all(getattr(k.compile, "__wrapped__", None) is not None for k in KERNELS)
    steps: list[str] = []

    def compiling(sig: tuple) -> str:
        signal.raise_signal(signal.SIGINT)  # Ctrl-C in the middle of loading
        steps.append("loaded")
        return "overload"

    with pytest.raises(KeyboardInterrupt):
        held_while(compiling)(("int64",))
    assert steps == ["loaded"]
