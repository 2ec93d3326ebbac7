"""The SolaraViz page: the map, the monthly outcomes, the date and the scenario's events.

Run with ``solara run sim/viz/app.py`` or ``insim viz [SCENARIO]``. The page has

* a sidebar (Mesa's): Reset / Play / Step, the play and render intervals, the scenario picker,
  a seed and sliders for the main parameters (applied on **Reset**);
* the map: terrain and who holds it, villages coloured by IS influence or stronghold score,
  IS cells (red triangles), SDF units (blue squares), trader markets (gold dots), named towns;
* the simulation date, the scenario's events (fired ones with their date, upcoming ones greyed);
* the monthly outcomes (incidents by kind, zakat revenue, IS fighters, councils without a
  chairman, trust and influence), with a vertical line where each scenario event fired.

One model step is one day. The static terrain image is computed once per model; the outcome
plots are redrawn only when a month completes or an event fires.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import weakref
from pathlib import Path
from typing import Any

if not __package__:  # run as a file by `solara run sim/viz/app.py`: make the `sim` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import matplotlib

matplotlib.use("Agg")

import matplotlib.colors as mcolors
import matplotlib.dates as mdates
import numpy as np
import solara
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from mesa.visualization import Slider, SolaraViz
from mesa.visualization.utils import update_counter

from sim.model import InsurgencyModel
from sim.scenario import Scenario, available
from sim.sources import load_parameter_specs

SCENARIO_ENV = "INSIM_SCENARIO"
DEFAULT_SCENARIO = "baseline"

# ---------------------------------------------------------------------------------- colours
TERRAIN_COLOURS: dict[str, str] = {
    "steppe": "#e4dcb4",
    "desert": "#f1e4c0",
    "farmland": "#bcd9a0",
    "urban": "#a9a9a9",
    "river": "#3d7fc4",
    "border": "#7a7a9a",
    "iraq": "#dedede",
    "road": "#5b4a3a",
}
TERRAIN_LABELS: dict[str, str] = {
    "farmland": "farmland (river valleys)",
    "steppe": "steppe",
    "desert": "desert (Badia)",
    "urban": "town or city",
    "river": "Euphrates / Khabur",
    "road": "road",
    "border": "border",
}
REGIME_TINT = (0.55, 0.25, 0.55, 0.16)  # purple wash over regime-held cells
IRAQ_TINT = (0.35, 0.35, 0.35, 0.25)
CELL_COLOUR = "#d62728"
UNIT_COLOUR = "#1f5fbf"
TRADER_COLOUR = "#e0a800"
PNG: dict[str, Any] = {"pil_kwargs": {"compress_level": 1}}  # fast PNG encoding for live redraws
COLOUR_BY = {"IS influence": "influence", "Stronghold score": "stronghold"}

# the parameters the sidebar offers (the main levers of the scenarios)
SLIDER_PARAMETERS: tuple[str, ...] = (
    "zakat_min_usd",
    "restraint_with_coalition",
    "detection_base",
    "recruitment_rate",
    "thin_evidence_share",
)

# what the outcome panels show: (title, [(column, label)], y-label)
PANELS: tuple[tuple[str, tuple[tuple[str, str], ...], str], ...] = (
    ("Incidents by kind", (("killings", "killings"), ("attacks", "attacks"), ("checkpoints", "checkpoints"),
                           ("zakat_demands", "zakat demands"), ("arrests", "arrests")), "per month"),
    ("Zakat paid to IS", (("zakat_revenue_usd", "zakat revenue"),), "USD per month"),
    ("IS strength", (("is_fighters", "fighters in cells"),), "fighters"),
    ("Councils without a chairman", (("councils_without_chairman", "SDF-held villages"),), "villages"),
    ("Trust and IS influence", (("mean_trust", "trust in administration"), ("mean_influence", "IS influence"),
                                ("influence_east_strip", "IS influence, east strip")), "0 to 1"),
    ("Stronghold villages", (("strongholds", "villages meeting the criteria"),), "villages"),
)


# ---------------------------------------------------------------------------------- model
def _seed(rng: Any) -> Any:
    """The seed from the sidebar's text box: an int, or None (the scenario's own seed)."""
    if isinstance(rng, str):
        text = rng.strip()
        if not text:
            return None
        try:
            return int(text)
        except ValueError:
            return abs(hash(text)) % (2**32)
    return rng


class VizModel(InsurgencyModel):
    """The model as the page builds it: a scenario picked by name, sliders as overrides.

    Mesa's Reset passes a Mesa ``Scenario`` object as ``scenario``; the picker's choice arrives
    as ``scenario_name``. Slider values equal to the parameter table's default are not passed
    on, so a scenario's own parameter values stand unless a slider is moved.

    Args:
        scenario: a scenario name, path or :class:`sim.scenario.Scenario` (anything else is ignored).
        rng: the seed (text from the sidebar, an int, or None for the scenario's seed).
        scenario_name: the picker's choice; wins over ``scenario``.
        **parameters: parameter values from the sliders.
    """

    def __init__(self, scenario: Any = None, *, rng: Any = None, scenario_name: str | None = None,
                 **parameters: Any) -> None:
        if not isinstance(scenario, str | Path | Scenario):
            scenario = None
        chosen = scenario_name or scenario or default_scenario()
        specs = load_parameter_specs()
        overrides = {k: v for k, v in parameters.items() if k not in specs or v != specs[k].value}
        super().__init__(chosen, rng=_seed(rng), **overrides)
        self.scenario_choice = str(scenario_name or chosen)


def default_scenario() -> str:
    """The scenario the page opens with: ``$INSIM_SCENARIO`` or the baseline."""
    return os.environ.get(SCENARIO_ENV) or DEFAULT_SCENARIO


def _slider(name: str) -> Slider:
    """A sidebar slider for one parameter, its range from ``seeds/parameters.toml``.

    Where the table's range is far wider than the default (a hard bound, not a plausible
    range) the slider stops at ten times the default so its steps stay useful.
    """
    spec = load_parameter_specs()[name]
    value = spec.value
    low = spec.minimum if spec.minimum is not None else 0
    high = spec.maximum if spec.maximum is not None else (value * 10 or 1)
    if value and high > 20 * value:
        high = 10 * value
    is_int = isinstance(value, int) and not isinstance(value, bool)
    step = max(1, round((high - low) / 100)) if is_int else float(f"{(high - low) / 100:.1g}")
    unit = f" ({spec.unit})" if spec.unit else ""
    return Slider(f"{name.replace('_', ' ')}{unit}", value=value, min=low, max=high, step=step,
                  dtype=int if is_int else float)


def make_model_params(scenario: str | None = None) -> dict[str, Any]:
    """SolaraViz ``model_params``: the scenario picker, the seed and the parameter sliders."""
    scenario = scenario or default_scenario()
    names = list(available())
    if scenario not in names:
        names.insert(0, scenario)
    params: dict[str, Any] = {
        "scenario_name": {"type": "Select", "value": scenario, "values": names, "label": "Scenario"},
        "rng": {"type": "InputText", "value": "", "label": "Random seed (blank: the scenario's)"},
    }
    for name in SLIDER_PARAMETERS:
        params[name] = _slider(name)
    return params


# ---------------------------------------------------------------------------------- the map
_terrain_cache: weakref.WeakKeyDictionary[InsurgencyModel, np.ndarray] = weakref.WeakKeyDictionary()


def terrain_image(model: InsurgencyModel) -> np.ndarray:
    """RGBA image [row = y, col = x] of terrain and control, from the grid's property layers (cached)."""
    cached = _terrain_cache.get(model)
    if cached is not None:
        return cached
    grid = model.grid
    width, height = model.geography.width, model.geography.height
    rgb = np.zeros((width, height, 3))
    rgb[:] = mcolors.to_rgb(TERRAIN_COLOURS["steppe"])
    for layer in ("steppe", "desert", "farmland", "urban", "border", "iraq", "river"):
        mask = getattr(grid, layer).data > 0
        rgb[mask] = mcolors.to_rgb(TERRAIN_COLOURS[layer])
    road = (grid.road.data > 0) & (grid.river.data == 0)  # roads: a darker shade of the land they cross
    rgb[road] = rgb[road] * 0.6 + np.array(mcolors.to_rgb(TERRAIN_COLOURS["road"])) * 0.4
    holder = grid.holder.data
    for code, tint in ((1, REGIME_TINT), (2, IRAQ_TINT)):
        mask = holder == code
        alpha = tint[3]
        rgb[mask] = rgb[mask] * (1 - alpha) + np.array(tint[:3]) * alpha
    image = np.transpose(rgb, (1, 0, 2))  # to [y, x]
    _terrain_cache[model] = image
    return image


