"""Where the shipped data live, in a checkout and in an installed wheel, and which code is running.

The repository keeps its data in top-level folders that users open and edit: ``seeds/`` (facts
and parameters), ``scenarios/`` (with ``maps/``) and ``data/observed/``. The wheel carries the
same files inside the package, under ``sim/_data/`` (``pyproject.toml`` maps them there at build
time, so nothing moves in the repository). These functions return whichever exists, the
packaged copy first:

>>> from sim import resources
>>> (resources.seeds_dir() / "parameters.toml").is_file()
True
>>> (resources.scenarios_dir() / "baseline.toml").is_file()
True

A user's own scenario files and maps load from any path; only the shipped ones come from here.
"""

from __future__ import annotations

import re
import subprocess
from functools import cache
from importlib import metadata, resources
from pathlib import Path

from sim.errors import InputError

PACKAGE = "sim"
DISTRIBUTION = "insim"
#: folder inside the package where the wheel carries the data
PACKAGED_DATA = "_data"
#: packaged name -> folder of the repository checkout it is built from
FOLDERS: dict[str, str] = {
    "seeds": "seeds",
    "scenarios": "scenarios",
    "observed": "data/observed",
}


def package_dir() -> Path:
    """The folder of the ``sim`` package on disk."""
    root = resources.files(PACKAGE)
    if not isinstance(root, Path):  # a zipped install: the model reads its data as ordinary files
        raise InputError(str(root), None, "insim cannot run from a zip archive",
                         allowed="an installed wheel or a checkout on disk")
    return root


def checkout_root() -> Path | None:
    """The repository root when ``sim`` runs from a checkout (editable install or PYTHONPATH), else None."""
    root = package_dir().parent
    return root if (root / "pyproject.toml").is_file() and (root / "seeds").is_dir() else None


def data_dir(name: str) -> Path:
    """One of the shipped data folders (a key of :data:`FOLDERS`): the packaged copy, else the checkout's."""
    if name not in FOLDERS:
        raise KeyError(f"unknown data folder {name!r}; one of {', '.join(FOLDERS)}")
    packaged = package_dir() / PACKAGED_DATA / name
    if packaged.is_dir():
        return packaged
    root = checkout_root()
    if root is not None and (root / FOLDERS[name]).is_dir():
        return root / FOLDERS[name]
    raise InputError(packaged, None, f"the shipped {name!r} folder is missing from this installation",
                     allowed="reinstall insim (pip install insim) or run from a complete checkout")


def seeds_dir() -> Path:
    """``seeds/``: ``facts.toml``, ``parameters.toml`` and their README."""
    return data_dir("seeds")


def scenarios_dir() -> Path:
    """``scenarios/``: the shipped scenario files, with the maps in ``maps/``."""
    return data_dir("scenarios")


def observed_dir() -> Path:
    """``data/observed/``: the observed record (RIC monthly and annual counts) with its README."""
    return data_dir("observed")


# ---------------------------------------------------------------------------------------- versions
def version() -> str:
    """The installed distribution's version (from git at build time); ``0+unknown`` when not installed."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "0+unknown"


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=10,
                              check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


#: what hatch-vcs / setuptools-scm write into a version: ``+g<hash>`` and, for a dirty tree, ``.d<date>``
_SCM_LOCAL = re.compile(r"\+g(?P<commit>[0-9a-f]{7,40})(?P<dirty>\.d\d{8})?$")


@cache
def code_version() -> dict[str, str | bool | None]:
    """The running code's commit and whether its tree had uncommitted changes, for batch manifests.

    From git when ``sim`` runs from a checkout (``source = "git"``); otherwise from the version
    the wheel was built with (``source = "build"``: a short commit, and ``dirty`` as the build saw
    it; a release built on a tag carries no commit). ``commit`` and ``dirty`` are None when unknown.
    """
    ver = version()
    root = checkout_root()
    if root is not None and (root / ".git").exists():
        commit = _git(root, "rev-parse", "HEAD")
        if commit is not None:
            status = _git(root, "status", "--porcelain", "--untracked-files=no")
            return {"commit": commit, "dirty": bool(status) if status is not None else None,
                    "version": ver, "source": "git"}
    match = _SCM_LOCAL.search(ver)
    if match:
        return {"commit": match["commit"], "dirty": match["dirty"] is not None, "version": ver, "source": "build"}
    return {"commit": None, "dirty": None, "version": ver, "source": "build"}
