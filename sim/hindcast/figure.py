"""The hindcast figure: RIC's monthly record over the model's fan chart, and the governorate shares."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.hindcast import HIGH, LOW, REGION_LABELS

LABEL_CHARS = 70  # event labels are cut to this length


def event_marks(scenario: Any) -> list[tuple[dt.date, str]]:
    """(date, short label) of a scenario's events, for vertical lines on the figure."""
    marks = []
    for e in scenario.events:
        text = e.args.description or e.kind
        marks.append((e.date, text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"))
    return marks


def plot_hindcast(report: dict[str, Any], path: str | Path, events: Sequence[tuple[dt.date, str]] = ()) -> Path:
    """Draw the fan chart (events listed under it) and the shares; save to ``path`` (PNG) and return it."""
    import matplotlib.pyplot as plt

    from sim.plots import save_figure

    fig, (ax, ax_events, ax_share) = plt.subplots(3, 1, figsize=(12, 10.5),
                                                  gridspec_kw={"height_ratios": [2.4, 0.45, 1]})
    monthly = pd.DataFrame(report["monthly"])
    x = pd.PeriodIndex(monthly["month"], freq="M").to_timestamp() + pd.Timedelta(days=14)
    med, lo, hi = (monthly[k].astype(float) for k in ("median", "p10", "p90"))
    ax.fill_between(x, lo, hi, color="tab:blue", alpha=0.25, lw=0, label=f"model, {LOW}-{HIGH}% of runs")
    ax.plot(x, med, color="tab:blue", lw=1.8, label="model median (ric_attacks)")
    seen = monthly["observed"].notna()
    share = report["meta"]["mapped_share"]
    ax.plot(x[seen], monthly.loc[seen, "observed_mapped"].astype(float), "o", color="black", ms=6,
            label=f"RIC, scaled to the map (x {share:.2f})")
    ax.plot(x[seen], monthly.loc[seen, "observed"].astype(float), "o", mfc="none", color="grey", ms=5,
            label="RIC, all of NES (unscaled)")
    test = report.get("out_of_sample")
    later_top = 0.0
    if test:  # counts the fit never saw, scaled as the record is
        lx = pd.PeriodIndex([m["month"] for m in test["months"]], freq="M").to_timestamp() + pd.Timedelta(days=14)
        ly = np.array([m["observed_mapped"] for m in test["months"]], dtype=float)
        ax.plot(lx, ly, "D", color="tab:red", ms=6, label="out of sample (after the fit), scaled to the map")
        later_top = float(np.nanmax(ly, initial=0))
    fit_end = pd.Period(report["meta"]["fit_end"], freq="M").to_timestamp(how="end")
    if x.max() > fit_end:
        ax.axvspan(fit_end, x.max() + pd.Timedelta(days=16), color="0.92", zorder=0)
        ax.text(fit_end + pd.Timedelta(days=20), 0.02, "projection (no observed data used to fit)",
                transform=ax.get_xaxis_transform(), va="bottom", fontsize=8, color="0.35")
    top = np.nanmax([np.nanmax(hi.to_numpy()), np.nanmax(monthly["observed"].astype(float).to_numpy(), initial=0),
                     later_top])
    grouped: dict[dt.date, list[str]] = {}
    for date, label in events:
        grouped.setdefault(date, []).append(label)
    listing = []
    for i, (date, labels) in enumerate(sorted(grouped.items()), start=1):
        when = pd.Timestamp(date)
        ax.axvline(when, color="tab:red", lw=0.8, ls="--", alpha=0.7)
        ax.text(when, top * 1.03, str(i), fontsize=7, color="tab:red", ha="center", va="bottom")
        listing.append(f"{i}  {date.isoformat()}  " + "; ".join(labels))
    ax_events.axis("off")
    ax_events.text(0.0, 1.0, "\n".join(listing), fontsize=7, color="tab:red", va="top", ha="left",
                   transform=ax_events.transAxes, family="monospace")
    ax.set_ylim(0, top * 1.1 if top > 0 else 1)
    ax.set_ylabel("attacks a month")
    ax.set_title(f"Hindcast of {report['meta'].get('scenario', 'history')}: RIC's record and the model "
                 f"({report['meta']['n_runs']} runs); numbered lines: the scenario's events", fontsize=11)
    ax.legend(loc="upper right", fontsize=8, framealpha=0.9)

    regions = report["regions"]
    names = list(regions)
    pos = np.arange(len(names))
    obs = [regions[r]["observed_share"] or 0.0 for r in names]
    mid = np.array([np.nan if regions[r]["median_share"] is None else regions[r]["median_share"] for r in names])
    err_lo = np.array([np.nan if regions[r]["p10_share"] is None else regions[r]["p10_share"] for r in names])
    err_hi = np.array([np.nan if regions[r]["p90_share"] is None else regions[r]["p90_share"] for r in names])
    ax_share.bar(pos - 0.2, obs, 0.4, color="black", label="RIC")
    ax_share.bar(pos + 0.2, np.nan_to_num(mid), 0.4, color="tab:blue", alpha=0.7,
                 yerr=[np.nan_to_num(mid - err_lo), np.nan_to_num(err_hi - mid)], capsize=4,
                 label=f"model median, {LOW}-{HIGH}%")
    ax_share.set_xticks(pos, [REGION_LABELS.get(r, r) for r in names])
    ax_share.set_ylim(0, 1)
    ax_share.set_ylabel("share of mapped attacks")
    months = regions[names[0]]["share_months"] if names else []
    ax_share.set_title("Governorate shares over the months RIC reports every region: "
                       + (", ".join(months) if months else "none"), fontsize=9)
    ax_share.legend(fontsize=8)
    fig.tight_layout()
    return save_figure(fig, path, dpi=120)
