"""Runs a picklable function over many inputs on local processes, or on a Dask cluster.

No home-made pool or cluster: :class:`multiprocessing.pool.Pool` locally (fresh ``spawn``
processes, born ignoring Ctrl-C, which import the model and freeze it out of the garbage collector
before their runs, ended at once with :meth:`~multiprocessing.pool.Pool.terminate` when the caller
is interrupted), and ``dask.distributed.Client.map`` when a scheduler address (or ``local``) is
given, its workers prepared the same way (:mod:`sim.batch.dask_workers`).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from typing import Any

from sim.batch.executors import MODEL_MODULES, interrupts_held, preload_and_freeze
from sim.errors import InputError
from sim.held_signals import put_back


def default_workers() -> int:
    """Worker processes when none is asked for: the CPUs this process may use."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def check_dask(address: str | None) -> None:
    """InputError naming ``--dask`` if the calibration could not use it, checked before anything is
    written: dask.distributed must be installed, and a scheduler is reached, then left."""
    import importlib.util

    if address is None:
        return
    if importlib.util.find_spec("distributed") is None:
        raise InputError(None, "--dask", "dask.distributed is not installed",
                         allowed="pip install 'insim[dask]', or run without --dask")
    if address != "local":
        from sim.batch.dask_workers import scheduler_client

        scheduler_client(address, "--dask").close()


@contextmanager
def dask_client(address: str, workers: int | None = None) -> Iterator[Any]:
    """A Dask client: to the scheduler at ``address``, or to a new local cluster for ``local``.

    Its workers have the model imported and frozen out of the garbage collector before the runs
    (:mod:`sim.batch.dask_workers`).
    """
    from dask.distributed import Client, LocalCluster

    from sim.batch.dask_workers import prepare_workers, scheduler_client

    with ExitStack() as stack:  # closed in reverse: the client first, then a local cluster
        if address == "local":
            # as a batch's (sim.batch.executors.dask_results): no dashboard, which Dask would otherwise
            # serve on every interface at :8787, and the scheduler on this machine only
            cluster = stack.enter_context(LocalCluster(n_workers=workers or default_workers(), threads_per_worker=1,
                                                       processes=True, dashboard_address=None, host="127.0.0.1"))
            client = stack.enter_context(Client(cluster))
        else:
            client = stack.enter_context(scheduler_client(address, "--dask"))
        prepare_workers(client)
        yield client


def run_all(fn: Callable[[Any], Any], items: Sequence[Any], workers: int | None = None, dask: str | None = None,
            on_done: Callable[[int], None] | None = None) -> list[Any]:
    """``[fn(x) for x in items]`` in parallel, in order; ``on_done(k)`` after each result (k done so far)."""
    results: list[Any] = [None] * len(items)
    if dask:
        from dask.distributed import as_completed

        with dask_client(dask, workers) as client:
            futures = client.map(fn, list(items), pure=False)
            index = {f.key: i for i, f in enumerate(futures)}
            for k, future in enumerate(as_completed(futures), 1):
                results[index[future.key]] = future.result()
                if on_done:
                    on_done(k)
        return results
    workers = workers or default_workers()
    if workers == 1:
        for k, item in enumerate(items, 1):
            results[k - 1] = fn(item)
            if on_done:
                on_done(k)
        return results
    # spawn, not fork: no handlers or threads copied from this process. A terminal's Ctrl-C reaches
    # every process of the group: the workers ignore it (set while they start, so from birth) and
    # this process ends them at once instead of letting them print a traceback each
    with interrupts_held():  # each worker imports the model and freezes it out of the garbage collector
        pool = multiprocessing.get_context("spawn").Pool(workers, initializer=preload_and_freeze,
                                                         initargs=(MODEL_MODULES,))
    try:
        for k, result in enumerate(pool.imap(fn, items, chunksize=max(1, len(items) // (workers * 8))), 1):
            results[k - 1] = result
            if on_done:
                on_done(k)
    except BaseException:
        pool.terminate()  # the runs in progress are lost: the caller's work is resumable or restarts
        pool.join()
        raise
    pool.close()
    pool.join()
    return results


@contextmanager
def quiet_forked_workers() -> Iterator[None]:
    """While pyabc's multicore sampler forks its workers: Ctrl-C and SIGTERM act in this process only.

    Forked workers inherit this process's Python signal handlers. A terminal's Ctrl-C reaches every
    process of the group, and at exit :mod:`multiprocessing` ends daemonic workers with SIGTERM: both
    used to raise KeyboardInterrupt in each worker, which printed a traceback. Inside the block, in
    this process the handlers in place before act as usual; in a forked worker Ctrl-C is ignored
    (this process ends them) and SIGTERM ends the worker at once, quietly.
    """
    if threading.current_thread() is not threading.main_thread():  # only the main thread has handlers
        yield
        return
    here = os.getpid()
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}

    def handler(signum: int, frame: Any) -> None:
        if os.getpid() != here:  # a forked worker
            if signum == signal.SIGTERM:
                os._exit(1)
            return
        before = previous[signum]
        if callable(before):
            before(signum, frame)
        elif before == signal.SIG_DFL:  # what the default would have done
            signal.signal(signum, signal.SIG_DFL)
            os.kill(here, signum)

    for sig in previous:
        signal.signal(sig, handler)
    try:
        yield
    finally:
        put_back(previous)
