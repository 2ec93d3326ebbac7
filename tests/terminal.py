"""Start a command that a test will Ctrl-C as a terminal would start it.

A shell starts background jobs with SIGINT ignored, children inherit that, and Python keeps a
signal ignored that it starts with: a suite launched in the background (``make test &``, some CI
runners) would send its Ctrl-C into the void. Passed as ``preexec_fn``, this gives the command
Ctrl-C's default disposition, so those tests do not depend on how the suite was launched.
:func:`disposition` tells how a running command takes a signal, so a test can wait for it.
"""

from __future__ import annotations

import signal
from pathlib import Path


def default_ctrl_c() -> None:
    """In the child, before it runs the command: SIGINT back to its default disposition."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def disposition(pid: int, sig: signal.Signals) -> str | None:
    """How process ``pid`` takes ``sig`` now: "ignored", "caught" (a handler) or "default"; None when
    it is gone (Linux: its /proc status).

    A test that signals a command at a given point waits on this instead of a fixed sleep (e.g. for
    the end of a block where the command ignores Ctrl-C), however slowly a loaded machine runs it.
    """
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    masks = dict(line.split(":\t", 1) for line in status.splitlines() if line.startswith(("SigIgn:", "SigCgt:")))
    for name, field in (("ignored", "SigIgn"), ("caught", "SigCgt")):
        if int(masks[field], 16) >> (sig - 1) & 1:
            return name
    return "default"
