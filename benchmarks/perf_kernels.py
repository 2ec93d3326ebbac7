"""Where a worker's run spends its CPU, with the compiled kernels named: Linux ``perf`` over warm runs.

``python benchmarks/perf_kernels.py --runs 30`` runs the baseline's 5-year run ``--runs`` times in a child
process, after a first run there (the kernels loaded, as in a batch worker), while ``perf record`` samples that
process; it then prints the samples' shares by part (the Python interpreter, the compiled kernels, numba's
reference counting, numpy, the C library) and the top symbols.

perf cannot name numba's kernels by itself: they are machine code loaded at run time (``[JIT]``). The child
writes ``/tmp/perf-PID.map``, perf's map of such code, before the timed runs: every function of every kernel's
compiled object, read from numba's cache (where each kernel's object code is kept with its symbols), placed at
the address its kernel was loaded at, and the runtime's ``NRT_incref`` and ``NRT_decref``. Callees that LLVM
inlined count under their caller. Nothing of the model changes: this is a reading, like ``day_costs.py``.

Needs ``perf`` (Debian: ``linux-perf``), binutils' ``nm``, permission to profile one's own processes
(``/proc/sys/kernel/perf_event_paranoid`` at most 2) and the kernels in the cache (``make setup``).
"""

from __future__ import annotations

import argparse
import glob
import os
import pickle
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNTIME = ("NRT_incref", "NRT_decref")
"""numba's reference counting of arrays (an atomic add a call), named in the map beside the kernels."""


def _objects(found: list[bytes], entries: list[str], value: object) -> None:
    """The ELF objects inside a loaded cache file (a kernel's compiled library is kept as object code) and the
    name of the kernel's own function there (its descriptor's: other kernels it calls are in the object too)."""
    if isinstance(value, bytes | bytearray):
        if value[:4] == b"\x7fELF":
            found.append(bytes(value))
    elif isinstance(value, tuple | list):
        for item in value:
            _objects(found, entries, item)
    elif isinstance(getattr(value, "llvm_func_name", None), str):
        entries.append(value.llvm_func_name)


def _functions(blob: bytes) -> list[tuple[int, int, str]]:
    """(offset, size, symbol) of each function defined in an object file (binutils' ``nm``)."""
    with tempfile.NamedTemporaryFile(suffix=".o") as f:
        f.write(blob)
        f.flush()
        listing = subprocess.run(["nm", "--defined-only", "-S", f.name], check=True, capture_output=True,
                                 text=True).stdout
    out = []
    for line in listing.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[2] in "tTwW" and int(parts[1], 16):  # numba's callees are weak symbols
            out.append((int(parts[0], 16), int(parts[1], 16), parts[3]))
    return out


def readable(symbol: str) -> str:
    """A kernel's symbol as its qualified name: ``_ZN3sim10night_acts13days_in_a_rowB3v46...E...`` gives
    ``sim.night_acts.days_in_a_row`` (numba's names are C++-mangled, with argument types too long for
    ``c++filt``: the names' parts are read up to the first that is not one, the ABI tags skipped)."""
    prefix, _, mangled = symbol.rpartition("_ZN")
    parts, i = [], 0
    while i < len(mangled) and (mangled[i].isdigit() or mangled[i] == "B"):
        tag = mangled[i] == "B"
        i += tag
        digits = re.match(r"\d+", mangled[i:])
        if digits is None:
            break
        i += len(digits.group())
        part = mangled[i:i + int(digits.group())]
        i += int(digits.group())
        if not tag:
            parts.append(part)
    return prefix + ".".join(parts) if parts else symbol


def write_map() -> int:
    """Write perf's map of this process's compiled kernels (``/tmp/perf-PID.map``); the number of functions."""
    from numba.core.runtime import rtsys

    from sim.compiled import CACHE_DIR, KERNELS, PACKAGE

    loaded = [kernel for kernel in KERNELS if kernel.overloads]
    # numba's cache names a kernel's files <module>.<qualname>-<line>... in its module's folder
    wanted = {(Path(k.py_func.__code__.co_filename).resolve().parent.relative_to(PACKAGE.parent),
               f"{Path(k.py_func.__code__.co_filename).stem}.{k.py_func.__qualname__}-") for k in loaded}
    by_entry: dict[str, list[tuple[int, int, str]]] = {}
    for folder, prefix in wanted:
        for path in (CACHE_DIR / folder).glob(f"{glob.escape(prefix)}*.nbc"):
            with open(path, "rb") as f:
                entry = pickle.load(f)  # numba's own cache file, as numba loads it
            blobs: list[bytes] = []
            entries: list[str] = []
            _objects(blobs, entries, entry)
            if len(blobs) == 1 and len(entries) == 1:
                by_entry[entries[0]] = _functions(blobs[0])
    rows: set[tuple[int, int, str]] = set()
    for kernel in loaded:
        for result in kernel.overloads.values():
            name = result.fndesc.llvm_func_name
            functions = by_entry.get(name)
            if functions is None:  # not in the cache's file (another process compiled that slot since): unnamed
                continue
            base = result.library.get_pointer_to_function(name) - next(o for o, _, s in functions if s == name)
            rows.update((base + offset, size, symbol) for offset, size, symbol in functions)
    names = {symbol: readable(symbol) for _, _, symbol in rows}
    starts = sorted((rtsys.library.get_pointer_to_function(name), name) for name in RUNTIME)
    for (start, name), following in zip(starts, [s for s, _ in starts[1:]] + [starts[-1][0] + 32], strict=True):
        names[name] = name
        rows.add((start, min(following - start, 32), name))
    with open(f"/tmp/perf-{os.getpid()}.map", "w") as f:
        for start, size, symbol in sorted(rows):
            f.write(f"{start:x} {size:x} {names[symbol]}\n")
    return len(rows)


