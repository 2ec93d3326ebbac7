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

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from sim.accounts import INCIDENTS, MONEY, book, book_incident, row_of
from sim.agents.trader import ACTIVE, EXILED
from sim.agents.village import CRITERION
from sim.compiled import Stream, kernel, rng_of, stream_of
from sim.kernel_state import KernelState, kernel_state
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
def threat(influence: float, fear: float, guard: float, rule: AnswerRule) -> float:
    """The chance IS carries out its threat against a trader who refuses, in a village of this
    ``influence``, ``fear`` and SDF ``guard``."""
    credible = min(1.0, 0.5 * (influence + fear) / rule.full_pressure)
    return rule.retaliation_prob * credible * (1.0 - guard)


@kernel
def threats(influence: np.ndarray, fear: np.ndarray, guard: np.ndarray, rule: AnswerRule) -> np.ndarray:
    """Per village, the chance IS carries out its threat against a trader who refuses (:func:`threat`)."""
    punish = np.empty(len(influence))
    for i in range(len(influence)):
        punish[i] = threat(influence[i], fear[i], guard[i], rule)
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


@kernel
def village_takes(status: np.ndarray, next_demand: np.ndarray, wealth: np.ndarray, market: np.ndarray, day: int,
                  min_wealth: float, influence: np.ndarray, fear: np.ndarray, guard: np.ndarray, min_influence: float,
                  rules: AnswerRule | tuple, unit: float) -> np.ndarray:
    """:func:`expected_takes` with each village's own :func:`threats`, in units of ``unit`` (USD / unit);
    ``rules`` as :func:`ask` takes it."""
    rule = AnswerRule(*rules)
    take = expected_takes(status, next_demand, wealth, market, day, min_wealth, influence, min_influence,
                          threats(influence, fear, guard, rule), rule)
    for i in range(len(take)):
        take[i] /= unit
    return take


@kernel
def takes_of(inputs: tuple, influence: np.ndarray, fear: np.ndarray, guard: np.ndarray) -> np.ndarray:
    """:func:`village_takes` of the traders and parameters ``inputs`` (:func:`take_inputs`), or 0 in every
    village where nothing is collected (no traders, zakat switched off, or a unit of 0 or less)."""
    collect, status, next_demand, wealth, market, day, min_wealth, min_influence, rules, unit = inputs
    if not collect:
        return np.zeros(len(influence))
    return village_takes(status, next_demand, wealth, market, day, min_wealth, influence, fear, guard, min_influence,
                         rules, unit)


@kernel
def takes_on(inputs: tuple, day: int) -> tuple:
    """:func:`take_inputs` made on another ``day`` (the rest is the same from day to day while the parameters are;
    the traders' columns are the model's own)."""
    collect, status, next_demand, wealth, market, _, min_wealth, min_influence, rules, unit = inputs
    return collect, status, next_demand, wealth, market, day, min_wealth, min_influence, rules, unit


@kernel
def night_inputs_on(inputs: tuple, day: int) -> tuple:
    """:meth:`Zakat.night_inputs` made on another ``day`` (its nightly fields' first; the rest is the same from day
    to day while the parameters are)."""
    min_influence, per_night, rules, nightly = inputs
    _, interval, min_wealth, fear, influence, criterion = nightly
    return min_influence, per_night, rules, (day, interval, min_wealth, fear, influence, criterion)


# what became of a demand, inside the kernels (index into OUTCOMES)
OUTCOMES: tuple[str, ...] = (PAID, NEGOTIATED, REFUSED, EXILE)
_PAID, _NEGOTIATED, _REFUSED, _EXILE = range(len(OUTCOMES))
# the books a demand writes, booked by the kernels into the model's books (sim.accounts): their rows
_DEMANDS, _EXILES, _RETALIATIONS, _PAYMENTS = (row_of(INCIDENTS, k) for k in (
    "zakat_demands", "exiles", "retaliations", "zakat_payments"))
_EXILED_WEALTH, _DESTROYED, _ZAKAT = (row_of(MONEY, k) for k in ("exiled_wealth", "destroyed", "zakat"))


