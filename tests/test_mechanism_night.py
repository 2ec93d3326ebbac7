"""Night mechanisms on the tiny world: each pinned alone, with the state set by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from tiny_world import tiny_model

import sim
from sim import modifiers
from sim.agents.is_cell import ROLE
from sim.mechanisms import Visits


@pytest.fixture
def model(tmp_path: Path) -> sim.InsurgencyModel:
    # the strikes are pinned here without the weapons they need (test_mechanism_supply_lines has those)
    return tiny_model(tmp_path, supply_lines_enabled=False)


def _row(m: sim.InsurgencyModel, name: str) -> int:
    return m.village_index[name]


def _visit(m: sim.InsurgencyModel, role: str, village: str, n: int = 1) -> Visits:
    """``n`` visits of cell 0 (given the role) to ``village``."""
    m.cells.role[0] = ROLE[role]
    return Visits(np.zeros(n, int), np.full(n, _row(m, village)))


def test_killers_spare_pledged_officials_and_kill_suspected_collaborators(model: sim.InsurgencyModel) -> None:
    """No truce rule: pledged officials are informants, so the victims are civilians (RIC, WP 2019)."""
    v, p = model.villages, model.p
    east = _row(model, "Easttown")
    p.killing_prob = p.capability_at_start = 1.0
    p.strategic_patience = False  # no decision to hold: every chance below is certain
    p.stronghold_zones_enabled = False
    v.guard[east] = 0.0  # killers avoid patrols: certain where there are none
    v.officials[east], v.pledged[east] = 5, 1.0
    model.mechanisms.killings.night(_visit(model, "assassination", "Easttown", 5))
    assert model.accounts.totals["killings"] == 5 and v.officials[east] == 5
    v.officials[east] = 0  # no one in post: killings go on
    model.mechanisms.killings.night(_visit(model, "assassination", "Easttown", 3))
    assert model.accounts.totals["killings"] == 8


def test_killing_the_last_official_leaves_no_chairman(model: sim.InsurgencyModel) -> None:
    """A chairman is an official: once none is left in post, the village has no chairman either."""
    v, p = model.villages, model.p
    east = _row(model, "Easttown")
    p.civilian_victim_share, p.chairman_target_share = 0.1, 0.0  # IS never aims at the chair
    v.officials[east], v.pledged[east], v.has_chairman[east] = 1, 0.0, True
    for _ in range(50):  # a tenth of the victims are civilians: kill until the official is dead
        if v.officials[east] == 0:
            break
        model.mechanisms.killings.kill(east)
    assert v.officials[east] == 0 and not v.has_chairman[east]


def test_unpledged_officials_are_the_likelier_victims(model: sim.InsurgencyModel) -> None:
    v, p = model.villages, model.p
    east = _row(model, "Easttown")
    p.killing_prob = p.capability_at_start = 1.0
    p.strategic_patience = False  # no decision to hold: every chance below is certain
    p.stronghold_zones_enabled, p.civilian_victim_share = False, 0.1
    v.guard[east], v.officials[east], v.pledged[east] = 0.0, 40, 0.5
    model.mechanisms.killings.night(_visit(model, "assassination", "Easttown", 20))
    lost = 40 - int(v.officials[east])
    assert model.accounts.totals["killings"] == 20 and 10 < lost <= 20
    assert v.pledged[east] * v.officials[east] == pytest.approx(20)  # only the unpledged were killed


def test_attacks_go_on_where_officials_are_pledged_but_not_in_cold_zones(model: sim.InsurgencyModel) -> None:
    v, p = model.villages, model.p
    east = _row(model, "Easttown")
    p.attack_prob = p.capability_at_start = 1.0
    p.strategic_patience = False  # no decision to hold
    v.guard[east], v.officials[east], v.pledged[east] = 0.5, 5, 1.0
    model.mechanisms.attacks.night(_visit(model, "car_bombs", "Easttown", 4))
    assert model.accounts.totals["attacks"] == 4
    p.cold_zone_restraint = 1.0
    v.criteria[east, :] = 10.0  # every criterion present: a stronghold, kept cold
    assert model.mechanisms.strongholds.cold_zones()[east]
    model.mechanisms.attacks.night(_visit(model, "car_bombs", "Easttown", 4))
    model.mechanisms.killings.night(_visit(model, "assassination", "Easttown", 4))
    assert model.accounts.totals["attacks"] == 4 and model.accounts.totals["killings"] == 0
    p.stronghold_zones_enabled = False
    model.mechanisms.attacks.night(_visit(model, "car_bombs", "Easttown", 4))
    assert model.accounts.totals["attacks"] == 8


def test_an_attack_on_a_patrolled_village_kills_men_of_the_patrolling_unit(model: sim.InsurgencyModel) -> None:
    """IEDs and ambushes hit patrols too: a village covered only by a unit based elsewhere loses that unit's men."""
    p, u, v = model.p, model.units, model.villages
    p.attack_prob = p.capability_at_start = 1.0
    p.strategic_patience = False
    p.sdf_killed_per_attack = 3.0
    model.mechanisms.patrols.day()
    home = int(u.home[0])
    target = next(i for i in np.argsort(-v.guard) if i != home and v.guard[i] > 0)  # patrolled, no garrison
    assert not (u.home == target).any()
    before = int(u.strength[0])
    model.mechanisms.attacks.night(_visit(model, "car_bombs", model.village_names[target], 20))
    assert model.accounts.totals["attacks"] == 20
    killed = model.accounts.totals["sdf_killed"]
    assert killed > 20  # Poisson(3) a time: about 60 in 20 attacks
    assert int(u.strength[0]) == before - killed


