"""Strategic patience on the tiny world: the Coalition's attention, its surge, and IS's decision to strike or hold."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from tiny_world import tiny_model

import sim
from sim import modifiers
from sim.agents.is_cell import ROLE
from sim.mechanisms.night_movement import Visits


@pytest.fixture
def model(tmp_path: Path) -> sim.InsurgencyModel:
    return tiny_model(tmp_path)


def _rows(m: sim.InsurgencyModel, *names: str) -> np.ndarray:
    return np.array([m.village_index[n] for n in names])


def _attention(m: sim.InsurgencyModel, village: str) -> float:
    return float(m.mechanisms.strategic_patience.of_villages(_rows(m, village))[0])


def _commanded(m: sim.InsurgencyModel) -> np.ndarray:
    """A cell that follows the command's guidance (patience is the command's; see test_mechanism_command)."""
    m.cells.under_command[0] = True
    return np.array([0])


def _no_visits() -> Visits:
    return Visits(np.zeros(0, int), np.zeros(0, int))


def test_attention_rises_with_strikes_in_their_governorate_and_decays(model: sim.InsurgencyModel) -> None:
    p, patience = model.p, model.mechanisms.strategic_patience
    east, west = model.village_index["Easttown"], model.village_index["Westtown"]
    model.accounts.incident("attacks", 2, village=east)
    model.accounts.incident("killings", 3, village=east)
    patience.night(_no_visits())
    rise = 2 * p.attention_per_attack + 3 * p.attention_per_killing
    assert _attention(model, "Easttown") == pytest.approx(rise)
    assert _attention(model, "Westtown") == 0.0  # Raqqa is another governorate
    patience.night(_no_visits())  # nothing new tonight: no more attention
    assert _attention(model, "Easttown") == pytest.approx(rise)
    model.accounts.incident("attacks", village=west)
    patience.night(_no_visits())
    assert _attention(model, "Westtown") == pytest.approx(p.attention_per_attack)
    patience.month_end()
    assert _attention(model, "Easttown") == pytest.approx(rise * (1 - p.attention_decay))


def test_councils_collapsing_draw_attention(model: sim.InsurgencyModel) -> None:
    v, p, patience = model.villages, model.p, model.mechanisms.strategic_patience
    east = _rows(model, "Easttown", "Eastvillage")
    v.has_council[east], v.has_chairman[east] = True, True
    patience.month_end()  # the share of vacuum is read; councils standing add nothing
    before = _attention(model, "Easttown")
    v.has_chairman[east] = False
    patience.month_end()
    assert _attention(model, "Easttown") > before * (1 - p.attention_decay) + 1e-9
    p.attention_per_vacuum = 0.0
    v.has_chairman[east] = True
    patience.month_end()
    v.has_chairman[east] = False
    after = _attention(model, "Easttown")
    patience.month_end()
    assert _attention(model, "Easttown") == pytest.approx(after * (1 - p.attention_decay))


def test_a_strike_that_would_cross_the_tolerance_is_held_only_while_the_coalition_is_present(
        model: sim.InsurgencyModel) -> None:
    p, patience = model.p, model.mechanisms.strategic_patience
    p.patience_noise = 0.0  # the hard rule
    east = _rows(model, "Easttown")
    patience.attention[:] = p.patience_tolerance - p.attention_per_attack / 2  # an attack would cross it
    assert modifiers.restraint(model, east, _commanded(model))[0] == 0.0
    # a killing draws less attention: it stays under the tolerance and goes ahead (fn 25)
    assert p.attention_per_killing < p.attention_per_attack / 2
    assert modifiers.killing_restraint(model, east, _commanded(model))[0] == 1.0
    model.policy.withdraw_coalition(model.day, ["zakat_triangle"])
    assert modifiers.restraint(model, east, _commanded(model))[0] == 1.0  # without the Coalition attention has no cost
    model.policy.return_coalition()
    p.strategic_patience = False
    assert modifiers.restraint(model, east, _commanded(model))[0] == 1.0  # IS ignores attention


def test_the_smooth_decision_falls_through_the_tolerance(model: sim.InsurgencyModel) -> None:
    p, patience = model.p, model.mechanisms.strategic_patience
    east = _rows(model, "Easttown")
    chances = []
    for level in (0.0, p.patience_tolerance - p.attention_per_attack, 1.0):
        patience.attention[:] = level
        chances.append(float(modifiers.restraint(model, east, _commanded(model))[0]))
    assert chances[0] > 0.9 and chances[1] == pytest.approx(0.5) and chances[2] < 0.1


def test_attacks_are_held_once_attention_is_high(model: sim.InsurgencyModel) -> None:
    """The decision reaches the attack mechanism through ``modifiers.restraint``."""
    p, v, patience = model.p, model.villages, model.mechanisms.strategic_patience
    p.attack_prob = p.capability_at_start = 1.0
    p.patience_noise = 0.0
    east = model.village_index["Easttown"]
    v.guard[east] = 0.5
    model.cells.role[0] = ROLE["car_bombs"]
    model.cells.under_command[0] = True  # it follows the command, whose guidance is patience
    v.cache[:] = 1e6  # weapons at hand (supply_lines), so only the decision can hold a strike
    visits = Visits(np.zeros(4, int), np.full(4, east))
    patience.attention[:] = 1.0
    model.mechanisms.attacks.night(visits)
    assert model.accounts.totals["attacks"] == 0
    patience.attention[:] = 0.0
    model.mechanisms.attacks.night(visits)
    assert model.accounts.totals["attacks"] == 4


def test_detection_rises_with_attention_where_the_coalition_is_present(model: sim.InsurgencyModel) -> None:
    p, v, patience, raids = model.p, model.villages, model.mechanisms.strategic_patience, model.mechanisms.raids
    east = _rows(model, "Easttown")
    v.guard[east], v.influence[east] = 1.0, 0.5
    calm = raids.raid_rate(east)[0]
    assert calm > 0
    patience.attention[:] = 0.5
    assert raids.raid_rate(east)[0] == pytest.approx(calm * (1 + p.coalition_surge_gain * 0.5))
    assert modifiers.intelligence(model, east)[0] == pytest.approx(
        p.coalition_intel_multiplier * (1 + p.coalition_surge_gain * 0.5))
    model.policy.withdraw_coalition(model.day, ["zakat_triangle"])
    assert modifiers.intelligence(model, east)[0] == 1.0  # no Coalition, no surge


def test_patience_changes_a_run(tmp_path: Path) -> None:
    """With patience off IS strikes regardless of attention: the same seeds give more attacks and killings."""
    strikes = {True: 0, False: 0}
    for patience in strikes:
        for seed in range(1, 6):  # a tiny world strikes a few times in six months: several seeds
            # weapons are not the limit here (the tiny world has no transport cells to stock caches)
            m = tiny_model(tmp_path / f"{patience}{seed}", seed=seed, months=6, strategic_patience=patience,
                           supply_lines_enabled=False)
            m.mechanisms.strategic_patience.attention[:] = 1.0  # a Coalition fully focused from the start
            m.p.attention_decay = 0.05
            m.cells.role[:] = ROLE["assassination"]  # cells that strike, whatever roles the seed drew
            m.cells.role[1::2] = ROLE["car_bombs"]
            m.run()
            strikes[patience] += m.accounts.totals["attacks"] + m.accounts.totals["killings"]
    assert strikes[True] < strikes[False]
