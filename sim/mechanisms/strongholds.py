"""Stronghold criteria: how long a village remembers each one, and when it counts as a stronghold.

The brief lists eight levers of an IS stronghold (recruitment, zakat, allegiance and repentance
as one, attacks on officials, weak administration, lifestyle pressure, IS justice, night checkpoints) and
finds several of them together only in the eastern Deir ez-Zor strip (EUI 2022, s.2, Map 2).
Each mechanism adds to a village's recent count of its criterion; the counts fade each month.
"""

from __future__ import annotations

import numpy as np

from sim.mechanisms.base import Mechanism


class Strongholds(Mechanism):
    """The memory of each stronghold criterion fades monthly; the score is the share still present.

    This is the brief's own measure (EUI 2022, s.2) rather than a behaviour, so it has no switch.
    """

    name = "strongholds"
    params = ("stronghold_criterion_count", "stronghold_min_criteria", "criteria_monthly_decay")

    def month_end(self) -> None:
        """Recent counts of every criterion fade."""
        self.model.villages.criteria *= self.model.p.criteria_monthly_decay

    def score(self) -> np.ndarray:
        """Per village, the share of the eight criteria present (0..1)."""
        return self.model.villages.stronghold_score(self.model.p.stronghold_criterion_count)

    def strongholds(self) -> np.ndarray:
        """True for villages meeting 'several' criteria at once (``stronghold_min_criteria``, s.2)."""
        p = self.model.p
        return self.model.villages.criteria_met(p.stronghold_criterion_count) >= p.stronghold_min_criteria
