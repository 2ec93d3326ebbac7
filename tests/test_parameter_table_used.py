"""Every row of ``seeds/parameters.toml`` has one owner and is read somewhere in ``sim/`` (issue 13, P4).

A row that nothing reads is a number that means nothing; a row with two owners has two meanings.
"Read" is checked on the code's syntax tree (the text, not a run):

* an attribute access ``<anything>.<name>`` (``p.zakat_min_usd``, ``self.model.p.zakat_min_usd``);
* a literal name passed to ``getattr`` or to ``Mechanism.param_key``;
* an f-string passed to ``getattr`` (``getattr(model.p, f"role_share_{r}")``), taken as a pattern
  whose placeholders match any name part;
* a mechanism's ``switch``, which :attr:`sim.mechanisms.base.Mechanism.enabled` reads.

Declarations (``params = (...)``, ``PARAMS = (...)``) are plain strings, so they do not count as reads.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from pathlib import Path

from sim import modifiers, world
from sim.mechanisms import CLASSES
from sim.sources import load_parameter_specs

SIM = Path(__file__).resolve().parents[1] / "sim"
READERS = ("getattr", "param_key")


def owners() -> Counter:
    """How many owners declare each parameter: mechanisms, the world builder and the modifiers."""
    found: Counter = Counter()
    for cls in CLASSES.values():
        found.update(cls.params)
    found.update(world.PARAMS)  # the world builder (sim/world): initial conditions, hideouts, cells
    found.update(modifiers.PARAMS)  # conditions several mechanisms read (sim/modifiers.py)
    return found


def _called(node: ast.Call) -> str:
    f = node.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""


def _pattern(joined: ast.JoinedStr) -> re.Pattern:
    parts = [re.escape(v.value) if isinstance(v, ast.Constant) else r"[a-z0-9_]+" for v in joined.values]
    return re.compile("".join(parts) + "$")


def reads_in(tree: ast.AST) -> tuple[set[str], list[re.Pattern]]:
    """Names read in one module, and the patterns of the f-strings it reads by."""
    names: set[str] = set()
    patterns: list[re.Pattern] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            names.add(node.attr)
        elif isinstance(node, ast.Call) and _called(node) in READERS:
            for arg in node.args:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    names.add(arg.value)
                elif isinstance(arg, ast.JoinedStr):
                    patterns.append(_pattern(arg))
    return names, patterns


def read_parameters() -> set[str]:
    """The rows of the table that some code in ``sim/`` reads."""
    table = set(load_parameter_specs())
    names: set[str] = {cls.switch for cls in CLASSES.values() if cls.switch}
    patterns: list[re.Pattern] = []
    for path in SIM.rglob("*.py"):
        n, pats = reads_in(ast.parse(path.read_text(), filename=str(path)))
        names |= n
        patterns += pats
    return {row for row in table if row in names or any(p.match(row) for p in patterns)}


def test_the_scan_sees_reads_and_not_declarations() -> None:
    tree = ast.parse('params = ("a_declared",)\n'
                     'x = p.b_read\n'
                     'y = getattr(p, "c_read")\n'
                     'z = [getattr(p, f"d_{r}") for r in R]\n'
                     'k = self.param_key("e_read")\n')
    names, patterns = reads_in(tree)
    assert {"b_read", "c_read", "e_read"} <= names and "a_declared" not in names
    assert any(pt.match("d_zakat") for pt in patterns) and not any(pt.match("e_zakat") for pt in patterns)


def test_every_row_is_declared_by_exactly_one_owner() -> None:
    found, table = owners(), set(load_parameter_specs())
    assert not sorted(table - set(found)), "rows no mechanism, world or modifier declares"
    assert not sorted(n for n, k in found.items() if k > 1), "rows declared twice"


def test_every_row_is_read_somewhere_in_sim() -> None:
    unread = sorted(set(load_parameter_specs()) - read_parameters())
    assert not unread, f"rows of seeds/parameters.toml that no code in sim/ reads: {unread}"
