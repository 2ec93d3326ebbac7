"""Output folders checked before any work: a command that cannot write its results says so at once.

Every command that writes (a batch's ``--out``, a calibration's folder, a ``--json`` file's folder)
makes the folder and writes and removes a probe file in it first, so a read-only disk, a full disk
or a path through a file is a clear error naming the folder before hours of runs, not a traceback
after them.

A folder one command wrote is recognised by its files (:func:`folder_kind`), so another command
refuses it, naming what it holds, before it replaces or mixes with those results.
"""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

from sim.errors import InputError


def check_writable(folder: Path, option: str | None = None) -> None:
    """Make ``folder`` and prove it can be written; InputError naming it (and ``option``) otherwise."""
    if folder.exists() and not folder.is_dir():
        raise InputError(folder, option, "is a file, not a folder", allowed="a folder (created if missing)")
    probe = folder / f".insim-write-test-{os.getpid()}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        full = exc.errno in (errno.ENOSPC, errno.EDQUOT)
        raise InputError(folder, option, f"cannot write there: {exc.strerror or exc}",
                         allowed="free some space" if full else "a folder you can write to") from None


#: what each command leaves in its output folder, in words, by kind
KINDS: dict[str, str] = {
    "calibration": "a calibration (insim calibrate)",
    "validation": "a validation (insim validate)",
    "sensitivity": "a sensitivity screening (insim sensitivity)",
    "hindcast": "a hindcast (insim hindcast)",
    "run": "a run (insim run --out)",
    "batch": "a batch's results (insim batch)",
    "unknown": "a manifest.json that is not an insim batch's",
}

#: files only one command writes (a calibration's folder also holds a hindcast.png: it is looked at first)
_MARKERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("calibration", ("fingerprint.json", "abc.db", "calls.jsonl", "particles.parquet", "history_matching.json")),
    ("validation", ("validation.json", "validation.txt")),
    ("sensitivity", ("morris.csv", "design.csv", "morris.md")),
    ("hindcast", ("hindcast.json", "hindcast.txt")),
)

#: kinds whose folder (or its ``runs/``) is a batch the engine can resume
BATCH_KINDS = ("batch", "run", "validation", "sensitivity")


def _batch_kind(manifest: Path) -> str:
    """The kind of batch ``manifest`` describes, from the command that started it."""
    from sim.batch.store import FORMATS

    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "unknown"
    if not isinstance(data, dict) or data.get("format") not in FORMATS:
        return "unknown"
    command = data.get("command") or []
    words = command.split() if isinstance(command, str) else [str(w) for w in command]
    verb = next((w for w in words if w != "insim"), "")
    if verb == "validate" or verb.startswith("sim.validation"):
        return "validation"
    return verb if verb in ("run", "sensitivity") else "batch"


def folder_kind(folder: Path) -> str | None:
    """Which command's results ``folder`` holds (a key of :data:`KINDS`), or None when none's."""
    from sim.batch.store import MANIFEST, RUNS

    if not folder.is_dir():
        return None
    for kind, names in _MARKERS:
        if any((folder / name).exists() for name in names):
            return kind
    if (folder / MANIFEST).is_file():
        return _batch_kind(folder / MANIFEST)
    if (folder / RUNS / MANIFEST).is_file():  # a validation or screening stopped before its report
        kind = _batch_kind(folder / RUNS / MANIFEST)
        return kind if kind in ("validation", "sensitivity") else None
    return None


def check_output_folder(folder: Path, option: str | None, own: str | None, allowed: str) -> None:
    """InputError naming what ``folder`` holds if another command's results are there (``own``'s may be)."""
    kind = folder_kind(folder)
    if kind is not None and kind != own:
        raise InputError(folder, option, f"holds {KINDS[kind]}", allowed=allowed)


def check_batch_folder(out: Path, resume: bool) -> None:
    """InputError unless ``out`` can take a batch: a new folder, or with ``resume`` a batch to finish."""
    from sim.batch.store import MANIFEST

    kind = folder_kind(out)
    if resume and kind == "unknown":
        return  # the engine reads the manifest and names what is wrong with it
    if kind in BATCH_KINDS and (out / MANIFEST).is_file():
        if not resume:
            raise InputError(out, None, f"already holds {KINDS[kind]}",
                             allowed="--resume to finish that batch, or another folder")
        return
    check_output_folder(out, None, None, allowed="a new or empty folder, or a batch's folder with --resume")
