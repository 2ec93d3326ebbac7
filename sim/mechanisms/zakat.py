"""Zakat: protection money demanded from traders.

In south-eastern Deir ez-Zor every trader of some size in the al-Buseyrah, Dhiban and Hajin
districts pays; the al-Zir - Dhiban - al-Buseyrah triangle, with its trade, smuggling and oil
wells, is the heart of the racket, while the north-east strip to al-Suwar pays little for lack of
resources (EUI 2022, s.2). Between Dhiban and Jurdi a demand is never under USD 1,000 and can
reach 7,000 to 10,000; some traders negotiate, sometimes with success; those who refuse see
their stores or offices destroyed; others go into exile further north (fn 24).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.agents.trader import EXILED
from sim.agents.village import CRITERION

if TYPE_CHECKING:
    from sim.mechanisms.night_movement import Visits
    from sim.model import InsurgencyModel


def demand_amount(model: InsurgencyModel, wealth: np.ndarray) -> np.ndarray:
    """What IS asks: a share of wealth, never below the floor nor above the ceiling (fn 24)."""
    p = model.p
    return np.clip(p.zakat_share_of_wealth * wealth, p.zakat_min_usd, p.zakat_max_usd)


def night(model: InsurgencyModel, visits: Visits) -> None:
    """Zakat cells ask traders of their target market who are due."""
    p, v, t = model.p, model.villages, model.traders
    if not p.zakat_enabled or len(t) == 0:
        return
    mine = visits.of_role(model, "zakat")
    by_village = _traders_by_village(model)
    for cell, vil in zip(mine.cells, mine.villages, strict=True):
        if v.influence[vil] < p.zakat_min_influence:
            continue
        # performance: only this market's traders (ascending rows, as np.nonzero over all gave)
        mine_t = by_village[1][by_village[0][vil]: by_village[0][vil + 1]]
        due = mine_t[(t.status[mine_t] == 0) & (t.next_demand[mine_t] <= model.day)
                     & (t.wealth[mine_t] >= p.zakat_trader_min_wealth_usd)]
        if len(due) == 0:
            continue
        asked = model.rng.permutation(due)[: int(p.zakat_demands_per_night)]
        for k in asked:
            _demand(model, int(cell), int(vil), int(k))


def _traders_by_village(model: InsurgencyModel) -> tuple[np.ndarray, np.ndarray]:
    """(start offsets per village, trader rows sorted by village then row): traders grouped by market.

    Traders never change market and none are added mid-run, so this is built once per model.
    """
    t = model.traders
    cached = getattr(model, "_traders_by_village_cache", None)
    if cached is None or len(cached[1]) != len(t):
        order = np.argsort(t.village, kind="stable")
        starts = np.searchsorted(t.village[order], np.arange(len(model.villages) + 1))
        cached = (starts, order)
        model._traders_by_village_cache = cached
    return cached


def _demand(model: InsurgencyModel, cell: int, vil: int, k: int) -> None:
    p, v, t, rng = model.p, model.villages, model.traders, model.rng
    acc = model.accounts
    acc.incident("zakat_demands")
    t.next_demand[k] = model.day + int(p.zakat_interval_days)
    amount = float(demand_amount(model, t.wealth[k : k + 1])[0])
    pressure = 0.5 * (v.influence[vil] + v.fear[vil])
    p_exile = p.zakat_exile_prob * (1.0 - pressure)
    p_refuse = p.zakat_refuse_prob * (1.0 - pressure) * (0.5 + v.trust[vil])
    u = rng.random()
    if u < p_exile:
        t.status[k] = EXILED
        acc.money["exiled_wealth"] += float(t.wealth[k])
        acc.incident("exiles")
        return
    if u < p_exile + p_refuse:
        if rng.random() < p.retaliation_prob:
            loss = float(t.wealth[k] * p.retaliation_loss_share)
            t.wealth[k] -= loss
            t.losses[k] += loss
            acc.money["destroyed"] += loss
            acc.incident("retaliations")
            v.fear[vil] = min(1.0, v.fear[vil] + p.fear_per_retaliation)
        return
    if rng.random() < p.zakat_negotiate_prob and rng.random() < p.zakat_negotiate_success:
        amount *= 1.0 - p.zakat_negotiated_discount
    amount = min(amount, float(t.wealth[k]))
    t.wealth[k] -= amount
    t.zakat_paid[k] += amount
    model.cells.money[cell] += amount
    acc.money["zakat"] += amount
    acc.incident("zakat_payments")
    model.zakat_by_village[vil] += amount
    v.influence[vil] = min(1.0, v.influence[vil] + p.influence_per_zakat)
    v.criteria[vil, CRITERION["zakat"]] += 1
