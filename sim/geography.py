"""The map: reads a character map (TOML) into terrain, district and control arrays.

Map files live in ``scenarios/maps/``. A map has a terrain grid and a district grid of equal
size, each character explained by a legend, a list of named places with their attributes, and
roads as chains of named places. Arrays here are in Mesa's orientation, indexed ``[x, y]``
with ``y = 0`` at the southern edge; the file's first row is the northern edge.
"""

from __future__ import annotations

import itertools
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

from sim.errors import InputError

TERRAINS: tuple[str, ...] = (
    "river", "farmland", "village", "urban", "steppe", "desert", "camp", "border", "iraq",
)
HOLDERS: tuple[str, ...] = ("sdf", "regime", "iraq")
SETTLEMENT_TERRAINS = ("village", "urban", "camp")
PLACE_KINDS = ("city", "town", "village", "neighbourhood", "camp", "prison")


@dataclass(frozen=True)
class District:
    """A district of the map: who holds it and which zone of the brief it belongs to."""

    char: str
    name: str
    holder: str
    zone: str
    village_market: float | None = None  # market weight of its unnamed villages (None: the parameter)


@dataclass(frozen=True)
class Place:
    """A named place from the map file (x, y in Mesa coordinates)."""

    name: str
    x: int
    y: int
    kind: str
    population: int
    market: float
    oil: bool
    tribe: str
    note: str = ""


@dataclass
class Geography:
    """Everything the model needs to know about the place."""

    path: Path
    name: str
    km_per_cell: float
    width: int
    height: int
    terrain: np.ndarray  # [x, y] index into TERRAINS
    district: np.ndarray  # [x, y] index into districts
    road: np.ndarray  # [x, y] bool
    districts: list[District]
    places: list[Place]
    zones: list[str] = field(default_factory=list)
    tribes: list[str] = field(default_factory=list)

    @cached_property
    def holder(self) -> np.ndarray:
        """[x, y] index into HOLDERS: who controls each cell."""
        lookup = np.array([HOLDERS.index(d.holder) for d in self.districts])
        return lookup[self.district]

    @cached_property
    def zone(self) -> np.ndarray:
        """[x, y] index into ``zones``."""
        lookup = np.array([self.zones.index(d.zone) for d in self.districts])
        return lookup[self.district]

    def is_terrain(self, name: str) -> np.ndarray:
        """Boolean [x, y] mask of one terrain kind."""
        return self.terrain == TERRAINS.index(name)

    def layers(self) -> dict[str, np.ndarray]:
        """The static property layers: terrain masks, roads, holder and district codes."""
        layers = {
            "river": self.is_terrain("river"),
            "farmland": self.is_terrain("farmland") | self.is_terrain("village"),
            "desert": self.is_terrain("desert"),
            "steppe": self.is_terrain("steppe") | self.is_terrain("camp"),
            "urban": self.is_terrain("urban"),
            "road": self.road,
            "border": self.is_terrain("border"),
            "iraq": self.is_terrain("iraq"),
        }
        out = {name: mask.astype(float) for name, mask in layers.items()}
        out["holder"] = self.holder.astype(float)
        out["district"] = self.district.astype(float)
        return out

    def place(self, name: str) -> Place:
        """The named place (KeyError naming the known places if absent)."""
        for p in self.places:
            if p.name == name:
                return p
        raise KeyError(f"no place {name!r} on map {self.path.name}; known: {', '.join(p.name for p in self.places)}")

    def district_index(self, name: str) -> int:
        """Index of a district by name."""
        names = [d.name for d in self.districts]
        if name not in names:
            raise KeyError(name)
        return names.index(name)


def _grid(text: str, path: Path, key: str, legend: dict[str, object]) -> list[str]:
    rows = [row for row in text.strip("\n").split("\n")]
    if not rows or not rows[0]:
        raise InputError(path, key, "the grid is empty")
    width = len(rows[0])
    for i, row in enumerate(rows):
        if len(row) != width:
            raise InputError(path, f"{key} row {i}", f"has {len(row)} characters, the first row has {width}")
        unknown = sorted(set(row) - set(legend))
        if unknown:
            raise InputError(path, f"{key} row {i}", f"unknown characters {unknown}",
                             allowed=", ".join(sorted(legend)))
    return rows


