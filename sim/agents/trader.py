"""Traders: the merchants of the valley markets whom IS asks for zakat (protection money).

A trader asked for zakat pays, negotiates (sometimes successfully), refuses and suffers
retaliation against his office or store, or leaves for exile further north (EUI 2022, s.2 and
fn 24); he weighs the expected cost of each (:mod:`sim.mechanisms.zakat`). Traders of the oil
villages are more numerous and richer (:mod:`sim.world.initial`). Exiled traders keep their
wealth: it leaves the region with them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from mesa.discrete_space import CellAgent

from sim.agents.base import Column, RowAgent, Table

TRADER_STATUS: tuple[str, ...] = ("active", "exiled")
ACTIVE, EXILED = 0, 1


@dataclass
class TraderTable(Table):
    """Column store for traders."""

    village: np.ndarray  # row of the market village
    wealth: np.ndarray  # USD
    income: np.ndarray  # USD a day in a secure market
    status: np.ndarray  # index into TRADER_STATUS
    next_demand: np.ndarray  # first day on which IS may ask this trader again
    zakat_paid: np.ndarray  # USD paid to IS so far
    losses: np.ndarray  # USD destroyed in retaliation so far

    @property
    def active(self) -> np.ndarray:
        """Boolean mask of traders still trading in the region."""
        return self.status == ACTIVE


class Trader(RowAgent, CellAgent):
    """A merchant in a market village. State lives in ``model.traders``."""

    table_name = "traders"

    wealth = Column()
    income = Column()
    zakat_paid = Column()
    losses = Column()

    @property
    def status(self) -> str:
        """``active`` or ``exiled``."""
        return TRADER_STATUS[self.table.status[self.row]]

    @property
    def village(self):
        """The market village this trader works in."""
        return self.model.village_agents[self.table.village[self.row]]

    def __repr__(self) -> str:
        return f"Trader(wealth={self.wealth:.0f}, status={self.status})"
