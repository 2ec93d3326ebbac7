"""Start a command that a test will Ctrl-C as a terminal would start it.

A shell starts background jobs with SIGINT ignored, children inherit that, and Python keeps a
signal ignored that it starts with: a suite launched in the background (``make test &``, some CI
runners) would send its Ctrl-C into the void. Passed as ``preexec_fn``, this gives the command
Ctrl-C's default disposition, so those tests do not depend on how the suite was launched.
"""

from __future__ import annotations

import signal


def default_ctrl_c() -> None:
    """In the child, before it runs the command: SIGINT back to its default disposition."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
