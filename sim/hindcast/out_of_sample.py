"""The out-of-sample test: the model's projection after the fit set against counts it never saw.

The calibration and every tuning used RIC's record up to :data:`sim.observed.FIT_END` only; the
project deliberately ships nothing later. A user who has RIC's counts for later months (2022 on)
writes them in the columns of ``data/observed/ric_nes_2019_2021.csv`` (a source for every row) and
runs ``insim hindcast history --posterior calib/default --out-of-sample FILE``. This module compares
them with the same runs the hindcast makes, like with like:

* NES-wide counts are scaled to the map's three governorates by the share RIC placed there during
  the fit period (:func:`sim.observed.mapped_share` of the record up to the fit's end), the share
  the hindcast uses; the later file's own regional columns are compared separately, unscaled.
* Each reported month: the observed count (scaled), the model's median and 10-90% band over runs,
  the ratio, and whether the count falls inside the band. Each year: the sum over its reported
  months against the runs' sums over the same months.
* The summary says how many reported months fall inside the band: for a model whose runs spread
  as the world does, about 80% would (the band holds 80% of runs), and the median log ratio says
  whether the model runs high (> 0) or low (< 0).
* Rows up to the fit's end are not part of the test and are left out (their number is reported);
  months after the run's last month cannot be compared and are listed.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis import text_table
from sim.errors import InputError
from sim.hindcast import (
    HIGH,
    LOW,
    OUTCOME,
    REGION_LABELS,
    REGION_OUTCOMES,
    band,
    band_text,
    compare_regions,
    number_text,
    ratio_of,
    runs_by_month,
)
from sim.observed import FIT_END, load_ric

__all__ = ["compare_out_of_sample", "format_out_of_sample", "load_later"]

def load_later(path: str | Path, first: pd.Period, last: pd.Period,
               fit_end: str = FIT_END) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The rows of ``path`` after ``fit_end`` inside a run from ``first`` to ``last``, and what was left out.

    Raises :class:`InputError` (naming the file) when the file is not a valid record or has no month
    after the fit inside the run.
    """
    path = Path(path)
    rows = load_ric(path, until=None)
    end = pd.Period(fit_end, freq="M")
    later = rows[rows["month"] > end]
    inside = later[(later["month"] >= first) & (later["month"] <= last)]
    left_out = {"fit_period_rows": int((rows["month"] <= end).sum()),
                "after_run": [str(m) for m in later.loc[later["month"] > last, "month"]]}
    if inside.empty:
        what = (f"no month after {fit_end}" if later.empty else
                f"no month after {fit_end} inside the run ({first} to {last})")
        raise InputError(path, "month", what,
                         allowed=f"months from {max(end + 1, first)} to {last} in the columns of ric_nes_2019_2021.csv "
                                 "(lengthen the run with --set months=N to reach later months)")
    return inside.reset_index(drop=True), left_out


def _inside(b: dict[str, float | None], observed: float) -> bool | None:
    if b["p10"] is None or b["p90"] is None:
        return None
    return bool(b["p10"] <= observed <= b["p90"])


def _log_ratio(model: float | None, observed: float) -> float | None:
    if model is None or observed <= 0 or model <= 0:
        return None
    return math.log(model / observed)


