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

from sim.mechanisms import coalition

if TYPE_CHECKING:
    from sim.model import InsurgencyModel

PATROL_CUTOFF = 5.0  # in patrol radii: exp(-5) < 1% of a unit's pull at its garrison


def day(model: InsurgencyModel) -> None:
    """Recompute the villages' SDF presence when units changed."""
    in_siege = model.day <= model.hasaka_siege_until
    key = (model.units_version, in_siege, model.sdf_attention_north, model.coalition_present)
    if model._guard_version == key:
        return
    p, v, u = model.p, model.villages, model.units
    on = u.active & (u.strength > 0)
    if in_siege:
        cordon = np.zeros(len(u), bool)  # units raised after the attack are not in the cordon
        cordon[: len(model.units_in_cordon)] = model.units_in_cordon
        on &= ~cordon
    # each unit covers the villages within a cut-off where its pull has faded below 1%
    radius = int(np.ceil(p.patrol_radius_cells * PATROL_CUTOFF))
    cover = np.zeros(len(v))
    for k in np.nonzero(on)[0]:
        rows, dist = model.villages_within(int(u.x[k]), int(u.y[k]), radius)
        cover[rows] += (u.strength[k] / p.sdf_unit_size) * np.exp(-dist / p.patrol_radius_cells)
    v.guard[:] = np.clip(cover * coalition.presence(model) / p.guard_saturation, 0.0, 1.0)
    v.guard[~v.sdf_held] = 0.0
    model.grid.sdf_presence.data[:] = 0.0
    model.grid.sdf_presence.data[v.x, v.y] = v.guard
    model._guard_version = key
