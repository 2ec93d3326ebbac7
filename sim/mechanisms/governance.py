"""IS's shadow governance: pressure on lifestyles and its own justice.

IS has threatened shopkeepers who sell tobacco and women judged too visible (so far without
success), and a sharia judge now settles cases of theft and debt (EUI 2022, fn 25). Both are
stronghold criteria (s.2). They follow influence rather than create it here: they mark where IS
already rules at night.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.agents.village import CRITERION

if TYPE_CHECKING:
    from sim.mechanisms.night_movement import Visits
    from sim.model import InsurgencyModel


def night(model: InsurgencyModel, visits: Visits) -> None:
    """Cells in villages IS already dominates press lifestyles and judge disputes."""
    p, v = model.p, model.villages
    if not len(visits):
        return
    vil = np.unique(visits.villages)
    vil = vil[v.influence[vil] >= p.governance_min_influence]
    act = vil[model.rng.random(len(vil)) < p.governance_prob]
    v.criteria[act, CRITERION["lifestyle_pressure"]] += 1
    act = vil[model.rng.random(len(vil)) < p.governance_prob]
    v.criteria[act, CRITERION["is_justice"]] += 1
