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

from sim.compiled import kernel
from sim.mechanisms.base import LastAnswer, Mechanism
from sim.mechanisms.councils import vacuum

if TYPE_CHECKING:
    from sim.mechanisms.night_movement import Visits
    from sim.model import InsurgencyModel

STRIKES = ("attacks", "killings")  # the incident kinds that draw attention, as the accounts book them


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
        self._willing: dict[float, LastAnswer] = {}  # by a strike's cost
        self.strikes_seen = {k: self._strikes_by_village(k) for k in STRIKES}
        self.vacuum_share = self._vacuum_share()

    # ------------------------------------------------------------------ reading the world
    def _strikes_by_village(self, kind: str) -> np.ndarray:
        """Cumulative strikes of ``kind`` booked in each village."""
        booked = self.model.accounts.totals_by_village
        return np.array([booked.get((kind, i), 0) for i in range(len(self.governorate))], dtype=float)

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
        willing = self.willing(cost)[self.governorate[villages]]
        willing[~(coalition_present & follows_command)] = 1.0  # np.where(..., willing, 1.0), in place
        return willing

    def willing(self, cost: float) -> np.ndarray:
        """Per governorate, the chance that a cell following the command strikes there, a strike drawing
        ``cost`` attention. Kept until the attention or the parameters change (asked twice a night;
        the same numbers as computing it village by village, since it depends only on the governorate)."""
        p = self.model.p
        key = (p.patience_tolerance, p.patience_noise, self.attention.tobytes())
        def chance() -> np.ndarray:
            over = self.attention + cost - p.patience_tolerance
            if p.patience_noise <= 0:
                return (over < 0).astype(float)
            return 1.0 / (1.0 + np.exp((over / p.patience_noise).clip(-50.0, 50.0)))

        return self._willing.setdefault(cost, LastAnswer()).get(key, chance)

    # ------------------------------------------------------------------ hooks
    def night(self, visits: Visits) -> None:
        """Add tonight's attacks and killings to the attention of their governorates."""
        p = self.model.p
        totals = self.model.accounts.totals
        for kind, cost in zip(STRIKES, (p.attention_per_attack, p.attention_per_killing), strict=True):
            if totals[kind] == self.strikes_seen[kind].sum():
                continue  # nothing new tonight (the usual night): skip the per-village reading
            now = self._strikes_by_village(kind)
            new = np.bincount(self.governorate, weights=now - self.strikes_seen[kind], minlength=len(self.attention))
            self.strikes_seen[kind] = now
            self.attention = np.minimum(1.0, self.attention + cost * new)

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
