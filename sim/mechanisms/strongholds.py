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

from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from sim.agents.village import count_criteria, criteria_met
from sim.compiled import kernel
from sim.mechanisms.base import Mechanism, values_of

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
        # the strongholds and cold zones last computed, with the parameters and the SDF's hold they were
        # computed from (:meth:`_current`)
        self._kept: Kept | None = None
        self._params_of = values_of(self.params)
        self._zone_params: tuple | None = None  # the parameters :meth:`_rule`'s numbers were made from
        self._zone_rule: tuple = ()

    def month_end(self) -> None:
        """Recent counts of every criterion fade."""
        self.model.villages.criteria *= self.model.p.criteria_monthly_decay

    def score(self) -> np.ndarray:
        """Per village, the share of the eight criteria present (0..1)."""
        return self.model.villages.stronghold_score(self.model.p.stronghold_criterion_count)

    def strongholds(self) -> np.ndarray:
        """True for villages meeting 'several' criteria at once (``stronghold_min_criteria``, s.2).

        The answer is kept while it is still right (read-only, as callers share it; see :meth:`zones`). The
        night's strikes and tax collectors do not ask: their kernels tell the cold zones from
        :meth:`zone_inputs`.
        """
        return self._current().strongholds

    def cold_zones(self) -> np.ndarray:
        """True for SDF-held strongholds IS keeps cold (none with ``stronghold_zones_enabled`` off)."""
        return self._current().zones.cold

    def violence_factor(self, villages: np.ndarray) -> np.ndarray:
        """Multiplier on killings and attacks in the given villages: restrained in cold zones."""
        return self._current().zones.violence[villages]

    def zakat_factor(self) -> np.ndarray:
        """Per village, multiplier on the pull of zakat collectors: higher in cold zones (read-only)."""
        return self._current().zones.zakat

    def zone_inputs(self) -> tuple:
        """The fields of a :class:`ZoneInputs` (the villages' columns and today's parameters) as a plain tuple:
        for the kernels that tell the cold zones themselves (:func:`violence_at`, :func:`zakat_pulls`)."""
        v = self.model.villages
        return (v.criteria, v.has_council, v.has_chairman, v.sdf_held, *self._rule()[1])

    def zone_rule(self) -> tuple[float, float, bool, float, float]:
        """Today's five numbers of the cold zones' rule (the last fields of a :class:`ZoneInputs`), for kernels
        that read the villages' columns from the kernels' state (:func:`zones_of`)."""
        return self._rule()[1]

    def _rule(self) -> tuple[tuple, tuple[float, float, bool, float, float]]:
        # the parameters' values, and the rule's five numbers converted for the kernels (the last fields of a
        # ZoneInputs): kept while the parameters are unchanged
        p = self.model.p
        params = self._params_of(p)
        if params != self._zone_params:
            self._zone_params, self._zone_rule = params, (
                float(p.stronghold_criterion_count), float(p.stronghold_min_criteria),
                bool(p.stronghold_zones_enabled), float(p.cold_zone_restraint), float(p.cold_zone_zakat_gain))
        return self._zone_params, self._zone_rule

    def zones(self) -> ColdZones:
        """The cold zones and their two multipliers, kept until the strongholds, the SDF's hold or the
        parameters change (read-only, as callers share them; the night's kernels read :meth:`zone_inputs`)."""
        return self._current().zones

    def _current(self) -> Kept:
        # the kept answers while the parameters are those they were computed from and one kernel call
        # finds the same strongholds and the same SDF-held villages (the criteria's counts change most
        # nights, which villages are strongholds seldom); else both computed afresh
        v = self.model.villages
        params, (threshold, min_criteria, enabled, restraint, gain) = self._rule()
        kept = self._kept
        if kept is not None and kept.params == params and zones_still_hold(
                v.criteria, v.has_council, v.has_chairman, v.sdf_held, threshold, min_criteria, kept.strongholds,
                kept.sdf_held):
            return kept
        strongholds = stronghold_villages(v.criteria, v.has_council, v.has_chairman, threshold, min_criteria)
        zones = ColdZones(*cold_zone_factors(strongholds, v.sdf_held, enabled, restraint, gain))
        kept = self._kept = Kept(params, strongholds, v.sdf_held.copy(), zones)
        for array in (strongholds, *zones):  # callers share them
            array.flags.writeable = False
        return kept


@kernel
def is_stronghold(met: int, min_criteria: float) -> bool:
    """True for a village meeting ``met`` of the eight criteria, at least ``min_criteria`` ('several', s.2)."""
    return met >= min_criteria


@kernel
def stronghold_villages(criteria: np.ndarray, has_council: np.ndarray, has_chairman: np.ndarray, threshold: float,
                        min_criteria: float) -> np.ndarray:
    """:func:`is_stronghold` of every village (``Strongholds.strongholds``)."""
    met = count_criteria(criteria, has_council, has_chairman, threshold)
    out = np.empty(len(met), np.bool_)
    for i in range(len(met)):
        out[i] = is_stronghold(met[i], min_criteria)
    return out


