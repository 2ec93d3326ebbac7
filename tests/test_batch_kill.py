"""A batch killed at random points (its workers, or the batch process itself) and resumed gives
the same tables as a batch that was never interrupted, and leaves no worker process behind.

Runs are short (6 months, 40 of them); the kills come at random fractions of the uninterrupted
batch's time, drawn from a seeded generator, so the test is repeatable in what it tries (not in
where exactly the kills land, which depends on the machine's speed).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from terminal import default_ctrl_c, disposition

from sim.batch.store import stored_runs

ROOT = Path(__file__).resolve().parents[1]
ARGS = ["baseline", "--set", "months=6", "--reps", "40", "--seed", "9", "--workers", "2", "--no-plots", "--quiet"]
BYTE_EQUAL = ("runs.parquet", "monthly.parquet", "villages.parquet", "ema_experiments.csv", "ema_outcomes.csv")

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process trees from /proc")


def _batch(out: Path, log: Path, own_group: bool = False, start: str | None = None) -> subprocess.Popen:
    """``insim batch`` in a new process; its workers forked or spawned as ``start`` says (default: as chosen)."""
    env = {k: v for k, v in os.environ.items() if k != "INSIM_WORKER_START"} | ({"INSIM_WORKER_START": start}
                                                                             if start else {})
    # output to a file, not a pipe: an orphaned worker holding a pipe open would hang the test
    with log.open("w") as f:
        return subprocess.Popen([sys.executable, "-m", "sim", "batch", *ARGS, "--out", str(out), "--resume"],
                                cwd=ROOT, stdout=f, stderr=subprocess.STDOUT, text=True, start_new_session=own_group,
                                env=env, preexec_fn=default_ctrl_c)


def _stored(out: Path) -> int:
    """Runs stored in ``out`` (in bulk, or in folders of their own), as far as its manifest says yet."""
    return len(stored_runs(out)) if (out / "manifest.json").is_file() else 0


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) of a process, or None if it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = text.rsplit(")", 1)[1].split()
    return fields[0], int(fields[1])


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
            children.setdefault(stat[1], []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _started_workers(batch: subprocess.Popen, out: Path) -> list[int]:
    """The batch's worker processes, once the first has started (within two minutes).

    A new batch runs ``git`` (its manifest's code version) before it writes its manifest and
    starts its pool: waiting for the manifest too, a short-lived child seen then is never taken
    for a worker (nor, in the instant between its fork and its exec, when it still shows Python).
    """
    deadline = time.monotonic() + 120
    while (not (out / "manifest.json").exists() or not (workers := _workers(batch.pid))) \
            and batch.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert (out / "manifest.json").exists() and workers, "no worker started"
    return workers


def _cmdline(pid: int) -> bytes | None:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except (FileNotFoundError, ProcessLookupError):  # it ended between the listing and the read
        return None


def _workers(root: int) -> list[int]:
    """The worker processes of the batch ``root``: its descendants that run its Python (forked, or
    spawned), not the resource tracker, nor a command it runs (``git``, ``uname``)."""
    python = (_cmdline(root) or b"").split(b"\0")[0]
    pids = []
    for pid in _descendants(root):
        cmdline = _cmdline(pid)
        if cmdline and cmdline.split(b"\0")[0] == python and b"resource_tracker" not in cmdline:
            pids.append(pid)
    return pids


def _ends(proc: subprocess.Popen, timeout: float, what: str) -> int:
    """``proc``'s exit status; the test fails if it has not ended within ``timeout`` seconds (generous:
    a hang is for ever), and then it is killed, its process group too, so that no batch is left running."""
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        if os.getpgid(proc.pid) == proc.pid:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.kill()
        proc.wait()
        pytest.fail(f"{what} did not end within {timeout:.0f} s")


def _gone(pids: list[int], timeout: float = 60.0) -> list[int]:
    """The pids still alive (not gone, not a zombie) after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    alive = list(pids)
    while alive and time.monotonic() < deadline:
        alive = [p for p in alive if (s := _stat(p)) is not None and s[0] != "Z"]
        time.sleep(0.2)
    return alive