def _village_values(model: InsurgencyModel, colour_by: str) -> np.ndarray:
    v = model.villages
    if colour_by == "stronghold":
        return v.stronghold_score(model.p.stronghold_criterion_count)
    return np.asarray(v.influence, dtype=float)


def draw_map(model: InsurgencyModel, colour_by: str = "influence") -> Figure:
    """The map figure: terrain, control, villages, IS cells, SDF units, trader markets, names, legend."""
    geo = model.geography
    fig = Figure(figsize=(9.6, 7.4), dpi=90)
    ax = fig.add_axes((0.01, 0.02, 0.70, 0.93))
    ax.imshow(terrain_image(model), origin="lower", extent=(-0.5, geo.width - 0.5, -0.5, geo.height - 0.5),
              interpolation="nearest")
    holder = model.grid.holder.data.T
    ax.contour(np.arange(geo.width), np.arange(geo.height), (holder == 0).astype(float), levels=[0.5],
               colors="#5a2a5a", linewidths=1.0, linestyles="--")

    v = model.villages
    values = _village_values(model, colour_by)
    size = 14 + 10 * np.log10(np.maximum(v.population, 10) / 10)
    cmap = "YlOrRd" if colour_by == "influence" else "PuRd"
    sc = ax.scatter(v.x, v.y, c=values, cmap=cmap, vmin=0, vmax=1, s=size, edgecolors="#333333",
                    linewidths=0.5, zorder=3)

    t = model.traders
    active = t.active
    if active.any():
        markets, counts = np.unique(t.village[active], return_counts=True)
        ax.scatter(v.x[markets] + 0.35, v.y[markets] - 0.35, s=4 + 3 * np.sqrt(counts), c=TRADER_COLOUR,
                   edgecolors="#7a5c00", linewidths=0.3, zorder=4)

    u = model.units
    on = u.active
    ax.scatter(u.x[on] - 0.3, u.y[on] + 0.3, marker="s", s=10 + u.strength[on] / 3, c=UNIT_COLOUR,
               edgecolors="white", linewidths=0.4, zorder=5)

    c = model.cells
    alive = c.alive
    ax.scatter(c.x[alive] + 0.3, c.y[alive] + 0.3, marker="^", s=12 + 2 * c.fighters[alive], c=CELL_COLOUR,
               edgecolors="black", linewidths=0.4, zorder=6)

    for place in geo.places:
        if place.kind in ("village", "neighbourhood"):
            continue
        weight = "bold" if place.kind == "city" else "normal"
        if place.kind == "prison":
            ax.scatter([place.x], [place.y], marker="X", s=40, c="black", zorder=7)
        ax.annotate(place.name, (place.x, place.y), xytext=(3, 3), textcoords="offset points", fontsize=7,
                    fontweight=weight, color="#111111", zorder=8,
                    bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.6})
    ax.set_xlim(-0.5, geo.width - 0.5)
    ax.set_ylim(-0.5, geo.height - 0.5)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(f"{model.date:%d %b %Y}  ·  day {model.steps} of {model.n_days}", fontsize=10, loc="left")

    handles = [Patch(facecolor=TERRAIN_COLOURS[k], edgecolor="#888888", label=label)
               for k, label in TERRAIN_LABELS.items()]
    handles += [
        Patch(facecolor=mcolors.to_rgba(REGIME_TINT[:3], 0.45), label="held by the regime"),
        Patch(facecolor=mcolors.to_rgba(IRAQ_TINT[:3], 0.45), label="Iraq"),
        Line2D([], [], color="#5a2a5a", ls="--", label="edge of SDF-held area"),
        Line2D([], [], marker="o", ls="", mfc="#fd8d3c", mec="#333333", label="village (size: population)"),
        Line2D([], [], marker="^", ls="", mfc=CELL_COLOUR, mec="black", label="IS cell (size: fighters)"),
        Line2D([], [], marker="s", ls="", mfc=UNIT_COLOUR, mec="white", label="SDF unit"),
        Line2D([], [], marker="o", ls="", mfc=TRADER_COLOUR, mec="#7a5c00", ms=4, label="traders' market"),
        Line2D([], [], marker="X", ls="", mfc="black", mec="black", label="prison"),
    ]
    fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.715, 0.97), fontsize=7.5, frameon=False,
               title="Map key", title_fontsize=9, alignment="left")
    cax = fig.add_axes((0.74, 0.08, 0.2, 0.025))
    label = "village: IS influence (0 none, 1 full control)" if colour_by == "influence" else \
        "village: share of the 9 stronghold criteria met"
    fig.colorbar(sc, cax=cax, orientation="horizontal").set_label(label, fontsize=7.5)
    cax.tick_params(labelsize=7)
    return fig


