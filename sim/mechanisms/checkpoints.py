"""Flying night checkpoints and motor patrols.

IS sets up checkpoints at night and is gone by morning (WP 2019); "flying" night checkpoints
and motor patrols are one of the brief's stronghold criteria, and IS recently managed to impose
them in Sweidan (EUI 2022, s.2). A checkpoint frightens the village and shows who rules at night.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim import modifiers
from sim.agents.village import CRITERION
from sim.mechanisms.base import Mechanism

if TYPE_CHECKING:
    from sim.mechanisms.night_movement import Visits


class Checkpoints(Mechanism):
    """Checkpoint cells on a road near their target may set up a checkpoint for the night."""

    name = "checkpoints"
    switch = "checkpoints_enabled"
    params = ("checkpoints_enabled", "checkpoint_prob", "fear_per_checkpoint", "influence_per_checkpoint")

    def night(self, visits: Visits) -> None:
        """Set up tonight's checkpoints."""
        m = self.model
        p, v = m.p, m.villages
        mine = visits.of_role(m, "checkpoint")
        if not len(mine):
            return
        vil = mine.villages
        on_road = m.world.on_road[vil]
        chance = (p.checkpoint_prob * modifiers.capability(m) * (1.0 - v.guard[vil]) * on_road
                  * m.mechanisms.supply_lines.armed(vil))
        for i in vil[m.rng.random(len(vil)) < chance]:
            m.mechanisms.supply_lines.spend(int(i))
            v.fear[i] = min(1.0, v.fear[i] + p.fear_per_checkpoint)
            v.influence[i] = min(1.0, v.influence[i] + p.influence_per_checkpoint)
            v.criteria[i, CRITERION["checkpoints"]] += 1
            m.accounts.incident("checkpoints", village=int(i))
