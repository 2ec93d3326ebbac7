"""The governorate of each district, read from the map's ``district_legend`` (``governorate = ...``).

The Rojava Information Center reports attacks by governorate (Deir ez-Zor, Raqqa, al-Hasaka), so
the model needs each district's. The attribute is read here rather than in ``sim.geography`` so
that the map reader stays as it is; a district without one gets ``""``.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from sim.errors import InputError
from sim.filecache import cached_by_file
from sim.world.names import GOVERNORATES


def district_governorates(map_path: Path, district_names: list[str]) -> list[str]:
    """The governorate of each district, in the order of ``district_names``."""
    legend = read_district_legend(map_path)
    by_name = {}
    for char, spec in legend.items():
        gov = spec.get("governorate", "")
        if gov and gov not in GOVERNORATES:
            raise InputError(map_path, f"district_legend.{char}.governorate", f"unknown governorate {gov!r}",
                             allowed=", ".join(GOVERNORATES))
        by_name[spec.get("name")] = gov
    return [by_name.get(name, "") for name in district_names]


@cached_by_file
def read_district_legend(map_path: Path) -> dict:
    """The map's ``district_legend`` table (parsed once per process and file version)."""
    return tomllib.loads(Path(map_path).read_text()).get("district_legend", {})
