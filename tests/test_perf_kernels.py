"""benchmarks/perf_kernels.py's map of the compiled kernels, which perf reads to name them (no perf needed here)."""

from __future__ import annotations

import itertools
import os
import shutil
from pathlib import Path

import pytest

from benchmarks import perf_kernels
from sim.night_acts import days_in_a_row
from sim.scaling import scaled_model


@pytest.mark.skipif(shutil.which("nm") is None, reason="needs binutils' nm")
def test_the_map_names_each_kernel_where_it_was_loaded() -> None:
    """After a run, the map's rows do not overlap, the day's kernel (``days_in_a_row``) is named where it was
    loaded and nothing else is named there; numba's reference counting is named too."""
    model = scaled_model(1, months=1, rng=5)
    model.collect_daily = False
    model.run()
    path = Path(f"/tmp/perf-{os.getpid()}.map")
    try:
        assert perf_kernels.write_map() > 0
        rows = []
        for line in path.read_text().splitlines():
            start, size, name = line.split(" ", 2)
            rows.append((int(start, 16), int(size, 16), name))
    finally:
        path.unlink(missing_ok=True)
    rows.sort()
    assert all(a + size <= b for (a, size, _), (b, _, _) in itertools.pairwise(rows))
    entries = [result.library.get_pointer_to_function(result.fndesc.llvm_func_name)
               for result in days_in_a_row.overloads.values()]
    # a version another process compiled into the same cache slot at the same time is not in the cache's file:
    # left unnamed, never misnamed
    covering = [[name for start, size, name in rows if start <= entry < start + size] for entry in entries]
    assert any(covering)
    assert all(names in ([], ["sim.night_acts.days_in_a_row"]) for names in covering)
    assert {"NRT_incref", "NRT_decref"} <= {name for _, _, name in rows}


def test_samples_are_told_apart_by_part() -> None:
    """A sample is counted where it belongs: the reference counting apart from the kernels, code perf could
    not name apart from both, the interpreter and numpy by their libraries."""
    assert perf_kernels.part("[JIT] tid 7", "NRT_incref").startswith("numba's reference counting")
    assert perf_kernels.part("[JIT] tid 7", "sim.mechanisms.zakat.ask_all") == "compiled kernels"
    assert perf_kernels.part("[JIT] tid 7", "0x00007f00deadbeef") == "compiled code, unnamed"
    assert perf_kernels.part("libpython3.12.so.1.0", "_PyEval_EvalFrameDefault") == "Python interpreter"
    assert perf_kernels.part("_multiarray_umath.cpython-312-x86_64-linux-gnu.so", "PyArray_Where") == "numpy"
    assert perf_kernels.part("libfoo.so", "bar") == "other (libfoo.so)"


def test_numbas_symbols_read_as_qualified_names() -> None:
    """A kernel's mangled symbol gives its module and name, whatever its argument types and ABI tags; the
    Python wrapper's and the C callback's keep their prefix; a name that is not mangled stays as it is."""
    tail = "B3v46B44c8tJTIeFIjxB2IKSgI4CrvQCk0Z4yRYcWsBAK4JIagIAE5ArrayIyLi1E1C8readonly7alignedE"
    assert perf_kernels.readable("_ZN3sim10night_acts13days_in_a_row" + tail) == "sim.night_acts.days_in_a_row"
    assert perf_kernels.readable("_ZN7cpython3sim8compiled10_block_sum" + tail) == "cpython.sim.compiled._block_sum"
    assert perf_kernels.readable("cfunc._ZN3sim5zakat7ask_all" + tail) == "cfunc.sim.zakat.ask_all"
    assert perf_kernels.readable("NRT_incref") == "NRT_incref"
