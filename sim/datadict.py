"""The data dictionary of a results folder: ``datapackage.json``, and tables typed as they read.

Every results folder (``insim batch``, ``insim run --out``) carries a ``datapackage.json`` in the
Frictionless Data "Tabular Data Package" form (https://specs.frictionlessdata.io/data-package/,
https://specs.frictionlessdata.io/table-schema/): one resource per table written (``runs``,
``monthly``, ``villages``, ``incidents``), each field with its name, Table Schema type
(``integer``, ``number``, ``boolean``, ``date``, ``string``), a description and, where known, a
unit. Descriptions come from where each column is defined: outcomes from
:data:`sim.outcomes.DESCRIPTIONS`, swept parameters from :func:`sim.parameters.parameter_table`,
the run's identifiers and the village columns from :data:`COLUMN_DESCRIPTIONS` below.

Before the tables are written, :func:`tidy_table` makes their types say what they hold: dates
are dates, counts are integers (a concatenation with a missing value leaves them as floats), and
switches stay booleans. :func:`tidy_runs` names the runs table's columns by what they hold: an
outcome counted per month that has a run total ``total_<name>`` (e.g. ``killings``) is read at
the run's last month under ``last_month_<name>``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.outcomes import DESCRIPTIONS, OUTCOMES

#: the file name of the data dictionary in a results folder
DATAPACKAGE = "datapackage.json"

#: prefixes of the runs table's derived outcome columns
TOTAL_PREFIX = "total_"
LAST_MONTH_PREFIX = "last_month_"

#: outcomes counted per month (flows): their descriptions say "this month"
MONTHLY_FLOWS: tuple[str, ...] = tuple(k for k in OUTCOMES if "this month" in DESCRIPTIONS[k])

#: columns that are not outcomes: identifiers, run bookkeeping, village state
COLUMN_DESCRIPTIONS: dict[str, str] = {
    "run_id": "identifier of the run (its record in parts/runs-*.json, or its folder runs/<run_id>)",
    "scenario": "scenario name",
    "rep": "replication index; replication k of every scenario runs on the same seed",
    "seed": "random seed of the run",
    "status": "ok, failed or lost",
    "error": "the error of a failed run",
    "n_months": "months simulated",
    "n_events": "scenario events that fired",
    "month": "month of the run, from 1",
    "date": "last day of the month simulated",
    "village": "village name",
    "name": "village name",
    "x": "map column of the village",
    "y": "map row of the village",
    "zone": "zone of the map the village lies in",
    "district": "district of the village",
    "governorate": "governorate of the village",
    "influence": "IS influence over the village at the run's end (0 none, 1 full)",
    "trust": "trust in the administration at the run's end (0 none, 1 full)",
    "stronghold_score": "stronghold criteria the village meets at the run's end",
    "zakat_usd": "zakat paid to IS by the village over the run",
    "kind": "incident kind",
    "count": "incidents of this kind in the village that month",
}

#: units by column name; outcomes not listed get theirs from :func:`unit_of`
UNITS: dict[str, str] = {
    "is_fighters": "people", "is_supporters": "people", "detainees": "people", "sdf_strength_south": "people",
    "is_cells": "cells", "traders_active": "traders", "strongholds": "villages",
    "councils_without_chairman": "villages", "pledged_villages": "villages", "n_months": "months",
    "month": "months", "zakat_usd": "USD", "count": "incidents",
}


def unit_of(name: str) -> str | None:
    """The unit of column ``name`` where it is known (None otherwise)."""
    base = name.removeprefix(TOTAL_PREFIX).removeprefix(LAST_MONTH_PREFIX)
    if base in UNITS:
        return UNITS[base]
    if base.endswith("_usd"):
        return "USD"
    if "share" in base or base == "coalition_present":
        return "share (0-1)"
    if base.startswith(("influence", "mean_influence", "mean_trust", "mean_fear")):
        return "index (0-1)"
    if base in MONTHLY_FLOWS:
        return "incidents"
    return None


def tidy_runs(runs: pd.DataFrame) -> pd.DataFrame:
    """The runs table with monthly flows read at the last month renamed ``last_month_<name>``."""
    renames = {k: LAST_MONTH_PREFIX + k for k in OUTCOMES if k in runs.columns and TOTAL_PREFIX + k in runs.columns}
    return tidy_table(runs.rename(columns=renames))


#: units of counted things: columns in them are whole numbers
COUNT_UNITS: frozenset[str] = frozenset(("people", "cells", "traders", "villages", "incidents", "months"))

#: identifier columns that are whole numbers
WHOLE_IDS: frozenset[str] = frozenset(("rep", "seed", "n_events", "x", "y"))


def is_count(name: str) -> bool:
    """Whether column ``name`` counts something (so it is written as an integer)."""
    return name in WHOLE_IDS or unit_of(name) in COUNT_UNITS


def tidy_table(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with ISO-date text as dates and counts stored as floats as integers."""
    out = frame.copy(deep=False)  # columns replaced below, never changed in place: the others shared, not copied
    for column in out.columns:
        values = out[column]
        if column == "date" and pd.api.types.is_string_dtype(values):
            out[column] = iso_dates(values)
        elif values.dtype.kind == "f" and is_count(column) and _whole(values):
            out[column] = values.astype("Int64" if values.isna().any() else "int64")
    return out


