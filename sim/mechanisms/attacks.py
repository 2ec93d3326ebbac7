"""Attacks on SDF positions: IEDs, rockets and ambushes.

Cells include car-bomb makers (EUI 2022, s.3); a blast on the Busayrah road hit western and
Kurdish soldiers in early 2019 (WP 2019). While the Coalition is present IS keeps below open
confrontation with the SDF (s.4, fn 62); after the al-Sina'a raid its attacks in eastern Deir
ez-Zor were scattered and of little effect (fn 35). Where IS accumulates money and recruits its
zones are kept cold (s.4): attacks there are held back (``strongholds.violence_at``); there is
no blanket truce where officials are pledged. An attack needs SDF presence at the target (a
garrison or the patrols that cover the village); its dead (``sdf_killed_per_attack`` on average)
are taken from one of the units whose presence it found, chosen by each unit's pull there
(``patrols.pull_at``): RIC's attacks include IEDs and ambushes on patrols, not only on bases.
Each attack is followed by a sweep of arrests (see ``civilian_arrests``). As for killings, a
cell's fighters scale the chance per visit (``modifiers.scaled_by_fighters``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from sim import modifiers
from sim.accounts import INCIDENTS, PEOPLE, book, book_incident, row_of
from sim.agents.village import CRITERION
from sim.compiled import Stream, kernel, pairwise_sum, rng_of, stream_of
from sim.draws import NOT_PROBABILITIES, choice_p, poisson
from sim.kernel_state import KernelState, kernel_state
from sim.mechanisms.base import Mechanism
from sim.mechanisms.civilian_arrests import sweep_at
from sim.mechanisms.patrols import pulls_at
from sim.mechanisms.strategic_patience import chances_of_cells
from sim.mechanisms.strongholds import zones_of
from sim.mechanisms.supply_lines import spent_at, strike_factors
from sim.modifiers import fighter_scaled

if TYPE_CHECKING:
    from sim.mechanisms.night_movement import Visits

_ATTACKS, _SDF_KILLED = row_of(INCIDENTS, "attacks"), row_of(INCIDENTS, "sdf_killed")
_PEOPLE_SDF_KILLED = row_of(PEOPLE, "sdf_killed")
_ATTACKS_ON_OFFICIALS = CRITERION["attacks_on_officials"]


@kernel
def attack_chance(base: float, restraint: float, violence: float, guard: float, fighters: int, scale: float,
                  armed: float) -> float:
    """One visit's chance to strike (:func:`attack_targets`): ``base`` x ``restraint`` x ``violence``, 0 where
    the SDF are not present (``guard`` 0), scaled by the cell's ``fighters`` and by ``armed``."""
    return fighter_scaled(base * restraint * violence * (1.0 if guard > 0 else 0.0), fighters, scale) * armed


@kernel
def attack_targets(stream: Stream, villages: np.ndarray, cells: np.ndarray, base: float, restraint: np.ndarray,
                   violence: np.ndarray, guard: np.ndarray, fighters: np.ndarray, scale: float,
                   armed: np.ndarray) -> np.ndarray:
    """The villages where tonight's visits of car-bomb ``cells`` to ``villages`` strike, one draw a
    visit: the chance is ``base`` (``attack_prob`` x capability) x restraint x the cold zones' factor,
    only where the SDF are present (guard above 0), scaled by the cell's fighters and by the arms
    within reach (:func:`attack_chance`, :meth:`Attacks.night`)."""
    out = np.empty_like(villages)
    n = 0
    for k in range(len(villages)):  # a draw each, in order: rng.random(len(villages))'s numbers
        i = villages[k]
        if rng_of(stream).random() < attack_chance(base, restraint[k], violence[k], guard[i], fighters[cells[k]], scale,
                                                   armed[k]):
            out[n] = i
            n += 1
    return out[:n]


@kernel
def decided_attack_targets(stream: Stream, willing: np.ndarray, governorate: np.ndarray,
                           present_by_district: np.ndarray, village_district: np.ndarray, command_enabled: bool,
                           under_command: np.ndarray, villages: np.ndarray, cells: np.ndarray, base: float,
                           violence: np.ndarray, guard: np.ndarray, fighters: np.ndarray, scale: float,
                           armed: np.ndarray) -> np.ndarray:
    """:func:`attack_targets` with the restraint of IS's decision (``modifiers.restraint``) computed from
    the tables of ``modifiers.restraint_tables``: one kernel call a night."""
    restraint = chances_of_cells(willing, governorate, present_by_district, village_district, command_enabled,
                                 under_command, villages, cells)
    return attack_targets(stream, villages, cells, base, restraint, violence, guard, fighters, scale, armed)


