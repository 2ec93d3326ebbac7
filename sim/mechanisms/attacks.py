"""Attacks on SDF positions: IEDs, rockets and ambushes.

Cells include car-bomb makers (EUI 2022, s.3); a blast on the Busayrah road hit western and
Kurdish soldiers in early 2019 (WP 2019). While the Coalition is present IS keeps below open
confrontation with the SDF (s.4, fn 62); after the al-Sina'a raid its attacks in eastern Deir
ez-Zor were scattered and of little effect (fn 35). Where IS accumulates money and recruits its
zones are kept cold (s.4): attacks there are held back (``strongholds.violence_factor``); there is
no blanket truce where officials are pledged. An attack needs SDF presence at the target (a
garrison or the patrols that cover the village); its dead (``sdf_killed_per_attack`` on average)
are taken from one of the units whose presence it found, chosen by each unit's pull there
(``patrols.pull_at``): RIC's attacks include IEDs and ambushes on patrols, not only on bases.
Each attack is followed by a sweep of arrests (see ``civilian_arrests``). As for killings, a
cell's fighters scale the chance per visit (``modifiers.scaled_by_fighters``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim import modifiers
from sim.agents.village import CRITERION
from sim.compiled import Stream, kernel, stream_of
from sim.mechanisms.base import Mechanism
from sim.modifiers import fighter_scaled

if TYPE_CHECKING:
    from sim.mechanisms.night_movement import Visits


@kernel
def attack_targets(stream: Stream, villages: np.ndarray, cells: np.ndarray, base: float, restraint: np.ndarray,
                   violence: np.ndarray, guard: np.ndarray, fighters: np.ndarray, scale: float,
                   armed: np.ndarray) -> np.ndarray:
    """The villages where tonight's visits of car-bomb ``cells`` to ``villages`` strike, one draw a
    visit: the chance is ``base`` (``attack_prob`` x capability) x restraint x the cold zones' factor,
    only where the SDF are present (guard above 0), scaled by the cell's fighters and by the arms
    within reach (:meth:`Attacks.night`)."""
    n = len(villages)
    chance = np.empty(n)
    for k in range(n):
        able = 1.0 if guard[villages[k]] > 0 else 0.0
        chance[k] = fighter_scaled(base * restraint[k] * violence[k] * able, fighters[cells[k]], scale) * armed[k]
    return villages[stream.rng.random(n) < chance]


class Attacks(Mechanism):
    """Car-bomb cells may strike the SDF where they are present at their target (a garrison or patrols)."""

    name = "attacks"
    switch = "attacks_enabled"
    params = ("attacks_enabled", "attack_prob", "sdf_killed_per_attack", "influence_per_attack", "fear_per_attack")
    reads = ("cell_size_mean",)

    def night(self, visits: Visits) -> None:
        """Tonight's attacks, each followed by a sweep of arrests."""
        m = self.model
        p, v, u = m.p, m.villages, m.units
        mine = visits.of_role(m, "car_bombs")
        if not len(mine):
            return
        vil = mine.villages
        base = p.attack_prob * modifiers.capability(m)
        restraint = modifiers.restraint(m, vil, mine.cells)
        violence = m.mechanisms.strongholds.violence_factor(vil)
        armed = m.mechanisms.supply_lines.armed(vil)
        for i in attack_targets(stream_of(m), vil, mine.cells, base, restraint, violence, v.guard, m.cells.fighters,
                                modifiers.fighter_scale(m), armed).tolist():
            m.mechanisms.supply_lines.spend(i)
            # the unit hit is one of those whose presence the attack found, the nearer and stronger the
            # likelier: a garrison at home, or a patrol out of a garrison nearby (IEDs, ambushes)
            units, pull = m.mechanisms.patrols.pull_at(i)
            if pull.sum() > 0:
                k = units[m.rng.choice(len(units), p=pull / pull.sum())]
                dead = min(int(u.strength[k]), int(m.rng.poisson(p.sdf_killed_per_attack)))
                u.strength[k] -= dead
                m.accounts.incident("sdf_killed", dead, village=i)
                m.accounts.people["sdf_killed"] += dead
                m.units_changed()
            v.fear[i] = min(1.0, v.fear[i] + p.fear_per_attack)
            v.influence[i] = min(1.0, v.influence[i] + p.influence_per_attack)
            v.criteria[i, CRITERION["attacks_on_officials"]] += 1  # the SDF represent the authorities
            m.accounts.incident("attacks", village=i)
            m.violence_by_village[i] += 1
            m.mechanisms.civilian_arrests.sweep(i)
