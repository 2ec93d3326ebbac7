"""``insim calibrate --dask local`` starts no Dask dashboard, as ``insim batch --dask local`` starts
none unless asked (``--dask-dashboard``): Dask's own default is a dashboard on every interface at
:8787, a web server nobody asked for."""

from __future__ import annotations

import inspect
from typing import Any

import pytest

dask_distributed = pytest.importorskip("dask.distributed")


def test_a_calibrations_local_cluster_has_no_dashboard(monkeypatch: pytest.MonkeyPatch) -> None:
    from sim.batch import dask_workers
    from sim.fitting.runner import dask_client

    made: list[dict[str, Any]] = []

    class Recorded:
        """Stands for LocalCluster and Client: notes how the cluster is asked for, starts nothing."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            if not args:  # the cluster (the client gets it as its argument)
                made.append(kwargs)

        def __enter__(self) -> Recorded:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

    dask_default = inspect.signature(dask_distributed.LocalCluster).parameters["dashboard_address"].default
    assert dask_default is not None  # Dask's default is a dashboard: leaving the argument out starts one
    monkeypatch.setattr(dask_distributed, "LocalCluster", Recorded)
    monkeypatch.setattr(dask_distributed, "Client", Recorded)
    monkeypatch.setattr(dask_workers, "prepare_workers", lambda client, modules=(): None)
    with dask_client("local", 2):
        pass
    assert len(made) == 1 and made[0]["n_workers"] == 2
    assert made[0].get("dashboard_address", dask_default) is None, made[0]
    assert made[0].get("host") == "127.0.0.1", made[0]  # as a batch's: the scheduler on this machine only
