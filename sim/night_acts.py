"""The whole night in one compiled call: the cells' moves, then the night's hooks (issue 15, the day kernel's
first part).

The night's hooks (:data:`BLOCK`, in :data:`sim.model.PHASES` order) each gather their inputs in Python and
call one kernel: the weapons the transport cells bring (the supply lines' fighters move first, in Python: new
cells form there), the couriers' reach, the checkpoints, the zakat demands, the repentance campaigns, the
oaths, the killings, the attacks' decisions, shadow governance, the Badia front's strikes (the cells they
empty are dismantled in Python after the call) and the Coalition's reading of the night's strikes. Run one by
one, each hook pays for its Python glue and for numba typing its arguments. :class:`NightActs` gathers every
hook's inputs and :func:`night_acts` calls the same per-hook kernels, in the same order, on the kernels' state
(``sim.kernel_state``), in one call: the draws, the books and every array written are those of the hooks, to
the bit. What is made from the parameters only (each mechanism's ``night_rule``, ``decision_rule`` and the
like) is kept in one place until the parameters change (:meth:`NightActs.rules`, ``sim.parameters.KeptRules``)
and made into each hook's inputs in the kernel with tonight's capability and willingness; the rest
(``weapons_inputs``, zakat's, the Badia front's, strategic patience's) is gathered every night.

:meth:`NightActs.whole_night` calls :func:`moves_and_acts`, which first does the cells' moves
(``night_movement.cells_out`` and ``night_moves``, as ``NightMovement.go_out`` does them) and then the block
on their visits, which never leave compiled code on such a night. It returns before the block when Python
must act first: nobody went out; the cells out need another neighbour table, or squares new to it (nothing
drawn after who goes out: Python makes the moves, ``NightMovement.settle``); fighters wait to move (the supply
lines' fighters form cells in Python). The Margadeh cells' redirected strikes and hooks before the block run
the moves in Python too. In 5-year baseline runs (seeds 2-6) it does the whole night on 1,743 of 1,827
nights.

Within the block, Python takes over where a hook needs it, for that hook, and the kernel is called again for
the hooks after it, so the night goes on as it would have:

* a hook that needs Python tonight (the checkpoints when the supply lines do not arm them) is a *stop*
  that the kernel does not start;
* a village whose square is new to the cache table: the deliveries and the decision kernels draw nothing and
  say so, and the kernel returns; Python runs that hook whole (it widens the table first);
* attacks decided while the units on patrol are no longer those the patrols' tables (kept by the units'
  version) were made for: the kernel returns the targets, Python carries them out (``Attacks.strike``).
  Otherwise attacks are carried out in the kernel (``attacks.attacks_strike``: paying, the units hit by their
  patrols' pull, sweeps), as killings are (``killings_strike``).

When the day's hooks need no Python before or after their block (``DayActs.joined``), the night's call is
:func:`days_in_a_row`: after a night it did whole it does the day's acts too (with what follows a raid,
``raids.raided_today``, and the captures, ``raids.captures_made``; after units were hit, the patrols' day,
``patrols.presence_after_hits``), and
goes on with whole days while nothing needs Python, up to the days the model allows
(``InsurgencyModel.days_ahead``: to the month's end, before the next event, within ``run_for``). It makes what
changes from day to day itself, calling numpy in numba's object mode where numpy's last bit must be kept (the
willingness after strikes the Coalition noticed, numpy's exp; the cover after units were hit, numpy's power).
Where Python must step in, it does its part only and calls the kernel again from there (``GoOn``): the night's acts
after the moves Python made or the supply lines' fighters it moved (new cells), the day after a night Python
finished, the day's hooks after the raids once Python removed the Mesa agents of dismantled cells. In 5-year
baseline runs (seeds 2-4) it does all 1,827 days in 211 calls (151 of them going on where Python stepped in); its
calls end on the days allowed (28%), fighters to move (27%), a capture that dismantled a cell (15%), Badia cells
emptied (11%: Python dismantles them), moves needing another table (5%) or a killing, an attack, a delivery or the
checkpoints Python carries out (13%).

A mechanism switched off is skipped, as its hook would not run. ``NightActs.enabled = False`` makes the moves
in Python and runs the hooks one by one (the tests compare both ways).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numba
import numpy as np
from numba.core import types

from sim import modifiers
from sim.agents.is_cell import ROLE, ROLES
from sim.compiled import Stream, kernel, stream_of
from sim.day_acts import BLOCK as DAY_BLOCK
from sim.day_acts import day_acts
from sim.fused import RUN, SKIP, STOP, FusedBlock
from sim.kernel_state import KernelState, kernel_state
from sim.mechanisms.allegiance import allegiance_inputs, allegiance_night
from sim.mechanisms.attacks import attack_decision, attacks_strike
from sim.mechanisms.badia_front import badia_strikes
from sim.mechanisms.checkpoints import checkpoints_inputs, checkpoints_night
from sim.mechanisms.command import COURIER_ROLES, command_night
from sim.mechanisms.governance import governance_night
from sim.mechanisms.killings import killing_decision, killings_strike
from sim.mechanisms.night_movement import (
    back_at_dawn,
    cells_out,
    moves_inputs_on,
    night_moves,
    packed_visits,
    uncovered,
    unpacked_visits,
)
from sim.mechanisms.patrols import presence_after_hits, still_on_patrol
from sim.mechanisms.raids import with_attention
from sim.mechanisms.repentance import repentance_inputs, repentance_night
from sim.mechanisms.strategic_patience import patience_night, strike_rows
from sim.mechanisms.supply_lines import weapons_after, weapons_night
from sim.mechanisms.zakat import night_inputs_on, zakat_night
from sim.modifiers import capability_on, decision_inputs_of
from sim.parameters import KeptRules

if TYPE_CHECKING:
    from sim.mechanisms.night_movement import Visits
    from sim.model import InsurgencyModel

BLOCK: tuple[str, ...] = ("supply_lines", "command", "checkpoints", "zakat", "repentance", "allegiance", "killings",
                          "attacks", "governance", "badia_front", "strategic_patience")
"""The mechanisms whose night hooks :func:`night_acts` runs, in the night's order."""

