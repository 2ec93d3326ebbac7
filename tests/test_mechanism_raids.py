"""Raids on the tiny world: many small raids on suspicion, finds in proportion to the cells hiding there."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from tiny_world import embed_cell, tiny_model

import sim
from sim.world.names import SDF


@pytest.fixture
def model(tmp_path: Path) -> sim.InsurgencyModel:
    return tiny_model(tmp_path)


def _rate(m: sim.InsurgencyModel, village: int) -> float:
    return float(m.mechanisms.raids.raid_rate(np.array([village]))[0])


def test_raids_follow_presence_trust_suspicion_the_coalition_and_the_sdf_effort(model: sim.InsurgencyModel) -> None:
    v, p = model.villages, model.p
    i = model.village_index["Easttown"]
    v.guard[i], v.trust[i], v.influence[i] = 0.5, 0.3, 0.2
    base = _rate(model, i)
    assert base > 0
    v.guard[i] = 1.0
    assert _rate(model, i) == pytest.approx(2 * base)
    v.trust[i] = 0.8
    more_trust = _rate(model, i)
    assert more_trust > 2 * base
    v.influence[i] = 0.6  # IS shows more: more suspicion
    suspect = _rate(model, i)
    assert suspect == pytest.approx(more_trust * (p.raid_suspicion_floor + 0.6) / (p.raid_suspicion_floor + 0.2))
    model.policy.withdraw_coalition(model.day, [str(model.world.district_of[i])])
    assert _rate(model, i) == pytest.approx(suspect / p.coalition_intel_multiplier)
    p.sdf_operations = 0.23  # the Turkish offensive of October 2019
    assert _rate(model, i) == pytest.approx(0.23 * suspect / p.coalition_intel_multiplier)
    assert model.mechanisms.raids.raid_rate()[~v.sdf_held].max(initial=0.0) == 0.0


def test_cells_in_camps_and_behind_informants_are_harder_to_find(model: sim.InsurgencyModel) -> None:
    raids, v = model.mechanisms.raids, model.villages
    i = model.village_index["Eastvillage"]
    open_village = raids.find_chance(np.array([i]), np.array([False]))[0]
    assert open_village == pytest.approx(model.p.raid_find_prob)
    assert raids.find_chance(np.array([i]), np.array([True]))[0] == pytest.approx(
        open_village * model.p.shepherd_opacity)
    v.pledged[i] = 1.0  # pledged officials warn of raids
    assert raids.find_chance(np.array([i]), np.array([False]))[0] < open_village


def _finds(m: sim.InsurgencyModel, cells: int, days: int = 400) -> tuple[int, int]:
    """Cells found, and days with a find, over ``days`` days with one raid a day expected on Easttown."""
    for row in np.flatnonzero(m.cells.alive)[1:]:
        m.remove_cell(int(row))
    for _ in range(cells - 1):
        m.add_cell(0, 0, 0, 3)
    for row in np.flatnonzero(m.cells.alive):
        embed_cell(m, int(row), "Easttown")
    east = m.village_index["Easttown"]
    raids = m.mechanisms.raids
    raids.raid_rate = lambda villages=None: np.where(np.arange(len(m.villages)) == east, 1.0, 0.0)
    found: list[int] = []
    raids.captures = lambda n: found.extend(raids.found_rows(n).tolist())  # count finds, keep every cell alive
    days_with_find = 0
    for _ in range(days):
        before = len(found)
        raids.day()
        days_with_find += len(found) > before
    return len(found), days_with_find


def test_raids_find_cells_in_proportion_to_their_number(tmp_path: Path) -> None:
    one, one_days = _finds(tiny_model(tmp_path / "a", exposed_detection=0.0), 1)
    six, six_days = _finds(tiny_model(tmp_path / "b", exposed_detection=0.0), 6)
    # expected 1 - exp(-q) finds a day per cell (q = raid_find_prob): about 104 against 620
    assert one > 0 and 4.5 * one < six < 7.5 * one
    assert six_days > 2 * one_days  # a raid is likelier to find something where more cells hide


def test_no_raid_while_operations_are_suspended(model: sim.InsurgencyModel) -> None:
    model.p.sdf_operations = 0.0
    model.p.detection_base = model.p.exposed_detection = 1.0
    model.cells.exposure[:] = 1.0
    for _ in range(20):
        model.mechanisms.patrols.day()
        model.mechanisms.raids.day()
    assert model.accounts.totals["raids"] == 0


def test_a_raid_captures_members_and_counts_arrests(model: sim.InsurgencyModel) -> None:
    i = embed_cell(model, 0, "Easttown")
    c, p = model.cells, model.p
    c.fighters[0], c.supporters[0] = 10, 10
    p.raid_capture_share, p.raid_supporter_share, p.raid_bystander_share = 1.0, 1.0, 0.0
    p.raid_suspects_mean = 0.0  # only the cell's members (suspects: tests/test_mechanism_suspect_arrests.py)
    detainees = model.detainees
    captured = model.mechanisms.raids.raid(0, i)
    assert captured == 20 and model.detainees == detainees + 20
    assert not c.alive[0] and model.cell_agents[0] is None
    assert model.accounts.totals["raids"] == 1 and model.accounts.totals["arrests"] == 20


def test_a_dismantled_cells_takings_are_seized_not_sent_to_the_treasury(model: sim.InsurgencyModel) -> None:
    i = embed_cell(model, 0, "Easttown")
    c, p = model.cells, model.p
    c.fighters[0], c.money[0] = 3, 500.0
    c.money[1:] = 0.0
    p.raid_capture_share = 1.0
    model.mechanisms.raids.raid(0, i)
    assert not c.alive[0]
    treasury = model.treasury
    model.mechanisms.remittance.month_end()
    assert model.treasury == treasury and model.accounts.money["seized"] == 500.0


def test_raids_take_fewer_bystanders_than_sweeps(model: sim.InsurgencyModel) -> None:
    """Bystanders in raids at raid_bystander_share, innocents in sweeps at sweep_wrongful_share (fn 36)."""
    arrests, p = model.mechanisms.civilian_arrests, model.p
    i = model.village_index["Easttown"]
    model.villages.guard[i] = 0.5
    p.raid_bystander_share, p.sweep_wrongful_share, p.sweep_arrests_per_incident = 0.2, 0.8, 4.0
    in_raids = sum(arrests.wrongful_for(i, 4) for _ in range(300))  # 4 members a raid: about 1 bystander
    in_sweeps = sum(arrests.sweep(i) for _ in range(300))  # 4 arrests a sweep: about 3.2 innocents
    assert 0 < in_raids < in_sweeps
    p.raid_bystander_share = 0.0
    assert sum(arrests.wrongful_for(i, 4) for _ in range(50)) == 0


def test_raids_only_look_in_sdf_held_land(model: sim.InsurgencyModel) -> None:
    c = model.cells
    model.p.detection_base, model.p.exposed_detection = 0.0, 1.0
    c.exposure[:] = 1.0
    in_sdf = int(((model.geography.holder[c.base_x, c.base_y] == SDF) & c.alive).sum())
    model.mechanisms.raids.day()
    assert model.accounts.totals["raids"] == in_sdf
