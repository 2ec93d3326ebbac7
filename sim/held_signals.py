"""Ctrl-C and SIGTERM held back while work that must not be cut short finishes, and signal handlers put back.

Kept apart from :mod:`sim.interrupt` because :mod:`sim.compiled` imports it: every module the kernels import is
part of the digest that names their cache (:func:`sim.compiled.source_digest`), so this one changes rarely.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType
from typing import Any


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """While inside, Ctrl-C and SIGTERM wait: the first that comes is sent again, to the handler in place before,
    when the block ends (in the main thread, where Python runs handlers; elsewhere nothing changes).

    For work that a KeyboardInterrupt must not cut short: numba loads a kernel through llvmlite, which calls back
    into Python from C; a KeyboardInterrupt raised in such a callback cannot propagate (Python printed it as an
    "Exception ignored" and went on), the callback fails, and the C side is left with what it returns instead
    (Ctrl-C sent at random moments: one segmentation fault in 80 trials, besides two printed as ignored).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []

    def hold(signum: int, frame: FrameType | None) -> None:
        caught.append(signum)

    previous = {sig: signal.signal(sig, hold) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        put_back(previous)
        if caught:
            signal.raise_signal(caught[0])


def put_back(handlers: dict[int, Any]) -> None:
    """Set the signal handlers ``{signal: handler}`` again (as :func:`signal.signal` returned them)."""
    for sig, handler in handlers.items():
        if handler is not None:  # None: a handler set outside Python, which cannot be put back
            signal.signal(sig, handler)
