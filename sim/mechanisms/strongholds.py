"""Strongholds: the brief's criteria, and IS's accumulation zones kept cold.

The brief lists eight levers of an IS stronghold (recruitment, zakat, allegiance and repentance
as one, attacks on officials, weak administration, lifestyle pressure, IS justice, night checkpoints) and
finds several of them together only in the eastern Deir ez-Zor strip (EUI 2022, s.2, Map 2).
Each mechanism adds to a village's recent count of its criterion; the counts fade each month.

A stronghold is also a place IS uses. The brief distinguishes hot zones, where IS confronts its
enemies, from accumulation zones, where it gathers money and recruits and which it keeps cold;
SDF-held Deir ez-Zor is a support point for IS rather than a military zone, and a halt to attacks
there need not mean weakness (EUI 2022, s.4; s.2 on Tayyana; fn 62). So in a stronghold
(``stronghold_zones_enabled``) cells hold back their killings and attacks by
``cold_zone_restraint`` and its tax collectors are drawn there by ``1 + cold_zone_zakat_gain``:
as IS's hold spreads, violence can fall while zakat keeps coming in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from sim.agents.village import count_criteria
from sim.compiled import kernel
from sim.mechanisms.base import LastAnswer, Mechanism

if TYPE_CHECKING:
    from sim.model import InsurgencyModel


class Strongholds(Mechanism):
    """The memory of each stronghold criterion fades monthly; strongholds become cold accumulation zones.

    The score is the brief's own measure (EUI 2022, s.2), so the mechanism has no switch; the
    accumulation-zone behaviour has one, ``stronghold_zones_enabled``.
    """

    name = "strongholds"
    params = ("stronghold_criterion_count", "stronghold_min_criteria", "criteria_monthly_decay",
              "stronghold_zones_enabled", "cold_zone_restraint", "cold_zone_zakat_gain")

    def __init__(self, model: InsurgencyModel) -> None:
        super().__init__(model)
        self._strongholds = LastAnswer()
        self._zones = LastAnswer()

    def month_end(self) -> None:
        """Recent counts of every criterion fade."""
        self.model.villages.criteria *= self.model.p.criteria_monthly_decay

    def score(self) -> np.ndarray:
        """Per village, the share of the eight criteria present (0..1)."""
        return self.model.villages.stronghold_score(self.model.p.stronghold_criterion_count)

    def strongholds(self) -> np.ndarray:
        """True for villages meeting 'several' criteria at once (``stronghold_min_criteria``, s.2).

        Asked several times a night (killings, attacks, tax collectors' pull) while the criteria
        rarely change between the asks, so the answer is kept until what it is computed from changes
        (keyed by those columns' bytes and the two parameters; read-only, as callers share it).
        """
        p, v = self.model.p, self.model.villages
        key = (p.stronghold_criterion_count, p.stronghold_min_criteria, v.criteria.tobytes(),
               v.has_council.tobytes(), v.has_chairman.tobytes())
        return self._strongholds.get(key, lambda: stronghold_villages(
            v.criteria, v.has_council, v.has_chairman, float(p.stronghold_criterion_count),
            float(p.stronghold_min_criteria)))

    def cold_zones(self) -> np.ndarray:
        """True for SDF-held strongholds IS keeps cold (none with ``stronghold_zones_enabled`` off)."""
        return self.zones().cold

    def violence_factor(self, villages: np.ndarray) -> np.ndarray:
        """Multiplier on killings and attacks in the given villages: restrained in cold zones."""
        return self.zones().violence[villages]

    def zakat_factor(self) -> np.ndarray:
        """Per village, multiplier on the pull of zakat collectors: higher in cold zones (read-only)."""
        return self.zones().zakat

    def zones(self) -> ColdZones:
        """The cold zones and their two multipliers, kept until the strongholds, the SDF's hold or the
        parameters change (asked three times a night; read-only, as callers share them).

        Keyed by which villages are strongholds, not by the criteria's counts: the counts change most
        nights, the strongholds seldom.
        """
        v = self.model.villages
        strongholds = self.strongholds()
        key = (self.param_key(*self.params), strongholds.tobytes(), v.sdf_held.tobytes())
        return self._zones.get(key, lambda: self._cold_zones(strongholds))

    def _cold_zones(self, strongholds: np.ndarray) -> ColdZones:
        p, v = self.model.p, self.model.villages
        return ColdZones(*cold_zone_factors(strongholds, v.sdf_held, bool(p.stronghold_zones_enabled),
                                            float(p.cold_zone_restraint), float(p.cold_zone_zakat_gain)))


@kernel
def stronghold_villages(criteria: np.ndarray, has_council: np.ndarray, has_chairman: np.ndarray, threshold: float,
                        min_criteria: float) -> np.ndarray:
    """True for villages meeting at least ``min_criteria`` of the eight criteria (``Strongholds.strongholds``)."""
    return count_criteria(criteria, has_council, has_chairman, threshold) >= min_criteria


@kernel
def cold_zone_factors(strongholds: np.ndarray, sdf_held: np.ndarray, enabled: bool, restraint: float,
                      gain: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per village: a cold zone, the multiplier on killings and attacks there, the pull on tax collectors."""
    n = len(strongholds)
    cold = np.zeros(n, np.bool_)
    violence = np.empty(n)
    zakat = np.empty(n)
    for i in range(n):
        cold[i] = enabled and strongholds[i] and sdf_held[i]
        violence[i] = 1.0 - restraint * cold[i]
        zakat[i] = 1.0 + gain * cold[i]
    return cold, violence, zakat


class ColdZones(NamedTuple):
    """Per village: a cold zone, the multiplier on killings and attacks there, the pull on tax collectors."""

    cold: np.ndarray
    violence: np.ndarray
    zakat: np.ndarray
