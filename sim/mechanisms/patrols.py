"""SDF presence: garrisons and their patrols cover the villages around them.

Presence (``guard``) falls with distance from each active unit and rises with its strength. It
deters cells (they avoid guarded villages), lets attacks find targets, and lets the
administration hold. Without the Coalition the same units cover less (``coalition.presence``).
Units redeployed north (``turkish_front``) or held in the al-Hasaka cordon (``prison``) do not
patrol the south.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.compiled import kernel
from sim.kernel_state import KernelState, kernel_state
from sim.mechanisms.base import LastAnswer, Mechanism, values_of
from sim.modifiers import presence_of, present_at

if TYPE_CHECKING:
    from sim.model import InsurgencyModel

PATROL_CUTOFF = 5.0  # in patrol radii: exp(-5) < 1% of a unit's pull at its garrison


def coverage(model: InsurgencyModel, on: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The villages each unit ``on`` covers, one unit after the other: their rows, how many per unit,
    and how much the unit's pull has faded at each (within a cut-off where it is below 1%)."""
    u, scale = model.units, model.p.patrol_radius_cells
    if not len(on):
        return np.zeros(0, np.intp), np.zeros(0, np.intp), np.zeros(0)
    radius = int(np.ceil(scale * PATROL_CUTOFF))
    near = [model.world.index.within(x, y, radius) for x, y in zip(u.x[on].tolist(), u.y[on].tolist(), strict=True)]
    rows = np.concatenate([r for r, _ in near])
    dist = np.concatenate([d for _, d in near])
    return rows, np.array([len(r) for r, _ in near]), np.exp(-dist / scale)


@kernel
def guard_of(on: np.ndarray, strength: np.ndarray, unit_size: float, rows: np.ndarray, counts: np.ndarray,
             fade: np.ndarray, present_by_district: np.ndarray, village_district: np.ndarray, without: float,
             saturation: float, held: np.ndarray, guard: np.ndarray) -> None:
    """Each village's SDF presence (0..1) into ``guard``: the pulls of the units ``on`` (strength / ``unit_size``,
    faded by ``fade`` at the villages ``rows`` each covers, ``counts`` per unit, see :func:`coverage`) added in
    unit order, x the Coalition's :func:`sim.modifiers.presence` (``policy.coalition_present_by_district``,
    ``world.village_district``, ``sdf_presence_without_coalition``) / ``saturation``, held within 0..1; 0 where
    the SDF do not hold (``held``)."""
    cover = np.zeros(len(guard))
    j = 0
    for k in range(len(on)):
        pull = strength[on[k]] / unit_size
        for _ in range(counts[k]):
            cover[rows[j]] += pull * fade[j]
            j += 1
    for i in range(len(guard)):
        present = presence_of(present_at(present_by_district, village_district, i), without)
        guard[i] = min(max(cover[i] * present / saturation, 0.0), 1.0) if held[i] else 0.0


@kernel
def patrolling(active: np.ndarray, strength: np.ndarray, in_cordon: np.ndarray) -> np.ndarray:
    """Rows of the units that patrol (:meth:`Patrols.on_patrol`): ``active``, with ``strength`` left, and not
    held in the prison's cordon (``in_cordon``), in increasing order."""
    rows = np.empty(len(active), np.int64)
    n = 0
    for k in range(len(active)):
        if active[k] and strength[k] > 0 and not in_cordon[k]:
            rows[n] = k
            n += 1
    return rows[:n]


@kernel
def still_on_patrol(state: KernelState, on: np.ndarray, cordon: np.ndarray) -> bool:
    """Whether the units on patrol now (:func:`patrolling` of the kernels' ``state`` and the prison's ``cordon``) are
    the units ``on`` that the patrols' tables were made for, in the same order."""
    now = patrolling(state.u_active, state.u_strength, cordon)
    return len(now) == len(on) and (now == on).all()


