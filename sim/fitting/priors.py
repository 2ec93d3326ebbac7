"""Priors of the fitted parameters, from their ranges in the parameter table.

The rule (stated in ``docs/calibration.md``): a parameter's prior is uniform over its declared
range ``[min, max]``, or **log-uniform** when ``min > 0`` and ``max / min >= 20`` (a range
spanning more than an order of magnitude says the scale, not the value, is uncertain). The config
may narrow the range, never widen it, and must say why in ``reason``; it may also choose the
kind. Integer parameters (counts of cells, fighters) are rounded after sampling.

Only assumed parameters are fitted: a parameter that cites a figure from the source documents
stays at that figure (the config refuses it), so the fit cannot override what the sources say.

Three scales. The **model** scale is the parameter's own unit. The **sampling** scale is log10 for
a log-uniform prior (``log10_NAME``) and the model scale otherwise: history matching's Latin
hypercube, its box and the report's interval widths live there, where the prior is uniform. The
**fit** scale is what pyabc's proposals move in: the *normal score* ``z_NAME = Phi^-1(u)``, ``u``
the prior's CDF at the value, so every prior becomes a standard normal (the probability-integral
transform followed by the normal quantile). There a Gaussian proposal has no edge to fall off and
matches the parameters the data leave open, whose posterior stays the prior
(:mod:`sim.fitting.proposal`; docs/calibration.md, "Why the first posterior was degenerate").
:func:`from_scores` turns a pyabc particle back into sampling-scale values.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.errors import InputError

if TYPE_CHECKING:
    from sim.fitting.config import FitConfig

KINDS = ("uniform", "log-uniform")
LOG_RATIO = 20.0
"""A positive range whose max/min reaches this ratio gets a log-uniform prior by default."""


@dataclass(frozen=True)
class Prior:
    """The prior of one fitted parameter."""

    name: str
    kind: str  # one of KINDS
    low: float
    high: float
    declared_min: float
    declared_max: float
    default: float
    integer: bool
    reason: str = ""

    @property
    def key(self) -> str:
        """The parameter's name inside pyabc (``log10_NAME`` when sampled on a log scale)."""
        return f"log10_{self.name}" if self.kind == "log-uniform" else self.name

    @property
    def sample_bounds(self) -> tuple[float, float]:
        """Bounds on the sampling scale."""
        if self.kind == "log-uniform":
            return math.log10(self.low), math.log10(self.high)
        return self.low, self.high

    def to_model(self, sampled: float) -> float | int:
        """The model's value for a value on the sampling scale."""
        value = 10.0 ** sampled if self.kind == "log-uniform" else float(sampled)
        value = min(max(value, self.low), self.high)
        return round(value) if self.integer else value

    def to_sample(self, value: float) -> float:
        """The sampling-scale value of a model value."""
        return math.log10(value) if self.kind == "log-uniform" else float(value)

    @property
    def score_key(self) -> str:
        """The parameter's name inside pyabc: its normal score ``z_NAME``."""
        return f"z_{self.name}"

    def from_score(self, z: float) -> float:
        """The sampling-scale value of a normal score (the prior's quantile at Phi(z))."""
        from scipy.special import ndtr

        lo, hi = self.sample_bounds
        return lo + (hi - lo) * float(ndtr(z))

    def to_score(self, sampled: float) -> float:
        """The normal score of a sampling-scale value (inside the bounds; the ends map to +-8.3)."""
        from scipy.special import ndtri

        lo, hi = self.sample_bounds
        u = min(max((sampled - lo) / (hi - lo), 1e-16), 1 - 1e-16)
        return float(ndtri(u))

    def narrowed(self, low: float, high: float) -> Prior:
        """The same prior on ``[low, high]`` clipped to the current bounds (never wider)."""
        from dataclasses import replace

        return replace(self, low=max(self.low, low), high=min(self.high, high))


def default_kind(minimum: float, maximum: float) -> str:
    """The rule: log-uniform for a positive range spanning a factor of :data:`LOG_RATIO` or more."""
    return "log-uniform" if minimum > 0 and maximum / minimum >= LOG_RATIO else "uniform"


