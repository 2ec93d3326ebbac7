"""What an interrupted ``insim batch`` tells the user: the exact command that finishes it, and,
when its results are read, that they hold only part of the planned runs.

The batch engine marks the manifest ``interrupted`` and keeps every run stored so far
(:mod:`sim.batch.engine`); running the same command with ``--resume`` runs only what is missing.
Reading such a folder (:func:`sim.batch.load_results`, ``insim compare``, ``insim plot``) warns
with :class:`IncompleteBatchWarning`: a comparison of 12 runs out of 30 must not pass for 30.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from pathlib import Path

#: the option that finishes an interrupted batch
RESUME = "--resume"

#: why a batch's planned runs are not all there, by the status in its manifest
UNFINISHED = {"interrupted": "interrupted batch", "running": "unfinished batch: killed, or still running"}


class IncompleteBatchWarning(UserWarning):
    """Results read from a batch folder that does not hold every run it planned (interrupted, or
    runs that failed or were lost)."""


def resume_command(argv: Sequence[str], program: str = "insim") -> str:
    """The command line (quoted for a POSIX shell) that resumes the batch started by ``argv``."""
    args = list(argv)
    if RESUME not in args:
        args.append(RESUME)
    return shlex.join([program, *args])


def incomplete_note(folder: str | Path, status: str | None, planned: int, n_ok: int, n_failed: int) -> str | None:
    """One line saying that the batch in ``folder`` holds ``n_ok`` of its ``planned`` runs, and why;
    None when it holds them all. ``status`` is its manifest's, ``n_failed`` the runs stored as failed."""
    if n_ok >= planned:
        return None
    n_missing = planned - n_ok - n_failed
    reasons = [UNFINISHED[status]] if status in UNFINISHED else []
    if n_failed:
        reasons.append(f"{n_failed} failed")
    if n_missing and status not in UNFINISHED:  # a finished batch's missing runs: their workers died
        reasons.append(f"{n_missing} lost")
    used = f"only these {n_ok} are used" if n_ok else "none can be used"
    return f"{folder}: {n_ok} of {planned} runs ({', '.join(reasons)}; {RESUME} runs the rest); {used}"


def interrupt_behind(exc: BaseException) -> KeyboardInterrupt | None:
    """The Ctrl-C (or SIGTERM, which the CLI turns into one) behind ``exc``, if it is one's disguise.

    A signal's Python handler runs at the next Python code, which can be a callback inside a compiled
    kernel: numba unpickles the type of each array a kernel returns through a Python function. The
    KeyboardInterrupt raised there comes out of the kernel as ``SystemError: ... returned a result with
    an exception set``, chained to it; caught as an ordinary error, a batch recorded the run as failed
    and went on as if no Ctrl-C had come (seen once in a test of Ctrl-C in ``insim validate``). A library's
    clean-up can disguise it too: landing while ``np.savez`` closes a member of its zip file, it comes out as
    ``ValueError: Can't close the ZIP file ...``, the KeyboardInterrupt as its context (seen in CI).
    """
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, KeyboardInterrupt):
            return exc
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return None


def raise_interrupt_behind(exc: BaseException) -> None:
    """Raise the Ctrl-C behind ``exc`` (:func:`interrupt_behind`), if there is one: for the handlers that
    count a failing run and go on, so that Ctrl-C still stops them."""
    stop = interrupt_behind(exc)
    if stop is not None:
        raise stop from None
