"""What one compiled call a day would save: a day's kernel calls made separately and as one call.

``python benchmarks/day_calls.py [--day 400] [--reps 2000]`` builds the 5-year baseline (seed 3), runs it to
``--day``, and records the kernels the next day's hooks call from Python, with their arguments, in order.
It then writes a module whose one kernel makes the same calls in the same order (``k(*args)`` for each),
and prints, each a median of ``--reps`` repetitions on the same arguments (the model's state moves on, as
it would over many days):

* the day's kernel calls made one by one from Python, as the hooks make them, without the hooks' Python;
* the same calls made from inside one kernel call that takes all their arguments;
* a kernel call that takes the same arguments and does nothing (what passing them costs);

and, in a fresh process for each, the first call of that one kernel: its compile (an empty cache folder),
then its load from the cache (the folder filled by the first process).

The first two differ by what a call from Python costs besides its arguments; the arguments' own cost
(typing and unboxing each array and number) stays in both. The day kernel of ``docs/plans/
stretch_kernel.md`` keeps the state between days instead of taking it as arguments. Figures for this
machine are in ``benchmarks/README.md`` (stop 31).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def day_calls(day: int) -> tuple[Any, list[tuple[str, Any, tuple]]]:
    """A baseline model (seed 3) at ``day``, stepped once more while recording each kernel called from Python:
    (the kernel's module and name, the kernel, its arguments), in order."""
    from numba.core.registry import CPUDispatcher

    import sim

    model = sim.InsurgencyModel(sim.load_scenario("baseline"), rng=3, collect_daily=False)
    model.run_for(day)
    calls: list[tuple[str, Any, tuple]] = []
    replaced = []
    for name, module in list(sys.modules.items()):
        if not name.startswith("sim.") or module is None:
            continue
        for attr, value in list(vars(module).items()):
            if isinstance(value, CPUDispatcher):
                def recorded(*args: Any, _kernel: Any = value, _name: str = f"{name}.{attr}") -> Any:
                    calls.append((_name, _kernel, args))
                    return _kernel(*args)

                setattr(module, attr, recorded)
                replaced.append((module, attr, value))
    try:
        model.step()
    finally:
        for module, attr, value in replaced:
            setattr(module, attr, value)
    return model, calls


def module_text(names: list[str]) -> str:
    """A module with a kernel ``day`` calling the kernels ``names`` in order, each with its own arguments, and a
    kernel ``nothing`` taking the same arguments."""
    lines = ["import numba", ""]
    lines += [f"from {name.rsplit('.', 1)[0]} import {name.rsplit('.', 1)[1]} as k{i}" for i, name in enumerate(names)]
    params = ", ".join(f"a{i}" for i in range(len(names)))
    lines += ["", "", "@numba.njit(cache=True, error_model='numpy')", f"def day({params}):"]
    lines += [f"    k{i}(*a{i})" for i in range(len(names))]
    lines += ["    return 0", "", "", "@numba.njit(cache=True)", f"def nothing({params}):", "    return 0", ""]
    return "\n".join(lines)


def first_call(folder: Path, day: int) -> float:
    """Seconds of the one kernel's first call in a new process (a compile, or a load from the cache)."""
    code = (f"import sys; sys.path[:0] = [{str(ROOT)!r}, {str(folder)!r}];"
            "import time; from benchmarks.day_calls import day_calls;"
            f"model, calls = day_calls({day}); import one_day; t = time.perf_counter();"
            "one_day.day(*[a for _, _, a in calls]); print(time.perf_counter() - t)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True, text=True)
    return float(out.stdout.split()[-1])


def median_us(function: Any, reps: int) -> float:
    """Median microseconds of ``function()`` over ``reps`` calls."""
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--day", type=int, default=400, help="the day recorded (default 400)")
    ap.add_argument("--reps", type=int, default=2000, help="repetitions timed (default 2000)")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    _, calls = day_calls(args.day)
    names = [name for name, _, _ in calls]
    print(f"day {args.day} of the baseline (seed 3): {len(calls)} kernel calls from Python, "
          f"{sum(len(a) for _, _, a in calls)} arguments")
    for name, _, call_args in calls:
        print(f"  {name} ({len(call_args)} arguments)")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "one_day.py").write_text(module_text(names))
        compiled = first_call(folder, args.day)
        loaded = first_call(folder, args.day)
        sys.path.insert(0, str(folder))
        import one_day  # written above

        kernels, arguments = [k for _, k, _ in calls], [a for _, _, a in calls]
        one_day.day(*arguments)
        separate = median_us(lambda: [k(*a) for k, a in zip(kernels, arguments, strict=True)], args.reps)
        together = median_us(lambda: one_day.day(*arguments), args.reps)
        one_day.nothing(*arguments)
        passing = median_us(lambda: one_day.nothing(*arguments), args.reps)
        # its compiled code went to the project's cache folder, in a subfolder named after the temporary one
        from numba.core.caching import UserProvidedCacheLocator

        from sim.compiled import CACHE_DIR
        shutil.rmtree(CACHE_DIR / UserProvidedCacheLocator.get_suitable_cache_subpath(str(folder / "one_day.py")),
                      ignore_errors=True)
    print(f"the calls one by one from Python: {separate:.1f} us; as one kernel call: {together:.1f} us, of which "
          f"{passing:.1f} us passing the arguments (a kernel that takes them all and does nothing)")
    print(f"the one kernel's first call in a new process: {compiled:.2f} s compiling it, {loaded:.3f} s loading it "
          "from the cache")


if __name__ == "__main__":
    main()
