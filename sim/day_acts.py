"""The day's raids, trade and influence in one compiled call (issue 15; the night's are ``sim.night_acts``).

Three of the day's hooks (:data:`BLOCK`, in :data:`sim.model.PHASES` order) each gather their inputs in Python
and call one kernel on the kernels' state (``sim.kernel_state``): the raids' draws (``Raids.day``), the traders'
day (``Trade.day``), the fading of influence and fear (``Influence.day``). :class:`DayActs` gathers their inputs
and :func:`day_acts` calls the same kernels, in the same order, in one call: the draws and every array written
are those of the hooks, to the bit. The prison and the patrols, before them, stay in Python (the patrols
recompute the guard only when the units or the policy changed).

Most days the block runs in the night's kernel call, after the night (``DayActs.joined``,
``sim.night_acts.days_in_a_row``). The kernel also does what follows a raid (``raids.raided_today``: the caches
seized, the raids booked, the suspects detained, the cells found) and the captures (``raids.captures_made``: the
captured members, the cells dismantled); on a day when a capture dismantled a cell, it returns after the captures:
Python removes the cell's Mesa agent (``Raids.dismantled``) and calls the kernel again for trade, influence and
the days after (``NightActs.whole_night``).
With the raids switched off the block runs hook by hook. ``DayActs.enabled = False`` runs every hook in Python
(the tests compare both ways).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.compiled import Stream, kernel, stream_of
from sim.fused import RUN, SKIP, FusedBlock
from sim.kernel_state import KernelState, kernel_state
from sim.mechanisms.influence import fade_today
from sim.mechanisms.raids import captures_made, raided_today, raids_today
from sim.mechanisms.trade import trade_today

if TYPE_CHECKING:
    pass

BLOCK: tuple[str, ...] = ("raids", "trade", "influence")
"""The mechanisms whose day hooks :func:`day_acts` runs, in the day's order."""

_RAIDS, _TRADE, _INFLUENCE = range(len(BLOCK))


@kernel
def day_acts(stream: Stream, state: KernelState, todo: np.ndarray, raids: tuple, trade: tuple,
             influence: tuple) -> tuple[int, int, int]:
    """The hooks of :data:`BLOCK` as each does it (``todo``: ``sim.fused.RUN`` or ``SKIP`` for each), on the
    kernels' ``state``; the tuples: ``Raids.day_inputs``, ``Trade.day_inputs``, ``Influence.day_inputs``.
    Returns ``(k, raided, found)``: ``k`` the first hook not done (``len(BLOCK)`` when all are); when the raids
    found cells and a capture dismantled one, ``k`` is the raids' and ``raided``, ``found`` how many villages they
    raided and how many cells they found: what followed the raids (``raided_today``) and the captures
    (``raids.captures_made``) are done, Python removes the dismantled cells' Mesa agents (``Raids.dismantled``)
    and the kernel is called again for the hooks after, with their inputs made again (the cells' sites
    changed)."""
    if todo[_RAIDS] == RUN:
        raided, found = raids_today(stream, state, raids)
        if raided:
            found = raided_today(stream, state, raids, raided)
        if found:
            hits, (_, _, arrests, _, _, capture_rule, detained) = raids[8], raids[9]
            if captures_made(stream, state, hits, found, capture_rule, arrests, detained):
                return _RAIDS, raided, found
    if todo[_TRADE] == RUN:
        trade_today(state, trade)
    if todo[_INFLUENCE] == RUN:
        rates, entrench = influence
        fade_today(state, rates, entrench)
    return len(BLOCK), 0, 0


class DayActs(FusedBlock):
    """Runs the day's hooks, those of :data:`BLOCK` through :func:`day_acts` (see the module's docstring)."""

    block = BLOCK

    def day(self, on: tuple, start: int = 0) -> None:
        """Run the day's hooks ``on`` (the phase's hooks switched on, in order); from hook ``start`` of the block
        when a kernel did those before it, and the hooks before the block (``NightActs.whole_night``)."""
        if not self.enabled:
            for hook in on:
                hook()
            return
        before, block, after, todo = self.plan(on)
        for hook in before if start == 0 else ():
            hook()
        k = start
        if todo[_RAIDS] == RUN:
            raids = self.mechanisms[_RAIDS].day_inputs()
            k = self.fused(todo, raids, start)
            if k < len(BLOCK):  # the raids acted in Python: the kernel again for the hooks after (raids skipped)
                k = self.fused(todo, raids, k)
        for hook in block[k:]:
            if hook is not None:
                hook()
        for hook in after:
            hook()

    def joined(self, on: tuple) -> tuple | None:
        """Today's :func:`day_acts` arguments after the stream and the state, ``(todo, raids, trade, influence)``,
        when the day's hooks ``on`` can run in the night's kernel call (``sim.night_acts.days_in_a_row``), else
        None. They can when the block is on, the raids with their own rule (``Raids.own_rule``), no hook comes
        after the block and those before it are idle (``Mechanism.idle_today``: no prison attack staged) or the
        patrols (when the units changed, the kernel makes their presence first, ``NightActs.whole_night``). The
        kernel does the day only after a night it did whole, with no Badia cell
        emptied: what these inputs read is then as the night found it, but for the Coalition's attention, which the
        kernel gives the raids as the night left it, and the presence, which it makes again after units were hit
        (``patrols.presence_after_hits``)."""
        if not self.enabled:
            return None
        before, _, after, base_todo = self.plan(on)
        raids, trade, influence = self.mechanisms
        if after or base_todo[_RAIDS] != RUN or not raids.own_rule():
            return None
        patrols = self.model.mechanisms.patrols
        for hook in before:
            if not (hook.__self__ is patrols or hook.__self__.idle_today()):
                return None
        return self._todo(base_todo, 0), raids.day_inputs(), trade.day_inputs(), influence.day_inputs()

    def fused(self, base_todo: np.ndarray, raids_inputs: tuple, start: int = 0) -> int:
        """:func:`day_acts` on today's inputs (``raids_inputs``: today's ``Raids.day_inputs``) and the model's state
        from hook ``start`` of :data:`BLOCK` on, with the plan's ``todo`` (:meth:`plan`; the raids on), then the
        raids' captures when they found cells; the position in :data:`BLOCK` from which the hooks are
        still to run."""
        m = self.model
        raids, trade, influence = self.mechanisms
        todo = self._todo(base_todo, start)
        inputs = (raids_inputs, trade.day_inputs(), influence.day_inputs())
        # the state last: it is made again if anything before it replaced an array it holds
        k, _, found = day_acts(stream_of(m), kernel_state(m), todo, *inputs)
        if k < len(BLOCK):
            raids.dismantled_found(found)
            return k + 1
        return k

    def _todo(self, base_todo: np.ndarray, start: int) -> np.ndarray:
        # the plan's todo for today, from hook ``start`` on
        todo = base_todo.copy()
        if not len(self.mechanisms[_TRADE].market):  # no traders: Trade.day returns at once
            todo[_TRADE] = SKIP
        todo[:start] = SKIP  # done before
        return todo
