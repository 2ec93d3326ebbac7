"""The F7 facts and their scenario: F7d runs on turkish_offensive_2019, which is the baseline plus the offensive."""

from __future__ import annotations

import datetime as dt

import numpy as np

from sim.scenario import load_scenario
from sim.validation.evaluation import fact_available, needed_variants, off_variants
from sim.validation.facts import FACTS, VARIANTS
from sim.validation.measures import raids_suspended_rise
from sim.validation.record import record_run

F7 = {f.id: f for f in FACTS if f.id.startswith("F7")}
OFFENSIVE, RESUMED = dt.date(2019, 10, 9), dt.date(2020, 1, 1)


def _events(scenario: object, keep: object = lambda e: True) -> list[tuple]:
    return sorted((e.date, e.kind, repr(e.args.model_dump(exclude={"description"})))
                  for e in scenario.events if keep(e))  # type: ignore[attr-defined,operator]


def test_f7d_runs_with_its_mechanism_off_variant() -> None:
    fact = F7["F7d_raids_suspended"]
    assert fact_available(fact)
    off = off_variants(fact)["turkish_offensive_2019"]
    assert off.scenario == "turkish_offensive_2019" and off.params == {"raids_enabled": False}
    assert {v.key for v in needed_variants([fact])} == {"turkish_offensive_2019", off.key}


def test_the_offensive_scenario_is_the_baseline_plus_the_october_2019_events() -> None:
    offensive, baseline = load_scenario("turkish_offensive_2019"), load_scenario("baseline")
    assert (offensive.start, offensive.months) == (baseline.start, baseline.months)
    added = [e for e in _events(offensive) if e not in _events(baseline)]
    assert added and all(OFFENSIVE <= e[0] <= RESUMED for e in added)
    assert {e[1] for e in added} == {"sdf_attention_north", "set_parameters", "coalition_withdrawal"}


def test_history_holds_the_same_offensive() -> None:
    """History extends the offensive scenario: up to 2020 the two have the same events."""
    def early(e: object) -> bool:
        return e.date <= RESUMED  # type: ignore[attr-defined]

    assert _events(load_scenario("history"), early) == _events(load_scenario("turkish_offensive_2019"), early)


def test_f7d_is_measured_on_a_run_that_ends_in_december_2019() -> None:
    """F7d's min_months (9) is enough: April-December 2019 holds September and November-December."""
    record = record_run(VARIANTS["turkish_offensive_2019"], rep=0, seed=1, months=F7["F7d_raids_suspended"].min_months)
    assert len(record.monthly) == 9 and record.month_of(dt.date(2019, 12, 1)) == 8
    assert record.event_month("coalition_withdrawal") == record.month_of(dt.date(2019, 11, 1))
    assert not np.isnan(raids_suspended_rise({"turkish_offensive_2019": record}))
