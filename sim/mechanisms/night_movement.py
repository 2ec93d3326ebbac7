"""Night movement: cells leave their hideouts after dark and melt away at dawn.

Jihadists set up checkpoints by night and vanish with the dawn (WP 2019). Cells move from the
Badia sanctuary, which gives easy access to the front lines with NES (EUI 2022, s.3, fn 40), and
from shepherd communities (fn 26). Since the regime's 2021 offensive, fighters in the Badia move
only by motorcycle and in small numbers (fn 50); the SDF's turn north eased IS mobility south of
al-Hasaka (fn 39).

Each active cell picks one SDF-held village within its night's reach, weighted by what its role
looks for there and by how little SDF presence there is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from sim.agents.is_cell import ROLE, ROLES
from sim.mechanisms.base import Mechanism
from sim.mechanisms.zakat import collection_pull
from sim.world.names import REGIME

if TYPE_CHECKING:
    from sim.model import InsurgencyModel


@dataclass
class Visits:
    """Tonight's (cell, village) pairs."""

    cells: np.ndarray
    villages: np.ndarray
    # what several mechanisms ask of the same night, computed once (roles cannot change during a night)
    _roles: np.ndarray | None = field(default=None, repr=False, compare=False)
    _unique: np.ndarray | None = field(default=None, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.cells)

    def of_role(self, model: InsurgencyModel, role: str) -> Visits:
        """Only the visits by cells of one role."""
        if self._roles is None:
            self._roles = model.cells.role[self.cells]
        keep = self._roles == ROLE[role]
        return Visits(self.cells[keep], self.villages[keep])

    def unique_villages(self) -> np.ndarray:
        """The villages visited tonight, each once, in increasing order."""
        if self._unique is None:  # what np.unique gives for these small non-negative rows, without its sort
            self._unique = np.flatnonzero(np.bincount(self.villages)) if len(self.villages) else np.zeros(0, int)
        return self._unique

    @classmethod
    def none(cls) -> Visits:
        """A night when no cell goes out."""
        return cls(np.zeros(0, int), np.zeros(0, int))


