"""Batches of runs: scenarios × sweep points × replications, on local processes or Dask.

>>> from sim.batch import plan, run_batch, load_results
>>> specs = plan(["baseline"], reps=10, seed=7, sweep={"zakat_min_usd": [500, 1000]})  # doctest: +SKIP
>>> run_batch(specs, "results/zakat")  # doctest: +SKIP
>>> results = load_results("results/zakat")  # doctest: +SKIP

Seeds: replication ``r`` of every scenario and sweep point gets the same seed,
``SeedSequence(seed, spawn_key=(r,))`` (common random numbers, so comparisons are paired), and
that seed does not depend on how many scenarios, sweep points or replications the batch has.

A results folder holds ``manifest.json`` (inputs, seeds, versions), one ``runs/<run_id>/``
per finished run (written atomically, so a killed batch can be resumed), and the consolidated
tables ``runs``, ``monthly`` and ``villages`` (parquet, or CSV without pyarrow) plus
``ema_experiments.csv`` / ``ema_outcomes.csv`` for EMA Workbench.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import datetime as dt
import hashlib
import itertools
import json
import multiprocessing
import os
import platform
import re
import shutil
import socket
import sys
import tempfile
import time
import traceback
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.accounts import INCIDENTS
from sim.errors import InputError
from sim.outcomes import OUTCOMES
from sim.scenario import load_scenario

FORMAT = "insim-batch/1"
MANIFEST = "manifest.json"
RUNS = "runs"
TMP_PREFIX = ".tmp-"
# scenario-file keys a batch may set or sweep besides the parameters (seed comes from the batch)
TOP_LEVEL_KEYS = ("months", "start", "map")
# outcomes counted per month: their run totals go into the summary as total_<name>
COUNTED = (*INCIDENTS, "zakat_revenue_usd")
ID_COLUMNS = ("run_id", "scenario", "rep", "seed")


# ---------------------------------------------------------------------------------------- plan
@dataclass(frozen=True)
class RunSpec:
    """One run of a batch: which scenario, which sweep point, which replication, which seed."""

    run_id: str
    scenario: str
    path: str
    sweep: dict[str, Any] = field(hash=False)
    rep: int
    seed: int
    sets: dict[str, Any] = field(default_factory=dict, hash=False)
    root_seed: int = 0


def replication_seed(root_seed: int, rep: int) -> int:
    """The seed of replication ``rep``: the same for every scenario and sweep point of a batch."""
    # spawn_key=(rep,) is what SeedSequence(root).spawn(n)[rep] gives, without depending on n
    state = np.random.SeedSequence(root_seed, spawn_key=(rep,)).generate_state(1, np.uint64)[0]
    return int(state) & (2**63 - 1)  # fits int64 columns in pandas / parquet


def _point_label(point: dict[str, Any]) -> str:
    if not point:
        return "base"
    text = json.dumps(point, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:10]


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.]+", "_", name).strip("._") or "scenario"


def _check_keys(keys: Iterable[str], what: str) -> None:
    from sim.parameters import Parameters

    allowed = set(Parameters.model_fields) | set(TOP_LEVEL_KEYS)
    for key in keys:
        if key not in allowed:
            import difflib

            hint = difflib.get_close_matches(key, sorted(allowed), n=1)
            problem = "not a parameter or scenario key" + (f"; did you mean {hint[0]!r}?" if hint else "")
            if key == "seed":
                problem = "the seed of each run comes from the batch's root seed"
            raise InputError(None, f"{what}.{key}", problem,
                             allowed="a parameter name or one of " + ", ".join(TOP_LEVEL_KEYS))


def plan(scenarios: list[str | Path], reps: int, seed: int = 0, sets: dict[str, Any] | None = None,
         sweep: dict[str, list[Any]] | None = None) -> list[RunSpec]:
    """Every run of a batch: scenarios × sweep points (cartesian) × ``reps`` replications.

    Args:
        scenarios: shipped scenario names or paths to scenario files.
        reps: replications of each scenario and sweep point (at least 1).
        seed: the root seed every run's seed is derived from.
        sets: values set in every run (parameters, or ``months``/``start``/``map``).
        sweep: values to sweep, one list per parameter (or top-level key); all combinations run.

    Everything is checked here, before any run: each scenario is loaded with the sets and every
    sweep point. Raises :class:`InputError` on any problem.
    """
    sets = dict(sets or {})
    sweep = {k: list(v) if isinstance(v, list | tuple | range | np.ndarray) else v for k, v in (sweep or {}).items()}
    if isinstance(reps, bool) or not isinstance(reps, int | np.integer) or reps < 1:
        raise InputError(None, "reps", f"must be a whole number of at least 1 (got {reps!r})")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise InputError(None, "seed", f"must be a whole number of at least 0 (got {seed!r})")
    if not scenarios:
        raise InputError(None, "scenarios", "no scenario given")
    _check_keys(sets, "sets")
    _check_keys(sweep, "sweep")
    for key, values in sweep.items():
        if not isinstance(values, list) or not values:
            raise InputError(None, f"sweep.{key}", f"needs a non-empty list of values (got {values!r})")
        if len({json.dumps(v, default=str) for v in values}) != len(values):
            raise InputError(None, f"sweep.{key}", f"a value is listed twice in {values!r}")
        if key in sets:
            raise InputError(None, f"sweep.{key}", "is also in sets; set it or sweep it, not both")
    reserved = {*ID_COLUMNS, "month", "date", "status", *OUTCOMES}
    for key in sweep:
        if key in reserved:  # it would clash with a column of the results tables
            raise InputError(None, f"sweep.{key}", "clashes with a results column name")

    points = [dict(zip(sweep, combo, strict=True)) for combo in itertools.product(*sweep.values())]
    specs: list[RunSpec] = []
    seen: dict[str, str] = {}
    for name_or_path in scenarios:
        base = load_scenario(name_or_path, **sets)
        path = str(base.path)
        if base.name in seen:
            other = seen[base.name]
            problem = "listed twice" if other == path else f"two scenarios are named {base.name!r} ({other}, {path})"
            raise InputError(path, "name", problem, allowed="scenarios with distinct names (set `name` in the file)")
        seen[base.name] = path
        for point in points:
            load_scenario(path, **sets, **point)  # checks the combination, e.g. months vs event dates
            label = _point_label(point)
            for rep in range(reps):
                specs.append(RunSpec(run_id=f"{_safe(base.name)}-{label}-r{rep:03d}", scenario=base.name, path=path,
                                     sweep=dict(point), rep=rep, seed=replication_seed(int(seed), rep),
                                     sets=dict(sets), root_seed=int(seed)))
    ids = [s.run_id for s in specs]
    if len(set(ids)) != len(ids):  # two names that differ only in unsafe characters
        dup = next(i for i in ids if ids.count(i) > 1)
        raise InputError(None, "scenarios", f"two runs would share the id {dup!r}",
                         allowed="scenario names that differ in letters, digits, '_' or '.'")
    return specs


# ---------------------------------------------------------------------------------------- one run
@dataclass
class RunResult:
    """What one run produced (picklable, so it travels back from a worker process)."""

    spec: RunSpec
    ok: bool
    summary: dict[str, Any]
    monthly: pd.DataFrame | None
    villages: pd.DataFrame | None
    events: list[dict[str, Any]]
    wall_time: float
    error: str | None = None

    @property
    def run_id(self) -> str:
        """The run's id."""
        return self.spec.run_id


