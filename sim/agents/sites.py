"""Where the living IS cells hide, and what is on those squares, computed once per change.

Raids, the Badia front and the entrenchment of influence all ask the same questions of the
hideouts every day (who holds the square, the nearest village, a camp?), yet the answers change
only when a cell dies, forms or moves its base. ``InsurgencyModel.cell_sites`` keeps the answers keyed by the
cell table's ``alive``, ``base_x`` and ``base_y`` columns, so a day pays one cheap comparison
instead of a dozen array operations.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.geography import TERRAINS
from sim.world.names import REGIME, SDF

if TYPE_CHECKING:
    from sim.model import InsurgencyModel

CAMP = TERRAINS.index("camp")


@dataclass(frozen=True)
class CellSites:
    """The living cells' hideouts and what the map says about them."""

    key: tuple
    alive: np.ndarray  # rows of the living cells
    in_sdf: np.ndarray  # rows of the living cells based in SDF-held land (the raids' candidates)
    near_sdf: np.ndarray  # for each of those, the village nearest to its hideout
    camp_sdf: np.ndarray  # for each of those, True where the hideout is a camp (shepherd communities)
    in_regime: np.ndarray  # rows of the living cells based in regime-held land (the Badia)
    residents: np.ndarray  # per village: living cells based on the village's own square

    @staticmethod
    def key_of(model: InsurgencyModel) -> tuple:
        """What the sites depend on: the cell table's alive and base columns."""
        c = model.cells
        return len(c), c.alive.tobytes(), c.base_x.tobytes(), c.base_y.tobytes()

    @classmethod
    def build(cls, model: InsurgencyModel, key: tuple) -> CellSites:
        """The sites of ``model``'s cells now (``key`` from :meth:`key_of`)."""
        c, g, index = model.cells, model.geography, model.world.index
        alive = np.flatnonzero(c.alive)
        bx, by = c.base_x[alive], c.base_y[alive]
        holder = g.holder[bx, by]
        in_sdf = alive[holder == SDF]
        at = index.at[bx, by]
        return cls(
            key=key, alive=alive, in_sdf=in_sdf,
            near_sdf=index.nearest_many(c.base_x[in_sdf], c.base_y[in_sdf]),
            camp_sdf=g.terrain[c.base_x[in_sdf], c.base_y[in_sdf]] == CAMP,
            in_regime=alive[holder == REGIME],
            residents=np.bincount(at[at >= 0], minlength=len(model.villages)),
        )
