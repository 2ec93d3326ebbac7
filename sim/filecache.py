"""Parsed input files kept per process, so building many models (a batch, a calibration) reads each once.

An entry is keyed by the file's resolved path, modification time and size: editing the file between
two runs in the same process reads it again.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any


def file_key(path: str | Path) -> tuple[str, int, int]:
    """The cache key of a file: resolved path, modification time (ns) and size."""
    p = Path(path).resolve()
    st = p.stat()
    return str(p), st.st_mtime_ns, st.st_size


def cached_by_file[T](read: Callable[..., T]) -> Callable[..., T]:
    """``read(path, *args)`` computed once per (file version, args); a missing file is not cached.

    The cached value is shared by every caller: callers must treat it as read-only.
    """
    memo: dict[tuple[Any, ...], T] = {}

    @functools.wraps(read)
    def wrapper(path: str | Path, *args: Any) -> T:
        try:
            key = (file_key(path), *args)
        except OSError:
            return read(path, *args)  # let the reader report the missing file its own way
        if key not in memo:
            memo[key] = read(path, *args)
        return memo[key]

    wrapper.cache_clear = memo.clear  # type: ignore[attr-defined]
    return wrapper
