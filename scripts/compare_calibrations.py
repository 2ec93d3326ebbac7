"""Which calibration should be the default? The rule of stop 17, applied to two or more folders.

The rule (docs/calibration.md, stop 17, written before any run it judges): a candidate replaces
the default when, on a hindcast of 200 posterior draws with ``--seed 2020``, it meets more of issue
16's five targets, or the same ones with a score lower by more than 0.1. The targets:

* 2019 (April-December on the map) and 2021 (annual) within a factor 1.5 of the record;
* 2021 below half of 2019, per month over the months RIC reported (the ``decline_2021`` summary);
* Deir ez-Zor's share of attacks within 15 points of RIC's;
* raids per month within a factor 2 (on the calibration's own posterior-predictive median: the
  hindcast does not count raids).

The score is the sum of |log ratio| of the 2019 and 2021 levels and of the three governorate
shares (Deir ez-Zor, Raqqa, al-Hasaka) to RIC's. A hindcast already in ``OUT/NAME/hindcast.json``
is reused, so a rerun only prints.

    .venv/bin/python scripts/compare_calibrations.py calib/default calib/margadeh --out results/compare
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from sim.fitting.summaries import observed_record, simulated_summaries

TARGET_FACTOR = 1.5
RAIDS_FACTOR = 2.0
SHARE_POINTS = 0.15
MARGIN = 0.1
REGIONS = ("deir_ez_zor", "raqqa", "hasaka")


def hindcast(folder: Path, out: Path, draws: int, seed: int, workers: int) -> dict[str, Any]:
    """The hindcast report of ``draws`` posterior draws (run through the ``insim hindcast`` command once)."""
    report = out / "hindcast.json"
    if not report.exists():
        # the hindcast's own table goes to OUT/NAME/hindcast.txt; only its closing line is shown here
        done = subprocess.run([sys.executable, "-m", "sim", "hindcast", "history", "--posterior", str(folder),
                               "--draws", str(draws), "--seed", str(seed), "--workers", str(workers),
                               "--out", str(out), "--quiet"], capture_output=True, text=True)
        if done.returncode:  # the command's own message names the file and what is wrong
            print(done.stderr.strip() or f"insim hindcast failed on {folder} (exit {done.returncode})",
                  file=sys.stderr)
            raise SystemExit(2)
        print(done.stdout.strip().splitlines()[-1])
    return json.loads(report.read_text(encoding="utf-8"))


def raids_per_month(folder: Path) -> float:
    """The calibration's posterior-predictive median of raids a month (its ``predictive.parquet``)."""
    record = observed_record()
    runs = pd.read_parquet(folder / "predictive.parquet")
    values = [simulated_summaries(run, record, ("raids_per_month",))["raids_per_month"]
              for _, run in runs.groupby("draw")]
    return float(pd.Series(values).median())


def judge(report: dict[str, Any], raids: float) -> dict[str, Any]:
    """The five targets (met or not) and the score of one hindcast."""
    years, regions = report["years"], report["regions"]
    per_month = {y: years[y]["reported_months"]["median"] / len(years[y]["reported_months"]["months"])
                 for y in ("2019", "2021")}
    decline = per_month["2021"] / per_month["2019"]
    raids_ratio = raids / observed_record().values["raids_per_month"]
    dez = regions["deir_ez_zor"]
    targets = {
        "2019 within 1.5x": 1 / TARGET_FACTOR <= years["2019"]["ratio"] <= TARGET_FACTOR,
        "2021 within 1.5x": 1 / TARGET_FACTOR <= years["2021"]["ratio"] <= TARGET_FACTOR,
        "2021 below half of 2019": decline < 0.5,
        "Deir ez-Zor within 15 points": abs(dez["median_share"] - dez["observed_share"]) <= SHARE_POINTS,
        "raids within 2x": 1 / RAIDS_FACTOR <= raids_ratio <= RAIDS_FACTOR,
    }
    score = sum(abs(math.log(years[y]["ratio"])) for y in ("2019", "2021"))
    score += sum(abs(math.log(max(regions[r]["median_share"], 1e-3) / regions[r]["observed_share"])) for r in REGIONS)
    return {"targets": targets, "met": sum(targets.values()), "score": score,
            "values": {"2019": years["2019"]["ratio"], "2021": years["2021"]["ratio"], "decline": decline,
                       **{r: regions[r]["median_share"] for r in REGIONS}, "raids": raids}}


def replaces(default: dict[str, Any], candidate: dict[str, Any]) -> bool:
    """The rule: more targets met, or as many with a score lower by more than :data:`MARGIN`."""
    if candidate["met"] != default["met"]:
        return candidate["met"] > default["met"]
    return candidate["score"] < default["score"] - MARGIN


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path, help="calibration folders; the first is the default")
    parser.add_argument("--out", type=Path, default=Path("results/compare"))
    parser.add_argument("--draws", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    if len(args.folders) < 2:
        parser.error("give the default's folder and at least one candidate")
    for folder in args.folders:  # before any hindcast runs: a missing posterior stops at once
        for name in ("particles.parquet", "predictive.parquet"):
            if not (folder / name).exists():
                print(f"compare_calibrations: error: {folder / name}: missing (allowed: a folder written by "
                      "insim calibrate)", file=sys.stderr)
                return 2
    judged = {}
    for folder in args.folders:
        report = hindcast(folder, args.out / folder.name, args.draws, args.seed, args.workers)
        judged[folder] = judge(report, raids_per_month(folder))
        j = judged[folder]
        print(f"{folder}: {j['met']} of 5 targets, score {j['score']:.3f}")
        for name, ok in j["targets"].items():
            print(f"    {'yes' if ok else 'NO '}  {name}")
        print("    " + ", ".join(f"{k} {v:.3g}" for k, v in j["values"].items()))
    default, *candidates = args.folders
    for folder in candidates:
        verdict = "replaces" if replaces(judged[default], judged[folder]) else "does not replace"
        print(f"{folder} {verdict} {default}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
