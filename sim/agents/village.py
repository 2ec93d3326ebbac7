"""Villages, towns and urban neighbourhoods: the population IS and the administration compete for.

The stronghold criteria are the eight levers of the brief's definition (EUI 2022, s.2):
recruitment; zakat from traders; oaths of allegiance (bay'a) and repentance (tawba), which the
brief names as one lever; attacks on representatives of the authorities; weak administrative
reach; pressure on lifestyles; IS justice; and flying night checkpoints with motor patrols. Each
village keeps a recent count of each (decayed monthly); a village meets a criterion when its count
is high enough, and its stronghold score is the share of the eight it meets.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from mesa.discrete_space import FixedAgent

from sim.agents.base import Column, RowAgent, Table
from sim.compiled import kernel

CRITERIA: tuple[str, ...] = (
    "recruitment",
    "zakat",
    "allegiance_or_repentance",
    "attacks_on_officials",
    "weak_administration",
    "lifestyle_pressure",
    "is_justice",
    "checkpoints",
)
CRITERION = {name: i for i, name in enumerate(CRITERIA)}
# the allegiance and repentance mechanisms each add to their shared lever
CRITERION["allegiance"] = CRITERION["repentance"] = CRITERION["allegiance_or_repentance"]
WEAK_ADMINISTRATION = CRITERION["weak_administration"]


@kernel
def criterion_present(j: int, count: float, has_council: bool, has_chairman: bool, threshold: float) -> bool:
    """True where a village meets criterion ``j``, whose recent count there is ``count``: the count is at
    least ``threshold``; weak administration is a state, not an event: true where the village has no
    council or no chairman."""
    if j == WEAK_ADMINISTRATION:
        return not (has_council and has_chairman)
    return count >= threshold


@kernel
def present_criteria(criteria: np.ndarray, has_council: np.ndarray, has_chairman: np.ndarray,
                     threshold: float) -> np.ndarray:
    """(villages, criteria) True where a village meets a criterion (:func:`criterion_present`)."""
    present = np.empty(criteria.shape, np.bool_)
    for i in range(criteria.shape[0]):
        for j in range(criteria.shape[1]):
            present[i, j] = criterion_present(j, criteria[i, j], has_council[i], has_chairman[i], threshold)
    return present


@kernel
def criteria_met(i: int, criteria: np.ndarray, has_council: np.ndarray, has_chairman: np.ndarray,
                 threshold: float) -> int:
    """How many of the eight criteria village ``i`` meets (see :func:`criterion_present`)."""
    met = 0
    for j in range(criteria.shape[1]):
        met += criterion_present(j, criteria[i, j], has_council[i], has_chairman[i], threshold)
    return met


@kernel
def count_criteria(criteria: np.ndarray, has_council: np.ndarray, has_chairman: np.ndarray,
                   threshold: float) -> np.ndarray:
    """:func:`criteria_met` of every village."""
    met = np.zeros(criteria.shape[0], np.int64)
    for i in range(criteria.shape[0]):
        met[i] = criteria_met(i, criteria, has_council, has_chairman, threshold)
    return met


@dataclass
class VillageTable(Table):
    """Column store for every village (one row each)."""

    x: np.ndarray
    y: np.ndarray
    population: np.ndarray
    market: np.ndarray  # economic weight, 0 (none) .. 5 (regional hub)
    oil: np.ndarray
    district: np.ndarray  # index into Geography.districts
    zone: np.ndarray  # index into Geography.zones
    sdf_held: np.ndarray  # under SDF/AANES administration
    has_council: np.ndarray
    has_chairman: np.ndarray
    officials: np.ndarray  # council members and security officials in post
    pledged: np.ndarray  # share of officials who swore allegiance to IS
    trust: np.ndarray  # trust in the administration and its forces, 0..1
    trust_baseline: np.ndarray  # what trust relaxes towards without shocks
    fear: np.ndarray  # fear of IS, 0..1
    influence: np.ndarray  # IS control over the population, 0..1
    sympathy: np.ndarray  # how far IS can recruit here at all, 0..1
    tawba_pressure: np.ndarray  # memory of repentance campaigns, 0..1
    guard: np.ndarray  # SDF presence from patrols and garrisons, 0..1
    is_present: np.ndarray  # IS fighters present tonight
    bargain: np.ndarray  # an elite bargain holds here (the al-Karama model)
    cache: np.ndarray  # IS weapons and explosives hidden here, USD (supply_lines)
    criteria: np.ndarray  # (n, len(CRITERIA)) recent counts

    @classmethod
    def empty(cls) -> VillageTable:
        """A table with no rows."""
        def col(dtype: type) -> np.ndarray:
            return np.zeros(0, dtype=dtype)

        return cls(
            **{
                name: col(dtype)
                for name, dtype in [
                    ("x", np.int32), ("y", np.int32), ("population", np.int64), ("market", float),
                    ("oil", bool), ("district", np.int16), ("zone", np.int16),
                    ("sdf_held", bool), ("has_council", bool), ("has_chairman", bool),
                    ("officials", np.int32), ("pledged", float), ("trust", float),
                    ("trust_baseline", float), ("fear", float), ("influence", float),
                    ("sympathy", float), ("tawba_pressure", float), ("guard", float),
                    ("is_present", np.int32), ("bargain", bool), ("cache", float),
                ]
            },
            criteria=np.zeros((0, len(CRITERIA))),
        )

    def criteria_present(self, threshold: float) -> np.ndarray:
        """(n, criteria) True where a criterion's recent count is at least ``threshold`` (:func:`present_criteria`)."""
        return present_criteria(self.criteria, self.has_council, self.has_chairman, float(threshold))

    def criteria_met(self, threshold: float) -> np.ndarray:
        """How many of the eight criteria each village meets."""
        return count_criteria(self.criteria, self.has_council, self.has_chairman, float(threshold))

    def stronghold_score(self, threshold: float) -> np.ndarray:
        """Share of the eight criteria whose recent count is at least ``threshold``."""
        return self.criteria_met(threshold) / self.criteria.shape[1]  # the mean of the present ones, to the bit


class Village(RowAgent, FixedAgent):
    """A settlement on the map. Its state lives in ``model.villages`` (a VillageTable)."""

    population = Column()
    market = Column()
    oil = Column()
    has_council = Column()
    has_chairman = Column()
    officials = Column()
    pledged = Column()
    trust = Column()
    fear = Column()
    influence = Column()
    sympathy = Column()
    tawba_pressure = Column()
    guard = Column()
    is_present = Column()
    bargain = Column()
    cache = Column()

    table_name = "villages"

    def __init__(self, model, row: int, cell, name: str) -> None:
        super().__init__(model, row, cell)
        self.name = name

    @property
    def district(self) -> str:
        """Name of the district the village lies in."""
        return str(self.model.world.district_of[self.row])

    @property
    def zone(self) -> str:
        """The zone of the brief's analysis (east_strip, karama_raqqa, hasaka, ...)."""
        return str(self.model.world.zone_of[self.row])

    @property
    def criteria(self) -> dict[str, float]:
        """Recent count of each stronghold criterion."""
        return dict(zip(CRITERIA, self.table.criteria[self.row].tolist(), strict=True))

    @property
    def stronghold_score(self) -> float:
        """Share of stronghold criteria present (0..1)."""
        return float(self.table.stronghold_score(self.model.p.stronghold_criterion_count)[self.row])

    def __repr__(self) -> str:
        return f"Village({self.name!r}, influence={self.influence:.2f}, trust={self.trust:.2f})"
