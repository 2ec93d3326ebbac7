"""numpy ``Generator`` draws that numba's ``Generator`` lacks or does not check, as kernels on a stream.

A kernel draws through the model's stream (:mod:`sim.compiled`), and must take the numbers numpy's
``Generator`` would, leaving the bit generator where numpy would: the mechanisms' rare paths (sweeps,
raids' bystanders, reveals, repentance, attacks) then draw inside their kernels, in the order the
numpy code drew, and every later draw stays where it was. numba's ``Generator`` has no ``choice``, and
its ``poisson``, ``binomial`` and ``geometric`` give numpy's numbers but accept the parameters numpy
refuses; the kernels here replicate numpy 2.x's ``Generator`` (``_generator.pyx``) for what the model
uses, and ``tests/test_draws.py`` checks the numbers and the state afterwards against numpy's.

Each takes the :data:`~sim.compiled.Stream`, so that any kernel can call it with the stream it was given.
"""

from __future__ import annotations

import numpy as np

from sim.compiled import Stream, kernel, pairwise_sum, rng_of

POISSON_LAM_MAX = float(np.iinfo(np.int64).max - np.sqrt(np.iinfo(np.int64).max) * 10)
"""The largest mean numpy's ``Generator.poisson`` accepts (its ``POISSON_LAM_MAX``)."""

CHOICE_ATOL = float(np.sqrt(np.finfo(np.float64).eps))
"""How far from 1 ``Generator.choice`` lets probabilities sum."""

NOT_PROBABILITIES = -2
"""What :func:`choice_p` returns, having drawn nothing, where numpy's ``choice`` would raise (no
probability vector: empty, NaN, a share below 0, or a sum farther than :data:`CHOICE_ATOL` from 1)."""

FLOYD_POPULATION = 10000
"""Above this population (and for samples above a 50th of it), numpy's ``choice(replace=False)``
shuffles the tail of the whole population instead of using Floyd's algorithm."""


@kernel
def poisson(stream: Stream, lam: float) -> int:
    """``rng.poisson(lam)``: numba's draw (numpy's numbers), after numpy's check of ``lam`` (ValueError)."""
    if not lam >= 0.0:
        raise ValueError("lam < 0 or lam is NaN")
    if lam > POISSON_LAM_MAX:
        raise ValueError("lam value too large")
    return rng_of(stream).poisson(lam)


@kernel
def binomial(stream: Stream, n: int, p: float) -> int:
    """``rng.binomial(n, p)`` for an integer ``n``: numba's draw (numpy's numbers: none taken when ``n``
    or ``p`` is 0, one when ``p`` is 1), after numpy's checks of ``p`` then ``n`` (ValueError)."""
    if not (p >= 0.0 and p <= 1.0):
        raise ValueError("p < 0, p > 1 or p is NaN")
    if n < 0:
        raise ValueError("n < 0")
    return rng_of(stream).binomial(n, p)


@kernel
def geometric(stream: Stream, p: float) -> int:
    """``rng.geometric(p)``: numba's draw (numpy's numbers), after numpy's check of ``p`` (ValueError)."""
    if not (p > 0.0 and p <= 1.0):
        raise ValueError("p <= 0, p > 1 or p contains NaNs")
    return rng_of(stream).geometric(p)


@kernel
def choice_index(stream: Stream, n: int) -> int:
    """``rng.choice(n)`` (and ``rng.integers(n)``): one of ``0 .. n - 1``, as ``integers(0, n)`` draws
    it (Lemire's method on 32-bit draws below 2**32; no draw at all when ``n`` is 1). ``rng.choice(a)``
    is ``a[choice_index(stream, len(a))]``. ValueError where ``n`` is below 1."""
    if n < 1:  # numba's integers would not check it
        raise ValueError("a must be a positive integer unless no samples are taken")
    return rng_of(stream).integers(0, n)


@kernel
def probability_cdf(p: np.ndarray) -> np.ndarray:
    """What ``rng.choice(len(p), p=p)`` draws against, for float64 probabilities ``p``: numpy's checks (a
    Kahan sum, no NaN, none below 0, the sum within :data:`CHOICE_ATOL` of 1), then its cumulative sum
    divided by its last value; an empty array where numpy would raise."""
    n = len(p)
    if n == 0:
        return np.zeros(0)
    total = p[0]  # numpy's kahan_sum, from the first value
    c = 0.0
    for j in range(1, n):
        y = p[j] - c
        t = total + y
        c = (t - total) - y
        total = t
    if total != total:
        return np.zeros(0)
    for j in range(n):
        if p[j] < 0:
            return np.zeros(0)
    if abs(total - 1.0) > CHOICE_ATOL:
        return np.zeros(0)
    cdf = np.empty(n)
    running = 0.0
    for j in range(n):  # cumsum: in order
        running += p[j]
        cdf[j] = running
    last = cdf[n - 1]
    for j in range(n):
        cdf[j] = cdf[j] / last
    return cdf


