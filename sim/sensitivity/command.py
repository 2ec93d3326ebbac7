"""``insim sensitivity``: Morris screening of the assumed parameters on chosen outcomes.

The CLI calls :func:`register` with its sub-parsers. Runs go through :mod:`sim.batch` (local
processes, or Dask with ``--dask``) and are kept in ``OUT/runs``; μ*, μ and σ per parameter and
outcome go to ``OUT/morris.csv`` and the μ*-σ plot to ``OUT/morris.png``.
"""

from __future__ import annotations

import argparse

from sim.cli_args import add_command, parse_names, seed_value, whole_number_arg
from sim.errors import InputError


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``sensitivity`` sub-command to the CLI's sub-parsers; returns its parser."""
    from sim.sensitivity.morris import DEFAULT_OUTCOMES, DEFAULT_SCENARIO

    parser = add_command(subparsers, "sensitivity", run,
                         "Morris screening (SALib) of the assumed parameters: mu* and sigma per outcome.", """
        insim sensitivity --all --trajectories 4 --months 36 --workers 2
        insim sensitivity --parameters recruitment_rate,killing_prob,exile_cost_share --trajectories 6
        insim sensitivity --all --outcomes is_fighters,total_attacks --dask local --out results/morris
        (bounds: each default +-50%, clipped to its range in seeds/parameters.toml)""")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--parameters", metavar="P1,P2", help="parameters to screen (numeric ones)")
    which.add_argument("--all", action="store_true", help="every assumed numeric parameter (the default)")
    parser.add_argument("--outcomes", metavar="A,B", default=",".join(DEFAULT_OUTCOMES),
                        help="columns of the batch runs table: final outcomes, total_<incident> or "
                             f"last_month_<incident> (default {', '.join(DEFAULT_OUTCOMES)})")
    parser.add_argument("--trajectories", type=whole_number_arg, default=4,
                        help="Morris trajectories, 2 or more (default 4)")
    parser.add_argument("--levels", type=whole_number_arg, default=4,
                        help="Morris grid levels, an even number (default 4)")
    parser.add_argument("--months", type=whole_number_arg, default=36,
                        help="length of each run in months (default 36)")
    parser.add_argument("--scenario", default=DEFAULT_SCENARIO, help=f"scenario screened (default {DEFAULT_SCENARIO})")
    parser.add_argument("--workers", type=whole_number_arg, help="local worker processes (default: CPU count)")
    parser.add_argument("--dask", metavar="ADDRESS|local", help="a Dask scheduler address, or 'local'")
    parser.add_argument("--out", default="results/sensitivity", metavar="DIR", help="results folder")
    parser.add_argument("--seed", type=seed_value, default=0,
                        help="seed of the design and of the runs, 0 or more (default 0)")
    parser.add_argument("--resume", action="store_true", help="finish an interrupted screening in OUT")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def run(args: argparse.Namespace) -> int:
    """Run the screening and print the top parameters per outcome."""
    from sim.sensitivity.morris import check_design, check_outcomes, factors, screen

    if args.months < 1:
        raise InputError(None, "--months", f"must be at least 1 (got {args.months})")
    outcomes = check_outcomes(parse_names(args.outcomes, "--outcomes", "comma-separated columns of the runs "
                                          "table, e.g. is_fighters,total_killings"))
    parameters = parse_names(args.parameters, "--parameters", "comma-separated names from seeds/parameters.toml")
    k = len(factors(parameters))
    check_design(k, args.trajectories, args.levels)  # before saying what will run
    print(f"Morris screening of {k} parameters on {args.scenario}: {args.trajectories} trajectories x {k + 1} "
          f"= {args.trajectories * (k + 1)} runs of {args.months} months")
    table = screen(parameters, outcomes, trajectories=args.trajectories, months=args.months, out=args.out,
                   workers=args.workers, dask=args.dask, seed=args.seed, levels=args.levels, scenario=args.scenario,
                   resume=args.resume, progress=not args.quiet)
    for outcome, t in table.groupby("outcome", sort=False):
        top = t.nsmallest(8, "rank")
        print(f"\n{outcome}: parameter, mu*, sigma")
        for r in top.itertuples():
            print(f"  {r.parameter:<36} {r.mu_star:>12.4g} {r.sigma:>12.4g}")
    wall = table.attrs["wall_time_s"]
    print(f"\nwrote {args.out}/morris.csv, morris.png, morris.md, design.csv and runs/ ({wall:.0f} s)")
    return 0
