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

from sim.compiled import kernel
from sim.geography import TERRAINS
from sim.world.names import REGIME, SDF

if TYPE_CHECKING:
    from sim.model import InsurgencyModel

CAMP = TERRAINS.index("camp")


@kernel
def sites_by_holder(alive: np.ndarray, base_x: np.ndarray, base_y: np.ndarray, holder: np.ndarray, terrain: np.ndarray,
                    at: np.ndarray, nearest: np.ndarray, n_villages: int, sdf: int, regime: int, camp: int) -> tuple:
    """The living cells' rows; those based in ``sdf``-held squares with, for each, the village nearest to its square
    (``nearest``: ``VillageIndex.nearest_known``, -1 where not known yet) and whether its square is a ``camp``;
    those based in ``regime``-held squares; per village the living cells based on its square (``at``: the village
    row of each square, -1 for none); and whether every nearest village was known. Rows in table order, as numpy's
    masks give them."""
    n = len(alive)
    rows = np.empty(n, np.int64)
    in_sdf = np.empty(n, np.int64)
    near_sdf = np.empty(n, np.int64)
    camp_sdf = np.empty(n, np.bool_)
    in_regime = np.empty(n, np.int64)
    residents = np.zeros(n_villages, np.int64)
    known = True
    k = ns = nr = 0
    for row in range(n):
        if not alive[row]:
            continue
        x, y = base_x[row], base_y[row]
        rows[k] = row
        k += 1
        if holder[x, y] == sdf:
            in_sdf[ns] = row
            near_sdf[ns] = nearest[x, y]
            known = known and nearest[x, y] >= 0
            camp_sdf[ns] = terrain[x, y] == camp
            ns += 1
        elif holder[x, y] == regime:
            in_regime[nr] = row
            nr += 1
        if at[x, y] >= 0:
            residents[at[x, y]] += 1
    return rows[:k], in_sdf[:ns], near_sdf[:ns], known, camp_sdf[:ns], in_regime[:nr], residents


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
        """What the sites depend on: the cell table's alive and base columns (their bytes say the length too)."""
        c = model.cells
        return c.alive.tobytes(), c.base_x.tobytes(), c.base_y.tobytes()

    @classmethod
    def build(cls, model: InsurgencyModel, key: tuple) -> CellSites:
        """The sites of ``model``'s cells now (``key`` from :meth:`key_of`)."""
        c, g, index = model.cells, model.geography, model.world.index
        alive, in_sdf, near_sdf, known, camp_sdf, in_regime, residents = sites_by_holder(
            c.alive, c.base_x, c.base_y, g.holder, g.terrain, index.at, index.nearest_known, len(model.villages), SDF,
            REGIME, CAMP)
        if not known:  # squares not asked for before: searched (and known from now on)
            near_sdf = index.nearest_many(c.base_x[in_sdf], c.base_y[in_sdf])
        return cls(key=key, alive=alive, in_sdf=in_sdf, near_sdf=near_sdf, camp_sdf=camp_sdf, in_regime=in_regime,
                   residents=residents)