def _id_columns(spec: RunSpec) -> dict[str, Any]:
    return {"run_id": spec.run_id, "scenario": spec.scenario, **spec.sweep, "rep": spec.rep, "seed": spec.seed}


def _build_model(spec: RunSpec) -> Any:
    """The model of one run (a seam the tests use to make a run fail)."""
    from sim.model import InsurgencyModel

    scenario = load_scenario(spec.path, **spec.sets, **spec.sweep)
    return InsurgencyModel(scenario, rng=spec.seed)


def run_one(spec: RunSpec) -> RunResult:
    """Run ``spec`` in this process. Never raises: a failure comes back with its traceback."""
    t0 = time.perf_counter()
    ids = _id_columns(spec)
    try:
        model = _build_model(spec)
        model.run()
        monthly = model.monthly_frame()
        villages_all = model.village_frame()
        last = monthly.iloc[-1]
        summary: dict[str, Any] = {**ids, "status": "ok", "n_months": len(monthly)}
        for name in OUTCOMES:
            summary[name] = _plain(last[name])
        for name in COUNTED:
            summary[f"total_{name}"] = _plain(monthly[name].sum())
        # the run's identifiers first, joined at once (a sweep may add many columns)
        id_columns = pd.DataFrame({k: [v] * len(monthly) for k, v in ids.items()}, index=monthly.index)
        monthly = pd.concat([id_columns, monthly], axis=1)
        villages = pd.DataFrame({
            **{k: [v] * len(villages_all) for k, v in ids.items()},
            "village": villages_all["name"], "x": villages_all["x"], "y": villages_all["y"],
            "zone": villages_all["zone"], "district": villages_all["district"],
            "influence": villages_all["influence"], "trust": villages_all["trust"],
            "stronghold_score": villages_all["stronghold_score"],
            "zakat_usd": np.asarray(model.zakat_by_village, dtype=float),
        })
        events = [{k: _plain(v) for k, v in e.items()} for e in model.event_log]
        wall = time.perf_counter() - t0
        summary["n_events"] = len(events)
        summary["wall_time_s"] = wall
        return RunResult(spec, True, summary, monthly, villages, events, wall)
    except Exception as exc:  # a failed run is a result too: the batch goes on
        wall = time.perf_counter() - t0
        text = traceback.format_exc()
        summary = {**ids, "status": "failed", "error": f"{type(exc).__name__}: {exc}", "wall_time_s": wall}
        return RunResult(spec, False, summary, None, None, [], wall, error=text)


