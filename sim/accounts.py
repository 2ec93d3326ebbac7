"""Books the model keeps so money and people can be checked for conservation, and incidents counted.

Money enters the region through trade income and regime payments in the Badia, and leaves
through consumption, destruction, exile and IS spending; every transfer is booked here. People
(IS fighters and supporters) enter through recruitment and prison escapes, and leave through
arrest, death and release; each move is booked too. Incidents are counted by kind and, where they
happen in a village, by village, so a month's violence can be located.

The books are arrays indexed by the fixed keys below (:data:`INCIDENTS`, :data:`MONEY`,
:data:`PEOPLE`), so that compiled kernels can book into them directly (:func:`book_incident`,
:func:`book`); Python reads and writes them through mappings keyed by name, as before.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, MutableMapping
from typing import Any

import numpy as np

from sim.compiled import kernel

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

#: money (USD) booked: the stocks' opening values and every flow between them
MONEY: tuple[str, ...] = (
    "initial_trader_wealth", "trade_income", "consumption", "destroyed", "exiled_wealth", "zakat",
    "initial_is_money", "initial_is_arsenal", "regime_payments", "badia_loot", "is_spending", "seized",
)

#: people booked: IS members in and out of cells, detainees, and the SDF's losses and repentances
PEOPLE: tuple[str, ...] = (
    "initial_fighters", "initial_supporters", "initial_detainees", "recruited_fighters", "recruited_supporters",
    "fighters_arrested", "supporters_arrested", "supporters_dispersed", "is_killed", "fighters_left", "escaped",
    "amnestied", "amnesty_rejoined", "amnesty_returned_home", "detainees_killed", "sdf_killed", "sdf_repented",
    "suspects_held",
)


def row_of(keys: tuple[str, ...], key: str) -> int:
    """The row of ``key`` in one of the books' key tuples, for kernels that book it (a constant to them)."""
    return keys.index(key)


@kernel
def book_incident(counts: np.ndarray, kind: int, village: int, n: int) -> None:
    """Count ``n`` incidents of ``kind`` (a row of :data:`INCIDENTS`) in ``village`` (the column before the
    last for none) of :attr:`Accounts.incidents`, and in the kind's total (its last column)."""
    counts[kind, village] += n
    counts[kind, counts.shape[1] - 1] += n


@kernel
def book_incidents(counts: np.ndarray, kind: int, villages: np.ndarray, n: np.ndarray) -> None:
    """:func:`book_incident` of ``n[k]`` incidents of ``kind`` in each of ``villages[k]``, in order."""
    for k in range(len(villages)):
        book_incident(counts, kind, villages[k], n[k])


@kernel
def book(values: np.ndarray, booked: np.ndarray, key: int, amount: float) -> None:
    """Add ``amount`` to row ``key`` of a money or people book (:attr:`Book.values`, :attr:`Book.booked`:
    a row of :data:`MONEY` or :data:`PEOPLE`) and mark it booked."""
    values[key] += amount
    booked[key] = True


class Book(MutableMapping):
    """Running totals by name over an array, like a ``Counter`` of the fixed ``keys``: a key never booked
    reads 0 and is not listed; a name not among the keys is a ``KeyError`` naming the allowed ones."""

    __slots__ = ("_row", "booked", "names", "values")

    def __init__(self, keys: tuple[str, ...], dtype: type) -> None:
        self.names = keys
        self.values = np.zeros(len(keys), dtype)
        self.booked = np.zeros(len(keys), np.bool_)
        self._row = {k: i for i, k in enumerate(keys)}

    def row(self, key: str) -> int:
        """The array row of ``key``."""
        try:
            return self._row[key]
        except KeyError:
            raise KeyError(f"{key!r} is not in the books; allowed: {', '.join(self.names)}") from None

    def __getitem__(self, key: str) -> Any:
        i = self.row(key)
        return self.values[i].item() if self.booked[i] else 0

    def __contains__(self, key: object) -> bool:
        i = self._row.get(key)  # type: ignore[call-overload]
        return i is not None and bool(self.booked[i])

    def __setitem__(self, key: str, value: float) -> None:
        i = self.row(key)
        if self.values.dtype.kind == "i" and value != int(value):
            raise TypeError(f"{key!r} counts people: {value!r} is not a whole number")
        self.values[i] = value
        self.booked[i] = True

    def __delitem__(self, key: str) -> None:
        i = self.row(key)
        self.values[i] = 0
        self.booked[i] = False

    def __iter__(self) -> Iterator[str]:
        return (k for k, b in zip(self.names, self.booked.tolist(), strict=True) if b)

    def __len__(self) -> int:
        return int(self.booked.sum())

    def __repr__(self) -> str:
        return f"Book({dict(self.items())!r})"


