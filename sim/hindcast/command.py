"""``insim hindcast``: run the history over seeds and set it against the observed record.

The CLI calls :func:`register` with its sub-parsers. Runs go through :func:`sim.batch.batch` (a
temporary results folder); the tables are printed and written with the figure to ``--out``
(``hindcast.txt``, ``hindcast.json``, ``hindcast.png``), and the JSON also to ``--json FILE``.
With ``--posterior calib/NAME [--draws K]`` each run draws its fitted parameters from the
calibration's posterior (one weighted draw per run, see :mod:`sim.batch.posterior`): the JSON is the
same, with the posterior folder and its particles file's sha256 in ``meta``.
With ``--out-of-sample FILE`` (counts after the fit's end, in the record's columns; the project
ships none) the runs' projection is also set against them (:mod:`sim.hindcast.out_of_sample`): a
section in the tables, ``out_of_sample`` in the JSON, the counts on the figure.
Bad input (an unknown scenario, ``--reps 0``, an unwritable folder, a missing posterior) exits with
status 2 before any run; a batch in which every run failed exits with status 1.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

from sim.errors import InputError

DEFAULT_SCENARIO = "history"
DEFAULT_OUT = "results/hindcast"
DEFAULT_REPS = 10


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``hindcast`` sub-command to the CLI's sub-parsers; returns its parser."""
    summary = "Replay history over seeds and compare it with RIC's observed attack counts (2019-2021)."
    parser = subparsers.add_parser(
        "hindcast", help=summary, description=summary, formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n" + textwrap.indent(textwrap.dedent("""\
            insim hindcast --reps 10                       # history, 10 seeds, results/hindcast/
            insim hindcast history --reps 20 --workers 2 --json hindcast.json --out results/hc
            insim hindcast my_history_variant.toml --reps 5 --set detection_base=0.005
            insim hindcast history --posterior calib/default --draws 20   # parameters from the posterior
            insim hindcast history --posterior calib/default --out-of-sample ric_2022.csv
            (observed counts are scaled to the map's governorates: see docs/hindcast.md)"""), "  "))
    parser.add_argument("scenario", nargs="?", default=DEFAULT_SCENARIO, metavar="SCENARIO",
                        help=f"a scenario file or shipped scenario name (default {DEFAULT_SCENARIO})")
    parser.add_argument("--reps", type=int, help=f"seeds (default {DEFAULT_REPS}; with --posterior, --draws)")
    parser.add_argument("--posterior", metavar="CALIB_DIR",
                        help="a calibration folder (insim calibrate --out): each run draws its parameters from it")
    parser.add_argument("--draws", type=int, metavar="K",
                        help=f"posterior draws, one per run (default --reps or {DEFAULT_REPS}); with --posterior only")
    parser.add_argument("--seed", type=int, default=0, help="root seed the runs' seeds come from (default 0)")
    parser.add_argument("--workers", type=int, help="worker processes (default: CPU count; 1 runs in-process)")
    parser.add_argument("--set", action="append", metavar="KEY=VALUE",
                        help="override a parameter or months/start; repeatable")
    parser.add_argument("--json", metavar="FILE", help="also write the comparison as JSON to FILE")
    parser.add_argument("--out", default=DEFAULT_OUT, metavar="DIR",
                        help=f"where hindcast.txt/.json/.png go (default {DEFAULT_OUT})")
    parser.add_argument("--out-of-sample", metavar="FILE", dest="out_of_sample",
                        help="counts after 2021 in the columns of data/observed/ric_nes_2019_2021.csv: "
                             "set the projection against them (the out-of-sample test)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(func=run)
    return parser


def _check_model_records_outcomes() -> None:
    from sim.hindcast import OUTCOME, REGION_OUTCOMES
    from sim.outcomes import OUTCOMES

    missing = [o for o in (OUTCOME, *REGION_OUTCOMES.values()) if o not in OUTCOMES]
    if missing:
        raise InputError(None, ", ".join(missing), "this version of the model does not record these outcomes",
                         allowed="a model with the RIC-comparable outcomes (issue 14)")


def runs_asked(args: argparse.Namespace) -> int:
    """How many runs: ``--reps``, or over a posterior ``--draws`` (which ``--reps`` must agree with)."""
    from sim.batch import replications

    if args.reps is not None and args.reps < 1:
        raise InputError(None, "--reps", f"must be at least 1 (got {args.reps})")
    reps = DEFAULT_REPS if args.reps is None and args.draws is None else args.reps
    return replications(reps, args.posterior, args.draws)


def _check(args: argparse.Namespace) -> tuple[Any, dict[str, Any], Path, Path | None]:
    """Every input checked: (scenario, sets, out folder, json path); sets ``args.n_runs``."""
    from sim.batch import plan
    from sim.cli import load_with, parse_sets
    from sim.cli_json import check_json_target
    from sim.folders import check_writable

    args.n_runs = runs_asked(args)
    if args.seed < 0:
        raise InputError(None, "--seed", f"must be at least 0 (got {args.seed})")
    if args.workers is not None and args.workers < 1:
        raise InputError(None, "--workers", f"must be at least 1 (got {args.workers})")
    sets = parse_sets(args.set)
    scenario = load_with(args.scenario, sets)
    if args.posterior is not None:  # the posterior and its draws checked before anything is written
        plan([str(scenario.path)], args.n_runs, seed=args.seed, sets=sets or None, posterior=args.posterior)
    args.later = None
    if args.out_of_sample is not None:  # read and checked before any run
        import pandas as pd

        from sim.hindcast.out_of_sample import load_later

        first = pd.Period(scenario.start, freq="M")
        args.later = load_later(args.out_of_sample, first, first + scenario.months - 1)
    out = Path(args.out)
    json_path = check_json_target(args.json, stdout=False, create=True)
    check_writable(out, "--out")
    _check_model_records_outcomes()
    return scenario, sets, out, json_path


def run(args: argparse.Namespace) -> int:
    """Run the hindcast, print the tables, write the files."""
    from sim.batch import batch
    from sim.hindcast import compare, format_report
    from sim.hindcast.figure import event_marks, plot_hindcast

    scenario, sets, out, json_path = _check(args)
    if scenario.dropped_events:
        print(f"note: {scenario.name}: events outside the run left out: {', '.join(scenario.dropped_events)}",
              file=sys.stderr)
    started = time.perf_counter()
    results = batch([str(scenario.path)], reps=args.n_runs, seed=args.seed, sets=sets or None,
                    workers=args.workers, progress=not args.quiet, posterior=args.posterior)
    failed = results.runs[results.runs["status"] != "ok"] if "status" in results.runs else results.runs
    if len(failed):
        print(f"warning: {len(failed)} of {len(results.runs)} runs failed: {', '.join(failed['run_id'])}",
              file=sys.stderr)
    if results.monthly.empty:
        print("insim hindcast: every run failed; nothing to compare", file=sys.stderr)
        return 1
    report = compare(results.monthly)
    report["meta"].update(scenario=scenario.name, scenario_file=str(scenario.path), reps=args.n_runs,
                          root_seed=args.seed, sets={k: str(v) for k, v in sets.items()},
                          wall_time_s=round(time.perf_counter() - started, 1))
    if args.posterior is not None:
        drawn = results.manifest["posterior"]
        report["meta"].update(posterior=str(args.posterior), posterior_sha256=drawn["sha256"],
                              draw_ids=[d["draw_id"] for d in drawn["draws"]])
    text = format_report(report)
    if args.later is not None:
        from sim.hindcast.out_of_sample import compare_out_of_sample, format_out_of_sample

        later, left_out = args.later
        report["out_of_sample"] = compare_out_of_sample(results.monthly, later, report["meta"]["mapped_share"],
                                                        left_out, source=str(args.out_of_sample))
        text += "\n\n" + format_out_of_sample(report["out_of_sample"])
    print(text)
    (out / "hindcast.txt").write_text(text + "\n")
    payload = json.dumps(report, indent=2) + "\n"
    (out / "hindcast.json").write_text(payload)
    figure = plot_hindcast(report, out / "hindcast.png", event_marks(scenario))
    written = [out / "hindcast.txt", out / "hindcast.json", figure]
    if json_path is not None:
        json_path.write_text(payload)
        written.append(json_path)
    print(f"\nwrote {', '.join(str(p) for p in written)} ({report['meta']['wall_time_s']} s)")
    return 0
