"""A results folder on disk: run folders written atomically, checked against their hashes, merged.

A results folder holds ``manifest.json`` (see :mod:`sim.batch.manifest`); the finished runs, stored in
bulk: their tables in parts (``parts/``, :mod:`sim.batch.parts`), the successful runs' summaries and
events in one records file per group (:mod:`sim.batch.records`); a folder ``runs/<run_id>/`` for a
failed run (summary, events, traceback) or a run with a probe's arrays (with ``tables.json`` naming
its parts; folders of earlier versions, one per run, some with their own table files, are still
read); and the consolidated tables
``runs``, ``monthly`` and ``villages`` (and ``incidents`` when the model records them), parquet
or CSV without pyarrow, plus ``ema_experiments.csv`` / ``ema_outcomes.csv`` for EMA Workbench.
These depend only on the batch's inputs (the same batch gives the same bytes); each run's wall
time and CPU time inside the model are in ``timings.csv``.

Nothing is merged unchecked: every run file's sha256 is recorded when the run is stored, and a
file that no longer matches (swapped with another run's, or corrupted) stops the merge with an
error naming it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.batch.columns import Piece, in_plan_order
from sim.batch.files import (
    TMP_PREFIX,
    atomic_write,
    clean_temp,
    find_table,
    has_pyarrow,
    read_files,
    read_json,
    read_table,
    sha256,
    table_ext,
    write_json,
    write_table,
    writing,
)
from sim.batch.parts import PARTS, REQUIRED_TABLES, RUN_TABLES, TABLE_INDEX, PartStore, read_index
from sim.batch.plan import ID_COLUMNS
from sim.batch.posterior import DRAW_ID
from sim.batch.probe import write_arrays
from sim.batch.records import RecordFiles
from sim.datadict import LAST_MONTH_PREFIX, tidy_runs, tidy_table, write_datapackage
from sim.ema import RESERVED as EMA_RESERVED
from sim.errors import InputError
from sim.interrupt import IncompleteBatchWarning, incomplete_note
from sim.outcomes import OUTCOMES

__all__ = ["BATCH_TABLES", "FORMAT", "FORMATS", "MANIFEST", "RUNS", "RUN_TABLES", "TMP_PREFIX",
           "IncompleteBatchWarning", "Results", "atomic_write", "check_run", "clean_temp", "consolidate", "ema_tables",
           "find_table", "has_pyarrow", "load_results", "prune_parts", "read_json", "read_manifest", "read_table",
           "record_files", "run_events", "run_files", "run_table", "sha256", "store_run", "stored_runs", "table_ext",
           "write_json", "write_table", "writing"]

#: the manifest format this version writes: 2 stores successful runs in records files (:mod:`sim.batch.records`)
FORMAT = "insim-batch/2"
#: the formats it reads (and resumes, then as :data:`FORMAT`): 1 stored every run in a folder of its own
FORMATS = ("insim-batch/1", FORMAT)
MANIFEST = "manifest.json"
RUNS = "runs"
#: per-run tables, in the order they are consolidated (``incidents`` only if the model has them)
BATCH_TABLES = ("runs", "monthly", "villages", "incidents")


# ---------------------------------------------------------------------------------------- one run
def store_run(run_id: str, tables: dict[str, pd.DataFrame], summary: dict[str, Any], events: list[Any],
              error: str | None, out: Path, arrays: dict[str, dict[str, Any]] | None = None,
              parts: dict[str, str] | None = None) -> dict[str, str]:
    """Write one run's folder (into a temp dir, then renamed into ``runs/``); returns its files' hashes.

    ``tables`` are written as the run's own files; ``parts`` instead names the parts already holding
    them (:mod:`sim.batch.parts`, written in bulk), in ``tables.json``. ``arrays`` are a probe's
    (:mod:`sim.batch.probe`), by file stem: stored as ``<stem>.npz``.
    """
    final = out / RUNS / run_id
    # one process stores a batch's runs (it holds the folder's lock): its pid makes the name unique,
    # and a folder left by a killed batch is removed when the batch starts again (clean_temp)
    tmp = out / f"{TMP_PREFIX}{run_id}-{os.getpid()}"
    tmp.mkdir()
    try:
        ext = table_ext()
        for stem, df in tables.items():
            write_table(df, tmp / f"{stem}{ext}")
        for stem, named in (arrays or {}).items():
            write_arrays(tmp / f"{stem}.npz", named)
        hashes = {p.name: sha256(p) for p in tmp.iterdir()}  # tables and arrays, written above
        # compact: Python's JSON encoder indents only in Python, several times slower than its C encoder
        texts = {"events.json": json.dumps(events, default=str) + "\n",
                 "summary.json": json.dumps(summary, default=str) + "\n"}
        if parts:
            texts[TABLE_INDEX] = json.dumps(parts) + "\n"
        if error is not None:
            texts["error.txt"] = error
        for name, text in texts.items():  # hashed as written, not read back
            data = text.encode()
            (tmp / name).write_bytes(data)
            hashes[name] = hashlib.sha256(data).hexdigest()
        os.replace(tmp, final)  # fails if the run is already there: a run is never stored twice
        return dict(sorted(hashes.items()))
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def check_run(folder: Path, recorded: dict[str, str] | None, seed: int | None = None,
              parts: PartStore | None = None) -> dict[str, Any]:
    """A stored run's summary, after checking its files; InputError naming the first bad file.

    ``recorded`` are the hashes noted when the run was stored; a run stored just before its
    batch was killed may have none yet, and is then checked by content: its summary and tables
    must name this run and its seed. Its tables' parts are checked through ``parts`` (the
    folder's, with the manifest's part hashes).
    """
    # each file read once, to be parsed and hashed
    contents = read_files(folder, recorded if recorded is not None else ("summary.json", TABLE_INDEX))
    summary = read_json(folder / "summary.json", contents.get("summary.json"))
    if not isinstance(summary, dict) or "status" not in summary:
        raise InputError(folder / "summary.json", "status", "missing: not a run summary")
    again = f"delete {folder} and resume (--resume) to run it again"
    index = read_index(folder, contents.get(TABLE_INDEX))
    if summary["status"] == "ok" and index is not None:
        parts = parts if parts is not None else PartStore(folder.parent.parent)
        parts.check_index(index, folder.name, seed, again, content=recorded is None, missing=lambda stem: InputError(
            folder / TABLE_INDEX, stem, "missing (the run folder is incomplete)", allowed=again))
    elif summary["status"] == "ok":
        for stem in REQUIRED_TABLES:
            if find_table(folder, stem) is None:
                raise InputError(folder / f"{stem}{table_ext()}", None, "missing (the run folder is incomplete)",
                                 allowed=again)
    elif not (folder / "error.txt").is_file():
        raise InputError(folder / "error.txt", None, "missing (a failed run keeps its traceback here)", allowed=again)
    if recorded is not None:
        for name, digest in recorded.items():
            path = folder / name
            if name not in contents and not path.is_file():
                raise InputError(path, None, "missing (the run folder is incomplete)", allowed=again)
            if sha256(path, contents.get(name)) != digest:
                raise InputError(path, None, "differs from the file stored by the batch (its sha256 in manifest.json "
                                 "does not match): swapped or corrupted", allowed=again)
        return summary
    if summary.get("run_id") != folder.name or (seed is not None and summary.get("seed") != seed):
        raise InputError(folder / "summary.json", "run_id", f"belongs to run {summary.get('run_id')!r} "
                         f"(seed {summary.get('seed')}), not to {folder.name}", allowed=again)
    if summary["status"] == "ok":
        for stem in RUN_TABLES:
            path = find_table(folder, stem)
            if path is not None and set(read_table(path)["run_id"].astype(str)) - {folder.name}:
                raise InputError(path, "run_id", f"holds rows of another run than {folder.name}", allowed=again)
    return summary


def record_files(out: Path, parts: PartStore | None = None) -> RecordFiles:
    """The records files of the results folder ``out``, as its manifest (if readable) names and hashes them."""
    manifest: dict[str, Any] = {}
    if (out / MANIFEST).is_file():
        manifest = read_manifest(out)
    if parts is None:
        parts = PartStore(out, manifest.get("parts") or {})
    return RecordFiles(out, dict(manifest.get("records") or {}), parts)


def stored_runs(out: Path) -> set[str]:
    """The ids of the runs stored in ``out``: in folders of their own or in records files."""
    records = record_files(out)
    folders = {p.name for p in (out / RUNS).iterdir() if p.is_dir()} if (out / RUNS).is_dir() else set()
    return folders | {run_id for run_id in records.named if records.has(run_id)}


def run_table(out: Path, run_id: str, stem: str, parts: PartStore | None = None,
              records: RecordFiles | None = None) -> pd.DataFrame:
    """One stored run's table, from its own file or from the part holding it (read through ``parts``,
    which keeps what it read, when many runs are read; ``records``: the folder's records files)."""
    folder = out / RUNS / run_id
    if not folder.exists():
        records = records if records is not None else record_files(out, parts)  # the manifest's hashes
        parts = records.parts if parts is None else parts
        if not records.has(run_id):
            raise InputError(folder, None, "no such run stored (not finished, or deleted)")
        index = records.record(run_id)["tables"]
        if stem not in index:
            raise InputError(out / records.named[run_id], run_id, f"names no part holding its {stem} table")
        return parts.table(index[stem], run_id)
    index = read_index(folder)
    if index is None:
        path = find_table(folder, stem)
        if path is None:
            raise InputError(folder / f"{stem}{table_ext()}", None, "missing (the run folder is incomplete)")
        return read_table(path)
    if stem not in index:
        raise InputError(folder / TABLE_INDEX, stem, "missing (the run folder is incomplete)")
    return (parts if parts is not None else PartStore(out)).table(index[stem], run_id)


