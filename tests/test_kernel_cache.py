"""The compiled kernels' cache: its folder is named by the sources kernels depend on, old folders are pruned."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import sim.compiled as compiled
from sim.compiled import PACKAGE, source_digest
from sim.resources import FOLDERS, PACKAGED_DATA


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


def _kernel_cache_use(package_parent: Path, cache: Path) -> tuple[str, int, int]:
    """In a new process importing the package from ``package_parent``: where ``clipped`` is cached, and its
    cache hits and misses after one call."""
    code = ("import sim.compiled as c\n"
            "c.clipped(2.0, 0.0, 1.0)\n"
            "s = c.clipped.stats\n"
            "print(s.cache_path, sum(s.cache_hits.values()), sum(s.cache_misses.values()))")
    env = {**os.environ, "NUMBA_CACHE_DIR": str(cache), "PYTHONPATH": str(package_parent)}
    env.pop("NUMBA_CACHE_LOCATOR_CLASSES", None)
    done = subprocess.run([sys.executable, "-c", code], cwd=package_parent, env=env, capture_output=True, text=True,
                          check=True)
    path, hits, misses = done.stdout.split()
    return path, int(hits), int(misses)


def _with_data(package: Path) -> Path:
    """``package`` given the shipped data where a wheel carries them (links to this checkout's folders)."""
    (package / PACKAGED_DATA).mkdir()
    for name, folder in FOLDERS.items():
        (package / PACKAGED_DATA / name).symlink_to(PACKAGE.parent / folder, target_is_directory=True)
    return package


def test_a_copy_of_the_package_elsewhere_loads_the_kernels_this_one_compiled(package: Path, tmp_path: Path) -> None:
    """The cache is found by the sources' digest and each module's folder inside the package, not by the
    package's absolute path: a clone elsewhere, or the package installed from a wheel, loads what another
    copy of the same sources compiled instead of compiling every kernel again."""
    _with_data(package)
    cache = tmp_path / "numba"
    here = _kernel_cache_use(PACKAGE.parent, cache)
    elsewhere = _kernel_cache_use(package.parent, cache)
    assert here[0] == elsewhere[0] == str(cache / "insim" / source_digest() / "sim")
    assert here[1:] == (0, 1)  # compiled here, into the empty cache
    assert elsewhere[1:] == (1, 0)  # loaded there


def test_a_changed_kernel_module_elsewhere_compiles_its_own(package: Path, tmp_path: Path) -> None:
    _with_data(package)
    cache = tmp_path / "numba"
    _kernel_cache_use(PACKAGE.parent, cache)
    _edit(package / "compiled.py")
    path, hits, misses = _kernel_cache_use(package.parent, cache)
    assert path == str(cache / "insim" / source_digest(package) / "sim") and (hits, misses) == (0, 1)
