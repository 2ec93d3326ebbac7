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
from sim.compiled import Stream, drawn_below, kernel, pairwise_sum_of, rng_of, stream_of
from sim.kernel_state import KernelState, kernel_state
from sim.mechanisms.base import LastAnswer, Mechanism
from sim.mechanisms.strongholds import zakat_pulls, zones_of
from sim.mechanisms.zakat import collection_inputs, collection_pull, takes_of, takes_on
from sim.world.names import REGIME
from sim.world.space import NeighbourTable, square_slots

if TYPE_CHECKING:
    from sim.model import InsurgencyModel

NO_ROWS = np.zeros(0, int)
NO_ROWS.flags.writeable = False  # no cell out: shared, never written
SMALLEST = np.nextafter(0.0, 1.0)  # the smallest positive float
EVERYWHERE = np.zeros(0, bool)  # no mask: every village may be a target


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
               on_road: np.ndarray, guard: np.ndarray, collection: np.ndarray, zakat_factor: np.ndarray,
               held: np.ndarray) -> None:
    """Write into ``out`` (roles, villages) what each role looks for in each village (see
    :meth:`NightMovement.role_attraction`); ``collection`` is the tax collectors' pull, ``zakat_factor``
    the cold zones' draw on them; 0 for every role in a village outside the mask ``held`` (empty: none)."""
    for i in range(len(influence)):
        if len(held) and not held[i]:
            out[:, i] = 0.0
            continue
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
    weight = np.empty(n * width)  # row i from i * width: flat, so that a row's sum makes no view
    total = np.empty(n)
    going = 0
    for i in range(n):
        row, r, at = slot[i], role[i], i * width
        aversion = 1 if r == ZAKAT else 0
        for j in range(width):
            village = padded[row, j]
            w = attraction[r, village] * decay[dist[row, j]]
            w *= cover[aversion, village]
            if len(reach) and dist[row, j] > reach[i]:  # out of a Badia cell's reach
                w = 0.0
            weight[at + j] = w
        total[i] = pairwise_sum_of(weight, at, width)  # the row's sum as numpy's, whose rounding the draw sees
        going += total[i] > 0
    u = rng_of(stream).random(going)
    pick = np.full(n, -1, np.int64)
    k = 0
    for i in range(n):
        if total[i] > 0:
            # the first column whose running total reaches the threshold (column 0 if rounding leaves
            # the running total short of the row's sum, as numpy's argmax of no True gives)
            threshold = max(u[k] * total[i], SMALLEST)
            k += 1
            running, first, at = 0.0, 0, i * width
            for j in range(width):
                running += weight[at + j]
                if running >= threshold:
                    first = j
                    break
            pick[i] = padded[slot[i], first]
    return pick


@kernel
def night_reach(holder: np.ndarray, base_x: np.ndarray, base_y: np.ndarray, rows: np.ndarray, base: float,
                badia_factor: float) -> np.ndarray:
    """Night reach (cells) of the cells ``rows`` while the regime's offensive lasts: ``base``, times
    ``badia_factor`` for a cell based in regime-held land (the Badia, ``holder`` of its hideout)."""
    r = np.empty(len(rows))
    for i in range(len(rows)):
        k = rows[i]
        r[i] = base * badia_factor if holder[base_x[k], base_y[k]] == REGIME else base
    return r


@kernel
def out_reach(rows: np.ndarray, holder: np.ndarray, base_x: np.ndarray, base_y: np.ndarray, base: float,
              badia_factor: float, offensive: bool) -> tuple[np.ndarray, int]:
    """The reach of the cells ``rows`` out tonight and the radius of the neighbour table that holds it: while
    the regime's offensive lasts, each one's reach (:func:`night_reach`) and the floor of the longest; else no
    reach (every cell reaches ``base``) and ``base``'s floor."""
    if not offensive:  # one reach for all: the table holds exactly the villages within it
        return np.zeros(0), math.floor(base)
    reach = night_reach(holder, base_x, base_y, rows, base, badia_factor)
    return reach, math.floor(reach.max()) if len(reach) else 0


