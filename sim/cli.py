"""The ``insim`` command (also ``python -m sim``): scenarios, checks, single runs and batches.

Every command checks its input before it writes anything; bad input (an unknown key, a wrong
type, a value out of range, an event outside the run, a missing file) prints one message naming
the file and the key and exits with status 2. ``insim batch`` exits 1 when some runs failed.

Colleagues' commands plug in through :data:`EXTRA_COMMANDS`: each module named there that
exists must define ``register(subparsers)``, which adds its sub-parser and sets ``func``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import os
import signal
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sim.analysis import text_table
from sim.cli_json import add_json_option, quiet_broken_pipe
from sim.errors import InputError
from sim.scenario import MAX_SEED

# ---------------------------------------------------------------------------- registration hooks
#: Modules that may add sub-commands (``viz``, ``validate``, ``sensitivity``). Each one that can be
#: imported must define ``register(subparsers: argparse._SubParsersAction) -> None``; a module
#: that does not exist (yet) is skipped.
EXTRA_COMMANDS: tuple[str, ...] = ("sim.viz.command", "sim.validation.command", "sim.sensitivity.command",
                                   "sim.hindcast.command", "sim.fitting.command", "sim.completion")

#: batches of more runs than this ask before they start (``--yes`` skips the question)
CONFIRM_RUNS = 1000

#: outcomes shown in ``insim run``'s summary table
SUMMARY_OUTCOMES: tuple[str, ...] = (
    "is_fighters", "is_supporters", "is_treasury_usd", "detainees", "influence_east_strip", "mean_trust",
    "strongholds", "councils_without_chairman", "sdf_local_share", "traders_active", "coalition_present",
)


# ---------------------------------------------------------------------------- value parsing
def parse_value(text: str) -> Any:
    """A command-line value: int, float, bool (true/false), ISO date, else the string itself."""
    text = text.strip()
    low = text.lower()
    if low in ("true", "false"):
        return low == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return text


def parse_sets(items: Sequence[str] | None, option: str = "--set") -> dict[str, Any]:
    """``["k=v", ...]`` as a dict of parsed values; malformed items raise InputError."""
    out: dict[str, Any] = {}
    for item in items or ():
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InputError(None, option, f"{item!r} is not key=value", allowed="key=value, e.g. zakat_min_usd=500")
        key = key.strip()
        if key in out:  # a second value would silently replace the first
            raise InputError(None, f"{option} {key}", "given twice",
                             allowed=f"each key once; to try several values use --sweep {key}=v1,v2")
        out[key] = parse_value(value)
    return out


def parse_sweeps(items: Sequence[str] | None) -> dict[str, list[Any]]:
    """``["k=v1,v2", ...]`` as a dict of lists of parsed values."""
    out: dict[str, list[Any]] = {}
    for key, value in parse_sets(items, "--sweep").items():
        raw = value if isinstance(value, str) else str(value)
        if not raw.strip() or any(not v.strip() for v in raw.split(",")):
            raise InputError(None, f"--sweep {key}", f"an empty value in {raw!r}", allowed="key=v1,v2,...")
        values = [parse_value(v) for v in raw.split(",")]
        out[key] = values
    return out


def parse_dates(text: str | None) -> list[dt.date]:
    """``"2021-01-01,2022-01-01"`` as dates."""
    dates = []
    for part in (text or "").split(","):
        if part.strip():
            try:
                dates.append(dt.date.fromisoformat(part.strip()))
            except ValueError:
                raise InputError(None, "--dates", f"{part.strip()!r} is not a date", allowed="YYYY-MM-DD,...") from None
    return dates


def parse_outcomes(text: str | None) -> list[str] | None:
    """``"killings,attacks"`` as checked outcome names (None when not given)."""
    from sim.analysis import check_outcomes

    return None if text is None else check_outcomes(text.split(","))


def load_with(file: str, sets: dict[str, Any] | None = None) -> Any:
    """A scenario with ``--set`` overrides applied and checked (InputError on any problem)."""
    from sim.scenario import load_scenario

    return load_scenario(file, **(sets or {}))


# ---------------------------------------------------------------------------- helpers
def _formatter(prog: str) -> argparse.HelpFormatter:
    return argparse.RawDescriptionHelpFormatter(prog, max_help_position=32)


def _add(sub: Any, name: str, func: Callable[[argparse.Namespace], int], summary: str, examples: str) -> Any:
    parser = sub.add_parser(name, help=summary, description=summary, formatter_class=_formatter,
                            epilog="examples:\n" + textwrap.indent(textwrap.dedent(examples).strip(), "  "))
    parser.set_defaults(func=func)
    return parser


# ---------------------------------------------------------------------------- commands
def cmd_scenarios(args: argparse.Namespace) -> int:
    """List the shipped scenarios."""
    from sim.cli_json import check_json_target, emit_json, scenario_record, wants_text
    from sim.scenario import available, load_scenario

    check_json_target(args.json)
    records = []
    for name, path in available().items():
        s = load_scenario(path)
        records.append(scenario_record(name, path, s))
        if not wants_text(args.json):
            continue
        print(f"{name}  ({path.name}; from {s.start}, {s.months} months, {len(s.events)} events)")
        print(textwrap.fill(" ".join(s.description.split()) or "(no description)", width=96,
                            initial_indent="    ", subsequent_indent="    "))
        print()
    emit_json(records, args.json)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """Validate scenario files and their maps; the first bad one ends the command with status 2."""
    from sim.cli_json import check_json_target, check_record, emit_json, wants_text
    from sim.geography import check_buildable, load_map
    from sim.scenario import load_scenario

    check_json_target(args.json)
    records = []
    for file in args.files:
        s = load_scenario(file)
        geography = load_map(s.map_path)
        check_buildable(s)  # the model is built on the map once, so nothing fails at run time
        records.append(check_record(file, s, geography))
        if not wants_text(args.json):
            continue
        print(f"OK  {file}  ({s.name}: {s.start} + {s.months} months, {len(s.events)} events; "
              f"map {geography.path.name}: {geography.width}x{geography.height} cells, {len(geography.places)} places)")
    emit_json(records, args.json)
    return 0


def _summary(model: Any, seed: int) -> str:
    from sim.accounts import INCIDENTS
    from sim.analysis import fmt

    monthly = model.monthly_frame()
    picks = sorted({*range(11, len(monthly), 12), len(monthly) - 1}) if len(monthly) else []
    rows = [[o] + [fmt(monthly[o].iloc[i]) for i in picks] for o in SUMMARY_OUTCOMES if o in monthly]
    header = ["outcome"] + [f"{monthly['date'].iloc[i][:7]} (m{int(monthly['month'].iloc[i])})" for i in picks]
    out = [f"Run of {model.run_scenario.name}: {model.start_date} + {len(monthly)} months, seed {seed}", "",
           "State at 12-month intervals (and the last month):", text_table(rows, header), "",
           "Incident totals over the run:"]
    totals = [[k, fmt(int(monthly[k].sum()))] for k in INCIDENTS if k in monthly]
    totals.append(["zakat_revenue_usd", fmt(float(monthly["zakat_revenue_usd"].sum()))])
    out.append(text_table(totals, ["incident", "total"]))
    out += ["", "Events fired:"]
    for e in model.event_log:
        details = ", ".join(f"{k}={v}" for k, v in e.items() if k not in ("day", "date", "event", "description"))
        text = e.get("description") or ""
        out.append(f"  {e['date']}  {e['event']:<22} {text}" + (f" ({details})" if details else ""))
    if not model.event_log:
        out.append("  (none)")
    return "\n".join(out)


def _note_dropped(scenario: Any) -> None:
    """Tell the user which events a shortened (or moved) run leaves out."""
    if scenario.dropped_events:
        print(f"note: {scenario.name}: events outside the run left out: {', '.join(scenario.dropped_events)}",
              file=sys.stderr)


def cmd_run(args: argparse.Namespace) -> int:
    """One run of one scenario, with a summary table and optional outputs."""
    from sim.model import InsurgencyModel

    sets = parse_sets(args.set)
    scenario = load_with(args.file, sets)
    out = Path(args.out) if args.out else None
    if out is not None:
        check_writable(out)
    _note_dropped(scenario)
    seed = args.seed if args.seed is not None else scenario.seed
    started = time.perf_counter()
    if out is not None:  # a one-run batch: the same folder, tables and data dictionary as a batch
        from sim.run_folder import run_into

        model = run_into(args.file, sets, seed, out, ["insim", *args.argv])
        if model is None:
            print(f"insim run: the run failed; its traceback is in {out}/runs/*/error.txt", file=sys.stderr)
            return 1
    else:
        model = InsurgencyModel(scenario, rng=seed)
        model.run()
    print(_summary(model, seed))
    print(f"\n({time.perf_counter() - started:.1f} s)")
    if out is not None:
        print(f"wrote {out}/ (as a one-run batch: runs, monthly, villages tables, datapackage.json)")
    return 0


def check_writable(out: Path) -> None:
    """InputError naming ``out`` if it is a file or cannot be created or written (before any run)."""
    from sim.batch.store import writing

    if out.exists() and not out.is_dir():
        raise InputError(out, None, "is a file, not a folder", allowed="a folder (created if missing)")
    with writing(out):
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f".insim-write-test-{os.getpid()}"
        probe.write_text("")
        probe.unlink()


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
        _note_dropped(load_with(file, sets))
    specs = batch.plan(list(args.files), args.reps, seed=args.seed, sets=sets or None, sweep=sweep or None,
                       posterior=args.posterior, draws=args.draws)
    summary = batch.run_batch(specs, args.out, workers=args.workers, dask=args.dask, resume=args.resume,
                              progress=not args.quiet, command=["insim", *args.argv],
                              dask_dashboard=args.dask_dashboard)
    print(summary)
    if summary.n_done + summary.n_skipped > len(summary.failed):
        results = batch.load_results(args.out)
        if not args.no_plots:
            _plot(results, Path(args.out) / "plots", None, parse_dates(args.dates))
        _compare(results, None, None)
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


def _plot(results: Any, out: Path, outcomes: list[str] | None, dates: list[dt.date]) -> None:
    from sim.plots import draw_batch_plots

    paths = draw_batch_plots(results, out, outcomes=outcomes, dates=dates)
    print(f"wrote {len(paths)} plots to {out}/")


def _compare(results: Any, outcomes: list[str] | None, reference: str | None, json_target: str | None = None) -> None:
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
    _plot(results, Path(args.out) if args.out else Path(args.dir) / "plots", outcomes, dates)
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    """Print the scenarios' differences."""
    from sim.batch import load_results
    from sim.cli_json import check_json_target

    outcomes = parse_outcomes(args.outcomes)
    check_json_target(args.json)
    _compare(load_results(args.dir), outcomes, args.reference, args.json)
    return 0


