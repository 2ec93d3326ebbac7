"""Flying night checkpoints and motor patrols.

IS sets up checkpoints at night and is gone by morning (WP 2019); "flying" night checkpoints
and motor patrols are one of the brief's stronghold criteria, and IS recently managed to impose
them in Sweidan (EUI 2022, s.2). A checkpoint frightens the village and shows who rules at night.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.agents.village import CRITERION
from sim.mechanisms import strategic_patience

if TYPE_CHECKING:
    from sim.mechanisms.night_movement import Visits
    from sim.model import InsurgencyModel


def night(model: InsurgencyModel, visits: Visits) -> None:
    """Checkpoint cells on a road near their target may set up a checkpoint for the night."""
    p, v = model.p, model.villages
    if not p.checkpoints_enabled:
        return
    mine = visits.of_role(model, "checkpoint")
    if not len(mine):
        return
    vil = mine.villages
    on_road = model.grid.road.data[v.x[vil], v.y[vil]] > 0
    chance = p.checkpoint_prob * strategic_patience.capability(model) * (1.0 - v.guard[vil]) * on_road
    hit = vil[model.rng.random(len(vil)) < chance]
    for i in hit:
        v.fear[i] = min(1.0, v.fear[i] + p.fear_per_checkpoint)
        v.influence[i] = min(1.0, v.influence[i] + p.influence_per_checkpoint)
        v.criteria[i, CRITERION["checkpoints"]] += 1
    model.accounts.incident("checkpoints", len(hit))
