"""The batch engine: plans, seeds, local / Dask execution, results folders, resume, failures."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim.batch.engine as engine
from sim.batch import RunSpec, batch, load_results, parts, plan, run_batch, run_one
from sim.batch.store import sha256, stored_runs
from sim.errors import InputError
from sim.outcomes import OUTCOMES
from sim.scenario import SCENARIOS

MONTHS = {"months": 4}  # short runs: the whole file stays fast


def _scenario(folder: Path, name: str, extra: str = "") -> Path:
    """A scenario extending the shipped baseline, without its (later-dated) events."""
    baseline = os.path.relpath(SCENARIOS / "baseline.toml", folder)
    nes = os.path.relpath(SCENARIOS / "maps" / "nes.toml", folder)
    path = folder / f"{name}.toml"
    path.write_text(f'extends = "{baseline}"\nname = "{name}"\nmap = "{nes}"\ninherit_events = false\n{extra}')
    return path


@pytest.fixture(scope="module")
def scenarios(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("scenarios")
    return [_scenario(folder, "short"), _scenario(folder, "alt", "[parameters]\nzakat_min_usd = 2000.0\n")]


@pytest.fixture(scope="module")
def reference(scenarios: list[Path], tmp_path_factory: pytest.TempPathFactory) -> tuple[list[RunSpec], Path]:
    """Two runs (one per scenario) in this process: what every other executor must reproduce."""
    specs = plan(scenarios, reps=1, seed=11, sets=MONTHS)
    out = tmp_path_factory.mktemp("reference") / "out"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(parts, "FLUSH_RUNS", 1)  # each run stored on its own: a records file each
        summary = run_batch(specs, out, workers=1, progress=False, command="pytest")
    assert (summary.n_runs, summary.n_done, summary.n_failed, summary.n_skipped) == (2, 2, 0, 0)
    return specs, out


def _record_file(out: Path, run_id: str) -> Path:
    """The records file holding a run (its summary, events and the parts holding its tables)."""
    return out / json.loads((out / "manifest.json").read_text())["records"][run_id]


def _part(out: Path, run_id: str, table: str) -> str:
    """The part (path under ``out``) that holds a run's table."""
    return json.loads(_record_file(out, run_id).read_text())["runs"][run_id]["tables"][table]


def _sorted(df: pd.DataFrame) -> pd.DataFrame:
    return df.sort_values(["run_id", "month"] if "month" in df else ["run_id"]).reset_index(drop=True)


# ------------------------------------------------------------------------------------------- plan
def test_plan_is_the_full_cross_product(scenarios: list[Path]) -> None:
    sweep = {"zakat_min_usd": [500.0, 1500.0], "killing_prob": [0.01, 0.02, 0.03]}
    specs = plan(scenarios, reps=3, seed=1, sets=MONTHS, sweep=sweep)
    assert len(specs) == 2 * 2 * 3 * 3
    ids = [s.run_id for s in specs]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[A-Za-z0-9_.-]+", i) for i in ids)
    points = {(s.scenario, s.sweep["zakat_min_usd"], s.sweep["killing_prob"], s.rep) for s in specs}
    assert len(points) == len(specs)
    assert {s.scenario for s in specs} == {"short", "alt"}
    assert all(s.sets == MONTHS and Path(s.path).is_file() for s in specs)
    assert plan(scenarios[:1], reps=2, sets=MONTHS)[0].run_id == "short-base-r000"


def test_seeds_are_stable_and_paired(scenarios: list[Path]) -> None:
    sweep = {"zakat_min_usd": [500.0, 1500.0]}
    small = plan(scenarios[:1], reps=2, seed=5, sets=MONTHS, sweep=sweep)
    large = plan(scenarios, reps=6, seed=5, sets=MONTHS, sweep=sweep)
    seeds = {s.run_id: s.seed for s in large}
    # adding reps and scenarios leaves the earlier runs' ids and seeds alone
    assert all(seeds[s.run_id] == s.seed for s in small)
    # common random numbers: one seed per replication, shared by every scenario and sweep point
    by_rep: dict[int, set[int]] = {}
    for s in large:
        by_rep.setdefault(s.rep, set()).add(s.seed)
    assert all(len(v) == 1 for v in by_rep.values())
    assert len({v.pop() for v in by_rep.values()}) == 6
    # the same streams SeedSequence(root).spawn(n) gives, whatever n is
    child = np.random.SeedSequence(5).spawn(6)[3]
    assert by_rep and large[3].rep == 3
    assert large[3].seed == int(child.generate_state(1, np.uint64)[0]) & (2**63 - 1)
    assert plan(scenarios[:1], reps=1, seed=6, sets=MONTHS)[0].seed != small[0].seed


