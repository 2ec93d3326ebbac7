"""The shape of the model core: who owns each parameter, and an import graph without cycles."""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

import pytest

from sim import modifiers, world
from sim.mechanisms import CLASSES, Mechanism
from sim.model import PHASES
from sim.sources import load_parameter_specs

SIM = Path(__file__).resolve().parents[1] / "sim"
CORE = ("model", "world", "policy", "mechanisms", "modifiers", "recorder", "outcomes", "accounts", "agents",
        "events", "parameters", "sources")


def _owners() -> Counter:
    owners: Counter = Counter()
    for cls in CLASSES.values():
        owners.update(cls.params)
    owners.update(world.PARAMS)
    owners.update(modifiers.PARAMS)
    return owners


def test_every_parameter_is_owned_exactly_once() -> None:
    owners = _owners()
    table = set(load_parameter_specs())
    unowned = sorted(table - set(owners))
    twice = sorted(n for n, k in owners.items() if k > 1)
    unknown = sorted(set(owners) - table)
    assert not unowned, f"parameters no mechanism, world or modifier declares: {unowned}"
    assert not twice, f"parameters declared by more than one owner: {twice}"
    assert not unknown, f"declared parameters missing from seeds/parameters.toml: {unknown}"


def test_what_mechanisms_read_from_others_exists() -> None:
    table = set(load_parameter_specs())
    for cls in CLASSES.values():
        assert set(cls.reads) <= table, cls.name
        assert not set(cls.reads) & set(cls.params), cls.name
    assert set(world.READS) <= table


@pytest.mark.parametrize("name", sorted(CLASSES))
def test_each_mechanism_declares_its_switch_and_name(name: str) -> None:
    cls = CLASSES[name]
    assert issubclass(cls, Mechanism) and cls.name == name
    assert (SIM / "mechanisms" / f"{name}.py").is_file()
    if cls.switch is not None:
        assert cls.switch in cls.params
        assert isinstance(load_parameter_specs()[cls.switch].value, bool)


def test_every_mechanism_with_a_hook_is_in_a_phase() -> None:
    phased = {name for _, names in PHASES for name in names}
    for name, cls in CLASSES.items():
        hooks = [h for h in ("night", "day", "month_end") if getattr(cls, h) is not getattr(Mechanism, h)]
        for hook in hooks:
            assert name in dict(PHASES)[hook], f"{name}.{hook} is never called"
        assert not hooks or name in phased


def test_mechanisms_read_only_parameters_they_declare() -> None:
    """A ``p.name`` in a mechanism's file must be one of its params or reads (a text check of the code)."""
    for name, cls in CLASSES.items():
        tree = ast.parse((SIM / "mechanisms" / f"{name}.py").read_text())
        used = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name)
                and n.value.id == "p"}
        used |= {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)
                 and isinstance(n.value, ast.Attribute) and n.value.attr == "p"}
        undeclared = used - set(cls.params) - set(cls.reads)
        assert not undeclared, f"{name} reads undeclared parameters {sorted(undeclared)}"


# ----------------------------------------------------------------------------------- imports
def _module_name(path: Path) -> str:
    parts = path.relative_to(SIM.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _in_core(name: str) -> bool:
    parts = name.split(".")
    return len(parts) > 1 and parts[1] in CORE


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST, package: str) -> set[str]:
    """Modules imported at run time (anywhere but under ``if TYPE_CHECKING``)."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package.split(".")[:len(package.split(".")) - node.level + 1], base]).strip(".")
            found.add(base)
            found.update(f"{base}.{a.name}" for a in node.names)  # ``from pkg import module``
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def _core_graph() -> dict[str, set[str]]:
    modules = {}
    for path in SIM.rglob("*.py"):
        name = _module_name(path)
        if _in_core(name):
            modules[name] = path
    graph = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        graph[name] = {m for m in _imports(ast.parse(path.read_text()), package) if m in modules and m != name}
    return graph


def test_the_core_import_graph_has_no_cycle() -> None:
    graph = _core_graph()
    assert "sim.model" in graph and "sim.mechanisms.zakat" in graph
    # a package's __init__ re-exporting its modules is not a dependency of those modules on each other
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycle = [*stack[stack.index(nxt):], nxt]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)


def test_no_private_name_is_imported_across_core_modules() -> None:
    for path in SIM.rglob("*.py"):
        if not _in_core(_module_name(path)):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sim"):
                private = [a.name for a in node.names if a.name.startswith("_")]
                assert not private, f"{path.name} imports private {private} from {node.module}"
