"""Pattern-oriented validation: run the shipped scenarios over many seeds and check the stylised facts.

>>> from sim.validation import validate
>>> table = validate(reps=3, months=36, workers=2)  # doctest: +SKIP

The facts, their measures and thresholds are in :mod:`sim.validation.facts`. Runs go through
the batch engine (:mod:`sim.batch`: local processes or Dask, a progress bar, resume), one run
per variant and replication; because several facts need each village's state at every month
end, which a batch's tables do not keep, each run is built and read by a probe
(:class:`~sim.validation.record.ValidationProbe`) that stores those snapshots beside the run's
tables. Replication ``k`` of every variant uses the batch's seed for ``k``
(``sim.batch.replication_seed``), so comparisons between variants are paired.

Over a calibration's posterior (``validate(posterior="calib/NAME", draws=20)``), replication ``k``
of every variant also runs with the posterior's ``k``-th weighted draw, as ``insim batch
--posterior`` does (:mod:`sim.batch.posterior`), and a fact whose calibration summary the
calibration weighted is marked ``fitted``: it was fitted, so it is no evidence of validity.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.analysis import text_table
from sim.errors import BatchError, InputError
from sim.validation.evaluation import calibration_weights, evaluate, needed_variants
from sim.validation.facts import FACTS, Fact
from sim.validation.record import RunRecord, ValidationProbe, Variant, record_of

if TYPE_CHECKING:
    from sim.batch import RunSpec

__all__ = ["DEFAULT_REPS", "FACTS", "Fact", "RunRecord", "calibration_weights", "check_posterior", "evaluate",
           "facts_json", "format_table", "plot", "posterior_meta", "run_variants", "select_facts", "validate",
           "validation_reps", "validation_specs", "write_report"]


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


#: where a validation's runs are kept, under its ``--out`` folder
RUNS_FOLDER = "runs"
#: seeds per variant without a posterior, when none is asked for
DEFAULT_REPS = 10


def validation_reps(reps: int | None, posterior: str | Path | None = None, draws: int | None = None) -> int:
    """How many replications, as ``insim batch`` counts them (:func:`sim.batch.replications`): ``reps``
    (default :data:`DEFAULT_REPS`), or over a posterior ``draws``, which ``reps`` must then agree with."""
    from sim.batch import replications

    return replications(DEFAULT_REPS if reps is None and posterior is None else reps, posterior, draws)


def validation_specs(variants: Sequence[Variant], reps: int, months: int, seed: int = 0,
                     posterior: str | Path | None = None) -> list[RunSpec]:
    """One batch run per variant and replication: the variant's scenario for ``months`` with its parameters
    (as the run's sweep point), replication ``k`` on the batch's seed for ``k``, so variants are paired.

    Over a ``posterior`` (a calibration folder), replication ``k`` of every variant also runs with the
    posterior's ``k``-th weighted draw, as in ``insim batch --posterior``, so on/off contrasts stay paired
    over parameters too. A parameter the variant sets itself (a mechanism switch, a scenario setting) wins
    over its drawn value: the variant is what the fact compares. Raises :class:`InputError` on a missing or
    broken posterior, or a draw a scenario refuses, before any run.
    """
    from sim.batch import RunSpec, replication_seed, safe_name
    from sim.batch.posterior import check_draws_load, draw_for_batch
    from sim.scenario import load_scenario

    paths = {v.scenario: str(load_scenario(v.scenario, months=months).path) for v in variants}
    drawn = None if posterior is None else draw_for_batch(posterior, reps, seed)
    if drawn is not None:
        for path in dict.fromkeys(paths.values()):
            check_draws_load(drawn, path, {"months": months})
    return [RunSpec(run_id=f"{safe_name(v.key)}-r{rep:03d}", scenario=v.key, path=paths[v.scenario],
                    sweep=dict(v.params), rep=rep, seed=replication_seed(seed, rep), sets={"months": months},
                    root_seed=seed, **({} if drawn is None else drawn.run_fields(rep, kept_out=v.params)))
            for v in variants for rep in range(reps)]


def read_records(specs: Sequence[RunSpec], folder: Path) -> list[RunRecord]:
    """The validation records of a finished batch of :func:`validation_specs` in ``folder``."""
    from sim.batch.engine import id_columns
    from sim.batch.parts import PartStore
    from sim.batch.probe import read_arrays
    from sim.batch.store import RUNS, record_files, run_events, run_table

    probe = ValidationProbe()
    parts = PartStore(folder)
    stored = record_files(folder, parts)  # a probe's runs have folders of their own; read either way
    records = []
    for spec in specs:
        monthly = run_table(folder, spec.run_id, "monthly", parts, stored).drop(columns=list(id_columns(spec)))
        records.append(record_of(spec.scenario, spec.rep, spec.seed, monthly, run_events(folder, spec.run_id, stored),
                                 read_arrays(folder / RUNS / spec.run_id / f"{probe.name}.npz")))
    return records


def run_variants(variants: Sequence[Variant], reps: int, months: int, seed: int = 0, workers: int | None = None,
                 progress: bool = False, out: str | Path | None = None, resume: bool = False, dask: str | None = None,
                 command: str | list[str] | None = None, posterior: str | Path | None = None) -> list[RunRecord]:
    """Run each variant for ``reps`` paired seeds through the batch engine; ``workers=1`` runs in this process.

    Over a ``posterior``, replication ``k`` runs with its ``k``-th draw (see :func:`validation_specs`);
    resuming a validation over another posterior (or none) is refused. The runs are stored as a batch in
    ``out`` (a temporary folder when None): with ``resume`` an interrupted validation in ``out`` is finished
    without redoing its stored runs; without it, a validation batch already in ``out`` is replaced.
    ``dask`` as in :func:`sim.batch.run_batch`.
    Raises :class:`~sim.errors.BatchError` when runs failed or were lost.
    """
    from sim.batch import run_batch

    specs = validation_specs(variants, reps, months, seed, posterior=posterior)  # checked before anything is cleared
    with contextlib.ExitStack() as stack:
        folder = Path(out) if out is not None else Path(stack.enter_context(
            tempfile.TemporaryDirectory(prefix="insim-validate-"))) / RUNS_FOLDER
        if not resume:
            clear_runs(folder)
        summary = run_batch(specs, folder, workers=workers, dask=dask, resume=resume, progress=progress,
                            command=command or "sim.validation.run_variants", probe=ValidationProbe())
        if not summary.ok:
            raise BatchError(f"{summary}\nthe validation needs every run; `insim validate ... --resume` runs "
                             "the missing ones again")
        return read_records(specs, folder)


def clear_runs(folder: Path) -> None:
    """Remove an earlier batch from ``folder`` (a fresh validation); InputError if it holds something else."""
    from sim.batch import MANIFEST, locked
    from sim.batch.manifest import LOCK
    from sim.batch.store import FORMATS, read_json

    if not folder.exists():
        return
    if not folder.is_dir():
        raise InputError(folder, None, "is a file, not a folder", allowed="a folder for the validation's runs")
    if not any(folder.iterdir()):
        return
    manifest = read_json(folder / MANIFEST) if (folder / MANIFEST).is_file() else None
    if not isinstance(manifest, dict) or manifest.get("format") not in FORMATS:
        raise InputError(folder, None, "holds files that are not a batch's runs", allowed="another --out folder")
    with locked(folder):  # not while another validation writes it
        for item in folder.iterdir():
            if item.name == LOCK:
                continue
            if item.is_dir():
                shutil.rmtree(item)
            else:
                item.unlink()


def validate(reps: int | None = None, months: int = 60, seed: int = 0, workers: int | None = None,
             facts: Sequence[Fact] | None = None, progress: bool = False, out: str | Path | None = None,
             resume: bool = False, dask: str | None = None, command: str | list[str] | None = None,
             posterior: str | Path | None = None, draws: int | None = None) -> pd.DataFrame:
    """Run what the facts need (with their mechanism-off variants) and evaluate them; one row per fact.

    The runs go through the batch engine (see :func:`run_variants` for ``out``, ``resume`` and ``dask``).
    ``reps`` defaults to :data:`DEFAULT_REPS`; over a ``posterior`` (a calibration folder) there are
    ``draws`` replications, each with its own draw (``reps``, if given, must agree), and the row of a fact
    the calibration fitted (:func:`calibration_weights`) says ``fitted``.
    """
    reps = validation_reps(reps, posterior, draws)
    chosen = list(facts) if facts is not None else select_facts(months=months)
    variants = needed_variants(chosen)
    weights = {} if posterior is None else check_posterior(posterior, variants, reps, months, seed)
    runs = run_variants(variants, reps, months, seed=seed, workers=workers, progress=progress,
                        out=out, resume=resume, dask=dask, command=command, posterior=posterior)
    return evaluate(chosen, runs, weights)


def check_posterior(posterior: str | Path, variants: Sequence[Variant], reps: int, months: int,
                    seed: int = 0) -> dict[str, float]:
    """Check a posterior before any run (the folder, its particles, every draw in every variant's scenario,
    then its manifest) and return the summaries its calibration fitted (:func:`calibration_weights`)."""
    validation_specs(variants, reps, months, seed, posterior=posterior)
    return calibration_weights(posterior)


def posterior_meta(posterior: str | Path, reps: int, seed: int) -> dict:
    """What a validation over ``posterior`` records of it: the folder, its particles file's sha256, the number
    of draws, each replication's particle and the calibration's summary weights."""
    from sim.batch.posterior import draw_for_batch

    drawn = draw_for_batch(posterior, reps, seed)
    return {"posterior": str(posterior), "posterior_sha256": drawn.sha256, "draws": reps,
            "draw_ids": list(drawn.draw_ids), "calibration_summaries": calibration_weights(posterior)}


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


def format_table(table: pd.DataFrame, meta: dict | None = None) -> str:
    """Two plain-text tables, emergent facts then inputs: value over seeds, threshold, share of seeds passing,
    value at the start, value with the mechanism off (share passing), reproduced.

    Over a posterior (``meta["posterior"]``, see :func:`posterior_meta`), fitted facts are marked
    ``(fitted)`` and the closing line also counts the emergent facts reproduced among those not fitted.
    """
    header = ["fact", "median [low, high]", "threshold", "seeds ok", "at start", "mechanism off (seeds ok)",
              "reproduced"]
    parts = []
    for kind, title in (("emergent", "Emergent facts (evidence only when reproduced)"),
                        ("input", "Inputs and mechanism checks (not evidence of validity)")):
        sub = table[table["kind"] == kind]
        rows = [[r.fact + (" [RIC]" if r.observed else "") + (" (fitted)" if r.fitted else ""),
                 (f"{_fmt(r.median)} [{_fmt(r.low)}, {_fmt(r.high)}]" if r.available else r.note),
                 r.threshold, _share(r.share_seeds_passing), _start_text(r.at_start),
                 _off_text(r.mechanism_off) if r.available else "not run",
                 ("yes" if r.reproduced else "no") if kind == "emergent" else "-"]
                for r in sub.itertuples()]
        if rows:
            parts.append(f"{title}\n" + text_table(rows, header, numbers_right=False))
    emergent = table[table["kind"] == "emergent"]
    counts = f"{int(emergent['reproduced'].sum())} of {len(emergent)} emergent facts reproduced"
    if meta and meta.get("posterior"):
        parts.insert(0, f"Over the posterior {meta['posterior']} ({meta['draws']} draws): a fact marked (fitted) "
                        "measures what the calibration fitted, so it is no evidence of validity")
        out_of_sample = emergent[~emergent["fitted"].astype(bool)]
        counts += (f", {int(out_of_sample['reproduced'].sum())} of {len(out_of_sample)} among those not fitted "
                   "by the calibration")
    parts.append(f"{counts}; {int(table['passed'].sum())} of {len(table)} facts pass on the median.")
    return "\n\n".join(parts)


def facts_json(table: pd.DataFrame, meta: dict | None = None) -> dict:
    """The validation as a JSON-ready dict: ``{"meta": ..., "facts": [{"id", "kind", "passes_share", "at_start",
    "mechanism_off", "reproduced", "fitted", ...}]}``; ``fitted`` is True for a fact whose calibration summary
    the posterior's calibration weighted (always False at the defaults)."""
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
            "reproduced": r["reproduced"], "fitted": r["fitted"], "calibration_summary": r["calibration_summary"],
            "observed_record": r["observed"], "status": r["status"],
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
    paths["text"].write_text(format_table(table, meta) + "\n")
    plot(table, paths["figure"])
    return paths


def timed_validate(reps: int, months: int, seed: int, workers: int | None, ids: Sequence[str] | None = None,
                   out: str | Path | None = None, resume: bool = False, dask: str | None = None,
                   progress: bool = True, command: str | list[str] | None = None,
                   posterior: str | Path | None = None) -> tuple[pd.DataFrame, dict]:
    """:func:`validate` over the selected facts (over ``posterior``: ``reps`` draws), with the settings and wall
    time for the report (and :func:`posterior_meta`)."""
    t0 = time.perf_counter()
    facts = select_facts(ids, months=months)
    table = validate(reps=reps, months=months, seed=seed, workers=workers, facts=facts, progress=progress,
                     out=out, resume=resume, dask=dask, command=command, posterior=posterior)
    meta = {"reps": reps, "months": months, "seed": seed, "variants": [v.key for v in needed_variants(facts)],
            **({} if posterior is None else posterior_meta(posterior, reps, seed)),
            "wall_time_s": round(time.perf_counter() - t0, 1)}
    return table, meta
