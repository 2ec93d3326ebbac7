"""The Ctrl-C probe (scripts/ctrl_c_at_random.py): how it sorts outcomes, and one trial end to end."""

from __future__ import annotations

import importlib.util
import json
import signal
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "ctrl_c_at_random.py"
spec = importlib.util.spec_from_file_location("ctrl_c_at_random", SCRIPT)
probe = importlib.util.module_from_spec(spec)
spec.loader.exec_module(probe)


def test_outcomes_are_sorted_as_the_probe_says() -> None:
    assert probe.classify(130, "interrupted", "interrupted\nto finish the batch: ...") == "stopped"
    assert probe.classify(1, "complete", "") == "finished"
    start = 'Traceback (most recent call last):\n  File "<frozen runpy>", line 148, in _get_module_details\n'
    assert probe.classify(-signal.SIGINT, None, start + "KeyboardInterrupt") == "traceback at start"
    assert probe.classify(130, None, "interrupted\nto finish the validation: ...") == "stopped before any run"
    assert probe.classify(-signal.SIGTERM, None, "") == "ended at start"
    assert probe.classify(-signal.SIGTERM, "running", "") == "wrong"  # killed mid-batch: SIGTERM must stop it
    # what the probe found before the fix: a Ctrl-C stored as a failed run and the batch finished
    assert probe.classify(1, "with failures", "insim batch: 1 run(s) failed") == "wrong"
    assert probe.classify(130, "interrupted", "Exception ignored ...\nTraceback (most recent call last):") == "wrong"
    assert probe.classify(1, "running", "Traceback (most recent call last):\nValueError: ...") == "wrong"


def test_one_trial_stops_the_command_or_ends_before_it(tmp_path: Path) -> None:
    out = tmp_path / "trials.json"
    assert probe.main(["--trials", "1", "--seed", "5", "--min-delay", "5", "--max-delay", "6", "--json", str(out)]) == 0
    counts = json.loads(out.read_text())["counts"]
    assert sum(counts.values()) == 1 and counts["wrong"] == 0
