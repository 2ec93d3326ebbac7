"""Which lever holds a calibrated pattern back? Posterior draws run as fitted and with one lever changed.

Draws ``--draws`` weighted particles of a calibration (``--posterior``), runs ``history`` to the
fit's end for each as fitted and under each ``--variant`` (the same seed for every variant of a
draw, so the contrasts are paired), and prints the medians over the draws of every summary of the
calibration's config and of the weighted distance. Writes ``OUT/levers.csv`` (one row a run).

    .venv/bin/python scripts/posterior_levers.py --out results/levers \\
        --variant "patience off:patience_tolerance=1" \\
        --variant "money x10:is_money_initial_usd=*10,arsenal_per_fighter_usd=*10"

A value ``*F`` multiplies the draw's own value by F (capped at the parameter's declared maximum).
The stop-14 probe in docs/calibration.md ("What holds 2019's level down") is this script with the
variants listed there, ``--draws 6 --rng 7 --seed 100``.
"""

from __future__ import annotations

import argparse
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd

import sim
from sim.fitting.config import load_config
from sim.fitting.posterior import draw
from sim.fitting.simulate import months_until
from sim.fitting.summaries import observed_record, simulated_summaries, summary_distance, with_ric_attacks
from sim.parameters import parameter_table


def parse_variant(text: str) -> tuple[str, dict[str, str]]:
    """``"name:key=value,key=*factor"`` as the name and its settings (values kept as text)."""
    name, _, settings = text.partition(":")
    pairs = dict(item.split("=", 1) for item in settings.split(",") if item)
    return name.strip(), {k.strip(): v.strip() for k, v in pairs.items()}


def apply(values: dict[str, Any], settings: dict[str, str], maxima: dict[str, float]) -> dict[str, Any]:
    """The draw's values with a variant's settings: ``*F`` scales the drawn value, anything else replaces it."""
    out = dict(values)
    for key, text in settings.items():
        if text.startswith("*"):
            out[key] = min(float(out[key]) * float(text[1:]), maxima.get(key, float("inf")))
        elif text.lower() in ("true", "false"):
            out[key] = text.lower() == "true"
        else:
            number = float(text)
            out[key] = int(number) if isinstance(out.get(key), int) and number.is_integer() else number
    return out


def run_one(job: tuple[int, str, dict[str, Any], int, str, dict[str, float]]) -> dict[str, Any]:
    """One run of ``history`` to ``end``: the config's summaries, their distances and the weighted distance."""
    k, variant, values, seed, end, weights = job
    start = sim.load_scenario("history").start
    scenario = sim.load_scenario("history", months=months_until(start, end), **values)
    model = sim.InsurgencyModel(scenario, rng=seed, collect_daily=False).run()
    frame = with_ric_attacks(model.monthly_frame()).assign(region_share_of_is=float(model.p.region_share_of_is))
    record = observed_record()
    summaries = simulated_summaries(frame, record, tuple(weights))
    distances = {n: summary_distance(n, float(summaries[n]), float(record.values.get(n, float("nan"))))
                 for n in weights}
    total = sum(weights[n] * distances[n] for n in weights) / sum(weights.values())
    return {"draw": k, "variant": variant, **{n: float(summaries[n]) for n in weights},
            **{f"distance_{n}": d for n, d in distances.items()}, "distance": total}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posterior", default="calib/default", help="a calibration folder (default calib/default)")
    parser.add_argument("--draws", type=int, default=6, help="weighted draws of the last generation")
    parser.add_argument("--rng", type=int, default=7, help="seed of the draws")
    parser.add_argument("--seed", type=int, default=100, help="model seed of draw 0 (draw k gets seed + k)")
    parser.add_argument("--variant", action="append", default=[], help="NAME:key=value,key=*factor (repeatable)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path("results/levers"))
    args = parser.parse_args(argv)

    config = load_config(Path(args.posterior) / "config.toml")
    weights = {k: w for k, w in config.weights.items() if w > 0}
    end = str(config.settings.get("fit_end", "2021-12"))
    table = parameter_table().dropna(subset=["max"])
    maxima = dict(zip(table["parameter"], table["max"].astype(float), strict=True))
    drawn = draw(args.posterior, args.draws, rng=args.rng).drop(columns="draw_id")
    variants = [("as fitted", {})] + [parse_variant(v) for v in args.variant]
    jobs = []
    for k, row in enumerate(drawn.to_dict("records")):
        values = {n: (v.item() if hasattr(v, "item") else v) for n, v in row.items()}
        jobs += [(k, name, apply(values, settings, maxima), args.seed + k, end, weights) for name, settings in variants]
    with ProcessPoolExecutor(args.workers) as pool:
        rows = list(pool.map(run_one, jobs))
    frame = pd.DataFrame(rows)
    args.out.mkdir(parents=True, exist_ok=True)
    frame.to_csv(args.out / "levers.csv", index=False)
    columns = [*weights, "distance"]
    with pd.option_context("display.width", 200, "display.max_columns", 30):
        print(frame.groupby("variant", sort=False)[columns].median().round(3).T.to_string())
    print(f"wrote {args.out / 'levers.csv'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
