"""What the phases' fused kernels share (``sim.night_acts``, ``sim.day_acts``): a block of a phase's hooks run
as one compiled call, the hooks before and after it in Python, and what the kernel does with each hook."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from sim.model import InsurgencyModel

RUN, SKIP, STOP = 0, 1, 2
"""What a fused kernel does with each hook of its block (its ``todo``): run it, skip it (switched off, or nothing
to do today), or return before it (Python runs it)."""

Plan = tuple[tuple, list, tuple, np.ndarray]


def plan_of(on: tuple, block: tuple[str, ...]) -> Plan:
    """For a phase's hooks ``on`` (those switched on, in order; bound methods of mechanisms): those before the
    ``block`` (mechanism names, contiguous in the phase's order), the block's hooks by position (None where
    off), those after it, and the block's ``todo`` (:data:`RUN` or :data:`SKIP`)."""
    names = [hook.__self__.name for hook in on]
    inside = [k for k, name in enumerate(names) if name in block]
    first = inside[0] if inside else len(on)
    last = inside[-1] + 1 if inside else len(on)
    hooks: list[Callable[..., Any] | None] = [None] * len(block)
    for k in inside:
        hooks[block.index(names[k])] = on[k]
    todo = np.array([SKIP if hook is None else RUN for hook in hooks], np.int64)
    return on[:first], hooks, on[last:], todo


class FusedBlock:
    """What a phase's fused block keeps: its model, its mechanisms (of ``block``, in order), whether it is on
    (``enabled``; False runs every hook in Python, one by one) and the plan of the hooks on."""

    block: tuple[str, ...] = ()

    def __init__(self, model: InsurgencyModel) -> None:
        self.model = model
        self.enabled = True
        self.mechanisms = tuple(model.mechanisms.get(name) for name in self.block)
        self._on: tuple | None = None  # the hooks the plan below was made for
        self._plan: Plan = ((), [], (), np.zeros(0, np.int64))

    def plan(self, on: tuple) -> Plan:
        """:func:`plan_of` the phase's hooks ``on`` and the block (kept until the hooks on change)."""
        if on is not self._on:
            self._on, self._plan = on, plan_of(on, self.block)
        return self._plan
