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
AANES's civil institutions while the Coalition is present; a source close to the organisation
says it waits for the US to leave before turning to open war, first against the weaker Assad
regime (EUI 2022, s.4, fn 62-63). Separately, security forces have a window of one to two years
before the jihadists have learnt their routines well enough for a sustained insurgency (WP 2019).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.policy import NEVER

if TYPE_CHECKING:
    from sim.model import InsurgencyModel

COALITION_PARAMS = ("coalition_intel_multiplier", "sdf_presence_without_coalition", "coalition_raid_multiplier")
POLICING_PARAMS = ("sweep_wrongful_share", "community_policing_wrongful_factor", "community_policing_tip_factor",
                   "community_policing_trust_factor")
PATIENCE_PARAMS = ("strategic_patience", "restraint_with_coalition", "restraint_weight_on_killings",
                   "escalation_ramp_days", "badia_escalation_after_withdrawal", "routine_learning_days",
                   "capability_at_start")
PARAMS: tuple[str, ...] = COALITION_PARAMS + POLICING_PARAMS + PATIENCE_PARAMS


# ------------------------------------------------------------------------------ coalition
def coalition_present(model: InsurgencyModel, villages: np.ndarray) -> np.ndarray:
    """Per village: is the Coalition present in its district?"""
    return model.policy.coalition_present_by_district[model.villages.district[villages]]


def intelligence(model: InsurgencyModel, villages: np.ndarray) -> np.ndarray:
    """Multiplier on the SDF's chance to find a cell near each village."""
    return np.where(coalition_present(model, villages), model.p.coalition_intel_multiplier, 1.0)


def presence(model: InsurgencyModel, villages: np.ndarray) -> np.ndarray:
    """Multiplier on how much ground SDF units cover: without the Coalition they hold less (s.5)."""
    return np.where(coalition_present(model, villages), 1.0, model.p.sdf_presence_without_coalition)


def air_support(model: InsurgencyModel, village: int) -> float:
    """Multiplier on the share of a found cell that a raid near ``village`` captures."""
    present = model.policy.coalition_present_by_district[model.villages.district[village]]
    return float(model.p.coalition_raid_multiplier) if present else 1.0


def coalition_share(model: InsurgencyModel) -> float:
    """Share of the SDF-held districts where the Coalition is present."""
    held = model.world.sdf_districts
    return float(model.policy.coalition_present_by_district[held].mean()) if held.any() else 0.0


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
def escalation_by_district(model: InsurgencyModel) -> np.ndarray:
    """Per district: 0 while the Coalition is there, ramping to 1 after it leaves (1 without patience)."""
    policy, p = model.policy, model.p
    if not p.strategic_patience:
        return np.ones(len(policy.district_names))
    if policy.coalition_present_by_district.all():  # the usual case: patience everywhere
        return np.zeros(len(policy.district_names))
    left = ~policy.coalition_present_by_district & (policy.withdrawal_day_by_district != NEVER)
    since = model.day - policy.withdrawal_day_by_district
    return np.where(left, np.clip(since / max(p.escalation_ramp_days, 1), 0.0, 1.0), 0.0)


def escalation(model: InsurgencyModel, villages: np.ndarray) -> np.ndarray:
    """Per village: how far IS has dropped its patience there."""
    return escalation_by_district(model)[model.villages.district[villages]]


def restraint(model: InsurgencyModel, villages: np.ndarray) -> np.ndarray:
    """Multiplier on open attacks against the SDF: low while the Coalition stays, 1 once escalated."""
    low = model.p.restraint_with_coalition
    return low + (1.0 - low) * escalation(model, villages)


def killing_restraint(model: InsurgencyModel, villages: np.ndarray) -> np.ndarray:
    """Restraint on targeted killings: they go on under patience (EUI fn 25), so it weighs less."""
    return 1.0 - model.p.restraint_weight_on_killings * (1.0 - restraint(model, villages))


def scaled_by_fighters(model: InsurgencyModel, chance: np.ndarray, cells: np.ndarray) -> np.ndarray:
    """A cell's chance to strike, scaled by its fighters: a cell of ``cell_size_mean`` fighters has
    ``chance``, each fighter more or fewer a little more or less (1 - (1 - chance)^(fighters / mean)).

    A cell's fighters scale what it can do (issue 13), so raids that take fighters weaken it.
    """
    strength = model.cells.fighters[cells] / max(float(model.p.cell_size_mean), 1e-9)
    return 1.0 - (1.0 - np.clip(chance, 0.0, 1.0)) ** strength


def capability(model: InsurgencyModel) -> float:
    """How well cells know the security forces' routines: grows over the WP 2019 window."""
    p = model.p
    learnt = min(1.0, model.day / max(p.routine_learning_days, 1))
    return p.capability_at_start + (1.0 - p.capability_at_start) * learnt


def badia_escalation(model: InsurgencyModel) -> float:
    """After the US leaves, IS turns to open war on the weaker regime (EUI s.4, fn 63).

    With presence by district, the escalation is the mean over the SDF-held districts.
    """
    p = model.p
    if not p.strategic_patience:
        return 1.0
    held = model.world.sdf_districts
    level = float(escalation_by_district(model)[held].mean()) if held.any() else 0.0
    return 1.0 + (p.badia_escalation_after_withdrawal - 1.0) * level