def test_killed_and_resumed_batches_equal_an_uninterrupted_one(tmp_path: Path) -> None:
    reference = tmp_path / "reference"
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "sim", "batch", *ARGS, "--out", str(reference)], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    reference_seconds = time.monotonic() - started

    out = tmp_path / "killed"
    rng = random.Random(2019)
    faults = []
    for attempt in range(4):
        log = tmp_path / f"attempt{attempt}.log"
        batch = _batch(out, log)
        victim = ("parent", "worker", "terminate", "parent")[attempt]
        deadline = time.monotonic() + 120
        # wait for the workers (a SIGTERM before the program has set its handler, while Python imports,
        # is an ordinary kill with nothing to keep), then kill at a random moment of the batch's life
        # (mid-run, mid-write, ...), scaled by the uninterrupted batch's time: runs are stored in
        # groups, so on a fast machine waiting for a count of stored runs could find the batch done
        while not _workers(batch.pid) and batch.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(rng.uniform(0.0, 0.5) * reference_seconds)
        workers = _workers(batch.pid)
        if batch.poll() is not None:
            faults.append(f"{victim}: finished before the kill")
            break
        if victim == "worker" and not workers:  # the workers were done: only storing was left
            _ends(batch, 300, "the batch")
            faults.append("worker: no worker alive at the kill")
            break
        if victim == "worker" and workers:
            try:
                os.kill(rng.choice(workers), signal.SIGKILL)
            except ProcessLookupError:  # it ended since the listing: the pool was shutting down, its runs done
                _ends(batch, 300, "the batch")
                faults.append("worker: it had ended before the kill")
                break
        elif victim == "terminate":
            batch.send_signal(signal.SIGTERM)
        else:
            batch.kill()
        _ends(batch, 300, f"the batch, after the {victim} kill,")
        err = log.read_text()
        faults.append(f"{victim} killed (exit {batch.returncode}, {_stored(out)} runs stored)")
        if victim in ("worker", "terminate") and batch.returncode == 0 and _stored(out) == 40:
            # a worker killed after the last result (while the pool shut down), or a SIGTERM after the work
            faults[-1] = f"{victim}: the kill came after the last run (a clean finish)"
            break
        if victim == "worker":  # reported as lost runs, not as a traceback folder
            assert batch.returncode == 1 and "lost" in err and "worker process died" in err, err
        if victim == "terminate":
            assert batch.returncode == 130 and "Traceback" not in err, err
        assert _gone(workers) == [], f"orphaned workers after {victim} kill"

    final = _batch(out, tmp_path / "final.log")
    assert _ends(final, 600, "the final resume") == 0, (tmp_path / "final.log").read_text()
    print("faults:", "; ".join(faults))

    for name in BYTE_EQUAL:
        assert (out / name).read_bytes() == (reference / name).read_bytes(), name
    assert len(pd.read_parquet(out / "runs.parquet")) == 40 and (out / "timings.csv").is_file()
    assert not (out / ".lock").exists() and not list(out.glob(".tmp-*"))


@pytest.mark.parametrize("start", ["fork", "spawn"])
def test_a_sigterm_while_the_workers_start_ends_the_batch_cleanly(tmp_path: Path, start: str) -> None:
    # a worker still starting reads the batch's stop event; if the batch exits first, the worker died
    # with a traceback on the shared terminal (found by the kill test above)
    out, log = tmp_path / "batch", tmp_path / "batch.log"
    batch = _batch(out, log, start=start)
    workers = _started_workers(batch, out)
    batch.send_signal(signal.SIGTERM)
    _ends(batch, 300, "the batch, after a SIGTERM while its workers started,")
    err = log.read_text()
    assert batch.returncode == 130 and "interrupted" in err, err
    assert "Traceback" not in err, err
    assert _gone(workers) == [], "orphaned workers"


def test_an_interrupt_while_workers_start_waits_for_the_block_to_end() -> None:
    from sim.batch.executors import interrupts_held

    def handler(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    done = []
    previous = signal.signal(signal.SIGTERM, handler)
    try:
        with pytest.raises(KeyboardInterrupt), interrupts_held():
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(0.2)  # the signal arrives here and waits
            done.append("block finished")
        assert done == ["block finished"]
        assert signal.getsignal(signal.SIGTERM) is handler
    finally:
        signal.signal(signal.SIGTERM, previous)


@pytest.mark.parametrize("start", ["fork", "spawn"])
def test_ctrl_c_to_the_whole_group_while_workers_start_ends_the_batch_cleanly(tmp_path: Path, start: str) -> None:
    # a terminal's Ctrl-C reaches every process of the group; spawned workers still importing used to
    # die with a KeyboardInterrupt traceback each (3 of 3 tries, before they were born ignoring it)
    out, log = tmp_path / "batch", tmp_path / "batch.log"
    batch = _batch(out, log, own_group=True, start=start)
    workers = _started_workers(batch, out)
    # the batch ignores Ctrl-C while it starts its workers (executors.interrupts_held): a Ctrl-C then
    # is lost by design, so wait for the end of that block, however slowly a loaded machine gets there
    deadline = time.monotonic() + 120
    while disposition(batch.pid, signal.SIGINT) == "ignored" and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.3)  # past the start of the workers: into their imports (spawned) or first runs (forked)
    os.killpg(batch.pid, signal.SIGINT)
    _ends(batch, 300, "the batch, after a Ctrl-C while its workers started,")
    err = log.read_text()
    assert batch.returncode == 130 and "interrupted" in err, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert _gone(workers) == [], "orphaned workers"


