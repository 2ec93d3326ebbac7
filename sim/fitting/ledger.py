"""The ledger of a calibration folder's calls: one line per ``insim calibrate`` call, finished or not.

A calibration may take several calls (interrupted and continued, or extended with more
generations), each on its own number of workers. ``calls.jsonl`` in the output folder gets one
line per call when the call ends, however it ends (finished, interrupted by Ctrl-C, failed), so the
manifest can give the whole calibration's wall time and core time, not just its last call's.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

LEDGER = "calls.jsonl"


def record_call(out: Path, entry: dict[str, Any]) -> None:
    """Append one call to the ledger (``started``, ``ended``, ``wall_seconds``, ``workers``, ``outcome``, ...)."""
    out.mkdir(parents=True, exist_ok=True)
    with open(out / LEDGER, "a", encoding="utf-8") as ledger:
        ledger.write(json.dumps(entry, default=str) + "\n")
        ledger.flush()
        os.fsync(ledger.fileno())


def load_calls(out: Path) -> list[dict[str, Any]]:
    """The calls recorded in ``out`` (a line cut short by a crash while writing is skipped)."""
    path = out / LEDGER
    if not path.exists():
        return []
    calls = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            calls.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return calls


def totals(calls: list[dict[str, Any]]) -> dict[str, Any]:
    """Whole-calibration figures over the calls: wall seconds, core seconds (wall x workers), workers used."""
    wall = sum(float(c.get("wall_seconds", 0.0)) for c in calls)
    core = sum(float(c.get("wall_seconds", 0.0)) * int(c.get("workers", 1)) for c in calls)
    return {"calls": len(calls), "wall_seconds": round(wall, 1), "core_seconds": round(core, 1),
            "workers": sorted({int(c.get("workers", 1)) for c in calls}),
            "outcomes": [c.get("outcome") for c in calls]}