def _plain(value: Any) -> Any:
    """numpy scalars and dates as plain JSON values."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


# ---------------------------------------------------------------------------------------- files
def _has_pyarrow() -> bool:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    return True


def _table_ext() -> str:
    return ".parquet" if _has_pyarrow() else ".csv"


def _write_table(df: pd.DataFrame, path: Path) -> None:
    if path.suffix == ".parquet":
        df.to_parquet(path, index=False)
    else:
        df.to_csv(path, index=False)


def _read_table(path: Path) -> pd.DataFrame:
    try:
        return pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
    except Exception as exc:
        raise InputError(path, None, f"cannot be read: {type(exc).__name__}: {exc}") from None


def _find_table(folder: Path, stem: str) -> Path | None:
    for ext in (".parquet", ".csv"):
        if (folder / f"{stem}{ext}").is_file():
            return folder / f"{stem}{ext}"
    return None


def atomic_write(path: Path, write: Any) -> None:
    """Write ``path`` through ``write(tmp_path)`` and a rename, so readers never see half a file."""
    tmp = path.with_name(f"{TMP_PREFIX}{os.getpid()}-{path.name}")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _write_json(path: Path, data: Any) -> None:
    atomic_write(path, lambda p: p.write_text(json.dumps(data, indent=2, default=str) + "\n"))


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise InputError(path, None, "missing") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(path, None, f"not readable JSON: {exc}") from None


def _store(result: RunResult, out: Path) -> None:
    """Write one run's folder: into a temp dir under ``out``, then renamed into ``runs/``."""
    final = out / RUNS / result.run_id
    tmp = Path(tempfile.mkdtemp(prefix=f"{TMP_PREFIX}{result.run_id}-", dir=out))
    try:
        tmp.chmod(0o755)  # mkdtemp makes it private; the results are meant to be shared
        ext = _table_ext()
        if result.ok:
            _write_table(result.monthly, tmp / f"monthly{ext}")
            _write_table(result.villages, tmp / f"villages{ext}")
        else:
            (tmp / "error.txt").write_text(result.error or "")
        (tmp / "events.json").write_text(json.dumps(result.events, indent=2, default=str) + "\n")
        (tmp / "summary.json").write_text(json.dumps(result.summary, indent=2, default=str) + "\n")
        os.replace(tmp, final)  # fails if the run is already there: a run is never stored twice
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _check_run_dir(folder: Path) -> dict[str, Any]:
    """A finished run's summary; InputError naming the file if the folder is incomplete."""
    summary = _read_json(folder / "summary.json")
    if not isinstance(summary, dict) or "status" not in summary:
        raise InputError(folder / "summary.json", "status", "missing: not a run summary")
    if summary["status"] == "ok":
        for stem in ("monthly", "villages"):
            if _find_table(folder, stem) is None:
                raise InputError(folder / f"{stem}.parquet", None, "missing (the run folder is incomplete)",
                                 allowed=f"delete {folder} and resume to run it again")
    elif not (folder / "error.txt").is_file():
        raise InputError(folder / "error.txt", None, "missing (a failed run keeps its traceback here)")
    return summary


