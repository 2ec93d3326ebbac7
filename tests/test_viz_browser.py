"""End-to-end: the SolaraViz page in headless Chromium (Playwright's sync API).

Starts ``solara run sim/viz/app.py`` on 127.0.0.1 and a free port, waits for the map, steps,
checks the date and the plots change, switches scenario, and saves ``test-artifacts/viz.png``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sim.viz import APP_PATH, SCENARIO_ENV

CHROMIUM = Path("/usr/bin/chromium")
ROOT = APP_PATH.parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listening(proc: subprocess.Popen, port: int, seconds: float) -> bool:
    """Whether the server ``proc`` listens on ``port`` within ``seconds`` (False at once if it exits)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and proc.poll() is None:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.3)
    return False


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, subprocess.Popen, int]]:
    """A solara server with the app, on localhost; yields its address, the process and the port."""
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is absent: install Debian's chromium (apt-get install -y chromium)")
    pytest.importorskip("playwright.sync_api")
    env = {**os.environ, SCENARIO_ENV: "baseline",
           "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)}
    # its output into a file: a pipe that nobody reads would stop the server once full
    log = tmp_path_factory.mktemp("solara") / "server.log"
    for attempt in range(3):  # a port found free here can be taken (by another test) before the server binds it
        port = _free_port()
        # through sim.viz.server.serve, as `insim viz` runs it, so SIGTERM can be tested with a page open
        code = ("import sys; from sim.viz.command import solara_command; from sim.viz.server import serve; "
                f"sys.exit(serve(solara_command('127.0.0.1', {port})))")
        with log.open("w") as f:
            proc = subprocess.Popen([sys.executable, "-c", code], env=env, cwd=ROOT, stdout=f, stderr=subprocess.STDOUT)
        if _listening(proc, port, 180):  # its imports take seconds, more on a loaded machine
            break
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=60)
            pytest.fail("solara server did not start within 180 s")
        out = log.read_text(errors="replace")
        if "address already in use" not in out.lower() or attempt == 2:
            pytest.fail(f"solara server exited with {proc.returncode}:\n{out[-3000:]}")
    url = f"http://127.0.0.1:{port}/"
    yield url, proc, port
    proc.terminate()
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()


def _date_after(steps: int) -> str:
    """The date the page shows after ``steps`` days from 1 April 2019 (the last day simulated)."""
    return f"{dt.date(2019, 4, 1) + dt.timedelta(days=steps - 1):%d %B %Y}"


def _img(page, cls: str) -> str:
    return page.locator(f".{cls} img").first.get_attribute("src") or ""


@contextlib.contextmanager
def _page(url: str) -> Iterator[Any]:
    """A tall page of the app in headless Chromium, closed afterwards."""
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1500})
            page.set_default_timeout(30_000)
            expect.set_options(timeout=30_000)  # its own default is 5 s: a step renders slower on a loaded machine
            page.goto(url)
            yield page
        finally:
            browser.close()


def test_page_steps_and_switches_scenario(server) -> None:
    from playwright.sync_api import expect

    url = server[0]
    ARTIFACTS.mkdir(exist_ok=True)
    with _page(url) as page:
        page.locator(".insim-map img").wait_for()
        assert page.get_by_text("Page 0").count() == 0, "Mesa's tab bar is back"
        expect(page.locator(".insim-slider-value").filter(has_text="Render Interval (steps): 7")).to_be_visible()
        page.locator(".insim-plots img").wait_for()
        date = page.locator(".insim-date")
        expect(date).to_have_text("01 April 2019")
        map0, plots0 = _img(page, "insim-map"), _img(page, "insim-plots")

        step = page.get_by_role("button", name="Step")
        for k in range(1, 6):  # 5 x 7 days: April completes, so the plots get a first month
            step.click()
            expect(date).to_have_text(_date_after(7 * k))
        assert date.inner_text() == "05 May 2019"
        expect(page.locator(".insim-plots img")).not_to_have_attribute("src", plots0)
        assert _img(page, "insim-map") != map0

        # switch scenario in the picker, then Reset
        page.locator(".v-select").filter(has_text="Scenario").click()
        page.get_by_role("option", name="us_withdrawal", exact=True).click()
        page.get_by_role("button", name="Reset").click()
        expect(page.locator(".insim-day")).to_contain_text("us_withdrawal")
        expect(date).to_have_text("01 April 2019")
        for k in range(1, 4):
            step.click()
            expect(date).to_have_text(_date_after(7 * k))
        page.wait_for_timeout(800)
        page.screenshot(path=str(ARTIFACTS / "viz.png"), full_page=True)


def test_hover_shows_a_village_and_click_keeps_it(server) -> None:
    """The tooltip is computed in the browser from the spots sent with the image; a click fills the panel."""
    from playwright.sync_api import expect

    url = server[0]
    with _page(url) as page:
        image = page.locator(".insim-map img")
        image.wait_for()
        page.wait_for_function("() => document.querySelector('.insim-map img').naturalWidth > 0")
        # where Dhiban is on the image, scaled to its displayed size, from the map's own numbers
        from sim.viz.app import VizModel
        from sim.viz.mapview import renderer_for

        model = VizModel(scenario_name="baseline")
        spot = next(s for s in renderer_for(model).spots() if s.lines[0].startswith("Dhiban"))
        scale = page.evaluate("() => { const i = document.querySelector('.insim-map img');"
                              " return i.clientWidth / i.naturalWidth; }")
        image.hover(position={"x": spot.x * scale, "y": spot.y * scale})
        tooltip = page.locator(".insim-tooltip")
        expect(tooltip).to_be_visible()
        expect(tooltip).to_contain_text("Dhiban")
        expect(tooltip).to_contain_text("IS influence")
        image.hover(position={"x": 3, "y": 3})  # the map's corner: no village there
        expect(tooltip).to_have_count(0)
        image.click(position={"x": spot.x * scale, "y": spot.y * scale})
        expect(page.locator(".insim-village")).to_contain_text("stronghold criteria met")
        expect(page.locator(".insim-village")).to_contain_text("Dhiban")


def test_sigterm_stops_the_server_with_a_page_open(server) -> None:
    """Last: SIGTERM to the serving process ends it within the grace period and frees the port."""
    from playwright.sync_api import sync_playwright

    from sim.viz.server import GRACE_SECONDS

    url, proc, port = server
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(url)
            page.locator(".insim-map img").wait_for(timeout=30_000)  # a live websocket to the server
            proc.send_signal(signal.SIGTERM)
            # the open page's websocket keeps uvicorn waiting for ever: only the kill after the grace
            # period ends it (the margin is for a loaded machine)
            assert proc.wait(timeout=GRACE_SECONDS + 60) == 0
        finally:
            browser.close()
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))  # raises if the server (or a child of it) still holds the port
