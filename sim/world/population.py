"""Forming IS cells: one rule for the cells of day one, new recruits, escapees and the amnestied.

Cells are small (mean ``cell_size_mean`` fighters, at least ``cell_size_min`` where numbers allow; escapees
moved in groups of about that size, EUI 2022 fn 41), each with one specialised task drawn by the
role weights (s.3), and based at a hideout of one kind (:mod:`sim.world.hideouts`). On day one a share
``sleeper_seed_share`` of the cells that live in villages are sleepers seeded among the people of the
places IS once held (WP 2019), not where its foothold is now.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.accounts import PEOPLE, book, row_of
from sim.agents.is_cell import ROLES
from sim.compiled import Stream, kernel, stream_of
from sim.draws import NOT_PROBABILITIES, choice_index, choices_p
from sim.kernel_state import KernelState, kernel_state
from sim.parameters import KeptRules

if TYPE_CHECKING:
    from sim.model import InsurgencyModel

_DISPERSED = row_of(PEOPLE, "supporters_dispersed")
_ROLE_WEIGHTS = KeptRules()  # role_weights' last answer, for the parameters it was made from

PARAMS: tuple[str, ...] = (
    "cell_size_min", "cell_size_mean", *(f"role_share_{r}" for r in ROLES),
    *(f"base_share_{k}" for k in ("badia", "shepherd", "embedded")), "sleeper_seed_share",
)


def _normalised(weights: np.ndarray) -> np.ndarray:
    """Weights as probabilities; all zero (a corner of their ranges) means equal chances."""
    total = weights.sum()
    return weights / total if total > 0 else np.full(len(weights), 1.0 / len(weights))


def role_weights(model: InsurgencyModel) -> np.ndarray:
    """Chance of each role (:data:`~sim.agents.is_cell.ROLES`) for a new cell (kept while the parameters are
    unchanged: new cells form most nights a month's recruits move north)."""
    p = model.p
    return _ROLE_WEIGHTS.get(p, lambda: _normalised(np.array([getattr(p, f"role_share_{r}") for r in ROLES],
                                                             dtype=float)))


def hideout_weights(model: InsurgencyModel) -> np.ndarray:
    """Chance of each hideout kind (:data:`~sim.world.names.HIDEOUT_KINDS`) for a cell of day one."""
    p = model.p
    return _normalised(np.array([p.base_share_badia, p.base_share_shepherd, p.base_share_embedded], dtype=float))


def weighted_choices(model: InsurgencyModel, p: np.ndarray, n: int) -> np.ndarray:
    """``model.rng.choice(len(p), size=n, p=p)`` for ``n`` of 1 or more, drawn in a kernel on the model's stream
    (``draws.choices_p``: numpy's checks of ``p`` cost more than a few draws); where the kernel refuses ``p``,
    numpy's own call raises its error."""
    picks = choices_p(stream_of(model), p, n)
    return model.rng.choice(len(p), size=n, p=p) if picks[0] == NOT_PROBABILITIES else picks


def form_cells(model: InsurgencyModel, fighters: int, kind: int | None = None, sleeper_share: float = 0.0,
               at: tuple[int, int] | None = None) -> list[int]:
    """Group ``fighters`` into new cells at hideouts of ``kind`` (drawn per cell when None); their rows.

    ``sleeper_share`` (the day-one cells only): the chance that a cell living in a village is a sleeper
    seeded among the people of a place IS once held (:meth:`~sim.world.hideouts.Hideouts.sleeper_weights`)
    rather than where IS's foothold is now; at 0 no random number is drawn for it. ``at``: the square the cells are
    based at instead, once their hideouts are drawn (the numbers drawn are the same: the supply lines' fighters
    formed in the Badia and brought north)."""
    rng, p = model.rng, model.p
    if fighters <= 0:
        return []
    # sizes: Poisson draws of at least cell_size_min, the last cell taking what is left (enough are
    # drawn for their sum to pass ``fighters``; the cells are the draws up to the first that does)
    smallest = max(1, int(p.cell_size_min))
    sizes, total = [], 0
    for size in rng.poisson(p.cell_size_mean, size=fighters // smallest + 1).tolist():
        sizes.append(max(smallest, size))
        total += sizes[-1]
        if total >= fighters:
            break
    sizes[-1] -= total - fighters
    n = len(sizes)
    # plain lists: a few cells, each picked by a call of its own
    where = [int(kind)] * n if kind is not None else weighted_choices(model, hideout_weights(model), n).tolist()
    sleeper = (rng.random(n) < sleeper_share).tolist() if sleeper_share > 0 else [False] * n
    bases = np.array([model.world.hideouts.pick(k, s) for k, s in zip(where, sleeper, strict=True)],
                     dtype=np.int64).reshape(n, 2)
    if at is not None:
        bases[:] = at
    roles = weighted_choices(model, role_weights(model), n)
    return model.add_cells(bases[:, 0], bases[:, 1], roles, np.array(sizes, dtype=np.int64))


@kernel
def supporters_joined(stream: Stream, state: KernelState, supporters: int) -> None:
    """Each of ``supporters`` (1 or more) joins a living cell of the kernels' ``state``, drawn as
    ``rng.choice(alive, size=supporters)`` draws (``rng.integers(0, len(alive), size=supporters)``, one by one:
    ``draws.choice_index``); with no living cell they melt away (booked as dispersed)."""
    alive = np.flatnonzero(state.c_alive)
    if len(alive) == 0:
        book(state.people, state.people_booked, _DISPERSED, supporters)
        return
    for _ in range(supporters):
        state.c_supporters[alive[choice_index(stream, len(alive))]] += 1


def attach_supporters(model: InsurgencyModel, supporters: int) -> None:
    """New supporters join random living cells (or melt away when there are none)."""
    if supporters > 0:
        supporters_joined(stream_of(model), kernel_state(model), int(supporters))
