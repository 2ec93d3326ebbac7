"""Arrests on thin evidence after an incident, and the trust they cost.

A resident told of being arrested and tortured after someone reported him using his phone near
a bombing; many Sunnis feel collectively suspected, a mutual distrust that could revive IS's
appeal (WP 2019). After the al-Sina'a attack, 40 of 50 people arrested in a sweep of eastern
Deir ez-Zor were released (EUI 2022, fn 36): a mass sweep after an incident, so that share
(``sweep_wrongful_share``) applies to the sweeps that follow killings and attacks. A raid on a
cell the SDF found is aimed at people they suspect, and takes fewer bystanders: a share
``raid_bystander_share`` of its detainees (an assumption; RIC, May 2021, reports a large
operation that arrested about 100, most of them released). Each innocent arrested costs the
village's trust in the administration.
"""

from __future__ import annotations

from sim import modifiers
from sim.mechanisms.base import Mechanism


class CivilianArrests(Mechanism):
    """Sweeps after incidents and innocents taken in raids, and the trust each costs."""

    name = "civilian_arrests"
    switch = "civilian_arrests_enabled"
    params = ("civilian_arrests_enabled", "sweep_arrests_per_incident", "raid_bystander_share",
              "trust_loss_per_wrongful_arrest")
    reads = ("sweep_wrongful_share",)  # a policing parameter (sim.modifiers), community policing lowers it

    def sweep(self, village: int) -> int:
        """Arrests in ``village`` after an incident; returns how many innocents were taken."""
        m = self.model
        p, v = m.p, m.villages
        if not self.enabled or not v.sdf_held[village] or v.guard[village] <= 0:
            return 0
        arrested = int(m.rng.poisson(p.sweep_arrests_per_incident))
        share = modifiers.wrongful_share(m, p.sweep_wrongful_share)
        return self.wrongful(village, int(m.rng.binomial(arrested, share)))

    def wrongful_for(self, village: int, members: int) -> int:
        """Innocents taken alongside ``members`` IS members in a raid (``raid_bystander_share`` of its detainees)."""
        m = self.model
        share = min(modifiers.wrongful_share(m, m.p.raid_bystander_share), 0.99)
        if not self.enabled or members <= 0 or share <= 0:
            return 0
        expected = members * share / (1.0 - share)
        return self.wrongful(village, int(m.rng.poisson(expected)))

    def wrongful(self, village: int, innocent: int) -> int:
        """Book ``innocent`` wrongful arrests in ``village`` and their cost to its trust; returns ``innocent``."""
        if innocent:
            m = self.model
            v = m.villages
            v.trust[village] = max(0.0, v.trust[village] - m.p.trust_loss_per_wrongful_arrest * innocent)
            m.accounts.incident("civilian_arrests", innocent, village=village)
        return innocent
