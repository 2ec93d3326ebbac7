"""Morris elementary-effects screening of the assumed parameters, run through :mod:`sim.batch`.

Which parameters are screened: every parameter of ``seeds/parameters.toml`` that rests on an
``assumption`` rather than on a fact, leaving out switches, booleans and dates (those are
ablations, not ranges). Parameters backed by a fact from the sources are held at their value.

Bounds: the seeds' min/max ranges are what a scenario may set, and are often far wider than
plausible (``recruit_cost_usd`` may go from 0 to 100,000). Screening over them would rank
parameters by how absurd their extremes are. So each parameter varies over its default
±50%, clipped to the table's range (:data:`RELATIVE_SPAN`). A parameter whose default is 0
varies from its minimum over a tenth of its table range. Integer parameters are rounded.

Runs: SALib's Morris design (``SALib.sample.morris``, ``num_levels`` levels, ``trajectories``
trajectories, so ``trajectories × (k + 1)`` runs) becomes an explicit run list of
:class:`sim.batch.RunSpec`, one per design row, each with its parameter values as the run's
sweep point. :func:`sim.batch.run_batch` runs them on local processes or Dask, and stores them
as any batch. Every run uses the same seed (common random numbers), so that an elementary
effect is not drowned in seed-to-seed noise; it remains a one-seed screening, and a changed
parameter still shifts the random stream, so small μ* values are noise (a parameter that is
never read has μ* exactly 0).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import InputError

RELATIVE_SPAN = 0.5
"""Each parameter varies over default × (1 ± RELATIVE_SPAN), clipped to its table range."""

DEFAULT_OUTCOMES: tuple[str, ...] = ("influence_east_strip", "is_fighters", "total_killings",
                                     "total_zakat_revenue_usd")
"""Outcomes screened by default: columns of a batch's ``runs`` table (final state, or ``total_`` run totals)."""

DEFAULT_SCENARIO = "baseline"


@dataclass(frozen=True)
class Factor:
    """One screened parameter and its bounds."""

    name: str
    default: float
    low: float
    high: float
    integer: bool


def is_screenable(spec: Any) -> bool:
    """True for assumed numeric parameters (not switches, booleans, dates or strings)."""
    value = spec.value
    return (spec.is_assumption and spec.unit != "switch" and not isinstance(value, bool)
            and isinstance(value, int | float))


def factors(names: Sequence[str] | None = None) -> list[Factor]:
    """The factors to screen: ``names`` (checked), or every screenable parameter in table order."""
    from sim.parameters import Parameters
    from sim.sources import load_parameter_specs

    specs = load_parameter_specs()
    if names:
        unknown = [n for n in names if n not in specs]
        if unknown:
            raise InputError(None, "parameters", f"unknown parameter(s): {', '.join(unknown)}",
                             allowed="names from seeds/parameters.toml")
        bad = [n for n in names if isinstance(specs[n].value, bool) or not isinstance(specs[n].value, int | float)]
        if bad:
            raise InputError(None, "parameters", f"not numeric (switch, boolean or date): {', '.join(bad)}")
        chosen = [specs[n] for n in names]
    else:
        chosen = [s for s in specs.values() if is_screenable(s)]
    out = []
    for spec in chosen:
        integer = Parameters.model_fields[spec.name].annotation is int
        low, high = bounds(float(spec.value), spec.minimum, spec.maximum)
        if integer:
            low, high = float(np.ceil(low)), float(np.floor(high))
        if high <= low:
            continue  # nothing to vary (e.g. an integer default of 1 clipped to [1, 1])
        out.append(Factor(spec.name, float(spec.value), low, high, integer))
    return out


def bounds(default: float, minimum: float | None, maximum: float | None) -> tuple[float, float]:
    """default ± RELATIVE_SPAN, clipped to [minimum, maximum]; from the minimum when the default is 0."""
    lo_limit = -np.inf if minimum is None else float(minimum)
    hi_limit = np.inf if maximum is None else float(maximum)
    if default == 0:
        if not (np.isfinite(lo_limit) and np.isfinite(hi_limit)):
            return 0.0, 1.0
        return lo_limit, lo_limit + 0.1 * (hi_limit - lo_limit)
    span = abs(default) * RELATIVE_SPAN
    return max(lo_limit, default - span), min(hi_limit, default + span)


def problem(chosen: Sequence[Factor]) -> dict[str, Any]:
    """The SALib problem dictionary."""
    return {"num_vars": len(chosen), "names": [f.name for f in chosen], "bounds": [[f.low, f.high] for f in chosen]}


