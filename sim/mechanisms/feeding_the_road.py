"""The Badia front: IS against the regime, and the regime "feeding the road".

From 2018 to 2020 IS waged a wave of attacks in the Badia that forced the regime to keep IS
supply lines open; since June 2021 a regime and Russian counter-offensive has cut IS attacks and
left its fighters on motorcycles in small groups (EUI 2022, s.3, fn 43, 50). Trade is the cement
of a violent interdependence: pro-regime forces sign non-aggression pacts and hand over part of
their cargoes, aid is diverted to bribe IS, and "feeding the road" makes IS raids less likely
(fn 45-47). After the US leaves, IS means to turn on the regime (s.4, fn 63).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.mechanisms import strategic_patience

if TYPE_CHECKING:
    from sim.model import InsurgencyModel


def night(model: InsurgencyModel) -> None:
    """Badia-based cells may strike regime forces or convoys tonight."""
    p, c = model.p, model.cells
    alive = np.nonzero(c.alive)[0]
    if not len(alive):
        return
    in_badia = alive[model.geography.holder[c.base_x[alive], c.base_y[alive]] == 1]
    rate = p.badia_attack_prob * strategic_patience.badia_escalation(model)
    if model.feeding_the_road:
        rate *= 1.0 - p.feeding_attack_reduction
    if model.regime_offensive:
        rate *= p.regime_offensive_attack_factor
    n = int(model.rng.binomial(len(in_badia), min(1.0, rate)))
    if n:
        model.accounts.incident("badia_attacks", n)


def month_end(model: InsurgencyModel) -> None:
    """The regime's monthly payments to IS while the road is fed."""
    if model.feeding_the_road:
        model.treasury += model.p.feeding_payment_usd_month
        model.accounts.money["regime_payments"] += model.p.feeding_payment_usd_month
