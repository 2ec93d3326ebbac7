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
from sim.mechanisms.night_movement import Visits
from sim.mechanisms.patrols import PATROL_CUTOFF
from sim.world.space import NeighbourTable


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


def _presence_unit_by_unit(m: sim.InsurgencyModel) -> np.ndarray:
    """The villages' SDF presence added up unit by unit, as patrols computed it before its shortcuts."""
    p, v, u = m.p, m.villages, m.units
    radius = int(np.ceil(p.patrol_radius_cells * PATROL_CUTOFF))
    cover = np.zeros(len(v))
    for k in np.flatnonzero(u.active & (u.strength > 0) & ~m.mechanisms.prison.units_in_cordon()):
        rows, dist = m.world.index.within(int(u.x[k]), int(u.y[k]), radius)
        cover[rows] += (u.strength[k] / p.sdf_unit_size) * np.exp(-dist / p.patrol_radius_cells)
    guard = np.clip(cover * modifiers.presence(m, np.arange(len(v))) / p.guard_saturation, 0.0, 1.0)
    guard[~v.sdf_held] = 0.0
    return guard


def test_patrol_presence_is_the_unit_by_unit_sum(model: sim.InsurgencyModel) -> None:
    m, u = model, model.units
    u.strength[::4] //= 2  # weaken some garrisons: presence must follow
    m.units_changed()
    m.mechanisms.patrols.day()
    assert np.array_equal(m.villages.guard, _presence_unit_by_unit(m))


def test_patrol_presence_follows_moved_units_and_the_radius(model: sim.InsurgencyModel) -> None:
    """The villages each unit covers are kept between recomputations: a unit sent elsewhere, a unit
    lost and a new patrol radius must each show in the presence (checked against the plain sum)."""
    m, p, v, u = model, model.p, model.villages, model.units
    patrols = m.mechanisms.patrols
    patrols.day()
    before = v.guard.copy()
    k = int(np.flatnonzero(u.active & (u.strength > 0))[0])
    far = int(np.argmax(np.abs(v.x - u.x[k]) + np.abs(v.y - u.y[k])))  # the village farthest from unit k
    u.x[k], u.y[k] = v.x[far], v.y[far]
    m.units_changed()
    patrols.day()
    assert not np.array_equal(v.guard, before)
    assert np.array_equal(v.guard, _presence_unit_by_unit(m))
    u.strength[k] = 0  # no longer patrols
    m.units_changed()
    patrols.day()
    assert np.array_equal(v.guard, _presence_unit_by_unit(m))
    p.patrol_radius_cells *= 1.5
    patrols.day()
    assert np.array_equal(v.guard, _presence_unit_by_unit(m))


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

    def plain() -> np.ndarray:  # the zones computed from scratch
        met = v.criteria_present(p.stronghold_criterion_count).sum(axis=1) >= p.stronghold_min_criteria
        return met & v.sdf_held

    # the zones are kept by which villages are strongholds: counts that change without changing that
    # keep them, anything that changes a stronghold or the SDF's hold is seen at once
    v.criteria[i] = 5.0
    assert np.array_equal(strongholds.cold_zones(), plain()) and strongholds.cold_zones()[i]
    v.sdf_held[i] = False
    assert np.array_equal(strongholds.cold_zones(), plain()) and not strongholds.cold_zones()[i]
    v.sdf_held[i] = True
    p.stronghold_criterion_count = 6.0  # a count of 5 no longer makes a criterion present
    assert np.array_equal(strongholds.cold_zones(), plain()) and not strongholds.cold_zones()[i]
    assert strongholds.violence_factor(np.array([i]))[0] == 1.0


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


# ---------------------------------------------------------------- round 2: supply lines and command


def _old_cache_nearby(m: sim.InsurgencyModel, villages: np.ndarray) -> np.ndarray:
    """The sum before the shortcut: slots of the villages' squares, a fresh copy of the caches padded with 0."""
    table = m.world.index.neighbours(max(0, int(m.p.cache_reach_cells)))
    slot = table.slots(m.villages.x[villages], m.villages.y[villages])  # may grow the table: before .rows
    return np.append(m.villages.cache, 0.0)[table.rows[slot]].sum(axis=1)


