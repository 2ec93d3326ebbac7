"""IS's strategic patience in SDF-held areas while the US-led Coalition is present.

IS avoids open confrontation with the SDF and does not try to bring down the AANES's civil
institutions, since that would draw the Coalition in; a source close to the organisation says
it waits for the US to leave before turning to open war, first against the weaker Assad regime
(EUI 2022, s.4, fn 62-63). Separately, security forces have a window of one to two years before
the jihadists have learnt their routines well enough for a sustained insurgency (WP 2019).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.model import InsurgencyModel


def escalation(model: InsurgencyModel) -> float:
    """0 while the Coalition is present (or patience is switched off: then 1), ramping to 1 after it leaves."""
    p = model.p
    if not p.strategic_patience:
        return 1.0
    if model.coalition_present or model.withdrawal_day is None:
        return 0.0
    return min(1.0, (model.day - model.withdrawal_day) / max(p.escalation_ramp_days, 1))


def restraint(model: InsurgencyModel) -> float:
    """Multiplier on open attacks against the SDF: low while the Coalition stays, 1 once escalated."""
    low = model.p.restraint_with_coalition
    return low + (1.0 - low) * escalation(model)


def killing_restraint(model: InsurgencyModel) -> float:
    """Restraint on targeted killings: they go on under patience (EUI fn 25), so it weighs less."""
    return 1.0 - model.p.restraint_weight_on_killings * (1.0 - restraint(model))


def capability(model: InsurgencyModel) -> float:
    """How well cells know the security forces' routines: grows over the WP 2019 window."""
    p = model.p
    learnt = min(1.0, model.day / max(p.routine_learning_days, 1))
    return p.capability_at_start + (1.0 - p.capability_at_start) * learnt


def badia_escalation(model: InsurgencyModel) -> float:
    """After the US leaves, IS turns to open war on the weaker regime (EUI s.4, fn 63)."""
    if not model.p.strategic_patience:
        return 1.0
    return 1.0 + (model.p.badia_escalation_after_withdrawal - 1.0) * escalation(model)
