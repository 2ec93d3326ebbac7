"""The observed record loads, is checked, and refuses corrupt files with a clear error."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim.errors import InputError
from sim.observed import FIT_END, RIC_MONTHLY, load_ric, load_ric_annual, mapped_share, regional_shares


def test_shipped_record_loads_with_types_and_attribution():
    df = load_ric()
    assert len(df) > 10
    assert df["month"].dtype == pd.PeriodDtype("M")
    assert df["month"].max() <= pd.Period(FIT_END, freq="M")
    assert str(df["attacks"].dtype) == "Int64"
    assert df["source"].str.len().gt(0).all()
    assert (Path(RIC_MONTHLY).parent / "README.md").exists()


def test_annual_totals_match_the_monthly_record_where_both_exist():
    annual = load_ric_annual().set_index("year")
    monthly = load_ric()
    y2019 = monthly[monthly["month"].dt.year == 2019]
    # the monthly rows cover only part of 2019, so they must not exceed the annual total
    assert y2019["attacks"].sum() <= annual.loc[2019, "attacks"]
    assert annual.loc[2019, "attacks"] > annual.loc[2021, "attacks"]


def test_regional_shares_sum_to_one_and_deir_ez_zor_leads():
    shares = regional_shares()
    assert shares.sum() == pytest.approx(1.0)
    assert shares.idxmax() == "deir_ez_zor"
    assert 0 < mapped_share() <= 1


def test_until_cuts_later_rows(tmp_path):
    text = RIC_MONTHLY.read_text(encoding="utf-8").rstrip("\n")
    late = text.splitlines()[-1].replace("2021-10", "2022-01", 1)
    f = tmp_path / "ric.csv"
    f.write_text(text + "\n" + late + "\n", encoding="utf-8")
    assert load_ric(f)["month"].max() == pd.Period("2021-10", freq="M")
    assert load_ric(f, until=None)["month"].max() == pd.Period("2022-01", freq="M")


def _corrupt(tmp_path, old: str, new: str) -> Path:
    text = RIC_MONTHLY.read_text(encoding="utf-8")
    assert old in text
    f = tmp_path / "ric.csv"
    f.write_text(text.replace(old, new, 1), encoding="utf-8")
    return f


@pytest.mark.parametrize(("old", "new", "key"), [
    ("2019-06,85,", "2019-6,85,", "column month"),
    ("2019-06,85,", "2019-05,85,", "month=2019-05"),
    ("2019-06,85,", "2019-06,-5,", "column attacks"),
    ("2019-06,85,", "2019-06,eighty,", "column attacks"),
    ("2020-01,50,37,40,", "2020-01,50,37,90,", "columns deir_ez_zor"),
    ("2020-01,50,37,", "2020-01,50,70,", "column isis_claimed"),
    ("month,attacks", "mois,attacks", "month"),
])
def test_corrupt_file_names_file_row_and_column(tmp_path, old, new, key):
    f = _corrupt(tmp_path, old, new)
    with pytest.raises(InputError) as err:
        load_ric(f)
    assert str(f) in str(err.value)
    assert key in str(err.value)


def test_missing_and_binary_files_are_clear_errors(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        load_ric(tmp_path / "nothing.csv")
    f = tmp_path / "bin.csv"
    f.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(InputError, match="UTF-8"):
        load_ric(f)
