"""Zakat: protection money demanded from traders, and what each trader chooses to do about it.

Sources (EUI 2022, s.2 and fn 24): in south-eastern Deir ez-Zor every trader of some size in the
al-Buseyrah, Dhiban and Hajin districts has to pay, sometimes large sums; the al-Zir - Dhiban -
al-Buseyrah triangle is the centre of the racket because trade, smuggling and some of the oil
wells are there, while the north-east strip to al-Suwar has too little to tax. Between Dhiban and
Jurdi a demand starts at USD 1,000 and can reach 7,000 to 10,000. Traders answer in four ways:
some pay, some bargain with the zakat emir (now and then with success), some refuse and have
their shops or offices destroyed, and some move away to the north.

The model's rule (issue 13, item J). A trader asked for an amount A weighs what each answer is
expected to cost him, relative to A:

* pay: A, less what bargaining is expected to save;
* refuse: the chance IS carries out its threat times the share of his wealth W it destroys. The
  threat is credible in proportion to IS's pressure in the village (mean of influence and fear,
  full at ``zakat_threat_full_pressure``) and only where the SDF are absent (1 - guard);
* leave: a one-off loss of ``exile_cost_share`` of W from moving the business north.

He picks one with logit noise (``trader_choice_noise``, on costs measured in units of A), so the
cheaper an answer the likelier it is, never certain. A trader who pays bargains when the demand
is large against his expected cost of refusing (``negotiate_trigger``), again with logit noise;
bargaining succeeds with chance ``zakat_negotiate_success``. So the size of a demand changes what
traders do: a larger demand for the same wealth brings more bargaining, refusal and exile.

Oil: traders in the oil villages are richer and more numerous (smugglers and well operators), see
:mod:`sim.world.initial`; :func:`expected_take` gives the zakat IS can expect from each village
tonight, for cells that choose where to collect by it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from sim.agents.trader import ACTIVE, EXILED
from sim.agents.village import CRITERION
from sim.compiled import kernel
from sim.mechanisms.base import Mechanism

if TYPE_CHECKING:
    from sim.mechanisms.night_movement import Visits
    from sim.model import InsurgencyModel

# what became of a demand
PAID, NEGOTIATED, REFUSED, EXILE = "paid", "negotiated", "refused", "exiled"


@dataclass(frozen=True)
class Choice:
    """Chances of each answer to a demand, per trader asked (arrays of one length)."""

    pay: np.ndarray  # pay, with or without bargaining
    refuse: np.ndarray
    exile: np.ndarray
    negotiate: np.ndarray  # chance a trader who pays bargains first
    punish: np.ndarray  # chance IS carries out its threat against a refuser
    paid_share: np.ndarray  # share of the demand a trader who pays is expected to hand over


class AnswerRule(NamedTuple):
    """The parameters of a trader's answer to a demand, for kernels (:meth:`Zakat.rule`)."""

    retaliation_prob: float
    full_pressure: float  # zakat_threat_full_pressure, at least 1e-9
    loss_share: float  # retaliation_loss_share
    exile_share: float  # exile_cost_share
    noise: float  # trader_choice_noise, at least 1e-6
    trigger: float  # negotiate_trigger
    success: float  # zakat_negotiate_success
    discount: float  # zakat_negotiated_discount
    share: float  # zakat_share_of_wealth
    floor: float  # zakat_min_usd
    ceiling: float  # max(zakat_min_usd, zakat_max_usd)


@kernel
def logistic(x: float) -> float:
    """1 / (1 + e^-x), with x held within +-50."""
    return 1.0 / (1.0 + np.exp(-min(max(x, -50.0), 50.0)))


@kernel
def demand_of(wealth: float, rule: AnswerRule) -> float:
    """What IS asks a trader of ``wealth``: a share of it, never below the floor nor above the ceiling (fn 24)."""
    return min(max(rule.share * wealth, rule.floor), rule.ceiling)


@kernel
def demands(wealth: np.ndarray, rule: AnswerRule) -> np.ndarray:
    """:func:`demand_of` for each trader's ``wealth``."""
    out = np.empty_like(wealth)
    for k in range(len(wealth)):
        out[k] = demand_of(wealth[k], rule)
    return out


