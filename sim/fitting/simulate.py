"""One model run at a parameter vector, returning its summaries, never raising.

A :class:`Simulator` is picklable, so pyabc's multicore and Dask samplers and the history-matching
pool can ship it to workers. Each run's seed comes from the root seed and the parameter values
(:func:`particle_seed`), so the same particle under the same root seed gives the same run whatever
worker runs it and in whatever order.
"""

from __future__ import annotations

import hashlib
import json
import math
import struct
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim import collector
from sim.fitting.priors import Prior, to_model_values
from sim.fitting.summaries import CRASHED, ObservedRecord, simulated_summaries, with_ric_attacks
from sim.interrupt import raise_interrupt_behind

SILENT_ATTACKS_PER_MONTH = 1.0
"""A run with fewer RIC-type attacks a month than this over the fit is called silent (RIC recorded 13-163)."""


def particle_seed(root_seed: int, values: dict[str, float]) -> int:
    """A seed for the run of one particle: SeedSequence of the root seed and a hash of the values."""
    digest = hashlib.sha256()
    for name in sorted(values):
        digest.update(name.encode() + struct.pack("<d", float(values[name])))
    words = np.frombuffer(digest.digest()[:16], dtype=np.uint32).tolist()
    return int(np.random.SeedSequence([root_seed, *words]).generate_state(1, dtype=np.uint32)[0])


def months_until(start: Any, end: str) -> int:
    """Months from a scenario's start month to ``end`` (``YYYY-MM``), both included."""
    first, last = pd.Period(start, freq="M"), pd.Period(end, freq="M")
    return (last - first).n + 1


@collector.one_run()  # the finished model freed at once, in one young collection
def fit_frame(scenario: str, end: str, seed: int, **values: Any) -> pd.DataFrame:
    """The monthly frame (with ``ric_attacks`` and ``region_share_of_is``) of one run of ``scenario`` to ``end``.

    ``values`` are model parameter values (fixed overrides and a particle's); raises on a model error.
    """
    import sim

    start = sim.load_scenario(scenario).start
    model = sim.InsurgencyModel(sim.load_scenario(scenario, months=months_until(start, end), **values), rng=seed,
                                collect_daily=False).run()
    # the strength pattern is read per region_share_of_is, which a particle may set
    frame = model.monthly_frame().assign(region_share_of_is=float(model.p.region_share_of_is))
    return with_ric_attacks(frame)


@dataclass
class Simulator:
    """Runs ``scenario`` to ``end`` with fixed overrides and a particle's values; returns summaries."""

    scenario: str
    priors: list[Prior]
    record: ObservedRecord
    names: tuple[str, ...]
    root_seed: int
    end: str
    fixed: dict[str, Any] = field(default_factory=dict)
    crash_log: str | None = None  # a JSON-lines file each crash is appended to (best effort)

    def model_frame(self, sampled: dict[str, float], seed: int | None = None) -> pd.DataFrame:
        """The monthly frame (with ``ric_attacks``) of the run of one particle (raises on a model error)."""
        values = to_model_values(self.priors, sampled)
        seed = particle_seed(self.root_seed, values) if seed is None else seed
        return fit_frame(self.scenario, self.end, seed, **self.fixed, **values)

    def __call__(self, sampled: dict[str, float]) -> dict[str, float]:
        """Summaries of the particle's run, plus ``crashed``, ``silent`` and ``seconds``; never raises."""
        began = time.perf_counter()
        try:
            frame = self.model_frame(dict(sampled))
            out = simulated_summaries(frame, self.record, self.names)
            per_month = float(frame["ric_attacks"].mean())
            out.update({CRASHED: 0.0, "silent": float(per_month < SILENT_ATTACKS_PER_MONTH),
                        "attacks_per_month": per_month})
        except Exception as exc:  # a crashed run must not stop the calibration: it is counted instead
            raise_interrupt_behind(exc)  # but Ctrl-C in a kernel is Ctrl-C
            out = {name: math.nan for name in self.names}
            out.update({CRASHED: 1.0, "silent": 0.0, "attacks_per_month": math.nan})
            self.note_crash(sampled, f"{type(exc).__name__}: {exc}"[:300])
        out["seconds"] = time.perf_counter() - began
        return out

    def note_crash(self, sampled: dict[str, float], error: str) -> None:
        """Append the crash to :attr:`crash_log` (a lost line is acceptable; a crash of the log is not)."""
        if not self.crash_log:
            return
        try:
            with open(self.crash_log, "a", encoding="utf-8") as log:
                log.write(json.dumps({"values": to_model_values(self.priors, sampled), "error": error}) + "\n")
        except OSError:
            pass


def synthetic_record(simulator: Simulator, values: dict[str, float], seed: int) -> ObservedRecord:
    """A record made by the model itself at known ``values`` (model scale): for recovery studies.

    The months are the simulator's record's; the values are the summaries of one run at ``values``.
    """
    from dataclasses import replace

    sampled = {p.key: p.to_sample(values[p.name]) for p in simulator.priors}
    frame = simulator.model_frame(sampled, seed=seed)
    made = simulated_summaries(frame, simulator.record, simulator.names)
    return replace(simulator.record, values={**simulator.record.values, **made})
