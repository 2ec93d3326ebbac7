"""Machine-readable output of the ``insim`` command line (``--json``) and quiet ends in a pipe.

One convention for every command that offers it: ``--json`` alone (or ``--json -``) prints the
JSON to standard output *instead of* the text; ``--json FILE`` writes the JSON to FILE and keeps
the text on the screen, as ``insim validate --json FILE`` and ``insim hindcast --json FILE`` do.
Because ``--json`` takes an optional value, put it after positional arguments
(``insim check a.toml --json``) or spell the file as ``--json=FILE``.

Values JSON cannot hold are made plain: NaN becomes ``null``, dates become ISO strings, numpy
numbers become Python numbers.

A closed pipe (``insim scenarios | head -1``) ends the command quietly: :func:`quiet_broken_pipe`
is the recipe of the Python documentation ("Note on SIGPIPE", :mod:`signal`): point standard
output at ``os.devnull`` so the interpreter's final flush does not fail again, and exit with
status 141 (128 + SIGPIPE), what a shell reports for a command killed by a closed pipe.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np

from sim.errors import InputError
from sim.folders import check_writable

#: the value of ``--json`` that means standard output
STDOUT = "-"

#: exit status after a closed pipe: 128 + SIGPIPE (13), as a shell reports it
BROKEN_PIPE_STATUS = 141


def add_json_option(parser: argparse.ArgumentParser, what: str) -> None:
    """Add ``--json [FILE]`` to ``parser`` (``what`` names what the JSON holds, for the help)."""
    parser.add_argument("--json", nargs="?", const=STDOUT, metavar="FILE",
                        help=f"{what} as JSON: alone (or '-') printed instead of the text; "
                             "with FILE (a name ending in .json) written there (text still printed). "
                             "Put it after FILE arguments")


def plain(value: Any) -> Any:
    """``value`` with NaN as None, dates as ISO text and numpy scalars as Python ones (recursively)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    return value


def wants_text(target: str | None) -> bool:
    """Whether the human-readable text goes to standard output (not when JSON does)."""
    return target != STDOUT


def check_json_target(target: str | None, stdout: bool = True, create: bool = False) -> Path | None:
    """The JSON file asked for (None for stdout or no JSON); InputError if it is a folder, its name does not
    end in .json, it exists and does not hold JSON, or its folder is missing or cannot be written (checked
    before a command works, so its results are not lost at the end).

    The name must end in .json because ``--json`` takes an optional value: ``insim check --json a.toml b.toml``
    reads a.toml as the JSON file, and writing there would destroy a scenario.

    ``stdout``: whether '-' means standard output; ``create``: make the file's folder if it is missing.
    """
    if target is None or (stdout and target == STDOUT):
        return None
    path = Path(target)
    example = "a file name ending in .json, e.g. out.json" + (", or '-' for stdout" if stdout else "")
    if path.is_dir():
        raise InputError(path, "--json", "is a folder", allowed=example)
    if path.suffix.lower() != ".json":
        raise InputError(path, "--json", "is not a .json file name; writing JSON there could replace another "
                         "file (put --json after the FILE arguments, or write --json=FILE)", allowed=example)
    if path.exists() and not holds_json(path):
        raise InputError(path, "--json", "exists and does not hold JSON; it is not replaced",
                         allowed="a new file name, or a JSON file to replace")
    folder = path.parent
    if not folder.is_dir() and not create:
        raise InputError(folder, "--json", "no such folder", allowed="an existing folder")
    check_writable(folder, "--json")
    return path


def holds_json(path: Path) -> bool:
    """Whether the file at ``path`` can be read as JSON (so it may be replaced by new JSON)."""
    try:
        json.loads(path.read_bytes())
    except (OSError, ValueError):  # unreadable, not UTF-8, or not JSON
        return False
    return True


def emit_json(payload: Any, target: str | None) -> None:
    """Print ``payload`` as JSON (``target`` '-') or write it to the file ``target`` (None: nothing)."""
    if target is None:
        return
    text = json.dumps(plain(payload), indent=2, allow_nan=False) + "\n"
    path = check_json_target(target)
    if path is None:
        sys.stdout.write(text)
        return
    from sim.batch.store import atomic_write

    atomic_write(path, lambda p: p.write_text(text))
    print(f"wrote {path}", file=sys.stderr)


def scenario_record(name: str, path: Path, scenario: Any) -> dict[str, Any]:
    """What ``insim scenarios --json`` says about one shipped scenario."""
    return {"name": name, "file": str(path), "start": scenario.start, "months": scenario.months,
            "n_events": len(scenario.events), "events": [getattr(e, "kind", str(e)) for e in scenario.events],
            "description": " ".join(scenario.description.split())}


def check_record(file: str, scenario: Any, geography: Any) -> dict[str, Any]:
    """What ``insim check --json`` says about one checked file (each one listed is valid)."""
    return {"file": file, "ok": True, "name": scenario.name, "start": scenario.start, "months": scenario.months,
            "n_events": len(scenario.events), "map": str(geography.path), "map_width": geography.width,
            "map_height": geography.height, "map_places": len(geography.places)}


def compare_payload(table: Any) -> dict[str, Any]:
    """``insim compare --json``: the reference and one record per outcome and variant."""
    return {"reference": table.attrs.get("reference"), "rows": table.to_dict(orient="records")}


def quiet_broken_pipe() -> int:
    """After a BrokenPipeError on stdout: silence the final flush; the exit status to return."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout without a file descriptor (a test's StringIO)
        pass
    return BROKEN_PIPE_STATUS
