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

import numpy as np

from sim import modifiers
from sim.geography import TERRAINS
from sim.mechanisms.base import Mechanism


class Raids(Mechanism):
    """Find and raid cells based in SDF-held land."""

    name = "raids"
    switch = "raids_enabled"
    params = ("raids_enabled", "sdf_operations", "detection_base", "tip_base", "tip_per_trust", "shepherd_opacity",
              "exposed_detection", "raid_capture_share", "raid_supporter_share")

    def detection_chance(self, rows: np.ndarray, near: np.ndarray | None = None,
                         in_camp: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Daily chance that each cell is found, and the village nearest to its hideout.

        ``near`` and ``in_camp`` (per row: nearest village, hideout in a camp) are looked up when not given.
        """
        m = self.model
        p, c, v = m.p, m.cells, m.villages
        if near is None:
            near = m.world.index.nearest_many(c.base_x[rows], c.base_y[rows])
        tips = p.tip_base + p.tip_per_trust * v.trust[near]
        chance = (p.sdf_operations * p.detection_base * v.guard[near] * tips * modifiers.intelligence(m, near) * modifiers.tip_factor(m)
                  * (1.0 - m.mechanisms.allegiance.leak(near)))
        if in_camp is None:
            in_camp = m.geography.terrain[c.base_x[rows], c.base_y[rows]] == TERRAINS.index("camp")
        chance = np.where(in_camp, chance * p.shepherd_opacity, chance)
        chance = np.maximum(chance, p.sdf_operations * c.exposure[rows] * p.exposed_detection)
        return np.clip(chance, 0.0, 1.0), near

    def day(self) -> None:
        """Today's raids."""
        m = self.model
        sites = m.cell_sites()
        rows = sites.in_sdf
        if not len(rows):
            return
        chance, near = self.detection_chance(rows, sites.near_sdf, sites.camp_sdf)
        found = m.rng.random(len(rows)) < chance
        for row, village in zip(rows[found], near[found], strict=True):
            self.raid(int(row), int(village))

    def raid(self, row: int, village: int) -> int:
        """Raid one cell near ``village``; returns the number of members captured."""
        m = self.model
        p, c, acc = m.p, m.cells, m.accounts
        share = min(1.0, p.raid_capture_share * modifiers.air_support(m, village))
        fighters = int(m.rng.binomial(int(c.fighters[row]), share))
        supporters = int(m.rng.binomial(int(c.supporters[row]), p.raid_supporter_share))
        c.fighters[row] -= fighters
        c.supporters[row] -= supporters
        captured = fighters + supporters
        c.exposure[row] = 0.0
        acc.incident("raids", village=village)
        if captured:
            m.detainees += captured
            acc.incident("members_arrested", captured, village=village)
            acc.people["fighters_arrested"] += fighters
            acc.people["supporters_arrested"] += supporters
            innocent = m.mechanisms.civilian_arrests.wrongful_for(village, captured)
            acc.incident("arrests", captured + innocent, village=village)
            m.mechanisms.compartmentalisation.reveal(captured, row)
        if c.fighters[row] <= 0:
            # what is left of the support network melts back into the population
            acc.people["supporters_dispersed"] += int(c.supporters[row])
            c.supporters[row] = 0
            m.remove_cell(row)
        return captured