class NightMovement(Mechanism):
    """Cells go out to a village within reach at dusk and are back at their hideouts at dawn."""

    name = "night_movement"
    switch = "night_movement_enabled"
    params = ("night_movement_enabled", "night_activity_prob", "night_range_cells", "night_distance_scale_cells",
              "guard_aversion", "guard_aversion_zakat", "visit_base_attraction", "mobility_gain_when_sdf_north",
              "regime_offensive_mobility_factor")

    def __init__(self, model: InsurgencyModel) -> None:
        super().__init__(model)
        self.out = np.zeros(0, int)  # rows of the cells out tonight

    def role_attraction(self, out: np.ndarray | None = None) -> np.ndarray:
        """(roles, villages): what each role looks for in each village tonight (written into ``out`` if given)."""
        m = self.model
        v, p = m.villages, m.p
        foothold = p.visit_base_attraction + v.influence
        # killers look for officials who did not pledge (pledged ones are informants, see killings)
        officials = (v.officials * (1.0 - v.pledged)) >= 0.5
        near_road = m.grid.road.data[v.x, v.y] > 0
        att = np.empty((len(ROLES), len(v))) if out is None else out
        # tax collectors go where the take is (due traders, rich oil markets first: EUI s.2, fn 24),
        # and IS's accumulation zones draw them (strongholds.zakat_factor, EUI s.4)
        att[ROLE["zakat"]] = (foothold * (p.visit_base_attraction + collection_pull(m))
                              * m.mechanisms.strongholds.zakat_factor())
        att[ROLE["assassination"]] = foothold * (p.visit_base_attraction + officials)
        att[ROLE["checkpoint"]] = foothold * (p.visit_base_attraction + near_road)
        att[ROLE["transport"]] = foothold * foothold
        att[ROLE["movement"]] = foothold * foothold
        att[ROLE["car_bombs"]] = foothold * (p.visit_base_attraction + v.guard)
        return att

    def reach(self, rows: np.ndarray) -> np.ndarray:
        """Night reach (cells) of the given cells."""
        m = self.model
        p, c = m.p, m.cells
        north = 1.0 + p.mobility_gain_when_sdf_north * m.policy.sdf_attention_north
        r = np.full(len(rows), p.night_range_cells * north)
        if m.policy.regime_offensive:
            in_badia = m.geography.holder[c.base_x[rows], c.base_y[rows]] == REGIME
            r[in_badia] *= p.regime_offensive_mobility_factor
        return r

    def go_out(self) -> Visits:
        """Choose tonight's targets and move the cells (their rows; their Mesa agents follow lazily) there."""
        m = self.model
        c, v, p = m.cells, m.villages, m.p
        v.is_present[:] = 0
        self.out = np.zeros(0, int)
        if not self.enabled:
            return Visits.none()
        alive = m.cell_sites().alive
        rows = alive[m.rng.random(len(alive)) < p.night_activity_prob]
        staged = m.mechanisms.prison.staged_rows()  # attackers gathered for a prison attack stay put
        if len(staged):
            rows = rows[~np.isin(rows, staged)]
        if len(rows) == 0 or len(v) == 0:
            return Visits.none()
        # each cell weighs only the villages within its reach: a padded neighbour table per hideout
        # square (model.world.index), looked up for all cells at once, so a night costs in proportion
        # to the cells out, whatever the size of the map; padding points at a dummy village n with no weight
        r = self.reach(rows)
        radius = int(np.floor(r.max()))
        table = m.world.index.neighbours(radius)
        slot = table.slots(c.base_x[rows], c.base_y[rows])
        vid, dist = table.padded[slot], table.dist[slot]
        n = len(v)
        held, guard_left, attraction = np.zeros(n + 1, bool), np.zeros(n + 1), np.zeros((len(ROLES), n + 1))
        held[:n] = v.sdf_held
        np.subtract(1.0, v.guard, out=guard_left[:n])
        self.role_attraction(out=attraction[:, :n])
        # zakat demands go by WhatsApp (EUI fn 24): tax collectors need not brave the patrols as others do
        role = c.role[rows]
        # each village's uncovered share raised to the two aversions once, not once per (cell, village)
        cover = guard_left[None, :] ** np.array([[p.guard_aversion], [p.guard_aversion_zakat]])
        by_aversion = (role == ROLE["zakat"]).astype(np.intp)
        decay = np.exp(-np.arange(radius + 2) / p.night_distance_scale_cells)
        weight = attraction[role[:, None], vid] * decay[dist] * cover[by_aversion[:, None], vid]
        in_reach = held[vid]
        in_reach &= dist <= r[:, None]
        np.copyto(weight, 0.0, where=~in_reach)  # no weight out of reach or outside SDF-held land
        total = weight.sum(axis=1)
        going = total > 0
        if not going.all():
            rows, weight, total, vid = rows[going], weight[going], total[going], vid[going]
        if len(rows) == 0:  # no cell has a village within reach tonight
            return Visits.none()
        # one weighted draw per row, all rows at once
        threshold = m.rng.random(len(rows)) * total
        first = np.argmax((weight.cumsum(axis=1) >= threshold[:, None]) & (weight > 0), axis=1)
        pick = vid[np.arange(len(rows)), first]
        c.x[rows], c.y[rows] = v.x[pick], v.y[pick]
        v.is_present += np.bincount(pick, weights=c.fighters[rows], minlength=n).astype(v.is_present.dtype)
        self.out = rows  # their Mesa agents follow their rows when looked at (ISCell.cell)
        return Visits(rows, pick)

    def dawn(self) -> None:
        """Every cell back at its hideout."""
        c = self.model.cells
        c.x[:] = c.base_x
        c.y[:] = c.base_y
        self.out = np.zeros(0, int)
