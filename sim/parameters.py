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
from collections.abc import Callable
from typing import Any, ClassVar

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, create_model

from sim.sources import is_date, load_facts, load_parameter_specs, parameter_source


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True, frozen=False)

    changes: ClassVar[int] = 0
    """How many assignments any parameters have had (validated ones: pydantic's); with the parameters' object,
    what tells that numbers made from them may be stale (:class:`KeptRules`)."""

    def __setattr__(self, name: str, value: Any) -> None:
        super().__setattr__(name, value)
        _Base.changes += 1

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


class KeptRules:
    """Numbers made from a model's parameters (and from a few other values, ``extra``), kept until they may
    change: another parameters object, an assignment to any (:attr:`_Base.changes`), or another ``extra``.

    The kernels' rules are read every night (issue 15); reading and converting their parameters each time
    cost more than the rules' arithmetic. ``extra`` holds plain values compared by ``==`` (no arrays).
    """

    __slots__ = ("_changes", "_extra", "_p", "value")

    def __init__(self) -> None:
        self._p: Any = None
        self._changes = -1
        self._extra: Any = None
        self.value: Any = None

    def get(self, p: Any, make: Callable[[], Any], extra: Any = None) -> Any:
        """The kept numbers, made again by ``make()`` if ``p`` or ``extra`` may have changed since."""
        if p is not self._p or _Base.changes != self._changes or extra != self._extra:
            self.value = make()
            self._p, self._changes, self._extra = p, _Base.changes, extra
        return self.value


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
