"""The four agent kinds: villages, IS cells, SDF units and traders."""

from sim.agents.is_cell import ROLES, ISCell, ISCellTable
from sim.agents.sdf_unit import SDFUnit, SDFUnitTable
from sim.agents.trader import TRADER_STATUS, Trader, TraderTable
from sim.agents.village import CRITERIA, Village, VillageTable

__all__ = [
    "CRITERIA",
    "ROLES",
    "TRADER_STATUS",
    "ISCell",
    "ISCellTable",
    "SDFUnit",
    "SDFUnitTable",
    "Trader",
    "TraderTable",
    "Village",
    "VillageTable",
]
