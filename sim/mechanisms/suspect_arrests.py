"""Suspects detained on every raid: the arrests RIC counts, and the trust the innocents among them cost.

Sources. The Rojava Information Center counted 395 SDF and Coalition raids against IS in 2019 and
at least 581 arrests in them (RIC, *Good work undone: 2019 review of sleeper-cell attacks and
anti-ISIS raids in north and east Syria*, January 2020): one or a few people a raid. In the months
of 2019-2021 for which RIC gave both counts (data/observed/ric_nes_2019_2021.csv), 251 arrests in
82 raids; a single large operation in May 2021 arrested about 100 people, most of them released
later (RIC, May 2021). The SDF understand IS's networks poorly (EUI 2022, s.4), so they detain on
suspicion: a resident told of being held and tortured after someone reported him using his phone
near a bombing, and many Sunnis feel collectively suspected (WP 2019); after
the al-Sina'a attack 40 of the 50 people detained in a sweep of eastern Deir ez-Zor were let go
(EUI 2022, fn 36).

Rule (our reading). Every raid, whether it finds a cell or not, detains a Poisson number of
suspects with mean ``raid_suspects_mean`` (1.5: RIC's 581 arrests in 395 raids of 2019, a lower
bound). They are counted in ``arrests`` as RIC counts them. None of them belongs to one of the
model's cells (the members of a cell a raid finds are taken by :mod:`raids` and counted on top); a
share ``sweep_wrongful_share`` of them (as community policing changes it, :mod:`sim.modifiers`)
had no part in IS, and each of those costs the village's trust as any wrongful arrest does
(:mod:`civilian_arrests`, which must be on for the cost; with it off they count only in
``arrests``). The rest are IS's sympathisers and relatives outside the cells: held
(``suspects_held``), with no further effect in the model.

Before this mechanism a raid that found no cell arrested nobody, and most raids find none, so the
model made about a seventh of RIC's arrests (docs/calibration.md, stop 13). Switched off, or with
the mean at 0, the model is the earlier one draw for draw (no random numbers are drawn).
"""

from __future__ import annotations

import numpy as np

from sim import modifiers
from sim.accounts import INCIDENTS, PEOPLE, book, book_incident, row_of
from sim.compiled import Stream, kernel, rng_of, stream_of
from sim.mechanisms.base import Mechanism
from sim.mechanisms.civilian_arrests import wrongful_at

_ARRESTS, _SUSPECTS_HELD = row_of(INCIDENTS, "arrests"), row_of(PEOPLE, "suspects_held")


@kernel
def draw_suspects(stream: Stream, mean: float, raids: np.ndarray, share: float, out: np.ndarray) -> None:
    """Suspects detained in each of ``raids`` (Poisson, mean ``mean`` a raid) into ``out[0]``, then the
    innocents among them (binomial, chance ``share``) into ``out[1]``: all the Poisson draws first, then
    the binomials, as ``rng.poisson(mean * raids)`` and ``rng.binomial(detained, share)`` draw them."""
    n = len(raids)
    for i in range(n):
        out[0, i] = rng_of(stream).poisson(mean * np.float64(raids[i]))
    for i in range(n):
        out[1, i] = rng_of(stream).binomial(out[0, i], share)


@kernel
def detained_booked(stream: Stream, mean: float, villages: np.ndarray, raids: np.ndarray, share: float,
                    civilian_arrests: bool, trust: np.ndarray, loss: float, incidents: np.ndarray, people: np.ndarray,
                    people_booked: np.ndarray) -> int:
    """The suspects detained in ``raids[k]`` raids on each of ``villages[k]`` and the innocents among them
    (:func:`draw_suspects`), booked village by village: the arrests (``incidents``), the suspects held
    (the people books), and, with ``civilian_arrests`` on, the innocents' cost to trust
    (``civilian_arrests.wrongful_at``). Returns how many were detained in all."""
    drawn = np.empty((2, len(raids)), np.int64)
    draw_suspects(stream, mean, raids, share, drawn)
    total = 0
    for k in range(len(villages)):
        n, wrong = drawn[0, k], drawn[1, k]
        total += n
        if not n:
            continue
        book_incident(incidents, _ARRESTS, villages[k], n)
        book(people, people_booked, _SUSPECTS_HELD, n - wrong)
        if civilian_arrests:
            wrongful_at(trust, villages[k], wrong, loss, incidents)
    return total


class SuspectArrests(Mechanism):
    """Suspects taken on every raid (counted as arrests); the innocents among them cost trust."""

    name = "suspect_arrests"
    switch = "suspect_arrests_enabled"
    params = ("suspect_arrests_enabled", "raid_suspects_mean")
    reads = ("sweep_wrongful_share", "civilian_arrests_enabled")

    def detain(self, villages: np.ndarray, raids: np.ndarray) -> int:
        """Suspects detained in ``raids[k]`` raids on village row ``villages[k]``; returns how many in all."""
        on, mean, share, costs_trust, loss = self.rule()
        if not on or not len(villages):
            return 0
        m = self.model
        acc = m.accounts
        return int(detained_booked(stream_of(m), mean, np.asarray(villages, np.int64), np.asarray(raids), share,
                                   costs_trust, m.villages.trust, loss, acc.incidents, acc.people.values,
                                   acc.people.booked))

    def rule(self) -> tuple[bool, float, float, bool, float]:
        """What :func:`detained_booked` reads besides the stream, the raids, the trust and the books: whether raids
        detain suspects (the mechanism on, a mean above 0), the mean a raid, the share of innocents (as the
        policing style makes it), whether they cost trust and what each costs (``civilian_arrests``). Kept while
        the parameters and the policing style are unchanged (asked every day)."""
        m = self.model

        def made() -> tuple[bool, float, float, bool, float]:
            p = m.p
            mean = p.raid_suspects_mean
            costs_trust, loss = m.mechanisms.civilian_arrests.wrongful_rule()
            return (bool(self.enabled and not mean <= 0), float(mean),
                    float(min(modifiers.wrongful_share(m, p.sweep_wrongful_share), 1.0)), costs_trust, loss)

        return self.kept("rule", made, m.policy.policing)
