"""Remittance: each month the cells hand what they collected to IS's central treasury.

The brief finds IS still a centralised organisation after 2019, coordinating at the regional
level (EUI 2022, s.1), and the zakat the cells extort is one of its incomes (s.2, fn 24). What
the cells took during the month (zakat, see ``zakat``) therefore reaches the treasury at month
end, where the organisation's spending reads it: recruits (``recruitment``), weapons sent north
(``supply_lines``) and a prison attack (``prison``). It has no switch of its own: turning
recruitment off for an ablation must not also cut the treasury off from its income.
"""

from __future__ import annotations

from sim.mechanisms.base import Mechanism


class Remittance(Mechanism):
    """At month end the cells' takings go to the treasury."""

    name = "remittance"

    def month_end(self) -> None:
        """Every cell's money to the treasury (a raid that dismantles a cell seizes what it held: ``raids``)."""
        c = self.model.cells
        self.model.treasury += float(c.money.sum())
        c.money[:] = 0.0
