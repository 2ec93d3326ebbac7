"""insim compare's confidence interval on the worse share, and its warning when replications are too few."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pandas as pd
import pytest

from sim.analysis import compare, format_compare
from sim.certainty import CONFIDENCE, EVEN, add_worse_intervals, fewest_decisive, worse_interval


def _wilson(k: int, n: int, confidence: float) -> tuple[float, float]:
    """The Wilson score interval written out (Wilson 1927), to check scipy's against."""
    from scipy.stats import norm

    z = norm.ppf(0.5 + confidence / 2)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


@pytest.mark.parametrize(("k", "n"), [(0, 5), (3, 5), (16, 20), (20, 20)])
def test_interval_is_wilsons(k: int, n: int) -> None:
    assert worse_interval(k, n) == pytest.approx(_wilson(k, n, CONFIDENCE), abs=1e-9)


def test_fewest_decisive_is_the_first_n_that_can_exclude_one_half() -> None:
    n = fewest_decisive()
    assert worse_interval(n, n)[0] > EVEN >= worse_interval(n - 1, n - 1)[0]


def _results(worse: list[bool]) -> SimpleNamespace:
    """Two scenarios, one month; in replication k ``b`` has more killings than ``a`` when worse[k]."""
    rows = []
    for rep, is_worse in enumerate(worse):
        for scenario, killings in (("a", 5), ("b", 6 if is_worse else 4)):
            rows.append({"run_id": f"{scenario}-{rep}", "scenario": scenario, "rep": rep, "seed": rep, "month": 1,
                         "date": "2020-01-31", "killings": killings})
    return SimpleNamespace(runs=pd.DataFrame(), monthly=pd.DataFrame(rows))


def test_compare_reports_the_interval_and_warns_when_it_includes_one_half() -> None:
    few = compare(_results([True, False, True]), ["killings"])
    row = few.set_index("variant").loc["b"]
    assert row["n_paired"] == 3 and row["worse_low"] < row["worse_share"] < row["worse_high"]
    assert row["undecided"]
    text = format_compare(few)
    assert "warning: 1 of 1 comparisons cannot tell" in text and f"at least {fewest_decisive()}" in text

    many = compare(_results([True] * 18 + [False] * 2), ["killings"])
    row = many.set_index("variant").loc["b"]
    assert row["worse_low"] > EVEN and not row["undecided"]
    assert "warning" not in format_compare(many) and "Wilson interval" in format_compare(many)


def test_rows_without_a_share_get_no_interval() -> None:
    table = pd.DataFrame({"worse_share": [math.nan, 0.5], "n_paired": [math.nan, 4]})
    out = add_worse_intervals(table)
    assert math.isnan(out.loc[0, "worse_low"]) and not out.loc[0, "undecided"]
    assert out.loc[1, "undecided"]
