"""Running a batch: one run, a pool of local processes or Dask, and the loop that stores results.

A run sends back its tables as plain columns (:mod:`sim.batch.columns`); finished runs are stored
in groups, one DataFrame and one file per table for the whole group (:mod:`sim.batch.parts`; five
seconds after they finish at first, later at most 5% of the batch's time so far, and at once on
Ctrl-C or SIGTERM), so an interrupted batch can be resumed; a failed run keeps its traceback
(``runs/<id>/error.txt``) and is run again on resume; a run whose worker process died (killed by
the system, out of memory) is reported as lost, not stored, and run again on resume. Workers
import the model and freeze what they imported out of the garbage collector before their first
run, parse each scenario once (:func:`scenario_of`), and end when the batch's process dies or the
batch is interrupted.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Generator, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim import collector
from sim.batch import executors, parts, store
from sim.batch import manifest as mf
from sim.batch.columns import Piece, RunTable, group_frames, run_tables
from sim.batch.parts import next_group, read_index, write_parts
from sim.batch.plan import RunSpec, plan, whole_number
from sim.batch.probe import RunProbe
from sim.batch.records import RecordFiles, record_of, write_records
from sim.batch.runresult import LOST, RunResult, id_columns, plain, summary_ids
from sim.errors import BatchError, InputError
from sim.filecache import file_key
from sim.folders import check_batch_folder
from sim.interrupt import interrupt_behind, interrupt_noted, interrupts_noted, raise_interrupt_behind
from sim.outcomes import COUNTED_PER_MONTH, OUTCOMES
from sim.scenario import load_scenario

# outcomes counted per month: their run totals go into the summary as total_<name>
COUNTED = COUNTED_PER_MONTH
#: at most this many runs' tables are kept in memory to merge at the end (the rest are read back)
KEEP_IN_MEMORY = 5000


def build_model(spec: RunSpec, model_class: type | None = None) -> Any:
    """The model of one run, of ``model_class`` (default ``InsurgencyModel``); a seam the tests use."""
    if model_class is None:
        from sim.model import InsurgencyModel as model_class

    scenario = scenario_of(spec)
    return model_class(scenario, rng=spec.seed, collect_daily=False)  # a batch keeps monthly tables only


#: scenarios this process has loaded for its runs: (file versions read, scenario) by run settings
_SCENARIOS: dict[str, tuple[list[tuple[str, int, int]], Any]] = {}


def scenario_of(spec: RunSpec) -> Any:
    """The run's scenario, parsed once per process and settings (a worker runs many runs of few scenarios).

    Reused only while every file it was read from (scenario files it extends, the map) is unchanged.
    """
    key = json.dumps([spec.path, spec.sets, spec.sweep, spec.draw], sort_keys=True, default=str)
    cached = _SCENARIOS.get(key)
    if cached is not None:
        versions, scenario = cached
        with contextlib.suppress(OSError):
            if [file_key(f) for f, *_ in versions] == versions:
                return scenario
    scenario = load_scenario(spec.path, **spec.sets, **spec.sweep, **spec.draw)
    with contextlib.suppress(OSError):
        files = [*scenario.resolved.get("files", [spec.path]), scenario.map_path]
        if len(_SCENARIOS) >= 256:  # a sweep over many points: keep the memory bounded
            _SCENARIOS.clear()
        _SCENARIOS[key] = ([file_key(f) for f in files], scenario)
    return scenario


def run_one(spec: RunSpec, probe: RunProbe | None = None) -> RunResult:
    """Run ``spec`` in this process (built and read by ``probe`` if given). Never raises: a failure
    comes back with its traceback."""
    t0 = time.perf_counter()
    try:
        cpu0 = time.process_time()
        with collector.one_run():  # the finished model freed as the block ends, in one young collection
            model = build_model(spec) if probe is None else build_model(spec, probe.model_class)
            model.run()
            read_from = time.process_time()
            summary, tables, events, arrays = _read(spec, model, probe)
            reading = time.process_time() - read_from
            del model
        # inside the model (its build, run and freeing): what the batch's overhead is measured against
        model_cpu = time.process_time() - cpu0 - reading
        wall = time.perf_counter() - t0
        summary["n_events"] = len(events)
        summary["wall_time_s"] = wall
        summary["model_cpu_s"] = model_cpu
        return RunResult(spec, True, summary, tables, events, wall, arrays=arrays)
    except Exception as exc:  # a failed run is a result too: the batch goes on
        raise_interrupt_behind(exc)  # but Ctrl-C in a kernel is Ctrl-C
        wall = time.perf_counter() - t0
        summary = {**summary_ids(spec), "status": "failed", "error": f"{type(exc).__name__}: {exc}",
                   "wall_time_s": wall}
        return RunResult(spec, False, summary, {}, [], wall, error=traceback.format_exc())


def _read(spec: RunSpec, model: Any, probe: RunProbe | None) -> tuple[dict[str, Any], dict[str, RunTable],
                                                                     list[dict[str, Any]], dict[str, Any]]:
    """A finished run's summary, tables, events and probed arrays."""
    tables = run_tables(model)
    monthly = tables["monthly"]
    summary: dict[str, Any] = {**summary_ids(spec), "status": "ok", "n_months": monthly.n_rows}
    if monthly.frame is None:
        last = {name: values[-1] for name, values in monthly.columns.items()}
        totals = column_totals(monthly)
    else:
        last = monthly.frame.iloc[-1].to_dict()  # one row as a dict: a column at a time costs ~50 us each
        totals = {name: np.nansum(monthly.frame[name].to_numpy()) for name in COUNTED}
    for name in OUTCOMES:
        summary[name] = plain(last[name])
    for name in COUNTED:
        summary[f"total_{name}"] = plain(totals[name])
    events = [{k: plain(v) for k, v in e.items()} for e in model.event_log]
    arrays = {} if probe is None else {probe.name: probe.collect(model)}
    return summary, tables, events, arrays