@kernel
def cells_out(stream: Stream, alive: np.ndarray, chance: float, staged: np.ndarray, holder: np.ndarray,
              base_x: np.ndarray, base_y: np.ndarray, base: float, badia_factor: float,
              offensive: bool) -> tuple[np.ndarray, np.ndarray, int]:
    """Tonight's cells out, their reach and the radius of the neighbour table that holds it.

    The rows of ``alive`` whose draw (one each, in order) is below ``chance``, less the ``staged``
    ones, and their reach (:func:`out_reach`).
    """
    rows = drawn_below(stream, alive, chance)
    if len(staged):  # attackers gathered for a prison attack stay put
        kept = np.empty(len(rows), np.int64)
        n = 0
        for k in rows:
            if not (staged == k).any():
                kept[n] = k
                n += 1
        rows = kept[:n]
    reach, radius = out_reach(rows, holder, base_x, base_y, base, badia_factor, offensive)
    return rows, reach, radius


@kernel
def night_targets(stream: Stream, rows: np.ndarray, reach: np.ndarray, base_x: np.ndarray, base_y: np.ndarray,
                  role: np.ndarray, slot_at: np.ndarray, padded: np.ndarray, dist: np.ndarray,
                  attraction: np.ndarray, decay: np.ndarray, cover: np.ndarray) -> tuple[bool, np.ndarray, np.ndarray]:
    """Whether the hideout square of each of the cells ``rows`` has a row in the neighbour table
    (``slot_at``, ``padded``, ``dist``), then the cells that have a village within reach tonight and
    those villages (:func:`choose_targets`).

    When a square has no row yet nothing is drawn: the caller adds the squares
    (:meth:`NeighbourTable.slots`) and asks again.
    """
    slot, complete = square_slots(slot_at, base_x[rows], base_y[rows])
    if not complete:
        return False, rows, rows
    pick = choose_targets(stream, padded, dist, slot, role[rows], reach, attraction, decay, cover)
    going = pick >= 0
    if going.all():
        return True, rows, pick
    return True, rows[going], pick[going]


