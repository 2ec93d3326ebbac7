"""The post-Baghouz exodus: part of IS's strength in 2019 was passing through, on its way out.

Sources. In the weeks before Baghouz fell, hundreds of militants got out, many paying smugglers
large sums for safe passage across the Iraqi border or into the government's areas; hundreds
crossed into Iraq despite a reinforced Iraqi army, and several thousand more were thought to be
hiding in remote areas there (WP 2019). By 2022 IS had about 1,000 active fighters across Syria
and Iraq (EUI 2022, fn 23; ``is_fighters_total``), so the model starts stronger by
``is_fighters_2019_factor`` (WP 2019). Neither source says how the surplus of 2019 went: the
raids took some (:mod:`raids`), and this mechanism lets the rest leave as the sources describe,
instead of leaving the SDF's raids to wear all of it down.

Rule (our reading; the time is an assumption). On day one a share 1 - 1/``is_fighters_2019_factor``
of the cells based outside the Badia (their surplus over the 2022 strength: half of them at a
factor of two, none at one; the Badia's cells, where the fighters were heading, all stay) are in
transit. Until they leave they act as any cell does (they strike,
tax, can be raided). At each month end each cell still in transit leaves the map with chance
1 - exp(-1/``exodus_months``), ``exodus_months`` being the mean time it stays: its fighters go to
Iraq or beyond the map (booked as ``fighters_left``), its local supporters melt back into the
population. Cells formed later are never in transit. Switched off, no cell is in transit and no
random number is drawn: the model before this mechanism, draw for draw. The cells in transit are
chosen on day one only, so switching the mechanism on by a later event does nothing; switching it
off stops the departures (and ``fighters_in_transit`` then reports none).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from sim.mechanisms.base import Mechanism
from sim.world.names import REGIME

if TYPE_CHECKING:
    from sim.model import InsurgencyModel


class Exodus(Mechanism):
    """Day-one cells outside the Badia that are passing through, and their monthly departure."""

    name = "exodus"
    switch = "exodus_enabled"
    params = ("exodus_enabled", "exodus_months")
    reads = ("is_fighters_2019_factor",)

    def __init__(self, model: InsurgencyModel) -> None:
        super().__init__(model)
        self.in_transit = np.zeros(0, np.int64)  # rows of the cells still passing through
        c = model.cells
        share = 1.0 - 1.0 / max(1.0, model.p.is_fighters_2019_factor)
        if not self.enabled or not len(c) or share <= 0:
            return  # no draw: with the switch off the run is the earlier model exactly
        outside_badia = np.flatnonzero((model.geography.holder[c.base_x, c.base_y] != REGIME) & c.alive)
        chosen = model.rng.random(len(outside_badia)) < share
        self.in_transit = outside_badia[chosen]

    def month_end(self) -> None:
        """Each cell still in transit leaves the map with chance 1 - exp(-1/``exodus_months``)."""
        m = self.model
        c = m.cells
        rows = self.in_transit[c.alive[self.in_transit]]
        if not len(rows):
            self.in_transit = rows
            return
        leave = m.rng.random(len(rows)) < 1.0 - math.exp(-1.0 / max(m.p.exodus_months, 1e-9))
        for row in rows[leave].tolist():
            m.accounts.people["fighters_left"] += int(c.fighters[row])
            m.accounts.people["supporters_dispersed"] += int(c.supporters[row])
            c.fighters[row] = 0
            c.supporters[row] = 0
            m.remove_cell(row)
        self.in_transit = rows[~leave]

    def fighters_in_transit(self) -> int:
        """Fighters of the cells still passing through (none while the mechanism is off)."""
        if not self.enabled:
            return 0
        c = self.model.cells
        rows = self.in_transit[c.alive[self.in_transit]]
        return int(c.fighters[rows].sum())