(_SUPPLY, _COMMAND, _CHECKPOINTS, _ZAKAT, _REPENTANCE, _ALLEGIANCE, _KILLINGS, _ATTACKS, _GOVERNANCE, _BADIA,
 _PATIENCE) = range(len(BLOCK))
CHECK_RULES = False
"""True: every ask of :meth:`NightActs.rules` checks the kept rules against new ones (the tests)."""
NOBODY, PENDING, MOVED = -1, -2, -3
"""Where :func:`moves_and_acts` stopped before the block (in place of a hook of :data:`BLOCK`)."""
NOT_DONE = -1
"""In place of where ``day_acts`` stopped: :func:`days_in_a_row` did not do the last day's acts (Python does)."""
N_ROLES = len(ROLES)
_WILLING = types.Array(types.float64, 1, "C", readonly=True)
"""numba's type of a row of willingness (``strategic_patience.strike_rows``), for the object-mode block making it."""
_COVER = types.Array(types.float64, 2, "C", readonly=True)
"""numba's type of the cover the cells' moves read (``night_movement.uncovered``), for the object-mode block."""
ACTS = -1
"""Where :func:`days_in_a_row` starts on its first day when it is given tonight's visits: the night's acts on them
(else the day, from the hook of ``sim.day_acts.BLOCK`` it is given: the night was done before)."""
NO_VISITS = np.zeros(0, np.int64)
NO_VISITS.flags.writeable = False
"""No visits given to :meth:`NightActs.whole_night`: the kernel makes tonight's moves."""
NO_WEAPONS = (0.0, False, 1.0, 0.0, 0.0, 0.0)
"""The supply lines' weapons inputs on a night when nothing can be delivered (their hook is skipped)."""
_MOVEMENT, _TRANSPORT = (ROLE[r] for r in COURIER_ROLES)
_CHECKPOINT, _ZAKAT_ROLE, _ASSASSINATION, _CAR_BOMBS = ROLE["checkpoint"], ROLE["zakat"], ROLE["assassination"], \
    ROLE["car_bombs"]


