"""The map file: the places the brief names, its layers, and clear errors for bad maps."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.errors import InputError
from sim.geography import TERRAINS, load_map

MAP = Path(__file__).resolve().parents[1] / "scenarios" / "maps" / "nes.toml"
NAMED = ["al-Zir", "Dhiban", "al-Buseyrah", "Hajin", "al-Suwar", "Darnaj", "Sweidan", "Tayyana", "Jurdi",
         "Baghouz", "Shedadeh", "Margadeh", "al-Hasaka", "al-Sina'a prison", "Ghuweiran", "al-Zuhur", "Raqqa",
         "al-Karama"]


def test_places_of_the_brief_are_on_the_map() -> None:
    geo = load_map(MAP)
    for name in NAMED:
        geo.place(name)
    districts = {d.name for d in geo.districts}
    assert {"zakat_triangle", "northeast_strip", "margadeh", "badia", "iraq", "al_karama"} <= districts


def test_layers_and_orientation() -> None:
    geo = load_map(MAP)
    layers = geo.layers()
    for name in ("river", "farmland", "desert", "urban", "road", "border", "holder"):
        assert layers[name].shape == (geo.width, geo.height)
    # al-Hasaka lies north of Dhiban, and the Badia (desert) south of the Euphrates is regime-held
    assert geo.place("al-Hasaka").y > geo.place("Dhiban").y
    desert = geo.terrain == TERRAINS.index("desert")
    assert (geo.holder[desert] == 1).mean() > 0.95
    assert layers["river"].sum() > 50 and layers["road"].sum() > 50
    assert np.all(geo.holder[geo.terrain == TERRAINS.index("iraq")] == 2)


def test_bad_maps_name_the_file_and_key(tmp_path: Path) -> None:
    text = MAP.read_text()
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace('"~" = "river"', '"~" = "lava"'))
    with pytest.raises(InputError, match=r"bad\.toml: terrain_legend\.~: unknown terrain 'lava'"):
        load_map(bad)
    bad.write_text(text.replace("terrain = '''\n", "terrain = '''\nQ", 1))
    with pytest.raises(InputError, match=r"terrain row 0"):
        load_map(bad)
    with pytest.raises(InputError, match="not found"):
        load_map(tmp_path / "missing.toml")
