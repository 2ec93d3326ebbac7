"""How a batch's local workers start (sim.batch.executors.start_method): forked from the batch's
process when it runs no other thread, spawned otherwise or when ``$INSIM_WORKER_START`` says so."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim.batch import plan, run_batch
from sim.batch.executors import START_ENV, local_pool, start_method
from sim.errors import InputError
from sim.scenario import SCENARIOS

ROOT = Path(__file__).resolve().parents[1]
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux only")


def _environ(extra: dict[str, str] | None = None) -> dict[str, str]:
    """This process's environment without ``$INSIM_WORKER_START``, plus ``extra``."""
    return {k: v for k, v in os.environ.items() if k != START_ENV} | (extra or {})


def _chosen(code: str = "", env: dict[str, str] | None = None) -> str:
    """What start_method() answers in a new Python process after running ``code``."""
    script = f"{code}\nfrom sim.batch.executors import start_method\nprint(start_method())"
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT,
                          env=_environ(env), timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


@linux_only
def test_workers_are_forked_only_from_a_process_without_other_threads() -> None:
    assert _chosen() == "fork"
    waiting = "import threading\nthreading.Thread(target=threading.Event().wait, daemon=True).start()"
    assert _chosen(waiting) == "spawn"
    assert _chosen(waiting, {START_ENV: "fork"}) == "fork"
    assert _chosen(env={START_ENV: " Spawn "}) == "spawn"