def test_cache_nearby_is_the_plain_sum_and_follows_the_caches(model: sim.InsurgencyModel) -> None:
    m, v, lines = model, model.villages, model.mechanisms.supply_lines
    rng = np.random.default_rng(3)
    villages = np.arange(len(v))[::3]

    def same() -> bool:
        return (np.array_equal(lines.cache_nearby(villages), _old_cache_nearby(m, villages))
                and all(lines.cache_nearby_one(i) == _old_cache_nearby(m, np.array([i]))[0] for i in range(len(v))))

    assert same()
    v.cache[:] = rng.random(len(v)) * 10.0 ** rng.integers(0, 6, len(v))  # changed in place
    assert same()
    v.cache = v.cache * 3.0  # the column replaced by a new array: the padded copy must follow it
    assert same() and v.cache.base is lines.padded_cache()  # a view again
    v.cache[villages[0]] += 1e6
    assert same()
    m.p.cache_reach_cells = 3  # another radius: rows of up to 12 villages, where numpy's sums group by width
    assert same()


def test_village_rows_grow_the_table_as_the_squares_do() -> None:
    """Asking by village adds the same squares, in the same order, as asking by square: same widths, same sums."""
    m = sim.InsurgencyModel(sim.load_scenario("baseline", months=1), rng=2, collect_daily=False)
    index = m.world.index
    by_village, by_square = NeighbourTable(index, 3), NeighbourTable(index, 3)
    rng = np.random.default_rng(4)
    w, h = index.at.shape
    for _ in range(40):
        villages = rng.integers(0, len(index.x), rng.integers(1, 6))
        got = by_village.village_rows(villages)
        slot = by_square.slots(index.x[villages], index.y[villages])  # may grow the table: before .padded
        want = by_square.padded[slot]
        assert np.array_equal(got, want)
        assert np.array_equal(by_village.rows, by_square.rows) and np.array_equal(by_village.dist, by_square.dist)
        # hideout squares asked by the night's moves share the table of their radius
        x, y = rng.integers(0, w, 3), rng.integers(0, h, 3)
        assert np.array_equal(by_village.slots(x, y), by_square.slots(x, y))


def _old_move_weapons(m: sim.InsurgencyModel, visits: Visits) -> None:
    """Transport visits as before the shortcut: one padded copy and slot lookup per visit."""
    p, v, lines = m.p, m.villages, m.mechanisms.supply_lines
    mine = visits.of_role(m, "transport")
    load = p.transport_load_usd * m.cells.fighters[mine.cells] * lines.carrying(mine.cells)
    for i, usd in zip(mine.villages.tolist(), load.tolist(), strict=True):
        if m.treasury <= 0:
            return
        stock = p.cache_target_strikes * p.cost_per_attack_usd
        usd = min(usd, m.treasury, stock - _old_cache_nearby(m, np.array([i]))[0])
        if usd > 0:
            m.treasury -= usd
            m.accounts.money["is_spending"] += usd
            v.cache[i] += usd
            lines.delivered_usd += usd


def test_move_weapons_is_the_plain_loop() -> None:
    """Twin models, old loop and new: same caches, treasury and neighbour table, new squares or known ones."""
    twins = [sim.InsurgencyModel(sim.load_scenario("baseline", months=1), rng=6, collect_daily=False) for _ in "ab"]
    rng = np.random.default_rng(7)
    cache = rng.random(len(twins[0].villages)) * 10.0 ** rng.integers(0, 4, len(twins[0].villages))
    carriers = np.flatnonzero(twins[0].cells.role == ROLE["transport"])
    assert len(carriers)
    for m in twins:
        m.p.cache_reach_cells, m.p.cache_target_strikes, m.treasury = 3, 20.0, 4e4  # a radius nobody asked yet
        m.villages.cache[:] = cache
    first = rng.integers(0, len(cache), 12)
    for night in range(3):  # the first night adds squares to the table, later ones find them all there
        rows, villages = rng.choice(carriers, 12), rng.permutation(first)
        assert twins[0].world.index.neighbours(3).knows(villages) == (night > 0)
        twins[0].mechanisms.supply_lines.move_weapons(Visits(rows, villages))
        _old_move_weapons(twins[1], Visits(rows, villages.copy()))
        new, old = twins
        assert np.array_equal(new.villages.cache, old.villages.cache) and new.treasury == old.treasury
        assert new.mechanisms.supply_lines.delivered_usd == old.mechanisms.supply_lines.delivered_usd > 0
        assert new.accounts.money["is_spending"] == old.accounts.money["is_spending"] > 0  # booked as spent
        table_new, table_old = (m.world.index.neighbours(3) for m in twins)
        assert table_new is not table_old and np.array_equal(table_new.rows, table_old.rows)


