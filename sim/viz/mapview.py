"""The map of the visualizer: switchable layers, drawn fast, with a tooltip for every village.

Everything that does not change during a run (terrain and control from the grid's property
layers, the edge of SDF-held land, town names, the key, the colour bar) is drawn once per model
and colouring mode and kept as a bitmap. A step restores that bitmap and draws only the
changing artists on top (matplotlib's blitting), then encodes the PNG quickly. This is what
keeps a 7-day Step well under 0.3 s (``benchmarks/viz_step.py`` prints the figures).

Layers (:data:`LAYERS`): villages coloured by IS influence or stronghold score (or plain);
SDF presence (the patrol and garrison cover of each village, ``guard``); Coalition presence
(tints the SDF-held districts where the Coalition is present); last month's violent incidents
(killings and attacks) as points; the agents (IS cells, SDF units, traders' markets).

Model state read here: ``grid`` layers, ``geography`` (size, places), ``villages`` columns,
``cells``, ``units``, ``traders``, ``policy.coalition_present_by_district``, ``violence_by_village``,
``zakat_by_village``, ``village_names``, ``world.zone_of``, ``date``, ``steps``, ``n_days``, ``p``.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any

import matplotlib.colors as mcolors
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sim.viz.bitmap import canvas_png

# ---------------------------------------------------------------------------------- colours
TERRAIN_COLOURS: dict[str, str] = {
    "steppe": "#e4dcb4", "desert": "#f1e4c0", "farmland": "#bcd9a0", "urban": "#a9a9a9", "river": "#3d7fc4",
    "border": "#7a7a9a", "iraq": "#dedede", "road": "#5b4a3a",
}
TERRAIN_LABELS: dict[str, str] = {
    "farmland": "farmland (river valleys)", "steppe": "steppe", "desert": "desert (Badia)",
    "urban": "town or city", "river": "Euphrates / Khabur", "road": "road", "border": "border",
}
REGIME_TINT = (0.55, 0.25, 0.55, 0.16)  # purple wash over regime-held cells
IRAQ_TINT = (0.35, 0.35, 0.35, 0.25)
COALITION_TINT = (0.0, 0.55, 0.55, 0.22)
CELL_COLOUR = "#d62728"
UNIT_COLOUR = "#1f5fbf"
TRADER_COLOUR = "#e0a800"
INCIDENT_COLOUR = "#000000"

#: what colours the villages: button label -> mode
COLOUR_BY: dict[str, str] = {"IS influence": "influence", "Stronghold score": "stronghold", "Plain": "plain"}
#: the overlays that can be switched on and off
LAYERS: tuple[str, ...] = ("SDF presence", "Coalition presence", "Incidents last month", "Agents")
DEFAULT_LAYERS: tuple[str, ...] = ("Agents",)
HOVER_RADIUS_PX = 9


def terrain_image(model: Any) -> np.ndarray:
    """RGBA image [row = y, col = x] of terrain and control, from the grid's property layers."""
    grid = model.grid
    width, height = model.geography.width, model.geography.height
    rgb = np.zeros((width, height, 3))
    rgb[:] = mcolors.to_rgb(TERRAIN_COLOURS["steppe"])
    for layer in ("steppe", "desert", "farmland", "urban", "border", "iraq", "river"):
        rgb[getattr(grid, layer).data > 0] = mcolors.to_rgb(TERRAIN_COLOURS[layer])
    road = (grid.road.data > 0) & (grid.river.data == 0)  # roads: a darker shade of the land they cross
    rgb[road] = rgb[road] * 0.6 + np.array(mcolors.to_rgb(TERRAIN_COLOURS["road"])) * 0.4
    holder = grid.holder.data
    for code, tint in ((1, REGIME_TINT), (2, IRAQ_TINT)):
        mask = holder == code
        rgb[mask] = rgb[mask] * (1 - tint[3]) + np.array(tint[:3]) * tint[3]
    return np.transpose(rgb, (1, 0, 2))  # to [y, x]


