"""A/B timing of two source trees: build + 5-year daily run of the baseline, alternating, in fresh processes.

``python benchmarks/ab_speed.py --before /tmp/insim_base --after . --seeds 1 2 3 4 5`` times, for each
seed in turn, one run from each tree (``before`` first, then ``after``; each a fresh process of this
virtualenv started in that tree, so its ``sim`` is imported), and prints per-run CPU and wall seconds
and the medians. A run is ``InsurgencyModel(load_scenario(scenario, months=...), rng=seed,
collect_daily=...)`` built and run to the end; the clock starts after the imports, so the build
(map, scenario, agents) is included and the interpreter's start is not. On a shared machine read the
CPU seconds (``time.process_time``): wall seconds also count waiting for a core.

``--warm`` first runs an untimed 3-month baseline in each process, as a batch or calibration worker has
(numba's kernels loaded, the map parsed): the timed run is then a worker's run, not a new process's.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ONE_RUN = """
import inspect, json, sys, time
sys.path.insert(0, {root!r})
from sim.model import InsurgencyModel
from sim.scenario import load_scenario
# trees before batch mode (issue 15) have no collect_daily: they always collected daily
mode = {{"collect_daily": {daily}}} if "collect_daily" in inspect.signature(InsurgencyModel).parameters else {{}}
if {warm}:
    InsurgencyModel(load_scenario("baseline", months=3), rng=0, **mode).run()
c0, t0 = time.process_time(), time.perf_counter()
model = InsurgencyModel(load_scenario({scenario!r}, months={months}), rng={seed}, **mode)
c1 = time.process_time()
model.run()
print(json.dumps({{"cpu_s": time.process_time() - c0, "wall_s": time.perf_counter() - t0,
                  "build_cpu_s": c1 - c0, "days": model.steps}}))
"""


def one_run(root: Path, scenario: str, months: int, seed: int, daily: bool, warm: bool = False) -> dict[str, float]:
    """Time one build + run from the tree at ``root`` in a fresh process (after an untimed first run if ``warm``)."""
    code = ONE_RUN.format(root=str(root), scenario=scenario, months=months, seed=seed, daily=daily, warm=warm)
    out = subprocess.run([sys.executable, "-c", code], cwd=root, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    """Alternate the two trees over the seeds and print the medians."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", type=Path, required=True)
    ap.add_argument("--after", type=Path, default=Path.cwd())
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    ap.add_argument("--scenario", default="baseline")
    ap.add_argument("--months", type=int, default=60)
    ap.add_argument("--daily", action="store_true", help="daily collection on (default: batch mode)")
    ap.add_argument("--warm", action="store_true", help="time a run after a first one in its process")
    a = ap.parse_args()
    trees = {"before": a.before.resolve(), "after": a.after.resolve()}
    runs: dict[str, list[dict[str, float]]] = {k: [] for k in trees}
    print(f"load at start: {os.getloadavg()}")
    for seed in a.seeds:
        for name, root in trees.items():
            r = one_run(root, a.scenario, a.months, seed, a.daily, a.warm)
            runs[name].append(r)
            print(f"seed {seed} {name:6s} cpu {r['cpu_s']:.3f} s (build {r['build_cpu_s']:.3f})"
                  f" wall {r['wall_s']:.3f} s", flush=True)
    print(f"load at end: {os.getloadavg()}")
    for name, rs in runs.items():
        cpu = statistics.median(r["cpu_s"] for r in rs)
        wall = statistics.median(r["wall_s"] for r in rs)
        print(f"{name:6s} median cpu {cpu:.3f} s (min {min(r['cpu_s'] for r in rs):.3f}), median wall {wall:.3f} s")
    before = statistics.median(r["cpu_s"] for r in runs["before"])
    after = statistics.median(r["cpu_s"] for r in runs["after"])
    print(f"after / before (median cpu): {after / before:.3f}")


if __name__ == "__main__":
    main()
