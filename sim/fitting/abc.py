"""ABC-SMC with pyabc (Toni et al. 2009): the fit proper, resumable, with progress.

``pyabc.ABCSMC`` samples particles from the priors (narrowed by the history-matching wave) on the
fit scale (each prior's normal score, :mod:`sim.fitting.priors`), proposes later generations
from :class:`sim.fitting.proposal.DiagonalGaussianProposal`, runs the model on each through
:class:`ScoredSimulator` and :class:`sim.fitting.simulate.Simulator`, and keeps those whose
:func:`sim.fitting.summaries.distance` is below a shrinking epsilon (the median of the previous
generation's distances). The sampler is pyabc's ``MulticoreEvalParallelSampler`` on one machine
and its ``DaskDistributedSampler`` on a Dask cluster; with one worker, its ``SingleCoreSampler``
(in-process, so a calibration repeats exactly given its root seed).

Everything lives in the output folder: ``abc.db`` is pyabc's SQLite database, written after each
generation, so an interrupted calibration (Ctrl-C, a lost worker) loses at most the generation in
progress: run the same command again and it continues from the last stored generation
(``ABCSMC.load``) with the same priors (the wave's bounds are read back from
``history_matching.json``).
"""

from __future__ import annotations

import json
import logging
import math
import re
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.batch.executors import frozen_garbage
from sim.errors import InputError
from sim.fitting.config import FitConfig
from sim.fitting.history_matching import load_bounds, run_wave, save_wave
from sim.fitting.priors import Prior, build_priors, from_scores, pyabc_prior
from sim.fitting.runner import check_dask, dask_client, default_workers, quiet_forked_workers
from sim.fitting.simulate import Simulator, months_until
from sim.fitting.summaries import ObservedRecord, distance, observed_record, usable_summaries
from sim.folders import check_writable
from sim.interrupt import interrupts_noted, raise_interrupt_behind

DB_NAME = "abc.db"


class WeightedDistance:
    """pyabc distance: the weighted mean of the summaries' log-scale distances (picklable)."""

    def __init__(self, weights: dict[str, float]) -> None:
        self.weights = dict(weights)

    def __call__(self, x: dict[str, Any], x0: dict[str, Any]) -> float:
        return distance(x, x0, self.weights)


class ScoredSimulator:
    """pyabc's model: a particle on the fit scale (normal scores ``z_NAME``) run by a :class:`Simulator`."""

    def __init__(self, simulator: Simulator) -> None:
        self.simulator = simulator

    def __call__(self, scores: dict[str, float]) -> dict[str, float]:
        return self.simulator(from_scores(self.simulator.priors, scores))


FIT_SPACE = "normal scores of the priors (z_NAME); proposal: one Gaussian, weighted mean and variances"
"""Recorded in ``fingerprint.json``: a database made on another fit scale or proposal cannot be continued."""


class GenerationProgress(logging.Handler):
    """Reads pyabc's log records and says, per generation: epsilon, acceptance, time, time left."""

    EPS = re.compile(r"^t: (\d+), eps: ([-+]?(?:inf|\d+(?:\.\d+)?(?:[eE][-+]?\d+)?))")
    ACCEPTED = re.compile(r"^Accepted: (\d+) / (\d+)")

    def __init__(self, done: int, target: int, say: Callable[[str], None]) -> None:
        super().__init__(logging.INFO)
        self.done, self.target, self.say = done, target, say
        self.epsilon = math.nan
        self.began = time.perf_counter()
        self.times: list[float] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.read(record.getMessage())
        except Exception:  # progress must never stop a calibration
            self.handleError(record)

    def read(self, text: str) -> None:
        """Take one pyabc log message into account."""
        if match := self.EPS.match(text):
            self.epsilon = float(match.group(2))
        elif match := self.ACCEPTED.match(text):
            accepted, runs = int(match.group(1)), int(match.group(2))
            now = time.perf_counter()
            self.times.append(now - self.began)
            self.began = now
            self.done += 1
            left = (self.target - self.done) * float(np.mean(self.times))
            self.say(f"generation {self.done}/{self.target}: epsilon {self.epsilon:.3g}, acceptance "
                     f"{accepted / max(runs, 1):.1%} ({runs} runs), {self.times[-1]:.0f} s, "
                     f"~{left / 60:.1f} min left at most")


@dataclass
class Calibration:
    """What a calibration ran and produced (the report and the manifest read it)."""

    config: FitConfig
    out: Path
    priors: list[Prior]  # the ABC priors (after history matching)
    declared: list[Prior]  # the config's priors (before history matching)
    record: ObservedRecord
    weights: dict[str, float]
    dropped: dict[str, str]
    simulator: Simulator
    workers: int
    dask: str | None
    seconds_per_simulation: float
    wave_stats: dict[str, Any] = field(default_factory=dict)
    generations: list[dict[str, Any]] = field(default_factory=list)
    run_id: int = 1


