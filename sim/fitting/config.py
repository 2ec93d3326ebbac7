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
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sim.errors import InputError, as_written

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

SETTING_RULES: dict[str, tuple[Callable[[Any], bool], str]] = {
    "population": (lambda v: v >= 1, "a whole number >= 1"),
    "generations": (lambda v: v >= 1, "a whole number >= 1"),
    "history_matching_runs": (lambda v: v >= 0, "a whole number >= 0; 0 skips history matching"),
    "posterior_predictive_runs": (lambda v: v >= 0, "a whole number >= 0"),
    # numpy's seed sequences take no negative number: every run of the fit would crash
    "root_seed": (lambda v: v >= 0, "a whole number >= 0"),
    "tolerance": (lambda v: math.isfinite(v) and v > 0, "a number > 0, e.g. 0.693 = log(2) for a factor 2"),
    "min_epsilon": (lambda v: math.isfinite(v) and v >= 0, "a number >= 0; 0 never stops early"),
}
"""The numeric settings' allowed values: a test of the value and the words for it."""


def check_setting(file: str | Path | None, key: str, setting: str, value: Any) -> None:
    """InputError naming ``file`` and ``key`` (the config's key or a command-line option) if ``value`` is not
    allowed for ``setting`` by :data:`SETTING_RULES`."""
    accepts, allowed = SETTING_RULES[setting]
    if not accepts(value):
        raise InputError(file, key, f"{value!r} is not allowed", allowed=allowed)


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
    except IsADirectoryError:
        raise InputError(path, "--config", "is a folder, not a file",
                         allowed="a TOML file, e.g. calib/default/config.toml") from None
    except OSError as exc:
        raise InputError(path, "--config", f"cannot be read: {exc.strerror or exc}",
                         allowed="a readable TOML file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(path, None, f"not valid TOML ({exc})") from None
    tables = "[calibration], [summaries], [parameters.NAME], [fixed]"
    unknown = set(data) - {"calibration", "summaries", "parameters", "fixed"}
    if unknown:
        raise InputError(path, ", ".join(sorted(unknown)), "unknown table", allowed=tables)
    for name, table in data.items():
        if not isinstance(table, dict):
            raise InputError(path, name, f"{as_written(table)} is not a table", allowed=tables)
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
    for key in SETTING_RULES:
        check_setting(path, f"calibration.{key}", key, settings[key])
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
        if not (math.isfinite(weights[key]) and weights[key] >= 0):  # nan would pass a test of < 0
            raise InputError(path, f"summaries.{key}", f"{value!r} is not allowed",
                             allowed="a number >= 0; 0 leaves it out")
    if not any(weights.values()):
        raise InputError(path, "summaries", "no summary has a positive weight", allowed=", ".join(SUMMARIES))
    choices = []
    for name, row in data.get("parameters", {}).items():
        if not isinstance(row, dict):
            raise InputError(path, f"parameters.{name}", f"{as_written(row)} is not a table",
                             allowed=f"a table [parameters.{name}] with prior, low, high, reason (all optional)")
        extra = set(row) - {"prior", "low", "high", "reason"}
        if extra:
            raise InputError(path, f"parameters.{name}.{sorted(extra)[0]}", "unknown key",
                             allowed="prior, low, high, reason")
        bounds = {k: _number(path, f"parameters.{name}.{k}", row[k]) for k in ("low", "high") if k in row}
        choices.append(ParameterChoice(name, row.get("prior"), bounds.get("low"), bounds.get("high"),
                                       str(row.get("reason", ""))))
    if not choices:
        raise InputError(path, "parameters", "no parameter to fit")
    fixed = dict(data.get("fixed", {}))
    for name in fixed:
        if name in data["parameters"]:  # the run would get two values for it
            raise InputError(path, f"fixed.{name}", f"is also fitted ([parameters.{name}])",
                             allowed="a parameter either fitted or fixed, not both")
    config = FitConfig(path, settings, tuple(choices), weights, fixed)
    from sim.fitting.priors import build_priors

    build_priors(config)  # checks names, kinds and bounds against the parameter table
    return config
