"""The night's kernels (issue 15) give, exactly, what the numpy code they replaced gave, draws included."""

from __future__ import annotations

import math

import numpy as np
import pytest

import sim
from sim.agents.is_cell import ROLES
from sim.compiled import stream_of
from sim.mechanisms.night_movement import arrive, cells_out, role_groups, visited_once
from sim.world.names import REGIME


@pytest.fixture
def model() -> sim.InsurgencyModel:
    m = sim.InsurgencyModel(sim.load_scenario("baseline", months=3), rng=5, collect_daily=False)
    m.run_for(10)
    return m


@pytest.mark.parametrize("offensive", [False, True])
def test_cells_out_is_the_numpy_draw_and_reach(model: sim.InsurgencyModel, offensive: bool) -> None:
    m, c, movement = model, model.cells, model.mechanisms.night_movement
    m.policy.regime_offensive = offensive
    alive = np.flatnonzero(c.alive)
    holder = m.geography.holder
    base, factor = movement.base_reach(), float(m.p.regime_offensive_mobility_factor)
    assert (holder[c.base_x[alive], c.base_y[alive]] == REGIME).any()  # Badia cells, whose reach is shorter
    for staged in (np.zeros(0, np.int64), alive[3:4], alive[[0, 5]]):
        state = m.rng.bit_generator.state
        rows, reach, radius = cells_out(stream_of(m), alive, 0.4, staged, holder, c.base_x, c.base_y, base, factor,
                                        offensive)
        after = m.rng.bit_generator.state
        m.rng.bit_generator.state = state
        want = alive[m.rng.random(len(alive)) < 0.4]
        want = want[~np.isin(want, staged)]
        assert m.rng.bit_generator.state == after and np.array_equal(rows, want)
        if offensive:
            r = np.full(len(want), base)
            r[holder[c.base_x[want], c.base_y[want]] == REGIME] *= factor
            assert np.array_equal(reach, r) and radius == int(np.floor(r.max()))
            assert np.array_equal(movement.reach(want), r)
        else:
            assert len(reach) == 0 and radius == math.floor(base)


def test_role_groups_are_the_stable_sort_by_role() -> None:
    rng = np.random.default_rng(1)
    role = rng.integers(0, len(ROLES), 300).astype(np.int8)
    for n in (0, 1, 7, 120):
        cells = rng.choice(300, n, replace=False)
        villages = rng.integers(0, 50, n)
        by_cell, by_village, bounds = role_groups(cells, villages, role, len(ROLES))
        order = role[cells].argsort(kind="stable")
        assert np.array_equal(by_cell, cells[order]) and np.array_equal(by_village, villages[order])
        assert np.array_equal(bounds, role[cells][order].searchsorted(np.arange(len(ROLES) + 1)))
        assert np.array_equal(visited_once(villages), np.unique(villages))


def test_arrive_moves_the_cells_and_counts_the_fighters(model: sim.InsurgencyModel) -> None:
    c, v = model.cells, model.villages
    rng = np.random.default_rng(2)
    rows = rng.choice(np.flatnonzero(c.alive), 20, replace=False)
    pick = rng.integers(0, len(v), 20)
    arrive(rows, pick, c.x, c.y, v.x, v.y, c.fighters, v.is_present, c.role, len(ROLES))
    assert np.array_equal(c.x[rows], v.x[pick]) and np.array_equal(c.y[rows], v.y[pick])
    want = np.zeros(len(v), v.is_present.dtype)
    want[:] = np.bincount(pick, weights=c.fighters[rows], minlength=len(v))
    assert np.array_equal(v.is_present, want)
    model.mechanisms.night_movement.dawn()