def check_same_calibration(out: Path, config: FitConfig, priors: list[Prior]) -> None:
    """Refuse to continue, in ``out``, a calibration made with other priors, summaries or seed.

    The first call writes ``fingerprint.json``; sizes (population, generations, epsilon) may change
    between calls, so a finished calibration can be extended.
    """
    keys = ("scenario", "root_seed", "fit_end", "tolerance", "history_matching_runs")
    fingerprint = {"settings": {k: config.settings[k] for k in keys}, "weights": config.weights, "fit_space": FIT_SPACE,
                   "fixed": {k: str(v) for k, v in config.fixed.items()},
                   "priors": [[p.name, p.kind, p.low, p.high] for p in priors]}
    path = out / "fingerprint.json"
    if path.exists():
        before = json.loads(path.read_text(encoding="utf-8"))
        changed = [k for k in fingerprint if json.loads(json.dumps(fingerprint[k])) != before.get(k)]
        if changed:
            raise InputError(out, "--out", f"holds a calibration made with other {', '.join(changed)} "
                             f"(see {path.name})", allowed="the same config to continue it, or a new folder")
    else:
        path.write_text(json.dumps(fingerprint, indent=2), encoding="utf-8")


def check_projection(config: FitConfig) -> None:
    """InputError naming ``calibration.projection_end`` if the scenario cannot run that long (the projection
    is run with the report, after the fit: found then, hours of work would end in an error)."""
    import sim

    scenario, end = config.settings["scenario"], config.settings["projection_end"]
    try:
        sim.load_scenario(scenario, months=months_until(sim.load_scenario(scenario).start, end))
    except InputError as exc:
        raise InputError(config.path, "calibration.projection_end", f"{end!r}: {exc.problem}",
                         allowed=exc.allowed) from None


def check_fixed(config: FitConfig) -> None:
    """InputError naming the config and ``fixed.NAME`` for a value of ``[fixed]`` the scenario refuses.

    The scenario's loader checks the values; its error would name the scenario file, which is not
    where the value was written.
    """
    import sim

    scenario = config.settings["scenario"]
    sim.load_scenario(scenario)  # errors of the scenario itself name its own file
    names = set(sim.parameter_table()["parameter"])
    for name in config.fixed:
        if name not in names:  # a scenario key (months, start) would clash with the fit's own
            raise InputError(config.path, f"fixed.{name}", "unknown parameter",
                             allowed="names from seeds/parameters.toml")
    try:
        sim.load_scenario(scenario, **config.fixed)
    except InputError as exc:
        name = (exc.key or "").removeprefix("parameters.")
        raise InputError(config.path, f"fixed.{name}" if name else "fixed", exc.problem,
                         allowed=exc.allowed) from None