@kernel
def first_above(cdf: np.ndarray, u: float) -> int:
    """The first place of ``cdf`` (not decreasing) whose value is above ``u`` (``searchsorted(side="right")``)."""
    lo, hi = 0, len(cdf)
    while lo < hi:
        mid = (lo + hi) >> 1
        if cdf[mid] <= u:
            lo = mid + 1
        else:
            hi = mid
    return lo


@kernel
def choice_cdf(stream: Stream, cdf: np.ndarray) -> int:
    """:func:`choice_p` of the probabilities whose :func:`probability_cdf` is ``cdf``, made once for many draws:
    :data:`NOT_PROBABILITIES` and no draw for an empty ``cdf``, else one uniform draw and the first place whose
    cumulative share is above it (:func:`first_above`)."""
    if len(cdf) == 0:
        return NOT_PROBABILITIES
    return first_above(cdf, rng_of(stream).random())


@kernel
def choice_p(stream: Stream, p: np.ndarray) -> int:
    """``rng.choice(len(p), p=p)`` for float64 probabilities ``p``: numpy's checks and cumulative shares
    (:func:`probability_cdf`; :data:`NOT_PROBABILITIES` and no draw where numpy would raise), one uniform
    draw, and the first place whose cumulative share is above it (:func:`choice_cdf`)."""
    return choice_cdf(stream, probability_cdf(p))


@kernel
def choices_p(stream: Stream, p: np.ndarray, n: int) -> np.ndarray:
    """``rng.choice(len(p), size=n, p=p)`` for float64 probabilities ``p`` and ``n`` of 1 or more: numpy's
    checks once, then ``n`` uniform draws in order (numpy draws them in one call, the same numbers), each
    placed as :func:`choice_p` places its one. Where numpy would raise: one :data:`NOT_PROBABILITIES`
    and no draw."""
    cdf = probability_cdf(p)
    if len(cdf) == 0:
        return np.full(1, NOT_PROBABILITIES, np.int64)
    u = rng_of(stream).random(n)
    out = np.empty(n, np.int64)
    for i in range(n):
        out[i] = first_above(cdf, u[i])
    return out


@kernel
def choice_w(stream: Stream, w: np.ndarray) -> int:
    """``rng.choice(len(w), p=w / w.sum())`` for contiguous float64 weights ``w`` (numpy's pairwise sum,
    then :func:`choice_p`; :data:`NOT_PROBABILITIES` and no draw where numpy would raise)."""
    return choice_p(stream, w / pairwise_sum(w))


@kernel
def _swap_back(stream: Stream, values: np.ndarray, n: int, first: int) -> None:
    """numpy's ``_shuffle_int``: for ``i`` from ``n - 1`` down to ``first``, swap ``values[i]`` with
    ``values[integers(0, i + 1)]`` (unlike ``Generator.shuffle``, which draws by masking)."""
    rng = rng_of(stream)
    for i in range(n - 1, first - 1, -1):
        j = rng.integers(0, i + 1)
        values[i], values[j] = values[j], values[i]


@kernel
def sample(stream: Stream, a: np.ndarray, k: int) -> np.ndarray:
    """``rng.choice(a, size=k, replace=False)`` for a 1-D array ``a`` (shuffled, as numpy's default), in
    a new array. Up to :data:`FLOYD_POPULATION` (and for samples up to a 50th of a larger population)
    numpy uses Floyd's algorithm: for ``j`` from ``len(a) - k`` to ``len(a) - 1`` it draws
    ``integers(0, j + 1)`` (no draw where ``j`` is 0) and takes it, or ``j`` if it was taken; then it
    shuffles the ``k`` taken from the last down (``integers(0, i + 1)`` for ``i = k - 1 .. 1``). Above,
    it shuffles the last ``k`` places of ``0 .. len(a) - 1`` the same way and takes them. ValueError
    where ``k`` is negative or above ``len(a)``."""
    pop = len(a)
    if k > pop:
        raise ValueError("Cannot take a larger sample than population when replace is False")
    if k < 0:
        raise ValueError("negative dimensions are not allowed")
    if pop > FLOYD_POPULATION and k > pop // 50:
        idx = np.arange(pop)
        _swap_back(stream, idx, pop, max(pop - k, 1))
        idx = idx[pop - k:]
    else:
        rng = rng_of(stream)
        idx = np.empty(k, np.int64)
        taken = np.zeros(pop, np.bool_)  # numpy's hash set: only whether a place was taken matters
        for j in range(pop - k, pop):
            val = rng.integers(0, j + 1)
            if taken[val]:
                val = j  # j is above every place taken so far
            taken[val] = True
            idx[j - pop + k] = val
        _swap_back(stream, idx, k, 1)
    out = np.empty(k, a.dtype)
    for i in range(k):
        out[i] = a[idx[i]]
    return out
