"""Evaluate facts on a set of runs: with the mechanism on, on the day-one state, and with it off.

A fact is *reproduced* when it is emergent, passes in at least :data:`PASS_SHARE` of seeds with
its mechanism on, and either fails on the day-one state (in most seeds) or passes in at most
:data:`OFF_PASS_SHARE` of seeds with its mechanism switched off. Both shares were fixed before any
run of the changed model (issue 13). Mechanism-off variants are generated from the fact's
``mechanism``: every variant it needs, with that switch off, on the same seeds.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from sim.errors import InputError
from sim.validation.facts import VARIANTS, Fact
from sim.validation.measures import Runs
from sim.validation.record import RunRecord, Variant, start_runs

PASS_SHARE = 0.5
OFF_PASS_SHARE = 0.2


@cache
def _parameter_names() -> frozenset[str]:
    from sim.parameters import Parameters

    return frozenset(Parameters.model_fields)


@cache
def _scenario_names() -> frozenset[str]:
    from sim.scenario import available

    return frozenset(available())


def variant_available(v: Variant) -> bool:
    """Can this variant be run (its scenario is shipped and its parameters exist)?"""
    return v.scenario in _scenario_names() and set(v.params) <= _parameter_names()


def switch_available(fact: Fact) -> bool:
    """Does the model have the fact's mechanism switch?"""
    return fact.mechanism is not None and fact.mechanism in _parameter_names()


def off_variants(fact: Fact) -> dict[str, Variant]:
    """The fact's variants with its mechanism switched off, by the key of the variant they replace."""
    if not switch_available(fact):
        return {}
    out = {}
    for k in fact.variants:
        off = VARIANTS[k].switched_off(fact.mechanism)  # type: ignore[arg-type]
        # reuse a declared variant with the same settings (open_networks is compartmentalisation off)
        same = [v for v in VARIANTS.values() if v.scenario == off.scenario and v.params == off.params]
        out[k] = same[0] if same else off
    return out


def fact_available(fact: Fact) -> bool:
    """Can the fact be measured with the model as it is (every variant it needs can run)?"""
    return all(variant_available(VARIANTS[k]) for k in fact.variants)


def needed_variants(facts: Sequence[Fact], mechanism_off: bool = True) -> list[Variant]:
    """Every variant the facts need (on, and with ``mechanism_off`` their off variants), without duplicates."""
    out: dict[str, Variant] = {}
    for f in facts:
        if not fact_available(f):
            continue
        for k in f.variants:
            out.setdefault(k, VARIANTS[k])
        if mechanism_off:
            for v in off_variants(f).values():
                out.setdefault(v.key, v)
    return list(out.values())


def calibration_weights(folder: str | Path) -> dict[str, float]:
    """The summaries a calibration fitted and their weights (``summaries`` of its ``manifest.json``).

    Raises :class:`InputError` naming the manifest when it is missing or unreadable: without it, which
    facts were fitted is unknown, and a fitted fact would be taken for evidence.
    """
    from sim.fitting.posterior import MANIFEST

    path = Path(folder) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(path, None, "missing: which summaries the calibration fitted is unknown",
                         allowed="a folder written by insim calibrate, with its manifest.json") from None
    except (OSError, ValueError) as exc:
        raise InputError(path, None, f"not a readable manifest ({exc.__class__.__name__})") from None
    weights = manifest.get("summaries") if isinstance(manifest, dict) else None
    if not isinstance(weights, dict) or not all(
            isinstance(w, int | float) and not isinstance(w, bool) for w in weights.values()):
        raise InputError(path, "summaries", "not a table of summary weights", allowed="{name: weight, ...}")
    return {str(k): float(w) for k, w in weights.items()}


def fitted(fact: Fact, weights: Mapping[str, float]) -> bool:
    """Was the fact fitted: does the calibration give its summary a weight above 0?"""
    return fact.calibration_summary is not None and weights.get(fact.calibration_summary, 0.0) > 0


def _values(fact: Fact, seeds: list[Runs], keys: dict[str, str], start: bool = False) -> np.ndarray:
    values = []
    measure = fact.measure if (not start or fact.at_start is True) else fact.at_start
    for runs in seeds:
        if not all(keys[k] in runs for k in fact.variants):
            continue
        picked = {k: runs[keys[k]] for k in fact.variants}
        if start:
            picked = start_runs(picked)
        with np.errstate(all="ignore"):
            values.append(float(measure(picked)))  # type: ignore[operator]
    return np.array(values, dtype=float)


