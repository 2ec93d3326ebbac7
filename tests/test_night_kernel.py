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


def _go_out_by_the_steps(m: sim.InsurgencyModel) -> tuple[np.ndarray, np.ndarray]:
    """``NightMovement.go_out`` as it was before its fused kernel (issue 15): the draw of who goes out, the
    roles' pulls by ``role_attraction``, the targets, the Margadeh redirect, then the arrival."""
    from sim.mechanisms.night_movement import night_targets

    c, v, p, movement = m.cells, m.villages, m.p, m.mechanisms.night_movement
    rows, reach, radius = cells_out(stream_of(m), m.cell_sites().alive, float(p.night_activity_prob),
                                    m.mechanisms.prison.staged_rows(), m.geography.holder, c.base_x, c.base_y,
                                    movement.base_reach(), float(p.regime_offensive_mobility_factor),
                                    bool(m.policy.regime_offensive))
    table = m.world.index.neighbours(radius)
    attraction = np.zeros((len(ROLES), len(v) + 1))
    movement.role_attraction(out=attraction[:, :-1], held=v.sdf_held)
    args = (rows, reach, c.base_x, c.base_y, c.role)
    found, going, pick = night_targets(stream_of(m), *args, table.slot_at, table.padded, table.dist, attraction,
                                       movement.decay(radius), movement.cover())
    if not found:
        table.slots(c.base_x[rows], c.base_y[rows])
        found, going, pick = night_targets(stream_of(m), *args, table.slot_at, table.padded, table.dist, attraction,
                                           movement.decay(radius), movement.cover())
    pick = m.mechanisms.margadeh_coordination.redirect(going, pick, attraction)
    arrive(going, pick, c.x, c.y, v.x, v.y, c.fighters, v.is_present, c.role, len(ROLES))
    return going, pick


@pytest.mark.parametrize("share", [0.0, 0.6])
def test_a_night_out_in_one_kernel_call_is_the_steps(share: float) -> None:
    """The fused night (pulls, targets and arrival in one kernel call, the arrival after the redirect when
    Margadeh's cells may be sent away) moves the cells where the steps did, drawing the same numbers."""
    twins = [sim.InsurgencyModel(sim.load_scenario("history", months=2, margadeh_coordination_share=share), rng=4,
                                 collect_daily=False) for _ in "ab"]
    redirected = 0
    for night in range(12):
        new, old = twins
        visits = new.mechanisms.night_movement.go_out()
        going, pick = _go_out_by_the_steps(old)
        assert np.array_equal(visits.cells, going) and np.array_equal(visits.villages, pick), night
        for name in ("x", "y"):
            assert np.array_equal(getattr(new.cells, name), getattr(old.cells, name))
        assert np.array_equal(new.villages.is_present, old.villages.is_present)
        assert new.rng.bit_generator.state == old.rng.bit_generator.state
        margadeh = new.geography.district_index("margadeh")
        redirected += int((new.geography.district[new.cells.base_x[going], new.cells.base_y[going]]
                           == margadeh).sum())
        for m in twins:
            m.mechanisms.night_movement.dawn()
            m.day += 1  # a later day: other traders due, as on the nights that follow
    assert len(visits.cells) and (redirected or share == 0)  # cells went out, Margadeh's among them
