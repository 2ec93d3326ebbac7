"""What validation keeps of one run: monthly tables, village snapshots at each month end, and day one.

The day-one snapshot (taken at the end of the first simulated day, so that events dated on the
start, such as the al-Karama bargain struck in 2017, are in it) lets every fact report its value
on the starting state: a fact that already passes there is not something the model produced.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Variant:
    """A scenario with optional parameter overrides, run over the validation's seeds."""

    key: str
    scenario: str
    params: dict[str, Any]

    def switched_off(self, switch: str) -> Variant:
        """The same variant with the mechanism switch ``switch`` off (key ``<key>__<switch>_off``)."""
        if self.params.get(switch) is False:
            return self
        return Variant(f"{self.key}__{switch}_off", self.scenario, {**self.params, switch: False})


@dataclass
class RunRecord:
    """One run of one variant and seed.

    Village arrays have shape (months, villages); ``violence`` and ``zakat`` are cumulative.
    ``cells_east`` and ``fighters_sdf_land`` are per month: live cells based in the eastern strip,
    and fighters of cells based in SDF-held land. ``initial_influence`` is day one's influence.
    """

    variant: str
    rep: int
    seed: int
    start: dt.date
    monthly: pd.DataFrame
    influence: np.ndarray
    violence: np.ndarray
    zakat: np.ndarray
    pledged: np.ndarray
    vacuum: np.ndarray
    stronghold: np.ndarray
    cells_east: np.ndarray
    fighters_sdf_land: np.ndarray
    zone: np.ndarray
    district: np.ndarray
    sdf_held: np.ndarray
    truce_threshold: float
    sdf_recruits: dict[str, int]
    events: list[dict[str, Any]]
    initial_influence: np.ndarray
    at_start: RunRecord | None = None  # the same run reduced to its day-one state

    def month_of(self, date: dt.date) -> int:
        """Row index (0-based) of the month containing ``date``."""
        return (date.year - self.start.year) * 12 + date.month - self.start.month

    def event_month(self, kind: str, last: bool = False) -> int | None:
        """Row index of the month in which the first (or, with ``last``, the last) event of ``kind`` fired."""
        for e in reversed(self.events) if last else self.events:
            if e.get("event") == kind:
                return self.month_of(dt.date.fromisoformat(e["date"]))
        return None

    def mask(self, *, zones: tuple[str, ...] = (), districts: tuple[str, ...] = (), invert: bool = False) -> np.ndarray:
        """SDF-held villages in the given zones or districts (or, with ``invert``, all other SDF-held ones)."""
        chosen = np.isin(self.zone, zones) | np.isin(self.district, districts)
        return self.sdf_held & (~chosen if invert else chosen)


def _snapshot(model: Any) -> tuple:
    from sim.mechanisms.councils import vacuum
    from sim.world.names import EAST_STRIP, SDF

    v, c, g = model.villages, model.cells, model.geography
    alive = c.alive.astype(bool)
    bx, by = c.base_x[alive], c.base_y[alive]
    east = np.array([g.zones[z] == EAST_STRIP for z in g.zone[bx, by]], dtype=bool)
    in_sdf_land = g.holder[bx, by] == SDF
    return (v.influence.copy(), model.violence_by_village.copy(), model.zakat_by_village.copy(), v.pledged.copy(),
            vacuum(v.has_council, v.has_chairman, v.sdf_held), model.mechanisms.strongholds.strongholds(),
            int(east.sum()), int(c.fighters[alive][in_sdf_land].sum()))


def _state_row(model: Any) -> dict[str, Any]:
    """A monthly row of the day-one state: the state outcomes, every flow zero."""
    from sim.outcomes import INCIDENTS, OUTCOMES, STATE

    row: dict[str, Any] = {k: 0.0 for k in OUTCOMES}
    row.update({k: 0.0 for k in INCIDENTS})
    row.update({name: fn(model) for name, (_, fn) in STATE.items()})
    row["zakat_east_strip_share"] = np.nan
    return row


def record_run(variant: Variant, rep: int, seed: int, months: int) -> RunRecord:
    """Run one variant for one seed and keep what the facts need (runs in a worker process)."""
    from sim.model import InsurgencyModel
    from sim.scenario import load_scenario

    class _Recording(InsurgencyModel):
        def step(self) -> None:
            super().step()
            if self.day == 0:
                self.__dict__["_day_one"] = (_snapshot(self), _state_row(self))

        def month_end(self) -> None:
            super().month_end()
            self.__dict__.setdefault("_snaps", []).append(_snapshot(self))

    scenario = load_scenario(variant.scenario, months=months, **variant.params)
    model = _Recording(scenario, rng=seed).run()
    day_one, day_one_row = model._day_one
    cols = [np.array(c) for c in zip(*model._snaps, strict=True)]
    record = RunRecord(
        variant=variant.key, rep=rep, seed=seed, start=model.start_date, monthly=model.monthly_frame(),
        influence=cols[0], violence=cols[1], zakat=cols[2], pledged=cols[3], vacuum=cols[4], stronghold=cols[5],
        cells_east=cols[6], fighters_sdf_land=cols[7],
        zone=np.asarray(model.world.zone_of), district=np.asarray(model.world.district_of),
        sdf_held=model.villages.sdf_held.copy(), truce_threshold=float(model.p.allegiance_truce_threshold),
        sdf_recruits=dict(model.mechanisms.sdf_recruitment.recruits), events=list(model.event_log),
        initial_influence=day_one[0],
    )
    record.at_start = replace(
        record, monthly=pd.DataFrame([day_one_row]),
        **{k: np.array([x]) for k, x in zip(("influence", "violence", "zakat", "pledged", "vacuum", "stronghold",
                                              "cells_east", "fighters_sdf_land"), day_one, strict=True)},
        sdf_recruits={"local": 0, "external": 0}, events=[e for e in model.event_log if e["day"] == 0],
    )
    return record


def start_runs(runs: dict[str, RunRecord]) -> dict[str, RunRecord]:
    """The day-one records of one seed's runs, by variant key."""
    return {k: r.at_start for k, r in runs.items() if r.at_start is not None}
