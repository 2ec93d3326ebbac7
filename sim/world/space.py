"""Distances and the spatial index of villages on the grid.

Distances are Chebyshev (in cells), the number of Moore moves between two cells.
"""

from __future__ import annotations

import numpy as np


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


class VillageIndex:
    """The village row on each grid cell (-1 where none), with cached neighbourhood queries.

    Villages are settlement cells, so at most one per cell, and they never move: the caches
    depend on nothing but the map.
    """

    def __init__(self, width: int, height: int, x: np.ndarray, y: np.ndarray) -> None:
        self.x, self.y = x, y
        self.at = np.full((width, height), -1, dtype=np.int64)
        self.at[x, y] = np.arange(len(x))
        self._nearest: dict[tuple[int, int], int] = {}
        self._within: dict[tuple[int, int, int], tuple[np.ndarray, np.ndarray]] = {}

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
        return found
