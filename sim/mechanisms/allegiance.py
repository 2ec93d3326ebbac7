"""Oaths of allegiance (bay'a) imposed on officials, who then serve as informants.

Where repentance pulls people out of the institutions, allegiance plants IS inside them: after
threats, AANES officials and members of the forces swear allegiance, giving IS informants and
warning of raids and arrest campaigns. So a stop to attacks need not mean IS is weak: it may
mean IS holds the local officials - attacks ceased in Tayyana, where all officials are
suspected of allegiance (EUI 2022, s.2, fn 29). Newer SDF recruits leaked information that let
cells target commanders (WP 2019).

No truce rule: a pledged official is an informant, so killers choose unpledged officials
(``killings``), and the quiet of a village IS holds comes from its accumulation zones
(``strongholds``), of which allegiance is one criterion.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim import modifiers
from sim.accounts import INCIDENTS, book_incident, row_of
from sim.agents.village import CRITERION, VillageTable
from sim.compiled import Stream, kernel, rng_of, stream_of
from sim.kernel_state import KernelState, kernel_state
from sim.mechanisms.base import Mechanism

if TYPE_CHECKING:
    from sim.mechanisms.night_movement import Visits

ALLEGIANCE = CRITERION["allegiance"]
_ALLEGIANCES = row_of(INCIDENTS, "allegiances")


def unpledged_official_leaves(villages: VillageTable, i: int) -> None:
    """One official of village ``i`` who had not sworn allegiance leaves office (killed or repented):
    the pledged officials stay, so their share of the ones left grows (none are left: share 0)."""
    official_leaves(villages.officials, villages.pledged, int(i))


@kernel
def official_leaves(officials: np.ndarray, pledged: np.ndarray, i: int) -> None:
    """:func:`unpledged_official_leaves` on the villages' ``officials`` and ``pledged`` columns."""
    n = np.int64(officials[i])
    if n > 1:
        x = pledged[i] * n / (n - 1)
        pledged[i] = x if x < 1.0 else 1.0  # Python's min(1.0, x)
    else:
        pledged[i] = 0.0
    officials[i] = n - 1 if n > 1 else 0


@kernel
def swear(stream: Stream, visited: np.ndarray, sdf_held: np.ndarray, officials: np.ndarray, pledged: np.ndarray,
          influence: np.ndarray, fear: np.ndarray, criteria: np.ndarray, min_influence: float, prob: float,
          capability: float, gain: float, incidents: np.ndarray) -> None:
    """Tonight's oaths in the ``visited`` villages (see :meth:`Allegiance.night`): one uniform draw per
    SDF-held village with officials not all pledged and IS influence of at least ``min_influence``,
    in order (as ``rng.random(n)`` draws them); an oath (chance ``prob`` x fear x ``capability``) adds
    one official's share to the pledged and ``gain`` to influence, and is booked in ``incidents``
    (``Accounts.incidents``)."""
    for i in visited:
        # each village is visited once: an oath here cannot change whether another village draws
        if (sdf_held[i] and officials[i] > 0 and pledged[i] < 1.0 and influence[i] >= min_influence
                and rng_of(stream).random() < prob * fear[i] * capability):
            pledged[i] = min(1.0, pledged[i] + 1.0 / max(officials[i], 1))
            influence[i] = min(1.0, influence[i] + gain)
            criteria[i, ALLEGIANCE] += 1
            book_incident(incidents, _ALLEGIANCES, i, 1)


@kernel
def allegiance_inputs(rule: tuple, capability: float) -> tuple:
    """:meth:`Allegiance.night_inputs` from its ``rule`` (:meth:`Allegiance.night_rule`) and tonight's
    ``capability`` (third)."""
    min_influence, prob, influence_gain = rule
    return min_influence, prob, capability, influence_gain


@kernel
def allegiance_night(stream: Stream, visited: np.ndarray, state: KernelState, inputs: tuple) -> None:
    """:meth:`Allegiance.night`: :func:`swear` in the ``visited`` villages on the kernels' ``state`` (``inputs``:
    :meth:`Allegiance.night_inputs`)."""
    min_influence, prob, capability, gain = inputs
    swear(stream, visited, state.v_sdf_held, state.v_officials, state.v_pledged, state.v_influence, state.v_fear,
          state.v_criteria, min_influence, prob, capability, gain, state.incidents)


@kernel
def leaks_at(on: bool, rate: float, pledged: np.ndarray, villages: np.ndarray) -> np.ndarray:
    """Per village of ``villages``, the share of SDF raid plans informants leak there: ``informant_leak`` (``rate``)
    x the share of its officials who ``pledged`` allegiance; 0 with the mechanism off (``on`` False)."""
    out = np.zeros(len(villages))
    if on:
        for k in range(len(villages)):
            out[k] = rate * pledged[villages[k]]
    return out


class Allegiance(Mechanism):
    """Threatened officials swear allegiance; they then leak raid plans and are spared as informants."""

    name = "allegiance"
    switch = "allegiance_enabled"
    params = ("allegiance_enabled", "allegiance_prob", "allegiance_min_influence", "allegiance_truce_threshold",
              "informant_leak", "influence_per_allegiance")

    def night(self, visits: Visits) -> None:
        """Threatened officials in villages with an IS foothold may swear allegiance."""
        if not len(visits):
            return
        m = self.model
        allegiance_night(stream_of(m), visits.unique_villages(), kernel_state(m), self.night_inputs())

    def night_inputs(self) -> tuple:
        """What :func:`allegiance_night` reads besides the stream, the visited villages and the kernels' state."""
        return allegiance_inputs(self.night_rule(), float(modifiers.capability(self.model)))

    def night_rule(self) -> tuple[float, float, float]:
        """The parameters' part of :meth:`night_inputs` (:func:`allegiance_inputs`; kept per parameter version)."""
        p = self.model.p
        return self.kept("night", lambda: (float(p.allegiance_min_influence), float(p.allegiance_prob),
                                           float(p.influence_per_allegiance)))

    def leak(self, villages: np.ndarray) -> np.ndarray:
        """Share of SDF raid plans that informants leak, in the given villages (rows)."""
        return leaks_at(*self.leak_rule(), self.model.villages.pledged, np.asarray(villages, np.int64))

    def leak_rule(self) -> tuple[bool, float]:
        """What :func:`leaks_at` reads besides the pledges and the villages: whether officials leak (the mechanism
        on) and ``informant_leak``."""
        return bool(self.enabled), float(self.model.p.informant_leak)

    def pledged_villages(self) -> np.ndarray:
        """True where most officials swore allegiance (at ``allegiance_truce_threshold``, the Tayyana pattern)."""
        return self.model.villages.pledged >= self.model.p.allegiance_truce_threshold
