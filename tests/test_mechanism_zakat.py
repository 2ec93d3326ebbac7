"""Zakat on the tiny world and the real map: the trader's choice, what a demand's size does, and oil."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from tiny_world import tiny_model

import sim
from sim.agents.is_cell import ROLE
from sim.agents.trader import EXILED
from sim.mechanisms import Visits
from sim.mechanisms.zakat import EXILE, NEGOTIATED, PAID, REFUSED, expected_take

WEALTH = 50_000.0


@pytest.fixture
def model(tmp_path: Path) -> sim.InsurgencyModel:
    m = tiny_model(tmp_path)
    m.villages.guard[:] = 0.0
    return m


def _east(m: sim.InsurgencyModel) -> tuple[int, int]:
    """Easttown's row and its first trader."""
    east = m.village_index["Easttown"]
    return east, int(np.nonzero(m.traders.village == east)[0][0])


def _outcomes(m: sim.InsurgencyModel, pressure: float, n: int = 400) -> tuple[dict[str, float], list[tuple]]:
    """Shares of the four answers to ``n`` demands in Easttown at a given IS pressure, and what each paid."""
    v, t = m.villages, m.traders
    east, k = _east(m)
    counts = dict.fromkeys((PAID, NEGOTIATED, REFUSED, EXILE), 0)
    paid = []
    for _ in range(n):
        v.influence[east] = v.fear[east] = pressure
        t.status[k], t.wealth[k], t.zakat_paid[k] = 0, WEALTH, 0.0
        outcome = m.mechanisms.zakat.demand(0, east, k)
        counts[outcome] += 1
        paid.append((outcome, t.zakat_paid[k]))
    return {o: c / n for o, c in counts.items()}, paid


def test_all_four_answers_happen_and_pressure_makes_traders_pay(model: sim.InsurgencyModel) -> None:
    low, _ = _outcomes(model, 0.05)
    high, _ = _outcomes(model, 0.6)
    assert all(share > 0 for share in high.values()), high
    assert high[PAID] + high[NEGOTIATED] > low[PAID] + low[NEGOTIATED] + 0.2
    assert high[REFUSED] < low[REFUSED]


def test_a_larger_demand_brings_more_bargaining_refusal_and_exile(model: sim.InsurgencyModel) -> None:
    """Item J: the same trader, asked for more, pays less often (EUI fn 24)."""
    z, p = model.mechanisms.zakat, model.p
    east, _ = _east(model)
    model.villages.influence[east] = model.villages.fear[east] = 0.3
    wealth = np.array([WEALTH])
    answers = {}
    for share in (0.05, 0.1, 0.2):
        p.zakat_share_of_wealth = share
        answers[share] = z.choice(np.array([east]), wealth, z.demand_amount(wealth))
    small, mid, large = answers[0.05], answers[0.1], answers[0.2]
    assert small.pay[0] > mid.pay[0] > large.pay[0]
    assert small.exile[0] < mid.exile[0] < large.exile[0]
    assert small.refuse[0] < mid.refuse[0] < large.refuse[0]
    assert small.negotiate[0] < mid.negotiate[0] < large.negotiate[0]


def test_sdf_presence_makes_refusing_safer(model: sim.InsurgencyModel) -> None:
    z = model.mechanisms.zakat
    east, _ = _east(model)
    model.villages.influence[east] = model.villages.fear[east] = 0.3
    wealth = np.array([WEALTH])
    unguarded = z.choice(np.array([east]), wealth, z.demand_amount(wealth))
    model.villages.guard[east] = 0.8
    guarded = z.choice(np.array([east]), wealth, z.demand_amount(wealth))
    assert guarded.punish[0] < unguarded.punish[0] and guarded.refuse[0] > unguarded.refuse[0]


def test_the_demand_is_clipped_and_a_bargain_pays_the_discount(model: sim.InsurgencyModel) -> None:
    z, p = model.mechanisms.zakat, model.p
    asked = z.demand_amount(np.array([1_000.0, WEALTH, 10_000_000.0]))
    assert asked.tolist() == [p.zakat_min_usd, 0.1 * WEALTH, p.zakat_max_usd]
    shares, paid = _outcomes(model, 0.3)
    assert shares[NEGOTIATED] > 0 and shares[PAID] > 0
    for outcome, amount in paid:
        expected = {PAID: 5_000.0, NEGOTIATED: 5_000.0 * (1 - p.zakat_negotiated_discount)}.get(outcome, 0.0)
        assert amount == pytest.approx(expected), outcome


