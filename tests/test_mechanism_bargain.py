"""An elite bargain lowers IS's influence only through what it changes (issue 13, plan section 2 E)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from tiny_world import tiny_model

import sim

DATE = dt.date(2019, 4, 5)


def test_the_clan_fills_vacant_chairs_and_seats_each_month(tmp_path: Path) -> None:
    m = tiny_model(tmp_path, chairman_fill_prob=0.0, council_form_prob=0.0)
    v, east = m.villages, m.world.district_of == "zakat_triangle"
    m.mechanisms.elite_bargain.strike("zakat_triangle")
    rows = np.nonzero(east & v.sdf_held)[0]
    v.has_chairman[:] = False  # a wave of killings everywhere
    v.officials[:] = np.minimum(v.officials, 1)
    for name in ("councils", "elite_bargain"):
        m.mechanisms.get(name).month_end()
    assert v.has_chairman[rows].all() and (v.officials[rows] == m.p.officials_per_council).all()
    assert not v.has_chairman[v.sdf_held & ~east].any()


def test_a_bargain_flag_alone_no_longer_speeds_the_decay(tmp_path: Path) -> None:
    """Same villages, same councils and presence: influence falls the same with or without the flag."""
    def influence_after(flag: bool) -> np.ndarray:
        m = tiny_model(tmp_path / str(flag), night_movement_enabled=False)
        v = m.villages
        v.influence[:] = 0.5
        v.bargain[:] = flag
        m.mechanisms.patrols.day()
        for _ in range(30):
            m.mechanisms.influence.day()
        return v.influence.copy()
    assert influence_after(True) == pytest.approx(influence_after(False))


def test_influence_falls_faster_where_the_bargain_holds(tmp_path: Path) -> None:
    """Paired runs from high influence: the bargain's councils, recruits and sympathy bring it down."""
    def influence(bargain: bool) -> float:
        events = [{"kind": "elite_bargain", "date": DATE, "district": "zakat_triangle"}] if bargain else []
        m = tiny_model(tmp_path / str(bargain), months=4, events=events, initial_influence_east=0.6,
                       bargain_recruits=300)
        m.run()
        east = m.world.district_of == "zakat_triangle"
        return float(m.villages.influence[east & m.villages.sdf_held].mean())
    assert influence(True) < influence(False)


def test_history_starts_with_the_karama_bargain() -> None:
    m = sim.InsurgencyModel(sim.load_scenario("history", months=1), rng=1)
    m.run_for(1)
    karama = m.world.district_of == "al_karama"
    assert m.villages.bargain[karama & m.villages.sdf_held].all()


@pytest.mark.parametrize("holds_raqqa", [False, True])
def test_the_karama_bargain_holds_raqqa_city_only_with_its_switch(holds_raqqa: bool) -> None:
    """fn 38: with the switch on, Raqqa's villages get the bargain's trust and councils, no recruits of its own."""
    m = sim.InsurgencyModel(sim.load_scenario("history", months=1, karama_bargain_holds_raqqa=holds_raqqa), rng=1)
    v, district = m.villages, m.world.district_of
    raqqa = (district == "raqqa") & v.sdf_held
    karama = (district == "al_karama") & v.sdf_held
    before = len(m.units)
    struck = m.mechanisms.elite_bargain.strike("al_karama")
    assert raqqa.any() and v.bargain[karama].all()
    assert struck["villages"] == karama.sum() + (raqqa.sum() if holds_raqqa else 0)
    assert v.bargain[raqqa].all() if holds_raqqa else not v.bargain[raqqa].any()
    if holds_raqqa:
        assert (v.trust_baseline[raqqa] >= m.p.bargain_trust).all() and v.has_chairman[raqqa].all()
    else:
        assert (v.trust_baseline[raqqa] < m.p.bargain_trust).any()
    # the local units the bargain raised garrison al-Karama's villages only
    homes = m.units.home[before:]
    assert len(homes) and m.units.local[before:].all() and karama[homes].all()
