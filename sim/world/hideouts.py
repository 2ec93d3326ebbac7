"""Where cells hide: the Badia near the river, shepherd camps, or SDF-held villages, weighted by the map.

The Badia is IS's sanctuary, with easy access to the front lines with NES (EUI 2022, s.3, fn 40);
the brief names Wadi Dubeit, al-Mayadin and al-Sukhnah as areas still under IS control (fn 51).
IS lives in small groups embedded in shepherd communities (fn 26) and in sleeper cells seeded in
the villages it once held (WP 2019).

Candidates come from the map, with no line drawn by name or by longitude (issue 13), so a cell can
hide facing Raqqa when the conditions there allow it:

* a Badia hideout is a regime-held desert cell within ``badia_hideout_max_cells`` of the river,
  weighted by ``exp(-d_pocket / pocket_scale_cells)``, where ``d_pocket`` is its distance to the
  nearest IS-held pocket (:data:`POCKETS` that are places on the map; Wadi Dubeit has no place on
  the shipped map and is left out);
* a village hideout is any SDF-held village, weighted by IS influence there (a foothold),
  ``exp(-d_badia / frontline_scale_cells)`` (near the Badia, where supplies and flight are close),
  and ``(1 - guard) ** hideout_guard_aversion`` (cells avoid garrisoned places);
* a shepherd-camp hideout is any SDF-held camp (opaque communities, fn 26);
* a day-one sleeper's hideout (:meth:`Hideouts.pick` with ``sleeper``) is an SDF-held village of the
  places IS once held, weighted by its people alone, whatever IS's influence there now: IS seeded
  sleeper cells across the areas it had controlled before it fell (WP 2019), its militants and
  weapons caches stayed in al-Karama's camp until the elite bargain contained them (EUI 2022, fn 37),
  and the SDF arrested about 30 suspects in Raqqa city after the al-Sina'a attack (fn 36). The share
  of day-one village cells placed this way is ``sleeper_seed_share`` (:mod:`sim.world.population`).

With ``hideouts_enabled`` off every candidate of a kind is equally likely: the ablation for the
facts that concentration comes from the map (F1a2, F1b2, F2a2, F6c).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.compiled import stream_of
from sim.draws import NOT_PROBABILITIES, choice_cdf, choice_w, probability_cdf
from sim.geography import TERRAINS
from sim.world.names import BADIA, NEVER_HELD_BY_IS, REGIME, SDF, SHEPHERD_CAMP
from sim.world.space import chebyshev, dilate, distance_to

if TYPE_CHECKING:
    from sim.model import InsurgencyModel

PARAMS: tuple[str, ...] = ("hideouts_enabled", "badia_hideout_max_cells", "pocket_scale_cells",
                           "frontline_scale_cells", "hideout_guard_aversion", "hideout_influence_floor")

POCKETS: tuple[str, ...] = ("al-Mayadin", "al-Sukhnah", "Wadi Dubeit")
"""Areas the brief gives as still under IS control in the Badia (EUI 2022, fn 51)."""


def pocket_cells(model: InsurgencyModel) -> np.ndarray:
    """(n, 2) map cells of the :data:`POCKETS` that are places on the map (may be empty)."""
    found = [(p.x, p.y) for p in model.geography.places if p.name in POCKETS]
    return np.array(found, dtype=np.int64).reshape(-1, 2)


def nearest_distance(points: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Chebyshev distance (cells) from each of ``points`` to the nearest of ``targets`` (inf if none)."""
    if not len(targets):
        return np.full(len(points), np.inf)
    return chebyshev(points[:, 0, None], points[:, 1, None], targets[None, :, 0], targets[None, :, 1]).min(axis=1)