def _summary(fact: Fact, arr: np.ndarray) -> dict:
    finite = arr[np.isfinite(arr)]
    return {"value": float(np.median(finite)) if len(finite) else np.nan,
            "low": float(finite.min()) if len(finite) else np.nan,
            "high": float(finite.max()) if len(finite) else np.nan,
            "passes_share": float(np.mean([fact.passes(x) for x in arr])) if len(arr) else np.nan,
            "n_seeds": len(arr), "n_defined": len(finite), "defined": len(finite) >= max(1, len(arr) / 2)}


def evaluate_fact(fact: Fact, seeds: list[Runs], weights: Mapping[str, float] | None = None) -> dict:
    """One fact's row: on-values, day-one value, mechanism-off value, and whether it is reproduced.

    ``weights`` are the summary weights of the calibration the runs drew from (none: not fitted).
    """
    row: dict = {"fact": fact.id, "kind": fact.kind, "statement": fact.statement, "citation": fact.citation,
                 "measure": fact.measure_name, "threshold": fact.threshold_text, "reason": fact.reason,
                 "status": fact.status, "observed": fact.observed, "mechanism": fact.mechanism,
                 "calibration_summary": fact.calibration_summary, "fitted": fitted(fact, weights or {})}
    if not fact_available(fact):
        missing = [k for k in fact.variants if not variant_available(VARIANTS[k])]
        row.update(available=False, note=f"cannot run: variant {', '.join(missing)} needs what the model lacks",
                   median=np.nan, low=np.nan, high=np.nan, passed=False, share_seeds_passing=np.nan, n_seeds=0,
                   n_defined=0, values=[], at_start={"value": np.nan, "passes": None, "defined": False},
                   mechanism_off={"mechanism": fact.mechanism, "value": np.nan, "passes_share": np.nan,
                                  "available": False}, reproduced=False)
        return row
    on = _values(fact, seeds, {k: k for k in fact.variants})
    s = _summary(fact, on)
    row.update(available=True, note="", median=s["value"], low=s["low"], high=s["high"],
               passed=bool(s["defined"] and fact.passes(s["value"])), share_seeds_passing=s["passes_share"],
               n_seeds=s["n_seeds"], n_defined=s["n_defined"], values=on.tolist())
    if fact.at_start is False:
        row["at_start"] = {"value": np.nan, "passes": None, "defined": False}
    else:
        st = _summary(fact, _values(fact, seeds, {k: k for k in fact.variants}, start=True))
        row["at_start"] = {"value": st["value"], "passes": bool(st["defined"] and st["passes_share"] >= 0.5)
                           if st["defined"] else None, "defined": bool(st["defined"])}
    offs = off_variants(fact)
    if offs:
        off = _summary(fact, _values(fact, seeds, {k: v.key for k, v in offs.items()}))
        row["mechanism_off"] = {"mechanism": fact.mechanism, "value": off["value"], "passes_share": off["passes_share"],
                                "available": off["n_seeds"] > 0}
    else:
        row["mechanism_off"] = {"mechanism": fact.mechanism, "value": np.nan, "passes_share": np.nan,
                                "available": False}
    fails_at_start = row["at_start"]["passes"] is False
    off_share = row["mechanism_off"]["passes_share"]
    fails_off = row["mechanism_off"]["available"] and bool(np.isfinite(off_share) and off_share <= OFF_PASS_SHARE)
    row["reproduced"] = bool(fact.kind == "emergent" and s["passes_share"] >= PASS_SHARE
                             and (fails_at_start or fails_off))
    return row


def evaluate(facts: Sequence[Fact], runs: list[RunRecord], weights: Mapping[str, float] | None = None) -> pd.DataFrame:
    """One row per fact (see :func:`evaluate_fact`, for ``weights``); runs are paired by replication."""
    by_rep: dict[int, Runs] = {}
    for r in runs:
        by_rep.setdefault(r.rep, {})[r.variant] = r
    seeds = [by_rep[k] for k in sorted(by_rep)]
    return pd.DataFrame([evaluate_fact(f, seeds, weights) for f in facts])