def _clean_temp(out: Path) -> None:
    """Remove what a killed batch left half-written."""
    for leftover in out.glob(f"{TMP_PREFIX}*"):
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()


# ---------------------------------------------------------------------------------------- manifest
def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _versions() -> dict[str, str]:
    import mesa

    import sim

    return {"insim": sim.__version__, "mesa": mesa.__version__, "numpy": np.__version__, "pandas": pd.__version__,
            "python": platform.python_version()}


def _sweep_of(specs: list[RunSpec]) -> dict[str, list[Any]]:
    sweep: dict[str, list[Any]] = {}
    for spec in specs:
        for key, value in spec.sweep.items():
            if value not in sweep.setdefault(key, []):
                sweep[key].append(value)
    return sweep


def _inputs(specs: list[RunSpec]) -> dict[str, Any]:
    """The batch's inputs: scenario files (resolved contents, sha256 of every file read), sets, sweep."""
    scenarios: dict[str, Any] = {}
    for spec in specs:
        if spec.scenario in scenarios:
            continue
        sc = load_scenario(spec.path, **spec.sets)
        files = [Path(f) for f in sc.resolved.get("files", [spec.path])] + [sc.map_path]
        scenarios[spec.scenario] = {
            "path": spec.path,
            "digest": sc.digest,
            "sha256": {str(f): _sha256(f) for f in files},
            "resolved": sc.resolved,
        }
    return {"scenarios": scenarios, "sets": specs[0].sets, "sweep": _sweep_of(specs)}


def _plan_entries(specs: list[RunSpec]) -> list[dict[str, Any]]:
    return [{"run_id": s.run_id, "scenario": s.scenario, "sweep": s.sweep, "rep": s.rep, "seed": s.seed}
            for s in specs]


def _jsonable(data: Any) -> Any:
    return json.loads(json.dumps(data, default=str))


def _same_batch(out: Path, manifest: dict[str, Any], specs: list[RunSpec], inputs: dict[str, Any]) -> None:
    """InputError unless ``manifest`` describes the batch ``specs`` would run."""
    path = out / MANIFEST
    if manifest.get("format") != FORMAT:
        raise InputError(path, "format", f"not an insim batch manifest (format {manifest.get('format')!r})",
                         allowed=FORMAT)
    try:
        old = {r["run_id"]: r["seed"] for r in manifest["runs"]}
    except (KeyError, TypeError):
        raise InputError(path, "runs", "missing or malformed") from None
    new = {s.run_id: s.seed for s in specs}
    differences = []
    if set(new) - set(old):
        extra = sorted(set(new) - set(old))
        differences.append(f"{len(extra)} run(s) not in the earlier batch (e.g. {extra[0]})")
    if set(old) - set(new):
        gone = sorted(set(old) - set(new))
        differences.append(f"{len(gone)} run(s) of the earlier batch not planned now (e.g. {gone[0]})")
    reseeded = sorted(i for i in set(old) & set(new) if old[i] != new[i])
    if reseeded:
        differences.append(f"other seeds for {len(reseeded)} run(s) (e.g. {reseeded[0]}: a different root seed?)")
    if manifest.get("root_seed") != specs[0].root_seed:
        differences.append(f"root seed {specs[0].root_seed} instead of {manifest.get('root_seed')}")
    if manifest.get("sets") != _jsonable(inputs["sets"]):
        differences.append(f"sets {_jsonable(inputs['sets'])} instead of {manifest.get('sets')}")
    old_files = {f: h for sc in manifest.get("scenarios", {}).values() for f, h in sc.get("sha256", {}).items()}
    new_files = {f: h for sc in inputs["scenarios"].values() for f, h in sc["sha256"].items()}
    for f, h in new_files.items():  # one line per file, however many scenarios share it
        if f in old_files and old_files[f] != h:
            differences.append(f"{f} changed since the batch started")
    if differences:
        raise InputError(out, None, "holds a different batch: " + "; ".join(differences),
                         allowed="the same scenarios, sets, sweep, reps and seed to resume, or another folder")