class Hideouts:
    """Picks hideouts of each kind; static candidates and weights are cached by the parameters they use."""

    def __init__(self, model: InsurgencyModel) -> None:
        self.model = model
        self._badia: tuple[tuple, np.ndarray, np.ndarray, np.ndarray] | None = None  # key, squares, weights, cdf
        self._village_distance: tuple[tuple, np.ndarray] | None = None

    def _badia_key(self) -> tuple:
        p = self.model.p
        return int(p.badia_hideout_max_cells), float(p.pocket_scale_cells), bool(p.hideouts_enabled)

    def badia_candidates(self) -> tuple[np.ndarray, np.ndarray]:
        """(n, 2) grid cells that may hide a Badia cell (never empty on a map with any land), and their weights."""
        g, key = self.model.geography, self._badia_key()
        if self._badia is None or self._badia[0] != key:
            desert = np.argwhere(g.is_terrain("desert") & (g.holder == REGIME))
            # within reach of the river: dilate the river mask instead of a (desert x river) distance matrix
            near = dilate(g.is_terrain("river"), key[0])[desert[:, 0], desert[:, 1]]
            # the rule may leave nothing on small maps or at extreme values: widen it step by step
            for cand in (desert[near], desert, np.argwhere(g.holder != SDF), np.argwhere(g.holder >= 0)):
                if len(cand):
                    break
            weight = np.ones(len(cand))
            if key[2]:
                d = nearest_distance(cand, pocket_cells(self.model))
                if np.isfinite(d).all():
                    weight = np.exp(-(d - d.min()) / max(key[1], 1e-9))
            weight = weight / weight.sum()
            # what a draw by the weights compares its number with, made once for the many draws (empty where
            # numpy's choice would refuse the weights)
            self._badia = (key, cand, weight, probability_cdf(weight))
        return self._badia[1], self._badia[2]

    def badia(self) -> np.ndarray:
        """(n, 2) grid cells that may hide a Badia cell."""
        return self.badia_candidates()[0]

    def distance_to_badia(self) -> np.ndarray:
        """Each village's distance (cells) to the nearest Badia candidate."""
        key = self._badia_key()
        if self._village_distance is None or self._village_distance[0] != key:
            m = self.model
            v, cand = m.villages, self.badia()
            # on the grid, not as a (villages x candidates) matrix: that grows with the square of the map
            mask = np.zeros(m.geography.terrain.shape, dtype=bool)
            mask[cand[:, 0], cand[:, 1]] = True
            self._village_distance = (key, distance_to(mask)[v.x, v.y])
        return self._village_distance[1]

    def village_weights(self, rows: np.ndarray) -> np.ndarray:
        """Hideout weight of the given SDF-held villages (uniform with ``hideouts_enabled`` off)."""
        m = self.model
        p, v = m.p, m.villages
        if not p.hideouts_enabled:
            return np.ones(len(rows))
        d = self.distance_to_badia()[rows]
        d = d - d.min() if len(d) and np.isfinite(d).all() else np.zeros(len(rows))
        cover = (1.0 - np.clip(v.guard[rows], 0.0, 1.0)) ** float(p.hideout_guard_aversion)
        near = np.exp(-d / max(float(p.frontline_scale_cells), 1e-9))
        return (v.influence[rows] + p.hideout_influence_floor) * near * cover + 1e-12

    def sleeper_weights(self, rows: np.ndarray) -> np.ndarray:
        """Weight of the given SDF-held villages as a day-one sleeper's hideout: their people where IS once
        held them (1 each with ``hideouts_enabled`` off), 0 in the districts it never held (all zero when
        none of them was held)."""
        m = self.model
        once_held = ~np.isin(m.world.district_of[rows], NEVER_HELD_BY_IS)
        people = m.villages.population[rows] if m.p.hideouts_enabled else np.ones(len(rows))
        return people * once_held

    def pick(self, kind: int, sleeper: bool = False) -> tuple[int, int]:
        """A hideout of one kind (:data:`~sim.world.names.HIDEOUT_KINDS`), drawn with the model's rng.

        ``sleeper`` (village hideouts only): a day-one sleeper, seeded among the people of a place IS once
        held (:meth:`sleeper_weights`; the usual weights where no such village is left)."""
        m = self.model
        v, rng = m.villages, m.rng
        if kind == BADIA:
            cand, weight = self.badia_candidates()
            *_, cdf = self._badia
            # numpy's draw in a kernel, against the cumulative weights made once (numpy's checks of p over
            # thousands of squares cost more than the draw); where they were refused, numpy's own call raises
            pick = choice_cdf(stream_of(m), cdf)
            x, y = cand[rng.choice(len(cand), p=weight) if pick == NOT_PROBABILITIES else pick]
            return int(x), int(y)
        held = np.nonzero(v.sdf_held)[0]
        if kind == SHEPHERD_CAMP:
            camps = held[m.geography.terrain[v.x[held], v.y[held]] == TERRAINS.index("camp")]
            if not len(camps):
                return self.pick(BADIA)
            i = camps[rng.integers(len(camps))]
        else:
            if not len(held):
                return self.pick(BADIA)
            w = self.sleeper_weights(held) if sleeper else None
            if w is None or w.sum() <= 0:
                w = self.village_weights(held)
            w = np.asarray(w, float)
            pick = choice_w(stream_of(m), w)
            i = held[rng.choice(len(held), p=w / w.sum()) if pick == NOT_PROBABILITIES else pick]
        return int(v.x[i]), int(v.y[i])
