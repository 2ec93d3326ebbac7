"""Trade in the valley markets: traders' income and spending.

The triangle of al-Zir, Dhiban and al-Buseyrah holds the economic circuits, smuggling and oil
wells; the north-east strip lacks economic resources (EUI 2022, s.2). A market's traders earn in
proportion to their means, less when fear is high; they spend a share of their wealth, so that
without shocks wealth stays near its starting level.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.agents.trader import ACTIVE
from sim.mechanisms.base import Mechanism

if TYPE_CHECKING:
    from sim.model import InsurgencyModel


class Trade(Mechanism):
    """One day of trade for every active trader."""

    name = "trade"
    switch = "trade_enabled"
    params = ("trade_enabled", "trader_daily_return", "fear_trade_penalty")

    def __init__(self, model: InsurgencyModel) -> None:
        super().__init__(model)
        # each trader's market in numpy's index type (gathers through the int32 column are several
        # times slower); traders never change market
        self.market = model.traders.village.astype(np.intp)

    def day(self) -> None:
        """Traders earn (less under fear) and spend a share of their wealth."""
        m = self.model
        p, t, v = m.p, m.traders, m.villages
        if len(t) == 0:
            return
        active = t.status == ACTIVE
        earned = t.income * (1.0 - p.fear_trade_penalty * v.fear)[self.market] * active
        spent = t.wealth * p.trader_daily_return * active
        t.wealth += earned - spent
        m.accounts.money["trade_income"] += float(earned.sum())
        m.accounts.money["consumption"] += float(spent.sum())
