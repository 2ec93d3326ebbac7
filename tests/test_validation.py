"""Validation machinery, and the contrast of the emergent facts at a small size.

The small set is chosen by a rule that does not look at results: every emergent fact that can be
run, whose mechanism switch exists, that is observable in 40 months and whose runs are the baseline
scenario with parameter overrides. For each, the mechanism-on variant must pass on more of three
seeds than the mechanism-off variant (thresholds as declared in ``sim/validation/facts.py``).
The facts whose contrast fails today are listed in ``NOT_YET_REPRODUCED`` and expected to fail
(strictly). The full report (more seeds, 60 months, every fact) is ``insim validate``.
"""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from sim.validation import evaluate, facts_json, format_table, run_variants, write_report
from sim.validation.evaluation import (
    OFF_PASS_SHARE,
    PASS_SHARE,
    evaluate_fact,
    fact_available,
    needed_variants,
    off_variants,
    switch_available,
)
from sim.validation.facts import FACTS, KINDS, VARIANTS, Fact
from sim.validation.provenance import SET_IN

MONTHS = 40
SMALL = tuple(f for f in FACTS if f.kind == "emergent" and fact_available(f) and switch_available(f)
              and f.min_months <= MONTHS and all(VARIANTS[k].scenario == "baseline" for k in f.variants))


# A ledger, not a selection: the emergent facts whose on/off contrast FAILED at this size when the
# test was written (branch facts, 51d143d; see docs/validation.md), updated from this test's results when the
# mechanisms changed on 1 December 2026 (six left the list, two joined). They stay in the set and are
# expected to fail (strict: a fact that starts passing makes the test fail until it leaves this
# list). Runs are seeded, so the outcome is deterministic.
NOT_YET_REPRODUCED = frozenset({
    "F3b_pledged_control", "F2c2_northeast_vacuum_comparable",
    "F6b_ric_decline", "F6c_ric_share_raqqa",
    # F2a2 failed after the mechanisms of 1 December 2026 (oil and the trader's choice put zakat in
    # the triangle without hideouts); F6c2 and F7a2 after supply lines and patience as a decision
    # (stop 11). All three left the ledger after stop 24's model fixes (attacks kill the patrolling
    # unit's men, the Turkish front's share is of men, the first cells hide away from garrisons):
    # their contrasts pass at 3 seeds x 40 months. No threshold, window or kind changed.
    # after command consolidation (stop 12, its defaults: half the day-one cells outside the Badia
    # autonomous): F1a2 and F4b2 left the ledger (their contrast passes again); F5b and F11 joined
    # (their contrast now fails at 3 seeds x 40 months). No threshold, window or kind changed.
    "F5b_compartmentalisation", "F11_strength_2022",
    # after the leftover arsenals (stop 13, default $1,000 a fighter): F1a2 and F4b2 joined again
    # (their on/off contrast fails at 3 seeds x 40 months). No threshold, window or kind changed.
    # After suspects detained on every raid (stop 14): F1b2 and F4b2 left the ledger (their contrast
    # passes at 3 seeds x 40 months). No threshold, window or kind changed.
    # After stop 23's fixes (a chairman leaves with the last official; the cordon): F1a2 left the
    # ledger (its contrast passes at 3 seeds x 40 months). No threshold, window or kind changed.
})


def _contrast_params() -> list:
    return [pytest.param(f.id, marks=pytest.mark.xfail(strict=True, reason="not reproduced yet (issue 13)"))
            if f.id in NOT_YET_REPRODUCED else f.id for f in SMALL]


@pytest.fixture(scope="module")
def small_table():
    runs = run_variants(needed_variants(SMALL), reps=3, months=MONTHS, seed=0, workers=2)
    return evaluate(SMALL, runs)


def test_facts_are_declared_consistently():
    ids = [f.id for f in FACTS]
    assert len(ids) == len(set(ids))
    for f in FACTS:
        assert f.citation.split()[0].rstrip(";") in ("eui2022", "wp2019", "ric"), f.id
        assert set(f.variants) <= set(VARIANTS), f.id
        assert f.direction in (">=", "<=", "in"), f.id
        assert f.kind in KINDS, f.id
        assert f.statement and f.reason and f.measure_name, f.id
        assert f.kind == "input" or f.mechanism, f"emergent fact {f.id} names no mechanism switch"
        assert not f.observed or f.citation.startswith("ric"), f.id


def test_every_fact_has_the_commit_that_set_its_threshold():
    assert sorted(SET_IN) == sorted(f.id for f in FACTS)


