"""Units of the Syrian Democratic Forces: garrisons that patrol, raid, arrest and hold checkpoints.

A unit is recruited locally or brought from other governorates when local recruitment fails
(EUI 2022, s.2); it depends on the Coalition for intelligence and air support (s.1, s.4).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from mesa.discrete_space import CellAgent

from sim.agents.base import Column, RowAgent, Table


@dataclass
class SDFUnitTable(Table):
    """Column store for SDF units."""

    x: np.ndarray
    y: np.ndarray
    home: np.ndarray  # row of the village it garrisons
    strength: np.ndarray  # fighters
    nominal: np.ndarray  # strength the unit is topped up to
    local: np.ndarray  # recruited in the village it garrisons
    active: np.ndarray  # deployed in the south (False: redeployed north, towards Turkey)


class SDFUnit(RowAgent, CellAgent):
    """One SDF unit. State lives in ``model.units``."""

    table_name = "units"

    strength = Column()
    nominal = Column()
    local = Column()
    active = Column()

    @property
    def home(self):
        """The village this unit garrisons."""
        return self.model.village_agents[self.table.home[self.row]]

    def __repr__(self) -> str:
        kind = "local" if self.local else "external"
        return f"SDFUnit({kind}, strength={self.strength}, active={self.active})"
