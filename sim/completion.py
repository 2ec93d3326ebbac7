"""``insim completion bash|zsh``: the shell completion script, generated from the parser by shtab.

shtab (https://github.com/tqdm/shtab) reads the argparse parser, so the completion knows
every sub-command and option, colleagues' commands included, and never falls behind the CLI.
Install it once (see docs/getting-started.md), e.g. for bash:
``insim completion bash > ~/.local/share/bash-completion/completions/insim``.
"""

from __future__ import annotations

import argparse
import textwrap
from typing import Any

#: the shells shtab writes completion scripts for (its tcsh script is rarely wanted)
SHELLS: tuple[str, ...] = ("bash", "zsh")


def completion_script(shell: str) -> str:
    """The completion script of the whole ``insim`` command line for ``shell``."""
    import shtab

    from sim.cli import build_parser

    return shtab.complete(build_parser(), shell=shell)


def cmd_completion(args: argparse.Namespace) -> int:
    """Print the completion script."""
    print(completion_script(args.shell))
    return 0


def register(sub: Any) -> None:
    """Add ``completion`` to the ``insim`` sub-commands."""
    summary = "Print a shell completion script (bash or zsh) for insim."
    parser = sub.add_parser(
        "completion", help=summary, description=summary, formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n" + textwrap.indent(textwrap.dedent("""\
            insim completion bash > ~/.local/share/bash-completion/completions/insim
            insim completion zsh > ~/.zfunc/_insim     # with fpath+=~/.zfunc before compinit in ~/.zshrc
            eval "$(insim completion bash)"             # this shell only"""), "  "))
    parser.add_argument("shell", choices=SHELLS, help="the shell to complete in")
    parser.set_defaults(func=cmd_completion)
