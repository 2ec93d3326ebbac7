"""Reference summary of the baseline's main outcomes over seeds, for the speed-equivalence test.

``python benchmarks/equivalence.py`` runs the baseline for :data:`SEEDS` and writes the mean and
standard deviation of :data:`OUTCOMES` at months :data:`MONTHS` to ``equivalence_reference.json``.
The committed file was first generated from the code *before* the speed work of issue 15, and
regenerated from the current code (the commit is noted in the file) when the mechanisms changed on
purpose on 1 December 2026 (issue 13: raids, cold zones, zakat choice, prison decision, Badia
supplies); from then on it guards later speed work, not the first one.
``tests/test_speed_equivalence.py`` checks that the faster code gives the same distribution of
outcomes (it need not give the same numbers: random draws may be taken in another order).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "benchmarks" / "equivalence_reference.json"
SEEDS: tuple[int, ...] = tuple(range(1, 11))
MONTHS: tuple[int, ...] = (24, 48)  # before the 2021 events, and after both
STATE_OUTCOMES: tuple[str, ...] = ("is_fighters", "is_cells", "detainees", "mean_influence", "mean_trust",
                                   "traders_active")
CUMULATIVE_OUTCOMES: tuple[str, ...] = ("ric_attacks", "zakat_revenue_usd", "raids")
OUTCOMES: tuple[str, ...] = STATE_OUTCOMES + CUMULATIVE_OUTCOMES
"""State at the month's end, and incidents summed from the start to that month."""

TOLERANCE_SE = 4.5
"""Allowed |new mean - reference mean| in units of the reference sd / sqrt(n), fixed before any comparison:
two independent means of n = 10 differ by more than 4.5 sd/sqrt(n) (z = 3.2) in ~0.15% of cases each."""


def outcomes_of(seed: int, months: int = max(MONTHS)) -> dict[str, list[float]]:
    """The outcomes at each month of :data:`MONTHS` for one baseline run."""
    sys.path.insert(0, str(ROOT))
    from sim.model import InsurgencyModel
    from sim.scenario import load_scenario

    model = InsurgencyModel(load_scenario("baseline", months=months), rng=seed, collect_daily=False)
    model.run()
    frame = model.monthly_frame()
    out: dict[str, list[float]] = {}
    for name in OUTCOMES:
        series = frame[name].cumsum() if name in CUMULATIVE_OUTCOMES else frame[name]
        out[name] = [float(series.iloc[m - 1]) for m in MONTHS]
    return out


def summary(seeds: tuple[int, ...] = SEEDS) -> dict[str, Any]:
    """Mean and sd (ddof=1) over seeds of each outcome at each month."""
    runs = [outcomes_of(s) for s in seeds]
    table: dict[str, Any] = {}
    for name in OUTCOMES:
        values = np.array([r[name] for r in runs])  # (seeds, months)
        table[name] = {str(m): {"mean": float(values[:, j].mean()), "sd": float(values[:, j].std(ddof=1))}
                       for j, m in enumerate(MONTHS)}
    return {"seeds": list(seeds), "months": list(MONTHS), "outcomes": table}


def main() -> None:
    """Write the reference summary of the current code."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=REFERENCE)
    a = ap.parse_args()
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    ref = {"generated_from_commit": commit, **summary()}
    a.out.write_text(json.dumps(ref, indent=2) + "\n")
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
