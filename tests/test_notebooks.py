"""The notebooks run top to bottom, with their parameter cell replaced by small sizes.

Each notebook in ``notebooks/`` starts with a cell tagged ``parameters`` (papermill-style) that
holds its sizes. The test swaps that cell for :data:`SMALL` and executes the notebook with
nbclient in a kernel that runs *this* Python (the venv's), through a kernelspec written into a
temporary ``JUPYTER_PATH``, so a ``python3`` kernelspec installed elsewhere on the machine
cannot be picked instead.
"""

from __future__ import annotations

import ast
import json
import os
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
KERNEL = "insim-test-venv"

#: the sizes each notebook runs with here (every name must exist in its parameter cell)
SMALL: dict[str, dict[str, object]] = {
    "01_quickstart": {"months": 6, "seed": 1},
    "02_us_withdrawal": {"reps": 2, "months": 10, "workers": 1, "seed": 0},
    "03_mechanisms": {"reps": 2, "months": 6, "workers": 1, "seed": 0},
    "04_sensitivity": {"trajectories": 2, "levels": 4, "months": 6, "workers": 1, "seed": 0, "prim_samples": 8},
}


def _names(source: str) -> set[str]:
    """The names a parameter cell assigns."""
    return {t.id for node in ast.parse(source).body if isinstance(node, ast.Assign)
            for t in node.targets if isinstance(t, ast.Name)}


def parameter_cell(nb: object) -> object:
    """The notebook's first code cell, which must be tagged ``parameters``."""
    cells = [c for c in nb.cells if c.cell_type == "code"]
    assert cells, "no code cell"
    first = cells[0]
    assert "parameters" in first.metadata.get("tags", []), "the first code cell is not tagged 'parameters'"
    return first


def small_sizes(source: str, sizes: dict[str, object]) -> str:
    """The parameter cell with ``sizes`` overriding its values (as papermill's injected cell does)."""
    return source + "\n\n# injected by tests/test_notebooks.py\n" + "\n".join(f"{k} = {v!r}" for k, v in sizes.items())


@pytest.fixture(scope="module")
def kernel_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A JUPYTER_PATH holding one kernelspec that starts this interpreter's ipykernel."""
    root = tmp_path_factory.mktemp("jupyter")
    spec = root / "kernels" / KERNEL
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "insim (test)", "language": "python"}))
    return root


def test_every_notebook_has_small_sizes() -> None:
    """A new notebook must be added to SMALL, so that it is executed here."""
    assert sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb")) == sorted(SMALL)


@pytest.mark.parametrize("name", sorted(SMALL))
def test_notebook_is_clean(name: str) -> None:
    """Committed without outputs, starting with a parameter cell that sets every small size."""
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, f"{name}: outputs not cleared"
    assert set(SMALL[name]) <= _names(parameter_cell(nb).source)


@pytest.mark.parametrize("name", sorted(SMALL))
def test_notebook_runs(name: str, kernel_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Execute the notebook with small sizes; any error in any cell fails the test."""
    monkeypatch.setenv("JUPYTER_PATH", str(kernel_dir))
    # the kernel imports this checkout's sim even where the project is not installed in the venv
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    cell = parameter_cell(nb)
    cell.source = small_sizes(cell.source, SMALL[name])
    client = nbclient.NotebookClient(nb, kernel_name=KERNEL, timeout=240, allow_errors=False,
                                     resources={"metadata": {"path": str(NOTEBOOKS)}})
    nb.cells.append(nbformat.v4.new_code_cell("import sys\nprint(sys.executable, end='')"))
    client.execute()
    assert nb.cells[-1].outputs[0]["text"] == sys.executable, "the notebook ran in another Python"
    images = sum("image/png" in o.get("data", {}) for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert images > 0, f"{name} showed no figure inline"
