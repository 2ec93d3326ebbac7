"""Recording a run's months: read-only, so recording never changes the model.

The recorder keeps its own readings of the model's running totals (incidents, zakat) and writes
each month the difference since the last reading, with the state at month end
(:mod:`sim.outcomes` defines every column). Incidents are also kept by village, for
:meth:`Recorder.incident_frame`.
"""

from __future__ import annotations

from collections import Counter
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


class Recorder:
    """The monthly table and the per-village incident table of one run."""

    def __init__(self) -> None:
        self.monthly: list[dict[str, Any]] = []
        self.incidents: list[tuple] = []
        self._totals: Counter = Counter()
        self._by_village: Counter = Counter()
        self._zakat = 0.0

    def close_month(self, model: InsurgencyModel) -> dict[str, Any]:
        """Record the month that ends today; returns its row."""
        acc, w, v = model.accounts, model.world, model.villages
        date = model.date.replace(day=1).isoformat()
        row: dict[str, Any] = {"month": len(self.monthly) + 1, "date": date}
        row.update({k: float(acc.totals[k] - self._totals[k]) for k in INCIDENTS})
        self._totals = Counter(acc.totals)
        month = {key: n - self._by_village[key] for key, n in acc.totals_by_village.items()
                 if n != self._by_village[key]}
        self._by_village = Counter(acc.totals_by_village)
        zakat_total = acc.money["zakat"]
        row["zakat_revenue_usd"] = zakat_total - self._zakat
        self._zakat = zakat_total
        all_zakat = model.zakat_by_village.sum()
        east = w.in_zone(EAST_STRIP)
        row["zakat_east_strip_share"] = float(model.zakat_by_village[east].sum() / all_zakat) if all_zakat else np.nan
        ric = dict.fromkeys(RIC_GOVERNORATES, 0.0)
        total = 0.0
        for (kind, i), n in sorted(month.items()):
            self.incidents.append((date, w.village_names[i], str(w.district_of[i]), str(w.governorate_of[i]), kind, n))
            if kind in RIC_KINDS and v.sdf_held[i]:
                total += n
                if w.governorate_of[i] in ric:
                    ric[str(w.governorate_of[i])] += n
        row["ric_attacks"] = total
        row.update({f"ric_attacks_{g}": n for g, n in ric.items()})
        for name, (_, fn) in STATE.items():
            row[name] = fn(model)
        self.monthly.append(row)
        return row

    def incident_frame(self) -> pd.DataFrame:
        """Incidents by month and village (a tidy table: one row per month, village and kind)."""
        return pd.DataFrame(self.incidents, columns=list(INCIDENT_COLUMNS))
