"""``insim validate``: run the shipped scenarios over many seeds and check the stylised facts.

The CLI calls :func:`register` with its sub-parsers. The command prints two tables, emergent
facts and inputs (median and range over seeds, threshold, share of seeds passing, value on the
day-one state, value with the fact's mechanism switched off, reproduced or not), and writes
``validation.json``, ``validation.txt`` and ``validation.png`` to ``--out`` (and the JSON to
``--json FILE``). The runs go through the batch engine into ``OUT/runs`` (a batch folder: local
processes or ``--dask``, a progress bar, and ``--resume`` to finish a validation that was
interrupted without redoing its stored runs). With ``--posterior CALIB_DIR --draws K``, replication
``k`` of every run uses the calibration's ``k``-th weighted draw (as ``insim batch --posterior``) and
the facts the calibration fitted are marked ``(fitted)``. Exit status 0 when every emergent fact that can be
run is reproduced, 1 when some are not (or some runs failed), 2 on bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sim.cli_args import add_command, parse_names, seed_value, whole_number_arg
from sim.errors import InputError
from sim.validation import DEFAULT_REPS


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``validate`` sub-command to the CLI's sub-parsers; returns its parser."""
    summary = "Check the stylised facts of the sources over many seeds (pattern-oriented validation)."
    parser = add_command(subparsers, "validate", run, summary, """\
            insim validate                           # 10 seeds, 60 months, every fact
            insim validate --reps 4 --months 42 --workers 2 --out results/validation
            insim validate --facts F7,F9 --reps 5    # only some facts (numbers or ids)
            insim validate --reps 5 --json docs/validation_results.json
            insim validate --reps 20 --dask tcp://scheduler:8786 --out results/validation
            insim validate --reps 20 --out results/validation --resume   # finish an interrupted one
            insim validate --posterior calib/default --draws 20   # over the fitted posterior; (fitted) facts
            (exit status 1 when some emergent facts are not reproduced)""")
    parser.add_argument("--reps", type=whole_number_arg,
                        help=f"seeds per scenario (default {DEFAULT_REPS}; with --posterior, --draws)")
    parser.add_argument("--posterior", metavar="CALIB_DIR",
                        help="a calibration folder (insim calibrate --out): replication r of every run uses the "
                             "posterior's r-th weighted draw, and the facts it fitted are marked (fitted)")
    parser.add_argument("--draws", type=whole_number_arg, metavar="K",
                        help="posterior draws = replications (default --reps); with --posterior only")
    parser.add_argument("--months", type=whole_number_arg, default=60, help="length of each run in months (default 60)")
    parser.add_argument("--seed", type=seed_value, default=0, help="root seed, 0 or more (default 0)")
    parser.add_argument("--workers", type=whole_number_arg,
                        help="worker processes (default: CPU count; 1 runs in-process)")
    parser.add_argument("--dask", metavar="ADDRESS|local", help="a Dask scheduler address, or 'local'")
    parser.add_argument("--facts", help="comma-separated fact ids, short ids (F7b) or numbers (F7) (default: all)")
    parser.add_argument("--out", default="results/validation", metavar="DIR",
                        help="where to write validation.json/.txt/.png and the runs (DIR/runs, replaced "
                             "unless --resume; another command's folder is refused; default results/validation)")
    parser.add_argument("--resume", action="store_true",
                        help="finish an interrupted validation in DIR (same settings), keeping its stored runs")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--json", metavar="FILE", help="also write the facts as JSON to FILE "
                        "(id, kind, passes_share, at_start, mechanism_off, reproduced, fitted, set_in)")
    return parser


def run(args: argparse.Namespace) -> int:
    """Run the validation; 0 if every runnable emergent fact is reproduced, 1 otherwise."""
    from sim.errors import BatchError
    from sim.validation import (
        RUNS_FOLDER,
        check_posterior,
        facts_json,
        format_table,
        select_facts,
        timed_validate,
        validation_reps,
        write_report,
    )
    from sim.validation.evaluation import needed_variants

    for option, value in (("--reps", args.reps), ("--draws", args.draws)):
        if value is not None and value < 1:
            raise InputError(None, option, f"must be at least 1 (got {value})")
    reps = validation_reps(args.reps, args.posterior, args.draws)  # --reps, or --draws over a posterior
    if args.months < 1:
        raise InputError(None, "--months", f"must be at least 1 (got {args.months})")
    if args.workers is not None and args.workers < 1:
        raise InputError(None, "--workers", f"must be at least 1 (got {args.workers})")
    ids = parse_names(args.facts, "--facts", "comma-separated fact ids, e.g. F1a,F7")  # "," is no fact
    if not select_facts(ids, months=args.months):
        raise InputError(None, "--facts", f"no fact matches {args.facts!r} for runs of {args.months} months",
                         allowed="ids such as F1a_east_concentration, F1a or F7 (see sim/validation/facts.py)")
    if args.posterior is not None:  # its draws and its manifest, before any folder is touched
        check_posterior(args.posterior, needed_variants(select_facts(ids, months=args.months)), reps, args.months,
                        args.seed)
    from sim.cli_json import check_json_target
    from sim.folders import check_output_folder

    out = Path(args.out)
    for folder in (out, out / RUNS_FOLDER):  # DIR/runs is replaced: only an earlier validation's may be
        check_output_folder(folder, "--out", "validation", allowed="a new or empty folder, or an earlier insim "
                            "validate's (its runs are replaced, or finished with --resume and the same settings)")
    json_target = check_json_target(args.json, stdout=False, create=True)  # before the runs, not after them
    try:
        table, meta = timed_validate(reps, args.months, args.seed, args.workers, ids,
                                     out=out / RUNS_FOLDER, resume=args.resume, dask=args.dask,
                                     progress=not args.quiet, command=["insim", *getattr(args, "argv", [])],
                                     posterior=args.posterior)
    except BatchError as exc:
        print(f"insim validate: {exc}", file=sys.stderr)
        return 1
    print()
    print(format_table(table, meta))
    paths = write_report(table, args.out, meta)
    if json_target is not None:
        json_target.write_text(json.dumps(facts_json(table, meta), indent=2) + "\n")
        paths["json_file"] = json_target
    print(f"\nwrote {', '.join(str(p) for p in paths.values())} ({meta['wall_time_s']} s)")
    emergent = table[(table["kind"] == "emergent") & table["available"]]
    return 0 if bool(emergent["reproduced"].all()) else 1
