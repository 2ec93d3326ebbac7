"""Where cells hide: the Badia, shepherd camps, villages of the eastern strip, or Iraq.

The Badia is IS's sanctuary and training ground, with easy access to the Iraqi border and the
NES front lines (EUI 2022, s.3, fn 40); IS is becoming small groups embedded in shepherd
communities (fn 26); militants cross to Iraq easily, and escapees went to Iraq or the Badia
(fn 40-41). Each month an exposed cell in SDF land flees to the Badia or across to Iraq, and a
Badia cell may move into an eastern village where IS's influence makes hiding safe.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.agents.is_cell import ROLE

if TYPE_CHECKING:
    from sim.model import InsurgencyModel


def month_end(model: InsurgencyModel) -> None:
    """Relocate exposed cells and embed cells where villages are safe."""
    p, c, v, g = model.p, model.cells, model.villages, model.geography
    alive = np.nonzero(c.alive)[0]
    if not len(alive):
        return
    holder = g.holder[c.base_x[alive], c.base_y[alive]]
    flee = alive[(holder == 0) & (c.exposure[alive] > 0.5)]
    for row in flee:
        x, y = model._pick_base(0)
        _move_base(model, int(row), x, y)
    # Badia cells move into villages where influence is high enough to hide in
    safe = np.nonzero(v.sdf_held & (v.influence >= p.embed_min_influence))[0]
    if not len(safe):
        return
    badia = alive[(holder == 1) & (c.role[alive] != ROLE["car_bombs"])]
    movers = badia[model.rng.random(len(badia)) < p.embed_prob]
    for row in movers:
        d = np.maximum(np.abs(v.x[safe] - c.base_x[row]), np.abs(v.y[safe] - c.base_y[row]))
        close = safe[d <= p.night_range_cells]
        if len(close):
            i = close[model.rng.integers(len(close))]
            _move_base(model, int(row), int(v.x[i]), int(v.y[i]))


def _move_base(model: InsurgencyModel, row: int, x: int, y: int) -> None:
    c = model.cells
    c.base_x[row], c.base_y[row] = x, y
    c.x[row], c.y[row] = x, y
    c.exposure[row] = 0.0
    agent = model.cell_agents[row]
    if agent is not None:
        agent.cell = model.grid[(x, y)]
