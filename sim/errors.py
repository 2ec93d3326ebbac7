"""The one error type for bad input: it names the file, the key and what is allowed."""

from __future__ import annotations

from pathlib import Path


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