def run_events(out: Path, run_id: str, records: RecordFiles | None = None) -> list[Any]:
    """One stored run's events (from its folder, or its records file)."""
    folder = out / RUNS / run_id
    if folder.exists():
        return read_json(folder / "events.json")
    records = records if records is not None else record_files(out)
    if not records.has(run_id):
        raise InputError(folder, None, "no such run stored (not finished, or deleted)")
    return records.record(run_id)["events"]


def prune_parts(out: Path, run_ids: list[str], recorded: dict[str, str], records: RecordFiles | None = None) -> None:
    """Remove the parts no stored run names (left by a batch killed between its parts and its run records),
    and forget the hashes of parts that are gone (a records file deleted to run its runs again)."""
    folders = set(os.listdir(out / RUNS)) if (out / RUNS).is_dir() else set()
    named = {name for run_id in run_ids if run_id in folders and (out / RUNS / run_id).is_dir()
             for name in (read_index(out / RUNS / run_id) or {}).values()}
    named |= records.referenced() if records is not None else set()
    for path in sorted((out / PARTS).glob("*")) if (out / PARTS).is_dir() else []:
        name = f"{PARTS}/{path.name}"
        if name not in named and path.is_file():
            path.unlink()
            recorded.pop(name, None)
    for name in [n for n in recorded if not (out / n).is_file()]:
        del recorded[name]


