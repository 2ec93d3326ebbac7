"""A worker that dies while the batch is still sending runs to the pool: the runs not yet sent are
lost like those sent before (reported, resumed), not a crash.

Python 3.12's ``ProcessPoolExecutor.submit`` raises ``BrokenProcessPool`` once a worker has died;
the tests make each submit wait until the run sent before it has ended, so that the pool is
broken (for real, by a worker killed as the system would) before the last runs are sent.
"""

from __future__ import annotations

import concurrent.futures as cf
import json
import os
import signal
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

import sim.batch.engine as engine
from sim import cli
from sim.batch import RunSpec, batch, run_one
from sim.batch.store import stored_runs
from sim.errors import BatchError

ARGS = ["baseline", "--set", "months=2", "--reps", "4", "--seed", "5", "--workers", "2", "--no-plots", "--quiet"]


def _die_on_rep_1(spec: RunSpec) -> engine.RunResult:
    """In a worker process: the system kills this worker (as the OOM killer would) on replication 1."""
    if spec.rep == 1:
        os.kill(os.getpid(), signal.SIGKILL)
    return run_one(spec)


def _send_one_at_a_time(monkeypatch: pytest.MonkeyPatch) -> list[cf.Future]:
    """Each submit waits until the run sent before it has ended (so a worker's death has broken the pool)."""
    submit = cf.ProcessPoolExecutor.submit
    sent: list[cf.Future] = []

    def one_at_a_time(self: cf.ProcessPoolExecutor, *args: object, **kwargs: object) -> cf.Future:
        if sent:
            cf.wait(sent[-1:])
        sent.append(submit(self, *args, **kwargs))
        return sent[-1]

    monkeypatch.setattr(cf.ProcessPoolExecutor, "submit", one_at_a_time)
    return sent


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the dying run function reaches forked workers by name")
def test_runs_not_sent_when_a_worker_dies_are_lost_and_resumed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setenv("INSIM_WORKER_START", "fork")
    monkeypatch.setattr(engine, "run_one", _die_on_rep_1)  # pickled by name: the forked workers use it too
    sent = _send_one_at_a_time(monkeypatch)
    out = tmp_path / "out"
    assert cli.main(["batch", *ARGS, "--out", str(out)]) == 1
    assert len(sent) == 2  # r000 finished, r001 killed its worker, r002 and r003 could not be sent
    printed = capsys.readouterr()
    assert "1 done now, 0 already done, 0 failed, 3 lost" in printed.out and "worker process died" in printed.out
    assert "were lost of 4" in printed.err and "--resume" in printed.err
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "with failures"
    assert sorted(manifest["lost"]) == ["baseline-base-r001", "baseline-base-r002", "baseline-base-r003"]
    assert stored_runs(out) == {"baseline-base-r000"}  # the finished run is kept

    monkeypatch.undo()
    monkeypatch.setenv("INSIM_WORKER_START", "fork")
    assert cli.main(["batch", *ARGS, "--out", str(out), "--resume"]) == 0
    assert "3 done now, 1 already done, 0 failed, 0 lost" in capsys.readouterr().out
    assert json.loads((out / "manifest.json").read_text())["status"] == "complete"


def test_spawned_workers_that_break_the_pool_while_runs_are_sent_still_name_the_main_guard(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # spawned workers of a script without the `__main__` guard break the pool as they start: when that
    # happens before every run is sent, batch() must still raise its BatchError with the hint
    monkeypatch.setenv("INSIM_WORKER_START", "spawn")
    submit = cf.ProcessPoolExecutor.submit

    def broken_after_one(self: cf.ProcessPoolExecutor, *args: object, **kwargs: object) -> cf.Future:
        if getattr(self, "sent_by_test", False):
            raise BrokenProcessPool("A child process terminated abruptly, the process pool is not usable anymore")
        self.sent_by_test = True  # type: ignore[attr-defined]
        return submit(self, *args, **kwargs)

    monkeypatch.setattr(cf.ProcessPoolExecutor, "submit", broken_after_one)
    with pytest.raises(BatchError) as raised:
        batch(["baseline"], reps=3, seed=5, sets={"months": 2}, out=tmp_path / "out", workers=2)
    assert "2 of 3 runs were lost" in str(raised.value) and 'if __name__ == "__main__"' in str(raised.value)
