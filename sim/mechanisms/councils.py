"""The administrative vacuum: councils that cannot form and seats no one will take.

The AANES never really set up local councils in the north-east strip from al-Buseyrah to
al-Suwar and on into the Margadeh district; its representatives there are regularly targeted
or killed (EUI 2022, s.2). Darnaj has neither council nor chairman, and in Sweidan a council was
re-formed but no one will sit as chairman (s.2). Repentance keeps people out of the councils
(fn 27). Each month a vacant chair may be filled, and a missing council may form, with chances
that fall with fear, IS influence and the memory of repentance campaigns, and rise with trust.

Willingness to serve is the product trust × (1 − fear) × (1 − influence) × (1 − repentance
memory): a functional form of ours, in which each of the four factors the brief names can on its
own keep people out (any one at its extreme gives zero). A new council starts with
``new_council_officials`` members; each month one vacant seat is filled with chance
``seat_fill_rate`` × willingness.
"""

from __future__ import annotations

import numpy as np

from sim.mechanisms.base import Mechanism


class Councils(Mechanism):
    """Each month vacant chairs fill, missing councils form and empty seats are taken, by the willing."""

    name = "councils"
    switch = "councils_enabled"
    params = ("councils_enabled", "officials_per_council", "chairman_fill_prob", "council_form_prob",
              "new_council_officials", "seat_fill_rate")

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
        v.officials[form] = min(int(p.new_council_officials), int(p.officials_per_council))
        # vacant seats are filled one at a time by the willing; the newcomers have sworn nothing
        willing = m.rng.random(len(v)) < p.seat_fill_rate * will
        short = v.has_council & (v.officials < p.officials_per_council) & willing
        new_total = v.officials[short] + 1
        v.pledged[short] *= v.officials[short] / new_total
        v.officials[short] = new_total


def vacuum(has_council: np.ndarray, has_chairman: np.ndarray, sdf_held: np.ndarray) -> np.ndarray:
    """True for SDF-held villages with no council or no chairman (the brief's administrative vacuum)."""
    return sdf_held & ~(has_council & has_chairman)
