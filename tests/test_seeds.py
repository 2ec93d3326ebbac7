"""Every number the model uses cites the seeds or is marked as an assumption."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from sim.parameters import Parameters, parameter_table
from sim.sources import SOURCES, is_date, load_facts, load_parameter_specs

SIM = Path(__file__).resolve().parents[1] / "sim"


def test_every_parameter_has_a_fact_or_an_assumption() -> None:
    for name, spec in load_parameter_specs().items():
        assert spec.facts or spec.assumption.strip(), f"{name}: neither a fact id nor an assumption"
        assert not (spec.facts and spec.assumption), f"{name}: both facts and an assumption; use derivation"


def test_cited_facts_exist_and_values_match_or_are_derived() -> None:
    facts = load_facts()
    for name, spec in load_parameter_specs().items():
        for fid in spec.facts:
            assert fid in facts, f"{name} cites unknown fact {fid!r}"
        if len(spec.facts) == 1 and not spec.derivation and not is_date(spec.value):
            assert spec.value == facts[spec.facts[0]].value, f"{name} = {spec.value} but its fact says otherwise"


def test_facts_name_their_source_and_passage() -> None:
    for fact in load_facts().values():
        assert fact.source in SOURCES
        assert re.search(r"(s\.\d|fn \d|Introduction|Conclusion|Abstract|para|byline|headline)", fact.where), fact.id
        assert len(fact.statement) > 20


def test_parameters_model_matches_the_table() -> None:
    specs = load_parameter_specs()
    assert set(Parameters.model_fields) == set(specs)
    defaults = Parameters()
    for name, spec in specs.items():
        assert getattr(defaults, name) == spec.value or float(getattr(defaults, name)) == float(spec.value)


def test_out_of_range_values_are_rejected() -> None:
    with pytest.raises(ValueError):
        Parameters(sweep_wrongful_share=1.5)
    with pytest.raises(ValueError):
        Parameters(not_a_parameter=1)


def test_parameter_table_lists_provenance() -> None:
    table = parameter_table()
    row = table.set_index("parameter").loc["sweep_wrongful_share"]
    assert row.basis == "fact" and "fn 36" in row.source
    assert (table.basis == "assumption").sum() > 0


def test_parameters_are_stored_under_the_names_code_reads() -> None:
    # the names interned (sim/parameters.py): otherwise CPython cannot specialise a parameter's read, four
    # times dearer; assignments, validation from a dict and copies keep them, and the values stay validated
    made = [Parameters(), Parameters(fear_decay=0.1), Parameters.model_validate({"fear_decay": 0.2}),
            Parameters().model_copy()]
    assigned = Parameters()
    assigned.fear_decay = 0.3
    made.append(assigned)
    for p in made:
        assert all(k is sys.intern(k) for k in vars(p)), [k for k in vars(p) if k is not sys.intern(k)][:3]
        assert set(vars(p)) == set(Parameters.model_fields)
    assert [p.fear_decay for p in made[1:3]] + [assigned.fear_decay] == [0.1, 0.2, 0.3]
    with pytest.raises(ValueError):
        assigned.fear_decay = -1.0
