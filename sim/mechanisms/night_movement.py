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

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from sim.agents.is_cell import ROLE, ROLES
from sim.compiled import Stream, kernel, pairwise_sum, stream_of
from sim.mechanisms.base import LastAnswer, Mechanism
from sim.mechanisms.zakat import collection_pull
from sim.world.names import REGIME

if TYPE_CHECKING:
    from sim.model import InsurgencyModel

NO_ROWS = np.zeros(0, int)
NO_ROWS.flags.writeable = False  # no cell out: shared, never written
SMALLEST = np.nextafter(0.0, 1.0)  # the smallest positive float
NO_REACH = np.zeros(0)  # every cell out reaches the neighbour table's radius


def weighted_columns(weight: np.ndarray, total: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One weighted draw per row of ``weight`` (rows summing to ``total`` > 0), all rows at once: the columns drawn."""
    threshold = rng.random(len(weight)) * total
    # the first column whose running total reaches the threshold: its weight is positive (weights are
    # non-negative, so a running total that reaches it only there grew there), unless the threshold
    # is 0; raising it to the smallest positive number keeps "the first positive weight" then
    np.maximum(threshold, SMALLEST, out=threshold)
    return (weight.cumsum(axis=1) >= threshold[:, None]).argmax(axis=1)


ZAKAT, ASSASSINATION, CHECKPOINT = ROLE["zakat"], ROLE["assassination"], ROLE["checkpoint"]
TRANSPORT, MOVEMENT, CAR_BOMBS = ROLE["transport"], ROLE["movement"], ROLE["car_bombs"]


@kernel
def role_pulls(out: np.ndarray, base: float, influence: np.ndarray, officials: np.ndarray, pledged: np.ndarray,
               on_road: np.ndarray, guard: np.ndarray, collection: np.ndarray, zakat_factor: np.ndarray) -> None:
    """Write into ``out`` (roles, villages) what each role looks for in each village (see
    :meth:`NightMovement.role_attraction`); ``collection`` is the tax collectors' pull, ``zakat_factor``
    the cold zones' draw on them."""
    for i in range(len(influence)):
        foothold = base + influence[i]
        unpledged = (officials[i] * (1.0 - pledged[i])) >= 0.5
        out[ZAKAT, i] = foothold * (base + collection[i]) * zakat_factor[i]
        out[ASSASSINATION, i] = foothold * (base + unpledged)
        out[CHECKPOINT, i] = foothold * (base + on_road[i])
        out[TRANSPORT, i] = foothold * foothold
        out[MOVEMENT, i] = out[TRANSPORT, i]
        out[CAR_BOMBS, i] = foothold * (base + guard[i])


@kernel
def choose_targets(stream: Stream, padded: np.ndarray, dist: np.ndarray, slot: np.ndarray, role: np.ndarray,
                   reach: np.ndarray, attraction: np.ndarray, decay: np.ndarray, cover: np.ndarray) -> np.ndarray:
    """Tonight's village of each cell out (-1 for a cell with nothing within reach).

    A cell at neighbour-table row ``slot`` weighs each village within its reach by its role's
    ``attraction`` there, the ``decay`` of its distance and the ``cover`` there (tax collectors by
    their own row of it), and draws one by weight; ``reach`` (one per cell, or empty when all reach
    the table's radius) leaves out the villages beyond a Badia cell's shorter reach. One uniform
    draw per cell that has a village, in order, as :func:`weighted_columns` draws them.
    """
    n, width = len(slot), padded.shape[1]
    weight = np.empty((n, width))
    total = np.empty(n)
    going = 0
    for i in range(n):
        row, r = slot[i], role[i]
        aversion = 1 if r == ZAKAT else 0
        for j in range(width):
            village = padded[row, j]
            w = attraction[r, village] * decay[dist[row, j]]
            w *= cover[aversion, village]
            if len(reach) and dist[row, j] > reach[i]:  # out of a Badia cell's reach
                w = 0.0
            weight[i, j] = w
        total[i] = pairwise_sum(weight[i])  # the row's sum as numpy's, whose rounding the draw below sees
        going += total[i] > 0
    u = stream.rng.random(going)
    pick = np.full(n, -1, np.int64)
    k = 0
    for i in range(n):
        if total[i] > 0:
            # the first column whose running total reaches the threshold (column 0 if rounding leaves
            # the running total short of the row's sum, as numpy's argmax of no True gives)
            threshold = max(u[k] * total[i], SMALLEST)
            k += 1
            running, first = 0.0, 0
            for j in range(width):
                running += weight[i, j]
                if running >= threshold:
                    first = j
                    break
            pick[i] = padded[slot[i], first]
    return pick


@dataclass
class Visits:
    """Tonight's (cell, village) pairs."""

    cells: np.ndarray
    villages: np.ndarray
    # what several mechanisms ask of the same night, computed once (roles cannot change during a night)
    _by_role: dict[int, Visits] | None = field(default=None, repr=False, compare=False)
    _unique: np.ndarray | None = field(default=None, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.cells)

    def of_role(self, model: InsurgencyModel, role: str) -> Visits:
        """Only the visits by cells of one role (in tonight's order; read-only views, shared by the asks)."""
        if self._by_role is None:
            self._by_role = self._split_by_role(model)
        return self._by_role[ROLE[role]]

    def _split_by_role(self, model: InsurgencyModel) -> dict[int, Visits]:
        # one stable sort groups the visits by role keeping tonight's order within a role, so each
        # role's visits are two slices instead of a comparison and two masked copies per ask
        roles = model.cells.role[self.cells]
        order = roles.argsort(kind="stable")  # methods, not np.argsort: the same call without its wrappers
        cells, villages = self.cells[order], self.villages[order]
        cells.flags.writeable = villages.flags.writeable = False
        bounds = roles[order].searchsorted(np.arange(len(ROLES) + 1)).tolist()
        return {k: Visits(cells[bounds[k]: bounds[k + 1]], villages[bounds[k]: bounds[k + 1]])
                for k in range(len(ROLES))}

    def unique_villages(self) -> np.ndarray:
        """The villages visited tonight, each once, in increasing order."""
        if self._unique is None:  # what np.unique gives for these small non-negative rows, without its sort
            self._unique = np.bincount(self.villages).nonzero()[0] if len(self.villages) else np.zeros(0, int)
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
        self.out = NO_ROWS  # rows of the cells out tonight
        n = len(model.villages)  # villages are fixed for a run
        # reused every night: each role's pull per village, plus a dummy village n (the neighbour
        # tables' padding) that stays at zero
        self._attraction = np.zeros((len(ROLES), n + 1))
        self._cover = LastAnswer()
        self._decay: dict[tuple[int, float], np.ndarray] = {}

    def role_attraction(self, out: np.ndarray | None = None) -> np.ndarray:
        """(roles, villages): what each role looks for in each village tonight (written into ``out`` if given)."""
        m = self.model
        v = m.villages
        att = np.empty((len(ROLES), len(v))) if out is None else out
        # killers look for officials who did not pledge (pledged ones are informants, see killings);
        # tax collectors go where the take is (due traders, rich oil markets first: EUI s.2, fn 24),
        # and IS's accumulation zones draw them (strongholds.zakat_factor, EUI s.4)
        role_pulls(att, float(m.p.visit_base_attraction), v.influence, v.officials, v.pledged, m.world.on_road, v.guard,
                   collection_pull(m), m.mechanisms.strongholds.zakat_factor())
        return att

    def reach(self, rows: np.ndarray) -> np.ndarray:
        """Night reach (cells) of the given cells."""
        m = self.model
        p, c = m.p, m.cells
        r = np.empty(len(rows))
        r.fill(self.base_reach())
        if m.policy.regime_offensive:
            in_badia = m.geography.holder[c.base_x[rows].astype(np.intp), c.base_y[rows].astype(np.intp)] == REGIME
            r[in_badia] *= p.regime_offensive_mobility_factor
        return r

    def base_reach(self) -> float:
        """Night reach (cells) of a cell outside the Badia, or of any cell while the regime holds back."""
        p = self.model.p
        return p.night_range_cells * (1.0 + p.mobility_gain_when_sdf_north * self.model.policy.sdf_attention_north)

    def cover(self) -> np.ndarray:
        """(2, villages + 1): each village's uncovered share (1 - guard) raised to the two guard aversions.

        Row 0 for most roles, row 1 for tax collectors; the last column is the neighbour tables' dummy
        village. Kept until the guard or the aversions change (the guard changes when units move).
        """
        v, p = self.model.villages, self.model.p
        key = (v.guard.tobytes(), p.guard_aversion, p.guard_aversion_zakat)
        def uncovered() -> np.ndarray:
            guard_left = np.zeros(len(v) + 1)
            np.subtract(1.0, v.guard, out=guard_left[:-1])
            return guard_left[None, :] ** np.array([[p.guard_aversion], [p.guard_aversion_zakat]])

        return self._cover.get(key, uncovered)

    def decay(self, radius: int) -> np.ndarray:
        """Pull of a target at each distance 0..radius+1 (the last, the tables' padding, never counts)."""
        key = (radius, self.model.p.night_distance_scale_cells)
        found = self._decay.get(key)
        if found is None:
            found = self._decay[key] = np.exp(-np.arange(radius + 2) / key[1])
        return found

    def go_out(self) -> Visits:
        """Choose tonight's targets and move the cells (their rows; their Mesa agents follow lazily) there."""
        m = self.model
        c, v, p = m.cells, m.villages, m.p
        v.is_present.fill(0)
        self.out = NO_ROWS
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
        if m.policy.regime_offensive:  # Badia cells reach less far than the others
            r = self.reach(rows)
            radius = int(np.floor(r.max()))
        else:  # one reach for all: the table holds exactly the villages within it
            r, radius = NO_REACH, math.floor(self.base_reach())
        table = m.world.index.neighbours(radius)
        slot = table.slots(c.base_x[rows], c.base_y[rows])
        n = len(v)
        attraction = self._attraction
        self.role_attraction(out=attraction[:, :n])
        # no weight outside SDF-held land (the dummy column n stays at zero)
        np.copyto(attraction[:, :n], 0.0, where=~v.sdf_held)
        # zakat demands go by WhatsApp (EUI fn 24): tax collectors need not brave the patrols as others do
        pick = choose_targets(stream_of(m), table.padded, table.dist, slot, c.role[rows], r, attraction,
                              self.decay(radius), self.cover())
        going = pick >= 0
        if not going.all():
            rows, pick = rows[going], pick[going]
        if len(rows) == 0:  # no cell has a village within reach tonight
            return Visits.none()
        pick = m.mechanisms.margadeh_coordination.redirect(rows, pick, attraction)  # fn 26; unchanged at share 0
        c.x[rows], c.y[rows] = v.x[pick], v.y[pick]
        v.is_present[:] = np.bincount(pick, weights=c.fighters[rows], minlength=n)  # zeroed above
        self.out = rows  # their Mesa agents follow their rows when looked at (ISCell.cell)
        return Visits(rows, pick)

    def dawn(self) -> None:
        """Every cell back at its hideout."""
        c = self.model.cells
        c.x[:] = c.base_x
        c.y[:] = c.base_y
        self.out = NO_ROWS