@kernel
def role_groups(cells: np.ndarray, villages: np.ndarray, role: np.ndarray,
                n_roles: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The visits (``cells``, ``villages``) grouped by their cells' ``role``, in order within a role (a
    stable sort by role), and the ``n_roles + 1`` bounds of the groups."""
    bounds = np.zeros(n_roles + 1, np.int64)
    for k in cells:
        bounds[role[k] + 1] += 1
    for r in range(n_roles):
        bounds[r + 1] += bounds[r]
    at = bounds[:-1].copy()
    by_cell, by_village = np.empty_like(cells), np.empty_like(villages)
    for i in range(len(cells)):
        r = role[cells[i]]
        by_cell[at[r]], by_village[at[r]] = cells[i], villages[i]
        at[r] += 1
    return by_cell, by_village, bounds


@kernel
def visited_once(villages: np.ndarray) -> np.ndarray:
    """The villages (non-negative rows) in ``villages``, each once, in increasing order (``np.unique``'s)."""
    if not len(villages):
        return np.zeros(0, np.int64)
    seen = np.zeros(villages.max() + 1, np.bool_)
    for j in villages:
        seen[j] = True
    return np.flatnonzero(seen)


@kernel
def arrive(rows: np.ndarray, pick: np.ndarray, x: np.ndarray, y: np.ndarray, village_x: np.ndarray,
           village_y: np.ndarray, fighters: np.ndarray, is_present: np.ndarray, role: np.ndarray,
           n_roles: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Move the cells ``rows`` (``x``, ``y``) to their villages ``pick`` and count the fighters present in
    each village (``is_present``); the visits grouped by role (:func:`role_groups`) and the villages
    visited (:func:`visited_once`)."""
    present = np.zeros(len(is_present))  # summed in order as floats, as np.bincount's weights are
    for i in range(len(rows)):
        k, j = rows[i], pick[i]
        x[k], y[k] = village_x[j], village_y[j]
        present[j] += fighters[k]
    for j in range(len(is_present)):
        is_present[j] = present[j]
    by_cell, by_village, bounds = role_groups(rows, pick, role, n_roles)
    return by_cell, by_village, bounds, visited_once(pick)


@kernel
def night_moves(stream: Stream, rows: np.ndarray, reach: np.ndarray, state: KernelState, slot_at: np.ndarray,
                padded: np.ndarray, dist: np.ndarray, attraction: np.ndarray, decay: np.ndarray, cover: np.ndarray,
                pull_base: float, takes: tuple, zone_rule: tuple, settle: bool,
                n_roles: int) -> tuple[bool, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The night's choices of the cells ``rows`` out, in one call (:meth:`NightMovement.go_out`), on the kernels'
    ``state``: each role's pull in each village into ``attraction`` (:func:`role_pulls`; the tax collectors' by
    ``zakat.takes_of`` of ``takes`` and by the cold zones' draw, ``strongholds.zakat_pulls`` of the zones'
    inputs, ``Strongholds.zone_rule``; 0 outside SDF-held land), the targets (:func:`night_targets`) and, when
    ``settle``, the cells' arrival there (:func:`arrive`). Returns whether every hideout square had a row in
    the neighbour table (if not, nothing drawn: the caller adds them and asks again), the cells going and their
    villages, and, once arrived, the visits grouped by role and the villages visited (else empty)."""
    influence, fear, guard, held = state.v_influence, state.v_fear, state.v_guard, state.v_sdf_held
    n = len(influence)
    role_pulls(attraction[:, :n], pull_base, influence, state.v_officials, state.v_pledged, state.on_road, guard,
               takes_of(takes, influence, fear, guard), zakat_pulls(zones_of(state, zone_rule)), held)
    found, going, pick = night_targets(stream, rows, reach, state.c_base_x, state.c_base_y, state.c_role, slot_at,
                                       padded, dist, attraction, decay, cover)
    if not found or not settle or len(going) == 0:
        none = np.zeros(0, np.int64)
        return found, going, pick, none, none, none, none
    by_cell, by_village, bounds, unique = arrive(going, pick, state.c_x, state.c_y, state.v_x, state.v_y,
                                                 state.c_fighters, state.v_is_present, state.c_role, n_roles)
    return True, going, pick, by_cell, by_village, bounds, unique


@kernel
def packed_visits(going: np.ndarray, pick: np.ndarray, by_cell: np.ndarray, by_village: np.ndarray,
                  bounds: np.ndarray, unique: np.ndarray) -> np.ndarray:
    """What :func:`night_moves` returned for the cells that arrived, in one array (one to return to Python instead
    of six): the number of visits ``n`` and of villages visited, then ``going``, ``pick``, ``by_cell``,
    ``by_village`` (``n`` each), ``bounds`` and ``unique``; :func:`unpacked_visits` gives them back."""
    n, u = len(going), len(unique)
    out = np.empty(2 + 4 * n + len(bounds) + u, np.int64)
    out[0], out[1] = n, u
    at = _put(out, 2, going)
    at = _put(out, at, pick)
    at = _put(out, at, by_cell)
    at = _put(out, at, by_village)
    _put(out, _put(out, at, bounds), unique)
    return out


@kernel
def _put(out: np.ndarray, at: int, part: np.ndarray) -> int:
    # ``part`` copied into ``out`` from ``at``; where the next part starts
    out[at:at + len(part)] = part
    return at + len(part)


@kernel
def unpacked_visits(packed: np.ndarray, n_roles: int) -> tuple[np.ndarray, ...]:
    """The six arrays of :func:`packed_visits` (views of ``packed``; ``n_roles + 1`` bounds): Python's visits
    (``NightMovement.arrived``) and a kernel's given visits (``sim.night_acts.days_in_a_row``)."""
    n, u = packed[0], packed[1]
    at = 2
    going = packed[at:at + n]
    pick = packed[at + n:at + 2 * n]
    by_cell = packed[at + 2 * n:at + 3 * n]
    by_village = packed[at + 3 * n:at + 4 * n]
    at += 4 * n
    return going, pick, by_cell, by_village, packed[at:at + n_roles + 1], packed[at + n_roles + 1:at + n_roles + 1 + u]


@dataclass(slots=True)  # seven are made a night (the night's, one per role): slots make them faster
class Visits:
    """Tonight's (cell, village) pairs."""

    cells: np.ndarray
    villages: np.ndarray
    # what several mechanisms ask of the same night, computed once (roles cannot change during a night):
    # the visits grouped by role and the groups' bounds (role_groups; go_out's come with the night)
    _grouped: tuple[np.ndarray, np.ndarray, np.ndarray] | None = field(default=None, repr=False, compare=False)
    _by_role: dict[int, Visits] | None = field(default=None, repr=False, compare=False)
    _unique: np.ndarray | None = field(default=None, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.cells)

    def of_role(self, model: InsurgencyModel, role: str) -> Visits:
        """Only the visits by cells of one role (in tonight's order; read-only views, shared by the asks)."""
        k = ROLE[role]
        by_role = self._by_role
        if by_role is None:  # the first ask tonight
            self.grouped(model)
            by_role = self._by_role = {}
        found = by_role.get(k)
        if found is None:  # made when asked: most nights only a few roles are asked in Python
            cells, villages, bounds = self._grouped
            lo, hi = int(bounds[k]), int(bounds[k + 1])
            found = by_role[k] = Visits(cells[lo:hi], villages[lo:hi])
        return found

    def grouped(self, model: InsurgencyModel) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The visits' cells and villages grouped by role (in tonight's order within a role) and the
        ``len(ROLES) + 1`` bounds of the groups (:func:`role_groups`)."""
        if self._grouped is None:
            self._grouped = role_groups(self.cells, self.villages, model.cells.role, len(ROLES))
        cells, villages, _ = self._grouped
        # read-only: shared by the asks, and always of one type for the kernels that read them (a writable
        # array is another type to numba: a second compiled version to load)
        cells.flags.writeable = villages.flags.writeable = False
        return self._grouped

    def unique_villages(self) -> np.ndarray:
        """The villages visited tonight, each once, in increasing order."""
        if self._unique is None:  # what np.unique gives for these small non-negative rows, without its sort
            self._unique = visited_once(self.villages)
        return self._unique

    @classmethod
    def none(cls) -> Visits:
        """A night when no cell goes out."""
        return cls(np.zeros(0, int), np.zeros(0, int))


@kernel
def moves_inputs_on(inputs: tuple, day: int) -> tuple:
    """:meth:`NightMovement.moves_inputs` made on another ``day``: the tax collectors' takes are the day's
    (``zakat.takes_on``); the rest is the same from day to day while the guard, the parameters and the table are."""
    slot_at, padded, dist, attraction, decay, cover, pull_base, takes, zone_rule = inputs
    return slot_at, padded, dist, attraction, decay, cover, pull_base, takes_on(takes, day), zone_rule


def uncovered(guard: np.ndarray, aversions: np.ndarray) -> np.ndarray:
    """(2, villages + 1): each village's uncovered share (1 - ``guard``) raised to each of the two ``aversions`` (a
    column); the last column is the neighbour tables' dummy village's (an uncovered share of 0). Read-only
    (:meth:`NightMovement.cover`). Also called from compiled code, in numba's object mode
    (``sim.night_acts.days_in_a_row``): numpy's power, the same numbers."""
    guard_left = np.zeros(len(guard) + 1)
    np.subtract(1.0, guard, out=guard_left[:-1])
    cover = guard_left[None, :] ** aversions
    cover.flags.writeable = False
    return cover


