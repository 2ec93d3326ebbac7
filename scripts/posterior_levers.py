"""Which lever holds a calibrated pattern back? Posterior draws run as fitted and with one lever changed.

Draws ``--draws`` weighted particles of a calibration (``--posterior``), runs ``history`` to the
fit's end for each as fitted and under each ``--variant`` (the same seed for every variant of a
draw, so the contrasts are paired), and prints the medians over the draws of every weighted summary of
the calibration's config and of the weighted distance. Writes ``OUT/levers.csv`` (one row a run,
with the values each run used).

    .venv/bin/python scripts/posterior_levers.py --out results/levers \\
        --variant "patience off:patience_tolerance=1" \\
        --variant "money x10:is_money_initial_usd=*10,arsenal_per_fighter_usd=*10"

A value ``*F`` multiplies the draw's value by F (or the default's, for a parameter the calibration did
not fit); every value is kept inside the parameter's declared range, and the script says how many
were clipped. Bad input (an unknown parameter, a variant without ``NAME:key=value``) exits with
status 2 and one message.
The stop-14 probe in docs/calibration.md ("What holds 2019's level down") is this script with the
variants listed there, ``--draws 6 --rng 7 --seed 100``.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd

from sim.errors import InputError
from sim.fitting.config import load_config
from sim.fitting.posterior import draw
from sim.fitting.simulate import fit_frame
from sim.fitting.summaries import distance, observed_record, simulated_summaries, summary_distance
from sim.parameters import Parameters, parameter_table

AS_FITTED = "as fitted"


def parse_variant(text: str) -> tuple[str, dict[str, str]]:
    """``"name:key=value,key=*factor"`` as the name and its settings (values kept as text)."""
    name, colon, settings = text.partition(":")
    items = [item.strip() for item in settings.split(",") if item.strip()]
    if not colon or not name.strip() or not items or any("=" not in item for item in items):
        raise InputError(None, "--variant", f"{text!r} is not NAME:key=value[,key=value...]",
                         allowed='e.g. "patience off:patience_tolerance=1"')
    pairs = dict(item.split("=", 1) for item in items)
    unknown = [k.strip() for k in pairs if k.strip() not in Parameters.model_fields]
    if unknown:
        raise InputError(None, "--variant", f"unknown parameter {unknown[0]!r}", allowed="model parameter names")
    return name.strip(), {k.strip(): v.strip() for k, v in pairs.items()}


def apply(values: dict[str, Any], settings: dict[str, str], defaults: dict[str, Any],
          bounds: dict[str, tuple[float, float]]) -> tuple[dict[str, Any], int]:
    """The draw's values with a variant's settings, kept in range; returns them and how many were clipped.

    ``*F`` scales the drawn value (the default's when the parameter was not fitted); ``true``/``false``
    set a switch; anything else is a number. Whole-number parameters are rounded.
    """
    out, clipped = dict(values), 0
    for key, text in settings.items():
        if text.lower() in ("true", "false"):
            out[key] = text.lower() == "true"
            continue
        try:
            number = float(out.get(key, defaults[key])) * float(text[1:]) if text.startswith("*") else float(text)
        except ValueError:
            raise InputError(None, "--variant", f"{key}={text!r} is not a number or *factor") from None
        low, high = bounds.get(key, (float("-inf"), float("inf")))
        clipped += not low <= number <= high
        number = min(max(number, low), high)
        out[key] = int(round(number)) if Parameters.model_fields[key].annotation is int else number
    return out, clipped


def run_one(job: tuple[int, str, dict[str, Any], int, str, str, dict[str, Any], dict[str, float]]) -> dict[str, Any]:
    """One run of the calibration's scenario to ``end``: its summaries, their distances, the weighted distance."""
    k, variant, values, seed, scenario, end, fixed, weights = job
    frame = fit_frame(scenario, end, seed, **{**fixed, **values})
    record = observed_record()
    summaries = {n: float(v) for n, v in simulated_summaries(frame, record, tuple(weights)).items()}
    parts = {f"distance_{n}": summary_distance(n, summaries[n], float(record.values.get(n, float("nan"))))
             for n in weights}
    return {"draw": k, "variant": variant, "seed": seed, **{n: summaries[n] for n in weights}, **parts,
            "distance": distance(summaries, record.values, weights), **{f"value_{n}": v for n, v in values.items()}}


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
    try:
        if args.workers < 1:
            raise InputError(None, "--workers", f"must be at least 1 (got {args.workers})")
        variants = [(AS_FITTED, {})] + [parse_variant(v) for v in args.variant]
        names = [name for name, _ in variants]
        if len(set(names)) < len(names):
            raise InputError(None, "--variant", "two variants share a name (or one is called 'as fitted')",
                             allowed="distinct names")
        config = load_config(Path(args.posterior) / "config.toml")
        drawn = draw(args.posterior, args.draws, rng=args.rng).drop(columns="draw_id")
    except InputError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    weights = {k: w for k, w in config.weights.items() if w > 0}
    scenario, end = str(config.settings["scenario"]), str(config.settings.get("fit_end", "2021-12"))
    table = parameter_table()
    defaults = dict(zip(table["parameter"], table["value"], strict=True))
    bounds = {row.parameter: (float(row.min), float(row.max)) for row in table.itertuples()
              if pd.notna(row.min) and pd.notna(row.max)}
    jobs, clipped = [], 0
    for k, row in enumerate(drawn.to_dict("records")):
        values = {n: (v.item() if hasattr(v, "item") else v) for n, v in row.items()}
        for name, settings in variants:
            used, n_clipped = apply(values, settings, defaults, bounds)
            clipped += n_clipped
            jobs.append((k, name, used, args.seed + k, scenario, end, dict(config.fixed), weights))
    with ProcessPoolExecutor(args.workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        frame = pd.DataFrame(pool.map(run_one, jobs))
    args.out.mkdir(parents=True, exist_ok=True)
    frame.to_csv(args.out / "levers.csv", index=False)
    with pd.option_context("display.width", 200, "display.max_columns", 30):
        print(frame.groupby("variant", sort=False)[[*weights, "distance"]].median().round(3).T.to_string())
    if clipped:
        print(f"{clipped} value(s) were clipped to their parameter's declared range")
    print(f"wrote {args.out / 'levers.csv'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
