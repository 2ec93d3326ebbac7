"""A stop signal while ``insim viz`` is starting its server ends the server too.

The server runs in its own session, so a signal to ``insim viz`` alone does not reach it: before
the fix, a SIGTERM that came before serve() had set its handlers ended insim (the default action)
and left the server running, holding its port.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from sim.viz import server


class EndedBySigterm(Exception):
    """Raised by the test's own SIGTERM handler: what the default action (ending insim) stands for."""


def _raise_ended(_signum: int, _frame: object) -> None:
    raise EndedBySigterm


@pytest.mark.parametrize("when", ["before the child starts", "after the child starts"])
def test_a_sigterm_while_the_server_starts_stops_the_server(when: str, monkeypatch: pytest.MonkeyPatch) -> None:
    real_popen = subprocess.Popen
    started: list[subprocess.Popen] = []

    def popen_signalled(command: list[str], **kwargs: object) -> subprocess.Popen:
        """Popen, with a SIGTERM to this process in the middle of it (a service manager stopping insim)."""
        if when == "before the child starts":
            os.kill(os.getpid(), signal.SIGTERM)
        started.append(real_popen(command, **kwargs))
        if when == "after the child starts":
            os.kill(os.getpid(), signal.SIGTERM)
        return started[-1]

    monkeypatch.setattr(server.subprocess, "Popen", popen_signalled)
    previous = signal.signal(signal.SIGTERM, _raise_ended)
    try:
        # ended by the signal, as a SIGTERM later is: exit status 0, the server stopped
        assert server.serve([sys.executable, "-c", "import time; time.sleep(120)"], grace=0.5) == 0
        assert len(started) == 1 and started[0].poll() is not None, "the server is still running"
        assert signal.getsignal(signal.SIGTERM) is _raise_ended  # serve() put the handler back
    finally:
        signal.signal(signal.SIGTERM, previous)
        for child in started:  # never leave a sleeping child behind, whatever failed
            if child.poll() is None:
                child.kill()
                child.wait()
