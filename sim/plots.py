"""A batch's plots (matplotlib, PNG): fan charts per outcome, an overview, and maps per scenario.

Every function returns a :class:`matplotlib.figure.Figure`; :func:`draw_batch_plots` writes the
whole set for a results folder. Colours follow the order the scenarios were planned in, the
first (usually ``baseline``) in dark grey, so a scenario has the same colour on every plot.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

from sim import analysis
from sim.analysis import ResultsLike
from sim.geography import TERRAINS, Geography, load_map
from sim.scenario import SCENARIOS

DEFAULT_MAP = SCENARIOS / "maps" / "nes.toml"
PALETTE = ("#3a3a3a", "#d1495b", "#00798c", "#edae49", "#66a182", "#8d6a9f", "#2e4057", "#e07a5f",
           "#81b29a", "#f2cc8f", "#5e548e", "#9c6644")
TERRAIN_COLOURS: dict[str, str] = {
    "river": "#6fa8dc", "farmland": "#cfe3b4", "village": "#d9cfa8", "urban": "#b7b7b7", "steppe": "#ece6c8",
    "desert": "#f3e3bf", "camp": "#e6c9a8", "border": "#8c8c8c", "iraq": "#e4e4e4",
}
LABELLED_PLACES = ("city", "town", "prison")
MAP_LAYERS: dict[str, tuple[str, str]] = {
    "influence": ("median final IS influence", "Reds"),
    "stronghold_score": ("median final stronghold score", "Purples"),
}


def scenario_colours(names: Sequence[str]) -> dict[str, str]:
    """One colour for each scenario (or variant), in the order given."""
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}


def _results(results_or_dir: ResultsLike | str | Path) -> ResultsLike:
    if isinstance(results_or_dir, (str, Path)):
        from sim.batch import load_results

        return load_results(results_or_dir)
    return results_or_dir


def slug(text: str) -> str:
    """A file-name-safe version of a scenario or variant label."""
    return re.sub(r"[^A-Za-z0-9_.=-]+", "_", text).strip("_")


# ---------------------------------------------------------------------------- fan charts
def _fan_on(ax: Any, bb: pd.DataFrame, colours: dict[str, str], legend: bool = True) -> None:
    for variant, colour in colours.items():
        part = bb[bb["variant"] == variant]
        if part.empty:
            continue
        ax.fill_between(part["date"], part["low"], part["high"], color=colour, alpha=0.18, linewidth=0)
        ax.plot(part["date"], part["median"], color=colour, linewidth=1.8, label=variant)
    ax.grid(True, color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.xaxis.set_major_locator(mdates.YearLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    if legend:
        ax.legend(frameon=False, fontsize=9)


def fan_chart(results: ResultsLike, outcome: str, colours: dict[str, str] | None = None) -> Figure:
    """Median line and 10-90% band of one outcome per month, one colour per scenario."""
    colours = colours or scenario_colours(analysis.variants(results))
    bb = analysis.bands(results, outcome)
    fig, ax = plt.subplots(figsize=(9, 4.8), layout="constrained")
    _fan_on(ax, bb, colours)
    ax.set_title(analysis.describe(outcome), fontsize=13, loc="left")
    n = int(bb["n"].max()) if len(bb) else 0
    ax.set_ylabel(outcome.replace("_", " "))
    ax.set_title(f"median and 10-90% band, {n} replications", loc="right", fontsize=8, color="#666666")
    return fig


def overview(results: ResultsLike, outcomes: Sequence[str], colours: dict[str, str] | None = None) -> Figure:
    """Small fan charts of several outcomes on one page, with one shared legend."""
    colours = colours or scenario_colours(analysis.variants(results))
    ncols = 4 if len(outcomes) > 6 else min(3, max(1, len(outcomes)))
    nrows = int(np.ceil(len(outcomes) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.2 * ncols, 2.9 * nrows + 0.6), layout="constrained",
                             squeeze=False)
    for ax, outcome in zip(axes.flat, outcomes, strict=False):
        _fan_on(ax, analysis.bands(results, outcome), colours, legend=False)
        ax.set_title(outcome.replace("_", " "), fontsize=10, loc="left")
        ax.tick_params(labelsize=8)
    for ax in list(axes.flat)[len(outcomes):]:
        ax.set_visible(False)
    handles = [plt.Line2D([], [], color=c, linewidth=2.5) for c in colours.values()]
    fig.legend(handles, list(colours), loc="outside upper center", ncols=min(len(colours), 5), frameon=False)
    fig.suptitle("Scenarios compared: monthly median and 10-90% band", fontsize=13, x=0.01, ha="left")
    return fig


# ---------------------------------------------------------------------------- maps
def _draw_terrain(ax: Any, geo: Geography, labels: bool = True) -> None:
    cmap = ListedColormap([TERRAIN_COLOURS[t] for t in TERRAINS])
    ax.imshow(geo.terrain.T, origin="lower", cmap=cmap, vmin=-0.5, vmax=len(TERRAINS) - 0.5,
              interpolation="nearest")
    sdf = (geo.holder == 0).astype(float)
    ax.contour(sdf.T, levels=[0.5], colors="#555555", linewidths=0.8, linestyles="--")
    if labels:
        for place in geo.places:
            if place.kind in LABELLED_PLACES:
                ax.annotate(place.name, (place.x, place.y), xytext=(3, 2), textcoords="offset points", fontsize=6.5,
                            color="#222222", path_effects=_halo())
    ax.set_xticks([])
    ax.set_yticks([])


def _halo() -> list[Any]:
    from matplotlib import patheffects

    return [patheffects.withStroke(linewidth=2, foreground="white", alpha=0.8)]


def median_villages(results: Any) -> pd.DataFrame:
    """Per variant and village: name, x, y, zone and the median over replications of the final state."""
    villages = results.villages.rename(columns={"village": "name"})
    values = [c for c in ("influence", "stronghold_score", "zakat_usd") if c in villages]
    keys = ["name", "x", "y"] + (["zone"] if "zone" in villages else [])
    villages = villages[["run_id", *keys, *values]].merge(
        analysis.run_variants(results).rename("variant"), left_on="run_id", right_index=True)
    return villages.groupby(["variant", *keys], sort=False)[values].median().reset_index()


def village_map(geo: Geography, villages: pd.DataFrame, title: str) -> Figure:
    """IS influence and stronghold score per village (median final state) over the terrain."""
    layers = [k for k in MAP_LAYERS if k in villages]
    fig, axes = plt.subplots(1, len(layers), figsize=(6.2 * len(layers), 6.4), layout="constrained", squeeze=False)
    for ax, column in zip(axes.flat, layers, strict=True):
        label, cmap = MAP_LAYERS[column]
        _draw_terrain(ax, geo)
        vmax = 1.0 if column == "influence" else max(1.0, float(villages[column].max()))
        order = villages.sort_values(column)
        sc = ax.scatter(order["x"], order["y"], c=order[column], cmap=cmap, vmin=0.0, vmax=vmax, s=26,
                        edgecolors="#333333", linewidths=0.4, zorder=3)
        fig.colorbar(sc, ax=ax, shrink=0.7, label=label)
        ax.set_title(label, fontsize=10, loc="left")
    fig.suptitle(title, fontsize=13, x=0.01, ha="left")
    return fig


ZONE_COLUMNS: dict[str, str] = {
    "east_strip": "influence_east_strip", "karama_raqqa": "influence_karama_raqqa", "hasaka": "influence_hasaka",
}


def zone_maps(results: ResultsLike, geo: Geography, dates: Sequence[dt.date],
              colours: dict[str, str] | None = None) -> Figure:
    """Median IS influence by zone (from the monthly table) at chosen dates, a row per scenario."""
    names = list(colours or scenario_colours(analysis.variants(results)))
    fig, axes = plt.subplots(len(names), len(dates), figsize=(3.6 * len(dates) + 0.8, 3.7 * len(names)),
                             layout="constrained", squeeze=False)
    zone_index = np.array([geo.zones.index(d.zone) for d in geo.districts])[geo.district]
    mappable = None
    frames = {z: analysis.bands(results, col) for z, col in ZONE_COLUMNS.items() if col in results.monthly}
    for r, variant in enumerate(names):
        for c, date in enumerate(dates):
            ax = axes[r, c]
            _draw_terrain(ax, geo, labels=False)
            shade = np.full(geo.terrain.shape, np.nan)
            for zone, bb in frames.items():
                part = bb[(bb["variant"] == variant) & (bb["date"] <= pd.Timestamp(date))]
                if not part.empty and zone in geo.zones:
                    shade[(zone_index == geo.zones.index(zone)) & (geo.holder == 0)] = part["median"].iloc[-1]
            mappable = ax.imshow(shade.T, origin="lower", cmap="Reds", vmin=0, vmax=1, alpha=0.65,
                                 interpolation="nearest")
            if r == 0:
                ax.set_title(date.isoformat(), fontsize=10)
            if c == 0:
                ax.set_ylabel(variant, fontsize=10)
    if mappable is not None:
        fig.colorbar(mappable, ax=axes, shrink=0.6, label="median IS influence in the zone")
    fig.suptitle("IS influence by zone at chosen dates", fontsize=13, x=0.01, ha="left")
    return fig


def _map_path(results: Any, variant: str) -> Path:
    """The map a scenario ran on, from the batch manifest when it says, else the shipped map."""
    manifest = getattr(results, "manifest", None)
    scenarios = manifest.get("scenarios") if isinstance(manifest, dict) else None
    entry = scenarios.get(variant.split(" [")[0]) if isinstance(scenarios, dict) else None
    if isinstance(entry, dict) and entry.get("path"):
        resolved = entry.get("resolved") or {}
        candidate = Path(entry["path"]).parent / str(resolved.get("map", "maps/nes.toml"))
        if candidate.is_file():
            return candidate
    return DEFAULT_MAP


# ---------------------------------------------------------------------------- the whole set
def save_figure(fig: Figure, path: str | Path, dpi: int = 130) -> Path:
    """Write ``fig`` to ``path`` (making its folder) and release it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi)
    plt.close(fig)
    return path


