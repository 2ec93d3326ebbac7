"""Instructions a simulated day costs, counted by valgrind: a speed figure that the machine's load cannot move.

``python benchmarks/instructions.py --trees /tmp/before .`` runs, for each source tree, the baseline
(seed 1, batch mode) for 1 month and for 13 months under ``valgrind --tool=callgrind`` (about a
minute each) and prints the instructions executed by the process, and the difference divided by
the days between them: the instructions of one simulated day, without the interpreter's start, the
imports and the build, which both runs share. On a shared machine CPU seconds inflate with the load
(cores and caches are shared); an instruction count does not, so it is the figure to compare
before and after when the load is high. It is not a time: a memory-bound instruction costs more
than a register one. Needs valgrind on the PATH.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

ONE_RUN = ("import sys; sys.path.insert(0, {root!r}); from sim.model import InsurgencyModel;"
           " from sim.scenario import load_scenario;"
           " m = InsurgencyModel(load_scenario('baseline', months={months}), rng=1, collect_daily=False).run();"
           " print('days', m.steps)")


def instructions(root: Path, months: int) -> tuple[int, int]:
    """(instructions, simulated days) of one baseline run of ``months`` months from the tree at ``root``."""
    code = ONE_RUN.format(root=str(root), months=months)
    out = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, "-c", code],
                         cwd=root, check=True, capture_output=True, text=True)
    count = re.search(r"Collected : (\d+)", out.stderr)
    days = re.search(r"days (\d+)", out.stdout)
    if count is None or days is None:
        raise RuntimeError(f"no instruction count in valgrind's output:\n{out.stderr[-2000:]}")
    return int(count.group(1)), int(days.group(1))


def main() -> None:
    """Count each tree's instructions a day and print them."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trees", type=Path, nargs="+", default=[Path.cwd()])
    ap.add_argument("--months", type=int, nargs=2, default=(1, 13), help="the short and the long run")
    a = ap.parse_args()
    short, long = a.months
    for root in a.trees:
        (n0, d0), (n1, d1) = instructions(root.resolve(), short), instructions(root.resolve(), long)
        print(f"{root}: {n0:,} instructions ({d0} days), {n1:,} ({d1} days): {(n1 - n0) / (d1 - d0):,.0f} a day"
              f"  [{dt.datetime.now(dt.UTC):%H:%M} UTC, load {os.getloadavg()[0]:.2f}]", flush=True)


if __name__ == "__main__":
    main()