@kernel
def zones_still_hold(criteria: np.ndarray, has_council: np.ndarray, has_chairman: np.ndarray, sdf_held: np.ndarray,
                     threshold: float, min_criteria: float, strongholds: np.ndarray, held: np.ndarray) -> bool:
    """True while the villages meeting ``min_criteria`` (:func:`is_stronghold`) are still
    ``strongholds`` and the SDF still hold the villages ``held``: cold zones computed from those stay right."""
    # village by village, stopping at the first change, with no array of counts made (the allocation cost
    # more than the loop)
    for i in range(criteria.shape[0]):
        if sdf_held[i] != held[i]:
            return False
        met = criteria_met(i, criteria, has_council, has_chairman, threshold)
        if is_stronghold(met, min_criteria) != strongholds[i]:
            return False
    return True


@kernel
def is_cold(stronghold: bool, held: bool, enabled: bool) -> bool:
    """Whether a village is a cold zone: a ``stronghold`` the SDF hold (``held``), with the zones ``enabled``."""
    return enabled and stronghold and held


@kernel
def violence_in(cold: bool, restraint: float) -> float:
    """The multiplier on killings and attacks in a village, ``cold`` or not (``cold_zone_restraint``)."""
    return 1.0 - restraint * cold


@kernel
def zakat_pull_in(cold: bool, gain: float) -> float:
    """The multiplier on tax collectors' pull to a village, ``cold`` or not (``cold_zone_zakat_gain``)."""
    return 1.0 + gain * cold


@kernel
def cold_zone_factors(strongholds: np.ndarray, sdf_held: np.ndarray, enabled: bool, restraint: float,
                      gain: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per village: a cold zone, the multiplier on killings and attacks there, the pull on tax collectors."""
    n = len(strongholds)
    cold = np.zeros(n, np.bool_)
    violence = np.empty(n)
    zakat = np.empty(n)
    for i in range(n):
        cold[i] = is_cold(strongholds[i], sdf_held[i], enabled)
        violence[i] = violence_in(cold[i], restraint)
        zakat[i] = zakat_pull_in(cold[i], gain)
    return cold, violence, zakat


@kernel
def zones_of(state: Any, rule: tuple) -> tuple:
    """The fields of a :class:`ZoneInputs` (what :meth:`Strongholds.zone_inputs` gives) from the kernels' state
    (``sim.kernel_state``) and :meth:`Strongholds.zone_rule`."""
    threshold, min_criteria, enabled, restraint, gain = rule
    return (state.v_criteria, state.v_has_council, state.v_has_chairman, state.v_sdf_held, threshold, min_criteria,
            enabled, restraint, gain)


class ZoneInputs(NamedTuple):
    """What a kernel reads to tell the cold zones as they are now (:meth:`Strongholds.zone_inputs`)."""

    criteria: np.ndarray
    has_council: np.ndarray
    has_chairman: np.ndarray
    sdf_held: np.ndarray
    threshold: float  # stronghold_criterion_count
    min_criteria: float  # stronghold_min_criteria
    enabled: bool  # stronghold_zones_enabled
    restraint: float  # cold_zone_restraint
    gain: float  # cold_zone_zakat_gain


@kernel
def violence_at(villages: np.ndarray, zones: ZoneInputs | tuple) -> np.ndarray:
    """The cold zones' multiplier on a strike at each of ``villages`` (``Strongholds.zones().violence``
    there), computed from ``zones`` (:class:`ZoneInputs`): what killings and attacks read, without the
    check of the kept zones."""
    # the helpers take numbers, not arrays: a call per village with the columns cost four times the loop
    criteria, has_council, has_chairman, sdf_held, threshold, min_criteria, enabled, restraint, _ = zones
    out = np.empty(len(villages))
    for k in range(len(villages)):
        i = villages[k]
        stronghold = is_stronghold(criteria_met(i, criteria, has_council, has_chairman, threshold), min_criteria)
        out[k] = violence_in(is_cold(stronghold, sdf_held[i], enabled), restraint)
    return out


@kernel
def zakat_pulls(zones: ZoneInputs | tuple) -> np.ndarray:
    """The cold zones' multiplier on tax collectors' pull to every village (``Strongholds.zakat_factor()``),
    computed from ``zones`` (:class:`ZoneInputs`)."""
    criteria, has_council, has_chairman, sdf_held, threshold, min_criteria, enabled, _, gain = zones
    out = np.empty(len(sdf_held))
    for i in range(len(out)):
        stronghold = is_stronghold(criteria_met(i, criteria, has_council, has_chairman, threshold), min_criteria)
        out[i] = zakat_pull_in(is_cold(stronghold, sdf_held[i], enabled), gain)
    return out


class ColdZones(NamedTuple):
    """Per village: a cold zone, the multiplier on killings and attacks there, the pull on tax collectors."""

    cold: np.ndarray
    violence: np.ndarray
    zakat: np.ndarray


class Kept(NamedTuple):
    """The strongholds and cold zones last computed, with what they were computed from (besides the criteria)."""

    params: tuple
    strongholds: np.ndarray
    sdf_held: np.ndarray
    zones: ColdZones
