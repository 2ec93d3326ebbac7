"""Attacks on SDF positions: IEDs, rockets and ambushes.

Cells include car-bomb makers (EUI 2022, s.3); a blast on the Busayrah road hit western and
Kurdish soldiers in early 2019 (WP 2019). While the Coalition is present IS keeps below open
confrontation with the SDF (s.4, fn 62); after the al-Sina'a raid its attacks in eastern Deir
ez-Zor were scattered and of little effect (fn 35). Attacks stop where officials are pledged.
Each attack is followed by a sweep of arrests (see ``civilian_arrests``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.agents.village import CRITERION
from sim.mechanisms import allegiance, civilian_arrests, strategic_patience

if TYPE_CHECKING:
    from sim.mechanisms.night_movement import Visits
    from sim.model import InsurgencyModel


def night(model: InsurgencyModel, visits: Visits) -> None:
    """Car-bomb cells may strike an SDF garrison at their target."""
    p, v, u = model.p, model.villages, model.units
    mine = visits.of_role(model, "car_bombs")
    if not len(mine):
        return
    vil = mine.villages
    able = (v.guard[vil] > 0) & ~allegiance.truce(model, vil)
    chance = p.attack_prob * strategic_patience.capability(model) * strategic_patience.restraint(model) * able
    for i in vil[model.rng.random(len(vil)) < chance]:
        garrison = np.nonzero((u.home == i) & u.active & (u.strength > 0))[0]
        if len(garrison):
            k = garrison[model.rng.integers(len(garrison))]
            dead = min(int(u.strength[k]), int(model.rng.poisson(p.sdf_killed_per_attack)))
            u.strength[k] -= dead
            model.accounts.incident("sdf_killed", dead)
            model.accounts.people["sdf_killed"] += dead
            model.units_version += 1
        v.fear[i] = min(1.0, v.fear[i] + p.fear_per_attack)
        v.influence[i] = min(1.0, v.influence[i] + p.influence_per_attack)
        v.criteria[i, CRITERION["attacks_on_officials"]] += 1  # the SDF represent the authorities
        model.accounts.incident("attacks")
        model.violence_by_village[i] += 1
        civilian_arrests.sweep(model, int(i))
