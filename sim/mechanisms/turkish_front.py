"""The SDF's attention turning north to the Turkish front.

The Turkey-PKK conflict spiked from the summer of 2021; Turkish strikes hit SDF positions along
the border and an SDF convoy on the Tall Tamr - al-Hasaka road, and Ankara's Winter Eagle
operation began on 2 February 2022 (EUI 2022, s.5, fn 39). The AANES security apparatus
gradually switched its priority north, which eased IS's movement south of al-Hasaka (fn 39).
Here a share of the SDF's men in the south is redeployed north, whole units at a time (they stop
patrolling), the same share of the SDF's reserve is committed north (so fewer men are left to
refill the south's units, ``sdf_recruitment``), and cells travel further at night (see
``night_movement``).
"""

from __future__ import annotations

import numpy as np

from sim.mechanisms.base import Mechanism


class TurkishFront(Mechanism):
    """Redeploys a share of the SDF's units and reserve north (a scenario event sets the share)."""

    name = "turkish_front"
    switch = "turkish_front_enabled"
    params = ("turkish_front_enabled",)

    def redeploy(self, share: float) -> dict:
        """Send ``share`` of the SDF's men, and of the reserve, north (0 brings them all back south)."""
        m = self.model
        u = m.units
        share = float(share) if self.enabled else 0.0
        m.policy.sdf_attention_north = share
        # external units go first: they are the SDF's own, local units stay to defend their villages
        order = np.lexsort((m.rng.random(len(u)), u.local))
        # the share is of men, not of units: units go north in that order until the men sent come
        # closest to it (monthly top-ups leave many detachments of a few men, so a share of units
        # would send far fewer men than it says)
        sent = np.concatenate(([0], np.cumsum(u.strength[order])))
        n_north = int(np.abs(sent - share * sent[-1]).argmin())
        u.active[:] = True
        u.active[order[:n_north]] = False
        m.mechanisms.sdf_recruitment.send_reserve_north(share)
        m.units_changed()
        return {"share": share, "units_north": n_north, "men_north": int(sent[n_north])}
