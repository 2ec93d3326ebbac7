"""Repentance (tawba) forced on SDF fighters and officials.

From the summer of 2019 IS has pressed SDF fighters and civil officials - never ordinary
employees such as teachers - to repent, one by one or publicly at Friday prayers; this cuts them
off from the AANES and stops anyone joining councils or the forces, leaving institutional
vacuums (EUI 2022, s.2, fn 27). In Dhiban in January 2022, 40 SDF soldiers warned to repent left
the SDF with their commanders' consent; Darnaj has no council or chairman, Sweidan's re-formed
council has no chairman, and in Sweidan and Tayyana the SDF can no longer recruit locally (s.2).

A campaign takes a geometric number of soldiers from one local unit (mean
``repentance_group_mean``): most campaigns move a few people, one by one or at Friday prayers,
and Dhiban's 40, the largest case the brief reports, is the cap (``repentance_group_max``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim import modifiers
from sim.accounts import INCIDENTS, PEOPLE, book, book_incident, row_of
from sim.agents.village import CRITERION
from sim.compiled import Stream, kernel, rng_of, stream_of
from sim.draws import choice_index, geometric
from sim.kernel_state import KernelState, kernel_state
from sim.mechanisms.allegiance import official_leaves
from sim.mechanisms.base import Mechanism

if TYPE_CHECKING:
    import datetime as dt

    from sim.mechanisms.night_movement import Visits
    from sim.model import InsurgencyModel


@kernel
def campaign_villages(stream: Stream, visited: np.ndarray, sdf_held: np.ndarray, influence: np.ndarray,
                      fear: np.ndarray, min_influence: float, prob: float, capability: float,
                      started: np.ndarray) -> int:
    """The ``visited`` villages where a campaign starts tonight: one uniform draw per SDF-held village
    with IS influence of at least ``min_influence``, in order (as ``rng.random(n)`` draws them), against
    ``prob`` x fear x ``capability``. The villages go into the first places of ``started``; returns how many."""
    h = 0
    for i in visited:
        if sdf_held[i] and influence[i] >= min_influence and rng_of(stream).random() < prob * fear[i] * capability:
            started[h] = i
            h += 1
    return h


@kernel
def group_drawn(stream: Stream, most: int, chance: float) -> int:
    """Soldiers of one unit who repent in a campaign: Geometric(``chance``), at most ``most`` (as
    ``min(most, int(rng.geometric(chance)))``)."""
    return min(most, geometric(stream, chance))


#: what :func:`campaigns` says of each campaign (the columns of its ``outcome``)
CAMPAIGN_OUTCOME: tuple[str, ...] = ("repented", "unit_hit", "chairman_left")
_REPENTED, _UNIT_HIT, _CHAIRMAN_LEFT = range(len(CAMPAIGN_OUTCOME))
_BOOKED = row_of(INCIDENTS, "repentances")
_SDF_REPENTED = row_of(PEOPLE, "sdf_repented")


@kernel
def campaigns(stream: Stream, started: np.ndarray, count: int, home: np.ndarray, local: np.ndarray,
              active: np.ndarray, strength: np.ndarray, most: int, chance: float, has_chairman: np.ndarray,
              official_share: float, tawba_pressure: np.ndarray, influence: np.ndarray, criteria: np.ndarray,
              column: int, pressure_gain: float, influence_gain: float, outcome: np.ndarray) -> None:
    """The campaigns in the first ``count`` villages of ``started``, in order. In each, one of the village's
    local active units with men left (in row order; drawn as ``rng.integers(n)``) loses
    :func:`group_drawn` men, at most its strength; a chairman repents (a uniform draw below
    ``official_share``, drawn only where there is one) and goes. Where anyone repented, the village's
    tawba pressure and IS influence rise (held at 1 as Python's ``min`` does) and a repentance is counted
    in ``criteria`` (``column``). ``outcome[h]`` says, for the ``h``-th: how many repented, whether a unit
    lost men (1 or 0), whether the chairman went (1 or 0)."""
    for h in range(count):
        i = started[h]
        repented = 0
        outcome[h, _UNIT_HIT] = outcome[h, _CHAIRMAN_LEFT] = 0
        local_units = np.empty(len(home), np.int64)
        n = 0
        for k in range(len(home)):
            if home[k] == i and local[k] and active[k] and strength[k] > 0:
                local_units[n] = k
                n += 1
        if n:
            k = local_units[choice_index(stream, n)]
            group = min(np.int64(strength[k]), group_drawn(stream, most, chance))
            strength[k] -= group
            repented += group
            outcome[h, _UNIT_HIT] = 1
        if has_chairman[i] and rng_of(stream).random() < official_share:
            has_chairman[i] = False
            repented += 1
            outcome[h, _CHAIRMAN_LEFT] = 1
        if repented:
            x = tawba_pressure[i] + pressure_gain
            tawba_pressure[i] = x if x < 1.0 else 1.0
            x = influence[i] + influence_gain
            influence[i] = x if x < 1.0 else 1.0
            criteria[i, column] += 1
        outcome[h, _REPENTED] = repented


@kernel
def repentance_inputs(rule: tuple, capability: float) -> tuple:
    """:meth:`Repentance.night_inputs` from its ``rule`` (:meth:`Repentance.night_rule`) and tonight's
    ``capability`` (third)."""
    min_influence, prob, most, chance, official_share, column, pressure_gain, influence_gain = rule
    return min_influence, prob, capability, most, chance, official_share, column, pressure_gain, influence_gain


@kernel
def repentance_night(stream: Stream, visited: np.ndarray, state: KernelState, inputs: tuple) -> int:
    """:meth:`Repentance.night` in the ``visited`` villages on the kernels' ``state`` (``inputs``:
    :meth:`Repentance.night_inputs`): the
    campaigns that start (:func:`campaign_villages`) and their outcomes (:func:`campaigns`); then, village by
    village in order, a chairman who repented leaves office (``allegiance.official_leaves``) and the
    repentances are booked. Returns how many campaigns hit a unit (each changes the SDF's units)."""
    min_influence, prob, capability, most, chance, official_share, column, pressure_gain, influence_gain = inputs
    started, outcome = state.campaign_started, state.campaign_outcome
    count = campaign_villages(stream, visited, state.v_sdf_held, state.v_influence, state.v_fear, min_influence, prob,
                              capability, started)
    if count == 0:
        return 0
    campaigns(stream, started, count, state.u_home, state.u_local, state.u_active, state.u_strength, most, chance,
              state.v_has_chairman, official_share, state.v_tawba_pressure, state.v_influence, state.v_criteria, column,
              pressure_gain, influence_gain, outcome)
    hit = 0
    for h in range(count):
        i = started[h]
        if outcome[h, _UNIT_HIT]:
            hit += 1
        if outcome[h, _CHAIRMAN_LEFT]:
            official_leaves(state.v_officials, state.v_pledged, i)  # an informant would not need to repent
        repented = outcome[h, _REPENTED]
        if repented:
            book_incident(state.incidents, _BOOKED, i, repented)
            book(state.people, state.people_booked, _SDF_REPENTED, repented)
    return hit


class Repentance(Mechanism):
    """Campaigns that make local SDF fighters and officials repent, and the memory they leave."""

    name = "repentance"
    switch = "repentance_enabled"
    params = ("repentance_enabled", "repentance_start", "repentance_prob", "repentance_min_influence",
              "repentance_group_max", "repentance_group_mean", "repentance_official_share",
              "tawba_pressure_per_campaign", "tawba_monthly_decay", "influence_per_repentance")

    def __init__(self, model: InsurgencyModel) -> None:
        super().__init__(model)
        self._start_of: dt.date | None = None  # the repentance_start and first date of the day below
        self._counted_from: dt.date | None = None
        self._start_day = 0
        # the kernels' outputs, reused night after night (in the kernels' state)
        self.campaign_started = np.empty(len(model.villages), np.int64)
        self.campaign_outcome = np.empty((len(model.villages), len(CAMPAIGN_OUTCOME)), np.int64)

    def night(self, visits: Visits) -> None:
        """Cells in villages where IS has a foothold call local fighters and officials to repent."""
        m = self.model
        if not len(visits) or m.day < self.start_day():
            return
        for _ in range(repentance_night(stream_of(m), visits.unique_villages(), kernel_state(m), self.night_inputs())):
            m.units_changed()

    def night_inputs(self) -> tuple:
        """What :func:`repentance_night` reads besides the stream, the visited villages and the kernels' state."""
        return repentance_inputs(self.night_rule(), float(modifiers.capability(self.model)))

    def night_rule(self) -> tuple:
        """The parameters' part of :meth:`night_inputs` (:func:`repentance_inputs`; kept per parameter version)."""
        p = self.model.p
        return self.kept("night", lambda: (
            float(p.repentance_min_influence), float(p.repentance_prob), *self._group_rule(),
            float(p.repentance_official_share), CRITERION["repentance"], float(p.tawba_pressure_per_campaign),
            float(p.influence_per_repentance)))

    def steady_through(self, day: int) -> int | None:
        """The campaigns start on ``repentance_start``."""
        start = self.start_day()
        return start - 1 if day < start else None

    def start_day(self) -> int:
        """The day index of ``repentance_start``: before it (``model.date`` earlier), no campaign."""
        m = self.model
        start = m.p.repentance_start
        # kept while the parameter and the model's first date are those it was counted from: the
        # date of each night (a timedelta and a sum) is not built to be compared
        if start != self._start_of or m.start_date != self._counted_from:
            self._start_of, self._counted_from = start, m.start_date
            self._start_day = m.day_of(start)
        return self._start_day

    def group_size(self) -> int:
        """Soldiers of one unit who repent in a campaign: mostly a few, at most Dhiban's 40 (s.2)."""
        return int(group_drawn(stream_of(self.model), *self._group_rule()))

    def _group_rule(self) -> tuple[int, float]:
        # the cap and the chance of the geometric draw of group_drawn
        p = self.model.p
        return int(p.repentance_group_max), 1.0 / max(1.0, p.repentance_group_mean)

    def month_end(self) -> None:
        """Memories of campaigns fade."""
        self.model.villages.tawba_pressure *= self.model.p.tawba_monthly_decay