def test_a_bad_start_method_is_named_before_the_batch_writes_anything(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(START_ENV, "forkserver")
    with pytest.raises(InputError, match=f"{START_ENV}: 'forkserver' is not a way to start workers"):
        start_method()
    specs = plan([SCENARIOS / "baseline.toml"], reps=2, seed=1, sets={"months": 1})
    with pytest.raises(InputError, match=START_ENV):
        run_batch(specs, tmp_path / "out", workers=2, progress=False)
    assert not (tmp_path / "out").exists()
    run_batch(specs, tmp_path / "one", workers=1, progress=False)  # one worker starts no process: not read


def test_the_command_names_a_bad_start_method_with_exit_status_2(tmp_path: Path) -> None:
    env = _environ({START_ENV: "threads"})
    proc = subprocess.run([sys.executable, "-m", "sim", "batch", "baseline", "--set", "months=1", "--reps", "2",
                           "--workers", "2", "--out", str(tmp_path / "out"), "--no-plots"],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    assert proc.returncode == 2, proc.stderr
    assert f"{START_ENV}: 'threads' is not a way to start workers here (allowed: fork or spawn" in proc.stderr
    assert "Traceback" not in proc.stderr and not (tmp_path / "out").exists()


def _how_started(spec: object) -> str:
    """In a worker: 'spawned' if it is a new interpreter started by multiprocessing, else 'forked'."""
    return "spawned" if b"spawn_main" in Path("/proc/self/cmdline").read_bytes() else "forked"


@linux_only
@pytest.mark.parametrize("start", ["fork", "spawn"])
def test_the_pool_starts_its_workers_as_chosen(start: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(START_ENV, start)
    assert set(local_pool(_how_started, [object(), object()], 2)) == {f"{start}ed"}


def _sigterm_myself(spec: object) -> str:
    """In a worker: a SIGTERM (as ``kill`` sends) must end it, whatever handler the batch's process had."""
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(5)
    return "went on"


@linux_only
def test_a_forked_worker_dies_of_a_sigterm_and_its_run_is_lost(monkeypatch: pytest.MonkeyPatch) -> None:
    # a forked worker inherits the handlers of the process it is forked from: while the workers start,
    # the batch notes a SIGTERM for later (executors.interrupts_held), and a worker kept that
    monkeypatch.setenv(START_ENV, "fork")
    monkeypatch.setattr("sim.batch.executors.results_of",
                        lambda future, specs: [future.exception()] if future.exception() else future.result())
    answers = list(local_pool(_sigterm_myself, [object()], 1))
    assert len(answers) == 1 and type(answers[0]).__name__ == "BrokenProcessPool", answers


@linux_only
def test_a_script_without_a_main_guard_runs_its_batch_on_forked_workers(tmp_path: Path) -> None:
    # spawned workers import the script again (tests/test_batch.py: the batch then fails, naming the guard)
    script = tmp_path / "no_guard.py"
    script.write_text("from sim.batch import batch\n"
                      "results = batch(['baseline'], reps=2, sets={'months': 2}, workers=2)\n"
                      "print('rows', len(results.monthly))\n")
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300, cwd=tmp_path,
                          env=_environ())
    assert proc.returncode == 0, proc.stderr
    assert "rows 4" in proc.stdout


def _worker_state(spec: object = None) -> tuple[int, bool]:
    """In a worker: (objects frozen out of the garbage collector, whether the model is imported)."""
    import gc

    return gc.get_freeze_count(), "sim.model" in sys.modules


def test_dask_workers_have_the_model_imported_and_frozen_before_the_runs() -> None:
    pytest.importorskip("dask.distributed")
    from sim.batch.executors import dask_results
    from sim.fitting.runner import dask_client

    # a fresh worker has a few hundred objects frozen by the interpreter itself; the model's
    # libraries are about 100,000
    specs = plan([SCENARIOS / "baseline.toml"], reps=2, seed=1, sets={"months": 1})
    for frozen, loaded in dask_results(_worker_state, specs, 1, "local"):
        assert frozen > 20_000 and loaded
    with dask_client("local", 1) as client:  # the calibration's clients (pyabc's sampler, history matching)
        frozen, loaded = client.submit(_worker_state, pure=False).result()
        assert frozen > 20_000 and loaded


def test_history_matching_workers_have_the_model_frozen_before_their_runs() -> None:
    from sim.fitting.runner import run_all

    for frozen, loaded in run_all(_worker_state, [None, None, None, None], workers=2):
        assert frozen > 20_000 and loaded


CALIBRATION = """
[calibration]
scenario = "baseline"
population = 4
generations = 1
root_seed = 3
history_matching_runs = 0
posterior_predictive_runs = 0
fit_end = "2019-05"

[summaries]
attacks_2019 = 1.0

[parameters.killing_prob]
low = 0.1
high = 0.4
reason = "test: any range"
"""


def test_pyabcs_forked_workers_find_the_calibrations_objects_frozen(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # pyabc's multicore sampler forks its workers from the calibration's process; unfrozen, every
    # collection in a worker scanned that process's ~295,000 objects (56 ms of a history run)
    pytest.importorskip("pyabc")
    from sim.fitting import abc
    from sim.fitting.config import load_config
    from sim.fitting.summaries import ObservedRecord

    seen = tmp_path / "seen"
    seen.mkdir()
    scored = abc.ScoredSimulator.__call__

    def noting(self: object, scores: dict[str, float]) -> dict[str, float]:
        import gc

        (seen / str(os.getpid())).write_text(str(gc.get_freeze_count()))
        return scored(self, scores)

    monkeypatch.setattr(abc.ScoredSimulator, "__call__", noting)
    path = tmp_path / "config.toml"
    path.write_text(CALIBRATION)
    record = ObservedRecord({"attacks_2019": 10.0}, {"attacks_2019": ("2019-04", "2019-05")}, 1.0)
    calib = abc.prepare(load_config(path), tmp_path / "out", workers=2, record=record, say=lambda _: None)
    abc.run_abc(calib, say=lambda _: None)
    counts = {int(f.name): int(f.read_text()) for f in seen.iterdir()}
    assert counts and os.getpid() not in counts  # the runs were made in forked workers
    assert min(counts.values()) > 20_000, counts


def test_dask_workers_that_cannot_prepare_are_a_clear_error() -> None:
    # as on a cluster whose workers lack insim: setting the plugin up fails on the workers
    pytest.importorskip("dask.distributed")
    from dask.distributed import Client, LocalCluster

    from sim.batch.dask_workers import prepare_workers

    cannot = "dask: the Dask workers cannot prepare for the runs: ModuleNotFoundError"
    # no dashboard: its fixed port (8787) would be shared with any other cluster the suite starts meanwhile
    with (LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
          Client(cluster) as client, pytest.raises(InputError, match=cannot)):
        prepare_workers(client, ("sim.no_such_module",))
