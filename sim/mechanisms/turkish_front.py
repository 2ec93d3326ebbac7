"""The SDF's attention turning north to the Turkish front.

The Turkey-PKK conflict spiked from the summer of 2021; Turkish strikes hit SDF positions along
the border and an SDF convoy on the Tall Tamr - al-Hasaka road, and Ankara's Winter Eagle
operation began on 2 February 2022 (EUI 2022, s.5, fn 39). The AANES security apparatus
gradually switched its priority north, which eased IS's movement south of al-Hasaka (fn 39).
Here a share of the SDF's southern units is redeployed north (they stop patrolling), and cells
travel further at night (see ``night_movement``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sim.model import InsurgencyModel


def redeploy(model: InsurgencyModel, share: float) -> dict:
    """Send ``share`` of all SDF units north (0 brings every unit back south)."""
    u = model.units
    model.sdf_attention_north = float(share)
    n_north = int(round(share * len(u)))
    # external units go first: they are the SDF's own, local units stay to defend their villages
    order = np.lexsort((model.rng.random(len(u)), u.local))
    u.active[:] = True
    u.active[order[:n_north]] = False
    model.units_version += 1
    details = {"share": share, "units_north": n_north}
    return details
