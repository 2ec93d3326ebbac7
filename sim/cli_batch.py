"""``insim batch``, ``insim plot`` and ``insim compare``: many runs, their plots and their comparison.

``insim batch`` exits 1 when some runs failed (their tracebacks stay in ``OUT/runs/<run_id>/``);
Ctrl-C keeps every stored run, and ``--resume`` finishes the batch.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from sim.cli_args import (
    add_command,
    add_set_option,
    load_with,
    note_dropped,
    parse_dates,
    parse_outcomes,
    parse_sets,
    parse_sweeps,
    seed_value,
)
from sim.cli_json import add_json_option
from sim.errors import InputError
from sim.folders import check_writable

#: batches of more runs than this ask before they start (``--yes`` skips the question)
CONFIRM_RUNS = 1000


def cmd_batch(args: argparse.Namespace) -> int:
    """Plan and run a batch, draw its plots and print the comparison."""
    from sim import batch

    for option, value in (("--reps", args.reps), ("--draws", args.draws)):
        if value is not None and value < 1:
            raise InputError(None, option, f"{value}", allowed="1 or more")
    reps = batch.replications(args.reps, args.posterior, args.draws)  # --reps, or --draws over a posterior
    if args.workers is not None and args.workers < 1:
        raise InputError(None, "--workers", f"{args.workers}", allowed="1 or more")
    if args.dask_dashboard and args.dask != "local":
        raise InputError(None, "--dask-dashboard", "only for a local cluster", allowed="with --dask local")
    sets, sweep = parse_sets(args.set), parse_sweeps(args.sweep)
    if not args.no_plots:
        parse_dates(args.dates)
    n_runs = batch.count_runs(len(args.files), reps, sweep)
    if n_runs > CONFIRM_RUNS and not args.yes:
        confirm(n_runs)
    for file in args.files:
        note_dropped(load_with(file, sets))
    specs = batch.plan(list(args.files), args.reps, seed=args.seed, sets=sets or None, sweep=sweep or None,
                       posterior=args.posterior, draws=args.draws)
    summary = batch.run_batch(specs, args.out, workers=args.workers, dask=args.dask, resume=args.resume,
                              progress=not args.quiet, command=["insim", *args.argv],
                              dask_dashboard=args.dask_dashboard)
    print(summary)
    if summary.n_done + summary.n_skipped > len(summary.failed):
        results = batch.load_results(args.out)
        if not args.no_plots:
            draw_plots(results, Path(args.out) / "plots", None, parse_dates(args.dates))
        print_comparison(results, None, None)
    if not summary.ok:
        print(f"insim batch: {len(summary.failed)} run(s) failed and {len(summary.lost)} were lost of "
              f"{summary.n_runs}; see above; `insim batch ... --resume` runs them again", file=sys.stderr)
    return 0 if summary.ok else 1


def confirm(n_runs: int) -> None:
    """Ask before a batch of more than :data:`CONFIRM_RUNS` runs; InputError if not confirmed."""
    question = f"This batch has {n_runs:,} runs. Run them all? [y/N] "
    if not sys.stdin.isatty():
        raise InputError(None, "--yes", f"the batch has {n_runs:,} runs (more than {CONFIRM_RUNS:,}) and there "
                         "is no terminal to ask", allowed="add --yes to run them, or fewer --reps / sweep values")
    print(question, end="", file=sys.stderr, flush=True)
    if sys.stdin.readline().strip().lower() not in ("y", "yes"):
        raise InputError(None, "--yes", f"not confirmed: {n_runs:,} runs", allowed="answer y, or add --yes")


def draw_plots(results: Any, out: Path, outcomes: list[str] | None, dates: list[dt.date]) -> None:
    from sim.plots import draw_batch_plots

    paths = draw_batch_plots(results, out, outcomes=outcomes, dates=dates)
    print(f"wrote {len(paths)} plots to {out}/")


def print_comparison(results: Any, outcomes: list[str] | None, reference: str | None,
                     json_target: str | None = None) -> None:
    """Print (or with ``json_target`` write as JSON) the comparison of a batch's scenarios."""
    from sim.analysis import compare, format_compare
    from sim.cli_json import compare_payload, emit_json, wants_text

    table = compare(results, outcomes, reference)
    if wants_text(json_target):
        print()
        print(format_compare(table), end="")
    emit_json(compare_payload(table), json_target)


