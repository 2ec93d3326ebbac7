"""How fast the running Python interpreter is at the kind of code a model's hooks are made of.

``python benchmarks/interpreter.py`` prints the interpreter's version, whether its configure arguments list
profile-guided and link-time optimisation (a distribution may build with both and not list them: Debian
does, its changelog says so, and keeps the flags out of ``sysconfig``) and the CPU seconds of a fixed
pure-Python loop of attribute reads, small dicts, calls and float arithmetic, the best of five. It needs
nothing but the standard library, so it runs under any Python 3 (the model itself needs 3.12): run it under
two interpreters to compare them. On the development machine pyenv's 3.12.1 (built without either, with a
shared libpython) took about 1.8 times as long as Debian's 3.11.2 (both, and a static interpreter): see
``benchmarks/README.md``, stop 34. About half of a warm run of the model is such interpreted code, the
rest compiled kernels and numpy.
"""

from __future__ import annotations

import platform
import sys
import sysconfig
import time


class _Holder:
    """An object read the way hooks read the model's tables and parameters."""

    def __init__(self) -> None:
        self.rate = 1.5
        self.rows = [1, 2, 3]


def _scale(value: float, factor: float) -> float:
    return value * factor


def _loop(holder: _Holder, n: int) -> float:
    total = 0.0
    for i in range(n):
        total += _scale(holder.rate, len(holder.rows)) + (i % 7)
        pair = {"x": i, "y": total}
        total -= pair["x"] * 0.5
    return total


def build_flags() -> str:
    """What the interpreter's configure arguments say of its optimisations (a distribution may build with
    them and not list them there: Debian's 3.11 does; the loop's time is the figure to compare)."""
    args = sysconfig.get_config_var("CONFIG_ARGS") or ""
    flags = [name for flag, name in (("--enable-optimizations", "PGO"), ("--with-lto", "LTO")) if flag in args]
    return f"configure arguments list {' and '.join(flags) if flags else 'neither PGO nor LTO'}"


def main() -> None:
    holder = _Holder()
    times = []
    for _ in range(5):
        start = time.process_time()
        _loop(holder, 400_000)
        times.append(time.process_time() - start)
    print(f"python {platform.python_version()} ({sys.executable}): {build_flags()}")
    print(f"loop: best {min(times):.3f} CPU s of 5 (400,000 iterations)")


if __name__ == "__main__":
    main()
