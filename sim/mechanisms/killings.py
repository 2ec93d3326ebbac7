"""Targeted killings of officials and commanders.

Assassinations were mounting on the road to Baghouz in 2019 (WP 2019). AANES representatives in
the north-east strip have been targeted and killed repeatedly, which is how its administrative
vacuum formed, and in al-Buseyrah and other towns with AANES institutions targeted killings
remain frequent (EUI 2022, s.2, fn 25). Killings go on under IS's strategic patience, but not
where the officials have sworn allegiance.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim import modifiers
from sim.agents.village import CRITERION
from sim.mechanisms.base import Mechanism

if TYPE_CHECKING:
    from sim.mechanisms.night_movement import Visits


class Killings(Mechanism):
    """Assassination cells may kill an official of their target village."""

    name = "killings"
    switch = "killings_enabled"
    params = ("killings_enabled", "killing_prob", "chairman_target_share", "fear_per_killing",
              "trust_loss_per_killing", "influence_per_killing")

    def night(self, visits: Visits) -> None:
        """Tonight's killings, each followed by a sweep of arrests."""
        m = self.model
        p, v = m.p, m.villages
        mine = visits.of_role(m, "assassination")
        if not len(mine):
            return
        vil = mine.villages
        able = v.sdf_held[vil] & (v.officials[vil] > 0) & ~m.mechanisms.allegiance.truce(vil)
        chance = (p.killing_prob * modifiers.capability(m) * modifiers.killing_restraint(m, vil)
                  * (1.0 - v.guard[vil]) * able)
        for i in vil[m.rng.random(len(vil)) < chance]:
            if v.officials[i] <= 0:  # two cells may have picked the same village tonight
                continue
            v.officials[i] -= 1
            if v.has_chairman[i] and m.rng.random() < p.chairman_target_share:
                v.has_chairman[i] = False
            v.fear[i] = min(1.0, v.fear[i] + p.fear_per_killing)
            v.trust[i] = max(0.0, v.trust[i] - p.trust_loss_per_killing)
            v.influence[i] = min(1.0, v.influence[i] + p.influence_per_killing)
            v.criteria[i, CRITERION["attacks_on_officials"]] += 1
            m.accounts.incident("killings", village=int(i))
            m.violence_by_village[i] += 1
            m.mechanisms.civilian_arrests.sweep(int(i))
