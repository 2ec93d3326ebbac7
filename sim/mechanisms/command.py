"""Command consolidation: the post-Baghouz cells come under the Badia command's guidance over time.

Sources. As the last pocket of the caliphate fell in March 2019, IS was seeding sleeper cells
across the areas it had held, and hundreds of militants slipped out of Baghouz (WP 2019). In
April 2019 al-Baghdadi called for the territorial strategy to give way to a war of attrition
(EUI 2022, s.1, fn 19). By 2022 the group acted again as a centralised organisation (s.1: the
al-Sina'a raid was its first centralised operation in NES since 2019, ordered from the top and
prepared over months): a bureaucratised command in the Badia trains recruits and divides the
work between specialised cells, among them cells that move militants and transport weapons
(s.3), and its guidance is to avoid open confrontation while the Coalition is there (s.4, fn 62,
fn 63; :mod:`strategic_patience`).

Rule (our reading of the above; the shares and rates are assumptions). On day one each cell based
outside the Badia follows the command with chance ``command_share_at_start``; the others are
autonomous remnants that strike whenever they can, ignoring the Coalition's attention (they
still need arms, targets and fighters). Cells based in the Badia, where the command sits, and
every cell formed later (recruits and escapees trained or regrouped in the Badia) follow it. The
command reaches an autonomous cell through its couriers: each night a movement or transport
cell visits a village, every autonomous cell based there comes under command with chance
``command_reach_per_visit``. So how fast IS turns from the 2019 remnants' violence to patience
follows the supply lines (their carriers, their reach, raids on them), not a clock. With the
switch off every cell follows the command from day one (the model before this mechanism).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.compiled import Stream, kernel, rng_of, stream_of
from sim.kernel_state import KernelState, kernel_state
from sim.mechanisms.base import Mechanism
from sim.world.names import REGIME

if TYPE_CHECKING:
    from sim.mechanisms.night_movement import Visits
    from sim.model import InsurgencyModel

COURIER_ROLES = ("movement", "transport")  # the specialised cells that go between the Badia and the villages


@kernel
def fighters_following(fighters: np.ndarray, alive: np.ndarray, under_command: np.ndarray) -> tuple[int, int]:
    """The living cells' fighters, and those of them in cells under command (whole numbers: exact sums)."""
    total = following = 0
    for row in range(len(fighters)):
        if alive[row]:
            total += fighters[row]
            if under_command[row]:
                following += fighters[row]
    return total, following


@kernel
def reach_cells(stream: Stream, alive: np.ndarray, under_command: np.ndarray, base_x: np.ndarray,
                base_y: np.ndarray, at: np.ndarray, n_villages: int, movement: np.ndarray, transport: np.ndarray,
                prob: float) -> None:
    """Bring under command, each with chance ``prob``, the living autonomous cells based in a village
    the couriers visited tonight (``movement`` and ``transport``: their villages; ``at``: the
    village on each square, -1 where none): one uniform draw per such cell, in row order."""
    tonight = np.zeros(n_villages, np.bool_)
    for i in movement:
        tonight[i] = True
    for i in transport:
        tonight[i] = True
    near = np.empty(len(alive), np.int64)
    n = 0
    for row in range(len(alive)):
        if alive[row] and not under_command[row]:
            village = at[base_x[row], base_y[row]]
            if village >= 0 and tonight[village]:
                near[n] = row
                n += 1
    if n == 0:
        return
    u = rng_of(stream).random(n)
    for k in range(n):
        if u[k] < prob:
            under_command[near[k]] = True


@kernel
def command_night(stream: Stream, movement: np.ndarray, transport: np.ndarray, state: KernelState,
                  inputs: tuple) -> None:
    """:meth:`Command.night` on tonight's couriers' villages (``movement``, ``transport``); ``state``: the
    model's ``sim.kernel_state``; ``inputs``: :meth:`Command.night_inputs`."""
    reach_cells(stream, state.c_alive, state.c_under_command, state.c_base_x, state.c_base_y, state.at,
                len(state.v_guard), movement, transport, inputs[0])


@kernel
def follows_of(enabled: bool, under_command: np.ndarray, cell: int) -> bool:
    """Does ``cell`` follow the command's guidance (:meth:`Command.follows`): every cell does with the
    switch off (``enabled`` False), else those ``under_command``."""
    return not enabled or under_command[cell]


@kernel
def follows_many(enabled: bool, under_command: np.ndarray, cells: np.ndarray) -> np.ndarray:
    """:func:`follows_of` of each of ``cells``."""
    out = np.empty(len(cells), np.bool_)
    for k in range(len(cells)):
        out[k] = follows_of(enabled, under_command, cells[k])
    return out


class Command(Mechanism):
    """Which cells follow the Badia command's guidance (patience), and its couriers' reach to the rest."""

    name = "command"
    switch = "command_consolidation_enabled"
    params = ("command_consolidation_enabled", "command_share_at_start", "command_reach_per_visit")

    def __init__(self, model: InsurgencyModel) -> None:
        super().__init__(model)
        c = model.cells
        if not self.enabled or not len(c):
            return  # the draw below is skipped, so a run with the switch off is the earlier model exactly
        outside_badia = model.geography.holder[c.base_x, c.base_y] != REGIME
        follows = model.rng.random(len(c)) < model.p.command_share_at_start
        c.under_command[:] = ~outside_badia | follows

    def follows(self, cells: np.ndarray) -> np.ndarray:
        """True for the cells that follow the command's guidance (all of them with the switch off)."""
        return follows_many(self.enabled, self.model.cells.under_command, np.asarray(cells, np.intp))

    def share(self) -> float:
        """Share of the active cells' fighters that follow the command (1 with the switch off)."""
        c = self.model.cells
        total, following = fighters_following(c.fighters, c.alive, c.under_command)
        if not self.enabled or total <= 0:
            return 1.0
        return following / total

    def night(self, visits: Visits) -> None:
        """Couriers' visits bring autonomous cells based in the visited villages under command."""
        m = self.model
        if not len(visits):
            return
        movement, transport = visits.of_role(m, COURIER_ROLES[0]).villages, visits.of_role(m, COURIER_ROLES[1]).villages
        command_night(stream_of(m), movement, transport, kernel_state(m), self.night_inputs())

    def night_inputs(self) -> tuple:
        """What :func:`command_night` reads besides the stream, the couriers' villages and the kernels' state."""
        p = self.model.p
        return self.kept("night", lambda: (float(p.command_reach_per_visit),))
