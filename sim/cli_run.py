"""``insim run``: one run of one scenario, its summary table, and with ``--out`` a one-run batch folder."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from sim.analysis import text_table
from sim.cli_args import add_command, add_set_option, load_with, note_dropped, parse_sets, seed_value
from sim.folders import check_output_folder, check_writable

#: outcomes shown in ``insim run``'s summary table
SUMMARY_OUTCOMES: tuple[str, ...] = (
    "is_fighters", "is_supporters", "is_treasury_usd", "detainees", "influence_east_strip", "mean_trust",
    "strongholds", "councils_without_chairman", "sdf_local_share", "traders_active", "coalition_present",
)



def run_summary(model: Any, seed: int) -> str:
    """The text ``insim run`` prints: state at 12-month intervals, incident totals, events fired."""
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



def cmd_run(args: argparse.Namespace) -> int:
    """One run of one scenario, with a summary table and optional outputs."""
    from sim.model import InsurgencyModel

    sets = parse_sets(args.set)
    scenario = load_with(args.file, sets)
    out = Path(args.out) if args.out else None
    if out is not None:  # a run has no --resume: an earlier command's folder is kept as it is
        check_output_folder(out, "--out", None, allowed="another --out folder, new or empty (insim run neither "
                            "resumes nor replaces a folder)")
        check_writable(out, "--out")
    note_dropped(scenario)
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
    print(run_summary(model, seed))
    print(f"\n({time.perf_counter() - started:.1f} s)")
    if out is not None:
        print(f"wrote {out}/ (as a one-run batch: runs, monthly, villages tables, datapackage.json)")
    return 0



def register(sub: Any) -> None:
    """Add ``run`` to the ``insim`` sub-commands."""
    p = add_command(sub, "run", cmd_run, "One run of one scenario: a summary table, and outputs with --out.", """
        insim run baseline
        insim run scenarios/us_withdrawal.toml --seed 7 --set zakat_min_usd=500
        insim run amnesty --set months=24 --out results/amnesty_run""")
    p.add_argument("file", metavar="FILE", help="a scenario file or a shipped scenario's name")
    p.add_argument("--seed", type=seed_value, help="random seed, 0 or more (default: the scenario's)")
    add_set_option(p)
    p.add_argument("--out", metavar="DIR", help="write the run here as a one-run batch (the tables, manifest and "
                   "datapackage.json of `insim batch`)")
