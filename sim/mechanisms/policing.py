"""Policing style: conventional sweeps or community-oriented policing.

In 2019 residents described arrest and torture on thin evidence, such as using a phone near a
bombing, and researchers were testing whether community-oriented policing can close the trust
gap between residents and security forces (WP 2019). After the al-Sina'a attack 40 of the 50
people arrested in eastern Deir ez-Zor were released (EUI 2022, fn 36): most sweep arrests hit
people with no part in the attack. Community policing here means fewer such arrests, more tips
from residents, and trust that recovers faster; how much each changes is an assumption.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.model import InsurgencyModel


def community(model: InsurgencyModel) -> bool:
    """True while community policing is in force."""
    return model.policing == "community"


def wrongful_share(model: InsurgencyModel) -> float:
    """Share of arrests that hit people with no part in IS (and are later released)."""
    share = model.p.thin_evidence_share
    return share * model.p.community_policing_wrongful_factor if community(model) else share


def tip_factor(model: InsurgencyModel) -> float:
    """Multiplier on residents' tips, and so on the chance to find cells."""
    return model.p.community_policing_tip_factor if community(model) else 1.0


def trust_recovery(model: InsurgencyModel) -> float:
    """Multiplier on how fast trust relaxes back to its baseline."""
    return model.p.community_policing_trust_factor if community(model) else 1.0
