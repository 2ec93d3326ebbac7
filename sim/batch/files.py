"""Files of a results folder: tables (parquet, or CSV without pyarrow), JSON, atomic writes, hashes.

Every write goes through a temporary name and a rename, so a reader (or a resumed batch) never
sees half a file; a failed write (read-only folder, full disk) becomes an InputError naming the folder.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from sim.errors import InputError

TMP_PREFIX = ".tmp-"


def has_pyarrow() -> bool:
    """Whether parquet can be written (else CSV is)."""
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    return True


def table_ext() -> str:
    """The extension of the tables this installation writes."""
    return ".parquet" if has_pyarrow() else ".csv"


def write_table(df: Any, path: Path, statistics: bool = True) -> None:
    """Write ``df`` (a DataFrame, or a pyarrow Table: written without pandas' conversion) as parquet or
    CSV, by ``path``'s extension; ``statistics=False`` leaves out parquet's column statistics (a third
    of the cost of writing a small table; for files only this project reads back whole)."""
    if not isinstance(df, pd.DataFrame):
        if path.suffix == ".parquet":
            import pyarrow.parquet as pq

            pq.write_table(df, path, write_statistics=statistics)
            return
        df = df.to_pandas()
    if path.suffix == ".parquet":
        df.to_parquet(path, index=False, write_statistics=statistics)
    else:
        df.to_csv(path, index=False)


def read_table(path: Path) -> pd.DataFrame:
    """Read a table; InputError naming the file if it cannot be read."""
    try:
        return pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
    except Exception as exc:
        raise InputError(path, None, f"cannot be read: {type(exc).__name__}: {exc}") from None


def find_table(folder: Path, stem: str) -> Path | None:
    """``folder/stem.parquet`` or ``folder/stem.csv``, whichever exists."""
    for ext in (".parquet", ".csv"):
        if (folder / f"{stem}{ext}").is_file():
            return folder / f"{stem}{ext}"
    return None


@contextlib.contextmanager
def writing(folder: Path) -> Iterator[None]:
    """Turn a failed write (read-only folder, full disk) into an InputError naming the folder."""
    try:
        yield
    except OSError as exc:
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        hint = "free some space" if exc.errno in (errno.ENOSPC, errno.EDQUOT) else "a folder you can write to"
        raise InputError(folder, None, f"cannot write there: {reason}",
                         allowed=f"{hint}; finished runs are kept and --resume goes on from them") from None


def atomic_write(path: Path, write: Callable[[Path], Any]) -> None:
    """Write ``path`` through ``write(tmp_path)`` and a rename, so readers never see half a file."""
    tmp = path.with_name(f"{TMP_PREFIX}{os.getpid()}-{path.name}")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def write_json(path: Path, data: Any, indent: int | None = 2) -> None:
    """Write JSON atomically (indented unless ``indent`` is None: Python's C encoder writes only compact
    JSON, some four times faster)."""
    atomic_write(path, lambda p: p.write_text(json.dumps(data, indent=indent, default=str) + "\n"))


def read_json(path: Path, data: bytes | None = None) -> Any:
    """Read JSON (from ``data``, the file's bytes when already read); InputError naming the file if it is
    missing or malformed."""
    try:
        return json.loads(path.read_bytes() if data is None else data)
    except FileNotFoundError:
        raise InputError(path, None, "missing") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise InputError(path, None, f"not readable JSON: {exc}") from None


def read_files(folder: Path, names: Iterable[str]) -> dict[str, bytes]:
    """The bytes of the files ``names`` in ``folder`` that can be read (a file is then read once to be
    both hashed and parsed; the missing ones are left to the checks that name them)."""
    contents = {}
    for name in names:
        with contextlib.suppress(OSError):
            contents[name] = (folder / name).read_bytes()
    return contents


def sha256(path: Path, data: bytes | None = None) -> str:
    """The file's sha256 (hex), of ``data`` when its bytes are already read."""
    if data is not None:
        return hashlib.sha256(data).hexdigest()
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def clean_temp(out: Path) -> None:
    """Remove what a killed batch left half-written."""
    for leftover in out.glob(f"{TMP_PREFIX}*"):
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
