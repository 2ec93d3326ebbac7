"""What a careless or hostile user might type: every case exits with status 2 and one message that
names the file and the key (and what is allowed), prints no traceback, and writes nothing.

Each case goes through the real entry point ``sim.cli.main``; a few also through ``python -m sim``.
The counts in docs/reliability.md are the number of cases here.
"""

from __future__ import annotations

import io
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

import sim.geography
import sim.tomlfile
from sim import cli
from sim.scenario import SCENARIOS

ROOT = Path(__file__).resolve().parents[1]
BASELINE = SCENARIOS / "baseline.toml"
MAP = SCENARIOS / "maps" / "nes.toml"
DHIBAN = 'name = "Dhiban"\nx = 35\ny = 37\nkind = "town"\npopulation = 20000\nmarket = 5\noil = true\n'


@dataclass(frozen=True)
class Case:
    """A bad input: how to make it, and the words its message must hold."""

    make: Callable[[Path], tuple[list[str], str | None]]  # folder -> (arguments, file name to name)
    words: tuple[str, ...]  # the key (and other words) the message must hold


def scenario(folder: Path, body: str, name: str = "bad", map_path: str | Path = MAP, head: str = "") -> Path:
    """A scenario file extending the shipped baseline (without its events) with ``body``."""
    path = folder / f"{name}.toml"
    path.write_text(f'{head}extends = "{BASELINE}"\ninherit_events = false\nmap = "{map_path}"\n{body}')
    return path


def checked(body: str, *words: str, command: str = "check", extra: tuple[str, ...] = ()) -> Case:
    """A bad scenario body, given to ``command`` (check, run or batch)."""
    def make(folder: Path) -> tuple[list[str], str | None]:
        file = scenario(folder, body)
        return [command, str(file), *_out(command, folder), *extra], file.name
    return Case(make, words)


def raw_file(content: bytes | str, *words: str, name: str = "raw.toml") -> Case:
    """A scenario file with exactly ``content``."""
    def make(folder: Path) -> tuple[list[str], str | None]:
        path = folder / name
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        return ["run", str(path), *_out("run", folder)], path.name
    return Case(make, words)


def bad_map(old: str, new: str, *words: str, count: int = 1) -> Case:
    """The shipped map with one defect (``old`` replaced by ``new``), checked through a scenario."""
    def make(folder: Path) -> tuple[list[str], str | None]:
        text = MAP.read_text()
        assert old in text, old
        (folder / "map.toml").write_text(text.replace(old, new, count))
        file = scenario(folder, "", map_path=folder / "map.toml")
        return ["check", str(file)], "map.toml"
    return Case(make, words)


def command(args: list[str], *words: str, file: str | None = None) -> Case:
    """A command line with bad options (``{out}`` is replaced by an output folder)."""
    def make(folder: Path) -> tuple[list[str], str | None]:
        out = str(folder / "out")
        return [a.replace("{out}", out).replace("{tmp}", str(folder)) for a in args], file
    return Case(make, words)


def _out(cmd: str, folder: Path) -> list[str]:
    if cmd == "batch":
        return ["--reps", "1", "--workers", "1", "--out", str(folder / "out"), "--no-plots", "--quiet"]
    return ["--out", str(folder / "out")] if cmd == "run" else []


def extends_chain(n: int) -> Case:
    def make(folder: Path) -> tuple[list[str], str | None]:
        (folder / "f0.toml").write_text(f'extends = "{BASELINE}"\ninherit_events = false\n')
        for i in range(1, n):
            (folder / f"f{i}.toml").write_text(f'extends = "f{i - 1}.toml"\n')
        return ["run", str(folder / f"f{n - 1}.toml"), *_out("run", folder)], f"f{n - 1}.toml"
    return Case(make, ("extends", f"{sim.scenario.MAX_EXTENDS}"))


