"""How long the visualizer takes to answer one Step (7 days), measured server-side.

Renders the page with solara's test renderer (what the browser would be sent), clicks Step
``--steps`` times and prints the median, 90th percentile and maximum time per click (wall clock
and this process's CPU time, the fairer figure on a shared machine): the model's
seven days, the map, the timeline and, when a month completes, the outcome panels. Network and
the browser's own drawing are not included. Run from the repository root:

    .venv/bin/python benchmarks/viz_step.py --steps 120 --scenario baseline
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=120, help="Step clicks to time (default 120, about 2.3 years)")
    parser.add_argument("--scenario", default="baseline")
    parser.add_argument("--layers", action="store_true", help="switch every map layer on first")
    args = parser.parse_args()

    import ipyvuetify as v
    import solara

    from sim.viz import app

    @solara.component
    def Page() -> None:
        with solara.AppLayout():
            app.make_page(args.scenario, rng=1)

    t0 = time.perf_counter()
    _box, rc = solara.render(Page(), handle_error=False)
    print(f"first render: {time.perf_counter() - t0:.2f} s")
    if args.layers:
        toggles = [w for w in rc.find(v.BtnToggle).widgets if "insim-layers" in (w.class_ or "")]
        for toggle in toggles:
            toggle.v_model = list(range(len(app.LAYERS)))
    step = rc.find(v.Btn, children=["Step"]).widget
    wall, cpu = [], []
    for _ in range(args.steps):
        t, c = time.perf_counter(), time.process_time()
        step.click()
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    # CPU time is this process's own work: on a machine shared with other jobs it is the fairer figure
    what = f"{args.steps} Steps of 7 days ({args.scenario}{', all layers' if args.layers else ''})"
    for name, times in (("wall", sorted(wall)), ("CPU", sorted(cpu))):
        slow = sum(t > 0.3 for t in times)
        print(f"{what}, {name} time: median {statistics.median(times):.3f} s, 90th percentile "
              f"{times[int(0.9 * len(times)) - 1]:.3f} s, max {times[-1]:.3f} s; {slow} over 0.3 s")
    rc.close()


if __name__ == "__main__":
    main()
