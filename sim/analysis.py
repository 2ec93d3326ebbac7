"""Comparing scenarios across replications: final values, bands, paired comparisons.

The CLI's ``compare`` and ``plot`` commands and the notebooks read batch results through
these functions, so "worse" and "final value" mean the same everywhere:

* an incident count (and the month's zakat revenue) is summed over the run; every other outcome
  is read at the run's last month;
* :data:`OUTCOME_DIRECTION` says, for each outcome, whether higher (+1) or lower (-1) is worse
  for the administration, or neither (0);
* replications are paired by their index: ``rep`` *k* of every scenario runs on the same seed
  (and, in a batch over a calibration's posterior, with the same parameter draw);
* over a posterior, a contrast's sign is called robust when at least :data:`ROBUST_AGREEMENT`
  (80%) of the paired replicates agree on it, i.e. the share where the scenario is worse is at
  most 20% or at least 80%; in between, ``insim compare`` says "sign not robust across the
  posterior". The rule was fixed before any posterior batch was run; it is a reading aid, not a
  test (with K draws the share moves in steps of 1/K).

``results`` is anything with ``.runs`` and ``.monthly`` tables (what :func:`sim.batch.load_results`
returns); scenarios that differ by sweep values are told apart by a ``variant`` label such as
``baseline [zakat_min_usd=500]``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol

import numpy as np
import pandas as pd

from sim.certainty import add_worse_intervals, certainty_notes, interval_text
from sim.outcomes import COUNTED_PER_MONTH, DESCRIPTIONS, OUTCOMES


class ResultsLike(Protocol):
    """What the analysis needs from a batch's results."""

    runs: pd.DataFrame
    monthly: pd.DataFrame


HIGHER_IS_WORSE = 1
LOWER_IS_WORSE = -1
NEUTRAL = 0

#: the direction in which each outcome gets worse (for the administration and the population)
OUTCOME_DIRECTION: dict[str, int] = {
    **{k: HIGHER_IS_WORSE for k in OUTCOMES},
    # lower is worse
    "mean_trust": LOWER_IS_WORSE,
    "sdf_local_share": LOWER_IS_WORSE,
    "traders_active": LOWER_IS_WORSE,
    "sdf_strength_south": LOWER_IS_WORSE,
    # neither: more arrests or IS dead, or more detainees, are not simply better or worse
    "arrests": NEUTRAL,
    "is_killed": NEUTRAL,
    "detainees": NEUTRAL,
    "coalition_present": NEUTRAL,
    "zakat_east_strip_share": NEUTRAL,
}

#: over a posterior, a contrast's sign is robust when at least this share of paired replicates agree on it
ROBUST_AGREEMENT = 0.8

#: outcomes reported as totals over the run (the rest are read at the run's end)
RUN_TOTALS: frozenset[str] = frozenset(COUNTED_PER_MONTH)

#: the outcomes the plots and the compare table show unless told otherwise
MAIN_OUTCOMES: tuple[str, ...] = (
    "ric_attacks", "raids", "killings", "attacks", "checkpoints", "zakat_demands", "retaliations", "zakat_revenue_usd",
    "is_fighters", "is_supporters", "councils_without_chairman", "sdf_local_share", "mean_trust",
    "influence_east_strip", "strongholds",
)

#: columns of the runs/monthly tables that are neither outcomes nor sweep values
ID_COLUMNS: frozenset[str] = frozenset((
    "run_id", "scenario", "variant", "rep", "seed", "month", "date", "status", "error", "wall_s",
    "scenario_path", "digest", "elapsed_s", "traceback",
))


