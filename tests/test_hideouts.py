"""Hideouts come from the map, with no line drawn by name or longitude (issue 13), and the comparable start."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model import InsurgencyModel
from sim.world.names import BADIA, VILLAGE


@pytest.fixture(scope="module")
def model():
    return InsurgencyModel("baseline", seed=3)


def test_badia_hideouts_face_raqqa_too_but_weigh_more_near_is_pockets(model):
    g = model.geography
    cand, weight = model.world.hideouts.badia_candidates()
    west = cand[:, 0] < g.width * 0.4  # the old cutoff
    assert west.any() and weight[west].sum() > 0
    # al-Mayadin and al-Sukhnah (fn 51) pull the weight towards themselves
    mayadin = g.place("al-Mayadin")
    d = np.maximum(np.abs(cand[:, 0] - mayadin.x), np.abs(cand[:, 1] - mayadin.y))
    assert weight[d <= 4].mean() > weight[d > 20].mean()


def test_any_sdf_held_village_can_hide_a_cell(model):
    v, w = model.villages, model.world
    held = np.nonzero(v.sdf_held)[0]
    weight = w.hideouts.village_weights(held)
    raqqa = w.zone_of[held] == "karama_raqqa"
    assert (weight > 0).all() and weight[raqqa].sum() > 0


def test_switch_off_makes_every_candidate_equally_likely():
    m = InsurgencyModel("baseline", seed=3, hideouts_enabled=False)
    _, weight = m.world.hideouts.badia_candidates()
    assert np.allclose(weight, weight[0])
    held = np.nonzero(m.villages.sdf_held)[0]
    assert np.allclose(m.world.hideouts.village_weights(held), 1.0)


def test_comparable_start_does_not_favour_the_east():
    m = InsurgencyModel("baseline", seed=3, comparable_start=True, initial_influence_former_is=0.08)
    v, w = m.villages, m.world
    east = v.sdf_held & (w.zone_of == "east_strip")
    raqqa = v.sdf_held & (w.district_of == "raqqa")
    assert np.allclose(v.influence[east], 0.08) and np.allclose(v.influence[raqqa], 0.08)
    assert np.allclose(v.influence[v.sdf_held & (w.district_of == "al_hasaka")], 0.0)
    documented = InsurgencyModel("baseline", seed=3)
    assert documented.villages.influence[east].mean() > documented.villages.influence[raqqa].mean()


def test_the_first_cells_hide_away_from_the_garrisons():
    """The SDF's day-one presence is known when the first cells are placed, so cells avoid it the more
    the larger ``hideout_guard_aversion`` (it used to be zero everywhere then, and the parameter did nothing)."""
    def guard_where_cells_hide(aversion: float) -> float:
        m = InsurgencyModel("baseline", seed=3, hideout_guard_aversion=aversion)
        v, c = m.villages, m.cells
        row = {(int(x), int(y)): i for i, (x, y) in enumerate(zip(v.x, v.y, strict=True))}
        at = [row[(int(x), int(y))] for x, y in zip(c.base_x, c.base_y, strict=True) if (int(x), int(y)) in row]
        assert m.villages.guard.max() > 0 and len(at) > 20
        return float(v.guard[at].mean())
    assert guard_where_cells_hide(5.0) < 0.8 * guard_where_cells_hide(0.0)


@pytest.mark.parametrize("seed", [1, 8])
def test_hideouts_are_drawn_as_numpys_choice_draws_them(seed: int) -> None:
    """Badia squares and village hideouts (plain and sleeper) drawn in kernels on the model's stream: the same
    squares and the same generator state as ``rng.choice(n, p=...)`` on twin models."""
    twins = [InsurgencyModel(rng=seed, collect_daily=False) for _ in "ab"]
    kinds = [(BADIA, False), (VILLAGE, False), (VILLAGE, True)] * 20
    picked = [twins[0].world.hideouts.pick(k, s) for k, s in kinds]
    m, hideouts = twins[1], twins[1].world.hideouts
    v, held = m.villages, np.flatnonzero(m.villages.sdf_held)
    plain = []
    for kind, sleeper in kinds:
        if kind == BADIA:
            cand, weight = hideouts.badia_candidates()
            plain.append(tuple(int(a) for a in cand[m.rng.choice(len(cand), p=weight)]))
            continue
        w = hideouts.sleeper_weights(held) if sleeper else None
        if w is None or w.sum() <= 0:
            w = hideouts.village_weights(held)
        i = held[m.rng.choice(len(held), p=w / w.sum())]
        plain.append((int(v.x[i]), int(v.y[i])))
    assert picked == plain
    assert twins[0].rng.bit_generator.state == m.rng.bit_generator.state
