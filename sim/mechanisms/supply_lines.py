"""Supply lines from the Badia: movement cells bring trained fighters north, transport cells bring arms.

IS's clandestine administration divides the work between specialised cells, among them cells that
transport weapons and cells that move militants (EUI 2022, s.3). The desert (al-Badia) is where
militants are gathered and trained before they are dispatched to Syria or Iraq, with easy access
to the front lines with NES (s.3, fn 40); testimonies of arrested militants show how easily they
cross lines (fn 40). For the al-Sina'a attack weapons were placed in advance near the prison
(s.1). Since the regime's and Russia's offensive of summer 2021, IS fighters in the desert move in
small groups on motorcycles (fn 50), so less can be carried and fewer escorted at a time.

The rules (issue 13, item G):

* movement: new fighters (recruits, the prison attack's survivors and escapees who regroup in the
  desert) wait in the Badia in ``fighters_in_training``. A movement cell's visit to an SDF-held
  village where IS's influence reaches ``embed_min_influence`` (hiding there is safe) takes up to
  ``movement_capacity_per_fighter`` x its fighters from the queue and forms them into cells based
  in that village. This replaces the monthly ``embed_prob`` move of :mod:`cell_bases`, which is
  what happens with this mechanism switched off (and recruits then appear as Badia cells at once);
* transport: a transport cell's visit brings ``transport_load_usd`` x its fighters of weapons and
  explosives, paid from IS's treasury (what zakat and the Badia's surplus feed), into the visited
  village's ``cache``, no more than tops the caches within reach up to ``cache_target_strikes``
  strikes' worth (weapons are moved where they will be used, not hoarded). Killings, attacks and
  checkpoints need arms within ``cache_reach_cells``: their chance per visit is multiplied by
  min(1, cache nearby / ``cost_per_attack_usd``), and a strike uses up that cost from the caches
  nearby (its own village's first). SDF raids seize the cache of the village they search;
* while the regime's Badia offensive lasts (the ``regime_offensive`` event), Badia-based movement
  and transport cells carry ``regime_offensive_mobility_factor`` of their load (fn 50), the same
  factor that shortens their night's reach (:mod:`night_movement`).

Fighters in the queue are not in any cell: raids cannot reach them and they take no part in the
Badia's strikes or upkeep.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from sim.accounts import MONEY, book, row_of
from sim.compiled import kernel, pairwise_sum, stream_of
from sim.kernel_state import KernelState, kernel_state
from sim.mechanisms.base import Mechanism
from sim.mechanisms.strongholds import violence_at
from sim.world.names import BADIA, REGIME
from sim.world.population import form_cells

if TYPE_CHECKING:
    from sim.mechanisms.night_movement import Visits
    from sim.model import InsurgencyModel
    from sim.world.space import NeighbourTable

_IS_SPENDING = row_of(MONEY, "is_spending")


@kernel
def carried(row: int, base_x: np.ndarray, base_y: np.ndarray, holder: np.ndarray, offensive: bool,
            factor: float) -> float:
    """Cell ``row``'s carrying factor: ``factor`` for a cell based on regime ground during the regime's
    offensive (the Badia), else 1 (:meth:`SupplyLines.carrying`)."""
    return factor if offensive and holder[base_x[row], base_y[row]] == REGIME else 1.0


@kernel
def carrying_factors(rows: np.ndarray, base_x: np.ndarray, base_y: np.ndarray, holder: np.ndarray, offensive: bool,
                     factor: float) -> np.ndarray:
    """:func:`carried` of each cell of ``rows``."""
    out = np.empty(len(rows))
    for k in range(len(rows)):
        out[k] = carried(rows[k], base_x, base_y, holder, offensive, factor)
    return out


@kernel
def loads(rows: np.ndarray, fighters: np.ndarray, per_fighter: float, carrying: np.ndarray) -> np.ndarray:
    """What each cell of ``rows`` carries: ``per_fighter`` x its fighters x its ``carrying`` factor."""
    out = np.empty(len(rows))
    for k in range(len(rows)):
        out[k] = per_fighter * fighters[rows[k]] * carrying[k]
    return out


@kernel
def embeddings(rows: np.ndarray, villages: np.ndarray, fighters: np.ndarray, per_fighter: float, base_x: np.ndarray,
               base_y: np.ndarray, holder: np.ndarray, offensive: bool, factor: float, sdf_held: np.ndarray,
               influence: np.ndarray, min_influence: float) -> tuple[np.ndarray, np.ndarray]:
    """The movement visits of cells ``rows`` to safe ``villages`` (SDF-held, IS's influence at least
    ``min_influence``), in tonight's order: their villages and how many fighters each can take (the
    floor of ``per_fighter`` x its fighters x its :func:`carried` factor)."""
    safe = np.empty(len(rows), np.int64)
    capacity = np.empty(len(rows), np.int64)
    n = 0
    for k in range(len(rows)):
        i = villages[k]
        if sdf_held[i] and influence[i] >= min_influence:
            safe[n] = i
            carry = carried(rows[k], base_x, base_y, holder, offensive, factor)
            capacity[n] = int(np.floor(per_fighter * fighters[rows[k]] * carry))
            n += 1
    return safe[:n], capacity[:n]


@kernel
def row_sum(cache: np.ndarray, padded: np.ndarray, slot: int) -> float:
    """Weapons (USD) in ``cache`` (padded) over the villages of row ``slot`` of a neighbour table's
    ``padded``, added as numpy's row sum adds them (pairwise, over the table's whole width)."""
    width = padded.shape[1]
    if width < 8:  # numpy adds fewer than eight values one after the other: no row to gather (no allocation)
        total = 0.0
        for j in range(width):
            total += cache[padded[slot, j]]
        return 0.0 + total
    row = np.empty(width)
    for j in range(width):
        row[j] = cache[padded[slot, j]]
    return pairwise_sum(row)


@kernel
def row_sums(cache: np.ndarray, near: np.ndarray) -> np.ndarray:
    """:func:`row_sum` of each row of ``near`` (neighbour-table rows, padded)."""
    out = np.empty(near.shape[0])
    row = np.empty(near.shape[1])
    for r in range(near.shape[0]):
        for j in range(near.shape[1]):
            row[j] = cache[near[r, j]]
        out[r] = pairwise_sum(row)
    return out


@kernel
def nearby_sums(cache: np.ndarray, padded: np.ndarray, village_slot: np.ndarray,
                villages: np.ndarray) -> tuple[np.ndarray, bool]:
    """Weapons (USD) cached near each village (:func:`row_sum` of its square's row), and True; or
    nothing and False when a village's square has no row in the table yet."""
    out = np.empty(len(villages))
    for k in range(len(villages)):
        slot = village_slot[villages[k]]
        if slot < 0:
            return out[:0], False
        out[k] = row_sum(cache, padded, slot)
    return out, True


@kernel
def deliveries(cache: np.ndarray, padded: np.ndarray, village_slot: np.ndarray, rows: np.ndarray, villages: np.ndarray,
               fighters: np.ndarray, per_fighter: float, base_x: np.ndarray, base_y: np.ndarray, holder: np.ndarray,
               offensive: bool, factor: float, stock: float, treasury: float, money: np.ndarray,
               money_booked: np.ndarray, delivered: float) -> tuple[float, float, int]:
    """The visits of transport cells ``rows`` to ``villages`` in turn (:meth:`SupplyLines.move_weapons`),
    while the treasury lasts: each brings ``per_fighter`` x its fighters x its :func:`carried` factor
    into ``cache`` (padded), no more than tops the caches near the village up to ``stock``, and is booked
    as IS's spending (``money``, ``money_booked``: ``Accounts.money``'s arrays). The treasury and the
    weapons delivered after them, and how many visits delivered; or -1 for the count, and nothing done,
    when a village's square has no row in the table yet."""
    for k in range(len(villages)):
        if village_slot[villages[k]] < 0:
            return treasury, delivered, -1
    count = 0
    for k in range(len(villages)):
        if treasury <= 0:
            break
        i = villages[k]
        load = per_fighter * fighters[rows[k]] * carried(rows[k], base_x, base_y, holder, offensive, factor)
        nearby = row_sum(cache, padded, village_slot[i])
        # only what tops the caches within reach up to the stock the cells there are to keep
        usd = min(load, treasury, stock - nearby)
        if usd <= 0:
            continue
        treasury -= usd
        book(money, money_booked, _IS_SPENDING, usd)  # bought arms are no longer money
        cache[i] += usd
        delivered += usd
        count += 1
    return treasury, delivered, count


@kernel
def armed_factors(sums: np.ndarray, cost: float) -> np.ndarray:
    """min(1, cache nearby / ``cost``) of each of ``sums``, in place."""
    for k in range(len(sums)):
        factor = sums[k] / cost
        sums[k] = 1.0 if factor > 1.0 else factor  # np.minimum: a NaN stays NaN
    return sums


@kernel
def armed_at(cache: np.ndarray, padded: np.ndarray, village_slot: np.ndarray, villages: np.ndarray,
             cost: float) -> tuple[np.ndarray, bool]:
    """:func:`armed_factors` of the weapons cached near each village (:func:`nearby_sums`), and True; or
    nothing and False when a village's square has no row in the table yet."""
    sums, known = nearby_sums(cache, padded, village_slot, villages)
    if not known:
        return sums, False
    return armed_factors(sums, cost), True


@kernel
def armed_here(cache: np.ndarray, padded: np.ndarray, village_slot: np.ndarray, villages: np.ndarray,
               cost: float) -> tuple[np.ndarray, bool]:
    """:func:`armed_at`, or 1 at every village when ``cost`` is 0 or less (no arms needed: what
    :meth:`SupplyLines.armed` gives when :meth:`SupplyLines.arming` is None), and True; or nothing and
    False when a village's square has no row in the table yet."""
    if cost <= 0.0:
        return np.ones(len(villages)), True
    return armed_at(cache, padded, village_slot, villages, cost)


@kernel
def strike_factors(villages: np.ndarray, zones: tuple, cache: np.ndarray, padded: np.ndarray,
                   village_slot: np.ndarray, cost: float) -> tuple[np.ndarray, np.ndarray, bool]:
    """A strike's two factors at each of ``villages`` (the visits of killers or car-bomb cells): the cold
    zones' restraint (``strongholds.violence_at``; ``zones``: ``Strongholds.zone_inputs``), and the arms
    within reach (:func:`armed_here`), and True; or nothing, and False, when a village's square has no row
    in the reach table yet."""
    armed, known = armed_here(cache, padded, village_slot, villages, cost)
    if not known:
        return np.empty(0), armed, False
    return violence_at(villages, zones), armed, True


@kernel
def weapons_after(inputs: tuple, treasury: float, delivered: float) -> tuple:
    """:meth:`SupplyLines.weapons_inputs` after deliveries left the ``treasury`` and the weapons ``delivered`` so
    far (what :meth:`SupplyLines.delivered` keeps; the rest is the same from day to day while the parameters and
    the policy are)."""
    per_fighter, offensive, factor, stock, _, _ = inputs
    return per_fighter, offensive, factor, stock, treasury, delivered


@kernel
def weapons_night(rows: np.ndarray, villages: np.ndarray, state: KernelState,
                  inputs: tuple) -> tuple[float, float, int]:
    """:meth:`SupplyLines.move_weapons`: :func:`deliveries` of the transport cells' visits (``rows`` at
    ``villages``) into the caches of the kernels' ``state`` (``inputs``: :meth:`SupplyLines.weapons_inputs`)."""
    per_fighter, offensive, factor, stock, treasury, delivered = inputs
    return deliveries(state.cache, state.reach_padded, state.reach_village_slot, rows, villages, state.c_fighters,
                      per_fighter, state.c_base_x, state.c_base_y, state.holder, offensive, factor, stock, treasury,
                      state.money, state.money_booked, delivered)


@kernel
def seized(cache: np.ndarray, villages: np.ndarray) -> float:
    """What ``cache`` holds at ``villages`` (added as numpy's sum adds ``cache[villages]``, a village
    listed twice counted twice), then emptied there."""
    taken = np.empty(len(villages))
    for k in range(len(villages)):
        taken[k] = cache[villages[k]]
    for k in range(len(villages)):
        cache[villages[k]] = 0.0
    return pairwise_sum(taken)


@kernel
def spent_at(cache: np.ndarray, orders: np.ndarray, village: int, cost: float, consumed: np.ndarray) -> None:
    """A strike at ``village`` uses up ``cost`` from the caches of ``orders[village]`` (the caches within
    reach, nearest first, -1 after the last), each as far as it holds, and adds what it used to
    ``consumed[0]``; nothing at a ``cost`` of 0 or less (the mechanism switched off, or strikes free)."""
    if cost <= 0.0:
        return
    left = cost
    for j in orders[village]:
        if j < 0:
            break
        held = cache[j]
        used = held if held < left else left  # Python's min(left, held)
        cache[j] -= used
        left -= used
        if left <= 0:
            break
    consumed[0] += cost - left


class SupplyLines(Mechanism):
    """Movement cells dispatch trained fighters from the Badia; transport cells stock village caches."""

    name = "supply_lines"
    switch = "supply_lines_enabled"
    params = ("supply_lines_enabled", "movement_capacity_per_fighter", "transport_load_usd", "cost_per_attack_usd",
              "cache_reach_cells", "cache_target_strikes")
    reads = ("embed_min_influence", "regime_offensive_mobility_factor")

    def __init__(self, model: InsurgencyModel) -> None:
        super().__init__(model)
        self.fighters_in_training = 0  # trained fighters waiting in the Badia to be moved north
        self.delivered_usd = 0.0  # weapons brought into village caches, in total
        self.consumed = np.zeros(1)  # used up by strikes (USD; an array, so kernels add to it: :attr:`consumed_usd`)
        self.seized_total = np.zeros(1)  # taken by SDF raids (USD; an array, so kernels add to it: :attr:`seized_usd`)
        # the villages' caches plus a last entry 0 for the neighbour tables' padding, with
        # ``villages.cache`` a view of it: no copy with the padding appended at every ask
        self._padded_cache = np.zeros(1)
        self._cache_view = self._padded_cache[:0]
        self._spend_orders: dict[int, np.ndarray] = {}  # by radius: :meth:`spend_orders`

    def __setstate__(self, state: dict) -> None:
        # a deep copy or an unpickled model holds ``villages.cache`` and the padded caches as two arrays
        # (numpy copies a view as an array of its own): the padded caches are made again from the column
        # at the first ask, which a kept view would have hidden
        self.__dict__.update(state)
        self._cache_view = None

    # ------------------------------------------------------------------ fighters
    def enlist(self, fighters: int) -> None:
        """New fighters in the Badia: they wait for a movement cell (or, switched off, form Badia cells now)."""
        if fighters <= 0:
            return
        if self.enabled:
            self.fighters_in_training += int(fighters)
        else:
            form_cells(self.model, int(fighters), BADIA)

    def carrying(self, rows: np.ndarray) -> np.ndarray:
        """Each cell's carrying factor tonight: cut for Badia-based cells during the regime offensive (fn 50)."""
        return carrying_factors(rows, *self._carrying())

    def _carrying(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool, float]:
        # what :func:`carried` reads: the cells' bases, who holds each square, the offensive and its factor
        m = self.model
        return (m.cells.base_x, m.cells.base_y, m.geography.holder, *self._offensive())

    def _offensive(self) -> tuple[bool, float]:
        # whether the regime's offensive is on, and its factor on what Badia cells carry
        m = self.model
        offensive = bool(m.policy.regime_offensive)
        return offensive, float(m.p.regime_offensive_mobility_factor) if offensive else 1.0

    def move_fighters(self, visits: Visits) -> None:
        """Movement cells take fighters from the queue into cells based in the safe villages they visit."""
        m = self.model
        if self.fighters_in_training <= 0:  # nobody to move (asked first: cheaper than the visits)
            return
        p, c, v = m.p, m.cells, m.villages
        mine = visits.of_role(m, "movement")
        if not len(mine):
            return
        villages, capacity = embeddings(mine.cells, mine.villages, c.fighters, float(p.movement_capacity_per_fighter),
                                        *self._carrying(), v.sdf_held, v.influence, float(p.embed_min_influence))
        for i, k in zip(villages.tolist(), capacity.tolist(), strict=True):
            k = min(k, self.fighters_in_training)
            if k <= 0:
                continue
            self.fighters_in_training -= k
            form_cells(m, k, BADIA, at=(int(v.x[i]), int(v.y[i])))  # formed in the Badia, based at the village
            if self.fighters_in_training <= 0:
                return

    # ------------------------------------------------------------------ weapons
    def move_weapons(self, visits: Visits) -> None:
        """Transport cells bring weapons, paid from the treasury, into the caches of the villages they visit."""
        m = self.model
        mine = visits.of_role(m, "transport")
        inputs = self.weapons_inputs() if len(mine) else None
        if inputs is None:
            return
        # each village's sum counts the deliveries before it, so one at a time; when all their squares
        # are in the neighbour table (the usual night) it cannot grow here and a kernel walks the
        # visits, else each square joins the table when it is first asked for, as before
        if self.delivered(*weapons_night(mine.cells, mine.villages, kernel_state(m), inputs)):
            return
        c, v = m.cells, m.villages
        per_fighter, stock = inputs[0], inputs[3]
        load = loads(mine.cells, c.fighters, per_fighter, self.carrying(mine.cells))
        for i, usd in zip(mine.villages.tolist(), load.tolist(), strict=True):
            if m.treasury <= 0:
                return
            nearby = self.cache_nearby_one(i)
            usd = min(usd, m.treasury, stock - nearby)
            if usd <= 0:
                continue
            m.treasury -= usd
            m.accounts.money["is_spending"] += usd  # bought arms are no longer money
            v.cache[i] += usd
            self.delivered_usd += usd

    def weapons_inputs(self) -> tuple[float, bool, float, float, float, float] | None:
        """What :func:`weapons_night` reads besides the transport cells' visits and the kernels' state: the load per
        fighter, the regime's offensive and its factor, the stock the caches are topped up to, the treasury
        and the weapons delivered so far; None when nothing can be delivered (no load, an empty treasury)."""
        m = self.model
        p = m.p
        if p.transport_load_usd <= 0 or m.treasury <= 0:
            return None
        return (float(p.transport_load_usd), *self._offensive(), float(p.cache_target_strikes * p.cost_per_attack_usd),
                float(m.treasury), float(self.delivered_usd))

    def delivered(self, treasury: float, delivered: float, count: int) -> bool:
        """Keep what :func:`weapons_night` returned: the treasury and the weapons delivered after ``count``
        deliveries (kept as they were when there were none: their values and types); False when it did
        nothing because a village's square was new to the table (Python delivers then)."""
        if count > 0:
            self.model.treasury, self.delivered_usd = treasury, delivered
        return count >= 0

    def night(self, visits: Visits) -> None:
        """Tonight's movement and transport visits (before the strikes, which may use what arrived)."""
        self.move_fighters(visits)
        self.move_weapons(visits)

    def reach(self) -> NeighbourTable:
        """The neighbour table of ``cache_reach_cells`` (shared with any other ask of the same radius)."""
        m = self.model
        return m.world.index.neighbours(max(0, int(m.p.cache_reach_cells)))

    def padded_cache(self) -> np.ndarray:
        """The villages' caches and a last entry 0, where the tables' padding points (``villages.cache`` is a view).

        Made again, from the column's values, whenever the column is not that view any more (the
        first ask, or after something replaced the column).
        """
        v = self.model.villages
        if v.cache is not self._cache_view:
            self._padded_cache = np.append(v.cache, 0.0)
            self._cache_view = v.cache = self._padded_cache[:-1]
        return self._padded_cache

    def sum_rows(self, near: np.ndarray) -> np.ndarray:
        """Weapons (USD) cached in each row of villages ``near`` (neighbour-table rows, padded)."""
        return row_sums(self.padded_cache(), near)  # numpy's .sum(axis=1), term for term

    def cache_nearby(self, villages: np.ndarray) -> np.ndarray:
        """Weapons (USD) cached within ``cache_reach_cells`` of each village."""
        table = self.reach()
        sums, known = nearby_sums(self.padded_cache(), table.padded, table.village_slot, villages)
        if known:
            return sums
        table.village_rows(villages)  # adds the squares not asked for yet (and so widens the table), as before
        return nearby_sums(self.padded_cache(), table.padded, table.village_slot, villages)[0]

    def cache_nearby_one(self, village: int) -> float:
        """Weapons (USD) cached within ``cache_reach_cells`` of one village (after tonight's deliveries so far)."""
        return float(self.cache_nearby(np.array([village]))[0])

    def arming(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, float] | None:
        """What :func:`armed_at` reads (the padded caches, the reach table's ``padded`` and ``village_slot``,
        the cost per attack), for a kernel that arms its strikes itself; None when every strike is
        armed (switched off, or strikes cost nothing)."""
        if not self.arms_strikes():
            return None
        table = self.reach()
        return self.padded_cache(), table.padded, table.village_slot, self.strike_cost()

    def armed_decision(self, decide: Callable[..., tuple[np.ndarray, bool]], villages: np.ndarray, cells: np.ndarray,
                       inputs: tuple) -> np.ndarray:
        """The targets of ``decide(stream, villages, cells, kernel_state, inputs, strike_cost())``, a strike's
        decision kernel (``killings.killing_decision``, ``attacks.attack_decision``) that arms the visits
        (``cells`` at ``villages``) itself: where a village's square is new to the reach table it draws nothing
        and says so, and the squares are added, as arming a strike adds them, before it is asked again (with
        the kernels' state made again: the table's arrays are new)."""
        m = self.model
        while True:
            targets, known = decide(stream_of(m), villages, cells, kernel_state(m), inputs, self.strike_cost())
            if known:
                return targets
            self.reach().village_rows(villages)

    def arms_strikes(self) -> bool:
        """Whether strikes need arms from the caches: the supply lines on and strikes costing something (the
        switch read inline: asked several times a night)."""
        p = self.model.p
        return not (not p.supply_lines_enabled or p.cost_per_attack_usd <= 0)  # a NaN cost arms, as before

    def strike_cost(self) -> float:
        """What a strike uses up from the caches (``cost_per_attack_usd``), as :meth:`arming` gives it; 0 when
        :meth:`arms_strikes` is False (every strike armed)."""
        p = self.model.p
        return self.kept("strike_cost", lambda: float(p.cost_per_attack_usd) if self.arms_strikes() else 0.0)

    def armed(self, villages: np.ndarray) -> np.ndarray:
        """Factor on a strike's chance at each village: min(1, cache nearby / cost per attack); 1 when off."""
        arming = self.arming()
        if arming is None:
            return np.ones(len(villages))
        # the usual night, one kernel call: the villages' squares all in the table already
        cache, padded, village_slot, cost = arming
        factors, known = armed_at(cache, padded, village_slot, villages, cost)
        if known:
            return factors
        return armed_factors(self.cache_nearby(villages), cost)

    @property
    def seized_usd(self) -> float:
        """Weapons (USD) seized in SDF raids, in total."""
        return float(self.seized_total[0])

    @property
    def consumed_usd(self) -> float:
        """Weapons (USD) used up by strikes, in total."""
        return float(self.consumed[0])

    def spending(self) -> tuple[np.ndarray, np.ndarray, float, np.ndarray]:
        """What :func:`spent_at` reads besides the village: the padded caches, :meth:`spend_orders`, the cost
        of a strike (0 when nothing is spent: switched off, or strikes cost nothing) and the total used."""
        return self.padded_cache(), self.spend_orders(), self.spend_cost(), self.consumed

    def spend_cost(self) -> float:
        """What a strike uses up from the caches, for :func:`spent_at` (0 when nothing is spent: switched off)."""
        p = self.model.p
        return float(p.cost_per_attack_usd) if p.supply_lines_enabled else 0.0  # the switch read inline

    def spend_orders(self) -> np.ndarray:
        """(villages, most within reach): each village's caches within ``cache_reach_cells``, nearest first
        (ties in row order), -1 after the last. Made once per radius (villages never move)."""
        m = self.model
        radius = max(0, int(m.p.cache_reach_cells))
        orders = self._spend_orders.get(radius)
        if orders is None:
            v = m.villages
            found = [m.world.index.within(int(x), int(y), radius) for x, y in zip(v.x.tolist(), v.y.tolist(),
                                                                                    strict=True)]
            orders = np.full((len(v), max((len(rows) for rows, _ in found), default=0)), -1, np.int64)
            for i, (rows, dist) in enumerate(found):
                orders[i, :len(rows)] = rows[dist.argsort(kind="stable")]
            orders.flags.writeable = False
            self._spend_orders[radius] = orders
        return orders

    def spend(self, village: int) -> None:
        """A strike at ``village`` uses up its cost from the caches nearby, its own village's first."""
        cache, orders, cost, consumed = self.spending()
        spent_at(cache, orders, int(village), cost, consumed)

    def seize(self, villages: np.ndarray) -> None:
        """SDF raids on ``villages`` seize what is cached there."""
        if not len(villages) or not self.model.p.supply_lines_enabled:  # the switch read inline: asked every day
            return
        self.seized_total[0] += seized(self.model.villages.cache, villages)

    def seizing(self) -> tuple[bool, np.ndarray]:
        """What a kernel that seizes as :meth:`seize` does reads besides the villages and the caches: whether raids
        seize (the mechanism on) and the total seized, which it adds to."""
        return bool(self.model.p.supply_lines_enabled), self.seized_total
