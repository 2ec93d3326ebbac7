"""Batch overhead (issue 15): time inside the model against wall time per run, and calibration wall-clock.

Run ``python benchmarks/batch_overhead.py [--runs 1000] [--months 12] [--workers 1 2] [--json FILE]``.

* **inside the model**: building the model from its parsed scenario and running it, in CPU
  seconds (a sample timed alone runs with the garbage collector set as a worker's), measured during
  the batch itself: each run's ``model_cpu_s`` in the batch's
  ``timings.csv``; for code that does not record it, the batch's own ``build_model`` and
  ``run`` timed in this process with ``--workers 1``, else the median of ``--sample`` runs
  timed in this process before the batch (a different moment: noisier on a shared machine).
* **per run in a batch**: a batch of N runs of ``baseline`` for ``--months`` months through
  :func:`sim.batch.run_batch` (plan, workers started, runs, every output written and hashed,
  tables merged): the CPU seconds of this process and its worker processes (``getrusage``) / N,
  and the wall time x workers / N.
* **overhead** = CPU per run in the batch / CPU inside the model - 1. CPU time is the figure that
  holds on a shared machine (other jobs' processes take turns with ours, which wall time counts);
  the wall-clock overhead is printed beside it and is an upper bound there.
* **history**: runs per core-hour of ``history`` to December 2021 (build included, median of
  ``--history-sample`` seeds), with the batch overhead measured on the most workers, and the
  expected wall-clock of the default calibration (``calib/default/config.toml``: history-matching
  runs + population x generations / acceptance + posterior-predictive runs; the acceptance rate
  is an assumption, ``--acceptance``, 0.2 by default as in issue 15) on 2 cores and on N one-core
  Dask workers, assuming the runs spread evenly.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import tempfile
import time
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CALIBRATION_CONFIG = ROOT / "calib" / "default" / "config.toml"
HISTORY_END = "2021-12"
CLUSTER_WORKERS = (8, 32, 128)


def model_seconds(scenario: str, months: int | None, seeds: list[int]) -> tuple[float, float]:
    """Median (CPU, wall) seconds inside the model (build from a parsed scenario + run) over ``seeds``."""
    from sim.batch.executors import preload_and_freeze
    from sim.model import InsurgencyModel
    from sim.scenario import load_scenario

    parsed = load_scenario(scenario) if months is None else load_scenario(scenario, months=months)
    InsurgencyModel(parsed, rng=seeds[0], collect_daily=False)  # warm: maps and tables parsed once per process
    preload_and_freeze(())  # the garbage collector set as a batch worker's
    cpu, wall = [], []
    for seed in seeds:
        c0, t0 = time.process_time(), time.perf_counter()
        InsurgencyModel(parsed, rng=seed, collect_daily=False).run()
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - t0)
    return statistics.median(cpu), statistics.median(wall)


def _cpu_with_children() -> float:
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def batch_seconds(n_runs: int, months: int, workers: int) -> tuple[float, float, float | None]:
    """(CPU, wall, CPU inside the model or None) seconds of a batch of ``n_runs`` runs of baseline.

    CPU counts this process and its ended worker processes (a batch joins its workers before it returns).
    """
    import pandas as pd

    from sim.batch import engine, plan, run_batch

    inside = [0.0]
    build = engine.build_model

    def timed_build(spec: Any, *args: Any) -> Any:  # used only when the runs are made in this process
        c0 = time.process_time()
        model = build(spec, *args)
        run = model.run

        def timed_run() -> Any:
            c1 = time.process_time()
            try:
                return run()
            finally:
                inside[0] += time.process_time() - c1

        model.run = timed_run
        inside[0] += time.process_time() - c0
        return model

    engine.build_model = timed_build
    try:
        with tempfile.TemporaryDirectory(prefix="insim-overhead-") as folder:
            c0, t0 = _cpu_with_children(), time.perf_counter()
            specs = plan(["baseline"], reps=n_runs, seed=1, sets={"months": months})
            summary = run_batch(specs, Path(folder) / "out", workers=workers, progress=False)
            wall, cpu = time.perf_counter() - t0, _cpu_with_children() - c0
            timings = pd.read_csv(Path(folder) / "out" / "timings.csv")
    finally:
        engine.build_model = build
    if not summary.ok:
        raise SystemExit(f"the benchmark batch failed: {summary}")
    if "model_cpu_s" in timings and timings["model_cpu_s"].notna().all():
        return cpu, wall, float(timings["model_cpu_s"].sum())
    return cpu, wall, inside[0] if workers == 1 else None


def history_months() -> int:
    """Months of ``history`` from its start to December 2021."""
    from sim.fitting.simulate import months_until
    from sim.scenario import load_scenario

    return months_until(load_scenario("history").start, HISTORY_END)


def calibration_runs(acceptance: float, config: Path = CALIBRATION_CONFIG) -> dict[str, float]:
    """The default calibration's expected number of runs, by stage."""
    settings = tomllib.loads(config.read_text())["calibration"]
    abc = settings["population"] * settings["generations"] / acceptance
    return {"history_matching": float(settings.get("history_matching_runs", 0)), "abc": abc,
            "posterior_predictive": float(settings.get("posterior_predictive_runs", 0)),
            "population": float(settings["population"]), "generations": float(settings["generations"]),
            "acceptance": acceptance}