@kernel
def back_at_dawn(x: np.ndarray, y: np.ndarray, base_x: np.ndarray, base_y: np.ndarray) -> None:
    """Every cell back at its hideout (:meth:`NightMovement.dawn`): its square, ``x`` and ``y``, its base's."""
    x[:] = base_x
    y[:] = base_y


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

    def role_attraction(self, out: np.ndarray | None = None, held: np.ndarray = EVERYWHERE) -> np.ndarray:
        """(roles, villages): what each role looks for in each village tonight (written into ``out`` if
        given); 0 in the villages outside the mask ``held``, if one is given."""
        m = self.model
        v = m.villages
        att = np.empty((len(ROLES), len(v))) if out is None else out
        # killers look for officials who did not pledge (pledged ones are informants, see killings);
        # tax collectors go where the take is (due traders, rich oil markets first: EUI s.2, fn 24),
        # and IS's accumulation zones draw them (strongholds.zakat_factor, EUI s.4)
        role_pulls(att, float(m.p.visit_base_attraction), v.influence, v.officials, v.pledged, m.world.on_road, v.guard,
                   collection_pull(m), m.mechanisms.strongholds.zakat_factor(), held)
        return att

    def reach(self, rows: np.ndarray) -> np.ndarray:
        """Night reach (cells) of the given cells."""
        m = self.model
        if m.policy.regime_offensive:
            c = m.cells
            return night_reach(m.geography.holder, c.base_x, c.base_y, rows, self.base_reach(),
                               float(m.p.regime_offensive_mobility_factor))
        return np.full(len(rows), self.base_reach())

    def base_reach(self) -> float:
        """Night reach (cells) of a cell outside the Badia, or of any cell while the regime holds back."""
        p, north = self.model.p, self.model.policy.sdf_attention_north
        return self.kept("reach", lambda: p.night_range_cells * (1.0 + p.mobility_gain_when_sdf_north * north), north)

    def cover(self) -> np.ndarray:
        """(2, villages + 1): each village's uncovered share (1 - guard) raised to the two guard aversions.

        Row 0 for most roles, row 1 for tax collectors; the last column is the neighbour tables' dummy
        village. Kept until the guard or the aversions change (the guard changes when units move).
        """
        v, p = self.model.villages, self.model.p
        key = (v.guard.tobytes(), p.guard_aversion, p.guard_aversion_zakat)
        return self._cover.get(key, lambda: uncovered(v.guard, self.aversions()))

    def aversions(self) -> np.ndarray:
        """The two guard aversions as :func:`uncovered` reads them (a column: most roles', the tax collectors')."""
        p = self.model.p
        return self.kept("aversions", lambda: np.array([[p.guard_aversion], [p.guard_aversion_zakat]]))

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
        c = m.cells
        self.out = NO_ROWS
        if not self.enabled:
            return self.nobody_out()
        # the draw of who goes out, and their reach (Badia cells reach less far during the regime's offensive)
        alive, chance, staged, base, factor, offensive = self.out_inputs()
        rows, reach, radius = cells_out(stream_of(m), alive, chance, staged, m.geography.holder, c.base_x, c.base_y,
                                        base, factor, offensive)
        return self.settle(rows, reach, radius)

    def out_inputs(self) -> tuple[np.ndarray, float, np.ndarray, float, float, bool]:
        """What :func:`cells_out` reads besides the stream and the map's and cells' columns: the living cells'
        rows, the chance to go out, the cells staged for a prison attack (they stay put), the base reach, the
        offensive's factor on Badia cells' reach and whether the offensive is on."""
        m = self.model
        p = m.p
        return (m.cell_sites().alive, float(p.night_activity_prob), m.mechanisms.prison.staged_rows(),
                self.base_reach(), float(p.regime_offensive_mobility_factor), bool(m.policy.regime_offensive))

    def reach_of(self, rows: np.ndarray) -> tuple[np.ndarray, int]:
        """The reach of the cells ``rows`` out tonight and their table's radius, as :func:`cells_out` gave them."""
        m = self.model
        _, _, _, base, factor, offensive = self.out_inputs()
        return out_reach(rows, m.geography.holder, m.cells.base_x, m.cells.base_y, base, factor, offensive)

    def settle(self, rows: np.ndarray, reach: np.ndarray, radius: int) -> Visits:
        """Tonight's targets of the cells ``rows`` out (their ``reach`` and table ``radius`` from :func:`cells_out`),
        and the cells moved there."""
        m = self.model
        c, v = m.cells, m.villages
        if len(rows) == 0 or len(v) == 0:
            return self.nobody_out()
        # each cell weighs only the villages within its reach: a padded neighbour table per hideout
        # square (model.world.index), looked up for all cells at once, so a night costs in proportion
        # to the cells out, whatever the size of the map; padding points at a dummy village n with no weight
        table = m.world.index.neighbours(radius)
        # the roles' pulls (no weight outside SDF-held land; the cold zones' draw on tax collectors told from
        # the criteria in the kernel) and the choices in one kernel call; the cells arrive there in it too
        # unless the Margadeh cells' strikes are sent away first (a Python step)
        redirect = m.mechanisms.margadeh_coordination.redirects()
        inputs = self.moves_inputs(table)
        while True:
            found, going, pick, by_cell, by_village, bounds, unique = night_moves(
                stream_of(m), rows, reach, kernel_state(m), *inputs, not redirect, len(ROLES))
            if found:
                break
            table.slots(c.base_x[rows], c.base_y[rows])  # hideout squares new to the table: add them, then choose
            inputs = self.moves_inputs(table)
        if len(going) == 0:  # no cell has a village within reach tonight
            return self.nobody_out()
        if redirect:  # fn 26
            pick = m.mechanisms.margadeh_coordination.redirect(going, pick, self._attraction)
            by_cell, by_village, bounds, unique = arrive(going, pick, c.x, c.y, v.x, v.y, c.fighters, v.is_present,
                                                         c.role, len(ROLES))
        self.out = going  # their Mesa agents follow their rows when looked at (ISCell.cell)
        return Visits(going, pick, _grouped=(by_cell, by_village, bounds), _unique=unique)

    def moves_inputs(self, table: NeighbourTable) -> tuple:
        """What :func:`night_moves` reads after the cells out, their reach and the kernels' state, up to ``settle``,
        with the neighbour ``table`` of tonight's radius: the table's arrays, the roles' pulls (written there), the
        decay with distance, the cover, the base pull, the tax collectors' takes and the cold zones' rule."""
        m = self.model
        decay, pull_base, zone_rule = self.kept("moves", lambda: (
            self.decay(table.radius), float(m.p.visit_base_attraction), m.mechanisms.strongholds.zone_rule()),
            table.radius)
        # zakat demands go by WhatsApp (EUI fn 24): tax collectors need not brave the patrols as others do
        return (table.slot_at, table.padded, table.dist, self._attraction, decay, self.cover(), pull_base,
                collection_inputs(m), zone_rule)

    def went_out(self, packed: np.ndarray) -> None:
        """The cells of :func:`packed_visits`' array are out tonight (they have arrived)."""
        self.out = packed[2:2 + packed[0]]  # their Mesa agents follow their rows when looked at (ISCell.cell)

    def packed(self, visits: Visits) -> np.ndarray:
        """Tonight's ``visits`` in one array, as :func:`packed_visits` makes it (what :meth:`arrived` reads)."""
        return packed_visits(visits.cells, visits.villages, *visits.grouped(self.model), visits.unique_villages())

    def arrived(self, packed: np.ndarray) -> Visits:
        """Tonight's visits from :func:`packed_visits`' array (the cells have arrived; they are out)."""
        going, pick, by_cell, by_village, bounds, unique = unpacked_visits(packed, len(ROLES))
        self.out = going
        return Visits(going, pick, _grouped=(by_cell, by_village, bounds), _unique=unique)

    def nobody_out(self) -> Visits:
        """No cell out tonight: no fighters present in any village."""
        self.model.villages.is_present.fill(0)
        return Visits.none()

    def dawn(self) -> None:
        """Every cell back at its hideout."""
        c = self.model.cells
        back_at_dawn(c.x, c.y, c.base_x, c.base_y)
        self.out = NO_ROWS