def column_totals(monthly: RunTable) -> dict[str, Any]:
    """The NaN-skipping sum of each :data:`COUNTED` column of a plain monthly table, as pandas' Series.sum
    gives it (``np.nansum``): the float columns in one call, a row each (numpy sums each row of a 2-D array
    as it sums that row alone, in the same pairwise order), the others one at a time."""
    kinds = dict(zip(monthly.columns, monthly.kinds or (), strict=True))
    floats = [name for name in COUNTED if kinds.get(name) == "float64"]
    totals: dict[str, Any] = {}
    if floats:
        totals.update(zip(floats, np.nansum(np.array([monthly.columns[name] for name in floats], np.float64), axis=1),
                          strict=True))
    for name in COUNTED:
        if name not in totals:
            totals[name] = np.nansum(np.asarray(monthly.columns[name]))
    return totals


# ---------------------------------------------------------------------------------------- a batch
@dataclass
class BatchSummary:
    """What :func:`run_batch` did, and what the folder holds after it."""

    out: Path
    n_runs: int
    n_done: int
    n_failed: int
    n_skipped: int
    wall_time: float
    failed: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    workers_started: str = ""  # how local worker processes started ("fork" or "spawn"); "" when none did

    @property
    def ok(self) -> bool:
        """Every planned run finished without error."""
        return not self.failed and not self.lost

    def __str__(self) -> str:
        text = (f"{self.n_runs} runs in {self.out}: {self.n_done} done now, {self.n_skipped} already done, "
                f"{len(self.failed)} failed, {len(self.lost)} lost ({self.wall_time:.1f} s)")
        if self.failed:
            text += (f"\nfailed ({len(self.failed)}; tracebacks in {self.out / store.RUNS}/<run_id>/error.txt; "
                     "--resume runs them again): " + ", ".join(self.failed))
        if self.lost:
            text += (f"\nlost ({len(self.lost)}; their worker process died or could not start, so there is no "
                     "traceback; --resume runs them again): " + ", ".join(self.lost))
        return text


def max_workers() -> int:
    """The most local worker processes a batch may start: 4 per CPU (more only thrash)."""
    return 4 * (os.cpu_count() or 1)


