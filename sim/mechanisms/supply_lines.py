"""Supply lines from the Badia: movement cells bring trained fighters north, transport cells bring arms.

IS's clandestine administration divides the work between specialised cells, among them cells that
transport weapons and cells that move militants (EUI 2022, s.3). The desert (al-Badia) is where
militants are gathered and trained before they are dispatched to Syria or Iraq, with easy access
to the front lines with NES (s.3, fn 40); testimonies of arrested militants show how easily they
cross lines (fn 40). For the al-Sina'a attack weapons were placed in advance near the prison
(s.1). Since the regime's and Russia's offensive of summer 2021, IS fighters in the desert move in
small groups on motorcycles (fn 50), so less can be carried and fewer escorted at a time.

The rules (issue 13, item G):

* movement: new fighters (recruits, the prison attack's survivors and escapees who regroup in the
  desert) wait in the Badia in ``fighters_in_training``. A movement cell's visit to an SDF-held
  village where IS's influence reaches ``embed_min_influence`` (hiding there is safe) takes up to
  ``movement_capacity_per_fighter`` x its fighters from the queue and forms them into cells based
  in that village. This replaces the monthly ``embed_prob`` move of :mod:`cell_bases`, which is
  what happens with this mechanism switched off (and recruits then appear as Badia cells at once);
* transport: a transport cell's visit brings ``transport_load_usd`` x its fighters of weapons and
  explosives, paid from IS's treasury (what zakat and the Badia's surplus feed), into the visited
  village's ``cache``, no more than tops the caches within reach up to ``cache_target_strikes``
  strikes' worth (weapons are moved where they will be used, not hoarded). Killings, attacks and
  checkpoints need arms within ``cache_reach_cells``: their chance per visit is multiplied by
  min(1, cache nearby / ``cost_per_attack_usd``), and a strike uses up that cost from the caches
  nearby (its own village's first). SDF raids seize the cache of the village they search;
* while the regime's Badia offensive lasts (the ``regime_offensive`` event), Badia-based movement
  and transport cells carry ``regime_offensive_mobility_factor`` of their load (fn 50), the same
  factor that shortens their night's reach (:mod:`night_movement`).

Fighters in the queue are not in any cell: raids cannot reach them and they take no part in the
Badia's strikes or upkeep.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.mechanisms.base import Mechanism
from sim.world.names import BADIA, REGIME
from sim.world.population import form_cells

if TYPE_CHECKING:
    from sim.mechanisms.night_movement import Visits
    from sim.model import InsurgencyModel
    from sim.world.space import NeighbourTable


class SupplyLines(Mechanism):
    """Movement cells dispatch trained fighters from the Badia; transport cells stock village caches."""

    name = "supply_lines"
    switch = "supply_lines_enabled"
    params = ("supply_lines_enabled", "movement_capacity_per_fighter", "transport_load_usd", "cost_per_attack_usd",
              "cache_reach_cells", "cache_target_strikes")
    reads = ("embed_min_influence", "regime_offensive_mobility_factor")

    def __init__(self, model: InsurgencyModel) -> None:
        super().__init__(model)
        self.fighters_in_training = 0  # trained fighters waiting in the Badia to be moved north
        self.delivered_usd = 0.0  # weapons brought into village caches, in total
        self.consumed_usd = 0.0  # used up by strikes
        self.seized_usd = 0.0  # taken by SDF raids
        # the villages' caches plus a last entry 0 for the neighbour tables' padding, with
        # ``villages.cache`` a view of it: no copy with the padding appended at every ask
        self._padded_cache = np.zeros(1)
        self._cache_view = self._padded_cache[:0]
        self._spend_order: dict[tuple[int, int], list[int]] = {}  # (radius, village): caches nearest first

    # ------------------------------------------------------------------ fighters
    def enlist(self, fighters: int) -> None:
        """New fighters in the Badia: they wait for a movement cell (or, switched off, form Badia cells now)."""
        if fighters <= 0:
            return
        if self.enabled:
            self.fighters_in_training += int(fighters)
        else:
            form_cells(self.model, int(fighters), BADIA)

    def carrying(self, rows: np.ndarray) -> np.ndarray:
        """Each cell's carrying factor tonight: cut for Badia-based cells during the regime offensive (fn 50)."""
        m = self.model
        c = m.cells
        factor = np.ones(len(rows))
        if m.policy.regime_offensive:
            in_badia = m.geography.holder[c.base_x[rows], c.base_y[rows]] == REGIME
            factor[in_badia] = m.p.regime_offensive_mobility_factor
        return factor

    def move_fighters(self, visits: Visits) -> None:
        """Movement cells take fighters from the queue into cells based in the safe villages they visit."""
        m = self.model
        p, c, v = m.p, m.cells, m.villages
        mine = visits.of_role(m, "movement")
        if not len(mine) or self.fighters_in_training <= 0:
            return
        capacity = np.floor(p.movement_capacity_per_fighter * c.fighters[mine.cells] * self.carrying(mine.cells))
        safe = v.sdf_held[mine.villages] & (v.influence[mine.villages] >= p.embed_min_influence)
        for i, k in zip(mine.villages[safe].tolist(), capacity[safe].astype(int).tolist(), strict=True):
            k = min(k, self.fighters_in_training)
            if k <= 0:
                continue
            self.fighters_in_training -= k
            for row in form_cells(m, k, BADIA):
                m.mechanisms.cell_bases.move(row, int(v.x[i]), int(v.y[i]))
            if self.fighters_in_training <= 0:
                return

    # ------------------------------------------------------------------ weapons
    def move_weapons(self, visits: Visits) -> None:
        """Transport cells bring weapons, paid from the treasury, into the caches of the villages they visit."""
        m = self.model
        p, c, v = m.p, m.cells, m.villages
        mine = visits.of_role(m, "transport")
        if not len(mine) or p.transport_load_usd <= 0:
            return
        load = p.transport_load_usd * c.fighters[mine.cells] * self.carrying(mine.cells)
        stock = p.cache_target_strikes * p.cost_per_attack_usd
        # each village's sum counts the deliveries before it, so one at a time; when all their squares
        # are in the neighbour table (the usual night) it cannot grow here and its rows are looked up
        # once, else each square joins the table when it is first asked for, as before
        table = self.reach()
        near = table.village_rows(mine.villages) if table.knows(mine.villages) else None
        for k, (i, usd) in enumerate(zip(mine.villages.tolist(), load.tolist(), strict=True)):
            if m.treasury <= 0:
                return
            nearby = self.cache_nearby_one(i) if near is None else float(self.sum_rows(near[k: k + 1])[0])
            # only what tops the caches within reach up to the stock the cells there are to keep
            usd = min(usd, m.treasury, stock - nearby)
            if usd <= 0:
                continue
            m.treasury -= usd
            m.accounts.money["is_spending"] += usd  # bought arms are no longer money
            v.cache[i] += usd
            self.delivered_usd += usd

    def night(self, visits: Visits) -> None:
        """Tonight's movement and transport visits (before the strikes, which may use what arrived)."""
        self.move_fighters(visits)
        self.move_weapons(visits)

    def reach(self) -> NeighbourTable:
        """The neighbour table of ``cache_reach_cells`` (shared with any other ask of the same radius)."""
        m = self.model
        return m.world.index.neighbours(max(0, int(m.p.cache_reach_cells)))

    def padded_cache(self) -> np.ndarray:
        """The villages' caches and a last entry 0, where the tables' padding points (``villages.cache`` is a view).

        Made again, from the column's values, whenever the column is not that view any more (the
        first ask, or after something replaced the column).
        """
        v = self.model.villages
        if v.cache is not self._cache_view:
            self._padded_cache = np.append(v.cache, 0.0)
            self._cache_view = v.cache = self._padded_cache[:-1]
        return self._padded_cache

    def sum_rows(self, near: np.ndarray) -> np.ndarray:
        """Weapons (USD) cached in each row of villages ``near`` (neighbour-table rows, padded)."""
        return np.add.reduce(self.padded_cache()[near], axis=1)  # what .sum(axis=1) calls, without its wrapper

    def cache_nearby(self, villages: np.ndarray) -> np.ndarray:
        """Weapons (USD) cached within ``cache_reach_cells`` of each village."""
        return self.sum_rows(self.reach().village_rows(villages))

    def cache_nearby_one(self, village: int) -> float:
        """Weapons (USD) cached within ``cache_reach_cells`` of one village (after tonight's deliveries so far)."""
        return float(self.cache_nearby(np.array([village]))[0])

    def armed(self, villages: np.ndarray) -> np.ndarray:
        """Factor on a strike's chance at each village: min(1, cache nearby / cost per attack); 1 when off."""
        cost = self.model.p.cost_per_attack_usd
        if not self.enabled or cost <= 0:
            return np.ones(len(villages))
        factor = self.cache_nearby(villages)
        factor /= cost
        return np.minimum(factor, 1.0, out=factor)

    def spend(self, village: int) -> None:
        """A strike at ``village`` uses up its cost from the caches nearby, its own village's first."""
        m = self.model
        cost = m.p.cost_per_attack_usd
        if not self.enabled or cost <= 0:
            return
        radius = max(0, int(m.p.cache_reach_cells))
        order = self._spend_order.get((radius, village))
        if order is None:  # villages never move: the caches within reach, nearest first, found once
            v = m.villages
            rows, dist = m.world.index.within(int(v.x[village]), int(v.y[village]), radius)
            order = self._spend_order[radius, village] = rows[dist.argsort(kind="stable")].tolist()
        cache = self.padded_cache()
        left = cost
        for j in order:
            used = min(left, float(cache[j]))
            cache[j] -= used
            left -= used
            if left <= 0:
                break
        self.consumed_usd += cost - left

    def seize(self, villages: np.ndarray) -> None:
        """SDF raids on ``villages`` seize what is cached there."""
        if not self.enabled or not len(villages):
            return
        v = self.model.villages
        self.seized_usd += float(v.cache[villages].sum())
        v.cache[villages] = 0.0
