"""The speed work's shortcuts (issue 15, stop 13) give what the plain computation gives, and follow their inputs.

Each cached or regrouped answer is compared, exactly, with the computation it replaced, before and
after its inputs change in place (a cache that missed a change would keep the old answer).
``benchmarks/identity.py`` checks whole runs against the code before the change.
"""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim import modifiers
from sim.agents.is_cell import ROLE, ROLES
from sim.mechanisms.patrols import PATROL_CUTOFF


@pytest.fixture
def model() -> sim.InsurgencyModel:
    m = sim.InsurgencyModel(sim.load_scenario("baseline", months=3), rng=5, collect_daily=False)
    m.run_for(20)
    return m


def test_visits_by_role_are_the_masked_visits_in_order(model: sim.InsurgencyModel) -> None:
    visits = model.mechanisms.night_movement.go_out()
    assert len(visits) > 0
    roles = model.cells.role[visits.cells]
    for name in ROLES:
        mine = visits.of_role(model, name)
        keep = roles == ROLE[name]
        assert np.array_equal(mine.cells, visits.cells[keep])
        assert np.array_equal(mine.villages, visits.villages[keep])
        if len(mine):  # shared by every mechanism of the night: nobody may write into it
            with pytest.raises(ValueError):
                mine.villages[0] = 0
    model.mechanisms.night_movement.dawn()


def test_expected_payment_is_the_pay_share_times_the_paid_share(model: sim.InsurgencyModel) -> None:
    zakat, t = model.mechanisms.zakat, model.traders
    rows = np.arange(0, len(t), 3)
    wealth = t.wealth[rows] * np.linspace(0.1, 5.0, len(rows))
    amount = zakat.demand_amount(wealth)
    choice = zakat.choice(t.village[rows], wealth, amount)
    assert np.array_equal(zakat.expected_payment(t.village[rows], wealth, amount),
                          amount * choice.pay * choice.paid_share)


def test_patrol_presence_is_the_unit_by_unit_sum(model: sim.InsurgencyModel) -> None:
    m, p, v, u = model, model.p, model.villages, model.units
    u.strength[::4] //= 2  # weaken some garrisons: presence must follow
    m.units_changed()
    m.mechanisms.patrols.day()
    radius = int(np.ceil(p.patrol_radius_cells * PATROL_CUTOFF))
    cover = np.zeros(len(v))
    for k in np.flatnonzero(u.active & (u.strength > 0) & ~m.mechanisms.prison.units_in_cordon()):
        rows, dist = m.world.index.within(int(u.x[k]), int(u.y[k]), radius)
        cover[rows] += (u.strength[k] / p.sdf_unit_size) * np.exp(-dist / p.patrol_radius_cells)
    guard = np.clip(cover * modifiers.presence(m, np.arange(len(v))) / p.guard_saturation, 0.0, 1.0)
    guard[~v.sdf_held] = 0.0
    assert np.array_equal(v.guard, guard)


def test_cold_zones_follow_the_criteria_within_a_night(model: sim.InsurgencyModel) -> None:
    p, v, strongholds = model.p, model.villages, model.mechanisms.strongholds
    p.stronghold_zones_enabled = True
    i = int(np.flatnonzero(v.sdf_held)[0])
    v.criteria[i] = 0.0
    v.has_council[i] = v.has_chairman[i] = True
    assert strongholds.violence_factor(np.array([i]))[0] == 1.0
    v.criteria[i] = 10.0  # every criterion, as a night of killings and checkpoints would add them
    assert strongholds.cold_zones()[i]
    assert strongholds.violence_factor(np.array([i]))[0] == 1.0 - p.cold_zone_restraint
    assert strongholds.zakat_factor()[i] == 1.0 + p.cold_zone_zakat_gain
    p.cold_zone_restraint = 0.25  # a parameter change takes effect too
    assert strongholds.violence_factor(np.array([i]))[0] == 0.75


def test_willingness_to_strike_follows_the_attention(model: sim.InsurgencyModel) -> None:
    p, patience = model.p, model.mechanisms.strategic_patience
    p.strategic_patience, p.patience_noise = True, 0.05
    villages = np.arange(len(model.villages))
    everywhere = np.ones(len(villages), bool)

    def plain() -> np.ndarray:
        over = patience.attention[patience.governorate] + p.attention_per_attack - p.patience_tolerance
        return 1.0 / (1.0 + np.exp(np.clip(over / p.patience_noise, -50.0, 50.0)))

    assert np.array_equal(patience.strike_chance(villages, p.attention_per_attack, everywhere, everywhere), plain())
    patience.attention[:] = np.linspace(0.0, 1.0, len(patience.attention))  # changed in place
    assert np.array_equal(patience.strike_chance(villages, p.attention_per_attack, everywhere, everywhere), plain())
    chance = patience.strike_chance(villages, p.attention_per_attack, everywhere, ~everywhere)
    assert (chance == 1.0).all()  # cells that do not follow the command strike whenever they can


def test_influence_retention_follows_the_guard(model: sim.InsurgencyModel) -> None:
    p, v, influence = model.p, model.villages, model.mechanisms.influence

    def plain() -> np.ndarray:
        decay = (p.influence_decay_base + p.influence_decay_guard * v.guard
                 + p.influence_decay_admin * (v.has_council & v.has_chairman))
        return 1.0 - np.clip(decay, 0.0, 1.0)

    assert np.array_equal(influence.retention(), plain())
    v.guard[:] = np.linspace(0.0, 1.0, len(v))
    assert np.array_equal(influence.retention(), plain())


def test_raid_miss_chance_follows_the_pledges(model: sim.InsurgencyModel) -> None:
    v, raids = model.villages, model.mechanisms.raids
    sites = model.cell_sites()
    assert len(sites.in_sdf) > 0 and model.p.informant_leak > 0

    def plain() -> np.ndarray:
        return 1.0 - raids.find_chance(sites.near_sdf, sites.camp_sdf)

    before = raids.missed_once(sites).copy()
    assert np.array_equal(before, plain())
    v.pledged[sites.near_sdf] = 1.0  # informants everywhere near the cells: raids leak, and miss more
    assert np.array_equal(raids.missed_once(sites), plain())
    assert (raids.missed_once(sites) > before).any()
