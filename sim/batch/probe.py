"""Per-run probes: what a batch keeps of a run beyond its tables.

A probe builds the run's model from a model class of its own (a subclass that takes the readings it
needs as the run goes, for instance each village's state at every month end) and turns the finished
model into named numpy arrays. The batch engine stores them as ``runs/<run_id>/<name>.npz`` (no
pickled objects, so reading a results folder never runs code), hashed in the manifest like every
other run file, so a probed batch resumes and is checked as any batch. ``insim validate`` uses one
(:class:`sim.validation.record.ValidationProbe`).
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from sim.errors import InputError


class RunProbe(Protocol):
    """What the batch engine asks of a probe (it must be picklable: it travels to the workers)."""

    #: the stem of the file the arrays are stored in (``<name>.npz``)
    name: str

    @property
    def model_class(self) -> type:
        """The model class the run is built with (``InsurgencyModel`` or a subclass)."""
        ...

    def collect(self, model: Any) -> dict[str, np.ndarray]:
        """The finished run's arrays (numbers, booleans or text; no Python objects)."""
        ...


def write_arrays(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Store ``arrays`` in ``path`` (``.npz``); object arrays are refused (they would need pickle)."""
    plain = {k: np.asarray(v) for k, v in arrays.items()}
    for key, value in plain.items():
        if value.dtype == object:
            raise TypeError(f"probe array {key!r} holds Python objects; give numbers, booleans or text")
    np.savez(path, **plain)  # type: ignore[arg-type]


def read_arrays(path: Path) -> dict[str, np.ndarray]:
    """The arrays stored in ``path``; InputError naming the file if it cannot be read."""
    try:
        with np.load(path, allow_pickle=False) as data:
            return {k: data[k] for k in data.files}
    except FileNotFoundError:
        raise InputError(path, None, "missing (the run folder is incomplete)") from None
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        raise InputError(path, None, f"cannot be read: {type(exc).__name__}: {exc}") from None
