"""A batch over a calibration's posterior: one weighted draw per replicate, shared by every scenario.

Replication ``r`` of every scenario and sweep point runs with draw ``r`` (and, as always, with
seed ``r``), so scenario contrasts stay paired (common random numbers, now over parameters too)
and their bands carry parameter uncertainty as well as seed noise. The draws are made once, from
a random stream of the batch's root seed kept apart from the runs' seeds: the same posterior and
root seed give the same draws. A drawn parameter is applied like a ``--set`` value, per
replicate; it may not also be set or swept.

Sources: scenario runs over a posterior rather than one guess, as McCulloch et al. (2022),
*JASSS* 25(2) 1, recommend for calibrated agent-based models; weighted draws from the last
ABC-SMC generation (Toni et al. 2009) come from :func:`sim.fitting.posterior.draw`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sim.errors import InputError

#: prefix of the runs-table columns holding a run's drawn values (cannot clash with an outcome)
DRAW_PREFIX = "draw_"
DRAW_ID = "draw_id"
#: the spawn key of the draws' random stream; replication seeds use spawn keys (0,), (1,), ...
DRAWS_STREAM = (2**32 - 1, 0)


@dataclass(frozen=True)
class PosteriorDraws:
    """The draws of a batch: one row of parameter values (and the particle's id) per replicate."""

    folder: str
    particles: str
    sha256: str
    draw_ids: tuple[int, ...]
    values: tuple[dict[str, Any], ...]

    @property
    def parameters(self) -> list[str]:
        """The drawn parameters' names."""
        return list(self.values[0]) if self.values else []

    def run_fields(self, rep: int, kept_out: Iterable[str] = ()) -> dict[str, Any]:
        """The :class:`~sim.batch.RunSpec` fields of a run of replication ``rep``: its draw (less the
        parameters in ``kept_out``, which the run sets itself), the particle's id, the folder and its sha256."""
        kept_out = set(kept_out)
        return {"draw": {k: v for k, v in self.values[rep].items() if k not in kept_out},
                "draw_id": self.draw_ids[rep], "posterior": self.folder, "posterior_sha256": self.sha256}


def draws_rng(root_seed: int) -> np.random.Generator:
    """The generator of a batch's posterior draws: from the root seed, apart from the runs' seeds."""
    return np.random.default_rng(np.random.SeedSequence(int(root_seed), spawn_key=DRAWS_STREAM))


def plain(value: Any) -> Any:
    """A numpy scalar as the plain Python number a scenario file would hold."""
    return value.item() if isinstance(value, np.generic) else value


def draw_for_batch(folder: str | Path, k: int, root_seed: int) -> PosteriorDraws:
    """``k`` weighted draws from the calibration in ``folder``, reproducible from ``root_seed``.

    Raises :class:`InputError` naming the folder or its particles file when it is missing, is not
    a calibration, or holds a column that is not a model parameter.
    """
    from sim.batch.plan import TOP_LEVEL_KEYS, check_keys
    from sim.batch.store import sha256
    from sim.fitting.posterior import MANIFEST, PARTICLES, draw, fixed_settings

    path = Path(folder)
    if not path.is_dir():
        raise InputError(path, "--posterior", "no such folder",
                         allowed="a folder written by insim calibrate, e.g. calib/default")
    draws = draw(path, k, rng=draws_rng(root_seed))  # InputError naming particles.parquet if unusable
    names = [c for c in draws.columns if c != DRAW_ID]
    if not names:
        raise InputError(path / PARTICLES, "columns", "no parameter column", allowed="one column per fitted parameter")
    try:
        check_keys(names, "parameters")
    except InputError as exc:  # a fitted column names the particles file, a fixed value the manifest
        fixed = {f"parameters.{k}" for k in fixed_settings(path)}
        where = path / (MANIFEST if exc.key in fixed else PARTICLES)
        raise InputError(where, exc.key, exc.problem, allowed="model parameter names") from None
    for name in names:
        if name in TOP_LEVEL_KEYS:
            raise InputError(path / PARTICLES, name, "a scenario key, not a parameter: it cannot be drawn",
                             allowed="model parameter names")
    values = tuple({n: plain(row[n]) for n in names} for row in draws.to_dict("records"))
    return PosteriorDraws(folder=str(folder), particles=str(path / PARTICLES), sha256=sha256(path / PARTICLES),
                          draw_ids=tuple(int(i) for i in draws[DRAW_ID]), values=values)


def check_no_overlap(draws: PosteriorDraws, sets: Iterable[str], sweep: Iterable[str]) -> None:
    """InputError if a drawn parameter is also set or swept (which value should win is unclear)."""
    for option, keys in (("--set", sets), ("--sweep", sweep)):
        for key in keys:
            if key in draws.parameters:
                raise InputError(draws.particles, key, f"is drawn from the posterior and also in {option}",
                                 allowed=f"drop {option} {key}, or run without --posterior")


def check_draws_load(draws: PosteriorDraws, scenario_path: str, sets: dict[str, Any]) -> None:
    """Load the scenario with each draw once, so a value the model refuses stops the batch before any run."""
    from sim.scenario import load_scenario

    for rep, values in enumerate(draws.values):
        try:
            load_scenario(scenario_path, **sets, **values)
        except InputError as exc:
            raise InputError(draws.particles, exc.key, f"draw {rep} (particle {draws.draw_ids[rep]}) is refused "
                             f"by {scenario_path}: {exc.problem}", allowed=exc.allowed) from None


def draw_columns(draw_id: int | None, values: dict[str, Any]) -> dict[str, Any]:
    """The runs-table columns of a run's draw: ``draw_id`` and ``draw_<parameter>`` (none without a posterior)."""
    if draw_id is None:
        return {}
    return {DRAW_ID: draw_id, **{f"{DRAW_PREFIX}{k}": v for k, v in values.items()}}