@kernel
def night_acts(stream: Stream, cells: np.ndarray, villages: np.ndarray, bounds: np.ndarray, visited: np.ndarray,
               todo: np.ndarray, state: KernelState, rules: tuple, capability: float, weapons: tuple, zakat: tuple,
               killing_willing: np.ndarray, attack_willing: np.ndarray, badia: tuple, patience: tuple,
               patrol: tuple) -> tuple[int, np.ndarray, int, float, float, int, int, np.ndarray, bool, int]:
    """The hooks of :data:`BLOCK` on tonight's visits (``cells`` at ``villages``, grouped by role with the
    groups' ``bounds``; ``visited``: the villages visited, each once, in order), as each hook does it
    (``todo``: :data:`RUN`, :data:`SKIP` or :data:`STOP` for each; no hook from the first ``STOP`` on runs), on
    the kernels' ``state``. ``rules``: what is made from the parameters only (:meth:`NightActs.rules`: the cost of a
    strike, ``SupplyLines.strike_cost``; the command's and governance's ``night_inputs``; the ``night_rule`` of
    the checkpoints, repentance and allegiance; ``Killings.strike_inputs``; the strike decisions'
    ``decision_rule``), made into each hook's inputs with tonight's ``capability`` (``modifiers.capability``) and
    the willingness to kill and to attack (``StrategicPatience.killing_willingness``, ``attack_willingness``);
    ``weapons``: ``SupplyLines.weapons_inputs`` (the supply lines' hook here is their weapons: Python moves the
    fighters first); ``patrol``: ``Patrols.patrol_tables`` as made before the night and the units held in the
    prison's cordon, for the attacks carried out here (``attacks.attacks_strike``, as ``Attacks.strike`` does it);
    the other tuples: their mechanism's ``night_inputs``.

    Returns ``(k, targets, units_hit, treasury, delivered, deliveries, emptied, attention, noticed, failed)``:
    ``k`` the hook Python is to take (``len(BLOCK)`` when all are done), with the attacks' ``targets`` when the
    kernel decided attacks there but the units on patrol changed during the night (Python carries them out,
    with the patrols' tables made then), else empty (Python runs hook ``k`` whole); ``units_hit``: the
    repentance campaigns and attacks that hit a unit; what ``weapons_night`` returned
    (``SupplyLines.delivered``); the Badia cells left without fighters (``BadiaFront.after_strikes``); the
    Coalition's attention and whether strikes changed it (``StrategicPatience.noticed``); the village where an
    attack's choice of the unit hit would have raised numpy's error, or -1 (``Attacks.raise_at``).
    """
    cost, command, checkpoints_rule, repentance_rule, allegiance_rule, killing_rule, killing_strikes, attack_rule, \
        governance, attack_strikes = rules
    spend_cost, _, sweep = killing_strikes
    on, counts, rows, fade, unit_size, cordon = patrol
    failed = -1
    stop = len(BLOCK)
    for j in range(len(BLOCK)):
        if todo[j] == STOP:
            stop = j
            break
    go = np.zeros(len(BLOCK), np.bool_)  # the hooks to run: on, and before the first stop
    for j in range(stop):
        go[j] = todo[j] == RUN
    k, targets = stop, np.zeros(0, np.int64)
    hit, emptied, attention, noticed = 0, 0, patience[0], False
    treasury, delivered, count = weapons[4], weapons[5], 0
    while True:  # one pass over the block: a break hands hook k to Python
        lo, hi = bounds[_TRANSPORT], bounds[_TRANSPORT + 1]
        if go[_SUPPLY] and hi > lo:
            treasury, delivered, count = weapons_night(cells[lo:hi], villages[lo:hi], state, weapons)
            if count < 0:
                k = _SUPPLY
                break
        if go[_COMMAND]:
            command_night(stream, villages[bounds[_MOVEMENT]:bounds[_MOVEMENT + 1]],
                          villages[bounds[_TRANSPORT]:bounds[_TRANSPORT + 1]], state, command)
        lo, hi = bounds[_CHECKPOINT], bounds[_CHECKPOINT + 1]
        if go[_CHECKPOINTS] and hi > lo and not checkpoints_night(
                stream, villages[lo:hi], state, checkpoints_inputs(checkpoints_rule, capability), cost):
            k = _CHECKPOINTS
            break
        lo, hi = bounds[_ZAKAT_ROLE], bounds[_ZAKAT_ROLE + 1]
        if go[_ZAKAT] and hi > lo:
            zakat_night(stream, cells[lo:hi], villages[lo:hi], state, zakat)
        if go[_REPENTANCE]:
            hit = repentance_night(stream, visited, state, repentance_inputs(repentance_rule, capability))
        if go[_ALLEGIANCE]:
            allegiance_night(stream, visited, state, allegiance_inputs(allegiance_rule, capability))
        lo, hi = bounds[_ASSASSINATION], bounds[_ASSASSINATION + 1]
        if go[_KILLINGS] and hi > lo:
            killed, known = killing_decision(stream, villages[lo:hi], cells[lo:hi], state,
                                             decision_inputs_of(killing_willing, killing_rule, capability), cost)
            if not known:
                k = _KILLINGS
                break
            if len(killed):
                killings_strike(stream, killed, state, killing_strikes)
        lo, hi = bounds[_CAR_BOMBS], bounds[_CAR_BOMBS + 1]
        if go[_ATTACKS] and hi > lo:
            decided, known = attack_decision(stream, villages[lo:hi], cells[lo:hi], state,
                                             decision_inputs_of(attack_willing, attack_rule, capability), cost)
            if not known:
                k = _ATTACKS
                break
            if len(decided):
                targets = decided.astype(np.int64)
                if not still_on_patrol(state, on, cordon):
                    k = _ATTACKS  # the units on patrol changed tonight: Python strikes, with their tables made now
                    break
                changed, failed = attacks_strike(stream, targets, state, spend_cost,
                                                 (on, counts, rows, fade, unit_size), attack_strikes, sweep)
                hit += changed
                if failed >= 0:  # numpy's choice of the unit hit would have raised there: Python raises it
                    k = _ATTACKS
                    break
                targets = np.zeros(0, np.int64)
        if go[_GOVERNANCE]:
            governance_night(stream, visited, state, governance)
        if go[_BADIA]:
            emptied = badia_strikes(stream, state, badia)
        if go[_PATIENCE]:
            found = patience_night(state, patience)
            if found is not None:
                attention, noticed = found, True
        break
    return k, targets, hit, treasury, delivered, count, emptied, attention, noticed, failed


