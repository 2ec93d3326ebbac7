"""How IS influence and fear fade where the administration and the SDF are present.

Influence rises through IS's acts in a village (each mechanism adds its share). It fades
daily, faster where the SDF patrol or a council with a chairman governs, and slower where
embedded cells live among the people. An elite bargain (the al-Karama model, EUI 2022, fn 37-38)
does not speed the fading by itself: it works through what it changes (``elite_bargain``: trust,
sympathy, local garrisons, councils kept complete).
The influence and fear of every village are also written to the grid's ``is_influence`` property
layer for the visualizer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.compiled import kernel
from sim.kernel_state import KernelState, kernel_state
from sim.mechanisms.base import LastAnswer, Mechanism

if TYPE_CHECKING:
    from sim.model import InsurgencyModel

NO_ENTRENCHMENT = np.zeros(0)


@kernel
def kept_of(guard: float, admin: bool, base: float, by_guard: float, by_admin: float) -> float:
    """The share of IS influence that survives a day at one village: decay ``base`` + ``by_guard`` x guard
    + ``by_admin`` where a council with a chairman governs (``admin``), held within 0..1."""
    return 1.0 - min(max(base + by_guard * guard + by_admin * (1.0 if admin else 0.0), 0.0), 1.0)


@kernel
def retention_of(guard: np.ndarray, has_council: np.ndarray, has_chairman: np.ndarray, base: float,
                 by_guard: float, by_admin: float) -> np.ndarray:
    """Per village, :func:`kept_of` (:meth:`Influence.retention`)."""
    kept = np.empty(len(guard))
    for i in range(len(guard)):
        kept[i] = kept_of(guard[i], has_council[i] and has_chairman[i], base, by_guard, by_admin)
    return kept


@kernel
def fade(influence: np.ndarray, fear: np.ndarray, guard: np.ndarray, has_council: np.ndarray,
         has_chairman: np.ndarray, base: float, by_guard: float, by_admin: float, fear_kept: float,
         entrench: np.ndarray, layer: np.ndarray, x: np.ndarray, y: np.ndarray) -> None:
    """One day of :meth:`Influence.day` in place: influence keeps its share (:func:`kept_of` of the guard and
    the administration, with decay ``base``, ``by_guard``, ``by_admin``), fear keeps ``fear_kept``,
    ``entrench`` (empty for none) takes its share of the influence IS lacks; influence is held within
    0..1 and written to the grid ``layer`` at each village's square (``x``, ``y``)."""
    for i in range(len(influence)):
        influence[i] *= kept_of(guard[i], has_council[i] and has_chairman[i], base, by_guard, by_admin)
        fear[i] *= fear_kept
        if len(entrench):
            influence[i] += entrench[i] * (1.0 - influence[i])
        influence[i] = min(max(influence[i], 0.0), 1.0)
        layer[x[i], y[i]] = influence[i]


@kernel
def fade_today(state: KernelState, rates: tuple, entrench: np.ndarray) -> None:
    """:meth:`Influence.day`: :func:`fade` of the villages of the kernels' ``state`` (``rates`` and ``entrench``:
    :meth:`Influence.day_inputs`)."""
    base, by_guard, by_admin, fear_kept = rates
    fade(state.v_influence, state.v_fear, state.v_guard, state.v_has_council, state.v_has_chairman, base, by_guard,
         by_admin, fear_kept, entrench, state.influence_layer, state.village_x, state.village_y)


class Influence(Mechanism):
    """Daily decay of influence and fear, and the entrenchment of cells living in a village."""

    name = "influence"
    switch = "influence_enabled"
    params = ("influence_enabled", "influence_decay_base", "influence_decay_guard", "influence_decay_admin",
              "influence_per_resident_cell", "fear_decay")

    def __init__(self, model: InsurgencyModel) -> None:
        super().__init__(model)
        # what changes only when the guard, the administration, the hideouts or the parameters do
        self._retention = LastAnswer()
        self._entrench = LastAnswer()
        # the grid's layer for the visualizer: mesa writes into its array, never replaces it (read once, not daily)
        self.layer = model.grid.is_influence.data

    def day(self) -> None:
        """Decay where the administration is present; entrench where cells live."""
        m = self.model
        # today's retention is computed in the kernel: cheaper than a key over the guard and the councils
        rates, entrench = self.day_inputs()
        fade_today(kernel_state(m), rates, entrench)

    def day_inputs(self) -> tuple[tuple, np.ndarray]:
        """What :func:`fade_today` reads besides the kernels' state: the decays, and the cells' entrenchment
        (empty for none; it does not depend on today's decay)."""
        p = self.model.p
        entrench = self.entrenchment()
        decays = self.kept("decays", lambda: (float(p.influence_decay_base), float(p.influence_decay_guard),
                                              float(p.influence_decay_admin), float(1.0 - p.fear_decay)))
        return decays, NO_ENTRENCHMENT if entrench is None else entrench

    def retention(self) -> np.ndarray:
        """Per village, the share of IS influence that survives today's decay (read-only)."""
        p, v = self.model.p, self.model.villages
        key = (self.param_key("influence_decay_base", "influence_decay_guard", "influence_decay_admin"),
               v.guard.tobytes(), v.has_council.tobytes(), v.has_chairman.tobytes())
        return self._retention.get(key, lambda: retention_of(
            v.guard, v.has_council, v.has_chairman, float(p.influence_decay_base), float(p.influence_decay_guard),
            float(p.influence_decay_admin)))

    def entrenchment(self) -> np.ndarray | None:
        """Per village, the share of the influence IS lacks that resident cells entrench tonight x the
        village's sympathy (``None`` where no living cell is based on a village's own square)."""
        m = self.model
        p, v = m.p, m.villages
        sites = m.cell_sites()  # residents: living cells based on each village's own square
        key = (sites.key, p.influence_per_resident_cell, v.sympathy.tobytes())
        def entrenched() -> np.ndarray | None:
            if not (len(sites.alive) and sites.residents.any()):
                return None
            # the share entrenched tonight, as a rate compounded per resident cell: never above 1
            gain = 1.0 - (1.0 - min(p.influence_per_resident_cell, 1.0)) ** sites.residents
            return gain * v.sympathy

        return self._entrench.get(key, entrenched)
