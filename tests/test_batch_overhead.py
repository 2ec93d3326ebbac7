"""What a batch's workers keep between runs, and tables merged from memory: same results as without.

Workers parse a scenario once per settings and process (``engine.scenario_of``), reused while its
files are unchanged; the batch-wide tables are merged from the tables kept in memory (all, or some
and the rest read back), and must be byte-equal to the tables rebuilt from the run files on disk.
Finished runs are stored in groups, soon at first and then less often as the batch goes on.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from sim.batch import RunResult, engine, load_results, parts, plan, run_batch
from sim.batch import manifest as mf
from sim.batch.store import sha256
from sim.model import InsurgencyModel
from sim.scenario import SCENARIOS, load_scenario

TABLES = ("runs.parquet", "monthly.parquet", "villages.parquet", "incidents.parquet")


def test_tables_merged_from_memory_equal_tables_rebuilt_from_disk(tmp_path: Path) -> None:
    specs = plan(["baseline", "us_withdrawal"], reps=2, seed=3, sets={"months": 4})
    out = tmp_path / "out"
    assert run_batch(specs, out, workers=1, progress=False).ok
    merged = {name: sha256(out / name) for name in TABLES}
    for name in TABLES:
        (out / name).unlink()
    load_results(out)  # rebuilt from runs/, every run file read back
    assert {name: sha256(out / name) for name in TABLES} == merged


def test_a_reused_scenario_gives_the_same_run_as_a_fresh_one() -> None:
    spec = plan(["history"], reps=1, seed=2, sets={"months": 10})[0]  # events fire: nothing in it may change
    first = engine.build_model(spec).run().monthly_frame()
    assert engine.scenario_of(spec) is engine.scenario_of(spec)
    again = engine.build_model(spec).run().monthly_frame()
    fresh = InsurgencyModel(load_scenario(spec.path, **spec.sets), rng=spec.seed, collect_daily=False).run()
    pd.testing.assert_frame_equal(first, again)
    pd.testing.assert_frame_equal(first, fresh.monthly_frame())


def test_an_edited_scenario_file_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(f'name = "mine"\nextends = "{SCENARIOS / "baseline.toml"}"\n')
    spec = plan([path], reps=1, sets={"months": 2})[0]
    before = engine.scenario_of(spec)
    assert engine.scenario_of(spec) is before
    path.write_text(path.read_text() + "[parameters]\nzakat_min_usd = 700\n")
    after = engine.scenario_of(spec)
    assert after is not before and after.parameters["zakat_min_usd"] == 700


@pytest.mark.parametrize("key", ["sets", "sweep"])
def test_other_settings_are_another_scenario(key: str) -> None:
    spec = plan(["baseline"], reps=1, sets={"months": 2})[0]
    other = plan(["baseline"], reps=1, sets={"months": 3})[0] if key == "sets" else \
        plan(["baseline"], reps=1, sets={"months": 2}, sweep={"zakat_min_usd": [700]})[0]
    assert engine.scenario_of(spec).months == 2
    assert engine.scenario_of(other) is not engine.scenario_of(spec)


def test_tables_merged_partly_from_memory_equal_tables_rebuilt_from_disk(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parts, "FLUSH_RUNS", 2)  # groups of two runs, ...
    monkeypatch.setattr(engine, "KEEP_IN_MEMORY", 2)  # ... the first kept in memory, the others read back
    specs = plan(["baseline", "us_withdrawal"], reps=3, seed=5, sets={"months": 2})
    out = tmp_path / "out"
    assert run_batch(specs, out, workers=1, progress=False).ok
    assert len(list((out / "parts").glob("monthly-*"))) == 3
    merged = {name: sha256(out / name) for name in TABLES}
    for name in TABLES:
        (out / name).unlink()
    load_results(out)
    assert {name: sha256(out / name) for name in TABLES} == merged


def test_groups_are_stored_soon_early_in_a_batch_and_later_every_twentieth_of_its_time(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [0.0]
    monkeypatch.setattr(engine.time, "monotonic", lambda: clock[0])
    (tmp_path / "runs").mkdir()
    storer = engine.GroupStore(tmp_path, mf.ManifestWriter(tmp_path / "manifest.json", {"files": {}}))
    planned = plan(["baseline"], reps=9, sets={"months": 1})
    specs = iter(planned)

    def finish(at: float) -> int:
        clock[0] = at
        spec = next(specs)
        storer.add(RunResult(spec, False, {"run_id": spec.run_id, "status": "failed"}, {}, [], 0.0, error="x"))
        return storer.n_stored

    wait = parts.FLUSH_SECONDS
    assert [finish(0.5), finish(wait + 0.4), finish(wait + 0.6)] == [0, 0, 3]  # the first group waits FLUSH_SECONDS
    assert [finish(200.0), finish(209.0), finish(210.5)] == [3, 3, 6]  # 200 s in: 10 s
    assert [finish(5000.0), finish(5029.0), finish(5031.0)] == [6, 6, 9]  # never more than 30 s
    assert json.loads((tmp_path / "manifest.json").read_text())["files"].keys() == {s.run_id for s in planned}