def build_priors(config: FitConfig) -> list[Prior]:
    """The priors the config asks for, checked against the parameter table.

    Raises:
        InputError: naming the config file and ``parameters.NAME.KEY`` for an unknown or fact-backed
            parameter, a non-numeric one, an unknown prior kind, or bounds outside the declared range.
    """
    import sim

    table = sim.parameter_table().set_index("parameter")
    priors = []
    for choice in config.parameters:
        key = f"parameters.{choice.name}"
        if choice.name not in table.index:
            raise InputError(config.path, key, "unknown parameter", allowed="names from seeds/parameters.toml")
        row = table.loc[choice.name]
        if row["basis"] != "assumption":
            raise InputError(config.path, key, f"rests on a source figure ({row['source']}); it stays fixed",
                             allowed="assumed parameters only")
        value: Any = row["value"]
        if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
            raise InputError(config.path, key, f"not numeric ({value!r})", allowed="numeric parameters")
        if row["min"] is None or row["max"] is None or np.isnan(row["min"]) or np.isnan(row["max"]):
            raise InputError(config.path, key, "has no declared range in seeds/parameters.toml")
        dmin, dmax = float(row["min"]), float(row["max"])
        low = dmin if choice.low is None else choice.low
        high = dmax if choice.high is None else choice.high
        if not dmin <= low < high <= dmax:
            raise InputError(config.path, f"{key}.low/high", f"[{low:g}, {high:g}] is not inside the declared "
                             f"range or is empty", allowed=f"dmin <= low < high <= dmax, here [{dmin:g}, {dmax:g}]")
        kind = choice.prior or default_kind(low, high)
        if kind not in KINDS:
            raise InputError(config.path, f"{key}.prior", f"{kind!r}", allowed=", ".join(KINDS))
        if kind == "log-uniform" and low <= 0:
            raise InputError(config.path, f"{key}.low", "a log-uniform prior needs low > 0")
        narrowed = (low, high) != (dmin, dmax)
        if narrowed and not choice.reason.strip():
            raise InputError(config.path, f"{key}.reason", "a prior narrower than the declared range needs a reason")
        integer = isinstance(value, int | np.integer) and row["unit"] in ("count", "days", "months", "people",
                                                                          "fighters")
        priors.append(Prior(choice.name, kind, low, high, dmin, dmax, float(value), integer, choice.reason))
    return priors


def pyabc_prior(priors: list[Prior]) -> Any:
    """The priors as a ``pyabc.Distribution`` on the fit scale: a standard normal per ``z_NAME``."""
    import pyabc

    return pyabc.Distribution(**{p.score_key: pyabc.RV("norm", 0.0, 1.0) for p in priors})


def from_scores(priors: list[Prior], scores: dict[str, float]) -> dict[str, float]:
    """Sampling-scale values (keyed by :attr:`Prior.key`) of a pyabc particle (keyed by :attr:`Prior.score_key`)."""
    return {p.key: p.from_score(float(scores[p.score_key])) for p in priors}


def to_model_values(priors: list[Prior], sampled: dict[str, float]) -> dict[str, float | int]:
    """Model parameter values from a pyabc particle (or any mapping keyed by :attr:`Prior.key`)."""
    return {p.name: p.to_model(float(sampled[p.key])) for p in priors}


def latin_hypercube(priors: list[Prior], n: int, seed: int) -> list[dict[str, float]]:
    """``n`` points of a Latin hypercube over the priors, on the sampling scale, keyed by :attr:`Prior.key`."""
    from scipy.stats import qmc

    unit = qmc.LatinHypercube(d=len(priors), seed=np.random.default_rng(seed)).random(n)
    lows = np.array([p.sample_bounds[0] for p in priors])
    highs = np.array([p.sample_bounds[1] for p in priors])
    points = lows + unit * (highs - lows)
    return [{p.key: float(v) for p, v in zip(priors, row, strict=True)} for row in points]