@kernel
def moves_and_acts(stream: Stream, state: KernelState, going_out: tuple, moves: tuple, radius: int, hold: bool,
                   todo: np.ndarray, rules: tuple, capability: float, weapons: tuple, zakat: tuple,
                   killing_willing: np.ndarray, attack_willing: np.ndarray, badia: tuple, patience: tuple,
                   patrol: tuple) -> tuple[int, np.ndarray, int, float, float, int, int, np.ndarray, bool, int,
                                           np.ndarray]:
    """The whole night in one call: who goes out (``night_movement.cells_out`` of ``going_out``,
    ``NightMovement.out_inputs``), their choices and arrival (``night_movement.night_moves`` with ``moves``,
    ``NightMovement.moves_inputs`` of the neighbour table of ``radius``), then :func:`night_acts` on their visits
    (the other arguments are its own). Returns what :func:`night_acts` returns and the visits
    (``night_movement.packed_visits``), or, in place of its hook, where it stopped before the block:
    :data:`NOBODY` (no cell went out: no visits), :data:`PENDING` (the cells out need another table, or squares
    new to this one: nothing drawn after who goes out; their rows in place of the visits) or :data:`MOVED` (the
    cells arrived and ``hold``: Python acts before the block)."""
    alive, chance, staged, base, factor, offensive = going_out
    rows, reach, needed = cells_out(stream, alive, chance, staged, state.holder, state.c_base_x, state.c_base_y, base,
                                    factor, offensive)
    nothing = np.zeros(0, np.int64)
    treasury, delivered, attention = weapons[4], weapons[5], patience[0]
    if len(rows) == 0 or len(state.v_influence) == 0:
        return NOBODY, nothing, 0, treasury, delivered, 0, 0, attention, False, -1, nothing
    if needed != radius:
        return PENDING, nothing, 0, treasury, delivered, 0, 0, attention, False, -1, rows
    slot_at, padded, dist, attraction, decay, cover, pull_base, takes, zone_rule = moves
    found, going, pick, by_cell, by_village, bounds, unique = night_moves(
        stream, rows, reach, state, slot_at, padded, dist, attraction, decay, cover, pull_base, takes, zone_rule, True,
        N_ROLES)
    if not found:
        return PENDING, nothing, 0, treasury, delivered, 0, 0, attention, False, -1, rows
    if len(going) == 0:
        return NOBODY, nothing, 0, treasury, delivered, 0, 0, attention, False, -1, nothing
    packed = packed_visits(going, pick, by_cell, by_village, bounds, unique)
    if hold:
        return MOVED, nothing, 0, treasury, delivered, 0, 0, attention, False, -1, packed
    k, targets, hit, treasury, delivered, count, emptied, attention, noticed, failed = night_acts(
        stream, by_cell, by_village, bounds, unique, todo, state, rules, capability, weapons, zakat, killing_willing,
        attack_willing, badia, patience, patrol)
    return k, targets, hit, treasury, delivered, count, emptied, attention, noticed, failed, packed


@kernel
def acts_on_visits(stream: Stream, state: KernelState, packed: np.ndarray, todo: np.ndarray, rules: tuple,
                   capability: float, weapons: tuple, zakat: tuple, killing_willing: np.ndarray,
                   attack_willing: np.ndarray, badia: tuple, patience: tuple, patrol: tuple) -> tuple:
    """:func:`night_acts` on the visits of ``packed`` (``night_movement.packed_visits``: the cells have moved; the
    other arguments are its own), returned as :func:`moves_and_acts` returns a night it did whole."""
    _, _, by_cell, by_village, bounds, unique = unpacked_visits(packed, N_ROLES)
    k, targets, hit, treasury, delivered, count, emptied, attention, noticed, failed = night_acts(
        stream, by_cell, by_village, bounds, unique, todo, state, rules, capability, weapons, zakat, killing_willing,
        attack_willing, badia, patience, patrol)
    return k, targets, hit, treasury, delivered, count, emptied, attention, noticed, failed, packed


@kernel
def willing_now(attention: np.ndarray, costs: np.ndarray, tolerance: float, noise: float) -> tuple:
    """``strategic_patience.strike_rows`` called from compiled code, in numba's object mode (numpy's exp)."""
    with numba.objmode(killing=_WILLING, attack=_WILLING):
        killing, attack = strike_rows(attention, costs, tolerance, noise)
    return killing, attack


@kernel
def cover_now(guard: np.ndarray, aversions: np.ndarray) -> np.ndarray:
    """``night_movement.uncovered`` called from compiled code, in numba's object mode (numpy's power)."""
    with numba.objmode(cover=_COVER):
        cover = uncovered(guard, aversions)
    return cover


