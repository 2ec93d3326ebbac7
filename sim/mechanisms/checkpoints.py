"""Flying night checkpoints and motor patrols.

IS sets up checkpoints at night and is gone by morning (WP 2019); "flying" night checkpoints
and motor patrols are one of the brief's stronghold criteria, and IS recently managed to impose
them in Sweidan (EUI 2022, s.2). A checkpoint frightens the village and shows who rules at night.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim import modifiers
from sim.accounts import INCIDENTS, book_incident, row_of
from sim.agents.village import CRITERION
from sim.compiled import Stream, kernel, rng_of, stream_of
from sim.kernel_state import KernelState, kernel_state
from sim.mechanisms.base import Mechanism
from sim.mechanisms.supply_lines import armed_at, spent_at

if TYPE_CHECKING:
    from sim.mechanisms.night_movement import Visits

CHECKPOINTS = CRITERION["checkpoints"]
_BOOKED = row_of(INCIDENTS, "checkpoints")


@kernel
def set_up(stream: Stream, villages: np.ndarray, base: float, guard: np.ndarray, on_road: np.ndarray,
           armed: np.ndarray, fear: np.ndarray, influence: np.ndarray, criteria: np.ndarray, fear_gain: float,
           influence_gain: float) -> np.ndarray:
    """Tonight's checkpoints of the cells at ``villages`` (see :meth:`Checkpoints.night`): one uniform
    draw per cell, in order, against ``base`` x (1 - guard) x on a road x ``armed``; each checkpoint
    adds ``fear_gain`` and ``influence_gain`` to its village. The villages of the checkpoints, in order."""
    n = len(villages)
    chance = np.empty(n)
    for k in range(n):
        i = villages[k]
        chance[k] = base * (1.0 - guard[i]) * (1.0 if on_road[i] else 0.0) * armed[k]
    u = rng_of(stream).random(n)
    hits = np.empty(n, np.int64)
    h = 0
    for k in range(n):
        if u[k] < chance[k]:
            i = villages[k]
            fear[i] = min(1.0, fear[i] + fear_gain)
            influence[i] = min(1.0, influence[i] + influence_gain)
            criteria[i, CHECKPOINTS] += 1
            hits[h] = i
            h += 1
    return hits[:h]


@kernel
def set_up_armed(stream: Stream, villages: np.ndarray, base: float, guard: np.ndarray, on_road: np.ndarray,
                 cache: np.ndarray, padded: np.ndarray, village_slot: np.ndarray, cost: float, fear: np.ndarray,
                 influence: np.ndarray, criteria: np.ndarray, fear_gain: float,
                 influence_gain: float) -> tuple[np.ndarray, bool]:
    """:func:`set_up` with each cell's arms found here (:func:`~sim.mechanisms.supply_lines.armed_at` of the
    caches), and True; or nothing done or drawn, and False, when a village's square has no row in the
    reach table yet."""
    armed, known = armed_at(cache, padded, village_slot, villages, cost)
    if not known:
        return np.empty(0, np.int64), False
    return set_up(stream, villages, base, guard, on_road, armed, fear, influence, criteria, fear_gain,
                  influence_gain), True


@kernel
def paid_and_booked(hits: np.ndarray, cache: np.ndarray, orders: np.ndarray, cost: float, consumed: np.ndarray,
                    incidents: np.ndarray) -> None:
    """Each checkpoint of ``hits``, in order, pays its cost from the caches nearby
    (:func:`~sim.mechanisms.supply_lines.spent_at`) and is booked in ``incidents`` (``Accounts.incidents``)."""
    for i in hits:
        spent_at(cache, orders, i, cost, consumed)
        book_incident(incidents, _BOOKED, i, 1)


@kernel
def checkpoints_armed(stream: Stream, villages: np.ndarray, base: float, guard: np.ndarray, on_road: np.ndarray,
                      cache: np.ndarray, padded: np.ndarray, village_slot: np.ndarray, cost: float, orders: np.ndarray,
                      consumed: np.ndarray, fear: np.ndarray, influence: np.ndarray, criteria: np.ndarray,
                      fear_gain: float, influence_gain: float, incidents: np.ndarray) -> bool:
    """Tonight's checkpoints by :func:`set_up_armed`, each paid and booked (:func:`paid_and_booked`), in one
    call; False, with nothing done or drawn, when a village's square has no row in the reach table yet."""
    hits, known = set_up_armed(stream, villages, base, guard, on_road, cache, padded, village_slot, cost, fear,
                               influence, criteria, fear_gain, influence_gain)
    paid_and_booked(hits, cache, orders, cost, consumed, incidents)
    return known


