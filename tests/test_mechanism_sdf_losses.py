"""SDF losses change SDF strength, fear and local joining; the reserve is finite and shared with the
Turkish front (issue 13, plan section 2 K)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tiny_world import tiny_model

import sim


@pytest.fixture
def model(tmp_path: Path) -> sim.InsurgencyModel:
    return tiny_model(tmp_path)


def test_sdf_deaths_in_a_village_add_to_its_fear_once(model: sim.InsurgencyModel) -> None:
    v, p = model.villages, model.p
    home = int(model.units.home[0])
    v.fear[:] = 0.0
    model.accounts.incident("sdf_killed", 10, village=home)
    sdf = model.mechanisms.sdf_recruitment
    sdf.month_end()
    assert v.fear[home] == pytest.approx(10 * p.fear_per_sdf_death)
    assert v.fear[v.sdf_held].sum() == pytest.approx(v.fear[home])
    sdf.month_end()  # the same deaths do not count twice
    assert v.fear[home] == pytest.approx(10 * p.fear_per_sdf_death)


def test_local_joining_falls_smoothly_with_willingness(tmp_path: Path) -> None:
    """Paired: the same unit in a village half as willing takes fewer local men, but not none."""
    def joined(trust: float) -> int:
        total = 0
        for seed in range(5):
            m = tiny_model(tmp_path / f"{trust}_{seed}", seed=seed, sdf_monthly_replacement=1.0)
            u, v = m.units, m.villages
            home = int(u.home[0])
            u.local[0], u.strength[0] = True, 50
            v.trust[home], v.fear[home], v.influence[home], v.tawba_pressure[home] = trust, 0.0, 0.0, 0.0
            m.mechanisms.sdf_recruitment.month_end()
            total += m.mechanisms.sdf_recruitment.recruits["local"]
        return total
    full, half = joined(1.0), joined(0.5)
    assert full == 250 and 0 < half < full


def test_an_empty_reserve_leaves_units_short(model: sim.InsurgencyModel) -> None:
    u = model.units
    sdf = model.mechanisms.sdf_recruitment
    u.local[0], u.strength[0] = False, 40
    sdf.reserve = 25
    sdf.month_end()
    assert u.strength[0] == 65 and sdf.reserve == 0
    sdf.month_end()
    assert u.strength[0] == 65


def test_a_local_unit_nobody_joins_gets_a_detachment_for_the_months_share_of_its_gap(
        model: sim.InsurgencyModel) -> None:
    """As fast as an external unit is refilled: the reserve is drawn a share of the gap a month, not all at once."""
    u, v, p = model.units, model.villages, model.p
    sdf = model.mechanisms.sdf_recruitment
    home = int(u.home[0])
    u.local[0], u.strength[0] = True, 40
    v.trust[home], v.fear[home] = 0.0, 1.0  # nobody comes forward
    assert model.mechanisms.councils.willingness()[home] == 0.0
    p.sdf_monthly_replacement = 0.25
    reserve = sdf.reserve
    sdf.month_end()
    assert len(u) == 2 and not u.local[1] and u.home[1] == home
    assert u.strength[1] == 15 == reserve - sdf.reserve  # a quarter of the gap of 60
    assert u.nominal[0] == 85  # the rest of the gap is still open to local men next month
    sdf.month_end()  # still nobody: the next men join the same detachment
    assert len(u) == 2 and u.strength[1] == 15 + 12 == u.nominal[1] and u.nominal[0] == 73


def test_the_turkish_front_takes_its_share_of_the_reserve(model: sim.InsurgencyModel) -> None:
    sdf = model.mechanisms.sdf_recruitment
    total = sdf.reserve
    model.mechanisms.turkish_front.redeploy(0.5)
    assert sdf.reserve == total - round(total / 2) and sdf.reserve_north == round(total / 2)
    model.units.active[:] = True
    model.units.local[0], model.units.strength[0] = False, 0
    model.p.sdf_monthly_replacement = 1.0
    sdf.month_end()
    assert model.units.strength[0] == min(100, total - round(total / 2))
    model.mechanisms.turkish_front.redeploy(0.0)
    assert sdf.reserve_north == 0 and sdf.reserve == total - model.units.strength[0]


@pytest.mark.parametrize("seed", range(5))
def test_the_turkish_front_takes_its_share_of_the_men_not_of_the_units(tmp_path: Path, seed: int) -> None:
    """Five full units and five detachments of five men: a share of 0.2 sends about a fifth of the men."""
    m = tiny_model(tmp_path, seed=seed, sdf_fighters_region=1000)
    u = m.units
    assert len(u) == 10
    u.strength[:] = [100] * 5 + [5] * 5
    out = m.mechanisms.turkish_front.redeploy(0.2)
    north = int(u.strength[~u.active].sum())
    assert out["men_north"] == north
    assert abs(north - 0.2 * 525) <= 50  # whole units: within half the largest unit of the share


def test_prison_dead_weaken_the_unit_and_frighten_its_village(tmp_path: Path) -> None:
    """The prison attack's SDF dead come off the nearest unit and, at the month end, raise fear there."""
    m = tiny_model(tmp_path, is_money_initial_usd=1_000_000.0, prison_attackers_min=1,
                   prison_attack_share_of_fighters=0.5, prison_guards=0, prison_sdf_dead_per_is_dead=5.0,
                   prison_attackers_killed_share=1.0)
    m.run_for(1)
    out = m.mechanisms.prison.attack()
    assert out["sdf_killed"] > 0 and m.units.strength[0] == 100 - min(out["sdf_killed"], 100)
    at = m.world.index.nearest(*m.mechanisms.prison.xy)
    fear = m.villages.fear[at]
    m.mechanisms.sdf_recruitment.month_end()
    assert m.villages.fear[at] > fear