class Nightly(NamedTuple):
    """What a demand reads and changes besides the trader, for kernels (:meth:`Zakat.nightly`)."""

    day: int
    interval: int  # zakat_interval_days
    min_wealth: float  # zakat_trader_min_wealth_usd
    fear_step: float  # fear_per_retaliation
    influence_step: float  # influence_per_zakat
    criterion: int  # the zakat column of the villages' criteria


@kernel
def ask(stream: Stream, cell: int, vil: int, k: int, status: np.ndarray, next_demand: np.ndarray,
        wealth: np.ndarray, losses: np.ndarray, zakat_paid: np.ndarray, cell_money: np.ndarray,
        zakat_by_village: np.ndarray, influence: np.ndarray, fear: np.ndarray, guard: np.ndarray,
        criteria: np.ndarray, rules: AnswerRule | tuple, nights: Nightly | tuple, incidents: np.ndarray,
        money: np.ndarray, booked: np.ndarray) -> int:
    """Cell ``cell`` asks trader ``k`` of village ``vil`` (:meth:`Zakat.demand`): one draw for his answer,
    then one for IS's retaliation if he refuses, or one or two for his bargaining if he pays. Books the
    incidents into ``incidents`` (``Accounts.incidents``) and the money into ``money`` and ``booked`` (the
    money book's values and flags, ``Accounts.money``). Returns an index into :data:`OUTCOMES`.

    ``rules`` and ``nights``: an AnswerRule and a Nightly, or their fields as plain tuples (which numba
    takes from Python several times faster)."""
    rule, night = AnswerRule(*rules), Nightly(*nights)
    book_incident(incidents, _DEMANDS, vil, 1)
    next_demand[k] = night.day + night.interval
    amount = demand_of(wealth[k], rule)
    punish = threat(influence[vil], fear[vil], guard[vil], rule)
    negotiate, _, _, w_refuse, w_exile, total = answer_weights(punish, wealth[k], amount, rule)
    exile, refuse = w_exile / total, w_refuse / total
    u = rng_of(stream).random()
    if u < exile:
        status[k] = EXILED
        book(money, booked, _EXILED_WEALTH, wealth[k])
        book_incident(incidents, _EXILES, vil, 1)
        return _EXILE
    if u < exile + refuse:
        if rng_of(stream).random() < punish:
            loss = wealth[k] * rule.loss_share
            wealth[k] -= loss
            losses[k] += loss
            book(money, booked, _DESTROYED, loss)
            book_incident(incidents, _RETALIATIONS, vil, 1)
            raised = fear[vil] + night.fear_step
            fear[vil] = raised if raised < 1.0 else 1.0  # Python's min(1.0, raised)
        return _REFUSED
    outcome, paid = _PAID, amount
    if rng_of(stream).random() < negotiate and rng_of(stream).random() < rule.success:
        paid *= 1.0 - rule.discount
        outcome = _NEGOTIATED
    if wealth[k] < paid:  # Python's min(paid, wealth)
        paid = wealth[k]
    wealth[k] -= paid
    zakat_paid[k] += paid
    cell_money[cell] += paid
    book(money, booked, _ZAKAT, paid)
    book_incident(incidents, _PAYMENTS, vil, 1)
    zakat_by_village[vil] += paid
    raised = influence[vil] + night.influence_step
    influence[vil] = raised if raised < 1.0 else 1.0
    criteria[vil, night.criterion] += 1
    return outcome


