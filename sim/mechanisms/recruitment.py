"""IS recruitment: supporters from the villages it holds, fighters trained in the Badia.

Recruitment is the first of the brief's stronghold criteria (EUI 2022, s.2). Recruits are
trained in the Badia before being sent out (s.3): they wait there until a movement cell takes
them north (``supply_lines``); Ghuweiran and al-Zuhur resent the Kurdish
movement yet do not sympathise with IS (s.2, fn 32), so recruiting there is hard. Distrust of
the security forces revives IS's appeal (WP 2019). Recruits cost money: IS's treasury, fed by
zakat and by what the Badia's supplies do not need (``badia_front``), limits how many it takes.
"""

from __future__ import annotations

import numpy as np

from sim.accounts import INCIDENTS, MONEY, PEOPLE, book, book_incident, row_of
from sim.agents.village import CRITERION
from sim.compiled import Stream, kernel, stream_of
from sim.draws import binomial, poisson
from sim.kernel_state import KernelState, kernel_state
from sim.mechanisms.base import Mechanism
from sim.world.population import attach_supporters

_RECRUITS = row_of(INCIDENTS, "recruits")
_SPENDING = row_of(MONEY, "is_spending")
_FIGHTERS, _SUPPORTERS = (row_of(PEOPLE, k) for k in ("recruited_fighters", "recruited_supporters"))
_RECRUITMENT = CRITERION["recruitment"]


@kernel
def recruits_wanted(stream: Stream, state: KernelState, sympathy: np.ndarray, population: np.ndarray,
                    rate: float) -> np.ndarray:
    """Per village of the kernels' ``state``, the recruits IS would take this month: a Poisson draw of mean
    population x ``rate`` x appeal, the appeal being influence x (1 - trust) x sympathy in SDF-held villages (0
    elsewhere); drawn village by village, as numpy draws an array of means, in numpy's order of operations."""
    influence, trust, held = state.v_influence, state.v_trust, state.v_sdf_held
    want = np.empty(len(influence), np.int64)
    for i in range(len(influence)):
        appeal = influence[i] * (1.0 - trust[i]) * sympathy[i] * (1.0 if held[i] else 0.0)
        want[i] = poisson(stream, population[i] * rate * appeal)
    return want


@kernel
def recruited(stream: Stream, state: KernelState, sympathy: np.ndarray, population: np.ndarray, rate: float,
              cost: float, treasury: float, fighter_share: float) -> tuple[int, int, float]:
    """The month's recruits (:func:`recruits_wanted`), cut to what the ``treasury`` affords at ``cost`` each (when it
    is above 0), paid and booked (the spending, the recruitment criterion and the incidents of the villages that gave
    recruits, the recruited fighters and supporters), the fighters drawn as a binomial share ``fighter_share`` of
    them: ``(fighters, supporters, treasury after)``; ``(0, 0, treasury)`` with nothing done after the draws when
    there are none."""
    want = recruits_wanted(stream, state, sympathy, population, rate)
    total = want.sum()
    if cost > 0:  # recruits cost money: the treasury caps them
        affordable = max(0.0, treasury) / cost
        if total > affordable:
            for i in range(len(want)):
                want[i] = np.floor(want[i] * affordable / total)
            total = want.sum()
    if total == 0:
        return 0, 0, treasury
    spent = total * cost
    book(state.money, state.money_booked, _SPENDING, spent)
    for i in range(len(want)):
        if want[i] > 0:
            state.v_criteria[i, _RECRUITMENT] += 1
            book_incident(state.incidents, _RECRUITS, i, want[i])
    fighters = binomial(stream, total, fighter_share)
    book(state.people, state.people_booked, _FIGHTERS, fighters)
    book(state.people, state.people_booked, _SUPPORTERS, total - fighters)
    return fighters, total - fighters, treasury - spent


class Recruitment(Mechanism):
    """Each month IS recruits the supporters and fighters its treasury can afford (the cells' takings reach it
    just before, by ``remittance``)."""

    name = "recruitment"
    switch = "recruitment_enabled"
    params = ("recruitment_enabled", "recruitment_rate", "recruit_cost_usd", "recruit_fighter_share")

    def month_end(self) -> None:
        """Recruits drawn by each village's appeal: supporters join living cells anywhere (at random, not
        the village's own), fighters go to the Badia's queue."""
        m = self.model
        p, v = m.p, m.villages
        fighters, supporters, treasury = recruited(
            stream_of(m), kernel_state(m), v.sympathy, v.population, float(p.recruitment_rate),
            float(p.recruit_cost_usd), float(m.treasury), float(p.recruit_fighter_share))
        if fighters + supporters == 0:
            return
        m.treasury = treasury
        m.mechanisms.supply_lines.enlist(fighters)  # recruits are trained in the Badia (s.3), then sent north
        attach_supporters(m, supporters)
