"""Day mechanisms on the tiny world: patrols, compartmentalisation, trade, influence (raids: test_mechanism_raids)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from tiny_world import embed_cell, tiny_model

import sim


@pytest.fixture
def model(tmp_path: Path) -> sim.InsurgencyModel:
    return tiny_model(tmp_path)


def test_presence_follows_units_and_the_coalition_by_district(model: sim.InsurgencyModel) -> None:
    v, u = model.villages, model.units
    home = int(u.home[0])
    model.mechanisms.patrols.day()
    full = v.guard[home]
    assert full > 0 and v.guard[~v.sdf_held].max(initial=0) == 0
    far = int(np.argmax(np.abs(v.x - v.x[home])))
    assert v.guard[far] < full  # presence fades with distance from the garrison
    district = str(model.world.district_of[home])
    model.policy.withdraw_coalition(model.day, [district])
    model.mechanisms.patrols.day()
    assert v.guard[home] == pytest.approx(min(1.0, full * model.p.sdf_presence_without_coalition))
    u.strength[0] = 50
    model.units_changed()
    model.mechanisms.patrols.day()
    assert v.guard[home] < full * model.p.sdf_presence_without_coalition


def test_presence_cache_sees_a_parameter_change(model: sim.InsurgencyModel) -> None:
    v, home = model.villages, int(model.units.home[0])
    model.mechanisms.patrols.day()
    before = v.guard[home]
    model.p.guard_saturation = model.p.guard_saturation * 4  # as a set_parameters event does
    model.mechanisms.patrols.day()
    assert v.guard[home] == pytest.approx(before / 4)


def _reveals(m: sim.InsurgencyModel, captured: int, n: int = 50) -> int:
    c = m.cells
    total = 0
    for _ in range(n):
        c.exposure[:] = 0.0
        total += m.mechanisms.compartmentalisation.reveal(captured, 0)
    return total


def test_a_raid_reveals_other_cells_only_as_compartmentalisation_allows(model: sim.InsurgencyModel) -> None:
    for _ in range(8):  # a network of ten cells
        model.add_cell(6, 4, 0, 3)
    p = model.p
    p.reveal_prob_compartmented, p.reveal_prob_open = 0.0, 0.5
    assert _reveals(model, 5) == 0
    p.compartmentalisation = False
    assert _reveals(model, 5) > 0
    assert model.mechanisms.compartmentalisation.reveal(0, 0) == 0  # no one captured, no one named


def test_trade_books_income_and_spending(model: sim.InsurgencyModel) -> None:
    t, acc = model.traders, model.accounts
    before = t.wealth.sum()
    model.villages.fear[:] = 1.0
    model.mechanisms.trade.day()
    expected = before + acc.money["trade_income"] - acc.money["consumption"]
    assert t.wealth.sum() == pytest.approx(expected)
    assert acc.money["trade_income"] == pytest.approx(t.income.sum() * (1 - model.p.fear_trade_penalty))


def test_influence_fades_faster_under_patrols_and_councils(model: sim.InsurgencyModel) -> None:
    v = model.villages
    model.cells.alive[:] = False  # no resident cells
    v.influence[:] = 0.5
    v.guard[:] = 0.0
    v.guard[0] = 1.0
    v.has_council[:] = v.has_chairman[:] = False
    v.has_council[1] = v.has_chairman[1] = True
    model.mechanisms.influence.day()
    assert v.influence[0] < v.influence[2] and v.influence[1] < v.influence[2]


def test_resident_cells_entrench_but_influence_stays_below_one(model: sim.InsurgencyModel) -> None:
    i = embed_cell(model, 0, "Easttown")
    embed_cell(model, 1, "Easttown")
    v = model.villages
    v.influence[:] = 0.3
    model.p.influence_per_resident_cell = 1.0
    model.mechanisms.influence.day()
    assert v.influence[i] > v.influence[model.village_index["Eastvillage"]]
    assert v.influence.max() <= 1.0