@solara.component
def MapView(model: InsurgencyModel) -> None:
    """The map, redrawn after each rendered step; a toggle picks what colours the villages."""
    update_counter.get()
    colour_label, set_colour_label = solara.use_state("IS influence")
    colour_by = COLOUR_BY[colour_label]
    fig = solara.use_memo(lambda: draw_map(model, colour_by), dependencies=[model, model.steps, colour_by])
    with solara.Column(style={"padding": "4px"}, classes=["insim-map"]):
        with solara.Row(style={"align-items": "center"}):
            solara.Text("Colour villages by:")
            solara.ToggleButtonsSingle(value=colour_label, values=list(COLOUR_BY), on_value=set_colour_label)
        solara.FigureMatplotlib(fig, dependencies=[model, model.steps, colour_by], format="png", **PNG)


# ---------------------------------------------------------------------------------- outcomes
def _month_dates(model: InsurgencyModel) -> list[dt.date]:
    return [dt.date.fromisoformat(row["date"]) for row in model.monthly]


def draw_outcomes(model: InsurgencyModel) -> Figure:
    """The monthly outcomes in six panels, with a line where each scenario event fired."""
    fig = Figure(figsize=(9.6, 7.4), dpi=90)
    fig.subplots_adjust(left=0.08, right=0.985, bottom=0.05, top=0.91, hspace=0.32, wspace=0.2)
    axes = fig.subplots(3, 2, sharex=True).ravel()
    dates = _month_dates(model)
    start, end = model.start_date, model.run_scenario.end
    fired = [(dt.date.fromisoformat(e["date"]), e["event"]) for e in model.event_log]
    for ax, (title, series, ylabel) in zip(axes, PANELS, strict=True):
        for column, label in series:
            ys = [row.get(column, np.nan) for row in model.monthly]
            if column == "zakat_revenue_usd":
                ax.bar(dates, ys, width=25, color=TRADER_COLOUR, label=label, align="edge")
            else:
                ax.plot(dates, ys, marker="." if len(dates) < 24 else None, lw=1.3, label=label)
        for when, kind in fired:
            ax.axvline(when, color="#555555", lw=0.9, ls=":")
            if ax is axes[0]:
                ax.annotate(kind.replace("_", " "), (when, 1.0), xycoords=("data", "axes fraction"), rotation=90,
                            fontsize=6.5, va="top", ha="right", color="#333333")
        ax.set_title(title, fontsize=9, loc="left")
        ax.set_ylabel(ylabel, fontsize=7.5)
        ax.tick_params(labelsize=7)
        ax.set_xlim(start, end)
        ax.xaxis.set_major_locator(mdates.YearLocator())
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
        ax.grid(alpha=0.3)
        if len(series) > 1 and dates:
            ax.legend(fontsize=6.5, loc="upper left", frameon=False)
        if not dates:
            ax.text(0.5, 0.5, "first month not yet complete", transform=ax.transAxes, ha="center", va="center",
                    fontsize=8, color="#777777")
    fig.suptitle(f"Monthly outcomes ({len(dates)} month{'s' if len(dates) != 1 else ''} recorded)",
                 fontsize=10, x=0.01, ha="left")
    return fig