# ---------------------------------------------------------------------------------------- run a batch
@dataclass
class BatchSummary:
    """What :func:`run_batch` did."""

    out: Path
    n_runs: int
    n_done: int
    n_failed: int
    n_skipped: int
    wall_time: float
    failed: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        text = (f"{self.n_runs} runs in {self.out}: {self.n_done} done now, {self.n_skipped} already done, "
                f"{self.n_failed} failed ({self.wall_time:.1f} s)")
        if self.failed:
            text += "\nfailed: " + ", ".join(self.failed)
        return text


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _local_pool(todo: list[RunSpec], workers: int) -> Iterator[RunResult]:
    ctx = multiprocessing.get_context("spawn")  # no fork: the parent may hold threads (tqdm, dask)
    pool = cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx)
    try:
        futures = {pool.submit(run_one, spec): spec for spec in todo}
        for future in cf.as_completed(futures):
            yield _result_of(future, futures[future])
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def _result_of(future: Any, spec: RunSpec) -> RunResult:
    """A future's result; a worker that died (not the model failing) gives a lost run."""
    try:
        return future.result()
    except Exception as exc:
        return _lost(spec, exc)


def _lost(spec: RunSpec, exc: BaseException) -> RunResult:
    text = "".join(traceback.format_exception(exc))
    summary = {**_id_columns(spec), "status": "lost", "error": f"{type(exc).__name__}: {exc}"}
    return RunResult(spec, False, summary, None, None, [], 0.0, error=text)


def _dask(todo: list[RunSpec], workers: int, address: str) -> Iterator[RunResult]:
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise InputError(None, "dask", "dask.distributed is not installed",
                         allowed="pip install 'insim[dask]' or run without dask") from None
    with contextlib.ExitStack() as stack:
        if address == "local":
            cluster = stack.enter_context(LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                                       dashboard_address=None, host="127.0.0.1"))
            client = stack.enter_context(Client(cluster))
        else:
            try:
                client = stack.enter_context(Client(address, timeout="30s"))
            except (OSError, TimeoutError, ValueError) as exc:
                raise InputError(None, "dask", f"cannot reach the scheduler {address!r}: {exc}",
                                 allowed="'local' or a scheduler address like tcp://host:8786") from None
        futures = {client.submit(run_one, spec, key=f"insim-{spec.run_id}-{spec.seed}", pure=False): spec
                   for spec in todo}
        by_key = {f.key: spec for f, spec in futures.items()}
        try:
            for future in as_completed(list(futures)):
                yield _result_of(future, by_key[future.key])
        except BaseException:
            client.cancel(list(futures))
            raise


