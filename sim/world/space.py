"""Distances and the spatial index of villages on the grid.

Distances are Chebyshev (in cells), the number of Moore moves between two cells.
"""

from __future__ import annotations

import copyreg
from typing import Any, ClassVar

import numpy as np
from mesa.discrete_space import OrthogonalMooreGrid
from mesa.discrete_space.grid import pickle_gridcell, unpickle_gridcell

from sim.compiled import kernel

MOORE_OFFSETS: tuple[tuple[int, int], ...] = ((-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1))


def chebyshev(ax: np.ndarray | int, ay: np.ndarray | int, bx: np.ndarray | int, by: np.ndarray | int) -> np.ndarray:
    """Chebyshev distance (cells) between (ax, ay) and (bx, by), broadcast."""
    return np.maximum(np.abs(np.asarray(ax) - bx), np.abs(np.asarray(ay) - by))


def dilate(mask: np.ndarray, k: int) -> np.ndarray:
    """True on cells within Chebyshev distance ``k`` of a True cell of ``mask`` (a square max-filter)."""
    out = mask.copy()
    for axis in (0, 1):
        src, out = out, out.copy()
        n = src.shape[axis]
        for shift in range(1, min(k, n - 1) + 1):
            lo = [slice(None)] * 2
            hi = [slice(None)] * 2
            lo[axis], hi[axis] = slice(0, n - shift), slice(shift, n)
            out[tuple(lo)] |= src[tuple(hi)]
            out[tuple(hi)] |= src[tuple(lo)]
    return out


def distance_to(mask: np.ndarray) -> np.ndarray:
    """Chebyshev distance (cells) of every grid cell to the nearest True cell of ``mask`` (inf if none).

    Grown one ring at a time (a 3x3 dilation a step): memory proportional to the grid and time to the
    grid times the largest distance, where a (points x targets) distance matrix grows with the square
    of the map (issue 15: 13.8 GiB on the x100 benchmark map).
    """
    dist = np.full(mask.shape, np.inf)
    reached = mask.astype(bool, copy=True)
    dist[reached] = 0.0
    step = 0
    while reached.any() and not reached.all():
        step += 1
        grown = dilate(reached, 1)
        dist[grown & ~reached] = step
        reached = grown
    return dist


def _reduce_gridcell(cell: Any, protocol: int) -> tuple:
    """Pickle (and deep-copy) a grid's cell as Mesa does through ``copyreg`` (:func:`pickle_gridcell`: a new
    ``GridCell`` class over the same base, and the cell's state), but with the state applied after the
    empty cell is made, as pickle and ``copy`` apply a reduction's third item.

    Mesa passes the state to the constructor, so it is copied before the new cell is remembered; the
    state holds the cell's agents, whose own state points back at the cell, so a deep copy of a model made
    a second, unlinked copy of each such cell for its agents (a copy of the copy then failed).
    """
    parent, state = pickle_gridcell(cell)[1]
    return unpickle_gridcell, (parent, (None, {})), state