def iso_dates(values: pd.Series) -> pd.Series:
    """ISO-date text as dates, each distinct text parsed once (a batch's tables repeat a few months'
    dates on many rows; parsing each row was most of the cost of tidying them)."""
    codes, texts = pd.factorize(values)
    if not len(texts):  # nothing but missing values: pandas' own choice of type
        return pd.to_datetime(values, format="ISO8601")
    dates = pd.DatetimeIndex(pd.to_datetime(texts, format="ISO8601"))
    return pd.Series(dates.take(codes, allow_fill=True, fill_value=pd.NaT), index=values.index, name=values.name)


def _whole(values: pd.Series) -> bool:
    """Whether ``values`` has a value that is not missing and all such are finite whole numbers."""
    array = values.to_numpy(dtype=np.float64, na_value=np.nan)
    finite = array[~np.isnan(array)]
    return bool(len(finite)) and bool(np.all(np.isfinite(finite))) and bool(np.all(finite == np.round(finite)))


def table_type(dtype: Any) -> str:
    """The Frictionless Table Schema type of a pandas dtype."""
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_integer_dtype(dtype):
        return "integer"
    if pd.api.types.is_float_dtype(dtype):
        return "number"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "date"
    return "string"


def describe_column(name: str, parameters: Mapping[str, Mapping[str, Any]] | None = None) -> str:
    """What column ``name`` holds, from the outcome descriptions, the parameter table or the ids."""
    if name in COLUMN_DESCRIPTIONS:
        return COLUMN_DESCRIPTIONS[name]
    if name.startswith(TOTAL_PREFIX) and name.removeprefix(TOTAL_PREFIX) in DESCRIPTIONS:
        return "total over the run of: " + DESCRIPTIONS[name.removeprefix(TOTAL_PREFIX)]
    if name.startswith(LAST_MONTH_PREFIX) and name.removeprefix(LAST_MONTH_PREFIX) in DESCRIPTIONS:
        return "in the run's last month: " + DESCRIPTIONS[name.removeprefix(LAST_MONTH_PREFIX)]
    if name in DESCRIPTIONS:
        return DESCRIPTIONS[name]
    if parameters and name in parameters:
        return f"model parameter (swept or set): {parameters[name]['description']}"
    return ""


def field(name: str, dtype: Any, table: str, parameters: Mapping[str, Mapping[str, Any]] | None = None) -> dict:
    """One Table Schema field: name, type, description and unit where known."""
    description = describe_column(name, parameters)
    if table == "runs" and name in OUTCOMES:  # the runs table holds the state at the run's end
        description = "at the run's last month: " + description
    out: dict[str, Any] = {"name": name, "type": table_type(dtype), "description": description}
    unit = unit_of(name)
    if unit is None and parameters and name in parameters and parameters[name].get("unit"):
        unit = str(parameters[name]["unit"])
    if unit:
        out["unit"] = unit
    return out


def parameter_info() -> dict[str, dict[str, Any]]:
    """The parameter table by name (description and unit of each swept parameter)."""
    from sim.parameters import parameter_table

    table = parameter_table()
    return {row["parameter"]: {"description": row["description"], "unit": row["unit"]}
            for row in table.to_dict(orient="records")}


def datapackage(tables: Mapping[str, tuple[Path, pd.DataFrame]], title: str) -> dict[str, Any]:
    """The data package describing ``tables`` (name -> (file written, its frame))."""
    parameters = parameter_info()
    resources = []
    for name, (path, frame) in tables.items():
        resources.append({
            "name": name, "path": path.name, "profile": "tabular-data-resource",
            "format": path.suffix.lstrip("."),
            "schema": {"fields": [field(c, frame[c].dtype, name, parameters) for c in frame.columns]},
        })
    return {"profile": "tabular-data-package", "name": "insim-results", "title": title, "resources": resources}


def write_datapackage(out: Path, tables: Mapping[str, tuple[Path, pd.DataFrame]], title: str) -> Path:
    """Write ``out/datapackage.json`` for ``tables`` (whole or not at all); returns its path."""
    from sim.batch.store import atomic_write

    text = json.dumps(datapackage(tables, title), indent=2) + "\n"
    atomic_write(out / DATAPACKAGE, lambda p: p.write_text(text))
    return out / DATAPACKAGE