@solara.component
def OutcomePlots(model: InsurgencyModel) -> None:
    """Live plots of ``model.monthly``; redrawn only when a month completes or an event fires."""
    update_counter.get()
    key = [model, len(model.monthly), len(model.event_log)]
    fig = solara.use_memo(lambda: draw_outcomes(model), dependencies=key)
    with solara.Column(style={"padding": "4px"}, classes=["insim-plots"]):
        solara.FigureMatplotlib(fig, dependencies=key, format="png", **PNG)


# ---------------------------------------------------------------------------------- timeline
def _short(text: str, n: int = 110) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1] + "…"


@solara.component
def Timeline(model: InsurgencyModel) -> None:
    """The simulation date, the scenario and its events: fired (with dates) and still to come."""
    update_counter.get()
    scenario = model.run_scenario
    fired = list(model.event_log)
    upcoming = [e for e in scenario.events if e.date > model.date or (e.date == model.date and model.steps == 0)]
    with solara.Column(style={"padding": "8px"}, classes=["insim-timeline"]):
        solara.Text(f"{model.date:%d %B %Y}", classes=["insim-date"],
                    style={"font-size": "1.8em", "font-weight": "bold"})
        status = "finished" if not model.running else "running"
        solara.Text(f"Day {model.steps} of {model.n_days} · scenario “{scenario.name}” · {status}",
                    classes=["insim-day"])
        if scenario.description:
            solara.Markdown(f"*{_short(scenario.description, 400)}*")
        solara.Markdown(f"**Scenario events fired ({len(fired)})**")
        if fired:
            for e in fired:
                details = ", ".join(f"{k}={v}" for k, v in e.items() if k not in ("day", "date", "event"))
                solara.Text(f"● {e['date']} — {e['event'].replace('_', ' ')}"
                            + (f": {_short(details)}" if details else ""),
                            classes=["insim-event"], style={"font-size": "0.9em", "color": "#8b1a1a"})
        else:
            solara.Text("none yet", style={"color": "#777"})
        solara.Markdown(f"**Still to come ({len(upcoming)})**")
        if upcoming:
            lines = [f"- {e.date.isoformat()} — {e.kind.replace('_', ' ')}" for e in upcoming]
            solara.Markdown("\n".join(lines), style={"color": "#888", "font-size": "0.9em"})
        solara.Markdown("**Parameters (sidebar sliders)**\n\n" + "\n".join(
            f"- *{n.replace('_', ' ')}*: {load_parameter_specs()[n].description}" for n in SLIDER_PARAMETERS),
            style={"font-size": "0.85em", "color": "#555"})
        solara.Markdown(
            "Sliders and the scenario apply on **Reset**. Sliders left at their default keep the "
            "scenario's own values. One step is one day; *Render Interval* sets how many days the "
            "Step button (and each frame of Play) advances.",
            style={"font-size": "0.85em", "color": "#555"},
        )


