"""SDF recruitment: local men join as far as they are willing; the rest comes from a finite reserve.

The SDF recruited locally as they moved into Arab areas (WP 2019). Repentance campaigns and
killings now stop people joining the military; in Sweidan and Tayyana the SDF cannot recruit
locally and must bring soldiers from other governorates, so the forces become external to local
communities (EUI 2022, s.2). In al-Karama the elite bargain brought over 1,500 young men into
the SDF (fn 37). Soldiers from elsewhere are not unlimited: from 2021 the security apparatus
turned its priority north to the Turkish front (s.5, fn 39), which draws on the same men.

Each month SDF deaths in a village (attacks, the prison attack) add to its fear, and units below
strength are topped up. A local unit takes the local men who come forward, each with the
village's willingness to serve (``councils.willingness``: trust, fear, IS influence and
repentance); when no one comes forward, the SDF send men from outside for the month's share of
the gap (``sdf_monthly_replacement``), who join the external unit at that village or form one.
An external unit is topped up from outside. Men from outside come from a finite reserve, of
which the Turkish front holds the share the SDF sent north (``turkish_front``).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from sim.accounts import INCIDENT_ROW
from sim.mechanisms.base import Mechanism

if TYPE_CHECKING:
    from sim.model import InsurgencyModel


class SDFRecruitment(Mechanism):
    """Each month: fear from SDF deaths, then units topped up by willing local men or from the reserve."""

    name = "sdf_recruitment"
    switch = "sdf_recruitment_enabled"
    params = ("sdf_recruitment_enabled", "sdf_monthly_replacement", "sdf_reserve_fighters", "fear_per_sdf_death")

    def __init__(self, model: InsurgencyModel) -> None:
        super().__init__(model)
        self.recruits = {"local": 0, "external": 0}  # men brought in so far, by origin
        self.reserve = int(model.p.sdf_reserve_fighters)  # men the SDF can still send south
        self.reserve_north = 0  # reserve men committed to the Turkish front
        self.deaths_counted = np.zeros(len(model.villages), np.int64)  # SDF deaths per village already turned into fear

    def deaths_since_last_month(self) -> np.ndarray:
        """Per village: SDF members killed there since the last month end."""
        m = self.model
        acc = m.accounts
        now = acc.incidents[INCIDENT_ROW["sdf_killed"], :acc.villages].copy()
        dead = now - self.deaths_counted
        self.deaths_counted = now
        return dead

    def send_reserve_north(self, share: float) -> None:
        """Commit ``share`` of the reserve to the Turkish front (0 brings it all back)."""
        total = self.reserve + self.reserve_north
        self.reserve_north = int(round(share * total))
        self.reserve = total - self.reserve_north

    def from_reserve(self, wanted: int) -> int:
        """Men the reserve can send south now (at most ``wanted``)."""
        sent = max(0, min(int(wanted), self.reserve))
        self.reserve -= sent
        self.recruits["external"] += sent
        return sent

    def send_detachment(self, home: int, men: int) -> None:
        """``men`` from outside to village ``home``: they join the external unit already there, or
        form one (month after month of small gaps would otherwise leave a swarm of tiny units)."""
        if men <= 0:
            return
        u = self.model.units
        there = np.nonzero((u.home == home) & ~u.local & u.active)[0]
        if len(there):
            u.strength[there[0]] += men
            u.nominal[there[0]] += men
        else:
            self.model.add_unit(home, men, local=False)

    def month_end(self) -> None:
        """Deaths feed fear; units below strength are topped up (only those deployed in the south)."""
        m = self.model
        p, u, v = m.p, m.units, m.villages
        dead = self.deaths_since_last_month()
        v.fear[:] = np.minimum(1.0, v.fear + p.fear_per_sdf_death * dead * v.sdf_held)
        willing = np.clip(m.mechanisms.councils.willingness(), 0.0, 1.0)
        rate = float(p.sdf_monthly_replacement)
        changed = False
        # plain ints: a few units a month; the gaps read as each unit comes (a detachment may join a later one)
        for k in np.flatnonzero(u.active & (u.strength < u.nominal)).tolist():
            home = int(u.home[k])
            need = math.ceil((int(u.nominal[k]) - int(u.strength[k])) * rate)
            if need <= 0:
                continue
            if u.local[k]:
                joined = int(m.rng.binomial(need, float(willing[home])))
                if joined:
                    u.strength[k] += joined
                    self.recruits["local"] += joined
                else:
                    # no local man came forward: this month's share of the gap is filled by soldiers
                    # from other governorates, as fast as an external unit is topped up; the local
                    # unit gives up that share and waits for the rest
                    u.nominal[k] -= need
                    self.send_detachment(home, self.from_reserve(need))
            else:
                u.strength[k] += self.from_reserve(need)
            changed = True
        if changed:
            m.units_changed()

    def local_share(self) -> float:
        """Share of the SDF's strength in the south that is local."""
        u = self.model.units
        on = u.active & (u.strength > 0)
        total = u.strength[on].sum()
        return float(u.strength[on & u.local].sum() / total) if total else 0.0
