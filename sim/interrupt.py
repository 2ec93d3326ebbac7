"""What an interrupted ``insim batch`` tells the user: the exact command that finishes it, and,
when its results are read, that they hold only part of the planned runs.

The batch engine marks the manifest ``interrupted`` and keeps every run stored so far
(:mod:`sim.batch.engine`); running the same command with ``--resume`` runs only what is missing.
Reading such a folder (:func:`sim.batch.load_results`, ``insim compare``, ``insim plot``) warns
with :class:`IncompleteBatchWarning`: a comparison of 12 runs out of 30 must not pass for 30.
"""

from __future__ import annotations

import contextlib
import shlex
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import FrameType
from typing import Any

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


class _Received:
    """Whether a Ctrl-C (or the CLI's SIGTERM) came since the outermost :func:`interrupts_noted` began."""

    depth = 0
    came = False


def note_interrupt() -> None:
    """Note that a Ctrl-C or SIGTERM came: for a signal handler, before it raises KeyboardInterrupt."""
    _Received.came = True


def interrupt_noted() -> bool:
    """True when a Ctrl-C (or the CLI's SIGTERM) came inside the outermost :func:`interrupts_noted` now running."""
    return _Received.came


@contextlib.contextmanager
def interrupts_noted() -> Iterator[None]:
    """While inside, each Ctrl-C is noted (:func:`interrupt_noted`) before Python raises KeyboardInterrupt for it.

    A library can turn the KeyboardInterrupt into an error of its own that does not name it: Ctrl-C landing in
    the object-mode callback of a numba kernel came out as ``TypeError: willing_now expected 4 arguments, got
    0``, and a batch recorded the run as failed and went on, as if no Ctrl-C had come (seen when Ctrl-C was sent
    at random moments). The note lets :func:`interrupt_behind` tell such an error from a failing run. Only in the
    main thread (where Python runs signal handlers) and when Ctrl-C has a Python handler (not ignored); nested
    uses share the outermost's note, which is cleared when the outermost begins and ends: the handlers that read
    it (the batch engine's, the CLI's) run inside. A KeyboardInterrupt that Python cannot raise (in a callback
    from C) is not printed as an ignored exception with its traceback: it is noted, and a batch stops after the
    run it came in.
    """
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.getsignal(signal.SIGINT) if in_main_thread else None
    previous_hook = sys.unraisablehook
    if _Received.depth == 0:
        _Received.came = False
    _Received.depth += 1
    if callable(previous):
        def noted(signum: int, frame: FrameType | None) -> Any:
            note_interrupt()
            return previous(signum, frame)

        def unraisable(info: Any) -> None:
            # raised in a callback from C (llvmlite's, while numba loads a kernel), the KeyboardInterrupt cannot
            # propagate and Python would print it as "Exception ignored" with a traceback: it is noted instead
            if not issubclass(info.exc_type, KeyboardInterrupt):
                previous_hook(info)

        signal.signal(signal.SIGINT, noted)
        sys.unraisablehook = unraisable
    try:
        yield
    finally:
        _Received.depth -= 1
        if _Received.depth == 0:  # a note kept would make a later real error pass for a Ctrl-C
            _Received.came = False
        if callable(previous):
            signal.signal(signal.SIGINT, previous)
            sys.unraisablehook = previous_hook


def interrupt_behind(exc: BaseException) -> KeyboardInterrupt | None:
    """The Ctrl-C (or SIGTERM, which the CLI turns into one) behind ``exc``, if it is one's disguise.

    A signal's Python handler runs at the next Python code, which can be a callback inside a compiled
    kernel: numba unpickles the type of each array a kernel returns through a Python function. The
    KeyboardInterrupt raised there comes out of the kernel as ``SystemError: ... returned a result with
    an exception set``, chained to it; caught as an ordinary error, a batch recorded the run as failed
    and went on as if no Ctrl-C had come (seen once in a test of Ctrl-C in ``insim validate``). A library's
    clean-up can disguise it too: landing while ``np.savez`` closes a member of its zip file, it comes out as
    ``ValueError: Can't close the ZIP file ...``, the KeyboardInterrupt as its context (seen in CI). Where the
    disguise does not name the KeyboardInterrupt at all, a Ctrl-C noted by :func:`interrupts_noted` makes any
    error one: a new KeyboardInterrupt is returned.
    """
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, KeyboardInterrupt):
            return exc
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return KeyboardInterrupt() if interrupt_noted() else None


def raise_interrupt_behind(exc: BaseException) -> None:
    """Raise the Ctrl-C behind ``exc`` (:func:`interrupt_behind`), if there is one: for the handlers that
    count a failing run and go on, so that Ctrl-C still stops them."""
    stop = interrupt_behind(exc)
    if stop is not None:
        raise stop from None
