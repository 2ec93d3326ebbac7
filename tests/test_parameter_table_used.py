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


# ------------------------------------------------------------------ literals (plan section 4, test 3)
REVIEWED = (
    "mechanisms/zakat.py", "mechanisms/trade.py", "mechanisms/councils.py", "mechanisms/cell_bases.py",
    "mechanisms/repentance.py", "mechanisms/governance.py", "mechanisms/influence.py", "mechanisms/trust.py",
    "mechanisms/checkpoints.py", "world/initial.py", "world/population.py", "world/hideouts.py",
    "world/space.py", "agents/village.py", "agents/trader.py", "agents/sites.py",
)
"""Files whose behavioural numbers have been moved into the table (issue 13, P4); extend as others are."""

EXPLAINED = {
    ("mechanisms/zakat.py", 0.5): "the mean of influence and fear",
    ("mechanisms/zakat.py", 2): "the third of the stacked answers (pay, refuse, exile) is row 2",
    ("mechanisms/zakat.py", 50.0): "the clip that keeps exp() from overflowing in a logistic",
    ("world/population.py", 2): "hideouts come as (x, y) pairs: an array shape",
    ("world/hideouts.py", 2): "squares come as (x, y) pairs: array shapes",
    ("world/space.py", 2): "the map has two axes",
}
GUARD = 1e-3  # smaller literals guard divisions and empty weights; they change no behaviour


def test_no_unexplained_number_in_the_reviewed_files() -> None:
    found = []
    for name in REVIEWED:
        for node in ast.walk(ast.parse((SIM / name).read_text())):
            if (isinstance(node, ast.Constant) and isinstance(node.value, int | float)
                    and not isinstance(node.value, bool) and node.value not in (0, 1)
                    and abs(node.value) >= GUARD and (name, node.value) not in EXPLAINED):
                found.append(f"sim/{name}:{node.lineno} {node.value}")
    assert not found, f"numbers that should be rows of seeds/parameters.toml (or explained here): {found}"