def prepare(config: FitConfig, out: Path, workers: int | None = None, dask: str | None = None,
            say: Callable[[str], None] = print, record: ObservedRecord | None = None) -> Calibration:
    """Check everything, probe the model once at its defaults, and run (or reload) the history-matching wave.

    ``record`` replaces RIC's record (the synthetic-recovery study fits data made by the model).
    """
    # every input is checked before --out is made or written to
    check_projection(config)
    check_fixed(config)
    check_dask(dask)
    declared = build_priors(config)
    settings = config.settings
    # a fit that ends before FIT_END sees nothing after its end (the months held out test it)
    record = observed_record(until=settings["fit_end"]) if record is None else record
    probe = Simulator(settings["scenario"], declared, record, (), settings["root_seed"], settings["fit_end"],
                      dict(config.fixed))
    began = time.perf_counter()
    try:
        frame = probe.model_frame({p.key: p.to_sample(min(max(p.default, p.low), p.high)) for p in declared}, seed=0)
    except InputError:
        raise
    except Exception as exc:
        raise_interrupt_behind(exc)  # Ctrl-C in a kernel is Ctrl-C, not a failing model
        raise InputError(config.path, "calibration.scenario", f"the model fails at the defaults ({exc})") from exc
    seconds = time.perf_counter() - began
    weights, dropped = usable_summaries(config.weights, set(frame.columns), record)
    if not weights:
        raise InputError(config.path, "summaries", "none of the weighted summaries can be computed: "
                         + "; ".join(f"{k}: {v}" for k, v in dropped.items()))
    check_writable(out, "--out")
    check_same_calibration(out, config, declared)
    for name, why in dropped.items():
        say(f"summary {name} left out: {why}")
    simulator = Simulator(settings["scenario"], declared, record, tuple(weights), settings["root_seed"],
                          settings["fit_end"], dict(config.fixed), crash_log=str(out / "crashes.jsonl"))
    calib = Calibration(config, out, declared, declared, record, weights, dropped, simulator,
                        workers or default_workers(), dask, seconds)
    narrowed = load_bounds(out, declared)
    if narrowed is None and settings["history_matching_runs"] > 0:
        n = settings["history_matching_runs"]
        say(f"history matching: {n} Latin-hypercube runs over {len(declared)} parameters "
            f"(~{n * seconds / calib.workers / 60:.1f} min at {seconds:.1f} s a run on {calib.workers} workers)")
        wave = run_wave(simulator, record.values, n, settings["tolerance"], settings["root_seed"],
                        workers=calib.workers, dask=dask,
                        progress=lambda k, total: say(f"  wave {k}/{total}") if k % max(1, total // 10) == 0 else None)
        save_wave(wave, out)
        narrowed = wave.priors
        say("history matching: " + ", ".join(f"{k}={v}" for k, v in wave.stats.items()))
    if narrowed is not None:
        calib.priors = narrowed
        path = out / "history_matching.json"
        calib.wave_stats = json.loads(path.read_text(encoding="utf-8"))["stats"] if path.exists() else {}
    calib.simulator.priors = calib.priors
    return calib


def _sampler(calib: Calibration, stack: ExitStack) -> Any:
    import pyabc

    if calib.dask:
        client = stack.enter_context(dask_client(calib.dask, calib.workers))
        return pyabc.sampler.DaskDistributedSampler(dask_client=client)
    if calib.workers == 1:  # in-process: with one worker the whole calibration repeats exactly
        return pyabc.sampler.SingleCoreSampler()
    return pyabc.sampler.MulticoreEvalParallelSampler(n_procs=calib.workers)


def run_abc(calib: Calibration, say: Callable[[str], None] = print) -> Calibration:
    """Run (or continue) ABC-SMC until the config's generations or its minimum epsilon."""
    import pyabc

    from sim.fitting.proposal import DiagonalGaussianProposal

    logging.getLogger("ABC").setLevel(logging.INFO)
    settings = calib.config.settings
    np.random.seed(settings["root_seed"] % 2**32)  # pyabc draws proposals from numpy's global generator
    db = calib.out / DB_NAME
    db_url = f"sqlite:///{db.resolve()}"
    with ExitStack() as stack:
        abc = pyabc.ABCSMC(ScoredSimulator(calib.simulator), pyabc_prior(calib.priors),
                           WeightedDistance(calib.weights), population_size=settings["population"],
                           transitions=DiagonalGaussianProposal(), sampler=_sampler(calib, stack))
        history = None
        if db.exists():
            history = pyabc.History(db_url)
            if history.max_t < 0:  # created, but not one generation stored: start afresh
                history = None
                db.unlink()
        if history is not None:
            abc.load(db_url, calib.run_id)
            done = abc.history.max_t + 1
            say(f"continuing the calibration in {db}: {done} generation(s) already stored")
        else:
            observed = {k: calib.record.values[k] for k in calib.weights}
            abc.new(db_url, observed, meta_info={"scenario": settings["scenario"]})
            calib.run_id = abc.history.id
        target = settings["generations"]
        left = target - (abc.history.max_t + 1)
        if left > 0:
            progress = GenerationProgress(abc.history.max_t + 1, target, say)
            logger = logging.getLogger("ABC")
            logger.addHandler(progress)
            try:
                # pyabc forks its workers from this process: with what lives here frozen out of the
                # garbage collector, their collections skip it (~295,000 objects; 56 -> 17 ms a run
                # of history to December 2021, benchmarks/README.md)
                # noted first: quiet_forked_workers' handler runs before it, so a worker ignores Ctrl-C unnoted
                with interrupts_noted(), quiet_forked_workers(), frozen_garbage():
                    abc.run(max_nr_populations=left, minimum_epsilon=settings["min_epsilon"])
            finally:
                logger.removeHandler(progress)
    calib.generations = generation_table(db_url, calib.run_id, settings["population"])
    return calib


def generation_table(db_url: str, run_id: int, population: int) -> list[dict[str, Any]]:
    """Per generation: epsilon, runs, acceptance rate, effective sample size, seconds, end time (pyabc's history).

    ``seconds`` is pyabc's own wall time of the generation, whichever call of the command ran it.
    """
    import pyabc

    from sim.fitting.report_text import effective_sample_size

    history = pyabc.History(db_url, _id=run_id)
    pops = history.get_all_populations()
    pops = pops[pops["t"] >= 0]
    rows = []
    for r in pops.itertuples():
        _, weights = history.get_distribution(t=int(r.t))
        rows.append({"generation": int(r.t) + 1, "epsilon": float(r.epsilon), "runs": int(r.samples),
                     "acceptance": int(r.particles) / max(int(r.samples), 1),
                     "ess": effective_sample_size(weights), "particles": int(r.particles),
                     "seconds": float(r.wall_time), "end": str(r.population_end_time)})
    return rows

