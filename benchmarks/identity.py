"""Fingerprints of whole runs, to check that a speed change leaves every output byte-identical.

``python benchmarks/identity.py`` runs ``baseline`` (5 years) and ``history`` for a few seeds and
prints one SHA-256 per run over its monthly, incident, village and daily tables, the event log and
the final IS cell table. Run it from two source trees (e.g. the current branch and a commit
exported with ``git archive`` to /tmp, with this worktree's virtualenv and the export as the working
directory) and compare the lines: equal fingerprints mean the same numbers, not merely the same
distribution (``tests/test_speed_equivalence.py`` checks only the latter).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

RUNS: tuple[tuple[str, int, int | None, bool], ...] = (
    ("baseline", 1, 60, False), ("baseline", 2, 60, False), ("baseline", 3, 60, True),
    ("history", 1, None, True), ("history", 2, None, False),
    # events that take other paths: a prison attack (staged attackers, the cordon), the Turkish
    # offensive (units redeployed north), the US withdrawal (no Coalition), an amnesty
    ("prison_attack_2022", 1, None, False), ("turkish_offensive_2019", 1, None, False),
    ("us_withdrawal", 1, None, False), ("amnesty", 1, None, False),
)
"""(scenario, seed, months or None for the scenario's own length, daily collection on)."""


def fingerprint(scenario: str, seed: int, months: int | None, collect_daily: bool) -> str:
    """SHA-256 over every output table of one run, built from the source tree on ``sys.path``."""
    from sim.model import InsurgencyModel
    from sim.scenario import load_scenario

    parsed = load_scenario(scenario, months=months) if months else load_scenario(scenario)
    model = InsurgencyModel(parsed, rng=seed, collect_daily=collect_daily).run()
    digest = hashlib.sha256()
    for frame in (model.monthly_frame(), model.incident_frame(), model.village_frame(), model.daily_frame()):
        digest.update(frame.to_csv(float_format="%.17g").encode())
    digest.update(repr(model.event_log).encode())
    for name, column in sorted(model.cells.columns().items()):
        digest.update(name.encode() + column.tobytes())
    digest.update(repr((model.treasury, model.detainees)).encode())
    return digest.hexdigest()


def main() -> None:
    """Print one fingerprint per run of :data:`RUNS`."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", type=Path, default=Path.cwd(), help="source tree to import `sim` from")
    a = ap.parse_args()
    sys.path.insert(0, str(a.root.resolve()))
    for scenario, seed, months, daily in RUNS:
        print(f"{scenario} seed={seed} months={months} daily={daily} {fingerprint(scenario, seed, months, daily)}",
              flush=True)


if __name__ == "__main__":
    main()
