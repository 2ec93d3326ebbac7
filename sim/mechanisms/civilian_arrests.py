"""Arrests on thin evidence after an incident, and the trust they cost.

A resident told of being arrested and tortured after someone reported him using his phone near
a bombing; many Sunnis feel collectively suspected, a mutual distrust that could revive IS's
appeal (WP 2019). After the al-Sina'a attack, 40 of 50 people arrested in a sweep of eastern
Deir ez-Zor were released (EUI 2022, fn 36): a mass sweep after an incident, so that share
(``sweep_wrongful_share``) applies to the sweeps that follow killings and attacks. A raid on a
cell the SDF found is aimed at people they suspect, and takes fewer bystanders: a share
``raid_bystander_share`` of its detainees (an assumption; RIC, May 2021, reports a large
operation that arrested about 100, most of them released). Each innocent arrested costs the
village's trust in the administration.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from sim import modifiers
from sim.accounts import INCIDENTS, book_incident, row_of
from sim.compiled import Stream, kernel, stream_of
from sim.draws import binomial, poisson
from sim.mechanisms.base import Mechanism


@kernel
def lose_trust(trust: np.ndarray, village: int, innocent: int, loss: float) -> None:
    """``village``'s trust after ``innocent`` wrongful arrests, ``loss`` each, held at 0 (as Python's
    ``max(0.0, trust - loss * innocent)``)."""
    x = trust[village] - loss * innocent
    trust[village] = x if x > 0.0 else 0.0


@kernel
def swept(stream: Stream, village: int, mean: float, share: float, trust: np.ndarray, loss: float) -> int:
    """The innocents taken in a sweep of ``village``: Poisson(``mean``) arrests, of which Binomial(``share``)
    innocent (as ``rng.poisson`` then ``rng.binomial`` draw them), each costing the village ``loss`` of
    its trust (:func:`lose_trust`)."""
    innocent = binomial(stream, poisson(stream, mean), share)
    if innocent:
        lose_trust(trust, village, innocent, loss)
    return innocent


@kernel
def bystanders(stream: Stream, village: int, members: int, share: float, trust: np.ndarray, loss: float) -> int:
    """The innocents taken alongside ``members`` IS members in a raid on ``village``, where a share ``share``
    (below 1) of those detained are bystanders: Poisson(``members * share / (1 - share)``), as
    ``rng.poisson`` draws it, each costing the village ``loss`` of its trust (:func:`lose_trust`)."""
    innocent = poisson(stream, members * share / (1.0 - share))
    if innocent:
        lose_trust(trust, village, innocent, loss)
    return innocent


_CIVILIAN_ARRESTS = row_of(INCIDENTS, "civilian_arrests")


@kernel
def wrongful_at(trust: np.ndarray, village: int, innocent: int, loss: float, incidents: np.ndarray) -> None:
    """``innocent`` wrongful arrests in ``village`` (:meth:`CivilianArrests.wrongful`): their cost to its trust
    (:func:`lose_trust`) and their booking in ``incidents`` (``Accounts.incidents``); nothing for none."""
    if innocent:
        lose_trust(trust, village, innocent, loss)
        book_incident(incidents, _CIVILIAN_ARRESTS, village, innocent)


class SweepRule(NamedTuple):
    """What a sweep after an incident reads besides the village (:meth:`CivilianArrests.sweep_rule`)."""

    on: bool  # civilian_arrests_enabled
    mean: float  # sweep_arrests_per_incident
    share: float  # the wrongful share, as the policing style makes it
    loss: float  # trust_loss_per_wrongful_arrest


@kernel
def sweep_at(stream: Stream, village: int, rule: SweepRule | tuple, sdf_held: np.ndarray, guard: np.ndarray,
             trust: np.ndarray, incidents: np.ndarray) -> int:
    """A sweep of ``village`` after an incident (:meth:`CivilianArrests.sweep`): where the mechanism is on
    and the SDF hold the village with some presence, the innocents :func:`swept` are booked in
    ``incidents`` (``Accounts.incidents``); returns how many. ``rule``: a :class:`SweepRule` or its
    fields as a plain tuple."""
    on, mean, share, loss = rule
    if not on or not sdf_held[village] or guard[village] <= 0:
        return 0
    innocent = swept(stream, village, mean, share, trust, loss)
    if innocent:
        book_incident(incidents, _CIVILIAN_ARRESTS, village, innocent)
    return innocent


class CivilianArrests(Mechanism):
    """Sweeps after incidents and innocents taken in raids, and the trust each costs."""

    name = "civilian_arrests"
    switch = "civilian_arrests_enabled"
    params = ("civilian_arrests_enabled", "sweep_arrests_per_incident", "raid_bystander_share",
              "trust_loss_per_wrongful_arrest")
    reads = ("sweep_wrongful_share",)  # a policing parameter (sim.modifiers), community policing lowers it

    def sweep(self, village: int) -> int:
        """Arrests in ``village`` after an incident; returns how many innocents were taken."""
        m = self.model
        v = m.villages
        return sweep_at(stream_of(m), int(village), self.sweep_rule(), v.sdf_held, v.guard, v.trust,
                        m.accounts.incidents)

    def wrongful_rule(self) -> tuple[bool, float]:
        """What :func:`wrongful_at` is called with besides the village: whether wrongful arrests cost trust
        (the mechanism on) and what each costs (``trust_loss_per_wrongful_arrest``)."""
        return bool(self.enabled), float(self.model.p.trust_loss_per_wrongful_arrest)

    def sweep_rule(self) -> tuple[bool, float, float, float]:
        """The fields of today's :class:`SweepRule`, as a plain tuple (for the kernels)."""
        m = self.model
        p = m.p
        return (bool(self.enabled), float(p.sweep_arrests_per_incident),
                float(modifiers.wrongful_share(m, p.sweep_wrongful_share)), float(p.trust_loss_per_wrongful_arrest))

    def wrongful_for(self, village: int, members: int) -> int:
        """Innocents taken alongside ``members`` IS members in a raid (``raid_bystander_share`` of its detainees)."""
        m = self.model
        share = self.bystander_share()
        if not self.enabled or members <= 0 or share <= 0:
            return 0
        return self._booked(village, bystanders(stream_of(m), village, members, float(share), m.villages.trust,
                                                float(m.p.trust_loss_per_wrongful_arrest)))

    def bystander_share(self) -> float:
        """The share of a raid's detainees who are innocents taken alongside IS members (``raid_bystander_share``, as
        the policing style makes it; below 1)."""
        m = self.model
        return float(min(modifiers.wrongful_share(m, m.p.raid_bystander_share), 0.99))

    def wrongful(self, village: int, innocent: int) -> int:
        """Book ``innocent`` wrongful arrests in ``village`` and their cost to its trust; returns ``innocent``."""
        m = self.model
        wrongful_at(m.villages.trust, int(village), int(innocent), float(m.p.trust_loss_per_wrongful_arrest),
                    m.accounts.incidents)
        return innocent

    def _booked(self, village: int, innocent: int) -> int:
        # the books of wrongful arrests whose cost to trust is paid; returns ``innocent``
        if innocent:
            self.model.accounts.incident("civilian_arrests", innocent, village=village)
        return innocent