class GroupStore:
    """Stores finished runs in groups: their tables in bulk as parts (:mod:`sim.batch.parts`), one
    DataFrame per table for the group (:mod:`sim.batch.columns`), then the successful runs' records in
    one file (:mod:`sim.batch.records`) and a folder for each other run; notes every file's hash in the
    manifest and keeps the group's tables to merge at the end."""

    def __init__(self, out: Path, writer: mf.ManifestWriter, records: RecordFiles | None = None) -> None:
        self.out, self.writer = out, writer
        self.records = records if records is not None else RecordFiles.of_manifest(out, writer.manifest)
        self.parts = self.records.parts
        self.group = next_group(out)
        self.pending: list[RunResult] = []
        self.began = time.monotonic()
        self.since = 0.0
        self.n_stored = 0
        self.fresh: dict[str, list[Piece]] = {stem: [] for stem in parts.RUN_TABLES}  # merged from memory at the end
        self.n_fresh = 0

    def add(self, result: RunResult) -> None:
        """Keep ``result``; store the group once it is large or old enough."""
        if not self.pending:
            self.since = time.monotonic()
        self.pending.append(result)
        now = time.monotonic()
        if len(self.pending) >= parts.FLUSH_RUNS or now - self.since >= parts.flush_after(self.since - self.began):
            self.flush()

    def flush(self) -> None:
        """Store every pending run: the parts first, so a run folder always has its tables."""
        if not self.pending:
            return
        ok = [r for r in self.pending if r.ok]
        pieces = {stem: group_frames([(r.run_id, id_columns(r.spec), r.columns[stem]) for r in ok if stem in r.columns])
                  for stem in parts.RUN_TABLES}
        index, hashes = write_parts(self.out, pieces, self.group) if ok else ({}, {})
        self.parts.recorded.update(hashes)
        bulk = {r.run_id: record_of(r.summary, r.events, index.get(r.run_id, {})) for r in ok if not r.arrays}
        if bulk:
            name, digest = write_records(self.out, self.group, bulk)
            self.parts.recorded[name] = digest
            self.records.named.update(dict.fromkeys(bulk, name))
            self.pending = [r for r in self.pending if r.run_id not in bulk]  # stored: not stored twice
            self.n_stored += len(bulk)
        self.group += 1
        while self.pending:  # failed runs and runs with a probe's arrays: a folder each
            r = self.pending[0]
            stored = store.store_run(r.run_id, {}, r.summary, r.events, r.error, self.out, r.arrays,
                                     parts=index.get(r.run_id))
            self.pending.pop(0)  # stored: an interruption now does not store it twice
            self.writer.record(r.run_id, stored, write=False)
            self.n_stored += 1
        self.writer.write_if_due()
        if ok and self.n_fresh + len(ok) <= KEEP_IN_MEMORY:
            for stem, group in pieces.items():
                self.fresh[stem] += group
            self.n_fresh += len(ok)


def _scan(specs: list[RunSpec], out: Path, writer: mf.ManifestWriter,
          records: RecordFiles) -> tuple[list[RunSpec], int]:
    """Runs still to do (missing or failed earlier), and how many are done; checks what is there."""
    todo, n_skipped = [], 0
    recorded = writer.manifest.setdefault("files", {})
    part_store = records.parts
    for spec in specs:
        folder = out / store.RUNS / spec.run_id
        if not folder.exists():
            if records.has(spec.run_id):
                records.record(spec.run_id, spec.seed)
                n_skipped += 1
            else:  # never stored, or its records file was deleted: run (again)
                records.forget(spec.run_id)
                todo.append(spec)
            continue
        summary = store.check_run(folder, recorded.get(spec.run_id), spec.seed, part_store)
        if spec.run_id not in recorded:  # stored just before a kill: checked by content, now recorded
            recorded[spec.run_id] = store.run_files(folder)
            part_store.record_checked(list((read_index(folder) or {}).values()))
        if summary["status"] == "ok":
            n_skipped += 1
        else:  # a failed run is tried again
            shutil.rmtree(folder)
            writer.forget(spec.run_id)
            todo.append(spec)
    records.adopt()  # records files checked by content (written just before a kill) are recorded now
    return todo, n_skipped


def run_batch(specs: list[RunSpec], out: str | Path, workers: int | None = None, dask: str | None = None,
              resume: bool = False, progress: bool = True, command: str | list[str] | None = None,
              dask_dashboard: str | None = None, probe: RunProbe | None = None) -> BatchSummary:
    """Run ``specs`` (from :func:`plan`) and store everything in the folder ``out``.

    Args:
        specs: the runs.
        out: the results folder (created; refused if it already holds a batch, unless ``resume``).
        workers: processes (default: all CPUs); ``1`` runs in this process, without a pool.
        dask: ``"local"`` for a Dask LocalCluster of ``workers`` processes on 127.0.0.1, or a
            scheduler address (the workers must have insim installed).
        resume: finish a batch in ``out``: the plan must be the same; finished runs are checked
            against their recorded hashes and skipped, failed and lost runs are run again.
        progress: show a progress bar (tqdm) on stderr when it is a terminal.
        command: the command line that started the batch, for the manifest.
        dask_dashboard: address of the Dask dashboard of a local cluster (none by default).
        probe: builds each run and keeps arrays of it beyond the tables (``runs/<id>/<name>.npz``,
            see :mod:`sim.batch.probe`); it must be picklable.
    """
    t0 = time.perf_counter()
    if not specs:
        raise InputError(None, "specs", "no runs planned")
    ids = [s.run_id for s in specs]
    if len(set(ids)) != len(ids):
        raise InputError(None, "specs", "run ids are not unique")
    workers = (os.cpu_count() or 1) if workers is None else whole_number(workers, "workers", 1)
    if dask in (None, "local") and workers > max_workers():
        raise InputError(None, "workers", f"{workers} processes on a machine with {os.cpu_count()} CPUs",
                         allowed=f"1 to {max_workers()} (4 per CPU)")
    if dask is None and workers > 1:
        executors.start_method()  # a bad $INSIM_WORKER_START is named before anything is written
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError(out, None, "is a file, not a folder")
    check_batch_folder(out, resume)  # another command's folder, or a batch without resume, is refused
    inputs = mf.inputs_of(specs)
    created = not out.exists()
    with store.writing(out):
        out.mkdir(parents=True, exist_ok=True)
        try:
            with mf.locked(out):
                new_batch = not (out / store.MANIFEST).exists()
                try:
                    with interrupts_noted():  # a Ctrl-C that a library disguises is still told from a failing run
                        return _run_locked(specs, out, workers, dask, resume, progress, command, dask_dashboard,
                                           inputs, t0, probe)
                except InputError:
                    if new_batch:  # bad input found once started (an unreachable Dask scheduler): no trace left
                        _forget_unstarted(out)
                    raise
        finally:
            if created and out.is_dir() and not any(out.iterdir()):
                out.rmdir()


