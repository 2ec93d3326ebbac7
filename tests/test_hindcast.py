"""The hindcast's comparisons on synthetic numbers, and ``insim hindcast`` end to end."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim import cli
from sim.errors import InputError
from sim.hindcast import band, compare, format_report, runs_by_month
from sim.observed import load_ric, load_ric_annual

HEADER = "month,attacks,isis_claimed,deir_ez_zor,raqqa,hasaka,other_nes,raids,arrests,derived,note,source\n"
N_RUNS = 10


@pytest.fixture()
def observed(tmp_path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A small record: some months with every region, some with one, one after the fitting window."""
    monthly = tmp_path / "ric.csv"
    monthly.write_text(HEADER + "\n".join([
        "2019-06,100,,60,20,10,10,,,,,s",
        "2019-09,50,,,,,,,,,,s",
        "2020-02,40,,30,,,,,,,,s",
        "2021-03,20,,12,4,4,0,,,,,s",
        "2022-01,5,,5,0,0,0,,,,,s",
    ]) + "\n")
    annual = tmp_path / "annual.csv"
    annual.write_text("year,attacks,isis_claimed,raids,arrests,arrests_is_lower_bound,source\n"
                      "2019,600,,,,,s\n2021,240,,,,,s\n")
    return load_ric(monthly, until=None), load_ric_annual(annual, until=None)


@pytest.fixture()
def model_monthly() -> pd.DataFrame:
    """Run k (1..10) counts k attacks every month, 2k in Deir ez-Zor, k in Raqqa, k in al-Hasaka."""
    dates = pd.date_range("2019-04-01", "2022-12-01", freq="MS").strftime("%Y-%m-%d")
    rows = [{"run_id": f"r{k:02d}", "date": d, "ric_attacks": k, "ric_attacks_deir_ez_zor": 2 * k,
             "ric_attacks_raqqa": k, "ric_attacks_hasaka": k} for k in range(1, N_RUNS + 1) for d in dates]
    return pd.DataFrame(rows)


# the band of 1..10 (numpy's linear percentiles): 10% at 1 + 0.9, median 5.5, 90% at 1 + 8.1
P10, MEDIAN, P90 = 1.9, 5.5, 9.1
SHARE = (90 + 20) / (100 + 20)  # mapped share pooled over the two months with every region (to 2021-12)


def test_band_and_pivot() -> None:
    assert band(range(1, 11)) == pytest.approx({"median": MEDIAN, "p10": P10, "p90": P90})
    assert band([np.nan]) == {"median": None, "p10": None, "p90": None}
    frame = pd.DataFrame({"run_id": ["a", "a", "b"], "date": ["2019-04-01", "2019-05-01", "2019-04-01"],
                          "ric_attacks": [1, 2, 3]})
    table = runs_by_month(frame)
    assert list(table.columns) == ["a", "b"] and str(table.index[0]) == "2019-04"
    assert table.loc[pd.Period("2019-04", "M"), "b"] == 3
    with pytest.raises(InputError, match="ric_attacks"):
        runs_by_month(frame.drop(columns="ric_attacks"))
    with pytest.raises(InputError, match="2 scenarios"):
        runs_by_month(frame.assign(scenario=["x", "x", "y"]))


def test_years_annual_pro_rated_reported_months_and_projection(observed, model_monthly) -> None:
    monthly, annual = observed
    years = compare(model_monthly, monthly, annual, fit_end="2021-12")["years"]
    assert set(years) == {"2019", "2020", "2021", "2022"}
    y19 = years["2019"]  # the run covers April-December: 9 months of k
    assert y19["observed"] == 600 and y19["coverage"] == pytest.approx(0.75)
    assert y19["observed_mapped"] == pytest.approx(600 * SHARE * 0.75)
    assert (y19["median"], y19["p10"], y19["p90"]) == pytest.approx((9 * MEDIAN, 9 * P10, 9 * P90))
    assert y19["ratio"] == pytest.approx(9 * MEDIAN / (600 * SHARE * 0.75))
    assert y19["reported_months"]["months"] == ["2019-06", "2019-09"]
    assert y19["reported_months"]["observed"] == 150 and y19["reported_months"]["median"] == pytest.approx(2 * MEDIAN)
    y20 = years["2020"]  # no annual total: only the one reported month counts, the others are missing
    assert y20["basis"] == "reported months" and y20["months"] == ["2020-02"]
    assert y20["observed"] == 40 and y20["median"] == pytest.approx(MEDIAN)
    assert y20["ratio"] == pytest.approx(MEDIAN / (40 * SHARE))
    y21 = years["2021"]
    assert y21["observed"] == 240 and y21["coverage"] == 1.0 and y21["median"] == pytest.approx(12 * MEDIAN)
    y22 = years["2022"]  # after the fitting window: a projection, with no observed count
    assert y22["projection"] is True and "observed" not in y22 and y22["median"] == pytest.approx(12 * MEDIAN)