def _legend_handles() -> list[Any]:
    terrain = [Patch(facecolor=TERRAIN_COLOURS[k], edgecolor="#888888", label=text)
               for k, text in TERRAIN_LABELS.items()]
    return [
        *terrain,
        Patch(facecolor=mcolors.to_rgba(REGIME_TINT[:3], 0.45), label="held by the regime"),
        Patch(facecolor=mcolors.to_rgba(IRAQ_TINT[:3], 0.45), label="Iraq"),
        Line2D([], [], color="#5a2a5a", ls="--", label="edge of SDF-held area"),
        Line2D([], [], marker="o", ls="", mfc="#fd8d3c", mec="#333333", label="village (size: population)"),
        Line2D([], [], marker="^", ls="", mfc=CELL_COLOUR, mec="black", label="IS cell (size: fighters)"),
        Line2D([], [], marker="s", ls="", mfc=UNIT_COLOUR, mec="white", label="SDF unit"),
        Line2D([], [], marker="o", ls="", mfc=TRADER_COLOUR, mec="#7a5c00", ms=4, label="traders' market"),
        Line2D([], [], marker="X", ls="", mfc="black", mec="black", label="prison"),
        Line2D([], [], marker="o", ls="", mfc=mcolors.to_rgba(UNIT_COLOUR, 0.35), mec="none", ms=9,
               label="SDF presence (layer)"),
        Patch(facecolor=mcolors.to_rgba(COALITION_TINT[:3], 0.4), label="Coalition support (layer)"),
        Line2D([], [], marker="*", ls="", mfc="white", mec=INCIDENT_COLOUR, ms=9,
               label="killings and attacks, last month (layer)"),
    ]


@dataclass
class Spot:
    """A village's place on the map image (pixels from the top left) and its tooltip lines."""

    index: int
    x: float
    y: float
    lines: list[str]


