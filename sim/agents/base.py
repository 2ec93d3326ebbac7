"""Agent state kept in numpy columns, with Mesa agents as views onto one row each.

Mechanisms work on whole columns at once (fast, see ``benchmarks/``), while users, the
visualizer and Mesa's ``AgentSet`` see ordinary agents: ``village.trust`` reads the
``trust`` column at that village's row.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, ClassVar

import numpy as np


class Column:
    """Descriptor exposing one column of an agent table as an agent attribute."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, agent: Any, owner: type | None = None) -> Any:
        if agent is None:
            return self
        value = getattr(agent.table, self.name)[agent.row]
        return value.item() if isinstance(value, np.generic) else value

    def __set__(self, agent: Any, value: Any) -> None:
        getattr(agent.table, self.name)[agent.row] = value


@dataclass
class Table:
    """Base for the column tables: every field is a 1-D numpy array of the same length."""

    first_column: ClassVar[str] = ""  # name of the subclass's first field, whose length is the table's
    _column_names: ClassVar[tuple[str, ...]]  # see column_names
    changes: ClassVar[int] = 0
    """How many times a column of any table was set to another array (built, extended, replaced): the compiled
    kernels' state (``sim.kernel_state``) holds the columns themselves, and is made again when this changes."""

    def __setattr__(self, name: str, value: Any) -> None:
        # ``v.trust += x`` sets the column to the array it already is: the state still holds it, no change
        if self.__dict__.get(name) is not value:
            object.__setattr__(self, name, value)
            self._changed()

    def _changed(self) -> None:
        # a column set to another array: counted for all tables, and for this one (``replaced``)
        Table.changes += 1
        self.__dict__["replaced"] = self.replaced + 1

    @property
    def replaced(self) -> int:
        """How many times a column of this table was set to another array (:attr:`changes` counts them all)."""
        return self.__dict__.get("replaced", 0)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.first_column = next(iter(cls.__annotations__))  # fields keep their order; len() reads this one

    def __len__(self) -> int:
        return len(getattr(self, self.first_column))

    def columns(self) -> dict[str, np.ndarray]:
        """The columns by name (arrays, not copies)."""
        return {name: getattr(self, name) for name in self.column_names()}

    def append(self, **values: Any) -> int:
        """Add one row (used when agents are created mid-run); returns its index."""
        return int(self.extend(1, **values)[0])

    def extend(self, n: int, **values: Any) -> np.ndarray:
        """Add ``n`` rows at once (columns not given are zero); returns their indices."""
        start = len(self)
        columns = self.__dict__
        for name in self.column_names():
            column = columns[name]
            new = np.empty((start + n, *column.shape[1:]), dtype=column.dtype)
            new[:start] = column
            new[start:] = values.get(name, 0)  # cast as an assignment casts, as a zeroed block given the values
            columns[name] = new
        self._changed()  # every column replaced (see __setattr__)
        return np.arange(start, start + n)

    @classmethod
    def column_names(cls) -> tuple[str, ...]:
        """The names of the table's columns, in order (made once per class: the rows are extended mid-run)."""
        names = cls.__dict__.get("_column_names")
        if names is None:
            names = tuple(f.name for f in fields(cls))
            cls._column_names = names
        return names


class RowAgent:
    """Mixin for a Mesa agent that is a view onto one row of one of the model's tables.

    Put it before the Mesa agent class (``class ISCell(RowAgent, CellAgent)``); ``table_name`` is
    the model attribute holding the table.
    """

    table_name: ClassVar[str] = ""

    def __init__(self, model: Any, row: int, cell: Any) -> None:
        super().__init__(model)  # type: ignore[call-arg]  # the Mesa agent class next in the MRO
        self.table = getattr(model, self.table_name)
        self.row = row
        self.cell = cell
