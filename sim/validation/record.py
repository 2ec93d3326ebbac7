"""What validation keeps of one run: monthly tables, village snapshots at each month end, and day one.

The day-one snapshot (taken at the end of the first simulated day, so that events dated on the
start, such as the al-Karama bargain struck in 2017, are in it) lets every fact report its value
on the starting state: a fact that already passes there is not something the model produced.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from functools import cache
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
    region_share_of_is: float  # the run's own: drawn over a posterior, so not the default
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


#: the arrays a record keeps per month, in :func:`_snapshot`'s order
SNAPSHOT = ("influence", "violence", "zakat", "pledged", "vacuum", "stronghold", "cells_east", "fighters_sdf_land")
START = "start_"  # prefix of the day-one arrays


@cache
def recording_model() -> type:
    """``InsurgencyModel`` that also snapshots the villages on day one and at every month end (read-only)."""
    from sim.model import InsurgencyModel

    class RecordingModel(InsurgencyModel):
        def last_day_of_step(self) -> int:
            # day one alone, so that its step ends on it (later steps may do several days: a month end is always
            # a step's last day)
            return 0 if self.day == 0 else super().last_day_of_step()

        def step(self) -> None:
            super().step()
            if self.day == 0:
                self.__dict__["day_one"] = (_snapshot(self), _state_row(self))

        def month_end(self) -> None:
            super().month_end()
            self.__dict__.setdefault("month_snapshots", []).append(_snapshot(self))

    return RecordingModel


def record_arrays(model: Any) -> dict[str, np.ndarray]:
    """What a finished recording run keeps beyond its monthly table and events, as plain arrays."""
    day_one, day_one_row = model.day_one
    months = [np.array(c) for c in zip(*model.month_snapshots, strict=True)]
    recruits = dict(model.mechanisms.sdf_recruitment.recruits)
    return {
        **dict(zip(SNAPSHOT, months, strict=True)),
        **{START + k: np.array([x]) for k, x in zip(SNAPSHOT, day_one, strict=True)},
        "start_row_names": np.array(list(day_one_row), dtype=str),
        "start_row_values": np.array([float(x) for x in day_one_row.values()]),
        "start_date": np.array(model.start_date.isoformat()),
        "zone": np.asarray(model.world.zone_of, dtype=str), "district": np.asarray(model.world.district_of, dtype=str),
        "sdf_held": model.villages.sdf_held.copy(),
        "truce_threshold": np.array(float(model.p.allegiance_truce_threshold)),
        "region_share_of_is": np.array(float(model.p.region_share_of_is)),
        "sdf_recruit_kinds": np.array(list(recruits), dtype=str),
        "sdf_recruit_counts": np.array(list(recruits.values()), dtype=np.int64),
    }


def record_of(variant: str, rep: int, seed: int, monthly: pd.DataFrame, events: list[dict[str, Any]],
              arrays: dict[str, np.ndarray]) -> RunRecord:
    """The :class:`RunRecord` of a run from its monthly table, events and :func:`record_arrays`."""
    recruits = {str(k): int(n) for k, n in zip(arrays["sdf_recruit_kinds"], arrays["sdf_recruit_counts"], strict=True)}
    if "region_share_of_is" in arrays:
        region_share = float(arrays["region_share_of_is"])
    else:  # a run stored before the record kept it: validations then always ran at the default
        from sim.parameters import Parameters

        region_share = float(Parameters().region_share_of_is)
    record = RunRecord(
        variant=variant, rep=rep, seed=seed, start=dt.date.fromisoformat(str(arrays["start_date"])),
        monthly=monthly.reset_index(drop=True), **{k: arrays[k] for k in SNAPSHOT},
        zone=arrays["zone"], district=arrays["district"], sdf_held=arrays["sdf_held"],
        truce_threshold=float(arrays["truce_threshold"]), region_share_of_is=region_share, sdf_recruits=recruits,
        events=list(events),
        initial_influence=arrays[START + "influence"][0],
    )
    start_row = dict(zip(arrays["start_row_names"].tolist(), arrays["start_row_values"].tolist(), strict=True))
    record.at_start = replace(
        record, monthly=pd.DataFrame([start_row]), **{k: arrays[START + k] for k in SNAPSHOT},
        sdf_recruits=dict.fromkeys(("local", "external"), 0), events=[e for e in events if e["day"] == 0],
    )
    return record


@dataclass(frozen=True)
class ValidationProbe:
    """The batch engine's probe (:mod:`sim.batch.probe`) that keeps what the facts need of each run."""

    name: str = "record"

    @property
    def model_class(self) -> type:
        """The recording model."""
        return recording_model()

    def collect(self, model: Any) -> dict[str, np.ndarray]:
        """See :func:`record_arrays`."""
        return record_arrays(model)


def record_run(variant: Variant, rep: int, seed: int, months: int) -> RunRecord:
    """Run one variant for one seed in this process, without the batch engine, and keep what the facts need."""
    from sim.scenario import load_scenario

    scenario = load_scenario(variant.scenario, months=months, **variant.params)
    model = recording_model()(scenario, rng=seed).run()
    return record_of(variant.key, rep, seed, model.monthly_frame(), model.event_log, record_arrays(model))


def start_runs(runs: dict[str, RunRecord]) -> dict[str, RunRecord]:
    """The day-one records of one seed's runs, by variant key."""
    return {k: r.at_start for k, r in runs.items() if r.at_start is not None}
