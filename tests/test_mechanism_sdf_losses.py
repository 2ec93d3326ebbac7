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
