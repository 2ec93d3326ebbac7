"""A batch's manifest (what it ran, with which inputs and versions) and its lock file.

``manifest.json`` records the inputs (every scenario file read and the map, with their sha256),
the plan (run ids and seeds), over a posterior the calibration folder, its particles file's sha256
and each replicate's draw, the versions, the command, the status, and for every stored run
the sha256 of each of its files, so a run folder swapped or corrupted after the fact is found.

``.lock`` holds the process id and host of the batch writing the folder: a second batch on the
same folder refuses to start; a lock left by a process that no longer exists is taken over.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import platform
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.batch.plan import RunSpec
from sim.batch.store import FORMAT, FORMATS, MANIFEST, sha256, write_json
from sim.errors import InputError
from sim.resources import code_version
from sim.scenario import load_scenario

LOCK = ".lock"


def now() -> str:
    """The time now, UTC, ISO format to the second."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def versions() -> dict[str, str]:
    """Versions of insim and the libraries that shape its results."""
    import mesa

    import sim

    return {"insim": sim.__version__, "mesa": mesa.__version__, "numpy": np.__version__, "pandas": pd.__version__,
            "python": platform.python_version()}


def jsonable(data: Any) -> Any:
    """``data`` as JSON would give it back (dates as strings, tuples as lists)."""
    return json.loads(json.dumps(data, default=str))


def sweep_of(specs: list[RunSpec]) -> dict[str, list[Any]]:
    """The sweep values of a plan, in order."""
    sweep: dict[str, list[Any]] = {}
    for spec in specs:
        for key, value in spec.sweep.items():
            if value not in sweep.setdefault(key, []):
                sweep[key].append(value)
    return sweep


def inputs_of(specs: list[RunSpec]) -> dict[str, Any]:
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
            "sha256": {str(f): sha256(f) for f in files},
            "resolved": sc.resolved,
        }
    return {"scenarios": scenarios, "sets": specs[0].sets, "sweep": sweep_of(specs), "posterior": posterior_of(specs)}


def posterior_of(specs: list[RunSpec]) -> dict[str, Any] | None:
    """The posterior a plan draws from: folder, particles file's sha256, each replicate's draw (None if none)."""
    first = specs[0]
    if first.posterior is None:
        return None
    by_rep: dict[int, RunSpec] = {}
    for spec in specs:
        by_rep.setdefault(spec.rep, spec)
    return {"folder": first.posterior, "sha256": first.posterior_sha256,
            "draws": [{"rep": rep, "draw_id": s.draw_id, "values": s.draw} for rep, s in sorted(by_rep.items())]}


def new_manifest(specs: list[RunSpec], inputs: dict[str, Any], command: str | list[str] | None) -> dict[str, Any]:
    """The manifest of a batch about to start."""
    return {
        "format": FORMAT, "root_seed": specs[0].root_seed, **jsonable(inputs),
        "runs": [{"run_id": s.run_id, "scenario": s.scenario, "sweep": s.sweep, "rep": s.rep, "seed": s.seed,
                  **({} if s.draw_id is None else {"draw_id": s.draw_id})} for s in specs],
        "versions": versions(), "code": code_version(), "host": socket.gethostname(), "platform": platform.platform(),
        "command": command if command is None or isinstance(command, str) else list(command),
        "started": now(), "finished": None, "status": "running", "files": {},
    }


def check_same_batch(out: Path, manifest: dict[str, Any], specs: list[RunSpec], inputs: dict[str, Any]) -> None:
    """InputError unless ``manifest`` describes the batch ``specs`` would run."""
    path = out / MANIFEST
    if manifest.get("format") not in FORMATS:
        raise InputError(path, "format", f"not an insim batch manifest (format {manifest.get('format')!r})",
                         allowed=" or ".join(FORMATS))
    try:
        old = {r["run_id"]: r["seed"] for r in manifest["runs"]}
    except (KeyError, TypeError):
        raise InputError(path, "runs", "missing or malformed") from None
    if not isinstance(manifest.get("files", {}), dict):
        raise InputError(path, "files", "malformed (a table of run ids and their files' sha256)")
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
    if manifest.get("sets") != jsonable(inputs["sets"]):
        differences.append(f"sets {jsonable(inputs['sets'])} instead of {manifest.get('sets')}")
    differences += posterior_differences(manifest.get("posterior"), inputs["posterior"])
    old_files = {f: h for sc in manifest.get("scenarios", {}).values() for f, h in sc.get("sha256", {}).items()}
    new_files = {f: h for sc in inputs["scenarios"].values() for f, h in sc["sha256"].items()}
    for f, h in new_files.items():  # one line per file, however many scenarios share it
        if f in old_files and old_files[f] != h:
            differences.append(f"{f} changed since the batch started")
    if differences:
        raise InputError(out, None, "holds a different batch: " + "; ".join(differences),
                         allowed="the same scenarios, sets, sweep, reps, seed and posterior to resume, or another "
                                 "folder")


