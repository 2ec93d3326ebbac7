"""Summary statistics of the observed record and of a model run, and the distance between them.

Each summary compares like with like (``docs/calibration.md`` explains each and its weight):

- the model covers Deir ez-Zor, Raqqa and Hasaka; RIC counts all of north and east Syria, so the
  NES-wide counts are scaled by :func:`sim.observed.mapped_share` (the mapped governorates' share
  of attacks where RIC reports regions);
- a month RIC did not report is missing, not zero: the model is read over the reported months only;
- the annual totals of 2019 and 2021 are whole years; the model starts in April 2019, so its 2019
  count is scaled to twelve months.

Counts are compared on a log scale, ``|log((sim + 1) / (obs + 1))|``, so a 2x miss in a small year
counts as much as in a large one; shape statistics are already log ratios and are compared by their
difference; Deir ez-Zor's share is compared so that 20 points count as a 2x miss.
Only data up to :data:`sim.observed.FIT_END` are used.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

SHARE_POINTS_PER_DOUBLING = 0.20
"""A share missed by this many points weighs as much as a count missed by a factor 2."""


@dataclass(frozen=True)
class Summary:
    """One summary statistic: how it is compared, and the model column it needs."""

    kind: str  # "count" (log ratio of counts), "log_ratio" (difference of log ratios), "share"
    needs: str  # model column (after the ric_attacks derivation)
    description: str


SUMMARIES: dict[str, Summary] = {
    "attacks_2019": Summary("count", "ric_attacks", "attacks in 2019 (annual total; model's Apr-Dec x 12/9)"),
    "attacks_2020": Summary("count", "ric_attacks", "attacks over the months of 2020 RIC reported"),
    "attacks_2021": Summary("count", "ric_attacks", "attacks in 2021 (annual total)"),
    "offensive_shift": Summary("log_ratio", "ric_attacks",
                               "log of mean monthly attacks Nov 2019-Feb 2020 over May-Sep 2019"),
    "decline_2021": Summary("log_ratio", "ric_attacks",
                            "log of mean monthly attacks in 2021's reported months over 2019's"),
    "deir_ez_zor_share": Summary("share", "ric_attacks_deir_ez_zor",
                                 "Deir ez-Zor's share of attacks in the mapped governorates"),
    "raids_per_month": Summary("count", "raids", "raids per month over the months RIC reported raids"),
    "arrests_per_month": Summary("count", "arrests", "arrests per month over the months RIC reported arrests"),
}

MAIN_SUMMARIES: tuple[str, ...] = ("attacks_2019", "attacks_2020", "attacks_2021")
"""The summaries history matching rules implausible runs out on."""

CRASHED = "crashed"
"""Key set to 1.0 in the summaries of a run that raised; its distance is infinite."""


RIC_COLUMNS: tuple[str, ...] = ("ric_attacks", "ric_attacks_deir_ez_zor", "raids", "arrests")
"""The monthly columns the summaries read (every run kept for summaries must hold them)."""


def with_ric_attacks(frame: pd.DataFrame) -> pd.DataFrame:
    """The monthly frame, checked to hold the recorder's RIC columns (``ric_attacks``, by governorate, raids).

    The recorder (``sim/recorder.py``) is the one place the model's incidents become RIC's category.
    """
    missing = [c for c in RIC_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"the monthly table lacks {', '.join(missing)}: not a run of this model")
    return frame


def _months(frame: pd.DataFrame) -> pd.Series:
    return pd.PeriodIndex(pd.to_datetime(frame["date"]), freq="M").astype(str)


@dataclass(frozen=True)
class ObservedRecord:
    """The observed summaries and the months each is read over (so the model is read alike)."""

    values: dict[str, float]
    months: dict[str, tuple[str, ...]]
    mapped_share: float


def observed_record(monthly: pd.DataFrame | None = None, annual: pd.DataFrame | None = None) -> ObservedRecord:
    """The observed summaries from RIC's record up to FIT_END (``sim.observed`` loads and checks it)."""
    from sim import observed

    monthly = observed.load_ric() if monthly is None else monthly
    annual = observed.load_ric_annual() if annual is None else annual
    share = observed.mapped_share(monthly)
    m = monthly.assign(month=monthly["month"].astype(str))
    yearly = annual.set_index("year")["attacks"].astype(float)

    def reported(column: str, first: str, last: str) -> pd.DataFrame:
        rows = m[(m["month"] >= first) & (m["month"] <= last)]
        return rows[rows[column].notna()]

    r2020 = reported("attacks", "2020-01", "2020-12")
    before, after = reported("attacks", "2019-05", "2019-09"), reported("attacks", "2019-11", "2020-02")
    r2019, r2021 = reported("attacks", "2019-01", "2019-12"), reported("attacks", "2021-01", "2021-12")
    regional = m.dropna(subset=list(observed.REGIONS))
    raids, arrests = reported("raids", "2019-01", "2021-12"), reported("arrests", "2019-01", "2021-12")

    def mean(rows: pd.DataFrame, column: str = "attacks") -> float:
        return float(rows[column].astype(float).mean()) * share

    values = {
        "attacks_2019": float(yearly.get(2019, np.nan)) * share,
        "attacks_2020": float(r2020["attacks"].astype(float).sum()) * share,
        "attacks_2021": float(yearly.get(2021, np.nan)) * share,
        "offensive_shift": math.log((mean(after) + 1) / (mean(before) + 1)),
        "decline_2021": math.log((mean(r2021) + 1) / (mean(r2019) + 1)),
        "deir_ez_zor_share": float(observed.regional_shares(monthly)["deir_ez_zor"]),
        "raids_per_month": mean(raids, "raids"),
        "arrests_per_month": mean(arrests, "arrests"),
    }
    months = {
        "attacks_2019": tuple(f"2019-{i:02d}" for i in range(1, 13)),
        "attacks_2020": tuple(r2020["month"]),
        "attacks_2021": tuple(f"2021-{i:02d}" for i in range(1, 13)),
        "before": tuple(before["month"]), "after": tuple(after["month"]),
        "reported_2019": tuple(r2019["month"]), "reported_2021": tuple(r2021["month"]),
        "deir_ez_zor_share": tuple(regional["month"]),
        "raids_per_month": tuple(raids["month"]), "arrests_per_month": tuple(arrests["month"]),
    }
    return ObservedRecord(values, months, share)


