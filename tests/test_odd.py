"""docs/ODD.md must describe the model as the code has it.

Every parameter of ``seeds/parameters.toml``, every mechanism module in ``sim/mechanisms/`` and
every scenario event kind must appear in backticks, and the parameter table (between the
``<!-- parameters:begin -->`` and ``<!-- parameters:end -->`` markers) must be exactly what
:func:`parameter_table_markdown` generates from the seeds. After changing the seeds, regenerate
the table with ``.venv/bin/python tests/test_odd.py``.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

ODD = Path(__file__).resolve().parents[1] / "docs" / "ODD.md"
BEGIN, END = "<!-- parameters:begin -->", "<!-- parameters:end -->"


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def parameter_table_markdown() -> str:
    """The parameter section of the ODD, generated from the seeds (one table per group)."""
    from sim.sources import load_facts, load_parameter_specs

    facts = load_facts()
    lines: list[str] = []
    group = None
    for spec in load_parameter_specs().values():
        if spec.group != group:
            group = spec.group
            lines += ["", f"#### `{group}`", "", "| parameter | default | range | unit | basis | meaning |",
                      "|---|---|---|---|---|---|"]
        if spec.is_assumption:
            basis = "assumption: " + spec.assumption
        else:
            basis = "; ".join(f"{facts[f].source} {facts[f].where}" for f in spec.facts)
            basis += f" ({', '.join(spec.facts)})"
        rng = "" if spec.minimum is None and spec.maximum is None else f"{_cell(spec.minimum)} to {_cell(spec.maximum)}"
        row = [f"`{spec.name}`", _cell(spec.value), rng, spec.unit, basis, spec.description]
        lines.append("| " + " | ".join(c.replace("|", "/") for c in row) + " |")
    return "\n".join(lines).strip() + "\n"


def _section(text: str) -> str:
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    return text[start:end].strip() + "\n"


def _backticked(text: str) -> set[str]:
    return set(re.findall(r"`([^`\s]+)`", text))


def test_every_parameter_is_described():
    from sim.sources import load_parameter_specs

    named = _backticked(ODD.read_text())
    missing = [p for p in load_parameter_specs() if p not in named]
    assert not missing, f"parameters not in docs/ODD.md: {missing}"


def test_every_mechanism_module_is_described():
    mechanisms = Path(__file__).resolve().parents[1] / "sim" / "mechanisms"
    modules = sorted(p.stem for p in mechanisms.glob("*.py") if p.stem not in ("__init__", "base"))
    text = ODD.read_text()
    # outside the generated parameter table, so a module is described and not just a group heading
    prose = text[: text.index(BEGIN)] + text[text.index(END):]
    missing = [m for m in modules if m not in _backticked(prose)]
    assert not missing, f"mechanism modules not described in docs/ODD.md: {missing}"


def test_every_event_kind_is_described():
    from sim.events import EVENT_KINDS

    named = _backticked(ODD.read_text())
    missing = [k for k in EVENT_KINDS if k not in named]
    assert not missing, f"event kinds not in docs/ODD.md: {missing}"


def test_parameter_table_matches_the_seeds():
    assert _section(ODD.read_text()) == parameter_table_markdown(), (
        "docs/ODD.md's parameter table is out of date: run .venv/bin/python tests/test_odd.py")


def test_outcomes_are_described():
    from sim.outcomes import OUTCOMES

    named = _backticked(ODD.read_text())
    missing = [o for o in OUTCOMES if o not in named]
    assert not missing, f"outcomes not in docs/ODD.md: {missing}"


if __name__ == "__main__":  # regenerate the table in place
    import sys

    sys.path.insert(0, str(ODD.parents[1]))
    text = ODD.read_text()
    head, tail = text[: text.index(BEGIN) + len(BEGIN)], text[text.index(END):]
    ODD.write_text(head + "\n\n" + parameter_table_markdown() + "\n" + tail)
    print(f"wrote the parameter table into {ODD}")
