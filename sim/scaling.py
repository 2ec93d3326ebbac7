"""Scaled-up maps and scenarios, for benchmarks: the same region repeated ``nx`` x ``ny`` times.

:func:`tile_map` writes a map whose terrain and district grids are the original tiled, with every
named place and road copied into each tile (names suffixed ``" #2"``, ``" #3"``...), so that the
number of villages, traders, IS cells and SDF units grows about ``nx * ny`` times at the same
density. :func:`scaled_scenario` writes such a map and a scenario beside it that extends the
baseline, with IS's and the SDF's strength multiplied by the same factor; :func:`scaled_model`
builds a model on it.

Some strengths multiplied by 100 or 1000 exceed the ranges of ``seeds/parameters.toml`` (for
example ``is_fighters_total`` allows at most 10,000). Those values cannot go into a scenario file
(the loader checks ranges), so :func:`scaled_scenario` leaves them out of the file and
:func:`scaled_model` sets them on the model's parameters without the range check.

>>> from sim.scaling import scaled_model
>>> model = scaled_model(2, months=1, rng=1)  # doctest: +SKIP
"""

from __future__ import annotations

import json
import math
import os
import tempfile
import tomllib
from pathlib import Path
from typing import Any

from sim.batch import atomic_write
from sim.model import InsurgencyModel
from sim.parameters import Parameters
from sim.resources import scenarios_dir
from sim.scenario import Scenario, load_scenario

#: Parameters that are head counts of the whole map, multiplied by the scale factor.
SCALED_PARAMETERS: tuple[str, ...] = (
    "is_fighters_total", "is_supporters_total", "sdf_fighters_region", "detainees_initial", "cordon_fighters",
    "sdf_reserve_fighters",
)
DEFAULT_MAP = scenarios_dir() / "maps" / "nes.toml"
BASELINE = scenarios_dir() / "baseline.toml"
CACHE = Path(os.environ.get("INSIM_SCALED_DIR", Path(tempfile.gettempdir()) / "insim_scaled"))


def _s(value: str) -> str:
    """A TOML basic string (JSON escapes are valid TOML escapes)."""
    return json.dumps(value, ensure_ascii=False)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return _s(value)
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_s(k)} = {_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} as TOML")


def _write_text(path: Path, text: str) -> None:
    """Write through the batch engine's atomic write, so concurrent benchmark processes never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, lambda p: p.write_text(text))


def tile_name(name: str, tile: int) -> str:
    """Name of a place's copy in tile ``tile`` (0 is the original)."""
    return name if tile == 0 else f"{name} #{tile + 1}"


def tile_map(path: str | Path, nx: int, ny: int, out_path: str | Path) -> Path:
    """Write a map repeating ``path``'s grid ``nx`` times west-east and ``ny`` times north-south.

    Terrain and district grids are tiled; every place and road is duplicated into each tile with
    its coordinates shifted and its name suffixed (``"Raqqa #2"``...; the first tile keeps the
    original names). Legends, ``km_per_cell`` and the other keys are kept.

    Args:
        path: the map TOML to tile.
        nx: copies along x (columns).
        ny: copies along y (rows).
        out_path: where to write the scaled map.

    Returns:
        ``out_path`` as a :class:`~pathlib.Path`.
    """
    if nx < 1 or ny < 1:
        raise ValueError(f"nx and ny must be at least 1, got {nx} x {ny}")
    path, out_path = Path(path), Path(out_path)
    data = tomllib.loads(path.read_text())
    t_rows = data["terrain"].strip("\n").split("\n")
    d_rows = data["districts"].strip("\n").split("\n")
    height, width = len(t_rows), len(t_rows[0])

    def tiled(rows: list[str]) -> str:
        return "\n".join(row * nx for _ in range(ny) for row in rows)

    lines = [f"# {nx} x {ny} tiling of {path.name}, written by sim.scaling.tile_map", ""]
    for key, value in data.items():
        if key in ("terrain", "districts", "places", "roads") or isinstance(value, dict):
            continue
        lines.append(f"{key} = {_value(value)}")
    roads = [
        [tile_name(name, tile) for name in chain]
        for tile in range(nx * ny)
        for chain in data.get("roads", [])
    ]
    lines.append("roads = [")
    lines.extend(f"  {_value(chain)}," for chain in roads)
    lines.append("]")
    lines += ["", f"terrain = '''\n{tiled(t_rows)}\n'''", "", f"districts = '''\n{tiled(d_rows)}\n'''", ""]
    for key, value in data.items():
        if isinstance(value, dict):
            lines.append(f"[{key}]")
            lines.extend(f"{_s(k)} = {_value(v)}" for k, v in value.items())
            lines.append("")
    for iy in range(ny):
        for ix in range(nx):
            tile = iy * nx + ix
            for place in data.get("places", []):
                lines.append("[[places]]")
                for k, v in place.items():
                    if k == "name":
                        v = tile_name(v, tile)
                    elif k == "x":
                        v = v + ix * width
                    elif k == "y":
                        v = v + iy * height
                    lines.append(f"{k} = {_value(v)}")
                lines.append("")
    _write_text(out_path, "\n".join(lines))
    return out_path