def test_sigterm_to_the_whole_group_mid_batch_ends_it_like_ctrl_c(tmp_path: Path) -> None:
    # `timeout`, systemd and `kill -- -PGID` send SIGTERM to every process of the group: the workers,
    # killed inside their wait on the batch's stop event, left it locked and the batch hung for ever
    out, log = tmp_path / "batch", tmp_path / "batch.log"
    batch = _batch(out, log, own_group=True)
    workers = _started_workers(batch, out)
    time.sleep(0.5)  # into the first runs
    os.killpg(batch.pid, signal.SIGTERM)
    _ends(batch, 300, "the batch, after a SIGTERM to its process group,")  # it hung for ever
    err = log.read_text()
    assert batch.returncode == 130 and "interrupted" in err and "--resume" in err, err
    assert "Traceback" not in err, err
    assert json.loads((out / "manifest.json").read_text())["status"] == "interrupted"
    assert _gone(workers) == [], "orphaned workers"


def _calibrate(out: Path, log: Path, *args: str) -> subprocess.Popen:
    """``insim calibrate history`` in its own process group (so a Ctrl-C can reach all of it), output to ``log``.

    Unbuffered: the tests wait for its progress lines, which a Python printing into a file would
    otherwise keep in its buffer until it exits (unless the suite runs with $PYTHONUNBUFFERED set).
    """
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with log.open("w") as f:
        return subprocess.Popen([sys.executable, "-m", "sim", "calibrate", "history", "--out", str(out), *args],
                                cwd=ROOT, stdout=f, stderr=subprocess.STDOUT, text=True, start_new_session=True,
                                env=env, preexec_fn=default_ctrl_c)


def test_ctrl_c_to_the_group_during_a_calibrations_wave_ends_it_at_once(tmp_path: Path) -> None:
    # the history-matching wave's pool used to go on with every run left after Ctrl-C (its shutdown
    # waited for them): a 200-run wave takes about a minute on 2 cores
    log = tmp_path / "calib.log"
    proc = _calibrate(tmp_path / "calib", log, "--population", "4", "--generations", "1",
                      "--history-matching-runs", "200", "--workers", "2")
    deadline = time.monotonic() + 300
    started = None  # when the wave started, as the test saw it
    while "wave" not in (text := log.read_text()) and proc.poll() is None and time.monotonic() < deadline:
        if started is None and "Latin-hypercube runs" in text:
            started = time.monotonic()
        time.sleep(0.05)  # the wave's runs are under way once it reports progress (after a tenth)
    first_tenth = time.monotonic() - started if started is not None else 0.0
    workers = _descendants(proc.pid)
    assert workers and proc.poll() is None, log.read_text()
    os.killpg(proc.pid, signal.SIGINT)
    sent = time.monotonic()
    _ends(proc, 600, "the calibration, after a Ctrl-C during its wave,")
    took = time.monotonic() - sent
    err = log.read_text()
    assert proc.returncode == 130 and "interrupted" in err, err
    # the nine tenths of the runs left take 9 times the first tenth, at this machine's speed now
    # (its pool's start included): ending in under half that time (or 10 s if more) means they did not go on
    assert took < max(10.0, 9 * first_tenth / 2), \
        f"{took:.1f} s from Ctrl-C to the end (the first tenth took {first_tenth:.1f} s): the wave's runs went on"
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert _gone(workers) == [], "orphaned workers"


@pytest.mark.parametrize("how", ["ctrl_c_to_the_group", "sigterm_to_the_command"])
def test_an_interrupted_abc_generation_ends_quietly_and_keeps_what_is_stored(tmp_path: Path, how: str) -> None:
    # pyabc's multicore sampler forks its workers, which inherited the command's handlers: a Ctrl-C,
    # and the SIGTERM multiprocessing sends daemonic workers at exit, printed a traceback in each
    log = tmp_path / "calib.log"
    proc = _calibrate(tmp_path / "calib", log, "--population", "30", "--generations", "2",
                      "--history-matching-runs", "0", "--workers", "2")
    deadline = time.monotonic() + 120
    while "Parallelize sampling" not in log.read_text() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.0)  # into the generation's runs
    workers = _descendants(proc.pid)
    assert workers and proc.poll() is None, log.read_text()
    if how == "ctrl_c_to_the_group":
        os.killpg(proc.pid, signal.SIGINT)
    else:
        proc.send_signal(signal.SIGTERM)
    _ends(proc, 300, f"the calibration, after {how},")
    err = log.read_text()
    assert proc.returncode == 130 and "run the same command to continue" in err, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert _gone(workers) == [], "orphaned workers"