def cmd_plot(args: argparse.Namespace) -> int:
    """(Re)draw a batch's plots."""
    outcomes, dates = parse_outcomes(args.outcomes), parse_dates(args.dates)
    from sim.batch import load_results

    results = load_results(args.dir)  # every run file checked against its recorded hash
    target = Path(args.out) if args.out else Path(args.dir) / "plots"
    check_writable(target, "--out" if args.out else None)
    draw_plots(results, target, outcomes, dates)
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    """Print the scenarios' differences."""
    from sim.batch import load_results
    from sim.cli_json import check_json_target

    outcomes = parse_outcomes(args.outcomes)
    check_json_target(args.json)
    print_comparison(load_results(args.dir), outcomes, args.reference, args.json)
    return 0



def register(sub: Any) -> None:
    """Add ``batch``, ``plot`` and ``compare`` to the ``insim`` sub-commands."""
    p = add_command(sub, "batch", cmd_batch, "Run scenarios x sweep values x replications; plots; comparison.", """
        insim batch baseline us_withdrawal --reps 20 --seed 2019 --out results/demo
        insim batch baseline --reps 10 --sweep zakat_min_usd=500,1000,2000 --workers 4
        insim batch baseline amnesty --reps 50 --dask local --out results/amnesty
        insim batch baseline amnesty --reps 50 --out results/amnesty --resume   # finish what is missing
        insim batch history us_withdrawal --posterior calib/default --draws 20   # over the posterior
        (exit status 1 when some runs failed; their tracebacks stay in OUT/runs/<run_id>/)""")
    p.add_argument("files", nargs="+", metavar="FILE", help="scenario files or shipped scenario names")
    p.add_argument("--reps", type=int, help="replications of each scenario and sweep value (required "
                   "without --posterior)")
    p.add_argument("--posterior", metavar="CALIB_DIR",
                   help="a calibration folder (insim calibrate --out): replication r of every scenario runs "
                        "with the posterior's r-th weighted draw")
    p.add_argument("--draws", type=int, metavar="K",
                   help="posterior draws = replications (default --reps); with --posterior only")
    p.add_argument("--seed", type=seed_value, default=0,
                   help="root seed the runs' seeds are spawned from, 0 or more (default 0)")
    add_set_option(p, "months, start, map; the seeds come from --seed")
    p.add_argument("--sweep", action="append", metavar="KEY=V1,V2", help="values to cross with the scenarios")
    p.add_argument("--workers", type=int, help="local worker processes (default: CPU count)")
    p.add_argument("--dask", metavar="ADDRESS|local", help="a Dask scheduler address, or 'local' for a LocalCluster")
    p.add_argument("--out", default="results/batch", metavar="DIR", help="results folder (default results/batch)")
    p.add_argument("--resume", action="store_true", help="run only the runs missing from OUT")
    p.add_argument("--no-plots", action="store_true", help="do not draw plots")
    p.add_argument("--dates", help="comma-separated dates for zone-influence maps in the plots")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--yes", action="store_true", help=f"do not ask before a batch of more than {CONFIRM_RUNS} runs")
    p.add_argument("--dask-dashboard", metavar="ADDRESS",
                   help="start the Dask dashboard of --dask local at this address, e.g. 127.0.0.1:8787 (default: off)")

    p = add_command(sub, "plot", cmd_plot, "(Re)draw a batch's plots into DIR/plots.", """
        insim plot results/demo
        insim plot results/demo --outcomes killings,is_fighters --dates 2020-01-01,2022-01-01""")
    p.add_argument("dir", metavar="DIR", help="a batch's results folder")
    p.add_argument("--outcomes", help="comma-separated outcome names (default: the main ones)")
    p.add_argument("--dates", help="comma-separated dates for zone-influence maps")
    p.add_argument("--out", metavar="PLOTS_DIR", help="where to write (default DIR/plots)")

    p = add_command(sub, "compare", cmd_compare, "Median and 10-90%% band per scenario, and paired worse-shares.", """
        insim compare results/demo
        insim compare results/demo --reference baseline --outcomes killings,mean_trust""")
    p.add_argument("dir", metavar="DIR", help="a batch's results folder")
    p.add_argument("--outcomes", help="comma-separated outcome names (default: the main ones)")
    p.add_argument("--reference", help="scenario to compare against (default: the first planned)")
    add_json_option(p, "the comparison")
