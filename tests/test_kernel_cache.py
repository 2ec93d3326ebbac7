"""The compiled kernels' cache: its folder is named by the sources kernels depend on, old folders are pruned."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import sim.compiled as compiled
from sim.compiled import PACKAGE, source_digest


@pytest.fixture
def package(tmp_path: Path) -> Path:
    copy = tmp_path / "sim"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return copy


def _edit(path: Path) -> None:
    path.write_text(path.read_text() + "\n# edited\n")


@pytest.mark.parametrize("module", ["compiled.py", "mechanisms/killings.py", "world/names.py", "agents/is_cell.py"])
def test_a_kernel_module_or_one_whose_constants_kernels_import_names_a_new_cache(package: Path, module: str) -> None:
    """Kernels compile in the constants of the modules they import (``REGIME``, the roles): editing one of
    those must not reuse kernels compiled from the old text."""
    before = source_digest(package)
    _edit(package / module)
    assert source_digest(package) != before


@pytest.mark.parametrize("module", ["cli.py", "model.py", "scenario.py"])
def test_other_modules_keep_the_cache(package: Path, module: str) -> None:
    """A module no kernel module imports at module level (the model only under ``TYPE_CHECKING``) cannot make
    a compiled kernel stale, so editing it keeps the cache (a recompile costs ~30 s)."""
    before = source_digest(package)
    _edit(package / module)
    assert source_digest(package) == before


def test_old_cache_folders_are_pruned_and_the_current_one_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    current, old, recent = tmp_path / "current", tmp_path / "old", tmp_path / "recent"
    for folder in (current, old, recent):
        folder.mkdir()
    now = 1_000_000_000.0
    days = compiled.STALE_CACHE_DAYS * 86400
    os.utime(old, (now - days - 10, now - days - 10))
    os.utime(recent, (now - days + 10, now - days + 10))
    os.utime(current, (now - 10 * days, now - 10 * days))  # in use, however old its time
    monkeypatch.setattr(compiled, "CACHE_DIR", current)
    assert compiled.prune_stale_caches(now) == [old]
    assert current.is_dir() and recent.is_dir() and not old.exists()
