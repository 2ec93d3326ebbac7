"""The Badia front: IS's desert sanctuary lives off the roads, and the regime may feed them.

The desert south of the river is IS's hub, where fighters are trained and from where they are
sent north (EUI 2022, s.3, fn 40-41); its bases must be fed. When supplies run short, fighters
hit regime soldiers and convoys for what they carry, and the wave of attacks of 2018-2020 forced
the regime to leave IS's supply lines open (s.3, fn 43, 48). Pro-regime forces now sign
non-aggression pacts, hand over a share of their cargoes, and divert aid to IS: "feeding the road"
makes raids less likely (fn 45-47). Since June 2021 the regime's and Russia's counter-offensive
has cut IS attacks and made them costlier, its fighters moving on motorcycles in small groups
(fn 50). After the US leaves, IS means to turn on the regime (s.4, fn 63).

Here the Badia cells share a stock of supplies (USD-equivalent). Each month it pays their upkeep;
what it cannot pay is hunger, and hunger raises the nightly chance that a Badia cell strikes, each
strike bringing loot and costing the cell a fighter with some chance. Feeding the road pays into
the stock, so the fall in attacks it buys comes about through hunger, not by decree; supplies
beyond a reserve go to IS's treasury, which pays for recruits and for a prison attack.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim import modifiers
from sim.accounts import INCIDENTS, MONEY, PEOPLE, book, book_incident, row_of
from sim.compiled import Stream, drawn_below, kernel, stream_of
from sim.kernel_state import KernelState, kernel_state
from sim.mechanisms.base import Mechanism

if TYPE_CHECKING:
    from sim.mechanisms.night_movement import Visits
    from sim.model import InsurgencyModel

_BADIA_ATTACKS, _IS_KILLED = row_of(INCIDENTS, "badia_attacks"), row_of(INCIDENTS, "is_killed")
_BADIA_LOOT, _PEOPLE_KILLED = row_of(MONEY, "badia_loot"), row_of(PEOPLE, "is_killed")


@kernel
def strike(stream: Stream, in_badia: np.ndarray, chance: float, loss: float, fighters: np.ndarray,
           emptied: np.ndarray) -> tuple[int, int, int]:
    """Tonight's strikes of the Badia cells ``in_badia`` (see :meth:`BadiaFront.night`): one uniform
    draw per cell against ``chance``, then one per striker against ``loss`` (a fighter lost, taken
    from ``fighters``). The strikers and the fighters lost; the cells left without fighters go into
    the first places of ``emptied``, in order, and the last number says how many."""
    strikers = drawn_below(stream, in_badia, chance)
    s = len(strikers)
    if s == 0:
        return 0, 0, 0
    lost = drawn_below(stream, strikers, loss)
    n_lost = len(lost)
    for k in range(n_lost):
        fighters[lost[k]] -= 1
    e = 0
    for k in range(n_lost):
        if fighters[lost[k]] <= 0:
            emptied[e] = lost[k]
            e += 1
    return s, n_lost, e


@kernel
def strike_booked(stream: Stream, in_badia: np.ndarray, chance: float, loss: float, fighters: np.ndarray,
                  emptied: np.ndarray, loot_usd: float, supplies: np.ndarray, incidents: np.ndarray,
                  money: np.ndarray, money_booked: np.ndarray, people: np.ndarray, people_booked: np.ndarray) -> int:
    """Tonight's strikes (:func:`strike`), booked: the strikes as incidents in no village, ``loot_usd`` a
    striker into ``supplies[0]`` and the money books, the fighters lost as incidents and in the people
    books (the books: ``Accounts``' arrays). Returns how many cells were left without fighters (the
    first places of ``emptied``)."""
    strikers, lost, n_emptied = strike(stream, in_badia, chance, loss, fighters, emptied)
    if not strikers:
        return 0
    nowhere = incidents.shape[1] - 2
    book_incident(incidents, _BADIA_ATTACKS, nowhere, strikers)
    loot = strikers * loot_usd
    supplies[0] += loot
    book(money, money_booked, _BADIA_LOOT, loot)
    if lost:
        book_incident(incidents, _IS_KILLED, nowhere, lost)
        book(people, people_booked, _PEOPLE_KILLED, lost)
    return n_emptied


@kernel
def badia_strikes(stream: Stream, state: KernelState, inputs: tuple) -> int:
    """:meth:`BadiaFront.night`: :func:`strike_booked` on the kernels' ``state`` (``inputs``:
    :meth:`BadiaFront.night_inputs`); how many cells were left without fighters."""
    in_badia, chance, loss, emptied, loot_usd, supplies = inputs
    return strike_booked(stream, in_badia, chance, loss, state.c_fighters, emptied, loot_usd, supplies,
                         state.incidents, state.money, state.money_booked, state.people, state.people_booked)


class BadiaFront(Mechanism):
    """Badia cells' supplies, hunger and strikes on the regime; the regime's payments while it feeds the road."""

    name = "badia_front"
    switch = "badia_front_enabled"
    params = ("badia_front_enabled", "badia_attack_prob", "badia_hunger_gain", "badia_loot_usd",
              "badia_attack_loss_prob", "badia_upkeep_usd_per_fighter", "badia_reserve_months",
              "feeding_payment_usd_month", "regime_offensive_attack_factor", "regime_offensive_loss_factor")

    def __init__(self, model: InsurgencyModel) -> None:
        super().__init__(model)
        self._supplies = np.zeros(1)  # USD-equivalent held by the Badia cells (food, fuel, arms): :attr:`supplies`
        self.hunger = 0.0  # share of last month's upkeep the supplies could not pay, 0..1
        self._emptied = np.empty(0, np.int64)  # the strike kernel's output, grown as cells form

    @property
    def supplies(self) -> float:
        """USD-equivalent held by the Badia cells (food, fuel, arms)."""
        return float(self._supplies[0])

    @supplies.setter
    def supplies(self, usd: float) -> None:
        self._supplies[0] = usd

    def attack_chance(self) -> float:
        """Tonight's chance that one Badia cell strikes regime forces or convoys."""
        return self._strike_rule()[0]

    def _strike_rule(self) -> tuple[float, float, float]:
        # tonight's chance (attack_chance), loss and loot, as the kernel takes them: asked every night, so kept
        # while the parameters, the hunger and the policy are unchanged (the Coalition's presence read by value:
        # events change it in place)
        m = self.model
        policy = m.policy

        def made() -> tuple[float, float, float]:
            p = m.p
            rate = p.badia_attack_prob * modifiers.badia_escalation(m) * (1.0 + p.badia_hunger_gain * self.hunger)
            if policy.regime_offensive:
                rate *= p.regime_offensive_attack_factor
            loss = p.badia_attack_loss_prob * (p.regime_offensive_loss_factor if policy.regime_offensive else 1.0)
            return float(min(1.0, rate)), float(min(1.0, loss)), float(p.badia_loot_usd)

        return self.kept("strikes", made, (self.hunger, policy.regime_offensive,
                                           policy.coalition_present_by_district.tobytes()))

    def night(self, visits: Visits) -> None:
        """Badia cells may strike tonight: loot for the supplies, fighters lost."""
        m = self.model
        inputs = self.night_inputs()
        if inputs is not None:
            self.after_strikes(badia_strikes(stream_of(m), kernel_state(m), inputs))

    def night_inputs(self) -> tuple | None:
        """What :func:`badia_strikes` reads besides the stream and the kernels' state: the Badia cells that may
        strike (attackers staged for a prison attack hold back), tonight's chance and loss, the kernel's output
        array, the loot and the supplies; None when no cell is in the Badia."""
        m = self.model
        in_badia = m.cell_sites().in_regime
        staged = m.mechanisms.prison.staged_rows()  # attackers gathered for a prison attack hold back
        if len(staged):
            in_badia = in_badia[~np.isin(in_badia, staged)]
        if not len(in_badia):
            return None
        if len(self._emptied) < len(in_badia):
            self._emptied = np.empty(2 * len(in_badia), np.int64)
        chance, loss, loot = self._strike_rule()
        return in_badia, chance, loss, self._emptied, loot, self._supplies

    def no_strikes(self) -> tuple:
        """:meth:`night_inputs`' shape on a night with no Badia cell (for a fused kernel that skips the hook)."""
        return np.zeros(0, np.int64), 0.0, 0.0, self._emptied, 0.0, self._supplies

    def after_strikes(self, n_emptied: int) -> None:
        """The cells :func:`badia_strikes` left without fighters (the first ``n_emptied`` of its output) are
        dismantled: their supporters disperse."""
        m = self.model
        c, acc = m.cells, m.accounts
        for row in self._emptied[:n_emptied].tolist():
            acc.people["supporters_dispersed"] += int(c.supporters[row])
            c.supporters[row] = 0
            m.remove_cell(int(row))

    def month_end(self) -> None:
        """The regime's payments in, the fighters' upkeep out, hunger, and the surplus to the treasury."""
        m = self.model
        p, c, acc = m.p, m.cells, m.accounts
        if m.policy.feeding_the_road:
            self.supplies += p.feeding_payment_usd_month
            acc.money["regime_payments"] += p.feeding_payment_usd_month
        need = p.badia_upkeep_usd_per_fighter * float(c.fighters[m.cell_sites().in_regime].sum())
        paid = min(self.supplies, need)
        self.supplies -= paid
        acc.money["is_spending"] += paid
        self.hunger = 1.0 - paid / need if need > 0 else 0.0
        surplus = max(0.0, self.supplies - p.badia_reserve_months * need)
        if surplus > 0:  # the centralised organisation takes what the Badia does not need (s.1, s.3)
            self.supplies -= surplus
            m.treasury += surplus

