"""Smoke test of benchmarks/bench.py: tiny sizes, one repetition; no timing assertions."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from benchmarks import bench


def test_bench_quick_writes_figures(tmp_path: Path) -> None:
    """A one-month run at 1x and 2x plus a short Epstein run give positive figures in the JSON."""
    out = tmp_path / "r.json"
    r = bench.run(quick=True, reps=1, factors=(1, 2), months=1, out=out)
    assert out.is_file()
    for key in ("default_run_s", "ours_updates_per_s", "epstein_updates_per_s", "ratio"):
        assert r[key] > 0
    assert r["warm"]["default_run_s"] > 0 and r["warm"]["ratio"] > 0  # a run after a first one in its process
    for s in r["scales"].values():
        assert s["updates_per_s"] > 0 and s["maxrss_mib"] > 0 and s["agents_start"] > 0
    assert set(r["cost_split"]) >= {"fixed_ms_per_day", "us_per_update", "fixed_share", "replicate_floor_s"}


def _scale(updates_a_day: float, days: float, fixed_s: float, per_update_s: float) -> dict[str, float]:
    return {"updates": updates_a_day * days, "days": days, "init_s": 0.05,
            "run_s": days * (fixed_s + per_update_s * updates_a_day)}


def test_cost_split_recovers_a_known_fixed_and_per_update_cost() -> None:
    """Runs made of 0.4 ms a day plus 0.1 us per agent-update on three maps give those two costs back,
    and the floor of a replicate axis is the build plus the per-update part alone."""
    scales = {str(f): _scale(1000.0 * f, 1826.0 if f < 10 else 365.0, 4e-4, 1e-7) for f in (1, 3, 10)}
    c = bench.cost_split(scales)
    assert abs(c["fixed_ms_per_day"] - 0.4) < 1e-9 and abs(c["us_per_update"] - 0.1) < 1e-9
    assert abs(c["fixed_share"] - 0.4 / 0.5) < 1e-9
    assert abs(c["replicate_floor_s"] - (0.05 + 1826 * 1e-7 * 1000)) < 1e-9
    assert abs(c["replicate_floor_ratio"] - (0.05 + 1826 * 5e-4) / c["replicate_floor_s"]) < 1e-9


def test_cost_split_is_the_first_maps_local_slope() -> None:
    """A large map whose updates cost more (its arrays leave the caches) does not tilt the split: it is
    fitted on the two smallest maps, named in ``fitted_on``, whatever order the maps come in."""
    scales = {"100": _scale(100_000.0, 365.0, 4e-4, 3e-7),
              "1": _scale(1000.0, 1826.0, 4e-4, 1e-7), "10": _scale(10_000.0, 1826.0, 4e-4, 1e-7)}
    c = bench.cost_split(scales)
    assert c["fitted_on"] == ["1", "10"]
    assert abs(c["fixed_ms_per_day"] - 0.4) < 1e-9 and abs(c["us_per_update"] - 0.1) < 1e-9
    assert abs(c["replicate_floor_s"] - (0.05 + 1826 * 1e-7 * 1000)) < 1e-9


def test_cost_split_needs_two_map_sizes() -> None:
    """One map size (or two of the same size) cannot split a day's cost: a clear error, not a made-up line."""
    one = {"1": _scale(1000.0, 100.0, 4e-4, 1e-7)}
    with pytest.raises(ValueError, match="two map sizes"):
        bench.cost_split(one)
    with pytest.raises(ValueError, match="two map sizes"):
        bench.cost_split({**one, "1b": _scale(1000.0, 50.0, 4e-4, 1e-7)})


