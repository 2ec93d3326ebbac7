"""The documentation site builds with ``mkdocs build --strict`` (no broken link, no missing page or
API object), and its generated reference pages cover the CLI, every parameter and every outcome."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("mkdocs")
pytest.importorskip("mkdocstrings")

ROOT = Path(__file__).resolve().parents[1]
DOI = "https://doi.org/10.2870/106042"
WP_URL = ("https://www.washingtonpost.com/world/middle_east/as-the-caliphate-crumbles-the-islamic-state-is-"
          "seeding-a-new-insurgency/2019/03/07/")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1",
           "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)}
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(ROOT / "mkdocs.yml"),
                           "-d", str(out)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"mkdocs build --strict failed:\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}"
    return out


def _page(site: Path, name: str) -> str:
    return (site / name / "index.html").read_text(encoding="utf-8")


def test_cli_reference_has_every_command_and_option(site: Path) -> None:
    from sim.cli import build_parser

    page = _page(site, "reference/cli")
    parser = build_parser()
    commands = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction").choices
    assert len(commands) >= 6
    for name, sub in commands.items():
        assert f'id="insim-{name}"' in page, f"insim {name} is not in the CLI reference"
        for action in sub._actions:
            for flag in action.option_strings:
                assert flag in page, f"insim {name} {flag} is not in the CLI reference"


def test_parameter_and_outcome_pages_list_every_name(site: Path) -> None:
    import sim
    from sim.outcomes import DESCRIPTIONS

    parameters = _page(site, "reference/parameters")
    for name in sim.parameter_table()["parameter"]:
        assert f"<code>{name}</code>" in parameters, f"parameter {name} missing"
    outcomes = _page(site, "reference/outcomes")
    for name, text in DESCRIPTIONS.items():
        assert f"<code>{name}</code>" in outcomes, f"outcome {name} missing"
        assert html.escape(text, quote=False) in outcomes, f"the description of {name} is missing"
    scenarios = _page(site, "reference/scenarios")
    for name in sim.available():
        assert f"<code>{name}</code>" in scenarios


def test_api_pages_document_the_public_functions(site: Path) -> None:
    assert 'id="sim.run"' in _page(site, "api/sim")
    assert 'id="sim.batch.load_results"' in _page(site, "api/batch")
    assert 'id="sim.observed.load_ric"' in _page(site, "api/observed")
    assert 'id="sim.ema.replicator_model"' in _page(site, "api/ema")


def test_citations_give_the_published_source_and_never_the_shared_folder(site: Path) -> None:
    sources = _page(site, "sources")
    assert f'href="{DOI}"' in sources and f'href="{WP_URL}"' in sources
    for path in [ROOT / "mkdocs.yml", *(ROOT / "docs").rglob("*.md")]:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\.\./shared|/work/shared", text), f"{path} points at the shared folder"
