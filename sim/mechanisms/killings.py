"""Targeted killings of officials and commanders.

Assassinations were mounting on the road to Baghouz in 2019 (WP 2019). AANES representatives in
the north-east strip have been targeted and killed repeatedly, which is how its administrative
vacuum formed, and in al-Buseyrah and other towns with AANES institutions targeted killings
remain frequent (EUI 2022, s.2, fn 25). Killings go on under IS's strategic patience, but not
where the officials have sworn allegiance.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.agents.village import CRITERION
from sim.mechanisms import allegiance, civilian_arrests, strategic_patience

if TYPE_CHECKING:
    from sim.mechanisms.night_movement import Visits
    from sim.model import InsurgencyModel


def night(model: InsurgencyModel, visits: Visits) -> None:
    """Assassination cells may kill an official of their target village."""
    p, v = model.p, model.villages
    mine = visits.of_role(model, "assassination")
    if not p.killings_enabled or not len(mine):
        return
    vil = mine.villages
    able = v.sdf_held[vil] & (v.officials[vil] > 0) & ~allegiance.truce(model, vil)
    chance = (p.killing_prob * strategic_patience.capability(model) * strategic_patience.killing_restraint(model)
              * (1.0 - v.guard[vil]) * able)
    for i in vil[model.rng.random(len(vil)) < chance]:
        if v.officials[i] <= 0:  # two cells may have picked the same village tonight
            continue
        v.officials[i] -= 1
        if v.has_chairman[i] and model.rng.random() < p.chairman_target_share:
            v.has_chairman[i] = False
        v.fear[i] = min(1.0, v.fear[i] + p.fear_per_killing)
        v.trust[i] = max(0.0, v.trust[i] - p.trust_loss_per_killing)
        v.influence[i] = min(1.0, v.influence[i] + p.influence_per_killing)
        v.criteria[i, CRITERION["attacks_on_officials"]] += 1
        model.accounts.incident("killings")
        model.violence_by_village[i] += 1
        civilian_arrests.sweep(model, int(i))

