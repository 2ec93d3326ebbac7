"""The model as an EMA Workbench ``ReplicatorModel``, so that EMA's own evaluators run it.

>>> from ema_workbench import SequentialEvaluator, perform_experiments   # doctest: +SKIP
>>> from sim.ema import replicator_model
>>> model = replicator_model(["recruitment_rate", "detection_base"], scenarios=["baseline", "us_withdrawal"],
...                          months=24, replications=5)                                # doctest: +SKIP
>>> with SequentialEvaluator(model) as evaluator:                                      # doctest: +SKIP
...     experiments, outcomes = perform_experiments(model, 50, evaluator=evaluator)

**Uncertainties** are the chosen parameters, each over its range in ``seeds/parameters.toml``
(or over ranges you pass, such as the screening ranges of :mod:`sim.sensitivity.morris`):
integers become ``IntegerParameter``, booleans ``BooleanParameter``, the rest
``RealParameter``. With ``scenarios`` the shipped (or your own) scenario becomes one more,
categorical uncertainty, :data:`SCENARIO_FACTOR`, so PRIM can put a policy in a box.

**Outcomes**, from the outcome descriptions in :mod:`sim.outcomes`: each state outcome's value
at the end of the run under its own name, and each monthly count's run total as
``total_<name>`` (the names of a batch's ``runs`` table). EMA returns each as an array of
experiments × replications.

**Replications** run with the seeds a batch would give them (:func:`sim.batch.replication_seed`
of ``seed`` and the replication's index), so replication *k* of every experiment shares its
seed: comparisons between experiments are paired, as in ``insim compare``.

EMA reserves the column names ``scenario``, ``policy`` and ``model`` in its experiments table
(PRIM, CART and feature scoring drop them), so no uncertainty or outcome is given those names.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sim import collector
from sim.errors import InputError

#: names EMA Workbench uses for its own columns of the experiments table
RESERVED: tuple[str, ...] = ("scenario", "policy", "model")
#: the categorical uncertainty that picks the scenario file
SCENARIO_FACTOR = "scenario_name"
DEFAULT_SCENARIO = "baseline"


def outcome_descriptions() -> dict[str, str]:
    """Every outcome the EMA model can report, with its description."""
    from sim.batch import COUNTED
    from sim.outcomes import DESCRIPTIONS

    out = {}
    for name, text in DESCRIPTIONS.items():
        if name in COUNTED:
            out[f"total_{name}"] = f"run total of the monthly count: {text}"
        else:
            out[name] = f"{text} (at the end of the run)"
    return out


def _check_name(name: str, what: str) -> None:
    if name in RESERVED:
        raise InputError(None, what, f"{name!r} is a column name EMA Workbench reserves",
                         allowed=f"any name but {', '.join(RESERVED)}")


def _suggest(name: str, choices: Sequence[str]) -> str:
    hint = difflib.get_close_matches(name, list(choices), n=3)
    return f"; did you mean {', '.join(hint)}?" if hint else ""


def uncertainties(parameters: Sequence[str], ranges: Mapping[str, tuple[float, float]] | None = None,
                  scenarios: Sequence[str] | None = None) -> list[Any]:
    """EMA parameters for ``parameters`` over their table ranges (or ``ranges``), plus the scenario choice.

    Raises :class:`~sim.errors.InputError` for an unknown parameter, a date or text parameter,
    or a parameter with no range in the table and none given.
    """
    from ema_workbench import BooleanParameter, CategoricalParameter, IntegerParameter, RealParameter

    from sim.parameters import Parameters
    from sim.sources import load_parameter_specs

    specs = load_parameter_specs()
    ranges = dict(ranges or {})
    out: list[Any] = []
    for name in parameters:
        _check_name(name, "parameters")
        if name not in specs:
            raise InputError(None, "parameters", f"unknown parameter {name!r}{_suggest(name, list(specs))}",
                             allowed="names from seeds/parameters.toml (sim.parameter_table())")
        spec = specs[name]
        if isinstance(spec.value, bool):
            out.append(BooleanParameter(name))
            continue
        if not isinstance(spec.value, int | float):
            raise InputError(None, f"parameters: {name}", f"a {type(spec.value).__name__} cannot be an uncertainty",
                             allowed="numeric or boolean parameters")
        low, high = ranges.get(name, (spec.minimum, spec.maximum))
        if low is None or high is None or not low < high:
            raise InputError(None, f"parameters: {name}", f"no range to sample (min {low}, max {high})",
                             allowed="min and max in seeds/parameters.toml, or ranges={name: (lo, hi)}")
        if Parameters.model_fields[name].annotation is int:
            out.append(IntegerParameter(name, int(low), int(high)))
        else:
            out.append(RealParameter(name, float(low), float(high)))
    if scenarios:
        from sim.scenario import resolve_path

        for s in scenarios:
            resolve_path(s)  # an unknown scenario stops here, with the known names
        out.append(CategoricalParameter(SCENARIO_FACTOR, [str(s) for s in scenarios]))
    return out


@dataclass(frozen=True)
class ScenarioRun:
    """The function EMA calls once per replication: one run, returning the outcomes as scalars.

    A module-level class (not a closure) so that ``MultiprocessingEvaluator`` can pickle it.
    """

    scenario: str = DEFAULT_SCENARIO
    months: int | None = None
    outcomes: tuple[str, ...] = ()

    @collector.one_run()  # the finished model freed at once, in one young collection
    def __call__(self, seed: int, **values: Any) -> dict[str, float]:
        from sim.model import InsurgencyModel
        from sim.scenario import load_scenario

        name = str(values.pop(SCENARIO_FACTOR, self.scenario))
        values = {k: v.item() if hasattr(v, "item") else v for k, v in values.items()}  # numpy scalars
        sets = {"months": self.months} if self.months is not None else {}
        model = InsurgencyModel(load_scenario(name, **sets, **values), rng=int(seed), collect_daily=False)
        model.run()
        monthly = model.monthly_frame()
        row: dict[str, float] = {}
        for outcome in self.outcomes:
            if outcome.startswith("total_") and outcome not in monthly:
                row[outcome] = float(monthly[outcome.removeprefix("total_")].sum())
            else:
                row[outcome] = float(monthly[outcome].iloc[-1])
        return row


def replicator_model(parameters: Sequence[str], outcomes: Sequence[str] | None = None, *,
                     scenario: str = DEFAULT_SCENARIO, scenarios: Sequence[str] | None = None,
                     ranges: Mapping[str, tuple[float, float]] | None = None, months: int | None = None,
                     replications: int = 5, seed: int = 0, name: str = "insim") -> Any:
    """An EMA ``ReplicatorModel`` of insim, ready for ``perform_experiments``.

    Args:
        parameters: the parameters that become uncertainties.
        outcomes: names from :func:`outcome_descriptions` (default: all of them).
        scenario: the scenario every run starts from (a shipped name or a path), unless
            ``scenarios`` is given.
        scenarios: scenarios to choose between, as the categorical uncertainty :data:`SCENARIO_FACTOR`
            (a single one is the same as ``scenario``).
        ranges: ``{parameter: (low, high)}`` to sample instead of the table's range.
        months: shorten (or lengthen) every run; default the scenario's length.
        replications: runs per experiment, with paired seeds.
        seed: the root seed the replications' seeds are spawned from.
        name: the EMA model's name (letters, digits and underscores).

    Returns:
        ``ema_workbench.ReplicatorModel`` with uncertainties, outcomes and replications set.
    """
    from ema_workbench import ArrayOutcome, ReplicatorModel

    from sim.batch import replication_seed
    from sim.scenario import resolve_path

    known = outcome_descriptions()
    chosen = tuple(outcomes) if outcomes is not None else tuple(known)
    for outcome in chosen:
        _check_name(outcome, "outcomes")
        if outcome not in known:
            raise InputError(None, "outcomes", f"unknown outcome {outcome!r}{_suggest(outcome, list(known))}",
                             allowed="names from sim.ema.outcome_descriptions()")
    if replications < 1:
        raise InputError(None, "replications", f"needs at least 1 (got {replications})")
    if scenarios is not None and len(scenarios) == 1:  # one choice is no uncertainty (EMA wants two or more)
        scenario, scenarios = scenarios[0], None
    resolve_path(scenario)
    model = ReplicatorModel(name, function=ScenarioRun(str(scenario), months, chosen))
    model.uncertainties = uncertainties(parameters, ranges, scenarios)
    model.outcomes = [ArrayOutcome(o) for o in chosen]
    model.replications = [{"seed": replication_seed(int(seed), k)} for k in range(replications)]
    return model
