"""Per-run tables written in bulk: one file per table for many runs (a *part*), not a file per run per table.

A batch stores its finished runs in groups: the ``monthly``, ``villages`` and ``incidents`` rows
of the whole group go into ``parts/<table>-<group>-<k>.parquet`` (``k`` numbers the column sets,
so runs with different sweep keys never share a file and every run's rows keep their types); each
run's record (:mod:`sim.batch.records`, or a run folder's ``tables.json``) names the part that holds
each of its tables. Parts are written before the records, so a stored run has its tables on disk;
the manifest records each part's sha256 (``parts``), and a part that no longer matches is refused
as a run file is.

A group is stored when it has :data:`FLUSH_RUNS` runs, or when its first run finished
:func:`flush_after` seconds ago: :data:`FLUSH_SECONDS` at first, then a twentieth of the batch's
time so far (at most :data:`FLUSH_MAX_SECONDS`), since each group costs a few fixed writes (three
parts and the manifest, some 30-50 ms). Ctrl-C and SIGTERM store the group at once; a batch killed
outright (``kill -9``, out of memory) loses the runs finished since the last group was stored (at
most 5% of its work so far, and at most :data:`FLUSH_MAX_SECONDS`); resume runs them again.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from sim.batch.columns import Piece
from sim.batch.files import atomic_write, read_json, read_table, sha256, table_ext, write_table
from sim.errors import InputError

PARTS = "parts"
#: in a run folder: the part holding each of the run's tables
TABLE_INDEX = "tables.json"
#: per-run tables, in the order they are consolidated (``incidents`` only if the model has them)
RUN_TABLES = ("monthly", "villages", "incidents")
#: the tables every successful run has
REQUIRED_TABLES = ("monthly", "villages")
#: a group of finished runs is stored when it has this many runs ...
FLUSH_RUNS = 256
#: ... or when its first run finished this many seconds ago (at first; see :func:`flush_after`): a
#: group's fixed writes (~15-30 ms) then cost under 1% of the batch's time, and a kill loses little
FLUSH_SECONDS = 5.0
#: the longest a finished run waits to be stored, in seconds
FLUSH_MAX_SECONDS = 30.0
#: the share of the batch's time so far a finished run may wait to be stored
FLUSH_SHARE = 0.05


def flush_after(elapsed: float) -> float:
    """Seconds a group waits for more runs, ``elapsed`` seconds into the batch (see the module)."""
    return min(FLUSH_MAX_SECONDS, max(FLUSH_SECONDS, FLUSH_SHARE * elapsed))

_NUMBER = re.compile(r"-(\d+)-\d+\.\w+$")


def next_group(out: Path) -> int:
    """The number of the next group of parts in ``out`` (after every part already there)."""
    numbers = [int(m.group(1)) for p in (out / PARTS).glob("*") if (m := _NUMBER.search(p.name))]
    return max(numbers, default=-1) + 1


def write_parts(out: Path, pieces: dict[str, list[Piece]],
                group: int) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    """Write the tables of a group of runs (by table, its frames: :func:`sim.batch.columns.group_frames`)
    as parts of ``group``, one file per frame.

    Returns each run's part by table (paths relative to ``out``) and each part's sha256.
    """
    (out / PARTS).mkdir(exist_ok=True)
    ext = table_ext()
    index: dict[str, dict[str, str]] = {}
    hashes: dict[str, str] = {}
    for stem in RUN_TABLES:
        for k, piece in enumerate(pieces.get(stem, [])):
            name = f"{PARTS}/{stem}-{group:06d}-{k}{ext}"
            atomic_write(out / name, lambda p, rows=piece.rows: write_table(rows, p, statistics=False))
            hashes[name] = sha256(out / name)
            for run_id in piece.run_ids:
                index.setdefault(run_id, {})[stem] = name
    return index, hashes


def read_index(folder: Path, data: bytes | None = None) -> dict[str, str] | None:
    """A run folder's parts by table (None for a run stored with its own table files); ``data`` is the
    index file's bytes when already read."""
    path = folder / TABLE_INDEX
    if data is None and not path.is_file():
        return None
    index = read_json(path, data)
    if not isinstance(index, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in index.items()):
        raise InputError(path, None, "malformed: a table of table names and part files",
                         allowed=f"delete {folder} and resume (--resume) to run it again")
    return index


class PartStore:
    """The parts of a results folder, each checked and read once; a run's rows of a table.

    ``recorded`` is the manifest's ``parts`` (name -> sha256); parts checked by content (stored
    just before a kill, so not recorded yet) are added to it.
    """

    def __init__(self, out: Path, recorded: dict[str, str] | None = None) -> None:
        self.out = out
        self.recorded = recorded if recorded is not None else {}
        self.checked: set[str] = set()
        self.rows: dict[str, tuple[pd.DataFrame, dict[str, pd.DataFrame]]] = {}

    def check(self, name: str, run_id: str, seed: int | None, again: str, content: bool = True) -> None:
        """InputError naming the part unless it is there, unchanged, and (not recorded, ``content``) holds this run."""
        if name in self.checked:  # there and unchanged when first checked by this store: not looked at again
            return
        path = self.out / name
        if not path.is_file():
            raise InputError(path, None, "missing (the run folder is incomplete)", allowed=again)
        digest = self.recorded.get(name)
        if digest is not None:
            if name not in self.checked and sha256(path) != digest:
                raise InputError(path, None, "differs from the file stored by the batch (its sha256 in manifest.json "
                                 "does not match): swapped or corrupted", allowed=again)
            self.checked.add(name)
            return
        if not content:
            return
        rows = self.table(name, run_id)  # checked by content: the run's rows, with its seed
        if rows.empty or (seed is not None and "seed" in rows and set(rows["seed"].tolist()) != {seed}):
            raise InputError(path, "run_id", f"holds rows of another run than {run_id}", allowed=again)

    def check_index(self, index: dict[str, str], run_id: str, seed: int | None, again: str, content: bool,
                    missing: Callable[[str], InputError]) -> None:
        """Check a run's parts by table (its ``tables.json`` or its record): every required table named
        (else the error ``missing(table)`` makes) and each part there and unchanged; with ``content``
        (not recorded yet), its monthly part holding this run's rows too (:meth:`check`)."""
        for stem in REQUIRED_TABLES:
            if stem not in index:
                raise missing(stem)
        for stem, name in index.items():
            self.check(name, run_id, seed, again, content=content and stem == "monthly")

    def record_checked(self, names: list[str]) -> None:
        """Record the hashes of parts that were checked by content."""
        for name in names:
            if name not in self.recorded:
                self.recorded[name] = sha256(self.out / name)

    def table(self, name: str, run_id: str) -> pd.DataFrame:
        """The rows of ``run_id`` in the part ``name`` (no rows: an empty table with the part's columns)."""
        if name not in self.rows:
            df = read_table(self.out / name)
            groups = {str(k): g.reset_index(drop=True) for k, g in df.groupby("run_id", sort=False)} if len(df) else {}
            self.rows[name] = (df.iloc[0:0], groups)
        empty, groups = self.rows[name]
        return groups.get(run_id, empty)


def referenced(index_files: list[dict[str, Any] | None]) -> set[str]:
    """The parts named by the given run indexes."""
    return {name for index in index_files if index for name in index.values()}