def test_cold_zones_draw_tax_collectors(model: sim.InsurgencyModel) -> None:
    v, p = model.villages, model.p
    east = _row(model, "Easttown")
    before = model.mechanisms.night_movement.role_attraction()[ROLE["zakat"], east]
    v.criteria[east, :] = 10.0
    after = model.mechanisms.night_movement.role_attraction()[ROLE["zakat"], east]
    assert after == pytest.approx(before * (1 + p.cold_zone_zakat_gain))


def test_allegiance_pledges_officials_where_fear_rules(model: sim.InsurgencyModel) -> None:
    v, p = model.villages, model.p
    east = _row(model, "Easttown")
    p.allegiance_prob, p.capability_at_start = 1.0, 1.0
    v.influence[east], v.fear[east], v.officials[east] = 0.5, 1.0, 4
    model.mechanisms.allegiance.night(_visit(model, "zakat", "Easttown"))
    assert v.pledged[east] == pytest.approx(0.25)
    assert model.mechanisms.allegiance.leak(np.array([east]))[0] == pytest.approx(0.25 * p.informant_leak)
    p.allegiance_enabled = False
    assert model.mechanisms.allegiance.leak(np.array([east]))[0] == 0.0


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


def test_a_repenting_chairman_leaves_the_pledged_officials_in_post(model: sim.InsurgencyModel) -> None:
    """Two of four officials pledged; the chairman, who repents, was not one of them (an informant need not):
    two pledged officials of the three left, as when an official is killed."""
    v, p = model.villages, model.p
    east = _row(model, "Easttown")
    p.repentance_prob = p.capability_at_start = p.repentance_official_share = 1.0
    v.influence[east], v.fear[east] = 0.5, 1.0
    v.officials[east], v.pledged[east], v.has_chairman[east] = 4, 0.5, True
    model.day = model.day_of(p.repentance_start)
    model.mechanisms.repentance.night(_visit(model, "zakat", "Easttown"))
    assert not v.has_chairman[east] and v.officials[east] == 3
    assert v.pledged[east] == pytest.approx(2 / 3)


def test_cells_move_out_at_night_and_their_agents_follow(model: sim.InsurgencyModel) -> None:
    c = model.cells
    model.p.night_activity_prob = 0.57  # the top of its range (four nights a week)
    model.p.night_range_cells = 40
    visits = model.mechanisms.night_movement.go_out()
    for _ in range(30):  # a night when some cell goes out
        if len(visits):
            break
        visits = model.mechanisms.night_movement.go_out()
    assert 0 < len(visits) <= int(c.alive.sum()) and len(set(visits.cells.tolist())) == len(visits)
    for row, village in zip(visits.cells, visits.villages, strict=True):
        assert (c.x[row], c.y[row]) == (model.villages.x[village], model.villages.y[village])
        assert model.cell_agents[row].cell.coordinate == (c.x[row], c.y[row])
        assert model.villages.sdf_held[village]
    model.mechanisms.night_movement.dawn()
    for agent in model.cell_agents:
        assert agent.cell.coordinate == agent.base


def test_cells_stay_home_when_night_movement_is_off(model: sim.InsurgencyModel) -> None:
    model.p.night_activity_prob = 0.57
    model.p.night_movement_enabled = False
    assert len(model.mechanisms.night_movement.go_out()) == 0


def test_a_cells_fighters_scale_its_chance_to_strike(model: sim.InsurgencyModel) -> None:
    c, p = model.cells, model.p
    p.cell_size_mean, cells = 5.0, np.array([0])
    for fighters, expected in ((5, 0.3), (10, 1 - 0.7 ** 2), (0, 0.0)):  # a cell of the mean size keeps p
        c.fighters[0] = fighters
        assert modifiers.scaled_by_fighters(model, np.array([0.3]), cells)[0] == pytest.approx(expected)


class _Zeros:
    """A generator whose draws are all 0: the threshold lands on 0 exactly."""

    def random(self, n: int) -> np.ndarray:
        return np.zeros(n)


def test_weighted_columns_picks_the_first_positive_column_whose_running_total_reaches_the_draw() -> None:
    from sim.mechanisms.night_movement import weighted_columns

    def by_definition(weight: np.ndarray, total: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        threshold = rng.random(len(weight)) * total
        return ((weight.cumsum(axis=1) >= threshold[:, None]) & (weight > 0)).argmax(axis=1)

    r = np.random.default_rng(3)
    for _ in range(500):  # sparse rows of many widths, zero columns included
        m, k = int(r.integers(1, 40)), int(r.integers(1, 50))
        weight = r.random((m, k)) * (r.random((m, k)) < r.uniform(0.05, 1.0))
        weight[:, int(r.integers(0, k))] += 0.5
        total, seed = weight.sum(axis=1), int(r.integers(2**31))
        got = weighted_columns(weight, total, np.random.default_rng(seed))
        assert np.array_equal(got, by_definition(weight, total, np.random.default_rng(seed)))
        assert (weight[np.arange(m), got] > 0).all()
    weight = np.array([[0.0, 0.0, 2.0, 1.0], [0.0, 3.0, 0.0, 0.0]])  # a draw of exactly 0
    assert weighted_columns(weight, weight.sum(axis=1), _Zeros()).tolist() == [2, 1]
