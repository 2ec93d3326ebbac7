"""Output folders checked before any work: a command that cannot write its results says so at once.

Every command that writes (a batch's ``--out``, a calibration's folder, a ``--json`` file's folder)
makes the folder and writes and removes a probe file in it first, so a read-only disk, a full disk
or a path through a file is a clear error naming the folder before hours of runs, not a traceback
after them.
"""

from __future__ import annotations

import errno
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