def test_months_regions_and_json_shape(observed, model_monthly) -> None:
    monthly, annual = observed
    report = compare(model_monthly, monthly, annual, fit_end="2021-12")
    assert report["meta"]["mapped_share"] == pytest.approx(SHARE)
    rows = {r["month"]: r for r in report["monthly"]}
    assert len(rows) == 45  # April 2019 - December 2022
    june = rows["2019-06"]
    assert june["observed"] == 100 and june["observed_mapped"] == pytest.approx(100 * SHARE)
    assert (june["median"], june["p10"], june["p90"]) == pytest.approx((MEDIAN, P10, P90))
    assert rows["2019-04"]["observed"] is None  # not reported: missing, not zero
    assert rows["2022-01"]["observed"] is None and rows["2022-01"]["projection"] is True  # after the window
    deir, raqqa = report["regions"]["deir_ez_zor"], report["regions"]["raqqa"]
    assert deir["months"] == ["2019-06", "2020-02", "2021-03"] and deir["observed"] == 102
    assert deir["median"] == pytest.approx(3 * 2 * MEDIAN) and deir["ratio"] == pytest.approx(33 / 102)
    assert raqqa["observed"] == 24 and raqqa["median"] == pytest.approx(2 * MEDIAN)
    assert deir["share_months"] == ["2019-06", "2021-03"]
    assert deir["observed_share"] == pytest.approx(72 / 110) and deir["median_share"] == pytest.approx(0.5)
    assert raqqa["observed_share"] == pytest.approx(24 / 110) and raqqa["median_share"] == pytest.approx(0.25)
    # the JSON the issue specifies (plain values, these keys), with extra fields alongside
    data = json.loads(json.dumps(report))
    assert {"years", "regions", "monthly"} <= set(data)
    assert {"observed", "median", "p10", "p90", "ratio"} <= set(data["years"]["2019"])
    assert {"observed_share", "median_share"} <= set(data["regions"]["hasaka"])
    assert {"month", "observed", "median", "p10", "p90"} <= set(data["monthly"][0])
    text = format_report(report)
    assert "projection" in text and "Deir ez-Zor" in text and "2020-02" in text


