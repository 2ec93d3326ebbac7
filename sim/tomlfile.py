"""Reading a TOML file the user gave (a scenario or a map): every way it can fail is one clear error."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from sim.errors import InputError


def parse_toml(path: Path) -> dict[str, Any]:
    """The file as a dict; InputError naming the file if it is missing, unreadable, not UTF-8 or not TOML."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(path, None, "file not found") from None
    except IsADirectoryError:
        raise InputError(path, None, "is a folder, not a file", allowed="a .toml file") from None
    except UnicodeDecodeError as exc:
        raise InputError(path, None, f"not UTF-8 text (byte {exc.start})", allowed="a UTF-8 TOML file") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(path, None, f"not valid TOML: {exc}") from None
    except OSError as exc:  # no permission, a broken disk, ...
        raise InputError(path, None, f"cannot be read: {exc.strerror or exc}") from None
    except RecursionError:
        raise InputError(path, None, "nested too deeply to read", allowed="plain tables and lists") from None