def child(runs: int, months: int) -> None:
    """The profiled process: a first run, the map, then (after a line on stdin) ``runs`` runs."""
    sys.path.insert(0, str(ROOT))
    from sim.batch.executors import preload_and_freeze
    from sim.model import InsurgencyModel
    from sim.scenario import load_scenario

    scenario = load_scenario("baseline", months=months)
    InsurgencyModel(scenario, rng=1000, collect_daily=False).run()
    print(f"mapped {write_map()}", file=sys.stderr)
    preload_and_freeze(())  # as a worker is
    print("ready", flush=True)
    sys.stdin.readline()
    start = time.process_time()
    for seed in range(1, runs + 1):
        InsurgencyModel(scenario, rng=seed, collect_daily=False).run()
    print(f"{(time.process_time() - start) / runs:.4f} CPU s a run (perf sampling included)", flush=True)


PARTS = (("libpython", "Python interpreter"), ("_multiarray", "numpy"), ("_pcg64", "numpy's random draws"),
         ("_generator", "numpy's random draws"), ("_common", "numpy's random draws"),
         ("_dispatcher", "numba's dispatcher (typing a kernel's arguments)"),
         ("_typeconv", "numba's dispatcher (typing a kernel's arguments)"),
         ("_nrt_python", "numba's arrays to and from Python"), ("libc.so", "C library (malloc, memcpy)"),
         ("libm.so", "C maths library (exp, pow)"), ("ld-linux", "dynamic linker (__tls_get_addr)"))
"""Shared objects by part, by a piece of their file name."""


def part(dso: str, symbol: str) -> str:
    """Which part of the process a perf sample's shared object and symbol belong to."""
    if symbol in RUNTIME:
        return "numba's reference counting (NRT_incref, NRT_decref)"
    if dso.startswith("[JIT]") or dso.startswith("/tmp/perf-"):
        return "compiled kernels" if not symbol.startswith("0x") else "compiled code, unnamed"
    return next((name for piece, name in PARTS if piece in dso), f"other ({dso})")


def main() -> None:
    """Profile, then print the parts and the top symbols."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--months", type=int, default=60)
    ap.add_argument("--top", type=int, default=25, help="symbols listed")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        child(a.runs, a.months)
        return
    if shutil.which("perf") is None or shutil.which("nm") is None:
        print("error: perf_kernels.py needs Linux perf and binutils' nm on the PATH", file=sys.stderr)
        raise SystemExit(2)
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "perf.data"
        worker = subprocess.Popen([sys.executable, __file__, "--child", "--runs", str(a.runs), "--months",
                                   str(a.months)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert worker.stdin is not None and worker.stdout is not None
        if worker.stdout.readline().strip() != "ready":
            raise SystemExit(f"error: the profiled process stopped before its runs (exit {worker.wait()})")
        recorder = subprocess.Popen(["perf", "record", "-F", "999", "-p", str(worker.pid), "-o", str(data)],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1.0)  # perf attached
        worker.stdin.write("go\n")
        worker.stdin.flush()
        print(worker.stdout.readline().strip())
        worker.wait()
        if recorder.wait() != 0 or not data.exists():
            print("error: perf record could not sample the run (is /proc/sys/kernel/perf_event_paranoid at most 2?)",
                  file=sys.stderr)
            raise SystemExit(2)
        report = subprocess.run(["perf", "report", "-i", str(data), "--no-children", "--sort", "dso,sym", "--stdio",
                                 "--field-separator", "\t"], check=True, capture_output=True, text=True).stdout
        Path(f"/tmp/perf-{worker.pid}.map").unlink(missing_ok=True)
    shares: Counter[str] = Counter()
    rows = []
    for line in report.splitlines():
        if not line or line.startswith("#"):
            continue
        share, dso, symbol = (field.strip() for field in line.split("\t")[:3])
        symbol = symbol.removeprefix("[.] ").removeprefix("[k] ")
        value = float(share.rstrip("%"))
        shares[part(dso, symbol)] += value
        rows.append((value, symbol[:100], dso[:40]))
    print("share of the samples by part:")
    for name, value in shares.most_common():
        print(f"  {value:6.2f}%  {name}")
    print(f"top {a.top} symbols:")
    for value, symbol, dso in sorted(rows, reverse=True)[:a.top]:
        print(f"  {value:6.2f}%  {symbol}  ({dso})")


if __name__ == "__main__":
    main()