def run_files(folder: Path) -> dict[str, str]:
    """The hashes of a run folder's files (to record a run checked by content)."""
    return {p.name: sha256(p) for p in sorted(folder.iterdir()) if p.is_file()}


# ---------------------------------------------------------------------------------------- consolidate
def consolidate(out: Path, run_ids: list[str], recorded: dict[str, dict[str, str]],
                seeds: dict[str, int] | None = None, fresh: dict[str, list[Piece]] | None = None,
                parts: PartStore | None = None, records: RecordFiles | None = None) -> tuple[int, dict[str, str]]:
    """Write the batch-wide tables from ``runs/`` (checked first); returns (failed runs, table hashes).

    ``fresh`` holds, by table, the frames of runs stored by this process (:mod:`sim.batch.columns`),
    as they were written: their rows are taken from memory instead of being read back (their files
    are still checked against their hashes). ``parts`` reads (and checks) the parts holding the
    other runs' tables; ``records`` the records files (:mod:`sim.batch.records`). Rows are in plan
    order whichever worker finished first.
    """
    parts = parts if parts is not None else PartStore(out)
    records = records if records is not None else RecordFiles(out, None, parts)
    fresh = fresh or {}
    in_memory = {run_id for pieces in fresh.values() for piece in pieces for run_id in piece.run_ids}
    summaries: list[dict[str, Any]] = []
    timings: list[dict[str, Any]] = []
    position: dict[str, int] = {}  # runs whose rows go into the tables, in plan order
    merged: dict[str, list[Piece]] = {stem: [] for stem in RUN_TABLES}
    folders = set(os.listdir(out / RUNS)) if (out / RUNS).is_dir() else set()  # listed once, not looked for by run
    for run_id in run_ids:  # plan order, so the tables do not depend on which worker finished first
        folder = out / RUNS / run_id
        if run_id in folders:
            summary = check_run(folder, recorded.get(run_id), (seeds or {}).get(run_id), parts)
            index = read_index(folder)
        elif records.has(run_id):
            record = records.record(run_id, (seeds or {}).get(run_id))
            summary, index = dict(record["summary"]), record["tables"]
        else:
            continue
        # the wall time goes to timings.csv, so that the results tables depend on the inputs only
        timings.append({"run_id": run_id, "wall_time_s": summary.pop("wall_time_s", None),
                        "model_cpu_s": summary.pop("model_cpu_s", None)})
        summaries.append(summary)
        if summary["status"] != "ok":
            continue
        position[run_id] = len(position)
        if run_id in in_memory:
            continue
        for stem in RUN_TABLES:
            if index is not None:
                if stem in index:
                    df = parts.table(index[stem], run_id)
                    merged[stem].append(Piece(df, [run_id], [len(df)]))
            elif (path := find_table(folder, stem)) is not None:
                df = read_table(path)
                merged[stem].append(Piece(df, [run_id], [len(df)]))
    for stem, pieces in fresh.items():
        merged[stem] += pieces
    ext = table_ext()
    runs = pd.DataFrame(summaries)
    tables = {"runs": runs, **{stem: in_plan_order(pieces, position) for stem, pieces in merged.items()}}
    tables = {stem: tidy_runs(df) if stem == "runs" else tidy_table(df) for stem, df in tables.items()}
    runs = tables["runs"]
    hashes = {}
    for stem, df in tables.items():
        if stem == "incidents" and not any(r in position for p in merged["incidents"] for r in p.run_ids):
            continue  # a model without incident_frame(): no such table
        atomic_write(out / f"{stem}{ext}", lambda p, df=df: write_table(df, p))
        hashes[f"{stem}{ext}"] = sha256(out / f"{stem}{ext}")
    write_datapackage(out, {stem: (out / f"{stem}{ext}", tables[stem]) for stem in tables
                            if f"{stem}{ext}" in hashes}, f"insim results: {len(run_ids)} runs")
    experiments, outcomes = ema_tables(runs)
    atomic_write(out / "timings.csv", lambda p: pd.DataFrame(timings).to_csv(p, index=False))
    atomic_write(out / "ema_experiments.csv", lambda p: experiments.to_csv(p, index=False))
    atomic_write(out / "ema_outcomes.csv", lambda p: outcomes.to_csv(p, index=False))
    n_failed = int((runs["status"] != "ok").sum()) if len(runs) else 0
    return n_failed, hashes