def test_hindcast_command_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Two short runs of history through the CLI: table, JSON and figure (needs the ric_attacks outcomes)."""
    out, json_file = tmp_path / "hc", tmp_path / "hindcast.json"
    code = cli.main(["hindcast", "history", "--reps", "2", "--workers", "1", "--set", "months=10", "--quiet",
                     "--out", str(out), "--json", str(json_file)])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    data = json.loads(json_file.read_text())
    assert set(data["years"]) == {"2019", "2020"} and data["years"]["2019"]["observed"] == 906
    assert len(data["monthly"]) == 10 and data["meta"]["n_runs"] == 2
    assert (out / "hindcast.png").stat().st_size > 0 and (out / "hindcast.json").read_text() == json_file.read_text()
    assert "By year:" in printed.out and "By governorate" in printed.out


@pytest.mark.parametrize(("args", "message"), [
    (["--reps", "0"], "--reps"),
    (["histroy", "--reps", "1"], "did you mean 'history'"),
    (["--reps", "1", "--workers", "0"], "--workers"),
    (["--reps", "1", "--set", "no_such_parameter=1"], "no_such_parameter"),
])
def test_bad_input_exits_2_and_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                              args: list[str], message: str) -> None:
    out = tmp_path / "never"
    assert cli.main(["hindcast", *args, "--out", str(out)]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_unwritable_out_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    for out in (blocker, blocker / "sub"):
        assert cli.main(["hindcast", "--reps", "1", "--out", str(out)]) == 2
        assert str(blocker) in capsys.readouterr().err


# ------------------------------------------------------------------------------- out of sample
# made-up counts for the tests (the project holds no record after 2021 on purpose)
LATER = HEADER + "\n".join([
    "2021-11,10,,,,,,,,,,made up",
    "2022-01,5,,3,1,1,0,,,,,made up",
    "2022-02,20,,,,,,,,,,made up",
    "2024-05,3,,,,,,,,,,made up",
]) + "\n"


def test_out_of_sample_months_years_and_summary(tmp_path: Path, model_monthly: pd.DataFrame) -> None:
    from sim.hindcast.out_of_sample import compare_out_of_sample, format_out_of_sample, load_later

    path = tmp_path / "later.csv"
    path.write_text(LATER)
    later, left_out = load_later(path, pd.Period("2019-04", freq="M"), pd.Period("2022-12", freq="M"))
    assert [str(m) for m in later["month"]] == ["2022-01", "2022-02"]
    assert left_out == {"fit_period_rows": 1, "after_run": ["2024-05"]}
    test = compare_out_of_sample(model_monthly, later, share=1.0, left_out=left_out, source="later.csv")
    jan, feb = test["months"]
    # runs count 1..10 a month: band [1.9, 9.1], median 5.5
    assert jan["inside_band"] is True and jan["ratio"] == pytest.approx(MEDIAN / 5)
    assert feb["inside_band"] is False and feb["ratio"] == pytest.approx(MEDIAN / 20)
    s = test["summary"]
    assert (s["months_compared"], s["months_inside_band"], s["share_inside_band"]) == (2, 1, 0.5)
    assert s["median_log_ratio"] == pytest.approx((np.log(MEDIAN / 5) + np.log(MEDIAN / 20)) / 2)
    # the year: each run's sum over the two months is 2k, so the band is [3.8, 18.2] and 25 lies outside
    year = test["years"]["2022"]
    assert (year["observed"], year["inside_band"]) == (25, False)
    assert (year["p10"], year["median"], year["p90"]) == pytest.approx((2 * P10, 2 * MEDIAN, 2 * P90))
    # governorates: only January reports every region; the model's Deir ez-Zor share is 2k / 4k
    assert test["regions"]["deir_ez_zor"]["observed_share"] == pytest.approx(3 / 5)
    assert test["regions"]["deir_ez_zor"]["median_share"] == pytest.approx(0.5)
    text = format_out_of_sample(test)
    assert "1 of 2 months inside the band" in text and "2024-05" in text and "1 row up to" in text
    # a scaled record: every count times the share before it is judged
    scaled = compare_out_of_sample(model_monthly, later, share=0.3)
    assert scaled["months"][1]["observed_mapped"] == pytest.approx(6.0) and scaled["months"][1]["inside_band"]


@pytest.mark.parametrize(("rows", "message"), [
    (["2021-11,10,,,,,,,,,,made up"], "no month after 2021-12"),
    (["2024-05,3,,,,,,,,,,made up"], "inside the run"),
    (["2022-01,x,,,,,,,,,,made up"], "not a count"),
])
def test_out_of_sample_bad_files_exit_2_before_any_run(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                       rows: list[str], message: str) -> None:
    path, out = tmp_path / "later.csv", tmp_path / "never"
    path.write_text(HEADER + "\n".join(rows) + "\n")
    assert cli.main(["hindcast", "--reps", "1", "--out", str(out), "--out-of-sample", str(path)]) == 2
    err = capsys.readouterr().err
    assert message in err and str(path) in err
    assert not out.exists()


def test_out_of_sample_through_the_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Two runs of history to January 2022 (34 months) against a made-up January and May."""
    path, out = tmp_path / "later.csv", tmp_path / "hc"
    path.write_text(HEADER + "2022-01,5,,3,1,1,0,,,,,made up\n2022-05,7,,,,,,,,,,made up\n")
    code = cli.main(["hindcast", "history", "--reps", "2", "--workers", "1", "--set", "months=34", "--quiet",
                     "--out", str(out), "--out-of-sample", str(path)])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    data = json.loads((out / "hindcast.json").read_text())
    test = data["out_of_sample"]
    assert [m["month"] for m in test["months"]] == ["2022-01"]
    assert test["summary"]["left_out"]["after_run"] == ["2022-05"]
    assert test["summary"]["mapped_share"] == data["meta"]["mapped_share"]
    assert "Out of sample" in printed.out and "Out of sample" in (out / "hindcast.txt").read_text()
