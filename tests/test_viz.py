"""Component tests of the SolaraViz page (sim/viz/app.py), rendered with ``solara.render``."""

from __future__ import annotations

import argparse
import io
from collections.abc import Iterator

import pytest

solara = pytest.importorskip("solara")
v = pytest.importorskip("ipyvuetify")
widgets = pytest.importorskip("ipywidgets")

from sim.viz import app, charts, layout, mapview  # noqa: E402
from sim.viz import command as viz_command  # noqa: E402


@pytest.fixture(scope="module")
def rendered() -> Iterator:
    """The whole page inside an AppLayout (so the sidebar's controls render too)."""

    @solara.component
    def Wrapped() -> None:
        with solara.AppLayout():
            app.make_page("baseline", rng=3)

    _box, rc = solara.render(Wrapped(), handle_error=False)
    yield rc
    rc.close()


def _text(rc, cls: str) -> str:
    return rc.find(v.Html, class_=cls).widget.children[0]


def _widgets(root) -> Iterator:
    """Every widget under ``root``, through children and grid items (``rc.find`` stops at the grid)."""
    stack, seen = [root], set()
    while stack:
        w = stack.pop()
        if id(w) in seen:
            continue
        seen.add(id(w))
        yield w
        for name in ("children", "items"):
            kids = getattr(w, name, None)
            if isinstance(kids, list | tuple):
                stack += [k for k in kids if isinstance(k, widgets.Widget)]


def _map_widget(rc):
    (found,) = [w for w in _widgets(rc.container) if hasattr(w, "spots") and hasattr(w, "src")]
    return found


def _plots_png(rc) -> bytes:
    (image,) = [w for w in _widgets(rc.container) if isinstance(w, widgets.Image)]
    return bytes(image.value)


def _toggle(rc, cls: str):
    (found,) = [w for w in _widgets(rc.container) if isinstance(w, v.BtnToggle) and cls in (w.class_ or "")]
    return found


def test_page_has_controls_map_plots_and_date(rendered) -> None:
    rc = rendered
    labels = [b.children[0] for b in rc.find(v.Btn).widgets]
    for wanted in ("Reset", "Step", *mapview.COLOUR_BY, *mapview.LAYERS):
        assert wanted in labels
    picker = rc.find(v.Select, label="Scenario").widget
    assert picker.v_model == "baseline"
    assert set(app.available()) <= set(picker.items)
    values = [w.children[0] for w in rc.find(v.Html, class_="insim-slider-value").widgets]
    assert len(values) == len(rc.find(v.Slider).widgets), "a slider does not show its value"
    specs = app.load_parameter_specs()
    for name in app.SLIDER_PARAMETERS:
        (line,) = [t for t in values if t.startswith(name.replace("_", " "))]
        assert line.endswith(f": {layout.value_text(specs[name].value)}")
    assert "Render Interval (steps): 7" in values  # Mesa's own sliders show their values too
    assert not rc.find(v.Tab).widgets, "Mesa's tab bar ('Page 0') is back"
    map_widget = _map_widget(rc)
    assert map_widget.src.startswith("data:image/png;base64,")
    assert len(map_widget.spots) == len(app.VizModel(scenario_name="baseline", rng=3).village_names)
    assert _plots_png(rc).startswith(b"\x89PNG")
    assert _text(rc, "insim-date") == "01 April 2019"


def test_slider_value_follows_the_slider(rendered) -> None:
    rc = rendered
    index = [w.children[0] for w in rc.find(v.Html, class_="insim-slider-value").widgets].index(
        "Render Interval (steps): 7")
    slider = rc.find(v.Slider).widgets[index]
    slider.v_model = 9
    assert rc.find(v.Html, class_="insim-slider-value").widgets[index].children[0] == "Render Interval (steps): 9"
    slider.v_model = 7  # back to the page's default, which the next tests count on


def test_step_advances_date_map_and_plots(rendered) -> None:
    rc = rendered
    map0, plots0 = _map_widget(rc).src, _plots_png(rc)
    step = rc.find(v.Btn, children=["Step"]).widget
    for _ in range(5):  # 5 x render interval (7 days) = 35 days: April is complete
        step.click()
    assert _text(rc, "insim-date") == "05 May 2019"  # day 34, the last one simulated
    assert "Day 35 of" in _text(rc, "insim-day")
    assert _map_widget(rc).src != map0, "the map did not change"
    assert _plots_png(rc) != plots0, "the outcome plots did not change"


def test_colour_and_layer_toggles_redraw_map(rendered) -> None:
    rc = rendered
    before = _map_widget(rc).src
    _toggle(rc, "insim-colour").v_model = 1  # what clicking "Stronghold score" does in the browser
    after_colour = _map_widget(rc).src
    assert after_colour != before
    _toggle(rc, "insim-layers").v_model = [0, 1, 2, 3]  # every layer on
    assert _map_widget(rc).src != after_colour


