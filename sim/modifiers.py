"""Conditions several mechanisms read: Coalition support, policing style, IS's strategic patience.

Multipliers without state of their own: each is a function of the parameters and of the
:class:`~sim.policy.Policy` that events change.

Coalition. The al-Sina'a raid showed how far the SDF rely on Coalition military support: Apache
fire stopped a mass escape and a few dozen US and British troops were decisive in retaking the
prison (EUI 2022, s.1, fn 10, 13). Western support to NES is military above all, and the Kurds
can hold out against IS only with it (s.5). Presence is per district (``Policy``), so the
multipliers are per village.

Policing. Trust is the main weak point (WP 2019): community-oriented policing cuts arrests on
thin evidence, brings more tips and lets trust recover faster.

Strategic patience. IS avoids open confrontation with the SDF and does not try to bring down the
AANES's civil institutions while the Coalition is present (EUI 2022, s.4, fn 62-63). That is a
decision IS takes strike by strike against the Coalition attention it would draw: the state and
the decision live in :mod:`sim.mechanisms.strategic_patience`; :func:`restraint` and
:func:`killing_restraint` are the chances of that decision, and :func:`intelligence` carries the
Coalition's surge. Once the US leaves, IS turns to open war on the weaker regime first (fn 63):
:func:`badia_escalation`. Separately, security forces have a window of one to two years before the
jihadists have learnt their routines well enough for a sustained insurgency (WP 2019).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numba.extending import register_jitable

from sim.compiled import clipped, kernel

if TYPE_CHECKING:
    from sim.model import InsurgencyModel

COALITION_PARAMS = ("coalition_intel_multiplier", "sdf_presence_without_coalition", "coalition_raid_multiplier")
POLICING_PARAMS = ("sweep_wrongful_share", "community_policing_wrongful_factor", "community_policing_tip_factor",
                   "community_policing_trust_factor")
PATIENCE_PARAMS = ("badia_escalation_after_withdrawal", "routine_learning_days", "capability_at_start")
PARAMS: tuple[str, ...] = COALITION_PARAMS + POLICING_PARAMS + PATIENCE_PARAMS


# ------------------------------------------------------------------------------ coalition
def coalition_present(model: InsurgencyModel, villages: np.ndarray | slice) -> np.ndarray:
    """Per village: is the Coalition present in its district?"""
    return model.policy.coalition_present_by_district[model.world.village_district[villages]]


@kernel
def present_at(present_by_district: np.ndarray, village_district: np.ndarray, village: int) -> bool:
    """:func:`coalition_present` at one village, for kernels (``policy.coalition_present_by_district``,
    ``world.village_district``)."""
    return present_by_district[village_district[village]]


def intelligence(model: InsurgencyModel, villages: np.ndarray | slice) -> np.ndarray:
    """Multiplier on the SDF's chance to find a cell near each village: Coalition intelligence, more
    where IS has drawn the Coalition's attention (its surge, ``strategic_patience``)."""
    surge = model.mechanisms.strategic_patience.surge(villages)
    return intel_many(coalition_present(model, villages), float(model.p.coalition_intel_multiplier), surge)


@kernel
def intel_of(present: bool, multiplier: float, surge: float) -> float:
    """Coalition intelligence at one village: ``coalition_intel_multiplier`` x the surge where the
    Coalition is present in its district, 1 where it is not (for kernels; :func:`intelligence`)."""
    return multiplier * surge if present else 1.0


@kernel
def intel_many(present: np.ndarray, multiplier: float, surge: np.ndarray) -> np.ndarray:
    """:func:`intel_of` for each village (``present`` and ``surge`` per village)."""
    out = np.empty(len(surge))
    for i in range(len(surge)):
        out[i] = intel_of(present[i], multiplier, surge[i])
    return out


def presence(model: InsurgencyModel, villages: np.ndarray) -> np.ndarray:
    """Multiplier on how much ground SDF units cover: without the Coalition they hold less (s.5)."""
    return presence_many(coalition_present(model, villages), float(model.p.sdf_presence_without_coalition))


@kernel
def presence_of(present: bool, without: float) -> float:
    """:func:`presence` at one village, for kernels: 1 where the Coalition is present in its district,
    ``without`` (``sdf_presence_without_coalition``) where it is not."""
    return 1.0 if present else without


@kernel
def presence_many(present: np.ndarray, without: float) -> np.ndarray:
    """:func:`presence_of` for each village (``present`` per village)."""
    out = np.empty(len(present))
    for i in range(len(present)):
        out[i] = presence_of(present[i], without)
    return out


@kernel
def air_support_at(present: bool, multiplier: float) -> float:
    """Multiplier on the share of a found cell that a raid captures: ``coalition_raid_multiplier`` where the
    Coalition is ``present`` in the raided village's district, else 1 (``raids.capture_at``)."""
    return multiplier if present else 1.0


def coalition_share(model: InsurgencyModel) -> float:
    """Share of the SDF-held districts where the Coalition is present."""
    # the mean of the booleans, as ndarray.mean gives it (an exact count over the number), in one
    # kernel call: asked every night
    return present_share(model.policy.coalition_present_by_district, model.world.sdf_districts)


@kernel
def present_share(present: np.ndarray, held: np.ndarray) -> float:
    """Share of the ``held`` districts where ``present`` is True (0 where none is held)."""
    count = present_count = 0
    for d in range(len(held)):
        if held[d]:
            count += 1
            if present[d]:
                present_count += 1
    return present_count / count if count else 0.0


# ------------------------------------------------------------------------------ policing
def wrongful_share(model: InsurgencyModel, share: float) -> float:
    """``share`` (of arrests that hit people with no part in IS), as the policing style changes it."""
    return share * model.p.community_policing_wrongful_factor if model.policy.community_policing else share


