"""SDF raids: many small raids on suspicion, each finding the cells hiding in the raided village.

The SDF hold the population tightly through a solid bureaucracy but understand and penetrate IS
networks poorly; disaffiliation from the administration makes eastern Deir ez-Zor opaque to them
(EUI 2022, s.4). They depend on the Coalition's military support, as the al-Sina'a attack showed
(s.1). Cells embedded in
shepherd communities are very hard to penetrate (fn 26); officials who swore allegiance warn
cells of raids and arrest campaigns (s.2); cells in the regime-held Badia or in Iraq are out of
reach. Residents' tips depend on their trust in the authorities (WP 2019).

The Rojava Information Center's record shows the shape of the SDF's effort: many small raids
(395 in 2019, 37-48 a month in mid-2019, 10-21 a month in 2020-2021), each arresting one or a few
people (at least 581 arrests in 2019), suspended during the Turkish offensive of October 2019
(raids -77% by December) and stepped up around al-Busayrah in June 2021, after which attacks in
Deir ez-Zor fell (RIC, 2019 review and July 2021 report). More arrests of cells in 2021 are also
in the brief (EUI fn 8, fn 34).

Rule. Each day each SDF-held village is raided a Poisson number of times, at the rate
``sdf_operations`` (the effort events move) x ``detection_base`` x SDF presence x tips
(``tip_base`` + ``tip_per_trust`` x trust) x Coalition intelligence x policing tips x suspicion
(``raid_suspicion_floor`` + IS influence in the village: the SDF raid where IS shows). A raid
finds each cell hiding at the village with chance ``raid_find_prob`` (x ``shepherd_opacity`` in a
camp, x (1 - informants' leak)), so the chance that a raid finds something grows with the number
of cells there and finds are in proportion to them. Found cells lose a share of their members to
detention (``raid_capture_share`` of fighters, more with Coalition air support;
``raid_supporter_share`` of supporters) and innocent bystanders are taken with them
(``raid_bystander_share`` of a raid's detainees, see ``civilian_arrests``); a cell that loses its
last fighter is dismantled, and the month's takings it still holds are seized. Every raid, found cell
or not, also detains suspects on suspicion (``suspect_arrests``). A cell a captured member named
(``compartmentalisation``) is raided directly with daily chance ``sdf_operations`` x
``exposed_detection`` x its exposure.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim import modifiers
from sim.mechanisms.base import LastAnswer, Mechanism

if TYPE_CHECKING:
    from sim.agents.sites import CellSites
    from sim.model import InsurgencyModel


class Raids(Mechanism):
    """Raid villages on suspicion and arrest the members of the cells found there."""

    name = "raids"
    switch = "raids_enabled"
    params = ("raids_enabled", "sdf_operations", "detection_base", "raid_suspicion_floor", "raid_find_prob",
              "tip_base", "tip_per_trust", "shepherd_opacity", "exposed_detection", "raid_capture_share",
              "raid_supporter_share")

    def __init__(self, model: InsurgencyModel) -> None:
        super().__init__(model)
        self._missed = LastAnswer()

    def raid_rate(self, villages: np.ndarray | None = None) -> np.ndarray:
        """Expected raids today on each village (all villages when ``villages`` is None)."""
        m = self.model
        p, v = m.p, m.villages
        if villages is None:
            villages = slice(None)  # every village: views of the columns, no copies
        tips = (p.tip_base + p.tip_per_trust * v.trust[villages]) * modifiers.tip_factor(m)
        suspicion = p.raid_suspicion_floor + v.influence[villages]
        rate = (p.sdf_operations * p.detection_base * v.guard[villages] * tips
                * modifiers.intelligence(m, villages) * suspicion)
        rate[~v.sdf_held[villages]] = 0.0  # what np.where(held, rate, 0.0) gives, in place
        return rate

    def find_chance(self, near: np.ndarray, in_camp: np.ndarray) -> np.ndarray:
        """Chance that one raid on a cell's village finds it (per cell: its village, a camp hideout)."""
        p = self.model.p
        chance = p.raid_find_prob * (1.0 - self.model.mechanisms.allegiance.leak(near))
        return np.where(in_camp, chance * p.shepherd_opacity, chance).clip(0.0, 1.0)

    def missed_once(self, sites: CellSites) -> np.ndarray:
        """Per cell in SDF-held land (``sites.in_sdf``), the chance that one raid on its village misses it
        (read-only). Kept until the hideouts, the officials' pledges or the parameters change."""
        m = self.model
        key = (sites.key, m.villages.pledged.tobytes(), m.mechanisms.allegiance.enabled,
               self.param_key("raid_find_prob", "shepherd_opacity", "informant_leak"))
        return self._missed.get(key, lambda: 1.0 - self.find_chance(sites.near_sdf, sites.camp_sdf))

    def day(self) -> None:
        """Today's raids: on suspicion in every village, and on the cells captured members named."""
        m = self.model
        p, c, acc = m.p, m.cells, m.accounts
        raids = m.rng.poisson(self.raid_rate())
        raided = raids.nonzero()[0]
        counts = raids[raided]
        m.mechanisms.supply_lines.seize(raided)  # a search finds the village's weapons cache
        for village, count in zip(raided.tolist(), counts.tolist(), strict=True):
            acc.incident("raids", count, village=village)
        m.mechanisms.suspect_arrests.detain(raided, counts)
        sites = m.cell_sites()
        rows = sites.in_sdf
        if not len(rows):
            return
        # a cell survives k raids on its village with chance (1 - q)^k; on most days no village is
        # raided and none is found (the draw is taken all the same, so the next draws stay where they were)
        survives = m.rng.random(len(rows))
        named = m.rng.random(len(rows)) < p.sdf_operations * p.exposed_detection * c.exposure[rows]
        if len(raided):
            k = raids[sites.near_sdf]
            found = (k > 0) & (survives >= self.missed_once(sites) ** k)
        else:
            found = np.zeros(len(rows), bool)
        hit = found | named
        if not hit.any():
            return
        for row, village, direct in zip(rows[hit], sites.near_sdf[hit], (named & ~found)[hit], strict=True):
            if not c.alive[row]:  # dismantled earlier today
                continue
            if direct:
                self.raid(int(row), int(village))
            else:
                self.capture(int(row), int(village))

    def raid(self, row: int, village: int) -> int:
        """A raid aimed at one cell near ``village`` (a named cell): count it and capture; returns captured."""
        self.model.accounts.incident("raids", village=village)
        self.model.mechanisms.suspect_arrests.detain(np.array([village]), np.array([1]))
        return self.capture(row, village)

    def capture(self, row: int, village: int) -> int:
        """Members of found cell ``row`` taken in a raid on ``village``; returns the number captured."""
        m = self.model
        p, c, acc = m.p, m.cells, m.accounts
        share = min(1.0, p.raid_capture_share * modifiers.air_support(m, village))
        fighters = int(m.rng.binomial(int(c.fighters[row]), share))
        supporters = int(m.rng.binomial(int(c.supporters[row]), p.raid_supporter_share))
        c.fighters[row] -= fighters
        c.supporters[row] -= supporters
        captured = fighters + supporters
        c.exposure[row] = 0.0
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
            # the takings it had not yet passed on (``remittance``) are seized with it
            acc.money["seized"] += float(c.money[row])
            c.money[row] = 0.0
            m.remove_cell(row)
        return captured