def run_batch(specs: list[RunSpec], out: str | Path, workers: int | None = None, dask: str | None = None,
              resume: bool = False, progress: bool = True, command: str | list[str] | None = None) -> BatchSummary:
    """Run ``specs`` (from :func:`plan`) and store everything in the folder ``out``.

    Args:
        specs: the runs.
        out: the results folder (created; refused if it already holds a batch, unless ``resume``).
        workers: processes (default: all CPUs); ``1`` runs in this process, without a pool.
        dask: ``"local"`` for a Dask LocalCluster of ``workers`` processes on 127.0.0.1, or a
            scheduler address (the workers must have insim installed).
        resume: finish a batch in ``out``: the plan must be the same; finished runs are skipped.
        progress: show a progress bar (tqdm) on stderr.
        command: the command line that started the batch, for the manifest.

    Finished runs are on disk as soon as they finish, so an interrupted batch can be resumed.
    A failed run is recorded (``runs/<id>/error.txt``) and the batch goes on.
    """
    t0 = time.perf_counter()
    if not specs:
        raise InputError(None, "specs", "no runs planned")
    ids = [s.run_id for s in specs]
    if len(set(ids)) != len(ids):
        raise InputError(None, "specs", "run ids are not unique")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise InputError(None, "workers", f"must be a whole number of at least 1 (got {workers!r})")
    workers = workers or os.cpu_count() or 1
    out = Path(out)
    manifest_path = out / MANIFEST
    if out.exists() and not out.is_dir():
        raise InputError(out, None, "is a file, not a folder")
    inputs = _inputs(specs)
    if manifest_path.exists():
        if not resume:
            raise InputError(out, None, "already holds a batch's results (manifest.json)",
                             allowed="resume=True (--resume) to finish that batch, or another folder")
        manifest = _read_json(manifest_path)
        if not isinstance(manifest, dict):
            raise InputError(manifest_path, None, "not a JSON object")
        _same_batch(out, manifest, specs, inputs)
        manifest.setdefault("resumed", []).append(_now())
    else:
        if (out / RUNS).exists() or _find_table(out, "runs") is not None:
            raise InputError(manifest_path, None, "missing, but the folder holds results",
                             allowed="a new folder, or restore manifest.json")
        manifest = {
            "format": FORMAT, "root_seed": specs[0].root_seed, **_jsonable(inputs), "runs": _plan_entries(specs),
            "versions": _versions(), "host": socket.gethostname(), "platform": platform.platform(),
            "command": command if command is None or isinstance(command, str) else list(command),
            "started": _now(), "finished": None, "status": "running",
        }
    (out / RUNS).mkdir(parents=True, exist_ok=True)
    _clean_temp(out)
    _write_json(manifest_path, manifest)  # written first: a folder with runs/ always has a manifest

    todo, n_skipped = [], 0
    for spec in specs:
        folder = out / RUNS / spec.run_id
        if folder.exists():
            _check_run_dir(folder)
            n_skipped += 1
        else:
            todo.append(spec)
    for stem in ("runs", "monthly", "villages"):  # stale once anything new is run
        if todo and (table := _find_table(out, stem)) is not None:
            table.unlink()

    from tqdm.auto import tqdm

    failed: list[str] = []
    n_done = 0
    bar = tqdm(total=len(specs), initial=n_skipped, desc=f"insim batch {out.name}", unit="run",
               file=sys.stderr, disable=not progress, dynamic_ncols=True)
    results: Iterable[RunResult] = ()
    try:
        if not todo:
            pass
        elif dask is not None:
            results = _dask(todo, workers, dask)
        elif workers == 1 or len(todo) == 1:
            results = (run_one(spec) for spec in todo)
        else:
            results = _local_pool(todo, min(workers, len(todo)))
        for result in results:
            if result.summary.get("status") == "lost":
                failed.append(result.run_id)  # not stored: resume runs it again
            else:
                _store(result, out)
                n_done += 1
                if not result.ok:
                    failed.append(result.run_id)
            bar.update(1)
            bar.set_postfix(failed=len(failed), refresh=False)
    finally:
        if isinstance(results, Generator):
            results.close()  # on Ctrl-C or an error: shut the pool / cluster down now
        bar.close()

    n_failed_total = _consolidate(out, specs)
    manifest.update(finished=_now(), status="complete" if not failed else "with failures",
                    n_failed=n_failed_total, lost=[i for i in failed if not (out / RUNS / i).exists()])
    _write_json(manifest_path, manifest)
    return BatchSummary(out, len(specs), n_done, len(failed), n_skipped, time.perf_counter() - t0, failed)


