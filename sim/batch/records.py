"""Finished runs stored in bulk: a group's runs in one file of records, not a folder and three files each.

A batch stores its finished runs in groups (:mod:`sim.batch.parts`). The successful runs of a group
(those without a probe's arrays) go into one JSON file, ``parts/runs-<group>-0.json``, holding for
each run its summary, its events and the parts holding its tables::

    {"runs": {"<run_id>": {"summary": {...}, "events": [...], "tables": {"monthly": "parts/...", ...}}}}

The manifest names each run's file (``records``: run id -> file) and keeps the file's sha256 with the
parts' (``parts``). A folder and three small files per run were the largest cost of the batch's own
process, and the most variable: 0.06-1.4 ms a run by the state of the file system. A failed run
(its traceback in ``error.txt``) and a run with a probe's arrays keep a folder of their own,
``runs/<run_id>/``, as every run did in results folders written before (which are still read).

A records file written just before its batch was killed, which the manifest does not name yet, is
checked by content when the batch is resumed or read (each record names its run and seed) and then
named; a file whose sha256 no longer matches is refused, naming it. Deleting a records file and
resuming runs its runs again.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from sim.batch.files import atomic_write, read_json, sha256
from sim.batch.parts import PARTS, PartStore
from sim.errors import InputError

#: the stem of a records file in ``parts/``
RECORDS = "runs"


def record_of(summary: dict[str, Any], events: list[Any], tables: dict[str, str]) -> dict[str, Any]:
    """One run's record: its summary, its events and the part holding each of its tables."""
    return {"summary": summary, "events": events, "tables": tables}


def write_records(out: Path, group: int, records: dict[str, dict[str, Any]]) -> tuple[str, str]:
    """Write the records of a group's runs (by run id) as one file; returns its name (relative to ``out``)
    and its sha256."""
    (out / PARTS).mkdir(exist_ok=True)
    name = f"{PARTS}/{RECORDS}-{group:06d}-0.json"
    data = (json.dumps({"runs": records}, default=str) + "\n").encode()  # compact: the C encoder
    atomic_write(out / name, lambda p: p.write_bytes(data))
    return name, hashlib.sha256(data).hexdigest()


class RecordFiles:
    """The records files of a results folder: which run each holds, each file checked and read once.

    ``named`` is the manifest's ``records`` (run id -> file), ``parts`` the folder's parts (whose
    ``recorded`` hashes hold the records files' too). Files the manifest does not name (written
    just before a kill) are found in ``parts/``, named, and checked by content; :meth:`adopt` then
    records their hashes.
    """

    def __init__(self, out: Path, named: dict[str, str] | None = None, parts: PartStore | None = None) -> None:
        self.out = out
        self.named = named if named is not None else {}
        self.parts = parts if parts is not None else PartStore(out)
        self.runs: dict[str, dict[str, dict[str, Any]]] = {}  # file -> its records, once read and checked
        self.unrecorded: set[str] = set()
        self.present: set[str] = set()  # files found there (see has)
        folder = out / PARTS
        for path in sorted(folder.glob(f"{RECORDS}-*.json")) if folder.is_dir() else []:
            name = f"{PARTS}/{path.name}"
            if name not in self.parts.recorded:
                self.unrecorded.add(name)
                for run_id in self._read(name):
                    self.named.setdefault(run_id, name)

    @classmethod
    def of_manifest(cls, out: Path, manifest: dict[str, Any]) -> RecordFiles:
        """The records files of a batch being run in ``out``: named and hashed in ``manifest`` itself (its
        ``records`` and ``parts``, made if missing), so that what is stored or adopted is written with it."""
        return cls(out, manifest.setdefault("records", {}), PartStore(out, manifest.setdefault("parts", {})))

    def has(self, run_id: str) -> bool:
        """Whether a records file that is there holds ``run_id`` (each file looked for once: a batch asks
        for each of its runs several times)."""
        name = self.named.get(run_id)
        if name is None:
            return False
        if name not in self.present and (self.out / name).is_file():
            self.present.add(name)
        return name in self.present

    def forget(self, run_id: str) -> None:
        """Drop ``run_id`` (its records file was deleted: the run is to be run again)."""
        self.named.pop(run_id, None)

    def again(self, name: str) -> str:
        """What to do about a bad records file."""
        return f"delete {self.out / name} and resume (--resume) to run its runs again"

    def record(self, run_id: str, seed: int | None = None) -> dict[str, Any]:
        """The record of ``run_id``, checked: its file unchanged (or, not yet recorded, its record naming this
        run and ``seed``) and its tables' parts there; InputError naming the file otherwise."""
        name = self.named[run_id]
        path, again = self.out / name, self.again(name)
        record = self._read(name).get(run_id)
        if record is None:
            raise InputError(path, run_id, "no record of this run, which manifest.json says is there", allowed=again)
        summary, tables = record.get("summary"), record.get("tables")
        if (not isinstance(summary, dict) or summary.get("status") != "ok" or not isinstance(record.get("events"), list)
                or not isinstance(tables, dict) or not all(isinstance(v, str) for v in tables.values())):
            raise InputError(path, run_id, "malformed: a run's summary, events and tables", allowed=again)
        content = name in self.unrecorded
        if content and (summary.get("run_id") != run_id or (seed is not None and summary.get("seed") != seed)):
            raise InputError(path, run_id, f"belongs to run {summary.get('run_id')!r} (seed {summary.get('seed')}), "
                             f"not to {run_id}", allowed=again)
        self.parts.check_index(tables, run_id, seed, again, content, missing=lambda stem: InputError(
            path, run_id, f"names no part holding its {stem} table", allowed=again))
        return record

    def adopt(self) -> None:
        """Record the hashes of the files checked by content, so they are checked by hash from now on."""
        for name in sorted(self.unrecorded):
            if (self.out / name).is_file():
                self.parts.recorded[name] = sha256(self.out / name)
        self.unrecorded.clear()

    def referenced(self) -> set[str]:
        """The records files that hold a run, and the parts their runs' tables are in."""
        names = {name for name in self.named.values() if (self.out / name).is_file()}
        return names | {part for name in names for record in self._read(name).values()
                        if isinstance(record, dict) and isinstance(record.get("tables"), dict)
                        for part in record["tables"].values()}

    def _read(self, name: str) -> dict[str, dict[str, Any]]:
        """The records of file ``name``, checked against its recorded hash."""
        if name not in self.runs:
            path = self.out / name
            try:
                data = path.read_bytes()
            except FileNotFoundError:
                raise InputError(path, None, "missing (runs the manifest says are stored there)",
                                 allowed="resume (--resume) to run them again") from None
            digest = self.parts.recorded.get(name)
            if digest is not None and sha256(path, data) != digest:
                raise InputError(path, None, "differs from the file stored by the batch (its sha256 in manifest.json "
                                 "does not match): swapped or corrupted", allowed=self.again(name))
            content = read_json(path, data)
            if not isinstance(content, dict) or not isinstance(content.get("runs"), dict):
                raise InputError(path, "runs", "missing: not a file of run records", allowed=self.again(name))
            self.runs[name] = content["runs"]
        return self.runs[name]