class MapRenderer:
    """One model's map: static parts drawn once per colouring mode, changing parts drawn per step."""

    def __init__(self, model: Any) -> None:
        self.model = model
        geo = model.geography
        self.fig = Figure(figsize=(9.6, 7.4), dpi=90)
        self.canvas = FigureCanvasAgg(self.fig)
        ax = self.ax = self.fig.add_axes((0.01, 0.02, 0.70, 0.93))
        extent = (-0.5, geo.width - 0.5, -0.5, geo.height - 0.5)
        ax.imshow(terrain_image(model), origin="lower", extent=extent, interpolation="nearest")
        holder = model.grid.holder.data.T
        ax.contour(np.arange(geo.width), np.arange(geo.height), (holder == 0).astype(float), levels=[0.5],
                   colors="#5a2a5a", linewidths=1.0, linestyles="--")
        for place in geo.places:
            if place.kind in ("village", "neighbourhood"):
                continue
            if place.kind == "prison":
                ax.scatter([place.x], [place.y], marker="X", s=40, c="black", zorder=7)
            ax.annotate(place.name, (place.x, place.y), xytext=(3, 3), textcoords="offset points", fontsize=7,
                        fontweight="bold" if place.kind == "city" else "normal", color="#111111", zorder=8,
                        bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.6})
        ax.set_xlim(extent[:2])
        ax.set_ylim(extent[2:])
        ax.set_xticks([])
        ax.set_yticks([])
        self.fig.legend(handles=_legend_handles(), loc="upper left", bbox_to_anchor=(0.715, 0.97), fontsize=7.5,
                        frameon=False, title="Map key", title_fontsize=9, alignment="left")

        v = model.villages
        self._sdf_land = holder == 0
        self._district_grid = np.asarray(geo.district).T  # (height, width) district row of each square
        self._coalition_key: tuple[bool, ...] = ()
        dyn = {"animated": True}
        self.coalition = ax.imshow(np.zeros((geo.height, geo.width, 4)), origin="lower", extent=extent,
                                   interpolation="nearest", zorder=1, **dyn)
        self.presence = ax.scatter(v.x, v.y, s=0, c=UNIT_COLOUR, alpha=0.35, linewidths=0, zorder=2, **dyn)
        size = 14 + 10 * np.log10(np.maximum(v.population, 10) / 10)
        self.villages = ax.scatter(v.x, v.y, c=np.zeros(len(v.x)), cmap="YlOrRd", vmin=0, vmax=1, s=size,
                                   edgecolors="#333333", linewidths=0.5, zorder=3, **dyn)
        self.markets = ax.scatter([], [], c=TRADER_COLOUR, edgecolors="#7a5c00", linewidths=0.3, zorder=4, **dyn)
        self.units = ax.scatter([], [], marker="s", c=UNIT_COLOUR, edgecolors="white", linewidths=0.4, zorder=5,
                                **dyn)
        self.cells = ax.scatter([], [], marker="^", c=CELL_COLOUR, edgecolors="black", linewidths=0.4, zorder=6,
                                **dyn)
        self.incidents = ax.scatter([], [], marker="*", c="white", edgecolors=INCIDENT_COLOUR, linewidths=0.9,
                                    zorder=9, **dyn)
        self.selected = ax.scatter([], [], s=260, facecolors="none", edgecolors="#00e5ff", linewidths=2.2, zorder=10,
                                   **dyn)
        self.title = ax.set_title("", fontsize=10, loc="left")
        self.title.set_animated(True)
        self.colourbar_axes = self.fig.add_axes((0.74, 0.08, 0.2, 0.025))
        self.colourbar = self.fig.colorbar(self.villages, cax=self.colourbar_axes, orientation="horizontal")
        self.colourbar_axes.tick_params(labelsize=7)
        self.backgrounds: dict[str, Any] = {}
        self.pixels = self._village_pixels()

    # ------------------------------------------------------------------------------ drawing
    def _background(self, colour_by: str) -> Any:
        """The static bitmap for a colouring mode (the colour bar differs), drawn once."""
        if colour_by not in self.backgrounds:
            cmap = "PuRd" if colour_by == "stronghold" else "YlOrRd"
            self.villages.set_cmap(cmap)
            self.colourbar_axes.set_visible(colour_by != "plain")
            label = ("village: IS influence (0 none, 1 full control)" if colour_by == "influence"
                     else "village: share of the 9 stronghold criteria met")
            self.colourbar.set_label(label, fontsize=7.5)
            self.canvas.draw()
            self.backgrounds[colour_by] = self.canvas.copy_from_bbox(self.fig.bbox)
        return self.backgrounds[colour_by]

    def _village_pixels(self) -> np.ndarray:
        """Each village's centre in image pixels, from the top left (what the browser's mouse gives)."""
        v = self.model.villages
        xy = self.ax.transData.transform(np.column_stack([v.x, v.y]).astype(float))
        xy[:, 1] = self.fig.bbox.height - xy[:, 1]
        return xy

    def _update(self, colour_by: str, layers: set[str], selected: int | None) -> list[Any]:
        """Set the changing artists from the model; returns those to draw, in order."""
        m = self.model
        v = m.villages
        show = [self.title]
        self.title.set_text(f"{m.date:%d %b %Y}  ·  day {m.steps} of {m.n_days}")
        present = m.policy.coalition_present_by_district
        if "Coalition presence" in layers and present.any():
            key = tuple(bool(p) for p in present)
            if key != self._coalition_key:  # redraw the tint only when a district's presence changes
                tint = np.zeros((*self._sdf_land.shape, 4))
                tint[self._sdf_land & present[self._district_grid]] = COALITION_TINT
                self.coalition.set_data(tint)
                self._coalition_key = key
            show.append(self.coalition)
        if "SDF presence" in layers:
            self.presence.set_sizes(600 * np.asarray(v.guard, dtype=float))
            show.append(self.presence)
        cmap = "PuRd" if colour_by == "stronghold" else "YlOrRd"
        if self.villages.get_cmap().name != cmap:  # setting it redraws the colour bar: only on a change
            self.villages.set_cmap(cmap)
        if colour_by == "plain":
            self.villages.set_array(None)
            self.villages.set_facecolor("#ffffff")
        else:
            values = (v.stronghold_score(m.p.stronghold_criterion_count) if colour_by == "stronghold"
                      else np.asarray(v.influence, dtype=float))
            self.villages.set_array(values)
        show.append(self.villages)
        if "Agents" in layers:
            t = m.traders
            markets, counts = np.unique(t.village[t.active], return_counts=True)
            self.markets.set_offsets(np.column_stack([v.x[markets] + 0.35, v.y[markets] - 0.35]))
            self.markets.set_sizes(4 + 3 * np.sqrt(counts))
            u = m.units
            on = u.active
            self.units.set_offsets(np.column_stack([u.x[on] - 0.3, u.y[on] + 0.3]))
            self.units.set_sizes(10 + u.strength[on] / 3)
            c = m.cells
            alive = c.alive
            self.cells.set_offsets(np.column_stack([c.x[alive] + 0.3, c.y[alive] + 0.3]))
            self.cells.set_sizes(12 + 2 * c.fighters[alive])
            show += [self.markets, self.units, self.cells]
        if "Incidents last month" in layers:
            counts = last_month_incidents(m)
            hit = np.nonzero(counts > 0)[0]
            self.incidents.set_offsets(np.column_stack([v.x[hit], v.y[hit]]) if len(hit) else np.zeros((0, 2)))
            self.incidents.set_sizes(40 + 30 * counts[hit])
            show.append(self.incidents)
        if selected is not None:
            self.selected.set_offsets([[v.x[selected], v.y[selected]]])
            show.append(self.selected)
        return show

    def render(self, colour_by: str = "influence", layers: set[str] | tuple[str, ...] = DEFAULT_LAYERS,
               selected: int | None = None, compress_level: int = 1) -> bytes:
        """The map as PNG bytes."""
        background = self._background(colour_by)
        artists = self._update(colour_by, set(layers), selected)
        self.canvas.restore_region(background)
        for artist in artists:
            self.fig.draw_artist(artist) if artist is self.title else self.ax.draw_artist(artist)
        return canvas_png(self.canvas, compress_level)

    def figure(self, colour_by: str = "influence", layers: set[str] | tuple[str, ...] = DEFAULT_LAYERS) -> Figure:
        """The figure with every artist set for this state (for saving; ``render`` is the fast path)."""
        self._background(colour_by)
        for artist in self._update(colour_by, set(layers), None):
            artist.set_animated(False)
        return self.fig

    # ------------------------------------------------------------------------------ hover
    def spots(self) -> list[Spot]:
        """Every village's pixel position and the lines its tooltip shows."""
        m = self.model
        v = m.villages
        score = v.stronghold_score(m.p.stronghold_criterion_count)
        incidents = last_month_incidents(m)
        districts = m.geography.districts
        out = []
        for i, name in enumerate(m.village_names):
            council = ("council and chairman" if v.has_council[i] and v.has_chairman[i]
                       else "council, no chairman" if v.has_council[i] else "no council")
            district = districts[v.district[i]]
            holder = "SDF-held" if v.sdf_held[i] else f"held by: {district.holder}"
            out.append(Spot(i, float(self.pixels[i, 0]), float(self.pixels[i, 1]), [
                f"{name} · district {district.name}, zone {m.world.zone_of[i]} · {holder}",
                f"population {int(v.population[i]):,}",
                f"IS influence {v.influence[i]:.2f} · stronghold criteria met {score[i]:.0%}",
                f"trust {v.trust[i]:.2f} · fear {v.fear[i]:.2f} · SDF presence {v.guard[i]:.2f}",
                f"{council}; officials {int(v.officials[i])}, pledged {v.pledged[i]:.0%}",
                f"killings and attacks last month {int(incidents[i])} · zakat paid so far "
                f"USD {m.zakat_by_village[i]:,.0f}",
            ]))
        return out