def test_clicking_a_village_shows_its_state(rendered) -> None:
    rc = rendered
    widget = _map_widget(rc)
    spot = next(s for s in widget.spots if s["lines"][0].startswith(("Sweidan", "Darnaj", "Dhiban")))
    widget.vue_pick(spot["index"])  # what the template sends on a click near that village
    assert rc.find(v.Select, label=app.VILLAGE_PICKER).widget.v_model == spot["lines"][0].split(" · ")[0]
    panel = [w.template for w in _widgets(rc.container) if "solara-markdown" in str(getattr(w, "template", ""))]
    assert any("IS influence" in text and spot["lines"][0].split(" · ")[0] in text for text in panel)
    widget.vue_pick(-1)  # a click away from any village clears the panel
    assert rc.find(v.Select, label=app.VILLAGE_PICKER).widget.v_model == ""


def test_switch_scenario_and_reset(rendered) -> None:
    rc = rendered
    other = "us_withdrawal" if "us_withdrawal" in app.available() else next(
        n for n in app.available() if n != "baseline")
    rc.find(v.Select, label="Scenario").widget.v_model = other
    rc.find(v.Btn, children=["Reset"]).widget.click()
    assert _text(rc, "insim-date") == "01 April 2019"
    assert f"“{other}”" in _text(rc, "insim-day")


def test_viz_model_accepts_mesa_reset_kwargs() -> None:
    """Mesa's Reset passes a Mesa Scenario as ``scenario``, the seed as text and every slider."""
    from mesa.experimental.scenarios import Scenario as MesaScenario

    defaults = {n: app.load_parameter_specs()[n].value for n in app.SLIDER_PARAMETERS}
    model = app.VizModel(scenario=MesaScenario(), rng="7", scenario_name="baseline",
                         **{**defaults, "zakat_min_usd": 2500})
    assert model.run_scenario.name == "baseline"
    assert model.p.zakat_min_usd == 2500
    model.step()
    assert model.steps == 1


def test_events_show_on_timeline_and_plots() -> None:
    """A fired scenario event is listed with its date and drawn on the outcome plots."""
    model = app.VizModel(scenario_name="baseline", rng=1)
    first = model.run_scenario.events[0]
    model.run_for(model.run_scenario.events[0].day + 2)
    assert model.event_log and model.event_log[0]["event"] == first.kind
    fig = charts.chart_for(model).figure()
    assert any(line.get_linestyle() == ":" for line in fig.axes[0].get_lines())
    _box, rc = solara.render(app.Timeline(model), handle_error=False)
    events = [w.children[0] for w in rc.find(v.Html, class_="insim-event").widgets]
    assert len(events) == 1
    assert first.date.isoformat() in events[0] and first.kind.replace("_", " ") in events[0]
    rc.close()


def test_map_layers_draw_what_the_model_holds() -> None:
    model = app.VizModel(scenario_name="baseline", rng=1)
    model.run_for(65)  # two month ends
    for _ in range(12):  # on to a month with incidents, so the incidents layer has something to draw
        if (model.violence_at_month_end[-1] - model.violence_at_month_end[-2]).sum() > 0:
            break
        model.run_for(31)
    r = mapview.renderer_for(model)
    assert r is mapview.renderer_for(model)  # made once per model
    assert {"Raqqa", "Deir ez-Zor", "al-Hasaka"} <= {t.get_text() for t in r.ax.texts}
    plain = r.render("influence", ())
    pngs = {layer: r.render("influence", (layer,)) for layer in mapview.LAYERS}
    for layer, png in pngs.items():
        assert png != plain, f"the {layer} layer draws nothing"
    # the incidents layer: one point per village with killings or attacks in the last complete month
    last = model.violence_at_month_end[-1] - model.violence_at_month_end[-2]
    r.render("influence", ("Incidents last month",))
    assert len(r.incidents.get_offsets()) == int((last > 0).sum())
    # the Coalition layer follows the districts where the Coalition is present
    some = r.render("influence", ("Coalition presence",))
    model.policy.coalition_present_by_district[model.geography.district_index("raqqa")] = False
    assert r.render("influence", ("Coalition presence",)) not in (some, plain)
    model.policy.coalition_present_by_district[:] = False
    assert r.render("influence", ("Coalition presence",)) == r.render("influence", ())
    fig = r.figure("stronghold", mapview.LAYERS)
    assert fig.legends and "IS cell" in " ".join(t.get_text() for t in fig.legends[0].get_texts())
    fig.savefig(io.BytesIO(), format="png")


