"""Where a batch's runs are made: a pool of local worker processes, or Dask; results as they finish.

The function that makes one run is passed in (the engine's ``run_one``), so that it is looked up
when the batch starts. Local workers are forked from the batch's process where that is safe, else
spawned (:func:`start_method`). Worker processes end with the batch: when its process is gone, and
at once when it is interrupted (Ctrl-C, SIGTERM) through a shared stop flag, without private APIs.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import gc
import importlib
import multiprocessing
import os
import signal
import sys
import threading
import time
import traceback
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from sim.batch.plan import RunSpec
from sim.batch.probe import RunProbe
from sim.batch.runresult import LOST, RunResult, summary_ids
from sim.errors import InputError
from sim.held_signals import put_back

#: how often (seconds) a worker looks whether the batch has stopped or its process is gone
STOP_POLL_S = 0.2
#: what a worker process needs imported for a run (imported, then frozen, before its first run)
MODEL_MODULES = ("sim.model",)
#: the most runs a local worker is sent at a time (each task and its answer cost the batch's process
#: some work: a message each way, a future, its threads' turns)
CHUNK_RUNS = 4
#: the environment variable that chooses how local workers start, instead of :func:`start_method`
START_ENV = "INSIM_WORKER_START"
START_METHODS = ("fork", "spawn")


def start_method() -> str:
    """How a batch's local worker processes start: ``fork`` or ``spawn``.

    ``fork`` on Linux when this process runs no thread but its main one: a forked worker inherits
    the model this process has already imported, where a spawned one imports it again (about 1.2 CPU
    s a worker: 2.4 ms a run of a 1,000-run batch on two workers, benchmarks/README.md), and a
    user's script then needs no ``if __name__ == "__main__"`` guard. ``spawn`` otherwise: forking
    while another Python thread holds a lock (a Jupyter kernel's, a Dask client's, a progress bar's
    monitor) can leave the child waiting on it for ever, and macOS and Windows do not fork safely.
    The thread pools of compiled libraries (OpenBLAS, Arrow) are not counted: they reset themselves
    in a forked child (``pthread_atfork``). ``$INSIM_WORKER_START`` (fork or spawn) chooses instead.
    """
    chosen = os.environ.get(START_ENV, "").strip().lower()
    if chosen:
        available = [m for m in START_METHODS if m in multiprocessing.get_all_start_methods()]
        if chosen not in available:
            raise InputError(None, START_ENV, f"{os.environ[START_ENV]!r} is not a way to start workers here",
                             allowed=" or ".join(available) + ", or unset to choose by the platform")
        return chosen
    return "fork" if sys.platform.startswith("linux") and threading.active_count() == 1 else "spawn"


def _worker_start(parent: int, stop: Any, preload: tuple[str, ...] = ()) -> None:
    """In a worker: end this process as soon as the batch stops (``stop.value`` is set) or its process is gone.

    Ctrl-C is the batch's to handle: the worker ignores SIGINT (a terminal sends it to the whole
    process group), and the batch sets ``stop`` when it is interrupted, so a run in progress ends at
    once instead of finishing (it is lost anyway: resume runs it again). No orphans either way.
    ``stop`` is a lock-free shared flag, polled: a SIGTERM to the whole group (``timeout``, systemd)
    kills the workers at any point, and one killed inside a wait on a multiprocessing Event left its
    lock or its condition's count taken, so that the batch waited for ever to set it.

    The modules in ``preload`` are imported first and everything then alive is frozen out of the
    cyclic garbage collector (:func:`gc.freeze`): the libraries' ~100,000 objects live as long as
    the worker, and every full collection during a run would scan them again.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a forked worker inherits the batch's handler; a SIGTERM ends it
    preload_and_freeze(preload)

    def watch() -> None:
        while os.getppid() == parent and not stop.value:
            time.sleep(STOP_POLL_S)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="insim-parent-watch").start()


#: the collector's thresholds while runs are made (Python's are 700, 10, 10): the youngest objects are
#: looked at after this many new ones instead of 700. A model's build makes tens of thousands of
#: objects that live as long as its run; at 700 the young collections moved most of them into the
#: oldest generation, whose full collections then scanned the garbage of earlier runs (in a worker,
#: 8.7 ms of a 65 ms six-month run; 1.8-2.6 ms at these, measured in benchmarks/README.md, stop 28).
RUN_GC_THRESHOLD = (10_000, 10, 10)


