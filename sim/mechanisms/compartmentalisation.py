"""Compartmentalised cells: arresting one reveals little of the rest.

Fighters trained in the Badia do not know where they trained nor the names of other members;
IS security staff enforce secrecy, which is why dismantling cells does not break the
organisation (EUI 2022, s.3, fn 53). The SDF's weak grasp of IS networks makes eastern Deir
ez-Zor opaque to them (s.4). Here, each captured member names another cell with a small chance
(large when compartmentalisation is switched off); a named cell is then easy to find.
"""

from __future__ import annotations

import numpy as np

from sim.mechanisms.base import Mechanism


class Compartmentalisation(Mechanism):
    """What a captured member reveals of other cells: little while cells are compartmented.

    Its switch is ``compartmentalisation`` itself: off means open networks (``reveal_prob_open``).
    """

    name = "compartmentalisation"
    switch = "compartmentalisation"
    params = ("compartmentalisation", "reveal_prob_compartmented", "reveal_prob_open")

    def reveal(self, captured: int, source: int) -> int:
        """Expose other cells after ``captured`` members of cell ``source`` are taken; returns how many."""
        m = self.model
        p, c = m.p, m.cells
        per_member = p.reveal_prob_compartmented if self.enabled else p.reveal_prob_open
        others = np.nonzero(c.alive & (np.arange(len(c)) != source))[0]
        if not len(others) or captured <= 0:
            return 0
        n = min(len(others), int(m.rng.binomial(captured, per_member)))
        if n:
            c.exposure[m.rng.choice(others, size=n, replace=False)] = 1.0
        return n
