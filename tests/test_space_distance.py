"""The grid distance transform equals the brute-force nearest distance it replaced (issue 15: memory)."""

from __future__ import annotations

import numpy as np

import sim
from sim.world.hideouts import nearest_distance
from sim.world.space import distance_to


def test_distance_to_equals_the_nearest_target_by_brute_force() -> None:
    rng = np.random.default_rng(4)
    for shape, density in (((17, 23), 0.02), ((40, 9), 0.2), ((1, 30), 0.1), ((25, 25), 0.0015)):
        mask = rng.random(shape) < density
        mask[rng.integers(shape[0]), rng.integers(shape[1])] = True  # at least one target
        cells = np.argwhere(np.ones(shape, dtype=bool))
        expected = nearest_distance(cells, np.argwhere(mask)).reshape(shape)
        assert np.array_equal(distance_to(mask), expected)


def test_no_target_is_infinitely_far_and_every_target_is_at_zero() -> None:
    assert np.isinf(distance_to(np.zeros((4, 5), dtype=bool))).all()
    assert (distance_to(np.ones((4, 5), dtype=bool)) == 0).all()


def test_villages_distance_to_the_badia_equals_the_brute_force_on_the_shipped_map() -> None:
    m = sim.InsurgencyModel(sim.load_scenario("baseline", months=1), rng=1, collect_daily=False)
    v, hideouts = m.villages, m.world.hideouts
    villages = np.stack([v.x, v.y], axis=1).astype(np.int64)
    assert np.array_equal(hideouts.distance_to_badia(), nearest_distance(villages, hideouts.badia()))
