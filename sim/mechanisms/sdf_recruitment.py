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

from typing import TYPE_CHECKING

import numpy as np

from sim.accounts import INCIDENT_ROW
from sim.compiled import Stream, kernel, stream_of
from sim.draws import binomial
from sim.mechanisms.base import Mechanism

if TYPE_CHECKING:
    from sim.model import InsurgencyModel


@kernel
def topped_up(stream: Stream, rows: np.ndarray, start: int, home: np.ndarray, local: np.ndarray, active: np.ndarray,
              strength: np.ndarray, nominal: np.ndarray, willing: np.ndarray, rate: float,
              reserve: int) -> tuple[int, int, int, int, int, bool]:
    """The units ``rows`` below strength topped up, one after the other from ``rows[start]`` (each gap read when its
    unit comes: a detachment may have joined a later one), as :meth:`SDFRecruitment.month_end` does it: a local unit
    takes the men who come forward (a binomial draw of the month's share of its gap with the ``willing`` share of its
    village), and when none does gives that share up for men from the ``reserve``, who join the external unit active
    at the village; an external unit takes men from the reserve. Returns ``(stop, men, reserve, local, external,
    changed)``: where a detachment of ``men`` found no external unit to join (Python forms one, then calls again
    from ``stop + 1``; ``len(rows)`` when all were done), the reserve left, the men who joined from the villages
    and from the reserve, and whether a unit had a gap to fill."""
    joined_local = sent_external = 0
    changed = False
    for j in range(start, len(rows)):
        k = rows[j]
        village = home[k]
        need = int(np.ceil((nominal[k] - strength[k]) * rate))
        if need <= 0:
            continue
        changed = True
        if local[k]:
            joined = binomial(stream, need, willing[village])
            if joined:
                strength[k] += joined
                joined_local += joined
                continue
            # no local man came forward: this month's share of the gap is filled by soldiers from other
            # governorates, as fast as an external unit is topped up; the local unit gives up that share
            nominal[k] -= need
        sent = max(0, min(need, reserve))
        reserve -= sent
        sent_external += sent
        if not local[k]:
            strength[k] += sent
        elif sent > 0:  # the detachment joins the external unit already at the village, or forms one
            there = -1
            for q in range(len(home)):
                if home[q] == village and not local[q] and active[q]:
                    there = q
                    break
            if there < 0:
                return j, sent, reserve, joined_local, sent_external, changed
            strength[there] += sent
            nominal[there] += sent
    return len(rows), 0, reserve, joined_local, sent_external, changed


@kernel
def strength_south(strength: np.ndarray, active: np.ndarray, local: np.ndarray) -> tuple[int, int]:
    """The strength of the units active in the south (not wiped out), and of the local ones among them."""
    total = from_here = 0
    for k in range(len(strength)):
        if active[k] and strength[k] > 0:
            total += strength[k]
            if local[k]:
                from_here += strength[k]
    return total, from_here


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

    def month_end(self) -> None:
        """Deaths feed fear; units below strength are topped up (only those deployed in the south)."""
        m = self.model
        p, u, v = m.p, m.units, m.villages
        dead = self.deaths_since_last_month()
        v.fear[:] = np.minimum(1.0, v.fear + p.fear_per_sdf_death * dead * v.sdf_held)
        willing = np.clip(m.mechanisms.councils.willingness(), 0.0, 1.0)
        rate = float(p.sdf_monthly_replacement)
        rows = np.flatnonzero(u.active & (u.strength < u.nominal))
        start, changed = 0, False
        while start < len(rows):  # a kernel call, and again after each detachment that forms a unit in Python
            stop, men, self.reserve, joined, sent, topped = topped_up(
                stream_of(m), rows, start, u.home, u.local, u.active, u.strength, u.nominal, willing, rate,
                self.reserve)
            self.recruits["local"] += joined
            self.recruits["external"] += sent
            changed = changed or topped
            if stop == len(rows):
                break
            m.add_unit(int(u.home[rows[stop]]), men, local=False)
            start = stop + 1
        if changed:
            m.units_changed()

    def local_share(self) -> float:
        """Share of the SDF's strength in the south that is local."""
        u = self.model.units
        total, local = strength_south(u.strength, u.active, u.local)
        return local / total if total else 0.0
