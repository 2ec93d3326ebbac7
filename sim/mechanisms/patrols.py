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

from sim import modifiers
from sim.mechanisms.base import LastAnswer, Mechanism

if TYPE_CHECKING:
    from sim.model import InsurgencyModel

PATROL_CUTOFF = 5.0  # in patrol radii: exp(-5) < 1% of a unit's pull at its garrison


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

    def day(self) -> None:
        """Today's presence (cached: recomputed only when units, policy or parameters changed)."""
        m = self.model
        prison, policy = m.mechanisms.prison, m.policy
        # the cordon itself changes only with a prison attack, which also changes the units' version
        key = (m.units_version, m.day <= prison.siege_until, policy.sdf_attention_north,
               policy.coalition_present_by_district.tobytes(), self.param_key(*self.params, *self.reads))
        if self.key == key:
            return
        in_cordon = prison.units_in_cordon()
        p, v, u = m.p, m.villages, m.units
        on = (u.active & (u.strength > 0) & ~in_cordon).nonzero()[0]
        cover = np.zeros(len(v))
        if len(on):
            rows, counts, fade = self.reach(on)
            # every unit's pull on the villages near it in one array, in unit order: bincount adds each
            # village's pulls in that order, as adding them unit by unit did
            strength = np.repeat(u.strength[on] / p.sdf_unit_size, counts)
            cover = np.bincount(rows, weights=strength * fade, minlength=len(v))
        everywhere = np.arange(len(v))
        v.guard[:] = (cover * modifiers.presence(m, everywhere) / p.guard_saturation).clip(0.0, 1.0)
        v.guard[~v.sdf_held] = 0.0
        m.grid.sdf_presence.data[:] = 0.0
        m.grid.sdf_presence.data[v.x, v.y] = v.guard
        self.key = key

    def reach(self, on: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The villages each patrolling unit ``on`` covers, one after the other in unit order: their rows,
        how many per unit, and how much a unit's pull has faded at each (read-only).

        Each unit covers the villages within a cut-off where its pull has faded below 1%. Kept until
        the units on patrol, their squares or the patrol radius change: an attack that only thins a
        garrison changes the strengths, not this (the same arrays as computing it again).
        """
        m, u = self.model, self.model.units
        scale = m.p.patrol_radius_cells
        key = (on.tobytes(), u.x[on].tobytes(), u.y[on].tobytes(), scale)

        def covered() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            radius = int(np.ceil(scale * PATROL_CUTOFF))
            near = [m.world.index.within(x, y, radius) for x, y in zip(u.x[on].tolist(), u.y[on].tolist(), strict=True)]
            rows = np.concatenate([r for r, _ in near])
            dist = np.concatenate([d for _, d in near])
            return rows, np.array([len(r) for r, _ in near]), np.exp(-dist / scale)

        return self._reach.get(key, covered)
