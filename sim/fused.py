"""What the phases' fused kernels share (``sim.night_acts``, ``sim.day_acts``): a block of a phase's hooks run
as one compiled call, the hooks before and after it in Python, and what the kernel does with each hook."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

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
