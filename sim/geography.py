"""The map: reads a character map (TOML) into terrain, district and control arrays.

Map files live in ``scenarios/maps/``. A map has a terrain grid and a district grid of equal
size, each character explained by a legend, a list of named places with their attributes, and
roads as chains of named places. Arrays here are in Mesa's orientation, indexed ``[x, y]``
with ``y = 0`` at the southern edge; the file's first row is the northern edge.
"""

from __future__ import annotations

import difflib
import itertools
import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.errors import InputError, as_written, value_kind
from sim.tomlfile import parse_toml

if TYPE_CHECKING:
    from sim.scenario import Scenario

TERRAINS: tuple[str, ...] = (
    "river", "farmland", "village", "urban", "steppe", "desert", "camp", "border", "iraq",
)
HOLDERS: tuple[str, ...] = ("sdf", "regime", "iraq")
SETTLEMENT_TERRAINS = ("village", "urban", "camp")
PLACE_KINDS = ("city", "town", "village", "neighbourhood", "camp", "prison")
#: the zones of the brief's analysis; the model's initial trust and influence depend on them
ZONES: tuple[str, ...] = (
    "karama_raqqa", "west", "east_strip", "hasaka_south", "hasaka", "north", "regime", "badia", "iraq",
)
MAP_KEYS = ("name", "km_per_cell", "roads", "terrain", "districts", "terrain_legend", "district_legend", "places")
DISTRICT_KEYS = ("name", "holder", "zone", "village_market", "governorate")
#: Governorates a district may belong to; the Rojava Information Center reports attacks by
#: governorate, so each district says its own (empty for none).
GOVERNORATES: tuple[str, ...] = ("deir_ez_zor", "raqqa", "hasaka", "aleppo", "homs", "iraq")
PLACE_KEYS = ("name", "x", "y", "kind", "population", "market", "oil", "tribe", "note")
MAX_MARKET = 5  # 0 = no market .. 5 = regional hub
#: memory a model needs per map cell (Mesa's grid cell, its property layers, the agents on a
#: typical map): measured 1.4 kB on the shipped map, rounded up
BYTES_PER_CELL = 2048
TEXT_COPIES = 16  # memory to read and parse a TOML file, per byte of it (the text, its lines, the parse)


@dataclass(frozen=True)
class District:
    """A district of the map: who holds it and which zone of the brief it belongs to."""

    char: str
    name: str
    holder: str
    zone: str
    village_market: float | None = None  # market weight of its unnamed villages (None: the parameter)
    governorate: str = ""  # Syrian governorate (or "iraq"); "" where the map does not say


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


@dataclass(frozen=True)
class Settlements:
    """The map's settlement squares (village, urban and camp terrain), sorted by (x, y), and what the map
    says of each: where the model makes its villages. Arrays are read-only (shared by every model)."""

    x: np.ndarray
    y: np.ndarray
    district: np.ndarray  # index into Geography.districts
    zone: np.ndarray  # index into Geography.zones
    camp: tuple[bool, ...]  # a camp square (shepherd communities)
    place: tuple[Place | None, ...]  # the named place on the square (prisons are not settlements)
    names: tuple[str, ...]  # the place's name, or "camp x,y" / "village x,y"


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

    @cached_property
    def settlements(self) -> Settlements:
        """The settlement squares and what the map says of each (made once per map)."""
        settlement = np.isin(self.terrain, [TERRAINS.index(t) for t in SETTLEMENT_TERRAINS])
        x, y = (a.astype(np.int64) for a in np.nonzero(settlement))  # row-major: sorted by (x, y)
        named = {(pl.x, pl.y): pl for pl in self.places if pl.kind != "prison"}
        camp = tuple((self.terrain[x, y] == TERRAINS.index("camp")).tolist())
        place = tuple(named.get(xy) for xy in zip(x.tolist(), y.tolist(), strict=True))
        names = tuple(pl.name if pl is not None else f"{'camp' if c else 'village'} {a},{b}"
                      for pl, c, a, b in zip(place, camp, x.tolist(), y.tolist(), strict=True))
        arrays = [x, y, self.district[x, y], self.zone[x, y]]
        for a in arrays:
            a.flags.writeable = False
        return Settlements(*arrays, camp, place, names)

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


def memory_limit() -> int:
    """Bytes a model may use: half of this machine's physical memory."""
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 2
    except (ValueError, OSError, AttributeError):  # not POSIX: assume 8 GB
        return 4 * 2**30