def progress_bar(total: int, done: int, title: str, show: bool) -> Any:
    """A progress bar (tqdm) on stderr, shown when it is a terminal and ``show``; it starts no thread.

    tqdm's monitor thread (which only redraws bars that skip updates, ``miniters`` > 1: this one
    draws at every run) would stop the batch from forking its workers (:func:`executors.start_method`).
    """
    from tqdm.auto import tqdm

    class Progress(tqdm):
        monitor_interval = 0

    return Progress(total=total, initial=done, desc=title, unit="run", miniters=1, file=sys.stderr,
                    disable=None if show else True, dynamic_ncols=True)  # None: off unless a terminal


def _forget_unstarted(out: Path) -> None:
    """Remove the manifest and empty folders of a new batch that stored no run, so it can simply be run again."""
    made = [out / store.RUNS, out / parts.PARTS]
    if any(folder.is_dir() and any(folder.iterdir()) for folder in made):
        return  # something was stored: keep it (resume finishes the batch)
    with contextlib.suppress(FileNotFoundError):
        (out / store.MANIFEST).unlink()
    for folder in made:
        with contextlib.suppress(FileNotFoundError):
            folder.rmdir()


def _run_locked(specs: list[RunSpec], out: Path, workers: int, dask: str | None, resume: bool, progress: bool,
                command: str | list[str] | None, dask_dashboard: str | None, inputs: dict[str, Any],
                t0: float, probe: RunProbe | None) -> BatchSummary:
    manifest_path = out / store.MANIFEST
    if manifest_path.exists():
        manifest = store.read_json(manifest_path)
        if not isinstance(manifest, dict):
            raise InputError(manifest_path, None, "not a JSON object")
        mf.check_same_batch(out, manifest, specs, inputs)
        manifest["format"] = store.FORMAT  # a folder of format 1 resumed now holds records files too
        manifest.setdefault("resumed", []).append(mf.now())
    else:
        if (out / store.RUNS).exists() or store.find_table(out, "runs") is not None:
            raise InputError(manifest_path, None, "missing, but the folder holds results",
                             allowed="a new folder, or restore manifest.json")
        manifest = mf.new_manifest(specs, inputs, command)
    writer = mf.ManifestWriter(manifest_path, manifest)
    (out / store.RUNS).mkdir(parents=True, exist_ok=True)
    store.clean_temp(out)
    records = RecordFiles.of_manifest(out, manifest)
    todo, n_skipped = _scan(specs, out, writer, records)
    manifest["status"] = "running"
    writer.write()  # written first: a folder with runs/ always has a manifest
    for stem in store.BATCH_TABLES:  # stale once anything new is run
        if todo and (table := store.find_table(out, stem)) is not None:
            table.unlink()

    # from here on the manifest says "running": a Ctrl-C anywhere below (in a run, while runs are stored or the
    # tables merged, while the manifest is written) leaves it saying "interrupted", every run stored so far recorded
    try:
        failed: list[str] = []
        lost: list[str] = []
        started = ""
        storer = GroupStore(out, writer, records)
        bar = progress_bar(len(specs), n_skipped, f"insim batch {out.name}", progress)
        results: Iterable[RunResult] = ()
        with executors.frozen_garbage():  # the batch's objects out of the collector while it runs (see there)
            try:
                if not todo:
                    pass
                elif dask is not None:
                    results = executors.dask_results(run_one, todo, workers, dask, dask_dashboard, probe)
                elif workers == 1 or len(todo) == 1:
                    results = (run_one(*executors.run_args(spec, probe)) for spec in todo)
                else:
                    started = executors.start_method()
                    results = executors.local_pool(run_one, todo, min(workers, len(todo)), probe, method=started)
                for result in results:
                    if result.summary.get("status") == LOST:
                        lost.append(result.run_id)  # not stored: resume runs it again
                    else:
                        storer.add(result)
                        if not result.ok:
                            failed.append(result.run_id)
                    bar.update(1)
                    bar.set_postfix(failed=len(failed) + len(lost), refresh=False)
                    if interrupt_noted():  # a Ctrl-C that a library swallowed whole: stop all the same
                        raise KeyboardInterrupt
                storer.flush()
            finally:  # Ctrl-C or SIGTERM too: the manifest then says so (below); resume finishes it
                if isinstance(results, Generator):
                    results.close()  # on Ctrl-C or an error: shut the pool / cluster down now
                with contextlib.suppress(OSError):
                    storer.flush()  # after an interruption: keep what finished before it
                bar.close()
                with contextlib.suppress(OSError):
                    writer.write()  # the hashes of every run stored so far

        run_ids = [s.run_id for s in specs]
        # a Ctrl-C while the batch's tables are merged: its runs are stored; resume merges them
        n_failed_total, table_hashes = store.consolidate(out, run_ids, manifest["files"],
                                                         {s.run_id: s.seed for s in specs}, storer.fresh, storer.parts,
                                                         records)
        store.prune_parts(out, run_ids, manifest.setdefault("parts", {}), records)
        missing = [s.run_id for s in specs if not records.has(s.run_id) and not (out / store.RUNS / s.run_id).exists()]
        manifest.update(finished=mf.now(), n_failed=n_failed_total, lost=missing, tables=table_hashes,
                        status="complete" if not n_failed_total and not missing else "with failures")
        writer.write()
        return BatchSummary(out, len(specs), storer.n_stored, len(failed) + len(lost), n_skipped,
                            time.perf_counter() - t0, failed, lost, started)
    except BaseException as exc:  # a Ctrl-C can come out disguised: in np.savez's clean-up it is a ValueError
        if interrupt_behind(exc) is None:
            raise
        if manifest.get("status") == "running":
            manifest.update(status="interrupted", interrupted=mf.now())
        with contextlib.suppress(OSError):
            writer.write()
        raise_interrupt_behind(exc)


