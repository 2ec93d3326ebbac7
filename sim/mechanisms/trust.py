"""Trust between residents and the administration and its forces.

Trust is the main weak point, according to Hassan Hassan: are the forces there to help or to
police, to govern or to exploit (WP 2019)? Long hostility to the Kurdish movement leaves
al-Hasaka's Ghuweiran and al-Zuhur poorly controlled (EUI 2022, s.2, fn 30-31); forces brought
from other governorates are external to local communities (s.2); in al-Karama the elite bargain
rooted the security institutions locally (fn 37-38). Each month trust relaxes towards the
village's baseline (faster under community policing), rises where a council with a chairman
serves, and falls where the garrison is external.
"""

from __future__ import annotations

import numpy as np

from sim import modifiers
from sim.mechanisms.base import Mechanism


class Trust(Mechanism):
    """Monthly trust: relaxes to baseline, rises under a working council, falls under external forces."""

    name = "trust"
    switch = "trust_enabled"
    params = ("trust_enabled", "trust_relaxation", "trust_gain_admin", "trust_loss_external")

    def external_share(self) -> np.ndarray:
        """Per village, the share of its garrison brought from elsewhere."""
        u, v = self.model.units, self.model.villages
        on = u.active & (u.strength > 0)
        total = np.bincount(u.home[on], weights=u.strength[on], minlength=len(v))
        ext = np.bincount(u.home[on & ~u.local], weights=u.strength[on & ~u.local], minlength=len(v))
        return np.divide(ext, total, out=np.zeros(len(v)), where=total > 0)

    def month_end(self) -> None:
        """Monthly trust update."""
        m = self.model
        p, v = m.p, m.villages
        rate = min(1.0, p.trust_relaxation * modifiers.trust_recovery(m))
        admin = v.has_council & v.has_chairman
        v.trust += rate * (v.trust_baseline - v.trust)
        v.trust += p.trust_gain_admin * admin - p.trust_loss_external * self.external_share()
        np.clip(v.trust, 0.0, 1.0, out=v.trust)
