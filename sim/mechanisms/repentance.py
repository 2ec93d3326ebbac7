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
from sim.agents.village import CRITERION
from sim.compiled import Stream, kernel, rng_of, stream_of
from sim.mechanisms.allegiance import unpledged_official_leaves
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
        self._started = np.empty(len(model.villages), np.int64)  # the kernel's output, reused night after night

    def night(self, visits: Visits) -> None:
        """Cells in villages where IS has a foothold call local fighters and officials to repent."""
        m = self.model
        p, v, u = m.p, m.villages, m.units
        if not len(visits) or m.day < self.start_day():
            return
        visited = visits.unique_villages()
        if len(self._started) < len(visited):
            self._started = np.empty(len(visited), np.int64)
        started = campaign_villages(stream_of(m), visited, v.sdf_held, v.influence, v.fear,
                                    float(p.repentance_min_influence), float(p.repentance_prob),
                                    float(modifiers.capability(m)), self._started)
        if not started:
            return
        for i in self._started[:started].tolist():
            repented = 0
            local_units = np.nonzero((u.home == i) & u.local & u.active & (u.strength > 0))[0]
            if len(local_units):
                k = local_units[m.rng.integers(len(local_units))]
                group = min(int(u.strength[k]), self.group_size())
                u.strength[k] -= group
                repented += group
                m.units_changed()
            if v.has_chairman[i] and m.rng.random() < p.repentance_official_share:
                v.has_chairman[i] = False
                unpledged_official_leaves(v, int(i))  # an informant would not need to repent
                repented += 1
            if repented:
                m.accounts.incident("repentances", repented, village=int(i))
                m.accounts.people["sdf_repented"] += repented
                v.tawba_pressure[i] = min(1.0, v.tawba_pressure[i] + p.tawba_pressure_per_campaign)
                v.influence[i] = min(1.0, v.influence[i] + p.influence_per_repentance)
                v.criteria[i, CRITERION["repentance"]] += 1

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
        p = self.model.p
        return min(int(p.repentance_group_max), int(self.model.rng.geometric(1.0 / max(1.0, p.repentance_group_mean))))

    def month_end(self) -> None:
        """Memories of campaigns fade."""
        self.model.villages.tawba_pressure *= self.model.p.tawba_monthly_decay
