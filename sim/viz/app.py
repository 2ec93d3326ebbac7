"""The SolaraViz page: the map, the monthly outcomes, the date and the scenario's events.

Run with ``solara run sim/viz/app.py`` or ``insim viz [SCENARIO]``. The page has

* a sidebar (Mesa's): Reset / Play / Step, the play and render intervals, the scenario picker,
  a seed and sliders for the main parameters (applied on **Reset**);
* the map (:mod:`sim.viz.mapview`): terrain and who holds it, villages coloured by IS influence
  or stronghold score, and layers to switch on and off: SDF presence, Coalition presence, last
  month's killings and attacks as points, and the agents (IS cells, SDF units, traders'
  markets). Hovering a village shows its state; clicking it (or picking it from the list) keeps
  that state in a panel under the map;
* the simulation date, the scenario's events (fired ones with their date, upcoming ones greyed);
* the monthly outcomes (:mod:`sim.viz.charts`: incidents by kind, zakat revenue, IS fighters,
  councils without a chairman, trust and influence), with a vertical line where each scenario
  event fired and, for the ``history`` scenario, the observed monthly attack counts as points.

One model step is one day. The static parts of the map and of the plots are drawn once and
kept as bitmaps; a step draws only what changed (see ``benchmarks/viz_step.py`` for timings).
"""

from __future__ import annotations

import base64
import os
import sys
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

if not __package__:  # run as a file by `solara run sim/viz/app.py`: make the `sim` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import matplotlib

matplotlib.use("Agg")

import numpy as np
import solara
from mesa.visualization import Slider, SolaraViz
from mesa.visualization.utils import update_counter

from sim.model import InsurgencyModel
from sim.scenario import Scenario, available
from sim.sources import load_parameter_specs
from sim.viz import layout
from sim.viz.charts import OBSERVED_BY_DEFAULT, chart_for
from sim.viz.mapview import COLOUR_BY, DEFAULT_LAYERS, HOVER_RADIUS_PX, LAYERS, renderer_for

SCENARIO_ENV = "INSIM_SCENARIO"
DEFAULT_SCENARIO = "baseline"

# the parameters the sidebar offers (the main levers of the scenarios)
SLIDER_PARAMETERS: tuple[str, ...] = (
    "zakat_min_usd",
    "patience_tolerance",
    "detection_base",
    "recruitment_rate",
    "sweep_wrongful_share",
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
        #: killings and attacks per village so far, copied at each month end (for the incidents layer)
        self.violence_at_month_end: list[np.ndarray] = []

    def step(self) -> None:
        """One day; at a month end, also keep a copy of the villages' violence counts."""
        months = len(self.monthly)
        super().step()
        if len(self.monthly) != months:
            self.violence_at_month_end.append(np.array(self.violence_by_village, dtype=float))


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
@solara.component_vue("map_image.vue")
def MapImage(src: str, spots: list[dict[str, Any]], radius: float = HOVER_RADIUS_PX,
             event_pick: Callable[[int], None] | None = None) -> None:
    """The map image with a hover tooltip per village (in the browser); a click sends the village's index."""


def data_url(png: bytes) -> str:
    """PNG bytes as a ``data:`` URL for an ``<img>``."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


VILLAGE_PICKER = "Inspect a village (or click one on the map)"


@solara.component
def VillagePanel(names: list[str], selected: int | None, lines: list[str],
                 on_select: Callable[[int | None], None]) -> None:
    """The picked village's state (clicked on the map or chosen in the list), kept as the run goes on."""
    with solara.Column(style={"padding": "0 4px"}, classes=["insim-village"]):
        solara.Select(VILLAGE_PICKER, values=["", *sorted(names)],
                      value=names[selected] if selected is not None else "",
                      on_value=lambda name: on_select(names.index(name) if name else None))
        if selected is not None:
            solara.Markdown(f"**{lines[0]}**  \n" + "  \n".join(lines[1:]), style={"font-size": "0.9em"})


@solara.component
def MapView(model: InsurgencyModel) -> None:
    """The map, redrawn after each rendered step: colouring, layers, hover tooltips and a village panel."""
    update_counter.get()
    colour_label, set_colour_label = solara.use_state("IS influence")
    layers, set_layers = solara.use_state(list(DEFAULT_LAYERS))
    selected, set_selected = solara.use_state(None)
    if selected is not None and selected >= len(model.village_names):  # a Reset onto another map
        selected = None
    renderer = renderer_for(model)
    png = renderer.render(COLOUR_BY[colour_label], set(layers), selected)
    with solara.Column(style={"padding": "4px"}, classes=["insim-map"]):
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
            solara.Text("Colour villages by:")
            solara.ToggleButtonsSingle(value=colour_label, values=list(COLOUR_BY), on_value=set_colour_label,
                                       classes=["insim-colour"])
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
            solara.Text("Layers:")
            solara.ToggleButtonsMultiple(value=layers, values=list(LAYERS), on_value=set_layers,
                                         classes=["insim-layers"])
        spots = renderer.spots()
        MapImage(src=data_url(png), spots=[asdict(s) for s in spots], radius=HOVER_RADIUS_PX,
                 event_pick=lambda i: set_selected(i if i >= 0 else None))
        VillagePanel(list(model.village_names), selected, spots[selected].lines if selected is not None else [],
                     set_selected)


# ---------------------------------------------------------------------------------- outcomes
@solara.component
def OutcomePlots(model: InsurgencyModel) -> None:
    """Live plots of ``model.monthly``; redrawn only when a month completes or an event fires."""
    update_counter.get()
    observed, set_observed = solara.use_state(model.run_scenario.name in OBSERVED_BY_DEFAULT)
    png = chart_for(model, observed).render()
    with solara.Column(style={"padding": "4px"}, classes=["insim-plots"]):
        solara.Checkbox(label="Show the observed monthly attacks (Rojava Information Center, 2019-2021)",
                        value=observed, on_value=set_observed)
        solara.Image(png, format="png")


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
    grid = [
        {"i": 0, "w": 8, "h": 23, "x": 0, "y": 0, "moved": False},
        {"i": 1, "w": 4, "h": 23, "x": 8, "y": 0, "moved": False},
        {"i": 2, "w": 8, "h": 25, "x": 0, "y": 23, "moved": False},
    ]
    return grid[:num_components] + [
        {"i": i, "w": 6, "h": 10, "x": 0, "y": 48 + 10 * i, "moved": False} for i in range(3, num_components)
    ]


def make_page(scenario: str | None = None, *, rng: Any = None) -> Any:
    """The SolaraViz page for a scenario (default ``$INSIM_SCENARIO`` or the baseline)."""
    layout.install(grid_layout)  # one page without Mesa's tab bar; sliders that show their values
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
