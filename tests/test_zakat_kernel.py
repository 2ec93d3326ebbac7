"""The zakat and strongholds shortcuts (issue 15) give what the plain computation gives, and follow their inputs.

Each kept or regrouped answer is compared, exactly, with the numpy code it replaced, before and after
its inputs change in place.
"""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.agents.village import WEAK_ADMINISTRATION
from sim.mechanisms.zakat import collection_pull, expected_take, expected_takes


@pytest.fixture
def model() -> sim.InsurgencyModel:
    m = sim.InsurgencyModel(sim.load_scenario("baseline", months=3), rng=5, collect_daily=False)
    m.run_for(20)
    return m


def _plain_take(m: sim.InsurgencyModel) -> np.ndarray:
    """The expected take as computed before the shortcut: the threats, then the take, by two kernels."""
    p, t, v, zakat = m.p, m.traders, m.villages, m.mechanisms.zakat
    rule = zakat.rule()
    return expected_takes(t.status, t.next_demand, t.wealth, zakat.market, m.day, float(p.zakat_trader_min_wealth_usd),
                          v.influence, float(p.zakat_min_influence), zakat.threats(rule), rule)


def test_expected_take_and_pull_are_the_plain_ones_and_follow_the_parameters(model: sim.InsurgencyModel) -> None:
    m, p, v = model, model.p, model.villages
    m.traders.next_demand[:] = 0
    v.influence[:] = np.linspace(0.0, 1.0, len(v))
    for _ in range(2):  # the rule kept from the first ask must follow a parameter changed in between
        assert (_plain_take(m) > 0).any()
        assert np.array_equal(expected_take(m), _plain_take(m))
        assert np.array_equal(collection_pull(m), _plain_take(m) / p.zakat_max_usd)
        p.zakat_share_of_wealth *= 2.0
        p.retaliation_prob /= 2.0
    p.zakat_max_usd = 0.0
    assert np.array_equal(collection_pull(m), np.zeros(len(v)))


def test_criteria_and_score_are_the_plain_ones(model: sim.InsurgencyModel) -> None:
    v, p = model.villages, model.p
    rng = np.random.default_rng(3)
    v.criteria[:] = rng.integers(0, 6, v.criteria.shape)
    v.has_council[::3] = False
    v.has_chairman[::5] = False
    threshold = p.stronghold_criterion_count
    plain = v.criteria >= threshold
    plain[:, WEAK_ADMINISTRATION] = ~(v.has_council & v.has_chairman)
    assert np.array_equal(v.criteria_present(threshold), plain)
    assert np.array_equal(v.criteria_met(threshold), plain.sum(axis=1))
    assert np.array_equal(v.stronghold_score(threshold), plain.mean(axis=1))


def test_strongholds_follow_the_administration_and_the_parameters(model: sim.InsurgencyModel) -> None:
    p, v, strongholds = model.p, model.villages, model.mechanisms.strongholds

    def plain() -> np.ndarray:
        return v.criteria_present(p.stronghold_criterion_count).sum(axis=1) >= p.stronghold_min_criteria

    i = int(np.flatnonzero(v.sdf_held)[0])
    v.has_council[i] = v.has_chairman[i] = True
    v.criteria[i] = 0.0
    v.criteria[i, :p.stronghold_min_criteria - 1] = 10.0  # one criterion short
    assert np.array_equal(strongholds.strongholds(), plain()) and not strongholds.strongholds()[i]
    v.has_chairman[i] = False  # weak administration: the missing criterion
    assert np.array_equal(strongholds.strongholds(), plain()) and strongholds.strongholds()[i]
    p.stronghold_min_criteria += 1
    assert np.array_equal(strongholds.strongholds(), plain()) and not strongholds.strongholds()[i]
    with pytest.raises(ValueError):  # shared: nobody may write into it
        strongholds.strongholds()[i] = True