@kernel
def days_in_a_row(stream: Stream, state: KernelState, days: int, first_day: int, learning: tuple, strike_rule: tuple,
                  presence: tuple, going_out: tuple, moves: tuple, radius: int, hold: bool, given: np.ndarray,
                  day_start: int, todo: np.ndarray, rules: tuple, weapons: tuple, zakat: tuple,
                  killing_willing: np.ndarray, attack_willing: np.ndarray, badia: tuple, patience: tuple, patrol: tuple,
                  day_todo: np.ndarray, raids: tuple, trade: tuple,
                  influence: tuple) -> tuple:
    """Up to ``days`` days from ``first_day`` in one call (``days`` >= 1), each as Python would run it: the night
    (:func:`moves_and_acts`, with the arguments :meth:`NightActs.gather` and ``NightMovement.moves_inputs`` made for
    ``first_day``; ``learning``: ``modifiers.learning``), then, after a night it did whole with no Badia cell emptied
    (nothing Python does after the night then changes what the day reads), the day's acts (``sim.day_acts.day_acts``
    with ``day_todo`` and the day's inputs, ``DayActs.joined``; the raids read the attention the night left,
    ``raids.with_attention``). After a night whose strikes hit SDF units, the patrols' day comes first: the villages'
    presence made again (``patrols.presence_after_hits`` with ``presence``: whether the patrols are on,
    ``Patrols.presence_rule`` and ``NightMovement.aversions``), and the cover the cells' moves read
    (``night_movement.uncovered``, in numba's object mode: numpy's power); so it does on the first day when the
    patrols' day is due (``presence``'s last item: the units changed since it was made, at the month's end mostly);
    when a unit was wiped out, Python does the day. The day's kernels read no cell's position, so the cells' return
    at dawn may come after them.

    ``given``: empty, or tonight's visits (``night_movement.packed_visits``) where the caller stepped in on
    ``first_day`` (``NightActs.whole_night``): with ``day_start`` :data:`ACTS` the moves (and the supply lines'
    fighters) were made, and the night goes on with its acts on them (:func:`night_acts`); else the night was done,
    and the day goes on from its hook ``day_start`` (``sim.day_acts.BLOCK``; those before it skipped).

    The kernel goes on to the next day only after a whole day that leaves Python nothing to do and its inputs as
    they were but for the day, the Coalition's attention and the presence: no cell found by a raid, no delivery
    that emptied the treasury (the weapons are then skipped). It then brings the cells back (dawn), keeps the
    weapons' treasury and deliveries, and makes the next night's capability (``modifiers.capability_on``), zakat's
    day and the tax collectors' day; after strikes the Coalition noticed, it keeps their attention and makes the
    willingness to kill and to attack from it (``strategic_patience.strike_rows`` of ``strike_rule``,
    ``StrategicPatience.strike_rule``, in numba's object mode: numpy's exp). What else the inputs hold is the same
    on the days the caller allows (``InsurgencyModel``: to the month's end, before the next event, while the
    mechanisms' inputs are steady).

    Returns ``(i, night, day, treasury, delivered, count, attention, units_hit)``: ``i`` the days done whole before
    the last one run (day ``first_day + i``); that day's night as :func:`moves_and_acts` returns it and its day as
    ``day_acts`` does, or ``(NOT_DONE, 0, 0)`` when it was not done (Python finishes both); the weapons' treasury
    and deliveries after the ``i`` days before, how many deliveries they made (``SupplyLines.delivered``), the
    Coalition's attention after them (``StrategicPatience.noticed``), and the units hit in the nights whose presence
    the kernel made again (those of the last night among them: its night then says none, ``Patrols.presence_made``).
    """
    learning_days, start = learning
    weighs, costs, tolerance, noise = strike_rule
    patrols_on, presence_rule, aversions, presence_due = presence
    treasury, delivered = weapons[4], weapons[5]
    count = 0
    units_hit = 0
    i = 0
    while True:
        day = first_day + i
        capability, tonight = capability_on(day, learning_days, start), weapons_after(weapons, treasury, delivered)
        if i == 0 and len(given) and day_start != ACTS:  # tonight was done before: the day goes on
            night = (len(BLOCK), np.zeros(0, np.int64), 0, tonight[4], tonight[5], 0, 0, patience[0], False, -1, given)
        elif i == 0 and len(given):  # tonight's moves were made (and the supply lines' fighters moved) before
            night = acts_on_visits(stream, state, given, todo, rules, capability, tonight, night_inputs_on(zakat, day),
                                   killing_willing, attack_willing, badia, patience, patrol)
        else:
            night = moves_and_acts(stream, state, going_out, moves_inputs_on(moves, day), radius, hold, todo, rules,
                                   capability, tonight, night_inputs_on(zakat, day), killing_willing,
                                   attack_willing, badia, patience, patrol)
        k, targets, hit, night_treasury, night_delivered, n, emptied, attention, noticed, failed, packed = night
        if k != len(BLOCK) or emptied != 0:
            return i, night, (NOT_DONE, 0, 0), treasury, delivered, count, patience[0], units_hit
        if (hit != 0 or (i == 0 and presence_due)) and patrols_on:
            if not presence_after_hits(state, patrol, presence_rule):
                return i, night, (NOT_DONE, 0, 0), treasury, delivered, count, patience[0], units_hit
            moves = (moves[0], moves[1], moves[2], moves[3], moves[4], cover_now(state.v_guard, aversions), moves[6],
                     moves[7], moves[8])
        units_hit += hit
        night = (k, targets, 0, night_treasury, night_delivered, n, emptied, attention, noticed, failed, packed)
        today = day_todo
        if i == 0 and len(given) and day_start > 0:  # the day's hooks before day_start were done before
            today = day_todo.copy()
            today[:day_start] = SKIP
        done = day_acts(stream, state, today, with_attention(raids, attention), trade, influence)
        if done[0] != len(DAY_BLOCK) or i == days - 1 or (n > 0 and not night_treasury > 0):
            return i, night, done, treasury, delivered, count, patience[0], units_hit
        if n > 0:
            treasury, delivered, count = night_treasury, night_delivered, count + n
        if noticed:
            patience = (attention, patience[1], patience[2], patience[3])
            if weighs:
                killing_willing, attack_willing = willing_now(attention, costs, tolerance, noise)
        back_at_dawn(state.c_x, state.c_y, state.c_base_x, state.c_base_y)
        i += 1


