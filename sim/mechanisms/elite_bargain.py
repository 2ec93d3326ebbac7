"""An elite bargain: the al-Karama model.

In al-Karama the SDF gave up raiding a displaced camp of over 20,000 people and struck a deal
with the main families: a collective return home without security consequences, in exchange for
backing the AANES and the fight against IS. Over 1,500 young men joined the SDF, local leaders
took the new civil institutions, and former IS militants, though present, were contained; the
area stayed calm during the al-Hasaka attack (EUI 2022, s.2, fn 37-38).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sim.model import InsurgencyModel


def strike(model: InsurgencyModel, district: str) -> dict:
    """Strike the bargain in every village of ``district``."""
    p, v = model.p, model.villages
    rows = np.nonzero(v.sdf_held & (model.geography_district_names[v.district] == district))[0]
    if not len(rows):
        return {"villages": 0}
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
    recruits = int(p.bargain_recruits)
    w = v.population[rows].astype(float)
    shares = np.floor(recruits * w / w.sum()).astype(int)
    for i, n in zip(rows, shares, strict=True):
        if n > 0:
            model.add_unit(int(i), int(n), local=True)
            model.sdf_recruits["local"] += int(n)
    details = {"district": district, "villages": len(rows), "recruits": int(shares.sum())}
    return details
