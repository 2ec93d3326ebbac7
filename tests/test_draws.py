"""The draws of ``sim.draws`` are numpy ``Generator``'s: the same numbers, and the bit generator left
where numpy leaves it (compared whole, with PCG64's buffered 32-bit half), over many seeds and sizes."""

from __future__ import annotations

import re
from types import SimpleNamespace

import numpy as np
import pytest

from sim.compiled import stream_of
from sim.draws import (
    FLOYD_POPULATION,
    NOT_PROBABILITIES,
    POISSON_LAM_MAX,
    binomial,
    choice_index,
    choice_p,
    choice_w,
    choices_p,
    geometric,
    poisson,
    sample,
)
from sim.mechanisms.civilian_arrests import bystanders, swept
from sim.mechanisms.compartmentalisation import revealed
from sim.mechanisms.repentance import campaigns


def _pair(seed: int) -> tuple[np.random.Generator, object, np.random.Generator]:
    """A generator with the stream a kernel draws from it through, and its twin for numpy's draws; both
    have drawn one 32-bit half already, so that PCG64's buffered half is part of what is compared."""
    ours, twin = np.random.default_rng(seed), np.random.default_rng(seed)
    if seed % 2:
        ours.integers(0, 7)
        twin.integers(0, 7)
    return ours, stream_of(SimpleNamespace(rng=ours)), twin


def _same_state(ours: np.random.Generator, twin: np.random.Generator) -> None:
    assert ours.bit_generator.state == twin.bit_generator.state
    assert ours.random() == twin.random()


def test_poisson_binomial_geometric_are_numpys_over_the_models_ranges() -> None:
    r = np.random.default_rng(11)
    for seed in range(300):
        ours, stream, twin = _pair(seed)
        for _ in range(20):
            lam = float(r.choice([0.0, 1e-3, 0.5, 3.0, 9.99, 10.0, 10.5, 25.0, r.random() * 12]))
            assert poisson(stream, lam) == twin.poisson(lam)
            n = int(r.choice([0, 1, 2, 7, 40, 199, 400, int(r.integers(0, 300))]))
            p = float(r.choice([0.0, 1.0, 0.5, 0.05, 0.95, 0.2, r.random()]))
            assert binomial(stream, n, p) == twin.binomial(n, p)
            q = float(r.choice([1.0, 0.5, 1 / 3, 0.3, 0.2, 1 / 40, 1e-3, max(r.random(), 1e-9)]))
            assert geometric(stream, q) == twin.geometric(q)
        _same_state(ours, twin)


def test_binomial_with_p_one_takes_a_draw_as_numpy_does() -> None:
    ours, stream, twin = _pair(3)
    assert binomial(stream, 12, 1.0) == twin.binomial(12, 1.0) == 12
    _same_state(ours, twin)
    ours, stream, twin = _pair(3)
    assert binomial(stream, 0, 1.0) == 0 and binomial(stream, 12, 0.0) == 0
    twin.binomial(0, 1.0), twin.binomial(12, 0.0)
    _same_state(ours, twin)


@pytest.mark.parametrize(("draw", "args", "plain"), [
    (poisson, (-1.0,), "poisson"), (poisson, (np.nan,), "poisson"), (poisson, (1e19,), "poisson"),
    (binomial, (-1, 0.5), "binomial"), (binomial, (3, 1.5), "binomial"), (binomial, (3, -0.1), "binomial"),
    (binomial, (3, np.nan), "binomial"), (geometric, (0.0,), "geometric"), (geometric, (1.5,), "geometric"),
    (geometric, (np.nan,), "geometric")])
def test_parameters_numpy_refuses_are_refused(draw, args: tuple, plain: str) -> None:
    ours, stream, twin = _pair(0)
    with pytest.raises(ValueError) as raised:
        getattr(twin, plain)(*args)
    with pytest.raises(ValueError, match=re.escape(str(raised.value))):
        draw(stream, *args)
    _same_state(ours, twin)


def test_the_largest_poisson_mean_is_numpys() -> None:
    assert np.random.Generator._poisson_lam_max == POISSON_LAM_MAX
    _, stream, twin = _pair(0)
    assert poisson(stream, POISSON_LAM_MAX) == twin.poisson(POISSON_LAM_MAX)


def test_choice_of_n_is_numpys() -> None:
    r = np.random.default_rng(12)
    for seed in range(300):
        ours, stream, twin = _pair(seed)
        for _ in range(10):
            n = int(r.choice([1, 2, 3, 17, 150, 2**31, 2**32, 2**32 + 1, 2**40, int(r.integers(1, 500))]))
            assert choice_index(stream, n) == twin.choice(n)
            assert choice_index(stream, n) == twin.integers(n)
        _same_state(ours, twin)


def test_choice_of_nothing_is_refused() -> None:
    _, stream, twin = _pair(0)
    with pytest.raises(ValueError):
        twin.choice(0)
    with pytest.raises(ValueError):
        choice_index(stream, 0)