def _save(fig: Figure, path: Path, written: list[Path]) -> None:
    written.append(save_figure(fig, path))


def draw_batch_plots(results_or_dir: ResultsLike | str | Path, out_dir: str | Path,
                     outcomes: Iterable[str] | None = None, dates: Iterable[dt.date] | None = None) -> list[Path]:
    """Write a batch's plots into ``out_dir``; returns the PNG paths.

    One fan chart per outcome (``fan_<outcome>.png``), ``overview.png``, a village map per
    scenario of the median final state (``map_<scenario>.png``), and with ``dates`` a map of
    zone-level influence at those dates (``map_dates.png``).
    """
    results = _results(results_or_dir)
    analysis.check_has_runs(results)
    names = [o for o in analysis.check_outcomes(outcomes) if o in results.monthly.columns]
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    colours = scenario_colours(analysis.variants(results))
    written: list[Path] = []
    for outcome in names:
        _save(fan_chart(results, outcome, colours), out / f"fan_{outcome}.png", written)
    if names:
        _save(overview(results, names, colours), out / "overview.png", written)
    villages = getattr(results, "villages", None)
    if villages is not None and len(villages):
        medians = median_villages(results)
        for variant in colours:
            part = medians[medians["variant"] == variant]
            if part.empty:
                continue
            geo = load_map(_map_path(results, variant))
            fig = village_map(geo, part, f"{variant}: IS influence and strongholds at the end of the run")
            _save(fig, out / f"map_{slug(variant)}.png", written)
    dates = list(dates or [])
    if dates:
        geo = load_map(_map_path(results, next(iter(colours))))
        _save(zone_maps(results, geo, dates, colours), out / "map_dates.png", written)
    return written