@kernel
def presence_made_from(state: KernelState, on: np.ndarray, counts: np.ndarray, rows: np.ndarray, fade: np.ndarray,
                       unit_size: float, rule: tuple) -> None:
    """The villages' presence (:func:`guard_of`, into the kernels' ``state``) from the units ``on`` patrol and their
    coverage (``counts``, ``rows``, ``fade``: :meth:`Patrols.reach`), and the grid's layer of it (``rule``:
    :meth:`Patrols.presence_rule`): what :meth:`Patrols.day` makes when the units or the policy changed."""
    without, saturation, layer = rule
    guard = state.v_guard
    guard_of(on, state.u_strength, unit_size, rows, counts, fade, state.coalition_present_by_district,
             state.village_district, without, saturation, state.v_sdf_held, guard)
    layer[:, :] = 0.0
    for i in range(len(guard)):  # in village order, as numpy's fancy assignment writes (the last one stays)
        layer[state.v_x[i], state.v_y[i]] = guard[i]


@kernel
def presence_after_hits(state: KernelState, patrol: tuple, rule: tuple) -> bool:
    """:meth:`Patrols.day` after units were hit in a night done in a kernel call: :func:`presence_made_from` the
    patrols' tables (``patrol``: ``Patrols.patrol_tables`` and the cordon, as ``NightActs.gather`` gives them). False,
    and nothing done, when the units on patrol are no longer those of the tables (a unit wiped out: Python makes the
    tables again)."""
    on, counts, rows, fade, unit_size, cordon = patrol
    if not still_on_patrol(state, on, cordon):
        return False
    presence_made_from(state, on, counts, rows, fade, unit_size, rule)
    return True


def village_guard(model: InsurgencyModel, on: np.ndarray, reach: tuple[np.ndarray, ...],
                  out: np.ndarray | None = None) -> np.ndarray:
    """Each village's SDF presence (0..1) from the units ``on`` patrol, given their ``coverage`` (into ``out``
    when given, a new array otherwise)."""
    p, v, u = model.p, model.villages, model.units
    rows, counts, fade = reach
    guard = np.empty(len(v)) if out is None else out
    guard_of(on, u.strength, float(p.sdf_unit_size), rows, counts, fade, model.policy.coalition_present_by_district,
             model.world.village_district, float(p.sdf_presence_without_coalition), float(p.guard_saturation),
             v.sdf_held, guard)
    return guard


def day_one_presence(model: InsurgencyModel) -> np.ndarray:
    """The villages' SDF presence on the first day, every unit on patrol: where the first cells hide
    depends on it (``world/hideouts``), so it is known before the cells are placed."""
    if not model.p.patrols_enabled:  # no patrols: no presence, as on every later day
        return np.zeros(len(model.villages))
    on = np.arange(len(model.units))
    return village_guard(model, on, coverage(model, on))


@kernel
def pulls_at(village: int, on: np.ndarray, counts: np.ndarray, rows: np.ndarray, fade: np.ndarray,
             strength: np.ndarray, unit_size: float, units: np.ndarray, pull: np.ndarray) -> int:
    """The units patrolling ``village`` and each one's pull there (:meth:`Patrols.pull_at`), written into the
    first places of ``units`` and ``pull``; returns how many. ``on``, ``counts``, ``rows`` and ``fade``: the
    units on patrol and their coverage (:meth:`Patrols.reach`), in unit order; a unit whose strength has
    fallen to 0 since is no longer on patrol (:func:`patrolling`) and is left out, as its coverage would be."""
    n = 0
    j = 0
    for k in range(len(on)):
        unit = on[k]
        for _ in range(counts[k]):
            if rows[j] == village and strength[unit] > 0:
                units[n] = unit
                pull[n] = strength[unit] / unit_size * fade[j]
                n += 1
            j += 1
    return n