def tiles_for(factor: int) -> tuple[int, int]:
    """The most nearly square ``(nx, ny)`` with ``nx * ny == factor`` (nx >= ny)."""
    if factor < 1:
        raise ValueError(f"factor must be at least 1, got {factor}")
    ny = max(d for d in range(1, math.isqrt(factor) + 1) if factor % d == 0)
    return factor // ny, ny


def scaled_parameters(factor: int, base: Scenario | None = None) -> dict[str, int]:
    """The head-count parameters of ``base`` (default: the baseline) multiplied by ``factor``."""
    base = base if base is not None else load_scenario(BASELINE)
    defaults = Parameters(**base.parameters)
    return {name: int(round(getattr(defaults, name) * factor)) for name in SCALED_PARAMETERS}


def scaled_scenario(factor: int, months: int = 60, cache_dir: str | Path | None = None) -> Scenario:
    """The baseline scenario on a map ``factor`` times larger, with strengths scaled alike.

    Writes ``map.toml`` and ``scenario.toml`` into ``cache_dir/x{factor}`` (default: a
    directory under the system's temporary directory, or ``$INSIM_SCALED_DIR``). The scenario
    ``extends`` the shipped baseline (so it follows its parameters and events) and states the
    scaled head counts; events beyond ``months`` are dropped by the loader.

    Args:
        factor: how many copies of the map (1 gives the default map's size).
        months: length of the run.
        cache_dir: where to write the files.

    Returns:
        The loaded :class:`~sim.scenario.Scenario`.
    """
    base = load_scenario(BASELINE)
    nx, ny = tiles_for(factor)
    folder = Path(cache_dir) if cache_dir is not None else CACHE
    folder = folder / f"x{factor}"
    map_path = tile_map(base.map_path, nx, ny, folder / "map.toml")
    text = "\n".join([
        f"# the baseline on a {nx} x {ny} tiling of its map, written by sim.scaling.scaled_scenario",
        f"extends = {_s(str(BASELINE))}",
        f"name = {_s(f'baseline_x{factor}')}",
        f"map = {_s(map_path.name)}",
        "",
        "[parameters]",
        *(f"{k} = {_value(v)}" for k, v in scaled_parameters(factor, base).items()),
        "",
    ])
    scenario_path = folder / "scenario.toml"
    _write_text(scenario_path, text)
    return load_scenario(scenario_path, months=months)


def scaled_model(factor: int, months: int = 60, rng: Any = 1, cache_dir: str | Path | None = None) -> InsurgencyModel:
    """A baseline model on a map ``factor`` times larger (see :func:`scaled_scenario`)."""
    return InsurgencyModel(scaled_scenario(factor, months, cache_dir), rng=rng)