# ---------------------------------------------------------------------------------------- consolidate
def _consolidate(out: Path, specs: list[RunSpec] | None = None) -> int:
    """Write the batch-wide tables from ``runs/``; returns the number of failed runs."""
    if specs is not None:
        run_ids = [s.run_id for s in specs]
    else:
        manifest = _read_json(out / MANIFEST)
        try:
            run_ids = [r["run_id"] for r in manifest["runs"]]
        except (KeyError, TypeError):
            raise InputError(out / MANIFEST, "runs", "missing or malformed") from None
    summaries, monthly, villages = [], [], []
    for run_id in run_ids:  # plan order, so the tables do not depend on which worker finished first
        folder = out / RUNS / run_id
        if not folder.exists():
            continue
        summary = _check_run_dir(folder)
        summaries.append(summary)
        if summary["status"] == "ok":
            monthly.append(_read_table(_find_table(folder, "monthly")))
            villages.append(_read_table(_find_table(folder, "villages")))
    ext = _table_ext()
    runs = pd.DataFrame(summaries)
    tables = {"runs": runs,
              "monthly": pd.concat(monthly, ignore_index=True) if monthly else pd.DataFrame(),
              "villages": pd.concat(villages, ignore_index=True) if villages else pd.DataFrame()}
    for stem, df in tables.items():
        atomic_write(out / f"{stem}{ext}", lambda p, df=df: _write_table(df, p))
    experiments, outcomes = ema_tables(runs)
    atomic_write(out / "ema_experiments.csv", lambda p: experiments.to_csv(p, index=False))
    atomic_write(out / "ema_outcomes.csv", lambda p: outcomes.to_csv(p, index=False))
    return int((runs["status"] != "ok").sum()) if len(runs) else 0


def ema_tables(runs: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(experiments, outcomes) as EMA Workbench's PRIM and feature scoring take them.

    One row per successful run, in the same order: experiments hold ``scenario`` and the sweep
    columns (not run id, rep or seed, which are not factors), outcomes the final values.
    """
    if runs.empty or "status" not in runs:
        return pd.DataFrame(), pd.DataFrame()
    ok = runs[runs["status"] == "ok"].reset_index(drop=True)
    outcome_cols = [c for c in ok.columns if c in OUTCOMES or c.startswith("total_")]
    fixed = {*ID_COLUMNS, "status", "n_months", "error", "n_events", "wall_time_s", *outcome_cols}
    experiments = ok[["scenario", *[c for c in ok.columns if c not in fixed]]]
    return experiments, ok[outcome_cols]


# ---------------------------------------------------------------------------------------- read back
@dataclass
class Results:
    """A batch's results: the manifest and the consolidated tables."""

    path: Path | None
    manifest: dict[str, Any]
    runs: pd.DataFrame
    monthly: pd.DataFrame
    villages: pd.DataFrame

    @property
    def ema(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(experiments, outcomes) for EMA Workbench."""
        return ema_tables(self.runs)


def load_results(out: str | Path) -> Results:
    """Read a results folder (consolidating ``runs/`` first if the batch-wide tables are missing)."""
    out = Path(out)
    if not out.is_dir():
        raise InputError(out, None, "no such results folder")
    if not (out / MANIFEST).is_file():
        raise InputError(out / MANIFEST, None, "missing: not an insim results folder")
    manifest = _read_json(out / MANIFEST)
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise InputError(out / MANIFEST, "format", "not an insim batch manifest", allowed=FORMAT)
    stems = ("runs", "monthly", "villages")
    if any(_find_table(out, s) is None for s in stems) or not (out / "ema_outcomes.csv").is_file():
        _consolidate(out)
    tables = {s: _read_table(_find_table(out, s)) for s in stems}
    return Results(out, manifest, tables["runs"], tables["monthly"], tables["villages"])


def batch(scenarios: list[str | Path] | str | Path, reps: int = 1, seed: int = 0, sets: dict[str, Any] | None = None,
          sweep: dict[str, list[Any]] | None = None, out: str | Path | None = None, workers: int | None = None,
          dask: str | None = None, resume: bool = False, progress: bool = False) -> Results:
    """Plan, run and load a batch in one call (for notebooks); ``out=None`` keeps nothing on disk."""
    if isinstance(scenarios, str | Path):
        scenarios = [scenarios]
    specs = plan(list(scenarios), reps, seed=seed, sets=sets, sweep=sweep)
    if out is not None:
        run_batch(specs, out, workers=workers, dask=dask, resume=resume, progress=progress)
        return load_results(out)
    with tempfile.TemporaryDirectory(prefix="insim-batch-") as tmp:
        run_batch(specs, Path(tmp) / "results", workers=workers, dask=dask, progress=progress)
        results = load_results(Path(tmp) / "results")
    results.path = None
    return results
