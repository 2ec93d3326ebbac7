"""Targeted killings of officials and of civilians suspected of working with the authorities.

Assassinations were mounting on the road to Baghouz in 2019, locals said, while residents were
arrested on thin evidence and Sunnis who had lived under IS were suspected of collaborating
with it (WP 2019); in northern Iraq the cells killed residents linked to the government or the
security services (WP 2019).
AANES representatives in the north-east strip have been targeted and killed repeatedly, which is
how its administrative vacuum formed, and in al-Buseyrah and other towns with AANES institutions
targeted killings remain frequent (EUI 2022, s.2, fn 25). The Rojava Information Center counts
targeted assassinations as the largest class of attacks (41% in April 2020), and in January 2020
at least 13 of 50 attacks targeted mukhtars or administration staff: so a large share of the
victims are not officials but civilians suspected of collaboration.

Target choice, not a truce rule. An official who swore allegiance is an informant (EUI s.2,
fn 29), worth more alive: the victim is an unpledged official with chance
1 - ``civilian_victim_share`` (while any is in post), else a civilian suspected of working with
the authorities, so killings are not capped by the officials in post. Killings go on under IS's
strategic patience with part of its restraint (``modifiers.killing_restraint``) and are held back
in IS's accumulation zones (``strongholds.violence_at``, EUI s.4). A cell's fighters scale
what it can do (issue 13): the chance per visit is 1 - (1 - p)^(fighters / ``cell_size_mean``),
so raids that take fighters weaken the cells they do not dismantle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from sim import modifiers
from sim.accounts import INCIDENTS, book_incident, row_of
from sim.agents.village import CRITERION
from sim.compiled import Stream, kernel, rng_of, stream_of
from sim.kernel_state import KernelState, kernel_state
from sim.mechanisms.allegiance import official_leaves
from sim.mechanisms.base import Mechanism
from sim.mechanisms.civilian_arrests import SweepRule, sweep_at
from sim.mechanisms.strategic_patience import chances_of_cells
from sim.mechanisms.strongholds import zones_of
from sim.mechanisms.supply_lines import spent_at, strike_factors
from sim.modifiers import fighter_scaled

if TYPE_CHECKING:
    from sim.mechanisms.night_movement import Visits

_KILLINGS = row_of(INCIDENTS, "killings")
_ATTACKS_ON_OFFICIALS = CRITERION["attacks_on_officials"]


def unpledged_officials(officials: np.ndarray, pledged: np.ndarray) -> np.ndarray:
    """Officials in post who did not swear allegiance (``pledged`` is the pledged share)."""
    officials, pledged = np.broadcast_arrays(np.asarray(officials, float), np.asarray(pledged, float))
    return unpledged_counts(officials.ravel(), pledged.ravel()).reshape(officials.shape)


@kernel
def unpledged_of(officials: float, pledged: float) -> int:
    """:func:`unpledged_officials` of one village: officials x (1 - pledged), rounded half to even, at
    least 0 (none for a NaN share)."""
    x = np.rint(officials * (1.0 - pledged))
    return int(x) if x > 0 else 0


@kernel
def unpledged_counts(officials: np.ndarray, pledged: np.ndarray) -> np.ndarray:
    """:func:`unpledged_of` of each village."""
    out = np.empty(len(officials), np.int64)
    for k in range(len(officials)):
        out[k] = unpledged_of(officials[k], pledged[k])
    return out


@kernel
def victim_of(stream: Stream, i: int, officials: np.ndarray, pledged: np.ndarray, has_chairman: np.ndarray,
              civilian_share: float, chairman_share: float) -> int:
    """Whom a killing in village ``i`` hits, with :meth:`Killings.kill`'s draws in its order: 0 a
    suspected collaborator, 1 an unpledged official (while any is in post, chance 1 -
    ``civilian_share``), 2 an unpledged official where IS aimed at the chairman (``chairman_share``)."""
    if unpledged_of(officials[i], pledged[i]) > 0 and rng_of(stream).random() >= civilian_share:
        if has_chairman[i] and rng_of(stream).random() < chairman_share:
            return 2
        return 1
    return 0


@kernel
def after_killing(i: int, victim: int, officials: np.ndarray, has_chairman: np.ndarray, criteria: np.ndarray,
                  column: int, fear: np.ndarray, trust: np.ndarray, influence: np.ndarray, violence: np.ndarray,
                  fear_gain: float, trust_loss: float, influence_gain: float) -> None:
    """A killing's effects on village ``i`` once the official killed (``victim``, :func:`victim_of`) has
    left office: the chairman lost if aimed at or if no official is left, an attack on officials
    counted, fear and IS influence up, trust down (each held within 0..1 as Python's min and max do)."""
    if victim:
        if victim == 2 or officials[i] == 0:  # the last official was the chairman, whoever IS aimed at
            has_chairman[i] = False
        criteria[i, column] += 1
    x = fear[i] + fear_gain
    fear[i] = x if x < 1.0 else 1.0
    x = trust[i] - trust_loss
    trust[i] = x if x > 0.0 else 0.0
    x = influence[i] + influence_gain
    influence[i] = x if x < 1.0 else 1.0
    violence[i] += 1


@kernel
def killing_chance(base: float, restraint: float, guard: float, violence: float, held: bool, fighters: int,
                   scale: float, armed: float) -> float:
    """One visit's chance to kill (:func:`killing_targets`): ``base`` x ``restraint`` x (1 - ``guard``) x
    ``violence``, 0 where the SDF do not hold the village, scaled by the cell's ``fighters`` and by ``armed``."""
    return fighter_scaled(base * restraint * (1.0 - guard) * violence * (1.0 if held else 0.0), fighters,
                          scale) * armed


@kernel
def killing_targets(stream: Stream, villages: np.ndarray, cells: np.ndarray, base: float, restraint: np.ndarray,
                    guard: np.ndarray, violence: np.ndarray, sdf_held: np.ndarray, fighters: np.ndarray,
                    scale: float, armed: np.ndarray) -> np.ndarray:
    """The villages where tonight's visits of assassination ``cells`` to ``villages`` kill, one draw a
    visit: the chance is ``base`` (``killing_prob`` x capability) x restraint x (1 - guard) x the
    cold zones' factor, only where the SDF hold the village, scaled by the cell's fighters and by the
    arms within reach (:func:`killing_chance`, :meth:`Killings.night`)."""
    out = np.empty_like(villages)
    n = 0
    for k in range(len(villages)):  # a draw each, in order: rng.random(len(villages))'s numbers
        i = villages[k]
        if rng_of(stream).random() < killing_chance(base, restraint[k], guard[i], violence[k], sdf_held[i],
                                                    fighters[cells[k]], scale, armed[k]):
            out[n] = i
            n += 1
    return out[:n]


@kernel
def decided_killing_targets(stream: Stream, willing: np.ndarray, governorate: np.ndarray,
                            present_by_district: np.ndarray, village_district: np.ndarray, command_enabled: bool,
                            under_command: np.ndarray, villages: np.ndarray, cells: np.ndarray, base: float,
                            guard: np.ndarray, violence: np.ndarray, sdf_held: np.ndarray, fighters: np.ndarray,
                            scale: float, armed: np.ndarray) -> np.ndarray:
    """:func:`killing_targets` with the restraint of IS's decision (``modifiers.killing_restraint``)
    computed from the tables of ``modifiers.killing_restraint_tables``: one kernel call a night."""
    restraint = chances_of_cells(willing, governorate, present_by_district, village_district, command_enabled,
                                 under_command, villages, cells)
    return killing_targets(stream, villages, cells, base, restraint, guard, violence, sdf_held, fighters, scale,
                           armed)


@kernel
def armed_killing_targets(stream: Stream, willing: np.ndarray, governorate: np.ndarray,
                          present_by_district: np.ndarray, village_district: np.ndarray, command_enabled: bool,
                          under_command: np.ndarray, villages: np.ndarray, cells: np.ndarray, base: float,
                          guard: np.ndarray, zones: tuple, sdf_held: np.ndarray, fighters: np.ndarray,
                          scale: float, cache: np.ndarray, padded: np.ndarray, village_slot: np.ndarray,
                          cost: float) -> tuple[np.ndarray, bool]:
    """:func:`decided_killing_targets` with each visit's cold-zone factor told from ``zones``
    (``Strongholds.zone_inputs``) and its arms found here (``supply_lines.strike_factors`` of
    ``SupplyLines.arming``; any tables when ``cost`` is 0), and True; or nothing done or drawn, and False, when
    a village's square has no row in the reach table yet."""
    violence, armed, known = strike_factors(villages, zones, cache, padded, village_slot, cost)
    if not known:
        return villages[:0], False
    return decided_killing_targets(stream, willing, governorate, present_by_district, village_district,
                                   command_enabled, under_command, villages, cells, base, guard, violence, sdf_held,
                                   fighters, scale, armed), True


@kernel
def killing_decision(stream: Stream, villages: np.ndarray, cells: np.ndarray, state: KernelState, inputs: tuple,
                     cost: float) -> tuple[np.ndarray, bool]:
    """:func:`armed_killing_targets` of the visits (``cells`` at ``villages``) on the kernels' ``state``, with
    ``inputs`` (:meth:`Killings.decision_inputs`), armed from the state's caches at ``cost`` a strike
    (``SupplyLines.strike_cost``)."""
    willing, command_enabled, base, rule, scale = inputs
    return armed_killing_targets(stream, willing, state.governorate, state.coalition_present_by_district,
                                 state.village_district, command_enabled, state.c_under_command, villages, cells, base,
                                 state.v_guard, zones_of(state, rule), state.v_sdf_held, state.c_fighters, scale,
                                 state.cache, state.reach_padded, state.reach_village_slot, cost)


class KillRule(NamedTuple):
    """What a killing reads besides the village and the state (:meth:`Killings.kill_rule`)."""

    civilian_share: float  # civilian_victim_share
    chairman_share: float  # chairman_target_share
    fear_gain: float  # fear_per_killing
    trust_loss: float  # trust_loss_per_killing
    influence_gain: float  # influence_per_killing


@kernel
def kill_at(stream: Stream, i: int, officials: np.ndarray, pledged: np.ndarray, has_chairman: np.ndarray,
            criteria: np.ndarray, fear: np.ndarray, trust: np.ndarray, influence: np.ndarray, violence: np.ndarray,
            sdf_held: np.ndarray, guard: np.ndarray, rule: KillRule | tuple, sweep: SweepRule | tuple,
            incidents: np.ndarray) -> None:
    """One killing in village ``i`` (:meth:`Killings.kill`): its victim (:func:`victim_of`; an official
    killed leaves office, :func:`~sim.mechanisms.allegiance.official_leaves`), its effects
    (:func:`after_killing`), booked in ``incidents`` (``Accounts.incidents``), then the sweep of arrests
    that follows (:func:`~sim.mechanisms.civilian_arrests.sweep_at`). ``rule`` and ``sweep``: a
    :class:`KillRule` and a ``SweepRule``, or their fields as plain tuples."""
    civilian_share, chairman_share, fear_gain, trust_loss, influence_gain = rule
    # the chairman's draw comes before the official leaves: leaving draws nothing and keeps the chair
    victim = victim_of(stream, i, officials, pledged, has_chairman, civilian_share, chairman_share)
    if victim:
        official_leaves(officials, pledged, i)
    after_killing(i, victim, officials, has_chairman, criteria, _ATTACKS_ON_OFFICIALS, fear, trust, influence,
                  violence, fear_gain, trust_loss, influence_gain)
    book_incident(incidents, _KILLINGS, i, 1)
    sweep_at(stream, i, sweep, sdf_held, guard, trust, incidents)


@kernel
def killings_at(stream: Stream, targets: np.ndarray, spending: tuple, officials: np.ndarray, pledged: np.ndarray,
                has_chairman: np.ndarray, criteria: np.ndarray, fear: np.ndarray, trust: np.ndarray,
                influence: np.ndarray, violence: np.ndarray, sdf_held: np.ndarray, guard: np.ndarray,
                rule: KillRule | tuple, sweep: SweepRule | tuple, incidents: np.ndarray) -> None:
    """Tonight's killings at ``targets`` (:func:`decided_killing_targets`) in one call: at each in turn the
    strike's cost paid from the caches nearby (:func:`~sim.mechanisms.supply_lines.spent_at`; ``spending``:
    ``SupplyLines.spending``), then the killing (:func:`kill_at`)."""
    cache, orders, cost, consumed = spending
    for i in targets:
        spent_at(cache, orders, i, cost, consumed)
        kill_at(stream, i, officials, pledged, has_chairman, criteria, fear, trust, influence, violence, sdf_held,
                guard, rule, sweep, incidents)


@kernel
def killings_strike(stream: Stream, targets: np.ndarray, state: KernelState, inputs: tuple) -> None:
    """:meth:`Killings.strike`: :func:`killings_at` of the ``targets`` on the kernels' ``state``, each strike paid
    from its caches (``inputs``: :meth:`Killings.strike_inputs`)."""
    cost, rule, sweep = inputs
    killings_at(stream, targets, (state.cache, state.spend_orders, cost, state.consumed), state.v_officials,
                state.v_pledged, state.v_has_chairman, state.v_criteria, state.v_fear, state.v_trust, state.v_influence,
                state.violence_by_village, state.v_sdf_held, state.v_guard, rule, sweep, state.incidents)


class Killings(Mechanism):
    """Assassination cells may kill an unpledged official or a suspected collaborator at their target."""

    name = "killings"
    switch = "killings_enabled"
    params = ("killings_enabled", "killing_prob", "civilian_victim_share", "chairman_target_share",
              "fear_per_killing", "trust_loss_per_killing", "influence_per_killing")
    reads = ("cell_size_mean",)

    def night(self, visits: Visits) -> None:
        """Tonight's killings, each followed by a sweep of arrests."""
        m = self.model
        mine = visits.of_role(m, "assassination")
        if not len(mine):
            return
        targets = m.mechanisms.supply_lines.armed_decision(killing_decision, mine.villages, mine.cells,
                                                           self.decision_inputs())
        if len(targets):  # the killings' rules read only on a night with killings
            self.strike(targets)

    def decision_inputs(self) -> tuple:
        """What :func:`killing_decision` reads besides the stream, the visits, the kernels' state and the cost of a
        strike: the willingness of ``modifiers.killing_restraint`` (decided inside the kernel), the command's
        switch, the base chance, the cold zones' rule and the fighters' scale."""
        m = self.model
        willing = m.mechanisms.strategic_patience.killing_willingness()
        return modifiers.decision_inputs_of(willing, self.decision_rule(), modifiers.capability(m))

    def decision_rule(self) -> tuple:
        """The parameters' part of :meth:`decision_inputs` (``modifiers.decision_rule_of`` with ``killing_prob``;
        kept per parameter version)."""
        return self.kept("decision", lambda: modifiers.decision_rule_of(self.model, self.model.p.killing_prob))

    def strike(self, targets: np.ndarray) -> None:
        """Tonight's killings at the decided ``targets`` (:func:`killings_strike`)."""
        m = self.model
        inputs = self.strike_inputs()
        killings_strike(stream_of(m), targets, kernel_state(m), inputs)

    def strike_inputs(self) -> tuple:
        """What :func:`killings_strike` reads besides the stream, the targets and the kernels' state: what a
        strike uses up from the caches, and today's :class:`KillRule` and sweep rule as plain tuples."""
        m = self.model
        return self.kept("strike", lambda: (m.mechanisms.supply_lines.spend_cost(), self.kill_rule(),
                                            m.mechanisms.civilian_arrests.sweep_rule()), m.policy.policing)

    def kill(self, i: int) -> None:
        """One killing in village ``i``: an unpledged official or a suspected collaborator (:func:`kill_at`)."""
        m = self.model
        v = m.villages
        kill_at(stream_of(m), int(i), v.officials, v.pledged, v.has_chairman, v.criteria, v.fear, v.trust,
                v.influence, m.violence_by_village, v.sdf_held, v.guard, self.kill_rule(),
                m.mechanisms.civilian_arrests.sweep_rule(), m.accounts.incidents)

    def kill_rule(self) -> tuple[float, float, float, float, float]:
        """The fields of today's :class:`KillRule`, as a plain tuple (for the kernels)."""
        p = self.model.p
        return (float(p.civilian_victim_share), float(p.chairman_target_share), float(p.fear_per_killing),
                float(p.trust_loss_per_killing), float(p.influence_per_killing))
