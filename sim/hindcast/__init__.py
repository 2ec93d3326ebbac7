"""Hindcast: the model's replay of history set against the Rojava Information Center's record.

>>> from sim.batch import batch
>>> from sim.hindcast import compare, format_report
>>> results = batch("history", reps=10)  # doctest: +SKIP
>>> print(format_report(compare(results.monthly)))  # doctest: +SKIP

Like with like:

* The model counts ``ric_attacks``: the incidents RIC counts (assassinations, IEDs, armed attacks
  and ambushes, car bombs, kidnappings) in SDF-held villages of the map. RIC's record covers all of
  north and east Syria, including Manbij, Kobane and Qamishli, off the map. So every NES-wide count
  is multiplied by :func:`sim.observed.mapped_share` (the share of attacks RIC placed in the three
  mapped governorates, pooled over the months it reports every region) before it is compared:
  ``observed_mapped = observed * mapped_share`` and ``ratio = model median / observed_mapped``.
* A year with an annual total (2019, 2021) is compared on that total; when the run covers only
  part of the year (it starts in April 2019) the total is pro-rated to the months covered. A year
  without one (2020) is compared on the months RIC reported: their sum against the model's sum over
  the same months. Months missing from the record are missing, never zero.
* Regional counts (``ric_attacks_deir_ez_zor``, ``_raqqa``, ``_hasaka``) are compared with RIC's
  regional columns over the months each region is reported, unscaled (both are counts for the same
  governorate); the governorate shares pool the months RIC reports every region.
* Only data up to :data:`sim.observed.FIT_END` are used; later years are projections, shown without
  an observed column.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis import text_table
from sim.errors import InputError
from sim.observed import FIT_END, MAPPED_REGIONS, REGIONS, load_ric, load_ric_annual, mapped_share

__all__ = ["HIGH", "LOW", "OUTCOME", "REGION_LABELS", "REGION_OUTCOMES", "band", "band_text", "compare",
           "compare_months", "compare_regions", "compare_years", "format_report", "number_text", "ratio_of",
           "runs_by_month"]

#: The model's monthly count of attacks as RIC counts them, and its regional parts.
OUTCOME = "ric_attacks"
REGION_OUTCOMES: dict[str, str] = {r: f"{OUTCOME}_{r}" for r in MAPPED_REGIONS}
REGION_LABELS: dict[str, str] = {"deir_ez_zor": "Deir ez-Zor", "raqqa": "Raqqa", "hasaka": "al-Hasaka"}
LOW, HIGH = 10, 90  # percentiles of the band


# ---------------------------------------------------------------------------------------- inputs
def runs_by_month(monthly: pd.DataFrame, outcome: str = OUTCOME) -> pd.DataFrame:
    """A batch's monthly table as one row a calendar month (``Period``) and one column a run.

    ``monthly`` needs ``run_id``, ``date`` (the month's first day, ISO) and ``outcome``, and holds
    the runs of one scenario (several would be pooled as if they were seeds of one).
    """
    missing = [c for c in ("run_id", "date", outcome) if c not in monthly.columns]
    if missing:
        raise InputError(None, ", ".join(missing), "not in the model's monthly table",
                         allowed="a model that records the RIC-comparable outcomes "
                                 + ", ".join([OUTCOME, *REGION_OUTCOMES.values()]))
    if "scenario" in monthly.columns and monthly["scenario"].nunique() > 1:
        raise InputError(None, "scenario", f"{monthly['scenario'].nunique()} scenarios in one hindcast",
                         allowed="the runs of one scenario")
    months = pd.PeriodIndex(pd.to_datetime(monthly["date"]), freq="M")
    table = pd.DataFrame({"month": months, "run_id": monthly["run_id"].to_numpy(),
                          "value": pd.to_numeric(monthly[outcome], errors="coerce").to_numpy(dtype=float)})
    return table.pivot_table(index="month", columns="run_id", values="value", aggfunc="sum", dropna=False).sort_index()


def band(values: Iterable[float]) -> dict[str, float | None]:
    """Median and 10-90% band of ``values`` across runs (``None`` where there is nothing to summarise)."""
    x = np.asarray(list(values), dtype=float)
    x = x[np.isfinite(x)]
    if not len(x):
        return {"median": None, "p10": None, "p90": None}
    lo, mid, hi = np.percentile(x, [LOW, 50, HIGH])
    return {"median": float(mid), "p10": float(lo), "p90": float(hi)}


def ratio_of(model: float | None, observed: float | None) -> float | None:
    """``model / observed``, or ``None`` when either is missing or the observed count is zero."""
    if model is None or observed is None or not observed:
        return None
    return float(model) / float(observed)


def _sum_over(model: pd.DataFrame, months: Sequence[pd.Period]) -> np.ndarray:
    """Each run's sum over ``months`` (all in the run)."""
    return model.loc[list(months)].sum(axis=0, min_count=1).to_numpy(dtype=float)


def _observed_in_run(observed: pd.DataFrame, model: pd.DataFrame, fit_end: str) -> pd.DataFrame:
    """The record's rows inside the run and up to ``fit_end``."""
    keep = observed["month"].isin(model.index) & (observed["month"] <= pd.Period(fit_end, freq="M"))
    return observed[keep]


def _month_list(months: Iterable[pd.Period]) -> list[str]:
    return [str(m) for m in months]


# ---------------------------------------------------------------------------------------- comparisons
def compare_years(model: pd.DataFrame, observed: pd.DataFrame, annual: pd.DataFrame, share: float,
                  fit_end: str = FIT_END) -> dict[str, dict[str, Any]]:
    """One entry a calendar year of the run: the observed count, the model's median and band, the ratio.

    Args:
        model: :func:`runs_by_month` of ``ric_attacks``.
        observed: the record's monthly rows (:func:`sim.observed.load_ric`).
        annual: the record's annual totals (:func:`sim.observed.load_ric_annual`).
        share: the share of NES attacks in the mapped governorates (:func:`sim.observed.mapped_share`).
        fit_end: last observed month used; years after it are projections.
    """
    reported = _observed_in_run(observed, model, fit_end)
    totals = {int(r.year): int(r.attacks) for r in annual.itertuples() if int(r.year) <= int(fit_end[:4])}
    out: dict[str, dict[str, Any]] = {}
    for year in sorted({m.year for m in model.index}):
        in_run = [m for m in model.index if m.year == year]
        entry: dict[str, Any] = {"months_in_run": len(in_run), **band(_sum_over(model, in_run))}
        if year > int(fit_end[:4]):
            out[str(year)] = {"projection": True, **entry}
            continue
        rows = reported[reported["month"].dt.year == year]
        by_months = None
        if len(rows):
            months = list(rows["month"])
            obs = int(rows["attacks"].sum())
            b = band(_sum_over(model, months))
            by_months = {"months": _month_list(months), "observed": obs, "observed_mapped": obs * share, **b,
                         "ratio": ratio_of(b["median"], obs * share)}
        if year in totals:
            coverage = len(in_run) / 12
            obs_mapped = totals[year] * share * coverage
            entry = {"projection": False, "basis": "annual total" + (
                f", pro-rated to the {len(in_run)} months the run covers" if len(in_run) < 12 else ""),
                "observed": totals[year], "observed_mapped": obs_mapped, "coverage": coverage, **entry,
                "ratio": ratio_of(entry["median"], obs_mapped)}
            if by_months is not None:
                entry["reported_months"] = by_months
        elif by_months is not None:
            entry = {"projection": False, "basis": "reported months", "months_in_run": len(in_run), **by_months}
        else:
            entry = {"projection": False, "basis": "no observation", "observed": None, "observed_mapped": None,
                     **entry, "ratio": None}
        out[str(year)] = entry
    return out


def compare_months(model: pd.DataFrame, observed: pd.DataFrame, share: float,
                   fit_end: str = FIT_END) -> list[dict[str, Any]]:
    """One row a month of the run: observed (where reported, up to ``fit_end``), scaled, and the model's band."""
    reported = _observed_in_run(observed, model, fit_end).set_index("month")["attacks"]
    end = pd.Period(fit_end, freq="M")
    rows = []
    for month in model.index:
        obs = int(reported[month]) if month in reported.index else None
        rows.append({"month": str(month), "observed": obs, "observed_mapped": None if obs is None else obs * share,
                     **band(model.loc[month].to_numpy(dtype=float)), "projection": bool(month > end)})
    return rows


def compare_regions(models: dict[str, pd.DataFrame], observed: pd.DataFrame,
                    fit_end: str = FIT_END) -> dict[str, dict[str, Any]]:
    """Per mapped governorate: counts over the months it is reported, and shares over the months all are.

    Args:
        models: :func:`runs_by_month` of each regional outcome, keyed by region (``deir_ez_zor``...).
        observed: the record's monthly rows.
    """
    any_model = next(iter(models.values()))
    reported = _observed_in_run(observed, any_model, fit_end)
    all_reported = reported.dropna(subset=list(REGIONS))
    share_months = list(all_reported["month"])
    obs_totals = all_reported[list(MAPPED_REGIONS)].sum().astype(float)
    obs_sum = float(obs_totals.sum())
    run_totals = {r: _sum_over(models[r], share_months) if share_months else np.array([]) for r in MAPPED_REGIONS}
    run_sum = sum(run_totals.values()) if share_months else np.array([])
    out: dict[str, dict[str, Any]] = {}
    for region in MAPPED_REGIONS:
        rows = reported.dropna(subset=[region])
        months = list(rows["month"])
        obs = int(rows[region].sum()) if months else None
        b = band(_sum_over(models[region], months)) if months else band([])
        with np.errstate(invalid="ignore", divide="ignore"):
            shares = run_totals[region] / run_sum if share_months else np.array([])
        s = band(shares)
        out[region] = {
            "observed_share": float(obs_totals[region] / obs_sum) if obs_sum else None,
            "median_share": s["median"], "p10_share": s["p10"], "p90_share": s["p90"],
            "share_months": _month_list(share_months),
            "months": _month_list(months), "observed": obs, **b, "ratio": ratio_of(b["median"], obs),
        }
    return out


def compare(monthly: pd.DataFrame, observed: pd.DataFrame | None = None, annual: pd.DataFrame | None = None,
            fit_end: str = FIT_END) -> dict[str, Any]:
    """The whole hindcast from a batch's monthly table: ``{"years", "regions", "monthly", "meta"}``.

    ``observed`` and ``annual`` default to the shipped record (up to ``fit_end``).
    """
    observed = load_ric(until=fit_end) if observed is None else observed
    annual = load_ric_annual(until=fit_end) if annual is None else annual
    observed = observed[observed["month"] <= pd.Period(fit_end, freq="M")]  # nothing later, the share included
    share = mapped_share(observed)
    model = runs_by_month(monthly, OUTCOME)
    regions = {r: runs_by_month(monthly, col) for r, col in REGION_OUTCOMES.items()}
    return {
        "years": compare_years(model, observed, annual, share, fit_end),
        "regions": compare_regions(regions, observed, fit_end),
        "monthly": compare_months(model, observed, share, fit_end),
        "meta": {"outcome": OUTCOME, "mapped_share": share, "fit_end": fit_end, "n_runs": int(model.shape[1]),
                 "first_month": str(model.index.min()), "last_month": str(model.index.max()),
                 "percentiles": [LOW, 50, HIGH]},
    }


# ---------------------------------------------------------------------------------------- text
def number_text(x: float | None, digits: int = 0) -> str:
    """A number for the tables (thousands separated), ``-`` when missing."""
    if x is None or (isinstance(x, float) and not np.isfinite(x)):
        return "-"
    return f"{x:,.{digits}f}"


def band_text(e: dict[str, Any], digits: int = 0) -> str:
    """``median [p10, p90]`` of an entry with those keys."""
    return f"{number_text(e['median'], digits)} [{number_text(e['p10'], digits)}, {number_text(e['p90'], digits)}]"


def _ratio_text(r: float | None) -> str:
    return "-" if r is None else f"{r:.2f}"


def format_report(report: dict[str, Any]) -> str:
    """The hindcast as plain-text tables: years, regions and shares, with how each is compared."""
    meta = report["meta"]
    share = meta["mapped_share"]
    lines = [f"Hindcast of {meta.get('scenario', 'the scenario')}: {meta['n_runs']} runs, "
             f"{meta['first_month']} to {meta['last_month']}; observed: RIC up to {meta['fit_end']}.",
             f"Model: {meta['outcome']} (attacks as RIC counts them, SDF-held villages of the map), "
             f"median [{LOW}%, {HIGH}%] over runs.",
             f"RIC counts all of NES (Manbij, Kobane, Qamishli are off the map): NES counts x {share:.2f} "
             "(the mapped governorates' share of reported attacks) = 'on map'; ratio = model median / on map.",
             "", "By year:"]
    rows = []
    for year, e in report["years"].items():
        if e.get("projection"):
            rows.append([year, "projection", "-", "-", band_text(e), "-"])
            continue
        rows.append([year, e["basis"] if e["basis"] != "reported months" else
                     f"reported months ({len(e['months'])})", number_text(e["observed"]),
                     number_text(e["observed_mapped"]), band_text(e), _ratio_text(e["ratio"])])
        sub = e.get("reported_months")
        if sub:
            rows.append(["", f"  of which reported months ({len(sub['months'])})", number_text(sub["observed"]),
                         number_text(sub["observed_mapped"]), band_text(sub), _ratio_text(sub["ratio"])])
    lines.append(text_table(rows, ["year", "compared on", "observed (NES)", "on map", "model", "ratio"]))
    lines += ["", "By governorate (observed regional counts, unscaled, over the months each is reported; "
              "shares over the months all regions are):"]
    rows = []
    for region, e in report["regions"].items():
        rows.append([REGION_LABELS.get(region, region), len(e["months"]), number_text(e["observed"]), band_text(e),
                     _ratio_text(e["ratio"]), number_text(e["observed_share"], 2), band_text(
                         {k: e[f"{k}_share"] for k in ("median", "p10", "p90")}, 2)])
    lines.append(text_table(rows, ["governorate", "months", "observed", "model", "ratio", "obs. share",
                                   "model share"]))
    months = [m for m in report["monthly"] if m["observed"] is not None]
    if months:
        lines += ["", "Reported months:"]
        lines.append(text_table([[m["month"], number_text(m["observed"]), number_text(m["observed_mapped"]),
                                  band_text(m), _ratio_text(ratio_of(m["median"], m["observed_mapped"]))]
                                 for m in months],
                                ["month", "observed (NES)", "on map", "model", "ratio"]))
    return "\n".join(lines)
