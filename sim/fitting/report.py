"""What a calibration leaves in its folder besides ``abc.db``: the tidy particles table, the
manifest, the posterior-predictive runs and ``report.md`` with its figures.

- ``particles.parquet``: generation, particle, weight, one column per parameter (model scale), distance;
- ``manifest.json``: package versions, root seed, observed-data sha256, settings, git commit, times, cores;
- ``report.md``: which parameters the data constrain (posterior 90% interval width over prior
  width below :data:`CONSTRAINED`), the generations, the fit of each summary, the figures
  ``posterior.png`` (posterior against prior), ``correlations.png`` and ``hindcast.png`` (the observed
  series over the fan chart of runs drawn from the posterior, fit window marked).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import platform
import subprocess
import time
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.fitting.abc import DB_NAME, Calibration
from sim.fitting.ledger import load_calls, totals
from sim.fitting.posterior import MANIFEST, PARTICLES, draw, load_posterior, parameter_columns
from sim.fitting.priors import Prior
from sim.fitting.runner import run_all
from sim.fitting.summaries import PATTERN_COLUMNS, RIC_COLUMNS
from sim.interrupt import raise_interrupt_behind

CONSTRAINED = 0.5
"""A parameter is called constrained when its posterior 90% interval is under this share of its prior's width."""
BOOTSTRAP_RESAMPLES = 400
"""Particle resamples behind the band of each width ratio: the Monte Carlo error of a weighted sample,
which grows as the weights rest on fewer particles (a low effective sample size)."""
PACKAGES = ("insim", "pyabc", "numpy", "pandas", "scipy", "mesa", "dask", "distributed")


