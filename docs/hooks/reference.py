"""MkDocs hook: the reference pages generated from their sources at every build.

- ``reference/cli.md`` from ``sim.cli.build_parser()`` (every sub-command's ``--help``);
- ``reference/parameters.md`` from ``sim.parameter_table()`` (``seeds/parameters.toml``);
- ``reference/outcomes.md`` from the outcome descriptions in ``sim.outcomes``;
- ``reference/scenarios.md`` from the shipped scenario files.

Nothing is written into the repository: the pages exist only in the built site, so they cannot
fall behind the code.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from mkdocs.structure.files import File, Files

WIDTH = "100"  # argparse wraps help to $COLUMNS: a fixed width keeps the page stable


def _cell(value: Any) -> str:
    """A value fit for a Markdown table cell (whole floats without their ``.0``: pandas makes ranges float)."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split()).replace("|", "\\|")


def cli_page() -> str:
    from sim.cli import build_parser

    os.environ["COLUMNS"] = WIDTH
    parser = build_parser()
    parser.prog = "insim"
    subcommands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    summaries = {a.dest: a.help for a in subcommands._choices_actions}
    lines = ["# Command line", "",
             "Generated from the `insim` argument parser at build time (`insim COMMAND --help` prints the same).",
             "`python -m sim` is the same command.", "", "```text", parser.format_help().rstrip(), "```", "",
             "| command | what it does |", "|---|---|"]
    lines += [f"| [`{name}`](#insim-{name}) | {_cell(summaries.get(name, ''))} |" for name in subcommands.choices]
    for name, sub in subcommands.choices.items():
        lines += ["", f"## insim {name}", "", "```text", sub.format_help().rstrip(), "```"]
    return "\n".join(lines) + "\n"


def parameters_page() -> str:
    import sim

    table = sim.parameter_table()
    n_assumed = int((table["basis"] == "assumption").sum())
    lines = ["# Parameters", "",
             f"Generated from `seeds/parameters.toml` through `sim.parameter_table()`: {len(table)} parameters, "
             f"{len(table) - n_assumed} resting on facts from the sources and {n_assumed} on stated assumptions. "
             "A scenario may set any of them within its range (`[parameters]` in a scenario file, or "
             "`--set name=value`). Source codes: `eui2022` is Haenni & Quesnay (2022) and `wp2019` is "
             "Loveluck (2019), cited by section (s.) and footnote (fn); see [Sources](../sources.md).", ""]
    for group, rows in table.groupby("group", sort=False):
        lines += [f"## {group}", "", "| parameter | value | unit | range | basis | description | source |",
                  "|---|---|---|---|---|---|---|"]
        for r in rows.itertuples():
            span = f"{_cell(r.min)} to {_cell(r.max)}" if _cell(r.min) or _cell(r.max) else ""
            lines.append(f"| `{r.parameter}` | {_cell(r.value)} | {_cell(r.unit)} | {span} | {r.basis} | "
                         f"{_cell(r.description)} | {_cell(r.source)} |")
        lines.append("")
    return "\n".join(lines)


def outcomes_page() -> str:
    from sim.accounts import INCIDENTS
    from sim.outcomes import DESCRIPTIONS, STATE

    lines = ["# Outcomes", "",
             "Generated from the outcome descriptions in `sim/outcomes.py`. Each run records one row a month "
             "(`model.monthly_frame()`, `monthly.parquet` in a batch). A **count** is what happened during "
             "the month; a **state** is the value at the month's end. A batch's `runs` table holds each "
             "outcome's last month and, for counts, the run's total as `total_<name>`.", "",
             "| outcome | kind | description |", "|---|---|---|"]
    for name, text in DESCRIPTIONS.items():
        kind = "state" if name in STATE else "count" if name in INCIDENTS else "month"
        lines.append(f"| `{name}` | {kind} | {_cell(text)} |")
    return "\n".join(lines) + "\n"


def _default(field: Any) -> str:
    if field.is_required():
        return "required"
    value = field.get_default(call_default_factory=True)
    if value is None:
        return "default: from the parameter table"
    return f"default {str(value).lower() if isinstance(value, bool) else _cell(value)}"  # as TOML writes it


def event_kinds() -> list[str]:
    """The event kinds of ``sim.events``: what each does and its arguments (a Markdown table)."""
    from sim.events import EVENT_KINDS

    lines = ["| kind | what it does | arguments |", "|---|---|---|"]
    for kind, model in EVENT_KINDS.items():
        args = [f"`{name}` ({_default(field)}){': ' + _cell(field.description) if field.description else ''}"
                for name, field in model.model_fields.items() if name not in ("kind", "description")]
        lines.append(f"| `{kind}` | {_cell(model.__doc__)} | {'<br>'.join(args)} |")
    return lines


def scenarios_page() -> str:
    from sim.scenario import available, load_scenario

    lines = ["# Shipped scenarios", "",
             "Generated from the files in `scenarios/` (`insim scenarios` prints the same list). "
             "See [Scenarios](../scenarios.md) for how to write your own.", ""]
    for name in available():
        sc = load_scenario(name)
        lines += [f"## `{name}`", "", _cell(sc.description) or "(no description)", "",
                  f"{sc.start:%d %B %Y}, {sc.months} months. Events:", ""]
        lines += [f"- {e.date.isoformat()}: `{e.kind}`. {_cell(getattr(e.args, 'description', ''))}".rstrip()
                  for e in sc.events] or ["- none"]
        lines.append("")
    lines += ["## Event kinds", "", "Generated from `sim/events.py`. Every event also takes a free-text "
              "`description`, shown when it fires.", "", *event_kinds()]
    return "\n".join(lines) + "\n"


PAGES = {
    "reference/cli.md": cli_page,
    "reference/parameters.md": parameters_page,
    "reference/outcomes.md": outcomes_page,
    "reference/scenarios.md": scenarios_page,
}


def on_files(files: Files, config: Any) -> Files:
    """Add the generated pages to the site."""
    for path, render in PAGES.items():
        files.append(File.generated(config, path, content=render()))
    return files