class Patrols(Mechanism):
    """Recompute the villages' SDF presence (``guard``) when what it depends on changed."""

    name = "patrols"
    switch = "patrols_enabled"
    params = ("patrols_enabled", "patrol_radius_cells", "guard_saturation")
    reads = ("sdf_unit_size", "sdf_presence_without_coalition")

    def __init__(self, model: InsurgencyModel) -> None:
        super().__init__(model)
        self.key: tuple = ()  # what the current guard was computed from
        self._reach = LastAnswer()
        self._settings = values_of(self.params + self.reads)  # the parameters' values, read in one call
        # the grid's layer for the visualizer: mesa writes into its array, never replaces it
        self._layer = model.grid.sdf_presence.data

    def day(self) -> None:
        """Today's presence (cached: recomputed only when units, policy or parameters changed)."""
        m = self.model
        key = self._day_key()
        if self.key == key:
            return
        on = self.on_patrol()
        rows, counts, fade = self.reach(on)
        presence_made_from(kernel_state(m), on, counts, rows, fade, float(m.p.sdf_unit_size), self.presence_rule())
        self.key = key

    def presence_rule(self) -> tuple[float, float, np.ndarray]:
        """What :func:`presence_made_from` reads besides the state and the patrols' tables: the presence without
        the Coalition, the saturation, and the grid's layer of presence (written in place)."""
        p = self.model.p
        return float(p.sdf_presence_without_coalition), float(p.guard_saturation), self._layer

    def presence_made(self) -> None:
        """The villages' presence was made for the units as they are now (by :func:`presence_after_hits`)."""
        self.key = self._day_key()

    def idle_today(self) -> bool:
        """Today's presence is the one kept: :meth:`day` has nothing to recompute."""
        return self.key == self._day_key()

    def _day_key(self) -> tuple:
        # what today's presence depends on; the cordon itself changes only with a prison attack, which also changes
        # the units' version
        m = self.model
        policy = m.policy
        return (m.units_version, m.day <= m.mechanisms.prison.siege_until, policy.sdf_attention_north,
                policy.coalition_present_by_district.tobytes(), self._settings(m.p))

    def on_patrol(self) -> np.ndarray:
        """Rows of the units patrolling in the south: active, not wiped out, not held in the cordon."""
        u = self.model.units
        return patrolling(u.active, u.strength, self.model.mechanisms.prison.units_in_cordon())

    def pull_at(self, village: int) -> tuple[np.ndarray, np.ndarray]:
        """The units patrolling ``village`` and each one's pull there (its share of a full unit's
        strength, faded with distance): what makes up the village's presence, unit by unit."""
        on, counts, rows, fade, unit_size = self.patrol_tables()
        units, pull = np.empty(len(on), np.int64), np.empty(len(on))
        n = pulls_at(int(village), on, counts, rows, fade, self.model.units.strength, unit_size, units, pull)
        return units[:n], pull[:n]

    def patrol_tables(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float]:
        """What :func:`pulls_at` reads besides the village and the strengths: the units on patrol, their
        coverage (how many villages per unit, the villages, the fading), and ``sdf_unit_size``."""
        on = self.on_patrol()
        rows, counts, fade = self.reach(on)
        return on, counts, rows, fade, float(self.model.p.sdf_unit_size)

    def reach(self, on: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The villages each patrolling unit ``on`` covers, one after the other in unit order: their rows,
        how many per unit, and how much a unit's pull has faded at each (read-only).

        Each unit covers the villages within a cut-off where its pull has faded below 1%. Kept until
        the units on patrol, the units' squares or the patrol radius change: an attack that only thins a
        garrison changes the strengths, not this (the same arrays as computing it again).
        """
        m, u = self.model, self.model.units
        scale = m.p.patrol_radius_cells
        # every unit's square, not only those on patrol: cheaper to read, and never a stale answer
        key = (on.tobytes(), u.x.tobytes(), u.y.tobytes(), scale)
        return self._reach.get(key, lambda: coverage(m, on))