def _size(n_bytes: float) -> str:
    for unit in ("bytes", "kB", "MB", "GB", "TB", "PB"):
        if n_bytes < 1024 or unit == "PB":
            return f"{n_bytes:,.0f} {unit}" if unit == "bytes" else f"{n_bytes:,.1f} {unit}"
        n_bytes /= 1024
    raise AssertionError("unreachable")


def check_map_size(path: Path, n_cells: int, what: str) -> None:
    """InputError if a map of ``n_cells`` would not fit in memory (with the size it would need)."""
    needed, limit = n_cells * BYTES_PER_CELL, memory_limit()
    if needed > limit:
        raise InputError(path, "terrain", f"{what} needs about {_size(needed)} of memory "
                         f"({n_cells:,} cells x {_size(BYTES_PER_CELL)}), more than this machine can give a run",
                         allowed=f"a map of at most {limit // BYTES_PER_CELL:,} cells ({_size(limit)}) here")


def _kind(value: Any, types: type | tuple[type, ...]) -> bool:
    """``isinstance`` where a bool is not a number."""
    return isinstance(value, types) and not (isinstance(value, bool) and bool not in (
        types if isinstance(types, tuple) else (types,)))


def _need(path: Path, key: str, value: Any, types: type | tuple[type, ...], allowed: str) -> Any:
    if not _kind(value, types):
        problem = "missing" if value is None else f"wrong type: {as_written(value)} is {value_kind(value)}"
        raise InputError(path, key, problem, allowed=allowed)
    return value


def _text(path: Path, key: str, value: Any, what: str = "a non-empty text") -> str:
    if not isinstance(_need(path, key, value, str, what), str) or not value.strip():
        raise InputError(path, key, "empty", allowed=what)
    return value


def _unknown_keys(path: Path, key: str, table: dict[str, Any], allowed: tuple[str, ...]) -> None:
    for name in table:
        if name not in allowed:
            hint = difflib.get_close_matches(name, allowed, n=1)
            problem = "unknown key" + (f"; did you mean {hint[0]!r}?" if hint else "")
            raise InputError(path, f"{key}.{name}" if key else name, problem, allowed=", ".join(allowed))


def _read_toml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise InputError(path, None, "map file not found", allowed="a map file such as scenarios/maps/nes.toml")
    size, limit = path.stat().st_size, memory_limit()
    if size * TEXT_COPIES > limit:  # refused before it is read: reading alone would exhaust memory
        needed = _size(size * TEXT_COPIES)
        raise InputError(path, None, f"is {_size(size)}: reading it needs about {needed} of memory, more than this "
                         "machine can give a run", allowed=f"a map file under {_size(limit // TEXT_COPIES)}")
    return parse_toml(path)


def _grid(text: Any, path: Path, key: str, legend: dict[str, object]) -> list[str]:
    _need(path, key, text, str, "a multi-line string, one character per cell")
    rows = [row.rstrip("\r") for row in text.strip("\n").split("\n")]
    if not rows or not rows[0]:
        raise InputError(path, key, "the grid is empty", allowed="a multi-line string, one character per cell")
    width = len(rows[0])
    check_map_size(path, width * len(rows), f"a {width}x{len(rows)} map")
    for i, row in enumerate(rows):
        if len(row) != width:
            raise InputError(path, f"{key} row {i}", f"has {len(row)} characters, the first row has {width}",
                             allowed=f"{width} characters in every row")
        unknown = sorted(set(row) - set(legend))
        if unknown:
            raise InputError(path, f"{key} row {i}", f"unknown characters {unknown}",
                             allowed=", ".join(sorted(legend)))
    return rows


def _line(a: tuple[int, int], b: tuple[int, int]) -> list[tuple[int, int]]:
    n = max(abs(b[0] - a[0]), abs(b[1] - a[1]), 1)
    return [(round(a[0] + (b[0] - a[0]) * k / n), round(a[1] + (b[1] - a[1]) * k / n)) for k in range(n + 1)]


def _legend(path: Path, key: str, value: Any) -> dict[str, Any]:
    table = _need(path, key, value, dict, "a table of single characters")
    if not table:
        raise InputError(path, key, "empty", allowed="at least one character")
    for char in table:
        if len(char) != 1 or char in "\n\r":
            raise InputError(path, f"{key}.{char}", "a legend key must be one character", allowed="one character")
    return table