def preload_and_freeze(modules: tuple[str, ...]) -> None:
    """In a worker process, before its first run: import ``modules``, leave everything then alive
    out of the cyclic garbage collector (:func:`gc.freeze`), so that the collections a run sets off
    do not scan the libraries' ~100,000 objects again and again (about 30 ms of a six-month run), and
    collect young objects less often (:data:`RUN_GC_THRESHOLD`)."""
    for module in modules:
        importlib.import_module(module)
    gc.collect()
    gc.freeze()
    gc.set_threshold(*RUN_GC_THRESHOLD)


def run_args(spec: RunSpec, probe: RunProbe | None) -> tuple[Any, ...]:
    """The arguments of the run function for ``spec`` (the probe only when there is one)."""
    return (spec,) if probe is None else (spec, probe)


def run_chunk(run: Callable[..., Any], specs: list[RunSpec], probe: RunProbe | None) -> list[Any]:
    """In a worker: ``run`` for each of ``specs``, in order (one task, one message back, for several runs)."""
    return [run(*run_args(spec, probe)) for spec in specs]


def chunk_size(n_runs: int, workers: int) -> int:
    """Runs sent to a local worker at a time: up to :data:`CHUNK_RUNS`, but at least four tasks a worker,
    so that the workers finish together."""
    return max(1, min(CHUNK_RUNS, n_runs // (4 * workers)))


def local_pool(run: Callable[..., RunResult], todo: list[RunSpec], workers: int,
               probe: RunProbe | None = None, preload: tuple[str, ...] = MODEL_MODULES,
               method: str | None = None) -> Iterator[RunResult]:
    """Run ``todo`` with ``run`` on ``workers`` new processes; results in the order they finish.

    Runs are sent :func:`chunk_size` at a time (:func:`run_chunk`); a worker that dies loses the runs
    of its chunk (reported as lost: resume runs them again).

    Each worker has ``run``'s module and the modules in ``preload`` imported before its first run:
    a forked one from this process, which imports them first. ``method`` (fork or spawn) is how
    they start; by default :func:`start_method` chooses.
    """
    method = method or start_method()
    modules = (run.__module__, *preload)
    if method == "fork":
        for module in modules:
            importlib.import_module(module)
    ctx = multiprocessing.get_context(method)
    stop = ctx.RawValue("b", 0)  # no lock: setting it never waits for a worker (see _worker_start)
    pool = cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_worker_start,
                                  initargs=(os.getpid(), stop, modules))
    try:
        futures: dict[cf.Future[list[RunResult]], list[RunSpec]] = {}
        unsent: list[RunResult] = []
        size = chunk_size(len(todo), workers)
        chunks = [todo[k:k + size] for k in range(0, len(todo), size)]
        with interrupts_held(), warnings.catch_warnings():  # the submits start the workers
            # Python warns of any thread when it forks, the compiled libraries' pools too (see start_method)
            warnings.filterwarnings("ignore", r"This process .*is multi-threaded", DeprecationWarning)
            for n, specs in enumerate(chunks):
                try:
                    futures[pool.submit(run_chunk, run, specs, probe)] = specs
                except BrokenProcessPool as exc:  # a worker died (killed, or a spawned one failed at import)
                    # the runs not sent are lost like those sent before: reported, and resume runs them
                    unsent = [lost_run(later, exc) for rest in chunks[n:] for later in rest]
                    break
        for future in cf.as_completed(futures):
            yield from results_of(future, futures[future])
        yield from unsent
    except BaseException:
        stop.value = 1  # every worker ends now, its run in progress too (see _worker_start)
        # wait for them: a worker still starting reads what this process shares with it, which
        # goes when this process exits (the worker would die with a traceback); one that is
        # importing ends when it starts watching the flag, within its import time (~1-2 s)
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


@contextlib.contextmanager
def interrupts_held() -> Iterator[None]:
    """While worker processes start: they are born ignoring Ctrl-C, and a SIGTERM waits for the block's end.

    Starting a worker writes what it needs into its pipe; a SIGTERM in the middle (the batch's
    process then shuts down) left the new process reading half a message, and a Ctrl-C (which a
    terminal sends to every process of the group) reached workers still importing: either way they
    died with a traceback on the terminal. During the block SIGINT is ignored, a setting the new
    processes inherit from birth (Python keeps an inherited "ignore"; :func:`_worker_start` sets it
    again), and SIGTERM is noted and sent again when the block ends, to the handler in place before.
    A Ctrl-C in those few milliseconds (the first submits start the workers) is lost: press it again.
    """
    if threading.current_thread() is not threading.main_thread():  # only the main thread has handlers
        yield
        return
    caught: list[int] = []
    previous = {signal.SIGINT: signal.signal(signal.SIGINT, signal.SIG_IGN),
                signal.SIGTERM: signal.signal(signal.SIGTERM, lambda signum, frame: caught.append(signum))}
    try:
        yield
    finally:
        put_back(previous)
        if caught:
            os.kill(os.getpid(), caught[0])


@contextlib.contextmanager
def frozen_garbage() -> Iterator[None]:
    """While a batch runs: what is alive in its process now (libraries, the caller's objects) is left
    out of the cyclic garbage collector, as in a worker (see :func:`_worker_start`), so that the
    collections its runs and results set off do not scan it again and again; it is put back
    afterwards, so that what dies later is collected as usual. (Python cannot unfreeze part of what
    is frozen: the few hundred objects the interpreter freezes when it starts are put back too.)
    Young objects are collected less often meanwhile, as in a worker (:data:`RUN_GC_THRESHOLD`)."""
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(*RUN_GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def result_of(future: Any, spec: RunSpec) -> RunResult:
    """A future's result; a worker that died (not the model failing) gives a lost run."""
    try:
        return future.result()
    except Exception as exc:
        return failed_run(spec, exc)


def results_of(future: Any, specs: list[RunSpec]) -> list[RunResult]:
    """The results of a chunk of runs (:func:`run_chunk`); a worker that died loses the chunk's every run."""
    try:
        return future.result()
    except Exception as exc:
        return [failed_run(spec, exc) for spec in specs]


def failed_run(spec: RunSpec, exc: BaseException) -> RunResult:
    """What a run whose task raised ``exc`` gives: lost if its worker died, else failed with the traceback."""
    if isinstance(exc, BrokenProcessPool | cf.CancelledError) or type(exc).__name__ == "KilledWorker":
        return lost_run(spec, exc)
    text = "".join(traceback.format_exception(exc))  # e.g. a result that could not travel back
    summary = {**summary_ids(spec), "status": "failed", "error": f"{type(exc).__name__}: {exc}"}
    return RunResult(spec, False, summary, {}, [], 0.0, error=text)


def lost_run(spec: RunSpec, cause: BaseException) -> RunResult:
    """The result of a run lost because a worker process died or could not start (not stored; resume runs it)."""
    why = ("its worker process died or could not start (killed by the system, e.g. out of memory, "
           f"or by a signal): {type(cause).__name__}")
    summary = {**summary_ids(spec), "status": LOST, "error": why}
    return RunResult(spec, False, summary, {}, [], 0.0, error=why)


def dask_results(run: Callable[..., RunResult], todo: list[RunSpec], workers: int, address: str,
                 dashboard: str | None = None, probe: RunProbe | None = None,
                 preload: tuple[str, ...] = MODEL_MODULES) -> Iterator[RunResult]:
    """Run ``todo`` with ``run`` on Dask: a LocalCluster (``address="local"``) or a scheduler's address.

    Each worker imports ``run``'s module and ``preload`` and freezes them before the runs (as a local
    worker does, :func:`preload_and_freeze`; see :mod:`sim.batch.dask_workers`).
    """
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise InputError(None, "dask", "dask.distributed is not installed",
                         allowed="pip install 'insim[dask]' or run without dask") from None
    from sim.batch.dask_workers import prepare_workers, scheduler_client

    with contextlib.ExitStack() as stack:
        if address == "local":
            # the dashboard is a web server: only when asked for
            cluster = stack.enter_context(LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                                       dashboard_address=dashboard, host="127.0.0.1"))
            client = stack.enter_context(Client(cluster))
        else:
            client = stack.enter_context(scheduler_client(address))
        prepare_workers(client, (run.__module__, *preload))
        futures = {client.submit(run, *run_args(spec, probe), key=f"insim-{spec.run_id}-{spec.seed}",
                                 pure=False): spec for spec in todo}
        by_key = {f.key: spec for f, spec in futures.items()}
        try:
            for future in as_completed(list(futures)):
                yield result_of(future, by_key[future.key])
        except BaseException:
            client.cancel(list(futures))
            raise