@kernel
def armed_attack_targets(stream: Stream, willing: np.ndarray, governorate: np.ndarray,
                         present_by_district: np.ndarray, village_district: np.ndarray, command_enabled: bool,
                         under_command: np.ndarray, villages: np.ndarray, cells: np.ndarray, base: float,
                         zones: tuple, guard: np.ndarray, fighters: np.ndarray, scale: float,
                         cache: np.ndarray, padded: np.ndarray, village_slot: np.ndarray,
                         cost: float) -> tuple[np.ndarray, bool]:
    """:func:`decided_attack_targets` with each visit's cold-zone factor told from ``zones``
    (``Strongholds.zone_inputs``) and its arms found here (``supply_lines.strike_factors`` of
    ``SupplyLines.arming``; any tables when ``cost`` is 0), and True; or nothing done or drawn, and False, when
    a village's square has no row in the reach table yet."""
    violence, armed, known = strike_factors(villages, zones, cache, padded, village_slot, cost)
    if not known:
        return villages[:0], False
    return decided_attack_targets(stream, willing, governorate, present_by_district, village_district,
                                  command_enabled, under_command, villages, cells, base, violence, guard, fighters,
                                  scale, armed), True


@kernel
def attack_decision(stream: Stream, villages: np.ndarray, cells: np.ndarray, state: KernelState, inputs: tuple,
                    cost: float) -> tuple[np.ndarray, bool]:
    """:func:`armed_attack_targets` of the visits (``cells`` at ``villages``) on the kernels' ``state``, with
    ``inputs`` (:meth:`Attacks.decision_inputs`), armed from the state's caches at ``cost`` a strike
    (``SupplyLines.strike_cost``)."""
    willing, command_enabled, base, rule, scale = inputs
    return armed_attack_targets(stream, willing, state.governorate, state.coalition_present_by_district,
                                state.village_district, command_enabled, state.c_under_command, villages, cells, base,
                                zones_of(state, rule), state.v_guard, state.c_fighters, scale, state.cache,
                                state.reach_padded, state.reach_village_slot, cost)


NO_UNIT = -1
"""What :func:`strike_at` returns when no unit's presence was found (nobody to kill)."""


@kernel
def strike_at(stream: Stream, i: int, units: np.ndarray, pull: np.ndarray, strength: np.ndarray, mean_dead: float,
              fear: np.ndarray, influence: np.ndarray, criteria: np.ndarray, column: int, violence: np.ndarray,
              fear_gain: float, influence_gain: float) -> int:
    """An attack at village ``i``: the unit hit is one of ``units``, drawn by ``pull`` as
    ``rng.choice(len(units), p=pull / pull.sum())`` draws it (``sim.draws.choice_p``), and loses
    Poisson(``mean_dead``) men, at most its ``strength``; then the village's fear and IS influence rise
    (held at 1 as Python's min does), an attack on the authorities is counted in ``criteria``
    (``column``) and on ``violence``.
    The men killed, :data:`NO_UNIT` where no pull is above 0, ``sim.draws.NOT_PROBABILITIES`` (and
    nothing done) where numpy's choice would raise."""
    total = pairwise_sum(pull)
    if total > 0:
        pick = choice_p(stream, pull / total)
        if pick == NOT_PROBABILITIES:
            return NOT_PROBABILITIES
        k = units[pick]
        dead = min(int(strength[k]), poisson(stream, mean_dead))
        strength[k] -= dead
    else:
        dead = NO_UNIT
    x = fear[i] + fear_gain
    fear[i] = x if x < 1.0 else 1.0
    x = influence[i] + influence_gain
    influence[i] = x if x < 1.0 else 1.0
    criteria[i, column] += 1  # the SDF represent the authorities
    violence[i] += 1
    return dead


class AttackRule(NamedTuple):
    """What an attack reads besides the village and the state (:meth:`Attacks.attack_rule`)."""

    mean_dead: float  # sdf_killed_per_attack
    fear_gain: float  # fear_per_attack
    influence_gain: float  # influence_per_attack


@kernel
def attacks_at(stream: Stream, targets: np.ndarray, spending: tuple, patrol: tuple, strength: np.ndarray,
               rule: AttackRule | tuple, fear: np.ndarray, influence: np.ndarray, criteria: np.ndarray,
               trust: np.ndarray, violence: np.ndarray, sdf_held: np.ndarray, guard: np.ndarray, sweep: tuple,
               incidents: np.ndarray, people: np.ndarray, people_booked: np.ndarray) -> tuple[int, int]:
    """Tonight's attacks at ``targets`` (:func:`decided_attack_targets`) in one call: at each in turn the
    strike's cost paid from the caches nearby (``supply_lines.spent_at``; ``spending``:
    ``SupplyLines.spending``), the unit hit among those patrolling the village (``patrols.pulls_at``;
    ``patrol``: ``Patrols.patrol_tables``) and its dead (:func:`strike_at`), booked (incidents and the
    people books: ``Accounts``' arrays), and the sweep that follows (``civilian_arrests.sweep_at``).
    Returns how many attacks killed SDF men (each changes the units), and the village where numpy's
    choice of the unit would have raised (then stopped there, before its draw), or -1."""
    cache, orders, cost, consumed = spending
    on, counts, rows, fade, unit_size = patrol
    mean_dead, fear_gain, influence_gain = rule
    units, pull = np.empty(len(on), np.int64), np.empty(len(on))
    changed = 0
    for i in targets:
        spent_at(cache, orders, i, cost, consumed)
        # the unit hit is one of those whose presence the attack found, the nearer and stronger the
        # likelier: a garrison at home, or a patrol out of a garrison nearby (IEDs, ambushes)
        n = pulls_at(i, on, counts, rows, fade, strength, unit_size, units, pull)
        dead = strike_at(stream, i, units[:n], pull[:n], strength, mean_dead, fear, influence, criteria,
                         _ATTACKS_ON_OFFICIALS, violence, fear_gain, influence_gain)
        if dead == NOT_PROBABILITIES:
            return changed, i
        if dead >= 0:
            book_incident(incidents, _SDF_KILLED, i, dead)
            book(people, people_booked, _PEOPLE_SDF_KILLED, dead)
            changed += 1
        book_incident(incidents, _ATTACKS, i, 1)
        sweep_at(stream, i, sweep, sdf_held, guard, trust, incidents)
    return changed, -1


