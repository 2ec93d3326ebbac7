"""A batch's plan: scenarios × sweep points × replications, each run with its id and seed.

Seeds: replication ``r`` of every scenario and sweep point gets the same seed,
``SeedSequence(seed, spawn_key=(r,))`` (common random numbers, so comparisons are paired), and
that seed does not depend on how many scenarios, sweep points or replications the batch has.
Over a posterior (:mod:`sim.batch.posterior`), replication ``r`` also gets the same parameter
draw ``r`` in every scenario and sweep point.
"""

from __future__ import annotations

import difflib
import hashlib
import itertools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.batch.posterior import DRAW_ID, DRAW_PREFIX, check_draws_load, check_no_overlap, draw_for_batch
from sim.errors import InputError
from sim.outcomes import OUTCOMES
from sim.scenario import load_scenario

# scenario-file keys a batch may set or sweep besides the parameters (seed comes from the batch)
TOP_LEVEL_KEYS = ("months", "start", "map")
ID_COLUMNS = ("run_id", "scenario", "rep", "seed")


@dataclass(frozen=True)
class RunSpec:
    """One run of a batch: which scenario, which sweep point, which replication, which seed."""

    run_id: str
    scenario: str
    path: str
    sweep: dict[str, Any] = field(hash=False)
    rep: int
    seed: int
    sets: dict[str, Any] = field(default_factory=dict, hash=False)
    root_seed: int = 0
    draw: dict[str, Any] = field(default_factory=dict, hash=False)  # this replicate's posterior draw
    draw_id: int | None = None  # the drawn particle's number (None without a posterior)
    posterior: str | None = None  # the calibration folder the draws come from
    posterior_sha256: str | None = None  # of its particles file when the batch was planned


def replication_seed(root_seed: int, rep: int) -> int:
    """The seed of replication ``rep``: the same for every scenario and sweep point of a batch."""
    # spawn_key=(rep,) is what SeedSequence(root).spawn(n)[rep] gives, without depending on n
    state = np.random.SeedSequence(int(root_seed), spawn_key=(int(rep),)).generate_state(1, np.uint64)[0]
    return int(state) & (2**63 - 1)  # fits int64 columns in pandas / parquet


def point_label(point: dict[str, Any]) -> str:
    """A short stable label of a sweep point (``base`` for no sweep)."""
    if not point:
        return "base"
    text = json.dumps(point, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:10]


def safe_name(name: str) -> str:
    """``name`` with only letters, digits, ``_`` and ``.``: usable in a run id and a folder name."""
    return re.sub(r"[^A-Za-z0-9_.]+", "_", name).strip("._") or "scenario"


def check_keys(keys: Iterable[str], what: str) -> None:
    """InputError unless every key is a parameter or one of :data:`TOP_LEVEL_KEYS`."""
    from sim.parameters import Parameters

    allowed = set(Parameters.model_fields) | set(TOP_LEVEL_KEYS)
    for key in keys:
        if key not in allowed:
            hint = difflib.get_close_matches(key, sorted(allowed), n=1)
            problem = "not a parameter or scenario key" + (f"; did you mean {hint[0]!r}?" if hint else "")
            if key == "seed":
                problem = "the seed of each run comes from the batch's root seed"
            raise InputError(None, f"{what}.{key}", problem,
                             allowed="a parameter name or one of " + ", ".join(TOP_LEVEL_KEYS))