def screenable_outcomes() -> list[str]:
    """The outcomes a screening can rank: the numeric columns of a batch's stored runs table."""
    from sim.datadict import LAST_MONTH_PREFIX, TOTAL_PREFIX
    from sim.outcomes import COUNTED_PER_MONTH, OUTCOMES

    return [*(o for o in OUTCOMES if o not in COUNTED_PER_MONTH), *(TOTAL_PREFIX + o for o in COUNTED_PER_MONTH),
            *(LAST_MONTH_PREFIX + o for o in COUNTED_PER_MONTH), "n_events"]


def check_outcomes(names: Sequence[str]) -> list[str]:
    """``names`` if each is a screenable outcome; else InputError before any run (not after them all)."""
    from sim.analysis import check_outcomes as check_names

    return check_names(names, allowed=screenable_outcomes())


def check_design(n_parameters: int, trajectories: int, levels: int) -> None:
    """InputError unless a Morris design of these sizes can be drawn (SALib fails obscurely otherwise)."""
    if n_parameters < 2:
        raise InputError(None, "parameters", "Morris screening needs at least two parameters")
    if trajectories < 2:
        raise InputError(None, "trajectories", f"needs at least 2 (got {trajectories})")
    # SALib's grid has step levels / (2 (levels - 1)) and trajectories start on the lower levels / 2 of
    # its levels: no grid below two levels, and an odd number puts the points off the grid (SALib only
    # warns "sample may be biased"; with 3 levels no point ever reaches the upper bound)
    if levels < 2:
        raise InputError(None, "levels", f"needs at least 2 (got {levels})", allowed="an even number, 2 or more")
    if levels % 2:
        raise InputError(None, "levels", f"{levels} is odd: SALib's Morris design is then biased",
                         allowed="an even number of 2 or more, e.g. 4")


def design(chosen: Sequence[Factor], trajectories: int, levels: int = 4, seed: int = 0) -> np.ndarray:
    """The Morris design: ``trajectories × (k + 1)`` rows of parameter values (integers rounded)."""
    from SALib.sample import morris as morris_sample

    check_design(len(chosen), trajectories, levels)
    x = morris_sample.sample(problem(chosen), N=trajectories, num_levels=levels, seed=seed)
    for j, f in enumerate(chosen):
        if f.integer:
            x[:, j] = np.round(x[:, j])
    return x


def run_specs(chosen: Sequence[Factor], x: np.ndarray, scenario: str = DEFAULT_SCENARIO, months: int | None = None,
              seed: int = 0) -> list[Any]:
    """One :class:`sim.batch.RunSpec` per design row, all with the same seed (replication 0 of ``seed``)."""
    from sim.batch import RunSpec, replication_seed, safe_name
    from sim.scenario import load_scenario

    sets = {"months": months} if months is not None else {}
    base = load_scenario(scenario, **sets)
    run_seed = replication_seed(int(seed), 0)
    specs = []
    for i, row in enumerate(x):
        point = {f.name: (int(v) if f.integer else float(v)) for f, v in zip(chosen, row, strict=True)}
        run_id = f"{safe_name(base.name)}-morris{i:05d}-r000"
        specs.append(RunSpec(run_id=run_id, scenario=base.name, path=str(base.path),
                             sweep=point, rep=0, seed=run_seed, sets=dict(sets), root_seed=int(seed)))
    if specs:
        load_scenario(scenario, **sets, **specs[0].sweep)  # checks the values against the parameter model
    return specs


def analyse(chosen: Sequence[Factor], x: np.ndarray, runs: pd.DataFrame, outcomes: Sequence[str],
            levels: int = 4, seed: int = 0) -> pd.DataFrame:
    """μ*, μ, σ (and μ*'s bootstrap confidence) per parameter and outcome, from the runs in design order."""
    from SALib.analyze import morris as morris_analyze

    if "status" in runs and (runs["status"] != "ok").any():
        failed = runs.loc[runs["status"] != "ok", "run_id"].tolist()
        raise InputError(None, "runs", f"{len(failed)} run(s) failed, e.g. {failed[0]}; Morris needs every run")
    if len(runs) != len(x):
        raise InputError(None, "runs", f"{len(runs)} results for {len(x)} design rows")
    missing = [o for o in outcomes if o not in runs]
    if missing:
        raise InputError(None, "outcomes", f"not in the results: {', '.join(missing)}",
                         allowed=", ".join(c for c in runs.columns if c not in ("run_id", "scenario", "status")))
    rows = []
    for outcome in outcomes:
        y = runs[outcome].to_numpy(dtype=float)
        res = morris_analyze.analyze(problem(chosen), x, y, num_levels=levels, print_to_console=False, seed=seed)
        top = float(np.nanmax(res["mu_star"])) or 1.0
        for j, f in enumerate(chosen):
            rows.append({"outcome": outcome, "parameter": f.name, "mu_star": float(res["mu_star"][j]),
                         "mu": float(res["mu"][j]), "sigma": float(res["sigma"][j]),
                         "mu_star_conf": float(res["mu_star_conf"][j]), "mu_star_norm": float(res["mu_star"][j]) / top,
                         "low": f.low, "default": f.default, "high": f.high})
    table = pd.DataFrame(rows)
    table["rank"] = table.groupby("outcome")["mu_star"].rank(ascending=False, method="min").astype(int)
    return table.sort_values(["outcome", "rank"]).reset_index(drop=True)


