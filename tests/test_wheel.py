"""The built wheel works where a user installs it: a fresh virtualenv, run from an unrelated folder.

The rest of the suite imports ``sim`` from the checkout, which hides missing package data and
paths built from ``__file__``. Here the wheel is built from this checkout, installed with its
dependencies (from pip's cache or the index) into a new virtualenv in a temporary folder, and
the ``insim`` command and ``import sim`` are run from another temporary folder, with no
``PYTHONPATH``, so nothing from the repository is in reach.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def _run(cmd: list[str | Path], cwd: Path, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    # bytecode may be written: the wheel is installed without compiling its ~100 packages (below), so
    # the first command compiles what it imports once and the later ones reuse it
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "INSIM_SCENARIO", "PYTHONDONTWRITEBYTECODE")}
    return subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def _ok(done: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert done.returncode == 0, f"{' '.join(done.args)} exited {done.returncode}:\n{done.stdout[-2000:]}\n" \
                                 f"{done.stderr[-4000:]}"
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    _ok(_run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", out, ROOT], cwd=out))
    (built,) = out.glob("insim-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The bin/ folder of a fresh virtualenv with the wheel installed."""
    venv = tmp_path_factory.mktemp("venv")
    _ok(_run([sys.executable, "-m", "venv", venv], cwd=venv))
    # --no-compile: pip would byte-compile every module of every dependency (two thirds of the
    # install's time), most of which the tests never import
    _ok(_run([venv / "bin" / "python", "-m", "pip", "install", "--quiet", "--no-compile", wheel], cwd=venv,
             timeout=1200))
    yield venv / "bin"


@pytest.fixture()
def elsewhere(tmp_path: Path) -> Path:
    """An empty working folder, far from the checkout."""
    assert ROOT not in tmp_path.parents
    return tmp_path


def test_wheel_carries_the_data_and_a_version_from_git(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for wanted in ("sim/_data/seeds/parameters.toml", "sim/_data/seeds/facts.toml",
                   "sim/_data/scenarios/baseline.toml", "sim/_data/scenarios/maps/nes.toml",
                   "sim/_data/observed/ric_nes_2019_2021.csv", "sim/viz/app.py", "sim/viz/map_image.vue"):
        assert wanted in names, f"{wanted} is not in {wheel.name}"
    shipped = {p.name for p in (ROOT / "scenarios").glob("*.toml")}
    assert shipped == {Path(n).name for n in names if n.startswith("sim/_data/scenarios/") and n.endswith(".toml")
                       and "/maps/" not in n}
    assert not any(n.startswith(("tests/", "notebooks/", "seeds/")) for n in names)
    version = wheel.name.split("-")[1]
    assert version != "0.1.0" or not (ROOT / ".git").exists(), "the version did not come from git"


def test_cli_runs_from_the_installed_wheel(installed: Path, elsewhere: Path) -> None:
    insim = installed / "insim"
    assert "scenarios" in _ok(_run([insim, "--help"], cwd=elsewhere)).stdout
    listing = _ok(_run([insim, "scenarios"], cwd=elsewhere)).stdout
    assert "baseline" in listing and "us_withdrawal" in listing
    run = _ok(_run([insim, "run", "baseline", "--set", "months=2"], cwd=elsewhere))
    assert "is_fighters" in run.stdout
    assert not any(elsewhere.iterdir()), "insim run without --out wrote into the working folder"


def test_python_api_from_the_installed_wheel(installed: Path, elsewhere: Path) -> None:
    code = ("import sim, sim.observed, sim.resources as r\n"
            "m = sim.run('baseline', months=2)\n"
            "assert len(m.monthly_frame()) == 2\n"
            "assert 'site-packages' in sim.__file__, sim.__file__\n"
            "assert len(sim.observed.load_ric()) > 0\n"
            "print(r.seeds_dir())")
    done = _ok(_run([installed / "python", "-c", code], cwd=elsewhere))
    assert "site-packages" in done.stdout


def test_resources_in_a_checkout_are_the_top_level_folders() -> None:
    from sim import resources

    assert resources.seeds_dir() == ROOT / "seeds"
    assert resources.scenarios_dir() == ROOT / "scenarios"
    assert resources.observed_dir() == ROOT / "data" / "observed"
    with pytest.raises(KeyError, match="seeds"):
        resources.data_dir("maps")
    if (ROOT / ".git").exists():
        head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
        code = resources.code_version()
        assert (code["commit"], code["source"]) == (head, "git") and isinstance(code["dirty"], bool)


def test_code_version_of_a_wheel_comes_from_its_build_version(monkeypatch: pytest.MonkeyPatch) -> None:
    """Installed from a wheel there is no git: the commit and dirtiness are read from the version."""
    from sim import resources

    monkeypatch.setattr(resources, "checkout_root", lambda: None)
    for version, commit, dirty in (("0.1.1.dev28+g77601e259.d20261201", "77601e259", True),
                                   ("0.1.1.dev28+g77601e259", "77601e259", False),
                                   ("0.2.0", None, None)):
        monkeypatch.setattr(resources, "version", lambda v=version: v)
        resources.code_version.cache_clear()
        got = resources.code_version()
        assert (got["commit"], got["dirty"], got["source"]) == (commit, dirty, "build")
    resources.code_version.cache_clear()
