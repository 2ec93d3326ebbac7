"""The visualizer's monthly outcome panels, kept as one figure per model and updated in place.

Building six subplots from scratch took most of a second each month; here the axes, titles and
date ticks are made once and each completed month only moves the lines' data, adds the event
markers that fired, rescales and redraws. With ``observed`` on (the default for the ``history``
scenario), the incident panel also shows the Rojava Information Center's monthly attack counts
for north and east Syria as points (:func:`sim.observed.load_ric`, up to December 2021 only).
"""

from __future__ import annotations

import datetime as dt
import weakref
from typing import Any

import matplotlib.dates as mdates
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FixedFormatter, FixedLocator, MaxNLocator

from sim.viz.bitmap import canvas_png

TRADER_COLOUR = "#e0a800"
OBSERVED_COLOUR = "#000000"
#: scenarios whose chart shows the observed record by default (the model run against history)
OBSERVED_BY_DEFAULT: tuple[str, ...] = ("history",)

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


def observed_attacks() -> tuple[list[dt.date], list[int]]:
    """RIC's monthly attack counts (all of north and east Syria) as (first of month, count)."""
    from sim.observed import load_ric

    ric = load_ric()
    return [m.to_timestamp().date() for m in ric["month"]], [int(a) for a in ric["attacks"]]


def _days(dates: list[dt.date]) -> np.ndarray:
    """Dates as matplotlib's day numbers (plain floats draw faster than dates)."""
    return mdates.date2num(dates) if dates else np.zeros(0)


def nice_top(value: float) -> float:
    """A round upper limit above ``value`` with room to grow (1, 2, 2.5 or 5 times a power of ten)."""
    if not np.isfinite(value) or value <= 0:
        return 1.0
    target = value * 1.5
    power = 10 ** np.floor(np.log10(target))
    return float(next(power * k for k in (1, 2, 2.5, 5, 10) if power * k >= target))