def posterior_differences(old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[str]:
    """Why a batch over posterior ``old`` cannot be resumed over ``new`` (the folder may have moved)."""
    if old is None and new is None:
        return []
    if old is None or new is None:
        return ["a posterior now but not when the batch started" if old is None else
                f"no posterior now, but the batch started over {old.get('folder')}"]
    if old.get("sha256") != new["sha256"]:
        return [f"the posterior's particles file in {new['folder']} changed since the batch started (sha256 "
                f"{str(old.get('sha256'))[:12]}... then, {new['sha256'][:12]}... now)"]
    if old.get("draws") != jsonable(new["draws"]):
        return ["other posterior draws (another root seed or number of draws?)"]
    return []


class ManifestWriter:
    """Writes the manifest as runs are stored, at most once a second (it may be large)."""

    def __init__(self, path: Path, manifest: dict[str, Any], interval: float = 1.0) -> None:
        self.path, self.manifest, self.interval = path, manifest, interval
        self.last = 0.0
        self.cost = 0.0  # seconds the last write took

    def record(self, run_id: str, hashes: dict[str, str], write: bool = True) -> None:
        """Note a stored run's file hashes; write if ``write`` and the last write is old enough
        (:meth:`write_if_due`)."""
        self.manifest.setdefault("files", {})[run_id] = hashes
        if write:
            self.write_if_due()

    def write_if_due(self) -> None:
        """Write if the last write is old enough.

        The manifest grows with the runs: it is written at most once per ``interval`` and per 20
        times its own writing time, so writing it never takes more than about 5% of the batch.
        """
        if time.monotonic() - self.last >= max(self.interval, 20 * self.cost):
            self.write(compact=True)

    def forget(self, run_id: str) -> None:
        """Drop a run's hashes (its folder is about to be replaced)."""
        self.manifest.setdefault("files", {}).pop(run_id, None)

    def write(self, compact: bool = False) -> None:
        """Write now: indented, or ``compact`` (as runs are stored: a large manifest is written many
        times, and indenting it takes Python's slow encoder; the batch's last write is indented)."""
        began = time.monotonic()
        write_json(self.path, self.manifest, None if compact else 2)
        self.last = time.monotonic()
        self.cost = self.last - began


# ---------------------------------------------------------------------------------------- lock
def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    return True


@contextlib.contextmanager
def locked(out: Path) -> Iterator[None]:
    """Hold ``out/.lock`` while a batch writes ``out``; InputError if another live batch holds it."""
    path = out / LOCK
    me = {"pid": os.getpid(), "host": socket.gethostname(), "since": now()}
    for _ in range(3):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            try:
                holder = json.loads(path.read_text())
                pid, host = int(holder["pid"]), str(holder["host"])
            except (OSError, ValueError, KeyError, TypeError):
                holder, pid, host = {}, -1, me["host"]  # unreadable: left by a process killed mid-write
            if host == me["host"] and (pid <= 0 or not _alive(pid)):
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()  # stale: its process is gone
                continue
            raise InputError(out, None, f"another batch is writing this folder (process {pid} on {host}, "
                             f"since {holder.get('since', '?')}; lock file {path})",
                             allowed="wait for it to finish, or another --out folder; delete the lock file only "
                             "if that process is really gone") from None
        with os.fdopen(fd, "w") as f:
            f.write(json.dumps(me) + "\n")
        break
    else:
        raise InputError(path, None, "cannot take over the lock file", allowed="delete it if no batch is running")
    try:
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
