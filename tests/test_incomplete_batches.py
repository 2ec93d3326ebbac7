"""Reading a batch that holds fewer runs than it planned (interrupted, or runs that failed) says so:
one line on stderr from ``insim compare`` and ``insim plot``, which still work and exit 0, and an
:class:`IncompleteBatchWarning` from :func:`sim.batch.load_results`; a complete batch says nothing.

The batches are interrupted in-process, as Ctrl-C does it: a KeyboardInterrupt in the batch's loop.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sim import cli
from sim.batch import engine, load_results
from sim.interrupt import IncompleteBatchWarning

REPS = 4


def _batch(out: Path, *extra: str) -> int:
    return cli.main(["batch", "baseline", "--set", "months=2", "--reps", str(REPS), "--workers", "1", "--quiet",
                     "--no-plots", "--out", str(out), *extra])


def _interrupted_batch(out: Path, after: int) -> None:
    """A batch of ``REPS`` runs interrupted (as by Ctrl-C) once ``after`` runs are done."""
    real, done = engine.run_one, []

    def run_then_interrupt(*args: Any) -> Any:
        if len(done) == after:
            raise KeyboardInterrupt
        done.append(args[0])
        return real(*args)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(engine, "run_one", run_then_interrupt)
        assert _batch(out) == 130


@pytest.fixture(scope="module")
def interrupted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    out = tmp_path_factory.mktemp("incomplete") / "interrupted"
    _interrupted_batch(out, after=2)
    yield out


def _warnings_in(err: str) -> list[str]:
    return [line for line in err.splitlines() if "warning" in line.lower()]


def test_compare_of_an_interrupted_batch_warns_on_one_line_and_uses_the_stored_runs(
        interrupted: Path, capsys: pytest.CaptureFixture) -> None:
    capsys.readouterr()
    assert cli.main(["compare", str(interrupted), "--outcomes", "killings"]) == 0
    captured = capsys.readouterr()
    assert _warnings_in(captured.err) == [f"warning: {interrupted}: 2 of {REPS} runs (interrupted batch; --resume "
                                          "runs the rest); only these 2 are used"], captured.err
    assert "(n=2)" in captured.out


def test_plot_of_an_interrupted_batch_warns_and_draws(interrupted: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture) -> None:
    capsys.readouterr()
    assert cli.main(["plot", str(interrupted), "--outcomes", "killings", "--out", str(tmp_path / "plots")]) == 0
    err = capsys.readouterr().err
    assert len(_warnings_in(err)) == 1 and f"{interrupted}: 2 of {REPS} runs (interrupted batch" in err, err
    assert (tmp_path / "plots" / "fan_killings.png").is_file()


def test_load_results_warns_while_runs_are_missing_and_not_once_the_batch_is_finished(
        tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "resumed"
    _interrupted_batch(out, after=1)
    with pytest.warns(IncompleteBatchWarning, match=rf"1 of {REPS} runs \(interrupted batch"):
        assert len(load_results(out).runs) == 1
    assert _batch(out, "--resume") == 0
    capsys.readouterr()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning fails the test
        assert len(load_results(out).runs) == REPS
        assert cli.main(["compare", str(out), "--outcomes", "killings"]) == 0
    assert _warnings_in(capsys.readouterr().err) == []


def test_failed_runs_are_counted_in_the_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture) -> None:
    real = engine.build_model

    def fail_second_rep(spec: Any, *args: Any) -> Any:
        if spec.rep == 1:
            raise RuntimeError("a model that breaks")
        return real(spec, *args)

    monkeypatch.setattr(engine, "build_model", fail_second_rep)
    out = tmp_path / "failed"
    assert _batch(out) == 1
    capsys.readouterr()
    assert cli.main(["compare", str(out), "--outcomes", "killings"]) == 0
    assert _warnings_in(capsys.readouterr().err) == [
        f"warning: {out}: {REPS - 1} of {REPS} runs (1 failed; --resume runs the rest); only these {REPS - 1} are used"]


def test_compare_of_a_batch_interrupted_before_any_run_is_a_clear_error(tmp_path: Path,
                                                                         capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "empty"
    _interrupted_batch(out, after=0)
    capsys.readouterr()
    assert cli.main(["compare", str(out)]) == 2  # used to be a KeyError traceback
    err = capsys.readouterr().err
    assert f"insim compare: error: {out}: holds no finished run" in err and "none can be used" in err, err
