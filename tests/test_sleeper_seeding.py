"""Day-one sleepers: seeded among the people of the places IS once held, whatever its foothold there now.

IS seeded sleeper cells across the areas it had controlled (WP 2019); ``sleeper_seed_share`` is the
chance that a day-one cell living in a village is such a sleeper (sim/world/hideouts.py).
"""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.world.names import NEVER_HELD_BY_IS, VILLAGE
from sim.world.population import form_cells

# every day-one cell lives in a village, so each one is a sleeper with the chance under test
ALL_IN_VILLAGES = {"base_share_badia": 0.0, "base_share_shepherd": 0.0, "base_share_embedded": 1.0}


def day_one(seed: int = 3, **parameters: float) -> sim.InsurgencyModel:
    return sim.InsurgencyModel(sim.load_scenario("baseline", months=1), rng=seed, collect_daily=False, **parameters)


def cell_villages(m: sim.InsurgencyModel) -> np.ndarray:
    """The village row each living cell is based in (-1 where its base is not a village)."""
    c, v = m.cells, m.villages
    at = {(int(x), int(y)): i for i, (x, y) in enumerate(zip(v.x, v.y, strict=True))}
    return np.array([at.get((int(x), int(y)), -1) for x, y in zip(c.base_x[c.alive], c.base_y[c.alive], strict=True)])


def test_sleepers_live_only_where_is_once_held_in_proportion_to_the_people() -> None:
    m = day_one(sleeper_seed_share=1.0, **ALL_IN_VILLAGES)
    v, w = m.villages, m.world
    rows = cell_villages(m)
    assert (rows >= 0).all() and v.sdf_held[rows].all()
    assert not np.isin(w.district_of[rows], NEVER_HELD_BY_IS).any()
    # Raqqa city alone holds about its share of the once-held villages' people (a binomial count)
    once = np.nonzero(v.sdf_held & ~np.isin(w.district_of, NEVER_HELD_BY_IS))[0]
    raqqa = m.village_index["Raqqa"]
    share = v.population[raqqa] / v.population[once].sum()
    n, k = len(rows), int((rows == raqqa).sum())
    assert abs(k - n * share) <= 4 * np.sqrt(n * share * (1 - share))


def test_without_sleepers_the_foothold_decides_and_raqqa_city_is_rarely_chosen() -> None:
    # the contrast the share makes: by the foothold rule, Raqqa city (little IS influence) is rare
    rows = {s: cell_villages(day_one(sleeper_seed_share=s, **ALL_IN_VILLAGES)) for s in (0.0, 1.0)}
    m = day_one()
    raqqa = m.village_index["Raqqa"]
    assert (rows[1.0] == raqqa).mean() > 3 * max((rows[0.0] == raqqa).mean(), 0.01)


def test_the_share_is_a_chance_per_cell() -> None:
    m = day_one()
    once = ~np.isin(m.world.district_of, NEVER_HELD_BY_IS)
    counts = {}
    for s in (0.0, 0.5, 1.0):
        runs = [day_one(seed, sleeper_seed_share=s, **ALL_IN_VILLAGES) for seed in (1, 2)]
        rows = np.concatenate([cell_villages(r) for r in runs])
        counts[s] = (rows == m.village_index["Raqqa"]).mean()
    assert counts[0.0] < counts[0.5] < counts[1.0]
    assert once[m.village_index["Raqqa"]] and not once[m.village_index["al-Hasaka"]]


class NoUniformDraws:
    """A random generator that refuses ``random()``: the sleeper draw is the only caller in form_cells.

    That no other draw was added on the default path is checked by tests/test_speed_equivalence.py,
    whose reference tables were written before the sleepers existed.
    """

    def __init__(self, rng: np.random.Generator) -> None:
        self._rng = rng

    def __getattr__(self, name: str) -> object:
        if name == "random":
            raise AssertionError("a uniform number was drawn")
        return getattr(self._rng, name)


def test_at_zero_no_uniform_number_is_drawn() -> None:
    m = day_one()
    real = m.rng
    m.rng = NoUniformDraws(real)
    try:
        form_cells(m, 40, sleeper_share=0.0)  # day one at share 0: the foothold rule, no extra draw
        with pytest.raises(AssertionError, match="uniform"):
            form_cells(m, 40, VILLAGE, sleeper_share=0.5)  # so the check above can fail
    finally:
        m.rng = real


def test_sleeper_weights_are_zero_where_is_never_ruled_and_positive_elsewhere() -> None:
    m = day_one()
    w, v = m.world, m.villages
    never = np.nonzero(v.sdf_held & np.isin(w.district_of, NEVER_HELD_BY_IS))[0]
    assert len(never) and (w.hideouts.sleeper_weights(never) == 0).all()
    held = np.nonzero(v.sdf_held)[0]
    assert w.hideouts.sleeper_weights(held).sum() > 0


def test_with_no_once_held_village_left_a_sleeper_goes_where_the_usual_weights_say() -> None:
    m = day_one()
    w, v = m.world, m.villages
    never = np.isin(w.district_of, NEVER_HELD_BY_IS)
    v.sdf_held[:] = v.sdf_held & never  # only al-Hasaka city and the Jazira steppe are left to the SDF
    at = {(int(x), int(y)): i for i, (x, y) in enumerate(zip(v.x, v.y, strict=True))}
    picks = [at[w.hideouts.pick(VILLAGE, sleeper=True)] for _ in range(20)]
    assert never[picks].all() and v.sdf_held[picks].all()


def test_with_hideouts_switched_off_every_once_held_village_is_equally_likely() -> None:
    m = day_one(hideouts_enabled=False)
    v, w = m.villages, m.world
    rows = np.nonzero(v.sdf_held)[0]
    weight = w.hideouts.sleeper_weights(rows)
    once = ~np.isin(w.district_of[rows], NEVER_HELD_BY_IS)
    assert np.allclose(weight[once], 1.0) and (weight[~once] == 0).all()
