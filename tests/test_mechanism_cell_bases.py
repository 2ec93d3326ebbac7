"""Cell bases on the real map: exposed cells flee across the Iraqi border when it is near, else to the Badia."""

from __future__ import annotations

import numpy as np

import sim
from sim.world.names import IRAQ, REGIME, SDF
from sim.world.space import chebyshev


def _flee_from(m: sim.InsurgencyModel, village: int) -> int:
    """Base cell 0 in ``village``, expose it, run the month's moves; the holder of its new hideout."""
    c, v = m.cells, m.villages
    c.alive[:] = False
    c.alive[0] = True
    c.base_x[0], c.base_y[0] = v.x[village], v.y[village]
    c.exposure[0] = 1.0
    m.mechanisms.cell_bases.month_end()
    assert c.exposure[0] == 0.0
    return int(m.geography.holder[c.base_x[0], c.base_y[0]])


def test_exposed_cells_cross_into_iraq_near_the_border_and_go_to_the_badia_elsewhere() -> None:
    m = sim.InsurgencyModel(sim.load_scenario("baseline", months=1), rng=4, embed_prob=0.0)
    v, g = m.villages, m.geography
    ix, iy = np.nonzero(g.holder == IRAQ)
    to_iraq = np.array([chebyshev(ix, iy, x, y).min() for x, y in zip(v.x, v.y, strict=True)])
    held = v.sdf_held & (g.holder[v.x, v.y] == SDF)
    near = np.flatnonzero(held & (to_iraq <= m.p.night_range_cells))
    far = np.flatnonzero(held & (to_iraq > m.p.night_range_cells))
    assert len(near) and len(far)
    assert _flee_from(m, int(near[0])) == IRAQ
    assert _flee_from(m, int(far[0])) == REGIME
    m.p.flee_exposure_threshold = 1.0  # exposure must exceed the threshold: now no cell is exposed enough
    c = m.cells
    c.base_x[0], c.base_y[0] = v.x[far[0]], v.y[far[0]]
    c.exposure[0] = 1.0
    m.mechanisms.cell_bases.month_end()
    assert g.holder[c.base_x[0], c.base_y[0]] == SDF
