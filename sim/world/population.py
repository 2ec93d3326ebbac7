"""Forming IS cells: one rule for the cells of day one, new recruits, escapees and the amnestied.

Cells are small (mean ``cell_size_mean`` fighters, at least two where numbers allow; escapees
moved in groups of about that size, EUI 2022 fn 41), each with one specialised task drawn by the
role weights (s.3), and based at a hideout of one kind (:mod:`sim.world.hideouts`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.agents.is_cell import ROLES
from sim.world.names import HIDEOUT_KINDS

if TYPE_CHECKING:
    from sim.model import InsurgencyModel

PARAMS: tuple[str, ...] = (
    "cell_size_mean", *(f"role_share_{r}" for r in ROLES),
    *(f"base_share_{k}" for k in ("badia", "shepherd", "embedded")),
)


def _normalised(weights: np.ndarray) -> np.ndarray:
    """Weights as probabilities; all zero (a corner of their ranges) means equal chances."""
    total = weights.sum()
    return weights / total if total > 0 else np.full(len(weights), 1.0 / len(weights))


def role_weights(model: InsurgencyModel) -> np.ndarray:
    """Chance of each role (:data:`~sim.agents.is_cell.ROLES`) for a new cell."""
    return _normalised(np.array([getattr(model.p, f"role_share_{r}") for r in ROLES], dtype=float))


def hideout_weights(model: InsurgencyModel) -> np.ndarray:
    """Chance of each hideout kind (:data:`~sim.world.names.HIDEOUT_KINDS`) for a cell of day one."""
    p = model.p
    return _normalised(np.array([p.base_share_badia, p.base_share_shepherd, p.base_share_embedded], dtype=float))


def form_cells(model: InsurgencyModel, fighters: int, kind: int | None = None) -> list[int]:
    """Group ``fighters`` into new cells at hideouts of ``kind`` (drawn per cell when None); their rows."""
    rng, p = model.rng, model.p
    roles, kinds = role_weights(model), hideout_weights(model)
    rows = []
    while fighters > 0:
        size = min(fighters, max(2, int(rng.poisson(p.cell_size_mean))))
        where = kind if kind is not None else int(rng.choice(len(HIDEOUT_KINDS), p=kinds))
        x, y = model.world.hideouts.pick(where)
        role = int(rng.choice(len(ROLES), p=roles))
        rows.append(model.add_cell(x, y, role, size))
        fighters -= size
    return rows


def attach_supporters(model: InsurgencyModel, supporters: int) -> None:
    """New supporters join random living cells (or melt away when there are none)."""
    if supporters <= 0:
        return
    alive = np.nonzero(model.cells.alive)[0]
    if len(alive):
        np.add.at(model.cells.supporters, model.rng.choice(alive, size=supporters), 1)
    else:
        model.accounts.people["supporters_dispersed"] += supporters
