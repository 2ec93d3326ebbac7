"""Supply lines on the tiny world: the Badia queue, weapons caches, raids that seize them, the offensive."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from tiny_world import tiny_model

import sim
from sim.agents.is_cell import ROLE
from sim.mechanisms import Visits
from sim.world.names import BADIA, REGIME, SDF


@pytest.fixture
def model(tmp_path: Path) -> sim.InsurgencyModel:
    return tiny_model(tmp_path, arsenals_enabled=False)  # caches start empty: the lines alone


def _cell(m: sim.InsurgencyModel, role: str, fighters: int, at: str | None = None) -> int:
    """A new cell of ``role`` based in the Badia, or in village ``at``; its row."""
    if at is None:
        x, y = m.world.hideouts.pick(BADIA)
    else:
        i = m.village_index[at]
        x, y = int(m.villages.x[i]), int(m.villages.y[i])
    return m.add_cell(x, y, role=ROLE[role], fighters=fighters)


def _visit(m: sim.InsurgencyModel, row: int, village: str) -> Visits:
    return Visits(np.array([row]), np.array([m.village_index[village]]))


def _holders(m: sim.InsurgencyModel, rows: np.ndarray) -> np.ndarray:
    return m.geography.holder[m.cells.base_x[rows], m.cells.base_y[rows]]


def test_new_fighters_wait_in_the_badia_and_only_movement_visits_to_safe_villages_bring_them(
        model: sim.InsurgencyModel) -> None:
    m, sl, v = model, model.mechanisms.supply_lines, model.villages
    i = m.village_index["Easttown"]
    v.influence[i] = m.p.embed_min_influence - 0.01
    zakat, mover = _cell(m, "zakat", 4), _cell(m, "movement", 3)
    cells_before = int(m.cells.alive.sum())
    sl.enlist(5)
    assert sl.fighters_in_training == 5 and int(m.cells.alive.sum()) == cells_before
    sl.night(_visit(m, zakat, "Easttown"))  # another role's visit moves no one
    sl.night(_visit(m, mover, "Easttown"))  # not safe: no one moves
    assert sl.fighters_in_training == 5 and int(m.cells.alive.sum()) == cells_before
    v.influence[i] = m.p.embed_min_influence
    sl.night(_visit(m, mover, "Easttown"))  # safe: three fighters escorted by three
    new = np.flatnonzero(m.cells.alive)[cells_before:]
    assert sl.fighters_in_training == 2 and int(m.cells.fighters[new].sum()) == 3
    assert (m.cells.base_x[new] == v.x[i]).all() and (m.cells.base_y[new] == v.y[i]).all()
    sl.night(_visit(m, mover, "Easttown"))  # the queue empties: two left to bring
    assert sl.fighters_in_training == 0
    assert int(m.cells.fighters[np.flatnonzero(m.cells.alive)[cells_before:]].sum()) == 5


def test_switched_off_new_fighters_form_badia_cells_at_once(tmp_path: Path) -> None:
    m = tiny_model(tmp_path, supply_lines_enabled=False)
    before = int(m.cells.alive.sum())
    m.mechanisms.supply_lines.enlist(6)
    new = np.flatnonzero(m.cells.alive)[before:]
    assert m.mechanisms.supply_lines.fighters_in_training == 0
    assert int(m.cells.fighters[new].sum()) == 6 and (_holders(m, new) == REGIME).all()


@pytest.mark.parametrize("enabled", [True, False])
def test_sanctuary_cells_embed_at_random_only_with_the_supply_lines_off(tmp_path: Path, enabled: bool) -> None:
    m = tiny_model(tmp_path, supply_lines_enabled=enabled, embed_prob=1.0)
    m.villages.influence[m.villages.sdf_held] = 1.0
    rows = np.flatnonzero(m.cells.alive)
    m.cells.role[rows] = ROLE["zakat"]  # car-bomb cells never embed
    for row in rows:
        m.mechanisms.cell_bases.move(int(row), *m.world.hideouts.pick(BADIA))
    m.mechanisms.cell_bases.month_end()
    assert (_holders(m, rows) == SDF).all() != enabled


def test_transport_visits_fill_caches_from_the_treasury_up_to_the_stock_kept(model: sim.InsurgencyModel) -> None:
    m, sl, v, p = model, model.mechanisms.supply_lines, model.villages, model.p
    p.transport_load_usd, p.cost_per_attack_usd, p.cache_target_strikes, p.cache_reach_cells = 100.0, 300.0, 5.0, 0
    carrier, killer = _cell(m, "transport", 4), _cell(m, "assassination", 4)
    i = m.village_index["Easttown"]
    m.treasury = 1000.0
    sl.night(_visit(m, killer, "Easttown"))
    assert v.cache.sum() == 0.0
    sl.night(_visit(m, carrier, "Easttown"))
    assert v.cache[i] == pytest.approx(400.0) and m.treasury == pytest.approx(600.0)
    for _ in range(3):
        sl.night(_visit(m, carrier, "Easttown"))
    assert v.cache[i] == pytest.approx(1000.0)  # the treasury ran dry at 1000
    assert m.treasury == pytest.approx(0.0)
    m.treasury = 1e6
    for _ in range(3):
        sl.night(_visit(m, carrier, "Easttown"))
    assert v.cache[i] == pytest.approx(1500.0)  # topped up to five strikes' worth, no more


def test_a_strike_needs_a_cache_within_reach_and_uses_it_up(model: sim.InsurgencyModel) -> None:
    m, sl, v, p = model, model.mechanisms.supply_lines, model.villages, model.p
    p.cost_per_attack_usd, p.cache_reach_cells = 300.0, 1
    town, near, far = (m.village_index[n] for n in ("Easttown", "Eastvillage", "Westtown"))
    at = np.array([town])
    assert sl.armed(at)[0] == 0.0
    v.cache[far] = 1e4  # four squares away: out of reach
    assert sl.armed(at)[0] == 0.0
    v.cache[near] = 150.0  # next door
    assert sl.armed(at)[0] == pytest.approx(0.5)
    v.cache[town] = 200.0
    assert sl.armed(at)[0] == 1.0
    sl.spend(town)  # its own village's cache first, then the neighbour's
    assert v.cache[town] == 0.0 and v.cache[near] == pytest.approx(50.0) and v.cache[far] == 1e4


def _killings(m: sim.InsurgencyModel, nights: int) -> int:
    row = _cell(m, "assassination", 5, at="Eastvillage")
    before = m.accounts.totals["killings"]
    for _ in range(nights):
        m.mechanisms.killings.night(_visit(m, row, "Easttown"))
    return int(m.accounts.totals["killings"] - before)


def test_killings_happen_only_with_weapons_and_each_uses_its_cost(tmp_path: Path) -> None:
    unarmed = tiny_model(tmp_path / "a", killing_prob=1.0, capability_at_start=1.0, arsenals_enabled=False)
    assert _killings(unarmed, 30) == 0
    armed = tiny_model(tmp_path / "b", killing_prob=1.0, capability_at_start=1.0, arsenals_enabled=False)
    i = armed.village_index["Easttown"]
    armed.villages.cache[i] = 10 * armed.p.cost_per_attack_usd
    kills = _killings(armed, 30)
    assert 0 < kills <= 10
    assert armed.villages.cache[i] == pytest.approx((10 - kills) * armed.p.cost_per_attack_usd)
    off = tiny_model(tmp_path / "c", killing_prob=1.0, capability_at_start=1.0, supply_lines_enabled=False)
    assert _killings(off, 30) > 0  # switched off, strikes need no weapons (today's behaviour)


def test_raids_seize_the_cache_of_the_villages_they_search(model: sim.InsurgencyModel) -> None:
    m, v = model, model.villages
    town, camp = m.village_index["Easttown"], m.village_index["Camp"]
    v.cache[[town, camp]] = 500.0
    rate = np.zeros(len(v))
    rate[town] = 50.0  # today the SDF search the town for sure, and not the camp
    m.mechanisms.raids.raid_rate = lambda: rate
    m.mechanisms.raids.day()
    assert v.cache[town] == 0.0 and v.cache[camp] == 500.0
    assert m.mechanisms.supply_lines.seized_usd == pytest.approx(500.0)


def test_the_regime_offensive_throttles_badia_based_carriers_only(model: sim.InsurgencyModel) -> None:
    m, sl, v, p = model, model.mechanisms.supply_lines, model.villages, model.p
    p.transport_load_usd, p.cache_target_strikes, p.cache_reach_cells = 100.0, 100.0, 0
    p.regime_offensive_mobility_factor = 0.5
    v.influence[:] = 1.0
    m.treasury = 1e9
    desert, embedded = _cell(m, "transport", 4), _cell(m, "transport", 4, at="Eastvillage")
    mover = _cell(m, "movement", 4)
    i = m.village_index["Easttown"]
    m.policy.regime_offensive = True
    sl.night(_visit(m, desert, "Easttown"))
    assert v.cache[i] == pytest.approx(200.0)
    sl.night(_visit(m, embedded, "Easttown"))
    assert v.cache[i] == pytest.approx(600.0)  # based in SDF land: a full load
    sl.enlist(10)
    sl.night(_visit(m, mover, "Easttown"))
    assert sl.fighters_in_training == 8
    m.policy.regime_offensive = False
    sl.night(_visit(m, mover, "Easttown"))
    assert sl.fighters_in_training == 4
