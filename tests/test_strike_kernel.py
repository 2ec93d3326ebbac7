"""The strike mechanisms' kernels give the numbers, and take the draws, of the numpy code they replace."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from sim.agents.village import count_criteria
from sim.compiled import stream_of
from sim.mechanisms.attacks import NO_UNIT, NOT_PROBABILITIES, attack_targets, decided_attack_targets, strike_at
from sim.mechanisms.killings import decided_killing_targets, killing_targets, unpledged_officials, victim_of
from sim.mechanisms.strategic_patience import attention_after, willingness
from sim.mechanisms.strongholds import stronghold_villages, zones_still_hold
from sim.modifiers import fighter_scaled


def _held(seed: int) -> tuple[np.random.Generator, object]:
    """A generator and the Stream a kernel draws from it through."""
    rng = np.random.default_rng(seed)
    return rng, stream_of(SimpleNamespace(rng=rng))


def test_the_unit_hit_and_its_dead_are_numpys_choice_and_poisson() -> None:
    r = np.random.default_rng(5)
    for seed in range(400):
        n = int(r.integers(0, 9))
        pull = r.random(n) * (r.random(n) < 0.7)
        units = r.permutation(20)[:n]
        strength = r.integers(0, 12, 20).astype(np.int32)
        plain_rng, (rng, stream) = np.random.default_rng(seed), _held(seed)
        expected = strength.copy()
        fear, influence, criteria, violence = np.full(3, 0.95), np.full(3, 0.2), np.zeros((3, 8)), np.zeros(3)
        dead = strike_at(stream, 1, units, pull, strength, 2.5, fear, influence, criteria, 4, violence, 0.1, 0.05)
        if pull.sum() > 0:
            k = units[plain_rng.choice(len(units), p=pull / pull.sum())]
            plain_dead = min(int(expected[k]), int(plain_rng.poisson(2.5)))
            expected[k] -= plain_dead
            assert dead == plain_dead
        else:
            assert dead == NO_UNIT
        assert np.array_equal(strength, expected)
        assert rng.random() == plain_rng.random()  # the same draws were taken
        assert fear[1] == 1.0 and influence[1] == 0.2 + 0.05 and criteria[1, 4] == 1 and violence[1] == 1
        assert fear[0] == 0.95 and violence[0] == 0


def test_a_pull_numpy_would_refuse_changes_and_draws_nothing() -> None:
    rng, stream = _held(1)
    strength, fear = np.full(3, 5, np.int32), np.zeros(2)
    pull = np.array([0.5, np.inf])
    dead = strike_at(stream, 0, np.arange(2), pull, strength, 1.0, fear, np.zeros(2), np.zeros((2, 8)), 0,
                     np.zeros(2), 0.1, 0.1)
    assert dead == NOT_PROBABILITIES and fear[0] == 0.0 and (strength == 5).all()
    assert rng.random() == np.random.default_rng(1).random()


def test_unpledged_officials_round_as_numpy() -> None:
    r = np.random.default_rng(2)
    officials = r.integers(0, 60, 20000).astype(np.int32)
    pledged = r.random(20000)
    pledged[::5] = np.round(pledged[::5] * 8) / 8  # halves, which rint rounds to even
    assert np.array_equal(unpledged_officials(officials, pledged),
                          np.maximum(0, np.rint(officials * (1.0 - pledged))).astype(int))


def test_the_victim_is_drawn_as_the_python_loop_drew_it() -> None:
    r = np.random.default_rng(3)
    for seed in range(300):
        officials = r.integers(0, 4, 2).astype(np.int32)
        pledged, chair = r.random(2).round(1), r.random(2) < 0.5
        civilian, aim = float(r.random()), float(r.random())
        plain_rng, (rng, stream) = np.random.default_rng(seed), _held(seed)
        victim = victim_of(stream, 1, officials, pledged, chair, civilian, aim)
        plain = 0
        if unpledged_officials(officials[1], pledged[1]) > 0 and plain_rng.random() >= civilian:
            plain = 2 if chair[1] and plain_rng.random() < aim else 1
        assert victim == plain and rng.random() == plain_rng.random()


def test_attention_and_willingness_are_numpys() -> None:
    r = np.random.default_rng(4)
    governorate = r.integers(0, 3, 40)
    for _ in range(200):
        attention = r.random(3) * (r.random(3) < 0.8)
        seen = r.integers(0, 5, 40).astype(float)
        now = seen + r.integers(0, 3, 40) * (r.random(40) < 0.2)
        plain = np.minimum(1.0, attention + 0.07 * np.bincount(governorate, weights=now - seen, minlength=3))
        assert np.array_equal(attention_after(attention, governorate, now, seen, 0.07), plain)
        costs, tolerance = np.array([0.1, 0.03]), float(r.random())
        for noise in (0.0, 0.05, 1e-4):
            rows = willingness(attention, costs, tolerance, noise)
            for cost, row in zip(costs, rows, strict=True):
                over = attention + cost - tolerance
                expected = (over < 0).astype(float) if noise <= 0 else (
                    1.0 / (1.0 + np.exp((over / noise).clip(-50.0, 50.0))))
                assert np.array_equal(row, expected)


def test_the_nights_targets_are_the_numpy_masks_draws() -> None:
    """The strike kernels' one loop gives the villages, and takes the draws, of ``villages[rng.random(n) < chance]``."""
    r = np.random.default_rng(6)
    governorate, district = r.integers(0, 3, 30), r.integers(0, 5, 30)
    for seed in range(200):
        n = int(r.integers(0, 12))
        villages, cells = r.integers(0, 30, n), r.integers(0, 10, n)
        willing, present, under = r.random(3), r.random(5) < 0.6, r.random(10) < 0.5
        guard, held = r.random(30) * (r.random(30) < 0.7), r.random(30) < 0.8
        violence, armed, fighters = r.random(n), r.random(n) * 1.2, r.integers(0, 9, 10)
        base, enabled = float(r.random()), bool(r.random() < 0.7)
        tables = (willing, governorate, present, district, enabled, under)
        follows = under[cells] | (not enabled)
        restraint = np.where(present[district[villages]] & follows, willing[governorate[villages]], 1.0)
        kill = np.array([fighter_scaled(base * restraint[k] * (1.0 - guard[i]) * violence[k] * float(held[i]),
                                        fighters[cells[k]], 4.0) * armed[k] for k, i in enumerate(villages)])
        hit = np.array([fighter_scaled(base * restraint[k] * violence[k] * float(guard[i] > 0), fighters[cells[k]],
                                       4.0) * armed[k] for k, i in enumerate(villages)])
        visits = (villages, cells, base)
        for chance, strike, args in (
                (kill, decided_killing_targets, (*tables, *visits, guard, violence, held, fighters, 4.0, armed)),
                (kill, killing_targets, (*visits, restraint, guard, violence, held, fighters, 4.0, armed)),
                (hit, decided_attack_targets, (*tables, *visits, violence, guard, fighters, 4.0, armed)),
                (hit, attack_targets, (*visits, restraint, violence, guard, fighters, 4.0, armed))):
            plain_rng, (rng, stream) = np.random.default_rng(seed), _held(seed)
            assert np.array_equal(strike(stream, *args), villages[plain_rng.random(n) < chance])
            assert rng.random() == plain_rng.random()


def test_kept_zones_hold_exactly_while_the_counted_strongholds_and_hold_do() -> None:
    r = np.random.default_rng(7)
    for _ in range(300):
        criteria = r.integers(0, 4, (20, 8)).astype(float)
        council, chair, held = r.random(20) < 0.8, r.random(20) < 0.8, r.random(20) < 0.7
        kept = stronghold_villages(criteria, council, chair, 2.0, 3.0)
        kept_held = held.copy()
        if r.random() < 0.5:
            criteria[int(r.integers(20))] = r.integers(0, 4, 8)
        if r.random() < 0.2:
            kept_held[int(r.integers(20))] ^= True
        plain = (np.array_equal(count_criteria(criteria, council, chair, 2.0) >= 3.0, kept)
                 and np.array_equal(held, kept_held))
        assert zones_still_hold(criteria, council, chair, held, 2.0, 3.0, kept, kept_held) == plain