def ema_tables(runs: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(experiments, outcomes) as EMA Workbench's PRIM and feature scoring take them.

    One row per successful run, in the same order: experiments hold the scenario (as
    ``scenario_name``: EMA drops columns named ``scenario``, ``policy`` or ``model``), the sweep
    columns and, over a posterior, the drawn values ``draw_<parameter>`` (not run id, rep, seed or
    draw id, which are not factors), outcomes the final values.
    """
    if runs.empty or "status" not in runs:
        return pd.DataFrame(), pd.DataFrame()
    ok = runs[runs["status"] == "ok"].reset_index(drop=True)
    outcome_cols = [c for c in ok.columns if c in OUTCOMES or c.startswith(("total_", LAST_MONTH_PREFIX))]
    fixed = {*ID_COLUMNS, DRAW_ID, "status", "n_months", "error", "n_events", "wall_time_s", "model_cpu_s",
             *outcome_cols}
    experiments = ok[["scenario", *[c for c in ok.columns if c not in fixed]]]
    experiments = experiments.rename(columns={c: f"{c}_name" for c in EMA_RESERVED})
    text = [c for c in experiments.columns if pd.api.types.is_string_dtype(experiments[c])]
    experiments = experiments.astype(dict.fromkeys(text, "category"))  # EMA's PRIM takes text as categories
    return experiments, ok[outcome_cols]


# ---------------------------------------------------------------------------------------- read back
@dataclass
class Results:
    """A batch's results: the manifest and the consolidated tables (``incidents`` may be empty)."""

    path: Path | None
    manifest: dict[str, Any]
    runs: pd.DataFrame
    monthly: pd.DataFrame
    villages: pd.DataFrame
    incidents: pd.DataFrame | None = None

    @property
    def ema(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(experiments, outcomes) for EMA Workbench."""
        return ema_tables(self.runs)


def read_manifest(out: Path) -> dict[str, Any]:
    """The folder's manifest, checked to be an insim batch's."""
    if not (out / MANIFEST).is_file():
        raise InputError(out / MANIFEST, None, "missing: not an insim results folder")
    manifest = read_json(out / MANIFEST)
    if not isinstance(manifest, dict) or manifest.get("format") not in FORMATS:
        raise InputError(out / MANIFEST, "format", "not an insim batch manifest", allowed=" or ".join(FORMATS))
    if not isinstance(manifest.get("runs"), list) or not all(isinstance(r, dict) and "run_id" in r
                                                             for r in manifest["runs"]):
        raise InputError(out / MANIFEST, "runs", "missing or malformed")
    # run id -> file -> sha256; table -> sha256; part -> sha256; run id -> records file
    for key in ("files", "tables", "parts", "records"):
        value = manifest.get(key) or {}
        if not isinstance(value, dict) or not all(isinstance(v, dict if key == "files" else str)
                                                  for v in value.values()):
            raise InputError(out / MANIFEST, key, "malformed", allowed="what insim batch wrote there")
    return manifest


def load_results(out: str | Path) -> Results:
    """Read a results folder: every run file is checked against its recorded hash first.

    The batch-wide tables are rebuilt from ``runs/`` when missing; a table that differs from
    the one the batch wrote is an error naming it. A batch that holds fewer runs than it planned
    (interrupted, or runs failed or lost) gives an :class:`~sim.interrupt.IncompleteBatchWarning`
    saying how many are there.
    """
    out = Path(out)
    if not out.is_dir():
        raise InputError(out, None, "no such results folder", allowed="the --out folder of an insim batch")
    manifest = read_manifest(out)
    run_ids = [r["run_id"] for r in manifest["runs"]]
    recorded = manifest.get("files") or {}
    seeds = {r["run_id"]: r.get("seed") for r in manifest["runs"]}
    parts = PartStore(out, manifest.get("parts") or {})
    records = RecordFiles(out, manifest.setdefault("records", {}), parts)
    stems = ("runs", "monthly", "villages")
    written = manifest.get("tables") or {}
    missing = any(find_table(out, s) is None for s in stems) or not (out / "ema_outcomes.csv").is_file()
    if missing:
        with writing(out):
            _, written = consolidate(out, run_ids, recorded, seeds, parts=parts, records=records)
            records.adopt()
            manifest["tables"] = written
            write_json(out / MANIFEST, manifest)
    else:
        for run_id in run_ids:  # a swapped run file is found even when the merged tables look fine
            if (out / RUNS / run_id).exists():
                check_run(out / RUNS / run_id, recorded.get(run_id), seeds.get(run_id), parts)
            elif records.has(run_id):
                records.record(run_id, seeds.get(run_id))
    for name, digest in written.items():
        if (out / name).is_file() and sha256(out / name) != digest:
            raise InputError(out / name, None, "differs from the table the batch wrote (sha256 in manifest.json)",
                             allowed=f"delete {out / name}; it is rebuilt from {out / RUNS} on the next read")
    tables = {s: read_table(find_table(out, s)) for s in stems}
    statuses = tables["runs"]["status"] if "status" in tables["runs"] else pd.Series(dtype=object)
    n_ok = int((statuses == "ok").sum())
    note = incomplete_note(out, manifest.get("status"), len(run_ids), n_ok, len(statuses) - n_ok)
    if note:
        warnings.warn(note, IncompleteBatchWarning, stacklevel=2)
    incidents = find_table(out, "incidents")
    return Results(out, manifest, tables["runs"], tables["monthly"], tables["villages"],
                   read_table(incidents) if incidents else None)
