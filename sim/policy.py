"""The state that scenario events change mid-run, in one dataclass.

Mechanisms read it (through :mod:`sim.modifiers` mostly); only events in :mod:`sim.events`
change it, directly or through the mechanism they call (``turkish_front`` records the share of
units it sent north). The Coalition's presence is kept per district, because it did not leave
the whole region at once: in October 2019 US forces left the Aleppo and Raqqa governorates and
part of al-Hasaka but stayed in Deir ez-Zor.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from sim.errors import InputError

CONVENTIONAL, COMMUNITY = "conventional", "community"
POLICING_STYLES: tuple[str, ...] = (CONVENTIONAL, COMMUNITY)
NEVER = -1  # withdrawal day of a district the Coalition has not left


@dataclass
class Policy:
    """What events change: Coalition presence by district, SDF attention, policing, Badia deals."""

    district_names: tuple[str, ...]
    coalition_present_by_district: np.ndarray  # bool, one per district of the map
    withdrawal_day_by_district: np.ndarray  # int, the day the Coalition left, NEVER where present
    sdf_attention_north: float = 0.0  # share of SDF units redeployed towards Turkey
    policing: str = CONVENTIONAL
    feeding_the_road: bool = False  # the regime pays IS to keep the Badia roads open
    regime_offensive: bool = False  # the regime and Russia's Badia counter-offensive

    @classmethod
    def initial(cls, district_names: Sequence[str]) -> Policy:
        """The state at the start: the Coalition everywhere, conventional policing, no deals."""
        n = len(district_names)
        return cls(tuple(district_names), np.ones(n, bool), np.full(n, NEVER, np.int64))

    def district_rows(self, names: Iterable[str] | None, *, file: object = None, key: str = "districts") -> np.ndarray:
        """Indices of the named districts (all of them for ``None``); an unknown name is an InputError."""
        if names is None:
            return np.arange(len(self.district_names))
        rows = []
        for name in names:
            if name not in self.district_names:
                raise InputError(file, key, f"unknown district {name!r}", allowed=", ".join(self.district_names))
            rows.append(self.district_names.index(name))
        return np.array(rows, dtype=np.int64)

    def withdraw_coalition(self, day: int, districts: Iterable[str] | None = None) -> np.ndarray:
        """The Coalition leaves the named districts (all by default) on ``day``; returns their rows."""
        rows = self.district_rows(districts)
        leaving = rows[self.coalition_present_by_district[rows]]
        self.coalition_present_by_district[leaving] = False
        self.withdrawal_day_by_district[leaving] = day
        return rows

    def return_coalition(self, districts: Iterable[str] | None = None) -> np.ndarray:
        """The Coalition comes back to the named districts (all by default); returns their rows."""
        rows = self.district_rows(districts)
        self.coalition_present_by_district[rows] = True
        self.withdrawal_day_by_district[rows] = NEVER
        return rows

    @property
    def community_policing(self) -> bool:
        """True while community policing is in force."""
        return self.policing == COMMUNITY