def inherited_event() -> Case:
    """A bad event in the file a scenario extends is named by that file and its index there."""
    def make(folder: Path) -> tuple[list[str], str | None]:
        parent = scenario(folder, '[[events]]\nkind = "amnesty"\ndate = "+1 months"\n[[events]]\nkind = "amnesty"'
                                  '\ndate = "+3 months"\nreleased = -5\n', name="parent")
        child = folder / "child.toml"
        child.write_text('extends = "parent.toml"\nmonths = 6\n[[events]]\nkind = "amnesty"\ndate = "+2 months"\n')
        return ["check", str(child)], parent.name
    return Case(make, ("parent.toml: events[1].released", "greater than or equal to 0"))


def cycle() -> Case:
    def make(folder: Path) -> tuple[list[str], str | None]:
        (folder / "b.toml").write_text('extends = "a.toml"\n')
        (folder / "a.toml").write_text('extends = "b.toml"\n')
        return ["check", str(folder / "a.toml")], "a.toml"
    return Case(make, ("extends", "cycle"))


DEEP = 2000
MALFORMED = '{"format": "insim-batch/1", "runs": [], "files": [1]}'
CASES: dict[str, Case] = {
    # ------------------------------------------------------------------ scenario parameters
    "unknown_parameter": checked("[parameters]\nzakat_min_usdd = 5\n", "parameters.zakat_min_usdd", "did you mean"),
    "text_for_number": checked('[parameters]\nzakat_min_usd = "lots"\n', "parameters.zakat_min_usd", "0 to 100000"),
    "quoted_number": checked('[parameters]\nzakat_min_usd = "500"\n', "parameters.zakat_min_usd", "'500'"),
    "bool_for_number": checked("[parameters]\nzakat_min_usd = true\n", "parameters.zakat_min_usd", "true is"),
    "number_for_bool": checked("[parameters]\nzakat_enabled = 1\n", "parameters.zakat_enabled", "true or false"),
    "text_for_date": checked('[parameters]\nrepentance_start = "soon"\n', "parameters.repentance_start"),
    "below_range": checked("[parameters]\nzakat_min_usd = -5\n", "parameters.zakat_min_usd", "from 0 to 100000"),
    "above_range": checked("[parameters]\nkilling_prob = 1.5\n", "parameters.killing_prob", "from 0 to 1"),
    "nan_parameter": checked("[parameters]\nkilling_prob = nan\n", "parameters.killing_prob"),
    "inf_parameter": checked("[parameters]\nzakat_max_usd = inf\n", "parameters.zakat_max_usd", "1000000"),
    "zakat_min_above_max": checked("[parameters]\nzakat_min_usd = 5000\nzakat_max_usd = 2000\n",
                                   "parameters.zakat_min_usd", "above zakat_max_usd"),
    "zakat_min_above_default_max": checked("[parameters]\nzakat_min_usd = 50000\n", "parameters.zakat_min_usd",
                                           "above zakat_max_usd = 10000"),
    "unit_larger_than_force": checked("[parameters]\nsdf_unit_size = 500\nsdf_fighters_region = 300\n",
                                      "parameters.sdf_unit_size", "above sdf_fighters_region = 300"),
    "table_for_number": checked("[parameters]\nzakat_min_usd = { a = 1 }\n", "parameters.zakat_min_usd"),
    "run_command_checks_too": checked("[parameters]\nkilling_prob = 2\n", "parameters.killing_prob",
                                      command="run"),
    "batch_command_checks_too": checked("[parameters]\nkilling_prob = 2\n", "parameters.killing_prob",
                                        command="batch"),
    # ------------------------------------------------------------------ scenario top level
    "unknown_top_key": checked("monthz = 5\n", "monthz", "did you mean 'months'"),
    "months_zero": checked("months = 0\n", "months", "from 1 to 600"),
    "months_huge": checked("months = 100000000\n", "months", "from 1 to 600"),
    "months_bool": checked("months = true\n", "months"),
    "months_text": checked('months = "12"\n', "months"),
    "months_float": checked("months = 12.5\n", "months"),
    "seed_negative": checked("seed = -1\n", "seed", "from 0 to"),
    "seed_float": checked("seed = 1.5\n", "seed"),
    "start_year_9999": checked("start = 9999-12-01\n", "start", "2200-12-31"),
    "start_year_1000": checked("start = 1000-01-01\n", "start", "1900-01-01"),
    "start_datetime_text": checked('start = "next spring"\n', "start"),
    "inherit_events_text": raw_file(f'extends = "{BASELINE}"\ninherit_events = "no"\n', "inherit_events"),
    "missing_map": Case(
        lambda f: (["check", str(scenario(f, "", map_path="maps/nowhere.toml"))], "bad.toml"), ("map", "not found")),
    # ------------------------------------------------------------------ events
    "event_unknown_kind": checked('[[events]]\nkind = "alien_invasion"\ndate = "+1 months"\n',
                                  "events[0].kind", "unknown event kind"),
    "event_kind_list": checked('[[events]]\nkind = ["amnesty"]\ndate = "+1 months"\n', "events[0].kind",
                               "unknown event kind"),
    "event_no_kind": checked('[[events]]\ndate = "+1 months"\n', "events[0].kind"),
    "event_no_date": checked('[[events]]\nkind = "amnesty"\n', "events[0].date", "missing"),
    "event_bad_date": checked('[[events]]\nkind = "amnesty"\ndate = "someday"\n', "events[0].date", "not a date"),
    "event_outside_run": checked('months = 6\n[[events]]\nkind = "amnesty"\ndate = 2030-01-01\n',
                                 "events[0].date", "outside the run", "2019-04-01 to"),
    "event_huge_day_offset": checked('[[events]]\nkind = "amnesty"\ndate = "+99999999999 days"\n',
                                     "events[0].date", "outside the run"),
    "event_huge_year_offset": checked('[[events]]\nkind = "amnesty"\ndate = "+999999999999 years"\n',
                                      "events[0].date", "outside the run"),
    "event_quoted_number": checked('[[events]]\nkind = "amnesty"\ndate = "+1 months"\nreleased = "500"\n',
                                   "events[0].released", "from 0 to 100000"),
    "event_bool_number": checked('[[events]]\nkind = "amnesty"\ndate = "+1 months"\nreleased = true\n',
                                 "events[0].released"),
    "event_share_range": checked('[[events]]\nkind = "sdf_attention_north"\ndate = "+1 months"\nshare = 3\n',
                                 "events[0].share", "from 0.0 to 1.0"),
    "event_unknown_argument": checked('[[events]]\nkind = "amnesty"\ndate = "+1 months"\nfreed = 3\n',
                                      "events[0].freed", "unknown key"),
    "event_unknown_district": checked('[[events]]\nkind = "elite_bargain"\ndate = "+1 months"\ndistrict = "atlantis"\n',
                                      "events[0].district", "unknown district"),
    "event_set_bad_parameter": checked('[[events]]\nkind = "set_parameters"\ndate = "+1 months"\n'
                                       '[events.parameters]\nzakat_min_usd = 20000\n',
                                       "events[0].parameters.zakat_min_usd", "above zakat_max_usd"),
    "event_set_lax_parameter": checked('[[events]]\nkind = "set_parameters"\ndate = "+1 months"\n'
                                       '[events.parameters]\nkilling_prob = "0.5"\n',
                                       "events[0].parameters.killing_prob"),
    "event_not_a_table": checked("events = [1, 2]\n", "events"),
    "inherited_event_names_its_file": inherited_event(),
    # ------------------------------------------------------------------ files
    "not_utf8": raw_file(b'name = "caf\xe9"\n', "not UTF-8"),
    "not_toml": raw_file("name = \n", "not valid TOML"),
    "deeply_nested_array": raw_file("x = " + "[" * DEEP + "]" * DEEP + "\n", "nested too deeply"),
    "deeply_nested_table": raw_file("x = " + "{a=" * DEEP + "1" + "}" * DEEP + "\n", "nested too deeply"),
    "nested_parameters": raw_file(f'extends = "{BASELINE}"\n[parameters]\nzakat_min_usd = ' + "[" * 200 + "]" * 200
                                  + "\n", "parameters.zakat_min_usd"),
    "extends_cycle": cycle(),
    "extends_chain_too_long": extends_chain(60),
    "extends_missing": Case(
        lambda f: (["check", str(_write(f / "x.toml", 'extends = "nothing.toml"\n'))], "x.toml"),
        ("extends", "not found")),
    "file_missing": command(["run", "{tmp}/nothing_here.toml"], "no such scenario file", file="nothing_here.toml"),
    "folder_as_file": command(["check", "{tmp}"], "no such scenario file"),
    "unknown_scenario_name": command(["run", "baselin"], "did you mean 'baseline'", file="baselin"),
    # ------------------------------------------------------------------ command line
    "seed_negative_option": command(["run", "baseline", "--seed", "-3", "--out", "{out}"], "--seed", "0 to 9223"),
    "seed_text_option": command(["run", "baseline", "--seed", "abc", "--out", "{out}"], "--seed", "whole number"),
    "seed_float_option": command(["batch", "baseline", "--reps", "1", "--seed", "1.5", "--out", "{out}"], "--seed"),
    "set_no_equals": command(["run", "baseline", "--set", "months", "--out", "{out}"], "--set", "key=value"),
    "set_twice": command(["run", "baseline", "--set", "months=2", "--set", "months=3", "--out", "{out}"],
                         "--set months", "given twice"),
    "set_unknown": command(["run", "baseline", "--set", "zakat_min_usdd=5", "--out", "{out}"], "zakat_min_usdd"),
    "set_bool_for_number": command(["run", "baseline", "--set", "zakat_min_usd=true", "--out", "{out}"],
                                   "--set zakat_min_usd"),
    "set_months_zero": command(["run", "baseline", "--set", "months=0", "--out", "{out}"], "months", "from 1 to 600"),
    "set_start_9999": command(["run", "baseline", "--set", "start=9999-01-01", "--out", "{out}"], "start"),
    "set_zakat_inverted": command(["run", "baseline", "--set", "zakat_max_usd=500", "--out", "{out}"],
                                  "--set zakat_max_usd", "above zakat_max_usd"),
    "sweep_twice": command(["batch", "baseline", "--reps", "1", "--sweep", "killing_prob=0.1,0.2", "--sweep",
                            "killing_prob=0.3", "--out", "{out}"], "--sweep killing_prob", "given twice"),
    "sweep_repeated_value": command(["batch", "baseline", "--reps", "1", "--sweep", "killing_prob=0.1,0.1",
                                     "--out", "{out}"], "sweep.killing_prob", "listed twice"),
    "sweep_and_set": command(["batch", "baseline", "--reps", "1", "--sweep", "killing_prob=0.1,0.2", "--set",
                              "killing_prob=0.3", "--out", "{out}"], "sweep.killing_prob", "not both"),
    "sweep_seed": command(["batch", "baseline", "--reps", "1", "--sweep", "seed=1,2", "--out", "{out}"],
                          "sweep.seed", "root seed"),
    "sweep_bad_value": command(["batch", "baseline", "--reps", "1", "--sweep", "killing_prob=0.1,7",
                                "--out", "{out}"], "--sweep killing_prob", "from 0 to 1"),
    "reps_zero": command(["batch", "baseline", "--reps", "0", "--out", "{out}"], "--reps"),
    "reps_text": command(["batch", "baseline", "--reps", "many", "--out", "{out}"], "--reps"),
    "workers_zero": command(["batch", "baseline", "--reps", "1", "--workers", "0", "--out", "{out}"], "--workers"),
    "workers_thousands": command(["batch", "baseline", "--reps", "1", "--workers", "5000", "--out", "{out}"],
                                 "workers", "4 per CPU"),
    "viz_port_out_of_range": command(["viz", "baseline", "--port", "70000"], "--port", "1 to 65535"),
    "viz_host_and_bad_scenario": command(["viz", "baselin", "--host", "0.0.0.0"], "did you mean 'baseline'"),
    "manifest_files_malformed": Case(lambda f: (["compare", str(_write(f / "manifest.json", MALFORMED).parent)],
                                                "manifest.json"), ("files", "malformed")),
    "scenario_file_too_large": raw_file("# " + "x" * 1_100_000 + "\n", "too large for a scenario file"),
    "set_extends": command(["run", "baseline", "--set", "extends=other.toml", "--out", "{out}"], "--set extends",
                           "only be set in the scenario file"),
    "set_inherit_events": command(["run", "baseline", "--set", "inherit_events=false", "--out", "{out}"],
                                  "inherit_events", "only be set in the scenario file"),
    "seed_too_large_option": command(["run", "baseline", "--seed", "99999999999999999999999", "--out", "{out}"],
                                     "--seed", "0 to 9223372036854775807"),
    "sweep_empty_value": command(["batch", "baseline", "--reps", "1", "--sweep", "killing_prob=0.1,,0.2",
                                  "--out", "{out}"], "--sweep killing_prob", "an empty value"),
    "viz_bad_scenario_file": Case(lambda f: (["viz", str(_write(f / "v.toml", "months = 0\n"))], "v.toml"),
                                  ("months", "from 1 to 600")),
    "bad_dates": command(["batch", "baseline", "--reps", "1", "--dates", "2020-13-01", "--out", "{out}"], "--dates"),
    "huge_batch_without_yes": command(["batch", "baseline", "--reps", "100", "--sweep",
                                       "killing_prob=" + ",".join(f"0.{i:02d}" for i in range(1, 100)),
                                       "--out", "{out}"], "--yes", "9,900 runs"),
    "dashboard_without_local_dask": command(["batch", "baseline", "--reps", "1", "--dask-dashboard", ":8787",
                                             "--out", "{out}"], "--dask-dashboard", "--dask local"),
    "out_is_a_file": Case(lambda f: (["run", "baseline", "--set", "months=1", "--out",
                                      str(_write(f / "taken.txt", "x"))], "taken.txt"), ("is a file",)),
    "compare_not_results": command(["compare", "{tmp}"], "manifest.json", "not an insim results folder"),
    "plot_no_folder": command(["plot", "{tmp}/nothing"], "no such results folder", file="nothing"),
    "compare_unknown_outcome": command(["compare", "{tmp}", "--outcomes", "kilings"], "--outcomes", "killings"),
    "unknown_command": command(["runn", "baseline"], "invalid choice"),
    # ------------------------------------------------------------------ maps (through `insim check`)
    "map_missing_district_name": bad_map('R = { name = "raqqa", ', "R = { ", "district_legend.R.name", "missing"),
    "map_empty_district_name": bad_map('name = "raqqa"', 'name = " "', "district_legend.R.name", "empty"),
    "map_duplicate_district_name": bad_map('name = "al_karama"', 'name = "raqqa"', "district_legend.A.name",
                                           "another district"),
    "map_unknown_zone": bad_map('zone = "karama_raqqa"', 'zone = "mars"', "district_legend.R.zone",
                                "unknown zone", "east_strip"),
    "map_missing_zone": bad_map(', zone = "karama_raqqa"', "", "district_legend.R.zone", "missing"),
    "map_unknown_holder": bad_map('holder = "sdf"', 'holder = "nato"', "district_legend.R.holder", "sdf, regime"),
    "map_district_unknown_key": bad_map('R = { name = "raqqa",', 'R = { colour = 1, name = "raqqa",',
                                        "district_legend.R.colour", "unknown key"),
    "map_unknown_governorate": bad_map('governorate = "raqqa" }', 'governorate = "texas" }',
                                       "district_legend.R.governorate", "unknown governorate", "deir_ez_zor"),
    "map_village_market": bad_map("village_market = 0.1", "village_market = 9", "village_market", "0 to 5"),
    "map_village_without_x": bad_map(DHIBAN, DHIBAN.replace("x = 35\n", ""), "places[", "Dhiban", ".x", "missing"),
    "map_x_float": bad_map("x = 35\n", "x = 35.5\n", "(Dhiban).x", "whole number"),
    "map_x_bool": bad_map("x = 35\n", "x = true\n", "(Dhiban).x"),
    "map_place_off_map": bad_map("x = 35\n", "x = 350\n", "(Dhiban)", "off the"),
    "map_population_zero": bad_map("population = 20000\nmarket = 5\noil = true\ntribe",
                                   "population = 0\nmarket = 5\noil = true\ntribe", "population", "not positive"),
    "map_population_negative": bad_map("population = 20000\n", "population = -20000\n", "population"),
    "map_population_text": bad_map("population = 20000\n", 'population = "many"\n', "population", "whole number"),
    "map_market_range": bad_map(DHIBAN, DHIBAN.replace("market = 5", "market = 50"), "(Dhiban).market", "0 to 5"),
    "map_oil_text": bad_map("oil = true\n", 'oil = "yes"\n', ".oil", "true or false"),
    "map_no_tribe": bad_map(DHIBAN + 'tribe = "deir_ez_zor"\n', DHIBAN, "(Dhiban).tribe", "missing"),
    "map_place_kind": bad_map('kind = "town"', 'kind = "castle"', ".kind", "city, town"),
    "map_place_unknown_key": bad_map(DHIBAN, DHIBAN + "colour = 3\n", "colour", "unknown key"),
    "map_place_no_name": bad_map('name = "Dhiban"\n', "", "places[", ".name", "missing"),
    "map_duplicate_place": bad_map('name = "Dhiban"\n', 'name = "Hajin"\n', "(Hajin).name", "also the name"),
    "map_place_on_steppe": bad_map("x = 35\ny = 37\n", "x = 0\ny = 0\n", "(Dhiban)", "steppe", "village, urban"),
    "map_unknown_terrain": bad_map('"~" = "river"', '"~" = "lava"', "terrain_legend.~", "unknown terrain"),
    "map_legend_two_chars": bad_map('"~" = "river"', '"~~" = "river"', "terrain_legend.~~", "one character"),
    "map_row_length": bad_map("terrain = '''\n", "terrain = '''\ns", "terrain row 1", "54 characters"),
    "map_unknown_grid_char": bad_map("terrain = '''\ns", "terrain = '''\nQ", "terrain row 0", "unknown characters"),
    "map_grid_sizes_differ": bad_map("districts = '''\n", "districts = '''\n" + "R" * 54 + "\n",
                                     "districts", "terrain grid's size"),
    "map_empty_grid": bad_map("terrain = '''\n", "terrain = ''''''\nold_terrain = '''\n", "old_terrain",
                              "unknown key"),
    "map_road_unknown_place": bad_map('["Raqqa", "Resafa"]', '["Raqqa", "Atlantis"]', "roads[", "Atlantis"),
    "map_road_one_place": bad_map('["Raqqa", "Resafa"]', '["Raqqa"]', "roads[", "at least two"),
    "map_km_zero": bad_map("km_per_cell = 5.0", "km_per_cell = 0", "km_per_cell", "positive"),
    "map_km_text": bad_map("km_per_cell = 5.0", 'km_per_cell = "5"', "km_per_cell", "wrong type"),
    "map_places_renamed": bad_map("[[places]]", "[[towns]]", "towns", "unknown key", count=-1),
    "map_unknown_key": bad_map("km_per_cell = 5.0", "km_per_cell = 5.0\nscale = 2", "scale", "unknown key"),
    "map_not_utf8": Case(lambda f: (["check", str(scenario(f, "", map_path=_write(f / "map.toml",
                                                                                  b"name = '\xff'\n")))],
                                    "map.toml"), ("not UTF-8",)),
    "map_not_toml": Case(lambda f: (["check", str(scenario(f, "", map_path=_write(f / "map.toml", "[[[")))],
                                    "map.toml"), ("not valid TOML",)),
}


