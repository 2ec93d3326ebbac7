"""The posterior of a calibration, for runs over parameter uncertainty.

``insim batch --posterior calib/NAME --draws K`` (wired in by the batch) gives each replicate
one weighted draw from the last generation, the same draw for every scenario of a replicate, so
that scenario contrasts carry parameter uncertainty with common random numbers.

>>> from sim.fitting.posterior import draw
>>> draws = draw("calib/default", 20, rng=1)   # doctest: +SKIP
>>> draws.columns                               # parameters..., draw_id  # doctest: +SKIP
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import InputError

PARTICLES = "particles.parquet"
MANIFEST = "manifest.json"
NON_PARAMETERS = ("generation", "particle", "weight", "distance")


def load_posterior(folder: str | Path) -> pd.DataFrame:
    """The last generation's particles: one row each, parameter columns, ``weight`` (summing to 1), ``particle``.

    Raises:
        InputError: when the folder has no readable ``particles.parquet``.
    """
    path = Path(folder) / PARTICLES
    try:
        particles = pd.read_parquet(path)
    except FileNotFoundError:
        raise InputError(path, None, "no calibration here (particles.parquet is missing)",
                         allowed="a folder written by insim calibrate") from None
    except Exception as exc:
        raise InputError(path, None, f"not a readable particles table ({exc.__class__.__name__})") from None
    missing = [c for c in NON_PARAMETERS if c not in particles.columns]
    if missing or particles.empty:
        raise InputError(path, ", ".join(missing) or "rows", "not a particles table",
                         allowed="columns generation, particle, weight, distance and one per parameter")
    last = particles[particles["generation"] == particles["generation"].max()].copy()
    last["weight"] = last["weight"] / last["weight"].sum()
    return last.reset_index(drop=True)


def parameter_columns(posterior: pd.DataFrame) -> list[str]:
    """The parameter columns of a particles table."""
    return [c for c in posterior.columns if c not in NON_PARAMETERS]


def draw(folder: str | Path, k: int, rng: int | np.random.Generator | None = None) -> pd.DataFrame:
    """``k`` weighted draws (with replacement) from the posterior: parameter columns and ``draw_id``.

    ``draw_id`` is the particle's number in the last generation, so two replicates with the same
    draw can be told apart from two with equal values by chance. The same ``rng`` seed gives the
    same draws.
    """
    if k < 1:
        raise InputError(None, "--draws", f"must be at least 1 (got {k})")
    posterior = load_posterior(folder)
    generator = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    rows = generator.choice(len(posterior), size=k, replace=True, p=posterior["weight"].to_numpy())
    chosen = posterior.iloc[rows]
    out = chosen[parameter_columns(posterior)].reset_index(drop=True)
    for name, value in fixed_settings(folder).items():
        out[name] = value
    out["draw_id"] = chosen["particle"].to_numpy()
    return out


def fixed_settings(folder: str | Path) -> dict[str, Any]:
    """The values a calibration held fixed (its config's ``[fixed]``, from ``manifest.json``): part of every draw.

    A posterior was fitted with them, so a run drawn from it must use them too. An older folder
    without a manifest held nothing fixed.
    """
    path = Path(folder) / MANIFEST
    if not path.exists():
        return {}
    try:
        fixed = json.loads(path.read_text(encoding="utf-8")).get("fixed", {})
    except (OSError, ValueError) as exc:
        raise InputError(path, None, f"not a readable manifest ({exc.__class__.__name__})") from None
    if not isinstance(fixed, dict):
        raise InputError(path, "fixed", "not a table of parameter values", allowed="{name: value, ...}")
    return fixed
