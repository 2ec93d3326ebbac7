"""Interactive visualization of a run: a Mesa ``SolaraViz`` page (``sim/viz/app.py``).

Launch it with ``insim viz [SCENARIO]`` (see :mod:`sim.viz.command`) or directly with
``solara run sim/viz/app.py`` (the scenario then comes from ``$INSIM_SCENARIO``, default
``baseline``). This package's ``__init__`` imports nothing heavy: the CLI can register the
``viz`` command without loading Solara.
"""

from pathlib import Path

APP_PATH: Path = Path(__file__).resolve().parent / "app.py"
SCENARIO_ENV: str = "INSIM_SCENARIO"

__all__ = ["APP_PATH", "SCENARIO_ENV"]
