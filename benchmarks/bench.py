"""Benchmark of the insurgency model against Mesa's Epstein civil-violence example (issue #7).

Run ``python benchmarks/bench.py [--quick] [--json out.json]``. Every measurement runs in a fresh
subprocess (so peak-memory figures are clean); each figure is the median of several runs.

An *agent-update* is one agent advanced one day (one model step): each day counts every village,
trader, living IS cell and SDF unit once. Epstein's are counted the same way: one citizen or cop
advanced one step. Our runs are timed as batches and calibration run them (``collect_daily=False``:
no daily DataCollector; ``model.run()``, whose steps may do several days in one kernel call); the
interactive default (daily collection on, one day a step) is timed too. The agents of each day are
counted after the timed run, in an untimed replay of the same seed stepped a day at a time (its days
are the timed run's, to the bit: ``tests/test_days_in_a_row.py``). The baseline is
timed as a process's first run (cold: the compiled kernels are loaded from their cache then) and, as
``warm``, after a first short run in the same process, as a batch or calibration worker's later runs.
``--since [COMMIT]`` also times an earlier commit's tree in the same run, by that tree's own benchmark (by default
main when issue 15 was filed), and the warm run's speed-up over it.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "benchmarks" / "results.json"


def _agents(model: Any) -> int:
    return len(model.villages) + len(model.traders) + int(model.cells.alive.sum()) + len(model.units)


AGENT_UPDATE = ("one agent advanced one day: per day, every village, trader, living IS cell and SDF unit counts once;"
                " Epstein: every citizen and cop per step")
CALIBRATION_RUNS = 25_000  # issue 15's example: population 500, 10 generations, a fifth of proposals accepted
ABC_ACCEPTANCE = 0.2  # assumed share of ABC proposals accepted, for the default calibration's run count
HISTORY_SEEDS = 5  # history runs timed (medians)
ISSUE_15_BEFORE = "1b65bda"
"""main when issue 15 was filed (its 5-year run took 2.1 s there): ``--since`` times a tree like it beside this one."""
CLUSTER_WORKERS = (8, 32, 128)


def measure_ours(factor: int, months: int, seed: int = 1, collect_daily: int = 0, warm: int = 0) -> dict[str, float]:
    """Build and run the baseline on a map ``factor`` times larger; time, updates and memory.

    ``warm``: after a first three-month run in the same process, and built from its scenario parsed
    before the timer starts, as a batch or calibration worker's later runs are (kernels loaded from
    their cache, lazy imports done, the scenario parsed once, the garbage collector set as a worker's:
    :func:`sim.batch.executors.preload_and_freeze`); else the process's first run (cold), the
    scenario's parsing included.
    """
    sys.path.insert(0, str(ROOT))
    from sim.batch.executors import preload_and_freeze
    from sim.model import InsurgencyModel
    from sim.scaling import scaled_model, scaled_scenario

    scenario = None
    if warm:
        first = scaled_model(factor, months=3, rng=seed + 1000)
        first.collect_daily = bool(collect_daily)
        first.run()
        del first
        scenario = scaled_scenario(factor, months)
        # as a worker is: what lives now left out of the garbage collector, its runs' thresholds
        preload_and_freeze(())
    # no tracemalloc here: it slows Python several-fold; each measurement runs in a fresh
    # process, so the peak resident size (maxrss) is this run's own peak memory
    def built() -> Any:
        made = (scaled_model(factor, months=months, rng=seed) if scenario is None
                else InsurgencyModel(scenario, rng=seed))
        made.collect_daily = bool(collect_daily)
        return made

    c0, t0 = time.process_time(), time.perf_counter()
    model = built()
    c1, t1 = time.process_time(), time.perf_counter()
    model.run()
    c2, t2 = time.process_time(), time.perf_counter()
    days = model.steps
    updates = 0  # the same run again, a day a step, untimed: each day's agents
    replay = built()
    while replay.running:
        replay.step()
        updates += _agents(replay)
    # CPU seconds beside wall seconds: on a shared machine wall time also counts waiting for a core
    return {"agents_start": float(len(model.villages) + len(model.traders) + len(model.cells) + len(model.units)),
            "days": float(days), "init_s": t1 - t0, "run_s": t2 - t1, "updates": float(updates),
            "init_cpu_s": c1 - c0, "run_cpu_s": c2 - c1, "updates_per_s": updates / (t2 - t1),
            "updates_per_cpu_s": updates / (c2 - c1),
            "maxrss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def measure_history(seed: int = 1) -> dict[str, float]:
    """Build (from the parsed scenario, as a batch worker does) and run ``history`` to December 2021, after
    a first run of it in the same process (another seed), as a worker's later runs are (the kernels loaded, stop
    27). A first run of three months loaded them until stop 40; since then its first month's nights and days are
    done in the kernels that the later months use too, and Python's paths (the prison's days, another day's
    kernels) load theirs in the first full run only (~0.06 s, once a process)."""
    sys.path.insert(0, str(ROOT))
    from benchmarks.batch_overhead import history_months
    from sim.batch.executors import preload_and_freeze
    from sim.model import InsurgencyModel
    from sim.scenario import load_scenario

    months = history_months()
    parsed = load_scenario("history", months=months)
    # warm, as a worker is after its first run: the map and tables parsed, the compiled kernels loaded
    InsurgencyModel(parsed, rng=seed + 1000, collect_daily=False).run()
    preload_and_freeze(())  # the garbage collector set as a worker's
    c0, t0 = time.process_time(), time.perf_counter()
    InsurgencyModel(parsed, rng=seed, collect_daily=False).run()
    return {"months": float(months), "run_s": time.perf_counter() - t0, "run_cpu_s": time.process_time() - c0}


def measure_epstein(agents: int, steps: int, seed: int = 1) -> dict[str, float]:
    """Mesa's Epstein civil-violence example on a grid sized for about ``agents`` citizens + cops."""
    from mesa.examples.advanced.epstein_civil_violence.model import EpsteinCivilViolence, EpsteinScenario

    # default densities: citizens 0.7, cops 0.074 of the cells
    side = max(5, round((agents / (0.7 + 0.074)) ** 0.5))
    model = EpsteinCivilViolence(width=side, height=side, scenario=EpsteinScenario(rng=seed))
    n = len(model.agents)
    t0 = time.perf_counter()
    for _ in range(steps):
        model.step()
    t = time.perf_counter() - t0
    return {"agents": float(n), "side": float(side), "steps": float(steps), "run_s": t,
            "updates_per_s": n * steps / t,
            "maxrss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def resolved_commit(commit: str) -> str:
    """The full name of ``commit`` in this checkout's git history; ``ValueError`` saying why if there is none."""
    found = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--verify", "--quiet", f"{commit}^{{commit}}"],
                           capture_output=True, text=True)
    if found.returncode:
        raise ValueError(f"--since {commit}: no such commit in {ROOT}'s git history (a git checkout is needed:"
                         f" the benchmark exports that commit's tree with git archive)")
    return found.stdout.strip()


