"""Islamic State cells: small, compartmentalised, each with one specialised task.

The brief describes a division of tasks between specialised cells (transport of weapons,
moving militants, car bombs, taxing the population), trained in the Badia, whose members do not
know other members' names (EUI 2022, s.3). We add the assassination and checkpoint roles the
brief's stronghold criteria imply (s.2). Cells hide in the Badia, in shepherd communities
(fn 26) or inside villages, cross into Iraq, and act at night (WP 2019).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from mesa.discrete_space import CellAgent
from mesa.discrete_space.cell_agent import HasCell

from sim.agents.base import Column, RowAgent, Table

ROLES: tuple[str, ...] = (
    "zakat",
    "assassination",
    "checkpoint",
    "transport",
    "movement",
    "car_bombs",
)
ROLE = {name: i for i, name in enumerate(ROLES)}


@dataclass
class ISCellTable(Table):
    """Column store for IS cells, including dismantled ones (alive = False)."""

    x: np.ndarray  # where the cell is now
    y: np.ndarray
    base_x: np.ndarray  # its hideout, where it returns at dawn
    base_y: np.ndarray
    role: np.ndarray  # index into ROLES
    fighters: np.ndarray
    supporters: np.ndarray
    money: np.ndarray  # USD held by the cell
    alive: np.ndarray
    exposure: np.ndarray  # how much the SDF know of it, 0..1; compartmentalisation keeps it local
    under_command: np.ndarray  # follows the Badia command's guidance (see mechanisms.command)

    @classmethod
    def empty(cls) -> ISCellTable:
        """A table with no cells (cells are then added with ``append``)."""
        ints = ("x", "y", "base_x", "base_y", "fighters", "supporters")
        return cls(**{n: np.zeros(0, np.int32) for n in ints}, role=np.zeros(0, np.int8), money=np.zeros(0),
                   alive=np.zeros(0, bool), exposure=np.zeros(0), under_command=np.zeros(0, bool))


class ISCell(RowAgent, CellAgent):
    """One IS cell. State lives in ``model.cells``."""

    table_name = "cells"

    fighters = Column()
    supporters = Column()
    money = Column()
    alive = Column()
    exposure = Column()
    under_command = Column()

    @property
    def cell(self):  # Mesa's Cell
        """The grid square the cell is on now, read from its row (``x``, ``y``).

        The night's moves change only the table; the Mesa agent follows when someone looks, so
        moving hundreds of cells out at dusk and back at dawn costs no Mesa bookkeeping.
        """
        cell = self._mesa_cell
        if cell is not None:
            where = (int(self.table.x[self.row]), int(self.table.y[self.row]))
            if cell.coordinate != where:
                cell = self.model.grid[where]
                HasCell.cell.fset(self, cell)
        return cell

    @cell.setter
    def cell(self, cell) -> None:
        HasCell.cell.fset(self, cell)

    @property
    def role(self) -> str:
        """The cell's specialised task."""
        return ROLES[self.table.role[self.row]]

    @property
    def base(self) -> tuple[int, int]:
        """Grid coordinate of the hideout."""
        return int(self.table.base_x[self.row]), int(self.table.base_y[self.row])

    def __repr__(self) -> str:
        return f"ISCell(role={self.role}, fighters={self.fighters}, base={self.base})"
