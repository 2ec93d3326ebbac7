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
from sim.compiled import Stream, kernel, rng_of, stream_of
from sim.kernel_state import KernelState, kernel_state
from sim.mechanisms.base import Mechanism

if TYPE_CHECKING:
    from sim.mechanisms.night_movement import Visits

LIFESTYLE, JUSTICE = CRITERION["lifestyle_pressure"], CRITERION["is_justice"]


@kernel
def govern(stream: Stream, visited: np.ndarray, influence: np.ndarray, min_influence: float, prob: float,
           criteria: np.ndarray) -> None:
    """Count tonight's lifestyle pressure, then IS justice, in the ``visited`` villages where IS holds
    at least ``min_influence``: one uniform draw per such village for each act, in order."""
    rows = np.empty(len(visited), np.int64)
    n = 0
    for i in visited:
        if influence[i] >= min_influence:
            rows[n] = i
            n += 1
    for criterion in (LIFESTYLE, JUSTICE):
        for k in range(n):  # the draws of rng.random(n), one by one
            if rng_of(stream).random() < prob:
                criteria[rows[k], criterion] += 1


@kernel
def governance_night(stream: Stream, visited: np.ndarray, state: KernelState, inputs: tuple) -> None:
    """:meth:`Governance.night`: :func:`govern` in the ``visited`` villages on the kernels' ``state`` (``inputs``:
    :meth:`Governance.night_inputs`)."""
    min_influence, prob = inputs
    govern(stream, visited, state.v_influence, min_influence, prob, state.v_criteria)


class Governance(Mechanism):
    """Cells in villages IS already dominates press lifestyles and judge disputes."""

    name = "governance"
    switch = "governance_enabled"
    params = ("governance_enabled", "governance_min_influence", "governance_prob")

    def night(self, visits: Visits) -> None:
        """Tonight's acts of shadow governance (stronghold criteria)."""
        if not len(visits):
            return
        m = self.model
        governance_night(stream_of(m), visits.unique_villages(), kernel_state(m), self.night_inputs())

    def night_inputs(self) -> tuple:
        """What :func:`governance_night` reads besides the stream, the visited villages and the kernels' state."""
        p = self.model.p
        return self.kept("night", lambda: (float(p.governance_min_influence), float(p.governance_prob)))
