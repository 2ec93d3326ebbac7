"""Ctrl-C at random moments: does every command stop as it says, whatever it was doing?

The tests send Ctrl-C at chosen points (a run stored, the workers starting); a Ctrl-C can land anywhere,
and where a library catches it (numba's object mode, a C callback, ``np.savez``'s clean-up) it came out as
another error or not at all. This probe starts ``insim validate`` (100 twelve-month runs) or ``insim batch``
(60 six-month runs), both on one worker (the runs in the command's own process, where a Ctrl-C lands in the
model), sends SIGINT (or, with ``--signal TERM``, SIGTERM, which insim takes as Ctrl-C) after a random delay,
and sorts what happened:

* ``stopped``: exit 130, the manifest says ``interrupted``, no traceback on stderr;
* ``stopped before any run``: exit 130 and "interrupted" before the command made its folder (its resume
  command then starts it afresh);
* ``finished``: the command ended before the signal (exit 0, or 1 for a fact not reproduced);
* ``traceback at start``: Python's own traceback for a Ctrl-C while the ``sim`` package or ``sim.cli`` is
  still imported (the first ~3 s), before insim's ``main()`` can catch it;
* ``ended at start``: a SIGTERM in that time ends the process as the signal's default does, silently;
* ``wrong``: anything else (a run stored as failed and the batch gone on, a traceback, another status).

    .venv/bin/python scripts/ctrl_c_at_random.py --trials 40 --seed 3 --json results.json
    .venv/bin/python scripts/ctrl_c_at_random.py --trials 24 --seed 7 --signal TERM

Needs a terminal's Ctrl-C disposition, which the probe gives each command (``tests/terminal.py``). Takes
~10 s a trial on one core. Results: ``docs/reliability.md`` (its table) and ``docs/ctrl_c_at_random_results.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from terminal import default_ctrl_c  # noqa: E402  (the tests' helper: SIGINT as a terminal gives it)

COMMANDS = {
    "validate": (["validate", "--facts", "F6a", "--months", "12", "--reps", "100", "--workers", "1"],
                 Path("runs") / "manifest.json"),
    "batch": (["batch", "baseline", "--set", "months=6", "--reps", "60", "--workers", "1", "--no-plots"],
              Path("manifest.json")),
}

#: what a trial can end in (see the module's docstring)
OUTCOMES = ("stopped", "stopped before any run", "finished", "traceback at start", "ended at start", "wrong")


def classify(returncode: int, status: str | None, err: str) -> str:
    """What one interrupted command did (see the module's docstring)."""
    if returncode == 130 and status == "interrupted" and "Traceback" not in err:
        return "stopped"
    if returncode == 130 and status is None and "interrupted" in err and "Traceback" not in err:
        return "stopped before any run"
    if returncode in (0, 1) and status == "complete" and "Traceback" not in err:
        return "finished"
    # insim's main() catches KeyboardInterrupt: Python's own exit by SIGINT means it had not started
    if returncode == -signal.SIGINT and status is None and err.rstrip().endswith("KeyboardInterrupt"):
        return "traceback at start"
    if returncode == -signal.SIGTERM and status is None and not err.strip():
        return "ended at start"
    return "wrong"


def trial(kind: str, delay: float, out: Path, sig: signal.Signals = signal.SIGINT) -> dict[str, object]:
    """Start command ``kind`` into ``out``, send it ``sig`` after ``delay`` seconds; what happened."""
    args, manifest = COMMANDS[kind]
    # faulthandler: a crash (a segmentation fault was seen once) prints where it happened
    proc = subprocess.Popen([sys.executable, "-m", "sim", *args, "--out", str(out)], cwd=ROOT,
                            env={**os.environ, "PYTHONFAULTHANDLER": "1"}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, preexec_fn=default_ctrl_c)
    time.sleep(delay)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=600)
    path = out / manifest
    status = json.loads(path.read_text())["status"] if path.is_file() else None
    outcome = classify(proc.returncode, status, err)
    return {"command": kind, "delay_s": round(delay, 2), "exit": proc.returncode, "manifest": status,
            "outcome": outcome, "stderr_tail": err[-2000:] if outcome == "wrong" else ""}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1, help="seed of the commands and delays chosen")
    parser.add_argument("--min-delay", type=float, default=2.5, help="seconds (default 2.5)")
    parser.add_argument("--max-delay", type=float, default=9.0, help="seconds (default 9)")
    parser.add_argument("--signal", choices=("INT", "TERM"), default="INT",
                        help="SIGINT (Ctrl-C, the default) or SIGTERM")
    parser.add_argument("--json", type=Path, help="write every trial here")
    args = parser.parse_args(argv)
    sig = signal.Signals[f"SIG{args.signal}"]
    draw = random.Random(args.seed)
    trials = []
    with tempfile.TemporaryDirectory(prefix="insim-ctrl-c-") as tmp:
        for i in range(args.trials):
            kind = draw.choice(sorted(COMMANDS))
            out = Path(tmp) / f"t{i}"
            result = trial(kind, draw.uniform(args.min_delay, args.max_delay), out, sig)
            shutil.rmtree(out, ignore_errors=True)
            trials.append(result)
            print(f"{i:3d} {kind:8s} after {result['delay_s']:5.2f} s: exit {result['exit']}, "
                  f"manifest {result['manifest']}: {result['outcome']}", flush=True)
    counts = {k: sum(t["outcome"] == k for t in trials) for k in OUTCOMES}
    print("; ".join(f"{k}: {v}" for k, v in counts.items()))
    for t in trials:
        if t["outcome"] == "wrong":
            print(f"--- {t['command']} after {t['delay_s']} s:\n{t['stderr_tail']}")
    if args.json:
        args.json.write_text(json.dumps({"seed": args.seed, "signal": sig.name, "counts": counts, "trials": trials},
                                        indent=1) + "\n")
    return 1 if counts["wrong"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
