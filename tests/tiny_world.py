"""A tiny hand-built world for mechanism tests: a 10 x 6 map written to a temporary folder.

North bank (SDF-held): the Raqqa district in the west (towns "Westtown", "Northvillage") and the
eastern strip in the east ("Easttown", a market, "Eastvillage", and a shepherd "Camp"); a river;
the regime-held Badia desert to the south. With the default overrides below the world holds one
or two IS cells, one SDF unit (100 fighters, garrisoned in a town) and a handful of traders.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import sim

MAP = """
name = "tiny test world"
km_per_cell = 5.0
roads = [["Westtown", "Easttown"]]

terrain = '''
svsssvscsd
sfufsfufss
~~~~~~~~~~
dddddddddd
dddddddddd
dddddddddd
'''

districts = '''
RRRRRTTTTT
RRRRRTTTTT
RRRRRTTTTT
BBBBBBBBBB
BBBBBBBBBB
BBBBBBBBBB
'''

[terrain_legend]
"~" = "river"
"f" = "farmland"
"v" = "village"
"u" = "urban"
"s" = "steppe"
"d" = "desert"
"c" = "camp"

[district_legend]
R = { name = "raqqa", holder = "sdf", zone = "karama_raqqa", governorate = "raqqa" }
T = { name = "zakat_triangle", holder = "sdf", zone = "east_strip", governorate = "deir_ez_zor" }
B = { name = "badia", holder = "regime", zone = "badia", governorate = "deir_ez_zor" }

[[places]]
name = "Westtown"
x = 2
y = 1
kind = "town"
population = 20000
market = 2
oil = false
tribe = "west"

[[places]]
name = "Northvillage"
x = 1
y = 0
kind = "village"
population = 2000
market = 0
oil = false
tribe = "west"

[[places]]
name = "Easttown"
x = 6
y = 1
kind = "town"
population = 20000
market = 3
oil = false
tribe = "east"

[[places]]
name = "Eastvillage"
x = 5
y = 0
kind = "village"
population = 2000
market = 0
oil = false
tribe = "east"

[[places]]
name = "Camp"
x = 7
y = 0
kind = "camp"
population = 300
market = 0
oil = false
tribe = "shepherds"

[[places]]
name = "Prison"
x = 4
y = 1
kind = "prison"
population = 0
market = 0
oil = false
tribe = "west"
"""

SMALL = {
    "is_fighters_total": 100, "is_fighters_2019_factor": 1.0, "cell_size_mean": 4.5, "region_share_of_is": 0.05,
    "is_supporters_total": 20,
    "sdf_fighters_region": 100, "sdf_unit_size": 100, "traders_per_market_unit": 2,
    "trader_wealth_median_usd": 50000.0, "trader_wealth_sigma": 0.0, "detainees_initial": 50,
}
"""Parameter overrides that make the world tiny: 5 fighters, one unit, ten traders."""


def tiny_scenario(folder: Path, months: int = 2, events: list[dict[str, Any]] | None = None,
                  start: dt.date = dt.date(2019, 4, 1), **parameters: Any) -> sim.Scenario:
    """Write the tiny map and a scenario on it into ``folder`` and load the scenario."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tiny_map.toml").write_text(MAP)
    values = {**SMALL, **parameters}
    lines = ['name = "tiny"', 'description = "tiny test world"', 'map = "tiny_map.toml"',
             f"start = {start.isoformat()}", f"months = {months}", "seed = 1", "", "[parameters]"]
    lines += [f"{k} = {_toml(v)}" for k, v in values.items()]
    for event in events or []:
        lines += ["", "[[events]]", *(f"{k} = {_toml(v)}" for k, v in event.items())]
    path = folder / "tiny.toml"
    path.write_text("\n".join(lines) + "\n")
    return sim.load_scenario(path)


def tiny_model(folder: Path, seed: int = 1, months: int = 2, events: list[dict[str, Any]] | None = None,
               **parameters: Any) -> sim.InsurgencyModel:
    """A model of the tiny world (not yet run)."""
    return sim.InsurgencyModel(tiny_scenario(folder, months, events, **parameters), rng=seed)


def embed_cell(m: sim.InsurgencyModel, row: int, village: str) -> int:
    """Base cell ``row`` inside ``village``; returns the village row."""
    i = m.village_index[village]
    m.mechanisms.cell_bases.move(row, int(m.villages.x[i]), int(m.villages.y[i]))
    return i


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return repr(value)
