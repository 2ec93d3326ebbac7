"""What every ``insim`` command shares: parsing values from the command line, and adding a sub-command.

Values: ``--set KEY=VALUE`` and ``--sweep KEY=V1,V2`` (ints, floats, booleans, dates, text),
``--dates``, ``--outcomes``, ``--seed``; a malformed one is an :class:`~sim.errors.InputError`
(exit status 2) naming the option. :func:`add_command` gives every sub-command the same help
layout: a summary, the options, and examples.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import textwrap
from collections.abc import Callable, Sequence
from typing import Any

from sim.errors import InputError
from sim.scenario import MAX_SEED


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


def seed_value(text: str) -> int:
    """A ``--seed``: a whole number of at least 0."""
    try:
        seed = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number (allowed: 0 or more)") from None
    if not 0 <= seed <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"{seed} is out of range (allowed: 0 to {MAX_SEED})")
    return seed



# ---------------------------------------------------------------------------- sub-commands
def help_formatter(prog: str) -> argparse.HelpFormatter:
    """The help layout of every ``insim`` command: descriptions and examples as written."""
    return argparse.RawDescriptionHelpFormatter(prog, max_help_position=32)


def add_command(sub: Any, name: str, func: Callable[[argparse.Namespace], int], summary: str,
                examples: str) -> argparse.ArgumentParser:
    """Add the sub-command ``name`` (run by ``func``) with its summary and examples; returns its parser."""
    parser = sub.add_parser(name, help=summary, description=summary, formatter_class=help_formatter,
                            epilog="examples:\n" + textwrap.indent(textwrap.dedent(examples).strip(), "  "))
    parser.set_defaults(func=func)
    return parser


def add_set_option(p: argparse.ArgumentParser, keys: str = "months, start, seed") -> None:
    """``--set KEY=VALUE`` (repeatable), naming the top-level ``keys`` it may set besides parameters."""
    p.add_argument("--set", action="append", metavar="KEY=VALUE",
                   help=f"override a parameter or a top-level key ({keys}); repeatable")


# ---------------------------------------------------------------------------- shared checks
def note_dropped(scenario: Any) -> None:
    """Tell the user which events a shortened (or moved) run leaves out."""
    if scenario.dropped_events:
        print(f"note: {scenario.name}: events outside the run left out: {', '.join(scenario.dropped_events)}",
              file=sys.stderr)
