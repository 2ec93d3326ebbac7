"""Trade in the valley markets: traders' income and spending.

The triangle of al-Zir, Dhiban and al-Buseyrah holds the economic circuits, smuggling and oil
wells; the north-east strip lacks economic resources (EUI 2022, s.2). A market's traders earn in
proportion to their means, less when fear is high; they spend a share of their wealth, so that
without shocks wealth stays near its starting level.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.accounts import MONEY, book, row_of
from sim.agents.trader import ACTIVE
from sim.compiled import kernel, pairwise_sum
from sim.kernel_state import KernelState, kernel_state
from sim.mechanisms.base import Mechanism

if TYPE_CHECKING:
    from sim.model import InsurgencyModel


_TRADE_INCOME, _CONSUMPTION = row_of(MONEY, "trade_income"), row_of(MONEY, "consumption")


@kernel
def trade_day(status: np.ndarray, income: np.ndarray, wealth: np.ndarray, market: np.ndarray, fear: np.ndarray,
              penalty: float, daily_return: float, money: np.ndarray, booked: np.ndarray) -> None:
    """One day of trade: each active trader earns his income x (1 - ``penalty`` x his market's fear)
    and spends ``daily_return`` of his wealth (``wealth`` updated); the day's earnings and spending,
    each summed as numpy sums, booked as trade income and consumption (``money`` and ``booked``: the
    money book's arrays, ``Accounts.money``)."""
    n = len(status)
    earned, spent = np.empty(n), np.empty(n)
    for k in range(n):
        active = 1.0 if status[k] == ACTIVE else 0.0
        earned[k] = income[k] * (1.0 - penalty * fear[market[k]]) * active
        spent[k] = wealth[k] * daily_return * active
        wealth[k] += earned[k] - spent[k]
    book(money, booked, _TRADE_INCOME, pairwise_sum(earned))
    book(money, booked, _CONSUMPTION, pairwise_sum(spent))


@kernel
def trade_today(state: KernelState, rates: tuple) -> None:
    """:meth:`Trade.day`: :func:`trade_day` of the traders of the kernels' ``state`` (``rates``:
    :meth:`Trade.day_inputs`)."""
    penalty, daily_return = rates
    trade_day(state.t_status, state.t_income, state.t_wealth, state.t_market, state.v_fear, penalty, daily_return,
              state.money, state.money_booked)


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
        if not len(self.market):  # no traders (the table never grows)
            return
        trade_today(kernel_state(m), self.day_inputs())

    def day_inputs(self) -> tuple[float, float]:
        """What :func:`trade_today` reads besides the kernels' state."""
        p = self.model.p
        return self.kept("day", lambda: (float(p.fear_trade_penalty), float(p.trader_daily_return)))
