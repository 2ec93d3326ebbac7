"""SDF raids and arrests of IS members.

The SDF hold the population tightly through a solid bureaucracy, but understand and penetrate
IS networks poorly, and disaffiliation from the administration makes eastern Deir ez-Zor
opaque to them (EUI 2022, s.4). They rely on Coalition intelligence and air power (s.1). Cells
embedded in shepherd communities are very hard to penetrate (fn 26); informants among pledged
officials warn of raids (s.2); cells in the regime-held Badia or in Iraq are out of the SDF's
reach. Residents' tips depend on trust (WP 2019).

Each day every cell based in SDF-held land may be found; a found cell is raided, most of its
members captured (to detention), with innocents taken alongside, and captured members may
expose other cells (see ``compartmentalisation``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.geography import TERRAINS
from sim.mechanisms import allegiance, civilian_arrests, coalition, compartmentalisation, policing

if TYPE_CHECKING:
    from sim.model import InsurgencyModel


def detection_chance(model: InsurgencyModel, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Daily chance that each cell is found, and the village nearest to its hideout."""
    p, c, v = model.p, model.cells, model.villages
    # performance: nearest village per hideout from the cached spatial index (same argmin, ties
    # to the lowest row) rather than a (cells x villages) distance matrix every day
    near = np.array([model.nearest_village(int(x), int(y)) for x, y in zip(c.base_x[rows], c.base_y[rows],
                                                                          strict=True)], dtype=np.int64)
    tips = p.tip_base + p.tip_per_trust * v.trust[near]
    chance = (p.detection_base * v.guard[near] * tips * coalition.intelligence(model) * policing.tip_factor(model)
              * (1.0 - allegiance.leak(model, near)))
    in_camp = model.geography.terrain[c.base_x[rows], c.base_y[rows]] == TERRAINS.index("camp")
    chance = np.where(in_camp, chance * p.shepherd_opacity, chance)
    chance = np.maximum(chance, c.exposure[rows] * p.exposed_detection)
    return np.clip(chance, 0.0, 1.0), near


def day(model: InsurgencyModel) -> None:
    """Find and raid cells based in SDF-held land."""
    c = model.cells
    alive = np.nonzero(c.alive)[0]
    if not len(alive):
        return
    in_sdf_land = model.geography.holder[c.base_x[alive], c.base_y[alive]] == 0
    rows = alive[in_sdf_land]
    if not len(rows):
        return
    chance, near = detection_chance(model, rows)
    found = model.rng.random(len(rows)) < chance
    for row, village in zip(rows[found], near[found], strict=True):
        raid(model, int(row), int(village))


def raid(model: InsurgencyModel, row: int, village: int) -> int:
    """Raid one cell; returns the number of members captured."""
    p, c = model.p, model.cells
    share = min(1.0, p.raid_capture_share * coalition.air_support(model))
    fighters = int(model.rng.binomial(int(c.fighters[row]), share))
    supporters = int(model.rng.binomial(int(c.supporters[row]), p.raid_supporter_share))
    c.fighters[row] -= fighters
    c.supporters[row] -= supporters
    captured = fighters + supporters
    c.exposure[row] = 0.0
    if captured:
        model.detainees += captured
        model.accounts.incident("arrests", captured)
        model.accounts.people["fighters_arrested"] += fighters
        model.accounts.people["supporters_arrested"] += supporters
        civilian_arrests.wrongful_for(model, village, captured)
        compartmentalisation.reveal(model, captured, row)
    if c.fighters[row] <= 0:
        # what is left of the support network melts back into the population
        model.accounts.people["supporters_dispersed"] += int(c.supporters[row])
        c.supporters[row] = 0
        model.remove_cell(row)
    return captured
