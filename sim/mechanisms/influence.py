"""How IS influence and fear fade where the administration and the SDF are present.

Influence rises through IS's acts in a village (each mechanism adds its share). It fades
daily, faster where the SDF patrol, a council with a chairman governs, or an elite bargain
holds (the al-Karama model, EUI 2022, fn 37-38), and slower where embedded cells live among
the people. The influence and fear of every village are also written to the grid's
``is_influence`` property layer for the visualizer.
"""

from __future__ import annotations

from sim.mechanisms.base import Mechanism


class Influence(Mechanism):
    """Daily decay of influence and fear, and the entrenchment of cells living in a village."""

    name = "influence"
    switch = "influence_enabled"
    params = ("influence_enabled", "influence_decay_base", "influence_decay_guard", "influence_decay_admin",
              "influence_per_resident_cell", "fear_decay")

    def day(self) -> None:
        """Decay where the administration is present; entrench where cells live."""
        m = self.model
        p, v = m.p, m.villages
        admin = v.has_council & v.has_chairman
        decay = p.influence_decay_base + p.influence_decay_guard * v.guard + p.influence_decay_admin * admin
        v.influence *= 1.0 - decay.clip(0.0, 1.0)  # ndarray.clip: np.clip without its wrappers
        v.fear *= 1.0 - p.fear_decay
        sites = m.cell_sites()  # residents: living cells based on each village's own square
        if len(sites.alive) and sites.residents.any():
            # the share entrenched tonight, as a rate compounded per resident cell: never above 1
            gain = 1.0 - (1.0 - min(p.influence_per_resident_cell, 1.0)) ** sites.residents
            v.influence += gain * v.sympathy * (1.0 - v.influence)
        v.influence.clip(0.0, 1.0, out=v.influence)
        m.grid.is_influence.data[v.x, v.y] = v.influence
