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
difference; the governorates' shares are compared so that 20 points count as a 2x miss.
Only data up to :data:`sim.observed.FIT_END` are used (or up to a calibration's earlier ``fit_end``).

**Patterns** (kind ``"band"``): facts of ``insim validate`` that the sources state as patterns and
that one history run's monthly table can show (:data:`PATTERN_FACTS`). Their target is the fact's
band (e.g. killings at least twice the attacks); the distance is zero inside it and the log ratio
to the nearest edge outside, so a pattern missed by a factor 2 counts as a count missed by a factor
2. A pattern the run cannot show (0/0) counts as a factor-8 miss (:data:`UNDEFINED_PATTERN`).
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


UNDEFINED_PATTERN = math.log(8.0)
"""Distance of a pattern the run cannot show (a 0/0 ratio): a factor-8 miss, history matching's cut."""


@dataclass(frozen=True)
class Summary:
    """One summary statistic: how it is compared, and the model column it needs."""

    kind: str  # "count" (log ratio of counts), "log_ratio" (difference of log ratios), "share", "band"
    needs: str  # model column (after the ric_attacks derivation)
    description: str
    fact: str = ""  # for a pattern: the id of its fact in sim.validation.facts (its band is the fact's threshold)


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
    "raqqa_share": Summary("share", "ric_attacks_raqqa", "Raqqa's share of attacks in the mapped governorates"),
    "killings_to_attacks": Summary("band", "killings", "targeted killings / attacks on SDF positions, Apr 2019 "
                                   "to the fit's end (the Coalition stays)", fact="F7a_patience"),
    "operations_rebound": Summary("band", "members_arrested", "attacks + checkpoints + zakat demands 10-12 months "
                                  "after the month of most arrests / the 3 months before",
                                  fact="F5a2_operations_rebound"),
    "east_influence_ratio": Summary("band", "influence_east_strip", "mean influence in the eastern strip over the "
                                    "fit's last 12 months / the higher of Raqqa-al-Karama's and al-Hasaka's",
                                    fact="F1a_east_concentration"),
    "strength_2022": Summary("band", "is_fighters", "IS fighters on the map at the end of 2021 / region_share_of_is",
                             fact="F11_strength_2022"),
}

PATTERN_FACTS: dict[str, str] = {name: s.fact for name, s in SUMMARIES.items() if s.kind == "band"}
"""Pattern summaries and the validate fact each reads its band from."""

PATTERN_COLUMNS: tuple[str, ...] = ("killings", "attacks", "checkpoints", "zakat_demands", "members_arrested",
                                    "influence_east_strip", "influence_karama_raqqa", "influence_hasaka",
                                    "is_fighters", "region_share_of_is")
"""Monthly columns the pattern summaries read (``region_share_of_is`` is added by the simulator)."""


def band(name: str) -> tuple[float, float]:
    """A pattern's band ``(low, high)`` from its fact's threshold (``>= t``: ``(t, inf)``; ``<= t``: ``(0, t)``)."""
    from sim.validation.facts import FACTS

    fact = next(f for f in FACTS if f.id == SUMMARIES[name].fact)
    if fact.direction == ">=":
        return float(fact.threshold), math.inf  # type: ignore[arg-type]
    if fact.direction == "<=":
        return 0.0, float(fact.threshold)  # type: ignore[arg-type]
    low, high = fact.threshold  # type: ignore[misc]
    return float(low), float(high)


def band_target(name: str) -> float:
    """The value a pattern's row shows as 'observed': its band's geometric centre, or its finite edge."""
    low, high = band(name)
    if math.isinf(high):
        return low
    return math.sqrt(low * high) if low > 0 else high

MAIN_SUMMARIES: tuple[str, ...] = ("attacks_2019", "attacks_2020", "attacks_2021")
"""The summaries history matching rules implausible runs out on."""

CRASHED = "crashed"
"""Key set to 1.0 in the summaries of a run that raised; its distance is infinite."""


RIC_COLUMNS: tuple[str, ...] = ("ric_attacks", "ric_attacks_deir_ez_zor", "ric_attacks_raqqa", "raids", "arrests")
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


