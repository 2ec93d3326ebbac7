"""An elite bargain: the al-Karama model.

In al-Karama the SDF gave up raiding a displaced camp of over 20,000 people and struck a deal
with the main families: a collective return home without security consequences, in exchange for
backing the AANES and the fight against IS. Over 1,500 young men joined the SDF, local leaders
took the new civil institutions, and former IS militants, though present, were contained; the
area stayed calm during the al-Hasaka attack (EUI 2022, s.2, fn 37-38).
"""

from __future__ import annotations

import numpy as np

from sim.mechanisms.base import Mechanism


class EliteBargain(Mechanism):
    """A bargain with a district's main families (a scenario event), on the al-Karama model."""

    name = "elite_bargain"
    switch = "elite_bargain_enabled"
    params = ("elite_bargain_enabled", "bargain_trust", "bargain_sympathy", "bargain_decay_factor", "bargain_recruits")
    reads = ("officials_per_council",)

    def strike(self, district: str) -> dict:
        """Strike the bargain in every village of ``district``."""
        m = self.model
        p, v = m.p, m.villages
        rows = np.nonzero(v.sdf_held & (m.world.district_of == district))[0]
        if not self.enabled or not len(rows):
            return {"district": district, "villages": 0}
        v.bargain[rows] = True
        v.trust_baseline[rows] = np.maximum(v.trust_baseline[rows], p.bargain_trust)
        v.trust[rows] = np.maximum(v.trust[rows], p.bargain_trust)
        v.has_council[rows] = True
        v.has_chairman[rows] = True
        v.officials[rows] = p.officials_per_council
        v.pledged[rows] = 0.0
        v.sympathy[rows] = np.minimum(v.sympathy[rows], p.bargain_sympathy)
        v.tawba_pressure[rows] = 0.0
        # young men join the SDF as local units, spread by population
        w = v.population[rows].astype(float) + 1e-9
        shares = np.floor(int(p.bargain_recruits) * w / w.sum()).astype(int)
        for i, n in zip(rows, shares, strict=True):
            if n > 0:
                m.add_unit(int(i), int(n), local=True)
                m.mechanisms.sdf_recruitment.recruits["local"] += int(n)
        return {"district": district, "villages": len(rows), "recruits": int(shares.sum())}