def plot(table: pd.DataFrame, path: str | Path, label_top: int = 6) -> Path:
    """μ* against σ, one panel per outcome, the ``label_top`` highest μ* labelled."""
    import matplotlib.pyplot as plt

    from sim.plots import save_figure

    outcomes = list(dict.fromkeys(table["outcome"]))
    cols = min(2, len(outcomes))
    rows = int(np.ceil(len(outcomes) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(6.5 * cols, 5 * rows), squeeze=False)
    for ax, outcome in zip(axes.flat, outcomes, strict=False):
        t = table[table["outcome"] == outcome]
        ax.scatter(t["mu_star"], t["sigma"], s=14, alpha=0.6)
        for r in t.nsmallest(label_top, "rank").itertuples():
            ax.annotate(r.parameter, (r.mu_star, r.sigma), fontsize=7, xytext=(3, 3), textcoords="offset points")
        top = float(max(t["mu_star"].max(), t["sigma"].max(), 1e-12))
        ax.plot([0, top], [0, top], color="grey", lw=0.8, ls="--")  # σ = μ*: above it, interactions/non-linearity
        ax.set_title(outcome, fontsize=10)
        ax.set_xlabel("μ* (mean |elementary effect|)")
        ax.set_ylabel("σ (spread of effects)")
    for ax in list(axes.flat)[len(outcomes):]:
        ax.axis("off")
    fig.suptitle("Morris screening of the assumed parameters (dashed: σ = μ*)", fontsize=11)
    fig.tight_layout()
    return save_figure(fig, path, dpi=110)


def screen(parameters: Sequence[str] | None = None, outcomes: Sequence[str] = DEFAULT_OUTCOMES,
           trajectories: int = 4, months: int | None = 36, out: str | Path = "results/sensitivity",
           workers: int | None = None, dask: str | None = None, seed: int = 0, levels: int = 4,
           scenario: str = DEFAULT_SCENARIO, resume: bool = False, progress: bool = False) -> pd.DataFrame:
    """Sample, run (through :func:`sim.batch.run_batch`), analyse; writes ``morris.csv/.png/.md`` to ``out``.

    The runs are stored in ``out/runs`` as a batch (so an interrupted screening can be resumed
    with ``resume=True`` and the same arguments).
    """
    from sim.batch import load_results, run_batch

    chosen = factors(parameters)
    x = design(chosen, trajectories, levels=levels, seed=seed)
    specs = run_specs(chosen, x, scenario=scenario, months=months, seed=seed)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    summary = run_batch(specs, out / "runs", workers=workers, dask=dask, resume=resume, progress=progress,
                        command=["sensitivity"])
    runs = load_results(out / "runs").runs
    order = {s.run_id: i for i, s in enumerate(specs)}
    runs = runs.sort_values("run_id", key=lambda c: c.map(order)).reset_index(drop=True)
    table = analyse(chosen, x, runs, outcomes, levels=levels, seed=seed)
    table.to_csv(out / "morris.csv", index=False)
    pd.DataFrame(x, columns=[f.name for f in chosen]).to_csv(out / "design.csv", index=False)
    plot(table, out / "morris.png")
    (out / "morris.md").write_text(markdown(table))
    table.attrs["wall_time_s"] = summary.wall_time
    table.attrs["n_runs"] = len(specs)
    return table


def markdown(table: pd.DataFrame, top: int = 12) -> str:
    """The ``top`` parameters by μ* for each outcome, as markdown tables (μ* also relative to the largest)."""
    parts = []
    for outcome, t in table.groupby("outcome", sort=False):
        parts += [f"### `{outcome}`", "", "| rank | parameter | μ* | μ*/max | μ | σ | range screened |",
                  "|---|---|---|---|---|---|---|"]
        for r in t.nsmallest(top, "rank").itertuples():
            parts.append(f"| {r.rank} | `{r.parameter}` | {r.mu_star:.3g} | {r.mu_star_norm:.2f} | {r.mu:.3g} | "
                         f"{r.sigma:.3g} | {r.low:g} to {r.high:g} |")
        parts.append("")
    return "\n".join(parts)