class MooreGrid(OrthogonalMooreGrid):
    """Mesa's ``OrthogonalMooreGrid`` with the same connections, made in one pass per cell, and freed with its model.

    Mesa links the eight neighbours one at a time, clearing the cell's neighbourhood caches at each
    link; on a new grid those caches are empty, so one dict per cell gives the same connections
    (same keys, same order) at a fraction of the cost of building a model.

    Mesa registers each grid's own cell class with ``copyreg``, whose process-wide table then keeps
    the class, and through it the grid's property layers, after the model is gone: some 300 kB a
    model, so a batch worker grew with every run. The class here pickles its cells the same way
    through ``__reduce_ex__`` instead, and goes with its grid.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        copyreg.dispatch_table.pop(self.cell_klass, None)
        self.cell_klass.__reduce_ex__ = _reduce_gridcell

    def __setstate__(self, state: dict[str, Any]) -> None:
        # Mesa relinks the cells and gives the layers' accessors to the first cell's class; each copied cell
        # came with a class of its own (``unpickle_gridcell``), so all take that one, which pickles as ours
        # do: a copied or unpickled model has its layers on every cell and pickles again
        super().__setstate__(state)
        if self._cells:
            klass = self.cell_klass
            klass.__reduce_ex__ = _reduce_gridcell
            for cell in self._cells.values():
                cell.__class__ = klass

    def _connect_cells_2d(self) -> None:
        if self.torus:
            super()._connect_cells_2d()
            return
        cells = self._cells
        ordered = list(cells.values())
        for cell, (keys, neighbours) in zip(ordered, moore_links(tuple(self.dimensions), tuple(cells)), strict=True):
            cell.connections = {key: ordered[k] for key, k in zip(keys, neighbours, strict=True)}


_LINKS: dict[tuple[int, ...], tuple[tuple, tuple]] = {}


def moore_links(dimensions: tuple[int, ...], coordinates: tuple[tuple[int, int], ...]) -> tuple:
    """For each cell of a bounded grid of ``dimensions`` whose cells are ``coordinates`` (in the grid's order), the
    keys of its Moore neighbours in Mesa's order (:data:`MOORE_OFFSETS`, those on the grid) and their places in
    ``coordinates``. Kept per grid size (the maps of a batch share it; a model's grid is built in a third of the
    time)."""
    kept = _LINKS.get(dimensions)
    if kept is None or kept[0] != coordinates:
        w, h = dimensions
        place = {c: k for k, c in enumerate(coordinates)}
        links = []
        for i, j in coordinates:
            keys = tuple((di, dj) for di, dj in MOORE_OFFSETS if 0 <= i + di < w and 0 <= j + dj < h)
            links.append((keys, tuple(place[i + di, j + dj] for di, dj in keys)))
        kept = _LINKS[dimensions] = (coordinates, tuple(links))
    return kept[1]


_ANSWERS: dict[tuple, tuple[dict, dict, np.ndarray]] = {}
"""The neighbourhood answers of each map (its size and villages' squares), shared by the indexes of its models."""


def shared_answers(width: int, height: int, x: np.ndarray, y: np.ndarray) -> tuple[dict, dict, np.ndarray]:
    """The kept answers of :class:`VillageIndex` for a map ``width`` x ``height`` with villages at (x, y): those of
    ``within``, of ``nearest`` and the nearest village by square (-1 until asked). They depend on nothing but the
    map, so a worker's runs of one map ask each square once, not once a run."""
    key = (width, height, x.tobytes(), y.tobytes())
    kept = _ANSWERS.get(key)
    if kept is None:
        kept = _ANSWERS[key] = ({}, {}, np.full((width, height), -1, dtype=np.int64))
    return kept


class VillageIndex:
    """The village row on each grid cell (-1 where none), with cached neighbourhood queries.

    Villages are settlement cells, so at most one per cell, and they never move: the caches
    depend on nothing but the map, and the indexes of one map share them (:func:`shared_answers`).
    """

    def __init__(self, width: int, height: int, x: np.ndarray, y: np.ndarray) -> None:
        self.x, self.y = x, y
        self.at = np.full((width, height), -1, dtype=np.int64)
        self.at[x, y] = np.arange(len(x))
        # _nearest_at is filled as squares are asked for
        self._within, self._nearest, self._nearest_at = shared_answers(width, height, x, y)
        self._tables: dict[int, NeighbourTable] = {}

    def nearest(self, x: int, y: int) -> int:
        """Row of the village nearest to (x, y), the lowest row among ties (searching square rings)."""
        key = (x, y)
        found = self._nearest.get(key)
        if found is None:
            w, h = self.at.shape
            for r in range(max(w, h)):
                box = self.at[max(0, x - r): x + r + 1, max(0, y - r): y + r + 1]
                hits = box[box >= 0]
                if len(hits):
                    found = int(hits.min())  # nothing nearer than r exists: all hits are at distance r
                    break
            else:
                raise ValueError("the map has no villages")
            self._nearest[key] = found
        return found

    def within(self, x: int, y: int, radius: int) -> tuple[np.ndarray, np.ndarray]:
        """Rows of the villages within ``radius`` of (x, y) in increasing order, and their distances."""
        key = (x, y, radius)
        found = self._within.get(key)
        if found is None:
            box = self.at[max(0, x - radius): x + radius + 1, max(0, y - radius): y + radius + 1]
            rows = np.sort(box[box >= 0])
            found = self._within[key] = (rows, chebyshev(self.x[rows], self.y[rows], x, y))
            for array in found:  # shared by the models of the map
                array.flags.writeable = False
        return found

    @property
    def nearest_known(self) -> np.ndarray:
        """The nearest village's row of each square asked for so far (:meth:`nearest`), -1 for the others: for kernels
        that look squares up (``sim.agents.sites.sites_by_holder``) and ask :meth:`nearest_many` for those missing.
        Read it, never write it (the models of a map share it)."""
        return self._nearest_at

    def nearest_many(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """:meth:`nearest` for many squares at once (each square is searched once per model)."""
        found = self._nearest_at[x, y]
        missing = found < 0
        if missing.any():
            for a, b in set(zip(x[missing].tolist(), y[missing].tolist(), strict=True)):
                self._nearest_at[a, b] = self.nearest(a, b)
            found = self._nearest_at[x, y]
        return found

    def neighbours(self, radius: int) -> NeighbourTable:
        """The padded table of villages within ``radius`` of hideout squares (one table per radius)."""
        table = self._tables.get(radius)
        if table is None:
            table = self._tables[radius] = NeighbourTable(self, radius)
        return table


@kernel
def square_slots(slot_at: np.ndarray, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, bool]:
    """The slot of each square (x, y) in a neighbour table's ``slot_at`` (-1 for a square it has no slot
    for yet), and whether every square has one (:meth:`NeighbourTable.slots`)."""
    slot = np.empty(len(x), np.int64)
    complete = True
    for i in range(len(x)):
        slot[i] = slot_at[x[i], y[i]]
        complete &= slot[i] >= 0
    return slot, complete


class NeighbourTable:
    """Villages within a radius of each square asked for, as padded 2-D arrays (one row per square).

    ``rows[slot]`` are the village rows near a square in increasing order, then ``-1``; ``dist[slot]``
    their distances, then ``radius + 1``; ``padded[slot]`` is ``rows[slot]`` with the padding pointing
    at a dummy village one past the last (the number of villages), for lookups in arrays that have it.
    Squares get a slot the first time they are asked for, so a night looks up all its cells'
    neighbourhoods in one compiled loop (:func:`square_slots`) instead of one call per cell. Villages
    never move, so the slot of each village's square is kept too (:meth:`village_rows`).
    """

    changes: ClassVar[int] = 0
    """How many times any table's arrays were replaced (it grew): the compiled kernels' state
    (``sim.kernel_state``) holds them, and is made again when this changes."""

    def __init__(self, index: VillageIndex, radius: int) -> None:
        self.index, self.radius = index, radius
        self.slot_at = np.full(index.at.shape, -1, dtype=np.int64)
        self.rows = np.full((0, 1), -1, dtype=np.int64)
        self.dist = np.full((0, 1), radius + 1, dtype=np.int64)
        self.padded = np.full((0, 1), len(index.x), dtype=np.int64)
        self.village_slot = np.full(len(index.x), -1, dtype=np.intp)  # -1: the village's square not asked yet

    def village_rows(self, villages: np.ndarray) -> np.ndarray:
        """``padded`` rows of the squares of ``villages`` (village rows): ``padded[slots(x, y)]`` of their squares.

        Squares are added exactly when :meth:`slots` would add them (the first time they are asked
        for), so the table grows, and its width with it, as it did before this shortcut: the width
        matters, numpy's row sums group their terms by it.
        """
        slot = self.village_slot[villages]
        if len(slot) and slot.min() < 0:
            missing = villages[slot < 0]
            self.village_slot[missing] = self.slots(self.index.x[missing], self.index.y[missing])
            slot = self.village_slot[villages]
        return self.padded.take(slot, axis=0)  # rows by take: the same copy as padded[slot], at half the cost

    def knows(self, villages: np.ndarray) -> bool:
        """True when the squares of all ``villages`` have slots (asking for them will not grow the table)."""
        return not len(villages) or bool(self.village_slot[villages].min() >= 0)

    def slots(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """The slot of each square (x, y), adding the squares not seen before."""
        slot, complete = square_slots(self.slot_at, x, y)  # as the night's kernel looks its cells' squares up
        if not complete:
            missing = slot < 0
            self._add(sorted(set(zip(x[missing].tolist(), y[missing].tolist(), strict=True))))
            slot, _ = square_slots(self.slot_at, x, y)
        return slot

    def _add(self, squares: list[tuple[int, int]]) -> None:
        found = [self.index.within(a, b, self.radius) for a, b in squares]
        width = max(self.rows.shape[1], *(len(ids) for ids, _ in found))
        rows = np.full((len(self.rows) + len(found), width), -1, dtype=np.int64)
        dist = np.full(rows.shape, self.radius + 1, dtype=np.int64)
        old = len(self.rows)
        rows[:old, : self.rows.shape[1]], dist[:old, : self.dist.shape[1]] = self.rows, self.dist
        for i, (ids, d) in enumerate(found):
            rows[old + i, : len(ids)], dist[old + i, : len(ids)] = ids, d
        for i, (a, b) in enumerate(squares):
            self.slot_at[a, b] = old + i
        self.rows, self.dist = rows, dist
        self.padded = np.where(rows < 0, len(self.index.x), rows)
        NeighbourTable.changes += 1
