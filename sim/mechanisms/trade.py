"""Trade in the valley markets: traders' income and spending.

The triangle of al-Zir, Dhiban and al-Buseyrah holds the economic circuits, smuggling and oil
wells; the north-east strip lacks economic resources (EUI 2022, s.2). A market's traders earn in
proportion to their means, less when fear is high; they spend a share of their wealth, so that
without shocks wealth stays near its starting level.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.model import InsurgencyModel


def day(model: InsurgencyModel) -> None:
    """One day of trade for every active trader."""
    p, t, v = model.p, model.traders, model.villages
    if len(t) == 0:
        return
    active = t.status == 0
    earned = t.income * (1.0 - p.fear_trade_penalty * v.fear[t.village]) * active
    spent = t.wealth * p.trader_daily_return * active
    t.wealth += earned - spent
    model.accounts.money["trade_income"] += float(earned.sum())
    model.accounts.money["consumption"] += float(spent.sum())