def _weights(r: np.random.Generator) -> np.ndarray:
    n = int(r.choice([1, 2, 3, 5, 8, 9, 16, 17, 130, 300]))
    w = r.random(n) * 10.0 ** int(r.integers(-3, 4))
    if r.random() < 0.5:
        w[r.random(n) < 0.4] = 0.0  # zeros anywhere, the first and last included
    if r.random() < 0.1:
        w[:] = 0.0
        w[int(r.integers(n))] = float(r.random()) + 1e-9
    return w


def test_weighted_choices_are_numpys_and_zero_weights_are_never_drawn() -> None:
    r = np.random.default_rng(13)
    for seed in range(400):
        ours, stream, twin = _pair(seed)
        for _ in range(10):
            w = _weights(r)
            if w.sum() <= 0:
                continue
            pick = choice_w(stream, w)
            assert pick == twin.choice(len(w), p=w / w.sum()) and w[pick] > 0
            p = w / w.sum()
            assert choice_p(stream, p) == twin.choice(len(p), p=p)
            # several at once: numpy's checks once, then n uniforms in one call
            n = int(r.choice([1, 2, 3, 7, 40, int(r.integers(1, 200))]))
            picks = choices_p(stream, p, n)
            assert picks.dtype == np.int64 and (p[picks] > 0).all()
            assert np.array_equal(picks, twin.choice(len(p), size=n, p=p))
        _same_state(ours, twin)


def test_a_draw_at_a_cumulative_share_takes_the_next_place() -> None:
    # side="right": a uniform equal to a running share goes past it (to the next non-zero weight)
    ours, stream, twin = _pair(0)
    u = np.random.default_rng(0).random()
    p = np.array([u, 0.0, 0.0, 1.0 - u])
    p = p / p.sum()
    assert choice_p(stream, p) == twin.choice(4, p=p)
    _same_state(ours, twin)


@pytest.mark.parametrize("p", [
    np.zeros(0), np.zeros(3), np.array([0.5, np.nan, 0.5]), np.array([1.2, -0.2]), np.array([0.5, 0.49]),
    np.array([0.5, np.inf]), np.array([0.5, 0.5 + 2e-8])])
def test_probabilities_numpy_refuses_draw_nothing(p: np.ndarray) -> None:
    ours, stream, twin = _pair(1)
    with pytest.raises(ValueError):
        twin.choice(len(p), p=p)
    assert choice_p(stream, p) == NOT_PROBABILITIES
    w = p.copy()
    if len(w) and np.isfinite(w).all() and (w >= 0).all() and w.sum() > 0:
        assert choice_w(stream, w) != NOT_PROBABILITIES  # weights need not sum to 1
    else:
        assert choice_w(stream, w) == NOT_PROBABILITIES
        _same_state(ours, twin)


def test_probabilities_within_numpys_tolerance_are_drawn() -> None:
    ours, stream, twin = _pair(2)
    p = np.array([0.5, 0.5 + 1e-8])
    assert choice_p(stream, p) == twin.choice(2, p=p)
    _same_state(ours, twin)


def _sizes(r: np.random.Generator) -> tuple[int, int]:
    pop = int(r.choice([0, 1, 2, 3, 10, 64, 119, 132, 200, int(r.integers(0, 300))]))
    k = int(r.choice([0, 1, 2, pop, max(pop - 1, 0), int(r.integers(0, pop + 1))]))
    return pop, min(k, pop)


def test_a_sample_without_replacement_is_numpys() -> None:
    r = np.random.default_rng(14)
    for seed in range(400):
        ours, stream, twin = _pair(seed)
        for _ in range(8):
            pop, k = _sizes(r)
            a = np.sort(r.choice(1000, pop, replace=False)) if r.random() < 0.7 else np.arange(pop)
            got = sample(stream, a, k)
            assert got.dtype == a.dtype
            np.testing.assert_array_equal(got, twin.choice(a, size=k, replace=False))
            assert len(set(got.tolist())) == k
        _same_state(ours, twin)