def last_month_incidents(model: Any) -> np.ndarray:
    """Killings and attacks per village in the last completed month (the current one before the first ends).

    The model counts violence per village cumulatively (``violence_by_village``); the
    visualizer's model keeps a copy at each month end (``violence_at_month_end``).
    """
    marks = getattr(model, "violence_at_month_end", None) or []
    now = np.asarray(model.violence_by_village, dtype=float)
    if not marks:
        return now
    before = marks[-2] if len(marks) >= 2 else np.zeros_like(now)
    return marks[-1] - before


_renderers: weakref.WeakKeyDictionary[Any, MapRenderer] = weakref.WeakKeyDictionary()


def renderer_for(model: Any) -> MapRenderer:
    """The model's map renderer (made once per model)."""
    if model not in _renderers:
        _renderers[model] = MapRenderer(model)
    return _renderers[model]


def nearest_village(spots: list[Spot], x: float, y: float, radius: float = HOVER_RADIUS_PX) -> int | None:
    """The village whose spot is within ``radius`` pixels of (x, y), nearest first; None if none is."""
    if not spots:
        return None
    xy = np.array([(s.x, s.y) for s in spots])
    d = np.hypot(xy[:, 0] - x, xy[:, 1] - y)
    k = int(np.argmin(d))
    return spots[k].index if d[k] <= radius else None
