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


def day(model: InsurgencyModel) -> None:
    """Recompute the villages' SDF presence when units changed."""
    in_siege = model.day <= model.hasaka_siege_until
    key = (model.units_version, in_siege, model.sdf_attention_north, model.coalition_present)
    if model._guard_version == key:
        return
    p, v, u = model.p, model.villages, model.units
    on = u.active & (u.strength > 0)
    if in_siege:
        on &= ~model.units_in_cordon
    if on.any():
        d = model.village_distance(u.x[on], u.y[on])
        reach = np.exp(-d / p.patrol_radius_cells) * coalition.presence(model)
        cover = (u.strength[on, None] / p.sdf_unit_size) * reach
        v.guard[:] = np.clip(cover.sum(axis=0) / p.guard_saturation, 0.0, 1.0)
    else:
        v.guard[:] = 0.0
    v.guard[~v.sdf_held] = 0.0
    model.grid.sdf_presence.data[:] = 0.0
    model.grid.sdf_presence.data[v.x, v.y] = v.guard
    model._guard_version = key