def whole_number(value: Any, key: str, minimum: int) -> int:
    """``value`` as an int if it is a whole number (numpy integers too) of at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise InputError(None, key, f"must be a whole number of at least {minimum} (got {value!r})",
                         allowed=f"{minimum} or more")
    return int(value)


def count_runs(n_scenarios: int, reps: int, sweep: dict[str, list[Any]] | None) -> int:
    """How many runs a batch would have (to ask before a very large one)."""
    n = n_scenarios * max(reps, 0)
    for values in (sweep or {}).values():
        n *= len(values)
    return n


def replications(reps: int | None, posterior: str | Path | None, draws: int | None) -> int:
    """How many replications: ``reps``, or over a posterior ``draws`` (``reps`` must then agree)."""
    if posterior is None:
        if draws is not None:
            raise InputError(None, "draws", "draws need a posterior to draw from",
                             allowed="--posterior calib/NAME --draws K, or --reps N without a posterior")
        if reps is None:
            raise InputError(None, "reps", "how many replications?", allowed="--reps N (1 or more)")
        return whole_number(reps, "reps", 1)
    if draws is None and reps is None:
        raise InputError(None, "draws", "how many posterior draws?",
                         allowed="--draws K: K replications, each with its own draw")
    k = whole_number(draws if draws is not None else reps, "draws" if draws is not None else "reps", 1)
    if reps is not None and whole_number(reps, "reps", 1) != k:
        raise InputError(None, "reps", f"--reps {reps} disagrees with --draws {k}: over a posterior each "
                         "replication runs one draw", allowed=f"--reps {k}, or leave --reps out")
    return k


def plan(scenarios: list[str | Path], reps: int | None, seed: int = 0, sets: dict[str, Any] | None = None,
         sweep: dict[str, list[Any]] | None = None, posterior: str | Path | None = None,
         draws: int | None = None) -> list[RunSpec]:
    """Every run of a batch: scenarios × sweep points (cartesian) × ``reps`` replications.

    Args:
        scenarios: shipped scenario names or paths to scenario files.
        reps: replications of each scenario and sweep point (at least 1); may be None over a posterior.
        seed: the root seed every run's seed (and the posterior draws) are derived from.
        sets: values set in every run (parameters, or ``months``/``start``/``map``).
        sweep: values to sweep, one list per parameter (or top-level key); all combinations run.
        posterior: a calibration folder (``calib/NAME``): replication ``r`` runs with its ``r``-th
            weighted draw of the fitted parameters, in every scenario and sweep point.
        draws: how many draws (= replications) over ``posterior``; default ``reps``.

    Everything is checked here, before any run: each scenario is loaded with the sets and every
    sweep point. Raises :class:`InputError` on any problem.
    """
    sets = dict(sets or {})
    sweep = {k: list(v) if isinstance(v, list | tuple | range | np.ndarray) else v for k, v in (sweep or {}).items()}
    reps = replications(reps, posterior, draws)
    seed = whole_number(seed, "seed", 0)
    if not scenarios:
        raise InputError(None, "scenarios", "no scenario given")
    check_keys(sets, "sets")
    check_keys(sweep, "sweep")
    for key, values in sweep.items():
        if not isinstance(values, list) or not values:
            raise InputError(None, f"sweep.{key}", f"needs a non-empty list of values (got {values!r})")
        if len({json.dumps(v, default=str) for v in values}) != len(values):
            raise InputError(None, f"sweep.{key}", f"a value is listed twice in {values!r}")
        if key in sets:
            raise InputError(None, f"sweep.{key}", "is also in sets; set it or sweep it, not both")
    reserved = {*ID_COLUMNS, "month", "date", "status", DRAW_ID, *OUTCOMES}
    for key in sweep:
        if key in reserved or key.startswith(DRAW_PREFIX):  # it would clash with a column of the results tables
            raise InputError(None, f"sweep.{key}", "clashes with a results column name")
    drawn = None
    if posterior is not None:
        drawn = draw_for_batch(posterior, reps, seed)
        check_no_overlap(drawn, sets, sweep)

    points = [dict(zip(sweep, combo, strict=True)) for combo in itertools.product(*sweep.values())]
    specs: list[RunSpec] = []
    seen: dict[str, str] = {}
    for name_or_path in scenarios:
        base = load_scenario(name_or_path, **sets)
        path = str(base.path)
        if base.name in seen:
            other = seen[base.name]
            problem = "listed twice" if other == path else f"two scenarios are named {base.name!r} ({other}, {path})"
            raise InputError(path, "name", problem, allowed="scenarios with distinct names (set `name` in the file)")
        seen[base.name] = path
        if drawn is not None:
            check_draws_load(drawn, path, sets)
        for point in points:
            load_scenario(path, **sets, **point)  # checks the combination, e.g. months vs event dates
            label = point_label(point)
            for rep in range(reps):
                on_posterior = {} if drawn is None else drawn.run_fields(rep)
                specs.append(RunSpec(run_id=f"{safe_name(base.name)}-{label}-r{rep:03d}", scenario=base.name,
                                     path=path, sweep=dict(point), rep=rep, seed=replication_seed(seed, rep),
                                     sets=dict(sets), root_seed=seed, **on_posterior))
    ids = [s.run_id for s in specs]
    if len(set(ids)) != len(ids):  # two names that differ only in unsafe characters
        dup = next(i for i in ids if ids.count(i) > 1)
        raise InputError(None, "scenarios", f"two runs would share the id {dup!r}",
                         allowed="scenario names that differ in letters, digits, '_' or '.'")
    return specs