def check_outcomes(names: Iterable[str] | None, default: Sequence[str] = MAIN_OUTCOMES,
                   allowed: Sequence[str] = OUTCOMES) -> list[str]:
    """The outcome names asked for (``default`` when None); a name not in ``allowed`` raises InputError."""
    from sim.errors import InputError
    from sim.scenario import suggest

    if names is None:
        return list(default)
    out = []
    for name in names:
        name = name.strip()
        if not name:
            continue
        if name not in allowed:
            raise InputError(None, "--outcomes", f"unknown outcome {name!r}" + suggest(name, list(allowed)),
                             allowed=", ".join(allowed))
        out.append(name)
    return out


def check_has_runs(results: ResultsLike) -> None:
    """InputError when ``results`` hold no finished run (a batch interrupted, or failed, before its first one)."""
    if results.monthly.empty:
        from sim.errors import InputError

        raise InputError(getattr(results, "path", None), None, "holds no finished run to compare or plot",
                         allowed="a results folder with finished runs; --resume finishes an interrupted batch")


def describe(outcome: str) -> str:
    """A readable title for an outcome."""
    text = DESCRIPTIONS.get(outcome, outcome.replace("_", " "))
    return text[:1].upper() + text[1:]


def sweep_columns(frame: pd.DataFrame) -> list[str]:
    """Columns of a monthly table that hold sweep values (neither ids nor outcomes)."""
    return [c for c in frame.columns if c not in ID_COLUMNS and c not in OUTCOMES]


def sweep_keys(results: ResultsLike) -> list[str]:
    """The batch's sweep keys: from the manifest when it says, else guessed from the monthly table."""
    manifest = getattr(results, "manifest", None)
    if isinstance(manifest, dict) and isinstance(manifest.get("sweep"), dict):
        return [k for k in manifest["sweep"] if k in results.monthly.columns]
    return sweep_columns(results.monthly)


def with_variant(frame: pd.DataFrame, sweeps: Sequence[str] | None = None) -> pd.DataFrame:
    """``frame`` with a ``variant`` column: the scenario name plus its sweep values, if any."""
    frame = frame.copy()
    sweeps = [c for c in (sweep_columns(frame) if sweeps is None else sweeps) if c in frame.columns]
    if not sweeps:
        frame["variant"] = frame["scenario"].astype(str)
        return frame
    labels = frame[sweeps].astype(str)
    frame["variant"] = frame["scenario"].astype(str) + " [" + labels.apply(
        lambda row: ", ".join(f"{k}={v}" for k, v in row.items()), axis=1) + "]"
    return frame


def monthly_with_variant(results: ResultsLike) -> pd.DataFrame:
    """The monthly table with its ``variant`` column."""
    return with_variant(results.monthly, sweep_keys(results))


def run_variants(results: ResultsLike) -> pd.Series:
    """The variant of each run that has monthly rows, indexed by run_id, in planned order."""
    monthly = monthly_with_variant(results)
    return monthly.drop_duplicates("run_id").set_index("run_id")["variant"]


def variants(results: ResultsLike) -> list[str]:
    """The variants in the order they were planned (first appearance in the monthly table)."""
    return list(dict.fromkeys(run_variants(results)))


def final_values(results: ResultsLike, outcomes: Iterable[str] | None = None) -> pd.DataFrame:
    """One row a run: run_id, variant, scenario, rep and each outcome's final value or run total."""
    names = [o for o in (outcomes or OUTCOMES) if o in results.monthly.columns]
    monthly = monthly_with_variant(results).sort_values(["run_id", "month"])
    grouped = monthly.groupby("run_id", sort=False)
    totals = [o for o in names if o in RUN_TOTALS]
    finals = [o for o in names if o not in RUN_TOTALS]
    out = grouped[["variant", "scenario", "rep"]].first()
    if finals:
        out = out.join(grouped[finals].last())
    if totals:
        out = out.join(grouped[totals].sum(min_count=1))
    return out.reset_index()[["run_id", "variant", "scenario", "rep", *names]]


