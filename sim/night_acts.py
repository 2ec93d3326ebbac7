"""The night's acts from ``command`` to ``governance`` in one compiled call (issue 15, the day kernel's first part).

Eight of the night's hooks (:data:`BLOCK`, in :data:`sim.model.PHASES` order) each gather their inputs in
Python and call one kernel: the couriers' reach, the checkpoints, the zakat demands, the repentance
campaigns, the oaths, the killings' and the attacks' decisions, shadow governance. Run one by one, each
hook pays for its Python glue and for numba typing its arguments (~45 us a night in all, against ~10 us
of compiled work). :class:`NightActs` gathers every hook's inputs (the mechanisms' ``night_inputs`` and
``decision_inputs``) and :func:`night_acts` calls the same per-hook kernels, in the same order, in one
call: the draws, the books and every array written are those of the hooks, to the bit.

Python takes over where a hook needs it, from that hook on, and the night goes on as it would have:

* a hook that needs Python tonight (the checkpoints when the supply lines do not arm them) is a *stop*
  that the kernel does not start;
* a village whose square is new to the cache table: the decision kernels draw nothing and say so
  (``known`` False), and the kernel returns; Python runs that hook whole (it widens the table first);
* killings or attacks decided: the kernel returns the targets, Python strikes (``Killings.strike``,
  ``Attacks.strike``: paying, victims, units hit and sweeps, rarer than the decisions) and runs the hooks
  after it.

A mechanism switched off is skipped, as its hook would not run. ``NightActs.enabled = False`` runs the
hooks one by one (the tests compare both ways).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.agents.is_cell import ROLE
from sim.compiled import Stream, kernel, stream_of
from sim.fused import RUN, SKIP, STOP, FusedBlock
from sim.kernel_state import KernelState, kernel_state
from sim.mechanisms.allegiance import allegiance_night
from sim.mechanisms.attacks import attack_decision
from sim.mechanisms.checkpoints import checkpoints_night
from sim.mechanisms.command import COURIER_ROLES, command_night
from sim.mechanisms.governance import governance_night
from sim.mechanisms.killings import killing_decision
from sim.mechanisms.repentance import repentance_night
from sim.mechanisms.zakat import zakat_night

if TYPE_CHECKING:
    from sim.mechanisms.night_movement import Visits

BLOCK: tuple[str, ...] = ("command", "checkpoints", "zakat", "repentance", "allegiance", "killings", "attacks",
                          "governance")
"""The mechanisms whose night hooks :func:`night_acts` runs, in the night's order."""

_COMMAND, _CHECKPOINTS, _ZAKAT, _REPENTANCE, _ALLEGIANCE, _KILLINGS, _ATTACKS, _GOVERNANCE = range(len(BLOCK))
_MOVEMENT, _TRANSPORT = (ROLE[r] for r in COURIER_ROLES)
_CHECKPOINT, _ZAKAT_ROLE, _ASSASSINATION, _CAR_BOMBS = ROLE["checkpoint"], ROLE["zakat"], ROLE["assassination"], \
    ROLE["car_bombs"]


