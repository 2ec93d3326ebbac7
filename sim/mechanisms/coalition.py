"""The SDF's dependence on the US-led Coalition: intelligence and air support.

The al-Sina'a raid showed how far the SDF rely on Coalition military support: Apache fire
stopped a mass escape and a few dozen US and British troops were decisive in retaking the
prison (EUI 2022, s.1, fn 10, 13). Western support to NES is military above all, and the Kurds
can hold out against IS only with it (s.5).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.model import InsurgencyModel


def intelligence(model: InsurgencyModel) -> float:
    """Multiplier on the SDF's chance to find a cell."""
    return model.p.coalition_intel_multiplier if model.coalition_present else 1.0


def presence(model: InsurgencyModel) -> float:
    """Multiplier on how much ground SDF units cover: without the Coalition they hold less (s.5)."""
    return 1.0 if model.coalition_present else model.p.sdf_presence_without_coalition


def air_support(model: InsurgencyModel) -> float:
    """Multiplier on the share of a found cell that a raid captures."""
    return model.p.coalition_raid_multiplier if model.coalition_present else 1.0