class OutcomeChart:
    """The six monthly panels of one model, updated in place as months complete and events fire.

    Axes, titles, ticks and legends are a bitmap, redrawn only when a panel's data outgrow its
    y-range (which then grows to a round number with room to spare, so that happens a few times a
    run); the lines, bars, observed points and event markers are drawn on top of it.
    """

    def __init__(self, model: Any, observed: bool = False) -> None:
        self.model = model
        self.fig = Figure(figsize=(9.6, 7.4), dpi=90)
        self.canvas = FigureCanvasAgg(self.fig)
        self.fig.subplots_adjust(left=0.08, right=0.985, bottom=0.05, top=0.91, hspace=0.32, wspace=0.2)
        self.axes = self.fig.subplots(3, 2, sharex=True).ravel()
        start, end = model.start_date, model.run_scenario.end
        years = mdates.date2num([dt.date(y, 1, 1) for y in range(start.year + 1, end.year + 1)])
        self.lines: dict[str, Any] = {}
        self.bars: list[Any] = []
        self.observed = None
        for ax, (title, series, ylabel) in zip(self.axes, PANELS, strict=True):
            for column, label in series:
                if column == "zakat_revenue_usd":
                    ax.bar([], [], color=TRADER_COLOUR, label=label)
                else:
                    (self.lines[column],) = ax.plot([], [], lw=1.3, label=label, animated=True)
            ax.set_title(title, fontsize=9, loc="left")
            ax.set_ylabel(ylabel, fontsize=7.5)
            ax.tick_params(labelsize=7)
            ax.set_xlim(mdates.date2num(start), mdates.date2num(end))
            # fixed ticks on the 1st of January: computed once, not by a date locator at every draw
            ax.xaxis.set_major_locator(FixedLocator(years))
            ax.xaxis.set_major_formatter(FixedFormatter([str(y) for y in range(start.year + 1, end.year + 1)]))
            ax.yaxis.set_major_locator(MaxNLocator(5))
            ax.set_ylim(0, 1)
            ax.grid(alpha=0.3)
        if observed:
            dates, counts = observed_attacks()
            self.observed = self.axes[0].scatter(_days(dates), counts, s=12, c=OBSERVED_COLOUR, marker="o", zorder=5,
                                                 label="observed attacks (RIC, all NES)", animated=True)
        for ax, (_title, series, _ylabel) in zip(self.axes, PANELS, strict=True):
            if len(series) > 1 or (ax is self.axes[0] and observed):
                ax.legend(fontsize=6.5, loc="upper left", frameon=False)
        self.placeholder = [ax.text(0.5, 0.5, "first month not yet complete", transform=ax.transAxes, ha="center",
                                    va="center", fontsize=8, color="#777777", animated=True) for ax in self.axes]
        self.title = self.fig.suptitle("", fontsize=10, x=0.01, ha="left", animated=True)
        self.event_artists: list[tuple[Any, Any]] = []  # (axes, artist)
        self.events_drawn = 0
        self.months_drawn = -1
        self.background: Any = None
        self.png = b""

    def _add_events(self) -> None:
        for entry in self.model.event_log[self.events_drawn:]:
            when, kind = mdates.date2num(dt.date.fromisoformat(entry["date"])), entry["event"]
            for ax in self.axes:
                self.event_artists.append((ax, ax.axvline(when, color="#555555", lw=0.9, ls=":", animated=True)))
            label = self.axes[0].annotate(kind.replace("_", " "), (when, 1.0), xycoords=("data", "axes fraction"),
                                          rotation=90, fontsize=6.5, va="top", ha="right", color="#333333",
                                          animated=True)
            self.event_artists.append((self.axes[0], label))
        self.events_drawn = len(self.model.event_log)

    def _update(self) -> bool:
        """Move the data into the artists; True when a y-range had to grow (the bitmap is then stale)."""
        rows = self.model.monthly
        dates = _days([dt.date.fromisoformat(row["date"]) for row in rows])
        tops: dict[int, float] = {}
        for k, (_title, series, _ylabel) in enumerate(PANELS):
            for column, _label in series:
                values = np.array([row.get(column, np.nan) for row in rows], dtype=float)
                if column in self.lines:
                    self.lines[column].set_data(dates, values)
                    self.lines[column].set_marker("." if len(dates) < 24 else "None")
                if len(values) and np.isfinite(values).any():
                    tops[k] = max(tops.get(k, 0.0), float(np.nanmax(values)))
        zakat = [row.get("zakat_revenue_usd", np.nan) for row in rows]
        for bar in self.bars:
            bar.remove()
        self.bars = list(self.axes[1].bar(dates, zakat, width=25, color=TRADER_COLOUR, align="edge"))
        for bar in self.bars:
            bar.set_animated(True)
        if self.observed is not None:
            tops[0] = max(tops.get(0, 0.0), float(np.max(self.observed.get_offsets()[:, 1])))
        self._add_events()
        for text in self.placeholder:
            text.set_visible(not len(dates))
        n = len(dates)
        self.title.set_text(f"Monthly outcomes ({n} month{'s' if n != 1 else ''} recorded)")
        grew = False
        for k, top in tops.items():
            if top > self.axes[k].get_ylim()[1]:
                self.axes[k].set_ylim(0, nice_top(top))
                grew = True
        return grew

    def _dynamic(self) -> list[tuple[Any, Any]]:
        out: list[tuple[Any, Any]] = [(self.axes[1], bar) for bar in self.bars]
        out += [(line.axes, line) for line in self.lines.values()]
        if self.observed is not None:
            out.append((self.axes[0], self.observed))
        out += self.event_artists
        out += [(text.axes, text) for text in self.placeholder]
        return out

    def render(self, compress_level: int = 1) -> bytes:
        """The panels as PNG bytes; redrawn only when a month was added or an event fired."""
        key = len(self.model.monthly)
        if key == self.months_drawn and self.events_drawn == len(self.model.event_log):
            return self.png
        if self._update() or self.background is None:
            self.canvas.draw()
            self.background = self.canvas.copy_from_bbox(self.fig.bbox)
        self.canvas.restore_region(self.background)
        for ax, artist in self._dynamic():
            ax.draw_artist(artist)
        self.fig.draw_artist(self.title)
        self.png = canvas_png(self.canvas, compress_level)
        self.months_drawn = key
        return self.png

    def figure(self) -> Figure:
        """The figure with every artist drawn normally (for saving; ``render`` is the fast path)."""
        self.render()
        for _ax, artist in self._dynamic():
            artist.set_animated(False)
        self.title.set_animated(False)
        return self.fig


_charts: weakref.WeakKeyDictionary[Any, dict[bool, OutcomeChart]] = weakref.WeakKeyDictionary()


def chart_for(model: Any, observed: bool = False) -> OutcomeChart:
    """The model's outcome chart (one per model and choice of observed points)."""
    charts = _charts.setdefault(model, {})
    if observed not in charts:
        charts[observed] = OutcomeChart(model, observed)
    return charts[observed]