def test_calibration_busy_prints_and_writes_figures(tmp_path: Path) -> None:
    """A one-generation calibration of 4 particles in-process and one posterior draw give sane figures."""
    import json
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    out = tmp_path / "busy.json"
    proc = subprocess.run([sys.executable, "benchmarks/calibration_busy.py", "--population", "4", "--generations", "1",
                           "--workers", "1", "--draws", "1", "--json", str(out)],
                          cwd=root, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    r = json.loads(out.read_text())
    manifest = json.loads((root / "calib" / "default" / "manifest.json").read_text())
    assert r["runs"] >= 4 and 0 < r["busy_share"] <= 1.0 and r["cpu_per_run_s"] > 0
    assert r["posterior"]["cpu_per_run_s"] > 0
    assert r["posterior"]["recorded_runs"] == (manifest["history_matching"]["runs"]
                                               + sum(g["runs"] for g in manifest["generations"])
                                               + manifest["settings"]["posterior_predictive_runs"])
    assert "busy share" in proc.stdout and "expected" in proc.stdout


def test_day_calls_records_a_days_kernels_and_puts_them_back() -> None:
    """benchmarks/day_calls.py records the kernels a day's hooks call, in order, restores them, and writes a
    module that calls each with its own arguments (compiled only by the benchmark itself)."""
    from numba.core.registry import CPUDispatcher

    from benchmarks import day_calls
    from sim import night_acts

    model, calls = day_calls.day_calls(3)
    names = [name for name, _, _ in calls]
    # the night first (the day's acts may be done in the night's call, days_in_a_row)
    night = min(names.index(name) for name in ("sim.night_acts.moves_and_acts", "sim.night_acts.days_in_a_row")
                if name in names)
    assert all(k > night for k, name in enumerate(names) if name == "sim.day_acts.day_acts")
    assert model.steps == 4 and all(isinstance(kernel, CPUDispatcher) for _, kernel, _ in calls)
    assert isinstance(night_acts.moves_and_acts, CPUDispatcher)  # the recorders are gone
    text = day_calls.module_text(names)
    compile(text, "one_day.py", "exec")
    assert text.count("(*a") == len(calls) and "def nothing(a0, a1, " in text


@pytest.mark.parametrize(("what", "expected"), [
    # (the days' acts are done in the nights' kernel calls: DayActs.fused and day_acts are rarely called from Python)
    ("hooks", ("NightActs.whole_night", "NightActs.fused", "Recorder.close_month", "Recruitment.month_end")),
    ("kernels", ("days_in_a_row", "night_acts", "sites_by_holder"))])
def test_day_costs_lists_the_hooks_and_kernels_of_a_run(what: str, expected: tuple[str, ...]) -> None:
    """``day_costs.py hooks`` / ``kernels`` on a 2-month run name what was timed, each with its time and calls
    (in a process of their own: they wrap the classes' methods and the modules' kernels)."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    proc = subprocess.run([sys.executable, "benchmarks/day_costs.py", what, "--months", "2"], cwd=root,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    lines = {line.split()[0]: line.split() for line in proc.stdout.splitlines()[1:]}
    for name in expected:
        ms, calls = float(lines[name][1]), float(lines[name][5])
        assert ms > 0 and calls >= 2  # the month's record: two months
    assert proc.stdout.startswith("a run: ")


def test_ab_speed_warm_times_each_tree() -> None:
    """``ab_speed.py --warm`` times a run after a first one in its process, for each tree, and the medians."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    proc = subprocess.run([sys.executable, "benchmarks/ab_speed.py", "--before", ".", "--after", ".", "--seeds", "1",
                           "--months", "1", "--warm"], cwd=root, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    medians = [line for line in proc.stdout.splitlines() if "(min " in line]
    assert len(medians) == 2
    for line in medians:
        median, least = float(line.split("median cpu ")[1].split()[0]), float(line.split("min ")[1].split(")")[0])
        assert 0 < least <= median


def test_since_refuses_a_commit_git_cannot_find_before_any_run(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """``--since`` with a name git does not know: exit status 2 and the name in the message, at once (no figures
    written, no run made)."""
    out = tmp_path / "r.json"
    with pytest.raises(SystemExit) as stop:
        bench.main(["--since", "no-such-commit-here", "--json", str(out)])
    assert stop.value.code == 2
    assert "no-such-commit-here" in capsys.readouterr().err
    assert not out.exists()


def test_since_times_the_tree_of_issue_15s_start() -> None:
    """The tree of main when issue 15 was filed, exported and run by its own benchmark, gives its build and run
    times (a month's run; skipped in a checkout without that history, e.g. a shallow clone)."""
    try:
        bench.resolved_commit(bench.ISSUE_15_BEFORE)
    except ValueError:
        pytest.skip(f"{bench.ISSUE_15_BEFORE} is not in this checkout's history")
    before = bench.measure_since(bench.ISSUE_15_BEFORE, 1, 1)
    assert before["init_s"] > 0 and before["run_s"] > 0
    assert before["default_run_s"] == before["init_s"] + before["run_s"]


def test_since_refuses_a_tree_whose_benchmark_cannot_run_before_any_other_run(
        tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """``--since`` with the project's first commit (no benchmark in its tree): exit status 2 and a message naming
    the commit and the command that failed, before this tree's runs (no figures written)."""
    first = subprocess.run(["git", "-C", str(bench.ROOT), "rev-list", "--max-parents=0", "HEAD"],
                           capture_output=True, text=True).stdout.split()
    if not first:
        pytest.skip("not a git checkout with its history")
    out = tmp_path / "r.json"
    with pytest.raises(SystemExit) as stop:
        bench.main(["--since", first[0], "--json", str(out)])
    assert stop.value.code == 2
    said = capsys.readouterr().err
    assert first[0] in said and "did not time a run" in said and "bench.py --one ours 1" in said
    assert not out.exists()
