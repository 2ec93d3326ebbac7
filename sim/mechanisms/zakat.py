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

from sim.agents.trader import ACTIVE, EXILED
from sim.agents.village import CRITERION
from sim.mechanisms.base import Mechanism

if TYPE_CHECKING:
    from sim.mechanisms.night_movement import Visits
    from sim.model import InsurgencyModel

# what became of a demand
PAID, NEGOTIATED, REFUSED, EXILE = "paid", "negotiated", "refused", "exiled"


class Zakat(Mechanism):
    """Zakat cells ask the traders of their target market who are due."""

    name = "zakat"
    switch = "zakat_enabled"
    params = ("zakat_enabled", "zakat_min_usd", "zakat_max_usd", "zakat_share_of_wealth",
              "zakat_trader_min_wealth_usd", "zakat_interval_days", "zakat_min_influence", "zakat_demands_per_night",
              "zakat_exile_prob", "zakat_refuse_prob", "zakat_negotiate_prob", "zakat_negotiate_success",
              "zakat_negotiated_discount", "retaliation_prob", "retaliation_loss_share", "fear_per_retaliation",
              "influence_per_zakat")

    def __init__(self, model: InsurgencyModel) -> None:
        super().__init__(model)
        # traders grouped by market: they never change market and none are added mid-run
        t = model.traders
        self.trader_order = np.argsort(t.village, kind="stable")
        self.market_starts = np.searchsorted(t.village[self.trader_order], np.arange(len(model.villages) + 1))

    def demand_amount(self, wealth: np.ndarray) -> np.ndarray:
        """What IS asks: a share of wealth, never below the floor nor above the ceiling (fn 24)."""
        p = self.model.p
        return np.clip(p.zakat_share_of_wealth * wealth, p.zakat_min_usd, max(p.zakat_min_usd, p.zakat_max_usd))

    def night(self, visits: Visits) -> None:
        """Tonight's demands."""
        m = self.model
        p, v, t = m.p, m.villages, m.traders
        if len(t) == 0:
            return
        mine = visits.of_role(m, "zakat")
        # only markets with traders, where IS has enough influence, can be asked (checked for all at once)
        starts = self.market_starts
        asked = (v.influence[mine.villages] >= p.zakat_min_influence) & (
            starts[mine.villages + 1] > starts[mine.villages])
        for cell, vil in zip(mine.cells[asked].tolist(), mine.villages[asked].tolist(), strict=True):
            market = self.trader_order[self.market_starts[vil]: self.market_starts[vil + 1]]
            due = market[(t.status[market] == ACTIVE) & (t.next_demand[market] <= m.day)
                         & (t.wealth[market] >= p.zakat_trader_min_wealth_usd)]
            if len(due) == 0:
                continue
            for k in m.rng.permutation(due)[: int(p.zakat_demands_per_night)]:
                self.demand(cell, vil, int(k))

    def demand(self, cell: int, vil: int, k: int) -> str:
        """Cell ``cell`` asks trader ``k`` of village ``vil``; returns what came of it (PAID, ...)."""
        m = self.model
        p, v, t, rng, acc = m.p, m.villages, m.traders, m.rng, m.accounts
        acc.incident("zakat_demands", village=vil)
        t.next_demand[k] = m.day + int(p.zakat_interval_days)
        amount = float(self.demand_amount(t.wealth[k: k + 1])[0])
        pressure = 0.5 * (v.influence[vil] + v.fear[vil])
        p_exile = p.zakat_exile_prob * (1.0 - pressure)
        p_refuse = p.zakat_refuse_prob * (1.0 - pressure) * (0.5 + v.trust[vil])
        u = rng.random()
        if u < p_exile:
            t.status[k] = EXILED
            acc.money["exiled_wealth"] += float(t.wealth[k])
            acc.incident("exiles", village=vil)
            return EXILE
        if u < p_exile + p_refuse:
            if rng.random() < p.retaliation_prob:
                loss = float(t.wealth[k] * p.retaliation_loss_share)
                t.wealth[k] -= loss
                t.losses[k] += loss
                acc.money["destroyed"] += loss
                acc.incident("retaliations", village=vil)
                v.fear[vil] = min(1.0, v.fear[vil] + p.fear_per_retaliation)
            return REFUSED
        outcome = PAID
        if rng.random() < p.zakat_negotiate_prob and rng.random() < p.zakat_negotiate_success:
            amount *= 1.0 - p.zakat_negotiated_discount
            outcome = NEGOTIATED
        amount = min(amount, float(t.wealth[k]))
        t.wealth[k] -= amount
        t.zakat_paid[k] += amount
        m.cells.money[cell] += amount
        acc.money["zakat"] += amount
        acc.incident("zakat_payments", village=vil)
        m.zakat_by_village[vil] += amount
        v.influence[vil] = min(1.0, v.influence[vil] + p.influence_per_zakat)
        v.criteria[vil, CRITERION["zakat"]] += 1
        return outcome
