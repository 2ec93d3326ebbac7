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
from sim.compiled import clipped, kernel
from sim.kernel_state import KernelState, kernel_state
from sim.mechanisms.base import Mechanism


@kernel
def external_shares(home: np.ndarray, local: np.ndarray, active: np.ndarray, strength: np.ndarray,
                    villages: int) -> np.ndarray:
    """Per village, the share of its garrison (the active units with men) brought from elsewhere (0 for none): the
    strengths summed in unit order, as numpy's ``bincount`` sums them."""
    total = np.zeros(villages)
    external = np.zeros(villages)
    for k in range(len(home)):
        if active[k] and strength[k] > 0:
            total[home[k]] += strength[k]
            if not local[k]:
                external[home[k]] += strength[k]
    share = np.zeros(villages)
    for i in range(villages):
        if total[i] > 0:
            share[i] = external[i] / total[i]
    return share


@kernel
def trust_month(state: KernelState, baseline: np.ndarray, rate: float, gain_admin: float, loss_external: float,
                external: np.ndarray) -> None:
    """:meth:`Trust.month_end` on the villages of the kernels' ``state``, each in numpy's order of operations."""
    trust, council, chairman = state.v_trust, state.v_has_council, state.v_has_chairman
    for i in range(len(trust)):
        t = trust[i] + rate * (baseline[i] - trust[i])
        admin = 1.0 if council[i] and chairman[i] else 0.0
        trust[i] = clipped(t + (gain_admin * admin - loss_external * external[i]), 0.0, 1.0)


class Trust(Mechanism):
    """Monthly trust: relaxes to baseline, rises under a working council, falls under external forces."""

    name = "trust"
    switch = "trust_enabled"
    params = ("trust_enabled", "trust_relaxation", "trust_gain_admin", "trust_loss_external")

    def external_share(self) -> np.ndarray:
        """Per village, the share of its garrison brought from elsewhere."""
        u = self.model.units
        return external_shares(u.home, u.local, u.active, u.strength, len(self.model.villages))

    def month_end(self) -> None:
        """Monthly trust update (:func:`trust_month`)."""
        m = self.model
        p = m.p
        rate = min(1.0, p.trust_relaxation * modifiers.trust_recovery(m))
        trust_month(kernel_state(m), m.villages.trust_baseline, float(rate), float(p.trust_gain_admin),
                    float(p.trust_loss_external), self.external_share())
