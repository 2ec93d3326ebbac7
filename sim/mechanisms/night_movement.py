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

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.agents.is_cell import ROLE, ROLES

if TYPE_CHECKING:
    from sim.model import InsurgencyModel


@dataclass
class Visits:
    """Tonight's (cell, village) pairs."""

    cells: np.ndarray
    villages: np.ndarray

    def __len__(self) -> int:
        return len(self.cells)

    def of_role(self, model: InsurgencyModel, role: str) -> Visits:
        """Only the visits by cells of one role."""
        keep = model.cells.role[self.cells] == ROLE[role]
        return Visits(self.cells[keep], self.villages[keep])


def role_attraction(model: InsurgencyModel) -> np.ndarray:
    """(roles, villages): what each role looks for in each village tonight."""
    v, p = model.villages, model.p
    foothold = p.visit_base_attraction + v.influence
    officials = (v.officials > 0) & (v.pledged < p.allegiance_truce_threshold)
    near_road = model.grid.road.data[v.x, v.y] > 0
    att = np.empty((len(ROLES), len(v)))
    att[ROLE["zakat"]] = foothold * (p.visit_base_attraction + v.market)
    att[ROLE["assassination"]] = foothold * (p.visit_base_attraction + officials)
    att[ROLE["checkpoint"]] = foothold * (p.visit_base_attraction + near_road)
    att[ROLE["transport"]] = foothold * foothold
    att[ROLE["movement"]] = foothold * foothold
    att[ROLE["car_bombs"]] = foothold * (p.visit_base_attraction + v.guard)
    return att


def reach(model: InsurgencyModel, rows: np.ndarray) -> np.ndarray:
    """Night reach (cells) of the given cells."""
    p, c = model.p, model.cells
    r = np.full(len(rows), p.night_range_cells, dtype=float)
    r *= 1.0 + p.mobility_gain_when_sdf_north * model.sdf_attention_north
    if model.regime_offensive:
        in_badia = model.geography.holder[c.base_x[rows], c.base_y[rows]] == 1
        r[in_badia] *= p.regime_offensive_mobility_factor
    return r


def go_out(model: InsurgencyModel) -> Visits:
    """Choose tonight's targets and move the cells there."""
    c, v, p = model.cells, model.villages, model.p
    v.is_present[:] = 0
    alive = np.nonzero(c.alive)[0]
    rows = alive[model.rng.random(len(alive)) < p.night_activity_prob]
    if len(rows) == 0 or len(v) == 0:
        return Visits(np.zeros(0, int), np.zeros(0, int))
    # each cell weighs only the villages within its reach (a cached neighbour list per hideout),
    # so a night costs in proportion to the cells out, whatever the size of the map
    r = reach(model, rows)
    radius = int(np.floor(r.max()))
    near = [model.villages_within(int(x), int(y), radius)
            for x, y in zip(c.base_x[rows], c.base_y[rows], strict=True)]
    width = max((len(ids) for ids, _ in near), default=0)
    vid = np.full((len(rows), width), -1)
    dist = np.full((len(rows), width), radius + 1)
    for i, (ids, d) in enumerate(near):
        vid[i, : len(ids)], dist[i, : len(ids)] = ids, d
    ok = (vid >= 0) & (dist <= r[:, None])
    ok[ok] = v.sdf_held[vid[ok]]
    # zakat demands go by WhatsApp (EUI fn 24): tax collectors need not brave the patrols as others do
    aversion = np.where(c.role[rows] == ROLE["zakat"], p.guard_aversion_zakat, p.guard_aversion)
    role = np.broadcast_to(c.role[rows, None], vid.shape)[ok]
    weight = np.zeros(vid.shape)
    weight[ok] = (role_attraction(model)[role, vid[ok]] * np.exp(-dist[ok] / p.night_distance_scale_cells)
                  * (1.0 - v.guard[vid[ok]]) ** np.broadcast_to(aversion[:, None], vid.shape)[ok])
    total = weight.sum(axis=1)
    going = total > 0
    rows, weight, total, vid = rows[going], weight[going], total[going], vid[going]
    if len(rows) == 0:  # no cell has a village within reach tonight
        return Visits(np.zeros(0, int), np.zeros(0, int))
    # one weighted draw per row, all rows at once
    threshold = model.rng.random(len(rows)) * total
    first = np.argmax((weight.cumsum(axis=1) >= threshold[:, None]) & (weight > 0), axis=1)
    pick = vid[np.arange(len(rows)), first]
    c.x[rows], c.y[rows] = v.x[pick], v.y[pick]
    np.add.at(v.is_present, pick, c.fighters[rows])
    return Visits(rows, pick)


def dawn(model: InsurgencyModel) -> None:
    """Every cell back at its hideout."""
    c = model.cells
    c.x[:] = c.base_x
    c.y[:] = c.base_y

