"""Month-end mechanisms and the modifiers on the tiny world."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from tiny_world import tiny_model

import sim
from sim import modifiers
from sim.agents.village import CRITERION
from sim.world.names import REGIME, SDF


@pytest.fixture
def model(tmp_path: Path) -> sim.InsurgencyModel:
    return tiny_model(tmp_path)


def test_councils_refill_where_people_are_willing(model: sim.InsurgencyModel) -> None:
    v, p = model.villages, model.p
    held = v.sdf_held
    v.has_council[held], v.has_chairman[held], v.officials[held] = True, False, 2
    v.pledged[held] = 0.5
    p.chairman_fill_prob = 1.0
    v.trust[:], v.fear[:], v.influence[:], v.tawba_pressure[:] = 1.0, 0.0, 0.0, 0.0
    model.mechanisms.councils.month_end()
    assert v.has_chairman[held].all()
    assert (v.officials[held] == 3).all() and v.pledged[held] == pytest.approx(0.5 * 2 / 3)  # newcomers swore nothing
    v.has_chairman[held] = False
    v.fear[:] = 1.0  # no one serves under full fear
    model.mechanisms.councils.month_end()
    assert not v.has_chairman[held].any()


def test_councils_form_where_there_are_none(model: sim.InsurgencyModel) -> None:
    v = model.villages
    v.has_council[:] = v.has_chairman[:] = False
    v.officials[:] = 0
    model.p.council_form_prob = 1.0
    v.trust[:], v.fear[:], v.influence[:], v.tawba_pressure[:] = 1.0, 0.0, 0.0, 0.0
    model.mechanisms.councils.month_end()
    assert (v.has_council == v.sdf_held).all()


def test_trust_relaxes_to_baseline_faster_under_community_policing(model: sim.InsurgencyModel) -> None:
    v = model.villages
    v.has_council[:] = v.has_chairman[:] = False
    model.units.local[:] = True
    v.trust[:] = 0.0
    model.mechanisms.trust.month_end()
    conventional = v.trust.copy()
    assert conventional == pytest.approx(model.p.trust_relaxation * v.trust_baseline)
    v.trust[:] = 0.0
    model.policy.policing = "community"
    model.mechanisms.trust.month_end()
    assert (v.trust > conventional).all()


def test_an_external_garrison_costs_trust(model: sim.InsurgencyModel) -> None:
    v, home = model.villages, int(model.units.home[0])
    v.trust[:] = v.trust_baseline
    v.has_council[:] = v.has_chairman[:] = False
    model.units.local[0] = False
    model.mechanisms.trust.month_end()
    assert v.trust[home] == pytest.approx(v.trust_baseline[home] - model.p.trust_loss_external)
    others = np.arange(len(v)) != home
    assert v.trust[others] == pytest.approx(v.trust_baseline[others])


def test_sdf_units_are_topped_up_locally_or_from_outside(model: sim.InsurgencyModel) -> None:
    u, v, p = model.units, model.villages, model.p
    home = int(u.home[0])
    u.local[0], u.strength[0] = True, 60
    p.sdf_monthly_replacement = 1.0
    v.trust[home], v.tawba_pressure[home], v.influence[home], v.fear[home] = 1.0, 0.0, 0.0, 0.0
    sdf = model.mechanisms.sdf_recruitment
    reserve = sdf.reserve
    sdf.month_end()
    assert u.strength[0] == 100 and len(u) == 1
    assert sdf.recruits == {"local": 40, "external": 0} and sdf.reserve == reserve
    u.strength[0] = 60
    v.tawba_pressure[home] = 1.0  # repentance: no local man joins any more
    sdf.month_end()
    assert len(u) == 2 and not u.local[1] and u.strength[1] == 40 and u.nominal[0] == 60
    assert sdf.recruits["external"] == 40 and sdf.reserve == reserve - 40
    assert len(model.unit_agents) == 2


def test_exposed_cells_flee_to_the_badia_and_badia_cells_embed(model: sim.InsurgencyModel) -> None:
    c, v, p = model.cells, model.villages, model.p
    east = model.village_index["Easttown"]
    model.mechanisms.cell_bases.move(0, int(v.x[east]), int(v.y[east]))
    c.exposure[0] = 1.0
    model.mechanisms.cell_bases.month_end()
    assert model.geography.holder[c.base_x[0], c.base_y[0]] == REGIME
    assert c.exposure[0] == 0 and model.cell_agents[0].cell.coordinate == model.cell_agents[0].base
    c.role[:] = 0
    v.influence[:] = 0.0
    v.influence[east] = 1.0
    p.embed_prob, p.night_range_cells = 1.0, 40
    p.supply_lines_enabled = False  # random embedding is what happens without movement cells doing it
    model.mechanisms.cell_bases.month_end()
    alive = np.nonzero(c.alive)[0]
    assert (model.geography.holder[c.base_x[alive], c.base_y[alive]] == SDF).all()
    assert (c.base_x[alive] == v.x[east]).all()


def test_recruitment_is_limited_by_the_treasury_and_books_every_recruit(model: sim.InsurgencyModel) -> None:
    v, p = model.villages, model.p
    v.influence[:], v.trust[:] = 1.0, 0.0
    p.recruitment_rate, p.recruit_cost_usd = 0.01, 1000.0
    model.treasury = 5_000.0
    before = v.criteria[:, CRITERION["recruitment"]].copy()
    model.mechanisms.recruitment.month_end()
    assert model.accounts.totals["recruits"] <= 5 and model.treasury >= 0
    people = model.accounts.people
    assert people["recruited_fighters"] + people["recruited_supporters"] == model.accounts.totals["recruits"]
    # booked village by village, where the recruitment criterion rose
    by_village = {i: n for (kind, i), n in model.accounts.totals_by_village.items() if kind == "recruits"}
    assert sorted(by_village) == np.flatnonzero(v.criteria[:, CRITERION["recruitment"]] > before).tolist()
    assert sum(by_village.values()) == model.accounts.totals["recruits"] > 0


def test_free_recruits_do_not_divide_by_zero(model: sim.InsurgencyModel) -> None:
    model.villages.influence[:], model.villages.trust[:] = 1.0, 0.0
    model.p.recruitment_rate, model.p.recruit_cost_usd = 0.001, 0.0
    model.mechanisms.recruitment.month_end()
    assert model.accounts.totals["recruits"] > 0


def test_stronghold_memories_fade(model: sim.InsurgencyModel) -> None:
    v = model.villages
    v.criteria[:] = 1.0
    model.mechanisms.strongholds.month_end()
    assert v.criteria == pytest.approx(model.p.criteria_monthly_decay)


def test_badia_escalation_follows_the_districts_the_coalition_left(model: sim.InsurgencyModel) -> None:
    """IS turns on the regime as the Coalition leaves (fn 63); the SDF side is a decision (strategic_patience)."""
    p, policy = model.p, model.policy
    assert modifiers.badia_escalation(model) == 1.0
    policy.withdraw_coalition(model.day, ["raqqa"])
    assert 1.0 < modifiers.badia_escalation(model) < p.badia_escalation_after_withdrawal
    policy.withdraw_coalition(model.day)
    assert modifiers.badia_escalation(model) == pytest.approx(p.badia_escalation_after_withdrawal)
    p.strategic_patience = False
    assert modifiers.badia_escalation(model) == 1.0
    policy.return_coalition()
    p.strategic_patience = True
    assert modifiers.badia_escalation(model) == 1.0


def test_capability_grows_over_the_learning_window(model: sim.InsurgencyModel) -> None:
    p = model.p
    assert modifiers.capability(model) == pytest.approx(p.capability_at_start)
    model.day = int(p.routine_learning_days) * 2
    assert modifiers.capability(model) == 1.0


def test_takings_reach_the_treasury_with_recruitment_off(model: sim.InsurgencyModel) -> None:
    """The month's zakat reaches the treasury whether or not IS recruits (an ablation must not cut its income)."""
    model.p.recruitment_enabled = False
    c = model.cells
    c.money[:] = 0.0
    c.money[:2] = 300.0, 200.0
    model.month_end()
    assert not c.money.any()  # remitted, not left with the cells for good
    model.p.recruitment_enabled = True
    c.money[0] = 50.0
    spent = model.accounts.money["is_spending"]
    treasury = model.treasury
    model.mechanisms.remittance.month_end()
    assert model.treasury == treasury + 50.0 and model.accounts.money["is_spending"] == spent