@kernel
def checkpoints_inputs(rule: tuple, capability: float) -> tuple:
    """:meth:`Checkpoints.night_inputs` from its ``rule`` (:meth:`Checkpoints.night_rule`) and tonight's
    ``capability``: the chance is ``checkpoint_prob`` x capability."""
    prob, fear_gain, influence_gain = rule
    return prob * capability, fear_gain, influence_gain


@kernel
def checkpoints_night(stream: Stream, villages: np.ndarray, state: KernelState, inputs: tuple, cost: float) -> bool:
    """:meth:`Checkpoints.night` at the visited ``villages`` by :func:`checkpoints_armed`, armed from the caches
    of the kernels' ``state`` at ``cost`` a strike (``inputs``: :meth:`Checkpoints.night_inputs`): False, with
    nothing done or drawn, when a village's square has no row in the reach table yet."""
    base, fear_gain, influence_gain = inputs
    return checkpoints_armed(stream, villages, base, state.v_guard, state.on_road, state.cache, state.reach_padded,
                             state.reach_village_slot, cost, state.spend_orders, state.consumed, state.v_fear,
                             state.v_influence, state.v_criteria, fear_gain, influence_gain, state.incidents)


class Checkpoints(Mechanism):
    """Checkpoint cells on a road near their target may set up a checkpoint for the night."""

    name = "checkpoints"
    switch = "checkpoints_enabled"
    params = ("checkpoints_enabled", "checkpoint_prob", "fear_per_checkpoint", "influence_per_checkpoint")

    def night(self, visits: Visits) -> None:
        """Set up tonight's checkpoints."""
        m = self.model
        mine = visits.of_role(m, "checkpoint")
        if not len(mine):
            return
        supply = m.mechanisms.supply_lines
        # the usual night: the arms, the checkpoints and their costs in one kernel call
        if supply.arms_strikes() and checkpoints_night(stream_of(m), mine.villages, kernel_state(m),
                                                       self.night_inputs(), supply.strike_cost()):
            return
        v, vil = m.villages, mine.villages
        base, fear_gain, influence_gain = self.night_inputs()
        cache, orders, cost, consumed = supply.spending()
        hits = set_up(stream_of(m), vil, base, v.guard, m.world.on_road, supply.armed(vil), v.fear, v.influence,
                      v.criteria, fear_gain, influence_gain)
        # the caches only pay for the checkpoints: their order among them is kept
        paid_and_booked(hits, cache, orders, cost, consumed, m.accounts.incidents)

    def night_inputs(self) -> tuple:
        """What :func:`checkpoints_night` reads besides the stream, the visited villages, the kernels' state and
        the cost of a strike: tonight's chance and the checkpoints' effects."""
        return checkpoints_inputs(self.night_rule(), modifiers.capability(self.model))

    def night_rule(self) -> tuple[float, float, float]:
        """The parameters' part of :meth:`night_inputs` (:func:`checkpoints_inputs`; kept per parameter version)."""
        p = self.model.p
        return self.kept("night", lambda: (float(p.checkpoint_prob), float(p.fear_per_checkpoint),
                                           float(p.influence_per_checkpoint)))
