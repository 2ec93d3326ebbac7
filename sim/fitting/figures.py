"""The calibration report's figures: posterior against prior, correlations, posterior-predictive hindcast."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from sim.fitting.priors import Prior


def posterior_figure(priors: list[Prior], posterior: pd.DataFrame, path: Path,
                     declared: list[Prior] | None = None) -> None:
    """One panel per parameter: the weighted posterior histogram over the ABC prior's band (sampling scale).

    The axis spans the config's prior (``declared``, before history matching) when given, so the
    wave's narrowing shows as the grey band's width.
    """
    outer = {p.name: p for p in declared or priors}
    n = len(priors)
    cols = min(4, n)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 2.4 * rows), squeeze=False)
    w = posterior["weight"].to_numpy()
    for ax, p in zip(axes.flat, priors, strict=False):
        lo, hi = p.sample_bounds
        values = np.array([p.to_sample(max(v, 1e-300)) for v in posterior[p.name]])
        ax.axvspan(lo, hi, color="0.9", label="prior")
        ax.hist(values, bins=15, range=(lo, hi), weights=w, density=True, color="tab:blue", alpha=0.8,
                label="posterior")
        ax.axhline(1 / (hi - lo), color="0.4", lw=1, ls="--")
        wide = outer.get(p.name, p)
        ax.axvline(wide.to_sample(min(max(p.default, wide.low), wide.high)), color="tab:red", lw=1, label="default")
        ax.set_xlim(*wide.sample_bounds)
        ax.set_title(p.name if p.kind == "uniform" else f"log10 {p.name}", fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=6)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def correlation_figure(posterior: pd.DataFrame, table: pd.DataFrame, path: Path, main: int = 8) -> None:
    """Weighted correlation matrix of the ``main`` most constrained parameters."""
    names = table.sort_values("width_ratio")["parameter"].head(main).tolist()
    w = posterior["weight"].to_numpy()
    x = posterior[names].to_numpy(dtype=float)
    mean = (w[:, None] * x).sum(0)
    cov = ((x - mean).T * w) @ (x - mean)
    sd = np.sqrt(np.diag(cov))
    corr = cov / np.outer(np.where(sd > 0, sd, np.nan), np.where(sd > 0, sd, np.nan))
    fig, ax = plt.subplots(figsize=(1 + 0.7 * len(names), 0.6 + 0.7 * len(names)))
    im = ax.imshow(corr, vmin=-1, vmax=1, cmap="RdBu_r")
    ax.set_xticks(range(len(names)), names, rotation=60, ha="right", fontsize=7)
    ax.set_yticks(range(len(names)), names, fontsize=7)
    for i in range(len(names)):
        for j in range(len(names)):
            if np.isfinite(corr[i, j]):
                ax.text(j, i, f"{corr[i, j]:.2f}", ha="center", va="center", fontsize=6)
    fig.colorbar(im, ax=ax, shrink=0.8)
    ax.set_title("posterior correlations (weighted)", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def hindcast_figure(predictive: pd.DataFrame, mapped_share: float, path: Path) -> None:
    """Observed monthly attacks (scaled to the mapped governorates) over the posterior-predictive fan chart."""
    from sim import observed

    runs = predictive.assign(month=pd.to_datetime(predictive["date"]))
    bands = runs.groupby("month")["ric_attacks"].quantile([0.1, 0.25, 0.5, 0.75, 0.9]).unstack()
    obs = observed.load_ric()  # up to FIT_END only
    fig, ax = plt.subplots(figsize=(9, 3.8))
    ax.fill_between(bands.index, bands[0.1], bands[0.9], color="tab:blue", alpha=0.2, label="posterior runs 10-90%")
    ax.fill_between(bands.index, bands[0.25], bands[0.75], color="tab:blue", alpha=0.35, label="25-75%")
    ax.plot(bands.index, bands[0.5], color="tab:blue", lw=1.5, label="median")
    ax.scatter(obs["month"].dt.to_timestamp(), obs["attacks"].astype(float) * mapped_share, color="black", s=14,
               zorder=3, label="RIC (x mapped share)")
    ax.axvline(pd.Timestamp(observed.FIT_END) + pd.offsets.MonthEnd(0), color="0.3", ls="--", lw=1)
    ax.text(pd.Timestamp(observed.FIT_END), ax.get_ylim()[1] * 0.95, " end of fit", fontsize=7, va="top")
    ax.set_ylabel("violent attacks a month")
    ax.set_title(f"posterior-predictive hindcast ({predictive['draw'].nunique()} runs)", fontsize=9)
    ax.legend(fontsize=7, loc="upper right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
