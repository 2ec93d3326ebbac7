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
Bad input (an unknown scenario, ``--reps 0``, an unwritable folder, a folder holding another hindcast
or another command's results, a run outside RIC's record, a missing posterior) exits with status 2
before any run; a batch in which every run failed exits with status 1.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from sim.cli_args import CONFIRM_RUNS, add_command, confirm_runs, seed_value, whole_number_arg
from sim.errors import InputError

DEFAULT_SCENARIO = "history"
DEFAULT_OUT = "results/hindcast"
DEFAULT_REPS = 10
#: the files a hindcast writes to ``--out``
FILES = ("hindcast.txt", "hindcast.json", "hindcast.png")
#: the ``meta`` of hindcast.json that makes a hindcast: another value is another hindcast, not a redo
SAME_HINDCAST = ("scenario_file", "reps", "root_seed", "sets", "posterior")


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``hindcast`` sub-command to the CLI's sub-parsers; returns its parser."""
    summary = "Replay history over seeds and compare it with RIC's observed attack counts (2019-2021)."
    parser = add_command(subparsers, "hindcast", run, summary, """\
            insim hindcast --reps 10                       # history, 10 seeds, results/hindcast/
            insim hindcast history --reps 20 --workers 2 --json hindcast.json --out results/hc
            insim hindcast my_history_variant.toml --reps 5 --set detection_base=0.005
            insim hindcast history --posterior calib/default --draws 20   # parameters from the posterior
            insim hindcast history --posterior calib/default --out-of-sample ric_2022.csv
            (observed counts are scaled to the map's governorates: see docs/hindcast.md)""")
    parser.add_argument("scenario", nargs="?", default=DEFAULT_SCENARIO, metavar="SCENARIO",
                        help=f"a scenario file or shipped scenario name (default {DEFAULT_SCENARIO})")
    parser.add_argument("--reps", type=whole_number_arg,
                        help=f"seeds (default {DEFAULT_REPS}; with --posterior, --draws)")
    parser.add_argument("--posterior", metavar="CALIB_DIR",
                        help="a calibration folder (insim calibrate --out): each run draws its parameters from it")
    parser.add_argument("--draws", type=whole_number_arg, metavar="K",
                        help=f"posterior draws, one per run (default --reps or {DEFAULT_REPS}); with --posterior only")
    parser.add_argument("--seed", type=seed_value, default=0,
                        help="root seed the runs' seeds come from, 0 or more (default 0)")
    parser.add_argument("--workers", type=whole_number_arg,
                        help="worker processes (default: CPU count; 1 runs in-process)")
    parser.add_argument("--set", action="append", metavar="KEY=VALUE",
                        help="override a parameter or months/start; repeatable")
    parser.add_argument("--json", metavar="FILE", help="also write the comparison as JSON to FILE")
    parser.add_argument("--out", default=DEFAULT_OUT, metavar="DIR",
                        help=f"where hindcast.txt/.json/.png go (default {DEFAULT_OUT}); a folder holding "
                             "another hindcast or command's results is refused")
    parser.add_argument("--out-of-sample", metavar="FILE", dest="out_of_sample",
                        help="counts after 2021 in the columns of data/observed/ric_nes_2019_2021.csv: "
                             "set the projection against them (the out-of-sample test)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--yes", action="store_true", help=f"do not ask before more than {CONFIRM_RUNS} runs")
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


def settings_of(args: argparse.Namespace, scenario: Any, sets: dict[str, Any]) -> dict[str, Any]:
    """What makes a hindcast, as its ``hindcast.json`` records it in ``meta``."""
    settings = {"scenario_file": str(scenario.path), "reps": args.n_runs, "root_seed": args.seed,
                "sets": {k: str(v) for k, v in sets.items()}}
    if args.posterior is not None:
        settings["posterior"] = str(args.posterior)
    return settings


def recorded_settings(report: dict[str, Any]) -> dict[str, Any]:
    """The settings (:func:`settings_of`) and out-of-sample file of a hindcast's JSON."""
    meta, later = report.get("meta") or {}, report.get("out_of_sample") or {}
    return {**{key: meta.get(key) for key in SAME_HINDCAST}, "out_of_sample": later.get("source")}