def measure_since(commit: str, months: int, reps: int) -> dict[str, float]:
    """The baseline's build and ``months``-month run in the tree of ``commit``, timed by that tree's own benchmark
    (``--one ours 1 MONTHS``: a new process each time, as the first run there; trees before issue 15 had no batch
    mode and always collected daily), median of ``reps`` runs. The tree is exported with ``git archive`` into a
    temporary folder and imported from there (its kernels, if it has any, compile unless cached)."""
    full = resolved_commit(commit)
    tree = subprocess.run(["git", "-C", str(ROOT), "archive", full], check=True, capture_output=True).stdout
    with tempfile.TemporaryDirectory() as folder:
        with tarfile.open(fileobj=io.BytesIO(tree)) as archive:
            archive.extractall(folder, filter="data")
        env = {**os.environ, "PYTHONPATH": folder}  # its sim, not this tree's (installed in editable mode)
        runs = []
        for _ in range(reps):
            out = subprocess.run([sys.executable, str(Path(folder) / "benchmarks" / "bench.py"), "--one", "ours", "1",
                                  str(months)], capture_output=True, text=True, cwd=folder, env=env)
            try:
                runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
            except (IndexError, ValueError):
                said = (out.stderr.strip().splitlines() or ["no output"])[-1]
                raise ValueError(f"--since {commit}: that tree's benchmark did not time a run"
                                 f" (benchmarks/bench.py --one ours 1 {months}: {said})") from None
    median = _median([{k: r[k] for k in ("init_s", "run_s")} for r in runs])
    return {**median, "default_run_s": median["init_s"] + median["run_s"]}


