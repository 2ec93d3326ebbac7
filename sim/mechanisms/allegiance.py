"""Oaths of allegiance (bay'a) imposed on officials, who then serve as informants.

Where repentance pulls people out of the institutions, allegiance plants IS inside them: after
threats, AANES officials and members of the forces swear allegiance, giving IS informants and
warning of raids and arrest campaigns. So a stop to attacks need not mean IS is weak: it may
mean IS holds the local officials - attacks ceased in Tayyana, where all officials are
suspected of allegiance (EUI 2022, s.2, fn 29). Newer SDF recruits leaked information that let
cells target commanders (WP 2019).
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
    """Threatened officials in villages with an IS foothold may swear allegiance."""
    p, v = model.p, model.villages
    if not p.allegiance_enabled or not len(visits):
        return
    vil = np.unique(visits.villages)
    vil = vil[v.sdf_held[vil] & (v.officials[vil] > 0) & (v.pledged[vil] < 1.0)
              & (v.influence[vil] >= p.allegiance_min_influence)]
    chance = p.allegiance_prob * v.fear[vil] * strategic_patience.capability(model)
    for i in vil[model.rng.random(len(vil)) < chance]:
        v.pledged[i] = min(1.0, v.pledged[i] + 1.0 / max(int(v.officials[i]), 1))
        v.influence[i] = min(1.0, v.influence[i] + p.influence_per_allegiance)
        v.criteria[i, CRITERION["allegiance"]] += 1
        model.accounts.incident("allegiances")


def truce(model: InsurgencyModel, villages: np.ndarray) -> np.ndarray:
    """True where enough officials are pledged that IS stops attacking (the Tayyana pattern)."""
    if not model.p.allegiance_enabled:
        return np.zeros(len(villages), bool)
    return model.villages.pledged[villages] >= model.p.allegiance_truce_threshold


def leak(model: InsurgencyModel, villages: np.ndarray) -> np.ndarray:
    """Share of SDF raid plans that informants leak, in the given villages."""
    if not model.p.allegiance_enabled:
        return np.zeros(len(villages))
    return model.p.informant_leak * model.villages.pledged[villages]
