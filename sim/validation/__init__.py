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
import re
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis import text_table
from sim.validation.evaluation import evaluate, needed_variants
from sim.validation.facts import FACTS, Fact
from sim.validation.record import RunRecord, Variant, record_run

__all__ = ["FACTS", "Fact", "RunRecord", "evaluate", "facts_json", "format_table", "plot", "run_variants",
           "select_facts", "validate", "write_report"]


def select_facts(ids: Sequence[str] | None = None, months: int | None = None) -> list[Fact]:
    """The facts with the given ids, short ids (``F7b``) or numbers (``F7``), or all.

    With ``months``, only the facts observable in runs of that length.
    """
    def names(fact: Fact) -> set[str]:
        number = re.match(r"F\d+", fact.short_id)
        return {fact.id, fact.short_id, number.group(0) if number else fact.short_id}

    facts = list(FACTS)
    if ids:
        facts = [f for f in facts if names(f) & set(ids)]
    if months is not None:
        facts = [f for f in facts if months >= f.min_months]
    return facts


def _run_job(job: tuple[Variant, int, int, int]) -> RunRecord:
    return record_run(*job)


def run_variants(variants: Sequence[Variant], reps: int, months: int, seed: int = 0, workers: int | None = None,
                 progress: bool = False) -> list[RunRecord]:
    """Run each variant for ``reps`` paired seeds; ``workers=1`` runs in this process."""
    from sim.batch import replication_seed

    jobs = [(v, rep, replication_seed(seed, rep), months) for rep in range(reps) for v in variants]
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
    """Run what the facts need (with their mechanism-off variants) and evaluate them; one row per fact."""
    chosen = list(facts) if facts is not None else select_facts(months=months)
    runs = run_variants(needed_variants(chosen), reps, months, seed=seed, workers=workers, progress=progress)
    return evaluate(chosen, runs)


def _fmt(x: float | None) -> str:
    if x is None or not np.isfinite(x):
        return "nan" if x is None or np.isnan(x) else ("inf" if x > 0 else "-inf")
    return f"{x:.3g}"


def _share(x: float) -> str:
    return "-" if x is None or not np.isfinite(x) else f"{x:.0%}"


def _start_text(start: dict) -> str:
    if not start["defined"]:
        return "undefined at start"
    return f"{_fmt(start['value'])} {'pass' if start['passes'] else 'fail'}"


def _off_text(off: dict) -> str:
    if off["mechanism"] is None:
        return "-"
    if not off["available"]:
        return f"{off['mechanism']}: no switch yet"
    return f"{off['mechanism']}: {_fmt(off['value'])} ({_share(off['passes_share'])})"


def format_table(table: pd.DataFrame) -> str:
    """Two plain-text tables, emergent facts then inputs: value over seeds, threshold, share of seeds passing,
    value at the start, value with the mechanism off (share passing), reproduced."""
    header = ["fact", "median [low, high]", "threshold", "seeds ok", "at start", "mechanism off (seeds ok)",
              "reproduced"]
    parts = []
    for kind, title in (("emergent", "Emergent facts (evidence only when reproduced)"),
                        ("input", "Inputs and mechanism checks (not evidence of validity)")):
        sub = table[table["kind"] == kind]
        rows = [[r.fact + (" [RIC]" if r.observed else ""),
                 (f"{_fmt(r.median)} [{_fmt(r.low)}, {_fmt(r.high)}]" if r.available else r.note),
                 r.threshold, _share(r.share_seeds_passing), _start_text(r.at_start),
                 _off_text(r.mechanism_off) if r.available else "not run",
                 ("yes" if r.reproduced else "no") if kind == "emergent" else "-"]
                for r in sub.itertuples()]
        if rows:
            parts.append(f"{title}\n" + text_table(rows, header, numbers_right=False))
    emergent = table[table["kind"] == "emergent"]
    parts.append(f"{int(emergent['reproduced'].sum())} of {len(emergent)} emergent facts reproduced; "
                 f"{int(table['passed'].sum())} of {len(table)} facts pass on the median.")
    return "\n\n".join(parts)


def facts_json(table: pd.DataFrame, meta: dict | None = None) -> dict:
    """The validation as a JSON-ready dict: ``{"meta": ..., "facts": [{"id", "kind", "passes_share", "at_start",
    "mechanism_off", "reproduced", ...}]}``."""
    from sim.validation.provenance import SET_IN

    def clean(x: object) -> object:
        if isinstance(x, float) and not np.isfinite(x):
            return None
        if isinstance(x, dict):
            return {k: clean(v) for k, v in x.items()}
        if isinstance(x, list):
            return [clean(v) for v in x]
        return x

    facts = []
    for r in table.to_dict(orient="records"):
        facts.append(clean({
            "id": r["fact"], "kind": r["kind"], "passes_share": r["share_seeds_passing"], "median": r["median"],
            "low": r["low"], "high": r["high"], "threshold": r["threshold"], "measure": r["measure"],
            "at_start": {"value": r["at_start"]["value"], "passes": r["at_start"]["passes"]},
            "mechanism_off": {"mechanism": r["mechanism_off"]["mechanism"], "value": r["mechanism_off"]["value"],
                              "passes_share": r["mechanism_off"]["passes_share"]},
            "reproduced": r["reproduced"], "observed_record": r["observed"], "status": r["status"],
            "available": r["available"], "note": r["note"], "set_in": SET_IN.get(r["fact"]),
            "values": r["values"]}))
    return {"meta": meta or {}, "facts": facts}


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
        if not r.available:
            ax.axis("off")
            continue
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
    """Write ``validation.json`` (see :func:`facts_json`), ``validation.txt`` and ``validation.png`` to ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"json": out / "validation.json", "text": out / "validation.txt", "figure": out / "validation.png"}
    paths["json"].write_text(json.dumps(facts_json(table, meta), indent=2))
    paths["text"].write_text(format_table(table) + "\n")
    plot(table, paths["figure"])
    return paths


def timed_validate(reps: int, months: int, seed: int, workers: int | None,
                   ids: Sequence[str] | None = None) -> tuple[pd.DataFrame, dict]:
    """:func:`validate` over the selected facts, with the settings and wall time for the report."""
    t0 = time.perf_counter()
    facts = select_facts(ids, months=months)
    table = validate(reps=reps, months=months, seed=seed, workers=workers, facts=facts, progress=True)
    meta = {"reps": reps, "months": months, "seed": seed, "variants": [v.key for v in needed_variants(facts)],
            "wall_time_s": round(time.perf_counter() - t0, 1)}
    return table, meta