def compare_out_of_sample(monthly: pd.DataFrame, later: pd.DataFrame, share: float,
                          left_out: dict[str, Any] | None = None, source: str = "") -> dict[str, Any]:
    """The test as a dict: ``{"months", "years", "regions", "summary"}`` (JSON-ready).

    Args:
        monthly: the runs' monthly table (``run_id``, ``date``, ``ric_attacks`` and its regional parts).
        later: the observed rows after the fit inside the runs (:func:`load_later`).
        share: the mapped share of the fit period, by which NES-wide counts are scaled.
        left_out: what :func:`load_later` left out, reported as it is.
        source: the file's name, for the report.
    """
    model = runs_by_month(monthly, OUTCOME)
    months = []
    for row in later.itertuples():
        observed = int(row.attacks)
        b = band(model.loc[row.month].to_numpy(dtype=float))
        mapped = observed * share
        months.append({"month": str(row.month), "observed": observed, "observed_mapped": mapped, **b,
                       "ratio": ratio_of(b["median"], mapped),
                       "log_ratio": _log_ratio(b["median"], mapped), "inside_band": _inside(b, mapped)})
    years: dict[str, dict[str, Any]] = {}
    for year in sorted({row.month.year for row in later.itertuples()}):
        in_year = [m for m in later["month"] if m.year == year]
        observed = int(later.loc[later["month"].isin(in_year), "attacks"].sum())
        b = band(model.loc[in_year].sum(axis=0, min_count=1).to_numpy(dtype=float))
        mapped = observed * share
        years[str(year)] = {"months": [str(m) for m in in_year], "observed": observed, "observed_mapped": mapped,
                            **b, "ratio": ratio_of(b["median"], mapped),
                            "inside_band": _inside(b, mapped)}
    regions_model = {r: runs_by_month(monthly, col) for r, col in REGION_OUTCOMES.items()}
    regions = compare_regions(regions_model, later, fit_end=str(model.index.max()))
    judged = [m for m in months if m["inside_band"] is not None]
    logs = [m["log_ratio"] for m in months if m["log_ratio"] is not None]
    summary = {"source": source, "months_compared": len(months),
               "months_inside_band": sum(bool(m["inside_band"]) for m in judged),
               "share_inside_band": (sum(bool(m["inside_band"]) for m in judged) / len(judged)) if judged else None,
               "expected_share_inside": (HIGH - LOW) / 100,
               "median_log_ratio": float(np.median(logs)) if logs else None,
               "mapped_share": share, "left_out": left_out or {"fit_period_rows": 0, "after_run": []}}
    return {"months": months, "years": years, "regions": regions, "summary": summary}


def _yes(flag: bool | None) -> str:
    return "-" if flag is None else ("yes" if flag else "no")


def format_out_of_sample(test: dict[str, Any]) -> str:
    """The test as plain-text tables, with how to read them."""
    s = test["summary"]
    share_text = "-" if s["share_inside_band"] is None else f"{s['share_inside_band']:.0%}"
    bias = s["median_log_ratio"]
    lines = [f"Out of sample ({s['source'] or 'later counts'}): months after the fit, never used to fit or tune.",
             f"NES counts x {s['mapped_share']:.2f} (the fit period's mapped share) = 'on map'; "
             f"inside = on map within the model's {LOW}-{HIGH}% band.",
             f"{s['months_inside_band']} of {s['months_compared']} months inside the band ({share_text}); "
             f"a model whose runs spread as the record does would have about {s['expected_share_inside']:.0%}. "
             + ("" if bias is None else
                f"Median model / on map: {math.exp(bias):.2f} (the model runs {'high' if bias > 0 else 'low'})."),
             "", "By year (sum over the reported months):"]
    lines.append(text_table([[y, len(e["months"]), number_text(e["observed"]), number_text(e["observed_mapped"]),
                              band_text(e), number_text(e["ratio"], 2), _yes(e["inside_band"])]
                             for y, e in test["years"].items()],
                            ["year", "months", "observed (NES)", "on map", "model", "ratio", "inside"]))
    regions = test["regions"]
    if any(e["observed"] is not None for e in regions.values()):
        lines += ["", "By governorate (unscaled; shares over the months every region is reported):"]
        lines.append(text_table([[REGION_LABELS.get(r, r), len(e["months"]), number_text(e["observed"]), band_text(e),
                                  number_text(e["observed_share"], 2),
                                  band_text({k: e[f"{k}_share"] for k in ("median", "p10", "p90")}, 2)]
                                 for r, e in regions.items()],
                                ["governorate", "months", "observed", "model", "obs. share", "model share"]))
    lines += ["", "By month:"]
    lines.append(text_table([[m["month"], number_text(m["observed"]), number_text(m["observed_mapped"]), band_text(m),
                              number_text(m["ratio"], 2), _yes(m["inside_band"])] for m in test["months"]],
                            ["month", "observed (NES)", "on map", "model", "ratio", "inside"]))
    left = s["left_out"]
    notes = []
    if left["fit_period_rows"]:
        n = left["fit_period_rows"]
        notes.append(f"{n} row{'s' if n > 1 else ''} up to the fit's end left out (not part of the test)")
    if left["after_run"]:
        notes.append(f"months after the run left out: {', '.join(left['after_run'])}")
    if notes:
        lines += ["", "Note: " + "; ".join(notes) + "."]
    return "\n".join(lines)
