"""Model parameters: a validated pydantic model generated from ``seeds/parameters.toml``.

>>> from sim.parameters import Parameters
>>> Parameters().zakat_min_usd
1000.0
>>> Parameters(zakat_min_usd=-1)  # doctest: +ELLIPSIS
Traceback (most recent call last):
pydantic_core._pydantic_core.ValidationError: ...
"""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, create_model

from sim.sources import is_date, load_facts, load_parameter_specs, parameter_source


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True, frozen=False)

    def model_post_init(self, context: Any, /) -> None:
        # pydantic-core keys the instance's dict with strings of its own, not the interned names that code
        # reads, so CPython cannot specialise a read of a parameter (~35 ns instead of ~8); a run reads ~170
        # a day. The same values under the interned names (an assignment keeps them: it copies the dict).
        object.__setattr__(self, "__dict__", {sys.intern(k): v for k, v in self.__dict__.items()})


def _field(spec: Any) -> tuple[type, Any]:
    kind: type = dt.date if is_date(spec.value) else type(spec.value)
    if kind is int and spec.unit not in ("count", "days", "months", "people", "fighters"):
        kind = float  # integers in the table are often rounded figures of a continuous quantity
    default = float(spec.value) if kind is float else spec.value
    bounds = {}
    if spec.minimum is not None:
        bounds["ge"] = spec.minimum
    if spec.maximum is not None:
        bounds["le"] = spec.maximum
    return kind, Field(default, description=f"{spec.description} [{spec.unit}]", **bounds)


Parameters = create_model(
    "Parameters",
    __base__=_Base,
    __doc__="Every model parameter with its default from the seeds table; unknown names are errors.",
    **{name: _field(spec) for name, spec in load_parameter_specs().items()},
)


def parameter_table() -> pd.DataFrame:
    """The parameters with defaults, ranges and provenance, one row each."""
    rows = []
    for name, spec in load_parameter_specs().items():
        rows.append({
            "parameter": name, "group": spec.group, "value": spec.value, "unit": spec.unit,
            "min": spec.minimum, "max": spec.maximum, "basis": "assumption" if spec.is_assumption else "fact",
            "source": parameter_source(name), "description": spec.description,
        })
    return pd.DataFrame(rows)


def fact_table() -> pd.DataFrame:
    """The seeds' facts, one row each."""
    return pd.DataFrame([vars(f) for f in load_facts().values()])
