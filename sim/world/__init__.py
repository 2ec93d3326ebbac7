"""The world a run starts from: villages, traders, cells and units on the map, and where cells hide.

The map itself is read by :mod:`sim.geography`; this package builds the initial conditions from it
(:mod:`sim.world.initial`), places hideouts (:mod:`sim.world.hideouts`), forms cells
(:mod:`sim.world.population`) and keeps the static lookups every mechanism uses: the spatial
index of villages, and each village's name, district, zone and governorate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from sim.world import hideouts, population
from sim.world.hideouts import Hideouts
from sim.world.space import VillageIndex

if TYPE_CHECKING:
    from sim.model import InsurgencyModel

PARAMS: tuple[str, ...] = (
    # strength and wealth of the sides on day one
    "is_fighters_total", "is_fighters_2019_factor", "is_supporters_total", "region_share_of_is", "is_money_initial_usd",
    "sdf_fighters_region", "sdf_unit_size", "sdf_local_share_initial", "garrison_population_exponent",
    "detainees_initial",
    # villages, markets and traders
    "village_population", "camp_population", "village_market", "traders_per_market_unit",
    "trader_wealth_median_usd", "trader_wealth_sigma", "council_share_northeast", "council_share_other",
    # the oil and smuggling economy of the triangle (EUI 2022, s.2, fn 24)
    "oil_economy_enabled", "oil_trader_wealth_factor", "oil_traders_per_village",
    # starting trust, sympathy and influence by zone
    "trust_east", "trust_karama_raqqa", "trust_hasaka", "trust_hasaka_neighbourhoods", "trust_other",
    "sympathy_hasaka_neighbourhoods", "initial_influence_east", "initial_influence_other",
    # the validation's comparable start (issue 13)
    "comparable_start", "initial_influence_former_is", "council_share_initial_east",
    *hideouts.PARAMS, *population.PARAMS,
)
"""The parameters the world owns (initial conditions, hideouts and cell formation)."""

READS: tuple[str, ...] = ("officials_per_council", "trader_daily_return", "zakat_interval_days")
"""Parameters owned by mechanisms that the initial conditions also read."""


def read_only(array: np.ndarray) -> np.ndarray:
    """``array``, marked read-only: a static lookup shared by every caller."""
    array.flags.writeable = False
    return array


@dataclass
class World:
    """Static lookups: names, districts, zones and governorates of the villages, and the spatial index."""

    village_names: list[str]
    village_index: dict[str, int]  # row of each village by name
    district_names: np.ndarray  # per district
    governorate_of_district: np.ndarray  # per district ("" where the map gives none)
    sdf_districts: np.ndarray  # per district: held by the SDF at the start
    zone_of: np.ndarray  # per village
    district_of: np.ndarray  # per village (name)
    governorate_of: np.ndarray  # per village
    index: VillageIndex
    hideouts: Hideouts
    on_road: np.ndarray  # per village: its square is on a road (roads never change during a run)
    # the villages' square and district in numpy's index type (the table's columns are int32/int16,
    # and numpy gathers through such index arrays several times slower): villages never move
    village_x: np.ndarray
    village_y: np.ndarray
    village_district: np.ndarray
    _in_zone: dict[str, np.ndarray] = field(default_factory=dict, repr=False, compare=False)

    def in_zone(self, zone: str) -> np.ndarray:
        """True for the villages of ``zone`` (villages never change zone, so each mask is built once)."""
        mask = self._in_zone.get(zone)
        if mask is None:
            mask = self._in_zone[zone] = self.zone_of == zone
            mask.flags.writeable = False  # shared by every caller
        return mask

    @classmethod
    def build(cls, model: InsurgencyModel, names: list[str]) -> World:
        """Lookups for ``model``'s map and villages (``model.villages`` must be built)."""
        g, v = model.geography, model.villages
        district_names = np.array([d.name for d in g.districts])
        governorates = np.array([d.governorate for d in g.districts])
        return cls(
            village_names=names, village_index={n: i for i, n in enumerate(names)},
            district_names=district_names, governorate_of_district=governorates,
            sdf_districts=np.array([d.holder == "sdf" for d in g.districts]),
            zone_of=np.array([g.zones[z] for z in v.zone]), district_of=district_names[v.district],
            governorate_of=governorates[v.district], index=VillageIndex(g.width, g.height, v.x, v.y),
            hideouts=Hideouts(model), on_road=read_only(model.grid.road.data[v.x, v.y] > 0),
            village_x=read_only(v.x.astype(np.intp)), village_y=read_only(v.y.astype(np.intp)),
            village_district=read_only(v.district.astype(np.intp)),
        )
