"""The observed record: the Rojava Information Center's monthly counts of IS attacks, 2019-2021.

The files live in ``data/observed/`` with their README and attribution. This module reads them,
checks every column (a corrupt file stops with an :class:`~sim.errors.InputError` naming the file,
the row's month and the column), and derives the few summaries the hindcast and the calibration
compare the model with.

Only data up to December 2021 are used for fitting and tuning (:data:`FIT_END`): later years are
the out-of-sample test of the calibrated model.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.errors import InputError
from sim.resources import observed_dir

#: Folder of the observed files (``data/observed/`` in a checkout, packaged in a wheel).
OBSERVED_DIR = observed_dir()
#: The monthly file and the annual file.
RIC_MONTHLY = OBSERVED_DIR / "ric_nes_2019_2021.csv"
RIC_ANNUAL = OBSERVED_DIR / "ric_annual.csv"
#: Last month that fitting and tuning may use.
FIT_END = "2021-12"

#: Regions of the monthly file: the three on the model's map and the rest of NES.
MAPPED_REGIONS: tuple[str, ...] = ("deir_ez_zor", "raqqa", "hasaka")
REGIONS: tuple[str, ...] = (*MAPPED_REGIONS, "other_nes")
COUNT_COLUMNS: tuple[str, ...] = ("attacks", "isis_claimed", *REGIONS, "raids", "arrests")
MONTHLY_COLUMNS: tuple[str, ...] = ("month", *COUNT_COLUMNS, "derived", "note", "source")
ANNUAL_COLUMNS: tuple[str, ...] = ("year", "attacks", "isis_claimed", "raids", "arrests",
                                   "arrests_is_lower_bound", "source")


def _read(path: Path, required: tuple[str, ...]) -> pd.DataFrame:
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except FileNotFoundError:
        raise InputError(path, None, "the observed-data file does not exist") from None
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(path, None, f"not a readable UTF-8 CSV file ({exc.__class__.__name__})",
                         allowed="comma-separated UTF-8 text with a header row") from None
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise InputError(path, ", ".join(missing), "missing column(s)", allowed=", ".join(required))
    return df


def _counts(df: pd.DataFrame, path: Path, columns: tuple[str, ...], key: str) -> None:
    """Turn count columns into nullable integers, refusing anything but empty or a whole number >= 0."""
    for col in columns:
        text = df[col].str.strip()
        ok = text.eq("") | text.str.fullmatch(r"\d+")
        if not ok.all():
            bad = int(np.argmax(~ok.to_numpy()))
            raise InputError(path, f"{key}={df[key].iloc[bad]}, column {col}",
                             f"{text.iloc[bad]!r} is not a count", allowed="empty or a whole number >= 0")
        df[col] = pd.array([int(t) if t else pd.NA for t in text], dtype="Int64")


def load_ric(path: str | Path | None = None, until: str | None = FIT_END) -> pd.DataFrame:
    """RIC's monthly counts, one row a reported month (missing months are absent, not zero).

    Args:
        path: the CSV file; default ``data/observed/ric_nes_2019_2021.csv``.
        until: last month kept (``YYYY-MM``); the default is :data:`FIT_END`. ``None`` keeps all
            rows (only for the out-of-sample test).

    Returns:
        A DataFrame with ``month`` (a pandas ``Period`` of frequency M), the counts as nullable
        integers, ``derived`` as bool, ``note`` and ``source`` as text.
    """
    path = Path(path) if path is not None else RIC_MONTHLY
    df = _read(path, MONTHLY_COLUMNS)
    months = []
    for i, text in enumerate(df["month"].str.strip()):
        try:
            if len(text) != 7:
                raise ValueError(text)
            months.append(pd.Period(text, freq="M"))
        except ValueError:
            raise InputError(path, f"row {i + 2}, column month", f"{text!r} is not a month",
                             allowed="YYYY-MM, e.g. 2019-06") from None
    df["month"] = pd.PeriodIndex(months, freq="M")
    if df["month"].duplicated().any():
        dup = df["month"][df["month"].duplicated()].iloc[0]
        raise InputError(path, f"month={dup}", "the month appears twice", allowed="one row a month")
    if not df["month"].is_monotonic_increasing:
        raise InputError(path, "month", "rows are not in calendar order", allowed="months in increasing order")
    df["month"] = df["month"].astype(str)  # for error messages below
    _counts(df, path, COUNT_COLUMNS, "month")
    derived = df["derived"].str.strip().str.lower()
    if not derived.isin(["", "yes", "no"]).all():
        bad = derived[~derived.isin(["", "yes", "no"])].index[0]
        raise InputError(path, f"month={df['month'][bad]}, column derived", f"{derived[bad]!r}",
                         allowed="yes, no or empty")
    df["derived"] = derived.eq("yes")
    for _, row in df.iterrows():
        where = f"month={row['month']}"
        if pd.isna(row["attacks"]):
            raise InputError(path, f"{where}, column attacks", "every row needs its attack count")
        if not row["source"].strip():
            raise InputError(path, f"{where}, column source", "every row needs its source")
        if not pd.isna(row["isis_claimed"]) and row["isis_claimed"] > row["attacks"]:
            raise InputError(path, f"{where}, column isis_claimed", "more claimed attacks than attacks",
                             allowed=f"0 to {row['attacks']}")
        regional = sum(0 if pd.isna(row[r]) else int(row[r]) for r in REGIONS)
        if regional > row["attacks"]:
            raise InputError(path, f"{where}, columns {', '.join(REGIONS)}",
                             f"regions add up to {regional}, more than the {row['attacks']} attacks",
                             allowed=f"a sum of at most {row['attacks']}")
    df["month"] = pd.PeriodIndex(df["month"], freq="M")
    if until is not None:
        df = df[df["month"] <= pd.Period(until, freq="M")]
    return df.reset_index(drop=True)


def load_ric_annual(path: str | Path | None = None, until: str | None = FIT_END) -> pd.DataFrame:
    """RIC's annual totals (``year`` as int, counts as nullable integers), up to the year of ``until``."""
    path = Path(path) if path is not None else RIC_ANNUAL
    df = _read(path, ANNUAL_COLUMNS)
    _counts(df, path, ("year", "attacks", "isis_claimed", "raids", "arrests"), "year")
    if df["year"].isna().any() or df["attacks"].isna().any():
        raise InputError(path, "year, attacks", "every row needs a year and its attack count")
    if df["year"].duplicated().any():
        raise InputError(path, f"year={df['year'][df['year'].duplicated()].iloc[0]}", "the year appears twice")
    df["arrests_is_lower_bound"] = df["arrests_is_lower_bound"].str.strip().str.lower().eq("yes")
    if until is not None:
        df = df[df["year"] <= int(until[:4])]
    return df.reset_index(drop=True)


def regional_shares(monthly: pd.DataFrame | None = None, mapped_only: bool = True) -> pd.Series:
    """Share of attacks by region, pooled over the months where every region is reported.

    With ``mapped_only`` the shares are of the three governorates on the model's map (they sum to
    1); otherwise ``other_nes`` is included.
    """
    monthly = load_ric() if monthly is None else monthly
    regions = MAPPED_REGIONS if mapped_only else REGIONS
    full = monthly.dropna(subset=list(REGIONS))
    totals = full[list(regions)].sum().astype(float)
    if totals.sum() == 0:
        return pd.Series(np.nan, index=list(regions))
    return totals / totals.sum()


def mapped_share(monthly: pd.DataFrame | None = None) -> float:
    """Share of NES attacks that happened in the three governorates on the model's map.

    Pooled over the months where every region is reported; the hindcast uses it to compare the
    model's counts with NES-wide totals.
    """
    monthly = load_ric() if monthly is None else monthly
    full = monthly.dropna(subset=list(REGIONS))
    reported = float(full[list(REGIONS)].to_numpy(dtype=float).sum())
    return float(full[list(MAPPED_REGIONS)].to_numpy(dtype=float).sum()) / reported if reported else float("nan")