def _districts(path: Path, legend: dict[str, Any]) -> list[District]:
    districts, names = [], set()
    for char, spec in legend.items():
        key = f"district_legend.{char}"
        _need(path, key, spec, dict, "a table with name, holder and zone")
        _unknown_keys(path, key, spec, DISTRICT_KEYS)
        name = _text(path, f"{key}.name", spec.get("name"), "a district name, unique on the map")
        if name in names:
            raise InputError(path, f"{key}.name", f"{name!r} is used by another district", allowed="unique names")
        names.add(name)
        holder = spec.get("holder")
        if holder not in HOLDERS:
            raise InputError(path, f"{key}.holder", "missing" if holder is None else f"unknown holder {holder!r}",
                             allowed=", ".join(HOLDERS))
        zone = spec.get("zone")
        if zone not in ZONES:
            raise InputError(path, f"{key}.zone", "missing" if zone is None else f"unknown zone {zone!r}",
                             allowed=", ".join(ZONES))
        market = spec.get("village_market")
        if market is not None and not (_kind(market, int | float) and 0 <= market <= MAX_MARKET):
            raise InputError(path, f"{key}.village_market", as_written(market),
                             allowed=f"a number from 0 to {MAX_MARKET}")
        governorate = spec.get("governorate", "")
        if governorate and governorate not in GOVERNORATES:
            raise InputError(path, f"{key}.governorate", f"unknown governorate {governorate!r}",
                             allowed=", ".join(GOVERNORATES))
        districts.append(District(char, name, holder, zone, None if market is None else float(market), governorate))
    return districts


def _place(path: Path, i: int, spec: Any, width: int, height: int) -> Place:
    key = f"places[{i}]"
    _need(path, key, spec, dict, "a [[places]] table")
    _unknown_keys(path, key, spec, PLACE_KEYS)
    name = _text(path, f"{key}.name", spec.get("name"), "the place's name, unique on the map")
    key = f"places[{i}] ({name})"
    if spec.get("kind") not in PLACE_KINDS:
        raise InputError(path, f"{key}.kind", "missing" if spec.get("kind") is None else as_written(spec.get("kind")),
                         allowed=", ".join(PLACE_KINDS))
    col = _need(path, f"{key}.x", spec.get("x"), int, f"a whole number from 0 to {width - 1}")
    row = _need(path, f"{key}.y", spec.get("y"), int, f"a whole number from 0 to {height - 1}")
    if not (0 <= col < width and 0 <= row < height):
        raise InputError(path, key, f"cell ({col}, {row}) is off the {width}x{height} map",
                         allowed=f"x from 0 to {width - 1}, y from 0 to {height - 1}")
    least = 0 if spec["kind"] == "prison" else 1  # a prison's inmates are counted as detainees
    population = _need(path, f"{key}.population", spec.get("population"), int, f"a whole number, {least} or more")
    if not least <= population <= 10**9:
        raise InputError(path, f"{key}.population", f"{population}" + (" (not positive)" if population < 1 else ""),
                         allowed=f"{least} to 1,000,000,000")
    market = _need(path, f"{key}.market", spec.get("market"), int | float, f"a number from 0 to {MAX_MARKET}")
    if not 0 <= market <= MAX_MARKET:
        raise InputError(path, f"{key}.market", f"{market}", allowed=f"a number from 0 to {MAX_MARKET}")
    oil = _need(path, f"{key}.oil", spec.get("oil"), bool, "true or false")
    tribe = _text(path, f"{key}.tribe", spec.get("tribe"), "the kin network's name")
    note = _need(path, f"{key}.note", spec.get("note", ""), str, "free text")
    return Place(name, col, height - 1 - row, spec["kind"], population, float(market), oil, tribe, note)


