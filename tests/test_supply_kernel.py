"""The one-call shortcuts of supply lines' ``armed`` and repentance's start are the plain rules, to the last bit."""

from __future__ import annotations

import datetime as dt

import numpy as np

import sim


def _plain_armed(m: sim.InsurgencyModel, villages: np.ndarray) -> np.ndarray:
    """min(1, cache nearby / cost) from :meth:`SupplyLines.cache_nearby` (which grows the table as before)."""
    return np.minimum(1.0, m.mechanisms.supply_lines.cache_nearby(villages) / m.p.cost_per_attack_usd)


def _twins_with_caches(seed: int) -> tuple[list[sim.InsurgencyModel], np.random.Generator, int]:
    """Two models built alike, their villages' caches set to the same random amounts (1 to 10,000 USD
    scales); the generator that drew them, for the test's further draws, and the number of villages."""
    twins = [sim.InsurgencyModel(sim.load_scenario("baseline", months=1), rng=8, collect_daily=False) for _ in "ab"]
    rng = np.random.default_rng(seed)
    n = len(twins[0].villages)
    cache = rng.random(n) * 10.0 ** rng.integers(0, 4, n)
    for m in twins:
        m.villages.cache[:] = cache
    return twins, rng, n


def test_armed_is_the_plain_factor_and_grows_the_table_as_cache_nearby_does() -> None:
    twins, rng, n = _twins_with_caches(9)
    for m in twins:
        m.p.cache_reach_cells = 3  # a radius nobody asked yet: the first asks add squares to the table
    new, old = twins
    first = rng.integers(0, n, 8)
    for ask in range(6):  # squares not in the table, then some, then only known ones
        villages = first.copy() if ask == 0 else rng.integers(0, n, 8) if ask < 3 else rng.permutation(first)
        villages.flags.writeable = False  # as the nights' visits are
        known = new.world.index.neighbours(3).knows(villages)
        assert known == old.world.index.neighbours(3).knows(villages) == (ask > 0) or 0 < ask < 3
        got, want = new.mechanisms.supply_lines.armed(villages), _plain_armed(old, villages)
        assert np.array_equal(got, want), ask
        table_new, table_old = (m.world.index.neighbours(3) for m in twins)
        assert np.array_equal(table_new.rows, table_old.rows)
        assert np.array_equal(table_new.village_slot, table_old.village_slot)
    new.villages.cache[villages[0]] += 1e6  # changed in place: followed
    assert np.array_equal(new.mechanisms.supply_lines.armed(villages), _plain_armed(new, villages))


def test_switched_off_supply_lines_arm_everyone_and_touch_no_cache() -> None:
    m = sim.InsurgencyModel(sim.load_scenario("baseline", months=1), rng=8, collect_daily=False)
    lines, v = m.mechanisms.supply_lines, m.villages
    v.cache[:] = 100.0
    m.p.supply_lines_enabled = False
    assert not lines.enabled
    villages = np.arange(5)
    assert np.array_equal(lines.armed(villages), np.ones(5))
    lines.spend(0)
    lines.seize(villages)
    assert (v.cache == 100.0).all() and lines.consumed_usd == lines.seized_usd == 0.0


def test_repentance_starts_on_its_date_and_follows_a_new_one() -> None:
    m = sim.InsurgencyModel(sim.load_scenario("baseline", months=1), rng=8, collect_daily=False)
    rep, p = m.mechanisms.repentance, m.p
    for start in (p.repentance_start, m.start_date, m.start_date + dt.timedelta(days=40), dt.date(2000, 1, 1)):
        p.repentance_start = start
        for day in (0, 1, 39, 40, 41, 400):
            m.day = day
            assert (m.day < rep.start_day()) == (m.date < p.repentance_start), (start, day)


def test_checkpoints_armed_in_their_kernel_are_the_plain_rule() -> None:
    """``set_up_armed`` draws and changes what ``set_up`` with ``SupplyLines.armed`` does; unknown squares: nothing."""
    from sim.compiled import stream_of
    from sim.mechanisms.checkpoints import set_up, set_up_armed

    twins, rng, n = _twins_with_caches(3)
    for m in twins:
        m.mechanisms.supply_lines.armed(np.arange(n))  # every village's square in the reach table
    new, old = twins
    for _ in range(5):
        villages = rng.integers(0, n, 12)
        args = [(m.villages.guard, m.world.on_road) for m in twins]
        lines = new.mechanisms.supply_lines
        got, known = set_up_armed(stream_of(new), villages, 0.6, *args[0], *lines.arming(), new.villages.fear,
                                  new.villages.influence, new.villages.criteria, 0.05, 0.03)
        want = set_up(stream_of(old), villages, 0.6, *args[1], old.mechanisms.supply_lines.armed(villages),
                      old.villages.fear, old.villages.influence, old.villages.criteria, 0.05, 0.03)
        assert known and np.array_equal(got, want)
        for a, b in ((new.villages.fear, old.villages.fear), (new.villages.influence, old.villages.influence),
                     (new.villages.criteria, old.villages.criteria)):
            assert np.array_equal(a, b)
        assert new.rng.random() == old.rng.random()
    fresh = sim.InsurgencyModel(sim.load_scenario("baseline", months=1), rng=8, collect_daily=False)
    fresh.p.cache_reach_cells = 3  # a radius nobody asked yet
    state = fresh.rng.bit_generator.state
    hits, known = set_up_armed(stream_of(fresh), np.arange(4), 1.0, fresh.villages.guard, fresh.world.on_road,
                               *fresh.mechanisms.supply_lines.arming(), fresh.villages.fear, fresh.villages.influence,
                               fresh.villages.criteria, 0.05, 0.03)
    assert not known and not len(hits) and fresh.rng.bit_generator.state == state