def _subprocess(kind: str, *args: int) -> dict[str, float]:
    out = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--one", kind, *map(str, args)],
                         check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _median(runs: list[dict[str, float]]) -> dict[str, float]:
    return {k: statistics.median(r[k] for r in runs) for k in runs[0]}


def machine() -> dict[str, Any]:
    """nproc, CPU model and RAM of this machine."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {"nproc": os.cpu_count(), "cpu": cpu, "ram_gib": round(ram, 1), "python": platform.python_version()}


def run(quick: bool = False, reps: int | None = None, factors: tuple[int, ...] | None = None,
        months: int | None = None, out: Path | None = DEFAULT_OUT, since: str | None = None) -> dict[str, Any]:
    """All the figures; ``quick`` is a small, fast version (for the smoke test); ``since``: a commit whose tree's
    run is timed beside this one's (:func:`measure_since`) and compared with the warm run."""
    reps = reps or (1 if quick else 3)
    months = months or (2 if quick else 60)
    factors = factors or ((1, 10) if quick else (1, 10, 100))
    results: dict[str, Any] = {"machine": machine(), "quick": quick, "reps": reps, "months": months, "scales": {}}
    results["agent_update"] = AGENT_UPDATE
    results["uptime_before"] = _uptime()
    before = None if since is None else measure_since(since, months, reps)  # first: a tree that cannot run stops it
    for f in factors:
        m = months if f <= 10 else max(1, months // 5)  # 100x: a shorter run, cost is per day
        results["scales"][str(f)] = _median([_subprocess("ours", f, m) for _ in range(reps)])
        results["scales"][str(f)]["months"] = float(m)
    ours = results["scales"][str(factors[0])]
    n = int(ours["updates"] / ours["days"])
    results["epstein"] = _median([_subprocess("epstein", n, 20 if quick else 100) for _ in range(reps)])
    warm = _median([_subprocess("ours", factors[0], months, 1, 0, 1) for _ in range(reps)])
    results["warm"] = {**warm, "ratio": warm["updates_per_s"] / results["epstein"]["updates_per_s"],
                       "default_run_s": warm["init_s"] + warm["run_s"]}
    interactive = _median([_subprocess("ours", factors[0], months, 1, 1) for _ in range(reps)])
    results["interactive_run_s"] = interactive["init_s"] + interactive["run_s"]
    history = _median([_subprocess("history", seed) for seed in range(1, 1 + (1 if quick else HISTORY_SEEDS))])
    results["history"] = {**calibration_estimate(history["run_cpu_s"], int(history["months"])),
                          "wall_s": history["run_s"]}
    if before is not None:
        results["since"] = {"commit": since, **before,
                            "speedup_warm": before["default_run_s"] / results["warm"]["default_run_s"]}
    results["uptime_after"] = _uptime()
    results["default_run_s"] = ours["init_s"] + ours["run_s"]
    results["ours_updates_per_s"] = ours["updates_per_s"]
    results["epstein_updates_per_s"] = results["epstein"]["updates_per_s"]
    results["ratio"] = ours["updates_per_s"] / results["epstein"]["updates_per_s"]
    if len(factors) > 1:
        results["cost_split"] = cost_split(results["scales"])
    if out is not None:
        Path(out).write_text(json.dumps(results, indent=2))
    return results


def cost_split(scales: dict[str, dict[str, float]]) -> dict[str, Any]:
    """A day's cost as a fixed part plus a part per agent-update, fitted on the two smallest map sizes run.

    Each map size gives one point (agent-updates a day, run seconds a day); the line through the two
    smallest splits a day of the first map into what does not grow with the agents (numpy's and
    Python's per-call costs: the same calls a day on any map) and what does. Only the two smallest:
    the line is the first map's local slope, and larger maps cost more per update (their arrays
    outgrow the CPU's caches: the 100x map ran 10-14% slower per update than the 10x map at stop 22),
    which would tilt a line through all of them. ``replicate_floor_s`` is the first map's build and
    run with the fixed part shared out to nothing, as many replicates run as one array program would
    at best; ``replicate_floor_ratio`` is that run's agent-updates per second over the fixed part's;
    ``fitted_on`` names the two maps. Needs two map sizes or more.
    """
    def a_day(s: dict[str, float]) -> float:
        return s["updates"] / s["days"]

    sizes = sorted({a_day(s) for s in scales.values()})
    if len(sizes) < 2:
        raise ValueError("the cost split needs runs on at least two map sizes")
    fitted_on = sorted((name for name, s in scales.items() if a_day(s) <= sizes[1]), key=lambda n: a_day(scales[n]))
    points = [scales[name] for name in fitted_on]
    per_day = np.array([[a_day(s), s["run_s"] / s["days"]] for s in points])
    per_update, fixed = np.polyfit(per_day[:, 0], per_day[:, 1], 1)
    first = points[0]
    updates_a_day = a_day(first)
    floor_s = first["init_s"] + first["days"] * per_update * updates_a_day
    return {"fitted_on": fitted_on,
            "fixed_ms_per_day": float(fixed * 1e3), "us_per_update": float(per_update * 1e6),
            "fixed_share": float(fixed / (fixed + per_update * updates_a_day)),
            "replicate_floor_s": float(floor_s),
            "replicate_floor_ratio": float((first["init_s"] + first["run_s"]) / floor_s)}


def _uptime() -> str:
    """The load averages, as ``uptime`` prints them (the machine is shared: figures depend on them)."""
    try:
        return Path("/proc/loadavg").read_text().strip()
    except OSError:
        return ""


def calibration_estimate(run_s: float, months: int) -> dict[str, float]:
    """Runs per core-hour of a ``months``-month run taking ``run_s`` (build included), and calibration wall-clock.

    A calibration of :data:`CALIBRATION_RUNS` runs spreads perfectly over workers of one core each (runs
    are independent; the batch engine's own overhead is not included): hours = runs x run_s / workers.
    """
    sys.path.insert(0, str(ROOT))
    from benchmarks.batch_overhead import calibration_runs

    stages = calibration_runs(ABC_ACCEPTANCE)
    default_runs = stages["history_matching"] + stages["abc"] + stages["posterior_predictive"]
    out = {"months": float(months), "run_s": run_s, "runs_per_core_hour": 3600.0 / run_s,
           "calibration_runs": float(CALIBRATION_RUNS),
           "calibration_hours_2_cores": CALIBRATION_RUNS * run_s / 2 / 3600,
           "default_calibration_runs": default_runs,
           "default_calibration_hours_2_cores": default_runs * run_s / 2 / 3600}
    for n in CLUSTER_WORKERS:
        out[f"calibration_hours_{n}_workers"] = CALIBRATION_RUNS * run_s / n / 3600
        out[f"default_calibration_hours_{n}_workers"] = default_runs * run_s / n / 3600
    return out


def main(argv: list[str] | None = None) -> None:
    """Command line."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes, one repetition")
    ap.add_argument("--json", type=Path, default=DEFAULT_OUT, help="where to write the figures")
    ap.add_argument("--factors", type=int, nargs="+", help="map sizes to run (default 1 10 100; 100x takes minutes)")
    ap.add_argument("--since", metavar="COMMIT", nargs="?", const=ISSUE_15_BEFORE,
                    help="also time the run of an earlier commit's tree, in this run (default: "
                         f"{ISSUE_15_BEFORE}, main when issue 15 was filed)")
    ap.add_argument("--one", nargs="+", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.one:
        kind, *nums = a.one
        fn = {"ours": measure_ours, "epstein": measure_epstein, "history": measure_history}[kind]
        print(json.dumps(fn(*map(int, nums))))
        return
    try:
        r = run(quick=a.quick, factors=tuple(a.factors) if a.factors else None, out=a.json, since=a.since)
    except ValueError as e:  # --since: a commit git does not know, or whose tree cannot run (before any other run)
        print(f"error: {e}", file=sys.stderr)
        raise SystemExit(2) from None
    print(f"machine: {r['machine']}")
    print(f"load (/proc/loadavg) before: {r['uptime_before']}; after: {r['uptime_after']}")
    print(f"agent-update: {r['agent_update']}")
    one = r["scales"][next(iter(r["scales"]))]
    print(f"default run ({r['months']} months, build included, no daily DataCollector): {r['default_run_s']:.3f} s"
          f" (CPU {one['init_cpu_s'] + one['run_cpu_s']:.3f} s), {r['ours_updates_per_s']:,.0f} updates/s"
          f" ({one['updates_per_cpu_s']:,.0f} per CPU s); with daily collection: {r['interactive_run_s']:.3f} s")
    print(f"Epstein ({r['epstein']['agents']:.0f} agents): {r['epstein_updates_per_s']:,.0f} updates/s;"
          f" ratio {r['ratio']:.1f}x")
    w = r["warm"]
    print(f"warm (after a first 3-month run in the process, scenario parsed, as a batch worker's runs): default run"
          f" {w['default_run_s']:.3f} s (CPU {w['init_cpu_s'] + w['run_cpu_s']:.3f} s), build {w['init_s']:.3f} s,"
          f" {w['updates_per_s']:,.0f} updates/s, ratio {w['ratio']:.1f}x")
    if "since" in r:
        b = r["since"]
        print(f"commit {b['commit']}'s tree, in this run (its own benchmark, a new process a run): default run"
              f" {b['default_run_s']:.3f} s; the warm run is {b['speedup_warm']:.1f}x faster")
    for f, s in r["scales"].items():
        # memory per 1,000 agents beyond the first map's (the smallest by default; mostly the interpreter):
        # issue 15 asks that it does not grow with the map
        marginal = (f"{(s['maxrss_mib'] - one['maxrss_mib']) / (s['agents_start'] - one['agents_start']) * 1000:.1f}"
                    f" MiB per 1,000 agents beyond the first map's" if s["agents_start"] > one["agents_start"]
                    else "the reference for memory per agent")
        print(f"x{f}: {s['agents_start']:.0f} agents, {s['months']:.0f} months, init {s['init_s']:.2f} s"
              f" (CPU {s['init_cpu_s']:.2f} s), run {s['run_s']:.2f} s, {s['updates_per_s']:,.0f} updates/s,"
              f" peak memory (maxrss) {s['maxrss_mib']:.0f} MiB, {marginal}")
    if "cost_split" in r:
        c = r["cost_split"]
        maps = " and ".join(f"x{name}" for name in c["fitted_on"])
        print(f"a day's cost, fitted on the maps {maps}: {c['fixed_ms_per_day']:.3f} ms fixed +"
              f" {c['us_per_update']:.3f} us per agent-update; on the first map the fixed part is"
              f" {c['fixed_share']:.0%} of a day; with it shared out to nothing (many replicates as one"
              f" array program, at best) a run would take {c['replicate_floor_s']:.3f} s"
              f" ({c['replicate_floor_ratio']:.1f}x faster)")
    h = r["history"]
    print(f"history to December 2021 ({h['months']:.0f} months, model built from the parsed scenario):"
          f" {h['run_s']:.3f} CPU s a run (wall {h['wall_s']:.3f} s),"
          f" {h['runs_per_core_hour']:,.0f} runs per core-hour")
    default = f"default calibration (calib/default/config.toml, acceptance {ABC_ACCEPTANCE:g})"
    for label, key in ((default, "default_calibration"), ("issue 15's example calibration", "calibration")):
        print(f"{label}, {h[f'{key}_runs']:,.0f} runs: {h[f'{key}_hours_2_cores']:.2f} h on 2 cores, "
              + ", ".join(f"{h[f'{key}_hours_{n}_workers'] * 60:.1f} min on {n} workers" for n in CLUSTER_WORKERS)
              + " (model time only, no batch overhead)")


if __name__ == "__main__":
    main()
