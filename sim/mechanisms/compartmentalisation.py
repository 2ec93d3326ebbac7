"""Compartmentalised cells: arresting one reveals little of the rest.

Fighters trained in the Badia do not know where they trained nor the names of other members;
IS security staff enforce secrecy, which is why dismantling cells does not break the
organisation (EUI 2022, s.3, fn 53). The SDF's weak grasp of IS networks makes eastern Deir
ez-Zor opaque to them (s.4). Here, each captured member names another cell with a small chance
(large when compartmentalisation is switched off); a named cell is then easy to find.
"""

from __future__ import annotations

import numpy as np

from sim.compiled import Stream, kernel, stream_of
from sim.draws import binomial, sample
from sim.mechanisms.base import Mechanism


@kernel
def revealed(stream: Stream, alive: np.ndarray, source: int, captured: int, per_member: float,
             exposure: np.ndarray) -> int:
    """The cells exposed after ``captured`` members of cell ``source`` are taken: of the other living
    cells (none, or none captured: 0 and no draw), Binomial(``captured``, ``per_member``) at most all of
    them, drawn without replacement (as ``rng.binomial`` then ``rng.choice(others, size=n,
    replace=False)`` draw them), get ``exposure`` 1; returns how many."""
    others = np.empty(len(alive), np.int64)
    n_others = 0
    for row in range(len(alive)):
        if alive[row] and row != source:
            others[n_others] = row
            n_others += 1
    if not n_others or captured <= 0:
        return 0
    n = min(n_others, binomial(stream, captured, per_member))
    if n:
        for row in sample(stream, others[:n_others], n):
            exposure[row] = 1.0
    return n


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
        return revealed(stream_of(m), m.cells.alive, source, captured, self.per_member(), m.cells.exposure)

    def per_member(self) -> float:
        """The chance that a captured member reveals another cell: low while cells are compartmented."""
        p = self.model.p
        return float(p.reveal_prob_compartmented if self.enabled else p.reveal_prob_open)
