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

from sim import modifiers
from sim.mechanisms.base import Mechanism

if TYPE_CHECKING:
    from sim.mechanisms.night_movement import Visits


class BadiaFront(Mechanism):
    """Badia-based cells strike regime forces; the regime pays IS while it "feeds the road"."""

    name = "badia_front"
    switch = "badia_front_enabled"
    params = ("badia_front_enabled", "badia_attack_prob", "feeding_attack_reduction", "feeding_payment_usd_month",
              "regime_offensive_attack_factor")

    def night(self, visits: Visits) -> None:
        """Badia-based cells may strike regime forces or convoys tonight."""
        m = self.model
        p = m.p
        sites = m.cell_sites()
        if not len(sites.alive):
            return
        in_badia = sites.in_regime
        rate = p.badia_attack_prob * modifiers.badia_escalation(m)
        if m.policy.feeding_the_road:
            rate *= 1.0 - p.feeding_attack_reduction
        if m.policy.regime_offensive:
            rate *= p.regime_offensive_attack_factor
        m.accounts.incident("badia_attacks", int(m.rng.binomial(len(in_badia), min(1.0, rate))))

    def month_end(self) -> None:
        """The regime's monthly payments to IS while the road is fed."""
        m = self.model
        if m.policy.feeding_the_road:
            m.treasury += m.p.feeding_payment_usd_month
            m.accounts.money["regime_payments"] += m.p.feeding_payment_usd_month
