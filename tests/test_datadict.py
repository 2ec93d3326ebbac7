"""Every results folder carries datapackage.json; its tables are typed as they read."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim import cli
from sim.batch import batch, load_results
from sim.batch.store import find_table
from sim.datadict import DATAPACKAGE, describe_column, iso_dates, table_type, tidy_runs, tidy_table, unit_of
from sim.model import InsurgencyModel
from sim.outcomes import DESCRIPTIONS
from sim.parameters import parameter_table
from sim.scenario import load_scenario


@pytest.fixture(scope="module")
def swept(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dd") / "batch"
    batch(["baseline"], reps=1, seed=2, sets={"months": 2}, sweep={"zakat_min_usd": [500, 1000]}, out=out, workers=1)
    return out


def _package(folder: Path) -> dict:
    return json.loads((folder / DATAPACKAGE).read_text())


def test_datapackage_describes_every_table_and_column(swept: Path) -> None:
    package = _package(swept)
    resources = {r["name"]: r for r in package["resources"]}
    assert set(resources) == {"runs", "monthly", "villages", "incidents"}
    for name, resource in resources.items():
        frame = pd.read_parquet(swept / resource["path"]) if resource["format"] == "parquet" else None
        if frame is None:
            frame = pd.read_csv(find_table(swept, name))
        fields = resource["schema"]["fields"]
        assert [f["name"] for f in fields] == list(frame.columns)
        assert all(f["description"] for f in fields), [f["name"] for f in fields if not f["description"]]
    monthly = {f["name"]: f for f in resources["monthly"]["schema"]["fields"]}
    assert monthly["date"]["type"] == "date" and monthly["killings"]["type"] == "integer"
    assert monthly["killings"]["description"] == DESCRIPTIONS["killings"]
    assert monthly["is_treasury_usd"]["unit"] == "USD" and monthly["mean_trust"]["type"] == "number"
    wanted = parameter_table().set_index("parameter").loc["zakat_min_usd", "description"]
    assert wanted in monthly["zakat_min_usd"]["description"]  # a swept parameter, from the parameter table
    runs = {f["name"]: f for f in resources["runs"]["schema"]["fields"]}
    assert runs["total_killings"]["description"].startswith("total over the run")
    assert runs["last_month_killings"]["description"].startswith("in the run's last month")
    assert "killings" not in runs


def test_written_tables_hold_dates_and_integer_counts(swept: Path) -> None:
    results = load_results(swept)
    assert pd.api.types.is_datetime64_any_dtype(results.monthly["date"])
    for column in ("killings", "zakat_demands", "is_fighters", "strongholds", "rep", "seed"):
        assert pd.api.types.is_integer_dtype(results.monthly[column]), column
    assert pd.api.types.is_integer_dtype(results.runs["total_attacks"])
    # the runs table's last-month count is the monthly table's last row
    last = results.monthly.sort_values("month").groupby("run_id")["attacks"].last()
    stored = results.runs.set_index("run_id")["last_month_attacks"]
    pd.testing.assert_series_equal(stored, last.loc[stored.index], check_names=False)


def test_tidy_makes_counts_whole_and_leaves_fractions() -> None:
    frame = pd.DataFrame({"date": ["2019-01-31", "2019-02-28"], "killings": [1.0, np.nan],
                          "mean_trust": [1.0, 0.0], "is_fighters": [3.0, 4.0], "flag": [True, False]})
    tidy = tidy_table(frame)
    assert pd.api.types.is_datetime64_any_dtype(tidy["date"])
    assert str(tidy["killings"].dtype) == "Int64" and tidy["killings"].isna().sum() == 1
    assert tidy["mean_trust"].dtype == float and tidy["is_fighters"].dtype == np.int64
    assert tidy["flag"].dtype == bool and table_type(tidy["flag"].dtype) == "boolean"
    runs = tidy_runs(pd.DataFrame({"killings": [2], "total_killings": [9], "ric_attacks": [1]}))
    assert list(runs.columns) == ["last_month_killings", "total_killings", "ric_attacks"]  # no total: kept


@pytest.mark.parametrize("texts", [["2019-05-01", None, "2019-06-01", "2019-05-01", "2021-12-01T00:00:00"],
                                   [None, None], ["2020-02-29"] * 3, []])
def test_dates_parsed_once_each_are_what_pandas_parses_row_by_row(texts: list[str | None]) -> None:
    values = pd.Series(texts, dtype="str", index=range(10, 10 + len(texts)), name="date")
    expected = pd.to_datetime(values, format="ISO8601")
    pd.testing.assert_series_equal(iso_dates(values), expected)
    assert tidy_table(values.to_frame())["date"].equals(expected)


def test_units_and_descriptions_of_derived_names() -> None:
    assert unit_of("total_zakat_revenue_usd") == "USD" and unit_of("total_killings") == "incidents"
    assert unit_of("sdf_local_share") == "share (0-1)" and unit_of("no_such_column") is None
    assert describe_column("no_such_column") == ""


def test_run_out_is_a_one_run_batch_equal_to_the_plain_run(tmp_path: Path) -> None:
    out = tmp_path / "one"
    assert cli.main(["run", "baseline", "--set", "months=3", "--seed", "4", "--out", str(out)]) == 0
    results = load_results(out)  # read as any batch
    assert len(results.runs) == 1 and int(results.runs.loc[0, "seed"]) == 4
    assert {r["name"] for r in _package(out)["resources"]} >= {"runs", "monthly", "villages"}
    model = InsurgencyModel(load_scenario("baseline", months=3), rng=4)
    model.run()
    plain = model.monthly_frame()
    stored = results.monthly[plain.columns].assign(date=lambda f: f["date"].dt.strftime("%Y-%m-%d"))
    pd.testing.assert_frame_equal(stored, plain, check_dtype=False)
