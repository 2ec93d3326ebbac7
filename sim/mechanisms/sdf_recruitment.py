"""SDF recruitment: local where people will still join, brought from outside where not.

The SDF recruited locally as they moved into Arab areas (WP 2019). Repentance now stops people
joining the military; in Sweidan and Tayyana the SDF cannot recruit locally and must bring
soldiers from other governorates, so the forces become external to local communities (EUI 2022,
s.2). In al-Karama the elite bargain brought over 1,500 young men into the SDF (fn 37). Each
month units below strength are topped up: locally where trust is high enough and repentance
pressure low enough, otherwise by an external detachment.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.mechanisms.base import Mechanism

if TYPE_CHECKING:
    from sim.model import InsurgencyModel


class SDFRecruitment(Mechanism):
    """Each month units below strength are topped up, locally where men still join, else from outside."""

    name = "sdf_recruitment"
    switch = "sdf_recruitment_enabled"
    params = ("sdf_recruitment_enabled", "sdf_monthly_replacement", "local_recruit_min_trust",
              "local_recruit_max_tawba", "local_recruit_max_influence")

    def __init__(self, model: InsurgencyModel) -> None:
        super().__init__(model)
        self.recruits = {"local": 0, "external": 0}  # men brought in so far, by origin

    def can_recruit_locally(self) -> np.ndarray:
        """Per village: will local men still join the SDF?"""
        p, v = self.model.p, self.model.villages
        return (v.trust >= p.local_recruit_min_trust) & (v.tawba_pressure < p.local_recruit_max_tawba) & (
            v.influence < p.local_recruit_max_influence)

    def month_end(self) -> None:
        """Top up depleted units (only those deployed in the south)."""
        m = self.model
        p, u = m.p, m.units
        local_ok = self.can_recruit_locally()
        changed = False
        for k in np.nonzero(u.active & (u.strength < u.nominal))[0]:
            home = int(u.home[k])
            need = int(np.ceil((u.nominal[k] - u.strength[k]) * p.sdf_monthly_replacement))
            if need <= 0:
                continue
            if u.local[k] and local_ok[home]:
                u.strength[k] += need
                self.recruits["local"] += need
            elif u.local[k]:
                # the local unit cannot refill: the gap is filled by soldiers from other
                # governorates, and the local unit stays at what it has left
                deficit = int(u.nominal[k] - u.strength[k])
                u.nominal[k] = u.strength[k]
                m.add_unit(home, deficit, local=False)
                self.recruits["external"] += deficit
            else:
                u.strength[k] += need
                self.recruits["external"] += need
            changed = True
        if changed:
            m.units_changed()

    def local_share(self) -> float:
        """Share of the SDF's strength in the south that is local."""
        u = self.model.units
        on = u.active & (u.strength > 0)
        total = u.strength[on].sum()
        return float(u.strength[on & u.local].sum() / total) if total else 0.0
