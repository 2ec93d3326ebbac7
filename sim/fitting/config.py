"""The calibration config: which parameters are fitted, their priors, the summaries' weights and
the sampler's sizes, read from a TOML file (``calib/default/config.toml`` is the committed one).

Every key is checked: an unknown parameter, a prior outside the parameter's declared range in
``seeds/parameters.toml`` or an unknown summary stops with an :class:`~sim.errors.InputError`
naming the file and the key.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sim.errors import InputError

DEFAULT_CONFIG = Path(__file__).resolve().parents[2] / "calib" / "default" / "config.toml"

SETTINGS_DEFAULTS: dict[str, Any] = {
    "scenario": "history",
    "population": 200,
    "generations": 8,
    "min_epsilon": 0.0,
    "root_seed": 16,
    "history_matching_runs": 300,
    "tolerance": math.log(2.0),
    "posterior_predictive_runs": 20,
    "projection_end": "2023-12",
    "fit_end": "2021-12",
}
"""Settings of the ``[calibration]`` table and their defaults."""


@dataclass(frozen=True)
class ParameterChoice:
    """One fitted parameter as the config states it (bounds ``None`` = the declared range)."""

    name: str
    prior: str | None = None  # "uniform", "log-uniform" or None (the rule in sim.fitting.priors)
    low: float | None = None
    high: float | None = None
    reason: str = ""


@dataclass(frozen=True)
class FitConfig:
    """A whole calibration config."""

    path: Path
    settings: dict[str, Any]
    parameters: tuple[ParameterChoice, ...]
    weights: dict[str, float] = field(default_factory=dict)
    fixed: dict[str, Any] = field(default_factory=dict)

    def with_settings(self, **changes: Any) -> FitConfig:
        """A copy with some settings replaced (``None`` values are ignored)."""
        settings = {**self.settings, **{k: v for k, v in changes.items() if v is not None}}
        return replace(self, settings=settings)


def _number(path: Path, key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(path, key, f"{value!r} is not a number")
    return float(value)


def _is_month(text: str) -> bool:
    """True for a calendar month written YYYY-MM (so that comparing the texts compares the months)."""
    return re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text) is not None


def load_config(path: str | Path | None = None) -> FitConfig:
    """Read and check a calibration config (default: :data:`DEFAULT_CONFIG`)."""
    from sim.fitting.summaries import SUMMARIES

    path = Path(path) if path is not None else DEFAULT_CONFIG
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(path, None, "the calibration config does not exist") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(path, None, f"not valid TOML ({exc})") from None
    unknown = set(data) - {"calibration", "summaries", "parameters", "fixed"}
    if unknown:
        raise InputError(path, ", ".join(sorted(unknown)), "unknown table",
                         allowed="[calibration], [summaries], [parameters.NAME], [fixed]")
    settings = dict(SETTINGS_DEFAULTS)
    for key, value in data.get("calibration", {}).items():
        if key not in SETTINGS_DEFAULTS:
            raise InputError(path, f"calibration.{key}", "unknown setting", allowed=", ".join(SETTINGS_DEFAULTS))
        expected = type(SETTINGS_DEFAULTS[key])
        if expected is float:
            value = _number(path, f"calibration.{key}", value)
        elif not isinstance(value, expected) or isinstance(value, bool):
            raise InputError(path, f"calibration.{key}", f"{value!r} is not a {expected.__name__}")
        settings[key] = value
    for key in ("population", "generations", "history_matching_runs", "posterior_predictive_runs"):
        if settings[key] < 0 or (key in ("population", "generations") and settings[key] < 1):
            raise InputError(path, f"calibration.{key}", f"{settings[key]} is too small")
    from sim.observed import FIT_END

    if not (_is_month(settings["fit_end"]) and "2019-04" <= settings["fit_end"] <= FIT_END):
        raise InputError(path, "calibration.fit_end", f"{settings['fit_end']!r}",
                         allowed=f"a month YYYY-MM from 2019-04 to {FIT_END}: later data are the out-of-sample test")
    # checked now: the projection is run only once the fit is done, hours later
    if not (_is_month(settings["projection_end"]) and settings["projection_end"] >= settings["fit_end"]):
        raise InputError(path, "calibration.projection_end", f"{settings['projection_end']!r}",
                         allowed=f"a month YYYY-MM from fit_end ({settings['fit_end']}) on")
    weights = {}
    for key, value in data.get("summaries", {}).items():
        if key not in SUMMARIES:
            raise InputError(path, f"summaries.{key}", "unknown summary", allowed=", ".join(SUMMARIES))
        weights[key] = _number(path, f"summaries.{key}", value)
        if weights[key] < 0:
            raise InputError(path, f"summaries.{key}", "a weight cannot be negative")
    if not any(weights.values()):
        raise InputError(path, "summaries", "no summary has a positive weight", allowed=", ".join(SUMMARIES))
    choices = []
    for name, row in data.get("parameters", {}).items():
        extra = set(row) - {"prior", "low", "high", "reason"}
        if extra:
            raise InputError(path, f"parameters.{name}.{sorted(extra)[0]}", "unknown key",
                             allowed="prior, low, high, reason")
        bounds = {k: _number(path, f"parameters.{name}.{k}", row[k]) for k in ("low", "high") if k in row}
        choices.append(ParameterChoice(name, row.get("prior"), bounds.get("low"), bounds.get("high"),
                                       str(row.get("reason", ""))))
    if not choices:
        raise InputError(path, "parameters", "no parameter to fit")
    config = FitConfig(path, settings, tuple(choices), weights, dict(data.get("fixed", {})))
    from sim.fitting.priors import build_priors

    build_priors(config)  # checks names, kinds and bounds against the parameter table
    return config
