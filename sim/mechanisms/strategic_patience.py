"""Strategic patience: IS weighs each strike against the Coalition attention it would draw.

Sources. IS avoids open confrontation with the SDF and avoids provoking a collapse of the AANES's
civil institutions, since either could bring the US-led Coalition in (EUI 2022, s.4). Its weekly
al-Naba presented the al-Sina'a raid as not meant to open fronts against the SDF (fn 62), and a
source close to the organisation says it is waiting for the US to leave before turning to open
war (fn 63). Targeted killings went on under this patience (fn 25). Patience is the command's
guidance: cells that do not (yet) follow the command (:mod:`command`) ignore it.

State. ``coalition_attention`` per governorate (0..1): how far the Coalition's focus is on IS in
that governorate. Each attack on an SDF position there adds ``attention_per_attack``, each
targeted killing ``attention_per_killing`` (smaller: killings are the quieter form of violence),
and each month the rise in the governorate's share of SDF-held villages without a council or a
chairman (the collapse of civil institutions) adds ``attention_per_vacuum`` times that rise.
Attention decays by ``attention_decay`` a month. Strikes are read from what the night booked
(the incident counts by village), so the attack and killing mechanisms need not report to this one.

Consequence. While the Coalition is present in a district, the SDF's chance to find cells there
(Coalition intelligence, ``modifiers.intelligence``) is multiplied by
``1 + coalition_surge_gain x attention``: a surge is what IS's patience avoids.

Decision. Before a strike IS looks at the attention the strike would leave behind,
``attention + cost`` (the cost is ``attention_per_attack`` or ``attention_per_killing``), and
strikes with chance ``1 / (1 + exp((attention + cost - patience_tolerance) / patience_noise))``:
below the tolerance it strikes, above it holds. The logistic (our choice) stands for cells that
read the Coalition's mood imperfectly and for a leadership whose guidance reaches them late; a
noise of 0 gives the hard rule (strike only if attention after the strike stays under the
tolerance). Where the Coalition is absent attention has no cost and IS does not hold back, so an
escalation after a withdrawal comes from the decision, with no ramp. All cells of a governorate
decide on the attention at the start of the night. With the switch ``strategic_patience`` off,
IS ignores attention; the Coalition's attention and its surge go on either way (they are the
Coalition's, not IS's).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.accounts import INCIDENT_ROW
from sim.compiled import clipped, kernel
from sim.kernel_state import KernelState, kernel_state
from sim.mechanisms.base import Mechanism
from sim.mechanisms.command import follows_of
from sim.mechanisms.councils import vacuum
from sim.modifiers import present_at

if TYPE_CHECKING:
    from sim.mechanisms.night_movement import Visits
    from sim.model import InsurgencyModel

STRIKES = ("attacks", "killings")  # the incident kinds that draw attention, as the accounts book them
_STRIKE_ROWS = np.array([INCIDENT_ROW[k] for k in STRIKES])


class StrategicPatience(Mechanism):
    """Coalition attention per governorate, its surge on detection, and IS's decision to strike or hold."""

    name = "strategic_patience"
    switch = None  # the Coalition's attention always runs; the switch below is IS's decision only
    params = ("strategic_patience", "attention_per_attack", "attention_per_killing", "attention_per_vacuum",
              "attention_decay", "coalition_surge_gain", "patience_tolerance", "patience_noise")

    def __init__(self, model: InsurgencyModel) -> None:
        super().__init__(model)
        names, self.governorate = np.unique(model.world.governorate_of, return_inverse=True)
        self.governorates: tuple[str, ...] = tuple(str(n) for n in names)
        self.attention = np.zeros(len(names))  # per governorate, 0..1
        self._willing_key: tuple | None = None  # the parameters and attention of the answers in _willing
        self._willing: dict[float, np.ndarray] = {}  # by a strike's cost (read-only: callers share them)
        # per kind of STRIKES, the strikes booked in each village when last read, and the kind's total then:
        # an unchanged total means no strike of that kind was booked since (a booking adds to both)
        self.strikes_seen = np.stack([self._strikes_by_village(k) for k in STRIKES])
        self._total_seen = model.accounts.incidents[_STRIKE_ROWS, -1].copy()
        self.vacuum_share = self._vacuum_share()

    # ------------------------------------------------------------------ reading the world
    def _strikes_by_village(self, kind: str) -> np.ndarray:
        """Cumulative strikes of ``kind`` booked in each village."""
        acc = self.model.accounts
        return acc.incidents[INCIDENT_ROW[kind], :acc.villages].astype(float)

    def _vacuum_share(self) -> np.ndarray:
        """Per governorate: share of SDF-held villages without a council or a chairman (0 where none is held)."""
        v = self.model.villages
        empty = vacuum(v.has_council, v.has_chairman, v.sdf_held).astype(float)
        held = np.bincount(self.governorate, weights=v.sdf_held.astype(float), minlength=len(self.attention))
        return np.bincount(self.governorate, weights=empty, minlength=len(self.attention)) / np.maximum(held, 1.0)

    def of_villages(self, villages: np.ndarray | slice) -> np.ndarray:
        """Coalition attention in each village's governorate."""
        return self.attention[self.governorate[villages]]

    # ------------------------------------------------------------------ consequence and decision
    def surge(self, villages: np.ndarray | slice) -> np.ndarray:
        """Multiplier on Coalition intelligence near each village: 1 + ``coalition_surge_gain`` x attention."""
        return surges(float(self.model.p.coalition_surge_gain), self.of_villages(villages))

    def strike_chance(self, villages: np.ndarray, cost: float, coalition_present: np.ndarray,
                      follows_command: np.ndarray) -> np.ndarray:
        """Chance that IS decides to strike at each village, a strike drawing ``cost`` attention.

        Only cells that follow the command's guidance (``follows_command``, see :mod:`command`) weigh
        the attention; autonomous cells strike whenever they can.
        """
        if not self.model.p.strategic_patience:
            return np.ones(len(villages))
        return chances_given(self.willing(cost), self.governorate, villages, coalition_present, follows_command)

    def strike_chances(self, villages: np.ndarray, cells: np.ndarray, cost: float) -> np.ndarray:
        """:meth:`strike_chance` of each cell of ``cells`` at its village, with the Coalition's presence
        (``modifiers.coalition_present``) and the command (``Command.follows``) read from the model, in
        one kernel call."""
        return chances_of_cells(*self.decision_tables(cost), villages, cells)

    def decision_tables(self, cost: float) -> tuple:
        """What :func:`chances_of_cells` reads besides the visits, a strike drawing ``cost`` attention:
        the willingness per governorate (1 everywhere with ``strategic_patience`` off), each village's
        governorate, the Coalition's presence by district, each village's district, the command's
        switch and which cells are under command. For the strike mechanisms' kernels, which decide
        and strike in one call."""
        m = self.model
        return (self.willing_now(cost), self.governorate, m.policy.coalition_present_by_district,
                m.world.village_district, m.mechanisms.command.enabled, m.cells.under_command)

    def willing_now(self, cost: float) -> np.ndarray:
        """:meth:`willing`, or 1 everywhere with ``strategic_patience`` off (IS ignores the attention)."""
        return self.willing(cost) if self.model.p.strategic_patience else np.ones(len(self.attention))

    def attack_willingness(self) -> np.ndarray:
        """:meth:`willing_now` for an attack (``attention_per_attack``): the first of the attacks' decision inputs."""
        return self.willing_now(self.model.p.attention_per_attack)

    def killing_willingness(self) -> np.ndarray:
        """:meth:`willing_now` for a killing (``attention_per_killing``)."""
        return self.willing_now(self.model.p.attention_per_killing)

    def strike_willingness(self) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`killing_willingness` and :meth:`attack_willingness` (the night's block asks both, every night; kept
        while the parameters and the attention's values are unchanged)."""
        return self.kept("strikes", self._strike_rows, self.attention.tobytes())

    def _strike_rows(self) -> tuple[np.ndarray, np.ndarray]:
        # :meth:`willing`'s rows for a killing and an attack, made in one call (the attention changes on a third of
        # the nights; a row's numbers depend on its own cost only, see willingness)
        on, costs, tolerance, noise = self.strike_rule()
        if not on:  # 1 everywhere, read-only as the rows made below (one type for the kernels)
            rows = np.ones((2, len(self.attention)))
            rows.flags.writeable = False
            return rows[0], rows[1]
        return strike_rows(self.attention, costs, tolerance, noise)

    def strike_rule(self) -> tuple[bool, np.ndarray, float, float]:
        """What :func:`strike_rows` reads besides the attention: whether IS weighs it (``strategic_patience``; off,
        the willingness is 1 whatever the attention), the costs of a killing and of an attack, in that order, the
        tolerance and the noise. Kept while the parameters are unchanged."""
        p = self.model.p
        return self.kept("strike_rule", lambda: (
            bool(p.strategic_patience), np.array([p.attention_per_killing, p.attention_per_attack], float),
            float(p.patience_tolerance), float(p.patience_noise)))

    def willing(self, cost: float) -> np.ndarray:
        """Per governorate, the chance that a cell following the command strikes there, a strike drawing
        ``cost`` attention. Kept until the attention or the parameters change (asked twice a night;
        the same numbers as computing it village by village, since it depends only on the governorate)."""
        p = self.model.p
        key = (p.patience_tolerance, p.patience_noise, self.attention.tobytes())
        if key != self._willing_key:  # the attention or the parameters changed: every kept answer is stale
            self._willing_key, self._willing = key, {}
        answer = self._willing.get(cost)
        if answer is None:
            # killings and attacks each ask their own cost every night: both answered at once (one exp)
            costs = list(dict.fromkeys((cost, p.attention_per_attack, p.attention_per_killing)))
            rows = willingness(self.attention, np.array(costs, float), p.patience_tolerance, p.patience_noise)
            rows.flags.writeable = False
            self._willing.update(zip(costs, rows, strict=True))
            answer = self._willing[cost]
        return answer

    # ------------------------------------------------------------------ hooks
    def night(self, visits: Visits) -> None:
        """Add tonight's attacks and killings to the attention of their governorates."""
        self.noticed(patience_night(kernel_state(self.model), self.night_inputs()))

    def night_inputs(self) -> tuple:
        """What :func:`patience_night` reads besides the kernels' state: the attention, the strikes seen (by village
        and in total) and what each kind of strike costs."""
        p = self.model.p
        return (self.attention, self.strikes_seen, self._total_seen,
                (float(p.attention_per_attack), float(p.attention_per_killing)))

    def noticed(self, attention: np.ndarray | None) -> None:
        """Keep the attention :func:`patience_night` found after new strikes (None: none since last read)."""
        if attention is not None:
            self.attention = attention

    def month_end(self) -> None:
        """Attention fades; councils that collapsed this month add to it."""
        p = self.model.p
        share = self._vacuum_share()
        collapse = np.maximum(0.0, share - self.vacuum_share)
        self.vacuum_share = share
        self.attention = np.clip(self.attention * (1.0 - p.attention_decay) + p.attention_per_vacuum * collapse,
                                 0.0, 1.0)


@kernel
def surge_of(gain: float, attention: float) -> float:
    """The Coalition's intelligence surge where IS drew ``attention``: 1 + ``coalition_surge_gain`` x it."""
    return 1.0 + gain * attention


@kernel
def surges(gain: float, attention: np.ndarray) -> np.ndarray:
    """:func:`surge_of` for each of ``attention``."""
    out = np.empty(len(attention))
    for i in range(len(attention)):
        out[i] = surge_of(gain, attention[i])
    return out


@kernel
def attention_after(attention: np.ndarray, governorate: np.ndarray, now: np.ndarray, seen: np.ndarray,
                    cost: float) -> np.ndarray:
    """``attention`` (per governorate) once the strikes booked in each village since ``seen`` (``now``
    and ``seen``: cumulative per village) add ``cost`` each to their governorate's, held at 1 (a new
    array; the villages' strikes are summed in village order, as np.bincount does, and a NaN stays NaN
    as np.minimum keeps it)."""
    new = np.zeros(len(attention))
    for i in range(len(governorate)):
        new[governorate[i]] += now[i] - seen[i]
    out = np.empty(len(attention))
    for g in range(len(attention)):
        x = attention[g] + cost * new[g]
        out[g] = 1.0 if x > 1.0 else x
    return out


@kernel
def attention_of_new_strikes(attention: np.ndarray, governorate: np.ndarray, incidents: np.ndarray,
                             rows: np.ndarray, seen: np.ndarray, total_seen: np.ndarray,
                             costs: tuple[float, ...]) -> np.ndarray | None:
    """``attention`` once each kind of strike (``rows`` of ``incidents``, ``Accounts.incidents``) booked
    since it was last read (``seen``: per kind and village; ``total_seen``: per kind) adds its cost (``costs``:
    a float per kind, a tuple so that the night makes no array; :func:`attention_after`, kind after kind; both
    readings brought up to date), or None when none was (the usual night: a kind's total unchanged, its
    villages are not read)."""
    out = None
    villages = len(governorate)
    for k in range(len(rows)):
        total = incidents[rows[k], incidents.shape[1] - 1]
        if total == total_seen[k]:
            continue
        total_seen[k] = total
        now = incidents[rows[k], :villages].astype(np.float64)
        attention = attention_after(attention, governorate, now, seen[k], costs[k])
        seen[k, :] = now
        out = attention
    return out


def willingness(attention: np.ndarray, costs: np.ndarray, tolerance: float, noise: float) -> np.ndarray:
    """Per strike cost (rows) and governorate (columns), the chance to strike given the governorate's
    ``attention`` (:meth:`StrategicPatience.willing`): 1 / (1 + exp((attention + cost - tolerance) /
    noise)), the exponent held within -50..50; with a noise of 0 or less, 1 where the attention after
    the strike stays under the tolerance, else 0."""
    if noise <= 0:
        return under_tolerance(attention, costs, tolerance)
    # numpy's exp between two kernels: numba's exp need not give numpy's last bit (numpy's is
    # element by element, so a row's numbers do not depend on the other rows)
    return logistic_of_exp(np.exp(scaled_excess(attention, costs, tolerance, noise)))


def strike_rows(attention: np.ndarray, costs: np.ndarray, tolerance: float,
                noise: float) -> tuple[np.ndarray, np.ndarray]:
    """:func:`willingness`'s rows for the two ``costs`` (a killing's and an attack's,
    :meth:`StrategicPatience.strike_rule`), read-only as :meth:`StrategicPatience.willing`'s (one type for the kernels
    that read them). Also called from compiled code, in numba's object mode (``sim.night_acts.days_in_a_row``):
    numpy's exp, the same numbers."""
    rows = willingness(attention, costs, tolerance, noise)
    rows.flags.writeable = False
    return rows[0], rows[1]


@kernel
def under_tolerance(attention: np.ndarray, costs: np.ndarray, tolerance: float) -> np.ndarray:
    """Per cost and governorate: 1 where ``attention`` + cost - ``tolerance`` is below 0, else 0 (the hard
    rule of :func:`willingness`)."""
    out = np.empty((len(costs), len(attention)))
    for c in range(len(costs)):
        for g in range(len(attention)):
            out[c, g] = 1.0 if attention[g] + costs[c] - tolerance < 0 else 0.0
    return out


@kernel
def scaled_excess(attention: np.ndarray, costs: np.ndarray, tolerance: float, noise: float) -> np.ndarray:
    """Per cost and governorate: (``attention`` + cost - ``tolerance``) / ``noise``, held within -50..50
    as ndarray.clip does (a NaN stays NaN): the exponent of :func:`willingness`."""
    out = np.empty((len(costs), len(attention)))
    for c in range(len(costs)):
        for g in range(len(attention)):
            out[c, g] = clipped((attention[g] + costs[c] - tolerance) / noise, -50.0, 50.0)
    return out


@kernel
def logistic_of_exp(e: np.ndarray) -> np.ndarray:
    """1 / (1 + ``e``) of each of ``e`` (2-D), in place (the logistic of :func:`willingness`, given its exp)."""
    for c in range(e.shape[0]):
        for g in range(e.shape[1]):
            e[c, g] = 1.0 / (1.0 + e[c, g])
    return e


@kernel
def strike_chance_of(willing: float, present: bool, follows: bool) -> float:
    """One cell's chance to strike: its governorate's ``willing`` where the Coalition is ``present`` and the
    cell ``follows`` the command, else 1 (no Coalition to provoke, or a cell that ignores the guidance)."""
    return willing if present and follows else 1.0


@kernel
def chances_given(willing: np.ndarray, governorate: np.ndarray, villages: np.ndarray, present: np.ndarray,
                  follows: np.ndarray) -> np.ndarray:
    """:func:`strike_chance_of` at each of ``villages`` (``present`` and ``follows``: one per village),
    ``willing`` per governorate (:meth:`StrategicPatience.strike_chance`)."""
    out = np.empty(len(villages))
    for k in range(len(villages)):
        out[k] = strike_chance_of(willing[governorate[villages[k]]], present[k], follows[k])
    return out


@kernel
def chances_of_cells(willing: np.ndarray, governorate: np.ndarray, present_by_district: np.ndarray,
                     village_district: np.ndarray, command_enabled: bool, under_command: np.ndarray,
                     villages: np.ndarray, cells: np.ndarray) -> np.ndarray:
    """:func:`strike_chance_of` of each of ``cells`` at its village of ``villages``, the Coalition's presence
    and the command read from their tables (:meth:`StrategicPatience.decision_tables`)."""
    out = np.empty(len(villages))
    for k in range(len(villages)):
        out[k] = cell_chance(willing, governorate, present_by_district, village_district, command_enabled,
                             under_command, villages[k], cells[k])
    return out


@kernel
def cell_chance(willing: np.ndarray, governorate: np.ndarray, present_by_district: np.ndarray,
                village_district: np.ndarray, command_enabled: bool, under_command: np.ndarray, village: int,
                cell: int) -> float:
    """:func:`strike_chance_of` of one ``cell`` at ``village`` (:func:`chances_of_cells` of one visit)."""
    return strike_chance_of(willing[governorate[village]], present_at(present_by_district, village_district, village),
                            follows_of(command_enabled, under_command, cell))


@kernel
def patience_night(state: KernelState, inputs: tuple) -> np.ndarray | None:
    """:meth:`StrategicPatience.night`: :func:`attention_of_new_strikes` of the strikes booked in the kernels'
    ``state`` (``inputs``: :meth:`StrategicPatience.night_inputs`)."""
    attention, seen, total_seen, costs = inputs
    return attention_of_new_strikes(attention, state.governorate, state.incidents, _STRIKE_ROWS, seen, total_seen,
                                    costs)