class CountsView(Mapping):
    """A read-only mapping over :attr:`Accounts.incidents` (the books' array, shared): entries with none are
    not listed, as a ``Counter`` never given them would not list them."""

    __slots__ = ("_counts",)

    def __init__(self, counts: np.ndarray) -> None:
        self._counts = counts

    def __contains__(self, key: object) -> bool:
        try:
            return bool(self[key])  # type: ignore[index]
        except (KeyError, TypeError, ValueError):
            return False

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({dict(self.items())!r})"


class Totals(CountsView):
    """Incidents by kind (the last column of :attr:`Accounts.incidents`)."""

    __slots__ = ()

    def __getitem__(self, kind: str) -> int:
        return int(self._counts[INCIDENT_ROW[kind], -1])

    def __iter__(self) -> Iterator[str]:
        return (k for k, n in zip(INCIDENTS, self._counts[:, -1].tolist(), strict=True) if n)


class TotalsByVillage(CountsView):
    """Incidents by (kind, village row) (the village columns of :attr:`Accounts.incidents`)."""

    __slots__ = ()

    def __getitem__(self, key: tuple[str, int]) -> int:
        kind, village = key
        if not 0 <= village < self._counts.shape[1] - 2:
            raise KeyError(key)
        return int(self._counts[INCIDENT_ROW[kind], village])

    def __iter__(self) -> Iterator[tuple[str, int]]:
        rows, villages = np.nonzero(self._counts[:, :-2])
        return ((INCIDENTS[k], i) for k, i in zip(rows.tolist(), villages.tolist(), strict=True))


INCIDENT_ROW: dict[str, int] = {k: i for i, k in enumerate(INCIDENTS)}


class Accounts:
    """Running totals, never reset: money, people, and incidents by kind and by (kind, village row).

    A month's incidents are the difference between two readings of the totals (see
    :class:`sim.recorder.Recorder`), so reading them changes nothing. ``incidents`` is the array
    (kinds, villages + 2): a column per village, one for incidents in no village, and each kind's
    total; ``money`` and ``people`` are :class:`Book` s.
    """

    def __init__(self, villages: int) -> None:
        self.incidents = np.zeros((len(INCIDENTS), villages + 2), np.int64)
        self.money = Book(MONEY, np.float64)
        self.people = Book(PEOPLE, np.int64)
        self.totals = Totals(self.incidents)
        self.totals_by_village = TotalsByVillage(self.incidents)

    @property
    def villages(self) -> int:
        """How many villages the books count incidents for."""
        return self.incidents.shape[1] - 2

    def incident(self, kind: str, n: int = 1, village: int | None = None) -> None:
        """Count ``n`` incidents of one kind, in village row ``village`` when they happened in one."""
        row = INCIDENT_ROW.get(kind)
        if row is None:
            raise KeyError(f"{kind!r} is not an incident kind; allowed: {', '.join(INCIDENTS)}")
        if not n:
            return
        if n != int(n):
            raise TypeError(f"incidents are counted in whole numbers, not {n!r} ({kind!r})")
        if village is None:
            column = self.villages
        elif 0 <= village < self.villages:
            column = int(village)
        else:
            raise IndexError(f"village row {village} is not among the {self.villages} villages ({kind!r})")
        counts = self.incidents
        counts[row, column] += n
        counts[row, -1] += n

    def __repr__(self) -> str:
        return (f"Accounts(money={dict(self.money)!r}, people={dict(self.people)!r}, totals={dict(self.totals)!r}, "
                f"totals_by_village={dict(self.totals_by_village)!r})")
