"""``insim hindcast``: run the history over seeds and set it against the observed record.

The CLI calls :func:`register` with its sub-parsers. Runs go through :func:`sim.batch.batch` (a
temporary results folder); the tables are printed and written with the figure to ``--out``
(``hindcast.txt``, ``hindcast.json``, ``hindcast.png``), and the JSON also to ``--json FILE``.
Bad input (an unknown scenario, ``--reps 0``, an unwritable folder) exits with status 2 before any
run; a batch in which every run failed exits with status 1.
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


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``hindcast`` sub-command to the CLI's sub-parsers; returns its parser."""
    summary = "Replay history over seeds and compare it with RIC's observed attack counts (2019-2021)."
    parser = subparsers.add_parser(
        "hindcast", help=summary, description=summary, formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n" + textwrap.indent(textwrap.dedent("""\
            insim hindcast --reps 10                       # history, 10 seeds, results/hindcast/
            insim hindcast history --reps 20 --workers 2 --json hindcast.json --out results/hc
            insim hindcast my_history_variant.toml --reps 5 --set detection_base=0.005
            (observed counts are scaled to the map's governorates: see docs/hindcast.md)"""), "  "))
    parser.add_argument("scenario", nargs="?", default=DEFAULT_SCENARIO, metavar="SCENARIO",
                        help=f"a scenario file or shipped scenario name (default {DEFAULT_SCENARIO})")
    parser.add_argument("--reps", type=int, default=10, help="seeds (default 10)")
    parser.add_argument("--seed", type=int, default=0, help="root seed the runs' seeds come from (default 0)")
    parser.add_argument("--workers", type=int, help="worker processes (default: CPU count; 1 runs in-process)")
    parser.add_argument("--set", action="append", metavar="KEY=VALUE",
                        help="override a parameter or months/start; repeatable")
    parser.add_argument("--json", metavar="FILE", help="also write the comparison as JSON to FILE")
    parser.add_argument("--out", default=DEFAULT_OUT, metavar="DIR",
                        help=f"where hindcast.txt/.json/.png go (default {DEFAULT_OUT})")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(func=run)
    return parser


def _writable_folder(folder: Path, option: str) -> None:
    """Make ``folder`` and prove it can be written, before anything runs."""
    probe = folder / ".insim-write-test"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        raise InputError(folder, option, f"cannot write there ({exc.strerror or exc})",
                         allowed="a folder you can write to") from None


def _check_model_records_outcomes() -> None:
    from sim.hindcast import OUTCOME, REGION_OUTCOMES
    from sim.outcomes import OUTCOMES

    missing = [o for o in (OUTCOME, *REGION_OUTCOMES.values()) if o not in OUTCOMES]
    if missing:
        raise InputError(None, ", ".join(missing), "this version of the model does not record these outcomes",
                         allowed="a model with the RIC-comparable outcomes (issue 14)")


def _check(args: argparse.Namespace) -> tuple[Any, dict[str, Any], Path, Path | None]:
    """Every input checked: (scenario, sets, out folder, json path)."""
    from sim.cli import load_with, parse_sets

    if args.reps < 1:
        raise InputError(None, "--reps", f"must be at least 1 (got {args.reps})")
    if args.seed < 0:
        raise InputError(None, "--seed", f"must be at least 0 (got {args.seed})")
    if args.workers is not None and args.workers < 1:
        raise InputError(None, "--workers", f"must be at least 1 (got {args.workers})")
    sets = parse_sets(args.set)
    scenario = load_with(args.scenario, sets)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise InputError(out, "--out", "is a file, not a folder")
    _writable_folder(out, "--out")
    json_path = Path(args.json) if args.json else None
    if json_path is not None:
        if json_path.is_dir():
            raise InputError(json_path, "--json", "is a folder", allowed="a file name, e.g. hindcast.json")
        _writable_folder(json_path.parent, "--json")
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
    results = batch([str(scenario.path)], reps=args.reps, seed=args.seed, sets=sets or None,
                    workers=args.workers, progress=not args.quiet)
    failed = results.runs[results.runs["status"] != "ok"] if "status" in results.runs else results.runs
    if len(failed):
        print(f"warning: {len(failed)} of {len(results.runs)} runs failed: {', '.join(failed['run_id'])}",
              file=sys.stderr)
    if results.monthly.empty:
        print("insim hindcast: every run failed; nothing to compare", file=sys.stderr)
        return 1
    report = compare(results.monthly)
    report["meta"].update(scenario=scenario.name, scenario_file=str(scenario.path), reps=args.reps,
                          root_seed=args.seed, sets={k: str(v) for k, v in sets.items()},
                          wall_time_s=round(time.perf_counter() - started, 1))
    text = format_report(report)
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