def load() -> list[str] | None:
    """The machine's load average (1, 5, 15 minutes), or None where /proc is missing."""
    path = Path("/proc/loadavg")
    return path.read_text().split()[:3] if path.exists() else None


def run(n_runs: int = 1000, months: int = 12, workers: tuple[int, ...] = (1, 2), sample: int = 10,
        history_sample: int = 5, acceptance: float = 0.2) -> dict[str, Any]:
    """Every figure, as a dict (also printed)."""
    from bench import machine  # this folder's benchmark: the same machine facts in both results files

    import sim

    out: dict[str, Any] = {"runs": n_runs, "months": months, "cpus": os.cpu_count(), "machine": machine(),
                           "load": load(), "code": str(Path(sim.__file__).parent), "batches": {}}
    inside_cpu, inside_wall = model_seconds("baseline", months, list(range(100, 100 + sample)))
    out.update(inside_model_cpu_s=inside_cpu, inside_model_wall_s=inside_wall)
    print(f"{n_runs} runs of baseline, {months} months; inside the model {inside_cpu * 1e3:.1f} ms CPU "
          f"({inside_wall * 1e3:.1f} ms wall) a run, median of {sample}; load {out['load']}; code {out['code']}")
    for w in workers:
        load_before = load()
        cpu, wall, model_cpu = batch_seconds(n_runs, months, w)
        measured = model_cpu is not None
        model_per_run = model_cpu / n_runs if measured else inside_cpu
        row = {"cpu_s": cpu, "wall_s": wall, "cpu_per_run_s": cpu / n_runs, "wall_per_run_s": wall * w / n_runs,
               "model_cpu_per_run_s": model_per_run, "model_time_from": "the batch" if measured else "the sample",
               "overhead": cpu / n_runs / model_per_run - 1, "wall_overhead": wall * w / n_runs / inside_wall - 1,
               "overhead_cpu_per_run_s": cpu / n_runs - model_per_run, "load_before": load_before, "load_after": load()}
        out["batches"][str(w)] = row
        print(f"  {w} worker(s): batch {wall:.1f} s wall; a run: {row['cpu_per_run_s'] * 1e3:.1f} ms CPU, "
              f"{model_per_run * 1e3:.1f} ms of it inside the model (from {row['model_time_from']}): "
              f"overhead {row['overhead']:+.1%} (wall x workers {row['wall_per_run_s'] * 1e3:.1f} ms a run, "
              f"{row['wall_overhead']:+.1%} against the sample's wall time); load {load_before} -> {row['load_after']}")
    overhead = max(0.0, out["batches"][str(max(workers))]["overhead"]) if workers else 0.0
    months_h = history_months()
    history_s, _ = model_seconds("history", months_h, list(range(200, 200 + history_sample)))
    effective = history_s * (1 + overhead)
    stages = calibration_runs(acceptance)
    total = stages["history_matching"] + stages["abc"] + stages["posterior_predictive"]
    hours = {"2_cores": total * effective / 2 / 3600, **{f"{n}_workers": total * effective / n / 3600
                                                           for n in CLUSTER_WORKERS}}
    out["history"] = {"months": months_h, "run_s": history_s, "run_s_in_batch": effective,
                      "runs_per_core_hour": 3600 / effective, "calibration_runs": total, "stages": stages,
                      "calibration_hours": hours}
    print(f"history to {HISTORY_END} ({months_h} months): {history_s:.3f} CPU s a run inside the model, "
          f"{effective:.3f} s with the batch overhead: {3600 / effective:,.0f} runs per core-hour")
    print(f"default calibration ({CALIBRATION_CONFIG.relative_to(ROOT)}): {stages['history_matching']:.0f} "
          f"history-matching + {stages['population']:.0f} x {stages['generations']:.0f} / {acceptance:g} ABC + "
          f"{stages['posterior_predictive']:.0f} predictive = {total:,.0f} runs: "
          + ", ".join(f"{v:.2f} h on {k.replace('_', ' ')}" for k, v in hours.items()))
    return out


def main(argv: list[str] | None = None) -> None:
    """Command line: see the module docstring."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=1000, help="runs in each batch (default 1000)")
    ap.add_argument("--months", type=int, default=12, help="months a run (default 12)")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="worker counts (default 1 2)")
    ap.add_argument("--sample", type=int, default=10, help="runs timed inside the model (default 10)")
    ap.add_argument("--history-sample", type=int, default=5, help="history runs timed (default 5)")
    ap.add_argument("--acceptance", type=float, default=0.2, help="assumed ABC acceptance rate (default 0.2)")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args(argv)
    figures = run(args.runs, args.months, tuple(args.workers), args.sample, args.history_sample, args.acceptance)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    sys.exit(main())
