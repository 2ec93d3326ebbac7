"""An elite bargain: the al-Karama model.

In al-Karama the SDF gave up raiding a displaced camp of over 20,000 people and struck a deal
with the main families: a collective return home without security consequences, in exchange for
backing the AANES and the fight against IS. Over 1,500 young men joined the SDF, local leaders
took the new civil institutions, and former IS militants, though present, were contained; the
area stayed calm during the al-Hasaka attack (EUI 2022, s.2, fn 37-38). The Bariaj clan of
al-Karama now holds the key posts of Raqqa's council, courts and security bodies (fn 38).

A bargain does not make IS's influence fade by decree. It changes what the other mechanisms
read: trust rises (so more tips reach the raids and more men join the SDF), former militants'
appeal falls (sympathy, read by recruitment and entrenchment), the clan's young men garrison the
villages as local units (SDF presence), councils are complete, and each month the clan fills any
chair or seat left vacant at once (a council with a chairman erodes influence). Influence then
falls only as fast as those make it.

Raqqa city (switch ``karama_bargain_holds_raqqa``, off by default). Because the clan holds Raqqa's
council, courts and security bodies (fn 38), the al-Karama bargain may be read as holding the
Raqqa district too: when it is struck in al-Karama with the switch on, Raqqa's villages get the
same trust, complete councils refilled by the clan and lower sympathy for IS, but no further
recruits (the 1,500 are al-Karama's young men). IS can still strike there; what changes is how
far its violence turns into influence.
"""

from __future__ import annotations

import numpy as np

from sim.compiled import kernel
from sim.mechanisms.base import Mechanism
from sim.world.names import AL_KARAMA, RAQQA_CITY


@kernel
def seats_filled(bargain: np.ndarray, held: np.ndarray, has_council: np.ndarray, has_chairman: np.ndarray,
                 officials: np.ndarray, pledged: np.ndarray, per_council: float) -> None:
    """In the SDF-held villages under a ``bargain``: a council and a chairman, and the council's seats filled up to
    ``per_council`` officials by the clan's men, who have sworn nothing (the share pledged thinned accordingly)."""
    for i in range(len(bargain)):
        if bargain[i] and held[i]:
            has_council[i] = has_chairman[i] = True
            if officials[i] < per_council:
                pledged[i] *= officials[i] / per_council
                officials[i] = per_council


class EliteBargain(Mechanism):
    """A bargain with a district's main families (a scenario event), on the al-Karama model."""

    name = "elite_bargain"
    switch = "elite_bargain_enabled"
    params = ("elite_bargain_enabled", "bargain_trust", "bargain_sympathy", "bargain_recruits",
              "karama_bargain_holds_raqqa")
    reads = ("officials_per_council",)

    def strike(self, district: str) -> dict:
        """Strike the bargain in every village of ``district`` (and Raqqa's, from al-Karama, with the switch on)."""
        m = self.model
        p, v = m.p, m.villages
        rows = np.nonzero(v.sdf_held & (m.world.district_of == district))[0]
        if not self.enabled or not len(rows):
            return {"district": district, "villages": 0}
        held = rows
        if district == AL_KARAMA and p.karama_bargain_holds_raqqa:
            held = np.union1d(rows, np.nonzero(v.sdf_held & (m.world.district_of == RAQQA_CITY))[0])
        self.hold(held)
        # young men join the SDF as local units, spread by population
        w = v.population[rows].astype(float) + 1e-9
        shares = np.floor(int(p.bargain_recruits) * w / w.sum()).astype(int)
        for i, n in zip(rows, shares, strict=True):
            if n > 0:
                m.add_unit(int(i), int(n), local=True)
                m.mechanisms.sdf_recruitment.recruits["local"] += int(n)
        return {"district": district, "villages": len(held), "recruits": int(shares.sum())}

    def hold(self, rows: np.ndarray) -> None:
        """The main families back the administration in ``rows``: trust, complete councils, less appeal for IS."""
        p, v = self.model.p, self.model.villages
        v.bargain[rows] = True
        v.trust_baseline[rows] = np.maximum(v.trust_baseline[rows], p.bargain_trust)
        v.trust[rows] = np.maximum(v.trust[rows], p.bargain_trust)
        v.has_council[rows] = True
        v.has_chairman[rows] = True
        v.officials[rows] = p.officials_per_council
        v.pledged[rows] = 0.0
        v.sympathy[rows] = np.minimum(v.sympathy[rows], p.bargain_sympathy)
        v.tawba_pressure[rows] = 0.0

    def month_end(self) -> None:
        """The clan fills the chairs and seats left vacant under a bargain (fn 38), and has sworn nothing to IS."""
        v = self.model.villages
        seats_filled(v.bargain, v.sdf_held, v.has_council, v.has_chairman, v.officials, v.pledged,
                     float(self.model.p.officials_per_council))
