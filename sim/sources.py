"""Reads ``seeds/``: the facts extracted from the two source documents, and the parameter table.

``seeds/facts.toml`` holds every fact and figure the model uses, each with its document and
passage. ``seeds/parameters.toml`` holds every model parameter: its default value, its allowed
range, and either the fact ids it rests on or an ``assumption`` saying why the value was chosen.
The :class:`~sim.parameters.Parameters` model is built from that table, so a parameter cannot
exist in the code without a row there.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from sim.errors import InputError
from sim.resources import seeds_dir

SEEDS = seeds_dir()
SOURCES = ("wp2019", "eui2022")


@dataclass(frozen=True)
class Fact:
    """One fact or figure from a source document, in the project's own words."""

    id: str
    value: Any
    unit: str
    source: str  # one of SOURCES
    where: str  # section or footnote
    statement: str


@dataclass(frozen=True)
class ParameterSpec:
    """One row of the parameter table."""

    name: str
    value: Any
    unit: str
    description: str
    minimum: Any = None
    maximum: Any = None
    facts: tuple[str, ...] = ()
    derivation: str = ""
    assumption: str = ""
    group: str = ""
    range_reason: str = ""  # why the range ends where it does, when narrower than the quantity allows

    @property
    def kind(self) -> type:
        """The Python type of the value (bool, int, float, str or date)."""
        return type(self.value)

    @property
    def is_assumption(self) -> bool:
        """True when no fact backs the value."""
        return not self.facts


@cache
def load_facts(path: Path = SEEDS / "facts.toml") -> dict[str, Fact]:
    """Every fact in the seeds table, by id."""
    data = tomllib.loads(path.read_text())
    facts = {}
    for fid, row in data.items():
        if row.get("source") not in SOURCES:
            raise InputError(path, f"{fid}.source", f"{row.get('source')!r}", ", ".join(SOURCES))
        facts[fid] = Fact(fid, row["value"], row.get("unit", ""), row["source"], row["where"], row["statement"])
    return facts


@cache
def load_parameter_specs(path: Path = SEEDS / "parameters.toml") -> dict[str, ParameterSpec]:
    """Every parameter in the seeds table, by name, in file order."""
    data = tomllib.loads(path.read_text())
    specs = {}
    for group, rows in data.items():
        for name, row in rows.items():
            if name in specs:
                raise InputError(path, name, "defined twice")
            facts = row.get("fact", ())
            facts = (facts,) if isinstance(facts, str) else tuple(facts)
            specs[name] = ParameterSpec(
                name=name, value=row["value"], unit=row.get("unit", ""), description=row["description"],
                minimum=row.get("min"), maximum=row.get("max"), facts=facts,
                derivation=row.get("derivation", ""), assumption=row.get("assumption", ""), group=group,
                range_reason=row.get("range_reason", ""),
            )
    return specs


def parameter_source(name: str) -> str:
    """Human-readable provenance of one parameter: its facts with passages, or its assumption."""
    spec = load_parameter_specs()[name]
    if spec.is_assumption:
        return f"assumption: {spec.assumption}"
    facts = load_facts()
    parts = [f"{f.source} {f.where} ({f.id} = {f.value} {f.unit})".strip() for f in (facts[i] for i in spec.facts)]
    text = "; ".join(parts)
    return f"{text}; {spec.derivation}" if spec.derivation else text


def is_date(value: Any) -> bool:
    """True for TOML dates (not datetimes)."""
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)