@kernel
def threats(influence: np.ndarray, fear: np.ndarray, guard: np.ndarray, rule: AnswerRule) -> np.ndarray:
    """Per village, the chance IS carries out its threat against a trader who refuses."""
    punish = np.empty(len(influence))
    for i in range(len(influence)):
        credible = min(1.0, 0.5 * (influence[i] + fear[i]) / rule.full_pressure)
        punish[i] = rule.retaliation_prob * credible * (1.0 - guard[i])
    return punish


@kernel
def answer_weights(punish: float, wealth: float, amount: float,
                   rule: AnswerRule) -> tuple[float, float, float, float, float, float]:
    """The rule's arithmetic for one trader (see the module): the chance he bargains, his expected
    cost of paying (a share of the demand), the logit weights of paying, refusing and leaving, and
    their total."""
    asked = max(amount, 1e-9)
    refuse_cost = punish * rule.loss_share * wealth / asked
    exile_cost = rule.exile_share * wealth / asked
    negotiate = logistic((1.0 - rule.trigger * refuse_cost) / rule.noise)
    pay_cost = 1.0 - negotiate * rule.success * rule.discount
    low = min(min(pay_cost, refuse_cost), exile_cost)
    w_pay = np.exp(-(pay_cost - low) / rule.noise)
    w_refuse = np.exp(-(refuse_cost - low) / rule.noise)
    w_exile = np.exp(-(exile_cost - low) / rule.noise)
    return negotiate, pay_cost, w_pay, w_refuse, w_exile, w_pay + w_refuse + w_exile


@kernel
def choices(punish_by_village: np.ndarray, villages: np.ndarray, wealth: np.ndarray, amount: np.ndarray,
            rule: AnswerRule) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`answer_weights` for traders of ``villages``: punish, negotiate, pay cost and the three
    answers' chances, one array each."""
    n = len(villages)
    punish, negotiate, pay_cost = np.empty(n), np.empty(n), np.empty(n)
    pay, refuse, exile = np.empty(n), np.empty(n), np.empty(n)
    for k in range(n):
        punish[k] = punish_by_village[villages[k]]
        negotiate[k], pay_cost[k], w_pay, w_refuse, w_exile, total = answer_weights(
            punish[k], wealth[k], amount[k], rule)
        pay[k], refuse[k], exile[k] = w_pay / total, w_refuse / total, w_exile / total
    return punish, negotiate, pay_cost, pay, refuse, exile


@kernel
def expected_takes(status: np.ndarray, next_demand: np.ndarray, wealth: np.ndarray, market: np.ndarray, day: int,
                   min_wealth: float, influence: np.ndarray, min_influence: float, punish_by_village: np.ndarray,
                   rule: AnswerRule) -> np.ndarray:
    """Per village, what the traders due there today are expected to hand over if all are asked
    (each due trader's demand x his chance of paying x the share bargaining leaves; :func:`expected_take`)."""
    take = np.zeros(len(influence))
    for k in range(len(status)):
        i = market[k]
        if status[k] == ACTIVE and next_demand[k] <= day and wealth[k] >= min_wealth and influence[i] >= min_influence:
            amount = demand_of(wealth[k], rule)
            _, pay_cost, w_pay, _, _, total = answer_weights(punish_by_village[i], wealth[k], amount, rule)
            take[i] += amount * (w_pay / total) * pay_cost
    return take