# ---------------------------------------------------------------------------- the parser
def build_parser() -> argparse.ArgumentParser:
    """The ``insim`` argument parser with every sub-command (and any registered extras)."""
    parser = argparse.ArgumentParser(
        prog="insim", formatter_class=_formatter,
        description="Agent-based model of the Islamic State's resurgence in north-eastern Syria.",
        epilog=textwrap.dedent("""\
            examples:
              insim scenarios
              insim check scenarios/*.toml
              insim run us_withdrawal --seed 3
              insim batch scenarios/baseline.toml scenarios/us_withdrawal.toml --reps 20 --out results/demo
              insim compare results/demo --reference baseline
            exit status: 0 success, 1 some runs failed, 2 bad input (nothing written)"""))
    from sim import __version__

    parser.add_argument("--version", action="version", version=f"insim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = _add(sub, "scenarios", cmd_scenarios, "List the shipped scenarios with their descriptions.",
             """
        insim scenarios
        insim scenarios --json""")
    add_json_option(p, "the scenarios")

    p = _add(sub, "check", cmd_check, "Validate scenario files (exit 2 on the first bad one).", """
        insim check scenarios/*.toml
        insim check my_scenario.toml""")
    p.add_argument("files", nargs="+", metavar="FILE", help="scenario files or shipped scenario names")
    add_json_option(p, "the checked files")

    p = _add(sub, "run", cmd_run, "One run of one scenario: a summary table, and outputs with --out.", """
        insim run baseline
        insim run scenarios/us_withdrawal.toml --seed 7 --set zakat_min_usd=500
        insim run amnesty --set months=24 --out results/amnesty_run""")
    p.add_argument("file", metavar="FILE", help="a scenario file or a shipped scenario's name")
    p.add_argument("--seed", type=seed_value, help="random seed, 0 or more (default: the scenario's)")
    _add_set(p)
    p.add_argument("--out", metavar="DIR", help="write the run here as a one-run batch (the tables, manifest and "
                   "datapackage.json of `insim batch`)")

    p = _add(sub, "batch", cmd_batch, "Run scenarios x sweep values x replications; plots; comparison.", """
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
    _add_set(p, "months, start, map; the seeds come from --seed")
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

    p = _add(sub, "plot", cmd_plot, "(Re)draw a batch's plots into DIR/plots.", """
        insim plot results/demo
        insim plot results/demo --outcomes killings,is_fighters --dates 2020-01-01,2022-01-01""")
    p.add_argument("dir", metavar="DIR", help="a batch's results folder")
    p.add_argument("--outcomes", help="comma-separated outcome names (default: the main ones)")
    p.add_argument("--dates", help="comma-separated dates for zone-influence maps")
    p.add_argument("--out", metavar="PLOTS_DIR", help="where to write (default DIR/plots)")

    p = _add(sub, "compare", cmd_compare, "Median and 10-90%% band per scenario, and paired worse-shares.", """
        insim compare results/demo
        insim compare results/demo --reference baseline --outcomes killings,mean_trust""")
    p.add_argument("dir", metavar="DIR", help="a batch's results folder")
    p.add_argument("--outcomes", help="comma-separated outcome names (default: the main ones)")
    p.add_argument("--reference", help="scenario to compare against (default: the first planned)")
    add_json_option(p, "the comparison")

    register_extras(sub)
    return parser


def _add_set(p: argparse.ArgumentParser, keys: str = "months, start, seed") -> None:
    p.add_argument("--set", action="append", metavar="KEY=VALUE",
                   help=f"override a parameter or a top-level key ({keys}); repeatable")


def register_extras(sub: Any, modules: Sequence[str] = EXTRA_COMMANDS) -> list[str]:
    """Let each importable module in ``modules`` add its sub-command; returns those registered."""
    registered = []
    for name in modules:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name and (name == exc.name or name.startswith(exc.name + ".")) and exc.name != "sim":
                continue  # that module (or its package) does not exist yet
            raise
        module.register(sub)
        registered.append(name)
    return registered


def seed_value(text: str) -> int:
    """A ``--seed``: a whole number of at least 0."""
    try:
        seed = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number (allowed: 0 or more)") from None
    if not 0 <= seed <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"{seed} is out of range (allowed: 0 to {MAX_SEED})")
    return seed


def _terminate(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt  # so a batch shuts its workers down and keeps what is stored


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``insim`` command line; returns the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse's usage errors (status 2) and --help / --version (0)
        return exc.code if isinstance(exc.code, int) else 2
    args.argv = list(sys.argv[1:] if argv is None else argv)
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminate) if in_main_thread else None
    try:
        status = int(args.func(args) or 0)
        sys.stdout.flush()  # a closed pipe shows here, inside the handler below, not at exit
        return status
    except InputError as exc:
        print(f"insim {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        if args.command == "batch":  # every stored run is kept: say how to finish the rest
            from sim.interrupt import resume_command

            print(f"to finish the batch: {resume_command(args.argv)}", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader (`| head`) closed the pipe: end quietly
        return quiet_broken_pipe()
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
