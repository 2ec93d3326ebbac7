"""IS's shadow governance: pressure on lifestyles and its own justice.

IS has threatened shopkeepers who sell tobacco and women judged too visible (so far without
success), and a sharia judge now settles cases of theft and debt (EUI 2022, fn 25). Both are
stronghold criteria (s.2). They follow influence rather than create it here: they mark where IS
already rules at night.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.agents.village import CRITERION
from sim.mechanisms.base import Mechanism

if TYPE_CHECKING:
    from sim.mechanisms.night_movement import Visits


class Governance(Mechanism):
    """Cells in villages IS already dominates press lifestyles and judge disputes."""

    name = "governance"
    switch = "governance_enabled"
    params = ("governance_enabled", "governance_min_influence", "governance_prob")

    def night(self, visits: Visits) -> None:
        """Tonight's acts of shadow governance (stronghold criteria)."""
        m = self.model
        p, v = m.p, m.villages
        if not len(visits):
            return
        vil = visits.unique_villages()
        vil = vil[v.influence[vil] >= p.governance_min_influence]
        act = vil[m.rng.random(len(vil)) < p.governance_prob]
        v.criteria[act, CRITERION["lifestyle_pressure"]] += 1
        act = vil[m.rng.random(len(vil)) < p.governance_prob]
        v.criteria[act, CRITERION["is_justice"]] += 1