def tip_factor(model: InsurgencyModel) -> float:
    """Multiplier on residents' tips, and so on the chance to find cells."""
    return model.p.community_policing_tip_factor if model.policy.community_policing else 1.0


def trust_recovery(model: InsurgencyModel) -> float:
    """Multiplier on how fast trust relaxes back to its baseline."""
    return model.p.community_policing_trust_factor if model.policy.community_policing else 1.0


# ------------------------------------------------------------------------------ strategic patience
def restraint(model: InsurgencyModel, villages: np.ndarray, cells: np.ndarray) -> np.ndarray:
    """Chance that each cell decides to attack an SDF position at its village (1 where the Coalition is
    absent or the cell does not follow the command)."""
    return model.mechanisms.strategic_patience.strike_chances(villages, cells, model.p.attention_per_attack)


def restraint_tables(model: InsurgencyModel) -> tuple:
    """What :func:`restraint` reads besides the visits (``StrategicPatience.decision_tables`` of an
    attack's cost): for a kernel that decides and strikes in one call (``chances_of_cells``)."""
    return model.mechanisms.strategic_patience.decision_tables(model.p.attention_per_attack)


def killing_restraint_tables(model: InsurgencyModel) -> tuple:
    """What :func:`killing_restraint` reads besides the visits, as :func:`restraint_tables`."""
    return model.mechanisms.strategic_patience.decision_tables(model.p.attention_per_killing)


def killing_restraint(model: InsurgencyModel, villages: np.ndarray, cells: np.ndarray) -> np.ndarray:
    """Chance that each cell decides to kill at its village: killings draw less attention, so they go on
    longer (fn 25)."""
    return model.mechanisms.strategic_patience.strike_chances(villages, cells, model.p.attention_per_killing)


def scaled_by_fighters(model: InsurgencyModel, chance: np.ndarray, cells: np.ndarray) -> np.ndarray:
    """A cell's chance to strike, scaled by its fighters: a cell of ``cell_size_mean`` fighters has
    ``chance``, each fighter more or fewer a little more or less (1 - (1 - chance)^(fighters / mean)).

    A cell's fighters scale what it can do (issue 13), so raids that take fighters weaken it.
    """
    return fighters_scaled(np.asarray(chance, float), model.cells.fighters, np.asarray(cells, np.intp),
                           fighter_scale(model))


def fighter_scale(model: InsurgencyModel) -> float:
    """The fighters of a cell whose chance is the unscaled one (``cell_size_mean``, at least 1e-9)."""
    return max(float(model.p.cell_size_mean), 1e-9)


@kernel
def fighter_scaled(chance: float, fighters: int, scale: float) -> float:
    """:func:`scaled_by_fighters` of one cell: 1 - (1 - chance)^(fighters / scale), ``chance`` held within 0..1."""
    return 1.0 - (1.0 - clipped(chance, 0.0, 1.0)) ** (fighters / scale)


@kernel
def fighters_scaled(chance: np.ndarray, fighters: np.ndarray, cells: np.ndarray, scale: float) -> np.ndarray:
    """:func:`fighter_scaled` of each cell of ``cells`` (rows of ``fighters``) with its ``chance``."""
    out = np.empty(len(cells))
    for k in range(len(cells)):
        out[k] = fighter_scaled(chance[k], fighters[cells[k]], scale)
    return out


@register_jitable
def capability_on(day: int, learning_days: int, start: float) -> float:
    """:func:`capability` on ``day`` (``routine_learning_days``, ``capability_at_start``), in Python and in kernels."""
    # min(1.0, day / max(days, 1)) without the builtins' calls: asked by several mechanisms every night
    learnt = day / (1 if learning_days < 1 else learning_days)
    if not learnt < 1.0:
        learnt = 1.0
    return start + (1.0 - start) * learnt


def learning(model: InsurgencyModel) -> tuple[int, float]:
    """What :func:`capability_on` reads besides the day: ``routine_learning_days`` and ``capability_at_start``."""
    p = model.p
    return p.routine_learning_days, float(p.capability_at_start)


def capability(model: InsurgencyModel) -> float:
    """How well cells know the security forces' routines: grows over the WP 2019 window."""
    return capability_on(model.day, *learning(model))


def decision_rule_of(model: InsurgencyModel, prob: float) -> tuple:
    """A strike decision's rule (:func:`decision_inputs_of`) with the base chance ``prob``: the command's switch,
    ``prob``, the cold zones' rule and the fighters' scale, all made from the parameters."""
    m = model.mechanisms
    return m.command.enabled, prob, m.strongholds.zone_rule(), fighter_scale(model)


@kernel
def decision_inputs_of(willing: np.ndarray, rule: tuple, capability: float) -> tuple:
    """A strike decision's inputs (``Killings.decision_inputs``, ``Attacks.decision_inputs``) from the willingness
    per governorate, its ``rule`` (the command's switch, the base chance, the cold zones' rule and the
    fighters' scale: made from the parameters only, so kept between nights) and tonight's ``capability``,
    which scales the base chance."""
    follows, prob, zones, scale = rule
    return willing, follows, prob * capability, zones, scale


def badia_escalation(model: InsurgencyModel) -> float:
    """After the US leaves, IS turns to open war on the weaker regime (EUI s.4, fn 63).

    A rule, not a decision: the Badia attack rate rises towards ``badia_escalation_after_withdrawal``
    in proportion to the share of SDF-held districts the Coalition has left (with strategic patience on).
    """
    p = model.p
    if not p.strategic_patience:
        return 1.0
    return 1.0 + (p.badia_escalation_after_withdrawal - 1.0) * (1.0 - coalition_share(model))
