"""Pattern-oriented validation: run the shipped scenarios over many seeds and check the stylised facts.

>>> from sim.validation import validate
>>> table = validate(reps=3, months=36, workers=2)  # doctest: +SKIP

The facts, their measures and thresholds are in :mod:`sim.validation.facts`. Runs are made
directly in a process pool (not through :mod:`sim.batch`), because several facts need each
village's state at every month end, which a batch does not keep. Replication ``k`` of every
variant uses the same seed as the batch machinery would (``sim.batch.replication_seed``), so
comparisons between variants are paired.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import json
import multiprocessing
import string
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis import text_table
from sim.validation.facts import FACTS, VARIANTS, Fact, RunRecord, evaluate, needed_variants, record_run

__all__ = ["FACTS", "Fact", "RunRecord", "evaluate", "format_table", "plot", "run_variants", "select_facts",
           "validate", "write_report"]


def select_facts(ids: Sequence[str] | None = None, months: int | None = None) -> list[Fact]:
    """The facts with the given ids, short ids (``F7b``) or numbers (``F7``), or all.

    With ``months``, only the facts observable in runs of that length.
    """
    def names(fact: Fact) -> set[str]:
        short = fact.id.split("_")[0]
        return {fact.id, short, short.rstrip(string.ascii_lowercase)}

    facts = list(FACTS)
    if ids:
        facts = [f for f in facts if names(f) & set(ids)]
    if months is not None:
        facts = [f for f in facts if months >= f.min_months]
    return facts


def _run_job(job: tuple[str, int, int, int]) -> RunRecord:
    key, rep, seed, months = job
    return record_run(VARIANTS[key], rep, seed, months)


def run_variants(variants: Sequence[str], reps: int, months: int, seed: int = 0, workers: int | None = None,
                 progress: bool = False) -> list[RunRecord]:
    """Run each variant for ``reps`` paired seeds; ``workers=1`` runs in this process."""
    from sim.batch import replication_seed

    jobs = [(key, rep, replication_seed(seed, rep), months) for rep in range(reps) for key in variants]
    out: list[RunRecord] = []
    with contextlib.ExitStack() as stack:
        if workers == 1:
            results: Iterator[RunRecord] = map(_run_job, jobs)
        else:
            ctx = multiprocessing.get_context("spawn")
            pool = stack.enter_context(cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx))
            results = pool.map(_run_job, jobs)
        for i, rec in enumerate(results, start=1):
            out.append(rec)
            if progress:
                print(f"  run {i}/{len(jobs)}: {rec.variant} rep {rec.rep}", flush=True)
    return out


def validate(reps: int = 10, months: int = 60, seed: int = 0, workers: int | None = None,
             facts: Sequence[Fact] | None = None, progress: bool = False) -> pd.DataFrame:
    """Run what the facts need and evaluate them; one row per fact (see :func:`facts.evaluate`)."""
    chosen = list(facts) if facts is not None else select_facts(months=months)
    runs = run_variants(needed_variants(chosen), reps, months, seed=seed, workers=workers, progress=progress)
    return evaluate(chosen, runs)


def _fmt(x: float) -> str:
    if x is None or not np.isfinite(x):
        return "nan" if x is None or np.isnan(x) else ("inf" if x > 0 else "-inf")
    return f"{x:.3g}"


def format_table(table: pd.DataFrame) -> str:
    """The validation table as plain text: fact, measure, median [range], threshold, verdict, share passing."""
    header = ["fact", "measure", "median [low, high]", "threshold", "result", "seeds ok"]
    rows = [[r.fact, r.measure, f"{_fmt(r.median)} [{_fmt(r.low)}, {_fmt(r.high)}]", r.threshold,
             "PASS" if r.passed else "FAIL", f"{r.share_seeds_passing:.0%} of {r.n_seeds}"]
            for r in table.itertuples()]
    passed = int(table["passed"].sum())
    return text_table(rows, header, numbers_right=False) + f"\n\n{passed} of {len(table)} facts pass."


def plot(table: pd.DataFrame, path: str | Path) -> Path:
    """One small panel per fact: each seed's value (dot), the median (line) and the threshold (dashed); green passes."""
    import matplotlib.pyplot as plt

    from sim.plots import save_figure

    n = len(table)
    cols = 4
    rows = int(np.ceil(n / cols)) or 1
    fig, axes = plt.subplots(rows, cols, figsize=(4 * cols, 2.4 * rows), squeeze=False)
    facts = {f.id: f for f in FACTS}
    for ax, r in zip(axes.flat, table.itertuples(), strict=False):
        values = np.asarray(r.values, dtype=float)
        finite = values[np.isfinite(values)]
        colour = "tab:green" if r.passed else "tab:red"
        fact = facts.get(r.fact)
        dots = [("tab:green" if fact is None or fact.passes(x) else "tab:red") for x in finite]
        ax.scatter(finite, np.random.default_rng(0).uniform(-0.2, 0.2, len(finite)), s=14, c=dots, alpha=0.7)
        if np.isfinite(r.median):
            ax.axvline(r.median, color=colour, lw=2)
        if fact is not None:
            bounds = fact.threshold if fact.direction == "in" else (fact.threshold,)
            for b in bounds:  # type: ignore[union-attr]
                ax.axvline(float(b), color="black", ls="--", lw=1)
        ax.set_yticks([])
        ax.set_title(f"{r.fact} ({'pass' if r.passed else 'FAIL'})", fontsize=8)
        ax.set_xlabel(r.threshold, fontsize=7)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    fig.suptitle("Stylised facts: per-seed values (dots), median (solid), threshold (dashed)", fontsize=10)
    fig.tight_layout()
    return save_figure(fig, path, dpi=110)


def write_report(table: pd.DataFrame, out: str | Path, meta: dict | None = None) -> dict[str, Path]:
    """Write ``validation.json`` (table plus run settings), ``validation.txt`` and ``validation.png`` to ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    records = json.loads(table.to_json(orient="records"))
    paths = {"json": out / "validation.json", "text": out / "validation.txt", "figure": out / "validation.png"}
    paths["json"].write_text(json.dumps({"meta": meta or {}, "facts": records}, indent=2))
    paths["text"].write_text(format_table(table) + "\n")
    plot(table, paths["figure"])
    return paths


def timed_validate(reps: int, months: int, seed: int, workers: int | None,
                   ids: Sequence[str] | None = None) -> tuple[pd.DataFrame, dict]:
    """:func:`validate` over the selected facts, with the settings and wall time for the report."""
    t0 = time.perf_counter()
    facts = select_facts(ids, months=months)
    table = validate(reps=reps, months=months, seed=seed, workers=workers, facts=facts, progress=True)
    meta = {"reps": reps, "months": months, "seed": seed, "variants": needed_variants(facts),
            "wall_time_s": round(time.perf_counter() - t0, 1)}
    return table, meta
