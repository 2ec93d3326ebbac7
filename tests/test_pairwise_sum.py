"""The compiled sums add as numpy's ``sum`` adds (pairwise, eight running sums in a block), to the last bit: the
kernels' draws compare uniforms with such sums, so a different order of additions would change the runs."""

from __future__ import annotations

import numpy as np
import pytest

from sim.compiled import clipped, pairwise_sum, pairwise_sum_of
from sim.mechanisms.supply_lines import row_sum
from sim.outcomes import mean_where, total_where


def _values(n: int, seed: int) -> np.ndarray:
    # magnitudes spread over many orders, signs mixed: the order of the additions shows in the last bits
    rng = np.random.default_rng(seed)
    return rng.standard_normal(n) * 10.0 ** rng.integers(-8, 9, n)


@pytest.mark.parametrize("n", [0, 1, 7, 8, 9, 15, 16, 17, 127, 128, 129, 255, 256, 257, 1000, 1031, 5000])
def test_pairwise_sum_is_numpys_sum(n: int) -> None:
    a = _values(n, n)
    assert pairwise_sum(a) == a.sum()


def test_a_slice_is_summed_as_numpy_sums_the_slice() -> None:
    a = _values(3000, 1)
    for start, n in [(0, 0), (3, 5), (5, 8), (17, 38), (100, 129), (999, 1001), (1, 2999)]:
        assert pairwise_sum_of(a, start, n) == a[start:start + n].sum(), (start, n)


@pytest.mark.parametrize("width", [1, 2, 5, 7, 8, 9, 38, 200])
def test_a_cache_row_is_summed_as_numpy_sums_the_row(width: int) -> None:
    rng = np.random.default_rng(width)
    cache = np.append(_values(50, width + 100), 0.0)  # padded: the last entry is the tables' dummy
    padded = rng.integers(0, len(cache), (4, width))
    for slot in range(len(padded)):
        assert row_sum(cache, padded, slot) == cache[padded[slot]].sum()


@pytest.mark.parametrize("n", [0, 5, 125, 1000])
def test_the_outcomes_masked_means_and_totals_are_numpys(n: int) -> None:
    """``sim.outcomes.mean_where`` is ``values[first & second].mean()`` to the bit (0 for an empty selection), and
    ``total_where`` the masked integer sum: the monthly and daily outcomes read them."""
    rng = np.random.default_rng(n)
    values, counts = _values(n, n + 1), rng.integers(0, 50, n).astype(np.int32)
    for first, second in [(rng.random(n) < 0.7, rng.random(n) < 0.8), (np.ones(n, bool), np.ones(n, bool)),
                          (np.zeros(n, bool), np.ones(n, bool))]:
        picked = values[first & second]
        assert mean_where(values, first, second) == (picked.mean() if len(picked) else 0.0)
        assert total_where(counts, first) == int(counts[first].sum())


def test_clipped_is_numpys_clip_to_the_bit() -> None:
    """``compiled.clipped`` holds a number within bounds as ``np.clip`` does: NaN and -0.0 kept, the bounds given."""
    values = np.array([-0.0, 0.0, np.nan, -1.0, 2.0, 1.0, 0.5, -np.inf, np.inf, 1e-300, -1e-300])
    for low, high in [(0.0, 1.0), (-50.0, 50.0), (0.25, 0.75)]:
        expected = np.clip(values, low, high)
        got = np.array([clipped(float(x), low, high) for x in values])
        assert np.array_equal(np.isnan(got), np.isnan(expected))
        same = ~np.isnan(expected)
        assert np.array_equal(got[same], expected[same])
        assert np.array_equal(np.signbit(got[same]), np.signbit(expected[same]))