class GoOn(NamedTuple):
    """What :meth:`NightActs.whole_night` returns when Python did what the kernel could not and the kernel may go
    on: tonight's ``visits`` (``night_movement.packed_visits``) and where the kernel starts again with them
    (``start``: :data:`ACTS`, the night's acts; else the day's hook of ``sim.day_acts.BLOCK`` to start from, the
    night being done). The caller calls again with them and the day's inputs made again."""

    visits: np.ndarray
    start: int


class NightActs(FusedBlock):
    """Runs the night: the cells' moves and the hooks of :data:`BLOCK`, through :func:`moves_and_acts` or
    :func:`night_acts` (see the module's docstring)."""

    block = BLOCK

    def __init__(self, model: InsurgencyModel) -> None:
        super().__init__(model)
        self._radius = 0  # the radius of the neighbour table the cells out needed last night (tonight's, mostly)
        self._rules = KeptRules()
        self._patrol = KeptRules()

    def whole_night(self, on: tuple, day: tuple | None = None, days: int = 1, given: np.ndarray = NO_VISITS,
                    start: int = ACTS) -> int | GoOn:
        """The cells' moves (``NightMovement.go_out``), then the night's hooks ``on`` (the phase's hooks switched on,
        in order) as :meth:`night` runs them: in one kernel call when nothing needs Python in between. ``day``: the
        day's inputs (``DayActs.joined``), or None; with them the same call may do the day's acts after the night,
        and whole days after it, up to ``days`` days in all (:func:`days_in_a_row`; the model's ``day`` is moved on
        to the last night run).

        Where the kernel returns for Python on a night whose day it may do, Python does its part and, rather than
        finish the night and the day itself, returns :class:`GoOn`: the caller calls again with tonight's visits
        ``given`` and ``start`` (what :class:`GoOn` holds), and the kernel goes on from there: from the night's acts
        after the moves Python made (another table needed, ``NightMovement.settle``) or the supply lines'
        fighters it moved (new cells formed); from the day's acts after Python finished the night (Badia cells
        emptied, a hook Python ran, a unit wiped out); from the day's hook after the raids' once Python removed the
        Mesa agents of the cells a capture dismantled (``Raids.dismantled_found``).

        Returns the first hook of the day's block (``sim.day_acts.BLOCK``) Python still has to run today:
        ``len(sim.day_acts.BLOCK)`` when the day was done, 0 for the whole day (its hooks before the block too),
        else :class:`GoOn`."""
        m = self.model
        movement = m.mechanisms.night_movement
        before, block, after, base_todo = self.plan(on)
        if len(given) and (day is None or after):  # never after a call with the day's inputs: Python goes on
            return self.python_from(given, start, on)
        if not len(given) and (not self.enabled or before or not movement.enabled
                               or m.mechanisms.margadeh_coordination.redirects()):  # Python moves first
            self.night(movement.go_out(), on)
            return 0
        supply = self.mechanisms[_SUPPLY]
        hold = block[_SUPPLY] is not None and supply.fighters_in_training > 0  # fighters move first, in Python
        todo, rules, capability, weapons, zakat, *inputs = self.gather(base_todo, 0)
        moves = movement.moves_inputs(m.world.index.neighbours(self._radius))
        # the state last: it is made again if anything before it replaced an array it holds
        joined = day is not None and not after
        if not joined:
            k, targets, hit, treasury, delivered, count, emptied, attention, noticed, failed, packed = moves_and_acts(
                stream_of(m), kernel_state(m), movement.out_inputs(), moves, self._radius, hold, todo, rules,
                capability, weapons, zakat, *inputs)
            done = NOT_DONE
        else:
            patience, patrols = self.mechanisms[_PATIENCE], m.mechanisms.patrols
            # the patrols' day is due when the units changed since (at the month's end, mostly): the kernel makes
            # their presence before the first day's acts, as after units were hit
            due = patrols.enabled and not patrols.idle_today()
            presence = (patrols.enabled, patrols.presence_rule(), movement.aversions(), due)
            whole, night, (done, _, found), treasury, delivered, count, attention, units_hit = days_in_a_row(
                stream_of(m), kernel_state(m), days, m.day, modifiers.learning(m), patience.strike_rule(), presence,
                movement.out_inputs(), moves, self._radius, hold, given, start, todo, rules, weapons, zakat, *inputs,
                *day)
            if whole:  # the whole days' deliveries and attention (tonight's are kept below) and the day of tonight's
                supply.delivered(treasury, delivered, count)
                patience.noticed(attention)
                m.day += whole
            if units_hit or (due and (whole or done != NOT_DONE)):  # the units changed (once a hit, as Python
                for _ in range(units_hit):  # says it), and the kernel made their presence
                    m.units_changed()
                patrols.presence_made()
            k, targets, hit, treasury, delivered, count, emptied, attention, noticed, failed, packed = night
        if k == NOBODY:
            self.night(movement.nobody_out(), on)
        elif k in (PENDING, MOVED):
            if k == PENDING:  # the moves as go_out makes them, with the table the cells out need
                reach, self._radius = movement.reach_of(packed)
                visits = movement.settle(packed, reach, self._radius)
                packed = movement.packed(visits) if joined and len(visits) else NO_VISITS
            else:
                visits = movement.arrived(packed)
            if not (joined and len(visits)):
                self.night(visits, on)
                return 0
            if block[_SUPPLY] is not None:  # the fighters move in Python (cells form), the kernel goes on after
                supply.move_fighters(visits)
            return GoOn(packed, ACTS)
        else:
            movement.went_out(packed)
            k, struck = self.finish(k, targets, hit, treasury, delivered, count, emptied, attention, noticed, failed)
            if k < len(BLOCK) or after:
                visits = movement.arrived(packed)
                self.block_from(visits, block, base_todo, k, not struck)
                for hook in after:
                    hook(visits)
            if joined and done == NOT_DONE:  # the night is done: the kernel goes on with the day
                if len(given) and start != ACTS and not whole:  # it was called for this day and could not do it
                    return start  # (a unit wiped out that the patrols' tables still hold): Python does it
                return GoOn(packed, 0)
            if joined and done < len(DAY_BLOCK):  # a capture dismantled a cell: its Mesa agent goes, the day goes on
                m.mechanisms.raids.dismantled_found(found)
                return GoOn(packed, done + 1)
        return len(DAY_BLOCK) if done != NOT_DONE else 0

    def python_from(self, given: np.ndarray, start: int, on: tuple) -> int:
        """The rest of tonight from :class:`GoOn`'s ``given`` visits and ``start`` in Python, when the day's inputs
        can no longer be joined to the night's call (:meth:`whole_night`); the first hook of the day's block Python
        still has to run."""
        movement = self.model.mechanisms.night_movement
        if start == ACTS:
            self.night(movement.arrived(given), on, fighters_moved=True)
            return 0
        movement.went_out(given)
        return start

    def night(self, visits: Visits, on: tuple, fighters_moved: bool = False) -> None:
        """Run the night's hooks ``on`` (the phase's hooks switched on, in order) on tonight's ``visits``;
        ``fighters_moved``: the hooks before the block and the supply lines' fighters were done already."""
        if not self.enabled:
            for hook in on:
                hook(visits)
            return
        before, block, after, todo = self.plan(on)
        for hook in () if fighters_moved else before:
            hook(visits)
        if block[_SUPPLY] is not None and not fighters_moved:  # the supply lines' fighters, in Python (cells form)
            self.mechanisms[_SUPPLY].move_fighters(visits)
        if len(visits):
            self.block_from(visits, block, todo, 0, False)
        else:  # the hooks after the supply lines' in Python: all but the Badia front's return at once
            for hook in block[_SUPPLY + 1:]:
                if hook is not None:
                    hook(visits)
        for hook in after:
            hook(visits)

    def block_from(self, visits: Visits, block: list, todo: np.ndarray, k: int, python_first: bool) -> None:
        """The hooks of :data:`BLOCK` from hook ``k`` on, on tonight's ``visits``: hook ``k`` in Python first if
        ``python_first``, then the kernel (:meth:`fused`) and, where it hands a hook to Python, Python runs it and the
        kernel goes on after it (``block`` and ``todo``: the plan's)."""
        supply = self.mechanisms[_SUPPLY]
        while k < len(BLOCK):
            if python_first:
                (supply.move_weapons if k == _SUPPLY else block[k])(visits)  # the fighters moved already
                k += 1
                if k == len(BLOCK):
                    break
            k, struck = self.fused(visits, todo, k)
            python_first = not struck

    def fused(self, visits: Visits, base_todo: np.ndarray, start: int = 0) -> tuple[int, bool]:
        """:func:`night_acts` on tonight's ``visits`` and the model's state from hook ``start`` of :data:`BLOCK` on,
        with the plan's ``todo`` (:meth:`plan`), then what Python does on its way out (:meth:`finish`)."""
        m = self.model
        todo, *inputs = self.gather(base_todo, start)
        cells, villages, bounds = visits.grouped(m)
        # the state last: it is made again if anything before it replaced an array it holds
        return self.finish(*night_acts(stream_of(m), cells, villages, bounds, visits.unique_villages(), todo,
                                       kernel_state(m), *inputs))

    def gather(self, base_todo: np.ndarray, start: int) -> tuple:
        """What :func:`night_acts` reads after the visits, for hooks ``start`` on of :data:`BLOCK`: the plan's
        ``todo`` with tonight's stops and skips, then (after the state) the kept rules (:meth:`rules`), tonight's
        capability, the weapons' inputs, zakat's, the willingness to kill and to attack, the Badia front's and
        strategic patience's inputs, and the patrols' tables with the cordon."""
        m = self.model
        supply, zakat, repentance, badia, patience = (self.mechanisms[k] for k in (
            _SUPPLY, _ZAKAT, _REPENTANCE, _BADIA, _PATIENCE))
        todo = base_todo.copy()
        weapons = supply.weapons_inputs() if start == _SUPPLY else None
        if weapons is None:  # delivered already, or nothing to deliver tonight (move_weapons would return at once)
            todo[_SUPPLY], weapons = SKIP, NO_WEAPONS
        if not supply.arms_strikes() and todo[_CHECKPOINTS] == RUN:  # the checkpoints then need Python
            todo[_CHECKPOINTS] = STOP
        if len(m.traders) == 0:
            todo[_ZAKAT] = SKIP
        if m.day < repentance.start_day():
            todo[_REPENTANCE] = SKIP
        badia_inputs = badia.night_inputs()
        if badia_inputs is None:  # no cell in the Badia: its hook would return at once
            todo[_BADIA], badia_inputs = SKIP, badia.no_strikes()
        todo[:start] = SKIP  # done before: by the kernel, or by Python where it stopped
        patrols = m.mechanisms.patrols
        # the patrols' tables change with the units (their version) and the parameters; the kernel checks that the
        # units on patrol are still those they were made for before it strikes with them
        cordon = m.mechanisms.prison.units_in_cordon()
        patrol = (*self._patrol.get(m.p, patrols.patrol_tables, (m.units_version, cordon.tobytes())), cordon)
        return (todo, self.rules(), modifiers.capability(m), weapons, zakat.night_inputs(),
                *patience.strike_willingness(), badia_inputs, patience.night_inputs(), patrol)

    def rules(self) -> tuple:
        """What the hooks of :data:`BLOCK` read that is made from the parameters only (and the policing style, for
        the sweeps after killings), in :func:`night_acts`' order: kept until they may change (one check a night
        instead of one per hook; ``CHECK_RULES`` compares them with new ones at every ask)."""
        m = self.model
        (supply, command, checkpoints, _, repentance, allegiance, killings, attacks, governance, _, _) = self.mechanisms

        def made() -> tuple:
            return (supply.strike_cost(), command.night_inputs(), checkpoints.night_rule(),
                    repentance.night_rule(), allegiance.night_rule(), killings.decision_rule(),
                    killings.strike_inputs(), attacks.decision_rule(), governance.night_inputs(),
                    attacks.attack_rule())

        kept = self._rules.get(m.p, made, m.policy.policing)
        if CHECK_RULES and kept != made():
            raise AssertionError(f"the night's kept rules {kept} are not those made now {made()}")
        return kept

    def finish(self, k: int, targets: np.ndarray, hit: int, treasury: float, delivered: float, count: int,
               emptied: int, attention: np.ndarray, noticed: bool, failed: int) -> tuple[int, bool]:
        """What Python does with what :func:`night_acts` returned (the deliveries' totals, the emptied Badia cells,
        the attention, the units' version, numpy's error for an attack's choice, the attacks decided). Returns
        where the kernel stopped and whether Python struck there: ``(k + 1, True)`` after attacks carried out in
        Python, ``(k, False)`` when Python is to run hook ``k`` whole, ``(len(BLOCK), False)`` when all are
        done."""
        m = self.model
        supply, badia, patience = self.mechanisms[_SUPPLY], self.mechanisms[_BADIA], self.mechanisms[_PATIENCE]
        supply.delivered(treasury, delivered, count)
        badia.after_strikes(emptied)
        if noticed:
            patience.noticed(attention)
        for _ in range(hit):
            m.units_changed()
        if failed >= 0:
            self.mechanisms[_ATTACKS].raise_at(failed)
        if len(targets):  # attacks decided: Python carries them out, and the kernel goes on after them
            self.mechanisms[k].strike(targets)
            return k + 1, True
        return k, False
