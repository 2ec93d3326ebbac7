"""Run the Solara server as a child process that stops, and frees its port, when insim is told to stop.

``subprocess.call`` left the server running when ``insim viz`` got SIGTERM (a service manager, a
``kill``, a closed terminal): the child kept the port. :func:`serve` starts the server in its own
process group, forwards SIGINT, SIGTERM and SIGHUP to that group, waits a short grace period for
uvicorn to close (an open browser tab holds a websocket that uvicorn would otherwise wait for),
and then kills the group. It returns only when the server is gone.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Mapping, Sequence
from types import FrameType

#: seconds the server gets to shut down cleanly before it is killed
GRACE_SECONDS = 2.0
STOP_SIGNALS: tuple[signal.Signals, ...] = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def _signal_group(proc: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):  # already gone
        os.killpg(proc.pid, sig)


def stop(proc: subprocess.Popen[bytes], grace: float = GRACE_SECONDS) -> int:
    """Stop the server's process group: SIGTERM, then SIGKILL after ``grace`` seconds; its exit status."""
    if proc.poll() is None:
        _signal_group(proc, signal.SIGTERM)
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            _signal_group(proc, signal.SIGKILL)
            proc.wait()
    return proc.returncode


def serve(command: Sequence[str], env: Mapping[str, str] | None = None, grace: float = GRACE_SECONDS) -> int:
    """Run ``command`` (the server) until it exits or this process gets SIGINT/SIGTERM/SIGHUP.

    Returns the server's exit status, or 0 when a stop signal ended it (Ctrl-C is how one stops
    a server). Must be called from the main thread (Python installs signal handlers only there).
    """
    stopping: list[int] = []
    proc: subprocess.Popen[bytes] | None = None

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        stopping.append(signum)
        if proc is not None:  # inside Popen it is only noted: raising there would lose the started child
            raise KeyboardInterrupt  # leave proc.wait() below, whichever signal it was

    # set before the server starts: a signal while it starts (its own session, out of reach of a
    # signal to ours) ends it too, instead of ending insim and leaving the server holding the port.
    # (Blocking the signals instead would block them in the server too: a child inherits the mask.)
    previous = {sig: signal.signal(sig, on_signal) for sig in STOP_SIGNALS}
    try:
        proc = subprocess.Popen(list(command), env=dict(env) if env is not None else None, start_new_session=True)
        if stopping:  # a signal came while the server started
            raise KeyboardInterrupt
        return proc.wait()
    except KeyboardInterrupt:
        if proc is not None:
            stop(proc, grace)
        return 0
    finally:
        if proc is not None and proc.poll() is None:  # any other way out: never leave the server behind
            stop(proc, grace)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
