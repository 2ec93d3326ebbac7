"""Compartmentalised cells: arresting one reveals little of the rest.

Fighters trained in the Badia do not know where they trained nor the names of other members;
IS security staff enforce secrecy, which is why dismantling cells does not break the
organisation (EUI 2022, s.3, fn 53). The SDF's weak grasp of IS networks makes eastern Deir
ez-Zor opaque to them (s.4). Here, each captured member names another cell with a small chance
(large when compartmentalisation is switched off); a named cell is then easy to find.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sim.model import InsurgencyModel


def reveal(model: InsurgencyModel, captured: int, source: int) -> int:
    """Expose other cells after ``captured`` members of cell ``source`` are taken; returns how many."""
    p, c = model.p, model.cells
    per_member = p.reveal_prob_compartmented if p.compartmentalisation else p.reveal_prob_open
    others = np.nonzero(c.alive & (np.arange(len(c)) != source))[0]
    if not len(others) or captured <= 0:
        return 0
    n = min(len(others), int(model.rng.binomial(captured, per_member)))
    if n:
        named = model.rng.choice(others, size=n, replace=False)
        c.exposure[named] = 1.0
    return n
