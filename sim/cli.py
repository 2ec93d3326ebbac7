"""The ``insim`` command (also ``python -m sim``): the parser, the sub-commands' modules, and ``main``.

Every command checks its input before it writes anything; bad input (an unknown key, a wrong
type, a value out of range, an event outside the run, a missing file) prints one message naming
the file and the key and exits with status 2. ``insim batch`` exits 1 when some runs failed.

The sub-commands live in their own modules: :mod:`sim.cli_info` (``scenarios``, ``check``),
:mod:`sim.cli_run` (``run``), :mod:`sim.cli_batch` (``batch``, ``plot``, ``compare``), and those
named in :data:`EXTRA_COMMANDS`; what they share (value parsing, the help layout) is in
:mod:`sim.cli_args`. Colleagues' commands plug in through :data:`EXTRA_COMMANDS`: each module
named there that exists must define ``register(subparsers)``, which adds its sub-parser and sets
``func``.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import signal
import sys
import textwrap
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from sim import cli_batch, cli_info, cli_run
from sim.cli_args import help_formatter, load_with, parse_dates, parse_outcomes, parse_sets, parse_sweeps, seed_value
from sim.cli_json import quiet_broken_pipe
from sim.errors import InputError
from sim.interrupt import IncompleteBatchWarning, interrupt_behind, interrupts_noted, note_interrupt, resume_command

__all__ = ["EXTRA_COMMANDS", "InputError", "build_parser", "load_with", "main", "parse_dates", "parse_outcomes",
           "parse_sets", "parse_sweeps", "register_extras", "seed_value"]

# ---------------------------------------------------------------------------- registration hooks
#: Modules that may add sub-commands (``viz``, ``validate``, ``sensitivity``). Each one that can be
#: imported must define ``register(subparsers: argparse._SubParsersAction) -> None``; a module
#: that does not exist (yet) is skipped.
EXTRA_COMMANDS: tuple[str, ...] = ("sim.viz.command", "sim.validation.command", "sim.sensitivity.command",
                                   "sim.hindcast.command", "sim.fitting.command", "sim.completion")

#: what Ctrl-C leaves to finish, by command (each has ``--resume``)
RESUMABLE = {"batch": "the batch", "validate": "the validation", "sensitivity": "the screening"}


# ---------------------------------------------------------------------------- the parser
def build_parser() -> argparse.ArgumentParser:
    """The ``insim`` argument parser with every sub-command (and any registered extras)."""
    parser = argparse.ArgumentParser(
        prog="insim", formatter_class=help_formatter,
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

    cli_info.register(sub)
    cli_run.register(sub)
    cli_batch.register(sub)
    register_extras(sub)
    parser.set_defaults(command_parsers=sub.choices)  # so an unknown option is reported by its command
    return parser


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



def _terminate(signum: int, frame: Any) -> None:
    note_interrupt()  # a library may disguise the KeyboardInterrupt: see sim.interrupt.interrupts_noted
    raise KeyboardInterrupt  # so a batch shuts its workers down and keeps what is stored


def _exit_with(status: int) -> Callable[[int, Any], None]:
    """A SIGTERM handler for after the command's work: its outputs are written, so end at once with its status."""

    def handler(signum: int, frame: Any) -> None:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError, RuntimeError):  # closed, or a flush under way
                stream.flush()
        os._exit(status)

    return handler


@contextlib.contextmanager
def _warnings_on_one_line() -> Iterator[None]:
    """While a command works: an incomplete batch's warning (:mod:`sim.interrupt`) is one plain line
    on stderr, every time a command reads such a folder, instead of Python's two lines with a path."""
    with warnings.catch_warnings():
        warnings.simplefilter("always", IncompleteBatchWarning)
        shown = warnings.showwarning

        def show(message: Any, category: type[Warning], *where: Any) -> None:
            if issubclass(category, IncompleteBatchWarning):
                print(f"warning: {message}", file=sys.stderr)
            else:
                shown(message, category, *where)

        warnings.showwarning = show
        yield


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``insim`` command line; returns the exit status.

    SIGTERM while a command works is handled like Ctrl-C (a batch keeps what it stored, exit 130).
    Run as the program (``argv`` None), a SIGTERM that comes after the work, while Python shuts
    down (joining pools, finalising modules), ends the process with the work's own status instead
    of the signal's; called from Python with ``argv``, the caller's handler is put back.
    """
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminate) if in_main_thread else None
    status = 128 + signal.SIGTERM  # what a SIGTERM reports if it lands before the work's status is known
    try:
        with _warnings_on_one_line(), interrupts_noted():
            status = _run(argv)
        return status
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, _exit_with(status) if argv is None else previous)


def _given_before(word: str, command: str, words: list[str]) -> bool:
    """True when ``word`` comes before the command's name on the command line (it is then the program's)."""
    return word in words and command in words and words.index(word) < words.index(command)


def _interrupted(args: argparse.Namespace) -> int:
    """Say that the command was interrupted (and how to finish it, for those that keep their runs); 130."""
    print("interrupted", file=sys.stderr)
    if args.command in RESUMABLE:  # every stored run is kept: say how to finish the rest
        print(f"to finish {RESUMABLE[args.command]}: {resume_command(args.argv)}", file=sys.stderr)
    return 130


def _run(argv: Sequence[str] | None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    try:
        parser = build_parser()  # imports the commands' modules: a Ctrl-C may come while they load
        args, unknown = parser.parse_known_args(words)
        if unknown:  # argparse would report them with the top-level usage; the command's own is the useful one
            owner = parser if _given_before(unknown[0], args.command, words) else args.command_parsers[args.command]
            owner.error(f"unrecognized arguments: {' '.join(unknown)}")
    except SystemExit as exc:  # argparse's usage errors (status 2) and --help / --version (0)
        return exc.code if isinstance(exc.code, int) else 2
    except KeyboardInterrupt:  # before the command began: nothing to keep or finish
        print("interrupted", file=sys.stderr)
        return 130
    args.argv = words
    try:
        status = int(args.func(args) or 0)
        sys.stdout.flush()  # a closed pipe shows here, inside the handler below, not at exit
        return status
    except InputError as exc:
        print(f"insim {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return _interrupted(args)
    except BrokenPipeError:  # the reader (`| head`) closed the pipe: end quietly
        return quiet_broken_pipe()
    except Exception as exc:  # a Ctrl-C in a compiled kernel, or in a library's clean-up, comes out disguised
        if interrupt_behind(exc) is None:
            raise
        return _interrupted(args)
