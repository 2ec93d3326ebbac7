"""Where cells hide: the Badia, shepherd camps, villages of the eastern strip, or Iraq.

The Badia is IS's sanctuary and training ground, with easy access to the Iraqi border and the
NES front lines (EUI 2022, s.3, fn 40); IS is becoming small groups embedded in shepherd
communities (fn 26); militants cross to Iraq easily, and escapees went to Iraq or the Badia
(fn 40-41). Each month an exposed cell in SDF land flees to the Badia or across to Iraq, and a
Badia cell may move into an eastern village where IS's influence makes hiding safe.
"""

from __future__ import annotations

import numpy as np

from sim.agents.is_cell import ROLE
from sim.mechanisms.base import Mechanism
from sim.world.names import BADIA, REGIME, SDF
from sim.world.space import chebyshev


class CellBases(Mechanism):
    """Each month exposed cells in SDF land flee; Badia cells may embed where villages are safe."""

    name = "cell_bases"
    switch = "cell_bases_enabled"
    params = ("cell_bases_enabled", "embed_min_influence", "embed_prob")
    reads = ("night_range_cells",)

    def month_end(self) -> None:
        """Relocate exposed cells and embed cells where villages are safe."""
        m = self.model
        p, c, v = m.p, m.cells, m.villages
        alive = np.nonzero(c.alive)[0]
        if not len(alive):
            return
        holder = m.geography.holder[c.base_x[alive], c.base_y[alive]]
        for row in alive[(holder == SDF) & (c.exposure[alive] > 0.5)]:
            self.move(int(row), *m.world.hideouts.pick(BADIA))
        safe = np.nonzero(v.sdf_held & (v.influence >= p.embed_min_influence))[0]
        if not len(safe):
            return
        badia = alive[(holder == REGIME) & (c.role[alive] != ROLE["car_bombs"])]
        for row in badia[m.rng.random(len(badia)) < p.embed_prob]:
            close = safe[chebyshev(v.x[safe], v.y[safe], c.base_x[row], c.base_y[row]) <= p.night_range_cells]
            if len(close):
                i = close[m.rng.integers(len(close))]
                self.move(int(row), int(v.x[i]), int(v.y[i]))

    def move(self, row: int, x: int, y: int) -> None:
        """Move a cell's hideout (and the cell, and its Mesa agent) to (x, y); the move hides it."""
        c = self.model.cells
        c.base_x[row], c.base_y[row] = x, y
        c.x[row], c.y[row] = x, y
        c.exposure[row] = 0.0
        self.model.place_cell_agents(np.array([row]))