def test_spend_is_the_plain_loop(model: sim.InsurgencyModel) -> None:
    m, v, p, lines = model, model.villages, model.p, model.mechanisms.supply_lines
    rng = np.random.default_rng(5)

    def old_spend(cache: np.ndarray, village: int) -> float:
        rows, dist = m.world.index.within(int(v.x[village]), int(v.y[village]), max(0, int(p.cache_reach_cells)))
        left = p.cost_per_attack_usd
        for j in rows[np.argsort(dist, kind="stable")].tolist():
            used = min(left, float(cache[j]))
            cache[j] -= used
            left -= used
            if left <= 0:
                break
        return p.cost_per_attack_usd - left

    for radius in (1, 3, 1):
        p.cache_reach_cells = radius
        v.cache = rng.random(len(v)) * 10.0 ** rng.integers(0, 4, len(v))  # a new column each time
        for village in rng.integers(0, len(v), 60).tolist():
            expected = v.cache.copy()
            used = old_spend(expected, village)
            consumed = lines.consumed_usd
            lines.spend(village)
            assert np.array_equal(v.cache, expected) and lines.consumed_usd == consumed + used


def test_couriers_reach_the_cells_based_on_the_squares_they_visit(model: sim.InsurgencyModel) -> None:
    m, c, v, command = model, model.cells, model.villages, model.mechanisms.command
    assert command.enabled
    m.p.command_reach_per_visit = 0.5  # draws that matter
    alive = np.flatnonzero(c.alive)
    c.under_command[alive[::2]] = False  # autonomous cells, many of them based in villages
    at_village = m.world.index.at[c.base_x[alive], c.base_y[alive]]
    targets = np.concatenate([at_village[at_village >= 0][::3], [0, len(v) - 1]])
    couriers = np.flatnonzero(np.isin(c.role, [ROLE["movement"], ROLE["transport"]]))
    others = np.flatnonzero(~np.isin(c.role, [ROLE["movement"], ROLE["transport"]]))
    assert len(couriers) and len(others)
    rows = np.concatenate([np.resize(couriers, len(targets)), others[:5]])
    visits = Visits(rows, np.concatenate([targets, at_village[at_village >= 0][1::3][:5]]))

    def old_night() -> None:  # np.unique and np.isin over the visited squares, as before the shortcut
        autonomous = np.flatnonzero(c.alive & ~c.under_command)
        reached = np.unique(np.concatenate([visits.of_role(m, r).villages for r in ("movement", "transport")]))
        height = m.geography.holder.shape[1]
        visited = v.x[reached].astype(np.int64) * height + v.y[reached]
        based = c.base_x[autonomous].astype(np.int64) * height + c.base_y[autonomous]
        near = autonomous[np.isin(based, visited)]
        if len(near):
            c.under_command[near[m.rng.random(len(near)) < m.p.command_reach_per_visit]] = True

    start, state = c.under_command.copy(), m.rng.bit_generator.state
    command.night(visits)
    got, after = c.under_command.copy(), m.rng.bit_generator.state
    c.under_command[:], m.rng.bit_generator.state = start, state
    old_night()
    assert np.array_equal(got, c.under_command) and m.rng.bit_generator.state == after
    assert (got & ~start).any()  # some cells came under command: the comparison was not empty
