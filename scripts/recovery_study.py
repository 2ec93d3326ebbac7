"""Synthetic-recovery study of the calibration machinery (issue 16): can ABC-SMC find values it made?

For each of ``--cases`` truths drawn from the priors of ``--parameters`` (the others at their
defaults), the model makes a record from one run, the calibration fits it, and the study records
whether each true value falls inside the posterior's 90% interval and how much the interval
narrows the prior. A well-calibrated machinery covers the truth in about 90% of cases for the
parameters the summaries identify. Writes ``OUT/recovery.csv`` and ``OUT/recovery.png``
(true value against posterior median with the 90% interval, one panel per parameter).

    .venv/bin/python scripts/recovery_study.py --out results/recovery --cases 10 --population 100 --generations 5
    .venv/bin/python scripts/recovery_study.py --fit-end 2019-12 --parameters killing_prob,detection_base \
        --cases 10 --population 30 --generations 3      # a short window: 2019 attacks and arrests only

With ``--fit-end`` in 2019 the record is read over every month of the run (April to the end), on
the two summaries such a window has: ``attacks_2019`` and ``arrests_per_month``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from sim.fitting.abc import prepare, run_abc
from sim.fitting.config import load_config
from sim.fitting.posterior import load_posterior
from sim.fitting.report import constraint_table, particles_table
from sim.fitting.report_text import effective_sample_size
from sim.fitting.simulate import synthetic_record
from sim.fitting.summaries import ObservedRecord

CONFIG = """
[calibration]
scenario = "{scenario}"
population = {population}
generations = {generations}
root_seed = {seed}
history_matching_runs = 0
posterior_predictive_runs = 0
fit_end = "{fit_end}"

[summaries]
{summaries}
"""
FULL_SUMMARIES = ("attacks_2019 = 2.0\nattacks_2020 = 1.0\nattacks_2021 = 2.0\noffensive_shift = 1.0\n"
                  "decline_2021 = 2.0\narrests_per_month = 1.0")
SHORT_SUMMARIES = "attacks_2019 = 1.0\narrests_per_month = 1.0"


def short_record(fit_end: str) -> ObservedRecord:
    """A record template over every month from April 2019 to ``fit_end`` (values come from the model)."""
    months = tuple(str(m) for m in pd.period_range("2019-04", fit_end, freq="M"))
    return ObservedRecord({"attacks_2019": 0.0, "arrests_per_month": 0.0},
                          {"attacks_2019": months, "arrests_per_month": months}, 1.0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="results/recovery")
    parser.add_argument("--scenario", default="baseline")
    parser.add_argument("--parameters",
                        default="killing_prob,detection_base,command_share_at_start,arsenal_per_fighter_usd",
                        help="parameters fitted (their priors come from calib/default/config.toml)")
    parser.add_argument("--cases", type=int, default=10)
    parser.add_argument("--population", type=int, default=100)
    parser.add_argument("--generations", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--fit-end", default="2021-12")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.parameters.split(",") if n.strip()]
    default = load_config().path.read_text(encoding="utf-8")
    blocks = default.split("\n[parameters.")[1:]
    chosen = "".join("\n[parameters." + b for b in blocks if b.split("]")[0] in names)
    fitted = [b.split("]")[0] for b in blocks]
    missing = [n for n in names if n not in fitted]
    if missing:  # a name the default config does not fit has no prior to draw truths from
        parser.error(f"--parameters: {', '.join(missing)} not fitted by {load_config().path} "
                     f"(allowed: {', '.join(fitted)})")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    short = args.fit_end <= "2019-12"
    rng = np.random.default_rng(args.seed)
    rows, began = [], time.perf_counter()
    for case in range(args.cases):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "config.toml"
            path.write_text(CONFIG.format(scenario=args.scenario, population=args.population,
                                          generations=args.generations, seed=args.seed + case,
                                          fit_end=args.fit_end,
                                          summaries=SHORT_SUMMARIES if short else FULL_SUMMARIES) + chosen,
                            encoding="utf-8")
            calib = prepare(load_config(path), Path(tmp) / "fit", workers=args.workers, say=lambda _: None,
                            record=short_record(args.fit_end) if short else None)
            truth = {p.name: p.to_model(rng.uniform(*p.sample_bounds)) for p in calib.priors}
            record = synthetic_record(calib.simulator, truth, seed=int(rng.integers(2**31)))
            calib.record = calib.simulator.record = record
            run_abc(calib, say=lambda _: None)
            particles_table(calib).to_parquet(calib.out / "particles.parquet")
            posterior = load_posterior(calib.out)
            table = constraint_table(calib, posterior)
        ess = effective_sample_size(posterior["weight"])
        runs = sum(g["runs"] for g in calib.generations)
        for r in table.itertuples():
            rows.append({"case": case, "parameter": r.parameter, "truth": truth[r.parameter], "median": r.median,
                         "p05": r.p05, "p95": r.p95, "width_ratio": r.width_ratio, "constrained": r.constrained,
                         "covered": r.p05 <= truth[r.parameter] <= r.p95, "ess": ess,
                         "population": args.population, "runs": runs})
        # an interrupted study keeps its finished cases, table and figure
        pd.DataFrame(rows).to_csv(out / "recovery.csv", index=False)
        figure(pd.DataFrame(rows), out / "recovery.png")
        print(f"case {case + 1}/{args.cases} done ({time.perf_counter() - began:.0f} s; {runs} runs; "
              f"posterior effective sample size {ess:.1f} of {args.population})", flush=True)
    result = pd.DataFrame(rows)
    print(result.groupby("parameter")[["covered", "width_ratio"]].mean().to_string())
    print(f"{args.cases} cases, {time.perf_counter() - began:.0f} s on {args.workers} workers")
    return 0


def figure(result: pd.DataFrame, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(dict.fromkeys(result["parameter"]))
    fig, axes = plt.subplots(1, len(names), figsize=(3.2 * len(names), 3.2), squeeze=False)
    for ax, name in zip(axes[0], names, strict=True):
        t = result[result["parameter"] == name]
        ax.errorbar(t["truth"], t["median"], yerr=[t["median"] - t["p05"], t["p95"] - t["median"]], fmt="o",
                    ms=3, color="tab:blue", ecolor="tab:blue", alpha=0.7)
        lo, hi = min(t["p05"].min(), t["truth"].min()), max(t["p95"].max(), t["truth"].max())
        ax.plot([lo, hi], [lo, hi], color="0.5", lw=1, ls="--")
        ax.set_title(f"{name}\ncovered {t['covered'].mean():.0%}", fontsize=8)
        ax.set_xlabel("true value", fontsize=7)
        ax.tick_params(labelsize=7)
    axes[0][0].set_ylabel("posterior median, 90% interval", fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    sys.exit(main())
