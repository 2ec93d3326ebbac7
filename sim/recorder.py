"""Recording a run's months: read-only, so recording never changes the model.

The recorder keeps its own readings of the model's running totals (incidents, zakat) and writes
each month the difference since the last reading, with the state at month end
(:mod:`sim.outcomes` defines every column). Incidents are also kept by village, for
:meth:`Recorder.incident_frame`.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.accounts import INCIDENTS
from sim.compiled import kernel
from sim.outcomes import DAILY_REPORTERS, RIC_KINDS, STATE
from sim.world.names import EAST_STRIP, RIC_GOVERNORATES

if TYPE_CHECKING:
    from sim.model import InsurgencyModel

__all__ = ["DAILY_REPORTERS", "Recorder"]

INCIDENT_COLUMNS = ("date", "village", "district", "governorate", "kind", "count")
#: the rows of INCIDENTS in the order of their names (the incident table lists a month's kinds so)
BY_NAME = np.array(sorted(range(len(INCIDENTS)), key=INCIDENTS.__getitem__))
#: whether each row of INCIDENTS is a kind RIC counts as an attack
RIC_ROWS = np.array([kind in RIC_KINDS for kind in INCIDENTS])


@kernel
def month_counts(counts: np.ndarray, last_totals: np.ndarray, last_by_village: np.ndarray,
                 by_name: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The month's incidents from the accounts' ``counts`` (``Accounts.incidents``: kinds x villages, none, total)
    and the readings at the last month's end (each kind's total; kinds x villages), which it brings up to date:
    each kind's count this month, and each (kind, village) whose count changed (its kind's row, the village, the
    count), kinds in the order of ``by_name`` (the rows in the order of their names), then villages in order: what
    ``np.nonzero`` finds in the differences with their rows so ordered."""
    kinds, villages = last_by_village.shape
    total = counts.shape[1] - 1
    month = np.empty(kinds, np.int64)
    for k in range(kinds):
        month[k] = counts[k, total] - last_totals[k]
        last_totals[k] = counts[k, total]
    n = 0
    for k in range(kinds):
        for v in range(villages):
            n += counts[k, v] != last_by_village[k, v]
    rows, at, changed = np.empty(n, np.int64), np.empty(n, np.int64), np.empty(n, np.int64)
    n = 0
    for k in by_name:
        for v in range(villages):
            if counts[k, v] != last_by_village[k, v]:
                rows[n], at[n], changed[n] = k, v, counts[k, v] - last_by_village[k, v]
                last_by_village[k, v] = counts[k, v]
                n += 1
    return month, rows, at, changed


