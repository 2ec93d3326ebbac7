"""Day mechanisms on the tiny world: patrols, raids (with compartmentalisation), trade, influence."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from tiny_world import tiny_model

import sim
from sim.world.names import SDF


@pytest.fixture
def model(tmp_path: Path) -> sim.InsurgencyModel:
    return tiny_model(tmp_path)


def _embed_cell(m: sim.InsurgencyModel, row: int, village: str) -> int:
    """Base cell ``row`` inside ``village``; returns the village row."""
    i = m.village_index[village]
    m.mechanisms.cell_bases.move(row, int(m.villages.x[i]), int(m.villages.y[i]))
    return i


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


def _detection(m: sim.InsurgencyModel, row: int) -> float:
    return float(m.mechanisms.raids.detection_chance(np.array([row]))[0][0])


def test_detection_rises_with_presence_trust_and_the_coalition(model: sim.InsurgencyModel) -> None:
    i = _embed_cell(model, 0, "Easttown")
    v = model.villages
    v.guard[i], v.trust[i] = 0.5, 0.3
    base = _detection(model, 0)
    v.guard[i] = 1.0
    assert _detection(model, 0) == pytest.approx(2 * base)
    v.trust[i] = 0.8
    more_trust = _detection(model, 0)
    assert more_trust > 2 * base
    model.policy.withdraw_coalition(model.day, [str(model.world.district_of[i])])
    assert _detection(model, 0) == pytest.approx(more_trust / model.p.coalition_intel_multiplier)
    model.policy.policing = "community"
    assert _detection(model, 0) == pytest.approx(
        more_trust / model.p.coalition_intel_multiplier * model.p.community_policing_tip_factor)
    v.pledged[i] = 1.0  # informants leak the raid plans
    assert _detection(model, 0) < more_trust / model.p.coalition_intel_multiplier


def test_cells_in_shepherd_camps_are_harder_to_find(model: sim.InsurgencyModel) -> None:
    i = _embed_cell(model, 0, "Camp")
    model.villages.guard[i], model.villages.trust[i] = 1.0, 0.5
    in_camp = _detection(model, 0)
    _embed_cell(model, 0, "Eastvillage")
    j = model.village_index["Eastvillage"]
    model.villages.guard[j], model.villages.trust[j] = 1.0, 0.5
    assert in_camp == pytest.approx(_detection(model, 0) * model.p.shepherd_opacity)


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


def test_a_raid_captures_members_and_counts_arrests(model: sim.InsurgencyModel) -> None:
    i = _embed_cell(model, 0, "Easttown")
    c, p = model.cells, model.p
    c.fighters[0], c.supporters[0] = 10, 10
    p.raid_capture_share, p.raid_supporter_share, p.thin_evidence_share = 1.0, 1.0, 0.0
    detainees = model.detainees
    captured = model.mechanisms.raids.raid(0, i)
    assert captured == 20 and model.detainees == detainees + 20
    assert not c.alive[0] and model.cell_agents[0] is None
    assert model.accounts.totals["raids"] == 1 and model.accounts.totals["arrests"] == 20


def test_raids_only_look_in_sdf_held_land(model: sim.InsurgencyModel) -> None:
    c = model.cells
    model.p.detection_base = model.p.exposed_detection = 1.0
    c.exposure[:] = 1.0
    in_badia = model.geography.holder[c.base_x, c.base_y] != SDF
    model.mechanisms.raids.day()
    assert model.accounts.totals["raids"] == int((~in_badia & c.alive).sum())


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
    i = _embed_cell(model, 0, "Easttown")
    _embed_cell(model, 1, "Easttown")
    v = model.villages
    v.influence[:] = 0.3
    model.p.influence_per_resident_cell = 1.0
    model.mechanisms.influence.day()
    assert v.influence[i] > v.influence[model.village_index["Eastvillage"]]
    assert v.influence.max() <= 1.0
