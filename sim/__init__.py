"""insim: an agent-based model of the Islamic State's resurgence in north-eastern Syria.

The public API (the CLI and the notebooks use the same):

>>> import sim
>>> model = sim.run("us_withdrawal", seed=1, months=24)    # load, build and run in one call
>>> model.monthly_frame()                                   # doctest: +SKIP
>>> model.incident_frame()          # incidents by month and village  # doctest: +SKIP
>>> scenario = sim.load_scenario("baseline")              # or step by step
>>> model = sim.InsurgencyModel(scenario, rng=1)
>>> model.run_for(30)                                      # thirty days
>>> from sim.batch import batch                            # many runs, as DataFrames
>>> results = batch(["baseline", "us_withdrawal"], reps=10)  # doctest: +SKIP
"""

from typing import Any

from sim.errors import InputError
from sim.model import InsurgencyModel
from sim.parameters import Parameters, fact_table, parameter_table
from sim.resources import version
from sim.scenario import Scenario, available, check_seed, load_scenario

__version__ = version()


def run(scenario: str = "baseline", seed: int | None = None, **overrides: Any) -> InsurgencyModel:
    """Load a scenario (name or path), apply ``overrides`` (top-level keys such as ``months``, or
    parameters), run it to the end and return the model (``.monthly_frame()``, ``.village_frame()``).

    ``seed`` (an int or numpy integer) defaults to the scenario's own seed."""
    loaded = load_scenario(scenario, **overrides)
    return InsurgencyModel(loaded, rng=loaded.seed if seed is None else check_seed(seed)).run()

__all__ = [
    "InputError",
    "InsurgencyModel",
    "Parameters",
    "Scenario",
    "__version__",
    "available",
    "fact_table",
    "load_scenario",
    "parameter_table",
]