def particles_table(calib: Calibration) -> pd.DataFrame:
    """Every stored generation's particles, tidy, on the model's scale."""
    import pyabc

    history = pyabc.History(f"sqlite:///{(calib.out / DB_NAME).resolve()}", _id=calib.run_id)
    rows = []
    for t in range(history.max_t + 1):
        for i, particle in enumerate(history.get_population(t).particles):
            values = {p.name: p.to_model(p.from_score(float(particle.parameter[p.score_key]))) for p in calib.priors}
            rows.append({"generation": t + 1, "particle": i, "weight": float(particle.weight), **values,
                         "distance": float(particle.distance)})
    return pd.DataFrame(rows)


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The ``q`` quantile of weighted values (inverse of the weighted empirical CDF)."""
    order = np.argsort(values)
    cdf = np.cumsum(weights[order]) / weights.sum()
    return float(values[order][min(np.searchsorted(cdf, q), len(values) - 1)])


def constraint_table(calib: Calibration, posterior: pd.DataFrame, resamples: int = BOOTSTRAP_RESAMPLES) -> pd.DataFrame:
    """Per parameter: prior bounds, posterior median and 90% interval, the width ratio (sampling scale),
    its bootstrap band and the verdict ``yes`` / ``no`` / ``unclear`` (see :func:`constraint_verdict`)."""
    rows = []
    w = posterior["weight"].to_numpy()
    # The same particle resamples for every parameter, fixed so that a report is the same on every call.
    picks = np.random.default_rng(0).integers(0, len(posterior), size=(resamples, len(posterior)))
    for p in calib.priors:
        values = posterior[p.name].to_numpy(dtype=float)
        lo, med, hi = (weighted_quantile(values, w, q) for q in (0.05, 0.5, 0.95))
        ratio = width_ratio(p, values, w)
        resampled = np.array([width_ratio(p, values[i], w[i]) for i in picks])
        q05, q95 = (float(np.quantile(resampled, q)) for q in (0.05, 0.95))
        # The union of the percentile band and the basic (reflected) band (Davison & Hinkley 1997, 5.2-5.3):
        # a resample holds fewer distinct particles, so the percentile band sits low; the basic band corrects
        # that but collapses when one particle holds nearly all the weight. A verdict needs both.
        band_low = max(0.0, min(q05, 2 * ratio - q95))
        band_high = max(q95, 2 * ratio - q05)
        rows.append({"parameter": p.name, "prior": p.kind, "prior_low": p.low, "prior_high": p.high,
                     "declared_low": p.declared_min, "declared_high": p.declared_max, "default": p.default,
                     "median": med, "p05": lo, "p95": hi, "width_ratio": ratio,
                     "width_band_low": band_low, "width_band_high": band_high,
                     "constrained": constraint_verdict(band_low, band_high)})
    return pd.DataFrame(rows)


def width_ratio(prior: Prior, values: np.ndarray, weights: np.ndarray) -> float:
    """Width of the weighted 90% interval over the prior's width, on the prior's sampling scale."""
    lo, hi = (weighted_quantile(values, weights, q) for q in (0.05, 0.95))
    plo, phi = prior.sample_bounds
    return (prior.to_sample(max(hi, 1e-300)) - prior.to_sample(max(lo, 1e-300))) / (phi - plo)


def constraint_verdict(band_low: float, band_high: float) -> str:
    """``yes`` when the whole bootstrap band of the width ratio is under :data:`CONSTRAINED`, ``no`` when
    it is all at or above it, ``unclear`` when the particles cannot tell."""
    if band_high < CONSTRAINED:
        return "yes"
    return "no" if band_low >= CONSTRAINED else "unclear"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def manifest(calib: Calibration, started: str, seconds: float) -> dict[str, Any]:
    """The manifest: how to reproduce and what went in."""
    from sim import observed

    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True,
                                cwd=Path(__file__).parent).stdout.strip()
        dirty = bool(subprocess.run(["git", "status", "--porcelain", "sim", "seeds", "scenarios"], text=True,
                                    capture_output=True, cwd=Path(__file__).parent).stdout.strip())
    except (OSError, subprocess.CalledProcessError):
        commit, dirty = None, None
    return {
        "scenario": calib.config.settings["scenario"], "config": str(calib.config.path),
        "settings": calib.config.settings, "root_seed": calib.config.settings["root_seed"],
        "fixed": calib.config.fixed, "summaries": calib.weights, "summaries_left_out": calib.dropped,
        "observed": {p.name: sha256(p) for p in (observed.RIC_MONTHLY, observed.RIC_ANNUAL)},
        "observed_values": calib.record.values, "mapped_share": calib.record.mapped_share,
        "priors": [dataclasses.asdict(p) for p in calib.priors],
        "declared_priors": [dataclasses.asdict(p) for p in calib.declared],
        "history_matching": calib.wave_stats, "generations": calib.generations,
        "versions": versions, "python": platform.python_version(), "git_commit": commit,
        "git_dirty": dirty, "started": started, "ended": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "wall_seconds": round(seconds, 1), "workers": calib.workers, "cpus": os.cpu_count(), "dask": calib.dask,
        "seconds_per_simulation": round(calib.seconds_per_simulation, 3),
        **whole_calibration(calib, started, seconds),
    }


def whole_calibration(calib: Calibration, started: str, seconds: float) -> dict[str, Any]:
    """The manifest's totals over every call of this folder (``calls.jsonl``) and this one.

    ``wall_seconds`` above is this call's; ``total`` sums the calls (wall and wall x workers), and
    ``abc_seconds`` is pyabc's own time of the stored generations, whichever call ran them.
    """
    current = {"started": started, "wall_seconds": round(seconds, 1), "outcome": "this call",
               "workers": calib.workers, "dask": calib.dask, "cpus": os.cpu_count()}
    calls = [*load_calls(calib.out), current]
    return {"calls": calls, "total": totals(calls),
            "abc_seconds": round(sum(g.get("seconds", 0.0) for g in calib.generations), 1)}


class PredictiveRun:
    """Picklable: the monthly RIC columns (attacks, raids, arrests) of one posterior draw to the projection end."""

    def __init__(self, calib: Calibration) -> None:
        self.simulator = dataclasses.replace(calib.simulator, end=calib.config.settings["projection_end"],
                                             crash_log=None)

    def __call__(self, job: tuple[int, dict[str, float]]) -> pd.DataFrame | None:
        seed, values = job
        sampled = {p.key: p.to_sample(values[p.name]) for p in self.simulator.priors}
        try:
            frame = self.simulator.model_frame(sampled, seed=seed)
        except Exception as exc:  # counted as a missing run in the fan chart
            raise_interrupt_behind(exc)  # but Ctrl-C in a kernel is Ctrl-C
            return None
        # every column the summaries read, so the report can score the predictive runs
        return frame[["date", *RIC_COLUMNS, *PATTERN_COLUMNS]].assign(seed=seed)


def posterior_predictive(calib: Calibration, k: int) -> pd.DataFrame:
    """``k`` runs, each from a weighted posterior draw with its own seed, to the projection end."""
    draws = draw(calib.out, k, rng=calib.config.settings["root_seed"])
    params = draws[parameter_columns(draws.drop(columns="draw_id"))].to_dict("records")
    seeds = np.random.SeedSequence(calib.config.settings["root_seed"]).generate_state(k).tolist()
    frames = run_all(PredictiveRun(calib), list(zip(seeds, params, strict=True)), workers=calib.workers,
                     dask=calib.dask)
    kept = [f.assign(draw=i) for i, f in enumerate(frames) if f is not None]
    return pd.concat(kept, ignore_index=True) if kept else pd.DataFrame()


def write_outputs(calib: Calibration, started: str, seconds: float, say: Any = print) -> Path:
    """Write the particles, the posterior-predictive runs, the figures, the manifest and the report."""
    from sim.fitting.figures import correlation_figure, hindcast_figure, posterior_figure

    began = time.perf_counter()
    particles = particles_table(calib)
    tmp = calib.out / (PARTICLES + ".tmp")
    particles.to_parquet(tmp, index=False)
    tmp.replace(calib.out / PARTICLES)
    posterior = load_posterior(calib.out)
    table = constraint_table(calib, posterior)
    k = calib.config.settings["posterior_predictive_runs"]
    predictive = posterior_predictive(calib, k) if k else pd.DataFrame()
    if not predictive.empty:
        predictive.to_parquet(calib.out / "predictive.parquet", index=False)
    posterior_figure(calib.priors, posterior, calib.out / "posterior.png", calib.declared)
    correlation_figure(posterior, table, calib.out / "correlations.png")
    if not predictive.empty:
        hindcast_figure(predictive, calib.record.mapped_share, calib.out / "hindcast.png")
    info = manifest(calib, started, seconds + time.perf_counter() - began)  # this call up to the manifest
    (calib.out / MANIFEST).write_text(json.dumps(info, indent=2, default=str), encoding="utf-8")
    from sim.fitting.report_text import report_markdown

    (calib.out / "report.md").write_text(report_markdown(calib, table, posterior, predictive, info),
                                         encoding="utf-8")
    say(f"wrote {calib.out}/report.md, particles.parquet, manifest.json and figures")
    return calib.out / "report.md"
