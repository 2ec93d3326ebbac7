"""Where a warm run's time goes, hook by hook and kernel by kernel (issue 15's working tools).

Two measurements of the 5-year baseline in batch mode (``collect_daily=False``), each in a process that has
run a model first (as a batch or calibration worker has: numba's kernels loaded, the map parsed):

``python benchmarks/day_costs.py hooks``
    Milliseconds a run in each hook of ``sim.model.PHASES``, in the whole night (``NightActs.whole_night``:
    the moves and the night's acts, most nights in one kernel call; what it calls on the other nights, the
    moves in Python (``go_out``), the acts as one kernel call from a stop on (``NightActs.fused``) and the hooks
    Python runs, is timed again on its own), at dawn, in the day's acts (``DayActs.fused``) and in the month's
    record, timed by wrapping each method (3 runs, seeds 2-4). The total counts each call once (not again
    inside another). The wrappers add ~0.1 us a call, so compare hooks, not the total with an unwrapped run.
``python benchmarks/day_costs.py kernels``
    Milliseconds a run and microseconds a call of each numba kernel called from Python (every kernel in a
    ``sim`` module's globals wrapped; kernels reached through other kernels are inside their callers' time).

Timers wrap methods and module globals in this process only; the model's outputs are unchanged. Whole warm
runs of two source trees in turn: ``benchmarks/ab_speed.py --warm``.
"""

from __future__ import annotations

import argparse
import collections
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

MONTHS = 60
PROFILE_SEEDS = (2, 3, 4)


OUTERMOST = "(outermost)"
"""The key of ``totals`` that sums only the timed calls made outside any other timed call (the report's total)."""
_depth = [0]  # how many timed calls are running now


def _timed(totals: collections.Counter, calls: collections.Counter, name: str,
           function: Callable[..., Any]) -> Callable[..., Any]:
    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        _depth[0] += 1
        try:
            return function(*args, **kwargs)
        finally:
            _depth[0] -= 1
            spent = time.perf_counter() - start
            totals[name] += spent
            calls[name] += 1
            if not _depth[0]:  # a call inside another timed one is in that one's time already
                totals[OUTERMOST] += spent
    return timed


def _first_run(months: int) -> Any:
    """The untimed first run (seed 1), whose parsed scenario the timed runs reuse."""
    from sim.model import InsurgencyModel
    from sim.scenario import load_scenario

    return InsurgencyModel(load_scenario("baseline", months=months), rng=1, collect_daily=False).run()


def _runs(first: Any) -> float:
    """Seconds a run over the profile's seeds, of the scenario of the ``first`` run (wrappers in place)."""
    start = time.perf_counter()
    for seed in PROFILE_SEEDS:
        type(first)(first.run_scenario, rng=seed, collect_daily=False).run()
    return (time.perf_counter() - start) / len(PROFILE_SEEDS)


def _report(totals: collections.Counter, calls: collections.Counter, run_s: float, days: int, what: str) -> None:
    n = len(PROFILE_SEEDS)
    outermost = totals.pop(OUTERMOST, 0.0)
    print(f"a run: {1000 * run_s:.1f} ms with the timers; {what}: {1000 * outermost / n:.1f} ms (each call once, "
          f"not again inside another), {sum(calls.values()) / n / days:.1f} calls a day")
    for name, seconds in totals.most_common():
        print(f"{name:40s} {1000 * seconds / n:8.2f} ms a run {calls[name] / n:9.0f} calls "
              f"{1e6 * seconds / calls[name]:8.2f} us a call")


def hooks(months: int) -> None:
    """Milliseconds a run in each hook, the night's moves and the month's record."""
    from sim.day_acts import DayActs
    from sim.model import PHASES
    from sim.night_acts import NightActs
    from sim.recorder import Recorder

    model = _first_run(months)
    totals: collections.Counter = collections.Counter()
    calls: collections.Counter = collections.Counter()
    # wrapped on the classes before the models are built: each model binds its hooks when built
    targets = {(type(model.mechanisms.get(name)), phase) for phase, names in PHASES for name in names}
    movement = type(model.mechanisms.night_movement)
    targets |= {(movement, "go_out"), (movement, "dawn"), (Recorder, "close_month"), (NightActs, "whole_night"),
                (NightActs, "fused"), (DayActs, "fused")}
    for cls, method in sorted(targets, key=lambda t: (t[0].__name__, t[1])):
        if method in vars(cls):
            setattr(cls, method, _timed(totals, calls, f"{cls.__name__}.{method}", vars(cls)[method]))
    _report(totals, calls, _runs(model), model.steps, "in the hooks timed")


def kernels(months: int) -> None:
    """Milliseconds a run and microseconds a call of each kernel called from Python."""
    from numba.core.registry import CPUDispatcher

    model = _first_run(months)
    totals: collections.Counter = collections.Counter()
    calls: collections.Counter = collections.Counter()
    for module in [m for name, m in sys.modules.items() if name == "sim" or name.startswith("sim.")]:
        for name, value in list(vars(module).items()):
            if isinstance(value, CPUDispatcher):
                setattr(module, name, _timed(totals, calls, name, value))
    _report(totals, calls, _runs(model), model.steps, "in kernels called from Python")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("what", choices=("hooks", "kernels"))
    ap.add_argument("--months", type=int, default=MONTHS, help="months of the baseline (60: five years)")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(Path.cwd()))  # the working tree's sim, as the other benchmarks import it
    (hooks if args.what == "hooks" else kernels)(args.months)


if __name__ == "__main__":
    main()