def bands(results: ResultsLike, outcome: str, low: float = 0.1, high: float = 0.9) -> pd.DataFrame:
    """Per variant and month: date, the ``low`` quantile, the median and the ``high`` quantile."""
    monthly = monthly_with_variant(results)
    monthly["date"] = pd.to_datetime(monthly["date"])
    g = monthly.groupby(["variant", "month"], sort=False)
    out = pd.DataFrame({
        "date": g["date"].first(),
        "low": g[outcome].quantile(low),
        "median": g[outcome].median(),
        "high": g[outcome].quantile(high),
        "n": g[outcome].count(),
    }).reset_index()
    return out.sort_values(["variant", "month"]).reset_index(drop=True)


def divergence_month(results: ResultsLike, outcome: str, a: str, b: str,
                     low: float = 0.1, high: float = 0.9) -> int | None:
    """First month where the ``low``-``high`` bands of variants ``a`` and ``b`` stop overlapping.

    Returns None when they overlap every month (or one variant is missing).
    """
    bb = bands(results, outcome, low, high)
    left = bb[bb["variant"] == a].set_index("month")
    right = bb[bb["variant"] == b].set_index("month")
    months = left.index.intersection(right.index)
    a_low, a_high = left.loc[months, "low"], left.loc[months, "high"]
    b_low, b_high = right.loc[months, "low"], right.loc[months, "high"]
    apart = (a_low > b_high) | (b_low > a_high)
    hits = apart[apart].index
    return int(hits.min()) if len(hits) else None


def _worse(diff: pd.Series, direction: int) -> pd.Series:
    return diff * direction > 0


def over_posterior(results: ResultsLike) -> bool:
    """Whether the batch's replicates ran with posterior draws (manifest, or a ``draw_id`` column)."""
    manifest = getattr(results, "manifest", None)
    if isinstance(manifest, dict) and manifest.get("posterior"):
        return True
    return "draw_id" in results.runs.columns and bool(results.runs["draw_id"].notna().any())


def sign_robust(worse_share: float) -> bool:
    """Whether a paired worse-share says the same sign in at least :data:`ROBUST_AGREEMENT` of the replicates."""
    agreement = max(worse_share, 1 - worse_share)
    return bool(agreement >= ROBUST_AGREEMENT - 1e-9)  # 1 - 0.8 is not exactly 0.2 in floating point


def compare(results: ResultsLike, outcomes: Iterable[str] | None = None, reference: str | None = None,
            low: float = 0.1, high: float = 0.9) -> pd.DataFrame:
    """For each outcome and variant: median and band of the final value, and the paired worse-share.

    Columns: outcome, variant, n, median, low, high, worse_share (share of replications, paired
    by ``rep``, where the variant is worse than the same replication of ``reference``; NaN for the
    reference and for neutral outcomes), direction (+1 higher is worse, -1 lower is worse, 0),
    n_paired, the worse share's interval (worse_low, worse_high, undecided: see :mod:`sim.certainty`),
    and sign_robust (over a posterior only: :func:`sign_robust` of worse_share, None where there is
    no share). ``reference`` is a variant or scenario name; default the first variant planned.
    ``attrs`` hold ``reference`` and ``posterior`` (whether the replicates ran posterior draws).
    """
    from sim.errors import InputError

    names = check_outcomes(outcomes)
    check_has_runs(results)
    order = variants(results)
    if reference is None:
        reference = order[0] if order else None
    elif reference not in order:
        matches = [v for v in order if v.split(" [")[0] == reference]
        if len(matches) != 1:
            raise InputError(None, "--reference", f"no single variant {reference!r} in these results",
                             allowed=", ".join(order))
        reference = matches[0]
    finals = final_values(results, names)
    ref = finals[finals["variant"] == reference].set_index("rep")
    rows: list[dict[str, Any]] = []
    for outcome in names:
        direction = OUTCOME_DIRECTION.get(outcome, NEUTRAL)
        for variant in order:
            own = finals[finals["variant"] == variant].set_index("rep")[outcome].dropna()
            row: dict[str, Any] = {
                "outcome": outcome, "variant": variant, "n": int(own.size),
                "median": own.median() if own.size else np.nan,
                "low": own.quantile(low) if own.size else np.nan,
                "high": own.quantile(high) if own.size else np.nan,
                "worse_share": np.nan, "direction": direction,
            }
            if variant != reference and direction != NEUTRAL:
                paired = own.index.intersection(ref.index)
                if len(paired):
                    diff = own.loc[paired] - ref.loc[paired, outcome]
                    row["worse_share"] = float(_worse(diff, direction).mean())
                    row["n_paired"] = len(paired)
            rows.append(row)
    out = pd.DataFrame(rows)
    posterior = over_posterior(results)
    if posterior:
        out["sign_robust"] = [None if pd.isna(w) else sign_robust(w) for w in out["worse_share"]]
    out = add_worse_intervals(out)  # worse_low, worse_high, undecided (sim.certainty)
    out.attrs["reference"] = reference
    out.attrs["posterior"] = posterior
    return out


