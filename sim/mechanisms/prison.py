"""Detention, prison attacks and amnesties.

NES holds IS detainees in 27 detention centres (EUI 2022, fn 1), in unfit buildings such as
al-Sina'a, a former technical school guarded by 90 young, poorly trained men (s.1, fn 2). On 20
January 2022 IS stormed it with fighters gathered over six months, nearly 10% of its operational
capacity of about 1,000 fighters, at a cost near half a million dollars (s.1, fn 17, 22-23);
escapees held Ghuweiran and al-Zuhur for at least five days while the SDF put 7,000 men in two
cordons; 374 IS members, 40 SDF, 77 guards and over 30 civilians died; a few dozen prisoners got
away (s.1, fn 11-15), to Iraq or the Badia (fn 41). The raid set off no domino effect (s.2).

The SDF released 283 detainees at tribes' request in 2019 (WP 2019); amnesties were nearly
dropped after several amnestied prisoners rejoined IS, with only two remissions in 2021 (fn 3).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.mechanisms.base import Mechanism
from sim.world.names import BADIA, EAST_STRIP, HASAKA_NEIGHBOURHOODS, VILLAGE
from sim.world.population import attach_supporters, form_cells
from sim.world.space import chebyshev

if TYPE_CHECKING:
    from sim.model import InsurgencyModel


class Prison(Mechanism):
    """Prison attacks and amnesties (both scenario events), and the cordon that follows an attack."""

    name = "prison"
    switch = "prison_enabled"
    params = ("prison_enabled", "prison_attack_share_of_fighters", "prison_attack_cost_usd", "prison_is_killed",
              "prison_attackers_killed_share", "prison_sdf_killed", "prison_escapees", "prison_neighbourhood_influence",
              "neighbourhoods_held_days", "cordon_fighters", "amnesty_rejoin_share", "amnesty_trust_gain")
    reads = ("recruit_fighter_share",)

    def __init__(self, model: InsurgencyModel) -> None:
        super().__init__(model)
        prison = [pl for pl in model.geography.places if pl.kind == "prison"]
        self.xy = (prison[0].x, prison[0].y) if prison else None
        self.cordon = np.zeros(0, bool)  # units held in the al-Hasaka cordon (rows at the time of the attack)
        self.siege_until = -1  # last day of the cordon

    def units_in_cordon(self) -> np.ndarray:
        """Per SDF unit: held in the cordon today (units raised after the attack are not)."""
        held = np.zeros(len(self.model.units), bool)
        if self.model.day <= self.siege_until:
            held[: len(self.cordon)] = self.cordon
        return held

    def attack(self, attackers_share: float | None = None, escapees: int | None = None) -> dict:
        """IS storms the prison. Returns what happened (also logged as a scenario event)."""
        m = self.model
        p, c, v, acc = m.p, m.cells, m.villages, m.accounts
        if not self.enabled:
            return {"attackers": 0, "aborted": "prison switched off"}
        share = p.prison_attack_share_of_fighters if attackers_share is None else attackers_share
        escapees = int(p.prison_escapees if escapees is None else escapees)
        alive = np.nonzero(c.alive)[0]
        wanted = int(round(share * int(c.fighters[alive].sum())))
        cost = p.prison_attack_cost_usd
        if wanted == 0 or m.treasury < cost:
            return {"attackers": 0, "aborted": "no fighters" if wanted == 0 else "not enough money"}
        m.treasury -= cost
        acc.money["is_spending"] += cost
        # attackers are drawn from across the organisation, a few from each cell
        taken = 0
        for row in m.rng.permutation(alive):
            if taken >= wanted:
                break
            k = min(int(c.fighters[row]) - 1, wanted - taken)
            if k > 0:
                c.fighters[row] -= k
                taken += k
        killed_attackers = int(round(taken * p.prison_attackers_killed_share))
        killed_inmates = min(m.detainees, max(0, int(p.prison_is_killed) - killed_attackers))
        escaped = min(escapees, m.detainees - killed_inmates)
        m.detainees -= killed_inmates + escaped
        survivors = taken - killed_attackers
        at = m.world.index.nearest(*self.xy) if self.xy is not None else None
        acc.incident("prison_attacks", village=at)
        acc.incident("is_killed", killed_attackers + killed_inmates, village=at)
        acc.incident("escapes", escaped, village=at)
        acc.incident("sdf_killed", int(p.prison_sdf_killed), village=at)
        acc.people["is_killed"] += killed_attackers
        acc.people["detainees_killed"] += killed_inmates
        acc.people["escaped"] += escaped
        acc.people["sdf_killed"] += int(p.prison_sdf_killed)
        # survivors and escapees go back to the Badia (or Iraq) as new cells (fn 41)
        form_cells(m, survivors + escaped, BADIA)
        # the neighbourhoods: a violent takeover, not a return to sympathisers
        hood = np.nonzero(m.world.district_of == HASAKA_NEIGHBOURHOODS)[0]
        v.fear[hood] = 1.0
        v.influence[hood] = np.maximum(v.influence[hood], p.prison_neighbourhood_influence)
        self._cordon()
        return {"attackers": taken, "escapees": escaped, "is_killed": killed_attackers + killed_inmates}

    def _cordon(self) -> None:
        """The SDF pull the units nearest the prison into the cordons while the neighbourhoods are held."""
        m = self.model
        p, u = m.p, m.units
        on = np.nonzero(u.active & (u.strength > 0))[0]
        held = 0
        cordon = np.zeros(len(u), bool)
        if self.xy is not None and len(on):
            for k in on[np.argsort(chebyshev(u.x[on], u.y[on], *self.xy))]:
                if held >= p.cordon_fighters:
                    break
                cordon[k] = True
                held += int(u.strength[k])
        self.cordon = cordon
        self.siege_until = m.day + int(p.neighbourhoods_held_days)
        m.units_changed()

    def amnesty(self, released: int) -> dict:
        """Release detainees; some rejoin IS (fn 3), the rest go home, and tribes' trust rises."""
        m = self.model
        p, v = m.p, m.villages
        if not self.enabled:
            return {"released": 0, "aborted": "prison switched off"}
        released = min(int(released), m.detainees)
        m.detainees -= released
        rejoin = int(m.rng.binomial(released, p.amnesty_rejoin_share))
        fighters = int(m.rng.binomial(rejoin, p.recruit_fighter_share))
        m.accounts.people["amnestied"] += released
        m.accounts.people["amnesty_rejoined"] += rejoin
        form_cells(m, fighters, VILLAGE)
        attach_supporters(m, rejoin - fighters)
        m.accounts.people["amnesty_returned_home"] += released - rejoin
        east = v.sdf_held & (m.world.zone_of == EAST_STRIP)
        v.trust[east] = np.minimum(1.0, v.trust[east] + p.amnesty_trust_gain)
        return {"released": released, "rejoined": rejoin}