def _line(a: tuple[int, int], b: tuple[int, int]) -> list[tuple[int, int]]:
    n = max(abs(b[0] - a[0]), abs(b[1] - a[1]), 1)
    return [(round(a[0] + (b[0] - a[0]) * k / n), round(a[1] + (b[1] - a[1]) * k / n)) for k in range(n + 1)]


def load_map(path: str | Path) -> Geography:
    """Read and check a map file; raises InputError naming the file and key on bad input."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, None, "map file not found")
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise InputError(path, None, f"not valid TOML: {exc}") from exc
    for key in ("terrain_legend", "district_legend", "terrain", "districts", "places", "km_per_cell"):
        if key not in data:
            raise InputError(path, key, "missing")
    t_legend: dict[str, str] = data["terrain_legend"]
    for char, kind in t_legend.items():
        if kind not in TERRAINS:
            raise InputError(path, f"terrain_legend.{char}", f"unknown terrain {kind!r}", ", ".join(TERRAINS))
    districts = []
    for char, spec in data["district_legend"].items():
        if spec.get("holder") not in HOLDERS:
            raise InputError(path, f"district_legend.{char}.holder", f"{spec.get('holder')!r}", ", ".join(HOLDERS))
        market = spec.get("village_market")
        if market is not None and not (isinstance(market, int | float) and 0 <= market <= 5):
            raise InputError(path, f"district_legend.{char}.village_market", f"{market!r}", "a number from 0 to 5")
        districts.append(District(char, spec["name"], spec["holder"], spec["zone"],
                                  None if market is None else float(market)))
    d_legend = {d.char: i for i, d in enumerate(districts)}
    t_rows = _grid(data["terrain"], path, "terrain", t_legend)
    d_rows = _grid(data["districts"], path, "districts", d_legend)
    if (len(t_rows), len(t_rows[0])) != (len(d_rows), len(d_rows[0])):
        raise InputError(path, "districts", "the district grid must be the same size as the terrain grid")
    height, width = len(t_rows), len(t_rows[0])
    # file rows run north to south; Mesa's y runs south to north
    terrain = np.array([[TERRAINS.index(t_legend[c]) for c in row] for row in t_rows]).T[:, ::-1].copy()
    district = np.array([[d_legend[c] for c in row] for row in d_rows]).T[:, ::-1].copy()

    places = []
    for i, spec in enumerate(data["places"]):
        key = f"places[{i}] ({spec.get('name', '?')})"
        if spec.get("kind") not in PLACE_KINDS:
            raise InputError(path, f"{key}.kind", f"{spec.get('kind')!r}", ", ".join(PLACE_KINDS))
        col, row = spec["x"], spec["y"]
        if not (0 <= col < width and 0 <= row < height):
            raise InputError(path, key, f"cell ({col}, {row}) is off the {width}x{height} map")
        places.append(Place(spec["name"], int(col), height - 1 - int(row), spec["kind"], int(spec["population"]),
                            float(spec["market"]), bool(spec["oil"]), spec["tribe"], spec.get("note", "")))
    by_name = {p.name: p for p in places}
    road = np.zeros((width, height), dtype=bool)
    for i, chain in enumerate(data.get("roads", [])):
        for name in chain:
            if name not in by_name:
                raise InputError(path, f"roads[{i}]", f"unknown place {name!r}", "names of [[places]]")
        for a, b in itertools.pairwise(chain):
            for x, y in _line((by_name[a].x, by_name[a].y), (by_name[b].x, by_name[b].y)):
                road[x, y] = True
    zones = sorted({d.zone for d in districts})
    tribes = sorted({p.tribe for p in places} | {"local"})
    return Geography(path, data.get("name", path.stem), float(data["km_per_cell"]), width, height,
                     terrain, district, road, districts, places, zones, tribes)
