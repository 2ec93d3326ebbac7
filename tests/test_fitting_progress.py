"""``insim calibrate`` writes its progress lines as they happen, also into a file (a nohup or CI log).

Python keeps what it prints into a file or a pipe in a buffer until the buffer fills or it exits:
a calibration's few short progress lines showed up only at its end.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("pyabc")

ROOT = Path(__file__).resolve().parents[1]


def test_the_waves_progress_is_in_the_log_while_the_wave_runs(tmp_path: Path) -> None:
    # a wave of 30 runs in this process (one worker) reports every 3 runs: the first report comes
    # while 27 runs are still to go, long before the wave ends and saves its runs
    log, out = tmp_path / "calib.log", tmp_path / "calib"
    wave_saved = out / "history_matching.parquet"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    with log.open("w") as f:
        proc = subprocess.Popen([sys.executable, "-m", "sim", "calibrate", "history", "--out", str(out),
                                 "--population", "4", "--generations", "1", "--history-matching-runs", "30",
                                 "--workers", "1"],
                                cwd=ROOT, stdout=f, stderr=subprocess.DEVNULL, env=env, start_new_session=True)
    try:
        # until the line is there or the wave is over (the code before printed it into its buffer, and
        # something flushed it later); generous: a hang is for ever
        deadline = time.monotonic() + 600
        while "wave 3/30" not in log.read_text() and not wave_saved.exists() and proc.poll() is None \
                and time.monotonic() < deadline:
            time.sleep(0.1)
        wave_running = not wave_saved.exists() and proc.poll() is None
        text = log.read_text()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert "wave 3/30" in text and wave_running, f"no progress line while the wave ran; the log:\n{text}"
    assert text.index("Latin-hypercube runs") < text.index("wave 3/30")