def check_same_hindcast(out: Path, settings: dict[str, Any], out_of_sample: str | None) -> None:
    """InputError unless ``out`` holds no hindcast or this one (redone: the same settings, its files replaced)."""
    from sim.folders import check_output_folder

    allowed = ("another --out folder, the earlier hindcast's scenario and options to redo it, or remove its "
               f"{', '.join(FILES)} first")
    check_output_folder(out, "--out", "hindcast", allowed=allowed)
    if not any((out / name).exists() for name in FILES):
        return
    earlier = out / "hindcast.json"
    try:
        report = json.loads(earlier.read_text(encoding="utf-8"))
        before = recorded_settings(report)
    except (OSError, ValueError, AttributeError):
        raise InputError(earlier, None, "missing or unreadable beside an earlier hindcast's files, so the "
                         "earlier hindcast cannot be told apart from this one", allowed=allowed) from None
    now = recorded_settings({"meta": settings, "out_of_sample": {"source": out_of_sample}})
    differences = [f"{key} {now[key]!r} instead of {before[key]!r}" for key in now if now[key] != before[key]]
    if differences:
        raise InputError(out, "--out", "holds a different hindcast (hindcast.json): " + "; ".join(differences),
                         allowed=allowed)


def observed_months() -> list[Any]:
    """The months RIC's record can be compared on: those it reports, and every month of a year with a total."""
    import pandas as pd

    from sim.observed import FIT_END, load_ric, load_ric_annual

    months = {*load_ric()["month"], *(pd.Period(f"{int(year)}-{m:02d}", freq="M")
                                      for year in load_ric_annual()["year"] for m in range(1, 13))}
    return sorted(m for m in months if m <= pd.Period(FIT_END, freq="M"))


def check_run_months(scenario: Any, sets: dict[str, Any], out_of_sample: bool) -> tuple[Any, Any]:
    """The run's first and last month; InputError naming the option when the run has nothing to compare."""
    import pandas as pd

    from sim.observed import FIT_END

    first = pd.Period(scenario.start, freq="M")
    last = first + scenario.months - 1
    fit_end = pd.Period(FIT_END, freq="M")
    if out_of_sample and last <= fit_end:
        reach = (fit_end - first).n + 2  # months from the start to the first month after the fit
        raise InputError(None, "--out-of-sample", f"the run ({first} to {last}) ends by {FIT_END}, the fit's "
                         "end: it has no later month to set against the file",
                         allowed=f"a run past {FIT_END}: --set months={reach} or more")
    record = observed_months()
    if out_of_sample or any(first <= m <= last for m in record):
        return first, last
    file, key = next(((None, f"--set {k}") for k in ("start", "months") if k in sets), (scenario.path, "start"))
    raise InputError(file, key, f"the run ({first} to {last}) holds no month of RIC's record ({record[0]} to "
                     f"{record[-1]}): there is nothing to compare",
                     allowed=f"a run reaching into {record[0]} to {record[-1]}: a start (--set start=YYYY-MM-DD) "
                             "on or before its end, and --set months=N long enough to reach its beginning")


def _check(args: argparse.Namespace) -> tuple[Any, dict[str, Any], Path, Path | None]:
    """Every input checked: (scenario, sets, out folder, json path); sets ``args.n_runs`` and ``args.settings``."""
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
    confirm_runs(args.n_runs, args.yes, "--reps / --draws")  # before the draws are checked and any folder made
    if args.posterior is not None:  # the posterior and its draws checked before anything is written
        plan([str(scenario.path)], args.n_runs, seed=args.seed, sets=sets or None, posterior=args.posterior)
    first, last = check_run_months(scenario, sets, args.out_of_sample is not None)
    args.later = None
    if args.out_of_sample is not None:  # read and checked before any run
        from sim.hindcast.out_of_sample import load_later

        args.later = load_later(args.out_of_sample, first, last)
    out = Path(args.out)
    args.settings = settings_of(args, scenario, sets)
    check_same_hindcast(out, args.settings, None if args.out_of_sample is None else str(args.out_of_sample))
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
    report["meta"].update(scenario=scenario.name, **args.settings, wall_time_s=round(time.perf_counter() - started, 1))
    if args.posterior is not None:
        drawn = results.manifest["posterior"]
        report["meta"].update(posterior_sha256=drawn["sha256"], draw_ids=[d["draw_id"] for d in drawn["draws"]])
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