def observed_record(monthly: pd.DataFrame | None = None, annual: pd.DataFrame | None = None,
                    until: str | None = None) -> ObservedRecord:
    """The observed summaries from RIC's record up to ``until`` (default FIT_END; ``sim.observed`` loads and checks it).

    An earlier ``until`` (a calibration's ``fit_end``, e.g. to hold 2021 out) cuts the monthly rows
    there, keeps an annual total only for a year that ends by then (a 2021 total would carry the
    months after a June cut), and reads the patterns over the months up to it; summaries left
    without data are NaN, which :func:`usable_summaries` leaves out with its reason.
    """
    from sim import observed

    until = observed.FIT_END if until is None else until
    end = pd.Period(until, freq="M")
    monthly = observed.load_ric() if monthly is None else monthly
    annual = observed.load_ric_annual() if annual is None else annual
    monthly = monthly[monthly["month"] <= end]
    annual = annual[[pd.Period(f"{int(y)}-12", freq="M") <= end for y in annual["year"]]]
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
        "raqqa_share": float(observed.regional_shares(monthly)["raqqa"]),
        **{name: band_target(name) for name in PATTERN_FACTS},
        "raids_per_month": mean(raids, "raids"),
        "arrests_per_month": mean(arrests, "arrests"),
    }
    months = {
        "attacks_2019": tuple(f"2019-{i:02d}" for i in range(1, 13)) if 2019 in yearly.index else (),
        "attacks_2020": tuple(r2020["month"]),
        "attacks_2021": tuple(f"2021-{i:02d}" for i in range(1, 13)) if 2021 in yearly.index else (),
        "before": tuple(before["month"]), "after": tuple(after["month"]),
        "reported_2019": tuple(r2019["month"]), "reported_2021": tuple(r2021["month"]),
        "deir_ez_zor_share": tuple(regional["month"]), "raqqa_share": tuple(regional["month"]),
        "patterns": tuple(str(mo) for mo in pd.period_range("2019-01", end, freq="M")),
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
        elif name in ("deir_ez_zor_share", "raqqa_share"):
            months = record.months[name]
            total = over("ric_attacks", months).sum()
            out[name] = float(over(SUMMARIES[name].needs, months).sum() / total) if total else float("nan")
        elif SUMMARIES[name].kind == "band":
            window = series[series.index <= max(record.months["patterns"])]
            out[name] = pattern_value(name, window)
        else:
            out[name] = mean(record.months[name], SUMMARIES[name].needs)
    return out


def pattern_value(name: str, monthly: pd.DataFrame) -> float:
    """A pattern summary of one run's monthly table up to the fit's end (NaN when the run cannot show it).

    ``killings_to_attacks`` and ``operations_rebound`` are ``insim validate``'s own measures
    (:mod:`sim.validation.measures`) applied to this table.
    """
    from types import SimpleNamespace

    from sim.validation import measures

    runs = {"baseline": SimpleNamespace(monthly=monthly.reset_index(drop=True))}
    if name == "killings_to_attacks":
        return float(measures.killings_to_attacks(runs))  # type: ignore[arg-type]
    if name == "operations_rebound":
        return float(measures.operations_rebound(runs))  # type: ignore[arg-type]
    if name == "east_influence_ratio":
        last = monthly.iloc[-12:]
        others = max(float(last["influence_karama_raqqa"].mean()), float(last["influence_hasaka"].mean()))
        return float(measures.safe_ratio(float(last["influence_east_strip"].mean()), others))
    if name == "strength_2022":
        return float(monthly["is_fighters"].iloc[-1] / monthly["region_share_of_is"].iloc[-1])
    raise KeyError(name)


def summary_distance(name: str, sim: float, obs: float) -> float:
    """One summary's distance (see the module docstring); NaN or infinite input gives infinity.

    For a pattern (kind ``"band"``) ``obs`` is not used: the band of its fact is the target.
    """
    kind = SUMMARIES[name].kind
    if kind == "band":
        if math.isnan(sim):
            return UNDEFINED_PATTERN
        low, high = band(name)
        if sim < low:  # a ratio of 0 (none of the pattern's numerator) counts as a factor-1000 miss
            return math.log(low / max(sim, low / 1000))
        return math.log(sim / high) if sim > high else 0.0
    if not (math.isfinite(sim) and math.isfinite(obs)):
        return math.inf
    if kind == "count":
        return abs(math.log((max(sim, 0.0) + 1) / (obs + 1)))
    if kind == "log_ratio":
        return abs(sim - obs)
    return abs(sim - obs) * math.log(2) / SHARE_POINTS_PER_DOUBLING  # "share"


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
