"""The one error type for bad input: it names the file, the key and what is allowed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any


def as_written(value: Any) -> str:
    """A value as a user writes it in TOML (``2021-03-01``, ``true``), not as Python shows it
    (``datetime.date(2021, 3, 1)``, ``True``); text keeps its quotes so a quoted number stands out."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(as_written(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {as_written(v)}" for k, v in value.items()) + " }"
    return repr(value)


def value_kind(value: Any) -> str:
    """What kind of value ``value`` is, in plain words ("text", "a whole number", "a date")."""
    kinds: tuple[tuple[type | tuple[type, ...], str], ...] = (
        (bool, "a true/false value"), (int, "a whole number"), (float, "a decimal number"), (str, "text"),
        (dt.datetime, "a date and time"), (dt.date, "a date"), (dt.time, "a time"), (dict, "a table"),
        (list, "a list"))
    return next((words for kind, words in kinds if isinstance(value, kind)), "a value of another kind")


class InputError(ValueError):
    """A scenario, map, parameter or results folder that cannot be used as it is."""

    def __init__(self, file: str | Path | None, key: str | None, problem: str, allowed: str = "") -> None:
        self.file = str(file) if file is not None else None
        self.key = key
        self.problem = problem
        self.allowed = allowed
        where = ": ".join(part for part in (self.file, key) if part)
        text = f"{where}: {problem}" if where else problem
        if allowed:
            text += f" (allowed: {allowed})"
        super().__init__(text)

    def __reduce__(self) -> tuple:
        # rebuilt from its four parts: a worker process can send it back to the batch intact
        return self.__class__, (self.file, self.key, self.problem, self.allowed)


class BatchError(RuntimeError):
    """A batch that could not do its runs (worker processes that died or could not start)."""