@pytest.mark.parametrize(("kwargs", "key"), [
    ({"sweep": {"zakat_min_usdd": [1.0]}}, "sweep.zakat_min_usdd"),
    ({"sweep": {"zakat_min_usd": [-5.0]}}, "parameters.zakat_min_usd"),
    ({"sweep": {"zakat_min_usd": []}}, "sweep.zakat_min_usd"),
    ({"sweep": {"seed": [1, 2]}}, "sweep.seed"),
    ({"sets": {"months": 0}}, "months"),
    ({"reps": 0}, "reps"),
])
def test_plan_checks_everything_up_front(scenarios: list[Path], kwargs: dict, key: str) -> None:
    args = {"reps": 1, "sets": MONTHS, **kwargs}
    with pytest.raises(InputError) as err:
        plan(scenarios, **args)
    assert err.value.key == key


def test_plan_refuses_a_scenario_twice(scenarios: list[Path]) -> None:
    with pytest.raises(InputError, match="listed twice"):
        plan([scenarios[0], scenarios[0]], reps=1, sets=MONTHS)


# ------------------------------------------------------------------------------------------- running
def test_results_folder_layout(reference: tuple[list[RunSpec], Path]) -> None:
    specs, out = reference
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["root_seed"] == 11 and manifest["sets"] == MONTHS and manifest["command"] == "pytest"
    assert [(r["run_id"], r["seed"]) for r in manifest["runs"]] == [(s.run_id, s.seed) for s in specs]
    assert set(manifest["versions"]) == {"insim", "mesa", "numpy", "pandas", "python"}
    assert manifest["started"] <= manifest["finished"] and manifest["status"] == "complete"
    alt = manifest["scenarios"]["alt"]
    assert alt["resolved"]["parameters"]["zakat_min_usd"] == 2000.0
    assert all(len(h) == 64 for h in alt["sha256"].values()) and len(alt["sha256"]) == 3  # baseline, alt, map
    assert not list((out / "runs").iterdir())  # successful runs have no folder: they are stored in bulk
    for spec in specs:  # tables in parts of many runs, and the run's record in its group's records file
        file = _record_file(out, spec.run_id)
        assert manifest["parts"][file.relative_to(out).as_posix()] == sha256(file)
        record = json.loads(file.read_text())["runs"][spec.run_id]
        assert record["summary"]["run_id"] == spec.run_id and record["summary"]["seed"] == spec.seed
        assert record["summary"]["n_events"] == len(record["events"])
        index = record["tables"]
        assert set(index) == {"monthly", "villages", "incidents"}
        for name in index.values():
            assert (out / name).is_file() and manifest["parts"][name] == sha256(out / name)
            assert spec.run_id in set(pd.read_parquet(out / name)["run_id"])
    assert not list(out.glob(".tmp-*"))

    runs = pd.read_parquet(out / "runs.parquet")
    monthly = pd.read_parquet(out / "monthly.parquet")
    villages = pd.read_parquet(out / "villages.parquet")
    assert list(runs["run_id"]) == [s.run_id for s in specs] and (runs["status"] == "ok").all()
    timings = pd.read_csv(out / "timings.csv")  # kept apart: the results tables depend on the inputs only
    assert "wall_time_s" not in runs and list(timings["run_id"]) == list(runs["run_id"])
    assert (timings["wall_time_s"] > 0).all() and (timings["model_cpu_s"] > 0).all() and "model_cpu_s" not in runs
    # a monthly count is read at the last month as last_month_<name>, beside its run total
    assert {o if f"total_{o}" not in runs else f"last_month_{o}" for o in OUTCOMES} <= set(runs.columns)
    assert "total_killings" in runs and "killings" not in runs
    assert len(monthly) == 2 * 4 and list(monthly.columns[:6]) == ["run_id", "scenario", "rep", "seed", "month", "date"]
    assert set(OUTCOMES) <= set(monthly.columns)
    # the summary's finals and totals are the monthly table's last row and sums
    first = monthly[monthly.run_id == specs[0].run_id]
    assert runs.loc[0, "is_fighters"] == first["is_fighters"].iloc[-1]
    assert runs.loc[0, "total_killings"] == first["killings"].sum()
    assert runs.loc[0, "last_month_killings"] == first["killings"].iloc[-1]
    # RIC-type attacks are counted per month too (compare and sensitivity read their run total)
    assert runs.loc[0, "total_ric_attacks"] == first["ric_attacks"].sum() and "ric_attacks" not in runs
    wanted = {"run_id", "village", "x", "y", "zone", "influence", "stronghold_score", "zakat_usd"}
    assert wanted <= set(villages.columns)
    assert villages.groupby("run_id").size().nunique() == 1 and villages["zakat_usd"].sum() > 0

    experiments = pd.read_csv(out / "ema_experiments.csv")
    outcomes = pd.read_csv(out / "ema_outcomes.csv")
    assert list(experiments["scenario_name"]) == list(runs["scenario"]) and len(outcomes) == len(experiments)
    assert "run_id" not in experiments and "seed" not in experiments and "scenario" not in experiments
    np.testing.assert_allclose(outcomes["mean_influence"], runs["mean_influence"])

    results = load_results(out)
    pd.testing.assert_frame_equal(results.monthly, monthly)
    assert results.manifest["root_seed"] == 11 and len(results.runs) == 2