@pytest.mark.parametrize(("pop", "k"), [
    (FLOYD_POPULATION, 5000), (FLOYD_POPULATION + 1, FLOYD_POPULATION // 50),
    (FLOYD_POPULATION + 1, FLOYD_POPULATION // 50 + 1), (20000, 3000), (20000, 20000), (20000, 399), (20000, 401)])
def test_a_sample_of_a_large_population_takes_numpys_branch(pop: int, k: int) -> None:
    for seed in range(3):
        ours, stream, twin = _pair(seed)
        a = np.arange(pop) * 3
        np.testing.assert_array_equal(sample(stream, a, k), twin.choice(a, size=k, replace=False))
        _same_state(ours, twin)


def test_a_sample_larger_than_its_population_is_refused() -> None:
    ours, stream, twin = _pair(0)
    with pytest.raises(ValueError):
        twin.choice(np.arange(3), size=4, replace=False)
    with pytest.raises(ValueError):
        sample(stream, np.arange(3), 4)
    with pytest.raises(ValueError):
        sample(stream, np.arange(3), -1)
    _same_state(ours, twin)


def test_the_mechanisms_kernels_take_the_draws_of_the_numpy_code_they_replace() -> None:
    r = np.random.default_rng(15)
    for seed in range(300):
        ours, stream, twin = _pair(seed)
        village, loss = int(r.integers(0, 4)), float(r.choice([0.01, 0.3, 1.0]))
        trust = r.random(4)
        plain = trust.copy()
        mean, share, members = float(r.random() * 6), float(r.choice([0.0, 1.0, r.random()])), int(r.integers(0, 9))
        innocent = swept(stream, village, mean, share, trust, loss)
        expected = int(twin.binomial(int(twin.poisson(mean)), share))
        assert innocent == expected
        plain[village] = max(0.0, plain[village] - loss * expected)
        bystander_share = min(share, 0.99)
        innocent = bystanders(stream, village, members, bystander_share, trust, loss)
        expected = int(twin.poisson(members * bystander_share / (1.0 - bystander_share)))
        assert innocent == expected
        plain[village] = max(0.0, plain[village] - loss * expected)
        np.testing.assert_array_equal(trust, plain)

        alive = r.random(int(r.integers(0, 150))) < 0.7
        exposure, plain_exposure = np.zeros(len(alive)), np.zeros(len(alive))
        source, captured, per_member = int(r.integers(0, len(alive) + 1)), int(r.integers(0, 6)), float(r.random())
        others = np.nonzero(alive & (np.arange(len(alive)) != source))[0]
        expected = 0
        if len(others) and captured > 0:
            expected = min(len(others), int(twin.binomial(captured, per_member)))
            if expected:
                plain_exposure[twin.choice(others, size=expected, replace=False)] = 1.0
        assert revealed(stream, alive, source, captured, per_member, exposure) == expected
        np.testing.assert_array_equal(exposure, plain_exposure)
        _same_state(ours, twin)


def test_a_nights_campaigns_are_the_python_loops() -> None:
    """``repentance.campaigns`` is the loop it replaced: its draws, its changes, what it leaves to Python."""
    r = np.random.default_rng(16)
    for seed in range(300):
        ours, stream, twin = _pair(seed)
        n_units, n_villages = int(r.integers(0, 12)), 6
        home, local, active = r.integers(0, n_villages, n_units), r.random(n_units) < 0.7, r.random(n_units) < 0.8
        strength = r.integers(0, 6, n_units).astype(np.int32)
        chair, pressure, influence = r.random(n_villages) < 0.6, r.random(n_villages), r.random(n_villages)
        criteria = np.zeros((n_villages, 8))
        started = r.permutation(n_villages)[:int(r.integers(1, n_villages + 1))]
        most, mean = int(r.choice([0, 1, 3, 40])), float(r.choice([1.0, 1.5, 4.0, 40.0]))
        share, gain, influence_gain = float(r.choice([0.0, 1.0, r.random()])), 0.25, 0.3
        plain = [a.copy() for a in (strength, chair, pressure, influence, criteria)]
        outcome = np.full((n_villages, 3), -7, np.int64)
        campaigns(stream, started, len(started), home, local, active, strength, most, 1.0 / max(1.0, mean), chair,
                  share, pressure, influence, criteria, 2, gain, influence_gain, outcome)
        p_strength, p_chair, p_pressure, p_influence, p_criteria = plain
        for h, i in enumerate(started.tolist()):
            repented, hit, left = 0, 0, 0
            local_units = np.nonzero((home == i) & local & active & (p_strength > 0))[0]
            if len(local_units):
                k = local_units[twin.integers(len(local_units))]
                group = min(int(p_strength[k]), min(most, int(twin.geometric(1.0 / max(1.0, mean)))))
                p_strength[k] -= group
                repented, hit = repented + group, 1
            if p_chair[i] and twin.random() < share:
                p_chair[i] = False
                repented, left = repented + 1, 1
            if repented:
                p_pressure[i] = min(1.0, p_pressure[i] + gain)
                p_influence[i] = min(1.0, p_influence[i] + influence_gain)
                p_criteria[i, 2] += 1
            assert outcome[h].tolist() == [repented, hit, left]
        for a, b in zip((strength, chair, pressure, influence, criteria), plain, strict=True):
            np.testing.assert_array_equal(a, b)
        _same_state(ours, twin)


@pytest.mark.parametrize("p", [
    np.zeros(0), np.zeros(3), np.array([0.5, np.nan, 0.5]), np.array([1.2, -0.2]), np.array([0.5, 0.49])])
def test_several_choices_numpy_refuses_draw_nothing(p: np.ndarray) -> None:
    ours, stream, twin = _pair(3)
    with pytest.raises(ValueError):
        twin.choice(len(p), size=4, p=p)
    assert choices_p(stream, p, 4).tolist() == [NOT_PROBABILITIES]
    _same_state(ours, twin)
