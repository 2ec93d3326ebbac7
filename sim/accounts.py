"""Books the model keeps so money and people can be checked for conservation.

Money enters the region through trade income and regime payments in the Badia, and leaves
through consumption, destruction, exile and IS spending; every transfer is booked here. People
(IS fighters and supporters) enter through recruitment and prison escapes, and leave through
arrest, death and release; each move is booked too.
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
    "arrests",  # IS members arrested
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
    """Running totals (never reset) and this month's incident tally (reset monthly)."""

    money: Counter = field(default_factory=Counter)
    people: Counter = field(default_factory=Counter)
    totals: Counter = field(default_factory=Counter)
    month: Counter = field(default_factory=Counter)

    def incident(self, kind: str, n: int | float = 1) -> None:
        """Count ``n`` incidents of one kind."""
        if kind not in INCIDENTS:
            raise KeyError(kind)
        self.month[kind] += n
        self.totals[kind] += n

    def close_month(self) -> dict[str, float]:
        """This month's tally (every kind, zeros included), then start a new month."""
        tally = {kind: float(self.month.get(kind, 0)) for kind in INCIDENTS}
        self.month = Counter()
        return tally