def test_identical_batches_give_identical_tables(reference: tuple[list[RunSpec], Path], tmp_path: Path) -> None:
    specs, out = reference
    run_batch(specs, tmp_path / "again", workers=1, progress=False)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "again" / "monthly.parquet"),
                                  pd.read_parquet(out / "monthly.parquet"))
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "again" / "villages.parquet"),
                                  pd.read_parquet(out / "villages.parquet"))
    # and the two scenarios, run with the same seed, do differ (the parameter took effect)
    runs = pd.read_parquet(out / "runs.parquet")
    assert runs.loc[0, "total_zakat_revenue_usd"] != runs.loc[1, "total_zakat_revenue_usd"]


@pytest.mark.parametrize("start", ["fork", "spawn"])
def test_process_pool_matches_in_process(reference: tuple[list[RunSpec], Path], tmp_path: Path, start: str,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    specs, out = reference
    monkeypatch.setenv("INSIM_WORKER_START", start)
    summary = run_batch(specs, tmp_path / "pool", workers=2, progress=True)
    assert summary.n_done == 2 and summary.n_failed == 0
    pd.testing.assert_frame_equal(_sorted(pd.read_parquet(tmp_path / "pool" / "monthly.parquet")),
                                  _sorted(pd.read_parquet(out / "monthly.parquet")))
    pd.testing.assert_frame_equal(_sorted(pd.read_parquet(tmp_path / "pool" / "villages.parquet")),
                                  _sorted(pd.read_parquet(out / "villages.parquet")))


def test_dask_local_cluster_matches_in_process(reference: tuple[list[RunSpec], Path], tmp_path: Path) -> None:
    specs, out = reference
    summary = run_batch(specs, tmp_path / "dask", workers=2, dask="local", progress=False)
    assert summary.n_done == 2 and summary.n_failed == 0
    pd.testing.assert_frame_equal(_sorted(pd.read_parquet(tmp_path / "dask" / "monthly.parquet")),
                                  _sorted(pd.read_parquet(out / "monthly.parquet")))


def test_resume_runs_only_what_is_missing(reference: tuple[list[RunSpec], Path], tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    specs, ref = reference
    out = tmp_path / "out"
    shutil.copytree(ref, out)
    # a killed batch: one run never finished, consolidation never happened, a temp dir was left over
    _record_file(out, specs[1].run_id).unlink()
    for name in ("runs.parquet", "monthly.parquet", "villages.parquet"):
        (out / name).unlink()
    (out / ".tmp-short-base-r000-x").mkdir()
    kept = _record_file(out, specs[0].run_id).stat().st_mtime_ns

    with pytest.raises(InputError, match="already holds"):
        run_batch(specs, out, workers=1, progress=False)

    ran: list[str] = []

    def counting(spec: RunSpec) -> engine.RunResult:
        ran.append(spec.run_id)
        return run_one(spec)

    monkeypatch.setattr(engine, "run_one", counting)
    summary = run_batch(specs, out, workers=1, progress=False, resume=True)
    assert ran == [specs[1].run_id]
    assert (summary.n_done, summary.n_skipped, summary.n_failed) == (1, 1, 0)
    assert _record_file(out, specs[0].run_id).stat().st_mtime_ns == kept
    assert not list(out.glob(".tmp-*"))
    pd.testing.assert_frame_equal(pd.read_parquet(out / "monthly.parquet"), pd.read_parquet(ref / "monthly.parquet"))
    assert len(json.loads((out / "manifest.json").read_text())["resumed"]) == 1

    # resuming a finished batch runs nothing
    assert run_batch(specs, out, workers=1, progress=False, resume=True).n_skipped == 2 and len(ran) == 1


def test_resume_refuses_another_batch(reference: tuple[list[RunSpec], Path], scenarios: list[Path],
                                      tmp_path: Path) -> None:
    _, ref = reference
    out = tmp_path / "out"
    shutil.copytree(ref, out)
    other = plan(scenarios, reps=2, seed=11, sets=MONTHS)
    with pytest.raises(InputError, match="not in the earlier batch") as err:
        run_batch(other, out, workers=1, progress=False, resume=True)
    assert err.value.file == str(out)
    reseeded = plan(scenarios, reps=1, seed=12, sets=MONTHS)
    with pytest.raises(InputError, match="other seeds"):
        run_batch(reseeded, out, workers=1, progress=False, resume=True)


def test_a_failed_run_is_recorded_and_the_batch_goes_on(scenarios: list[Path], tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    specs = plan(scenarios[:1], reps=1, seed=2, sets=MONTHS, sweep={"zakat_min_usd": [500.0, 1500.0]})
    build = engine.build_model

    def fragile(spec: RunSpec) -> object:
        if spec.sweep["zakat_min_usd"] == 1500.0:
            raise RuntimeError("injected failure")
        return build(spec)

    monkeypatch.setattr(engine, "build_model", fragile)
    out = tmp_path / "out"
    summary = run_batch(specs, out, workers=1, progress=False)
    bad = specs[1].run_id
    assert (summary.n_done, summary.n_failed, summary.failed) == (2, 1, [bad])
    error = (out / "runs" / bad / "error.txt").read_text()
    assert "Traceback" in error and "injected failure" in error
    results = load_results(out)
    assert list(results.runs["status"]) == ["ok", "failed"]
    assert "injected failure" in results.runs.loc[1, "error"]
    assert set(results.monthly["run_id"]) == {specs[0].run_id}
    assert len(pd.read_csv(out / "ema_outcomes.csv")) == 1
    assert results.manifest["status"] == "with failures"


def test_corrupt_results_folders_are_named(reference: tuple[list[RunSpec], Path], tmp_path: Path) -> None:
    specs, ref = reference
    with pytest.raises(InputError, match="not an insim results folder"):
        load_results(tmp_path)
    out = tmp_path / "out"
    shutil.copytree(ref, out)
    (out / "manifest.json").write_text("{not json")
    with pytest.raises(InputError, match="not readable JSON") as err:
        load_results(out)
    assert err.value.file == str(out / "manifest.json")
    with pytest.raises(InputError, match="not readable JSON"):
        run_batch(specs, out, workers=1, progress=False, resume=True)

    out2 = tmp_path / "out2"
    shutil.copytree(ref, out2)
    part = out2 / _part(out2, specs[0].run_id, "monthly")
    part.unlink()
    (out2 / "runs.parquet").unlink()
    with pytest.raises(InputError, match="incomplete") as err:
        load_results(out2)
    assert err.value.file == str(part)


def test_batch_convenience_keeps_nothing_on_disk(reference: tuple[list[RunSpec], Path],
                                                 scenarios: list[Path]) -> None:
    _, ref = reference
    results = batch(scenarios, reps=1, seed=11, sets=MONTHS, workers=1)
    assert results.path is None
    pd.testing.assert_frame_equal(results.monthly, pd.read_parquet(ref / "monthly.parquet"))
    experiments, outcomes = results.ema
    assert len(experiments) == len(outcomes) == 2


# ------------------------------------------------------------------------------------------- never lie
def _die_on_rep_1(spec: RunSpec) -> engine.RunResult:
    """In a worker process: the system kills this worker (as the OOM killer would) on replication 1."""
    import signal

    if spec.rep == 1:
        os.kill(os.getpid(), signal.SIGKILL)
    return run_one(spec)


def test_resume_retries_failed_runs_and_the_command_says_where_tracebacks_are(
        scenarios: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    from sim import cli

    build = engine.build_model

    def fragile(spec: RunSpec) -> object:
        if spec.scenario == "alt":
            raise RuntimeError("injected failure")
        return build(spec)

    monkeypatch.setattr(engine, "build_model", fragile)
    out = tmp_path / "out"
    args = ["batch", *map(str, scenarios), "--reps", "1", "--seed", "3", "--set", "months=4", "--workers", "1",
            "--out", str(out), "--no-plots", "--quiet"]
    assert cli.main(args) == 1
    err = capsys.readouterr()
    bad = "alt-base-r000"
    assert f"{out / 'runs'}/<run_id>/error.txt" in err.out and bad in err.out and "1 failed" in err.out
    assert "1 run(s) failed" in err.err
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "with failures" and manifest["n_failed"] == 1

    monkeypatch.setattr(engine, "build_model", build)  # the cause is fixed: resume runs the failed run again
    assert cli.main([*args, "--resume"]) == 0
    assert "1 done now, 1 already done, 0 failed" in capsys.readouterr().out
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["n_failed"] == 0
    assert list(pd.read_parquet(out / "runs.parquet")["status"]) == ["ok", "ok"]


def test_a_worker_killed_by_the_system_is_reported_as_lost_and_resumed(scenarios: list[Path], tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    specs = plan(scenarios[:1], reps=3, seed=4, sets=MONTHS)
    monkeypatch.setattr(engine, "run_one", _die_on_rep_1)  # pickled by name: the workers use it too
    summary = run_batch(specs, tmp_path / "out", workers=2, progress=False)
    assert specs[1].run_id in summary.lost and not summary.ok
    assert summary.n_done + len(summary.lost) == 3 and not summary.failed
    assert "worker process died" in str(summary) and "error.txt" not in str(summary)
    assert not (tmp_path / "out" / "runs" / specs[1].run_id).exists()  # no traceback folder that is not there
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["status"] == "with failures" and specs[1].run_id in manifest["lost"]

    monkeypatch.setattr(engine, "run_one", run_one)
    again = run_batch(specs, tmp_path / "out", workers=2, progress=False, resume=True)
    assert again.ok and again.n_done == len(summary.lost)
    assert json.loads((tmp_path / "out" / "manifest.json").read_text())["status"] == "complete"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="forked workers need fork")
def test_batch_names_the_main_guard_only_when_its_workers_were_spawned(scenarios: list[Path], tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    # a forked worker needs no guard (tests/test_worker_start.py): a lost run there was killed, and the
    # error says so instead of sending the user after a guard that is already there
    from sim.errors import BatchError

    monkeypatch.setenv("INSIM_WORKER_START", "fork")
    monkeypatch.setattr(engine, "run_one", _die_on_rep_1)
    with pytest.raises(BatchError) as raised:
        batch([scenarios[0]], reps=3, seed=4, sets=MONTHS, out=tmp_path / "out", workers=2)
    assert "of 3 runs were lost" in str(raised.value) and "resume=True" in str(raised.value)
    assert "__main__" not in str(raised.value)
    monkeypatch.setattr(engine, "run_one", run_one)
    again = batch([scenarios[0]], reps=3, seed=4, sets=MONTHS, out=tmp_path / "out", workers=2, resume=True)
    assert len(again.monthly) > 0 and again.runs["status"].eq("ok").all()


def test_batch_raises_when_its_workers_cannot_start(scenarios: list[Path], tmp_path: Path) -> None:
    import subprocess
    import sys

    script = tmp_path / "no_guard.py"  # spawned workers import the script again, and it starts a batch again
    script.write_text("from sim.batch import batch\n"
                      f"results = batch([{str(scenarios[0])!r}], reps=2, sets={{'months': 2}}, workers=2)\n"
                      "print('rows', len(results.monthly))\n")
    env = {**os.environ, "INSIM_WORKER_START": "spawn"}  # forked workers do not import it (tests/test_worker_start.py)
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300, cwd=tmp_path,
                          env=env)
    assert proc.returncode != 0 and "rows" not in proc.stdout
    assert "BatchError" in proc.stderr and "2 of 2 runs were lost" in proc.stderr
    assert 'if __name__ == "__main__"' in proc.stderr


def test_a_second_batch_on_the_same_folder_is_refused_and_a_stale_lock_taken_over(
        reference: tuple[list[RunSpec], Path], tmp_path: Path) -> None:
    import socket
    import subprocess

    specs, _ = reference
    out = tmp_path / "out"
    out.mkdir()
    holder = subprocess.Popen(["sleep", "60"])
    try:
        (out / ".lock").write_text(json.dumps({"pid": holder.pid, "host": socket.gethostname(), "since": "then"}))
        with pytest.raises(InputError, match=f"another batch is writing this folder \\(process {holder.pid}"):
            run_batch(specs, out, workers=1, progress=False)
        assert not (out / "manifest.json").exists()
    finally:
        holder.kill()
        holder.wait()
    # the holder is gone: its lock is stale and is taken over
    assert run_batch(specs, out, workers=1, progress=False).ok
    assert not (out / ".lock").exists()


@pytest.mark.parametrize("damage", ["swap", "corrupt", "swap_unrecorded"])
def test_a_swapped_or_corrupted_run_file_is_found_and_never_merged(
        reference: tuple[list[RunSpec], Path], scenarios: list[Path], tmp_path: Path, damage: str,
        capsys: pytest.CaptureFixture) -> None:
    from sim import cli

    specs, ref = reference
    out = tmp_path / "out"
    shutil.copytree(ref, out)
    a = out / _part(out, specs[0].run_id, "monthly")
    if damage == "corrupt":
        data = bytearray(a.read_bytes())
        data[len(data) // 2] ^= 0xFF
        a.write_bytes(bytes(data))
    elif damage == "swap":  # the villages part where the monthly one should be
        b = out / _part(out, specs[0].run_id, "villages")
        a_bytes = a.read_bytes()
        a.write_bytes(b.read_bytes())
        b.write_bytes(a_bytes)
    else:  # stored just before a kill (no hash yet, checked by content): the same runs of another batch
        other = tmp_path / "other"
        assert run_batch(plan(scenarios, reps=1, seed=12, sets=MONTHS), other, workers=1, progress=False).ok
        a.write_bytes((other / _part(other, specs[0].run_id, "monthly")).read_bytes())
        manifest = json.loads((out / "manifest.json").read_text())
        manifest["files"], manifest["parts"] = {}, {}
        (out / "manifest.json").write_text(json.dumps(manifest))
    words = "holds rows of another run" if damage == "swap_unrecorded" else "swapped or corrupted"
    with pytest.raises(InputError, match=words) as err:
        load_results(out)
    assert err.value.file == str(a)
    assert cli.main(["compare", str(out)]) == 2
    assert words in capsys.readouterr().err
    with pytest.raises(InputError, match=words):
        run_batch(specs, out, workers=1, progress=False, resume=True)
    (out / "runs.parquet").unlink()  # nor is it merged into rebuilt tables
    with pytest.raises(InputError, match=words):
        load_results(out)


def test_numpy_integers_work_from_python(scenarios: list[Path]) -> None:
    specs = plan(scenarios[:1], reps=np.int64(2), seed=np.int64(5), sets=MONTHS)
    assert [s.seed for s in specs] == [s.seed for s in plan(scenarios[:1], reps=2, seed=5, sets=MONTHS)]
    with pytest.raises(InputError, match="at least 0"):
        plan(scenarios[:1], reps=1, seed=-1, sets=MONTHS)


def test_an_incident_table_is_written_when_the_model_offers_one(scenarios: list[Path], tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    build = engine.build_model

    def with_incidents(spec: RunSpec) -> object:
        model = build(spec)
        model.incident_frame = lambda: pd.DataFrame({"month": [1, 2], "village": ["a", "b"], "killings": [spec.rep, 1]})
        return model

    monkeypatch.setattr(engine, "build_model", with_incidents)
    specs = plan(scenarios[:1], reps=2, seed=1, sets=MONTHS)
    run_batch(specs, tmp_path / "out", workers=1, progress=False)
    incidents = load_results(tmp_path / "out").incidents
    assert incidents is not None and list(incidents["run_id"]) == [specs[0].run_id] * 2 + [specs[1].run_id] * 2
    assert list(incidents["killings"]) == [0, 1, 1, 1]
    assert (tmp_path / "out" / _part(tmp_path / "out", specs[0].run_id, "incidents")).is_file()


def test_a_disk_that_fills_mid_batch_is_a_clear_error_and_resume_goes_on(
        scenarios: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    import errno

    from sim import cli

    real = parts.write_table
    calls = []

    def filling(df: pd.DataFrame, path: Path, **options: bool) -> None:
        calls.append(path)
        if len(calls) > 3:  # the first run's three tables (monthly, villages, incidents) fit, then the disk is full
            path.write_bytes(b"half")
            raise OSError(errno.ENOSPC, "No space left on device")
        real(df, path, **options)

    monkeypatch.setattr(parts, "FLUSH_RUNS", 1)  # each run stored on its own, as soon as it finishes
    monkeypatch.setattr(parts, "write_table", filling)
    out = tmp_path / "out"
    args = ["batch", *map(str, scenarios), "--reps", "1", "--set", "months=4", "--workers", "1", "--out", str(out),
            "--no-plots", "--quiet"]
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert f"{out}: cannot write there: No space left on device" in err and "--resume" in err
    assert "Traceback" not in err
    assert stored_runs(out) == {"short-base-r000"}  # the finished run is kept
    assert not list(out.glob(".tmp-*")) and not (out / ".lock").exists()
    assert "short-base-r000" in json.loads((out / "manifest.json").read_text())["records"]

    monkeypatch.setattr(parts, "write_table", real)  # space freed: resume finishes the batch
    assert cli.main([*args, "--resume"]) == 0
    assert list(pd.read_parquet(out / "runs.parquet")["status"]) == ["ok", "ok"]


@pytest.mark.parametrize("dashboard", [None, "127.0.0.1:8799"])
def test_the_dask_dashboard_starts_only_when_asked(reference: tuple[list[RunSpec], Path], tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch, dashboard: str | None) -> None:
    import dask.distributed

    seen: dict[str, object] = {}

    class Stop(Exception):
        pass

    def fake_cluster(**kwargs: object) -> None:
        seen.update(kwargs)
        raise Stop

    monkeypatch.setattr(dask.distributed, "LocalCluster", fake_cluster)
    specs, _ = reference
    with pytest.raises(Stop):
        run_batch(specs, tmp_path / "out", workers=2, dask="local", progress=False, dask_dashboard=dashboard)
    assert seen["dashboard_address"] == dashboard and seen["host"] == "127.0.0.1"


# ----------------------------------------------------------------- bad input found after the start
def _unreachable(*args: object, **kwargs: object):
    """What ``executors.dask_results`` does when the scheduler cannot be reached: an InputError on first use."""
    raise InputError(None, "dask", "cannot reach the scheduler 'tcp://127.0.0.1:1'")
    yield  # a generator, as the real one


def test_an_unreachable_scheduler_leaves_no_folder_behind(scenarios: list[Path], tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The scheduler is reached only once the batch has started (manifest written): the error used to
    leave a folder that the same command, run again, refused as holding a batch. A new folder is
    removed, an existing one emptied of what the batch wrote, and the same command then works."""
    monkeypatch.setattr(engine.executors, "dask_results", _unreachable)
    specs = plan(scenarios[:1], reps=1, seed=3, sets=MONTHS)
    new = tmp_path / "new" / "out"
    with pytest.raises(InputError, match="cannot reach"):
        run_batch(specs, new, dask="tcp://127.0.0.1:1", progress=False)
    assert not new.exists()
    given = tmp_path / "given"
    given.mkdir()
    (given / "notes.txt").write_text("mine")
    with pytest.raises(InputError, match="cannot reach"):
        run_batch(specs, given, dask="tcp://127.0.0.1:1", progress=False)
    assert sorted(p.name for p in given.iterdir()) == ["notes.txt"]
    monkeypatch.undo()
    assert run_batch(specs, given, workers=1, progress=False).n_done == 1


def test_a_resumed_batch_keeps_its_runs_when_the_scheduler_cannot_be_reached(
        reference: tuple[list[RunSpec], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Resuming with an unreachable scheduler removes nothing that was stored: the manifest and the runs stay."""
    specs, out = reference
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    _record_file(copy, specs[0].run_id).unlink()  # one run to do again
    kept = sha256(_record_file(copy, specs[1].run_id))
    monkeypatch.setattr(engine.executors, "dask_results", _unreachable)
    with pytest.raises(InputError, match="cannot reach"):
        run_batch(specs, copy, dask="tcp://127.0.0.1:1", resume=True, progress=False)
    assert (copy / "manifest.json").is_file() and (copy / "parts").is_dir()
    assert sha256(_record_file(copy, specs[1].run_id)) == kept
