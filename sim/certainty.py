"""How sure ``insim compare`` is: a confidence interval on each paired "worse" share.

Of ``n`` paired replications, ``k`` are worse than the reference's replication on the same
seed. The share ``k/n`` estimates the chance that the variant does worse; its interval is the
Wilson score interval (Wilson 1927, "Probable inference, the law of succession, and statistical
inference", JASA 22:209-212), computed by ``scipy.stats.binomtest(k, n).proportion_ci``. Wilson
keeps close to its nominal coverage at the small ``n`` of a batch, where the normal
approximation fails (Brown, Cai & DasGupta 2001, "Interval estimation for a binomial
proportion", Statistical Science 16:101-133).

The rule for "too few replications to say anything": when the :data:`CONFIDENCE` interval
contains one half, the batch cannot tell whether the variant is worse more often than not, and
``insim compare`` says so, with the fewest replications that could tell (all of them worse).
"""

from __future__ import annotations

import math

import pandas as pd

#: the confidence level of the interval on each worse share
CONFIDENCE = 0.90
#: the share an interval must exclude for the comparison to say anything
EVEN = 0.5
#: the interval method of scipy.stats.BinomTestResult.proportion_ci
METHOD = "wilson"


def worse_interval(k: int, n: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """The ``confidence`` Wilson interval of ``k`` worse out of ``n`` paired replications."""
    from scipy.stats import binomtest

    ci = binomtest(int(k), int(n)).proportion_ci(confidence_level=confidence, method=METHOD)
    return float(ci.low), float(ci.high)


def fewest_decisive(confidence: float = CONFIDENCE, limit: int = 1000) -> int:
    """The fewest replications whose interval can exclude one half (when every one is worse)."""
    return next(n for n in range(1, limit) if worse_interval(n, n, confidence)[0] > EVEN)


def add_worse_intervals(table: pd.DataFrame, confidence: float = CONFIDENCE) -> pd.DataFrame:
    """``table`` (from :func:`sim.analysis.compare`) with worse_low, worse_high and undecided.

    Rows without a worse share (the reference, neutral outcomes) get NaN bounds and
    ``undecided`` False; ``n_paired`` is the number of paired replications of each row.
    """
    out = table.copy()
    lows, highs, undecided = [], [], []
    for share, n in zip(out["worse_share"], out.get("n_paired", pd.Series(index=out.index)), strict=True):
        if pd.isna(share) or pd.isna(n) or not n:
            lows.append(math.nan)
            highs.append(math.nan)
            undecided.append(False)
            continue
        low, high = worse_interval(round(share * n), int(n), confidence)
        lows.append(low)
        highs.append(high)
        undecided.append(low <= EVEN <= high)
    out["worse_low"], out["worse_high"], out["undecided"] = lows, highs, undecided
    out.attrs.update(table.attrs, confidence=confidence)
    return out


def interval_text(row: pd.Series) -> str:
    """``[lo%-hi%]`` of a compare row's worse share, or nothing when it has none."""
    if pd.isna(row.get("worse_low", math.nan)):
        return ""
    return f"[{row['worse_low']:.0%}-{row['worse_high']:.0%}]" + ("?" if row["undecided"] else "")


def certainty_notes(table: pd.DataFrame) -> list[str]:
    """The lines ``insim compare`` adds under its table: what the interval is, and a warning if due."""
    if "worse_low" not in table or table["worse_low"].isna().all():
        return []
    confidence = table.attrs.get("confidence", CONFIDENCE)
    lines = [f"[lo-hi]: {confidence:.0%} Wilson interval of the worse share; '?' marks one that includes "
             f"{EVEN:.0%}. A tie (same value in a pair) counts as not worse."]
    undecided = table[table["undecided"].astype(bool)]
    if len(undecided):
        n = int(undecided["n_paired"].max())
        lines.append(f"warning: {len(undecided)} of {int(table['worse_low'].notna().sum())} comparisons cannot "
                     f"tell worse from better (the interval includes {EVEN:.0%}) with {n} paired replications; "
                     f"at least {fewest_decisive(confidence)} are needed to tell, more when the share is "
                     "nearer 50% (insim batch --reps).")
    return lines
