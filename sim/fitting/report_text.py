"""The text of a calibration's ``report.md``."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sim.fitting.abc import Calibration
from sim.fitting.report import BOOTSTRAP_RESAMPLES
from sim.fitting.summaries import SUMMARIES, band, simulated_summaries, summary_distance


def _fmt(x: float) -> str:
    return f"{x:.3g}"


def fit_rows(calib: Calibration, predictive: pd.DataFrame) -> list[str]:
    """Per summary: observed, posterior-predictive median, and distance of the median."""
    if predictive.empty:
        return ["(no posterior-predictive runs)"]
    per_run = [simulated_summaries(run, calib.record, tuple(calib.weights)) for _, run in predictive.groupby("draw")]
    med = pd.DataFrame(per_run).median()
    lines = ["| summary | weight | observed | posterior-predictive median | distance |", "|---|---|---|---|---|"]
    for name, weight in calib.weights.items():
        obs = calib.record.values[name]
        target = f"pattern {_band_text(name)}" if SUMMARIES[name].kind == "band" else _fmt(obs)
        lines.append(f"| `{name}` | {weight:g} | {target} | {_fmt(med[name])} | "
                     f"{_fmt(summary_distance(name, float(med[name]), obs))} |")
    return lines


def _band_text(name: str) -> str:
    low, high = band(name)
    return f">= {low:g}" if high == float("inf") else (f"<= {high:g}" if low == 0 else f"{low:g}-{high:g}")


def effective_sample_size(weights: pd.Series | np.ndarray) -> float:
    """Kish's effective sample size of importance weights: (sum w)^2 / sum w^2 (any scale of the weights)."""
    w = np.asarray(weights, dtype=float)
    return float(w.sum() ** 2 / (w ** 2).sum()) if len(w) and (w ** 2).sum() > 0 else 0.0


def report_markdown(calib: Calibration, table: pd.DataFrame, posterior: pd.DataFrame, predictive: pd.DataFrame,
                    info: dict[str, Any]) -> str:
    """The report: settings, history matching, generations, constraints, fit, figures."""
    s = calib.config.settings
    lines = [
        f"# Calibration of `{s['scenario']}`", "",
        f"Config `{calib.config.path}`; root seed {s['root_seed']}; population {s['population']}; "
        f"{len(calib.generations)} generation(s); {info['workers']} worker(s)"
        f"{' on Dask ' + str(calib.dask) if calib.dask else ''}; wall time {info['total']['wall_seconds']:.0f} s over "
        f"{info['total']['calls']} call(s) ({info['total']['core_seconds'] / 3600:.2f} core-hours; this call "
        f"{info['wall_seconds']:.0f} s; pyabc's generations {info['abc_seconds']:.0f} s); "
        f"{info['seconds_per_simulation']:.2f} s per simulation at the defaults. Observed record up to {s['fit_end']}, "
        f"NES-wide counts scaled by the mapped governorates' share {calib.record.mapped_share:.3f}.", "",
    ]
    if calib.dropped:
        lines += ["Summaries left out: " + "; ".join(f"`{k}` ({v})" for k, v in calib.dropped.items()) + ".", ""]
    if calib.wave_stats:
        w = calib.wave_stats
        lines += ["## History matching (first wave)", "",
                  f"{w['runs']} Latin-hypercube runs; ruled out {w['ruled_out_share']:.0%} (implausibility > "
                  f"{w['cutoff']:g} x tolerance {w['tolerance']:.3f} on {w['summaries']}); crashed {w['crashed']}; "
                  f"silent {w['silent']}; median run {w['median_attacks_per_month']:.2f} attacks a month; "
                  f"narrowed: {w['narrowed']}.", ""]
    crash_log = calib.out / "crashes.jsonl"
    crashes = len(crash_log.read_text(encoding="utf-8").splitlines()) if crash_log.exists() else 0
    lines += ["## Generations", "", f"Crashed runs over the whole calibration: {crashes} (`crashes.jsonl`); "
              "a crashed run gets an infinite distance and is rejected.", "",
              "| generation | epsilon | runs | acceptance | effective sample size | seconds |",
              "|---|---|---|---|---|---|"]
    lines += [f"| {g['generation']} | {g['epsilon']:.3g} | {g['runs']} | {g['acceptance']:.1%} | "
              f"{g.get('ess', float('nan')):.1f} | {g.get('seconds', float('nan')):.0f} |" for g in calib.generations]
    ess = effective_sample_size(posterior["weight"])
    degenerate = ess < len(posterior) / 2
    lines += ["", "## Which parameters the data constrain", "",
              "Constrained: posterior 90% interval narrower than half the prior's width (on the sampling scale). "
              f"The band joins the 90% percentile and basic bootstrap bands of the width ratio "
              f"({BOOTSTRAP_RESAMPLES} resamples of the particles with their weights): the Monte Carlo error of "
              "a weighted sample, which grows as the weights rest on fewer particles. *yes*: the whole band is "
              "under half; *no*: the whole band is at or above half; *unclear*: the particles cannot tell.", ""]
    if degenerate:
        lines += [f"**The weights rest on few particles** (effective sample size {ess:.1f} of {len(posterior)}, "
                  "below half the population, the usual resampling threshold of sequential Monte Carlo): read "
                  "the bands, not the single width ratios; a larger `--population` narrows them.", ""]
    lines += ["| parameter | prior | prior range | default | posterior median | 90% interval | width ratio | "
              "band | constrained |", "|---|---|---|---|---|---|---|---|---|"]
    for r in table.itertuples():
        lines.append(f"| `{r.parameter}` | {r.prior} | {_fmt(r.prior_low)}-{_fmt(r.prior_high)} | {_fmt(r.default)} | "
                     f"{_fmt(r.median)} | {_fmt(r.p05)}-{_fmt(r.p95)} | {r.width_ratio:.3f} | "
                     f"{r.width_band_low:.3f}-{r.width_band_high:.3f} | {r.constrained} |")
    lines += ["", "## Fit", "", *fit_rows(calib, predictive)]
    lines += ["", "Summaries: " + "; ".join(f"`{k}`: {SUMMARIES[k].description}" for k in calib.weights) + ".", "",
              "## Figures", "", "![posterior against prior](posterior.png)", "",
              "![posterior correlations](correlations.png)", ""]
    if not predictive.empty:
        lines += ["![posterior-predictive hindcast](hindcast.png)", ""]
    lines += [f"{len(posterior)} particles in the last generation; effective sample size {ess:.1f}.", ""]
    return "\n".join(lines)