def load_map(path: str | Path) -> Geography:
    """Read and check a map file; raises InputError naming the file and key on bad input."""
    path = Path(path)
    data = _read_toml(path)
    _unknown_keys(path, "", data, MAP_KEYS)
    for key in ("terrain_legend", "district_legend", "terrain", "districts", "places", "km_per_cell"):
        if key not in data:
            raise InputError(path, key, "missing")
    km = _need(path, "km_per_cell", data["km_per_cell"], int | float, "a positive number of km")
    if not 0 < km < 1e6:
        raise InputError(path, "km_per_cell", f"{km}", allowed="a positive number of km, below 1,000,000")
    name = _need(path, "name", data.get("name", path.stem), str, "text")
    t_legend: dict[str, str] = _legend(path, "terrain_legend", data["terrain_legend"])
    for char, kind in t_legend.items():
        if kind not in TERRAINS:
            raise InputError(path, f"terrain_legend.{char}", f"unknown terrain {kind!r}", ", ".join(TERRAINS))
    districts = _districts(path, _legend(path, "district_legend", data["district_legend"]))
    d_legend = {d.char: i for i, d in enumerate(districts)}
    t_rows = _grid(data["terrain"], path, "terrain", t_legend)
    d_rows = _grid(data["districts"], path, "districts", d_legend)
    if (len(t_rows), len(t_rows[0])) != (len(d_rows), len(d_rows[0])):
        raise InputError(path, "districts", f"the district grid is {len(d_rows[0])}x{len(d_rows)}",
                         allowed=f"the terrain grid's size, {len(t_rows[0])}x{len(t_rows)}")
    height, width = len(t_rows), len(t_rows[0])
    # file rows run north to south; Mesa's y runs south to north
    terrain = np.array([[TERRAINS.index(t_legend[c]) for c in row] for row in t_rows]).T[:, ::-1].copy()
    district = np.array([[d_legend[c] for c in row] for row in d_rows]).T[:, ::-1].copy()

    places = [_place(path, i, spec, width, height)
              for i, spec in enumerate(_need(path, "places", data["places"], list, "a list of [[places]] tables"))]
    _check_places(path, places, terrain)
    by_name = {p.name: p for p in places}
    road = np.zeros((width, height), dtype=bool)
    for i, chain in enumerate(_need(path, "roads", data.get("roads", []), list, "a list of lists of place names")):
        if not isinstance(chain, list) or len(chain) < 2:
            raise InputError(path, f"roads[{i}]", as_written(chain), allowed="a list of at least two place names")
        for place in chain:
            if place not in by_name:
                raise InputError(path, f"roads[{i}]", f"unknown place {place!r}", "names of [[places]]")
        for a, b in itertools.pairwise(chain):
            for x, y in _line((by_name[a].x, by_name[a].y), (by_name[b].x, by_name[b].y)):
                road[x, y] = True
    zones = sorted({d.zone for d in districts})
    tribes = sorted({p.tribe for p in places} | {"local", "shepherds"})
    return Geography(path, name, float(km), width, height, terrain, district, road, districts, places, zones, tribes)


def _check_places(path: Path, places: list[Place], terrain: np.ndarray) -> None:
    """Names unique; a settlement stands on a settlement cell, one per cell (else the model drops it)."""
    settlement = {TERRAINS.index(t) for t in SETTLEMENT_TERRAINS}
    seen: dict[str, int] = {}
    at: dict[tuple[int, int], str] = {}
    for i, place in enumerate(places):
        key = f"places[{i}] ({place.name})"
        if place.name in seen:
            raise InputError(path, f"{key}.name", f"also the name of places[{seen[place.name]}]",
                             allowed="unique names")
        seen[place.name] = i
        if place.kind == "prison":
            continue
        here = TERRAINS[terrain[place.x, place.y]]
        if terrain[place.x, place.y] not in settlement:
            raise InputError(path, key, f"stands on a {here} cell, where the model makes no village",
                             allowed="a cell of terrain " + ", ".join(SETTLEMENT_TERRAINS))
        if (place.x, place.y) in at:
            raise InputError(path, key, f"on the same cell as {at[place.x, place.y]!r}", allowed="one place per cell")
        at[place.x, place.y] = place.name


def check_buildable(scenario: Scenario) -> None:
    """Build the scenario's model once (no day run), so a map it cannot use fails now, not mid-run."""
    from sim.model import InsurgencyModel

    try:
        InsurgencyModel(scenario, rng=scenario.seed)
    except InputError:
        raise
    except Exception as exc:  # what the structural checks above do not foresee
        raise InputError(scenario.map_path, None, f"the model cannot be built on this map with {scenario.path}'s "
                         f"parameters: {type(exc).__name__}: {exc}",
                         allowed="a map with what the model places its agents on, like scenarios/maps/nes.toml: "
                         "SDF-held camps and villages of the east_strip zone, regime-held desert near a river",
                         ) from None
