"""History matching, first wave (McCulloch et al. 2022, JASSS 25(2) 1, section 3).

A Latin hypercube over the priors is run once per point. A point is **implausible** when, for
any main summary (:data:`sim.fitting.summaries.MAIN_SUMMARIES`, the annual attack counts), its
distance to the record exceeds ``3 x tolerance``: with distances on a log scale and the default
tolerance log(2) (observation error, model discrepancy and seed noise taken together as a factor
2), a run is ruled out when a year misses by more than a factor 8. A crashed run is implausible
too, and counted; so are silent runs (:data:`sim.fitting.simulate.SILENT_ATTACKS_PER_MONTH`),
counted separately since they are what the full declared ranges mostly produce.

The non-implausible region is summarised as a box: per parameter, the range of the
non-implausible points on the sampling scale, widened by one Latin-hypercube stratum on each side
and clipped to the prior (so never wider than the declared range). Those bounds become the ABC
priors. With fewer than :data:`MIN_PLAUSIBLE` non-implausible points the wave narrows nothing and
says so: that is a finding about the model, not a reason to widen a prior.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.fitting.priors import Prior, latin_hypercube
from sim.fitting.runner import run_all
from sim.fitting.simulate import Simulator
from sim.fitting.summaries import CRASHED, MAIN_SUMMARIES, summary_distance

CUTOFF = 3.0
"""Implausibility above which a point is ruled out (Pukelsheim's three-sigma rule)."""
MIN_PLAUSIBLE = 2
"""Fewest non-implausible points from which a wave narrows the priors."""


@dataclass
class Wave:
    """A history-matching wave's runs and what it concluded."""

    runs: pd.DataFrame  # one row per point: sampled values, summaries, implausibility, plausible
    priors: list[Prior]  # the priors narrowed to the non-implausible box
    stats: dict[str, float | int | str]


def implausibility(summaries: dict[str, float], observed: dict[str, float], names: tuple[str, ...],
                   tolerance: float) -> float:
    """The largest ``distance / tolerance`` over ``names``; infinite for a crashed run."""
    if summaries.get(CRASHED):
        return math.inf
    return max(summary_distance(n, float(summaries[n]), float(observed[n])) for n in names) / tolerance


def run_wave(simulator: Simulator, observed: dict[str, float], n: int, tolerance: float, seed: int,
             workers: int | None = None, dask: str | None = None,
             progress: Callable[[int, int], None] | None = None) -> Wave:
    """Run ``n`` Latin-hypercube points and rule out the implausible ones."""
    priors = simulator.priors
    points = latin_hypercube(priors, n, seed)
    results = run_all(simulator, points, workers=workers, dask=dask,
                      on_done=(lambda k: progress(k, n)) if progress else None)
    names = tuple(s for s in MAIN_SUMMARIES if s in simulator.names)
    rows = []
    for point, result in zip(points, results, strict=True):
        row = {**{f"sample:{k}": v for k, v in point.items()},
               **{p.name: p.to_model(point[p.key]) for p in priors}, **result}
        row["implausibility"] = implausibility(result, observed, names, tolerance)
        rows.append(row)
    runs = pd.DataFrame(rows)
    runs["plausible"] = runs["implausibility"] <= CUTOFF
    plausible = runs[runs["plausible"]]
    narrowed = list(priors)
    if len(plausible) >= MIN_PLAUSIBLE:
        narrowed = []
        for p in priors:
            lo, hi = p.sample_bounds
            stratum = (hi - lo) / n
            col = plausible[f"sample:{p.key}"]
            low, high = col.min() - stratum, col.max() + stratum
            box = (10 ** low, 10 ** high) if p.kind == "log-uniform" else (low, high)
            narrowed.append(p.narrowed(*box))
    stats = {
        "runs": n, "crashed": int(runs[CRASHED].sum()), "silent": int(runs["silent"].sum()),
        "plausible": len(plausible), "ruled_out_share": float(1 - len(plausible) / n) if n else 0.0,
        "median_attacks_per_month": float(runs["attacks_per_month"].median()),
        "seconds_per_run": float(runs["seconds"].mean()), "tolerance": tolerance, "cutoff": CUTOFF,
        "summaries": ", ".join(names),
        "narrowed": "yes" if len(plausible) >= MIN_PLAUSIBLE else "no: too few non-implausible points",
    }
    return Wave(runs, narrowed, stats)


def save_wave(wave: Wave, out: Path) -> None:
    """Write ``history_matching.parquet`` and ``history_matching.json`` (stats and narrowed bounds)."""
    wave.runs.to_parquet(out / "history_matching.parquet", index=False)
    bounds = {p.name: {"kind": p.kind, "low": p.low, "high": p.high} for p in wave.priors}
    text = json.dumps({"stats": wave.stats, "bounds": bounds}, indent=2, default=float)
    tmp = out / "history_matching.json.tmp"
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(out / "history_matching.json")


def load_bounds(out: Path, priors: list[Prior]) -> list[Prior] | None:
    """The priors narrowed by a saved wave in ``out``, or None when there is none."""
    path = out / "history_matching.json"
    if not path.exists():
        return None
    bounds = json.loads(path.read_text(encoding="utf-8"))["bounds"]
    return [p.narrowed(bounds[p.name]["low"], bounds[p.name]["high"]) if p.name in bounds else p for p in priors]
