"""Component tests of the SolaraViz page (sim/viz/app.py), rendered with ``solara.render``."""

from __future__ import annotations

import argparse
import io
from collections.abc import Iterator

import pytest

solara = pytest.importorskip("solara")
v = pytest.importorskip("ipyvuetify")
widgets = pytest.importorskip("ipywidgets")

from sim.viz import app  # noqa: E402
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


def test_page_has_controls_map_plots_and_date(rendered) -> None:
    rc = rendered
    labels = [b.children[0] for b in rc.find(v.Btn).widgets]
    for wanted in ("Reset", "Step", "IS influence", "Stronghold score"):
        assert wanted in labels
    picker = rc.find(v.Select).widget
    assert picker.v_model == "baseline"
    assert set(app.available()) <= set(picker.items)
    slider_labels = " ".join(s.label for s in rc.find(v.Slider).widgets)
    for name in app.SLIDER_PARAMETERS:
        assert name.replace("_", " ") in slider_labels
    assert len(rc.find(widgets.Image).widgets) == 2  # the map and the outcome plots
    assert _text(rc, "insim-date") == "01 April 2019"


def test_step_advances_date_map_and_plots(rendered) -> None:
    rc = rendered
    before = [bytes(i.value) for i in rc.find(widgets.Image).widgets]
    step = rc.find(v.Btn, children=["Step"]).widget
    for _ in range(5):  # 5 x render interval (7 days) = 35 days: April is complete
        step.click()
    assert _text(rc, "insim-date") == "05 May 2019"  # day 34, the last one simulated
    assert "Day 35 of" in _text(rc, "insim-day")
    after = [bytes(i.value) for i in rc.find(widgets.Image).widgets]
    assert after[0] != before[0], "the map did not change"
    assert after[1] != before[1], "the outcome plots did not change"


def test_colour_toggle_redraws_map(rendered) -> None:
    rc = rendered
    before = bytes(rc.find(widgets.Image).widgets[0].value)
    toggle = rc.find(v.BtnToggle).widget
    toggle.v_model = 1  # what clicking "Stronghold score" does in the browser
    assert bytes(rc.find(widgets.Image).widgets[0].value) != before


def test_switch_scenario_and_reset(rendered) -> None:
    rc = rendered
    other = "us_withdrawal" if "us_withdrawal" in app.available() else next(
        n for n in app.available() if n != "baseline")
    rc.find(v.Select).widget.v_model = other
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
    fig = app.draw_outcomes(model)
    assert any(line.get_linestyle() == ":" for line in fig.axes[0].get_lines())
    _box, rc = solara.render(app.Timeline(model), handle_error=False)
    events = [w.children[0] for w in rc.find(v.Html, class_="insim-event").widgets]
    assert len(events) == 1
    assert first.date.isoformat() in events[0] and first.kind.replace("_", " ") in events[0]
    rc.close()


def test_map_figure_draws_agents_and_labels() -> None:
    model = app.VizModel(scenario_name="baseline", rng=1)
    fig = app.draw_map(model)
    ax = fig.axes[0]
    labels = {t.get_text() for t in ax.texts}
    assert {"Raqqa", "Deir ez-Zor", "al-Hasaka"} <= labels
    assert len(ax.collections) >= 5  # villages, markets, units, cells, prison (+ control line)
    assert fig.legends and "IS cell" in " ".join(t.get_text() for t in fig.legends[0].get_texts())
    assert app.terrain_image(model) is app.terrain_image(model)  # cached per model
    fig.savefig(io.BytesIO(), format="png")


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
    import socket
    import subprocess
    import sys
    import time

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ready = tmp_path / "ready"
    child = (f"import signal, socket, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
             f"signal.signal(signal.SIGINT, signal.SIG_IGN); s = socket.socket(); s.bind(('127.0.0.1', {port})); "
             f"s.listen(); open({str(ready)!r}, 'w').close(); time.sleep(120)")
    parent = (f"import sys; from sim.viz.server import serve; "
              f"sys.exit(serve([sys.executable, '-c', {child!r}], grace=0.5))")
    proc = subprocess.Popen([sys.executable, "-c", parent])
    deadline = time.monotonic() + 30
    while not ready.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert ready.exists() and not _port_is_free(port)
    t0 = time.monotonic()
    proc.send_signal(getattr(signal, sig))
    assert proc.wait(timeout=10) == 0
    assert time.monotonic() - t0 < 5
    assert _port_is_free(port), "the server's port is still taken"
