"""The administrative vacuum: councils that cannot form and seats no one will take.

The AANES never really set up local councils in the north-east strip from al-Buseyrah to
al-Suwar and on into the Margadeh district; its representatives there are regularly targeted
or killed (EUI 2022, s.2). Darnaj has neither council nor chairman, and in Sweidan a council was
re-formed but no one will sit as chairman (s.2). Repentance keeps people out of the councils
(fn 27). Each month a vacant chair may be filled, and a missing council may form, with chances
that fall with fear, IS influence and the memory of repentance campaigns, and rise with trust.
"""

from __future__ import annotations

import numpy as np

from sim.mechanisms.base import Mechanism


class Councils(Mechanism):
    """Each month vacant chairs fill, missing councils form and empty seats are taken, by the willing."""

    name = "councils"
    switch = "councils_enabled"
    params = ("councils_enabled", "officials_per_council", "chairman_fill_prob", "council_form_prob")

    def willingness(self) -> np.ndarray:
        """How ready local people are to serve in the administration, per village (0..1)."""
        v = self.model.villages
        return v.trust * (1.0 - v.fear) * (1.0 - v.influence) * (1.0 - v.tawba_pressure)

    def month_end(self) -> None:
        """Fill vacant chairs, form missing councils, replace killed officials."""
        m = self.model
        p, v = m.p, m.villages
        will = self.willingness()
        draw = m.rng.random(len(v))
        fill = v.sdf_held & v.has_council & ~v.has_chairman & (draw < p.chairman_fill_prob * will)
        v.has_chairman[fill] = True
        form = v.sdf_held & ~v.has_council & (draw < p.council_form_prob * will)
        v.has_council[form] = True
        v.has_chairman[form] = True
        v.officials[form] = 1
        # vacant seats are filled one at a time by the willing; the newcomers have sworn nothing
        short = v.has_council & (v.officials < p.officials_per_council) & (m.rng.random(len(v)) < will)
        new_total = v.officials[short] + 1
        v.pledged[short] *= v.officials[short] / new_total
        v.officials[short] = new_total


def vacuum(has_council: np.ndarray, has_chairman: np.ndarray, sdf_held: np.ndarray) -> np.ndarray:
    """True for SDF-held villages with no council or no chairman (the brief's administrative vacuum)."""
    return sdf_held & ~(has_council & has_chairman)
