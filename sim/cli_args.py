"""What every ``insim`` command shares: parsing values from the command line, and adding a sub-command.

Values: ``--set KEY=VALUE`` and ``--sweep KEY=V1,V2`` (ints, floats, booleans, dates, text),
``--dates``, ``--outcomes``, ``--seed``, lists of names; a malformed one is an
:class:`~sim.errors.InputError` (exit status 2) naming the option, raised before any run.
:func:`add_command` gives every sub-command the same help layout: a summary, the options, and
examples.
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


def parse_names(text: str | None, option: str, allowed: str) -> list[str] | None:
    """``"a,b"`` as stripped names; None when the option is not given. Given but empty (``","``) is an
    InputError: it would otherwise silently mean the default (often: everything)."""
    if text is None:
        return None
    names = [part.strip() for part in text.split(",") if part.strip()]
    if not names:
        raise InputError(None, option, f"no name in {text!r}", allowed=allowed)
    return names


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

    names = parse_names(text, "--outcomes", "comma-separated outcome names, e.g. killings,is_fighters")
    return None if names is None else check_outcomes(names)


def check_dates(dates: Sequence[dt.date], spans: dict[str, tuple[dt.date, dt.date]], option: str = "--dates") -> None:
    """InputError unless every date lies in every run's span (``name: (first day, day after the run)``)."""
    for name, (first, end) in spans.items():
        last = end - dt.timedelta(days=1)
        for date in dates:
            if not first <= date <= last:
                raise InputError(None, option, f"{date} is outside the run of {name}",
                                 allowed=f"dates from {first} to {last}")


def load_with(file: str, sets: dict[str, Any] | None = None, option: str = "--set") -> Any:
    """A scenario with ``--set`` overrides applied and checked (InputError on any problem).

    An error about a key given on the command line names ``option`` and the key, not the
    scenario file: the file is not where the bad value is.
    """
    from sim.scenario import load_scenario

    sets = sets or {}
    try:
        return load_scenario(file, **sets)
    except InputError as exc:
        key = next((k for k in sets if exc.key in (k, f"parameters.{k}")), None)
        if key is None:
            raise
        raise InputError(None, f"{option} {key}", exc.problem, exc.allowed) from None


def check_sweep_values(file: str, sets: dict[str, Any], sweep: dict[str, list[Any]]) -> None:
    """Each ``--sweep`` value loaded into ``file`` alone (with the ``--set`` values): a bad one names ``--sweep``."""
    for key, values in sweep.items():
        for value in values:
            load_with(file, {**sets, key: value}, "--sweep")


def whole_number_arg(text: str) -> int:
    """An argparse type for counts (``--reps``, ``--workers``): its error says "a whole number", not "int"."""
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None


def seed_value(text: str) -> int:
    """A ``--seed``: a whole number of at least 0."""
    try:
        seed = whole_number_arg(text)
    except argparse.ArgumentTypeError as exc:
        raise argparse.ArgumentTypeError(f"{exc} (allowed: 0 to {MAX_SEED})") from None
    if not 0 <= seed <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"{seed} is out of range (allowed: 0 to {MAX_SEED})")
    return seed



# ---------------------------------------------------------------------------- sub-commands
#: the width a command's summary is wrapped to in its own help
HELP_WIDTH = 78


def help_formatter(prog: str) -> argparse.HelpFormatter:
    """The help layout of every ``insim`` command: descriptions and examples as written."""
    return argparse.RawDescriptionHelpFormatter(prog, max_help_position=32)


def add_command(sub: Any, name: str, func: Callable[[argparse.Namespace], int], summary: str,
                examples: str) -> argparse.ArgumentParser:
    """Add the sub-command ``name`` (run by ``func``) with its summary and examples; returns its parser."""
    # the summary is %-formatted in the command list (help) but shown as written in the command's own
    # help (description), which the raw layout does not wrap
    parser = sub.add_parser(name, help=summary.replace("%", "%%"), description=textwrap.fill(summary, HELP_WIDTH),
                            formatter_class=help_formatter,
                            epilog="examples:\n" + textwrap.indent(textwrap.dedent(examples).strip(), "  "))
    parser.set_defaults(func=func)
    return parser


def add_set_option(p: argparse.ArgumentParser, keys: str = "months, start, seed") -> None:
    """``--set KEY=VALUE`` (repeatable), naming the top-level ``keys`` it may set besides parameters."""
    p.add_argument("--set", action="append", metavar="KEY=VALUE",
                   help=f"override a parameter or a top-level key ({keys}); repeatable")


# ---------------------------------------------------------------------------- shared checks
#: commands of more runs than this ask before they start (``--yes`` skips the question)
CONFIRM_RUNS = 1000


def confirm_runs(n_runs: int, yes: bool, fewer: str) -> None:
    """Ask before more than :data:`CONFIRM_RUNS` runs unless ``yes``; InputError naming ``--yes`` if not
    confirmed (``fewer``: the options that make fewer runs, for the message)."""
    if n_runs <= CONFIRM_RUNS or yes:
        return
    if not sys.stdin.isatty():
        raise InputError(None, "--yes", f"{n_runs:,} runs (more than {CONFIRM_RUNS:,}) and there is no terminal "
                         "to ask", allowed=f"add --yes to run them, or fewer {fewer}")
    print(f"This asks for {n_runs:,} runs. Run them all? [y/N] ", end="", file=sys.stderr, flush=True)
    if sys.stdin.readline().strip().lower() not in ("y", "yes"):
        raise InputError(None, "--yes", f"not confirmed: {n_runs:,} runs", allowed="answer y, or add --yes")


def note_dropped(scenario: Any) -> None:
    """Tell the user which events a shortened (or moved) run leaves out."""
    if scenario.dropped_events:
        print(f"note: {scenario.name}: events outside the run left out: {', '.join(scenario.dropped_events)}",
              file=sys.stderr)