@kernel
def ask_all(stream: Stream, cells: np.ndarray, villages: np.ndarray, min_influence: float, per_night: int,
            trader_order: np.ndarray, market_starts: np.ndarray, status: np.ndarray, next_demand: np.ndarray,
            wealth: np.ndarray, losses: np.ndarray, zakat_paid: np.ndarray, cell_money: np.ndarray,
            zakat_by_village: np.ndarray, influence: np.ndarray, fear: np.ndarray, guard: np.ndarray,
            criteria: np.ndarray, rules: AnswerRule | tuple, nights: Nightly | tuple, incidents: np.ndarray,
            money: np.ndarray, booked: np.ndarray) -> int:
    """Tonight's demands (:meth:`Zakat.night`): each visit by a zakat cell to a market where IS had
    ``min_influence`` at nightfall asks up to ``per_night`` of the traders due there, in a random
    order (a permutation of the due traders, in the order of their rows), each by :func:`ask`. Returns
    the number of demands. ``rules`` and ``nights`` as :func:`ask` takes them."""
    rule, night = AnswerRule(*rules), Nightly(*nights)
    demanded = 0
    asked = np.empty(len(villages), np.bool_)
    for j in range(len(villages)):  # the foothold counts as it was at nightfall
        asked[j] = influence[villages[j]] >= min_influence
    for j in range(len(villages)):
        vil = villages[j]
        if not asked[j]:
            continue
        start, stop = market_starts[vil], market_starts[vil + 1]
        due = np.empty(stop - start, np.int64)
        n = 0
        for r in range(start, stop):
            k = trader_order[r]
            if status[k] == ACTIVE and next_demand[k] <= night.day and wealth[k] >= night.min_wealth:
                due[n] = k
                n += 1
        if n == 0:
            continue
        order = rng_of(stream).permutation(due[:n])
        take = min(per_night, n) if per_night >= 0 else max(n + per_night, 0)  # the slice [:per_night]
        for r in range(take):
            ask(stream, cells[j], vil, order[r], status, next_demand, wealth, losses, zakat_paid, cell_money,
                zakat_by_village, influence, fear, guard, criteria, rule, night, incidents, money, booked)
        demanded += take
    return demanded


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
        """Today's parameters of a trader's answer, for the kernels (kept while the parameters are unchanged)."""
        return self._rule_now()[0]

    def _rule_now(self) -> tuple[AnswerRule, tuple]:
        # :meth:`rule` and its fields as a plain tuple for the kernels (kept per parameter version)
        p = self.model.p

        def made() -> tuple[AnswerRule, tuple]:
            rule = AnswerRule(
                float(p.retaliation_prob), max(float(p.zakat_threat_full_pressure), 1e-9),
                float(p.retaliation_loss_share), float(p.exile_cost_share), max(float(p.trader_choice_noise), 1e-6),
                float(p.negotiate_trigger), float(p.zakat_negotiate_success), float(p.zakat_negotiated_discount),
                float(p.zakat_share_of_wealth), float(p.zakat_min_usd), float(max(p.zakat_min_usd, p.zakat_max_usd)))
            return rule, tuple(rule)

        return self.kept("rule", made)

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
        """For the given traders: active, due a demand today and rich enough to be asked (as :func:`ask_all` tests)."""
        m, p, t = self.model, self.model.p, self.model.traders
        return ((t.status[traders] == ACTIVE) & (t.next_demand[traders] <= m.day)
                & (t.wealth[traders] >= p.zakat_trader_min_wealth_usd))

    def night(self, visits: Visits) -> None:
        """Tonight's demands: each zakat cell visiting a market where IS has enough influence asks up to
        ``zakat_demands_per_night`` of the traders due there, in a random order (:func:`ask_all`)."""
        m = self.model
        if len(m.traders) == 0:
            return
        mine = visits.of_role(m, "zakat")
        if len(mine) == 0:
            return
        zakat_night(stream_of(m), mine.cells, mine.villages, kernel_state(m), self.night_inputs())

    def night_inputs(self) -> tuple:
        """What :func:`zakat_night` reads besides the stream, the zakat cells' visits and the kernels' state."""
        p = self.model.p
        min_influence, demands = self.kept("night", lambda: (float(p.zakat_min_influence),
                                                             int(p.zakat_demands_per_night)))
        return min_influence, demands, self._rule_now()[1], self._nightly_fields()

    def demand(self, cell: int, vil: int, k: int) -> str:
        """Cell ``cell`` asks trader ``k`` of village ``vil``; returns what came of it (PAID, ...; :func:`ask`)."""
        return OUTCOMES[self._call(ask, int(cell), int(vil), int(k))]

    def nightly(self) -> Nightly:
        """Today's parameters of a demand besides the trader's answer, for the kernels."""
        return Nightly(*self._nightly_fields())

    def _nightly_fields(self) -> tuple[int, int, float, float, float, int]:
        # the fields of :meth:`nightly` as a plain tuple, for the kernels: the day, and the rest kept per parameter
        # version
        m, p = self.model, self.model.p
        return (int(m.day), *self.kept("nightly", lambda: (
            int(p.zakat_interval_days), float(p.zakat_trader_min_wealth_usd), float(p.fear_per_retaliation),
            float(p.influence_per_zakat), CRITERION["zakat"])))

    def _call(self, function: Callable[..., Any], *args: Any) -> Any:
        # one of the demand kernels on the model's state; it books into the model's books itself
        m = self.model
        t, v, acc = m.traders, m.villages, m.accounts
        return function(stream_of(m), *args, t.status, t.next_demand, t.wealth, t.losses, t.zakat_paid, m.cells.money,
                        m.zakat_by_village, v.influence, v.fear, v.guard, v.criteria, self._rule_now()[1],
                        self._nightly_fields(), acc.incidents, acc.money.values, acc.money.booked)


