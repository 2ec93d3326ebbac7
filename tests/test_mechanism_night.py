"""Night mechanisms on the tiny world: each pinned alone, with the state set by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from tiny_world import tiny_model

import sim
from sim.agents.is_cell import ROLE
from sim.mechanisms import Visits


@pytest.fixture
def model(tmp_path: Path) -> sim.InsurgencyModel:
    return tiny_model(tmp_path)


def _row(m: sim.InsurgencyModel, name: str) -> int:
    return m.village_index[name]


def _visit(m: sim.InsurgencyModel, role: str, village: str, n: int = 1) -> Visits:
    """``n`` visits of cell 0 (given the role) to ``village``."""
    m.cells.role[0] = ROLE[role]
    return Visits(np.zeros(n, int), np.full(n, _row(m, village)))


def test_allegiance_truce_stops_killings_and_attacks(model: sim.InsurgencyModel) -> None:
    v, p = model.villages, model.p
    east = _row(model, "Easttown")
    p.killing_prob = p.attack_prob = p.capability_at_start = p.restraint_with_coalition = 1.0
    v.guard[east] = 0.5
    v.officials[east] = 5
    v.pledged[east] = p.allegiance_truce_threshold
    assert model.mechanisms.allegiance.truce(np.array([east])).all()
    model.mechanisms.killings.night(_visit(model, "assassination", "Easttown", 5))
    model.mechanisms.attacks.night(_visit(model, "car_bombs", "Easttown", 5))
    assert model.accounts.totals["killings"] == 0 and model.accounts.totals["attacks"] == 0
    v.pledged[east] = 0.0
    v.guard[east] = 0.0  # killers avoid patrols: certain where there are none
    model.mechanisms.killings.night(_visit(model, "assassination", "Easttown", 1))
    v.guard[east] = 0.5  # attacks need a garrison to hit
    model.mechanisms.attacks.night(_visit(model, "car_bombs", "Easttown", 1))
    assert model.accounts.totals["killings"] == 1 and model.accounts.totals["attacks"] == 1
    assert v.officials[east] == 4


def test_allegiance_pledges_officials_where_fear_rules(model: sim.InsurgencyModel) -> None:
    v, p = model.villages, model.p
    east = _row(model, "Easttown")
    p.allegiance_prob, p.capability_at_start = 1.0, 1.0
    v.influence[east], v.fear[east], v.officials[east] = 0.5, 1.0, 4
    model.mechanisms.allegiance.night(_visit(model, "zakat", "Easttown"))
    assert v.pledged[east] == pytest.approx(0.25)
    p.allegiance_enabled = False
    assert not model.mechanisms.allegiance.truce(np.array([east])).any()


def test_checkpoints_only_on_roads(model: sim.InsurgencyModel) -> None:
    p = model.p
    p.checkpoint_prob = p.capability_at_start = 1.0
    model.villages.guard[:] = 0.0
    model.mechanisms.checkpoints.night(_visit(model, "checkpoint", "Eastvillage", 3))  # off the road
    assert model.accounts.totals["checkpoints"] == 0
    model.mechanisms.checkpoints.night(_visit(model, "checkpoint", "Easttown", 3))  # on the road
    assert model.accounts.totals["checkpoints"] == 3


def test_repentance_takes_men_from_the_local_unit_after_its_start(model: sim.InsurgencyModel) -> None:
    v, u, p = model.villages, model.units, model.p
    home = int(u.home[0])
    name = model.village_names[home]
    u.local[0] = True
    p.repentance_prob = p.capability_at_start = 1.0
    v.influence[home], v.fear[home] = 0.5, 1.0
    model.mechanisms.repentance.night(_visit(model, "zakat", name))  # April 2019: before the summer
    assert u.strength[0] == 100
    model.day = model.day_of(p.repentance_start)
    model.mechanisms.repentance.night(_visit(model, "zakat", name))
    assert u.strength[0] < 100 and v.tawba_pressure[home] == pytest.approx(p.tawba_pressure_per_campaign)
    model.mechanisms.repentance.month_end()
    assert v.tawba_pressure[home] == pytest.approx(p.tawba_pressure_per_campaign * p.tawba_monthly_decay)


def test_cells_move_out_at_night_and_their_agents_follow(model: sim.InsurgencyModel) -> None:
    c = model.cells
    model.p.night_activity_prob = 1.0
    model.p.night_range_cells = 40
    visits = model.mechanisms.night_movement.go_out()
    assert len(visits) == int(c.alive.sum())
    for row, village in zip(visits.cells, visits.villages, strict=True):
        assert (c.x[row], c.y[row]) == (model.villages.x[village], model.villages.y[village])
        assert model.cell_agents[row].cell.coordinate == (c.x[row], c.y[row])
        assert model.villages.sdf_held[village]
    model.mechanisms.night_movement.dawn()
    for agent in model.cell_agents:
        assert agent.cell.coordinate == agent.base


def test_cells_stay_home_when_night_movement_is_off(model: sim.InsurgencyModel) -> None:
    model.p.night_activity_prob = 1.0
    model.p.night_movement_enabled = False
    assert len(model.mechanisms.night_movement.go_out()) == 0