def test_hover_spots_sit_on_the_villages_and_say_their_state() -> None:
    model = app.VizModel(scenario_name="baseline", rng=1)
    model.run_for(10)
    r = mapview.renderer_for(model)
    spots = r.spots()
    v = model.villages
    assert len(spots) == len(v.x)
    for spot in spots[::17]:
        x, y = r.ax.transData.transform((v.x[spot.index], v.y[spot.index]))
        assert (spot.x, spot.y) == pytest.approx((x, r.fig.bbox.height - y))
        assert mapview.nearest_village(spots, spot.x + 2, spot.y - 2) == spot.index
        assert f"IS influence {v.influence[spot.index]:.2f}" in spot.lines[2]
    assert mapview.nearest_village(spots, -100, -100) is None


def test_observed_counts_on_the_incident_chart(tmp_path) -> None:
    """With the history scenario the incident panel shows RIC's monthly attacks as points; others may opt in."""
    from sim.observed import load_ric

    history = tmp_path / "history.toml"
    baseline = app.available()["baseline"]
    history.write_text(f'extends = "{baseline.as_posix()}"\nname = "history"\n')
    model = app.VizModel(scenario_name=str(history), rng=1)
    assert model.run_scenario.name in charts.OBSERVED_BY_DEFAULT
    chart = charts.chart_for(model, observed=True)
    ric = load_ric()
    assert list(chart.observed.get_offsets()[:, 1]) == [float(a) for a in ric["attacks"]]
    assert max(ric["month"]).year <= 2021
    _box, rc = solara.render(app.OutcomePlots(model), handle_error=False)
    assert rc.find(v.Checkbox).widget.v_model is True
    rc.close()
    assert charts.chart_for(app.VizModel(scenario_name="baseline", rng=1)).observed is None


def test_command_registers_viz() -> None:
    parser = argparse.ArgumentParser(prog="insim")
    viz_command.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["viz"])
    assert (args.scenario, args.host, args.port) == ("baseline", "127.0.0.1", 8765)
    args = parser.parse_args(["viz", "us_withdrawal", "--port", "9000", "--host", "0.0.0.0"])
    assert args.func is viz_command.run and args.port == 9000
    cmd = viz_command.solara_command("127.0.0.1", 9000)
    assert cmd[1:4] == ["-m", "solara", "run"] and str(app.Path(app.__file__).resolve()) in cmd
    assert viz_command.scenario_argument("baseline") == "baseline"


def _port_is_free(port: int) -> bool:
    import socket

    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@pytest.mark.parametrize("sig", ["SIGTERM", "SIGINT"])
def test_serve_stops_a_stubborn_server_and_frees_its_port(sig: str, tmp_path) -> None:
    """A child that ignores SIGTERM (as uvicorn waiting on an open websocket does) is killed after the grace."""
    import signal
    import subprocess
    import sys
    import time

    from terminal import disposition

    # the child takes a free port itself and names it (a port found free here could be taken by
    # another test before the child binds it), through a file renamed into place once written
    ready = tmp_path / "ready"
    child = (f"import os, signal, socket, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
             f"signal.signal(signal.SIGINT, signal.SIG_IGN); s = socket.socket(); s.bind(('127.0.0.1', 0)); "
             f"s.listen(); open({str(ready)!r} + '.tmp', 'w').write(str(s.getsockname()[1])); "
             f"os.replace({str(ready)!r} + '.tmp', {str(ready)!r}); time.sleep(120)")
    parent = (f"import sys; from sim.viz.server import serve; "
              f"sys.exit(serve([sys.executable, '-c', {child!r}], grace=0.5))")
    proc = subprocess.Popen([sys.executable, "-c", parent])
    # serve() sets its handlers (SIGHUP last) just after it starts the child: signal it only then
    deadline = time.monotonic() + 120
    while (not ready.exists() or disposition(proc.pid, signal.SIGHUP) == "default") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert ready.exists() and disposition(proc.pid, signal.SIGHUP) in ("caught", None)  # None: no /proc here
    port = int(ready.read_text())
    assert not _port_is_free(port)
    proc.send_signal(getattr(signal, sig))
    # the child ignores both signals and sleeps 120 s: only the kill after the 0.5 s grace ends it in time
    try:
        assert proc.wait(timeout=60) == 0
    finally:
        proc.kill()
    assert _port_is_free(port), "the server's port is still taken"


def test_a_port_in_use_or_an_unknown_host_exits_2_before_the_server_starts(capsys) -> None:
    """Solara's own failure came after its start-up banner as a log line, with exit status 3."""
    import socket

    from sim import cli

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert cli.main(["viz", "--port", str(port)]) == 2
        captured = capsys.readouterr()
        assert f"insim viz: error: --port: {port} is already in use" in captured.err
        assert "at http://" not in captured.out  # nothing was started
    assert cli.main(["viz", "--host", "no-such-host.invalid"]) == 2
    assert "insim viz: error: --host: 'no-such-host.invalid' is not an address" in capsys.readouterr().err