class Zakat(Mechanism):
    """Zakat cells ask the traders of their target market who are due; each trader weighs his answer."""

    name = "zakat"
    switch = "zakat_enabled"
    params = ("zakat_enabled", "zakat_min_usd", "zakat_max_usd", "zakat_share_of_wealth",
              "zakat_trader_min_wealth_usd", "zakat_interval_days", "zakat_min_influence", "zakat_demands_per_night",
              "trader_choice_noise", "exile_cost_share", "negotiate_trigger", "zakat_threat_full_pressure",
              "zakat_negotiate_success", "zakat_negotiated_discount", "retaliation_prob", "retaliation_loss_share",
              "fear_per_retaliation", "influence_per_zakat")

    def __init__(self, model: InsurgencyModel) -> None:
        super().__init__(model)
        # traders grouped by market: they never change market and none are added mid-run
        t = model.traders
        # each trader's market in numpy's index type (the column is int32, which numpy gathers through
        # several times slower); traders never change market
        self.market = t.village.astype(np.intp)
        self.market.flags.writeable = False
        self.trader_order = np.argsort(t.village, kind="stable")
        self.market_starts = np.searchsorted(t.village[self.trader_order], np.arange(len(model.villages) + 1))

    def rule(self) -> AnswerRule:
        """Today's parameters of a trader's answer, for the kernels."""
        p = self.model.p
        return AnswerRule(
            float(p.retaliation_prob), max(float(p.zakat_threat_full_pressure), 1e-9), float(p.retaliation_loss_share),
            float(p.exile_cost_share), max(float(p.trader_choice_noise), 1e-6), float(p.negotiate_trigger),
            float(p.zakat_negotiate_success), float(p.zakat_negotiated_discount), float(p.zakat_share_of_wealth),
            float(p.zakat_min_usd), float(max(p.zakat_min_usd, p.zakat_max_usd)))

    def threats(self, rule: AnswerRule | None = None) -> np.ndarray:
        """Per village, the chance IS carries out its threat against a trader who refuses (its pressure
        there, full at ``zakat_threat_full_pressure``, and only where the SDF are absent)."""
        v = self.model.villages
        return threats(v.influence, v.fear, v.guard, self.rule() if rule is None else rule)

    def demand_amount(self, wealth: np.ndarray) -> np.ndarray:
        """What IS asks: a share of wealth, never below the floor nor above the ceiling (fn 24)."""
        return demands(np.asarray(wealth, float), self.rule())

    def choice(self, villages: np.ndarray, wealth: np.ndarray, amount: np.ndarray) -> Choice:
        """How traders of ``villages`` with ``wealth`` answer a demand of ``amount`` (see the module's rule)."""
        rule = self.rule()
        punish, negotiate, pay_cost, pay, refuse, exile = choices(
            self.threats(rule), np.asarray(villages, np.int64), np.asarray(wealth, float), np.asarray(amount, float),
            rule)
        return Choice(pay=pay, refuse=refuse, exile=exile, negotiate=negotiate, punish=punish, paid_share=pay_cost)

    def expected_payment(self, villages: np.ndarray, wealth: np.ndarray, amount: np.ndarray) -> np.ndarray:
        """What each trader asked ``amount`` is expected to hand over: ``amount * choice.pay * choice.paid_share``."""
        c = self.choice(villages, wealth, amount)
        return amount * c.pay * c.paid_share

    def due(self, vil: int, due_now: np.ndarray | None = None) -> np.ndarray:
        """Traders of ``vil``'s market whom IS may ask today (``due_now``: :meth:`is_due` of every trader, if known)."""
        market = self.trader_order[self.market_starts[vil]: self.market_starts[vil + 1]]
        return market[self.is_due(market) if due_now is None else due_now[market]]

    def is_due(self, traders: np.ndarray | slice | int) -> np.ndarray:
        """For the given traders: active, due a demand today and rich enough to be asked."""
        m, p, t = self.model, self.model.p, self.model.traders
        return ((t.status[traders] == ACTIVE) & (t.next_demand[traders] <= m.day)
                & (t.wealth[traders] >= p.zakat_trader_min_wealth_usd))

    def night(self, visits: Visits) -> None:
        """Tonight's demands."""
        m = self.model
        p, v, t = m.p, m.villages, m.traders
        if len(t) == 0:
            return
        mine = visits.of_role(m, "zakat")
        # only markets with traders, where IS has enough influence, can be asked (checked for all at once)
        starts = self.market_starts
        asked = (v.influence[mine.villages] >= p.zakat_min_influence) & (
            starts[mine.villages + 1] > starts[mine.villages])
        if not asked.any():
            return
        # who is due, tested for all traders at once and kept up to date as tonight's demands
        # change the traders asked (nothing else touches traders during this hook)
        due_now = self.is_due(slice(None))
        # a demand only ever makes a trader not due, so a market with no one due now has no one due
        # tonight: skip those visits at once (most of them) instead of one lookup each
        asked &= np.bincount(self.market, weights=due_now, minlength=len(v))[mine.villages] > 0
        for cell, vil in zip(mine.cells[asked].tolist(), mine.villages[asked].tolist(), strict=True):
            due = self.due(vil, due_now)
            if len(due) == 0:
                continue
            for k in m.rng.permutation(due)[: int(p.zakat_demands_per_night)]:
                k = int(k)
                self.demand(cell, vil, k)
                due_now[k] = self.is_due(k)

    def demand(self, cell: int, vil: int, k: int) -> str:
        """Cell ``cell`` asks trader ``k`` of village ``vil``; returns what came of it (PAID, ...)."""
        m = self.model
        p, v, t, rng, acc = m.p, m.villages, m.traders, m.rng, m.accounts
        acc.incident("zakat_demands", village=vil)
        t.next_demand[k] = m.day + int(p.zakat_interval_days)
        wealth = t.wealth[k: k + 1]
        amount = self.demand_amount(wealth)
        c = self.choice(np.array([vil]), wealth, amount)
        u = rng.random()
        if u < c.exile[0]:
            t.status[k] = EXILED
            acc.money["exiled_wealth"] += float(t.wealth[k])
            acc.incident("exiles", village=vil)
            return EXILE
        if u < c.exile[0] + c.refuse[0]:
            if rng.random() < c.punish[0]:
                loss = float(t.wealth[k] * p.retaliation_loss_share)
                t.wealth[k] -= loss
                t.losses[k] += loss
                acc.money["destroyed"] += loss
                acc.incident("retaliations", village=vil)
                v.fear[vil] = min(1.0, v.fear[vil] + p.fear_per_retaliation)
            return REFUSED
        outcome, paid = PAID, float(amount[0])
        if rng.random() < c.negotiate[0] and rng.random() < p.zakat_negotiate_success:
            paid *= 1.0 - p.zakat_negotiated_discount
            outcome = NEGOTIATED
        paid = min(paid, float(t.wealth[k]))
        t.wealth[k] -= paid
        t.zakat_paid[k] += paid
        m.cells.money[cell] += paid
        acc.money["zakat"] += paid
        acc.incident("zakat_payments", village=vil)
        m.zakat_by_village[vil] += paid
        v.influence[vil] = min(1.0, v.influence[vil] + p.influence_per_zakat)
        v.criteria[vil, CRITERION["zakat"]] += 1
        return outcome


def expected_take(model: InsurgencyModel) -> np.ndarray:
    """Per village, the zakat (USD) IS can expect tonight from the traders due there, if it asked them all.

    Each due trader's demand times his chance of paying, less what bargaining is expected to save;
    zero where IS has too little influence to extort. Cells choosing where to collect can weigh
    villages by it (rich oil and smuggling markets first, EUI 2022 s.2, fn 24).
    """
    m, p, t, v = model, model.p, model.traders, model.villages
    if len(t) == 0 or not p.zakat_enabled:
        return np.zeros(len(v))
    zakat = m.mechanisms.zakat
    rule = zakat.rule()
    return expected_takes(t.status, t.next_demand, t.wealth, zakat.market, m.day, float(p.zakat_trader_min_wealth_usd),
                          v.influence, float(p.zakat_min_influence), zakat.threats(rule), rule)


def collection_pull(model: InsurgencyModel) -> np.ndarray:
    """Per village, the expected take in units of the largest single demand (``zakat_max_usd``).

    What draws tax collectors to a village (``night_movement``): a village whose due traders would
    pay three full demands pulls three times as hard as one that would pay one.
    """
    cap = model.p.zakat_max_usd
    return expected_take(model) / cap if cap > 0 else np.zeros(len(model.villages))
