"""Compiled kernels (numba), and the model's random stream inside them.

A simulated day is some 700 small numpy calls on arrays of a few hundred rows, and their cost is
the calls, not the arithmetic (issue 15, ``benchmarks/README.md``). A mechanism's hot loop is
therefore written once, as a :func:`kernel`: a plain Python function over arrays and numbers that
numba compiles to machine code on first use and caches on disk, called from the mechanism's hook.

Two rules keep a kernel's results those of the numpy code it replaces, to the last bit:

* **Draws.** A kernel draws from the model's own numpy ``Generator`` through its stream
  (:func:`stream_of`, :data:`Stream`): ``rng_of(stream)`` inside the kernel is numba's ``Generator`` on
  the same bit generator. numba's ``Generator`` methods (``random``, ``poisson``, ``binomial``,
  ``integers``, ``permutation``) give numpy's numbers and advance the same state, so a kernel that
  draws what the numpy code drew, in the same order, leaves every later draw where it was. A
  ``Generator`` passed to a kernel directly costs 12-30 us a call (numba unboxes it each time); the
  stream, an array of its bit generator's pointers, costs what any array does (~0.1 us).
* **Sums.** numpy adds an array's values pairwise, eight at a time (:func:`pairwise_sum` adds them
  in that order); ``cumsum``, ``bincount`` and the element-wise operations go in order, as a loop
  does. Kernels are compiled without ``fastmath``, so every operation is IEEE's.

The cache lives in a folder named by a digest of the modules that compile kernels: numba's own cache
notices a change of a kernel's file but not of another file's kernel that it calls, so a change of
any of them starts a fresh cache (``NUMBA_CACHE_DIR``, when set, is the folder's parent). Inside it a kernel
is found by its module's folder in the package (:class:`PackageCacheLocator`), not by the checkout's path,
so every clone and install of the same sources shares one cache. Compiling every kernel takes minutes of
CPU, once per version of those modules; ``make setup`` does it (:func:`warm_up`), so a user's first run
does not.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import hashlib
import os
import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numba
import numpy as np
from numba.core import cgutils, types
from numba.core.caching import UserProvidedCacheLocator
from numba.extending import intrinsic

from sim.held_signals import signals_held

PACKAGE = Path(__file__).resolve().parent
STALE_CACHE_DAYS = 7
"""Cache folders of other source versions unused for this long are removed when a model is built."""


# a module-level (unindented, so not under ``if TYPE_CHECKING:``) import from the package
_IMPORT = re.compile(rb"^from (sim(?:\.\w+)*) import (\([^)]*\)|[^\n]*)", re.MULTILINE)


def source_digest(package: Path = PACKAGE) -> str:
    """A digest of the sources compiled kernels depend on: the modules that compile kernels (they import
    this one), this one, and the package's modules they import at module level, whose constants a kernel
    may have compiled in (``REGIME``, the roles' order). Other files cannot make a cache stale."""
    texts = {path: path.read_bytes() for path in sorted(package.rglob("*.py"))}
    kernels = {path for path, text in texts.items() if path.name == "compiled.py" or b"sim.compiled import" in text}
    read = set(kernels)
    for path in kernels:
        for module, names in _IMPORT.findall(texts[path]):
            base = package.parent.joinpath(*module.decode().split("."))
            candidates = [base.with_suffix(".py"), base / "__init__.py"]
            for name in re.findall(rb"\w+", names):  # ``from sim import modifiers`` imports a module
                candidates.append(base / f"{name.decode()}.py")
            read.update(found for found in candidates if found in texts)
    digest = hashlib.sha256(numba.__version__.encode())
    for path in sorted(read):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(texts[path])
    return digest.hexdigest()[:16]


def cache_root() -> Path:
    """The folder that holds one cache folder per version of the sources."""
    parent = os.environ.get("NUMBA_CACHE_DIR")
    if parent:
        return Path(parent) / "insim"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "insim" / "numba"


CACHE_DIR = cache_root() / source_digest()
numba.config.CACHE_DIR = str(CACHE_DIR)  # read when each kernel below is decorated


class PackageCacheLocator(UserProvidedCacheLocator):
    """Where numba caches a kernel of this package: under :data:`CACHE_DIR` by its module's folder inside the
    package (``sim/mechanisms``), where numba's own locator names the folder by its absolute path.

    :data:`CACHE_DIR` is named by the sources' digest and numba checks each file's content before it loads a
    kernel, so a clone of the repository elsewhere, or the package installed from a wheel, loads the kernels
    another copy of the same sources compiled, instead of compiling them all again (minutes here)."""

    def __init__(self, py_func: Callable[..., Any], py_file: str) -> None:
        super().__init__(py_func, py_file)
        self._cache_path = str(CACHE_DIR / Path(py_file).resolve().parent.relative_to(PACKAGE.parent))

    @classmethod
    def from_function(cls, py_func: Callable[..., Any], py_file: str) -> PackageCacheLocator | None:
        """A locator for a kernel of this package, else None (numba then asks its own locators)."""
        if not Path(py_file).resolve().is_relative_to(PACKAGE):
            return None
        return super().from_function(py_func, py_file)


# numba asks these locators in turn when a cached function is decorated: this package's first, then any a user
# set, then numba's own (by their names in numba.core.caching), for other code in the process
_LOCATOR = f"{__name__}.PackageCacheLocator"
if _LOCATOR not in numba.config.CACHE_LOCATOR_CLASSES.split(","):
    numba.config.CACHE_LOCATOR_CLASSES = ",".join(
        [_LOCATOR, *filter(None, [numba.config.CACHE_LOCATOR_CLASSES]), "UserProvidedCacheLocator",
         "InTreeCacheLocator", "UserWideCacheLocator", "IPythonCacheLocator", "ZipCacheLocator"])


def prune_stale_caches(now: float | None = None) -> list[Path]:
    """Remove the cache folders of other source versions not used for :data:`STALE_CACHE_DAYS`; their paths."""
    now = time.time() if now is None else now
    removed = []
    root = CACHE_DIR.parent
    if not root.is_dir():
        return removed
    # this version's folder is in use: its time says so (writing kernels alone would not); it may not
    # exist yet, or not be ours to touch
    with contextlib.suppress(OSError):
        os.utime(CACHE_DIR)
    for folder in root.iterdir():
        if folder == CACHE_DIR or not folder.is_dir():
            continue
        try:
            if now - folder.stat().st_mtime > STALE_CACHE_DAYS * 86400:
                shutil.rmtree(folder)
                removed.append(folder)
        except OSError:  # another process removed or uses it: leave it
            continue
    return removed


KERNELS: list[Any] = []
"""Every kernel decorated so far (numba dispatchers: ``signatures`` lists the types each was compiled for)."""


def kernel(function: Callable[..., Any]) -> Callable[..., Any]:
    """Compile ``function`` with numba (cached on disk, numpy's rules for division, no fastmath).

    Its compiling or loading (the first call with each set of argument types) holds Ctrl-C and SIGTERM until it
    is done (:func:`sim.held_signals.signals_held`): llvmlite calls back into Python from C meanwhile, and a
    KeyboardInterrupt raised there cannot propagate.
    """
    compiled = numba.njit(cache=True, error_model="numpy")(function)
    compiled.compile = held_while(compiled.compile)  # numba's dispatcher calls self.compile on a miss
    KERNELS.append(compiled)
    return compiled


def held_while(compile_: Callable[..., Any]) -> Callable[..., Any]:
    """``compile_``, called with Ctrl-C and SIGTERM held until it returns (:func:`sim.held_signals.signals_held`)."""

    @functools.wraps(compile_)
    def compile_held(*args: Any, **kwargs: Any) -> Any:
        with signals_held():
            return compile_(*args, **kwargs)

    return compile_held


Stream = np.ndarray
"""What a kernel draws through (:func:`stream_of`): the pointers of a numpy ``Generator``'s bit generator,
as ``uint64`` words, which :func:`rng_of` makes into numba's ``Generator`` inside the kernel.

An array is the cheapest argument numba's dispatcher types (~0.1 us, in C); the ``Generator`` itself
costs 12-30 us a call (numba reads its ``ctypes`` interface each time), and a structref holding it
~0.6 us more than an array (its type and its pointer are read through Python properties): kernels
taking the stream are called ~23,000 times in a five-year run."""

#: numba's type of a numpy ``Generator``
GENERATOR = numba.typeof(np.random.default_rng(0))
_BIT_GENERATOR = types.NumPyRandomBitGeneratorType("bit_generator")


@intrinsic
def rng_of(typingctx: Any, words: Any) -> Any:
    """Inside a kernel: numba's ``Generator`` over the bit generator whose pointers ``words`` holds
    (:func:`stream_of`), as numba makes it from a numpy ``Generator`` passed in (its state and its
    ``next_*`` functions; no Python object behind it, so it cannot be returned to Python)."""
    if not (isinstance(words, types.Array) and words.dtype == types.uint64 and words.ndim == 1):
        return None

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        data = context.make_array(signature.args[0])(context, builder, args[0]).data

        def word(i: int) -> Any:
            return builder.load(cgutils.gep_inbounds(builder, data, i))

        bits = cgutils.create_struct_proxy(_BIT_GENERATOR)(context, builder)  # zero-filled: no parent object
        bits.state_address, bits.state = word(_STATE_ADDRESS), word(_STATE)
        bits.fnptr_next_uint64, bits.fnptr_next_uint32 = word(_NEXT_UINT64), word(_NEXT_UINT32)
        bits.fnptr_next_double, bits.bit_generator = word(_NEXT_DOUBLE), word(_BITGEN)
        generator = cgutils.create_struct_proxy(GENERATOR)(context, builder)  # no meminfo, no parent
        generator.bit_generator = bits._getvalue()
        return generator._getvalue()

    return GENERATOR(words), codegen


_STATE_ADDRESS, _STATE, _NEXT_UINT64, _NEXT_UINT32, _NEXT_DOUBLE, _BITGEN = range(6)


def _words_of(rng: np.random.Generator) -> np.ndarray:
    """The pointers of ``rng``'s bit generator, in :func:`rng_of`'s order (read-only)."""
    interface = rng.bit_generator.ctypes

    def address(function: Any) -> int:
        return ctypes.cast(function, ctypes.c_void_p).value or 0

    words = np.array([interface.state_address, interface.state.value or 0, address(interface.next_uint64),
                      address(interface.next_uint32), address(interface.next_double),
                      interface.bit_generator.value or 0], dtype=np.uint64)
    words.flags.writeable = False
    return words


class _Held:
    """A model's stream with the Generator it points into (kept alive with it); copied or pickled empty
    (its pointers are this process's and this Generator's), so that a copied model makes its own."""

    __slots__ = ("rng", "stream")

    def __init__(self, rng: Any = None, stream: Stream | None = None) -> None:
        self.rng, self.stream = rng, stream

    def __deepcopy__(self, memo: dict) -> _Held:
        return _Held()

    def __reduce__(self) -> tuple:
        return _Held, ()


_pruned = False


def stream_of(model: Any) -> Stream:
    """The stream of ``model.rng`` for kernels (:data:`Stream`; made once, and again if ``model.rng`` is replaced)."""
    global _pruned
    held = model.__dict__.get("_kernel_stream")
    if held is None or held.rng is not model.rng:
        if not _pruned:  # once a process
            _pruned = True
            prune_stale_caches()
        held = model.__dict__["_kernel_stream"] = _Held(model.rng, _words_of(model.rng))
    return held.stream


@kernel
def clipped(x: float, low: float, high: float) -> float:
    """``np.clip(x, low, high)`` of one number, to the bit: below ``low`` gives ``low``, above ``high`` gives
    ``high``; a NaN stays NaN, and -0.0 stays -0.0 at a bound of 0, as numpy keeps them."""
    if x < low:
        return low
    if x > high:
        return high
    return x


@kernel
def drawn_below(stream: Stream, rows: np.ndarray, chance: float) -> np.ndarray:
    """The ``rows`` whose uniform draw (one each, in order, as ``rng.random(len(rows))``) is below ``chance``."""
    u = rng_of(stream).random(len(rows))
    kept = np.empty(len(rows), np.int64)
    n = 0
    for k in range(len(rows)):
        if u[k] < chance:
            kept[n] = rows[k]
            n += 1
    return kept[:n]


@kernel
def _block_sum(a: np.ndarray, start: int, n: int) -> float:
    # numpy's sum of at most 128 values: in order below 8, else eight running sums combined as a tree
    if n < 8:
        total = 0.0
        for i in range(start, start + n):
            total += a[i]
        return total
    r0, r1, r2, r3 = a[start], a[start + 1], a[start + 2], a[start + 3]
    r4, r5, r6, r7 = a[start + 4], a[start + 5], a[start + 6], a[start + 7]
    i = 8
    whole = n - n % 8
    while i < whole:
        j = start + i
        r0 += a[j]
        r1 += a[j + 1]
        r2 += a[j + 2]
        r3 += a[j + 3]
        r4 += a[j + 4]
        r5 += a[j + 5]
        r6 += a[j + 6]
        r7 += a[j + 7]
        i += 8
    total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        total += a[start + i]
        i += 1
    return total


@kernel
def _pairwise(a: np.ndarray, start: int, n: int) -> float:
    # numpy halves a longer run (at a multiple of 8) and adds the halves' sums; numba cannot load a
    # recursive function from its cache, so the halving is walked with explicit stacks
    if n <= 128:
        return _block_sum(a, start, n)
    starts = np.empty(192, np.int64)
    sizes = np.empty(192, np.int64)
    combine = np.empty(192, np.bool_)
    sums = np.empty(96)
    top, done = 1, 0
    starts[0], sizes[0], combine[0] = start, n, False
    while top:
        top -= 1
        s, size = starts[top], sizes[top]
        if combine[top]:
            done -= 1
            sums[done - 1] = sums[done - 1] + sums[done]
        elif size <= 128:
            sums[done] = _block_sum(a, s, size)
            done += 1
        else:
            half = size // 2
            half -= half % 8
            starts[top], sizes[top], combine[top] = s, size, True  # after both halves: add them
            starts[top + 1], sizes[top + 1], combine[top + 1] = s + half, size - half, False
            starts[top + 2], sizes[top + 2], combine[top + 2] = s, half, False  # popped first
            top += 3
    return sums[0]


@kernel
def pairwise_sum(a: np.ndarray) -> float:
    """The sum of a contiguous 1-D float array as numpy's ``a.sum()`` computes it, to the last bit."""
    return pairwise_sum_of(a, 0, len(a))


@kernel
def pairwise_sum_of(a: np.ndarray, start: int, n: int) -> float:
    """:func:`pairwise_sum` of ``a[start:start + n]`` without making the slice (a view costs its reference
    counting in a loop: the rows of a table kept flat)."""
    if n <= 128:  # one block, as most sums here are: the halving walk's call costs more than the block's adds
        return 0.0 + _block_sum(a, start, n)
    return 0.0 + _pairwise(a, start, n)


def warm_up() -> float:
    """Compile (or load) the kernels a run uses, by running two months of ``history``; CPU seconds taken."""
    from sim.model import InsurgencyModel  # the model imports this module
    from sim.scenario import load_scenario

    start = time.process_time()
    InsurgencyModel(load_scenario("history", months=2), rng=0, collect_daily=False).run()
    return time.process_time() - start
