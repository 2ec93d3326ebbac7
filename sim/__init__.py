"""insim: an agent-based model of the Islamic State's resurgence in north-eastern Syria.

The public API (the CLI and the notebooks use the same):

>>> import sim
>>> scenario = sim.load_scenario("baseline")
>>> model = sim.InsurgencyModel(scenario, rng=1)
>>> model.run_for(30)
>>> model.monthly_frame()  # doctest: +SKIP
"""

from sim.errors import InputError
from sim.model import InsurgencyModel
from sim.parameters import Parameters, fact_table, parameter_table
from sim.scenario import Scenario, available, load_scenario

__version__ = "0.1.0"

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