@kernel
def attacks_strike(stream: Stream, targets: np.ndarray, state: KernelState, cost: float, patrol: tuple, rule: tuple,
                   sweep: tuple) -> tuple[int, int]:
    """:meth:`Attacks.strike`: :func:`attacks_at` of the ``targets`` on the kernels' ``state``, each strike paid from
    its caches at ``cost`` (``SupplyLines.spend_cost``), the unit hit found by the patrols' tables ``patrol``
    (``Patrols.patrol_tables``), with the attack's ``rule`` (:meth:`Attacks.attack_rule`) and the sweep's
    (``CivilianArrests.sweep_rule``). Returns what :func:`attacks_at` returns."""
    return attacks_at(stream, targets, (state.cache, state.spend_orders, cost, state.consumed), patrol,
                      state.u_strength, rule, state.v_fear, state.v_influence, state.v_criteria, state.v_trust,
                      state.violence_by_village, state.v_sdf_held, state.v_guard, sweep, state.incidents, state.people,
                      state.people_booked)


class Attacks(Mechanism):
    """Car-bomb cells may strike the SDF where they are present at their target (a garrison or patrols)."""

    name = "attacks"
    switch = "attacks_enabled"
    params = ("attacks_enabled", "attack_prob", "sdf_killed_per_attack", "influence_per_attack", "fear_per_attack")
    reads = ("cell_size_mean",)

    def night(self, visits: Visits) -> None:
        """Tonight's attacks, each followed by a sweep of arrests."""
        m = self.model
        mine = visits.of_role(m, "car_bombs")
        if not len(mine):
            return
        targets = m.mechanisms.supply_lines.armed_decision(attack_decision, mine.villages, mine.cells,
                                                           self.decision_inputs())
        if len(targets):  # the attacks' rules read only on a night with attacks
            self.strike(targets)

    def decision_inputs(self) -> tuple:
        """What :func:`attack_decision` reads besides the stream, the visits, the kernels' state and the cost of a
        strike: the willingness of ``modifiers.restraint`` (decided inside the kernel), the command's switch,
        the base chance, the cold zones' rule and the fighters' scale."""
        m = self.model
        willing = m.mechanisms.strategic_patience.attack_willingness()
        return modifiers.decision_inputs_of(willing, self.decision_rule(), modifiers.capability(m))

    def decision_rule(self) -> tuple:
        """The parameters' part of :meth:`decision_inputs` (``modifiers.decision_rule_of`` with ``attack_prob``;
        kept per parameter version)."""
        return self.kept("decision", lambda: modifiers.decision_rule_of(self.model, self.model.p.attack_prob))

    def strike(self, targets: np.ndarray) -> None:
        """Tonight's attacks at the decided ``targets`` (:func:`attacks_at`)."""
        m = self.model
        mech = m.mechanisms
        inputs = (mech.supply_lines.spend_cost(), mech.patrols.patrol_tables(), self.attack_rule(),
                  mech.civilian_arrests.sweep_rule())
        # the state last: it is made again if anything before it replaced an array it holds
        changed, failed = attacks_strike(stream_of(m), targets, kernel_state(m), *inputs)
        for _ in range(changed):
            m.units_changed()
        if failed >= 0:
            self.raise_at(failed)

    def raise_at(self, village: int) -> None:
        """Raise numpy's error for the choice of the unit an attack at ``village`` hits, where :func:`attacks_at`
        found its patrols' pulls not to be probabilities (it stopped there, before the draw)."""
        units, pull = self.model.mechanisms.patrols.pull_at(village)
        self.model.rng.choice(len(units), p=pull / pull.sum())  # raises numpy's error

    def attack_rule(self) -> tuple[float, float, float]:
        """The fields of today's :class:`AttackRule`, as a plain tuple (for the kernels)."""
        p = self.model.p
        return float(p.sdf_killed_per_attack), float(p.fear_per_attack), float(p.influence_per_attack)
