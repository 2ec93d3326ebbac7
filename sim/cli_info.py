"""``insim scenarios`` and ``insim check``: what is shipped, and whether scenario files and maps are sound."""

from __future__ import annotations

import argparse
import textwrap
from typing import Any

from sim.cli_args import add_command, note_dropped
from sim.cli_json import add_json_option


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
        note_dropped(s)
    emit_json(records, args.json)
    return 0



def register(sub: Any) -> None:
    """Add ``scenarios`` and ``check`` to the ``insim`` sub-commands."""
    p = add_command(sub, "scenarios", cmd_scenarios, "List the shipped scenarios with their descriptions.",
             """
        insim scenarios
        insim scenarios --json""")
    add_json_option(p, "the scenarios")

    p = add_command(sub, "check", cmd_check, "Validate scenario files (exit 2 on the first bad one).", """
        insim check scenarios/*.toml
        insim check my_scenario.toml""")
    p.add_argument("files", nargs="+", metavar="FILE", help="scenario files or shipped scenario names")
    add_json_option(p, "the checked files")
