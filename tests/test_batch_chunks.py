"""Local workers are sent several runs at a time (sim.batch.executors.run_chunk): every run comes back
once, and a worker that dies loses the runs of its chunk, which resume runs again."""

from __future__ import annotations

import os
import signal
import sys

import pytest

from sim.batch.executors import CHUNK_RUNS, chunk_size, local_pool
from sim.batch.plan import plan
from sim.batch.runresult import LOST


def _echo(spec: object) -> tuple[object, int]:
    return spec, os.getpid()


def _die_on_third(spec: object) -> object:
    if spec.rep == 2:  # type: ignore[attr-defined]
        os.kill(os.getpid(), signal.SIGKILL)
    return spec


def test_chunks_are_small_enough_to_share_the_work() -> None:
    assert chunk_size(1, 2) == 1 and chunk_size(7, 2) == 1  # too few runs: one at a time
    assert chunk_size(1000, 2) == CHUNK_RUNS and chunk_size(1000, 200) == 1
    for n, workers in ((40, 2), (33, 3), (500, 8)):
        assert n / chunk_size(n, workers) >= 4 * workers - 1  # at least about four tasks a worker


def test_every_run_comes_back_once_from_chunks() -> None:
    runs = list(range(40))
    answers = list(local_pool(_echo, runs, 2, preload=()))
    assert sorted(spec for spec, _ in answers) == runs
    assert os.getpid() not in {pid for _, pid in answers}  # made by the workers


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="SIGKILL of a worker")
def test_a_worker_killed_mid_chunk_loses_its_chunk() -> None:
    specs = plan(["baseline"], reps=16, seed=1, sets={"months": 1})  # chunks of 2 on 2 workers
    assert chunk_size(len(specs), 2) == 2
    answers = list(local_pool(_die_on_third, specs, 2, preload=()))
    assert len(answers) == len(specs)
    lost = [a.run_id for a in answers if getattr(a, "summary", {}).get("status") == LOST]
    assert specs[2].run_id in lost and specs[3].run_id in lost  # the killed worker's chunk, both runs
    assert {a.run_id for a in answers} == {s.run_id for s in specs}
