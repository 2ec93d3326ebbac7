"""The caliphate's leftover arsenals on the tiny world: day-one caches, used up, seized, never replaced."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from tiny_world import tiny_model

import sim
from sim.agents.is_cell import ROLE
from sim.mechanisms import Visits
from sim.world.names import REGIME

MORE_CELLS = {"is_fighters_total": 2000}  # about 20 cells on the tiny map instead of one


def _outside_badia(m: sim.InsurgencyModel) -> np.ndarray:
    c = m.cells
    return m.geography.holder[c.base_x, c.base_y] != REGIME


def test_each_day_one_cell_outside_the_badia_hides_its_stock_in_the_village_at_its_base(tmp_path: Path) -> None:
    m = tiny_model(tmp_path, arsenal_per_fighter_usd=700.0, **MORE_CELLS)
    c, v = m.cells, m.villages
    outside = _outside_badia(m)
    assert outside.any() and (~outside).any()  # the test needs cells of both kinds
    expected = 700.0 * c.fighters[outside].sum()
    assert m.mechanisms.arsenals.hidden_usd == expected
    assert v.cache.sum() == expected  # nothing for the Badia's cells, nothing lost
    index = m.world.index
    bases = index.at[c.base_x[outside], c.base_y[outside]]
    bases = np.where(bases >= 0, bases, index.nearest_many(c.base_x[outside], c.base_y[outside]))
    assert set(np.nonzero(v.cache)[0]) == set(bases.tolist())


def test_no_stock_with_the_switch_off_the_amount_at_zero_or_the_supply_lines_off(tmp_path: Path) -> None:
    for k, setting in enumerate(({"arsenals_enabled": False}, {"arsenal_per_fighter_usd": 0.0},
                                 {"supply_lines_enabled": False})):
        m = tiny_model(tmp_path / str(k), **{**MORE_CELLS, "arsenal_per_fighter_usd": 700.0, **setting})
        assert m.villages.cache.sum() == 0 and m.mechanisms.arsenals.hidden_usd == 0


def test_with_the_switch_off_the_amount_changes_nothing(tmp_path: Path) -> None:
    runs = [tiny_model(tmp_path / str(k), months=3, arsenals_enabled=False, arsenal_per_fighter_usd=amount,
                       **MORE_CELLS).run().monthly_frame() for k, amount in enumerate((0.0, 5000.0))]
    assert runs[0].equals(runs[1])


def test_the_stock_arms_strikes_from_day_one(tmp_path: Path) -> None:
    """Caches otherwise start empty: without an arsenal no strike is armed before the first delivery."""
    armed = {}
    for amount in (0.0, 700.0):
        m = tiny_model(tmp_path / str(amount), arsenal_per_fighter_usd=amount, cost_per_attack_usd=300.0, **MORE_CELLS)
        hides = np.nonzero(m.villages.cache)[0] if amount else np.arange(len(m.villages))
        armed[amount] = m.mechanisms.supply_lines.armed(hides)
    assert (armed[0.0] == 0).all()
    assert (armed[700.0] == 1).all()  # 700 x at least one fighter within reach pays for a 300-dollar strike


def test_the_stock_is_used_up_and_seized_but_never_replaced(tmp_path: Path) -> None:
    """With nothing brought from the Badia, the caches only fall: strikes use them, raids seize them."""
    m = tiny_model(tmp_path, months=6, arsenal_per_fighter_usd=300.0, cost_per_attack_usd=300.0,
                   transport_load_usd=0.0, killing_prob=1.0, **MORE_CELLS)
    start = m.villages.cache.sum()
    cached = m.run().monthly_frame()["is_weapons_cached_usd"].to_numpy()
    lines = m.mechanisms.supply_lines
    assert lines.delivered_usd == 0
    assert (np.diff(cached) <= 0).all() and cached[-1] < start
    assert lines.consumed_usd + lines.seized_usd == start - m.villages.cache.sum()


def test_transport_cells_bring_nothing_while_the_stock_within_reach_lasts(tmp_path: Path) -> None:
    m = tiny_model(tmp_path, arsenal_per_fighter_usd=20000.0, cost_per_attack_usd=300.0, **MORE_CELLS)
    v = m.villages
    stocked = int(np.argmax(v.cache))
    assert v.cache[stocked] >= m.p.cache_target_strikes * m.p.cost_per_attack_usd  # more than the target
    treasury = m.treasury
    i = m.add_cell(int(v.x[stocked]), int(v.y[stocked]), role=ROLE["transport"], fighters=4)
    m.mechanisms.supply_lines.move_weapons(Visits(np.array([i]), np.array([stocked])))
    assert m.treasury == treasury and m.mechanisms.supply_lines.delivered_usd == 0
