"""Kernels that replaced numpy steps (night hooks, presence, raids' find chance) give the steps' numbers, to the
last bit and draw for draw."""

from __future__ import annotations

import copy

import numpy as np
import pytest

import sim
from sim import modifiers
from sim.accounts import Accounts
from sim.compiled import stream_of
from sim.mechanisms.allegiance import ALLEGIANCE, swear
from sim.mechanisms.badia_front import strike
from sim.mechanisms.governance import JUSTICE, LIFESTYLE, govern
from sim.mechanisms.patrols import patrolling, pulls_at
from sim.mechanisms.raids import find_chances
from sim.mechanisms.repentance import campaign_villages
from sim.mechanisms.strongholds import ZoneInputs, violence_at, zakat_pulls

EDGES = np.array([-0.0, 0.0, np.nan, 1.5, -0.5, np.inf, -np.inf, 0.3, 1.0, 1e-300])


@pytest.fixture(scope="module")
def model() -> sim.InsurgencyModel:
    return sim.InsurgencyModel(rng=3, collect_daily=False)


def _villages(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    return {"held": rng.random(n) < 0.7, "officials": rng.integers(0, 4, n), "pledged": rng.random(n) * 1.2,
            "influence": rng.random(n), "fear": rng.random(n), "criteria": rng.integers(0, 3, (n, 12))}


def test_oaths_draw_as_the_steps_did(model: sim.InsurgencyModel) -> None:
    rng = np.random.default_rng(5)
    for n in (0, 1, 7, 60):
        v = _villages(rng, 60)
        visited = np.sort(rng.choice(60, n, replace=False)).astype(np.int64)
        plain = {k: a.copy() for k, a in v.items()}
        start = model.rng.bit_generator.state
        # the steps: the eligible villages, one uniform each in order, then the oaths
        rows = [i for i in visited if plain["held"][i] and plain["officials"][i] > 0 and plain["pledged"][i] < 1.0
                and plain["influence"][i] >= 0.2]
        u = model.rng.random(len(rows))
        sworn_plain = []
        for k, i in enumerate(rows):
            if u[k] < 0.9 * plain["fear"][i] * 0.8:
                plain["pledged"][i] = min(1.0, plain["pledged"][i] + 1.0 / max(plain["officials"][i], 1))
                plain["influence"][i] = min(1.0, plain["influence"][i] + 0.05)
                plain["criteria"][i, ALLEGIANCE] += 1
                sworn_plain.append(i)
        after = model.rng.bit_generator.state
        model.rng.bit_generator.state = start
        books = Accounts(60)
        swear(stream_of(model), visited, v["held"], v["officials"], v["pledged"], v["influence"], v["fear"],
              v["criteria"], 0.2, 0.9, 0.8, 0.05, books.incidents)
        assert model.rng.bit_generator.state == after
        assert dict(books.totals_by_village) == {("allegiances", i): 1 for i in sworn_plain}  # each oath booked
        assert books.totals["allegiances"] == len(sworn_plain)
        for k in v:
            assert np.array_equal(v[k], plain[k])


def test_campaigns_and_governance_draw_as_the_steps_did(model: sim.InsurgencyModel) -> None:
    rng = np.random.default_rng(6)
    for n in (0, 1, 9, 60):
        v = _villages(rng, 60)
        visited = np.sort(rng.choice(60, n, replace=False)).astype(np.int64)
        start = model.rng.bit_generator.state
        rows = [i for i in visited if v["held"][i] and v["influence"][i] >= 0.3]
        u = model.rng.random(len(rows))
        started_plain = [i for k, i in enumerate(rows) if u[k] < 0.7 * v["fear"][i] * 0.9]
        ruled = [i for i in visited if v["influence"][i] >= 0.4]
        criteria = v["criteria"].copy()
        for criterion in (LIFESTYLE, JUSTICE):
            u = model.rng.random(len(ruled))
            for k, i in enumerate(ruled):
                criteria[i, criterion] += u[k] < 0.5
        after = model.rng.bit_generator.state
        model.rng.bit_generator.state = start
        out = np.empty(60, np.int64)
        h = campaign_villages(stream_of(model), visited, v["held"], v["influence"], v["fear"], 0.3, 0.7, 0.9, out)
        assert out[:h].tolist() == started_plain
        govern(stream_of(model), visited, v["influence"], 0.4, 0.5, v["criteria"])
        assert np.array_equal(v["criteria"], criteria) and model.rng.bit_generator.state == after


def test_badia_strikes_draw_as_the_steps_did(model: sim.InsurgencyModel) -> None:
    rng = np.random.default_rng(7)
    for n in (0, 1, 12, 40):
        fighters = rng.integers(1, 3, 50)
        in_badia = np.sort(rng.choice(50, n, replace=False)).astype(np.int64)
        plain = fighters.copy()
        start = model.rng.bit_generator.state
        strikers = in_badia[model.rng.random(n) < 0.6]
        lost = strikers[model.rng.random(len(strikers)) < 0.5] if len(strikers) else strikers
        plain[lost] -= 1
        emptied_plain = [r for r in lost.tolist() if plain[r] <= 0]
        after = model.rng.bit_generator.state
        model.rng.bit_generator.state = start
        out = np.empty(50, np.int64)
        s, n_lost, e = strike(stream_of(model), in_badia, 0.6, 0.5, fighters, out)
        assert (s, n_lost, out[:e].tolist()) == (len(strikers), len(lost), emptied_plain)
        assert np.array_equal(fighters, plain) and model.rng.bit_generator.state == after


def test_find_chances_are_the_numpy_rule() -> None:
    rng = np.random.default_rng(8)
    for n in (0, 1, 5, 10, 95, 300):
        leak = np.concatenate([EDGES, rng.random(n) * 1.5 - 0.2])[: max(n, 1)] if n else np.zeros(0)
        in_camp = rng.random(len(leak)) < 0.4
        for prob, opacity in ((0.3, 0.5), (1.2, 2.0), (-0.1, 0.5), (0.0, 1.0)):
            with np.errstate(invalid="ignore"):  # inf x 0 on the edge values: NaN, as in the kernel
                plain = np.where(in_camp, prob * (1.0 - leak) * opacity, prob * (1.0 - leak)).clip(0.0, 1.0)
            got = find_chances(leak, in_camp, prob, opacity)
            assert np.array_equal(got, plain, equal_nan=True)
            assert np.array_equal(np.signbit(got), np.signbit(plain))


def test_presence_and_capability_are_their_rules(model: sim.InsurgencyModel) -> None:
    present = np.array([True, False, True, False])
    for without in (0.4, 1.0, 0.0):
        assert np.array_equal(modifiers.presence_many(present, without), np.where(present, 1.0, without))
    p = model.p
    keep = (model.day, p.routine_learning_days, p.capability_at_start)
    try:
        for days in (1, 2, 547, 3650):
            for day in (0, 1, 300, 547, 548, 5000):
                model.day, p.routine_learning_days = day, days
                learnt = min(1.0, day / max(days, 1))
                assert modifiers.capability(model) == p.capability_at_start + (1.0 - p.capability_at_start) * learnt
    finally:
        model.day, p.routine_learning_days, p.capability_at_start = keep


def test_the_units_on_patrol_are_the_numpy_rule() -> None:
    rng = np.random.default_rng(9)
    for n in (0, 1, 70):
        active, strength, cordon = rng.random(n) < 0.8, rng.integers(-1, 3, n), rng.random(n) < 0.2
        got = patrolling(active, strength, cordon)
        plain = (active & (strength > 0) & ~cordon).nonzero()[0]
        assert got.dtype == plain.dtype and np.array_equal(got, plain)


def test_badia_strikes_are_booked_as_the_python_books_did(model: sim.InsurgencyModel) -> None:
    """``strike_booked`` books what the hook booked after ``strike``: the strikes and the fighters lost as
    incidents in no village, the loot in the supplies and the money books, the dead in the people books."""
    from sim.mechanisms.badia_front import strike_booked

    rng = np.random.default_rng(8)
    dead = 0
    for n in (0, 3, 40):
        fighters = rng.integers(1, 3, 50)
        in_badia = np.sort(rng.choice(50, n, replace=False)).astype(np.int64)
        start = model.rng.bit_generator.state
        s, lost, _ = strike(stream_of(model), in_badia, 0.6, 0.5, fighters.copy(), np.empty(50, np.int64))
        plain = Accounts(5)
        if s:
            plain.incident("badia_attacks", s)
            plain.money["badia_loot"] += s * 250.0
        if lost:
            plain.incident("is_killed", lost)
            plain.people["is_killed"] += lost
        model.rng.bit_generator.state = start
        books, supplies = Accounts(5), np.array([10.0])
        strike_booked(stream_of(model), in_badia, 0.6, 0.5, fighters, np.empty(50, np.int64), 250.0, supplies,
                      books.incidents, books.money.values, books.money.booked, books.people.values,
                      books.people.booked)
        assert repr(books) == repr(plain) and supplies[0] == 10.0 + s * 250.0
        dead += lost
    assert dead  # forty cells striking at 0.6 and losing at 0.5: some fighters lost (a 1e-6 chance of none)


def test_an_official_leaves_as_the_python_rule_had_it() -> None:
    """``official_leaves`` is the rule the hooks applied in Python: the pledged share of those left grows,
    held at 1; none left, share 0; never below 0 officials."""
    from sim.mechanisms.allegiance import official_leaves

    for n in (0, 1, 2, 3, 7):
        for share in (0.0, 0.3, 0.5, 2 / 3, 1.0, np.nan):
            officials, pledged = np.array([n], np.int32), np.array([share])
            official_leaves(officials, pledged, 0)
            want = min(1.0, share * n / (n - 1)) if n > 1 else 0.0
            assert officials[0] == max(0, n - 1)
            assert pledged[0] == want or (np.isnan(want) and np.isnan(pledged[0])), (n, share)


def _sweep_by_the_python_steps(m: sim.InsurgencyModel, i: int) -> None:
    """``CivilianArrests.sweep`` as it was before its kernel: numpy's Poisson arrests, the binomial innocents
    among them, their cost to trust and their booking."""
    p, v = m.p, m.villages
    if p.civilian_arrests_enabled and v.sdf_held[i] and v.guard[i] > 0:
        arrested = int(m.rng.poisson(p.sweep_arrests_per_incident))
        innocent = int(m.rng.binomial(arrested, modifiers.wrongful_share(m, p.sweep_wrongful_share)))
        if innocent:
            v.trust[i] = max(0.0, v.trust[i] - p.trust_loss_per_wrongful_arrest * innocent)
            m.accounts.incident("civilian_arrests", innocent, village=i)


def _killings_by_the_python_steps(m: sim.InsurgencyModel, visits: object) -> None:
    """Tonight's killings as the hook took them before its kernel (issue 15): the targets, then at each the
    strike's cost, the victim, the effects, the books and the sweep, with the sweep's draws by numpy."""
    from sim.agents.village import CRITERION
    from sim.mechanisms.allegiance import unpledged_official_leaves
    from sim.mechanisms.killings import after_killing, decided_killing_targets, victim_of

    p, v, acc = m.p, m.villages, m.accounts
    mine = visits.of_role(m, "assassination")
    vil = mine.villages
    targets = decided_killing_targets(
        stream_of(m), *modifiers.killing_restraint_tables(m), vil, mine.cells, p.killing_prob * modifiers.capability(m),
        v.guard, m.mechanisms.strongholds.violence_factor(vil), v.sdf_held, m.cells.fighters,
        modifiers.fighter_scale(m), m.mechanisms.supply_lines.armed(vil))
    for i in targets.tolist():
        m.mechanisms.supply_lines.spend(i)
        victim = victim_of(stream_of(m), i, v.officials, v.pledged, v.has_chairman, float(p.civilian_victim_share),
                           float(p.chairman_target_share))
        if victim:
            unpledged_official_leaves(v, i)
        after_killing(i, victim, v.officials, v.has_chairman, v.criteria, CRITERION["attacks_on_officials"], v.fear,
                      v.trust, v.influence, m.violence_by_village, float(p.fear_per_killing),
                      float(p.trust_loss_per_killing), float(p.influence_per_killing))
        acc.incident("killings", village=i)
        _sweep_by_the_python_steps(m, i)


@pytest.mark.parametrize(("seed", "new_radius"), [(3, False), (4, False), (4, True)])
def test_a_night_of_killings_in_one_kernel_call_is_the_python_steps(seed: int, new_radius: bool) -> None:
    """... also when the caches' reach is a radius nobody asked yet: the first night then takes the Python
    path that grows the reach table (nothing drawn before it)."""
    twins = [sim.InsurgencyModel(sim.load_scenario("baseline", months=2), rng=seed, collect_daily=False) for _ in "ab"]
    killed = 0
    for m in twins:
        m.run_for(20)
        if new_radius:
            m.p.cache_reach_cells = 5
        m.p.killing_prob, m.p.sweep_arrests_per_incident = 0.9, 3.0  # many killings and sweeps tonight
        m.cells.role[:] = 1  # every cell an assassination cell
        assert m.cells.role[0] == 1 and sim.agents.is_cell.ROLES[1] == "assassination"
    new, old = twins
    for _ in range(4):
        visits = [m.mechanisms.night_movement.go_out() for m in twins]
        new.mechanisms.killings.night(visits[0])
        _killings_by_the_python_steps(old, visits[1])
        for name in ("officials", "pledged", "has_chairman", "criteria", "fear", "trust", "influence", "cache"):
            assert np.array_equal(getattr(new.villages, name), getattr(old.villages, name), equal_nan=True), name
        assert np.array_equal(new.accounts.incidents, old.accounts.incidents)
        assert np.array_equal(new.violence_by_village, old.violence_by_village)
        assert new.mechanisms.supply_lines.consumed_usd == old.mechanisms.supply_lines.consumed_usd
        assert new.rng.bit_generator.state == old.rng.bit_generator.state
        killed = new.accounts.totals["killings"]
        for m in twins:
            m.mechanisms.night_movement.dawn()
    assert killed and new.accounts.totals["civilian_arrests"]  # the paths were taken


def _old_pull_at(m: sim.InsurgencyModel, village: int) -> tuple[np.ndarray, np.ndarray]:
    """``Patrols.pull_at`` as numpy steps (before its kernel): the patrolling units' coverage, masked."""
    patrols, u = m.mechanisms.patrols, m.units
    on = patrols.on_patrol()
    rows, counts, fade = patrols.reach(on)
    here = rows == village
    units = np.repeat(on, counts)[here]
    return units, u.strength[units] / m.p.sdf_unit_size * fade[here]


def _attacks_by_the_python_steps(m: sim.InsurgencyModel, visits: object) -> None:
    """Tonight's attacks as the hook took them before its kernel (issue 15), with numpy's choice of the unit,
    its Poisson dead and the sweep's draws."""
    from sim.agents.village import CRITERION
    from sim.mechanisms.attacks import decided_attack_targets

    p, v, u, acc = m.p, m.villages, m.units, m.accounts
    mine = visits.of_role(m, "car_bombs")
    vil = mine.villages
    targets = decided_attack_targets(
        stream_of(m), *modifiers.restraint_tables(m), vil, mine.cells, p.attack_prob * modifiers.capability(m),
        m.mechanisms.strongholds.violence_factor(vil), v.guard, m.cells.fighters, modifiers.fighter_scale(m),
        m.mechanisms.supply_lines.armed(vil))
    for i in targets.tolist():
        m.mechanisms.supply_lines.spend(i)
        units, pull = _old_pull_at(m, i)
        if pull.sum() > 0:
            k = units[m.rng.choice(len(units), p=pull / pull.sum())]
            dead = min(int(u.strength[k]), int(m.rng.poisson(p.sdf_killed_per_attack)))
            u.strength[k] -= dead
            acc.incident("sdf_killed", dead, village=i)
            acc.people["sdf_killed"] += dead
            m.units_changed()
        v.fear[i] = min(1.0, v.fear[i] + p.fear_per_attack)
        v.influence[i] = min(1.0, v.influence[i] + p.influence_per_attack)
        v.criteria[i, CRITERION["attacks_on_officials"]] += 1
        m.violence_by_village[i] += 1
        acc.incident("attacks", village=i)
        _sweep_by_the_python_steps(m, i)


@pytest.mark.parametrize(("seed", "new_radius"), [(3, False), (4, False), (4, True)])
def test_a_night_of_attacks_in_one_kernel_call_is_the_python_steps(seed: int, new_radius: bool) -> None:
    twins = [sim.InsurgencyModel(sim.load_scenario("baseline", months=2), rng=seed, collect_daily=False) for _ in "ab"]
    for m in twins:
        m.run_for(20)
        if new_radius:  # a radius nobody asked yet: the first night takes the Python path that grows the table
            m.p.cache_reach_cells = 5
        # many attacks, and units weak enough that some are wiped out during a night
        m.p.attack_prob, m.p.sdf_killed_per_attack, m.p.sweep_arrests_per_incident = 1.0, 6.0, 3.0
        m.cells.role[:] = sim.agents.is_cell.ROLE["car_bombs"]
        m.units.strength[:] = np.minimum(m.units.strength, 8)
    new, old = twins
    for _ in range(4):
        visits = [m.mechanisms.night_movement.go_out() for m in twins]
        new.mechanisms.attacks.night(visits[0])
        _attacks_by_the_python_steps(old, visits[1])
        for name in ("fear", "influence", "criteria", "trust", "cache"):
            assert np.array_equal(getattr(new.villages, name), getattr(old.villages, name)), name
        assert np.array_equal(new.units.strength, old.units.strength)
        assert np.array_equal(new.accounts.incidents, old.accounts.incidents)
        assert dict(new.accounts.people) == dict(old.accounts.people)
        assert new.units_version == old.units_version
        assert new.mechanisms.supply_lines.consumed_usd == old.mechanisms.supply_lines.consumed_usd
        assert new.rng.bit_generator.state == old.rng.bit_generator.state
        for m in twins:
            m.mechanisms.night_movement.dawn()
    assert new.accounts.totals["attacks"] and new.accounts.people["sdf_killed"]  # the paths were taken
    assert (new.units.strength == 0).any()  # and a unit was wiped out: it no longer patrols


def test_the_pull_at_a_village_is_the_numpy_masks(model: sim.InsurgencyModel) -> None:
    m = copy.deepcopy(model)
    patrols = m.mechanisms.patrols
    rng = np.random.default_rng(9)
    for _ in range(3):
        for village in range(len(m.villages)):
            units, pull = patrols.pull_at(village)
            want_units, want_pull = _old_pull_at(m, village)
            assert np.array_equal(units, want_units) and np.array_equal(pull, want_pull)
        m.units.strength[rng.integers(0, len(m.units), 5)] = 0  # wiped out: off patrol
    on, counts, rows, fade, size = patrols.patrol_tables()
    m.units.strength[on[0]] = 0  # wiped out after the tables were read: left out, as a new reading does
    units, pull = np.empty(len(on), np.int64), np.empty(len(on))
    for village in range(len(m.villages)):
        n = pulls_at(village, on, counts, rows, fade, m.units.strength, size, units, pull)
        want_units, want_pull = _old_pull_at(m, village)
        assert np.array_equal(units[:n], want_units) and np.array_equal(pull[:n], want_pull)


@pytest.mark.parametrize("civilian_arrests", [True, False])
def test_suspects_detained_and_booked_in_one_kernel_call_as_the_python_steps(civilian_arrests: bool) -> None:
    """``SuspectArrests.detain`` (one kernel call) draws and books what its numpy draws and Python loop did."""
    twins = [sim.InsurgencyModel(sim.load_scenario("baseline", months=1), rng=6, collect_daily=False) for _ in "ab"]
    for m in twins:
        m.p.raid_suspects_mean, m.p.civilian_arrests_enabled = 2.5, civilian_arrests
    new, old = twins
    p, v, acc = old.p, old.villages, old.accounts
    rng = np.random.default_rng(10)
    for _ in range(5):
        villages = rng.choice(len(v), 12, replace=False).astype(np.int64)
        raids = rng.integers(1, 4, 12)
        detained = new.mechanisms.suspect_arrests.detain(villages, raids)
        share = min(modifiers.wrongful_share(old, p.sweep_wrongful_share), 1.0)
        taken = old.rng.poisson(p.raid_suspects_mean * raids)
        innocent = old.rng.binomial(taken, share)
        for village, n, wrong in zip(villages.tolist(), taken.tolist(), innocent.tolist(), strict=True):
            if n:
                acc.incident("arrests", n, village=village)
                acc.people["suspects_held"] += n - wrong
                if civilian_arrests and wrong:
                    v.trust[village] = max(0.0, v.trust[village] - p.trust_loss_per_wrongful_arrest * wrong)
                    acc.incident("civilian_arrests", wrong, village=village)
        assert detained == int(taken.sum())
        assert np.array_equal(new.accounts.incidents, acc.incidents) and dict(new.accounts.people) == dict(acc.people)
        assert np.array_equal(new.villages.trust, v.trust)
        assert new.rng.bit_generator.state == old.rng.bit_generator.state
    assert acc.totals["arrests"] and (acc.totals["civilian_arrests"] > 0) == civilian_arrests


@pytest.mark.parametrize("enabled", [True, False])
def test_the_kernels_tell_the_cold_zones_as_the_kept_zones_do(enabled: bool) -> None:
    """``violence_at`` and ``zakat_pulls`` (what killings, attacks and the night's moves read) equal
    ``Strongholds.zones()`` to the bit, over random criteria, councils, chairmen, SDF hold and parameters,
    NaN counts included, and follow a parameter change at once."""
    m = sim.InsurgencyModel(rng=4, collect_daily=False)
    p, v, strongholds = m.p, m.villages, m.mechanisms.strongholds
    p.stronghold_zones_enabled = enabled
    rng = np.random.default_rng(9)
    n = len(v)
    villages = rng.integers(0, n, 300)
    cold_trials = 0
    for _ in range(30):
        v.criteria[:] = rng.choice([0.0, 0.5, 1.0, 2.0, 7.0, np.nan], v.criteria.shape)
        v.has_council[:], v.has_chairman[:], v.sdf_held[:] = (rng.random((3, n)) < 0.5)
        p.stronghold_criterion_count = float(rng.choice([0.5, 1.0, 2.0]))
        p.stronghold_min_criteria = int(rng.integers(3, 6))
        p.cold_zone_restraint, p.cold_zone_zakat_gain = float(rng.random()), float(rng.random() * 3)
        fields = ZoneInputs(*strongholds.zone_inputs())  # the kernels unpack the plain tuple in this order
        columns = (v.criteria, v.has_council, v.has_chairman, v.sdf_held)
        assert all(a is b for a, b in zip(fields[:4], columns, strict=True))  # the columns themselves
        assert fields[4:] == (p.stronghold_criterion_count, p.stronghold_min_criteria, enabled, p.cold_zone_restraint,
                              p.cold_zone_zakat_gain)
        assert fields.enabled is enabled and all(type(x) is float for x in fields[4:6] + fields[7:])
        zones = strongholds.zones()
        assert np.array_equal(violence_at(villages, strongholds.zone_inputs()), zones.violence[villages])
        assert np.array_equal(zakat_pulls(strongholds.zone_inputs()), zones.zakat)
        cold_trials += bool(zones.cold.any())
    assert (cold_trials > 0) == enabled  # the comparison met cold zones (and none with the zones off)
