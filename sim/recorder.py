"""Recording a run's months: read-only, so recording never changes the model.

The recorder keeps its own readings of the model's running totals (incidents, zakat) and writes
each month the difference since the last reading, with the state at month end
(:mod:`sim.outcomes` defines every column). Incidents are also kept by village, for
:meth:`Recorder.incident_frame`.
"""

from __future__ import annotations

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


class Recorder:
    """The monthly table and the per-village incident table of one run."""

    def __init__(self) -> None:
        self.monthly: list[dict[str, Any]] = []
        self.incidents: list[tuple] = []
        # readings of the accounts' incidents at the last month's end: by kind, and by kind and village
        self._totals: np.ndarray | None = None
        self._by_village: np.ndarray | None = None
        self._zakat = 0.0
        self._places: tuple[Any, list, list, list] | None = None  # (world, names, districts, governorates)

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
            _, names, districts, governorates = self._place_lists(model)
            held = v.sdf_held.tolist()
            for k, i, n in zip(kinds.tolist(), villages.tolist(), month[kinds, villages].tolist(), strict=True):
                kind = INCIDENTS[BY_NAME[k]]
                self.incidents.append((date, names[i], districts[i], governorates[i], kind, n))
                if kind in RIC_KINDS and held[i]:
                    total += n
                    if governorates[i] in ric:
                        ric[governorates[i]] += n
        row["ric_attacks"] = total
        row.update({f"ric_attacks_{g}": n for g, n in ric.items()})
        for name, (_, fn) in STATE.items():
            row[name] = fn(model)
        self.monthly.append(row)
        return row

    def _place_lists(self, model: InsurgencyModel) -> tuple[Any, list, list, list]:
        """``model``'s world with each village's name, district and governorate as Python lists (made once)."""
        w = model.world
        if self._places is None or self._places[0] is not w:
            self._places = (w, list(w.village_names), [str(d) for d in w.district_of],
                            [str(g) for g in w.governorate_of])
        return self._places

    def incident_frame(self) -> pd.DataFrame:
        """Incidents by month and village (a tidy table: one row per month, village and kind)."""
        return pd.DataFrame(self.incidents, columns=list(INCIDENT_COLUMNS))