def _write(path: Path, content: str | bytes) -> Path:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    return path


def _files(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*")}


def _assert_clear(code: int, err: str, file: str | None, words: tuple[str, ...]) -> None:
    assert code == 2, err
    assert "Traceback" not in err and err.strip(), err
    assert err.count("\n") <= 12, err  # one message (argparse adds its usage line)
    if file is not None:
        assert file in err, (file, err)
    for word in words:
        assert word in err, (word, err)


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_a_clear_error_and_writes_nothing(case: str, tmp_path: Path, capsys: pytest.CaptureFixture,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO())  # no terminal: a question must not wait
    args, file = CASES[case].make(tmp_path)
    before = _files(tmp_path)
    code = cli.main(args)
    _assert_clear(code, capsys.readouterr().err, file, CASES[case].words)
    assert _files(tmp_path) == before  # nothing written, not even an empty folder


def test_a_map_too_large_for_memory_is_refused_with_the_size_it_needs(tmp_path: Path, capsys: pytest.CaptureFixture,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    # a small limit stands in for a small machine: the shipped 54x53 map then needs too much
    monkeypatch.setattr(sim.geography, "memory_limit", lambda: 1_000_000)
    monkeypatch.setattr(sim.geography, "TEXT_COPIES", 1)  # let the small limit read the file
    assert cli.main(["check", str(scenario(tmp_path, ""))]) == 2
    err = capsys.readouterr().err
    _assert_clear(2, err, "nes.toml", ("terrain", f"54x53 map needs about {54 * 53 * 2048 / 2**20:.1f} MB",
                                          "2,862 cells", f"at most {1_000_000 // 2048} cells"))


def test_a_huge_map_file_is_refused_before_it_is_read(tmp_path: Path, capsys: pytest.CaptureFixture,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sim.geography, "memory_limit", lambda: 1_000_000)
    big = _write(tmp_path / "big.toml", "# " + "x" * 100_000 + "\n")
    loads = sim.tomlfile.tomllib.loads

    def small_only(text: str) -> dict:
        assert len(text) < 50_000, "read a map it should refuse"
        return loads(text)

    monkeypatch.setattr(sim.tomlfile.tomllib, "loads", small_only)
    assert cli.main(["check", str(scenario(tmp_path, "", map_path=big))]) == 2
    _assert_clear(2, capsys.readouterr().err, "big.toml", ("is 97.7 kB", "needs about 1.5 MB", "under 61.0 kB"))


@pytest.mark.parametrize("error", [PermissionError(13, "Permission denied"), OSError(28, "No space left on device")])
def test_an_unwritable_output_folder_is_a_clear_error_with_nothing_half_written(
        error: OSError, tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    # we run as root, which ignores chmod: a failing write stands in for a read-only or full disk
    real = Path.write_text

    def failing(self: Path, *args: object, **kwargs: object) -> int:
        if self.parent.name == "out":
            raise error
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", failing)
    out = tmp_path / "out"
    assert cli.main(["run", "baseline", "--set", "months=1", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    _assert_clear(2, err, str(out), ("cannot write there", error.strerror))
    assert not [p for p in out.iterdir() if p.name != ".insim-write-test"] if out.exists() else True


def test_a_disk_that_fills_during_the_outputs_leaves_no_half_file(tmp_path: Path, capsys: pytest.CaptureFixture,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import pandas as pd

    def full(self: pd.DataFrame, path: object, *args: object, **kwargs: object) -> None:
        Path(str(path)).write_text("half a tab")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", full)
    out = tmp_path / "out"
    assert cli.main(["run", "baseline", "--set", "months=1", "--out", str(out)]) == 2
    _assert_clear(2, capsys.readouterr().err, str(out), ("No space left on device",))
    # `run --out` is a one-run batch: the run and the tables written before the disk filled stay
    # (--resume finishes it); no half-written file is left, under its name or as a temp file
    left = [p for p in out.rglob("*") if p.is_file()]
    assert not [p for p in left if p.name.startswith(".tmp-") or p.read_bytes() == b"half a tab"]


@pytest.mark.parametrize("case", ["zakat_min_above_max", "seed_negative_option", "map_unknown_zone"])
def test_bad_input_through_python_dash_m(case: str, tmp_path: Path) -> None:
    args, file = CASES[case].make(tmp_path)
    before = _files(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "sim", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, stdin=subprocess.DEVNULL)
    _assert_clear(proc.returncode, proc.stderr, file, CASES[case].words)
    assert _files(tmp_path) == before


def test_importing_the_command_module_runs_nothing(capsys: pytest.CaptureFixture) -> None:
    import importlib

    import sim.__main__

    importlib.reload(sim.__main__)
    assert capsys.readouterr() == ("", "")


def test_viz_on_all_interfaces_warns_that_it_is_reachable_from_the_network() -> None:
    from sim.viz.command import exposure_warning

    assert "reachable from every network" in exposure_warning("0.0.0.0")
    assert "192.168.1.5" in exposure_warning("192.168.1.5")
    assert exposure_warning("127.0.0.1") == exposure_warning("localhost") == ""


@pytest.mark.parametrize("seed", [-1, 1.5, True, "3", 2**64])
def test_a_bad_seed_from_python_is_a_clear_error(seed: object) -> None:
    import sim

    with pytest.raises(sim.InputError, match="seed") as err:
        sim.run("baseline", seed=seed, months=1)
    assert "from 0 to" in str(err.value)


def test_numpy_integer_seeds_work_from_python() -> None:
    import numpy as np

    import sim

    a = sim.run("baseline", seed=np.int64(3), months=1).monthly_frame()
    b = sim.run("baseline", seed=3, months=1).monthly_frame()
    assert a.equals(b)


def test_an_unreadable_scenario_file_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # we run as root, which ignores chmod 000: a failing read stands in for it
    file = scenario(tmp_path, "")
    real = Path.read_text

    def denied(self: Path, *args: object, **kwargs: object) -> str:
        if self == file:
            raise PermissionError(13, "Permission denied")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", denied)
    assert cli.main(["check", str(file)]) == 2
    _assert_clear(2, capsys.readouterr().err, "bad.toml", ("cannot be read: Permission denied",))


def _locked_folders(monkeypatch: pytest.MonkeyPatch) -> None:
    """Writing into any folder named ``locked`` fails (we run as root, which ignores chmod)."""
    real = Path.write_text

    def failing(self: Path, *args: object, **kwargs: object) -> int:
        if self.parent.name == "locked":
            raise PermissionError(13, "Permission denied")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", failing)


@pytest.mark.parametrize("command", ["validate", "hindcast"])
def test_a_json_file_that_cannot_be_written_is_refused_before_the_runs(
        command: str, tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    """``--json`` into a folder that cannot be written, or onto a folder, was found only when the results
    were written after every run (a traceback, the work lost); now exit 2 before anything runs."""
    (tmp_path / "locked").mkdir()
    (tmp_path / "a_folder.json").mkdir()
    args = {"validate": ["validate", "--facts", "F1a", "--reps", "1", "--months", "40", "--quiet"],
            "hindcast": ["hindcast", "history", "--reps", "1", "--quiet"]}[command]
    _locked_folders(monkeypatch)
    for target, words in ((tmp_path / "locked" / "out.json", ("cannot write there", "Permission denied")),
                          (tmp_path / "a_folder.json", ("is a folder",))):
        out = tmp_path / f"out_{target.stem}"
        assert cli.main([*args, "--json", str(target), "--out", str(out)]) == 2
        _assert_clear(2, capsys.readouterr().err, str(target if target.is_dir() else target.parent),
                      ("--json", *words))
        assert not (out / "runs").exists()


def test_compare_refuses_a_json_file_it_cannot_write(tmp_path: Path, capsys: pytest.CaptureFixture,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    results = tmp_path / "results"
    assert cli.main(["run", "baseline", "--set", "months=1", "--out", str(results)]) == 0
    (tmp_path / "locked").mkdir()
    capsys.readouterr()
    _locked_folders(monkeypatch)
    assert cli.main(["compare", str(results), "--json", str(tmp_path / "locked" / "c.json")]) == 2
    _assert_clear(2, capsys.readouterr().err, str(tmp_path / "locked"), ("--json", "cannot write there"))