def test_checkpoints_paid_and_booked_in_their_kernel_as_spend_and_incident_did() -> None:
    """``paid_and_booked`` pays and books each checkpoint as ``SupplyLines.spend`` and ``Accounts.incident``
    called hit by hit, in order (a village hit twice pays twice)."""
    from sim.mechanisms.checkpoints import paid_and_booked

    twins, rng, n = _twins_with_caches(4)
    new, old = twins
    for radius, cost in ((1, 150.0), (3, 2500.0), (0, 40.0)):
        for m in twins:
            m.p.cache_reach_cells, m.p.cost_per_attack_usd = radius, cost
        hits = rng.integers(0, n, 25)
        paid_and_booked(hits, *new.mechanisms.supply_lines.spending(), new.accounts.incidents)
        for i in hits.tolist():
            old.mechanisms.supply_lines.spend(i)
            old.accounts.incident("checkpoints", village=i)
        assert np.array_equal(new.villages.cache, old.villages.cache)
        assert new.mechanisms.supply_lines.consumed_usd == old.mechanisms.supply_lines.consumed_usd > 0
        assert np.array_equal(new.accounts.incidents, old.accounts.incidents)
    for m in twins:
        m.p.supply_lines_enabled = False  # switched off: booked, nothing paid
    paid_and_booked(np.array([0, 1]), *new.mechanisms.supply_lines.spending(), new.accounts.incidents)
    assert new.mechanisms.supply_lines.consumed_usd == old.mechanisms.supply_lines.consumed_usd
    assert new.accounts.totals["checkpoints"] == old.accounts.totals["checkpoints"] + 2


def test_seize_takes_what_numpy_sums_and_empties_the_caches() -> None:
    m = sim.InsurgencyModel(sim.load_scenario("baseline", months=1), rng=8, collect_daily=False)
    lines, v = m.mechanisms.supply_lines, m.villages
    rng = np.random.default_rng(5)
    for size in (1, 3, 9, 40):
        v.cache[:] = rng.random(len(v)) * 1e4
        villages = rng.integers(0, len(v), size)  # a village may be raided twice: counted twice, as before
        want = lines.seized_usd + float(v.cache[villages].sum())
        lines.seize(villages)
        assert lines.seized_usd == want and (v.cache[villages] == 0.0).all()


def test_form_cells_sizes_are_numpys_rule_with_the_same_draws() -> None:
    """The cells' sizes, walked in Python, are numpy's cumulative-sum rule on the same Poisson draws."""
    from sim.world.names import BADIA
    from sim.world.population import form_cells

    m = sim.InsurgencyModel(sim.load_scenario("baseline", months=1), rng=4, collect_daily=False)
    for fighters in (1, 2, 3, 7, 20, 63):
        for smallest in (1, 2, 4):
            m.p.cell_size_min = smallest
            ahead = np.random.Generator(type(m.rng.bit_generator)())
            ahead.bit_generator.state = m.rng.bit_generator.state
            sizes = np.maximum(smallest, ahead.poisson(m.p.cell_size_mean, size=fighters // smallest + 1))
            n = int(np.searchsorted(np.cumsum(sizes), fighters)) + 1
            sizes = sizes[:n]
            sizes[-1] -= int(sizes.sum()) - fighters
            rows = form_cells(m, fighters, BADIA)
            assert np.array_equal(m.cells.fighters[rows], sizes), (fighters, smallest)


def test_form_cells_roles_are_numpys_draws_and_numpys_error() -> None:
    """New cells' roles are ``rng.choice(len(ROLES), size=n, p=role_weights)``'s draws (drawn in a kernel on the
    stream), and weights numpy refuses raise numpy's error with no cell added."""
    import pytest

    from sim.world import population
    from sim.world.names import BADIA

    m = sim.InsurgencyModel(sim.load_scenario("baseline", months=1), rng=6, collect_daily=False)
    for fighters in (1, 9, 40):
        m.p.role_share_zakat = 0.02 * fighters  # weights that change between calls
        twin = np.random.Generator(type(m.rng.bit_generator)())
        twin.bit_generator.state = m.rng.bit_generator.state
        rows = population.form_cells(m, fighters, BADIA)
        # replayed on the twin: the sizes' Poisson draws, one uniform per cell for its Badia hideout, the roles
        twin.poisson(m.p.cell_size_mean, size=fighters // max(1, int(m.p.cell_size_min)) + 1)
        twin.random(len(rows))
        want = twin.choice(len(population.ROLES), size=len(rows), p=population.role_weights(m))
        assert np.array_equal(m.cells.role[rows], want)
        assert twin.bit_generator.state == m.rng.bit_generator.state
    before = len(m.cells)
    bad = np.zeros(len(population.ROLES))
    bad[0] = 0.5
    real = population.role_weights
    population.role_weights = lambda model: bad
    try:
        with pytest.raises(ValueError, match=r"(?i)probabilities do not sum to 1"):
            population.form_cells(m, 9, BADIA)
    finally:
        population.role_weights = real
    assert len(m.cells) == before
