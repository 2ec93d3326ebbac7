"""Arrests on thin evidence after an incident, and the trust they cost.

A resident told of being arrested and tortured after someone reported him using his phone near
a bombing; many Sunnis feel collectively suspected, a mutual distrust that could revive IS's
appeal (WP 2019). After the al-Sina'a attack, 40 of 50 people arrested in eastern Deir ez-Zor
were released (EUI 2022, fn 36). Each sweep arrests a few people; most are innocent, are later
released, and their village's trust in the administration falls.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.mechanisms import policing

if TYPE_CHECKING:
    from sim.model import InsurgencyModel


def sweep(model: InsurgencyModel, village: int) -> int:
    """Arrests in ``village`` after an incident; returns how many innocents were taken."""
    p, v = model.p, model.villages
    if not v.sdf_held[village] or v.guard[village] <= 0:
        return 0
    arrested = int(model.rng.poisson(p.sweep_arrests_per_incident))
    innocent = int(model.rng.binomial(arrested, policing.wrongful_share(model)))
    if innocent:
        v.trust[village] = max(0.0, v.trust[village] - p.trust_loss_per_wrongful_arrest * innocent)
        model.accounts.incident("civilian_arrests", innocent)
    return innocent


def wrongful_for(model: InsurgencyModel, village: int, members: int) -> int:
    """Innocents taken alongside ``members`` IS members in a raid (same share as in sweeps)."""
    share = policing.wrongful_share(model)
    if members <= 0 or share <= 0:
        return 0
    expected = members * share / max(1e-9, 1.0 - share)
    innocent = int(model.rng.poisson(expected))
    if innocent:
        v = model.villages
        v.trust[village] = max(0.0, v.trust[village] - model.p.trust_loss_per_wrongful_arrest * innocent)
        model.accounts.incident("civilian_arrests", innocent)
    return innocent
