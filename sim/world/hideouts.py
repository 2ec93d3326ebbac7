"""Where cells hide: Badia desert near the river, shepherd camps, or villages of the eastern strip.

The Badia is IS's sanctuary, with easy access to the front lines with NES (EUI 2022, s.3, fn 40);
IS lives in small groups embedded in shepherd communities (fn 26) and in sleeper cells seeded in
the last caliphate villages (WP 2019). A Badia hideout is a regime-held desert cell within a
night's ride of the river (``badia_hideout_max_cells``) on the side of the map facing eastern Deir
ez-Zor (east of ``badia_hideout_min_x_share`` of its width): a rule with parameters that stands
in for where the cells really are until their placement is made emergent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.geography import TERRAINS
from sim.world.names import BADIA, EAST_STRIP, REGIME, SDF, SHEPHERD_CAMP
from sim.world.space import dilate

if TYPE_CHECKING:
    from sim.model import InsurgencyModel

PARAMS: tuple[str, ...] = ("badia_hideout_max_cells", "badia_hideout_min_x_share")


class Hideouts:
    """Picks hideouts of each kind; the Badia candidates are cached by the parameters they use."""

    def __init__(self, model: InsurgencyModel) -> None:
        self.model = model
        self._badia: tuple[tuple, np.ndarray] | None = None

    def badia(self) -> np.ndarray:
        """(n, 2) grid cells that may hide a Badia cell (never empty on a map with any land)."""
        p, g = self.model.p, self.model.geography
        key = (int(p.badia_hideout_max_cells), float(p.badia_hideout_min_x_share))
        if self._badia is None or self._badia[0] != key:
            desert = np.argwhere(g.is_terrain("desert") & (g.holder == REGIME))
            # within reach of the river: dilate the river mask instead of a (desert x river) distance matrix
            near = dilate(g.is_terrain("river"), key[0])[desert[:, 0], desert[:, 1]]
            east = desert[:, 0] >= g.width * key[1]
            # the rule may leave nothing on small maps or at extreme values: widen it step by step
            wider = (desert[near & east], desert[near], desert, np.argwhere(g.holder != SDF),
                     np.argwhere(g.holder >= 0))
            for cand in wider:
                if len(cand):
                    break
            self._badia = (key, cand)
        return self._badia[1]

    def pick(self, kind: int) -> tuple[int, int]:
        """A hideout of one kind (:data:`~sim.world.names.HIDEOUT_KINDS`), drawn with the model's rng."""
        m = self.model
        v, rng = m.villages, m.rng
        if kind == BADIA:
            cand = self.badia()
            x, y = cand[rng.integers(len(cand))]
            return int(x), int(y)
        held = np.nonzero(v.sdf_held)[0]
        if kind == SHEPHERD_CAMP:
            camps = held[m.geography.terrain[v.x[held], v.y[held]] == TERRAINS.index("camp")]
            if not len(camps):
                return self.pick(BADIA)
            i = camps[rng.integers(len(camps))]
        else:
            east = held[m.world.zone_of[held] == EAST_STRIP]
            east = east if len(east) else held
            if not len(east):
                return self.pick(BADIA)
            w = v.influence[east] + 1e-3
            i = east[rng.choice(len(east), p=w / w.sum())]
        return int(v.x[i]), int(v.y[i])
