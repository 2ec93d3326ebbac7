"""Read-only arrays stay read-only in a copied or unpickled model.

Arrays a model shares or must not write (the map's columns, the neighbour tables, a mechanism's
answers kept between calls) are marked read-only, and numba types a read-only array apart from a
writable one: a kernel called with one compiles (and caches) a second version of itself for the
other. numpy's ``deepcopy`` and ``pickle`` give writable arrays, so a branched or saved model used to
call 17 kernels with new types and compile them again on its first days (minutes on a fresh cache).
The model lists its read-only arrays when it is copied or pickled (:func:`readonly_arrays`) and marks
their copies read-only again (:func:`mark_readonly`), so that a copy runs on the kernels its original
loaded.
"""

from __future__ import annotations

import gc
import types
from collections.abc import Iterable

import numpy as np
from mesa.discrete_space import Cell

#: what is not looked inside: what a model's state refers to but does not own (pickle and deepcopy take
#: it by reference), values that refer to nothing, and Mesa's grid cells (their coordinates, neighbours and
#: agents, two thirds of a model's objects: the agents are reached from the model, the arrays from the grid)
_NOT_LOOKED_INTO = (Cell, type, types.ModuleType, types.FunctionType, types.BuiltinFunctionType, types.CodeType,
                    types.MethodDescriptorType, types.WrapperDescriptorType, types.GetSetDescriptorType,
                    int, float, str, bytes)


def readonly_arrays(root: object) -> list[np.ndarray]:
    """Every read-only numpy array reachable from ``root`` through the objects it refers to (each once),
    not looking inside classes, modules and functions."""
    seen = {id(root)}
    todo = [root]
    found = []
    while todo:
        for ref in gc.get_referents(todo.pop()):
            if id(ref) in seen:
                continue
            seen.add(id(ref))
            if isinstance(ref, np.ndarray):
                if not ref.flags.writeable:
                    found.append(ref)
            elif not isinstance(ref, _NOT_LOOKED_INTO):
                todo.append(ref)
    return found


def mark_readonly(arrays: Iterable[np.ndarray]) -> None:
    """Mark ``arrays`` read-only (the copies of those :func:`readonly_arrays` listed)."""
    for array in arrays:
        array.flags.writeable = False
