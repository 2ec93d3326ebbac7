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


class Recorder:
    """The monthly table and the per-village incident table of one run."""

    def __init__(self) -> None:
        self.monthly: list[dict[str, Any]] = []
        self._incidents: list[tuple] = []  # the incident rows listed so far (see incidents)
        # the months not listed yet: their date, the places' lists, and the incidents' kind rows, villages, counts
        self._unlisted: list[tuple[str, tuple, np.ndarray, np.ndarray, np.ndarray]] = []
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
        counts = acc.incidents
        if self._totals is None:  # nothing counted before the first month
            self._totals = np.zeros(len(INCIDENTS), np.int64)
            self._by_village = np.zeros((len(INCIDENTS), acc.villages), np.int64)
        totals = counts[:, -1]
        row.update({k: float(n) for k, n in zip(INCIDENTS, (totals - self._totals).tolist(), strict=True)})
        self._totals = totals.copy()
        by_village = counts[:, :acc.villages]
        # the month's counts by kind name, then village (the incident table's order)
        month = (by_village - self._by_village)[BY_NAME]
        self._by_village = by_village.copy()
        zakat_total = acc.money["zakat"]
        row["zakat_revenue_usd"] = zakat_total - self._zakat
        self._zakat = zakat_total
        all_zakat = model.zakat_by_village.sum()
        east = w.in_zone(EAST_STRIP)
        row["zakat_east_strip_share"] = float(model.zakat_by_village[east].sum() / all_zakat) if all_zakat else np.nan
        ric = dict.fromkeys(RIC_GOVERNORATES, 0.0)
        total = 0.0
        kinds, villages = np.nonzero(month)
        if len(kinds):
            places = self._place_lists(model)
            *_, ric_of = places
            rows, counts = BY_NAME[kinds], month[kinds, villages]
            self._unlisted.append((date, places, rows, villages, counts))  # listed when asked for (incidents)
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
        for date, (_, names, districts, governorates, _), rows, villages, counts in self._unlisted:
            at = villages.tolist()
            self._incidents.extend(zip(itertools.repeat(date), [names[i] for i in at], [districts[i] for i in at],
                                       [governorates[i] for i in at], [INCIDENTS[k] for k in rows.tolist()],
                                       counts.tolist(), strict=False))
        self._unlisted.clear()
        return self._incidents

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
