"""How IS influence and fear fade where the administration and the SDF are present.

Influence rises through IS's acts in a village (each mechanism adds its share). It fades
daily, faster where the SDF patrol, a council with a chairman governs, or an elite bargain
holds (the al-Karama model, EUI 2022, fn 37-38), and slower where embedded cells live among
the people. The influence and fear of every village are also written to the grid's
``is_influence`` property layer for the visualizer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sim.model import InsurgencyModel


def day(model: InsurgencyModel) -> None:
    """Daily decay of influence and fear, and embedding of resident cells."""
    p, v, c = model.p, model.villages, model.cells
    admin = v.has_council & v.has_chairman
    decay = p.influence_decay_base + p.influence_decay_guard * v.guard + p.influence_decay_admin * admin
    decay = np.where(v.bargain, decay * p.bargain_decay_factor, decay)
    v.influence *= 1.0 - np.clip(decay, 0.0, 1.0)
    v.fear *= 1.0 - p.fear_decay
    # cells living inside a village slowly entrench there (where the people are open to it)
    alive = np.nonzero(c.alive)[0]
    if len(alive):
        # performance: the village on the hideout's own cell from the spatial index, the same
        # rows as the former (cells x villages) distance matrix's zero entries, in the same order
        at = model._village_at[c.base_x[alive], c.base_y[alive]]
        home = alive[at >= 0]
        if len(home):
            vil = at[at >= 0]
            gain = np.zeros(len(v))
            np.add.at(gain, vil, p.influence_per_resident_cell)
            v.influence += gain * v.sympathy * (1.0 - v.influence)
    model.grid.is_influence.data[v.x, v.y] = v.influence