def test_pass_rule_and_nan():
    f = Fact("x", "s", "eui2022 s.2", ("baseline",), "m", lambda runs: 1.0, (1.0, 2.0), "in", "r")
    assert f.passes(1.5) and not f.passes(2.5) and not f.passes(np.nan)
    assert f.threshold_text == "in [1, 2]"


def _seed(on: float, start: float, off: float) -> dict:
    """One seed's fake runs: the measure reads ``value`` of the baseline (or its off variant)."""
    return {"baseline": SimpleNamespace(value=on, at_start=SimpleNamespace(value=start, at_start=None)),
            "baseline__raids_enabled_off": SimpleNamespace(value=off, at_start=None)}


@pytest.mark.parametrize(("on", "start", "off", "reproduced"), [
    (2.0, 0.0, 0.0, True),   # passes on, fails at the start and off
    (2.0, 2.0, 0.0, True),   # passes at the start, but fails off
    (2.0, 0.0, 2.0, True),   # passes off, but fails at the start
    (2.0, 2.0, 2.0, False),  # passes everywhere: the set-up, not the mechanism
    (0.0, 0.0, 0.0, False),  # fails with the mechanism on
])
def test_reproduced_needs_a_failure_at_start_or_with_the_mechanism_off(on, start, off, reproduced):
    fact = Fact("x", "s", "eui2022 s.2", ("baseline",), "m", lambda runs: runs["baseline"].value, 1.0, ">=", "r",
                mechanism="raids_enabled")
    assert off_variants(fact)["baseline"].params == {"raids_enabled": False}
    row = evaluate_fact(fact, [_seed(on, start, off) for _ in range(3)])
    assert row["reproduced"] is reproduced
    assert row["at_start"]["value"] == start and row["mechanism_off"]["value"] == off
    as_input = evaluate_fact(Fact(**{**fact.__dict__, "kind": "input"}), [_seed(on, start, off)])
    assert as_input["reproduced"] is False
    assert 0 < OFF_PASS_SHARE < PASS_SHARE <= 1


def test_flow_facts_are_undefined_at_start():
    fact = Fact("x", "s", "eui2022 s.2", ("baseline",), "m", lambda runs: runs["baseline"].value, 1.0, ">=", "r",
                mechanism="raids_enabled", at_start=False)
    row = evaluate_fact(fact, [_seed(2.0, 0.0, 2.0)])
    assert row["at_start"]["defined"] is False and row["reproduced"] is False
    assert "undefined at start" in format_table(pd.DataFrame([row]))


def test_small_set_is_chosen_by_the_rule():
    assert SMALL, "the rule picks no fact"
    assert {f.id for f in SMALL} >= NOT_YET_REPRODUCED
    for f in SMALL:
        assert f.kind == "emergent" and f.min_months <= MONTHS and switch_available(f)


@pytest.mark.parametrize("fact_id", _contrast_params())
def test_mechanism_on_passes_more_often_than_off(small_table, fact_id):
    row = small_table.set_index("fact").loc[fact_id]
    on, off = row["share_seeds_passing"], row["mechanism_off"]["passes_share"]
    assert on > off, (f"{fact_id}: on passes {on:.0%} of seeds, {row['mechanism_off']['mechanism']} off "
                      f"{off:.0%} (values on {row['values']}, off median {row['mechanism_off']['value']})")


def test_report_and_json(small_table, tmp_path):
    text = format_table(small_table)
    assert "Emergent facts" in text and "at start" in text and "mechanism off" in text
    paths = write_report(small_table, tmp_path, meta={"reps": 3, "months": MONTHS})
    data = json.loads(paths["json"].read_text())
    assert len(data["facts"]) == len(SMALL)
    first = data["facts"][0]
    assert {"id", "kind", "passes_share", "at_start", "mechanism_off", "reproduced", "set_in"} <= set(first)
    assert {"value", "passes"} <= set(first["at_start"]) and {"mechanism", "value", "passes_share"} <= set(
        first["mechanism_off"])
    assert facts_json(small_table)["facts"][0]["id"] == first["id"]
    assert paths["figure"].stat().st_size > 1000


def test_cli_registers_validate_and_bad_input_exits_2(capsys):
    from sim.cli import build_parser, main

    args = build_parser().parse_args(["validate", "--reps", "3", "--months", "40", "--facts", "F7",
                                      "--json", "x.json"])
    assert args.reps == 3 and args.json == "x.json" and args.func.__module__ == "sim.validation.command"
    assert main(["validate", "--facts", "nothing_like_this"]) == 2
    assert "--facts" in capsys.readouterr().err
