"""Arrests on thin evidence after an incident, and the trust they cost.

A resident told of being arrested and tortured after someone reported him using his phone near
a bombing; many Sunnis feel collectively suspected, a mutual distrust that could revive IS's
appeal (WP 2019). After the al-Sina'a attack, 40 of 50 people arrested in eastern Deir ez-Zor
were released (EUI 2022, fn 36). Each sweep arrests a few people; most are innocent, are later
released, and their village's trust in the administration falls.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim import modifiers
from sim.mechanisms.base import Mechanism

if TYPE_CHECKING:
    pass


class CivilianArrests(Mechanism):
    """Sweeps after incidents and innocents taken in raids, and the trust each costs."""

    name = "civilian_arrests"
    switch = "civilian_arrests_enabled"
    params = ("civilian_arrests_enabled", "sweep_arrests_per_incident", "trust_loss_per_wrongful_arrest")

    def sweep(self, village: int) -> int:
        """Arrests in ``village`` after an incident; returns how many innocents were taken."""
        m = self.model
        p, v = m.p, m.villages
        if not self.enabled or not v.sdf_held[village] or v.guard[village] <= 0:
            return 0
        arrested = int(m.rng.poisson(p.sweep_arrests_per_incident))
        return self._wrong(village, int(m.rng.binomial(arrested, modifiers.wrongful_share(m))))

    def wrongful_for(self, village: int, members: int) -> int:
        """Innocents taken alongside ``members`` IS members in a raid (same share as in sweeps)."""
        m = self.model
        share = modifiers.wrongful_share(m)
        if not self.enabled or members <= 0 or share <= 0:
            return 0
        expected = members * share / max(1e-9, 1.0 - share)
        return self._wrong(village, int(m.rng.poisson(expected)))

    def _wrong(self, village: int, innocent: int) -> int:
        if innocent:
            m = self.model
            v = m.villages
            v.trust[village] = max(0.0, v.trust[village] - m.p.trust_loss_per_wrongful_arrest * innocent)
            m.accounts.incident("civilian_arrests", innocent, village=village)
        return innocent