def simulated_summaries(frame: pd.DataFrame, record: ObservedRecord, names: tuple[str, ...]) -> dict[str, float]:
    """The model's summaries ``names`` from its monthly frame, read over the record's months."""
    frame = with_ric_attacks(frame)
    series = frame.assign(month=_months(frame)).set_index("month")

    def over(column: str, months: tuple[str, ...]) -> pd.Series:
        return series[column].reindex([mo for mo in months if mo in series.index]).astype(float)

    def mean(months: tuple[str, ...], column: str = "ric_attacks") -> float:
        values = over(column, months)
        return float(values.mean()) if len(values) else float("nan")

    out: dict[str, float] = {}
    for name in names:
        if name in ("attacks_2019", "attacks_2021"):
            values = over("ric_attacks", record.months[name])
            out[name] = float(values.sum()) * 12 / len(values) if len(values) else float("nan")
        elif name == "attacks_2020":
            values = over("ric_attacks", record.months[name])
            out[name] = float(values.sum()) if len(values) == len(record.months[name]) else float("nan")
        elif name == "offensive_shift":
            out[name] = math.log((mean(record.months["after"]) + 1) / (mean(record.months["before"]) + 1))
        elif name == "decline_2021":
            late, early = mean(record.months["reported_2021"]), mean(record.months["reported_2019"])
            out[name] = math.log((late + 1) / (early + 1))
        elif name == "deir_ez_zor_share":
            months = record.months[name]
            total = over("ric_attacks", months).sum()
            out[name] = float(over("ric_attacks_deir_ez_zor", months).sum() / total) if total else float("nan")
        else:
            out[name] = mean(record.months[name], SUMMARIES[name].needs)
    return out


def summary_distance(name: str, sim: float, obs: float) -> float:
    """One summary's distance (see the module docstring); NaN or infinite input gives infinity."""
    if not (math.isfinite(sim) and math.isfinite(obs)):
        return math.inf
    kind = SUMMARIES[name].kind
    if kind == "count":
        return abs(math.log((max(sim, 0.0) + 1) / (obs + 1)))
    if kind == "log_ratio":
        return abs(sim - obs)
    return abs(sim - obs) * math.log(2) / SHARE_POINTS_PER_DOUBLING


def distance(sim: Mapping[str, Any], obs: Mapping[str, Any], weights: Mapping[str, float]) -> float:
    """Weighted mean of the summaries' distances; infinite for a crashed run."""
    if float(sim.get(CRASHED, 0.0)):
        return math.inf
    used = {k: w for k, w in weights.items() if w > 0}
    total = sum(w * summary_distance(k, float(sim[k]), float(obs[k])) for k, w in used.items())
    return total / sum(used.values())


def usable_summaries(weights: Mapping[str, float], columns: set[str], record: ObservedRecord) -> tuple[
        dict[str, float], dict[str, str]]:
    """The weighted summaries the model can provide and the record has; and why each other one is left out."""
    kept, dropped = {}, {}
    for name, weight in weights.items():
        if weight <= 0:
            dropped[name] = "weight 0 in the config"
        elif SUMMARIES[name].needs not in columns and SUMMARIES[name].needs != "ric_attacks":
            dropped[name] = f"the model does not record {SUMMARIES[name].needs!r} yet"
        elif not math.isfinite(record.values[name]):
            dropped[name] = "the observed record has no value"
        else:
            kept[name] = weight
    return kept, dropped