@kernel
def zakat_night(stream: Stream, cells: np.ndarray, villages: np.ndarray, state: KernelState, inputs: tuple) -> None:
    """:meth:`Zakat.night`: :func:`ask_all` of the zakat cells' visits (``cells`` at ``villages``) on the kernels'
    ``state``; ``inputs``: :meth:`Zakat.night_inputs`."""
    min_influence, per_night, rules, nights = inputs
    ask_all(stream, cells, villages, min_influence, per_night, state.trader_order, state.market_starts, state.t_status,
            state.t_next_demand, state.t_wealth, state.t_losses, state.t_zakat_paid, state.c_money,
            state.zakat_by_village, state.v_influence, state.v_fear, state.v_guard, state.v_criteria, rules, nights,
            state.incidents, state.money, state.money_booked)


def expected_take(model: InsurgencyModel) -> np.ndarray:
    """Per village, the zakat (USD) IS can expect tonight from the traders due there, if it asked them all.

    Each due trader's demand times his chance of paying, less what bargaining is expected to save;
    zero where IS has too little influence to extort. Cells choosing where to collect can weigh
    villages by it (rich oil and smuggling markets first, EUI 2022 s.2, fn 24).
    """
    return _takes(model, 1.0)


def collection_pull(model: InsurgencyModel) -> np.ndarray:
    """Per village, the expected take in units of the largest single demand (``zakat_max_usd``).

    What draws tax collectors to a village (``night_movement``): a village whose due traders would
    pay three full demands pulls three times as hard as one that would pay one.
    """
    v = model.villages
    return takes_of(collection_inputs(model), v.influence, v.fear, v.guard)


def collection_inputs(model: InsurgencyModel) -> tuple:
    """:func:`take_inputs` of :func:`collection_pull` (in units of ``zakat_max_usd``), for the kernels."""
    return take_inputs(model, float(model.p.zakat_max_usd))


def take_inputs(model: InsurgencyModel, unit: float) -> tuple:
    """What :func:`takes_of` reads besides the villages, the takes in units of ``unit`` (USD): whether anything
    is collected, the traders' columns and markets, the day, and the parameters (for the kernels)."""
    m, p, t = model, model.p, model.traders
    zakat = m.mechanisms.zakat
    # the parameters' part kept per parameter version and unit: asked every night
    collect, min_wealth, min_influence, rules = zakat.kept("takes", lambda: (
        bool(p.zakat_enabled and unit > 0), float(p.zakat_trader_min_wealth_usd), float(p.zakat_min_influence),
        zakat._rule_now()[1]), unit)
    return (bool(len(t)) and collect, t.status, t.next_demand, t.wealth, zakat.market, m.day, min_wealth,
            min_influence, rules, float(unit))


def _takes(model: InsurgencyModel, unit: float) -> np.ndarray:
    # :func:`expected_take` in units of ``unit``, by one kernel call
    v = model.villages
    return takes_of(take_inputs(model, unit), v.influence, v.fear, v.guard)
