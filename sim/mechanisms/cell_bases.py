"""Where cells hide: the Badia, shepherd camps, villages of the eastern strip, or across the border in Iraq.

Sources: the Badia is IS's sanctuary and training ground, close to the Iraqi border and to the
front lines with NES (EUI 2022, s.3, fn 40); IS is turning into small groups embedded in shepherd
communities (fn 26); captured Iraqi militants describe how easily fighters cross lines and
borders (fn 40), and the al-Sina'a escapees went either to Iraq or to the Syrian desert (fn 41);
the north-east strip matters to IS because the Iraqi border is there and tribes straddle it (s.2).

Each month:

* a cell based in SDF land whose exposure exceeds ``flee_exposure_threshold`` (a captured member
  may have named it) leaves: across the border to the nearest square held in Iraq when that lies
  within a night's reach (``night_range_cells``) of its hideout, otherwise to a Badia hideout.
  Either way SDF raids can no longer reach it (they search SDF-held land only);
* only with ``supply_lines`` switched off (with it on, movement cells take fresh fighters from
  the Badia into safe villages instead): a cell based in the Badia or in Iraq may, with chance
  ``embed_prob``, move into an SDF-held village within a night's reach where IS's influence
  reaches ``embed_min_influence``, so that hiding there is safe. Car-bomb cells stay out:
  preparing car bombs is a specialised task (s.3) taken here to need the sanctuary's workshops and
  caches (an assumption; the brief says where the weapons caches were for the prison attack, s.1,
  not where car bombs are built).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.agents.is_cell import ROLE
from sim.mechanisms.base import Mechanism
from sim.world.names import BADIA, IRAQ, REGIME, SDF
from sim.world.space import chebyshev

if TYPE_CHECKING:
    from sim.model import InsurgencyModel


class CellBases(Mechanism):
    """Each month exposed cells in SDF land flee to Iraq or the Badia; sanctuary cells may embed in safe villages."""

    name = "cell_bases"
    switch = "cell_bases_enabled"
    params = ("cell_bases_enabled", "embed_min_influence", "embed_prob", "flee_exposure_threshold")
    reads = ("night_range_cells",)

    def __init__(self, model: InsurgencyModel) -> None:
        super().__init__(model)
        xs, ys = np.nonzero(model.geography.holder == IRAQ)
        self.iraq = np.stack([xs, ys], axis=1).astype(np.int64)  # squares held in Iraq

    def refuge(self, row: int) -> tuple[int, int]:
        """Where an exposed cell flees: the nearest Iraqi square within a night's reach, else the Badia."""
        m, c = self.model, self.model.cells
        if len(self.iraq):
            d = chebyshev(self.iraq[:, 0], self.iraq[:, 1], c.base_x[row], c.base_y[row])
            nearest = int(np.argmin(d))
            if d[nearest] <= m.p.night_range_cells:
                return int(self.iraq[nearest, 0]), int(self.iraq[nearest, 1])
        return m.world.hideouts.pick(BADIA)

    def month_end(self) -> None:
        """Relocate exposed cells and embed cells where villages are safe."""
        m = self.model
        p, c, v = m.p, m.cells, m.villages
        alive = np.nonzero(c.alive)[0]
        if not len(alive):
            return
        holder = m.geography.holder[c.base_x[alive], c.base_y[alive]]
        for row in alive[(holder == SDF) & (c.exposure[alive] > p.flee_exposure_threshold)]:
            self.move(int(row), *self.refuge(int(row)))
        if m.mechanisms.supply_lines.enabled:  # movement cells bring fighters into safe villages instead
            return
        safe = np.nonzero(v.sdf_held & (v.influence >= p.embed_min_influence))[0]
        if not len(safe):
            return
        sanctuary = alive[np.isin(holder, (REGIME, IRAQ)) & (c.role[alive] != ROLE["car_bombs"])]
        for row in sanctuary[m.rng.random(len(sanctuary)) < p.embed_prob]:
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