def test_refusal_brings_retaliation_and_exile_takes_the_trader_away(model: sim.InsurgencyModel) -> None:
    p, t, v = model.p, model.traders, model.villages
    east, k = _east(model)
    v.influence[east] = v.fear[east] = 1.0
    # a threat that is certain but costs little: refusing is the cheap answer, and IS carries it out
    p.retaliation_prob, p.retaliation_loss_share, p.exile_cost_share, p.trader_choice_noise = 1.0, 0.001, 1.0, 0.05
    assert model.mechanisms.zakat.demand(0, east, k) == REFUSED
    assert t.losses[k] == pytest.approx(WEALTH * 0.001)
    # leaving costs little, refusing a lot
    p.retaliation_loss_share, p.exile_cost_share = 1.0, 0.02
    assert model.mechanisms.zakat.demand(0, east, k + 1) == EXILE
    assert t.status[k + 1] == EXILED


def test_zakat_needs_a_foothold_and_due_traders(model: sim.InsurgencyModel) -> None:
    east, _ = _east(model)
    model.cells.role[0] = ROLE["zakat"]
    visit = Visits(np.zeros(1, int), np.array([east]))
    model.villages.influence[east] = 0.0
    model.mechanisms.zakat.night(visit)
    assert model.accounts.totals["zakat_demands"] == 0
    assert expected_take(model)[east] == 0.0
    model.villages.influence[east] = 0.5
    model.traders.next_demand[:] = 0
    assert expected_take(model)[east] > 0
    model.mechanisms.zakat.night(visit)
    assert model.accounts.totals["zakat_demands"] == model.p.zakat_demands_per_night
    model.mechanisms.zakat.night(visit)  # the same traders are not due again
    assert model.accounts.totals["zakat_demands"] == 2 * model.p.zakat_demands_per_night


def test_expected_take_is_the_sum_of_what_due_traders_are_expected_to_pay(model: sim.InsurgencyModel) -> None:
    z, p, t = model.mechanisms.zakat, model.p, model.traders
    east, _ = _east(model)
    model.villages.influence[east] = model.villages.fear[east] = 0.3
    t.next_demand[:] = 0
    mine = np.flatnonzero((t.village == east) & (t.wealth >= p.zakat_trader_min_wealth_usd))
    amount = z.demand_amount(t.wealth[mine])
    c = z.choice(np.full(len(mine), east), t.wealth[mine], amount)
    saved = c.negotiate * p.zakat_negotiate_success * p.zakat_negotiated_discount
    assert expected_take(model)[east] == pytest.approx(float((amount * c.pay * (1 - saved)).sum()))
    assert expected_take(model)[east] < amount.sum()


# ----------------------------------------------------------------------------------------- oil
def _traders(**parameters: object) -> tuple[sim.InsurgencyModel, np.ndarray]:
    m = sim.InsurgencyModel(sim.load_scenario("baseline", months=1), rng=5, **parameters)
    return m, np.bincount(m.traders.village, minlength=len(m.villages))


def test_oil_villages_have_more_and_richer_traders() -> None:
    """Item H: smugglers and well operators in the triangle's oil villages (EUI s.2, fn 24)."""
    on, count_on = _traders()
    off, count_off = _traders(oil_economy_enabled=False)
    oil = on.villages.oil & on.villages.sdf_held
    assert oil.sum() >= 2
    assert (count_on[oil] == count_off[oil] + int(on.p.oil_traders_per_village)).all()
    assert (count_on[~oil] == count_off[~oil]).all()
    in_oil = oil[on.traders.village]
    # twice the wealth on lognormal draws of a few hundred traders: the medians differ well beyond noise
    assert np.median(on.traders.wealth[in_oil]) > 1.5 * np.median(on.traders.wealth[~in_oil])
    off_in_oil = oil[off.traders.village]
    assert np.median(off.traders.wealth[off_in_oil]) < 1.5 * np.median(off.traders.wealth[~off_in_oil])
