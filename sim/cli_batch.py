"""``insim batch``, ``insim plot`` and ``insim compare``: many runs, their plots and their comparison.

``insim batch`` exits 1 when some runs failed (their tracebacks stay in ``OUT/runs/<run_id>/``);
Ctrl-C keeps every stored run, and ``--resume`` finishes the batch.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import sys
from pathlib import Path
from typing import Any

from sim.cli_args import (
    CONFIRM_RUNS,
    add_command,
    add_set_option,
    check_dates,
    check_sweep_values,
    confirm_runs,
    load_with,
    note_dropped,
    parse_dates,
    parse_outcomes,
    parse_sets,
    parse_sweeps,
    seed_value,
    whole_number_arg,
)
from sim.cli_json import add_json_option
from sim.errors import InputError
from sim.folders import check_writable


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
    dates = parse_dates(args.dates)
    if dates and args.no_plots:  # the dates would be silently unused
        raise InputError(None, "--dates", "dates are for the plots' zone maps, and --no-plots draws none",
                         allowed="--dates without --no-plots, or `insim plot OUT --dates ...` after the batch")
    for file in args.files:
        note_dropped(load_with(file, sets))
        check_sweep_values(file, sets, sweep)
        if dates:
            check_dates(dates, run_spans(file, sets, sweep))
    confirm_runs(batch.count_runs(len(args.files), reps, sweep), args.yes, "--reps / sweep values")
    specs = batch.plan(list(args.files), args.reps, seed=args.seed, sets=sets or None, sweep=sweep or None,
                       posterior=args.posterior, draws=args.draws)
    summary = batch.run_batch(specs, args.out, workers=args.workers, dask=args.dask, resume=args.resume,
                              progress=not args.quiet, command=["insim", *args.argv],
                              dask_dashboard=args.dask_dashboard)
    print(summary)
    if summary.n_done + summary.n_skipped > len(summary.failed):
        results = batch.load_results(args.out)
        if not args.no_plots:
            draw_plots(results, Path(args.out) / "plots", None, dates)
        print_comparison(results, None, None)
    if not summary.ok:
        print(f"insim batch: {len(summary.failed)} run(s) failed and {len(summary.lost)} were lost of "
              f"{summary.n_runs}; see above; `insim batch ... --resume` runs them again", file=sys.stderr)
    return 0 if summary.ok else 1


def run_spans(file: str, sets: dict[str, Any], sweep: dict[str, list[Any]]) -> dict[str, tuple[dt.date, dt.date]]:
    """The (first day, day after) of each run of ``file``: one span, or one per swept start and months."""
    timing = {k: v for k, v in sweep.items() if k in ("start", "months")}
    spans = {}
    for values in itertools.product(*timing.values()):
        point = dict(zip(timing, values, strict=True))
        scenario = load_with(file, {**sets, **point}, "--sweep")
        label = " ".join([scenario.name, *(f"[{k}={v}]" for k, v in point.items())])
        spans[label] = (scenario.start, scenario.end)
    return spans


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
    from sim.scenario import add_months

    results = load_results(args.dir)  # every run file checked against its recorded hash
    if dates:  # a row's date is its month's first day
        by_scenario = results.monthly.groupby("scenario")["date"]
        check_dates(dates, {name: (first.date(), add_months(last.date(), 1))
                            for name, first, last in zip(by_scenario.min().index, by_scenario.min(),
                                                         by_scenario.max(), strict=True)})
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
    p.add_argument("--reps", type=whole_number_arg, help="replications of each scenario and sweep value (required "
                   "without --posterior)")
    p.add_argument("--posterior", metavar="CALIB_DIR",
                   help="a calibration folder (insim calibrate --out): replication r of every scenario runs "
                        "with the posterior's r-th weighted draw")
    p.add_argument("--draws", type=whole_number_arg, metavar="K",
                   help="posterior draws = replications (default --reps); with --posterior only")
    p.add_argument("--seed", type=seed_value, default=0,
                   help="root seed the runs' seeds are spawned from, 0 or more (default 0)")
    add_set_option(p, "months, start, map; the seeds come from --seed")
    p.add_argument("--sweep", action="append", metavar="KEY=V1,V2", help="values to cross with the scenarios")
    p.add_argument("--workers", type=whole_number_arg, help="local worker processes (default: CPU count)")
    p.add_argument("--dask", metavar="ADDRESS|local", help="a Dask scheduler address, or 'local' for a LocalCluster")
    p.add_argument("--out", default="results/batch", metavar="DIR", help="results folder (default results/batch)")
    p.add_argument("--resume", action="store_true", help="run only the runs missing from OUT")
    p.add_argument("--no-plots", action="store_true", help="do not draw plots")
    p.add_argument("--dates", help="comma-separated dates within the runs, for zone-influence maps in the plots")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--yes", action="store_true", help=f"do not ask before a batch of more than {CONFIRM_RUNS} runs")
    p.add_argument("--dask-dashboard", metavar="ADDRESS",
                   help="start the Dask dashboard of --dask local at this address, e.g. 127.0.0.1:8787 (default: off)")

    p = add_command(sub, "plot", cmd_plot, "(Re)draw a batch's plots into DIR/plots.", """
        insim plot results/demo
        insim plot results/demo --outcomes killings,is_fighters --dates 2020-01-01,2022-01-01""")
    p.add_argument("dir", metavar="DIR", help="a batch's results folder")
    p.add_argument("--outcomes", help="comma-separated outcome names (default: the main ones)")
    p.add_argument("--dates", help="comma-separated dates within the runs, for zone-influence maps")
    p.add_argument("--out", metavar="PLOTS_DIR", help="where to write (default DIR/plots)")

    p = add_command(sub, "compare", cmd_compare, "Median and 10-90% band per scenario, and paired worse-shares.", """
        insim compare results/demo
        insim compare results/demo --reference baseline --outcomes killings,mean_trust""")
    p.add_argument("dir", metavar="DIR", help="a batch's results folder")
    p.add_argument("--outcomes", help="comma-separated outcome names (default: the main ones)")
    p.add_argument("--reference", help="scenario to compare against (default: the first planned)")
    add_json_option(p, "the comparison")
