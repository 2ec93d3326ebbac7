"""``insim viz [SCENARIO] [--host HOST] [--port PORT]``: serve the interactive page with Solara.

The CLI calls :func:`register` with its sub-parsers. The command runs ``solara run`` on
``sim/viz/app.py`` in a subprocess, passing the scenario in ``$INSIM_SCENARIO``; the server
listens on 127.0.0.1 unless ``--host`` says otherwise.
"""

from __future__ import annotations

import argparse
import errno
import os
import socket
import sys
from pathlib import Path

from sim.errors import InputError
from sim.viz import APP_PATH, SCENARIO_ENV
from sim.viz.server import serve

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
LOOPBACK = ("127.0.0.1", "localhost", "::1")

#: the examples of ``insim viz --help``
EXAMPLES = f"""\
examples:
  insim viz                                  # the baseline at http://{DEFAULT_HOST}:{DEFAULT_PORT}
  insim viz us_withdrawal                    # a shipped scenario by name
  insim viz my_scenario.toml --port 8800     # your own scenario file, another port
  insim viz history --host 0.0.0.0           # reachable from other machines (no password: see the warning)
needs the viz extra: pip install 'insim[viz]'; Ctrl-C stops the server"""


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``viz`` sub-command to the CLI's sub-parsers; returns its parser."""
    parser = subparsers.add_parser(
        "viz",
        help="open the interactive map and plots in the browser (Mesa SolaraViz)",
        description="Serve the interactive visualization: the map with villages, IS cells, SDF units and "
                    "traders, the monthly outcomes, the date and the scenario's events. Open the printed "
                    "address in a browser.",
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EXAMPLES,
    )
    parser.add_argument("scenario", nargs="?", default="baseline",
                        help="shipped scenario name or path to a scenario .toml (default: baseline)")
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on (default: {DEFAULT_HOST})")
    parser.add_argument("--port", type=port_number, default=DEFAULT_PORT,
                        help=f"port, 1 to 65535 (default: {DEFAULT_PORT})")
    parser.set_defaults(func=run)
    return parser


def port_number(text: str) -> int:
    """A ``--port``: a whole number from 1 to 65535."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number (allowed: 1 to 65535)") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port (allowed: 1 to 65535)")
    return port


def solara_command(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> list[str]:
    """The ``solara run`` command line for the app."""
    return [sys.executable, "-m", "solara", "run", str(APP_PATH), "--host", host, "--port", str(port),
            "--production", "--no-open"]


def scenario_argument(scenario: str) -> str:
    """The scenario as the app gets it: a shipped name stays a name, a file becomes an absolute path.

    Raises :class:`sim.errors.InputError` (with the known names) when there is no such scenario.
    """
    from sim.scenario import available, load_scenario, resolve_path

    if scenario in available():
        return scenario
    path = str(Path(resolve_path(scenario)).resolve())
    load_scenario(path)  # checked here: a bad file is a clear error, not a crash of the server
    return path


def check_address(host: str, port: int) -> None:
    """InputError naming ``--host`` or ``--port`` unless a server could listen there now (the server's own
    failure would come after its start-up banner, as a log line, with exit status 3)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise InputError(None, "--host", f"{host!r} is not an address ({exc.strerror})",
                         allowed=f"{DEFAULT_HOST}, 0.0.0.0 or an address of this machine") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server sets it
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise InputError(None, "--port", f"{port} is already in use on {host}",
                                 allowed="another --port, e.g. 8800, or stop what listens there") from None
            if exc.errno == errno.EACCES:
                raise InputError(None, "--port", f"{port} needs privileges to listen on",
                                 allowed="a port from 1024 to 65535") from None
            raise InputError(None, "--host", f"cannot listen on {host!r} ({exc.strerror})",
                             allowed=f"{DEFAULT_HOST}, 0.0.0.0 or an address of this machine") from None


def exposure_warning(host: str) -> str:
    """A warning when ``host`` makes the server reachable from other machines ('' on loopback)."""
    if host in LOOPBACK or host.startswith("127."):
        return ""
    where = "every network this machine is on" if host in ("0.0.0.0", "::", "") else f"the network of {host}"
    return (f"insim viz: warning: --host {host} makes the server reachable from {where}; anyone who can reach "
            f"this port can use it (there is no password). Use --host {DEFAULT_HOST} to keep it on this machine.")


def run(args: argparse.Namespace) -> int:
    """Start the Solara server (blocks until it stops); returns its exit code."""
    scenario = scenario_argument(args.scenario)
    check_address(args.host, args.port)
    root = str(APP_PATH.parents[2])
    pythonpath = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH", "")) if p)
    env = {**os.environ, SCENARIO_ENV: scenario, "PYTHONPATH": pythonpath}
    if exposure_warning(args.host):
        print(exposure_warning(args.host), file=sys.stderr, flush=True)
    print(f"insim viz: scenario {scenario!r} at http://{args.host}:{args.port}  (Ctrl-C to stop)", flush=True)
    try:
        return serve(solara_command(args.host, args.port), env=env)
    except KeyboardInterrupt:
        return 0