@kernel
def night_acts(stream: Stream, cells: np.ndarray, villages: np.ndarray, bounds: np.ndarray, visited: np.ndarray,
               todo: np.ndarray, state: KernelState, cost: float, command: tuple, checkpoints: tuple, zakat: tuple,
               repentance: tuple, allegiance: tuple, killings: tuple, attacks: tuple,
               governance: tuple) -> tuple[int, np.ndarray, int]:
    """The hooks of :data:`BLOCK` on tonight's visits (``cells`` at ``villages``, grouped by role with the
    groups' ``bounds``; ``visited``: the villages visited, each once, in order), as each hook does it
    (``todo``: :data:`RUN`, :data:`SKIP` or :data:`STOP` for each), on the kernels' ``state``; ``cost``:
    ``SupplyLines.strike_cost``; the other tuples: each mechanism's ``night_inputs`` (``decision_inputs``).

    Returns ``(k, targets, units_hit)``: ``k`` the first hook not done (``len(BLOCK)`` when all are), with the
    killings' or attacks' ``targets`` when it decided strikes (Python strikes and goes on from the next
    hook), else empty (Python runs hook ``k`` whole); ``units_hit``: the repentance campaigns that hit a unit.
    """
    none = np.zeros(0, np.int64)
    hit = 0
    if todo[_COMMAND] == STOP:
        return _COMMAND, none, hit
    if todo[_COMMAND] == RUN:
        command_night(stream, villages[bounds[_MOVEMENT]:bounds[_MOVEMENT + 1]],
                      villages[bounds[_TRANSPORT]:bounds[_TRANSPORT + 1]], state, command)
    if todo[_CHECKPOINTS] == STOP:
        return _CHECKPOINTS, none, hit
    lo, hi = bounds[_CHECKPOINT], bounds[_CHECKPOINT + 1]
    if todo[_CHECKPOINTS] == RUN and hi > lo and not checkpoints_night(stream, villages[lo:hi], state, checkpoints,
                                                                      cost):
        return _CHECKPOINTS, none, hit
    if todo[_ZAKAT] == STOP:
        return _ZAKAT, none, hit
    lo, hi = bounds[_ZAKAT_ROLE], bounds[_ZAKAT_ROLE + 1]
    if todo[_ZAKAT] == RUN and hi > lo:
        zakat_night(stream, cells[lo:hi], villages[lo:hi], state, zakat)
    if todo[_REPENTANCE] == STOP:
        return _REPENTANCE, none, hit
    if todo[_REPENTANCE] == RUN:
        hit = repentance_night(stream, visited, state, repentance)
    if todo[_ALLEGIANCE] == STOP:
        return _ALLEGIANCE, none, hit
    if todo[_ALLEGIANCE] == RUN:
        allegiance_night(stream, visited, state, allegiance)
    if todo[_KILLINGS] == STOP:
        return _KILLINGS, none, hit
    lo, hi = bounds[_ASSASSINATION], bounds[_ASSASSINATION + 1]
    if todo[_KILLINGS] == RUN and hi > lo:
        targets, known = killing_decision(stream, villages[lo:hi], cells[lo:hi], state, killings, cost)
        if not known or len(targets):
            return _KILLINGS, targets.astype(np.int64), hit
    if todo[_ATTACKS] == STOP:
        return _ATTACKS, none, hit
    lo, hi = bounds[_CAR_BOMBS], bounds[_CAR_BOMBS + 1]
    if todo[_ATTACKS] == RUN and hi > lo:
        targets, known = attack_decision(stream, villages[lo:hi], cells[lo:hi], state, attacks, cost)
        if not known or len(targets):
            return _ATTACKS, targets.astype(np.int64), hit
    if todo[_GOVERNANCE] == STOP:
        return _GOVERNANCE, none, hit
    if todo[_GOVERNANCE] == RUN:
        governance_night(stream, visited, state, governance)
    return len(BLOCK), none, hit


class NightActs(FusedBlock):
    """Runs the night's hooks, those of :data:`BLOCK` through :func:`night_acts` (see the module's docstring)."""

    block = BLOCK

    def night(self, visits: Visits, on: tuple) -> None:
        """Run the night's hooks ``on`` (the phase's hooks switched on, in order) on tonight's ``visits``."""
        if not self.enabled:
            for hook in on:
                hook(visits)
            return
        before, block, after, todo = self.plan(on)
        for hook in before:
            hook(visits)
        k = len(BLOCK)
        if len(visits) and any(hook is not None for hook in block):
            k = self.fused(visits, todo)
        for hook in block[k:]:
            if hook is not None:
                hook(visits)
        for hook in after:
            hook(visits)

    def fused(self, visits: Visits, base_todo: np.ndarray) -> int:
        """:func:`night_acts` on tonight's ``visits`` and the model's state, from the plan's ``todo`` (:meth:`plan`),
        then what Python does on its way out (strikes, the units' version); the position in :data:`BLOCK`
        from which the hooks run in Python."""
        m = self.model
        command, checkpoints, zakat, repentance, allegiance, killings, attacks, governance = self.mechanisms
        todo = base_todo.copy()
        supply = m.mechanisms.supply_lines
        if not supply.arms_strikes() and todo[_CHECKPOINTS] == RUN:  # the checkpoints then need Python
            todo[_CHECKPOINTS] = STOP
        if len(m.traders) == 0:
            todo[_ZAKAT] = SKIP
        if m.day < repentance.start_day():
            todo[_REPENTANCE] = SKIP
        cells, villages, bounds = visits.grouped(m)
        inputs = (command.night_inputs(), checkpoints.night_inputs(), zakat.night_inputs(), repentance.night_inputs(),
                  allegiance.night_inputs(), killings.decision_inputs(), attacks.decision_inputs(),
                  governance.night_inputs())
        # the state last: it is made again if anything before it replaced an array it holds
        k, targets, hit = night_acts(stream_of(m), cells, villages, bounds, visits.unique_villages(), todo,
                                     kernel_state(m), supply.strike_cost(), *inputs)
        for _ in range(hit):
            m.units_changed()
        if len(targets):  # strikes decided: Python strikes, and the hooks after it follow
            self.mechanisms[k].strike(targets)
            return k + 1
        return k
