"""Coordination from Margadeh (EUI 2022 fn 26): part of the Margadeh cells' strikes fall across the eastern strip."""

from __future__ import annotations

import numpy as np
import pytest

import sim


def first_night(share: float, seed: int = 4) -> tuple[sim.InsurgencyModel, np.ndarray, np.ndarray, np.ndarray]:
    """A history model's first night out: the model, the cells out, their villages, and which are based in Margadeh."""
    m = sim.InsurgencyModel(sim.load_scenario("history", months=1, margadeh_coordination_share=share,
                                              night_activity_prob=0.57), rng=seed)
    visits = m.mechanisms.night_movement.go_out()
    c = m.cells
    margadeh = m.geography.district_index("margadeh")
    based = m.geography.district[c.base_x[visits.cells], c.base_y[visits.cells]] == margadeh
    return m, visits.cells, visits.villages, based


def test_at_share_one_every_margadeh_strike_falls_in_the_eastern_strip_outside_margadeh() -> None:
    m, _, villages, based = first_night(1.0)
    assert based.sum() >= 3, "the test needs cells based in Margadeh"
    targets = villages[based]
    assert (m.world.zone_of[targets] == "east_strip").all() and (m.world.district_of[targets] != "margadeh").all()
    assert m.villages.sdf_held[targets].all()


def test_cells_based_elsewhere_go_where_they_would_have_gone() -> None:
    _, cells0, villages0, based0 = first_night(0.0)
    _, cells1, villages1, based1 = first_night(1.0)
    assert (cells0 == cells1).all() and (based0 == based1).all()
    assert (villages0[~based0] == villages1[~based1]).all()
    assert (villages0[based0] != villages1[based1]).any()  # and the Margadeh cells do not


def test_share_zero_draws_no_random_number() -> None:
    m = sim.InsurgencyModel(sim.load_scenario("history", months=1), rng=4)
    rows = m.cell_sites().alive
    pick = np.zeros(len(rows), int)
    before = m.rng.bit_generator.state
    out = m.mechanisms.margadeh_coordination.redirect(rows, pick, np.ones((8, len(m.villages) + 1)))
    assert out is pick and m.rng.bit_generator.state == before


@pytest.mark.parametrize("seed", [1, 2])
def test_coordination_moves_violence_from_al_hasaka_to_deir_ez_zor(seed: int) -> None:
    """RIC books Margadeh to al-Hasaka: strikes planned there but carried out in the strip count for Deir ez-Zor."""
    def shares(share: float) -> tuple[float, float]:
        frame = sim.run("history", seed=seed, months=12, margadeh_coordination_share=share).monthly_frame()
        total = frame["ric_attacks"].sum()
        return frame["ric_attacks_hasaka"].sum() / total, frame["ric_attacks_deir_ez_zor"].sum() / total
    hasaka0, deir0 = shares(0.0)
    hasaka1, deir1 = shares(1.0)
    assert hasaka1 < hasaka0 and deir1 > deir0
