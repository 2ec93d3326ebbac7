"""``insim calibrate``: history matching then ABC-SMC of the assumed parameters (see docs/calibration.md).

The CLI calls :func:`register` with its sub-parsers. Everything goes to ``--out``: the pyabc
database ``abc.db`` (run the same command again to continue an interrupted calibration), the
history-matching wave, ``particles.parquet``, ``manifest.json`` and ``report.md`` with figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.cli_args import add_command, whole_number_arg
from sim.errors import InputError
from sim.fitting.ledger import record_call
from sim.interrupt import interrupt_behind

if TYPE_CHECKING:
    from sim.fitting.abc import Calibration


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``calibrate`` sub-command to the CLI's sub-parsers; returns its parser."""
    summary = "Fit the assumed parameters to RIC's record (history matching, then ABC-SMC with pyabc)."
    parser = add_command(subparsers, "calibrate", run, summary, """\
            insim calibrate history --out calib/default --workers 2
            insim calibrate baseline --out calib/smoke --population 20 --generations 2 --history-matching-runs 20
            insim calibrate history --out calib/default --dask tcp://scheduler:8786
            (run the same command again to continue an interrupted calibration)""")
    parser.add_argument("scenario", nargs="?", help="scenario to fit (default: the config's, 'history')")
    parser.add_argument("--out", required=True, metavar="DIR", help="output folder, e.g. calib/NAME")
    parser.add_argument("--config", metavar="FILE", help="calibration config (default calib/default/config.toml)")
    parser.add_argument("--population", type=whole_number_arg, help="particles per generation (default: the config's)")
    parser.add_argument("--generations", type=whole_number_arg, help="ABC-SMC generations (default: the config's)")
    parser.add_argument("--min-epsilon", type=float, help="stop when epsilon falls to this (default: the config's)")
    parser.add_argument("--history-matching-runs", type=whole_number_arg, metavar="N",
                        help="Latin-hypercube runs of the first wave; 0 skips it (default: the config's)")
    parser.add_argument("--predictive-runs", type=whole_number_arg, metavar="K",
                        help="posterior-predictive runs for the report (default: the config's)")
    parser.add_argument("--root-seed", type=whole_number_arg, help="root seed (default: the config's)")
    parser.add_argument("--workers", type=whole_number_arg, help="local worker processes (default: CPU count)")
    parser.add_argument("--dask", metavar="ADDRESS|local", help="a Dask scheduler address, or 'local'")
    return parser


OPTION_SETTINGS = {"population": "population", "generations": "generations", "min_epsilon": "min_epsilon",
                   "history_matching_runs": "history_matching_runs", "predictive_runs": "posterior_predictive_runs",
                   "root_seed": "root_seed"}
"""The options that replace a ``[calibration]`` setting of the config: the option's name and the setting's."""


def run(args: argparse.Namespace) -> int:
    """Run the calibration and write its outputs."""
    import importlib.util

    if importlib.util.find_spec("pyabc") is None:
        raise InputError(None, "calibrate", "pyabc is not installed",
                         allowed="pip install 'insim[calibration]' (or scripts/setup.sh)")
    from sim.batch.engine import max_workers
    from sim.fitting.abc import prepare, run_abc
    from sim.fitting.config import check_setting, load_config
    from sim.fitting.report import write_outputs

    # the same limit as insim batch: local processes beyond it only thrash (a remote cluster has its own)
    local = args.dask in (None, "local")
    if args.workers is not None and (args.workers < 1 or (local and args.workers > max_workers())):
        raise InputError(None, "--workers", f"{args.workers} processes on a machine with {os.cpu_count()} CPUs",
                         allowed=f"1 to {max_workers()} (4 per CPU)" if local else "1 or more")
    for option, setting in OPTION_SETTINGS.items():
        value = getattr(args, option)
        if value is not None:
            check_setting(None, "--" + option.replace("_", "-"), setting, value)
    config = load_config(args.config).with_settings(
        scenario=args.scenario, **{setting: getattr(args, option) for option, setting in OPTION_SETTINGS.items()})
    import sim

    if config.settings["scenario"] not in sim.available() and not Path(config.settings["scenario"]).exists():
        raise InputError(config.path, "scenario", f"no scenario {config.settings['scenario']!r}",
                         allowed=", ".join(sim.available()) + " or a scenario file")
    started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    began = time.perf_counter()
    out, calib, outcome = Path(args.out), None, "failed"
    try:
        calib = prepare(config, out, workers=args.workers, dask=args.dask, say=say)
        say(f"calibrating {config.settings['scenario']}: {len(calib.priors)} parameters, summaries "
            f"{', '.join(calib.weights)}; {calib.seconds_per_simulation:.2f} s per simulation; "
            f"{calib.workers} workers")
        try:
            run_abc(calib, say=say)
        except BaseException as exc:
            if interrupt_behind(exc) is not None:  # a Ctrl-C, perhaps disguised by a library's clean-up
                outcome = "interrupted"
                say(f"stopped: every finished generation is kept in {args.out}/abc.db; run the same command to "
                    "continue")
            raise
        write_outputs(calib, started, time.perf_counter() - began, say=say)
        outcome = "finished"
    except BaseException as exc:
        if interrupt_behind(exc) is not None:
            outcome = "interrupted"
        raise
    finally:
        if calib is not None or (outcome == "interrupted" and out.exists()):
            record_call(out, call_entry(started, time.perf_counter() - began, outcome, calib, args))
    return 0


def say(line: str) -> None:
    """Print a line of the calibration's progress now: into a file or a pipe (a nohup or CI log) Python
    would keep it in its buffer, and a calibration of hours would show nothing until it ends."""
    print(line, flush=True)


def call_entry(started: str, seconds: float, outcome: str, calib: Calibration | None,
               args: argparse.Namespace) -> dict[str, Any]:
    """The ledger line of one call: when, how long, on how many workers, how it ended."""
    from sim.fitting.runner import default_workers

    return {"started": started, "ended": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "wall_seconds": round(seconds, 1), "outcome": outcome,
            "workers": calib.workers if calib is not None else (args.workers or default_workers()),
            "dask": args.dask, "cpus": os.cpu_count(),
            "generations_stored": len(calib.generations) if calib is not None and outcome == "finished" else None}