def format_compare(table: pd.DataFrame) -> str:
    """The compare table as text, one block per outcome."""
    reference = table.attrs.get("reference")
    posterior = "sign_robust" in table.columns
    width = max([len(str(v)) for v in table["variant"]] + [8])
    lines = [f"Final values (incident counts and zakat: run totals); median [10%-90%]; "
             f"'worse' = share of paired replications worse than {reference!r}."]
    if posterior:
        low = 1 - ROBUST_AGREEMENT
        lines += ["Over the posterior: each replicate runs its own posterior draw, the same in every scenario, so the "
                  "bands include parameter uncertainty.",
                  f"A contrast's sign is called not robust across the posterior when the paired share of draws "
                  f"where the scenario is worse lies strictly between {low:.0%} and {ROBUST_AGREEMENT:.0%}."]
    lines.append("")
    for outcome, block in table.groupby("outcome", sort=False):
        arrow = {HIGHER_IS_WORSE: "higher is worse", LOWER_IS_WORSE: "lower is worse"}.get(
            int(block["direction"].iloc[0]), "no direction")
        title = f"total over the run of {outcome.replace('_', ' ')}" if outcome in RUN_TOTALS else describe(outcome)
        lines.append(f"{outcome} - {title} ({arrow})")
        for _, r in block.iterrows():
            worse = "reference" if r["variant"] == reference else (
                "-" if pd.isna(r["worse_share"]) else f"worse {r['worse_share']:4.0%} {interval_text(r):<10}")
            flag = ""
            if posterior and not pd.isna(r["worse_share"]) and not sign_robust(r["worse_share"]):
                flag = f"  <- sign not robust across the posterior ({r['worse_share']:.0%} of draws worse)"
            lines.append(f"  {r['variant']:<{width}}  {fmt(r['median']):>10}  "
                         f"[{fmt(r['low']):>9} - {fmt(r['high']):>9}]  {worse}   (n={r['n']}){flag}")
        lines.append("")
    lines += certainty_notes(table)
    return "\n".join(lines).rstrip() + "\n"


def fmt(value: Any) -> str:
    """A number for a table: integers plainly, fractions with 3 decimals, large values grouped."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "-"
    if isinstance(value, (bool, np.bool_)):
        return str(int(value))
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    v = float(value)
    if abs(v) >= 1000 or v == int(v):
        return f"{v:,.0f}"
    if abs(v) >= 1:
        return f"{v:,.1f}"
    return f"{v:.3f}"


def text_table(rows: Sequence[Sequence[Any]], header: Sequence[str], numbers_right: bool = True) -> str:
    """A plain-text table: a header, a rule, one line a row; later columns right-aligned if asked."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[Any]) -> str:
        return "  ".join(str(c).rjust(w) if numbers_right and i else str(c).ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths, strict=True)))

    return "\n".join([line(header), "  ".join("-" * w for w in widths), *(line(r) for r in rows)])