def batch(scenarios: list[str | Path] | str | Path, reps: int | None = None, seed: int = 0,
          sets: dict[str, Any] | None = None, sweep: dict[str, list[Any]] | None = None,
          out: str | Path | None = None, workers: int | None = None, dask: str | None = None,
          resume: bool = False, progress: bool = False, posterior: str | Path | None = None,
          draws: int | None = None) -> store.Results:
    """Plan, run and load a batch in one call (for notebooks); ``out=None`` keeps nothing on disk.

    ``reps`` defaults to 1, or over a ``posterior`` (a calibration folder) to ``draws``: replication
    ``r`` of every scenario then runs with the posterior's ``r``-th weighted draw (see :func:`plan`).

    Raises :class:`~sim.errors.BatchError` when runs were lost (their worker processes died or
    could not start); failed runs are in ``results.runs`` with ``status == "failed"``.
    """
    if isinstance(scenarios, str | Path):
        scenarios = [scenarios]
    if reps is None and posterior is None:
        reps = 1
    specs = plan(list(scenarios), reps, seed=seed, sets=sets, sweep=sweep, posterior=posterior, draws=draws)
    with contextlib.ExitStack() as stack:
        folder = Path(out) if out is not None else Path(stack.enter_context(
            tempfile.TemporaryDirectory(prefix="insim-batch-"))) / "results"
        summary = run_batch(specs, folder, workers=workers, dask=dask, resume=resume, progress=progress)
        if summary.lost:
            if summary.workers_started == "spawn":  # the usual cause: a script without the guard
                hint = ("from a script, call batch() under `if __name__ == \"__main__\":` (spawned worker "
                        "processes import the script again), or pass workers=1")
            else:  # forked (or Dask) workers need no guard: something killed them (the system, out of memory)
                hint = ("something killed them (the system, when memory runs out?); with a folder (out=...), "
                        "resume=True runs them again")
            raise BatchError(f"{len(summary.lost)} of {summary.n_runs} runs were lost: their worker processes "
                             f"died or could not start; {hint}")
        results = store.load_results(folder)
    if out is None:
        results.path = None
    return results