class Recorder:
    """The monthly table and the per-village incident table of one run."""

    def __init__(self) -> None:
        self.monthly: list[dict[str, Any]] = []
        self._incidents: list[tuple] = []  # the incident rows listed so far (see incidents)
        # every month with incidents: its date, the places' lists, and the incidents' kind rows, villages, counts
        self._months: list[tuple[str, tuple, np.ndarray, np.ndarray, np.ndarray]] = []
        self._n_listed = 0  # of _months, those whose rows are in _incidents
        # readings of the accounts' incidents at the last month's end: by kind, and by kind and village
        self._totals: np.ndarray | None = None
        self._by_village: np.ndarray | None = None
        self._zakat = 0.0
        self._places: tuple[Any, list, list, list, np.ndarray] | None = None  # see _place_lists

    def close_month(self, model: InsurgencyModel) -> dict[str, Any]:
        """Record the month that ends today; returns its row."""
        acc, w, v = model.accounts, model.world, model.villages
        date = model.date.replace(day=1).isoformat()
        row: dict[str, Any] = {"month": len(self.monthly) + 1, "date": date}
        if self._totals is None:  # nothing counted before the first month
            self._totals = np.zeros(len(INCIDENTS), np.int64)
            self._by_village = np.zeros((len(INCIDENTS), acc.villages), np.int64)
        # the month's counts by kind, and by kind name, then village (the incident table's order)
        by_kind, rows, villages, counts = month_counts(acc.incidents, self._totals, self._by_village, BY_NAME)
        row.update({k: float(n) for k, n in zip(INCIDENTS, by_kind.tolist(), strict=True)})
        zakat_total = acc.money["zakat"]
        row["zakat_revenue_usd"] = zakat_total - self._zakat
        self._zakat = zakat_total
        all_zakat = model.zakat_by_village.sum()
        east = w.in_zone(EAST_STRIP)
        row["zakat_east_strip_share"] = float(model.zakat_by_village[east].sum() / all_zakat) if all_zakat else np.nan
        ric = dict.fromkeys(RIC_GOVERNORATES, 0.0)
        total = 0.0
        if len(rows):
            places = self._place_lists(model)
            *_, ric_of = places
            self._months.append((date, places, rows, villages, counts))  # listed when asked for (incidents)
            # RIC's attacks in SDF-held villages: whole counts, so their sums are exact in any order
            counted = RIC_ROWS[rows] & v.sdf_held[villages]
            total = float(counts[counted].sum())
            by_governorate = np.bincount(ric_of[villages[counted]], counts[counted], len(RIC_GOVERNORATES) + 1)
            ric = dict(zip(RIC_GOVERNORATES, by_governorate[:-1].tolist(), strict=True))
        row["ric_attacks"] = total
        row.update({f"ric_attacks_{g}": n for g, n in ric.items()})
        for name, (_, fn) in STATE.items():
            row[name] = fn(model)
        self.monthly.append(row)
        return row

    @property
    def incidents(self) -> list[tuple]:
        """The incident rows so far, a tuple each (:data:`INCIDENT_COLUMNS`): by month, then kind name, then
        village. A month's rows are listed when first asked for, not at its end (a run that never asks lists none)."""
        for date, (_, names, districts, governorates, _), rows, villages, counts in self._months[self._n_listed:]:
            at = villages.tolist()
            self._incidents.extend(zip(itertools.repeat(date), [names[i] for i in at], [districts[i] for i in at],
                                       [governorates[i] for i in at], [INCIDENTS[k] for k in rows.tolist()],
                                       counts.tolist(), strict=False))
        self._n_listed = len(self._months)
        return self._incidents

    def incident_codes(self) -> dict[str, tuple[np.ndarray, list[str]] | np.ndarray] | None:
        """The rows of :attr:`incidents` as columns, without a Python object per row: each text column as
        (codes, texts), the row's text being ``texts[code]``, and ``count`` as integers; None when there are none.

        A batch builds its tables from these (:mod:`sim.batch.columns`): listing the rows' text one string at
        a time was most of the cost of keeping a short run's incidents.
        """
        if not self._months:
            return None
        _, names, districts, governorates, _ = self._months[0][1]  # one world a run: the same lists every month
        villages = np.concatenate([m[3] for m in self._months])
        return {"date": (np.repeat(np.arange(len(self._months)), [len(m[2]) for m in self._months]),
                         [m[0] for m in self._months]),
                "village": (villages, names), "district": (villages, districts),
                "governorate": (villages, governorates),
                "kind": (np.concatenate([m[2] for m in self._months]), list(INCIDENTS)),
                "count": np.concatenate([m[4] for m in self._months])}

    def _place_lists(self, model: InsurgencyModel) -> tuple[Any, list, list, list, np.ndarray]:
        """``model``'s world with each village's name, district and governorate as Python lists, and each
        village's place in ``RIC_GOVERNORATES`` (their number for a governorate RIC does not list; made once)."""
        w = model.world
        if self._places is None or self._places[0] is not w:
            governorates = [str(g) for g in w.governorate_of]
            ric_of = np.array([RIC_GOVERNORATES.index(g) if g in RIC_GOVERNORATES else len(RIC_GOVERNORATES)
                               for g in governorates], np.intp)
            self._places = (w, list(w.village_names), [str(d) for d in w.district_of], governorates, ric_of)
        return self._places

    def incident_frame(self) -> pd.DataFrame:
        """Incidents by month and village (a tidy table: one row per month, village and kind)."""
        return pd.DataFrame(self.incidents, columns=list(INCIDENT_COLUMNS))
