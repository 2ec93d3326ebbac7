"""Runs stored in bulk (sim.batch.records): one records file per group, checked like every other run file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim.batch.engine as engine
from sim.batch import RunSpec, load_results, parts, plan, run_batch, run_one
from sim.batch.store import run_events, run_table, sha256, stored_runs
from sim.errors import InputError

MONTHS = {"months": 2}


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[RunSpec], Path]:
    """Three runs, each stored on its own (a records file each)."""
    specs = plan(["baseline"], reps=3, seed=4, sets=MONTHS)
    out = tmp_path_factory.mktemp("records") / "out"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(parts, "FLUSH_RUNS", 1)
        assert run_batch(specs, out, workers=1, progress=False).ok
    return specs, out


def _manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text())


def _record_file(out: Path, run_id: str) -> Path:
    return out / _manifest(out)["records"][run_id]


def _copy(stored: tuple[list[RunSpec], Path], tmp_path: Path) -> tuple[list[RunSpec], Path]:
    specs, out = stored
    shutil.copytree(out, tmp_path / "out")
    return specs, tmp_path / "out"


def test_a_run_read_from_its_records_file_is_the_run(stored: tuple[list[RunSpec], Path]) -> None:
    specs, out = stored
    assert stored_runs(out) == {s.run_id for s in specs} and not list((out / "runs").iterdir())
    again = run_one(specs[1])
    monthly = run_table(out, specs[1].run_id, "monthly")
    pd.testing.assert_frame_equal(monthly, again.tables["monthly"], check_dtype=False)
    assert run_events(out, specs[1].run_id) == json.loads(json.dumps(again.events, default=str))
    with pytest.raises(InputError, match="no such run"):
        run_table(out, "baseline-base-r999", "monthly")


def test_a_changed_records_file_is_refused_naming_it(stored: tuple[list[RunSpec], Path], tmp_path: Path) -> None:
    specs, out = _copy(stored, tmp_path)
    file = _record_file(out, specs[0].run_id)
    file.write_text(file.read_text().replace('"status": "ok"', '"status": "ok", "x": 1', 1))
    (out / "runs.parquet").unlink()
    for read in (lambda: load_results(out), lambda: run_batch(specs, out, workers=1, progress=False, resume=True)):
        with pytest.raises(InputError, match="swapped or corrupted") as err:
            read()
        assert err.value.file == str(file) and "run its runs again" in str(err.value)


def test_a_deleted_records_file_is_run_again_and_nothing_else(stored: tuple[list[RunSpec], Path], tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    specs, out = _copy(stored, tmp_path)
    reference = {name: sha256(out / name) for name in ("runs.parquet", "monthly.parquet", "villages.parquet")}
    deleted = _record_file(out, specs[2].run_id)
    deleted.unlink()
    assert stored_runs(out) == {specs[0].run_id, specs[1].run_id}
    ran: list[str] = []
    monkeypatch.setattr(engine, "run_one", lambda spec: ran.append(spec.run_id) or run_one(spec))
    summary = run_batch(specs, out, workers=1, progress=False, resume=True)
    assert ran == [specs[2].run_id] and (summary.n_done, summary.n_skipped) == (1, 2)
    assert {name: sha256(out / name) for name in reference} == reference  # the same tables, byte for byte
    manifest = _manifest(out)
    assert set(manifest["records"]) == {s.run_id for s in specs}
    assert (out / manifest["records"][specs[2].run_id]).is_file() and not deleted.exists()
    assert all((out / name).is_file() for name in manifest["parts"])  # the deleted file's hash forgotten
    assert {p.relative_to(out).as_posix() for p in (out / "parts").iterdir()} == set(manifest["parts"])


def test_a_records_file_written_just_before_a_kill_is_checked_by_content_and_kept(
        stored: tuple[list[RunSpec], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    specs, out = _copy(stored, tmp_path)
    file = _record_file(out, specs[1].run_id)
    name = file.relative_to(out).as_posix()
    manifest = _manifest(out)  # killed after the file was written, before the manifest named it
    del manifest["records"][specs[1].run_id], manifest["parts"][name]
    (out / "manifest.json").write_text(json.dumps(manifest))
    (out / "runs.parquet").unlink()
    ran: list[str] = []
    monkeypatch.setattr(engine, "run_one", lambda spec: ran.append(spec.run_id) or run_one(spec))
    assert run_batch(specs, out, workers=1, progress=False, resume=True).n_skipped == 3 and ran == []
    manifest = _manifest(out)
    assert manifest["records"][specs[1].run_id] == name and manifest["parts"][name] == sha256(file)


def test_an_unrecorded_records_file_of_another_batch_is_refused(stored: tuple[list[RunSpec], Path],
                                                                tmp_path: Path) -> None:
    specs, out = _copy(stored, tmp_path)
    other = tmp_path / "other"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(parts, "FLUSH_RUNS", 1)
        assert run_batch(plan(["baseline"], reps=3, seed=5, sets=MONTHS), other, workers=1, progress=False).ok
    file = _record_file(out, specs[0].run_id)
    file.write_bytes(_record_file(other, specs[0].run_id).read_bytes())  # same run id, another seed
    manifest = _manifest(out)
    manifest["parts"].pop(file.relative_to(out).as_posix())
    (out / "manifest.json").write_text(json.dumps(manifest))
    (out / "runs.parquet").unlink()
    with pytest.raises(InputError, match="belongs to run") as err:
        run_batch(specs, out, workers=1, progress=False, resume=True)
    assert err.value.file == str(file)


def test_a_failed_run_keeps_a_folder_with_its_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    specs = plan(["baseline"], reps=2, seed=4, sets=MONTHS)

    def broken(spec: RunSpec) -> engine.RunResult:
        result = run_one(spec)
        if spec.rep == 1:
            result.ok, result.summary["status"], result.error = False, "failed", "Traceback: a broken run"
        return result

    monkeypatch.setattr(engine, "run_one", broken)
    out = tmp_path / "out"
    summary = run_batch(specs, out, workers=1, progress=False)
    assert summary.failed == [specs[1].run_id]
    assert [p.name for p in (out / "runs").iterdir()] == [specs[1].run_id]
    assert (out / "runs" / specs[1].run_id / "error.txt").read_text() == "Traceback: a broken run"
    assert set(_manifest(out)["records"]) == {specs[0].run_id}


def test_a_folder_of_format_1_a_folder_per_run_is_read_and_resumed(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    specs = plan(["baseline"], reps=3, seed=4, sets=MONTHS)

    def with_arrays(spec: RunSpec) -> engine.RunResult:  # a probe's arrays: each run stored in a folder
        result = run_one(spec)
        result.arrays = {"probe": {"x": np.arange(3)}}
        return result

    out = tmp_path / "out"
    monkeypatch.setattr(engine, "run_one", with_arrays)
    assert run_batch(specs, out, workers=1, progress=False).ok
    monkeypatch.undo()
    assert sorted(p.name for p in (out / "runs").iterdir()) == [s.run_id for s in specs]
    reference = load_results(out).monthly
    manifest = _manifest(out)
    manifest["format"] = "insim-batch/1"  # as written before records files
    del manifest["records"]
    (out / "manifest.json").write_text(json.dumps(manifest))
    shutil.rmtree(out / "runs" / specs[2].run_id)
    (out / "monthly.parquet").unlink()
    assert stored_runs(out) == {specs[0].run_id, specs[1].run_id}
    summary = run_batch(specs, out, workers=1, progress=False, resume=True)
    assert (summary.n_done, summary.n_skipped) == (1, 2)
    manifest = _manifest(out)
    assert manifest["format"] == "insim-batch/2" and set(manifest["records"]) == {specs[2].run_id}
    pd.testing.assert_frame_equal(load_results(out).monthly, reference)
