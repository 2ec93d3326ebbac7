"""Books the model keeps so money and people can be checked for conservation, and incidents counted.

Money enters the region through trade income and regime payments in the Badia, and leaves
through consumption, destruction, exile and IS spending; every transfer is booked here. People
(IS fighters and supporters) enter through recruitment and prison escapes, and leave through
arrest, death and release; each move is booked too. Incidents are counted by kind and, where they
happen in a village, by village, so a month's violence can be located.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

INCIDENTS: tuple[str, ...] = (
    "killings",  # targeted killings of officials and commanders
    "attacks",  # IEDs, rockets and ambushes on SDF positions
    "checkpoints",  # flying night checkpoints
    "zakat_demands",
    "zakat_payments",
    "retaliations",  # stores and offices destroyed after a refusal
    "exiles",  # traders who left for the north
    "repentances",  # SDF fighters and officials who repented
    "allegiances",  # officials who swore allegiance
    "raids",  # SDF/Coalition raids on cells
    "members_arrested",  # IS members arrested in raids
    "arrests",  # everyone arrested in raids: IS members, the innocents taken with them, suspects
    "civilian_arrests",  # people arrested on thin evidence and later released
    "badia_attacks",  # attacks on regime forces and convoys south of the river
    "prison_attacks",
    "escapes",
    "sdf_killed",
    "is_killed",
    "recruits",
)


@dataclass
class Accounts:
    """Running totals, never reset: money, people, and incidents by kind and by (kind, village row).

    A month's incidents are the difference between two readings of the totals (see
    :class:`sim.recorder.Recorder`), so reading them changes nothing.
    """

    money: Counter = field(default_factory=Counter)
    people: Counter = field(default_factory=Counter)
    totals: Counter = field(default_factory=Counter)
    totals_by_village: Counter = field(default_factory=Counter)

    def incident(self, kind: str, n: int | float = 1, village: int | None = None) -> None:
        """Count ``n`` incidents of one kind, in village row ``village`` when they happened in one."""
        if kind not in INCIDENTS:
            raise KeyError(kind)
        if not n:
            return
        self.totals[kind] += n
        if village is not None:
            self.totals_by_village[(kind, int(village))] += n
