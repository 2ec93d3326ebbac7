"""Targeted killings of officials and of civilians suspected of working with the authorities.

Assassinations were mounting on the road to Baghouz in 2019, locals said, while residents were
arrested on thin evidence and Sunnis who had lived under IS were suspected of collaborating
with it (WP 2019); in northern Iraq the cells killed residents linked to the government or the
security services (WP 2019).
AANES representatives in the north-east strip have been targeted and killed repeatedly, which is
how its administrative vacuum formed, and in al-Buseyrah and other towns with AANES institutions
targeted killings remain frequent (EUI 2022, s.2, fn 25). The Rojava Information Center counts
targeted assassinations as the largest class of attacks (41% in April 2020), and in January 2020
at least 13 of 50 attacks targeted mukhtars or administration staff: so a large share of the
victims are not officials but civilians suspected of collaboration.

Target choice, not a truce rule. An official who swore allegiance is an informant (EUI s.2,
fn 29), worth more alive: the victim is an unpledged official with chance
1 - ``civilian_victim_share`` (while any is in post), else a civilian suspected of working with
the authorities, so killings are not capped by the officials in post. Killings go on under IS's
strategic patience with part of its restraint (``modifiers.killing_restraint``) and are held back
in IS's accumulation zones (``strongholds.violence_factor``, EUI s.4). A cell's fighters scale
what it can do (issue 13): the chance per visit is 1 - (1 - p)^(fighters / ``cell_size_mean``),
so raids that take fighters weaken the cells they do not dismantle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim import modifiers
from sim.agents.village import CRITERION
from sim.compiled import Stream, kernel, stream_of
from sim.mechanisms.allegiance import unpledged_official_leaves
from sim.mechanisms.base import Mechanism
from sim.modifiers import fighter_scaled

if TYPE_CHECKING:
    from sim.mechanisms.night_movement import Visits


def unpledged_officials(officials: np.ndarray, pledged: np.ndarray) -> np.ndarray:
    """Officials in post who did not swear allegiance (``pledged`` is the pledged share)."""
    return np.maximum(0, np.rint(officials * (1.0 - pledged))).astype(int)


@kernel
def killing_targets(stream: Stream, villages: np.ndarray, cells: np.ndarray, base: float, restraint: np.ndarray,
                    guard: np.ndarray, violence: np.ndarray, sdf_held: np.ndarray, fighters: np.ndarray,
                    scale: float, armed: np.ndarray) -> np.ndarray:
    """The villages where tonight's visits of assassination ``cells`` to ``villages`` kill, one draw a
    visit: the chance is ``base`` (``killing_prob`` x capability) x restraint x (1 - guard) x the
    cold zones' factor, only where the SDF hold the village, scaled by the cell's fighters and by the
    arms within reach (:meth:`Killings.night`)."""
    n = len(villages)
    chance = np.empty(n)
    for k in range(n):
        i = villages[k]
        held = 1.0 if sdf_held[i] else 0.0
        chance[k] = fighter_scaled(base * restraint[k] * (1.0 - guard[i]) * violence[k] * held,
                                   fighters[cells[k]], scale) * armed[k]
    return villages[stream.rng.random(n) < chance]


class Killings(Mechanism):
    """Assassination cells may kill an unpledged official or a suspected collaborator at their target."""

    name = "killings"
    switch = "killings_enabled"
    params = ("killings_enabled", "killing_prob", "civilian_victim_share", "chairman_target_share",
              "fear_per_killing", "trust_loss_per_killing", "influence_per_killing")
    reads = ("cell_size_mean",)

    def night(self, visits: Visits) -> None:
        """Tonight's killings, each followed by a sweep of arrests."""
        m = self.model
        p, v = m.p, m.villages
        mine = visits.of_role(m, "assassination")
        if not len(mine):
            return
        vil = mine.villages
        base = p.killing_prob * modifiers.capability(m)
        restraint = modifiers.killing_restraint(m, vil, mine.cells)
        violence = m.mechanisms.strongholds.violence_factor(vil)
        armed = m.mechanisms.supply_lines.armed(vil)
        for i in killing_targets(stream_of(m), vil, mine.cells, base, restraint, v.guard, violence, v.sdf_held,
                                 m.cells.fighters, modifiers.fighter_scale(m), armed).tolist():
            m.mechanisms.supply_lines.spend(i)
            self.kill(i)

    def kill(self, i: int) -> None:
        """One killing in village ``i``: an unpledged official or a suspected collaborator."""
        m = self.model
        p, v = m.p, m.villages
        if unpledged_officials(v.officials[i], v.pledged[i]) > 0 and m.rng.random() >= p.civilian_victim_share:
            unpledged_official_leaves(v, i)
            if v.has_chairman[i] and m.rng.random() < p.chairman_target_share:
                v.has_chairman[i] = False
            if v.officials[i] == 0:  # the last official was the chairman, whoever IS aimed at
                v.has_chairman[i] = False
            v.criteria[i, CRITERION["attacks_on_officials"]] += 1
        v.fear[i] = min(1.0, v.fear[i] + p.fear_per_killing)
        v.trust[i] = max(0.0, v.trust[i] - p.trust_loss_per_killing)
        v.influence[i] = min(1.0, v.influence[i] + p.influence_per_killing)
        m.accounts.incident("killings", village=i)
        m.violence_by_village[i] += 1
        m.mechanisms.civilian_arrests.sweep(i)
