"""Dask workers made ready for runs: the model imported and frozen out of the garbage collector once.

A local batch's workers do this before their first run (:func:`sim.batch.executors.preload_and_freeze`);
a Dask worker lives longer than a batch and is started by Dask, so a worker plugin does it, on the
workers there are and on any that join later, once per worker (a plugin of the same name already
there is kept). The freeze keeps what is alive at that moment (the libraries, Dask's own state)
out of the cyclic collector for the worker's life: freed when its last reference goes, but a
cycle among those objects is never collected, which is why it is done once, before the runs. The
plugin is found by its module on the workers, which need insim installed (as they do for the runs).
"""

from __future__ import annotations

from typing import Any

from distributed import WorkerPlugin

from sim.batch.executors import MODEL_MODULES, preload_and_freeze
from sim.errors import InputError

DASK_ALLOWED = "'local' or a scheduler address like tcp://host:8786"


def scheduler_client(address: str, key: str = "dask") -> Any:
    """A Dask client of the scheduler at ``address``; an InputError naming ``key`` (the option that
    gave the address) if it cannot be reached within 30 s. Batches and calibrations both use it."""
    from distributed import Client

    try:
        return Client(address, timeout="30s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise InputError(None, key, f"cannot reach the scheduler {address!r}: {exc}", allowed=DASK_ALLOWED) from None


class ModelPreloaded(WorkerPlugin):
    """On each worker: import ``modules``, then :func:`gc.freeze` and the runs' collector thresholds
    (:func:`sim.batch.executors.preload_and_freeze`; see the module's docstring)."""

    name = "insim-model-preloaded"
    idempotent = True  # registered again by every batch and calibration: set up once per worker

    def __init__(self, modules: tuple[str, ...] = MODEL_MODULES) -> None:
        self.modules = tuple(dict.fromkeys((*MODEL_MODULES, *modules)))

    def setup(self, worker: Any) -> None:
        preload_and_freeze(self.modules)


def prepare_workers(client: Any, modules: tuple[str, ...] = MODEL_MODULES) -> None:
    """Register :class:`ModelPreloaded` with ``client``'s cluster (its workers now and later).

    InputError if the workers cannot set it up (typically: insim is not installed on them).
    """
    try:
        client.register_plugin(ModelPreloaded(modules))
    except Exception as exc:  # raised on a worker and sent back: whatever it is, the runs cannot go there
        raise InputError(None, "dask", f"the Dask workers cannot prepare for the runs: {type(exc).__name__}: {exc}",
                         allowed="workers with insim installed, in the same version as here") from None
