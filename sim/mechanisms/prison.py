"""Detention, the prison attack IS decides on, and amnesties.

NES holds IS detainees in 27 detention centres (EUI 2022, fn 1), in unfit buildings such as
al-Sina'a, a former technical school guarded by 90 young men with little training (s.1, fn 2).
IS hurried its attack because a safer centre was almost built (fn 6): the scenario gives that
opportunity window (``prison_attack_window``) or a single date (``prison_attack``). Inside the
window IS decides: it prepares when it can pay for the operation (about half a million dollars,
fn 17) and spare the fighters (nearly a tenth of its operational strength, fn 22-23). The
attackers are brought together over about six months (fn 22) into a staging group that does
nothing else: first in the Badia, one of the attackers' departure points (fn 41), then, for the
last weeks, pre-positioned near the prison (s.1, fn 16), where SDF raids can find it like any other
cell: the arrest of a cell tasked with the attack in November 2021 made the SDF think the plot was
dead (fn 8).

What the attack yields comes from the model, not from the record: the breach succeeds with a
chance set by attackers against guards; an inmate revolt frees part of the prison, but the
Coalition's helicopter fire, where the Coalition is present, stops most of the break-out (fn 10);
guards and SDF fighters die in proportion to the fighting, and the dead are taken from the SDF
units nearest the prison (374 IS and 117 SDF dead in January 2022, fn 15, anchor the ratios);
escapees and surviving attackers held the two neighbourhoods for days (s.1, fn 12), and IS's
hold there grows with how many of them were present and how sympathetic the residents are (they
were not, s.2, fn 32). Most regroup in the Badia (fn 41; the sources say some went to Iraq, and
their queue in the Badia stands for both); a share linked to the neighbourhoods by family ties to Deir ez-Zor
(s.2, fn 30) stays there. The SDF pull units into cordons around the neighbourhoods (7,000 men,
fn 11, part of them from outside this map) while they are held.

The SDF released 283 detainees in 2019 at the request of tribal notables (WP 2019); amnesties
were nearly dropped after several amnestied prisoners rejoined IS, with two remissions in 2021
(fn 3). Here an amnesty sends some back to IS and raises trust in the eastern strip.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from sim.mechanisms.base import Mechanism
from sim.world.names import BADIA, EAST_STRIP, HASAKA_NEIGHBOURHOODS, VILLAGE
from sim.world.population import attach_supporters, form_cells
from sim.world.space import chebyshev

if TYPE_CHECKING:
    from sim.model import InsurgencyModel

NO_PLOT = -1  # staging row when IS is not preparing an attack
NO_STAGED = np.zeros(0, dtype=np.int64)
NO_STAGED.flags.writeable = False  # shared answer of staged_rows() when no attack is being prepared
DAYS_PER_MONTH = 365.25 / 12  # a unit conversion, not a behaviour


class Prison(Mechanism):
    """IS's decision to storm the prison inside an opportunity window, its outcome, the cordon; amnesties."""

    name = "prison"
    switch = "prison_enabled"
    params = ("prison_enabled", "prison_attack_share_of_fighters", "prison_attack_cost_usd", "prison_attackers_min",
              "prison_preparation_months", "prison_positioning_months", "prison_guards", "prison_guard_quality",
              "prison_detainees_held", "prison_breakout_share", "prison_air_support_block",
              "prison_attackers_killed_share", "prison_mutiny_death_share", "prison_guard_death_share",
              "prison_sdf_dead_per_is_dead", "prison_takeover_per_fighter", "prison_escapees_stay_share",
              "neighbourhoods_held_days", "cordon_fighters", "cordon_share_from_map", "amnesty_rejoin_share",
              "amnesty_trust_gain")
    reads = ("recruit_fighter_share",)

    def __init__(self, model: InsurgencyModel) -> None:
        super().__init__(model)
        prison = [pl for pl in model.geography.places if pl.kind == "prison"]
        self.xy = (prison[0].x, prison[0].y) if prison else None
        self.cordon = np.zeros(0, bool)  # units held in the al-Hasaka cordon (rows at the time of the attack)
        self.siege_until = -1  # last day of the cordon
        self.window_closes = -1  # last day of the opportunity window (-1: no window open)
        self.staging = NO_PLOT  # row of the cell gathering the attackers
        self.launch_day = -1  # day the staged attack goes in
        self.position_day = -1  # day the staging group moves near the prison

    # ------------------------------------------------------------------ the decision
    def open_window(self, closes: int) -> dict[str, Any]:
        """The scenario's opportunity window opens today and closes on day ``closes``."""
        if not self.enabled:
            return {"aborted": "prison switched off"}
        self.window_closes = max(int(closes), self.model.day)
        return {"window_closes_day": self.window_closes}

    def can_afford(self, share: float | None = None) -> tuple[int, str]:
        """Attackers IS can spare now and, if it cannot attack, why (empty when it can)."""
        m = self.model
        p, c = m.p, m.cells
        share = p.prison_attack_share_of_fighters if share is None else share
        wanted = int(round(share * int(c.fighters[c.alive].sum())))
        if wanted < max(1, int(p.prison_attackers_min)):
            return wanted, "too few fighters"
        if m.treasury < p.prison_attack_cost_usd:
            return wanted, "not enough money"
        return wanted, ""

    def prepare(self, share: float | None = None, months: float | None = None) -> dict[str, Any]:
        """Pay for the operation and pull attackers from across the organisation into a staging group."""
        m = self.model
        p, c, acc = m.p, m.cells, m.accounts
        wanted, reason = self.can_afford(share)
        if reason or self.xy is None:
            return {"attackers": 0, "aborted": reason or "no prison on the map"}
        m.treasury -= p.prison_attack_cost_usd
        acc.money["is_spending"] += p.prison_attack_cost_usd
        alive = np.nonzero(c.alive)[0]
        taken = 0
        for row in m.rng.permutation(alive):  # a few from each cell (fn 22); each keeps one to go on
            if taken >= wanted:
                break
            k = min(int(c.fighters[row]) - 1, wanted - taken)
            if k > 0:
                c.fighters[row] -= k
                taken += k
        # the attackers gather in the Badia (fn 41) and move near the prison before the attack
        x, y = m.world.hideouts.pick(BADIA)
        self.staging = m.add_cell(x, y, role=0, fighters=taken)
        months = p.prison_preparation_months if months is None else months
        self.launch_day = min(m.day + int(round(DAYS_PER_MONTH * months)), max(self.window_closes, m.day))
        self.position_day = self.launch_day - int(round(DAYS_PER_MONTH * p.prison_positioning_months))
        self.position_staging()
        return {"attackers": taken, "launch_day": self.launch_day}

    def position_staging(self) -> None:
        """From its positioning day, the staging group waits in the village nearest the prison (s.1, fn 16)."""
        m = self.model
        row = self.staging
        if m.day < self.position_day or not m.cells.alive[row]:
            return
        near = m.world.index.nearest(*self.xy)
        x, y = int(m.villages.x[near]), int(m.villages.y[near])
        if (m.cells.base_x[row], m.cells.base_y[row]) != (x, y):
            m.mechanisms.cell_bases.move(row, x, y)

    def staged_rows(self) -> np.ndarray:
        """Rows of cells gathered for an attack (they do not go out at night)."""
        if self.staging == NO_PLOT:
            return NO_STAGED  # the usual night: no array built
        staged = np.array([self.staging], dtype=np.int64)
        staged.flags.writeable = False  # as NO_STAGED: one type for the kernels that read it (no second compile)
        return staged

    def steady_through(self, day: int) -> int | None:
        """The units held in the cordon are let go after the siege's last day."""
        return self.siege_until if day <= self.siege_until else None

    def idle_today(self) -> bool:
        """No attack is being prepared: :meth:`day` has nothing to do."""
        return self.staging == NO_PLOT

    def day(self) -> None:
        """Move the staging group into position, and launch a prepared attack on its day."""
        if self.staging == NO_PLOT:
            return
        self.position_staging()
        if self.model.day >= self.launch_day:
            out = self.launch()
            self.model.log_event("prison_attack", description="IS storms the prison (from its window)", **out)

    def month_end(self) -> None:
        """Inside the window, IS starts preparing once it has the means."""
        m = self.model
        if self.staging == NO_PLOT and m.day < self.window_closes:
            self.prepare()

    def attack(self, attackers_share: float | None = None) -> dict[str, Any]:
        """An attack dated by the scenario: IS goes in today with what it can spare, if it can pay."""
        if not self.enabled:
            return {"attackers": 0, "aborted": "prison switched off"}
        if self.staging != NO_PLOT:  # a group already gathered inside a window goes in: IS does not pay twice
            return self.launch()
        self.window_closes = self.model.day
        staged = self.prepare(attackers_share, months=0)
        return self.launch() if self.staging != NO_PLOT else staged

    # ------------------------------------------------------------------ the outcome
    def launch(self) -> dict[str, Any]:
        """The staged attackers storm the prison. Returns what happened."""
        m = self.model
        p, c, acc = m.p, m.cells, m.accounts
        row, self.staging, self.window_closes = self.staging, NO_PLOT, -1
        attackers = int(c.fighters[row]) if c.alive[row] else 0
        if attackers < max(1, int(p.prison_attackers_min)):
            return {"attackers": attackers, "aborted": "too few attackers left (raids broke up the plot)"}
        at = m.world.index.nearest(*self.xy)
        guards = int(p.prison_guards)
        breach_chance = attackers / (attackers + guards * p.prison_guard_quality)
        breached = bool(m.rng.random() < breach_chance)
        killed_attackers = int(m.rng.binomial(attackers, p.prison_attackers_killed_share))
        escaped = killed_inmates = guards_killed = 0
        if breached:
            held = min(m.detainees, int(p.prison_detainees_held))
            block = p.prison_air_support_block if self.coalition_at_prison() else 0.0
            escaped = int(m.rng.binomial(held, p.prison_breakout_share * (1.0 - block)))
            killed_inmates = int(m.rng.binomial(held - escaped, p.prison_mutiny_death_share))
            guards_killed = int(m.rng.binomial(guards, p.prison_guard_death_share))
        m.detainees -= killed_inmates + escaped
        is_dead = killed_attackers + killed_inmates
        sdf_dead = guards_killed + int(m.rng.poisson(p.prison_sdf_dead_per_is_dead * is_dead))
        acc.incident("prison_attacks", village=at)
        acc.incident("is_killed", is_dead, village=at)
        acc.incident("escapes", escaped, village=at)
        acc.people["is_killed"] += killed_attackers
        acc.people["detainees_killed"] += killed_inmates
        acc.people["escaped"] += escaped
        self.kill_sdf(sdf_dead, at)
        # the staging group is spent: its survivors and the escapees regroup as new cells
        survivors = attackers - killed_attackers
        acc.people["supporters_dispersed"] += int(c.supporters[row])
        c.fighters[row] = 0
        c.supporters[row] = 0
        m.remove_cell(row)
        if breached:
            self.take_neighbourhoods(survivors + escaped)
        stay = int(m.rng.binomial(survivors + escaped, p.prison_escapees_stay_share)) if breached else 0
        self.settle_in_neighbourhoods(form_cells(m, stay, VILLAGE))
        m.mechanisms.supply_lines.enlist(survivors + escaped - stay)  # regroup in the Badia, wait to be sent
        if breached:  # a failed breach holds no neighbourhood: nothing to cordon off
            self.hold_cordon()
        return {"attackers": attackers, "breached": breached, "escapees": escaped, "is_killed": is_dead,
                "detainees_killed": killed_inmates,
                "sdf_killed": sdf_dead, "stayed_in_neighbourhoods": stay}

    def coalition_at_prison(self) -> bool:
        """Is the Coalition present in the prison's district (its helicopters can fire)?"""
        m = self.model
        at = m.world.index.nearest(*self.xy)
        return bool(m.policy.coalition_present_by_district[m.villages.district[at]])

    def kill_sdf(self, dead: int, village: int) -> None:
        """SDF dead are lost by the units nearest the prison (guards included: they are the SDF's)."""
        m = self.model
        u, acc = m.units, m.accounts
        acc.incident("sdf_killed", dead, village=village)
        acc.people["sdf_killed"] += dead
        left = dead
        for k in np.argsort(chebyshev(u.x, u.y, *self.xy), kind="stable"):
            if left <= 0:
                break
            lost = min(int(u.strength[k]), left)
            u.strength[k] -= lost
            left -= lost
        m.units_changed()

    def neighbourhoods(self) -> np.ndarray:
        """Rows of the villages of Ghuweiran and al-Zuhur."""
        return np.nonzero(self.model.world.district_of == HASAKA_NEIGHBOURHOODS)[0]

    def take_neighbourhoods(self, present: int) -> None:
        """IS fighters hold the neighbourhoods: fear and influence grow with how many were there."""
        p, v = self.model.p, self.model.villages
        hood = self.neighbourhoods()
        takeover = min(1.0, present * p.prison_takeover_per_fighter)
        v.fear[hood] = np.maximum(v.fear[hood], takeover)
        v.influence[hood] = np.maximum(v.influence[hood], takeover * v.sympathy[hood])

    def settle_in_neighbourhoods(self, rows: list[int]) -> None:
        """Cells of escapees with family there hide in the neighbourhoods (s.2, fn 30)."""
        m = self.model
        hood = self.neighbourhoods()
        if not len(hood):
            return
        for row in rows:
            i = int(m.rng.choice(hood))
            m.mechanisms.cell_bases.move(row, int(m.villages.x[i]), int(m.villages.y[i]))

    def hold_cordon(self) -> None:
        """The SDF pull the units of this map nearest the prison into the cordons while the neighbourhoods are held.

        Whole units, nearest first, until their men reach this map's share of the cordon (the last one
        may pass it); held from today for ``neighbourhoods_held_days`` days, today included.
        """
        m = self.model
        p, u = m.p, m.units
        on = np.nonzero(u.active & (u.strength > 0))[0]
        held = 0
        cordon = np.zeros(len(u), bool)
        from_map = p.cordon_share_from_map * p.cordon_fighters
        if self.xy is not None and len(on):
            for k in on[np.argsort(chebyshev(u.x[on], u.y[on], *self.xy), kind="stable")]:
                if held >= from_map:
                    break
                cordon[k] = True
                held += int(u.strength[k])
        self.cordon = cordon
        self.siege_until = m.day + int(p.neighbourhoods_held_days) - 1  # the last day held
        m.units_changed()

    def units_in_cordon(self) -> np.ndarray:
        """Per SDF unit: held in the cordon today (units raised after the attack are not)."""
        held = np.zeros(len(self.model.units), bool)
        if self.model.day <= self.siege_until:
            held[: len(self.cordon)] = self.cordon
        return held

    # ------------------------------------------------------------------ amnesty
    def amnesty(self, released: int) -> dict[str, Any]:
        """Release detainees; some rejoin IS (fn 3), the rest go home, and trust rises in the eastern strip."""
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
        v.trust[east] = np.clip(v.trust[east] + p.amnesty_trust_gain, 0.0, 1.0)  # the gain may be negative
        return {"released": released, "rejoined": rejoin}
