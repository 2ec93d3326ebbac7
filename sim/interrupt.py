"""What an interrupted ``insim batch`` tells the user: the exact command that finishes it.

The batch engine marks the manifest ``interrupted`` and keeps every run stored so far
(:mod:`sim.batch.engine`); running the same command with ``--resume`` runs only what is missing.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence

#: the option that finishes an interrupted batch
RESUME = "--resume"


def resume_command(argv: Sequence[str], program: str = "insim") -> str:
    """The command line (quoted for a POSIX shell) that resumes the batch started by ``argv``."""
    args = list(argv)
    if RESUME not in args:
        args.append(RESUME)
    return shlex.join([program, *args])