# ---------------------------------------------------------------------------------- page
def grid_layout(num_components: int) -> list[dict[str, Any]]:
    """Page layout: the map (wide) and the date panel on top, the outcome plots below."""
    layout = [
        {"i": 0, "w": 8, "h": 19, "x": 0, "y": 0, "moved": False},
        {"i": 1, "w": 4, "h": 19, "x": 8, "y": 0, "moved": False},
        {"i": 2, "w": 8, "h": 22, "x": 0, "y": 19, "moved": False},
    ]
    return layout[:num_components] + [
        {"i": i, "w": 6, "h": 10, "x": 0, "y": 38 + 10 * i, "moved": False} for i in range(3, num_components)
    ]


def make_page(scenario: str | None = None, *, rng: Any = None) -> Any:
    """The SolaraViz page for a scenario (default ``$INSIM_SCENARIO`` or the baseline)."""
    import mesa.visualization.solara_viz as solara_viz

    solara_viz.make_initial_grid_layout = grid_layout  # Mesa's default is two equal columns
    scenario = scenario or default_scenario()
    model = VizModel(scenario_name=scenario, rng=rng)
    return SolaraViz(
        model,
        components=[(MapView, 0), (Timeline, 0), (OutcomePlots, 0)],
        model_params=make_model_params(scenario),
        name="insim: IS resurgence in north-eastern Syria",
        play_interval=20,
        render_interval=7,
    )


page = make_page()
