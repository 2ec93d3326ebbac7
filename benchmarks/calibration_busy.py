"""How a real calibration spends its cores: runs against pyabc's own work, at the particles' cost.

Run ``python benchmarks/calibration_busy.py [--population 60] [--generations 3] [--workers 2] [--json FILE]``.

A small calibration with the default config (``calib/default/config.toml``, history matching
skipped, no posterior-predictive runs) goes through :func:`sim.fitting.abc.run_abc` on pyabc's
multicore sampler, exactly as ``insim calibrate`` runs it, in a temporary folder. Every model run
(the calibration's :class:`sim.fitting.simulate.Simulator` call) is timed where it runs (wall and
CPU seconds, appended to a log by each worker), so the script prints:

* **busy share**: the runs' wall seconds / (the ABC's wall seconds x workers): the rest is pyabc
  between and around generations (weights, the proposal, the database) and idle workers at a
  generation's end;
* **CPU a run at the particles**: what a run costs at the parameter vectors a calibration really
  proposes, which differ from the defaults (``bench.py`` times ``history`` at the defaults);
* **CPU a run at the shipped posterior**: ``--draws`` weighted draws of ``calib/default`` run in this
  process to the fit's end (what the late generations of a calibration propose, and what
  ``insim batch --posterior`` runs);
* **runs per core-hour in a calibration**, and the default calibration's expected wall-clock on 2
  cores: the runs it recorded (``calib/default/manifest.json``: the history-matching wave, each
  generation's runs, the posterior-predictive runs) x the CPU a run at the posterior / (2 x the
  busy share).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def measure(population: int, generations: int, workers: int, root_seed: int | None = None) -> dict[str, Any]:
    """Run the small calibration and return the figures (see the module's docstring)."""
    sys.path.insert(0, str(ROOT))
    from sim.fitting import simulate

    folder = Path(tempfile.mkdtemp(prefix="insim-calib-busy-"))
    log = folder / "runs.jsonl"
    plain_call = simulate.Simulator.__call__

    def timed_call(self: Any, sampled: dict[str, float]) -> dict[str, float]:
        wall, cpu = time.perf_counter(), time.process_time()
        out = plain_call(self, sampled)
        with log.open("a") as f:  # each worker appends its own lines (short writes: whole lines)
            f.write(json.dumps([os.getpid(), time.perf_counter() - wall, time.process_time() - cpu]) + "\n")
        return out

    simulate.Simulator.__call__ = timed_call  # the sampler's forked workers inherit it
    try:
        return _measured(population, generations, workers, root_seed, folder, log)
    finally:
        simulate.Simulator.__call__ = plain_call
        shutil.rmtree(folder, ignore_errors=True)  # the throwaway calibration (its abc.db is megabytes)


def _measured(population: int, generations: int, workers: int, root_seed: int | None, folder: Path,
              log: Path) -> dict[str, Any]:
    from sim.fitting.abc import prepare, run_abc
    from sim.fitting.config import load_config

    settings: dict[str, Any] = {"history_matching_runs": 0, "population": population, "generations": generations,
                                "posterior_predictive_runs": 0}
    if root_seed is not None:
        settings["root_seed"] = root_seed
    config = load_config(ROOT / "calib" / "default" / "config.toml").with_settings(**settings)
    calib = prepare(config, folder / "calib", workers=workers, say=lambda s: None)
    log.unlink(missing_ok=True)  # the probe run at the defaults is not part of the ABC
    began = time.perf_counter()
    calib = run_abc(calib, say=lambda s: None)
    abc_wall = time.perf_counter() - began
    rows = [json.loads(line) for line in log.read_text().splitlines()]
    runs = len(rows)
    busy, cpu = sum(r[1] for r in rows), sum(r[2] for r in rows)
    samples = sum(g["runs"] for g in calib.generations)
    acceptance = sum(g["particles"] for g in calib.generations) / samples if samples else None
    cpu_per_run = cpu / runs
    return {"population": population, "generations": generations, "workers": workers, "abc_wall_s": abc_wall,
            "runs": runs, "runs_wall_s": busy, "runs_cpu_s": cpu, "busy_share": busy / (abc_wall * workers),
            "wall_per_run_s": busy / runs, "cpu_per_run_s": cpu_per_run, "acceptance": acceptance,
            "runs_per_core_hour": 3600.0 / cpu_per_run,
            "runs_per_core_hour_with_pyabc": runs / (abc_wall * workers / 3600.0)}


def posterior_cost(draws: int, root_seed: int = 1) -> dict[str, Any]:
    """CPU seconds a run of ``draws`` weighted draws of the shipped default posterior, and its recorded run count."""
    sys.path.insert(0, str(ROOT))
    from sim.batch.posterior import draw_for_batch
    from sim.fitting.posterior import fixed_settings
    from sim.fitting.simulate import fit_frame

    folder = ROOT / "calib" / "default"
    manifest = json.loads((folder / "manifest.json").read_text())
    settings = manifest["settings"]
    drawn = draw_for_batch(folder, draws, root_seed)
    fixed = fixed_settings(folder)
    fit_frame(settings["scenario"], settings["fit_end"], 0, **fixed, **drawn.values[0])  # warm: parsed files
    cpu = []
    for k, values in enumerate(drawn.values):
        began = time.process_time()
        fit_frame(settings["scenario"], settings["fit_end"], 1000 + k, **fixed, **values)
        cpu.append(time.process_time() - began)
    recorded = (int(manifest.get("history_matching", {}).get("runs", 0) or 0)
                + sum(int(g["runs"]) for g in manifest["generations"])
                + int(settings.get("posterior_predictive_runs", 0)))
    return {"draws": draws, "cpu_per_run_s": sum(cpu) / len(cpu), "cpu_s": cpu, "recorded_runs": recorded,
            "recorded_wall_s": manifest.get("abc_seconds"), "recorded_workers": manifest.get("workers")}


def main(argv: list[str] | None = None) -> None:
    """Command line."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--population", type=int, default=60)
    ap.add_argument("--generations", type=int, default=3)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--root-seed", type=int)
    ap.add_argument("--draws", type=int, default=12, help="posterior draws timed in this process (default 12)")
    ap.add_argument("--json", type=Path, help="also write the figures to this file")
    a = ap.parse_args(argv)
    r = measure(a.population, a.generations, a.workers, a.root_seed)
    r["posterior"] = post = posterior_cost(a.draws)
    hours = post["recorded_runs"] * post["cpu_per_run_s"] / (2 * r["busy_share"]) / 3600
    load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else []
    print(f"calibration of history, population {a.population}, {a.generations} generations, "
          f"{a.workers} workers (load {' '.join(load)}):")
    print(f"  ABC wall {r['abc_wall_s']:.1f} s, {r['runs']} runs, acceptance "
          f"{'-' if r['acceptance'] is None else format(r['acceptance'], '.2f')}")
    print(f"  busy share of the workers {r['busy_share']:.2f} (the rest: pyabc and idle workers)")
    print(f"  a run at the particles: {r['cpu_per_run_s']:.3f} CPU s ({r['wall_per_run_s']:.3f} s wall)")
    print(f"  runs per core-hour: {r['runs_per_core_hour']:,.0f} inside the runs, "
          f"{r['runs_per_core_hour_with_pyabc']:,.0f} counting pyabc")
    print(f"a run at {a.draws} draws of calib/default's posterior: {post['cpu_per_run_s']:.3f} CPU s "
          f"({3600 / post['cpu_per_run_s']:,.0f} runs per core-hour)")
    print(f"the default calibration as recorded ({post['recorded_runs']:,} runs): expected {hours:.2f} h on 2 cores "
          f"here at that cost and busy share")
    r["default_calibration_hours_2_cores_at_posterior"] = hours
    if a.json:
        a.json.write_text(json.dumps(r, indent=2) + "\n")


if __name__ == "__main__":
    main()
