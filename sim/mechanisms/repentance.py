"""Repentance (tawba) forced on SDF fighters and officials.

From the summer of 2019 IS has pressed SDF fighters and civil officials - never ordinary
employees such as teachers - to repent, one by one or publicly at Friday prayers; this cuts them
off from the AANES and stops anyone joining councils or the forces, leaving institutional
vacuums (EUI 2022, s.2, fn 27). In Dhiban in January 2022, 40 SDF soldiers warned to repent left
the SDF with their commanders' consent; Darnaj has no council or chairman, Sweidan's re-formed
council has no chairman, and in Sweidan and Tayyana the SDF can no longer recruit locally (s.2).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.agents.village import CRITERION
from sim.mechanisms import strategic_patience

if TYPE_CHECKING:
    from sim.mechanisms.night_movement import Visits
    from sim.model import InsurgencyModel


def night(model: InsurgencyModel, visits: Visits) -> None:
    """Cells in villages where IS has a foothold call local fighters and officials to repent."""
    p, v, u = model.p, model.villages, model.units
    if not p.repentance_enabled or model.date < p.repentance_start or not len(visits):
        return
    vil = np.unique(visits.villages)
    vil = vil[v.sdf_held[vil] & (v.influence[vil] >= p.repentance_min_influence)]
    chance = p.repentance_prob * v.fear[vil] * strategic_patience.capability(model)
    for i in vil[model.rng.random(len(vil)) < chance]:
        repented = 0
        local_units = np.nonzero((u.home == i) & u.local & u.active & (u.strength > 0))[0]
        if len(local_units):
            k = local_units[model.rng.integers(len(local_units))]
            group = min(int(u.strength[k]), int(model.rng.integers(1, int(p.repentance_group_max) + 1)))
            u.strength[k] -= group
            repented += group
            model.units_version += 1
        if v.has_chairman[i] and model.rng.random() < p.repentance_official_share:
            v.has_chairman[i] = False
            v.officials[i] = max(0, v.officials[i] - 1)
            repented += 1
        if repented:
            model.accounts.incident("repentances", repented)
            model.accounts.people["sdf_repented"] += repented
            v.tawba_pressure[i] = min(1.0, v.tawba_pressure[i] + p.tawba_pressure_per_campaign)
            v.influence[i] = min(1.0, v.influence[i] + p.influence_per_repentance)
            v.criteria[i, CRITERION["repentance"]] += 1
