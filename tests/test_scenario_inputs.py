"""Scenario files with a mistake the checks used to miss or report badly: `insim check` and `insim run`
exit with status 2 and one message naming the file where the bad value is written, its key and what is
allowed, with no traceback and nothing written.

Each case goes through the real entry point ``sim.cli.main``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from sim import cli
from sim.scenario import SCENARIOS

BASELINE = SCENARIOS / "baseline.toml"
MAP = SCENARIOS / "maps" / "nes.toml"
HEAD = f'extends = "{BASELINE}"\ninherit_events = false\n'


def event(kind: str, date: str, *lines: str) -> str:
    """One [[events]] table."""
    return "\n".join(["[[events]]", f'kind = "{kind}"', f"date = {date}", *lines, ""])


@dataclass(frozen=True)
class Case:
    """Files to write (name -> text), the one to check, and what the message must and must not hold."""

    files: dict[str, str]
    words: tuple[str, ...]  # the file where the bad value is written, its key, and what is allowed
    absent: tuple[str, ...] = ()  # what the old message showed wrongly


# a parent file with a bad district, extended by a child with events of its own: the error is the parent's
PARENT = HEAD + event("amnesty", '"+1 months"') + event("coalition_withdrawal", '"+2 months"',
                                                         'districts = ["raqqa", "atlantis"]')
CHILD = 'extends = "parent.toml"\n' + event("amnesty", '"+1 days"') + event("amnesty", '"+3 days"')
CASES: dict[str, Case] = {
    # 1. a coalition district is named by the file and the index where it is written
    "coalition_district_in_the_extended_file": Case(
        {"parent.toml": PARENT, "main.toml": CHILD},
        ("parent.toml: events[1].districts", "unknown district 'atlantis'", "al_karama"), ("main.toml",)),
    "coalition_district_index_in_the_file_not_in_date_order": Case(
        {"main.toml": HEAD + event("amnesty", "2021-06-01") + event("coalition_return", "2020-01-01",
                                                                    'districts = ["raqqa", "hajinn"]')},
        ("main.toml: events[1].districts", "unknown district 'hajinn'", "did you mean 'hajin'")),
    # 2. accepted silently before
    "prison_window_closes_before_it_opens": Case(
        {"main.toml": HEAD + event("prison_attack_window", "2021-03-01", "window_closes = 2021-01-01")},
        ("main.toml: events[0].window_closes", "2021-01-01 is before the window opens", "on or after 2021-03-01")),
    "empty_district_list": Case(
        {"main.toml": HEAD + event("coalition_withdrawal", "2021-03-01", "districts = []")},
        ("main.toml: events[0].districts", "empty list", "raqqa", "leave districts out for every district")),
    "set_parameters_without_parameters": Case(
        {"main.toml": HEAD + event("set_parameters", "2021-03-01")},
        ("main.toml: events[0].parameters", "would change nothing", "at least one parameter")),
    # 3. a map is found from the folder of the file that names it: the error says both paths, in that file
    "unknown_map_named_in_the_extended_file": Case(
        {"parent.toml": HEAD + 'map = "maps/nowhere.toml"\n', "main.toml": 'extends = "parent.toml"\n'},
        ("parent.toml: map", "'maps/nowhere.toml' not found", "{tmp}/maps/nowhere.toml",
         "relative to the folder of the scenario file"), ("main.toml",)),
    # 4. values shown as written, kinds in plain words
    "date_shown_as_written": Case(
        {"main.toml": HEAD + "[parameters]\nzakat_min_usd = 2021-03-01\n"},
        ("main.toml: parameters.zakat_min_usd", "2021-03-01 is a date", "a number from 0 to"), ("datetime",)),
    "event_without_kind": Case(
        {"main.toml": HEAD + "[[events]]\ndate = 2021-03-01\n"},
        ("main.toml: events[0].kind", "missing", "amnesty, prison_attack"), ("None",)),
    "text_for_a_whole_number": Case(
        {"main.toml": HEAD + 'months = "12"\n'},
        ("main.toml: months", "'12' is text", "a whole number from 1 to 600"), ("valid integer",)),
    "text_for_a_district_list": Case(
        {"main.toml": HEAD + event("coalition_withdrawal", "2021-03-01", 'districts = "raqqa"')},
        ("main.toml: events[0].districts", "'raqqa' is text", "a list of text values"), ("list[", "None")),
    "text_for_a_date": Case(
        {"main.toml": HEAD + event("prison_attack_window", "2021-03-01", 'window_closes = "soon"')},
        ("main.toml: events[0].window_closes", "'soon' is text", "a date like 2021-03-01"), ("YYYY",)),
    "text_for_a_map_number": Case(
        {"map.toml": MAP.read_text().replace("km_per_cell = 5.0", 'km_per_cell = "5"'),
         "main.toml": HEAD + 'map = "map.toml"\n'},
        ("map.toml: km_per_cell", "'5' is text", "a positive number of km"), ("(str)",)),
}


@pytest.mark.parametrize("command", ["check", "run"])
@pytest.mark.parametrize("case", list(CASES))
def test_a_bad_scenario_is_a_clear_error_naming_the_file_and_key(case: str, command: str, tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture) -> None:
    for name, text in CASES[case].files.items():
        (tmp_path / name).write_text(text)
    before = set(tmp_path.rglob("*"))
    out = ["--out", str(tmp_path / "out")] if command == "run" else []
    assert cli.main([command, str(tmp_path / "main.toml"), *out]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("\n") == 1, err
    for word in CASES[case].words:
        assert word.replace("{tmp}", str(tmp_path)) in err, (word, err)
    for word in CASES[case].absent:
        assert word not in err, (word, err)
    assert set(tmp_path.rglob("*")) == before  # nothing written

