"""Command consolidation on the tiny world: autonomous post-Baghouz cells, couriers' reach, patience."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from tiny_world import tiny_model

import sim
from sim import modifiers
from sim.agents.is_cell import ROLE
from sim.mechanisms import Visits
from sim.world.names import BADIA, REGIME
from sim.world.population import form_cells

MORE_CELLS = {"is_fighters_total": 2000}  # about 20 cells on the tiny map instead of one


def _in_badia(m: sim.InsurgencyModel) -> np.ndarray:
    c = m.cells
    return m.geography.holder[c.base_x, c.base_y] == REGIME


def _cell_in(m: sim.InsurgencyModel, role: str, village: str) -> int:
    i = m.village_index[village]
    return m.add_cell(int(m.villages.x[i]), int(m.villages.y[i]), role=ROLE[role], fighters=4)


def _visit(m: sim.InsurgencyModel, row: int, village: str) -> Visits:
    return Visits(np.array([row]), np.array([m.village_index[village]]))


def test_day_one_cells_outside_the_badia_follow_the_command_with_the_start_share(tmp_path: Path) -> None:
    none = tiny_model(tmp_path / "a", command_share_at_start=0.0, **MORE_CELLS)
    badia = _in_badia(none)
    assert badia.any() and (~badia).any()  # the test needs cells of both kinds
    assert none.cells.under_command[badia].all()  # the command sits in the Badia
    assert not none.cells.under_command[~badia].any()
    assert none.mechanisms.command.share() < 1.0
    every = tiny_model(tmp_path / "b", command_share_at_start=1.0, **MORE_CELLS)
    assert every.cells.under_command.all() and every.mechanisms.command.share() == 1.0
    half = tiny_model(tmp_path / "c", command_share_at_start=0.5, **MORE_CELLS)
    outside = half.cells.under_command[~_in_badia(half)]
    assert 0 < outside.sum() < len(outside)


def test_with_the_switch_off_every_cell_follows_and_the_start_share_changes_nothing(tmp_path: Path) -> None:
    runs = []
    for k, share in enumerate((0.0, 1.0)):
        m = tiny_model(tmp_path / str(k), months=3, command_consolidation_enabled=False,
                       command_share_at_start=share, **MORE_CELLS)
        assert m.mechanisms.command.follows(np.arange(len(m.cells))).all()
        runs.append(m.run().monthly_frame())
    assert runs[0].equals(runs[1])


def test_cells_formed_later_follow_the_command(tmp_path: Path) -> None:
    """Recruits and regrouped escapees are trained in the Badia: their cells follow the command."""
    m = tiny_model(tmp_path, command_share_at_start=0.0, **MORE_CELLS)
    assert not m.cells.under_command.all()
    rows = [*form_cells(m, 12, BADIA), _cell_in(m, "zakat", "Easttown")]
    assert m.cells.under_command[rows].all()


def test_a_couriers_visit_brings_the_autonomous_cells_of_that_village_under_command(tmp_path: Path) -> None:
    m = tiny_model(tmp_path, command_share_at_start=0.0, command_reach_per_visit=1.0)
    c, command = m.cells, m.mechanisms.command
    here, there = _cell_in(m, "zakat", "Easttown"), _cell_in(m, "zakat", "Westtown")
    c.under_command[[here, there]] = False  # two autonomous cells in two villages
    courier, other = _cell_in(m, "transport", "Westtown"), _cell_in(m, "assassination", "Westtown")
    command.night(_visit(m, other, "Easttown"))  # not a courier: no one is reached
    assert not c.under_command[here]
    command.night(_visit(m, courier, "Easttown"))
    assert c.under_command[here] and not c.under_command[there]  # only the visited village's cells
    mover = _cell_in(m, "movement", "Westtown")
    command.night(_visit(m, mover, "Westtown"))
    assert c.under_command[there]


def test_the_couriers_reach_is_a_chance_per_visit(tmp_path: Path) -> None:
    m = tiny_model(tmp_path, command_share_at_start=0.0, command_reach_per_visit=0.3)
    c, command = m.cells, m.mechanisms.command
    rows = np.array([_cell_in(m, "zakat", "Easttown") for _ in range(400)])
    c.under_command[rows] = False
    courier = _cell_in(m, "transport", "Westtown")
    command.night(_visit(m, courier, "Easttown"))
    reached = c.under_command[rows].mean()
    assert 0.2 < reached < 0.4  # 0.3 of 400: a binomial's sd is 0.023


def test_autonomous_cells_ignore_the_coalitions_attention(tmp_path: Path) -> None:
    m = tiny_model(tmp_path)
    p, v, c = m.p, m.villages, m.cells
    p.patience_noise = 0.0
    m.mechanisms.strategic_patience.attention[:] = 1.0  # any strike would cross the tolerance
    east = m.village_index["Easttown"]
    disciplined, remnant = _cell_in(m, "car_bombs", "Easttown"), _cell_in(m, "car_bombs", "Easttown")
    c.under_command[remnant] = False
    both, where = np.array([disciplined, remnant]), np.array([east, east])
    assert modifiers.restraint(m, where, both).tolist() == [0.0, 1.0]
    assert modifiers.killing_restraint(m, where, both).tolist() == [0.0, 1.0]
    # through the attack mechanism: only the remnant strikes
    p.attack_prob = p.capability_at_start = 1.0
    v.guard[east], v.cache[:] = 0.5, 1e6  # a garrison to strike and weapons at hand
    m.mechanisms.attacks.night(Visits(np.array([disciplined] * 3 + [remnant] * 3), np.full(6, east)))
    assert m.accounts.totals["attacks"] == 3
